#!/usr/bin/env bash
# image/deb/make.sh - `make deb`: build bootyard with Debian's hardening
# build flags (dpkg-buildflags, hardening=+all) into BUILD/pkg, package it
# with build.sh and copy the .deb to BUILD/. Prints the .deb's path.
#
#   image/deb/make.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"
image_start make.sh "${1:-}"
export DEB_BUILD_MAINT_OPTIONS=hardening=+all
CFLAGS="$(dpkg-buildflags --get CFLAGS) $(dpkg-buildflags --get CPPFLAGS)"
LDFLAGS=$(dpkg-buildflags --get LDFLAGS)
export CFLAGS LDFLAGS
unset SANITIZER
make -s -C "$top" BUILD="$build/pkg" -j"$(nproc)" all >&2
deb=$("$here/build.sh" "$build/pkg")
cp "$deb" "$build/"
echo "$build/$(basename "$deb")"
