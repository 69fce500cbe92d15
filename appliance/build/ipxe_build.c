/*
 * ipxe_build.c - `bootyard build-ipxe`: iPXE images from source with the
 * boot script and the appliance CA embedded (see ipxe_build.h).
 *
 * Cache layout (o->cache_dir):
 *   tree-<T>/          a build tree: src/ (extracted or copied) and
 *                      bootyard/ (boot.ipxe, ca.crt, build.log); T is the
 *                      hash of source + configuration files, so a new
 *                      script or CA reuses the objects and only relinks
 *   tree-<T>.lock      flock'd while a build uses the tree
 *   out-<K>/           the images of one complete build; K is the key
 * The newest few of each are kept, the rest removed.
 */
#include "appliance/build/ipxe_build.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>

#include "appliance/build/pki.h"
#include "appliance/core/arch.h"
#include "common/log.h"
#include "common/util.h"
#include "common/valid.h"
#include "appliance/core/bootscript.h"

#define IPXE_KEY_VERSION "bootyard-ipxe-build 2"
#define IPXE_CFG_FILES_MAX 32
#define IPXE_CFG_FILE_MAX (256 * 1024)
#define IPXE_CFG_DEPTH_MAX 4
#define IPXE_KEEP_OUT 8
#define IPXE_KEEP_TREES 2
#define IPXE_PATH 4096

/* Image i (bit 1 << i): its name in the output directory and its make
 * target, from the architecture table (arch.h). */
static const struct arch_ipxe_image *
img(unsigned i)
{
	static const struct arch_ipxe_image none = { "?", "?" };
	const struct arch_ipxe_image *m = arch_ipxe_at(i);

	return m ? m : &none;
}

const char *
ipxe_image_name(unsigned i)
{
	return i < IPXE_N_IMAGES && arch_ipxe_at(i) ? img(i)->name : NULL;
}

/* ---- pure helpers ---------------------------------------------------- */

int
ipxe_build_parse_images(const char *list, unsigned *ret)
{
	unsigned bits = 0, i;
	const char *p = list, *end;
	size_t n;

	if (!list || !*list)
		return -EINVAL;
	if (!strcmp(list, "all")) {
		*ret = IPXE_IMG_ALL;
		return 0;
	}
	for (;;) {
		end = strchr(p, ',');
		n = end ? (size_t)(end - p) : strlen(p);
		for (i = 0; i < IPXE_N_IMAGES; i++)
			if (strlen(img(i)->name) == n &&
			    !strncmp(p, img(i)->name, n))
				break;
		if (i == IPXE_N_IMAGES || (bits & (1u << i)))
			return -EINVAL;
		bits |= 1u << i;
		if (!end)
			break;
		p = end + 1;
	}
	*ret = bits;
	return 0;
}

/*
 * split_listen - "ADDRESS:PORT" into host and port (IPv4 only, as the
 * config parser allows). Returns 0 or -EINVAL.
 */
static int
split_listen(const char *l, char host[CFG_ADDR_MAX], unsigned *port)
{
	const char *colon = strrchr(l, ':');
	unsigned long long v;
	size_t n;

	if (!colon)
		return -EINVAL;
	n = (size_t)(colon - l);
	if (n == 0 || n >= CFG_ADDR_MAX)
		return -EINVAL;
	memcpy(host, l, n);
	host[n] = '\0';
	if (!valid_ipv4(host) || parse_uint(colon + 1, 1, 65535, &v) < 0)
		return -EINVAL;
	*port = (unsigned)v;
	return 0;
}

int
ipxe_build_base_url(const struct by_config *cfg, char *out, size_t outsz)
{
	bool tls = cfg->tls_listen[0] && strcmp(cfg->tls_listen, "off");
	const char *l = tls ? cfg->tls_listen : cfg->listen;
	char host[CFG_ADDR_MAX];
	unsigned port;
	int r;

	r = split_listen(l[0] ? l : "0.0.0.0:80", host, &port);
	if (r < 0)
		return r;
	if (cfg->server_address[0] && strcmp(cfg->server_address, "auto")) {
		if (!valid_ipv4(cfg->server_address))
			return -EINVAL;
		str_copy(host, sizeof(host), cfg->server_address);
	} else if (!strcmp(host, "0.0.0.0")) {
		return -EADDRNOTAVAIL;
	}
	if (port == (tls ? 443u : 80u))
		return str_printf(out, outsz, "%s://%s", tls ? "https" : "http",
				  host);
	return str_printf(out, outsz, "%s://%s:%u", tls ? "https" : "http",
			  host, port);
}

int
ipxe_build_out_dir(const struct by_config *cfg, char *out, size_t outsz)
{
	return str_printf(out, outsz, "%s/ipxe", cfg->state_dir);
}

/* ---- small file helpers ---------------------------------------------- */

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
progress(const struct ipxe_build_opts *o, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!o->progress)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	o->progress(msg, o->progress_arg);
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

/* rm_rf - remove path and everything below it; a missing path is fine. */
static int
rm_rf(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlink(path) < 0 ? -errno : 0;
	if (nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS) < 0)
		return -errno;
	return 0;
}

/*
 * copy_file - copy src to a new dst (O_EXCL|O_NOFOLLOW: never through
 * a planted link), mode. Returns 0 or -errno; dst may be partial on
 * failure (callers copy to a temp name).
 */
static int
copy_file(const char *src, const char *dst, unsigned mode)
{
	_cleanup_close_ int in = -1, out = -1;
	char buf[65536];
	ssize_t n;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		   mode);
	if (out < 0)
		return -errno;
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		char *p = buf;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		while (n > 0) {
			ssize_t w = write(out, p, (size_t)n);
			if (w < 0) {
				if (errno == EINTR)
					continue;
				return -errno;
			}
			p += w;
			n -= w;
		}
	}
	if (fchmod(out, mode) < 0)
		return -errno;
	return 0;
}

/*
 * install_file - copy src into dir/name through a temporary name and a
 * rename, so readers see the old or the new file, never a partial one.
 */
static int
install_file(const char *src, const char *dir, const char *name)
{
	char tmp[IPXE_PATH], dst[IPXE_PATH], sub[IPXE_PATH];
	const char *base = strrchr(name, '/');
	int r;

	/* a nested name ("arm64/snponly.efi"): its directory, and the
	 * temporary name beside the file */
	base = base ? base + 1 : name;
	if ((r = str_printf(dst, sizeof(dst), "%s/%s", dir, name)) < 0 ||
	    (r = str_printf(sub, sizeof(sub), "%s/%.*s", dir,
			    (int)(base - name), name)) < 0 ||
	    (r = str_printf(tmp, sizeof(tmp), "%s.%s.tmp.%ld", sub, base,
			    (long)getpid())) < 0)
		return r;
	if (base != name && (r = mkdir_p(sub, 0755)) < 0)
		return r;
	unlink(tmp); /* a leftover: copy_file creates it O_EXCL */
	r = copy_file(src, tmp, 0644);
	if (r == 0 && rename(tmp, dst) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

/* ---- hashing ---------------------------------------------------------- */

static void
hex(const unsigned char *d, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
	out[2 * n] = '\0';
}

/* hash_fd - feed everything readable from fd into h. 0 or -errno. */
static int
hash_fd(gnutls_hash_hd_t h, int fd)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		gnutls_hash(h, buf, (size_t)n);
	}
	return 0;
}

/* A record in a hash stream: a tag, a name and a length, NUL-separated. */
static void
hash_rec(gnutls_hash_hd_t h, const char *tag, const char *name,
	 unsigned long long len)
{
	char hdr[64];

	gnutls_hash(h, tag, strlen(tag) + 1);
	gnutls_hash(h, name, strlen(name) + 1);
	snprintf(hdr, sizeof(hdr), "%llu", len);
	gnutls_hash(h, hdr, strlen(hdr) + 1);
}

/* Top-level entries of an iPXE src/ that are build output, not source. */
static bool
tree_skip(const char *rel)
{
	return !strcmp(rel, "bin") || !strncmp(rel, "bin-", 4) ||
	       !strcmp(rel, "config/local") || !strcmp(rel, ".git");
}

/*
 * hash_tree - hash every file below root/rel in name order (paths, sizes,
 * contents, symlink targets), skipping build output. 0 or -errno.
 */
static int
hash_tree(gnutls_hash_hd_t h, const char *root, const char *rel)
{
	struct dirent **ents = NULL;
	char dir[IPXE_PATH];
	int n, i, r = 0;

	if (str_printf(dir, sizeof(dir), "%s%s%s", root, rel[0] ? "/" : "",
		       rel) < 0)
		return -ENAMETOOLONG;
	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;
		char sub[IPXE_PATH], path[IPXE_PATH];
		struct stat st;

		if (r < 0 || !strcmp(nm, ".") || !strcmp(nm, ".."))
			goto next;
		if (str_printf(sub, sizeof(sub), "%s%s%s", rel,
			       rel[0] ? "/" : "", nm) < 0 ||
		    str_printf(path, sizeof(path), "%s/%s", root, sub) < 0) {
			r = -ENAMETOOLONG;
			goto next;
		}
		if (tree_skip(sub) || !strcmp(nm, ".git"))
			goto next;
		if (lstat(path, &st) < 0) {
			r = -errno;
			goto next;
		}
		if (S_ISDIR(st.st_mode)) {
			hash_rec(h, "D", sub, 0);
			r = hash_tree(h, root, sub);
		} else if (S_ISLNK(st.st_mode)) {
			char target[IPXE_PATH];
			ssize_t len;

			len = readlink(path, target, sizeof(target) - 1);
			if (len < 0) {
				r = -errno;
				goto next;
			}
			target[len] = '\0';
			hash_rec(h, "L", sub, (unsigned long long)len);
			gnutls_hash(h, target, (size_t)len);
		} else if (S_ISREG(st.st_mode)) {
			int fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0) {
				r = -errno;
				goto next;
			}
			hash_rec(h, "F", sub, (unsigned long long)st.st_size);
			r = hash_fd(h, fd);
			close(fd);
		}
next:
		free(ents[i]);
	}
	free(ents);
	return r;
}

/*
 * src_root - the iPXE src/ directory of a tree at path: path/src or path
 * itself. Returns 0 and *ret, or -EINVAL when neither looks like iPXE.
 */
static int
src_root(const char *path, char *ret, size_t retsz)
{
	char a[IPXE_PATH], b[IPXE_PATH];

	if (str_printf(a, sizeof(a), "%s/src/Makefile", path) == 0 &&
	    str_printf(b, sizeof(b), "%s/src/config/general.h", path) == 0 &&
	    path_is_file(a) && path_is_file(b))
		return str_printf(ret, retsz, "%s/src", path);
	if (str_printf(a, sizeof(a), "%s/Makefile", path) == 0 &&
	    str_printf(b, sizeof(b), "%s/config/general.h", path) == 0 &&
	    path_is_file(a) && path_is_file(b))
		return str_copy(ret, retsz, path);
	return -EINVAL;
}

/* ---- build configurations --------------------------------------------- */

struct cfg_file {
	char name[NAME_MAX_LEN + 1];
	char *data; /* malloc'd */
	size_t len;
};

struct cfg_set {
	struct cfg_file f[IPXE_CFG_FILES_MAX];
	size_t n;
};

static void
cfg_set_free(struct cfg_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->f[i].data);
	s->n = 0;
}

/* A config file name: a header of [a-z0-9_] only ("general.h"). */
static bool
cfg_file_name_ok(const char *n)
{
	size_t len = strlen(n), i;

	if (len < 3 || len > NAME_MAX_LEN || strcmp(n + len - 2, ".h"))
		return false;
	for (i = 0; i < len - 2; i++)
		if (!((n[i] >= 'a' && n[i] <= 'z') ||
		      (n[i] >= '0' && n[i] <= '9') || n[i] == '_'))
			return false;
	return true;
}

/*
 * dir_list - the entries of dir, sorted by name (scandir with
 * alphasort) into *ret: the caller frees each and the array. Returns
 * their count, or -errno with err filled.
 */
static int
dir_list(const char *dir, struct dirent ***ret, char *err, size_t errsz)
{
	int n = scandir(dir, ret, NULL, alphasort);

	if (n < 0) {
		n = -errno;
		snprintf(err, errsz, "%s: %s", dir, strerror(-n));
	}
	return n;
}

/*
 * cfg_set_load - the headers of the build configuration in dir, after
 * those of the configuration its "base" file names (a sibling directory;
 * at most IPXE_CFG_DEPTH_MAX levels). A header of dir replaces the base's
 * header of the same name. Returns 0 or -errno with err filled.
 */
static int
cfg_set_load(const char *dir, struct cfg_set *s, unsigned depth, char *err,
	     size_t errsz)
{
	_cleanup_free_ char *base = NULL;
	struct dirent **ents = NULL;
	char path[IPXE_PATH];
	size_t len, k;
	int n, i, r = 0;

	if (depth > IPXE_CFG_DEPTH_MAX) {
		snprintf(err, errsz, "%s: 'base' chain too long", dir);
		return -ELOOP;
	}
	if (!path_is_dir(dir)) {
		snprintf(err, errsz,
			 "build configuration %s: no such directory", dir);
		return -ENOENT;
	}
	if (str_printf(path, sizeof(path), "%s/base", dir) < 0)
		return -ENAMETOOLONG;
	if (read_file(path, 256, &base, &len) == 0) {
		char parent[IPXE_PATH], *slash;
		while (len && (base[len - 1] == '\n' || base[len - 1] == ' '))
			base[--len] = '\0';
		if (!valid_name(base)) {
			snprintf(err, errsz, "%s: not a configuration name",
				 path);
			return -EINVAL;
		}
		str_copy(parent, sizeof(parent), dir);
		slash = strrchr(parent, '/');
		if (slash)
			*slash = '\0';
		else
			str_copy(parent, sizeof(parent), ".");
		if (str_printf(path, sizeof(path), "%s/%s", parent, base) < 0)
			return -ENAMETOOLONG;
		r = cfg_set_load(path, s, depth + 1, err, errsz);
		if (r < 0)
			return r;
	}

	n = dir_list(dir, &ents, err, errsz);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;
		char *data = NULL;

		if (r < 0 || !cfg_file_name_ok(nm))
			goto next;
		if (str_printf(path, sizeof(path), "%s/%s", dir, nm) < 0) {
			r = -ENAMETOOLONG;
			goto next;
		}
		r = read_file(path, IPXE_CFG_FILE_MAX, &data, &len);
		if (r < 0) {
			snprintf(err, errsz, "%s: %s", path, strerror(-r));
			goto next;
		}
		for (k = 0; k < s->n; k++)
			if (!strcmp(s->f[k].name, nm))
				break;
		if (k == s->n) {
			if (s->n == IPXE_CFG_FILES_MAX) {
				free(data);
				snprintf(err, errsz, "%s: too many headers",
					 dir);
				r = -E2BIG;
				goto next;
			}
			s->n++;
			str_copy(s->f[k].name, sizeof(s->f[k].name), nm);
		} else {
			free(s->f[k].data);
		}
		s->f[k].data = data;
		s->f[k].len = len;
next:
		free(ents[i]);
	}
	free(ents);
	if (r == 0 && depth == 0 && s->n == 0) {
		snprintf(err, errsz, "build configuration %s has no headers",
			 dir);
		r = -EINVAL;
	}
	return r;
}

/* ---- child processes --------------------------------------------------- */

/*
 * run - run argv[0] (found in PATH) with stdout and stderr appended to
 * log (or inherited when NULL), stdin from /dev/null, and make's and
 * iPXE's variables taken out of the environment so that only our command
 * line decides. Returns the exit status (0..255), 128+signal, or -errno
 * when it could not be started.
 */
static int
run(char *const argv[], const char *log)
{
	static const char *const unset[] = {
		"MAKEFLAGS", "MFLAGS",	  "MAKELEVEL", "MAKEOVERRIDES",
		"CONFIG",    "LOCAL_CONFIG", "EMBED",  "CERT",
		"TRUST",     "PRIVKEY",	  "DEBUG",     "BIN",
		"TRUST_EXT", "CROSS",	  "CROSS_COMPILE",
	};
	int status;
	pid_t pid;
	size_t i;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int fd = open("/dev/null", O_RDONLY);
		if (fd >= 0)
			dup2(fd, 0);
		if (log) {
			fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
			if (fd < 0)
				_exit(127);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		for (i = 0; i < ARRAY_SIZE(unset); i++)
			unsetenv(unset[i]);
		execvp(argv[0], argv);
		dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

/* The last lines of a log, for an error message that says why. */
static void
log_tail(const char *log, char *out, size_t outsz)
{
	_cleanup_free_ char *buf = NULL;
	size_t len, start;
	int lines = 0;

	out[0] = '\0';
	if (read_file(log, 64 << 20, &buf, &len) < 0 || len == 0)
		return;
	start = len - 1;
	while (start > 0) {
		if (buf[start - 1] == '\n' && ++lines == 6)
			break;
		start--;
	}
	snprintf(out, outsz, "%s", buf + start);
}

/* ---- the build tree ---------------------------------------------------- */

/*
 * tree_copy - copy the iPXE src/ directory src into dst (created) with
 * `cp -a`, leaving out build output (bin, bin-*) and .git, so that an
 * in-place build of the user's tree is neither copied nor trusted.
 * Returns 0 or -errno with err filled.
 */
static int
tree_copy(const char *src, const char *dst, const char *log, char *err,
	  size_t errsz)
{
	struct dirent **ents = NULL;
	char *argv[128], *paths[128];
	int n, i, a = 0, np = 0, st, r = 0;

	r = mkdir_p(dst, 0755);
	if (r < 0) {
		snprintf(err, errsz, "cannot create %s: %s", dst, strerror(-r));
		return r;
	}
	n = dir_list(src, &ents, err, errsz);
	if (n < 0)
		return n;
	argv[a++] = "cp";
	argv[a++] = "-a";
	argv[a++] = "--";
	for (i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;

		if (r == 0 && strcmp(nm, ".") && strcmp(nm, "..") &&
		    !tree_skip(nm)) {
			if (a >= (int)ARRAY_SIZE(argv) - 2) {
				snprintf(err, errsz, "%s: too many entries",
					 src);
				r = -E2BIG;
			} else if (asprintf(&paths[np], "%s/%s", src, nm) < 0) {
				r = -ENOMEM;
			} else {
				argv[a++] = paths[np++];
			}
		}
		free(ents[i]);
	}
	free(ents);
	argv[a++] = (char *)dst;
	argv[a] = NULL;
	if (r == 0) {
		st = run(argv, log);
		if (st != 0) {
			snprintf(err, errsz, "cannot copy %s (cp: status %d)",
				 src, st);
			r = -EIO;
		}
	}
	for (i = 0; i < np; i++)
		free(paths[i]);
	return r;
}

/*
 * tree_prepare - make sure tree (a directory name in the cache) holds an
 * iPXE src/ from source: extract the tarball or copy the tree into a
 * temporary directory, then rename it into place. Returns 0 or -errno
 * with err filled.
 */
static int
tree_prepare(const char *source, bool source_is_dir, const char *tree,
	     const char *log, char *err, size_t errsz)
{
	char tmp[IPXE_PATH], root[IPXE_PATH], src[IPXE_PATH], p[IPXE_PATH];
	int r, st;

	if (str_printf(p, sizeof(p), "%s/src", tree) == 0 &&
	    src_root(tree, src, sizeof(src)) == 0)
		return 0;
	rm_rf(tree);
	if (str_printf(tmp, sizeof(tmp), "%s.tmp.%ld", tree, (long)getpid()) <
	    0)
		return -ENAMETOOLONG;
	rm_rf(tmp);
	r = mkdir_p(tmp, 0755);
	if (r < 0) {
		snprintf(err, errsz, "cannot create %s: %s", tmp, strerror(-r));
		return r;
	}
	if (source_is_dir) {
		r = src_root(source, src, sizeof(src));
		if (r == 0)
			r = str_printf(p, sizeof(p), "%s/src", tmp);
		if (r == 0)
			r = tree_copy(src, p, log, err, errsz);
		if (r < 0)
			goto fail;
		str_copy(root, sizeof(root), tmp);
	} else {
		char *argv[] = { "tar", "-x", "--no-same-owner", "-f",
				 (char *)source, "-C", tmp, NULL };
		struct dirent **ents = NULL;
		int n, i, found = 0;

		st = run(argv, log);
		if (st != 0) {
			snprintf(err, errsz,
				 "cannot extract %s: not a readable tarball "
				 "(tar: status %d)",
				 source, st);
			r = -EINVAL;
			goto fail;
		}
		/* The tarball holds src/ or one top folder holding it. */
		root[0] = '\0';
		if (src_root(tmp, src, sizeof(src)) == 0 &&
		    str_printf(p, sizeof(p), "%s/src", tmp) == 0 &&
		    !strcmp(src, p)) {
			str_copy(root, sizeof(root), tmp);
		} else {
			n = scandir(tmp, &ents, NULL, alphasort);
			for (i = 0; i < n; i++) {
				char c[IPXE_PATH], s2[IPXE_PATH];
				if (ents[i]->d_name[0] != '.' &&
				    str_printf(c, sizeof(c), "%s/%s", tmp,
					       ents[i]->d_name) == 0 &&
				    str_printf(p, sizeof(p), "%s/src", c) ==
					    0 &&
				    src_root(c, s2, sizeof(s2)) == 0 &&
				    !strcmp(s2, p)) {
					found++;
					str_copy(root, sizeof(root), c);
				}
				free(ents[i]);
			}
			free(ents);
			if (found != 1)
				root[0] = '\0';
		}
		if (!root[0]) {
			snprintf(err, errsz,
				 "%s: no iPXE source in it (expected "
				 "src/Makefile and src/config/general.h)",
				 source);
			r = -EINVAL;
			goto fail;
		}
	}
	if (rename(root, tree) < 0) {
		r = -errno;
		snprintf(err, errsz, "cannot rename %s to %s: %s", root, tree,
			 strerror(-r));
		goto fail;
	}
	rm_rf(tmp);
	return 0;

fail:
	rm_rf(tmp);
	return r;
}

/*
 * tree_configure - put the configuration headers into src/config/local/
 * (emptying any other header there), the script into bootyard/boot.ipxe
 * and the CA (when not NULL) into ca_file; files that did not change are
 * not rewritten, so make rebuilds only what depends on a change.
 */
static int
tree_configure(const char *tree, const struct cfg_set *cs, const char *script,
	       size_t script_len, const char *ca, size_t ca_len,
	       const char *ca_file, char *err, size_t errsz)
{
	char local[IPXE_PATH], p[IPXE_PATH];
	struct dirent **ents = NULL;
	int n, i, r = 0;
	size_t k;

	if (str_printf(local, sizeof(local), "%s/src/config/local", tree) < 0)
		return -ENAMETOOLONG;
	r = mkdir_p(local, 0755);
	if (r < 0)
		goto fail;
	/*
	 * iPXE's make creates an empty config/local/X.h for every header it
	 * has: one we do not set is emptied, not removed, or the next make
	 * would create it anew and recompile everything. A named local
	 * configuration (a directory) is not ours and goes.
	 */
	n = scandir(local, &ents, NULL, alphasort);
	for (i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;
		bool ours = false;
		struct stat st;

		for (k = 0; k < cs->n; k++)
			ours |= !strcmp(cs->f[k].name, nm);
		if (!ours && strcmp(nm, ".") && strcmp(nm, "..") &&
		    str_printf(p, sizeof(p), "%s/%s", local, nm) == 0 &&
		    lstat(p, &st) == 0) {
			if (S_ISREG(st.st_mode) && st.st_size > 0)
				r = write_file_atomic(p, "", 0, 0644);
			else if (!S_ISREG(st.st_mode))
				rm_rf(p);
		}
		free(ents[i]);
	}
	free(ents);
	if (r < 0)
		goto fail;
	/* (write_file_if_changed is 1 for a written file: not the end) */
	for (k = 0; k < cs->n && r >= 0; k++) {
		r = str_printf(p, sizeof(p), "%s/%s", local, cs->f[k].name);
		if (r == 0)
			r = write_file_if_changed(p, cs->f[k].data, cs->f[k].len,
						  0644);
	}
	if (r < 0)
		goto fail;
	if ((r = str_printf(p, sizeof(p), "%s/bootyard", tree)) < 0 ||
	    (r = mkdir_p(p, 0755)) < 0 ||
	    (r = str_printf(p, sizeof(p), "%s/bootyard/boot.ipxe", tree)) <
		    0 ||
	    (r = write_file_if_changed(p, script, script_len, 0644)) < 0)
		goto fail;
	/*
	 * The CA goes in under a name of its own (ca_file, from its hash):
	 * iPXE's Makefile rebuilds the trusted-root object when the TRUST=
	 * name changes, not when the file behind the same name does.
	 */
	if (ca)
		r = write_file_if_changed(ca_file, ca, ca_len, 0644);
	if (r < 0)
		goto fail;
	/* CA files of earlier builds: small, but one per CA ever used. */
	str_printf(local, sizeof(local), "%s/bootyard", tree);
	n = scandir(local, &ents, NULL, alphasort);
	for (i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;

		if (str_has_prefix(nm, "ca-") &&
		    str_printf(p, sizeof(p), "%s/%s", local, nm) == 0 &&
		    (!ca || strcmp(p, ca_file)))
			unlink(p);
		free(ents[i]);
	}
	free(ents);
	return 0;
fail:
	snprintf(err, errsz, "cannot configure the build tree %s: %s", tree,
		 strerror(-r));
	return r;
}

/* ---- the output directory --------------------------------------------- */

/*
 * info_key - the key= line of dir/build.info into key[65]; 0 or -errno.
 * *ret_images gets the images= bits when not NULL.
 */
static int
info_read(const char *dir, char key[65], unsigned *ret_images)
{
	_cleanup_free_ char *buf = NULL;
	char path[IPXE_PATH];
	const char *k, *im;
	size_t len;
	unsigned bits = 0;
	int r;

	if ((r = str_printf(path, sizeof(path), "%s/build.info", dir)) < 0 ||
	    (r = read_file(path, 64 * 1024, &buf, &len)) < 0)
		return r;
	k = strstr(buf, "key=");
	if (!k || (k != buf && k[-1] != '\n') || strlen(k) < 4 + 64)
		return -EINVAL;
	memcpy(key, k + 4, 64);
	key[64] = '\0';
	im = strstr(buf, "\nimages=");
	if (im) {
		char list[256];
		size_t n = strcspn(im + 8, "\n");
		if (n >= sizeof(list))
			return -EINVAL;
		memcpy(list, im + 8, n);
		list[n] = '\0';
		if (ipxe_build_parse_images(list, &bits) < 0)
			return -EINVAL;
	}
	if (ret_images)
		*ret_images = bits;
	return 0;
}

/* images_complete - every image in bits is a non-empty file in dir. */
static bool
images_complete(const char *dir, unsigned bits)
{
	char p[IPXE_PATH];
	struct stat st;
	unsigned i;

	for (i = 0; i < IPXE_N_IMAGES; i++) {
		if (!(bits & (1u << i)))
			continue;
		if (str_printf(p, sizeof(p), "%s/%s", dir,
			       img(i)->name) < 0 ||
		    stat(p, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0)
			return false;
	}
	return bits != 0;
}

bool
ipxe_build_present(const char *dir, unsigned *ret_images)
{
	char key[65];
	unsigned bits = 0;

	if (info_read(dir, key, &bits) < 0 || !images_complete(dir, bits))
		return false;
	if (ret_images)
		*ret_images = bits;
	return true;
}

static void
images_list(unsigned bits, char *out, size_t outsz)
{
	unsigned i;

	out[0] = '\0';
	for (i = 0; i < IPXE_N_IMAGES; i++)
		if (bits & (1u << i)) {
			size_t l = strlen(out);
			snprintf(out + l, outsz - l, "%s%s", l ? "," : "",
				 img(i)->name);
		}
}

/*
 * out_install - copy the images of from (a cache entry) into the output
 * directory, each by rename; remove images that are not part of this
 * build; write boot.ipxe, ca.crt and, last, build.info.
 */
static int
out_install(const struct ipxe_build_opts *o, unsigned bits, const char *from,
	    const char *key, const char *script, size_t script_len,
	    const char *ca, size_t ca_len, char *err, size_t errsz)
{
	char src[IPXE_PATH], p[IPXE_PATH], list[256], info[8192], stamp[32];
	time_t t = time(NULL);
	struct tm tm;
	unsigned i;
	int r;

	r = mkdir_p(o->out_dir, 0755);
	if (r < 0) {
		snprintf(err, errsz, "cannot create %s: %s", o->out_dir,
			 strerror(-r));
		return r;
	}
	for (i = 0; i < IPXE_N_IMAGES; i++) {
		if (!(bits & (1u << i)))
			continue;
		r = str_printf(src, sizeof(src), "%s/%s", from,
			       img(i)->name);
		if (r == 0)
			r = install_file(src, o->out_dir, img(i)->name);
		if (r < 0) {
			snprintf(err, errsz, "cannot install %s into %s: %s",
				 img(i)->name, o->out_dir,
				 strerror(-r));
			return r;
		}
	}
	for (i = 0; i < IPXE_N_IMAGES; i++)
		if (!(bits & (1u << i)) &&
		    str_printf(p, sizeof(p), "%s/%s", o->out_dir,
			       img(i)->name) == 0)
			unlink(p);
	if ((r = str_printf(p, sizeof(p), "%s/boot.ipxe", o->out_dir)) < 0 ||
	    (r = write_file_atomic(p, script, script_len, 0644)) < 0 ||
	    (r = str_printf(p, sizeof(p), "%s/ca.crt", o->out_dir)) < 0)
		goto fail;
	if (ca)
		r = write_file_atomic(p, ca, ca_len, 0644);
	else
		unlink(p);
	if (r < 0)
		goto fail;
	images_list(bits, list, sizeof(list));
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(info, sizeof(info),
		 "key=%s\nimages=%s\nbase_url=%s\nconfig=%s\nsource=%s\n"
		 "trust=%s\ninstalled=%s\n",
		 key, list, o->base_url, o->config_dir, o->source,
		 ca ? "ca.crt" : "ipxe-default", stamp);
	if ((r = str_printf(p, sizeof(p), "%s/build.info", o->out_dir)) < 0 ||
	    (r = write_file_atomic(p, info, strlen(info), 0644)) < 0)
		goto fail;
	return 0;
fail:
	snprintf(err, errsz, "cannot write into %s: %s", o->out_dir,
		 strerror(-r));
	return r;
}

/* ---- cache housekeeping ------------------------------------------------ */

struct cache_ent {
	char name[NAME_MAX + 1];
	time_t mtime;
};

static int
cache_ent_cmp(const void *a, const void *b)
{
	const struct cache_ent *x = a, *y = b;

	return x->mtime < y->mtime ? 1 : x->mtime > y->mtime ? -1 : 0;
}

/*
 * cache_evict - keep the newest keep entries of cache named prefix*
 * (directories), never keep_name, removing the others; a tree whose lock
 * another build holds is left alone.
 */
static void
cache_evict(const char *cache, const char *prefix, unsigned keep,
	    const char *keep_name)
{
	struct cache_ent ents[64];
	struct dirent *de;
	size_t n = 0, i;
	DIR *d = opendir(cache);

	if (!d)
		return;
	while ((de = readdir(d)) && n < ARRAY_SIZE(ents)) {
		char p[IPXE_PATH];
		struct stat st;
		const char *dot = strchr(de->d_name, '.');

		/* The lock and log of a tree that is gone: leftovers. */
		if (str_has_prefix(de->d_name, prefix) && dot &&
		    (!strcmp(dot, ".lock") || !strcmp(dot, ".log")) &&
		    str_printf(p, sizeof(p), "%s/%.*s", cache,
			       (int)(dot - de->d_name), de->d_name) == 0 &&
		    !path_is_dir(p) && !strcmp(dot, ".log") &&
		    str_printf(p, sizeof(p), "%s/%s", cache, de->d_name) == 0)
			unlink(p);
		if (!str_has_prefix(de->d_name, prefix) ||
		    strchr(de->d_name, '.') ||
		    str_printf(p, sizeof(p), "%s/%s", cache, de->d_name) < 0 ||
		    lstat(p, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		str_copy(ents[n].name, sizeof(ents[n].name), de->d_name);
		ents[n].mtime = st.st_mtime;
		n++;
	}
	closedir(d);
	qsort(ents, n, sizeof(ents[0]), cache_ent_cmp);
	for (i = 0; i < n; i++) {
		char p[IPXE_PATH], lock[IPXE_PATH];
		int fd;
		if (i < keep - 1 || !strcmp(ents[i].name, keep_name))
			continue;
		if (str_printf(p, sizeof(p), "%s/%s", cache, ents[i].name) <
			    0 ||
		    str_printf(lock, sizeof(lock), "%s.lock", p) < 0)
			continue;
		fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0)
			continue;
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			rm_rf(p);
			unlink(lock);
		}
		close(fd);
	}
}

/* ---- the build --------------------------------------------------------- */

/* One build: its inputs, its keys and where it happens. */
struct build {
	const struct ipxe_build_opts *o;
	struct ipxe_build_result *ret;
	unsigned bits;             /* IPXE_IMG_* */
	char script[4096];         /* the embedded boot script */
	int script_len;
	char *ca;                  /* PEM, malloc'd, or NULL */
	size_t ca_len;
	struct cfg_set cs;         /* the build configuration's headers */
	bool srcdir;               /* the source is a tree, not a tarball */
	bool fresh;                /* the build tree was made now */
	char srcroot[IPXE_PATH];   /* its src/, when srcdir */
	char treekey[65], key[65]; /* hex SHA-256: tree, whole build */
	char cahash[65];           /* of the CA, or "none" */
	char tree[IPXE_PATH];      /* <cache>/tree-<T> */
	char outc[IPXE_PATH];      /* <cache>/out-<K> */
	char cafile[IPXE_PATH];    /* the CA inside the tree */
	char *err;
	size_t errsz;
};

/* The boot script for o->base_url, and the CA when o->ca names one. */
static int
build_load_script_ca(struct build *b)
{
	const struct ipxe_build_opts *o = b->o;
	int r;

	b->script_len = ipxe_render_boot_script(o->base_url, b->script,
						sizeof(b->script));
	if (b->script_len < 0) {
		snprintf(b->err, b->errsz, "'%s' is not a usable boot URL "
					   "base (scheme://host[:port])",
			 o->base_url);
		return -EINVAL;
	}
	if (!o->ca)
		return 0;
	r = read_file(o->ca, 1 << 20, &b->ca, &b->ca_len);
	if (r < 0) {
		snprintf(b->err, b->errsz, "CA %s: %s", o->ca, strerror(-r));
		return r;
	}
	if (!strstr(b->ca, "-----BEGIN CERTIFICATE-----")) {
		snprintf(b->err, b->errsz, "CA %s: not a PEM certificate",
			 o->ca);
		return -EINVAL;
	}
	return 0;
}

/* The source: an iPXE tree (its src/ into b->srcroot) or a tarball. */
static int
build_check_source(struct build *b)
{
	const char *source = b->o->source;
	struct stat st;
	int r;

	if (stat(source, &st) < 0) {
		r = -errno;
		snprintf(b->err, b->errsz, "iPXE source %s: %s", source,
			 strerror(-r));
		return r;
	}
	b->srcdir = S_ISDIR(st.st_mode);
	if (!b->srcdir && !S_ISREG(st.st_mode)) {
		snprintf(b->err, b->errsz, "iPXE source %s: not a directory "
					   "or a tarball",
			 source);
		return -EINVAL;
	}
	if (b->srcdir && src_root(source, b->srcroot, sizeof(b->srcroot)) < 0) {
		snprintf(b->err, b->errsz,
			 "iPXE source %s: not an iPXE tree (expected "
			 "src/Makefile and src/config/general.h)",
			 source);
		return -EINVAL;
	}
	return 0;
}

/* The hash of the source (tree or tarball) into srchash. */
static int
build_hash_source(struct build *b, char srchash[65])
{
	gnutls_hash_hd_t h = NULL;
	unsigned char dig[32];
	int r;

	if (gnutls_hash_init(&h, GNUTLS_DIG_SHA256) < 0)
		return -ENOMEM;
	if (b->srcdir) {
		r = hash_tree(h, b->srcroot, "");
	} else {
		int fd = open(b->o->source, O_RDONLY | O_CLOEXEC);
		r = fd < 0 ? -errno : hash_fd(h, fd);
		if (fd >= 0)
			close(fd);
	}
	gnutls_hash_deinit(h, dig);
	if (r < 0) {
		snprintf(b->err, b->errsz, "iPXE source %s: %s", b->o->source,
			 strerror(-r));
		return r;
	}
	hex(dig, sizeof(dig), srchash);
	return 0;
}

/*
 * The keys: the tree's (source, then configuration) and the build's
 * (tree, script, CA, images); the CA's hash; the cache paths they name.
 */
static int
build_keys(struct build *b, const char *srchash)
{
	gnutls_hash_hd_t h;
	unsigned char dig[32];
	char list[IPXE_PATH];
	size_t k;

	gnutls_hash_init(&h, GNUTLS_DIG_SHA256);
	hash_rec(h, IPXE_KEY_VERSION, srchash, 0);
	for (k = 0; k < b->cs.n; k++) {
		hash_rec(h, "C", b->cs.f[k].name, b->cs.f[k].len);
		gnutls_hash(h, b->cs.f[k].data, b->cs.f[k].len);
	}
	gnutls_hash_deinit(h, dig);
	hex(dig, sizeof(dig), b->treekey);
	gnutls_hash_init(&h, GNUTLS_DIG_SHA256);
	hash_rec(h, "T", b->treekey, 0);
	hash_rec(h, "S", "boot.ipxe", (unsigned long long)b->script_len);
	gnutls_hash(h, b->script, (size_t)b->script_len);
	hash_rec(h, "A", "ca.crt", b->ca_len);
	if (b->ca) {
		gnutls_hash(h, b->ca, b->ca_len);
		gnutls_hash_fast(GNUTLS_DIG_SHA256, b->ca, b->ca_len, dig);
		hex(dig, sizeof(dig), b->cahash);
	} else {
		str_copy(b->cahash, sizeof(b->cahash), "none");
	}
	images_list(b->bits, list, sizeof(list));
	hash_rec(h, "I", list, 0);
	gnutls_hash_deinit(h, dig);
	hex(dig, sizeof(dig), b->key);
	str_copy(b->ret->key, sizeof(b->ret->key), b->key);
	if (str_printf(b->tree, sizeof(b->tree), "%s/tree-%.16s",
		       b->o->cache_dir, b->treekey) < 0 ||
	    str_printf(b->outc, sizeof(b->outc), "%s/out-%.16s",
		       b->o->cache_dir, b->key) < 0) {
		snprintf(b->err, b->errsz, "cache directory name too long");
		return -ENAMETOOLONG;
	}
	return 0;
}

/*
 * Everything a build needs before it looks at the cache: script, CA,
 * configuration, source, keys. Sets ret->t_hash.
 */
static int
build_inputs(struct build *b, double t0)
{
	char srchash[65];
	int r;

	r = build_load_script_ca(b);
	if (r == 0)
		r = cfg_set_load(b->o->config_dir, &b->cs, 0, b->err,
				 b->errsz);
	if (r == 0)
		r = build_check_source(b);
	if (r == 0)
		r = build_hash_source(b, srchash);
	if (r < 0)
		return r;
	b->ret->t_hash = now_s() - t0;
	return build_keys(b, srchash);
}

/* Take the build tree's lock (creating the cache directory), waiting
 * for another build that holds it. Returns the descriptor or -errno. */
static int
build_lock_tree(struct build *b)
{
	char p[IPXE_PATH];
	int lock, r;

	r = mkdir_p(b->o->cache_dir, 0755);
	if (r < 0) {
		snprintf(b->err, b->errsz, "cannot create %s: %s",
			 b->o->cache_dir, strerror(-r));
		return r;
	}
	str_printf(p, sizeof(p), "%s.lock", b->tree);
	lock = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (lock < 0) {
		r = -errno;
		snprintf(b->err, b->errsz, "cannot open %s: %s", p,
			 strerror(-r));
		return r;
	}
	if (flock(lock, LOCK_EX | LOCK_NB) < 0) {
		progress(b->o, "waiting for another build in %s", b->tree);
		if (flock(lock, LOCK_EX) < 0) {
			r = -errno;
			close(lock);
			return r;
		}
	}
	return lock;
}

/*
 * tree_seed_lists - in a new tree, the option lists of every image's
 * build directory (bin/, bin-x86_64-efi/, bin-arm64-efi/), as iPXE's make
 * writes them for our command line (no CONFIG=, ASSERT=, PROFILE=,
 * FNREC=: an empty line). iPXE's make writes a missing list the first
 * time it builds in a directory, and a new list touches a header that
 * every object of every directory depends on (config/named.h,
 * include/assert.h, include/ipxe/profile.h, include/compiler.h): the
 * arm64 images' first make made all x86 objects stale, so the next x86
 * build recompiled everything (127 s and 133 s in CI's e2e tests instead
 * of a relink). Written before any make, the lists are never new to a
 * later one.
 */
static int
tree_seed_lists(const char *tree, char *err, size_t errsz)
{
	static const char *const lists[] = { ".config.list", ".assert.list",
					     ".profile.list", ".fnrec.list" };
	char dir[IPXE_PATH], p[IPXE_PATH];
	unsigned i;
	size_t k;
	int r = 0;

	for (i = 0; i < IPXE_N_IMAGES && r == 0; i++) {
		const char *t = img(i)->target, *slash = strchr(t, '/');

		if (!slash)
			continue;
		r = str_printf(dir, sizeof(dir), "%s/src/%.*s", tree,
			       (int)(slash - t), t);
		if (r == 0)
			r = mkdir_p(dir, 0755);
		for (k = 0; k < ARRAY_SIZE(lists) && r == 0; k++) {
			r = str_printf(p, sizeof(p), "%s/%s", dir, lists[k]);
			if (r == 0 && access(p, F_OK) < 0)
				r = write_file_atomic(p, "\n", 1, 0644);
		}
	}
	if (r < 0)
		snprintf(err, errsz, "cannot prepare the build tree %s: %s",
			 tree, strerror(-r));
	return r;
}

/* The build tree, extracted or copied when new, configured with the
 * build's headers, script and CA. Sets ret->t_extract. */
static int
build_prepare_tree(struct build *b)
{
	const struct ipxe_build_opts *o = b->o;
	char log[IPXE_PATH];
	double t = now_s();
	int r;

	b->fresh = !path_is_dir(b->tree);
	if (b->fresh)
		progress(o, "%s %s into %s",
			 b->srcdir ? "copying" : "extracting", o->source,
			 b->tree);
	str_printf(log, sizeof(log), "%s.log", b->tree);
	unlink(log);
	r = tree_prepare(o->source, b->srcdir, b->tree, log, b->err,
			 b->errsz);
	if (r < 0)
		return r;
	unlink(log);
	utimensat(AT_FDCWD, b->tree, NULL, 0);
	str_printf(b->cafile, sizeof(b->cafile), "%s/bootyard/ca-%.16s.crt",
		   b->tree, b->cahash);
	r = tree_configure(b->tree, &b->cs, b->script, (size_t)b->script_len,
			   b->ca, b->ca_len, b->cafile, b->err, b->errsz);
	if (r == 0 && b->fresh)
		r = tree_seed_lists(b->tree, b->err, b->errsz);
	if (r < 0)
		return r;
	b->ret->t_extract = now_s() - t;
	return 0;
}

/* ---- cross compilers ---------------------------------------------------- */

/* img_cross - the CROSS= prefix image i needs on this machine: NULL for
 * a native build (its row has none, or this machine is its machine). */
static const char *
img_cross(unsigned i)
{
	const struct arch *a = arch_ipxe_row(i);
	struct utsname u;

	if (!a || !a->ipxe_cross.prefix)
		return NULL;
	if (a->ipxe_cross.machine && uname(&u) == 0 &&
	    !strcmp(u.machine, a->ipxe_cross.machine))
		return NULL;
	return a->ipxe_cross.prefix;
}

/* in_path - an executable prog in $PATH. */
static bool
in_path(const char *prog)
{
	const char *path = getenv("PATH"), *p, *end;
	char f[IPXE_PATH];

	for (p = path ? path : "/usr/bin:/bin"; *p; p = end + (*end != 0)) {
		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		if (end > p &&
		    str_printf(f, sizeof(f), "%.*s/%s", (int)(end - p), p,
			       prog) == 0 &&
		    access(f, X_OK) == 0)
			return true;
	}
	return false;
}

/*
 * build_check_cross - every image in b->bits whose cross compiler
 * (<prefix>gcc) is missing: left out of "all" (ret->skipped, with the
 * reason), or, asked for by name, an error naming the package.
 */
static int
build_check_cross(struct build *b)
{
	unsigned i;

	for (i = 0; i < IPXE_N_IMAGES; i++) {
		const char *cross = img_cross(i);
		const struct arch *a = arch_ipxe_row(i);
		char gcc[128];

		if (!(b->bits & (1u << i)) || !cross)
			continue;
		snprintf(gcc, sizeof(gcc), "%sgcc", cross);
		if (in_path(gcc))
			continue;
		snprintf(b->err, b->errsz,
			 "%s iPXE images need the cross compiler %s: install "
			 "the Debian package %s",
			 a->name, gcc, a->ipxe_cross.pkg);
		if (b->o->images)
			return -ENOENT;
		b->bits &= ~(1u << i);
		b->ret->skipped |= 1u << i;
		str_copy(b->ret->skipped_why, sizeof(b->ret->skipped_why),
			 b->err);
		b->err[0] = '\0';
	}
	return 0;
}

/* One make run for the images in bits, with CROSS=cross when not NULL. */
static int
build_make_one(struct build *b, unsigned bits, const char *cross)
{
	char *argv[9 + IPXE_N_IMAGES];
	char srcpath[IPXE_PATH], log[IPXE_PATH], list[IPXE_PATH], jobs[32];
	char embed[IPXE_PATH + 8], cert[IPXE_PATH + 8], trust[IPXE_PATH + 8];
	char crossarg[128];
	unsigned i, jobsn = b->o->jobs;
	double t;
	int a = 0, n;

	if (!jobsn) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);
		jobsn = c > 0 && c < 64 ? (unsigned)c : 2;
	}
	str_printf(srcpath, sizeof(srcpath), "%s/src", b->tree);
	str_printf(log, sizeof(log), "%s/bootyard/build.log", b->tree);
	snprintf(jobs, sizeof(jobs), "-j%u", jobsn);
	str_printf(embed, sizeof(embed), "EMBED=%s/bootyard/boot.ipxe",
		   b->tree);
	str_printf(cert, sizeof(cert), "CERT=%s", b->cafile);
	str_printf(trust, sizeof(trust), "TRUST=%s", b->cafile);
	argv[a++] = "make";
	argv[a++] = "-C";
	argv[a++] = srcpath;
	argv[a++] = jobs;
	for (i = 0; i < IPXE_N_IMAGES; i++)
		if (bits & (1u << i))
			argv[a++] = (char *)img(i)->target;
	argv[a++] = embed;
	if (b->ca) {
		argv[a++] = cert;
		argv[a++] = trust;
	}
	if (cross) {
		snprintf(crossarg, sizeof(crossarg), "CROSS=%s", cross);
		argv[a++] = crossarg;
	}
	argv[a] = NULL;
	images_list(bits, list, sizeof(list));
	progress(b->o, "building %s with make %s%s%s (log: %s)", list, jobs,
		 cross ? " " : "", cross ? crossarg : "", log);
	t = now_s();
	n = run(argv, log);
	b->ret->t_make += now_s() - t;
	if (n != 0) {
		char tail[1024];
		log_tail(log, tail, sizeof(tail));
		snprintf(b->err, b->errsz,
			 "iPXE build failed (make: status %d); log %s; "
			 "its end:\n%s",
			 n, log, tail);
		return n < 0 ? n : -EIO;
	}
	return 0;
}

/*
 * make -C tree/src -j N targets EMBED= [CERT= TRUST=] [CROSS=], once per
 * compiler (native, then each cross prefix); on failure the end of its
 * log goes into err. Sets ret->t_make and ret->log_path.
 */
static int
build_make(struct build *b)
{
	unsigned i, done = 0;
	int r = 0;

	str_printf(b->ret->log_path, sizeof(b->ret->log_path),
		   "%s/bootyard/build.log", b->tree);
	unlink(b->ret->log_path);
	b->ret->t_make = 0;
	for (i = 0; i < IPXE_N_IMAGES && r == 0; i++) {
		const char *cross = img_cross(i);
		unsigned j, group = 0;

		if (!(b->bits & (1u << i)) || (done & (1u << i)))
			continue;
		for (j = i; j < IPXE_N_IMAGES; j++) {
			const char *c = img_cross(j);

			if ((b->bits & (1u << j)) &&
			    (c == cross || (c && cross && !strcmp(c, cross))))
				group |= 1u << j;
		}
		done |= group;
		r = build_make_one(b, group, cross);
	}
	return r;
}

/* The built images into the cache entry outc, as one rename. */
static int
build_store(struct build *b)
{
	char tmp[IPXE_PATH], src[IPXE_PATH], dst[IPXE_PATH];
	unsigned i;
	int r;

	str_printf(tmp, sizeof(tmp), "%s.tmp.%ld", b->outc, (long)getpid());
	rm_rf(tmp);
	r = mkdir_p(tmp, 0755);
	for (i = 0; i < IPXE_N_IMAGES && r == 0; i++) {
		if (!(b->bits & (1u << i)))
			continue;
		str_printf(src, sizeof(src), "%s/src/%s", b->tree,
			   img(i)->target);
		r = str_printf(dst, sizeof(dst), "%s/%s", tmp, img(i)->name);
		if (r == 0 && strchr(img(i)->name, '/')) {
			*strrchr(dst, '/') = '\0';
			r = mkdir_p(dst, 0755);
			dst[strlen(dst)] = '/';
		}
		if (r == 0)
			r = copy_file(src, dst, 0644);
	}
	if (r == 0) {
		rm_rf(b->outc);
		if (rename(tmp, b->outc) < 0)
			r = -errno;
	}
	if (r < 0) {
		rm_rf(tmp);
		snprintf(b->err, b->errsz, "cannot store the images in %s: %s",
			 b->outc, strerror(-r));
	}
	return r;
}

/* Install the cache entry outc into the output directory. */
static int
build_install(struct build *b)
{
	return out_install(b->o, b->bits, b->outc, b->key, b->script,
			   (size_t)b->script_len, b->ca, b->ca_len, b->err,
			   b->errsz);
}

/* Keep the newest trees and cache entries, this build's among them. */
static void
build_evict(struct build *b)
{
	char p[IPXE_PATH];

	str_printf(p, sizeof(p), "tree-%.16s", b->treekey);
	cache_evict(b->o->cache_dir, "tree-", IPXE_KEEP_TREES, p);
	str_printf(p, sizeof(p), "out-%.16s", b->key);
	cache_evict(b->o->cache_dir, "out-", IPXE_KEEP_OUT, p);
}

/* Build in the cached tree, under its lock; store the images in the
 * cache, install them, and evict what the cache no longer keeps. */
static int
build_in_tree(struct build *b)
{
	_cleanup_close_ int lock = -1;
	int r;

	lock = build_lock_tree(b);
	if (lock < 0)
		return lock;
	r = build_prepare_tree(b);
	if (r < 0)
		return r;
	r = build_make(b);
	if (r < 0) {
		/* A tree that never built is no use to keep. */
		if (b->fresh)
			rm_rf(b->tree);
		return r;
	}
	r = build_store(b);
	if (r == 0)
		r = build_install(b);
	if (r == 0)
		build_evict(b);
	return r;
}

int
ipxe_build(const struct ipxe_build_opts *o, struct ipxe_build_result *ret,
	   char *err, size_t errsz)
{
	struct build *b;
	double t0 = now_s();
	char oldkey[65];
	bool timed = true;
	int r;

	memset(ret, 0, sizeof(*ret));
	err[0] = '\0';
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->o = o;
	b->ret = ret;
	b->err = err;
	b->errsz = errsz;
	b->bits = o->images ? o->images : IPXE_IMG_ALL;
	r = build_check_cross(b);
	if (r == 0)
		r = build_inputs(b, t0);
	if (r < 0)
		goto out;
	if (!o->force && info_read(o->out_dir, oldkey, NULL) == 0 &&
	    !strcmp(oldkey, b->key) && images_complete(o->out_dir, b->bits)) {
		/* already installed */
		ret->cache_hit = true;
	} else if (!o->force && images_complete(b->outc, b->bits)) {
		/* built before */
		utimensat(AT_FDCWD, b->outc, NULL, 0); /* fresh for eviction */
		r = build_install(b);
		ret->cache_hit = r == 0;
	} else {
		r = build_in_tree(b);
		timed = r == 0;
	}
	if (timed)
		ret->t_total = now_s() - t0;
out:
	cfg_set_free(&b->cs);
	free(b->ca);
	free(b);
	return r;
}
