#!/usr/bin/env bash
# e2e/real_installer: the real Debian installer through bootyard (#18).
#   `distro import` of the files debian-installer-12-netboot-amd64
#   installs (/usr/lib/debian-installer/images/12/amd64/text), then a
#   newcomer's path: host add --action install. A BIOS client (SeaBIOS +
#   the virtio-net iPXE ROM, -m 1024) gets DHCP from the lab dnsmasq,
#   chains iPXE and its config, boots d-i's own kernel and initrd over
#   HTTP; d-i reads url={{install_url}} from the imported command line and
#   fetches its preseed, rendered for this host (hostname, attributes).
#   There is no package mirror in the lab, so d-i could never reach the
#   stock preseed's late_command: the preseed used here is the stock one
#   plus a preseed/early_command that calls {{done_url}} (d-i runs it just
#   after reading the preseed). The host is then local, and the same VM's
#   next boot reaches its local disk (a marker disk that prints DISK-OK).
# Time: d-i fetches its preseed 77-92 s after power-on under TCG
# (DESIGN.md); bounds 300 s for that, 120 s for the callback.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/lib/lab.sh"
source "$TOP/tests/lib/qemu.sh"
source "$TOP/tests/e2e/appliance.bash"

app_require python3 ss
DI=/usr/lib/debian-installer/images/12/amd64/text
[[ -f $DI/debian-installer/amd64/linux ]] ||
	skip "debian-installer-12-netboot-amd64 is not installed (debian-packages.txt)"

check "lab namespace and bridge" lab_start
app_init
app_config
app_marker_disks

# ---- a newcomer's path: import, host add, boot ---------------------------
t=$SECONDS
expect_exit 0 by distro import deb12 --from "$DI"
t_import=$((SECONDS - t))
echo "$out"
ok "distro import of the netboot package took $t_import s"
expect_contains "$out" "Debian 12 (netboot tree), amd64" "recognised as Debian 12"
# its arm64 kernel beside it (debian-installer-12-netboot-arm64): this
# x86 client must still get the amd64 one
DI64=/usr/lib/debian-installer/images/12/arm64/text
if [[ -f $DI64/debian-installer/arm64/linux ]]; then
	expect_exit 0 by distro import deb12 --from "$DI64"
	expect_contains "$out" "architectures added: Debian 12 (netboot tree), arm64" "the arm64 tree added to deb12"
fi
expect_exit 0 by --json distro show deb12
expect_contains "$out" '"cmdline": "auto=true priority=critical url={{install_url}}' \
	"the imported command line points d-i at its preseed"

# The test's preseed: the stock one, and done called from early_command
# (no mirror here: see above).
by template show debian-preseed.cfg >"$TEST_TMP/preseed.cfg"
cat >>"$TEST_TMP/preseed.cfg" <<'EOF'

# e2e/real_installer: no package mirror in the lab, so call back now;
# first a request whose path shows what this host's variables rendered as.
d-i preseed/early_command string \
    wget -q -O /dev/null '{{server}}/files/rendered-{{hostname}}-{{attr.domain}}-{{attr.timezone}}' ; \
    wget -q -O /dev/null '{{done_url}}'
EOF
check "template check of the test preseed" by template check "$TEST_TMP/preseed.cfg"
# Added to the imported command line for the lab only: console=ttyS0 so
# that a failure shows d-i's screen in the log; and a name server, since
# the lab's DHCP (dnsmasq with DNS off) hands out none and netcfg would
# stop to ask for one before it fetches the preseed (a real network's
# DHCP gives one).
cmdline=$(by --json distro show deb12 | python3 -c 'import json,sys; print(json.load(sys.stdin)["cmdline"])')
check "distro set (test preseed, serial console, name server)" by distro set deb12 \
	--template "$TEST_TMP/preseed.cfg" --template-name preseed.cfg \
	--cmdline "$cmdline netcfg/get_nameservers=$LAB_ADDR console=ttyS0,115200"
chmod -R a+rX "$APP_FILES"

mac=52:54:00:18:00:01
check "host add --action install" by host add $mac --hostname node18 \
	--distro deb12 --action install --attr domain=lab.example \
	--attr timezone=Europe/Berlin
app_start

QEMU_NIC=virtio-net-pci
QEMU_MEM=1024
t0=$SECONDS
qemu_start di-install bios $mac "${APP_BDISK[@]}" || app_fail "QEMU did not start"
app_wait_di d-i 300 120
qemu_stop
log=$(app_access)
expect_contains "$log" "/files/deb12/amd64/linux" "iPXE fetched d-i's kernel over HTTP"
expect_contains "$log" "/files/deb12/amd64/initrd.gz" "iPXE fetched d-i's initrd over HTTP"
ev=$(app_events $mac)
echo "$ev"
expect_contains "$ev" "install-fetch" "the preseed fetch is an event"
expect_contains "$(by host show node18)" "local" "the host is local after done"

expect_contains "$log" "/files/rendered-node18-lab.example-Europe/Berlin" \
	"the preseed d-i ran was rendered for this host"
# the access log redacts tokens: the one d-i used comes from the database
tok=$(sqlite3 -cmd '.timeout 5000' "$APP_STATE/db/bootyard.db" \
	"SELECT t.token FROM install_tokens t JOIN host_macs m ON m.host_id = t.host_id
	 WHERE m.mac = '$mac' AND t.used IS NOT NULL ORDER BY t.issued DESC LIMIT 1")
[[ -n $tok ]] || app_fail "no used install token recorded for $mac"
expect_contains "$log" "/ipxe/v1/install/${tok:0:4}.../preseed.cfg" \
	"the access log shows the preseed URL with its token redacted"
expect_eq "$(lab_exec curl -s -m 5 -o /dev/null -w '%{http_code}' "http://$LAB_ADDR/ipxe/v1/install/$tok/preseed.cfg")" \
	410 "the preseed's token is used up after done"

# ---- the next boot reaches the local disk ---------------------------------
n=$(grep -c "/ipxe/v1/config" "$APP_ACCESS")
qemu_start di-again bios $mac "${APP_BDISK[@]}" || app_fail "second QEMU did not start"
qemu_wait "DISK-OK" 120 || app_fail "the second boot did not reach the local disk"
ok "the next boot reached the local disk (DISK-OK)"
(($(grep -c "/ipxe/v1/config" "$APP_ACCESS") > n)) || fail "no config request on the second boot"
qemu_stop
echo "timings: import $t_import s; d-i fetched its preseed $t_fetch s and called done $t_done s after power-on"
app_stop
done_checks
