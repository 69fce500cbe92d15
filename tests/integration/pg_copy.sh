#!/usr/bin/env bash
# bootyard db migrate / db copy / db dump: an SQLite appliance's database
# (every table filled: hosts with several MACs and attributes, power with
# a BMC password, distributions with a template and a kernel for two
# architectures, install tokens flagged and one-boot, leases with IPv4
# and IPv6 addresses, events with awkward text) is copied onto a private
# PostgreSQL 15 and from there into a new SQLite file; the three dumps
# (every row of every table, every column) are the same, and row counts
# are checked against sqlite3 itself. A copy into a database that holds
# rows is refused; a password in the URL is refused.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/lib/pg.sh"

pg_require
pg_start || fail "could not start PostgreSQL"
pg_createdb copy1 || fail "createdb"
pg_createdb copy2 || fail "createdb"

ST=$TEST_TMP/state
mkdir -p "$ST"
CONF=$TEST_TMP/bootyard.conf
printf '[appliance]\nstate_dir = %s\n' "$ST" >"$CONF"
by() { "$BOOTYARD" -c "$CONF" "$@"; }

printf 'd-i netcfg/get_hostname string {{hostname}}\n\ttab\\back "q"\n' >"$TEST_TMP/t.cfg"
check "distro add" by distro add debian12 --kernel debian12/linux \
	--initrd debian12/initrd.gz --initrd extra.img --cmdline "auto=true x=1" \
	--template "$TEST_TMP/t.cfg" --template-name preseed.cfg
check "distro add (no template)" by distro add alma9 --kernel a/vmlinuz --initrd a/initrd.img
check "distro arm64 kernel" by distro set debian12 --arch arm64 --kernel debian12/arm64/linux \
	--initrd debian12/arm64/initrd.gz
check "host add" by host add 52:54:00:00:31:01 52:54:00:00:31:02 --hostname Web-1 \
	--ip 198.18.0.50 --attr rack=r1 --attr role=web --distro debian12
check "host add" by host add 52:54:00:00:31:03 --local-boot exit1
check "host add" by host add 52:54:00:00:31:04 --hostname db1 --ip fd00::5
echo "s3cret" >"$TEST_TMP/bmc.pass"
check "power ipmi" by host set web-1 --power ipmi --bmc 198.18.0.99 --bmc-user admin \
	--bmc-password-file "$TEST_TMP/bmc.pass"
check "reinstall" by host reinstall db1 --distro alma9
DB=$ST/db/bootyard.db
sqlite3 "$DB" <<'SQL' || fail "raw rows"
INSERT INTO install_tokens (token, host_id, issued, used) VALUES
  ('0123456789abcdef0123456789abcdef', 1, 1700000000, 1700000100);
INSERT INTO install_tokens (token, host_id, issued, once, mac, distro) VALUES
  ('fedcba9876543210fedcba9876543210', NULL, 1700000200, 1, '52:54:00:00:31:09', 'alma9');
UPDATE hosts SET token = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', attempts = 2 WHERE hostname = 'db1';
INSERT INTO install_tokens (token, host_id, issued) VALUES
  ('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 3, 1700000300);
INSERT INTO leases (mac, ip, hostname, arch, vendor_class, user_class, state, expires, first_seen, last_seen, ip6)
  VALUES ('52:54:00:00:31:01', '198.18.0.50', 'web-1', 7, 'PXEClient:Arch:00007', 'iPXE', 'add', 1700009999, 1700000000, 1700000500, 'fd00::50'),
         ('52:54:00:00:31:09', '', '', -1, '', '', 'del', 0, 1700000001, 1700000001, '');
INSERT INTO events (ts_ms, mac, kind, detail, appliance) VALUES
  (1700000000123, '52:54:00:00:31:01', 'dhcp-add', 'ip=198.18.0.50 arch=7', 'boot-a'),
  (1700000000456, '', 'config', 'tab	and "quotes" and \backslash and ünïcode', ''),
  (1700000000789, '52:54:00:00:31:09', 'done', '', 'boot-b.example.org');
SQL
for t in distros distro_kernels hosts host_macs host_attrs host_power install_tokens leases events; do
	n=$(sqlite3 "$DB" "SELECT count(*) FROM $t")
	((n > 0)) || fail "table $t is empty: the test must fill every table"
done
ok "every table of the SQLite database holds rows"

U1="$(pg_url copy1)"
U2="$(pg_url copy2)"
expect_exit 0 "$BOOTYARD" db copy --from "sqlite:$DB" --to "$U1"
expect_contains "$out" "rows copied from sqlite to postgresql" "copy to PostgreSQL"
expect_exit 0 "$BOOTYARD" db copy --from "$U1" --to "sqlite:$TEST_TMP/back.db"
expect_contains "$out" "rows copied from postgresql to sqlite" "copy back to SQLite"
"$BOOTYARD" db dump "sqlite:$DB" >"$TEST_TMP/a.dump" || fail "dump a"
"$BOOTYARD" db dump "$U1" >"$TEST_TMP/pg.dump" || fail "dump pg"
"$BOOTYARD" db dump "sqlite:$TEST_TMP/back.db" >"$TEST_TMP/b.dump" || fail "dump b"
rows=$(wc -l <"$TEST_TMP/a.dump")
total=0
for t in distros distro_kernels hosts host_macs host_attrs host_power install_tokens leases events; do
	total=$((total + $(sqlite3 "$DB" "SELECT count(*) FROM $t")))
done
expect_eq "$rows" "$total" "the dump has every row of every table"
diff "$TEST_TMP/a.dump" "$TEST_TMP/pg.dump" >&2 || fail "PostgreSQL copy differs"
ok "SQLite -> PostgreSQL: every table the same"
diff "$TEST_TMP/a.dump" "$TEST_TMP/b.dump" >&2 || fail "round trip differs"
ok "PostgreSQL -> SQLite: every table the same"
expect_contains "$(grep '^host_power' "$TEST_TMP/pg.dump")" "bmc_password=s3cret" "the BMC password came along"
expect_contains "$(grep '^distro_kernels' "$TEST_TMP/pg.dump")" "arch=arm64	kernel=debian12/arm64/linux" "the arm64 kernel came along"
expect_contains "$(grep '^leases' "$TEST_TMP/pg.dump")" "ip6=fd00::50" "the IPv6 lease address came along"
expect_contains "$(grep '^events' "$TEST_TMP/pg.dump")" "appliance=boot-b.example.org" "the events' appliance came along"

# the copy works: the PostgreSQL database serves the same hosts, and new
# rows get new ids (sequences moved past the copied ones)
printf '[appliance]\nstate_dir = %s\n[db]\nurl = %s\n' "$ST" "$U1" >"$TEST_TMP/pg.conf"
expect_exit 0 "$BOOTYARD" -c "$TEST_TMP/pg.conf" host show web-1
expect_contains "$out" "52:54:00:00:31:02" "host read from PostgreSQL"
expect_exit 0 "$BOOTYARD" -c "$TEST_TMP/pg.conf" distro show debian12
expect_contains "$out" "debian12/arm64/linux (arm64)" "both kernels read from PostgreSQL"
expect_exit 0 "$BOOTYARD" -c "$TEST_TMP/pg.conf" host add 52:54:00:00:31:05
expect_contains "$out" "host 4 added" "next id after the copied ones"

# refused: a destination with rows; a password in the URL
expect_exit 2 "$BOOTYARD" db copy --from "sqlite:$DB" --to "$U1"
expect_contains "$err" "holds data already" "copy into a non-empty database refused"
expect_exit 2 "$BOOTYARD" db copy --from "sqlite:$DB" --to "postgresql://postgres:pw@localhost/copy2"
expect_contains "$err" "password" "a password in the URL refused"
expect_exit 2 "$BOOTYARD" db copy --from "sqlite:$DB" --to "$U2&password=pw"
expect_contains "$err" "password" "password= in the URL refused"

# db migrate: the configured PostgreSQL database gets its tables
printf '[appliance]\nstate_dir = %s\n[db]\nurl = %s\n' "$ST" "$U2" >"$TEST_TMP/pg2.conf"
expect_exit 0 "$BOOTYARD" -c "$TEST_TMP/pg2.conf" db migrate
expect_contains "$out" "postgresql database at schema version" "db migrate"
v=$(pg_psql copy2 -At -c "SELECT max(version) FROM bootyard_schema")
expect_contains "$out" "version $v" "schema version recorded"
# credentials from a file: a role that must give a password (scram), its
# password only in [db] password_file; without it the connection fails
pg_psql postgres -c "CREATE ROLE pwuser LOGIN PASSWORD 'pw-from-file'" || fail "create role"
pg_psql postgres -c "CREATE DATABASE pwdb OWNER pwuser" || fail "create db"
_pg_as sed -i '1i local all pwuser scram-sha-256' "$PG_DIR/data/pg_hba.conf"
_pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" reload >/dev/null || fail "reload"
sleep 0.5
echo "pw-from-file" >"$TEST_TMP/db.password"
PWURL="postgresql:///pwdb?host=$PG_SOCK&user=pwuser"
printf '[appliance]\nstate_dir = %s\n[db]\nurl = %s\n' "$ST" "$PWURL" >"$TEST_TMP/pw.conf"
expect_exit 3 env PGPASSFILE=/nonexistent "$BOOTYARD" -c "$TEST_TMP/pw.conf" db migrate
printf 'password_file = %s\n' "$TEST_TMP/db.password" >>"$TEST_TMP/pw.conf"
expect_exit 0 env PGPASSFILE=/nonexistent "$BOOTYARD" -c "$TEST_TMP/pw.conf" db migrate
expect_contains "$out" "schema version" "password from [db] password_file"
expect_exit 0 env PGPASSFILE=/nonexistent "$BOOTYARD" db copy --from "sqlite:$DB" --to "$PWURL&password_file=$TEST_TMP/db.password"
expect_contains "$out" "rows copied" "db copy with password_file= in the URL"
printf '[appliance]\nstate_dir = %s\n[db]\nurl = postgresql://pwuser:pw@localhost/pwdb\n' "$ST" >"$TEST_TMP/bad.conf"
expect_exit 2 "$BOOTYARD" -c "$TEST_TMP/bad.conf" check-config
expect_contains "$err" "password_file" "check-config refuses a password in [db] url"
done_checks
