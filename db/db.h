/*
 * db.h - the host database: hosts, distributions, install tokens,
 * leases, events; transactions, read snapshots and a change counter.
 * Nothing here names a storage engine: what is particular to one (SQLite's
 * WAL, checkpoints, memory mapping, lock waits) lives in its backend.
 *
 * Backends. Each backend is one file that implements every function
 * declared here, on its own struct db: db_sqlite.c (SQLite, the default;
 * its extras for its own tests are in db_sqlite.h) and db_pg.c
 * (PostgreSQL, libpq). db_open dispatches on the location's form:
 * "postgresql://..." or "postgres://..." opens PostgreSQL, "sqlite:PATH"
 * or a plain path SQLite; every other call goes through the connection's
 * ops table (db.c, db_backend.h): one indirect call per call.
 *
 * What a backend must provide, beyond the records: numbered schema
 * migrations applied at db_open (db_schema_version); foreign keys (a
 * host's distro must exist); a write never lost to a concurrent one (each
 * function below that changes several rows is one transaction); a lock
 * wait bounded by DB_BUSY_WAIT_MS or DB_SHORT_WAIT_MS; db_changes.
 *
 * A connection is used by one thread at a time. The HTTP service opens one
 * read-write connection per worker thread; the CLI and the lease hook open
 * one each. Functions return 0 or a negative errno:
 *   -ENOENT     no such host / distro / token
 *   -EEXIST     a unique value (MAC, hostname, ip, distro name) is taken
 *   -EINVAL     a value failed validation (db/ validates again: defence in
 *               depth, the callers validate first to give good messages)
 *   -EBUSY      the database stayed locked past the lock wait
 *   -EROFS      the database or its directory is read-only
 *   -ENOSPC     the file system is full
 *   -EBADMSG    the database is damaged or not a bootyard database
 *   -EIO        any other storage error
 * Output parameters (ret_*) are untouched on failure.
 */
#ifndef BOOTYARD_DB_H
#define BOOTYARD_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "common/valid.h"

#define DB_SCHEMA_VERSION 8  /* the newest migration */
#define DB_MAX_MACS 8        /* network interfaces per host */
#define DB_MAX_ATTRS 32      /* attributes per host */
#define DB_ATTR_VALUE_MAX 256
#define DB_CMDLINE_MAX 2048
#define DB_REF_MAX 1025      /* kernel / initrd path or URL + NUL */
#define DB_TEMPLATE_MAX (64 * 1024)
#define DB_DETAIL_MAX 512
#define DB_ONCE_TOKEN_TTL (24 * 3600) /* seconds a one-boot token lives */

struct db;

enum db_open_flags {
	DB_OPEN_READONLY = 1 << 0, /* never writes, never migrates */
	DB_OPEN_CREATE = 1 << 1,   /* create the database (and migrate) if
				      missing */
	DB_OPEN_READ_OFTEN = 1 << 2, /* a long-lived connection that reads
					often while others write (the
					HTTP workers): the backend may
					spend memory to make reads cheap */
	DB_OPEN_SHORT_WAIT = 1 << 3, /* wait at most DB_SHORT_WAIT_MS for a
					lock held by another connection
					(then -EBUSY), not DB_BUSY_WAIT_MS:
					the boot path, which must answer
					even while the CLI or an admin
					request holds the write lock */
	DB_OPEN_MAINTAINED = 1 << 4, /* its owner calls db_maintain every
					so often: the backend does no
					housekeeping of its own after this
					connection's commits (for one that
					commits many times a second: the
					HTTP service's event writer) */
};

#define DB_BUSY_WAIT_MS 10000 /* lock wait of an ordinary connection */
#define DB_SHORT_WAIT_MS 100  /* of a DB_OPEN_SHORT_WAIT connection */

/*
 * db_open - open (and with DB_OPEN_CREATE create and migrate) the database
 * at location (for SQLite a file path; its directory must exist). Returns
 * 0 and *ret (free with db_close), or -errno:
 *   -ENOENT       missing, without DB_OPEN_CREATE (or its directory is)
 *   -ENOTDIR      the directory is not one
 *   -EACCES       cannot read it, or cannot create it where it must
 *   -EROFS        cannot write where a read-write open must
 *   -EBADMSG      not a bootyard database, or damaged
 *   -EPROTO       the schema is newer than this program
 *   -ESTALE       DB_OPEN_READONLY, and the schema is older than this
 *                 program (a read-only open never migrates)
 *   -EBUSY        a migration was due and the write lock stayed taken
 *   -ENAMETOOLONG, -ENOMEM, -EIO
 */
int db_open(const char *location, int flags, struct db **ret);

/*
 * db_read_only - true when db cannot write: opened DB_OPEN_READONLY, or
 * the backend found the database or its file system read-only (the
 * connection then stays read-only).
 */
bool db_read_only(struct db *db);

/*
 * db_open_error - why this thread's last failed db_open failed, in the
 * server's words when it gave some (PostgreSQL: libpq's message, e.g.
 * "SSL error: certificate verify failed"), else "". For the message
 * beside db_strerror's.
 */
const char *db_open_error(void);

/* db_location_is_pg - location names a PostgreSQL database
 * ("postgresql://..." or "postgres://..."). */
bool db_location_is_pg(const char *location);

/* db_backend_name - "sqlite" or "postgresql". */
const char *db_backend_name(struct db *db);

/*
 * db_ping - 0 when the database answers now, -errno when it does not
 * (PostgreSQL: the server is down or unreachable; a lost connection is
 * reconnected here when its back-off allows). SQLite: 0. For /healthz.
 */
int db_ping(struct db *db);

/* db_close - close; NULL is fine. */
void db_close(struct db *db);

/* db_schema_version - the database's schema version (the number of
 * migrations applied), or a negative value when it cannot be read. */
int db_schema_version(struct db *db);

/*
 * db_snapshot_begin - make the reads that follow see one snapshot of the
 * database until db_snapshot_end. A caller that answers many requests in
 * a burst (the HTTP workers, one pass over their ready connections) takes
 * one for the burst instead of paying the backend's per-read cost once
 * per lookup. Cheap when nothing is read. Any write through db_ ends the
 * snapshot first, so a connection always reads what it wrote; the reads
 * after it see the database as it is again. Keep it short (a burst): a
 * snapshot held open keeps the backend from reclaiming old versions. No-op
 * inside a transaction or a snapshot. 0 or -errno.
 */
int db_snapshot_begin(struct db *db);

/* db_snapshot_end - end db_snapshot_begin's snapshot; no-op without one
 * or with db NULL. */
void db_snapshot_end(struct db *db);

/*
 * db_changes - a counter that moves whenever a change was committed to
 * the database since the previous call, by any connection of any process
 * (this one included); on PostgreSQL a change to events alone does not
 * count (migration 8: events are written on every boot, the watcher
 * cares for the rest). A watcher (the supervisor re-rendering the
 * reservations and grub files after a CLI or API change) compares it with
 * the value it saw last; the first call on a connection counts as a
 * change. A backend may leave out commits that only add events (the
 * timeline renders nothing a watcher writes; PostgreSQL does, SQLite
 * cannot tell). Cheap: one look, no read of the data. 0 and *ret, or
 * -errno.
 */
int db_changes(struct db *db, uint64_t *ret);

/*
 * db_change_fd - a descriptor to poll (POLLIN) for db_changes: readable
 * when a change may have been committed since db_changes last looked
 * (PostgreSQL: the socket of the connection that LISTENs, after a first
 * db_changes), so a watcher calls db_changes at once instead of looking
 * every so often. -1 when there is none (SQLite; PostgreSQL before the
 * first db_changes or while disconnected): look now and then. Valid
 * until the next call on db (a reconnect changes it); db_changes reads
 * what made it readable. A readable fd may also mean the connection
 * dropped: db_changes then fails, and db_change_fd says -1.
 */
int db_change_fd(struct db *db);

/*
 * db_maintain - the housekeeping that many commits call for, on a
 * DB_OPEN_MAINTAINED connection (any connection may call it), waiting
 * up to wait_ms for other connections (SQLite: a checkpoint that lets its
 * WAL start over). Outside a transaction. 0, -EBUSY (not done within
 * wait_ms: try again later) or -errno.
 */
int db_maintain(struct db *db, unsigned wait_ms);

/* db_errmsg - the backend's last message on this connection, for logs. */
const char *db_errmsg(struct db *db);

/*
 * db_strerror - the reason for a db_* error r (a negative errno), for a
 * message to a person: the storage faults say what is wrong with the
 * database ("database full: no space left on device", "database is
 * locked", ...), anything else is strerror. A static string.
 */
const char *db_strerror(int r);

/* ---- the read cache: PostgreSQL unavailable ----------------------- */

/*
 * db_set_cache - where this connection finds its read cache: a local
 * file of the last synced state of the tables the boot decision reads
 * (hosts with their MACs and attributes, distributions with their
 * kernels; no BMC secrets, no tokens table, no leases, no events),
 * written by db_cache_write. While the server is unavailable,
 * db_host_get, db_host_find_by_mac, db_host_find_by_name, db_distro_get
 * and db_distro_names answer from it, read-only; every write still
 * fails (-ECONNREFUSED, or the connection's error): nothing that needs
 * a write (an install token) is answered from the cache. A file
 * replaced meanwhile is opened again. path NULL or "": none. A backend
 * whose database is local (SQLite) ignores it. 0 or -ENOMEM.
 */
int db_set_cache(struct db *db, const char *path);

/*
 * db_cache_synced - 0 and *ret (ret may be NULL: unix seconds, when the
 * cache in use was written) when the server is unavailable now and the
 * read cache answers db's reads; -ENOENT otherwise (the server is up, or
 * there is no readable cache). Does not reconnect.
 */
int db_cache_synced(struct db *db, int64_t *ret);

/* db_cache_answers - reads answered from a read cache, by every
 * connection of this process, since it started. */
uint64_t db_cache_answers(void);

/*
 * db_cache_write - write the read cache of db (any backend) at path: a
 * new SQLite file beside it (path.XXXXXX, mode 0640, group gid unless
 * gid is (gid_t)-1), its five tables copied from one snapshot of db,
 * synced, then renamed over path: a reader sees the old file or the new
 * one, never a part. The directory must be one only the writer can
 * change (the caller's job). 0 or -errno (path then unchanged).
 */
int db_cache_write(struct db *db, const char *path, gid_t gid);

/* ---- hosts --------------------------------------------------------- */

enum db_action { DB_ACTION_LOCAL, DB_ACTION_INSTALL, DB_ACTION_MENU };

struct db_attr {
	char key[NAME_MAX_LEN + 1];
	char value[DB_ATTR_VALUE_MAX];
};

struct db_host {
	int64_t id;                       /* 0 until stored */
	char hostname[HOSTNAME_MAX + 1];  /* "" = none */
	char ip[ADDR_STRLEN];             /* fixed address (valid_ip:
					     IPv4 or IPv6), "" = none */
	enum db_action action;
	char distro[NAME_MAX_LEN + 1];    /* "" = none */
	char local_boot[16];              /* "" = site default, or a
					     cfg_local_boot name */
	char token[TOKEN_LEN + 1];        /* current install token, "" */
	unsigned attempts;                /* install scripts served since the
					     host was flagged */
	int64_t created, updated;         /* unix seconds */
	size_t n_macs;
	char macs[DB_MAX_MACS][MAC_STR_LEN]; /* macs[0] = first added */
	size_t n_attrs;
	struct db_attr attrs[DB_MAX_ATTRS]; /* sorted by key */
};

/* db_action_name / db_action_parse - "local" | "install" | "menu". */
const char *db_action_name(enum db_action a);
int db_action_parse(const char *s, enum db_action *ret);

/*
 * db_host_add - store a new host with its MACs (n_macs >= 1) and attrs.
 * Returns 0 and *ret_id, -EEXIST (a MAC, hostname or ip is taken),
 * -ENOENT (distro does not exist), -EINVAL.
 */
int db_host_add(struct db *db, const struct db_host *h, int64_t *ret_id);

/*
 * db_host_get - find a host by id, by any of its MACs (canonical form),
 * or by hostname. Returns 0 and fills *ret, or -ENOENT.
 */
int db_host_get(struct db *db, int64_t id, struct db_host *ret);
int db_host_find_by_mac(struct db *db, const char *mac, struct db_host *ret);
int db_host_find_by_name(struct db *db, const char *hostname,
			 struct db_host *ret);

/*
 * db_host_update - replace hostname, ip, action, distro, local_boot and
 * the attribute set of host h->id (MACs, token and attempts are not
 * touched here). Setting action to install from another state resets
 * attempts to 0 and clears the token. Returns 0, -ENOENT, -EEXIST.
 */
int db_host_update(struct db *db, const struct db_host *h);

/*
 * db_host_modify - read host id, let fn change it, and store the result,
 * all in one write transaction, so that two writers changing the same host
 * never lose each other's updates. fn gets the current record (with its
 * MACs and attributes); what it may change is what db_host_update stores.
 * fn returns 0 to store, or a negative errno (or any non-zero value) to
 * abandon the change; that value is returned. Otherwise as db_host_update.
 */
typedef int (*db_host_modify_fn)(struct db_host *h, void *ctx);
int db_host_modify(struct db *db, int64_t id, db_host_modify_fn fn,
		   void *ctx);

/*
 * db_host_reinstall - flag host id for a one-time install of distro (""
 * keeps the host's distribution) with a fresh attempt budget, even when it
 * was flagged already. -ENOENT (host or distro), -EINVAL (no distro).
 */
int db_host_reinstall(struct db *db, int64_t id, const char *distro);

/* db_host_delete - remove host id with its MACs and attributes. */
int db_host_delete(struct db *db, int64_t id);

/* db_host_mac_add - give host id another MAC. -EEXIST if any host has it,
 * -EMLINK past DB_MAX_MACS (not -ENOSPC: that is a full disk). */
int db_host_mac_add(struct db *db, int64_t id, const char *mac);

/* db_host_mac_remove - remove a MAC; -ENOENT if the host lacks it,
 * -EPERM if it is the host's last MAC (not -EBUSY: that is a lock). */
int db_host_mac_remove(struct db *db, int64_t id, const char *mac);

/*
 * db_host_list - call fn for each host, ordered by id, until fn returns
 * non-zero (that value is returned). 0 when all were visited.
 */
typedef int (*db_host_fn)(const struct db_host *h, void *ctx);
int db_host_list(struct db *db, db_host_fn fn, void *ctx);

/* db_host_count - number of hosts. */
int db_host_count(struct db *db, int64_t *ret);

/* ---- install once -------------------------------------------------- */

/*
 * db_install_issue - in one transaction: if host id is still flagged for
 * install and has spent fewer than max_attempts, spend one attempt, make
 * token (TOKEN_LEN hex, caller-generated) its current token and record it.
 * Returns 0, -ESTALE when the host is no longer flagged, -EDQUOT when its
 * attempts are spent (the host is then set to "menu" and an event
 * "install-exhausted" is recorded), -ENOENT.
 */
int db_install_issue(struct db *db, int64_t id, const char *token,
		     unsigned max_attempts);

/*
 * db_install_issue_for - db_install_issue, compare and set: only while the
 * host is still flagged for distro (NULL: any). A caller that read the
 * host, then issues a token, never hands out a token for an install the
 * host is no longer flagged for: -ESTALE, nothing changed.
 */
int db_install_issue_for(struct db *db, int64_t id, const char *distro,
			 const char *token, unsigned max_attempts);

/*
 * db_install_once - record a one-boot token (a menu choice: install distro
 * on this boot only) for mac, of host id (0: an unknown MAC, no host).
 * The host is not changed: not flagged, no attempt spent, its current
 * token untouched. The token is valid for install files and done until
 * it is used, a newer one-boot token is recorded for the same MAC (one
 * live per MAC: repeated choices cannot pile up tokens), or
 * DB_ONCE_TOKEN_TTL has passed. One transaction. Returns 0,
 * -ENOENT (host or distro does not exist), -EINVAL.
 */
int db_install_once(struct db *db, int64_t id, const char *mac,
		    const char *distro, const char *token);

/*
 * db_install_lookup - the host whose *current* token is token, or whose
 * live one-boot token it is (then *ret is the host as that install sees
 * it: its distro is the one chosen; for an unknown MAC, a host with id 0,
 * that MAC, action menu and nothing else). 0 and *ret, -ENOENT (never
 * issued), -ESTALE (issued, but used, superseded or expired).
 */
int db_install_lookup(struct db *db, const char *token, struct db_host *ret);

/*
 * db_install_done - end the install of the host whose current token is
 * token: action -> local, token cleared, attempts reset, event "done".
 * A one-boot token is marked used and the event recorded; its host is
 * left as it is (a menu choice never flagged it). Returns 0 and
 * *ret_host (may be NULL; as db_install_lookup gives it), -ENOENT
 * (unknown token), -ESTALE (a token already used, superseded or
 * expired). Changes nothing on error.
 */
int db_install_done(struct db *db, const char *token,
		    struct db_host *ret_host);

/* ---- distributions ------------------------------------------------- */

#define DB_DISTRO_ARCHES 4 /* kernel architectures per distribution */

/* One architecture's kernel and initrd(s) (migration 6). */
struct db_distro_kernel {
	char arch[KERNEL_ARCH_MAX];  /* valid_kernel_arch: "amd64", "arm64" */
	char kernel[DB_REF_MAX];     /* path under files_dir, or URL */
	char initrd[4 * DB_REF_MAX]; /* one or more, separated by a space */
};

struct db_distro {
	char name[NAME_MAX_LEN + 1];
	/* a kernel per architecture: at least one, no arch twice; get and
	 * list return them sorted by arch */
	size_t n_kernels;
	struct db_distro_kernel kernels[DB_DISTRO_ARCHES];
	char cmdline[DB_CMDLINE_MAX];
	char *template_text;         /* malloc'd or NULL; see db_distro_free */
	char template_name[NAME_MAX_LEN + 1]; /* file name served, e.g.
						 "preseed.cfg"; "" = none */
	int64_t created, updated;
};

/* db_distro_free - free what db_distro_get/list allocated inside d. */
void db_distro_free(struct db_distro *d);

/*
 * db_distro_kernel - d's kernel for arch (a valid_kernel_arch name), or
 * NULL when d has none for it. Pure: the same for every backend.
 */
static inline const struct db_distro_kernel *
db_distro_kernel(const struct db_distro *d, const char *arch)
{
	size_t i;

	for (i = 0; arch && i < d->n_kernels && i < DB_DISTRO_ARCHES; i++)
		if (!strcmp(d->kernels[i].arch, arch))
			return &d->kernels[i];
	return NULL;
}

/* db_distro_add - store d with its kernels (n_kernels >= 1, each arch
 * once); -EEXIST if the name is taken. */
int db_distro_add(struct db *db, const struct db_distro *d);
/* db_distro_update - replace all fields of distro d->name, its set of
 * kernels included (an arch not in d->kernels is removed); -ENOENT. */
int db_distro_update(struct db *db, const struct db_distro *d);
/* db_distro_get - 0 and *ret (db_distro_free it), -ENOENT. */
int db_distro_get(struct db *db, const char *name, struct db_distro *ret);
/* db_distro_delete - -ENOENT; -ENOTEMPTY while a host refers to it
 * (not -EBUSY: that is a lock). */
int db_distro_delete(struct db *db, const char *name);
/* db_distro_list - like db_host_list; d is freed after fn returns. */
typedef int (*db_distro_fn)(const struct db_distro *d, void *ctx);
int db_distro_list(struct db *db, db_distro_fn fn, void *ctx);

/* The names of the distributions, for menus (the first DB_MENU_DISTROS
 * by name); ptrs[i] points into names[i]; arches[i] lists the kernel
 * architectures of names[i], sorted, separated by a space ("amd64
 * arm64"), and arch_ptrs[i] points into it. */
#define DB_MENU_DISTROS 32
struct db_distro_names {
	size_t n;
	char names[DB_MENU_DISTROS][NAME_MAX_LEN + 1];
	const char *ptrs[DB_MENU_DISTROS];
	char arches[DB_MENU_DISTROS][DB_DISTRO_ARCHES * KERNEL_ARCH_MAX];
	const char *arch_ptrs[DB_MENU_DISTROS];
};

/* db_distro_names - fill *ret. 0 or -errno (then ret->n = 0). */
int db_distro_names(struct db *db, struct db_distro_names *ret);

/* ---- leases: every MAC ever seen ----------------------------------- */

struct db_lease {
	char mac[MAC_STR_LEN];
	char ip[ADDR_STRLEN]; /* IPv4 (valid_ipv4); "" after a release */
	char ip6[ADDR_STRLEN]; /* IPv6 (valid_ipv6), beside ip on a dual
				* stack segment; "" after its release */
	char hostname[HOSTNAME_MAX + 1];
	int arch;             /* DHCP option 93, -1 = unknown */
	char vendor_class[256];
	char user_class[256];
	char state[8];        /* "add" | "old" | "del" */
	int64_t expires;      /* unix seconds, 0 = unknown */
	int64_t first_seen, last_seen; /* set by the database */
	bool known;           /* (list only) a host has this MAC */
};

/*
 * db_lease_record - upsert what dnsmasq reported for l->mac: first_seen is
 * kept, last_seen = now. Empty fields in l do not erase stored ones,
 * except the address released on "del". An event carries one address:
 * an IPv4 one in l->ip (l->ip6 empty), or an IPv6 one in l->ip6 (l->ip
 * empty); the other family's address of the MAC is kept, so a dual
 * stack client holds both. Also appends an event "dhcp-<state>".
 */
int db_lease_record(struct db *db, const struct db_lease *l);

/*
 * db_lease_seen - record that mac asked for something (HTTP config for an
 * unknown MAC): creates the lease row if missing, updates last_seen.
 */
int db_lease_seen(struct db *db, const char *mac, int arch);

/* db_lease_list - every lease, newest first; unknown_only: MACs that no
 * host has. Rows are streamed: fn must not call into the same db. */
typedef int (*db_lease_fn)(const struct db_lease *l, void *ctx);
int db_lease_list(struct db *db, bool unknown_only, db_lease_fn fn,
		  void *ctx);

/* db_lease_get - 0 and *ret, -ENOENT. */
int db_lease_get(struct db *db, const char *mac, struct db_lease *ret);

/*
 * db_lease_holder - the MAC that holds address ip (IPv4 or IPv6: looked
 * up among the leases' ip or ip6) now: the newest lease with that address that was neither released nor has
 * expired (an unknown expiry counts as live). 0 and ret_mac, -ENOENT
 * (nobody), -EINVAL (not valid_ip()).
 */
int db_lease_holder(struct db *db, const char *ip, char ret_mac[MAC_STR_LEN]);

/*
 * db_lease_prune - in one transaction, delete the lease rows last seen
 * more than max_age_s ago whose lease has ended (expires in the past or
 * unknown), then the rows of unknown MACs (no host has them) beyond the
 * newest unknown_keep by last_seen: what clients can make the database
 * record about MACs nobody registered stays bounded. Returns how many
 * rows were deleted, or -errno.
 */
int db_lease_prune(struct db *db, int64_t max_age_s,
		   unsigned long unknown_keep);

/* ---- install tokens: retention ------------------------------------- */

/*
 * db_token_prune - in one transaction, delete every install token issued
 * more than max_age_s ago (an install that has not called done by then
 * is over: its token is no longer accepted), then the spent ones (used,
 * or superseded by a newer token of the host; an unused one-boot token
 * is not spent) beyond the newest
 * spent_keep. A deleted token is unknown (-ENOENT) where a kept spent one
 * is -ESTALE. Returns how many were deleted, or -errno.
 */
int db_token_prune(struct db *db, int64_t max_age_s, unsigned long spent_keep);

/* ---- events: the per-MAC boot timeline ----------------------------- */

#define DB_APPLIANCE_MAX 64 /* [appliance] name: a host name, <= 63 */

struct db_event {
	int64_t id;
	int64_t ts_ms;              /* unix milliseconds */
	char mac[MAC_STR_LEN];      /* "" = not tied to a MAC */
	char kind[32];              /* e.g. dhcp-offer, tftp-sent, config,
				       install-fetch, done, install-exhausted */
	char detail[DB_DETAIL_MAX]; /* free text, control chars removed */
	char appliance[DB_APPLIANCE_MAX]; /* the appliance that recorded it
					     ([appliance] name), "" = not
					     known (older than migration 8) */
};

/*
 * db_set_origin - the appliance this process records events as (its
 * [appliance] name; "" = none): every event written afterwards, through
 * any connection of this process (db_event_add, and the events the
 * install, lease and done calls append), carries it. Call it before
 * threads start. 0, or -EINVAL when name is not a host name of at most
 * DB_APPLIANCE_MAX - 1 characters.
 */
int db_set_origin(const char *name);
const char *db_origin(void); /* what db_set_origin set, or "" */

/* db_event_add - append an event (kind: [a-z0-9-]+), stamped now. */
int db_event_add(struct db *db, const char *mac, const char *kind,
		 const char *detail);

/* db_event_add_at - the same, stamped ts_ms: a writer that queues events
 * records when they happened, not when the queue was drained. */
int db_event_add_at(struct db *db, int64_t ts_ms, const char *mac,
		    const char *kind, const char *detail);

/*
 * db_event_prune - delete every event but the newest keep (by id; keep 0
 * deletes none). Cheap when called often: it removes the oldest rows, at
 * one end of the table. Returns how many were deleted, or -errno.
 */
int db_event_prune(struct db *db, unsigned long keep);

/*
 * db_tx_begin / db_tx_commit / db_tx_rollback - group many db_event_add,
 * db_event_add_at, db_event_prune and db_lease_seen writes into one
 * transaction: a writer thread draining a queue of events pays for one
 * commit per batch instead of one per event. The other writes are
 * transactions of their own and must not be called in between.
 * db_tx_commit: 0 or -errno (the transaction is then rolled back as a
 * whole); db_tx_rollback drops it (no-op without one).
 */
int db_tx_begin(struct db *db);
int db_tx_commit(struct db *db);
void db_tx_rollback(struct db *db);

/* db_event_list - events for mac (NULL = all), in the order they
 * happened (ts_ms, then id), the newest limit of them (0 = all). Streamed: fn must not call into the same db. */
typedef int (*db_event_fn)(const struct db_event *e, void *ctx);
int db_event_list(struct db *db, const char *mac, unsigned limit,
		  db_event_fn fn, void *ctx);

/* ---- power control (migration 5) ----------------------------------- */

#define DB_BMC_MAX 80      /* "address[:port]" + NUL */
#define DB_BMC_USER_MAX 17 /* IPMI user names: 16 bytes + NUL */
#define DB_BMC_PASS_MAX 21 /* IPMI 2.0 passwords: 20 bytes + NUL */

struct db_power {
	char method[8];                  /* "none" | "ipmi" | "wol" */
	char bmc[DB_BMC_MAX];            /* "" for none / wol */
	char user[DB_BMC_USER_MAX];
	char password[DB_BMC_PASS_MAX];  /* filled only on request */
	bool has_password;
};

/*
 * db_power_get - host id's power settings; a host without any gets
 * method "none". The password is copied only when secret is true (the
 * daemon about to run ipmitool), else has_password says whether one is
 * stored. 0 or -errno.
 */
int db_power_get(struct db *db, int64_t id, struct db_power *ret,
		 bool secret);

/*
 * db_power_set - store host id's power settings (the caller validated
 * them: appliance/power/power.h). The password is replaced only when
 * set_secret is true. -ENOENT (no such host), -EINVAL.
 */
int db_power_set(struct db *db, int64_t id, const struct db_power *p,
		 bool set_secret);

#endif
