#!/usr/bin/env bash
# fault_supervisor - the supervisor under faults:
#  - dnsmasq dying in a loop (a wrapper that exits at once once told to):
#    restarted with a growing, bounded delay, a few log lines per restart
#    (no flood), a "dnsmasq-exit" event per death in `bootyard events`; a
#    SIGHUP once dnsmasq can run again brings it back at once;
#  - SIGHUP with a config file that does not parse: refused, the error
#    names file:line, HTTP still answers and dnsmasq (same pid) still
#    hands out addresses;
#  - serve killed with SIGKILL 10 times (the supervisor alone, or the
#    whole process group as systemd's KillMode=control-group does) while
#    the admin API adds hosts and boot requests are answered: serve starts
#    again every time with exactly one dnsmasq (the killed supervisor's
#    dnsmasq, which outlives it, is stopped first), none is left at the
#    end, the database passes integrity_check and every host the API
#    acknowledged (2xx) is in it.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/integration/dhcp_lab.bash"

command -v sqlite3 >/dev/null || skip "sqlite3 is not installed"
command -v setsid >/dev/null || skip "setsid (util-linux) is not installed"
lab_up
DNSMASQ=$(command -v dnsmasq)
ADMIN_PORT=$((HTTP_PORT + 1))
TOKEN=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
echo "$TOKEN" >"$TEST_TMP/admin.token"
chmod 600 "$TEST_TMP/admin.token"
CRASH=$TEST_TMP/crash
cat >"$TEST_TMP/dnsmasq-wrap" <<EOF
#!/bin/sh
# dnsmasq, or (once $CRASH exists) a dnsmasq that dies at once
for a in "\$@"; do [ "\$a" = --test ] && exec $DNSMASQ "\$@"; done
if [ -e $CRASH ]; then
	echo "dnsmasq-wrap: simulated crash" >&2
	exit 1
fi
exec $DNSMASQ "\$@"
EOF
chmod 755 "$TEST_TMP/dnsmasq-wrap"
config() {
	lab_config admin.listen="127.0.0.1:$ADMIN_PORT" "$@"
	printf '[dhcp]\ndnsmasq = %s\n[admin]\ntoken_file = %s\n' \
		"$TEST_TMP/dnsmasq-wrap" "$TEST_TMP/admin.token" >>"$CONF"
}
config
DB=$STATE/db/bootyard.db
boot() { ip netns exec "$NS_A" curl -sS --max-time 5 "http://127.0.0.1:$HTTP_PORT/ipxe/v1/boot"; }

# ---- dnsmasq dying in a loop
appliance_start
# past the start (dnsmasq dying in its first half second fails the start)
wait_for 5 grep -q '^bootyard: serving:' "$TEST_TMP/serve.log" || fail "serve is not ready"
pid=$(status_get dnsmasq_pid)
touch "$CRASH"
mark=$(wc -l <"$TEST_TMP/serve.log")
kill -KILL "$pid"
sleep 5
log=$(tail -n +"$((mark + 1))" "$TEST_TMP/serve.log")
restarts=$(grep -c 'restart [0-9]* in [0-9]* ms' <<<"$log")
((restarts >= 3 && restarts <= 6)) ||
	fail "dnsmasq dying for 5 s: $restarts restarts (want 3..6: 200 ms, doubling): $log"
ok "dnsmasq dying in a loop: $restarts restarts in 5 s"
delays=$(grep -o 'restart [0-9]* in [0-9]* ms' <<<"$log" | awk '{ print $4 }' | tr '\n' ' ')
awk -v d="$delays" 'BEGIN { n = split(d, a, " "); for (i = 2; i <= n; i++) if (a[i] + 0 <= a[i - 1] + 0) exit 1 }' ||
	fail "the restart delays do not grow: $delays"
ok "the restart delay grows: $delays ms"
lines=$(wc -l <<<"$log")
((lines <= restarts * 4 + 2)) || fail "$lines log lines for $restarts restarts: $log"
ok "no log flood: $lines lines for $restarts restarts"
events=$("$BOOTYARD" -c "$CONF" events 2>&1)
n=$(grep -c 'dnsmasq-exit' <<<"$events")
((n >= restarts)) || fail "$n dnsmasq-exit events for $restarts deaths: $(tail -n 5 <<<"$events")"
ok "each death is an event ($n dnsmasq-exit events)"
expect_contains "$(boot)" "#!ipxe" "HTTP answers while dnsmasq dies"
rm -f "$CRASH"
kill -HUP "$SERVE_PID"
wait_for 5 bash -c "[[ \$('$BOOTYARD' -c '$CONF' status | awk '\$1 == \"dnsmasq_pid\" { print \$2 }') -gt 0 ]]" ||
	fail "dnsmasq did not come back on SIGHUP"
sleep 1
dpid=$(status_get dnsmasq_pid)
kill -0 "$dpid" 2>/dev/null || fail "dnsmasq $dpid is not running after SIGHUP"
ok "SIGHUP brings dnsmasq back at once (pid $dpid)"

# ---- SIGHUP with a broken config file
cp "$CONF" "$CONF.good"
printf '[dhcp\nmode = proxy\n' >>"$CONF"
line=$(grep -n '^\[dhcp$' "$CONF" | cut -d: -f1)
mark=$(wc -l <"$TEST_TMP/serve.log")
kill -HUP "$SERVE_PID"
wait_for 5 bash -c "tail -n +$((mark + 1)) '$TEST_TMP/serve.log' | grep -q 'reload refused'" ||
	fail "a broken config was not refused: $(tail -n 5 "$TEST_TMP/serve.log")"
expect_contains "$(tail -n +$((mark + 1)) "$TEST_TMP/serve.log" | grep 'reload refused')" "$CONF:$line" \
	"the refusal names file:line"
kill -0 "$SERVE_PID" || fail "serve died on a broken config"
cp "$CONF.good" "$CONF" # (for `bootyard status`; serve keeps what it runs)
expect_contains "$(boot)" "#!ipxe" "HTTP still answers with the old config"
expect_eq "$(status_get dnsmasq_pid)" "$dpid" "dnsmasq keeps running (same pid)"
ack=$(probe -m 52:54:00:d0:00:01 -a 0 -r -w 100 | grep -m1 '^ACK')
[[ $(field yiaddr "$ack") == 198.18.0.* ]] || fail "no lease with the old config: $ack"
ok "dnsmasq still hands out addresses"
kill -TERM "$SERVE_PID"
wait "$SERVE_PID"
expect_eq "$?" 0 "SIGTERM: exit 0"

# ---- SIGKILL, 10 times, while the admin API writes and boots are answered
ACKED=$TEST_TMP/acked
: >"$ACKED"
ip netns exec "$NS_A" bash -c '
	i=0
	while [[ ! -e '"$TEST_TMP/stop"' ]]; do
		i=$((i + 1))
		mac=$(printf "52:54:00:e0:%02x:%02x" $((i / 256 % 256)) $((i % 256)))
		code=$(curl -s -o /dev/null -w "%{http_code}" --max-time 3 \
			-H "Authorization: Bearer '"$TOKEN"'" -H "Content-Type: application/json" \
			-X POST --data "{\"mac\":\"$mac\",\"hostname\":\"k$i\"}" \
			http://127.0.0.1:'"$ADMIN_PORT"'/api/v1/hosts)
		[[ $code == 2* ]] && echo "$mac" >>'"$ACKED"'
		[[ $code == 000 ]] && sleep 0.02
	done' &
writer=$!
ip netns exec "$NS_A" bash -c '
	while [[ ! -e '"$TEST_TMP/stop"' ]]; do
		curl -s -o /dev/null -w "%{http_code}\n" --max-time 3 \
			"http://127.0.0.1:'"$HTTP_PORT"'/ipxe/v1/config?mac=52:54:00:e1:00:0$((RANDOM % 8))"
		sleep 0.01
	done' >"$TEST_TMP/boots" &
booter=$!
on_exit "touch '$TEST_TMP/stop'; wait $writer $booter 2>/dev/null"
# dnsmasq_count: the dnsmasq processes on this test's config (not counting
# each one's helper child, which has the same command line)
DM_ARG=--conf-file=$STATE/run/dnsmasq.conf
dnsmasq_pids() {
	local p
	for p in $(pgrep -f -- "$DM_ARG"); do
		grep -qsF -- "$DM_ARG" "/proc/$(ps -o ppid= -p "$p" | tr -d ' ')/cmdline" || echo "$p"
	done
}
on_exit 'for p in $(dnsmasq_pids); do kill $p; done'
kills=0
for round in $(seq 1 10); do
	# its own process group: "the whole group" is serve and its children
	ns_bg "$NS_A" SERVE_PID setsid "$BOOTYARD" -c "$CONF" serve 2>>"$TEST_TMP/serve.log"
	wait_for 15 bash -c "ip netns exec '$NS_A' curl -sf -o /dev/null -H 'Authorization: Bearer $TOKEN' http://127.0.0.1:$ADMIN_PORT/api/v1/hosts?limit=1" ||
		fail "round $round: serve did not come back after a SIGKILL: $(tail -n 15 "$TEST_TMP/serve.log")"
	wait_for 10 bash -c "[[ \$('$BOOTYARD' -c '$CONF' status | awk '\$1 == \"dnsmasq_pid\" { print \$2 }') -gt 0 ]]" ||
		fail "round $round: no dnsmasq: $(tail -n 15 "$TEST_TMP/serve.log")"
	n=$(dnsmasq_pids | wc -l)
	((n == 1)) || fail "round $round: $n dnsmasq processes on $DM_ARG (an earlier serve's is left running): $(dnsmasq_pids | tr '\n' ' ')"
	sleep "0.$((3 + RANDOM % 6))"
	if ((round % 2)); then
		kill -KILL "$SERVE_PID"
	else
		kill -KILL -- "-$SERVE_PID"
	fi
	wait "$SERVE_PID" 2>/dev/null
	kills=$((kills + 1))
done
ok "serve came back after each of $kills SIGKILLs (5 of the supervisor alone, 5 of its group), with one dnsmasq each time"
ns_bg "$NS_A" SERVE_PID "$BOOTYARD" -c "$CONF" serve 2>>"$TEST_TMP/serve.log"
wait_for 15 bash -c "ip netns exec '$NS_A' curl -sf -o /dev/null -H 'Authorization: Bearer $TOKEN' http://127.0.0.1:$ADMIN_PORT/api/v1/hosts?limit=1" ||
	fail "serve did not come back after the last SIGKILL"
touch "$TEST_TMP/stop"
wait "$writer" "$booter"
kill -TERM "$SERVE_PID"
wait "$SERVE_PID"
expect_eq "$?" 0 "the last serve stops with exit 0"
expect_eq "$(dnsmasq_pids | wc -l)" 0 "no dnsmasq is left running"
expect_eq "$(sqlite3 "$DB" 'PRAGMA integrity_check')" ok "the database passes integrity_check"
acked=$(sort -u "$ACKED" | wc -l)
((acked >= 20)) || fail "only $acked writes were acknowledged"
stored=$(sqlite3 "$DB" 'SELECT mac FROM host_macs' | sort -u)
lost=$(sort -u "$ACKED" | comm -23 - <(echo "$stored"))
[[ -z $lost ]] || fail "$(wc -l <<<"$lost") acknowledged hosts lost: $(head -n 5 <<<"$lost")"
ok "all $acked acknowledged hosts are in the database"
answered=$(grep -c '^200$' "$TEST_TMP/boots")
((answered > 0)) || fail "no boot request was answered"
ok "$answered boot requests answered meanwhile"
done_checks
