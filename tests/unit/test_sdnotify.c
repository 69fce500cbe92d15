/*
 * test_sdnotify.c - sdnotify_send against real AF_UNIX datagram sockets
 * (a path and an abstract name), and hostile $NOTIFY_SOCKET values.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "appliance/daemon/sdnotify.h"
#include "unit_main.h"

/* A datagram socket bound to name ("@..." = abstract); returns its fd. */
static int
bind_dgram(const char *name)
{
	struct sockaddr_un sa;
	size_t len = strlen(name);
	socklen_t salen;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, name, len);
	salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	if (name[0] == '@')
		sa.sun_path[0] = '\0';
	else
		salen++;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, salen), 0);
	return fd;
}

/* The next datagram on fd as a string (waits at most 1 s). */
static void
recv_str(int fd, char *buf, size_t size)
{
	struct timeval tv = { .tv_sec = 1 };
	ssize_t n;

	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
				    sizeof(tv)), 0);
	n = recv(fd, buf, size - 1, 0);
	assert_true(n >= 0);
	buf[n] = '\0';
}

static void
test_unset_is_noop(void **state)
{
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(sdnotify_send("READY=1"), 0);
	setenv("NOTIFY_SOCKET", "", 1);
	assert_int_equal(sdnotify_send("READY=1"), 0);
	unsetenv("NOTIFY_SOCKET");
}

static void
test_path_socket(void **state)
{
	char dir[] = "/tmp/bootyard-sdnotify.XXXXXX", path[128], buf[256];
	int fd;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/notify", dir);
	fd = bind_dgram(path);
	setenv("NOTIFY_SOCKET", path, 1);
	assert_int_equal(sdnotify_send("READY=1"), 1);
	recv_str(fd, buf, sizeof(buf));
	assert_string_equal(buf, "READY=1");
	assert_int_equal(sdnotify_send("STATUS=serving on eth0\nREADY=1"), 1);
	recv_str(fd, buf, sizeof(buf));
	assert_string_equal(buf, "STATUS=serving on eth0\nREADY=1");
	close(fd);
	unlink(path);
	/* The listener is gone: the error comes back, nothing crashes. */
	assert_true(sdnotify_send("STOPPING=1") < 0);
	rmdir(dir);
	unsetenv("NOTIFY_SOCKET");
}

static void
test_abstract_socket(void **state)
{
	char name[64], buf[64];
	int fd;

	snprintf(name, sizeof(name), "@bootyard-sdnotify-test-%ld",
		 (long)getpid());
	fd = bind_dgram(name);
	setenv("NOTIFY_SOCKET", name, 1);
	assert_int_equal(sdnotify_send("STOPPING=1"), 1);
	recv_str(fd, buf, sizeof(buf));
	assert_string_equal(buf, "STOPPING=1");
	close(fd);
	unsetenv("NOTIFY_SOCKET");
}

static void
test_hostile(void **state)
{
	char big[300], *huge;

	setenv("NOTIFY_SOCKET", "relative/notify", 1);
	assert_int_equal(sdnotify_send("READY=1"), -EINVAL);
	setenv("NOTIFY_SOCKET", "vsock:2:1234", 1);
	assert_int_equal(sdnotify_send("READY=1"), -EINVAL);

	memset(big, 'a', sizeof(big) - 1);
	big[0] = '/';
	big[sizeof(big) - 1] = '\0';
	setenv("NOTIFY_SOCKET", big, 1);
	assert_int_equal(sdnotify_send("READY=1"), -ENAMETOOLONG);

	setenv("NOTIFY_SOCKET", "/nonexistent/bootyard/notify", 1);
	assert_int_equal(sdnotify_send("READY=1"), -ENOENT);
	assert_int_equal(sdnotify_send(""), -EINVAL);
	assert_int_equal(sdnotify_send(NULL), -EINVAL);
	huge = malloc(5000);
	assert_non_null(huge);
	memset(huge, 'x', 4999);
	huge[4999] = '\0';
	assert_int_equal(sdnotify_send(huge), -EINVAL);
	free(huge);
	unsetenv("NOTIFY_SOCKET");
}

int
main(void)
{
	return UNIT_RUN(test_unset_is_noop, test_path_socket,
	                test_abstract_socket, test_hostile);
}
