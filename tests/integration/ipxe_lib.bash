# tests/integration/ipxe_lib.bash - shared by the iPXE image tests
# (tests/integration/ipxe_*.sh, tests/e2e/https_*.sh). Source after
# tests/lib/common.sh. (Not named *.sh: tests/run.sh would run it.)
#
#   ipxe_require        skip (77) unless an iPXE source ($IPXE_SRC) and the
#                       build tools are here
#   ipxe_conf FILE STATE [LINES...]
#                       a bootyard.conf for the lab address 198.18.0.1 with
#                       HTTPS on :443 and the serial build configuration;
#                       extra "section.key = value" lines are appended in
#                       their section
#
# Every test shares one cache of build trees and results,
# $BOOTYARD_IPXE_CACHE: the first build in it compiles iPXE (532 s in CI,
# x86 and arm64), the others relink in the cached tree (a new CA or
# script, seconds) or hit the cache. By default it is kept between runs
# (CI keeps /var/cache/bootyard on a machine, $BOOTYARD_CACHE), as
# ipxe-cache-KEY, KEY a hash of everything that decides how the tree is
# built: the iPXE source, the build configurations (image/ipxe/), the
# builder (appliance/build/ipxe_build.[ch], appliance/core/arch.[ch]) and
# the versions of make, the compilers and the linkers. So a CI run
# compiles iPXE from a cold tree (and integration/ipxe_build checks that
# build) on a new machine and whenever one of these changed, and relinks
# otherwise. The key is computed by this file: a cache dir that is not
# writable, or an iPXE source that is a directory, gives
# $BUILD/ipxe-cache (cold once per build directory, as before).
# BOOTYARD_IPXE_CACHE set by the caller wins.
ipxe_cache_key() {
	{
		sha256sum <"$IPXE_SRC"
		(cd "$TOP" && find image/ipxe -type f -print0 | sort -z |
			xargs -0 sha256sum &&
			sha256sum appliance/build/ipxe_build.[ch] appliance/core/arch.[ch])
		local t
		for t in make gcc ld aarch64-linux-gnu-gcc aarch64-linux-gnu-ld; do
			command -v "$t" >/dev/null && "$t" --version 2>&1 | head -n1
		done
	} | sha256sum | cut -c1-16
}
ipxe_cache_dir() {
	local keep=${BOOTYARD_CACHE:-/var/cache/bootyard} key
	if [[ -n ${IPXE_SRC:-} && -f $IPXE_SRC ]] && mkdir -p "$keep" 2>/dev/null &&
		[[ -w $keep ]] && key=$(ipxe_cache_key) && [[ ${#key} == 16 ]]; then
		# the caches of builders and sources not used for a week go
		find "$keep" -maxdepth 1 -name 'ipxe-cache-*' -mtime +7 \
			-exec rm -rf {} + 2>/dev/null
		mkdir -p "$keep/ipxe-cache-$key" && touch "$keep/ipxe-cache-$key" &&
			echo "$keep/ipxe-cache-$key" && return
	fi
	echo "$BUILD/ipxe-cache"
}
BOOTYARD_IPXE_CACHE=${BOOTYARD_IPXE_CACHE:-$(ipxe_cache_dir)}
export BOOTYARD_IPXE_CACHE
IPXE_IMAGES=(ipxe.lkrn undionly.kpxe ipxe.efi snponly.efi)

ipxe_require() {
	[[ -n ${IPXE_SRC:-} ]] || skip "no iPXE source: set IPXE_SRC (tests/run.sh finds ../shared/vendor/ipxe)"
	[[ -e $IPXE_SRC ]] || skip "IPXE_SRC=$IPXE_SRC does not exist"
	local t
	for t in make gcc ld perl openssl tar xz; do
		command -v "$t" >/dev/null || skip "iPXE build needs $t"
	done
	[[ -f /usr/include/lzma.h ]] || skip "iPXE build needs liblzma-dev"
}

# ipxe_conf FILE STATE [section.key=value...]
ipxe_conf() {
	local file=$1 state=$2
	shift 2
	declare -A v=(
		[appliance.state_dir]=$state
		[appliance.server_address]=198.18.0.1
		[appliance.user]=root
		[http.listen]=198.18.0.1:80
		[http.tls_listen]=198.18.0.1:443
		[http.access_log]=$state/access.log
		[http.files_dir]=$state/files
		[admin.listen]=off
		[ipxe.build_config]=serial
	)
	mkdir -p "$state"
	conf_print v "$@" >"$file"
}

# ipxe_sums DIR: sha256 of every image in DIR, one line each.
ipxe_sums() {
	(cd "$1" && sha256sum "${IPXE_IMAGES[@]}" 2>&1)
}
