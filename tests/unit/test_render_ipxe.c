/*
 * test_render_ipxe.c - golden iPXE scripts for every decision x platform,
 * compared byte for byte with tests/golden/ipxe/NAME.ipxe (run with
 * UPDATE_GOLDEN=1 to rewrite them after an intended change), plus
 * injection attempts that the renderer must refuse.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/golden.h"

#include "common/util.h"
#include "appliance/core/bootscript.h"
#include "appliance/core/decide.h"
#include "appliance/core/render_ipxe.h"
#include "tests/unit/render_fixture.h"
#include "each.h"
#include "records.h"
#include "unit_main.h"

static struct db_distro
distro(void)
{
	return distro_with("debian12/initrd.gz http://198.18.0.1/files/fw.cpio");
}

static struct boot_request
request(enum boot_platform p)
{
	struct boot_request r;

	memset(&r, 0, sizeof(r));
	strcpy(r.mac, "52:54:00:12:34:56");
	r.platform = p;
	r.arch = -1;
	return r;
}

/* Compare text with the golden file name (golden.h). */
#define golden(name, text) golden_check(text, "tests/golden/ipxe/%s.ipxe", name)

/* decide, render, compare with the golden file. */
#define render_golden(name, in, want)                                          \
	render_golden_with(ipxe_render, "ipxe", "ipxe", name, in, want)

static const char *
pname(enum boot_platform p)
{
	return boot_platform_name(p);
}

static const enum boot_platform plats[] = {
    BOOT_PLATFORM_PCBIOS, BOOT_PLATFORM_EFI, BOOT_PLATFORM_UNKNOWN};

/* fn for a client of each platform. */
static void
each_platform(void (*fn)(enum boot_platform p))
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(plats); i++)
		fn(plats[i]);
}

/* A cmocka test named test that runs fn for every platform. */
#define EACH_PLATFORM_TEST(test, fn)                                          \
	static void test(void **state)                                        \
	{                                                                     \
		each_platform(fn);                                            \
	}

/* render_golden for the golden file KIND-PLATFORM. */
static void
golden_on(const char *kind, enum boot_platform p, const struct decide_input *in,
          enum decision_kind want)
{
	char name[64];

	snprintf(name, sizeof(name), "%s-%s", kind, pname(p));
	render_golden(name, in, want);
}

/* Every decision for a client of platform p. */
static void
golden_all_on(enum boot_platform p)
{
	struct decide_policy pol = policy();
	struct db_distro dist = distro();
	struct boot_request req = request(p);
	struct db_host h;
	struct decide_input in = {.req = &req, .policy = &pol};

	/* install, with a token */
	h = host(DB_ACTION_INSTALL);
	in.host = &h;
	in.install = INSTALL_ISSUED;
	in.distro = &dist;
	in.token = "0123456789abcdef0123456789abcdef";
	golden_on("install", p, &in, DECISION_INSTALL);

	/* attempts spent: the menu says so */
	in.install = INSTALL_EXHAUSTED;
	golden_on("exhausted", p, &in, DECISION_MENU);
	in.install = INSTALL_NOT_TRIED;
	in.distro = NULL;
	in.token = NULL;

	/* local (site default per platform) */
	h = host(DB_ACTION_LOCAL);
	golden_on("local", p, &in, DECISION_LOCAL);

	/* local, host override grub */
	strcpy(h.local_boot, "grub");
	golden_on("local-grub", p, &in, DECISION_LOCAL);

	/* menu, for an unknown MAC */
	in.host = NULL;
	golden_on("menu", p, &in, DECISION_MENU);

	/* memtest and shell chosen from the menu */
	req.choice = BOOT_CHOICE_MEMTEST;
	golden_on("memtest", p, &in, DECISION_MEMTEST);
	req.choice = BOOT_CHOICE_SHELL;
	golden_on("shell", p, &in, DECISION_SHELL);
}

EACH_PLATFORM_TEST(test_golden_all, golden_all_on)

/* The answers of the trust rules (decide_plan) for a client of platform
 * p: a refused change boots the local disk; a menu choice installs with
 * a one-boot token; a menu where menu installs are off offers none. */
static void
golden_trust_on(enum boot_platform p)
{
	struct decide_policy pol = policy();
	struct db_distro dist = distro();
	struct boot_request req = request(p);
	struct db_host h = host(DB_ACTION_INSTALL);
	struct decide_input in = {.req = &req, .policy = &pol};
	struct decision d;

	/* a flagged host asked for from an address not its own */
	in.host = &h;
	in.install = INSTALL_REFUSED;
	in.refused = "address-not-leased";
	golden_on("refused", p, &in, DECISION_LOCAL);
	assert_int_equal(decide(&in, &d), 0);
	assert_true(d.refused);

	/* "Reinstall debian12" chosen in a menu host's menu */
	h = host(DB_ACTION_MENU);
	req.choice = BOOT_CHOICE_INSTALL;
	strcpy(req.distro, "debian12");
	in.install = INSTALL_ISSUED;
	in.refused = NULL;
	in.once = true;
	in.distro = &dist;
	in.token = "fedcba9876543210fedcba9876543210";
	golden_on("choice-install", p, &in, DECISION_INSTALL);

	/* a menu where menu installs are off */
	req.choice = BOOT_CHOICE_NONE;
	in.install = INSTALL_NOT_TRIED;
	in.once = false;
	in.distro = NULL;
	in.token = NULL;
	pol.menu_install_off = true;
	golden_on("menu-noinstall", p, &in, DECISION_MENU);
}

EACH_PLATFORM_TEST(test_golden_trust, golden_trust_on)

/* Values that would add iPXE syntax are refused, never rendered. */
/* An ARM64 client (iPXE's buildarch arm64): the kernel of its
 * architecture, a menu of the distributions that have one and no
 * memory test; a distribution without one gets the menu, saying so. */
static void
test_golden_arm64(void **state)
{
	static const char *const arches[] = {"amd64 arm64", "amd64"};
	struct decide_policy pol = policy();
	struct db_distro dist = distro();
	struct boot_request req = request(BOOT_PLATFORM_EFI);
	struct db_host h = host(DB_ACTION_INSTALL);
	struct decide_input in = {.req = &req, .policy = &pol, .host = &h};
	struct decision d;

	pol.distro_arches = arches;
	strcpy(req.buildarch, "arm64");
	distro_kernel_add(&dist, "arm64", "debian12/arm64/linux",
	                  "debian12/arm64/initrd.gz");
	in.install = INSTALL_ISSUED;
	in.distro = &dist;
	in.token = "0123456789abcdef0123456789abcdef";
	render_golden("install-arm64", &in, DECISION_INSTALL);
	assert_int_equal(decide(&in, &d), 0);
	assert_string_equal(d.kernel, "debian12/arm64/linux");
	assert_string_equal(d.kernel_arch, "arm64");

	/* the same distribution without its arm64 kernel: never the
	 * amd64 one */
	dist.n_kernels = 1;
	assert_int_equal(decide(&in, &d), 0);
	assert_int_equal(d.kind, DECISION_MENU);
	assert_string_equal(d.reason, "no-kernel-for-arch");
	assert_null(d.kernel);
	in.install = INSTALL_NO_KERNEL;
	in.token = NULL;
	render_golden("nokernel-arm64", &in, DECISION_MENU);

	/* an unknown MAC's menu: debian12 only, no memtest item */
	in.host = NULL;
	in.install = INSTALL_NOT_TRIED;
	in.distro = NULL;
	render_golden("menu-arm64", &in, DECISION_MENU);
	assert_int_equal(decide(&in, &d), 0);
	assert_int_equal(d.n_distros, 1);
	assert_true(d.no_memtest);

	/* memtest asked for anyway: the menu */
	req.choice = BOOT_CHOICE_MEMTEST;
	assert_int_equal(decide(&in, &d), 0);
	assert_int_equal(d.kind, DECISION_MENU);
	assert_string_equal(d.reason, "no-memtest");

	/* an x86 client still sees both, and memtest */
	req = request(BOOT_PLATFORM_EFI);
	strcpy(req.buildarch, "x86_64");
	assert_int_equal(decide(&in, &d), 0);
	assert_int_equal(d.n_distros, 2);
	assert_false(d.no_memtest);
	/* its architecture from option 93 when iPXE did not say */
	req = request(BOOT_PLATFORM_PCBIOS);
	assert_string_equal(decide_kernel_arch(&req), "amd64");
	req.buildarch[0] = '\0';
	req.arch = 7;
	assert_string_equal(decide_kernel_arch(&req), "amd64");
	strcpy(req.buildarch, "arm32");
	assert_string_equal(decide_kernel_arch(&req), "unknown");
	strcpy(req.buildarch, "i386");
	assert_string_equal(decide_kernel_arch(&req), "amd64");
}

static void
test_injection_refused(void **state)
{
	static const char *const bad_cmdlines[] = {
	    "quiet ${net0/mac}",
	    "a || shell",
	    "a && shell",
	    "a ; shell",
	    "a\nshell",
	    "a #x",
	    "a \"q\"",
	    "a 'q'",
	    "a\\b",
	    "a\tb",
	    "a  b",
	};
	struct decide_policy pol = policy();
	struct db_distro dist = distro();
	struct boot_request req = request(BOOT_PLATFORM_EFI);
	struct db_host h = host(DB_ACTION_INSTALL);
	struct decide_input in = {.req = &req,
	                          .policy = &pol,
	                          .host = &h,
	                          .install = INSTALL_ISSUED,
	                          .distro = &dist,
	                          .token = "0123456789abcdef0123456789abcdef"};
	struct decision d;
	char *s = NULL;
	size_t i, len;

	for (i = 0; i < ARRAY_SIZE(bad_cmdlines); i++) {
		strcpy(dist.cmdline, bad_cmdlines[i]);
		assert_int_equal(decide(&in, &d), 0);
		assert_int_equal(ipxe_render(&d, &s, &len), -EINVAL);
	}
	/* an attribute value smuggled in through the template */
	strcpy(dist.cmdline, "rack={{attr.rack}}");
	strcpy(h.attrs[0].value, "x ${root-path} || shell");
	assert_int_equal(decide(&in, &d), 0);
	assert_int_equal(ipxe_render(&d, &s, &len), -EINVAL);
	/* a kernel reference with a space or a $ */
	dist = distro();
	strcpy(dist.kernels[0].kernel, "linux ${x}");
	assert_int_equal(decide(&in, &d), 0);
	assert_int_equal(ipxe_render(&d, &s, &len), -EINVAL);
	/* a base URL with a setting */
	dist = distro();
	pol.base_url = "http://${next-server}";
	assert_int_equal(decide(&in, &d), 0);
	assert_int_equal(ipxe_render(&d, &s, &len), -EINVAL);
	/* a distro name in the menu that is not a name */
	{
		static const char *const evil[] = {"ok", "x\nshell"};
		pol = policy();
		pol.distros = evil;
		in.host = NULL;
		in.install = INSTALL_NOT_TRIED;
		assert_int_equal(decide(&in, &d), 0);
		assert_int_equal(d.kind, DECISION_MENU);
		assert_int_equal(ipxe_render(&d, &s, &len), -EINVAL);
	}
}

static void
test_error_script(void **state)
{
	char buf[512];

	assert_true(
	    ipxe_render_error("bad ${x}\nshell || x", buf, sizeof(buf)) > 0);
	assert_null(strstr(buf, "${x}"));
	assert_null(strstr(buf, "\nshell"));
	assert_null(strstr(buf, "|| x"));
	assert_int_equal(ipxe_render_error("x", buf, 10), -ENOSPC);
	assert_true(ipxe_safe_word("http://a/b?c=d", 100));
	EXPECT_EACH_MAX(ipxe_safe_word, 100, false, "", "a b");
	EXPECT_EACH_MAX(ipxe_safe_args, 100, false, " a", "a ");
	assert_true(ipxe_safe_args("", 100));
}

/* The boot script (TFTP boot.ipxe, /ipxe/v1/boot, built images). */
static void
test_boot_script(void **state)
{
	static const char *const bad[] = {
	    "", "198.18.0.1", "ftp://198.18.0.1", "http://",
	    "http://198.18.0.1/", "http://198.18.0.1 && shell",
	    "http://${ip}", "http://a\nshell", "https://a;b",
	};
	char buf[2048];
	size_t i;

	assert_true(ipxe_render_boot_script("http://198.18.0.1", buf,
	                                    sizeof(buf)) > 0);
	golden("boot", buf);
	assert_true(ipxe_render_boot_script("https://198.18.0.1:8443", buf,
	                                    sizeof(buf)) > 0);
	golden("boot-https", buf);
	/* fetched over IPv6 (per-request base): the client has its address */
	assert_true(ipxe_render_boot_script("http://[fd00:b007::1]", buf,
	                                    sizeof(buf)) > 0);
	golden("boot-ipv6", buf);
	assert_non_null(strstr(buf, "\ngoto dhcp_ok\n"));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(
		    ipxe_render_boot_script(bad[i], buf, sizeof(buf)),
		    -EINVAL);
	assert_int_equal(ipxe_render_boot_script(NULL, buf, sizeof(buf)),
	                 -EINVAL);
	assert_int_equal(ipxe_render_boot_script("http://a", buf, 64),
	                 -ENOSPC);
}

int
main(void)
{
	return UNIT_RUN(test_golden_all, test_golden_trust, test_golden_arm64,
	                test_injection_refused, test_error_script,
	                test_boot_script);
}
