#!/usr/bin/env bash
# http_boot_auth - no unauthenticated request changes what another machine
# boots next (issue #16, defects 3 and 7), against a real `bootyard serve`
# on loopback in [dhcp] mode = dhcp, with leases recorded by the real
# bootyard-lease hook (dnsmasq's arguments and DNSMASQ_* environment) and
# requests sent from chosen loopback source addresses (curl --interface):
#
# - defect 7: a flagged host's installer holds a token; three config
#   requests for its MAC from an address that is not leased to it are
#   refused (403, a script that boots the local disk): no attempt spent,
#   the token still fetches the install file, done still ends the install
#   (host -> local)
# - defect 3: choice=install for a menu host from a non-leased address is
#   refused: the host stays menu, its next plain boot gets the menu; for
#   an unknown MAC no host is created
# - from the leased address the choice installs that boot only: the
#   script has a one-boot token, the host's action and attempts stay, the
#   next plain config request is the menu again; the token fetches the
#   install file (from any address) and done ends it without flagging
#   or unflagging the host; an unknown MAC's choice creates no host
# - a lease that expired or was released verifies nothing
# - [dhcp] mode = proxy (no leases seen): a flagged host installs from any
#   address (the admin flagged it); a menu choice to install is refused
#   and the menu offers no install, unless [boot] menu_install = yes
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/integration/http_lib.bash"

LEASED=127.0.0.2 # the flagged machine's lease
OTHER=127.0.0.3  # an address leased to nobody
MENUIP=127.0.0.4 # the menu machine's lease
UNKIP=127.0.0.5  # an unknown machine's lease
HTTP_DHCP_MODE=dhcp http_start

# from ADDR URL [CURL ARGS...]: request URL from source address ADDR;
# status in $st, body in $out.
from() {
	local addr=$1 url=$2
	shift 2
	st=$(curl -s --interface "$addr" --max-time 10 -o "$TEST_TMP/.out" \
		-w '%{http_code}' "$@" "$url")
	out=$(cat "$TEST_TMP/.out")
}

# lease OP MAC IP [EXPIRES]: what dnsmasq's --dhcp-script gets for a lease.
lease() {
	BOOTYARD_DB=$STATE/db/bootyard.db DNSMASQ_LEASE_EXPIRES=${4:-$(($(date +%s) + 3600))} \
		"$BOOTYARD_LEASE" "$1" "$2" "$3" ||
		fail "bootyard-lease $1 $2 $3"
}

# field NAME KEY: a string or number field of host NAME (admin API).
field() {
	api GET "/api/v1/hosts/$1"
	[[ $status == 200 ]] || fail "GET host $1: $status $body"
	[[ $body =~ \"$2\":\"?([^\",]*) ]] || fail "no $2 in: $body"
	echo "${BASH_REMATCH[1]}"
}

# nhosts: how many hosts there are (admin API).
nhosts() {
	api GET /api/v1/hosts
	grep -o '"macs":' <<<"$body" | wc -l
}

# ---- a distribution, a flagged host, a menu host -------------------------
head -c 1000 /dev/urandom >"$STATE/files/debian12/linux"
head -c 1000 /dev/urandom >"$STATE/files/debian12/initrd.gz"
printf 'd-i netcfg/get_hostname string {{hostname}}\n# mac {{mac}} distro {{distro}}\n' >"$TEST_TMP/preseed.cfg"
check "distro add" "$BOOTYARD" -c "$CONF" distro add debian12 --kernel debian12/linux \
	--initrd debian12/initrd.gz --template "$TEST_TMP/preseed.cfg" --template-name preseed.cfg
MF=52:54:00:b0:00:01 # flagged
MM=52:54:00:b0:00:02 # menu
MU=52:54:00:b0:00:03 # unknown, leased
MX=52:54:00:b0:00:04 # unknown, never leased
api_expect 201 "host flagged for install" POST /api/v1/hosts "{\"mac\":\"$MF\",\"hostname\":\"flagged\",\"action\":\"install\",\"distro\":\"debian12\"}"
api_expect 201 "host on the menu" POST /api/v1/hosts "{\"mac\":\"$MM\",\"hostname\":\"menuhost\",\"action\":\"menu\"}"
lease add $MF $LEASED
lease add $MM $MENUIP
lease add $MU $UNKIP

# ---- defect 7: the installer's token survives requests from elsewhere ----
from $LEASED "$BOOT/ipxe/v1/config?mac=$MF&platform=pcbios"
expect_eq "$st" 200 "flagged host from its leased address: 200"
expect_contains "$out" "install reason=flagged" "flagged host from its leased address installs"
tok=$(grep -o 'bootyard.token=[0-9a-f]*' <<<"$out" | cut -d= -f2)
expect_eq "${#tok}" 32 "its install token"
expect_eq "$(field flagged attempts)" 1 "one attempt spent by the machine itself"
for i in 1 2 3; do
	from $OTHER "$BOOT/ipxe/v1/config?mac=$MF&platform=pcbios"
	expect_eq "$st" 403 "request $i for the flagged MAC from a non-leased address: refused"
	expect_contains "$out" "#!ipxe" "refused with a script"
	[[ $out != *bootyard.token=* ]] || fail "a token was handed to a non-leased address"
	ok "no token handed out"
done
expect_eq "$(field flagged action)" install "host still flagged"
expect_eq "$(field flagged attempts)" 1 "no attempt spent from elsewhere"
from $OTHER "$BOOT/ipxe/v1/install/$tok/preseed.cfg"
expect_eq "$st" 200 "the installer's token still fetches its file (from any address)"
expect_contains "$out" "get_hostname string flagged" "install file rendered for the host"
from $OTHER "$BOOT/ipxe/v1/done?token=$tok" -X POST
expect_eq "$st" 200 "the installer's done still works"
expect_eq "$(field flagged action)" local "done: host local"
api GET "/api/v1/events?mac=$MF"
expect_contains "$body" "address-not-leased" "the refusals are events"

# ---- defect 3: a forged menu choice flags nothing --------------------------
from $OTHER "$BOOT/ipxe/v1/config?mac=$MM&platform=efi&choice=install&distro=debian12"
expect_eq "$st" 403 "choice=install for a menu host from a non-leased address: refused"
[[ $out != *bootyard.token=* ]] || fail "a token was handed to a non-leased address"
ok "no install script for the forged choice"
expect_eq "$(field menuhost action)" menu "host still on the menu"
from $MENUIP "$BOOT/ipxe/v1/config?mac=$MM&platform=efi"
expect_eq "$st" 200 "the menu host's next boot: 200"
expect_contains "$out" "menu reason=host-menu" "the menu host's next boot is the menu, not an install"
n0=$(nhosts)
from $OTHER "$BOOT/ipxe/v1/config?mac=$MX&platform=efi&choice=install&distro=debian12"
expect_eq "$st" 403 "choice=install for an unknown MAC from a non-leased address: refused"
from $OTHER "$BOOT/ipxe/v1/config?mac=$MU&platform=efi&choice=install&distro=debian12"
expect_eq "$st" 403 "choice=install for a leased unknown MAC from another address: refused"
expect_eq "$(nhosts)" "$n0" "no host created"
from $MENUIP "$BOOT/ipxe/v1/config?mac=$MX&platform=efi&choice=install&distro=debian12"
expect_eq "$st" 403 "an address leased to another MAC verifies nothing"

# ---- from the leased address: that boot only -----------------------------
from $MENUIP "$BOOT/ipxe/v1/config?mac=$MM&platform=efi&choice=install&distro=debian12"
expect_eq "$st" 200 "choice=install from the menu host's leased address: 200"
expect_contains "$out" "install reason=menu-choice" "the choice installs this boot"
tok2=$(grep -o 'bootyard.token=[0-9a-f]*' <<<"$out" | cut -d= -f2)
expect_eq "${#tok2}" 32 "a one-boot token"
expect_eq "$(field menuhost action)" menu "the host's action is unchanged"
expect_eq "$(field menuhost attempts)" 0 "no attempt spent"
from $MENUIP "$BOOT/ipxe/v1/config?mac=$MM&platform=efi"
expect_contains "$out" "menu reason=host-menu" "the next plain boot gets the menu, no install"
from $OTHER "$BOOT/ipxe/v1/install/$tok2/preseed.cfg"
expect_eq "$st" 200 "the one-boot token fetches the install file"
expect_contains "$out" "get_hostname string menuhost" "rendered for the host"
expect_contains "$out" "distro debian12" "of the chosen distribution"
from $OTHER "$BOOT/ipxe/v1/done?token=$tok2"
expect_eq "$st" 200 "done with the one-boot token"
expect_eq "$(field menuhost action)" menu "done leaves the host's action as it was"
expect_eq "$(code "$BOOT/ipxe/v1/done?token=$tok2")" 410 "the one-boot token is used up"
expect_eq "$(code "$BOOT/ipxe/v1/install/$tok2/preseed.cfg")" 410 "and fetches nothing more"
# a flagged host keeps its flag: a choice from its menu is not possible,
# and its own config request is the flagged install
api POST /api/v1/hosts/flagged/reinstall '{}'
from $LEASED "$BOOT/ipxe/v1/config?mac=$MF&platform=pcbios&choice=install&distro=debian12"
expect_contains "$out" "install reason=flagged" "a choice on a flagged host is its flagged install"
api POST /api/v1/hosts/flagged/local
# an unknown machine, from its own lease: installs, creates no host
from $UNKIP "$BOOT/ipxe/v1/config?mac=$MU&platform=efi&choice=install&distro=debian12"
expect_eq "$st" 200 "an unknown MAC's choice from its leased address: 200"
expect_contains "$out" "install reason=menu-choice" "it installs this boot"
tok3=$(grep -o 'bootyard.token=[0-9a-f]*' <<<"$out" | cut -d= -f2)
expect_eq "$(nhosts)" "$n0" "no host created"
from $UNKIP "$BOOT/ipxe/v1/install/$tok3/preseed.cfg"
expect_contains "$out" "# mac $MU distro debian12" "install file for the unknown MAC"
expect_eq "$(code "$BOOT/ipxe/v1/done?token=$tok3")" 200 "its done"
from $UNKIP "$BOOT/ipxe/v1/config?mac=$MU&platform=efi"
expect_contains "$out" "menu reason=unknown-mac" "then it is an unknown MAC again"

# ---- leases that no longer hold ------------------------------------------
api POST /api/v1/hosts/flagged/reinstall '{}'
lease old $MF $LEASED $(($(date +%s) - 10))
from $LEASED "$BOOT/ipxe/v1/config?mac=$MF&platform=pcbios"
expect_eq "$st" 403 "an expired lease verifies nothing"
lease add $MF $LEASED
lease del $MF $LEASED
from $LEASED "$BOOT/ipxe/v1/config?mac=$MF&platform=pcbios"
expect_eq "$st" 403 "a released lease verifies nothing"
expect_eq "$(field flagged attempts)" 0 "and nothing was spent"
lease add $MF $LEASED
from $LEASED "$BOOT/ipxe/v1/config?mac=$MF&platform=pcbios"
expect_contains "$out" "install reason=flagged" "leased again: installs"
check "server still serving" server_alive
http_stop_checked

# ---- proxy mode: no leases seen ------------------------------------------
HTTP_DHCP_MODE=proxy http_start
api POST /api/v1/hosts/flagged/reinstall '{}'
from $OTHER "$BOOT/ipxe/v1/config?mac=$MF&platform=pcbios"
expect_contains "$out" "install reason=flagged" "proxy mode: a flagged host installs (the admin flagged it)"
from $MENUIP "$BOOT/ipxe/v1/config?mac=$MM&platform=efi"
expect_contains "$out" "menu reason=host-menu" "proxy mode: the menu"
[[ $out != *"Reinstall debian12"* ]] || fail "proxy mode: the menu offers an install it would refuse"
ok "proxy mode: the menu offers no install"
from $MENUIP "$BOOT/ipxe/v1/config?mac=$MM&platform=efi&choice=install&distro=debian12"
expect_eq "$st" 403 "proxy mode: a menu choice to install is refused"
expect_eq "$(field menuhost action)" menu "proxy mode: the host stays on the menu"
http_stop_checked
HTTP_DHCP_MODE=proxy HTTP_EXTRA_BOOT="menu_install = yes" http_start
from $OTHER "$BOOT/ipxe/v1/config?mac=$MM&platform=efi"
expect_contains "$out" "Reinstall debian12" "proxy mode, menu_install = yes: the menu offers the install"
from $OTHER "$BOOT/ipxe/v1/config?mac=$MM&platform=efi&choice=install&distro=debian12"
expect_contains "$out" "install reason=menu-choice" "proxy mode, menu_install = yes: the choice installs"
expect_eq "$(field menuhost action)" menu "that boot only: the host stays on the menu"
from $OTHER "$BOOT/ipxe/v1/config?mac=$MM&platform=efi"
expect_contains "$out" "menu reason=host-menu" "its next boot is the menu"
http_stop_checked
done_checks
