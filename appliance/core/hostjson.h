/*
 * hostjson.h - the one JSON form of a host, shown by the admin API
 * (GET /api/v1/hosts...) and by `bootyard host ... --json`:
 *
 *   {"id": 1, "macs": ["52:54:00:aa:00:01"], "hostname": "web1" | null,
 *    "ip": "198.18.0.10" | null, "action": "local" | "install" | "menu",
 *    "distro": "debian12" | null, "local_boot": "exit" | null,
 *    "attempts": 0, "attrs": {"rack": "r1"}, "created": 1764000000,
 *    "updated": 1764000000}
 *
 * An unset field is null, never "" (local_boot null = the site's
 * default); "attempts" counts the install scripts served since the last
 * reinstall flag. Documented in docs/http.md and docs/cli.md.
 */
#ifndef BOOTYARD_CORE_HOSTJSON_H
#define BOOTYARD_CORE_HOSTJSON_H

#include <jansson.h>

#include "db/db.h"

/*
 * json_text - a JSON string for stored text (NULL is ""). Stored text is
 * printable but not necessarily UTF-8 (DHCP vendor classes, log lines):
 * bytes that do not form UTF-8 become '?', so one odd value never breaks
 * a listing. New reference, NULL when out of memory.
 */
json_t *json_text(const char *s);

/* json_text_or_null - json_text, but null for NULL or "" (unset). */
json_t *json_text_or_null(const char *s);

/* host_json - the JSON form of h above (new reference, NULL = ENOMEM). */
json_t *host_json(const struct db_host *h);

#endif
