/*
 * db_sqlite.h - what only the SQLite backend of db.h has, for the tests
 * that look at SQLite itself (its WAL, its read transactions). Nothing
 * outside db/ and those tests includes this: the rest of bootyard speaks
 * db.h alone. The old names of db.h's calls stay as aliases here, so that
 * the SQLite backend's tests read as they were written.
 *
 * How db.h's backend-neutral words map onto SQLite (db_sqlite.c):
 *   db_snapshot_begin/end  a deferred read transaction (one WAL read
 *                          lock, one snapshot) held across the reads
 *   db_tx_*                BEGIN IMMEDIATE ... COMMIT
 *   db_changes             PRAGMA data_version (commits by the other
 *                          connections) and sqlite3_total_changes (this
 *                          one's)
 *   db_maintain            a RESTART checkpoint: the whole WAL copied into
 *                          the database, the next commit starts it over
 *   DB_OPEN_READ_OFTEN     PRAGMA mmap_size: pages read through a mapping
 *   DB_OPEN_MAINTAINED     the automatic WAL checkpoint off
 *   DB_OPEN_SHORT_WAIT     the busy timeout
 *
 * A connection that found the file or its file system read-only opens it
 * read-only and stays so; in one process, a new connection cannot write
 * either while such a one is open: SQLite shares the -shm mapping between
 * the connections of a process.
 */
#ifndef BOOTYARD_DB_SQLITE_H
#define BOOTYARD_DB_SQLITE_H

#include "db/db.h"

#define DB_OPEN_MMAP DB_OPEN_READ_OFTEN

/*
 * db_checkpoint_manual - turn SQLite's automatic WAL checkpoint off on
 * this connection (what DB_OPEN_MAINTAINED does at open): past its
 * threshold SQLite tries a checkpoint, with its fsyncs, after every
 * commit for as long as readers keep the WAL from starting over (137 a
 * second under load). 0 or -errno.
 */
int db_checkpoint_manual(struct db *db);

/* db_checkpoint - db_maintain: a RESTART checkpoint. A passive one is not
 * enough under load: there is nearly always a reader in the WAL when the
 * next commit begins, so it never starts over and grows (386 MB in 30 s
 * of the HTTP benchmark). */
static inline int
db_checkpoint(struct db *db, unsigned wait_ms)
{
	return db_maintain(db, wait_ms);
}

/* db_read_hold / db_read_release - db_snapshot_begin / db_snapshot_end */
static inline int
db_read_hold(struct db *db)
{
	return db_snapshot_begin(db);
}

static inline void
db_read_release(struct db *db)
{
	db_snapshot_end(db);
}

/* db_batch_begin / db_batch_end - db_tx_begin / db_tx_commit */
static inline int
db_batch_begin(struct db *db)
{
	return db_tx_begin(db);
}

static inline int
db_batch_end(struct db *db)
{
	return db_tx_commit(db);
}

#endif
