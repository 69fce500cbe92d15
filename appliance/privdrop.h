/*
 * privdrop.h - least privilege for `bootyard serve`.
 *
 * The root supervisor keeps only what needs root (starting dnsmasq, which
 * binds ports 67/69 and drops to the same user itself); the HTTP service
 * runs in a child process that binds its sockets as root and then drops
 * to [appliance] user for good.
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

/*
 * privdrop_own - give the state files the service writes (the database
 * and its WAL/SHM files, the state directory) to uid:gid, group-writable,
 * so that the CLI keeps working for root and that user's group.
 * Missing files are skipped. Returns 0 or the first -errno.
 */
int privdrop_own(const char *state_dir, const char *db_path, uid_t uid,
		 gid_t gid);

/*
 * privdrop_to - become user (supplementary groups, gid, uid) for good and
 * check that root cannot be regained. Returns 0 or -errno.
 */
int privdrop_to(const char *user, uid_t uid, gid_t gid);

#endif
