# http_lib.bash - sourced by tests/integration/http_*.sh: start a real
# `bootyard serve --dhcp=off` on loopback with random free ports and a
# fresh state directory, and a few curl helpers.
#
# After http_start: $BOOT (http://127.0.0.1:PORT), $ADMIN, $TOKEN, $CONF,
# $STATE, $SERVER_PID, $SERVER_LOG. HTTP_DHCP_MODE sets [dhcp] mode (off;
# dhcp: the service checks a request's address against the leases table,
# which a test fills with the real bootyard-lease hook).

# free_port: print a TCP port on 127.0.0.1 nobody listens on.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# http_start [EXTRA_CONFIG_LINES...]: config, token, files, then serve.
http_start() {
	STATE=$TEST_TMP/state
	mkdir -p "$STATE/files/debian12" "$STATE/tftp"
	BOOT_PORT=$(free_port)
	ADMIN_PORT=$(free_port)
	while [[ $ADMIN_PORT == "$BOOT_PORT" ]]; do ADMIN_PORT=$(free_port); done
	BOOT=http://127.0.0.1:$BOOT_PORT
	ADMIN=http://127.0.0.1:$ADMIN_PORT
	TOKEN=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
	(umask 077 && echo "$TOKEN" >"$TEST_TMP/admin.token")
	CONF=$TEST_TMP/bootyard.conf
	{
		echo "[appliance]"
		echo "state_dir = $STATE"
		echo "server_address = 127.0.0.1"
		echo "[dhcp]"
		echo "mode = ${HTTP_DHCP_MODE:-off}"
		echo "tftp_root = $STATE/tftp"
		echo "[http]"
		echo "listen = 127.0.0.1:$BOOT_PORT"
		echo "files_dir = $STATE/files"
		echo "access_log = $TEST_TMP/access.log"
		echo "${HTTP_EXTRA_HTTP:-}"
		echo "[admin]"
		echo "listen = 127.0.0.1:$ADMIN_PORT"
		echo "token_file = $TEST_TMP/admin.token"
		echo "${HTTP_EXTRA_ADMIN:-}"
		echo "[boot]"
		echo "menu_timeout = 5"
		echo "${HTTP_EXTRA_BOOT:-}"
	} >"$CONF"
	SERVER_LOG=$TEST_TMP/server.log
	on_exit "http_stop"
	http_serve
}

# http_serve: start serve on $CONF (as http_start wrote it, or as the test
# changed it since: after http_stop) and wait until it answers a boot
# request; fail with its log when it does not start.
http_serve() {
	${HTTP_WRAPPER:-} "$BOOTYARD" -c "$CONF" serve --dhcp=off >"$SERVER_LOG" 2>&1 &
	SERVER_PID=$!
	http_wait_serving "$BOOT" "$SERVER_PID" "$SERVER_LOG" "server did not start"
}

# http_wait_serving BOOT_URL PID LOG MESSAGE: wait until the serve at PID
# answers a boot request on BOOT_URL; else show LOG and fail with MESSAGE.
http_wait_serving() {
	local i
	for i in $(seq 1 100); do
		curl -s -o /dev/null "$1/ipxe/v1/boot" && return 0
		kill -0 "$2" 2>/dev/null || break
		sleep 0.1
	done
	cat "$3" >&2
	fail "$4"
}

# http_child_pid: the process that serves HTTP (serve's child: serve
# itself stays root and supervises it).
http_child_pid() {
	ps -o pid= --ppid "$SERVER_PID" | head -n 1 | tr -d ' '
}

http_stop() {
	if [[ -n ${SERVER_PID:-} ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
		kill "$SERVER_PID"
		local i
		for i in $(seq 1 50); do
			kill -0 "$SERVER_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$SERVER_PID" 2>/dev/null || true
	fi
	wait "$SERVER_PID" 2>/dev/null
	SERVER_RC=$?
	SERVER_PID=
}

# http_stop_checked: stop the server; it must exit 0 (under ASan: with
# no leak and no sanitizer report in its log).
http_stop_checked() {
	http_stop
	[[ ${SERVER_RC:-1} == 0 ]] || fail "server exited with $SERVER_RC: $(tail -n 30 "$SERVER_LOG")"
	! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' "$SERVER_LOG" ||
		fail "sanitizer report: $(grep -m5 -E 'Sanitizer|runtime error' "$SERVER_LOG")"
	ok "server stopped cleanly"
}

# server_alive: the daemon still runs and still answers.
server_alive() {
	kill -0 "$SERVER_PID" 2>/dev/null &&
		[[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$BOOT/ipxe/v1/boot") == 200 ]]
}

# code URL [CURL ARGS...]: print the HTTP status only.
code() {
	local url=$1
	shift
	curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@" "$url"
}

# api METHOD PATH [JSON]: admin API call; body in $body, status in $status.
api() {
	local m=$1 p=$2 data=${3:-}
	local args=(-s -X "$m" -H "Authorization: Bearer $TOKEN" --max-time 10
		-o "$TEST_TMP/.api" -w '%{http_code}')
	[[ -n $data ]] && args+=(-H 'Content-Type: application/json' --data-binary "$data")
	status=$(curl "${args[@]}" "$ADMIN$p")
	body=$(cat "$TEST_TMP/.api")
}

# api_expect CODE DESC METHOD PATH [JSON]: api, and its status must be CODE.
api_expect() {
	local want=$1 desc=$2
	shift 2
	api "$@"
	expect_eq "$status" "$want" "$desc"
}

# pg_appliance NAME DB_URL BOOT_SETTING: an HTTP-only appliance (serve
# --dhcp=off, loopback, admin token $TEST_TMP/admin.token) on database
# DB_URL with BOOT_SETTING in its [boot] section: its config, state dir
# and a running serve; sets ${NAME}_BOOT, ${NAME}_ADMIN, ${NAME}_CONF,
# ${NAME}_PID
pg_appliance() {
	local n=$1 st=$TEST_TMP/$1 bp ap
	mkdir -p "$st/files/debian12" "$st/tftp"
	head -c 1000 /dev/urandom >"$st/files/debian12/linux"
	head -c 1000 /dev/urandom >"$st/files/debian12/initrd.gz"
	bp=$(free_port)
	ap=$(free_port)
	while [[ $ap == "$bp" ]]; do ap=$(free_port); done
	cat >"$st.conf" <<CONF
[appliance]
state_dir = $st
server_address = 127.0.0.1
[dhcp]
mode = off
tftp_root = $st/tftp
[http]
listen = 127.0.0.1:$bp
files_dir = $st/files
access_log = off
[admin]
listen = 127.0.0.1:$ap
token_file = $TEST_TMP/admin.token
[boot]
$3
[db]
url = $2
CONF
	"$BOOTYARD" -c "$st.conf" serve --dhcp=off >"$st.log" 2>&1 &
	local pid=$!
	on_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
	printf -v "${n}_BOOT" 'http://127.0.0.1:%s' "$bp"
	printf -v "${n}_ADMIN" 'http://127.0.0.1:%s' "$ap"
	printf -v "${n}_CONF" '%s' "$st.conf"
	printf -v "${n}_PID" '%s' "$pid"
	http_wait_serving "http://127.0.0.1:$bp" "$pid" "$st.log" \
		"appliance $n did not start"
}

# pg_two_appliances BOOT_SETTING: a private PostgreSQL with database
# "bootyard" (DB_URL), an admin TOKEN, and appliances A and B on it
# (pg_appliance)
pg_two_appliances() {
	pg_start || fail "could not start PostgreSQL"
	pg_createdb bootyard || fail "createdb"
	DB_URL=$(pg_url bootyard)
	TOKEN=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
	(umask 077 && echo "$TOKEN" >"$TEST_TMP/admin.token")
	pg_appliance A "$DB_URL" "$1"
	pg_appliance B "$DB_URL" "$1"
	ok "two appliances serve from one PostgreSQL"
}

# pg_appliances_stop NAME...: stop each pg_appliance with SIGTERM; each
# must exit 0 without a sanitizer report in its log
pg_appliances_stop() {
	local n pid rc
	for n in "$@"; do
		pid=${n}_PID
		kill -TERM "${!pid}"
		wait "${!pid}"
		rc=$?
		[[ $rc == 0 ]] || fail "appliance $n exited $rc: $(tail -n 20 "$TEST_TMP/$n.log")"
		! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' "$TEST_TMP/$n.log" ||
			fail "sanitizer report: $(grep -m5 -E 'Sanitizer|runtime error' "$TEST_TMP/$n.log")"
	done
}
