#!/usr/bin/env bash
# The boot diagnosis in the CLI: `bootyard events MAC` ends with where the
# MAC's last boot got to and why it stopped; `host show` prints it too.
# Events are written into the real database as the appliance writes them.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/cli/lib.bash"

by host add 52:54:00:aa:00:01 --hostname web1 >/dev/null || fail "host add"
db=$STATE/db/bootyard.db
[[ -f $db ]] || fail "no database in $STATE"
now=$(( $(date +%s) * 1000 ))
python3 - "$db" "$now" <<'PY' || fail "inserting events"
import sqlite3, sys
db, now = sys.argv[1], int(sys.argv[2])
c = sqlite3.connect(db)
old = now - 600 * 1000
rows = [
    (old, "52:54:00:aa:00:01", "dhcp-offer", "ip=198.18.0.20"),
    (old, "52:54:00:aa:00:01", "dhcp-ack", "ip=198.18.0.20 file=undionly.kpxe"),
    (old + 1000, "52:54:00:aa:00:01", "tftp-sent", "file=undionly.kpxe ip=198.18.0.20"),
    (now - 9000, "52:54:00:aa:00:02", "dhcp-offer", "ip=198.18.0.21"),
    (now - 9000, "52:54:00:aa:00:02", "dhcp-ack", "ip=198.18.0.21"),
    (now - 8000, "52:54:00:aa:00:02", "tftp-not-found", "file=boot.ipxe ip=198.18.0.21"),
]
c.executemany("INSERT INTO events (ts_ms, mac, kind, detail) VALUES (?,?,?,?)", rows)
c.commit()
PY
out=$(by events 52:54:00:aa:00:01) || fail "events"
grep -q '^diagnosis: bootfile: loaded iPXE (undionly.kpxe), never fetched its config' <<<"$out" ||
	fail "events diagnosis: $out"
out=$(by host show web1) || fail "host show"
grep -q '^diagnosis: *bootfile: loaded iPXE' <<<"$out" || fail "host show: $out"
out=$(by events 52:54:00:aa:00:02) || fail "events 2"
grep -q '^diagnosis: lease: asked TFTP for boot.ipxe: not found' <<<"$out" ||
	fail "not found: $out"
# a MAC never seen
out=$(by events 52:54:00:aa:00:09) || fail "events 9"
grep -q '^diagnosis: none: never seen on the network' <<<"$out" || fail "unseen: $out"
# all events (no MAC): no diagnosis line; JSON stays an array
out=$(by events) || fail "events all"
! grep -q diagnosis <<<"$out" || fail "diagnosis without a MAC"
by --json events 52:54:00:aa:00:01 | jpy 'len(d)' | grep -qx 3 || fail "json"
exit 0
