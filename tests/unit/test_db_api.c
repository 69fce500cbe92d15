/*
 * test_db_api.c - db.h's backend-neutral calls (change counter,
 * transactions, maintenance), through db.h alone: what the supervisor and
 * the event writer rely on, and what a second backend must pass too;
 * distributions with a kernel per architecture.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "db/db.h"
#include "db_fixture.h"

static int
events(struct db *db)
{
	int n = 0;

	assert_int_equal(db_event_list(db, NULL, 0, count_event, &n), 0);
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
	struct fixture *f = *state;
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
	assert_int_equal(db_lease_seen(f->db, "52:54:00:00:00:01", 7), 0);
	assert_int_not_equal(changes(f->db), v);
	v = changes(f->db);

	/* a transaction's commit */
	assert_int_equal(db_tx_begin(writer), 0);
	assert_int_equal(db_event_add(writer, NULL, "config", "tx"), 0);
	assert_int_equal(db_lease_seen(writer, "52:54:00:00:00:02", 7), 0);
	assert_int_equal(db_tx_commit(writer), 0);
	assert_int_not_equal(changes(f->db), v);
	v = changes(f->db);

	/* events alone: PostgreSQL does not notify them (migration 8: the
	 * watcher is not woken by every boot's events); SQLite's counter
	 * moves with any commit */
	assert_int_equal(db_event_add(writer, NULL, "config", "alone"), 0);
	if (fixture_pg)
		assert_int_equal(changes(f->db), v);

	db_close(ro);
	db_close(writer);
}

/* db_tx_*: a committed transaction keeps its writes, a rolled back one
 * none; rollback without one is a no-op. */
static void
test_tx(void **state)
{
	struct fixture *f = *state;

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
	struct fixture *f = *state;
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
	struct fixture *f = *state;

	assert_int_equal(db_snapshot_begin(f->db), 0);
	assert_int_equal(db_snapshot_begin(f->db), 0);
	assert_int_equal(events(f->db), 0);
	db_snapshot_end(f->db);
	db_snapshot_end(f->db);
	db_snapshot_end(NULL);
}

/* A kernel per architecture: stored, read back sorted, replaced as a
 * set by update, checked (bad or repeated arch, none at all). */
static void
test_distro_arches(void **state)
{
	struct fixture *f = *state;
	struct db_distro d, g;
	struct db_distro_names names;

	distro_init(&d, "deb12");
	distro_kernel_add(&d, "amd64", "deb12/amd64/linux",
	                  "deb12/amd64/initrd.gz");
	strcpy(d.kernels[0].arch, "arm64");
	strcpy(d.kernels[0].kernel, "deb12/arm64/linux");
	strcpy(d.kernels[0].initrd, "deb12/arm64/initrd.gz");
	assert_int_equal(db_distro_add(f->db, &d), 0);
	assert_int_equal(db_distro_get(f->db, "deb12", &g), 0);
	assert_int_equal(g.n_kernels, 2);
	assert_string_equal(g.kernels[0].arch, "amd64"); /* sorted */
	assert_string_equal(g.kernels[1].arch, "arm64");
	assert_string_equal(db_distro_kernel(&g, "arm64")->kernel,
			    "deb12/arm64/linux");
	assert_string_equal(db_distro_kernel(&g, "amd64")->initrd,
			    "deb12/amd64/initrd.gz");
	assert_null(db_distro_kernel(&g, "x86_64")); /* stored names only */
	db_distro_free(&g);

	distro_init(&d, "arm-only");
	strcpy(d.kernels[0].arch, "arm64");
	assert_int_equal(db_distro_add(f->db, &d), 0);
	assert_int_equal(db_distro_names(f->db, &names), 0);
	assert_int_equal(names.n, 2);
	assert_string_equal(names.names[0], "arm-only");
	assert_string_equal(names.arch_ptrs[0], "arm64");
	assert_string_equal(names.names[1], "deb12");
	assert_string_equal(names.arch_ptrs[1], "amd64 arm64");

	/* update replaces the set: deb12 loses arm64 */
	assert_int_equal(db_distro_get(f->db, "deb12", &g), 0);
	g.n_kernels = 1;
	assert_int_equal(db_distro_update(f->db, &g), 0);
	db_distro_free(&g);
	assert_int_equal(db_distro_get(f->db, "deb12", &g), 0);
	assert_int_equal(g.n_kernels, 1);
	assert_string_equal(g.kernels[0].arch, "amd64");
	db_distro_free(&g);

	/* refused: no kernel, an alias or unknown arch, an arch twice,
	 * a bad path in the second kernel; nothing half-written */
	distro_init(&d, "bad");
	d.n_kernels = 0;
	assert_int_equal(db_distro_add(f->db, &d), -EINVAL);
	distro_init(&d, "bad");
	strcpy(d.kernels[0].arch, "x86_64");
	assert_int_equal(db_distro_add(f->db, &d), -EINVAL);
	strcpy(d.kernels[0].arch, "riscv64");
	assert_int_equal(db_distro_add(f->db, &d), -EINVAL);
	strcpy(d.kernels[0].arch, "");
	assert_int_equal(db_distro_add(f->db, &d), -EINVAL);
	distro_init(&d, "bad");
	d.n_kernels = 2;
	d.kernels[1] = d.kernels[0];
	assert_int_equal(db_distro_add(f->db, &d), -EINVAL);
	strcpy(d.kernels[1].arch, "arm64");
	strcpy(d.kernels[1].kernel, "../etc/shadow");
	assert_int_equal(db_distro_add(f->db, &d), -EINVAL);
	d.n_kernels = DB_DISTRO_ARCHES + 1;
	assert_int_equal(db_distro_add(f->db, &d), -EINVAL);
	assert_int_equal(db_distro_get(f->db, "bad", &g), -ENOENT);

	/* rm takes its kernels along: the name can be used again */
	assert_int_equal(db_distro_delete(f->db, "arm-only"), 0);
	distro_init(&d, "arm-only");
	assert_int_equal(db_distro_add(f->db, &d), 0);
}

/*
 * The read cache (db_cache_write, db_set_cache): the boot tables of
 * either backend, written to a new SQLite file 0640 that replaces the
 * old one; read back as they are (ids, action, token, attributes,
 * kernels); no events, leases, tokens or BMC settings in it; a write
 * that cannot be made fails. While the server answers, no read comes
 * from the cache (db_cache_synced: -ENOENT, nothing counted).
 */
#define TOK "0123456789abcdef0123456789abcdef"

static void
test_read_cache(void **state)
{
	struct fixture *f = *state;
	struct db_host h, g;
	struct db_distro d, gd;
	struct db_distro_names names;
	struct db_power pw = { .method = "ipmi", .bmc = "10.0.0.9",
			       .user = "admin", .password = "secret" };
	struct db *c;
	char dir[64], path[128];
	struct stat st;
	uint64_t answers = db_cache_answers();
	int64_t id, synced;
	int n = 0;

	tmpdir_make(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/boot.db", dir);
	distro_init(&d, "deb12");
	assert_int_equal(db_distro_add(f->db, &d), 0);
	memset(&h, 0, sizeof(h));
	h.n_macs = 2;
	strcpy(h.macs[0], "52:54:00:00:30:01");
	strcpy(h.macs[1], "52:54:00:00:30:02");
	strcpy(h.hostname, "cached");
	h.action = DB_ACTION_INSTALL;
	strcpy(h.distro, "deb12");
	host_attr_add(&h, "rack", "r1");
	assert_int_equal(db_host_add(f->db, &h, &id), 0);
	assert_int_equal(db_install_issue(f->db, id, TOK, 3), 0);
	assert_int_equal(db_power_set(f->db, id, &pw, true), 0);
	assert_int_equal(db_event_add(f->db, h.macs[0], "config", "x"), 0);

	assert_int_equal(db_cache_write(f->db, path, (gid_t)-1), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(db_open(path, DB_OPEN_READONLY, &c), 0);
	assert_int_equal(db_host_find_by_mac(c, "52:54:00:00:30:02", &g), 0);
	assert_int_equal(g.id, id);
	assert_int_equal(g.action, DB_ACTION_INSTALL);
	assert_string_equal(g.hostname, "cached");
	assert_string_equal(g.token, TOK);
	assert_int_equal(g.n_macs, 2);
	assert_int_equal(g.n_attrs, 1);
	assert_string_equal(g.attrs[0].value, "r1");
	assert_int_equal(db_host_find_by_name(c, "cached", &g), 0);
	assert_int_equal(db_distro_get(c, "deb12", &gd), 0);
	assert_string_equal(gd.kernels[0].kernel, "debian12/linux");
	db_distro_free(&gd);
	assert_int_equal(db_distro_names(c, &names), 0);
	assert_int_equal(names.n, 1);
	/* what the boot decision does not read is not there */
	assert_int_equal(db_event_list(c, NULL, 0, count_event, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(db_install_lookup(c, TOK, &g), -ENOENT);
	assert_int_equal(db_power_get(c, id, &pw, true), 0);
	assert_string_equal(pw.method, "none");
	assert_false(pw.has_password);
	db_close(c);

	/* replaced by a newer one; a write that cannot be made fails */
	assert_int_equal(db_host_delete(f->db, id), 0);
	assert_int_equal(db_cache_write(f->db, path, (gid_t)-1), 0);
	assert_int_equal(db_open(path, DB_OPEN_READONLY, &c), 0);
	assert_int_equal(db_host_get(c, id, &g), -ENOENT);
	db_close(c);
	assert_true(db_cache_write(f->db, "/nonexistent/dir/boot.db",
				   (gid_t)-1) < 0);

	/* the server answers: the cache is not used */
	assert_int_equal(db_set_cache(f->db, path), 0);
	assert_int_equal(db_cache_synced(f->db, &synced), -ENOENT);
	assert_int_equal(db_host_find_by_mac(f->db, "52:54:00:00:30:01", &g),
			 -ENOENT);
	assert_int_equal(db_cache_answers(), answers);
	assert_int_equal(db_set_cache(f->db, NULL), 0);
	tmpdir_remove(dir);
}

int
main(void)
{
	return db_fixture_run("db_api", "bootyard_test_db_api",
	                      UNIT_LIST(test_changes, test_tx, test_maintain,
	                                test_snapshot, test_distro_arches,
	                                test_read_cache));
}
