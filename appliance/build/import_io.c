/*
 * import_io.c - the I/O half of `distro import` (see import.h): list and
 * read a source (libarchive for ISO 9660/UDF images and tarballs, the
 * file system for a directory, libcurl for a URL), stage the kernel and
 * initrd copies in files_dir/.NAME.import-XXXXXX and rename the staging
 * directory into files_dir/NAME at the end.
 */
#include "appliance/build/import.h"

#include <archive.h>
#include <archive_entry.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <gnutls/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "common/valid.h"
#include "db/db.h"

#define IMP_DOWNLOAD_MAX (16ULL << 30)
#define IMP_SUMS_MAX (1 << 20)
#define IMP_DIR_DEPTH 8

/* One regular file of the source: its path, and for a hard link in an
 * archive the path that carries its data. */
struct imp_member {
	char *path;
	char *data_path; /* NULL: itself */
	bool symlink;
};

struct imp_src {
	struct imp_member *m;
	size_t n, cap;
	char **paths; /* regular files, for imp_listing */
	size_t n_paths;
	char volid[64];
	char *disk_info, *treeinfo, *version_info;
	size_t version_info_depth;
};

static void
imp_src_free(struct imp_src *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->m[i].path);
		free(s->m[i].data_path);
	}
	free(s->m);
	free(s->paths);
	free(s->disk_info);
	free(s->treeinfo);
	free(s->version_info);
	memset(s, 0, sizeof(*s));
}

/* Append one member (path already normalised). */
static int
imp_src_add(struct imp_src *s, const char *path, const char *data_path,
            bool symlink)
{
	struct imp_member m = { .symlink = symlink };
	int r = -ENOMEM;

	if (s->n == IMP_MAX_MEMBERS)
		return -E2BIG;
	m.path = strdup(path);
	m.data_path = data_path ? strdup(data_path) : NULL;
	if (m.path && (!data_path || m.data_path))
		r = array_push(&s->m, &s->n, &s->cap, 0, &m, sizeof(m));
	if (r < 0) {
		free(m.path);
		free(m.data_path);
	}
	return r;
}

static struct imp_member *
imp_src_find(struct imp_src *s, const char *path)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->m[i].path, path))
			return &s->m[i];
	return NULL;
}

/* The listing imp_recognise reads: regular files (symlinks included, so
 * that a symlinked kernel is found and then refused, not ignored). */
static int
imp_src_listing(struct imp_src *s, struct imp_listing *l)
{
	size_t i;

	free(s->paths);
	s->paths = calloc(s->n ? s->n : 1, sizeof(*s->paths));
	if (!s->paths)
		return -ENOMEM;
	for (i = 0; i < s->n; i++)
		s->paths[i] = s->m[i].path;
	memset(l, 0, sizeof(*l));
	l->paths = s->paths;
	l->n_paths = s->n;
	l->volid = s->volid[0] ? s->volid : NULL;
	l->disk_info = s->disk_info;
	l->treeinfo = s->treeinfo;
	l->version_info = s->version_info;
	return 0;
}

/* The metadata file path names, or NULL. version.info: the shallowest. */
static char **
imp_meta_slot(struct imp_src *s, const char *path)
{
	const char *base = strrchr(path, '/');
	size_t depth = 0;
	const char *c;

	if (!strcmp(path, ".disk/info"))
		return s->disk_info ? NULL : &s->disk_info;
	if (!strcmp(path, ".treeinfo") || !strcmp(path, "treeinfo"))
		return s->treeinfo ? NULL : &s->treeinfo;
	base = base ? base + 1 : path;
	if (strcmp(base, "version.info"))
		return NULL;
	for (c = path; *c; c++)
		depth += *c == '/';
	if (s->version_info && depth >= s->version_info_depth)
		return NULL;
	s->version_info_depth = depth;
	free(s->version_info);
	s->version_info = NULL;
	return &s->version_info;
}

/* Keep metadata text: at most IMP_META_MAX bytes, NUL-free. */
static int
imp_meta_keep(char **slot, const char *data, size_t len)
{
	if (len > IMP_META_MAX || memchr(data, '\0', len))
		return 0; /* not a text we read; ignored */
	*slot = strndup(data, len);
	return *slot ? 0 : -ENOMEM;
}

/* --- removal --- */

static int
imp_rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)f;
	return (flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 ? -1 : 0;
}

static void
imp_rm_rf(const char *path)
{
	nftw(path, imp_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int
imp_remove_tree(const char *files_dir, const char *name)
{
	char path[4096];

	if (!valid_name(name) ||
	    str_printf(path, sizeof(path), "%s/%s", files_dir, name) < 0)
		return -EINVAL;
	imp_rm_rf(path);
	return access(path, F_OK) == 0 ? -EIO : 0;
}

int
imp_remove_arches(const char *files_dir, const char *name,
                  const struct imp_result *res)
{
	char path[4096];
	size_t i;
	int r = 0;

	if (!valid_name(name))
		return -EINVAL;
	for (i = 0; i < res->found.n_boots; i++) {
		if (str_printf(path, sizeof(path), "%s/%s/%s", files_dir, name,
		               res->found.boots[i].arch) < 0)
			return -EINVAL;
		imp_rm_rf(path);
		if (access(path, F_OK) == 0)
			r = -EIO;
	}
	return r;
}

int
imp_db_add_arches(struct db *db, const char *name,
                  const struct imp_result *res, struct db_distro *ret,
                  char *why, size_t whysz)
{
	const char *stock, *served;
	struct db_distro d;
	int r;

	why[0] = '\0';
	r = db_distro_get(db, name, &d);
	if (r < 0)
		return r;
	if (imp_family_template(res->found.family, &stock, &served) == 0 &&
	    d.template_name[0] && strcmp(served, d.template_name)) {
		/* its kernel would fetch a template the distribution does
		 * not serve */
		snprintf(why, whysz, "%s serves %s and this is a %s installer "
		                     "(%s): import it under another name",
		         name, d.template_name,
		         imp_family_name(res->found.family), served);
		db_distro_free(&d);
		return -EMEDIUMTYPE;
	}
	r = imp_distro_merge(&d, res);
	if (r == 0) {
		snprintf(why, whysz, "no architecture %s can take (amd64, "
		                     "arm64)", name);
		r = -ENOENT;
	}
	if (r > 0)
		r = db_distro_update(db, &d);
	if (r < 0) {
		db_distro_free(&d);
		return r;
	}
	*ret = d;
	return 0;
}

/*
 * With req->have: drop the architectures the distribution has from f,
 * and refuse (-EEXIST) when none is left or one left is in
 * files_dir/NAME already.
 */
static int
imp_only_new(const struct imp_request *req, const char *final,
             struct imp_found *f, char *why, size_t whysz)
{
	char path[4200];
	struct stat st;
	size_t i, n = 0;

	for (i = 0; i < f->n_boots; i++) {
		const char *k = kernel_arch_parse(f->boots[i].arch);

		if (str_word_in(k ? k : f->boots[i].arch, req->have))
			continue;
		if (str_printf(path, sizeof(path), "%s/%s", final,
		               f->boots[i].arch) < 0)
			return -ENAMETOOLONG;
		if (lstat(path, &st) == 0) {
			snprintf(why, whysz, "%s exists: remove it first", path);
			return -EEXIST;
		}
		f->boots[n++] = f->boots[i];
	}
	if (!n) {
		snprintf(why, whysz, "%s has a kernel for every architecture "
		                     "this source holds (%s): nothing to add",
		         req->name, req->have);
		return -EEXIST;
	}
	f->n_boots = n;
	return 0;
}

/* With req->have: move each staged architecture into final (made if
 * missing), undoing the moves when one fails. 0 or -errno. */
static int
imp_move_arches(const char *stage, const char *final,
                const struct imp_found *f, char *why, size_t whysz)
{
	char from[4200], to[4200];
	size_t i;
	int r;

	if (mkdir(final, 0755) < 0 && errno != EEXIST) {
		r = -errno;
		snprintf(why, whysz, "%s: %s", final, strerror(errno));
		return r;
	}
	for (i = 0; i < f->n_boots; i++) {
		if (str_printf(from, sizeof(from), "%s/%s", stage,
		               f->boots[i].arch) < 0 ||
		    str_printf(to, sizeof(to), "%s/%s", final,
		               f->boots[i].arch) < 0)
			return -ENAMETOOLONG;
		if (rename(from, to) < 0) {
			r = -errno;
			snprintf(why, whysz, "renaming %s to %s: %s", from, to,
			         strerror(errno));
			while (i-- > 0)
				if (str_printf(from, sizeof(from), "%s/%s",
				               stage, f->boots[i].arch) == 0 &&
				    str_printf(to, sizeof(to), "%s/%s", final,
				               f->boots[i].arch) == 0)
					rename(to, from);
			return r;
		}
	}
	return 0;
}

/* --- archives (ISO 9660, UDF, tar, tar.gz ...) --- */

static struct archive *
imp_ar_open(const char *file, int *ret_err)
{
	struct archive *a = archive_read_new();

	if (!a) {
		*ret_err = -ENOMEM;
		return NULL;
	}
	archive_read_support_filter_all(a);
	archive_read_support_format_iso9660(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_cpio(a);
	if (archive_read_open_filename(a, file, 65536) != ARCHIVE_OK) {
		archive_read_free(a);
		*ret_err = -EIO;
		return NULL;
	}
	return a;
}

/* An archive that ended early or could not be read: why says so (dflt
 * when libarchive gives no reason). Returns -EIO. */
static int
archive_broken(struct archive *a, const char *dflt, char *why, size_t whysz)
{
	const char *e = archive_error_string(a);

	snprintf(why, whysz, "unreadable or truncated: %s", e ? e : dflt);
	return -EIO;
}

/*
 * imp_ar_scan - list an archive: every member's path checked; a member
 * whose name climbs out of the archive refuses the whole source. Reads
 * the metadata files.
 */
static int
imp_ar_scan(const char *file, struct imp_src *s, char *why, size_t whysz)
{
	struct archive_entry *e;
	struct archive *a;
	char path[IMP_PATH_MAX + 1], target[IMP_PATH_MAX + 1];
	int r = 0, ar;

	a = imp_ar_open(file, &r);
	if (!a) {
		snprintf(why, whysz, "not an ISO image, tarball or directory");
		return -ENOEXEC;
	}
	while ((ar = archive_read_next_header(a, &e)) == ARCHIVE_OK ||
	       ar == ARCHIVE_WARN) {
		const char *raw = archive_entry_pathname(e);
		const char *hl = archive_entry_hardlink(e);
		mode_t type = archive_entry_filetype(e);
		char **slot;

		if (!raw)
			continue;
		r = imp_member_path(raw, path, sizeof(path));
		if (r == -EINVAL && (raw[0] == '/' || strstr(raw, ".."))) {
			char q[80];

			str_copy(q, sizeof(q), raw);
			for (char *c = q; *c; c++)
				if ((unsigned char)*c < 0x20 || *c == 0x7f)
					*c = '?';
			snprintf(why, whysz,
			         "member \"%s\" names a path outside the "
			         "archive: refused", q);
			r = -EINVAL;
			goto out;
		}
		r = 0;
		if (type == AE_IFDIR || (raw[0] && raw[strlen(raw) - 1] == '/'))
			continue;
		if (imp_member_path(raw, path, sizeof(path)) < 0)
			continue; /* a name no installer boots from */
		if (type == AE_IFLNK) {
			r = imp_src_add(s, path, NULL, true);
		} else if (hl) {
			if (imp_member_path(hl, target, sizeof(target)) < 0) {
				snprintf(why, whysz, "member %s is a link to a "
				         "path outside the archive: refused",
				         path);
				r = -EINVAL;
				goto out;
			}
			r = imp_src_add(s, path, target, false);
		} else if (type == AE_IFREG) {
			r = imp_src_add(s, path, NULL, false);
			slot = imp_meta_slot(s, path);
			if (r == 0 && slot &&
			    archive_entry_size(e) <= IMP_META_MAX) {
				char buf[IMP_META_MAX];
				size_t got = 0;
				la_ssize_t n;

				while (got < sizeof(buf) &&
				       (n = archive_read_data(a, buf + got,
				                              sizeof(buf) - got)) > 0)
					got += (size_t)n;
				if (got < sizeof(buf) && n < 0) {
					r = -EIO;
					snprintf(why, whysz, "reading %s: %s",
					         path, archive_error_string(a));
					goto out;
				}
				r = imp_meta_keep(slot, buf, got);
			}
		}
		if (r < 0) {
			snprintf(why, whysz, "listing the source: %s",
			         strerror(-r));
			goto out;
		}
	}
	if (ar != ARCHIVE_EOF)
		r = archive_broken(a, "read error", why, whysz);
out:
	archive_read_free(a);
	return r;
}

/* --- copies --- */

struct imp_copy {
	const char *src;       /* member path carrying the data */
	char dst[4200];        /* staging path */
	uint64_t size;
	bool done;
};

/* Write all of buf to fd. */
static int
imp_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Copy the archive members of c[] (one pass) into their staging files. */
static int
imp_ar_copy(const struct imp_request *req, const char *file,
            struct imp_copy *c, size_t n_c, char *why, size_t whysz)
{
	struct archive_entry *e;
	struct archive *a;
	size_t i, left = n_c;
	int r = 0, ar;

	a = imp_ar_open(file, &r);
	if (!a) {
		snprintf(why, whysz, "cannot reopen the source");
		return r;
	}
	while (left && ((ar = archive_read_next_header(a, &e)) == ARCHIVE_OK ||
	                ar == ARCHIVE_WARN)) {
		char path[IMP_PATH_MAX + 1];
		const void *buf;
		size_t len;
		la_int64_t off;
		uint64_t got = 0, want;
		int fd;

		if (!archive_entry_pathname(e) ||
		    imp_member_path(archive_entry_pathname(e), path,
		                    sizeof(path)) < 0 ||
		    archive_entry_filetype(e) != AE_IFREG)
			continue;
		for (i = 0; i < n_c; i++)
			if (!c[i].done && !strcmp(c[i].src, path))
				break;
		if (i == n_c)
			continue;
		want = archive_entry_size_is_set(e)
		           ? (uint64_t)archive_entry_size(e)
		           : 0;
		if (want > IMP_FILE_MAX) {
			snprintf(why, whysz, "%s is larger than %llu bytes",
			         path, (unsigned long long)IMP_FILE_MAX);
			r = -EFBIG;
			goto out;
		}
		fd = open(c[i].dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		          0644);
		if (fd < 0) {
			r = -errno;
			snprintf(why, whysz, "creating %s: %s", c[i].dst,
			         strerror(errno));
			goto out;
		}
		while ((ar = archive_read_data_block(a, &buf, &len, &off)) ==
		       ARCHIVE_OK) {
			if ((uint64_t)off != got) {
				r = -EIO; /* sparse member: not a kernel */
				break;
			}
			r = imp_write_all(fd, buf, len);
			if (r < 0)
				break;
			got += len;
			if (got > IMP_FILE_MAX) {
				r = -EFBIG;
				break;
			}
			if (req->progress)
				req->progress(IMP_PHASE_COPY, path, got, want,
				              req->opaque);
		}
		if (r == 0 && ar != ARCHIVE_EOF)
			r = -EIO;
		if (r == 0 && want && got != want)
			r = -EIO;
		if (r == 0 && got == 0)
			r = -EIO;
		if (r == 0 && fsync(fd) < 0)
			r = -errno;
		if (close(fd) < 0 && r == 0)
			r = -errno;
		if (r < 0) {
			snprintf(why, whysz, "copying %s: %s", path,
			         r == -EIO ? (archive_error_string(a)
			                          ? archive_error_string(a)
			                          : "truncated or empty")
			                   : strerror(-r));
			goto out;
		}
		c[i].done = true;
		c[i].size = got;
		left--;
	}
	if (left)
		r = archive_broken(a, "member missing", why, whysz);
out:
	archive_read_free(a);
	return r;
}

/* --- directories --- */

static struct imp_src *imp_walk_src;
static size_t imp_walk_root_len;
static int imp_walk_err;

static int
imp_walk_one(const char *fpath, const struct stat *st, int flag,
             struct FTW *f)
{
	char path[IMP_PATH_MAX + 1];
	char **slot;

	if (f->level > IMP_DIR_DEPTH)
		return FTW_SKIP_SUBTREE;
	if (flag != FTW_F && flag != FTW_SL)
		return FTW_CONTINUE;
	if (imp_member_path(fpath + imp_walk_root_len, path, sizeof(path)) < 0)
		return FTW_CONTINUE;
	imp_walk_err = imp_src_add(imp_walk_src, path, NULL, flag == FTW_SL);
	if (imp_walk_err < 0)
		return FTW_STOP;
	slot = flag == FTW_F ? imp_meta_slot(imp_walk_src, path) : NULL;
	if (slot && S_ISREG(st->st_mode) && st->st_size <= IMP_META_MAX) {
		char *text = NULL;
		size_t len;

		if (read_file(fpath, IMP_META_MAX, &text, &len) == 0)
			imp_walk_err = imp_meta_keep(slot, text, len);
		free(text);
		if (imp_walk_err < 0)
			return FTW_STOP;
	}
	return FTW_CONTINUE;
}

/* List a directory tree (not following symlinks). Not reentrant. */
static int
imp_dir_scan(const char *dir, struct imp_src *s, char *why, size_t whysz)
{
	imp_walk_src = s;
	imp_walk_root_len = strlen(dir) + 1;
	imp_walk_err = 0;
	if (nftw(dir, imp_walk_one, 16, FTW_PHYS | FTW_ACTIONRETVAL) < 0 ||
	    imp_walk_err < 0) {
		int r = imp_walk_err < 0 ? imp_walk_err : -errno;

		snprintf(why, whysz, "listing %s: %s", dir, strerror(-r));
		return r;
	}
	return 0;
}

/* Copy dir/c->src to c->dst, refusing a symlink at the last component. */
static int
imp_dir_copy_one(const struct imp_request *req, const char *dir,
                 struct imp_copy *c)
{
	char src[4200], buf[1 << 16];
	struct stat st;
	uint64_t got = 0;
	int in, out, r = 0;
	ssize_t n;

	if (str_printf(src, sizeof(src), "%s/%s", dir, c->src) < 0)
		return -ENAMETOOLONG;
	in = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return -errno;
	if (fstat(in, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > IMP_FILE_MAX || st.st_size == 0) {
		close(in);
		return -EINVAL;
	}
	out = open(c->dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (out < 0) {
		r = -errno;
		close(in);
		return r;
	}
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		r = imp_write_all(out, buf, (size_t)n);
		if (r < 0)
			break;
		got += (uint64_t)n;
		if (req->progress)
			req->progress(IMP_PHASE_COPY, c->src, got,
			              (uint64_t)st.st_size, req->opaque);
	}
	if (r == 0 && got != (uint64_t)st.st_size)
		r = -EIO;
	if (r == 0 && fsync(out) < 0)
		r = -errno;
	if (close(out) < 0 && r == 0)
		r = -errno;
	close(in);
	c->size = got;
	c->done = r == 0;
	return r;
}

/* --- downloads --- */

struct imp_dl {
	const struct imp_request *req;
	const char *what;
	uint64_t offset;
	char *mem; /* for small downloads into memory */
	size_t mem_len, mem_max;
};

static int
imp_dl_xfer(void *opaque, curl_off_t dltotal, curl_off_t dlnow,
            curl_off_t ultotal, curl_off_t ulnow)
{
	struct imp_dl *d = opaque;

	(void)ultotal;
	(void)ulnow;
	if (d->req->progress && dlnow > 0)
		d->req->progress(IMP_PHASE_DOWNLOAD, d->what,
		                 d->offset + (uint64_t)dlnow,
		                 dltotal > 0 ? d->offset + (uint64_t)dltotal : 0,
		                 d->req->opaque);
	return 0;
}

static size_t
imp_dl_mem(char *ptr, size_t size, size_t nmemb, void *opaque)
{
	struct imp_dl *d = opaque;
	size_t n = size * nmemb;

	if (d->mem_len + n > d->mem_max)
		return 0;
	memcpy(d->mem + d->mem_len, ptr, n);
	d->mem_len += n;
	return n;
}

/* A curl handle for url with our limits. */
static CURL *
imp_curl(const char *url, char *errbuf)
{
	CURL *h = curl_easy_init();

	if (!h)
		return NULL;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "bootyard/" BOOTYARD_VERSION);
	return h;
}

/*
 * imp_download - url into file, resuming from what file already holds.
 * Returns 0 or -EIO with why.
 */
static int
imp_download(const struct imp_request *req, const char *url, const char *file,
             const char *what, char *why, size_t whysz)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct imp_dl d = {.req = req, .what = what};
	struct stat st;
	int attempt, r = -EIO;

	for (attempt = 0; attempt < 2; attempt++) {
		FILE *f = fopen(file, attempt ? "wb" : "ab");
		CURLcode cc;
		CURL *h;

		if (!f) {
			snprintf(why, whysz, "%s: %s", file, strerror(errno));
			return -errno;
		}
		d.offset = fstat(fileno(f), &st) == 0 ? (uint64_t)st.st_size : 0;
		h = imp_curl(url, errbuf);
		if (!h) {
			fclose(f);
			return -ENOMEM;
		}
		curl_easy_setopt(h, CURLOPT_WRITEDATA, f);
		curl_easy_setopt(h, CURLOPT_RESUME_FROM_LARGE,
		                 (curl_off_t)d.offset);
		curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
		                 (curl_off_t)IMP_DOWNLOAD_MAX);
		curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
		curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, imp_dl_xfer);
		curl_easy_setopt(h, CURLOPT_XFERINFODATA, &d);
		cc = curl_easy_perform(h);
		curl_easy_cleanup(h);
		if (fclose(f) != 0 && cc == CURLE_OK)
			cc = CURLE_WRITE_ERROR;
		if (cc == CURLE_OK)
			return 0;
		snprintf(why, whysz, "downloading %s: %s", url,
		         errbuf[0] ? errbuf : curl_easy_strerror(cc));
		/* the server cannot resume (or the part was complete): once
		 * more from the start */
		if (d.offset == 0 ||
		    (cc != CURLE_RANGE_ERROR && cc != CURLE_HTTP_RETURNED_ERROR &&
		     cc != CURLE_BAD_DOWNLOAD_RESUME))
			break;
	}
	return r;
}

/* Fetch a small file into memory (NUL-terminated). -ENOENT when absent. */
static int
imp_fetch_small(const struct imp_request *req, const char *url, char **ret)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct imp_dl d = {.req = req, .what = url};
	CURLcode cc;
	long code = 0;
	CURL *h;

	d.mem_max = IMP_SUMS_MAX;
	d.mem = malloc(d.mem_max + 1);
	if (!d.mem)
		return -ENOMEM;
	h = imp_curl(url, errbuf);
	if (!h) {
		free(d.mem);
		return -ENOMEM;
	}
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, imp_dl_mem);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &d);
	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(h);
	if (cc != CURLE_OK) {
		free(d.mem);
		return code == 404 || code == 403 || code == 410 ? -ENOENT
		                                                 : -EIO;
	}
	d.mem[d.mem_len] = '\0';
	*ret = d.mem;
	return 0;
}

/* The SHA-256 of file as 64 hex digits. */
static int
imp_sha256_file(const char *file, char hex[65])
{
	gnutls_hash_hd_t h;
	unsigned char buf[1 << 16], md[32];
	ssize_t n;
	int fd, i;

	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (gnutls_hash_init(&h, GNUTLS_DIG_SHA256) < 0) {
		close(fd);
		return -ENOMEM;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		gnutls_hash(h, buf, (size_t)n);
	gnutls_hash_deinit(h, md);
	close(fd);
	if (n < 0)
		return -EIO;
	for (i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
	return 0;
}

/*
 * imp_fetch_url - download req->from into cache_dir/import-NAME.part
 * (resuming a previous attempt), check it against SHA256SUMS next to it
 * when there is one. Returns 0 and the file's path in file.
 */
static int
imp_fetch_url(const struct imp_request *req, struct imp_result *res,
              char *file, size_t filesz, char *why, size_t whysz)
{
	char url[2048], base[256], want[65], got[65], *sums = NULL;
	const char *slash, *q;
	int r;

	if (strlen(req->from) >= sizeof(url) || !valid_path_or_url(req->from)) {
		snprintf(why, whysz, "invalid URL (A-Z a-z 0-9 . _ / : %% ~ + "
		                     "= -, at most %zu characters)",
		         sizeof(url) - 1);
		return -EINVAL;
	}
	q = strchr(req->from, '?');
	slash = strrchr(req->from, '/');
	if (!slash || (q && q < slash) || slash[1] == '\0' ||
	    slash - req->from < (long)strlen("http://x") ||
	    str_copy(base, sizeof(base), slash + 1) < 0) {
		snprintf(why, whysz, "the URL must name a file (an ISO image "
		                     "or a netboot tarball)");
		return -EINVAL;
	}
	if (q)
		base[q - slash - 1] = '\0';
	if (str_printf(file, filesz, "%s/import-%s.part", req->cache_dir,
	               req->name) < 0)
		return -ENAMETOOLONG;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	r = imp_download(req, req->from, file, base, why, whysz);
	if (r < 0)
		goto out; /* the part stays for the next attempt to resume */
	snprintf(url, sizeof(url), "%.*sSHA256SUMS",
	         (int)(slash - req->from + 1), req->from);
	r = imp_fetch_small(req, url, &sums);
	if (r == 0 && imp_sums_lookup(sums, base, want) == -EINVAL) {
		snprintf(why, whysz, "%s: the line for %s is not a SHA-256 "
		         "(download removed)", url, base);
		unlink(file);
		r = -EBADMSG;
		goto out;
	}
	if (r == -ENOENT || (r == 0 && imp_sums_lookup(sums, base, want) < 0)) {
		str_copy(res->sha256_checked, sizeof(res->sha256_checked),
		         "not listed");
		r = 0;
		goto out;
	}
	if (r < 0) {
		snprintf(why, whysz, "fetching %s failed", url);
		goto out;
	}
	r = imp_sha256_file(file, got);
	if (r == 0 && strcmp(want, got) != 0) {
		snprintf(why, whysz,
		         "checksum mismatch: %s has SHA-256 %s, SHA256SUMS "
		         "says %s (download removed; run again)",
		         base, got, want);
		unlink(file);
		r = -EBADMSG;
		goto out;
	}
	str_copy(res->sha256_checked, sizeof(res->sha256_checked), "yes");
out:
	free(sums);
	curl_global_cleanup();
	return r;
}

/* --- the whole import --- */

/* The data path of member p (a hard link's target), or an error. */
static int
imp_data_path(struct imp_src *s, const char *p, const char **ret, char *why,
              size_t whysz)
{
	struct imp_member *m = imp_src_find(s, p);

	if (m && m->data_path) {
		p = m->data_path;
		m = imp_src_find(s, p);
	}
	if (!m) {
		snprintf(why, whysz, "%s is missing", p);
		return -ENOENT;
	}
	if (m->symlink) {
		snprintf(why, whysz, "%s is a symbolic link: refused (an "
		                     "installer's kernel and initrd are files)",
		         p);
		return -ELOOP;
	}
	*ret = m->path;
	return 0;
}

int
imp_run(const struct imp_request *req, struct imp_result *ret, char *why,
        size_t whysz)
{
	char stage[4200], final[4200], dl[4200] = "", dir[4200];
	struct imp_copy copies[IMP_MAX_ARCHES * (1 + IMP_MAX_INITRDS)];
	struct imp_listing l;
	struct imp_result res;
	struct imp_src s;
	const char *src = req->from;
	struct stat st;
	size_t i, j, n_c = 0;
	bool is_dir = false;
	int r;

	memset(&s, 0, sizeof(s));
	memset(&res, 0, sizeof(res));
	why[0] = '\0';
	if (!valid_name(req->name))
		return -EINVAL;
	if (str_printf(final, sizeof(final), "%s/%s", req->files_dir,
	               req->name) < 0 ||
	    str_printf(stage, sizeof(stage), "%s/.%s.import-XXXXXX",
	               req->files_dir, req->name) < 0)
		return -ENAMETOOLONG;
	if (!req->have && lstat(final, &st) == 0) {
		snprintf(why, whysz, "%s exists: remove it or import under "
		                     "another name", final);
		return -EEXIST;
	}
	if (mkdir(req->files_dir, 0755) < 0 && errno != EEXIST) {
		r = -errno;
		snprintf(why, whysz, "%s: %s", req->files_dir, strerror(errno));
		return r;
	}
	if (!strncmp(src, "http://", 7) || !strncmp(src, "https://", 8)) {
		r = imp_fetch_url(req, &res, dl, sizeof(dl), why, whysz);
		if (r < 0)
			return r;
		src = dl;
	}
	if (stat(src, &st) < 0) {
		r = -errno;
		snprintf(why, whysz, "%s: %s", src, strerror(errno));
		return r;
	}
	if (S_ISDIR(st.st_mode)) {
		is_dir = true;
		if (str_copy(dir, sizeof(dir), src) < 0)
			return -ENAMETOOLONG;
		while (strlen(dir) > 1 && dir[strlen(dir) - 1] == '/')
			dir[strlen(dir) - 1] = '\0';
		r = imp_dir_scan(dir, &s, why, whysz);
	} else if (!S_ISREG(st.st_mode) || st.st_size == 0) {
		snprintf(why, whysz, "%s",
		         S_ISREG(st.st_mode) ? "empty (0 bytes): not an ISO "
		                               "image or tarball"
		                             : "not a file or directory");
		r = -ENOEXEC;
	} else {
		unsigned char head[32768 + 2048];
		int fd = open(src, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd >= 0 ? pread(fd, head, sizeof(head), 0) : -1;

		if (fd >= 0)
			close(fd);
		if (n > 0 && imp_iso_volid(head, (size_t)n, s.volid,
		                           sizeof(s.volid)) == -EINVAL)
			s.volid[0] = '\0';
		if (req->progress)
			req->progress(IMP_PHASE_SCAN, src, 0, 0, req->opaque);
		r = imp_ar_scan(src, &s, why, whysz);
	}
	if (r < 0)
		goto out;
	r = imp_src_listing(&s, &l);
	if (r < 0)
		goto out;
	r = imp_recognise(&l, &res.found, why, whysz);
	if (r == -ENOENT)
		r = -ENOMEDIUM;
	if (r == 0 && req->have)
		r = imp_only_new(req, final, &res.found, why, whysz);
	if (r < 0)
		goto out;
	if (!mkdtemp(stage)) {
		r = -errno;
		snprintf(why, whysz, "%s: %s", stage, strerror(errno));
		goto out;
	}
	for (i = 0; i < res.found.n_boots; i++) {
		const struct imp_boot *b = &res.found.boots[i];
		char sub[4200];

		if (str_printf(sub, sizeof(sub), "%s/%s", stage, b->arch) < 0 ||
		    mkdir(sub, 0755) < 0) {
			r = -errno ? -errno : -ENAMETOOLONG;
			snprintf(why, whysz, "%s: %s", sub, strerror(-r));
			goto out;
		}
		for (j = 0; j <= b->n_initrds; j++) {
			const char *p = j ? b->initrds[j - 1] : b->kernel;
			const char *base = strrchr(p, '/');
			struct imp_copy *c = &copies[n_c];
			char *rel = j ? ret->initrds[i][j - 1] : ret->kernel[i];
			size_t relsz = j ? sizeof(ret->initrds[i][j - 1])
			                 : sizeof(ret->kernel[i]);

			base = base ? base + 1 : p;
			memset(c, 0, sizeof(*c));
			r = imp_data_path(&s, p, &c->src, why, whysz);
			if (r < 0)
				goto out;
			if (str_printf(c->dst, sizeof(c->dst), "%s/%s", sub,
			               base) < 0 ||
			    str_printf(rel, relsz, "%s/%s/%s", req->name,
			               b->arch, base) < 0) {
				r = -ENAMETOOLONG;
				goto out;
			}
			n_c++;
		}
	}
	if (is_dir) {
		for (i = 0; i < n_c; i++) {
			r = imp_dir_copy_one(req, dir, &copies[i]);
			if (r < 0) {
				snprintf(why, whysz, "copying %s: %s%s",
				         copies[i].src, strerror(-r),
				         r == -ELOOP ? " (a symbolic link: "
				                       "refused)"
				                     : "");
				goto out;
			}
		}
	} else {
		r = imp_ar_copy(req, src, copies, n_c, why, whysz);
		if (r < 0)
			goto out;
	}
	if (req->have) {
		r = imp_move_arches(stage, final, &res.found, why, whysz);
		if (r < 0)
			goto out;
		imp_rm_rf(stage); /* empty now */
	} else if (rename(stage, final) < 0) {
		r = -errno;
		snprintf(why, whysz, "renaming %s to %s: %s", stage, final,
		         strerror(errno));
		goto out;
	} else {
		chmod(final, 0755);
	}
	stage[0] = '\0';
	if (dl[0])
		unlink(dl);
	memcpy(&ret->found, &res.found, sizeof(res.found));
	memcpy(ret->sha256_checked, res.sha256_checked,
	       sizeof(ret->sha256_checked));
out:
	if (r < 0 && stage[0] && !strstr(stage, "XXXXXX"))
		imp_rm_rf(stage);
	imp_src_free(&s);
	return r;
}
