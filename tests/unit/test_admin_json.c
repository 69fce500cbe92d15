/*
 * test_admin_json.c - the admin API's JSON bodies (http/admin_json.c),
 * with hostile input: too many MACs, wrong types, bad values.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "http/admin_json.h"

/* Apply body to a fresh host as POST /api/v1/hosts does; err kept. */
static int
create(const char *body, struct db_host *h, char *err, size_t esz)
{
	json_t *o = http_admin_json_parse(body, strlen(body));
	int rc;

	assert_non_null(o);
	memset(h, 0, sizeof(*h));
	h->action = DB_ACTION_LOCAL;
	rc = http_admin_host_apply(o, h, true, err, esz);
	json_decref(o);
	return rc;
}

static void
test_macs_bound(void **state)
{
	struct db_host h;
	char err[128];

	/* eight in all: fine */
	assert_int_equal(create("{\"mac\":\"52:54:00:00:00:01\",\"macs\":["
	                        "\"52:54:00:00:00:02\",\"52:54:00:00:00:03\","
	                        "\"52:54:00:00:00:04\",\"52:54:00:00:00:05\","
	                        "\"52:54:00:00:00:06\",\"52:54:00:00:00:07\","
	                        "\"52:54:00:00:00:08\"]}",
	                        &h, err, sizeof(err)),
	                 0);
	assert_int_equal(h.n_macs, 8);
	assert_string_equal(h.macs[7], "52:54:00:00:00:08");

	/* "mac" plus eight "macs": the ninth must be refused before it is
	 * written past macs[7] (onto n_attrs and attrs[0]). */
	assert_int_equal(create("{\"mac\":\"52:54:00:00:00:01\",\"macs\":["
	                        "\"52:54:00:00:00:02\",\"52:54:00:00:00:03\","
	                        "\"52:54:00:00:00:04\",\"52:54:00:00:00:05\","
	                        "\"52:54:00:00:00:06\",\"52:54:00:00:00:07\","
	                        "\"52:54:00:00:00:08\",\"52:54:00:00:00:09\"]}",
	                        &h, err, sizeof(err)),
	                 -EINVAL);
	assert_string_equal(err, "too many macs");
	assert_int_equal(h.n_macs, 8);
	assert_int_equal(h.n_attrs, 0);
	assert_int_equal(h.attrs[0].key[0], '\0');

	/* nine in "macs" alone: refused by the array bound */
	assert_int_equal(
	    create("{\"macs\":[\"52:54:00:00:00:01\",\"52:54:00:00:00:02\","
	           "\"52:54:00:00:00:03\",\"52:54:00:00:00:04\","
	           "\"52:54:00:00:00:05\",\"52:54:00:00:00:06\","
	           "\"52:54:00:00:00:07\",\"52:54:00:00:00:08\","
	           "\"52:54:00:00:00:09\"]}",
	           &h, err, sizeof(err)),
	    -EINVAL);
	assert_int_equal(h.n_attrs, 0);
}

static void
test_hostile(void **state)
{
	static const char *const bad[] = {
	    "[1]",
	    "{}",
	    "{\"mac\":1}",
	    "{\"mac\":\"xx\"}",
	    "{\"macs\":\"52:54:00:00:00:01\"}",
	    "{\"macs\":[1]}",
	    "{\"mac\":\"52:54:00:00:00:01\",\"hostname\":\"a\\nb\"}",
	    "{\"mac\":\"52:54:00:00:00:01\",\"hostname\":\"ignore\"}",
	    "{\"mac\":\"52:54:00:00:00:01\",\"hostname\":\"1h\"}",
	    "{\"mac\":\"52:54:00:00:00:01\",\"ip\":\"1.2.3\"}",
	    "{\"mac\":\"52:54:00:00:00:01\",\"action\":\"rm\"}",
	    "{\"mac\":\"52:54:00:00:00:01\",\"action\":\"install\"}",
	    "{\"mac\":\"52:54:00:00:00:01\",\"distro\":\"../x\"}",
	    "{\"mac\":\"52:54:00:00:00:01\",\"attrs\":{\"a\":1}}",
	    "{\"mac\":\"52:54:00:00:00:01\",\"attrs\":{\"a\":\"${x}\"}}",
	    "{\"mac\":\"52:54:00:00:00:01\",\"hostname\":7}",
	};
	struct db_host h;
	char err[128];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *o = http_admin_json_parse(bad[i], strlen(bad[i]));

		assert_non_null(o);
		memset(&h, 0, sizeof(h));
		err[0] = '\0';
		if (http_admin_host_apply(o, &h, true, err, sizeof(err)) !=
		    -EINVAL) {
			fprintf(stderr, "accepted: %s\n", bad[i]);
			fail();
		}
		assert_true(err[0] != '\0');
		json_decref(o);
	}
	/* the reason names the dnsmasq keyword problem */
	assert_int_equal(create("{\"mac\":\"52:54:00:00:00:01\","
	                        "\"hostname\":\"infinite\"}",
	                        &h, err, sizeof(err)),
	                 -EINVAL);
	assert_non_null(strstr(err, "dnsmasq keyword"));
	/* not JSON, or a key twice */
	assert_null(http_admin_json_parse("{\"mac\":", 7));
	assert_null(http_admin_json_parse("{\"a\":1,\"a\":2}", 13));
	assert_null(http_admin_json_parse(NULL, 0));
}

static void
test_distro(void **state)
{
	const char *body = "{\"name\":\"deb\",\"kernel\":\"deb/linux\","
	                   "\"initrd\":[\"deb/initrd.gz\",\"deb/fw.gz\"],"
	                   "\"cmdline\":\"quiet\"}";
	json_t *o = http_admin_json_parse(body, strlen(body));
	struct db_distro d;
	char err[256];

	memset(&d, 0, sizeof(d));
	assert_int_equal(http_admin_distro_apply(o, &d, err, sizeof(err)), 0);
	assert_string_equal(d.initrd, "deb/initrd.gz deb/fw.gz");
	json_decref(o);
	body = "{\"name\":\"deb\",\"kernel\":\"deb/linux\",\"initrd\":"
	       "[\"a\",\"b\",\"c\",\"d\",\"e\"]}";
	o = http_admin_json_parse(body, strlen(body));
	assert_int_equal(http_admin_distro_apply(o, &d, err, sizeof(err)),
	                 -EINVAL);
	json_decref(o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_macs_bound),
	    cmocka_unit_test(test_hostile),
	    cmocka_unit_test(test_distro),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
