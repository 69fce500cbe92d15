# tests/integration/dhcp_lab.bash - the DHCP/TFTP lab shared by the
# dhcp_*, tftp_*, supervisor_* tests (sourced; not a test itself).
#
#   lab_up            namespaces: A (the appliance, IF_A 198.18.0.1/24),
#                     S (a "site" DHCP server, IF_S 198.18.0.2/24) and C
#                     (clients on bridge BR_C joining both links)
#   lab_config K=V..  write $CONF: the lab defaults plus section.key=value
#                     overrides (e.g. dhcp.mode=proxy)
#   appliance_start   bootyard serve in A; waits until dnsmasq runs
#   status_get KEY    a value from `bootyard status`
#   probe ARGS...     the DHCP test client in C on BR_C
#   offer_from SRV ARGS...  the first OFFER/ACK line from server SRV
#   field NAME LINE   a NAME=value field of a probe line
#   appliance_reload  SIGHUP serve, wait until the status file is rewritten
source "$TOP/tests/lib/netns.sh"

lab_up() {
	ns_require
	command -v dnsmasq >/dev/null || skip "dnsmasq is not installed"
	PROBE=$BUILD/tools/dhcp_probe
	[[ -x $PROBE ]] || skip "no $PROBE (make all builds it)"
	command -v tftp >/dev/null || skip "tftp (tftp-hpa) is not installed"
	ns_create NS_A
	ns_create NS_C
	ns_create NS_S
	IF_A=$(ns_ifname ya)
	IF_C=$(ns_ifname yc)
	IF_S=$(ns_ifname ys)
	IF_CS=$(ns_ifname yd)
	BR_C=$(ns_ifname yb)
	ns_veth "$NS_A" "$IF_A" "$NS_C" "$IF_C"
	ns_veth "$NS_S" "$IF_S" "$NS_C" "$IF_CS"
	ns_bridge "$NS_C" "$BR_C"
	ip -n "$NS_C" link set "$IF_C" master "$BR_C"
	ip -n "$NS_C" link set "$IF_CS" master "$BR_C"
	ns_addr "$NS_A" "$IF_A" 198.18.0.1/24
	ns_addr "$NS_S" "$IF_S" 198.18.0.2/24
	HTTP_PORT=$((20000 + RANDOM % 20000))
	STATE=$TEST_TMP/state
	CONF=$TEST_TMP/bootyard.conf
	mkdir -p "$STATE"
	# dnsmasq drops to an unprivileged user: it must reach the TFTP root
	chmod 755 "$TEST_TMP"
}

lab_config() {
	local kv sec key val
	declare -A over=()
	for kv in "$@"; do over[${kv%%=*}]=${kv#*=}; done
	{
		local cur=""
		while IFS='|' read -r sec key val; do
			[[ $sec != "$cur" ]] && printf '[%s]\n' "$sec" && cur=$sec
			[[ -n ${over[$sec.$key]+x} ]] && val=${over[$sec.$key]}
			printf '%s = %s\n' "$key" "$val"
		done <<-EOT
			appliance|state_dir|$STATE
			appliance|interface|auto
			appliance|user|root
			dhcp|mode|dhcp
			dhcp|bios_loader|pxelinux
			dhcp|uefi_loader|snponly
			dhcp|ipxe_detect|yes
			dhcp|probe_wait|0
			http|listen|0.0.0.0:$HTTP_PORT
			http|files_dir|$STATE/files
			http|access_log|off
			admin|listen|off
		EOT
	} >"$CONF.tmp" && mv "$CONF.tmp" "$CONF"
}

status_get() {
	"$BOOTYARD" -c "$CONF" status 2>/dev/null | awk -v k="$1" '$1 == k { print $2 }'
}

appliance_start() {
	ns_bg "$NS_A" SERVE_PID "$BOOTYARD" -c "$CONF" serve 2>"$TEST_TMP/serve.log"
	on_exit "cat '$TEST_TMP/serve.log' | tail -n 40 >&2"
	wait_for 10 bash -c "[[ -n \$('$BOOTYARD' -c '$CONF' status 2>/dev/null | awk '\$1 == \"dnsmasq_pid\" && \$2 > 0')  ]]" ||
		fail "serve did not start dnsmasq"
}

appliance_reload() {
	local before
	before=$(status_get updated)
	sleep 1.1 # the status file has a one-second clock
	kill -HUP "$SERVE_PID"
	wait_for 10 bash -c "[[ \$('$BOOTYARD' -c '$CONF' status | awk '\$1 == \"updated\" { print \$2 }') != '$before' ]]" ||
		fail "serve did not reload"
	sleep 0.3
}

probe() { timeout 20 ip netns exec "$NS_C" "$PROBE" -i "$BR_C" "$@"; }

offer_from() {
	local srv=$1
	shift
	probe "$@" | grep -m1 "server=$srv "
}

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }
