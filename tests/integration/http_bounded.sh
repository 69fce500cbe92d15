#!/usr/bin/env bash
# Bounded state from outside (issue #16, defect 5): unauthenticated
# config requests must not grow the database without bound. A flood of
# 3,000 keep-alive requests for invented MACs (each choosing "install"
# from the menu) from one address, 1,200 install choices for one menu
# host, and 30 invented MACs from each of five more addresses:
#   - no host is created (unknown MACs never become hosts);
#   - one address records at most [boot] unknown_rate new unknown MACs a
#     minute, the rest are answered (refused: no one-boot token for them)
#     and counted in bootyard_unknown_unrecorded_total;
#   - menu installs ([boot] menu_install = yes here, so that choices do
#     issue one-boot tokens) leave one live token per MAC;
#   - the unknown MACs recorded are capped at [boot] unknown_keep, the
#     oldest dropped;
#   - spent install tokens are pruned to the newest 1,000, tokens older
#     than [boot] token_lifetime and lease rows older than
#     [appliance] leases_keep (lease ended) are deleted;
#   - `bootyard leases --unknown` still lists the unknown MACs recorded.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/integration/http_lib.bash"

command -v sqlite3 >/dev/null || skip "sqlite3 (the CLI) is not installed"
HTTP_EXTRA_HTTP="threads = 2" HTTP_EXTRA_BOOT=$'unknown_rate = 20\nunknown_keep = 50\ninstall_attempts = 100\ntoken_lifetime = 1h\nmenu_install = yes' http_start
DB=$STATE/db/bootyard.db
q() { sqlite3 -cmd '.timeout 5000' "$DB" "$1"; }

head -c 1000 /dev/urandom >"$STATE/files/debian12/linux"
cp "$STATE/files/debian12/linux" "$STATE/files/debian12/initrd.gz"
check "distro add" "$BOOTYARD" -c "$CONF" distro add debian12 \
	--kernel debian12/linux --initrd debian12/initrd.gz
MM=52:54:00:e5:00:01
api_expect 201 "a host on the menu" POST /api/v1/hosts "{\"mac\":\"$MM\",\"action\":\"menu\"}"
for m in 52:54:00:e5:0f:01 52:54:00:e5:0f:02; do
	api_expect 201 "host $m" POST /api/v1/hosts "{\"mac\":\"$m\",\"action\":\"local\"}"
done

# rows a long-running appliance would have (of known hosts, so that only
# their age counts): an old lease that ended, an old one still running, a token older than token_lifetime
now=$(date +%s)
q "INSERT INTO leases (mac, ip, state, expires, first_seen, last_seen) VALUES
   ('52:54:00:e5:0f:01', '198.18.0.9', 'old', $((now - 40 * 86400)), $((now - 50 * 86400)), $((now - 40 * 86400))),
   ('52:54:00:e5:0f:02', '198.18.0.10', 'add', $((now + 3600)), $((now - 50 * 86400)), $((now - 40 * 86400)));
   INSERT INTO install_tokens (token, host_id, issued)
   SELECT '0123456789abcdef0123456789abcdef', id, $((now - 7200)) FROM hosts WHERE id = (SELECT host_id FROM host_macs WHERE mac = '$MM');"
hosts0=$(q "SELECT count(*) FROM hosts")

# flood SRC N MACFMT QUERY: N keep-alive GET /ipxe/v1/config from source
# address SRC; MACFMT is a printf format of the request number. Prints
# "N_ANSWERED N_MENU".
flood() {
	python3 - "$BOOT_PORT" "$@" <<'PY'
import http.client, sys
port, src, n, fmt, extra = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
conn = None
answered = menu = installs = 0
for i in range(n):
    mac = fmt % (i // 256, i % 256) if "%" in fmt else fmt
    for attempt in range(3):
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(src, 0))
            conn.request("GET", "/ipxe/v1/config?mac=%s&platform=efi%s" % (mac, extra))
            r = conn.getresponse()
            body = r.read().decode(errors="replace")
            break
        except (http.client.HTTPException, OSError):
            conn = None
    else:
        continue
    if r.status in (200, 403):
        answered += 1
    if "menu reason=" in body:
        menu += 1
    if "bootyard: installing" in body:
        installs += 1
    if r.getheader("Connection", "").lower() == "close":
        conn = None
print(answered, menu, installs)
PY
}

t0=$SECONDS
out=$(flood 127.0.0.1 3000 '52:54:01:aa:%02x:%02x' '&choice=install&distro=debian12')
read -r answered _ installs <<<"$out"
expect_eq "$answered" 3000 "3,000 invented MACs choosing install: every one answered"
unrecorded() {
	api GET /metrics
	grep -o '^bootyard_unknown_unrecorded_total [0-9]*' <<<"$body" | cut -d' ' -f2
}
unrec=$(unrecorded)
[[ -n $unrec ]] || fail "no bootyard_unknown_unrecorded_total in /metrics"
# at most 20 a minute recorded (40 if a minute turned during the flood)
n1=$((3000 - unrec))
((n1 >= 20 && n1 <= 40)) || fail "127.0.0.1 recorded $n1 new unknown MACs, want 20..40 (unknown_rate = 20)"
ok "one address recorded $n1 new unknown MACs (unknown_rate = 20 a minute); $unrec counted, not stored"
expect_eq "$installs" "$n1" "only the recorded ones got a one-boot install, the others were refused"
out=$(flood 127.0.0.1 1200 "$MM" '&choice=install&distro=debian12')
expect_eq "$out" "1200 0 1200" "1,200 install choices for the menu host answered, each installing that boot"
for a in 2 3 4 5 6; do
	out=$(flood 127.0.0.$a 30 "52:54:02:0$a:%02x:%02x" '')
	expect_eq "$out" "30 30 0" "30 invented MACs from 127.0.0.$a answered"
done
echo "flood took $((SECONDS - t0)) s"

unrec2=$(unrecorded)
# five addresses x 30 MACs: each records its own 20 (all 30 if a minute
# turned), whatever 127.0.0.1 did
d=$((unrec2 - unrec))
((d >= 0 && d <= 50)) || fail "five addresses x 30 MACs: $d not recorded, want 0..50"
ok "the limit is per address: five others recorded $((150 - d)) of 150"

expect_eq "$(q "SELECT count(*) FROM hosts")" "$hosts0" "no host created by the flood"
# the event writer stores what was queued within a few ms
for _ in $(seq 1 20); do
	ev=$(q "SELECT count(*) FROM events WHERE mac LIKE '52:54:01:%'")
	((ev >= n1)) && break
	sleep 0.2
done
((ev == n1)) || fail "$ev config events stored for 127.0.0.1's invented MACs, want $n1 (the recorded ones only)"
ok "no event stored for an unknown MAC that is not recorded ($ev events, $n1 MACs)"

# the writer's housekeeping runs every 5 s
for _ in $(seq 1 40); do
	u=$(q "SELECT count(*) FROM leases l WHERE NOT EXISTS (SELECT 1 FROM host_macs m WHERE m.mac = l.mac)")
	t=$(q "SELECT count(*) FROM install_tokens WHERE used IS NOT NULL")
	live=$(q "SELECT count(*) FROM install_tokens WHERE used IS NULL")
	((u <= 50 && t <= 1000)) && break
	sleep 0.5
done
((u <= 50)) || fail "$u unknown MACs recorded, over unknown_keep = 50"
ok "unknown MACs recorded capped at unknown_keep ($u <= 50)"
((t <= 1000)) || fail "$t spent install tokens kept, want <= 1,000"
ok "spent install tokens pruned ($t kept)"
((live <= n1 + 1)) || fail "$live live one-boot tokens, want <= $((n1 + 1)) (one per MAC that chose)"
ok "one live one-boot token per MAC ($live)"
expect_eq "$(q "SELECT count(*) FROM install_tokens WHERE token = '0123456789abcdef0123456789abcdef'")" 0 \
	"a token older than token_lifetime is deleted"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' "$BOOT/ipxe/v1/done?token=0123456789abcdef0123456789abcdef")" 404 \
	"and no longer accepted"
expect_eq "$(q "SELECT count(*) FROM leases WHERE mac = '52:54:00:e5:0f:01'")" 0 "an old lease that ended is deleted"
expect_eq "$(q "SELECT count(*) FROM leases WHERE mac = '52:54:00:e5:0f:02'")" 1 "an old lease still running is kept"
newest=$(q "SELECT mac FROM leases WHERE mac LIKE '52:54:02:06:%' ORDER BY last_seen DESC LIMIT 1")
[[ -n $newest ]] || fail "the newest unknown MACs (127.0.0.6's) were dropped: the oldest must go first"
ok "the newest unknown MACs are kept ($newest)"

expect_exit 0 "$BOOTYARD" -c "$CONF" leases --unknown
expect_contains "$out" "$newest" "bootyard leases --unknown lists a recorded unknown MAC"
[[ $out != *"$MM"* ]] || fail "leases --unknown lists a host's MAC"
ok "leases --unknown lists no host's MAC"
check "server alive after the flood" server_alive
http_stop_checked
done_checks
