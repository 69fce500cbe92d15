#!/usr/bin/env bash
# https_ipxe_boot: the HTTPS boot path end to end, in a lab namespace.
#
# - `bootyard build-ipxe` (serial configuration) builds ipxe.lkrn with the
#   boot script and the appliance CA embedded; `bootyard serve --dhcp=off`
#   serves HTTP on 198.18.0.1:80 and HTTPS on 198.18.0.1:443 with the
#   appliance's server certificate; a plain dnsmasq hands out addresses
# - curl with the appliance CA gets the same scripts over HTTPS as over
#   HTTP; curl without it (or with another CA) fails verification
# - QEMU (SeaBIOS, e1000 without option ROM, -kernel ipxe.lkrn and no
#   initrd: the script can only be the embedded one) fetches its config
#   over HTTPS: the serial log shows the https:// URL fetched and the
#   access log shows the request from the client's MAC
# - an ipxe.lkrn built to trust a different CA is refused: the serial log
#   shows the TLS failure, the script's fallback runs, and the appliance
#   served no config to that MAC
# - rotation: a new server certificate under the same CA (the old one
#   deleted; build-ipxe issues a new one) is a cache hit, no rebuild, and
#   the same ipxe.lkrn still fetches its config from the restarted serve
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/integration/ipxe_lib.bash"
source "$TOP/tests/lib/lab.sh"
source "$TOP/tests/lib/qemu.sh"
ipxe_require
[[ $(id -u) == 0 ]] || skip "needs root (network namespace, tap)"
for t in qemu-system-x86_64 dnsmasq curl ss; do
	command -v "$t" >/dev/null || skip "needs $t"
done

state=$TEST_TMP/state
conf=$TEST_TMP/bootyard.conf
ipxe_conf "$conf" "$state" boot.unknown=local
mkdir -p "$state/files"
chmod 755 "$TEST_TMP"

# --- images: the appliance CA, and a different CA ---
t0=$SECONDS
timeout 1200 "$BOOTYARD" -c "$conf" build-ipxe --images ipxe.lkrn ||
	fail "build-ipxe (appliance CA) failed"
ok "ipxe.lkrn for the appliance CA ($((SECONDS - t0)) s)"
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=not the appliance CA" \
	-keyout "$TEST_TMP/other.key" -out "$TEST_TMP/other.crt" 2>/dev/null ||
	fail "openssl req failed"
t0=$SECONDS
timeout 1200 "$BOOTYARD" -c "$conf" build-ipxe --images ipxe.lkrn \
	--ca "$TEST_TMP/other.crt" --out "$TEST_TMP/other-ipxe" ||
	fail "build-ipxe (other CA) failed"
ok "ipxe.lkrn for another CA ($((SECONDS - t0)) s)"

# --- the lab: bootyard serve (HTTP + HTTPS) and a dnsmasq for DHCP ---
lab_start || fail "lab_start"
serve_pid=
serve_start() {
	lab_bg "$TEST_TMP/serve.log" "$BOOTYARD" -c "$conf" -v serve --dhcp=off
	serve_pid=$LAB_PID
	for i in $(seq 100); do
		lab_exec ss -Hltn "sport = :443" | grep -q . &&
			lab_exec ss -Hltn "sport = :80" | grep -q . && break
		kill -0 "$serve_pid" 2>/dev/null ||
			{ cat "$TEST_TMP/serve.log"; fail "serve exited"; }
		sleep 0.2
	done
	lab_exec ss -Hltn "sport = :443" | grep -q . ||
		{ cat "$TEST_TMP/serve.log"; fail "serve does not listen on :443"; }
	ok "bootyard serve listens on 198.18.0.1:80 and :443"
}
serve_start
lab_bg "$TEST_TMP/dnsmasq.log" dnsmasq --keep-in-foreground --log-facility=- \
	--conf-file=/dev/null --port=0 --user=root --interface="$LAB_BR" \
	--bind-interfaces --dhcp-range=198.18.0.100,198.18.0.199,255.255.255.0,1h \
	--dhcp-leasefile="$TEST_TMP/leases" --log-dhcp

# --- curl: same answers over HTTPS with the CA; refused without ---
# The config script is the same byte for byte; the boot script served
# over HTTPS chains the https:// config URL, else it is the same.
ca=$state/tls/ca.crt
for path in "/ipxe/v1/config?mac=52:54:00:5e:00:09" "/ipxe/v1/boot"; do
	plain=$(lab_exec curl -sS --max-time 20 "http://198.18.0.1$path") ||
		fail "curl http://198.18.0.1$path"
	tls=$(lab_exec curl -sS --max-time 20 --cacert "$ca" "https://198.18.0.1$path") ||
		fail "curl --cacert ca.crt https://198.18.0.1$path"
	expect_contains "$plain" "#!ipxe" "HTTP $path is an iPXE script"
	if [[ $path == */boot ]]; then
		expect_contains "$tls" "imgfetch --name bootyard-config https://198.18.0.1/ipxe/v1/config" \
			"HTTPS /ipxe/v1/boot fetches the HTTPS config URL"
	fi
	# the same script, but for the base URL of the listener it came from
	tls=${tls//https:\/\/198.18.0.1/http:\/\/198.18.0.1}
	expect_eq "$tls" "$plain" "HTTPS $path (appliance CA) = HTTP $path"
done
lab_exec curl -sS --max-time 20 -o /dev/null "https://198.18.0.1/ipxe/v1/boot" \
	2>"$TEST_TMP/curl.err"
expect_eq "$?" 60 "curl without the appliance CA: verification fails (60)"
expect_contains "$(cat "$TEST_TMP/curl.err")" "certificate" "curl says why"
lab_exec curl -sS --max-time 20 -o /dev/null --cacert "$TEST_TMP/other.crt" \
	"https://198.18.0.1/ipxe/v1/boot" 2>/dev/null
expect_eq "$?" 60 "curl with another CA: verification fails (60)"

# boot_lkrn NAME IMAGE MAC: SeaBIOS, -kernel IMAGE, no initrd, e1000 with
# no option ROM (iPXE uses its own driver), serial console to a file.
# The serial build prints there itself; SeaBIOS's own serial console
# (etc/sercon-port) stays off, or every character would come twice.
boot_lkrn() {
	local name=$1 image=$2 mac=$3
	lab_tap || fail "lab_tap"
	QEMU_SERIAL=$TEST_TMP/$name.serial
	: >"$QEMU_SERIAL"
	lab_bg "$TEST_TMP/$name.qemu.log" timeout 300 qemu-system-x86_64 \
		-nodefaults -machine pc,accel=tcg -m 256 -display none -vga none \
		-no-reboot -serial "file:$QEMU_SERIAL" -kernel "$image" \
		-netdev "tap,id=n0,ifname=$LAB_TAP,script=no,downscript=no" \
		-device "e1000,netdev=n0,mac=$mac,romfile="
	QEMU_PID=$LAB_PID
}

show() {
	echo "--- serial ($QEMU_SERIAL) ---"
	qemu_tail 40
	echo "--- serve log ---"
	tail -n 20 "$TEST_TMP/serve.log"
	echo "--- access log ---"
	tail -n 10 "$state/access.log"
}

# --- the appliance-CA image fetches its config over HTTPS ---
mac_ok=52:54:00:5e:01:01
t0=$SECONDS
boot_lkrn good "$state/ipxe/ipxe.lkrn" "$mac_ok"
qemu_wait "config\\?mac=$mac_ok" 150 "$state/access.log" ||
	{ show; fail "no config request from $mac_ok within 150 s"; }
ok "config requested by $mac_ok $((SECONDS - t0)) s after power-on"
# (iPXE shows the URL without its query string.)
qemu_wait 'https://198\.18\.0\.1/ipxe/v1/config\.\.\. ok' 30 ||
	{ show; fail "serial log does not show the HTTPS config fetch"; }
ok "serial log: https://198.18.0.1/ipxe/v1/config... ok"
grep -q "DHCPACK.*$mac_ok" "$TEST_TMP/dnsmasq.log" ||
	{ show; fail "dnsmasq did not ack $mac_ok"; }
ok "dnsmasq gave $mac_ok an address"
qemu_stop

# --- the other-CA image is refused ---
mac_bad=52:54:00:5e:01:02
boot_lkrn refused "$TEST_TMP/other-ipxe/ipxe.lkrn" "$mac_bad"
qemu_wait 'booting the local disk' 150 ||
	{ show; fail "the other-CA image did not give up on the appliance"; }
ok "other-CA image: the boot script fell back to the local disk"
serial=$(qemu_tail 200)
echo "$serial" | grep -E 'https://198\.18\.0\.1/ipxe/v1/config' | head -n 3
expect_contains "$serial" "https://198.18.0.1/ipxe/v1/config..." \
	"other-CA image tried the HTTPS config URL"
if echo "$serial" | grep -Eq 'https://198\.18\.0\.1/ipxe/v1/config\.\.\. ok'; then
	show
	fail "the other-CA image fetched the config"
fi
ok "the other-CA image did not fetch the config"
echo "$serial" | grep -Eq 'https://198\.18\.0\.1/ipxe/v1/config\.\.\. *(Permission denied|.*certificate|.*ipxe\.org/02)' ||
	{ show; fail "serial log shows no TLS failure"; }
ok "serial log shows the TLS failure"
if grep -q "$mac_bad" "$state/access.log"; then
	show
	fail "the appliance served a request of $mac_bad"
fi
ok "no config served to $mac_bad"
qemu_stop

# --- rotation: new server certificate, same CA, same image ---
serial_old=$(openssl x509 -in "$state/tls/server.crt" -noout -serial)
rm -f "$state/tls/server.crt" "$state/tls/server.key"
expect_exit 0 "$BOOTYARD" -c "$conf" build-ipxe --images ipxe.lkrn
expect_contains "$out" "cache hit" "new server certificate: no image rebuild"
serial_new=$(openssl x509 -in "$state/tls/server.crt" -noout -serial)
[[ $serial_new != "$serial_old" ]] || fail "server certificate not reissued"
ok "server certificate reissued ($serial_new)"
check "the new certificate is from the same CA" \
	openssl verify -CAfile "$state/ipxe/ca.crt" "$state/tls/server.crt"
lab_kill "$serve_pid"
serve_start
mac_rot=52:54:00:5e:01:03
boot_lkrn rotated "$state/ipxe/ipxe.lkrn" "$mac_rot"
qemu_wait "config\\?mac=$mac_rot" 150 "$state/access.log" ||
	{ show; fail "no config request from $mac_rot after the rotation"; }
ok "after rotation the same ipxe.lkrn fetched its config over HTTPS"
qemu_stop

done_checks
