/*
 * privdrop.c - dropping root (see privdrop.h).
 */
#include "appliance/daemon/privdrop.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"

bool
privdrop_lookup(const char *user, uid_t *ret_uid, gid_t *ret_gid, char *why,
		size_t whysz)
{
	struct passwd *pw;

	if (whysz)
		why[0] = '\0';
	if (geteuid() != 0 || !user || !*user || !strcmp(user, "root"))
		return false;
	pw = getpwnam(user);
	if (!pw) {
		snprintf(why, whysz, "user %s does not exist (create it with "
				     "`useradd --system %s`): running as root",
			 user, user);
		return false;
	}
	if (pw->pw_uid == 0)
		return false;
	*ret_uid = pw->pw_uid;
	*ret_gid = pw->pw_gid;
	return true;
}

/*
 * Root's, in group gid: fchown to 0:gid when another user owns it (that
 * needs CAP_CHOWN; systemd's StateDirectory= has done it already for the
 * state directory's tree), else only the group, which root may set to
 * one of its groups without CAP_CHOWN. Then mode, root being the owner
 * (no CAP_FOWNER). A file left to another user is accepted when it is
 * in group gid with group read-write already.
 */
static int
own_fd(int fd, gid_t gid, mode_t mode)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (st.st_uid != 0 || st.st_gid != gid) {
		if (fchown(fd, st.st_uid != 0 ? 0 : (uid_t)-1, gid) < 0) {
			if (errno != EPERM || st.st_gid != gid ||
			    (st.st_mode & 0060) != 0060)
				return -errno;
			return 0;
		}
	}
	if ((st.st_mode & 07777) != mode && fchmod(fd, mode) < 0)
		return -errno;
	return 0;
}

/* One file of the database in dfd: root:gid 0660, without following a
 * link planted at its name. */
static int
own_at(int dfd, const char *name, gid_t gid)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	fd = openat(dfd, name,
		    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	return own_fd(fd, gid, 0660);
}

int
privdrop_own(const char *db_dir, gid_t gid)
{
	static const char *const names[] = { PRIVDROP_DB_NAME,
					     PRIVDROP_DB_NAME "-wal",
					     PRIVDROP_DB_NAME "-shm" };
	_cleanup_close_ int dfd = -1;
	size_t i;
	int r, k;

	dfd = open(db_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	r = own_fd(dfd, gid, 02770);
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		k = own_at(dfd, names[i], gid);
		if (k < 0 && !r)
			r = k;
	}
	return r;
}

int
privdrop_layout(const char *state_dir, uid_t uid, gid_t gid,
		unsigned *ret_done, char *why, size_t whysz)
{
	static const char *const names[] = { PRIVDROP_DB_NAME,
					     PRIVDROP_DB_NAME "-wal",
					     PRIVDROP_DB_NAME "-shm" };
	_cleanup_close_ int sfd = -1, dfd = -1;
	struct stat st;
	size_t i;

	*ret_done = 0;
	if (whysz)
		why[0] = '\0';
	if (mkdir(state_dir, 0755) < 0 && errno != EEXIST) {
		snprintf(why, whysz, "cannot create %s: %s", state_dir,
			 strerror(errno));
		return -errno;
	}
	sfd = open(state_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sfd < 0 || fstat(sfd, &st) < 0) {
		int e = errno;

		snprintf(why, whysz, "state directory %s: %s%s", state_dir,
			 strerror(e),
			 e == ELOOP || e == ENOTDIR ? " (a symlink is not "
						      "followed)" : "");
		return -e;
	}
	/* The old layout gave the whole state directory to the service
	 * user: take it back (fd-based, so a rename cannot redirect it);
	 * from now on that user cannot rename or replace anything in it. */
	if (uid != 0 && st.st_uid == uid) {
		if (fchown(sfd, 0, 0) < 0 || fchmod(sfd, 0755) < 0) {
			snprintf(why, whysz, "cannot take %s back from uid "
					     "%u: %s", state_dir,
				 (unsigned)uid, strerror(errno));
			return -errno;
		}
		*ret_done |= PRIVDROP_TOOK_STATE_DIR;
	}
	if (mkdirat(sfd, PRIVDROP_DB_DIR, 0750) < 0 && errno != EEXIST) {
		snprintf(why, whysz, "cannot create %s/%s: %s", state_dir,
			 PRIVDROP_DB_DIR, strerror(errno));
		return -errno;
	}
	dfd = openat(sfd, PRIVDROP_DB_DIR,
		     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0) {
		snprintf(why, whysz, "%s/%s is not a directory: %s", state_dir,
			 PRIVDROP_DB_DIR, strerror(errno));
		return -errno;
	}
	if (uid != 0 && own_fd(dfd, gid, 02770) < 0) {
		snprintf(why, whysz, "cannot give %s/%s to group %u: %s",
			 state_dir, PRIVDROP_DB_DIR, (unsigned)gid,
			 strerror(errno));
		return -errno;
	}
	/* -wal and -shm are never links: one planted there (to make root's
	 * SQLite or chown act on another file) is removed, not followed */
	for (i = 1; i < ARRAY_SIZE(names); i++)
		if (fstatat(dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    !S_ISREG(st.st_mode) && unlinkat(dfd, names[i], 0) == 0)
			*ret_done |= PRIVDROP_REMOVED_LINK;
	/* A database of the old layout (<state_dir>/bootyard.db) moves into
	 * db/ with its WAL, unless db/ already has one: the main file
	 * first, so that a crash in between leaves it findable. */
	if (fstatat(dfd, PRIVDROP_DB_NAME, &st, AT_SYMLINK_NOFOLLOW) < 0 &&
	    errno == ENOENT) {
		for (i = 0; i < ARRAY_SIZE(names); i++) {
			if (fstatat(sfd, names[i], &st, AT_SYMLINK_NOFOLLOW) <
			    0)
				continue;
			if (!S_ISREG(st.st_mode)) {
				snprintf(why, whysz, "%s/%s is not a regular "
						     "file: remove it",
					 state_dir, names[i]);
				return -EINVAL;
			}
			if (renameat(sfd, names[i], dfd, names[i]) < 0) {
				snprintf(why, whysz, "cannot move %s/%s into "
						     "%s/: %s",
					 state_dir, names[i], PRIVDROP_DB_DIR,
					 strerror(errno));
				return -errno;
			}
			*ret_done |= PRIVDROP_MOVED_DB;
		}
	} else {
		/* -wal/-shm left behind by a move cut short */
		for (i = 1; i < ARRAY_SIZE(names); i++)
			if (fstatat(sfd, names[i], &st, AT_SYMLINK_NOFOLLOW) ==
				    0 &&
			    S_ISREG(st.st_mode) &&
			    fstatat(dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) <
				    0 &&
			    errno == ENOENT &&
			    fstatat(sfd, PRIVDROP_DB_NAME, &st,
				    AT_SYMLINK_NOFOLLOW) < 0 &&
			    renameat(sfd, names[i], dfd, names[i]) == 0)
				*ret_done |= PRIVDROP_MOVED_DB;
	}
	return 0;
}

/* One directory (or file) on the way: root's and not writable by
 * anyone else: group-writable only for group root, other-writable only
 * as a sticky directory (/tmp). */
static int
component_safe(const char *cur, const char *shown, char *why, size_t whysz)
{
	struct stat st;
	bool sticky;

	if (lstat(cur, &st) < 0) {
		snprintf(why, whysz, "%s: %s", cur, strerror(errno));
		return -errno;
	}
	sticky = S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX);
	if (st.st_uid != 0) {
		struct passwd *pw = getpwuid(st.st_uid);

		snprintf(why, whysz, "%s: %s is owned by %s (uid %u), not root",
			 shown, cur, pw ? pw->pw_name : "?",
			 (unsigned)st.st_uid);
		return -EPERM;
	}
	if (((st.st_mode & S_IWOTH) ||
	     ((st.st_mode & S_IWGRP) && st.st_gid != 0)) &&
	    !sticky) {
		snprintf(why, whysz, "%s: %s is writable by %s (mode %04o)",
			 shown, cur,
			 st.st_mode & S_IWOTH ? "every user" : "its group",
			 (unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

/* Every component of the resolved p, from /, component_safe. */
static int
resolved_safe(const char *p, const char *shown, char *why, size_t whysz)
{
	char real[PATH_MAX], cur[PATH_MAX];
	size_t i, n;
	int r;

	if (!realpath(p, real)) {
		snprintf(why, whysz, "%s: %s", p, strerror(errno));
		return -errno;
	}
	r = component_safe("/", shown, why, whysz);
	n = strlen(real);
	for (i = 1; r == 0 && i <= n && n > 1; i++) {
		if (i < n && real[i] != '/')
			continue;
		memcpy(cur, real, i);
		cur[i] = '\0';
		r = component_safe(cur, shown, why, whysz);
	}
	return r;
}

int
privdrop_path_safe(const char *path, char *why, size_t whysz)
{
	char pre[PATH_MAX];
	size_t i, n = strlen(path);
	int r;

	if (whysz)
		why[0] = '\0';
	if (path[0] != '/' || n >= sizeof(pre)) {
		snprintf(why, whysz, "%s: not an absolute path", path);
		return -EINVAL;
	}
	/* Each existing prefix as written, resolved: a symlink on the way
	 * is safe only where its own directory is. */
	for (i = 1; i <= n; i++) {
		struct stat st;

		if (i < n && path[i] != '/')
			continue;
		if (i < n && path[i - 1] == '/')
			continue;
		memcpy(pre, path, i);
		pre[i] = '\0';
		if (lstat(pre, &st) < 0) {
			if (errno == ENOENT)
				break; /* created by root, below a safe one */
			snprintf(why, whysz, "%s: %s", pre, strerror(errno));
			return -errno;
		}
		r = resolved_safe(pre, path, why, whysz);
		if (r < 0)
			return r;
	}
	return resolved_safe("/", path, why, whysz);
}

int
privdrop_to(const char *user, uid_t uid, gid_t gid)
{
	if (initgroups(user, gid) < 0 || setgid(gid) < 0 || setuid(uid) < 0)
		return -errno;
	if (setuid(0) == 0)
		return -EPERM;
	return 0;
}
