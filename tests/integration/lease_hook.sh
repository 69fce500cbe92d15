#!/usr/bin/env bash
# lease_hook - bootyard-lease as dnsmasq runs it, against a real database:
# add/old/del reach the leases table with architecture and classes; init
# prints the stored leases in dnsmasq's lease format; hostile argv and
# environment (shell metacharacters, 64 KB strings, control bytes,
# missing or malformed variables, invalid MACs) never crash it, exit 0
# (nothing to record is not a failure), leave the database consistent
# (integrity_check, no row for refused input); a relayed client's relay
# lands in its timeline; an unwritable database is
# exit 1; 200 events in a row all land (their speed is measured by
# `make bench-dhcp`, against dnsmasq alone: never a timed assertion here).
source "$TOP/tests/lib/common.sh"

command -v sqlite3 >/dev/null || skip "sqlite3 is not installed"
export BOOTYARD_DB=$TEST_TMP/bootyard.db
H=$BOOTYARD_LEASE
exp=$(($(date +%s) + 3600))

check "add with arch from tags" env DNSMASQ_TAGS="arch7 efi64 eth0" \
	DNSMASQ_VENDOR_CLASS=PXEClient:Arch:00007:UNDI:003016 \
	DNSMASQ_USER_CLASS0=iPXE DNSMASQ_LEASE_EXPIRES=$exp \
	"$H" add 52:54:00:e0:00:01 198.18.0.10 host1
check "old without environment" "$H" old 52:54:00:e0:00:02 198.18.0.11
row=$(sqlite3 "$BOOTYARD_DB" "select mac, ip, hostname, arch, vendor_class, user_class from leases where mac = '52:54:00:e0:00:01'")
expect_eq "$row" "52:54:00:e0:00:01|198.18.0.10|host1|7|PXEClient:Arch:00007:UNDI:003016|iPXE" "the lease row"
expect_eq "$(sqlite3 "$BOOTYARD_DB" 'select count(*) from leases')" 2 "two leases stored"

out=$("$H" init)
expect_eq "$out" "$exp 52:54:00:e0:00:01 198.18.0.10 host1 *" "init prints the live lease (the other has no expiry)"
check "del" "$H" del 52:54:00:e0:00:01 198.18.0.10 host1
expect_eq "$("$H" init)" "" "a released lease is not handed back"

# hostile input: each must exit 0 without a core and add no lease row
big=$(head -c 65536 /dev/zero | tr '\0' A)
before=$(sqlite3 "$BOOTYARD_DB" 'select count(*) from leases')
hostile() {
	local rc
	"$@" >/dev/null 2>"$TEST_TMP/h.err"
	rc=$?
	[[ $rc == 0 ]] || fail "exit $rc for: ${*:0:6} ($(head -c 200 "$TEST_TMP/h.err"))"
}
hostile "$H"
hostile "$H" add
hostile "$H" add 52:54:00:e0:00:03
hostile "$H" add '52:54:00:e0:00:03;reboot' 198.18.0.12
hostile "$H" add '$(touch /tmp/pwned)' 198.18.0.12
hostile "$H" add "$big" 198.18.0.12
hostile "$H" add 52:54:00:e0:00:03 "$big"
hostile "$H" add 52:54:00:e0:00:03 '198.18.0.12`id`'
hostile "$H" add zz:zz:zz:zz:zz:zz 198.18.0.12
hostile "$H" bogus-action 52:54:00:e0:00:03 198.18.0.12
hostile "$H" tftp 12 198.18.0.12 /etc/shadow
hostile "$H" arp-add 52:54:00:e0:00:03 198.18.0.12
expect_eq "$(sqlite3 "$BOOTYARD_DB" 'select count(*) from leases')" "$before" "refused input adds no lease"
[[ ! -e /tmp/pwned ]] || fail "a shell ran"
ok "no shell metacharacter was interpreted"

# DHCPv6 (dual stack): the DUID stands where the MAC goes; the MAC is
# DNSMASQ_MAC, else the DUID-LLT's; the v6 address sits beside the v4 one
check "v6 add with DNSMASQ_MAC" env DNSMASQ_MAC=52:54:00:e0:00:02 DNSMASQ_IAID=1 \
	DNSMASQ_LEASE_EXPIRES=$exp "$H" add 00:04:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00 fd00:b007::111
check "v6 add, MAC from the DUID-LLT" "$H" add 00:01:00:01:2c:f0:ab:12:52:54:00:e0:00:06 fd00:b007::112
row=$(sqlite3 "$BOOTYARD_DB" "select mac, ip, ip6 from leases where mac in ('52:54:00:e0:00:02', '52:54:00:e0:00:06') order by mac")
expect_eq "$row" $'52:54:00:e0:00:02|198.18.0.11|fd00:b007::111\n52:54:00:e0:00:06||fd00:b007::112' "v6 leases beside v4 ones, under the MAC"
expect_eq "$("$H" init | grep -c fd00)" 0 "init hands back no v6 lease"
hostile "$H" add 00:04:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00 fd00:b007::113
hostile env DNSMASQ_MAC='52:54:00:e0:00:07;id' "$H" add 00:03:00:01:52:54:00:e0:00:07 fd00:b007::113
hostile "$H" add "00:03:00:01:$big" fd00:b007::113
expect_eq "$(sqlite3 "$BOOTYARD_DB" "select count(*) from leases where ip6 = 'fd00:b007::113'")" 0 "a v6 lease without a MAC is not recorded"

# valid MAC and IP, hostile everything else: recorded, cleaned, bounded
hostile env DNSMASQ_VENDOR_CLASS="$big" DNSMASQ_USER_CLASS0="\`rm -rf /\`; \$(reboot) | & > <" \
	DNSMASQ_USER_CLASS1=$'\x01\x1b[31mred' DNSMASQ_LEASE_EXPIRES=abc \
	DNSMASQ_TAGS="$big" "$H" add 52:54:00:e0:00:04 198.18.0.13 $'bad\nhost'
hostile env DNSMASQ_LEASE_EXPIRES=99999999999999999999999 DNSMASQ_TAGS=arch \
	"$H" old 52:54:00:e0:00:05 198.18.0.14 "$big"
row=$(sqlite3 "$BOOTYARD_DB" "select hostname, arch, length(vendor_class) <= 255, user_class from leases where mac = '52:54:00:e0:00:04'")
expect_eq "$row" "|-1|1|\`rm -rf /\`; \$(reboot) | & > < ??[31mred" "hostile classes stored cleaned and bounded"

# a client that came through a DHCP relay (issue #17): the relay and its
# option 82 IDs in the timeline; a hostile relay address is dropped, the
# lease still recorded
check "add through a relay" env DNSMASQ_RELAY_ADDRESS=198.18.1.1 \
	DNSMASQ_CIRCUIT_ID=ge-0/0/1 DNSMASQ_REMOTE_ID="rack 7;\$(reboot)" \
	"$H" add 52:54:00:e0:00:06 198.18.1.100
ev=$(sqlite3 "$BOOTYARD_DB" "select kind || ' ' || detail from events where mac = '52:54:00:e0:00:06' order by id")
expect_contains "$ev" "dhcp-add ip=198.18.1.100" "the lease event"
expect_contains "$ev" "dhcp-relay relay=198.18.1.1 circuit-id=ge-0/0/1 remote-id=hex:7261636b20373b24287265626f6f7429" \
	"the relay event: address, circuit ID, hostile remote ID as hex"
hostile env DNSMASQ_RELAY_ADDRESS="198.18.1.1; reboot" DNSMASQ_CIRCUIT_ID="$big" \
	"$H" add 52:54:00:e0:00:07 198.18.1.101
expect_eq "$(sqlite3 "$BOOTYARD_DB" "select count(*) from events where mac = '52:54:00:e0:00:07' and kind = 'dhcp-relay'")" 0 \
	"a hostile relay address records no relay"
expect_eq "$(sqlite3 "$BOOTYARD_DB" "select ip from leases where mac = '52:54:00:e0:00:07'")" 198.18.1.101 \
	"but the lease"
expect_eq "$(sqlite3 "$BOOTYARD_DB" 'pragma integrity_check')" ok "database integrity"

# an unusable database: exit 1 for events, init still 0
BOOTYARD_DB=/nonexistent-dir/x.db expect_exit 1 "$H" add 52:54:00:e0:00:06 198.18.0.15
BOOTYARD_DB=/nonexistent-dir/x.db expect_exit 0 "$H" init
BOOTYARD_DB=relative.db expect_exit 1 "$H" add 52:54:00:e0:00:06 198.18.0.15

# 200 events in a row, each a process start + one transaction, while
# another connection holds the database open as `bootyard serve` does
# (otherwise every hook run is the last connection and checkpoints)
# (it reads from fd 7 and exits when the script closes it)
exec 7> >(exec sqlite3 -cmd "select count(*) from leases;" "$BOOTYARD_DB" >/dev/null)
sleep 0.3
t0=$(date +%s%N)
for i in $(seq 1 200); do
	DNSMASQ_TAGS="arch0 bios" DNSMASQ_LEASE_EXPIRES=$exp \
		"$H" add "52:54:00:e1:$(printf '%02x:%02x' $((i / 256)) $((i % 256)))" "198.18.1.$((i % 250 + 1))"
done
t1=$(date +%s%N)
per=$(((t1 - t0) / 200 / 1000))
echo "lease hook: $per us per event (for information; make bench-dhcp measures it)"
expect_eq "$(sqlite3 "$BOOTYARD_DB" "select count(*) from leases where mac like '52:54:00:e1:%'")" 200 "all 200 leases stored"
done_checks
