/*
 * db_fixture.h - where the storage tests (test_db*.c) keep their
 * database: an SQLite file in a fresh temporary directory, and, when
 * BOOTYARD_TEST_PG_SOCK names the socket directory of a test PostgreSQL
 * (tests/lib/pg.sh; tests/run.sh starts one), the same tests again on a
 * fresh schema of a PostgreSQL database. db_fixture_run runs the group
 * on each backend; a test that only makes sense on one calls
 * db_fixture_only_sqlite() (a cmocka skip, named in the output).
 */
#ifndef BOOTYARD_TEST_DB_FIXTURE_H
#define BOOTYARD_TEST_DB_FIXTURE_H

#include <libpq-fe.h>
#include <sqlite3.h>

#include "records.h"
#include "tmpdir.h"
#include "unit_main.h"

static bool fixture_pg;            /* the group running now is PostgreSQL's */
static const char *fixture_pg_db; /* its database */

/* A fresh database: a file path in dir (made here), or a PostgreSQL URL
 * whose schema was emptied. */
static inline void
db_fixture_location(char *dir, size_t dirsz, char *loc, size_t locsz)
{
	if (!fixture_pg) {
		tmpdir_make(dir, dirsz);
		snprintf(loc, locsz, "%s/bootyard.db", dir);
		return;
	}
	const char *sock = getenv("BOOTYARD_TEST_PG_SOCK");
	char url[512];
	PGconn *c;
	PGresult *res;

	dir[0] = '\0';
	snprintf(url, sizeof(url), "postgresql:///postgres?host=%s&user=postgres",
		 sock);
	c = PQconnectdb(url);
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	snprintf(url, sizeof(url),
		 "SELECT 1 FROM pg_database WHERE datname = '%s'",
		 fixture_pg_db);
	res = PQexec(c, url);
	if (PQntuples(res) == 0) {
		PQclear(res);
		snprintf(url, sizeof(url), "CREATE DATABASE %s", fixture_pg_db);
		res = PQexec(c, url);
		assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
	}
	PQclear(res);
	PQfinish(c);
	snprintf(loc, locsz, "postgresql:///%s?host=%s&user=postgres",
		 fixture_pg_db, sock);
	c = PQconnectdb(loc);
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	res = PQexec(c, "SET client_min_messages = warning;"
			"DROP SCHEMA IF EXISTS public CASCADE;"
			"CREATE SCHEMA public");
	assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	PQfinish(c);
}

/* Remove what db_fixture_location made. */
static inline void
db_fixture_cleanup(const char *dir)
{
	if (dir[0])
		tmpdir_remove(dir);
}

/* What every storage test gets: a fresh database (dir is empty on
 * PostgreSQL), opened; setup and teardown make and remove it. */
struct fixture {
	char dir[64];
	char path[512];
	struct db *db;
};

static inline int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	db_fixture_location(f->dir, sizeof(f->dir), f->path, sizeof(f->path));
	assert_int_equal(db_open(f->path, DB_OPEN_CREATE, &f->db), 0);
	*state = f;
	return 0;
}

static inline int
teardown(void **state)
{
	struct fixture *f = *state;

	db_close(f->db);
	db_fixture_cleanup(f->dir);
	free(f);
	return 0;
}

/* A db_event_list callback: count the events into *(int *)ctx. */
static int
count_event(const struct db_event *e, void *ctx)
{
	(void)e;
	(*(int *)ctx)++;
	return 0;
}

/* d: distribution name with one amd64 kernel. */
static void
distro_init(struct db_distro *d, const char *name)
{
	memset(d, 0, sizeof(*d));
	strcpy(d->name, name);
	distro_kernel_add(d, "amd64", "debian12/linux", "debian12/initrd.gz");
	strcpy(d->cmdline, "auto=true priority=critical");
}

/* Run sql on the database at loc through a connection of its own (to
 * make rows old, to look under the API). */
static inline void
raw_exec(const char *loc, const char *sql)
{
	if (!strncmp(loc, "postgresql:", 11)) {
		PGconn *c = PQconnectdb(loc);
		PGresult *res;

		assert_int_equal(PQstatus(c), CONNECTION_OK);
		res = PQexec(c, sql);
		if (PQresultStatus(res) != PGRES_COMMAND_OK &&
		    PQresultStatus(res) != PGRES_TUPLES_OK)
			fail_msg("%s: %s", sql, PQresultErrorMessage(res));
		PQclear(res);
		PQfinish(c);
		return;
	}
	sqlite3 *c;

	assert_int_equal(sqlite3_open(loc, &c), SQLITE_OK);
	sqlite3_busy_timeout(c, 5000);
	assert_int_equal(sqlite3_exec(c, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(c);
}

/* In a test that looks at SQLite itself: skip it on PostgreSQL. */
#define db_fixture_only_sqlite()                                              \
	do {                                                                  \
		if (fixture_pg)                                               \
			skip();                                               \
	} while (0)

/* Run the tests of l, each with setup and teardown, on SQLite, then on
 * PostgreSQL when a test cluster is given (database pg_db of it). The
 * failures of both, added. */
static inline int
db_fixture_run(const char *name, const char *pg_db, struct unit_list l)
{
	struct CMUnitTest *tests = unit_tests(l, setup, teardown);
	char pgname[64];
	int r;

	fixture_pg = false;
	r = _cmocka_run_group_tests(name, tests, l.n, NULL, NULL);
	if (!getenv("BOOTYARD_TEST_PG_SOCK")) {
		printf("[ NOTE ] %s: PostgreSQL not tested "
		       "(BOOTYARD_TEST_PG_SOCK unset)\n", name);
		free(tests);
		return r;
	}
	fixture_pg = true;
	fixture_pg_db = pg_db;
	snprintf(pgname, sizeof(pgname), "%s-postgresql", name);
	r += _cmocka_run_group_tests(pgname, tests, l.n, NULL, NULL);
	free(tests);
	return r;
}

#endif
