/*
 * test_power.c - appliance/power/: the validators of the power settings
 * (BMC address, user, password) with hostile input, the action names,
 * the Wake-on-LAN magic packet, how an ipmitool run is classified, and
 * the database side (migration 5: the password is read only on request).
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

#include "appliance/power/power.h"
#include "db/db.h"
#include "each.h"
#include "tmpdir.h"
#include "unit_main.h"

static void
bmc_address(void **state)
{
	static const char *const bad[] = {
		"", ":623", "1.2.3.4:", "1.2.3.4:0", "1.2.3.4:65536",
		"1.2.3.4:-1", "1.2.3.4:6 23", "1.2.3.4;reboot", "$(reboot)",
		"-H", "--help", "1.2.3.4 -P x", "bmc\n1", "a..b", "1.2.3.4:623x",
		"[::1]:623", "bmc:623:1", "x:+623", "\xc3\xa9.example",
	};
	char host[64], big[200];
	unsigned port;
	size_t i;

	(void)state;
	assert_int_equal(power_bmc_parse("10.0.0.5", host, sizeof(host), &port),
			 0);
	assert_string_equal(host, "10.0.0.5");
	assert_int_equal(port, 623);
	assert_int_equal(power_bmc_parse("bmc-7.lab:6230", host, sizeof(host),
					 &port),
			 0);
	assert_string_equal(host, "bmc-7.lab");
	assert_int_equal(port, 6230);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(power_bmc_parse(bad[i], host, sizeof(host),
						 &port),
				 -EINVAL);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(power_bmc_parse(big, host, sizeof(host), &port),
			 -EINVAL);
	assert_int_equal(power_bmc_parse(NULL, host, sizeof(host), &port),
			 -EINVAL);
}

static void
user_and_password(void **state)
{
	(void)state;
	EXPECT_EACH(power_user_valid, true, "admin", "ops_1.a-b",
	            "0123456789abcdef" /* 16 */);
	EXPECT_EACH(power_user_valid, false, "0123456789abcdefg", "", NULL,
	            "ad min", "-E", "a;b", "a\nb");
	EXPECT_EACH(power_password_valid, true, "s3cret-pw!#$%",
	            "01234567890123456789" /* 20 */);
	EXPECT_EACH(power_password_valid, false, "012345678901234567890", "",
	            "with space", "tab\there", "nl\n", "\x7f", "caf\xc3\xa9");
}

static void
settings(void **state)
{
	struct db_power p;
	char why[160];

	(void)state;
	memset(&p, 0, sizeof(p));
	strcpy(p.method, "none");
	assert_int_equal(power_settings_check(&p, false, why, sizeof(why)), 0);
	strcpy(p.method, "wol");
	assert_int_equal(power_settings_check(&p, false, why, sizeof(why)), 0);
	strcpy(p.bmc, "1.2.3.4");
	assert_int_equal(power_settings_check(&p, false, why, sizeof(why)),
			 -EINVAL);
	strcpy(p.method, "ipmi");
	assert_int_equal(power_settings_check(&p, false, why, sizeof(why)),
			 -EINVAL); /* no user */
	strcpy(p.user, "admin");
	assert_int_equal(power_settings_check(&p, false, why, sizeof(why)), 0);
	assert_int_equal(power_settings_check(&p, true, why, sizeof(why)),
			 -EINVAL); /* no password */
	strcpy(p.password, "pw");
	assert_int_equal(power_settings_check(&p, true, why, sizeof(why)), 0);
	strcpy(p.method, "redfish");
	assert_int_equal(power_settings_check(&p, true, why, sizeof(why)),
			 -EINVAL);
	assert_null(power_driver_find("none"));
	assert_null(power_driver_find("redfish"));
	assert_non_null(power_driver_find("ipmi"));
	assert_non_null(power_driver_find("wol"));
}

static void
actions(void **state)
{
	enum power_action a;

	(void)state;
	assert_int_equal(power_action_parse("cycle", &a), 0);
	assert_int_equal(a, POWER_CYCLE);
	assert_string_equal(power_action_name(POWER_RESET), "reset");
	assert_int_equal(power_action_parse("Cycle", &a), -EINVAL);
	assert_int_equal(power_action_parse("", &a), -EINVAL);
	assert_int_equal(power_action_parse(NULL, &a), -EINVAL);
	assert_int_equal(power_action_parse("on;reboot", &a), -EINVAL);
}

static void
wol_packet(void **state)
{
	unsigned char p[102];
	size_t i;

	(void)state;
	assert_int_equal(power_wol_packet("52-54-00-C0-00-77", p), 0);
	for (i = 0; i < 6; i++)
		assert_int_equal(p[i], 0xff);
	for (i = 0; i < 16; i++) {
		assert_int_equal(p[6 + i * 6], 0x52);
		assert_int_equal(p[6 + i * 6 + 5], 0x77);
	}
	assert_int_equal(power_wol_packet("52:54:00:c0:00", p), -EINVAL);
	assert_int_equal(power_wol_packet("zz:54:00:c0:00:77", p), -EINVAL);
}

static void
ipmi_classify(void **state)
{
	const char *refused =
		"Error: Unable to establish IPMI v2 / RMCP+ session\n";

	(void)state;
	assert_int_equal(power_ipmi_classify(0, "", true), 0);
	assert_int_equal(power_ipmi_classify(1, refused, true), -EACCES);
	assert_int_equal(power_ipmi_classify(1, refused, false), -ETIMEDOUT);
	assert_int_equal(power_ipmi_classify(-ETIMEDOUT, "", false),
			 -ETIMEDOUT);
	assert_int_equal(power_ipmi_classify(1, "RAKP 2 HMAC is invalid", true),
			 -EACCES);
	/* exit 0 with an error on stderr is an error */
	assert_int_equal(power_ipmi_classify(0, "Invalid data field in request",
					     true),
			 -EIO);
	assert_int_equal(power_ipmi_classify(2, "", true), -EIO);
}

static void
db_secret_on_request(void **state)
{
	char dir[64], path[128];
	struct db_host h;
	struct db_power p, got;
	struct db *db;
	int64_t id;

	(void)state;
	tmpdir_make(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/db", dir);
	assert_int_equal(db_open(path, DB_OPEN_CREATE, &db), 0);
	assert_int_equal(db_schema_version(db), DB_SCHEMA_VERSION);
	memset(&h, 0, sizeof(h));
	h.n_macs = 1;
	strcpy(h.macs[0], "52:54:00:00:00:01");
	assert_int_equal(db_host_add(db, &h, &id), 0);
	assert_int_equal(db_power_get(db, id, &got, true), 0);
	assert_string_equal(got.method, "none");
	assert_false(got.has_password);
	memset(&p, 0, sizeof(p));
	strcpy(p.method, "ipmi");
	strcpy(p.bmc, "10.0.0.5:623");
	strcpy(p.user, "admin");
	strcpy(p.password, "s3cret");
	assert_int_equal(db_power_set(db, id, &p, true), 0);
	assert_int_equal(db_power_get(db, id, &got, false), 0);
	assert_string_equal(got.bmc, "10.0.0.5:623");
	assert_true(got.has_password);
	assert_string_equal(got.password, ""); /* not asked for */
	assert_int_equal(db_power_get(db, id, &got, true), 0);
	assert_string_equal(got.password, "s3cret");
	/* without set_secret the password stays */
	strcpy(p.user, "ops");
	p.password[0] = '\0';
	assert_int_equal(db_power_set(db, id, &p, false), 0);
	assert_int_equal(db_power_get(db, id, &got, true), 0);
	assert_string_equal(got.user, "ops");
	assert_string_equal(got.password, "s3cret");
	strcpy(p.method, "bogus");
	assert_int_equal(db_power_set(db, id, &p, false), -EINVAL);
	assert_int_equal(db_power_set(db, id + 100, &got, false), -ENOENT);
	/* the row goes with its host */
	assert_int_equal(db_host_delete(db, id), 0);
	assert_int_equal(db_power_get(db, id, &got, false), 0);
	assert_string_equal(got.method, "none");
	db_close(db);
	tmpdir_remove(dir);
}

int
main(void)
{
	return UNIT_RUN(bmc_address, user_and_password, settings, actions,
	                wol_packet, ipmi_classify, db_secret_on_request);
}
