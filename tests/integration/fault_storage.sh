#!/usr/bin/env bash
# The state directory on a full file system, then read-only, then the
# database locked by another process: against a real `bootyard serve
# --dhcp=off` whose database lives on a 2 MiB tmpfs in a private mount
# namespace (nothing leaks out of it; needs root).
#
# Full or read-only: CLI writes fail with exit 3 and one clear line that
# names the cause, admin API writes get a 5xx JSON error that names it,
# boots of known hosts get their normal script and unknown MACs the menu,
# events that cannot be written are counted in
# bootyard_events_dropped_total, and the daemon keeps running. When space
# (or write access) returns, writes work again without a restart and
# PRAGMA integrity_check says ok. Locked: the CLI waits its busy timeout,
# then exits 3 with "locked", and nothing is lost.
if [[ -z ${BY_FAULT_NS:-} ]]; then
	if [[ $(id -u) != 0 ]]; then
		echo "skip: needs root (mounts a tmpfs)"
		exit 77
	fi
	if ! unshare -m --propagation private true 2>/dev/null; then
		echo "skip: unshare -m not available"
		exit 77
	fi
	BY_FAULT_NS=1 exec unshare -m --propagation private "$BASH" "$0" "$@"
fi
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/integration/http_lib.bash"
command -v sqlite3 >/dev/null || skip "sqlite3 not installed"

STATE=$TEST_TMP/state
mkdir -p "$STATE"
mount -t tmpfs -o size=2m,mode=0755 bootyard-fault "$STATE" ||
	skip "cannot mount a tmpfs"
on_exit "umount -l '$STATE'"
DB=$STATE/db/bootyard.db

KNOWN=52:54:00:fa:00:01
NEWMAC=52:54:00:fa:00:02
UNKNOWN=52:54:00:fa:00:99

http_start
by() { "$BOOTYARD" -c "$CONF" "$@"; }
check "distro add" by distro add deb12 --kernel deb12/linux --initrd deb12/initrd
check "known host" by host add "$KNOWN" --hostname known1 --action local

# the answers a healthy appliance gives, to compare with later
# (the base URL taken out: a restart by http_start picks a new port)
known_script() { curl -s --max-time 5 "$BOOT/ipxe/v1/config?mac=$KNOWN&platform=efi" | sed "s|$BOOT|BOOT|g"; }
unknown_script() { curl -s --max-time 5 "$BOOT/ipxe/v1/config?mac=$UNKNOWN&platform=efi" | sed "s|$BOOT|BOOT|g"; }
want_known=$(known_script)
expect_contains "$want_known" "#!ipxe" "known host: a script"
want_unknown=$(unknown_script)
expect_contains "$want_unknown" "menu reason=unknown-mac" "unknown MAC: the menu"

dropped() {
	curl -s --max-time 5 "$BOOT/metrics" "$ADMIN/metrics" -H "Authorization: Bearer $TOKEN" |
		awk '$1 == "bootyard_events_dropped_total" { print $2; exit }'
}

# writes_again HOST-JSON WHEN BOOTS: the admin API adds the host (201,
# "admin API write WHEN"), and the events of boots_answered BOOTS are
# written again: none dropped.
writes_again() {
	local before
	api_expect 201 "admin API write $2" POST /api/v1/hosts "$1"
	before=$(dropped)
	boots_answered "$3"
	sleep 1
	expect_eq "$(dropped)" "$before" "events written again"
}

# expect_dropped D0 WHAT: within 5 s, events that could not be written
# are counted (the counter passes D0); then ok "WHAT (D0 -> now)".
expect_dropped() {
	local i
	for i in $(seq 1 50); do
		(($(dropped) > $1)) && break
		sleep 0.1
	done
	(($(dropped) > $1)) || fail "events that could not be written not counted ($(dropped))"
	ok "$2 ($1 -> $(dropped))"
}

# expect_cli_fail TEXT CMD...: exit 3, one line, TEXT in it, no SQL
expect_cli_fail() {
	local text=$1
	shift
	expect_exit 3 "$@"
	expect_contains "$err" "$text" "clear message: $text"
	[[ $(printf '%s\n' "$err" | wc -l) == 1 ]] || fail "not one line: $err"
	[[ $err != *SQL* && $err != *sqlite* ]] || fail "SQL in the message: $err"
}

# boots_answered: known and unknown MACs get the same answers as before
boots_answered() {
	local i
	for i in 1 2 3 4 5; do
		expect_eq "$(known_script)" "$want_known" "$1: known host answered ($i)" >/dev/null
		# (its menu lists distributions added meanwhile)
		expect_contains "$(unknown_script)" "$(head -n2 <<<"$want_unknown")" \
			"$1: unknown MAC answered ($i)" >/dev/null
	done
	ok "$1: 5 boots of a known host and 5 of an unknown MAC answered"
	kill -0 "$SERVER_PID" || fail "$1: the daemon died: $(tail -n 20 "$SERVER_LOG")"
}

integrity() {
	expect_eq "$(sqlite3 "$DB" 'PRAGMA integrity_check')" ok "$1: integrity_check"
}

# write_until_fails DESC CMD...: run CMD NAME (NAME = DESC1, DESC2, ...)
# until it fails, at most 20 times. SQLite reuses space its files
# already have, so a write may still fit on a full file system; one that
# fails must exit 3 with one clear line. The names that were added are
# appended to $kept, to check that none is lost.
write_until_fails() {
	local name=$1 i rc
	shift
	for i in $(seq 1 20); do
		out=$("$@" "$name$i" 2>"$TEST_TMP/.stderr"); rc=$?
		err=$(cat "$TEST_TMP/.stderr")
		((rc == 0)) || break
		kept+=("$name$i")
	done
	((rc == 3)) || fail "$*: exit $rc, want 3 (after $((i - 1)) writes): $err"
	ok "$*: exit 3 after $((i - 1)) writes that still fitted"
}

# ---- full -----------------------------------------------------------
# fill the file system to the last block (the WAL checkpointed and
# emptied first, so that the next write needs new space)
expect_eq "$(sqlite3 -cmd '.timeout 5000' "$DB" 'PRAGMA wal_checkpoint(TRUNCATE)')" \
	"0|0|0" "WAL checkpointed and emptied"
dd if=/dev/zero of="$STATE/filler" bs=64k >/dev/null 2>&1
dd if=/dev/zero of="$STATE/filler.4k" bs=4k >/dev/null 2>&1
expect_eq "$(df --output=avail -k "$STATE" | tail -n1 | tr -d ' ')" 0 "file system full"
kept=()
hostadd() { by host add "$(printf '52:54:00:fb:00:%02x' "${1#fill}")" --hostname "$1"; }
write_until_fails fill hostadd
expect_cli_fail "database full: no space left on device" hostadd fill99
write_until_fails dfill by distro add --kernel k --initrd i
expect_cli_fail "database full: no space left on device" by distro add dfill99 --kernel k --initrd i
expect_cli_fail "database full" by host set known1 --ip 198.18.0.9
# (not mistaken for the limit of 8 MACs a host, also an ENOSPC once)
macadd() { by host mac add known1 "$(printf '52:54:00:fa:10:%02x' "${1#mac}")"; }
write_until_fails mac macadd
expect_contains "$err" "database full" "host mac add: the disk is full, not the host"

api POST /api/v1/hosts "{\"mac\":\"$NEWMAC\",\"hostname\":\"apihost\"}"
for i in 1 2 3 4 5 6 7 8 9 10; do
	[[ $status == 201 ]] || break
	kept+=(apihost)
	api POST /api/v1/hosts "{\"mac\":\"52:54:00:fc:00:0$i\",\"hostname\":\"apihost$i\"}"
done
expect_eq "$status" 503 "admin API write on a full disk: 503"
expect_contains "$body" '"error":"database full: no space left on device"' "admin API: the reason in JSON"

d0=$(dropped)
boots_answered "full"
# the config events of those boots cannot be written: counted, not fatal
expect_dropped "$d0" "events not written counted in bootyard_events_dropped_total"
server_alive || fail "daemon not answering"
ok "daemon still runs"

# space returns: writes work again, without a restart
rm -f "$STATE"/filler*
check "CLI write after space returned" by host add "$NEWMAC" --hostname new1
writes_again '{"mac":"52:54:00:fc:00:ff","hostname":"apiback"}' \
	"after space returned" "space back"
api GET "/api/v1/events?mac=$KNOWN"
expect_contains "$body" '"kind":"config"' "boot events recorded again"
integrity "after full"
for n in "${kept[@]}"; do
	by host show "$n" >/dev/null 2>&1 || by distro show "$n" >/dev/null 2>&1 ||
		fail "$n was acknowledged on the full disk, then lost"
done
ok "all ${#kept[@]} writes acknowledged on the full disk are kept"

# ---- read-only -----------------------------------------------------
# The kernel refuses to make a mount read-only while a process has a file
# on it open for writing (the running daemon's database), as `mount -o
# remount,ro` would: a read-only bind mount on top of the state directory
# is read-only for every file opened after it, the way a file system
# found read-only at boot is. First the CLI, with the daemon running:
mount --bind "$STATE" "$STATE" && mount -o remount,bind,ro "$STATE" ||
	fail "read-only bind mount"
on_exit "umount -l '$STATE' 2>/dev/null"
expect_cli_fail "database read-only" by host add 52:54:00:fa:00:03 --hostname ro1
expect_cli_fail "read-only" by distro add ro1 --kernel k --initrd i
expect_cli_fail "read-only" by host set known1 --ip 198.18.0.9
boots_answered "read-only, running daemon"

# then the daemon (re)started on the read-only database
http_stop_checked
http_serve # fails, with the log, when serve does not start read-only
expect_contains "$(cat "$SERVER_LOG")" "read-only: boots are answered" "serve says the database is read-only"
boots_answered "read-only"
api_expect 503 "admin API write on a read-only database: 503" POST /api/v1/hosts '{"mac":"52:54:00:fc:01:01","hostname":"apiro"}'
expect_contains "$body" '"error":"database read-only' "admin API: the reason in JSON"
api_expect 503 "admin API change on a read-only database: 503" PATCH /api/v1/hosts/known1 '{"ip":"198.18.0.10"}'
d0=$(dropped)
boots_answered "read-only, events"
expect_dropped "$d0" "events not written counted"

# writable again: the CLI writes at once; the daemon, whose connections
# SQLite opened read-only (and shares their -shm mapping with any new
# one in the process), after a restart
mount -o remount,bind,rw "$STATE" || fail "remount read-write"
check "CLI write when writable again" by host add 52:54:00:fa:00:03 --hostname ro1
http_stop_checked
http_serve
[[ $(cat "$SERVER_LOG") != *read-only* ]] || fail "still read-only: $(cat "$SERVER_LOG")"
writes_again '{"mac":"52:54:00:fc:01:01","hostname":"apiro"}' \
	"when writable again" "writable again"
http_stop_checked
integrity "after read-only"

# ---- locked ------------------------------------------------------------
# another process holds the write lock: the CLI waits its busy timeout,
# then fails clearly; reads go on (WAL); nothing is lost
http_start
check "a second MAC" by host mac add known1 52:54:00:fa:20:01
before=$(by --json host list)
python3 - "$DB" "$TEST_TMP/locked" <<'EOF' &
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN EXCLUSIVE")
c.execute("INSERT INTO events (ts_ms, mac, kind, detail) VALUES (0, '', 'config', 'held')")
open(sys.argv[2], "w").close()
time.sleep(60)
EOF
HOLDER=$!
on_exit "kill $HOLDER 2>/dev/null"
for i in $(seq 1 50); do
	[[ -e $TEST_TMP/locked ]] && break
	sleep 0.1
done
[[ -e $TEST_TMP/locked ]] || fail "the lock holder did not start"
t0=$SECONDS
expect_cli_fail "database is locked" by distro rm deb12
waited=$((SECONDS - t0))
((waited >= 2 && waited <= 30)) || fail "the CLI waited ${waited}s, not its busy timeout"
ok "the CLI waited its busy timeout (${waited}s) before giving up"
# (not mistaken for "the host's last MAC", also an EBUSY once)
expect_cli_fail "database is locked" by host mac rm known1 52:54:00:fa:20:01
by host list >/dev/null || fail "host list while locked"
ok "reads go on while it is locked"
boots_answered "locked"
kill "$HOLDER"
wait "$HOLDER" 2>/dev/null
expect_eq "$(by --json host list)" "$before" "nothing changed, nothing lost"
check "the same writes once the lock is gone" by distro rm deb12
check "the same writes once the lock is gone" by host mac rm known1 52:54:00:fa:20:01
http_stop_checked
integrity "after locked"

done_checks
