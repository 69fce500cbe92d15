/*
 * console_api.c - the admin API endpoints the console adds (bearer token
 * or console session, see console.h):
 *
 *   GET /api/v1/fleet            {"hosts": [...], "unknown": [...]}: every
 *       host and every MAC seen that no host has, each with its lease,
 *       last seen time and the diagnosis of its last boot
 *   GET /api/v1/diagnosis/MAC    the diagnosis of MAC's last boot
 *   GET /api/v1/appliance        configuration summary, rogue DHCP
 *       servers and dnsmasq exits seen, version
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "appliance/core/diagnose.h"
#include "appliance/core/hostjson.h"
#include "common/util.h"
#include "common/valid.h"
#include "http/console.h"

#define FLEET_MAX 2000

#ifndef BOOTYARD_VERSION
#define BOOTYARD_VERSION "unknown"
#endif

static int64_t
now_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* The diagnosis d of mac as JSON (new reference, NULL = ENOMEM). */
static json_t *
diag_json(const char *mac, const struct diagnosis *d)
{
	return json_pack("{s:s,s:s,s:i,s:s,s:b,s:b,s:I,s:o,s:o}", "mac", mac,
	                 "stage", diag_stage_name(d->stage), "stage_index",
	                 (int)d->stage, "cause", diag_cause_name(d->cause),
	                 "stopped", d->stopped, "failed", d->failed, "since_ms",
	                 (json_int_t)d->since_ms, "text", json_text(d->text),
	                 "appliance", json_text(d->appliance));
}

static void
diag_ctx_for(const struct http_server *srv, unsigned attempts,
             struct diag_ctx *dc)
{
	memset(dc, 0, sizeof(*dc));
	dc->now_ms = now_ms();
	dc->attempts = attempts;
	dc->max_attempts = srv->cfg->install_attempts;
	dc->uefi_loader = cfg_uefi_loader_name(srv->cfg->uefi_loader);
}

static json_t *
lease_json(const struct db_lease *l)
{
	json_t *j = json_object();

	json_object_set_new(j, "mac", json_string(l->mac));
	json_object_set_new(j, "ip", json_text(l->ip));
	json_object_set_new(j, "ip6", json_text(l->ip6));
	json_object_set_new(j, "hostname", json_text(l->hostname));
	json_object_set_new(j, "arch",
	                    l->arch < 0 ? json_null() : json_integer(l->arch));
	json_object_set_new(j, "vendor_class", json_text(l->vendor_class));
	json_object_set_new(j, "user_class", json_text(l->user_class));
	json_object_set_new(j, "state", json_text(l->state));
	json_object_set_new(j, "first_seen", json_integer(l->first_seen));
	json_object_set_new(j, "last_seen", json_integer(l->last_seen));
	return j;
}

/* The fleet's hosts and leases, at most FLEET_MAX of each. */
struct fleet_rows {
	struct db_host *h;
	struct db_lease *l;
	size_t nh, caph, nl, capl;
};

/* Collect one row (size bytes) into the array *arrp; past FLEET_MAX rows
 * (array_push's doubling stops short of it) the rest are left out. */
static int
fleet_push(void *arrp, size_t *n, size_t *cap, const void *row, size_t size)
{
	int r = array_push(arrp, n, cap, FLEET_MAX, row, size);

	return r == -E2BIG ? 0 : r;
}

static int
collect_host(const struct db_host *h, void *ctx)
{
	struct fleet_rows *f = ctx;

	return fleet_push(&f->h, &f->nh, &f->caph, h, sizeof(*h));
}

static int
collect_lease(const struct db_lease *l, void *ctx)
{
	struct fleet_rows *f = ctx;

	return fleet_push(&f->l, &f->nl, &f->capl, l, sizeof(*l));
}

static json_t *
host_row(struct http_server *srv, struct db *db, const struct db_host *h)
{
	json_t *j = host_json(h);
	json_t *diag = NULL, *lease = json_null();
	int64_t last = 0, best = -1;
	struct diag_ctx dc;
	struct diagnosis d;
	struct db_lease l;
	size_t i;

	diag_ctx_for(srv, h->attempts, &dc);
	if (!j)
		return NULL;
	for (i = 0; i < h->n_macs; i++) {
		if (db_lease_get(db, h->macs[i], &l) == 0) {
			if (l.last_seen * 1000 > last)
				last = l.last_seen * 1000;
			if (json_is_null(lease) || l.last_seen * 1000 >= last) {
				json_decref(lease);
				lease = lease_json(&l);
			}
		}
		if (diagnose_mac(db, h->macs[i], &dc, &d) == 0 &&
		    (d.since_ms > best)) {
			best = d.since_ms;
			json_decref(diag);
			diag = diag_json(h->macs[i], &d);
		}
	}
	if (best > last)
		last = best;
	/* the host as everywhere (host_json), plus what the fleet shows */
	json_object_set_new(j, "lease", lease);
	json_object_set_new(j, "last_seen_ms", json_integer(last));
	json_object_set_new(j, "diagnosis", diag ? diag : json_null());
	return j;
}

static enum MHD_Result
fleet(struct MHD_Connection *c, struct http_req *r, struct db *db)
{
	struct http_server *srv = r->l->srv;
	struct fleet_rows fr = {0};
	json_t *hosts = json_array(), *unknown = json_array();
	struct diag_ctx dc;
	struct diagnosis d;
	size_t i;
	int rc;

	evq_flush(srv->evq, 500);
	rc = db_host_list(db, collect_host, &fr);
	if (rc >= 0)
		rc = db_lease_list(db, true, collect_lease, &fr);
	if (rc < 0) {
		free(fr.h);
		free(fr.l);
		json_decref(hosts);
		json_decref(unknown);
		return console_send_json(
		    c, r, 503, json_pack("{s:s}", "error", "database error"),
		    NULL);
	}
	for (i = 0; i < fr.nh; i++)
		json_array_append_new(hosts, host_row(srv, db, &fr.h[i]));
	diag_ctx_for(srv, 0, &dc);
	for (i = 0; i < fr.nl; i++) {
		json_t *o = lease_json(&fr.l[i]);
		int64_t last = fr.l[i].last_seen * 1000;

		if (diagnose_mac(db, fr.l[i].mac, &dc, &d) == 0) {
			json_object_set_new(o, "diagnosis",
			                    diag_json(fr.l[i].mac, &d));
			if (d.since_ms > last)
				last = d.since_ms;
		}
		json_object_set_new(o, "last_seen_ms", json_integer(last));
		json_array_append_new(unknown, o);
	}
	free(fr.h);
	free(fr.l);
	return console_send_json(c, r, 200,
	                         json_pack("{s:o,s:o,s:I}", "hosts", hosts,
	                                   "unknown", unknown, "now_ms",
	                                   (json_int_t)now_ms()),
	                         NULL);
}

static enum MHD_Result
diagnosis(struct MHD_Connection *c, struct http_req *r, struct db *db,
          const char *arg)
{
	struct http_server *srv = r->l->srv;
	char mac[MAC_STR_LEN];
	struct db_host h;
	struct diag_ctx dc;
	struct diagnosis d;
	unsigned attempts = 0;

	if (mac_parse(arg, mac) < 0)
		return console_send_json(
		    c, r, 400, json_pack("{s:s}", "error", "not a MAC address"),
		    NULL);
	if (db_host_find_by_mac(db, mac, &h) == 0)
		attempts = h.attempts;
	evq_flush(srv->evq, 500);
	diag_ctx_for(srv, attempts, &dc);
	if (diagnose_mac(db, mac, &dc, &d) < 0)
		return console_send_json(
		    c, r, 503, json_pack("{s:s}", "error", "database error"),
		    NULL);
	return console_send_json(c, r, 200, diag_json(mac, &d), NULL);
}

struct appl {
	json_t *rogue;
	unsigned dnsmasq_exits;
	int64_t events;
};

/* [dhcp] range: its lines in the file's syntax, joined by "; ". */
static json_t *
ranges_json(const struct by_config *cfg)
{
	char txt[CFG_RANGE_TEXT_MAX], all[CFG_RANGES_MAX * 64];
	size_t off = 0;
	unsigned i;

	all[0] = '\0';
	if (cfg->ranges.off)
		return json_text("off");
	for (i = 0; i < cfg->ranges.n; i++) {
		if (cfg_range_format(&cfg->ranges.r[i], txt, sizeof(txt)) < 0 ||
		    str_printf(all + off, sizeof(all) - off, "%s%s",
			       i ? "; " : "", txt) < 0)
			break;
		off += strlen(all + off);
	}
	return json_text(all);
}

static int
appl_event(const struct db_event *e, void *ctx)
{
	struct appl *a = ctx;

	a->events++;
	if (!strcmp(e->kind, "dhcp-foreign") && json_array_size(a->rogue) < 20)
		json_array_append_new(a->rogue,
		                      json_pack("{s:I,s:o}", "ts_ms",
		                                (json_int_t)e->ts_ms, "detail",
		                                json_text(e->detail)));
	else if (!strcmp(e->kind, "dnsmasq-exit"))
		a->dnsmasq_exits++;
	return 0;
}

static enum MHD_Result
appliance(struct MHD_Connection *c, struct http_req *r, struct db *db)
{
	const struct by_config *cfg = r->l->srv->cfg;
	struct appl a = {.rogue = json_array()};
	json_t *j;

	db_event_list(db, NULL, 2000, appl_event, &a);
	j = json_object();
	json_object_set_new(j, "version", json_string(BOOTYARD_VERSION));
	json_object_set_new(j, "interface", json_text(cfg->interface));
	json_object_set_new(j, "server_address",
	                    json_text(cfg->server_address));
	json_object_set_new(j, "dhcp_mode",
	                    json_string(cfg_dhcp_mode_name(cfg->dhcp_mode)));
	json_object_set_new(j, "range", ranges_json(cfg));
	json_object_set_new(
	    j, "bios_loader",
	    json_string(cfg_bios_loader_name(cfg->bios_loader)));
	json_object_set_new(
	    j, "uefi_loader",
	    json_string(cfg_uefi_loader_name(cfg->uefi_loader)));
	json_object_set_new(j, "install_attempts",
	                    json_integer(cfg->install_attempts));
	json_object_set_new(j, "dnsmasq_exits", json_integer(a.dnsmasq_exits));
	json_object_set_new(j, "rogue_dhcp", a.rogue);
	json_object_set_new(j, "recent_events", json_integer(a.events));
	json_object_set_new(
	    j, "events_dropped",
	    json_integer((json_int_t)evq_dropped(r->l->srv->evq)));
	return console_send_json(c, r, 200, j, NULL);
}

enum MHD_Result
http_console_api(struct MHD_Connection *c, struct http_req *r, struct db *db,
                 const char *method, bool *handled)
{
	const char *p = r->path;
	bool get = !strcmp(method, "GET") || !strcmp(method, "HEAD");

	*handled = true;
	if (!strcmp(p, "/api/v1/fleet") && get)
		return fleet(c, r, db);
	if (str_has_prefix(p, "/api/v1/diagnosis/") && get)
		return diagnosis(c, r, db, p + strlen("/api/v1/diagnosis/"));
	if (!strcmp(p, "/api/v1/appliance") && get)
		return appliance(c, r, db);
	*handled = false;
	return MHD_NO;
}
