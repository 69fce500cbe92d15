/*
 * test_admin_json.c - the admin API's JSON bodies (http/admin_json.c),
 * with hostile input: too many MACs, wrong types, bad values; and what
 * they share with the CLI: the one validation of a host's fields
 * (appliance/core/hostcheck.c: hostile values refused with the record
 * unchanged) and the one host JSON (appliance/core/hostjson.c: unset
 * fields null).
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

#include "appliance/core/hostcheck.h"
#include "appliance/core/hostjson.h"
#include "http/admin_json.h"
#include "records.h"
#include "unit_main.h"

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
	assert_string_equal(d.kernels[0].initrd, "deb/initrd.gz deb/fw.gz");
	json_decref(o);
	body = "{\"name\":\"deb\",\"kernel\":\"deb/linux\",\"initrd\":"
	       "[\"a\",\"b\",\"c\",\"d\",\"e\"]}";
	o = http_admin_json_parse(body, strlen(body));
	assert_int_equal(http_admin_distro_apply(o, &d, err, sizeof(err)),
	                 -EINVAL);
	json_decref(o);

	/* kernels per architecture: "arch" for kernel + initrd, and a
	 * "kernels" object; aliases stored by Debian's name */
	body = "{\"name\":\"deb\",\"kernel\":\"deb/arm64/linux\","
	       "\"initrd\":\"deb/arm64/initrd.gz\",\"arch\":\"aarch64\","
	       "\"kernels\":{\"x86_64\":{\"kernel\":\"deb/linux\","
	       "\"initrd\":[\"deb/initrd.gz\"]}}}";
	o = http_admin_json_parse(body, strlen(body));
	memset(&d, 0, sizeof(d));
	assert_int_equal(http_admin_distro_apply(o, &d, err, sizeof(err)), 0);
	assert_int_equal(d.n_kernels, 2);
	assert_string_equal(db_distro_kernel(&d, "arm64")->kernel,
	                    "deb/arm64/linux");
	assert_string_equal(db_distro_kernel(&d, "amd64")->initrd,
	                    "deb/initrd.gz");
	json_decref(o);
	{
		static const char *const bad[] = {
			/* no kernel at all */
			"{\"name\":\"d\"}",
			"{\"name\":\"d\",\"kernels\":{}}",
			/* an architecture twice (alias and name) */
			"{\"name\":\"d\",\"kernel\":\"k\",\"initrd\":\"i\","
			"\"kernels\":{\"x86_64\":{\"kernel\":\"k\","
			"\"initrd\":\"i\"}}}",
			/* unknown or hostile architectures */
			"{\"name\":\"d\",\"kernel\":\"k\",\"initrd\":\"i\","
			"\"arch\":\"riscv64\"}",
			"{\"name\":\"d\",\"kernel\":\"k\",\"initrd\":\"i\","
			"\"arch\":\"amd64;reboot\"}",
			"{\"name\":\"d\",\"kernel\":\"k\",\"initrd\":\"i\","
			"\"arch\":5}",
			"{\"name\":\"d\",\"kernels\":{\"AMD64\":{\"kernel\":"
			"\"k\",\"initrd\":\"i\"}}}",
			/* not objects, a bad path inside */
			"{\"name\":\"d\",\"kernels\":[1]}",
			"{\"name\":\"d\",\"kernels\":{\"arm64\":\"k\"}}",
			"{\"name\":\"d\",\"kernels\":{\"arm64\":{\"kernel\":"
			"\"../k\",\"initrd\":\"i\"}}}",
			"{\"name\":\"d\",\"kernels\":{\"arm64\":{\"kernel\":"
			"\"k\"}}}",
		};
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			o = http_admin_json_parse(bad[i], strlen(bad[i]));
			assert_non_null(o);
			memset(&d, 0, sizeof(d));
			if (http_admin_distro_apply(o, &d, err, sizeof(err)) !=
			    -EINVAL)
				fail_msg("accepted: %s", bad[i]);
			json_decref(o);
		}
	}
}

static void
test_fields_hostile(void **state)
{
	static const struct {
		enum host_field f;
		const char *v;
	} bad[] = {
		{ HOST_FIELD_HOSTNAME, "web_1" },
		{ HOST_FIELD_HOSTNAME, "-web" },
		{ HOST_FIELD_HOSTNAME, "52:54:00:00:00:01" },
		{ HOST_FIELD_HOSTNAME, "a\nb" },
		{ HOST_FIELD_IP, "198.18.0.256" },
		{ HOST_FIELD_IP, "198.18.0.01" },
		{ HOST_FIELD_IP, "198.18.0.1 " },
		{ HOST_FIELD_DISTRO, "Debian" },
		{ HOST_FIELD_DISTRO, "../x" },
		{ HOST_FIELD_ACTION, "" },
		{ HOST_FIELD_ACTION, "reinstall" },
		{ HOST_FIELD_LOCAL_BOOT, "chain" },
		{ HOST_FIELD_LOCAL_BOOT, "exit;reboot" },
	};
	struct db_host h, before;
	size_t i;

	memset(&h, 0, sizeof(h));
	strcpy(h.hostname, "web1");
	strcpy(h.ip, "198.18.0.10");
	strcpy(h.distro, "debian12");
	strcpy(h.local_boot, "exit");
	before = h;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(host_field_valid(bad[i].f, bad[i].v));
		assert_int_equal(host_field_set(&h, bad[i].f, bad[i].v),
		                 -EINVAL);
		assert_memory_equal(&h, &before, sizeof(h));
	}
}

static void
test_fields_unset_and_default(void **state)
{
	struct db_host h;

	memset(&h, 0, sizeof(h));
	assert_int_equal(host_field_set(&h, HOST_FIELD_LOCAL_BOOT, "nofile"),
	                 0);
	assert_string_equal(h.local_boot, "nofile");
	/* "default" is stored as unset, from the CLI and the API alike */
	assert_int_equal(host_field_set(&h, HOST_FIELD_LOCAL_BOOT, "default"),
	                 0);
	assert_string_equal(h.local_boot, "");
	assert_int_equal(host_field_set(&h, HOST_FIELD_IP, "198.18.0.9"), 0);
	assert_int_equal(host_field_set(&h, HOST_FIELD_IP, ""), 0);
	assert_string_equal(h.ip, "");
	assert_int_equal(host_field_set(&h, HOST_FIELD_ACTION, "install"), 0);
	assert_int_equal(host_check(&h), -EINVAL); /* install needs a distro */
	assert_int_equal(host_field_set(&h, HOST_FIELD_DISTRO, "debian12"), 0);
	assert_int_equal(host_check(&h), 0);
}

static void
test_attrs(void **state)
{
	struct db_host h;
	char key[16];
	int i;

	memset(&h, 0, sizeof(h));
	assert_int_equal(host_attr_set(&h, "Rack", "r1"), -EINVAL);
	assert_int_equal(host_attr_set(&h, "rack", "r1;reboot"), -EDOM);
	assert_int_equal(host_attr_set(&h, "rack", "r1"), 0);
	assert_int_equal(host_attr_set(&h, "rack", "r2"), 0);
	assert_int_equal(h.n_attrs, 1);
	assert_string_equal(h.attrs[0].value, "r2");
	for (i = 1; i < DB_MAX_ATTRS; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_int_equal(host_attr_set(&h, key, "v"), 0);
	}
	assert_int_equal(host_attr_set(&h, "one-more", "v"), -E2BIG);
	assert_int_equal(host_attr_set(&h, "rack", "r3"), 0); /* replace */
	host_attr_unset(&h, "rack");
	host_attr_unset(&h, "absent");
	assert_int_equal(h.n_attrs, DB_MAX_ATTRS - 1);
}

static void
test_json_nulls(void **state)
{
	struct db_host h;
	json_t *j;
	char *s;

	memset(&h, 0, sizeof(h));
	h.id = 7;
	h.n_macs = 1;
	strcpy(h.macs[0], "52:54:00:00:00:07");
	h.attempts = 2;
	host_attr_add(&h, "vc", "a\xff");
	j = host_json(&h);
	assert_non_null(j);
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(
	    s, "{\"action\":\"local\",\"attempts\":2,\"attrs\":{\"vc\":\"a?\"},"
	       "\"created\":0,\"distro\":null,\"hostname\":null,\"id\":7,"
	       "\"ip\":null,\"local_boot\":null,\"macs\":[\"52:54:00:00:00:"
	       "07\"],\"updated\":0}");
	free(s);
	json_decref(j);
}

int
main(void)
{
	return UNIT_RUN(test_macs_bound, test_hostile, test_distro,
	                test_fields_hostile, test_fields_unset_and_default,
	                test_attrs, test_json_nulls);
}
