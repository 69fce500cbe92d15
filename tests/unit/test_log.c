/*
 * test_log.c - every log line is one line of printable ASCII, whatever a
 * caller formatted into it (a client's bytes, a dnsmasq line).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/log.h"
#include "unit_main.h"

/* Run the log calls with stderr in a temporary file; its text. */
static char *
captured(void (*fn)(void))
{
	char path[] = "/tmp/test_log.XXXXXX", *buf = calloc(1, 4096);
	int fd = mkstemp(path), saved = dup(2);
	ssize_t n;

	assert_true(fd >= 0 && saved >= 0 && buf);
	unlink(path);
	fflush(stderr);
	dup2(fd, 2);
	fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, buf, 4095, 0);
	assert_true(n >= 0);
	close(fd);
	return buf;
}

static void
hostile_lines(void)
{
	log_init("bootyard", 2);
	log_warnx("client said %s", "G\x1b[31mET\r\nbootyard: FORGED");
	log_info("dnsmasq: %s",
	         "DHCPREQUEST host \x1b]0;title\x07\x7f\xc3\xa9");
	log_debug("x%sy", "\t\x01");
}

static void
test_sanitised(void **state)
{
	char *out = captured(hostile_lines);

	assert_string_equal(
	    out, "bootyard: client said G?[31mET??bootyard: FORGED\n"
	         "bootyard: dnsmasq: DHCPREQUEST host ?]0;title????\n"
	         "bootyard: debug: x??y\n");
	free(out);
}

int
main(void)
{
	return UNIT_RUN(test_sanitised);
}
