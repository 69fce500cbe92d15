#!/usr/bin/env bash
# integration/deb_install: the Debian package, installed into a fresh
# Debian 12 root made by mmdebstrap (the cached base of image/base.sh,
# which holds exactly the package's Depends and Recommends):
#   - lintian reports no error (warnings are printed, not fatal)
#   - dpkg -i succeeds: the declared dependencies are enough
#   - bootyard --version and check-config work in that root
#   - the system user, /var/lib/bootyard (root's; db/ writable by the
#     user's group) and a private admin token exist
#   - the installed unit's systemd-analyze security exposure is below 2.5
#   - the unit passes systemd-analyze verify (when systemd-analyze exists)
#   - dpkg --purge removes state, token and configuration
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/lib/image.sh"

image_require_deb
image_deb
ok "built $(basename "$DEB")"
version=$(cat "$TOP/VERSION")

if command -v lintian >/dev/null; then
	lint=$(lintian --pedantic "$DEB" 2>&1 | grep -v 'root privileges')
	echo "$lint"
	if grep -q '^E:' <<<"$lint"; then
		fail "lintian errors"
	fi
	ok "lintian: no errors ($(grep -c '^W:' <<<"$lint") warnings)"
else
	echo "lintian not installed: not run"
fi

image_base "$DEB"
ok "base root $(basename "$BASE_TAR")"
root=$TEST_TMP/root
image_root "$root"
cp "$DEB" "$root/tmp/bootyard.deb"
check "dpkg -i in a fresh Debian root" \
	image_chroot "$root" dpkg -i /tmp/bootyard.deb
expect_exit 0 image_chroot "$root" bootyard --version
expect_eq "$out" "bootyard $version" "bootyard --version"
expect_exit 0 image_chroot "$root" bootyard check-config
expect_contains "$out$err" "configuration OK" "packaged bootyard.conf is valid"
expect_exit 0 image_chroot "$root" bootyard -c /etc/bootyard/bootyard.conf \
	check-config
printf '[dhcp]\nmode = sometimes\n' >"$root/tmp/bad.conf"
expect_exit 2 image_chroot "$root" bootyard -c /tmp/bad.conf check-config
check "bootyard-lease installed" test -x "$root/usr/sbin/bootyard-lease"

expect_exit 0 image_chroot "$root" getent passwd bootyard
expect_contains "$out" ":/var/lib/bootyard:" "system user bootyard"
expect_exit 0 image_chroot "$root" stat -c '%U:%G %a' /var/lib/bootyard \
	/var/lib/bootyard/db /var/lib/bootyard/files
expect_eq "$(echo $out)" "root:root 755 root:bootyard 2770 root:root 755" \
	"state directory root's, the user writes only db/"
expect_exit 0 image_chroot "$root" stat -c '%U:%G %a' /etc/bootyard/admin.token
expect_eq "$out" "root:bootyard 640" "admin token is private"
token=$(cat "$root/etc/bootyard/admin.token")
check "admin token is random hex" [ ${#token} -eq 48 ]
check "unit installed" test -f "$root/lib/systemd/system/bootyard.service"
check "unit not enabled on install" \
	test ! -e "$root/etc/systemd/system/multi-user.target.wants/bootyard.service"
listing=$(dpkg-deb -c "$DEB")
for f in usr/share/man/man8/bootyard.8.gz usr/share/man/man5/bootyard.conf.5.gz \
	usr/share/man/man8/bootyard-lease.8.gz usr/lib/sysusers.d/bootyard.conf \
	usr/lib/tmpfiles.d/bootyard.conf usr/share/bootyard/templates/debian-preseed.cfg \
	usr/share/bootyard/templates/ubuntu-autoinstall.yaml \
	usr/share/bootyard/templates/fedora-kickstart.cfg; do
	expect_contains "$listing" "./$f" "package ships $f"
done

if command -v systemd-analyze >/dev/null; then
	# Verify against the installed root: ExecStart must exist there.
	# The minimal root has no systemd, so its targets are missing
	# there: only the unit's own problems count.
	v=$(systemd-analyze verify --man=no --root="$root" \
		/lib/systemd/system/bootyard.service 2>&1)
	echo "$v"
	v=$(grep -v -e 'Unit [a-z-]*\.target not found' <<<"$v")
	[[ -z $v ]] || fail "systemd-analyze verify: $v"
	ok "systemd-analyze verify"
	sec=$(systemd-analyze security --offline=yes \
		"$root/lib/systemd/system/bootyard.service" 2>&1)
	level=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' <<<"$sec")
	awk -v l="${level:-99}" 'BEGIN { exit !(l < 2.5) }' ||
		fail "installed unit: exposure '$level', not below 2.5"
	ok "systemd-analyze security: exposure $level"
fi

# Reinstall (upgrade path) keeps the token; purge removes everything.
check "dpkg -i again (upgrade path)" \
	image_chroot "$root" dpkg -i /tmp/bootyard.deb
expect_eq "$(cat "$root/etc/bootyard/admin.token")" "$token" \
	"token survives reinstall"
check "dpkg --purge" image_chroot "$root" dpkg --purge bootyard
check "state removed on purge" test ! -e "$root/var/lib/bootyard"
check "token removed on purge" test ! -e "$root/etc/bootyard/admin.token"
check "config removed on purge" test ! -e "$root/etc/bootyard/bootyard.conf"
done_checks
