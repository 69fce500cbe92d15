/*
 * db_cache.c - the read cache's writer (db_cache_write, db.h): the
 * tables the boot decision reads, copied (db_copy_boot) into a new
 * SQLite file that replaces the old one by rename. The PostgreSQL
 * backend reads it while its server is unavailable (db_pg.c).
 *
 * The file is left in SQLite's rollback-journal mode, not WAL: its
 * readers (the HTTP child, another user) open it read-only in a
 * directory they cannot write, where WAL would need a -shm file.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "db/db_backend.h"
#include "db/db_copy.h"

/* Remove tmp and what SQLite may have left beside it. */
static void
cache_unlink(const char *tmp)
{
	char side[PATH_MAX + 8];

	unlink(tmp);
	if (str_printf(side, sizeof(side), "%s-wal", tmp) == 0)
		unlink(side);
	if (str_printf(side, sizeof(side), "%s-shm", tmp) == 0)
		unlink(side);
	if (str_printf(side, sizeof(side), "%s-journal", tmp) == 0)
		unlink(side);
}

/* The WAL written by the SQLite backend folded into the file, and the
 * file put in rollback-journal mode. */
static int
cache_journal(const char *tmp)
{
	sqlite3 *raw = NULL;
	int rc;

	rc = sqlite3_open_v2(tmp, &raw,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW,
			     NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(raw, "PRAGMA journal_mode = DELETE", NULL,
				  NULL, NULL);
	sqlite3_close(raw);
	return rc == SQLITE_OK ? 0 : -EIO;
}

int
db_cache_write(struct db *db, const char *path, gid_t gid)
{
	char tmp[PATH_MAX];
	struct db *to = NULL;
	long n;
	int fd, r;

	if (str_printf(tmp, sizeof(tmp), "%s.XXXXXX", path) < 0)
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, 0640) < 0 ||
	    (gid != (gid_t)-1 && fchown(fd, (uid_t)-1, gid) < 0)) {
		r = -errno;
		close(fd);
		goto err;
	}
	r = db_sqlite_ops.open(tmp, DB_OPEN_CREATE, &to);
	if (r < 0) {
		close(fd);
		goto err;
	}
	n = db_copy_boot(db, to);
	db_sqlite_ops.close(to);
	r = n < 0 ? (int)n : cache_journal(tmp);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	close(fd);
	if (r < 0)
		goto err;
	if (rename(tmp, path) < 0) {
		r = -errno;
		goto err;
	}
	return 0;
err:
	cache_unlink(tmp);
	return r;
}
