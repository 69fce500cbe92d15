#!/usr/bin/env bash
# e2e/ipv6: IPv6 clients, through real firmware.
#   1. An IPv6-only segment (no DHCPv4: [dhcp] range = off; the bridge
#      holds fd00:b007::1/64): OVMF's PXEv6 entry (PXEv4 switched off by
#      fw_cfg) gets snponly.efi over TFTP on IPv6 (DHCPv6 bootfile-url
#      tftp://[fd00:b007::1]/snponly.efi), iPXE configures by RA +
#      DHCPv6 and fetches its config over IPv6 (the GET for its MAC from
#      an fd00:b007:: address); the lease hook records the DHCPv6 lease
#      under the client's MAC (leases.ip6).
# Dual stack (both pools on one interface, both addresses in one lease
# row) is proved at the DHCP level by tests/integration/dhcp_ipv6.sh.
# With IPXE_SRC the client runs a bootyard-built snponly.efi (boot script
# embedded: IPv6 first, no DHCPv4 wait); without, Debian's (autoboot:
# it waits out DHCPv4, about 15 s more). Each VM has its own -uuid (iPXE's
# DUID is DUID-UUID, all zeros without one). About 1-2 minutes.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/lib/lab.sh"
source "$TOP/tests/lib/qemu.sh"
source "$TOP/tests/e2e/appliance.bash"
source "$TOP/tests/integration/ipxe_lib.bash"

app_require --ovmf python3 ss sqlite3 curl

# expect_match TEXT ERE DESC (a line of TEXT matches), and the negations
expect_match() {
	grep -Eq -- "$2" <<<"$1" || fail "$3: /$2/ not in: $(tail -n 20 <<<"$1")"
	ok "$3"
}
expect_not_match() {
	! grep -Eq -- "$2" <<<"$1" || fail "$3: /$2/ in: $(grep -E -- "$2" <<<"$1" | head -n 5)"
	ok "$3"
}
expect_not_contains() {
	[[ $1 != *"$2"* ]] || fail "$3: '$2' found"
	ok "$3"
}

V6=fd00:b007::1
check "lab namespace and bridge" lab_start
# IPv6 on the bridge: no DAD wait; no multicast snooping (the bridge
# would drop the solicited-node multicast of NDP and DHCPv6 otherwise)
check "lab: IPv6 on the bridge" lab_exec ip addr add "$V6/64" dev "$LAB_BR" nodad
check "lab: bridge multicast snooping off" \
	lab_exec ip link set "$LAB_BR" type bridge mcast_snooping 0
app_init

ipxe=()
if [[ -n ${IPXE_SRC:-} && -e $IPXE_SRC ]]; then
	ipxe=(ipxe.source="$IPXE_SRC" ipxe.build_config=serial)
fi
# the default listeners: 0.0.0.0:80 and (listen6 = auto) [::]:80
app_config dhcp.range=off http.listen=0.0.0.0:80 "${ipxe[@]}"
check "host add (UEFI, menu)" by host add 52:54:00:b6:00:01 --hostname v6-uefi --action menu
if ((${#ipxe[@]})); then
	t0=$SECONDS
	timeout 1200 "$BOOTYARD" -c "$APP_CONF" build-ipxe --images snponly.efi ||
		fail "build-ipxe snponly.efi failed"
	ok "bootyard-built snponly.efi in $((SECONDS - t0)) s"
else
	echo "# no IPXE_SRC: Debian's snponly.efi (autoboot waits out DHCPv4)"
fi
APP_DHCP_PORT=547 app_start
status=$(by status 2>&1)
expect_contains "$status" "$V6" "status: the IPv6 address served"
conf=$(cat "$APP_STATE"/run/dnsmasq.conf)
expect_contains "$conf" "option6:bootfile-url,tftp://[$V6]/snponly.efi" "dnsmasq: firmware gets its loader over TFTP on IPv6"
expect_contains "$conf" "option6:bootfile-url,http://[$V6]/ipxe/v1/boot" "dnsmasq: iPXE gets the boot script over HTTP on IPv6"
expect_not_contains "$conf" "dhcp-range=198.18" "dnsmasq: no DHCPv4 pool (range = off)"

# ---- 1. OVMF PXEv6 -> snponly.efi -> config over IPv6 -------------------
# (the menu is not matched on the console: the serial build of iPXE
# writes each character twice there, EFI console and serial port)
mac=52:54:00:b6:00:01
app_boot v6-uefi uefi $mac "Start PXE over IPv6" 120 \
	-fw_cfg name=opt/org.tianocore/IPv4PXESupport,string=no \
	-uuid 0b007000-0000-4000-8000-00000000b601
app_wait_access "GET /ipxe/v1/config\?mac=52(:|%3A)54(:|%3A)00(:|%3A)b6(:|%3A)00(:|%3A)01" 150 ||
	app_fail "no config request for $mac within 150 s"
t_config=$((SECONDS - APP_T0))
qemu_stop
log=$(app_access)
echo "$log" | tail -n 5
expect_match "$log" "^fd00:b007::[0-9a-f:]+ \"GET /ipxe/v1/config\?mac=52(:|%3A)54(:|%3A)00(:|%3A)b6(:|%3A)00(:|%3A)01" \
	"iPXE fetched its config for $mac over IPv6"
expect_not_match "$log" "^198\.18\." "no request over IPv4"
ev=$(app_events $mac)
echo "$ev" | tail -n 12
expect_contains "$ev" "snponly.efi" "events: snponly.efi sent over TFTP"
expect_match "$ev" "ip=fd00:b007::" "events: the DHCPv6 lease, under the MAC"
lease=$(sqlite3 "$APP_STATE/db/bootyard.db" "select ip, ip6 from leases where mac = '$mac'")
expect_match "$lease" "^\|fd00:b007::[0-9a-f:]+$" "leases: the IPv6 address recorded for $mac by the lease hook"
expect_match "$(by leases)" "$mac .*fd00:b007::" "bootyard leases shows it"
ok "PXEv6 power-on to config over IPv6: ${t_config} s"

app_stop
done_checks
