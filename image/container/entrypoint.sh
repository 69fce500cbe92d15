#!/bin/sh
# container-entrypoint - bootyard's container entry point.
#
# Writes the configuration, then execs `bootyard -c CONF "$@"` (default:
# serve), so that bootyard is PID 1 and gets the container's signals.
#
# Configuration, in this order:
#   1. /etc/bootyard/bootyard.conf (mount your own over it: -v FILE:...:ro)
#   2. environment variables BOOTYARD_<SECTION>_<KEY>=VALUE override
#      single keys, e.g. BOOTYARD_APPLIANCE_INTERFACE=eth1,
#      BOOTYARD_DHCP_MODE=proxy, BOOTYARD_DHCP_RANGE=10.0.0.100,10.0.0.200
#   3. BOOTYARD_ADMIN_TOKEN=SECRET (16 characters or more) sets the admin
#      API token; without it (and without BOOTYARD_ADMIN_TOKEN_FILE) a
#      random token is made once in the state volume
#      (/var/lib/bootyard/admin.token) unless the configuration names
#      a token_file that exists.
# The result is /run/bootyard/bootyard.conf.
set -eu

src=/etc/bootyard/bootyard.conf
conf=/run/bootyard/bootyard.conf
state=/var/lib/bootyard
mkdir -p /run/bootyard
chmod 0755 /run/bootyard

[ -r "$src" ] || : >"$src"

# The state volume may be a fresh bind mount owned by someone else, or
# the volume of an older image that gave it to the service user. The
# trust boundary (docs/deploy.md): it is root's; `bootyard serve` makes
# db/ (the only place the "bootyard" user writes, through its group) and
# moves an older volume's bootyard.db there. dnsmasq and the HTTP service
# run as that user (serve drops them; the container keeps CAP_SETUID and
# CAP_SETGID by default).
chown root:root "$state" 2>/dev/null || true
chmod 0755 "$state" 2>/dev/null || true

# The keys set in the environment, as "section key value" lines.
overrides=$(env | sed -n 's/^BOOTYARD_\([A-Z]*\)_\([A-Z_]*\)=\(.*\)$/\1 \2 \3/p' |
	grep -v '^ADMIN TOKEN ' |
	while read -r sec key val; do
		sec=$(echo "$sec" | tr 'A-Z' 'a-z')
		key=$(echo "$key" | tr 'A-Z' 'a-z')
		case $sec in
		appliance | dhcp | http | ipxe | admin | boot) ;;
		*) echo "bootyard: ignoring BOOTYARD_* variable for unknown section [$sec]" >&2
			continue ;;
		esac
		printf '%s %s %s\n' "$sec" "$key" "$val"
	done)

# The token: from the environment, or one per state volume.
if [ -n "${BOOTYARD_ADMIN_TOKEN:-}" ]; then
	[ ${#BOOTYARD_ADMIN_TOKEN} -ge 16 ] ||
		echo "bootyard: BOOTYARD_ADMIN_TOKEN is shorter than 16 characters: the admin API will refuse it" >&2
	(umask 077; printf '%s\n' "$BOOTYARD_ADMIN_TOKEN" >/run/bootyard/admin.token)
	chgrp bootyard /run/bootyard/admin.token 2>/dev/null &&
		chmod 0640 /run/bootyard/admin.token
	overrides="$overrides
admin token_file /run/bootyard/admin.token"
elif [ -z "${BOOTYARD_ADMIN_TOKEN_FILE:-}" ]; then
	tf=$(awk -F= '/^\[/ { s = $0 } s == "[admin]" && $1 ~ /^[ \t]*token_file[ \t]*$/ {
		v = $2; gsub(/^[ \t]+|[ \t]+$/, "", v); print v }' "$src" | tail -n 1)
	if [ -z "$tf" ] || [ ! -e "$tf" ]; then
		tf=$state/admin.token
		if [ ! -s "$tf" ]; then
			(umask 027
			 od -An -N24 -tx1 /dev/urandom | tr -d ' \n' >"$tf"
			 echo >>"$tf")
			chgrp bootyard "$tf" 2>/dev/null || true
			echo "bootyard: made an admin token in $tf (in the state volume)" >&2
		fi
		overrides="$overrides
admin token_file $tf"
	fi
fi

# The configuration: the file without the overridden keys, then the
# overrides, each in its own section block.
printf '%s\n' "$overrides" | awk -v src="$src" '
	NF >= 2 { sec = $1; key = $2; val = $0
		sub(/^[^ ]+ [^ ]+ ?/, "", val)
		ov[sec, key] = val; order[++n] = sec SUBSEP key }
	END {
		while ((getline line < src) > 0) {
			if (line ~ /^[ \t]*\[/) {
				cur = line; gsub(/[][ \t]/, "", cur)
			} else if (line ~ /^[ \t]*[a-z_]+[ \t]*=/) {
				k = line; sub(/[ \t]*=.*/, "", k); gsub(/[ \t]/, "", k)
				if ((cur, k) in ov) continue
			}
			print line
		}
		for (i = 1; i <= n; i++) {
			split(order[i], p, SUBSEP)
			if (done[order[i]]++) continue
			printf "\n[%s]\n%s = %s\n", p[1], p[2], ov[p[1], p[2]]
		}
	}' >"$conf.new"
mv "$conf.new" "$conf"


[ $# -gt 0 ] || set -- serve
exec /usr/sbin/bootyard -c "$conf" "$@"
