#!/usr/bin/env bash
# bootyard distro ... (add with template, set, show, list, rm), and the
# read-only views leases [--unknown] and events [MAC] [--limit N] over
# rows the database already holds.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/cli/lib.bash"

tpl=$TEST_TMP/preseed.cfg
cat >"$tpl" <<'T'
d-i netcfg/get_hostname string {{hostname}}
d-i preseed/late_command string wget -q -O /dev/null {{done_url}}
# rack {{ attr.rack }}
T

expect_exit 0 by distro list --json
expect_eq "$(jpy 'd' <<<"$out")" "[]" "no distros yet"

expect_exit 0 by distro add deb12 --kernel deb12/linux \
	--initrd deb12/initrd.gz --initrd http://198.18.0.1/files/fw.cpio.gz \
	--cmdline "auto=true priority=critical console=ttyS0,115200" \
	--template "$tpl"
expect_eq "$out" "distro deb12 added" "human add"
expect_exit 0 by distro show deb12 --json
j=$out
expect_eq "$(jpy 'd["kernel"]' <<<"$j")" deb12/linux "kernel"
expect_eq "$(jpy 'd["initrds"]' <<<"$j")" \
	"['deb12/initrd.gz', 'http://198.18.0.1/files/fw.cpio.gz']" "two initrds"
expect_eq "$(jpy 'd["cmdline"]' <<<"$j")" \
	"auto=true priority=critical console=ttyS0,115200" "cmdline"
expect_eq "$(jpy 'd["template_name"]' <<<"$j")" preseed.cfg \
	"template served under its file name"
expect_eq "$(jpy 'd["template"]' <<<"$j")" "$(cat "$tpl")" \
	"template text stored as given"
expect_exit 0 by distro show deb12
expect_contains "$out" "template:  preseed.cfg (" "human show"

expect_exit 0 by --json distro add alma9 --kernel alma/vmlinuz \
	--initrd alma/initrd.img --template "$tpl" --template-name ks.cfg
expect_eq "$(jpy 'd["template_name"]+" "+str(d["template_size"])' <<<"$out")" \
	"ks.cfg $(stat -c %s "$tpl")" "--template-name"
expect_exit 0 by distro add tiny --kernel k --initrd i
expect_exit 0 by distro list
expect_eq "$(printf '%s\n' "$out" | wc -l)" 4 "heading + 3 distros"
expect_contains "$out" "preseed.cfg" "table shows template names"
expect_exit 0 by distro list --json
expect_eq "$(jpy '[x["name"] for x in d]' <<<"$out")" \
	"['alma9', 'deb12', 'tiny']" "json list"

# set: change some fields, replace / remove the template
expect_exit 0 by --json distro set tiny --initrd a.img --initrd b.img \
	--cmdline quiet
expect_eq "$(jpy 'd["initrds"]+[d["cmdline"], d["kernel"]]' <<<"$out")" \
	"['a.img', 'b.img', 'quiet', 'k']" "distro set keeps the kernel"
expect_exit 0 by --json distro set deb12 --no-template
expect_eq "$(jpy 'd["template_name"]' <<<"$out")" None "--no-template"
expect_exit 1 by distro set nosuch --cmdline x
# a real installer needs its preseed URL on the command line: variables
# are accepted there (and expanded, then checked, at boot)
expect_exit 0 by --json distro set tiny \
	--cmdline 'auto=true url={{install_url}} hostname={{hostname}}'
expect_eq "$(jpy 'd["cmdline"]' <<<"$out")" \
	"auto=true url={{install_url}} hostname={{hostname}}" "cmdline variables"
expect_exit 2 by distro set tiny --cmdline 'url={{nosuch}}'
expect_contains "$err" "unknown variable" "unknown variable in --cmdline"
expect_exit 2 by distro set tiny --cmdline 'a={b}'
expect_exit 2 by distro set tiny --cmdline 'x={{mac}};reboot'
expect_exit 0 by --json distro show tiny
expect_eq "$(jpy 'd["cmdline"]' <<<"$out")" \
	"auto=true url={{install_url}} hostname={{hostname}}" \
	"refused --cmdline leaves the distro as it was"

# a kernel per architecture: --arch (aliases accepted, stored by Debian's
# name); set adds or replaces one; the amd64 fields stay as they were
expect_exit 0 by --json distro set tiny --arch aarch64 --kernel tiny/arm64/k \
	--initrd tiny/arm64/i
expect_eq "$(jpy 'sorted(d["kernels"])+[d["kernels"]["arm64"]["kernel"], d["kernel"]]' <<<"$out")" \
	"['amd64', 'arm64', 'tiny/arm64/k', 'k']" "distro set --arch adds arm64"
expect_exit 0 by --json distro set tiny --arch arm64 --initrd tiny/arm64/i2
expect_eq "$(jpy 'd["kernels"]["arm64"]["initrds"]+[d["kernels"]["arm64"]["kernel"]]' <<<"$out")" \
	"['tiny/arm64/i2', 'tiny/arm64/k']" "set --arch replaces that arch's initrd"
expect_exit 2 by distro set tiny --arch arm64 --remove-arch arm64
expect_exit 0 by distro show tiny
expect_contains "$out" "kernel:    tiny/arm64/k (arm64)" "show lists each arch"
expect_exit 0 by distro list
expect_contains "$out" "amd64,arm64" "list shows the arches"
expect_exit 0 by --json distro add armonly --arch arm64 --kernel a/k --initrd a/i
expect_eq "$(jpy '[d["kernel"], list(d["kernels"])]' <<<"$out")" \
	"[None, ['arm64']]" "an arm64-only distro: kernel (amd64) is null"
expect_exit 2 by distro set armonly --arch amd64 --kernel a/k
expect_contains "$err" "--initrd I is required for amd64" "new arch needs both"
expect_exit 2 by distro set armonly --remove-arch arm64
expect_contains "$err" "only kernel" "the last kernel stays"
expect_exit 2 by distro add bad0 --arch riscv64 --kernel k --initrd i
expect_exit 2 by distro add bad0 --arch 'amd64;x' --kernel k --initrd i
expect_exit 0 by --json distro set tiny --remove-arch arm64
expect_eq "$(jpy 'list(d["kernels"])' <<<"$out")" "['amd64']" "--remove-arch"
expect_exit 0 by distro rm armonly

# template validation (tmpl_validate) and other bad input: exit 2
before=$(snapshot)
printf 'hello {{no_such_variable}}\n' >"$TEST_TMP/bad.cfg"
expect_exit 2 by distro add bad1 --kernel k --initrd i --template "$TEST_TMP/bad.cfg"
expect_contains "$err" "template" "template rejected"
printf 'hello {{hostname\n' >"$TEST_TMP/bad2.cfg"
expect_exit 2 by distro add bad2 --kernel k --initrd i --template "$TEST_TMP/bad2.cfg"
printf 'nul\0byte\n' >"$TEST_TMP/nul.cfg"
expect_exit 2 by distro add bad3 --kernel k --initrd i --template "$TEST_TMP/nul.cfg"
expect_contains "$err" "NUL" "NUL byte in a template"
head -c 70000 /dev/zero | tr '\0' a >"$TEST_TMP/big.cfg"
expect_exit 2 by distro add bad4 --kernel k --initrd i --template "$TEST_TMP/big.cfg"
expect_contains "$err" "larger than" "template too large"
expect_exit 2 by distro add bad5 --kernel k --initrd i --template "$TEST_TMP/missing.cfg"
cp "$tpl" "$TEST_TMP/Preseed File.cfg"
expect_exit 2 by distro add bad6 --kernel k --initrd i --template "$TEST_TMP/Preseed File.cfg"
expect_contains "$err" "--template-name" "unservable file name"
expect_exit 2 by distro add bad7 --kernel /etc/passwd --initrd i
expect_exit 2 by distro add bad8 --kernel k --initrd ../../etc/shadow
expect_exit 2 by distro add bad9 --kernel k
expect_contains "$err" "--initrd I is required" "initrd required"
expect_exit 2 by distro add bad10 --initrd i
expect_exit 2 by distro add Bad --kernel k --initrd i
expect_exit 2 by distro add deb12 --kernel k --initrd i
expect_contains "$err" "already exists" "duplicate name"
expect_exit 2 by distro add x --kernel k --initrd i --template-name a.cfg
expect_exit 2 by distro set tiny --template "$tpl" --no-template
expect_exit 2 by distro add x --kernel k --initrd 1 --initrd 2 --initrd 3 \
	--initrd 4 --initrd 5
expect_eq "$(snapshot)" "$before" "rejected distros wrote nothing"

# rm
expect_exit 0 by distro rm tiny
expect_eq "$out" "distro tiny removed" "rm"
expect_exit 1 by distro rm tiny
expect_exit 1 by distro show tiny
expect_exit 0 by --json distro rm alma9
expect_eq "$(jpy 'd["removed"]' <<<"$out")" alma9 "json rm"
expect_exit 2 by distro rm
expect_exit 2 by distro frob
expect_exit 0 by distro --help
for sub in add set show list rm; do
	expect_exit 0 by distro $sub --help
	expect_contains "$out" "usage: bootyard distro $sub" "distro $sub --help"
done

# leases and events: rows as the lease hook and the HTTP service record
# them (written here with the sqlite3 shell; the CLI only reads them)
expect_exit 0 by leases --json
expect_eq "$out" "[]" "no leases yet"
expect_exit 0 by host add 52:54:00:00:00:01 --hostname known1
now=$(date +%s)
sqlite3 "$STATE/db/bootyard.db" <<SQL || fail "sqlite3 insert"
INSERT INTO leases (mac, ip, hostname, arch, vendor_class, user_class,
  state, expires, first_seen, last_seen) VALUES
 ('52:54:00:00:00:01', '198.18.0.101', 'known1', 0,
  'PXEClient:Arch:00000:UNDI:002001', 'iPXE', 'add', $now + 3600,
  $now - 100, $now - 50),
 ('52:54:00:00:00:02', '198.18.0.102', '', 7,
  'PXEClient:Arch:00007:UNDI:003016', '', 'old', 0, $now - 90, $now - 10);
INSERT INTO events (ts_ms, mac, kind, detail) VALUES
 (${now}000 - 5000, '52:54:00:00:00:01', 'dhcp-add', '198.18.0.101'),
 (${now}000 - 4000, '52:54:00:00:00:02', 'dhcp-add', '198.18.0.102'),
 (${now}000 - 3000, '52:54:00:00:00:01', 'tftp-sent', 'pxelinux.0'),
 (${now}000 - 2000, '52:54:00:00:00:01', 'config', 'local sanboot');
SQL
expect_exit 0 by leases --json
expect_eq "$(jpy '[(l["mac"], l["known"], l["arch"]) for l in d]' <<<"$out")" \
	"[('52:54:00:00:00:02', False, 7), ('52:54:00:00:00:01', True, 0)]" \
	"leases newest first, known flag"
expect_exit 0 by leases --unknown --json
expect_eq "$(jpy '[l["mac"] for l in d]' <<<"$out")" "['52:54:00:00:00:02']" \
	"leases --unknown"
expect_exit 0 by leases
expect_contains "$out" "PXEClient:Arch:00007" "leases table"
expect_exit 0 by events --json
expect_eq "$(jpy '[e["kind"] for e in d]' <<<"$out")" \
	"['dhcp-add', 'dhcp-add', 'tftp-sent', 'config']" "events oldest first"
expect_exit 0 by events 5254.0000.0001 --json
expect_eq "$(jpy '[e["detail"] for e in d]' <<<"$out")" \
	"['198.18.0.101', 'pxelinux.0', 'local sanboot']" "events of one MAC"
expect_exit 0 by events 52-54-00-00-00-01 --limit 2 --json
expect_eq "$(jpy '[e["kind"] for e in d]' <<<"$out")" \
	"['tftp-sent', 'config']" "events --limit keeps the newest"
expect_exit 0 by events
expect_contains "$out" "local sanboot" "events table"
expect_exit 2 by events not-a-mac
expect_exit 2 by events --limit 0
expect_exit 2 by events --limit x
expect_exit 2 by leases extra
expect_exit 2 by leases --bogus
expect_exit 0 by leases --help
expect_exit 0 by events --help

done_checks
