/*
 * test_decide.c - the pure boot decision: every rule of decide.c, the
 * local-boot method per platform and host override, install-once inputs,
 * and menu choices.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/util.h"
#include "appliance/core/decide.h"
#include "tests/unit/policy_fixture.h"
#include "unit_main.h"

static struct decide_policy pol = POLICY_FIXTURE(5, LOCAL_BOOT_EXIT1);

static struct db_host
mkhost(enum db_action a)
{
	struct db_host h;

	memset(&h, 0, sizeof(h));
	h.id = 1;
	h.action = a;
	strcpy(h.distro, "deb");
	h.n_macs = 1;
	strcpy(h.macs[0], "52:54:00:00:00:01");
	return h;
}

static struct boot_request
mkreq(enum boot_platform p, enum boot_choice c)
{
	struct boot_request r;

	memset(&r, 0, sizeof(r));
	strcpy(r.mac, "52:54:00:00:00:01");
	r.platform = p;
	r.choice = c;
	r.arch = -1;
	if (c == BOOT_CHOICE_INSTALL)
		strcpy(r.distro, "deb");
	return r;
}

static void
test_unknown(void **state)
{
	struct boot_request r = mkreq(BOOT_PLATFORM_PCBIOS, BOOT_CHOICE_NONE);
	struct decide_policy p = pol;
	struct decide_input in = {.req = &r, .policy = &p};
	struct decision d;

	assert_false(decide_install_wanted(&r, NULL, &p, NULL));
	assert_int_equal(decide(&in, &d), 0);
	assert_int_equal(d.kind, DECISION_MENU);
	assert_string_equal(d.reason, "unknown-mac");
	assert_string_equal(d.hostname, "");
	p.unknown = UNKNOWN_LOCAL;
	assert_int_equal(decide(&in, &d), 0);
	assert_int_equal(d.kind, DECISION_LOCAL);
}

static void
test_local_methods(void **state)
{
	/* a host's local_boot -> the method on UEFI and on BIOS (the site's
	 * defaults in pol: exit 1 on UEFI, sanboot on BIOS) */
	static const struct {
		const char *host;
		enum cfg_local_boot efi, bios;
	} cases[] = {
	    {"", LOCAL_BOOT_EXIT1, LOCAL_BOOT_SANBOOT},
	    /* grub is EFI only: BIOS keeps a method that works there */
	    {"grub", LOCAL_BOOT_GRUB, LOCAL_BOOT_SANBOOT},
	    /* a host's BIOS methods, booted on UEFI: the UEFI way to do
	     * the same (a plain exit stops edk2 in its boot menu; iPXE on
	     * UEFI cannot sanboot a local drive) */
	    {"exit", LOCAL_BOOT_EXIT1, LOCAL_BOOT_EXIT},
	    {"sanboot", LOCAL_BOOT_GRUB, LOCAL_BOOT_SANBOOT},
	    {"exit1", LOCAL_BOOT_EXIT1, LOCAL_BOOT_EXIT1},
	    {"bogus", LOCAL_BOOT_EXIT1, LOCAL_BOOT_SANBOOT}, /* site's */
	    /* nofile lives in dnsmasq; a client that reaches iPXE anyway
	     * gets the method that works on its platform */
	    {"nofile", LOCAL_BOOT_GRUB, LOCAL_BOOT_SANBOOT},
	};
	struct boot_request r = mkreq(BOOT_PLATFORM_EFI, BOOT_CHOICE_NONE);
	struct db_host h = mkhost(DB_ACTION_LOCAL);
	struct decide_input in = {.req = &r, .policy = &pol, .host = &h};
	struct decision d;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		strcpy(h.local_boot, cases[i].host);
		assert_int_equal(decide(&in, &d), 0);
		assert_int_equal(d.kind, DECISION_LOCAL);
		if (d.local_efi != cases[i].efi ||
		    d.local_bios != cases[i].bios)
			fail_msg("local_boot '%s': efi %d bios %d, want %d %d",
			         cases[i].host, d.local_efi, d.local_bios,
			         cases[i].efi, cases[i].bios);
	}
	/* an ARM64 iPXE (${buildarch} arm64): no disk-finding grub there,
	 * every method is "exit 1"; x86_64 and an unknown or empty
	 * buildarch keep the x86 rules */
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		strcpy(h.local_boot, cases[i].host);
		strcpy(r.buildarch, "arm64");
		assert_int_equal(decide(&in, &d), 0);
		assert_int_equal(d.local_efi, LOCAL_BOOT_EXIT1);
		strcpy(r.buildarch, "x86_64");
		assert_int_equal(decide(&in, &d), 0);
		assert_int_equal(d.local_efi, cases[i].efi);
		strcpy(r.buildarch, "sparc");
		assert_int_equal(decide(&in, &d), 0);
		assert_int_equal(d.local_efi, cases[i].efi);
		r.buildarch[0] = '\0';
	}
}

static void
test_install_once(void **state)
{
	struct boot_request r = mkreq(BOOT_PLATFORM_PCBIOS, BOOT_CHOICE_NONE);
	struct db_host h = mkhost(DB_ACTION_INSTALL);
	struct db_distro dist;
	struct decide_input in = {.req = &r, .policy = &pol, .host = &h};
	struct decision d;
	const char *dn = NULL;

	memset(&dist, 0, sizeof(dist));
	strcpy(dist.name, "deb");
	dist.n_kernels = 1;
	strcpy(dist.kernels[0].arch, "amd64");
	strcpy(dist.kernels[0].kernel, "deb/linux");
	strcpy(dist.cmdline, "quiet");
	assert_true(decide_install_wanted(&r, &h, &pol, &dn));
	assert_string_equal(dn, "deb");
	/* flagged, but no token issued: never install */
	assert_int_equal(decide(&in, &d), 0);
	assert_int_equal(d.kind, DECISION_MENU);
	/* issued */
	in.install = INSTALL_ISSUED;
	in.distro = &dist;
	in.token = "0123456789abcdef0123456789abcdef";
	assert_int_equal(decide(&in, &d), 0);
	assert_int_equal(d.kind, DECISION_INSTALL);
	assert_string_equal(d.token, in.token);
	assert_non_null(strstr(d.cmdline, "quiet bootyard.token="));
	/* issued without a valid token is an error */
	in.token = "nothex";
	assert_int_equal(decide(&in, &d), -EINVAL);
	in.token = NULL;
	assert_int_equal(decide(&in, &d), -EINVAL);
	/* exhausted, missing distro, db failure: menu, with a reason */
	in.install = INSTALL_EXHAUSTED;
	assert_int_equal(decide(&in, &d), 0);
	assert_int_equal(d.kind, DECISION_MENU);
	assert_string_equal(d.reason, "install-exhausted");
	in.install = INSTALL_NO_DISTRO;
	assert_int_equal(decide(&in, &d), 0);
	assert_string_equal(d.reason, "distro-missing");
	in.install = INSTALL_FAILED;
	assert_int_equal(decide(&in, &d), 0);
	assert_int_equal(d.kind, DECISION_MENU);
	/* a bad template in the command line */
	in.install = INSTALL_ISSUED;
	in.token = "0123456789abcdef0123456789abcdef";
	strcpy(dist.cmdline, "x={{unclosed");
	assert_int_equal(decide(&in, &d), -EINVAL);
}

static void
test_choices(void **state)
{
	struct db_host h = mkhost(DB_ACTION_LOCAL);
	struct boot_request r = mkreq(BOOT_PLATFORM_EFI, BOOT_CHOICE_INSTALL);
	struct decide_input in = {.req = &r, .policy = &pol, .host = &h};
	struct decision d;
	const char *dn = NULL;

	/* install from a menu only where the menu is what the host gets */
	assert_false(decide_install_wanted(&r, &h, &pol, &dn));
	h.action = DB_ACTION_MENU;
	assert_true(decide_install_wanted(&r, &h, &pol, &dn));
	assert_string_equal(dn, "deb");
	assert_true(decide_install_wanted(&r, NULL, &pol, &dn));
	r.choice = BOOT_CHOICE_MEMTEST;
	assert_false(decide_install_wanted(&r, &h, &pol, &dn));
	assert_int_equal(decide(&in, &d), 0);
	assert_int_equal(d.kind, DECISION_MEMTEST);
	r.choice = BOOT_CHOICE_SHELL;
	assert_int_equal(decide(&in, &d), 0);
	assert_int_equal(d.kind, DECISION_SHELL);
	r.choice = BOOT_CHOICE_LOCAL;
	assert_int_equal(decide(&in, &d), 0);
	assert_int_equal(d.kind, DECISION_LOCAL);
	/* a flagged host asking for a shell gets it, and spends nothing */
	h.action = DB_ACTION_INSTALL;
	r.choice = BOOT_CHOICE_SHELL;
	assert_false(decide_install_wanted(&r, &h, &pol, &dn));
}

/* A change that needs the host's own address, through decide_plan:
 * unchecked, the address is asked for and nothing changes; from another
 * address refused ("address-not-leased"); from the host's own, change
 * want of distribution distro. */
static void
plan_by_address(const struct boot_request *r, const struct db_host *h,
                const struct decide_policy *p, enum decide_change want,
                const char *distro)
{
	struct decide_plan pl;

	decide_plan(r, h, p, DECIDE_ADDR_UNCHECKED, &pl);
	assert_true(pl.need_address);
	assert_int_equal(pl.change, DECIDE_CHANGE_NONE);
	decide_plan(r, h, p, DECIDE_ADDR_NOT_LEASED, &pl);
	assert_int_equal(pl.change, DECIDE_CHANGE_NONE);
	assert_string_equal(pl.refused, "address-not-leased");
	decide_plan(r, h, p, DECIDE_ADDR_LEASED, &pl);
	assert_int_equal(pl.change, want);
	assert_string_equal(pl.distro, distro);
	assert_null(pl.refused);
}

/* decide_plan in dhcp mode (leases known): every change needs the
 * host's own address; refused changes change nothing. */
static void
test_plan_leases_known(void **state)
{
	struct decide_policy p = pol;
	struct db_host flagged = mkhost(DB_ACTION_INSTALL);
	struct db_host menu = mkhost(DB_ACTION_MENU);
	struct db_host local = mkhost(DB_ACTION_LOCAL);
	struct boot_request none = mkreq(BOOT_PLATFORM_EFI, BOOT_CHOICE_NONE);
	struct boot_request inst =
	    mkreq(BOOT_PLATFORM_EFI, BOOT_CHOICE_INSTALL);
	struct boot_request shell = mkreq(BOOT_PLATFORM_EFI, BOOT_CHOICE_SHELL);
	struct decide_plan pl;

	p.leases_known = true;
	/* nothing wanted: nothing to check, nothing to do */
	decide_plan(&none, &menu, &p, DECIDE_ADDR_UNCHECKED, &pl);
	assert_int_equal(pl.change, DECIDE_CHANGE_NONE);
	assert_false(pl.need_address);
	assert_null(pl.refused);
	decide_plan(&none, &local, &p, DECIDE_ADDR_NOT_LEASED, &pl);
	assert_int_equal(pl.change, DECIDE_CHANGE_NONE);
	assert_null(pl.refused);
	decide_plan(&shell, &flagged, &p, DECIDE_ADDR_UNCHECKED, &pl);
	assert_int_equal(pl.change, DECIDE_CHANGE_NONE);
	assert_false(pl.need_address);
	/* a choice on a local host: no menu there, nothing wanted */
	decide_plan(&inst, &local, &p, DECIDE_ADDR_NOT_LEASED, &pl);
	assert_int_equal(pl.change, DECIDE_CHANGE_NONE);
	assert_null(pl.refused);

	/* flagged (defect 7): look the address up; only the host's own
	 * address spends an attempt */
	plan_by_address(&none, &flagged, &p, DECIDE_CHANGE_ISSUE, "deb");
	/* a choice on a flagged host is its flagged install */
	strcpy(inst.distro, "other");
	decide_plan(&inst, &flagged, &p, DECIDE_ADDR_LEASED, &pl);
	assert_int_equal(pl.change, DECIDE_CHANGE_ISSUE);
	assert_string_equal(pl.distro, "deb");

	/* a menu choice (defect 3): from elsewhere refused; from the
	 * host's address that boot only, of the distribution chosen */
	plan_by_address(&inst, &menu, &p, DECIDE_CHANGE_ONCE, "other");
	/* an unknown MAC: the same, where unknown MACs get the menu */
	decide_plan(&inst, NULL, &p, DECIDE_ADDR_NOT_LEASED, &pl);
	assert_string_equal(pl.refused, "address-not-leased");
	decide_plan(&inst, NULL, &p, DECIDE_ADDR_LEASED, &pl);
	assert_int_equal(pl.change, DECIDE_CHANGE_ONCE);
	p.unknown = UNKNOWN_LOCAL;
	decide_plan(&inst, NULL, &p, DECIDE_ADDR_LEASED, &pl);
	assert_int_equal(pl.change, DECIDE_CHANGE_NONE);
	assert_null(pl.refused);
	p.unknown = UNKNOWN_MENU;
	/* menu installs off: refused before any lookup */
	p.menu_install_off = true;
	decide_plan(&inst, &menu, &p, DECIDE_ADDR_UNCHECKED, &pl);
	assert_false(pl.need_address);
	assert_string_equal(pl.refused, "menu-install-off");
	/* ... which does not touch the admin's flag */
	decide_plan(&none, &flagged, &p, DECIDE_ADDR_LEASED, &pl);
	assert_int_equal(pl.change, DECIDE_CHANGE_ISSUE);
}

/* decide_plan where leases are not seen (proxy, off): the admin's flag
 * installs from anywhere; menu choices only where they are on. */
static void
test_plan_leases_unknown(void **state)
{
	struct decide_policy p = pol;
	struct db_host flagged = mkhost(DB_ACTION_INSTALL);
	struct db_host menu = mkhost(DB_ACTION_MENU);
	struct boot_request none = mkreq(BOOT_PLATFORM_EFI, BOOT_CHOICE_NONE);
	struct boot_request inst =
	    mkreq(BOOT_PLATFORM_EFI, BOOT_CHOICE_INSTALL);
	struct decide_plan pl;

	p.leases_known = false;
	decide_plan(&none, &flagged, &p, DECIDE_ADDR_UNCHECKED, &pl);
	assert_false(pl.need_address);
	assert_int_equal(pl.change, DECIDE_CHANGE_ISSUE);
	p.menu_install_off = true; /* menu_install = auto there */
	decide_plan(&inst, &menu, &p, DECIDE_ADDR_UNCHECKED, &pl);
	assert_int_equal(pl.change, DECIDE_CHANGE_NONE);
	assert_string_equal(pl.refused, "menu-install-off");
	decide_plan(&inst, NULL, &p, DECIDE_ADDR_UNCHECKED, &pl);
	assert_string_equal(pl.refused, "menu-install-off");
	p.menu_install_off = false; /* menu_install = yes */
	decide_plan(&inst, &menu, &p, DECIDE_ADDR_UNCHECKED, &pl);
	assert_int_equal(pl.change, DECIDE_CHANGE_ONCE);
	assert_false(pl.need_address);
}

/* decide_addr_check: the address must be leased to a MAC of the host. */
static void
test_addr_check(void **state)
{
	struct db_host h = mkhost(DB_ACTION_MENU);
	struct boot_request r = mkreq(BOOT_PLATFORM_EFI, BOOT_CHOICE_NONE);

	assert_int_equal(decide_addr_check(&r, &h, "52:54:00:00:00:01"),
	                 DECIDE_ADDR_LEASED);
	assert_int_equal(decide_addr_check(&r, &h, "52:54:00:00:00:02"),
	                 DECIDE_ADDR_NOT_LEASED);
	assert_int_equal(decide_addr_check(&r, &h, ""), DECIDE_ADDR_NOT_LEASED);
	assert_int_equal(decide_addr_check(&r, &h, NULL),
	                 DECIDE_ADDR_NOT_LEASED);
	/* another NIC of the same host holds the address */
	h.n_macs = 2;
	strcpy(h.macs[1], "52:54:00:00:00:02");
	assert_int_equal(decide_addr_check(&r, &h, "52:54:00:00:00:02"),
	                 DECIDE_ADDR_LEASED);
	/* an unknown MAC: only its own lease */
	assert_int_equal(decide_addr_check(&r, NULL, "52:54:00:00:00:01"),
	                 DECIDE_ADDR_LEASED);
	assert_int_equal(decide_addr_check(&r, NULL, "52:54:00:00:00:02"),
	                 DECIDE_ADDR_NOT_LEASED);
}

/* decide with what the plan allowed: a refusal boots locally, marked;
 * a one-boot token installs as a menu choice; menus offer no install
 * where menu installs are off. */
static void
test_refused_and_once(void **state)
{
	struct boot_request r = mkreq(BOOT_PLATFORM_PCBIOS, BOOT_CHOICE_NONE);
	struct db_host h = mkhost(DB_ACTION_INSTALL);
	struct decide_policy p = pol;
	struct decide_input in = {.req = &r, .policy = &p, .host = &h};
	static const char *const names[] = {"deb", "alma"};
	struct db_distro dist;
	struct decision d;

	in.install = INSTALL_REFUSED;
	in.refused = "address-not-leased";
	assert_int_equal(decide(&in, &d), 0);
	assert_int_equal(d.kind, DECISION_LOCAL);
	assert_true(d.refused);
	assert_string_equal(d.reason, "address-not-leased");
	assert_null(d.token);
	in.refused = NULL;
	assert_int_equal(decide(&in, &d), 0);
	assert_string_equal(d.reason, "refused");
	/* a refused choice of a menu host: local too, never the install */
	h.action = DB_ACTION_MENU;
	r.choice = BOOT_CHOICE_INSTALL;
	strcpy(r.distro, "deb");
	in.refused = "menu-install-off";
	assert_int_equal(decide(&in, &d), 0);
	assert_int_equal(d.kind, DECISION_LOCAL);
	assert_true(d.refused);

	/* one boot: a menu choice */
	memset(&dist, 0, sizeof(dist));
	strcpy(dist.name, "deb");
	dist.n_kernels = 1;
	strcpy(dist.kernels[0].arch, "amd64");
	strcpy(dist.kernels[0].kernel, "deb/linux");
	in.install = INSTALL_ISSUED;
	in.distro = &dist;
	in.token = "0123456789abcdef0123456789abcdef";
	in.once = true;
	assert_int_equal(decide(&in, &d), 0);
	assert_int_equal(d.kind, DECISION_INSTALL);
	assert_false(d.refused);
	assert_string_equal(d.reason, "menu-choice");
	/* an admin's flag, even asked for by a choice */
	in.once = false;
	assert_int_equal(decide(&in, &d), 0);
	assert_string_equal(d.reason, "flagged");
	/* an unknown MAC installs without a host */
	in.host = NULL;
	in.once = true;
	assert_int_equal(decide(&in, &d), 0);
	assert_int_equal(d.kind, DECISION_INSTALL);
	assert_string_equal(d.hostname, "");

	/* menus: the distributions, unless menu installs are off */
	in.install = INSTALL_NOT_TRIED;
	r.choice = BOOT_CHOICE_NONE;
	p.distros = names;
	p.n_distros = 2;
	assert_int_equal(decide(&in, &d), 0);
	assert_int_equal(d.kind, DECISION_MENU);
	assert_int_equal(d.n_distros, 2);
	p.menu_install_off = true;
	assert_int_equal(decide(&in, &d), 0);
	assert_int_equal(d.n_distros, 0);
	assert_false(d.refused);
}

static void
test_describe(void **state)
{
	struct boot_request r = mkreq(BOOT_PLATFORM_EFI, BOOT_CHOICE_NONE);
	struct db_host h = mkhost(DB_ACTION_LOCAL);
	struct decide_input in = {.req = &r, .policy = &pol, .host = &h};
	struct decision d;
	char buf[128];

	assert_int_equal(decide(&in, &d), 0);
	decision_describe(&d, buf, sizeof(buf));
	assert_string_equal(buf, "local reason=host-local platform=efi "
	                         "method=exit1");
	assert_int_equal(decide(NULL, &d), -EINVAL);
}

int
main(void)
{
	return UNIT_RUN(test_unknown, test_local_methods, test_install_once,
	                test_choices, test_plan_leases_known,
	                test_plan_leases_unknown, test_addr_check,
	                test_refused_and_once, test_describe);
}
