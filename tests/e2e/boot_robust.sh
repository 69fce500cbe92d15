#!/usr/bin/env bash
# e2e/boot_robust: the local disk really boots, and boots survive
# failures (issue #9), with real firmware and boot order network first
# (NIC bootindex=1, marker disk bootindex=2). VM boots are kept few:
#   r1 OVMF, host local with the UEFI default (grub: iPXE chains
#      bootyard-localboot.efi, which finds the disk's BOOTX64.EFI): the
#      UEFI marker disk prints DISK-OK. Meanwhile single-port TFTP with
#      only UDP 67/69 and TCP 80 allowed in (nftables in the lab
#      namespace): OVMF's TFTP download of snponly.efi completes.
#   r2 SeaBIOS, host local_boot = nofile: dnsmasq gives it no boot file,
#      the iPXE ROM asks nothing over HTTP, the disk prints DISK-OK.
#   r3 SeaBIOS with bootyard's HTTP service unreachable (nftables reject
#      in the lab namespace): no script at all, still DISK-OK.
#   r4 reinstall loop: a stand-in installer that dies before `done`
#      three times (its done URL is broken: it powers off without
#      calling back; killing QEMU at a console line races the stand-in,
#      which calls done within a second of starting), then the host is no longer installed: the 4th boot gets the
#      menu, whose default (local disk) prints DISK-OK.
#   r5 retries: the host's kernel comes from a lab proxy that answers
#      the first fetch 503; iPXE retries, the installer runs and calls
#      done.
#   r6 three reboots after that done: each prints DISK-OK (sanboot).
#   r3u the same on OVMF: snponly.efi gets boot.ipxe over TFTP (the DHCP
#      filename), the script's config fetch fails, its fallback chains
#      bootyard-localboot.efi over TFTP: DISK-OK, not 224 s of OVMF
#      walking its PXEv6/HTTPv4/HTTPv6 entries.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/lib/lab.sh"
source "$TOP/tests/lib/qemu.sh"
source "$TOP/tests/e2e/appliance.bash"

app_require --ovmf python3 ss cpio nft mkfs.vfat mcopy syslinux grub-mkstandalone
T_ALL=$SECONDS

check "lab namespace and bridge" lab_start
app_init
app_config boot.menu_timeout=3 dhcp.tftp_single_port=yes
app_marker_disks

# the stand-in installer, its kernel behind a lab proxy (r5)
app_standin standin
printf 'done_url={{done_url}}\n' >"$TEST_TMP/install.cfg"
printf 'done_url=http://198.18.0.1:1/never\n' >"$TEST_TMP/install-dies.cfg"
PROXY_PORT=$((20000 + RANDOM % 20000))
cat >"$TEST_TMP/proxy503.py" <<'EOF'
# A lab file server that answers the first GET of each file 503.
import http.server, os, sys
seen = set()
class H(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        if self.path not in seen:
            seen.add(self.path)
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super().do_GET()
os.chdir(sys.argv[2])
http.server.ThreadingHTTPServer(("198.18.0.1", int(sys.argv[1])), H).serve_forever()
EOF
lab_bg "$TEST_TMP/proxy503.log" python3 "$TEST_TMP/proxy503.py" "$PROXY_PORT" "$APP_FILES"
check "distro add (kernel behind the 503 proxy)" \
	by distro add standin --kernel "http://$LAB_ADDR:$PROXY_PORT/standin/vmlinuz" \
	--initrd standin/initrd.gz --cmdline "console=ttyS0 panic=1 quiet" \
	--template "$TEST_TMP/install-dies.cfg" --template-name install.cfg
app_start

# ---- r1: UEFI local boot, the default method -----------------------------
lab_exec nft add table inet byfw
lab_exec nft add chain inet byfw in '{ type filter hook input priority 0; policy drop; }'
lab_exec nft add rule inet byfw in 'iifname "lo" accept'
lab_exec nft add rule inet byfw in 'udp dport { 67, 69 } accept'
lab_exec nft add rule inet byfw in 'tcp dport { 80, '"$PROXY_PORT"' } accept'
mu=52:54:00:c9:01:01
check "host add (UEFI, local)" by host add $mu --hostname r1
app_boot r1-uefi uefi $mu "DISK-OK" 150 "${APP_UDISK[@]}"
expect_contains "$(grep "$mu\|mac=52%3A54%3A00%3Ac9%3A01%3A01" "$APP_ACCESS")" "/ipxe/v1/config" "r1: the UEFI client asked for its config"
expect_contains "$(grep -c bootyard-localboot.efi "$APP_ACCESS")" "1" "r1: it chained bootyard-localboot.efi"
expect_contains "$(cat "$APP_LOG")" "single port mode" "r1: dnsmasq serves single-port TFTP"
qemu_wait "sent $APP_STATE/tftp/snponly.efi" 5 "$APP_LOG" ||
	app_fail "r1: no snponly.efi sent over TFTP"
ok "r1: single-port TFTP behind the port-69 firewall sent snponly.efi"
qemu_stop
lab_exec nft delete table inet byfw

# ---- r2: no boot file once installed (BIOS) ------------------------------
mn=52:54:00:c9:02:02
check "host add (local_boot = nofile)" by host add $mn --hostname r2 --local-boot nofile
n0=$(wc -l <"$APP_ACCESS")
app_boot r2-nofile bios $mn "DISK-OK" 90 "${APP_BDISK[@]}"
if tail -n +"$((n0 + 1))" "$APP_ACCESS" | grep -q "ipxe/v1"; then
	fail "r2: the nofile host asked for an iPXE script"
fi
ok "r2: no boot file, no script: the firmware went on to the disk"
qemu_stop

# ---- r3: HTTP unreachable (BIOS) -----------------------------------------
lab_exec nft add table inet byhttp
lab_exec nft add chain inet byhttp in '{ type filter hook input priority 0; }'
lab_exec nft add rule inet byhttp in 'tcp dport 80 reject with tcp reset'
app_boot r3-nohttp bios 52:54:00:c9:03:03 "DISK-OK" 120 "${APP_BDISK[@]}"
qemu_stop
# UEFI: snponly.efi gets the boot script over TFTP (DHCP filename
# tftp://.../boot.ipxe), its config fetch fails three times, and its
# fallback chains the disk-finding grub over TFTP: the disk, not minutes
# of OVMF walking its other network entries
mh=52:54:00:c9:03:13
check "host add (UEFI, local)" by host add $mh --hostname r3u
n0=$(grep -c "sent $APP_STATE/tftp/bootyard-localboot.efi" "$APP_LOG")
s0=$(grep -c "sent $APP_STATE/tftp/boot.ipxe" "$APP_LOG")
# (r1 reached the disk in ~42 s; OVMF's walk alone takes 224 s)
app_boot r3u-nohttp uefi $mh "DISK-OK" 120 "${APP_UDISK[@]}"
expect_eq "$(grep -c "sent $APP_STATE/tftp/boot.ipxe" "$APP_LOG")" "$((s0 + 1))" \
	"r3u: iPXE fetched its boot script over TFTP"
expect_contains "$(_qemu_text "$TEST_TMP/r3u-nohttp.serial")" \
	"booting the local disk" "r3u: the boot script's fallback ran"
expect_eq "$(grep -c "sent $APP_STATE/tftp/bootyard-localboot.efi" "$APP_LOG")" \
	"$((n0 + 1))" "r3u: the fallback fetched bootyard-localboot.efi over TFTP"
qemu_stop
lab_exec nft delete table inet byhttp

# ---- r4: reinstall loop ---------------------------------------------------
QEMU_NIC=virtio-net-pci
mr=52:54:00:c9:04:04
check "host add (install)" by host add $mr --hostname r4 --distro standin
check "host reinstall" by host reinstall r4
# the first kernel fetch of the proxy is spent here (503, then retried)
for i in 1 2 3; do
	app_boot "r4-kill$i" bios $mr "INSTALLER: started" 150 "${APP_BDISK[@]}"
	qemu_wait_exit 60 || app_fail "r4: the dying installer did not power off"
	expect_contains "$(qemu_tail 100)" "FAILED: calling" "r4-kill$i: the installer died before done"
	qemu_stop
done
app_boot r4-menu bios $mr "DISK-OK" 120 "${APP_BDISK[@]}"
qemu_stop
last=$(app_events $mr | grep config | tail -n 1)
expect_contains "$last" "menu" "r4: after three unfinished installs the host gets the menu"
ev=$(app_events $mr)
# `bootyard events` columns: date, time, MAC, EVENT, APPLIANCE, DETAIL
echo "$ev" | awk '$4 == "config"'
expect_eq "$(awk '$4 == "config" && $6 == "install"' <<<"$ev" | wc -l)" 3 "r4: exactly three install scripts were served"

# ---- r5: retries, then a real done ---------------------------------------
# a new proxy path: the reinstall fetches it first (503)
mkdir -p "$APP_FILES/standin2"
cp "$APP_FILES/standin/vmlinuz" "$APP_FILES/standin2/vmlinuz"
chmod -R a+rX "$APP_FILES"
check "distro set: kernel behind the proxy again" \
	by distro add standin2 --kernel "http://$LAB_ADDR:$PROXY_PORT/standin2/vmlinuz" \
	--initrd standin/initrd.gz --cmdline "console=ttyS0 panic=1 quiet" \
	--template "$TEST_TMP/install.cfg"
check "host set --distro standin2" by host set r4 --distro standin2
check "host reinstall" by host reinstall r4
app_boot r5-install bios $mr "INSTALLER: started" 150 "${APP_BDISK[@]}"
qemu_wait_exit 60 || app_fail "r5: the installer did not power off"
expect_contains "$(qemu_tail 200)" "INSTALLER: DONE" "r5: the installer finished"
expect_contains "$(qemu_tail 400)" "retrying" "r5: iPXE said it retried the fetch"
expect_contains "$(cat "$TEST_TMP/proxy503.log")" '"GET /standin2/vmlinuz HTTP/1.1" 503' "r5: the first kernel fetch got 503"
expect_contains "$(cat "$TEST_TMP/proxy503.log")" '"GET /standin2/vmlinuz HTTP/1.1" 200' "r5: the retry got the kernel"
expect_contains "$(by host show r4)" "local" "r5: done: the host is back to local boot"

# ---- r6: three reboots after done reach the disk --------------------------
QEMU_NIC=e1000 # no Linux to boot now: the e1000 ROM is faster under TCG
for i in 1 2 3; do
	app_boot "r6-reboot$i" bios $mr "DISK-OK" 90 "${APP_BDISK[@]}"
	qemu_stop
done
expect_eq "$(app_events $mr | grep config | tail -n 3 | grep -c local)" 3 "r6: each reboot was told to boot locally"

app_stop
echo "boot_robust: $((SECONDS - T_ALL)) s in all"
done_checks
