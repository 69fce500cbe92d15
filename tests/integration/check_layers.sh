#!/usr/bin/env bash
# make check-layers passes on the tree, and fails, naming the file, the
# line and both layers, when an include points up (common → daemon) or
# sideways (build → dhcp), planted in a copy of the sources.
source "$TOP/tests/lib/common.sh"

check=$TOP/tests/layers/check_layers.sh
out=$("$check" "$TOP" 2>&1) || fail "the tree itself: $out"
expect_contains "$out" "all pointing down" "tree passes"

copy=$TEST_TMP/tree
mkdir -p "$copy"
(cd "$TOP" && tar cf - common db appliance http dhcp-hooks) | tar xf - -C "$copy"

plant() { # FILE INCLUDE EXPECTED-TEXT
	cp "$copy/$1" "$TEST_TMP/orig"
	echo "#include \"$2\"" >>"$copy/$1"
	local rc=0
	out=$("$check" "$copy" 2>&1) || rc=$?
	cp "$TEST_TMP/orig" "$copy/$1"
	expect_eq "$rc" 1 "$1 → $2 fails"
	expect_contains "$out" "$3" "$1 → $2 named"
}
plant common/log.h appliance/daemon/privdrop.h \
	"common/log.h:$(($(wc -l <"$copy/common/log.h") + 1)): common (layer 0) includes \"appliance/daemon/privdrop.h\" (daemon, layer 6)"
plant db/db.h appliance/core/config.h "db (layer 1) includes \"appliance/core/config.h\" (core, layer 2)"
plant appliance/core/decide.c http/http.h "core (layer 2) includes \"http/http.h\" (http, layer 4)"
plant appliance/build/tftproot.c appliance/dhcp/dnsmasq.h "build (layer 3) includes \"appliance/dhcp/dnsmasq.h\" (dhcp, layer 3)"
plant appliance/daemon/serve.c appliance/cli/cli.h "daemon (layer 6) includes \"appliance/cli/cli.h\" (cli, layer 6)"
plant http/server.c nowhere/x.h "includes \"nowhere/x.h\", which is in no layer"

out=$("$check" "$copy" 2>&1) || fail "restored copy: $out"
done_checks
