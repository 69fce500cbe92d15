#!/usr/bin/env bash
# PostgreSQL killed in the middle of a run (issue #21): two `bootyard
# serve --dhcp=off` appliances A and B on one private PostgreSQL 15
# (tests/lib/pg.sh), loopback only. With a local-boot host, a menu host
# and a host flagged for install synced into each appliance's read cache,
# the server is stopped at once (as a crash would): both appliances keep
# answering the local host with its local boot and the menu host with
# the menu (from the read cache), and the flagged host with 503 "retry"
# (no install token: nothing that needs a write is faked); /healthz and
# /metrics say so. The config events of the outage are written when the
# server is back, without a restart of bootyard; /healthz and /metrics
# say it is back; the flagged host then gets its install. A DHCP lease
# of the outage, kept by the lease hook in the spool, is stored then.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/lib/pg.sh"
source "$TOP/tests/integration/http_lib.bash"

pg_require
pg_two_appliances "menu_install = yes"

LOCAL=52:54:00:00:22:01
MENU=52:54:00:00:22:02
INST=52:54:00:00:22:03
check "distro add" "$BOOTYARD" -c "$A_CONF" distro add debian12 \
	--kernel debian12/linux --initrd debian12/initrd.gz --cmdline "auto=true"
check "local host" "$BOOTYARD" -c "$A_CONF" host add $LOCAL --hostname pgd-local
check "menu host" "$BOOTYARD" -c "$A_CONF" host add $MENU --hostname pgd-menu --action menu
check "install host" "$BOOTYARD" -c "$A_CONF" host add $INST --hostname pgd-inst \
	--distro debian12 --action install

# config URL of MAC on appliance N; curl -w prints the status last
ask() { # N MAC -> "BODY\nSTATUS"
	local b=${1}_BOOT
	curl -s --max-time 10 -w '\n%{http_code}' "${!b}/ipxe/v1/config?mac=$2&platform=pcbios"
}
metrics() { # N
	local a=${1}_ADMIN
	curl -s --max-time 10 -H "Authorization: Bearer $TOKEN" "${!a}/metrics"
}
healthz() { # N
	local a=${1}_ADMIN
	curl -s --max-time 10 -w '\n%{http_code}' "${!a}/healthz"
}

# the read cache: written by each supervisor after the change, at most
# once a second; root's, 0640, in root's directory
for n in A B; do
	f=$TEST_TMP/$n/cache/boot.db
	for i in $(seq 1 50); do
		[[ -f $f ]] && [[ $(sqlite3 "file:$f?mode=ro" \
			"SELECT count(*) FROM hosts" 2>/dev/null) == 3 ]] && break
		sleep 0.1
	done
	expect_eq "$(sqlite3 "file:$f?mode=ro" "SELECT count(*) FROM hosts" 2>&1)" 3 \
		"appliance $n wrote its read cache (3 hosts)"
	expect_eq "$(stat -c '%a %u' "$f")" "640 0" "$n's cache file: root's, 0640"
	expect_eq "$(stat -c '%a %u' "$TEST_TMP/$n/cache")" "750 0" "$n's cache directory: root's, 0750"
	expect_eq "$(sqlite3 "file:$f?mode=ro" "SELECT count(*) FROM sqlite_master WHERE name IN ('events', 'leases', 'install_tokens', 'host_power')" 2>&1) $(sqlite3 "file:$f?mode=ro" "SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM leases) + (SELECT count(*) FROM install_tokens) + (SELECT count(*) FROM host_power)")" \
		"4 0" "no events, leases, tokens or BMC settings in $n's cache"
	expect_eq "$(sqlite3 "file:$f?mode=ro" "PRAGMA journal_mode")" delete \
		"$n's cache: rollback journal (read-only readers need no -shm)"
done
for n in A B; do
	out=$(ask $n $LOCAL)
	expect_contains "$out" "local reason=host-local" "$n: local host, database up"
done

# the outage
before=$(pg_psql bootyard -At -c "SELECT count(*) FROM events WHERE kind = 'config' AND mac IN ('$LOCAL', '$MENU', '$INST')")
pg_down || fail "pg_down"
t_down=$(date +%s%3N)
for n in A B; do
	out=$(ask $n $LOCAL)
	expect_contains "$out" "local reason=host-local" "$n: the local host boots locally with PostgreSQL down (read cache)"
	expect_eq "${out##*$'\n'}" 200 "$n: ... 200"
	out=$(ask $n $MENU)
	expect_contains "$out" "reason=host-menu" "$n: the menu host gets its menu with PostgreSQL down"
	expect_contains "$out" "debian12" "$n: ... listing the cached distributions"
	out=$(curl -s --max-time 10 -w '\n%{http_code}' "$(eval echo \$${n}_BOOT)/ipxe/v1/config?mac=$MENU&platform=pcbios&choice=install&distro=debian12")
	expect_eq "${out##*$'\n'}" 503 "$n: the menu's install choice: 503, retry (no one-boot token from the cache)"
	out=$(ask $n $INST)
	expect_eq "${out##*$'\n'}" 503 "$n: the flagged host: 503, retry (no token from the cache)"
	expect_contains "$out" "database unavailable, retry" "$n: ... the script says why"
	[[ $out != *"/ipxe/v1/install/"* && $out != *"token"* ]] ||
		fail "$n handed out an install with PostgreSQL down: $out"
	ok "$n: ... and hands out no install"
	out=$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' "$(eval echo \$${n}_BOOT)/ipxe/v1/install/0123456789abcdef0123456789abcdef/preseed.cfg")
	expect_eq "$out" 503 "$n: an install file: 503, retry (tokens are not cached)"
	out=$(healthz $n)
	expect_eq "${out##*$'\n'}" 503 "$n: /healthz 503 with PostgreSQL down"
	expect_contains "$out" "serving from the read cache" "$n: ... saying known hosts are served from the cache"
	out=$(metrics $n)
	expect_contains "$out" "bootyard_database_up 0" "$n: metrics: database down"
	expect_contains "$out" "bootyard_database_cache_serving 1" "$n: metrics: serving from the cache"
	[[ $out =~ bootyard_database_cache_answers_total\ ([0-9]+) ]] &&
		((BASH_REMATCH[1] >= 2)) || fail "$n: cache answers not counted: $(grep cache <<<"$out")"
	ok "$n: metrics count the answers from the cache (${BASH_REMATCH[1]})"
	kill -0 "$(eval echo \$${n}_PID)" || fail "appliance $n died with PostgreSQL down"
done
# a DHCP lease during the outage: the hook keeps it in A's spool (exit 0,
# dnsmasq never retries a hook); beside it a file that is no spooled run
# and a symlink, which the drain must drop unread
LEASED=52:54:00:00:22:04
SPOOL=$TEST_TMP/A/db/spool
out=$(env BOOTYARD_DB="$DB_URL" BOOTYARD_SPOOL="$SPOOL" DNSMASQ_TAGS="arch7 efi64" \
	DNSMASQ_LEASE_EXPIRES=$(($(date +%s) + 3600)) \
	"$BOOTYARD_LEASE" add $LEASED 198.18.0.44 pgd-leased 2>&1)
expect_eq "$?" 0 "the lease hook with PostgreSQL down exits 0 ($out)"
expect_contains "$out" "kept in $SPOOL" "... saying the run is kept in the spool"
expect_eq "$(find "$SPOOL" -name '*.run' | wc -l)" 1 "... one run in A's spool"
printf 'Aadd\0Xgarbage\0' >"$SPOOL/0000000000000-1-bad.run"
ln -s /etc/passwd "$SPOOL/0000000000000-2-link.run"
sleep 1 # the event writers try again meanwhile, with back-off
t_up=$(date +%s%3N)
pg_up || fail "pg_up"

# the events of the outage arrive, without a restart of bootyard
t0=$(date +%s%N)
want=8 # 3 hosts asked on 2 appliances, the menu host twice
for i in $(seq 1 100); do
	got=$(pg_psql bootyard -At -c "SELECT count(*) FROM events WHERE kind = 'config' AND mac IN ('$LOCAL', '$MENU', '$INST') AND ts_ms BETWEEN $t_down AND $t_up" 2>/dev/null)
	[[ $got == "$want" ]] && break
	sleep 0.1
done
expect_eq "$got" "$want" "the config events queued during the outage are in the database"
echo "events written $(( ($(date +%s%N) - t0) / 1000000 )) ms after PostgreSQL was back"
expect_eq "$(pg_psql bootyard -At -c "SELECT count(*) FROM events WHERE kind = 'config' AND mac = '$INST' AND detail LIKE 'unavailable%' AND ts_ms BETWEEN $t_down AND $t_up")" 2 \
	"the flagged host's retries are on its timeline"
expect_eq "$(pg_psql bootyard -At -c "SELECT count(*) FROM install_tokens t JOIN host_macs m ON m.host_id = t.host_id WHERE m.mac IN ('$INST', '$MENU')") $(pg_psql bootyard -At -c "SELECT h.attempts FROM hosts h JOIN host_macs m ON m.host_id = h.id WHERE m.mac = '$INST'")" \
	"0 0" "no install token issued, no attempt spent during the outage"

for i in $(seq 1 50); do
	got=$(pg_psql bootyard -At -c "SELECT ip || ' ' || arch || ' ' || hostname FROM leases WHERE mac = '$LEASED'" 2>/dev/null)
	[[ -n $got && -z $(ls -A "$SPOOL") ]] && break
	sleep 0.1
done
expect_eq "$got" "198.18.0.44 7 pgd-leased" "the lease of the outage is in the database (stored from A's spool)"
expect_eq "$(pg_psql bootyard -At -c "SELECT count(*) FROM events WHERE mac = '$LEASED' AND kind = 'dhcp-add'")" 1 \
	"... with its dhcp-add event, once"
expect_eq "$(ls -A "$SPOOL")" "" "the spool is empty: the run stored, the bad file and the symlink dropped"
[[ -f /etc/passwd ]] || fail "the drain removed a symlink's target"

# back: the database answers again, the flagged host installs
for n in A B; do
	for i in $(seq 1 30); do
		out=$(healthz $n)
		[[ ${out##*$'\n'} == 200 ]] && break
		sleep 0.1
	done
	expect_eq "${out##*$'\n'}" 200 "$n: /healthz ok again"
	out=$(metrics $n)
	expect_contains "$out" "bootyard_database_up 1" "$n: metrics: database up"
	expect_contains "$out" "bootyard_database_cache_serving 0" "$n: metrics: not from the cache"
done
for i in $(seq 1 30); do
	out=$(ask B $INST)
	[[ $out == *"reason=flagged"* ]] && break
	sleep 0.1
done
expect_contains "$out" "reason=flagged" "the flagged host gets its install once PostgreSQL is back"

pg_appliances_stop A B
ok "both appliances stopped cleanly"
done_checks
