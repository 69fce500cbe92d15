#!/usr/bin/env bash
# supervisor_signals - bootyard serve supervising dnsmasq:
#  - dnsmasq killed with SIGKILL is serving again within 2 s, and the
#    client keeps its address (the database is the lease store: init);
#  - SIGHUP with a new reservation: the client gets the reserved address;
#    a reservation changed later with the CLI arrives with no signal
#    and dnsmasq is not restarted (same PID);
#  - a config dnsmasq-wise unchanged keeps dnsmasq; a bad config on SIGHUP
#    is refused and the running service stays;
#  - an IPv6 address added to the interface is followed (logged) and
#    served ([dhcp] range6 = auto: dnsmasq restarted with DHCPv6, status
#    address6), IPv4 still served from the same address;
#  - the interface's address changes: dnsmasq follows; link down/up logged;
#  - a bad config file refuses to start, naming file, line and key;
#  - SIGTERM stops dnsmasq and exits 0.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/integration/dhcp_lab.bash"

lab_up
lab_config dhcp.mode=nonsense
expect_exit 2 "$BOOTYARD" -c "$CONF" serve
expect_contains "$err" "$CONF:" "the error names the file"
expect_contains "$err" "mode" "the error names the key"
lab_config
appliance_start

M=52:54:00:c0:00:01
ack=$(probe -m "$M" -a 0 -r -w 100 | grep -m1 '^ACK')
ip1=$(field yiaddr "$ack")
[[ $ip1 == 198.18.0.* ]] || fail "no first lease: $ack"
ok "first lease $ip1"

# -- SIGKILL: only the dnsmasq of this test's serve (from its status file)
pid=$(status_get dnsmasq_pid)
[[ $pid -gt 0 ]] && ps -o ppid= -p "$pid" | grep -qw "$SERVE_PID" || fail "dnsmasq $pid is not our serve's child"
t0=$(date +%s%N)
kill -KILL "$pid"
offer=$(probe -m "$M" -a 0 -t 2500 -w 0 -R 100 | grep -m1 '^OFFER server=198.18.0.1 ')
t1=$(date +%s%N)
ms=$(((t1 - t0) / 1000000))
[[ -n $offer ]] || fail "no offer after dnsmasq was killed"
((ms <= 2000)) || fail "serving again took $ms ms"
ok "dnsmasq killed: serving again after $ms ms"
expect_eq "$(field yiaddr "$offer")" "$ip1" "the client keeps its address across the restart"
newpid=$(status_get dnsmasq_pid)
[[ $newpid -gt 0 && $newpid != "$pid" ]] || fail "status shows no new dnsmasq pid"
ok "a new dnsmasq runs (pid $newpid)"
expect_eq "$(status_get dnsmasq_restarts)" 1 "the restart is counted"

# -- SIGHUP: a reservation arrives through the hostsfile, no restart
check "reserve 198.18.0.200" "$BOOTYARD" -c "$CONF" host add "$M" --ip 198.18.0.200 --hostname resv1
appliance_reload
expect_eq "$(status_get dnsmasq_pid)" "$newpid" "SIGHUP for a reservation keeps dnsmasq (same pid)"
expect_contains "$(cat "$STATE/run/dnsmasq.hosts")" "$M,198.18.0.200,resv1" "the reservation is in the hostsfile"
ack=$(probe -m "$M" -a 0 -r -w 100 | grep -m1 '^ACK')
expect_eq "$(field yiaddr "$ack")" 198.18.0.200 "the client gets its reserved address"

# -- no signal at all: a reservation changed with the CLI reaches dnsmasq
# by itself (the daemon watches the database), still without a restart
check "move the reservation to 198.18.0.201" "$BOOTYARD" -c "$CONF" host set "$M" --ip 198.18.0.201
wait_for 5 grep -q "$M,198.18.0.201,resv1" "$STATE/run/dnsmasq.hosts" ||
	fail "the changed reservation did not reach the hostsfile without a signal"
ok "the changed reservation is in the hostsfile without a signal"
expect_eq "$(status_get dnsmasq_pid)" "$newpid" "a reservation change keeps dnsmasq (same pid)"
ack=$(probe -m "$M" -a 0 -r -w 100 | grep -m1 '^ACK')
expect_eq "$(field yiaddr "$ack")" 198.18.0.201 "the client gets its new reserved address"

# -- a bad config on SIGHUP: refused, everything keeps running
cp "$CONF" "$CONF.good"
lab_config dhcp.bios_loader=floppy
kill -HUP "$SERVE_PID"
check_within 5 "a bad config on SIGHUP is refused" grep -q "reload refused" "$TEST_TMP/serve.log"
kill -0 "$SERVE_PID" || fail "serve died on a bad reload"
cp "$CONF.good" "$CONF"
expect_eq "$(status_get dnsmasq_pid)" "$newpid" "dnsmasq keeps running"

# -- link down/up on the appliance's interface is logged
ip -n "$NS_C" link set "$IF_C" down
wait_for 5 grep -q "link $IF_A is down" "$TEST_TMP/serve.log" || fail "link down not logged"
ip -n "$NS_C" link set "$IF_C" up
wait_for 5 grep -q "link $IF_A is up" "$TEST_TMP/serve.log" || fail "link up not logged"
ok "link down and up are logged"

# -- an IPv6 address: followed, logged and served; IPv4 service stays
if [[ $(ip netns exec "$NS_A" cat "/proc/sys/net/ipv6/conf/$IF_A/disable_ipv6" 2>/dev/null) == 0 ]]; then
	ip -n "$NS_A" addr add fd00:18::1/64 dev "$IF_A" nodad
	check_within 5 "an IPv6 address on $IF_A is followed" \
		grep -q "interface $IF_A IPv6 addresses: .*fd00:18::1/64" "$TEST_TMP/serve.log"
	check_within 10 "the IPv6 address is served (range6 = auto)" \
		bash -c "[[ \$('$BOOTYARD' -c '$CONF' status | awk '\$1 == \"address6\" { print \$2 }') == fd00:18::1 ]]"
	grep -q "dhcp-range=fd00:18::1000,fd00:18::ffff,64," "$STATE/run/dnsmasq.conf" ||
		fail "no DHCPv6 range in dnsmasq.conf"
	ok "dnsmasq serves DHCPv6 on it"
	newpid=$(status_get dnsmasq_pid)
	expect_contains "$("$BOOTYARD" -c "$CONF" status)" "198.18.0.1/24" "the IPv4 address still serves"
else
	ok "IPv6 is disabled on $IF_A: the IPv6 follow is not checked"
fi

# -- the address changes: dnsmasq follows
ip -n "$NS_A" addr flush dev "$IF_A"
ip -n "$NS_A" addr add 198.18.1.1/24 dev "$IF_A"
wait_for 10 bash -c "'$BOOTYARD' -c '$CONF' status | grep -q '^address *198.18.1.1/24'" ||
	fail "status does not show the new address"
[[ $(status_get dnsmasq_pid) != "$newpid" ]] || fail "dnsmasq was not restarted for the new address"
ok "dnsmasq restarted for 198.18.1.1/24"
offer=$(probe -m 52:54:00:c0:00:02 -a 0 -w 100 | grep -m1 '^OFFER')
expect_eq "$(field server "$offer")" 198.18.1.1 "offers come from the new address"
[[ $(field yiaddr "$offer") == 198.18.1.* ]] || fail "offer outside the new subnet: $offer"
ok "the pool follows the new subnet"
expect_contains "$(cat "$STATE/tftp/boot.ipxe")" "http://198.18.1.1:$HTTP_PORT" "boot.ipxe follows the new address"

# -- SIGTERM
dpid=$(status_get dnsmasq_pid)
kill -TERM "$SERVE_PID"
wait "$SERVE_PID"
expect_eq "$?" 0 "SIGTERM: serve exits 0"
! kill -0 "$dpid" 2>/dev/null || fail "dnsmasq $dpid still runs"
ok "dnsmasq stopped with serve"
expect_eq "$(status_get state)" stopped "status says stopped"
done_checks
