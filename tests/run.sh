#!/usr/bin/env bash
# Run bootyard's test suites and print one closing line "N passed, N failed".
#
#   tests/run.sh [SUITE...]     SUITE: unit cli integration e2e san
#                               (default: all; san = unit + cli again under
#                               ASan+UBSan, skipped with BOOTYARD_NO_SAN=1)
#   TESTS=PATTERN tests/run.sh  only tests whose name matches the glob
#
# Unit tests are the cmocka binaries build/tests/test_*; the other suites
# are the executable scripts tests/<suite>/*.sh. A script exits 0 (pass),
# 77 (skip, with the reason on its last line) or anything else (fail).
# Scripts get BOOTYARD, BOOTYARD_LEASE, TOP, BUILD and a fresh TEST_TMP.
set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
SAN_BUILD=${SAN_BUILD:-$TOP/build-san}
LOGS=$BUILD/test-logs
mkdir -p "$LOGS"
export TOP
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=99}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=99}
if [[ -z ${IPXE_SRC:-} ]]; then
	for f in "$TOP"/../shared/vendor/ipxe/ipxe-*.tar.xz; do
		[[ -f $f ]] && export IPXE_SRC=$f
	done
fi

passed=0 failed=0 skipped=0
failures=()
fail_reasons=()
flaky=()

# run_attempt LOG BUILDDIR CMD... : run a test once into LOG; its exit code.
run_attempt() {
	local log=$1 bdir=$2 tmp rc
	shift 2
	tmp=$(mktemp -d /tmp/bootyard-test.XXXXXX)
	(
		export BUILD=$bdir BOOTYARD=$bdir/bootyard
		export BOOTYARD_LEASE=$bdir/bootyard-lease TEST_TMP=$tmp
		cd "$TOP" && "$@"
	) >"$log" 2>&1 </dev/null
	rc=$?
	rm -rf "$tmp"
	return $rc
}

# run_one NAME BUILDDIR CMD... : run a test with a log, report its result.
# An end-to-end test (QEMU clients under TCG on a shared machine) that
# fails is run once more; passing then, it counts as passed and is
# reported as FLAKY with the first attempt's reason and log, in the
# summary too. BOOTYARD_NO_RETRY=1 turns the second attempt off.
run_one() {
	local name=$1 bdir=$2
	shift 2
	if [[ -n ${TESTS:-} && $name != $TESTS ]]; then
		return
	fi
	local log="$LOGS/${name//\//_}.log" t0=$SECONDS rc
	run_attempt "$log" "$bdir" "$@"
	rc=$?
	if ((rc != 0 && rc != 77)) && [[ $name == e2e/* && -z ${BOOTYARD_NO_RETRY:-} ]]; then
		local first="${log%.log}.attempt1.log" why
		mv "$log" "$first"
		why=$(grep -m1 '^FAIL: ' "$first" | cut -c7-300)
		printf 'RETRY %-49s %4ds (exit %d, first attempt: %s)\n' "$name" \
			"$((SECONDS - t0))" "$rc" "$first"
		printf '    why: %s\n' "$why"
		tail -n 60 "$first" | sed 's/^/    | /'
		run_attempt "$log" "$bdir" "$@"
		rc=$?
		((rc == 0)) && flaky+=("$name: first attempt: $why")
	fi
	local dt=$((SECONDS - t0))
	if ((rc == 0)); then
		passed=$((passed + 1))
		printf 'PASS %-50s %4ds\n' "$name" "$dt"
	elif ((rc == 77)); then
		skipped=$((skipped + 1))
		printf 'SKIP %-50s %s\n' "$name" "$(tail -n1 "$log")"
	else
		failed=$((failed + 1))
		failures+=("$name")
		printf 'FAIL %-50s %4ds (exit %d, log %s)\n' "$name" "$dt" "$rc" "$log"
		# The reason first: CI keeps only part of a long output.
		grep -m1 '^FAIL: ' "$log" | sed 's/^/    why: /'
		tail -n 30 "$log" | sed 's/^/    | /'
		fail_reasons+=("$name: $(grep -m1 '^FAIL: ' "$log" | cut -c7-200)")
	fi
}

# The storage tests (test_db*) run on SQLite and on PostgreSQL: one
# private PostgreSQL 15 cluster for the run (tests/lib/pg.sh), stopped at
# exit. Missing with BOOTYARD_REQUIRE_PG set (CI: .ci/run) is a failure,
# not a skip: CI installs postgresql-15.
pg_for_unit() {
	[[ -n ${BOOTYARD_TEST_PG_SOCK:-} ]] && return 0
	. "$TOP/tests/lib/pg.sh"
	if ! pg_available; then
		if [[ -n ${BOOTYARD_REQUIRE_PG:-} ]]; then
			echo "FAIL: PostgreSQL 15 is not installed (postgresql-15): the storage tests must run on it" >&2
			exit 1
		fi
		echo "NOTE: PostgreSQL 15 not installed: storage tests on SQLite only"
		return 0
	fi
	pg_start || { echo "FAIL: could not start a test PostgreSQL" >&2; exit 1; }
	trap pg_stop EXIT
	export BOOTYARD_TEST_PG_SOCK=$PG_SOCK
}

suite_unit() { # BUILDDIR PREFIX
	local t
	pg_for_unit
	for t in "$1"/tests/test_*; do
		[[ -x $t ]] || continue
		run_one "$2unit/$(basename "$t")" "$1" "$t"
	done
}

suite_scripts() { # SUITE BUILDDIR PREFIX
	local t
	for t in "$TOP"/tests/"$1"/*.sh; do
		[[ -x $t ]] || continue
		run_one "$3$1/$(basename "$t" .sh)" "$2" "$t"
	done
}

suites=("$@")
((${#suites[@]})) || suites=(unit cli integration e2e san)
for s in "${suites[@]}"; do
	case $s in
	unit) suite_unit "$BUILD" "" ;;
	cli | integration | e2e) suite_scripts "$s" "$BUILD" "" ;;
	san)
		if [[ -n ${BOOTYARD_NO_SAN:-} || ! -x $SAN_BUILD/bootyard ]]; then
			echo "SKIP san: no sanitizer build (make SANITIZER=address,undefined)"
			continue
		fi
		suite_unit "$SAN_BUILD" "san/"
		suite_scripts cli "$SAN_BUILD" "san/"
		;;
	*) echo "unknown suite $s" >&2; exit 2 ;;
	esac
done

((failed)) && printf 'failed: %s\n' "${failures[*]}" &&
	printf '  %s\n' "${fail_reasons[@]}"
((${#flaky[@]})) && printf 'FLAKY (failed once, passed when run again):\n' &&
	printf '  %s\n' "${flaky[@]}"
echo "$passed passed, $failed failed, $skipped skipped, ${#flaky[@]} flaky"
((failed == 0))
