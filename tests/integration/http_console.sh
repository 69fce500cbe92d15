#!/usr/bin/env bash
# The web console's protections over loopback with curl against a real
# `bootyard serve` (the browser test, e2e/console, does the same and more
# in chromium, with QEMU clients): sign-in with the admin token only; the
# session cookie's attributes; a state change without the session, with
# no or a wrong CSRF token changes nothing; the security headers; the
# assets; the SSE stream; the diagnosis API; sign-out ends the session.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/integration/http_lib.bash"

http_start
J=(-H 'Content-Type: application/json')
jar=$TEST_TMP/cookies

# headers and assets, no sign-in needed
hdr=$(curl -s -D - -o "$TEST_TMP/index.html" "$ADMIN/console/")
expect_contains "$hdr" "Content-Security-Policy: default-src 'none'; script-src 'self'" "strict CSP"
expect_contains "$hdr" "X-Frame-Options: DENY" "X-Frame-Options"
grep -q '<script type="module" src="/console/static/app.js">' "$TEST_TMP/index.html" || fail "index.html"
grep -qi '<script>' "$TEST_TMP/index.html" && fail "inline script in index.html"
for a in app.js dom.js console.css; do
	code=$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "$ADMIN/console/static/$a")
	[[ $code == 200\ text/* ]] || fail "asset $a: $code"
done
ok "assets served"
[[ $(curl -s --path-as-is -o /dev/null -w "%{http_code}" "$ADMIN/console/static/../../etc/passwd") == 404 ]] || fail "asset path escape"

# wrong token, no token, GET: no session
[[ $(curl -s -o /dev/null -w '%{http_code}' "${J[@]}" -d '{"token":"nope-nope-nope-nope"}' -c "$jar" "$ADMIN/console/login") == 401 ]] ||
	fail "wrong token accepted"
grep -q bysess "$jar" && fail "wrong token set a cookie"
[[ $(curl -s -o /dev/null -w '%{http_code}' "${J[@]}" -d '{}' "$ADMIN/console/login") == 401 ]] || fail "no token accepted"
[[ $(curl -s -o /dev/null -w '%{http_code}' "$ADMIN/console/login") == 405 ]] || fail "GET login"
ok "wrong token refused"

# the right token
out=$(curl -s -D "$TEST_TMP/h" "${J[@]}" -d "{\"token\":\"$TOKEN\"}" -c "$jar" "$ADMIN/console/login")
csrf=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["csrf"])' "$out") || fail "login: $out"
setc=$(grep -i '^Set-Cookie:' "$TEST_TMP/h")
for want in HttpOnly SameSite=Strict Max-Age= Path=/; do
	expect_contains "$setc" "$want" "cookie has $want"
done
[[ $setc == *Secure* ]] && fail "Secure on plain HTTP (the browser would drop it)"
[[ ${#csrf} == 64 ]] || fail "csrf token: $csrf"

hosts() { curl -s -b "$jar" "$ADMIN/api/v1/hosts" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
[[ $(hosts) == 0 ]] || fail "session cannot read the API"
body='{"macs":["52:54:00:77:00:01"]}'
c1=$(curl -s -o /dev/null -w '%{http_code}' "${J[@]}" -d "$body" "$ADMIN/api/v1/hosts")
c2=$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" "${J[@]}" -d "$body" "$ADMIN/api/v1/hosts")
# a wrong token: the right one with its last digit changed (to 0, or to 1
# when it was 0: "${csrf%?}0" alone was the right token 1 time in 16)
wrong=${csrf%?}0
[[ $wrong == "$csrf" ]] && wrong=${csrf%?}1
c3=$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" "${J[@]}" -H "X-CSRF-Token: $wrong" -d "$body" "$ADMIN/api/v1/hosts")
c4=$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" "${J[@]}" -H "X-CSRF-Token: " -d "$body" "$ADMIN/api/v1/hosts")
c5=$(curl -s -o /dev/null -w '%{http_code}' -b "bysess=$(printf 'a%.0s' $(seq 64))" "${J[@]}" -H "X-CSRF-Token: $csrf" -d "$body" "$ADMIN/api/v1/hosts")
[[ "$c1 $c2 $c3 $c4 $c5" == "401 401 401 401 401" ]] ||
	fail "no session / no CSRF / wrong CSRF / empty CSRF / forged session: $c1 $c2 $c3 $c4 $c5"
[[ $(hosts) == 0 ]] || fail "a refused request created a host"
ok "no session, no or wrong CSRF token: refused, nothing created"
[[ $(curl -s -o /dev/null -w '%{http_code}' -b "$jar" "${J[@]}" -H "X-CSRF-Token: $csrf" -d "$body" "$ADMIN/api/v1/hosts") == 201 ]] ||
	fail "session + CSRF cannot create a host"
[[ $(hosts) == 1 ]] || fail "host not created"
ok "session + CSRF token: created"

# the console's API: fleet, diagnosis (a hostile vendor class stays data)
BOOTYARD_CONFIG=$CONF DNSMASQ_VENDOR_CLASS='<img src=x onerror=alert(1)>' \
	"$BOOTYARD_LEASE" add 52:54:00:77:00:66 198.18.0.66 || fail "lease hook"
fleet=$(curl -s -b "$jar" "$ADMIN/api/v1/fleet")
python3 - "$fleet" <<'PY' || fail "fleet: $fleet"
import json, sys
f = json.loads(sys.argv[1])
assert len(f["hosts"]) == 1 and f["hosts"][0]["diagnosis"]["stage"] == "none"
u = [x for x in f["unknown"] if x["mac"] == "52:54:00:77:00:66"][0]
assert u["vendor_class"] == "<img src=x onerror=alert(1)>", u
assert u["diagnosis"]["stage"] == "lease", u
PY
d=$(curl -s -H "Authorization: Bearer $TOKEN" "$ADMIN/api/v1/diagnosis/52-54-00-77-00-66")
expect_contains "$d" '"stage":"lease"' "diagnosis API (bearer token)"
[[ $(curl -s -o /dev/null -w '%{http_code}' -b "$jar" "$ADMIN/api/v1/diagnosis/nonsense") == 400 ]] || fail "bad MAC"
expect_contains "$(curl -s -b "$jar" "$ADMIN/api/v1/appliance")" '"dhcp_mode":"off"' "appliance API"

# SSE: the first connection gives the cursor; the next, what came after
s1=$(curl -s -b "$jar" "$ADMIN/console/events")
expect_contains "$s1" "retry: 1000" "SSE retry"
id=$(grep '^id: ' <<<"$s1" | tail -n 1 | cut -c5-)
BOOTYARD_CONFIG=$CONF "$BOOTYARD_LEASE" old 52:54:00:77:00:66 198.18.0.66 || fail "lease hook old"
s2=$(curl -s -b "$jar" -H "Last-Event-ID: $id" "$ADMIN/console/events")
expect_contains "$s2" '"kind":"dhcp-old"' "SSE: the new event"
grep -q '"kind":"dhcp-add"' <<<"$s2" && fail "SSE repeated an old event"
[[ $(curl -s -o /dev/null -w '%{http_code}' "$ADMIN/console/events") == 401 ]] || fail "SSE without session"

# sign-out: needs the CSRF token, then the session is gone
[[ $(curl -s -o /dev/null -w '%{http_code}' -b "$jar" -X POST "$ADMIN/console/logout") == 401 ]] || fail "logout without CSRF"
[[ $(curl -s -o /dev/null -w '%{http_code}' -b "$jar" -H "X-CSRF-Token: $csrf" -X POST "$ADMIN/console/logout") == 200 ]] || fail "logout"
[[ $(curl -s -o /dev/null -w '%{http_code}' -b "$jar" "$ADMIN/api/v1/hosts") == 401 ]] || fail "session alive after logout"
ok "signed out"
done_checks
