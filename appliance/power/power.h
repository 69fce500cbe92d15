/*
 * power.h - power control of a host: a table of drivers, one per method
 * (ipmi: ipmitool over LAN; wol: a Wake-on-LAN magic packet), so that
 * Redfish can be one more entry. Only this module starts ipmitool; only
 * the daemon calls it (the admin API: http/admin_power.c).
 *
 * The BMC password reaches ipmitool in its environment (IPMI_PASSWORD,
 * ipmitool -E), never on a command line. Functions return 0 or -errno
 * and write a one-line reason for a person into res->msg; nothing here
 * logs.
 */
#ifndef BOOTYARD_POWER_H
#define BOOTYARD_POWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/db.h"

enum power_action {
	POWER_STATUS,
	POWER_ON,
	POWER_OFF,
	POWER_CYCLE,
	POWER_RESET,
	POWER_BOOT_PXE, /* the next boot from the network, once */
};

enum power_state { POWER_UNKNOWN = -1, POWER_IS_OFF = 0, POWER_IS_ON = 1 };

#define POWER_CACHE_MS 5000   /* a status read is reused this long */
#define POWER_IPMI_TIMEOUT 2  /* ipmitool -N: seconds per try */
#define POWER_IPMI_RETRIES 1  /* ipmitool -R */
#define POWER_WOL_PORT 9

/* power_action_parse / power_action_name - "status" "on" "off" "cycle"
 * "reset" (and "bootdev-pxe"). parse: 0 or -EINVAL. */
int power_action_parse(const char *s, enum power_action *ret);
const char *power_action_name(enum power_action a);
const char *power_state_name(enum power_state s);

/*
 * power_bmc_parse - a BMC address as bootyard accepts one: an IPv4
 * address (valid_ipv4) or a host name (valid_hostname), optionally
 * ":PORT" (1..65535, default 623). 0 and host (hostsz >= 64) / *port,
 * or -EINVAL.
 */
int power_bmc_parse(const char *s, char *host, size_t hostsz,
		    unsigned *port);

/* power_user_valid - an IPMI user name: 1..16 of [A-Za-z0-9._-], not
 * starting with '-' or '.'. */
bool power_user_valid(const char *s);

/* power_password_valid - an IPMI 2.0 password: 1..20 printable ASCII
 * bytes (no space, no control character). */
bool power_password_valid(const char *s);

/*
 * power_settings_check - the whole of a host's settings: method none,
 * wol (no BMC fields), or ipmi (a BMC address and a user; the password
 * is checked only when check_password). 0, or -EINVAL and why.
 */
int power_settings_check(const struct db_power *p, bool check_password,
			 char *why, size_t whysz);

/* What a driver acts on. */
struct power_target {
	int64_t host_id;           /* the status cache's key */
	const struct db_power *p;  /* with the password, for ipmi */
	char mac[MAC_STR_LEN];     /* the host's first MAC, for wol */
	bool uefi;                 /* boot device: options=efiboot */
	char wol_ifaddr[16];       /* wol: the serving interface's address */
	unsigned wol_prefix;       /* and prefix */
	unsigned timeout_s;        /* 0 = POWER_IPMI_TIMEOUT */
};

struct power_result {
	enum power_state state; /* after status (and after on/off) */
	bool cached;            /* the status came from the cache */
	char msg[256];          /* what happened, for a person */
};

struct power_driver {
	const char *method; /* "ipmi" */
	int (*run)(const struct power_target *t, enum power_action a,
		   struct power_result *res);
};

/* power_driver_find - the driver of method, NULL for none/unknown. */
const struct power_driver *power_driver_find(const char *method);

/*
 * power_run - run action a on t through its method's driver; a status
 * is answered from a cache of POWER_CACHE_MS, and any other action
 * drops the cached status. 0, or -errno with res->msg: -ENOTSUP (no
 * method / the method cannot do a), -ETIMEDOUT (the BMC did not
 * answer), -EACCES (refused the credentials), -EIO (anything else).
 */
int power_run(const struct power_target *t, enum power_action a,
	      struct power_result *res);

/* power_cache_forget - drop host id's cached status. */
void power_cache_forget(int64_t host_id);

/* ipmi.c / wol.c: the drivers */
int power_ipmi_run(const struct power_target *t, enum power_action a,
		   struct power_result *res);
int power_wol_run(const struct power_target *t, enum power_action a,
		  struct power_result *res);

/*
 * power_wol_packet - the magic packet for mac: 6 x 0xff, then the MAC 16
 * times (102 bytes) into out. 0 or -EINVAL.
 */
int power_wol_packet(const char *mac, unsigned char out[102]);

/* power_ipmi_classify - the result of an ipmitool run from its exit
 * status (-ETIMEDOUT: killed at the deadline), its stderr, and whether
 * it ended before one try's timeout (fast): 0, -EACCES, -ETIMEDOUT or
 * -EIO. */
int power_ipmi_classify(int status, const char *err, bool fast);

#endif
