#!/usr/bin/env bash
# Load and robustness: 1,000 concurrent config requests for mixed MACs
# (known local hosts, known menu hosts, unknown MACs), all opened before
# any is sent, every answer checked; then 1,000 idle half-open
# connections (slowloris) while a real client still gets its script
# quickly. Runs with max_connections = 4096 and threads = 4; all its
# clients come from 127.0.0.1, so the per-address limit is lifted
# (http_slowloris.sh tests that limit), and so is the one on new unknown
# MACs (http_bounded.sh).
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/integration/http_lib.bash"

HTTP_EXTRA_BOOT="unknown_rate = 1000" HTTP_EXTRA_HTTP=$'max_connections = 4096\nthreads = 4\nconnection_timeout = 30\nheader_timeout = 30\nconnections_per_address = 4096' http_start

# 100 hosts: even ones boot locally, odd ones get the menu.
{
	for i in $(seq 0 99); do
		mac=$(printf '52:54:00:bb:%02x:%02x' $((i / 256)) $((i % 256)))
		if ((i % 2)); then a=menu; else a=local; fi
		printf '{"mac":"%s","action":"%s"}\n' "$mac" "$a"
	done
} >"$TEST_TMP/hosts.jsonl"
while read -r j; do
	api POST /api/v1/hosts "$j"
	[[ $status == 201 ]] || fail "seed host: $status $body"
done <"$TEST_TMP/hosts.jsonl"
ok "100 hosts seeded through the API"
{
	for i in $(seq 0 99); do
		mac=$(printf '52:54:00:bb:%02x:%02x' $((i / 256)) $((i % 256)))
		if ((i % 2)); then echo "$mac menu reason=host-menu"; else echo "$mac local reason=host-local"; fi
		printf '52:54:00:cc:%02x:%02x menu reason=unknown-mac\n' $((i / 256)) $((i % 256))
	done
} >"$TEST_TMP/macs.txt"

t0=$SECONDS
out=$(timeout 120 python3 "$TOP/tests/integration/http_client.py" concurrent 127.0.0.1 "$BOOT_PORT" 1000 "$TEST_TMP/macs.txt")
expect_eq "$out" "ok 1000" "1,000 concurrent config requests answered correctly"
echo "concurrent run took $((SECONDS - t0)) s"
check "server alive after the burst" server_alive
api GET /api/v1/events?mac=52:54:00:cc:00:05
expect_contains "$body" '"kind":"config"' "burst requests recorded as events"
api GET /metrics
expect_contains "$body" "bootyard_events_dropped_total 0" "no event dropped in a 1,000-request burst"

# slowloris: 1,000 idle connections held for 8 s
python3 "$TOP/tests/integration/http_client.py" slowloris 127.0.0.1 "$BOOT_PORT" 1000 8 >"$TEST_TMP/slow.out" 2>&1 &
slow=$!
on_exit "kill $slow 2>/dev/null || true"
for i in $(seq 1 100); do
	grep -q opened "$TEST_TMP/slow.out" && break
	sleep 0.1
done
expect_contains "$(cat "$TEST_TMP/slow.out")" "opened 1000" "1,000 idle connections open"
t=$(curl -s -o "$TEST_TMP/real" -w '%{time_total}' --max-time 5 "$BOOT/ipxe/v1/config?mac=52:54:00:bb:00:00&platform=pcbios")
expect_contains "$(cat "$TEST_TMP/real")" "local reason=host-local" "a real client is answered during the slowloris"
awk -v t="$t" 'BEGIN { exit !(t < 2.0) }' || fail "real client took $t s"
ok "real client answered in $t s"
wait "$slow"
check "server alive after the slowloris" server_alive
done_checks
