/*
 * test_db.c - every function of db/db.h against a real SQLite file.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "db/db.h"
#include "db/db_backend.h"
#include "db/schema.h"
#include "db_fixture.h"

static void
host_init(struct db_host *h, const char *mac)
{
	memset(h, 0, sizeof(*h));
	h->n_macs = 1;
	strcpy(h->macs[0], mac);
	h->action = DB_ACTION_LOCAL;
}

/* h: host_init's host of mac, flagged to install distro. */
static void
host_init_install(struct db_host *h, const char *mac, const char *distro)
{
	host_init(h, mac);
	h->action = DB_ACTION_INSTALL;
	strcpy(h->distro, distro);
}

/* db_host_add's answer for host_init's host of mac with the hostname
 * and the address ip (NULL: none). */
static int
host_add_named(struct db *db, const char *mac, const char *hostname,
	       const char *ip)
{
	struct db_host h;
	int64_t id;

	host_init(&h, mac);
	if (hostname)
		strcpy(h.hostname, hostname);
	if (ip)
		strcpy(h.ip, ip);
	return db_host_add(db, &h, &id);
}

/* A host host_add_named adds, and the answer wanted. */
struct host_case {
	const char *mac, *hostname, *ip;
	int want;
};

static void
host_add_cases(struct db *db, const struct host_case *c, size_t n)
{
	int r;

	for (; n--; c++)
		if ((r = host_add_named(db, c->mac, c->hostname, c->ip)) !=
		    c->want)
			fail_msg("host %s hostname %s ip %s: %d, want %d",
				 c->mac, c->hostname ? c->hostname : "(NULL)",
				 c->ip ? c->ip : "(NULL)", r, c->want);
}

/* HOST_ADD_CASES(db, {mac, hostname, ip, want}, ...): each host added,
 * in turn, answers want. */
#define HOST_ADD_CASES(db, ...)                                               \
	do {                                                                  \
		static const struct host_case cases_[] = {__VA_ARGS__};       \
		host_add_cases(db, cases_,                                    \
			       sizeof(cases_) / sizeof(cases_[0]));           \
	} while (0)

/* Add the distribution name (distro_init's) to db. */
static void
distro_add_named(struct db *db, const char *name)
{
	struct db_distro d;

	distro_init(&d, name);
	assert_int_equal(db_distro_add(db, &d), 0);
}

/* l: a lease of mac, its client's architecture arch (-1: unknown). */
static void
lease_init(struct db_lease *l, const char *mac, int arch)
{
	memset(l, 0, sizeof(*l));
	strcpy(l->mac, mac);
	l->arch = arch;
}

/* Record l as a lease event state (add, old, del) of the IPv4 address
 * ip and the IPv6 address ip6 ("": none); db_lease_record's answer. */
static int
lease_event(struct db *db, struct db_lease *l, const char *state,
	    const char *ip, const char *ip6)
{
	strcpy(l->state, state);
	strcpy(l->ip, ip);
	strcpy(l->ip6, ip6);
	return db_lease_record(db, l);
}

/* Append the strings, up to a NULL, to buf: what the list callbacks
 * below copy of each row. */
static void __attribute__((sentinel))
append(char *buf, ...)
{
	const char *s;
	va_list ap;

	va_start(ap, buf);
	while ((s = va_arg(ap, const char *)))
		strcat(buf, s);
	va_end(ap);
}

static void
test_fresh_schema(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(db_schema_version(f->db), DB_SCHEMA_VERSION);
	assert_int_equal(schema_count(), DB_SCHEMA_VERSION);
	assert_null(schema_migration(0));
	assert_null(schema_migration(DB_SCHEMA_VERSION + 1));
}

/* db_event_list callback: "APPLIANCE/KIND;" for each event. */
static int
collect_origins(const struct db_event *e, void *ctx)
{
	append(ctx, e->appliance, "/", e->kind, ";", NULL);
	return 0;
}

/*
 * A database at loc as version v of the schema left it: migrations 1 to
 * v and the version they record (SQLite's user_version; PostgreSQL's
 * bootyard_schema, in a schema emptied first), then rows, the SQL that
 * fills it.
 */
static void
db_at_version(const char *loc, int v, const char *rows)
{
	char sql[64];
	int i;

	if (fixture_pg)
		raw_exec(loc, "SET client_min_messages = warning;"
			      "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
			      "CREATE TABLE bootyard_schema"
			      " (version integer PRIMARY KEY)");
	for (i = 1; i <= v; i++) {
		if (!fixture_pg) {
			raw_exec(loc, schema_migration(i));
			continue;
		}
		raw_exec(loc, schema_pg_migration(i));
		snprintf(sql, sizeof(sql),
			 "INSERT INTO bootyard_schema VALUES (%d)", i);
		raw_exec(loc, sql);
	}
	if (!fixture_pg) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d;", v);
		raw_exec(loc, sql);
	}
	raw_exec(loc, rows);
}

/* The event of mac that an upgraded database held (kind old): migration
 * 8 gave it no appliance. */
static void
assert_event_without_appliance(struct db *db, const char *mac)
{
	char buf[256] = "";

	assert_int_equal(db_event_list(db, mac, 0, collect_origins, buf), 0);
	assert_true(!strncmp(buf, "/old;", 5));
}

/* The distribution name of an upgraded database, into dd (the caller
 * frees it): migration 6 made its one kernel the amd64 kernel. */
static void
assert_one_amd64_kernel(struct db *db, const char *name, const char *kernel,
			const char *initrd, struct db_distro *dd)
{
	assert_int_equal(db_distro_get(db, name, dd), 0);
	assert_int_equal(dd->n_kernels, 1);
	assert_string_equal(dd->kernels[0].arch, "amd64");
	assert_string_equal(dd->kernels[0].kernel, kernel);
	assert_string_equal(dd->kernels[0].initrd, initrd);
}

static void
test_upgrade_from_v1(void **state)
{
	struct fixture *f = *state;
	char path[160];
	struct db *db;
	struct db_host h;
	int64_t id;

	db_fixture_only_sqlite();

	/* A database as version 1 left it, with a host in it. */
	snprintf(path, sizeof(path), "%s/v1.db", f->dir);
	db_at_version(path, 1,
		      "INSERT INTO hosts (hostname, action, created,"
		      " updated) VALUES ('old', 'menu', 1, 1);"
		      "INSERT INTO host_macs VALUES"
		      " ('52:54:00:00:00:01', 1, 0);");

	/* Read-only refuses an old schema; a writer migrates it. */
	assert_int_equal(db_open(path, DB_OPEN_READONLY, &db), -ESTALE);
	assert_int_equal(db_open(path, 0, &db), 0);
	assert_int_equal(db_schema_version(db), DB_SCHEMA_VERSION);
	assert_int_equal(db_host_find_by_mac(db, "52:54:00:00:00:01", &h), 0);
	assert_string_equal(h.hostname, "old");
	assert_int_equal(h.action, DB_ACTION_MENU);
	assert_int_equal(h.attempts, 0);
	assert_string_equal(h.local_boot, "");
	/* The new tables work. */
	host_init(&h, "52:54:00:00:00:02");
	assert_int_equal(db_host_add(db, &h, &id), 0);
	db_close(db);

	/* A database from the future is refused. */
	raw_exec(path, "PRAGMA user_version = 99");
	assert_int_equal(db_open(path, 0, &db), -EPROTO);
}

/* Migration 4 rebuilds install_tokens: the tokens of a version 3
 * database keep working. */
static void
test_upgrade_from_v3(void **state)
{
	struct fixture *f = *state;
	const char *tok = "0123456789abcdef0123456789abcdef";
	char path[160];
	struct db *db;
	struct db_host h;

	db_fixture_only_sqlite();

	snprintf(path, sizeof(path), "%s/v3.db", f->dir);
	db_at_version(path, 3,
		      "INSERT INTO distros (name, kernel, initrd,"
		      " created, updated) VALUES ('d', 'k', 'i', 1, 1);"
		      "INSERT INTO hosts (hostname, action, distro,"
		      " token, attempts, created, updated) VALUES"
		      " ('old', 'install', 'd',"
		      " '0123456789abcdef0123456789abcdef', 1, 1, 1);"
		      "INSERT INTO host_macs VALUES"
		      " ('52:54:00:00:00:01', 1, 0);"
		      "INSERT INTO install_tokens (token, host_id, issued)"
		      " VALUES ('0123456789abcdef0123456789abcdef', 1, 1);"
		      "INSERT INTO events (ts_ms, mac, kind) VALUES"
		      " (5, '52:54:00:00:00:01', 'old');");
	assert_int_equal(db_open(path, 0, &db), 0);
	assert_int_equal(db_schema_version(db), DB_SCHEMA_VERSION);
	assert_int_equal(db_install_lookup(db, tok, &h), 0);
	assert_string_equal(h.hostname, "old");
	assert_string_equal(h.distro, "d");
	assert_int_equal(db_install_done(db, tok, &h), 0);
	assert_int_equal(h.action, DB_ACTION_LOCAL);
	assert_int_equal(db_install_lookup(db, tok, &h), -ESTALE);
	assert_event_without_appliance(db, "52:54:00:00:00:01");
	{
		/* migration 6: the one kernel became the amd64 kernel */
		struct db_distro dd;

		assert_one_amd64_kernel(db, "d", "k", "i", &dd);
		assert_non_null(db_distro_kernel(&dd, "amd64"));
		assert_null(db_distro_kernel(&dd, "arm64"));
		db_distro_free(&dd);
	}
	db_close(db);
}

/* PostgreSQL at version 5 (one kernel per distribution, IPv4 leases
 * only) upgraded by db_open: migration 6 makes the kernel the amd64 one
 * (distro_kernels, which notifies like every table), 7 adds leases.ip6. */
static void
test_pg_upgrade_from_v5(void **state)
{
	struct fixture *f = *state;
	struct db_distro dd;
	struct db_lease l, g;

	if (!fixture_pg)
		skip(); /* SQLite's upgrades: test_upgrade_from_v1, _v3 */
	db_close(f->db);
	f->db = NULL;
	db_at_version(f->path, 5,
		      "INSERT INTO distros (name, kernel, initrd, created,"
		      " updated) VALUES ('d', 'd/k', 'd/i d/i2', 1, 1);"
		      "INSERT INTO leases (mac, ip, state, first_seen,"
		      " last_seen) VALUES ('52:54:00:00:00:05', '198.18.0.5',"
		      " 'add', 1, 1);"
		      "INSERT INTO events (ts_ms, mac, kind)"
		      " VALUES (5, '52:54:00:00:00:05', 'old')");
	assert_int_equal(db_open(f->path, 0, &f->db), 0);
	assert_int_equal(db_schema_version(f->db), DB_SCHEMA_VERSION);

	assert_one_amd64_kernel(f->db, "d", "d/k", "d/i d/i2", &dd);
	db_distro_free(&dd);
	raw_exec(f->path,
		 "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_trigger"
		 " WHERE tgname = 'distro_kernels_notify') THEN"
		 " RAISE EXCEPTION 'distro_kernels does not notify'; END IF;"
		 " END $$");

	assert_int_equal(db_lease_get(f->db, "52:54:00:00:00:05", &g), 0);
	assert_string_equal(g.ip, "198.18.0.5");
	assert_string_equal(g.ip6, "");
	lease_init(&l, "52:54:00:00:00:05", -1);
	assert_int_equal(lease_event(f->db, &l, "add", "", "fd00::5"), 0);
	assert_int_equal(db_lease_get(f->db, "52:54:00:00:00:05", &g), 0);
	assert_string_equal(g.ip, "198.18.0.5");
	assert_string_equal(g.ip6, "fd00::5");
	assert_event_without_appliance(f->db, "52:54:00:00:00:05");
}

static void
test_open_errors(void **state)
{
	struct fixture *f = *state;
	char path[160];
	struct db *db = NULL;
	FILE *fp;

	db_fixture_only_sqlite();

	assert_int_equal(db_open("/nonexistent-dir/x/bootyard.db",
				 DB_OPEN_CREATE, &db),
			 -ENOENT);
	snprintf(path, sizeof(path), "%s/missing.db", f->dir);
	assert_int_equal(db_open(path, 0, &db), -ENOENT);
	snprintf(path, sizeof(path), "%s/garbage.db", f->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("this is not an SQLite database, not even close.........",
	      fp);
	fclose(fp);
	assert_int_equal(db_open(path, 0, &db), -EBADMSG);
	assert_null(db);
	/* NULL is fine for close. */
	db_close(NULL);
}

static void
test_host_crud(void **state)
{
	struct fixture *f = *state;
	struct db_host h, g;
	int64_t id, id2, n;

	distro_add_named(f->db, "debian12");

	host_init_install(&h, "52:54:00:12:34:56", "debian12");
	strcpy(h.hostname, "node1");
	strcpy(h.ip, "198.18.0.10");
	host_attr_add(&h, "rack", "r1");
	host_attr_add(&h, "disk", "/dev/sda");
	assert_int_equal(db_host_add(f->db, &h, &id), 0);
	assert_true(id > 0);

	assert_int_equal(db_host_get(f->db, id, &g), 0);
	assert_string_equal(g.hostname, "node1");
	assert_string_equal(g.ip, "198.18.0.10");
	assert_int_equal(g.action, DB_ACTION_INSTALL);
	assert_string_equal(g.distro, "debian12");
	assert_int_equal(g.n_macs, 1);
	assert_string_equal(g.macs[0], "52:54:00:12:34:56");
	assert_int_equal(g.n_attrs, 2);
	assert_string_equal(g.attrs[0].key, "disk"); /* sorted */
	assert_string_equal(g.attrs[1].value, "r1");
	assert_true(g.created > 0);

	assert_int_equal(db_host_find_by_name(f->db, "NODE1", &g), 0);
	assert_int_equal(g.id, id);
	assert_int_equal(db_host_find_by_mac(f->db, "52:54:00:12:34:56", &g),
			 0);
	assert_int_equal(db_host_find_by_mac(f->db, "52:54:00:12:34:57", &g),
			 -ENOENT);
	assert_int_equal(db_host_find_by_mac(f->db, "52-54-00-12-34-56", &g),
			 -EINVAL);
	assert_int_equal(db_host_find_by_name(f->db, "nope", &g), -ENOENT);

	/* Unique MAC, hostname and ip. */
	HOST_ADD_CASES(f->db, {"52:54:00:12:34:56", NULL, NULL, -EEXIST},
		       {"52:54:00:aa:aa:aa", "node1", NULL, -EEXIST},
		       {"52:54:00:aa:aa:aa", NULL, "198.18.0.10", -EEXIST});
	/* Unknown distro. */
	host_init_install(&h, "52:54:00:aa:aa:aa", "nosuch");
	assert_int_equal(db_host_add(f->db, &h, &id2), -ENOENT);
	assert_int_equal(db_host_count(f->db, &n), 0);
	assert_int_equal(n, 1);

	/* Update replaces fields and attributes. */
	assert_int_equal(db_host_get(f->db, id, &g), 0);
	strcpy(g.hostname, "node1b");
	g.ip[0] = '\0';
	g.action = DB_ACTION_MENU;
	g.n_attrs = 1;
	strcpy(g.attrs[0].key, "rack");
	strcpy(g.attrs[0].value, "r2");
	strcpy(g.local_boot, "exit1");
	assert_int_equal(db_host_update(f->db, &g), 0);
	assert_int_equal(db_host_get(f->db, id, &h), 0);
	assert_string_equal(h.hostname, "node1b");
	assert_string_equal(h.ip, "");
	assert_int_equal(h.action, DB_ACTION_MENU);
	assert_int_equal(h.n_attrs, 1);
	assert_string_equal(h.attrs[0].value, "r2");
	assert_string_equal(h.local_boot, "exit1");
	g.id = 9999;
	assert_int_equal(db_host_update(f->db, &g), -ENOENT);

	/* The distro is in use now? No: action menu keeps distro. */
	assert_int_equal(db_distro_delete(f->db, "debian12"), -ENOTEMPTY);

	assert_int_equal(db_host_delete(f->db, id), 0);
	assert_int_equal(db_host_delete(f->db, id), -ENOENT);
	assert_int_equal(db_host_find_by_mac(f->db, "52:54:00:12:34:56", &g),
			 -ENOENT);
	assert_int_equal(db_distro_delete(f->db, "debian12"), 0);
}

static void
test_host_validation(void **state)
{
	struct fixture *f = *state;
	struct db_host h;
	int64_t id, n;

	HOST_ADD_CASES(f->db, {"52:54:00:12:34:56", "bad host", NULL, -EINVAL},
		       {"52:54:00:12:34:56", NULL, "198.18.0.300", -EINVAL});
	host_init(&h, "52:54:00:12:34:56");
	h.action = DB_ACTION_INSTALL; /* without distro */
	assert_int_equal(db_host_add(f->db, &h, &id), -EINVAL);
	host_init(&h, "52:54:00:12:34:56");
	strcpy(h.local_boot, "chain");
	assert_int_equal(db_host_add(f->db, &h, &id), -EINVAL);
	host_init(&h, "52:54:00:12:34:56");
	h.n_attrs = 1;
	strcpy(h.attrs[0].key, "k");
	strcpy(h.attrs[0].value, "line1\nline2");
	assert_int_equal(db_host_add(f->db, &h, &id), -EINVAL);
	host_init(&h, "52:54:00:12:34:56");
	h.n_attrs = 1;
	strcpy(h.attrs[0].key, "K${x}");
	assert_int_equal(db_host_add(f->db, &h, &id), -EINVAL);
	host_init(&h, "52:54:00:12:34:56");
	h.n_macs = 0;
	assert_int_equal(db_host_add(f->db, &h, &id), -EINVAL);
	host_init(&h, "52:54:00:12:34:5G");
	assert_int_equal(db_host_add(f->db, &h, &id), -EINVAL);
	host_init(&h, "52:54:00:12:34:56");
	h.n_macs = 2;
	strcpy(h.macs[1], "52:54:00:12:34:56"); /* the same twice */
	assert_int_equal(db_host_add(f->db, &h, &id), -EEXIST);
	assert_int_equal(db_host_count(f->db, &n), 0);
	assert_int_equal(n, 0); /* nothing half-written */
}

static void
test_host_macs(void **state)
{
	struct fixture *f = *state;
	struct db_host h, g;
	char mac[MAC_STR_LEN];
	int64_t id, id2;
	int i;

	host_init(&h, "52:54:00:00:00:01");
	assert_int_equal(db_host_add(f->db, &h, &id), 0);
	host_init(&h, "52:54:00:00:01:01");
	assert_int_equal(db_host_add(f->db, &h, &id2), 0);

	assert_int_equal(db_host_mac_add(f->db, id, "52:54:00:00:00:02"), 0);
	assert_int_equal(db_host_find_by_mac(f->db, "52:54:00:00:00:02", &g),
			 0);
	assert_int_equal(g.id, id);
	assert_int_equal(g.n_macs, 2);
	assert_string_equal(g.macs[0], "52:54:00:00:00:01");
	assert_string_equal(g.macs[1], "52:54:00:00:00:02");
	/* Taken by another host, unknown host, bad form. */
	assert_int_equal(db_host_mac_add(f->db, id, "52:54:00:00:01:01"),
			 -EEXIST);
	assert_int_equal(db_host_mac_add(f->db, 4242, "52:54:00:00:09:09"),
			 -ENOENT);
	assert_int_equal(db_host_mac_add(f->db, id, "5254.0000.0003"),
			 -EINVAL);
	for (i = 3; i <= DB_MAX_MACS; i++) {
		snprintf(mac, sizeof(mac), "52:54:00:00:00:%02x", i);
		assert_int_equal(db_host_mac_add(f->db, id, mac), 0);
	}
	assert_int_equal(db_host_mac_add(f->db, id, "52:54:00:00:00:ff"),
			 -EMLINK);

	assert_int_equal(db_host_mac_remove(f->db, id, "52:54:00:00:00:01"),
			 0);
	assert_int_equal(db_host_mac_remove(f->db, id, "52:54:00:00:00:01"),
			 -ENOENT);
	assert_int_equal(db_host_mac_remove(f->db, id2, "52:54:00:00:01:01"),
			 -EPERM); /* the last one stays */
	assert_int_equal(db_host_find_by_mac(f->db, "52:54:00:00:01:01", &g),
			 0);
}

static int
count_host(const struct db_host *h, void *ctx)
{
	(*(int *)ctx)++;
	return 0;
}

static int
stop_at_two(const struct db_host *h, void *ctx)
{
	return ++(*(int *)ctx) == 2 ? 42 : 0;
}

static void
test_host_list(void **state)
{
	struct fixture *f = *state;
	struct db_host h;
	char mac[MAC_STR_LEN];
	int64_t id;
	int i, n = 0;

	for (i = 0; i < 5; i++) {
		snprintf(mac, sizeof(mac), "52:54:00:00:00:%02x", i);
		host_init(&h, mac);
		assert_int_equal(db_host_add(f->db, &h, &id), 0);
	}
	assert_int_equal(db_host_list(f->db, count_host, &n), 0);
	assert_int_equal(n, 5);
	n = 0;
	assert_int_equal(db_host_list(f->db, stop_at_two, &n), 42);
	assert_int_equal(n, 2);
}

static void
test_install_once(void **state)
{
	struct fixture *f = *state;
	const char *t1 = "0123456789abcdef0123456789abcdef";
	const char *t2 = "fedcba9876543210fedcba9876543210";
	struct db_host h, g;
	int64_t id;

	distro_add_named(f->db, "debian12");
	host_init(&h, "52:54:00:12:34:56");
	assert_int_equal(db_host_add(f->db, &h, &id), 0);

	/* Not flagged: no install. */
	assert_int_equal(db_install_issue(f->db, id, t1, 3), -ESTALE);
	assert_int_equal(db_install_issue(f->db, 777, t1, 3), -ENOENT);
	assert_int_equal(db_install_issue(f->db, id, "short", 3), -EINVAL);

	assert_int_equal(db_host_get(f->db, id, &h), 0);
	h.action = DB_ACTION_INSTALL;
	strcpy(h.distro, "debian12");
	assert_int_equal(db_host_update(f->db, &h), 0);

	assert_int_equal(db_install_issue(f->db, id, t1, 3), 0);
	assert_int_equal(db_host_get(f->db, id, &g), 0);
	assert_int_equal(g.attempts, 1);
	assert_string_equal(g.token, t1);
	assert_int_equal(db_install_lookup(f->db, t1, &g), 0);
	assert_int_equal(g.id, id);

	/* A second boot supersedes the first token. */
	assert_int_equal(db_install_issue(f->db, id, t2, 3), 0);
	assert_int_equal(db_install_lookup(f->db, t1, &g), -ESTALE);
	assert_int_equal(db_install_done(f->db, t1, &g), -ESTALE);
	assert_int_equal(db_install_lookup(f->db,
					   "00000000000000000000000000000000",
					   &g),
			 -ENOENT);

	assert_int_equal(db_install_done(f->db, t2, &g), 0);
	assert_int_equal(g.action, DB_ACTION_LOCAL);
	assert_int_equal(db_host_get(f->db, id, &g), 0);
	assert_int_equal(g.action, DB_ACTION_LOCAL);
	assert_string_equal(g.token, "");
	assert_int_equal(g.attempts, 0);
	/* Used: refused, nothing changes. */
	assert_int_equal(db_install_done(f->db, t2, &g), -ESTALE);
	assert_int_equal(db_install_done(f->db, "../../etc/passwd", &g),
			 -ENOENT);
}

static int
collect_kinds(const struct db_event *e, void *ctx)
{
	append(ctx, e->kind, ",", NULL);
	return 0;
}

static void
test_install_exhausted(void **state)
{
	struct fixture *f = *state;
	char tok[TOKEN_LEN + 1], kinds[512] = "";
	struct db_host h;
	int64_t id;
	int i;

	distro_add_named(f->db, "debian12");
	host_init_install(&h, "52:54:00:12:34:56", "debian12");
	assert_int_equal(db_host_add(f->db, &h, &id), 0);
	for (i = 0; i < 3; i++) {
		snprintf(tok, sizeof(tok), "%032x", i + 1);
		assert_int_equal(db_install_issue(f->db, id, tok, 3), 0);
	}
	assert_int_equal(db_install_issue(f->db, id,
					  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 3),
			 -EDQUOT);
	assert_int_equal(db_host_get(f->db, id, &h), 0);
	assert_int_equal(h.action, DB_ACTION_MENU);
	assert_string_equal(h.token, "");
	assert_int_equal(db_event_list(f->db, "52:54:00:12:34:56", 0,
				       collect_kinds, kinds),
			 0);
	assert_string_equal(kinds, "install-exhausted,");

	/* Flagging again starts a fresh budget. */
	h.action = DB_ACTION_INSTALL;
	assert_int_equal(db_host_update(f->db, &h), 0);
	assert_int_equal(db_host_get(f->db, id, &h), 0);
	assert_int_equal(h.attempts, 0);
	assert_int_equal(db_install_issue(f->db, id,
					  "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", 3),
			 0);
}

/*
 * A menu choice's one-boot token: the host is not changed (action,
 * attempts, its current token); the token fetches the chosen distro's
 * install file and ends with done, which leaves the host as it is; used
 * or expired, it is refused. An unknown MAC's needs no host.
 */
static void
test_install_one_boot(void **state)
{
	struct fixture *f = *state;
	const char *t1 = "11111111111111111111111111111111";
	const char *t2 = "22222222222222222222222222222222";
	const char *t3 = "33333333333333333333333333333333";
	const char *tf = "ffffffffffffffffffffffffffffffff";
	struct db_host h, g;
	char kinds[256] = "";
	int64_t id;

	distro_add_named(f->db, "debian12");
	distro_add_named(f->db, "alma9");
	host_init(&h, "52:54:00:12:34:56");
	h.action = DB_ACTION_MENU;
	assert_int_equal(db_host_add(f->db, &h, &id), 0);

	assert_int_equal(db_install_once(f->db, id, "52:54:00:12:34:56",
					 "alma9", t1),
			 0);
	assert_int_equal(db_host_get(f->db, id, &g), 0);
	assert_int_equal(g.action, DB_ACTION_MENU);
	assert_int_equal(g.attempts, 0);
	assert_string_equal(g.token, "");
	assert_string_equal(g.distro, "");
	/* the install sees the chosen distribution */
	assert_int_equal(db_install_lookup(f->db, t1, &g), 0);
	assert_int_equal(g.id, id);
	assert_string_equal(g.distro, "alma9");
	assert_int_equal(g.action, DB_ACTION_MENU);
	/* done: the token is used, the host is left as it was */
	assert_int_equal(db_install_done(f->db, t1, &g), 0);
	assert_int_equal(g.action, DB_ACTION_MENU);
	assert_int_equal(db_host_get(f->db, id, &g), 0);
	assert_int_equal(g.action, DB_ACTION_MENU);
	assert_int_equal(db_install_lookup(f->db, t1, &g), -ESTALE);
	assert_int_equal(db_install_done(f->db, t1, &g), -ESTALE);
	assert_int_equal(db_event_list(f->db, "52:54:00:12:34:56", 0,
				       collect_kinds, kinds),
			 0);
	assert_string_equal(kinds, "done,");

	/* a one-boot token beside a flagged install: neither touches the
	 * other (done of the one-boot token leaves the flag; the flagged
	 * token stays current) */
	assert_int_equal(db_host_reinstall(f->db, id, "debian12"), 0);
	assert_int_equal(db_install_issue(f->db, id, tf, 3), 0);
	assert_int_equal(db_install_once(f->db, id, "52:54:00:12:34:56",
					 "alma9", t2),
			 0);
	assert_int_equal(db_install_done(f->db, t2, NULL), 0);
	assert_int_equal(db_host_get(f->db, id, &g), 0);
	assert_int_equal(g.action, DB_ACTION_INSTALL);
	assert_string_equal(g.token, tf);
	assert_int_equal(g.attempts, 1);
	assert_int_equal(db_install_lookup(f->db, tf, &g), 0);
	assert_string_equal(g.distro, "debian12");

	/* an unknown MAC: no host needed, none created */
	assert_int_equal(db_install_once(f->db, 0, "52:54:00:99:00:01",
					 "debian12", t3),
			 0);
	assert_int_equal(db_host_find_by_mac(f->db, "52:54:00:99:00:01", &g),
			 -ENOENT);
	assert_int_equal(db_install_lookup(f->db, t3, &g), 0);
	assert_int_equal(g.id, 0);
	assert_int_equal(g.n_macs, 1);
	assert_string_equal(g.macs[0], "52:54:00:99:00:01");
	assert_string_equal(g.distro, "debian12");
	assert_string_equal(g.hostname, "");

	/* one live one-boot token per MAC: a second choice ends the first */
	assert_int_equal(db_install_once(f->db, 0, "52:54:00:99:00:01",
					 "debian12",
					 "55555555555555555555555555555555"),
			 0);
	assert_int_equal(db_install_lookup(f->db, t3, &g), -ESTALE);
	assert_int_equal(db_install_done(f->db, t3, NULL), -ESTALE);
	assert_int_equal(db_install_lookup(f->db,
					   "55555555555555555555555555555555",
					   &g),
			 0);

	/* refused: a missing distro or host, bad values; nothing stored */
	assert_int_equal(db_install_once(f->db, id, "52:54:00:12:34:56",
					 "nosuch",
					 "44444444444444444444444444444444"),
			 -ENOENT);
	assert_int_equal(db_install_once(f->db, 777, "52:54:00:12:34:56",
					 "alma9",
					 "44444444444444444444444444444444"),
			 -ENOENT);
	assert_int_equal(db_install_lookup(f->db,
					   "44444444444444444444444444444444",
					   &g),
			 -ENOENT);
	assert_int_equal(db_install_once(f->db, id, "52-54-00-12-34-56",
					 "alma9", t1),
			 -EINVAL);
	assert_int_equal(db_install_once(f->db, id, "52:54:00:12:34:56",
					 "../x", t1),
			 -EINVAL);
	assert_int_equal(db_install_once(f->db, id, "52:54:00:12:34:56",
					 "alma9", "short"),
			 -EINVAL);

	/* expired after DB_ONCE_TOKEN_TTL */
	raw_exec(f->path, "UPDATE install_tokens SET issued = 1 WHERE once = 1");
	assert_int_equal(db_install_lookup(f->db, t3, &g), -ESTALE);
	assert_int_equal(db_install_done(f->db, t3, &g), -ESTALE);
}

/*
 * Install exactly once, under a race: two connections (two appliances)
 * issue a token for the same flagged host at the same instant, then both
 * call done with the token that won, 200 rounds. With one attempt
 * allowed exactly one issue succeeds and one attempt is spent (never
 * two: compare and set), and exactly one done succeeds (never two
 * installs).
 */
struct race {
	const char *path;
	pthread_barrier_t start, issued, go_done, finished;
	int64_t id;
	char token[2][TOKEN_LEN + 1];
	int issue_r[2], done_r[2];
	const char *done_token;
	bool stop;
};

struct racer {
	struct race *race;
	int me;
};

static void *
racer_main(void *arg)
{
	struct racer *a = arg;
	struct race *rc = a->race;
	struct db *db;

	if (db_open(rc->path, 0, &db) < 0)
		abort();
	for (;;) {
		pthread_barrier_wait(&rc->start);
		if (rc->stop)
			break;
		rc->issue_r[a->me] =
			db_install_issue(db, rc->id, rc->token[a->me], 1);
		pthread_barrier_wait(&rc->issued);
		pthread_barrier_wait(&rc->go_done);
		rc->done_r[a->me] = db_install_done(db, rc->done_token, NULL);
		pthread_barrier_wait(&rc->finished);
	}
	db_close(db);
	return NULL;
}

static void
test_install_race(void **state)
{
	struct fixture *f = *state;
	struct racer racers[2];
	struct race rc = { .path = f->path };
	pthread_t th[2];
	struct db_host h;
	int round, i, won;

	distro_add_named(f->db, "debian12");
	host_init(&h, "52:54:00:00:0e:01");
	assert_int_equal(db_host_add(f->db, &h, &rc.id), 0);
	pthread_barrier_init(&rc.start, NULL, 3);
	pthread_barrier_init(&rc.issued, NULL, 3);
	pthread_barrier_init(&rc.go_done, NULL, 3);
	pthread_barrier_init(&rc.finished, NULL, 3);
	for (i = 0; i < 2; i++) {
		racers[i] = (struct racer){ .race = &rc, .me = i };
		assert_int_equal(pthread_create(&th[i], NULL, racer_main,
						&racers[i]),
				 0);
	}
	for (round = 0; round < 200; round++) {
		assert_int_equal(db_host_reinstall(f->db, rc.id, "debian12"), 0);
		snprintf(rc.token[0], sizeof(rc.token[0]), "%016x%016x",
			 round, 0xa);
		snprintf(rc.token[1], sizeof(rc.token[1]), "%016x%016x",
			 round, 0xb);
		pthread_barrier_wait(&rc.start);
		pthread_barrier_wait(&rc.issued);
		won = rc.issue_r[0] == 0 ? 0 : 1;
		assert_int_equal(rc.issue_r[won], 0);
		assert_true(rc.issue_r[!won] == -EDQUOT ||
			    rc.issue_r[!won] == -ESTALE);
		assert_int_equal(db_host_get(f->db, rc.id, &h), 0);
		if (rc.issue_r[!won] == -EDQUOT) {
			/* the loser found the attempt spent: the host
			 * went to the menu, the winner's token with it */
			assert_int_equal(h.action, DB_ACTION_MENU);
			assert_string_equal(h.token, "");
		} else {
			assert_int_equal(h.attempts, 1);
			assert_string_equal(h.token, rc.token[won]);
		}
		rc.done_token = rc.token[won];
		pthread_barrier_wait(&rc.go_done);
		pthread_barrier_wait(&rc.finished);
		if (rc.issue_r[!won] == -EDQUOT) {
			assert_int_equal(rc.done_r[0], -ESTALE);
			assert_int_equal(rc.done_r[1], -ESTALE);
		} else {
			/* exactly one done: one install */
			assert_true((rc.done_r[0] == 0) != (rc.done_r[1] == 0));
			assert_int_equal(rc.done_r[0] + rc.done_r[1], -ESTALE);
		}
	}
	rc.stop = true;
	pthread_barrier_wait(&rc.start);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
}

/* db_install_issue_for: a token only for the install the caller read. */
static void
test_install_issue_for(void **state)
{
	struct fixture *f = *state;
	struct db_host h;
	int64_t id;

	distro_add_named(f->db, "debian12");
	distro_add_named(f->db, "alma9");
	host_init_install(&h, "52:54:00:12:34:56", "debian12");
	assert_int_equal(db_host_add(f->db, &h, &id), 0);
	/* the admin switched the distribution meanwhile */
	assert_int_equal(db_host_reinstall(f->db, id, "alma9"), 0);
	assert_int_equal(db_install_issue_for(f->db, id, "debian12",
					      "0123456789abcdef0123456789abcdef",
					      3),
			 -ESTALE);
	assert_int_equal(db_host_get(f->db, id, &h), 0);
	assert_int_equal(h.attempts, 0);
	assert_string_equal(h.token, "");
	assert_int_equal(db_install_issue_for(f->db, id, "alma9",
					      "0123456789abcdef0123456789abcdef",
					      3),
			 0);
	assert_int_equal(db_install_issue_for(f->db, id, "../x",
					      "0123456789abcdef0123456789abcdee",
					      3),
			 -EINVAL);
}

/* db_lease_holder: who holds an address now. */
static void
test_lease_holder(void **state)
{
	struct fixture *f = *state;
	struct db_lease l;
	char mac[MAC_STR_LEN];

	lease_init(&l, "52:54:00:00:00:01", -1);
	l.expires = (int64_t)time(NULL) + 3600;
	assert_int_equal(db_lease_holder(f->db, "198.18.0.50", mac), -ENOENT);
	assert_int_equal(lease_event(f->db, &l, "add", "198.18.0.50", ""), 0);
	assert_int_equal(db_lease_holder(f->db, "198.18.0.50", mac), 0);
	assert_string_equal(mac, "52:54:00:00:00:01");
	assert_int_equal(db_lease_holder(f->db, "198.18.0.51", mac), -ENOENT);
	assert_int_equal(db_lease_holder(f->db, "", mac), -EINVAL);
	assert_int_equal(db_lease_holder(f->db, "::1", mac), -ENOENT);
	assert_int_equal(db_lease_holder(f->db, "::ffff:198.18.0.50", mac),
			 -EINVAL);
	assert_int_equal(db_lease_holder(f->db, NULL, mac), -EINVAL);

	/* the address moves to another MAC: the newest lease holds it
	 * (the old row keeps the address until its release or expiry) */
	sleep(1);
	strcpy(l.mac, "52:54:00:00:00:02");
	assert_int_equal(db_lease_record(f->db, &l), 0);
	assert_int_equal(db_lease_holder(f->db, "198.18.0.50", mac), 0);
	assert_string_equal(mac, "52:54:00:00:00:02");

	/* released */
	strcpy(l.state, "del");
	assert_int_equal(db_lease_record(f->db, &l), 0);
	strcpy(l.mac, "52:54:00:00:00:01");
	assert_int_equal(db_lease_record(f->db, &l), 0);
	assert_int_equal(db_lease_holder(f->db, "198.18.0.50", mac), -ENOENT);

	/* a release of an address the MAC no longer holds (an older lease
	 * of another client id) keeps the one it holds */
	assert_int_equal(lease_event(f->db, &l, "add", "198.18.0.60", ""), 0);
	l.expires = 1;
	assert_int_equal(lease_event(f->db, &l, "del", "198.18.0.50", ""), 0);
	assert_int_equal(db_lease_holder(f->db, "198.18.0.60", mac), 0);
	assert_string_equal(mac, "52:54:00:00:00:01");

	/* expired */
	l.expires = (int64_t)time(NULL) - 1;
	assert_int_equal(lease_event(f->db, &l, "old", "198.18.0.60", ""), 0);
	assert_int_equal(db_lease_holder(f->db, "198.18.0.60", mac), -ENOENT);
	/* an address without expiry (unknown) is held */
	strcpy(l.mac, "52:54:00:00:00:03");
	l.expires = 0;
	assert_int_equal(lease_event(f->db, &l, "add", "198.18.0.70", ""), 0);
	assert_int_equal(db_lease_holder(f->db, "198.18.0.70", mac), 0);
	/* a MAC seen over HTTP only holds no address */
	assert_int_equal(db_lease_seen(f->db, "52:54:00:00:00:04", 7), 0);
	assert_int_equal(db_lease_holder(f->db, "0.0.0.0", mac), -ENOENT);
}

/* IPv6 addresses: a host's fixed address and a lease, stored and found
 * in their one canonical text; other texts of an address refused. */
static void
test_ipv6_addresses(void **state)
{
	struct fixture *f = *state;
	struct db_host h, g;
	struct db_lease l;
	char mac[MAC_STR_LEN];
	int64_t id, id2;

	host_init(&h, "52:54:00:66:00:01");
	strcpy(h.ip, "2001:db8:ffff:ffff:ffff:ffff:ffff:fff1"); /* longest */
	assert_int_equal(db_host_add(f->db, &h, &id), 0);
	assert_int_equal(db_host_get(f->db, id, &g), 0);
	assert_string_equal(g.ip, "2001:db8:ffff:ffff:ffff:ffff:ffff:fff1");
	host_init(&h, "52:54:00:66:00:02");
	strcpy(h.ip, "2001:db8:ffff:ffff:ffff:ffff:ffff:fff1");
	assert_int_equal(db_host_add(f->db, &h, &id2), -EEXIST);
	strcpy(h.ip, "::ffff:198.18.0.10");
	assert_int_equal(db_host_add(f->db, &h, &id2), -EINVAL);
	strcpy(h.ip, "FD00::10");
	assert_int_equal(db_host_add(f->db, &h, &id2), -EINVAL);
	strcpy(h.ip, "fe80::1%eth0");
	assert_int_equal(db_host_add(f->db, &h, &id2), -EINVAL);
	strcpy(h.ip, "fd00::10");
	assert_int_equal(db_host_add(f->db, &h, &id2), 0);

	lease_init(&l, "52:54:00:66:00:03", -1);
	l.expires = (int64_t)time(NULL) + 3600;
	assert_int_equal(lease_event(f->db, &l, "add", "", "fd00::50"), 0);
	assert_int_equal(db_lease_holder(f->db, "fd00::50", mac), 0);
	assert_string_equal(mac, "52:54:00:66:00:03");
	assert_int_equal(db_lease_holder(f->db, "fd00:0::50", mac), -EINVAL);
	assert_int_equal(lease_event(f->db, &l, "add", "", "fd00::050"),
			 -EINVAL);
	/* each address in its family's field, one address an event */
	assert_int_equal(lease_event(f->db, &l, "add", "fd00::50", ""),
			 -EINVAL);
	assert_int_equal(lease_event(f->db, &l, "add", "", "198.18.0.50"),
			 -EINVAL);
	assert_int_equal(lease_event(f->db, &l, "add", "198.18.0.50",
				     "fd00::50"),
			 -EINVAL);
}

/* Dual stack: a MAC's IPv4 and IPv6 leases live side by side; an event
 * of one family (a renewal, a release) leaves the other's address. */
static void
test_lease_dual_stack(void **state)
{
	struct fixture *f = *state;
	struct db_lease l, g;
	char mac[MAC_STR_LEN];

	lease_init(&l, "52:54:00:66:00:09", 7);
	l.expires = (int64_t)time(NULL) + 3600;
	assert_int_equal(lease_event(f->db, &l, "add", "198.18.0.90", ""), 0);
	l.arch = -1;
	assert_int_equal(lease_event(f->db, &l, "add", "", "fd00:b007::190"),
			 0);
	assert_int_equal(db_lease_get(f->db, l.mac, &g), 0);
	assert_string_equal(g.ip, "198.18.0.90");
	assert_string_equal(g.ip6, "fd00:b007::190");
	assert_int_equal(g.arch, 7);
	assert_int_equal(db_lease_holder(f->db, "198.18.0.90", mac), 0);
	assert_string_equal(mac, l.mac);
	assert_int_equal(db_lease_holder(f->db, "fd00:b007::190", mac), 0);
	assert_string_equal(mac, l.mac);
	/* the v4 address renewed: the v6 one stays */
	assert_int_equal(lease_event(f->db, &l, "old", "198.18.0.90", ""), 0);
	assert_int_equal(db_lease_get(f->db, l.mac, &g), 0);
	assert_string_equal(g.ip6, "fd00:b007::190");
	/* a release of another v6 address keeps the one held */
	assert_int_equal(lease_event(f->db, &l, "del", "", "fd00:b007::191"),
			 0);
	assert_int_equal(db_lease_get(f->db, l.mac, &g), 0);
	assert_string_equal(g.ip6, "fd00:b007::190");
	assert_string_equal(g.state, "old");
	/* the v6 release: the v4 address stays */
	assert_int_equal(lease_event(f->db, &l, "del", "", "fd00:b007::190"),
			 0);
	assert_int_equal(db_lease_get(f->db, l.mac, &g), 0);
	assert_string_equal(g.ip6, "");
	assert_string_equal(g.ip, "198.18.0.90");
	assert_string_equal(g.state, "old");
	assert_int_equal(db_lease_holder(f->db, "198.18.0.90", mac), 0);
	assert_int_equal(db_lease_holder(f->db, "fd00:b007::190", mac),
			 -ENOENT);
	/* and the v4 release: the v6 field was already empty */
	assert_int_equal(lease_event(f->db, &l, "del", "198.18.0.90", ""), 0);
	assert_int_equal(db_lease_get(f->db, l.mac, &g), 0);
	assert_string_equal(g.ip, "");
	assert_string_equal(g.state, "del");
	assert_int_equal(db_lease_holder(f->db, "198.18.0.90", mac), -ENOENT);
}

static int
count_distro(const struct db_distro *d, void *ctx)
{
	(*(int *)ctx)++;
	return 0;
}

static void
test_distros(void **state)
{
	struct fixture *f = *state;
	struct db_distro d, g;
	int n = 0;

	distro_init(&d, "debian12");
	d.template_text = "d-i passwd/root-password password {{attr.pw}}\n";
	strcpy(d.template_name, "preseed.cfg");
	strcpy(d.kernels[0].initrd, "a/initrd.gz b/firmware.cpio.gz");
	assert_int_equal(db_distro_add(f->db, &d), 0);
	assert_int_equal(db_distro_add(f->db, &d), -EEXIST);
	assert_int_equal(db_distro_get(f->db, "debian12", &g), 0);
	assert_string_equal(g.template_text, d.template_text);
	assert_string_equal(g.template_name, "preseed.cfg");
	assert_string_equal(g.kernels[0].initrd, "a/initrd.gz b/firmware.cpio.gz");
	db_distro_free(&g);
	db_distro_free(&g); /* twice is fine */

	d.template_text = NULL;
	strcpy(d.cmdline, "quiet");
	assert_int_equal(db_distro_update(f->db, &d), 0);
	assert_int_equal(db_distro_get(f->db, "debian12", &g), 0);
	assert_null(g.template_text);
	assert_string_equal(g.cmdline, "quiet");
	db_distro_free(&g);

	distro_init(&d, "alma9");
	d.n_kernels = 1;
	strcpy(d.kernels[0].arch, "amd64");
	strcpy(d.kernels[0].kernel, "../../etc/shadow");
	assert_int_equal(db_distro_add(f->db, &d), -EINVAL);
	distro_init(&d, "alma9");
	d.n_kernels = 1;
	strcpy(d.kernels[0].arch, "amd64");
	strcpy(d.kernels[0].kernel, "http://198.18.0.1/x ${evil}");
	assert_int_equal(db_distro_add(f->db, &d), -EINVAL);
	distro_init(&d, "Alma9");
	assert_int_equal(db_distro_add(f->db, &d), -EINVAL);
	distro_init(&d, "alma9");
	strcpy(d.cmdline, "a\nb");
	assert_int_equal(db_distro_add(f->db, &d), -EINVAL);
	distro_init(&d, "alma9");
	assert_int_equal(db_distro_update(f->db, &d), -ENOENT);
	assert_int_equal(db_distro_add(f->db, &d), 0);

	assert_int_equal(db_distro_list(f->db, count_distro, &n), 0);
	assert_int_equal(n, 2);
	{
		struct db_distro_names names;
		assert_int_equal(db_distro_names(f->db, &names), 0);
		assert_int_equal(names.n, 2);
		assert_string_equal(names.ptrs[0], "alma9");
		assert_string_equal(names.ptrs[1], "debian12");
	}
	assert_int_equal(db_distro_get(f->db, "nope", &g), -ENOENT);
	assert_int_equal(db_distro_delete(f->db, "nope"), -ENOENT);
	assert_int_equal(db_distro_delete(f->db, "alma9"), 0);
}

static int
collect_leases(const struct db_lease *l, void *ctx)
{
	append(ctx, l->mac, l->known ? "+" : "-", ",", NULL);
	return 0;
}

static void
test_leases(void **state)
{
	struct fixture *f = *state;
	struct db_lease l, g;
	struct db_host h;
	char buf[512] = "";
	int64_t id;

	lease_init(&l, "52:54:00:00:00:01", 0);
	strcpy(l.user_class, "iPXE");
	strcpy(l.vendor_class, "PXEClient:Arch:00000:UNDI:002001");
	assert_int_equal(lease_event(f->db, &l, "add", "198.18.0.50", ""), 0);

	/* A later event without fields keeps what was known. */
	lease_init(&l, "52:54:00:00:00:01", -1);
	assert_int_equal(lease_event(f->db, &l, "old", "", ""), 0);
	assert_int_equal(db_lease_get(f->db, "52:54:00:00:00:01", &g), 0);
	assert_string_equal(g.ip, "198.18.0.50");
	assert_int_equal(g.arch, 0);
	assert_string_equal(g.user_class, "iPXE");
	assert_string_equal(g.state, "old");
	assert_true(g.first_seen > 0 && g.last_seen >= g.first_seen);

	/* Release clears the address. */
	strcpy(l.state, "del");
	assert_int_equal(db_lease_record(f->db, &l), 0);
	assert_int_equal(db_lease_get(f->db, "52:54:00:00:00:01", &g), 0);
	assert_string_equal(g.ip, "");

	/* Hostile values are refused. */
	strcpy(l.state, "add");
	strcpy(l.hostname, "a;reboot");
	assert_int_equal(db_lease_record(f->db, &l), -EINVAL);
	l.hostname[0] = '\0';
	strcpy(l.vendor_class, "x\ny");
	assert_int_equal(db_lease_record(f->db, &l), -EINVAL);
	l.vendor_class[0] = '\0';
	strcpy(l.state, "bogus");
	assert_int_equal(db_lease_record(f->db, &l), -EINVAL);

	assert_int_equal(db_lease_seen(f->db, "52:54:00:00:00:02", 7), 0);
	assert_int_equal(db_lease_seen(f->db, "bad", 7), -EINVAL);
	host_init(&h, "52:54:00:00:00:02");
	assert_int_equal(db_host_add(f->db, &h, &id), 0);

	assert_int_equal(db_lease_list(f->db, false, collect_leases, buf), 0);
	assert_non_null(strstr(buf, "52:54:00:00:00:01-"));
	assert_non_null(strstr(buf, "52:54:00:00:00:02+"));
	buf[0] = '\0';
	assert_int_equal(db_lease_list(f->db, true, collect_leases, buf), 0);
	assert_string_equal(buf, "52:54:00:00:00:01-,");
	assert_int_equal(db_lease_get(f->db, "52:54:00:00:00:99", &g), -ENOENT);
}

static int
collect_events(const struct db_event *e, void *ctx)
{
	append(ctx, e->kind, "=", e->detail, ";", NULL);
	return 0;
}

static void
test_events(void **state)
{
	struct fixture *f = *state;
	char buf[1024] = "";

	assert_int_equal(db_event_add(f->db, "52:54:00:00:00:01", "config",
				      "menu"),
			 0);
	assert_int_equal(db_event_add(f->db, "52:54:00:00:00:02", "config",
				      "local"),
			 0);
	assert_int_equal(db_event_add(f->db, "52:54:00:00:00:01", "tftp-sent",
				      "pxelinux.0\nEVIL"),
			 0);
	assert_int_equal(db_event_add(f->db, NULL, "startup", NULL), 0);
	assert_int_equal(db_event_add(f->db, "52:54:00:00:00:01", "Bad Kind",
				      ""),
			 -EINVAL);
	assert_int_equal(db_event_add(f->db, "nonsense", "config", ""),
			 -EINVAL);

	assert_int_equal(db_event_list(f->db, "52:54:00:00:00:01", 0,
				       collect_events, buf),
			 0);
	/* Oldest first; control characters flattened. */
	assert_string_equal(buf, "config=menu;tftp-sent=pxelinux.0 EVIL;");
	buf[0] = '\0';
	assert_int_equal(db_event_list(f->db, NULL, 2, collect_events, buf),
			 0);
	assert_string_equal(buf, "tftp-sent=pxelinux.0 EVIL;startup=;");

	/* A queued event stamped before one written directly lists first. */
	assert_int_equal(db_event_add(f->db, "52:54:00:00:00:03", "done", ""),
			 0);
	assert_int_equal(db_event_add_at(f->db, 1000, "52:54:00:00:00:03",
					 "install-fetch", ""),
			 0);
	assert_int_equal(db_event_add_at(f->db, -1, NULL, "x", ""), -EINVAL);
	buf[0] = '\0';
	assert_int_equal(db_event_list(f->db, "52:54:00:00:00:03", 0,
				       collect_events, buf),
			 0);
	assert_string_equal(buf, "install-fetch=;done=;");
}

/* The event writer's batch: events added in one transaction (on
 * PostgreSQL gathered into one INSERT, flushed every 512 and at the
 * commit) are stored exactly, whatever their detail holds; a rolled-back
 * batch stores none. */
struct ev_check {
	int n, bad;
};

static int
check_batch_event(const struct db_event *e, void *ctx)
{
	struct ev_check *c = ctx;
	char want[64];

	snprintf(want, sizeof(want), "n%d \"q\" \\b {c,d} NULL ''", c->n);
	if (strcmp(e->detail, want) || strcmp(e->kind, "config") ||
	    e->ts_ms != 5000 + c->n)
		c->bad++;
	c->n++;
	return 0;
}

static void
test_event_batch(void **state)
{
	struct fixture *f = *state;
	struct ev_check c = { 0 };
	char d[64];
	int i;

	assert_int_equal(db_tx_begin(f->db), 0);
	for (i = 0; i < 1100; i++) {
		snprintf(d, sizeof(d), "n%d \"q\" \\b {c,d} NULL ''", i);
		assert_int_equal(db_event_add_at(f->db, 5000 + i,
						 "52:54:00:00:00:07", "config",
						 d),
				 0);
	}
	assert_int_equal(db_tx_commit(f->db), 0);
	assert_int_equal(db_event_list(f->db, "52:54:00:00:00:07", 0,
				       check_batch_event, &c),
			 0);
	assert_int_equal(c.n, 1100);
	assert_int_equal(c.bad, 0);

	assert_int_equal(db_tx_begin(f->db), 0);
	assert_int_equal(db_event_add_at(f->db, 9000, "52:54:00:00:00:08",
					 "config", "gone"),
			 0);
	db_tx_rollback(f->db);
	memset(&c, 0, sizeof(c));
	assert_int_equal(db_event_list(f->db, "52:54:00:00:00:08", 0,
				       check_batch_event, &c),
			 0);
	assert_int_equal(c.n, 0);
}

/* Several appliances, one database: each event carries the appliance
 * that recorded it (db_set_origin), and a MAC's timeline merges those
 * of every appliance in time order, whichever connection wrote them. */
static void
test_events_appliance(void **state)
{
	struct fixture *f = *state;
	const char *mac = "52:54:00:00:00:07";
	char buf[1024] = "";
	struct db *other;

	assert_int_equal(db_open(f->path, 0, &other), 0);
	assert_int_equal(db_set_origin("boot-b"), 0);
	assert_int_equal(db_event_add_at(other, 3000, mac, "config", ""), 0);
	assert_int_equal(db_set_origin("boot-a.example.org"), 0);
	assert_int_equal(db_event_add_at(f->db, 1000, mac, "dhcp-ack", ""), 0);
	assert_int_equal(db_event_add_at(f->db, 4000, mac, "done", ""), 0);
	assert_int_equal(db_set_origin("boot-b"), 0);
	assert_int_equal(db_event_add_at(other, 2000, mac, "tftp-sent", ""),
			 0);
	/* hostile names are refused, the origin stays */
	assert_int_equal(db_set_origin("bad name"), -EINVAL);
	assert_int_equal(db_set_origin("a;DROP TABLE events"), -EINVAL);
	assert_int_equal(db_set_origin("-x"), -EINVAL);
	assert_int_equal(db_set_origin(NULL), -EINVAL);
	assert_int_equal(db_set_origin("a123456789012345678901234567890123456789"
				       "012345678901234567890123456789"),
			 -EINVAL); /* 70 characters */
	assert_string_equal(db_origin(), "boot-b");
	assert_int_equal(db_set_origin(""), 0);
	assert_int_equal(db_event_add_at(other, 5000, mac, "config", ""), 0);
	db_close(other);

	assert_int_equal(db_event_list(f->db, mac, 0, collect_origins, buf), 0);
	assert_string_equal(buf, "boot-a.example.org/dhcp-ack;boot-b/tftp-sent;"
				 "boot-b/config;boot-a.example.org/done;"
				 "/config;");
}

/* Retention: the newest events stay, per-MAC listings still work. */
static void
test_event_prune(void **state)
{
	struct fixture *f = *state;
	char buf[1024] = "", d[16];
	struct db *ro;
	int i;

	for (i = 0; i < 10; i++) {
		snprintf(d, sizeof(d), "e%d", i);
		assert_int_equal(db_event_add(f->db,
					      i % 2 ? "52:54:00:00:00:01"
						    : "52:54:00:00:00:02",
					      "config", d),
				 0);
	}
	assert_int_equal(db_event_prune(f->db, 0), 0); /* 0 keeps all */
	assert_int_equal(db_event_prune(f->db, 100), 0);
	assert_int_equal(db_event_prune(f->db, 4), 6);
	assert_int_equal(db_event_prune(f->db, 4), 0);
	assert_int_equal(db_event_list(f->db, NULL, 0, collect_events, buf),
			 0);
	assert_string_equal(buf, "config=e6;config=e7;config=e8;config=e9;");
	buf[0] = '\0';
	assert_int_equal(db_event_list(f->db, "52:54:00:00:00:01", 0,
				       collect_events, buf),
			 0);
	assert_string_equal(buf, "config=e7;config=e9;");
	/* in a batch, as the HTTP service's writer calls it */
	assert_int_equal(db_batch_begin(f->db), 0);
	assert_int_equal(db_event_add(f->db, NULL, "config", "e10"), 0);
	assert_int_equal(db_event_prune(f->db, 1), 4);
	assert_int_equal(db_batch_end(f->db), 0);
	buf[0] = '\0';
	assert_int_equal(db_event_list(f->db, NULL, 0, collect_events, buf),
			 0);
	assert_string_equal(buf, "config=e10;");
	assert_int_equal(db_open(f->path, DB_OPEN_READONLY, &ro), 0);
	assert_int_equal(db_event_prune(ro, 1), -EROFS);
	db_close(ro);
}

static void
test_readonly(void **state)
{
	struct fixture *f = *state;
	struct db *ro;
	struct db_host h;
	int64_t id;

	host_init(&h, "52:54:00:00:00:01");
	assert_int_equal(db_host_add(f->db, &h, &id), 0);
	assert_int_equal(db_open(f->path, DB_OPEN_READONLY, &ro), 0);
	assert_int_equal(db_host_find_by_mac(ro, "52:54:00:00:00:01", &h), 0);
	host_init(&h, "52:54:00:00:00:02");
	assert_int_equal(db_host_add(ro, &h, &id), -EROFS);
	assert_int_equal(db_event_add(ro, NULL, "x", ""), -EROFS);
	db_close(ro);
}

static int
modify_add_attr(struct db_host *h, void *ctx)
{
	snprintf(h->attrs[h->n_attrs].key, sizeof(h->attrs[0].key), "k%d",
		 *(int *)ctx);
	strcpy(h->attrs[h->n_attrs].value, "v");
	h->n_attrs++;
	return 0;
}

static int
modify_refuse(struct db_host *h, void *ctx)
{
	strcpy(h->hostname, "changed");
	return -ECANCELED;
}

static void
test_host_modify_and_reinstall(void **state)
{
	struct fixture *f = *state;
	struct db_host h;
	int64_t id;
	int k;

	distro_add_named(f->db, "debian12");
	host_init(&h, "52:54:00:12:34:56");
	strcpy(h.hostname, "node1");
	assert_int_equal(db_host_add(f->db, &h, &id), 0);

	for (k = 0; k < 3; k++)
		assert_int_equal(db_host_modify(f->db, id, modify_add_attr, &k),
				 0);
	assert_int_equal(db_host_modify(f->db, id, modify_refuse, NULL),
			 -ECANCELED);
	assert_int_equal(db_host_modify(f->db, 999, modify_refuse, NULL),
			 -ENOENT);
	assert_int_equal(db_host_get(f->db, id, &h), 0);
	assert_int_equal(h.n_attrs, 3);
	assert_string_equal(h.hostname, "node1");

	/* Reinstall needs a distro; restarts the budget when flagged. */
	assert_int_equal(db_host_reinstall(f->db, id, ""), -EINVAL);
	assert_int_equal(db_host_reinstall(f->db, id, "nosuch"), -ENOENT);
	assert_int_equal(db_host_reinstall(f->db, id, "debian12"), 0);
	assert_int_equal(db_install_issue(f->db, id,
					  "0123456789abcdef0123456789abcdef", 3),
			 0);
	assert_int_equal(db_host_get(f->db, id, &h), 0);
	assert_int_equal(h.attempts, 1);
	assert_int_equal(db_host_reinstall(f->db, id, ""), 0);
	assert_int_equal(db_host_get(f->db, id, &h), 0);
	assert_int_equal(h.action, DB_ACTION_INSTALL);
	assert_int_equal(h.attempts, 0);
	assert_string_equal(h.token, "");
	assert_string_equal(h.distro, "debian12");
	assert_int_equal(h.n_attrs, 3);
}

/* Events of mac seen by db. */
static int
events_of(struct db *db, const char *mac)
{
	int n = 0;

	assert_int_equal(db_event_list(db, mac, 100, count_event, &n), 0);
	return n;
}

/*
 * db_read_hold: reads share one snapshot until the release; a write on
 * the holding connection ends the hold (committed at once, seen by its
 * own next read and by others); holding does not block other writers.
 */
static void
test_read_hold(void **state)
{
	struct fixture *f = *state;
	const char *mac = "52:54:00:00:00:51";
	struct db *other;
	struct db_host h, g;
	int64_t id;

	host_init(&h, mac);
	strcpy(h.hostname, "hold1");
	assert_int_equal(db_host_add(f->db, &h, &id), 0);
	assert_int_equal(db_open(f->path, DB_OPEN_MMAP, &other), 0);

	/* a held snapshot does not see another connection's commit ... */
	assert_int_equal(db_read_hold(other), 0);
	assert_int_equal(db_read_hold(other), 0); /* nested: no-op */
	assert_int_equal(db_host_find_by_mac(other, mac, &g), 0);
	assert_int_equal(g.action, DB_ACTION_LOCAL);
	assert_int_equal(db_host_get(f->db, id, &h), 0);
	h.action = DB_ACTION_MENU;
	assert_int_equal(db_host_update(f->db, &h), 0); /* not blocked */
	assert_int_equal(db_host_find_by_mac(other, mac, &g), 0);
	assert_int_equal(g.action, DB_ACTION_LOCAL);
	/* ... and the next one after the release does */
	db_read_release(other);
	db_read_release(other); /* twice: no-op */
	assert_int_equal(db_host_find_by_mac(other, mac, &g), 0);
	assert_int_equal(g.action, DB_ACTION_MENU);

	/* a write while holding ends the hold: committed now, read back */
	assert_int_equal(db_read_hold(other), 0);
	assert_int_equal(db_host_find_by_mac(other, mac, &g), 0);
	g.action = DB_ACTION_LOCAL;
	assert_int_equal(db_host_update(other, &g), 0);
	assert_int_equal(db_host_find_by_mac(other, mac, &g), 0);
	assert_int_equal(g.action, DB_ACTION_LOCAL);
	assert_int_equal(db_host_find_by_mac(f->db, mac, &h), 0);
	assert_int_equal(h.action, DB_ACTION_LOCAL);

	/* so do single-statement writes: an event while holding */
	assert_int_equal(db_read_hold(other), 0);
	assert_int_equal(db_host_find_by_mac(other, mac, &g), 0);
	assert_int_equal(db_event_add(other, mac, "config", "held"), 0);
	assert_int_equal(events_of(f->db, mac), 1);
	assert_int_equal(db_lease_seen(other, mac, 7), 0);
	assert_int_equal(db_read_hold(other), 0);
	assert_int_equal(db_event_prune(other, 1000), 0);
	db_read_release(other);
	db_read_release(NULL);

	db_close(other);
}

/* Size of the database's WAL file, 0 when there is none. */
static long
wal_size(const struct fixture *f)
{
	char wal[600];
	struct stat st;

	snprintf(wal, sizeof(wal), "%s-wal", f->path);
	return stat(wal, &st) == 0 ? (long)st.st_size : 0;
}

/* One batch of n events in one transaction. */
static void
event_batch(struct db *db, int n)
{
	int i;

	assert_int_equal(db_batch_begin(db), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(db_event_add(db, "52:54:00:00:00:61", "config",
					      "local reason=host-local"),
				 0);
	assert_int_equal(db_batch_end(db), 0);
}

/*
 * db_checkpoint_manual + db_checkpoint: without SQLite's automatic
 * checkpoint the WAL grows past its 1000 pages; after db_checkpoint
 * the next batches start it over instead of appending.
 */
static void
test_checkpoint(void **state)
{
	struct fixture *f = *state;
	long grown, first;
	int i;

	db_fixture_only_sqlite();

	assert_int_equal(db_checkpoint_manual(f->db), 0);
	for (i = 0; i < 40; i++)
		event_batch(f->db, 2000);
	grown = wal_size(f);
	assert_true(grown > 1000L * 4096); /* past the automatic limit */

	assert_int_equal(db_checkpoint(f->db, 1000), 0);
	event_batch(f->db, 2000);
	first = wal_size(f);
	assert_int_equal(first, grown); /* the file is reused, not grown */
	for (i = 0; i < 3; i++) {
		assert_int_equal(db_checkpoint(f->db, 1000), 0);
		event_batch(f->db, 2000);
		assert_int_equal(wal_size(f), first);
	}
	assert_int_equal(events_of(f->db, "52:54:00:00:00:61"), 100);

	/* a reader inside the WAL: the checkpoint gives up after its wait,
	 * and succeeds once the reader is gone */
	{
		struct db *other;
		struct timespec t0, t1;
		long ms;

		assert_int_equal(db_open(f->path, 0, &other), 0);
		assert_int_equal(db_read_hold(other), 0);
		assert_int_equal(events_of(other, "52:54:00:00:00:61"), 100);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		assert_int_equal(db_checkpoint(f->db, 50), -EBUSY);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms = (t1.tv_sec - t0.tv_sec) * 1000 +
		     (t1.tv_nsec - t0.tv_nsec) / 1000000;
		assert_true(ms < 2000); /* bounded by its wait, not the
					 * connection's 10 s busy timeout */
		db_read_release(other);
		assert_int_equal(db_checkpoint(f->db, 50), 0);
		db_close(other);
	}
}


/*
 * db_lease_prune: lease rows unseen for max_age whose lease ended go
 * (known or not), a running one stays; unknown MACs beyond the newest
 * unknown_keep go, the oldest first; hosts' MACs never count.
 */
static void
test_lease_prune(void **state)
{
	struct fixture *f = *state;
	char sql[512], buf[1024] = "";
	struct db_host h;
	struct db_lease g;
	int64_t id, now = (int64_t)time(NULL);
	int i;

	host_init(&h, "52:54:00:00:0a:01");
	assert_int_equal(db_host_add(f->db, &h, &id), 0);
	host_init(&h, "52:54:00:00:0a:02");
	assert_int_equal(db_host_add(f->db, &h, &id), 0);
	assert_int_equal(db_lease_seen(f->db, "52:54:00:00:0a:01", 7), 0);
	assert_int_equal(db_lease_seen(f->db, "52:54:00:00:0a:02", 7), 0);
	for (i = 0; i < 5; i++) {
		char mac[18];

		snprintf(mac, sizeof(mac), "52:54:00:00:0b:%02x", i);
		assert_int_equal(db_lease_seen(f->db, mac, -1), 0);
	}
	/* known 0a:01 unseen for 2 days, ended; known 0a:02 as old but its
	 * lease runs; unknown 0b:0i last seen i minutes later */
	snprintf(sql, sizeof(sql),
		 "UPDATE leases SET last_seen = %lld, expires = %lld"
		 " WHERE mac = '52:54:00:00:0a:01';"
		 "UPDATE leases SET last_seen = %lld, expires = %lld"
		 " WHERE mac = '52:54:00:00:0a:02';"
		 "UPDATE leases SET last_seen = %lld + 60 * CAST(substr(mac, 16) AS INTEGER)"
		 " WHERE mac LIKE '52:54:00:00:0b:%%';",
		 (long long)(now - 2 * 86400), (long long)(now - 86400),
		 (long long)(now - 2 * 86400), (long long)(now + 3600),
		 (long long)(now - 600));
	raw_exec(f->path, sql);

	assert_int_equal(db_lease_prune(f->db, -1, 2), -EINVAL);
	/* 1 old + 3 unknown beyond the newest 2 */
	assert_int_equal(db_lease_prune(f->db, 86400, 2), 4);
	assert_int_equal(db_lease_get(f->db, "52:54:00:00:0a:01", &g), -ENOENT);
	assert_int_equal(db_lease_get(f->db, "52:54:00:00:0a:02", &g), 0);
	assert_int_equal(db_lease_list(f->db, true, collect_leases, buf), 0);
	assert_string_equal(buf, "52:54:00:00:0b:04-,52:54:00:00:0b:03-,");
	/* under the cap and nothing old: nothing to do */
	assert_int_equal(db_lease_prune(f->db, 86400, 2), 0);
	assert_int_equal(db_lease_prune(f->db, 86400, 100), 0);
}

/*
 * db_token_prune: spent tokens (superseded, used) beyond the newest
 * spent_keep go, the current one stays; any token past max_age goes and
 * is then unknown, not "used".
 */
static void
test_token_prune(void **state)
{
	struct fixture *f = *state;
	const char *tok[4] = {"00000000000000000000000000000001",
			      "00000000000000000000000000000002",
			      "00000000000000000000000000000003",
			      "00000000000000000000000000000004"};
	char sql[256];
	struct db_host h, g;
	int64_t id, now = (int64_t)time(NULL);
	int i;

	distro_add_named(f->db, "debian12");
	host_init_install(&h, "52:54:00:00:0c:01", "debian12");
	assert_int_equal(db_host_add(f->db, &h, &id), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(db_install_issue(f->db, id, tok[i], 10), 0);
	/* issued one second apart, oldest first */
	for (i = 0; i < 4; i++) {
		snprintf(sql, sizeof(sql),
			 "UPDATE install_tokens SET issued = %lld"
			 " WHERE token = '%s'",
			 (long long)(now - 10 + i), tok[i]);
		raw_exec(f->path, sql);
	}
	assert_int_equal(db_token_prune(f->db, -1, 1), -EINVAL);
	/* three superseded, the newest one kept */
	assert_int_equal(db_token_prune(f->db, 86400, 1), 2);
	assert_int_equal(db_install_lookup(f->db, tok[0], &g), -ENOENT);
	assert_int_equal(db_install_lookup(f->db, tok[1], &g), -ENOENT);
	assert_int_equal(db_install_lookup(f->db, tok[2], &g), -ESTALE);
	assert_int_equal(db_install_lookup(f->db, tok[3], &g), 0);
	assert_int_equal(db_token_prune(f->db, 86400, 1), 0);
	/* a used one is spent too */
	assert_int_equal(db_install_done(f->db, tok[3], NULL), 0);
	assert_int_equal(db_token_prune(f->db, 86400, 1), 1);
	assert_int_equal(db_install_done(f->db, tok[3], NULL), -ESTALE);
	assert_int_equal(db_install_lookup(f->db, tok[2], &g), -ENOENT);
	/* too old: gone even while current */
	assert_int_equal(db_host_reinstall(f->db, id, ""), 0);
	assert_int_equal(db_install_issue(f->db, id, tok[0], 10), 0);
	snprintf(sql, sizeof(sql),
		 "UPDATE install_tokens SET issued = %lld WHERE token = '%s'",
		 (long long)(now - 2 * 86400), tok[0]);
	raw_exec(f->path, sql);
	assert_int_equal(db_install_lookup(f->db, tok[0], &g), 0);
	assert_int_equal(db_token_prune(f->db, 86400, 1000), 1);
	assert_int_equal(db_install_lookup(f->db, tok[0], &g), -ENOENT);
	assert_int_equal(db_install_done(f->db, tok[0], NULL), -ENOENT);
	/* an unused one-boot token (a menu choice, here of an unknown MAC)
	 * is not spent: newer spent tokens do not push it out */
	{
		const char *once = "00000000000000000000000000000005",
			   *t6 = "00000000000000000000000000000006",
			   *t7 = "00000000000000000000000000000007";

		assert_int_equal(db_install_once(f->db, 0, "52:54:00:00:0c:02",
						 "debian12", once),
				 0);
		assert_int_equal(db_host_reinstall(f->db, id, ""), 0);
		assert_int_equal(db_install_issue(f->db, id, t6, 10), 0);
		assert_int_equal(db_install_issue(f->db, id, t7, 10), 0);
		/* spent: tok[3] (used) and t6 (superseded); not the once */
		assert_int_equal(db_token_prune(f->db, 86400, 0), 2);
		assert_int_equal(db_install_lookup(f->db, once, &g), 0);
		assert_int_equal(db_install_lookup(f->db, t6, &g), -ENOENT);
		assert_int_equal(db_install_lookup(f->db, t7, &g), 0);
	}
}

/*
 * DB_OPEN_SHORT_WAIT: while another connection holds the write lock,
 * such a connection opens at once (an up-to-date database needs no
 * write to open), reads, and gives up a write after about
 * DB_SHORT_WAIT_MS with -EBUSY, where an ordinary one waits.
 */
static void
test_short_wait(void **state)
{
	struct fixture *f = *state;
	struct timespec t0, t1;
	struct db *fast;
	struct db_host h;
	sqlite3 *locker;
	int64_t id;
	long ms;

	db_fixture_only_sqlite(); /* PostgreSQL: row locks, not one write lock */

	host_init(&h, "52:54:00:00:0d:01");
	assert_int_equal(db_host_add(f->db, &h, &id), 0);
	assert_int_equal(sqlite3_open(f->path, &locker), SQLITE_OK);
	assert_int_equal(sqlite3_exec(locker, "BEGIN IMMEDIATE", NULL, NULL,
				      NULL),
			 SQLITE_OK);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(db_open(f->path, DB_OPEN_SHORT_WAIT, &fast), 0);
	assert_int_equal(db_host_find_by_mac(fast, "52:54:00:00:0d:01", &h), 0);
	h.action = DB_ACTION_MENU;
	assert_int_equal(db_host_update(fast, &h), -EBUSY);
	assert_int_equal(db_event_add(fast, NULL, "x", ""), -EBUSY);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 +
	     (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms >= 2 * DB_SHORT_WAIT_MS - 20);
	assert_true(ms < 1000);
	sqlite3_exec(locker, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(locker);
	assert_int_equal(db_host_update(fast, &h), 0);
	db_close(fast);
}

/*
 * db_table_sql, the statements of db copy: both forms, and every buffer
 * too small for the INSERT refused with a terminated prefix and no byte
 * written past its end.
 */
static void
test_table_sql(void **state)
{
	static const struct db_table t = {
		.name = "t", .order = "a", .n_cols = 3, .cols = { "a", "b", "c" },
	};
	const char *insert = "INSERT INTO t (a, b, c) VALUES (?1, ?2, ?3)";
	char buf[64];
	size_t n, i;

	assert_int_equal(db_table_sql(&t, false, '?', buf, sizeof(buf)), 0);
	assert_string_equal(buf, "SELECT a, b, c FROM t ORDER BY a");
	assert_int_equal(db_table_sql(&t, true, '$', buf, sizeof(buf)), 0);
	assert_string_equal(buf, "INSERT INTO t (a, b, c) VALUES ($1, $2, $3)");
	for (n = 1; n <= strlen(insert); n++) {
		memset(buf, 'x', sizeof(buf));
		assert_int_equal(db_table_sql(&t, true, '?', buf, n),
				 -ENAMETOOLONG);
		assert_non_null(memchr(buf, '\0', n));
		for (i = n; i < sizeof(buf); i++)
			assert_int_equal(buf[i], 'x');
	}
}

int
main(void)
{
	return db_fixture_run(
	    "db", "bootyard_test_db",
	    UNIT_LIST(
	        test_fresh_schema, test_upgrade_from_v1, test_upgrade_from_v3,
	        test_pg_upgrade_from_v5, test_open_errors, test_host_crud,
	        test_host_validation, test_host_macs, test_host_list,
	        test_install_once, test_install_one_boot,
	        test_install_issue_for, test_install_race, test_ipv6_addresses,
	        test_lease_dual_stack, test_lease_holder,
	        test_install_exhausted, test_distros, test_leases, test_events,
	        test_events_appliance, test_event_prune, test_event_batch,
	        test_readonly, test_host_modify_and_reinstall, test_read_hold,
	        test_lease_prune, test_token_prune, test_short_wait,
	        test_checkpoint, test_table_sql));
}
