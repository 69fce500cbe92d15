/*
 * fuzz_dnsmasq_log.c - libFuzzer target for appliance/dhcp/dnsmasq_log.c, the
 * parser of dnsmasq's log lines. Properties: an accepted event has a
 * canonical MAC or none, a valid_ip address (IPv4; IPv6 on TFTP lines)
 * or none, and a file name of printable characters without a leading
 * '/'.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "appliance/dhcp/dnsmasq_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), mac[MAC_STR_LEN];
	struct dnsmasq_log_event ev;
	const char *p;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (dnsmasq_log_parse(s, "/var/lib/bootyard/tftp", &ev) == 0) {
		if (ev.mac[0] &&
		    (mac_parse(ev.mac, mac) || strcmp(mac, ev.mac)))
			abort();
		if (ev.ip[0] && !valid_ip(ev.ip))
			abort();
		if (ev.file[0] == '/')
			abort();
		for (p = ev.file; *p; p++)
			if (*p < 0x21 || *p > 0x7e)
				abort();
		if (!strcmp(dnsmasq_log_kind_name(ev.kind), "unknown"))
			abort();
	}
	free(s);
	return 0;
}
