#!/usr/bin/env bash
# The boot path never waits on the database (issue #16, defect 8): while
# another process (the sqlite3 CLI) holds the write lock for 5 s, config
# requests that need a write (a host flagged for install: a token must be
# issued), config requests that only read, /ipxe/v1/boot on the same
# worker and /ipxe/v1/done are each answered in well under 0.5 s: reads
# as usual, writes that cannot be made with 503 (the boot script fetches
# again, then boots the local disk), counted in bootyard_db_busy_total.
# Once the lock is gone the install is served. One worker thread, so that
# a request stuck on the lock would hold up every other one.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/integration/http_lib.bash"

command -v sqlite3 >/dev/null || skip "sqlite3 (the CLI) is not installed"
HTTP_EXTRA_HTTP="threads = 1" HTTP_EXTRA_BOOT="install_attempts = 100" http_start

head -c 1000 /dev/urandom >"$STATE/files/debian12/linux"
cp "$STATE/files/debian12/linux" "$STATE/files/debian12/initrd.gz"
check "distro add" "$BOOTYARD" -c "$CONF" distro add debian12 --kernel debian12/linux --initrd debian12/initrd.gz
MI=52:54:00:d8:00:01 ML=52:54:00:d8:00:02
api_expect 201 "host flagged for install" POST /api/v1/hosts "{\"mac\":\"$MI\",\"action\":\"install\",\"distro\":\"debian12\"}"
api_expect 201 "host booting locally" POST /api/v1/hosts "{\"mac\":\"$ML\",\"action\":\"local\"}"
out=$(curl -s "$BOOT/ipxe/v1/config?mac=$MI&platform=efi")
expect_contains "$out" "install reason=flagged" "without a lock the install is served"
token=$(grep -o 'bootyard.token=[0-9a-f]*' <<<"$out" | cut -d= -f2)

# timed URL [BODYFILE]: "STATUS SECONDS" of one request, body in
# BODYFILE ($TEST_TMP/body)
timed() {
	curl -s -o "${2:-$TEST_TMP/body}" -w '%{http_code} %{time_total}' --max-time 15 "$1"
}
# fast DESC "STATUS SECONDS" WANT_STATUS: answered with WANT_STATUS in < 0.5 s
fast() {
	local st=${2% *} t=${2#* }
	[[ $st == "$3" ]] || fail "$1: status $st, want $3 ($(head -c 200 "$TEST_TMP/body"))"
	awk -v t="$t" 'BEGIN { exit !(t < 0.5) }' || fail "$1: took $t s while the database was locked"
	ok "$1: $st in $t s"
}

# the write lock, held for 5 s by another process
( sqlite3 "$STATE/db/bootyard.db" >"$TEST_TMP/lock.out" 2>&1 <<'SQL'
.timeout 5000
BEGIN IMMEDIATE;
.print locked
.shell sleep 5
COMMIT;
SQL
) &
lock=$!
on_exit "kill $lock 2>/dev/null || true"
for _ in $(seq 1 50); do grep -q locked "$TEST_TMP/lock.out" && break; sleep 0.1; done
grep -q locked "$TEST_TMP/lock.out" || fail "sqlite3 did not take the lock: $(cat "$TEST_TMP/lock.out")"
ok "another process holds the write lock"

# the install needs a write: answered at once with 503, and while it is
# being answered /ipxe/v1/boot on the same worker is not held up
timed "$BOOT/ipxe/v1/config?mac=$MI&platform=efi" "$TEST_TMP/c1.body" >"$TEST_TMP/c1" &
c1=$!
sleep 0.02
r=$(timed "$BOOT/ipxe/v1/boot")
fast "/ipxe/v1/boot during a locked install" "$r" 200
wait "$c1"
r=$(cat "$TEST_TMP/c1")
fast "config of a flagged host, database locked" "$r" 503
expect_contains "$(cat "$TEST_TMP/c1.body")" "database busy" "the answer says the database is busy"
r=$(timed "$BOOT/ipxe/v1/config?mac=$MI&platform=pcbios")
fast "config of a flagged host again" "$r" 503
r=$(timed "$BOOT/ipxe/v1/config?mac=$ML&platform=efi")
fast "config of a local host (read only)" "$r" 200
expect_contains "$(cat "$TEST_TMP/body")" "local reason=host-local" "the local host boots locally"
r=$(timed "$BOOT/ipxe/v1/config?mac=52:54:00:d8:00:99&platform=efi")
fast "config of an unknown MAC" "$r" 200
r=$(timed "$BOOT/ipxe/v1/done?token=$token")
fast "done while the database is locked" "$r" 503
r=$(timed "$BOOT/ipxe/v1/boot")
fast "/ipxe/v1/boot" "$r" 200
kill -0 "$lock" 2>/dev/null || fail "the lock ended before the checks did: timing invalid"
ok "every request above ran while the lock was held"

api GET /metrics
n=$(grep -o '^bootyard_db_busy_total [0-9]*' <<<"$body" | cut -d' ' -f2)
[[ -n $n && $n -ge 3 ]] || fail "bootyard_db_busy_total is '${n:-missing}', want >= 3"
ok "bootyard_db_busy_total counts the busy answers ($n)"

wait "$lock"
r=$(timed "$BOOT/ipxe/v1/config?mac=$MI&platform=efi")
expect_eq "${r% *}" 200 "after the lock the flagged host is answered"
expect_contains "$(cat "$TEST_TMP/body")" "install reason=flagged" "and installs"
check "server alive" server_alive
http_stop_checked
done_checks
