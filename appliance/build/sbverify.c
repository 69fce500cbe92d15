/*
 * sbverify.c - kernel signatures for Secure Boot (see sbverify.h).
 */
#include "appliance/build/sbverify.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"

int
sb_parse_list(const char *output, int status, struct sb_result *ret)
{
	const char *p;
	size_t n;

	memset(ret, 0, sizeof(*ret));
	if (status != 0 || !output)
		return -EINVAL;
	p = strstr(output, "image signature issuers:\n");
	if (!p)
		return 0; /* "No signature table present" (on stderr) */
	ret->is_signed = true;
	p = strstr(p, "\n - ");
	if (p) {
		p += 4;
		n = strcspn(p, "\n");
		if (n >= sizeof(ret->issuer))
			n = sizeof(ret->issuer) - 1;
		memcpy(ret->issuer, p, n);
		ret->issuer[n] = '\0';
	}
	return 0;
}

int
sb_check_image(const char *path, struct sb_result *ret)
{
	char out[4096];
	size_t len = 0;
	int p[2], status, r;
	pid_t pid;

	if (access(path, R_OK) < 0)
		return -errno;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(p[0]);
		close(p[1]);
		return r;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(p[1], 1);
		if (null >= 0)
			dup2(null, 2);
		execlp(SB_VERIFY, SB_VERIFY, "--list", path, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	r = child_output(p[0], pid, out, sizeof(out), &len, &status);
	if (r < 0)
		return r;
	if (!WIFEXITED(status))
		return -EIO;
	if (WEXITSTATUS(status) == 127)
		return -ENOEXEC;
	return sb_parse_list(out, WEXITSTATUS(status), ret);
}

int
sb_check_kernel(const char *files_dir, const char *kernel,
                struct sb_result *ret)
{
	char path[PATH_MAX];

	if (!strncmp(kernel, "http://", 7) || !strncmp(kernel, "https://", 8))
		return -EPROTONOSUPPORT;
	if (str_printf(path, sizeof(path), "%s/%s", files_dir, kernel) < 0)
		return -ENAMETOOLONG;
	return sb_check_image(path, ret);
}
