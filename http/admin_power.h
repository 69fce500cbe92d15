/*
 * admin_power.h - power control in the admin API (admin_power.c).
 */
#ifndef BOOTYARD_HTTP_ADMIN_POWER_H
#define BOOTYARD_HTTP_ADMIN_POWER_H

#include <jansson.h>

#include "http/internal.h"

/* /api/v1/hosts/KEY/power: GET settings, PUT settings, POST an action. */
enum MHD_Result admin_power(struct MHD_Connection *c, struct http_req *r,
			    struct db *db, const char *method,
			    const struct db_host *h);

/* After db_host_reinstall: boot device pxe, then power cycle (or on);
 * before is the host as it was, put back when the power action fails. */
enum MHD_Result admin_power_reinstall(struct MHD_Connection *c,
				      struct http_req *r, struct db *db,
				      const struct db_host *before);

/* The "power" member of a host's JSON: never the password. */
json_t *admin_power_json(struct db *db, const struct db_host *h);

#endif
