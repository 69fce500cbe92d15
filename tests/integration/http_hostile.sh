#!/usr/bin/env bash
# A table of hostile requests, each answered with the right 4xx while the
# server keeps serving: bad MACs and encodings, traversal, iPXE injection
# attempts, oversize URL / headers / body, wrong methods, missing or bad
# tokens, bad JSON. After the table, real clients are still answered and
# no hostile byte reached a served script.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/integration/http_lib.bash"

http_start
echo "outside" >"$STATE/secret"
echo "in" >"$STATE/files/ok.txt"
AUTH="-H|Authorization: Bearer $TOKEN"
long=$(head -c 40000 /dev/zero | tr '\0' a)
head -c 200000 /dev/zero | tr '\0' a >"$TEST_TMP/big.body"
C=ipxe/v1/config

# want  description  curl-args...
table=(
	"400|no mac|$BOOT/$C"
	"400|empty mac|$BOOT/$C?mac="
	"400|short mac|$BOOT/$C?mac=52:54:00:12:34"
	"400|non-hex mac|$BOOT/$C?mac=zz:54:00:12:34:56"
	"400|double-encoded mac|$BOOT/$C?mac=52%253A54%253A00%253A12%253A34%253A56"
	"400|NUL in mac|$BOOT/$C?mac=52:54:00:12:34:56%00"
	"400|newline + command in mac|$BOOT/$C?mac=52:54:00:12:34:56%0Ashell"
	"400|bad percent escape|$BOOT/$C?mac=52:54:00:12:34:5%G6"
	"400|mac given twice|$BOOT/$C?mac=52:54:00:12:34:56&mac=52:54:00:12:34:57"
	"400|unknown platform|$BOOT/$C?mac=52:54:00:12:34:56&platform=sparc"
	"400|iPXE injection in platform|$BOOT/$C?mac=52:54:00:12:34:56&platform=efi%20%7C%7C%20shell"
	"400|settings expansion in buildarch|$BOOT/$C?mac=52:54:00:12:34:56&buildarch=%24%7Bnet0/ip%7D"
	"400|bad choice|$BOOT/$C?mac=52:54:00:12:34:56&choice=rm"
	"400|traversal in distro|$BOOT/$C?mac=52:54:00:12:34:56&choice=install&distro=../x"
	"403|dot-dot traversal|$BOOT/files/../secret|--path-as-is"
	"403|encoded dot-dot|$BOOT/files/%2e%2e/secret"
	"403|encoded slash dot-dot|$BOOT/files/a%2f..%2f..%2fsecret"
	"403|tftp traversal|$BOOT/files/tftp/../secret|--path-as-is"
	"403|empty path component|$BOOT/files//etc/passwd|--path-as-is"
	"400|NUL in path|$BOOT/files/ok.txt%00.png"
	"404|unknown endpoint|$BOOT/etc/passwd"
	"405|DELETE on config|$BOOT/$C?mac=52:54:00:12:34:56|-X|DELETE"
	"405|HEAD on config (would spend an install attempt)|$BOOT/$C?mac=52:54:00:12:34:56|-I"
	"405|HEAD on done (would end an install)|$BOOT/ipxe/v1/done?token=0123456789abcdef0123456789abcdef|-I"
	"405|PUT on files|$BOOT/files/ok.txt|-X|PUT|--data|x"
	"400|done without token|$BOOT/ipxe/v1/done"
	"400|done with malformed token|$BOOT/ipxe/v1/done?token=../../etc"
	"404|done with unknown token|$BOOT/ipxe/v1/done?token=0123456789abcdef0123456789abcdef"
	"404|install with bad token|$BOOT/ipxe/v1/install/nottoken/preseed.cfg"
	"404|install with unknown token|$BOOT/ipxe/v1/install/0123456789abcdef0123456789abcdef/x.cfg"
	"414|oversize URL|$BOOT/$C?mac=52:54:00:12:34:56&x=$long"
	"431|oversize header|$BOOT/ipxe/v1/boot|-H|X-Big: $long"
	"413|oversize body|$BOOT/ipxe/v1/done|-X|POST|--data-binary|@$TEST_TMP/big.body"
	"413|oversize JSON body|$ADMIN/api/v1/hosts|$AUTH|-X|POST|--data-binary|@$TEST_TMP/big.body"
	"401|API without token|$ADMIN/api/v1/hosts"
	"401|API with wrong token|$ADMIN/api/v1/hosts|-H|Authorization: Bearer ${TOKEN%?}x"
	"401|API with basic auth|$ADMIN/api/v1/hosts|-u|admin:$TOKEN"
	"400|bad JSON|$ADMIN/api/v1/hosts|$AUTH|-X|POST|--data|{\"mac\":"
	"422|JSON array instead of object|$ADMIN/api/v1/hosts|$AUTH|-X|POST|--data|[1]"
	"422|bad MAC in JSON|$ADMIN/api/v1/hosts|$AUTH|-X|POST|--data|{\"mac\":\"xx\"}"
	"422|iPXE injection in attribute|$ADMIN/api/v1/hosts|$AUTH|-X|POST|--data|{\"mac\":\"52:54:00:00:00:09\",\"attrs\":{\"a\":\"\${x} ; shell\"}}"
	"422|bad hostname|$ADMIN/api/v1/hosts|$AUTH|-X|POST|--data|{\"mac\":\"52:54:00:00:00:09\",\"hostname\":\"-x-\"}"
	"422|install without distro|$ADMIN/api/v1/hosts|$AUTH|-X|POST|--data|{\"mac\":\"52:54:00:00:00:09\",\"action\":\"install\"}"
	"422|unknown distro|$ADMIN/api/v1/hosts|$AUTH|-X|POST|--data|{\"mac\":\"52:54:00:00:00:09\",\"action\":\"install\",\"distro\":\"nope\"}"
	"422|traversal in distro kernel|$ADMIN/api/v1/distros|$AUTH|-X|POST|--data|{\"name\":\"x\",\"kernel\":\"../../etc/shadow\",\"initrd\":\"i\"}"
	"422|settings expansion in distro cmdline|$ADMIN/api/v1/distros|$AUTH|-X|POST|--data|{\"name\":\"x\",\"kernel\":\"k\",\"initrd\":\"i\",\"cmdline\":\"a=\${next-server}\"}"
	"404|unknown distro path|$ADMIN/api/v1/distros/..|$AUTH|--path-as-is"
	"404|unknown host|$ADMIN/api/v1/hosts/52:54:00:00:00:99|$AUTH"
	"405|wrong method on collection|$ADMIN/api/v1/hosts|$AUTH|-X|DELETE"
	"400|bad mac filter|$ADMIN/api/v1/events?mac=nope|$AUTH"
)

for row in "${table[@]}"; do
	IFS='|' read -r -a f <<<"$row"
	want=${f[0]} desc=${f[1]} url=${f[2]}
	got=$(curl -s -o "$TEST_TMP/.body" -w '%{http_code}' --max-time 10 "${f[@]:3}" "$url")
	[[ $got == "$want" ]] || fail "$desc: got $got, want $want"
	# a 4xx answer to an iPXE client is a script that boots locally
	if [[ $url == "$BOOT/$C"* && $got == 400 ]]; then
		grep -q '^#!ipxe' "$TEST_TMP/.body" || fail "$desc: no iPXE body"
		! grep -qE 'shell|net0/ip' "$TEST_TMP/.body" || fail "$desc: request bytes echoed"
	fi
	ok "$desc -> $want"
done
((${#table[@]} >= 25)) || fail "table too small"

check "server still serving after the table" server_alive
out=$(curl -s "$BOOT/$C?mac=52:54:00:12:34:56&platform=efi")
expect_contains "$out" "menu reason=unknown-mac" "a real client is still answered"
http_stop_checked
done_checks
