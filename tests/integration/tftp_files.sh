#!/usr/bin/env bash
# tftp_files - every file of the TFTP tree, fetched by a real TFTP client
# (tftp-hpa, binary mode) from the supervised dnsmasq, is byte-equal to
# its file in the tree, and the tree's copies equal their Debian sources;
# the rendered files name the appliance; a fetch is recorded as a
# tftp-sent event of the client's MAC, a missing file as tftp-not-found;
# `[dhcp] mode = off` answers no DHCP but still serves TFTP;
# `bootyard tftp-root` is idempotent.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/integration/dhcp_lab.bash"

lab_up
lab_config
appliance_start
T=$STATE/tftp

# a client with a lease, so that TFTP events map to its MAC
M=52:54:00:d0:00:01
ack=$(probe -m "$M" -a 0 -r -w 100 | grep -m1 '^ACK')
cip=$(field yiaddr "$ack")
[[ $cip == 198.18.0.* ]] || fail "no lease: $ack"
ip -n "$NS_C" addr add "$cip/24" dev "$BR_C"

n=0
while IFS= read -r f; do
	rel=${f#"$T"/}
	mkdir -p "$TEST_TMP/got/$(dirname "$rel")"
	timeout 20 ip netns exec "$NS_C" tftp -m binary 198.18.0.1 -c get "$rel" "$TEST_TMP/got/$rel" ||
		fail "tftp get $rel failed"
	cmp -s "$f" "$TEST_TMP/got/$rel" || fail "$rel: fetched bytes differ"
	n=$((n + 1))
done < <(find "$T" -type f ! -name '.*' | sort)
((n >= 13)) || fail "only $n files in the TFTP tree"
ok "all $n TFTP files fetched byte-equal"

for pair in pxelinux.0:/usr/lib/PXELINUX/pxelinux.0 \
	ldlinux.c32:/usr/lib/syslinux/modules/bios/ldlinux.c32 \
	snponly.efi:/usr/lib/ipxe/snponly.efi ipxe.efi:/usr/lib/ipxe/ipxe.efi \
	ipxe.lkrn:/usr/lib/ipxe/ipxe.lkrn undionly.kpxe:/usr/lib/ipxe/undionly.kpxe \
	memtest86+x64.bin:/boot/memtest86+x64.bin memtest86+x64.efi:/boot/memtest86+x64.efi; do
	cmp -s "$TEST_TMP/got/${pair%%:*}" "${pair#*:}" || fail "${pair%%:*} differs from ${pair#*:}"
done
ok "fetched loaders equal their Debian sources"

# ARM64 UEFI (option 93 = 11) is offered arm64/snponly.efi; Debian's ipxe
# has no ARM64 image and nothing was built here, so the tree has none (no
# x86 file in its place: such a client gets nothing) and status says so
ack=$(probe -m 52:54:00:d0:00:0b -a 11 -r -w 100 | grep -m1 '^ACK')
expect_eq "$(field file "$ack")" arm64/snponly.efi "arch 11 (ARM64 UEFI): arm64/snponly.efi"
[[ ! -e $T/arm64/snponly.efi && ! -e $T/arm64/ipxe.efi ]] ||
	fail "an ARM64 iPXE in the TFTP tree without a build"
ok "no ARM64 iPXE in the tree without a build"
expect_contains "$("$BOOTYARD" -c "$CONF" status)" "arm64/ipxe.efi,arm64/snponly.efi" \
	"status names the ARM64 images it does not have (ipxe_missing)"
expect_contains "$(cat "$TEST_TMP/got/boot.ipxe")" "imgfetch --name bootyard-config http://198.18.0.1:$HTTP_PORT/ipxe/v1/config" "boot.ipxe fetches its config from the appliance"
expect_contains "$(cat "$TEST_TMP/got/pxelinux.cfg/default")" "INITRD boot.ipxe" "pxelinux loads iPXE with boot.ipxe"
expect_contains "$(cat "$TEST_TMP/got/grub/grub.cfg")" "chainloader (tftp,198.18.0.1)/ipxe.efi" "grub.cfg chainloads iPXE"
strings "$TEST_TMP/got/grubx64.efi" | grep -q "(tftp,198.18.0.1)/grub" || fail "grubx64.efi prefix"
ok "grubx64.efi has the appliance's TFTP prefix"
strings "$TEST_TMP/got/bootyard-localboot.efi" | grep -q "/EFI/BOOT/BOOTX64.EFI" || fail "localboot early config"
ok "bootyard-localboot.efi embeds the disk search"

timeout 10 ip netns exec "$NS_C" tftp -m binary 198.18.0.1 -c get no-such-file "$TEST_TMP/x" >/dev/null 2>&1
wait_for 5 bash -c "'$BOOTYARD' -c '$CONF' events '$M' | grep -q 'tftp-sent.*file=pxelinux.0'" ||
	fail "no tftp-sent event for $M: $("$BOOTYARD" -c "$CONF" events)"
ok "TFTP sends are events of the client's MAC"
wait_for 5 bash -c "'$BOOTYARD' -c '$CONF' events '$M' | grep -q 'tftp-not-found.*no-such-file'" ||
	fail "no tftp-not-found event"
ok "a missing file is a tftp-not-found event"

# [dhcp] mode = off: dnsmasq serves TFTP only, no DHCP answer
lab_config dhcp.mode=off
appliance_reload
out=$(probe -m "$M" -a 0 -t 2500 -w 0 || true)
[[ $out != *"server=198.18.0.1 "* ]] || fail "mode=off still answers DHCP: $out"
ok "mode=off: no DHCP answer"
rm -f "$TEST_TMP/off.0"
timeout 20 ip netns exec "$NS_C" tftp -m binary 198.18.0.1 -c get pxelinux.0 "$TEST_TMP/off.0"
cmp -s "$TEST_TMP/off.0" "$T/pxelinux.0" || fail "mode=off: TFTP does not serve"
ok "mode=off: TFTP still serves"
lab_config

# the command line: idempotent, and a missing package is named
out=$("$BOOTYARD" -c "$CONF" tftp-root --server 198.18.0.1)
expect_contains "$out" "0 written" "tftp-root again: nothing to rewrite"
mkdir -p "$TEST_TMP/data/tftp-root"
cp -r "$TOP/tftp-root/." "$TEST_TMP/data/tftp-root/"
BOOTYARD_DATA=$TEST_TMP/data expect_exit 0 "$BOOTYARD" -c "$CONF" tftp-root --dir "$TEST_TMP/t2" --server 198.18.0.9
expect_contains "$(cat "$TEST_TMP/t2/boot.ipxe")" "http://198.18.0.9:$HTTP_PORT" "--server renders the boot script"
done_checks
