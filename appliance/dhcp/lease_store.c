/*
 * lease_store.c - a lease hook run into the database, and the spool of
 * the runs it could not take then (see lease_store.h).
 *
 * A spool file is the run's input, each entry NUL-terminated: 'A' and an
 * argument, or 'E' and a "DNSMASQ_NAME=VALUE" environment entry. Its
 * name, "<unix ms>-<pid>-<random>.run", sorts oldest first; it is written
 * under a dot name and renamed, so the drain never reads half a file.
 */
#include "appliance/dhcp/lease_store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"

#define SPOOL_SUFFIX ".run"
#define SPOOL_ENTRIES 128 /* arguments + environment entries of one run */

int
lease_store(struct db *db, const struct lease_event *ev)
{
	char detail[384];
	int r = db_lease_record(db, &ev->lease);

	/* the timeline says which DHCP relay the client came through */
	if (r == 0 && lease_relay_detail(&ev->relay, detail, sizeof(detail)) == 0)
		r = db_event_add(db, ev->lease.mac, "dhcp-relay", detail);
	return r;
}

static bool
spool_name(const char *name)
{
	size_t n = strlen(name), s = strlen(SPOOL_SUFFIX);

	return name[0] != '.' && n > s && !strcmp(name + n - s, SPOOL_SUFFIX);
}

/* The spool's files, up to limit: 0 and *ret, or -errno. */
static int
spool_count(const char *dir, unsigned limit, unsigned *ret)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned n = 0;

	if (!d)
		return -errno;
	while (n < limit && (e = readdir(d)))
		n += spool_name(e->d_name);
	closedir(d);
	*ret = n;
	return 0;
}

/* Append entry tag+s (and its NUL) to b. */
static void
spool_entry(struct strbuf *b, char tag, const char *s)
{
	strbuf_printf(b, "%c%s", tag, s);
	strbuf_printf(b, "%c", '\0');
}

int
lease_spool_write(const char *dir, int argc, char *const argv[],
		  char *const envp[])
{
	struct strbuf b = { 0 };
	char path[4096];
	struct timespec ts;
	unsigned n = 0;
	int i, r;

	if ((r = mkdir_exist_ok(dir, 0700)) < 0 ||
	    (r = spool_count(dir, LEASE_SPOOL_MAX, &n)) < 0)
		return r;
	if (n >= LEASE_SPOOL_MAX)
		return -ENOSPC;
	for (i = 0; i < argc; i++)
		spool_entry(&b, 'A', argv[i]);
	for (i = 0; envp && envp[i]; i++)
		if (!strncmp(envp[i], "DNSMASQ_", 8))
			spool_entry(&b, 'E', envp[i]);
	if (b.err) {
		free(b.p);
		return b.err;
	}
	if (b.len > LEASE_SPOOL_FILE_MAX) {
		free(b.p);
		return -E2BIG;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	r = str_printf(path, sizeof(path), "%s/%013lld-%ld-%08lx" SPOOL_SUFFIX,
		       dir,
		       (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000,
		       (long)getpid(), (unsigned long)random() & 0xffffffffUL);
	if (r == 0)
		r = write_file_atomic(path, b.p, b.len, 0600);
	free(b.p);
	return r;
}

/*
 * Read spool file name of dir into buf (at most LEASE_SPOOL_FILE_MAX):
 * the length, or -errno (-EINVAL: no regular file, -E2BIG: too big).
 */
static ssize_t
spool_read(int dfd, const char *name, char *buf)
{
	struct stat st;
	ssize_t n, len = 0;
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
					   O_CLOEXEC);

	if (fd < 0)
		return errno == ELOOP ? -EINVAL : -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	if (st.st_size > LEASE_SPOOL_FILE_MAX) {
		close(fd);
		return -E2BIG;
	}
	while (len < LEASE_SPOOL_FILE_MAX &&
	       (n = read(fd, buf + len, (size_t)(LEASE_SPOOL_FILE_MAX - len))) > 0)
		len += n;
	close(fd);
	return len;
}

/* Split buf (len bytes) into argv and envp (NULL-terminated, at most
 * SPOOL_ENTRIES in all): the argument count, or -EINVAL. */
static int
spool_split(char *buf, size_t len, char **argv, char **envp)
{
	size_t i = 0;
	int na = 0, ne = 0;

	if (!len || buf[len - 1] != '\0')
		return -EINVAL;
	while (i < len) {
		char *s = buf + i;

		if (na + ne >= SPOOL_ENTRIES - 2)
			return -EINVAL;
		if (s[0] == 'A')
			argv[na++] = s + 1;
		else if (s[0] == 'E')
			envp[ne++] = s + 1;
		else
			return -EINVAL;
		i += strlen(s) + 1;
	}
	argv[na] = NULL;
	envp[ne] = NULL;
	return na;
}

static int
spool_filter(const struct dirent *e)
{
	return spool_name(e->d_name);
}

int
lease_spool_drain(const char *dir, unsigned max,
		  int (*store)(const struct lease_event *ev, void *ctx),
		  void *ctx)
{
	char *buf, *argv[SPOOL_ENTRIES], *envp[SPOOL_ENTRIES], err[256];
	struct dirent **names;
	struct lease_event ev;
	int n, i, dfd, done = 0, r = 0;

	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT ? 0 : -errno;
	n = scandir(dir, &names, spool_filter, alphasort);
	buf = n > 0 ? malloc(LEASE_SPOOL_FILE_MAX + 1) : NULL;
	if (n < 0 || (n > 0 && !buf)) {
		r = n < 0 ? -errno : -ENOMEM;
		for (i = 0; i < n; i++)
			free(names[i]);
		if (n >= 0)
			free(names);
		close(dfd);
		return r;
	}
	for (i = 0; i < n && (unsigned)done < max && r == 0; i++) {
		ssize_t len = spool_read(dfd, names[i]->d_name, buf);
		int argc = len < 0 ? -EINVAL
				   : spool_split(buf, (size_t)len, argv, envp);

		if (argc >= 0 &&
		    lease_parse(argc, argv, envp, &ev, err, sizeof(err)) == 0 &&
		    ev.op != LEASE_OP_INIT && ev.op != LEASE_OP_IGNORE &&
		    ev.op != LEASE_OP_TFTP) {
			int s = store(&ev, ctx);

			if (s < 0 && s != -EINVAL) {
				r = s; /* the database again: keep the file */
				break;
			}
		}
		if (unlinkat(dfd, names[i]->d_name, 0) == 0)
			done++;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(buf);
	close(dfd);
	return r < 0 ? r : done;
}
