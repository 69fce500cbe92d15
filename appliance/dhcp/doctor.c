/*
 * doctor.c - find the DHCP servers of a network (see doctor.h). The
 * `bootyard doctor` command is in cli_doctor.c.
 */
#include "appliance/dhcp/doctor.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"
#include "common/valid.h"

#define DHCP_MAGIC 0x63825363u
#define DHCP_FIXED 236 /* op .. file, before the magic cookie */

/* Store a big-endian 16/32-bit value. */
static void
put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

int
doctor_build_discover(uint8_t *buf, size_t bufsz, const uint8_t mac[6],
                      uint32_t xid, unsigned arch)
{
	char vendor[40];
	size_t o;
	int vl;

	if (bufsz < 300)
		return -ENOSPC;
	memset(buf, 0, 300);
	buf[0] = 1; /* BOOTREQUEST */
	buf[1] = 1; /* Ethernet */
	buf[2] = 6;
	put32(buf + 4, xid);
	put16(buf + 10, 0x8000); /* broadcast: answers reach 0.0.0.0 */
	memcpy(buf + 28, mac, 6);
	put32(buf + DHCP_FIXED, DHCP_MAGIC);
	o = DHCP_FIXED + 4;
	buf[o++] = 53; /* message type */
	buf[o++] = 1;
	buf[o++] = 1;  /* DISCOVER */
	buf[o++] = 93; /* client architecture */
	buf[o++] = 2;
	put16(buf + o, arch & 0xffff);
	o += 2;
	buf[o++] = 94; /* client network interface: UNDI 2.1 */
	buf[o++] = 3;
	buf[o++] = 1;
	buf[o++] = 2;
	buf[o++] = 1;
	vl = snprintf(vendor, sizeof(vendor), "PXEClient:Arch:%05u:UNDI:002001",
	              arch & 0xffff);
	buf[o++] = 60;
	buf[o++] = (uint8_t)vl;
	memcpy(buf + o, vendor, (size_t)vl);
	o += (size_t)vl;
	buf[o++] = 55; /* parameter request list */
	buf[o++] = 6;
	buf[o++] = 1;  /* netmask */
	buf[o++] = 3;  /* router */
	buf[o++] = 51; /* lease */
	buf[o++] = 54; /* server id */
	buf[o++] = 60; /* vendor class */
	buf[o++] = 67; /* boot file */
	buf[o++] = 255;
	return o < 300 ? 300 : (int)o;
}

/* Copy a printable option value (no NUL inside) into out, or fail. */
static int
copy_text(char *out, size_t outsz, const uint8_t *v, size_t len)
{
	size_t i;

	while (len && v[len - 1] == '\0') /* some servers NUL-terminate */
		len--;
	if (len >= outsz)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (v[i] < 0x20 || v[i] > 0x7e)
			return -EINVAL;
	memcpy(out, v, len);
	out[len] = '\0';
	return 0;
}

/* An IPv4 address field as dotted quad. */
static void
ip_text(const uint8_t *p, char out[16])
{
	inet_ntop(AF_INET, p, out, 16);
}

int
doctor_parse_reply(const uint8_t *p, size_t n, uint32_t xid, const char *src,
                   struct doctor_offer *ret)
{
	size_t o = DHCP_FIXED + 4;
	int type = 0;
	bool have_server = false;

	memset(ret, 0, sizeof(*ret));
	if (n < DHCP_FIXED + 4 || p[0] != 2 || get32(p + 4) != xid ||
	    get32(p + DHCP_FIXED) != DHCP_MAGIC)
		return -EINVAL;
	ip_text(p + 16, ret->yiaddr);
	ip_text(p + 20, ret->siaddr);
	/* the fixed file field: NUL-terminated within 128 bytes */
	if (p[108] && (memchr(p + 108, 0, 128) == NULL ||
	               copy_text(ret->file, sizeof(ret->file), p + 108,
	                         strnlen((const char *)p + 108, 128)) < 0))
		return -EINVAL;
	while (o < n) {
		uint8_t code = p[o++], len;

		if (code == 255)
			break;
		if (code == 0)
			continue;
		if (o >= n)
			return -EINVAL;
		len = p[o++];
		if (o + len > n)
			return -EINVAL;
		switch (code) {
		case 53:
			if (len != 1)
				return -EINVAL;
			type = p[o];
			break;
		case 54:
			if (len != 4)
				return -EINVAL;
			ip_text(p + o, ret->server);
			have_server = true;
			break;
		case 3:
			if (len < 4 || len % 4)
				return -EINVAL;
			ip_text(p + o, ret->router);
			break;
		case 51:
			if (len != 4)
				return -EINVAL;
			ret->lease = get32(p + o);
			break;
		case 60:
			if (copy_text(ret->vendor, sizeof(ret->vendor), p + o,
			              len) < 0)
				return -EINVAL;
			break;
		case 67:
			if (copy_text(ret->file, sizeof(ret->file), p + o,
			              len) < 0)
				return -EINVAL;
			break;
		default:
			break;
		}
		o += len;
	}
	if (type != 2 && type != 5) /* OFFER or ACK */
		return -EINVAL;
	if (!have_server) {
		if (!src || !valid_ipv4(src))
			return -EINVAL;
		str_copy(ret->server, sizeof(ret->server), src);
	}
	ret->proxy = !strcmp(ret->yiaddr, "0.0.0.0");
	return 0;
}

/* Open the client socket: UDP 0.0.0.0:68 on ifname, broadcast allowed. */
static int
doctor_socket(const char *ifname)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(68)};
	int one = 1, fd, e;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname,
	               (socklen_t)strlen(ifname) + 1) < 0 ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

int
doctor_probe(const char *ifname, const uint8_t *mac, unsigned wait_ms,
             struct doctor_offer *out, size_t max, size_t *ret_n)
{
	struct sockaddr_in to = {.sin_family = AF_INET,
	                         .sin_port = htons(67),
	                         .sin_addr.s_addr = htonl(INADDR_BROADCAST)};
	uint8_t m[6], msg[576], in[1500];
	uint32_t xid;
	uint64_t start, resend;
	size_t n = 0, i;
	int fd, len, sent = 0;

	*ret_n = 0;
	if (!ifname || !*ifname || strlen(ifname) >= IF_NAMESIZE)
		return -EINVAL;
	if (mac) {
		memcpy(m, mac, 6);
	} else {
		if (getrandom(m, sizeof(m), 0) != sizeof(m))
			return -EIO;
		m[0] = (uint8_t)((m[0] & 0xfc) | 0x02); /* local, unicast */
	}
	if (getrandom(&xid, sizeof(xid), 0) != sizeof(xid))
		return -EIO;
	len = doctor_build_discover(msg, sizeof(msg), m, xid, 0);
	if (len < 0)
		return len;
	fd = doctor_socket(ifname);
	if (fd < 0)
		return fd;
	start = mono_ms();
	resend = start;
	for (;;) {
		uint64_t t = mono_ms();
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		struct doctor_offer o;
		char src[16];
		ssize_t k;
		int wait;

		if (t - start >= wait_ms)
			break;
		if (sent < 2 && t >= resend) {
			if (sendto(fd, msg, (size_t)len, 0,
			           (struct sockaddr *)&to, sizeof(to)) < 0) {
				int e = errno;
				close(fd);
				return -e;
			}
			sent++;
			resend = t + 1000;
		}
		wait = (int)(start + wait_ms - t);
		if (sent < 2 && resend - t < (uint64_t)wait)
			wait = (int)(resend - t);
		if (poll(&pfd, 1, wait) <= 0)
			continue;
		k = recvfrom(fd, in, sizeof(in), 0, (struct sockaddr *)&from,
		             &fl);
		if (k <= 0)
			continue;
		inet_ntop(AF_INET, &from.sin_addr, src, sizeof(src));
		if (doctor_parse_reply(in, (size_t)k, xid, src, &o) < 0)
			continue;
		for (i = 0; i < n; i++)
			if (!strcmp(out[i].server, o.server))
				break;
		if (i < n) {
			/* a proxyDHCP answer does not hide an address offer */
			if (out[i].proxy && !o.proxy)
				out[i] = o;
			continue;
		}
		if (n < max)
			out[n++] = o;
	}
	close(fd);
	*ret_n = n;
	return 0;
}
