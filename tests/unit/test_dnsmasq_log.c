/*
 * test_dnsmasq_log.c - appliance/dhcp/dnsmasq_log.c: dnsmasq 2.90 log lines
 * (as captured from the lab) become events; other lines are not events;
 * malformed and hostile event lines are refused.
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

#include "appliance/dhcp/dnsmasq_log.h"
#include "unit_main.h"

#define ROOT "/var/lib/bootyard/tftp"

/* Each of the n lines parses to want (-EINVAL malformed, -ENOENT not an
 * event). */
static void
each_parses_to(const char *const *lines, size_t n, int want)
{
	struct dnsmasq_log_event ev;
	size_t i;

	for (i = 0; i < n; i++)
		if (dnsmasq_log_parse(lines[i], ROOT, &ev) != want)
			fail_msg("'%s': not %d", lines[i], want);
}

static void
test_events(void **state)
{
	struct dnsmasq_log_event ev;

	assert_int_equal(dnsmasq_log_parse("dnsmasq-dhcp[17594]: DHCPOFFER(vA) "
					   "198.18.0.27 52:54:00:00:00:01 \n",
					   ROOT, &ev), 0);
	assert_int_equal(ev.kind, DNSMASQ_LOG_DHCP_OFFER);
	assert_string_equal(ev.ip, "198.18.0.27");
	assert_string_equal(ev.mac, "52:54:00:00:00:01");
	assert_string_equal(dnsmasq_log_kind_name(ev.kind), "dhcp-offer");

	assert_int_equal(dnsmasq_log_parse("dnsmasq-dhcp[1]: DHCPACK(eth0) "
					   "198.18.0.27 52:54:00:AA:00:01 web1",
					   ROOT, &ev), 0);
	assert_int_equal(ev.kind, DNSMASQ_LOG_DHCP_ACK);
	assert_string_equal(ev.mac, "52:54:00:aa:00:01");

	/* --log-dhcp adds a transaction number */
	assert_int_equal(dnsmasq_log_parse("dnsmasq-dhcp[1]: 3735928559 "
					   "DHCPNAK(eth0) 198.18.0.5 "
					   "52:54:00:00:00:02 wrong address",
					   ROOT, &ev), 0);
	assert_int_equal(ev.kind, DNSMASQ_LOG_DHCP_NAK);

	assert_int_equal(dnsmasq_log_parse("dnsmasq-dhcp[24173]: PXE(vA) "
					   "52:54:00:00:00:02 proxy", ROOT,
					   &ev), 0);
	assert_int_equal(ev.kind, DNSMASQ_LOG_PXE_PROXY);
	assert_string_equal(ev.mac, "52:54:00:00:00:02");
	assert_string_equal(ev.ip, "");

	assert_int_equal(dnsmasq_log_parse("dnsmasq-dhcp[2]: PXE(vA) "
					   "198.18.0.101 52:54:00:00:00:02 "
					   "snponly.efi", ROOT, &ev), 0);
	assert_int_equal(ev.kind, DNSMASQ_LOG_PXE_PROXY);
	assert_string_equal(ev.ip, "198.18.0.101");
	assert_string_equal(ev.file, "snponly.efi");

	assert_int_equal(dnsmasq_log_parse("dnsmasq-tftp[17594]: sent "
					   ROOT "/pxelinux.0 to 198.18.0.77",
					   ROOT, &ev), 0);
	assert_int_equal(ev.kind, DNSMASQ_LOG_TFTP_SENT);
	assert_string_equal(ev.file, "pxelinux.0");
	assert_string_equal(ev.ip, "198.18.0.77");
	assert_string_equal(ev.mac, "");

	assert_int_equal(dnsmasq_log_parse("dnsmasq-tftp[17594]: file "
					   ROOT "/grub/x.cfg not found for "
					   "198.18.0.77", ROOT, &ev), 0);
	assert_int_equal(ev.kind, DNSMASQ_LOG_TFTP_NOTFOUND);
	assert_string_equal(ev.file, "grub/x.cfg");
	assert_string_equal(dnsmasq_log_kind_name(ev.kind), "tftp-not-found");
}

/* TFTP over IPv6 (UEFI PXE on IPv6): the peer in its canonical text, a
 * link-local one without its zone; malformed peers refused. */
static void
test_tftp_ipv6(void **state)
{
	static const char *const bad[] = {
		"dnsmasq-tftp[1]: sent /f to fd00::1::2",
		"dnsmasq-tftp[1]: sent /f to fe80::1%",
		"dnsmasq-tftp[1]: sent /f to fe80::1%eth0;id",
		"dnsmasq-tftp[1]: sent /f to fe80::1%eth0%eth1",
		"dnsmasq-tftp[1]: sent /f to [fd00::1]",
		"dnsmasq-tftp[1]: sent /f to fd00::1/64",
		"dnsmasq-tftp[1]: sent /f to "
		"0000:0000:0000:0000:0000:0000:0000:00001",
		"dnsmasq-tftp[1]: file /f not found for fd00::g",
	};
	struct dnsmasq_log_event ev;

	assert_int_equal(dnsmasq_log_parse("dnsmasq-tftp[7]: sent " ROOT
					   "/snponly.efi to fd00::77",
					   ROOT, &ev), 0);
	assert_int_equal(ev.kind, DNSMASQ_LOG_TFTP_SENT);
	assert_string_equal(ev.ip, "fd00::77");
	assert_string_equal(ev.file, "snponly.efi");
	assert_int_equal(dnsmasq_log_parse("dnsmasq-tftp[7]: file " ROOT
					   "/x not found for "
					   "fe80::5054:ff:fe00:1%eth0",
					   ROOT, &ev), 0);
	assert_int_equal(ev.kind, DNSMASQ_LOG_TFTP_NOTFOUND);
	assert_string_equal(ev.ip, "fe80::5054:ff:fe00:1");
	assert_int_equal(dnsmasq_log_parse("dnsmasq-tftp[7]: sent " ROOT
					   "/x to ::ffff:198.18.0.7",
					   ROOT, &ev), 0);
	assert_string_equal(ev.ip, "198.18.0.7");
	assert_int_equal(dnsmasq_log_parse("dnsmasq-tftp[7]: sent " ROOT
					   "/x to "
					   "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
					   ROOT, &ev), 0);
	assert_string_equal(ev.ip, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff");
	/* DHCP lines stay IPv4 (DHCPv4 log lines) */
	assert_int_equal(dnsmasq_log_parse("dnsmasq-dhcp[1]: DHCPACK(eth0) "
					   "fd00::5 52:54:00:00:00:01",
					   ROOT, &ev), -EINVAL);
	each_parses_to(bad, sizeof(bad) / sizeof(bad[0]), -EINVAL);
}

static void
test_not_events(void **state)
{
	static const char *const lines[] = {
		"dnsmasq[17594]: started, version 2.90 DNS disabled",
		"dnsmasq-dhcp[17594]: DHCP, IP range 198.18.0.2 -- "
		"198.18.0.254, lease time 1h",
		"dnsmasq-dhcp[1]: DHCPDISCOVER(vA) 52:54:00:00:00:01 ",
		"dnsmasq-dhcp[1]: DHCPREQUEST(vA) 198.18.0.27 52:54:00:00:00:01",
		"dnsmasq-tftp[17594]: TFTP root is /tmp/sup/tftp  ",
		"dnsmasq-dhcp[1]:",
		"dnsmasq-dhcp[1]: ",
		"dnsmasq-dhcp[1]: 12345",
		"",
		"random text",
		"dnsmasq-tftp[1]: sent only-three words",
	};

	each_parses_to(lines, sizeof(lines) / sizeof(lines[0]), -ENOENT);
}

static void
test_malformed(void **state)
{
	static const char *const lines[] = {
		"dnsmasq-dhcp[1]: DHCPACK(eth0) 198.18.0.999 52:54:00:00:00:01",
		"dnsmasq-dhcp[1]: DHCPACK(eth0) 198.18.0.9 52:54:00:00:00",
		"dnsmasq-dhcp[1]: DHCPACK(eth0) 198.18.0.9",
		"dnsmasq-dhcp[1]: DHCPOFFER(eth0) $(reboot) 52:54:00:00:00:01",
		"dnsmasq-tftp[1]: sent /x\x01y to 198.18.0.9",
		"dnsmasq-tftp[1]: sent " ROOT " to 198.18.0.9",
		"dnsmasq-tftp[1]: sent /f to 198.18.0",
		"dnsmasq-tftp[1]: file /f not found for ;reboot",
	};
	struct dnsmasq_log_event ev;
	char *huge;

	each_parses_to(lines, sizeof(lines) / sizeof(lines[0]), -EINVAL);
	huge = malloc(70000);
	memset(huge, 'x', 69999);
	huge[69999] = '\0';
	memcpy(huge, "dnsmasq-dhcp[1]: ", 17);
	assert_int_equal(dnsmasq_log_parse(huge, ROOT, &ev), -EINVAL);
	free(huge);
}

int
main(void)
{
	return UNIT_RUN(test_events, test_tftp_ipv6, test_not_events,
	                test_malformed);
}
