#!/usr/bin/env bash
# e2e/pg_two: two appliances in two lab namespaces sharing one PostgreSQL
# (issue #21). Each lab is its own segment 198.18.0.0/24 with its own
# `bootyard serve` and dnsmasq; both use one private PostgreSQL 15
# (tests/lib/pg.sh) through its Unix socket, reachable from every
# namespace. A host added and flagged through appliance A's CLI is in B's
# dnsmasq hosts file within a second (B's supervisor is woken by the
# notification); a BIOS QEMU client (SeaBIOS + virtio-net, the stand-in
# installer as in provision.sh) on B's segment installs once and then
# boots locally; A's and B's timelines (`bootyard events MAC` with each
# one's config) are the same and show the install recorded by B, and a
# config answer of A's, merged in time order.
# The same host asked on two appliances at the same instant, a thousand
# times: tests/integration/pg_install_once.sh (no QEMU needed there).
# Run under flock /work/qemu.lock. Time bound: about 3 minutes.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/lib/lab.sh"
source "$TOP/tests/lib/qemu.sh"
source "$TOP/tests/lib/pg.sh"
source "$TOP/tests/e2e/appliance.bash"

app_require python3 ss cpio
pg_require
check "PostgreSQL" pg_start
check "database" pg_createdb bootyard
DB_URL=$(pg_url bootyard)

# Two appliances, each in its lab: use_app NAME switches the lab and the
# app_* helpers' variables to it (lab.sh and appliance.bash keep one of
# each in globals).
declare -A S
n_apps=0
save_app() { # NAME
	local n=$1 v
	for v in LAB_NS LAB_BR LAB_SFX APP_STATE APP_FILES APP_CONF APP_ACCESS \
		APP_PID APP_LOG _app_runs; do
		S[$n.$v]=${!v}
	done
}
use_app() { # NAME
	local n=$1 v
	for v in LAB_NS LAB_BR LAB_SFX APP_STATE APP_FILES APP_CONF APP_ACCESS \
		APP_PID APP_LOG _app_runs; do
		printf -v "$v" '%s' "${S[$n.$v]}"
	done
}
new_app() { # NAME
	local n=$1
	check "lab namespace and bridge of $n" lab_start
	# lab_stop deletes only the newest lab's namespace
	on_exit "ip netns delete $LAB_NS 2>/dev/null"
	APP_STATE=$TEST_TMP/$n/state
	APP_FILES=$TEST_TMP/$n/files
	APP_CONF=$TEST_TMP/$n/bootyard.conf
	APP_ACCESS=$TEST_TMP/$n/access.log
	mkdir -p "$APP_STATE" "$APP_FILES"
	: >"$APP_ACCESS"
	chmod 755 "$TEST_TMP" "$TEST_TMP/$n"
	app_config appliance.name="$n"
	printf '[db]\nurl = %s\n' "$DB_URL" >>"$APP_CONF"
	# serve's log is TEST_TMP/serve.<_app_runs>.log: apart for each
	APP_PID='' APP_LOG=''
	_app_runs=$((n_apps * 10))
	n_apps=$((n_apps + 1))
}

new_app boot-a
app_start
save_app boot-a
new_app boot-b
app_standin_distro standin # through B's CLI, its files in B's files_dir
app_start
save_app boot-b
B_HOSTS=$APP_STATE/run/dnsmasq.hosts
[[ -f $B_HOSTS ]] || fail "no dnsmasq hosts file for B ($B_HOSTS)"

# ---- a host added through A reaches B's dnsmasq within a second ---------
mac=52:54:00:c0:02:07
use_app boot-a
t0=$(date +%s%N)
check "host add (A's CLI)" by host add $mac --hostname node27 --ip 198.18.0.77 --distro standin
for _ in $(seq 200); do
	grep -qi "$mac" "$B_HOSTS" && break
	sleep 0.01
done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
grep -qi "$mac.*198.18.0.77" "$B_HOSTS" || fail "the host added through A is not in B's hosts file after $ms ms: $(cat "$B_HOSTS")"
echo "host added through A in B's dnsmasq hosts file $ms ms after A's CLI started"
((ms <= 1000)) || fail "B's hosts file took $ms ms (more than 1 s)"
ok "a host added through appliance A is in B's dnsmasq hosts file within a second ($ms ms)"
check "host reinstall (A's CLI)" by host reinstall node27

# ---- the client on B's segment installs once, then boots locally --------
use_app boot-b
QEMU_NIC=virtio-net-pci
app_boot two-install bios $mac "INSTALLER: started" 120
qemu_wait_exit 60 || app_fail "the installer did not power off"
expect_contains "$(qemu_tail 200)" "INSTALLER: DONE" "the installer finished"
expect_contains "$(qemu_tail 200)" "INSTALLER: | hostname=node27" \
	"B rendered the install file of the host added through A"
ok "installed through B and powered off after $((SECONDS - APP_T0)) s"
use_app boot-a
expect_contains "$(by host show node27)" "local" "A sees the host back to local boot"
# the machine asks A too (a second NIC, a move): A records that event
out=$(lab_exec curl -sf "http://$LAB_ADDR/ipxe/v1/config?mac=$mac&platform=pcbios") ||
	fail "A did not answer the config request"
expect_contains "$out" "sanboot" "A tells the installed machine to boot locally"
use_app boot-b
n=$(grep -c "/ipxe/v1/config" "$APP_ACCESS")
qemu_start two-again bios $mac || app_fail "second QEMU did not start"
end=$((SECONDS + 90))
until (($(grep -c "/ipxe/v1/config" "$APP_ACCESS") > n)); do
	((SECONDS < end)) || app_fail "the second boot did not ask B for its config"
	sleep 1
done
sleep 1
qemu_stop
ok "the same machine booted again on B"

# ---- both timelines: the same, the install recorded by boot-b -----------
use_app boot-a
ev_a=$(by events $mac)
use_app boot-b
ev_b=$(by events $mac)
echo "$ev_b"
[[ $ev_a == "$ev_b" ]] || { echo "$ev_a"; fail "A's and B's timelines differ"; }
ok "A's and B's timelines are the same"
for want in dhcp- config install-fetch "done"; do
	grep -- "$want" <<<"$ev_b" | grep -q "boot-b" ||
		fail "no $want event recorded by boot-b"
done
ok "the timeline shows the DHCP, config, install and done events of appliance boot-b"
grep ' config ' <<<"$ev_b" | grep -q "boot-a" ||
	fail "A's config answer is not in the timeline"
sort -c <<<"$(grep '^20' <<<"$ev_b" | cut -c1-23)" || fail "the timeline is not in time order"
ok "the timeline merges both appliances' events (A's config answer among B's), in time order"
expect_contains "$(grep ' done ' <<<"$ev_b")" "boot-b" "done: recorded by boot-b"
[[ $(grep -c ' done ' <<<"$ev_b") == 1 ]] || fail "more than one done: installed twice"
ok "installed exactly once"
last=$(grep ' config ' <<<"$ev_b" | tail -n 1)
expect_contains "$last" "local" "the second boot was told to boot locally"
expect_contains "$ev_b" "diagnosis:" "the diagnosis follows the timeline"
use_app boot-a
app_stop
use_app boot-b
app_stop
done_checks
