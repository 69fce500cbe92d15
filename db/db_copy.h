/*
 * db_copy.h - move a whole bootyard database from one backend to another
 * (`bootyard db copy --from sqlite:... --to postgresql://...` and back),
 * and print one in a backend-neutral form (`bootyard db dump`), through
 * db.h's connections: every table, every row, every column, ids and
 * timestamps kept.
 */
#ifndef BOOTYARD_DB_COPY_H
#define BOOTYARD_DB_COPY_H

#include "db/db.h"

/*
 * db_copy - copy every row of every table of from into to, in one
 * transaction of to; both at the newest schema (db_open migrated them).
 * to must hold no row yet (-ENOTEMPTY). Returns the number of rows
 * copied, or -errno (to then unchanged).
 */
long db_copy(struct db *from, struct db *to);

/*
 * db_copy_boot - copy the rows of the tables the boot decision reads
 * (distros, distro_kernels, hosts, host_macs, host_attrs) from from, in
 * one snapshot, into to (fresh), in one transaction of to. The read
 * cache's content (db_cache_write). Rows copied, or -errno.
 */
long db_copy_boot(struct db *from, struct db *to);

/*
 * db_dump - call fn with one line (no newline) per row of every table:
 * "TABLE\tcol=value\tcol=value..." in a fixed table and row order, NULL
 * as "\N", tabs, newlines and backslashes in values escaped: two
 * databases with the same content dump the same lines, whatever their
 * backends. fn returns 0 to go on. 0 or -errno.
 */
typedef int (*db_dump_fn)(const char *line, void *ctx);
int db_dump(struct db *db, db_dump_fn fn, void *ctx);

#endif
