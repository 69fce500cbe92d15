/*
 * sdnotify.c - sd_notify datagrams to the service manager (see sdnotify.h).
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "appliance/daemon/sdnotify.h"

#define SDNOTIFY_STATE_MAX 4096

int
sdnotify_send(const char *state)
{
	struct sockaddr_un sa;
	const char *name = getenv("NOTIFY_SOCKET");
	size_t len, slen;
	socklen_t salen;
	ssize_t n;
	int fd, r = 1;

	if (!name || !*name)
		return 0;
	if (name[0] != '/' && name[0] != '@')
		return -EINVAL;
	slen = state ? strlen(state) : 0;
	if (slen == 0 || slen > SDNOTIFY_STATE_MAX)
		return -EINVAL;
	len = strlen(name);
	if (len >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, name, len);
	/* "@name": the abstract namespace; the length excludes a NUL. */
	if (name[0] == '@') {
		sa.sun_path[0] = '\0';
		salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	} else {
		salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len +
				    1);
	}

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	n = sendto(fd, state, slen, MSG_NOSIGNAL, (struct sockaddr *)&sa,
		   salen);
	if (n < 0)
		r = -errno;
	else if ((size_t)n != slen)
		r = -EMSGSIZE;
	close(fd);
	return r;
}
