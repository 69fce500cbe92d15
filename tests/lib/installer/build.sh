#!/usr/bin/env bash
# tests/lib/installer/build.sh OUT [KVER]
#
# Build the stand-in installer: a gzip'd newc cpio initramfs with
# busybox-static, the virtio network modules of kernel KVER (default: the
# newest *-cloud-amd64 in /lib/modules, the kernel of
# linux-image-cloud-amd64, which has no e1000 driver: clients boot it with
# a virtio NIC), /init and the udhcpc script from this folder.
# Prints the kernel image to boot it with on stdout.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$1
kver=${2:-}
if [[ -z $kver ]]; then
	kver=$(ls -1 /lib/modules | grep -- '-cloud-amd64$' | sort -V | tail -n 1)
fi
[[ -n $kver && -d /lib/modules/$kver ]] || {
	echo "installer: no cloud kernel modules (apt-get install linux-image-cloud-amd64)" >&2
	exit 1
}
[[ -r /boot/vmlinuz-$kver ]] || {
	echo "installer: no /boot/vmlinuz-$kver" >&2
	exit 1
}
[[ -x /bin/busybox ]] || { echo "installer: no busybox (busybox-static)" >&2; exit 1; }

# The order matters: each module needs the ones before it.
mods="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover net_failover virtio_net"
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,dev,proc,sys,lib/modules}
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
install -m 755 "$here/init" "$root/init"
install -m 755 "$here/udhcpc.sh" "$root/udhcpc.sh"
: >"$root/modules.order"
for m in $mods; do
	f=$(find "/lib/modules/$kver/kernel" -name "$m.ko" -o -name "$m.ko.xz" -o -name "$m.ko.zst" | head -n 1)
	[[ -n $f ]] || { echo "installer: module $m not found for $kver" >&2; exit 1; }
	case $f in
	*.xz) xz -dc "$f" >"$root/lib/modules/$m.ko" ;;
	*.zst) zstd -qdc "$f" >"$root/lib/modules/$m.ko" ;;
	*) cp "$f" "$root/lib/modules/$m.ko" ;;
	esac
	echo "$m" >>"$root/modules.order"
done
mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || true
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) | gzip -9 >"$out"
echo "/boot/vmlinuz-$kver"
