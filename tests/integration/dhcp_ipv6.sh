#!/usr/bin/env bash
# dhcp_ipv6 - IPv6 at the DHCP level, against the real dnsmasq that
# `bootyard serve` renders, with no setting beyond the interface's
# address ([dhcp] range6 = auto):
#   dual stack: the appliance's link holds 198.18.0.1/24 and
#     fd00:b007::1/64; one client (one MAC) gets a DHCPv4 lease with
#     snponly.efi and a DHCPv6 lease with option 59 tftp://[fd00:b007::1]/
#     snponly.efi (client architecture 7, DHCPv6 option 61); an iPXE
#     client (user class iPXE) the boot script over HTTP on IPv6; the
#     lease hook records both addresses in the MAC's one row;
#   the HTTP service answers on IPv6 with URLs naming the IPv6 address;
#   IPv6 only ([dhcp] range = off, reloaded): no DHCPv4 offer, DHCPv6
#     still served.
# The DHCPv6 client is tests/tools/dhcp6_probe.py (Solicit/Request with a
# DUID-LL); the client's link has the MAC it claims, so dnsmasq's
# neighbour lookup (DNSMASQ_MAC) and the DUID agree.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/integration/dhcp_lab.bash"

command -v python3 >/dev/null || skip "python3 is not installed"
command -v curl >/dev/null || skip "curl is not installed"
P6=$TOP/tests/tools/dhcp6_probe.py
MAC=52:54:00:b6:00:99

lab_up
ip -n "$NS_A" addr add fd00:b007::1/64 dev "$IF_A" nodad || fail "IPv6 address"
ip -n "$NS_C" link set "$BR_C" type bridge mcast_snooping 0
ip -n "$NS_C" link set "$BR_C" address "$MAC"
# a link-local address the probe can send from at once (no DAD)
ip -n "$NS_C" addr add fe80::b6:99/64 dev "$BR_C" nodad || fail "link-local"
lab_config
appliance_start
wait_for 10 bash -c "[[ \$('$BOOTYARD' -c '$CONF' status | awk '\$1 == \"address6\" { print \$2 }') == fd00:b007::1 ]]" ||
	fail "status: address6 is not fd00:b007::1: $("$BOOTYARD" -c "$CONF" status)"
ok "status: the IPv6 address served"
conf=$(cat "$STATE/run/dnsmasq.conf")
expect_contains "$conf" "dhcp-range=fd00:b007::1000,fd00:b007::ffff,64," "range6 = auto: the DHCPv6 pool of the prefix"
expect_contains "$conf" "enable-ra" "router advertisements"

probe6() { timeout 30 ip netns exec "$NS_C" python3 "$P6" "$BR_C" "$@"; }

# -- dual stack: DHCPv4 and DHCPv6 for one MAC
ack=$(probe -m "$MAC" -a 7 -r -w 100 | grep -m1 '^ACK server=198.18.0.1 ')
[[ -n $ack ]] || fail "DHCPv4: no ACK"
expect_eq "$(field file "$ack")" snponly.efi "dual stack: DHCPv4 lease with snponly.efi"
# (other DUIDs from the same link first: dnsmasq records a DHCPv6
# lease under the sender's MAC, DNSMASQ_MAC, which is the link's)
out=$(probe6 52:54:00:b6:00:98 7 iPXE) || fail "DHCPv6 (iPXE): $out"
expect_contains "$out" "url=http://[fd00:b007::1]:$HTTP_PORT/ipxe/v1/boot" "DHCPv6: iPXE gets the boot script over HTTP on IPv6"
out=$(probe6 52:54:00:b6:00:97 0) || fail "DHCPv6 (arch 0): $out"
expect_contains "$out" "url=-" "DHCPv6: no boot file for BIOS (no IPv6 PXE there)"
out=$(probe6 "$MAC" 7) || fail "DHCPv6: $out"
echo "$out"
expect_contains "$out" "ADVERTISE addr=fd00:b007::" "DHCPv6: an address of the pool"
expect_contains "$out" "url=tftp://[fd00:b007::1]/snponly.efi" "DHCPv6: UEFI x86-64 (option 61 = 7) gets snponly.efi over TFTP on IPv6"
expect_contains "$out" "REPLY addr=fd00:b007::" "DHCPv6: the Request is answered"
addr6=$(sed -n 's/^REPLY addr=\([^ ]*\).*/\1/p' <<<"$out")

# the lease hook: both addresses in the MAC's row (it runs asynchronously)
wait_for 10 bash -c "'$BOOTYARD' -c '$CONF' leases --json | grep -q '$addr6'" ||
	fail "lease hook: $addr6 not recorded: $("$BOOTYARD" -c "$CONF" leases; grep -iv "dnsmasq-dhcp" "$TEST_TMP/serve.log" | tail -n 15)"
row=$("$BOOTYARD" -c "$CONF" leases --json | python3 -c "
import json, sys
for l in json.load(sys.stdin):
    if l['mac'] == '$MAC': print(l['ip'], l['ip6'])")
expect_eq "$row" "$(field yiaddr "$ack") $addr6" "leases: $MAC holds its IPv4 and IPv6 address"

# -- the HTTP service on IPv6: URLs name the address the client used
boot=$(ip netns exec "$NS_C" curl -sf -g "http://[fd00:b007::1]:$HTTP_PORT/ipxe/v1/boot") ||
	fail "no HTTP answer on IPv6"
expect_contains "$boot" "http://[fd00:b007::1]:$HTTP_PORT/ipxe/v1/config" "boot script over IPv6 names the IPv6 address"
expect_contains "$boot" $'\ngoto dhcp_ok\n' "and skips the configuration"
boot=$(ip netns exec "$NS_A" curl -sf "http://198.18.0.1:$HTTP_PORT/ipxe/v1/boot")
expect_contains "$boot" "http://198.18.0.1:$HTTP_PORT/ipxe/v1/config" "over IPv4 the IPv4 one"

# -- IPv6 only: range = off
lab_config # (it writes only the keys it lists: range goes in by hand)
sed -i 's/^mode = dhcp$/mode = dhcp\nrange = off/' "$CONF"
appliance_reload
conf=$(cat "$STATE/run/dnsmasq.conf")
expect_contains "$conf" "no DHCPv4" "range = off: no DHCPv4 pool"
out=$(probe -m 52:54:00:b6:00:96 -a 7 -w 6 2>&1 | grep -c '^OFFER server=198.18.0.1 ')
expect_eq "$out" 0 "range = off: no DHCPv4 offer"
out=$(probe6 52:54:00:b6:00:96 7) || fail "DHCPv6 after range = off: $out"
expect_contains "$out" "url=tftp://[fd00:b007::1]/snponly.efi" "range = off: DHCPv6 still served"
done_checks
