/*
 * http.h - the embedded HTTP service (libmicrohttpd): the boot listener
 * (iPXE endpoints, install files, installer callback, /files), the optional
 * TLS boot listener, and the admin listener (JSON API, /metrics, /healthz).
 */
#ifndef BOOTYARD_HTTP_H
#define BOOTYARD_HTTP_H

#include "appliance/config.h"

struct http_server;

/*
 * http_start - open the database (read-write, one connection per worker
 * thread), bind every configured listener and start serving. Sockets are
 * bound before returning, so the caller may drop privileges afterwards.
 * server_address is the address put into boot URLs (already resolved
 * from "auto" by the caller). cfg must stay valid until http_stop().
 * Returns 0 and *ret, or -errno (e.g. -EADDRINUSE) with nothing left open.
 */
int http_start(const struct by_config *cfg, const char *server_address,
               struct http_server **ret);

/*
 * http_stop - stop accepting, let requests in flight finish (bounded),
 * close everything and free srv. NULL is fine.
 */
void http_stop(struct http_server *srv);

#endif
