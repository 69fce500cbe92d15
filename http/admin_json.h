/*
 * admin_json.h - the admin API's request bodies: JSON text to a validated
 * host or distribution, with the CLI's rules (appliance/core/hostcheck.h,
 * common/valid.h). Pure: no
 * MHD, no database; fuzzed by tests/fuzz/fuzz_admin_json.c.
 */
#ifndef BOOTYARD_HTTP_ADMIN_JSON_H
#define BOOTYARD_HTTP_ADMIN_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "db/db.h"

/*
 * http_admin_json_parse - a request body (len bytes, NUL not needed) as
 * JSON: a new reference, or NULL when body is NULL or the text is not
 * JSON; an object with a key given twice is refused too.
 */
json_t *http_admin_json_parse(const char *body, size_t len);

/*
 * http_admin_host_apply - apply the members of the JSON object o to h
 * (absent members leave h as it is; null or "" unsets hostname, ip,
 * distro and local_boot). With create, "mac" and "macs" (at
 * most DB_MAX_MACS together) are read too and at least one is required.
 * Returns 0, or -EINVAL with a message (no request bytes) in err (esz
 * bytes); h may then be partly changed.
 */
int http_admin_host_apply(json_t *o, struct db_host *h, bool create, char *err,
                          size_t esz);

/*
 * http_admin_distro_apply - fill d from the JSON object o: name, kernel,
 * initrd (a string or 1..4 strings) of arch (amd64 unless "arch" says,
 * aliases x86_64 and aarch64 accepted), and/or kernels ({"arm64":
 * {"kernel", "initrd"}, ...}: at least one kernel in all), cmdline,
 * template + template_name.
 * d->template_text then points into o (valid while o lives). Returns 0, or
 * -EINVAL with a message in err (esz bytes).
 */
int http_admin_distro_apply(json_t *o, struct db_distro *d, char *err,
                            size_t esz);

#endif
