# tests/lib/common.sh - sourced by every test script.
#
# Gives: fail MSG, skip MSG, check DESC CMD..., expect_exit CODE CMD...,
# expect_eq A B DESC, expect_contains HAYSTACK NEEDLE DESC,
# on_exit CMD (cleanup run at exit, last registered first),
# conf_print ARRAY [section.key=value...] (a bootyard configuration), and
# a per-test scratch directory $TEST_TMP.
set -uo pipefail
: "${TOP:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${BUILD:=$TOP/build}"
: "${BOOTYARD:=$BUILD/bootyard}"
: "${BOOTYARD_LEASE:=$BUILD/bootyard-lease}"
if [[ -z ${TEST_TMP:-} ]]; then
	TEST_TMP=$(mktemp -d /tmp/bootyard-test.XXXXXX)
	_by_own_tmp=1
fi
export TOP BUILD BOOTYARD BOOTYARD_LEASE TEST_TMP

_by_cleanups=()
on_exit() { _by_cleanups=("$*" "${_by_cleanups[@]}"); }
_by_run_cleanups() {
	local c
	for c in "${_by_cleanups[@]}"; do eval "$c" || true; done
	[[ -n ${_by_own_tmp:-} ]] && rm -rf "$TEST_TMP"
}
trap _by_run_cleanups EXIT

_by_checks=0
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "skip: $*"; exit 77; }
ok() { _by_checks=$((_by_checks + 1)); echo "ok $_by_checks - $*"; }

# check DESC CMD... : CMD must succeed.
check() {
	local desc=$1; shift
	"$@" || fail "$desc (command: $*)"
	ok "$desc"
}

# expect_exit CODE CMD... : CMD must exit with CODE; its output is kept in
# $out (stdout) and $err (stderr).
expect_exit() {
	local want=$1; shift
	local rc
	out=$("$@" 2>"$TEST_TMP/.stderr"); rc=$?
	err=$(cat "$TEST_TMP/.stderr")
	[[ $rc == "$want" ]] || fail "expected exit $want, got $rc: $* (stderr: $err)"
	ok "exit $want: $*"
}

expect_eq() {
	[[ $1 == "$2" ]] || fail "${3:-values differ}: got '$1', want '$2'"
	ok "${3:-equal}"
}

expect_contains() {
	[[ $1 == *"$2"* ]] || fail "${3:-missing text}: '$2' not in: $1"
	ok "${3:-contains $2}"
}

# done_checks: end a test; a test that checked nothing fails.
done_checks() {
	((_by_checks > 0)) || fail "no checks ran"
	echo "$_by_checks checks passed"
	exit 0
}

# conf_print ARRAY [section.key=value...]: print the bootyard
# configuration held in the associative array named ARRAY (keys
# section.key), after the arguments set or override keys in it, section
# by section.
conf_print() {
	local -n _by_conf=$1
	local kv sec key
	shift
	for kv in "$@"; do
		_by_conf[${kv%%=*}]=${kv#*=}
	done
	for sec in appliance dhcp http ipxe admin boot; do
		echo "[$sec]"
		for key in "${!_by_conf[@]}"; do
			[[ ${key%%.*} == "$sec" ]] && echo "${key#*.} = ${_by_conf[$key]}"
		done
	done
}
