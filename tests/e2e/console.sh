#!/usr/bin/env bash
# e2e/console: the web console in a real browser (Debian's chromium,
# headless, puppeteer-core from npm with the system browser) against a
# running `bootyard serve` in a lab namespace, with two QEMU boots:
#   - sign-in: a wrong token fails, the right one works (HttpOnly,
#     SameSite=Strict cookie); without the session or with a wrong CSRF
#     token the API changes nothing; CSP and X-Frame-Options sent;
#   - an unknown MAC whose DHCP vendor class is <img src=x onerror=...>
#     (recorded by the real lease hook, as dnsmasq runs it) shows as that
#     text, and no script runs;
#   - clicking "reinstall" with a distribution flags the host; a real
#     BIOS client then boots while the fleet page is open: its row moves
#     through the stages live (SSE, no reload), the stand-in installer
#     calls back, the page shows the host back on local boot;
#   - a client whose boot file is missing from the TFTP tree is shown as
#     "asked TFTP for boot.ipxe: not found";
#   - screenshots of each page, kept as artefacts in $BOOTYARD_ARTEFACTS
#     (default BUILD/test-artefacts/console).
# puppeteer-core is installed once into /var/cache/bootyard/npm
# (PUPPETEER_SKIP_DOWNLOAD: no browser download); re-runs need no network.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/lib/lab.sh"
source "$TOP/tests/lib/qemu.sh"
source "$TOP/tests/e2e/appliance.bash"

app_require python3 ss cpio
[[ -x /usr/bin/chromium ]] || skip "no /usr/bin/chromium (apt-get install chromium)"
command -v node >/dev/null || skip "no node"
NPM_DIR=${BOOTYARD_NPM_CACHE:-/var/cache/bootyard/npm}
export NPM_DIR
if [[ ! -d $NPM_DIR/node_modules/puppeteer-core ]]; then
	command -v npm >/dev/null || skip "no npm to install puppeteer-core"
	mkdir -p "$NPM_DIR"
	[[ -f $NPM_DIR/package.json ]] ||
		echo '{"name":"bootyard-e2e","private":true}' >"$NPM_DIR/package.json"
	(cd "$NPM_DIR" && PUPPETEER_SKIP_DOWNLOAD=1 npm install --no-audit --no-fund \
		puppeteer-core >/dev/null 2>&1) ||
		skip "cannot install puppeteer-core from npm (offline?)"
fi
T0=$SECONDS

check "lab namespace and bridge" lab_start
app_init
token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$token" >"$TEST_TMP/admin.token"
chmod 600 "$TEST_TMP/admin.token"
app_config admin.listen=$LAB_ADDR:8080 admin.token_file=$TEST_TMP/admin.token

app_standin_distro standin
mac=52:54:00:c0:01:01
xss=52:54:00:c0:01:66
broken=52:54:00:c0:01:02
check "host add" by host add $mac --hostname web1 --distro standin
# a Wake-on-LAN host for the power buttons (no BMC needed)
pwmac=52:54:00:c0:01:77
check "host add (power wol)" by host add $pwmac --hostname pw1
check "host set --power wol" by host set pw1 --power wol
# a Debian netboot tree under files_dir for the page's import form
src=$APP_FILES/incoming/netboot
mkdir -p "$src/debian-installer/amd64"
head -c 200000 /dev/urandom >"$src/debian-installer/amd64/linux"
head -c 300000 /dev/urandom >"$src/debian-installer/amd64/initrd.gz"
printf 'Debian version:  12 (bookworm)\n' >"$src/version.info"
# the hostile unknown MAC, through the real lease hook
check "lease hook records a hostile vendor class" env BOOTYARD_CONFIG="$APP_CONF" \
	DNSMASQ_VENDOR_CLASS='<img src=x onerror=alert(1)>' \
	"$(dirname "$BOOTYARD")/bootyard-lease" add $xss 198.18.0.166
app_start
for _ in $(seq 50); do app_listening tcp 8080 && break; sleep 0.2; done

dir=$TEST_TMP/browser
mkdir -p "$dir"
lab_bg "$TEST_TMP/browser.log" node "$TOP/tests/e2e/console.mjs" \
	"http://$LAB_ADDR:8080" "$token" $mac $xss $broken "$dir" $pwmac "$src"
NODE_PID=$LAB_PID
wait_for() { # FILE SECONDS
	local end=$((SECONDS + $2))
	until [[ -e $dir/$1 ]]; do
		kill -0 "$NODE_PID" 2>/dev/null || { cat "$TEST_TMP/browser.log"; fail "browser test ended early"; }
		((SECONDS < end)) || { cat "$TEST_TMP/browser.log"; fail "browser test: no $1 within $2 s"; }
		sleep 0.2
	done
}

# ---- the install boot, with the fleet page open ---------------------
wait_for ready-boot 60
QEMU_NIC=virtio-net-pci
app_boot console-install bios $mac "INSTALLER: started" 150
qemu_wait_exit 60 || app_fail "the installer did not power off"
touch "$dir/boot-done"

# ---- the broken boot: boot.ipxe gone from the TFTP tree ------------
wait_for ready-missing 120
rm -f "$APP_STATE/tftp/boot.ipxe"
QEMU_NIC=e1000
qemu_start console-broken bios $broken || app_fail "broken client did not start"
end=$((SECONDS + 60))
until by events $broken | grep -q tftp-not-found; do
	((SECONDS < end)) || app_fail "no tftp-not-found for the broken client"
	sleep 1
done
sleep 3.5 # the diagnosis waits 3 s for a later fetch
qemu_stop
touch "$dir/missing-done"

end=$((SECONDS + 60))
while kill -0 "$NODE_PID" 2>/dev/null && ((SECONDS < end)); do sleep 0.5; done
cat "$TEST_TMP/browser.log"
wait "$NODE_PID" 2>/dev/null
[[ -e $dir/power-clicked ]] || fail "the browser never pressed Power on"
expect_contains "$(by events $pwmac)" "power" "the console's power action is in the host's timeline"
check "the import from the page made the distribution" by distro show deb12
grep -q '^FAIL' "$TEST_TMP/browser.log" && fail "browser checks failed"
grep -q 'unknown MAC adopted' "$TEST_TMP/browser.log" || fail "browser test did not finish"
ok "browser checks passed"
art=${BOOTYARD_ARTEFACTS:-$BUILD/test-artefacts/console}
mkdir -p "$art" && cp "$dir"/*.png "$art"/
echo "screenshots: $art"
ls "$art"
echo "console test: $((SECONDS - T0)) s"
app_stop
done_checks
