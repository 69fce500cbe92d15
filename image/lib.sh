# image/lib.sh - sourced by the image scripts (image/deb/make.sh,
# image/container/build.sh, image/vm/build.sh) and by tests/lib/image.sh:
# what they all start with, and the one chroot helper.
#
#   image_start NAME BUILD_DIR  after here=the script's folder: sets top
#                               (the source tree) and build (BUILD_DIR,
#                               made, absolute); without BUILD_DIR, exits
#                               with "usage: NAME BUILD_DIR"
#   image_chroot DIR CMD...     run CMD in the root DIR, with /proc, /sys
#                               and /dev mounted in a private mount
#                               namespace (nothing stays mounted)

image_start() {
	top=$(cd "$here/../.." && pwd)
	[[ -n ${2:-} ]] || { echo "usage: $1 BUILD_DIR" >&2; exit 1; }
	build=$2
	mkdir -p "$build"
	build=$(cd "$build" && pwd)
}

image_chroot() {
	local dir=$1
	shift
	unshare --mount --fork -- /bin/sh -c '
		d=$1; shift
		mount -t proc proc "$d/proc" && mount -t sysfs sys "$d/sys" &&
			mount --rbind /dev "$d/dev" || exit 125
		exec chroot "$d" "$@"' image_chroot "$dir" "$@"
}
