#!/usr/bin/env bash
# e2e/vm_pxe: the VM image (make image-vm) booted in QEMU (TCG) on a lab
# bridge, set up the documented way - files on its boot partition,
# written with mtools: "address" (198.18.0.2/24), "admin.token" and a
# "bootyard.conf" that opens the admin API on the lab address - then a
# second QEMU client PXE-boots from it:
#   - the VM boots (syslinux, Debian kernel, systemd) and bootyard.service
#     serves /ipxe/v1/boot on its first NIC
#   - vm-setup applied the token: the admin API answers 401 without it,
#     200 with it; admin.token is gone from the boot partition afterwards
#   - a BIOS client (SeaBIOS + iPXE ROM) gets DHCP (range auto) and TFTP
#     from the VM and reaches its config URL: the unknown-host menu
#   - the VM recorded the client's lease (admin API /api/v1/leases)
# The qcow2 image is checked with qemu-img check. Runs in CI when its
# tools are there (about 3 minutes, 2 more the first time a CI machine
# builds the VM root); BOOTYARD_SKIP_VM=1 skips it; `make check-vm` runs
# it alone.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/lib/lab.sh"
source "$TOP/tests/lib/qemu.sh"
source "$TOP/tests/lib/image.sh"

[[ -z ${BOOTYARD_SKIP_VM:-} ]] || skip "BOOTYARD_SKIP_VM is set"
image_require_deb
for c in "$QEMU" qemu-img mcopy mdir curl; do
	command -v "$c" >/dev/null || skip "no $c (make deps)"
done

t0=$SECONDS
"$TOP/image/vm/build.sh" "$BUILD" >/dev/null
rc=$?
((rc == 77)) && skip "image-vm cannot be built here (missing tools)"
((rc == 0)) || fail "make image-vm failed"
ok "image-vm built in $((SECONDS - t0)) s"
check "the qcow2 image is sound" qemu-img check -q "$BUILD/vm/bootyard-vm.qcow2"

vm_addr=198.18.0.2
token=$(od -An -N20 -tx1 /dev/urandom | tr -d ' \n')
disk=$TEST_TMP/vm.raw
cp --sparse=always "$BUILD/vm/bootyard-vm.raw" "$disk"
export MTOOLS_SKIP_CHECK=1
fat="$disk@@1M"
echo "$vm_addr/24" >"$TEST_TMP/address"
echo "$token" >"$TEST_TMP/admin.token"
cat >"$TEST_TMP/bootyard.conf" <<CONF
[dhcp]
range = auto
[admin]
listen = $vm_addr:9080
[boot]
menu_timeout = 60
CONF
check "settings onto the boot partition" mcopy -i "$fat" "$TEST_TMP/address" \
	"$TEST_TMP/admin.token" "$TEST_TMP/bootyard.conf" ::/

check "lab namespace and bridge" lab_start
lab_tap || fail "no tap"
vm_serial=$TEST_TMP/vm.serial
: >"$vm_serial"
t0=$SECONDS
lab_bg "$TEST_TMP/vm.qemu.log" "$QEMU" -nodefaults -machine pc,accel=tcg \
	-m 768 -display none -serial "file:$vm_serial" \
	-drive "file=$disk,format=raw,if=virtio" \
	-netdev "tap,id=n0,ifname=$LAB_TAP,script=no,downscript=no" \
	-device virtio-net-pci,netdev=n0,mac=52:54:00:a0:00:01
vm_pid=$LAB_PID

vm_fail() {
	echo "--- VM console ---"
	qemu_tail 60 "$vm_serial"
	cat "$TEST_TMP/vm.qemu.log"
	fail "$*"
}
boot_ok() { lab_exec curl -fsS -m 2 "http://$vm_addr/ipxe/v1/boot" >/dev/null 2>&1; }
end=$((SECONDS + 300))
until boot_ok; do
	((SECONDS < end)) || vm_fail "the VM did not serve HTTP on $vm_addr within 300 s"
	kill -0 "$vm_pid" 2>/dev/null || vm_fail "the VM's QEMU ended"
	starts=$(qemu_tail 1000 "$vm_serial" | grep -c 'Starting bootyard.service')
	((starts < 4)) || vm_fail "bootyard.service keeps failing in the VM"
	sleep 2
done
ok "the VM serves /ipxe/v1/boot on $vm_addr, $((SECONDS - t0)) s after power-on"
body=$(lab_exec curl -fsS -m 5 "http://$vm_addr/ipxe/v1/boot")
expect_contains "$body" "http://$vm_addr/ipxe/v1/config?mac=" \
	"boot script chains the VM's config URL"
console=$(qemu_tail 400 "$vm_serial")
expect_contains "$console" "admin token set from the boot partition" \
	"vm-setup took the token from the boot partition"
expect_contains "$console" "address $vm_addr/24" "vm-setup set the address"

code=$(lab_exec curl -sS -m 5 -o /dev/null -w '%{http_code}' \
	"http://$vm_addr:9080/api/v1/hosts")
expect_eq "$code" 401 "admin API without the token"
code=$(lab_exec curl -sS -m 5 -o /dev/null -w '%{http_code}' \
	-H "Authorization: Bearer $token" "http://$vm_addr:9080/api/v1/hosts")
expect_eq "$code" 200 "admin API with the boot partition's token"

mac=52:54:00:a0:00:02
qemu_start vm-client bios $mac || fail "client qemu did not start"
if ! qemu_wait "Memory test" 150; then
	qemu_tail 30
	vm_fail "the client did not reach the menu from the VM's config URL"
fi
ok "BIOS client PXE-booted from the VM to its config (menu)"
qemu_stop
leases=$(lab_exec curl -fsS -m 5 -H "Authorization: Bearer $token" \
	"http://$vm_addr:9080/api/v1/leases")
expect_contains "$leases" "$mac" "the VM recorded the client's lease"

lab_kill "$vm_pid"
files=$(mdir -b -i "$fat" ::/)
echo "$files"
[[ $files != *admin.token* ]] || fail "admin.token still on the boot partition"
ok "admin.token removed from the boot partition"
expect_contains "$files" "address" "the address file stays"

# The same image boots on UEFI too (OVMF, syslinux.efi), when built with it.
if [[ -r $OVMF_CODE ]] && [[ $files == *EFI* ]]; then
	cp "$OVMF_VARS" "$TEST_TMP/vm.vars"
	: >"$TEST_TMP/vm-uefi.serial"
	t0=$SECONDS
	lab_bg "$TEST_TMP/vm-uefi.qemu.log" "$QEMU" -nodefaults \
		-machine q35,accel=tcg -m 768 -display none -snapshot \
		-serial "file:$TEST_TMP/vm-uefi.serial" \
		-drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_CODE" \
		-drive "if=pflash,format=raw,unit=1,file=$TEST_TMP/vm.vars" \
		-drive "file=$disk,format=raw,if=virtio" \
		-netdev "tap,id=n0,ifname=$LAB_TAP,script=no,downscript=no" \
		-device virtio-net-pci,netdev=n0,mac=52:54:00:a0:00:01,romfile=
	uefi_pid=$LAB_PID
	if ! qemu_wait "bootyard-vm: serving on .* address $vm_addr/24" 150 \
		"$TEST_TMP/vm-uefi.serial"; then
		qemu_tail 40 "$TEST_TMP/vm-uefi.serial"
		fail "the VM image did not boot on UEFI"
	fi
	ok "the VM image boots on UEFI (OVMF) too, in $((SECONDS - t0)) s"
	lab_kill "$uefi_pid"
else
	echo "UEFI boot not checked (no OVMF or image built without syslinux-efi)"
fi
done_checks
