#!/usr/bin/env bash
# tests/e2e/demo/demo.sh [stop] - `make demo` and `make demo-stop`.
#
# The appliance in an isolated lab: a network namespace with a bridge at
# 198.18.0.1/24 (no real interface is touched), `bootyard serve` on it
# with a configuration written here, a demo database (one distribution:
# Debian's cloud kernel with the busybox stand-in installer; one host
# flagged for install; unknown machines get the menu), and one QEMU client
# (SeaBIOS + iPXE ROM) booted through the full install-once cycle: it
# installs, powers off, boots again and is sent to its local disk. Then
# the boot timeline (`bootyard events MAC`).
#
# Everything lives in lab/demo/ of the source tree (or, when the tree is
# out of an unprivileged user's reach, like a clone in /root, in
# /var/lib/bootyard-demo with lab/demo a link to it). The lab is torn down
# at the end, on Ctrl-C, or, with DEMO_KEEP=1, left up until
# `make demo-stop`.
set -uo pipefail
TOP=$(cd "$(dirname "$0")/../../.." && pwd)
: "${BUILD:=$TOP/build}"
BOOTYARD=$BUILD/bootyard
BOOTYARD_LEASE=$BUILD/bootyard-lease
DEMO_DIR=$TOP/lab/demo
STATE_FILE=$TOP/lab/demo.env

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# demo_stop: tear down what a previous demo left (its PIDs and namespace,
# as recorded in lab/demo.env; a PID is killed only if it still is the
# process the demo started).
demo_stop() {
	[[ -f $STATE_FILE ]] || { echo "demo: nothing running"; return 0; }
	local LAB_NS='' PIDS='' pid
	# shellcheck disable=SC1090
	source "$STATE_FILE"
	for pid in $PIDS; do
		if grep -qa -e bootyard -e qemu "/proc/$pid/cmdline" 2>/dev/null; then
			kill -TERM "$pid" 2>/dev/null
		fi
	done
	sleep 1
	for pid in $PIDS; do
		if grep -qa -e bootyard -e qemu "/proc/$pid/cmdline" 2>/dev/null; then
			kill -KILL "$pid" 2>/dev/null
		fi
	done
	if [[ -n $LAB_NS ]] && ip netns list | grep -qw "$LAB_NS"; then
		ip netns delete "$LAB_NS"
	fi
	rm -f "$STATE_FILE"
	echo "demo: stopped (lab $LAB_NS removed)"
}

if [[ ${1:-} == stop ]]; then
	demo_stop
	exit 0
fi

[[ $(id -u) == 0 ]] || { echo "demo: run as root (network namespaces, tap devices)" >&2; exit 1; }
[[ -x $BOOTYARD ]] || { echo "demo: no $BOOTYARD: run make first" >&2; exit 1; }
[[ -f $STATE_FILE ]] && demo_stop
# dnsmasq serves the TFTP tree as an unprivileged user (nobody): every
# folder above the demo's files must be searchable by others. A clone in
# /root (mode 700 on Debian) is not: then the files go where it can read
# them, and lab/demo points there.
if ! runuser -u nobody -- test -x "$TOP" 2>/dev/null; then
	DEMO_DIR=/var/lib/bootyard-demo
	mkdir -p "$TOP/lab"
	rm -rf "$TOP/lab/demo"
	ln -s "$DEMO_DIR" "$TOP/lab/demo"
	echo "demo: $TOP is out of reach of unprivileged users (dnsmasq serves as nobody): the lab's files are in $DEMO_DIR (lab/demo links there)"
fi
rm -rf "$DEMO_DIR"
mkdir -p "$DEMO_DIR"
TEST_TMP=$DEMO_DIR
export TOP BUILD BOOTYARD BOOTYARD_LEASE TEST_TMP
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/lib/lab.sh"
source "$TOP/tests/lib/qemu.sh"
source "$TOP/tests/e2e/appliance.bash"
t_start=$SECONDS

lab_start || fail "cannot create the lab namespace"
record() {
	printf 'LAB_NS=%q\nPIDS=%q\n' "$LAB_NS" "${_lab_pids[*]}" >"$STATE_FILE"
}
record
if [[ -z ${DEMO_KEEP:-} ]]; then
	on_exit 'rm -f "$STATE_FILE"'
else
	_by_cleanups=() # leave it up for make demo-stop
	trap 'echo; echo "interrupted: make demo-stop tears the lab down"' INT
fi
say "lab network: namespace $LAB_NS, bridge $LAB_BR, $LAB_ADDR/24 (isolated)"

app_init
app_config boot.menu_timeout=5
mkdir -p "$APP_FILES/debian-cloud"
kernel=$("$TOP/tests/lib/installer/build.sh" "$APP_FILES/debian-cloud/installer.gz") ||
	fail "cannot build the stand-in installer"
cp "$kernel" "$APP_FILES/debian-cloud/vmlinuz"
cat >"$DEMO_DIR/preseed.cfg" <<'EOF'
# bootyard demo install file for {{hostname}} ({{mac}}), distro {{distro}}
d-i netcfg/get_hostname string {{hostname}}
d-i preseed/late_command string wget -q -O- {{done_url}}
done_url={{done_url}}
EOF
chmod -R a+rX "$APP_FILES"
say "demo database: one distribution, one host flagged for install"
by distro add debian-cloud --kernel debian-cloud/vmlinuz \
	--initrd debian-cloud/installer.gz --cmdline "console=ttyS0 panic=1 quiet bootyard.file=preseed.cfg" \
	--template "$DEMO_DIR/preseed.cfg" || fail "distro add"
mac=52:54:00:de:00:01
by host add $mac --hostname node1 --distro debian-cloud || fail "host add"
by host reinstall node1 || fail "host reinstall"
echo
by host list
echo

say "starting the appliance: bootyard serve -c $APP_CONF"
app_start
record_pids() { record; }
record_pids

disk=()
qemu_marker_disk "$DEMO_DIR/disk.img" &&
	disk=(-drive "file=$DEMO_DIR/disk.img,format=raw,if=none,id=d0"
		-device ide-hd,drive=d0,bootindex=2)

# show_console PATTERN SECONDS: follow the client's serial console
# (readable, complete lines only) until the QEMU started last exits or
# PATTERN shows up.
show_console() {
	local pat=$1 secs=$2 n=0 lines total end rc=1
	end=$((SECONDS + secs))
	while ((SECONDS < end)); do
		if ! kill -0 "$QEMU_PID" 2>/dev/null; then
			rc=0
			break
		fi
		lines=$(qemu_tail 1000)
		total=$(printf '%s\n' "$lines" | wc -l)
		# the last line may still be growing: hold it back
		if ((total - 1 > n)); then
			printf '%s\n' "$lines" | sed -n "$((n + 1)),$((total - 1))p" | sed 's/^/    | /'
			n=$((total - 1))
		fi
		if [[ -n $pat ]] && printf '%s\n' "$lines" | grep -Eq "$pat"; then
			rc=0
			break
		fi
		sleep 1
	done
	sleep 0.5
	qemu_tail 1000 | tail -n +$((n + 1)) | sed 's/^/    | /'
	return $rc
}

say "first boot of $mac (SeaBIOS, iPXE ROM, virtio NIC; QEMU under TCG, about 25 s)"
QEMU_NIC=virtio-net-pci
t0=$SECONDS
qemu_start demo-install bios $mac "${disk[@]}" >/dev/null || fail "QEMU did not start"
record_pids
show_console "" 180 || app_fail "the install did not finish within 180 s"
qemu_tail 200 | grep -q "INSTALLER: DONE" || app_fail "the installer did not finish"
say "installed and powered off after $((SECONDS - t0)) s; the host is now:"
by host show node1 | grep -E '^(hostname|action|distro):'

say "second boot of the same machine"
t0=$SECONDS
qemu_start demo-local bios $mac "${disk[@]}" >/dev/null || fail "QEMU did not start"
record_pids
if ((${#disk[@]})); then
	show_console "" 120 && qemu_tail 1000 | grep -q DISK-OK ||
		app_fail "the local disk did not boot"
else
	show_console "sanboot|local disk" 120
fi
qemu_stop
say "booted its local disk after $((SECONDS - t0)) s"

echo
say "boot timeline: bootyard events $mac"
app_events $mac
echo
say "HTTP access log"
sed 's/^/    /' "$APP_ACCESS"
echo
if [[ -n ${DEMO_KEEP:-} ]]; then
	say "left running (DEMO_KEEP): bootyard -c $APP_CONF events|host|leases ...; make demo-stop"
else
	say "demo finished in $((SECONDS - t_start)) s; tearing the lab down"
fi
exit 0
