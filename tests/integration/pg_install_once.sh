#!/usr/bin/env bash
# Install exactly once across appliances: two `bootyard serve` HTTP
# services (two processes, two state directories) on one private
# PostgreSQL 15 (tests/lib/pg.sh), loopback only. The same flagged host is
# asked for its config on both at the same instant, ROUNDS (1000) times:
# every token handed out is distinct (one per attempt spent, checked
# against the database), and of the round's tokens, done on both
# appliances at the same instant, exactly one is accepted: never two
# installs. Also: a host added through A is answered by B.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/lib/pg.sh"
source "$TOP/tests/integration/http_lib.bash"

pg_require
ROUNDS=${PG_RACE_ROUNDS:-1000}
pg_two_appliances "install_attempts = 2"

check "distro add (through A's CLI)" "$BOOTYARD" -c "$A_CONF" distro add debian12 \
	--kernel debian12/linux --initrd debian12/initrd.gz --cmdline "auto=true"
M=52:54:00:00:21:01
check "host add (through A's CLI)" "$BOOTYARD" -c "$A_CONF" host add $M --hostname race1
out=$(curl -s "$B_BOOT/ipxe/v1/config?mac=$M&platform=pcbios")
expect_contains "$out" "local reason=host-local" "a host added through A is answered by B"


t0=$SECONDS
out=$(python3 "$TOP/tests/integration/pg_race.py" "$ROUNDS" "$M" "$A_BOOT" "$B_BOOT" "$A_ADMIN" "$TOKEN" "$DB_URL") ||
	fail "install-once race: $out"
echo "$out ($((SECONDS - t0)) s)"
ok "$ROUNDS rounds: no token twice, one attempt spent per token, exactly one done per round"
done_db=$(pg_psql bootyard -At -c "SELECT count(*) FROM events WHERE mac = '$M' AND kind = 'done'")
expect_eq "$done_db" "$ROUNDS" "exactly one done event per round"
# PostgreSQL goes away and comes back: the appliances reconnect by
# themselves, no restart of bootyard
pg_down || fail "pg_down"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$A_BOOT/ipxe/v1/config?mac=$M&platform=pcbios")
echo "config while PostgreSQL is down: HTTP $code"
kill -0 "$A_PID" || fail "appliance A died with PostgreSQL down"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$A_ADMIN/healthz")" 503 "/healthz says the database is down"
out=$(curl -s --max-time 10 -H "Authorization: Bearer $TOKEN" "$A_ADMIN/metrics")
expect_contains "$out" "bootyard_database_up 0" "metrics say the database is down"
pg_up || fail "pg_up"
t0=$(date +%s%N)
for i in $(seq 1 100); do
	out=$(curl -s --max-time 10 "$B_BOOT/ipxe/v1/config?mac=$M&platform=pcbios")
	[[ $out == *"local reason=host-local"* ]] && break
	sleep 0.1
done
[[ $out == *"local reason=host-local"* ]] || { tail -n 30 "$TEST_TMP/B.log" >&2; pg_psql bootyard -c "SELECT id, action, attempts, token, updated FROM hosts" -c "SELECT ts_ms, kind, detail FROM events WHERE mac = '$M' AND kind <> 'config' ORDER BY ts_ms DESC LIMIT 8" >&2; }
expect_contains "$out" "local reason=host-local" "B answers from PostgreSQL again after its restart"
echo "B answered $(( ($(date +%s%N) - t0) / 1000000 )) ms after PostgreSQL was back"
# each HTTP worker's connection reconnects on its own, after its back-off
# (at most 1 s): A's too, within a few seconds
for i in $(seq 1 30); do
	out=$(curl -s --max-time 10 "$A_BOOT/ipxe/v1/config?mac=$M&platform=pcbios")
	[[ $out == *"local reason=host-local"* ]] && break
	sleep 0.1
done
expect_contains "$out" "local reason=host-local" "A answers again too"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$A_ADMIN/healthz")" 200 "/healthz ok again"
out=$(curl -s --max-time 10 -H "Authorization: Bearer $TOKEN" "$A_ADMIN/metrics")
expect_contains "$out" "bootyard_database_up 1" "metrics say the database is up again"
for n in A B; do
	pid=${n}_PID
	kill -0 "${!pid}" || fail "appliance $n died"
done
ok "both appliances still running"
pg_appliances_stop A B
ok "both appliances stopped cleanly (under ASan: no report)"
done_checks
