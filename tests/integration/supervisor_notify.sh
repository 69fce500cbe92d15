#!/usr/bin/env bash
# supervisor_notify - the systemd unit is Type=notify: `bootyard serve`
# says READY=1 once dnsmasq runs and HTTP listens, RELOADING=1 and READY=1
# around a SIGHUP reload, STOPPING=1 on SIGTERM, on the socket named in
# $NOTIFY_SOCKET (here a real AF_UNIX datagram socket of the test's own,
# read by python3, as systemd's would be).
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/integration/dhcp_lab.bash"

command -v python3 >/dev/null || skip "python3 is not installed"
lab_up
lab_config
sock=$TEST_TMP/notify.sock
msgs=$TEST_TMP/notify.log
python3 -u - "$sock" >"$msgs" 2>&1 <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(60)
try:
    while True:
        print(s.recv(4096).decode().strip(), flush=True)
except socket.timeout:
    pass
PY
rx=$!
on_exit "kill $rx 2>/dev/null"
wait_for 5 test -S "$sock" || fail "the notify socket was not created"

NOTIFY_SOCKET=$sock appliance_start
wait_for 10 grep -qx READY=1 "$msgs" || fail "no READY=1 after start: $(cat "$msgs")"
ok "READY=1 once dnsmasq runs"
grep -q "serving:" "$TEST_TMP/serve.log" || fail "READY=1 came before serve said it was serving"
ok "READY=1 after the serving line"
kill -HUP "$SERVE_PID"
wait_for 10 bash -c "[[ \$(grep -c . '$msgs') -ge 3 ]]" || fail "no messages for the reload: $(cat "$msgs")"
expect_eq "$(sed -n 2,3p "$msgs" | tr '\n' ' ')" "RELOADING=1 READY=1 " "RELOADING=1 then READY=1 around SIGHUP"
kill -TERM "$SERVE_PID"
wait "$SERVE_PID"
expect_eq "$?" 0 "SIGTERM: exit 0"
expect_eq "$(tail -n1 "$msgs")" "STOPPING=1" "STOPPING=1 on SIGTERM"
done_checks
