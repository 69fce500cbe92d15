# shellcheck shell=bash
# tests/lib/lab.sh - the test lab: one network namespace with a bridge at
# 198.18.0.1/24 and tap devices for QEMU clients. Sourced by e2e scenarios
# (after tests/lib/common.sh) and by the demo.
#
# One lab is started per test script and reused by every scenario in it:
# creating it takes a second, but the appliance bound to it is the
# expensive part, and it is shared too.
#
#   lab_start              create namespace + bridge; sets LAB_NS, LAB_BR,
#                          LAB_ADDR (198.18.0.1), LAB_NET; registers lab_stop
#                          with on_exit (when common.sh is loaded)
#   lab_tap                create one more tap on the bridge; sets LAB_TAP
#   lab_exec CMD...        run CMD inside the lab namespace
#   lab_bg LOG CMD...      start CMD in the namespace in the background,
#                          output to LOG; prints its PID and remembers it
#   lab_kill PID           stop a process lab_bg started (TERM, then KILL)
#   lab_stop               kill what lab_bg started, delete the namespace
#
# Names are unique per run (a random suffix): other engineers run the same
# tests on the same machine at the same time. Interface names stay within
# Linux's 15 characters. Only the namespace's own interfaces are touched.

LAB_ADDR=198.18.0.1
LAB_NET=198.18.0.0/24
LAB_NS=
LAB_BR=
LAB_SFX=
_lab_taps=0
_lab_pids=()

# lab_start: create the namespace, its loopback and the bridge.
lab_start() {
	[[ $(id -u) == 0 ]] || { echo "lab: needs root" >&2; return 1; }
	command -v ip >/dev/null || { echo "lab: needs iproute2" >&2; return 1; }
	LAB_SFX=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
	LAB_NS=bylab-$LAB_SFX
	LAB_BR=bybr$LAB_SFX
	ip netns add "$LAB_NS" || return 1
	if declare -F on_exit >/dev/null; then
		on_exit lab_stop
	fi
	lab_exec ip link set lo up &&
		lab_exec ip link add "$LAB_BR" type bridge &&
		lab_exec ip link set "$LAB_BR" type bridge forward_delay 0 &&
		lab_exec ip addr add "$LAB_ADDR/24" dev "$LAB_BR" &&
		lab_exec ip link set "$LAB_BR" up || return 1
	export LAB_NS LAB_BR LAB_ADDR LAB_NET
}

# lab_exec CMD...: run CMD in the lab namespace.
lab_exec() {
	ip netns exec "$LAB_NS" "$@"
}

# lab_tap: a new tap device on the bridge; its name in LAB_TAP. (Not in
# a subshell: the tap counter must advance.)
lab_tap() {
	_lab_taps=$((_lab_taps + 1))
	LAB_TAP=byt$_lab_taps$LAB_SFX
	lab_exec ip tuntap add dev "$LAB_TAP" mode tap &&
		lab_exec ip link set "$LAB_TAP" master "$LAB_BR" &&
		lab_exec ip link set "$LAB_TAP" up
}

# lab_bg LOG CMD...: start CMD in the namespace in the background; sets
# LAB_PID (and remembers it for lab_stop).
lab_bg() {
	local log=$1
	shift
	ip netns exec "$LAB_NS" "$@" >"$log" 2>&1 </dev/null &
	LAB_PID=$!
	_lab_pids+=("$LAB_PID")
}

# lab_kill PID: stop one process we started: TERM, up to 5 s, then KILL.
lab_kill() {
	local pid=$1
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# lab_stop: kill the processes started with lab_bg, delete the namespace
# (which removes the bridge and the taps with it).
lab_stop() {
	local pid
	for pid in "${_lab_pids[@]}"; do
		lab_kill "$pid"
	done
	_lab_pids=()
	if [[ -n $LAB_NS ]] && ip netns list | grep -qw "$LAB_NS"; then
		ip netns delete "$LAB_NS"
	fi
}
