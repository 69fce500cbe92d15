/*
 * test_render_grub.c - golden grub files for every decision, compared
 * byte for byte with tests/golden/grub/NAME.cfg (UPDATE_GOLDEN=1 rewrites
 * them after an intended change); hostile host fields that must not add
 * a grub command; the quoting and path rules; menu choice paths.
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
#include "appliance/core/decide.h"
#include "appliance/core/render_grub.h"
#include "tests/unit/render_fixture.h"
#include "each.h"
#include "unit_main.h"

#define SERVER "198.18.0.1"
#define TOKEN "0123456789abcdef0123456789abcdef"

static struct db_distro
distro(void)
{
	return distro_with("debian12/initrd.gz debian12/fw.cpio");
}

static struct boot_request
request(const char *mac)
{
	struct boot_request r;

	memset(&r, 0, sizeof(r));
	strcpy(r.mac, mac);
	r.platform = BOOT_PLATFORM_EFI;
	r.arch = 7;
	return r;
}

/* Compare text with the golden file name (golden.h). */
#define golden(name, text) golden_check(text, "tests/golden/grub/%s.cfg", name)

/* grub_render for the server SERVER. */
static int
render_at_server(const struct decision *d, char **ret, size_t *ret_len)
{
	return grub_render(d, SERVER, ret, ret_len);
}

/* decide, render, compare with the golden file. */
#define render_golden(name, in, want)                                          \
	render_golden_with(render_at_server, "grub", "cfg", name, in, want)

static void
test_golden_all(void **state)
{
	struct decide_policy pol = policy();
	struct db_distro dist = distro();
	struct boot_request req = request("52:54:00:12:34:56");
	struct decide_input in = {.req = &req, .policy = &pol};
	struct db_host h;
	char *s = NULL;

	(void)state;
	/* install, with a token */
	h = host(DB_ACTION_INSTALL);
	in.host = &h;
	in.install = INSTALL_ISSUED;
	in.distro = &dist;
	in.token = TOKEN;
	render_golden("install", &in, DECISION_INSTALL);

	/* a distribution without initrd */
	dist.kernels[0].initrd[0] = '\0';
	render_golden("install-no-initrd", &in, DECISION_INSTALL);
	dist = distro();

	/* attempts spent: the menu says so */
	in.install = INSTALL_EXHAUSTED;
	render_golden("exhausted", &in, DECISION_MENU);
	/* an arm64 client and a distribution with no arm64 kernel: the
	 * menu says so, and offers no memtest (x86 only) */
	strcpy(req.buildarch, "arm64");
	in.install = INSTALL_NO_KERNEL;
	render_golden("nokernel-arm64", &in, DECISION_MENU);
	req.buildarch[0] = '\0';
	in.install = INSTALL_NOT_TRIED;
	in.distro = NULL;
	in.token = NULL;

	/* local: back to the firmware, or chainload the disk's loader */
	h = host(DB_ACTION_LOCAL);
	render_golden("local", &in, DECISION_LOCAL);
	strcpy(h.local_boot, "grub");
	render_golden("local-chainload", &in, DECISION_LOCAL);

	/* a host flagged "menu" */
	h = host(DB_ACTION_MENU);
	render_golden("menu-host", &in, DECISION_MENU);

	/* memtest and shell (choices of an iPXE menu; rendered anyway) */
	in.host = NULL;
	req.choice = BOOT_CHOICE_MEMTEST;
	render_golden("memtest", &in, DECISION_MEMTEST);
	req.choice = BOOT_CHOICE_SHELL;
	render_golden("shell", &in, DECISION_SHELL);
	req.choice = BOOT_CHOICE_NONE;

	/* the default file: no MAC, an unknown machine */
	req = request("");
	render_golden("default", &in, DECISION_MENU);
	pol.unknown = UNKNOWN_LOCAL;
	render_golden("default-local", &in, DECISION_LOCAL);

	/* the dispatcher */
	assert_int_equal(grub_render_dispatch(SERVER, &s, NULL), 0);
	golden("grub", s);
	free(s);
}

/* The first word of every line: the commands a file runs. */
static void
shape(const char *text, char *out, size_t outsz)
{
	const char *p = text;
	size_t o = 0;

	while (*p) {
		const char *e;
		size_t n;

		while (*p == '\t' || *p == ' ')
			p++;
		e = p + strcspn(p, " \t\n");
		n = (size_t)(e - p);
		assert_true(o + n + 2 < outsz);
		memcpy(out + o, p, n);
		o += n;
		out[o++] = '\n';
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	out[o] = '\0';
}

/* The inputs of an install of host 7 with token TOKEN; in points into
 * the others (c stays where it is). */
struct install_case {
	struct decide_policy pol;
	struct db_distro dist;
	struct boot_request req;
	struct db_host h;
	struct decide_input in;
};

static void
install_case(struct install_case *c)
{
	c->pol = policy();
	c->dist = distro();
	c->req = request("52:54:00:12:34:56");
	c->h = host(DB_ACTION_INSTALL);
	memset(&c->in, 0, sizeof(c->in));
	c->in.req = &c->req;
	c->in.policy = &c->pol;
	c->in.host = &c->h;
	c->in.install = INSTALL_ISSUED;
	c->in.distro = &c->dist;
	c->in.token = TOKEN;
}

/*
 * Render an install whose command line carries attr (a host attribute),
 * or return the error.
 */
static int
render_attr(const char *attr, char **ret)
{
	struct install_case c;
	struct decision d;
	int r;

	install_case(&c);
	str_copy(c.h.attrs[0].value, sizeof(c.h.attrs[0].value), attr);
	r = decide(&c.in, &d);
	if (r < 0)
		return r;
	return grub_render(&d, SERVER, ret, NULL);
}

/*
 * A host attribute reaches the kernel command line. Whatever it holds,
 * the file runs the same commands as with a harmless value: grub syntax
 * in it stays inside single quotes, and what cannot be quoted is refused.
 */
static void
test_hostile_attr(void **state)
{
	static const char *const inert[] = {
	    "${net_default_mac}", "$(reboot)",
	    "x;reboot",           "x; reboot",
	    "x && reboot",        "x || reboot",
	    "x | reboot",         "} menuentry x { reboot",
	    "# comment",          "`reboot`",
	    "fi; done; reboot",   "x\treboot",
	};
	static const char *const refused[] = {
	    "x'; reboot; echo '", "x' reboot '", "x\"reboot", "x\\nreboot",
	    "x\nreboot",          "x\rreboot",   "\x1b[2J",   "caf\xc3\xa9",
	};
	char *good = NULL, *bad = NULL, sg[4096], sb[4096];
	size_t i;

	(void)state;
	assert_int_equal(render_attr("r1", &good), 0);
	shape(good, sg, sizeof(sg));
	for (i = 0; i < ARRAY_SIZE(inert); i++) {
		int r = render_attr(inert[i], &bad);

		if (r < 0)
			continue; /* refused is fine too */
		shape(bad, sb, sizeof(sb));
		if (strcmp(sg, sb)) {
			fprintf(stderr, "%s\n", bad);
			fail_msg("attribute '%s' changed the commands",
			         inert[i]);
		}
		/* and it is quoted: no unquoted ';' or '$(' after linux */
		assert_null(strstr(bad, "; reboot"));
		free(bad);
		bad = NULL;
	}
	for (i = 0; i < ARRAY_SIZE(refused); i++) {
		bad = NULL;
		if (render_attr(refused[i], &bad) != -EINVAL) {
			fprintf(stderr, "%s\n", bad ? bad : "(error)");
			fail_msg("attribute %zu was not refused", i);
		}
	}
	free(good);
}

/* Kernel and initrd paths grub cannot fetch, or that leave the files
 * directory, are refused; so are hostile names and hostnames. */
static void
test_hostile_refs(void **state)
{
	static const char *const bad_refs[] = {
	    "http://198.18.0.1/files/linux",
	    "https://x/linux",
	    "/etc/passwd",
	    "../linux",
	    "a/../../linux",
	    "a//linux",
	    "(hd0,1)/linux",
	    "a'b",
	    "a\"b",
	    "a\\b",
	    "a\nb",
	};
	struct install_case c;
	struct db_distro *dist = &c.dist;
	struct decide_input *in = &c.in;
	struct decision d;
	char *s = NULL;
	size_t i;

	(void)state;
	install_case(&c);
	for (i = 0; i < ARRAY_SIZE(bad_refs); i++) {
		*dist = distro();
		str_copy(dist->kernels[0].kernel, sizeof(dist->kernels[0].kernel), bad_refs[i]);
		assert_int_equal(decide(in, &d), 0);
		assert_int_equal(grub_render(&d, SERVER, &s, NULL), -EINVAL);
		*dist = distro();
		snprintf(dist->kernels[0].initrd, sizeof(dist->kernels[0].initrd), "ok.gz %s",
		         bad_refs[i]);
		assert_int_equal(decide(in, &d), 0);
		assert_int_equal(grub_render(&d, SERVER, &s, NULL), -EINVAL);
	}
	/* names and hostnames in menus: validated before use */
	*dist = distro();
	c.h = host(DB_ACTION_MENU);
	in->install = INSTALL_NOT_TRIED;
	in->distro = NULL;
	in->token = NULL;
	assert_int_equal(decide(in, &d), 0);
	d.hostname = "x' reboot '";
	assert_int_equal(grub_render(&d, SERVER, &s, NULL), -EINVAL);
	assert_int_equal(decide(in, &d), 0);
	{
		static const char *const evil[] = {"ok", "a';reboot;'"};

		d.distros[0] = evil[0];
		d.distros[1] = evil[1];
		d.n_distros = 2;
		assert_int_equal(grub_render(&d, SERVER, &s, NULL), -EINVAL);
	}
	/* the server address and the MAC are checked too */
	assert_int_equal(decide(in, &d), 0);
	assert_int_equal(grub_render(&d, "198.18.0.1;reboot", &s, NULL),
	                 -EINVAL);
	strcpy(d.mac, "52:54:00:12:34:5G");
	assert_int_equal(grub_render(&d, SERVER, &s, NULL), -EINVAL);
	assert_int_equal(grub_render_dispatch("x'y", &s, NULL), -EINVAL);
}

static void
test_quote(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(grub_quote("abc", out, sizeof(out)), 5);
	assert_string_equal(out, "'abc'");
	assert_true(grub_quote("it's", out, sizeof(out)) > 0);
	assert_string_equal(out, "'it'\\''s'");
	assert_true(grub_quote("$x; {y}", out, sizeof(out)) > 0);
	assert_string_equal(out, "'$x; {y}'");
	assert_true(grub_quote("", out, sizeof(out)) > 0);
	assert_string_equal(out, "''");
	assert_int_equal(grub_quote("a\nb", out, sizeof(out)), -EINVAL);
	assert_int_equal(grub_quote("a\x7f", out, sizeof(out)), -EINVAL);
	assert_int_equal(grub_quote("abcdef", out, 6), -ENOSPC);
	assert_int_equal(grub_quote("abcd", out, 7), 6);
	assert_int_equal(grub_quote("abcd", out, 6), -ENOSPC);
	assert_int_equal(grub_quote("'''", out, 8), -ENOSPC);

	EXPECT_EACH_MAX(grub_safe_arg, 100, true, "console=ttyS0,115200n8",
	                "a=$b;c");
	EXPECT_EACH_MAX(grub_safe_arg, 100, false, "", "a b");
	assert_false(grub_safe_arg("abc", 2));
	EXPECT_EACH_MAX(grub_safe_path, 100, true, "debian12/linux", "a/..b/c");
	EXPECT_EACH_MAX(grub_safe_path, 100, false, "..", "a/..");
}

static void
test_choice_parse(void **state)
{
	char mac[MAC_STR_LEN], d[NAME_MAX_LEN + 1];

	(void)state;
	assert_int_equal(grub_choice_parse("grub/choice/52:54:00:12:34:56/"
	                                   "install/debian12.cfg",
	                                   mac, d),
	                 0);
	assert_string_equal(mac, "52:54:00:12:34:56");
	assert_string_equal(d, "debian12");
	assert_int_equal(
	    grub_choice_parse("grub/mac/52:54:00:12:34:56.cfg", mac, d),
	    -ENOENT);
	assert_int_equal(grub_choice_parse("pxelinux.0", mac, d), -ENOENT);
	assert_int_equal(grub_choice_parse("grub/choice/52:54:00:12:34/"
	                                   "install/debian12.cfg",
	                                   mac, d),
	                 -EINVAL);
	assert_int_equal(grub_choice_parse("grub/choice/52:54:00:12:34:zz/"
	                                   "install/debian12.cfg",
	                                   mac, d),
	                 -EINVAL);
	assert_int_equal(grub_choice_parse("grub/choice/52:54:00:12:34:56/"
	                                   "local/debian12.cfg",
	                                   mac, d),
	                 -EINVAL);
	assert_int_equal(grub_choice_parse("grub/choice/52:54:00:12:34:56/"
	                                   "install/Deb;x.cfg",
	                                   mac, d),
	                 -EINVAL);
	assert_int_equal(grub_choice_parse("grub/choice/52:54:00:12:34:56/"
	                                   "install/../x.cfg",
	                                   mac, d),
	                 -EINVAL);
	assert_int_equal(grub_choice_parse("grub/choice/52:54:00:12:34:56/"
	                                   "install/.cfg",
	                                   mac, d),
	                 -EINVAL);
	assert_int_equal(grub_choice_parse("grub/choice/52:54:00:12:34:56/"
	                                   "install/debian12",
	                                   mac, d),
	                 -EINVAL);
}

int
main(void)
{
	return UNIT_RUN(test_golden_all, test_hostile_attr, test_hostile_refs,
	                test_quote, test_choice_parse);
}
