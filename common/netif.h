/*
 * netif.h - the appliance's network interface, found and watched through
 * libnl-route-3 (never by parsing `ip` output).
 *
 * netif_choose() is the pure decision ("which interface serves?") over a
 * list of candidates; netif_detect() gathers that list from the kernel;
 * a netif_watch tells the supervisor when links or addresses (IPv4 and
 * IPv6) change so that it can detect again and compare.
 *
 * The choice is by IPv4 address only; netif_list6() reports the chosen
 * interface's IPv6 addresses, for what will serve IPv6 clients.
 */
#ifndef BOOTYARD_NETIF_H
#define BOOTYARD_NETIF_H

#include <stdbool.h>
#include <stddef.h>
#include <net/if.h>

#include "common/valid.h"

#define NETIF_MAX_CANDIDATES 64
#define NETIF_MAX_ADDR6 8

/* One IPv6 address of an interface. */
struct netif_addr6 {
	char addr[ADDR_STRLEN]; /* valid_ip() text, no zone */
	unsigned prefix;        /* 0..128 */
	bool link_local;        /* fe80::/10: needs the interface as zone */
};

/* The usable IPv6 addresses of one interface, kernel order: not
 * tentative (DAD not done), DAD-failed, deprecated or temporary
 * (privacy); at most NETIF_MAX_ADDR6, the rest left out. */
struct netif_addrs6 {
	size_t n;
	struct netif_addr6 a[NETIF_MAX_ADDR6];
};

/* One IPv4 address of one interface, as the kernel reports it. */
struct netif_info {
	char name[IF_NAMESIZE];
	int ifindex;
	char addr[ADDR_STRLEN]; /* dotted quad */
	unsigned prefix;        /* 0..32 */
	bool loopback;
	bool up;         /* IFF_UP */
	bool running;    /* IFF_RUNNING: carrier */
};

/*
 * netif_choose - pick the serving interface among n candidate addresses
 * (primary IPv4 addresses, in kernel order). want is an interface name or
 * "auto" (also "" = auto): auto takes the single non-loopback interface
 * that has an IPv4 address. On success copies the chosen entry into *ret
 * (its first address) and returns 0. Otherwise returns -ENOENT (named
 * interface missing or without IPv4, or no candidate at all) or
 * -ENOTUNIQ (several candidates) and writes a one-line reason that lists
 * the candidates into err (errsz bytes).
 */
int netif_choose(const struct netif_info *c, size_t n, const char *want,
		 struct netif_info *ret, char *err, size_t errsz);

/*
 * netif_list - fill c (at most max entries) with every primary IPv4
 * address of every interface, via libnl. Returns the number of entries
 * or -errno.
 */
int netif_list(struct netif_info *c, size_t max);

/*
 * netif_list6 - the usable IPv6 addresses of interface ifindex into
 * *ret (ret->n = 0 for none, or an interface without IPv6), via libnl.
 * Returns 0 or -errno (*ret untouched).
 */
int netif_list6(int ifindex, struct netif_addrs6 *ret);

/*
 * netif_detect - netif_list() + netif_choose(). Returns 0 and *ret, or a
 * negative errno with the reason in err.
 */
int netif_detect(const char *want, struct netif_info *ret, char *err,
		 size_t errsz);

/* netif_same - true when a and b name the same interface and IPv4
 * address (the IPv6 ones are not compared: see netif_same6). */
bool netif_same(const struct netif_info *a, const struct netif_info *b);

/* netif_same6 - true when a and b hold the same IPv6 addresses and
 * prefixes, in the same order. */
bool netif_same6(const struct netif_addrs6 *a, const struct netif_addrs6 *b);

/*
 * netif_addr6_text - a's addresses as "ADDR/PREFIX ..." (one space
 * between), "none" without any, into out (outsz bytes; cut short at an
 * address boundary when it does not fit). Returns out.
 */
const char *netif_addr6_text(const struct netif_addrs6 *a, char *out,
			     size_t outsz);

/*
 * netif_network - the network address of IPv4 addr/prefix as a dotted
 * quad into out (16 bytes), and the netmask into mask (16 bytes, may be
 * NULL): for the DHCPv4 pool. Returns 0 or -EINVAL.
 */
int netif_network(const char *addr, unsigned prefix, char out[16],
		  char mask[16]);

struct netif_watch;

/*
 * netif_watch_open - subscribe to link, IPv4 and IPv6 address changes.
 * Returns 0 and *ret (free with netif_watch_close), or -errno.
 */
int netif_watch_open(struct netif_watch **ret);

/* netif_watch_fd - the descriptor to poll for input. */
int netif_watch_fd(const struct netif_watch *w);

/*
 * netif_watch_read - consume pending notifications without blocking.
 * Returns a mask of NETIF_CHANGED_LINK / NETIF_CHANGED_ADDR (0: nothing
 * relevant), or -errno.
 */
#define NETIF_CHANGED_LINK 1
#define NETIF_CHANGED_ADDR 2
int netif_watch_read(struct netif_watch *w);

/* netif_watch_close - NULL is fine. */
void netif_watch_close(struct netif_watch *w);

#endif
