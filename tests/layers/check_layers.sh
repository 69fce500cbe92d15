#!/bin/bash
# check_layers.sh - fail when an #include points the wrong way.
#
# The layers, lowest first (docs/architecture.md):
#   0 common/                      log, text, validation, interfaces
#   1 db/                          the storage API and its backends
#   2 appliance/core/              config, the boot decision, renderers
#   3 appliance/dhcp/ appliance/build/   dnsmasq and the lease parser;
#                                  iPXE, TFTP tree, grub, PKI, import
#   3 appliance/power/             power drivers (ipmitool, Wake-on-LAN)
#   4 http/                        the HTTP service
#   5 appliance/bootyard.h, main.c the program: command table
#   6 appliance/daemon/ appliance/cli/ dhcp-hooks/   what runs
# A file may include its own group and any lower layer; two groups of the
# same layer never include each other. Tests may include anything.
#
# usage: check_layers.sh [ROOT]   (prints each wrong include; exit 1 if any)
set -u -o pipefail
root=${1:-.}
cd "$root" || exit 2

# One awk pass over every include: group() gives "RANK GROUP" of a path.
find common db appliance http dhcp-hooks -name '*.[ch]' | sort |
	xargs grep -Hn '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' |
	awk -F: '
	function group(p) {
		if (p ~ /^common\//) return "0 common"
		if (p ~ /^db\//) return "1 db"
		if (p ~ /^appliance\/core\//) return "2 core"
		if (p ~ /^appliance\/dhcp\//) return "3 dhcp"
		if (p ~ /^appliance\/build\//) return "3 build"
		if (p ~ /^appliance\/power\//) return "3 power"
		if (p ~ /^http\//) return "4 http"
		if (p ~ /^appliance\/daemon\//) return "6 daemon"
		if (p ~ /^appliance\/cli\//) return "6 cli"
		if (p ~ /^dhcp-hooks\//) return "6 hook"
		if (p ~ /^appliance\/[^\/]*$/) return "5 program"
		return ""
	}
	{
		file = $1; line = $2
		inc = $0; sub(/^[^"]*"/, "", inc); sub(/".*/, "", inc)
		n++
		split(group(file), f, " ")
		g = group(inc)
		if (g == "") {
			printf "%s:%s: includes \"%s\", which is in no layer\n", file, line, inc
			bad++; next
		}
		split(g, i, " ")
		if (i[2] != f[2] && i[1] + 0 >= f[1] + 0) {
			printf "%s:%s: %s (layer %s) includes \"%s\" (%s, layer %s): includes point down only\n", file, line, f[2], f[1], inc, i[2], i[1]
			bad++
		}
	}
	END {
		if (bad) { printf "check-layers: %d include(s) point the wrong way\n", bad; exit 1 }
		printf "check-layers: %d includes, all pointing down\n", n
	}'
