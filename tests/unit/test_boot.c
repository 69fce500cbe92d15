/*
 * test_boot.c - the boot core (appliance/core/boot.h): every transition
 * of the install state machine through the pure boot_decide (ASK:
 * flagged, menu choice, refused by address, menu installs off or the
 * unknown-MAC rate, the outcomes of a token; RENDER: issue, carry the
 * token, fetches spent, a held one-boot install; FETCHED: spend, give
 * up; DONE), the policy derived from the config once, and boot_apply
 * against a real SQLite database in a temporary directory.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "appliance/core/boot.h"
#include "common/util.h"
#include "common/valid.h"
#include "tests/unit/policy_fixture.h"
#include "tests/unit/records.h"

#define MAC1 "52:54:00:00:00:01"
#define MAC9 "52:54:00:00:00:09"
#define TOK "0123456789abcdef0123456789abcdef"

static const struct decide_policy pol0 = POLICY_FIXTURE(5, LOCAL_BOOT_GRUB);

static struct db_host
mkhost(enum db_action a, const char *token)
{
	struct db_host h;

	memset(&h, 0, sizeof(h));
	h.id = 7;
	h.action = a;
	strcpy(h.distro, "deb");
	strcpy(h.token, token);
	h.n_macs = 1;
	strcpy(h.macs[0], MAC1);
	return h;
}

static struct boot_request
mkreq(const char *mac, enum boot_choice c)
{
	struct boot_request r;

	memset(&r, 0, sizeof(r));
	strcpy(r.mac, mac);
	r.platform = BOOT_PLATFORM_EFI;
	r.arch = 7;
	r.choice = c;
	if (c == BOOT_CHOICE_INSTALL)
		strcpy(r.distro, "deb");
	return r;
}

static struct boot_input
mkin(enum boot_event ev, const struct boot_request *req,
     const struct db_host *h, const struct decide_policy *p)
{
	struct boot_input in;

	memset(&in, 0, sizeof(in));
	in.event = ev;
	in.req = req;
	in.host = h;
	in.policy = p;
	return in;
}

/* One transition's case: the host (id 7, MAC1, distro deb, action and
 * token as given), a request from MAC1 with a choice, a copy of pol0
 * to change, the input of event ev over them, and room for the
 * applied change and the answer. */
struct bcase {
	struct db_host h;
	struct boot_request r;
	struct decide_policy p;
	struct boot_input in;
	struct boot_applied a;
	struct boot_answer ans;
};

static void
bcase_init(struct bcase *c, enum boot_event ev, enum db_action action,
           const char *token, enum boot_choice choice)
{
	memset(c, 0, sizeof(*c));
	c->h = mkhost(action, token);
	c->r = mkreq(MAC1, choice);
	c->p = pol0;
	c->in = mkin(ev, &c->r, &c->h, &c->p);
}

/* What boot_apply would report: install state st, a token when ISSUED. */
static struct boot_applied
mkapplied(enum boot_change c, enum install_state st, bool once)
{
	struct boot_applied a;

	memset(&a, 0, sizeof(a));
	a.change = c;
	a.install = st;
	a.once = once;
	strcpy(a.distro.name, "deb");
	a.distro.n_kernels = 1;
	strcpy(a.distro.kernels[0].arch, "amd64");
	strcpy(a.distro.kernels[0].kernel, "deb/linux");
	strcpy(a.distro.cmdline, "console=ttyS0");
	if (st == INSTALL_ISSUED)
		strcpy(a.token, TOK);
	return a;
}

/* A final answer of kind k, reason why, and no change. */
static void
assert_final(const struct boot_answer *ans, enum decision_kind k,
             const char *why)
{
	assert_false(ans->need_address);
	assert_false(ans->need_apply);
	assert_int_equal(ans->change, BOOT_CHANGE_NONE);
	assert_int_equal(ans->decision.kind, k);
	assert_string_equal(ans->decision.reason, why);
}

/* boot_decide on in succeeds with a final answer of kind k, reason why
 * (assert_final), the step each transition below is checked by. */
static void
assert_decides(const struct boot_input *in, struct boot_answer *ans,
               enum decision_kind k, const char *why)
{
	assert_int_equal(boot_decide(in, ans), 0);
	assert_final(ans, k, why);
}

/* boot_decide on in succeeds and asks for change c to be applied. */
static void
assert_changes(const struct boot_input *in, struct boot_answer *ans,
               enum boot_change c)
{
	assert_int_equal(boot_decide(in, ans), 0);
	assert_true(ans->need_apply);
	assert_int_equal(ans->change, c);
}

/* boot_decide on in succeeds with nothing (more) to apply. */
static void
assert_settled(const struct boot_input *in, struct boot_answer *ans)
{
	assert_int_equal(boot_decide(in, ans), 0);
	assert_false(ans->need_apply);
}

/* ---- ASK ----------------------------------------------------------- */

static void
test_ask_no_change(void **state)
{
	struct bcase c;

	bcase_init(&c, BOOT_ASK, DB_ACTION_LOCAL, "", BOOT_CHOICE_NONE);
	assert_decides(&c.in, &c.ans, DECISION_LOCAL, "host-local");
	c.h.action = DB_ACTION_MENU;
	assert_decides(&c.in, &c.ans, DECISION_MENU, "host-menu");
	c.in.host = NULL;
	assert_decides(&c.in, &c.ans, DECISION_MENU, "unknown-mac");
}

/* Flagged: issue a token (one attempt, compare and set on the distro);
 * then each outcome of that change. */
static void
test_ask_flagged(void **state)
{
	struct bcase c;

	bcase_init(&c, BOOT_ASK, DB_ACTION_INSTALL, "", BOOT_CHOICE_NONE);
	assert_changes(&c.in, &c.ans, BOOT_CHANGE_ISSUE);
	assert_true(c.ans.cas);
	assert_false(c.ans.once);
	assert_int_equal(c.ans.host_id, 7);
	assert_string_equal(c.ans.distro, "deb");
	assert_int_equal(c.ans.max_attempts, 3);
	assert_false(c.ans.count_fetches);

	c.a = mkapplied(BOOT_CHANGE_ISSUE, INSTALL_ISSUED, false);
	c.in.applied = &c.a;
	assert_decides(&c.in, &c.ans, DECISION_INSTALL, "flagged");
	assert_string_equal(c.ans.decision.token, TOK);
	assert_non_null(strstr(c.ans.decision.cmdline, "bootyard.token=" TOK));

	c.a = mkapplied(BOOT_CHANGE_ISSUE, INSTALL_EXHAUSTED, false);
	assert_decides(&c.in, &c.ans, DECISION_MENU, "install-exhausted");
	c.a = mkapplied(BOOT_CHANGE_ISSUE, INSTALL_NO_DISTRO, false);
	assert_decides(&c.in, &c.ans, DECISION_MENU, "distro-missing");
	c.a = mkapplied(BOOT_CHANGE_ISSUE, INSTALL_FAILED, false);
	assert_decides(&c.in, &c.ans, DECISION_MENU, "install-unavailable");

	/* the host changed under the change (-ESTALE, read again): its
	 * state now, and no second change */
	c.a = mkapplied(BOOT_CHANGE_ISSUE, INSTALL_NOT_TRIED, false);
	c.h.action = DB_ACTION_LOCAL;
	assert_decides(&c.in, &c.ans, DECISION_LOCAL, "host-local");
	c.h.action = DB_ACTION_INSTALL;
	assert_decides(&c.in, &c.ans, DECISION_MENU, "install-unavailable");
}

/* dhcp mode: a change only from the host's leased address. */
static void
test_ask_address(void **state)
{
	struct bcase c;

	bcase_init(&c, BOOT_ASK, DB_ACTION_INSTALL, "", BOOT_CHOICE_NONE);
	c.p.leases_known = true;
	assert_int_equal(boot_decide(&c.in, &c.ans), 0);
	assert_true(c.ans.need_address);
	assert_false(c.ans.need_apply);
	c.in.addr = DECIDE_ADDR_NOT_LEASED;
	assert_decides(&c.in, &c.ans, DECISION_LOCAL, "address-not-leased");
	assert_true(c.ans.decision.refused);
	c.in.addr = DECIDE_ADDR_LEASED;
	assert_changes(&c.in, &c.ans, BOOT_CHANGE_ISSUE);
	/* a host that wants nothing needs no address */
	c.h.action = DB_ACTION_LOCAL;
	c.in.addr = DECIDE_ADDR_UNCHECKED;
	assert_decides(&c.in, &c.ans, DECISION_LOCAL, "host-local");
}

/* A menu choice: a one-boot token, the host untouched; refused where
 * menu installs are off, and for an unknown MAC over its rate. */
static void
test_ask_menu_choice(void **state)
{
	struct bcase c;

	bcase_init(&c, BOOT_ASK, DB_ACTION_MENU, "", BOOT_CHOICE_INSTALL);
	assert_changes(&c.in, &c.ans, BOOT_CHANGE_ONCE);
	assert_true(c.ans.once);
	assert_int_equal(c.ans.host_id, 7);
	assert_string_equal(c.ans.mac, MAC1);
	assert_string_equal(c.ans.distro, "deb");
	c.a = mkapplied(BOOT_CHANGE_ONCE, INSTALL_ISSUED, true);
	c.in.applied = &c.a;
	assert_decides(&c.in, &c.ans, DECISION_INSTALL, "menu-choice");
	c.in.applied = NULL;

	c.p.menu_install_off = true;
	assert_decides(&c.in, &c.ans, DECISION_LOCAL, "menu-install-off");
	assert_true(c.ans.decision.refused);
	c.p.menu_install_off = false;

	/* an unknown MAC: no host; over its address's rate, nothing */
	strcpy(c.r.mac, MAC9);
	c.in.host = NULL;
	assert_int_equal(boot_decide(&c.in, &c.ans), 0);
	assert_int_equal(c.ans.change, BOOT_CHANGE_ONCE);
	assert_int_equal(c.ans.host_id, 0);
	c.in.unrecorded = true;
	assert_decides(&c.in, &c.ans, DECISION_LOCAL, "unknown-rate");
	assert_true(c.ans.decision.refused);
	/* ... which refuses changes only: the menu is still served */
	c.r.choice = BOOT_CHOICE_NONE;
	assert_decides(&c.in, &c.ans, DECISION_MENU, "unknown-mac");
	/* other choices change nothing */
	c.r.choice = BOOT_CHOICE_SHELL;
	assert_decides(&c.in, &c.ans, DECISION_SHELL, "menu-choice");
}

/* ---- RENDER -------------------------------------------------------- */

static void
test_render_flagged(void **state)
{
	struct bcase c;

	bcase_init(&c, BOOT_RENDER, DB_ACTION_INSTALL, "", BOOT_CHOICE_NONE);
	/* no token yet: issue one (no compare and set), count after */
	assert_changes(&c.in, &c.ans, BOOT_CHANGE_ISSUE);
	assert_false(c.ans.cas);
	assert_true(c.ans.count_fetches);
	assert_ptr_equal(c.ans.host, &c.h);
	/* a token: carry it, nothing written */
	strcpy(c.h.token, TOK);
	assert_changes(&c.in, &c.ans, BOOT_CHANGE_NONE);
	assert_string_equal(c.ans.token, TOK);
	assert_string_equal(c.ans.distro, "deb");
	assert_true(c.ans.count_fetches);

	c.a = mkapplied(BOOT_CHANGE_NONE, INSTALL_ISSUED, false);
	c.a.counted = true;
	c.a.fetches = 2;
	c.in.applied = &c.a;
	assert_decides(&c.in, &c.ans, DECISION_INSTALL, "flagged");
	assert_string_equal(c.ans.decision.token, TOK);
	/* the budget spent in fetches: the menu for the next fetch */
	c.a.fetches = 3;
	assert_decides(&c.in, &c.ans, DECISION_MENU, "install-exhausted");
	c.a = mkapplied(BOOT_CHANGE_ISSUE, INSTALL_EXHAUSTED, false);
	assert_decides(&c.in, &c.ans, DECISION_MENU, "install-exhausted");
}

/* A file holding a one-boot install carries it while the machine gets
 * the menu and menu installs are on. */
static void
test_render_held(void **state)
{
	struct bcase c;

	bcase_init(&c, BOOT_RENDER, DB_ACTION_MENU, "", BOOT_CHOICE_NONE);
	c.in.held_distro = "deb";
	c.in.held_token = TOK;
	assert_changes(&c.in, &c.ans, BOOT_CHANGE_NONE);
	assert_true(c.ans.once);
	assert_string_equal(c.ans.token, TOK);
	assert_false(c.ans.count_fetches);
	assert_int_equal(c.r.choice, BOOT_CHOICE_NONE); /* input untouched */
	c.a = mkapplied(BOOT_CHANGE_NONE, INSTALL_ISSUED, true);
	c.in.applied = &c.a;
	assert_decides(&c.in, &c.ans, DECISION_INSTALL, "menu-choice");
	c.in.applied = NULL;

	c.p.menu_install_off = true;
	assert_decides(&c.in, &c.ans, DECISION_MENU, "host-menu");
	c.p.menu_install_off = false;
	c.h.action = DB_ACTION_LOCAL; /* the admin set it local meanwhile */
	assert_decides(&c.in, &c.ans, DECISION_LOCAL, "host-local");
	c.in.host = NULL; /* an unknown MAC's choice */
	assert_int_equal(boot_decide(&c.in, &c.ans), 0);
	assert_true(c.ans.need_apply);
	assert_int_equal(c.ans.host_id, 0);
}

/* ---- FETCHED, DONE ------------------------------------------------- */

static void
test_fetched(void **state)
{
	struct bcase c;

	bcase_init(&c, BOOT_FETCHED, DB_ACTION_INSTALL, TOK, BOOT_CHOICE_NONE);
	c.in.file = "grub/mac/" MAC1 ".cfg";
	assert_changes(&c.in, &c.ans, BOOT_CHANGE_SPEND);
	assert_int_equal(c.ans.host_id, 7);
	assert_string_equal(c.ans.mac, MAC1);
	assert_string_equal(c.ans.file, c.in.file);
	assert_true(c.ans.count_fetches);

	memset(&c.a, 0, sizeof(c.a));
	c.a.change = BOOT_CHANGE_SPEND;
	c.a.counted = true;
	c.a.fetches = 3; /* the budget, not more: nothing else */
	c.in.applied = &c.a;
	assert_settled(&c.in, &c.ans);
	c.a.fetches = 4; /* one too many without done: give up */
	assert_changes(&c.in, &c.ans, BOOT_CHANGE_GIVE_UP);
	assert_int_equal(c.ans.max_attempts, 3);
	c.a.change = BOOT_CHANGE_GIVE_UP;
	assert_settled(&c.in, &c.ans);

	/* a host not flagged spends nothing */
	c.in.applied = NULL;
	c.h.action = DB_ACTION_MENU;
	assert_settled(&c.in, &c.ans);
	c.in.host = NULL;
	assert_settled(&c.in, &c.ans);
}

static void
test_done(void **state)
{
	struct boot_input in;
	struct boot_applied a;
	struct boot_answer ans;

	memset(&in, 0, sizeof(in));
	in.event = BOOT_DONE;
	assert_int_equal(boot_decide(&in, &ans), -EINVAL);
	in.token = TOK;
	assert_changes(&in, &ans, BOOT_CHANGE_DONE);
	assert_string_equal(ans.token, TOK);
	memset(&a, 0, sizeof(a));
	a.change = BOOT_CHANGE_DONE;
	in.applied = &a;
	assert_settled(&in, &ans);
	assert_int_equal(boot_decide(NULL, &ans), -EINVAL);
	in.event = BOOT_ASK; /* no request, no policy */
	assert_int_equal(boot_decide(&in, &ans), -EINVAL);
}

/* The policy from the config, derived in one place. */
static void
test_policy(void **state)
{
	struct db_distro_names names;
	struct by_config cfg;
	struct cfg_policy cp;
	struct decide_policy p;

	cfg_defaults(&cfg);
	memset(&names, 0, sizeof(names));
	names.n = 1;
	names.ptrs[0] = "deb";
	boot_policy(&cfg, "http://198.18.0.1", &names, &p);
	assert_string_equal(p.base_url, "http://198.18.0.1");
	assert_int_equal(p.install_attempts, 3);
	assert_true(p.leases_known);
	assert_false(p.menu_install_off);
	assert_int_equal(p.n_distros, 1);
	assert_int_equal(p.menu_timeout, 10);
	boot_policy(&cfg, "x", NULL, &p);
	assert_int_equal(p.n_distros, 0);

	cfg.dhcp_mode = DHCP_MODE_PROXY; /* auto: no menu installs */
	cfg_policy(&cfg, &cp);
	assert_false(cp.leases_known);
	assert_true(cp.menu_install_off);
	cfg.menu_install = MENU_INSTALL_YES;
	cfg_policy(&cfg, &cp);
	assert_false(cp.menu_install_off);
	cfg.dhcp_mode = DHCP_MODE_DHCP;
	cfg.menu_install = MENU_INSTALL_NO;
	cfg_policy(&cfg, &cp);
	assert_true(cp.menu_install_off);

	/* keys left 0 (a config not from cfg_defaults) are the defaults */
	memset(&cfg, 0, sizeof(cfg));
	cfg_policy(&cfg, &cp);
	assert_int_equal(cp.install_attempts, 3);
	assert_int_equal(cp.unknown_rate, 10);
	assert_int_equal(cp.unknown_keep, 10000);
	assert_int_equal(cp.leases_keep, 30 * 86400);
	assert_int_equal(cp.token_lifetime, 86400);
	cfg.install_attempts = 5;
	cfg.unknown_rate = 2;
	cfg_policy(&cfg, &cp);
	assert_int_equal(cp.install_attempts, 5);
	assert_int_equal(cp.unknown_rate, 2);
}

/* ---- boot_apply against SQLite ------------------------------------- */

struct fix {
	char dir[64], path[128];
	struct db *db;
	int64_t id;
};

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	struct db_distro d;
	struct db_host h;

	assert_non_null(f);
	strcpy(f->dir, "/tmp/test_boot.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/bootyard.db", f->dir);
	assert_int_equal(db_open(f->path, DB_OPEN_CREATE, &f->db), 0);
	memset(&d, 0, sizeof(d));
	strcpy(d.name, "deb");
	distro_kernel_add(&d, "amd64", "deb/linux", "deb/initrd.gz");
	strcpy(d.cmdline, "console=ttyS0");
	assert_int_equal(db_distro_add(f->db, &d), 0);
	h = mkhost(DB_ACTION_INSTALL, "");
	strcpy(h.hostname, "h1");
	assert_int_equal(db_host_add(f->db, &h, &f->id), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;
	char cmd[128];

	db_close(f->db);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* db_event_list callback: an install-no-kernel event was recorded. */
static int
saw_no_kernel(const struct db_event *e, void *ctx)
{
	if (!strcmp(e->kind, "install-no-kernel") &&
	    strstr(e->detail, "deb has no arm64 kernel"))
		*(bool *)ctx = true;
	return 0;
}

/* One ASK, the way http/server.c drives it; the answer into *ans,
 * the token handed out (if any) into tok. */
static void
ask(struct fix *f, struct boot_request *r, struct boot_answer *ans,
    char tok[TOKEN_LEN + 1])
{
	struct decide_policy p = pol0;
	struct db_host h;
	struct boot_input in;
	struct boot_applied a;
	int rc;

	rc = db_host_find_by_mac(f->db, r->mac, &h);
	in = mkin(BOOT_ASK, r, rc == 0 ? &h : NULL, &p);
	memset(&a, 0, sizeof(a));
	assert_int_equal(boot_decide(&in, ans), 0);
	if (ans->need_apply) {
		assert_int_equal(boot_apply(f->db, ans, &h, &a), 0);
		in.applied = &a;
		assert_int_equal(boot_decide(&in, ans), 0);
	}
	tok[0] = '\0';
	if (ans->decision.token)
		str_copy(tok, TOKEN_LEN + 1, ans->decision.token);
	boot_applied_free(&a);
	assert_false(ans->need_apply);
}

/* An arm64 client flagged for a distribution with only an amd64 kernel:
 * the menu, no token, no attempt, an install-no-kernel event; once the
 * distribution has an arm64 kernel, that one is installed; a menu
 * choice is checked the same way. */
static void
test_apply_no_kernel(void **state)
{
	struct fix *f = *state;
	struct boot_request r = mkreq(MAC1, BOOT_CHOICE_NONE);
	struct boot_answer ans;
	struct db_distro d;
	struct db_host h;
	char tok[TOKEN_LEN + 1];
	bool seen = false;

	strcpy(r.buildarch, "arm64");
	ask(f, &r, &ans, tok);
	assert_int_equal(ans.decision.kind, DECISION_MENU);
	assert_string_equal(ans.decision.reason, "no-kernel-for-arch");
	assert_string_equal(ans.decision.distro, "deb");
	assert_null(ans.decision.kernel);
	assert_string_equal(tok, "");
	assert_int_equal(db_host_get(f->db, f->id, &h), 0);
	assert_int_equal(h.attempts, 0);
	assert_int_equal(h.action, DB_ACTION_INSTALL);
	assert_string_equal(h.token, "");
	assert_int_equal(db_event_list(f->db, MAC1, 0, saw_no_kernel, &seen),
	                 0);
	assert_true(seen);

	assert_int_equal(db_distro_get(f->db, "deb", &d), 0);
	distro_kernel_add(&d, "arm64", "deb/arm64/linux", "deb/arm64/initrd.gz");
	assert_int_equal(db_distro_update(f->db, &d), 0);
	db_distro_free(&d);
	ask(f, &r, &ans, tok);
	assert_int_equal(ans.decision.kind, DECISION_INSTALL);
	assert_string_equal(ans.decision.kernel, "deb/arm64/linux");
	assert_string_equal(ans.decision.initrd, "deb/arm64/initrd.gz");
	assert_int_equal(strlen(tok), TOKEN_LEN);
}

/* Flagged: a token per ask, one attempt each, then the menu; done sets
 * the host local, and the token is spent. */
static void
test_apply_issue_done(void **state)
{
	struct fix *f = *state;
	struct boot_request r = mkreq(MAC1, BOOT_CHOICE_NONE);
	struct boot_answer ans;
	struct boot_input in;
	struct boot_applied a;
	struct db_host h;
	char tok[TOKEN_LEN + 1], prev[TOKEN_LEN + 1] = "";
	int i;

	for (i = 0; i < 3; i++) {
		ask(f, &r, &ans, tok);
		assert_int_equal(ans.decision.kind, DECISION_INSTALL);
		assert_true(valid_token(tok));
		assert_string_not_equal(tok, prev);
		strcpy(prev, tok);
		assert_int_equal(db_host_get(f->db, f->id, &h), 0);
		assert_int_equal(h.attempts, (unsigned)i + 1);
		assert_string_equal(h.token, tok);
	}
	ask(f, &r, &ans, tok);
	assert_int_equal(ans.decision.kind, DECISION_MENU);
	assert_string_equal(ans.decision.reason, "install-exhausted");

	/* flagged again: a fresh budget; done with its token */
	assert_int_equal(db_host_reinstall(f->db, f->id, ""), 0);
	ask(f, &r, &ans, prev);
	assert_int_equal(ans.decision.kind, DECISION_INSTALL);
	memset(&in, 0, sizeof(in));
	in.event = BOOT_DONE;
	in.token = prev;
	assert_int_equal(boot_decide(&in, &ans), 0);
	assert_int_equal(boot_apply(f->db, &ans, &h, &a), 0);
	assert_int_equal(a.rc, 0);
	assert_int_equal(db_host_get(f->db, f->id, &h), 0);
	assert_int_equal(h.action, DB_ACTION_LOCAL);
	assert_int_equal(boot_apply(f->db, &ans, NULL, &a), 0);
	assert_int_equal(a.rc, -ESTALE); /* already used */
	in.token = TOK;
	assert_int_equal(boot_decide(&in, &ans), 0);
	assert_int_equal(boot_apply(f->db, &ans, NULL, &a), 0);
	assert_int_equal(a.rc, -ENOENT);
	ask(f, &r, &ans, tok);
	assert_int_equal(ans.decision.kind, DECISION_LOCAL);
}

/* A menu choice records a one-boot token and leaves the host as it is;
 * a missing distribution and a host changed under the change. */
static void
test_apply_once_stale(void **state)
{
	struct fix *f = *state;
	struct boot_request r = mkreq(MAC9, BOOT_CHOICE_INSTALL);
	struct boot_answer ans;
	struct boot_applied a;
	struct db_host h, seen;
	char tok[TOKEN_LEN + 1];

	ask(f, &r, &ans, tok);
	assert_int_equal(ans.decision.kind, DECISION_INSTALL);
	assert_string_equal(ans.decision.reason, "menu-choice");
	assert_int_equal(db_install_lookup(f->db, tok, &seen), 0);
	assert_int_equal(db_host_find_by_mac(f->db, MAC9, &h), -ENOENT);

	strcpy(r.distro, "gone");
	ask(f, &r, &ans, tok);
	assert_int_equal(ans.decision.kind, DECISION_MENU);
	assert_string_equal(ans.decision.reason, "distro-missing");

	/* flagged for deb when read; set to local before the token */
	assert_int_equal(db_host_get(f->db, f->id, &h), 0);
	memset(&ans, 0, sizeof(ans));
	ans.change = BOOT_CHANGE_ISSUE;
	ans.host_id = f->id;
	ans.distro = "deb";
	ans.cas = true;
	ans.max_attempts = 3;
	h.action = DB_ACTION_LOCAL;
	assert_int_equal(db_host_update(f->db, &h), 0);
	h.action = DB_ACTION_INSTALL; /* the caller's stale copy */
	assert_int_equal(boot_apply(f->db, &ans, &h, &a), 0);
	assert_int_equal(a.rc, -ESTALE);
	assert_int_equal(a.install, INSTALL_NOT_TRIED);
	assert_int_equal(h.action, DB_ACTION_LOCAL); /* read again */
	boot_applied_free(&a);
}

/* A rendered file: the token issued once, fetches spent, then given
 * up: the host goes to the menu. */
static void
test_apply_render_fetched(void **state)
{
	struct fix *f = *state;
	struct boot_request r = mkreq(MAC1, BOOT_CHOICE_NONE);
	struct decide_policy p = pol0;
	struct boot_input in;
	struct boot_answer ans;
	struct boot_applied a;
	struct db_host h;
	char tok[TOKEN_LEN + 1];
	int i, n;

	assert_int_equal(db_host_get(f->db, f->id, &h), 0);
	in = mkin(BOOT_RENDER, &r, &h, &p);
	assert_int_equal(boot_decide(&in, &ans), 0);
	assert_int_equal(ans.change, BOOT_CHANGE_ISSUE);
	assert_int_equal(boot_apply(f->db, &ans, &h, &a), 0);
	assert_int_equal(a.install, INSTALL_ISSUED);
	assert_true(a.counted);
	assert_int_equal(a.fetches, 0);
	assert_string_equal(h.token, a.token); /* read again */
	strcpy(tok, a.token);
	boot_applied_free(&a);

	for (i = 1; i <= 4; i++) {
		in = mkin(BOOT_FETCHED, &r, &h, &p);
		in.file = "grub/mac/" MAC1 ".cfg";
		n = 0;
		while (boot_decide(&in, &ans) == 0 && ans.need_apply) {
			assert_int_equal(boot_apply(f->db, &ans, &h, &a), 0);
			if (a.change == BOOT_CHANGE_SPEND)
				assert_int_equal(a.fetches, (unsigned)i);
			in.applied = &a;
			n++;
		}
		assert_int_equal(n, i == 4 ? 2 : 1); /* SPEND (+ GIVE_UP) */
		assert_int_equal(db_host_get(f->db, f->id, &h), 0);
		assert_int_equal(h.action,
		                 i == 4 ? DB_ACTION_MENU : DB_ACTION_INSTALL);
		if (i < 4) /* the token of the file stays */
			assert_string_equal(h.token, tok);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ask_no_change),
	    cmocka_unit_test(test_ask_flagged),
	    cmocka_unit_test(test_ask_address),
	    cmocka_unit_test(test_ask_menu_choice),
	    cmocka_unit_test(test_render_flagged),
	    cmocka_unit_test(test_render_held),
	    cmocka_unit_test(test_fetched),
	    cmocka_unit_test(test_done),
	    cmocka_unit_test(test_policy),
	    cmocka_unit_test_setup_teardown(test_apply_no_kernel, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_apply_issue_done, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_apply_once_stale, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_apply_render_fetched, setup,
	                                    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
