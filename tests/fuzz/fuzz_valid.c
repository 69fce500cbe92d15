/*
 * fuzz_valid.c - libFuzzer target for the validators of common/valid.h.
 *
 * Properties checked beyond "no crash": a MAC that parses re-parses to
 * itself (canonical form is a fixed point) and is 17 characters; anything
 * valid_text accepts has no control characters; str_sanitize leaves only
 * printable ASCII; valid_hostname agrees with valid_hostname_why; an
 * IPv6 address valid_ip takes is one inet_pton reads and that formats
 * back to the same text.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/sanitize.h"
#include "common/valid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char mac[MAC_STR_LEN], again[MAC_STR_LEN];
	char *s = malloc(size + 1);
	size_t i;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (mac_parse(s, mac) == 0) {
		if (strlen(mac) != 17 || mac_parse(mac, again) != 0 ||
		    strcmp(mac, again) != 0)
			abort();
	}
	if (valid_text(s, TEXT_MAX))
		for (i = 0; s[i]; i++)
			if ((unsigned char)s[i] < 0x20)
				abort();
	if (valid_hostname(s) != (valid_hostname_why(s) == NULL))
		abort();
	{
		char out[64];

		str_sanitize(out, sizeof(out), s,
		             size & 1 ? SANITIZE_FIELD : 0);
		for (i = 0; out[i]; i++)
			if ((unsigned char)out[i] < 0x20 ||
			    (unsigned char)out[i] >= 0x7f ||
			    ((size & 1) && (out[i] == ' ' || out[i] == '"')))
				abort();
		if (i >= sizeof(out))
			abort();
	}
	(void)valid_name(s);
	(void)valid_ipv4(s);
	/* valid_ip: IPv4 exactly as valid_ipv4; an IPv6 it takes is what
	 * inet_pton reads, and formats back to itself */
	if (valid_ip(s) && !valid_ipv4(s)) {
		struct in6_addr a;
		struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };
		char back[ADDR_STRLEN];

		if (inet_pton(AF_INET6, s, &a) != 1 || strlen(s) >= ADDR_STRLEN)
			abort();
		sa.sin6_addr = a;
		if (addr_from_sockaddr((struct sockaddr *)&sa, back) != 0 ||
		    strcmp(back, s) != 0)
			abort();
	}
	/* duid_mac: a MAC it finds is canonical */
	{
		char dm[MAC_STR_LEN] = "", dm2[MAC_STR_LEN];
		int r = duid_mac(s, dm);

		if (r != 0 && r != -ENOENT && r != -EINVAL)
			abort();
		if (r == 0 && (mac_parse(dm, dm2) != 0 || strcmp(dm, dm2)))
			abort();
	}
	(void)valid_token(s);
	if (valid_path_or_url(s) && strstr(s, "${"))
		abort();
	free(s);
	return 0;
}
