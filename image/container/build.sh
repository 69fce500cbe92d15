#!/usr/bin/env bash
# image/container/build.sh - `make image-container`: the OCI image
# localhost/bootyard:VERSION (and :latest), built offline with podman.
#
#   image/container/build.sh BUILD_DIR
#
# 1. the .deb (image/deb/make.sh)
# 2. the cached mmdebstrap base with the .deb's dependencies
#    (image/base.sh), imported as localhost/bootyard-base:HASH
# 3. podman build of image/container/Containerfile with --network=none:
#    nothing is fetched from any registry or archive.
# Writes BUILD_DIR/container/bootyard-VERSION.oci.tar too (podman save,
# for `podman load` / `docker load` elsewhere) when SAVE=1.
# PODMAN (default: podman --runtime runc --cgroup-manager=cgroupfs).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"
image_start build.sh "${1:-}"
read -r -a podman <<<"${PODMAN:-podman --runtime runc --cgroup-manager=cgroupfs}"
command -v "${podman[0]}" >/dev/null || {
	echo "image-container: ${podman[0]} is missing (apt-get install podman runc)" >&2
	exit 77
}
version=$(cat "$top/VERSION")
image=localhost/bootyard:$version

deb=$("$top/image/deb/make.sh" "$build")
mapfile -t pkgs < <(dpkg-deb -f "$deb" Depends Recommends |
	sed -e 's/^[A-Za-z-]*: //' | tr ',' '\n' |
	sed -e 's/|.*//' -e 's/(.*)//' -e 's/[[:space:]]//g' | grep -v '^$' | sort -u)
base_tar=$("$top/image/base.sh" "${pkgs[@]}")
base_img=localhost/bootyard-base:$(basename "$base_tar" .tar | sed 's/^base-//')
if ! "${podman[@]}" image exists "$base_img"; then
	echo "image-container: importing $base_tar as $base_img" >&2
	"${podman[@]}" import --change 'CMD ["/bin/bash"]' "$base_tar" \
		"$base_img" >/dev/null
fi

ctx=$build/container
rm -rf "$ctx"
mkdir -p "$ctx"
cp "$deb" "$ctx/bootyard.deb"
cp "$here/Containerfile" "$here/entrypoint.sh" "$ctx/"
old=$("${podman[@]}" image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
"${podman[@]}" build --network=none --pull=never --build-arg "BASE=$base_img" \
	--label "org.opencontainers.image.version=$version" \
	--label "org.opencontainers.image.title=bootyard" \
	-t "$image" -t localhost/bootyard:latest -f "$ctx/Containerfile" "$ctx" >&2
new=$("${podman[@]}" image inspect --format '{{.Id}}' "$image")
# The previous build of this tag, now unnamed, goes (ours only).
if [[ -n $old && $old != "$new" ]]; then
	"${podman[@]}" rmi "$old" >/dev/null 2>&1 || true
fi
if [[ ${SAVE:-0} == 1 ]]; then
	"${podman[@]}" save --format oci-archive -o "$ctx/bootyard-$version.oci.tar" "$image" >&2
	echo "image-container: saved $ctx/bootyard-$version.oci.tar" >&2
fi
echo "$image"
