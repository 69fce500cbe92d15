/*
 * fuzz_lease.c - libFuzzer target for appliance/dhcp/lease.c, the parser of
 * what dnsmasq hands bootyard-lease: the input is split at NUL bytes into
 * argv words until an empty word, then "NAME=VALUE" environment strings.
 *
 * Properties beyond "no crash": an accepted add/old/del event has a
 * canonical MAC, a valid (IPv4 or canonical IPv6) address, a valid or
 * empty host name, printable bounded classes and an architecture in -1..65535; an init
 * line formatted from it re-parses as five fields.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "appliance/dhcp/lease.h"
#include "common/valid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_text(const char *s, size_t max)
{
	if (strlen(s) >= max)
		abort();
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *argv[16], *envp[32], err[128];
	struct lease_event ev;
	size_t i = 0, na = 0, ne = 0;
	char mac[MAC_STR_LEN];

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[na++] = "bootyard-lease";
	while (i <= size && na < 15) {
		char *w = buf + i;
		size_t l = strlen(w);

		i += l + 1;
		if (!l)
			break;
		argv[na++] = w;
	}
	argv[na] = NULL;
	while (i < size && ne < 31) {
		char *w = buf + i;

		i += strlen(w) + 1;
		envp[ne++] = w;
	}
	envp[ne] = NULL;
	if (lease_parse((int)na, argv, envp, &ev, err, sizeof(err)) == 0 &&
	    ev.op <= LEASE_OP_DEL) {
		char line[512];

		if (mac_parse(ev.lease.mac, mac) || strcmp(mac, ev.lease.mac))
			abort();
		if (!valid_ip(ev.lease.ip))
			abort();
		if (ev.lease.hostname[0] && !valid_hostname(ev.lease.hostname))
			abort();
		check_text(ev.lease.vendor_class, sizeof(ev.lease.vendor_class));
		check_text(ev.lease.user_class, sizeof(ev.lease.user_class));
		if (ev.lease.arch < -1 || ev.lease.arch > 65535)
			abort();
		if (lease_format_init_line(&ev.lease, 0, line,
					   sizeof(line)) == 0) {
			size_t sp = 0;
			for (char *p = line; *p; p++)
				sp += *p == ' ';
			if (sp != 4)
				abort();
		}
	}
	free(buf);
	return 0;
}
