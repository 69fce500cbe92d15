#!/usr/bin/env bash
# Slowloris from one address (issue #16, defect 6). With max_connections
# = 16 (one worker thread), connections_per_address = 8 and
# header_timeout = 4 s:
#   1. 16 connections from 127.0.0.1 that trickle their headers (a byte
#      every 0.3 s: never idle) hold at most 8 connections, and another
#      address (127.0.0.2) is still answered at once;
#   2. a client that trickles its headers is cut off after
#      header_timeout, although it is never idle for connection_timeout
#      (30 s), and counted in bootyard_http_header_timeouts_total;
#   3. a kept-alive connection that sends nothing is cut off the same way.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/integration/http_lib.bash"

HTTP_EXTRA_HTTP=$'threads = 1\nmax_connections = 16\nconnections_per_address = 8\nheader_timeout = 4\nconnection_timeout = 30' http_start

# trickle SRC N SECONDS: open N connections from SRC, each sending a
# request line and then a header byte every 0.3 s; after 0.5 s print how
# many are still open ("open N"), then keep trickling on those for
# SECONDS and print, for each, when the server closed it ("closed T" or
# "open" at the end).
cat >"$TEST_TMP/trickle.py" <<'PY'
import socket, sys, time
port, src, n, secs = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
socks = []
for _ in range(n):
    s = socket.socket()
    s.bind((src, 0))
    try:
        s.connect(("127.0.0.1", port))
        s.sendall(b"GET /ipxe/v1/boot HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        socks.append([s, time.monotonic(), None])
    except OSError:
        s.close()

def alive(e):
    if e[2] is not None:
        return False
    s = e[0]
    try:
        s.setblocking(False)
        try:
            data = s.recv(4096)
            if data == b"":
                raise ConnectionResetError
        except BlockingIOError:
            pass
        s.setblocking(True)
        s.sendall(b"a")
        return True
    except OSError:
        e[2] = time.monotonic() - e[1]
        return False

t0 = time.monotonic()
while time.monotonic() - t0 < 0.5:
    for e in socks:
        alive(e)
    time.sleep(0.1)
print("open", sum(1 for e in socks if e[2] is None), flush=True)
while time.monotonic() - t0 < secs and any(e[2] is None for e in socks):
    for e in socks:
        alive(e)
    time.sleep(0.3)
for e in socks:
    print("closed %.1f" % e[2] if e[2] is not None else "open", flush=True)
PY

# ---- 1. one address cannot take every connection ----
python3 "$TEST_TMP/trickle.py" "$BOOT_PORT" 127.0.0.1 16 12 >"$TEST_TMP/t1.out" 2>&1 &
t1=$!
on_exit "kill $t1 2>/dev/null || true"
for _ in $(seq 1 50); do grep -q '^open ' "$TEST_TMP/t1.out" && break; sleep 0.1; done
held=$(grep -m1 '^open ' "$TEST_TMP/t1.out" | cut -d' ' -f2)
[[ -n $held ]] || fail "trickling clients did not start: $(cat "$TEST_TMP/t1.out")"
((held >= 1 && held <= 8)) || fail "127.0.0.1 holds $held trickling connections, want at most 8 (connections_per_address)"
ok "16 trickling connections from one address: $held held, the rest refused"
r=$(curl -s -o "$TEST_TMP/body" -w '%{http_code} %{time_total}' --max-time 3 --interface 127.0.0.2 "$BOOT/ipxe/v1/boot")
expect_eq "${r% *}" 200 "another address is answered while they trickle ($r)"
awk -v t="${r#* }" 'BEGIN { exit !(t < 1.0) }' || fail "another address waited ${r#* } s"
ok "and at once (${r#* } s)"

# ---- 2. trickled headers are cut off after header_timeout ----
wait "$t1"
closed=$(grep -c '^closed' "$TEST_TMP/t1.out")
stayed=$(grep -c '^open$' "$TEST_TMP/t1.out")
expect_eq "$stayed" 0 "no trickling connection outlives header_timeout"
while read -r _ t; do
	awk -v t="$t" 'BEGIN { exit !(t < 7.0) }' || fail "a trickling connection was cut only after $t s (header_timeout = 4 s)"
done < <(grep '^closed' "$TEST_TMP/t1.out")
ok "all $closed cut off within 7 s, while never idle"
python3 "$TEST_TMP/trickle.py" "$BOOT_PORT" 127.0.0.3 1 12 >"$TEST_TMP/t2.out" 2>&1
t=$(grep '^closed' "$TEST_TMP/t2.out" | cut -d' ' -f2)
[[ -n $t ]] || fail "a trickling client was not cut off in 12 s: $(cat "$TEST_TMP/t2.out")"
awk -v t="$t" 'BEGIN { exit !(t >= 3.5 && t < 7.0) }' || fail "cut off after $t s, want about 4 s"
ok "a lone trickling client is cut off after $t s (header_timeout = 4 s)"
api GET /metrics
n=$(grep -o '^bootyard_http_header_timeouts_total [0-9]*' <<<"$body" | cut -d' ' -f2)
[[ -n $n && $n -ge 2 ]] || fail "bootyard_http_header_timeouts_total is '${n:-missing}', want >= 2"
ok "cut-offs counted in bootyard_http_header_timeouts_total ($n)"

# ---- 3. a kept-alive connection that goes quiet ----
t=$(python3 - "$BOOT_PORT" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /ipxe/v1/boot HTTP/1.1\r\nHost: x\r\n\r\n")
buf = b""
while b"exit 1\n" not in buf:
    buf += s.recv(65536)
t0 = time.monotonic()
s.settimeout(15)
try:
    while s.recv(4096):
        pass
except OSError:
    pass
print("%.1f" % (time.monotonic() - t0))
PY
)
awk -v t="$t" 'BEGIN { exit !(t >= 3.5 && t < 7.0) }' || fail "an idle kept-alive connection closed after $t s, want about 4 s"
ok "an idle kept-alive connection is closed after $t s"
check "server alive" server_alive
http_stop_checked
done_checks
