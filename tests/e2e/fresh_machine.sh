#!/usr/bin/env bash
# e2e/fresh_machine: the README's first command on a fresh Debian 12
# machine. A minimal Debian 12 root (mmdebstrap, variant apt, plus make,
# git and ca-certificates, from the archive this machine uses) gets a
# clean export of the committed tree (git archive HEAD) in /root/bootyard;
# then, in a chroot with its own /proc, /sys, /dev and /run, as root:
#   1. `make` before anything is installed stops at once with one line
#      naming the missing packages and `make deps` (no compiler error)
#   2. `make demo` from nothing: it installs the packages (make deps),
#      builds, and the demo client installs once and then reaches its
#      local disk (DISK-OK)
#   3. the unit and CLI suites in the same root (make check-quick
#      SUITES='unit cli')
# and it prints how long each step took. Nothing of this machine's
# installed packages is used; the base tarball and the downloaded .debs
# and package lists are cached in $BOOTYARD_CACHE/fresh-machine (default
# /var/cache/bootyard) so that a second run downloads (almost) nothing.
# Skipped (77) when the archive does not answer, without mmdebstrap, or
# with BOOTYARD_SKIP_FRESH=1. On 2 shared cores: cold (empty cache) about
# 17 min (mmdebstrap 6.5, make deps 6.5 of it), warm about 4 min (make
# demo 165 s: make deps ~100 s, build ~15 s, demo ~46 s; the suites 45 s).
# The logs go to BUILD/test-logs/fresh_machine/.
#
# The chroot runs in its own mount and PID namespaces (unshare): every
# mount, process and network namespace made inside goes away with it.
source "$TOP/tests/lib/common.sh"

[[ -z ${BOOTYARD_SKIP_FRESH:-} ]] || skip "BOOTYARD_SKIP_FRESH is set"
[[ $(id -u) == 0 ]] || skip "needs root (chroot, mounts, namespaces)"
for c in mmdebstrap unshare chroot curl tar timeout; do
	command -v "$c" >/dev/null || skip "no $c (make deps)"
done
CACHE=${BOOTYARD_CACHE:-/var/cache/bootyard}/fresh-machine
mirror=$("$TOP/image/base.sh" --mirror)
curl -fsI --max-time 15 -o /dev/null "$mirror/dists/bookworm/Release" ||
	skip "the Debian archive $mirror does not answer: cannot build a fresh machine"
LOGS=$BUILD/test-logs/fresh_machine
rm -rf "$LOGS"
mkdir -p "$LOGS" "$CACHE/apt-archives/partial" "$CACHE/apt-lists/partial"
ROOT=$TEST_TMP/root
t_all=$SECONDS

times=()
step_name='' step_t0=0
step() {
	step_name=$1 step_t0=$SECONDS
	echo "== $step_name"
}
step_done() {
	local dt=$((SECONDS - step_t0))
	times+=("$(printf '%5d s  %s' "$dt" "$step_name")")
	echo "time: $dt s: $step_name"
}

# stamp: each line with the seconds since the start of the step.
stamp() {
	local t0=$SECONDS line
	while IFS= read -r line; do
		printf '[%4d] %s\n' $((SECONDS - t0)) "$line"
	done
}

# in_root LOG CMD: run the shell line CMD as root in /root/bootyard of the
# fresh root, with a clean environment, its output (time-stamped) in LOG;
# CMD's exit status. The root is a mount point of its own (`ip netns add`
# needs one), with proc, sysfs, /dev and a tmpfs /run; the apt caches are
# the project's. All in private mount and PID namespaces: when CMD ends,
# whatever it left running is killed and every mount goes.
in_root() {
	local log=$1 cmd=$2
	timeout --kill-after=30 "${FRESH_TIMEOUT:-2400}" \
		unshare --mount --propagation private --pid --fork --kill-child -- \
		/bin/bash -c '
		set -e
		r=$1 c=$2 cmd=$3
		mount --bind "$r" "$r"
		mount -t proc proc "$r/proc"
		mount --rbind /sys "$r/sys"
		mount --rbind /dev "$r/dev"
		mount -t tmpfs -o mode=755 tmpfs "$r/run"
		mount --bind "$c/apt-archives" "$r/var/cache/apt/archives"
		mount --bind "$c/apt-lists" "$r/var/lib/apt/lists"
		exec chroot "$r" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			/bin/bash -c "cd /root/bootyard && $cmd"' \
		in_root "$ROOT" "$CACHE" "$cmd" </dev/null 2>&1 | stamp >"$log"
	return "${PIPESTATUS[0]}"
}

# no_leftovers: no process runs in the root, nothing of it is mounted here.
no_leftovers() {
	local p
	for p in /proc/[0-9]*; do
		[[ $(readlink "$p/root" 2>/dev/null) == "$ROOT"* ]] &&
			fail "process ${p#/proc/} still runs in the fresh root: $(tr '\0' ' ' <"$p/cmdline")"
	done
	if findmnt -rn -o TARGET | grep -qF "$ROOT"; then
		fail "mounts of the fresh root left behind: $(findmnt -rn -o TARGET | grep -F "$ROOT" | head -n 3)"
	fi
	return 0
}

# show_fail LOG MSG: the end of LOG, then fail.
show_fail() {
	echo "--- last lines of $1"
	tail -n 50 "$1"
	fail "$2 (log: $1)"
}

step "base root: mmdebstrap bookworm, variant apt, make git ca-certificates ($mirror)"
cached=no
base=$(BASE_CACHE=$CACHE "$TOP/image/base.sh" make git ca-certificates 2>"$LOGS/base.log")
rc=$?
((rc == 77)) && skip "$(tail -n 1 "$LOGS/base.log")"
((rc == 0)) || show_fail "$LOGS/base.log" "mmdebstrap failed"
grep -q 'base: built' "$LOGS/base.log" || cached=yes
echo "base tarball $base (cached: $cached)"
rm -rf "$ROOT" # a root left by an earlier run with the same TEST_TMP
mkdir -p "$ROOT"
tar -C "$ROOT" -xf "$base" || fail "cannot unpack $base"
rm -f "$ROOT/etc/resolv.conf"
cat /etc/resolv.conf >"$ROOT/etc/resolv.conf"
# No fsync per file: the root is thrown away; only saves time.
echo force-unsafe-io >"$ROOT/etc/dpkg/dpkg.cfg.d/bootyard-fresh-test"
debs_before=$(find "$CACHE/apt-archives" -maxdepth 1 -name '*.deb' | wc -l)
step_done

step "a clean export of the checkout into /root/bootyard"
SRC=$ROOT/root/bootyard
mkdir -p "$SRC"
if rev=$(git -C "$TOP" rev-parse --verify -q HEAD 2>/dev/null); then
	git -C "$TOP" archive --format=tar HEAD | tar -C "$SRC" -x ||
		fail "git archive HEAD failed"
	echo "tree: commit $rev (git archive HEAD)"
	[[ -z $(git -C "$TOP" status --porcelain --untracked-files=no 2>/dev/null) ]] ||
		echo "note: the checkout has uncommitted changes; this tests the commit"
else
	tar -C "$TOP" --exclude=./.git --exclude=./build --exclude=./build-san \
		--exclude=./lab -cf - . | tar -C "$SRC" -x || fail "cannot copy the tree"
	echo "tree: a copy of $TOP (not a git checkout)"
fi
[[ -f $SRC/Makefile && ! -e $SRC/build ]] || fail "the export has no Makefile, or a build/"
step_done

step "make, with no build package installed: one line naming them and make deps"
in_root "$LOGS/make-nodeps.log" 'make'
rc=$?
no_leftovers
out=$(sed 's/^\[ *[0-9]*\] //' "$LOGS/make-nodeps.log")
echo "$out" | sed 's/^/    | /'
((rc != 0)) || fail "make succeeded without the build packages"
[[ $(grep -c . <<<"$out") == 1 ]] || show_fail "$LOGS/make-nodeps.log" \
	"make without the build packages printed more than one line"
expect_contains "$out" "make deps" "the line says to run make deps"
expect_contains "$out" "libnl-3-dev" "the line names the missing packages"
step_done

step "make demo, the README's first command, from nothing"
in_root "$LOGS/make-demo.log" 'make demo'
rc=$?
no_leftovers
# where the time went: make deps, the build, the demo itself
t_build=$(grep -m1 -E '^\[ *[0-9]+\] (make\[1\]: Entering|cc )' "$LOGS/make-demo.log" |
	sed 's/^\[ *\([0-9]*\)\].*/\1/')
t_demo=$(grep -m1 -F '==> lab network' "$LOGS/make-demo.log" | sed 's/^\[ *\([0-9]*\)\].*/\1/')
grep -q 'DISK-OK' "$LOGS/make-demo.log" ||
	show_fail "$LOGS/make-demo.log" "make demo: the client did not reach its local disk (exit $rc)"
((rc == 0)) || show_fail "$LOGS/make-demo.log" "make demo exited $rc"
ok "make demo: the client booted its local disk (DISK-OK)"
grep -E 'DISK-OK|demo finished' "$LOGS/make-demo.log" | sed 's/^/    | /'
step_done
if [[ -n $t_build && -n $t_demo ]]; then
	times+=("$(printf '%5d s    make deps (%d .debs downloaded)' "$t_build" \
		$(($(find "$CACHE/apt-archives" -maxdepth 1 -name '*.deb' | wc -l) - debs_before)))")
	times+=("$(printf '%5d s    the build' $((t_demo - t_build)))")
	times+=("$(printf '%5d s    the demo' $((SECONDS - step_t0 - t_demo)))")
fi

step "the unit and CLI suites in the same root (make check-quick SUITES='unit cli')"
in_root "$LOGS/suites.log" "make check-quick SUITES='unit cli'"
rc=$?
no_leftovers
summary=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$LOGS/suites.log" | tail -n 1 |
	sed 's/^\[ *[0-9]*\] //')
echo "    | $summary"
grep -E '^\[ *[0-9]+\] (FAIL|SKIP) ' "$LOGS/suites.log" | sed 's/^\[ *[0-9]*\] /    | /'
((rc == 0)) && [[ $summary == *' 0 failed'* ]] ||
	show_fail "$LOGS/suites.log" "the unit and CLI suites failed in the fresh root: $summary"
ok "unit and CLI suites: $summary"
step_done

echo "== times (base cached: $cached; total $((SECONDS - t_all)) s)"
printf '%s\n' "${times[@]}"
done_checks
