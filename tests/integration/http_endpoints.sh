#!/usr/bin/env bash
# Every endpoint of the boot and admin listeners over loopback, against a
# real `bootyard serve --dhcp=off` and a real SQLite database: the boot
# script, config decisions (unknown, local per platform, menu), the full
# install-once cycle (flag, fetch, install file, done, local, token reuse
# refused), the attempts budget, static files (HEAD, Range, ETag, symlinks)
# and the admin JSON API, /metrics and /healthz.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/integration/http_lib.bash"

# [dhcp] mode = off: no leases seen, so menus offer installs only with
# menu_install = yes (http_boot_auth.sh tests the address checks of dhcp
# mode)
HTTP_EXTRA_BOOT=$'install_attempts = 2\nmenu_install = yes' http_start

# ---- files and a distribution ----
head -c 300000 /dev/urandom >"$STATE/files/debian12/linux"
head -c 1000 /dev/urandom >"$STATE/files/debian12/initrd.gz"
echo "memtest" >"$STATE/tftp/memtest86+x64.bin"
echo "secret" >"$TEST_TMP/outside.txt"
ln -s "$TEST_TMP/outside.txt" "$STATE/files/escape"
ln -s debian12/initrd.gz "$STATE/files/inside"
printf 'd-i netcfg/get_hostname string {{hostname}}\nd-i preseed/late_command string wget -O- {{done_url}}\n# rack {{attr.rack}}\n' >"$TEST_TMP/preseed.cfg"
check "distro add" "$BOOTYARD" -c "$CONF" distro add debian12 --kernel debian12/linux \
	--initrd debian12/initrd.gz --cmdline "auto=true priority=critical" \
	--template "$TEST_TMP/preseed.cfg" --template-name preseed.cfg

# ---- boot script ----
out=$(curl -s "$BOOT/ipxe/v1/boot")
expect_contains "$out" "#!ipxe" "boot script"
expect_contains "$out" "imgfetch --name bootyard-config $BOOT/ipxe/v1/config?mac=\${netX/mac}" "boot script fetches config"
expect_contains "$out" "imgexec bootyard-config || exit 1" "boot script runs the answer once, passing its status on"
expect_eq "$(code "$BOOT/ipxe/v1/boot" -X POST)" 405 "POST /ipxe/v1/boot"

# ---- unknown MAC: menu, recorded ----
M1=52:54:00:aa:00:01
out=$(curl -s "$BOOT/ipxe/v1/config?mac=52%3A54%3A00%3AAA%3A00%3A01&platform=efi&buildarch=x86_64")
expect_contains "$out" "menu reason=unknown-mac platform=efi" "unknown MAC gets the menu"
expect_contains "$out" "item install_0 Reinstall debian12" "menu offers the distribution"
expect_contains "$out" "chain $BOOT/files/tftp/memtest86+x64.efi" "EFI memtest is chained"
out=$(curl -s "$BOOT/ipxe/v1/config?mac=$M1&platform=pcbios")
expect_contains "$out" "kernel $BOOT/files/tftp/memtest86+x64.bin" "BIOS memtest is a kernel"
api_expect 200 "leases" GET "/api/v1/leases?unknown=1"
expect_contains "$body" "\"mac\":\"$M1\"" "unknown MAC recorded as a lease"
api GET "/api/v1/events?mac=$M1"
expect_contains "$body" '"kind":"config"' "config event recorded"

# a lease from the DHCP hook with a vendor class that is not UTF-8
BOOTYARD_DB=$STATE/db/bootyard.db DNSMASQ_VENDOR_CLASS=$'PXEClient\xff\xfe' \
	"$BOOTYARD_LEASE" add 52:54:00:aa:00:77 198.18.0.77 >/dev/null 2>&1
api_expect 200 "lease list with odd bytes" GET "/api/v1/leases"
expect_contains "$body" '"mac":"52:54:00:aa:00:77"' "lease from the hook listed"
expect_contains "$body" '"vendor_class":"PXEClient??"' "bytes that are not UTF-8 shown as ?"

# ---- admin API: hosts ----
M2=52:54:00:aa:00:02
api_expect 201 "POST /api/v1/hosts" POST /api/v1/hosts "{\"mac\":\"$M2\",\"hostname\":\"node2\",\"action\":\"local\",\"attrs\":{\"rack\":\"r9\"}}"
expect_contains "$body" '"hostname":"node2"' "created host returned"
api_expect 409 "duplicate MAC is a conflict" POST /api/v1/hosts "{\"mac\":\"$M2\"}"
api GET /api/v1/hosts
expect_contains "$body" '"node2"' "host list"
api_expect 200 "GET host by name" GET /api/v1/hosts/node2
api_expect 200 "GET host by MAC in another form" GET /api/v1/hosts/52-54-00-AA-00-02
api_expect 200 "PATCH host" PATCH /api/v1/hosts/node2 '{"ip":"198.18.0.42"}'
expect_contains "$body" '"ip":"198.18.0.42"' "PATCH applied"
expect_contains "$body" '"rack":"r9"' "PATCH keeps other fields"
api_expect 200 "PUT host" PUT /api/v1/hosts/node2 '{"hostname":"node2","action":"local","attrs":{"rack":"r9"}}'
expect_contains "$body" '"ip":null' "PUT replaces (an unset field is null)"
api_expect 200 "PATCH takes null back (what GET shows)" PATCH /api/v1/hosts/node2 '{"ip":null,"local_boot":"default"}'
expect_contains "$body" '"local_boot":null' "local_boot default is stored unset, as by the CLI"
expect_contains "$body" '"attempts":0' "the attempts field (same name as the CLI's)"
api_expect 404 "unknown host" GET /api/v1/hosts/nosuchhost
api GET /api/v1/distros
expect_contains "$body" '"name":"debian12"' "distro list"
api_expect 422 "template with an unknown variable refused at add time" POST /api/v1/distros '{"name":"alma9","kernel":"alma/vmlinuz","initrd":["alma/initrd.img"],"template":"ks {{hostname}} {{nope}}","template_name":"ks.cfg"}'
expect_contains "$body" "unknown variable 'nope'" "the reason names the variable"
api_expect 422 "command line with an unknown variable refused (CLI rules)" POST /api/v1/distros '{"name":"alma9","kernel":"alma/vmlinuz","initrd":"alma/initrd.img","cmdline":"inst.ks={{nope}}","template":"network --hostname={{hostname}}","template_name":"ks.cfg"}'
expect_contains "$body" "unknown variable 'nope'" "the cmdline reason names the variable"
api_expect 422 "command line with script syntax outside a variable refused" POST /api/v1/distros '{"name":"alma9","kernel":"alma/vmlinuz","initrd":"alma/initrd.img","cmdline":"inst.ks={{install_url}};x","template":"network --hostname={{hostname}}","template_name":"ks.cfg"}'
api_expect 201 "POST /api/v1/distros with {{install_url}} on the command line" POST /api/v1/distros '{"name":"alma9","kernel":"alma/vmlinuz","initrd":"alma/initrd.img","cmdline":"inst.text inst.ks={{install_url}}","template":"network --hostname={{hostname}}","template_name":"ks.cfg"}'
api GET /api/v1/distros/alma9
expect_contains "$body" '"cmdline":"inst.text inst.ks={{install_url}}"' "the command line keeps its variable"
api_expect 409 "duplicate distro" POST /api/v1/distros '{"name":"alma9","kernel":"x","initrd":"y"}'
api GET /api/v1/distros/alma9
expect_contains "$body" '"template":"network --hostname={{hostname}}"' "GET distro with its template"
api_expect 200 "DELETE distro" DELETE /api/v1/distros/alma9
api_expect 404 "deleted distro is gone" GET /api/v1/distros/alma9

# ---- local per platform ----
out=$(curl -s "$BOOT/ipxe/v1/config?mac=$M2&platform=pcbios")
expect_contains "$out" "sanboot --no-describe --drive 0x80" "BIOS local boot: sanboot"
out=$(curl -s "$BOOT/ipxe/v1/config?mac=$M2&platform=efi")
expect_contains "$out" "local reason=host-local platform=efi method=grub" "EFI local boot: the disk-finding grub by default"
expect_contains "$out" "chain $BOOT/files/tftp/bootyard-localboot.efi" "EFI default chains bootyard-localboot.efi"
api PATCH /api/v1/hosts/node2 '{"local_boot":"exit1"}'
out=$(curl -s "$BOOT/ipxe/v1/config?mac=$M2&platform=efi")
expect_contains "$out" "local reason=host-local platform=efi method=exit1" "per-host exit1 local boot"
api PATCH /api/v1/hosts/node2 '{"local_boot":"nofile"}'
out=$(curl -s "$BOOT/ipxe/v1/config?mac=$M2&platform=efi")
expect_contains "$out" "method=grub" "per-host nofile reaching iPXE anyway: grub on EFI"
out=$(curl -s "$BOOT/ipxe/v1/config?mac=$M2&platform=pcbios")
expect_contains "$out" "sanboot --no-describe --drive 0x80" "per-host nofile reaching iPXE anyway: sanboot on BIOS"
api PATCH /api/v1/hosts/node2 '{"local_boot":"grub"}'
out=$(curl -s "$BOOT/ipxe/v1/config?mac=$M2&platform=efi")
expect_contains "$out" "chain $BOOT/files/tftp/bootyard-localboot.efi" "per-host grub local boot"

# ---- install once ----
api_expect 200 "reinstall" POST /api/v1/hosts/node2/reinstall '{"distro":"debian12"}'
expect_contains "$body" '"action":"install"' "host flagged"
api_expect 409 "distro in use cannot be deleted" DELETE /api/v1/distros/debian12
out=$(curl -s "$BOOT/ipxe/v1/config?mac=$M2&platform=pcbios")
expect_contains "$out" "kernel $BOOT/files/debian12/linux auto=true priority=critical bootyard.token=" "install script"
expect_contains "$out" "initrd $BOOT/files/debian12/initrd.gz" "install initrd"
tok=$(grep -o 'bootyard.token=[0-9a-f]*' <<<"$out" | cut -d= -f2)
expect_eq "${#tok}" 32 "token of 32 hex digits"
out=$(curl -s "$BOOT/ipxe/v1/install/$tok/preseed.cfg")
expect_contains "$out" "get_hostname string node2" "install file rendered"
expect_contains "$out" "$BOOT/ipxe/v1/done?token=$tok" "install file has the done URL"
expect_contains "$out" "# rack r9" "install file has attributes"
expect_eq "$(code "$BOOT/ipxe/v1/install/$tok/other.cfg")" 404 "other install file name"
expect_eq "$(code "$BOOT/ipxe/v1/done?token=$tok" -X POST)" 200 "done"
out=$(curl -s "$BOOT/ipxe/v1/config?mac=$M2&platform=pcbios")
expect_contains "$out" "local reason=host-local" "after done: local boot"
expect_eq "$(code "$BOOT/ipxe/v1/done?token=$tok")" 410 "token reuse refused"
expect_eq "$(code "$BOOT/ipxe/v1/install/$tok/preseed.cfg")" 410 "used token cannot fetch"
expect_eq "$(code "$BOOT/ipxe/v1/done?token=0123456789abcdef0123456789abcdef")" 404 "unknown token"
api GET "/api/v1/events?mac=$M2"
expect_contains "$body" '"kind":"install-fetch"' "install-fetch event"
expect_contains "$body" '"kind":"done"' "done event"

# ---- attempts spent: menu, and an event ----
"$BOOTYARD" -c "$CONF" host reinstall node2 --distro debian12 >/dev/null
for i in 1 2; do
	out=$(curl -s "$BOOT/ipxe/v1/config?mac=$M2&platform=efi")
	expect_contains "$out" "install reason=flagged" "install attempt $i"
done
out=$(curl -s "$BOOT/ipxe/v1/config?mac=$M2&platform=efi")
expect_contains "$out" "menu reason=install-exhausted" "attempts spent: menu"
api GET "/api/v1/events?mac=$M2"
expect_contains "$body" '"kind":"install-exhausted"' "install-exhausted event"
out=$(curl -s "$BOOT/ipxe/v1/config?mac=$M2&platform=efi")
expect_contains "$out" "menu reason=host-menu" "host stays on the menu"

# ---- reinstall of a flagged host restarts its attempt budget ----
api_expect 200 "reinstall with the host's own distro" POST /api/v1/hosts/node2/reinstall '{}'
out=$(curl -s "$BOOT/ipxe/v1/config?mac=$M2&platform=efi")
expect_contains "$out" "install reason=flagged" "first attempt"
api POST /api/v1/hosts/node2/reinstall '{}'
for i in 1 2; do
	out=$(curl -s "$BOOT/ipxe/v1/config?mac=$M2&platform=efi")
	expect_contains "$out" "install reason=flagged" "fresh budget, attempt $i"
done
api_expect 422 "reinstall takes only a distro" POST /api/v1/hosts/node2/reinstall '{"distro":"debian12","action":"menu"}'
api_expect 200 "back to local" POST /api/v1/hosts/node2/local
expect_contains "$body" '"action":"local"' "host local"
api PATCH /api/v1/hosts/node2 '{"action":"menu"}'
expect_contains "$body" '"action":"menu"' "host on the menu again"

# ---- menu choice: reinstall from the menu, that boot only ----
out=$(curl -s "$BOOT/ipxe/v1/config?mac=$M2&platform=efi&choice=install&distro=debian12")
expect_contains "$out" "install reason=menu-choice" "reinstall chosen in the menu"
api GET /api/v1/hosts/node2
expect_contains "$body" '"action":"menu"' "the choice does not flag the host"
out=$(curl -s "$BOOT/ipxe/v1/config?mac=$M2&platform=efi")
expect_contains "$out" "menu reason=host-menu" "the next boot gets the menu again"
out=$(curl -s "$BOOT/ipxe/v1/config?mac=$M2&platform=efi&choice=shell")
expect_contains "$out" "shell ||" "shell chosen in the menu"
api_expect 200 "POST host local" POST /api/v1/hosts/node2/local
out=$(curl -s "$BOOT/ipxe/v1/config?mac=$M2&platform=efi&choice=install&distro=debian12")
expect_contains "$out" "local reason=host-local" "no install from a forged choice for a local host"

# ---- a kernel per architecture: arm64 clients ----
api_expect 201 "POST a distro with an arm64 kernel only" POST /api/v1/distros '{"name":"armdeb","kernels":{"aarch64":{"kernel":"armdeb/arm64/linux","initrd":["armdeb/arm64/initrd.gz"]}}}'
expect_contains "$body" '"kernel":null,"initrd":null,"kernels":{"arm64":{"kernel":"armdeb/arm64/linux","initrd":"armdeb/arm64/initrd.gz"}}' \
	"no amd64 kernel (null), the arm64 one under kernels"
api_expect 422 "an unknown architecture is refused" POST /api/v1/distros '{"name":"bad","kernels":{"riscv64":{"kernel":"k","initrd":"i"}}}'
api_expect 422 "an architecture given twice is refused" POST /api/v1/distros '{"name":"bad","kernel":"k","initrd":"i","arch":"x86_64","kernels":{"amd64":{"kernel":"k","initrd":"i"}}}'
api GET /api/v1/distros/debian12
expect_contains "$body" '"kernels":{"amd64":{"kernel":"debian12/linux"' "the amd64 kernel under kernels too"
M3=52:54:00:aa:00:03
sleep 1.1 # menus see a new distribution within a second
out=$(curl -s "$BOOT/ipxe/v1/config?mac=$M3&platform=efi&buildarch=arm64")
expect_contains "$out" "item install_0 Reinstall armdeb" "an arm64 menu offers the arm64 distribution"
[[ $out != *"Reinstall debian12"* && $out != *memtest* ]] ||
	fail "an arm64 menu offers an amd64-only distribution or memtest: $out"
out=$(curl -s "$BOOT/ipxe/v1/config?mac=$M3&platform=efi&buildarch=x86_64")
[[ $out == *"Reinstall debian12"* && $out != *"Reinstall armdeb"* && $out == *memtest* ]] ||
	fail "an x86 menu: debian12 and memtest, not armdeb: $out"
api_expect 201 "an arm64 host flagged for an amd64-only distribution" POST /api/v1/hosts "{\"mac\":\"$M3\",\"hostname\":\"arm3\",\"action\":\"install\",\"distro\":\"debian12\"}"
out=$(curl -s "$BOOT/ipxe/v1/config?mac=$M3&platform=efi&buildarch=arm64")
expect_contains "$out" "menu reason=no-kernel-for-arch platform=efi distro=debian12 arch=arm64" "no kernel for its architecture: the menu"
expect_contains "$out" "debian12 has no arm64 kernel" "the menu says why"
[[ $out != *"debian12/linux"* ]] || fail "another architecture's kernel was served: $out"
api GET /api/v1/hosts/arm3
expect_contains "$body" '"attempts":0' "no attempt spent"
expect_contains "$body" '"action":"install"' "still flagged"
api GET "/api/v1/events?mac=$M3"
expect_contains "$body" '"kind":"install-no-kernel","detail":"debian12 has no arm64 kernel' "an install-no-kernel event"
api PATCH /api/v1/hosts/arm3 '{"distro":"armdeb"}'
out=$(curl -s "$BOOT/ipxe/v1/config?mac=$M3&platform=efi&buildarch=arm64")
expect_contains "$out" "kernel $BOOT/files/armdeb/arm64/linux " "the arm64 kernel for an arm64 client"
expect_contains "$out" "initrd $BOOT/files/armdeb/arm64/initrd.gz" "and its initrd"
out=$(curl -s "$BOOT/ipxe/v1/config?mac=$M3&platform=efi&buildarch=x86_64")
expect_contains "$out" "reason=no-kernel-for-arch" "the same host booting as x86: no kernel"
api DELETE /api/v1/hosts/arm3
api_expect 200 "arm64 distro removed" DELETE /api/v1/distros/armdeb

# ---- files ----
expect_eq "$(curl -s "$BOOT/files/debian12/linux" | cmp - "$STATE/files/debian12/linux" && echo same)" same "file body"
hdr=$(curl -sI "$BOOT/files/debian12/linux")
expect_contains "$hdr" "Content-Length: 300000" "HEAD length"
expect_contains "$hdr" "Last-Modified: " "Last-Modified"
expect_contains "$hdr" "Accept-Ranges: bytes" "Accept-Ranges"
etag=$(grep -i '^etag:' <<<"$hdr" | cut -d' ' -f2 | tr -d '\r')
expect_eq "$(code "$BOOT/files/debian12/linux" -H "If-None-Match: $etag")" 304 "If-None-Match"
expect_eq "$(code "$BOOT/files/debian12/linux" -r 100-199)" 206 "Range"
expect_eq "$(curl -s -r 100-199 "$BOOT/files/debian12/linux" | cmp - <(tail -c +101 "$STATE/files/debian12/linux" | head -c 100) && echo same)" same "Range body"
expect_eq "$(curl -s -r -10 "$BOOT/files/debian12/linux" | wc -c)" 10 "suffix Range"
expect_eq "$(code "$BOOT/files/debian12/linux" -r 300000-)" 416 "unsatisfiable Range"
expect_eq "$(code "$BOOT/files/tftp/memtest86+x64.bin")" 200 "TFTP tree under /files/tftp"
expect_eq "$(code "$BOOT/files/inside")" 200 "symlink inside the root"
expect_eq "$(code "$BOOT/files/escape")" 403 "symlink out of the root"
expect_eq "$(code "$BOOT/files/nope")" 404 "missing file"
expect_eq "$(code "$BOOT/files/debian12")" 404 "directory"

# ---- metrics, health, delete ----
expect_eq "$(code "$ADMIN/healthz")" 200 "healthz"
api_expect 200 "metrics" GET /metrics
expect_contains "$body" 'bootyard_http_requests_total{endpoint="config",code="2xx"}' "metrics: requests"
expect_contains "$body" 'bootyard_boot_decisions_total{decision="install"}' "metrics: decisions"
expect_contains "$body" 'bootyard_http_request_duration_seconds_bucket{le="+Inf"}' "metrics: histogram"
expect_contains "$body" "bootyard_events_dropped_total 0" "metrics: no event dropped"
expect_contains "$body" "bootyard_dnsmasq_restarts_total" "metrics: dnsmasq restarts"
expect_eq "$(code "$ADMIN/metrics")" 401 "metrics need the token"
api_expect 200 "DELETE host" DELETE /api/v1/hosts/node2
api_expect 404 "deleted host is gone" GET /api/v1/hosts/node2

# ---- access log: one line per request ----
n=$(wc -l <"$TEST_TMP/access.log")
((n > 50)) || fail "access log has only $n lines"
ok "access log: $n lines"
grep -qE '^127\.0\.0\.1 "GET /ipxe/v1/config\?mac=52%3A54%3A00%3AAA%3A00%3A01&platform=efi&buildarch=x86_64" 200 [0-9]+ [0-9.]+ms menu$' \
	"$TEST_TMP/access.log" || fail "no access-log line for the first config request"
ok "access-log line: peer, method, target, status, bytes, time, decision"
# a download the client drops is logged as such, not as a complete one
head -c $((32 << 20)) /dev/zero >"$STATE/files/big.img"
python3 - "$BOOT_PORT" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /files/big.img HTTP/1.1\r\nHost: x\r\n\r\n")
s.recv(4096)
s.close()
PY
curl -sf -o /dev/null "$BOOT/files/debian12/initrd.gz" || fail "small file after the dropped one"
for _ in $(seq 50); do
	grep -q '"GET /files/big.img" 200 33554432 .* aborted$' "$TEST_TMP/access.log" && break
	sleep 0.1
done
expect_contains "$(grep 'GET /files/big.img' "$TEST_TMP/access.log")" " aborted" \
	"access log: a dropped download ends in 'aborted'"
expect_eq "$(grep '"GET /files/debian12/initrd.gz" 200 ' "$TEST_TMP/access.log" | tail -n 1 | awk '{print $NF}')" "-" \
	"access log: a complete download has no end field"
# files go out by sendfile, not copied through the process (the worker
# threads must tell libmicrohttpd that SIGPIPE is handled, or it copies)
strace -f -qq -e trace=sendfile,pread64 -o "$TEST_TMP/strace.out" -p "$(http_child_pid)" &
st=$!
# (strace may attach after the first download began: up to 5 tries)
for _ in 1 2 3 4 5; do
	sleep 0.2
	curl -sf -o "$TEST_TMP/big.copy" "$BOOT/files/big.img" || fail "big file download"
	grep -q "sendfile(" "$TEST_TMP/strace.out" && break
done
kill "$st"
wait "$st" 2>/dev/null
cmp -s "$TEST_TMP/big.copy" "$STATE/files/big.img" || fail "big file differs"
n=$(grep -c "sendfile(" "$TEST_TMP/strace.out")
((n > 0)) || fail "files are copied, not sent with sendfile ($(grep -c pread64 "$TEST_TMP/strace.out") preads, 0 sendfile)"
ok "files are sent with sendfile ($n calls for 32 MiB)"
check "server still serving" server_alive
http_stop_checked
done_checks
