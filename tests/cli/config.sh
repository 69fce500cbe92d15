#!/usr/bin/env bash
# check-config: "configuration OK", errors naming FILE:LINE: [section] key
# with exit 2, -c before or after the command, --help; a bad config file
# stops every other command with exit 2 too.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/cli/lib.bash"

good=$TEST_TMP/good.conf
cat >"$good" <<CONF
; a full configuration
[appliance]
state_dir = $STATE
interface = auto
server_address = 198.18.0.1
[dhcp]
mode = proxy
range = 198.18.0.100,198.18.0.200
lease_time = 30m
uefi_loader = snponly
[http]
listen = 0.0.0.0:8080
tls_listen = off
[admin]
listen = 127.0.0.1:9080
[boot]
unknown = menu
local_efi = grub
CONF

expect_exit 0 "$BOOTYARD" check-config -c "$good"
expect_eq "$out" "configuration OK" "good file"
expect_exit 0 "$BOOTYARD" -c "$good" check-config
expect_eq "$out" "configuration OK" "-c before the command"
expect_exit 0 "$BOOTYARD" check-config --config "$good"
expect_exit 0 "$BOOTYARD" check-config --config="$good"

# the annotated example in docs/ must itself be a valid configuration
expect_exit 0 "$BOOTYARD" check-config -c "$TOP/docs/bootyard.conf"
expect_eq "$out" "configuration OK" "docs/bootyard.conf is valid"

bad=$TEST_TMP/bad.conf
printf '[appliance]\nstate_dir = %s\n\n[dhcp]\nlease_time = 1 hour\n' \
	"$STATE" >"$bad"
expect_exit 2 "$BOOTYARD" check-config -c "$bad"
expect_eq "$out" "" "nothing on stdout"
expect_eq "$err" "$bad:5: [dhcp] lease_time: not a duration (like 3600, 45s, 30m, 1h, 2d or 1h30m)" \
	"bad duration names file, line, key"
expect_eq "$(printf '%s\n' "$err" | wc -l)" 1 "one line"

printf '[dhcp]\nmode = dhcp\n[tftp]\nroot = /x\n' >"$bad"
expect_exit 2 "$BOOTYARD" check-config -c "$bad"
expect_contains "$err" "$bad:3: [tftp]: unknown section" "unknown section"

printf '[http]\nlisten = 0.0.0.0:80\nport = 80\n' >"$bad"
expect_exit 2 "$BOOTYARD" check-config -c "$bad"
expect_eq "$err" "$bad:3: [http] port: unknown key" "unknown key"

printf '[http]\nlisten = 0.0.0.0:99999\n' >"$bad"
expect_exit 2 "$BOOTYARD" check-config -c "$bad"
expect_eq "$err" "$bad:2: [http] listen: port must be a number from 1 to 65535" \
	"bad ADDRESS:PORT"

printf '[boot]\nunknown = install\n' >"$bad"
expect_exit 2 "$BOOTYARD" check-config -c "$bad"
expect_eq "$err" "$bad:2: [boot] unknown: expected one of menu, local" \
	"bad enum value"

expect_exit 2 "$BOOTYARD" check-config -c "$TEST_TMP/missing.conf"
expect_eq "$err" "$TEST_TMP/missing.conf: cannot read: No such file or directory" \
	"missing file"

# every other command refuses a bad configuration the same way
printf '[dhcp]\nmode = relay\n' >"$bad"
expect_exit 2 "$BOOTYARD" -c "$bad" host list
expect_contains "$err" "$bad:2: [dhcp] mode: expected one of dhcp, proxy, off" \
	"host list with a bad config"
expect_exit 2 "$BOOTYARD" host list -c "$bad"
expect_exit 2 "$BOOTYARD" -c "$TEST_TMP/missing.conf" host list

# serve with no configuration file at all refuses (its defaults would
# answer DHCP on the first interface). Run in a network namespace of its
# own with only a loopback, so that a regression cannot reach a network.
if [[ -e /etc/bootyard/bootyard.conf ]]; then
	echo "# skip: /etc/bootyard/bootyard.conf exists here"
elif [[ $(id -u) == 0 ]] && unshare -n true 2>/dev/null; then
	expect_exit 2 unshare -n timeout 10 "$BOOTYARD" serve
	expect_contains "$err" "no configuration file /etc/bootyard/bootyard.conf" \
		"serve without a configuration file refuses to start"
fi

# usage errors and help
expect_exit 2 "$BOOTYARD" check-config --frobnicate
expect_contains "$err" "unknown option" "unknown option"
expect_exit 2 "$BOOTYARD" check-config -c
expect_contains "$err" "needs a value" "-c without a file"
expect_exit 2 "$BOOTYARD" check-config extra-arg
expect_exit 0 "$BOOTYARD" check-config --help
expect_contains "$out" "usage: bootyard check-config" "check-config --help"
expect_exit 0 "$BOOTYARD" --help
expect_contains "$out" "check-config" "top-level --help lists commands"
expect_exit 2 "$BOOTYARD"
expect_exit 2 "$BOOTYARD" no-such-command

done_checks
