#!/usr/bin/env bash
# bootyard host add/set --ip with IPv6: the canonical text is stored and
# shown, taken like an IPv4 one (exit 2 for a second host), and every
# other text of an address (mapped, upper case, zone, brackets, leading
# zeros, uncompressed) is refused with exit 2 and the database unchanged.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/cli/lib.bash"

expect_exit 0 by --json host add aa:bb:cc:00:06:01 --hostname v6a --ip fd00::10
expect_eq "$(jpy 'd["ip"]' <<<"$out")" "fd00::10" "IPv6 stored as given"
expect_exit 0 by host show v6a
expect_contains "$out" "fd00::10" "show prints the IPv6 address"
expect_exit 0 by --json host set v6a --ip 2001:db8::1:0:0:1
expect_eq "$(jpy 'd["ip"]' <<<"$out")" "2001:db8::1:0:0:1" "set to another"
expect_exit 2 by host add aa:bb:cc:00:06:02 --ip 2001:db8::1:0:0:1
expect_contains "$err" "2001:db8::1:0:0:1" "IPv6 address taken"
expect_exit 0 by --json host add aa:bb:cc:00:06:03 --ip 198.18.0.10
expect_eq "$(jpy 'd["ip"]' <<<"$out")" "198.18.0.10" "IPv4 as before"

before=$(snapshot)
for v in ::ffff:198.18.0.10 ::ffff:c612:a FD00::10 fe80::1%eth0 '[fd00::10]' \
	fd00::010 fd00:0:0:0:0:0:0:10 fd00::10/64 1.2.3.4.5 01.2.3.4 \
	$'fd00::10\nfd00::11' "fd00::10 " ::1.2.3.4; do
	expect_exit 2 by host set v6a --ip "$v"
	expect_contains "$err" "invalid IP address" "refused: $v"
done
[[ $(snapshot) == "$before" ]] || fail "a refused --ip changed the database"
ok "non-canonical and mapped addresses refused, nothing written"
