#!/usr/bin/env bash
# bootyard distro import: installer ISOs built here with xorriso (a Debian
# netinst layout, a Fedora .treeinfo tree, an Ubuntu live layout), a
# netboot tarball, the files of debian-installer-12-netboot-amd64, an
# http:// URL checked against SHA256SUMS; and hostile sources (a member
# named "..", a path-traversing tarball member, a symlinked kernel, a
# truncated image, 0 bytes, not an installer, an unknown family, a
# checksum mismatch) refused with files_dir and the distros unchanged.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/cli/lib.bash"

command -v xorriso >/dev/null || skip "xorriso not installed (debian-packages.txt)"
FILES=$STATE/files
printf '[http]\nfiles_dir = %s\n' "$FILES" >>"$CONF"
W=$TEST_TMP/w
mkdir -p "$W" "$FILES"

# iso OUT VOLID DIR: an ISO 9660 image with Rock Ridge names
iso() { xorriso -as mkisofs -quiet -R -J -V "$2" -o "$1" "$3" 2>/dev/null; }
# state: what files_dir and the distros table hold
state() { (cd "$FILES" && find . | sort); by --json distro list; }
# result: the JSON object after the --json progress lines in $out
result() { sed -n '/^{$/,$p' <<<"$out"; }
# boot_files DIR KERNEL KBYTES INITRD IBYTES: an installer's kernel and
# initrd in DIR (made), random bytes of these sizes
boot_files() {
	mkdir -p "$1" || fail "cannot make $1"
	head -c "$3" /dev/urandom >"$1/$2"
	head -c "$5" /dev/urandom >"$1/$4"
}
# imported NAME SOURCE EXPR WANT TEXT: the import succeeds (--json) and
# EXPR, Python over its result object d, prints WANT
imported() {
	expect_exit 0 by --json distro import "$1" --from "$2"
	expect_eq "$(jpy "$3" < <(result))" "$4" "$5"
}
# refused NAME SOURCE TEXT [EXIT]: the import fails (exit 2: bad input;
# 3: an unreadable source), says TEXT, and
# leaves files_dir and the distros table as they were
refused() {
	local before
	before=$(state)
	expect_exit "${4:-2}" by distro import "$1" --from "$2"
	expect_contains "$err" "$3" "$2: says '$3'"
	expect_contains "$err" "Nothing was imported" "$2: says nothing made"
	expect_eq "$(state)" "$before" "$2: nothing left behind"
}

# --- a Debian netinst ISO ---
d=$W/deb
mkdir -p "$d/install.amd/gtk" "$d/.disk" "$d/pool/main/b/base"
boot_files "$d/install.amd" vmlinuz 300000 initrd.gz 700000
cp "$d/install.amd/initrd.gz" "$d/install.amd/gtk/initrd.gz"
echo 'Debian GNU/Linux 12.8.0 "Bookworm" - Official amd64 NETINST with firmware 20241109-11:05' >"$d/.disk/info"
echo x >"$d/pool/main/b/base/base-files_12.4_amd64.deb"
ln -s . "$d/debian" # real netinst ISOs hold symlinks; they are fine
iso "$W/deb.iso" 'Debian 12.8.0 amd64 n' "$d"
imported deb12 "$W/deb.iso" '[d["family"], d["release"], d["arches"], d["kernel"], d["initrds"], d["template_name"]]' \
	"['debian', '12.8.0', ['amd64'], 'deb12/amd64/vmlinuz', ['deb12/amd64/initrd.gz'], 'preseed.cfg']" \
	"Debian ISO recognised"
expect_contains "$out" '{"progress": "copy", "file": "install.amd/initrd.gz"' "--json progress lines"
check "kernel copied" cmp "$d/install.amd/vmlinuz" "$FILES/deb12/amd64/vmlinuz"
check "initrd copied" cmp "$d/install.amd/initrd.gz" "$FILES/deb12/amd64/initrd.gz"
expect_exit 0 by --json distro show deb12
expect_eq "$(jpy 'd["cmdline"]' <<<"$out")" \
	"auto=true priority=critical url={{install_url}} hostname={{hostname}} domain={{attr.domain}} interface=auto" \
	"Debian command line"
expect_contains "$(jpy 'd["template"]' <<<"$out")" "{{done_url}}" "stock preseed calls done"
# files that share their data (Debian's install.amd/xen/ are hard links)
cp -a "$d" "$W/hl" && mkdir -p "$W/hl/install.amd/xen"
ln "$W/hl/install.amd/vmlinuz" "$W/hl/install.amd/xen/vmlinuz"
ln "$W/hl/install.amd/initrd.gz" "$W/hl/install.amd/xen/initrd.gz"
xorriso -hardlinks on -as mkisofs -quiet -R -J -V 'Debian 12.8.0 amd64 n' \
	-o "$W/hl.iso" "$W/hl" 2>/dev/null
expect_exit 0 by distro import deb12hl --from "$W/hl.iso"
check "hard-linked initrd copied whole" cmp "$d/install.amd/initrd.gz" "$FILES/deb12hl/amd64/initrd.gz"
# the name is taken and has every architecture the source holds
refused deb12 "$W/deb.iso" "has a kernel for every architecture this source holds (amd64): nothing to add"

# --- a Debian ISO with two architectures (install.amd, install.a64) ---
d2=$W/deb2
cp -a "$d" "$d2" && boot_files "$d2/install.a64" vmlinuz 200000 initrd.gz 300000
iso "$W/deb2.iso" 'Debian 12.8.0 multi n' "$d2"
imported deb12m "$W/deb2.iso" '[d["arches"], d["kernel"], d["kernels"]["arm64"]["kernel"], d["kernels"]["arm64"]["initrds"]]' \
	"[['amd64', 'arm64'], 'deb12m/amd64/vmlinuz', 'deb12m/arm64/vmlinuz', ['deb12m/arm64/initrd.gz']]" \
	"both architectures of a two-arch ISO stored"
check "arm64 kernel copied" cmp "$d2/install.a64/vmlinuz" "$FILES/deb12m/arm64/vmlinuz"

# --- a Fedora tree with .treeinfo ---
f=$W/fed
mkdir -p "$f/EFI/BOOT"
boot_files "$f/images/pxeboot" vmlinuz 200000 initrd.img 400000
cat >"$f/.treeinfo" <<'T'
[header]
type = productmd.treeinfo
version = 1.2

[release]
name = Fedora
short = Fedora
version = 40

[tree]
arch = x86_64
platforms = x86_64,xen

[images-x86_64]
initrd = images/pxeboot/initrd.img
kernel = images/pxeboot/vmlinuz
T
iso "$W/fedora.iso" 'Fedora-S-dvd-x86_64-40' "$f"
imported f40 "$W/fedora.iso" '[d["family"], d["vendor"], d["release"], d["arches"], d["kernel"], d["template_name"], d["cmdline"]]' \
	"['fedora', 'Fedora', '40', ['amd64'], 'f40/amd64/vmlinuz', 'ks.cfg', 'inst.ks={{install_url}} ip=dhcp']" \
	"Fedora .treeinfo recognised"
check "Fedora initrd copied" cmp "$f/images/pxeboot/initrd.img" "$FILES/f40/amd64/initrd.img"

# --- an Ubuntu live server ISO ---
u=$W/ubu
mkdir -p "$u/.disk"
boot_files "$u/casper" vmlinuz 100000 initrd 100000
echo 'Ubuntu-Server 24.04.1 LTS "Noble Numbat" - Release amd64 (20240827)' >"$u/.disk/info"
iso "$W/ubuntu.iso" 'Ubuntu-Server 24.04.1 LTS amd64' "$u"
imported noble "$W/ubuntu.iso" '[d["family"], d["release"], d["template_name"], d["cmdline"]]' \
	"['ubuntu', '24.04.1', 'user-data', 'ip=dhcp autoinstall cloud-config-url={{install_url}}']" \
	"Ubuntu live ISO recognised"

# --- a netboot tarball (with the symlinks real ones hold) ---
n=$W/nb
mkdir -p "$n/debian-installer/amd64/pxelinux.cfg"
boot_files "$n/debian-installer/amd64" linux 100000 initrd.gz 100000
printf 'Debian version:  12 (bookworm)\nInstaller build: 20230607+deb12u9\n' >"$n/version.info"
ln -s debian-installer/amd64/pxelinux.cfg "$n/pxelinux.cfg"
tar -C "$n" -czf "$W/netboot.tar.gz" .
expect_exit 0 by distro import nb12 --from "$W/netboot.tar.gz"
expect_contains "$out" "distro nb12 imported: Debian 12 (netboot tree), amd64" "netboot tarball"
check "netboot initrd copied" cmp "$n/debian-installer/amd64/initrd.gz" "$FILES/nb12/amd64/initrd.gz"

# --- the files of debian-installer-12-netboot-amd64 ---
pkg=/usr/lib/debian-installer/images/12/amd64/text
if [[ -f $pkg/debian-installer/amd64/linux ]]; then
	imported di12 "$pkg" '[d["family"], d["release"], d["layout"], d["kernel"], d["initrds"]]' \
		"['debian', '12', 'netboot tree', 'di12/amd64/linux', ['di12/amd64/initrd.gz']]" \
		"debian-installer-12-netboot-amd64 imported"
	check "d-i initrd copied" cmp "$pkg/debian-installer/amd64/initrd.gz" "$FILES/di12/amd64/initrd.gz"
	# its parent holds text/ and gtk/: text/ wins
	expect_exit 0 by --json distro import di12b --from "${pkg%/text}"
	check "text/ before gtk/" cmp "$pkg/debian-installer/amd64/initrd.gz" "$FILES/di12b/amd64/initrd.gz"
else
	echo "note: debian-installer-12-netboot-amd64 not installed; its import not checked"
fi

# --- an arm64 netboot tarball, then the arm64 tree into an amd64 distro ---
n6=$W/nb64
boot_files "$n6/debian-installer/arm64" linux 100000 initrd.gz 100000
cp "$n/version.info" "$n6/version.info"
tar -C "$n6" -czf "$W/netboot-arm64.tar.gz" .
imported nb12arm "$W/netboot-arm64.tar.gz" '[d["arches"], d["kernel"], list(d["kernels"]), d["kernels"]["arm64"]["kernel"]]' \
	"[['arm64'], None, ['arm64'], 'nb12arm/arm64/linux']" "arm64 netboot tarball"
# importing it into nb12 (amd64, same release) adds its arm64 kernel and
# keeps the rest
expect_exit 0 by distro import nb12 --from "$W/netboot-arm64.tar.gz"
expect_contains "$out" "distro nb12 architectures added: Debian 12 (netboot tree), arm64" "arm64 added to nb12"
expect_exit 0 by --json distro show nb12
expect_eq "$(jpy '[sorted(d["kernels"]), d["kernel"], d["kernels"]["arm64"]["kernel"]]' <<<"$out")" \
	"[['amd64', 'arm64'], 'nb12/amd64/linux', 'nb12/arm64/linux']" "nb12 has both kernels"
check "nb12 amd64 kept" cmp "$n/debian-installer/amd64/initrd.gz" "$FILES/nb12/amd64/initrd.gz"
check "nb12 arm64 copied" cmp "$n6/debian-installer/arm64/initrd.gz" "$FILES/nb12/arm64/initrd.gz"
refused nb12 "$W/netboot-arm64.tar.gz" "nothing to add"
# a Fedora aarch64 tree: not the installer of deb12 (its preseed), refused
# and nothing left; into f40 (Fedora) its kernel is added
fa=$W/fedarm
cp -a "$f" "$fa"
sed -i 's/x86_64/aarch64/g' "$fa/.treeinfo"
refused deb12 "$fa" "deb12 serves preseed.cfg"
imported f40 "$fa" '[d["kernels"]["arm64"]["kernel"], d["kernel"]]' \
	"['f40/arm64/vmlinuz', 'f40/amd64/vmlinuz']" "Fedora aarch64 .treeinfo added as arm64"
# the files of debian-installer-12-netboot-arm64 into di12 (amd64)
pkg64=/usr/lib/debian-installer/images/12/arm64/text
if [[ -f $pkg64/debian-installer/arm64/linux && -f $FILES/di12/amd64/linux ]]; then
	imported di12 "$pkg64" '[d["arches"], sorted(d["kernels"]), d["kernels"]["arm64"]["initrds"]]' \
		"[['arm64'], ['amd64', 'arm64'], ['di12/arm64/initrd.gz']]" \
		"debian-installer-12-netboot-arm64 added to di12"
	check "d-i arm64 kernel copied" cmp "$pkg64/debian-installer/arm64/linux" "$FILES/di12/arm64/linux"
else
	echo "note: debian-installer-12-netboot-arm64 not installed; its import not checked"
fi

# --- hostile and wrong sources ---
# a member named ".." (the Rock Ridge name of "zq" patched)
cp -a "$d" "$W/dotdot" && echo evil >"$W/dotdot/zq"
xorriso -as mkisofs -quiet -R -V 'Debian 12.8.0 amd64 n' -o "$W/dotdot.iso" "$W/dotdot" 2>/dev/null
python3 - "$W/dotdot.iso" <<'E'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
i = b.find(b'NM\x07\x01\x00zq')
assert i > 0, "Rock Ridge NM entry not found"
b[i + 5:i + 7] = b'..'
open(p, 'wb').write(b)
E
refused evil1 "$W/dotdot.iso" 'member ".." names a path outside the archive'
# a tarball whose member climbs out
python3 - "$W/climb.tar.gz" "$n" <<'E'
import sys, tarfile
with tarfile.open(sys.argv[1], 'w:gz') as t:
    t.add(sys.argv[2] + '/debian-installer', 'debian-installer')
    t.add(sys.argv[2] + '/version.info', '../../version.info')
E
refused evil2 "$W/climb.tar.gz" "names a path outside the archive"
# the kernel is a symlink to a file outside
cp -a "$d" "$W/link" && rm "$W/link/install.amd/vmlinuz"
ln -s /etc/passwd "$W/link/install.amd/vmlinuz"
iso "$W/link.iso" 'Debian 12.8.0 amd64 n' "$W/link"
refused evil3 "$W/link.iso" "install.amd/vmlinuz is a symbolic link: refused"
# the same as a directory
refused evil3d "$W/link" "symbolic link"
# a truncated image (the directory is there, the initrd's data is not)
head -c 700000 "$W/deb.iso" >"$W/trunc.iso"
refused evil4 "$W/trunc.iso" "truncated" 3
: >"$W/empty.iso"
refused evil5 "$W/empty.iso" "empty (0 bytes)"
echo "hello" >"$W/text.iso"
refused evil6 "$W/text.iso" "not an ISO image, tarball or directory"
iso "$W/plain.iso" 'BACKUP_2024' "$W/nb/debian-installer/amd64/pxelinux.cfg"
refused evil7 "$W/plain.iso" "is not an installer we know"
# boot files, but no family: say what was found and how to add it by hand
boot_files "$W/anon/images/pxeboot" vmlinuz 1000 initrd.img 1000
iso "$W/anon.iso" 'MYDISTRO_1' "$W/anon"
refused evil8 "$W/anon.iso" "cannot tell which installer"
expect_contains "$err" "images/pxeboot/vmlinuz" "unknown family: names the kernel found"
expect_contains "$err" "bootyard distro add evil8 --kernel" "unknown family: how to add it by hand"
before=$(state)
expect_exit 2 by distro import 'Bad/Name' --from "$W/deb.iso"
expect_contains "$err" "invalid distro name" "a bad NAME is refused"
expect_eq "$(state)" "$before" "a bad NAME: nothing left behind"
refused evil9 "$W/nosuch.iso" "No such file"

# --- an http:// URL, checked against SHA256SUMS ---
www=$W/www
mkdir -p "$www/good" "$www/bad"
cp "$W/deb.iso" "$www/good/netinst.iso"
cp "$W/deb.iso" "$www/bad/netinst.iso"
(cd "$www/good" && sha256sum netinst.iso >SHA256SUMS)
echo "$(printf '0%.0s' {1..64})  netinst.iso" >"$www/bad/SHA256SUMS"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory "$www" "$port" >/dev/null 2>&1 &
srv=$!
on_exit "kill $srv"
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
imported web "http://127.0.0.1:$port/good/netinst.iso" '[d["family"], d["sha256"]]' \
	"['debian', 'yes']" "URL import checked against SHA256SUMS"
# a broken earlier download is resumed; this server ignores ranges, so
# the download starts over, and the result is still checked
head -c 100000 "$W/deb.iso" >"$STATE/import-web4.part"
imported web4 "http://127.0.0.1:$port/good/netinst.iso" 'd["sha256"]' yes "a partial download is completed and checked"
expect_eq "$(ls "$STATE" | grep -c '\.part$')" 0 "the partial download is gone after the import"
# with a server that serves ranges (nginx), the download really resumes
if command -v nginx >/dev/null; then
	np=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	mkdir -p "$W/ngx"
	chmod -R a+rX "$W"
	cat >"$W/ngx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
master_process off;
pid $W/ngx/nginx.pid;
error_log $W/ngx/error.log;
events { worker_connections 64; }
http {
	access_log $W/ngx/access.log;
	client_body_temp_path $W/ngx/body;
	proxy_temp_path $W/ngx/proxy;
	fastcgi_temp_path $W/ngx/fcgi;
	uwsgi_temp_path $W/ngx/uwsgi;
	scgi_temp_path $W/ngx/scgi;
	server { listen 127.0.0.1:$np; root $www; }
}
CONF
	nginx -c "$W/ngx/nginx.conf" -p "$W/ngx" &
	ngx=$!
	on_exit "kill $ngx"
	for _ in $(seq 50); do curl -fs "http://127.0.0.1:$np/good/SHA256SUMS" >/dev/null && break; sleep 0.1; done
	head -c 100000 "$W/deb.iso" >"$STATE/import-web5.part"
	imported web5 "http://127.0.0.1:$np/good/netinst.iso" 'd["sha256"]' yes "a resumed download is checked"
	expect_contains "$(cat "$W/ngx/access.log")" '"GET /good/netinst.iso HTTP/1.1" 206' \
		"the download resumed (206 Partial Content)"
	check "the resumed kernel is whole" cmp "$d/install.amd/vmlinuz" "$FILES/web5/amd64/vmlinuz"
else
	echo "note: nginx not installed; a ranged resume not checked"
fi
refused web2 "http://127.0.0.1:$port/bad/netinst.iso" "checksum mismatch"
expect_eq "$(ls "$STATE" | grep -c '\.part$')" 0 "a mismatching download is not kept"
refused web3 "http://127.0.0.1:$port/nosuch/netinst.iso" "404" 3

expect_eq "$(ls -a "$FILES" | grep -c import)" 0 "no staging directory left"
done_checks
