#!/usr/bin/env bash
# tftp_robust - TFTP that holds up where real sites break it (issue #9):
#  - lab link MTU 1400 and IP fragments dropped (nftables in the
#    appliance's namespace): a client asking blksize 8192 still completes,
#    both when the appliance's own interface is at 1400 (dnsmasq clamps to
#    it) and when only the path is ([dhcp] tftp_mtu = 1400); without the
#    clamp the same transfer fails (the test can fail);
#  - [dhcp] tftp_single_port = yes with only UDP 69 allowed in: the
#    download completes; without single-port it does not;
#  - 100 concurrent tftp-hpa clients of ipxe.efi all complete byte-equal.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/integration/dhcp_lab.bash"

command -v nft >/dev/null || skip "nft (nftables) is not installed"
command -v curl >/dev/null || skip "curl is not installed"
lab_up
CIP=198.18.0.200
ip -n "$NS_C" addr add "$CIP/24" dev "$BR_C"
lab_config
appliance_start
T=$STATE/tftp
F=ipxe.efi
[[ -s $T/$F ]] || fail "no $T/$F"

# curl's TFTP client negotiates blksize (tftp-hpa's does not)
bigget() { # bigget OUT: fetch $F asking blksize 8192, 15 s at most
	rm -f "$1"
	timeout 20 ip netns exec "$NS_C" curl -s --max-time "${2:-15}" \
		--tftp-blksize 8192 -o "$1" "tftp://198.18.0.1/$F"
}
nft_a() { ip netns exec "$NS_A" nft "$@"; }
# robust_config K=V...: the lab config plus [dhcp] keys lab_config does
# not know (a second [dhcp] section at the end)
robust_config() {
	lab_config
	{
		echo "[dhcp]"
		local kv
		for kv in "$@"; do echo "${kv%%=*} = ${kv#*=}"; done
	} >>"$CONF"
}

# -- fragments dropped in the appliance's namespace, both ways
nft_a add table inet byfrag
nft_a add chain inet byfrag in '{ type filter hook prerouting priority -400; }'
nft_a add chain inet byfrag out '{ type filter hook output priority -400; }'
nft_a add rule inet byfrag in 'ip frag-off & 0x3fff != 0 counter drop'
nft_a add rule inet byfrag out 'ip frag-off & 0x3fff != 0 counter drop'

# control: a big block over a 1400 path with dnsmasq unaware of it fails
ip -n "$NS_C" link set "$IF_C" mtu 1400
ip -n "$NS_C" link set "$BR_C" mtu 1400
t0=$(date +%s)
if bigget "$TEST_TMP/ctl" 6 && cmp -s "$TEST_TMP/ctl" "$T/$F"; then
	fail "control: blksize 8192 over a 1400 path completed without the clamp"
fi
ok "control: blksize 8192 over a 1400-byte path fails without a clamp ($(($(date +%s) - t0)) s)"

robust_config tftp_mtu=1400
appliance_reload
grep -qx 'tftp-mtu=1400' "$(status_get dnsmasq_conf)" || fail "no tftp-mtu=1400 in the dnsmasq config"
bigget "$TEST_TMP/mtu1" || fail "tftp_mtu = 1400: transfer failed"
cmp -s "$TEST_TMP/mtu1" "$T/$F" || fail "tftp_mtu = 1400: bytes differ"
ok "path MTU 1400, fragments dropped, tftp_mtu = 1400: blksize 8192 request completes"

# the appliance's own link at 1400, tftp_mtu = auto: dnsmasq's clamp
lab_config
appliance_reload
ip -n "$NS_A" link set "$IF_A" mtu 1400
bigget "$TEST_TMP/mtu2" || fail "interface MTU 1400: transfer failed"
cmp -s "$TEST_TMP/mtu2" "$T/$F" || fail "interface MTU 1400: bytes differ"
ok "interface MTU 1400, fragments dropped, tftp_mtu = auto: blksize 8192 request completes"
drops=$(nft_a list table inet byfrag | grep -c 'counter packets [1-9]' || true)
echo "# fragment-drop rules that matched: $drops (control run)"
nft_a delete table inet byfrag
ip -n "$NS_A" link set "$IF_A" mtu 1500
ip -n "$NS_C" link set "$BR_C" mtu 1500
ip -n "$NS_C" link set "$IF_C" mtu 1500

# -- only UDP 69 in: single-port TFTP completes, the default does not
nft_a add table inet byfw
nft_a add chain inet byfw in '{ type filter hook input priority 0; policy drop; }'
nft_a add rule inet byfw in 'iifname "lo" accept'
nft_a add rule inet byfw in 'udp dport { 67, 69 } accept'
t0=$(date +%s)
if timeout 12 ip netns exec "$NS_C" tftp -m binary 198.18.0.1 -c get "$F" "$TEST_TMP/fw0" 2>/dev/null &&
	cmp -s "$TEST_TMP/fw0" "$T/$F"; then
	fail "control: TFTP from an ephemeral port passed a port-69-only firewall"
fi
ok "control: with only UDP 69 allowed in, default TFTP fails ($(($(date +%s) - t0)) s)"
robust_config tftp_single_port=yes
appliance_reload
grep -qx 'tftp-single-port' "$(status_get dnsmasq_conf)" || fail "no tftp-single-port in the dnsmasq config"
timeout 30 ip netns exec "$NS_C" tftp -m binary 198.18.0.1 -c get "$F" "$TEST_TMP/fw1" ||
	fail "single-port TFTP through the port-69 firewall failed"
cmp -s "$TEST_TMP/fw1" "$T/$F" || fail "single-port: bytes differ"
ok "tftp_single_port = yes, only UDP 69 allowed in: download completes"
nft_a delete table inet byfw

# -- 100 concurrent clients (tftp_max = 1000 by default; dnsmasq's own
#    default of 50 would refuse half of them)
lab_config
appliance_reload
grep -qx 'tftp-max=1000' "$(status_get dnsmasq_conf)" || fail "tftp-max not sized for mass boots"
mkdir -p "$TEST_TMP/mass"
t0=$(date +%s%N)
ip netns exec "$NS_C" bash -c '
	for i in $(seq 1 100); do
		timeout 120 tftp -m binary 198.18.0.1 -c get "$1" "$2/$i" &
	done
	wait' _ "$F" "$TEST_TMP/mass"
ms=$((($(date +%s%N) - t0) / 1000000))
good=0
for i in $(seq 1 100); do
	cmp -s "$TEST_TMP/mass/$i" "$T/$F" && good=$((good + 1))
done
expect_eq "$good" 100 "100 concurrent tftp-hpa clients of $F complete byte-equal ($ms ms, $(stat -c %s "$T/$F") bytes each)"

done_checks
