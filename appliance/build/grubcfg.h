/*
 * grubcfg.h - the grub files of the TFTP tree for uefi_loader = shim
 * (Secure Boot): the per-host decision, rendered ahead of time, because
 * Debian's signed grub reads its configuration over TFTP only
 * (appliance/core/render_grub.h, docs/secureboot.md).
 *
 *   <tftp>/grub/grub.cfg          the dispatcher
 *   <tftp>/grub/default.cfg       unknown machines ([boot] unknown)
 *   <tftp>/grub/mac/<mac>.cfg     one per MAC of every host
 *   <tftp>/files                  a link to [http] files_dir (kernels)
 *
 * Every file is written with write + rename and only when its content
 * changes; a render failure leaves the previous file in place. Files of
 * MACs no host has any more are removed.
 *
 * Install once over grub: rendering a host flagged for install issues
 * its install token when it has none, and the file carries it; the
 * install state machine (issue, spend a fetch, give up) is the boot
 * core's (appliance/core/boot.h: RENDER, FETCHED), as on the iPXE path. The attempt budget ([boot] install_attempts) counts TFTP
 * fetches of the host's file since the token was issued (each fetch is
 * recorded as an event "grub-fetch"): once the budget is spent the file
 * is rendered as the menu for the next fetch while the token already
 * handed out stays valid; a fetch after that sets the host to "menu"
 * with an event "install-exhausted". The installer's done call sets the
 * host to local (db_install_done) and the next render says so.
 *
 * A "Reinstall D" chosen in a grub menu installs that boot only, as the
 * iPXE menu's choice does (docs/http.md, "Who may change what a machine
 * boots next"): it records a one-boot token (db_install_once; the host
 * is not flagged, an unknown MAC gets no host) and renders the MAC's
 * file with that install; the daemon remembers that the file holds a
 * one-boot install (struct grubcfg_once, its memory only) until grub
 * has fetched it, or GRUBCFG_ONCE_WAIT_MS have passed
 * (grubcfg_once_expire), and then renders the file back to what the
 * machine normally gets. A restart of the daemon forgets it: the menu
 * again, the safe side.
 *
 * Who renders: only the daemon (it owns the TFTP tree). It renders
 * everything at start, after every database change it notices
 * (grubcfg_db_changed: the CLI, the admin API and the installer's done
 * call only write the database), and a host at once after a TFTP fetch
 * of its file (grubcfg_tftp_event).
 */
#ifndef BOOTYARD_GRUBCFG_H
#define BOOTYARD_GRUBCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "appliance/core/config.h"
#include "db/db.h"

#define GRUBCFG_ONCE_MAX 64         /* one-boot files awaiting a fetch */
#define GRUBCFG_ONCE_WAIT_MS 60000 /* how long one waits for grub */

/* MACs whose file holds a one-boot install (a grub menu choice) that
 * grub has not fetched yet. Zero it before first use. */
struct grubcfg_once {
	struct grubcfg_once_entry {
		char mac[MAC_STR_LEN];
		char distro[NAME_MAX_LEN + 1];
		char token[TOKEN_LEN + 1];
		uint64_t until_ms; /* mono_ms(): then the menu again */
	} v[GRUBCFG_ONCE_MAX];
	size_t n;
};

/* Where and for whom the files are rendered. */
struct grubcfg_site {
	const struct by_config *cfg; /* [boot] policy, [http] files_dir */
	const char *tftp_dir;        /* the TFTP root */
	const char *server;          /* IPv4 grub reads from (TFTP) */
	const char *http_base;       /* boot URL base (install file, done) */
	struct grubcfg_once *once;   /* the daemon's; NULL: menu choices
	                                are refused */
};

struct grubcfg_report {
	unsigned written;   /* files (re)written */
	unsigned unchanged; /* files already up to date */
	unsigned removed;   /* files of MACs no host has */
	unsigned failed;    /* files not rendered (the old one stays) */
	char error[512];    /* the first failure, "" when none */
};

/*
 * grubcfg_render_all - render grub.cfg, default.cfg and every host's
 * files, remove stale per-MAC files, make the files link. Returns 0 (see
 * rep->failed for hosts that could not be rendered) or -errno when the
 * grub directory itself cannot be written or the database read.
 */
int grubcfg_render_all(struct db *db, const struct grubcfg_site *site,
                       struct grubcfg_report *rep);

/*
 * grubcfg_render_mac - render the file of the host that has mac (or
 * remove the file when no host has it). 0 or -errno; a failure leaves
 * the previous file.
 */
int grubcfg_render_mac(struct db *db, const struct grubcfg_site *site,
                       const char *mac, struct grubcfg_report *rep);

/*
 * grubcfg_tftp_event - dnsmasq sent (sent = true) or did not find file
 * (relative to the TFTP root) for the client whose MAC the daemon mapped
 * from its address (mac, "" when unknown). A sent grub/mac/<mac>.cfg
 * spends an install attempt (a flagged host) or, sent to that MAC
 * itself, ends a one-boot install (the file is rendered back to the
 * menu) and re-renders the host; a
 * missing grub/choice/<mac>/install/<distro>.cfg is a menu choice
 * (accepted only from that MAC, only where the machine gets the menu
 * and [boot] menu_install allows it, else -EPERM and nothing changes):
 * a one-boot token is recorded and the MAC's file rendered with that
 * install; the host is neither flagged nor created. Other files: 0,
 * nothing done. Returns 0 or -errno.
 */
int grubcfg_tftp_event(struct db *db, const struct grubcfg_site *site,
                       bool sent, const char *file, const char *mac,
                       struct grubcfg_report *rep);

/*
 * grubcfg_once_expire - render back the files of one-boot installs that
 * grub did not fetch within GRUBCFG_ONCE_WAIT_MS (call it every second).
 * 0 or the first -errno.
 */
int grubcfg_once_expire(struct db *db, const struct grubcfg_site *site,
                        struct grubcfg_report *rep);

/* What the database files looked like at the last check. */
struct grubcfg_watch {
	struct stat db, wal;
	bool have_db, have_wal;
	bool primed;
};

/*
 * grubcfg_db_changed - whether the database at db_path (or its WAL) was
 * written since the last call (true on the first call). A stat of two
 * files: cheap enough to call every second.
 */
bool grubcfg_db_changed(struct grubcfg_watch *w, const char *db_path);

/*
 * grubcfg_mac_path - "<tftp_dir>/grub/mac/<mac>.cfg" into out.
 * 0 or -ENAMETOOLONG.
 */
int grubcfg_mac_path(const char *tftp_dir, const char *mac, char *out,
                     size_t outsz);

#endif
