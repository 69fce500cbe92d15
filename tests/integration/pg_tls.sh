#!/usr/bin/env bash
# pg_tls - TLS to PostgreSQL when the URL asks for it: a private
# PostgreSQL 15 with ssl=on on 127.0.0.1 (tests/lib/pg.sh `pg_start ssl`:
# a throwaway CA and a server certificate for 127.0.0.1). An appliance
# whose URL says sslmode=verify-full&sslrootcert=CA serves over a TLS
# connection (pg_stat_ssl of its backends); with another CA it is refused
# with an error naming the certificate; sslmode=disable stays plain.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/lib/pg.sh"
source "$TOP/tests/integration/http_lib.bash"

pg_require
command -v openssl >/dev/null || skip "no openssl"
pg_start ssl || fail "could not start PostgreSQL with TLS"
pg_createdb bootyard || fail "createdb"

# conf NAME URL: a loopback appliance's config (no DHCP)
conf() {
	local st=$TEST_TMP/$1
	mkdir -p "$st/files" "$st/tftp"
	cat >"$st.conf" <<CONF
[appliance]
state_dir = $st
server_address = 127.0.0.1
name = $1
[dhcp]
mode = off
tftp_root = $st/tftp
[http]
listen = 127.0.0.1:$(free_port)
files_dir = $st/files
access_log = off
[admin]
listen = off
[db]
url = $2
CONF
}

conf good "$(pg_tls_url bootyard "$PG_CA")"
"$BOOTYARD" -c "$TEST_TMP/good.conf" serve --dhcp=off >"$TEST_TMP/good.log" 2>&1 &
pid=$!
on_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
port=$(sed -n 's/^listen = 127.0.0.1://p' "$TEST_TMP/good.conf")
http_wait_serving "http://127.0.0.1:$port" "$pid" "$TEST_TMP/good.log" \
	"the appliance with verify-full did not start"
check "host add over TLS" "$BOOTYARD" -c "$TEST_TMP/good.conf" host add 52:54:00:00:51:01 --hostname tls1
ssl=$(pg_psql bootyard -At -c "SELECT s.ssl, count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.application_name = 'bootyard' AND a.client_addr = '127.0.0.1' GROUP BY s.ssl")
echo "backends of the appliance (ssl|count): $ssl"
[[ $ssl == t\|* && $ssl != *f\|* ]] || fail "the appliance's connections are not all TLS: $ssl"
ok "the appliance's connections to PostgreSQL use TLS (pg_stat_ssl)"
expect_contains "$("$BOOTYARD" -c "$TEST_TMP/good.conf" events 52:54:00:00:51:01 2>&1; "$BOOTYARD" -c "$TEST_TMP/good.conf" host show tls1)" "tls1" "reads over TLS"

conf wrong "$(pg_tls_url bootyard "$PG_WRONG_CA")"
expect_exit 3 "$BOOTYARD" -c "$TEST_TMP/wrong.conf" host list
err=$(cat "$TEST_TMP/.stderr")
echo "with the wrong CA: $err"
expect_contains "$err" "certificate verify failed" "another CA: refused, the error says why"
"$BOOTYARD" -c "$TEST_TMP/wrong.conf" serve --dhcp=off >"$TEST_TMP/wrong.log" 2>&1 &
wpid=$!
on_exit "kill $wpid 2>/dev/null; wait $wpid 2>/dev/null"
for _ in $(seq 50); do kill -0 $wpid 2>/dev/null || break; sleep 0.1; done
kill -0 $wpid 2>/dev/null && fail "serve with the wrong CA is running"
expect_contains "$(cat "$TEST_TMP/wrong.log")" "certificate verify failed" "serve with another CA refuses to start, saying why"

conf plain "postgresql://postgres@127.0.0.1:$PG_PORT/bootyard?sslmode=disable"
check "sslmode=disable: plain TCP works" "$BOOTYARD" -c "$TEST_TMP/plain.conf" host list
done_checks
