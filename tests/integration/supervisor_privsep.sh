#!/usr/bin/env bash
# supervisor_privsep - the privilege boundary (issue #16, defects 1 and 2),
# as root with two users: root runs serve, "nobody" is the service user
# ([appliance] user) and plays the attacker with that user's rights.
#
# 1. The runtime directory: nobody renames <state_dir>/run, puts its own
#    dnsmasq.conf there with a dhcp-script, plants a symlink where the
#    supervisor writes its status file, and kills dnsmasq (which runs as
#    nobody). The supervisor restarts dnsmasq: the script must not run as
#    root, and the root-owned 0600 file must stay as it was.
# 2. The database directory: with serve stopped, nobody plants links at
#    the database's WAL/SHM names (to a root-owned 0600 file); at the next
#    start the supervisor must not chown or write that file.
# 3. A configuration whose run_dir lies in a directory nobody owns is
#    refused at start (exit 2, a clear message).
# 4. An old layout (database at <state_dir>/bootyard.db, state_dir owned
#    by the service user) is migrated: the hosts stay, state_dir is root's,
#    the database moves into db/ (root's, writable by the user's group).
source "$TOP/tests/lib/common.sh"
source "$TOP/tests/integration/dhcp_lab.bash"

getent passwd nobody >/dev/null || skip "no user nobody"
command -v setpriv >/dev/null || skip "no setpriv"
[[ $(id -u) == 0 ]] || skip "needs root (two users)"
NOBODY_GID=$(id -g nobody)
as_nobody() { setpriv --reuid=nobody --regid="$NOBODY_GID" --clear-groups "$@"; }

lab_up
lab_config appliance.user=nobody
MARK=$TEST_TMP/mark
mkdir -m 1777 "$MARK"
printf '#!/bin/sh\nid -u >>%s/ran-as\n' "$MARK" >"$MARK/evil.sh"
chmod 755 "$MARK/evil.sh"
chown nobody "$MARK/evil.sh"
SECRET=$TEST_TMP/secret # stands for /etc/shadow
echo private >"$SECRET"
chmod 600 "$SECRET"

secret_intact() { # WHAT
	expect_eq "$(stat -c '%U %a' "$SECRET") $(cat "$SECRET")" \
		"root 600 private" "$1: the root-owned 0600 file is untouched"
}

check "a first start creates the database" "$BOOTYARD" -c "$CONF" host add 52:54:00:f0:00:01 --hostname keep1
appliance_start
# (past the first start's settle time, where a dying dnsmasq fails serve)
wait_for 10 grep -q "serving:" "$TEST_TMP/serve.log" || fail "serve did not settle"

# --- 1. the runtime directory -----------------------------------------
RUN=$STATE/run
old_dm=$(status_get dnsmasq_pid)
[[ -n $old_dm && $old_dm -gt 0 ]] || fail "no dnsmasq pid"
grep -v -e '^user=' -e '^dhcp-scriptuser=' -e '^dhcp-script=' "$RUN/dnsmasq.conf" >"$MARK/evil.conf"
echo "dhcp-script=$MARK/evil.sh" >>"$MARK/evil.conf"
chmod 644 "$MARK/evil.conf"
as_nobody sh -c "mv '$RUN' '$STATE/run.old' && mkdir '$RUN' &&
	cp '$STATE/run.old/dnsmasq.hosts' '$MARK/evil.conf' '$RUN/' &&
	mv '$RUN/evil.conf' '$RUN/dnsmasq.conf' &&
	ln -s '$SECRET' '$RUN/status.tmp.$(status_get pid)'" 2>/dev/null &&
	echo "# nobody replaced $RUN (the old layout)"
as_nobody sh -c "cat '$MARK/evil.conf' >'$RUN/dnsmasq.conf'" 2>/dev/null &&
	echo "# nobody rewrote $RUN/dnsmasq.conf"
as_nobody kill -TERM "$old_dm" || fail "nobody cannot signal its own dnsmasq"
wait_for 15 bash -c "d=\$('$BOOTYARD' -c '$CONF' status 2>/dev/null | awk '\$1 == \"dnsmasq_pid\" { print \$2 }');
	[[ -n \$d && \$d != 0 && \$d != $old_dm ]] && kill -0 \$d" ||
	fail "the supervisor did not restart dnsmasq"
sleep 1 # dnsmasq runs a dhcp-script with "init" as it starts
if [[ -s $MARK/ran-as ]] && grep -qx 0 "$MARK/ran-as"; then
	fail "the service user's dhcp-script ran as root (uid $(sort -u "$MARK/ran-as" | tr '\n' ' '))"
fi
ok "the service user's dhcp-script did not run as root"
[[ ! -e $MARK/ran-as ]] || fail "the service user's dhcp-script ran at all"
expect_eq "$(stat -c %U "$RUN") $(stat -c %U "$STATE")" "root root" \
	"the runtime and state directories are root's"
secret_intact "status file"
M=52:54:00:f0:00:02
ack=$(probe -m "$M" -a 9 -r -w 100 | grep -m1 '^ACK')
[[ -n $ack ]] || fail "no lease after the restart"
ok "dnsmasq serves again with the supervisor's configuration"
kill -TERM "$SERVE_PID"
wait "$SERVE_PID"

# --- 2. links planted in the database's directory ---------------------
DBDIR=$STATE/db
[[ -d $DBDIR ]] || DBDIR=$STATE # (the old layout)
# (the WAL emptied first, so that removing it loses nothing)
sqlite3 "$DBDIR/bootyard.db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null || fail "checkpoint"
as_nobody sh -c "rm -f '$DBDIR/bootyard.db-wal' '$DBDIR/bootyard.db-shm';
	ln -s '$SECRET' '$DBDIR/bootyard.db-wal'; ln -s '$SECRET' '$DBDIR/bootyard.db-shm'" 2>/dev/null
appliance_start
secret_intact "links at the WAL/SHM names"
expect_contains "$("$BOOTYARD" -c "$CONF" host list)" keep1 "the hosts are still there"
kill -TERM "$SERVE_PID"
wait "$SERVE_PID"

# --- 3. run_dir in a directory the service user owns --------------------
mkdir "$TEST_TMP/userdir"
chown nobody "$TEST_TMP/userdir"
lab_config appliance.user=nobody
sed -i "/^\[appliance\]/a run_dir = $TEST_TMP/userdir/run" "$CONF"
timeout 20 ip netns exec "$NS_A" "$BOOTYARD" -c "$CONF" serve 2>"$TEST_TMP/refused.log"
expect_eq "$?" 2 "run_dir under a user-owned directory: refused (exit 2)"
expect_contains "$(cat "$TEST_TMP/refused.log")" "$TEST_TMP/userdir is owned by nobody" \
	"the message names the user-owned directory"
[[ ! -e $TEST_TMP/userdir/run ]] || fail "serve created the refused run_dir"

# --- 4. migration of the old layout --------------------------------------
OLD=$TEST_TMP/oldstate
mkdir "$OLD"
STATE_SAVE=$STATE
STATE=$OLD
lab_config appliance.user=nobody
STATE=$STATE_SAVE
"$BOOTYARD" -c "$CONF" host add 52:54:00:f0:00:03 --hostname old1 >/dev/null || fail "setup"
mv "$OLD"/db/bootyard.db* "$OLD/" && rmdir "$OLD/db" && chown -R nobody "$OLD"
expect_contains "$("$BOOTYARD" -c "$CONF" host list)" old1 "the CLI finds the old layout's database"
ns_bg "$NS_A" SERVE_PID "$BOOTYARD" -c "$CONF" serve 2>"$TEST_TMP/serve-old.log"
wait_for 10 bash -c "[[ -e '$OLD/db/bootyard.db' ]]" || fail "the database was not moved: $(cat "$TEST_TMP/serve-old.log")"
wait_for 10 bash -c "grep -q 'dnsmasq started' '$TEST_TMP/serve-old.log'" || fail "serve did not start: $(tail "$TEST_TMP/serve-old.log")"
g=$(id -gn nobody)
expect_eq "$(stat -c %U:%G "$OLD") $(stat -c '%U:%G %a' "$OLD/db" "$OLD/db/bootyard.db" | tr '\n' ' ')" \
	"root:root root:$g 2770 root:$g 660 " \
	"old layout: state_dir root's, db/ and the database root's, writable by nobody's group"
[[ ! -e $OLD/bootyard.db ]] || fail "the old database is still there"
expect_contains "$("$BOOTYARD" -c "$CONF" host list)" old1 "the hosts survive the move"
kill -TERM "$SERVE_PID"
wait "$SERVE_PID"
done_checks
