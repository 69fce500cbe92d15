/*
 * admin.c - the admin listener: JSON API (/api/v1/hosts, distros, leases,
 * events), /metrics and /healthz. Every request but /healthz needs
 * "Authorization: Bearer TOKEN" matching the token file (compared in
 * constant time); without a token file everything is refused (401).
 *
 * Distributions: GET list, POST create (the template is checked with
 * tmpl_validate: an unknown variable is refused here, not at boot time),
 * GET / DELETE /api/v1/distros/NAME; POST /api/v1/distros/import and
 * GET /api/v1/imports (admin_import.c).
 *
 * Status codes: 400 malformed JSON or query, 401 no or wrong token,
 * 404 no such host, 405 wrong method, 409 a unique value is taken,
 * 422 well-formed JSON with an invalid value (the CLI's validation:
 * appliance/core/hostcheck.h). A host is shown in the one JSON form of
 * appliance/core/hostjson.h, the CLI's too.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"
#include "common/valid.h"
#include "http/admin_json.h"
#include "http/admin_power.h"
#include "http/console.h"
#include "http/internal.h"
#include "appliance/core/hostjson.h"
#include "appliance/core/query.h"
#include "appliance/core/template.h"

#define JSON "application/json"

/* http_admin_reply - see internal.h. */
enum MHD_Result
http_admin_reply(struct MHD_Connection *c, struct http_req *r, unsigned status,
                 json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);
	size_t len;

	json_decref(j);
	if (!s)
		return MHD_NO;
	len = strlen(s);
	/* jansson allocates with malloc: hand it over. */
	return http_reply_take(c, r, status, JSON, s, len);
}

/* http_admin_error - see internal.h. */
enum MHD_Result
http_admin_error(struct MHD_Connection *c, struct http_req *r, unsigned status,
                 const char *msg)
{
	return http_admin_reply(c, r, status, json_pack("{s:s}", "error", msg));
}

bool
http_secret_eq(const char *have, const char *want)
{
	size_t lh, lw, i;
	unsigned char d;

	if (!have || !want[0])
		return false;
	lh = strlen(have);
	lw = strlen(want);
	d = lh != lw;
	for (i = 0; i < lw; i++)
		d |= (unsigned char)(have[i < lh ? i : 0] ^ want[i]);
	return d == 0;
}

/* The request carries "Authorization: Bearer <admin token>". */
static bool
authorized(struct MHD_Connection *c, struct http_server *srv)
{
	const char *h = MHD_lookup_connection_value(
	    c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);

	if (!h || strncmp(h, "Bearer ", 7) != 0)
		return false;
	return http_secret_eq(h + 7, srv->admin_token);
}

/* ---- JSON <-> host ------------------------------------------------- */

/* The HTTP status for a db_ error of a write. */
static unsigned
db_status(int rc)
{
	switch (rc) {
	case -ENOENT:
		return MHD_HTTP_UNPROCESSABLE_CONTENT; /* a referenced distro */
	case -EEXIST:
		return MHD_HTTP_CONFLICT;
	case -EINVAL:
		return MHD_HTTP_UNPROCESSABLE_CONTENT;
	default:
		return MHD_HTTP_SERVICE_UNAVAILABLE;
	}
}

/* db_host_list callback: append the host to the JSON array ctx. */
static int
collect_host(const struct db_host *h, void *ctx)
{
	return json_array_append_new(ctx, host_json(h)) ? -ENOMEM : 0;
}

/* A change to a stored host, applied by db_host_modify. */
struct admin_change {
	json_t *body;  /* fields to apply (PUT/PATCH) */
	bool replace;  /* PUT: start from an empty record */
	bool local;    /* POST .../local */
	bool invalid;  /* the body failed validation: err says why */
	char err[256];
};

/* db_host_modify callback: apply an admin_change inside the transaction. */
static int
admin_host_change(struct db_host *h, void *ctx)
{
	struct admin_change *m = ctx;

	if (m->local) {
		h->action = DB_ACTION_LOCAL;
		return 0;
	}
	if (m->replace) {
		h->hostname[0] = h->ip[0] = h->distro[0] = '\0';
		h->local_boot[0] = '\0';
		h->n_attrs = 0;
		h->action = DB_ACTION_LOCAL;
	}
	if (http_admin_host_apply(m->body, h, false, m->err, sizeof(m->err)) < 0) {
		m->invalid = true;
		return -ECANCELED;
	}
	return 0;
}

/* Find a host by MAC (any form) or hostname. */
static int
find_host(struct db *db, const char *key, struct db_host *h)
{
	char mac[MAC_STR_LEN];

	if (mac_parse(key, mac) == 0)
		return db_host_find_by_mac(db, mac, h);
	if (valid_hostname(key))
		return db_host_find_by_name(db, key, h);
	return -ENOENT;
}

/* The request body as JSON (new reference), NULL when malformed or
 * absent; duplicate keys are refused. */
static json_t *
parse_body(struct http_req *r)
{
	return http_admin_json_parse(r->body, r->body_len);
}

/* http_admin_object - see internal.h. */
json_t *
http_admin_object(struct MHD_Connection *c, struct http_req *r, bool empty_ok,
                  enum MHD_Result *ret)
{
	json_t *body = !r->body_len && empty_ok ? json_object() : parse_body(r);

	if (!body) {
		*ret = http_admin_error(c, r, 400, "malformed JSON");
		return NULL;
	}
	if (!json_is_object(body)) {
		json_decref(body);
		*ret = http_admin_error(c, r, 422, "body must be an object");
		return NULL;
	}
	return body;
}

/* Answer with the listing arr when rc (the db_*_list result) is 0, else
 * 503; arr is consumed either way. */
static enum MHD_Result
reply_list(struct MHD_Connection *c, struct http_req *r, json_t *arr, int rc)
{
	if (rc < 0) {
		json_decref(arr);
		return http_admin_error(c, r, 503, "database error");
	}
	return http_admin_reply(c, r, 200, arr);
}

/* Answer a failed host write (rc from db_host_*) with its status. */
static enum MHD_Result
reply_host_write_error(struct MHD_Connection *c, struct http_req *r, int rc)
{
	return http_admin_error(c, r, db_status(rc),
	                        rc == -EEXIST   ? "already exists"
	                        : rc == -ENOENT ? "no such distro"
	                                        : db_strerror(rc));
}

/* Answer with host id as stored now; status as given. */
static enum MHD_Result
reply_host(struct MHD_Connection *c, struct http_req *r, struct db *db,
           int64_t id, unsigned status)
{
	struct db_host h;

	if (db_host_get(db, id, &h) < 0)
		return http_admin_error(c, r, 503, "database error");
	return http_admin_reply(c, r, status, host_json(&h));
}

/* Answer a host write that returned rc (db_host_*): its error, else host
 * id as stored now with status. */
static enum MHD_Result
reply_host_written(struct MHD_Connection *c, struct http_req *r, struct db *db,
                   int rc, int64_t id, unsigned status)
{
	if (rc < 0)
		return reply_host_write_error(c, r, rc);
	return reply_host(c, r, db, id, status);
}

/* /api/v1/hosts: GET the list, POST a new host. */
static enum MHD_Result
api_hosts_collection(struct MHD_Connection *c, struct http_req *r,
                     struct db *db, const char *method)
{
	struct db_host h;
	char err[128];
	json_t *body;
	int64_t id = 0;
	int rc;

	if (!strcmp(method, "GET")) {
		json_t *arr = json_array();
		return reply_list(c, r, arr, db_host_list(db, collect_host, arr));
	}
	if (strcmp(method, "POST"))
		return http_admin_error(c, r, 405, "method not allowed");
	body = parse_body(r);
	if (!body)
		return http_admin_error(c, r, 400, "malformed JSON");
	memset(&h, 0, sizeof(h));
	h.action = DB_ACTION_LOCAL;
	rc = http_admin_host_apply(body, &h, true, err, sizeof(err));
	json_decref(body);
	if (rc < 0)
		return http_admin_error(c, r, 422, err);
	rc = db_host_add(db, &h, &id);
	return reply_host_written(c, r, db, rc, id, 201);
}

/*
 * POST /api/v1/hosts/KEY/reinstall with an optional {"distro": NAME}:
 * flag a one-time install with a fresh attempt budget.
 */
static enum MHD_Result
api_host_reinstall(struct MHD_Connection *c, struct http_req *r,
                   struct db *db, const struct db_host *h)
{
	const char *distro = "", *k;
	bool power_cycle = false;
	enum MHD_Result ret;
	json_t *body, *v;
	int rc;

	body = http_admin_object(c, r, true, &ret);
	if (!body)
		return ret;
	json_object_foreach(body, k, v)
	{
		if (!strcmp(k, "power_cycle") && json_is_boolean(v)) {
			power_cycle = json_is_true(v);
			continue;
		}
		if (strcmp(k, "distro") || !json_is_string(v) ||
		    !valid_name(json_string_value(v))) {
			json_decref(body);
			return http_admin_error(
			    c, r, 422,
			    "reinstall takes only {\"distro\": "
			    "NAME, \"power_cycle\": BOOL}");
		}
		distro = json_string_value(v);
	}
	/* A fresh attempt budget, even when flagged already. */
	rc = db_host_reinstall(db, h->id, distro);
	json_decref(body);
	if (rc == -EINVAL)
		return http_admin_error(c, r, 422,
		                        "the host has no distro: name one");
	if (rc < 0)
		return reply_host_write_error(c, r, rc);
	if (power_cycle) /* unflags again when the power action fails */
		return admin_power_reinstall(c, r, db, h);
	return reply_host(c, r, db, h->id, 200);
}

/* POST /api/v1/hosts/KEY/ACTION (sub is "/ACTION"): reinstall, local. */
static enum MHD_Result
api_host_action(struct MHD_Connection *c, struct http_req *r, struct db *db,
                const char *method, const struct db_host *h, const char *sub)
{
	struct admin_change m = { .local = true };
	int rc;

	if (strcmp(method, "POST"))
		return http_admin_error(c, r, 405, "method not allowed");
	if (!strcmp(sub, "/reinstall"))
		return api_host_reinstall(c, r, db, h);
	if (strcmp(sub, "/local"))
		return http_admin_error(c, r, 404, "no such action");
	rc = db_host_modify(db, h->id, admin_host_change, &m);
	return reply_host_written(c, r, db, rc, h->id, 200);
}

/* PUT (replace) or PATCH (merge) /api/v1/hosts/KEY with a JSON body. */
static enum MHD_Result
api_host_change(struct MHD_Connection *c, struct http_req *r, struct db *db,
                const char *method, const struct db_host *h)
{
	struct admin_change m = { .replace = !strcmp(method, "PUT") };
	int rc;

	m.body = parse_body(r);
	if (!m.body)
		return http_admin_error(c, r, 400, "malformed JSON");
	/* Read, change and write in one transaction: a concurrent CLI
	 * change or installer callback is never lost. */
	rc = db_host_modify(db, h->id, admin_host_change, &m);
	json_decref(m.body);
	if (m.invalid)
		return http_admin_error(c, r, 422, m.err);
	return reply_host_written(c, r, db, rc, h->id, 200);
}

/*
 * /api/v1/hosts[/KEY[/reinstall|/local]]: KEY is any MAC form or a
 * hostname; rest is what follows "/api/v1/hosts/" ("" = collection).
 */
static enum MHD_Result
api_hosts(struct MHD_Connection *c, struct http_req *r, struct db *db,
          const char *method, const char *rest)
{
	char key[HOSTNAME_MAX + 1];
	struct db_host h;
	const char *sub;
	size_t klen;
	int rc;

	if (!*rest)
		return api_hosts_collection(c, r, db, method);
	sub = strchr(rest, '/');
	klen = sub ? (size_t)(sub - rest) : strlen(rest);
	if (klen == 0 || klen >= sizeof(key))
		return http_admin_error(c, r, 404, "no such host");
	memcpy(key, rest, klen);
	key[klen] = '\0';
	rc = find_host(db, key, &h);
	if (rc == -ENOENT)
		return http_admin_error(c, r, 404, "no such host");
	if (rc < 0)
		return http_admin_error(c, r, 503, "database error");
	if (sub && !strcmp(sub, "/power"))
		return admin_power(c, r, db, method, &h);
	if (sub)
		return api_host_action(c, r, db, method, &h, sub);
	if (!strcmp(method, "GET")) {
		json_t *j = host_json(&h);

		json_object_set_new(j, "power", admin_power_json(db, &h));
		return http_admin_reply(c, r, 200, j);
	}
	if (!strcmp(method, "DELETE")) {
		rc = db_host_delete(db, h.id);
		if (rc < 0)
			return http_admin_error(c, r, 503, db_strerror(rc));
		return http_admin_reply(c, r, 200,
		                        json_pack("{s:b}", "deleted", 1));
	}
	if (!strcmp(method, "PUT") || !strcmp(method, "PATCH"))
		return api_host_change(c, r, db, method, &h);
	return http_admin_error(c, r, 405, "method not allowed");
}

/* db_distro_list callback: append d (without template) to ctx. */
static int
collect_distro(const struct db_distro *d, void *ctx)
{
	/* kernel, initrd: the amd64 kernel's, as before there were
	 * several (null without one); kernels: every architecture's */
	const struct db_distro_kernel *x86 = db_distro_kernel(d, "amd64");
	json_t *kernels = json_object();
	json_t *j;
	size_t i;

	for (i = 0; kernels && i < d->n_kernels; i++)
		json_object_set_new(
		    kernels, d->kernels[i].arch,
		    json_pack("{s:o,s:o}", "kernel",
		              json_text(d->kernels[i].kernel), "initrd",
		              json_text(d->kernels[i].initrd)));
	j = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:I,s:I}", "name",
	              json_text(d->name), "kernel",
	              x86 ? json_text(x86->kernel) : json_null(), "initrd",
	              x86 ? json_text(x86->initrd) : json_null(), "kernels",
	              kernels ? kernels : json_object(), "cmdline",
	              json_text(d->cmdline), "template_name",
	              json_text(d->template_name), "created",
	              (json_int_t)d->created, "updated", (json_int_t)d->updated);

	return json_array_append_new(ctx, j) ? -ENOMEM : 0;
}

/* db_lease_list callback: append l to the JSON array ctx. */
static int
collect_lease(const struct db_lease *l, void *ctx)
{
	json_t *j = json_pack(
	    "{s:o,s:o,s:o,s:o,s:i,s:o,s:o,s:o,s:I,s:I,s:I,s:b}", "mac",
	    json_text(l->mac), "ip", json_text(l->ip), "ip6", json_text(l->ip6),
	    "hostname", json_text(l->hostname),
	    "arch", l->arch, "vendor_class", json_text(l->vendor_class),
	    "user_class", json_text(l->user_class), "state", json_text(l->state),
	    "expires", (json_int_t)l->expires, "first_seen",
	    (json_int_t)l->first_seen, "last_seen", (json_int_t)l->last_seen,
	    "known", l->known);

	return json_array_append_new(ctx, j) ? -ENOMEM : 0;
}

/* db_event_list callback: append e to the JSON array ctx. */
static int
collect_event(const struct db_event *e, void *ctx)
{
	json_t *j =
	    json_pack("{s:I,s:I,s:o,s:o,s:o,s:o}", "id", (json_int_t)e->id,
	              "ts_ms", (json_int_t)e->ts_ms, "mac", json_text(e->mac),
	              "kind", json_text(e->kind), "detail", json_text(e->detail),
	              "appliance", json_text(e->appliance));

	return json_array_append_new(ctx, j) ? -ENOMEM : 0;
}

/* /api/v1/distros[/NAME]: list, create, show, delete. */
static enum MHD_Result
api_distros(struct MHD_Connection *c, struct http_req *r, struct db *db,
            const char *method, const char *name)
{
	struct db_distro d;
	char err[256];
	json_t *body, *arr;
	int rc;

	if (!*name) {
		if (!strcmp(method, "GET") || !strcmp(method, "HEAD")) {
			arr = json_array();
			return reply_list(c, r, arr,
			                  db_distro_list(db, collect_distro, arr));
		}
		if (strcmp(method, "POST"))
			return http_admin_error(c, r, 405,
			                        "method not allowed");
		body = parse_body(r);
		if (!body)
			return http_admin_error(c, r, 400, "malformed JSON");
		memset(&d, 0, sizeof(d));
		rc = http_admin_distro_apply(body, &d, err, sizeof(err));
		if (rc == 0)
			rc = db_distro_add(db, &d);
		else
			rc = -EDOM;
		json_decref(body); /* d.template_text pointed into it */
		if (rc == -EDOM)
			return http_admin_error(c, r, 422, err);
		if (rc == -EEXIST)
			return http_admin_error(c, r, 409, "already exists");
		if (rc < 0)
			return http_admin_error(c, r, db_status(rc),
			                        db_strerror(rc));
		name = d.name;
		if (db_distro_get(db, name, &d) < 0)
			return http_admin_error(c, r, 503, "database error");
		arr = json_array();
		collect_distro(&d, arr);
		db_distro_free(&d);
		body = json_incref(json_array_get(arr, 0));
		json_decref(arr);
		return http_admin_reply(c, r, 201, body);
	}
	if (!valid_name(name))
		return http_admin_error(c, r, 404, "no such distro");
	if (!strcmp(method, "GET") || !strcmp(method, "HEAD")) {
		rc = db_distro_get(db, name, &d);
		if (rc == -ENOENT)
			return http_admin_error(c, r, 404, "no such distro");
		if (rc < 0)
			return http_admin_error(c, r, 503, "database error");
		arr = json_array();
		collect_distro(&d, arr);
		body = json_incref(json_array_get(arr, 0));
		json_decref(arr);
		if (body && d.template_text)
			json_object_set_new(body, "template",
			                    json_text(d.template_text));
		db_distro_free(&d);
		return http_admin_reply(c, r, 200, body);
	}
	if (!strcmp(method, "DELETE")) {
		rc = db_distro_delete(db, name);
		if (rc == -ENOENT)
			return http_admin_error(c, r, 404, "no such distro");
		if (rc == -ENOTEMPTY)
			return http_admin_error(c, r, 409,
			                        "hosts still use it");
		if (rc < 0)
			return http_admin_error(c, r, 503, db_strerror(rc));
		return http_admin_reply(c, r, 200,
		                        json_pack("{s:b}", "deleted", 1));
	}
	return http_admin_error(c, r, 405, "method not allowed");
}

/* GET /api/v1/leases[?unknown=1] and /api/v1/events[?mac=&limit=]. */
static enum MHD_Result
api_list(struct MHD_Connection *c, struct http_req *r, struct db *db,
         const char *what)
{
	struct http_kv kv[HTTP_QUERY_PARAMS];
	char buf[HTTP_QUERY_MAX + 2 * HTTP_QUERY_PARAMS + 2];
	char mac[MAC_STR_LEN];
	json_t *arr = json_array();
	const char *v;
	size_t n;
	int rc;

	if (http_query_split(r->query, kv, ARRAY_SIZE(kv), &n, buf,
	                     sizeof(buf)) < 0) {
		json_decref(arr);
		return http_admin_error(c, r, 400, "malformed query");
	}
	/* Show what the boot path queued before this request. */
	evq_flush(r->l->srv->evq, 2000);
	if (!strcmp(what, "leases")) {
		v = http_query_get(kv, n, "unknown");
		rc =
		    db_lease_list(db, v && !strcmp(v, "1"), collect_lease, arr);
	} else {
		unsigned long long limit = 0;

		v = http_query_get(kv, n, "mac");
		if (v && mac_parse(v, mac) < 0) {
			json_decref(arr);
			return http_admin_error(c, r, 400, "malformed mac");
		}
		if (http_query_get(kv, n, "limit") &&
		    parse_uint(http_query_get(kv, n, "limit"), 0, 100000,
		               &limit) < 0) {
			json_decref(arr);
			return http_admin_error(c, r, 400, "malformed limit");
		}
		rc = db_event_list(db, v ? mac : NULL, (unsigned)limit,
		                   collect_event, arr);
	}
	return reply_list(c, r, arr, rc);
}

/*
 * The database server is unavailable and known hosts are answered from
 * the read cache (db_set_cache): 0 and *synced (when it was written).
 * A thread without a connection (none could be opened) looks at the
 * file. -ENOENT when not so.
 */
static int
cache_serving(struct http_server *srv, struct db *db, int64_t *synced)
{
	struct stat st;

	if (db)
		return db_cache_synced(db, synced);
	if (!srv->cache_path[0] || stat(srv->cache_path, &st) < 0 ||
	    access(srv->cache_path, R_OK) < 0)
		return -ENOENT;
	*synced = (int64_t)st.st_mtime;
	return 0;
}

/*
 * /healthz with the database unavailable: 503 (installs cannot start,
 * nothing can be recorded but in memory); the body says whether known
 * hosts are answered from the read cache, and how old it is.
 */
static enum MHD_Result
healthz_down(struct MHD_Connection *c, struct http_req *r, struct db *db)
{
	char body[160];
	int64_t synced;
	int n;

	if (cache_serving(r->l->srv, db, &synced) < 0)
		return http_reply(c, r, 503, "text/plain",
		                  "database unavailable\n", 21);
	n = snprintf(body, sizeof(body),
	             "database unavailable: serving from the read cache "
	             "(synced %lld s ago)\n",
	             (long long)(time(NULL) - synced));
	return http_reply(c, r, 503, "text/plain", body,
	                  n > 0 && (size_t)n < sizeof(body) ? (size_t)n : 0);
}

enum MHD_Result
http_admin(struct MHD_Connection *c, struct http_req *r, const char *method)
{
	struct http_server *srv = r->l->srv;
	bool get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
	struct db *db;

	if (!strcmp(r->path, "/healthz")) {
		r->ep = EP_HEALTHZ;
		if (!get)
			return http_admin_error(c, r, 405,
			                        "method not allowed");
		db = http_db(srv);
		metrics_set_db_up(db && db_ping(db) == 0);
		if (!db || db_ping(db) < 0)
			return healthz_down(c, r, db);
		return http_reply(c, r, 200, "text/plain", "ok\n", 3);
	}
	if (http_console_path(r->path)) /* signs in by itself */
		return http_console(c, r, method);
	if (!strcmp(r->path, "/metrics"))
		r->ep = EP_METRICS;
	else
		r->ep = EP_API;
	if (!authorized(c, srv) && !http_console_authorized(c, method))
		return http_admin_error(c, r, 401, "unauthorized");
	if (r->ep == EP_METRICS) {
		char *text;
		size_t len;

		if (!get)
			return http_admin_error(c, r, 405,
			                        "method not allowed");
		db = http_db(srv);
		metrics_set_db_up(db && db_ping(db) == 0);
		{
			int64_t synced;

			metrics_set_db_cache(
			    cache_serving(srv, db, &synced) == 0);
		}
		if (metrics_render(&text, &len) < 0)
			return MHD_NO;
		return http_reply_take(c, r, 200, "text/plain; version=0.0.4",
		                       text, len);
	}
	if (!str_has_prefix(r->path, "/api/v1/"))
		return http_admin_error(c, r, 404, "not found");
	db = http_db(srv);
	if (!db)
		return http_admin_error(c, r, 503, "database unavailable");
	{
		bool handled;
		enum MHD_Result ret = http_console_api(c, r, db, method,
		                                       &handled);
		if (handled)
			return ret;
	}
	if (!strcmp(r->path, "/api/v1/hosts"))
		return api_hosts(c, r, db, method, "");
	if (str_has_prefix(r->path, "/api/v1/hosts/"))
		return api_hosts(c, r, db, method,
		                 r->path + strlen("/api/v1/hosts/"));
	if (!strcmp(r->path, "/api/v1/distros/import") &&
	    !strcmp(method, "POST"))
		return admin_import_post(c, r, db);
	if (!strcmp(r->path, "/api/v1/imports"))
		return admin_import_get(c, r, method);
	if (!strcmp(r->path, "/api/v1/distros"))
		return api_distros(c, r, db, method, "");
	if (str_has_prefix(r->path, "/api/v1/distros/"))
		return api_distros(c, r, db, method,
		                   r->path + strlen("/api/v1/distros/"));
	if (!strcmp(r->path, "/api/v1/leases") ||
	    !strcmp(r->path, "/api/v1/events")) {
		if (!get)
			return http_admin_error(c, r, 405,
			                        "method not allowed");
		return api_list(c, r, db, r->path + strlen("/api/v1/"));
	}
	return http_admin_error(c, r, 404, "not found");
}
