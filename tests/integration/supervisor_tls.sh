#!/usr/bin/env bash
# supervisor_tls - with server_address = auto and the TLS listener on all
# addresses, the supervised appliance issues a server certificate for the
# address it resolved from the interface (the only address iPXE will
# connect to), and HTTPS with the appliance CA works on that address.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/integration/dhcp_lab.bash"

command -v openssl >/dev/null || skip "openssl is not installed"
lab_up
TLS_PORT=$((HTTP_PORT + 1))
lab_config
sed -i "/^listen = 0.0.0.0:$HTTP_PORT\$/a tls_listen = 0.0.0.0:$TLS_PORT" "$CONF"
grep -q "^tls_listen = 0.0.0.0:$TLS_PORT" "$CONF" || fail "could not set tls_listen in $CONF"
appliance_start
crt=$STATE/tls/server.crt
wait_for 10 bash -c "[[ \$('$BOOTYARD' -c '$CONF' status 2>/dev/null | awk '\$1 == \"http_pid\" { print \$2 }') -gt 0 ]]" ||
	fail "the HTTP service did not start: $(tail -n 5 "$TEST_TMP/serve.log")"
[[ -s $crt && -s $STATE/tls/ca.crt ]] || fail "no CA or server certificate in $STATE/tls"
ok "CA and server certificate created at start"
san=$(openssl x509 -in "$crt" -noout -ext subjectAltName 2>/dev/null)
expect_contains "$san" "IP Address:198.18.0.1" "the certificate names the resolved address"
body=$(ip netns exec "$NS_A" curl -sS --max-time 5 --cacert "$STATE/tls/ca.crt" \
	"https://198.18.0.1:$TLS_PORT/ipxe/v1/boot")
expect_contains "$body" "https://198.18.0.1:$TLS_PORT/ipxe/v1/config" "HTTPS with the appliance CA; boot URLs are https"
expect_exit 60 ip netns exec "$NS_A" curl -sS --max-time 5 "https://198.18.0.1:$TLS_PORT/ipxe/v1/boot"
kill -TERM "$SERVE_PID"
wait "$SERVE_PID"
expect_eq "$?" 0 "SIGTERM: exit 0"
done_checks
