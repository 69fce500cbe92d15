#!/usr/bin/env bash
# pg_notify - an appliance on a shared PostgreSQL (dnsmasq running in a lab
# namespace) sees a reservation made elsewhere - another appliance's CLI
# writing the same database - in its dnsmasq hosts file within about a
# second, without a signal: db_changes is LISTEN/NOTIFY on PostgreSQL.
# After PostgreSQL restarts (notifications lost meanwhile) a change is
# still picked up: the reconnect counts as a change, a full resync.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/lib/pg.sh"
source "$TOP/tests/integration/dhcp_lab.bash"

pg_require
lab_up
pg_start || fail "could not start PostgreSQL"
pg_createdb bootyard || fail "createdb"
lab_config
printf '[db]\nurl = %s\n' "$(pg_url bootyard)" >>"$CONF"
# "the other appliance": its own state directory, the same database
OTHER=$TEST_TMP/other.conf
mkdir -p "$TEST_TMP/other"
printf '[appliance]\nstate_dir = %s\n[db]\nurl = %s\n' "$TEST_TMP/other" "$(pg_url bootyard)" >"$OTHER"
appliance_start
hosts=$(find "$STATE" -name dnsmasq.hosts | head -n 1)
[[ -f $hosts ]] || fail "no dnsmasq hosts file"

# reserve MAC IP through the other appliance; wait for it in the hosts file
reserve_and_wait() { # MAC IP
	local t0 ms i
	t0=$(date +%s%N)
	"$BOOTYARD" -c "$OTHER" host add "$1" --ip "$2" >/dev/null || fail "host add $1"
	for i in $(seq 1 100); do
		grep -q "$2" "$hosts" && break
		sleep 0.02
	done
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	grep -qi "$1.*$2" "$hosts" || fail "reservation $1 $2 not in the hosts file after $ms ms: $(cat "$hosts")"
	# the supervisor looks once a second; the CLI itself takes a few hundred ms
	((ms <= 2500)) || fail "reservation took $ms ms"
	echo "reservation in the hosts file $ms ms after the other appliance's CLI started"
}
reserve_and_wait 52:54:00:00:41:01 198.18.0.71
ok "a reservation made elsewhere reaches this appliance's dnsmasq within a second"

pg_down || fail "pg_down"
sleep 1.5
pg_up || fail "pg_up"
reserve_and_wait 52:54:00:00:41:02 198.18.0.72
ok "after a PostgreSQL restart too (reconnect, full resync)"
kill -0 "$SERVE_PID" || fail "serve died"
done_checks
