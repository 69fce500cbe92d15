/*
 * internal.h - what the HTTP service's files share (server.c, files.c,
 * admin.c). Not an interface for other modules: see http.h.
 */
#ifndef BOOTYARD_HTTP_INTERNAL_H
#define BOOTYARD_HTTP_INTERNAL_H

#include <jansson.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>

#include "appliance/core/config.h"
#include "db/db.h"
#include "http/evqueue.h"
#include "http/metrics.h"
#include "http/unknown.h"

#define HTTP_BODY_MAX (64 * 1024)    /* request bodies (admin JSON) */
#define HTTP_CONN_MEMORY (32 * 1024) /* URL + headers of one request */

enum listener_kind { LISTENER_BOOT, LISTENER_TLS, LISTENER_ADMIN };

struct worker;

/*
 * A listening socket and what serves it: the admin listener one daemon
 * with its own thread (mhd); the boot and TLS listeners one daemon per
 * worker thread, in event loops of ours (workers.c).
 */
struct listener {
	struct http_server *srv;
	enum listener_kind kind;
	struct MHD_Daemon *mhd; /* admin */
	struct worker *workers; /* boot, TLS */
	unsigned n_workers;
	int fd;
	char base_url[128]; /* boot URLs given out on this listener */
	bool base_local;    /* IPv6: boot URLs name the address the client
	                     * connected to (http_req.base_url) */
};

struct http_server {
	const struct by_config *cfg;
	char db_path[CFG_PATH_MAX + 16];
	char cache_path[CFG_PATH_MAX + 16]; /* the read cache, "" = none */
	char files_dir[CFG_PATH_MAX];
	char tftp_root[CFG_PATH_MAX];
	char admin_token[256]; /* "" = admin API refuses everything */
	FILE *access_log;      /* NULL = stderr via log_info */
	bool access_log_off;
	struct listener boot, tls, admin;
	struct listener boot6; /* [http] listen6: the boot listener on IPv6 */
	char *tls_cert, *tls_key;
	struct evqueue *evq; /* event and lease-seen writes */
	struct unknown_limit *unknown; /* new unknown MACs per address */
};

/* One request: created by the URI log callback, freed when completed. */
struct http_req {
	struct listener *l;
	uint64_t t0_us;
	char *uri;         /* raw request target, as sent */
	char method[12];   /* for the access log; "" until known */
	char path[1024];   /* decoded path (no query) */
	const char *query; /* raw query within uri, "" if none */
	char base_url[80]; /* "http://[ADDR6]:PORT" on a base_local
	                    * listener, else "" (req_base_url) */
	enum metrics_endpoint ep;
	unsigned status;
	uint64_t bytes;
	const char *decision; /* static, for metrics and the access log */
	const char *end;      /* static: how an answered request ended when
	                       * not completely sent ("aborted", ...), or NULL */
	char *body;
	size_t body_len;
	bool body_too_big;
	bool answered;
};

/* admin_import.c: POST /api/v1/distros/import, GET /api/v1/imports */
enum MHD_Result admin_import_post(struct MHD_Connection *c,
                                  struct http_req *r, struct db *db);
enum MHD_Result admin_import_get(struct MHD_Connection *c, struct http_req *r,
                                 const char *method);

/* server.c */
/* http_db - this worker thread's database connection (opened lazily). */
struct db *http_db(struct http_server *srv);
/* http_db_boot_thread - the calling thread serves a boot listener: its
 * connection waits at most DB_SHORT_WAIT_MS for a lock. Call before its
 * first http_db. */
void http_db_boot_thread(void);
/* http_queue_sent - queue resp (then dropped: MHD holds its own
 * reference) with status, and record status, len and that r is
 * answered. */
enum MHD_Result http_queue_sent(struct MHD_Connection *c, struct http_req *r,
                                unsigned status, struct MHD_Response *resp,
                                size_t len);
/* http_reply - queue a response with a copied body; records status. */
enum MHD_Result http_reply(struct MHD_Connection *c, struct http_req *r,
                           unsigned status, const char *type, const char *body,
                           size_t len);
/* http_reply_take - like http_reply, but takes ownership of malloc'd body */
enum MHD_Result http_reply_take(struct MHD_Connection *c, struct http_req *r,
                                unsigned status, const char *type, char *body,
                                size_t len);

/* workers.c */
/*
 * http_workers_start - n worker threads for l, each with its own daemon
 * (flags | MHD_USE_EPOLL, handler, opts: which must name l->fd as
 * MHD_OPTION_LISTEN_SOCKET) in an event loop that holds one database
 * read snapshot per pass over the ready connections. 0 or -errno, with
 * nothing left running.
 */
int http_workers_start(struct listener *l, unsigned n, unsigned flags,
                       MHD_AccessHandlerCallback handler,
                       const struct MHD_OptionItem *opts);
/* http_conn_headers_in - c's request headers are in: it no longer counts
 * against [http] header_timeout. No-op outside the boot workers. */
void http_conn_headers_in(struct MHD_Connection *c);
/* http_conn_request_done - c's request ended: its next request's
 * headers are due within header_timeout. */
void http_conn_request_done(struct MHD_Connection *c);
/* http_workers_quiesce - stop accepting on l (its socket stays open). */
void http_workers_quiesce(struct listener *l);
/* http_daemon_connections - open connections of daemon d (0 for NULL). */
unsigned http_daemon_connections(struct MHD_Daemon *d);
/* http_workers_connections - open connections of l's workers. */
unsigned http_workers_connections(const struct listener *l);
/*
 * http_workers_stop - quiesce, end the threads, stop their daemons,
 * drop open connections. l->fd stays open for the caller to close. A
 * listener without workers is fine.
 */
void http_workers_stop(struct listener *l);

/* files.c */
/*
 * http_files - serve GET/HEAD /files/... from the files directory or
 * (/files/tftp/...) the TFTP root.
 */
enum MHD_Result http_files(struct MHD_Connection *c, struct http_req *r,
                           const char *method);
/*
 * http_files_resolve - map a decoded URL path below /files/ to an open
 * file descriptor (O_NONBLOCK), refusing any escape from the root ("..",
 * ".", empty components, a trailing slash, symlinks leading outside or a
 * symlink as the last component). 0 and *ret_fd, which may be a directory
 * or another non-regular file (the caller checks with fstat); -EACCES for
 * a refused path, -ENOENT when it does not exist or is too long, or
 * open's -errno.
 */
int http_files_resolve(const char *root, const char *rel, int *ret_fd);
/*
 * http_range_parse - parse a Range header for a file of size bytes.
 * Returns 1 and [*first, *last] for one satisfiable range, 0 when the
 * header should be ignored (absent, not "bytes=", several ranges),
 * -ERANGE when unsatisfiable.
 */
int http_range_parse(const char *h, uint64_t size, uint64_t *first,
                     uint64_t *last);

/* admin.c */
enum MHD_Result http_admin(struct MHD_Connection *c, struct http_req *r,
                           const char *method);
/* http_admin_reply - answer with j (consumed) as JSON text, status as
 * given: the one JSON answer of admin.c, admin_import.c, admin_power.c. */
enum MHD_Result http_admin_reply(struct MHD_Connection *c, struct http_req *r,
                                 unsigned status, json_t *j);
/* http_admin_error - answer {"error": msg} with status. */
enum MHD_Result http_admin_error(struct MHD_Connection *c, struct http_req *r,
                                 unsigned status, const char *msg);
/* http_admin_object - the request body as a JSON object (a new
 * reference; with empty_ok, no body is {}), or NULL after answering 400
 * (not JSON) or 422 (not an object), that answer's result in *ret. */
json_t *http_admin_object(struct MHD_Connection *c, struct http_req *r,
                          bool empty_ok, enum MHD_Result *ret);
/* http_secret_eq - have is the secret want (the admin token, a console
 * session's id or CSRF token), compared in a time that depends on want's
 * length only; false when have is NULL or want is "". */
bool http_secret_eq(const char *have, const char *want);

#endif
