#!/usr/bin/env bash
# image/base.sh - the cached Debian 12 base root every image starts from.
#
#   image/base.sh PACKAGE...
#   image/base.sh --mirror      print the mirror it would use, and exit
#
# Builds (once) a tarball of a minimal Debian 12 root made by mmdebstrap
# (variant "apt": the Essential set plus apt) with PACKAGE... installed,
# and prints its path. The tarball is cached under $BASE_CACHE (default
# $TOP/build/cache), named by a hash of the suite, variant, mirror and
# sorted package list: the .deb test, the container image and the VM
# image ask for the same list and share one tarball per CI run.
#
# The mirror is the host's own apt source (the only archive reachable on
# the build machines), read from /etc/apt/sources.list(.d); override with
# BASE_MIRROR. Nothing else is downloaded.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${BASE_CACHE:-$top/build/cache}
suite=${BASE_SUITE:-bookworm}
variant=${BASE_VARIANT:-apt}

# base_mirror: the first Debian "main" URI of the host's apt sources.
base_mirror() {
	local f u
	for f in /etc/apt/sources.list.d/*.sources; do
		[[ -r $f ]] || continue
		u=$(awk '/^URIs:/ { print $2; exit }' "$f")
		if [[ $u == */debian ]]; then
			echo "$u"
			return
		fi
	done
	if [[ -r /etc/apt/sources.list ]]; then
		u=$(awk '$1 == "deb" && $2 ~ /\/debian\/?$/ { print $2; exit }' \
			/etc/apt/sources.list)
		[[ -n $u ]] && { echo "$u"; return; }
	fi
	echo http://deb.debian.org/debian
}

mirror=${BASE_MIRROR:-$(base_mirror)}
if [[ ${1:-} == --mirror ]]; then
	echo "$mirror"
	exit 0
fi
pkgs=$(printf '%s\n' "$@" | sort -u | tr '\n' ',' | sed 's/,$//')
key=$(printf '%s|%s|%s|%s' "$suite" "$variant" "$mirror" "$pkgs" |
	sha256sum | cut -c1-16)
out=$cache/base-$suite-$key.tar
tmp=$cache/.partial-$key-$$.tar
if [[ -s $out ]]; then
	echo "$out"
	exit 0
fi
command -v mmdebstrap >/dev/null || {
	echo "base: mmdebstrap is missing (apt-get install mmdebstrap)" >&2
	exit 77
}
# The archive must answer; a machine without it skips, with the reason.
if command -v curl >/dev/null &&
	! curl -fsI --max-time 15 -o /dev/null "$mirror/dists/$suite/Release"; then
	echo "base: the Debian archive $mirror does not answer: cannot build a base" >&2
	exit 77
fi
mkdir -p "$cache"
trap 'rm -f "$tmp"' EXIT
sec=${mirror%/debian}/debian-security
echo "base: building $out ($suite, $variant, $mirror) with: $pkgs" >&2
t0=$SECONDS
# The security archive lives next to the main one on deb.debian.org.
mmdebstrap --quiet --variant="$variant" --include="$pkgs" \
	--aptopt='Acquire::Retries "3"' \
	--dpkgopt='path-exclude=/usr/share/doc/*' \
	--dpkgopt='path-include=/usr/share/doc/*/copyright' \
	--dpkgopt='path-exclude=/usr/share/man/*' \
	--dpkgopt='path-exclude=/usr/share/locale/*' \
	"$suite" "$tmp" \
	"deb $mirror $suite main" \
	"deb $mirror $suite-updates main" \
	"deb $sec $suite-security main" >&2
mv "$tmp" "$out"
echo "base: built in $((SECONDS - t0)) s ($(du -h "$out" | cut -f1 | head -n1))" >&2
echo "$out"
