/*
 * db_pg.c - the PostgreSQL backend of the host database (db.h), libpq.
 *
 * One connection per struct db (each HTTP worker opens its own, as with
 * SQLite). Statements are prepared on first use on each connection and
 * again after a reconnect; parameters and results travel as text.
 *
 * How db.h's words map onto PostgreSQL:
 *   writes              READ COMMITTED transactions; a read-modify-write
 *                       locks its row first (SELECT ... FOR UPDATE), and
 *                       the install-once steps are compare-and-set
 *                       updates besides (UPDATE ... WHERE the expected
 *                       state; 0 rows: -ESTALE): two appliances never
 *                       both start an install or spend the last attempt
 *   lock waits          lock_timeout (DB_BUSY_WAIT_MS / DB_SHORT_WAIT_MS);
 *                       55P03 and deadlocks are -EBUSY
 *   db_snapshot_begin   BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY
 *   db_changes          LISTEN bootyard: every table's statement trigger
 *                       but the timeline's (events) notifies (schema_pg.c);
 *                       a reconnect counts as a change (notifications are
 *                       lost while away)
 *   db_maintain         nothing (autovacuum)
 *   schema version      max(version) of table bootyard_schema; migrations
 *                       run under an advisory lock, one transaction
 *
 * The read cache (db_set_cache): while the server is unavailable, the
 * reads the boot path makes (a host by id, MAC or name, a distribution,
 * the menu's names) are answered from the last synced copy of those
 * tables, an SQLite file (db_cache_write) read through the SQLite
 * backend, read-only, reopened when the file was replaced. Writes fail
 * as they do without it (-ECONNREFUSED): nothing is faked.
 *
 * The location is a libpq URI ("postgresql://user@host/db?sslmode=..."),
 * with one parameter of bootyard's own, password_file=FILE: the password
 * is the first line of FILE (never on a command line). Without it libpq's
 * own PGPASSFILE / ~/.pgpass / service file apply.
 */
#include <errno.h>
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "common/util.h"
#include "db/db_backend.h"

#define SCHEMA_LOCK_KEY 0x626f6f7479617264LL /* "bootyard" */
#define RECONNECT_MAX_MS 1000

enum stmt_id {
	ST_HOST_INSERT,
	ST_HOST_BY_ID,
	ST_HOST_BY_MAC,
	ST_HOST_BY_NAME,
	ST_HOST_LOCK,
	ST_HOST_UPDATE,
	ST_HOST_DELETE,
	ST_HOST_LIST,
	ST_HOST_COUNT,
	ST_MAC_INSERT,
	ST_MAC_DELETE,
	ST_MAC_NEXT_POS,
	ST_ATTR_INSERT,
	ST_ATTRS_CLEAR,
	ST_INSTALL_SET,
	ST_INSTALL_TOKEN_INSERT,
	ST_INSTALL_TOKEN_FIND,
	ST_INSTALL_TOKEN_LOCK,
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
	ST_LEASE_UPSERT,
	ST_LEASE_SEEN,
	ST_LEASE_LIST,
	ST_LEASE_GET,
	ST_LEASE_HOLDER,
	ST_EVENT_INSERT,
	ST_EVENT_INSERT_MANY,
	ST_EVENT_LIST,
	ST_EVENT_PRUNE,
	ST_LEASE_PRUNE_OLD,
	ST_LEASE_COUNT,
	ST_LEASE_PRUNE_UNKNOWN,
	ST_TOKEN_PRUNE_OLD,
	ST_TOKEN_PRUNE_SPENT,
	ST_POWER_GET,
	ST_POWER_SET,
	ST_POWER_SET_SECRET,
	ST__COUNT
};

/* A host in one row: its MACs space-separated by position, its
 * attributes as key US value RS key US value ... by key (valid_text
 * refuses control characters in both). */
#define HOST_COLS                                                             \
	"SELECT h.id, coalesce(h.hostname, ''), coalesce(h.ip, ''),"         \
	" h.action, coalesce(h.distro, ''), h.local_boot,"                   \
	" coalesce(h.token, ''), h.attempts, h.created, h.updated,"          \
	" coalesce((SELECT string_agg(m.mac, ' ' ORDER BY m.pos)"            \
	"  FROM host_macs m WHERE m.host_id = h.id), ''),"                   \
	" coalesce((SELECT string_agg(a.key || chr(31) || a.value, chr(30)"  \
	"  ORDER BY a.key COLLATE \"C\")"                                    \
	"  FROM host_attrs a WHERE a.host_id = h.id), '')"                   \
	" FROM hosts h "

#define LEASE_COLS                                                            \
	"SELECT l.mac, l.ip, l.hostname, l.arch, l.vendor_class,"            \
	" l.user_class, l.state, l.expires, l.first_seen, l.last_seen,"      \
	" EXISTS (SELECT 1 FROM host_macs m WHERE m.mac = l.mac)::int,"      \
	" l.ip6 FROM leases l "

/* A distribution in one row: its kernels as arch US kernel US initrd RS
 * ... by arch (valid_kernel_arch and valid_path_or_url refuse control
 * characters). */
#define DISTRO_COLS                                                           \
	"SELECT d.name, d.cmdline, d.template, d.template_name, d.created,"  \
	" d.updated, coalesce((SELECT string_agg(k.arch || chr(31) ||"       \
	"  k.kernel || chr(31) || k.initrd, chr(30)"                         \
	"  ORDER BY k.arch COLLATE \"C\")"                                   \
	"  FROM distro_kernels k WHERE k.distro = d.name), '')"              \
	" FROM distros d "

static const char *const stmt_sql[ST__COUNT] = {
	[ST_HOST_INSERT] =
		"INSERT INTO hosts (hostname, ip, action, distro, local_boot,"
		" created, updated) VALUES ($1, $2, $3, $4, $5, $6::bigint,"
		" $6::bigint) RETURNING id",
	[ST_HOST_BY_ID] = HOST_COLS "WHERE h.id = $1::bigint",
	[ST_HOST_BY_MAC] = HOST_COLS "WHERE h.id = (SELECT host_id FROM"
				     " host_macs WHERE mac = $1)",
	[ST_HOST_BY_NAME] = HOST_COLS "WHERE lower(h.hostname) = lower($1)",
	[ST_HOST_LOCK] = "SELECT 1 FROM hosts WHERE id = $1::bigint FOR UPDATE",
	[ST_HOST_UPDATE] =
		"UPDATE hosts SET hostname = $2, ip = $3, action = $4::text,"
		" distro = $5, local_boot = $6, updated = $7::bigint,"
		" attempts = CASE WHEN $4::text = 'install' AND action ="
		"   'install' THEN attempts ELSE 0 END,"
		" token = CASE WHEN $4::text = 'install' AND action ="
		"   'install' THEN token ELSE NULL END"
		" WHERE id = $1::bigint",
	[ST_HOST_DELETE] = "DELETE FROM hosts WHERE id = $1::bigint",
	[ST_HOST_LIST] = "SELECT id FROM hosts ORDER BY id",
	[ST_HOST_COUNT] = "SELECT count(*) FROM hosts",
	[ST_MAC_INSERT] = "INSERT INTO host_macs (mac, host_id, pos)"
			  " VALUES ($1, $2::bigint, $3::int)",
	[ST_MAC_DELETE] =
		"DELETE FROM host_macs WHERE host_id = $1::bigint AND mac = $2",
	[ST_MAC_NEXT_POS] =
		"SELECT coalesce(max(pos) + 1, 0), count(*) FROM host_macs"
		" WHERE host_id = $1::bigint",
	[ST_ATTR_INSERT] = "INSERT INTO host_attrs (host_id, key, value)"
			   " VALUES ($1::bigint, $2, $3)",
	[ST_ATTRS_CLEAR] = "DELETE FROM host_attrs WHERE host_id = $1::bigint",
	/* compare and set: only a host still flagged (for $5, if given)
	 * with an attempt left spends one */
	[ST_INSTALL_SET] =
		"UPDATE hosts SET attempts = attempts + 1, token = $2,"
		" updated = $3::bigint WHERE id = $1::bigint"
		" AND action = 'install' AND attempts < $4::int"
		" AND ($5::text IS NULL OR distro = $5::text)",
	[ST_INSTALL_TOKEN_INSERT] =
		"INSERT INTO install_tokens (token, host_id, issued)"
		" VALUES ($1, $2::bigint, $3::bigint)",
	[ST_INSTALL_TOKEN_FIND] =
		"SELECT coalesce(t.host_id, 0), (CASE WHEN t.once = 1 THEN"
		"   t.used IS NULL AND t.issued > $2::bigint"
		"   ELSE h.token IS NOT DISTINCT FROM t.token AND t.used IS NULL"
		"   END)::int, t.once, t.mac, t.distro"
		" FROM install_tokens t LEFT JOIN hosts h ON h.id = t.host_id"
		" WHERE t.token = $1",
	[ST_INSTALL_TOKEN_LOCK] =
		"SELECT 1 FROM install_tokens WHERE token = $1 FOR UPDATE",
	/* compare and set: a token is used once */
	[ST_INSTALL_TOKEN_USE] = "UPDATE install_tokens SET used = $2::bigint"
				 " WHERE token = $1 AND used IS NULL",
	[ST_INSTALL_EXHAUST] =
		"UPDATE hosts SET action = 'menu', token = NULL,"
		" updated = $2::bigint WHERE id = $1::bigint"
		" AND action = 'install'",
	[ST_INSTALL_DONE] =
		"UPDATE hosts SET action = 'local', token = NULL, attempts = 0,"
		" updated = $2::bigint WHERE id = $1::bigint",
	/* compare and set: done ends the install whose token is current */
	[ST_INSTALL_DONE_CAS] =
		"UPDATE hosts SET action = 'local', token = NULL, attempts = 0,"
		" updated = $2::bigint WHERE id = $1::bigint AND token = $3",
	[ST_INSTALL_ONCE_SUPERSEDE] =
		"UPDATE install_tokens SET used = $2::bigint"
		" WHERE once = 1 AND used IS NULL AND mac = $1",
	[ST_INSTALL_ONCE_INSERT] =
		"INSERT INTO install_tokens (token, host_id, issued, once, mac,"
		" distro) VALUES ($1, $2::bigint, $3::bigint, 1, $4, $5)",
	[ST_DISTRO_INSERT] =
		"INSERT INTO distros (name, cmdline, template, template_name,"
		" created, updated)"
		" VALUES ($1, $2, $3, $4, $5::bigint, $5::bigint)",
	[ST_DISTRO_UPDATE] =
		"UPDATE distros SET cmdline = $2, template = $3,"
		" template_name = $4, updated = $5::bigint WHERE name = $1",
	[ST_DISTRO_GET] = DISTRO_COLS "WHERE d.name = $1",
	[ST_DISTRO_DELETE] = "DELETE FROM distros WHERE name = $1",
	[ST_DISTRO_LIST] = DISTRO_COLS "ORDER BY d.name COLLATE \"C\"",
	[ST_DISTRO_IN_USE] = "SELECT 1 FROM hosts WHERE distro = $1 LIMIT 1",
	[ST_DISTRO_NAMES] =
		"SELECT d.name, coalesce((SELECT string_agg(k.arch, ' '"
		"  ORDER BY k.arch COLLATE \"C\") FROM distro_kernels k"
		"  WHERE k.distro = d.name), '')"
		" FROM distros d ORDER BY d.name COLLATE \"C\" LIMIT $1::int",
	[ST_DISTRO_KERNEL_INSERT] =
		"INSERT INTO distro_kernels (distro, arch, kernel, initrd)"
		" VALUES ($1, $2, $3, $4)",
	[ST_DISTRO_KERNEL_CLEAR] = "DELETE FROM distro_kernels WHERE distro = $1",
	[ST_LEASE_UPSERT] =
		"INSERT INTO leases AS o (mac, ip, hostname, arch, vendor_class,"
		" user_class, state, expires, first_seen, last_seen, ip6)"
		" VALUES ($1, CASE WHEN $7::text = 'del' THEN '' ELSE $2::text"
		"  END, $3, $4::int, $5, $6, $7::text, $8::bigint, $9::bigint,"
		"  $9::bigint, CASE WHEN $7::text = 'del' THEN ''"
		"  ELSE $10::text END)"
		" ON CONFLICT (mac) DO UPDATE SET"
		/* an event of one family leaves the other's address alone */
		" ip = CASE WHEN $10::text <> '' THEN o.ip"
		"   WHEN $7::text = 'del' THEN"
		"   CASE WHEN o.ip = $2::text OR $2::text = '' THEN '' ELSE o.ip"
		"   END WHEN $2::text <> '' THEN $2::text ELSE o.ip END,"
		" ip6 = CASE WHEN $10::text = '' THEN o.ip6"
		"   WHEN $7::text = 'del' THEN"
		"   CASE WHEN o.ip6 = $10::text THEN '' ELSE o.ip6 END"
		"   ELSE $10::text END,"
		" hostname = CASE WHEN $3::text <> '' THEN $3::text"
		"   ELSE o.hostname END,"
		" arch = CASE WHEN $4::int >= 0 THEN $4::int ELSE o.arch END,"
		" vendor_class = CASE WHEN $5::text <> '' THEN $5::text"
		"   ELSE o.vendor_class END,"
		" user_class = CASE WHEN $6::text <> '' THEN $6::text"
		"   ELSE o.user_class END,"
		/* a release leaves state and expiry alone while the MAC
		 * still holds an address (the released one was not its,
		 * or it holds one of the other family) */
		" state = CASE WHEN $7::text = 'del' AND (($10::text = '' AND"
		"   ((o.ip <> $2::text AND $2::text <> '') OR o.ip6 <> ''))"
		"   OR ($10::text <> '' AND (o.ip6 <> $10::text OR o.ip <> '')))"
		"   THEN o.state ELSE $7::text END,"
		" expires = CASE WHEN $7::text = 'del' AND (($10::text = '' AND"
		"   ((o.ip <> $2::text AND $2::text <> '') OR o.ip6 <> ''))"
		"   OR ($10::text <> '' AND (o.ip6 <> $10::text OR o.ip <> '')))"
		"   THEN o.expires WHEN $8::bigint > 0"
		"   THEN $8::bigint ELSE o.expires END,"
		" last_seen = $9::bigint",
	[ST_LEASE_SEEN] =
		"INSERT INTO leases AS o (mac, arch, first_seen, last_seen)"
		" VALUES ($1, $2::int, $3::bigint, $3::bigint)"
		" ON CONFLICT (mac) DO UPDATE SET last_seen = $3::bigint,"
		" arch = CASE WHEN $2::int >= 0 THEN $2::int ELSE o.arch END",
	[ST_LEASE_LIST] =
		LEASE_COLS "WHERE $1::int = 0 OR NOT EXISTS (SELECT 1 FROM"
			   " host_macs m WHERE m.mac = l.mac)"
			   " ORDER BY l.last_seen DESC, l.mac COLLATE \"C\"",
	[ST_LEASE_GET] = LEASE_COLS "WHERE l.mac = $1",
	[ST_LEASE_HOLDER] =
		"SELECT mac FROM (SELECT mac, state, expires, last_seen"
		"  FROM leases WHERE ip = $1::text UNION ALL"
		"  SELECT mac, state, expires, last_seen FROM leases"
		"  WHERE ip6 = $1::text) a"
		" WHERE state <> 'del' AND (expires = 0 OR expires > $2::bigint)"
		" ORDER BY last_seen DESC LIMIT 1",
	[ST_EVENT_INSERT] = "INSERT INTO events (ts_ms, mac, kind, detail,"
			    " appliance) VALUES ($1::bigint, $2, $3, $4, $5)",
	[ST_EVENT_INSERT_MANY] =
		"INSERT INTO events (ts_ms, mac, kind, detail, appliance)"
		" SELECT t, m, k, d, $5 FROM unnest($1::bigint[], $2::text[],"
		" $3::text[], $4::text[]) AS u(t, m, k, d)",
	[ST_EVENT_LIST] =
		"SELECT id, ts_ms, mac, kind, detail, appliance FROM"
		" (SELECT * FROM events WHERE $1::text IS NULL OR mac = $1::text"
		"  ORDER BY ts_ms DESC, id DESC LIMIT $2::bigint) e"
		" ORDER BY ts_ms, id",
	[ST_EVENT_PRUNE] = "DELETE FROM events WHERE id <="
			   " (SELECT max(id) FROM events) - $1::bigint",
	[ST_LEASE_PRUNE_OLD] = "DELETE FROM leases WHERE last_seen < $1::bigint"
			       " AND expires < $2::bigint",
	[ST_LEASE_COUNT] = "SELECT count(*) FROM leases",
	[ST_LEASE_PRUNE_UNKNOWN] =
		"DELETE FROM leases WHERE mac IN (SELECT l.mac FROM leases l"
		" WHERE NOT EXISTS (SELECT 1 FROM host_macs m"
		"  WHERE m.mac = l.mac)"
		" ORDER BY l.last_seen DESC OFFSET $1::bigint)",
	[ST_TOKEN_PRUNE_OLD] =
		"DELETE FROM install_tokens WHERE issued < $1::bigint",
	[ST_TOKEN_PRUNE_SPENT] =
		"DELETE FROM install_tokens WHERE token IN (SELECT t.token"
		" FROM install_tokens t LEFT JOIN hosts h ON h.id = t.host_id"
		" WHERE t.used IS NOT NULL"
		" OR (t.once = 0 AND h.token IS DISTINCT FROM t.token)"
		" ORDER BY t.issued DESC OFFSET $1::bigint)",
	[ST_POWER_GET] = "SELECT method, bmc, bmc_user, bmc_password"
			 " FROM host_power WHERE host_id = $1::bigint",
	[ST_POWER_SET] =
		"INSERT INTO host_power (host_id, method, bmc, bmc_user, updated)"
		" VALUES ($1::bigint, $2, $3, $4, $5::bigint)"
		" ON CONFLICT (host_id) DO UPDATE SET method = $2, bmc = $3,"
		" bmc_user = $4, updated = $5::bigint",
	[ST_POWER_SET_SECRET] =
		"INSERT INTO host_power (host_id, method, bmc, bmc_user,"
		" bmc_password, updated)"
		" VALUES ($1::bigint, $2, $3, $4, $6, $5::bigint)"
		" ON CONFLICT (host_id) DO UPDATE SET method = $2, bmc = $3,"
		" bmc_user = $4, bmc_password = $6, updated = $5::bigint",
};

struct db {
	struct db_head head; /* first: db.c dispatches through it */
	PGconn *conn;
	/* libpq's connection parameters, kept for reconnecting */
	char *uri;
	char *password; /* from password_file, or NULL */
	bool readonly;
	bool in_tx; /* a transaction (or a held snapshot) is open */
	bool held;  /* ... and it is db_snapshot_begin's */
	bool snap_wanted; /* db_snapshot_begin called: the first read
			     begins the snapshot (nothing read, nothing
			     paid: the HTTP workers call it on every wake) */
	int wait_ms;
	bool listening;
	uint64_t changes;
	bool changed;       /* a reconnect happened since db_changes looked */
	int64_t retry_at_ms; /* no reconnect attempt before this */
	int backoff_ms;
	bool prepared[ST__COUNT];
	/* events added inside a write transaction, as array literals of
	 * their columns: one INSERT for all of them at the commit */
	struct strbuf ev_col[4];
	unsigned ev_n;
	char errmsg[256];
	bool lost; /* a statement failed without an answer from the server
		      (libpq may still say CONNECTION_OK): reconnect */
	/* the read cache: its path, its connection, the file it opened */
	char *cache_path;
	struct db *cache;
	dev_t cache_dev;
	ino_t cache_ino;
	struct timespec cache_mtim;
};

static _Atomic uint64_t cache_answers; /* db_cache_answers */

/* ---- helpers ------------------------------------------------------- */

/* db_check.c's clock, by the short names the statements use */

static int64_t
pg_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
set_err(struct db *db, const char *msg)
{
	size_t n;

	str_copy(db->errmsg, sizeof(db->errmsg), msg ? msg : "");
	n = strlen(db->errmsg);
	while (n && (db->errmsg[n - 1] == '\n' || db->errmsg[n - 1] == ' '))
		db->errmsg[--n] = '\0';
}

/* A failed result's SQLSTATE as a negative errno (see db.h). */
static int
res_err(struct db *db, PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE)
				: NULL;

	set_err(db, res ? PQresultErrorMessage(res) : PQerrorMessage(db->conn));
	if (!state) {
		db->lost = true; /* no answer: the connection */
		return -EIO;
	}
	if (!strcmp(state, "23505"))
		return -EEXIST;
	if (!strcmp(state, "23503"))
		return -ENOENT;
	if (!strncmp(state, "23", 2) || !strncmp(state, "22", 2))
		return -EINVAL;
	if (!strcmp(state, "55P03") || !strcmp(state, "40P01") ||
	    !strcmp(state, "40001") || !strcmp(state, "57014"))
		return -EBUSY;
	if (!strcmp(state, "25006"))
		return -EROFS;
	if (!strcmp(state, "42501"))
		return -EACCES;
	if (!strcmp(state, "53100"))
		return -ENOSPC;
	if (!strcmp(state, "53200"))
		return -ENOMEM;
	if (!strcmp(state, "42P01") || !strcmp(state, "42703"))
		return -EBADMSG; /* not a bootyard database */
	return -EIO;
}

/* Run SQL without parameters; 0 or -errno. */
static int
exec_sql(struct db *db, const char *sql)
{
	PGresult *res = PQexec(db->conn, sql);
	int r = 0;

	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK)
		r = res_err(db, res);
	PQclear(res);
	return r;
}

/* Read the whole password file into db->password (its first line). */
static int
read_password(struct db *db, const char *path)
{
	char buf[1024];
	FILE *f;
	size_t n;

	f = fopen(path, "re");
	if (!f)
		return -errno;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	db->password = strdup(buf);
	explicit_bzero(buf, sizeof(buf));
	return db->password ? 0 : -ENOMEM;
}

/*
 * Split location into libpq's URI and bootyard's password_file (removed
 * from the query; libpq would refuse it).
 */
static int
parse_location(struct db *db, const char *location)
{
	char *uri, *q, *p, *next, *out;
	int r = 0;

	uri = strdup(location);
	if (!uri)
		return -ENOMEM;
	q = strchr(uri, '?');
	if (q) {
		out = q + 1;
		for (p = q + 1; p && *p; p = next) {
			size_t len;

			next = strchr(p, '&');
			if (next)
				*next++ = '\0';
			if (!strncmp(p, "password_file=", 14)) {
				r = read_password(db, p + 14);
				if (r < 0)
					break;
				continue;
			}
			len = strlen(p);
			if (out != q + 1)
				*out++ = '&';
			memmove(out, p, len);
			out += len;
		}
		*out = '\0';
		if (out == q + 1)
			*q = '\0';
	}
	if (r < 0) {
		free(uri);
		return r;
	}
	db->uri = uri;
	return 0;
}

/* Connect (or connect again) with the saved parameters. */
static int
connect_now(struct db *db)
{
	const char *keys[6], *vals[6];
	char opts[96];
	int n = 0;

	if (db->conn)
		PQfinish(db->conn);
	db->lost = false;
	memset(db->prepared, 0, sizeof(db->prepared));
	db->listening = false;
	db->in_tx = db->held = false;
	/* defaults first: the URI overrides them, the password it */
	keys[n] = "connect_timeout", vals[n++] = "5";
	keys[n] = "application_name", vals[n++] = "bootyard";
	snprintf(opts, sizeof(opts), "-c lock_timeout=%d -c client_min_messages=warning",
		 db->wait_ms);
	keys[n] = "options", vals[n++] = opts;
	keys[n] = "dbname", vals[n++] = db->uri;
	if (db->password)
		keys[n] = "password", vals[n++] = db->password;
	keys[n] = NULL, vals[n] = NULL;
	db->conn = PQconnectdbParams(keys, vals, 1);
	if (!db->conn)
		return -ENOMEM;
	if (PQstatus(db->conn) != CONNECTION_OK) {
		const char *m = PQerrorMessage(db->conn);

		set_err(db, m);
		if (strstr(m, "does not exist"))
			return -ENOENT;
		if (strstr(m, "authentication") || strstr(m, "password"))
			return -EACCES;
		return -ECONNREFUSED;
	}
	return 0;
}

/* The connection is gone: libpq says so, or a statement got no answer
 * (after a server crash libpq may report CONNECTION_OK still). */
static bool
conn_lost(struct db *db)
{
	return db->lost || PQstatus(db->conn) != CONNECTION_OK;
}

/*
 * The connection, reconnected with back-off when it was lost (never
 * inside a transaction: that one is gone, its caller gets -EIO). A
 * reconnect counts as a change for db_changes: what was notified
 * meanwhile is lost, the watcher reads everything again.
 */
static int
conn_ok(struct db *db)
{
	int r;

	if (!conn_lost(db))
		return 0;
	if (pg_mono_ms() < db->retry_at_ms)
		return -ECONNREFUSED;
	r = connect_now(db);
	if (r < 0) {
		db->backoff_ms = db->backoff_ms ? db->backoff_ms * 2 : 100;
		if (db->backoff_ms > RECONNECT_MAX_MS)
			db->backoff_ms = RECONNECT_MAX_MS;
		db->retry_at_ms = pg_mono_ms() + db->backoff_ms;
		return r;
	}
	db->backoff_ms = 0;
	db->changed = true;
	return 0;
}

/* Parameters of one statement, as text. */
struct params {
	int n;
	const char *v[DB_ARGS_MAX]; /* args() fills at most DB_ARGS_MAX */
	char buf[DB_ARGS_MAX][24];
};

static void
p_text(struct params *p, const char *s)
{
	p->v[p->n++] = s ? s : "";
}

static void
p_int(struct params *p, int64_t x)
{
	snprintf(p->buf[p->n], sizeof(p->buf[0]), "%lld", (long long)x);
	p->v[p->n] = p->buf[p->n];
	p->n++;
}

static int snapshot_now(struct db *db);

/*
 * Run prepared statement id with p; 0 and *ret (PQclear it; NULL: the
 * caller wants none), or -errno.
 */
static int
run(struct db *db, enum stmt_id id, const struct params *p, PGresult **ret)
{
	bool retried = false;
	char name[16];
	PGresult *res;
	int r;

again:
	if (!db->in_tx && (r = conn_ok(db)) < 0)
		return r;
	if (db->snap_wanted && (r = snapshot_now(db)) < 0)
		return r;
	snprintf(name, sizeof(name), "by%d", (int)id);
	if (!db->prepared[id]) {
		res = PQprepare(db->conn, name, stmt_sql[id], 0, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			r = res_err(db, res);
			PQclear(res);
			return r;
		}
		PQclear(res);
		db->prepared[id] = true;
	}
	res = PQexecPrepared(db->conn, name, p ? p->n : 0, p ? p->v : NULL,
			     NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK) {
		r = res_err(db, res);
		PQclear(res);
		/* the connection was lost (a server restart): a read outside
		 * a transaction is run again on a new one, once */
		if (!db->in_tx && !retried && conn_lost(db) &&
		    !strncmp(stmt_sql[id], "SELECT", 6)) {
			retried = true;
			db->retry_at_ms = 0;
			goto again;
		}
		return r;
	}
	if (ret)
		*ret = res;
	else
		PQclear(res);
	return 0;
}

/* Run and return the number of rows it changed. */
static int
run_count(struct db *db, enum stmt_id id, const struct params *p)
{
	PGresult *res;
	int r = run(db, id, p, &res);

	if (r < 0)
		return r;
	r = atoi(PQcmdTuples(res));
	PQclear(res);
	return r;
}

/* Run, expecting one row: 0 and *ret, -ENOENT for none. */
static int
run_row(struct db *db, enum stmt_id id, const struct params *p,
	PGresult **ret)
{
	PGresult *res;
	int r = run(db, id, p, &res);

	if (r < 0)
		return r;
	if (PQntuples(res) < 1) {
		PQclear(res);
		return -ENOENT;
	}
	*ret = res;
	return 0;
}

/* p filled from the arguments after fmt (see db_args); returns p. */
static const struct params *
args(struct params *p, const char *fmt, ...)
{
	size_t n, i;
	va_list ap;
	struct db_arg a[DB_ARGS_MAX];

	p->n = 0;
	va_start(ap, fmt);
	n = db_args(a, DB_ARGS_MAX, fmt, ap);
	va_end(ap);
	for (i = 0; i < n; i++) {
		if (a[i].is_int)
			p_int(p, a[i].i);
		else
			p->v[p->n++] = a[i].s;
	}
	return p;
}

/* Reads row of res into ctx: 0, a value that stops the rows (passed
 * on), or -errno. */
typedef int (*row_fn)(PGresult *res, int row, void *ctx);

/* Run id with p, fn on each row until it returns non-zero: that value,
 * else 0 or -errno. */
static int
each_row(struct db *db, enum stmt_id id, const struct params *p, row_fn fn,
	 void *ctx)
{
	PGresult *res;
	int n, i, r = run(db, id, p, &res);

	if (r < 0)
		return r;
	n = PQntuples(res);
	for (i = 0; i < n && r == 0; i++)
		r = fn(res, i, ctx);
	PQclear(res);
	return r;
}

/* Run id with p expecting one row, read by fn (none: just look): fn's
 * result, -ENOENT for no row, or -errno. */
static int
one_row(struct db *db, enum stmt_id id, const struct params *p, row_fn fn,
	void *ret)
{
	PGresult *res;
	int r = run_row(db, id, p, &res);

	if (r < 0)
		return r;
	r = fn ? fn(res, 0, ret) : 0;
	PQclear(res);
	return r;
}

static const char *
col(PGresult *res, int row, int c)
{
	return PQgetisnull(res, row, c) ? NULL : PQgetvalue(res, row, c);
}

static void
col_copy(PGresult *res, int row, int c, char *dst, size_t dstsz)
{
	const char *v = col(res, row, c);

	str_copy(dst, dstsz, v ? v : "");
}

static int64_t
col_i64(PGresult *res, int row, int c)
{
	const char *v = col(res, row, c);

	return v ? strtoll(v, NULL, 10) : 0;
}

/* The first column as an int64_t. */
static int
int64_row(PGresult *res, int row, void *ret)
{
	*(int64_t *)ret = col_i64(res, row, 0);
	return 0;
}

/* ---- transactions and snapshots ---------------------------------- */

static void
hold_end(struct db *db)
{
	db->snap_wanted = false;
	if (!db->held)
		return;
	db->held = false;
	db->in_tx = false;
	exec_sql(db, "COMMIT");
}

static int
write_begin(struct db *db)
{
	if (db->readonly)
		return -EROFS;
	hold_end(db);
	return 0;
}

/* Start a transaction with sql (BEGIN ...); on a connection found lost
 * then, once more on a new one: nothing was done yet. */
static int
begin_sql(struct db *db, const char *sql)
{
	int r;

	if ((r = conn_ok(db)) < 0)
		return r;
	r = exec_sql(db, sql);
	if (r < 0 && conn_lost(db)) {
		db->retry_at_ms = 0;
		if ((r = conn_ok(db)) < 0)
			return r;
		r = exec_sql(db, sql);
	}
	return r;
}

/*
 * Events added inside a write transaction (the event writer's batches of
 * up to 512) are gathered as array literals, one per column, and stored
 * by one INSERT ... unnest() before the COMMIT: one round trip and one
 * executor start for the batch instead of one per event (make bench-http
 * on PostgreSQL: see BENCHMARKS.md).
 */
#define EV_BATCH_MAX 512

static void
ev_reset(struct db *db)
{
	/* the buffers stay for the next batch (freed by dbpg_close) */
	for (size_t i = 0; i < 4; i++) {
		db->ev_col[i].len = 0;
		db->ev_col[i].err = 0;
	}
	db->ev_n = 0;
}

/* Append s to array literal b as a quoted element ('{' before the
 * first). */
static void
ev_elem(struct strbuf *b, bool first, const char *s)
{
	char q[2 * DB_DETAIL_MAX + 4], *o = q;

	*o++ = '"';
	for (; *s && o + 4 <= q + sizeof(q); s++) {
		if (*s == '"' || *s == '\\')
			*o++ = '\\';
		*o++ = *s;
	}
	*o++ = '"';
	*o = '\0';
	strbuf_printf(b, "%s%s", first ? "{" : ",", q);
}

/* Store the gathered events (nothing gathered: nothing done). */
static int
ev_flush(struct db *db)
{
	struct params p = { 0 };
	size_t i;
	int r = 0;

	if (!db->ev_n)
		return 0;
	for (i = 0; i < 4; i++) {
		strbuf_printf(&db->ev_col[i], "}");
		if (db->ev_col[i].err && !r)
			r = db->ev_col[i].err;
		p_text(&p, db->ev_col[i].p);
	}
	p_text(&p, db_origin());
	if (!r)
		r = run(db, ST_EVENT_INSERT_MANY, &p, NULL);
	ev_reset(db);
	return r;
}

/* Gather one event (inside a write transaction) for ev_flush. */
static int
ev_gather(struct db *db, const char *ts, const char *mac, const char *kind,
	  const char *detail)
{
	const char *v[4] = { ts, mac, kind, detail };
	int r;

	if (db->ev_n >= EV_BATCH_MAX && (r = ev_flush(db)) < 0)
		return r;
	for (size_t i = 0; i < 4; i++)
		ev_elem(&db->ev_col[i], db->ev_n == 0, v[i]);
	db->ev_n++;
	return 0;
}

static int
tx_begin(struct db *db)
{
	int r = write_begin(db);

	if (r < 0)
		return r;
	r = begin_sql(db, "BEGIN");
	db->in_tx = r == 0;
	return r;
}

static int tx_fail(struct db *db, int r);

static int
tx_commit(struct db *db)
{
	int r = ev_flush(db);

	if (r < 0)
		return tx_fail(db, r);
	r = exec_sql(db, "COMMIT");

	db->in_tx = false;
	if (r < 0 && PQtransactionStatus(db->conn) != PQTRANS_IDLE)
		exec_sql(db, "ROLLBACK");
	return r;
}

static int
tx_fail(struct db *db, int r)
{
	ev_reset(db);
	if (db->in_tx) {
		db->in_tx = false;
		exec_sql(db, "ROLLBACK");
	}
	return r;
}

static int
dbpg_snapshot_begin(struct db *db)
{
	if (!db->in_tx)
		db->snap_wanted = true;
	return 0;
}

/* Before a read: begin the snapshot db_snapshot_begin asked for. */
static int
snapshot_now(struct db *db)
{
	int r;

	if (!db->snap_wanted || db->in_tx)
		return 0;
	db->snap_wanted = false;
	r = begin_sql(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
	db->in_tx = db->held = r == 0;
	return r;
}

static void
dbpg_snapshot_end(struct db *db)
{
	hold_end(db);
}

static int
dbpg_tx_begin(struct db *db)
{
	return tx_begin(db);
}

static int
dbpg_tx_commit(struct db *db)
{
	return tx_commit(db);
}

static void
dbpg_tx_rollback(struct db *db)
{
	tx_fail(db, 0);
}

/*
 * Notifications arrive when the connection is idle; a round trip makes
 * sure that one signalled before this call was read (the server sends
 * it before it answers the next query).
 */
static int
dbpg_changes(struct db *db, uint64_t *ret)
{
	PGnotify *n;
	PGresult *res;
	bool seen = false;
	int r;

	if (!db->in_tx && (r = conn_ok(db)) < 0)
		return r;
	if (!db->listening) {
		if ((r = exec_sql(db, "LISTEN bootyard")) < 0)
			return r;
		db->listening = true;
		seen = true;
	}
	res = PQexec(db->conn, "");
	if (PQresultStatus(res) != PGRES_EMPTY_QUERY) {
		r = res_err(db, res);
		PQclear(res);
		return r;
	}
	PQclear(res);
	PQconsumeInput(db->conn);
	while ((n = PQnotifies(db->conn))) {
		seen = true;
		PQfreemem(n);
	}
	if (db->changes == 0 || seen || db->changed)
		db->changes++;
	db->changed = false;
	*ret = db->changes;
	return 0;
}

static int
dbpg_change_fd(struct db *db)
{
	if (!db->listening || PQstatus(db->conn) != CONNECTION_OK)
		return -1;
	return PQsocket(db->conn);
}

static int
dbpg_maintain(struct db *db, unsigned wait_ms)
{
	return db->readonly ? -EROFS : 0; /* autovacuum does it */
}

/* ---- open, migrate, close ----------------------------------------- */

static int
dbpg_schema_version(struct db *db)
{
	PGresult *res;
	int v = -1;

	res = PQexec(db->conn,
		     "SELECT CASE WHEN to_regclass('bootyard_schema') IS NULL"
		     " THEN -1 ELSE 0 END");
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		v = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	if (v < 0)
		return v == -1 ? 0 : -EIO;
	res = PQexec(db->conn,
		     "SELECT coalesce(max(version), 0) FROM bootyard_schema");
	v = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1
		    ? atoi(PQgetvalue(res, 0, 0))
		    : -EIO;
	PQclear(res);
	return v;
}

static int
migrate(struct db *db)
{
	char sql[96];
	int v, r;

	if (dbpg_schema_version(db) == schema_pg_count())
		return 0;
	if ((r = exec_sql(db, "BEGIN")) < 0)
		return r;
	snprintf(sql, sizeof(sql), "SELECT pg_advisory_xact_lock(%lld)",
		 SCHEMA_LOCK_KEY);
	r = exec_sql(db, sql);
	if (r == 0)
		r = exec_sql(db, "CREATE TABLE IF NOT EXISTS bootyard_schema"
				 " (version integer PRIMARY KEY)");
	if (r < 0)
		goto err;
	v = dbpg_schema_version(db);
	if (v < 0) {
		r = -EIO;
		goto err;
	}
	if (v > schema_pg_count()) {
		r = -EPROTO;
		goto err;
	}
	for (; v < schema_pg_count(); v++) {
		r = exec_sql(db, schema_pg_migration(v + 1));
		if (r < 0)
			goto err;
		snprintf(sql, sizeof(sql),
			 "INSERT INTO bootyard_schema VALUES (%d)", v + 1);
		if ((r = exec_sql(db, sql)) < 0)
			goto err;
	}
	return exec_sql(db, "COMMIT");
err:
	exec_sql(db, "ROLLBACK");
	return r;
}

static void dbpg_close(struct db *db);

static int
dbpg_open(const char *location, int flags, struct db **ret)
{
	struct db *db;
	int r, v;

	db = calloc(1, sizeof(*db));
	if (!db)
		return -ENOMEM;
	db->head.ops = &db_pg_ops;
	db->readonly = flags & DB_OPEN_READONLY;
	db->wait_ms = flags & DB_OPEN_SHORT_WAIT ? DB_SHORT_WAIT_MS
						 : DB_BUSY_WAIT_MS;
	if ((r = parse_location(db, location)) < 0 ||
	    (r = connect_now(db)) < 0)
		goto err;
	v = dbpg_schema_version(db);
	if (v < 0) {
		r = v;
		goto err;
	}
	if (v > schema_pg_count()) {
		r = -EPROTO;
		goto err;
	}
	if (v == 0 && !(flags & DB_OPEN_CREATE)) {
		r = -ENOENT; /* no bootyard database there yet */
		goto err;
	}
	if (db->readonly) {
		if (v != schema_pg_count()) {
			r = -ESTALE;
			goto err;
		}
	} else if ((r = migrate(db)) < 0) {
		goto err;
	}
	*ret = db;
	return 0;
err:
	db_open_error_set(db->errmsg);
	dbpg_close(db);
	return r;
}

static int
dbpg_ping(struct db *db)
{
	PGresult *res;
	int r;

	if (db->in_tx)
		return 0;
	if ((r = conn_ok(db)) < 0)
		return r;
	res = PQexec(db->conn, "");
	r = PQresultStatus(res) == PGRES_EMPTY_QUERY ? 0 : -ECONNREFUSED;
	PQclear(res);
	if (r < 0) {
		set_err(db, PQerrorMessage(db->conn));
		/* lost just now: one reconnect at once */
		db->retry_at_ms = 0;
		r = conn_ok(db);
	}
	return r;
}

static bool
dbpg_read_only(struct db *db)
{
	return db->readonly;
}

static void
dbpg_close(struct db *db)
{
	if (!db)
		return;
	if (db->conn)
		PQfinish(db->conn);
	for (size_t i = 0; i < 4; i++)
		free(db->ev_col[i].p);
	if (db->password) {
		explicit_bzero(db->password, strlen(db->password));
		free(db->password);
	}
	free(db->uri);
	if (db->cache)
		db_sqlite_ops.close(db->cache);
	free(db->cache_path);
	free(db);
}

/* ---- the read cache ------------------------------------------------ */

static void
cache_drop(struct db *db)
{
	if (db->cache)
		db_sqlite_ops.close(db->cache);
	db->cache = NULL;
}

/* The read cache's connection, opened again when its file was replaced
 * (a new inode: the writer renames a new file over it) or changed; NULL
 * when there is none or it cannot be read. One stat a call. */
static struct db *
cache_get(struct db *db)
{
	struct stat st;

	if (!db->cache_path || stat(db->cache_path, &st) < 0 ||
	    !S_ISREG(st.st_mode)) {
		cache_drop(db);
		return NULL;
	}
	if (db->cache && st.st_ino == db->cache_ino &&
	    st.st_dev == db->cache_dev &&
	    st.st_mtim.tv_sec == db->cache_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == db->cache_mtim.tv_nsec)
		return db->cache;
	cache_drop(db);
	if (db_sqlite_ops.open(db->cache_path, DB_OPEN_READONLY, &db->cache) <
	    0) {
		db->cache = NULL;
		return NULL;
	}
	db->cache_dev = st.st_dev;
	db->cache_ino = st.st_ino;
	db->cache_mtim = st.st_mtim;
	return db->cache;
}

/* The server is unavailable: the connection is lost (or being
 * reconnected with back-off). */
static bool
server_down(struct db *db)
{
	return conn_lost(db);
}

/* r (a read's result) says the server is unavailable, and a read cache
 * is there to answer instead: its connection, else NULL. */
static struct db *
cache_for(struct db *db, int r)
{
	if (r >= 0 || r == -ENOENT || r == -EINVAL || !server_down(db))
		return NULL;
	return cache_get(db);
}

/* A read answered from the cache: counted (db_cache_answers). */
static int
cache_counted(int r)
{
	atomic_fetch_add_explicit(&cache_answers, 1, memory_order_relaxed);
	return r;
}

/* r, or when r says the server is unavailable, the cache's answer to
 * the same read (db_sqlite_ops.NAME on the cache's connection). */
#define OR_CACHE(db, r, name, ...)                                            \
	(cache_for((db), (r))                                                 \
		 ? cache_counted(db_sqlite_ops.name((db)->cache, __VA_ARGS__)) \
		 : (r))

static int
dbpg_set_cache(struct db *db, const char *path)
{
	char *p = NULL;

	if (path && *path && !(p = strdup(path)))
		return -ENOMEM;
	cache_drop(db);
	free(db->cache_path);
	db->cache_path = p;
	return 0;
}

static int
dbpg_cache_synced(struct db *db, int64_t *ret)
{
	if (!server_down(db) || !cache_get(db))
		return -ENOENT;
	if (ret)
		*ret = (int64_t)db->cache_mtim.tv_sec;
	return 0;
}

uint64_t
db_cache_answers(void)
{
	return atomic_load_explicit(&cache_answers, memory_order_relaxed);
}

static const char *
dbpg_errmsg(struct db *db)
{
	return db->errmsg[0] ? db->errmsg : PQerrorMessage(db->conn);
}

/* ---- hosts --------------------------------------------------------- */

static int
attrs_write(struct db *db, const struct db_host *h, int64_t id)
{
	struct params p;
	size_t i;
	int r = run(db, ST_ATTRS_CLEAR, args(&p, "I", id), NULL);

	for (i = 0; r == 0 && i < h->n_attrs; i++)
		r = run(db, ST_ATTR_INSERT,
			args(&p, "Itt", id, h->attrs[i].key, h->attrs[i].value),
			NULL);
	return r;
}

static int
mac_insert(struct db *db, const char *mac, int64_t id, int pos)
{
	struct params p;

	return run(db, ST_MAC_INSERT, args(&p, "tIi", mac, id, pos), NULL);
}

static int
dbpg_host_add(struct db *db, const struct db_host *h, int64_t *ret_id)
{
	struct params p;
	int64_t id;
	size_t i;
	int r;

	if ((r = db_host_check(h, true)) < 0 || (r = tx_begin(db)) < 0)
		return r;
	r = one_row(db, ST_HOST_INSERT,
		    args(&p, "oototI", h->hostname, h->ip,
			 db_action_name(h->action), h->distro, h->local_boot,
			 db_now_s()),
		    int64_row, &id);
	for (i = 0; r == 0 && i < h->n_macs; i++)
		r = mac_insert(db, h->macs[i], id, (int)i);
	if (r < 0 || (r = attrs_write(db, h, id)) < 0)
		return tx_fail(db, r);
	if ((r = tx_commit(db)) == 0 && ret_id)
		*ret_id = id;
	return r;
}

/* Fill *ret from a HOST_COLS row. */
static int
host_row(PGresult *res, int row, void *ret)
{
	char buf[DB_MAX_ATTRS * (NAME_MAX_LEN + DB_ATTR_VALUE_MAX + 2) + 1];
	struct db_host *h = ret;
	char *save, *tok;

	memset(h, 0, sizeof(*h));
	h->id = col_i64(res, row, 0);
	col_copy(res, row, 1, h->hostname, sizeof(h->hostname));
	col_copy(res, row, 2, h->ip, sizeof(h->ip));
	if (db_action_parse(col(res, row, 3), &h->action) < 0)
		h->action = DB_ACTION_MENU;
	col_copy(res, row, 4, h->distro, sizeof(h->distro));
	col_copy(res, row, 5, h->local_boot, sizeof(h->local_boot));
	col_copy(res, row, 6, h->token, sizeof(h->token));
	h->attempts = (unsigned)col_i64(res, row, 7);
	h->created = col_i64(res, row, 8);
	h->updated = col_i64(res, row, 9);
	col_copy(res, row, 10, buf, sizeof(buf));
	for (tok = strtok_r(buf, " ", &save); tok && h->n_macs < DB_MAX_MACS;
	     tok = strtok_r(NULL, " ", &save))
		str_copy(h->macs[h->n_macs++], MAC_STR_LEN, tok);
	col_copy(res, row, 11, buf, sizeof(buf));
	for (tok = strtok_r(buf, "\x1e", &save);
	     tok && h->n_attrs < DB_MAX_ATTRS;
	     tok = strtok_r(NULL, "\x1e", &save)) {
		char *us = strchr(tok, '\x1f');

		if (!us)
			continue;
		*us = '\0';
		str_copy(h->attrs[h->n_attrs].key, sizeof(h->attrs[0].key),
			 tok);
		str_copy(h->attrs[h->n_attrs].value,
			 sizeof(h->attrs[0].value), us + 1);
		h->n_attrs++;
	}
	return 0;
}

static int
host_by(struct db *db, enum stmt_id id, const struct params *p,
	struct db_host *ret)
{
	return one_row(db, id, p, host_row, ret);
}

static int
dbpg_host_get(struct db *db, int64_t id, struct db_host *ret)
{
	struct params p;
	int r = host_by(db, ST_HOST_BY_ID, args(&p, "I", id), ret);

	return OR_CACHE(db, r, host_get, id, ret);
}

/* Lock host id's row for this transaction: -ENOENT when there is none. */
static int
host_lock(struct db *db, int64_t id)
{
	struct params p;

	return one_row(db, ST_HOST_LOCK, args(&p, "I", id), NULL, NULL);
}

/* The host statement by gives for key: -EINVAL unless key is valid. */
static int
host_find(struct db *db, enum stmt_id by, const char *key, bool valid,
	  struct db_host *ret)
{
	struct params p;

	return valid ? host_by(db, by, args(&p, "t", key), ret) : -EINVAL;
}

static int
dbpg_host_find_by_mac(struct db *db, const char *mac, struct db_host *ret)
{
	int r = host_find(db, ST_HOST_BY_MAC, mac, db_mac_canonical(mac), ret);

	return OR_CACHE(db, r, host_find_by_mac, mac, ret);
}

static int
dbpg_host_find_by_name(struct db *db, const char *hostname,
		       struct db_host *ret)
{
	int r = host_find(db, ST_HOST_BY_NAME, hostname,
			  valid_hostname(hostname), ret);

	return OR_CACHE(db, r, host_find_by_name, hostname, ret);
}

static int
host_write(struct db *db, const struct db_host *h)
{
	struct params p;
	int r;

	if ((r = db_host_check(h, false)) < 0)
		return r;
	r = run_count(db, ST_HOST_UPDATE,
		      args(&p, "IoototI", h->id, h->hostname, h->ip,
			   db_action_name(h->action), h->distro,
			   h->local_boot, db_now_s()));
	r = db_changed_or(r, -ENOENT);
	return r < 0 ? r : attrs_write(db, h, h->id);
}

static int
dbpg_host_update(struct db *db, const struct db_host *h)
{
	int r;

	if ((r = db_host_check(h, false)) < 0)
		return r;
	if ((r = tx_begin(db)) < 0)
		return r;
	if ((r = host_write(db, h)) < 0)
		return tx_fail(db, r);
	return tx_commit(db);
}

static int
dbpg_host_modify(struct db *db, int64_t id, db_host_modify_fn fn, void *ctx)
{
	struct db_host *h;
	int r;

	h = malloc(sizeof(*h));
	if (!h)
		return -ENOMEM;
	r = tx_begin(db);
	if (r < 0)
		goto out;
	r = host_lock(db, id);
	if (r == 0)
		r = dbpg_host_get(db, id, h);
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

static int
dbpg_host_reinstall(struct db *db, int64_t id, const char *distro)
{
	struct params p;
	struct db_host h;
	int r;

	if (distro && *distro && !valid_name(distro))
		return -EINVAL;
	if ((r = tx_begin(db)) < 0)
		return r;
	if ((r = host_lock(db, id)) < 0 || (r = dbpg_host_get(db, id, &h)) < 0)
		return tx_fail(db, r);
	if (distro && *distro)
		str_copy(h.distro, sizeof(h.distro), distro);
	if (!h.distro[0])
		return tx_fail(db, -EINVAL);
	r = run(db, ST_INSTALL_DONE, args(&p, "II", id, db_now_s()), NULL);
	h.action = DB_ACTION_INSTALL;
	if (r < 0 || (r = host_write(db, &h)) < 0)
		return tx_fail(db, r);
	return tx_commit(db);
}

static int
dbpg_host_delete(struct db *db, int64_t id)
{
	struct params p;
	int r;

	if ((r = write_begin(db)) < 0)
		return r;
	r = run_count(db, ST_HOST_DELETE, args(&p, "I", id));
	return r < 0 ? r : r == 0 ? -ENOENT : 0;
}

/* The first two columns as ints. */
static int
slots_row(PGresult *res, int row, void *ret)
{
	((int *)ret)[0] = (int)col_i64(res, row, 0);
	((int *)ret)[1] = (int)col_i64(res, row, 1);
	return 0;
}

static int
mac_slots(struct db *db, int64_t id, int *ret_next, int *ret_count)
{
	struct params p;
	int slots[2];
	int r = one_row(db, ST_MAC_NEXT_POS, args(&p, "I", id), slots_row,
			slots);

	if (r < 0)
		return r == -ENOENT ? -EIO : r;
	*ret_next = slots[0];
	*ret_count = slots[1];
	return 0;
}

static int
dbpg_host_mac_add(struct db *db, int64_t id, const char *mac)
{
	int next, count, r;

	if (!db_mac_canonical(mac))
		return -EINVAL;
	if ((r = tx_begin(db)) < 0)
		return r;
	if ((r = host_lock(db, id)) < 0 ||
	    (r = mac_slots(db, id, &next, &count)) < 0)
		return tx_fail(db, r);
	if (count == 0)
		return tx_fail(db, -ENOENT);
	if (count >= DB_MAX_MACS)
		return tx_fail(db, -EMLINK);
	if ((r = mac_insert(db, mac, id, next)) < 0)
		return tx_fail(db, r);
	return tx_commit(db);
}

static int
dbpg_host_mac_remove(struct db *db, int64_t id, const char *mac)
{
	struct params p;
	int next, count, r;

	if (!db_mac_canonical(mac))
		return -EINVAL;
	if ((r = tx_begin(db)) < 0)
		return r;
	if ((r = host_lock(db, id)) < 0) {
		tx_fail(db, r);
		return -ENOENT;
	}
	if ((r = mac_slots(db, id, &next, &count)) < 0)
		return tx_fail(db, r);
	r = run_count(db, ST_MAC_DELETE, args(&p, "It", id, mac));
	r = db_changed_or(r, -ENOENT);
	if (r >= 0 && count <= 1)
		r = -EPERM;
	return db_write_end(db, r);
}

static int
dbpg_host_list(struct db *db, db_host_fn fn, void *ctx)
{
	PGresult *res;
	int64_t *ids;
	int n, i, r;

	if ((r = run(db, ST_HOST_LIST, NULL, &res)) < 0)
		return r;
	n = PQntuples(res);
	ids = calloc((size_t)n + 1, sizeof(*ids));
	if (!ids) {
		PQclear(res);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		ids[i] = col_i64(res, i, 0);
	PQclear(res);
	r = db_hosts_each(db, ids, (size_t)n, dbpg_host_get, fn, ctx);
	free(ids);
	return r;
}

static int
dbpg_host_count(struct db *db, int64_t *ret)
{
	int r = one_row(db, ST_HOST_COUNT, NULL, int64_row, ret);

	return r == -ENOENT ? -EIO : r;
}

/* ---- install once -------------------------------------------------- */

static int
event_insert_at(struct db *db, int64_t ts_ms, const char *mac,
		const char *kind, const char *detail)
{
	char clean[DB_DETAIL_MAX];
	struct params p;
	size_t i;

	str_copy(clean, sizeof(clean), detail ? detail : "");
	for (i = 0; clean[i]; i++)
		if ((unsigned char)clean[i] < 0x20 || clean[i] == 0x7f)
			clean[i] = ' ';
	args(&p, "Itttt", ts_ms, mac, kind, clean, db_origin());
	if (db->in_tx && !db->held)
		return ev_gather(db, p.v[0], mac, kind, clean);
	return run(db, ST_EVENT_INSERT, &p, NULL);
}

static int
dbpg_install_issue_for(struct db *db, int64_t id, const char *distro,
		       const char *token, unsigned max_attempts)
{
	struct params p;
	struct db_host h;
	char detail[128];
	int r;

	if (!valid_token(token) || (distro && !valid_name(distro)))
		return -EINVAL;
	if ((r = tx_begin(db)) < 0)
		return r;
	/* the host's row locked: a second appliance issuing for the same
	 * host waits here, then reads what this one committed */
	if ((r = host_lock(db, id)) < 0 || (r = dbpg_host_get(db, id, &h)) < 0)
		return tx_fail(db, r);
	if (h.action != DB_ACTION_INSTALL ||
	    (distro && strcmp(h.distro, distro)))
		return tx_fail(db, -ESTALE);
	if (h.attempts >= max_attempts) {
		r = run_count(db, ST_INSTALL_EXHAUST,
			      args(&p, "II", id, db_now_s()));
		if (r == 0)
			return tx_fail(db, -ESTALE);
		snprintf(detail, sizeof(detail),
			 "%u install attempts of %s without done: "
			 "host set to menu",
			 h.attempts, h.distro);
		if (r > 0)
			r = event_insert_at(db, db_now_ms(),
					    h.n_macs ? h.macs[0] : "",
					    "install-exhausted", detail);
		r = db_write_end(db, r);
		return r < 0 ? r : -EDQUOT;
	}
	r = run_count(db, ST_INSTALL_SET,
		      args(&p, "ItIIp", id, token, db_now_s(),
			   (int64_t)(max_attempts > INT32_MAX ? INT32_MAX
							      : max_attempts),
			   distro));
	r = db_changed_or(r, -ESTALE); /* compare and set lost */
	if (r >= 0)
		r = run(db, ST_INSTALL_TOKEN_INSERT,
			args(&p, "tII", token, id, db_now_s()), NULL);
	return db_write_end(db, r);
}

static int
dbpg_install_issue(struct db *db, int64_t id, const char *token,
		   unsigned max_attempts)
{
	return dbpg_install_issue_for(db, id, NULL, token, max_attempts);
}

static int dbpg_distro_get(struct db *db, const char *name,
			   struct db_distro *ret);

static int
dbpg_install_once(struct db *db, int64_t id, const char *mac,
		  const char *distro, const char *token)
{
	struct params p;
	struct db_distro d;
	int r;

	if (!valid_token(token) || !db_mac_canonical(mac) || !valid_name(distro))
		return -EINVAL;
	if ((r = tx_begin(db)) < 0)
		return r;
	if ((r = dbpg_distro_get(db, distro, &d)) < 0)
		return tx_fail(db, r);
	db_distro_free(&d);
	r = run(db, ST_INSTALL_ONCE_SUPERSEDE, args(&p, "tI", mac, db_now_s()),
		NULL);
	if (r == 0)
		r = run(db, ST_INSTALL_ONCE_INSERT,
			args(&p, "tkItt", token, id, db_now_s(), mac, distro),
			NULL);
	return db_write_end(db, r);
}

/* Fill a struct db_token from a row of ST_INSTALL_TOKEN_FIND. */
static int
token_row_read(PGresult *res, int row, void *ret)
{
	struct db_token *t = ret;

	memset(t, 0, sizeof(*t));
	t->host_id = col_i64(res, row, 0);
	t->current = col_i64(res, row, 1) != 0;
	t->once = col_i64(res, row, 2) != 0;
	col_copy(res, row, 3, t->mac, sizeof(t->mac));
	col_copy(res, row, 4, t->distro, sizeof(t->distro));
	return 0;
}

static int
token_find(struct db *db, const char *token, struct db_token *ret)
{
	struct params p;

	if (!valid_token(token))
		return -ENOENT;
	return one_row(db, ST_INSTALL_TOKEN_FIND,
		       args(&p, "tI", token, db_now_s() - DB_ONCE_TOKEN_TTL),
		       token_row_read, ret);
}

static int
dbpg_install_lookup(struct db *db, const char *token, struct db_host *ret)
{
	struct db_token t;

	return db_token_host(db, token_find(db, token, &t), &t, ret);
}

static int
dbpg_install_done(struct db *db, const char *token, struct db_host *ret_host)
{
	struct params p;
	struct db_token t;
	struct db_host h;
	char detail[128];
	const char *mac;
	int r;

	if (!valid_token(token))
		return -ENOENT;
	if ((r = tx_begin(db)) < 0)
		return r;
	/* the token's row locked: a second done with it waits, then finds
	 * it used */
	r = one_row(db, ST_INSTALL_TOKEN_LOCK, args(&p, "t", token), NULL, NULL);
	if (r < 0 ||
	    (r = db_token_host(db, token_find(db, token, &t), &t, &h)) < 0)
		return tx_fail(db, r);
	if (!t.once)
		r = db_changed_or(run_count(db, ST_INSTALL_DONE_CAS,
					    args(&p, "IIt", t.host_id,
						 db_now_s(), token)),
				  -ESTALE);
	if (r >= 0)
		r = db_changed_or(run_count(db, ST_INSTALL_TOKEN_USE,
					    args(&p, "tI", token, db_now_s())),
				  -ESTALE);
	if (r >= 0) {
		mac = db_done_event(t.once, t.mac, &h, detail, sizeof(detail));
		r = event_insert_at(db, db_now_ms(), mac, "done", detail);
	}
	if ((r = db_write_end(db, r)) == 0 && ret_host) {
		db_done_host(t.once, &h);
		*ret_host = h;
	}
	return r;
}

/* ---- distributions ------------------------------------------------- */

/* Replace d's kernels (inside the caller's transaction). 0 or -errno. */
static int
distro_kernels_write(struct db *db, const struct db_distro *d)
{
	struct params p;
	size_t i;
	int r = run(db, ST_DISTRO_KERNEL_CLEAR, args(&p, "t", d->name), NULL);

	for (i = 0; r == 0 && i < d->n_kernels; i++)
		r = run(db, ST_DISTRO_KERNEL_INSERT,
			args(&p, "tttt", d->name, d->kernels[i].arch,
			     d->kernels[i].kernel, d->kernels[i].initrd),
			NULL);
	return r;
}

/* Insert or update one distribution and its kernels in one
 * transaction. */
static int
distro_write(struct db *db, const struct db_distro *d, enum stmt_id id)
{
	struct params p;
	int r;

	if ((r = db_distro_check(d)) < 0 || (r = tx_begin(db)) < 0)
		return r;
	r = run_count(db, id,
		      args(&p, "ttptI", d->name, d->cmdline, d->template_text,
			   d->template_name, db_now_s()));
	r = db_changed_or(r, -ENOENT);
	if (r < 0 || (r = distro_kernels_write(db, d)) < 0)
		return tx_fail(db, r);
	return tx_commit(db);
}

static int
dbpg_distro_add(struct db *db, const struct db_distro *d)
{
	return distro_write(db, d, ST_DISTRO_INSERT);
}

static int
dbpg_distro_update(struct db *db, const struct db_distro *d)
{
	return distro_write(db, d, ST_DISTRO_UPDATE);
}

/* Copy the field of s that ends at sep (or NUL) into dst; *s moves
 * past it and the separator. */
static void
field_take(const char **s, char sep, char *dst, size_t dstsz)
{
	const char *e = strchr(*s, sep);
	size_t n = e ? (size_t)(e - *s) : strlen(*s);

	if (dstsz) {
		if (n >= dstsz)
			n = dstsz - 1;
		memcpy(dst, *s, n);
		dst[n] = '\0';
	}
	*s = e ? e + 1 : *s + strlen(*s);
}

/* Fill d's kernels from DISTRO_COLS' aggregate (sorted by arch). */
static void
distro_kernels_parse(const char *s, struct db_distro *d)
{
	char rec[4 * DB_REF_MAX + DB_REF_MAX + KERNEL_ARCH_MAX + 2];
	const char *r;

	d->n_kernels = 0;
	while (s && *s && d->n_kernels < DB_DISTRO_ARCHES) {
		struct db_distro_kernel *k = &d->kernels[d->n_kernels++];

		field_take(&s, '\x1e', rec, sizeof(rec));
		r = rec;
		field_take(&r, '\x1f', k->arch, sizeof(k->arch));
		field_take(&r, '\x1f', k->kernel, sizeof(k->kernel));
		field_take(&r, '\x1f', k->initrd, sizeof(k->initrd));
	}
}

/* Fill d from a row of DISTRO_COLS. */
static int
distro_row(PGresult *res, int row, void *ret)
{
	struct db_distro *d = ret;
	const char *t;

	memset(d, 0, sizeof(*d));
	col_copy(res, row, 0, d->name, sizeof(d->name));
	col_copy(res, row, 1, d->cmdline, sizeof(d->cmdline));
	t = col(res, row, 2);
	if (t) {
		d->template_text = strdup(t);
		if (!d->template_text)
			return -ENOMEM;
	}
	col_copy(res, row, 3, d->template_name, sizeof(d->template_name));
	d->created = col_i64(res, row, 4);
	d->updated = col_i64(res, row, 5);
	distro_kernels_parse(col(res, row, 6), d);
	return 0;
}

static int
dbpg_distro_get(struct db *db, const char *name, struct db_distro *ret)
{
	struct params p;
	int r;

	if (!valid_name(name))
		return -ENOENT;
	r = one_row(db, ST_DISTRO_GET, args(&p, "t", name), distro_row, ret);
	return r == -ENOMEM ? r : OR_CACHE(db, r, distro_get, name, ret);
}

static int
dbpg_distro_delete(struct db *db, const char *name)
{
	struct params p;
	int r = db_write_open(db, valid_name(name) ? 0 : -ENOENT);

	if (r < 0)
		return r;
	r = one_row(db, ST_DISTRO_IN_USE, args(&p, "t", name), NULL, NULL);
	if (r == 0)
		r = -ENOTEMPTY;
	else if (r == -ENOENT)
		r = db_changed_or(run_count(db, ST_DISTRO_DELETE, &p), -ENOENT);
	return db_write_end(db, r);
}

/* The caller's function on a row of ST_DISTRO_LIST. */
static int
distro_each_row(PGresult *res, int row, void *ctx)
{
	struct db_list_cb *cb = ctx;
	struct db_distro d;
	int r = distro_row(res, row, &d);

	if (r == 0)
		r = cb->fn.distro(&d, cb->ctx);
	db_distro_free(&d);
	return r;
}

static int
dbpg_distro_list(struct db *db, db_distro_fn fn, void *ctx)
{
	struct db_list_cb cb = { .fn.distro = fn, .ctx = ctx };

	return each_row(db, ST_DISTRO_LIST, NULL, distro_each_row, &cb);
}

/* Append a row of ST_DISTRO_NAMES; 1 (stop) once the menu is full. */
static int
distro_name_row(PGresult *res, int row, void *ctx)
{
	struct db_distro_names *m = ctx;

	col_copy(res, row, 0, m->names[m->n], sizeof(m->names[0]));
	m->ptrs[m->n] = m->names[m->n];
	col_copy(res, row, 1, m->arches[m->n], sizeof(m->arches[0]));
	m->arch_ptrs[m->n] = m->arches[m->n];
	return ++m->n == DB_MENU_DISTROS;
}

static int
dbpg_distro_names(struct db *db, struct db_distro_names *ret)
{
	struct params p;
	int r;

	ret->n = 0;
	r = each_row(db, ST_DISTRO_NAMES, args(&p, "i", DB_MENU_DISTROS),
		     distro_name_row, ret);
	return r < 0 ? OR_CACHE(db, r, distro_names, ret) : 0;
}

/* ---- leases -------------------------------------------------------- */

static int
dbpg_lease_record(struct db *db, const struct db_lease *l)
{
	struct params p;
	char detail[1024], kind[16];
	int r;

	if (!db_lease_check(l))
		return -EINVAL;
	if ((r = tx_begin(db)) < 0)
		return r;
	r = run(db, ST_LEASE_UPSERT,
		args(&p, "tttitttIIt", l->mac, l->ip, l->hostname, l->arch,
		     l->vendor_class, l->user_class, l->state, l->expires,
		     db_now_s(), l->ip6),
		NULL);
	if (r < 0)
		return tx_fail(db, r);
	snprintf(kind, sizeof(kind), "dhcp-%s", l->state);
	snprintf(detail, sizeof(detail), "ip=%s arch=%d%s%s%s%s",
		 l->ip6[0] ? l->ip6 : l->ip[0] ? l->ip : "-", l->arch,
		 l->hostname[0] ? " hostname=" : "", l->hostname,
		 l->user_class[0] ? " user-class=" : "", l->user_class);
	if ((r = event_insert_at(db, db_now_ms(), l->mac, kind, detail)) < 0)
		return tx_fail(db, r);
	return tx_commit(db);
}

static int
dbpg_lease_seen(struct db *db, const char *mac, int arch)
{
	struct params p;
	int r;

	if (!db_mac_canonical(mac) || arch < -1 || arch > 65535)
		return -EINVAL;
	if ((r = write_begin(db)) < 0)
		return r;
	return run(db, ST_LEASE_SEEN, args(&p, "tiI", mac, arch, db_now_s()),
		   NULL);
}

static int64_t
count_param(unsigned long n)
{
	return n > INT64_MAX ? INT64_MAX : (int64_t)n;
}

static int
dbpg_lease_prune(struct db *db, int64_t max_age_s, unsigned long unknown_keep)
{
	struct params p;
	int64_t now = db_now_s(), total;
	int r, n;

	if (max_age_s < 0)
		return -EINVAL;
	if ((r = tx_begin(db)) < 0)
		return r;
	n = run_count(db, ST_LEASE_PRUNE_OLD,
		      args(&p, "II", now - max_age_s, now));
	if (n < 0)
		return tx_fail(db, n);
	/* the cap: only when there are more rows than it, known ones
	 * included (counting is cheaper than finding the unknown ones) */
	if ((r = one_row(db, ST_LEASE_COUNT, NULL, int64_row, &total)) < 0)
		return tx_fail(db, r);
	if (total > 0 && (uint64_t)total > unknown_keep) {
		r = run_count(db, ST_LEASE_PRUNE_UNKNOWN,
			      args(&p, "I", count_param(unknown_keep)));
		if (r < 0)
			return tx_fail(db, r);
		n += r;
	}
	r = tx_commit(db);
	return r < 0 ? r : n;
}

static int
dbpg_token_prune(struct db *db, int64_t max_age_s, unsigned long spent_keep)
{
	struct params p;
	int r, n;

	if (max_age_s < 0)
		return -EINVAL;
	if ((r = tx_begin(db)) < 0)
		return r;
	r = n = run_count(db, ST_TOKEN_PRUNE_OLD,
			  args(&p, "I", db_now_s() - max_age_s));
	if (r >= 0)
		n += r = run_count(db, ST_TOKEN_PRUNE_SPENT,
				   args(&p, "I", count_param(spent_keep)));
	if (r < 0)
		return tx_fail(db, r);
	r = tx_commit(db);
	return r < 0 ? r : n;
}

static int
lease_row(PGresult *res, int row, void *ret)
{
	struct db_lease *l = ret;

	memset(l, 0, sizeof(*l));
	col_copy(res, row, 0, l->mac, sizeof(l->mac));
	col_copy(res, row, 1, l->ip, sizeof(l->ip));
	col_copy(res, row, 2, l->hostname, sizeof(l->hostname));
	l->arch = (int)col_i64(res, row, 3);
	col_copy(res, row, 4, l->vendor_class, sizeof(l->vendor_class));
	col_copy(res, row, 5, l->user_class, sizeof(l->user_class));
	col_copy(res, row, 6, l->state, sizeof(l->state));
	l->expires = col_i64(res, row, 7);
	l->first_seen = col_i64(res, row, 8);
	l->last_seen = col_i64(res, row, 9);
	l->known = col_i64(res, row, 10) != 0;
	col_copy(res, row, 11, l->ip6, sizeof(l->ip6));
	return 0;
}

/* The caller's function on a row of ST_LEASE_LIST. */
static int
lease_each_row(PGresult *res, int row, void *ctx)
{
	struct db_list_cb *cb = ctx;
	struct db_lease l;

	lease_row(res, row, &l);
	return cb->fn.lease(&l, cb->ctx);
}

static int
dbpg_lease_list(struct db *db, bool unknown_only, db_lease_fn fn, void *ctx)
{
	struct db_list_cb cb = { .fn.lease = fn, .ctx = ctx };
	struct params p;

	return each_row(db, ST_LEASE_LIST, args(&p, "i", unknown_only ? 1 : 0),
			lease_each_row, &cb);
}

/* The first column as a MAC. */
static int
mac_row(PGresult *res, int row, void *ret)
{
	col_copy(res, row, 0, ret, MAC_STR_LEN);
	return 0;
}

static int
dbpg_lease_holder(struct db *db, const char *ip, char ret_mac[MAC_STR_LEN])
{
	char mac[MAC_STR_LEN];
	struct params p;
	int r;

	if (!ip || !valid_ip(ip))
		return -EINVAL;
	r = one_row(db, ST_LEASE_HOLDER, args(&p, "tI", ip, db_now_s()),
		    mac_row, mac);
	if (r == 0 && !db_mac_canonical(mac))
		r = -ENOENT;
	if (r == 0)
		memcpy(ret_mac, mac, MAC_STR_LEN);
	return r;
}

static int
dbpg_lease_get(struct db *db, const char *mac, struct db_lease *ret)
{
	struct params p;

	if (!db_mac_canonical(mac))
		return -EINVAL;
	return one_row(db, ST_LEASE_GET, args(&p, "t", mac), lease_row, ret);
}

/* ---- events -------------------------------------------------------- */

static int
dbpg_event_add_at(struct db *db, int64_t ts_ms, const char *mac,
		  const char *kind, const char *detail)
{
	if (!db_event_check(ts_ms, mac, kind))
		return -EINVAL;
	return write_begin(db) ?: event_insert_at(db, ts_ms, mac ? mac : "",
						  kind, detail);
}

static int
dbpg_event_add(struct db *db, const char *mac, const char *kind,
	       const char *detail)
{
	return dbpg_event_add_at(db, db_now_ms(), mac, kind, detail);
}

static int
dbpg_event_prune(struct db *db, unsigned long keep)
{
	struct params p;
	int r;

	if (keep == 0)
		return 0;
	if ((r = write_begin(db)) < 0 || (r = ev_flush(db)) < 0)
		return r;
	return run_count(db, ST_EVENT_PRUNE, args(&p, "I", count_param(keep)));
}

/* The caller's function on a row of ST_EVENT_LIST. */
static int
event_each_row(PGresult *res, int row, void *ctx)
{
	struct db_list_cb *cb = ctx;
	struct db_event e;

	memset(&e, 0, sizeof(e));
	e.id = col_i64(res, row, 0);
	e.ts_ms = col_i64(res, row, 1);
	col_copy(res, row, 2, e.mac, sizeof(e.mac));
	col_copy(res, row, 3, e.kind, sizeof(e.kind));
	col_copy(res, row, 4, e.detail, sizeof(e.detail));
	col_copy(res, row, 5, e.appliance, sizeof(e.appliance));
	return cb->fn.event(&e, cb->ctx);
}

static int
dbpg_event_list(struct db *db, const char *mac, unsigned limit,
		db_event_fn fn, void *ctx)
{
	struct db_list_cb cb = { .fn.event = fn, .ctx = ctx };
	struct params p;
	int r;

	if (mac && !db_mac_canonical(mac))
		return -EINVAL;
	if ((r = ev_flush(db)) < 0) /* this transaction's own events too */
		return r;
	return each_row(db, ST_EVENT_LIST,
			args(&p, "pk", mac, (int64_t)limit), event_each_row,
			&cb);
}

/* ---- power control ------------------------------------------------ */

static int
dbpg_power_get(struct db *db, int64_t id, struct db_power *ret, bool secret)
{
	struct db_power pw = { .method = "none" };
	struct params p;
	PGresult *res;
	int r;

	r = run_row(db, ST_POWER_GET, args(&p, "I", id), &res);
	if (r == 0) {
		const char *pass = col(res, 0, 3);

		col_copy(res, 0, 0, pw.method, sizeof(pw.method));
		col_copy(res, 0, 1, pw.bmc, sizeof(pw.bmc));
		col_copy(res, 0, 2, pw.user, sizeof(pw.user));
		pw.has_password = pass && *pass;
		if (secret && pass)
			str_copy(pw.password, sizeof(pw.password), pass);
		PQclear(res);
	} else if (r != -ENOENT) {
		return r;
	}
	*ret = pw;
	explicit_bzero(&pw, sizeof(pw));
	return 0;
}

static int
dbpg_power_set(struct db *db, int64_t id, const struct db_power *pw,
	       bool set_secret)
{
	struct params p;
	int r;

	if (!db_power_check(pw))
		return -EINVAL;
	if ((r = write_begin(db)) < 0)
		return r;
	args(&p, set_secret ? "ItttIt" : "ItttI", id, pw->method, pw->bmc,
	     pw->user, db_now_s(), pw->password);
	return run(db, set_secret ? ST_POWER_SET_SECRET : ST_POWER_SET, &p,
		   NULL);
}

/* ---- copy: whole tables as text ------------------------------------- */

static int
dbpg_rows_read(struct db *db, const struct db_table *t, db_row_fn fn,
	       void *ctx)
{
	const char *vals[DB_TABLE_MAX_COLS];
	char sql[1024];
	PGresult *res;
	size_t c;
	int n, i, r;

	if ((r = db_table_sql(t, false, '$', sql, sizeof(sql))) < 0)
		return r;
	if (!db->in_tx && (r = conn_ok(db)) < 0)
		return r;
	/* db_copy_boot reads its tables in one snapshot */
	if (db->snap_wanted && (r = snapshot_now(db)) < 0)
		return r;
	res = PQexec(db->conn, sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		r = res_err(db, res);
		PQclear(res);
		return r;
	}
	n = PQntuples(res);
	for (i = 0; i < n && r == 0; i++) {
		for (c = 0; c < t->n_cols; c++)
			vals[c] = col(res, i, (int)c);
		r = fn(t, vals, ctx);
	}
	PQclear(res);
	return r;
}

static int
dbpg_rows_write(struct db *db, const struct db_table *t,
		const char *const *vals)
{
	char sql[1024];
	PGresult *res;
	int r;

	if ((r = write_begin(db)) < 0)
		return r;
	if ((r = db_table_sql(t, true, '$', sql, sizeof(sql))) < 0)
		return r;
	res = PQexecParams(db->conn, sql, (int)t->n_cols, NULL, vals, NULL,
			   NULL, 0);
	r = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : res_err(db, res);
	PQclear(res);
	return r;
}

static int
dbpg_rows_done(struct db *db, const struct db_table *t)
{
	char sql[512];

	if (!t->serial)
		return 0;
	snprintf(sql, sizeof(sql),
		 "SELECT setval(pg_get_serial_sequence('%s', '%s'),"
		 " coalesce(max(%s), 0) + 1, false) FROM %s",
		 t->name, t->serial, t->serial, t->name);
	return exec_sql(db, sql);
}

#define DB_OPS_PREFIX(name) dbpg_##name
const struct db_ops db_pg_ops = {
	.name = "postgresql",
	.open = dbpg_open,
	.close = dbpg_close,
	.snapshot_end = dbpg_snapshot_end,
	.tx_rollback = dbpg_tx_rollback,
	.errmsg = dbpg_errmsg,
	.set_cache = dbpg_set_cache,
	.cache_synced = dbpg_cache_synced,
	DB_BACKEND_CALLS(DB_OPS_INIT)
};
