#!/usr/bin/env bash
# dhcp_modes - the boot file dnsmasq offers, by client architecture (DHCP
# option 93: 0, 7, 9, 11; 16 UEFI HTTP Boot in proxy mode) and iPXE user
# class, for every loader setting, in dhcp mode and in proxy mode beside a
# second "site" DHCP server; and
# every lease reaches the database with its architecture.
# One appliance serves all cases; settings change through SIGHUP.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/integration/dhcp_lab.bash"

lab_up
lab_config
appliance_start
# iPXE clients get the boot script over TFTP (it runs even when HTTP is down)
URL="tftp://198.18.0.1/boot.ipxe"

# -- leases: one client per architecture (one after the other: the
#    clients share UDP port 68; dnsmasq pings a new address ~3 s first)
declare -A mac_of=([0]=52:54:00:a0:00:00 [7]=52:54:00:a0:00:07
	[9]=52:54:00:a0:00:09 [11]=52:54:00:a0:00:0b)
for a in 0 7 9 11; do
	probe -m "${mac_of[$a]}" -a "$a" -r -w 100 >"$TEST_TMP/lease.$a"
done
probe -m 52:54:00:a0:00:ee -a 7 -u iPXE -r -w 100 >"$TEST_TMP/lease.ipxe"
for a in 0 7 9 11; do
	ack=$(grep -m1 '^ACK server=198.18.0.1 ' "$TEST_TMP/lease.$a")
	[[ -n $ack ]] || fail "arch $a: no ACK: $(cat "$TEST_TMP/lease.$a")"
done
ok "clients of arch 0, 7, 9, 11 and iPXE got leases"
expect_eq "$(field file "$(grep -m1 '^ACK' "$TEST_TMP/lease.0")")" pxelinux.0 "arch 0 (BIOS): pxelinux.0"
expect_eq "$(field file "$(grep -m1 '^ACK' "$TEST_TMP/lease.7")")" snponly.efi "arch 7 (x86-64 UEFI): snponly.efi"
expect_eq "$(field file "$(grep -m1 '^ACK' "$TEST_TMP/lease.9")")" snponly.efi "arch 9 (x86-64 UEFI): snponly.efi"
expect_eq "$(field file "$(grep -m1 '^ACK' "$TEST_TMP/lease.11")")" arm64/snponly.efi "arch 11 (ARM64 UEFI): arm64/snponly.efi"
expect_eq "$(field file "$(grep -m1 '^ACK' "$TEST_TMP/lease.ipxe")")" "$URL" "iPXE: the boot script URL (TFTP)"
expect_eq "$(field siaddr "$(grep -m1 '^ACK' "$TEST_TMP/lease.0")")" 198.18.0.1 "next-server is the appliance"

# every lease in the database, with its architecture (the hook runs
# asynchronously: give it a moment)
leases_arch() { "$BOOTYARD" -c "$CONF" leases | awk -v m="$1" '$1 == m { print $4 }'; }
for a in 0 7 9 11; do
	wait_for 5 bash -c "[[ \$('$BOOTYARD' -c '$CONF' leases | awk '\$1 == \"${mac_of[$a]}\" { print \$4 }') == $a ]]" ||
		fail "lease of ${mac_of[$a]} not recorded with arch $a: $("$BOOTYARD" -c "$CONF" leases)"
done
ok "each lease reached the database with its architecture"
expect_contains "$("$BOOTYARD" -c "$CONF" leases --json)" '"user_class": "iPXE"' "the iPXE user class is recorded"
expect_contains "$("$BOOTYARD" -c "$CONF" events)" dhcp-ack "dnsmasq's log became dhcp-ack events"

# -- loader settings (same MAC: it has a lease, no ping delay)
M=${mac_of[0]}
bootfile() { field file "$(offer_from 198.18.0.1 -m "$M" -w 300 "$@")"; }
pid0=$(status_get dnsmasq_pid)
lab_config dhcp.bios_loader=undionly dhcp.uefi_loader=ipxe
appliance_reload
[[ $(status_get dnsmasq_pid) != "$pid0" ]] || fail "a changed dnsmasq config must restart dnsmasq"
ok "changed loaders restarted dnsmasq"
expect_eq "$(bootfile -a 0)" undionly.kpxe "bios_loader=undionly: arch 0 gets undionly.kpxe"
expect_eq "$(bootfile -a 7)" ipxe.efi "uefi_loader=ipxe: arch 7 gets ipxe.efi"
expect_eq "$(bootfile -a 9)" ipxe.efi "uefi_loader=ipxe: arch 9 gets ipxe.efi"
expect_eq "$(bootfile -a 0 -u iPXE)" "$URL" "iPXE still gets the URL"

lab_config dhcp.uefi_loader=grub dhcp.ipxe_detect=no
appliance_reload
expect_eq "$(bootfile -a 7)" grubx64.efi "uefi_loader=grub: arch 7 gets grubx64.efi"
expect_eq "$(bootfile -a 9)" grubx64.efi "uefi_loader=grub: arch 9 gets grubx64.efi"
expect_eq "$(bootfile -a 0 -u iPXE)" pxelinux.0 "ipxe_detect=no: an iPXE client gets the firmware's file"

# an unchanged config on SIGHUP does not restart dnsmasq
pid1=$(status_get dnsmasq_pid)
appliance_reload
expect_eq "$(status_get dnsmasq_pid)" "$pid1" "SIGHUP without changes keeps dnsmasq"

# -- proxy mode: a site DHCP server hands out addresses, bootyard the files
ns_bg "$NS_S" SITE_PID dnsmasq --keep-in-foreground --conf-file=/dev/null \
	--port=0 --interface="$IF_S" --bind-interfaces --pid-file= \
	--dhcp-range=198.18.0.100,198.18.0.150,1h --leasefile-ro --no-ping \
	--log-facility="$TEST_TMP/site.log"
lab_config dhcp.mode=proxy
appliance_reload
MP=52:54:00:b0:00:01
out=$(probe -m "$MP" -a 0 -w 2000)
site=$(grep -m1 'server=198.18.0.2 ' <<<"$out")
prox=$(grep -m1 'server=198.18.0.1 ' <<<"$out")
[[ -n $site && -n $prox ]] || fail "proxy mode: want offers from both servers: $out"
ok "proxy mode: the site server and bootyard both answer"
expect_eq "$(field yiaddr "$prox")" 0.0.0.0 "the proxy offer carries no address"
expect_eq "$(field vendor "$prox")" PXEClient "the proxy offer says PXEClient"
expect_eq "$(field file "$prox")" pxelinux.0 "proxy, arch 0: pxelinux.0 in the offer"
siteaddr=$(field yiaddr "$site")
[[ $siteaddr == 198.18.0.1[0-5][0-9] ]] || fail "site address $siteaddr"
ok "the address comes from the site server ($siteaddr)"

# UEFI PXE asks the proxy on port 4011 once it has the site's address
ip -n "$NS_C" addr add "$siteaddr/24" dev "$BR_C"
on_exit "ip -n $NS_C addr del $siteaddr/24 dev $BR_C 2>/dev/null"
p4011() { field file "$(probe -m "$MP" -a "$1" -4 198.18.0.1 -c "$siteaddr" -w 300 | grep -m1 '^ACK')"; }
out7=$(offer_from 198.18.0.1 -m "$MP" -a 7 -w 1500)
expect_eq "$(field siaddr "$out7")" 198.18.0.1 "proxy, arch 7: sent on to the boot server"
expect_eq "$(p4011 7)" snponly.efi "proxy, arch 7, port 4011: snponly.efi"
expect_eq "$(p4011 9)" snponly.efi "proxy, arch 9, port 4011: snponly.efi"
expect_eq "$(field file "$(offer_from 198.18.0.1 -m "$MP" -a 0 -u iPXE -w 1500)")" "$URL" "proxy, iPXE: the URL"
expect_eq "$(field file "$(offer_from 198.18.0.1 -m "$MP" -a 7 -u iPXE -w 1500)")" "$URL" "proxy, iPXE on UEFI: the URL"
# UEFI HTTP Boot (arch 16, vendor class HTTPClient) in proxy mode: a
# proxy offer with the loader's URL and HTTPClient (dhcp-pxe-vendor)
HV=HTTPClient:Arch:00016:UNDI:003000
hb=$(offer_from 198.18.0.1 -m "$MP" -a 16 -V "$HV" -w 1500)
expect_eq "$(field yiaddr "$hb")" 0.0.0.0 "proxy, HTTP Boot: a proxy offer, no address"
expect_eq "$(field file "$hb")" "http://198.18.0.1:$HTTP_PORT/files/tftp/snponly.efi" \
	"proxy, HTTP Boot: the loader's URL as boot file"
expect_eq "$(field vendor "$hb")" HTTPClient "proxy, HTTP Boot: vendor class HTTPClient"
lab_config dhcp.mode=proxy dhcp.bios_loader=undionly dhcp.uefi_loader=ipxe
appliance_reload
expect_eq "$(field file "$(offer_from 198.18.0.1 -m "$MP" -a 0 -w 1500)")" undionly.kpxe "proxy, bios_loader=undionly"
expect_eq "$(p4011 9)" ipxe.efi "proxy, uefi_loader=ipxe, port 4011: ipxe.efi"
expect_eq "$(p4011 11)" arm64/ipxe.efi "proxy, arch 11, uefi_loader=ipxe, port 4011: arm64/ipxe.efi"

kill -TERM "$SERVE_PID"
wait "$SERVE_PID"
expect_eq "$?" 0 "SIGTERM: serve exits 0"
done_checks
