#!/usr/bin/env bash
# The HTTP integration suites (every endpoint, the hostile table, TLS, the
# address checks of dhcp mode, the log hygiene table) once more against
# the ASan + UBSan build of bootyard: any sanitizer report or leak in the
# daemon fails. Skipped without a sanitizer build ($SAN_BUILD, default
# build-san: `make SANITIZER=address,undefined`).
source "$TOP/tests/lib/common.sh"
SANB=${SAN_BUILD:-$TOP/build-san}
[[ -x $SANB/bootyard ]] || skip "no sanitizer build in $SANB"
[[ $(ldd "$SANB/bootyard") == *libasan* ]] || fail "$SANB/bootyard is not an ASan build"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=99
for t in http_endpoints http_hostile http_tls http_boot_auth http_log_hygiene; do
	mkdir -p "$TEST_TMP/$t"
	BOOTYARD=$SANB/bootyard TEST_TMP=$TEST_TMP/$t \
		timeout 300 "$TOP/tests/integration/$t.sh" >"$TEST_TMP/$t.log" 2>&1 ||
		fail "$t under ASan: $(tail -n 20 "$TEST_TMP/$t.log")"
	ok "$t under ASan + UBSan ($(grep -c '^ok' "$TEST_TMP/$t.log") checks)"
done
done_checks
