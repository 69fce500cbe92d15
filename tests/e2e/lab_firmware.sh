#!/usr/bin/env bash
# e2e/lab_firmware: the lab itself, without bootyard. A hand-configured
# dnsmasq (DHCP + TFTP of Debian's loaders) and a static HTTP server that
# always answers the same iPXE script prove that the QEMU firmware chains
# reach "the config URL" in this lab:
#   1. SeaBIOS + iPXE ROM (e1000), iPXE detected -> /ipxe/v1/boot -> config
#   2. SeaBIOS + ROM handed pxelinux.0 -> ipxe.lkrn + boot.ipxe -> config
#   3. OVMF, virtio-net without ROM (native UEFI PXE) -> snponly.efi -> config
#   4. the stand-in installer (cloud kernel + busybox initramfs, direct
#      kernel boot): DHCP, fetches its install file, calls done, powers off
# When the appliance's own scenarios (boot_chains.sh, provision.sh) fail,
# this test tells whether the lab or the product is at fault.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/lib/lab.sh"
source "$TOP/tests/lib/qemu.sh"

for f in /usr/lib/PXELINUX/pxelinux.0 /usr/lib/syslinux/modules/bios/ldlinux.c32 \
	/usr/lib/ipxe/ipxe.lkrn /usr/lib/ipxe/snponly.efi "$OVMF_CODE"; do
	[[ -r $f ]] || skip "missing $f (make deps)"
done
command -v "$QEMU" >/dev/null || skip "no $QEMU (make deps)"
command -v dnsmasq >/dev/null || skip "no dnsmasq (make deps)"
[[ $(id -u) == 0 ]] || skip "needs root (network namespaces)"

check "lab namespace and bridge" lab_start

# The TFTP tree and the HTTP tree.
tftp=$TEST_TMP/tftp www=$TEST_TMP/www
mkdir -p "$tftp/pxelinux.cfg" "$www/ipxe/v1"
cp /usr/lib/PXELINUX/pxelinux.0 /usr/lib/syslinux/modules/bios/ldlinux.c32 \
	/usr/lib/ipxe/ipxe.lkrn /usr/lib/ipxe/snponly.efi "$tftp/"
cat >"$tftp/pxelinux.cfg/default" <<EOF
SERIAL 0 115200
DEFAULT ipxe
LABEL ipxe
	KERNEL ipxe.lkrn
	INITRD boot.ipxe
EOF
cat >"$tftp/boot.ipxe" <<EOF
#!ipxe
dhcp
chain http://$LAB_ADDR/ipxe/v1/config?mac=\${netX/mac}
EOF
cp "$tftp/boot.ipxe" "$www/ipxe/v1/boot"
cat >"$www/ipxe/v1/config" <<'EOF'
#!ipxe
echo LAB-CONFIG-REACHED platform=${platform}
sleep 600
EOF
chmod -R a+rX "$TEST_TMP"

lab_bg "$TEST_TMP/http.log" /usr/bin/python3 -u -m http.server 80 \
	--bind "$LAB_ADDR" --directory "$www"

# dnsmasq_run DETECT: (re)start dnsmasq; DETECT=yes sends iPXE clients
# straight to /ipxe/v1/boot, DETECT=no treats them as plain PXE ROMs.
dnsmasq_pid=
dnsmasq_run() {
	[[ -n $dnsmasq_pid ]] && lab_kill "$dnsmasq_pid"
	{
		echo "port=0"
		echo "interface=$LAB_BR"
		echo "bind-interfaces"
		echo "user=root"
		echo "dhcp-range=198.18.0.100,198.18.0.150,255.255.255.0,1h"
		echo "dhcp-leasefile=$TEST_TMP/leases"
		echo "enable-tftp"
		echo "tftp-root=$tftp"
		echo "log-dhcp"
		echo "dhcp-match=set:efi64,option:client-arch,7"
		echo "dhcp-userclass=set:ipxe,iPXE"
		if [[ $1 == yes ]]; then
			echo "dhcp-boot=tag:ipxe,http://$LAB_ADDR/ipxe/v1/boot"
			echo "dhcp-boot=tag:!ipxe,tag:efi64,snponly.efi"
			echo "dhcp-boot=tag:!ipxe,tag:!efi64,pxelinux.0"
		else
			echo "dhcp-boot=tag:efi64,snponly.efi"
			echo "dhcp-boot=tag:!efi64,pxelinux.0"
		fi
	} >"$TEST_TMP/dnsmasq.conf"
	lab_bg "$TEST_TMP/dnsmasq.$1.log" dnsmasq --keep-in-foreground \
		--log-facility=- --conf-file="$TEST_TMP/dnsmasq.conf"
	dnsmasq_pid=$LAB_PID
	sleep 0.5
	kill -0 "$dnsmasq_pid" || fail "dnsmasq did not start: $(cat "$TEST_TMP/dnsmasq.$1.log")"
}

# scenario NAME KIND MAC PATTERN SECONDS: boot, wait for PATTERN, stop.
scenario() {
	local name=$1 kind=$2 mac=$3 pat=$4 secs=$5 t0=$SECONDS
	qemu_start "$name" "$kind" "$mac" || fail "$name: qemu did not start"
	if ! qemu_wait "$pat" "$secs"; then
		echo "--- $name: last serial lines ---"
		qemu_tail 30
		echo "--- qemu ---"
		cat "$TEST_TMP/$name.qemu.log"
		qemu_stop
		fail "$name: '$pat' not on the serial console within $secs s"
	fi
	qemu_stop
	ok "$name: reached '$pat' in $((SECONDS - t0)) s"
}

dnsmasq_run yes
scenario bios-ipxe bios 52:54:00:18:00:01 "LAB-CONFIG-REACHED platform=pcbios" 90
expect_contains "$(cat "$TEST_TMP/http.log")" "GET /ipxe/v1/boot " \
	"iPXE ROM fetched /ipxe/v1/boot"
scenario uefi-snponly uefi 52:54:00:18:00:03 "LAB-CONFIG-REACHED platform=efi" 150
expect_contains "$(cat "$TEST_TMP/dnsmasq.yes.log")" "sent $tftp/snponly.efi" \
	"OVMF fetched snponly.efi over TFTP"

dnsmasq_run no
scenario bios-pxelinux bios 52:54:00:18:00:02 "LAB-CONFIG-REACHED platform=pcbios" 120
log=$(cat "$TEST_TMP/dnsmasq.no.log")
expect_contains "$log" "sent $tftp/pxelinux.0" "ROM fetched pxelinux.0"
expect_contains "$log" "sent $tftp/ipxe.lkrn" "pxelinux fetched ipxe.lkrn"
expect_contains "$log" "sent $tftp/boot.ipxe" "pxelinux fetched boot.ipxe"
expect_contains "$(cat "$TEST_TMP/http.log")" "GET /ipxe/v1/config?mac=52%3A54%3A00%3A18%3A00%3A02" \
	"ipxe.lkrn asked for the config with its MAC"

# 4. The stand-in installer (tests/lib/installer) on its own.
KERNEL=$("$TOP/tests/lib/installer/build.sh" "$TEST_TMP/installer.gz") ||
	fail "building the stand-in installer"
INITRD=$TEST_TMP/installer.gz
mkdir -p "$www/inst"
printf 'hostname=lab\ndone_url=http://%s/inst/done?token=t0k\n' "$LAB_ADDR" \
	>"$www/inst/install.cfg"
echo ok >"$www/inst/done"
chmod -R a+rX "$www"
APPEND="console=ttyS0 quiet panic=1 bootyard.install=http://$LAB_ADDR/inst/install.cfg"
t0=$SECONDS
qemu_start installer kernel 52:54:00:18:00:04 || fail "installer: qemu did not start"
if ! qemu_wait_exit 90; then
	qemu_tail 30
	fail "installer did not power off within 90 s"
fi
qemu_tail 12
ok "installer powered off by itself in $((SECONDS - t0)) s"
log=$(cat "$TEST_TMP/http.log")
expect_contains "$log" "GET /inst/install.cfg " "installer fetched its install file"
expect_contains "$log" "GET /inst/done?token=t0k " "installer called done_url from the file"
expect_contains "$(qemu_tail 100)" "INSTALLER: DONE" "installer said DONE on the console"
done_checks
