#!/usr/bin/env bash
# https_curl: the HTTPS boot listener with the appliance's own PKI, on
# loopback (no iPXE source or QEMU needed).
#
# - `bootyard serve --dhcp=off` with tls_listen on creates the CA and the
#   server certificate at first start (key files 0600)
# - curl with the appliance CA gets the same config script over HTTPS as
#   over HTTP; without it, or with another CA, verification fails
# - a restart keeps the certificates; a new server_address gets a new
#   server certificate from the same CA
# - a broken ca.crt stops serve with a clear error and is not replaced
source "$TOP/tests/lib/common.sh"
command -v curl >/dev/null || skip "needs curl"
command -v openssl >/dev/null || skip "needs openssl"

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
state=$TEST_TMP/state
conf=$TEST_TMP/bootyard.conf
p_http=$(free_port)
p_tls=$(free_port)
[[ $p_http != "$p_tls" ]] || p_tls=$(free_port)

write_conf() { # SERVER_ADDRESS
	cat >"$conf" <<EOF
[appliance]
state_dir = $state
server_address = $1
user = root
[http]
listen = 127.0.0.1:$p_http
tls_listen = 127.0.0.1:$p_tls
files_dir = $TEST_TMP
access_log = off
[admin]
listen = off
EOF
}

serve_pid=
serve_start() {
	"$BOOTYARD" -c "$conf" serve --dhcp=off >"$TEST_TMP/serve.log" 2>&1 &
	serve_pid=$!
	on_exit "kill $serve_pid 2>/dev/null; wait $serve_pid 2>/dev/null"
	for i in $(seq 100); do
		curl -s -o /dev/null "http://127.0.0.1:$p_http/ipxe/v1/boot" && return 0
		kill -0 "$serve_pid" 2>/dev/null || break
		sleep 0.1
	done
	cat "$TEST_TMP/serve.log"
	fail "serve did not start"
}
serve_stop() {
	kill "$serve_pid" 2>/dev/null
	wait "$serve_pid" 2>/dev/null
}

write_conf 127.0.0.1
serve_start
ok "serve started with tls_listen on a fresh state directory"
check "CA created" test -s "$state/tls/ca.crt"
check "server certificate created" test -s "$state/tls/server.crt"
expect_eq "$(stat -c %a "$state/tls/ca.key")" 600 "ca.key is 0600"
expect_eq "$(stat -c %a "$state/tls/server.key")" 600 "server.key is 0600"

url=/ipxe/v1/config?mac=52:54:00:5e:02:01
plain=$(curl -sS --max-time 20 "http://127.0.0.1:$p_http$url") || fail "curl http"
tls=$(curl -sS --max-time 20 --cacert "$state/tls/ca.crt" \
	"https://127.0.0.1:$p_tls$url") || fail "curl https with the CA"
expect_contains "$plain" "#!ipxe" "HTTP config is an iPXE script"
# The menu links back to the appliance: over HTTPS with the HTTPS base.
expect_contains "$tls" "https://127.0.0.1:$p_tls/" "HTTPS menu links over HTTPS"
tls=${tls//"https://127.0.0.1:$p_tls"/"http://127.0.0.1:$p_http"}
expect_eq "$tls" "$plain" "HTTPS config (appliance CA) = HTTP config (but the base URL)"
curl -sS --max-time 20 -o /dev/null "https://127.0.0.1:$p_tls$url" 2>"$TEST_TMP/e"
expect_eq "$?" 60 "curl without the CA: verification fails"
expect_contains "$(cat "$TEST_TMP/e")" "certificate" "curl says why"
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=other" \
	-keyout "$TEST_TMP/o.key" -out "$TEST_TMP/o.crt" 2>/dev/null
curl -sS --max-time 20 -o /dev/null --cacert "$TEST_TMP/o.crt" \
	"https://127.0.0.1:$p_tls$url" 2>/dev/null
expect_eq "$?" 60 "curl with another CA: verification fails"

# Restart: nothing changes.
sums=$(sha256sum "$state"/tls/*.crt "$state"/tls/*.key)
serve_stop
serve_start
expect_eq "$(sha256sum "$state"/tls/*.crt "$state"/tls/*.key)" "$sums" \
	"restart keeps CA and server certificate"

# A new address: new server certificate, same CA.
ca_sum=$(sha256sum <"$state/tls/ca.crt")
srv_sum=$(sha256sum <"$state/tls/server.crt")
serve_stop
write_conf 127.0.0.2
serve_start
expect_eq "$(sha256sum <"$state/tls/ca.crt")" "$ca_sum" "new address: same CA"
[[ $(sha256sum <"$state/tls/server.crt") != "$srv_sum" ]] ||
	fail "new address: server certificate not reissued"
ok "new address: server certificate reissued"
expect_contains "$(openssl x509 -in "$state/tls/server.crt" -noout -ext subjectAltName)" \
	"IP Address:127.0.0.2" "the new certificate names 127.0.0.2"
check "the new certificate is from the same CA" \
	openssl verify -CAfile "$state/tls/ca.crt" "$state/tls/server.crt"
serve_stop

# A broken CA: serve refuses to start, the file stays.
echo "not a certificate" >"$state/tls/ca.crt"
"$BOOTYARD" -c "$conf" serve --dhcp=off >"$TEST_TMP/bad.log" 2>&1 &
bad_pid=$!
on_exit "kill $bad_pid 2>/dev/null"
for i in $(seq 100); do
	kill -0 "$bad_pid" 2>/dev/null || break
	sleep 0.1
done
wait "$bad_pid"
expect_eq "$?" 3 "broken ca.crt: serve exits 3"
expect_contains "$(cat "$TEST_TMP/bad.log")" "ca.crt: not a PEM certificate" \
	"broken ca.crt: clear error"
expect_eq "$(cat "$state/tls/ca.crt")" "not a certificate" "broken ca.crt kept"

done_checks
