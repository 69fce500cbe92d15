/*
 * test_dnsmasq.c - appliance/dhcp/dnsmasq.c: the rendered dnsmasq config for
 * every mode and loader setting against golden files in
 * tests/golden/dnsmasq/ (UPDATE_GOLDEN=1 rewrites them), the
 * automatic DHCP range, the reservations file, values that must be
 * refused, the restart backoff, finding a dnsmasq left running; and the
 * config each golden file holds is accepted by the real `dnsmasq --test`.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/unit/dnsmasq_fixture.h"
#include "tests/unit/golden.h"

#include "appliance/dhcp/dnsmasq.h"
#include "common/util.h"
#include "each.h"
#include "unit_main.h"

static const struct dnsmasq_facts facts = DNSMASQ_FACTS_FIXTURE;

/* Compare text with the golden file name (golden.h). */
#define golden(name, text) golden_check(text, "tests/golden/dnsmasq/%s", name)

/* set_range - [dhcp] range line i of cfg (n = i + 1), as the file says. */
static void
set_range(struct by_config *cfg, unsigned i, const char *text)
{
	char why[256];

	if (cfg_range_parse(text, &cfg->ranges.r[i], why, sizeof(why)) < 0)
		fail_msg("%s: %s", text, why);
	cfg->ranges.n = i + 1;
}

/* Render cfg with facts f and compare with golden file name. */
static void
render_golden(const struct by_config *cfg, const struct dnsmasq_facts *f,
	      const char *name)
{
	char err[256], *out = NULL;

	assert_int_equal(dnsmasq_render(cfg, f, &out, err, sizeof(err)), 0);
	golden(name, out);
	free(out);
}

static void
test_render_modes(void **state)
{
	/* each golden file: a mode and loader setting over the defaults
	 * (dhcp-shim: Secure Boot, signed shim for UEFI, iPXE clients as
	 * usual) */
	static const struct {
		const char *golden;
		enum cfg_dhcp_mode mode;
		enum cfg_bios_loader bios;
		enum cfg_uefi_loader uefi;
		bool ipxe_detect;
	} modes[] = {
		{ "dhcp-default.conf", DHCP_MODE_DHCP, BIOS_LOADER_PXELINUX,
		  UEFI_LOADER_SNPONLY, true },
		{ "dhcp-undionly-ipxe.conf", DHCP_MODE_DHCP,
		  BIOS_LOADER_UNDIONLY, UEFI_LOADER_IPXE, true },
		{ "dhcp-grub-noipxe.conf", DHCP_MODE_DHCP, BIOS_LOADER_UNDIONLY,
		  UEFI_LOADER_GRUB, false },
		{ "dhcp-shim.conf", DHCP_MODE_DHCP, BIOS_LOADER_PXELINUX,
		  UEFI_LOADER_SHIM, true },
		{ "proxy-default.conf", DHCP_MODE_PROXY, BIOS_LOADER_PXELINUX,
		  UEFI_LOADER_SNPONLY, true },
		{ "proxy-undionly-ipxe.conf", DHCP_MODE_PROXY,
		  BIOS_LOADER_UNDIONLY, UEFI_LOADER_IPXE, true },
		{ "off.conf", DHCP_MODE_OFF, BIOS_LOADER_PXELINUX,
		  UEFI_LOADER_SNPONLY, true },
	};
	struct by_config cfg;
	struct dnsmasq_facts f = facts;
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		cfg_defaults(&cfg);
		cfg.dhcp_mode = modes[i].mode;
		cfg.bios_loader = modes[i].bios;
		cfg.uefi_loader = modes[i].uefi;
		cfg.ipxe_detect = modes[i].ipxe_detect;
		render_golden(&cfg, &f, modes[i].golden);
	}

	/* an address inside the subnet, an explicit range, a port, no hook */
	cfg_defaults(&cfg);
	f.addr = "198.18.0.100";
	f.http_base = "http://198.18.0.100:8080";
	f.script = NULL;
	f.user = NULL;
	cfg.lease_time = 600;
	render_golden(&cfg, &f, "dhcp-split-range.conf");
	set_range(&cfg, 0, "198.18.0.150,198.18.0.160");
	render_golden(&cfg, &f, "dhcp-explicit-range.conf");

	/* issue #17: the local subnet and two reached through relays, one
	 * with its own router, DNS and domain; and in proxy mode */
	cfg_defaults(&cfg);
	f = facts;
	set_range(&cfg, 0, "auto");
	set_range(&cfg, 1, "198.18.1.100,198.18.1.200 prefix=24 "
			   "router=198.18.1.1 dns=198.18.0.53 "
			   "domain=lab1.example");
	set_range(&cfg, 2, "198.18.2.10,198.18.2.60 prefix=26");
	render_golden(&cfg, &f, "dhcp-relayed.conf");
	cfg.dhcp_mode = DHCP_MODE_PROXY;
	render_golden(&cfg, &f, "proxy-relayed.conf");

	/* issue #9: TFTP for firewalls and mass boots, no boot file for
	 * hosts in local state (site default on UEFI only, then on both) */
	cfg_defaults(&cfg);
	f = facts;
	cfg.tftp_single_port = true;
	cfg.tftp_max = 2000;
	cfg.tftp_mtu = 1400;
	cfg.local_efi = LOCAL_BOOT_NOFILE;
	render_golden(&cfg, &f, "dhcp-tftp-nofile-efi.conf");
	cfg.local_bios = LOCAL_BOOT_NOFILE;
	render_golden(&cfg, &f, "dhcp-nofile-both.conf");
	cfg.dhcp_mode = DHCP_MODE_PROXY;
	render_golden(&cfg, &f, "proxy-nofile-both.conf");
}

/* IPv6: an interface with an IPv6 prefix is served over IPv6 too with
 * no setting (range6 = auto), beside IPv4; an explicit range6; IPv6
 * only (range = off); range6 = off; proxy mode leaves IPv6 out. */
/* dnsmasq_render refuses cfg with f: -EINVAL. */
static void
render_einval(const struct by_config *cfg, const struct dnsmasq_facts *f)
{
	char err[256], *out = NULL;

	assert_int_equal(dnsmasq_render(cfg, f, &out, err, sizeof(err)),
			 -EINVAL);
}

static void
test_render_ipv6(void **state)
{
	struct by_config cfg;
	struct dnsmasq_facts f = facts;
	char err[256], *out = NULL;

	f.addr6 = "fd00:b007::1";
	f.prefix6 = 64;
	f.http_base6 = "http://[fd00:b007::1]";
	cfg_defaults(&cfg);
	render_golden(&cfg, &f, "dhcp-dual-stack.conf");

	cfg.ranges.n = 0;
	cfg.ranges.off = true;
	str_copy(cfg.range6, sizeof(cfg.range6),
		 "fd00:b007::100,fd00:b007::1ff,64");
	cfg.local_efi = LOCAL_BOOT_NOFILE;
	f.http_base6 = "http://[fd00:b007::1]:8080";
	render_golden(&cfg, &f, "dhcp-ipv6-only.conf");

	/* range6 = off, or no IPv6 address: exactly the IPv4 config */
	cfg_defaults(&cfg);
	str_copy(cfg.range6, sizeof(cfg.range6), "off");
	render_golden(&cfg, &f, "dhcp-default.conf");
	f.addr6 = NULL;
	cfg_defaults(&cfg);
	render_golden(&cfg, &f, "dhcp-default.conf");

	/* a prefix auto cannot serve: said, no DHCPv6 */
	f.addr6 = "fd00:b007::1";
	f.prefix6 = 120;
	f.http_base6 = "http://[fd00:b007::1]";
	assert_int_equal(dnsmasq_render(&cfg, &f, &out, err, sizeof(err)), 0);
	assert_non_null(strstr(out, "no DHCPv6"));
	assert_null(strstr(out, "enable-ra"));
	free(out);
	f.prefix6 = 64;

	/* proxy mode: no DHCPv6 */
	cfg.dhcp_mode = DHCP_MODE_PROXY;
	assert_int_equal(dnsmasq_render(&cfg, &f, &out, err, sizeof(err)), 0);
	assert_null(strstr(out, "option6"));
	assert_null(strstr(out, "enable-ra"));
	free(out);

	/* hostile facts: an address that is not canonical IPv6, a base URL
	 * that does not name it, config lines smuggled in */
	cfg_defaults(&cfg);
	f.addr6 = "fd00:b007::1\nport=53";
	render_einval(&cfg, &f);
	f.addr6 = "FD00:B007::1";
	render_einval(&cfg, &f);
	f.addr6 = "fd00:b007::1";
	f.http_base6 = "http://[fd00:b007::2]";
	render_einval(&cfg, &f);
	f.http_base6 = "http://[fd00:b007::1]:80\nport=53";
	render_einval(&cfg, &f);
	f.http_base6 = NULL;
	render_einval(&cfg, &f);
	/* an explicit range6 that does not parse (the config file parser
	 * refuses it first; the renderer does not trust it either) */
	f.http_base6 = "http://[fd00:b007::1]";
	str_copy(cfg.range6, sizeof(cfg.range6), "fd00::1,fd00::2,\n");
	render_einval(&cfg, &f);
}

static void
test_range6_auto(void **state)
{
	char s[ADDR_STRLEN], e[ADDR_STRLEN];

	assert_int_equal(dnsmasq_range6_auto("fd00:b007::1", 64, s, e), 0);
	assert_string_equal(s, "fd00:b007::1000");
	assert_string_equal(e, "fd00:b007::ffff");
	assert_int_equal(dnsmasq_range6_auto("fd00:b007:1:2:3:4:5:6", 96, s,
					     e), 0);
	assert_string_equal(s, "fd00:b007:1:2:3:4:0:1000");
	assert_int_equal(dnsmasq_range6_auto("fd00::1", 63, s, e), -ERANGE);
	assert_int_equal(dnsmasq_range6_auto("fd00::1", 113, s, e), -ERANGE);
	assert_int_equal(dnsmasq_range6_auto("198.18.0.1", 64, s, e), -EINVAL);
	assert_int_equal(dnsmasq_range6_auto("fd00::01", 64, s, e), -EINVAL);
}

/* Option 93 codes map to the RFC 4578 / IANA classes; HTTP Boot gets a
 * URL and "HTTPClient" back, in proxy mode too; mass-boot and MTU lines
 * are there. */
static void
test_arch_and_tftp(void **state)
{
	struct by_config cfg;
	struct dnsmasq_facts f = facts;
	char err[256], *out = NULL;

	assert_string_equal(dnsmasq_arch_tag(0), "bios");
	assert_string_equal(dnsmasq_arch_tag(6), "efi32");
	assert_string_equal(dnsmasq_arch_tag(7), "efi64");
	assert_string_equal(dnsmasq_arch_tag(9), "efi64");
	assert_string_equal(dnsmasq_arch_tag(10), "efiarm32");
	assert_string_equal(dnsmasq_arch_tag(11), "efiarm64");
	assert_string_equal(dnsmasq_arch_tag(16), "httpx64");
	assert_string_equal(dnsmasq_arch_tag(19), "httparm64");
	assert_null(dnsmasq_arch_tag(1));
	assert_null(dnsmasq_arch_tag(65535));

	cfg_defaults(&cfg);
	assert_int_equal(dnsmasq_render(&cfg, &f, &out, err, sizeof(err)), 0);
	assert_non_null(strstr(out, "\ndhcp-match=set:httpboot,"
				    "option:client-arch,16\n"));
	assert_non_null(strstr(out, "\ndhcp-match=set:httpboot,"
				    "option:client-arch,19\n"));
	assert_non_null(strstr(out, "\ndhcp-option-force=tag:httpboot,"
				    "option:vendor-class,HTTPClient\n"));
	assert_non_null(strstr(out, "tag:httpx64,tag:!bynofile,"
				    "http://198.18.0.1/files/tftp/"
				    "snponly.efi\n"));
	assert_non_null(strstr(out, "\ntftp-max=1000\n"));
	assert_null(strstr(out, "tftp-mtu="));
	assert_null(strstr(out, "tftp-single-port"));
	/* dhcp mode: dnsmasq answers HTTPClient anyway; no PXE vendors */
	assert_null(strstr(out, "dhcp-pxe-vendor"));
	free(out);

	/* proxy mode: dnsmasq answers only its PXE vendors in a proxy
	 * range, so HTTPClient is one; the same URL */
	cfg.dhcp_mode = DHCP_MODE_PROXY;
	out = NULL;
	assert_int_equal(dnsmasq_render(&cfg, &f, &out, err, sizeof(err)), 0);
	assert_non_null(strstr(out, "\ndhcp-pxe-vendor=PXEClient,"
				    "HTTPClient\n"));
	assert_non_null(strstr(out, "\ndhcp-boot=tag:httpx64,tag:!bynofile,"
				    "http://198.18.0.1/files/tftp/"
				    "snponly.efi\n"));
	free(out);

	/* http_boot_tls: HTTP Boot URLs on the TLS listener; PXE and
	 * iPXE lines unchanged */
	cfg.http_boot_tls = true;
	str_copy(cfg.tls_listen, sizeof(cfg.tls_listen), "198.18.0.1:443");
	out = NULL;
	assert_int_equal(dnsmasq_render(&cfg, &f, &out, err, sizeof(err)), 0);
	assert_non_null(strstr(out, "\ndhcp-boot=tag:httpx64,tag:!bynofile,"
				    "https://198.18.0.1/files/tftp/"
				    "snponly.efi\n"));
	assert_non_null(strstr(out, "\ndhcp-boot=tag:ipxe,tag:!bynofile,"
				    "tftp://198.18.0.1/boot.ipxe\n"));
	assert_null(strstr(out, ",http://"));
	free(out);
	str_copy(cfg.tls_listen, sizeof(cfg.tls_listen), "off");
	out = NULL;
	assert_int_equal(dnsmasq_render(&cfg, &f, &out, err, sizeof(err)),
			 -EINVAL);
	assert_null(out);
	assert_non_null(strstr(err, "http_boot_tls"));
}

/* Every golden file is a config the real dnsmasq accepts. */
static void
test_golden_dnsmasq_accepts(void **state)
{
	static const char *const names[] = {
		"dhcp-default.conf",	  "dhcp-undionly-ipxe.conf",
		"dhcp-grub-noipxe.conf",  "proxy-default.conf",
		"proxy-undionly-ipxe.conf", "off.conf",
		"dhcp-split-range.conf",  "dhcp-explicit-range.conf",
		"dhcp-shim.conf",	  "dhcp-tftp-nofile-efi.conf",
		"dhcp-nofile-both.conf",  "proxy-nofile-both.conf",
		"dhcp-relayed.conf",	  "proxy-relayed.conf",
		"dhcp-dual-stack.conf",	  "dhcp-ipv6-only.conf",
	};
	char err[1024], path[256];
	size_t i;

	if (access("/usr/sbin/dnsmasq", X_OK) < 0)
		skip();
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(path, sizeof(path), "tests/golden/dnsmasq/%s",
			 names[i]);
		if (dnsmasq_check("/usr/sbin/dnsmasq", path, err,
				  sizeof(err)) < 0)
			fail_msg("dnsmasq --test refuses %s: %s", names[i],
				 err);
	}
	/* and a broken one is refused, with dnsmasq's reason */
	snprintf(path, sizeof(path), "/tmp/by-dm-bad.%d.conf", (int)getpid());
	assert_int_equal(write_file_atomic(path, "dhcp-range=nonsense\n", 20,
					   0644), 0);
	assert_int_equal(dnsmasq_check("/usr/sbin/dnsmasq", path, err,
				       sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "dhcp-range"));
	unlink(path);
	assert_int_equal(dnsmasq_check("/nonexistent/dnsmasq", "/dev/null",
				       err, sizeof(err)), -ENOENT);
}

static void
test_range_auto(void **state)
{
	char s[2][16], e[2][16];

	assert_int_equal(dnsmasq_range_auto("198.18.0.1", 24, s, e), 1);
	assert_string_equal(s[0], "198.18.0.2");
	assert_string_equal(e[0], "198.18.0.254");
	assert_int_equal(dnsmasq_range_auto("198.18.0.254", 24, s, e), 1);
	assert_string_equal(s[0], "198.18.0.1");
	assert_string_equal(e[0], "198.18.0.253");
	/* in the middle: two pools, the larger first, own address excluded */
	assert_int_equal(dnsmasq_range_auto("198.18.0.100", 24, s, e), 2);
	assert_string_equal(s[0], "198.18.0.101");
	assert_string_equal(e[0], "198.18.0.254");
	assert_string_equal(s[1], "198.18.0.1");
	assert_string_equal(e[1], "198.18.0.99");
	assert_int_equal(dnsmasq_range_auto("198.18.0.5", 30, s, e), 1);
	assert_string_equal(s[0], "198.18.0.6");
	assert_string_equal(e[0], "198.18.0.6");
	assert_int_equal(dnsmasq_range_auto("198.18.0.1", 31, s, e), -ERANGE);
	assert_int_equal(dnsmasq_range_auto("198.18.0.1", 32, s, e), -ERANGE);
	assert_int_equal(dnsmasq_range_auto("not-an-ip", 24, s, e), -EINVAL);
	assert_int_equal(dnsmasq_range_auto("198.18.0.1", 33, s, e), -EINVAL);
	assert_int_equal(dnsmasq_range_auto("10.1.2.3", 8, s, e), 2);
	assert_string_equal(s[0], "10.1.2.4");
	assert_string_equal(e[0], "10.255.255.254");
}

/* dnsmasq_render refuses cfg with f: -EINVAL, nothing rendered, and
 * the error says why (when why is not NULL). */
static void
assert_refused(const struct by_config *cfg, const struct dnsmasq_facts *f,
	       const char *why)
{
	char err[256], *out = NULL;

	assert_int_equal(dnsmasq_render(cfg, f, &out, err, sizeof(err)),
			 -EINVAL);
	if (why)
		assert_non_null(strstr(err, why));
	assert_null(out);
}

/* assert_refused with the facts of the fixture, but field = value. */
#define REFUSED_WITH(cfg, field, value, why)                                   \
	do {                                                                   \
		struct dnsmasq_facts f_ = facts;                               \
                                                                               \
		f_.field = value;                                              \
		assert_refused(cfg, &f_, why);                                 \
	} while (0)

static void
test_render_refuses(void **state)
{
	struct by_config cfg;
	struct dnsmasq_facts f;

	cfg_defaults(&cfg);
	REFUSED_WITH(&cfg, iface, "eth0\ndhcp-script=/bin/sh", "interface");
	REFUSED_WITH(&cfg, tftp_root, "relative/path", NULL);
	REFUSED_WITH(&cfg, tftp_root, "/a b", NULL);
	REFUSED_WITH(&cfg, http_base, "http://x/,evil", NULL);
	REFUSED_WITH(&cfg, addr, "198.18.0.300", NULL);
	REFUSED_WITH(&cfg, prefix, 31, "no room");
	f = facts;
	set_range(&cfg, 0, "10.0.0.1,10.0.0.9");
	assert_refused(&cfg, &f,
		       "[dhcp] range = 10.0.0.1,10.0.0.9 is outside "
		       "198.18.0.0/24 (the interface's subnet): a subnet "
		       "reached through a DHCP relay needs prefix=N");
}

static void
test_hosts(void **state)
{
	struct dnsmasq_host h[8] = {
		{ .macs = { "52:54:00:00:00:01" }, .n_macs = 1,
		  .ip = "198.18.0.50", .hostname = "web1" },
		{ .macs = { "52:54:00:00:00:02", "52:54:00:00:00:03" },
		  .n_macs = 2, .ip = "198.18.0.51" },
		/* hostile: a newline in the hostname, a bad MAC */
		{ .macs = { "52:54:00:00:00:04" }, .n_macs = 1,
		  .ip = "198.18.0.52", .hostname = "a\ndhcp-script=/x" },
		{ .macs = { "52:54:00:00:00:0G" }, .n_macs = 1,
		  .ip = "198.18.0.53" },
		/* local-state tags, with and without a fixed address */
		{ .macs = { "52:54:00:00:00:05" }, .n_macs = 1,
		  .tag = DNSMASQ_TAG_NOFILE },
		{ .macs = { "52:54:00:00:00:06" }, .n_macs = 1,
		  .ip = "198.18.0.54", .hostname = "db1",
		  .tag = DNSMASQ_TAG_LOCAL },
		/* hostile: an unknown tag, neither address nor tag */
		{ .macs = { "52:54:00:00:00:07" }, .n_macs = 1,
		  .tag = "x\ndhcp-script=/x" },
		{ .macs = { "52:54:00:00:00:08" }, .n_macs = 1 },
	};
	char *out = NULL;
	size_t skipped = 9;

	assert_int_equal(dnsmasq_render_hosts(h, 8, &out, &skipped), 0);
	assert_int_equal(skipped, 4);
	golden("hosts", out);
	free(out);
	assert_int_equal(dnsmasq_render_hosts(NULL, 0, &out, NULL), 0);
	assert_non_null(strstr(out, "# reservations"));
	free(out);
}

/* An IPv6 fixed address is no DHCPv4 reservation: the host keeps its
 * local-state tag (without the address), a host with only that address
 * renders nothing and is not "skipped"; a non-canonical or mapped one is
 * skipped as invalid. */
static void
test_hosts_ipv6(void **state)
{
	struct dnsmasq_host h[4] = {
		{ .macs = { "52:54:00:00:06:01" }, .n_macs = 1,
		  .ip = "fd00::10", .hostname = "v6a",
		  .tag = DNSMASQ_TAG_NOFILE },
		{ .macs = { "52:54:00:00:06:02" }, .n_macs = 1,
		  .ip = "fd00::11", .hostname = "v6b" },
		{ .macs = { "52:54:00:00:06:03" }, .n_macs = 1,
		  .ip = "::ffff:198.18.0.9", .tag = DNSMASQ_TAG_LOCAL },
		{ .macs = { "52:54:00:00:06:04" }, .n_macs = 1,
		  .ip = "FD00::12", .tag = DNSMASQ_TAG_LOCAL },
	};
	char *out = NULL;
	size_t skipped = 9;

	assert_int_equal(dnsmasq_render_hosts(h, 4, &out, &skipped), 0);
	assert_int_equal(skipped, 2);
	assert_non_null(strstr(out, "\n52:54:00:00:06:01,set:" DNSMASQ_TAG_NOFILE
				    ",v6a\n"));
	EXPECT_IN(out, false, "fd00", "06:02", "06:03", "06:04");
	free(out);
}

/* A hostname that dnsmasq would read as a keyword of the hosts-file line
 * ("ignore" drops the host, "infinite" / "1h" set its lease time, a
 * dotted quad its address) never reaches the file: the reservation is
 * skipped, and the same host with a real name is rendered. */
static void
test_hosts_keywords(void **state)
{
	static const char *const keywords[] = {
		"ignore", "IGNORE", "infinite", "1h", "45m", "30s", "2d",
		"1w", "3600", "0", "198.18.0.99", "1.2.3", "set:x", "tag:x",
		"id:01", "52-54-00-12-34-56", "*",
	};
	struct dnsmasq_host h = { .macs = { "52:54:00:00:00:01" },
				  .n_macs = 1,
				  .ip = "198.18.0.50",
				  .tag = DNSMASQ_TAG_LOCAL };
	char *out = NULL;
	size_t i, skipped;

	for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
		h.hostname = keywords[i];
		skipped = 0;
		assert_int_equal(dnsmasq_render_hosts(&h, 1, &out, &skipped),
				 0);
		if (skipped != 1 || strstr(out, "52:54:00:00:00:01"))
			fail_msg("hostname %s rendered: %s", keywords[i], out);
		free(out);
	}
	h.hostname = "web1";
	assert_int_equal(dnsmasq_render_hosts(&h, 1, &out, &skipped), 0);
	assert_int_equal(skipped, 0);
	assert_non_null(
	    strstr(out, "\n52:54:00:00:00:01,set:" DNSMASQ_TAG_LOCAL
			",198.18.0.50,web1\n"));
	free(out);
}

static void
test_http_base_and_files(void **state)
{
	struct by_config cfg;
	char b[64];

	cfg_defaults(&cfg);
	assert_int_equal(dnsmasq_http_base(&cfg, "198.18.0.1", b, sizeof(b)),
			 0);
	assert_string_equal(b, "http://198.18.0.1");
	str_copy(cfg.listen, sizeof(cfg.listen), "0.0.0.0:8080");
	assert_int_equal(dnsmasq_http_base(&cfg, "198.18.0.1", b, sizeof(b)),
			 0);
	assert_string_equal(b, "http://198.18.0.1:8080");
	assert_int_equal(dnsmasq_http_base(&cfg, "x", b, sizeof(b)), -EINVAL);
	assert_int_equal(dnsmasq_http_base(&cfg, "fd00::1", b, sizeof(b)), 0);
	assert_non_null(strstr(b, "http://[fd00::1]"));
	assert_int_equal(dnsmasq_http_base(&cfg, "[fd00::1]", b, sizeof(b)),
			 -EINVAL);
	assert_int_equal(dnsmasq_http_base(&cfg, "FD00::1", b, sizeof(b)),
			 -EINVAL);
	/* UEFI HTTP Boot: the same base, or with http_boot_tls the TLS
	 * listener's port on the same address */
	assert_int_equal(dnsmasq_http_boot_base(&cfg, "http://198.18.0.1:8080",
						b, sizeof(b)), 0);
	assert_string_equal(b, "http://198.18.0.1:8080");
	cfg.http_boot_tls = true;
	assert_int_equal(dnsmasq_http_boot_base(&cfg, "http://198.18.0.1:8080",
						b, sizeof(b)), -EINVAL);
	str_copy(cfg.tls_listen, sizeof(cfg.tls_listen), "0.0.0.0:443");
	assert_int_equal(dnsmasq_http_boot_base(&cfg, "http://198.18.0.1:8080",
						b, sizeof(b)), 0);
	assert_string_equal(b, "https://198.18.0.1");
	str_copy(cfg.tls_listen, sizeof(cfg.tls_listen), "198.18.0.1:8443");
	assert_int_equal(dnsmasq_http_boot_base(&cfg, "http://198.18.0.1",
						b, sizeof(b)), 0);
	assert_string_equal(b, "https://198.18.0.1:8443");
	assert_int_equal(dnsmasq_http_boot_base(&cfg, "https://198.18.0.1",
						b, sizeof(b)), -EINVAL);
	assert_int_equal(dnsmasq_http_boot_base(&cfg, "http://host.example",
						b, sizeof(b)), -EINVAL);
	assert_int_equal(dnsmasq_http_boot_base(&cfg, "http://198.18.0.1",
						b, 12), -ENAMETOOLONG);
	assert_string_equal(dnsmasq_bios_file(BIOS_LOADER_PXELINUX),
			    "pxelinux.0");
	assert_string_equal(dnsmasq_bios_file(BIOS_LOADER_UNDIONLY),
			    "undionly.kpxe");
	assert_string_equal(dnsmasq_uefi_file(UEFI_LOADER_SNPONLY),
			    "snponly.efi");
	assert_string_equal(dnsmasq_uefi_file(UEFI_LOADER_IPXE), "ipxe.efi");
	assert_string_equal(dnsmasq_uefi_file(UEFI_LOADER_GRUB),
			    "grubx64.efi");
	assert_string_equal(dnsmasq_uefi_file(UEFI_LOADER_SHIM),
			    "bootx64.efi");
}

/* A big subnet lifts dnsmasq's default cap of 1000 leases to its pool. */
static void
test_lease_max(void **state)
{
	struct by_config cfg;
	struct dnsmasq_facts f = facts;
	char err[256], *out = NULL;

	cfg_defaults(&cfg);
	f.prefix = 16;
	assert_int_equal(dnsmasq_render(&cfg, &f, &out, err, sizeof(err)), 0);
	assert_non_null(strstr(out, "dhcp-range=198.18.0.2,198.18.255.254,"));
	assert_non_null(strstr(out, "\ndhcp-lease-max=65533\n"));
	free(out);
}

/* Start `sh -c LOOP A1 A2`: sh stays, with A1 and A2 in its command
 * line as dnsmasq_spawn's arguments would be. */
static pid_t
start_sh(const char *a1, const char *a2)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		/* stops itself without forking: a loop around sleep forks
		 * copies of sh with these arguments (found twice) */
		execl("/bin/sh", "sh", "-c", "kill -STOP $$", a1, a2,
		      (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* dnsmasq_stale finds a process by both of dnsmasq_spawn's arguments
 * for this config only: not another config, not one argument alone. */
static void
test_stale(void **state)
{
	char conf[64], arg[96], other[96];
	pid_t mine, half, foreign, found[8];
	int n, i, tries;

	(void)state;
	snprintf(conf, sizeof(conf), "/tmp/by-stale-%ld/dnsmasq.conf",
		 (long)getpid());
	snprintf(arg, sizeof(arg), "--conf-file=%s", conf);
	snprintf(other, sizeof(other), "--conf-file=%s.other", conf);
	assert_int_equal(dnsmasq_stale(conf, found, 8), 0);
	mine = start_sh("--keep-in-foreground", arg);
	half = start_sh("--no-daemon", arg);
	foreign = start_sh("--keep-in-foreground", other);
	/* until the children have exec'd sh */
	for (tries = 0; tries < 200; tries++) {
		n = dnsmasq_stale(conf, found, 8);
		if (n > 0)
			break;
		usleep(10000);
	}
	assert_int_equal(n, 1);
	assert_int_equal(found[0], mine);
	kill(mine, SIGKILL);
	waitpid(mine, NULL, 0);
	assert_int_equal(dnsmasq_stale(conf, found, 8), 0);
	for (i = 0; i < 2; i++) {
		pid_t p = i ? foreign : half;

		kill(p, SIGKILL);
		waitpid(p, NULL, 0);
	}
}

static void
test_backoff(void **state)
{
	unsigned d = 0, i;

	d = dnsmasq_backoff_ms(d, 10);
	assert_int_equal(d, 200);
	d = dnsmasq_backoff_ms(d, 10);
	assert_int_equal(d, 400);
	for (i = 0; i < 20; i++)
		d = dnsmasq_backoff_ms(d, 10);
	assert_int_equal(d, 30000);
	/* a long healthy run resets it */
	assert_int_equal(dnsmasq_backoff_ms(d, 60000), 200);
}

/* subnets_err - dnsmasq_subnets refuses the ranges with a reason that
 * holds want. */
static void
subnets_err(const struct by_config *cfg, const char *want)
{
	struct dnsmasq_subnet sn[DNSMASQ_SUBNETS_MAX];
	char err[512];

	assert_int_equal(dnsmasq_subnets(cfg, "198.18.0.1", 24, sn,
					 ARRAY_SIZE(sn), err, sizeof(err)),
			 -EINVAL);
	if (!strstr(err, want))
		fail_msg("'%s' does not hold '%s'", err, want);
}

/* Which pools the range lines make, how each is served, and the ranges
 * refused against the interface (issue #17). */
static void
test_subnets(void **state)
{
	struct dnsmasq_subnet sn[DNSMASQ_SUBNETS_MAX];
	struct by_config cfg;
	char err[512];

	cfg_defaults(&cfg);
	set_range(&cfg, 0, "198.18.1.100,198.18.1.200 prefix=24");
	set_range(&cfg, 1, "auto");
	assert_int_equal(dnsmasq_subnets(&cfg, "198.18.0.100", 24, sn,
					 ARRAY_SIZE(sn), err, sizeof(err)),
			 3);
	assert_string_equal(sn[0].net, "198.18.1.0");
	assert_int_equal(sn[0].served, DNSMASQ_SERVED_RELAYED);
	assert_string_equal(dnsmasq_served_name(sn[0].served), "relayed");
	assert_int_equal(sn[0].range, 0);
	assert_string_equal(sn[1].net, "198.18.0.0");
	assert_int_equal(sn[1].served, DNSMASQ_SERVED_LOCAL);
	assert_int_equal(sn[1].range, 1);
	assert_int_equal(sn[2].range, 1); /* auto split around .100 */
	/* too small an array */
	assert_int_equal(dnsmasq_subnets(&cfg, "198.18.0.100", 24, sn, 2, err,
					 sizeof(err)),
			 -ENOSPC);
	/* relayed only: no local pool at all */
	cfg.ranges.n = 1;
	assert_int_equal(dnsmasq_subnets(&cfg, "198.18.0.1", 24, sn,
					 ARRAY_SIZE(sn), err, sizeof(err)),
			 1);
	/* proxy: the interface's subnet, and the relayed one, once */
	set_range(&cfg, 1, "198.18.1.201,198.18.1.250 prefix=24");
	cfg.dhcp_mode = DHCP_MODE_PROXY;
	assert_int_equal(dnsmasq_subnets(&cfg, "198.18.0.1", 24, sn,
					 ARRAY_SIZE(sn), err, sizeof(err)),
			 2);
	assert_int_equal(sn[0].served, DNSMASQ_SERVED_PROXY);
	assert_int_equal(sn[0].range, -1);
	assert_string_equal(sn[1].net, "198.18.1.0");
	assert_string_equal(sn[1].start, "");
	cfg.dhcp_mode = DHCP_MODE_OFF;
	assert_int_equal(dnsmasq_subnets(&cfg, "198.18.0.1", 24, sn,
					 ARRAY_SIZE(sn), err, sizeof(err)),
			 0);

	cfg_defaults(&cfg);
	set_range(&cfg, 0, "198.18.0.200,198.18.1.10");
	subnets_err(&cfg, "crosses the edge of 198.18.0.0/24");
	set_range(&cfg, 0, "198.18.0.130,198.18.0.200 prefix=25");
	subnets_err(&cfg, "is in 198.18.0.0/24 (the interface's subnet) but "
			  "says prefix=25");
	set_range(&cfg, 0, "198.18.0.100,198.18.0.200 router=198.18.3.1");
	subnets_err(&cfg, "router= is outside 198.18.0.0/24");
	set_range(&cfg, 0, "auto router=198.18.3.1");
	subnets_err(&cfg, "router= is outside 198.18.0.0/24");
	set_range(&cfg, 0, "198.18.1.100,198.18.1.200");
	subnets_err(&cfg, "needs prefix=N");
	/* a relayed /16 that holds the appliance's own /24 */
	set_range(&cfg, 0, "198.18.1.100,198.18.1.200 prefix=16");
	subnets_err(&cfg, "its /16 holds 198.18.0.0/24");
	assert_int_equal(dnsmasq_subnets(&cfg, "not-an-ip", 24, sn,
					 ARRAY_SIZE(sn), err, sizeof(err)),
			 -EINVAL);
}

int
main(void)
{
	return UNIT_RUN(test_render_modes, test_render_ipv6, test_range6_auto,
	                test_golden_dnsmasq_accepts, test_arch_and_tftp,
	                test_range_auto, test_subnets, test_render_refuses,
	                test_hosts, test_hosts_keywords, test_hosts_ipv6,
	                test_http_base_and_files, test_lease_max, test_backoff,
	                test_stale);
}
