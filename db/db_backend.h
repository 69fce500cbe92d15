/*
 * db_backend.h - how db.c dispatches db.h to a backend (inside db/ only).
 *
 * db_open picks the backend from the location's form: "postgresql://..."
 * or "postgres://..." is PostgreSQL (db_pg.c), anything else ("sqlite:PATH"
 * or a plain path) SQLite (db_sqlite.c). Every backend's struct db starts
 * with a struct db_head, whose ops table db.c calls through: one indirect
 * call per db_ call.
 *
 * A new call in db.h: one line in DB_BACKEND_CALLS below (or a hand-written
 * dispatcher in db.c for a void one), one line in db_sqlite_names.h, and
 * the function in every backend (db_sqlite.c: db_NAME, renamed to
 * dbsq_NAME; db_pg.c: dbpg_NAME).
 */
#ifndef BOOTYARD_DB_BACKEND_H
#define BOOTYARD_DB_BACKEND_H

#include <stdarg.h>
#include <stdio.h>

#include "db/db.h"

/* The calls that return a value, as X(type, name, (params), (args)); the
 * first parameter is always struct db *db. */
#define DB_BACKEND_CALLS(X)                                                   \
	X(bool, read_only, (struct db * db), (db))                            \
	X(int, schema_version, (struct db * db), (db))                        \
	X(int, ping, (struct db * db), (db))                                  \
	X(int, snapshot_begin, (struct db * db), (db))                        \
	X(int, changes, (struct db * db, uint64_t *ret), (db, ret))           \
	X(int, change_fd, (struct db * db), (db))                             \
	X(int, maintain, (struct db * db, unsigned wait_ms), (db, wait_ms))   \
	X(int, host_add,                                                      \
	  (struct db * db, const struct db_host *h, int64_t *ret_id),         \
	  (db, h, ret_id))                                                    \
	X(int, host_get, (struct db * db, int64_t id, struct db_host *ret),   \
	  (db, id, ret))                                                      \
	X(int, host_find_by_mac,                                              \
	  (struct db * db, const char *mac, struct db_host *ret),             \
	  (db, mac, ret))                                                     \
	X(int, host_find_by_name,                                             \
	  (struct db * db, const char *hostname, struct db_host *ret),        \
	  (db, hostname, ret))                                                \
	X(int, host_update, (struct db * db, const struct db_host *h),        \
	  (db, h))                                                            \
	X(int, host_modify,                                                   \
	  (struct db * db, int64_t id, db_host_modify_fn fn, void *ctx),      \
	  (db, id, fn, ctx))                                                  \
	X(int, host_reinstall,                                                \
	  (struct db * db, int64_t id, const char *distro), (db, id, distro)) \
	X(int, host_delete, (struct db * db, int64_t id), (db, id))           \
	X(int, host_mac_add, (struct db * db, int64_t id, const char *mac),   \
	  (db, id, mac))                                                      \
	X(int, host_mac_remove,                                               \
	  (struct db * db, int64_t id, const char *mac), (db, id, mac))       \
	X(int, host_list, (struct db * db, db_host_fn fn, void *ctx),         \
	  (db, fn, ctx))                                                      \
	X(int, host_count, (struct db * db, int64_t *ret), (db, ret))         \
	X(int, install_issue,                                                 \
	  (struct db * db, int64_t id, const char *token,                     \
	   unsigned max_attempts),                                            \
	  (db, id, token, max_attempts))                                      \
	X(int, install_issue_for,                                             \
	  (struct db * db, int64_t id, const char *distro, const char *token, \
	   unsigned max_attempts),                                            \
	  (db, id, distro, token, max_attempts))                              \
	X(int, install_once,                                                  \
	  (struct db * db, int64_t id, const char *mac, const char *distro,   \
	   const char *token),                                                \
	  (db, id, mac, distro, token))                                       \
	X(int, install_lookup,                                                \
	  (struct db * db, const char *token, struct db_host *ret),           \
	  (db, token, ret))                                                   \
	X(int, install_done,                                                  \
	  (struct db * db, const char *token, struct db_host *ret_host),      \
	  (db, token, ret_host))                                              \
	X(int, distro_add, (struct db * db, const struct db_distro *d),       \
	  (db, d))                                                            \
	X(int, distro_update, (struct db * db, const struct db_distro *d),    \
	  (db, d))                                                            \
	X(int, distro_get,                                                    \
	  (struct db * db, const char *name, struct db_distro *ret),          \
	  (db, name, ret))                                                    \
	X(int, distro_delete, (struct db * db, const char *name), (db, name)) \
	X(int, distro_list, (struct db * db, db_distro_fn fn, void *ctx),     \
	  (db, fn, ctx))                                                      \
	X(int, distro_names, (struct db * db, struct db_distro_names *ret),   \
	  (db, ret))                                                          \
	X(int, lease_record, (struct db * db, const struct db_lease *l),      \
	  (db, l))                                                            \
	X(int, lease_seen, (struct db * db, const char *mac, int arch),       \
	  (db, mac, arch))                                                    \
	X(int, lease_list,                                                    \
	  (struct db * db, bool unknown_only, db_lease_fn fn, void *ctx),     \
	  (db, unknown_only, fn, ctx))                                        \
	X(int, lease_get,                                                     \
	  (struct db * db, const char *mac, struct db_lease *ret),            \
	  (db, mac, ret))                                                     \
	X(int, lease_holder,                                                  \
	  (struct db * db, const char *ip, char ret_mac[MAC_STR_LEN]),        \
	  (db, ip, ret_mac))                                                  \
	X(int, lease_prune,                                                   \
	  (struct db * db, int64_t max_age_s, unsigned long unknown_keep),    \
	  (db, max_age_s, unknown_keep))                                      \
	X(int, token_prune,                                                   \
	  (struct db * db, int64_t max_age_s, unsigned long spent_keep),      \
	  (db, max_age_s, spent_keep))                                        \
	X(int, event_add,                                                     \
	  (struct db * db, const char *mac, const char *kind,                 \
	   const char *detail),                                               \
	  (db, mac, kind, detail))                                            \
	X(int, event_add_at,                                                  \
	  (struct db * db, int64_t ts_ms, const char *mac, const char *kind,  \
	   const char *detail),                                               \
	  (db, ts_ms, mac, kind, detail))                                     \
	X(int, event_prune, (struct db * db, unsigned long keep), (db, keep)) \
	X(int, tx_begin, (struct db * db), (db))                              \
	X(int, tx_commit, (struct db * db), (db))                             \
	X(int, event_list,                                                    \
	  (struct db * db, const char *mac, unsigned limit, db_event_fn fn,   \
	   void *ctx),                                                        \
	  (db, mac, limit, fn, ctx))                                          \
	X(int, power_get,                                                     \
	  (struct db * db, int64_t id, struct db_power *ret, bool secret),    \
	  (db, id, ret, secret))                                              \
	X(int, power_set,                                                     \
	  (struct db * db, int64_t id, const struct db_power *p,              \
	   bool set_secret),                                                  \
	  (db, id, p, set_secret))                                            \
	X(int, rows_read,                                                     \
	  (struct db * db, const struct db_table *t, db_row_fn fn,            \
	   void *ctx),                                                        \
	  (db, t, fn, ctx))                                                   \
	X(int, rows_write,                                                    \
	  (struct db * db, const struct db_table *t,                          \
	   const char *const *vals),                                          \
	  (db, t, vals))                                                      \
	X(int, rows_done, (struct db * db, const struct db_table *t), (db, t))

/* A table as db copy moves it: its name, columns, and the columns its
 * rows are read in order of (the primary key). */
#define DB_TABLE_MAX_COLS 12
struct db_table {
	const char *name;
	const char *order; /* "ORDER BY" clause's list */
	size_t n_cols;
	const char *cols[DB_TABLE_MAX_COLS];
	const char *serial; /* the id column a sequence feeds, or NULL */
};

/* db_check.c: "SELECT c1, c2 FROM t ORDER BY o", or (insert) the INSERT
 * of one row with numbered parameters marked by mark ('?' for SQLite's
 * ?1, '$' for PostgreSQL's $1). 0, or -ENAMETOOLONG (out holds a
 * terminated prefix) or -ENOMEM. */
int db_table_sql(const struct db_table *t, bool insert, char mark, char *out,
		 size_t outsz);

/* One row: n_cols values as text, NULL for SQL NULL. */
typedef int (*db_row_fn)(const struct db_table *t, const char *const *vals,
			 void *ctx);

struct db_ops {
	const char *name;
	int (*open)(const char *location, int flags, struct db **ret);
	void (*close)(struct db *db);
	void (*snapshot_end)(struct db *db);
	void (*tx_rollback)(struct db *db);
	const char *(*errmsg)(struct db *db);
	/* the read cache (db_set_cache): NULL in a backend without one */
	int (*set_cache)(struct db *db, const char *path);
	int (*cache_synced)(struct db *db, int64_t *ret);
#define DB_OPS_MEMBER(type, name, params, args) type(*name) params;
	DB_BACKEND_CALLS(DB_OPS_MEMBER)
#undef DB_OPS_MEMBER
};

/* The ops table's initialiser for a backend whose functions are
 * PREFIX##name (dbsq_host_add, dbpg_host_add, ...). */
#define DB_OPS_INIT(type, name, params, args) .name = DB_OPS_PREFIX(name),

struct db_head {
	const struct db_ops *ops;
};

extern const struct db_ops db_sqlite_ops;
extern const struct db_ops db_pg_ops;

/* The copy calls (db_copy.c), dispatched like the others: rows_read
 * calls fn for each row of t in t->order; rows_write inserts one row
 * (inside the caller's db_tx_begin); rows_done ends a table's copy (a
 * sequence moved past the copied ids). */
int db_rows_read(struct db *db, const struct db_table *t, db_row_fn fn,
		 void *ctx);
int db_rows_write(struct db *db, const struct db_table *t,
		  const char *const *vals);
int db_rows_done(struct db *db, const struct db_table *t);

/* db_open_error's text (db.c): a backend's open sets it before it fails;
 * newlines become "; ". */
void db_open_error_set(const char *msg);

/* The PostgreSQL schema's numbered migrations (schema_pg.c). */
int schema_pg_count(void);
const char *schema_pg_migration(int version);


/* db_check.c: the row checks both backends make before a write */
bool db_mac_canonical(const char *mac);   /* a MAC in mac_parse's form */
bool db_kind_ok(const char *kind);         /* an event kind: [a-z0-9-]+ */
bool db_local_boot_ok(const char *method); /* "" or a local boot method */
bool db_lease_check(const struct db_lease *l);
bool db_event_check(int64_t ts_ms, const char *mac, const char *kind);
bool db_power_check(const struct db_power *p); /* method and BMC */
int db_host_check(const struct db_host *h, bool check_macs); /* 0, -EINVAL */
int db_distro_check(const struct db_distro *d); /* 0, -EINVAL, -E2BIG */
int db_once_host(const char *mac, const char *distro,
		 struct db_host *ret); /* 0, -ENOENT: a one-boot token's host */
const char *db_done_event(bool once, const char *once_mac,
			  const struct db_host *h, char *detail,
			  size_t detailsz); /* the "done" event: its MAC */
void db_done_host(bool once, struct db_host *h); /* as done leaves it */
/* What install_tokens says about one token (each backend reads it). */
struct db_token {
	int64_t host_id; /* 0: none (an unknown MAC's one-boot token) */
	bool current;    /* it may be used now */
	bool once;       /* a one-boot token */
	char mac[MAC_STR_LEN];         /* once: the MAC it was issued to */
	char distro[NAME_MAX_LEN + 1]; /* once: the distribution chosen */
};
/* The host as the install of token t sees it, once t was read (r: the
 * read's 0 or -errno): -ESTALE when t is no longer current, -ENOENT. */
int db_token_host(struct db *db, int r, const struct db_token *t,
		  struct db_host *ret);
int db_hosts_each(struct db *db, const int64_t *ids, size_t n,
		  int (*get)(struct db *, int64_t, struct db_host *),
		  db_host_fn fn, void *ctx); /* fn on each host still there */
int64_t db_now_s(void);  /* the wall clock rows are stamped with */
int64_t db_now_ms(void);

/*
 * db_check.c: the steps of a write transaction. db_write_open begins one
 * once the caller's checks gave r: r < 0 passes through (no transaction
 * begun), else the backend's tx_begin (0 or -errno). db_write_end ends
 * it: commits when r >= 0 (0 or -errno), else rolls back and passes r
 * through. A write statement's result, the rows it changed (r >= 0), is
 * read by db_changed_or (err when it changed none) and db_cas_won (a
 * compare and set: -ESTALE unless it changed exactly one).
 */
int db_write_open(struct db *db, int r);
int db_write_end(struct db *db, int r);
int db_changed_or(int r, int err);
int db_cas_won(int r);

/*
 * A statement's parameters as the backends take them: db_args reads the
 * arguments after fmt (at most max), one fmt character each: 'i' an int,
 * 'I' an int64_t, 'k' an int64_t key (NULL for 0), 't' text ("" for
 * NULL), 'o' optional text (NULL for NULL or ""), 'p' text as it is (NULL
 * stays NULL). Each becomes an integer or a text (s NULL: SQL NULL).
 * Returns how many it read.
 */
#define DB_ARGS_MAX 10
struct db_arg {
	bool is_int;
	int64_t i;
	const char *s;
};
size_t db_args(struct db_arg *out, size_t max, const char *fmt, va_list ap);

/* The caller's function and its context, for each row of a list call. */
struct db_list_cb {
	union {
		db_lease_fn lease;
		db_event_fn event;
		db_distro_fn distro;
	} fn;
	void *ctx;
};

#endif
