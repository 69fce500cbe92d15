#!/usr/bin/env bash
# ipxe_build: `bootyard build-ipxe` from the pinned iPXE tarball.
#
# - builds the four images (types and sizes checked), with the boot
#   script embedded (found verbatim in the EFI images; the BIOS images are
#   compressed: tests/e2e/https_ipxe_boot.sh boots one without an initrd)
#   and the appliance CA embedded (its DER bytes are in the EFI images)
# - the appliance CA was created on the way (key files 0600)
# - a second run is a cache hit, fast, images untouched
# - every header of the build configuration went into the build tree
# - after the arm64 build, an x86 image with another script is a relink
# (the build cache is kept between runs: tests/integration/ipxe_lib.bash;
# the first build is a cold compile when the cache is new, else a relink)
# - a missing source, a broken tarball, a tarball without iPXE, a tree
#   that is not iPXE and a source whose make fails each give a clear
#   error, exit 3, and leave the previous images as they were
# - no source at all, an unknown configuration, a bad --images: exit 2
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/integration/ipxe_lib.bash"
ipxe_require

# embeds IMG FILE...: the bytes of every FILE stand somewhere in IMG
embeds() {
	python3 -c '
import sys
img = open(sys.argv[1], "rb").read()
sys.exit(0 if all(open(f, "rb").read() in img for f in sys.argv[2:]) else 1)' "$@"
}

state=$TEST_TMP/state
conf=$TEST_TMP/bootyard.conf
imgdir=$state/ipxe
ipxe_conf "$conf" "$state"

# --- first build (or a relink in the shared cache) ---
t0=$SECONDS
timeout 1200 "$BOOTYARD" -c "$conf" build-ipxe >"$TEST_TMP/build1.out" 2>&1
rc=$?
cat "$TEST_TMP/build1.out"
expect_eq "$rc" 0 "build-ipxe from $IPXE_SRC succeeds"
echo "first build-ipxe: $((SECONDS - t0)) s"

# every header of the configuration (serial, on default) went into the
# tree before make ran: each one's content, byte for byte
tree=$(sed -n 's/.*(log: \(.*\)\/bootyard\/build.log)$/\1/p' "$TEST_TMP/build1.out" | tail -n1)
for h in "$TOP"/image/ipxe/default/*.h "$TOP"/image/ipxe/serial/*.h; do
	[[ $h == */default/* && -f $TOP/image/ipxe/serial/${h##*/} ]] && continue
	check "config header ${h##*/} in the build tree" cmp -s "$h" "$tree/src/config/local/${h##*/}"
done

for img in "${IPXE_IMAGES[@]}"; do
	check "$img exists" test -s "$imgdir/$img"
	size=$(stat -c %s "$imgdir/$img")
	((size > 40000 && size < 4000000)) || fail "$img: odd size $size"
	ok "$img: $size bytes"
done
expect_contains "$(file -b "$imgdir/ipxe.lkrn")" "Linux kernel x86 boot executable" \
	"ipxe.lkrn is a bzImage"
for img in ipxe.efi snponly.efi; do
	t=$(file -b "$imgdir/$img")
	expect_contains "$t" "PE32+ executable" "$img is PE32+"
	expect_contains "$t" "EFI application" "$img is an EFI application"
	expect_contains "$t" "x86-64" "$img is x86-64"
done
# undionly.kpxe: a PXE NBP; iPXE's prefix carries its "iPXE" signature
# only compressed, so check that it is not text and not empty.
check "undionly.kpxe is binary" bash -c "! file -b '$imgdir/undionly.kpxe' | grep -qi text"

# The boot script: rendered for https://198.18.0.1, embedded verbatim.
check "boot.ipxe written beside the images" test -s "$imgdir/boot.ipxe"
script=$(cat "$imgdir/boot.ipxe")
expect_contains "$script" "#!ipxe" "boot.ipxe is an iPXE script"
expect_contains "$script" 'imgfetch --name bootyard-config https://198.18.0.1/ipxe/v1/config?mac=${netX/mac}' \
	"boot.ipxe fetches the HTTPS config URL"
for img in ipxe.efi snponly.efi; do
	check "$img embeds boot.ipxe byte for byte" embeds "$imgdir/$img" "$imgdir/boot.ipxe"
done

# The CA: created in the state directory, embedded (CERT=) and trusted.
check "appliance CA created" test -s "$state/tls/ca.crt"
expect_eq "$(stat -c %a "$state/tls/ca.key")" 600 "ca.key is 0600"
expect_eq "$(stat -c %a "$state/tls/server.key")" 600 "server.key is 0600"
check "ca.crt copied beside the images" cmp -s "$state/tls/ca.crt" "$imgdir/ca.crt"
openssl x509 -in "$state/tls/ca.crt" -outform DER -out "$TEST_TMP/ca.der" ||
	fail "ca.crt does not parse"
for img in ipxe.efi snponly.efi; do
	check "$img embeds the CA certificate" embeds "$imgdir/$img" "$TEST_TMP/ca.der"
done
# ARM64 (cross-compiled, when gcc-aarch64-linux-gnu is here; else left
# out with one line naming the package: tests/cli/ipxe_cross.sh)
if command -v aarch64-linux-gnu-gcc >/dev/null; then
	for img in arm64/ipxe.efi arm64/snponly.efi; do
		t=$(file -b "$imgdir/$img")
		expect_contains "$t" "EFI application" "$img is an EFI application"
		expect_contains "$t" "Aarch64" "$img is Aarch64"
		check "$img embeds boot.ipxe and the CA" \
			embeds "$imgdir/$img" "$imgdir/boot.ipxe" "$TEST_TMP/ca.der"
	done
	expect_contains "$(cat "$TEST_TMP/build1.out")" "CROSS=aarch64-linux-gnu-" \
		"the arm64 images are built with the cross compiler"
else
	expect_contains "$(cat "$TEST_TMP/build1.out")" "gcc-aarch64-linux-gnu" \
		"no cross compiler: the arm64 images are left out, the package named"
fi
check "server.crt verifies against the CA" \
	openssl verify -CAfile "$state/tls/ca.crt" "$state/tls/server.crt"
expect_contains "$(openssl x509 -in "$state/tls/server.crt" -noout -ext subjectAltName)" \
	"IP Address:198.18.0.1" "server.crt names 198.18.0.1"
key=$(sed -n 's/^key=//p' "$imgdir/build.info")
expect_eq "${#key}" 64 "build.info records the key"
sums1=$(ipxe_sums "$imgdir")
stat1=$(stat -c '%n %Y' "$imgdir"/*.lkrn "$imgdir"/*.kpxe "$imgdir"/*.efi)

# --- unchanged rebuild: cache hit ---
t0=$SECONDS
expect_exit 0 "$BOOTYARD" -c "$conf" build-ipxe
expect_contains "$out" "cache hit" "second run says cache hit"
dt=$((SECONDS - t0))
((dt <= 10)) || fail "cache hit took $dt s"
ok "cache hit in $dt s"
expect_eq "$(ipxe_sums "$imgdir")" "$sums1" "images unchanged"
expect_eq "$(stat -c '%n %Y' "$imgdir"/*.lkrn "$imgdir"/*.kpxe "$imgdir"/*.efi)" "$stat1" \
	"images not rewritten"

# --- another script after the arm64 build: the x86 objects are reused ---
# (iPXE's make touches headers every object depends on when it first
# builds in a directory: the arm64 build made the x86 objects stale
# until build-ipxe wrote those lists before the first make). With this
# run's CA, never a cache hit in a kept cache.
t0=$SECONDS
expect_exit 0 "$BOOTYARD" -c "$conf" build-ipxe --images undionly.kpxe \
	--base-url https://198.18.0.9 --out "$TEST_TMP/relink"
blog=$(sed -n 's/.*(log: \(.*\))$/\1/p' <<<"$out"$'\n'"$err" | tail -n1)
[[ -f $blog ]] || fail "build-ipxe named no build log (output: $out $err)"
nbuild=$(grep -c '\[BUILD\]' "$blog")
# (a relink compiles the objects of the changed script, CA and config
# headers, 25 in all; the stale tree recompiled all of bin/, 1041)
((nbuild < 100)) || fail "a relink of undionly.kpxe compiled $nbuild objects ($blog)"
ok "undionly.kpxe with another script: a relink ($nbuild objects compiled, $((SECONDS - t0)) s)"
expect_contains "$(cat "$TEST_TMP/relink/boot.ipxe")" "https://198.18.0.9/ipxe/v1/config" \
	"the relinked image's script has the other base URL"

# still_there DESC: the previous images survive a failed build.
still_there() {
	expect_eq "$(ipxe_sums "$imgdir")" "$sums1" "$1: previous images kept"
	expect_eq "$(sed -n 's/^key=//p' "$imgdir/build.info")" "$key" \
		"$1: build.info kept"
}

# --- a missing source ---
expect_exit 3 "$BOOTYARD" -c "$conf" build-ipxe --source /nonexistent/ipxe.tar.xz
expect_contains "$err" "iPXE source /nonexistent/ipxe.tar.xz: No such file or directory" \
	"missing source: clear error"
expect_contains "$err" "left as they were" "missing source: says images kept"
still_there "missing source"

# --- a broken tarball ---
head -c 4096 /dev/urandom >"$TEST_TMP/broken.tar.xz"
expect_exit 3 "$BOOTYARD" -c "$conf" build-ipxe --source "$TEST_TMP/broken.tar.xz"
expect_contains "$err" "cannot extract $TEST_TMP/broken.tar.xz" "broken tarball: clear error"
still_there "broken tarball"

# --- a tarball that holds something else ---
mkdir -p "$TEST_TMP/other/docs"
echo hello >"$TEST_TMP/other/docs/README"
tar -C "$TEST_TMP" -cJf "$TEST_TMP/other.tar.xz" other
expect_exit 3 "$BOOTYARD" -c "$conf" build-ipxe --source "$TEST_TMP/other.tar.xz"
expect_contains "$err" "no iPXE source in it" "tarball without iPXE: clear error"
still_there "tarball without iPXE"

# --- a directory that is not an iPXE tree ---
expect_exit 3 "$BOOTYARD" -c "$conf" build-ipxe --source "$TEST_TMP/other"
expect_contains "$err" "not an iPXE tree" "non-iPXE directory: clear error"
still_there "non-iPXE directory"

# --- a source whose build fails ---
mkdir -p "$TEST_TMP/bad/src/config"
printf 'all:\n\t@echo compiling\n%%:\n\t@echo "error: this iPXE does not build" >&2; false\n' \
	>"$TEST_TMP/bad/src/Makefile"
echo '/* empty */' >"$TEST_TMP/bad/src/config/general.h"
tar -C "$TEST_TMP" -cJf "$TEST_TMP/bad.tar.xz" bad
expect_exit 3 "$BOOTYARD" -c "$conf" build-ipxe --source "$TEST_TMP/bad.tar.xz"
expect_contains "$err" "iPXE build failed" "failing make: clear error"
expect_contains "$err" "this iPXE does not build" "failing make: shows the log's end"
still_there "failing make"

# --- usage errors ---
env -u IPXE_SRC "$BOOTYARD" -c "$conf" build-ipxe >/dev/null 2>"$TEST_TMP/nosrc.err"
expect_eq "$?" 2 "no source anywhere: exit 2"
expect_contains "$(cat "$TEST_TMP/nosrc.err")" "no iPXE source" "no source: says so"
expect_exit 2 "$BOOTYARD" -c "$conf" build-ipxe --config nosuch
expect_contains "$err" "build configuration 'nosuch' not found" "unknown config: clear error"
expect_exit 2 "$BOOTYARD" -c "$conf" build-ipxe --config '../etc'
expect_exit 2 "$BOOTYARD" -c "$conf" build-ipxe --images ipxe.lkrn,bogus.bin
expect_exit 2 "$BOOTYARD" -c "$conf" build-ipxe --images ipxe.lkrn,ipxe.lkrn
still_there "usage errors"

done_checks
