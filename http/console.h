/*
 * console.h - the web console on the admin listener (console.c): its
 * pages and assets, sign-in sessions, Server-Sent Events, and the API
 * endpoints it adds (console_api.c). Inside http/ only.
 */
#ifndef BOOTYARD_HTTP_CONSOLE_H
#define BOOTYARD_HTTP_CONSOLE_H

#include <jansson.h>
#include <stdbool.h>

#include "http/internal.h"

/* Session lifetime: a console left open this long must sign in again. */
#define CONSOLE_SESSION_TTL_S (8 * 3600)
#define CONSOLE_SESSIONS_MAX 32

/* http_console_path - the request is for the console (served without a
 * bearer token: it handles its own sign-in): "/", "/console...". */
bool http_console_path(const char *path);

/* http_console - answer a console request (pages, assets, login,
 * logout, session, events). */
enum MHD_Result http_console(struct MHD_Connection *c, struct http_req *r,
                             const char *method);

/*
 * http_console_authorized - the request carries a live console session
 * cookie and, unless method is GET or HEAD, the session's CSRF token in
 * X-CSRF-Token: then it may use the admin API as the bearer token would.
 */
bool http_console_authorized(struct MHD_Connection *c, const char *method);

/* http_console_api - the API endpoints the console adds, after the
 * admin check: GET /api/v1/fleet, /api/v1/diagnosis/MAC,
 * /api/v1/appliance. MHD_NO with *handled false when not one of them. */
enum MHD_Result http_console_api(struct MHD_Connection *c, struct http_req *r,
                                 struct db *db, const char *method,
                                 bool *handled);

/* console_headers - the security headers every console answer carries. */
void console_headers(struct MHD_Response *resp);

/* console_send_json - answer j (consumed) as JSON with status, the
 * console's headers, no-store and cookie (NULL: none). */
enum MHD_Result console_send_json(struct MHD_Connection *c, struct http_req *r,
                                  unsigned status, json_t *j,
                                  const char *cookie);

/* generated from http/console/ by http/console_gen.sh */
struct console_asset {
	const char *name, *type, *body;
	size_t len;
};
const struct console_asset *console_asset(const char *name);

#endif
