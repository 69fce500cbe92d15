/*
 * query.h - parsing of request URLs: strict percent-decoding, query
 * strings, and the /ipxe/v1/config request. Pure functions (no I/O), fuzzed
 * by tests/fuzz/fuzz_query.c.
 */
#ifndef BOOTYARD_HTTP_QUERY_H
#define BOOTYARD_HTTP_QUERY_H

#include <stddef.h>

#include "common/valid.h"

#define HTTP_QUERY_MAX 2048 /* bytes of a raw query string */
#define HTTP_QUERY_PARAMS 32

enum boot_platform {
	BOOT_PLATFORM_UNKNOWN = 0, /* iPXE did not say (old build) */
	BOOT_PLATFORM_PCBIOS,
	BOOT_PLATFORM_EFI,
};

/* What a menu item asked for (?choice=), BOOT_CHOICE_NONE without one. */
enum boot_choice {
	BOOT_CHOICE_NONE = 0,
	BOOT_CHOICE_LOCAL,
	BOOT_CHOICE_INSTALL,
	BOOT_CHOICE_SHELL,
	BOOT_CHOICE_MEMTEST,
	BOOT_CHOICE_MENU,
};

/* A validated /ipxe/v1/config request. */
struct boot_request {
	char mac[MAC_STR_LEN]; /* canonical */
	enum boot_platform platform;
	char buildarch[17]; /* [a-z0-9_], "" = not given */
	char uuid[37];      /* [0-9a-fA-F-], "" = not given */
	char serial[65];    /* printable, "" = not given */
	int arch;           /* DHCP option 93, -1 = not given */
	enum boot_choice choice;
	char distro[NAME_MAX_LEN + 1]; /* with choice=install */
};

struct http_kv {
	const char *key;
	const char *value;
};

/*
 * http_pct_decode - decode %XX escapes of src[0..len) into dst (dstsz
 * bytes, NUL-terminated); '+' becomes a space when plus_is_space. Refuses
 * a malformed escape, a decoded NUL or control character (-EINVAL) and
 * output that does not fit (-ENAMETOOLONG). Returns the decoded length.
 */
int http_pct_decode(const char *src, size_t len, char *dst, size_t dstsz,
                    int plus_is_space);

/*
 * http_query_split - split a raw query string ("a=1&b=%20") into at most
 * max decoded key/value pairs stored in buf (bufsz bytes; the pairs point
 * into it). An empty key, too many pairs, or a bad escape is -EINVAL;
 * -E2BIG when query exceeds HTTP_QUERY_MAX. A key without '=' has value "".
 * Returns 0 and *ret_n.
 */
int http_query_split(const char *query, struct http_kv *kv, size_t max,
                     size_t *ret_n, char *buf, size_t bufsz);

/*
 * http_query_get - the value of key among kv, NULL if absent.
 */
const char *http_query_get(const struct http_kv *kv, size_t n, const char *key);

/*
 * boot_request_parse - parse the raw query of /ipxe/v1/config. mac is
 * required (plain or URL-encoded, any mac_parse() form); platform is
 * pcbios | efi | "" ; buildarch, uuid, serial, arch, choice
 * (local|install|shell|memtest|menu) and distro (with choice=install)
 * are optional and validated; a known key given twice is refused;
 * unknown keys are ignored. Returns 0 and fills *ret, or -EINVAL with a
 * short reason (safe to echo back: no request bytes) in err.
 */
int boot_request_parse(const char *query, struct boot_request *ret, char *err,
                       size_t errsz);

/* With http_target_redact: redact every query value, not only token's. */
#define HTTP_REDACT_ALL_VALUES 1u
/* Characters of a redacted value that are kept (then "..."). */
#define HTTP_REDACT_KEEP 4

/*
 * http_target_redact - a request target as the access log shows it: the
 * install token in a path "/ipxe/v1/install/TOKEN/..." and the value of
 * every query parameter named "token" (any case) keep their first
 * HTTP_REDACT_KEEP characters followed by "..."; with
 * HTTP_REDACT_ALL_VALUES in flags every query value is redacted so (for
 * /ipxe/v1/done, whose query a client may spell in any encoding). The
 * result goes to dst (dstsz > 0 bytes, always NUL-terminated, truncated to
 * fit); bytes are not sanitised here (str_sanitize does that).
 */
void http_target_redact(const char *target, unsigned flags, char *dst,
                        size_t dstsz);

/* boot_platform_name - "pcbios", "efi" or "unknown". */
const char *boot_platform_name(enum boot_platform p);


#endif
