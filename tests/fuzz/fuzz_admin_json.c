/*
 * fuzz_admin_json.c - libFuzzer target for the admin API's JSON bodies
 * (http/admin_json.c): the text is parsed as POST /api/v1/hosts, PATCH
 * of a stored host, and POST /api/v1/distros parse it.
 *
 * Properties beyond "no crash" (ASan sees a write past h->macs): an
 * accepted host has 1..DB_MAX_MACS canonical MACs, at most DB_MAX_ATTRS
 * attributes, a hostname that valid_hostname accepts or none, and a
 * distro when its action is install; a refused body says why and left
 * the counts in bounds (the ninth MAC once landed on n_attrs).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/valid.h"
#include "http/admin_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The host invariants every accepted body keeps. */
static void
check_host(const struct db_host *h, bool create)
{
	char mac[MAC_STR_LEN];
	size_t i;

	if (h->n_macs > DB_MAX_MACS || (create && h->n_macs == 0))
		abort();
	for (i = 0; i < h->n_macs; i++)
		if (mac_parse(h->macs[i], mac) != 0 || strcmp(mac, h->macs[i]))
			abort();
	if (h->n_attrs > DB_MAX_ATTRS)
		abort();
	if (h->hostname[0] && !valid_hostname(h->hostname))
		abort();
	if (h->action == DB_ACTION_INSTALL && !h->distro[0])
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *o = http_admin_json_parse((const char *)data, size);
	struct db_distro d;
	struct db_host h;
	char err[256];

	if (!o)
		return 0;
	/* POST /api/v1/hosts: a fresh host */
	memset(&h, 0, sizeof(h));
	h.action = DB_ACTION_LOCAL;
	err[0] = '\0';
	if (http_admin_host_apply(o, &h, true, err, sizeof(err)) == 0)
		check_host(&h, true);
	else if (!err[0] || h.n_macs > DB_MAX_MACS || h.n_attrs > DB_MAX_ATTRS)
		abort(); /* even a refused body stays inside h */
	/* PATCH of a stored host with two MACs and an attribute */
	memset(&h, 0, sizeof(h));
	h.action = DB_ACTION_LOCAL;
	h.n_macs = 2;
	strcpy(h.macs[0], "52:54:00:00:00:01");
	strcpy(h.macs[1], "52:54:00:00:00:02");
	h.n_attrs = 1;
	strcpy(h.attrs[0].key, "rack");
	strcpy(h.attrs[0].value, "r1");
	if (http_admin_host_apply(o, &h, false, err, sizeof(err)) == 0)
		check_host(&h, false);
	/* POST /api/v1/distros */
	memset(&d, 0, sizeof(d));
	if (http_admin_distro_apply(o, &d, err, sizeof(err)) == 0) {
		if (!valid_name(d.name) || !d.kernels[0].kernel[0] || !d.kernels[0].initrd[0])
			abort();
		if (d.template_text && !valid_name(d.template_name))
			abort();
	}
	json_decref(o);
	return 0;
}
