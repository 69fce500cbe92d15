#!/usr/bin/env bash
# e2e/secureboot: uefi_loader = shim, the per-host decision rendered as
# grub files in the TFTP tree (docs/secureboot.md).
#
#   0. No QEMU: the grub files follow the database. A host added with the
#      CLI gets grub/mac/<mac>.cfg; a change through the CLI and through
#      the admin API re-renders it; a change that cannot be rendered (a
#      kernel given as an http URL, which grub cannot fetch over TFTP)
#      leaves the previous file; removing the host removes the file.
#   1. Secure Boot ON (OVMF_CODE_4M.secboot.fd, a copy of
#      OVMF_VARS_4M.ms.fd, q35 smm=on, pflash secure=on): a host flagged
#      for install boots shim -> signed grub -> its grub file -> the signed
#      Debian cloud kernel with the stand-in installer, whose kernel log
#      says "Secure boot enabled"; the installer fetches its install file
#      and calls done; the file is re-rendered to local boot and the next
#      boot of the same machine is told so: with local_boot = grub, grub
#      finds the disk's EFI loader and chainloads it, and the disk's own
#      signed shim and grub print DISK-OK (a signed marker disk).
#   2. An unknown MAC (Secure Boot on) gets the default grub menu, without
#      the memory test (memtest86+ is not signed).
#   3. Secure Boot OFF (plain OVMF), the same shim path: an unknown MAC
#      gets the default menu, now with the memory test; choosing
#      "Reinstall standin" asks the appliance over TFTP, which records a
#      one-boot token and renders the machine's file with that install
#      (no host is created, nothing is flagged); grub loads it, the
#      kernel boots (without Secure Boot), the installer calls done; once
#      grub has fetched the file it is gone again (the default menu for
#      the next boot) and the machine is still no host.
# Also: `distro add` of the signed kernel warns of nothing and `distro
# show` says it is signed; an unsigned kernel is warned about.
# Time bound: about 3 minutes under TCG.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/lib/lab.sh"
source "$TOP/tests/lib/qemu.sh"
source "$TOP/tests/e2e/appliance.bash"

app_require python3 ss cpio curl
SB_CODE=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd
SB_VARS=/usr/share/OVMF/OVMF_VARS_4M.ms.fd
for f in $SB_CODE $SB_VARS /usr/lib/shim/shimx64.efi.signed \
	/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed; do
	[[ -f $f ]] || skip "no $f (ovmf, shim-signed, grub-efi-amd64-signed)"
done

check "lab namespace and bridge" lab_start
app_init
TOKEN=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
(umask 077 && printf '%s\n' "$TOKEN" >"$TEST_TMP/admin.token")
ADMIN_PORT=$((20000 + RANDOM % 20000)) # the lab namespace's own loopback
app_config dhcp.uefi_loader=shim boot.menu_timeout=5 \
	admin.listen=127.0.0.1:$ADMIN_PORT admin.token_file="$TEST_TMP/admin.token"
GRUB=$APP_STATE/tftp/grub

# The distribution: the signed cloud kernel and the stand-in installer.
app_standin standin
app_standin_template "$TEST_TMP/install.cfg"
expect_exit 0 by distro add standin --kernel standin/vmlinuz --initrd standin/initrd.gz \
	--cmdline "console=ttyS0 panic=1" --template "$TEST_TMP/install.cfg"
[[ $err != *warning* ]] || fail "distro add warned about a signed kernel: $err"
ok "distro add: no warning for the signed cloud kernel"
expect_contains "$(by distro show standin)" "signed:    yes (/CN=Debian Secure Boot CA)" \
	"distro show: the kernel is signed"
cp /usr/lib/ipxe/ipxe.efi "$APP_FILES/unsigned.efi"
expect_exit 0 by distro add unsigned --kernel unsigned.efi --initrd standin/initrd.gz
expect_contains "$err" "is not signed" "distro add warns about an unsigned kernel"
expect_contains "$(by distro show unsigned)" "signed:    no" "distro show: not signed"
check "distro rm unsigned" by distro rm unsigned
check "distro add (a kernel grub cannot fetch: an http URL)" \
	by distro add urlkern --kernel "http://$LAB_ADDR/files/standin/vmlinuz" \
	--initrd standin/initrd.gz
mac=52:54:00:5b:00:01
check "host add (flagged for install)" by host add $mac --hostname sb1 --distro standin
check "host reinstall" by host reinstall sb1
app_start

# wait_file FILE PATTERN SECONDS: until FILE contains PATTERN.
wait_file() {
	local end=$((SECONDS + $3))
	until grep -q -- "$2" "$1" 2>/dev/null; do
		((SECONDS < end)) || return 1
		sleep 0.5
	done
}
api() {
	lab_exec curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$@"
}

# ---- 0. the grub files follow the database ------------------------------
check "grub/grub.cfg is the dispatcher" \
	grep -q 'configfile "(tftp,198.18.0.1)/grub/mac/${net_default_mac}.cfg"' "$GRUB/grub.cfg"
check "grub/default.cfg is the menu for unknown machines" \
	grep -q "menuentry 'Reinstall standin" "$GRUB/default.cfg"
check "the install file of sb1 carries its token" \
	wait_file "$GRUB/mac/$mac.cfg" "bootyard.token=" 5
expect_contains "$(by host show sb1)" "1 install script(s)" "rendering the file issued one token"

m2=52:54:00:5b:00:02
check "host add (CLI)" by host add $m2 --hostname sb2
check "its file is rendered (local)" wait_file "$GRUB/mac/$m2.cfg" "booting the local disk" 5
check "host set --action menu (CLI)" by host set sb2 --action menu
check "its file is re-rendered (menu)" wait_file "$GRUB/mac/$m2.cfg" "menuentry" 5
code=$(api -X POST -d '{}' "http://127.0.0.1:$ADMIN_PORT/api/v1/hosts/sb2/local")
expect_eq "$code" 200 "admin API: host local"
check "its file is re-rendered (local, after the API)" \
	wait_file "$GRUB/mac/$m2.cfg" "bootyard $m2: local" 5
before=$(cat "$GRUB/mac/$m2.cfg")
check "host reinstall with a URL kernel (CLI)" by host reinstall sb2 --distro urlkern
check "the render failure is logged" wait_file "$APP_LOG" "not rendered, the previous ones stay" 5
expect_eq "$(cat "$GRUB/mac/$m2.cfg")" "$before" "a render failure leaves the previous file"
code=$(api -X DELETE "http://127.0.0.1:$ADMIN_PORT/api/v1/hosts/sb2")
expect_eq "$code" 200 "admin API: host removed"
end=$((SECONDS + 5))
while [[ -e $GRUB/mac/$m2.cfg ]] && ((SECONDS < end)); do sleep 0.5; done
check "removing the host removes its file" test ! -e "$GRUB/mac/$m2.cfg"

# sb_boot NAME on|off MAC PATTERN SECONDS [QEMU ARGS]: a UEFI client on
# the shim path, with Secure Boot on or off.
sb_boot() {
	local name=$1 sb=$2 mac=$3 pat=$4 secs=$5
	shift 5
	if [[ $sb == on ]]; then
		OVMF_CODE=$SB_CODE OVMF_VARS=$SB_VARS app_boot "$name" uefi "$mac" \
			"$pat" "$secs" -machine q35,smm=on \
			-global driver=cfi.pflash01,property=secure,value=on "$@"
	else
		OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd \
			OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd \
			app_boot "$name" uefi "$mac" "$pat" "$secs" "$@"
	fi
}
QEMU_MEM=512

# ---- 1. Secure Boot on: install, done, local ----------------------------
sb_boot sb-install on $mac "INSTALLER: started" 150
qemu_wait_exit 60 || app_fail "sb: the installer did not power off"
con=$(qemu_tail 400)
expect_contains "$con" "bootyard: installing standin on $mac" "sb: grub read the host's file"
expect_contains "$con" "Secure boot enabled" "sb: the kernel says Secure Boot is enabled"
expect_contains "$con" "INSTALLER: DONE" "sb: the installer finished"
expect_contains "$con" "INSTALLER: | hostname=sb1" "sb: the install file was rendered for this host"
expect_contains "$(app_access)" "/ipxe/v1/done" "sb: the installer called done"
expect_contains "$(by host show sb1)" "local" "sb: the host is back to local boot"
check "sb: its grub file is re-rendered to local boot" \
	wait_file "$GRUB/mac/$mac.cfg" "bootyard $mac: local" 5
ev=$(app_events $mac)
echo "$ev"
expect_eq "$(grep -c grub-fetch <<<"$ev")" 1 "sb: one boot is one fetch of its file: one install attempt"

# sb_marker_disk IMG: a disk with one EFI system partition whose
# removable-media loader is the signed shim + Debian's signed grub, with a
# grub.cfg that prints DISK-OK: what a Secure Boot machine's own disk
# looks like. (A partition: shim started from a partition-less FAT
# "superfloppy" by grub finds no file system for its grubx64.efi.)
sb_marker_disk() {
	local img=$1 cfg=$TEST_TMP/disk-grub.cfg
	command -v mkfs.vfat >/dev/null && command -v mcopy >/dev/null &&
		command -v sfdisk >/dev/null || return 1
	printf '%s\n' 'echo "DISK-OK: booted from the local disk"' 'sleep 30' >"$cfg"
	rm -f "$img"
	truncate -s 40M "$img" &&
		printf 'label: dos\nstart=2048, type=ef\n' | sfdisk -q "$img" &&
		mkfs.vfat --offset 2048 -F 16 -n BYDISK "$img" >/dev/null &&
		mmd -i "$img@@1M" ::EFI ::EFI/BOOT &&
		mcopy -i "$img@@1M" /usr/lib/shim/shimx64.efi.signed ::EFI/BOOT/BOOTX64.EFI &&
		mcopy -i "$img@@1M" /usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed ::EFI/BOOT/grubx64.efi &&
		mcopy -i "$img@@1M" "$cfg" ::EFI/BOOT/grub.cfg
}
check "host set --local-boot grub (chainload the disk's loader)" \
	by host set sb1 --local-boot grub
check "its file chainloads the disk's EFI loader" \
	wait_file "$GRUB/mac/$mac.cfg" "chainloader" 5
if sb_marker_disk "$TEST_TMP/sbdisk.img"; then
	sb_boot sb-again on $mac "bootyard: booting the local disk" 90 \
		-drive "file=$TEST_TMP/sbdisk.img,format=raw,if=none,id=d0" \
		-device ide-hd,drive=d0,bootindex=2
	ok "sb: the next boot was told to boot locally"
	qemu_wait "DISK-OK" 60 || app_fail "sb: the disk's own signed loader did not run"
	ok "sb: grub chainloaded the disk's signed loader under Secure Boot (DISK-OK)"
else
	sb_boot sb-again on $mac "bootyard: booting the local disk" 90
	ok "sb: the next boot was told to boot locally (no mtools: DISK-OK not checked)"
fi
qemu_stop

# ---- 2. an unknown MAC gets the default menu -----------------------------
unk=52:54:00:5b:00:99
sb_boot sb-unknown on $unk "Reinstall standin" 90
qemu_wait "booting the local disk" 20 || app_fail "sb: the menu did not time out to local boot"
con=$(qemu_tail 200)
expect_contains "$con" "boot from the local disk" "sb: the default menu offers the local disk"
[[ $con != *"Memory test"* ]] || fail "sb: the memory test is offered with Secure Boot on"
ok "sb: no memory test with Secure Boot on"
qemu_stop
expect_contains "$(app_events $unk)" "grub/default.cfg" "sb: the unknown MAC was sent the default file"

# ---- 3. Secure Boot off: the menu, a reinstall chosen in it ---------------
m3=52:54:00:5b:00:03
sb_boot nosb-menu off $m3 "Reinstall standin" 90
expect_contains "$(qemu_tail 100)" "Memory test" "nosb: the memory test is offered with Secure Boot off"
qemu_keys down ret
qemu_wait "INSTALLER: started" 120 || app_fail "nosb: the chosen install did not start"
ok "nosb: 'Reinstall standin' chosen in the grub menu started the installer"
qemu_wait_exit 60 || app_fail "nosb: the installer did not power off"
con=$(qemu_tail 400)
expect_contains "$con" "bootyard: installing standin on $m3" "nosb: grub read the file rendered for the choice"
[[ $con != *"Secure boot enabled"* ]] || fail "nosb: the kernel says Secure Boot is enabled"
ok "nosb: Secure Boot is not enabled"
expect_contains "$con" "INSTALLER: DONE" "nosb: the installer finished"
ev=$(app_events $m3)
expect_contains "$ev" "grub-choice" "nosb: the choice is an event"
expect_contains "$ev" "grub-once-fetched" "nosb: grub fetched the one-boot file"
expect_contains "$ev" "menu choice, one boot" "nosb: the installer's done used the one-boot token"
expect_exit 1 by host show $m3
ok "nosb: the choice created no host"
[[ ! -e $GRUB/mac/$m3.cfg ]] || fail "nosb: the one-boot file is still there after the fetch: $(cat "$GRUB/mac/$m3.cfg")"
ok "nosb: the one-boot file is gone after the fetch (the next boot gets the menu)"
app_stop
done_checks
