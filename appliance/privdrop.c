/*
 * privdrop.c - dropping root (see privdrop.h).
 */
#include "appliance/privdrop.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
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

int
privdrop_own(const char *state_dir, const char *db_path, uid_t uid, gid_t gid)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	char path[4096];
	size_t i;
	int r = 0;

	if (chown(state_dir, uid, gid) < 0 && errno != ENOENT)
		r = -errno;
	for (i = 0; i < ARRAY_SIZE(suffix); i++) {
		if (str_printf(path, sizeof(path), "%s%s", db_path,
			       suffix[i]) < 0)
			return -ENAMETOOLONG;
		if (chown(path, uid, gid) < 0) {
			if (errno != ENOENT && !r)
				r = -errno;
			continue;
		}
		chmod(path, 0660);
	}
	return r;
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
