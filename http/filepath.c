/*
 * filepath.c - the pure parts of static file serving: the path check that
 * keeps every request inside its root, and the Range header parser
 * (declared in internal.h; fuzzed by tests/fuzz/fuzz_range.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "http/internal.h"

int
http_files_resolve(const char *root, const char *rel, int *ret_fd)
{
	char path[PATH_MAX], real_root[PATH_MAX], real[PATH_MAX];
	const char *p = rel;
	size_t rl;
	int fd;

	if (!*rel || strlen(rel) >= 1024)
		return -ENOENT;
	/* Every component must be a plain name. */
	while (*p) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (n == 0 || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return -EACCES;
		if (!e)
			break;
		p = e + 1;
		if (!*p)
			return -EACCES; /* trailing slash: a directory */
	}
	if (!realpath(root, real_root))
		return -ENOENT;
	if (str_printf(path, sizeof(path), "%s/%s", real_root, rel) < 0)
		return -ENOENT;
	if (!realpath(path, real))
		return -ENOENT;
	rl = strlen(real_root);
	if (strncmp(real, real_root, rl) != 0 || real[rl] != '/')
		return -EACCES;
	fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return -errno == -ELOOP ? -EACCES : -errno;
	*ret_fd = fd;
	return 0;
}

int
http_range_parse(const char *h, uint64_t size, uint64_t *first, uint64_t *last)
{
	unsigned long long a, b;
	char sa[24], sb[24];
	const char *dash;
	size_t la, lb;

	if (!h || strncmp(h, "bytes=", 6) != 0)
		return 0;
	h += 6;
	if (strchr(h, ','))
		return 0; /* several ranges: answer with the whole file */
	dash = strchr(h, '-');
	if (!dash)
		return 0;
	la = (size_t)(dash - h);
	lb = strlen(dash + 1);
	if (la >= sizeof(sa) || lb >= sizeof(sb) || (la == 0 && lb == 0))
		return 0;
	memcpy(sa, h, la);
	sa[la] = '\0';
	memcpy(sb, dash + 1, lb);
	sb[lb] = '\0';
	if (la == 0) { /* suffix: the last b bytes */
		if (parse_uint(sb, 0, UINT64_MAX, &b) < 0)
			return 0;
		if (b == 0 || size == 0)
			return -ERANGE;
		*first = b >= size ? 0 : size - b;
		*last = size - 1;
		return 1;
	}
	if (parse_uint(sa, 0, UINT64_MAX, &a) < 0)
		return 0;
	if (lb == 0)
		b = size ? size - 1 : 0;
	else if (parse_uint(sb, 0, UINT64_MAX, &b) < 0 || b < a)
		return 0;
	if (a >= size)
		return -ERANGE;
	if (b >= size)
		b = size - 1;
	*first = a;
	*last = b;
	return 1;
}
