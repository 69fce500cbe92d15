#!/usr/bin/env bash
# image/deb/build.sh - build bootyard_VERSION_ARCH.deb from a staged tree.
#
#   image/deb/build.sh BUILD_DIR
#
# Stages the binaries of BUILD_DIR (bootyard, bootyard-lease), the
# documented configuration, the systemd unit, sysusers/tmpfiles files,
# the man pages and the docs under BUILD_DIR/deb/root, writes DEBIAN/
# (control with the shared-library dependencies from dpkg-shlibdeps,
# conffiles, md5sums, maintainer scripts) and runs dpkg-deb. Prints the
# path of the .deb. No debhelper needed: dpkg-dev only.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=$(cd "${1:?usage: build.sh BUILD_DIR}" && pwd)
version=$(cat "$top/VERSION")
arch=$(dpkg --print-architecture)
stage=$build/deb/root
deb=$build/bootyard_${version}_${arch}.deb

for b in bootyard bootyard-lease; do
	[[ -x $build/$b ]] || { echo "deb: $build/$b is missing (make)" >&2; exit 1; }
done

# Packages bootyard runs or serves files of (besides shared libraries).
depends="adduser, dnsmasq-base, ipxe, pxelinux, syslinux-common"
recommends="grub-efi-amd64-bin, memtest86+"
# uefi_loader = shim (Secure Boot); a real installer to offer offline.
suggests="shim-signed, grub-efi-amd64-signed, debian-installer-12-netboot-amd64"

rm -rf "$build/deb"
mkdir -p "$stage/DEBIAN"
cd "$stage"
install -d -m 755 usr/sbin usr/lib/sysusers.d usr/lib/tmpfiles.d \
	lib/systemd/system etc/bootyard usr/share/man/man8 \
	usr/share/man/man5 usr/share/doc/bootyard usr/share/bootyard
# Stripped binaries; the debug info stays in the build tree.
for b in bootyard bootyard-lease; do
	install -m 755 "$build/$b" "usr/sbin/$b"
	strip --remove-section=.comment --remove-section=.note \
		--strip-unneeded "usr/sbin/$b"
done
install -m 644 "$here/bootyard.conf" etc/bootyard/bootyard.conf
install -m 644 "$here/bootyard.service" lib/systemd/system/bootyard.service
install -m 644 "$here/bootyard.sysusers" usr/lib/sysusers.d/bootyard.conf
install -m 644 "$here/bootyard.tmpfiles" usr/lib/tmpfiles.d/bootyard.conf
for m in bootyard.8 bootyard-lease.8; do
	gzip -9n <"$here/$m" >"usr/share/man/man8/$m.gz"
done
gzip -9n <"$here/bootyard.conf.5" >usr/share/man/man5/bootyard.conf.5.gz
install -m 644 "$here/copyright" usr/share/doc/bootyard/copyright
sed "s/@VERSION@/$version/" "$here/changelog" | gzip -9n \
	>usr/share/doc/bootyard/changelog.gz
install -m 644 "$top/README.md" usr/share/doc/bootyard/README.md
for f in "$top"/docs/*.md; do
	[[ -f $f ]] && install -m 644 "$f" usr/share/doc/bootyard/
done
if [[ -f $top/docs/bootyard.conf ]]; then
	install -D -m 644 "$top/docs/bootyard.conf" \
		usr/share/doc/bootyard/examples/bootyard.conf
fi
# Templates of the TFTP tree (tftp-root/), when the tree has any.
if compgen -G "$top/tftp-root/*" >/dev/null; then
	cp -r "$top/tftp-root" usr/share/bootyard/tftp-root
	chmod -R u=rwX,go=rX usr/share/bootyard
fi
# The stock install templates (also compiled into bootyard: `bootyard
# template show NAME`), for users to copy and change.
install -d -m 755 usr/share/bootyard/templates
install -m 644 "$top"/http/templates/* usr/share/bootyard/templates/
rmdir usr/share/bootyard 2>/dev/null || true

# Shared-library dependencies, as debhelper would compute them.
shl=$build/deb/shlibs
mkdir -p "$shl/debian"
printf 'Source: bootyard\n\nPackage: bootyard\nArchitecture: any\n' \
	>"$shl/debian/control"
shlibs=$(cd "$shl" && dpkg-shlibdeps -O "$stage/usr/sbin/bootyard" \
	"$stage/usr/sbin/bootyard-lease" 2>/dev/null |
	sed -n 's/^shlibs:Depends=//p')

size=$(du -sk --exclude=DEBIAN . | cut -f1)
cat >DEBIAN/control <<CTL
Package: bootyard
Version: $version
Architecture: $arch
Maintainer: bootyard developers <bootyard@example.org>
Installed-Size: $size
Depends: $shlibs, $depends
Recommends: $recommends
Suggests: $suggests
Section: net
Priority: optional
Description: network boot appliance: DHCP/TFTP via dnsmasq, iPXE over HTTP
 bootyard answers the machines of a network that boot from it: a
 supervised dnsmasq hands out DHCP and the boot loader over TFTP by
 client firmware (BIOS, UEFI, iPXE), and an embedded HTTP service serves
 per-machine iPXE scripts decided from an SQLite host database: install
 an operating system once, boot the local disk, or show a menu. Every
 MAC address that asks is recorded.
CTL
echo /etc/bootyard/bootyard.conf >DEBIAN/conffiles
install -m 755 "$here/postinst" "$here/prerm" "$here/postrm" DEBIAN/
find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z |
	xargs -0 md5sum >DEBIAN/md5sums
chmod 644 DEBIAN/control DEBIAN/conffiles DEBIAN/md5sums
cd "$build"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb"
