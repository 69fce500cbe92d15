/*
 * golden.h - golden-file comparison for the unit tests that render text
 * (dnsmasq configurations, iPXE scripts, grub files). Include after
 * <cmocka.h>.
 *
 * golden_check(text, fmt, ...) compares text byte for byte with the file
 * whose path fmt formats (relative to the repository root, where the
 * tests run). With UPDATE_GOLDEN=1 in the environment (or, as before,
 * BOOTYARD_UPDATE_GOLDEN=1) it rewrites the file instead, after an
 * intended change: review the diff before committing it.
 */
#ifndef BOOTYARD_TESTS_GOLDEN_H
#define BOOTYARD_TESTS_GOLDEN_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

static void golden_check(const char *text, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
golden_check(const char *text, const char *fmt, ...)
{
	char path[256], *want = NULL;
	size_t len;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (getenv("UPDATE_GOLDEN") || getenv("BOOTYARD_UPDATE_GOLDEN")) {
		assert_int_equal(
		    write_file_atomic(path, text, strlen(text), 0644), 0);
		return;
	}
	if (read_file(path, 1 << 20, &want, &len) < 0)
		fail_msg("cannot read %s (UPDATE_GOLDEN=1 creates it)", path);
	if (strcmp(want, text) != 0) {
		fprintf(stderr, "--- %s\n%s\n+++ rendered\n%s\n", path, want,
		        text);
		fail_msg("%s differs", path);
	}
	free(want);
}

#endif
