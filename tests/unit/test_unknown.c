/*
 * test_unknown.c - the per-address limit on new unknown MACs
 * (http/unknown.c): the count per minute, per address, the same MAC not
 * counted twice, the minute turning, and a full table failing closed.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "http/unknown.h"
#include "unit_main.h"

static struct sockaddr_in
v4(const char *a)
{
	struct sockaddr_in s;

	memset(&s, 0, sizeof(s));
	s.sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, a, &s.sin_addr), 1);
	return s;
}

static const char *
mac(unsigned i)
{
	static char buf[18];

	snprintf(buf, sizeof(buf), "52:54:00:00:%02x:%02x", (i >> 8) & 0xff,
	         i & 0xff);
	return buf;
}

static void
test_per_address_per_minute(void **state)
{
	struct unknown_limit *t;
	struct sockaddr_in a = v4("198.18.0.10"), b = v4("198.18.0.11");
	struct sockaddr_in6 c;
	unsigned i;

	(void)state;
	assert_int_equal(unknown_limit_new(3, &t), 0);
	for (i = 0; i < 3; i++)
		assert_true(
		    unknown_limit_take(t, (struct sockaddr *)&a, mac(i), 1000));
	/* the MAC counted last again: not a new one */
	assert_true(unknown_limit_take(t, (struct sockaddr *)&a, mac(2), 1001));
	assert_false(
	    unknown_limit_take(t, (struct sockaddr *)&a, mac(3), 1001));
	assert_false(
	    unknown_limit_take(t, (struct sockaddr *)&a, mac(4), 1059));
	/* another address has its own count, IPv6 too */
	assert_true(unknown_limit_take(t, (struct sockaddr *)&b, mac(3), 1001));
	memset(&c, 0, sizeof(c));
	c.sin6_family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, "fd00::a", &c.sin6_addr), 1);
	for (i = 0; i < 3; i++)
		assert_true(unknown_limit_take(t, (struct sockaddr *)&c,
		                               mac(10 + i), 1001));
	assert_false(
	    unknown_limit_take(t, (struct sockaddr *)&c, mac(20), 1001));
	/* no address (or another family): one shared bucket */
	for (i = 0; i < 3; i++)
		assert_true(unknown_limit_take(t, NULL, mac(30 + i), 1001));
	assert_false(unknown_limit_take(t, NULL, mac(40), 1001));
	/* a minute later a's count starts over */
	assert_true(unknown_limit_take(t, (struct sockaddr *)&a, mac(5), 1060));
	unknown_limit_free(t);
	unknown_limit_free(NULL);
}

/* More addresses active in one minute than the table holds: some are
 * refused (fail closed), none gets more than its limit; a minute later
 * the slots are free again. */
static void
test_table_full(void **state)
{
	struct unknown_limit *t;
	struct sockaddr_in a;
	unsigned i, refused = 0, n = 3 * UNKNOWN_SLOTS;
	char ip[32];

	(void)state;
	assert_int_equal(unknown_limit_new(1, &t), 0);
	for (i = 0; i < n; i++) {
		snprintf(ip, sizeof(ip), "10.%u.%u.%u", i >> 16,
		         (i >> 8) & 0xff, i & 0xff);
		a = v4(ip);
		if (!unknown_limit_take(t, (struct sockaddr *)&a, mac(1), 5000))
			refused++;
		else
			assert_false(unknown_limit_take(
			    t, (struct sockaddr *)&a, mac(2), 5000));
	}
	assert_true(refused >= n - UNKNOWN_SLOTS);
	a = v4("10.0.0.0");
	assert_true(unknown_limit_take(t, (struct sockaddr *)&a, mac(3), 5060));
	unknown_limit_free(t);
}

int
main(void)
{
	return UNIT_RUN(test_per_address_per_minute, test_table_full);
}
