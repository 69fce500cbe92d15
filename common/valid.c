/*
 * valid.c - validators for every value that comes from outside.
 */
#include "common/valid.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/types.h>

_Static_assert(ADDR_STRLEN == INET6_ADDRSTRLEN, "one address text size");

int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Read 12 hex digits from s following a pattern in which 'x' is a hex digit
 * and any other character must match literally.
 */
static int
mac_match(const char *s, const char *pattern, unsigned char mac[6])
{
	int nibble = 0;
	size_t i;

	if (strlen(s) != strlen(pattern))
		return -EINVAL;
	for (i = 0; pattern[i]; i++) {
		if (pattern[i] == 'x') {
			int v = hex_value(s[i]);
			if (v < 0)
				return -EINVAL;
			if (nibble % 2 == 0)
				mac[nibble / 2] = (unsigned char)(v << 4);
			else
				mac[nibble / 2] |= (unsigned char)v;
			nibble++;
		} else if (s[i] != pattern[i]) {
			return -EINVAL;
		}
	}
	return nibble == 12 ? 0 : -EINVAL;
}

int
mac_parse(const char *s, char out[MAC_STR_LEN])
{
	static const char *const forms[] = {
		"xx:xx:xx:xx:xx:xx",
		"xx-xx-xx-xx-xx-xx",
		"xxxx.xxxx.xxxx",
		"xxxxxxxxxxxx",
	};
	unsigned char mac[6];
	size_t i;

	if (!s)
		return -EINVAL;
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		if (mac_match(s, forms[i], mac) == 0) {
			static const char hex[] = "0123456789abcdef";
			int j;
			for (j = 0; j < 6; j++) {
				out[j * 3] = hex[mac[j] >> 4];
				out[j * 3 + 1] = hex[mac[j] & 15];
				out[j * 3 + 2] = j < 5 ? ':' : '\0';
			}
			return 0;
		}
	}
	return -EINVAL;
}

bool
valid_ifname(const char *s)
{
	size_t n;

	if (!s)
		return false;
	n = strlen(s);
	return n >= 1 && n <= IFNAME_MAX &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                 "0123456789._-") == n;
}

/* RFC 1123 syntax: labels of [A-Za-z0-9-], 1..63 characters, no '-' at a
 * label's ends, at most HOSTNAME_MAX in all. */
static bool
hostname_syntax_ok(const char *s)
{
	size_t len, label = 0;
	const char *p;

	if (!s)
		return false;
	len = strlen(s);
	if (len == 0 || len > HOSTNAME_MAX)
		return false;
	for (p = s; *p; p++) {
		char c = *p;
		if (c == '.') {
			if (label == 0 || p[-1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-'))
			return false;
		if (c == '-' && label == 0)
			return false;
		if (++label > 63)
			return false;
	}
	return label > 0 && p[-1] != '-';
}

/*
 * The dnsmasq reading: a dhcp-hostsfile line is "MAC,...,[IP],[NAME]"
 * and dnsmasq takes a field for a keyword before a name: "ignore",
 * "infinite", a lease time (digits with an optional s/m/h/d/w: "3600",
 * "1h"), an IPv4 address; "set:", "tag:" and "id:" carry a ':' that the
 * syntax already refuses. Also refused: a name that is a MAC in one of
 * mac_parse's forms ("52-54-00-12-34-56": a hardware address to dnsmasq,
 * a MAC to every bootyard lookup) and one of digits and dots only
 * ("1.2.3.4", also the short forms inet_aton reads as an address).
 */
const char *
valid_hostname_why(const char *s)
{
	char mac[MAC_STR_LEN];
	size_t n, digits;

	if (!hostname_syntax_ok(s))
		return "not an RFC 1123 host name (labels of letters, digits "
		       "and '-', joined by dots)";
	if (!strcasecmp(s, "ignore") || !strcasecmp(s, "infinite"))
		return "a dnsmasq keyword (ignore, infinite) cannot name a "
		       "host";
	n = strlen(s);
	digits = strspn(s, "0123456789");
	if (digits > 0 && (digits == n || (digits == n - 1 &&
	                                   strchr("smhdwSMHDW", s[n - 1]))))
		return "dnsmasq reads it as a lease time (digits with an "
		       "optional s, m, h, d or w)";
	if (mac_parse(s, mac) == 0)
		return "it reads as a MAC address";
	if (strspn(s, "0123456789.") == n)
		return "it is all digits and dots (dnsmasq reads it as an "
		       "address)";
	return NULL;
}

bool
valid_hostname(const char *s)
{
	return valid_hostname_why(s) == NULL;
}

bool
valid_name(const char *s)
{
	size_t i;

	if (!s || !*s || strlen(s) > NAME_MAX_LEN)
		return false;
	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
		return false;
	for (i = 1; s[i]; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

bool
valid_text(const char *s, size_t max)
{
	const unsigned char *p;

	if (!s || strlen(s) > max)
		return false;
	for (p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

bool
valid_value(const char *s, size_t max)
{
	if (!valid_text(s, max))
		return false;
	return strpbrk(s, "\"'`$\\;&|<>{}#") == NULL;
}

bool
valid_ipv4(const char *s)
{
	int parts = 0;
	const char *p = s;

	if (!s)
		return false;
	while (parts < 4) {
		unsigned v = 0;
		int digits = 0;
		while (*p >= '0' && *p <= '9') {
			if (digits == 1 && v == 0)
				return false; /* no leading zeros */
			v = v * 10 + (unsigned)(*p - '0');
			if (++digits > 3 || v > 255)
				return false;
			p++;
		}
		if (digits == 0)
			return false;
		parts++;
		if (parts < 4) {
			if (*p != '.')
				return false;
			p++;
		}
	}
	return *p == '\0';
}

/*
 * ipv6_canonical - the RFC 5952 text of a (16 bytes) into out
 * (ADDR_STRLEN bytes), written here rather than by inet_ntop() so that
 * the one accepted form does not depend on the C library (glibc writes
 * ::102:304 as "::1.2.3.4").
 */
static void
ipv6_canonical(const unsigned char a[16], char out[ADDR_STRLEN])
{
	unsigned w[8];
	int i, best = -1, best_len = 0, run = -1, len = 0;
	size_t n = 0;

	for (i = 0; i < 8; i++)
		w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	for (i = 0; i <= 8; i++) {
		if (i < 8 && w[i] == 0) {
			if (run < 0)
				run = i, len = 0;
			len++;
			continue;
		}
		if (run >= 0 && len > best_len && len >= 2)
			best = run, best_len = len;
		run = -1;
	}
	out[0] = '\0';
	for (i = 0; i < 8; i++) {
		if (i == best) {
			n += (size_t)snprintf(out + n, ADDR_STRLEN - n, "::");
			i += best_len - 1;
			continue;
		}
		n += (size_t)snprintf(out + n, ADDR_STRLEN - n, "%s%x",
				      n && out[n - 1] != ':' ? ":" : "", w[i]);
	}
}

bool
valid_ipv6(const char *s)
{
	struct in6_addr a;
	char canon[ADDR_STRLEN];

	if (!s || strnlen(s, ADDR_STRLEN) >= ADDR_STRLEN || !*s)
		return false;
	/* only lower-case hex digits and colons: no dotted IPv4 tail, zone
	 * id, brackets, prefix, space or upper case */
	if (s[strspn(s, "0123456789abcdef:")] != '\0')
		return false;
	if (inet_pton(AF_INET6, s, &a) != 1 || IN6_IS_ADDR_V4MAPPED(&a))
		return false;
	ipv6_canonical(a.s6_addr, canon);
	return strcmp(s, canon) == 0;
}

bool
valid_ip(const char *s)
{
	return valid_ipv4(s) || valid_ipv6(s);
}

int
addr_from_sockaddr(const struct sockaddr *sa, char out[ADDR_STRLEN])
{
	const struct in6_addr *a6;

	out[0] = '\0';
	if (!sa)
		return -EAFNOSUPPORT;
	if (sa->sa_family == AF_INET)
		return inet_ntop(AF_INET,
				 &((const struct sockaddr_in *)sa)->sin_addr,
				 out, ADDR_STRLEN)
			       ? 0
			       : -EAFNOSUPPORT;
	if (sa->sa_family != AF_INET6)
		return -EAFNOSUPPORT;
	a6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;
	if (IN6_IS_ADDR_V4MAPPED(a6))
		return inet_ntop(AF_INET, &a6->s6_addr[12], out, ADDR_STRLEN)
			       ? 0
			       : -EAFNOSUPPORT;
	ipv6_canonical(a6->s6_addr, out);
	return 0;
}

int
duid_mac(const char *s, char out[MAC_STR_LEN])
{
	unsigned char d[DUID_MAX_BYTES];
	size_t n = 0, i = 0, len, type, hw, off;
	bool colons;
	int hi, lo;

	if (!s)
		return -EINVAL;
	len = strnlen(s, DUID_STRLEN);
	if (len >= DUID_STRLEN || len < 2)
		return -EINVAL;
	colons = len > 2 && s[2] == ':';
	while (s[i]) {
		if (n == sizeof(d))
			return -EINVAL;
		hi = hex_value(s[i]);
		lo = hi < 0 ? -1 : hex_value(s[i + 1]);
		if (lo < 0)
			return -EINVAL;
		d[n++] = (unsigned char)(hi << 4 | lo);
		i += 2;
		if (!s[i])
			break;
		if (!colons)
			continue;
		if (s[i] != ':' || !s[i + 1])
			return -EINVAL;
		i++;
	}
	if (n < 3)
		return -EINVAL;
	type = (size_t)d[0] << 8 | d[1];
	switch (type) {
	case 1: /* DUID-LLT: type, hardware type, 4-byte time, address */
		if (n < 9)
			return -EINVAL;
		off = 8;
		break;
	case 2: /* DUID-EN: enterprise number and an opaque id */
		return n >= 7 ? -ENOENT : -EINVAL;
	case 3: /* DUID-LL: type, hardware type, address */
		if (n < 5)
			return -EINVAL;
		off = 4;
		break;
	case 4: /* DUID-UUID: exactly 16 bytes of UUID */
		return n == 18 ? -ENOENT : -EINVAL;
	default:
		return -EINVAL;
	}
	hw = (size_t)d[2] << 8 | d[3];
	if (hw != 1 || n - off != 6)
		return -ENOENT;
	snprintf(out, MAC_STR_LEN, "%02x:%02x:%02x:%02x:%02x:%02x", d[off],
		 d[off + 1], d[off + 2], d[off + 3], d[off + 4], d[off + 5]);
	return 0;
}

bool
valid_token(const char *s)
{
	size_t i;

	if (!s)
		return false;
	for (i = 0; i < TOKEN_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[TOKEN_LEN] == '\0';
}

int
token_generate(char out[TOKEN_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[TOKEN_LEN / 2];
	size_t i;

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return -EIO;
	for (i = 0; i < sizeof(raw); i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[TOKEN_LEN] = '\0';
	return 0;
}

bool
valid_path_or_url(const char *s)
{
	const char *p;
	size_t len;

	if (!s)
		return false;
	len = strlen(s);
	if (len == 0 || len > 1024)
		return false;
	for (p = s; *p; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || strchr("._/:%~+=-", c)))
			return false;
	}
	if (strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0)
		return strstr(s, "/../") == NULL;
	if (s[0] == '/' || strchr(s, ':'))
		return false;
	/* No ".." path component anywhere. */
	for (p = s; p; p = strchr(p, '/')) {
		if (*p == '/')
			p++;
		if (p[0] == '.' && p[1] == '.' && (p[2] == '/' || p[2] == '\0'))
			return false;
	}
	return true;
}

/* Debian's names, and the aliases other tools use (uname -m, RPM,
 * .treeinfo). */
static const struct {
	const char *name, *debian;
} kernel_arches[] = {
	{ "amd64", "amd64" },
	{ "arm64", "arm64" },
	{ "x86_64", "amd64" },
	{ "aarch64", "arm64" },
};

const char *
kernel_arch_parse(const char *s)
{
	size_t i;

	if (!s)
		return NULL;
	for (i = 0; i < sizeof(kernel_arches) / sizeof(kernel_arches[0]); i++)
		if (!strcmp(s, kernel_arches[i].name))
			return kernel_arches[i].debian;
	return NULL;
}

bool
valid_kernel_arch(const char *s)
{
	const char *d = kernel_arch_parse(s);

	return d && !strcmp(d, s);
}
