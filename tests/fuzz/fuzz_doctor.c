/*
 * fuzz_doctor.c - libFuzzer target for appliance/dhcp/doctor.c's reply parser
 * (what any host on the network may send to UDP port 68). Properties: an
 * accepted reply has a valid server address and offered address, and
 * every text field is printable ASCII that fits its buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "appliance/dhcp/doctor.h"
#include "common/valid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort unless s is printable ASCII and NUL-terminated within n. */
static void
printable(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && s[i]; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			abort();
	if (i == n)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct doctor_offer o;
	uint32_t xid;

	if (size < 4)
		return 0;
	/* the transaction id the parser expects: the reply's own field when
	 * the input is long enough, so that deep paths are reached */
	xid = size >= 8 ? (uint32_t)data[4] << 24 | (uint32_t)data[5] << 16 |
	                      (uint32_t)data[6] << 8 | data[7]
	                : 0;
	if (doctor_parse_reply(data, size, xid, "198.18.0.9", &o) == 0) {
		if (!valid_ipv4(o.server) || !valid_ipv4(o.yiaddr) ||
		    !valid_ipv4(o.siaddr))
			abort();
		if (o.router[0] && !valid_ipv4(o.router))
			abort();
		printable(o.file, sizeof(o.file));
		printable(o.vendor, sizeof(o.vendor));
		if (o.proxy != !strcmp(o.yiaddr, "0.0.0.0"))
			abort();
	}
	return 0;
}
