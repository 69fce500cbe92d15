# tests/lib/netns.sh - network namespace lab helpers for integration, e2e
# and bench scripts. Source it after tests/lib/common.sh (it uses on_exit).
#
# Every name carries a per-run suffix ($NS_ID: the PID plus a random
# number), so that tests of several engineers run side by side, and every
# object is removed at exit. Linux interface names are at most 15
# characters: suffixes are kept short. Only 198.18.0.0/15 addresses are
# used (RFC 2544 benchmark space, never a real network).
#
#   ns_require                 skip (77) unless root with `ip netns`
#   ns_create VAR              create a namespace, name into $VAR
#   ns_veth NS1 IF1 NS2 IF2    a veth pair, IF1 in NS1, IF2 in NS2, both up
#                              (IF names: give short ones: ns_ifname)
#   ns_ifname PREFIX           print PREFIX + the run's short suffix
#   ns_addr NS IF ADDR/PFX     add an address
#   ns_bridge NS BR            a bridge inside NS, up
#   ns_exec NS CMD...          run CMD inside NS
#   ns_bg NS VAR CMD...        start CMD in NS in the background, its PID
#                              into $VAR, killed (that PID only) at exit
#   ns_wait_port NS PROTO PORT [SECONDS]  wait until a socket listens
#                              (PROTO udp|tcp)
#   wait_for SECONDS CMD...    retry CMD every 0.1 s until it succeeds
#   check_within SECONDS DESC CMD...  check (common.sh) with wait_for:
#                              CMD must succeed within SECONDS
NS_ID=${NS_ID:-$(($$ % 100000))$((RANDOM % 90 + 10))}
_ns_count=0

ns_require() {
	[[ $(id -u) == 0 ]] || skip "needs root for network namespaces"
	command -v ip >/dev/null || skip "needs iproute2"
	ip netns list >/dev/null 2>&1 || skip "ip netns does not work here"
}

ns_ifname() { echo "$1${NS_ID: -6}"; }

ns_create() {
	local __var=$1 name
	_ns_count=$((_ns_count + 1))
	name="by${NS_ID}n${_ns_count}"
	ip netns add "$name" || fail "cannot create namespace $name"
	on_exit "ip netns del $name 2>/dev/null"
	ip -n "$name" link set lo up
	printf -v "$__var" '%s' "$name"
}

ns_veth() {
	local ns1=$1 if1=$2 ns2=$3 if2=$4
	ip link add "$if1" netns "$ns1" type veth peer name "$if2" netns "$ns2" ||
		fail "cannot create veth $if1/$if2"
	ip -n "$ns1" link set "$if1" up
	ip -n "$ns2" link set "$if2" up
}

ns_addr() { ip -n "$1" addr add "$3" dev "$2" || fail "cannot add $3 to $2"; }

ns_bridge() {
	ip -n "$1" link add "$2" type bridge || fail "cannot create bridge $2"
	ip -n "$1" link set "$2" up
}

ns_exec() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

ns_bg() {
	local ns=$1 __var=$2 pid
	shift 2
	ip netns exec "$ns" "$@" &
	pid=$!
	on_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
	printf -v "$__var" '%s' "$pid"
}

wait_for() {
	local secs=$1 i
	shift
	for ((i = 0; i < secs * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

check_within() {
	local secs=$1 desc=$2
	shift 2
	wait_for "$secs" "$@" || fail "$desc (not within $secs s: $*)"
	ok "$desc"
}

ns_wait_port() {
	local ns=$1 proto=$2 port=$3 secs=${4:-5} flag=-ltn
	[[ $proto == udp ]] && flag=-lun
	wait_for "$secs" bash -c "ip netns exec $ns ss -H $flag 'sport = :$port' | grep -q ."
}
