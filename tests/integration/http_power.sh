#!/usr/bin/env bash
# The power endpoints of the admin API (docs/power.md) against a real
# `bootyard serve --dhcp=off` on loopback, without a BMC: hostile
# settings refused (422) and nothing stored, the password never in an
# answer, a host without a power method refused, a BMC that does not
# answer (a closed loopback port) a 504 within the timeout with an event,
# and a reinstall whose power action failed leaves the host as it was.
# tests/e2e/power.sh drives a real BMC simulator and VM.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/integration/http_lib.bash"

command -v ipmitool >/dev/null || skip "no ipmitool (make deps)"
http_start
by() { "$BOOTYARD" -c "$CONF" "$@"; }
mkdir -p "$STATE/files/d"
: >"$STATE/files/d/k"
: >"$STATE/files/d/i"
check "distro add" by distro add d1 --kernel d/k --initrd d/i
check "host add" by host add 52:54:00:77:00:01 --hostname pw1 --distro d1

api GET /api/v1/hosts/pw1
expect_contains "$body" '"power":{"method":"none"' "a new host has no power method"
expect_contains "$body" '"password_set":false' "and no password"

PW=Sx$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')
for bad in '{"method":"ipmi","bmc":"1.2.3.4;reboot","user":"admin","password":"p"}' \
	'{"method":"ipmi","bmc":"1.2.3.4:0","user":"admin","password":"p"}' \
	'{"method":"ipmi","bmc":"$(reboot)","user":"admin","password":"p"}' \
	'{"method":"ipmi","bmc":"1.2.3.4","user":"-E","password":"p"}' \
	'{"method":"ipmi","bmc":"1.2.3.4","user":"ad min","password":"p"}' \
	'{"method":"ipmi","bmc":"1.2.3.4","user":"admin","password":"a\nb"}' \
		'{"method":"ipmi","bmc":"1.2.3.4","user":"admin","password":"123456789012345678901"}' \
	'{"method":"ipmi","bmc":"1.2.3.4","user":"admin","password":1}' \
	'{"method":"redfish","bmc":"1.2.3.4","user":"admin","password":"p"}' \
	'{"method":"wol","bmc":"1.2.3.4"}' \
	'{"method":"ipmi","bmc":"1.2.3.4","user":"admin","password":"p","cmd":"x"}' \
	'["ipmi"]'; do
	api_expect 422 "refused: $bad" PUT /api/v1/hosts/pw1/power "$bad"
done
api_expect 400 "malformed JSON" PUT /api/v1/hosts/pw1/power '{"method":'
api_expect 400 "a NUL in a string: refused by the parser" PUT /api/v1/hosts/pw1/power '{"method":"ipmi","bmc":"1.2.3.4","user":"admin","password":"a\u0000b"}'
api GET /api/v1/hosts/pw1/power
expect_contains "$body" '"method":"none"' "nothing was stored by the refused requests"

# a BMC on a closed loopback port: no answer
port=$(free_port)
api_expect 200 "ipmi settings stored" PUT /api/v1/hosts/pw1/power "{\"method\":\"ipmi\",\"bmc\":\"127.0.0.1:$port\",\"user\":\"admin\",\"password\":\"$PW\"}"
expect_contains "$body" '"password_set":true' "the answer says a password is set"
[[ $body != *"$PW"* ]] || fail "the answer holds the password"
ok "the answer does not hold the password"
api GET /api/v1/hosts/pw1
[[ $body != *"$PW"* ]] || fail "the host's JSON holds the password"
ok "the host's JSON does not hold the password"

for bad in '{"action":"bogus"}' '{"action":"status","x":1}' '{"action":1}' '{}' \
	'{"action":"bootdev-pxe"}'; do
	api_expect 422 "refused action: $bad" POST /api/v1/hosts/pw1/power "$bad"
done

s=$SECONDS
api_expect 504 "reinstall with a mute BMC: 504" POST /api/v1/hosts/pw1/reinstall '{"power_cycle":true}'
((SECONDS - s <= 15)) || fail "the error took $((SECONDS - s)) s"
ok "the error came within the timeout ($((SECONDS - s)) s)"
expect_contains "$body" "no answer within the timeout" "the error says why"
expect_contains "$body" "install flag was cleared" "and that the flag was cleared"
expect_contains "$(by --json host show pw1)" '"action": "local"' "the host is not left flagged for install"
api GET "/api/v1/events?mac=52:54:00:77:00:01"
expect_contains "$body" '"kind":"power"' "the failure is an event"
[[ $body != *"$PW"* ]] || fail "an event holds the password"
ok "no event holds the password"

api_expect 200 "method none" PUT /api/v1/hosts/pw1/power '{"method":"none"}'
api_expect 422 "a host without a power method: 422" POST /api/v1/hosts/pw1/power '{"action":"status"}'
api_expect 422 "reinstall --power-cycle without a power method: 422" POST /api/v1/hosts/pw1/reinstall '{"power_cycle":true}'
expect_contains "$(by --json host show pw1)" '"action": "local"' "and the host is not left flagged"
api_expect 200 "reinstall without power_cycle as before" POST /api/v1/hosts/pw1/reinstall '{"power_cycle":false}'
api_expect 422 "power_cycle must be a boolean" POST /api/v1/hosts/pw1/reinstall '{"power_cycle":"yes"}'

grep -qF -- "$PW" "$TEST_TMP/access.log" "$SERVER_LOG" && fail "a log holds the password"
ok "neither the access log nor the server log holds the password"
done_checks
