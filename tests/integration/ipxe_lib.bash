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
# Every test shares one cache of build trees and results:
# $BOOTYARD_IPXE_CACHE, default $BUILD/ipxe-cache. The first test of a CI
# run builds iPXE (about 2-4 minutes on 2 busy cores); the others relink
# in the cached tree (a new CA or script) or hit the cache.

export BOOTYARD_IPXE_CACHE=${BOOTYARD_IPXE_CACHE:-$BUILD/ipxe-cache}
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
