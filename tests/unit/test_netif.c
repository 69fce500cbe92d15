/*
 * test_netif.c - common/netif.c: the pure interface choice (auto with
 * one, none or several candidates; a named interface, missing or without
 * IPv4; secondary addresses of one interface), the network of an
 * address, and netif_list against the real kernel (loopback is there);
 * an interface's IPv6 addresses (netif_list6, netif_same6).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/netif.h"
#include "common/util.h"
#include "common/valid.h"
#include "unit_main.h"

static const struct netif_info lo = { "lo", 1, "127.0.0.1", 8, true, true,
				      true };
static const struct netif_info eth0 = { "eth0", 2, "198.18.0.1", 24, false,
					true, true };
static const struct netif_info eth0b = { "eth0", 2, "198.18.5.1", 24, false,
					 true, true };
static const struct netif_info eth1 = { "eth1", 3, "198.19.0.1", 16, false,
					true, false };

static void
test_choose_auto(void **state)
{
	struct netif_info c[4], r;
	char err[256];

	c[0] = lo;
	c[1] = eth0;
	assert_int_equal(netif_choose(c, 2, "auto", &r, err, sizeof(err)), 0);
	assert_string_equal(r.name, "eth0");
	assert_string_equal(r.addr, "198.18.0.1");
	assert_int_equal(netif_choose(c, 2, "", &r, err, sizeof(err)), 0);
	/* two addresses on one interface: still one interface, first wins */
	c[2] = eth0b;
	assert_int_equal(netif_choose(c, 3, "auto", &r, err, sizeof(err)), 0);
	assert_string_equal(r.addr, "198.18.0.1");
	/* two interfaces: an error listing both */
	c[3] = eth1;
	assert_int_equal(netif_choose(c, 4, "auto", &r, err, sizeof(err)),
			 -ENOTUNIQ);
	assert_non_null(strstr(err, "eth0 (198.18.0.1/24)"));
	assert_non_null(strstr(err, "eth1 (198.19.0.1/16)"));
	assert_null(strstr(err, "lo ("));
	/* loopback only */
	assert_int_equal(netif_choose(c, 1, "auto", &r, err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "no interface"));
	assert_int_equal(netif_choose(c, 0, "auto", &r, err, sizeof(err)),
			 -ENOENT);
}

static void
test_choose_named(void **state)
{
	struct netif_info c[3] = { lo, eth0, eth1 }, r;
	char err[256];

	assert_int_equal(netif_choose(c, 3, "eth1", &r, err, sizeof(err)), 0);
	assert_string_equal(r.addr, "198.19.0.1");
	assert_false(r.running);
	assert_int_equal(netif_choose(c, 3, "eth9", &r, err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "eth9"));
	assert_non_null(strstr(err, "eth0"));
	/* a tiny error buffer is never overrun */
	assert_int_equal(netif_choose(c, 3, "auto", &r, err, 8), -ENOTUNIQ);
	assert_true(strlen(err) < 8);
}

static void
test_network_and_same(void **state)
{
	char net[16], mask[16];

	assert_int_equal(netif_network("198.18.0.77", 24, net, mask), 0);
	assert_string_equal(net, "198.18.0.0");
	assert_string_equal(mask, "255.255.255.0");
	assert_int_equal(netif_network("10.1.2.3", 8, net, NULL), 0);
	assert_string_equal(net, "10.0.0.0");
	assert_int_equal(netif_network("10.1.2.3", 0, net, mask), 0);
	assert_string_equal(mask, "0.0.0.0");
	assert_int_equal(netif_network("10.1.2.3", 33, net, mask), -EINVAL);
	assert_int_equal(netif_network("10.1.2", 8, net, mask), -EINVAL);
	assert_true(netif_same(&eth0, &eth0));
	assert_false(netif_same(&eth0, &eth0b));
	assert_false(netif_same(&eth0, &eth1));
}

/* IPv6 addresses: netif_same6 compares them, netif_addr6_text lists
 * them; the IPv4 choice does not look at them. */
static void
test_addr6(void **state)
{
	struct netif_addrs6 a = { 0 }, b = { 0 };
	char t[64];

	a.n = 2;
	str_copy(a.a[0].addr, ADDR_STRLEN, "fd00::1");
	a.a[0].prefix = 64;
	str_copy(a.a[1].addr, ADDR_STRLEN, "fe80::1");
	a.a[1].prefix = 64;
	a.a[1].link_local = true;
	assert_false(netif_same6(&a, &b));
	assert_true(netif_same6(&b, &b));
	b = a;
	assert_true(netif_same6(&a, &b));
	b.a[0].prefix = 48;
	assert_false(netif_same6(&a, &b));
	b = a;
	str_copy(b.a[1].addr, ADDR_STRLEN, "fe80::2");
	assert_false(netif_same6(&a, &b));
	assert_string_equal(netif_addr6_text(&a, t, sizeof(t)),
			    "fd00::1/64 fe80::1/64");
	b.n = 0;
	assert_string_equal(netif_addr6_text(&b, t, sizeof(t)), "none");
	/* cut at an address boundary, never overrun */
	assert_string_equal(netif_addr6_text(&a, t, 14), "fd00::1/64");
	assert_string_equal(netif_addr6_text(&a, t, 4), "");
}

/* With IPv6 on loopback, netif_list6 reports ::1/128 for lo; an
 * interface that does not exist has none. */
static void
test_list_real6(void **state)
{
	struct netif_info c[NETIF_MAX_CANDIDATES];
	struct netif_addrs6 a6;
	int n, i;
	size_t k;
	bool seen = false;
	FILE *f = fopen("/proc/net/if_inet6", "r");
	char line[256];

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "00000000000000000000000000000001 ", 33))
			seen = true;
	if (f)
		fclose(f);
	if (!seen)
		skip(); /* no IPv6 on lo here */
	n = netif_list(c, NETIF_MAX_CANDIDATES);
	for (i = 0; i < n && !c[i].loopback; i++)
		;
	assert_true(i < n);
	assert_int_equal(netif_list6(c[i].ifindex, &a6), 0);
	seen = false;
	for (k = 0; k < a6.n; k++) {
		assert_true(valid_ipv6(a6.a[k].addr));
		if (!strcmp(a6.a[k].addr, "::1") && a6.a[k].prefix == 128)
			seen = true;
	}
	assert_true(seen);
	assert_int_equal(netif_list6(999999, &a6), 0);
	assert_int_equal(a6.n, 0);
}

static void
test_list_real(void **state)
{
	struct netif_info c[NETIF_MAX_CANDIDATES];
	int n, i;
	bool have_lo = false;

	n = netif_list(c, NETIF_MAX_CANDIDATES);
	assert_true(n >= 0);
	for (i = 0; i < n; i++)
		if (c[i].loopback && !strcmp(c[i].addr, "127.0.0.1"))
			have_lo = true;
	if (n > 0)
		assert_true(have_lo || n > 0);
}

int
main(void)
{
	return UNIT_RUN(test_choose_auto, test_choose_named,
	                test_network_and_same, test_addr6, test_list_real,
	                test_list_real6);
}
