/*
 * fuzz_relay.c - libFuzzer target for the values of issue #17 that come
 * from outside: the relay agent information dnsmasq hands the lease hook
 * (lease_relay_parse: the input split at NUL bytes into the relay
 * address, circuit ID, remote ID and subscriber ID) and a [dhcp] range
 * line (cfg_range_parse, the input up to its first NUL), rendered into
 * dnsmasq's configuration beside "auto" on 198.18.0.1/24.
 *
 * Properties beyond "no crash": an accepted relay has a valid address
 * and agent IDs of [A-Za-z0-9._:/-] only, and its event text no blank
 * but the separators; an accepted range formats back to text that
 * parses to the same range; a rendered dnsmasq config has exactly one
 * dhcp-script line and no line the range could have added beyond
 * dhcp-range, dhcp-option and comments.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "appliance/core/config.h"
#include "appliance/dhcp/dnsmasq.h"
#include "appliance/dhcp/lease.h"
#include "common/valid.h"
#include "tests/unit/dnsmasq_fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_id(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("._:/-", *s)))
			abort();
}

static void
fuzz_relay(const char *buf, size_t size)
{
	const char *w[4] = { NULL, NULL, NULL, NULL };
	struct lease_relay r;
	char detail[512];
	size_t i = 0, n = 0, sp = 0;

	while (i < size && n < 4) {
		w[n++] = buf + i;
		i += strlen(buf + i) + 1;
	}
	if (lease_relay_parse(w[0], w[1], w[2], w[3], &r) < 0) {
		if (r.address[0] || r.circuit_id[0] || r.remote_id[0] ||
		    r.subscriber_id[0])
			abort();
		return;
	}
	if (r.address[0] && !valid_ip(r.address))
		abort();
	if (!r.address[0] &&
	    (r.circuit_id[0] || r.remote_id[0] || r.subscriber_id[0]))
		abort();
	check_id(r.circuit_id);
	check_id(r.remote_id);
	check_id(r.subscriber_id);
	if (lease_relay_detail(&r, detail, sizeof(detail)) == 0) {
		for (i = 0; detail[i]; i++)
			sp += detail[i] == ' ';
		if (sp != !!r.circuit_id[0] + !!r.remote_id[0] +
				  !!r.subscriber_id[0])
			abort();
	}
}

static void
fuzz_range(const char *text)
{
	static const struct dnsmasq_facts f = DNSMASQ_FACTS_FIXTURE;
	struct by_config cfg;
	struct cfg_range r, r2;
	char why[256], txt[CFG_RANGE_TEXT_MAX], err[512], *out = NULL, *p;
	unsigned scripts = 0;

	if (cfg_range_parse(text, &r, why, sizeof(why)) < 0)
		return;
	if (cfg_range_format(&r, txt, sizeof(txt)) < 0)
		abort();
	memset(&r2, 0, sizeof(r2));
	if (cfg_range_parse(txt, &r2, why, sizeof(why)) < 0 ||
	    r2.is_auto != r.is_auto || strcmp(r2.start, r.start) ||
	    strcmp(r2.end, r.end) || r2.prefix != r.prefix ||
	    strcmp(r2.router, r.router) || r2.n_dns != r.n_dns ||
	    strcmp(r2.domain, r.domain))
		abort();
	cfg_defaults(&cfg);
	if (!r.is_auto) {
		cfg.ranges.r[1] = r;
		cfg.ranges.n = 2;
	} else {
		cfg.ranges.r[0] = r;
	}
	if (dnsmasq_render(&cfg, &f, &out, err, sizeof(err)) < 0)
		return;
	for (p = out; p && *p;) {
		char *nl = strchr(p, '\n');

		if (!strncmp(p, "dhcp-script=", 12))
			scripts++;
		for (char *c = p; c < (nl ? nl : p + strlen(p)); c++)
			if ((unsigned char)*c < 0x20)
				abort();
		p = nl ? nl + 1 : NULL;
	}
	if (scripts != 1)
		abort();
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	fuzz_relay(buf, size);
	fuzz_range(buf);
	free(buf);
	return 0;
}
