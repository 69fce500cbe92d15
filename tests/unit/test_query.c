/*
 * test_query.c - strict URL decoding and the /ipxe/v1/config request
 * parser, with hostile input.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/util.h"
#include "appliance/core/query.h"
#include "unit_main.h"

static void
test_decode(void **state)
{
	char out[16];

	assert_int_equal(http_pct_decode("a%3Ab+c", 7, out, sizeof(out), 1), 5);
	assert_string_equal(out, "a:b c");
	assert_int_equal(http_pct_decode("a+b", 3, out, sizeof(out), 0), 3);
	assert_string_equal(out, "a+b");
	assert_int_equal(http_pct_decode("%", 1, out, sizeof(out), 1), -EINVAL);
	assert_int_equal(http_pct_decode("%4", 2, out, sizeof(out), 1),
	                 -EINVAL);
	assert_int_equal(http_pct_decode("%zz", 3, out, sizeof(out), 1),
	                 -EINVAL);
	assert_int_equal(http_pct_decode("%00", 3, out, sizeof(out), 1),
	                 -EINVAL);
	assert_int_equal(http_pct_decode("%0a", 3, out, sizeof(out), 1),
	                 -EINVAL);
	assert_int_equal(
	    http_pct_decode("0123456789abcdefg", 17, out, sizeof(out), 1),
	    -ENAMETOOLONG);
}

static void
test_split(void **state)
{
	struct http_kv kv[4];
	char buf[256];
	size_t n;

	assert_int_equal(
	    http_query_split("a=1&b=%20&c", kv, 4, &n, buf, sizeof(buf)), 0);
	assert_int_equal(n, 3);
	assert_string_equal(http_query_get(kv, n, "b"), " ");
	assert_string_equal(http_query_get(kv, n, "c"), "");
	assert_null(http_query_get(kv, n, "d"));
	assert_int_equal(http_query_split("=1", kv, 4, &n, buf, sizeof(buf)),
	                 -EINVAL);
	assert_int_equal(
	    http_query_split("a&b&c&d&e", kv, 4, &n, buf, sizeof(buf)),
	    -EINVAL);
	assert_int_equal(http_query_split("", kv, 4, &n, buf, sizeof(buf)), 0);
	assert_int_equal(n, 0);
}

static void
test_config_ok(void **state)
{
	struct boot_request r;
	char err[64];

	assert_int_equal(boot_request_parse("mac=52%3A54%3A00%3A12%3A34%3A56"
	                                    "&platform=efi&buildarch=x86_64",
	                                    &r, err, sizeof(err)),
	                 0);
	assert_string_equal(r.mac, "52:54:00:12:34:56");
	assert_int_equal(r.platform, BOOT_PLATFORM_EFI);
	assert_string_equal(r.buildarch, "x86_64");
	assert_int_equal(r.arch, -1);
	assert_int_equal(boot_request_parse("mac=52:54:00:12:34:56&platform="
	                                    "&uuid=0a-BC&serial=To+be+filled"
	                                    "&arch=7&foo=bar",
	                                    &r, err, sizeof(err)),
	                 0);
	assert_int_equal(r.platform, BOOT_PLATFORM_UNKNOWN);
	assert_string_equal(r.serial, "To be filled");
	assert_int_equal(r.arch, 7);
	assert_int_equal(boot_request_parse("mac=5254.0012.3456&choice=install"
	                                    "&distro=debian12",
	                                    &r, err, sizeof(err)),
	                 0);
	assert_int_equal(r.choice, BOOT_CHOICE_INSTALL);
	assert_string_equal(r.distro, "debian12");
}

static void
test_config_hostile(void **state)
{
	static const char *const bad[] = {
	    "",
	    "platform=efi",
	    "mac=",
	    "mac=zz:zz:zz:zz:zz:zz",
	    "mac=52:54:00:12:34",
	    "mac=52:54:00:12:34:56:78",
	    "mac=52%253A54%253A00%253A12%253A34%253A56",
	    "mac=52:54:00:12:34:56%00",
	    "mac=52:54:00:12:34:56%0aimgfetch",
	    "mac=52:54:00:12:34:56&mac=52:54:00:12:34:57",
	    "mac=52:54:00:12:34:56&platform=arm64",
	    "mac=52:54:00:12:34:56&platform=efi%20||%20shell",
	    "mac=52:54:00:12:34:56&buildarch=${x}",
	    "mac=52:54:00:12:34:56&uuid=$",
	    "mac=52:54:00:12:34:56&arch=70000",
	    "mac=52:54:00:12:34:56&arch=-1",
	    "mac=52:54:00:12:34:56&choice=rm",
	    "mac=52:54:00:12:34:56&choice=install",
	    "mac=52:54:00:12:34:56&choice=install&distro=../x",
	    "mac=52:54:00:12:34:56&serial=%1b[2J",
	    "mac=52:54:00:12:34:56&%zz=1",
	    "=x&mac=52:54:00:12:34:56",
	};
	struct boot_request r;
	char err[64], big[HTTP_QUERY_MAX + 64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(err, 0, sizeof(err));
		if (boot_request_parse(bad[i], &r, err, sizeof(err)) != -EINVAL)
			fail_msg("accepted: %s", bad[i]);
		assert_true(err[0] != '\0');
		/* the reason never echoes request bytes */
		assert_null(strchr(err, '$'));
	}
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "mac=52:54:00:12:34:56&x=", 24);
	assert_int_equal(boot_request_parse(big, &r, err, sizeof(err)),
	                 -EINVAL);
}

/* The access log's form of a target: no live install token survives. */
static void
test_redact(void **state)
{
	char out[256], small[24];

	http_target_redact("/ipxe/v1/install/0123456789abcdef0123456789abcdef/"
	                   "preseed.cfg",
	                   0, out, sizeof(out));
	assert_string_equal(out, "/ipxe/v1/install/0123.../preseed.cfg");
	http_target_redact("/ipxe/v1/install/0123456789abcdef0123456789abcdef",
	                   0, out, sizeof(out));
	assert_string_equal(out, "/ipxe/v1/install/0123...");
	http_target_redact("/ipxe/v1/done?token=0123456789abcdef0123456789abcdef",
	                   0, out, sizeof(out));
	assert_string_equal(out, "/ipxe/v1/done?token=0123...");
	http_target_redact("/x?a=1&TOKEN=abcdefgh&b=2&token", 0, out,
	                   sizeof(out));
	assert_string_equal(out, "/x?a=1&TOKEN=abcd...&b=2&token");
	/* done: every value, whatever the key's spelling */
	http_target_redact("/ipxe/v1/done?%74oken=0123456789abcdef&x=ab&", 
	                   HTTP_REDACT_ALL_VALUES, out, sizeof(out));
	assert_string_equal(out, "/ipxe/v1/done?%74oken=0123...&x=ab&");
	/* short values and no query stay as they are */
	http_target_redact("/ipxe/v1/boot", 0, out, sizeof(out));
	assert_string_equal(out, "/ipxe/v1/boot");
	http_target_redact("/ipxe/v1/install/", 0, out, sizeof(out));
	assert_string_equal(out, "/ipxe/v1/install/");
	/* truncation keeps the buffer terminated and the token cut */
	http_target_redact("/ipxe/v1/install/0123456789abcdef", 0, small,
	                   sizeof(small));
	assert_string_equal(small, "/ipxe/v1/install/0123..");
	http_target_redact(NULL, 0, out, sizeof(out));
	assert_string_equal(out, "");
}

int
main(void)
{
	return UNIT_RUN(test_decode, test_redact, test_split, test_config_ok,
	                test_config_hostile);
}
