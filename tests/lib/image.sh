# tests/lib/image.sh - helpers of the packaging and image tests
# (tests/integration/deb_*.sh, tests/e2e/container_*.sh, tests/e2e/vm_*.sh).
# Source after tests/lib/common.sh.
#
#   image_require_deb       skip unless root with dpkg-deb and mmdebstrap
#   image_deb               build the .deb (image/deb/make.sh); sets DEB
#   image_deb_packages DEB  the packages a root needs for DEB: Depends and
#                           Recommends, first alternatives, no versions
#   image_base DEB          the cached base tarball for DEB; sets BASE_TAR
#   image_root DIR          unpack BASE_TAR into DIR
#   image_chroot DIR CMD... run CMD in the root DIR (image/lib.sh)

source "$TOP/image/lib.sh"

image_require_deb() {
	[[ $(id -u) == 0 ]] || skip "needs root (chroot, mmdebstrap)"
	command -v dpkg-deb >/dev/null || skip "no dpkg-deb"
	command -v mmdebstrap >/dev/null ||
		skip "no mmdebstrap (apt-get install mmdebstrap)"
	command -v unshare >/dev/null || skip "no unshare (util-linux)"
}

image_deb() {
	DEB=$("$TOP/image/deb/make.sh" "$BUILD") || fail "make deb failed"
	[[ -s $DEB ]] || fail "no .deb at '$DEB'"
}

image_deb_packages() {
	dpkg-deb -f "$1" Depends Recommends |
		sed -e 's/^[A-Za-z-]*: //' | tr ',' '\n' |
		sed -e 's/|.*//' -e 's/(.*)//' -e 's/[[:space:]]//g' |
		grep -v '^$' | sort -u
}

image_base() {
	local rc
	# shellcheck disable=SC2046
	BASE_TAR=$("$TOP/image/base.sh" $(image_deb_packages "$1"))
	rc=$?
	((rc == 77)) && skip "mmdebstrap cannot build a base here"
	((rc == 0)) || fail "image/base.sh failed ($rc)"
}

image_root() {
	mkdir -p "$1" && tar -C "$1" -xf "$BASE_TAR" ||
		fail "cannot unpack $BASE_TAR into $1"
}
