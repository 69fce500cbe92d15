/*
 * query.c - strict URL decoding and the config request parser
 * (see query.h). Everything here is pure and bounded: the fuzz target
 * feeds it arbitrary bytes.
 */
#include "appliance/core/query.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "appliance/core/arch.h"
#include "common/util.h"
#include "common/valid.h"

int
http_pct_decode(const char *src, size_t len, char *dst, size_t dstsz,
                int plus_is_space)
{
	size_t i, o = 0;

	if (dstsz == 0)
		return -ENAMETOOLONG;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c == '%') {
			int hi, lo;

			if (len - i < 3)
				return -EINVAL;
			hi = hex_value(src[i + 1]);
			lo = hex_value(src[i + 2]);
			if (hi < 0 || lo < 0)
				return -EINVAL;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+' && plus_is_space) {
			c = ' ';
		}
		if (c < 0x20 || c == 0x7f)
			return -EINVAL;
		if (o + 1 >= dstsz)
			return -ENAMETOOLONG;
		dst[o++] = (char)c;
	}
	dst[o] = '\0';
	return (int)o;
}

/* A bounded writer for http_target_redact: output past the end is
 * dropped, the buffer always terminated. */
struct redact_out {
	char *p;
	size_t size, len;
};

static void
redact_put(struct redact_out *o, const char *s, size_t n)
{
	size_t room = o->size - 1 - o->len;

	if (n > room)
		n = room;
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

/* Put s[0..n) redacted: its first HTTP_REDACT_KEEP bytes, then "...". */
static void
redact_secret(struct redact_out *o, const char *s, size_t n)
{
	if (n <= HTTP_REDACT_KEEP) {
		redact_put(o, s, n);
		return;
	}
	redact_put(o, s, HTTP_REDACT_KEEP);
	redact_put(o, "...", 3);
}

void
http_target_redact(const char *target, unsigned flags, char *dst,
                   size_t dstsz)
{
	static const char install[] = "/ipxe/v1/install/";
	struct redact_out o = { dst, dstsz, 0 };
	const char *q, *p, *end;
	size_t plen;

	if (!dstsz)
		return;
	dst[0] = '\0';
	if (!target)
		return;
	q = strchr(target, '?');
	plen = q ? (size_t)(q - target) : strlen(target);
	if (plen >= sizeof(install) - 1 &&
	    !memcmp(target, install, sizeof(install) - 1)) {
		const char *seg = target + sizeof(install) - 1;
		const char *slash = memchr(seg, '/', plen - (size_t)(seg - target));
		size_t slen = slash ? (size_t)(slash - seg)
		                    : plen - (size_t)(seg - target);

		redact_put(&o, target, sizeof(install) - 1);
		redact_secret(&o, seg, slen);
		redact_put(&o, seg + slen, plen - (size_t)(seg - target) - slen);
	} else {
		redact_put(&o, target, plen);
	}
	if (!q)
		return;
	redact_put(&o, "?", 1);
	for (p = q + 1;; p = end + 1) {
		const char *eq;
		size_t klen;

		end = strchr(p, '&');
		if (!end)
			end = p + strlen(p);
		eq = memchr(p, '=', (size_t)(end - p));
		klen = eq ? (size_t)(eq - p) : (size_t)(end - p);
		redact_put(&o, p, klen);
		if (eq) {
			redact_put(&o, "=", 1);
			if ((flags & HTTP_REDACT_ALL_VALUES) ||
			    (klen == 5 && !strncasecmp(p, "token", 5)))
				redact_secret(&o, eq + 1,
				              (size_t)(end - eq - 1));
			else
				redact_put(&o, eq + 1, (size_t)(end - eq - 1));
		}
		if (!*end)
			break;
		redact_put(&o, "&", 1);
	}
}

int
http_query_split(const char *query, struct http_kv *kv, size_t max,
                 size_t *ret_n, char *buf, size_t bufsz)
{
	size_t n = 0, used = 0;
	const char *p = query;

	if (!query)
		query = p = "";
	if (strlen(query) > HTTP_QUERY_MAX)
		return -E2BIG;
	while (*p) {
		const char *amp = strchr(p, '&');
		const char *end = amp ? amp : p + strlen(p);
		const char *eq = memchr(p, '=', (size_t)(end - p));
		const char *kend = eq ? eq : end;
		int k, v;

		if (end == p) { /* "a=1&&b=2": tolerate empty pieces */
			p = amp + 1;
			continue;
		}
		if (kend == p || n >= max)
			return -EINVAL;
		k = http_pct_decode(p, (size_t)(kend - p), buf + used,
		                    bufsz - used, 1);
		if (k < 0)
			return k == -ENAMETOOLONG ? -E2BIG : k;
		kv[n].key = buf + used;
		used += (size_t)k + 1;
		if (used >= bufsz)
			return -E2BIG;
		v = eq ? http_pct_decode(eq + 1, (size_t)(end - eq - 1),
		                         buf + used, bufsz - used, 1)
		       : http_pct_decode("", 0, buf + used, bufsz - used, 1);
		if (v < 0)
			return v == -ENAMETOOLONG ? -E2BIG : v;
		kv[n].value = buf + used;
		used += (size_t)v + 1;
		n++;
		if (!amp)
			break;
		p = amp + 1;
	}
	*ret_n = n;
	return 0;
}

const char *
http_query_get(const struct http_kv *kv, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(kv[i].key, key) == 0)
			return kv[i].value;
	return NULL;
}

/* Every character of s is in the set allowed by ok(), length <= max. */
static bool
all_chars(const char *s, size_t max, bool (*ok)(char))
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (i >= max || !ok(s[i]))
			return false;
	return true;
}

/* Characters of an iPXE buildarch (x86_64, i386, arm64...). */
static bool
buildarch_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* Characters of an SMBIOS UUID. */
static bool
uuid_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F') || c == '-';
}

static const char *const choice_names[] = {
    [BOOT_CHOICE_NONE] = "",           [BOOT_CHOICE_LOCAL] = "local",
    [BOOT_CHOICE_INSTALL] = "install", [BOOT_CHOICE_SHELL] = "shell",
    [BOOT_CHOICE_MEMTEST] = "memtest", [BOOT_CHOICE_MENU] = "menu",
};

const char *
boot_platform_name(enum boot_platform p)
{
	switch (p) {
	case BOOT_PLATFORM_PCBIOS:
		return arch_fw_platform(ARCH_FW_BIOS);
	case BOOT_PLATFORM_EFI:
		return arch_fw_platform(ARCH_FW_UEFI);
	default:
		return "unknown";
	}
}

#define FAIL(msg)                                                              \
	do {                                                                   \
		str_copy(err, errsz, msg);                                     \
		return -EINVAL;                                                \
	} while (0)

int
boot_request_parse(const char *query, struct boot_request *ret, char *err,
                   size_t errsz)
{
	static const char *const known[] = {"mac",    "platform", "buildarch",
	                                    "uuid",   "serial",   "arch",
	                                    "choice", "distro"};
	struct http_kv kv[HTTP_QUERY_PARAMS];
	char buf[HTTP_QUERY_MAX + 2 * HTTP_QUERY_PARAMS + 2];
	struct boot_request r;
	enum arch_fw fw;
	const char *v;
	size_t n, i, j;
	int rc;

	rc = http_query_split(query, kv, ARRAY_SIZE(kv), &n, buf, sizeof(buf));
	if (rc == -E2BIG)
		FAIL("query too long");
	if (rc < 0)
		FAIL("malformed query string");
	for (i = 0; i < ARRAY_SIZE(known); i++) {
		int seen = 0;
		for (j = 0; j < n; j++)
			seen += strcmp(kv[j].key, known[i]) == 0;
		if (seen > 1)
			FAIL("parameter given twice");
	}
	memset(&r, 0, sizeof(r));
	r.arch = -1;

	v = http_query_get(kv, n, "mac");
	if (!v || !*v)
		FAIL("missing mac");
	if (mac_parse(v, r.mac) < 0)
		FAIL("malformed mac");

	v = http_query_get(kv, n, "platform");
	if (!v || !*v)
		r.platform = BOOT_PLATFORM_UNKNOWN;
	else if (arch_fw_parse(v, &fw) < 0)
		FAIL("unsupported platform");
	else
		r.platform = fw == ARCH_FW_BIOS ? BOOT_PLATFORM_PCBIOS
		                                : BOOT_PLATFORM_EFI;

	v = http_query_get(kv, n, "buildarch");
	if (v && (!all_chars(v, sizeof(r.buildarch) - 1, buildarch_char) ||
	          str_copy(r.buildarch, sizeof(r.buildarch), v)))
		FAIL("malformed buildarch");

	v = http_query_get(kv, n, "uuid");
	if (v && (!all_chars(v, sizeof(r.uuid) - 1, uuid_char) ||
	          str_copy(r.uuid, sizeof(r.uuid), v)))
		FAIL("malformed uuid");

	v = http_query_get(kv, n, "serial");
	if (v && (!valid_text(v, sizeof(r.serial) - 1) ||
	          str_copy(r.serial, sizeof(r.serial), v)))
		FAIL("malformed serial");

	v = http_query_get(kv, n, "arch");
	if (v && *v) {
		unsigned long long a;
		if (parse_uint(v, 0, 65535, &a) < 0)
			FAIL("malformed arch");
		r.arch = (int)a;
	}

	v = http_query_get(kv, n, "choice");
	if (v && *v) {
		for (i = 1; i < ARRAY_SIZE(choice_names); i++)
			if (strcmp(v, choice_names[i]) == 0)
				r.choice = (enum boot_choice)i;
		if (r.choice == BOOT_CHOICE_NONE)
			FAIL("unknown choice");
	}
	v = http_query_get(kv, n, "distro");
	if (v && *v) {
		if (!valid_name(v))
			FAIL("malformed distro");
		str_copy(r.distro, sizeof(r.distro), v);
	}
	if (r.choice == BOOT_CHOICE_INSTALL && !r.distro[0])
		FAIL("choice=install needs distro");

	*ret = r;
	return 0;
}
