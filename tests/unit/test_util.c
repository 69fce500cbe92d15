/*
 * test_util.c - write_file_atomic against what another user can plant in
 * a directory it can write (issue #16, defect 2): a symlink at the old
 * predictable temporary name, a symlink at the target itself, a symlink
 * in place of the directory. Nothing planted may be followed: the file
 * a symlink points to keeps its content and its mode.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

#include "common/util.h"

struct fx {
	char dir[PATH_MAX];    /* where the writer writes */
	char secret[PATH_MAX]; /* a private file outside it (0600) */
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char tmpl[] = "/tmp/by-util-XXXXXX";
	int fd;

	assert_non_null(f);
	assert_non_null(mkdtemp(tmpl));
	snprintf(f->secret, sizeof(f->secret), "%s/secret", tmpl);
	snprintf(f->dir, sizeof(f->dir), "%s/run", tmpl);
	assert_int_equal(mkdir(f->dir, 0755), 0);
	fd = open(f->secret, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "private\n", 8), 8);
	assert_int_equal(fchmod(fd, 0600), 0);
	close(fd);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%.*s'",
		 (int)(strrchr(f->dir, '/') - f->dir), f->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cleanup failed: %s\n", cmd);
	free(f);
	return 0;
}

/* The secret still holds "private\n" and mode 0600. */
static void
assert_secret_intact(const struct fx *f)
{
	char *text = NULL;
	struct stat st;

	assert_int_equal(stat(f->secret, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(read_file(f->secret, 4096, &text, NULL), 0);
	assert_string_equal(text, "private\n");
	free(text);
}

/* Only the names listed are left in f->dir (no temporary file). */
/* path itself (not followed) is of type (S_IFLNK, S_IFREG, ...). */
static void
assert_file_type(const char *path, mode_t type)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(st.st_mode & S_IFMT, type);
}

static void
assert_dir_holds(const struct fx *f, size_t n)
{
	DIR *d = opendir(f->dir);
	struct dirent *e;
	size_t count = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			count++;
	closedir(d);
	assert_int_equal(count, n);
}

static void
test_writes_and_replaces(void **state)
{
	struct fx *f = *state;
	char path[PATH_MAX + 16], *text = NULL;
	struct stat st;

	snprintf(path, sizeof(path), "%s/status", f->dir);
	assert_int_equal(write_file_atomic(path, "one\n", 4, 0600), 0);
	assert_int_equal(write_file_atomic(path, "two\n", 4, 0644), 0);
	assert_int_equal(read_file(path, 4096, &text, NULL), 0);
	assert_string_equal(text, "two\n");
	free(text);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_dir_holds(f, 1);
}

/*
 * The attack as it was done: a symlink at PATH.tmp.<pid> (the name the
 * writer used to open with O_CREAT|O_TRUNC, then fchmod) to a private
 * file: that file was truncated, overwritten and made 0644.
 */
static void
test_planted_tmp_symlink(void **state)
{
	struct fx *f = *state;
	char path[PATH_MAX + 16], planted[PATH_MAX + 64], *text = NULL;

	snprintf(path, sizeof(path), "%s/dnsmasq.conf", f->dir);
	snprintf(planted, sizeof(planted), "%s.tmp.%ld", path,
		 (long)getpid());
	assert_int_equal(symlink(f->secret, planted), 0);
	assert_int_equal(write_file_atomic(path, "dhcp-range=x\n", 13, 0644),
			 0);
	assert_secret_intact(f);
	assert_int_equal(read_file(path, 4096, &text, NULL), 0);
	assert_string_equal(text, "dhcp-range=x\n");
	free(text);
	/* the planted link is left as it was, not written through */
	assert_file_type(planted, S_IFLNK);
	assert_dir_holds(f, 2);
}

/* A symlink at the target name is replaced by the file, not followed. */
static void
test_target_symlink_replaced(void **state)
{
	struct fx *f = *state;
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/dnsmasq.hosts", f->dir);
	assert_int_equal(symlink(f->secret, path), 0);
	assert_int_equal(write_file_atomic(path, "x\n", 2, 0644), 0);
	assert_secret_intact(f);
	assert_file_type(path, S_IFREG);
	assert_dir_holds(f, 1);
}

/* The directory itself a symlink (to a directory holding the secret):
 * refused, nothing written there. */
static void
test_dir_symlink_refused(void **state)
{
	struct fx *f = *state;
	char link[PATH_MAX + 16], path[PATH_MAX + 32], target[PATH_MAX];
	int r;

	snprintf(target, sizeof(target), "%.*s",
		 (int)(strrchr(f->secret, '/') - f->secret), f->secret);
	snprintf(link, sizeof(link), "%s/linked", f->dir);
	assert_int_equal(symlink(target, link), 0);
	snprintf(path, sizeof(path), "%s/secret", link);
	r = write_file_atomic(path, "x\n", 2, 0644);
	assert_true(r == -ELOOP || r == -ENOTDIR);
	assert_secret_intact(f);
}

/* Names that are no file name are refused. */
static void
test_bad_names(void **state)
{
	struct fx *f = *state;
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/", f->dir);
	assert_int_equal(write_file_atomic(path, "x", 1, 0644), -EINVAL);
	snprintf(path, sizeof(path), "%s/..", f->dir);
	assert_int_equal(write_file_atomic(path, "x", 1, 0644), -EINVAL);
	assert_int_equal(write_file_atomic("/nonexistent-by/x", "x", 1, 0644),
			 -ENOENT);
}

/* write_file_if_changed: 1 when written, 0 (the file untouched) when the
 * bytes are the same; mkdir_p makes parents and takes an existing dir. */
static void
test_if_changed_and_mkdir_p(void **state)
{
	struct fx *f = *state;
	char path[PATH_MAX + 16], *text = NULL;
	struct stat a, b;

	snprintf(path, sizeof(path), "%s/a/b/c", f->dir);
	assert_int_equal(mkdir_p(path, 0755), 0);
	assert_int_equal(mkdir_p(path, 0755), 0);
	assert_int_equal(stat(path, &a), 0);
	assert_true(S_ISDIR(a.st_mode));
	snprintf(path, sizeof(path), "%s/a/b/c/f", f->dir);
	assert_int_equal(write_file_if_changed(path, "one\n", 4, 0644), 1);
	assert_int_equal(stat(path, &a), 0);
	assert_int_equal(write_file_if_changed(path, "one\n", 4, 0644), 0);
	assert_int_equal(stat(path, &b), 0);
	assert_int_equal(a.st_ino, b.st_ino); /* not replaced */
	/* a longer and a shorter text: both written */
	assert_int_equal(write_file_if_changed(path, "one\ntwo\n", 8, 0644),
			 1);
	assert_int_equal(write_file_if_changed(path, "on", 2, 0644), 1);
	assert_int_equal(read_file(path, 64, &text, NULL), 0);
	assert_string_equal(text, "on");
	free(text);
	snprintf(path, sizeof(path), "%s/a/b/c/f/g", f->dir);
	assert_int_equal(mkdir_p(path, 0755), -ENOTDIR);
}

/* strbuf_printf grows past its first allocation; errors stick. */
static void
test_strbuf(void **state)
{
	struct strbuf b = { 0 };
	int i;

	for (i = 0; i < 2000; i++)
		strbuf_printf(&b, "%04d\n", i);
	assert_int_equal(b.err, 0);
	assert_int_equal(b.len, 10000);
	assert_int_equal(strlen(b.p), 10000);
	assert_memory_equal(b.p + 9995, "1999\n", 5);
	free(b.p);
}

/* array_push: grows by doubling, keeps what it holds, stops at max. */
static void
test_array_push(void **state)
{
	int64_t *v = NULL;
	size_t n = 0, cap = 0;
	int64_t i;

	for (i = 0; i < 100; i++)
		assert_int_equal(array_push(&v, &n, &cap, 0, &i, sizeof(i)), 0);
	assert_int_equal(n, 100);
	assert_int_equal(cap, 128);
	for (i = 0; i < 100; i++)
		assert_int_equal(v[i], i);
	/* max 100: full at 64, the next doubling (128) would pass it */
	free(v);
	v = NULL;
	n = cap = 0;
	for (i = 0; i < 64; i++)
		assert_int_equal(array_push(&v, &n, &cap, 100, &i, sizeof(i)),
		                 0);
	assert_int_equal(array_push(&v, &n, &cap, 100, &i, sizeof(i)), -E2BIG);
	assert_int_equal(n, 64);
	free(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_writes_and_replaces, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_planted_tmp_symlink, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_target_symlink_replaced, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_dir_symlink_refused, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_bad_names, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_if_changed_and_mkdir_p, setup,
	                                    teardown),
	    cmocka_unit_test(test_strbuf),
	    cmocka_unit_test(test_array_push),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
