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
#include "http/decide.h"

static struct decide_policy pol = {
    .base_url = "http://198.18.0.1",
    .unknown = UNKNOWN_MENU,
    .menu_timeout = 5,
    .install_attempts = 3,
    .local_bios = LOCAL_BOOT_SANBOOT,
    .local_efi = LOCAL_BOOT_EXIT1,
};

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
	strcpy(dist.kernel, "deb/linux");
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
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_unknown),
	    cmocka_unit_test(test_local_methods),
	    cmocka_unit_test(test_install_once),
	    cmocka_unit_test(test_choices),
	    cmocka_unit_test(test_describe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
