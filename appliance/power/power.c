/*
 * power.c - the power-driver table, validation of the settings, and the
 * short status cache (see power.h).
 */
#include "appliance/power/power.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/util.h"
#include "common/valid.h"

static const struct power_driver drivers[] = {
	{ "ipmi", power_ipmi_run },
	{ "wol", power_wol_run },
	/* Redfish: one more entry here (docs/power.md). */
};

static const char *const action_names[] = {
	[POWER_STATUS] = "status", [POWER_ON] = "on",
	[POWER_OFF] = "off",       [POWER_CYCLE] = "cycle",
	[POWER_RESET] = "reset",   [POWER_BOOT_PXE] = "bootdev-pxe",
};

int
power_action_parse(const char *s, enum power_action *ret)
{
	size_t i;

	if (enum_find(action_names, ARRAY_SIZE(action_names), s, &i) < 0)
		return -EINVAL;
	*ret = (enum power_action)i;
	return 0;
}

const char *
power_action_name(enum power_action a)
{
	return enum_name(action_names, ARRAY_SIZE(action_names), (unsigned)a);
}

const char *
power_state_name(enum power_state s)
{
	return s == POWER_IS_ON ? "on" : s == POWER_IS_OFF ? "off" : "unknown";
}

int
power_bmc_parse(const char *s, char *host, size_t hostsz, unsigned *port)
{
	char buf[DB_BMC_MAX];
	unsigned long long p = 623;
	char *colon;

	if (!s || strlen(s) >= sizeof(buf) || hostsz < 64)
		return -EINVAL;
	memcpy(buf, s, strlen(s) + 1);
	colon = strrchr(buf, ':');
	if (colon) {
		*colon = '\0';
		if (parse_uint(colon + 1, 1, 65535, &p) < 0)
			return -EINVAL;
	}
	if (!valid_ipv4(buf) && !valid_hostname(buf))
		return -EINVAL;
	if (strlen(buf) >= hostsz)
		return -EINVAL;
	memcpy(host, buf, strlen(buf) + 1);
	*port = (unsigned)p;
	return 0;
}

bool
power_user_valid(const char *s)
{
	size_t i, n = s ? strlen(s) : 0;

	if (n < 1 || n >= DB_BMC_USER_MAX || s[0] == '-' || s[0] == '.')
		return false; /* never taken for an option of ipmitool */
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return false;
	}
	return true;
}

bool
power_password_valid(const char *s)
{
	size_t i, n = s ? strlen(s) : 0;

	if (n < 1 || n >= DB_BMC_PASS_MAX)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

int
power_settings_check(const struct db_power *p, bool check_password,
		     char *why, size_t whysz)
{
	char host[64];
	unsigned port;

	if (!strcmp(p->method, "none") || !strcmp(p->method, "wol")) {
		if (p->bmc[0] || p->user[0]) {
			snprintf(why, whysz, "--bmc and --bmc-user are for "
					     "--power ipmi");
			return -EINVAL;
		}
		return 0;
	}
	if (strcmp(p->method, "ipmi")) {
		snprintf(why, whysz, "power method: none, ipmi or wol");
		return -EINVAL;
	}
	if (power_bmc_parse(p->bmc, host, sizeof(host), &port) < 0) {
		snprintf(why, whysz, "BMC address: an IPv4 address or host "
				     "name, optionally :PORT");
		return -EINVAL;
	}
	if (!power_user_valid(p->user)) {
		snprintf(why, whysz, "BMC user: 1 to 16 of A-Z a-z 0-9 . _ -");
		return -EINVAL;
	}
	if (check_password && !power_password_valid(p->password)) {
		snprintf(why, whysz, "BMC password: 1 to 20 printable ASCII "
				     "characters, no space");
		return -EINVAL;
	}
	return 0;
}

const struct power_driver *
power_driver_find(const char *method)
{
	size_t i;

	for (i = 0; method && i < ARRAY_SIZE(drivers); i++)
		if (!strcmp(method, drivers[i].method))
			return &drivers[i];
	return NULL;
}

/* ---- the status cache ---------------------------------------------- */

#define CACHE_SLOTS 64

static struct {
	int64_t host_id;
	uint64_t t_ms;
	enum power_state state;
} cache[CACHE_SLOTS];
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static bool
cache_get(int64_t id, enum power_state *ret)
{
	size_t i;
	bool hit = false;

	pthread_mutex_lock(&cache_lock);
	for (i = 0; i < CACHE_SLOTS; i++)
		if (cache[i].host_id == id && id &&
		    mono_ms() - cache[i].t_ms < POWER_CACHE_MS) {
			*ret = cache[i].state;
			hit = true;
			break;
		}
	pthread_mutex_unlock(&cache_lock);
	return hit;
}

static void
cache_put(int64_t id, enum power_state st)
{
	size_t i, oldest = 0;

	pthread_mutex_lock(&cache_lock);
	for (i = 0; i < CACHE_SLOTS; i++) {
		if (cache[i].host_id == id)
			break;
		if (cache[i].t_ms < cache[oldest].t_ms)
			oldest = i;
	}
	if (i == CACHE_SLOTS)
		i = oldest;
	cache[i].host_id = id;
	cache[i].t_ms = mono_ms();
	cache[i].state = st;
	pthread_mutex_unlock(&cache_lock);
}

void
power_cache_forget(int64_t id)
{
	size_t i;

	pthread_mutex_lock(&cache_lock);
	for (i = 0; i < CACHE_SLOTS; i++)
		if (cache[i].host_id == id)
			cache[i].host_id = 0;
	pthread_mutex_unlock(&cache_lock);
}

int
power_run(const struct power_target *t, enum power_action a,
	  struct power_result *res)
{
	const struct power_driver *d = power_driver_find(t->p->method);
	int r;

	memset(res, 0, sizeof(*res));
	res->state = POWER_UNKNOWN;
	if (!d) {
		snprintf(res->msg, sizeof(res->msg),
			 "the host has no power method (bootyard host set "
			 "HOST --power ipmi|wol)");
		return -ENOTSUP;
	}
	if (a == POWER_STATUS && cache_get(t->host_id, &res->state)) {
		res->cached = true;
		snprintf(res->msg, sizeof(res->msg), "power is %s (cached)",
			 power_state_name(res->state));
		return 0;
	}
	if (a != POWER_STATUS)
		power_cache_forget(t->host_id);
	r = d->run(t, a, res);
	if (r == 0 && res->state != POWER_UNKNOWN)
		cache_put(t->host_id, res->state);
	return r;
}
