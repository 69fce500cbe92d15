/*
 * ipmi.c - the ipmi power driver: `ipmitool -I lanplus` with a timeout
 * per try (-N), retries (-R) and a hard deadline after which it is
 * killed. The password goes in the environment (-E, IPMI_PASSWORD),
 * never on the command line; the child gets no other environment than
 * PATH. ipmitool exits 0 on some refused commands: its stderr counts too.
 */
#include "appliance/power/power.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/sanitize.h"
#include "common/util.h"

#define OUT_MAX 2048

int
power_ipmi_classify(int status, const char *err, bool fast)
{
	if (status == -ETIMEDOUT)
		return -ETIMEDOUT;
	if (strstr(err, "nsufficient privilege") ||
	    strstr(err, "RAKP") || strstr(err, "nauthorized name"))
		return -EACCES;
	/* The same words for a refused session and for no answer at all:
	 * a BMC that refused the user or password answered at once, one
	 * that is not there made ipmitool wait for every try. */
	if (strstr(err, "Unable to establish"))
		return fast ? -EACCES : -ETIMEDOUT;
	if (strstr(err, "No response") || strstr(err, "timeout") ||
	    strstr(err, "Timeout"))
		return -ETIMEDOUT;
	if (status != 0)
		return -EIO;
	if (strstr(err, "Error") || strstr(err, "error") ||
	    strstr(err, "Invalid") || strstr(err, "nable to"))
		return -EIO;
	return 0;
}

/*
 * Run ipmitool with args (after the connection options) within
 * deadline_ms; collect stdout and stderr. Returns the exit status (>= 0),
 * -ETIMEDOUT when killed at the deadline, or -errno (not started).
 */
static int
ipmitool(const struct power_target *t, const char *const *args,
	 char *out, size_t outsz, char *err, size_t errsz)
{
	char host[64], port_s[12], n_s[12], r_s[12], pwenv[64];
	const char *argv[32];
	char *envp[3];
	unsigned port, timeout = t->timeout_s ? t->timeout_s : POWER_IPMI_TIMEOUT;
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, status = 0, r;
	size_t n = 0, lo = 0, le = 0, i;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, dfl;
	uint64_t deadline;
	pid_t pid;

	out[0] = err[0] = '\0';
	if (power_bmc_parse(t->p->bmc, host, sizeof(host), &port) < 0)
		return -EINVAL;
	snprintf(port_s, sizeof(port_s), "%u", port);
	snprintf(n_s, sizeof(n_s), "%u", timeout);
	snprintf(r_s, sizeof(r_s), "%u", POWER_IPMI_RETRIES);
	argv[n++] = "ipmitool";
	argv[n++] = "-I";
	argv[n++] = "lanplus";
	argv[n++] = "-C";
	argv[n++] = "3";
	argv[n++] = "-H";
	argv[n++] = host;
	argv[n++] = "-p";
	argv[n++] = port_s;
	argv[n++] = "-U";
	argv[n++] = t->p->user;
	argv[n++] = "-E";
	argv[n++] = "-N";
	argv[n++] = n_s;
	argv[n++] = "-R";
	argv[n++] = r_s;
	for (i = 0; args[i] && n < ARRAY_SIZE(argv) - 1; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	snprintf(pwenv, sizeof(pwenv), "IPMI_PASSWORD=%s", t->p->password);
	envp[0] = pwenv;
	envp[1] = (char *)"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:"
			  "/usr/bin:/sbin:/bin";
	envp[2] = NULL;

	if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0) {
		r = -errno;
		goto fail_pipes;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigfillset(&dfl);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &dfl);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK |
					      POSIX_SPAWN_SETSIGDEF |
					      POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&at, 0);
	r = posix_spawnp(&pid, "ipmitool", &fa, &at, (char *const *)argv,
			 envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	explicit_bzero(pwenv, sizeof(pwenv));
	close(po[1]);
	close(pe[1]);
	po[1] = pe[1] = -1;
	if (r != 0) {
		r = -r;
		goto fail_pipes;
	}
	/* Each try waits timeout s, with retries; then a margin. */
	deadline = mono_ms() + (uint64_t)timeout * 1000 *
				       (POWER_IPMI_RETRIES + 1) * 2 + 3000;
	while (po[0] >= 0 || pe[0] >= 0) {
		struct pollfd pfd[2] = { { po[0], POLLIN, 0 },
					 { pe[0], POLLIN, 0 } };
		uint64_t now = mono_ms();
		int k;

		if (now >= deadline) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			status = -ETIMEDOUT;
			break;
		}
		k = poll(pfd, 2, (int)(deadline - now));
		if (k < 0 && errno != EINTR)
			break;
		for (i = 0; i < 2; i++) {
			int *fd = i ? &pe[0] : &po[0];
			char *buf = i ? err : out;
			size_t *len = i ? &le : &lo;
			size_t sz = i ? errsz : outsz;
			char tmp[512];
			ssize_t got;

			if (*fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP |
							   POLLERR)))
				continue;
			got = read(*fd, tmp, sizeof(tmp));
			if (got <= 0) {
				close(*fd);
				*fd = -1;
				continue;
			}
			if (*len + 1 < sz) {
				size_t c = (size_t)got;

				if (c > sz - 1 - *len)
					c = sz - 1 - *len;
				memcpy(buf + *len, tmp, c);
				*len += c;
				buf[*len] = '\0';
			}
		}
	}
	if (po[0] >= 0)
		close(po[0]);
	if (pe[0] >= 0)
		close(pe[0]);
	{
		int ws;

		while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
			;
		if (status == 0)
			status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128;
	}
	return status;

fail_pipes:
	explicit_bzero(pwenv, sizeof(pwenv));
	for (i = 0; i < 2; i++) {
		if (po[i] >= 0)
			close(po[i]);
		if (pe[i] >= 0)
			close(pe[i]);
	}
	return r;
}

/* The first line of text, sanitised, into dst. */
static void
first_line(char *dst, size_t dstsz, const char *text)
{
	char line[200];
	size_t n = strcspn(text, "\n");

	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	memcpy(line, text, n);
	line[n] = '\0';
	str_sanitize(dst, dstsz, line, 0);
}

int
power_ipmi_run(const struct power_target *t, enum power_action a,
	       struct power_result *res)
{
	static const char *const status_args[] = { "chassis", "power",
						    "status", NULL };
	const char *args[6] = { "chassis", "power", NULL, NULL, NULL, NULL };
	char out[OUT_MAX], err[OUT_MAX], why[100];
	uint64_t t0;
	bool fast;
	int st, r;

	switch (a) {
	case POWER_STATUS:
		break;
	case POWER_ON:
	case POWER_OFF:
	case POWER_CYCLE:
	case POWER_RESET:
		args[2] = power_action_name(a);
		break;
	case POWER_BOOT_PXE:
		args[1] = "bootdev";
		args[2] = "pxe";
		if (t->uefi)
			args[3] = "options=efiboot";
		break;
	}
	t0 = mono_ms();
	st = ipmitool(t, a == POWER_STATUS ? status_args : args, out,
		      sizeof(out), err, sizeof(err));
	fast = mono_ms() - t0 <
	       (uint64_t)(t->timeout_s ? t->timeout_s : POWER_IPMI_TIMEOUT) *
		       1000;
	if (st < 0 && st != -ETIMEDOUT) {
		snprintf(res->msg, sizeof(res->msg),
			 "cannot run ipmitool: %s", strerror(-st));
		return st == -ENOENT ? -ENOTSUP : -EIO;
	}
	r = power_ipmi_classify(st, err, fast);
	if (r < 0) {
		first_line(why, sizeof(why), err[0] ? err : out);
		snprintf(res->msg, sizeof(res->msg), "BMC %s: %s%s%s",
			 t->p->bmc,
			 r == -EACCES	   ? "refused the user or password"
			 : r == -ETIMEDOUT ? "no answer within the timeout"
					   : "error",
			 why[0] ? ": " : "", why);
		return r;
	}
	if (a == POWER_STATUS) {
		if (strstr(out, "is on"))
			res->state = POWER_IS_ON;
		else if (strstr(out, "is off"))
			res->state = POWER_IS_OFF;
		else {
			first_line(why, sizeof(why), out);
			snprintf(res->msg, sizeof(res->msg),
				 "BMC %s: unexpected answer: %s", t->p->bmc,
				 why);
			return -EIO;
		}
		snprintf(res->msg, sizeof(res->msg), "power is %s",
			 power_state_name(res->state));
		return 0;
	}
	if (a == POWER_ON)
		res->state = POWER_IS_ON;
	else if (a == POWER_OFF)
		res->state = POWER_IS_OFF;
	if (a == POWER_BOOT_PXE)
		snprintf(res->msg, sizeof(res->msg), "next boot: pxe%s",
			 t->uefi ? " (efiboot)" : "");
	else
		snprintf(res->msg, sizeof(res->msg), "power %s: done",
			 power_action_name(a));
	return 0;
}
