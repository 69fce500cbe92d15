/*
 * wol.c - the wol power driver: a Wake-on-LAN magic packet (6 x 0xff,
 * then the MAC 16 times) in a UDP datagram to port 9 of the broadcast
 * address of the interface that serves the host's segment, sent from
 * that interface's address. It can only power on; nothing reads a state.
 */
#include "appliance/power/power.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/valid.h"

int
power_wol_packet(const char *mac, unsigned char out[102])
{
	unsigned b[6];
	char canon[MAC_STR_LEN];
	size_t i, j;

	if (mac_parse(mac, canon) < 0 ||
	    sscanf(canon, "%2x:%2x:%2x:%2x:%2x:%2x", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5]) != 6)
		return -EINVAL;
	memset(out, 0xff, 6);
	for (i = 0; i < 16; i++)
		for (j = 0; j < 6; j++)
			out[6 + i * 6 + j] = (unsigned char)b[j];
	return 0;
}

int
power_wol_run(const struct power_target *t, enum power_action a,
	      struct power_result *res)
{
	unsigned char pkt[102];
	struct sockaddr_in src = { .sin_family = AF_INET };
	struct sockaddr_in dst = { .sin_family = AF_INET,
				   .sin_port = htons(POWER_WOL_PORT) };
	char bcast[INET_ADDRSTRLEN];
	uint32_t mask;
	int fd, one = 1, r = 0;

	if (a != POWER_ON) {
		snprintf(res->msg, sizeof(res->msg),
			 "Wake-on-LAN can only power on (no %s)",
			 power_action_name(a));
		return -ENOTSUP;
	}
	if (power_wol_packet(t->mac, pkt) < 0 ||
	    inet_pton(AF_INET, t->wol_ifaddr, &src.sin_addr) != 1 ||
	    t->wol_prefix > 32) {
		snprintf(res->msg, sizeof(res->msg),
			 "no serving interface address for Wake-on-LAN");
		return -EINVAL;
	}
	mask = t->wol_prefix ? htonl(~0u << (32 - t->wol_prefix)) : 0;
	dst.sin_addr.s_addr = src.sin_addr.s_addr | ~mask;
	inet_ntop(AF_INET, &dst.sin_addr, bcast, sizeof(bcast));
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0 ||
	    sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&dst,
		   sizeof(dst)) != (ssize_t)sizeof(pkt))
		r = -errno;
	if (fd >= 0)
		close(fd);
	if (r < 0) {
		snprintf(res->msg, sizeof(res->msg),
			 "Wake-on-LAN to %s: %s", bcast, strerror(-r));
		return -EIO;
	}
	snprintf(res->msg, sizeof(res->msg),
		 "Wake-on-LAN magic packet for %s sent to %s:%d from %s",
		 t->mac, bcast, POWER_WOL_PORT, t->wol_ifaddr);
	return 0;
}
