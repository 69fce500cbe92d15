#!/usr/bin/env bash
# Two processes each apply 500 `host set` updates to the same host in the
# same database at once: every command succeeds (no "database is locked"
# reaching the user) and no update is lost.
#
# Update i of writer W removes attribute W.(i-1) and sets W.i. If an
# update of one writer were lost (the other wrote back a copy of the host
# it had read before), a removed W.(i-1) would come back and stay: the
# end state must hold exactly a.N and b.N, besides the count of each.
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/cli/lib.bash"

# 500 each; 200 in the sanitizer run (an ASan process starts slowly, and
# the same code already ran 500 times in the plain run).
N=${CONCURRENCY_N:-500}
if [[ -z ${CONCURRENCY_N:-} ]] && ldd "$BOOTYARD" 2>/dev/null | grep -q libasan; then
	N=200
fi
check "setup" by host add 52:54:00:00:10:01 --hostname shared --attr a.0=0 \
	--attr b.0=0

# writer KEY: N updates of attribute KEY; failures are counted in a file
writer() {
	local key=$1 i fails=0
	for ((i = 1; i <= N; i++)); do
		by host set shared --unset-attr "$key.$((i - 1))" \
			--attr "$key.$i=$i" --attr "$key=$i" >/dev/null \
			2>>"$TEST_TMP/$key.err" || fails=$((fails + 1))
	done
	echo "$fails" >"$TEST_TMP/$key.fails"
}

t0=$SECONDS
writer a &
pa=$!
writer b &
pb=$!
on_exit "kill $pa $pb 2>/dev/null"
timeout 300 bash -c "while kill -0 $pa 2>/dev/null || kill -0 $pb 2>/dev/null; do sleep 0.2; done" ||
	fail "writers did not finish in 300 s"
wait $pa $pb
echo "# $((2 * N)) updates in $((SECONDS - t0)) s"

expect_eq "$(cat "$TEST_TMP/a.fails") $(cat "$TEST_TMP/b.fails")" "0 0" \
	"every update succeeded"
expect_eq "$(cat "$TEST_TMP/a.err" "$TEST_TMP/b.err")" "" "nothing on stderr"
expect_exit 0 by host show shared --json
expect_eq "$(jpy 'sorted(d["attrs"].items())' <<<"$out")" \
	"[('a', '$N'), ('a.$N', '$N'), ('b', '$N'), ('b.$N', '$N')]" \
	"no update lost"

done_checks
