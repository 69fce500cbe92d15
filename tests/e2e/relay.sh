#!/usr/bin/env bash
# e2e/relay: a client on a subnet the appliance has no interface on boots
# through a DHCP relay (issue #17). One VM boot.
#
#   appliance (lab namespace)          router namespace              client
#   LAB_BR 198.18.0.1/24 --- veth --- 198.18.0.254   brB 198.18.1.1/24 --- tap
#   route 198.18.1.0/24 via .0.254    ip_forward, ISC dhcrelay -id brB -iu veth
#
# bootyard.conf serves two [dhcp] range lines: its own segment and
# 198.18.1.100-200 prefix=24 router=198.18.1.1 (relayed). A SeaBIOS client
# with QEMU's iPXE ROM on brB must get an address of 198.18.1.0/24,
# boot.ipxe over TFTP from 198.18.0.1 (routed through the relay's router)
# and its config; the timeline must say it came through the relay and
# `bootyard status` must show the relayed subnet.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/lib/lab.sh"
source "$TOP/tests/lib/qemu.sh"
source "$TOP/tests/e2e/appliance.bash"

app_require python3 ss dhcrelay

RELAY_ADDR=198.18.1.1
ROUTER_UP=198.18.0.254
mac=52:54:00:b0:17:01

check "lab namespace and bridge" lab_start
APP_NS=$LAB_NS APP_BR=$LAB_BR
# a failure while the client's namespace is current must not leave the
# appliance's behind (lab_stop deletes only the current LAB_NS)
on_exit "ip netns delete $APP_NS 2>/dev/null"

# ---- the router: its own namespace, a veth into the lab's bridge -------
RNS=byrt-$LAB_SFX RBR=bybrB$LAB_SFX
RUP=byvr$LAB_SFX RLAB=byvl$LAB_SFX
check "router namespace" ip netns add "$RNS"
on_exit "ip netns delete $RNS 2>/dev/null"
rexec() { ip netns exec "$RNS" "$@"; }
check "veth router <-> lab" ip link add "$RUP" netns "$RNS" type veth \
	peer name "$RLAB" netns "$APP_NS"
check "lab end on the bridge" lab_exec ip link set "$RLAB" master "$APP_BR" up
check "router up side" rexec ip addr add "$ROUTER_UP/24" dev "$RUP"
check "router up" rexec ip link set "$RUP" up
check "router lo" rexec ip link set lo up
check "client bridge" rexec ip link add "$RBR" type bridge
check "client bridge fast" rexec ip link set "$RBR" type bridge forward_delay 0
check "client bridge address" rexec ip addr add "$RELAY_ADDR/24" dev "$RBR"
check "client bridge up" rexec ip link set "$RBR" up
check "router forwards" rexec sysctl -qw net.ipv4.ip_forward=1
check "appliance route to the relayed subnet" \
	lab_exec ip route add 198.18.1.0/24 via "$ROUTER_UP"

# ---- the appliance: its segment and the relayed subnet -----------------
app_init
app_config
sed -i "/^\[dhcp\]/a range = 198.18.1.100,198.18.1.200 prefix=24 router=$RELAY_ADDR" "$APP_CONF"
grep -n "range" "$APP_CONF"
check "host add" by host add "$mac" --hostname relay-bios --action menu
app_start

st=$(by status)
echo "$st"
expect_contains "$st" "subnet            198.18.1.0/24 relayed 198.18.1.100-198.18.1.200 router=$RELAY_ADDR server=$LAB_ADDR" \
	"status: the relayed subnet, its pool, router and boot server"
expect_contains "$st" "198.18.0.0/24 local 198.18.0.100-198.18.0.199" \
	"status: the local segment"
stj=$(by status --json)
python3 - "$stj" <<'PY' || fail "status --json: no relayed subnet"
import json, sys
j = json.loads(sys.argv[1])
s = [x for x in j["subnets"] if x["served"] == "relayed"]
assert s and s[0]["subnet"] == "198.18.1.0/24" and s[0]["router"] == "198.18.1.1", j["subnets"]
PY
ok "status --json: subnets[] holds the relayed subnet"
expect_contains "$(cat "$APP_STATE"/run/dnsmasq.conf)" \
	"dhcp-range=set:net0,198.18.1.100,198.18.1.200,255.255.255.0," \
	"dnsmasq: a dhcp-range for the relayed subnet"

# ---- the relay ----------------------------------------------------------
LAB_NS=$RNS LAB_BR=$RBR
lab_bg "$TEST_TMP/dhcrelay.log" dhcrelay -d -4 -pf "$TEST_TMP/dhcrelay.pid" \
	-id "$RBR" -iu "$RUP" "$LAB_ADDR"
RELAY_PID=$LAB_PID
sleep 1
kill -0 "$RELAY_PID" 2>/dev/null || { cat "$TEST_TMP/dhcrelay.log"; fail "dhcrelay exited"; }
ok "dhcrelay relays $RBR -> $LAB_ADDR"

# ---- one client on the far subnet (QEMU in the router's namespace) ------
app_boot relay-bios bios "$mac" "bootyard: $mac relay-bios" 150
t_config=$((SECONDS - APP_T0))
qemu_stop
lab_kill "$RELAY_PID"
LAB_NS=$APP_NS LAB_BR=$APP_BR

log=$(app_access)
echo "$log" | tail -n 5
grep -Eq "^198\.18\.1\.[0-9]+ \"GET /ipxe/v1/config\?mac=${mac//:/(:|%3A)}[& \"].* 200 " <<<"$log" ||
	fail "no GET of the config for $mac from 198.18.1.0/24 in the access log"
ok "the client fetched its config (GET for its MAC, from its relayed address)"
leases=$(by leases)
echo "$leases"
echo "$leases" | grep "$mac" | grep -q " 198\.18\.1\.1[0-9][0-9] " ||
	fail "lease of $mac is not in 198.18.1.100-200: $leases"
ok "the client leased an address of the relayed subnet"
ev=$(app_events "$mac")
echo "$ev"
expect_tftp "$mac" boot.ipxe "boot.ipxe sent over TFTP (from $LAB_ADDR, routed)"
expect_contains "$ev" "dhcp-relay" "timeline: a dhcp-relay event"
expect_contains "$ev" "relay=$RELAY_ADDR" "timeline: through the relay $RELAY_ADDR"
expect_contains "$ev" "config" "timeline: the config decision"
echo "relay: power-on to config through the relay: $t_config s"

app_stop
done_checks
