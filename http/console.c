/*
 * console.c - the web console on the admin listener: its page and assets
 * (embedded at build time from http/console/), sign-in with the admin
 * token for a session cookie (HttpOnly, SameSite=Strict, Secure over TLS,
 * expiring), a CSRF token for every state change, and the live event
 * stream (Server-Sent Events).
 *
 *   GET  /, /console, /console/      the page (index.html)
 *   GET  /console/static/NAME        an asset
 *   POST /console/login  {"token"}   200 {"csrf"} + Set-Cookie; 401
 *   POST /console/logout             (session + CSRF) ends the session
 *   GET  /console/session            200 {"csrf"} with a live session; 401
 *   GET  /console/events             (session) text/event-stream: the
 *        events after Last-Event-ID (or ?after=N), then the stream ends
 *        and the browser reconnects after "retry" ms: live without a
 *        connection held on the admin listener's one thread.
 *
 * Every answer carries a strict Content-Security-Policy (scripts and
 * styles from this origin only, nothing inline), X-Frame-Options: DENY,
 * nosniff and no referrer. The page renders what it is given as text.
 */
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "common/util.h"
#include "http/console.h"

#define COOKIE "bysess"
#define SESS_HEX 64 /* 32 random bytes */
#define SSE_BATCH 200

struct session {
	char id[SESS_HEX + 1];
	char csrf[SESS_HEX + 1];
	time_t expires;
};

static struct session sessions[CONSOLE_SESSIONS_MAX];
static pthread_mutex_t sess_lock = PTHREAD_MUTEX_INITIALIZER;

static const char csp[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self'; connect-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'";

void
console_headers(struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "Content-Security-Policy", csp);
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Cross-Origin-Opener-Policy",
	                        "same-origin");
}

/* Queue resp (consumed) with status, the console's headers, and cookie
 * (NULL: none). */
static enum MHD_Result
send_resp(struct MHD_Connection *c, struct http_req *r, unsigned status,
          const char *type, struct MHD_Response *resp, size_t len,
          const char *cookie)
{
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	                        "no-store");
	console_headers(resp);
	if (cookie)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE,
		                        cookie);
	return http_queue_sent(c, r, status, resp, len);
}

static enum MHD_Result
send_copy(struct MHD_Connection *c, struct http_req *r, unsigned status,
          const char *type, const char *body, size_t len, const char *cookie)
{
	return send_resp(c, r, status, type,
	                 MHD_create_response_from_buffer(len, (void *)body,
	                                                 MHD_RESPMEM_MUST_COPY),
	                 len, cookie);
}

/* console_send_json - see console.h. */
enum MHD_Result
console_send_json(struct MHD_Connection *c, struct http_req *r, unsigned status,
                  json_t *j, const char *cookie)
{
	char *s = json_dumps(j, JSON_COMPACT);
	struct MHD_Response *resp;
	size_t len;

	json_decref(j);
	if (!s)
		return MHD_NO;
	len = strlen(s);
	resp = MHD_create_response_from_buffer(len, s, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(s);
		return MHD_NO;
	}
	return send_resp(c, r, status, "application/json", resp, len, cookie);
}

static enum MHD_Result
send_error(struct MHD_Connection *c, struct http_req *r, unsigned status,
           const char *msg)
{
	return console_send_json(c, r, status, json_pack("{s:s}", "error", msg),
	                         NULL);
}

static int
rand_hex(char out[SESS_HEX + 1])
{
	unsigned char b[SESS_HEX / 2];
	size_t i;

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		return -EIO;
	for (i = 0; i < sizeof(b); i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
	return 0;
}

/* The session cookie's value, if well-formed, into id. */
static bool
cookie_id(struct MHD_Connection *c, char id[SESS_HEX + 1])
{
	const char *v = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE);
	size_t i;

	if (!v || strlen(v) != SESS_HEX)
		return false;
	for (i = 0; i < SESS_HEX; i++)
		if (!((v[i] >= '0' && v[i] <= '9') ||
		      (v[i] >= 'a' && v[i] <= 'f')))
			return false;
	memcpy(id, v, SESS_HEX + 1);
	return true;
}

/* The live session of c: its index, or -1. Call with sess_lock held. */
static int
session_find(struct MHD_Connection *c)
{
	char id[SESS_HEX + 1];
	time_t now = time(NULL);
	int i, found = -1;

	if (!cookie_id(c, id))
		return -1;
	for (i = 0; i < CONSOLE_SESSIONS_MAX; i++) {
		if (!sessions[i].id[0])
			continue;
		if (sessions[i].expires <= now) {
			memset(&sessions[i], 0, sizeof(sessions[i]));
			continue;
		}
		if (http_secret_eq(id, sessions[i].id))
			found = i;
	}
	return found;
}

static bool
safe_method(const char *method)
{
	return !strcmp(method, "GET") || !strcmp(method, "HEAD");
}

bool
http_console_authorized(struct MHD_Connection *c, const char *method)
{
	const char *h;
	bool ok = false;
	int i;

	pthread_mutex_lock(&sess_lock);
	i = session_find(c);
	if (i >= 0) {
		if (safe_method(method)) {
			ok = true;
		} else {
			h = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
			                                "X-CSRF-Token");
			ok = h && http_secret_eq(h, sessions[i].csrf);
		}
	}
	pthread_mutex_unlock(&sess_lock);
	return ok;
}

static bool
over_tls(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);

	return ci && ci->tls_session;
}

static enum MHD_Result
login(struct MHD_Connection *c, struct http_req *r)
{
	struct http_server *srv = r->l->srv;
	char cookie[256], id[SESS_HEX + 1], csrf[SESS_HEX + 1];
	const char *tok = NULL;
	json_t *body = NULL;
	time_t now = time(NULL);
	int i, slot = -1;

	if (r->body)
		body = json_loadb(r->body, r->body_len, 0, NULL);
	if (body && json_is_object(body))
		tok = json_string_value(json_object_get(body, "token"));
	if (!http_secret_eq(tok, srv->admin_token)) {
		json_decref(body);
		return send_error(c, r, 401, "wrong token");
	}
	json_decref(body);
	if (rand_hex(id) < 0 || rand_hex(csrf) < 0)
		return send_error(c, r, 500, "no randomness");
	pthread_mutex_lock(&sess_lock);
	/* a free or expired slot, else the one that expires first */
	for (i = 0; i < CONSOLE_SESSIONS_MAX; i++) {
		if (!sessions[i].id[0] || sessions[i].expires <= now) {
			slot = i;
			break;
		}
		if (slot < 0 || sessions[i].expires < sessions[slot].expires)
			slot = i;
	}
	str_copy(sessions[slot].id, sizeof(sessions[slot].id), id);
	str_copy(sessions[slot].csrf, sizeof(sessions[slot].csrf), csrf);
	sessions[slot].expires = now + CONSOLE_SESSION_TTL_S;
	pthread_mutex_unlock(&sess_lock);
	snprintf(cookie, sizeof(cookie),
	         COOKIE "=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Strict%s",
	         id, CONSOLE_SESSION_TTL_S, over_tls(c) ? "; Secure" : "");
	return console_send_json(c, r, 200,
	                         json_pack("{s:s,s:i}", "csrf", csrf,
	                                   "expires_in", CONSOLE_SESSION_TTL_S),
	                         cookie);
}

static enum MHD_Result
logout(struct MHD_Connection *c, struct http_req *r, const char *method)
{
	int i;

	if (!http_console_authorized(c, method))
		return send_error(c, r, 401, "not signed in");
	pthread_mutex_lock(&sess_lock);
	i = session_find(c);
	if (i >= 0)
		memset(&sessions[i], 0, sizeof(sessions[i]));
	pthread_mutex_unlock(&sess_lock);
	return console_send_json(c, r, 200, json_pack("{s:b}", "signed_out", 1),
	                         COOKIE "=; Path=/; Max-Age=0; HttpOnly; "
	                                "SameSite=Strict");
}

static enum MHD_Result
session_info(struct MHD_Connection *c, struct http_req *r)
{
	char csrf[SESS_HEX + 1] = "";
	int i;

	pthread_mutex_lock(&sess_lock);
	i = session_find(c);
	if (i >= 0)
		str_copy(csrf, sizeof(csrf), sessions[i].csrf);
	pthread_mutex_unlock(&sess_lock);
	if (!csrf[0])
		return send_error(c, r, 401, "not signed in");
	return console_send_json(c, r, 200, json_pack("{s:s}", "csrf", csrf),
	                         NULL);
}

/* ---- Server-Sent Events ------------------------------------------- */

struct sse {
	char *buf;
	size_t len, cap;
	int64_t after, last;
	int err;
};

static void
sse_put(struct sse *s, const char *text, size_t n)
{
	if (s->err)
		return;
	if (s->len + n + 1 > s->cap) {
		size_t cap = (s->cap ? s->cap * 2 : 4096) + n;
		char *nb = realloc(s->buf, cap);
		if (!nb) {
			s->err = -ENOMEM;
			return;
		}
		s->buf = nb;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, text, n);
	s->len += n;
	s->buf[s->len] = '\0';
}

/* db_event_list callback: one "boot" event for each id after s->after.
 * The data is JSON on one line: json_dumps escapes newlines. */
static int
sse_event(const struct db_event *e, void *ctx)
{
	struct sse *s = ctx;
	char head[64], *data;
	json_t *j;

	if (e->id > s->last)
		s->last = e->id;
	if (e->id <= s->after)
		return 0;
	j = json_pack("{s:I,s:I,s:s,s:s,s:s,s:s}", "id", (json_int_t)e->id,
	              "ts_ms", (json_int_t)e->ts_ms, "mac", e->mac, "kind",
	              e->kind, "detail", "", "appliance", e->appliance);
	if (!j)
		return 0;
	/* stored text is printable but may not be UTF-8 */
	if (json_object_set_new(j, "detail", json_string(e->detail)) < 0)
		json_object_set_new(j, "detail", json_string("?"));
	data = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(j);
	if (!data)
		return 0;
	snprintf(head, sizeof(head),
	         "id: %lld\nevent: boot\ndata: ", (long long)e->id);
	sse_put(s, head, strlen(head));
	sse_put(s, data, strlen(data));
	sse_put(s, "\n\n", 2);
	free(data);
	return 0;
}

static enum MHD_Result
events(struct MHD_Connection *c, struct http_req *r)
{
	struct http_server *srv = r->l->srv;
	const char *v =
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Last-Event-ID");
	struct sse s = {0};
	unsigned long long after = 0;
	bool have = false;
	struct MHD_Response *resp;
	char tail[64];
	struct db *db;
	int rc;

	if (!v)
		v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
		                                "after");
	if (v && parse_uint(v, 0, INT64_MAX, &after) == 0)
		have = true;
	s.after = (int64_t)after;
	db = http_db(srv);
	if (!db)
		return send_error(c, r, 503, "database unavailable");
	evq_flush(srv->evq, 500);
	sse_put(&s, "retry: 1000\n\n", 13);
	rc = db_event_list(db, NULL, SSE_BATCH, sse_event, &s);
	if (!have) {
		/* the first connection: no history, only the cursor */
		free(s.buf);
		memset(&s.buf, 0, sizeof(s.buf));
		s.len = s.cap = 0;
		sse_put(&s, "retry: 1000\n\n", 13);
	}
	if (rc < 0 || s.err) {
		free(s.buf);
		return send_error(c, r, 503, "database error");
	}
	/* the cursor goes forward even when nothing new was sent */
	snprintf(tail, sizeof(tail), "id: %lld\nevent: tick\ndata: {}\n\n",
	         (long long)(s.last > s.after ? s.last : s.after));
	sse_put(&s, tail, strlen(tail));
	if (s.err) {
		free(s.buf);
		return MHD_NO;
	}
	resp = MHD_create_response_from_buffer(s.len, s.buf,
	                                       MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(s.buf);
		return MHD_NO;
	}
	return send_resp(c, r, 200, "text/event-stream", resp, s.len, NULL);
}

/* ---- routing -------------------------------------------------------- */

bool
http_console_path(const char *path)
{
	return !strcmp(path, "/") || !strcmp(path, "/console") ||
	       str_has_prefix(path, "/console/");
}

enum MHD_Result
http_console(struct MHD_Connection *c, struct http_req *r, const char *method)
{
	const struct console_asset *a = NULL;
	const char *p = r->path;
	bool get = safe_method(method);

	r->ep = EP_API;
	if (!strcmp(p, "/console/login")) {
		if (strcmp(method, "POST"))
			return send_error(c, r, 405, "method not allowed");
		return login(c, r);
	}
	if (!strcmp(p, "/console/logout")) {
		if (strcmp(method, "POST"))
			return send_error(c, r, 405, "method not allowed");
		return logout(c, r, method);
	}
	if (!get)
		return send_error(c, r, 405, "method not allowed");
	if (!strcmp(p, "/console/session"))
		return session_info(c, r);
	if (!strcmp(p, "/console/events")) {
		if (!http_console_authorized(c, method))
			return send_error(c, r, 401, "not signed in");
		return events(c, r);
	}
	if (!strcmp(p, "/") || !strcmp(p, "/console") ||
	    !strcmp(p, "/console/"))
		a = console_asset("index.html");
	else if (str_has_prefix(p, "/console/static/") &&
	         !strchr(p + strlen("/console/static/"), '/'))
		a = console_asset(p + strlen("/console/static/"));
	if (!a)
		return send_copy(c, r, 404, "text/plain; charset=utf-8",
		                 "not found\n", 10, NULL);
	return send_copy(c, r, 200, a->type, a->body, a->len, NULL);
}
