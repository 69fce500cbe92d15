#!/usr/bin/env bash
# supervisor_modes - every way `bootyard serve` runs drops privileges
# before it accepts its first request, and every mode handles SIGHUP:
#  - `serve --dhcp=off` and the supervised [dhcp] modes dhcp, proxy and off,
#    with [appliance] user = nobody, started under strace while a client
#    connects at the earliest possible moment (it retries until the
#    listener exists, so its connection waits in the kernel's queue):
#    the process holding the HTTP listener has nobody's uid and gid
#    (real, effective, saved, file system) and no capability; it had no
#    thread yet when it dropped (nothing could have served before); the
#    first accept(2) of the whole trace comes after its setuid; and that
#    early request is answered;
#  - `serve --dhcp=off` on SIGHUP: an unchanged config keeps serving (it
#    used to die, exit 129); a config that does not parse is refused with
#    file:line and the old one keeps serving; a changed one (another
#    port) is applied, by an unprivileged process again.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/integration/dhcp_lab.bash"

command -v strace >/dev/null || skip "strace is not installed"
command -v python3 >/dev/null || skip "python3 is not installed"
command -v ss >/dev/null || skip "ss (iproute2) is not installed"
getent passwd nobody >/dev/null || skip "no user nobody"
NOBODY_UID=$(id -u nobody)
NOBODY_GID=$(id -g nobody)
lab_up
chmod 755 "$STATE"

# early_client NS HOST PORT OUT: connect as soon as HOST:PORT listens,
# send one request, write the status line into OUT.
early_client() {
	ip netns exec "$1" python3 "$TOP/tests/integration/http_client.py" \
		early "$2" "$3" >"$4" 2>&1 &
	EARLY_PID=$!
	on_exit "kill $EARLY_PID 2>/dev/null"
}

# listener_pid NS PORT: the process holding the TCP listener on PORT.
listener_pid() {
	ip netns exec "$1" ss -Htlnp "sport = :$2" | grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2
}

# check_unprivileged WHAT PID: nobody's ids, no capabilities.
check_unprivileged() {
	local what=$1 pid=$2 st
	st=$(cat "/proc/$pid/status") || fail "$what: no process $pid"
	expect_eq "$(awk '/^Uid:/ { print $2, $3, $4, $5 }' <<<"$st")" \
		"$NOBODY_UID $NOBODY_UID $NOBODY_UID $NOBODY_UID" "$what: the HTTP process has nobody's uids"
	expect_eq "$(awk '/^Gid:/ { print $2, $3, $4, $5 }' <<<"$st")" \
		"$NOBODY_GID $NOBODY_GID $NOBODY_GID $NOBODY_GID" "$what: the HTTP process has nobody's gids"
	expect_eq "$(awk '/^Cap(Inh|Prm|Eff|Amb):/ { printf "%s ", $2 }' <<<"$st")" \
		"0000000000000000 0000000000000000 0000000000000000 0000000000000000 " \
		"$what: the HTTP process has no capability"
}

# check_trace WHAT TRACE PID: in strace -f output TRACE, the process PID
# (with its threads) dropped before any accept of the trace, and had no
# thread when it did.
check_trace() {
	local what=$1 trace=$2 pid=$3 tids t drop acc clones
	tids=$(ls "/proc/$pid/task" | tr '\n' ' ')
	# the first setuid(nobody) = 0 of any of its threads
	drop=$(awk -v tids=" $tids" -v u="$NOBODY_UID" '
		index(tids, " " $1 " ") && ($2 ~ "^setuid\\(" u "\\)" || ($2 == "<..." && $3 == "setuid")) && $NF == "0" { print NR; exit }
	' "$trace")
	[[ -n $drop ]] || fail "$what: the HTTP process $pid never called setuid($NOBODY_UID): $(grep -E '^[0-9]+ +(setuid|setresuid)' "$trace" | head -n 5)"
	ok "$what: the HTTP process calls setuid($NOBODY_UID) (trace line $drop)"
	clones=$(awk -v p="$pid" -v d="$drop" 'NR < d && $1 == p && $2 ~ /^clone3?\(/' "$trace" | grep -c CLONE_THREAD)
	expect_eq "$clones" 0 "$what: no thread started before the drop (nothing can accept before it)"
	acc=$(awk '($2 ~ /^accept4?\(/ || ($2 == "<..." && $3 ~ /^accept4?$/)) && $NF ~ /^[0-9]+$/ { print NR; exit }' "$trace")
	[[ -n $acc ]] || fail "$what: no successful accept in the trace"
	((acc > drop)) || fail "$what: a connection was accepted (trace line $acc: $(sed -n "${acc}p" "$trace")) before the drop (line $drop)"
	ok "$what: the first accept (trace line $acc) comes after the drop (line $drop)"
	t=$(sed -n "${acc}p" "$trace" | awk '{ print $1 }')
	[[ -d /proc/$pid/task/$t ]] || fail "$what: the first accept was made by $t, not a thread of the HTTP process $pid"
	ok "$what: the first accept was made by a thread of the HTTP process"
}

TRACE_SYSCALLS=setuid,setgid,setresuid,setresgid,accept,accept4,clone,clone3

# -- the supervised modes: dnsmasq + HTTP child
for mode in dhcp proxy off; do
	lab_config appliance.user=nobody dhcp.mode=$mode
	rm -f "$TEST_TMP/early.out"
	early_client "$NS_A" 127.0.0.1 "$HTTP_PORT" "$TEST_TMP/early.out"
	ns_bg "$NS_A" TRACE_PID strace -f -qq -e trace=$TRACE_SYSCALLS -o "$TEST_TMP/trace.$mode" \
		"$BOOTYARD" -c "$CONF" serve 2>"$TEST_TMP/serve.log"
	wait_for 5 bash -c "ps -o pid= --ppid $TRACE_PID | grep -q ." || fail "$mode: serve did not start"
	spid=$(ps -o pid= --ppid "$TRACE_PID" | tr -d ' ')
	on_exit "kill $spid 2>/dev/null"
	wait_for 20 bash -c "[[ -n \$('$BOOTYARD' -c '$CONF' status 2>/dev/null | awk '\$1 == \"dnsmasq_pid\" && \$2 > 0')  ]]" ||
		fail "$mode: serve did not start: $(tail -n 20 "$TEST_TMP/serve.log")"
	wait "$EARLY_PID"
	expect_eq "$(cat "$TEST_TMP/early.out")" "HTTP/1.1 200 OK" "$mode: the earliest request is answered"
	hpid=$(listener_pid "$NS_A" "$HTTP_PORT")
	[[ -n $hpid ]] || fail "$mode: nobody listens on $HTTP_PORT"
	expect_eq "$hpid" "$(status_get http_pid)" "$mode: the HTTP child holds the listener"
	check_unprivileged "$mode" "$hpid"
	check_trace "$mode" "$TEST_TMP/trace.$mode" "$hpid"
	kill -TERM "$spid"
	wait "$TRACE_PID"
	expect_eq "$?" 0 "$mode: SIGTERM: exit 0"
done

# -- serve --dhcp=off: the HTTP service alone, in the namespace too
cat >"$CONF" <<EOF
[appliance]
state_dir = $STATE
server_address = 198.18.0.1
user = nobody
[dhcp]
mode = off
[http]
listen = 0.0.0.0:$HTTP_PORT
files_dir = $STATE/files
access_log = off
[admin]
listen = off
[boot]
menu_timeout = 5
EOF
rm -f "$TEST_TMP/early.out"
early_client "$NS_A" 127.0.0.1 "$HTTP_PORT" "$TEST_TMP/early.out"
ns_bg "$NS_A" TRACE_PID strace -f -qq -e trace=$TRACE_SYSCALLS -o "$TEST_TMP/trace.off" \
	"$BOOTYARD" -c "$CONF" serve --dhcp=off 2>"$TEST_TMP/serve.log"
on_exit "tail -n 20 '$TEST_TMP/serve.log' >&2"
wait_for 5 bash -c "ps -o pid= --ppid $TRACE_PID | grep -q ." || fail "--dhcp=off: serve did not start"
spid=$(ps -o pid= --ppid "$TRACE_PID" | tr -d ' ')
on_exit "kill $spid 2>/dev/null"
wait "$EARLY_PID"
expect_eq "$(cat "$TEST_TMP/early.out")" "HTTP/1.1 200 OK" "--dhcp=off: the earliest request is answered"
hpid=$(listener_pid "$NS_A" "$HTTP_PORT")
[[ -n $hpid ]] || fail "--dhcp=off: nobody listens on $HTTP_PORT"
check_unprivileged "--dhcp=off" "$hpid"
check_trace "--dhcp=off" "$TEST_TMP/trace.off" "$hpid"
expect_eq "$(ps -o user= -p "$spid" | tr -d ' ')" root "--dhcp=off: serve itself stays root (to bind again on reload)"

boot() { ip netns exec "$NS_A" curl -sS --max-time 5 "http://127.0.0.1:$1/ipxe/v1/boot"; }

# -- SIGHUP, same config: still serving, same process
kill -HUP "$spid"
wait_for 5 grep -q "configuration unchanged" "$TEST_TMP/serve.log" || fail "SIGHUP was not handled: $(tail -n 5 "$TEST_TMP/serve.log")"
kill -0 "$spid" 2>/dev/null || fail "serve --dhcp=off died on SIGHUP"
ok "--dhcp=off: SIGHUP is handled, serve runs on"
expect_contains "$(boot "$HTTP_PORT")" "#!ipxe" "--dhcp=off: HTTP answers after SIGHUP"
expect_eq "$(listener_pid "$NS_A" "$HTTP_PORT")" "$hpid" "--dhcp=off: an unchanged config keeps the HTTP process"

# -- SIGHUP, a config that does not parse: refused with file:line
cp "$CONF" "$CONF.good"
printf '[http\nlisten = 0.0.0.0:1\n' >>"$CONF"
line=$(grep -n '^\[http$' "$CONF" | cut -d: -f1)
kill -HUP "$spid"
wait_for 5 grep -q "reload refused" "$TEST_TMP/serve.log" || fail "a broken config was not refused: $(tail -n 5 "$TEST_TMP/serve.log")"
expect_contains "$(grep "reload refused" "$TEST_TMP/serve.log")" "$CONF:$line" "--dhcp=off: the refusal names file:line"
kill -0 "$spid" 2>/dev/null || fail "serve --dhcp=off died on a broken config"
expect_contains "$(boot "$HTTP_PORT")" "#!ipxe" "--dhcp=off: the old config keeps serving"

# -- SIGHUP, a changed config: applied, unprivileged again
NEW_PORT=$((HTTP_PORT + 1))
sed "s/^listen = 0.0.0.0:$HTTP_PORT/listen = 0.0.0.0:$NEW_PORT/" "$CONF.good" >"$CONF"
kill -HUP "$spid"
wait_for 10 bash -c "ip netns exec '$NS_A' curl -sf -o /dev/null http://127.0.0.1:$NEW_PORT/ipxe/v1/boot" ||
	fail "the new port does not answer after SIGHUP: $(tail -n 5 "$TEST_TMP/serve.log")"
ok "--dhcp=off: a changed config is applied on SIGHUP"
hpid=$(listener_pid "$NS_A" "$NEW_PORT")
check_unprivileged "--dhcp=off after reload" "$hpid"
kill -TERM "$spid"
wait "$TRACE_PID"
expect_eq "$?" 0 "--dhcp=off: SIGTERM: exit 0"
done_checks
