#!/usr/bin/env bash
# What a client sends never reaches a log as it was sent, and no live
# install token reaches the access log:
#   - raw requests with ESC, CR, LF, other control bytes, DEL, bytes
#     >= 0x80, quotes and spaces in the method, path, query and headers:
#     the access log and the daemon's own log hold none of those bytes
#     and no line a client forged;
#   - an install cycle (config, install file, done, with the token in the
#     query and in a form body): the token appears in neither log, only
#     its first 4 characters followed by "...";
#   - the admin token file: refused (401 for every API request, a clear
#     message) when others may read it or a stranger owns it; 0600 works.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/integration/http_lib.bash"
command -v python3 >/dev/null || skip "no python3"

http_start

ACCESS=$TEST_TMP/access.log

# raw REQUEST-BYTES... (python bytes literals): send each as is on a
# connection of its own, read the answer. Queued by raw, sent by raw_send
# (one python for all: it is slow to start on a loaded machine).
RAW=()
raw() { RAW+=("$1"); }
raw_send() {
	python3 - "$BOOT_PORT" "${RAW[@]}" <<'PY'
import socket, sys
for req in sys.argv[2:]:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
    s.sendall(eval("b'" + req + "'"))
    try:
        while s.recv(65536):
            pass
    except OSError:
        pass
    s.close()
PY
	RAW=()
}

E='\x1b'
C='Connection: close\r\n'
raw "G${E}[31mET /ipxe/v1/boot HTTP/1.1\\r\\nHost: x\\r\\n$C\\r\\n"
raw "GET${E}]0;pwned\\x07 /ipxe/v1/boot HTTP/1.1\\r\\nHost: x\\r\\n$C\\r\\n"
raw "GE\\x7fT /ipxe/v1/boot HTTP/1.1\\r\\nHost: x\\r\\n$C\\r\\n"
raw "G\\x9bET /ipxe/v1/boot HTTP/1.1\\r\\nHost: x\\r\\n$C\\r\\n"
raw "GET\\rFORGED-CR /ipxe/v1/boot HTTP/1.1\\r\\nHost: x\\r\\n$C\\r\\n"
raw "G\\x22E\\x22T /ipxe/v1/boot HTTP/1.1\\r\\nHost: x\\r\\n$C\\r\\n"
raw "GET /ipxe/v1/${E}[2J${E}[H HTTP/1.1\\r\\nHost: x\\r\\n$C\\r\\n"
raw "GET /files/a\\x01\\x08\\x7f\\xc3\\xa9\\xff HTTP/1.1\\r\\nHost: x\\r\\n$C\\r\\n"
raw "GET /ipxe/v1/boot?x=${E}[31mred&y=\\x00z HTTP/1.1\\r\\nHost: x\\r\\n$C\\r\\n"
raw "GET /ipxe/v1/config?mac=52:54:00:12:34:56%0d%0aFORGED-PCT${E}x HTTP/1.1\\r\\nHost: x\\r\\n$C\\r\\n"
raw "GET /ipxe/v1/boot\\rFORGED-PATH HTTP/1.1\\r\\nHost: x\\r\\n$C\\r\\n"
raw "GET /ipxe/v1/boot HTTP/1.1\\r\\nHost: x\\r\\nUser-Agent: ${E}[31mFORGED-UA\\x07\\r\\nX-A: \\x01\\x1b\\r\\n$C\\r\\n"
raw "GET /ipxe/v1/boot HTTP/1.1\\r\\nHost: x\\r\\nX-Fold: a\\r\\n ${E}[1mFORGED-FOLD\\r\\n$C\\r\\n"
raw "GET /ipxe/v1/boot HTTP/1.1\\r\\nHost: x\\r\\nBad${E}Header: 1\\r\\n$C\\r\\n"
raw "${E}[31m\\r\\n\\r\\n"
raw "GET /ipxe/v1/boot HTTP/1.1\\nHost: x\\nFORGED-LF: 1\\n\\n"
raw_send
server_alive || fail "server died on the escape requests"
ok "escape requests answered, server alive"

# every access-log line is printable ASCII (LF ends it), and one line
# per request: no client byte began a line of its own
bad_bytes() { LC_ALL=C grep -c $'[\x01-\x09\x0b-\x1f\x7f\x80-\xff]' "$1"; }
n=$(bad_bytes "$ACCESS")
[[ $n == 0 ]] || fail "access log: $n lines with control or non-ASCII bytes: $(LC_ALL=C grep -m3 -a $'[\x01-\x09\x0b-\x1f\x7f\x80-\xff]' "$ACCESS" | od -c | head -n 12)"
ok "access log: no control, escape or non-ASCII byte"
[[ $(LC_ALL=C grep -c '^127\.0\.0\.1 "' "$ACCESS") == $(wc -l <"$ACCESS") ]] ||
	fail "access log: a line that is not a request: $(LC_ALL=C grep -av '^127\.0\.0\.1 "' "$ACCESS" | head -n 3)"
ok "access log: every line starts with the peer (no forged line)"
grep -q '"G?\[31mET /ipxe/v1/boot" ' "$ACCESS" ||
	fail "the escaped method is not logged as G?[31mET: $(grep -a 'boot' "$ACCESS" | head -n 3)"
ok "access log: the method's ESC shows as '?'"
grep -q '"G?E?T /ipxe/v1/boot" ' "$ACCESS" ||
	fail "a quote in the method splits the field: $(grep -a 'E.T' "$ACCESS" | head)"
ok "access log: a quote in the method cannot close the field"
LC_ALL=C grep -aq 'FORGED' "$SERVER_LOG" && [[ $(bad_bytes "$SERVER_LOG") != 0 ]] &&
	fail "daemon log: control bytes around a forged field"
n=$(bad_bytes "$SERVER_LOG")
[[ $n == 0 ]] || fail "daemon log: $n lines with control bytes"
ok "daemon log: no control or escape byte"

# ---- the access log on stderr ([http] access_log empty) ----
http_stop
sed -i "s|^access_log = .*|access_log =|" "$CONF"
http_serve
raw "G${E}[31mET /ipxe/v1/boot HTTP/1.1\\r\\nHost: x\\r\\n$C\\r\\n"
raw "GET /ipxe/v1/boot?a=${E}[2J HTTP/1.1\\r\\nHost: x\\r\\nUser-Agent: ${E}[31m\\r\\n$C\\r\\n"
raw_send
sleep 0.3
grep -q 'access: 127.0.0.1 "G?\[31mET ' "$SERVER_LOG" ||
	fail "no sanitised access line on stderr: $(tail -n 5 "$SERVER_LOG")"
n=$(bad_bytes "$SERVER_LOG")
[[ $n == 0 ]] || fail "stderr access log: $n lines with control bytes"
ok "access log on stderr: sanitised too"
http_stop
sed -i "s|^access_log =.*|access_log = $ACCESS|" "$CONF"

# ---- no live install token in the access log ----
: >"$ACCESS"
http_serve
echo k >"$STATE/files/debian12/linux"
echo i >"$STATE/files/debian12/initrd.gz"
api_expect 201 "distro with a template" POST /api/v1/distros '{"name":"debian12","kernel":"debian12/linux","initrd":"debian12/initrd.gz","template":"d-i {{hostname}}","template_name":"preseed.cfg"}'
M=52:54:00:77:00:01
tokens=()
for i in 1 2 3; do
	api POST /api/v1/hosts "{\"mac\":\"$M\",\"hostname\":\"inst$i\",\"action\":\"install\",\"distro\":\"debian12\"}"
	[[ $status == 201 ]] || fail "host: $status $body"
	out=$(curl -s "$BOOT/ipxe/v1/config?mac=$M&platform=pcbios")
	tok=$(grep -o 'bootyard.token=[0-9a-f]*' <<<"$out" | cut -d= -f2)
	[[ ${#tok} == 32 ]] || fail "no install token: $out"
	tokens+=("$tok")
	case $i in
	1) # plain form; done in the query
		expect_eq "$(code "$BOOT/ipxe/v1/install/$tok/preseed.cfg")" 200 "install file"
		expect_eq "$(code "$BOOT/ipxe/v1/done?token=$tok")" 200 "done (query)" ;;
	2) # an encoded path and query key; done in a form body
		enc=$(sed 's/./%&/; s/%\(.\)/%3\1/' <<<"$tok") # first digit as %3X
		expect_eq "$(code "$BOOT/ipxe/v1/%69nstall/$tok/preseed.cfg?token=$tok" --path-as-is)" 200 "install file (encoded path)"
		expect_eq "$(code "$BOOT/ipxe/v1/done?%74oken=$tok")" 200 "done (encoded key)" ;;
	3) expect_eq "$(code "$BOOT/ipxe/v1/install/$tok/preseed.cfg")" 200 "install file"
		expect_eq "$(code "$BOOT/ipxe/v1/done" -X POST --data "token=$tok")" 200 "done (form body)" ;;
	esac
	api DELETE "/api/v1/hosts/$M"
done
# a token no longer valid: logged redacted all the same
expect_eq "$(code "$BOOT/ipxe/v1/install/${tokens[0]}/preseed.cfg")" 404 "token of a deleted host"
sleep 0.3
for tok in "${tokens[@]}"; do
	! grep -q "${tok:4}" "$ACCESS" || fail "access log holds a token: $(grep "${tok:4}" "$ACCESS")"
	! grep -q "${tok:4}" "$SERVER_LOG" || fail "daemon log holds a token"
done
ok "no install token in the access or daemon log"
grep -q "\"GET /ipxe/v1/install/${tokens[0]:0:4}\.\.\./preseed.cfg\" 200 " "$ACCESS" ||
	fail "install line not redacted as expected: $(grep install "$ACCESS")"
grep -q "\"GET /ipxe/v1/done?token=${tokens[0]:0:4}\.\.\.\" 200 " "$ACCESS" ||
	fail "done line not redacted as expected: $(grep done "$ACCESS")"
ok "install and done lines show the token's first 4 characters and ..."

# ---- the admin token file must be private ----
check_token_file() { # WANT-STATUS DESCRIPTION
	http_stop
	http_serve
	api_expect "$1" "$2" GET /api/v1/hosts
}
chmod 0644 "$TEST_TMP/admin.token"
check_token_file 401 "world-readable token file refused"
expect_contains "$(cat "$SERVER_LOG")" "admin: token file $TEST_TMP/admin.token refused: others can read or change it" \
	"a clear message names the file and the reason"
chmod 0604 "$TEST_TMP/admin.token"
check_token_file 401 "token file readable by others refused"
chmod 0620 "$TEST_TMP/admin.token"
check_token_file 401 "group-writable token file refused"
chmod 0640 "$TEST_TMP/admin.token"
check_token_file 200 "0640 with our own group accepted"
if [[ $(id -u) == 0 ]] && getent group nogroup >/dev/null; then
	chgrp nogroup "$TEST_TMP/admin.token"
	check_token_file 401 "group-readable by a foreign group refused"
	chgrp 0 "$TEST_TMP/admin.token"
	chown nobody "$TEST_TMP/admin.token"
	chmod 0600 "$TEST_TMP/admin.token"
	check_token_file 401 "token file owned by a stranger refused"
	expect_contains "$(cat "$SERVER_LOG")" "owned by a user other than root" "owner message"
	chown 0 "$TEST_TMP/admin.token"
fi
chmod 0600 "$TEST_TMP/admin.token"
check_token_file 200 "0600 token file accepted"
http_stop_checked
done_checks
