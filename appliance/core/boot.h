/*
 * boot.h - the boot core: what a machine boots next, and the install
 * state machine behind it, in one place for every path that answers a
 * client: the iPXE config endpoint (http/server.c), the grub files of
 * Secure Boot clients and their menu choices (appliance/build/grubcfg.c)
 * and the installer's done call.
 *
 *   boot_decide()  pure (no database, no I/O, no clock, no randomness):
 *                  the host record, the request and the policy in; the
 *                  answer (a struct decision, for a renderer) and the
 *                  change of state it makes out;
 *   boot_apply()   the one place that writes that change to the
 *                  database (db/db.h) and reads what the answer needs
 *                  (the distribution, a fetch count);
 *   boot_policy()  the policy, from the config (cfg_policy) once.
 *
 * The renderers (render_ipxe, render_grub, bootscript, template) only
 * turn a decision into text.
 *
 * The install state machine. A host flagged "install" (the admin's
 * flag) or a menu choice gets an install token; the token is spent by
 * the installer's done call. On the way:
 *
 *   event     state                           change       then
 *   ASK       flagged, may change             ISSUE        install (one
 *                                                          attempt spent),
 *                                                          or the menu when
 *                                                          the attempts are
 *                                                          spent
 *   ASK       menu choice "install", may      ONCE         install that
 *             change                                       boot only
 *   ASK       a change it may not make        NONE         local, refused
 *   RENDER    flagged, no token               ISSUE        install (grub)
 *   RENDER    flagged, a token                NONE         install with it,
 *                                                          the menu once its
 *                                                          fetches are spent
 *   FETCHED   flagged                         SPEND        a fetch counted
 *   FETCHED   its fetches spent (> budget)    GIVE_UP      host -> menu
 *   DONE      a live token                    DONE         host -> local
 *
 * "May change" (decide_plan): in dhcp mode only a request from the
 * address leased to the host's MAC; a menu choice only where menu
 * installs are on; an unknown MAC over its rate of new MACs not at all.
 *
 * The protocol. A caller fills struct boot_input and calls boot_decide()
 * until the answer is final:
 *   - need_address: look the request's address up (decide_addr_check),
 *     set in->addr, call again;
 *   - need_apply: boot_apply() the answer into a struct boot_applied,
 *     point in->applied at it, call again (with the host boot_apply may
 *     have re-read);
 *   - otherwise final: for ASK and RENDER, answer->decision is what to
 *     render (it points into the input, the policy and the applied
 *     state: keep them until it is rendered, then boot_applied_free).
 * A path never writes the install state itself.
 */
#ifndef BOOTYARD_CORE_BOOT_H
#define BOOTYARD_CORE_BOOT_H

#include <stdbool.h>
#include <stdint.h>

#include "appliance/core/config.h"
#include "appliance/core/decide.h"
#include "appliance/core/query.h"
#include "db/db.h"

/* The event the loader's per-MAC install file is counted by (RENDER,
 * FETCHED): one per fetch of the file, since the token was issued. */
#define BOOT_FETCH_EVENT "grub-fetch"

enum boot_event {
	BOOT_ASK,     /* a client asks what to boot now: the iPXE config
	                 request, a menu choice (iPXE or grub) */
	BOOT_RENDER,  /* a loader's per-MAC file is rendered ahead of the
	                 ask (grub for Secure Boot clients) */
	BOOT_FETCHED, /* the loader fetched that file (grub over TFTP) */
	BOOT_DONE,    /* the installer calls done with its token */
};

enum boot_change {
	BOOT_CHANGE_NONE = 0,
	BOOT_CHANGE_ISSUE,   /* a flagged host's install token: spends one
	                        attempt, supersedes its token
	                        (db_install_issue_for) */
	BOOT_CHANGE_ONCE,    /* a menu choice: a one-boot token, the host
	                        (action, attempts, token) untouched
	                        (db_install_once) */
	BOOT_CHANGE_SPEND,   /* a fetch of a rendered install file: one
	                        attempt spent (event BOOT_FETCH_EVENT) */
	BOOT_CHANGE_GIVE_UP, /* the attempts are spent without done: the
	                        host goes to "menu" (event
	                        "install-exhausted") */
	BOOT_CHANGE_DONE,    /* the install is over: the token is used, its
	                        host goes to "local" (db_install_done) */
};

/* What boot_apply() did: the input of the next boot_decide(). */
struct boot_applied {
	enum boot_change change;    /* the change applied (NONE: only read) */
	int rc;                     /* 0, or the first -errno of the way */
	enum install_state install; /* ISSUED: distro and token are set */
	bool once;                  /* ISSUED: a one-boot token */
	struct db_distro distro;
	bool have_distro;
	char token[TOKEN_LEN + 1];
	bool counted;     /* fetches was counted */
	unsigned fetches; /* of the install file since the token was issued
	                     (this fetch included) */
};

struct boot_input {
	enum boot_event event;
	/* ASK, RENDER: the request (RENDER: the one the loader will make:
	 * its MAC and platform) */
	const struct boot_request *req;
	const struct db_host *host; /* NULL: an unknown MAC */
	const struct decide_policy *policy;
	/* ASK: what the request's address says (after need_address) */
	enum decide_addr addr;
	/* ASK: an unknown MAC whose address added its quota of new MACs:
	 * nothing may be stored for it, not even a one-boot token */
	bool unrecorded;
	/* RENDER: the one-boot install the MAC's file holds (a grub menu
	 * choice not fetched yet), or NULL */
	const char *held_distro;
	const char *held_token;
	/* FETCHED: the file fetched (for the events) */
	const char *file;
	/* DONE: the installer's token (validated) */
	const char *token;
	/* what boot_apply did with the last answer, NULL before */
	const struct boot_applied *applied;
};

struct boot_answer {
	/* not final: look the request's address up, call again */
	bool need_address;
	/* not final: boot_apply() this answer, call again */
	bool need_apply;
	/* with need_apply: the change, and what boot_apply needs for it */
	enum boot_change change;
	int64_t host_id;    /* 0: no host (an unknown MAC's one-boot token) */
	const char *mac;    /* ONCE, SPEND, GIVE_UP, and with kernel_arch:
	                       the MAC asking */
	const char *distro; /* the distribution the answer installs (read
	                       by boot_apply); ISSUE: only while the host is
	                       still flagged for it, if cas */
	bool cas;
	/* ASK, RENDER: the client's kernel architecture (static): no token
	 * is issued for a distribution without a kernel for it (then
	 * INSTALL_NO_KERNEL and an event "install-no-kernel") */
	const char *kernel_arch;
	const char *token;     /* NONE: the token already handed out that the
	                          answer carries again; DONE: the one to end */
	bool once;             /* the install is a one-boot one */
	unsigned max_attempts; /* ISSUE */
	bool count_fetches;    /* count the host's file fetches after */
	const struct db_host *host; /* SPEND, GIVE_UP, counting: whose */
	const char *file;           /* SPEND, GIVE_UP: for the events */
	/* final, ASK and RENDER: what to render */
	struct decision decision;
};

/*
 * boot_decide - the answer to in and the change of state it makes, into
 * *ret (see the protocol above). Pure. Returns 0, or -EINVAL when the
 * input is inconsistent (no request or policy where the event needs
 * one) or decide() refuses it (a distribution's command line that does
 * not expand); the caller then serves local boot.
 */
int boot_decide(const struct boot_input *in, struct boot_answer *ret);

/*
 * boot_apply - make ans real: read the distribution it installs, make
 * its change (generating the token), count the host's fetches, and say
 * how it went in *ret (free it with boot_applied_free). host is the
 * caller's record of ans's host (may be NULL): when the host changed
 * under the change (-ESTALE) it is read again there, as it is after a
 * token issued for a rendered file. Returns 0, or -EBUSY when the
 * database stayed locked (the boot path tells the client to retry; the
 * answer may still be decided: *ret says FAILED), or the -errno of a
 * SPEND that could not be recorded. Every other failure is in *ret
 * (install state, rc) for boot_decide to answer.
 */
int boot_apply(struct db *db, const struct boot_answer *ans,
               struct db_host *host, struct boot_applied *ret);

/* boot_applied_free - free what *a holds (NULL ok). */
void boot_applied_free(struct boot_applied *a);

/*
 * boot_policy - the policy for boot_decide from cfg (cfg_policy): boot
 * URLs under base_url, names (may be NULL: none) offered for reinstall
 * in menus; *ret points into both.
 */
void boot_policy(const struct by_config *cfg, const char *base_url,
                 const struct db_distro_names *names,
                 struct decide_policy *ret);

#endif
