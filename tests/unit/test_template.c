/*
 * test_template.c - install templates: validation at add time (unknown
 * variables, malformed braces, line numbers), rendering, host variables.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/util.h"
#include "appliance/core/template.h"
#include "records.h"
#include "unit_main.h"

static void
test_validate(void **state)
{
	char err[128];

	assert_int_equal(tmpl_validate("plain text", err, sizeof(err)), 0);
	assert_int_equal(tmpl_validate("h={{hostname}} m={{ mac }} "
	                               "a={{attr.rack-1}} u={{install_url}}",
	                               err, sizeof(err)),
	                 0);
	assert_int_equal(tmpl_validate("a\nb\n{{nope}}", err, sizeof(err)),
	                 -EINVAL);
	assert_string_equal(err, "line 3: unknown variable 'nope'");
	assert_int_equal(tmpl_validate("x\n{{mac", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "line 2: malformed '{{...}}'");
	assert_int_equal(tmpl_validate("{{}}", err, sizeof(err)), -EINVAL);
	assert_int_equal(tmpl_validate("{{attr.BAD}}", err, sizeof(err)),
	                 -EINVAL);
	assert_int_equal(tmpl_validate("{{attr.}}", err, sizeof(err)), -EINVAL);
	assert_int_equal(tmpl_validate(NULL, err, sizeof(err)), -EINVAL);
}

/* Kernel command lines: {{variables}} yes, shell and script syntax no. */
static void
test_validate_cmdline(void **state)
{
	static const char *const good[] = {
	    "auto=true priority=critical url={{install_url}}",
	    "hostname={{hostname}} domain=lab ip={{ ip }} r={{attr.rack}}",
	    "console=ttyS0,115200 quiet",
	    "",
	};
	static const char *const bad[] = {
	    "url={{nosuch}}",    /* unknown variable */
	    "url={{install_url", /* unclosed */
	    "a={b}",             /* a brace that is not a variable */
	    "a=} {{mac}}",       /* a stray closing brace */
	    "x={{mac}};reboot",  /* script syntax outside a variable */
	    "x=$(id)",           "a=\"q\"",  "a=1 # c", "a|b", "a\nb",
	};
	char err[160], big[DB_CMDLINE_MAX + 8];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good); i++)
		assert_int_equal(tmpl_validate_cmdline(good[i],
		                                       DB_CMDLINE_MAX - 1, err,
		                                       sizeof(err)),
		                 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		err[0] = '\0';
		assert_int_equal(tmpl_validate_cmdline(bad[i],
		                                       DB_CMDLINE_MAX - 1, err,
		                                       sizeof(err)),
		                 -EINVAL);
		assert_true(err[0] != '\0');
	}
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(tmpl_validate_cmdline(big, DB_CMDLINE_MAX - 1, err,
	                                       sizeof(err)),
	                 -EINVAL);
	assert_int_equal(tmpl_validate_cmdline(NULL, 10, err, sizeof(err)),
	                 -EINVAL);
}

static void
test_render(void **state)
{
	const struct tmpl_var vars[] = {{"mac", "52:54:00:00:00:01"},
	                                {"hostname", "n1"}};
	char *out = NULL;
	size_t len;

	assert_int_equal(tmpl_render("a {{mac}} b {{ hostname }} c "
	                             "{{attr.none}}!",
	                             vars, 2, &out, &len),
	                 0);
	assert_string_equal(out, "a 52:54:00:00:00:01 b n1 c !");
	assert_int_equal(len, strlen(out));
	free(out);
	/* a value containing braces is not expanded again */
	{
		const struct tmpl_var v2[] = {{"mac", "{{hostname}}"},
		                              {"hostname", "X"}};
		assert_int_equal(tmpl_render("{{mac}}", v2, 2, &out, &len), 0);
		assert_string_equal(out, "{{hostname}}");
		free(out);
	}
	assert_int_equal(tmpl_render("{{mac", vars, 2, &out, &len), -EINVAL);
}

static void
test_host_vars(void **state)
{
	struct tmpl_var vars[TMPL_HOST_VARS];
	struct db_host h;
	struct db_distro d;
	char *out = NULL;
	size_t n, len;

	memset(&h, 0, sizeof(h));
	strcpy(h.hostname, "n1");
	strcpy(h.ip, "198.18.0.9");
	host_attr_add(&h, "rack", "r7");
	memset(&d, 0, sizeof(d));
	strcpy(d.name, "deb");
	strcpy(d.template_name, "preseed.cfg");
	assert_int_equal(tmpl_host_vars(&h, "52:54:00:00:00:01",
	                                "http://198.18.0.1",
	                                "0123456789abcdef0123456789abcdef", &d,
	                                vars, TMPL_HOST_VARS, &n),
	                 0);
	assert_int_equal(tmpl_render("{{ip}} {{distro}} {{attr.rack}} "
	                             "{{done_url}} {{install_url}}",
	                             vars, n, &out, &len),
	                 0);
	assert_string_equal(out,
	                    "198.18.0.9 deb r7 "
	                    "http://198.18.0.1/ipxe/v1/done?token="
	                    "0123456789abcdef0123456789abcdef "
	                    "http://198.18.0.1/ipxe/v1/install/"
	                    "0123456789abcdef0123456789abcdef/preseed.cfg");
	free(out);
	assert_int_equal(
	    tmpl_host_vars(NULL, "m", "s", NULL, NULL, vars, 3, &n),
	    -ENAMETOOLONG);
}

/* {{name|default}}: the default when the value is empty, checked chars. */
static void
test_default(void **state)
{
	const struct tmpl_var vars[] = {{"hostname", "n1"}, {"attr.tz", ""}};
	char err[128], *out = NULL;

	assert_int_equal(tmpl_validate("{{attr.tz|UTC}} {{ attr.l|en_US.UTF-8 }}"
	                               " {{hostname|x}}",
	                               err, sizeof(err)),
	                 0);
	assert_int_equal(tmpl_render("{{attr.tz|Europe/Paris}} "
	                             "{{hostname|other}} {{attr.no|a:b@c,d=e+f}}"
	                             " {{ attr.tz }}.",
	                             vars, 2, &out, NULL),
	                 0);
	assert_string_equal(out, "Europe/Paris n1 a:b@c,d=e+f .");
	free(out);
	/* nothing a script reads, no space, not empty, not too long */
	assert_int_equal(tmpl_validate("{{attr.tz|a b}}", err, sizeof(err)),
	                 -EINVAL);
	assert_int_equal(tmpl_validate("{{attr.tz|$(reboot)}}", err,
	                               sizeof(err)),
	                 -EINVAL);
	assert_int_equal(tmpl_validate("{{attr.tz|a'b}}", err, sizeof(err)),
	                 -EINVAL);
	assert_int_equal(tmpl_validate("{{attr.tz|}}", err, sizeof(err)),
	                 -EINVAL);
	assert_int_equal(tmpl_validate("{{attr.tz|a|b}}", err, sizeof(err)),
	                 -EINVAL);
	assert_int_equal(tmpl_validate("{{nope|x}}", err, sizeof(err)),
	                 -EINVAL);
	assert_int_equal(
	    tmpl_validate("{{attr.tz|"
	                  "01234567890123456789012345678901234567890123456789"
	                  "012345678901234}}",
	                  err, sizeof(err)),
	    -EINVAL);
	assert_int_equal(tmpl_validate_cmdline("tz={{attr.tz|UTC}}", 200, err,
	                                       sizeof(err)),
	                 0);
	assert_int_equal(tmpl_validate_cmdline("tz={{attr.tz|;reboot}}", 200,
	                                       err, sizeof(err)),
	                 -EINVAL);
}

/* A template calls back: {{done_url}}, or the done path with {{token}}. */
static void
test_callback(void **state)
{
	assert_true(tmpl_has_callback("wget {{ done_url }}"));
	assert_true(tmpl_has_callback(
	    "curl {{server}}/ipxe/v1/done?token={{token}}"));
	assert_false(tmpl_has_callback("curl {{server}}/ipxe/v1/done"));
	assert_false(tmpl_has_callback("wget {{install_url}} {{token}}"));
	assert_false(tmpl_has_callback("# done_url"));
}

int
main(void)
{
	return UNIT_RUN(test_validate, test_validate_cmdline, test_render,
	                test_host_vars, test_default, test_callback);
}
