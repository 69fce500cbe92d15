#!/usr/bin/env bash
# A missing state directory (exit 2) or a read-only one (exit 3) gives a
# clear one-line message naming the path, never a crash: a read-only
# bind mount inside a private mount namespace (we run as root), and the
# commands run as user nobody on a root-owned directory.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/cli/lib.bash"

# expect_msg CODE TEXT CMD...: exit CODE and TEXT in a one-line stderr
expect_msg() {
	local code=$1 text=$2
	shift 2
	expect_exit "$code" "$@"
	expect_contains "$err" "$text" "message names $text"
	[[ $(printf '%s\n' "$err" | wc -l) == 1 ]] || fail "not one line: $err"
}

# read_or_clear RUNNER: `host list` either works (SQLite found the -shm
# file a WAL reader needs) or fails with a clear exit 3
read_or_clear() {
	local rc
	out=$("$1" host list --json 2>"$TEST_TMP/.stderr"); rc=$?
	err=$(cat "$TEST_TMP/.stderr")
	case $rc in
	0) expect_eq "$(jpy 'd[0]["hostname"]' <<<"$out")" web1 "$1: list" ;;
	3) expect_contains "$err" "read-only" "$1: list: clear error" ;;
	*) fail "$1 host list: exit $rc: $err" ;;
	esac
}

# missing state directory: a configuration error
missing=$TEST_TMP/no/such/dir
printf '[appliance]\nstate_dir = %s\n' "$missing" >"$TEST_TMP/missing.conf"
for cmd in "host add aa:bb:cc:00:00:01" "host list" "host show web1" \
	"host set web1 --ip 198.18.0.5" "distro add d --kernel k --initrd i" \
	"distro list" "leases" "events"; do
	# shellcheck disable=SC2086
	expect_msg 2 "state directory $missing does not exist" \
		"$BOOTYARD" -c "$TEST_TMP/missing.conf" $cmd
done
[[ ! -e $missing ]] || fail "the CLI created the state directory"

# a file where the directory should be
touch "$TEST_TMP/file"
printf '[appliance]\nstate_dir = %s\n' "$TEST_TMP/file" >"$TEST_TMP/file.conf"
expect_msg 2 "is not a directory" "$BOOTYARD" -c "$TEST_TMP/file.conf" host list

# read-only: a read-only bind mount of the state directory
ro() { # CMD...: run bootyard ARGS with $STATE mounted read-only
	unshare -m -- sh -c 'mount --bind "$1" "$1" &&
		mount -o remount,bind,ro "$1" && shift && exec "$@"' \
		sh "$STATE" "$BOOTYARD" -c "$CONF" "$@"
}
if ! unshare -m -- true 2>/dev/null; then
	echo "# unshare -m not available: read-only bind mount part skipped"
else
	# no database yet: writes fail clearly and create nothing
	expect_msg 3 "cannot write the database $STATE/db/bootyard.db" \
		ro host add aa:bb:cc:00:00:01
	expect_contains "$err" "read-only" "says read-only"
	[[ ! -e $STATE/db/bootyard.db ]] || fail "database created on a read-only mount"
	expect_exit 0 ro host list --json
	expect_eq "$out" "[]" "reading a missing database: empty"

	# with a database: every write fails with exit 3, nothing changes
	check "setup" by host add aa:bb:cc:00:00:01 --hostname web1
	check "setup" by distro add deb12 --kernel k --initrd i
	before=$(snapshot)
	expect_msg 3 "$STATE" ro host add aa:bb:cc:00:00:02
	expect_msg 3 "$STATE" ro host set web1 --ip 198.18.0.5
	expect_msg 3 "$STATE" ro host reinstall web1 --distro deb12
	expect_msg 3 "$STATE" ro host mac add web1 aa:bb:cc:00:00:03
	expect_msg 3 "$STATE" ro host rm web1
	expect_msg 3 "$STATE" ro distro add d2 --kernel k --initrd i
	expect_msg 3 "$STATE" ro distro rm deb12
	# reading works when SQLite finds the -shm file it needs, else a
	# clear error (a WAL reader must create it in the directory)
	read_or_clear ro
	expect_eq "$(snapshot)" "$before" "nothing changed"
fi

# read-only by permissions: user nobody on root's directory
if ! id nobody >/dev/null 2>&1 || ! command -v setpriv >/dev/null; then
	echo "# no user nobody or setpriv: permission part skipped"
else
	chmod 755 "$TEST_TMP"
	chmod 644 "$CONF"
	[[ -e $STATE/db/bootyard.db ]] || check "setup" by host add aa:bb:cc:00:00:01 --hostname web1
	before=$(snapshot)
	# nobody runs a copy: the tree may be out of its reach (a clone in /root)
	cp "$BOOTYARD" "$TEST_TMP/bootyard-nobody" || fail "cannot copy $BOOTYARD"
	chmod 755 "$TEST_TMP/bootyard-nobody"
	nob() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$TEST_TMP/bootyard-nobody" -c "$CONF" "$@"; }
	expect_msg 3 "permission denied" nob host add aa:bb:cc:00:00:09
	expect_msg 3 "permission denied" nob host set web1 --ip 198.18.0.9
	expect_msg 3 "permission denied" nob distro add d3 --kernel k --initrd i
	read_or_clear nob
	expect_eq "$(snapshot)" "$before" "nothing changed"
	# no database and an unwritable directory: clear error, no file
	rm -f "$STATE"/db/bootyard.db*
	expect_msg 3 "cannot write the database" nob host add aa:bb:cc:00:00:09
	[[ ! -e $STATE/db/bootyard.db ]] || fail "nobody created the database"
fi

# a damaged database, or one from a newer bootyard: exit 3, not a crash
rm -f "$STATE"/db/bootyard.db*
check "setup" by host add aa:bb:cc:00:00:01
sqlite3 "$STATE/db/bootyard.db" 'PRAGMA user_version = 99' || fail "sqlite3"
expect_msg 3 "was made by a newer bootyard" by host list
expect_msg 3 "was made by a newer bootyard" by host add aa:bb:cc:00:00:02
rm -f "$STATE"/db/bootyard.db*
echo "not a database, just text" >"$STATE/db/bootyard.db"
expect_msg 3 "is not a bootyard database" by host list
expect_msg 3 "is not a bootyard database" by host add aa:bb:cc:00:00:02
expect_eq "$(cat "$STATE/db/bootyard.db")" "not a database, just text" \
	"the damaged file is left alone"

done_checks
