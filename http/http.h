/*
 * http.h - the embedded HTTP service (libmicrohttpd): the boot listener
 * (iPXE endpoints, install files, installer callback, /files), the optional
 * TLS boot listener, and the admin listener (JSON API, /metrics, /healthz).
 */
#ifndef BOOTYARD_HTTP_H
#define BOOTYARD_HTTP_H

#include "appliance/core/config.h"

struct http_server;

/*
 * http_bind - what needs privileges, and nothing that serves: read the
 * TLS key and the admin token, open the access log, bind every
 * configured listener (the kernel queues connections from here on, but
 * nothing accepts them). The caller then drops privileges and calls
 * http_serve, so that no request is ever handled with privileges.
 * server_address is the address put into boot URLs (already resolved
 * from "auto" by the caller). cfg must stay valid until http_stop().
 * Returns 0 and *ret, or -errno (e.g. -EADDRINUSE) with nothing left open.
 */
int http_bind(const struct by_config *cfg, const char *server_address,
              struct http_server **ret);

/*
 * http_serve - open (create, migrate) the database, start the event
 * writer and the threads that accept and answer on srv's sockets.
 * 0 or -errno; either way srv is freed by http_stop().
 */
int http_serve(struct http_server *srv);

/* http_start - http_bind and http_serve, for a caller that keeps its
 * privileges (tests, benchmarks). 0 and *ret, or -errno. */
int http_start(const struct by_config *cfg, const char *server_address,
               struct http_server **ret);

/*
 * http_stop - stop accepting, let requests in flight finish (bounded),
 * close everything and free srv. NULL is fine.
 */
void http_stop(struct http_server *srv);

#endif
