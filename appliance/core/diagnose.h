/*
 * diagnose.h - where a machine's boot got to, and why it stopped: a pure
 * function of its recent events (db_event, oldest first), shared by the
 * CLI (`bootyard events MAC`, `host show`), the admin API and the console.
 *
 * The chain: DHCP offer -> lease -> boot file (TFTP/HTTP) -> iPXE config
 * -> kernel/initrd -> installer -> done -> local disk. The events of the
 * last boot are walked; a boot is over when it reached an end (the config
 * said local or menu, done, a file not found) or when nothing happened
 * for DIAG_STALL_MS: then the stage it stopped at names the likely cause.
 */
#ifndef BOOTYARD_CORE_DIAGNOSE_H
#define BOOTYARD_CORE_DIAGNOSE_H

#include <stddef.h>
#include <stdint.h>

#include "db/db.h"

/* No event for this long and the boot counts as stopped where it is. */
#define DIAG_STALL_MS (120 * 1000)
/* A DHCP event this long after the previous event starts a new boot. */
#define DIAG_NEW_BOOT_MS (10 * 60 * 1000)

enum diag_stage {
	DIAG_STAGE_NONE,      /* no event */
	DIAG_STAGE_OFFER,     /* a DHCP server offered an address */
	DIAG_STAGE_LEASE,     /* it took the lease */
	DIAG_STAGE_BOOTFILE,  /* fetched its boot file (iPXE, grub) */
	DIAG_STAGE_CONFIG,    /* fetched its iPXE config (or grub's) */
	DIAG_STAGE_KERNEL,    /* the config said install: kernel/initrd */
	DIAG_STAGE_INSTALLER, /* the installer fetched its answer file */
	DIAG_STAGE_DONE,      /* the installer called back */
	DIAG_STAGE_LOCAL,     /* the config said: boot the local disk */
};

enum diag_cause {
	DIAG_OK,               /* booting, or ended where it should */
	DIAG_NEVER_SEEN,       /* no event at all */
	DIAG_NO_REQUEST,       /* offered, never requested */
	DIAG_NAK,              /* the DHCP server refused its request */
	DIAG_NO_BOOTFILE,      /* lease, never asked for its boot file */
	DIAG_BOOTFILE_MISSING, /* asked for a file that is not there */
	DIAG_NO_CONFIG,        /* loaded iPXE, never fetched its config */
	DIAG_REFUSED,          /* the config was refused (unknown MAC) */
	DIAG_CONFIG_ERROR,     /* the config could not be made */
	DIAG_NO_KERNEL,        /* install started, kernel never fetched */
	DIAG_NO_ANSWER,        /* kernel booted, no answer file fetched */
	DIAG_NO_CALLBACK,      /* installer ran, never called back */
	DIAG_EXHAUSTED,        /* install attempts spent: set to menu */
	DIAG_MENU,             /* was given the menu and stopped there */
};

/* What the events do not say; all optional (zero = unknown). */
struct diag_ctx {
	int64_t now_ms;           /* 0: never counts as stopped by time */
	unsigned attempts;        /* install scripts served since flagged */
	unsigned max_attempts;    /* [install] attempts */
	const char *uefi_loader;  /* [dhcp] uefi_loader, for the advice */
};

struct diagnosis {
	enum diag_stage stage; /* the furthest stage of the last boot */
	enum diag_cause cause;
	int stopped;           /* 1: the boot ended or stalled here */
	int failed;            /* 1: it stopped on a fault (cause != OK) */
	int64_t since_ms;      /* the last event's time, 0 = none */
	size_t boot_start;     /* index of the last boot's first event */
	char text[320];        /* in a sysadmin's words */
	char appliance[DB_APPLIANCE_MAX]; /* the appliance that recorded the
					     last event ("" = not known) */
};

/* diag_stage_name - "none", "offer", "lease", "bootfile", "config",
 * "kernel", "installer", "done", "local". */
const char *diag_stage_name(enum diag_stage s);
/* diag_cause_name - a short key: "ok", "never-seen", "no-request", ... */
const char *diag_cause_name(enum diag_cause c);

/*
 * diagnose - fill *out from ev[0..n) (one MAC's events, oldest first;
 * kinds and details as the appliance records them) and ctx (NULL ok).
 * Returns 0, -EINVAL (out NULL, or ev NULL with n > 0).
 */
int diagnose(const struct db_event *ev, size_t n, const struct diag_ctx *ctx,
             struct diagnosis *out);

/* Events read for one diagnosis: the newest of the MAC. */
#define DIAG_EVENTS_MAX 96

/*
 * diagnose_mac - diagnose mac from its newest DIAG_EVENTS_MAX events in
 * db (diagnose_db.c: the one part that reads the database). 0, -errno.
 */
int diagnose_mac(struct db *db, const char *mac, const struct diag_ctx *ctx,
                 struct diagnosis *out);

#endif
