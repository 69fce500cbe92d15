/*
 * server.c - the libmicrohttpd service (see http.h): listeners, the
 * request life cycle (context, body, access log, metrics), and the boot
 * endpoints: /ipxe/v1/boot, /ipxe/v1/config, /ipxe/v1/install/TOKEN/NAME,
 * /ipxe/v1/done. Static files are in files.c, the admin API in admin.c.
 *
 * Every worker thread has its own database connection (thread-specific,
 * opened on first use, closed when the thread ends), so the boot path
 * takes no lock of ours; SQLite serialises writers itself.
 */
#include "http/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pwd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/sanitize.h"
#include "common/util.h"
#include "common/valid.h"
#include "appliance/core/boot.h"
#include "appliance/core/bootscript.h"
#include "appliance/core/decide.h"
#include "http/internal.h"
#include "appliance/core/query.h"
#include "appliance/core/render_ipxe.h"
#include "appliance/core/template.h"

static pthread_key_t db_key;
static pthread_once_t db_key_once = PTHREAD_ONCE_INIT;

/* Thread exit: close that worker's database connection. */
static void
db_key_destroy(void *p)
{
	db_close(p);
}

/* Create the thread-specific key for worker connections (once). */
static void
db_key_make(void)
{
	pthread_key_create(&db_key, db_key_destroy);
}

/* Set in the boot listeners' worker threads (http_db_boot_thread). */
static __thread bool boot_thread;

void
http_db_boot_thread(void)
{
	boot_thread = true;
}

struct db *
http_db(struct http_server *srv)
{
	struct db *db = pthread_getspecific(db_key);

	if (db)
		return db;
	/* the boot path never waits long for a lock: a request that cannot
	 * read or write in time is told to retry (busy_reply) */
	if (db_open(srv->db_path,
	            DB_OPEN_READ_OFTEN | (boot_thread ? DB_OPEN_SHORT_WAIT : 0),
	            &db) < 0)
		return NULL;
	/* PostgreSQL unavailable: known hosts answered from the read cache */
	if (srv->cache_path[0])
		db_set_cache(db, srv->cache_path);
	pthread_setspecific(db_key, db);
	return db;
}

/* Monotonic time in microseconds, for request durations. */
static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* ---- responses ------------------------------------------------------ */

static enum MHD_Result
queue(struct MHD_Connection *c, struct http_req *r, unsigned status,
      const char *type, struct MHD_Response *resp, size_t len)
{
	if (!resp)
		return MHD_NO;
	if (type)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
		                        type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	                        "no-store");
	if (status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
		                        "Bearer realm=\"bootyard\"");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW,
		                        "GET, HEAD, POST");
	return http_queue_sent(c, r, status, resp, len);
}

enum MHD_Result
http_queue_sent(struct MHD_Connection *c, struct http_req *r, unsigned status,
                struct MHD_Response *resp, size_t len)
{
	enum MHD_Result ret = MHD_queue_response(c, status, resp);

	MHD_destroy_response(resp);
	r->status = status;
	r->bytes = len;
	r->answered = true;
	return ret;
}

enum MHD_Result
http_reply(struct MHD_Connection *c, struct http_req *r, unsigned status,
           const char *type, const char *body, size_t len)
{
	return queue(c, r, status, type,
	             MHD_create_response_from_buffer(len, (void *)body,
	                                             MHD_RESPMEM_MUST_COPY),
	             len);
}

enum MHD_Result
http_reply_take(struct MHD_Connection *c, struct http_req *r, unsigned status,
                const char *type, char *body, size_t len)
{
	struct MHD_Response *resp;

	resp =
	    MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(body);
		return MHD_NO;
	}
	return queue(c, r, status, type, resp, len);
}

#define TEXT "text/plain; charset=utf-8"

/* An error answer to an iPXE client: a script that says why and boots
 * locally, so nothing in it comes from the request. */
static enum MHD_Result
ipxe_error(struct MHD_Connection *c, struct http_req *r, unsigned status,
           const char *msg)
{
	char buf[512];
	int n = ipxe_render_error(msg, buf, sizeof(buf));

	if (n < 0)
		n = 0;
	return http_reply(c, r, status, TEXT, buf, (size_t)n);
}

/*
 * The database stayed locked past the boot path's short wait (a writer
 * elsewhere, the CLI or an admin request, holds it): 503, counted. The
 * boot script fetches the config again (IPXE_FETCH_TRIES, 2 s apart),
 * then boots the local disk; an installer retries install and done.
 */
static enum MHD_Result
busy_reply(struct MHD_Connection *c, struct http_req *r, bool script)
{
	metrics_inc_db_busy();
	r->decision = "busy";
	if (script)
		return ipxe_error(c, r, MHD_HTTP_SERVICE_UNAVAILABLE,
		                  "database busy, retry");
	return http_reply(c, r, MHD_HTTP_SERVICE_UNAVAILABLE, TEXT,
	                  "database busy, retry\n", 21);
}

/*
 * The database server is unavailable and the answer needs a write (an
 * install token: issued, or a menu choice's one-boot token): 503 with a
 * script that says so. The boot script fetches the config again
 * (IPXE_FETCH_TRIES, 2 s apart), then boots the local disk: a flagged
 * host installs at a later boot, once the database is back; never with
 * a token nobody recorded. Its config event is queued like any other.
 */
static enum MHD_Result
unavailable_reply(struct MHD_Connection *c, struct http_req *r,
                  struct http_server *srv, const char *mac, bool record)
{
	r->decision = "unavailable";
	if (record)
		evq_event(srv->evq, mac, "config",
		          "unavailable: database down, install needs it; retry");
	return ipxe_error(c, r, MHD_HTTP_SERVICE_UNAVAILABLE,
	                  "database unavailable, retry");
}

/* ---- boot endpoints ------------------------------------------------- */

_Static_assert(DB_MENU_DISTROS <= DECIDE_MENU_DISTROS,
               "a menu holds every distribution name the database gives");

/*
 * The names of the distributions, for menus: read at most once a second
 * per worker thread (a new distribution shows up in menus within 1 s).
 */
static const struct db_distro_names *
distro_names(struct db *db)
{
	static __thread struct db_distro_names cache;
	static __thread uint64_t loaded_us;
	uint64_t now = now_us();

	if (loaded_us && now - loaded_us < 1000000)
		return &cache;
	if (db_distro_names(db, &cache) == 0)
		loaded_us = now;
	return &cache;
}

/* Is the client's address (IPv4, an IPv4-mapped one as IPv4, or IPv6:
 * addr_from_sockaddr, the text db_lease_holder compares) leased to the
 * host (or unknown MAC) the request names? Any doubt (no lease, no
 * address, a database error) is NOT_LEASED: the request then changes
 * nothing. */
static enum decide_addr
peer_leased(struct MHD_Connection *c, struct db *db,
            const struct boot_request *req, const struct db_host *host)
{
	const union MHD_ConnectionInfo *ci;
	char ip[ADDR_STRLEN], holder[MAC_STR_LEN];

	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!ci || addr_from_sockaddr(ci->client_addr, ip) < 0 ||
	    db_lease_holder(db, ip, holder) < 0)
		return DECIDE_ADDR_NOT_LEASED;
	return decide_addr_check(req, host, holder);
}

/*
 * An unknown MAC asked: refresh its lease row ("seen"), or add one if
 * the client's address may still add new unknown MACs this minute
 * ([boot] unknown_rate); otherwise it is only counted, and false says
 * to store nothing about it (not even its config event: a flood of
 * invented MACs must not push real hosts' events out either). One read
 * on the unknown path; known hosts never come here.
 */
static bool
unknown_seen(struct http_server *srv, struct db *db, struct MHD_Connection *c,
             const struct boot_request *req)
{
	const union MHD_ConnectionInfo *ci;
	struct db_lease l;

	if (db_lease_get(db, req->mac, &l) != 0) {
		ci = MHD_get_connection_info(
		    c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		if (!unknown_limit_take(srv->unknown,
		                        ci ? ci->client_addr : NULL, req->mac,
		                        mono_ms() / 1000)) {
			metrics_inc_unknown_unrecorded();
			return false;
		}
	}
	evq_lease_seen(srv->evq, req->mac, req->arch);
	return true;
}

/*
 * The boot core's answer to req (boot.h): look the request's address up
 * when the answer depends on it, apply the change of state it makes.
 * 0 with *ret final (its decision points into *applied: free it after
 * rendering), -EBUSY (the database stayed locked), or -EINVAL (no
 * decision).
 */
static int
config_answer(struct MHD_Connection *c, struct db *db, struct boot_input *in,
              struct db_host *host, struct boot_applied *applied,
              struct boot_answer *ret)
{
	int rc;

	rc = boot_decide(in, ret);
	if (rc == 0 && ret->need_address) {
		in->addr = peer_leased(c, db, in->req, in->host);
		rc = boot_decide(in, ret);
	}
	if (rc < 0 || !ret->need_apply)
		return rc;
	rc = boot_apply(db, ret, host, applied);
	if (rc < 0) {
		boot_applied_free(applied);
		return rc;
	}
	in->applied = applied;
	return boot_decide(in, ret);
}

/*
 * The boot URLs of a request on a base_local listener (IPv6): the
 * address the client connected to, which it can reach, and the port.
 * Left "" (the listener's base_url) when it cannot be read.
 */
static void
req_local_base(struct http_req *r, struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char addr[ADDR_STRLEN];
	unsigned port;

	if (!ci || getsockname(ci->connect_fd, (struct sockaddr *)&ss, &len) < 0 ||
	    ss.ss_family != AF_INET6 ||
	    addr_from_sockaddr((struct sockaddr *)&ss, addr) < 0 ||
	    !valid_ipv6(addr))
		return;
	port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	if (IN6_IS_ADDR_LINKLOCAL(&((struct sockaddr_in6 *)&ss)->sin6_addr))
		return; /* needs a zone: no URL for it */
	str_printf(r->base_url, sizeof(r->base_url),
	           port == 80 ? "http://[%s]" : "http://[%s]:%u", addr, port);
}

/* The base of the boot URLs given out in answer to r. */
static const char *
req_base_url(const struct http_req *r)
{
	return r->base_url[0] ? r->base_url : r->l->base_url;
}


/*
 * GET /ipxe/v1/config: parse, look the host up, ask the boot core
 * (config_answer: in dhcp mode a change of state only from the host's
 * leased address; a token for a flagged install, a one-boot token for a
 * menu choice), render, queue the event. A malformed request gets 400
 * with a script that boots locally; a change it may not make, 403 with
 * one.
 */
static enum MHD_Result
serve_config(struct MHD_Connection *c, struct http_req *r)
{
	struct http_server *srv = r->l->srv;
	struct boot_request req;
	struct db_host host;
	struct decide_policy pol;
	struct boot_input in;
	struct boot_applied applied;
	struct boot_answer ans;
	const struct decision *d = &ans.decision;
	const struct db_distro_names *names = NULL;
	char err[128], desc[256];
	bool known, record = true;
	char *script = NULL;
	size_t len;
	struct db *db;
	int rc;

	if (boot_request_parse(r->query, &req, err, sizeof(err)) < 0)
		return ipxe_error(c, r, MHD_HTTP_BAD_REQUEST, err);
	db = http_db(srv);
	if (!db)
		return ipxe_error(c, r, MHD_HTTP_SERVICE_UNAVAILABLE,
		                  "database unavailable");
	rc = db_host_find_by_mac(db, req.mac, &host);
	if (rc == -EBUSY)
		return busy_reply(c, r, true);
	if (rc < 0 && rc != -ENOENT)
		return ipxe_error(c, r, MHD_HTTP_SERVICE_UNAVAILABLE,
		                  "database error");
	known = rc == 0;
	if (!known)
		record = unknown_seen(srv, db, c, &req);

	/* the menu's distributions, unless the answer cannot be a menu */
	if (req.choice != BOOT_CHOICE_LOCAL &&
	    req.choice != BOOT_CHOICE_SHELL &&
	    req.choice != BOOT_CHOICE_MEMTEST &&
	    !(known && host.action == DB_ACTION_LOCAL &&
	      req.choice == BOOT_CHOICE_NONE))
		names = distro_names(db);
	boot_policy(srv->cfg, req_base_url(r), names, &pol);

	memset(&in, 0, sizeof(in));
	memset(&applied, 0, sizeof(applied));
	in.event = BOOT_ASK;
	in.req = &req;
	in.host = known ? &host : NULL;
	in.policy = &pol;
	in.unrecorded = !record;
	rc = config_answer(c, db, &in, &host, &applied, &ans);
	if (rc == -EBUSY)
		return busy_reply(c, r, true);
	if (applied.rc < 0 && db_cache_synced(db, NULL) == 0) {
		/* answered from the read cache, and the answer needed a write
		 * (a token): nothing is faked; the client retries */
		boot_applied_free(&applied);
		return unavailable_reply(c, r, srv, req.mac, record);
	}
	if (rc == 0)
		rc = ipxe_render(d, &script, &len);
	if (rc < 0) {
		boot_applied_free(&applied);
		if (record)
			evq_event(srv->evq, req.mac, "config",
			          "error: no decision");
		r->decision = "error";
		return http_reply(c, r, MHD_HTTP_OK, TEXT,
		                  ipxe_render_local_fallback(),
		                  strlen(ipxe_render_local_fallback()));
	}
	decision_describe(d, desc, sizeof(desc));
	boot_applied_free(&applied);
	if (record)
		evq_event(srv->evq, req.mac, "config", desc);
	r->decision = d->refused ? "refused" : decision_kind_name(d->kind);
	/* refused: iPXE retries the fetch (a lease the hook has not recorded
	 * yet), then boots the local disk; the body says the same */
	return http_reply_take(c, r,
	                       d->refused ? MHD_HTTP_FORBIDDEN : MHD_HTTP_OK,
	                       TEXT, script, len);
}

/*
 * GET /ipxe/v1/install/TOKEN/NAME: the host's install file rendered from
 * its distribution's template. 404 unknown, 410 used token.
 */
static enum MHD_Result
serve_install(struct MHD_Connection *c, struct http_req *r)
{
	struct http_server *srv = r->l->srv;
	const char *rest = r->path + strlen("/ipxe/v1/install/");
	char token[TOKEN_LEN + 1], detail[128];
	const char *name;
	struct tmpl_var vars[TMPL_HOST_VARS];
	struct db_host host;
	struct db_distro distro;
	char *out = NULL;
	size_t n, len;
	struct db *db;
	int rc;

	name = strchr(rest, '/');
	if (!name || (size_t)(name - rest) != TOKEN_LEN)
		return http_reply(c, r, MHD_HTTP_NOT_FOUND, TEXT, "not found\n",
		                  10);
	memcpy(token, rest, TOKEN_LEN);
	token[TOKEN_LEN] = '\0';
	name++;
	if (!valid_token(token) || !valid_name(name))
		return http_reply(c, r, MHD_HTTP_NOT_FOUND, TEXT, "not found\n",
		                  10);
	db = http_db(srv);
	if (!db)
		return http_reply(c, r, MHD_HTTP_SERVICE_UNAVAILABLE, TEXT,
		                  "database unavailable\n", 21);
	rc = db_install_lookup(db, token, &host);
	if (rc == -EBUSY)
		return busy_reply(c, r, false);
	if (rc == -ESTALE)
		return http_reply(c, r, MHD_HTTP_GONE, TEXT,
		                  "token already used\n", 19);
	if (rc < 0 && rc != -ENOENT) /* the database server is down: retry */
		return http_reply(c, r, MHD_HTTP_SERVICE_UNAVAILABLE, TEXT,
		                  "database unavailable\n", 21);
	if (rc < 0)
		return http_reply(c, r, MHD_HTTP_NOT_FOUND, TEXT, "not found\n",
		                  10);
	rc = db_distro_get(db, host.distro, &distro);
	if (rc == -EBUSY)
		return busy_reply(c, r, false);
	if (rc < 0)
		return http_reply(c, r, MHD_HTTP_NOT_FOUND, TEXT, "not found\n",
		                  10);
	if (strcmp(distro.template_name, name) != 0 || !distro.template_text) {
		db_distro_free(&distro);
		return http_reply(c, r, MHD_HTTP_NOT_FOUND, TEXT, "not found\n",
		                  10);
	}
	rc = tmpl_host_vars(&host, host.macs[0], req_base_url(r), token, &distro,
	                    vars, ARRAY_SIZE(vars), &n);
	if (rc == 0)
		rc = tmpl_render(distro.template_text, vars, n, &out, &len);
	db_distro_free(&distro);
	if (rc < 0)
		return http_reply(c, r, MHD_HTTP_INTERNAL_SERVER_ERROR, TEXT,
		                  "template error\n", 15);
	snprintf(detail, sizeof(detail), "%s", name);
	evq_event(srv->evq, host.macs[0], "install-fetch", detail);
	return http_reply_take(c, r, MHD_HTTP_OK, TEXT, out, len);
}

/*
 * GET|POST /ipxe/v1/done?token=T (or a form body token=T): end the
 * install. 400 malformed, 404 unknown, 410 already used.
 */
static enum MHD_Result
serve_done(struct MHD_Connection *c, struct http_req *r)
{
	struct http_kv kv[HTTP_QUERY_PARAMS];
	char buf[HTTP_QUERY_MAX + 2 * HTTP_QUERY_PARAMS + 2];
	const char *token = NULL;
	struct boot_input in;
	struct boot_answer ans;
	struct boot_applied applied;
	struct db_host host;
	struct db *db;
	size_t n;
	int rc;

	if (http_query_split(r->query, kv, ARRAY_SIZE(kv), &n, buf,
	                     sizeof(buf)) == 0)
		token = http_query_get(kv, n, "token");
	/* A form body (token=...) is accepted too. */
	if (!token && r->body && r->body_len &&
	    http_query_split(r->body, kv, ARRAY_SIZE(kv), &n, buf,
	                     sizeof(buf)) == 0)
		token = http_query_get(kv, n, "token");
	if (!token || !valid_token(token))
		return http_reply(c, r, MHD_HTTP_BAD_REQUEST, TEXT,
		                  "missing or malformed token\n", 27);
	db = http_db(r->l->srv);
	if (!db)
		return http_reply(c, r, MHD_HTTP_SERVICE_UNAVAILABLE, TEXT,
		                  "database unavailable\n", 21);
	/* the boot core ends the install (BOOT_CHANGE_DONE) */
	memset(&in, 0, sizeof(in));
	memset(&applied, 0, sizeof(applied));
	in.event = BOOT_DONE;
	in.token = token;
	rc = boot_decide(&in, &ans);
	if (rc == 0 && ans.need_apply)
		rc = boot_apply(db, &ans, &host, &applied);
	if (rc == 0)
		rc = applied.rc;
	if (rc == -EBUSY)
		return busy_reply(c, r, false);
	if (rc == -ENOENT)
		return http_reply(c, r, MHD_HTTP_NOT_FOUND, TEXT,
		                  "unknown token\n", 14);
	if (rc == -ESTALE)
		return http_reply(c, r, MHD_HTTP_GONE, TEXT,
		                  "token already used\n", 19);
	if (rc < 0)
		return http_reply(c, r, MHD_HTTP_SERVICE_UNAVAILABLE, TEXT,
		                  "database error\n", 15);
	return http_reply(c, r, MHD_HTTP_OK, TEXT, "ok\n", 3);
}

/* GET|HEAD /ipxe/v1/boot: the boot script, for this listener's base URL. */
static enum MHD_Result
serve_boot(struct MHD_Connection *c, struct http_req *r)
{
	char buf[2048];
	int n = ipxe_render_boot_script(req_base_url(r), buf, sizeof(buf));

	if (n < 0)
		return http_reply(c, r, 500, TEXT, "error\n", 6);
	return http_reply(c, r, MHD_HTTP_OK, TEXT, buf, (size_t)n);
}

/* GET|HEAD /files/...: the files directory (files.c). The route let only
 * GET and HEAD through, which r->method holds whole. */
static enum MHD_Result
serve_files(struct MHD_Connection *c, struct http_req *r)
{
	return http_files(c, r, r->method);
}

enum { BOOT_GET = 1, BOOT_HEAD = 2, BOOT_POST = 4 };

/* The boot listener's endpoints: a path (a prefix where it ends in '/'),
 * its metrics endpoint, the methods it answers and its handler. A new
 * endpoint is a row. */
static const struct boot_route {
	const char *path;
	enum metrics_endpoint ep;
	unsigned methods;
	enum MHD_Result (*serve)(struct MHD_Connection *c, struct http_req *r);
} boot_routes[] = {
    {"/ipxe/v1/boot", EP_BOOT, BOOT_GET | BOOT_HEAD, serve_boot},
    /* Not HEAD: serving an install script spends an attempt and issues
     * a token, which a HEAD must not do. */
    {"/ipxe/v1/config", EP_CONFIG, BOOT_GET, serve_config},
    {"/ipxe/v1/install/", EP_INSTALL, BOOT_GET | BOOT_HEAD, serve_install},
    /* Not HEAD: done ends the install. */
    {"/ipxe/v1/done", EP_DONE, BOOT_GET | BOOT_POST, serve_done},
    {"/files/", EP_FILES, BOOT_GET | BOOT_HEAD, serve_files},
};

/* boot_method - the BOOT_* bit of a request method, 0 for any other. */
static unsigned
boot_method(const char *m)
{
	if (strcmp(m, "GET") == 0)
		return BOOT_GET;
	if (strcmp(m, "HEAD") == 0)
		return BOOT_HEAD;
	return strcmp(m, "POST") == 0 ? BOOT_POST : 0;
}

/* boot_route_find - the route of path, or NULL. */
static const struct boot_route *
boot_route_find(const char *path)
{
	const struct boot_route *rt;

	for (rt = boot_routes; rt < boot_routes + ARRAY_SIZE(boot_routes);
	     rt++) {
		size_t n = strlen(rt->path);

		if (rt->path[n - 1] == '/' ? str_has_prefix(path, rt->path)
		                           : strcmp(path, rt->path) == 0)
			return rt;
	}
	return NULL;
}

/* Route a request of the boot (or TLS boot) listener. */
static enum MHD_Result
dispatch_boot(struct MHD_Connection *c, struct http_req *r, const char *method)
{
	const struct boot_route *rt = boot_route_find(r->path);

	if (!rt)
		return http_reply(c, r, MHD_HTTP_NOT_FOUND, TEXT, "not found\n",
		                  10);
	r->ep = rt->ep;
	if (!(rt->methods & boot_method(method)))
		return http_reply(c, r, MHD_HTTP_METHOD_NOT_ALLOWED, TEXT,
		                  "method not allowed\n", 19);
	return rt->serve(c, r);
}

/* ---- request life cycle --------------------------------------------- */

static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct http_req *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->l = cls;
	r->t0_us = now_us();
	if (r->l->base_local)
		req_local_base(r, c);
	r->uri = strdup(uri ? uri : "");
	r->ep = EP_OTHER;
	return r;
}

/*
 * MHD's access handler: decode the target on the first call (refusing a
 * declared body over HTTP_BODY_MAX unread), collect the body, then route
 * to the boot or admin handlers.
 */
static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
           const char *method, const char *version, const char *upload,
           size_t *upload_size, void **con_cls)
{
	struct http_req *r = *con_cls;
	const char *q;
	size_t plen;

	if (!r || !r->uri)
		return MHD_NO;
	if (r->answered)
		return MHD_YES;
	if (*upload_size) {
		if (r->body_len + *upload_size > HTTP_BODY_MAX) {
			r->body_too_big = true;
		} else {
			char *nb =
			    realloc(r->body, r->body_len + *upload_size + 1);
			if (!nb)
				return MHD_NO;
			memcpy(nb + r->body_len, upload, *upload_size);
			r->body = nb;
			r->body_len += *upload_size;
			r->body[r->body_len] = '\0';
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (!r->path[0]) {
		/* First call: headers are in; refuse a large body unread. */
		const char *cl = MHD_lookup_connection_value(
		    c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		unsigned long long v;

		http_conn_headers_in(c);
		str_copy(r->method, sizeof(r->method), method);
		q = strchr(r->uri, '?');
		plen = q ? (size_t)(q - r->uri) : strlen(r->uri);
		r->query = q ? q + 1 : "";
		r->path[0] = '/'; /* mark the first call as done */
		r->path[1] = '\0';
		if (plen == 0 || r->uri[0] != '/' ||
		    http_pct_decode(r->uri, plen, r->path, sizeof(r->path), 0) <
		        0 ||
		    memchr(r->path, '\\', strlen(r->path)))
			return http_reply(c, r, MHD_HTTP_BAD_REQUEST, TEXT,
			                  "bad request target\n", 19);
		if (cl && (parse_uint(cl, 0, HTTP_BODY_MAX, &v) < 0))
			return http_reply(c, r, MHD_HTTP_CONTENT_TOO_LARGE,
			                  TEXT, "body too large\n", 15);
		return MHD_YES;
	}
	if (r->body_too_big)
		return http_reply(c, r, MHD_HTTP_CONTENT_TOO_LARGE, TEXT,
		                  "body too large\n", 15);
	if (r->l->kind == LISTENER_ADMIN)
		return http_admin(c, r, method);
	return dispatch_boot(c, r, method);
}

/* One access-log line: peer, target (sanitised), status, bytes, time,
 * decision. */
static void
access_log(struct http_server *srv, struct http_req *r,
           struct MHD_Connection *c, uint64_t us)
{
	const union MHD_ConnectionInfo *ci;
	char peer[ADDR_STRLEN], target[256], st[12] = "-";
	char method[sizeof(r->method)], shown[256];
	const char *t = r->uri ? r->uri : "-";

	if (srv->access_log_off)
		return;
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!ci || addr_from_sockaddr(ci->client_addr, peer) < 0)
		str_copy(peer, sizeof(peer), "-");
	/* No live install token in the log: an install request shows its
	 * decoded path (the token where routing found it, however the
	 * client spelled it), a done request no query value. Then every
	 * client byte is sanitised: one field each, no escapes. */
	if (r->ep == EP_INSTALL) {
		/* Truncated is fine: the token comes first. */
		(void)str_printf(shown, sizeof(shown), "%s%s%s", r->path,
		                 *r->query ? "?" : "", r->query);
		t = shown;
	}
	http_target_redact(t, r->ep == EP_DONE ? HTTP_REDACT_ALL_VALUES : 0,
	                   target, sizeof(target));
	str_sanitize(target, sizeof(target), target, SANITIZE_FIELD);
	str_sanitize(method, sizeof(method), r->method[0] ? r->method : "-",
	             SANITIZE_FIELD);
	if (r->status)
		snprintf(st, sizeof(st), "%u", r->status);
	if (srv->access_log)
		fprintf(srv->access_log, "%s \"%s %s\" %s %llu %.3fms %s%s%s\n",
		        peer, method, target, st,
		        (unsigned long long)r->bytes, (double)us / 1000.0,
		        r->decision ? r->decision : "-", r->end ? " " : "",
		        r->end ? r->end : "");
	else
		log_info("access: %s \"%s %s\" %s %llu %.3fms %s%s%s", peer,
		         method, target, st,
		         (unsigned long long)r->bytes, (double)us / 1000.0,
		         r->decision ? r->decision : "-", r->end ? " " : "",
		         r->end ? r->end : "");
}

/* MHD's completion callback: metrics, access log, free the context. */
static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
	struct listener *l = cls;
	struct http_req *r = *con_cls;
	uint64_t us;

	http_conn_request_done(c);
	if (!r)
		return;
	us = now_us() - r->t0_us;
	if (r->answered) {
		metrics_request(r->ep, r->status, r->bytes, us, r->decision);
		/* Answered, but not all of it reached the client: a download
		 * the client dropped, so that the log does not show it as a
		 * complete one. */
		if (toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED)
			r->end = "timeout";
		else if (toe == MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN)
			r->end = "shutdown";
		else if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
			r->end = "aborted"; /* the connection broke */
	} else {
		/* Ended before an answer of ours: libmicrohttpd refused it
		 * (oversize, malformed), the client left, or it timed out. */
		r->decision =
		    toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ? "timeout"
		    : toe == MHD_REQUEST_TERMINATED_CLIENT_ABORT  ? "aborted"
		                                                  : "refused";
	}
	access_log(l->srv, r, c, us);
	free(r->uri);
	free(r->body);
	free(r);
	*con_cls = NULL;
}

/* libmicrohttpd's own messages, at debug level only. */
static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char buf[256];

	if (log_verbosity() < 2)
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\n")] = '\0';
	log_debug("libmicrohttpd: %s", buf);
}

/* ---- listeners ------------------------------------------------------ */

/* Parse "ADDR:PORT" or "[ADDR6]:PORT" into a bound, listening socket. */
static int
listen_on(const char *spec, int *ret_fd, unsigned *ret_port)
{
	char host[CFG_ADDR_MAX], *port, *h = host;
	struct addrinfo hints, *ai = NULL;
	unsigned long long p;
	int fd, one = 1, rc;

	if (str_copy(host, sizeof(host), spec) < 0)
		return -EINVAL;
	if (host[0] == '[') {
		char *end = strchr(host, ']');
		if (!end || end[1] != ':')
			return -EINVAL;
		*end = '\0';
		port = end + 2;
		h = host + 1;
	} else {
		port = strrchr(host, ':');
		if (!port)
			return -EINVAL;
		*port++ = '\0';
	}
	if (parse_uint(port, 0, 65535, &p) < 0)
		return -EINVAL;
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(h[0] ? h : NULL, port, &hints, &ai) != 0)
		return -EINVAL;
	/* Non-blocking: the pool's threads all wait on this socket. */
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	            0);
	if (fd < 0) {
		rc = -errno;
		freeaddrinfo(ai);
		return rc;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* an IPv6 listener is IPv6 only: IPv4 has its own */
	if (ai->ai_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 1024) < 0) {
		rc = -errno;
		close(fd);
		freeaddrinfo(ai);
		return rc;
	}
	freeaddrinfo(ai);
	*ret_fd = fd;
	*ret_port = (unsigned)p;
	return 0;
}

/*
 * Bind spec for l (needs no thread and serves nothing yet: the caller
 * may drop privileges between this and listener_serve). Boot URLs given
 * out on l use server_address. 0 or -errno, nothing left open on failure.
 */
static int
listener_bind(struct http_server *srv, struct listener *l,
              enum listener_kind kind, const char *spec,
              const char *server_address)
{
	unsigned port = 0;
	int rc;

	l->srv = srv;
	l->kind = kind;
	l->fd = -1;
	rc = listen_on(spec, &l->fd, &port);
	if (rc < 0)
		return rc;
	if (kind == LISTENER_TLS)
		rc = str_printf(l->base_url, sizeof(l->base_url),
		                port == 443 ? "https://%s" : "https://%s:%u",
		                server_address, port);
	else
		rc = str_printf(l->base_url, sizeof(l->base_url),
		                port == 80 ? "http://%s" : "http://%s:%u",
		                server_address, port);
	if (rc < 0) {
		close(l->fd);
		l->fd = -1;
	}
	return rc;
}

/*
 * Serve l's bound socket: the boot and TLS listeners with one worker
 * thread per CPU (or [http] threads), each running its own daemon in
 * workers.c's event loop; the admin listener with one daemon and its
 * own thread. A listener never bound is skipped. 0 or -errno (the
 * socket stays open for listener_stop).
 */
static int
listener_serve(struct http_server *srv, struct listener *l)
{
	const struct by_config *cfg = srv->cfg;
	unsigned threads = cfg->threads, limit, per_addr, flags = MHD_USE_ITC;
	struct MHD_OptionItem opts[12];
	size_t n = 0;

	if (l->fd < 0)
		return 0;
	if (threads == 0) {
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		threads = ncpu > 0 ? (unsigned)ncpu : 1;
	}
	if (l->kind == LISTENER_ADMIN)
		threads = 1;
	/* the connection limit is the listener's: shared by its workers */
	limit = cfg->max_connections ? cfg->max_connections : 1024;
	limit = limit / threads ? limit / threads : 1;
	/* so is the per-address one (libmicrohttpd counts per daemon):
	 * one address cannot take all of a listener's connections */
	per_addr =
	    cfg->connections_per_address ? cfg->connections_per_address : 64;
	per_addr = (per_addr + threads - 1) / threads;

#define OPT(o, v, p) (opts[n++] = (struct MHD_OptionItem){(o), (v), (p)})
	OPT(MHD_OPTION_LISTEN_SOCKET, l->fd, NULL);
	OPT(MHD_OPTION_CONNECTION_LIMIT, limit, NULL);
	OPT(MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_addr, NULL);
	OPT(MHD_OPTION_CONNECTION_TIMEOUT,
	    cfg->connection_timeout ? cfg->connection_timeout : 10, NULL);
	OPT(MHD_OPTION_CONNECTION_MEMORY_LIMIT, HTTP_CONN_MEMORY, NULL);
	OPT(MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)on_uri, l);
	OPT(MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, l);
	OPT(MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)on_mhd_log, NULL);
	if (l->kind == LISTENER_TLS ||
	    (l->kind == LISTENER_ADMIN && cfg->admin_tls)) {
		flags |= MHD_USE_TLS;
		OPT(MHD_OPTION_HTTPS_MEM_KEY, 0, srv->tls_key);
		OPT(MHD_OPTION_HTTPS_MEM_CERT, 0, srv->tls_cert);
	}
	OPT(MHD_OPTION_END, 0, NULL);
#undef OPT

	if (l->kind != LISTENER_ADMIN)
		return http_workers_start(l, threads, flags, on_request, opts);
	l->mhd = MHD_start_daemon(
	    flags | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, NULL,
	    NULL, on_request, l, MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	return l->mhd ? 0 : -EADDRNOTAVAIL;
}

/* Stop accepting on every listener, then give the requests in flight up
 * to 2 s to finish before the daemons are stopped. */
static void
listeners_quiesce(struct http_server *srv)
{
	struct listener *ls[] = {&srv->boot, &srv->boot6, &srv->tls,
	                         &srv->admin};
	const struct timespec step = {0, 20 * 1000 * 1000};
	unsigned i, waited, busy;

	for (i = 0; i < ARRAY_SIZE(ls); i++) {
		if (ls[i]->mhd)
			MHD_quiesce_daemon(ls[i]->mhd);
		http_workers_quiesce(ls[i]);
	}
	for (waited = 0; waited < 100; waited++) {
		busy = 0;
		for (i = 0; i < ARRAY_SIZE(ls); i++)
			busy += http_daemon_connections(ls[i]->mhd) +
			        http_workers_connections(ls[i]);
		if (!busy)
			break;
		nanosleep(&step, NULL);
	}
}

/* Stop l's daemon(s) and close its socket; a listener never started is
 * fine. */
static void
listener_stop(struct listener *l)
{
	http_workers_stop(l);
	if (l->mhd) {
		MHD_quiesce_daemon(l->mhd); /* the socket is closed here */
		MHD_stop_daemon(l->mhd);
	}
	l->mhd = NULL;
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}

/*
 * Whether the token file open on fd is private: a regular file owned by
 * root, the service user ([appliance] user) or the user running serve,
 * with no permission for others and none for the group but read, and
 * group read only for root's group, the service user's or serve's own.
 * Returns NULL, or why not (for a message).
 */
static const char *
token_file_unsafe(int fd, const char *user)
{
	struct passwd pw, *p = NULL;
	char pwbuf[1024];
	struct stat st;
	uid_t svc_uid = geteuid();
	gid_t svc_gid = getegid();

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return "not a regular file";
	if (user[0] && getpwnam_r(user, &pw, pwbuf, sizeof(pwbuf), &p) == 0 &&
	    p) {
		svc_uid = p->pw_uid;
		svc_gid = p->pw_gid;
	}
	if (st.st_uid != 0 && st.st_uid != svc_uid && st.st_uid != geteuid())
		return "owned by a user other than root or the service user";
	if (st.st_mode & (S_IRWXO | S_IWGRP | S_IXGRP))
		return "others can read or change it (chmod 0600, or 0640 "
		       "with the service user's group)";
	if ((st.st_mode & S_IRGRP) && st.st_gid != 0 && st.st_gid != svc_gid &&
	    st.st_gid != getegid())
		return "its group is not the service user's and may read it "
		       "(chmod 0600, or chgrp to the service user's group)";
	return NULL;
}

/*
 * Read the admin token; surrounding whitespace is not part of it. A token
 * file that others may read or change is refused like a missing one: the
 * admin API then refuses every request.
 */
static void
load_admin_token(struct http_server *srv)
{
	_cleanup_close_ int fd = -1;
	const char *path = srv->cfg->admin_token_file, *why;
	char text[4096];
	size_t len = 0, s = 0;
	ssize_t n;

	srv->admin_token[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		log_warn("admin: cannot read token file %s: the admin API "
		         "refuses every request",
		         path);
		return;
	}
	why = token_file_unsafe(fd, srv->cfg->user);
	if (why) {
		log_warnx("admin: token file %s refused: %s; the admin API "
		          "refuses every request",
		          path, why);
		return;
	}
	while (len < sizeof(text) - 1 &&
	       ((n = read(fd, text + len, sizeof(text) - 1 - len)) > 0 ||
	        (n < 0 && errno == EINTR)))
		if (n > 0)
			len += (size_t)n;
	while (s < len && (text[s] == ' ' || text[s] == '\n' ||
	                   text[s] == '\t' || text[s] == '\r'))
		s++;
	while (len > s && (text[len - 1] == ' ' || text[len - 1] == '\n' ||
	                   text[len - 1] == '\t' || text[len - 1] == '\r'))
		len--;
	if (len - s >= 16 && len - s < sizeof(srv->admin_token)) {
		memcpy(srv->admin_token, text + s, len - s);
		srv->admin_token[len - s] = '\0';
	} else {
		log_warnx("admin: token in %s must be 16..255 characters: "
		          "the admin API refuses every request",
		          path);
	}
	explicit_bzero(text, sizeof(text));
}

/* Raise RLIMIT_NOFILE to its hard limit: one descriptor per connection. */
static void
raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Read the TLS certificate and key (PEM) into srv. 0 or -errno, logged. */
static int
load_tls(struct http_server *srv)
{
	const struct by_config *cfg = srv->cfg;
	char cert[CFG_PATH_MAX + 32], key[CFG_PATH_MAX + 32];
	size_t len;
	int rc;

	if (cfg->tls_cert[0])
		str_copy(cert, sizeof(cert), cfg->tls_cert);
	else
		snprintf(cert, sizeof(cert), "%s/tls/server.crt",
		         cfg->state_dir);
	if (cfg->tls_key[0])
		str_copy(key, sizeof(key), cfg->tls_key);
	else
		snprintf(key, sizeof(key), "%s/tls/server.key", cfg->state_dir);
	rc = read_file(cert, 1 << 20, &srv->tls_cert, &len);
	if (rc < 0) {
		errno = -rc;
		log_warn("tls: %s", cert);
		return rc;
	}
	rc = read_file(key, 1 << 20, &srv->tls_key, &len);
	if (rc < 0) {
		errno = -rc;
		log_warn("tls: %s", key);
	}
	return rc;
}

/*
 * The boot listener on IPv6 ([http] listen6): "auto" is [::] on the
 * port of [http] listen when that listens on every IPv4 address
 * (0.0.0.0; a listener kept to one IPv4 address gets no IPv6 one
 * unasked), given up (logged) on a host without IPv6; an explicit
 * [ADDRESS]:PORT must bind. Boot URLs answered on it name
 * the address each client connected to. 0 or -errno.
 */
static int
boot6_bind(struct http_server *srv)
{
	const struct by_config *cfg = srv->cfg;
	const char *colon = strrchr(cfg->listen, ':');
	char spec[CFG_ADDR_MAX];
	bool autom = !strcmp(cfg->listen6, "auto") || !cfg->listen6[0];
	int rc;

	if (!strcmp(cfg->listen6, "off"))
		return 0;
	if (autom) {
		if (!colon || strncmp(cfg->listen, "0.0.0.0:", 8) ||
		    str_printf(spec, sizeof(spec), "[::]%s", colon) < 0)
			return 0;
	} else {
		str_copy(spec, sizeof(spec), cfg->listen6);
	}
	rc = listener_bind(srv, &srv->boot6, LISTENER_BOOT, spec, "[::]");
	if (rc < 0 && autom) {
		errno = -rc;
		log_warn("http: no IPv6 boot listener on %s", spec);
		return 0;
	}
	srv->boot6.base_local = true;
	return rc;
}

int
http_bind(const struct by_config *cfg, const char *server_address,
          struct http_server **ret)
{
	struct http_server *srv;
	int rc;

	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return -ENOMEM;
	srv->cfg = cfg;
	srv->boot.fd = srv->boot6.fd = srv->tls.fd = srv->admin.fd = -1;
	rc = cfg_db_path(cfg, srv->db_path, sizeof(srv->db_path));
	if (rc < 0)
		goto err;
	if (cfg_db_cache(cfg, srv->cache_path, sizeof(srv->cache_path), NULL,
	                 0) < 0)
		srv->cache_path[0] = '\0';
	str_copy(srv->files_dir, sizeof(srv->files_dir), cfg->files_dir);
	if (cfg->tftp_root[0])
		str_copy(srv->tftp_root, sizeof(srv->tftp_root),
		         cfg->tftp_root);
	else
		str_printf(srv->tftp_root, sizeof(srv->tftp_root), "%s/tftp",
		           cfg->state_dir);
	if (strcmp(cfg->access_log, "off") == 0) {
		srv->access_log_off = true;
	} else if (cfg->access_log[0]) {
		srv->access_log = fopen(cfg->access_log, "ae");
		if (!srv->access_log) {
			rc = -errno;
			goto err;
		}
		setvbuf(srv->access_log, NULL, _IOLBF, 0);
	}
	raise_fd_limit();
	rc = listener_bind(srv, &srv->boot, LISTENER_BOOT, cfg->listen,
	                   server_address);
	if (rc < 0)
		goto err;
	rc = boot6_bind(srv);
	if (rc < 0)
		goto err;
	if (cfg->tls_listen[0] && strcmp(cfg->tls_listen, "off") != 0) {
		rc = load_tls(srv);
		if (rc < 0)
			goto err;
		rc = listener_bind(srv, &srv->tls, LISTENER_TLS,
		                   cfg->tls_listen, server_address);
		if (rc < 0)
			goto err;
	}
	if (cfg->admin_listen[0] && strcmp(cfg->admin_listen, "off") != 0) {
		load_admin_token(srv);
		rc = listener_bind(srv, &srv->admin, LISTENER_ADMIN,
		                   cfg->admin_listen, server_address);
		if (rc < 0)
			goto err;
	}
	*ret = srv;
	return 0;
err:
	http_stop(srv);
	return rc;
}

int
http_serve(struct http_server *srv)
{
	const struct by_config *cfg = srv->cfg;
	struct evq_retention keep;
	struct cfg_policy pol;
	struct db *db = NULL;
	int rc;

	pthread_once(&db_key_once, db_key_make);
	/* Create and migrate the database once, before any worker. */
	rc = db_open(srv->db_path, DB_OPEN_CREATE, &db);
	if (rc < 0)
		return rc;
	if (db_read_only(db))
		log_warnx("%s: read-only: boots are answered, but changes and "
		          "events are not stored (restart bootyard once it is "
		          "writable)",
		          srv->db_path);
	db_close(db);
	cfg_policy(cfg, &pol);
	keep.events_keep = cfg->events_keep;
	keep.unknown_keep = pol.unknown_keep;
	keep.leases_keep_s = pol.leases_keep;
	keep.token_lifetime_s = pol.token_lifetime;
	if (cfg_lease_spool(cfg, keep.lease_spool, sizeof(keep.lease_spool)) <
	    0)
		keep.lease_spool[0] = '\0';
	rc = evq_start(srv->db_path, &keep, &srv->evq);
	if (rc < 0)
		return rc;
	rc = unknown_limit_new(pol.unknown_rate, &srv->unknown);
	if (rc < 0)
		return rc;
	rc = listener_serve(srv, &srv->boot);
	if (rc == 0)
		rc = listener_serve(srv, &srv->boot6);
	if (rc == 0)
		rc = listener_serve(srv, &srv->tls);
	if (rc == 0)
		rc = listener_serve(srv, &srv->admin);
	return rc;
}

int
http_start(const struct by_config *cfg, const char *server_address,
           struct http_server **ret)
{
	struct http_server *srv = NULL;
	int rc;

	rc = http_bind(cfg, server_address, &srv);
	if (rc < 0)
		return rc;
	rc = http_serve(srv);
	if (rc < 0) {
		http_stop(srv);
		return rc;
	}
	*ret = srv;
	return 0;
}

void
http_stop(struct http_server *srv)
{
	if (!srv)
		return;
	listeners_quiesce(srv);
	listener_stop(&srv->boot);
	listener_stop(&srv->boot6);
	listener_stop(&srv->tls);
	listener_stop(&srv->admin);
	evq_stop(srv->evq);
	unknown_limit_free(srv->unknown);
	if (srv->access_log)
		fclose(srv->access_log);
	free(srv->tls_cert);
	free(srv->tls_key);
	explicit_bzero(srv->admin_token, sizeof(srv->admin_token));
	free(srv);
}
