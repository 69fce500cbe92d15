/*
 * test_valid.c - the validators of common/valid.h: MAC parsing (the four
 * accepted forms and many rejected ones), host names, names, text, IPv4
 * and IPv6 (valid_ip, addr_from_sockaddr), tokens, paths and URLs, each
 * with hostile input.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "appliance/cli/cli.h"
#include "common/sanitize.h"
#include "common/valid.h"
#include "each.h"
#include "unit_main.h"

/* A string of n copies of c (static buffer, n < 16384). */
static const char *
repeat(char c, size_t n)
{
	static char buf[16384];

	assert_true(n < sizeof(buf));
	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

static void
mac_accepts_four_forms(void **state)
{
	static const char *const good[] = {
		"aa:bb:cc:dd:ee:ff", "AA:BB:CC:DD:EE:FF", "aa-bb-cc-dd-ee-ff",
		"AA-BB-CC-DD-EE-FF", "aabb.ccdd.eeff",	  "AABB.CCDD.EEFF",
		"aabbccddeeff",	     "AABBCCDDEEFF",	  "aA:Bb:cC:Dd:eE:Ff",
	};
	char out[MAC_STR_LEN];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		memset(out, 'x', sizeof(out));
		assert_int_equal(mac_parse(good[i], out), 0);
		assert_string_equal(out, "aa:bb:cc:dd:ee:ff");
	}
	assert_int_equal(mac_parse("00-11-22-33-44-55", out), 0);
	assert_string_equal(out, "00:11:22:33:44:55");
	assert_int_equal(mac_parse("5254.0012.3456", out), 0);
	assert_string_equal(out, "52:54:00:12:34:56");
	assert_int_equal(mac_parse("FFFFFFFFFFFF", out), 0);
	assert_string_equal(out, "ff:ff:ff:ff:ff:ff");
	/* the canonical form is a fixed point */
	assert_int_equal(mac_parse("52:54:00:12:34:56", out), 0);
	assert_string_equal(out, "52:54:00:12:34:56");
}

static void
mac_rejects_everything_else(void **state)
{
	static const char *const bad[] = {
		"",
		":",
		"aa:bb:cc:dd:ee",	      /* five bytes */
		"aa:bb:cc:dd:ee:ff:00",	      /* seven bytes */
		"aa:bb:cc:dd:ee:f",	      /* short last byte */
		"aa:bb:cc:dd:ee:fff",	      /* long last byte */
		"a:b:c:d:e:f",		      /* single digits */
		"aa:bb:cc:dd:ee:gg",	      /* not hex */
		"aa-bb:cc-dd:ee-ff",	      /* mixed separators */
		"aa:bb:cc:dd:ee-ff",	      /* mixed separators */
		"aa.bb.cc.dd.ee.ff",	      /* dots between bytes */
		"aabb:ccdd:eeff",	      /* colons between groups */
		"aabb-ccdd-eeff",	      /* dashes between groups */
		"aabbc.cdde.eff",	      /* misplaced dots */
		"aabbccddeef",		      /* 11 digits */
		"aabbccddeeff0",	      /* 13 digits */
		" aa:bb:cc:dd:ee:ff",	      /* leading space */
		"aa:bb:cc:dd:ee:ff ",	      /* trailing space */
		"aa:bb:cc:dd:ee:ff\n",	      /* trailing newline */
		"aa:bb:cc:dd:ee:ff\r",	      /* trailing CR */
		"aa:bb:cc\n:dd:ee:ff",	      /* embedded newline */
		"aa%3Abb%3Acc%3Add%3Aee%3Aff", /* URL-encoded: callers decode */
		"aa::bb:cc:dd:ee:ff",
		"0xaabbccddeeff",
		"aa:bb:cc:dd:ee:ff;reboot",
		"${net0/mac}",
		"\"aa:bb:cc:dd:ee:ff\"",
		"'aa:bb:cc:dd:ee:ff'",
		"aa:bb:cc:dd:ee:+f",
		"aa:bb:cc:dd:ee:-f",
		"aa:bb:cc:dd:ee:\xc3\xbf",
		"gggg.hhhh.iiii",
		"zzzzzzzzzzzz",
	};
	char out[MAC_STR_LEN] = "untouched";
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (mac_parse(bad[i], out) != -EINVAL)
			fail_msg("accepted bad MAC #%zu '%s'", i, bad[i]);
		assert_string_equal(out, "untouched");
	}
	assert_int_equal(mac_parse(NULL, out), -EINVAL);
	assert_int_equal(mac_parse(repeat('a', 10240), out), -EINVAL);
	assert_string_equal(out, "untouched");
}

static void
ifname_linux(void **state)
{
	EXPECT_EACH(valid_ifname, true, "eth0", "br-lab.10", "by_tap0",
	            "0123456789abcde" /* 15 */);
	EXPECT_EACH(valid_ifname, false, NULL, "", "eth0 ", " eth0",
	            "eth0;reboot", "br0\nx", "a/b", "../x", "eth:0", "eth0$",
	            "0123456789abcdef", "\xc3\xa9th0");
}

static void
hostname_rfc1123(void **state)
{
	char label63[64], name253[254], name254[255];
	size_t i;

	EXPECT_EACH(valid_hostname, true, "web1", "a",
	            "9lives" /* RFC 1123 allows a digit */, "web-1.lab.example",
	            "WEB1.Example.COM", "a-b-c");
	EXPECT_EACH(valid_hostname, false, NULL, "", "-web", "web-", "web-.lab",
	            "web.-lab", ".web", "web.", "web..lab", "web_1", "web 1",
	            "web1\n", "a\"b", "a'b", "${hostname}", "web;reboot",
	            "w\xc3\xa9" "b");

	memset(label63, 'a', 63);
	label63[63] = '\0';
	assert_true(valid_hostname(label63));
	{
		char label64[65];
		memset(label64, 'a', 64);
		label64[64] = '\0';
		assert_false(valid_hostname(label64));
	}
	/* 253 characters in labels of 63: a.b.c.d style */
	for (i = 0; i < 253; i++)
		name253[i] = (i % 64 == 63) ? '.' : 'a';
	name253[253] = '\0';
	assert_true(valid_hostname(name253));
	memcpy(name254, name253, 253);
	name254[253] = 'a';
	name254[254] = '\0';
	assert_false(valid_hostname(name254));
	assert_false(valid_hostname(repeat('a', 10240)));
}

/* Names that dnsmasq reads as a keyword in a dhcp-hostsfile line are no
 * host names: each is refused with a reason. */
static void
hostname_no_dnsmasq_keywords(void **state)
{
	static const char *const keywords[] = {
		"ignore", "IGNORE", "Ignore", "infinite", "INFINITE",
		"1", "0", "3600", "1h", "1H", "45m", "30s", "2d", "1w", "99W",
		"1.2.3.4", "198.18.0.10", "1.2.3", "10.1",
		"52-54-00-12-34-56", "525400123456", "5254.0012.3456",
		/* ':' never passes the syntax: tags, ids, MACs, IPv6 */
		"set:local", "tag:known", "id:01:02", "52:54:00:12:34:56",
		"[fd00::1]", "*",
	};
	size_t i;

	for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
		if (valid_hostname(keywords[i]) ||
		    !valid_hostname_why(keywords[i]))
			fail_msg("accepted %s", keywords[i]);
	}
	assert_non_null(strstr(valid_hostname_why("ignore"), "keyword"));
	assert_non_null(strstr(valid_hostname_why("1h"), "lease time"));
	assert_non_null(strstr(valid_hostname_why("10.0.0.1"), "address"));
	assert_non_null(strstr(valid_hostname_why("a b"), "RFC 1123"));
	/* near misses stay host names */
	EXPECT_EACH(valid_hostname, true, "h", "1h1", "h1", "ignore1",
	            "infinite-loop", "1x", "web1.lab", "1.lab", "node.01",
	            "1.2.3.4a");
	assert_null(valid_hostname_why("web1"));
}

/* The log sanitiser: nothing but printable ASCII leaves it. */
static void
sanitize_log_bytes(void **state)
{
	char out[64], small[4];

	assert_string_equal(str_sanitize(out, sizeof(out), "G\x1b[31mET", 0),
	                    "G?[31mET");
	assert_string_equal(
	    str_sanitize(out, sizeof(out), "a\r\nb\tc\x7f\x9b\xc3\xa9 d", 0),
	    "a??b?c???? d");
	assert_string_equal(
	    str_sanitize(out, sizeof(out), "GET /x \"y\"", SANITIZE_FIELD),
	    "GET?/x??y?");
	assert_string_equal(str_sanitize(out, sizeof(out), NULL, 0), "-");
	assert_string_equal(str_sanitize(small, sizeof(small), "abcdef", 0),
	                    "abc");
	strcpy(out, "in\x1bplace");
	assert_string_equal(str_sanitize(out, sizeof(out), out, 0),
	                    "in?place");
	assert_string_equal(str_sanitize(out, 1, "abc", 0), "");
}

static void
name_strict_charset(void **state)
{
	char n63[64], n64[65];

	EXPECT_EACH(valid_name, true, "debian12", "debian-12.5_netinst", "0",
	            "preseed.cfg");
	EXPECT_EACH(valid_name, false, NULL, "", "Debian" /* upper case */,
	            "-deb", ".deb", "_deb", "deb 12", "deb/12", "../etc",
	            "deb\n", "deb\"", "${x}", "deb;rm");

	memset(n63, 'a', 63);
	n63[63] = '\0';
	assert_true(valid_name(n63));
	memset(n64, 'a', 64);
	n64[64] = '\0';
	assert_false(valid_name(n64));
	assert_false(valid_name(repeat('a', 10240)));
}

/* valid_text with max 100, for EXPECT_EACH. */
static bool
text100(const char *s)
{
	return valid_text(s, 100);
}

static void
text_no_control_chars(void **state)
{
	assert_true(valid_text("", 10));
	assert_true(valid_text("console=ttyS0,115200 quiet", 100));
	assert_true(valid_text("r\xc3\xa4" "ck 7", 100)); /* UTF-8 */
	assert_true(valid_text("a\"b'c${x}", 100));    /* only controls */
	assert_true(valid_text("0123456789", 10));

	assert_false(valid_text(NULL, 10));
	assert_false(valid_text("01234567890", 10)); /* over max */
	EXPECT_EACH(text100, false, "a\nb", "a\rb", "a\tb", "\x1b[2J", "a\x7f",
	            "\x01");
	assert_false(valid_text(repeat('a', 10240), 4096));
	assert_true(valid_text(repeat('a', 4096), 4096));
}

static void
ipv4_dotted_quad(void **state)
{
	EXPECT_EACH(valid_ipv4, true, "0.0.0.0", "198.18.0.1",
	            "255.255.255.255", "10.0.0.10");
	EXPECT_EACH(valid_ipv4, false, NULL, "", "1.2.3", "1.2.3.4.5",
	            "256.1.1.1", "1.2.3.256", "01.2.3.4" /* leading zero */,
	            "1.2.3.04", "1..3.4", "1.2.3.4.", ".1.2.3.4", " 1.2.3.4",
	            "1.2.3.4 ", "1.2.3.4\n", "1.2.3.-4", "1.2.3.4/24",
	            "0x7f.0.0.1", "1234.1.1.1", "::1", "localhost");
}

/* valid_ip: both families, one text per address, nothing else. */
static void
ip_either_family(void **state)
{
	char big[ADDR_STRLEN + 8];
	static const char nul_in[] = "::1\0garbage";

	/* IPv4 exactly as valid_ipv4 */
	assert_true(valid_ip("198.18.0.1"));
	assert_true(valid_ip("0.0.0.0"));
	assert_false(valid_ip("1.2.3.4.5"));
	assert_false(valid_ip("01.2.3.4"));
	assert_false(valid_ip("1.2.3.04"));
	assert_false(valid_ip("1.2.3.4\n"));
	assert_false(valid_ipv6("198.18.0.1"));

	/* IPv6, canonical (RFC 5952) */
	EXPECT_EACH(valid_ip, true, "::", "::1", "fd00::1", "fe80::1",
	            "2001:db8::8:800:200c:417a",
	            "2001:db8:0:1:1:1:1:1" /* one 0 stays */,
	            "2001:db8::1:0:0:1" /* first run wins */, "1:2:3:4:5:6:7:8",
	            "1::", "::102:304" /* not IPv4-mapped: an IPv6 */,
	            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	assert_true(valid_ipv6("fd00::1"));

	/* IPv6, another text of a valid address */
	EXPECT_EACH(valid_ip, false, "FD00::1" /* upper case */,
	            "fd00:0:0:0:0:0:0:1" /* uncompressed */,
	            "fd00::01" /* leading zero */, "fd00:0000::1",
	            "2001:db8::1:0:1:1:1" /* a single 0 as :: */,
	            "2001:db8:0:0:1::1" /* shorter run as :: */,
	            "2001:0:0:1::1:1" /* tie: first wins */, "0::1", "::0",
	            "::0.0.0.1" /* dotted tail */, "::1.2.3.4",
	            "64:ff9b::1.2.3.4");

	/* IPv4-mapped: that is 1.2.3.4, written one way only */
	EXPECT_EACH(valid_ip, false, "::ffff:1.2.3.4", "::ffff:102:304",
	            "::FFFF:1.2.3.4", "0:0:0:0:0:ffff:102:304");

	/* not an address at all */
	EXPECT_EACH(valid_ip, false, NULL, "", ":", ":::", "1::2::3",
	            "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::1", "[::1]",
	            "fe80::1%eth0" /* zone id */, "fe80::1%1", "fd00::/64",
	            "fd00::1/128", " ::1", "::1 ", "::1\n", "::1\nfd00::1",
	            "g::1", "localhost", "1.2.3.4:80");
	/* an embedded NUL ends the string: what precedes it is judged */
	assert_true(valid_ip(nul_in));
	/* overlong: 45 and more bytes never pass, however they start */
	memset(big, '0', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_false(valid_ip(big));
	memcpy(big, "::1", 3);
	assert_false(valid_ip(big));
	assert_false(valid_ip("0000:0000:0000:0000:0000:0000:0000:0001"));
	assert_false(valid_ip(repeat(':', 10240)));
	assert_false(valid_ip(repeat('1', 10240)));
}

/* addr_from_sockaddr: IPv4, IPv4-mapped as IPv4, IPv6 canonical
 * without its scope; its output passes valid_ip. */
static void
ip_from_sockaddr(void **state)
{
	struct sockaddr_in a4 = { .sin_family = AF_INET };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
	struct sockaddr un = { .sa_family = AF_UNIX };
	char out[ADDR_STRLEN];

	inet_pton(AF_INET, "198.18.0.7", &a4.sin_addr);
	assert_int_equal(addr_from_sockaddr((struct sockaddr *)&a4, out), 0);
	assert_string_equal(out, "198.18.0.7");
	inet_pton(AF_INET6, "::ffff:198.18.0.7", &a6.sin6_addr);
	assert_int_equal(addr_from_sockaddr((struct sockaddr *)&a6, out), 0);
	assert_string_equal(out, "198.18.0.7");
	inet_pton(AF_INET6, "FD00:0:0:0:0:0:102:304", &a6.sin6_addr);
	assert_int_equal(addr_from_sockaddr((struct sockaddr *)&a6, out), 0);
	assert_string_equal(out, "fd00::102:304");
	assert_true(valid_ip(out));
	inet_pton(AF_INET6, "::102:304", &a6.sin6_addr); /* glibc: ::1.2.3.4 */
	assert_int_equal(addr_from_sockaddr((struct sockaddr *)&a6, out), 0);
	assert_string_equal(out, "::102:304");
	inet_pton(AF_INET6, "fe80::1", &a6.sin6_addr);
	a6.sin6_scope_id = 2;
	assert_int_equal(addr_from_sockaddr((struct sockaddr *)&a6, out), 0);
	assert_string_equal(out, "fe80::1");
	assert_int_equal(addr_from_sockaddr(&un, out), -EAFNOSUPPORT);
	assert_string_equal(out, "");
	assert_int_equal(addr_from_sockaddr(NULL, out), -EAFNOSUPPORT);
}

static void
token_hex32(void **state)
{
	assert_true(valid_token("0123456789abcdef0123456789abcdef"));
	EXPECT_EACH(valid_token, false, NULL, "",
	            "0123456789abcdef0123456789abcde",
	            "0123456789abcdef0123456789abcdef0",
	            "0123456789ABCDEF0123456789abcdef",
	            "0123456789abcdef0123456789abcdeg",
	            "0123456789abcdef0123456789abcde\n",
	            "../../../../../../../../etc/pass");
	assert_false(valid_token(repeat('a', 10240)));
}

static void
token_generated(void **state)
{
	char a[TOKEN_LEN + 1], b[TOKEN_LEN + 1];

	assert_int_equal(token_generate(a), 0);
	assert_int_equal(token_generate(b), 0);
	assert_true(valid_token(a));
	assert_true(valid_token(b));
	assert_string_not_equal(a, b);
}

static void
path_or_url(void **state)
{
	assert_true(valid_path_or_url("debian/linux"));
	assert_true(valid_path_or_url("debian-12/initrd.gz"));
	assert_true(valid_path_or_url("a/b/c_d~e+f=g%20"));
	assert_true(valid_path_or_url("http://198.18.0.1/debian/linux"));
	assert_true(valid_path_or_url("https://mirror.example/d/linux"));
	assert_true(valid_path_or_url("http://h:8080/x"));
	assert_true(valid_path_or_url("..a/b")); /* a name, not ".." */

	assert_false(valid_path_or_url(NULL));
	assert_false(valid_path_or_url(""));
	assert_false(valid_path_or_url("/etc/passwd"));
	assert_false(valid_path_or_url("../etc/passwd"));
	assert_false(valid_path_or_url("a/../../etc"));
	assert_false(valid_path_or_url("a/.."));
	assert_false(valid_path_or_url(".."));
	assert_false(valid_path_or_url("http://h/a/../b"));
	assert_false(valid_path_or_url("ftp://h/x"));	  /* ':' in a path */
	assert_false(valid_path_or_url("file:///etc/x"));
	assert_false(valid_path_or_url("a b"));
	assert_false(valid_path_or_url("a\nb"));
	assert_false(valid_path_or_url("a\"b"));
	assert_false(valid_path_or_url("a'b"));
	assert_false(valid_path_or_url("${base}/linux"));
	assert_false(valid_path_or_url("linux;reboot"));
	assert_false(valid_path_or_url("linux&&shell"));
	assert_false(valid_path_or_url("linux?x=1"));
	assert_false(valid_path_or_url("linux#x"));
	assert_false(valid_path_or_url("a\\b"));
	assert_true(valid_path_or_url(repeat('a', 1024)));
	assert_false(valid_path_or_url(repeat('a', 1025)));
	assert_false(valid_path_or_url(repeat('a', 10240)));
}

/* The CLI's stricter check for free text that reaches scripts. */
static void
cli_value_no_metachars(void **state)
{
	static const char *const bad[] = {
		"a\"b", "a'b", "a`b", "a$b", "${x}", "a\\b", "a;b", "a&b",
		"a|b",	 "a<b", "a>b", "a{b", "a}b",  "a#b",   "a\nb", "a\tb",
	};
	size_t i;

	assert_true(valid_value("", 10));
	assert_true(valid_value("auto=true priority=critical", 100));
	assert_true(valid_value("console=ttyS0,115200n8 ip=::::eth0:dhcp",
				    100));
	assert_true(valid_value("url=http://h/p?x=1 r\xc3\xa4" "ck", 100));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (valid_value(bad[i], 100))
			fail_msg("accepted '%s'", bad[i]);
	assert_false(valid_value(NULL, 10));
	assert_false(valid_value("0123456789a", 10));
	assert_false(valid_value(repeat('a', 10240), 4096));
}

/* HOST arguments and the quoting of values in messages. */
static void
cli_host_ref_and_quote(void **state)
{
	const char *q;

	assert_true(cli_host_ref_check("aa:bb:cc:dd:ee:ff"));
	assert_true(cli_host_ref_check("AABB.CCDD.EEFF"));
	assert_true(cli_host_ref_check("web1.lab"));
	assert_false(cli_host_ref_check(""));
	assert_false(cli_host_ref_check("web_1"));
	assert_false(cli_host_ref_check("aa:bb:cc:dd:ee"));
	assert_false(cli_host_ref_check("a\nb"));

	assert_string_equal(cli_q("web1"), "'web1'");
	assert_string_equal(cli_q("a\nb\x1b"), "'a?b?'");
	q = cli_q(repeat('x', 10240));
	assert_int_equal(strlen(q), 1 + 60 + 3 + 1);
	assert_memory_equal(q + 61, "...'", 4);
}

static void
kernel_arch_names(void **state)
{
	static const char *const bad[] = {
		"", "AMD64", "x86-64", "i386", "arm", "armhf", "riscv64",
		"amd64 ", " amd64", "amd64\n", "arm64;", "amd6", "aarch64x",
	};
	size_t i;

	assert_string_equal(kernel_arch_parse("amd64"), "amd64");
	assert_string_equal(kernel_arch_parse("x86_64"), "amd64");
	assert_string_equal(kernel_arch_parse("arm64"), "arm64");
	assert_string_equal(kernel_arch_parse("aarch64"), "arm64");
	assert_null(kernel_arch_parse(NULL));
	assert_false(valid_kernel_arch(NULL));
	assert_true(valid_kernel_arch("amd64"));
	assert_true(valid_kernel_arch("arm64"));
	/* aliases are parsed, never stored */
	assert_false(valid_kernel_arch("x86_64"));
	assert_false(valid_kernel_arch("aarch64"));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_null(kernel_arch_parse(bad[i]));
		assert_false(valid_kernel_arch(bad[i]));
	}
}

/* DHCPv6 DUIDs: the MAC of a DUID-LLT or DUID-LL, nothing else. */
static void
duid_macs(void **state)
{
	char mac[MAC_STR_LEN];

	(void)state;
	/* OVMF's DUID-LLT (type 1, Ethernet, time, MAC) */
	assert_int_equal(duid_mac("00:01:00:01:2c:f0:ab:12:52:54:00:b6:00:01",
				  mac), 0);
	assert_string_equal(mac, "52:54:00:b6:00:01");
	/* DUID-LL, upper case, no separators */
	assert_int_equal(duid_mac("00030001525400B60002", mac), 0);
	assert_string_equal(mac, "52:54:00:b6:00:02");
	strcpy(mac, "untouched");
	/* well-formed, no MAC: DUID-UUID (iPXE), DUID-EN, another
	 * hardware type, another address length */
	assert_int_equal(duid_mac("00:04:00:00:00:00:00:00:00:00:00:00:00:00:"
				  "00:00:00:00", mac), -ENOENT);
	assert_int_equal(duid_mac("00:02:00:00:ab:11:01:02:03", mac), -ENOENT);
	assert_int_equal(duid_mac("00:03:00:06:52:54:00:b6:00:02", mac),
			 -ENOENT);
	assert_int_equal(duid_mac("00:03:00:01:52:54:00:b6:00:02:03:04", mac),
			 -ENOENT);
	assert_string_equal(mac, "untouched");
	/* hostile: not a DUID */
	const char *bad[] = {
		"", "0", "00", "00:01", "00:03:00:01:52:54:00:b6:00:0",
		"00:03:00:01:52:54:00:b6:00:02:", ":00:03:00:01:52:54:00:b6:00:02",
		"00:03:0001:52:54:00:b6:00:02", "00:03:00:01:52:54:00:b6:00:0g",
		"00-03-00-01-52-54-00-b6-00-02", "00:03::01:52:54:00:b6:00:02",
		"00:00:00:01:52:54:00:b6:00:02", "00:05:00:01:52:54:00:b6:00:02",
		"ff:ff:00:01:52:54:00:b6:00:02", "00:01:00:01:52:54:00",
		"00:04:00:00", "00:03:00", "00:03:00:01 52:54:00:b6:00:02",
		"00:03:00:01:52:54:00:b6:00:02\n", "0x0003000152540000b602",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(duid_mac(bad[i], mac), -EINVAL);
	assert_int_equal(duid_mac(NULL, mac), -EINVAL);
	assert_string_equal(mac, "untouched");
	/* the longest DUID (130 bytes) is taken, one byte more is not */
	{
		char big[DUID_STRLEN + 8];
		size_t n = 0;
		int i;

		n += (size_t)sprintf(big, "00:02");
		for (i = 2; i < DUID_MAX_BYTES; i++)
			n += (size_t)sprintf(big + n, ":ab");
		assert_int_equal(duid_mac(big, mac), -ENOENT);
		sprintf(big + n, ":ab");
		assert_int_equal(duid_mac(big, mac), -EINVAL);
	}
}

int
main(void)
{
	return UNIT_RUN(
	    mac_accepts_four_forms, mac_rejects_everything_else, ifname_linux,
	    hostname_rfc1123, hostname_no_dnsmasq_keywords, sanitize_log_bytes,
	    name_strict_charset, text_no_control_chars, ipv4_dotted_quad,
	    ip_either_family, ip_from_sockaddr, duid_macs, token_hex32,
	    kernel_arch_names, token_generated, path_or_url,
	    cli_value_no_metachars, cli_host_ref_and_quote);
}
