#!/usr/bin/env bash
# The TLS boot listener: same URL space over HTTPS with a self-signed
# certificate (made here with openssl), boot URLs given out as https://;
# the plain listener keeps working beside it. [admin] tls = yes: the
# console and the admin API over HTTPS with the same certificate (plain
# HTTP refused there, the session cookie Secure); refused without
# tls_listen. Also: without a token file the admin API refuses
# everything (401) and says so once in the log.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/integration/http_lib.bash"
command -v openssl >/dev/null || skip "openssl not installed"

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
	-addext "subjectAltName=IP:127.0.0.1" \
	-keyout "$TEST_TMP/server.key" -out "$TEST_TMP/server.crt" 2>/dev/null ||
	fail "openssl could not make a certificate"
TLS_PORT=$(free_port)
HTTP_EXTRA_ADMIN="tls = yes" HTTP_EXTRA_HTTP="tls_listen = 127.0.0.1:$TLS_PORT
tls_cert = $TEST_TMP/server.crt
tls_key = $TEST_TMP/server.key" http_start
TLS=https://127.0.0.1:$TLS_PORT
ADMINS=https://127.0.0.1:$ADMIN_PORT

out=$(curl -s --cacert "$TEST_TMP/server.crt" "$TLS/ipxe/v1/boot")
expect_contains "$out" "imgfetch --name bootyard-config $TLS/ipxe/v1/config?mac=" "HTTPS boot script fetches over HTTPS"
out=$(curl -s --cacert "$TEST_TMP/server.crt" "$TLS/ipxe/v1/config?mac=52:54:00:dd:00:01&platform=efi")
expect_contains "$out" "menu reason=unknown-mac" "config over HTTPS"
expect_contains "$out" "$TLS/files/tftp/memtest86+x64.efi" "file URLs over HTTPS"
expect_eq "$(code "$TLS/ipxe/v1/config?mac=bad" --cacert "$TEST_TMP/server.crt")" 400 "bad MAC over HTTPS"
out=$(curl -s "$BOOT/ipxe/v1/boot")
expect_contains "$out" "imgfetch --name bootyard-config $BOOT/ipxe/v1/config?mac=" "plain listener beside it"
expect_eq "$(code "$TLS/ipxe/v1/boot")" 000 "untrusted certificate refused by the client"

# the admin listener over TLS: the console and the API
expect_eq "$(code "$ADMINS/healthz" --cacert "$TEST_TMP/server.crt")" 200 "admin over HTTPS"
expect_eq "$(code "$ADMINS/api/v1/hosts" --cacert "$TEST_TMP/server.crt" -H "Authorization: Bearer $TOKEN")" 200 "admin API over HTTPS"
expect_eq "$(code "$ADMINS/console/" --cacert "$TEST_TMP/server.crt")" 200 "console page over HTTPS"
expect_eq "$(code "$ADMIN/healthz")" 000 "no plain HTTP on the TLS admin listener"
curl -s -D "$TEST_TMP/h" -o /dev/null --cacert "$TEST_TMP/server.crt" -H 'Content-Type: application/json' \
	-d "{\"token\":\"$TOKEN\"}" "$ADMINS/console/login"
expect_contains "$(grep -i '^Set-Cookie:' "$TEST_TMP/h")" "Secure" "session cookie Secure over TLS"
http_stop

# [admin] tls without a certificate to serve: refused, naming the line
printf '[http]\nlisten = 127.0.0.1:%s\n[admin]\ntls = yes\n' "$(free_port)" >"$TEST_TMP/bad.conf"
out=$("$BOOTYARD" -c "$TEST_TMP/bad.conf" check-config 2>&1)
expect_eq "$?" 2 "admin tls without tls_listen: exit 2"
expect_contains "$out" "bad.conf:4: [admin] tls: needs [http] tls_listen" "admin tls without tls_listen: named"

# No token file: the admin API says 401 to everything, /healthz still works.
sed -i -e "s|^token_file = .*|token_file = $TEST_TMP/missing.token|" -e '/^tls = yes$/d' "$CONF"
http_serve
expect_eq "$(code "$ADMIN/api/v1/hosts")" 401 "no token file: 401"
expect_eq "$(code "$ADMIN/api/v1/hosts" -H "Authorization: Bearer ")" 401 "empty bearer: 401"
expect_eq "$(code "$ADMIN/healthz")" 200 "healthz without a token"
expect_eq "$(grep -c 'cannot read token file' "$SERVER_LOG")" 1 "logged once"
done_checks
