/*
 * hostcheck.h - the one validation of a host record's fields, used by the
 * admin CLI (appliance/cli/cli_host.c, from options) and the admin API
 * (http/admin_json.c, from JSON bodies). Each caller words its own
 * message; what is valid, and how a value is stored, is decided here.
 * Pure: no I/O.
 */
#ifndef BOOTYARD_CORE_HOSTCHECK_H
#define BOOTYARD_CORE_HOSTCHECK_H

#include <stdbool.h>

#include "db/db.h"

/* The settable text fields of a host; "" clears all but ACTION. */
enum host_field {
	HOST_FIELD_HOSTNAME,   /* RFC 1123 host name */
	HOST_FIELD_IP,         /* IPv4 address */
	HOST_FIELD_DISTRO,     /* distribution name */
	HOST_FIELD_ACTION,     /* local, install or menu */
	HOST_FIELD_LOCAL_BOOT, /* a cfg_local_boot name; "default" = "" */
};

/*
 * host_field_valid - true when value may be stored in field f: "" for
 * every field but HOST_FIELD_ACTION, or a value its rule accepts.
 */
bool host_field_valid(enum host_field f, const char *value);

/*
 * host_field_set - validate value (host_field_valid) and store it in h.
 * A local_boot of "default" is stored as "" (the site's default), like
 * every other unset field. Returns 0, or -EINVAL with h unchanged.
 */
int host_field_set(struct db_host *h, enum host_field f, const char *value);

/*
 * host_attr_valid - 0 when key=value may be stored as an attribute,
 * -EINVAL for a bad key (valid_name), -EDOM for a bad value (valid_value,
 * at most DB_ATTR_VALUE_MAX - 1 bytes).
 */
int host_attr_valid(const char *key, const char *value);

/*
 * host_attr_set - set key=value in h, replacing a present key. Returns 0,
 * -EINVAL / -EDOM as host_attr_valid, or -E2BIG when h already holds
 * DB_MAX_ATTRS other attributes; h is unchanged on failure.
 */
int host_attr_set(struct db_host *h, const char *key, const char *value);

/* host_attr_unset - remove key from h; no operation when absent. */
void host_attr_unset(struct db_host *h, const char *key);

/*
 * host_check - the rules over the whole record, checked after every
 * change: action install needs a distro. Returns 0 or -EINVAL.
 */
int host_check(const struct db_host *h);

#endif
