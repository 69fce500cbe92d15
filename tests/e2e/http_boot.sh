#!/usr/bin/env bash
# e2e/http_boot: UEFI HTTP Boot (x86, DHCP option 93 = 16), with no TFTP
# at any stage (issue #17). OVMF runs with its PXE entries switched off
# (fw_cfg IPv4PXESupport/IPv6PXESupport = no): its first boot entry is
# then "UEFI HTTPv4", which asks DHCP with vendor class
# HTTPClient:Arch:00016.
#   h1 dhcp mode: the offer carries http://SERVER/files/tftp/snponly.efi
#      and option 60 HTTPClient; OVMF sends HEAD then GET (user agent
#      UefiHttpBoot/1.0) and runs it. snponly.efi is bootyard-built
#      (build-ipxe, boot script embedded): its script fetches the config
#      over HTTP and never uses the tftp://.../boot.ipxe an iPXE gets in
#      its DHCP answer. The client reaches its menu; no TFTP transfer for
#      its MAC (events) nor any at all (dnsmasq's log in serve's log).
#   h2 proxy mode, beside a site DHCP server in a namespace of its own:
#      the address comes from the site, the URL from bootyard's proxy
#      offer (dhcp-pxe-vendor=PXEClient,HTTPClient); the same checks.
#   h3 HTTPS: [dhcp] http_boot_tls = yes hands an https:// URL; OVMF gets
#      the appliance CA through fw_cfg (etc/edk2/https/cacerts) and boots
#      it over TLS; snponly.efi rebuilt for https fetches the config over
#      TLS; the same checks.
# Debian's prebuilt iPXE has no embedded script: it would fetch boot.ipxe
# over TFTP after HTTP Boot (docs/dhcp.md, "UEFI HTTP Boot"), so this
# test needs an iPXE source and skips without one.
# Time: about 25 s per boot under TCG, plus the iPXE build when the
# shared cache has no snponly.efi yet (relink: seconds; first build of
# the EFI tree: minutes).
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/lib/lab.sh"
source "$TOP/tests/lib/qemu.sh"
source "$TOP/tests/e2e/appliance.bash"
source "$TOP/tests/integration/ipxe_lib.bash"

app_require --ovmf ss
ipxe_require
T_ALL=$SECONDS

check "lab namespace and bridge" lab_start
app_init
app_config
t0=$SECONDS
timeout 900 "$BOOTYARD" -c "$APP_CONF" build-ipxe --config serial \
	--images snponly.efi >"$TEST_TMP/build-ipxe.log" 2>&1 || {
	tail -n 20 "$TEST_TMP/build-ipxe.log"
	fail "bootyard build-ipxe snponly.efi failed"
}
[[ -f $APP_STATE/ipxe/snponly.efi ]] || fail "build-ipxe left no snponly.efi"
ok "snponly.efi built with the boot script embedded ($((SECONDS - t0)) s)"
app_start

# OVMF without its PXE entries: HTTPv4 is the NIC's first entry
HB=(-fw_cfg "name=opt/org.tianocore/IPv4PXESupport,string=no"
	-fw_cfg "name=opt/org.tianocore/IPv6PXESupport,string=no")

# http_boot NAME MAC BASE: boot MAC by HTTP Boot until its menu; checks
# the URL the firmware booted (BASE/files/tftp/snponly.efi), the HTTP
# accesses and that nothing went over TFTP. Prints the time from
# power-on to the config request.
http_boot() {
	local name=$1 mac=$2 base=$3 log ev t
	check "host add $mac (menu)" by host add "$mac" --hostname "$name" --action menu
	APP_T0=$SECONDS APP_MAC=$mac
	APP_ACCESS0=$(wc -l <"$APP_ACCESS")
	qemu_start "$name" uefi "$mac" "${HB[@]}" || app_fail "$name: QEMU did not start"
	app_wait_access "/ipxe/v1/config\?mac=${mac//:/(:|%3A)}" 180 ||
		app_fail "$name: no config request for $mac within 180 s"
	t=$((SECONDS - APP_T0))
	ok "$name: config requested $t s after power-on"
	# (the access log, not the console: a serial build's text can come
	# out doubled there, once from iPXE and once from the firmware)
	app_wait_access "/ipxe/v1/config\?mac=${mac//:/(:|%3A)}.* menu\$" 5 ||
		app_fail "$name: the answer was not the host's menu"
	ok "$name: the answer was the host's menu"
	qemu_stop
	expect_contains "$(qemu_tail 100000)" "URI: $base/files/tftp/snponly.efi" \
		"$name: the firmware booted $base/files/tftp/snponly.efi"
	log=$(tail -n "+$((APP_ACCESS0 + 1))" "$APP_ACCESS")
	expect_contains "$log" '"HEAD /files/tftp/snponly.efi" 200' \
		"$name: the firmware asked for the loader's size (HEAD)"
	expect_contains "$log" '"GET /files/tftp/snponly.efi" 200' \
		"$name: and fetched it over HTTP"
	# (${buildarch} in the config URL: only iPXE expands it)
	expect_contains "$log" "&buildarch=x86_64\"" "$name: iPXE asked for the config"
	ev=$(app_events "$mac")
	echo "$ev"
	expect_contains "$ev" "config" "$name: events: the config decision"
	[[ $ev != *tftp* ]] || fail "$name: a TFTP event for $mac"
	ok "$name: no TFTP event for $mac"
	if grep -E "dnsmasq-tftp.*(sent |not found|failed|error)" "$APP_LOG"; then
		fail "$name: dnsmasq sent or refused a TFTP file"
	fi
	ok "$name: dnsmasq transferred nothing over TFTP"
	echo "timing: $name: power-on to config $t s"
}

# ---- h1: dhcp mode -------------------------------------------------------
http_boot hb-dhcp 52:54:00:c9:16:01 "http://$LAB_ADDR"

# ---- h2: proxy mode beside a site DHCP server -----------------------------
# The site server: its own namespace on a veth into the lab's bridge.
SITE_NS=bysite-$LAB_SFX
ip netns add "$SITE_NS" || fail "site namespace"
on_exit "ip netns delete $SITE_NS 2>/dev/null"
ip -n "$LAB_NS" link add "byp$LAB_SFX" type veth peer name "bys$LAB_SFX" \
	netns "$SITE_NS" || fail "site veth"
lab_exec ip link set "byp$LAB_SFX" master "$LAB_BR" up
ip -n "$SITE_NS" link set lo up
ip -n "$SITE_NS" addr add 198.18.0.2/24 dev "bys$LAB_SFX"
ip -n "$SITE_NS" link set "bys$LAB_SFX" up
ip netns exec "$SITE_NS" dnsmasq --keep-in-foreground --conf-file=/dev/null \
	--port=0 --interface="bys$LAB_SFX" --bind-interfaces --pid-file= --user=root \
	--dhcp-range=198.18.0.60,198.18.0.90,1h --leasefile-ro --no-ping \
	--log-dhcp --log-facility="$TEST_TMP/site.log" </dev/null &
SITE_PID=$!
on_exit "kill $SITE_PID 2>/dev/null"
app_restart dhcp.mode=proxy
http_boot hb-proxy 52:54:00:c9:16:02 "http://$LAB_ADDR"
expect_contains "$(cat "$TEST_TMP/site.log")" "DHCPACK(bys$LAB_SFX) 198.18.0." \
	"h2: the site server gave the address"
expect_contains "$(grep -i 'PXE(' "$APP_LOG")" "proxy" "h2: bootyard answered as proxy"
kill "$SITE_PID" 2>/dev/null
wait "$SITE_PID" 2>/dev/null

# ---- h3: HTTPS HTTP Boot: the firmware trusts the appliance CA -------------
# [dhcp] http_boot_tls = yes: the URL is https:// on the TLS listener.
# OVMF reads its TLS CA list (the TlsCaCertificate variable) from fw_cfg
# etc/edk2/https/cacerts: an EFI_SIGNATURE_LIST of X.509 certificates
# (what `p11-kit extract --format=edk2-cacerts` writes), here the
# appliance CA's alone. The built snponly.efi embeds the CA and an
# https:// script (build-ipxe with tls_listen).
app_stop
app_config http.tls_listen=$LAB_ADDR:443 dhcp.http_boot_tls=yes
t0=$SECONDS
timeout 900 "$BOOTYARD" -c "$APP_CONF" build-ipxe --config serial \
	--images snponly.efi >"$TEST_TMP/build-ipxe-tls.log" 2>&1 || {
	tail -n 20 "$TEST_TMP/build-ipxe-tls.log"
	fail "bootyard build-ipxe snponly.efi (https) failed"
}
ok "snponly.efi rebuilt for https with the appliance CA ($((SECONDS - t0)) s)"
python3 - "$APP_STATE/tls/ca.crt" "$TEST_TMP/cacerts.esl" <<'PY' || fail "EFI_SIGNATURE_LIST"
import base64, re, struct, sys, uuid
pem = open(sys.argv[1]).read()
der = base64.b64decode(re.search(
    r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", pem, re.S).group(1))
cert_x509 = uuid.UUID("a5c059a1-94e4-4aa7-87b5-ab155c2bf072").bytes_le
owner = uuid.UUID("6b4f1a2e-0c7d-4e55-9a31-b0075a4d0001").bytes_le
data = owner + der  # EFI_SIGNATURE_DATA
open(sys.argv[2], "wb").write(cert_x509 + struct.pack(
    "<III", 28 + len(data), 0, len(data)) + data)
PY
app_start
HB+=(-fw_cfg "name=etc/edk2/https/cacerts,file=$TEST_TMP/cacerts.esl")
http_boot hb-https 52:54:00:c9:16:03 "https://$LAB_ADDR"

app_stop
echo "http_boot: $((SECONDS - T_ALL)) s in all"
done_checks
