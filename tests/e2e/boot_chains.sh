#!/usr/bin/env bash
# e2e/boot_chains: real firmware through every boot chain bootyard serves,
# against one `bootyard serve` in one lab (restarted only when a loader
# setting changes). Asserts on the serial console, the HTTP access log and
# the events table (`bootyard events MAC`).
#   1. BIOS, QEMU's iPXE ROM (e1000), iPXE detected: DHCP hands
#      tftp://.../boot.ipxe -> config -> the host's menu
#   6. an unknown MAC gets the menu and is recorded; choosing the memory
#      test in the menu makes iPXE fetch memtest86+x64.bin
#   3. UEFI: OVMF native PXE (virtio-net, no option ROM) -> snponly.efi ->
#      config -> menu
#   2. ipxe_detect = no: the ROM is handed pxelinux.0 -> ipxe.lkrn +
#      boot.ipxe -> config
#   4. bios_loader = undionly: the ROM is handed undionly.kpxe (built by
#      bootyard build-ipxe with the boot script when IPXE_SRC is set) ->
#      config -> menu
#   3b. uefi_loader = grub: grubx64.efi -> grub.cfg -> ipxe.efi fetched
#      (Debian 12's grub 2.06 then hangs starting ipxe.efi: DESIGN.md)
# Time bound: every boot has its own timeout; about 5 minutes in all.
# E2E_SCENARIOS="1 6 3 2 4 3b" (the default) picks scenarios to run.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/lib/lab.sh"
source "$TOP/tests/lib/qemu.sh"
source "$TOP/tests/e2e/appliance.bash"

app_require --ovmf python3 ss

check "lab namespace and bridge" lab_start
app_init
app_config
check "distro add" by distro add demo --kernel demo/vmlinuz --initrd demo/initrd.gz
check "host add (BIOS, menu)" by host add 52:54:00:b0:00:01 --hostname chain-bios --action menu
check "host add (UEFI, menu)" by host add 52:54:00:b0:00:03 --hostname chain-uefi --action menu
check "host add (pxelinux, menu)" by host add 52:54:00:b0:00:02 --hostname chain-pxelinux --action menu
app_start

want() { [[ " ${E2E_SCENARIOS:-1 6 3 2 4 3b} " == *" $1 "* ]]; }
current=
# restart_with K=V...: restart serve only if the settings differ.
restart_with() {
	[[ "$*" == "$current" ]] && return 0
	current="$*"
	app_restart "$@"
}
# events_of MAC: the boot timeline of MAC into $ev, and shown.
events_of() {
	ev=$(app_events "$1")
	echo "$ev"
}

# ---- 1. BIOS iPXE ROM, iPXE detected -----------------------------------
if want 1; then
	restart_with
	mac=52:54:00:b0:00:01
	app_boot s1-bios-ipxe bios $mac "bootyard: $mac chain-bios" 120
	qemu_stop
	log=$(app_access)
	expect_tftp $mac boot.ipxe "s1: the ROM fetched boot.ipxe over TFTP"
	expect_contains "$log" "/ipxe/v1/config?mac=" "s1: then the config"
	events_of $mac
	expect_contains "$ev" "dhcp" "s1: events: DHCP"
	expect_contains "$ev" "config" "s1: events: config decision"
	expect_contains "$ev" "menu" "s1: events: the decision was the menu"
fi

# ---- 6. unknown MAC: menu, recorded, memtest chosen ---------------------
if want 6; then
	restart_with
	mac=52:54:00:b0:00:06
	app_boot s6-unknown bios $mac "Memory test" 120
	unknown=$(by leases --unknown)
	echo "$unknown"
	expect_contains "$unknown" "$mac" "s6: the MAC is recorded as unknown"
	if want 1; then
		[[ $unknown != *52:54:00:b0:00:01* ]] ||
			fail "s6: a known host's MAC is listed as unknown"
		ok "s6: known hosts are not listed as unknown"
	fi
	expect_contains "$(app_events $mac)" "menu" "s6: events: decision menu"
	# In the menu: End (last item: Reboot), Up (Memory test), Enter.
	qemu_keys end up ret
	app_wait_access "memtest86\+x64\.bin" 60 ||
		app_fail "s6: memtest86+x64.bin not fetched after choosing it"
	ok "s6: iPXE fetched memtest86+x64.bin"
	qemu_stop
fi

# ---- 3. UEFI native PXE -> snponly.efi ---------------------------------
if want 3; then
	restart_with
	mac=52:54:00:b0:00:03
	app_boot s3-uefi-snponly uefi $mac "bootyard: $mac chain-uefi" 180
	qemu_stop
	events_of $mac
	expect_tftp $mac "snponly.efi" "s3: events: snponly.efi sent over TFTP"
	expect_contains "$ev" "config" "s3: events: config decision"
fi

# ---- 2. ipxe_detect = no: pxelinux.0 -> ipxe.lkrn + boot.ipxe ---------
if want 2; then
	restart_with dhcp.ipxe_detect=no
	mac=52:54:00:b0:00:02
	app_boot s2-bios-pxelinux bios $mac "bootyard: $mac chain-pxelinux" 150
	qemu_stop
	events_of $mac
	expect_tftp $mac "pxelinux.0" "s2: events: pxelinux.0 sent"
	expect_tftp $mac "ipxe.lkrn" "s2: events: ipxe.lkrn sent"
	expect_tftp $mac "boot.ipxe" "s2: events: boot.ipxe sent"
	expect_contains "$ev" "config" "s2: events: config decision"
fi

# ---- 4. bios_loader = undionly ----------------------------------------
# undionly.kpxe is iPXE: with ipxe_detect off, DHCP would hand Debian's
# (no embedded script) undionly.kpxe to itself again, forever. So when an
# iPXE source is at hand (IPXE_SRC; tests/run.sh finds the vendored one)
# the appliance gets a bootyard-built undionly.kpxe with the boot script
# embedded (bootyard build-ipxe; the build cache is shared with the other
# iPXE tests), and the client must reach its config. Without one, the
# scenario checks what Debian's image can do: it is sent and starts.
ipxe_tools() {
	local t
	[[ -n ${IPXE_SRC:-} && -e $IPXE_SRC && -f /usr/include/lzma.h ]] || return 1
	for t in make gcc ld perl openssl tar xz; do
		command -v "$t" >/dev/null || return 1
	done
}
if want 4; then
	built=
	if ipxe_tools; then
		source "$TOP/tests/integration/ipxe_lib.bash" # the shared build cache
		t0=$SECONDS
		timeout 900 "$BOOTYARD" -c "$APP_CONF" build-ipxe --config serial \
			--images undionly.kpxe >"$TEST_TMP/build-ipxe.log" 2>&1 || {
			tail -n 20 "$TEST_TMP/build-ipxe.log"
			fail "s4: bootyard build-ipxe undionly.kpxe failed"
		}
		[[ -f $APP_STATE/ipxe/undionly.kpxe ]] ||
			fail "s4: build-ipxe left no $APP_STATE/ipxe/undionly.kpxe"
		ok "s4: undionly.kpxe built with the boot script ($((SECONDS - t0)) s)"
		built=1
	else
		echo "s4: no iPXE source or build tools: Debian's undionly.kpxe only"
	fi
	restart_with dhcp.ipxe_detect=no dhcp.bios_loader=undionly
	mac=52:54:00:b0:00:04
	# undionly.kpxe starting on the ROM's PXE stack prints "PXE->EB".
	app_boot s4-bios-undionly bios $mac "PXE->EB" 120
	if [[ -n $built ]]; then
		# (the serial build prints on its own serial console and on
		# SeaBIOS's: the console text is doubled; the access log is not)
		app_wait_access "/ipxe/v1/config\?mac=${mac//:/(:|%3A)}.* menu\$" 120 ||
			app_fail "s4: the built undionly.kpxe did not reach the menu"
		ok "s4: undionly.kpxe reached config and got the menu"
		expect_contains "$(app_events $mac)" "config" "s4: events: config decision"
	fi
	qemu_stop
	expect_tftp $mac undionly.kpxe "s4: events: undionly.kpxe sent"
fi

# ---- 3b. uefi_loader = grub --------------------------------------------
if want 3b; then
	restart_with dhcp.uefi_loader=grub
	mac=52:54:00:b0:00:05
	app_boot s3b-uefi-grub uefi $mac "iPXE initialising devices" 240
	qemu_stop
	expect_contains "$(qemu_tail 100)" "Welcome to GRUB" "s3b: grub ran"
	events_of $mac
	expect_tftp $mac "grubx64.efi" "s3b: events: grubx64.efi sent"
	expect_tftp $mac "ipxe.efi" "s3b: events: grub fetched ipxe.efi"
fi

app_stop
done_checks
