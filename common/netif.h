/*
 * netif.h - the appliance's network interface, found and watched through
 * libnl-route-3 (never by parsing `ip` output).
 *
 * netif_choose() is the pure decision ("which interface serves?") over a
 * list of candidates; netif_detect() gathers that list from the kernel;
 * a netif_watch tells the supervisor when links or IPv4 addresses change
 * so that it can detect again and compare.
 */
#ifndef BOOTYARD_NETIF_H
#define BOOTYARD_NETIF_H

#include <stdbool.h>
#include <stddef.h>
#include <net/if.h>

#define NETIF_MAX_CANDIDATES 64

/* One IPv4 address of one interface, as the kernel reports it. */
struct netif_info {
	char name[IF_NAMESIZE];
	int ifindex;
	char addr[16];   /* dotted quad */
	unsigned prefix; /* 0..32 */
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
 * netif_detect - netif_list() + netif_choose(). Returns 0 and *ret, or a
 * negative errno with the reason in err.
 */
int netif_detect(const char *want, struct netif_info *ret, char *err,
		 size_t errsz);

/* netif_same - true when a and b name the same interface and address. */
bool netif_same(const struct netif_info *a, const struct netif_info *b);

/*
 * netif_network - the network address of addr/prefix as a dotted quad
 * into out (16 bytes), and the netmask into mask (16 bytes, may be NULL).
 * Returns 0 or -EINVAL.
 */
int netif_network(const char *addr, unsigned prefix, char out[16],
		  char mask[16]);

struct netif_watch;

/*
 * netif_watch_open - subscribe to link and IPv4 address changes.
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
