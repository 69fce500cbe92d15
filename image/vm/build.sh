#!/usr/bin/env bash
# image/vm/build.sh - `make image-vm`: a bootable disk image of a minimal
# Debian 12 with systemd and bootyard enabled, serving on its first NIC
# with dhcp range auto. Writes BUILD_DIR/vm/bootyard-vm.raw and .qcow2.
#
#   image/vm/build.sh BUILD_DIR
#
# No loop devices, no mounts outside a private mount namespace:
# 1. the .deb and the shared mmdebstrap base (image/base.sh)
# 2. the VM root: the base plus kernel (linux-image-cloud-amd64: virtio,
#    Xen, Hyper-V, VMware drivers), systemd, udev, openssh-server,
#    installed with apt in a chroot, cached in build/cache/vmroot-*.tar
# 3. bootyard installed, its service, networkd, ssh and the boot-time
#    setup unit (vm-setup) enabled
# 4. the disk: MBR (syslinux mbr.bin), partition 1 FAT "BYBOOT" (syslinux,
#    kernel, initrd, README.txt, user settings), partition 2 ext4 root
#    made with mke2fs -d straight from the directory
# 5. qemu-img convert to qcow2
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"
image_start build.sh "${1:-}"
cache=${BASE_CACHE:-$top/build/cache}
out=$build/vm
boot_mb=128

[[ $(id -u) == 0 ]] || { echo "image-vm: needs root (chroot)" >&2; exit 77; }
for c in mmdebstrap mkfs.vfat mcopy syslinux sfdisk mke2fs qemu-img unshare; do
	command -v "$c" >/dev/null || {
		echo "image-vm: $c is missing (apt-get install mmdebstrap dosfstools mtools syslinux fdisk e2fsprogs qemu-utils)" >&2
		exit 77
	}
done
mbr=/usr/lib/syslinux/mbr/mbr.bin
[[ -r $mbr ]] || { echo "image-vm: no $mbr (apt-get install syslinux-common)" >&2; exit 77; }

t0=$SECONDS
deb=$("$top/image/deb/make.sh" "$build")
mapfile -t pkgs < <(dpkg-deb -f "$deb" Depends Recommends |
	sed -e 's/^[A-Za-z-]*: //' | tr ',' '\n' |
	sed -e 's/|.*//' -e 's/(.*)//' -e 's/[[:space:]]//g' | grep -v '^$' | sort -u)
base_tar=$("$top/image/base.sh" "${pkgs[@]}")

# --- 2. the VM root (cached) --------------------------------------------
extra=(linux-image-cloud-amd64 systemd-sysv udev dbus openssh-server
	iproute2 nano less)
vkey=$(printf '%s|%s' "$(basename "$base_tar")" "${extra[*]}" | sha256sum | cut -c1-16)
vm_tar=$cache/vmroot-$vkey.tar
root=$out/root
rm -rf "$out"
mkdir -p "$out"
if [[ ! -s $vm_tar ]]; then
	echo "image-vm: building the VM root $vm_tar" >&2
	mkdir -p "$root"
	tar -C "$root" -xf "$base_tar"
	cp /etc/resolv.conf "$root/etc/resolv.conf"
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod 755 "$root/usr/sbin/policy-rc.d"
	image_chroot "$root" /bin/sh -c "
		export DEBIAN_FRONTEND=noninteractive
		apt-get -q update &&
		apt-get -q -y --no-install-recommends install ${extra[*]} &&
		apt-get clean" >&2
	rm -rf "$root"/var/lib/apt/lists/* "$root/usr/sbin/policy-rc.d"
	: >"$root/etc/resolv.conf"
	tar -C "$root" -cf "$vm_tar.partial.$$.tar" .
	mv "$vm_tar.partial.$$.tar" "$vm_tar"
	rm -rf "$root"
fi
mkdir -p "$root"
tar -C "$root" -xf "$vm_tar"

# --- 3. bootyard and the appliance settings -----------------------------
cp "$deb" "$root/tmp/bootyard.deb"
image_chroot "$root" dpkg -i /tmp/bootyard.deb >&2
rm -f "$root/tmp/bootyard.deb"
# Every VM gets its own token and host keys at first boot (vm-setup).
rm -f "$root/etc/bootyard/admin.token" "$root"/etc/ssh/ssh_host_*
install -D -m 755 "$here/vm-setup" "$root/usr/lib/bootyard/vm-setup"
for u in bootyard-vm-setup.service bootyard-vm-sshkeys.service; do
	install -m 644 "$here/$u" "$root/etc/systemd/system/$u"
done
# The appliance's console shows bootyard's log too.
mkdir -p "$root/etc/systemd/system/bootyard.service.d"
printf '[Service]\nStandardOutput=journal+console\nStandardError=journal+console\n' \
	>"$root/etc/systemd/system/bootyard.service.d/console.conf"
echo bootyard >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tbootyard\n::1\tlocalhost ip6-localhost ip6-loopback\n' \
	>"$root/etc/hosts"
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id"
root_uuid=$(cat /proc/sys/kernel/random/uuid)
boot_id=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n' | tr a-f A-F)
boot_uuid=${boot_id:0:4}-${boot_id:4:4}
cat >"$root/etc/fstab" <<FSTAB
UUID=$root_uuid / ext4 errors=remount-ro 0 1
UUID=${boot_uuid} /boot/firmware vfat umask=0077,nofail,x-systemd.device-timeout=60s 0 2
FSTAB
mkdir -p "$root/boot/firmware"
image_chroot "$root" systemctl enable bootyard.service bootyard-vm-setup.service \
	bootyard-vm-sshkeys.service \
	systemd-networkd.service ssh.service >&2
# A DHCP server never asks DHCP: no other network configuration.
rm -f "$root/etc/network/interfaces"
kernel=$(cd "$root/boot" && ls vmlinuz-* | sort -V | tail -n1)
initrd=initrd.img-${kernel#vmlinuz-}
[[ -s $root/boot/$initrd ]] || { echo "image-vm: no $initrd" >&2; exit 1; }

# --- 4. the disk ------------------------------------------------------
root_mb=$(( $(du -sm "$root" | cut -f1) * 13 / 10 + 384 ))
disk_mb=$((1 + boot_mb + root_mb))
raw=$out/bootyard-vm.raw
truncate -s "${disk_mb}M" "$raw"
boot_start=2048
boot_sectors=$((boot_mb * 2048))
root_start=$((boot_start + boot_sectors))
sfdisk --quiet "$raw" <<PART
label: dos
start=$boot_start, size=$boot_sectors, type=c, bootable
start=$root_start, type=83
PART
dd if="$mbr" of="$raw" bs=440 count=1 conv=notrunc status=none
mkfs.vfat -F 16 -n BYBOOT -i "$boot_id" -h "$boot_start" --offset "$boot_start" "$raw" \
	$((boot_mb * 1024)) >/dev/null 2>&1
syslinux --offset $((boot_start * 512)) --install "$raw"
cat >"$out/syslinux.cfg" <<CFG
SERIAL 0 115200
PROMPT 0
TIMEOUT 10
DEFAULT bootyard
LABEL bootyard
	KERNEL /vmlinuz
	INITRD /initrd.img
	APPEND root=UUID=$root_uuid ro console=tty0 console=ttyS0,115200n8
CFG
sed -i 's/$/\r/' "$out/syslinux.cfg"
export MTOOLS_SKIP_CHECK=1
img="$raw@@$((boot_start * 512))"
mcopy -i "$img" "$out/syslinux.cfg" ::/syslinux.cfg
mcopy -i "$img" "$root/boot/$kernel" ::/vmlinuz
mcopy -i "$img" "$root/boot/$initrd" ::/initrd.img
mcopy -i "$img" "$here/README.txt" ::/README.txt
# UEFI: syslinux.efi as the removable-media loader, same configuration.
efi=/usr/lib/SYSLINUX.EFI/efi64/syslinux.efi
e64=/usr/lib/syslinux/modules/efi64/ldlinux.e64
if [[ -r $efi && -r $e64 ]]; then
	mmd -i "$img" ::/EFI ::/EFI/BOOT
	mcopy -i "$img" "$efi" ::/EFI/BOOT/BOOTX64.EFI
	mcopy -i "$img" "$e64" ::/EFI/BOOT/ldlinux.e64
	mcopy -i "$img" "$out/syslinux.cfg" ::/EFI/BOOT/syslinux.cfg
else
	echo "image-vm: no syslinux-efi: the image boots on BIOS only" >&2
fi
mke2fs -q -t ext4 -F -L byroot -U "$root_uuid" -E offset=$((root_start * 512)) \
	-d "$root" "$raw" "$((root_mb))M"
rm -rf "$root"

# --- 5. qcow2 ----------------------------------------------------------
qemu-img convert -f raw -O qcow2 "$raw" "$out/bootyard-vm.qcow2"
echo "image-vm: $raw and $out/bootyard-vm.qcow2 (${disk_mb} MiB, $((SECONDS - t0)) s)" >&2
echo "$raw"
