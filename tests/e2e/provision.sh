#!/usr/bin/env bash
# e2e/provision: the full install-once cycle with real firmware and a real
# Linux kernel (scenario 5).
#   A host is flagged for install with a distribution whose kernel is the
#   Debian cloud kernel and whose initrd is the stand-in installer
#   (tests/lib/installer). The BIOS client (SeaBIOS + virtio-net iPXE ROM:
#   that kernel has no e1000 driver) gets DHCP, chains /ipxe/v1/boot, is
#   told to install, boots the kernel, the installer fetches its install
#   file with its token, calls /ipxe/v1/done and powers off. The same VM
#   (same MAC, same marker disk) boots again, is told to boot locally and
#   its disk's own boot loader prints DISK-OK, and `bootyard events MAC`
#   shows the whole timeline.
# Time bound: 150 s for the install boot, 120 s for the second boot.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/lib/lab.sh"
source "$TOP/tests/lib/qemu.sh"
source "$TOP/tests/e2e/appliance.bash"

app_require python3 ss cpio

check "lab namespace and bridge" lab_start
app_init
app_config

# The distribution: the cloud kernel and the stand-in installer.
app_standin_distro standin
mac=52:54:00:c0:00:05
check "host add" by host add $mac --hostname node5 --distro standin
check "host reinstall" by host reinstall node5
expect_contains "$(by host show node5)" "install" "host is flagged for install"
disk=()
if qemu_marker_disk "$TEST_TMP/disk.img"; then
	disk=(-drive "file=$TEST_TMP/disk.img,format=raw,if=none,id=d0"
		-device ide-hd,drive=d0,bootindex=2)
fi
app_start

# ---- first boot: install -----------------------------------------------
QEMU_NIC=virtio-net-pci
app_boot s5-install bios $mac "INSTALLER: started" 120 "${disk[@]}"
qemu_wait_exit 60 || app_fail "s5: the installer did not power off"
expect_contains "$(qemu_tail 200)" "INSTALLER: DONE" "s5: the installer finished"
ok "s5: installed and powered off after $((SECONDS - APP_T0)) s"
log=$(app_access)
expect_contains "$log" "/ipxe/v1/install/" "s5: install file fetched"
expect_contains "$log" "/ipxe/v1/done" "s5: installer called done"
expect_contains "$(qemu_tail 200)" "INSTALLER: | hostname=node5" \
	"s5: the install file was rendered for this host"
show=$(by host show node5)
echo "$show"
expect_contains "$show" "local" "s5: the host is back to local boot"

# ---- second boot: local ------------------------------------------------
n=$(grep -c "/ipxe/v1/config" "$APP_ACCESS")
qemu_start s5-again bios $mac "${disk[@]}" || app_fail "s5: second QEMU did not start"
end=$((SECONDS + 120))
until (($(grep -c "/ipxe/v1/config" "$APP_ACCESS") > n)); do
	((SECONDS < end)) || app_fail "s5: the second boot did not ask for its config"
	sleep 1
done
ok "s5: the same VM booted again and asked for its config"
if ((${#disk[@]})); then
	qemu_wait "DISK-OK" 60 || app_fail "s5: the local disk did not boot"
	ok "s5: the local disk's own loader ran (DISK-OK)"
else
	echo "no marker disk (dosfstools, mtools, syslinux missing): DISK-OK not checked"
	sleep 2
fi
qemu_stop

ev=$(app_events $mac)
echo "$ev"
for want in dhcp config install "done" local; do
	expect_contains "$ev" "$want" "s5: events show $want"
done
last=$(echo "$ev" | grep config | tail -n 1)
expect_contains "$last" "local" "s5: the second boot was told to boot locally"
app_stop
done_checks
