/*
 * db_sqlite.c - the SQLite backend of the host database (db.h), the only
 * SQL in bootyard. How db.h's words map onto SQLite: db_sqlite.h.
 *
 * Statements are prepared once per connection (lazily, persistent) and
 * reset after each use. Every write runs in a BEGIN IMMEDIATE transaction:
 * in WAL mode a deferred transaction that later wants to write fails at
 * once with SQLITE_BUSY when another writer got there first, without the
 * busy handler ever being consulted; taking the write lock up front makes
 * concurrent writers wait their turn instead.
 */
#include "db/db_sqlite_names.h" /* first: db.h's names -> dbsq_ */
#include "db/db_sqlite.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>

#include "common/util.h"
#include "db/db_backend.h"
#include "db/schema.h"

enum stmt_id {
	ST_BEGIN,
	ST_BEGIN_READ,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_HOST_INSERT,
	ST_HOST_BY_ID,
	ST_HOST_ID_BY_MAC,
	ST_HOST_ID_BY_NAME,
	ST_HOST_UPDATE,
	ST_HOST_DELETE,
	ST_HOST_LIST,
	ST_HOST_COUNT,
	ST_MAC_INSERT,
	ST_MAC_DELETE,
	ST_MACS_OF,
	ST_MAC_NEXT_POS,
	ST_ATTR_INSERT,
	ST_ATTRS_CLEAR,
	ST_ATTRS_OF,
	ST_INSTALL_SET,
	ST_INSTALL_TOKEN_INSERT,
	ST_INSTALL_TOKEN_FIND,
	ST_INSTALL_TOKEN_USE,
	ST_INSTALL_EXHAUST,
	ST_INSTALL_DONE,
	ST_INSTALL_DONE_CAS,
	ST_INSTALL_ONCE_SUPERSEDE,
	ST_INSTALL_ONCE_INSERT,
	ST_DISTRO_INSERT,
	ST_DISTRO_UPDATE,
	ST_DISTRO_GET,
	ST_DISTRO_DELETE,
	ST_DISTRO_LIST,
	ST_DISTRO_IN_USE,
	ST_DISTRO_NAMES,
	ST_DISTRO_KERNEL_INSERT,
	ST_DISTRO_KERNEL_CLEAR,
	ST_DISTRO_KERNELS,
	ST_LEASE_UPSERT,
	ST_LEASE_SEEN,
	ST_LEASE_LIST,
	ST_LEASE_GET,
	ST_LEASE_HOLDER,
	ST_EVENT_INSERT,
	ST_EVENT_LIST,
	ST_EVENT_PRUNE,
	ST_LEASE_PRUNE_OLD,
	ST_LEASE_COUNT,
	ST_LEASE_PRUNE_UNKNOWN,
	ST_TOKEN_PRUNE_OLD,
	ST_TOKEN_PRUNE_SPENT,
	ST__COUNT
};

static const char *const stmt_sql[ST__COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_BEGIN_READ] = "BEGIN",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_HOST_INSERT] =
		"INSERT INTO hosts (hostname, ip, action, distro, local_boot,"
		" created, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
	[ST_HOST_BY_ID] =
		"SELECT id, hostname, ip, action, distro, local_boot, token,"
		" attempts, created, updated FROM hosts WHERE id = ?1",
	[ST_HOST_ID_BY_MAC] = "SELECT host_id FROM host_macs WHERE mac = ?1",
	[ST_HOST_ID_BY_NAME] = "SELECT id FROM hosts WHERE hostname = ?1",
	[ST_HOST_UPDATE] =
		"UPDATE hosts SET hostname = ?2, ip = ?3, action = ?4,"
		" distro = ?5, local_boot = ?6, updated = ?7,"
		" attempts = CASE WHEN ?4 = 'install' AND action = 'install'"
		"   THEN attempts ELSE 0 END,"
		" token = CASE WHEN ?4 = 'install' AND action = 'install'"
		"   THEN token ELSE NULL END"
		" WHERE id = ?1",
	[ST_HOST_DELETE] = "DELETE FROM hosts WHERE id = ?1",
	[ST_HOST_LIST] = "SELECT id FROM hosts ORDER BY id",
	[ST_HOST_COUNT] = "SELECT count(*) FROM hosts",
	[ST_MAC_INSERT] =
		"INSERT INTO host_macs (mac, host_id, pos) VALUES (?1, ?2, ?3)",
	[ST_MAC_DELETE] =
		"DELETE FROM host_macs WHERE host_id = ?1 AND mac = ?2",
	[ST_MACS_OF] =
		"SELECT mac FROM host_macs WHERE host_id = ?1 ORDER BY pos",
	[ST_MAC_NEXT_POS] =
		"SELECT coalesce(max(pos) + 1, 0), count(*) FROM host_macs"
		" WHERE host_id = ?1",
	[ST_ATTR_INSERT] =
		"INSERT INTO host_attrs (host_id, key, value) VALUES (?1, ?2, ?3)",
	[ST_ATTRS_CLEAR] = "DELETE FROM host_attrs WHERE host_id = ?1",
	[ST_ATTRS_OF] = "SELECT key, value FROM host_attrs WHERE host_id = ?1"
			" ORDER BY key",
	/* compare and set (with the write lock: defence in depth, and the
	 * same statement as PostgreSQL's): only a host still flagged (for
	 * ?5, if given) with an attempt left spends one */
	[ST_INSTALL_SET] =
		"UPDATE hosts SET attempts = attempts + 1, token = ?2,"
		" updated = ?3 WHERE id = ?1 AND action = 'install'"
		" AND attempts < ?4 AND (?5 IS NULL OR distro = ?5)",
	[ST_INSTALL_TOKEN_INSERT] =
		"INSERT INTO install_tokens (token, host_id, issued)"
		" VALUES (?1, ?2, ?3)",
	/* current: a host's token while it is the host's; a one-boot
	 * token while unused and younger than ?2 seconds ago */
	[ST_INSTALL_TOKEN_FIND] =
		"SELECT t.host_id, CASE WHEN t.once THEN t.used IS NULL"
		"   AND t.issued > ?2"
		"   ELSE h.token IS t.token AND t.used IS NULL END,"
		" t.once, t.mac, t.distro"
		" FROM install_tokens t LEFT JOIN hosts h ON h.id = t.host_id"
		" WHERE t.token = ?1",
	/* compare and set: a token is used once */
	[ST_INSTALL_TOKEN_USE] =
		"UPDATE install_tokens SET used = ?2 WHERE token = ?1"
		" AND used IS NULL",
	[ST_INSTALL_EXHAUST] =
		"UPDATE hosts SET action = 'menu', token = NULL, updated = ?2"
		" WHERE id = ?1",
	[ST_INSTALL_DONE] =
		"UPDATE hosts SET action = 'local', token = NULL, attempts = 0,"
		" updated = ?2 WHERE id = ?1",
	/* compare and set: done ends the install whose token is current */
	[ST_INSTALL_DONE_CAS] =
		"UPDATE hosts SET action = 'local', token = NULL, attempts = 0,"
		" updated = ?2 WHERE id = ?1 AND token = ?3",
	[ST_INSTALL_ONCE_SUPERSEDE] =
		"UPDATE install_tokens SET used = ?2"
		" WHERE once = 1 AND used IS NULL AND mac = ?1",
	[ST_INSTALL_ONCE_INSERT] =
		"INSERT INTO install_tokens (token, host_id, issued, once, mac,"
		" distro) VALUES (?1, ?2, ?3, 1, ?4, ?5)",
	[ST_DISTRO_INSERT] =
		"INSERT INTO distros (name, cmdline, template,"
		" template_name, created, updated)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
	[ST_DISTRO_UPDATE] =
		"UPDATE distros SET cmdline = ?2,"
		" template = ?3, template_name = ?4, updated = ?5"
		" WHERE name = ?1",
	[ST_DISTRO_GET] =
		"SELECT name, cmdline, template, template_name,"
		" created, updated FROM distros WHERE name = ?1",
	[ST_DISTRO_DELETE] = "DELETE FROM distros WHERE name = ?1",
	[ST_DISTRO_LIST] =
		"SELECT name, cmdline, template, template_name,"
		" created, updated FROM distros ORDER BY name",
	[ST_DISTRO_IN_USE] = "SELECT 1 FROM hosts WHERE distro = ?1 LIMIT 1",
	[ST_DISTRO_NAMES] =
		"SELECT d.name, (SELECT group_concat(arch, ' ') FROM"
		" (SELECT arch FROM distro_kernels WHERE distro = d.name"
		" ORDER BY arch)) FROM distros d ORDER BY d.name LIMIT ?1",
	[ST_DISTRO_KERNEL_INSERT] =
		"INSERT INTO distro_kernels (distro, arch, kernel, initrd)"
		" VALUES (?1, ?2, ?3, ?4)",
	[ST_DISTRO_KERNEL_CLEAR] = "DELETE FROM distro_kernels WHERE distro = ?1",
	[ST_DISTRO_KERNELS] =
		"SELECT arch, kernel, initrd FROM distro_kernels"
		" WHERE distro = ?1 ORDER BY arch",
	[ST_LEASE_UPSERT] =
		"INSERT INTO leases (mac, ip, hostname, arch, vendor_class,"
		" user_class, state, expires, first_seen, last_seen, ip6)"
		" VALUES (?1, CASE WHEN ?7 = 'del' THEN '' ELSE ?2 END,"
		"  ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9,"
		"  CASE WHEN ?7 = 'del' THEN '' ELSE ?10 END)"
		" ON CONFLICT (mac) DO UPDATE SET"
		/* a release of an address the MAC no longer holds (an older
		 * lease of another client id) keeps the one it holds; an
		 * event of one family leaves the other's address alone */
		" ip = CASE WHEN ?10 <> '' THEN ip WHEN ?7 = 'del' THEN"
		"   CASE WHEN ip = ?2 OR ?2 = '' THEN '' ELSE ip END"
		"   WHEN ?2 <> '' THEN ?2 ELSE ip END,"
		" ip6 = CASE WHEN ?10 = '' THEN ip6 WHEN ?7 = 'del' THEN"
		"   CASE WHEN ip6 = ?10 THEN '' ELSE ip6 END"
		"   ELSE ?10 END,"
		" hostname = CASE WHEN ?3 <> '' THEN ?3 ELSE hostname END,"
		" arch = CASE WHEN ?4 >= 0 THEN ?4 ELSE arch END,"
		" vendor_class = CASE WHEN ?5 <> '' THEN ?5 ELSE vendor_class END,"
		" user_class = CASE WHEN ?6 <> '' THEN ?6 ELSE user_class END,"
		/* a release leaves state and expiry alone while the MAC
		 * still holds an address (the released one was not its,
		 * or it holds one of the other family) */
		" state = CASE WHEN ?7 = 'del' AND ((?10 = '' AND"
		"   ((ip <> ?2 AND ?2 <> '') OR ip6 <> '')) OR (?10 <> '' AND"
		"   (ip6 <> ?10 OR ip <> '')))"
		"   THEN state ELSE ?7 END,"
		" expires = CASE WHEN ?7 = 'del' AND ((?10 = '' AND"
		"   ((ip <> ?2 AND ?2 <> '') OR ip6 <> '')) OR (?10 <> '' AND"
		"   (ip6 <> ?10 OR ip <> '')))"
		"   THEN expires WHEN ?8 > 0 THEN ?8 ELSE expires END,"
		" last_seen = ?9",
	[ST_LEASE_SEEN] =
		"INSERT INTO leases (mac, arch, first_seen, last_seen)"
		" VALUES (?1, ?2, ?3, ?3)"
		" ON CONFLICT (mac) DO UPDATE SET last_seen = ?3,"
		" arch = CASE WHEN ?2 >= 0 THEN ?2 ELSE arch END",
	[ST_LEASE_LIST] =
		"SELECT l.mac, l.ip, l.hostname, l.arch, l.vendor_class,"
		" l.user_class, l.state, l.expires, l.first_seen, l.last_seen,"
		" EXISTS (SELECT 1 FROM host_macs m WHERE m.mac = l.mac) AS known,"
		" l.ip6"
		" FROM leases l WHERE ?1 = 0 OR NOT known"
		" ORDER BY l.last_seen DESC, l.mac",
	[ST_LEASE_GET] =
		"SELECT l.mac, l.ip, l.hostname, l.arch, l.vendor_class,"
		" l.user_class, l.state, l.expires, l.first_seen, l.last_seen,"
		" EXISTS (SELECT 1 FROM host_macs m WHERE m.mac = l.mac), l.ip6"
		" FROM leases l WHERE l.mac = ?1",
	[ST_LEASE_HOLDER] =
		"SELECT mac FROM (SELECT mac, state, expires, last_seen"
		"  FROM leases WHERE ip = ?1 UNION ALL"
		"  SELECT mac, state, expires, last_seen FROM leases"
		"  WHERE ip6 = ?1)"
		" WHERE state <> 'del' AND (expires = 0 OR expires > ?2)"
		" ORDER BY last_seen DESC LIMIT 1",
	[ST_EVENT_INSERT] =
		"INSERT INTO events (ts_ms, mac, kind, detail, appliance)"
		" VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_EVENT_LIST] =
		"SELECT id, ts_ms, mac, kind, detail, appliance FROM"
		" (SELECT * FROM events WHERE ?1 IS NULL OR mac = ?1"
		"  ORDER BY ts_ms DESC, id DESC LIMIT ?2) ORDER BY ts_ms, id",
	[ST_EVENT_PRUNE] =
		"DELETE FROM events WHERE id <= (SELECT max(id) FROM events) - ?1",
	[ST_LEASE_PRUNE_OLD] =
		"DELETE FROM leases WHERE last_seen < ?1 AND expires < ?2",
	[ST_LEASE_COUNT] = "SELECT count(*) FROM leases",
	/* the newest first along leases_last_seen: no sort */
	[ST_LEASE_PRUNE_UNKNOWN] =
		"DELETE FROM leases WHERE mac IN (SELECT l.mac FROM leases l"
		" WHERE NOT EXISTS (SELECT 1 FROM host_macs m"
		"  WHERE m.mac = l.mac)"
		" ORDER BY l.last_seen DESC LIMIT -1 OFFSET ?1)",
	[ST_TOKEN_PRUNE_OLD] = "DELETE FROM install_tokens WHERE issued < ?1",
	[ST_TOKEN_PRUNE_SPENT] =
		"DELETE FROM install_tokens WHERE token IN (SELECT t.token"
		" FROM install_tokens t LEFT JOIN hosts h ON h.id = t.host_id"
		" WHERE t.used IS NOT NULL"
		" OR (t.once = 0 AND h.token IS NOT t.token)"
		" ORDER BY t.issued DESC LIMIT -1 OFFSET ?1)",
};

struct db {
	struct db_head head; /* first: db.c dispatches through it */
	sqlite3 *conn;
	bool readonly;
	bool held; /* db_snapshot_begin's transaction is open */
	int busy_ms; /* this connection's lock wait (sqlite3_busy_timeout) */
	/* db_changes: the counter, and what it last saw */
	uint64_t changes;
	int64_t seen_version, seen_total;
	sqlite3_stmt *stmts[ST__COUNT];
};

/* ---- helpers ------------------------------------------------------- */

/* db_check.c's clock, by the short names the statements use */

/* Map an SQLite result code to a negative errno (see db.h). */
static int
db_err(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return 0;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_CANTOPEN:
		return -ENOENT;
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		return -EBADMSG;
	case SQLITE_TOOBIG:
		return -E2BIG;
	case SQLITE_CONSTRAINT:
		if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
			return -ENOENT;
		if (rc == SQLITE_CONSTRAINT_UNIQUE ||
		    rc == SQLITE_CONSTRAINT_PRIMARYKEY)
			return -EEXIST;
		return -EINVAL;
	default:
		return -EIO;
	}
}

const char *
db_strerror(int r)
{
	switch (r) {
	case -ENOSPC:
		return "database full: no space left on device";
	case -EROFS:
		return "database read-only: read-only file system or "
		       "permission denied";
	case -EACCES:
	case -EPERM:
		return "database not writable: permission denied";
	case -EBUSY:
		return "database is locked: another process held it past the "
		       "busy timeout";
	case -EBADMSG:
		return "database damaged or not a bootyard database";
	case -EIO:
		return "database input/output error";
	default:
		return strerror(-r);
	}
}

/* The statement for id, prepared on first use, reset and unbound. */
static sqlite3_stmt *
st(struct db *db, enum stmt_id id)
{
	sqlite3_stmt *s = db->stmts[id];

	if (!s) {
		if (sqlite3_prepare_v3(db->conn, stmt_sql[id], -1,
				       SQLITE_PREPARE_PERSISTENT, &s,
				       NULL) != SQLITE_OK)
			return NULL;
		db->stmts[id] = s;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

/* Bind text, or NULL for an empty string (unique columns allow many). */
static void
bind_opt(sqlite3_stmt *s, int i, const char *v)
{
	if (v && *v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

static void
bind_text(sqlite3_stmt *s, int i, const char *v)
{
	sqlite3_bind_text(s, i, v ? v : "", -1, SQLITE_STATIC);
}

/* Copy a text column into a fixed buffer ("" for NULL). */
static void
col_copy(sqlite3_stmt *s, int i, char *dst, size_t dstsz)
{
	const char *v = (const char *)sqlite3_column_text(s, i);

	str_copy(dst, dstsz, v ? v : "");
}

/* Step a statement that returns no rows; reset it; 0 or -errno. */
static int
exec_done(sqlite3_stmt *s)
{
	int rc;

	if (!s)
		return -EIO;
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : db_err(rc);
}

/* The SQLite error of the last step, for an sqlite3_step result rc. */
static int
step_err(sqlite3_stmt *s, int rc)
{
	int ext = rc;

	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ext = sqlite3_extended_errcode(sqlite3_db_handle(s));
	sqlite3_reset(s);
	return db_err(ext);
}

/*
 * Step a statement expected to return one row: 0 with the row ready to
 * read (the caller resets s after reading it), -ENOENT when there is
 * none, or -errno (s reset).
 */
static int
step_row(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s), r;

	if (rc == SQLITE_ROW)
		return 0;
	r = step_err(s, rc);
	return r < 0 ? r : -ENOENT;
}

/* End a held read snapshot (see db_snapshot_begin). */
static void
hold_end(struct db *db)
{
	if (!db->held)
		return;
	db->held = false;
	if (sqlite3_get_autocommit(db->conn) == 0)
		exec_done(st(db, ST_COMMIT));
}

/*
 * Before every write on this connection (a transaction, a single
 * statement, a checkpoint): -EROFS on a read-only one, else end a held
 * read snapshot first, so that the write never runs inside it.
 */
static int
write_begin(struct db *db)
{
	if (db->readonly)
		return -EROFS;
	hold_end(db);
	return 0;
}

static int
tx_begin(struct db *db)
{
	int r = write_begin(db);

	return r < 0 ? r : exec_done(st(db, ST_BEGIN));
}

static int
tx_commit(struct db *db)
{
	int r = exec_done(st(db, ST_COMMIT));

	if (r < 0)
		exec_done(st(db, ST_ROLLBACK));
	return r;
}

/*
 * A read transaction around several statements, unless the caller is
 * already inside one: one snapshot (a host never comes back half old,
 * half new) and one lock and cache check in SQLite instead of one per
 * statement. *own tells rtx_end whether to end it. 0 or -errno.
 */
static int
rtx_begin(struct db *db, bool *own)
{
	*own = sqlite3_get_autocommit(db->conn) != 0;
	return *own ? exec_done(st(db, ST_BEGIN_READ)) : 0;
}

/* End what rtx_begin started; passes r through. */
static int
rtx_end(struct db *db, bool own, int r)
{
	if (own && sqlite3_get_autocommit(db->conn) == 0)
		exec_done(st(db, ST_COMMIT));
	return r;
}

int
db_snapshot_begin(struct db *db)
{
	int r;

	/* inside a transaction already (held or not): nothing to do */
	if (db->held || sqlite3_get_autocommit(db->conn) == 0)
		return 0;
	/* deferred: SQLite takes no lock until the first read */
	r = exec_done(st(db, ST_BEGIN_READ));
	db->held = r == 0;
	return r;
}

void
db_snapshot_end(struct db *db)
{
	if (db)
		hold_end(db);
}

/*
 * PRAGMA data_version moves when another connection commits; this
 * connection's own changes show in sqlite3_total_changes instead.
 */
/* No notification on SQLite: the watcher looks now and then. */
int
db_change_fd(struct db *db)
{
	return -1;
}

int
db_changes(struct db *db, uint64_t *ret)
{
	sqlite3_stmt *s;
	int64_t version, total;
	int rc;

	rc = sqlite3_prepare_v2(db->conn, "PRAGMA data_version", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return db_err(sqlite3_extended_errcode(db->conn));
	rc = sqlite3_step(s);
	version = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? -EIO : db_err(rc);
	total = sqlite3_total_changes64(db->conn);
	if (db->changes == 0 || version != db->seen_version ||
	    total != db->seen_total)
		db->changes++;
	db->seen_version = version;
	db->seen_total = total;
	*ret = db->changes;
	return 0;
}

int
db_checkpoint_manual(struct db *db)
{
	int rc = sqlite3_wal_autocheckpoint(db->conn, 0);

	return rc == SQLITE_OK ? 0 : db_err(rc);
}

int
db_maintain(struct db *db, unsigned wait_ms)
{
	int rc = write_begin(db);

	if (rc < 0)
		return rc;
	sqlite3_busy_timeout(db->conn, (int)wait_ms);
	rc = sqlite3_wal_checkpoint_v2(db->conn, NULL,
				       SQLITE_CHECKPOINT_RESTART, NULL, NULL);
	sqlite3_busy_timeout(db->conn, db->busy_ms);
	if (rc == SQLITE_BUSY)
		return -EBUSY; /* a reader or writer outlasted wait_ms */
	return rc == SQLITE_OK ? 0 : db_err(sqlite3_extended_errcode(db->conn));
}

/* Roll back and pass r through, for error paths. */
static int
tx_fail(struct db *db, int r)
{
	if (sqlite3_get_autocommit(db->conn) == 0)
		exec_done(st(db, ST_ROLLBACK));
	return r;
}

/* Run SQL with no parameters (pragmas, migrations); 0 or -errno. */
static int
exec_sql(struct db *db, const char *sql)
{
	int rc = sqlite3_exec(db->conn, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0
			       : db_err(sqlite3_extended_errcode(db->conn));
}

/* ---- open, migrate, close ----------------------------------------- */

int
db_schema_version(struct db *db)
{
	sqlite3_stmt *s;
	int v = -1;

	if (sqlite3_prepare_v2(db->conn, "PRAGMA user_version", -1, &s,
			       NULL) != SQLITE_OK)
		return -EIO;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* Apply every migration past the database's version, in one transaction. */
static int
db_migrate(struct db *db)
{
	char pragma[64];
	int v, r;

	/* Up to date (every open but the first after an upgrade): no write
	 * lock, so that opening a connection never waits for a writer. */
	if (db_schema_version(db) == schema_count())
		return 0;
	r = exec_sql(db, "BEGIN IMMEDIATE");
	if (r < 0)
		return r;
	v = db_schema_version(db);
	if (v < 0) {
		r = -EIO;
		goto err;
	}
	if (v > schema_count()) {
		r = -EPROTO;
		goto err;
	}
	for (; v < schema_count(); v++) {
		r = exec_sql(db, schema_migration(v + 1));
		if (r < 0)
			goto err;
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d",
			 v + 1);
		r = exec_sql(db, pragma);
		if (r < 0)
			goto err;
	}
	return exec_sql(db, "COMMIT");
err:
	exec_sql(db, "ROLLBACK");
	return r;
}

/* Explain a failed open in errno terms, looking at the path itself. */
static int
db_open_errno(const char *path, int rc)
{
	char dir[4096];
	struct stat sb;
	char *slash;

	if ((rc & 0xff) != SQLITE_CANTOPEN)
		return db_err(rc);
	if (str_copy(dir, sizeof(dir), path) < 0)
		return -ENAMETOOLONG;
	slash = strrchr(dir, '/');
	if (slash && slash != dir)
		*slash = '\0';
	else if (slash)
		slash[1] = '\0';
	else
		str_copy(dir, sizeof(dir), ".");
	if (stat(dir, &sb) < 0)
		return -errno;
	if (!S_ISDIR(sb.st_mode))
		return -ENOTDIR;
	if (stat(path, &sb) < 0)
		return errno == ENOENT && access(dir, W_OK) < 0 ? -EACCES
								 : -errno;
	/* The file exists: unreadable, or SQLite could not create its
	 * -wal/-shm files beside it (a read-only directory or mount). */
	return access(path, R_OK) < 0 ? -EACCES : -EROFS;
}

/*
 * Process-wide SQLite settings, before its first use: no memory
 * statistics (bootyard reads none), which otherwise take one global mutex
 * on every allocation of every connection: the HTTP workers' lookups
 * queued on it.
 */
static void
db_global_init(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int
db_open(const char *path, int flags, struct db **ret)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct db *db;
	int oflags, rc, r;

	pthread_once(&once, db_global_init);
	db = calloc(1, sizeof(*db));
	if (!db)
		return -ENOMEM;
	db->head.ops = &db_sqlite_ops;
	db->readonly = flags & DB_OPEN_READONLY;
	/* never through a symlink planted at the database's name (SQLite
	 * opens -wal and -shm O_NOFOLLOW itself) */
	oflags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW;
	if (db->readonly)
		oflags |= SQLITE_OPEN_READONLY;
	else
		oflags |= SQLITE_OPEN_READWRITE |
			  (flags & DB_OPEN_CREATE ? SQLITE_OPEN_CREATE : 0);

	rc = sqlite3_open_v2(path, &db->conn, oflags, NULL);
	if (rc != SQLITE_OK) {
		r = db_open_errno(path, rc);
		goto err;
	}
	sqlite3_extended_result_codes(db->conn, 1);
	db->busy_ms = flags & DB_OPEN_SHORT_WAIT ? DB_SHORT_WAIT_MS
						 : DB_BUSY_WAIT_MS;
	sqlite3_busy_timeout(db->conn, db->busy_ms);

	/* Reading the schema version is the first real read: it is where a
	 * file that is not a database, or unreadable, shows. */
	r = db_schema_version(db);
	if (r < 0) {
		r = db_open_errno(path, sqlite3_extended_errcode(db->conn));
		if (r == 0)
			r = -EIO;
		goto err;
	}
	if (!db->readonly) {
		/* Short-lived writers (the CLI, the lease hook) should not
		 * each pay for a checkpoint and fsync at exit; SQLite's
		 * automatic checkpoint keeps the WAL bounded. */
		sqlite3_db_config(db->conn, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1,
				  NULL);
		r = exec_sql(db, "PRAGMA journal_mode = WAL");
		if (r < 0)
			goto err;
		r = exec_sql(db, "PRAGMA synchronous = NORMAL");
		if (r < 0)
			goto err;
	}
	r = exec_sql(db, "PRAGMA foreign_keys = ON");
	if (r < 0)
		goto err;
	/* Read pages through a mapping, not one pread each: a commit by any
	 * connection (the event writer's, every 20 ms under load) empties
	 * the others' page caches, and each host lookup then read its pages
	 * again, three syscalls a request. Best effort. */
	if (flags & DB_OPEN_READ_OFTEN)
		exec_sql(db, "PRAGMA mmap_size = 67108864");
	if (flags & DB_OPEN_MAINTAINED) {
		r = db_checkpoint_manual(db);
		if (r < 0)
			goto err;
	}

	if (db->readonly) {
		int v = db_schema_version(db);
		if (v != schema_count()) {
			r = v > schema_count() ? -EPROTO : -ESTALE;
			goto err;
		}
	} else {
		r = db_migrate(db);
		if (r < 0)
			goto err;
	}
	*ret = db;
	return 0;

err:
	db_close(db);
	return r;
}

int
db_ping(struct db *db)
{
	return 0; /* a file of this machine: there when opened */
}

bool
db_read_only(struct db *db)
{
	return db->readonly || sqlite3_db_readonly(db->conn, "main") == 1;
}

void
db_close(struct db *db)
{
	size_t i;

	if (!db)
		return;
	for (i = 0; i < ST__COUNT; i++)
		sqlite3_finalize(db->stmts[i]);
	sqlite3_close(db->conn);
	free(db);
}

const char *
db_errmsg(struct db *db)
{
	return db && db->conn ? sqlite3_errmsg(db->conn) : "no database";
}

/* ---- hosts --------------------------------------------------------- */

static const char *const action_names[] = {
	[DB_ACTION_LOCAL] = "local",
	[DB_ACTION_INSTALL] = "install",
	[DB_ACTION_MENU] = "menu",
};

const char *
db_action_name(enum db_action a)
{
	if ((unsigned)a >= ARRAY_SIZE(action_names))
		return "?";
	return action_names[a];
}

int
db_action_parse(const char *s, enum db_action *ret)
{
	size_t i;

	for (i = 0; s && i < ARRAY_SIZE(action_names); i++)
		if (!strcmp(s, action_names[i])) {
			*ret = (enum db_action)i;
			return 0;
		}
	return -EINVAL;
}

static int
attrs_write(struct db *db, const struct db_host *h, int64_t id)
{
	sqlite3_stmt *s;
	size_t i;
	int r;

	s = st(db, ST_ATTRS_CLEAR);
	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, id);
	r = exec_done(s);
	if (r < 0)
		return r;
	for (i = 0; i < h->n_attrs; i++) {
		s = st(db, ST_ATTR_INSERT);
		if (!s)
			return -EIO;
		sqlite3_bind_int64(s, 1, id);
		bind_text(s, 2, h->attrs[i].key);
		bind_text(s, 3, h->attrs[i].value);
		r = exec_done(s);
		if (r < 0)
			return r;
	}
	return 0;
}

static int
mac_insert(struct db *db, const char *mac, int64_t id, int pos)
{
	sqlite3_stmt *s = st(db, ST_MAC_INSERT);
	int rc;

	if (!s)
		return -EIO;
	bind_text(s, 1, mac);
	sqlite3_bind_int64(s, 2, id);
	sqlite3_bind_int(s, 3, pos);
	rc = sqlite3_step(s);
	return step_err(s, rc);
}

int
db_host_add(struct db *db, const struct db_host *h, int64_t *ret_id)
{
	sqlite3_stmt *s;
	int64_t id;
	size_t i;
	int r, rc;

	r = db_host_check(h, true);
	if (r < 0)
		return r;
	r = tx_begin(db);
	if (r < 0)
		return r;
	s = st(db, ST_HOST_INSERT);
	if (!s)
		return tx_fail(db, -EIO);
	bind_opt(s, 1, h->hostname);
	bind_opt(s, 2, h->ip);
	bind_text(s, 3, db_action_name(h->action));
	bind_opt(s, 4, h->distro);
	bind_text(s, 5, h->local_boot);
	sqlite3_bind_int64(s, 6, db_now_s());
	rc = sqlite3_step(s);
	r = step_err(s, rc);
	if (r < 0)
		return tx_fail(db, r);
	id = sqlite3_last_insert_rowid(db->conn);
	for (i = 0; i < h->n_macs; i++) {
		r = mac_insert(db, h->macs[i], id, (int)i);
		if (r < 0)
			return tx_fail(db, r);
	}
	r = attrs_write(db, h, id);
	if (r < 0)
		return tx_fail(db, r);
	r = tx_commit(db);
	if (r < 0)
		return r;
	if (ret_id)
		*ret_id = id;
	return 0;
}

/* db_host_get inside the caller's transaction. */
static int
host_get(struct db *db, int64_t id, struct db_host *ret)
{
	struct db_host h;
	sqlite3_stmt *s;
	int rc;

	memset(&h, 0, sizeof(h));
	s = st(db, ST_HOST_BY_ID);
	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, id);
	if ((rc = step_row(s)) < 0)
		return rc;
	h.id = sqlite3_column_int64(s, 0);
	col_copy(s, 1, h.hostname, sizeof(h.hostname));
	col_copy(s, 2, h.ip, sizeof(h.ip));
	if (db_action_parse((const char *)sqlite3_column_text(s, 3),
			    &h.action) < 0)
		h.action = DB_ACTION_MENU;
	col_copy(s, 4, h.distro, sizeof(h.distro));
	col_copy(s, 5, h.local_boot, sizeof(h.local_boot));
	col_copy(s, 6, h.token, sizeof(h.token));
	h.attempts = (unsigned)sqlite3_column_int(s, 7);
	h.created = sqlite3_column_int64(s, 8);
	h.updated = sqlite3_column_int64(s, 9);
	sqlite3_reset(s);

	s = st(db, ST_MACS_OF);
	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && h.n_macs < DB_MAX_MACS)
		col_copy(s, 0, h.macs[h.n_macs++], MAC_STR_LEN);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return step_err(s, rc);
	sqlite3_reset(s);

	s = st(db, ST_ATTRS_OF);
	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW &&
	       h.n_attrs < DB_MAX_ATTRS) {
		col_copy(s, 0, h.attrs[h.n_attrs].key,
			 sizeof(h.attrs[0].key));
		col_copy(s, 1, h.attrs[h.n_attrs].value,
			 sizeof(h.attrs[0].value));
		h.n_attrs++;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return step_err(s, rc);
	sqlite3_reset(s);
	*ret = h;
	return 0;
}

int
db_host_get(struct db *db, int64_t id, struct db_host *ret)
{
	bool own;
	int r = rtx_begin(db, &own);

	return rtx_end(db, own, r < 0 ? r : host_get(db, id, ret));
}

/* The id behind a one-text-parameter lookup statement; -ENOENT. */
static int
lookup_id(struct db *db, enum stmt_id id_stmt, const char *key,
	  int64_t *ret)
{
	sqlite3_stmt *s = st(db, id_stmt);
	int rc;

	if (!s)
		return -EIO;
	bind_text(s, 1, key);
	if ((rc = step_row(s)) < 0)
		return rc;
	*ret = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return 0;
}

/* The host whose id statement by gives for key, read in one snapshot. */
static int
host_find(struct db *db, enum stmt_id by, const char *key,
	  struct db_host *ret)
{
	int64_t id;
	bool own;
	int r;

	if ((r = rtx_begin(db, &own)) < 0)
		return r;
	r = lookup_id(db, by, key, &id);
	return rtx_end(db, own, r < 0 ? r : host_get(db, id, ret));
}

int
db_host_find_by_mac(struct db *db, const char *mac, struct db_host *ret)
{
	if (!db_mac_canonical(mac))
		return -EINVAL;
	return host_find(db, ST_HOST_ID_BY_MAC, mac, ret);
}

int
db_host_find_by_name(struct db *db, const char *hostname,
		     struct db_host *ret)
{
	if (!valid_hostname(hostname))
		return -EINVAL;
	return host_find(db, ST_HOST_ID_BY_NAME, hostname, ret);
}

/* Store h's mutable fields inside the caller's transaction. */
static int
host_write(struct db *db, const struct db_host *h)
{
	sqlite3_stmt *s;
	int r, rc;

	r = db_host_check(h, false);
	if (r < 0)
		return r;
	s = st(db, ST_HOST_UPDATE);
	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, h->id);
	bind_opt(s, 2, h->hostname);
	bind_opt(s, 3, h->ip);
	bind_text(s, 4, db_action_name(h->action));
	bind_opt(s, 5, h->distro);
	bind_text(s, 6, h->local_boot);
	sqlite3_bind_int64(s, 7, db_now_s());
	rc = sqlite3_step(s);
	r = step_err(s, rc);
	if (r < 0)
		return r;
	if (sqlite3_changes(db->conn) == 0)
		return -ENOENT;
	return attrs_write(db, h, h->id);
}

int
db_host_update(struct db *db, const struct db_host *h)
{
	int r;

	r = db_host_check(h, false);
	if (r < 0)
		return r;
	r = tx_begin(db);
	if (r < 0)
		return r;
	r = host_write(db, h);
	if (r < 0)
		return tx_fail(db, r);
	return tx_commit(db);
}

int
db_host_modify(struct db *db, int64_t id, db_host_modify_fn fn, void *ctx)
{
	struct db_host *h;
	int r;

	h = malloc(sizeof(*h));
	if (!h)
		return -ENOMEM;
	r = tx_begin(db);
	if (r < 0)
		goto out;
	r = db_host_get(db, id, h);
	if (r == 0)
		r = fn(h, ctx);
	if (r == 0) {
		h->id = id;
		r = host_write(db, h);
	}
	if (r != 0)
		r = tx_fail(db, r);
	else
		r = tx_commit(db);
out:
	free(h);
	return r;
}

int
db_host_reinstall(struct db *db, int64_t id, const char *distro)
{
	sqlite3_stmt *s;
	struct db_host h;
	int r;

	if (distro && *distro && !valid_name(distro))
		return -EINVAL;
	r = tx_begin(db);
	if (r < 0)
		return r;
	r = db_host_get(db, id, &h);
	if (r < 0)
		return tx_fail(db, r);
	if (distro && *distro)
		str_copy(h.distro, sizeof(h.distro), distro);
	if (!h.distro[0])
		return tx_fail(db, -EINVAL);
	/* Through local first: the update statement restarts the budget
	 * and drops the token only when the action changes to install. */
	s = st(db, ST_INSTALL_DONE);
	if (!s)
		return tx_fail(db, -EIO);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, db_now_s());
	r = exec_done(s);
	if (r < 0)
		return tx_fail(db, r);
	h.action = DB_ACTION_INSTALL;
	r = host_write(db, &h);
	if (r < 0)
		return tx_fail(db, r);
	return tx_commit(db);
}

int
db_host_delete(struct db *db, int64_t id)
{
	sqlite3_stmt *s;
	int r;

	r = tx_begin(db);
	if (r < 0)
		return r;
	s = st(db, ST_HOST_DELETE);
	if (!s)
		return tx_fail(db, -EIO);
	sqlite3_bind_int64(s, 1, id);
	r = exec_done(s);
	if (r < 0)
		return tx_fail(db, r);
	if (sqlite3_changes(db->conn) == 0)
		return tx_fail(db, -ENOENT);
	return tx_commit(db);
}

/* Number of MACs of host id and the next free position. */
static int
mac_slots(struct db *db, int64_t id, int *ret_next, int *ret_count)
{
	sqlite3_stmt *s = st(db, ST_MAC_NEXT_POS);
	int rc;

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		return step_err(s, rc) ?: -EIO;
	*ret_next = sqlite3_column_int(s, 0);
	*ret_count = sqlite3_column_int(s, 1);
	sqlite3_reset(s);
	return 0;
}

int
db_host_mac_add(struct db *db, int64_t id, const char *mac)
{
	int next, count, r;

	if (!db_mac_canonical(mac))
		return -EINVAL;
	r = tx_begin(db);
	if (r < 0)
		return r;
	r = mac_slots(db, id, &next, &count);
	if (r < 0)
		return tx_fail(db, r);
	if (count == 0)
		return tx_fail(db, -ENOENT);
	if (count >= DB_MAX_MACS)
		return tx_fail(db, -EMLINK);
	r = mac_insert(db, mac, id, next);
	if (r < 0)
		return tx_fail(db, r);
	return tx_commit(db);
}

int
db_host_mac_remove(struct db *db, int64_t id, const char *mac)
{
	sqlite3_stmt *s;
	int next, count, r;

	if (!db_mac_canonical(mac))
		return -EINVAL;
	r = tx_begin(db);
	if (r < 0)
		return r;
	r = mac_slots(db, id, &next, &count);
	if (r < 0)
		return tx_fail(db, r);
	s = st(db, ST_MAC_DELETE);
	if (!s)
		return tx_fail(db, -EIO);
	sqlite3_bind_int64(s, 1, id);
	bind_text(s, 2, mac);
	r = exec_done(s);
	if (r < 0)
		return tx_fail(db, r);
	if (sqlite3_changes(db->conn) == 0)
		return tx_fail(db, -ENOENT);
	if (count <= 1)
		return tx_fail(db, -EPERM);
	return tx_commit(db);
}

int
db_host_list(struct db *db, db_host_fn fn, void *ctx)
{
	sqlite3_stmt *s;
	int64_t *ids = NULL;
	size_t n = 0, cap = 0;
	int rc, r = 0;

	/* Collect the ids first: fn may call back into the database. */
	s = st(db, ST_HOST_LIST);
	if (!s)
		return -EIO;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			int64_t *nids;
			cap = cap ? cap * 2 : 64;
			nids = realloc(ids, cap * sizeof(*ids));
			if (!nids) {
				sqlite3_reset(s);
				free(ids);
				return -ENOMEM;
			}
			ids = nids;
		}
		ids[n++] = sqlite3_column_int64(s, 0);
	}
	r = step_err(s, rc);
	if (r < 0) {
		free(ids);
		return r;
	}
	r = db_hosts_each(db, ids, n, db_host_get, fn, ctx);
	free(ids);
	return r;
}

int
db_host_count(struct db *db, int64_t *ret)
{
	sqlite3_stmt *s = st(db, ST_HOST_COUNT);
	int rc;

	if (!s)
		return -EIO;
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		return step_err(s, rc) ?: -EIO;
	*ret = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return 0;
}

/* ---- install once -------------------------------------------------- */

/* Append an event inside the caller's transaction. */
static int
event_insert_at(struct db *db, int64_t ts_ms, const char *mac,
		const char *kind, const char *detail)
{
	char clean[DB_DETAIL_MAX];
	sqlite3_stmt *s;
	size_t i;

	/* Detail is free text from many sources: keep it one printable
	 * line, and bounded. */
	str_copy(clean, sizeof(clean), detail ? detail : "");
	for (i = 0; clean[i]; i++)
		if ((unsigned char)clean[i] < 0x20 || clean[i] == 0x7f)
			clean[i] = ' ';
	s = st(db, ST_EVENT_INSERT);
	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, ts_ms);
	bind_text(s, 2, mac);
	bind_text(s, 3, kind);
	bind_text(s, 4, clean);
	bind_text(s, 5, db_origin());
	return exec_done(s);
}

static int
event_insert(struct db *db, const char *mac, const char *kind,
	     const char *detail)
{
	return event_insert_at(db, db_now_ms(), mac, kind, detail);
}

int
db_install_issue(struct db *db, int64_t id, const char *token,
		 unsigned max_attempts)
{
	return db_install_issue_for(db, id, NULL, token, max_attempts);
}

int
db_install_issue_for(struct db *db, int64_t id, const char *distro,
		     const char *token, unsigned max_attempts)
{
	struct db_host h;
	sqlite3_stmt *s;
	char detail[128];
	int r;

	if (!valid_token(token) || (distro && !valid_name(distro)))
		return -EINVAL;
	r = tx_begin(db);
	if (r < 0)
		return r;
	r = db_host_get(db, id, &h);
	if (r < 0)
		return tx_fail(db, r);
	if (h.action != DB_ACTION_INSTALL ||
	    (distro && strcmp(h.distro, distro)))
		return tx_fail(db, -ESTALE);
	if (h.attempts >= max_attempts) {
		s = st(db, ST_INSTALL_EXHAUST);
		if (!s)
			return tx_fail(db, -EIO);
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, db_now_s());
		r = exec_done(s);
		if (r == 0) {
			snprintf(detail, sizeof(detail),
				 "%u install attempts of %s without done: "
				 "host set to menu",
				 h.attempts, h.distro);
			r = event_insert(db, h.n_macs ? h.macs[0] : "",
					 "install-exhausted", detail);
		}
		if (r < 0)
			return tx_fail(db, r);
		r = tx_commit(db);
		return r < 0 ? r : -EDQUOT;
	}
	s = st(db, ST_INSTALL_SET);
	if (!s)
		return tx_fail(db, -EIO);
	sqlite3_bind_int64(s, 1, id);
	bind_text(s, 2, token);
	sqlite3_bind_int64(s, 3, db_now_s());
	sqlite3_bind_int64(s, 4, max_attempts);
	bind_opt(s, 5, distro);
	r = exec_done(s);
	if (r == 0 && sqlite3_changes(db->conn) != 1)
		r = -ESTALE; /* compare and set lost */
	if (r < 0)
		return tx_fail(db, r);
	s = st(db, ST_INSTALL_TOKEN_INSERT);
	if (!s)
		return tx_fail(db, -EIO);
	bind_text(s, 1, token);
	sqlite3_bind_int64(s, 2, id);
	sqlite3_bind_int64(s, 3, db_now_s());
	r = exec_done(s);
	if (r < 0)
		return tx_fail(db, r);
	return tx_commit(db);
}

int
db_install_once(struct db *db, int64_t id, const char *mac,
		const char *distro, const char *token)
{
	struct db_distro d;
	sqlite3_stmt *s;
	int r;

	if (!valid_token(token) || !db_mac_canonical(mac) || !valid_name(distro))
		return -EINVAL;
	r = tx_begin(db);
	if (r < 0)
		return r;
	/* the distribution, and the host, exist now (in this transaction) */
	r = db_distro_get(db, distro, &d);
	if (r < 0)
		return tx_fail(db, r);
	db_distro_free(&d);
	/* one live one-boot token per MAC: a new choice (a new boot) ends
	 * the last one, so repeated choices cannot pile up live tokens */
	s = st(db, ST_INSTALL_ONCE_SUPERSEDE);
	if (!s)
		return tx_fail(db, -EIO);
	bind_text(s, 1, mac);
	sqlite3_bind_int64(s, 2, db_now_s());
	r = exec_done(s);
	if (r < 0)
		return tx_fail(db, r);
	s = st(db, ST_INSTALL_ONCE_INSERT);
	if (!s)
		return tx_fail(db, -EIO);
	bind_text(s, 1, token);
	if (id)
		sqlite3_bind_int64(s, 2, id);
	else
		sqlite3_bind_null(s, 2);
	sqlite3_bind_int64(s, 3, db_now_s());
	bind_text(s, 4, mac);
	bind_text(s, 5, distro);
	r = exec_done(s);
	if (r < 0)
		return tx_fail(db, r);
	return tx_commit(db);
}

/* What install_tokens says about one token. */
struct token_row {
	int64_t host_id; /* 0: none (an unknown MAC's one-boot token) */
	bool current;    /* it may be used now */
	bool once;       /* a one-boot token */
	char mac[MAC_STR_LEN];         /* once: the MAC it was issued to */
	char distro[NAME_MAX_LEN + 1]; /* once: the distribution chosen */
};

/* Resolve token into *ret. */
static int
token_find(struct db *db, const char *token, struct token_row *ret)
{
	sqlite3_stmt *s;
	int rc;

	if (!valid_token(token))
		return -ENOENT;
	s = st(db, ST_INSTALL_TOKEN_FIND);
	if (!s)
		return -EIO;
	bind_text(s, 1, token);
	sqlite3_bind_int64(s, 2, db_now_s() - DB_ONCE_TOKEN_TTL);
	if ((rc = step_row(s)) < 0)
		return rc;
	memset(ret, 0, sizeof(*ret));
	ret->host_id = sqlite3_column_int64(s, 0);
	ret->current = sqlite3_column_int(s, 1) != 0;
	ret->once = sqlite3_column_int(s, 2) != 0;
	col_copy(s, 3, ret->mac, sizeof(ret->mac));
	col_copy(s, 4, ret->distro, sizeof(ret->distro));
	sqlite3_reset(s);
	return 0;
}

/* The host as the install of token t sees it (see db_install_lookup). */
static int
token_host(struct db *db, const struct token_row *t, struct db_host *ret)
{
	int r;

	if (!t->host_id)
		return t->once ? db_once_host(t->mac, t->distro, ret) : -ENOENT;
	r = db_host_get(db, t->host_id, ret);
	if (r == 0 && t->once)
		str_copy(ret->distro, sizeof(ret->distro), t->distro);
	return r;
}

int
db_install_lookup(struct db *db, const char *token, struct db_host *ret)
{
	struct token_row t;
	bool own;
	int r;

	if ((r = rtx_begin(db, &own)) < 0)
		return r;
	r = token_find(db, token, &t);
	if (r == 0 && !t.current)
		r = -ESTALE;
	if (r == 0)
		r = token_host(db, &t, ret);
	return rtx_end(db, own, r);
}

int
db_install_done(struct db *db, const char *token, struct db_host *ret_host)
{
	struct token_row t;
	struct db_host h;
	sqlite3_stmt *s;
	char detail[128];
	const char *mac;
	int r;

	if (!valid_token(token))
		return -ENOENT;
	r = tx_begin(db);
	if (r < 0)
		return r;
	r = token_find(db, token, &t);
	if (r < 0)
		return tx_fail(db, r);
	if (!t.current)
		return tx_fail(db, -ESTALE);
	r = token_host(db, &t, &h);
	if (r < 0)
		return tx_fail(db, r);
	if (!t.once) {
		/* a flagged install ends: the host boots locally */
		s = st(db, ST_INSTALL_DONE_CAS);
		if (!s)
			return tx_fail(db, -EIO);
		sqlite3_bind_int64(s, 1, t.host_id);
		sqlite3_bind_int64(s, 2, db_now_s());
		bind_text(s, 3, token);
		r = exec_done(s);
		if (r == 0 && sqlite3_changes(db->conn) != 1)
			r = -ESTALE;
		if (r < 0)
			return tx_fail(db, r);
	}
	s = st(db, ST_INSTALL_TOKEN_USE);
	if (!s)
		return tx_fail(db, -EIO);
	bind_text(s, 1, token);
	sqlite3_bind_int64(s, 2, db_now_s());
	r = exec_done(s);
	if (r == 0 && sqlite3_changes(db->conn) != 1)
		r = -ESTALE;
	if (r < 0)
		return tx_fail(db, r);
	mac = db_done_event(t.once, t.mac, &h, detail, sizeof(detail));
	r = event_insert(db, mac, "done", detail);
	if (r < 0)
		return tx_fail(db, r);
	r = tx_commit(db);
	if (r < 0)
		return r;
	if (ret_host) {
		db_done_host(t.once, &h);
		*ret_host = h;
	}
	return 0;
}

/* ---- distributions ------------------------------------------------- */

void
db_distro_free(struct db_distro *d)
{
	if (!d)
		return;
	free(d->template_text);
	d->template_text = NULL;
}

/* Every initrd reference in a space-separated list is valid. */
static void
distro_bind(sqlite3_stmt *s, const struct db_distro *d)
{
	bind_text(s, 1, d->name);
	bind_text(s, 2, d->cmdline);
	if (d->template_text)
		sqlite3_bind_text(s, 3, d->template_text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 3);
	bind_text(s, 4, d->template_name);
	sqlite3_bind_int64(s, 5, db_now_s());
}

/* Replace d's kernels (inside the caller's transaction). 0 or -errno. */
static int
distro_kernels_write(struct db *db, const struct db_distro *d)
{
	sqlite3_stmt *s;
	size_t i;
	int r;

	s = st(db, ST_DISTRO_KERNEL_CLEAR);
	if (!s)
		return -EIO;
	bind_text(s, 1, d->name);
	r = exec_done(s);
	for (i = 0; r == 0 && i < d->n_kernels; i++) {
		s = st(db, ST_DISTRO_KERNEL_INSERT);
		if (!s)
			return -EIO;
		bind_text(s, 1, d->name);
		bind_text(s, 2, d->kernels[i].arch);
		bind_text(s, 3, d->kernels[i].kernel);
		bind_text(s, 4, d->kernels[i].initrd);
		r = exec_done(s);
	}
	return r;
}

/* Insert or update one distribution and its kernels in one
 * transaction. */
static int
distro_write(struct db *db, const struct db_distro *d, enum stmt_id id)
{
	sqlite3_stmt *s;
	int r, rc;

	r = db_distro_check(d);
	if (r < 0)
		return r;
	r = tx_begin(db);
	if (r < 0)
		return r;
	s = st(db, id);
	if (!s)
		return tx_fail(db, -EIO);
	distro_bind(s, d);
	rc = sqlite3_step(s);
	r = step_err(s, rc);
	if (r < 0)
		return tx_fail(db, r);
	if (sqlite3_changes(db->conn) == 0)
		return tx_fail(db, -ENOENT);
	r = distro_kernels_write(db, d);
	if (r < 0)
		return tx_fail(db, r);
	return tx_commit(db);
}

int
db_distro_add(struct db *db, const struct db_distro *d)
{
	return distro_write(db, d, ST_DISTRO_INSERT);
}

int
db_distro_update(struct db *db, const struct db_distro *d)
{
	return distro_write(db, d, ST_DISTRO_UPDATE);
}

/* Fill d from a row of ST_DISTRO_GET / ST_DISTRO_LIST. */
static int
distro_row(sqlite3_stmt *s, struct db_distro *d)
{
	const char *t;

	memset(d, 0, sizeof(*d));
	col_copy(s, 0, d->name, sizeof(d->name));
	col_copy(s, 1, d->cmdline, sizeof(d->cmdline));
	t = (const char *)sqlite3_column_text(s, 2);
	if (t) {
		d->template_text = strdup(t);
		if (!d->template_text)
			return -ENOMEM;
	}
	col_copy(s, 3, d->template_name, sizeof(d->template_name));
	d->created = sqlite3_column_int64(s, 4);
	d->updated = sqlite3_column_int64(s, 5);
	return 0;
}

/* Read d->name's kernels into d (sorted by arch). 0 or -errno. */
static int
distro_kernels_read(struct db *db, struct db_distro *d)
{
	sqlite3_stmt *s = st(db, ST_DISTRO_KERNELS);
	int rc;

	if (!s)
		return -EIO;
	d->n_kernels = 0;
	bind_text(s, 1, d->name);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW &&
	       d->n_kernels < DB_DISTRO_ARCHES) {
		struct db_distro_kernel *k = &d->kernels[d->n_kernels++];

		col_copy(s, 0, k->arch, sizeof(k->arch));
		col_copy(s, 1, k->kernel, sizeof(k->kernel));
		col_copy(s, 2, k->initrd, sizeof(k->initrd));
	}
	if (rc == SQLITE_ROW) {
		sqlite3_reset(s);
		return 0;
	}
	return step_err(s, rc);
}

int
db_distro_get(struct db *db, const char *name, struct db_distro *ret)
{
	struct db_distro d;
	sqlite3_stmt *s;
	bool own;
	int r;

	if (!valid_name(name))
		return -ENOENT;
	if ((r = rtx_begin(db, &own)) < 0)
		return r;
	s = st(db, ST_DISTRO_GET);
	if (!s)
		return rtx_end(db, own, -EIO);
	bind_text(s, 1, name);
	if ((r = step_row(s)) < 0)
		return rtx_end(db, own, r);
	r = distro_row(s, &d);
	sqlite3_reset(s);
	if (r == 0)
		r = distro_kernels_read(db, &d);
	r = rtx_end(db, own, r);
	if (r < 0) {
		db_distro_free(&d);
		return r;
	}
	*ret = d;
	return 0;
}

int
db_distro_delete(struct db *db, const char *name)
{
	sqlite3_stmt *s;
	int r, rc;

	if (!valid_name(name))
		return -ENOENT;
	r = tx_begin(db);
	if (r < 0)
		return r;
	s = st(db, ST_DISTRO_IN_USE);
	if (!s)
		return tx_fail(db, -EIO);
	bind_text(s, 1, name);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return tx_fail(db, -ENOTEMPTY);
	s = st(db, ST_DISTRO_DELETE);
	if (!s)
		return tx_fail(db, -EIO);
	bind_text(s, 1, name);
	r = exec_done(s);
	if (r < 0)
		return tx_fail(db, r);
	if (sqlite3_changes(db->conn) == 0)
		return tx_fail(db, -ENOENT);
	return tx_commit(db);
}

int
db_distro_list(struct db *db, db_distro_fn fn, void *ctx)
{
	struct db_distro *list = NULL;
	sqlite3_stmt *s;
	size_t n = 0, cap = 0, i;
	bool own;
	int rc, r = 0;

	/* Read all rows first: fn may call back into the database. */
	if ((r = rtx_begin(db, &own)) < 0)
		return r;
	s = st(db, ST_DISTRO_LIST);
	if (!s)
		return rtx_end(db, own, -EIO);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			struct db_distro *nl;
			cap = cap ? cap * 2 : 8;
			nl = realloc(list, cap * sizeof(*list));
			if (!nl) {
				r = -ENOMEM;
				break;
			}
			list = nl;
		}
		r = distro_row(s, &list[n]);
		if (r < 0) {
			db_distro_free(&list[n]);
			break;
		}
		n++;
	}
	if (r == 0)
		r = step_err(s, rc);
	else
		sqlite3_reset(s);
	for (i = 0; r == 0 && i < n; i++)
		r = distro_kernels_read(db, &list[i]);
	r = rtx_end(db, own, r);
	for (i = 0; i < n; i++) {
		if (r == 0)
			r = fn(&list[i], ctx);
		db_distro_free(&list[i]);
	}
	free(list);
	return r;
}

int
db_distro_names(struct db *db, struct db_distro_names *ret)
{
	sqlite3_stmt *s = st(db, ST_DISTRO_NAMES);
	int rc, r;

	ret->n = 0;
	if (!s)
		return -EIO;
	sqlite3_bind_int(s, 1, DB_MENU_DISTROS);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW &&
	       ret->n < DB_MENU_DISTROS) {
		col_copy(s, 0, ret->names[ret->n], sizeof(ret->names[0]));
		ret->ptrs[ret->n] = ret->names[ret->n];
		col_copy(s, 1, ret->arches[ret->n], sizeof(ret->arches[0]));
		ret->arch_ptrs[ret->n] = ret->arches[ret->n];
		ret->n++;
	}
	r = step_err(s, rc);
	if (r < 0)
		ret->n = 0;
	return r;
}

/* ---- leases -------------------------------------------------------- */

int
db_lease_record(struct db *db, const struct db_lease *l)
{
	sqlite3_stmt *s;
	char detail[1024], kind[16];
	int r;

	if (!db_lease_check(l))
		return -EINVAL;
	r = tx_begin(db);
	if (r < 0)
		return r;
	s = st(db, ST_LEASE_UPSERT);
	if (!s)
		return tx_fail(db, -EIO);
	bind_text(s, 1, l->mac);
	bind_text(s, 2, l->ip);
	bind_text(s, 3, l->hostname);
	sqlite3_bind_int(s, 4, l->arch);
	bind_text(s, 5, l->vendor_class);
	bind_text(s, 6, l->user_class);
	bind_text(s, 7, l->state);
	sqlite3_bind_int64(s, 8, l->expires);
	sqlite3_bind_int64(s, 9, db_now_s());
	bind_text(s, 10, l->ip6);
	r = exec_done(s);
	if (r < 0)
		return tx_fail(db, r);
	snprintf(kind, sizeof(kind), "dhcp-%s", l->state);
	snprintf(detail, sizeof(detail), "ip=%s arch=%d%s%s%s%s",
		 l->ip6[0] ? l->ip6 : l->ip[0] ? l->ip : "-", l->arch,
		 l->hostname[0] ? " hostname=" : "", l->hostname,
		 l->user_class[0] ? " user-class=" : "", l->user_class);
	r = event_insert(db, l->mac, kind, detail);
	if (r < 0)
		return tx_fail(db, r);
	return tx_commit(db);
}

int
db_lease_seen(struct db *db, const char *mac, int arch)
{
	sqlite3_stmt *s;
	int r;

	if (!db_mac_canonical(mac) || arch < -1 || arch > 65535)
		return -EINVAL;
	if ((r = write_begin(db)) < 0)
		return r;
	s = st(db, ST_LEASE_SEEN);
	if (!s)
		return -EIO;
	bind_text(s, 1, mac);
	sqlite3_bind_int(s, 2, arch);
	sqlite3_bind_int64(s, 3, db_now_s());
	return exec_done(s);
}

/* Bind n as a LIMIT/OFFSET count (SQLite's are signed 64-bit). */
static void
bind_count(sqlite3_stmt *s, int i, unsigned long n)
{
	sqlite3_bind_int64(s, i, n > INT64_MAX ? INT64_MAX : (int64_t)n);
}

int
db_lease_prune(struct db *db, int64_t max_age_s, unsigned long unknown_keep)
{
	sqlite3_stmt *s;
	int64_t now = db_now_s(), total;
	int r, n;

	if (max_age_s < 0)
		return -EINVAL;
	r = tx_begin(db);
	if (r < 0)
		return r;
	s = st(db, ST_LEASE_PRUNE_OLD);
	if (!s)
		return tx_fail(db, -EIO);
	sqlite3_bind_int64(s, 1, now - max_age_s);
	sqlite3_bind_int64(s, 2, now);
	if ((r = exec_done(s)) < 0)
		return tx_fail(db, r);
	n = sqlite3_changes(db->conn);
	/* the cap: only when there are more rows than it, known ones
	 * included (counting is cheaper than finding the unknown ones) */
	s = st(db, ST_LEASE_COUNT);
	if (!s)
		return tx_fail(db, -EIO);
	if ((r = step_row(s)) < 0)
		return tx_fail(db, r);
	total = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (total > 0 && (uint64_t)total > unknown_keep) {
		s = st(db, ST_LEASE_PRUNE_UNKNOWN);
		if (!s)
			return tx_fail(db, -EIO);
		bind_count(s, 1, unknown_keep);
		if ((r = exec_done(s)) < 0)
			return tx_fail(db, r);
		n += sqlite3_changes(db->conn);
	}
	r = tx_commit(db);
	return r < 0 ? r : n;
}

int
db_token_prune(struct db *db, int64_t max_age_s, unsigned long spent_keep)
{
	sqlite3_stmt *s;
	int r, n;

	if (max_age_s < 0)
		return -EINVAL;
	r = tx_begin(db);
	if (r < 0)
		return r;
	s = st(db, ST_TOKEN_PRUNE_OLD);
	if (!s)
		return tx_fail(db, -EIO);
	sqlite3_bind_int64(s, 1, db_now_s() - max_age_s);
	if ((r = exec_done(s)) < 0)
		return tx_fail(db, r);
	n = sqlite3_changes(db->conn);
	s = st(db, ST_TOKEN_PRUNE_SPENT);
	if (!s)
		return tx_fail(db, -EIO);
	bind_count(s, 1, spent_keep);
	if ((r = exec_done(s)) < 0)
		return tx_fail(db, r);
	n += sqlite3_changes(db->conn);
	r = tx_commit(db);
	return r < 0 ? r : n;
}

static void
lease_row(sqlite3_stmt *s, struct db_lease *l)
{
	memset(l, 0, sizeof(*l));
	col_copy(s, 0, l->mac, sizeof(l->mac));
	col_copy(s, 1, l->ip, sizeof(l->ip));
	col_copy(s, 2, l->hostname, sizeof(l->hostname));
	l->arch = sqlite3_column_int(s, 3);
	col_copy(s, 4, l->vendor_class, sizeof(l->vendor_class));
	col_copy(s, 5, l->user_class, sizeof(l->user_class));
	col_copy(s, 6, l->state, sizeof(l->state));
	l->expires = sqlite3_column_int64(s, 7);
	l->first_seen = sqlite3_column_int64(s, 8);
	l->last_seen = sqlite3_column_int64(s, 9);
	l->known = sqlite3_column_int(s, 10) != 0;
	col_copy(s, 11, l->ip6, sizeof(l->ip6));
}

int
db_lease_list(struct db *db, bool unknown_only, db_lease_fn fn, void *ctx)
{
	struct db_lease l;
	sqlite3_stmt *s;
	int rc, r = 0;

	/* Leases are plain rows: fn must not call into this connection
	 * (documented in db.h through the callback convention). */
	s = st(db, ST_LEASE_LIST);
	if (!s)
		return -EIO;
	sqlite3_bind_int(s, 1, unknown_only ? 1 : 0);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		lease_row(s, &l);
		r = fn(&l, ctx);
		if (r)
			break;
	}
	if (r) {
		sqlite3_reset(s);
		return r;
	}
	return step_err(s, rc);
}

int
db_lease_holder(struct db *db, const char *ip, char ret_mac[MAC_STR_LEN])
{
	sqlite3_stmt *s;
	char mac[MAC_STR_LEN];
	int rc;

	if (!ip || !valid_ip(ip))
		return -EINVAL;
	s = st(db, ST_LEASE_HOLDER);
	if (!s)
		return -EIO;
	bind_text(s, 1, ip);
	sqlite3_bind_int64(s, 2, db_now_s());
	if ((rc = step_row(s)) < 0)
		return rc;
	col_copy(s, 0, mac, sizeof(mac));
	sqlite3_reset(s);
	if (!db_mac_canonical(mac))
		return -ENOENT;
	memcpy(ret_mac, mac, MAC_STR_LEN);
	return 0;
}

int
db_lease_get(struct db *db, const char *mac, struct db_lease *ret)
{
	sqlite3_stmt *s;
	int rc;

	if (!db_mac_canonical(mac))
		return -EINVAL;
	s = st(db, ST_LEASE_GET);
	if (!s)
		return -EIO;
	bind_text(s, 1, mac);
	if ((rc = step_row(s)) < 0)
		return rc;
	lease_row(s, ret);
	sqlite3_reset(s);
	return 0;
}

/* ---- events -------------------------------------------------------- */

int
db_event_add_at(struct db *db, int64_t ts_ms, const char *mac,
		const char *kind, const char *detail)
{
	int r;

	if (!db_kind_ok(kind) || (mac && *mac && !db_mac_canonical(mac)) ||
	    ts_ms < 0)
		return -EINVAL;
	if ((r = write_begin(db)) < 0)
		return r;
	return event_insert_at(db, ts_ms, mac ? mac : "", kind, detail);
}

int
db_event_add(struct db *db, const char *mac, const char *kind,
	     const char *detail)
{
	return db_event_add_at(db, db_now_ms(), mac, kind, detail);
}

int
db_event_prune(struct db *db, unsigned long keep)
{
	sqlite3_stmt *s;
	int r;

	if (keep == 0)
		return 0;
	if ((r = write_begin(db)) < 0)
		return r;
	s = st(db, ST_EVENT_PRUNE);
	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, keep > INT64_MAX ? INT64_MAX : (int64_t)keep);
	r = exec_done(s);
	return r < 0 ? r : sqlite3_changes(db->conn);
}

int
db_tx_begin(struct db *db)
{
	return tx_begin(db);
}

int
db_tx_commit(struct db *db)
{
	return tx_commit(db);
}

void
db_tx_rollback(struct db *db)
{
	tx_fail(db, 0);
}

int
db_event_list(struct db *db, const char *mac, unsigned limit,
	      db_event_fn fn, void *ctx)
{
	struct db_event e;
	sqlite3_stmt *s;
	int rc, r = 0;

	if (mac && !db_mac_canonical(mac))
		return -EINVAL;
	s = st(db, ST_EVENT_LIST);
	if (!s)
		return -EIO;
	if (mac)
		bind_text(s, 1, mac);
	else
		sqlite3_bind_null(s, 1);
	sqlite3_bind_int64(s, 2, limit ? (int64_t)limit : -1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&e, 0, sizeof(e));
		e.id = sqlite3_column_int64(s, 0);
		e.ts_ms = sqlite3_column_int64(s, 1);
		col_copy(s, 2, e.mac, sizeof(e.mac));
		col_copy(s, 3, e.kind, sizeof(e.kind));
		col_copy(s, 4, e.detail, sizeof(e.detail));
		col_copy(s, 5, e.appliance, sizeof(e.appliance));
		r = fn(&e, ctx);
		if (r)
			break;
	}
	if (r) {
		sqlite3_reset(s);
		return r;
	}
	return step_err(s, rc);
}

/* ---- power control --------------------------------------------------- */

int
db_power_get(struct db *db, int64_t id, struct db_power *ret, bool secret)
{
	struct db_power p = { .method = "none" };
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db->conn,
			       "SELECT method, bmc, bmc_user, bmc_password"
			       " FROM host_power WHERE host_id = ?",
			       -1, &s, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const char *pw = (const char *)sqlite3_column_text(s, 3);

		str_copy(p.method, sizeof(p.method),
			 (const char *)sqlite3_column_text(s, 0));
		str_copy(p.bmc, sizeof(p.bmc),
			 (const char *)sqlite3_column_text(s, 1));
		str_copy(p.user, sizeof(p.user),
			 (const char *)sqlite3_column_text(s, 2));
		p.has_password = pw && *pw;
		if (secret && pw)
			str_copy(p.password, sizeof(p.password), pw);
		rc = SQLITE_DONE;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return db_err(rc);
	*ret = p;
	explicit_bzero(&p, sizeof(p));
	return 0;
}

int
db_power_set(struct db *db, int64_t id, const struct db_power *p,
	     bool set_secret)
{
	sqlite3_stmt *s;
	int rc, r;

	if (strcmp(p->method, "none") && strcmp(p->method, "ipmi") &&
	    strcmp(p->method, "wol"))
		return -EINVAL;
	if (!valid_text(p->bmc, sizeof(p->bmc) - 1) && p->bmc[0])
		return -EINVAL;
	r = write_begin(db);
	if (r < 0)
		return r;
	if (sqlite3_prepare_v2(
		    db->conn,
		    set_secret
			? "INSERT INTO host_power (host_id, method, bmc,"
			  " bmc_user, bmc_password, updated)"
			  " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
			  " ON CONFLICT(host_id) DO UPDATE SET"
			  " method = ?2, bmc = ?3, bmc_user = ?4,"
			  " bmc_password = ?5, updated = ?6"
			: "INSERT INTO host_power (host_id, method, bmc,"
			  " bmc_user, updated) VALUES (?1, ?2, ?3, ?4, ?6)"
			  " ON CONFLICT(host_id) DO UPDATE SET"
			  " method = ?2, bmc = ?3, bmc_user = ?4,"
			  " updated = ?6",
		    -1, &s, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, p->method, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, p->bmc, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, p->user, -1, SQLITE_STATIC);
	if (set_secret)
		sqlite3_bind_text(s, 5, p->password, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, db_now_s());
	rc = sqlite3_step(s);
	if (rc != SQLITE_DONE)
		rc = sqlite3_extended_errcode(db->conn);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : db_err(rc);
}

/* ---- copy: whole tables as text ------------------------------------- */

/* "SELECT c1, c2 FROM t ORDER BY o" or the INSERT of one row. */
static int
table_sql(const struct db_table *t, bool insert, char *out, size_t outsz)
{
	size_t i, len;

	len = (size_t)snprintf(out, outsz, insert ? "INSERT INTO %s (" : "SELECT ",
			       t->name);
	for (i = 0; i < t->n_cols && len < outsz; i++)
		len += (size_t)snprintf(out + len, outsz - len, "%s%s",
					i ? ", " : "", t->cols[i]);
	if (len >= outsz)
		return -ENAMETOOLONG;
	if (insert) {
		len += (size_t)snprintf(out + len, outsz - len, ") VALUES (");
		for (i = 0; i < t->n_cols && len < outsz; i++)
			len += (size_t)snprintf(out + len, outsz - len, "%s?",
						i ? ", " : "");
		len += (size_t)snprintf(out + len, outsz - len, ")");
	} else {
		len += (size_t)snprintf(out + len, outsz - len,
					" FROM %s ORDER BY %s", t->name,
					t->order);
	}
	return len < outsz ? 0 : -ENAMETOOLONG;
}

int
db_rows_read(struct db *db, const struct db_table *t, db_row_fn fn,
	     void *ctx)
{
	const char *vals[DB_TABLE_MAX_COLS];
	sqlite3_stmt *s;
	char sql[1024];
	size_t i;
	int rc, r;

	if ((r = table_sql(t, false, sql, sizeof(sql))) < 0)
		return r;
	if (sqlite3_prepare_v2(db->conn, sql, -1, &s, NULL) != SQLITE_OK)
		return db_err(sqlite3_extended_errcode(db->conn));
	r = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		for (i = 0; i < t->n_cols; i++)
			vals[i] = (const char *)sqlite3_column_text(s, (int)i);
		r = fn(t, vals, ctx);
		if (r)
			break;
	}
	if (!r && rc != SQLITE_DONE)
		r = db_err(sqlite3_extended_errcode(db->conn));
	sqlite3_finalize(s);
	return r;
}

int
db_rows_write(struct db *db, const struct db_table *t,
	      const char *const *vals)
{
	sqlite3_stmt *s;
	char sql[1024];
	size_t i;
	int rc, r;

	if ((r = write_begin(db)) < 0)
		return r;
	if ((r = table_sql(t, true, sql, sizeof(sql))) < 0)
		return r;
	if (sqlite3_prepare_v2(db->conn, sql, -1, &s, NULL) != SQLITE_OK)
		return db_err(sqlite3_extended_errcode(db->conn));
	for (i = 0; i < t->n_cols; i++)
		if (vals[i])
			sqlite3_bind_text(s, (int)i + 1, vals[i], -1,
					  SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc != SQLITE_DONE)
		rc = sqlite3_extended_errcode(db->conn);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : db_err(rc);
}

int
db_rows_done(struct db *db, const struct db_table *t)
{
	return 0; /* INTEGER PRIMARY KEY: the next id follows the largest */
}

#define DB_OPS_PREFIX(name) db_##name
const struct db_ops db_sqlite_ops = {
	.name = "sqlite",
	.open = db_open,
	.close = db_close,
	.snapshot_end = db_snapshot_end,
	.tx_rollback = db_tx_rollback,
	.errmsg = db_errmsg,
	DB_BACKEND_CALLS(DB_OPS_INIT)
};
