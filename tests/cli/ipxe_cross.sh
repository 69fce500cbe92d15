#!/usr/bin/env bash
# ipxe_cross: `bootyard build-ipxe` on a machine without the arm64 cross
# compiler (a PATH without aarch64-linux-gnu-gcc): asked for by name, the
# arm64 images fail at once with exit 3 and a message naming the Debian
# package; the default (all images) says once that it leaves them out,
# naming the package, and goes on with the rest (here it then stops at
# the missing source: no build is needed to see the decision).
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/cli/lib.bash"

printf '[appliance]\nstate_dir = %s\nserver_address = 198.18.0.1\n[http]\nlisten = 198.18.0.1:80\n[admin]\nlisten = off\n' \
	"$STATE" >"$CONF"
# every program of /usr/bin but the cross compiler
bin=$TEST_TMP/bin
mkdir -p "$bin"
ln -s /usr/bin/* "$bin/"
rm -f "$bin"/aarch64-linux-gnu-gcc*
nocross() { env PATH="$bin" "$BOOTYARD" -c "$CONF" "$@"; }

nocross build-ipxe --source "$TEST_TMP/none.tar.xz" --images arm64/snponly.efi \
	>"$TEST_TMP/named.out" 2>"$TEST_TMP/named.err"
expect_eq "$?" 3 "arm64 image by name without the cross compiler: exit 3"
expect_contains "$(cat "$TEST_TMP/named.err")" "aarch64-linux-gnu-gcc: install the Debian package gcc-aarch64-linux-gnu" \
	"the error names the compiler and the package"
grep -q none.tar.xz "$TEST_TMP/named.err" && fail "it looked at the source first"
ok "it fails before it looks at the source"

nocross build-ipxe --source "$TEST_TMP/none.tar.xz" >"$TEST_TMP/all.out" 2>"$TEST_TMP/all.err"
expect_eq "$?" 3 "all images, no source: exit 3 (the source)"
err=$(cat "$TEST_TMP/all.err")
expect_eq "$(grep -c 'gcc-aarch64-linux-gnu' <<<"$err")" 1 "one line names the package"
expect_contains "$err" "left out arm64/ipxe.efi, arm64/snponly.efi (ARM64 UEFI clients will get no boot file)" \
	"it says which images it leaves out and what that means"
expect_contains "$err" "none.tar.xz" "and goes on to the rest (here: the missing source)"
done_checks
