#!/usr/bin/env bash
# supervisor_sandbox - the systemd unit's sandbox fits what serve does
# (issue #16). There is no systemd to run the unit here, so each setting
# that can break the service is checked against a real run in the lab:
#   - systemd-analyze security --offline: exposure below 2.5
#   - CapabilityBoundingSet=: serve runs under exactly that bounding set
#     (setpriv), with the service user nobody: dnsmasq and the HTTP child
#     start and drop, the lease hook records, a reservation reaches
#     dnsmasq (SIGHUP), a killed dnsmasq is restarted, SIGHUP reloads,
#     SIGTERM stops with 0
#   - SystemCallFilter= and RestrictAddressFamilies=: under strace, every
#     system call of every process (supervisor, HTTP child, dnsmasq, lease
#     hook, grub-mkimage) is allowed by the unit, every socket family too
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/integration/dhcp_lab.bash"

UNIT=$TOP/image/deb/bootyard.service
getent passwd nobody >/dev/null || skip "no user nobody"
command -v setpriv >/dev/null || skip "no setpriv"
[[ $(id -u) == 0 ]] || skip "needs root"

if command -v systemd-analyze >/dev/null; then
	sec=$(systemd-analyze security --offline=yes "$UNIT" 2>&1)
	level=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' <<<"$sec")
	[[ -n $level ]] || fail "no exposure level in: $(tail -3 <<<"$sec")"
	awk -v l="$level" 'BEGIN { exit !(l < 2.5) }' ||
		fail "exposure $level, not below 2.5: $(grep '✗' <<<"$sec")"
	ok "systemd-analyze security: exposure $level (below 2.5)"
else
	echo "# systemd-analyze not installed: exposure not measured"
fi

# The unit's capability bounding set, as setpriv wants it.
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT")
[[ -n $caps ]] || fail "no CapabilityBoundingSet= in $UNIT"
bset=-all
for c in $caps; do
	c=${c#CAP_}
	bset+=",+${c,,}"
done
echo "# bounding set: $bset"

STRACE=()
if command -v strace >/dev/null; then
	STRACE=(strace -f -qq -o "$TEST_TMP/strace.out")
else
	echo "# strace not installed: system calls not checked"
fi

lab_up
lab_config appliance.user=nobody dhcp.uefi_loader=grub
ns_bg "$NS_A" SERVE_PID "${STRACE[@]}" setpriv --bounding-set="$bset" \
	"$BOOTYARD" -c "$CONF" serve 2>"$TEST_TMP/serve.log"
on_exit "tail -n 30 '$TEST_TMP/serve.log' >&2"
wait_for 60 grep -q "serving:" "$TEST_TMP/serve.log" || fail "serve did not start under the unit's bounding set"
pid=$(status_get pid) # (SERVE_PID may be strace's)
# (a failure may leave serve unable to stop its children: kill them all)
on_exit "kill -KILL \$(ps -o pid= --ppid $pid) $pid 2>/dev/null"
eff=$(awk '/^CapEff/ { print $2 }' "/proc/$pid/status")
want=$(setpriv --bounding-set="$bset" awk '/^CapEff/ { print $2 }' /proc/self/status)
expect_eq "$eff" "$want" "the supervisor has exactly the unit's capabilities"
user_of() { ps -o user= -p "$1" | tr -d ' '; }
expect_eq "$(user_of "$(status_get dnsmasq_pid)") $(user_of "$(status_get http_pid)")" \
	"nobody nobody" "dnsmasq and the HTTP service run as nobody"
M=52:54:00:f0:00:01
ack=$(probe -m "$M" -a 9 -r -w 100 | grep -m1 '^ACK')
[[ -n $ack ]] || fail "no lease"
wait_for 5 bash -c "'$BOOTYARD' -c '$CONF' leases | grep -q '^$M '" ||
	fail "the lease hook did not record the lease"
ok "a lease, recorded by the hook"
body=$(ip netns exec "$NS_A" curl -sS --max-time 5 "http://198.18.0.1:$HTTP_PORT/ipxe/v1/config?mac=$M")
expect_contains "$body" "#!ipxe" "the HTTP service answers a config request"
check "a reservation" "$BOOTYARD" -c "$CONF" host add 52:54:00:f0:00:02 --ip 198.18.0.77
wait_for 10 grep -q "reservations changed" "$TEST_TMP/serve.log" || fail "no reservation refresh"
ack=$(probe -m 52:54:00:f0:00:02 -a 9 -r -w 100 | grep -m1 '^ACK')
expect_eq "$(field yiaddr "$ack")" 198.18.0.77 "dnsmasq (SIGHUP'd by root) hands out the reservation"
old=$(status_get dnsmasq_pid)
kill -TERM "$old"
wait_for 15 bash -c "d=\$('$BOOTYARD' -c '$CONF' status 2>/dev/null | awk '\$1 == \"dnsmasq_pid\" { print \$2 }');
	[[ -n \$d && \$d != 0 && \$d != $old ]] && kill -0 \$d" ||
	fail "dnsmasq was not restarted"
ok "a killed dnsmasq is restarted"
kill -HUP "$pid"
wait_for 20 grep -q "configuration reloaded" "$TEST_TMP/serve.log" || fail "serve did not reload"
ok "SIGHUP reloads"
kill -TERM "$pid"
wait "$SERVE_PID"
expect_eq "$?" 0 "SIGTERM: exit 0"

if [[ ${#STRACE[@]} -gt 0 ]]; then
	python3 - "$UNIT" "$TEST_TMP/strace.out" <<-'PY' || fail "the unit's filters refuse what serve does"
	import re, subprocess, sys
	unit, trace = sys.argv[1], sys.argv[2]
	groups, cur = {}, None
	for line in subprocess.run(["systemd-analyze", "syscall-filter"],
	                           capture_output=True, text=True).stdout.splitlines():
	    s = line.strip()
	    if not s or s.startswith("#"):
	        continue
	    if line.startswith("@"):
	        cur = s
	        groups[cur] = []
	    elif cur:
	        groups[cur].append(s)
	def expand(names):
	    out = set()
	    for n in names:
	        out |= expand(groups.get(n, [])) if n.startswith("@") else {n}
	    return out
	allow, deny, fams = None, set(), set()
	for line in open(unit):
	    k, _, v = line.strip().partition("=")
	    if k == "SystemCallFilter":
	        if v.startswith("~"):
	            deny |= expand(v[1:].split())
	        else:
	            allow = (allow or set()) | expand(v.split())
	    elif k == "RestrictAddressFamilies":
	        fams |= set(v.split())
	used, usedfam = set(), set()
	for line in open(trace):
	    m = re.match(r"\d+\s+([a-z_0-9]+)\((\w*)", line)
	    if m:
	        used.add(m.group(1))
	        if m.group(1) == "socket":
	            usedfam.add(m.group(2))
	bad = sorted(used - allow if allow is not None else set()) + sorted(used & deny)
	badfam = sorted(usedfam - fams) if fams else []
	print("# %d distinct system calls, socket families %s" % (len(used), " ".join(sorted(usedfam))))
	if bad or badfam:
	    print("refused by the unit: %s %s" % (" ".join(bad), " ".join(badfam)))
	    sys.exit(1)
	PY
	ok "SystemCallFilter= and RestrictAddressFamilies= allow every call serve made"
fi
done_checks
