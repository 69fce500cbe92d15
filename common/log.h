/*
 * log.h - the small, fixed log vocabulary of every bootyard program.
 *
 * Messages go to stderr (one line each, prefixed with the program name)
 * until log_to_syslog() is called. Library modules (db/, http/ decisions,
 * common/) never log: they return -errno and the caller logs once, with
 * context.
 */
#ifndef BOOTYARD_LOG_H
#define BOOTYARD_LOG_H

#include <stdarg.h>

/* log_init - set the program name and verbosity (0 quiet .. 2 debug). */
void log_init(const char *progname, int verbose);

/* log_warn - a warning followed by ": strerror(errno)". */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* log_warnx - a warning without errno. */
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));


/* log_verbosity - the level given to log_init(). */
int log_verbosity(void);

#endif
