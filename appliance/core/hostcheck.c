/*
 * hostcheck.c - one validation of a host's fields for the CLI and the
 * admin API (see hostcheck.h).
 */
#include "appliance/core/hostcheck.h"

#include <errno.h>
#include <string.h>

#include "appliance/core/config.h"
#include "common/util.h"
#include "common/valid.h"

bool
host_field_valid(enum host_field f, const char *value)
{
	enum cfg_local_boot lb;
	enum db_action a;

	if (f == HOST_FIELD_ACTION)
		return db_action_parse(value, &a) == 0;
	if (!*value)
		return true;
	switch (f) {
	case HOST_FIELD_HOSTNAME:
		return valid_hostname(value);
	case HOST_FIELD_IP:
		return valid_ip(value);
	case HOST_FIELD_DISTRO:
		return valid_name(value);
	case HOST_FIELD_LOCAL_BOOT:
		return cfg_local_boot_parse(value, &lb) == 0;
	default:
		return false;
	}
}

int
host_field_set(struct db_host *h, enum host_field f, const char *value)
{
	enum cfg_local_boot lb;

	if (!host_field_valid(f, value))
		return -EINVAL;
	switch (f) {
	case HOST_FIELD_HOSTNAME:
		return str_copy(h->hostname, sizeof(h->hostname), value);
	case HOST_FIELD_IP:
		return str_copy(h->ip, sizeof(h->ip), value);
	case HOST_FIELD_DISTRO:
		return str_copy(h->distro, sizeof(h->distro), value);
	case HOST_FIELD_ACTION:
		return db_action_parse(value, &h->action);
	case HOST_FIELD_LOCAL_BOOT:
		if (*value)
			cfg_local_boot_parse(value, &lb);
		else
			lb = LOCAL_BOOT_DEFAULT;
		return str_copy(h->local_boot, sizeof(h->local_boot),
				lb == LOCAL_BOOT_DEFAULT ? ""
							 : cfg_local_boot_name(lb));
	}
	return -EINVAL;
}

int
host_attr_valid(const char *key, const char *value)
{
	if (!valid_name(key))
		return -EINVAL;
	if (!valid_value(value, DB_ATTR_VALUE_MAX - 1))
		return -EDOM;
	return 0;
}

int
host_attr_set(struct db_host *h, const char *key, const char *value)
{
	size_t i;
	int r = host_attr_valid(key, value);

	if (r < 0)
		return r;
	for (i = 0; i < h->n_attrs; i++)
		if (!strcmp(h->attrs[i].key, key))
			break;
	if (i == DB_MAX_ATTRS)
		return -E2BIG;
	str_copy(h->attrs[i].key, sizeof(h->attrs[i].key), key);
	str_copy(h->attrs[i].value, sizeof(h->attrs[i].value), value);
	if (i == h->n_attrs)
		h->n_attrs++;
	return 0;
}

void
host_attr_unset(struct db_host *h, const char *key)
{
	size_t j;

	for (j = 0; j < h->n_attrs; j++) {
		if (!strcmp(h->attrs[j].key, key)) {
			memmove(&h->attrs[j], &h->attrs[j + 1],
				(h->n_attrs - j - 1) * sizeof(h->attrs[0]));
			h->n_attrs--;
			return;
		}
	}
}

int
host_check(const struct db_host *h)
{
	if (h->action == DB_ACTION_INSTALL && !h->distro[0])
		return -EINVAL;
	return 0;
}
