#!/usr/bin/env bash
# Install the Debian packages listed in debian-packages.txt that are not
# installed yet. Idempotent: with everything present it only checks.
#
#   tests/lib/deps.sh                  install what is missing (make deps)
#   tests/lib/deps.sh --missing NAME   print, on one line, the packages of
#                                      the section "# NAME" of the list
#                                      (up to the next comment line) that
#                                      are not installed; nothing when all
#                                      are, or on a system without dpkg.
#                                      The Makefile's build guard uses it.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
if [[ ${1:-} == --missing ]]; then
	command -v dpkg-query >/dev/null || exit 0
	# bash only: a fresh machine may have no awk yet
	want=() in_s=0
	while IFS= read -r line; do
		if [[ $line == '#'* ]]; then
			in_s=0
			[[ $line == "# ${2:?usage: deps.sh --missing SECTION}" ]] && in_s=1
		elif ((in_s)) && [[ $line =~ ^[[:space:]]*([^[:space:]#]+) ]]; then
			want+=("${BASH_REMATCH[1]}")
		fi
	done <"$top/debian-packages.txt"
	((${#want[@]})) || exit 0
	declare -A have=()
	while read -r st p; do
		[[ $st == ii* ]] && have[$p]=1
	done < <(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' "${want[@]}" 2>/dev/null || true)
	missing=()
	for p in "${want[@]}"; do
		[[ -n ${have[$p]:-} ]] || missing+=("$p")
	done
	echo "${missing[*]}"
	exit 0
fi
mapfile -t want < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$top/debian-packages.txt")
missing=()
for p in "${want[@]}"; do
	p=${p//[[:space:]]/}
	st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	[[ $st == ii* ]] || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
	echo "deps: all ${#want[@]} packages installed"
	exit 0
fi
echo "deps: installing ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
	echo "deps: not root; run: sudo apt-get install ${missing[*]}" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Wait for another apt (a second make, unattended-upgrades) instead of failing.
lock=(-o DPkg::Lock::Timeout=900)
apt-get "${lock[@]}" update -qq
# nginx-light must not start a system service on port 80: the benchmarks
# start their own nginx. policy-rc.d keeps maintainer scripts from starting it.
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get "${lock[@]}" install -y -qq --no-install-recommends "${missing[@]}"
