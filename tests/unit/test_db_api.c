/*
 * test_db_api.c - db.h's backend-neutral calls (change counter,
 * transactions, maintenance), through db.h alone: what the supervisor and
 * the event writer rely on, and what a second backend must pass too.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "db/db.h"
#include "tmpdir.h"

static int
count_cb(const struct db_event *e, void *ctx)
{
	(void)e;
	(*(int *)ctx)++;
	return 0;
}

static int
events(struct db *db)
{
	int n = 0;

	assert_int_equal(db_event_list(db, NULL, 0, count_cb, &n), 0);
	return n;
}

static uint64_t
changes(struct db *db)
{
	uint64_t v = 0;

	assert_int_equal(db_changes(db, &v), 0);
	return v;
}

/*
 * db_changes: the first call counts as a change; reads do not move it; a
 * commit by another connection, by another (read-only) one's view, and by
 * the watcher's own connection do.
 */
static void
test_changes(void **state)
{
	struct tmp_db *f = *state;
	struct db *writer, *ro;
	struct db_host h;
	int64_t id;
	uint64_t v, w;

	assert_int_equal(db_open(f->path, 0, &writer), 0);
	assert_int_equal(db_open(f->path, DB_OPEN_READONLY, &ro), 0);
	v = changes(f->db);
	assert_int_not_equal(v, 0);
	assert_int_equal(changes(f->db), v);
	w = changes(ro);

	/* reads change nothing */
	assert_int_equal(db_host_find_by_mac(f->db, "52:54:00:00:00:01", &h),
			 -ENOENT);
	assert_int_equal(events(writer), 0);
	assert_int_equal(changes(f->db), v);

	/* another connection's commit */
	memset(&h, 0, sizeof(h));
	h.n_macs = 1;
	strcpy(h.macs[0], "52:54:00:00:00:01");
	assert_int_equal(db_host_add(writer, &h, &id), 0);
	assert_int_not_equal(changes(f->db), v);
	v = changes(f->db);
	assert_int_equal(changes(f->db), v);
	assert_int_not_equal(changes(ro), w);

	/* the watcher's own commit */
	assert_int_equal(db_event_add(f->db, NULL, "config", "own"), 0);
	assert_int_not_equal(changes(f->db), v);
	v = changes(f->db);

	/* a transaction's commit */
	assert_int_equal(db_tx_begin(writer), 0);
	assert_int_equal(db_event_add(writer, NULL, "config", "tx"), 0);
	assert_int_equal(db_tx_commit(writer), 0);
	assert_int_not_equal(changes(f->db), v);

	db_close(ro);
	db_close(writer);
}

/* db_tx_*: a committed transaction keeps its writes, a rolled back one
 * none; rollback without one is a no-op. */
static void
test_tx(void **state)
{
	struct tmp_db *f = *state;

	db_tx_rollback(f->db);
	assert_int_equal(db_tx_begin(f->db), 0);
	assert_int_equal(db_event_add(f->db, NULL, "config", "a"), 0);
	assert_int_equal(db_event_add(f->db, NULL, "config", "b"), 0);
	db_tx_rollback(f->db);
	assert_int_equal(events(f->db), 0);

	assert_int_equal(db_tx_begin(f->db), 0);
	assert_int_equal(db_event_add(f->db, NULL, "config", "a"), 0);
	assert_int_equal(db_lease_seen(f->db, "52:54:00:00:00:02", 7), 0);
	assert_int_equal(db_tx_commit(f->db), 0);
	assert_int_equal(events(f->db), 1);
}

/* DB_OPEN_MAINTAINED + db_maintain; a read-only connection cannot. */
static void
test_maintain(void **state)
{
	struct tmp_db *f = *state;
	struct db *m, *ro;
	int i;

	assert_int_equal(db_open(f->path, DB_OPEN_MAINTAINED, &m), 0);
	for (i = 0; i < 50; i++)
		assert_int_equal(db_event_add(m, NULL, "config", "x"), 0);
	assert_int_equal(db_maintain(m, 1000), 0);
	assert_int_equal(events(f->db), 50);
	assert_int_equal(db_open(f->path, DB_OPEN_READONLY, &ro), 0);
	assert_int_equal(db_maintain(ro, 10), -EROFS);
	db_close(ro);
	db_close(m);
}

/* a snapshot: no-op nesting, end without one, end of NULL */
static void
test_snapshot(void **state)
{
	struct tmp_db *f = *state;

	assert_int_equal(db_snapshot_begin(f->db), 0);
	assert_int_equal(db_snapshot_begin(f->db), 0);
	assert_int_equal(events(f->db), 0);
	db_snapshot_end(f->db);
	db_snapshot_end(f->db);
	db_snapshot_end(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_changes, tmp_db_setup,
						tmp_db_teardown),
		cmocka_unit_test_setup_teardown(test_tx, tmp_db_setup,
						tmp_db_teardown),
		cmocka_unit_test_setup_teardown(test_maintain, tmp_db_setup,
						tmp_db_teardown),
		cmocka_unit_test_setup_teardown(test_snapshot, tmp_db_setup,
						tmp_db_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
