/*
 * sanitize.h - the one function that makes bytes from outside safe to log.
 *
 * Every field of the access log and every log line pass through it, so no
 * client can put a terminal escape, a carriage return or a forged second
 * line into a log file or a journal.
 */
#ifndef BOOTYARD_SANITIZE_H
#define BOOTYARD_SANITIZE_H

#include <stddef.h>

/* With str_sanitize: ' ' and '"' become '?' too (a field of a quoted,
 * space-separated line). */
#define SANITIZE_FIELD 1u

/*
 * str_sanitize - copy the NUL-terminated src into dst (dstsz > 0 bytes,
 * always NUL-terminated, truncated to fit) with every byte that is not
 * printable ASCII (control bytes including ESC, CR and LF, DEL, and every
 * byte >= 0x80) replaced by '?'; with SANITIZE_FIELD in flags also ' '
 * and '"'. dst may be src (sanitised in place). A NULL src gives "-".
 * Returns dst.
 */
char *str_sanitize(char *dst, size_t dstsz, const char *src, unsigned flags);

#endif
