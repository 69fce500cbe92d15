#!/usr/bin/env bash
# e2e/container_pxe: the container image (make image-container) run with
# podman in a lab network namespace, the way docs/deploy.md says
# (--network host there; here the lab namespace stands for the host's
# network: --network ns:/run/netns/LAB), configured from the environment:
#   - the entrypoint's generated config is used, bootyard serve is PID 1
#   - /ipxe/v1/boot answers on the lab address
#   - the admin API wants the token given in BOOTYARD_ADMIN_TOKEN
#   - the database lands in the state volume (in db/), the volume is
#     root's, dnsmasq and the HTTP service run as the bootyard user
#   - the CLI works through podman exec (a host is added)
#   - a QEMU BIOS client PXE-boots through the container's dnsmasq to the
#     config URL and gets that host's menu
#   - podman stop ends it cleanly (SIGTERM to PID 1, exit 0)
# About 1 minute when the image is cached (first run: + the base).
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/lib/lab.sh"
source "$TOP/tests/lib/qemu.sh"
source "$TOP/tests/lib/image.sh"

image_require_deb
command -v podman >/dev/null || skip "no podman (apt-get install podman runc)"
command -v runc >/dev/null || skip "no runc (apt-get install runc)"
command -v "$QEMU" >/dev/null || skip "no $QEMU (make deps)"
command -v curl >/dev/null || skip "no curl (make deps)"
podman=(podman --runtime runc --cgroup-manager=cgroupfs)
export PODMAN="${podman[*]}"
# Containers get RLIMIT_NOFILE/NPROC set by runc; where the host lacks
# CAP_SYS_RESOURCE (these build machines) only lowering them works.
limits=(--ulimit nofile=4096:4096 --ulimit nproc=4096:4096)

t0=$SECONDS
image=$("$TOP/image/container/build.sh" "$BUILD")
rc=$?
((rc == 77)) && skip "image-container cannot be built here"
((rc == 0)) || fail "make image-container failed"
ok "image $image built in $((SECONDS - t0)) s"

check "lab namespace and bridge" lab_start
name=bootyard-test-$LAB_SFX
state=$TEST_TMP/state
mkdir -p "$state"
token=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
check "podman run" "${podman[@]}" run -d --name "$name" \
	--network "ns:/run/netns/$LAB_NS" --cap-add NET_ADMIN,NET_RAW \
	"${limits[@]}" -v "$state:/var/lib/bootyard" \
	-e BOOTYARD_APPLIANCE_INTERFACE="$LAB_BR" \
	-e BOOTYARD_DHCP_RANGE=198.18.0.100,198.18.0.150 \
	-e BOOTYARD_BOOT_MENU_TIMEOUT=30 \
	-e BOOTYARD_ADMIN_TOKEN="$token" "$image"
on_exit "${podman[*]} rm -f -t 2 $name >/dev/null 2>&1"

boot_ok() { lab_exec curl -fsS -m 2 "http://$LAB_ADDR/ipxe/v1/boot" >/dev/null; }
for i in $(seq 60); do boot_ok && break; sleep 0.5; done
logs() { "${podman[@]}" logs "$name" 2>&1 | tail -n 40; }
boot_ok || { logs; fail "no HTTP on $LAB_ADDR:80 within 30 s"; }
ok "the container serves HTTP on the lab address"
body=$(lab_exec curl -fsS -m 5 "http://$LAB_ADDR/ipxe/v1/boot")
expect_contains "$body" "#!ipxe" "/ipxe/v1/boot is an iPXE script"
expect_contains "$body" "http://$LAB_ADDR/ipxe/v1/config?mac=" \
	"the boot script chains the config URL"

"${podman[@]}" top "$name" pid user args
pid1=$("${podman[@]}" exec "$name" cat /proc/1/cmdline | tr '\0' ' ')
expect_eq "$pid1" "/usr/sbin/bootyard -c /run/bootyard/bootyard.conf serve " \
	"bootyard serve is PID 1"
conf=$("${podman[@]}" exec "$name" cat /run/bootyard/bootyard.conf)
expect_contains "$conf" "interface = $LAB_BR" "config from the environment"

code=$(lab_exec curl -sS -m 5 -o /dev/null -w '%{http_code}' \
	http://127.0.0.1:9080/api/v1/hosts)
expect_eq "$code" 401 "admin API without the token"
code=$(lab_exec curl -sS -m 5 -o /dev/null -w '%{http_code}' \
	-H "Authorization: Bearer $token" http://127.0.0.1:9080/api/v1/hosts)
expect_eq "$code" 200 "admin API with BOOTYARD_ADMIN_TOKEN"
check "database in the state volume" test -s "$state/db/bootyard.db"
# the trust boundary (docs/deploy.md): dnsmasq and the HTTP service as
# the service user, the state volume root's, the user writing only db/
procs=$("${podman[@]}" exec "$name" sh -c 'for p in /proc/[0-9]*; do
	[ -r "$p/cmdline" ] || continue
	echo "$(stat -c %U "$p") $(tr "\0" " " <"$p/cmdline")"; done')
echo "$procs"
expect_contains "$(grep -m1 ' /usr/sbin/dnsmasq ' <<<"$procs")" "bootyard " \
	"dnsmasq runs as bootyard"
expect_eq "$(grep -c '^bootyard /usr/sbin/bootyard .* serve' <<<"$procs")" 1 \
	"the HTTP service runs as bootyard"
expect_eq "$(stat -c '%u %a' "$state") $(stat -c '%u %a' "$state/db")" \
	"0 755 0 2770" "the state volume is root's, db/ root's (group-writable)"

mac=52:54:00:c7:00:01
byc() { "${podman[@]}" exec "$name" bootyard -c /run/bootyard/bootyard.conf "$@"; }
check "host add through podman exec" byc host add $mac --hostname ctr-bios \
	--action menu

if lab_exec ss -H -lun 'sport = :67' | grep -q .; then
	qemu_start ctr-bios bios $mac || fail "qemu did not start"
	if ! qemu_wait "bootyard: $mac ctr-bios" 120; then
		qemu_tail 30
		logs
		fail "the client did not reach its config through the container"
	fi
	ok "BIOS client PXE-booted through the container to its config"
	qemu_stop
	expect_contains "$(byc leases)" "$mac" "the container recorded the lease"
else
	logs
	fail "no DHCP listener (port 67) in the lab after start"
fi

check "podman stop" "${podman[@]}" stop -t 10 "$name"
rc=$("${podman[@]}" inspect -f '{{.State.ExitCode}}' "$name")
expect_eq "$rc" 0 "bootyard (PID 1) exits 0 on SIGTERM"
done_checks
