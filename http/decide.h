/*
 * decide.h - the one decision: given a host record (or none), a validated
 * request and the site policy, what should this machine boot?
 *
 * Pure: no SQL, no sockets, no clock, no randomness. The result, struct
 * decision, is the complete input of every renderer (iPXE today, grub for
 * Secure Boot clients next); renderers make no decisions of their own.
 *
 * Installing needs two steps because a token must be issued (a database
 * write) between them:
 *   1. decide_install_wanted() says whether to try an install, and of
 *      which distribution;
 *   2. the caller issues a token (db_install_issue) and calls decide()
 *      with what happened (struct decide_input.install).
 */
#ifndef BOOTYARD_HTTP_DECIDE_H
#define BOOTYARD_HTTP_DECIDE_H

#include <stdbool.h>
#include <stddef.h>

#include "appliance/config.h"
#include "db/db.h"
#include "http/query.h"

#define DECIDE_MENU_DISTROS 32 /* reinstall items in a menu */

enum decision_kind {
	DECISION_INSTALL,
	DECISION_LOCAL,
	DECISION_MENU,
	DECISION_MEMTEST,
	DECISION_SHELL,
};

/* What happened when the caller tried to issue an install token. */
enum install_state {
	INSTALL_NOT_TRIED = 0, /* decide_install_wanted() said no */
	INSTALL_ISSUED,        /* token issued: install */
	INSTALL_EXHAUSTED,     /* the host's attempts are spent */
	INSTALL_NO_DISTRO,     /* its distribution does not exist (any more) */
	INSTALL_FAILED,        /* the database could not issue one */
};

/* The site's policy, from the config file and the distro table. */
struct decide_policy {
	const char *base_url;     /* "http://198.18.0.1[:port]" */
	enum cfg_unknown unknown; /* unknown MACs: menu | local */
	unsigned menu_timeout;    /* seconds */
	unsigned install_attempts;
	enum cfg_local_boot local_bios; /* never LOCAL_BOOT_DEFAULT */
	enum cfg_local_boot local_efi;
	const char *const *distros; /* names offered for reinstall */
	size_t n_distros;
};

struct decide_input {
	const struct boot_request *req;
	const struct db_host *host; /* NULL: unknown MAC */
	const struct decide_policy *policy;
	enum install_state install;
	const struct db_distro *distro; /* with INSTALL_ISSUED */
	const char *token;              /* with INSTALL_ISSUED */
};

/*
 * The decision. Pointers refer into the decide_input/policy given to
 * decide() and live as long as they do.
 */
struct decision {
	enum decision_kind kind;
	const char *reason; /* static: why (goes into the event) */
	enum boot_platform platform;
	char mac[MAC_STR_LEN];
	const char *hostname; /* "" for unknown hosts */
	/* local boot, resolved per platform (never LOCAL_BOOT_DEFAULT); also
	 * the fallback of every other kind when a fetch keeps failing */
	enum cfg_local_boot local_bios;
	enum cfg_local_boot local_efi;
	const char *base_url;
	/* DECISION_MENU */
	unsigned menu_timeout;
	const char *const *distros;
	size_t n_distros;
	/* DECISION_INSTALL */
	const char *distro;
	const char *token;
	const char *kernel; /* path under files_dir, or URL */
	const char *initrd; /* space-separated list, may be "" */
	char cmdline[DB_CMDLINE_MAX + 256]; /* expanded, token appended */
};

/*
 * decide_install_wanted - true when decide() would install, given a token:
 * the host is flagged for install, or a menu choice asked for one where a
 * menu is what the host gets. *ret_distro (may be NULL) is set to the
 * distribution name to install (the host's, or the menu choice's).
 */
bool decide_install_wanted(const struct boot_request *req,
                           const struct db_host *host,
                           const struct decide_policy *pol,
                           const char **ret_distro);

/*
 * decide - compute the decision for in. Returns 0 and fills *ret, or
 * -EINVAL when the input is inconsistent (no request or policy, ISSUED
 * without distro or token) or the distro's command line does not expand
 * (a bad template); the caller then serves local boot.
 */
int decide(const struct decide_input *in, struct decision *ret);

/* decision_kind_name - "install", "local", "menu", "memtest", "shell". */
const char *decision_kind_name(enum decision_kind k);

/*
 * decision_describe - one line for the event log and access log:
 * "menu reason=unknown-mac platform=efi" (at most bufsz-1 bytes).
 */
void decision_describe(const struct decision *d, char *buf, size_t bufsz);

#endif
