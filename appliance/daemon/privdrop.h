/*
 * privdrop.h - least privilege for `bootyard serve`.
 *
 * The root supervisor keeps only what needs root (starting dnsmasq, which
 * binds ports 67/69 and drops to the same user itself); the HTTP service
 * runs in a child process that binds its sockets as root and then drops
 * to [appliance] user for good.
 *
 * The boundary on disk (docs/deploy.md, "Trust boundary"): the service
 * user can write only the database in <state_dir>/db (root's, in that
 * user's group, group-writable). The state
 * directory, the runtime directory (dnsmasq config, hosts file, status),
 * the TFTP tree and the TLS material are root's, and root never reads,
 * runs or writes through a path that user (or anyone but root) can
 * change: privdrop_path_safe refuses such a path at start.
 */
#ifndef BOOTYARD_PRIVDROP_H
#define BOOTYARD_PRIVDROP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * privdrop_lookup - whether privileges can and should be dropped: true
 * (and *ret_uid, *ret_gid) when running as root and user names an
 * existing account other than root. Otherwise false with the reason in
 * why ("" when running unprivileged already or user is root).
 */
bool privdrop_lookup(const char *user, uid_t *ret_uid, gid_t *ret_gid,
		     char *why, size_t whysz);

/* The database's own directory in state_dir, and its file name. */
#define PRIVDROP_DB_DIR "db"
#define PRIVDROP_DB_NAME "bootyard.db"

/* What privdrop_layout changed (*ret_done bits), for the caller's log. */
#define PRIVDROP_TOOK_STATE_DIR 0x1 /* state_dir was uid's: now root's */
#define PRIVDROP_MOVED_DB 0x2       /* <state_dir>/bootyard.db -> db/ */
#define PRIVDROP_REMOVED_LINK 0x4   /* a non-file at db/bootyard.db-wal|shm */

/*
 * privdrop_layout - the state directory as the boundary wants it, run
 * as root before anything is read from it: state_dir created (0755) if
 * missing; taken back (root:root 0755) when the service user uid owns it
 * (the old layout, where that user could replace the runtime directory);
 * <state_dir>/db created, root:gid 02770 (the user writes there through
 * its group; root owns it and reaches it through that group too, the
 * caller having made gid root's supplementary group); a database of the
 * old layout
 * (<state_dir>/bootyard.db, -wal, -shm) moved into it; anything but a
 * regular file at db/bootyard.db-wal or -shm removed. Everything is
 * done relative to directory descriptors opened O_NOFOLLOW. uid 0: no
 * service user (nothing is taken back). Returns 0 (and *ret_done) or
 * -errno with a one-line reason in why.
 */
int privdrop_layout(const char *state_dir, uid_t uid, gid_t gid,
		    unsigned *ret_done, char *why, size_t whysz);

/*
 * privdrop_own - the database directory root:gid 02770 and its files (the
 * database, its WAL and SHM files) root:gid 0660: the service user reads
 * and writes them through its group, and cannot chmod them to lock root
 * out. No link planted at any of those names is followed. Needs neither
 * CAP_DAC_OVERRIDE nor CAP_FOWNER, and CAP_CHOWN only to take a file back
 * from another owner (a file of the old layout). Missing files are
 * skipped. Returns 0 or the first -errno.
 */
int privdrop_own(const char *db_dir, gid_t gid);

/*
 * privdrop_path_safe - 0 when root may read and write through path:
 * every directory on the way (each prefix as written, and where each
 * resolves to) is owned by root and writable by nobody else (group root
 * and sticky directories such as /tmp excepted). The part of path that
 * does not exist yet is not checked (root creates it, below a safe
 * directory). -EPERM with a one-line reason naming the component
 * otherwise (-errno when a component cannot be examined).
 */
int privdrop_path_safe(const char *path, char *why, size_t whysz);

/*
 * privdrop_to - become user (supplementary groups, gid, uid) for good and
 * check that root cannot be regained. Returns 0 or -errno.
 */
int privdrop_to(const char *user, uid_t uid, gid_t gid);

#endif
