/*
 * sdnotify.h - the service manager's readiness protocol (sd_notify), for
 * `bootyard serve` under a systemd unit with Type=notify.
 *
 * The protocol is one datagram of "KEY=VALUE\n..." text sent to the
 * AF_UNIX socket named in $NOTIFY_SOCKET (a path, or "@name" for the
 * abstract namespace). No libsystemd is needed. Without $NOTIFY_SOCKET
 * (not started by systemd, or by a container runtime) nothing is sent.
 */
#ifndef BOOTYARD_SDNOTIFY_H
#define BOOTYARD_SDNOTIFY_H

/*
 * sdnotify_send - send state (e.g. "READY=1", "STOPPING=1",
 * "STATUS=serving on eth0") to the socket in $NOTIFY_SOCKET.
 *
 * @state: the message, at most 4096 bytes, not NULL.
 *
 * Returns 1 when sent, 0 when $NOTIFY_SOCKET is unset or empty (nothing
 * to do), -EINVAL for a socket name that is neither absolute nor
 * abstract or a state that is empty or too long, -ENAMETOOLONG for a
 * name that does not fit a socket address, or the -errno of socket() or
 * sendto(). Does not log and does not change the environment.
 */
int sdnotify_send(const char *state);

#endif
