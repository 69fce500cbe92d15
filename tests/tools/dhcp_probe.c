/*
 * dhcp_probe - a small DHCP test client for bootyard's lab tests and the
 * DHCP benchmark. It speaks just enough DHCP (RFC 2131) with PXE options
 * (93 client architecture, 94 NDI, 97 UUID, 60 vendor class, 77 user
 * class) to see what a server offers a given kind of firmware.
 *
 *   dhcp_probe -i IFACE -m MAC [-a ARCH] [-u USERCLASS] [-V VENDOR]
 *              [-r] [-t MS] [-w MS]
 *     prints one line per answer:
 *       OFFER server=IP yiaddr=IP siaddr=IP file=F vendor=V mac=M
 *       ACK server=IP yiaddr=IP ...
 *     -r  complete the exchange (REQUEST the first address offer, wait
 *         for ACK); -t overall timeout (default 8000); -w keep listening
 *         this long after the first answer to collect more (proxyDHCP:
 *         default 1500); -R retransmit interval (default 1000 ms).
 *   dhcp_probe -i IFACE -m MAC -a ARCH -4 SERVER -c CIADDR
 *     PXE boot server request (what UEFI PXE sends after a proxyDHCP
 *     offer): a REQUEST from CIADDR:68 (an address the interface has) to
 *     SERVER:4011; prints the ACK like above.
 *   dhcp_probe -i IFACE -n N [-m BASEMAC] [-t MS] [-P WINDOW]
 *     benchmark: N fake MACs (BASEMAC with a scramble of the index in its low 24 bits) each DISCOVER/OFFER/
 *     REQUEST/ACK, at most WINDOW (default 64) in flight; prints
 *     "done=D of=N elapsed_ms=T tps=X".
 * The client socket needs no address: it binds to the device, sends from
 * 0.0.0.0 with the broadcast flag set, so servers answer by broadcast.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXN 100000

struct client {
	uint8_t mac[6];
	uint32_t xid;
	int state; /* 0 discover sent, 1 request sent, 2 done */
	uint64_t sent_ms;
	uint32_t yiaddr, server;
};

static int opt_arch = -1;
static const char *opt_uc, *opt_vendor;
static uint32_t opt_ciaddr;
static unsigned opt_retry_ms = 1000;

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int
parse_mac(const char *s, uint8_t m[6])
{
	unsigned v[6];

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4],
		   &v[5]) != 6)
		return -1;
	for (int i = 0; i < 6; i++)
		m[i] = (uint8_t)v[i];
	return 0;
}

/* Build a DHCP message of type t into p; returns its length. */
static size_t
build(uint8_t *p, const struct client *c, int t)
{
	size_t o = 240;

	memset(p, 0, 576);
	p[0] = 1;
	p[1] = 1;
	p[2] = 6;
	memcpy(p + 4, &c->xid, 4);
	p[10] = 0x80; /* broadcast flag */
	memcpy(p + 12, &opt_ciaddr, 4);
	memcpy(p + 28, c->mac, 6);
	p[236] = 99, p[237] = 130, p[238] = 83, p[239] = 99;
	p[o++] = 53, p[o++] = 1, p[o++] = (uint8_t)t;
	if (t == 3 && !opt_ciaddr) {
		p[o++] = 50, p[o++] = 4;
		memcpy(p + o, &c->yiaddr, 4), o += 4;
		p[o++] = 54, p[o++] = 4;
		memcpy(p + o, &c->server, 4), o += 4;
	}
	p[o++] = 61, p[o++] = 7, p[o++] = 1;
	memcpy(p + o, c->mac, 6), o += 6;
	if (opt_arch >= 0) {
		char vc[64];
		size_t n;

		p[o++] = 93, p[o++] = 2, p[o++] = (uint8_t)(opt_arch >> 8);
		p[o++] = (uint8_t)opt_arch;
		p[o++] = 94, p[o++] = 3, p[o++] = 1, p[o++] = 3, p[o++] = 16;
		p[o++] = 97, p[o++] = 17, p[o++] = 0;
		for (int i = 0; i < 16; i++)
			p[o++] = c->mac[i % 6] ^ (uint8_t)i;
		if (!opt_vendor) {
			snprintf(vc, sizeof(vc), "PXEClient:Arch:%05d:UNDI:003016",
				 opt_arch);
			n = strlen(vc);
			p[o++] = 60, p[o++] = (uint8_t)n;
			memcpy(p + o, vc, n), o += n;
		}
	}
	if (opt_vendor) {
		size_t n = strlen(opt_vendor);
		p[o++] = 60, p[o++] = (uint8_t)n;
		memcpy(p + o, opt_vendor, n), o += n;
	}
	if (opt_uc) {
		size_t n = strlen(opt_uc);
		p[o++] = 77, p[o++] = (uint8_t)n;
		memcpy(p + o, opt_uc, n), o += n;
	}
	p[o++] = 55, p[o++] = 5, p[o++] = 1, p[o++] = 3, p[o++] = 43;
	p[o++] = 60, p[o++] = 67;
	p[o++] = 255;
	return o < 300 ? 300 : o;
}

/* Find option code in reply r of len n; returns pointer and *olen. */
static const uint8_t *
opt_find(const uint8_t *r, size_t n, int code, size_t *olen)
{
	size_t o = 240;

	while (o < n) {
		if (r[o] == 0) {
			o++;
			continue;
		}
		if (r[o] == 255 || o + 1 >= n)
			break;
		if (r[o] == code && o + 2 + r[o + 1] <= n) {
			*olen = r[o + 1];
			return r + o + 2;
		}
		o += 2 + (size_t)r[o + 1];
	}
	return NULL;
}

static char printed[64][512];
static int n_printed;

static void
print_reply(const uint8_t *r, size_t n, int type)
{
	char line[512];
	char y[16], s[16], sv[16] = "-", file[129], vendor[256] = "-",
		       bf[256] = "";
	const uint8_t *v;
	size_t l;

	inet_ntop(AF_INET, r + 16, y, sizeof(y));
	inet_ntop(AF_INET, r + 20, s, sizeof(s));
	memcpy(file, r + 108, 128);
	file[128] = 0;
	if ((v = opt_find(r, n, 54, &l)) && l == 4)
		inet_ntop(AF_INET, v, sv, sizeof(sv));
	if ((v = opt_find(r, n, 60, &l))) {
		memcpy(vendor, v, l);
		vendor[l] = 0;
	}
	if ((v = opt_find(r, n, 67, &l))) {
		memcpy(bf, v, l);
		bf[l] = 0;
	}
	snprintf(line, sizeof(line), "%s server=%s yiaddr=%s siaddr=%s file=%s vendor=%s"
	       " mac=%02x:%02x:%02x:%02x:%02x:%02x\n",
	       type == 2 ? "OFFER" : type == 5 ? "ACK" : "NAK", sv, y, s,
	       file[0] ? file : (bf[0] ? bf : "-"), vendor, r[28], r[29], r[30],
	       r[31], r[32], r[33]);
	for (int i = 0; i < n_printed; i++)
		if (!strcmp(printed[i], line))
			return;
	if (n_printed < 64)
		strcpy(printed[n_printed++], line);
	fputs(line, stdout);
	fflush(stdout);
}

static struct sockaddr_in dest = { .sin_family = AF_INET,
				   .sin_port = 0 };
static int msg_type = 1;

static int
open_sock(const char *ifname)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(68),
				 .sin_addr.s_addr = opt_ciaddr };
	int s, one = 1, big = 4 << 20;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (s < 0)
		return -1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(s, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one));
	setsockopt(s, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, ifname,
		       (socklen_t)strlen(ifname)) < 0 ||
	    bind(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("dhcp_probe: socket");
		return -1;
	}
	return s;
}

static void
send_msg(int s, const struct client *c, int t)
{
	uint8_t p[576];
	size_t n = build(p, c, t == 1 ? msg_type : t);

	sendto(s, p, n, 0, (struct sockaddr *)&dest, sizeof(dest));
}

int
main(int argc, char **argv)
{
	const char *ifname = NULL, *mac = "02:00:00:00:00:01";
	int c, s, timeout = 8000, wait_more = 1500, request = 0, window = 64;
	long n = 0;
	static struct client cl[MAXN];

	dest.sin_addr.s_addr = INADDR_BROADCAST;
	dest.sin_port = htons(67);
	while ((c = getopt(argc, argv, "i:m:a:u:V:rt:w:n:P:4:c:R:")) != -1) {
		switch (c) {
		case 'i': ifname = optarg; break;
		case 'm': mac = optarg; break;
		case 'a': opt_arch = atoi(optarg); break;
		case 'u': opt_uc = optarg; break;
		case 'V': opt_vendor = optarg; break;
		case 'r': request = 1; break;
		case 't': timeout = atoi(optarg); break;
		case 'w': wait_more = atoi(optarg); break;
		case 'n': n = atol(optarg); break;
		case 'P': window = atoi(optarg); break;
		case '4':
			inet_pton(AF_INET, optarg, &dest.sin_addr);
			dest.sin_port = htons(4011);
			msg_type = 3;
			break;
		case 'c': inet_pton(AF_INET, optarg, &opt_ciaddr); break;
		case 'R': opt_retry_ms = (unsigned)atoi(optarg); break;
		default:
			fprintf(stderr, "usage: see the comment in dhcp_probe.c\n");
			return 2;
		}
	}
	if (!ifname || n < 0 || n > MAXN || window < 1) {
		fprintf(stderr, "dhcp_probe: -i IFACE needed\n");
		return 2;
	}
	s = open_sock(ifname);
	if (s < 0)
		return 1;
	srand((unsigned)getpid() ^ (unsigned)now_ms());
	long count = n ? n : 1;
	for (long i = 0; i < count; i++) {
		if (parse_mac(mac, cl[i].mac) < 0) {
			fprintf(stderr, "dhcp_probe: bad MAC %s\n", mac);
			return 2;
		}
		/* client i's MAC: BASEMAC with its low 24 bits xor a
		 * scramble of i (an odd multiplier is a bijection mod 2^24,
		 * so the MACs stay distinct). Sequential MACs would make
		 * dnsmasq's MAC hash start them at neighbouring addresses:
		 * in-flight clients then take each other's offers, and the
		 * NAK / DISCOVER loops (hundreds per client) measured that,
		 * not the server. Real MACs are not sequential. */
		uint32_t k = ((uint32_t)i * 0x9E3779B1u) & 0xffffffu;
		cl[i].mac[3] ^= (uint8_t)(k >> 16);
		cl[i].mac[4] ^= (uint8_t)(k >> 8);
		cl[i].mac[5] ^= (uint8_t)k;
		cl[i].xid = (uint32_t)rand() ^ (uint32_t)(i * 2654435761u);
		cl[i].state = -1;
	}
	uint64_t t0 = now_ms(), deadline = t0 + (uint64_t)timeout, first = 0;
	long done = 0, next = 0, inflight = 0, answers = 0;
	for (;;) {
		uint64_t t = now_ms();
		/* start new clients, retransmit stale ones */
		while (next < count && inflight < window) {
			cl[next].state = 0;
			cl[next].sent_ms = t;
			send_msg(s, &cl[next], 1);
			next++, inflight++;
		}
		for (long i = 0; i < next; i++) {
			if (cl[i].state < 0 || cl[i].state == 2 ||
			    t - cl[i].sent_ms < opt_retry_ms)
				continue;
			cl[i].sent_ms = t;
			send_msg(s, &cl[i], cl[i].state == 0 ? 1 : 3);
		}
		if (t >= deadline)
			break;
		if (!n && first && (!request || done) &&
		    t >= first + (uint64_t)wait_more)
			break;
		if (n && done == count)
			break;
		struct pollfd pf = { .fd = s, .events = POLLIN };
		poll(&pf, 1, 50);
		uint8_t r[1500];
		ssize_t k;
		while ((k = recv(s, r, sizeof(r), 0)) > 0) {
			size_t l;
			const uint8_t *v;
			uint32_t xid;

			if (k < 240 || r[0] != 2)
				continue;
			v = opt_find(r, (size_t)k, 53, &l);
			if (!v || l != 1)
				continue;
			memcpy(&xid, r + 4, 4);
			for (long i = 0; i < next; i++) {
				struct client *cc = &cl[i];
				if (cc->xid != xid || memcmp(cc->mac, r + 28, 6))
					continue;
				if (!n)
					print_reply(r, (size_t)k, v[0]);
				answers++;
				if (!first)
					first = now_ms();
				if (v[0] == 2 && cc->state == 0 &&
				    (request || n)) {
					uint32_t y;
					memcpy(&y, r + 16, 4);
					const uint8_t *sid = opt_find(
						r, (size_t)k, 54, &l);
					if (!y || !sid || l != 4)
						break; /* a proxy offer */
					cc->yiaddr = y;
					memcpy(&cc->server, sid, 4);
					cc->state = 1;
					cc->sent_ms = now_ms();
					send_msg(s, cc, 3);
				} else if (v[0] == 6 && cc->state == 1 && n) {
					/* NAK (the address went to another
					 * client meanwhile): start over */
					cc->state = 0;
					cc->sent_ms = now_ms();
					send_msg(s, cc, 1);
				} else if (v[0] == 5 && cc->state == 1) {
					cc->state = 2;
					done++, inflight--;
				}
				break;
			}
		}
	}
	if (n) {
		uint64_t el = now_ms() - t0;
		printf("done=%ld of=%ld elapsed_ms=%llu tps=%.1f\n", done, n,
		       (unsigned long long)el, el ? done * 1000.0 / el : 0.0);
		return done == n ? 0 : 1;
	}
	return answers ? 0 : 1;
}
