/*
 * test_http_files.c - the static-file path check (no escape from the
 * root: "..", ".", empty components, symlinks out) on a real directory
 * tree, and the Range header parser.
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

#include "common/util.h"
#include "http/internal.h"
#include "unit_main.h"

static char dir[64], root[128];

static int
setup(void **state)
{
	char p[256];

	strcpy(dir, "/tmp/bootyard-files.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(root, sizeof(root), "%s/root", dir);
	mkdir(root, 0755);
	snprintf(p, sizeof(p), "%s/sub", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/sub/a.bin", root);
	write_file_atomic(p, "abc", 3, 0644);
	snprintf(p, sizeof(p), "%s/secret", dir);
	write_file_atomic(p, "s", 1, 0644);
	snprintf(p, sizeof(p), "%s/out", root);
	if (symlink("../secret", p) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/in", root);
	if (symlink("sub/a.bin", p) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/subout", root);
	if (symlink("..", p) < 0)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
test_resolve(void **state)
{
	static const char *const refused[] = {
	    "../secret",   "sub/../../secret",
	    "./sub/a.bin", "sub//a.bin",
	    "sub/",        "..",
	    "out",         "subout/secret",
	    "sub/./a.bin",
	};
	size_t i;
	int fd = -1;

	assert_int_equal(http_files_resolve(root, "sub/a.bin", &fd), 0);
	close(fd);
	assert_int_equal(http_files_resolve(root, "in", &fd), 0);
	close(fd);
	for (i = 0; i < ARRAY_SIZE(refused); i++) {
		int rc = http_files_resolve(root, refused[i], &fd);
		if (rc != -EACCES)
			fail_msg("%s: %d", refused[i], rc);
	}
	assert_int_equal(http_files_resolve(root, "nope", &fd), -ENOENT);
	assert_int_equal(http_files_resolve(root, "", &fd), -ENOENT);
	assert_int_equal(http_files_resolve("/nonexistent", "a", &fd), -ENOENT);
}

static void
test_range(void **state)
{
	uint64_t a, b;

	assert_int_equal(http_range_parse(NULL, 100, &a, &b), 0);
	assert_int_equal(http_range_parse("bytes=0-9", 100, &a, &b), 1);
	assert_true(a == 0 && b == 9);
	assert_int_equal(http_range_parse("bytes=90-", 100, &a, &b), 1);
	assert_true(a == 90 && b == 99);
	assert_int_equal(http_range_parse("bytes=90-1000", 100, &a, &b), 1);
	assert_true(a == 90 && b == 99);
	assert_int_equal(http_range_parse("bytes=-10", 100, &a, &b), 1);
	assert_true(a == 90 && b == 99);
	assert_int_equal(http_range_parse("bytes=-1000", 100, &a, &b), 1);
	assert_true(a == 0 && b == 99);
	assert_int_equal(http_range_parse("bytes=100-", 100, &a, &b), -ERANGE);
	assert_int_equal(http_range_parse("bytes=-0", 100, &a, &b), -ERANGE);
	assert_int_equal(http_range_parse("bytes=0-1,5-6", 100, &a, &b), 0);
	assert_int_equal(http_range_parse("bytes=5-1", 100, &a, &b), 0);
	assert_int_equal(http_range_parse("items=0-1", 100, &a, &b), 0);
	assert_int_equal(http_range_parse("bytes=x-1", 100, &a, &b), 0);
	assert_int_equal(http_range_parse("bytes=-", 100, &a, &b), 0);
	assert_int_equal(
	    http_range_parse("bytes=99999999999999999999999-", 100, &a, &b), 0);
}

int
main(void)
{
	return unit_run(UNIT_LIST(test_resolve, test_range), setup, teardown);
}
