# shellcheck shell=bash
# tests/e2e/appliance.bash - the real appliance in the test lab, for the
# e2e scenarios and the demo. Source after tests/lib/common.sh,
# tests/lib/lab.sh and tests/lib/qemu.sh, once lab_start has run.
# (Not named *.sh: tests/run.sh runs every tests/e2e/*.sh as a test.)
#
#   app_require [--ovmf] CMD...
#                           skip unless root with CMD... (and OVMF); fail
#                           without a built $BOOTYARD
#   app_init                state and files directories; sets APP_CONF,
#                           APP_STATE, APP_FILES
#   app_config [K=V...]     write APP_CONF: lab defaults (a 30 s menu, so
#                           that a test can press keys in time; no rogue
#                           DHCP probe: 4 s less per start), then overrides
#                           (K is section.key, e.g. dhcp.ipxe_detect=no)
#   app_start               start `bootyard serve` in the lab namespace and
#                           wait until DHCP, TFTP and HTTP listen
#   app_stop                stop it (only the PID we started)
#   by ARGS...              the CLI on the lab database ($BOOTYARD -c APP_CONF)
#   app_boot NAME KIND MAC PATTERN SECONDS
#                           boot a client and wait for PATTERN on its
#                           console; on failure print the serial tail, the
#                           appliance log and fail
#   app_events MAC          `bootyard events MAC` output
#   app_marker_disks        marker disks that print DISK-OK; QEMU
#                           arguments in APP_BDISK (BIOS), APP_UDISK (UEFI)
#   app_standin DIR         the stand-in installer in APP_FILES/DIR
#   app_standin_template FILE  its install file template into FILE
#   app_standin_distro NAME  both as the distribution NAME (a check)
#   app_access              the HTTP access log so far
#
# APP_HAND_DNSMASQ=1 runs `serve --dhcp=off` beside a dnsmasq configured
# here (with the TFTP tree assembled here): for a serve that does not run
# dnsmasq yet. TFTP events are then not recorded.

APP_PID=
APP_CONF=
APP_STATE=
APP_FILES=
APP_LOG=
APP_ACCESS=
_app_runs=0

# app_require [--ovmf] CMD...: what every scenario needs before it
# starts a lab. Skips (exit 77) when not root or a command or OVMF is
# missing (make deps installs them); a missing bootyard build fails.
app_require() {
	local c
	[[ $(id -u) == 0 ]] || skip "needs root (network namespaces)"
	if [[ ${1:-} == --ovmf ]]; then
		shift
		[[ -r $OVMF_CODE ]] || skip "no OVMF ($OVMF_CODE; make deps)"
	fi
	for c in "$QEMU" dnsmasq "$@"; do
		command -v "$c" >/dev/null || skip "no $c (make deps)"
	done
	[[ -x $BOOTYARD ]] || fail "no $BOOTYARD (make)"
}

app_init() {
	APP_STATE=$TEST_TMP/state
	APP_FILES=$TEST_TMP/files
	APP_CONF=$TEST_TMP/bootyard.conf
	APP_ACCESS=$TEST_TMP/access.log
	mkdir -p "$APP_STATE" "$APP_FILES"
	: >"$APP_ACCESS"
	chmod 755 "$TEST_TMP"
	export APP_CONF
}

# app_config [section.key=value...]: the lab configuration.
app_config() {
	declare -A v=(
		[appliance.state_dir]=$APP_STATE
		[appliance.interface]=$LAB_BR
		[appliance.server_address]=$LAB_ADDR
		[appliance.user]=root
		[dhcp.mode]=dhcp
		[dhcp.range]=198.18.0.100,198.18.0.199
		[dhcp.lease_time]=1h
		[dhcp.bios_loader]=pxelinux
		[dhcp.uefi_loader]=snponly
		[dhcp.ipxe_detect]=yes
		[dhcp.probe_wait]=0
		[http.listen]=$LAB_ADDR:80
		[http.files_dir]=$APP_FILES
		[http.access_log]=$APP_ACCESS
		[admin.listen]=off
		[boot.unknown]=menu
		[boot.menu_timeout]=30
	)
	{
		echo "; written by tests/e2e/appliance.bash"
		conf_print v "$@"
	} >"$APP_CONF"
}

# by ARGS...: the bootyard CLI on the lab's configuration.
by() {
	"$BOOTYARD" -c "$APP_CONF" "$@"
}

# app_listening PROTO PORT: is something listening on PORT in the lab?
app_listening() {
	local opt=-ltn
	[[ $1 == udp ]] && opt=-lun
	lab_exec ss -H "$opt" "sport = :$2" 2>/dev/null | grep -q .
}

# _app_hand_dnsmasq: the TFTP tree and a dnsmasq as the supervisor would
# run them (only with APP_HAND_DNSMASQ=1).
APP_DNSMASQ_PID=
_app_hand_dnsmasq() {
	local tftp=$APP_STATE/tftp k v
	declare -A c
	while IFS='=' read -r k v; do
		k=${k// /} v=${v# }
		[[ $k && $k != \;* && $k != \[* ]] && c[$k]=$v
	done <"$APP_CONF"
	mkdir -p "$tftp/pxelinux.cfg"
	cp /usr/lib/PXELINUX/pxelinux.0 /usr/lib/syslinux/modules/bios/ldlinux.c32 \
		/usr/lib/ipxe/ipxe.lkrn /usr/lib/ipxe/snponly.efi \
		/usr/lib/ipxe/undionly.kpxe /usr/lib/ipxe/ipxe.efi \
		/boot/memtest86+x64.bin /boot/memtest86+x64.efi "$tftp/"
	printf 'SERIAL 0 115200\nDEFAULT ipxe\nLABEL ipxe\n\tKERNEL ipxe.lkrn\n\tINITRD boot.ipxe\n' \
		>"$tftp/pxelinux.cfg/default"
	lab_exec curl -sf -o "$tftp/boot.ipxe" "http://$LAB_ADDR/ipxe/v1/boot" ||
		fail "cannot fetch /ipxe/v1/boot"
	local bios=pxelinux.0 uefi=snponly.efi not=
	[[ ${c[bios_loader]} == undionly ]] && bios=undionly.kpxe
	[[ ${c[uefi_loader]} == grub ]] && uefi=grubx64.efi
	[[ ${c[ipxe_detect]} == yes ]] && not="tag:!ipxe,"
	{
		echo "port=0"
		echo "interface=$LAB_BR"
		echo "bind-interfaces"
		echo "user=root"
		echo "dhcp-range=198.18.0.100,198.18.0.199,255.255.255.0,1h"
		echo "dhcp-leasefile=$TEST_TMP/leases"
		echo "dhcp-script=$BOOTYARD_LEASE"
		echo "enable-tftp"
		echo "tftp-root=$tftp"
		echo "log-dhcp"
		echo "dhcp-match=set:efi64,option:client-arch,7"
		echo "dhcp-match=set:bios,option:client-arch,0"
		[[ ${c[ipxe_detect]} == yes ]] && echo "dhcp-userclass=set:ipxe,iPXE" &&
			echo "dhcp-boot=tag:ipxe,tftp://$LAB_ADDR/boot.ipxe"
		echo "dhcp-boot=${not}tag:efi64,$uefi"
		echo "dhcp-boot=${not}tag:bios,$bios"
	} >"$TEST_TMP/dnsmasq.conf"
	chmod -R a+rX "$tftp"
	BOOTYARD_DB=$APP_STATE/db/bootyard.db lab_bg "$TEST_TMP/dnsmasq.$_app_runs.log" \
		dnsmasq --keep-in-foreground --log-facility=- \
		--conf-file="$TEST_TMP/dnsmasq.conf"
	APP_DNSMASQ_PID=$LAB_PID
}

# app_start: serve in the lab namespace; ready when DHCP (67, or
# APP_DHCP_PORT: 547 for an IPv6-only segment), TFTP (69) and HTTP (80)
# listen. 30 s bound.
app_start() {
	_app_runs=$((_app_runs + 1))
	APP_LOG=$TEST_TMP/serve.$_app_runs.log
	if [[ -n ${APP_HAND_DNSMASQ:-} ]]; then
		lab_bg "$APP_LOG" "$BOOTYARD" -c "$APP_CONF" -v serve --dhcp=off
		APP_PID=$LAB_PID
		for _ in $(seq 50); do
			app_listening tcp 80 && break
			sleep 0.2
		done
		_app_hand_dnsmasq
	else
		lab_bg "$APP_LOG" "$BOOTYARD" -c "$APP_CONF" -v serve
		APP_PID=$LAB_PID
	fi
	local end=$((SECONDS + 30))
	while ((SECONDS < end)); do
		if ! kill -0 "$APP_PID" 2>/dev/null; then
			cat "$APP_LOG"
			fail "bootyard serve exited at start"
		fi
		if app_listening udp "${APP_DHCP_PORT:-67}" && app_listening udp 69 &&
			app_listening tcp 80; then
			echo "appliance: serving (pid $APP_PID, log $APP_LOG)"
			return 0
		fi
		sleep 0.2
	done
	cat "$APP_LOG"
	fail "bootyard serve not listening on DHCP, TFTP and HTTP within 30 s"
}

app_stop() {
	[[ -n $APP_PID ]] && lab_kill "$APP_PID"
	[[ -n $APP_DNSMASQ_PID ]] && lab_kill "$APP_DNSMASQ_PID"
	APP_PID=
	APP_DNSMASQ_PID=
}

# app_restart [K=V...]: new configuration, new serve (loader settings are
# read at start).
app_restart() {
	app_stop
	app_config "$@"
	app_start
}

# app_fail MSG: show what happened, then fail.
app_fail() {
	echo "--- last serial lines ($QEMU_SERIAL) ---"
	qemu_tail 30
	echo "--- appliance log (last 30 lines) ---"
	tail -n 30 "$APP_LOG" 2>/dev/null
	echo "--- HTTP access log of this boot ---"
	tail -n "+$((${APP_ACCESS0:-0} + 1))" "$APP_ACCESS" 2>/dev/null | tail -n 20
	if [[ -n ${APP_MAC:-} ]]; then
		echo "--- events of $APP_MAC (last 15) ---"
		by events "$APP_MAC" 2>&1 | tail -n 15
	fi
	qemu_stop
	fail "$*"
}

# app_boot NAME KIND MAC PATTERN SECONDS [QEMU ARGS...]: start a client
# and wait for PATTERN on its console. The client keeps running (the
# caller stops it, or waits for more); QEMU_PID names it.
app_boot() {
	local name=$1 kind=$2 mac=$3 pat=$4 secs=$5
	shift 5
	APP_T0=$SECONDS
	APP_MAC=$mac
	APP_ACCESS0=$(wc -l <"$APP_ACCESS" 2>/dev/null || echo 0)
	qemu_start "$name" "$kind" "$mac" "$@" || app_fail "$name: QEMU did not start"
	qemu_wait "$pat" "$secs" ||
		app_fail "$name: '$pat' not on the console within $secs s"
	ok "$name: '$pat' on the console after $((SECONDS - APP_T0)) s"
}

app_events() {
	by events "$1"
}

# app_marker_disks: a BIOS and a UEFI marker disk in TEST_TMP (each
# prints DISK-OK when it boots) and the QEMU arguments that attach them
# behind the NIC (bootindex 2, the NIC has 1): APP_BDISK (IDE, for
# SeaBIOS) and APP_UDISK (virtio-blk, for OVMF). Snapshots: a boot
# never changes the image.
app_marker_disks() {
	check "BIOS marker disk (syslinux)" qemu_marker_disk "$TEST_TMP/bios.img"
	check "UEFI marker disk (grub-mkstandalone)" \
		qemu_uefi_marker_disk "$TEST_TMP/uefi.img"
	APP_BDISK=(-drive "file=$TEST_TMP/bios.img,format=raw,if=none,id=d0,snapshot=on"
		-device ide-hd,drive=d0,bootindex=2)
	APP_UDISK=(-drive "file=$TEST_TMP/uefi.img,format=raw,if=none,id=d0,snapshot=on"
		-device virtio-blk-pci,drive=d0,bootindex=2)
}

# app_standin DIR: the stand-in installer (tests/lib/installer: Debian's
# cloud kernel and a busybox initrd) as APP_FILES/DIR/vmlinuz and
# APP_FILES/DIR/initrd.gz, readable by the daemon's user. Skips the test
# when it cannot be built here.
app_standin() {
	local kernel
	mkdir -p "$APP_FILES/$1"
	kernel=$("$TOP/tests/lib/installer/build.sh" "$APP_FILES/$1/initrd.gz") ||
		skip "cannot build the stand-in installer (linux-image-cloud-amd64, busybox-static)"
	cp "$kernel" "$APP_FILES/$1/vmlinuz"
	chmod -R a+rX "$APP_FILES"
}

# app_standin_template FILE: the stand-in installer's install file
# template (hostname, distro and the done callback it calls) into FILE.
app_standin_template() {
	cat >"$1" <<'EOF'
# bootyard stand-in install file for {{hostname}} ({{mac}})
hostname={{hostname}}
distro={{distro}}
done_url={{done_url}}
EOF
}

# app_standin_distro NAME: the stand-in installer in APP_FILES/NAME with
# its template, added as the distribution NAME (console on ttyS0, quiet).
app_standin_distro() {
	app_standin "$1"
	app_standin_template "$TEST_TMP/install.cfg"
	check "distro add (cloud kernel + stand-in installer)" \
		by distro add "$1" --kernel "$1/vmlinuz" --initrd "$1/initrd.gz" \
		--cmdline "console=ttyS0 panic=1 quiet" --template "$TEST_TMP/install.cfg"
}

app_access() {
	cat "$APP_ACCESS"
}

# app_wait_access PATTERN SECONDS: wait until the access log matches.
app_wait_access() {
	qemu_wait "$1" "$2" "$APP_ACCESS"
}

# app_wait_di WHO PRESEED_S DONE_S: d-i (WHO in the messages) fetches its
# preseed within PRESEED_S s and then calls done within DONE_S s; sets
# t_fetch and t_done (seconds since $t0, the power-on).
app_wait_di() {
	app_wait_access "/ipxe/v1/install/" "$2" ||
		app_fail "d-i did not fetch its preseed within $2 s"
	t_fetch=$((SECONDS - t0))
	ok "$1 fetched its preseed $t_fetch s after power-on"
	app_wait_access "/ipxe/v1/done" "$3" ||
		app_fail "d-i did not call done within $3 s of its preseed"
	t_done=$((SECONDS - t0))
	ok "$1 called done $t_done s after power-on"
}

# expect_tftp MAC FILE DESC: FILE was sent to MAC over TFTP: an event
# (the daemon records TFTP from dnsmasq's log); with APP_HAND_DNSMASQ,
# dnsmasq's own log (no MAC there: the file name is enough in a
# one-client-at-a-time lab).
expect_tftp() {
	local mac=$1 file=$2 desc=$3
	if [[ -n ${APP_HAND_DNSMASQ:-} ]]; then
		expect_contains "$(cat "$TEST_TMP"/dnsmasq.*.log)" "sent $APP_STATE/tftp/$file" "$desc"
	else
		expect_contains "$(app_events "$mac")" "$file" "$desc"
	fi
}
