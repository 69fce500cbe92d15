# shellcheck shell=bash
# tests/lib/qemu.sh - QEMU PXE clients for the test lab (tests/lib/lab.sh).
#
# Every client runs under TCG (there is no KVM on the build machines) in
# the lab namespace, on its own tap, with its serial console captured to
# a file. The firmware kinds:
#
#   bios     SeaBIOS + the NIC's option ROM (QEMU's ROMs are iPXE). With
#            the appliance's iPXE detection on it runs boot.ipxe (TFTP);
#            with it off the ROM is handed pxelinux.0 / undionly.kpxe, as a
#            classic PXE ROM would be. NIC model: $QEMU_NIC (e1000; use
#            virtio-net-pci for clients that go on to boot Linux).
#   uefi     OVMF with a virtio-net NIC *without* option ROM (romfile=):
#            the firmware's own UEFI PXE (arch 7) asks DHCP.
#   kernel   -kernel/-initrd/-append (KERNEL, INITRD, APPEND variables),
#            virtio-net NIC: direct boot, e.g. ipxe.lkrn + boot.ipxe.
#   arm64    $QEMU_ARM64 (qemu-system-aarch64) -machine virt, cortex-a57,
#            AAVMF (a copy of its VARS) and a virtio-net NIC without
#            option ROM: the firmware's own UEFI PXE (arch 11) asks DHCP.
#
# SeaBIOS prints to the serial port only with -vga none and the fw_cfg
# file etc/sercon-port holding the port number (0x3f8, two bytes
# little-endian); OVMF, grub and iPXE on UEFI print there by default.
#
#   qemu_start NAME KIND MAC [QEMU ARGS...]
#         new tap, start the client; sets QEMU_PID and QEMU_SERIAL
#         ($TEST_TMP/NAME.serial); -no-reboot: a reset ends QEMU
#   qemu_wait PATTERN SECONDS [FILE]
#         wait until FILE (default QEMU_SERIAL) matches the extended
#         regexp PATTERN; 1 on timeout
#   qemu_wait_exit SECONDS    wait for QEMU_PID to end; 1 on timeout
#   qemu_stop                 stop QEMU_PID (only our own process)
#   qemu_tail [N] [FILE]      the last N (30) lines of the serial log,
#                             control characters removed
#   qemu_keys KEY...          press keys (QEMU sendkey names: down, up,
#                             end, ret, ...) on the client's keyboard,
#                             through its monitor socket

QEMU=${QEMU:-qemu-system-x86_64}
QEMU_NIC=${QEMU_NIC:-e1000}
QEMU_MEM=${QEMU_MEM:-256}
OVMF_CODE=${OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd}
OVMF_VARS=${OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}
QEMU_ARM64=${QEMU_ARM64:-qemu-system-aarch64}
AAVMF_CODE=${AAVMF_CODE:-/usr/share/AAVMF/AAVMF_CODE.fd}
AAVMF_VARS=${AAVMF_VARS:-/usr/share/AAVMF/AAVMF_VARS.fd}
QEMU_PID=
QEMU_SERIAL=
QEMU_MONITOR=

# qemu_start NAME KIND MAC [EXTRA...]
qemu_start() {
	local name=$1 kind=$2 mac=$3
	shift 3
	local serial=$TEST_TMP/$name.serial sercon=$TEST_TMP/sercon-port
	local args bin=$QEMU
	lab_tap || return 1
	: >"$serial"
	args=(-nodefaults -machine accel=tcg -m "$QEMU_MEM" -display none
		-no-reboot -serial "file:$serial"
		-monitor "unix:$TEST_TMP/$name.mon,server=on,wait=off"
		-netdev "tap,id=n0,ifname=$LAB_TAP,script=no,downscript=no")
	case $kind in
	bios)
		printf '\xf8\x03' >"$sercon"
		args+=(-machine pc -vga none
			-fw_cfg "name=etc/sercon-port,file=$sercon"
			-device "$QEMU_NIC,netdev=n0,mac=$mac,bootindex=1")
		;;
	uefi)
		cp "$OVMF_VARS" "$TEST_TMP/$name.vars"
		args+=(-machine q35 -vga none
			-drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_CODE"
			-drive "if=pflash,format=raw,unit=1,file=$TEST_TMP/$name.vars"
			-device "virtio-net-pci,netdev=n0,mac=$mac,romfile=,bootindex=1")
		;;
	arm64)
		bin=$QEMU_ARM64
		cp "$AAVMF_VARS" "$TEST_TMP/$name.vars"
		args+=(-machine virt -cpu cortex-a57
			-drive "if=pflash,format=raw,unit=0,readonly=on,file=$AAVMF_CODE"
			-drive "if=pflash,format=raw,unit=1,file=$TEST_TMP/$name.vars"
			-device "virtio-net-pci,netdev=n0,mac=$mac,romfile=,bootindex=1")
		;;
	kernel)
		args+=(-machine pc -vga none -kernel "$KERNEL" -initrd "$INITRD"
			-append "${APPEND:-}"
			-device "virtio-net-pci,netdev=n0,mac=$mac,romfile=")
		;;
	*)
		echo "qemu_start: unknown kind $kind" >&2
		return 1
		;;
	esac
	lab_bg "$TEST_TMP/$name.qemu.log" "$bin" "${args[@]}" "$@"
	QEMU_PID=$LAB_PID
	QEMU_SERIAL=$serial
	QEMU_MONITOR=$TEST_TMP/$name.mon
	echo "qemu: started $name ($kind, $mac) pid $QEMU_PID on $LAB_TAP"
}

# sed arguments that remove the ANSI escapes firmware and boot loaders
# draw the console with: cursor moves and colours, and a reset.
_QEMU_ANSI=(-e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1bc//g')

# _qemu_text FILE: a serial log as plain text. SeaBIOS's sercon draws the
# screen with ANSI cursor moves, now and then in the middle of a word
# ("DISK-<ESC>[6;6HOK"): escapes and control characters go, line breaks
# stay. (Matching the raw log missed a DISK-OK on the console for 90 s.)
_qemu_text() {
	sed "${_QEMU_ANSI[@]}" "$1" 2>/dev/null | tr -d '\000-\011\013-\037'
}

# qemu_wait PATTERN SECONDS [FILE]: poll the serial log (twice a second).
qemu_wait() {
	local pat=$1 secs=$2 file=${3:-$QEMU_SERIAL}
	local end=$((SECONDS + secs))
	while ((SECONDS < end)); do
		if _qemu_text "$file" | grep -Eq -- "$pat"; then
			return 0
		fi
		sleep 0.5
	done
	_qemu_text "$file" | grep -Eq -- "$pat"
}

# qemu_wait_exit SECONDS: wait for our QEMU to end by itself.
qemu_wait_exit() {
	local end=$((SECONDS + $1))
	while ((SECONDS < end)); do
		kill -0 "$QEMU_PID" 2>/dev/null || { wait "$QEMU_PID" 2>/dev/null; return 0; }
		sleep 0.5
	done
	return 1
}

# qemu_stop: end our QEMU (and only it).
qemu_stop() {
	[[ -n $QEMU_PID ]] && lab_kill "$QEMU_PID"
	QEMU_PID=
}

# qemu_tail [N] [FILE]: readable end of a serial log (ANSI escapes and
# control characters removed).
qemu_tail() {
	local n=${1:-30} file=${2:-$QEMU_SERIAL}
	sed "${_QEMU_ANSI[@]}" -e 's/\r/\n/g' "$file" 2>/dev/null |
		tr -d '\000-\010\013-\037' | grep -v '^[[:space:]]*$' | tail -n "$n"
}

# qemu_keys KEY...: one "sendkey KEY" per key on the monitor, 0.3 s apart.
qemu_keys() {
	python3 - "$QEMU_MONITOR" "$@" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(2)
for k in sys.argv[2:]:
    s.sendall(("sendkey %s\n" % k).encode())
    time.sleep(0.3)
try:
    s.recv(65536)
except OSError:
    pass
s.close()
PY
}

# qemu_marker_disk FILE: a small FAT disk whose own boot loader (syslinux,
# installed on the FAT "superfloppy") prints DISK-OK on the serial port
# and powers the machine off: proof that a client really booted its
# local disk. Attach it with
#   -drive file=FILE,format=raw,if=none,id=d0 -device ide-hd,drive=d0,bootindex=2
# Needs mkfs.vfat (dosfstools), mcopy (mtools) and syslinux; 1 when missing.
qemu_marker_disk() {
	local img=$1 cfg
	command -v mkfs.vfat >/dev/null && command -v mcopy >/dev/null &&
		command -v syslinux >/dev/null || return 1
	local m mods=
	for m in poweroff libcom32 libutil; do
		mods+=" /usr/lib/syslinux/modules/bios/$m.c32"
	done
	cfg=$(mktemp)
	printf '%s\n' 'SERIAL 0 115200' 'SAY DISK-OK: booted from the local disk' 'SAY powering off' \
		'DEFAULT off' 'PROMPT 0' 'LABEL off' '	COM32 poweroff.c32' >"$cfg"
	rm -f "$img"
	truncate -s 32M "$img" &&
		mkfs.vfat -F 16 -n BYDISK "$img" >/dev/null &&
		mcopy -i "$img" "$cfg" ::syslinux.cfg &&
		mcopy -i "$img" $mods ::/ &&
		syslinux --install "$img"
	local rc=$?
	rm -f "$cfg"
	return $rc
}

# qemu_uefi_marker_disk FILE: the same for UEFI: a FAT disk whose
# EFI/BOOT/BOOTX64.EFI (a grub-mkstandalone image) prints DISK-OK and
# powers off. Attach it with bootindex=2 beside a NIC with bootindex=1.
# Needs grub-mkstandalone (grub-efi-amd64-bin), mkfs.vfat and mtools.
qemu_uefi_marker_disk() {
	local img=$1 cfg efi
	cfg=$(mktemp) efi=$(mktemp)
	printf '%s\n' 'echo "DISK-OK: booted from the local disk (UEFI)"' \
		'sleep 1' 'halt' >"$cfg"
	grub-mkstandalone -O x86_64-efi -o "$efi" "boot/grub/grub.cfg=$cfg" &&
		rm -f "$img" && truncate -s 32M "$img" &&
		mkfs.vfat -F 16 -n BYUEFI "$img" >/dev/null &&
		mmd -i "$img" ::EFI ::EFI/BOOT &&
		mcopy -i "$img" "$efi" ::EFI/BOOT/BOOTX64.EFI
	local rc=$?
	rm -f "$cfg" "$efi"
	return $rc
}
