/*
 * log.c - stderr logging with a fixed vocabulary (see log.h).
 */
#include "common/log.h"
#include "common/sanitize.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *log_progname = "bootyard";
static int log_level = 1;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void
log_init(const char *progname, int verbose)
{
	log_progname = progname;
	log_level = verbose;
}

int
log_verbosity(void)
{
	return log_level;
}

/*
 * Write one line: "prog: message[: strerror]". One fprintf under a lock so
 * that lines from HTTP worker threads never interleave. The message is
 * sanitised whole: whatever a caller formatted into it (a client's bytes,
 * a dnsmasq line), it stays one line without terminal escapes.
 */
static void
vlog(const char *prefix, int errnum, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	str_sanitize(msg, sizeof(msg), msg, 0);
	pthread_mutex_lock(&log_lock);
	if (errnum)
		fprintf(stderr, "%s: %s%s: %s\n", log_progname, prefix, msg,
			strerror(errnum));
	else
		fprintf(stderr, "%s: %s%s\n", log_progname, prefix, msg);
	fflush(stderr);
	pthread_mutex_unlock(&log_lock);
}

void
log_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog("", saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("", 0, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	if (log_level < 1)
		return;
	va_start(ap, fmt);
	vlog("", 0, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_level < 2)
		return;
	va_start(ap, fmt);
	vlog("debug: ", 0, fmt, ap);
	va_end(ap);
}
