/*
 * test_hostcheck.c - the one validation of a host's fields
 * (appliance/core/hostcheck.c) and the one host JSON
 * (appliance/core/hostjson.c), shared by the CLI and the admin API:
 * hostile values refused with the record unchanged, unset fields null.
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
	h.n_attrs = 1;
	strcpy(h.attrs[0].key, "vc");
	strcpy(h.attrs[0].value, "a\xff");
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
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_hostile),
		cmocka_unit_test(test_fields_unset_and_default),
		cmocka_unit_test(test_attrs),
		cmocka_unit_test(test_json_nulls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
