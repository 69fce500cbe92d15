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

/*
 * The statement for id with the arguments after fmt (see db_args) bound
 * to ?1, ?2... NULL when the statement cannot be prepared; the runners
 * below take that as -EIO.
 */
static sqlite3_stmt *
bound(struct db *db, enum stmt_id id, const char *fmt, ...)
{
	sqlite3_stmt *s = st(db, id);
	struct db_arg a[DB_ARGS_MAX];
	va_list ap;
	size_t n, i;

	va_start(ap, fmt);
	n = db_args(a, DB_ARGS_MAX, fmt, ap);
	va_end(ap);
	for (i = 0; s && i < n; i++) {
		if (a[i].is_int)
			sqlite3_bind_int64(s, (int)i + 1, a[i].i);
		else if (a[i].s) /* else NULL: st cleared the bindings */
			sqlite3_bind_text(s, (int)i + 1, a[i].s, -1,
					  SQLITE_STATIC);
	}
	return s;
}

/* Run a bound write statement: the number of rows it changed, or -errno. */
static int
run(sqlite3_stmt *s)
{
	int r;

	if (!s)
		return -EIO;
	r = step_err(s, sqlite3_step(s));
	return r < 0 ? r : sqlite3_changes(sqlite3_db_handle(s));
}

/* Reads the current row of s into ctx: 0, a value that stops the rows
 * (passed on), or -errno. */
typedef int (*row_fn)(sqlite3_stmt *s, void *ctx);

/*
 * Step a bound statement through its rows, fn on each, until fn returns
 * non-zero: that value (s reset), else 0 or -errno.
 */
static int
each_row(sqlite3_stmt *s, row_fn fn, void *ctx)
{
	int rc, r = 0;

	if (!s)
		return -EIO;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && !(r = fn(s, ctx)))
		;
	if (!r)
		return step_err(s, rc);
	sqlite3_reset(s);
	return r;
}

/*
 * Read the one row of a bound statement with fn (none: just look):
 * fn's result, -ENOENT when there is no row, or -errno. s is reset.
 */
static int
one_row(sqlite3_stmt *s, row_fn fn, void *ret)
{
	int r;

	if (!s)
		return -EIO;
	if ((r = step_row(s)) < 0)
		return r;
	r = fn ? fn(s, ret) : 0;
	sqlite3_reset(s);
	return r;
}

/* Row readers: the first column as an int64_t, the first two as ints,
 * the first as a MAC. */
static int
int64_row(sqlite3_stmt *s, void *ret)
{
	*(int64_t *)ret = sqlite3_column_int64(s, 0);
	return 0;
}

static int
int_pair_row(sqlite3_stmt *s, void *ret)
{
	((int *)ret)[0] = sqlite3_column_int(s, 0);
	((int *)ret)[1] = sqlite3_column_int(s, 1);
	return 0;
}

static int
mac_row(sqlite3_stmt *s, void *ret)
{
	col_copy(s, 0, ret, MAC_STR_LEN);
	return 0;
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
	size_t i;
	int r = run(bound(db, ST_ATTRS_CLEAR, "I", id));

	for (i = 0; r >= 0 && i < h->n_attrs; i++)
		r = run(bound(db, ST_ATTR_INSERT, "Itt", id, h->attrs[i].key,
			      h->attrs[i].value));
	return r < 0 ? r : 0;
}

static int
mac_insert(struct db *db, const char *mac, int64_t id, int pos)
{
	int r = run(bound(db, ST_MAC_INSERT, "tIi", mac, id, pos));

	return r < 0 ? r : 0;
}

int
db_host_add(struct db *db, const struct db_host *h, int64_t *ret_id)
{
	int64_t id;
	size_t i;
	int r;

	r = db_write_open(db, db_host_check(h, true));
	if (r < 0)
		return r;
	r = run(bound(db, ST_HOST_INSERT, "oototI", h->hostname, h->ip,
		      db_action_name(h->action), h->distro, h->local_boot,
		      db_now_s()));
	id = sqlite3_last_insert_rowid(db->conn);
	for (i = 0; r >= 0 && i < h->n_macs; i++)
		r = mac_insert(db, h->macs[i], id, (int)i);
	if (r >= 0)
		r = attrs_write(db, h, id);
	r = db_write_end(db, r);
	if (r == 0 && ret_id)
		*ret_id = id;
	return r;
}

/* Fill *h (zeroed first) from a row of ST_HOST_BY_ID. */
static int
host_row(sqlite3_stmt *s, void *ret)
{
	struct db_host *h = ret;

	memset(h, 0, sizeof(*h));
	h->id = sqlite3_column_int64(s, 0);
	col_copy(s, 1, h->hostname, sizeof(h->hostname));
	col_copy(s, 2, h->ip, sizeof(h->ip));
	if (db_action_parse((const char *)sqlite3_column_text(s, 3),
			    &h->action) < 0)
		h->action = DB_ACTION_MENU;
	col_copy(s, 4, h->distro, sizeof(h->distro));
	col_copy(s, 5, h->local_boot, sizeof(h->local_boot));
	col_copy(s, 6, h->token, sizeof(h->token));
	h->attempts = (unsigned)sqlite3_column_int(s, 7);
	h->created = sqlite3_column_int64(s, 8);
	h->updated = sqlite3_column_int64(s, 9);
	return 0;
}

/* Append a row of ST_MACS_OF to the host; 1 (stop) once it is full. */
static int
host_mac_row(sqlite3_stmt *s, void *ret)
{
	struct db_host *h = ret;

	col_copy(s, 0, h->macs[h->n_macs++], MAC_STR_LEN);
	return h->n_macs == DB_MAX_MACS;
}

/* Append a row of ST_ATTRS_OF to the host; 1 (stop) once it is full. */
static int
host_attr_row(sqlite3_stmt *s, void *ret)
{
	struct db_host *h = ret;

	col_copy(s, 0, h->attrs[h->n_attrs].key, sizeof(h->attrs[0].key));
	col_copy(s, 1, h->attrs[h->n_attrs].value, sizeof(h->attrs[0].value));
	return ++h->n_attrs == DB_MAX_ATTRS;
}

/* db_host_get inside the caller's transaction. */
static int
host_get(struct db *db, int64_t id, struct db_host *ret)
{
	struct db_host h;
	int r;

	r = one_row(bound(db, ST_HOST_BY_ID, "I", id), host_row, &h);
	if (r >= 0)
		r = each_row(bound(db, ST_MACS_OF, "I", id), host_mac_row, &h);
	if (r >= 0)
		r = each_row(bound(db, ST_ATTRS_OF, "I", id), host_attr_row,
			     &h);
	if (r < 0)
		return r;
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
	return one_row(bound(db, id_stmt, "t", key), int64_row, ret);
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
	int r;

	r = db_host_check(h, false);
	if (r < 0)
		return r;
	r = run(bound(db, ST_HOST_UPDATE, "IoototI", h->id, h->hostname, h->ip,
		      db_action_name(h->action), h->distro, h->local_boot,
		      db_now_s()));
	r = db_changed_or(r, -ENOENT);
	return r < 0 ? r : attrs_write(db, h, h->id);
}

int
db_host_update(struct db *db, const struct db_host *h)
{
	int r;

	r = db_write_open(db, db_host_check(h, false));
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

/* tx_open, then read host id into *h: 0, or -errno without a
 * transaction. */
static int
host_tx_open(struct db *db, int r, int64_t id, struct db_host *h)
{
	r = db_write_open(db, r);
	if (r < 0)
		return r;
	r = db_host_get(db, id, h);
	return r < 0 ? tx_fail(db, r) : 0;
}

int
db_host_reinstall(struct db *db, int64_t id, const char *distro)
{
	bool ok = !distro || !*distro || valid_name(distro);
	struct db_host h;
	int r;

	r = host_tx_open(db, ok ? 0 : -EINVAL, id, &h);
	if (r < 0)
		return r;
	if (distro && *distro)
		str_copy(h.distro, sizeof(h.distro), distro);
	if (!h.distro[0])
		return tx_fail(db, -EINVAL);
	/* Through local first: the update statement restarts the budget
	 * and drops the token only when the action changes to install. */
	r = run(bound(db, ST_INSTALL_DONE, "II", id, db_now_s()));
	h.action = DB_ACTION_INSTALL;
	if (r >= 0)
		r = host_write(db, &h);
	return db_write_end(db, r);
}

int
db_host_delete(struct db *db, int64_t id)
{
	int r = tx_begin(db);

	if (r < 0)
		return r;
	r = run(bound(db, ST_HOST_DELETE, "I", id));
	return db_write_end(db, db_changed_or(r, -ENOENT));
}

/* Number of MACs of host id and the next free position. */
static int
mac_slots(struct db *db, int64_t id, int *ret_next, int *ret_count)
{
	int slots[2];
	int r = one_row(bound(db, ST_MAC_NEXT_POS, "I", id), int_pair_row,
			slots);

	if (r < 0)
		return r == -ENOENT ? -EIO : r;
	*ret_next = slots[0];
	*ret_count = slots[1];
	return 0;
}

/* tx_open for a change of host id's MAC mac, then mac_slots: 0, or
 * -errno without a transaction. */
static int
mac_tx_open(struct db *db, int64_t id, const char *mac, int *ret_next,
	    int *ret_count)
{
	int r = db_write_open(db, db_mac_canonical(mac) ? 0 : -EINVAL);

	if (r < 0)
		return r;
	r = mac_slots(db, id, ret_next, ret_count);
	return r < 0 ? tx_fail(db, r) : 0;
}

int
db_host_mac_add(struct db *db, int64_t id, const char *mac)
{
	int next, count, r = mac_tx_open(db, id, mac, &next, &count);

	if (r < 0)
		return r;
	if (count == 0)
		r = -ENOENT;
	else if (count >= DB_MAX_MACS)
		r = -EMLINK;
	else
		r = mac_insert(db, mac, id, next);
	return db_write_end(db, r);
}

int
db_host_mac_remove(struct db *db, int64_t id, const char *mac)
{
	int next, count, r = mac_tx_open(db, id, mac, &next, &count);

	if (r < 0)
		return r;
	r = db_changed_or(run(bound(db, ST_MAC_DELETE, "It", id, mac)), -ENOENT);
	if (r >= 0 && count <= 1)
		r = -EPERM;
	return db_write_end(db, r);
}

/* A growing array of rows, size bytes each. */
struct rows {
	void *v;
	size_t n, cap, size;
};

/* The next free element of l (not counted yet); NULL without memory. */
static void *
rows_next(struct rows *l)
{
	void *nv;

	if (l->n == l->cap) {
		nv = realloc(l->v, (l->cap ? l->cap * 2 : 16) * l->size);
		if (!nv)
			return NULL;
		l->v = nv;
		l->cap = l->cap ? l->cap * 2 : 16;
	}
	return (char *)l->v + l->n * l->size;
}

/* Append the id of a row of ST_HOST_LIST to the rows ctx. */
static int
id_list_row(sqlite3_stmt *s, void *ctx)
{
	int64_t *id = rows_next(ctx);

	if (!id)
		return -ENOMEM;
	*id = sqlite3_column_int64(s, 0);
	((struct rows *)ctx)->n++;
	return 0;
}

int
db_host_list(struct db *db, db_host_fn fn, void *ctx)
{
	struct rows ids = { .size = sizeof(int64_t) };
	int r;

	/* Collect the ids first: fn may call back into the database. */
	r = each_row(bound(db, ST_HOST_LIST, ""), id_list_row, &ids);
	if (r == 0)
		r = db_hosts_each(db, ids.v, ids.n, db_host_get, fn, ctx);
	free(ids.v);
	return r;
}

int
db_host_count(struct db *db, int64_t *ret)
{
	int r = one_row(bound(db, ST_HOST_COUNT, ""), int64_row, ret);

	return r == -ENOENT ? -EIO : r;
}

/* ---- install once -------------------------------------------------- */

/* Append an event inside the caller's transaction. */
static int
event_insert_at(struct db *db, int64_t ts_ms, const char *mac,
		const char *kind, const char *detail)
{
	char clean[DB_DETAIL_MAX];
	size_t i;
	int r;

	/* Detail is free text from many sources: keep it one printable
	 * line, and bounded. */
	str_copy(clean, sizeof(clean), detail ? detail : "");
	for (i = 0; clean[i]; i++)
		if ((unsigned char)clean[i] < 0x20 || clean[i] == 0x7f)
			clean[i] = ' ';
	r = run(bound(db, ST_EVENT_INSERT, "Itttt", ts_ms, mac, kind, clean,
		      db_origin()));
	return r < 0 ? r : 0;
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
	bool ok = valid_token(token) && (!distro || valid_name(distro));
	struct db_host h;
	char detail[128];
	int r;

	r = host_tx_open(db, ok ? 0 : -EINVAL, id, &h);
	if (r < 0)
		return r;
	if (h.action != DB_ACTION_INSTALL ||
	    (distro && strcmp(h.distro, distro)))
		return tx_fail(db, -ESTALE);
	if (h.attempts >= max_attempts) {
		r = run(bound(db, ST_INSTALL_EXHAUST, "II", id, db_now_s()));
		snprintf(detail, sizeof(detail),
			 "%u install attempts of %s without done: "
			 "host set to menu",
			 h.attempts, h.distro);
		if (r >= 0)
			r = event_insert(db, h.n_macs ? h.macs[0] : "",
					 "install-exhausted", detail);
		r = db_write_end(db, r);
		return r < 0 ? r : -EDQUOT;
	}
	r = db_cas_won(run(bound(db, ST_INSTALL_SET, "ItIIo", id, token,
			      db_now_s(), (int64_t)max_attempts, distro)));
	if (r >= 0)
		r = run(bound(db, ST_INSTALL_TOKEN_INSERT, "tII", token, id,
			      db_now_s()));
	return db_write_end(db, r);
}

int
db_install_once(struct db *db, int64_t id, const char *mac,
		const char *distro, const char *token)
{
	bool ok = valid_token(token) && db_mac_canonical(mac) &&
		  valid_name(distro);
	struct db_distro d;
	int r;

	r = db_write_open(db, ok ? 0 : -EINVAL);
	if (r < 0)
		return r;
	/* the distribution, and the host, exist now (in this transaction) */
	r = db_distro_get(db, distro, &d);
	if (r < 0)
		return tx_fail(db, r);
	db_distro_free(&d);
	/* one live one-boot token per MAC: a new choice (a new boot) ends
	 * the last one, so repeated choices cannot pile up live tokens */
	r = run(bound(db, ST_INSTALL_ONCE_SUPERSEDE, "tI", mac, db_now_s()));
	if (r >= 0)
		r = run(bound(db, ST_INSTALL_ONCE_INSERT, "tkItt", token, id,
			      db_now_s(), mac, distro));
	return db_write_end(db, r);
}

/* Fill a struct db_token from a row of ST_INSTALL_TOKEN_FIND. */
static int
token_row_read(sqlite3_stmt *s, void *ret)
{
	struct db_token *t = ret;

	memset(t, 0, sizeof(*t));
	t->host_id = sqlite3_column_int64(s, 0);
	t->current = sqlite3_column_int(s, 1) != 0;
	t->once = sqlite3_column_int(s, 2) != 0;
	col_copy(s, 3, t->mac, sizeof(t->mac));
	col_copy(s, 4, t->distro, sizeof(t->distro));
	return 0;
}

/* Resolve token into *ret. */
static int
token_find(struct db *db, const char *token, struct db_token *ret)
{
	if (!valid_token(token))
		return -ENOENT;
	return one_row(bound(db, ST_INSTALL_TOKEN_FIND, "tI", token,
			     db_now_s() - DB_ONCE_TOKEN_TTL),
		       token_row_read, ret);
}

int
db_install_lookup(struct db *db, const char *token, struct db_host *ret)
{
	struct db_token t;
	bool own;
	int r;

	if ((r = rtx_begin(db, &own)) < 0)
		return r;
	r = db_token_host(db, token_find(db, token, &t), &t, ret);
	return rtx_end(db, own, r);
}

int
db_install_done(struct db *db, const char *token, struct db_host *ret_host)
{
	struct db_token t;
	struct db_host h;
	char detail[128];
	const char *mac;
	int r;

	r = db_write_open(db, valid_token(token) ? 0 : -ENOENT);
	if (r < 0)
		return r;
	r = db_token_host(db, token_find(db, token, &t), &t, &h);
	/* a flagged install ends (the host boots locally), and the token
	 * is used: each a compare and set */
	if (r == 0 && !t.once)
		r = db_cas_won(run(bound(db, ST_INSTALL_DONE_CAS, "IIt",
				      t.host_id, db_now_s(), token)));
	if (r >= 0)
		r = db_cas_won(run(bound(db, ST_INSTALL_TOKEN_USE, "tI", token,
				      db_now_s())));
	if (r >= 0) {
		mac = db_done_event(t.once, t.mac, &h, detail, sizeof(detail));
		r = event_insert(db, mac, "done", detail);
	}
	r = db_write_end(db, r);
	if (r == 0 && ret_host) {
		db_done_host(t.once, &h);
		*ret_host = h;
	}
	return r;
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

/* Replace d's kernels (inside the caller's transaction). 0 or -errno. */
static int
distro_kernels_write(struct db *db, const struct db_distro *d)
{
	size_t i;
	int r = run(bound(db, ST_DISTRO_KERNEL_CLEAR, "t", d->name));

	for (i = 0; r >= 0 && i < d->n_kernels; i++)
		r = run(bound(db, ST_DISTRO_KERNEL_INSERT, "tttt", d->name,
			      d->kernels[i].arch, d->kernels[i].kernel,
			      d->kernels[i].initrd));
	return r < 0 ? r : 0;
}

/* Insert or update one distribution and its kernels in one
 * transaction. */
static int
distro_write(struct db *db, const struct db_distro *d, enum stmt_id id)
{
	int r;

	r = db_write_open(db, db_distro_check(d));
	if (r < 0)
		return r;
	r = run(bound(db, id, "ttptI", d->name, d->cmdline, d->template_text,
		      d->template_name, db_now_s()));
	r = db_changed_or(r, -ENOENT);
	if (r >= 0)
		r = distro_kernels_write(db, d);
	return db_write_end(db, r);
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

/* Append a row of ST_DISTRO_KERNELS to d; 1 (stop) once it is full. */
static int
distro_kernel_row(sqlite3_stmt *s, void *ret)
{
	struct db_distro *d = ret;
	struct db_distro_kernel *k = &d->kernels[d->n_kernels++];

	col_copy(s, 0, k->arch, sizeof(k->arch));
	col_copy(s, 1, k->kernel, sizeof(k->kernel));
	col_copy(s, 2, k->initrd, sizeof(k->initrd));
	return d->n_kernels == DB_DISTRO_ARCHES;
}

/* Fill d from a row of ST_DISTRO_GET / ST_DISTRO_LIST. */
static int
distro_row(sqlite3_stmt *s, void *ret)
{
	struct db_distro *d = ret;
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
	int r;

	d->n_kernels = 0;
	r = each_row(bound(db, ST_DISTRO_KERNELS, "t", d->name),
		     distro_kernel_row, d);
	return r < 0 ? r : 0;
}

int
db_distro_get(struct db *db, const char *name, struct db_distro *ret)
{
	struct db_distro d = { 0 };
	bool own;
	int r;

	if (!valid_name(name))
		return -ENOENT;
	if ((r = rtx_begin(db, &own)) < 0)
		return r;
	r = one_row(bound(db, ST_DISTRO_GET, "t", name), distro_row, &d);
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
	int r;

	r = db_write_open(db, valid_name(name) ? 0 : -ENOENT);
	if (r < 0)
		return r;
	/* in use (a row, else an error or none): not deleted */
	r = one_row(bound(db, ST_DISTRO_IN_USE, "t", name), NULL, NULL);
	if (r == 0)
		r = -ENOTEMPTY;
	if (r == -ENOENT)
		r = db_changed_or(run(bound(db, ST_DISTRO_DELETE, "t", name)),
			       -ENOENT);
	return db_write_end(db, r);
}

/* Append a row of ST_DISTRO_LIST to the rows ctx. */
static int
distro_list_row(sqlite3_stmt *s, void *ctx)
{
	struct rows *l = ctx;
	struct db_distro *d = rows_next(l);
	int r;

	if (!d)
		return -ENOMEM;
	r = distro_row(s, d);
	if (r < 0)
		db_distro_free(d);
	else
		l->n++;
	return r;
}

int
db_distro_list(struct db *db, db_distro_fn fn, void *ctx)
{
	struct rows l = { .size = sizeof(struct db_distro) };
	struct db_distro *v;
	size_t i;
	bool own;
	int r;

	/* Read all rows first: fn may call back into the database. */
	if ((r = rtx_begin(db, &own)) < 0)
		return r;
	r = each_row(bound(db, ST_DISTRO_LIST, ""), distro_list_row, &l);
	v = l.v;
	for (i = 0; r == 0 && i < l.n; i++)
		r = distro_kernels_read(db, &v[i]);
	r = rtx_end(db, own, r);
	for (i = 0; i < l.n; i++) {
		if (r == 0)
			r = fn(&v[i], ctx);
		db_distro_free(&v[i]);
	}
	free(v);
	return r;
}

/* Append a row of ST_DISTRO_NAMES; 1 (stop) once the menu is full. */
static int
distro_name_row(sqlite3_stmt *s, void *ctx)
{
	struct db_distro_names *m = ctx;

	col_copy(s, 0, m->names[m->n], sizeof(m->names[0]));
	m->ptrs[m->n] = m->names[m->n];
	col_copy(s, 1, m->arches[m->n], sizeof(m->arches[0]));
	m->arch_ptrs[m->n] = m->arches[m->n];
	return ++m->n == DB_MENU_DISTROS;
}

int
db_distro_names(struct db *db, struct db_distro_names *ret)
{
	int r;

	ret->n = 0;
	r = each_row(bound(db, ST_DISTRO_NAMES, "i", DB_MENU_DISTROS),
		     distro_name_row, ret);
	if (r < 0)
		ret->n = 0;
	return r < 0 ? r : 0;
}

/* ---- leases -------------------------------------------------------- */

int
db_lease_record(struct db *db, const struct db_lease *l)
{
	char detail[1024], kind[16];
	int r;

	r = db_write_open(db, db_lease_check(l) ? 0 : -EINVAL);
	if (r < 0)
		return r;
	r = run(bound(db, ST_LEASE_UPSERT, "tttitttIIt", l->mac, l->ip,
		      l->hostname, l->arch, l->vendor_class, l->user_class,
		      l->state, l->expires, db_now_s(), l->ip6));
	snprintf(kind, sizeof(kind), "dhcp-%s", l->state);
	snprintf(detail, sizeof(detail), "ip=%s arch=%d%s%s%s%s",
		 l->ip6[0] ? l->ip6 : l->ip[0] ? l->ip : "-", l->arch,
		 l->hostname[0] ? " hostname=" : "", l->hostname,
		 l->user_class[0] ? " user-class=" : "", l->user_class);
	if (r >= 0)
		r = event_insert(db, l->mac, kind, detail);
	return db_write_end(db, r);
}

int
db_lease_seen(struct db *db, const char *mac, int arch)
{
	int r;

	if (!db_mac_canonical(mac) || arch < -1 || arch > 65535)
		return -EINVAL;
	if ((r = write_begin(db)) < 0)
		return r;
	r = run(bound(db, ST_LEASE_SEEN, "tiI", mac, arch, db_now_s()));
	return r < 0 ? r : 0;
}

/* n as a LIMIT/OFFSET count (SQLite's are signed 64-bit). */
static int64_t
count64(unsigned long n)
{
	return n > INT64_MAX ? INT64_MAX : (int64_t)n;
}

int
db_lease_prune(struct db *db, int64_t max_age_s, unsigned long unknown_keep)
{
	int64_t now = db_now_s(), total;
	int r, n;

	r = db_write_open(db, max_age_s < 0 ? -EINVAL : 0);
	if (r < 0)
		return r;
	n = r = run(bound(db, ST_LEASE_PRUNE_OLD, "II", now - max_age_s, now));
	/* the cap: only when there are more rows than it, known ones
	 * included (counting is cheaper than finding the unknown ones) */
	if (r >= 0)
		r = one_row(bound(db, ST_LEASE_COUNT, ""), int64_row, &total);
	if (r >= 0 && total > 0 && (uint64_t)total > unknown_keep)
		n += r = run(bound(db, ST_LEASE_PRUNE_UNKNOWN, "I",
				   count64(unknown_keep)));
	r = db_write_end(db, r);
	return r < 0 ? r : n;
}

int
db_token_prune(struct db *db, int64_t max_age_s, unsigned long spent_keep)
{
	int r, n;

	r = db_write_open(db, max_age_s < 0 ? -EINVAL : 0);
	if (r < 0)
		return r;
	n = r = run(bound(db, ST_TOKEN_PRUNE_OLD, "I", db_now_s() - max_age_s));
	if (r >= 0)
		n += r = run(bound(db, ST_TOKEN_PRUNE_SPENT, "I",
				   count64(spent_keep)));
	r = db_write_end(db, r);
	return r < 0 ? r : n;
}

static int
lease_row(sqlite3_stmt *s, void *ret)
{
	struct db_lease *l = ret;

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
	return 0;
}

static int
lease_each_row(sqlite3_stmt *s, void *ctx)
{
	struct db_list_cb *cb = ctx;
	struct db_lease l;

	lease_row(s, &l);
	return cb->fn.lease(&l, cb->ctx);
}

int
db_lease_list(struct db *db, bool unknown_only, db_lease_fn fn, void *ctx)
{
	struct db_list_cb cb = { .fn.lease = fn, .ctx = ctx };

	/* Leases are plain rows: fn must not call into this connection
	 * (documented in db.h through the callback convention). */
	return each_row(bound(db, ST_LEASE_LIST, "i", unknown_only ? 1 : 0),
			lease_each_row, &cb);
}

int
db_lease_holder(struct db *db, const char *ip, char ret_mac[MAC_STR_LEN])
{
	char mac[MAC_STR_LEN];
	int r;

	if (!ip || !valid_ip(ip))
		return -EINVAL;
	r = one_row(bound(db, ST_LEASE_HOLDER, "tI", ip, db_now_s()), mac_row,
		    mac);
	if (r < 0)
		return r;
	if (!db_mac_canonical(mac))
		return -ENOENT;
	memcpy(ret_mac, mac, MAC_STR_LEN);
	return 0;
}

int
db_lease_get(struct db *db, const char *mac, struct db_lease *ret)
{
	if (!db_mac_canonical(mac))
		return -EINVAL;
	return one_row(bound(db, ST_LEASE_GET, "t", mac), lease_row, ret);
}

/* ---- events -------------------------------------------------------- */

int
db_event_add_at(struct db *db, int64_t ts_ms, const char *mac,
		const char *kind, const char *detail)
{
	int r = db_event_check(ts_ms, mac, kind) ? write_begin(db) : -EINVAL;

	return r < 0 ? r
		     : event_insert_at(db, ts_ms, mac ? mac : "", kind, detail);
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
	int r;

	if (keep == 0)
		return 0;
	if ((r = write_begin(db)) < 0)
		return r;
	return run(bound(db, ST_EVENT_PRUNE, "I", count64(keep)));
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

static int
event_each_row(sqlite3_stmt *s, void *ctx)
{
	struct db_list_cb *cb = ctx;
	struct db_event e;

	memset(&e, 0, sizeof(e));
	e.id = sqlite3_column_int64(s, 0);
	e.ts_ms = sqlite3_column_int64(s, 1);
	col_copy(s, 2, e.mac, sizeof(e.mac));
	col_copy(s, 3, e.kind, sizeof(e.kind));
	col_copy(s, 4, e.detail, sizeof(e.detail));
	col_copy(s, 5, e.appliance, sizeof(e.appliance));
	return cb->fn.event(&e, cb->ctx);
}

int
db_event_list(struct db *db, const char *mac, unsigned limit,
	      db_event_fn fn, void *ctx)
{
	struct db_list_cb cb = { .fn.event = fn, .ctx = ctx };

	if (mac && !db_mac_canonical(mac))
		return -EINVAL;
	return each_row(bound(db, ST_EVENT_LIST, "oI", mac,
			      limit ? (int64_t)limit : (int64_t)-1),
			event_each_row, &cb);
}

/* Step a statement prepared for one use, and finalize it: 0 or -errno. */
static int
step_final(struct db *db, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	if (rc != SQLITE_DONE)
		rc = sqlite3_extended_errcode(db->conn);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : db_err(rc);
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
	int r;

	r = db_power_check(p) ? write_begin(db) : -EINVAL;
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
	return step_final(db, s);
}

/* ---- copy: whole tables as text ------------------------------------- */

int
db_rows_read(struct db *db, const struct db_table *t, db_row_fn fn,
	     void *ctx)
{
	const char *vals[DB_TABLE_MAX_COLS];
	sqlite3_stmt *s;
	char sql[1024];
	size_t i;
	int rc, r;

	if ((r = db_table_sql(t, false, '?', sql, sizeof(sql))) < 0)
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
	int r;

	if ((r = write_begin(db)) < 0)
		return r;
	if ((r = db_table_sql(t, true, '?', sql, sizeof(sql))) < 0)
		return r;
	if (sqlite3_prepare_v2(db->conn, sql, -1, &s, NULL) != SQLITE_OK)
		return db_err(sqlite3_extended_errcode(db->conn));
	for (i = 0; i < t->n_cols; i++)
		if (vals[i])
			sqlite3_bind_text(s, (int)i + 1, vals[i], -1,
					  SQLITE_STATIC);
	return step_final(db, s);
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
