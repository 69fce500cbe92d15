/*
 * tmpdir.h - the scratch directory (and database in it) that a unit test
 * makes and removes: one copy of what the fixtures of test_db_api.c,
 * test_grubcfg.c, test_pki.c, test_ipxe_build.c and test_power.c each
 * wrote out. Include after <cmocka.h>.
 *
 * tmpdir_make(dir, dirsz) makes a fresh /tmp/bootyard-test.XXXXXX into
 * dir; tmpdir_remove(dir) removes it with everything in it.
 *
 * struct tmp_db is a scratch directory with a database created in it.
 * tmp_db_setup and tmp_db_teardown are cmocka setup and teardown for a
 * test that needs only that; a larger fixture calls tmp_db_open and
 * tmp_db_close itself.
 */
#ifndef BOOTYARD_TESTS_TMPDIR_H
#define BOOTYARD_TESTS_TMPDIR_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"

static inline void
tmpdir_make(char *dir, size_t dirsz)
{
	assert_true(snprintf(dir, dirsz, "/tmp/bootyard-test.XXXXXX") <
		    (int)dirsz);
	assert_non_null(mkdtemp(dir));
}

static inline void
tmpdir_remove(const char *dir)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

struct tmp_db {
	char dir[64];
	char path[128];
	struct db *db;
};

/* A new scratch directory in t->dir, its database created at t->path. */
static inline void
tmp_db_open(struct tmp_db *t)
{
	tmpdir_make(t->dir, sizeof(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/bootyard.db", t->dir);
	assert_int_equal(db_open(t->path, DB_OPEN_CREATE, &t->db), 0);
}

/* Close t's database and remove its directory. */
static inline void
tmp_db_close(struct tmp_db *t)
{
	db_close(t->db);
	tmpdir_remove(t->dir);
}

static inline int
tmp_db_setup(void **state)
{
	struct tmp_db *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	tmp_db_open(t);
	*state = t;
	return 0;
}

static inline int
tmp_db_teardown(void **state)
{
	tmp_db_close(*state);
	free(*state);
	return 0;
}

#endif
