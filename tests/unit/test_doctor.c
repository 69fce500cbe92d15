/*
 * test_doctor.c - the rogue-DHCP probe's pure parts: the DISCOVER it
 * sends, and the reply parser against well-formed and hostile answers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "appliance/dhcp/doctor.h"
#include "unit_main.h"

static const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

/* A server's OFFER for xid: the fixed part, then options (n bytes). */
static size_t
offer(uint8_t *p, uint32_t xid, const uint8_t *opts, size_t n)
{
	memset(p, 0, 240);
	p[0] = 2;
	p[1] = 1;
	p[2] = 6;
	p[4] = (uint8_t)(xid >> 24);
	p[5] = (uint8_t)(xid >> 16);
	p[6] = (uint8_t)(xid >> 8);
	p[7] = (uint8_t)xid;
	memcpy(p + 16, (uint8_t[]){198, 18, 0, 57}, 4);
	memcpy(p + 20, (uint8_t[]){198, 18, 0, 1}, 4);
	memcpy(p + 28, mac, 6);
	memcpy(p + 236, (uint8_t[]){0x63, 0x82, 0x53, 0x63}, 4);
	memcpy(p + 240, opts, n);
	return 240 + n;
}

static void
test_discover(void **state)
{
	uint8_t b[576];
	int n = doctor_build_discover(b, sizeof(b), mac, 0x01020304, 7);

	assert_true(n >= 300);
	assert_int_equal(b[0], 1);
	assert_memory_equal(b + 4, ((uint8_t[]){1, 2, 3, 4}), 4);
	assert_int_equal(b[10], 0x80); /* broadcast flag */
	assert_memory_equal(b + 28, mac, 6);
	assert_memory_equal(b + 240, ((uint8_t[]){53, 1, 1, 93, 2, 0, 7}), 7);
	assert_non_null(
	    memmem(b, (size_t)n, "PXEClient:Arch:00007:UNDI:002001", 32));
	assert_int_equal(doctor_build_discover(b, 100, mac, 1, 0), -ENOSPC);
}

static void
test_parse_offer(void **state)
{
	static const uint8_t opts[] = {
	    53,  1,    2,    54,  4,   198, 18,  0,   2,   51, 4,   0,
	    0,   0x0e, 0x10, 3,   4,   198, 18,  0,   254, 60, 9,   'P',
	    'X', 'E',  'C',  'l', 'i', 'e', 'n', 't', 67,  10, 'p', 'x',
	    'e', 'l',  'i',  'n', 'u', 'x', '.', '0', 255,
	};
	uint8_t p[600];
	struct doctor_offer o;
	size_t n = offer(p, 42, opts, sizeof(opts));

	assert_int_equal(doctor_parse_reply(p, n, 42, "198.18.0.9", &o), 0);
	assert_string_equal(o.server, "198.18.0.2"); /* option 54 wins */
	assert_string_equal(o.yiaddr, "198.18.0.57");
	assert_string_equal(o.siaddr, "198.18.0.1");
	assert_string_equal(o.router, "198.18.0.254");
	assert_string_equal(o.vendor, "PXEClient");
	assert_string_equal(o.file, "pxelinux.0");
	assert_int_equal(o.lease, 3600);
	assert_false(o.proxy);
	/* another transaction's answer is not ours */
	assert_int_equal(doctor_parse_reply(p, n, 43, "198.18.0.9", &o),
	                 -EINVAL);
}

static void
test_parse_proxy_and_source(void **state)
{
	static const uint8_t opts[] = {53, 1, 2, 255};
	uint8_t p[600];
	struct doctor_offer o;
	size_t n = offer(p, 7, opts, sizeof(opts));

	memset(p + 16, 0, 4); /* no address: proxyDHCP */
	assert_int_equal(doctor_parse_reply(p, n, 7, "198.18.0.3", &o), 0);
	assert_string_equal(o.server, "198.18.0.3");
	assert_true(o.proxy);
	/* without option 54, the source must be an address */
	assert_int_equal(doctor_parse_reply(p, n, 7, "x", &o), -EINVAL);
	assert_int_equal(doctor_parse_reply(p, n, 7, NULL, &o), -EINVAL);
}

static void
test_parse_hostile(void **state)
{
	uint8_t p[600];
	struct doctor_offer o;
	size_t n, i;

	/* truncated option length */
	n = offer(p, 1, (const uint8_t[]){53, 1, 2, 60, 200, 'a'}, 6);
	assert_int_equal(doctor_parse_reply(p, n, 1, "198.18.0.2", &o),
	                 -EINVAL);
	/* option code at the very end, no length byte */
	n = offer(p, 1, (const uint8_t[]){53, 1, 2, 60}, 4);
	assert_int_equal(doctor_parse_reply(p, n, 1, "198.18.0.2", &o),
	                 -EINVAL);
	/* control characters in the vendor class and the file */
	n = offer(p, 1, (const uint8_t[]){53, 1, 2, 60, 2, 'a', '\n', 255}, 8);
	assert_int_equal(doctor_parse_reply(p, n, 1, "198.18.0.2", &o),
	                 -EINVAL);
	n = offer(p, 1, (const uint8_t[]){53, 1, 2, 67, 3, 'a', 0x1b, 'b', 255},
	          9);
	assert_int_equal(doctor_parse_reply(p, n, 1, "198.18.0.2", &o),
	                 -EINVAL);
	/* a file field with no NUL in 128 bytes */
	n = offer(p, 1, (const uint8_t[]){53, 1, 2, 255}, 4);
	memset(p + 108, 'A', 128);
	assert_int_equal(doctor_parse_reply(p, n, 1, "198.18.0.2", &o),
	                 -EINVAL);
	/* a DISCOVER, a NAK, no type, a wrong cookie, too short */
	n = offer(p, 1, (const uint8_t[]){53, 1, 1, 255}, 4);
	assert_int_equal(doctor_parse_reply(p, n, 1, "198.18.0.2", &o),
	                 -EINVAL);
	n = offer(p, 1, (const uint8_t[]){53, 1, 6, 255}, 4);
	assert_int_equal(doctor_parse_reply(p, n, 1, "198.18.0.2", &o),
	                 -EINVAL);
	n = offer(p, 1, (const uint8_t[]){255}, 1);
	assert_int_equal(doctor_parse_reply(p, n, 1, "198.18.0.2", &o),
	                 -EINVAL);
	n = offer(p, 1, (const uint8_t[]){53, 1, 2, 255}, 4);
	p[236] = 0;
	assert_int_equal(doctor_parse_reply(p, n, 1, "198.18.0.2", &o),
	                 -EINVAL);
	assert_int_equal(doctor_parse_reply(p, 100, 1, "198.18.0.2", &o),
	                 -EINVAL);
	/* bad lengths of fixed-size options */
	n = offer(p, 1, (const uint8_t[]){53, 2, 2, 2, 255}, 5);
	assert_int_equal(doctor_parse_reply(p, n, 1, "198.18.0.2", &o),
	                 -EINVAL);
	n = offer(p, 1, (const uint8_t[]){53, 1, 2, 54, 3, 1, 2, 3, 255}, 9);
	assert_int_equal(doctor_parse_reply(p, n, 1, "198.18.0.2", &o),
	                 -EINVAL);
	/* every byte value in every option position: never a crash */
	for (i = 0; i < 256; i++) {
		uint8_t opts[8] = {53,         1,          2,
		                   (uint8_t)i, (uint8_t)i, (uint8_t)i,
		                   (uint8_t)i, (uint8_t)i};
		n = offer(p, 1, opts, sizeof(opts));
		(void)doctor_parse_reply(p, n, 1, "198.18.0.2", &o);
	}
}

int
main(void)
{
	return UNIT_RUN(test_discover, test_parse_offer,
	                test_parse_proxy_and_source, test_parse_hostile);
}
