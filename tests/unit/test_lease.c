/*
 * test_lease.c - appliance/dhcp/lease.c: dnsmasq's --dhcp-script arguments and
 * environment parsed and validated, including hostile values (shell
 * metacharacters, 64 KB strings, control bytes, malformed numbers,
 * invalid MACs and addresses, missing arguments), the architecture from
 * tags or vendor class, the "init" lease lines, and DHCPv6 events (the
 * DUID in place of the MAC, the MAC in DNSMASQ_MAC, IPv6 addresses in
 * their canonical text only).
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

#include "appliance/dhcp/lease.h"
#include "appliance/dhcp/lease_store.h"
#include "tmpdir.h"
#include "unit_main.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])) - 1)

/* argc/argv/envp parse into *ev as the add of 52:54:00:ab:cd:ef (web1) at
 * ip. */
static void
parses_as_web1(int argc, char **argv, char **envp, const char *ip,
               struct lease_event *ev)
{
	char err[128];

	assert_int_equal(lease_parse(argc, argv, envp, ev, err, sizeof(err)),
	                 0);
	assert_int_equal(ev->op, LEASE_OP_ADD);
	assert_string_equal(ev->lease.mac, "52:54:00:ab:cd:ef");
	assert_string_equal(ev->lease.ip, ip);
	assert_string_equal(ev->lease.hostname, "web1");
}

static void
test_add_full(void **state)
{
	char *argv[] = { "bootyard-lease", "add", "52:54:00:AB:CD:EF",
			 "198.18.0.27", "web1", NULL };
	char *envp[] = {
		"DNSMASQ_VENDOR_CLASS=PXEClient:Arch:00007:UNDI:003016",
		"DNSMASQ_USER_CLASS0=iPXE",
		"DNSMASQ_USER_CLASS1=second",
		"DNSMASQ_LEASE_EXPIRES=1795602539",
		"DNSMASQ_TAGS=arch9 efi64 eth0",
		"DNSMASQ_CLIENT_ID=01:52:54:00:ab:cd:ef",
		NULL,
	};
	struct lease_event ev;

	parses_as_web1(ARGC(argv), argv, envp, "198.18.0.27", &ev);
	assert_string_equal(ev.lease.state, "add");
	/* the tag wins over the vendor class */
	assert_int_equal(ev.lease.arch, 9);
	assert_string_equal(ev.lease.vendor_class,
			    "PXEClient:Arch:00007:UNDI:003016");
	assert_string_equal(ev.lease.user_class, "iPXE second");
	assert_int_equal(ev.lease.expires, 1795602539);
	assert_int_equal(ev.dropped, 0);
}

static void
test_actions(void **state)
{
	char *init[] = { "h", "init", NULL };
	char *tftp[] = { "h", "tftp", "1234", "198.18.0.5", "/x", NULL };
	char *arp[] = { "h", "arp-add", "52:54:00:00:00:01", "1.2.3.4", NULL };
	char *del[] = { "h", "del", "52:54:00:00:00:01", "198.18.0.9", NULL };
	char *old[] = { "h", "old", "52:54:00:00:00:01", "198.18.0.9", NULL };
	struct lease_event ev;
	char err[128];

	assert_int_equal(lease_parse(2, init, NULL, &ev, err, sizeof(err)), 0);
	assert_int_equal(ev.op, LEASE_OP_INIT);
	assert_int_equal(lease_parse(5, tftp, NULL, &ev, err, sizeof(err)), 0);
	assert_int_equal(ev.op, LEASE_OP_TFTP);
	assert_int_equal(lease_parse(4, arp, NULL, &ev, err, sizeof(err)), 0);
	assert_int_equal(ev.op, LEASE_OP_IGNORE);
	assert_int_equal(lease_parse(4, del, NULL, &ev, err, sizeof(err)), 0);
	assert_int_equal(ev.op, LEASE_OP_DEL);
	assert_int_equal(ev.lease.arch, -1);
	assert_string_equal(ev.lease.state, "del");
	assert_int_equal(lease_parse(4, old, NULL, &ev, err, sizeof(err)), 0);
	assert_int_equal(ev.op, LEASE_OP_OLD);
}

static void
test_refused(void **state)
{
	static const char *const bad_macs[] = {
		"", "52:54:00:00:00", "52:54:00:00:00:01:02", "zz:54:00:00:00:01",
		"52:54:00:00:00:01;reboot", "$(reboot)", "01-52-54-00-00-00-01",
		"52:54:00:00:00:1",
	};
	static const char *const bad_ips[] = {
		"", "198.18.0", "198.18.0.256", "198.18.0.1 ", "::1",
		"198.18.0.1;id", "0198.18.0.1",
	};
	char *none[] = { "h", NULL };
	char *short_[] = { "h", "add", "52:54:00:00:00:01", NULL };
	struct lease_event ev;
	char err[128], *argv[5];
	size_t i;

	assert_int_equal(lease_parse(1, none, NULL, &ev, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(lease_parse(0, NULL, NULL, &ev, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(lease_parse(3, short_, NULL, &ev, err, sizeof(err)),
			 -EINVAL);
	argv[0] = "h";
	argv[1] = "add";
	argv[4] = NULL;
	for (i = 0; i < sizeof(bad_macs) / sizeof(bad_macs[0]); i++) {
		argv[2] = (char *)bad_macs[i];
		argv[3] = "198.18.0.2";
		assert_int_equal(lease_parse(4, argv, NULL, &ev, err,
					     sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "MAC"));
	}
	for (i = 0; i < sizeof(bad_ips) / sizeof(bad_ips[0]); i++) {
		argv[2] = "52:54:00:00:00:01";
		argv[3] = (char *)bad_ips[i];
		assert_int_equal(lease_parse(4, argv, NULL, &ev, err,
					     sizeof(err)), -EINVAL);
	}
}

/* DHCPv6: dnsmasq passes the DUID where the MAC goes and the MAC in
 * DNSMASQ_MAC; the address is canonical IPv6 or refused. */
static void
test_dhcpv6(void **state)
{
	static const char *const bad_ips[] = {
		"FD00::27", "fd00::027", "fd00:0:0:0:0:0:0:27", "::ffff:198.18.0.2",
		"::ffff:c612:2", "fe80::1%eth0", "[fd00::27]", "fd00::27/64",
		"fd00::27\n", "fd00::27 ", "1.2.3.4.5", "::1.2.3.4",
		"fd00:1:2:3:4:5:6:7:8", "0000:0000:0000:0000:0000:0000:0000:0027",
	};
	char duid[] = "00:01:00:01:2e:6a:1c:3f:52:54:00:ab:cd:ef";
	char *argv[] = { "bootyard-lease", "add", duid, "fd00::27", "web1",
			 NULL };
	char *envp[] = {
		"DNSMASQ_MAC=52:54:00:AB:CD:EF",
		"DNSMASQ_IAID=1234",
		"DNSMASQ_SERVER_DUID=00:01:00:01:2e:6a:00:00:52:54:00:00:00:01",
		"DNSMASQ_LEASE_EXPIRES=1795602539",
		"DNSMASQ_TAGS=dhcpv6 eth0",
		NULL,
	};
	char *nomac[] = { "DNSMASQ_IAID=1234", NULL };
	char *badmac[] = { "DNSMASQ_MAC=52:54:00:ab:cd:ef;reboot", NULL };
	char big[200];
	char *longmac[] = { big, NULL };
	struct lease_event ev;
	char err[128];
	size_t i;

	assert_int_equal(lease_parse(ARGC(argv), argv, envp, &ev, err,
				     sizeof(err)), 0);
	assert_int_equal(ev.op, LEASE_OP_ADD);
	assert_string_equal(ev.lease.mac, "52:54:00:ab:cd:ef");
	assert_string_equal(ev.lease.ip6, "fd00::27");
	assert_string_equal(ev.lease.ip, "");
	assert_string_equal(ev.lease.hostname, "web1");
	assert_int_equal(ev.lease.expires, 1795602539);
	/* the longest IPv6 text fits */
	argv[3] = "2001:db8:ffff:ffff:ffff:ffff:ffff:fff1";
	assert_int_equal(lease_parse(ARGC(argv), argv, envp, &ev, err,
				     sizeof(err)), 0);
	assert_string_equal(ev.lease.ip6, argv[3]);
	/* no DNSMASQ_MAC: the MAC of the DUID-LLT (OVMF's) or DUID-LL */
	argv[3] = "fd00::27";
	memset(&ev, 0, sizeof(ev));
	assert_int_equal(lease_parse(ARGC(argv), argv, nomac, &ev, err,
				     sizeof(err)), 0);
	assert_string_equal(ev.lease.mac, "52:54:00:ab:cd:ef");
	argv[2] = "00:03:00:01:52:54:00:ab:cd:01";
	assert_int_equal(lease_parse(ARGC(argv), argv, NULL, &ev, err,
				     sizeof(err)), 0);
	assert_string_equal(ev.lease.mac, "52:54:00:ab:cd:01");
	/* a DUID without a MAC (iPXE's DUID-UUID), a hostile one: refused */
	argv[2] = "00:04:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00";
	assert_int_equal(lease_parse(ARGC(argv), argv, nomac, &ev, err,
				     sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "MAC"));
	argv[2] = "00:03:00:01:52:54:00:ab:cd:01;reboot";
	assert_int_equal(lease_parse(ARGC(argv), argv, NULL, &ev, err,
				     sizeof(err)), -EINVAL);
	argv[2] = duid;
	/* a DNSMASQ_MAC that is no MAC, an overlong one: refused (not
	 * replaced by the DUID's) */
	assert_int_equal(lease_parse(ARGC(argv), argv, badmac, &ev, err,
				     sizeof(err)), -EINVAL);
	snprintf(big, sizeof(big), "DNSMASQ_MAC=52:54:00:ab:cd:ef%0150d", 0);
	assert_int_equal(lease_parse(ARGC(argv), argv, longmac, &ev, err,
				     sizeof(err)), -EINVAL);
	/* DNSMASQ_MAC does not stand in for a bad MAC of an IPv4 lease */
	argv[3] = "198.18.0.27";
	assert_int_equal(lease_parse(ARGC(argv), argv, envp, &ev, err,
				     sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not a MAC"));
	/* every other text of an address is refused */
	for (i = 0; i < sizeof(bad_ips) / sizeof(bad_ips[0]); i++) {
		argv[3] = (char *)bad_ips[i];
		if (lease_parse(ARGC(argv), argv, envp, &ev, err,
				sizeof(err)) != -EINVAL)
			fail_msg("address %s accepted", bad_ips[i]);
	}
	/* an IPv6 lease is no line of dnsmasq's (IPv4) lease file */
	argv[3] = "fd00::27";
	assert_int_equal(lease_parse(ARGC(argv), argv, envp, &ev, err,
				     sizeof(err)), 0);
	{
		char out[256];

		assert_int_equal(lease_format_init_line(&ev.lease, 1000, out,
							sizeof(out)),
				 -ENOENT);
	}
}

static void
test_hostile_env(void **state)
{
	char *big = malloc(65537), *bigenv = malloc(65600), *bigtags;
	char *bighost = malloc(65537);
	char *argv[] = { "h", "add", "52:54:00:00:00:01", "198.18.0.2", NULL,
			 NULL };
	struct lease_event ev;
	char err[128];

	memset(big, 'A', 65536);
	big[65536] = '\0';
	snprintf(bigenv, 65600, "DNSMASQ_VENDOR_CLASS=%s", big);
	memset(bighost, 'h', 65536);
	bighost[65536] = '\0';
	argv[4] = bighost;
	bigtags = malloc(65600);
	snprintf(bigtags, 65600, "DNSMASQ_TAGS=%s", big);
	{
		char *envp[] = {
			bigenv,
			bigtags,
			"DNSMASQ_USER_CLASS0=`rm -rf /`; $(reboot) | & > <",
			"DNSMASQ_USER_CLASS1=\x01\x02\x1b[31mred\xff\xfe",
			"DNSMASQ_LEASE_EXPIRES=99999999999999999999999999",
			"DNSMASQ_SUPPLIED_HOSTNAME=a\nb",
			"NOEQUALS",
			"DNSMASQ_USER_CLASS2",
			NULL,
		};

		assert_int_equal(lease_parse(5, argv, envp, &ev, err,
					     sizeof(err)), 0);
	}
	assert_true(strlen(ev.lease.vendor_class) <
		    sizeof(ev.lease.vendor_class));
	assert_string_equal(ev.lease.hostname, "");
	assert_true(ev.dropped & LEASE_DROPPED_HOSTNAME);
	assert_true(ev.dropped & LEASE_DROPPED_EXPIRES);
	assert_true(ev.dropped & LEASE_DROPPED_TEXT);
	assert_int_equal(ev.lease.expires, 0);
	assert_int_equal(ev.lease.arch, -1);
	/* printable ASCII only: the control bytes became '?' */
	for (const char *p = ev.lease.user_class; *p; p++)
		assert_true(*p >= 0x20 && *p <= 0x7e);
	assert_non_null(strstr(ev.lease.user_class, "`rm -rf /`"));
	assert_non_null(strstr(ev.lease.user_class, "??"));
	free(big);
	free(bigenv);
	free(bigtags);
	free(bighost);
}

static void
test_arch(void **state)
{
	assert_int_equal(lease_arch_from_vendor("PXEClient:Arch:00000:UNDI:002001"), 0);
	assert_int_equal(lease_arch_from_vendor("PXEClient:Arch:00011"), 11);
	assert_int_equal(lease_arch_from_vendor("HTTPClient:Arch:00016:UNDI:003001"), 16);
	assert_int_equal(lease_arch_from_vendor("PXEClient:Arch:0007"), -1);
	assert_int_equal(lease_arch_from_vendor("PXEClient:Arch:000070"), -1);
	assert_int_equal(lease_arch_from_vendor("PXEClient:Arch:99999"), -1);
	assert_int_equal(lease_arch_from_vendor("PXEClient:Arch:-0001"), -1);
	assert_int_equal(lease_arch_from_vendor("MSFT 5.0"), -1);
	assert_int_equal(lease_arch_from_vendor(""), -1);
	assert_int_equal(lease_arch_from_vendor(NULL), -1);
	{
		char *argv[] = { "h", "add", "52:54:00:00:00:01", "198.18.0.2",
				 NULL };
		char *e1[] = { "DNSMASQ_TAGS=eth0 arch7 efi64", NULL };
		char *e2[] = { "DNSMASQ_TAGS=archx arch", "DNSMASQ_VENDOR_CLASS="
			       "PXEClient:Arch:00000:UNDI:002001", NULL };
		char *e3[] = { "DNSMASQ_TAGS=arch99999999999", NULL };
		struct lease_event ev;
		char err[64];

		assert_int_equal(lease_parse(4, argv, e1, &ev, err, 64), 0);
		assert_int_equal(ev.lease.arch, 7);
		assert_int_equal(lease_parse(4, argv, e2, &ev, err, 64), 0);
		assert_int_equal(ev.lease.arch, 0);
		assert_int_equal(lease_parse(4, argv, e3, &ev, err, 64), 0);
		assert_int_equal(ev.lease.arch, -1);
	}
}

static void
test_init_line(void **state)
{
	struct db_lease l = { .mac = "52:54:00:00:00:01", .ip = "198.18.0.9",
			      .hostname = "web1", .state = "add",
			      .expires = 2000 };
	char out[256];

	assert_int_equal(lease_format_init_line(&l, 1000, out, sizeof(out)), 0);
	assert_string_equal(out, "2000 52:54:00:00:00:01 198.18.0.9 web1 *\n");
	l.hostname[0] = '\0';
	assert_int_equal(lease_format_init_line(&l, 1000, out, sizeof(out)), 0);
	assert_string_equal(out, "2000 52:54:00:00:00:01 198.18.0.9 * *\n");
	assert_int_equal(lease_format_init_line(&l, 2000, out, sizeof(out)),
			 -ENOENT); /* expired */
	l.expires = 0;
	assert_int_equal(lease_format_init_line(&l, 1000, out, sizeof(out)),
			 -ENOENT); /* unknown expiry */
	l.expires = 2000;
	strcpy(l.state, "del");
	assert_int_equal(lease_format_init_line(&l, 1000, out, sizeof(out)),
			 -ENOENT);
	strcpy(l.state, "old");
	l.ip[0] = '\0';
	assert_int_equal(lease_format_init_line(&l, 1000, out, sizeof(out)),
			 -ENOENT);
}

/* relay_bad - lease_relay_parse refuses and leaves nothing behind. */
static void
relay_bad(const char *addr, const char *circuit, const char *remote)
{
	struct lease_relay r;

	memset(&r, 'x', sizeof(r));
	assert_int_equal(lease_relay_parse(addr, circuit, remote, NULL, &r),
			 -EINVAL);
	assert_string_equal(r.address, "");
	assert_string_equal(r.circuit_id, "");
	assert_string_equal(r.remote_id, "");
}

/* Relay agent information (issue #17): the relay's address, option 82
 * sub-options kept plain or as hex, hostile values, and the event text. */
static void
test_relay(void **state)
{
	char *argv[] = { "bootyard-lease", "add", "52:54:00:12:34:56",
			 "198.18.1.100", NULL };
	char *envp[] = {
		"DNSMASQ_RELAY_ADDRESS=198.18.1.1",
		"DNSMASQ_CIRCUIT_ID=ge-0/0/1.0:lab",
		"DNSMASQ_REMOTE_ID=rack 7; reboot",
		NULL,
	};
	char *bad_envp[] = {
		"DNSMASQ_RELAY_ADDRESS=198.18.1.1 --evil",
		"DNSMASQ_CIRCUIT_ID=port1",
		NULL,
	};
	struct lease_event ev;
	struct lease_relay r;
	char err[128], out[512], big[70000];

	assert_int_equal(lease_parse(ARGC(argv), argv, envp, &ev, err,
				     sizeof(err)), 0);
	assert_string_equal(ev.relay.address, "198.18.1.1");
	assert_string_equal(ev.relay.circuit_id, "ge-0/0/1.0:lab");
	/* blanks and ';' are not kept as text: hex of the bytes */
	assert_string_equal(ev.relay.remote_id,
			    "hex:7261636b20373b207265626f6f74");
	assert_string_equal(ev.relay.subscriber_id, "");
	assert_int_equal(ev.dropped, 0);
	assert_int_equal(lease_relay_detail(&ev.relay, out, sizeof(out)), 0);
	assert_string_equal(out, "relay=198.18.1.1 circuit-id=ge-0/0/1.0:lab "
				 "remote-id=hex:7261636b20373b207265626f6f74");
	assert_int_equal(lease_relay_detail(&ev.relay, out, 20),
			 -ENAMETOOLONG);

	/* not relayed: no relay, nothing dropped */
	assert_int_equal(lease_parse(ARGC(argv), argv, NULL, &ev, err,
				     sizeof(err)), 0);
	assert_string_equal(ev.relay.address, "");
	assert_int_equal(lease_relay_detail(&ev.relay, out, sizeof(out)),
			 -ENOENT);
	assert_int_equal(lease_relay_parse(NULL, NULL, NULL, NULL, &r), 0);
	assert_int_equal(lease_relay_parse("", "", "", "", &r), 0);

	/* a bad relay address: the lease is recorded, the relay dropped */
	assert_int_equal(lease_parse(ARGC(argv), argv, bad_envp, &ev, err,
				     sizeof(err)), 0);
	assert_string_equal(ev.lease.ip, "198.18.1.100");
	assert_string_equal(ev.relay.address, "");
	assert_string_equal(ev.relay.circuit_id, "");
	assert_true(ev.dropped & LEASE_DROPPED_RELAY);

	/* IPv6 relays (DHCPv6) in canonical text */
	assert_int_equal(lease_relay_parse("fd00:b007::1", NULL, NULL, NULL,
					   &r), 0);
	assert_string_equal(r.address, "fd00:b007::1");

	relay_bad("198.18.1.256", NULL, NULL);
	relay_bad("198.18.1.01", NULL, NULL);
	relay_bad("198.18.1.1\n", NULL, NULL);
	relay_bad("relay.example", NULL, NULL);
	relay_bad("FD00:B007::1", NULL, NULL);
	relay_bad("fd00:b007:0::1", NULL, NULL);
	relay_bad("$(reboot)", NULL, NULL);
	/* option 82 without a relay address: forged */
	relay_bad(NULL, "port1", NULL);
	relay_bad("", NULL, "rack7");
	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	relay_bad(big, NULL, NULL);

	/* a 64 KB agent ID: cut to LEASE_AGENT_ID_BYTES bytes of hex */
	assert_int_equal(lease_relay_parse("198.18.1.1", big, "\x01\x02\xff",
					   NULL, &r), 0);
	assert_int_equal(strlen(r.circuit_id), 4 + 2 * LEASE_AGENT_ID_BYTES);
	assert_true(!strncmp(r.circuit_id, "hex:3131", 8));
	assert_string_equal(r.remote_id, "hex:0102ff");
	/* the longest plain one is kept as it is */
	memset(big, 'a', LEASE_AGENT_ID_MAX - 1);
	big[LEASE_AGENT_ID_MAX - 1] = '\0';
	assert_int_equal(lease_relay_parse("198.18.1.1", NULL, NULL, big, &r),
			 0);
	assert_string_equal(r.subscriber_id, big);
	assert_int_equal(lease_relay_detail(&r, out, sizeof(out)), 0);
}

/* lease_spool_drain's store: the MACs, in order; fails with fail_at
 * (an -errno) at call number fail_n. */
struct spooled {
	char macs[256];
	int n, fail_n, fail_at;
};

static int
spooled_store(const struct lease_event *ev, void *ctx)
{
	struct spooled *c = ctx;

	if (++c->n == c->fail_n)
		return c->fail_at;
	strcat(c->macs, ev->lease.mac);
	strcat(c->macs, ";");
	return 0;
}

static void
spool_run(const char *dir, const char *mac)
{
	char *argv[] = { "bootyard-lease", "add", (char *)mac, "198.18.0.9",
			 NULL };
	char *envp[] = { "DNSMASQ_TAGS=arch7", "PATH=/evil", NULL };

	assert_int_equal(lease_spool_write(dir, 4, argv, envp), 0);
}

/* The spool: runs come back oldest first, parsed again; a store that
 * fails for the database keeps the run (and stops the drain), one that
 * refuses the values drops it; unparsable files go; a full spool says
 * -ENOSPC; a missing spool is empty. */
static void
test_spool(void **state)
{
	char tmp[64], dir[128], path[256], many[1024];
	struct spooled c = { .fail_n = 2, .fail_at = -ECONNREFUSED };
	FILE *f;
	int i;

	(void)state;
	tmpdir_make(tmp, sizeof(tmp));
	snprintf(dir, sizeof(dir), "%s/spool", tmp);
	assert_int_equal(lease_spool_drain(dir, 10, spooled_store, &c), 0);
	spool_run(dir, "52:54:00:00:00:01");
	usleep(2000);
	spool_run(dir, "52:54:00:00:00:02");
	usleep(2000);
	spool_run(dir, "52:54:00:00:00:03");
	snprintf(path, sizeof(path), "%s/0000000000000-0-bad.run", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs("Aadd\nrm -rf /", f); /* no NUL: not a spooled run */
	fclose(f);
	/* the bad file goes, the first run is stored, the second fails for
	 * the database: it stays, and so does the third */
	assert_int_equal(lease_spool_drain(dir, 10, spooled_store, &c),
			 -ECONNREFUSED);
	assert_string_equal(c.macs, "52:54:00:00:00:01;");
	c.fail_at = -EINVAL; /* refused values: dropped, the drain goes on */
	c.fail_n = c.n + 1;
	assert_int_equal(lease_spool_drain(dir, 10, spooled_store, &c), 2);
	assert_string_equal(c.macs, "52:54:00:00:00:01;52:54:00:00:00:03;");
	assert_int_equal(lease_spool_drain(dir, 10, spooled_store, &c), 0);

	/* bounded: LEASE_SPOOL_MAX runs, then -ENOSPC */
	for (i = 0; i < LEASE_SPOOL_MAX; i++) {
		snprintf(path, sizeof(path), "%s/x%05d.run", dir, i);
		assert_non_null(f = fopen(path, "w"));
		fclose(f);
	}
	{
		char *argv[] = { "bootyard-lease", "add", "52:54:00:00:00:04",
				 "198.18.0.9", NULL };

		assert_int_equal(lease_spool_write(dir, 4, argv, NULL),
				 -ENOSPC);
	}
	/* too big for one file */
	memset(many, 'x', sizeof(many) - 1);
	many[sizeof(many) - 1] = '\0';
	{
		char *envp[LEASE_SPOOL_FILE_MAX / 1000 + 2];
		char *argv[] = { "bootyard-lease", "add", "52:54:00:00:00:05",
				 "198.18.0.9", NULL };
		char vals[LEASE_SPOOL_FILE_MAX / 1000 + 1][1100];

		for (i = 0; i < LEASE_SPOOL_FILE_MAX / 1000 + 1; i++) {
			snprintf(vals[i], sizeof(vals[i]), "DNSMASQ_X%d=%s", i,
				 many);
			envp[i] = vals[i];
		}
		envp[i] = NULL;
		snprintf(dir, sizeof(dir), "%s/spool2", tmp);
		assert_int_equal(lease_spool_write(dir, 4, argv, envp), -E2BIG);
	}
	tmpdir_remove(tmp);
}

int
main(void)
{
	return UNIT_RUN(test_add_full, test_actions, test_refused, test_dhcpv6,
	                test_hostile_env, test_arch, test_init_line, test_relay,
	                test_spool);
}
