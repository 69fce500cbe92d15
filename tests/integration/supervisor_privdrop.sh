#!/usr/bin/env bash
# supervisor_privdrop - least privilege: with [appliance] user = nobody the
# HTTP child runs as nobody (after binding), dnsmasq drops to nobody, the
# lease hook (dhcp-scriptuser) still records leases in the database the
# supervisor handed over, and the supervisor itself stays root.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/integration/dhcp_lab.bash"

getent passwd nobody >/dev/null || skip "no user nobody"
lab_up
lab_config appliance.user=nobody
appliance_start
user_of() { ps -o user= -p "$1" | tr -d ' '; }
expect_eq "$(user_of "$SERVE_PID")" root "the supervisor stays root"
expect_eq "$(user_of "$(status_get http_pid)")" nobody "the HTTP service runs as nobody"
expect_eq "$(user_of "$(status_get dnsmasq_pid)")" nobody "dnsmasq runs as nobody"
body=$(ip netns exec "$NS_A" curl -sS --max-time 5 "http://198.18.0.1:$HTTP_PORT/ipxe/v1/boot")
expect_contains "$body" "#!ipxe" "HTTP answers after the drop"
M=52:54:00:f0:00:01
ack=$(probe -m "$M" -a 9 -r -w 100 | grep -m1 '^ACK')
[[ -n $ack ]] || fail "no lease"
wait_for 5 bash -c "'$BOOTYARD' -c '$CONF' leases | grep -q '^$M .* 9 '" ||
	fail "the hook (as nobody) did not record the lease: $("$BOOTYARD" -c "$CONF" leases)"
ok "the lease hook records as nobody"
kill -TERM "$SERVE_PID"
wait "$SERVE_PID"
expect_eq "$?" 0 "SIGTERM: exit 0"
done_checks
