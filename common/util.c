/*
 * util.c - bounded strings, number parsing, small file helpers.
 */
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

int
str_copy(char *dst, size_t dstsz, const char *src)
{
	size_t n = strlen(src);

	if (dstsz == 0)
		return -ENAMETOOLONG;
	if (n >= dstsz) {
		memcpy(dst, src, dstsz - 1);
		dst[dstsz - 1] = '\0';
		return -ENAMETOOLONG;
	}
	memcpy(dst, src, n + 1);
	return 0;
}

int
str_printf(char *dst, size_t dstsz, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(dst, dstsz, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= dstsz)
		return -ENAMETOOLONG;
	return 0;
}

int
parse_uint(const char *s, unsigned long long min, unsigned long long max,
	   unsigned long long *ret)
{
	unsigned long long v = 0;
	const char *p;

	if (!s || !*s)
		return -EINVAL;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		if (v > (~0ULL - 9) / 10)
			return -ERANGE;
		v = v * 10 + (unsigned)(*p - '0');
	}
	if (p - s > 20)
		return -ERANGE;
	if (v < min || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

/*
 * Split path into its directory (opened O_DIRECTORY|O_NOFOLLOW: a
 * symlink there is refused, not followed) and its last component.
 */
static int
open_parent(const char *path, const char **ret_base)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	int fd;

	if (!slash) {
		str_copy(dir, sizeof(dir), ".");
		*ret_base = path;
	} else if (slash == path) {
		str_copy(dir, sizeof(dir), "/");
		*ret_base = slash + 1;
	} else {
		if ((size_t)(slash - path) >= sizeof(dir))
			return -ENAMETOOLONG;
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
		*ret_base = slash + 1;
	}
	if (!**ret_base || !strcmp(*ret_base, ".") || !strcmp(*ret_base, ".."))
		return -EINVAL;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/*
 * Create a new temporary file next to base in dfd: a random name opened
 * O_CREAT|O_EXCL|O_NOFOLLOW, so that nothing planted at a guessable name
 * (a symlink, a hard link, a file) is ever opened.
 */
static int
open_tmp(int dfd, const char *base, unsigned mode, char *tmp, size_t tmpsz)
{
	static const char hex[] = "0123456789abcdef";
	int attempt;

	for (attempt = 0; attempt < 16; attempt++) {
		unsigned char rnd[8];
		char sfx[sizeof(rnd) * 2 + 1];
		size_t i;
		int fd, r;

		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
			return errno ? -errno : -EIO;
		for (i = 0; i < sizeof(rnd); i++) {
			sfx[2 * i] = hex[rnd[i] >> 4];
			sfx[2 * i + 1] = hex[rnd[i] & 15];
		}
		sfx[sizeof(sfx) - 1] = '\0';
		r = str_printf(tmp, tmpsz, ".%s.tmp.%s", base, sfx);
		if (r < 0)
			return r;
		fd = openat(dfd, tmp,
			    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    mode & 0777);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

int
write_file_atomic(const char *path, const void *data, size_t len,
		  unsigned mode)
{
	char tmp[4096];
	const char *p = data, *base;
	_cleanup_close_ int dfd = -1;
	int fd, r;

	dfd = open_parent(path, &base);
	if (dfd < 0)
		return dfd;
	fd = open_tmp(dfd, base, mode, tmp, sizeof(tmp));
	if (fd < 0)
		return fd;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto err_unlink;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fchmod(fd, mode) < 0 || fsync(fd) < 0) {
		r = -errno;
		goto err_unlink;
	}
	if (close(fd) < 0) {
		fd = -1;
		r = -errno;
		goto err_unlink;
	}
	fd = -1;
	/* rename replaces whatever is at base (a symlink included) without
	 * following it */
	if (renameat(dfd, tmp, dfd, base) < 0) {
		r = -errno;
		goto err_unlink;
	}
	return 0;

err_unlink:
	if (fd >= 0)
		close(fd);
	unlinkat(dfd, tmp, 0);
	return r;
}

int
read_file(const char *path, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = -1;
	struct stat st;
	char *buf;
	size_t have = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if ((unsigned long long)st.st_size > max)
		return -EFBIG;
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return -ENOMEM;
	while (have < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + have, (size_t)st.st_size - have);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			free(buf);
			return -errno;
		}
		if (n == 0)
			break;
		have += (size_t)n;
	}
	buf[have] = '\0';
	*ret = buf;
	if (ret_len)
		*ret_len = have;
	return 0;
}

uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

const char *
enum_name(const char *const *names, size_t n, size_t i)
{
	return i < n && names[i] ? names[i] : "?";
}

int
enum_find(const char *const *names, size_t n, const char *s, size_t *ret)
{
	size_t i;

	for (i = 0; s && i < n; i++)
		if (names[i] && !strcmp(s, names[i])) {
			*ret = i;
			return 0;
		}
	return -EINVAL;
}

int
mkdir_exist_ok(const char *path, unsigned mode)
{
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int
array_push(void *arrp, size_t *n, size_t *cap, size_t max, const void *elem,
           size_t size)
{
	char *arr;

	memcpy(&arr, arrp, sizeof(arr));
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		char *na;

		if (max && ncap > max)
			return -E2BIG;
		na = realloc(arr, ncap * size);
		if (!na)
			return -ENOMEM;
		arr = na;
		memcpy(arrp, &arr, sizeof(arr));
		*cap = ncap;
	}
	memcpy(arr + *n * size, elem, size);
	(*n)++;
	return 0;
}

int
memstream_finish(FILE *f, char **out, const size_t *len, int r, char **ret,
                 size_t *ret_len)
{
	if (fclose(f) != 0)
		r = -ENOMEM;
	if (r < 0) {
		free(*out);
		*out = NULL;
		return r;
	}
	*ret = *out;
	if (ret_len)
		*ret_len = *len;
	return 0;
}

void
strbuf_printf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	size_t ncap;
	char *np;
	int n;

	if (b->err)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL,
			      b->p ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->err = -EINVAL;
			return;
		}
		if (b->p && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		ncap = b->cap ? b->cap * 2 : 4096;
		while (ncap <= b->len + (size_t)n)
			ncap *= 2;
		np = realloc(b->p, ncap);
		if (!np) {
			b->err = -ENOMEM;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
}

int
write_file_if_changed(const char *path, const void *data, size_t len,
		      unsigned mode)
{
	_cleanup_free_ char *old = NULL;
	size_t oldlen;
	int r;

	/* A larger file than len differs anyway: read at most len bytes. */
	if (read_file(path, len, &old, &oldlen) == 0 && oldlen == len &&
	    !memcmp(old, data, len))
		return 0;
	r = write_file_atomic(path, data, len, mode);
	return r < 0 ? r : 1;
}

int
write_file_counted(const char *path, const void *data, size_t len,
		   unsigned *written, unsigned *unchanged)
{
	int r = write_file_if_changed(path, data, len, 0644);

	if (r == 0)
		++*unchanged;
	if (r == 1)
		++*written;
	return r < 0 ? r : 0;
}

int
mkdir_p(const char *path, unsigned mode)
{
	char buf[PATH_MAX], *p;

	if (str_copy(buf, sizeof(buf), path) < 0)
		return -ENAMETOOLONG;
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

bool
str_word_in(const char *w, const char *list)
{
	size_t n = strlen(w);
	const char *p;

	for (p = list; p && (p = strstr(p, w)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return true;
	return false;
}

int
child_output(int fd, pid_t pid, char *out, size_t outsz, size_t *ret_len,
	     int *ret_status)
{
	size_t len = 0;
	ssize_t k;

	while ((k = read(fd, out + len, outsz - 1 - len)) > 0 ||
	       (k < 0 && errno == EINTR))
		if (k > 0)
			len += (size_t)k;
	out[len] = '\0';
	close(fd);
	while (waitpid(pid, ret_status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	*ret_len = len;
	return 0;
}

int
child_exit_ok(int p[2], pid_t pid, char *out, size_t outsz, size_t *ret_len,
	      int *ret_status)
{
	int r;

	close(p[1]);
	r = child_output(p[0], pid, out, outsz, ret_len, ret_status);
	if (r < 0)
		return r;
	return WIFEXITED(*ret_status) && WEXITSTATUS(*ret_status) == 0 ? 0 : 1;
}

bool
path_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool
path_is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}
