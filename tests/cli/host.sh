#!/usr/bin/env bash
# bootyard host ...: every subcommand, human and --json output (parsed
# back with Python), HOST as any MAC form or the hostname, exit codes
# 0 / 1 (not found) / 2 (usage, validation, conflict).
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/cli/lib.bash"

# empty database: nothing stored yet, list is empty, show is not found
expect_exit 0 by host list --json
expect_eq "$(jpy 'len(d)' <<<"$out")" 0 "empty list before any write"
expect_exit 1 by host show web1
[[ ! -e $STATE/db/bootyard.db ]] || fail "a read created the database"
ok "reads do not create the database"

# add: every accepted MAC form, stored canonical
expect_exit 0 by host add AA-BB-CC-00-00-01 --hostname web1 \
	--attr rack=r1 --attr role=web
expect_contains "$out" "host 1 added: aa:bb:cc:00:00:01 (web1)" "human add"
expect_exit 0 by --json host add aabb.cc00.0002 AABBCC000003 \
	--hostname db1 --ip 198.18.0.10 --action menu --local-boot exit
j=$out
expect_eq "$(jpy 'd["id"]' <<<"$j")" 2 "json id"
expect_eq "$(jpy '",".join(d["macs"])' <<<"$j")" \
	"aa:bb:cc:00:00:02,aa:bb:cc:00:00:03" "two MACs, canonical"
expect_eq "$(jpy 'd["ip"]' <<<"$j")" "198.18.0.10" "ip"
expect_eq "$(jpy 'd["action"]' <<<"$j")" "menu" "action"
expect_eq "$(jpy 'd["local_boot"]' <<<"$j")" "exit" "local boot"
expect_eq "$(jpy 'd["distro"]' <<<"$j")" "None" "no distro is null"
expect_exit 0 by host add aa:bb:cc:00:00:04 --json
expect_eq "$(jpy 'd["hostname"]' <<<"$out")" "None" "no hostname is null"

# show by every MAC form and by name
for ref in aa:bb:cc:00:00:01 AA:BB:CC:00:00:01 aa-bb-cc-00-00-01 \
	aabb.cc00.0001 aabbcc000001 web1; do
	expect_exit 0 by host show "$ref" --json
	expect_eq "$(jpy 'd["hostname"]' <<<"$out")" web1 "show $ref"
done
expect_exit 0 by host show aa:bb:cc:00:00:03
expect_contains "$out" "hostname:    db1" "show by the second MAC"
expect_contains "$out" "local boot:  exit" "human show"

# list
expect_exit 0 by host list
expect_contains "$out" "web1" "table lists web1"
expect_contains "$out" "rack=r1,role=web" "table lists attributes"
expect_eq "$(printf '%s\n' "$out" | wc -l)" 4 "heading + 3 rows"
expect_exit 0 by host list --json
expect_eq "$(jpy '[h["id"] for h in d]' <<<"$out")" "[1, 2, 3]" "json list"
expect_eq "$(jpy 'd[0]["attrs"]' <<<"$out")" "{'rack': 'r1', 'role': 'web'}" \
	"attributes in json"

# set: change, clear, attributes
expect_exit 0 by --json host set web1 --ip 198.18.0.11 --attr rack=r2 \
	--unset-attr role --attr os=debian --local-boot grub
expect_eq "$(jpy 'd["attrs"]' <<<"$out")" "{'os': 'debian', 'rack': 'r2'}" \
	"set and unset attributes"
expect_eq "$(jpy 'd["ip"]+" "+d["local_boot"]' <<<"$out")" \
	"198.18.0.11 grub" "set ip and local boot"
expect_exit 0 by --json host set aabbcc000001 --ip "" --local-boot default \
	--hostname web1.lab.example
expect_eq "$(jpy 'd["ip"]' <<<"$out")" None "--ip '' clears"
expect_eq "$(jpy 'd["local_boot"]' <<<"$out")" None "local boot default is null"
expect_exit 0 by host set web1.lab.example --hostname web1

# install needs a distro; the distro must exist
expect_exit 2 by host set web1 --action install
expect_contains "$err" "install needs a distro" "install without distro"
expect_exit 1 by host set web1 --distro nosuch
expect_contains "$err" "distro 'nosuch': not found" "unknown distro"
expect_exit 1 by host reinstall web1 --distro nosuch
expect_exit 2 by host reinstall web1
expect_contains "$err" "no distro" "reinstall without distro"
expect_exit 0 by distro add deb12 --kernel deb12/linux --initrd deb12/initrd.gz
expect_exit 0 by --json host reinstall aa-bb-cc-00-00-01 --distro deb12
expect_eq "$(jpy 'd["action"]+" "+d["distro"]' <<<"$out")" "install deb12" \
	"reinstall flags install"
expect_exit 0 by host set db1 --distro deb12 --action install
expect_exit 2 by distro rm deb12
expect_contains "$err" "still used" "distro in use"
expect_exit 0 by --json host local web1
expect_eq "$(jpy 'd["action"]' <<<"$out")" local "host local"
expect_exit 0 by host local db1

# conflicts are exit 2 and say what is taken
expect_exit 2 by host add aa:bb:cc:00:00:02
expect_contains "$err" "aa:bb:cc:00:00:02 already belongs to host 2" "MAC taken"
expect_exit 2 by host add aa:bb:cc:00:00:09 --hostname db1
expect_contains "$err" "hostname db1 already belongs to host 2" "name taken"
expect_exit 2 by host add aa:bb:cc:00:00:09 --ip 198.18.0.10
expect_contains "$err" "198.18.0.10" "ip taken"
expect_exit 2 by host set web1 --hostname db1
expect_exit 2 by host add aa:bb:cc:00:00:09 aa-bb-cc-00-00-09
expect_contains "$err" "given twice" "same MAC twice"

# mac add / rm
expect_exit 0 by --json host mac add web1 AA-BB-CC-00-00-05
expect_eq "$(jpy 'd["macs"]' <<<"$out")" \
	"['aa:bb:cc:00:00:01', 'aa:bb:cc:00:00:05']" "mac add"
expect_exit 0 by host show aa:bb:cc:00:00:05 --json
expect_eq "$(jpy 'd["hostname"]' <<<"$out")" web1 "found by the new MAC"
expect_exit 2 by host mac add db1 aa:bb:cc:00:00:05
expect_contains "$err" "already belongs to host 1" "MAC of another host"
expect_exit 0 by host mac rm web1 aa:bb:cc:00:00:01
expect_exit 1 by host show aa:bb:cc:00:00:01
expect_exit 1 by host mac rm web1 aa:bb:cc:00:00:01
expect_exit 2 by host mac rm web1 aa:bb:cc:00:00:05
expect_contains "$err" "last MAC" "cannot remove the last MAC"
expect_exit 2 by host mac swap web1 aa:bb:cc:00:00:05
expect_exit 2 by host mac add web1
expect_exit 1 by host mac add nosuch aa:bb:cc:00:00:0a

# rm
expect_exit 0 by --json host rm aa:bb:cc:00:00:04
expect_eq "$(jpy 'd["id"]' <<<"$out")" 3 "rm prints the removed host"
expect_exit 1 by host rm aa:bb:cc:00:00:04
expect_exit 1 by host show aa:bb:cc:00:00:04
expect_exit 0 by host list --json
expect_eq "$(jpy '[h["hostname"] for h in d]' <<<"$out")" "['web1', 'db1']" \
	"two hosts left"

# limits: 8 MACs, 32 attributes per host
expect_exit 2 by host add 02:00:00:00:01:0{1,2,3,4,5,6,7,8,9}
expect_contains "$err" "at most 8 MACs" "MAC limit"
expect_exit 2 by host add 02:00:00:00:01:01 $(printf -- '--attr k%d=v ' $(seq 33))
expect_contains "$err" "more than 32 attributes" "attribute limit"
expect_exit 2 by host set web1 $(printf -- '--attr k%d=v ' $(seq 32))
expect_contains "$err" "at most 32 attributes" "attribute limit on set"

# not found vs. usage
expect_exit 1 by host show nosuch
expect_contains "$err" "not found" "not found message"
expect_exit 1 by host set 02:00:00:00:00:99 --ip 198.18.0.99
expect_exit 1 by host local nosuch
expect_exit 2 by host show
expect_exit 2 by host show web1 db1
expect_exit 2 by host show web_1
expect_contains "$err" "neither a MAC address nor a hostname" "bad HOST"
expect_exit 2 by host add
expect_exit 2 by host add not-a-mac
expect_contains "$err" "invalid MAC address 'not-a-mac'" "bad MAC"
expect_exit 2 by host add aa:bb:cc:00:00:0a --action reboot
expect_exit 2 by host add aa:bb:cc:00:00:0a --local-boot pxe
expect_exit 2 by host add aa:bb:cc:00:00:0a --attr novalue
expect_exit 2 by host add aa:bb:cc:00:00:0a --unset-attr x
expect_exit 2 by host add aa:bb:cc:00:00:0a --bogus
expect_exit 2 by host add aa:bb:cc:00:00:0a --hostname
expect_exit 2 by host frob
expect_exit 2 by host
expect_exit 2 by host list extra

# options before the subcommand, and --json/-c anywhere
expect_exit 0 "$BOOTYARD" host -c "$CONF" --json list
expect_eq "$(jpy 'len(d)' <<<"$out")" 2 "host -c FILE --json list"
expect_exit 0 "$BOOTYARD" --json host list -c "$CONF"
expect_exit 0 "$BOOTYARD" host list --json --config "$CONF"
expect_eq "$(jpy 'len(d)' <<<"$out")" 2 "options after the subcommand"

# --help on every level
expect_exit 0 by host --help
expect_contains "$out" "reinstall" "host --help lists subcommands"
for sub in add set show list rm reinstall local mac; do
	expect_exit 0 by host $sub --help
	expect_contains "$out" "usage: bootyard host $sub" "host $sub --help"
done

done_checks
