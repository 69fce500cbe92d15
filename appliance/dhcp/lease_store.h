/*
 * lease_store.h - what a lease hook run leaves in the database, and the
 * spool that keeps the runs the database could not take.
 *
 * dnsmasq runs the hook once per lease event and never retries it, so a
 * run that finds the database unavailable (PostgreSQL down, SQLite
 * locked past its wait) would lose the event. Instead it leaves its input
 * - the arguments and the DNSMASQ_* environment, as dnsmasq gave them -
 * in a spool directory of the service user's, one file per run, at most
 * LEASE_SPOOL_MAX files; the HTTP service's event writer (the same user)
 * parses each again with lease_parse, stores it with lease_store, and
 * removes it, once the database takes writes again. The spooled input is
 * validated at the drain exactly as at the hook: a file there is as
 * untrusted as dnsmasq's environment.
 */
#ifndef BOOTYARD_LEASE_STORE_H
#define BOOTYARD_LEASE_STORE_H

#include <stddef.h>

#include "appliance/dhcp/lease.h"
#include "db/db.h"

#define LEASE_SPOOL_MAX 4096           /* files in the spool */
#define LEASE_SPOOL_FILE_MAX (16 << 10) /* bytes of one file */

/*
 * lease_store - record ev (add/old/del) in db: the lease, and a
 * "dhcp-relay" event when it came through a relay. 0, -EINVAL (the
 * database refused the values: never storable) or another -errno (the
 * database could not be written: worth keeping), with db_errmsg.
 */
int lease_store(struct db *db, const struct lease_event *ev);

/*
 * lease_spool_write - keep argv (argc entries) and the DNSMASQ_* entries
 * of envp in a new file of dir (created 0700 if missing), written whole
 * or not at all. 0, -ENOSPC (LEASE_SPOOL_MAX files there already), -E2BIG
 * (more than LEASE_SPOOL_FILE_MAX bytes) or -errno.
 */
int lease_spool_write(const char *dir, int argc, char *const argv[],
		      char *const envp[]);

/*
 * lease_spool_drain - for up to max spooled runs of dir, oldest first:
 * parse it (lease_parse) and call store(ev, ctx); remove the file when
 * store returns 0 or -EINVAL, or when it does not parse (unsafe files -
 * not regular, too big - are removed unread). Stops at the first other
 * error of store and returns it (the file stays for the next drain);
 * else the number of files removed. A missing dir is an empty spool.
 */
int lease_spool_drain(const char *dir, unsigned max,
		      int (*store)(const struct lease_event *ev, void *ctx),
		      void *ctx);

#endif
