/*
 * admin_power.c - power control in the admin API (docs/power.md):
 *
 *   GET  /api/v1/hosts/KEY/power   the settings (never the password)
 *   PUT  /api/v1/hosts/KEY/power   {"method", "bmc", "user", "password"}
 *   POST /api/v1/hosts/KEY/power   {"action": "status|on|off|cycle|reset"}
 *   POST /api/v1/hosts/KEY/reinstall {"distro", "power_cycle": true}
 *        (admin_power_reinstall: after admin.c flagged the install)
 *
 * The driver (appliance/power/) runs ipmitool or sends the magic packet
 * from this thread; every action and its result is an event "power" in
 * the host's timeline. A failed power action of a reinstall puts the
 * host back as it was (the install flag is not left set).
 *
 * Status codes: 422 invalid settings or no power method, 502 the BMC
 * refused or failed, 504 it did not answer within the timeout.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appliance/power/power.h"
#include "common/netif.h"
#include "common/util.h"
#include "common/valid.h"
#include "http/admin_json.h"
#include "http/admin_power.h"

/* The HTTP status for a power_run error. */
static unsigned
pw_status(int rc)
{
	switch (rc) {
	case -ENOTSUP:
	case -EINVAL:
		return MHD_HTTP_UNPROCESSABLE_CONTENT;
	case -ETIMEDOUT:
		return MHD_HTTP_GATEWAY_TIMEOUT;
	default:
		return MHD_HTTP_BAD_GATEWAY;
	}
}

json_t *
admin_power_json(struct db *db, const struct db_host *h)
{
	struct db_power p;

	if (db_power_get(db, h->id, &p, false) < 0)
		return json_null();
	return json_pack("{s:s,s:s,s:s,s:b}", "method", p.method, "bmc", p.bmc,
			 "user", p.user, "password_set", p.has_password);
}

/* The host boots UEFI: attribute firmware=uefi, or (without the
 * attribute) the client architecture of its newest lease is an EFI one. */
static bool
host_uefi(struct db *db, const struct db_host *h)
{
	struct db_lease l;
	size_t i;

	for (i = 0; i < h->n_attrs; i++)
		if (!strcmp(h->attrs[i].key, "firmware"))
			return !strcmp(h->attrs[i].value, "uefi");
	for (i = 0; i < h->n_macs; i++)
		if (db_lease_get(db, h->macs[i], &l) == 0 && l.arch >= 0)
			return l.arch >= 6;
	return false;
}

/* Fill t for host h (p: its settings with the password). */
static void
pw_target(struct http_server *srv, struct db *db, const struct db_host *h,
	  const struct db_power *p, struct power_target *t)
{
	memset(t, 0, sizeof(*t));
	t->host_id = h->id;
	t->p = p;
	if (h->n_macs)
		str_copy(t->mac, sizeof(t->mac), h->macs[0]);
	t->uefi = host_uefi(db, h);
	if (!strcmp(p->method, "wol")) {
		struct netif_info ni;
		char why[256];

		if (netif_detect(srv->cfg->interface, &ni, why,
				 sizeof(why)) == 0) {
			str_copy(t->wol_ifaddr, sizeof(t->wol_ifaddr), ni.addr);
			t->wol_prefix = ni.prefix;
		}
	}
}

/* Record what an action did in the host's timeline. */
static void
pw_event(struct db *db, const struct db_host *h, const char *what, int rc,
	 const char *msg)
{
	char detail[DB_DETAIL_MAX];

	snprintf(detail, sizeof(detail), "%s: %s%s", what,
		 rc < 0 ? "failed: " : "", msg);
	db_event_add(db, h->n_macs ? h->macs[0] : "", "power", detail);
}

/* A string member of o into dst (dstsz), "" when absent; -EINVAL when
 * not a string or too long for dst. */
static int
pw_member(json_t *o, const char *key, char *dst, size_t dstsz, bool *seen)
{
	json_t *v = json_object_get(o, key);
	const char *s;

	if (seen)
		*seen = v != NULL;
	if (!v) {
		dst[0] = '\0';
		return 0;
	}
	if (!json_is_string(v))
		return -EINVAL;
	s = json_string_value(v);
	if (strlen(s) >= dstsz || strlen(s) != json_string_length(v))
		return -EINVAL;
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

/* PUT: replace the settings. */
static enum MHD_Result
pw_put(struct MHD_Connection *c, struct http_req *r, struct db *db,
       const struct db_host *h)
{
	struct db_power p;
	char why[160], detail[200];
	enum MHD_Result ret;
	const char *k;
	json_t *body, *v;
	bool has_pw = false;
	int rc;

	memset(&p, 0, sizeof(p));
	body = http_admin_object(c, r, false, &ret);
	if (!body)
		return ret;
	json_object_foreach(body, k, v)
	{
		if (strcmp(k, "method") && strcmp(k, "bmc") &&
		    strcmp(k, "user") && strcmp(k, "password")) {
			json_decref(body);
			return http_admin_error(
			    c, r, 422,
			    "power takes {\"method\", \"bmc\", "
			    "\"user\", \"password\"}");
		}
	}
	if (pw_member(body, "method", p.method, sizeof(p.method), NULL) < 0 ||
	    pw_member(body, "bmc", p.bmc, sizeof(p.bmc), NULL) < 0 ||
	    pw_member(body, "user", p.user, sizeof(p.user), NULL) < 0 ||
	    pw_member(body, "password", p.password, sizeof(p.password),
		      &has_pw) < 0) {
		json_decref(body);
		explicit_bzero(&p, sizeof(p));
		return http_admin_error(c, r, 422,
		                        "power settings: strings of "
		                        "bounded length");
	}
	json_decref(body); /* jansson's copy of the password: freed */
	if (!p.method[0])
		str_copy(p.method, sizeof(p.method), "none");
	if (power_settings_check(&p, has_pw, why, sizeof(why)) < 0) {
		explicit_bzero(&p, sizeof(p));
		return http_admin_error(c, r, 422, why);
	}
	if (strcmp(p.method, "ipmi")) /* none / wol: no password kept */
		has_pw = true;
	rc = db_power_set(db, h->id, &p, has_pw);
	explicit_bzero(p.password, sizeof(p.password));
	if (rc < 0)
		return http_admin_error(c, r, rc == -EINVAL ? 422 : 503,
		                        db_strerror(rc));
	power_cache_forget(h->id);
	snprintf(detail, sizeof(detail), "%s%s%s%s%s", p.method,
		 p.bmc[0] ? " bmc " : "", p.bmc, p.user[0] ? " user " : "",
		 p.user);
	pw_event(db, h, "settings", 0, detail);
	return http_admin_reply(c, r, 200, admin_power_json(db, h));
}

enum MHD_Result
admin_power(struct MHD_Connection *c, struct http_req *r, struct db *db,
	    const char *method, const struct db_host *h)
{
	struct power_target t;
	struct power_result res;
	struct db_power p;
	enum power_action a;
	json_t *body, *v;
	int rc;

	if (!strcmp(method, "GET") || !strcmp(method, "HEAD"))
		return http_admin_reply(c, r, 200, admin_power_json(db, h));
	if (!strcmp(method, "PUT"))
		return pw_put(c, r, db, h);
	if (strcmp(method, "POST"))
		return http_admin_error(c, r, 405, "method not allowed");
	body = http_admin_json_parse(r->body, r->body_len);
	if (!body)
		return http_admin_error(c, r, 400, "malformed JSON");
	v = json_object_get(body, "action");
	if (!json_is_object(body) || json_object_size(body) != 1 ||
	    !json_is_string(v) ||
	    power_action_parse(json_string_value(v), &a) < 0 ||
	    a == POWER_BOOT_PXE) {
		json_decref(body);
		return http_admin_error(c, r, 422,
		                        "power takes {\"action\": "
		                        "\"status|on|off|cycle|reset\"}");
	}
	json_decref(body);
	rc = db_power_get(db, h->id, &p, true);
	if (rc < 0)
		return http_admin_error(c, r, 503, db_strerror(rc));
	pw_target(r->l->srv, db, h, &p, &t);
	rc = power_run(&t, a, &res);
	explicit_bzero(&p, sizeof(p));
	if (a != POWER_STATUS || rc < 0 || !res.cached)
		pw_event(db, h, power_action_name(a), rc, res.msg);
	if (rc < 0)
		return http_admin_error(c, r, pw_status(rc), res.msg);
	return http_admin_reply(
	    c, r, 200,
	    json_pack("{s:s,s:s,s:s,s:b}", "action", power_action_name(a),
	              "power", power_state_name(res.state), "message", res.msg,
	              "cached", res.cached));
}

/* db_host_modify callback: put action and distro back as they were. */
static int
pw_restore(struct db_host *h, void *ctx)
{
	const struct db_host *before = ctx;

	h->action = before->action;
	str_copy(h->distro, sizeof(h->distro), before->distro);
	return 0;
}

enum MHD_Result
admin_power_reinstall(struct MHD_Connection *c, struct http_req *r,
		      struct db *db, const struct db_host *before)
{
	struct power_target t;
	struct power_result res;
	struct db_power p;
	enum power_action then = POWER_ON;
	struct db_host now;
	char msg[600];
	int rc;

	rc = db_power_get(db, before->id, &p, true);
	if (rc < 0) {
		snprintf(res.msg, sizeof(res.msg), "%s", db_strerror(rc));
		goto fail;
	}
	pw_target(r->l->srv, db, before, &p, &t);
	if (!strcmp(p.method, "ipmi")) {
		rc = power_run(&t, POWER_STATUS, &res);
		if (rc == 0 && res.cached) {
			power_cache_forget(before->id);
			rc = power_run(&t, POWER_STATUS, &res);
		}
		if (rc == 0)
			then = res.state == POWER_IS_OFF ? POWER_ON
							 : POWER_CYCLE;
		if (rc == 0) {
			rc = power_run(&t, POWER_BOOT_PXE, &res);
			pw_event(db, before, "reinstall bootdev pxe", rc,
				 res.msg);
		}
	}
	if (rc == 0) {
		rc = power_run(&t, then, &res);
		pw_event(db, before,
			 then == POWER_ON ? "reinstall on" : "reinstall cycle",
			 rc, res.msg);
	}
	explicit_bzero(&p, sizeof(p));
	if (rc == 0 && db_host_get(db, before->id, &now) == 0)
		return http_admin_reply(
		    c, r, 200,
		    json_pack("{s:s,s:s,s:s,s:s}", "action",
		              db_action_name(now.action), "distro", now.distro,
		              "power_action", power_action_name(then),
		              "message", res.msg));
fail:
	/* The machine will not boot now: leave nothing flagged. */
	if (db_host_modify(db, before->id, pw_restore, (void *)before) == 0)
		snprintf(msg, sizeof(msg),
			 "%s; the install flag was cleared (the host is %s "
			 "again)",
			 res.msg, db_action_name(before->action));
	else
		snprintf(msg, sizeof(msg),
			 "%s; the install flag could NOT be cleared", res.msg);
	db_event_add(db, before->n_macs ? before->macs[0] : "", "power",
		     msg);
	return http_admin_error(c, r, pw_status(rc), msg);
}
