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
 *   1. decide_plan() says which change of state the request may make (a
 *      token for a flagged install, a one-boot token for a menu choice,
 *      or none) and which change it asked for but may not make (refused);
 *   2. that change is made and decide() told what happened (struct
 *      decide_input.install).
 * The boot core (boot.h) drives both steps for every path; boot_apply
 * makes the change. Callers use boot_decide, not these directly.
 *
 * Who may change what a machine boots next: the boot listener has no
 * authentication and MACs are spoofable, so where the appliance sees
 * leases (dhcp mode) a change is made only for a request from an address
 * leased to a MAC of that host (decide_addr_check); elsewhere only the
 * admin's flag makes a host install. A menu choice never flags a host:
 * it installs that boot only.
 */
#ifndef BOOTYARD_HTTP_DECIDE_H
#define BOOTYARD_HTTP_DECIDE_H

#include <stdbool.h>
#include <stddef.h>

#include "appliance/core/config.h"
#include "db/db.h"
#include "appliance/core/query.h"

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
	INSTALL_NOT_TRIED = 0, /* decide_plan() planned no change */
	INSTALL_ISSUED,        /* token issued: install */
	INSTALL_EXHAUSTED,     /* the host's attempts are spent */
	INSTALL_NO_DISTRO,     /* its distribution does not exist (any more) */
	INSTALL_NO_KERNEL,     /* its distribution has no kernel for the
	                          client's architecture (no token issued) */
	INSTALL_FAILED,        /* the database could not issue one */
	INSTALL_REFUSED,       /* decide_plan() refused the change */
};

/* What the address a request came from says about the MAC it names. */
enum decide_addr {
	DECIDE_ADDR_UNCHECKED = 0, /* not looked up */
	DECIDE_ADDR_LEASED,        /* leased to a MAC of the host (an unknown
	                              MAC: to that MAC) */
	DECIDE_ADDR_NOT_LEASED,    /* leased to nobody, or to another machine,
	                              or not an IPv4 address */
};

/* The change of state a request may make (decide_plan). */
enum decide_change {
	DECIDE_CHANGE_NONE = 0,
	DECIDE_CHANGE_ISSUE, /* flagged install: issue a token, which spends
	                        one attempt and supersedes the host's token */
	DECIDE_CHANGE_ONCE,  /* menu choice: a one-boot token; the host (its
	                        action, attempts, token) is not changed */
};

struct decide_plan {
	enum decide_change change;
	const char *distro; /* with ISSUE or ONCE: what to install */
	/* a change was asked for and may not be made: why (static:
	 * "address-not-leased", "menu-install-off"); change is NONE */
	const char *refused;
	/* the plan depends on the request's address: look its lease up
	 * (decide_addr_check) and plan again with it */
	bool need_address;
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
	/* distro_arches[i]: the kernel architectures of distros[i],
	 * space-separated ("amd64 arm64"); a menu offers a client only the
	 * distributions with a kernel for its architecture. NULL: offer
	 * every one */
	const char *const *distro_arches;
	/* dhcp mode: the leases table says which address each MAC holds, so
	 * a change of state needs a request from the host's address */
	bool leases_known;
	/* a menu choice may not install: menus offer no install ([boot]
	 * menu_install = no; auto where leases are not known) */
	bool menu_install_off;
};

struct decide_input {
	const struct boot_request *req;
	const struct db_host *host; /* NULL: unknown MAC */
	const struct decide_policy *policy;
	enum install_state install;
	const struct db_distro *distro; /* with INSTALL_ISSUED */
	const char *token;              /* with INSTALL_ISSUED */
	bool once;           /* with INSTALL_ISSUED: a one-boot token */
	const char *refused; /* with INSTALL_REFUSED: decide_plan's reason */
};

/*
 * The decision. Pointers refer into the decide_input/policy given to
 * decide() and live as long as they do.
 */
struct decision {
	enum decision_kind kind;
	const char *reason; /* static: why (goes into the event) */
	/* a change the request asked for was refused: the answer is a
	 * refusal (HTTP 403) whose body boots the local disk */
	bool refused;
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
	const char *distros[DECIDE_MENU_DISTROS]; /* those with a kernel for
	                                             kernel_arch */
	size_t n_distros;
	/* the client's kernel architecture (arch_client_kernel_arch) and
	 * whether its platform has no memory test (memtest86+ is x86
	 * only): no menu item, a menu instead of DECISION_MEMTEST */
	const char *kernel_arch;
	bool no_memtest;
	/* DECISION_INSTALL; with reason "no-kernel-for-arch" (a menu) the
	 * distribution that has no kernel for kernel_arch */
	const char *distro;
	const char *token;
	const char *kernel; /* kernel_arch's: path under files_dir, or URL */
	const char *initrd; /* space-separated list, may be "" */
	char cmdline[DB_CMDLINE_MAX + 256]; /* expanded, token appended */
};

/*
 * decide_install_wanted - true when decide() would install, given a token:
 * the host is flagged for install, or a menu choice asked for one where a
 * menu is what the host gets. *ret_distro (may be NULL) is set to the
 * distribution name to install (the host's, or the menu choice's). Says
 * nothing about whether the request may have it: see decide_plan.
 */
bool decide_install_wanted(const struct boot_request *req,
                           const struct db_host *host,
                           const struct decide_policy *pol,
                           const char **ret_distro);

/*
 * decide_plan - the change of state the request may make, in *ret:
 *   - nothing wanted (decide_install_wanted says no): NONE;
 *   - a menu choice to install where menu installs are off: refused
 *     "menu-install-off";
 *   - pol->leases_known and addr UNCHECKED: need_address (look the
 *     address up, plan again);
 *   - pol->leases_known and the address is not leased to the host:
 *     refused "address-not-leased" (nothing may change: no token, no
 *     attempt spent, no token superseded);
 *   - else a flagged host: ISSUE; a menu choice: ONCE (that boot only).
 * Where leases are not known (proxy, off) a flagged host's request is
 * an ISSUE from any address: the admin flagged it.
 */
void decide_plan(const struct boot_request *req, const struct db_host *host,
                 const struct decide_policy *pol, enum decide_addr addr,
                 struct decide_plan *ret);

/*
 * decide_addr_check - LEASED when holder (the MAC that holds the
 * request's address now, "" or NULL: nobody) is a MAC of host, or, for an
 * unknown MAC (host NULL), the MAC the request names; else NOT_LEASED.
 */
enum decide_addr decide_addr_check(const struct boot_request *req,
                                   const struct db_host *host,
                                   const char *holder);

/*
 * decide - compute the decision for in. Returns 0 and fills *ret, or
 * -EINVAL when the input is inconsistent (no request or policy, ISSUED
 * without distro or token) or the distro's command line does not expand
 * (a bad template); the caller then serves local boot.
 */
int decide(const struct decide_input *in, struct decision *ret);

/* decision_menu_valid - d's menu items (distribution names, hostname)
 * are fit to render. */
bool decision_menu_valid(const struct decision *d);

/* decision_no_kernel - d is "no-kernel-for-arch" and names a valid
 * distribution and architecture (the menu says which). */
bool decision_no_kernel(const struct decision *d);

/* decide_kernel_arch - the kernel architecture of req's client
 * (arch_client_kernel_arch on its buildarch, option 93 code and
 * platform). Never NULL. */
const char *decide_kernel_arch(const struct boot_request *req);

/* decision_kind_name - "install", "local", "menu", "memtest", "shell". */
const char *decision_kind_name(enum decision_kind k);

/*
 * decision_describe - one line for the event log and access log:
 * "menu reason=unknown-mac platform=efi" (at most bufsz-1 bytes).
 */
void decision_describe(const struct decision *d, char *buf, size_t bufsz);

#endif
