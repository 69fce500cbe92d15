#!/usr/bin/env bash
# e2e/power: power control against a real BMC simulator driving a real VM
# (issue 20, docs/power.md).
#   OpenIPMI's ipmi_sim serves IPMI over LAN on a lab address
#   (198.18.0.2); its chassis control program starts and stops a QEMU
#   client (DESIGN.md: with `startcmd` alone `chassis bootdev` fails), and
#   boots it from the network first only when the boot device was set to
#   pxe. One `bootyard host reinstall node9 --power-cycle`, and nothing
#   else, makes the powered-off client start, PXE-boot through bootyard,
#   install (the stand-in installer, which reboots like a real one), call
#   back, and boot its local disk (DISK-OK). `power status` follows the
#   VM; the boot device is the one read back from the simulator.
#   Failures: a wrong BMC password, an unreachable BMC and one that never
#   answers each give a clear error within the timeout and an event, and
#   leave the install flag unset. Wake-on-LAN: the magic packet captured
#   on the lab bridge (AF_PACKET socket) has the right form and goes to
#   the subnet's broadcast. The BMC password is in no ps output, log,
#   API answer or access log.
# About 2 to 3 minutes (one TCG boot of the stand-in installer);
# POWER_NO_VM=1 stops before the VM (about 40 s, no QEMU).
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/lib/lab.sh"
source "$TOP/tests/lib/qemu.sh"
source "$TOP/tests/e2e/appliance.bash"

app_require python3 ss cpio ipmi_sim ipmitool curl
t0=$SECONDS

check "lab namespace and bridge" lab_start
BMC=198.18.0.2
check "BMC address on the lab bridge" lab_exec ip addr add "$BMC/24" dev "$LAB_BR"
app_init
printf '%s\n' "$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')" >"$TEST_TMP/admin.token"
chmod 600 "$TEST_TMP/admin.token"
app_config admin.listen=127.0.0.1:9080 "admin.token_file=$TEST_TMP/admin.token"
# the CLI's power commands talk to the daemon's admin API, in the lab
byl() { lab_exec "$BOOTYARD" -c "$APP_CONF" "$@"; }
api() { lab_exec curl -s -H "Authorization: Bearer $(cat "$TEST_TMP/admin.token")" "$@"; }

# A password nobody could find by chance, and a wrong one.
PW="Pw$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$PW" >"$TEST_TMP/bmc.pass"
printf 'Wrong%s\n' "$PW" >"$TEST_TMP/bad.pass"
chmod 600 "$TEST_TMP/bmc.pass" "$TEST_TMP/bad.pass"

# ---- the distribution and the hosts -----------------------------------
app_standin standin
printf 'hostname={{hostname}}\ndone_url={{done_url}}\n' >"$TEST_TMP/install.cfg"
check "distro add (stand-in installer that reboots when done)" \
	by distro add standin --kernel standin/vmlinuz --initrd standin/initrd.gz \
	--cmdline "console=ttyS0 panic=1 quiet bootyard.after=reboot" \
	--template "$TEST_TMP/install.cfg"
mac=52:54:00:c0:00:09
check "host add node9" by host add $mac --hostname node9 --distro standin
expect_exit 2 by host set node9 --power ipmi --bmc "1.2.3.4;reboot" --bmc-user admin \
	--bmc-password-file "$TEST_TMP/bmc.pass"
expect_contains "$err" "BMC address" "a hostile BMC address is refused"
expect_exit 2 by host set node9 --power ipmi --bmc $BMC:70000 --bmc-user admin \
	--bmc-password-file "$TEST_TMP/bmc.pass"
expect_exit 2 by host set node9 --power ipmi --bmc $BMC --bmc-user 'ad min' \
	--bmc-password-file "$TEST_TMP/bmc.pass"
expect_exit 2 by host set node9 --power ipmi --bmc $BMC --bmc-user admin
expect_contains "$err" "password" "ipmi needs a password the first time"
check "host set node9 --power ipmi" by host set node9 --power ipmi --bmc $BMC:623 \
	--bmc-user admin --bmc-password-file "$TEST_TMP/bmc.pass"
check "host add bad1/bad2/bad3" by host add 52:54:00:c0:00:a1 --hostname bad1 --distro standin
by host add 52:54:00:c0:00:a2 --hostname bad2 --distro standin >/dev/null
by host add 52:54:00:c0:00:a3 --hostname bad3 --distro standin >/dev/null
check "bad1: the wrong password" by host set bad1 --power ipmi --bmc $BMC \
	--bmc-user admin --bmc-password-file "$TEST_TMP/bad.pass"
check "bad2: no BMC at that address" by host set bad2 --power ipmi --bmc 198.18.0.3 \
	--bmc-user admin --bmc-password-file "$TEST_TMP/bmc.pass"
check "bad3: a BMC that never answers" by host set bad3 --power ipmi --bmc 198.18.0.1:6230 \
	--bmc-user admin --bmc-password-file "$TEST_TMP/bmc.pass"
wolmac=52:54:00:c0:00:77
check "host add wol1 --power wol" by host add $wolmac --hostname wol1
check "host set wol1 --power wol" by host set wol1 --power wol

# ---- the BMC simulator and the VM it drives ----------------------------
B=$TEST_TMP/bmc
mkdir -p "$B/state"
check "BIOS marker disk" qemu_marker_disk "$TEST_TMP/disk.img"
check "the VM's tap" lab_tap
printf '\xf8\x03' >"$B/sercon"
VM_SERIAL=$TEST_TMP/vm.serial
# The chassis control program: `PROG 0x20 get power boot`, `PROG 0x20 set
# power 0|1`, `PROG 0x20 set boot DEV`. Power on starts QEMU, network
# first only when the boot device is pxe (as a BMC's one-time boot
# override does); power off stops it; the power state is QEMU running.
cat >"$B/chassis.sh" <<EOF
#!/bin/sh
D=$B
echo "\$*" >>\$D/calls.log
running() { [ -f \$D/qemu.pid ] && kill -0 "\$(cat \$D/qemu.pid)" 2>/dev/null; }
case \$2 in
get)
	shift 2
	for p; do
		case \$p in
		power) if running; then echo power:1; else echo power:0; fi ;;
		boot) echo "boot:\$(cat \$D/boot 2>/dev/null || echo default)" ;;
		esac
	done ;;
set)
	case \$3 in
	boot) echo "\$4" >\$D/boot ;;
	power)
		if [ "\$4" = 1 ]; then
			running && exit 0
			nic=2 disk=1
			[ "\$(cat \$D/boot 2>/dev/null)" = pxe ] && nic=1 disk=2
			echo "nic=\$nic disk=\$disk" >>\$D/boots.log
			$QEMU -nodefaults -machine pc,accel=tcg -m 256 -display none -vga none \\
				-serial file:$VM_SERIAL -fw_cfg name=etc/sercon-port,file=\$D/sercon \\
				-netdev tap,id=n0,ifname=$LAB_TAP,script=no,downscript=no \\
				-device virtio-net-pci,netdev=n0,mac=$mac,bootindex=\$nic \\
				-drive file=$TEST_TMP/disk.img,format=raw,if=none,id=d0,snapshot=on \\
				-device ide-hd,drive=d0,bootindex=\$disk \\
				-daemonize -pidfile \$D/qemu.pid >>\$D/qemu.log 2>&1
		else
			running && kill "\$(cat \$D/qemu.pid)"
			for i in 1 2 3 4 5 6 7 8 9 10; do running || break; sleep 0.2; done
		fi ;;
	esac ;;
esac
exit 0
EOF
chmod 755 "$B/chassis.sh"
vm_stop() {
	[[ -f $B/qemu.pid ]] && kill "$(cat "$B/qemu.pid")" 2>/dev/null
	rm -f "$B/qemu.pid"
}
on_exit vm_stop
cat >"$B/bmc.emu" <<'EOF'
mc_setbmc 0x20
mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02
sel_enable 0x20 1000 0x0a
mc_enable 0x20
EOF
cat >"$B/lan.conf" <<EOF
name "bylab"
set_working_mc 0x20
  startlan 1
    addr $BMC 623
    priv_limit admin
    allowed_auths_callback none md2 md5 straight
    allowed_auths_user none md2 md5 straight
    allowed_auths_operator none md2 md5 straight
    allowed_auths_admin none md2 md5 straight
    guid a123456789abcdefa123456789abcdef
  endlan
  chassis_control "$B/chassis.sh 0x20"
  user 2 true "admin" "$PW" admin 10 none md2 md5 straight
EOF
lab_bg "$B/sim.log" ipmi_sim -c "$B/lan.conf" -f "$B/bmc.emu" -s "$B/state" -n
# The BMC that never answers: reads every datagram, answers none.
lab_bg "$TEST_TMP/mute.log" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("198.18.0.1", 6230))
while True:
    s.recv(4096)'
app_start
sim() { lab_exec env IPMI_PASSWORD="$PW" ipmitool -I lanplus -C 3 -H $BMC -U admin -E "$@"; }
for _ in $(seq 20); do sim chassis power status >/dev/null 2>&1 && break; sleep 0.25; done

# ---- settings in the API: never the password -----------------------------
host_json=$(api http://127.0.0.1:9080/api/v1/hosts/node9)
echo "$host_json"
expect_contains "$host_json" '"method":"ipmi"' "API: the host's power method"
expect_contains "$host_json" '"password_set":true' "API: a password is set"
expect_contains "$host_json" "\"bmc\":\"$BMC:623\"" "API: the BMC address"
answers=$host_json

# ---- status of a powered-off machine -------------------------------------
expect_exit 0 byl power node9 status
expect_contains "$out" "node9: off" "power status: off before anything"
answers+=$out

# ---- failures: clear, bounded, recorded, nothing flagged ------------------
for h in bad1 bad2 bad3; do
	s=$SECONDS
	expect_exit 3 byl host reinstall $h --power-cycle
	answers+=$out$err
	echo "$h: $err ($((SECONDS - s)) s)"
	((SECONDS - s <= 20)) || fail "$h: the error took $((SECONDS - s)) s"
	ok "$h: the error came within the timeout ($((SECONDS - s)) s)"
	expect_contains "$err" "install flag was cleared" "$h: says the flag was cleared"
	expect_contains "$(by --json host show $h)" '"action": "local"' "$h: not left flagged for install"
	ev=$(by events "$(by host show $h | grep -oE '([0-9a-f]{2}:){5}[0-9a-f]{2}' | head -n 1)")
	expect_contains "$ev" "power" "$h: the failure is in the timeline"
done
expect_contains "$(byl power bad1 status 2>&1)" \
	"refused the user or password" "bad1: a wrong password is called one"
expect_contains "$(byl power bad3 status 2>&1)" "no answer within the timeout" \
	"bad3: a mute BMC is called one"

# The password never on a command line: watch ps while ipmitool waits on
# the mute BMC (so that the check can see ipmitool at all).
byl power bad3 on >/dev/null 2>&1 &
watch_pid=$!
# ipmitool overwrites a -P argument with X's once it runs, so ps alone
# cannot tell -P from -E: the command line must also hold -E and no -P.
seen= leak=0
for _ in $(seq 30); do
	p=$(ps -eww -o args)
	[[ $p == *"$PW"* ]] && leak=1
	line=$(grep -m1 '^ipmitool .*198\.18\.0\.1' <<<"$p") && seen=$line
	sleep 0.1
done
wait $watch_pid
echo "ps: $seen"
[[ -n $seen ]] || fail "ps: never saw ipmitool run (the check would prove nothing)"
((leak == 0)) || fail "ps: the BMC password is on a command line"
[[ " $seen " == *" -E "* && " $seen " != *" -P "* ]] ||
	fail "ps: ipmitool was not given the password through its environment (-E)"
ok "ps: ipmitool ran with -E, the password in no command line"

# ---- Wake-on-LAN -----------------------------------------------------------
# A listener on the segment: a veth whose peer is a bridge port. What it
# receives went out on the wire (and its carrier brings the bridge up:
# with no port up, the bridge sends nothing).
WC=bywc$LAB_SFX
check "a listener on the lab segment" lab_exec ip link add "$WC" type veth peer name "bywp$LAB_SFX"
lab_exec ip link set "bywp$LAB_SFX" master "$LAB_BR"
lab_exec ip link set "bywp$LAB_SFX" up
lab_exec ip link set "$WC" up
sleep 0.5
lab_bg "$TEST_TMP/wol.cap" python3 -c '
import socket, sys, binascii
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
s.bind((sys.argv[1], 0))
s.settimeout(20)
print("ready", flush=True)
while True:
    f = s.recv(2048)
    ip = f[14:34]
    if ip[9] == 17 and f[36:38] == b"\x00\x09":
        print("eth_dst", binascii.hexlify(f[0:6]).decode())
        print("ip_src", socket.inet_ntoa(ip[12:16]))
        print("ip_dst", socket.inet_ntoa(ip[16:20]))
        print("payload", binascii.hexlify(f[42:]).decode(), flush=True)
        break' "$WC"
cap_pid=$LAB_PID
for _ in $(seq 50); do grep -q ready "$TEST_TMP/wol.cap" && break; sleep 0.1; done
expect_exit 0 byl power wol1 on
echo "$out"
expect_contains "$out" "magic packet" "wol: sent"
for _ in $(seq 20); do grep -q payload "$TEST_TMP/wol.cap" && break; sleep 0.1; done
cat "$TEST_TMP/wol.cap"
want="ffffffffffff$(for _ in $(seq 16); do printf '%s' "${wolmac//:/}"; done)"
expect_contains "$(cat "$TEST_TMP/wol.cap")" "payload $want" \
	"wol: 6 x ff then the MAC 16 times"
expect_contains "$(cat "$TEST_TMP/wol.cap")" "ip_dst 198.18.0.255" \
	"wol: to the serving subnet's broadcast, UDP port 9"
expect_contains "$(cat "$TEST_TMP/wol.cap")" "eth_dst ffffffffffff" "wol: an Ethernet broadcast"
expect_contains "$(cat "$TEST_TMP/wol.cap")" "ip_src $LAB_ADDR" "wol: from the serving address"
lab_kill $cap_pid
expect_exit 2 byl power wol1 status
expect_contains "$err" "only power on" "wol: no status to read, and it says so"

[[ -n ${POWER_NO_VM:-} ]] && { app_stop; done_checks; } # the checks without the VM
# ---- the reinstall: one command, and the machine does the rest ------------
vm_t0=$SECONDS
expect_exit 0 byl host reinstall node9 --power-cycle
echo "$out"
answers+=$out
expect_contains "$out" "power on" "reinstall: the machine was off, so power on"
expect_contains "$(by --json host show node9)" '"action": "install"' "node9 is flagged for install"
bp=$(sim chassis bootparam get 5 2>&1)
expect_contains "$bp" "Force PXE" "the simulator's boot device is pxe"
expect_contains "$(cat "$B/boots.log")" "nic=1 disk=2" "the VM powered on network first"
sleep 5.5 # past the status cache
expect_exit 0 byl power node9 status
expect_contains "$out" "node9: on" "power status: on while the VM runs"
QEMU_SERIAL=$VM_SERIAL
qemu_wait "INSTALLER: started" 120 || app_fail "the installer did not start"
ok "the installer started $((SECONDS - vm_t0)) s after the reinstall"
qemu_wait "INSTALLER: DONE" 90 || app_fail "the installer did not finish"
ok "the installer called back $((SECONDS - vm_t0)) s after the reinstall"
qemu_wait "DISK-OK" 90 || app_fail "the VM did not boot its local disk after the install"
ok "the VM booted its local disk $((SECONDS - vm_t0)) s after the reinstall, no other action"
expect_contains "$(by --json host show node9)" '"action": "local"' "node9 is back to local boot"
for _ in $(seq 40); do
	[[ -f $B/qemu.pid ]] && kill -0 "$(cat "$B/qemu.pid")" 2>/dev/null || break
	sleep 0.25
done
sleep 5.5 # past the status cache
expect_exit 0 byl power node9 status
expect_contains "$out" "node9: off" "power status: off after the VM powered itself off"
ev=$(app_events $mac)
echo "$ev"
for want in "power" "bootdev pxe" "reinstall on" dhcp install "done" local; do
	expect_contains "$ev" "$want" "node9's timeline shows $want"
done
answers+=$(api http://127.0.0.1:9080/api/v1/hosts)$(api "http://127.0.0.1:9080/api/v1/events")
answers+=$(api http://127.0.0.1:9080/api/v1/hosts/node9/power)

# ---- the password is nowhere it should not be -------------------------------
[[ $answers == *"$PW"* ]] && fail "an API or CLI answer holds the BMC password"
ok "no API or CLI answer holds the BMC password"
grep -qF -- "$PW" "$APP_LOG" && fail "the daemon's log holds the BMC password"
ok "the daemon's log does not hold the BMC password"
grep -qF -- "$PW" "$APP_ACCESS" && fail "the access log holds the BMC password"
ok "the access log does not hold the BMC password"
grep -q "/power" "$APP_ACCESS" || fail "the access log has no power request (nothing checked)"
by events >"$TEST_TMP/events.txt"
grep -qF -- "$PW" "$TEST_TMP/events.txt" && fail "the event timeline holds the BMC password"
ok "the event timeline does not hold the BMC password"
perm=$(stat -c '%a %U:%G' "$APP_STATE/db")
echo "database directory: $perm"
app_stop
echo "e2e/power: $((SECONDS - t0)) s"
done_checks
