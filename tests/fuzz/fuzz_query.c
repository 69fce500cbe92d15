/*
 * fuzz_query.c - libFuzzer target for the request parsers of appliance/core/query.h:
 * the config query (MAC in every form, percent-encoding, parameters), the
 * generic query splitter, and strict path decoding.
 *
 * Properties beyond "no crash": an accepted request has a canonical MAC
 * (re-parses to itself), a known platform and choice, and a buildarch /
 * uuid of allowed characters; decoded output never holds a control
 * character; http_target_redact stays in its buffer and never copies an
 * install token whole.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "appliance/core/query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct boot_request r;
	struct http_kv kv[HTTP_QUERY_PARAMS];
	char err[128], mac[MAC_STR_LEN], buf[4096];
	char *s = malloc(size + 1);
	size_t i, n;
	int len;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (boot_request_parse(s, &r, err, sizeof(err)) == 0) {
		if (mac_parse(r.mac, mac) != 0 || strcmp(mac, r.mac) != 0)
			abort();
		if (r.platform > BOOT_PLATFORM_EFI ||
		    r.choice > BOOT_CHOICE_MENU)
			abort();
		if (strpbrk(r.buildarch, "$ \n|&;#") ||
		    strpbrk(r.uuid, "$ \n|&;#"))
			abort();
	} else if (!err[0]) {
		abort();
	}
	if (http_query_split(s, kv, HTTP_QUERY_PARAMS, &n, buf, sizeof(buf)) ==
	    0) {
		for (i = 0; i < n; i++)
			if (!kv[i].key[0])
				abort();
	}
	len = http_pct_decode(s, size, buf, sizeof(buf), 0);
	if (len >= 0) {
		for (i = 0; i < (size_t)len; i++)
			if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
				abort();
	}
	/* the access log's form of a target: bounded, terminated, and a
	 * token value never survives whole */
	http_target_redact(s, size & 1 ? HTTP_REDACT_ALL_VALUES : 0, buf,
	                   size % 300 + 1);
	if (strlen(buf) > size % 300)
		abort();
	http_target_redact(s, 0, buf, sizeof(buf));
	if (!strncmp(s, "/ipxe/v1/install/", 17) &&
	    strspn(s + 17, "0123456789abcdef") == TOKEN_LEN &&
	    !strncmp(buf + 17, s + 17, TOKEN_LEN))
		abort();
	free(s);
	return 0;
}
