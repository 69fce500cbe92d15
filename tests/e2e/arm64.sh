#!/usr/bin/env bash
# e2e/arm64: an ARM64 UEFI client through bootyard (#17).
#   `bootyard build-ipxe --images arm64/snponly.efi` cross-compiles iPXE
#   for arm64 with the boot script embedded (gcc-aarch64-linux-gnu; the
#   build tree is the shared cache's, $BOOTYARD_IPXE_CACHE: in CI
#   integration/ipxe_build built every image, arm64 included, so this is
#   a relink). A host flagged for install: qemu-system-aarch64 -machine
#   virt with AAVMF and a virtio NIC without option ROM PXE-boots: DHCP
#   with option 93 = 11 -> arm64/snponly.efi over TFTP -> its config ->
#   the arm64 kernel and initrd of debian-installer-12-netboot-arm64 over
#   HTTP; d-i fetches its preseed, whose preseed/early_command calls
#   {{done_url}} (no package mirror in the lab: see real_installer.sh).
#   The host is then local: on its next boot the same VM gets a local
#   decision ("exit 1" on ARM64: docs/arches.md) and AAVMF goes on to a
#   marker disk behind the NIC (about 80 s after the decision under TCG).
# Timings (power-on to config, to callback, to the disk) are printed at
# the end. Measured 2026-12-06 at load ~10: config 19 s, preseed 189 s,
# done 285 s, local decision 21 s, disk 100 s; the whole test 401 s.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/lib/lab.sh"
source "$TOP/tests/lib/qemu.sh"
source "$TOP/tests/e2e/appliance.bash"
source "$TOP/tests/integration/ipxe_lib.bash"

app_require python3 ss "$QEMU_ARM64"
[[ -r $AAVMF_CODE && -r $AAVMF_VARS ]] || skip "no AAVMF ($AAVMF_CODE; qemu-efi-aarch64)"
DI=/usr/lib/debian-installer/images/12/arm64/text/debian-installer/arm64
[[ -f $DI/linux && -f $DI/initrd.gz ]] ||
	skip "debian-installer-12-netboot-arm64 is not installed (debian-packages.txt)"
ipxe_require
command -v aarch64-linux-gnu-gcc >/dev/null ||
	skip "no aarch64-linux-gnu-gcc (gcc-aarch64-linux-gnu): no arm64 iPXE"

check "lab namespace and bridge" lab_start
app_init
app_config ipxe.build_config=serial

# ---- arm64 iPXE, built (or relinked) from the shared cache ---------------
t=$SECONDS
timeout 1200 "$BOOTYARD" -c "$APP_CONF" build-ipxe --config serial \
	--images arm64/snponly.efi >"$TEST_TMP/build-ipxe.log" 2>&1 || {
	tail -n 20 "$TEST_TMP/build-ipxe.log"
	fail "build-ipxe arm64/snponly.efi failed"
}
t_build=$((SECONDS - t))
cat "$TEST_TMP/build-ipxe.log"
ok "arm64/snponly.efi built in $t_build s"
expect_contains "$(file -b "$APP_STATE/ipxe/arm64/snponly.efi")" "Aarch64" \
	"arm64/snponly.efi is an arm64 EFI image"

# ---- the distribution: d-i's arm64 kernel and initrd ---------------------
mkdir -p "$APP_FILES/di-arm64"
cp "$DI/linux" "$DI/initrd.gz" "$APP_FILES/di-arm64/"
by template show debian-preseed.cfg >"$TEST_TMP/preseed.cfg"
cat >>"$TEST_TMP/preseed.cfg" <<'EOF'

# e2e/arm64: no package mirror in the lab, so call back now
d-i preseed/early_command string wget -q -O /dev/null '{{done_url}}'
EOF
# netcfg asks for a name server before it reads the preseed when DHCP
# gives none (the lab's dnsmasq has DNS off); hostname/domain on the
# command line: netcfg runs before the preseed is read (DESIGN.md)
check "distro add (d-i arm64)" \
	by distro add di-arm64 --arch arm64 --kernel di-arm64/linux --initrd di-arm64/initrd.gz --cmdline "auto=true priority=critical url={{install_url}} hostname={{hostname}} domain=lab netcfg/get_nameservers=$LAB_ADDR console=ttyAMA0" --template "$TEST_TMP/preseed.cfg" --template-name preseed.cfg
chmod -R a+rX "$APP_FILES"
mac=52:54:00:a6:40:01
check "host add --action install" by host add $mac --hostname arm1 \
	--distro di-arm64 --action install
app_start

# ---- first boot: PXE (arch 11) -> arm64 iPXE -> config -> d-i -> done ----
QEMU_MEM=1024
t0=$SECONDS
APP_MAC=$mac
qemu_start arm64-install arm64 $mac || app_fail "QEMU did not start"
app_wait_access "/ipxe/v1/config\?mac=${mac//:/(:|%3A)}.*buildarch=arm64" 300 ||
	app_fail "the arm64 client did not ask for its config within 300 s"
t_config=$((SECONDS - t0))
ok "arm64 iPXE asked for its config $t_config s after power-on"
app_wait_access "/files/di-arm64/initrd.gz" 120 ||
	app_fail "iPXE did not fetch d-i's arm64 initrd"
app_wait_di "d-i (arm64)" 600 180
qemu_stop

log=$(app_access)
expect_contains "$log" "/files/di-arm64/linux" "iPXE fetched the arm64 kernel over HTTP"
ev=$(app_events $mac)
echo "$ev"
expect_tftp $mac "arm64/snponly.efi" "events: arm64/snponly.efi sent over TFTP"
expect_contains "$ev" "install-fetch" "the preseed fetch is an event"
check "the lease records option 93 = 11" python3 -c '
import json, sys
ls = json.loads(sys.stdin.read())
ls = ls if isinstance(ls, list) else ls.get("leases", [])
sys.exit(0 if any(l["mac"] == sys.argv[1] and l["arch"] == 11 for l in ls) else 1)' \
	$mac <<<"$(by --json leases)"
expect_contains "$(by host show arm1)" "local" "the host is local after done"

# ---- second boot: local ("exit 1" on ARM64) ------------------------------
n=$(grep -c "/ipxe/v1/config" "$APP_ACCESS")
disk=()
if command -v mkfs.vfat >/dev/null && command -v mcopy >/dev/null; then
	# marker disk: a FAT image whose EFI/BOOT/BOOTAA64.EFI is d-i's
	# arm64 kernel (an EFI stub program: it prints "EFI stub")
	truncate -s 64M "$TEST_TMP/disk.img"
	mkfs.vfat "$TEST_TMP/disk.img" >/dev/null &&
		mmd -i "$TEST_TMP/disk.img" ::/EFI ::/EFI/BOOT &&
		mcopy -i "$TEST_TMP/disk.img" "$DI/linux" ::/EFI/BOOT/BOOTAA64.EFI ||
		fail "cannot make the marker disk (dosfstools, mtools)"
	disk=(-drive "file=$TEST_TMP/disk.img,format=raw,if=none,id=d0,snapshot=on"
		-device virtio-blk-pci,drive=d0,bootindex=2)
else
	echo "no marker disk (dosfstools, mtools missing): the disk is not checked"
fi
t0=$SECONDS
qemu_start arm64-local arm64 $mac "${disk[@]}" || app_fail "second QEMU did not start"
app_wait_access "/ipxe/v1/config\?mac=${mac//:/(:|%3A)}.* local\$" 300 ||
	app_fail "the second boot got no local decision within 300 s"
t_local=$((SECONDS - t0))
ok "second boot: local decision $t_local s after power-on"
(($(grep -c "/ipxe/v1/config" "$APP_ACCESS") > n)) || fail "no config request on the second boot"
t_disk=
if ((${#disk[@]})); then
	qemu_wait "EFI stub" 300 || app_fail "the firmware did not reach the marker disk within 300 s"
	t_disk=$((SECONDS - t0))
	ok "after exit 1 the firmware reached the disk $t_disk s after power-on"
fi
qemu_stop
echo "timings (TCG): build $t_build s; power-on to config $t_config s, to preseed $t_fetch s, to done $t_done s; local decision $t_local s${t_disk:+, disk $t_disk s}"
app_stop
done_checks
