/*
 * util.h - small helpers shared by every module: cleanup attributes,
 * bounded string copies, array sizes.
 */
#ifndef BOOTYARD_UTIL_H
#define BOOTYARD_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void
freep(void *p)
{
	free(*(void **)p);
}

static inline void
closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

/* Free (or close) the variable when it goes out of scope. */
#define _cleanup_free_ __attribute__((cleanup(freep)))
#define _cleanup_close_ __attribute__((cleanup(closep)))

/* mono_ms - milliseconds of CLOCK_MONOTONIC: for timeouts and intervals,
 * immune to clock changes. */
uint64_t mono_ms(void);

/*
 * str_copy - copy src into dst of size dstsz, always NUL-terminated.
 * Returns 0, or -ENAMETOOLONG when src did not fit (dst then holds a
 * truncated copy that callers must not use).
 */
int str_copy(char *dst, size_t dstsz, const char *src);

/*
 * str_printf - snprintf that reports truncation: 0 or -ENAMETOOLONG.
 */
int str_printf(char *dst, size_t dstsz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * A growing text buffer, for text of no fixed bound (a dnsmasq config):
 * zero it, strbuf_printf into it, then use p (len bytes, NUL-terminated)
 * unless err, and free(p). The first error sticks and later calls do
 * nothing. Bounded text goes through str_printf instead.
 */
struct strbuf {
	char *p;
	size_t len, cap;
	int err; /* 0, -ENOMEM or -EINVAL (a bad format) */
};

/* strbuf_printf - append printf-formatted text to b. */
void strbuf_printf(struct strbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * enum_name - entry i of a table of n names indexed by an enum's values;
 * "?" past its end or for a gap (NULL). enum_find - the index of s in
 * such a table: 0 and *ret, or -EINVAL (s NULL or not there). The one
 * way enum names are printed and parsed.
 */
const char *enum_name(const char *const *names, size_t n, size_t i);
int enum_find(const char *const *names, size_t n, const char *s, size_t *ret);

/*
 * mkdir_exist_ok - mkdir(path, mode), an existing path being fine (no
 * parents made: mkdir_p does that). Returns 0 or -errno.
 */
int mkdir_exist_ok(const char *path, unsigned mode);

/*
 * array_push - append the size bytes at elem to the array *arrp (a
 * pointer to the array's pointer; n elements used, cap allocated),
 * doubling it from 16 elements when full. With max (0: no limit), an
 * array that would grow past max elements is not grown. Returns 0,
 * -E2BIG (at max: nothing appended) or -ENOMEM. The caller frees *arrp.
 */
int array_push(void *arrp, size_t *n, size_t *cap, size_t max, const void *elem,
               size_t size);

/*
 * memstream_finish - the last step of rendering into f, a stream from
 * open_memstream(out, len): close f, then hand the text on. When fclose
 * fails (-ENOMEM) or r, the rendering's result, is negative, the text is
 * freed and that error returned; otherwise *ret is the text (caller
 * frees), *ret_len its length when ret_len is not NULL, and 0 returned.
 */
int memstream_finish(FILE *f, char **out, const size_t *len, int r, char **ret,
                     size_t *ret_len);

/*
 * parse_uint - parse a whole decimal string into [min, max] (strtonum-like).
 * Returns 0 and sets *ret, or -EINVAL (not a number) / -ERANGE.
 */
int parse_uint(const char *s, unsigned long long min, unsigned long long max,
	       unsigned long long *ret);

/* str_has_prefix - true when s starts with prefix. */
static inline bool
str_has_prefix(const char *s, const char *prefix)
{
	for (; *prefix; s++, prefix++)
		if (*s != *prefix)
			return false;
	return true;
}

/*
 * write_file_atomic - write len bytes to path with mode, through a new
 * file of a random name in the same directory (O_CREAT|O_EXCL|O_NOFOLLOW,
 * relative to the directory opened O_DIRECTORY|O_NOFOLLOW) and a
 * renameat: nothing planted in that directory is followed or opened, a
 * symlink at path is replaced, not written through. Returns 0 or -errno
 * (-ELOOP/-ENOTDIR when path's directory is a symlink); the previous
 * file survives any failure.
 */
int write_file_atomic(const char *path, const void *data, size_t len,
		      unsigned mode);

/*
 * write_file_if_changed - write_file_atomic(path, data, len, mode) unless
 * path already holds exactly those bytes: an unchanged file keeps its
 * mtime (make rebuilds nothing, TFTP clients see a stable file). Returns
 * 1 when written, 0 when unchanged, or -errno.
 */
int write_file_if_changed(const char *path, const void *data, size_t len,
			  unsigned mode);

/*
 * write_file_counted - write_file_if_changed(path, data, len, 0644),
 * counted: ++*written or ++*unchanged. Returns 0 or -errno.
 */
int write_file_counted(const char *path, const void *data, size_t len,
		       unsigned *written, unsigned *unchanged);

/*
 * mkdir_p - create the directory path and its missing parents with mode
 * (an existing one is fine). Returns 0, -ENAMETOOLONG (over PATH_MAX) or
 * mkdir's -errno.
 */
int mkdir_p(const char *path, unsigned mode);

/* path_is_dir, path_is_file - path (links followed) is a directory / a
 * regular file. */
bool path_is_dir(const char *path);
bool path_is_file(const char *path);

/* str_word_in - is w one of the space-separated words of list (NULL:
 * none)? */
bool str_word_in(const char *w, const char *list);

/*
 * child_output - after a fork, collect a child's output and its end: read
 * the pipe fd (the child holds the write end) until EOF or until out
 * (outsz bytes) is full, NUL-terminate it, close fd and wait for pid.
 * Starts nothing itself. Returns 0 with *ret_len and *ret_status (as
 * waitpid gives it), or waitpid's -errno.
 */
int child_output(int fd, pid_t pid, char *out, size_t outsz, size_t *ret_len,
		 int *ret_status);

/*
 * child_exit_ok - in the parent, with pipe p whose write end the child
 * holds: close p[1], then child_output(p[0], ...). Returns its -errno, 0
 * when the child exited with status 0, 1 when it did not (*ret_status
 * says how).
 */
int child_exit_ok(int p[2], pid_t pid, char *out, size_t outsz,
		  size_t *ret_len, int *ret_status);

/*
 * read_file - read a whole (small) file into a NUL-terminated malloc'd
 * buffer of at most max bytes. Returns 0 and *ret (caller frees) and
 * *ret_len, -EFBIG when larger than max, or -errno.
 */
int read_file(const char *path, size_t max, char **ret, size_t *ret_len);

#endif
