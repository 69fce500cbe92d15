#!/usr/bin/env bash
# dhcp_rogue - a second DHCP server in the lab (issue #9):
#  - `bootyard doctor` lists both servers with what they offered (text
#    and --json), and only the appliance when the other one is gone;
#  - `serve` in dhcp mode refuses to start beside it, with a message
#    that says how to override; --force and allow_other_servers = yes
#    start it anyway; proxy mode, and dhcp mode with relayed subnets
#    only, start beside it without complaint;
#  - a server that appears while serving is logged and recorded as a
#    dhcp-foreign event (probe_interval);
#  - UEFI HTTP Boot clients (arch 16, 19) get a URL and HTTPClient;
#  - "no boot file once installed": hosts in local state get a hostsfile
#    tag, and dnsmasq then offers them no boot file (per host and as a
#    site default), while other hosts still get theirs.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/integration/dhcp_lab.bash"

lab_up
robust_config() { # lab config + keys lab_config does not know
	local sec=$1
	shift
	lab_config dhcp.probe_wait=4s
	{
		echo "[$sec]"
		local kv
		for kv in "$@"; do echo "${kv%%=*} = ${kv#*=}"; done
	} >>"$CONF"
}
site_start() {
	ns_bg "$NS_S" SITE_PID dnsmasq --keep-in-foreground --conf-file=/dev/null \
		--port=0 --interface="$IF_S" --bind-interfaces --pid-file= \
		--dhcp-range=198.18.0.100,198.18.0.150,1h --leasefile-ro --no-ping \
		--dhcp-boot=rogue.0 --log-facility="$TEST_TMP/site.log"
	sleep 0.5
}
site_stop() { kill "$SITE_PID" 2>/dev/null; wait "$SITE_PID" 2>/dev/null || true; }

# -- doctor, with the appliance running alone (dhcp mode)
robust_config dhcp probe_interval=0
appliance_start
out=$(ip netns exec "$NS_C" "$BOOTYARD" -c "$CONF" doctor -i "$BR_C" -t 5)
expect_contains "$out" "1 server answered" "doctor, one server: one answer"
expect_contains "$out" "server 198.18.0.1: offers 198.18.0." "doctor names the appliance and its offer"
kill "$SERVE_PID"
wait "$SERVE_PID" 2>/dev/null || true

# -- a rogue server appears: doctor lists both
site_start
appliance_start_plain() {
	ns_bg "$NS_A" SERVE_PID "$BOOTYARD" -c "$CONF" serve "$@" 2>"$TEST_TMP/serve.log"
}
robust_config dhcp probe_interval=0
out=$(ip netns exec "$NS_C" "$BOOTYARD" -c "$CONF" doctor -i "$BR_C" -t 5)
expect_contains "$out" "server 198.18.0.2: offers 198.18.0.1" "doctor lists the rogue server's address offer"
expect_contains "$out" "file=rogue.0" "doctor shows what the rogue server offered (boot file)"
# from the appliance's own namespace: the rogue counts as "besides"
out=$(ip netns exec "$NS_A" "$BOOTYARD" -c "$CONF" doctor -t 5)
expect_contains "$out" "1 DHCP server besides this appliance" "doctor on the appliance counts the other server"
json=$(ip netns exec "$NS_A" "$BOOTYARD" -c "$CONF" --json doctor -t 5)
expect_contains "$json" '"server":"198.18.0.2"' "doctor --json names the rogue server"
expect_contains "$json" '"others":1' "doctor --json counts it"

# serve refuses to start in dhcp mode, says why and how to override
t0=$(date +%s)
expect_exit 3 timeout 20 ip netns exec "$NS_A" "$BOOTYARD" -c "$CONF" serve
log=$err
expect_contains "$log" "another DHCP server answers on $IF_A: server=198.18.0.2" "serve names the other server"
expect_contains "$log" "refusing to start" "serve refuses to start"
expect_contains "$log" "allow_other_servers = yes" "the message says how to override (config)"
expect_contains "$log" "--force" "the message says how to override (flag)"
ok "serve refused within $(($(date +%s) - t0)) s"
"$BOOTYARD" -c "$CONF" events | grep -q dhcp-foreign || fail "no dhcp-foreign event"
ok "the refusal is recorded as a dhcp-foreign event"

# --force, then allow_other_servers = yes: starts, with a warning
appliance_start_plain --force
wait_for 15 bash -c "[[ -n \$('$BOOTYARD' -c '$CONF' status 2>/dev/null | awk '\$1 == \"dnsmasq_pid\" && \$2 > 0') ]]" ||
	fail "serve --force did not start: $(cat "$TEST_TMP/serve.log")"
expect_contains "$(cat "$TEST_TMP/serve.log")" "starting beside another DHCP server (--force)" "--force starts beside the other server"
kill "$SERVE_PID"
wait "$SERVE_PID" 2>/dev/null || true
robust_config dhcp allow_other_servers=yes probe_interval=0
appliance_start
expect_contains "$(cat "$TEST_TMP/serve.log")" "allow_other_servers = yes" "allow_other_servers = yes starts beside it"
kill "$SERVE_PID"
wait "$SERVE_PID" 2>/dev/null || true
# proxy mode is meant to run beside a DHCP server: no probe, no refusal
lab_config dhcp.mode=proxy dhcp.probe_wait=4s
appliance_start
if grep -q "another DHCP server" "$TEST_TMP/serve.log"; then fail "proxy mode probed"; fi
ok "proxy mode starts beside the site server without a probe"
kill "$SERVE_PID"
wait "$SERVE_PID" 2>/dev/null || true
# only subnets reached through a DHCP relay: the segment's own server is
# no conflict (issue #17)
lab_config dhcp.probe_wait=4s
printf "[dhcp]\nrange = 198.18.1.100,198.18.1.200 prefix=24\n" >>"$CONF"
appliance_start
if grep -q "another DHCP server" "$TEST_TMP/serve.log"; then fail "relayed-only serve probed"; fi
ok "dhcp mode with relayed subnets only starts beside the segment's server"
kill "$SERVE_PID"
wait "$SERVE_PID" 2>/dev/null || true

# -- a rogue server that appears later is logged and recorded
site_stop
robust_config dhcp probe_interval=2s
appliance_start
n0=$("$BOOTYARD" -c "$CONF" events | grep -c dhcp-foreign || true)
site_start
check_within 15 "a DHCP server that appears while serving is logged" \
	grep -q "another DHCP server answers" "$TEST_TMP/serve.log"
check_within 5 "and recorded as a dhcp-foreign event" \
	bash -c "(( \$('$BOOTYARD' -c '$CONF' events | grep -c dhcp-foreign) > $n0 ))"
kill "$SERVE_PID"
wait "$SERVE_PID" 2>/dev/null || true
site_stop

# -- no boot file once installed (hostsfile tags)
robust_config dhcp probe_interval=0
appliance_start
# UEFI HTTP Boot (option 93 = 16 x64, 19 ARM64): a URL and HTTPClient
for a in 16 19; do
	ans=$(offer_from 198.18.0.1 -m "52:54:00:c9:00:$a" -a "$a" -w 300)
	want=http://198.18.0.1:$HTTP_PORT/files/tftp/snponly.efi
	[[ $a == 19 ]] && want=http://198.18.0.1:$HTTP_PORT/files/tftp/arm64/snponly.efi
	expect_eq "$(field file "$ans")" "$want" "arch $a (UEFI HTTP Boot): a URL as boot file"
	expect_eq "$(field vendor "$ans")" HTTPClient "arch $a: vendor class HTTPClient echoed back"
done
H1=52:54:00:c9:00:01 H2=52:54:00:c9:00:02
"$BOOTYARD" -c "$CONF" host add "$H1" --local-boot nofile >/dev/null || fail "host add nofile"
"$BOOTYARD" -c "$CONF" host add "$H2" >/dev/null || fail "host add"
wait_for 5 grep -q "^$H1,set:bynofile" "$STATE/run/dnsmasq.hosts" ||
	fail "no bynofile tag: $(cat "$STATE/run/dnsmasq.hosts")"
ok "a host with local_boot = nofile gets the bynofile tag"
sleep 1
bootfile() { field file "$(offer_from 198.18.0.1 -m "$1" -a "$2" -w 300 "${@:3}")"; }
expect_eq "$(bootfile "$H1" 0)" - "nofile host, BIOS: no boot file"
expect_eq "$(bootfile "$H1" 7)" - "nofile host, UEFI: no boot file"
expect_eq "$(bootfile "$H1" 0 -u iPXE)" - "nofile host, iPXE ROM: no boot URL"
expect_eq "$(bootfile "$H2" 0)" pxelinux.0 "a local host with the default method still gets pxelinux.0"
# site default: nofile on UEFI only
robust_config boot local_efi=nofile
sed -i 's/^probe_interval.*//' "$CONF"
appliance_reload
wait_for 5 grep -q "^$H2,set:bylocal" "$STATE/run/dnsmasq.hosts" ||
	fail "no bylocal tag: $(cat "$STATE/run/dnsmasq.hosts")"
sleep 0.5
expect_eq "$(bootfile "$H2" 7)" - "site local_efi = nofile: UEFI local host gets no file"
expect_eq "$(bootfile "$H2" 0)" pxelinux.0 "site local_efi = nofile: the BIOS one still gets pxelinux.0"
expect_eq "$(bootfile "$H2" 0 -u iPXE)" "tftp://198.18.0.1/boot.ipxe" "and BIOS iPXE still gets its script URL"
# a host flagged for install gets its files again, without a signal
"$BOOTYARD" -c "$CONF" host set "$H2" --action menu >/dev/null ||
	fail "host set --action menu"
wait_for 5 bash -c "! grep -q '^$H2,' '$STATE/run/dnsmasq.hosts'" || fail "tag not removed"
sleep 0.5
expect_eq "$(bootfile "$H2" 7)" snponly.efi "out of local state: the UEFI file is back"

done_checks
