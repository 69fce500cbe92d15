#!/usr/bin/env bash
# Hostile arguments (quotes, newlines, ${...}, control characters, shell
# and script metacharacters, 10 KB strings) to every command that writes:
# each is rejected with exit 2 and a one-line message, and the database
# is unchanged (host list --json and distro list --json compared).
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/cli/lib.bash"

big=$(head -c 10240 /dev/zero | tr '\0' a)
nl=$'web\nevil'
hostile=(
	'a"b' "a'b" "$nl" '${net0/mac}' 'a`id`' 'a;reboot' $'a\x1b[2Jb' "$big"
)
# characters that only free text (attribute values, command lines) could
# otherwise carry into a script or template
meta=('a&&shell' 'a|b' 'a$b' $'a\tb' 'a#b' 'a{b}' 'a<b>' 'a\b')

# one_line CMD...: exit 2, one line on stderr, nothing on stdout
reject() {
	local rc
	out=$("$@" 2>"$TEST_TMP/.stderr"); rc=$?
	err=$(cat "$TEST_TMP/.stderr")
	[[ $rc == 2 ]] || fail "expected exit 2, got $rc: ${*:0:8}"
	[[ -z $out ]] || fail "stdout not empty: $out"
	[[ $(printf '%s\n' "$err" | wc -l) == 1 ]] || fail "not one line: $err"
	((${#err} < 1024)) || fail "message of ${#err} bytes"
	nrej=$((nrej + 1))
}
nrej=0

# no database yet: a rejected write must not even create it
for v in "${hostile[@]}"; do
	reject by host add aa:bb:cc:00:00:01 --hostname "$v"
done
[[ ! -e $STATE/db/bootyard.db ]] || fail "a rejected command created the database"
ok "rejected writes create no database ($nrej rejected)"

# some real state to protect
check "setup host" by host add aa:bb:cc:00:00:01 --hostname web1 --attr rack=r1
check "setup distro" by distro add deb12 --kernel deb12/linux --initrd deb12/initrd.gz
before=$(snapshot)
expect_contains "$before" "web1" "snapshot has the host"
nrej=0

for v in "${hostile[@]}"; do
	reject by host add "$v"
	reject by host add aa:bb:cc:00:00:02 --hostname "$v"
	reject by host add aa:bb:cc:00:00:02 --ip "$v"
	reject by host add aa:bb:cc:00:00:02 --distro "$v"
	reject by host add aa:bb:cc:00:00:02 --action "$v"
	reject by host add aa:bb:cc:00:00:02 --local-boot "$v"
	reject by host add aa:bb:cc:00:00:02 --attr "$v=1"
	reject by host add aa:bb:cc:00:00:02 --attr "k=$v"
	reject by host set web1 --hostname "$v"
	reject by host set web1 --ip "$v"
	reject by host set web1 --attr "rack=$v"
	reject by host set web1 --unset-attr "$v"
	reject by host set "$v" --ip 198.18.0.5
	reject by host reinstall web1 --distro "$v"
	reject by host mac add web1 "$v"
	reject by host mac rm web1 "$v"
	reject by host rm "$v"
	reject by distro add "$v" --kernel k --initrd i
	reject by distro add ok1 --kernel "$v" --initrd i
	reject by distro add ok1 --kernel k --initrd "$v"
	reject by distro add ok1 --kernel k --initrd i --cmdline "$v"
	reject by distro set deb12 --cmdline "$v"
	reject by distro rm "$v"
	reject by events "$v"
done
for v in "${meta[@]}"; do
	reject by host add aa:bb:cc:00:00:02 --attr "k=$v"
	reject by host set web1 --attr "rack=$v"
	reject by distro add ok1 --kernel k --initrd i --cmdline "$v"
	reject by host add aa:bb:cc:00:00:02 --hostname "$v"
	reject by distro add "$v" --kernel k --initrd i
done
# a space is fine in attribute values and command lines, not in names
reject by host add aa:bb:cc:00:00:02 --hostname 'a b'
reject by host add aa:bb:cc:00:00:02 --attr 'a b=1'
reject by distro add 'a b' --kernel k --initrd i
reject by distro add ok1 --kernel 'a b' --initrd i
# a valid value in a hostile position: an option swallowed as a value
reject by host add aa:bb:cc:00:00:02 --hostname --ip
# 10 KB of a value that is otherwise fine
reject by host add aa:bb:cc:00:00:02 --attr "k=$big"
reject by distro add ok2 --kernel k --initrd i --cmdline "$big"
# template names and files
printf 'x {{hostname}}\n' >"$TEST_TMP/t.cfg"
reject by distro add ok3 --kernel k --initrd i --template "$TEST_TMP/t.cfg" \
	--template-name '../x'
reject by distro add ok3 --kernel k --initrd i --template "$TEST_TMP/t.cfg" \
	--template-name "$nl"
printf 'x {{${net0/mac}}}\n' >"$TEST_TMP/t2.cfg"
reject by distro add ok3 --kernel k --initrd i --template "$TEST_TMP/t2.cfg"
ok "$nrej hostile commands rejected with exit 2 and one line"

expect_eq "$(snapshot)" "$before" "database unchanged after every rejection"

# the messages never echo raw control characters
err=$(by host add "$nl" 2>&1)
[[ $err != *$'\n'* ]] || fail "newline echoed"
expect_contains "$err" "'web?evil'" "control characters shown as ?"

done_checks
