#!/usr/bin/env bash
# dhcp_bench - DHCP transactions per second (DISCOVER/OFFER/REQUEST/ACK)
# from N distinct fake MACs, a load generator in its own namespace
# against dnsmasq alone and against dnsmasq with bootyard-lease as its
# --dhcp-script (the database as the lease store), in the same run.
# Also dnsmasq alone with --leasefile-ro (leases only in memory), the
# cheapest baseline. Prints the rates, their ratios (target >= 0.9) and how many leases
# reached the database (must be N), and how long the hook took to catch up.
#
#   tests/bench/dhcp_bench.sh [N] [WINDOW]     (make bench-dhcp)
# Only 198.18.0.0/19 inside namespaces this script creates.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/lib/netns.sh"

N=${1:-${BENCH_DHCP_N:-1000}}
WINDOW=${2:-${BENCH_DHCP_WINDOW:-32}}
ns_require
command -v dnsmasq >/dev/null || skip "dnsmasq is not installed"
command -v sqlite3 >/dev/null || skip "sqlite3 is not installed"
PROBE=$BUILD/tools/dhcp_probe
[[ -x $PROBE && -x $BOOTYARD_LEASE ]] || skip "build first (make all)"
((N <= 3000)) || fail "N at most 3000 (under half of the /19 pool)"

ns_create NS_S
ns_create NS_G
IF_S=$(ns_ifname bs)
IF_G=$(ns_ifname bg)
ns_veth "$NS_S" "$IF_S" "$NS_G" "$IF_G"
ns_addr "$NS_S" "$IF_S" 198.18.0.1/19
chmod 755 "$TEST_TMP"

# run_dnsmasq NAME EXTRA...: one dnsmasq, the same options but EXTRA
run_dnsmasq() {
	local name=$1
	shift
	ns_bg "$NS_S" DM_PID dnsmasq --keep-in-foreground --conf-file=/dev/null \
		--port=0 --interface="$IF_S" --bind-interfaces --pid-file= \
		--dhcp-range=198.18.0.10,198.18.31.250,255.255.224.0,1h \
		--dhcp-authoritative --no-ping --dhcp-lease-max=10000 --log-facility="$TEST_TMP/$name.log" \
		--user=root "$@"
	ns_wait_port "$NS_S" udp 67 5 || fail "dnsmasq ($name) did not start"
}

# load BASEMAC: N transactions, prints the probe's result line
load() {
	timeout 300 ip netns exec "$NS_G" "$PROBE" -i "$IF_G" -n "$N" -P "$WINDOW" \
		-m "$1" -t 120000
}

tps_of() { sed -n 's/.*tps=\([0-9.]*\).*/\1/p' <<<"$1"; }

# 0. warm-up (page cache, the namespaces' first packets), not counted
saveN=$N
N=$((N < 200 ? N : 200))
run_dnsmasq warmup --leasefile-ro
load 02:a0:00:00:00:00 >/dev/null
kill "$DM_PID"
wait "$DM_PID" 2>/dev/null
N=$saveN

# 1. dnsmasq alone, leases in memory only (--leasefile-ro, no hook): the
#    baseline with the same lease semantics as the hook run
run_dnsmasq memory --leasefile-ro
r0=$(load 02:b0:00:00:00:00) || fail "dnsmasq alone (memory): $r0"
kill "$DM_PID"
wait "$DM_PID" 2>/dev/null

# 1b. for context: dnsmasq alone with its default lease file, which it
#     rewrites (and fsyncs) on every change - O(N) per lease, so fewer MACs
N_FILE=$((N < 500 ? N : 500))
saveN=$N
N=$N_FILE
run_dnsmasq alone --dhcp-leasefile="$TEST_TMP/alone.leases"
r1=$(load 02:b1:00:00:00:00) || fail "dnsmasq alone: $r1"
kill "$DM_PID"
wait "$DM_PID" 2>/dev/null
N=$saveN

# 2. dnsmasq + bootyard-lease: the database is the lease store; a second
#    connection holds it open, as bootyard serve does
export BOOTYARD_DB=$TEST_TMP/bootyard.db
# create and migrate the database with one event of a MAC not counted
"$BOOTYARD_LEASE" add 02:ff:00:00:00:01 198.18.31.1 || fail "lease hook cannot create $BOOTYARD_DB"
exec 7> >(exec sqlite3 -cmd "select 1;" "$BOOTYARD_DB" >/dev/null)
run_dnsmasq hook --leasefile-ro --dhcp-script="$BOOTYARD_LEASE"
t0=$(date +%s%N)
r2=$(load 02:b2:00:00:00:00) || fail "dnsmasq + hook: $r2"
count() { sqlite3 -cmd ".timeout 5000" "$BOOTYARD_DB" "select count(*) from leases where mac like '02:b2:%' and ip != ''"; }
for ((i = 0; i < 600; i++)); do
	[[ $(count) == "$N" ]] && break
	sleep 0.1
done
t1=$(date +%s%N)
recorded=$(count)
kill "$DM_PID"
wait "$DM_PID" 2>/dev/null

tps0=$(tps_of "$r0")
tps1=$(tps_of "$r1")
tps2=$(tps_of "$r2")
ratio=$(awk -v a="$tps0" -v b="$tps2" 'BEGIN { printf "%.2f", b / a }')
catchup=$(((t1 - t0) / 1000000))
cat <<EOT
DHCP benchmark: $N MACs, $WINDOW in flight, $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg), dnsmasq $(dnsmasq --version | sed -n '1s/.*version \([^ ]*\).*/\1/p')
  dnsmasq alone (in memory):   $r0
  dnsmasq + bootyard-lease:    $r2
  ratio (hook / alone):        $ratio   (target >= 0.9)
  for context, dnsmasq alone with its lease file, $N_FILE MACs: $r1
  leases in the database:      $recorded of $N (all recorded $catchup ms after the load started)
EOT
[[ $recorded == "$N" ]] || fail "only $recorded of $N leases reached the database"
ok "every lease reached the database"
done_checks
