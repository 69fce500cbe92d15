/*
 * netif.c - interface discovery and watch through libnl-route-3
 * (see netif.h).
 */
#include "common/netif.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>

#include "common/util.h"

/* Append the names of the candidates (deduplicated) to err. */
static void
netif_list_names(const struct netif_info *c, size_t n, char *err,
		 size_t errsz, size_t used)
{
	size_t i, j;

	for (i = 0; i < n && used < errsz; i++) {
		bool dup = false;

		if (c[i].loopback)
			continue;
		for (j = 0; j < i; j++)
			if (!strcmp(c[j].name, c[i].name))
				dup = true;
		if (dup)
			continue;
		used += (size_t)snprintf(err + used, errsz - used, " %s (%s/%u)",
					 c[i].name, c[i].addr, c[i].prefix);
	}
}

int
netif_choose(const struct netif_info *c, size_t n, const char *want,
	     struct netif_info *ret, char *err, size_t errsz)
{
	const struct netif_info *found = NULL;
	size_t i, names = 0;
	int len;

	if (errsz)
		err[0] = '\0';
	if (!want || !*want || !strcmp(want, "auto")) {
		for (i = 0; i < n; i++) {
			if (c[i].loopback)
				continue;
			if (found && strcmp(found->name, c[i].name)) {
				names++;
				continue;
			}
			if (!found) {
				found = &c[i];
				names++;
			}
		}
		if (names == 1) {
			*ret = *found;
			return 0;
		}
		if (names == 0) {
			snprintf(err, errsz, "interface = auto: no interface "
					     "other than loopback has an IPv4 "
					     "address");
			return -ENOENT;
		}
		len = snprintf(err, errsz, "interface = auto: %zu interfaces "
					   "have an IPv4 address, name one in "
					   "[appliance] interface:", names);
		if (len > 0)
			netif_list_names(c, n, err, errsz, (size_t)len);
		return -ENOTUNIQ;
	}
	for (i = 0; i < n; i++) {
		if (!strcmp(c[i].name, want)) {
			*ret = c[i];
			return 0;
		}
	}
	len = snprintf(err, errsz, "interface %s does not exist or has no "
				   "IPv4 address; candidates:", want);
	if (len > 0)
		netif_list_names(c, n, err, errsz, (size_t)len);
	return -ENOENT;
}

bool
netif_same(const struct netif_info *a, const struct netif_info *b)
{
	return !strcmp(a->name, b->name) && a->ifindex == b->ifindex &&
	       !strcmp(a->addr, b->addr) && a->prefix == b->prefix;
}

bool
netif_same6(const struct netif_addrs6 *a, const struct netif_addrs6 *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n && i < NETIF_MAX_ADDR6; i++)
		if (strcmp(a->a[i].addr, b->a[i].addr) ||
		    a->a[i].prefix != b->a[i].prefix)
			return false;
	return true;
}

const char *
netif_addr6_text(const struct netif_addrs6 *a, char *out, size_t outsz)
{
	size_t k, used = 0;

	if (!outsz)
		return out;
	str_copy(out, outsz, a->n ? "" : "none");
	for (k = 0; k < a->n && k < NETIF_MAX_ADDR6; k++) {
		int n = snprintf(out + used, outsz - used, "%s%s/%u",
				 k ? " " : "", a->a[k].addr, a->a[k].prefix);

		if (n < 0 || (size_t)n >= outsz - used) {
			out[used] = '\0';
			break;
		}
		used += (size_t)n;
	}
	return out;
}

int
netif_network(const char *addr, unsigned prefix, char out[16], char mask[16])
{
	struct in_addr a, m;
	uint32_t bits;

	if (prefix > 32 || inet_pton(AF_INET, addr, &a) != 1)
		return -EINVAL;
	bits = prefix ? htonl(~0u << (32 - prefix)) : 0;
	m.s_addr = bits;
	a.s_addr &= bits;
	inet_ntop(AF_INET, &a, out, 16);
	if (mask)
		inet_ntop(AF_INET, &m, mask, 16);
	return 0;
}

/* Translate a libnl error code into a negative errno. */
static int
netif_nlerr(int e)
{
	switch (-e) {
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_PERM:
		return -EPERM;
	case NLE_AGAIN:
		return -EAGAIN;
	default:
		return -EIO;
	}
}

/* Is a (an AF_INET6 rtnl_addr) one a server could use: no tentative
 * (DAD running), DAD-failed, deprecated or temporary address. */
static bool
netif_addr6_usable(struct rtnl_addr *a)
{
	unsigned flags = (unsigned)rtnl_addr_get_flags(a);
	struct nl_addr *local = rtnl_addr_get_local(a);

	return local && nl_addr_get_len(local) == 16 &&
	       !(flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED |
			  IFA_F_DEPRECATED | IFA_F_TEMPORARY));
}

int
netif_list6(int ifindex, struct netif_addrs6 *ret)
{
	struct netif_addrs6 r6 = { 0 };
	struct nl_sock *sk;
	struct nl_cache *addrs = NULL;
	struct nl_object *o;
	int r;

	sk = nl_socket_alloc();
	if (!sk)
		return -ENOMEM;
	r = nl_connect(sk, NETLINK_ROUTE);
	if (r >= 0)
		r = rtnl_addr_alloc_cache(sk, &addrs);
	for (o = r >= 0 ? nl_cache_get_first(addrs) : NULL;
	     o && r6.n < NETIF_MAX_ADDR6; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };
		struct netif_addr6 *v = &r6.a[r6.n];

		if (rtnl_addr_get_family(a) != AF_INET6 ||
		    rtnl_addr_get_ifindex(a) != ifindex ||
		    !netif_addr6_usable(a))
			continue;
		memcpy(&sa.sin6_addr,
		       nl_addr_get_binary_addr(rtnl_addr_get_local(a)), 16);
		if (addr_from_sockaddr((struct sockaddr *)&sa, v->addr) < 0 ||
		    !valid_ipv6(v->addr))
			continue; /* IPv4-mapped: no interface's address */
		v->prefix = (unsigned)rtnl_addr_get_prefixlen(a);
		v->link_local = IN6_IS_ADDR_LINKLOCAL(&sa.sin6_addr);
		r6.n++;
	}
	nl_cache_free(addrs);
	nl_socket_free(sk);
	if (r < 0)
		return netif_nlerr(r);
	*ret = r6;
	return 0;
}

int
netif_list(struct netif_info *c, size_t max)
{
	struct nl_sock *sk;
	struct nl_cache *links = NULL, *addrs = NULL;
	struct nl_object *o;
	size_t n = 0;
	int r;

	sk = nl_socket_alloc();
	if (!sk)
		return -ENOMEM;
	r = nl_connect(sk, NETLINK_ROUTE);
	if (r < 0)
		goto out;
	r = rtnl_link_alloc_cache(sk, AF_UNSPEC, &links);
	if (r < 0)
		goto out;
	r = rtnl_addr_alloc_cache(sk, &addrs);
	if (r < 0)
		goto out;
	for (o = nl_cache_get_first(addrs); o && n < max;
	     o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		struct rtnl_link *l;
		struct nl_addr *local;
		unsigned flags;

		if (rtnl_addr_get_family(a) != AF_INET)
			continue;
		if (rtnl_addr_get_flags(a) & IFA_F_SECONDARY)
			continue;
		local = rtnl_addr_get_local(a);
		if (!local || nl_addr_get_len(local) != 4)
			continue;
		l = rtnl_link_get(links, rtnl_addr_get_ifindex(a));
		if (!l)
			continue;
		memset(&c[n], 0, sizeof(c[n]));
		str_copy(c[n].name, sizeof(c[n].name), rtnl_link_get_name(l));
		c[n].ifindex = rtnl_addr_get_ifindex(a);
		inet_ntop(AF_INET, nl_addr_get_binary_addr(local), c[n].addr,
			  sizeof(c[n].addr));
		c[n].prefix = (unsigned)rtnl_addr_get_prefixlen(a);
		flags = rtnl_link_get_flags(l);
		c[n].loopback = flags & IFF_LOOPBACK;
		c[n].up = flags & IFF_UP;
		c[n].running = flags & IFF_RUNNING;
		rtnl_link_put(l);
		n++;
	}
	r = (int)n;
out:
	if (r < 0)
		r = netif_nlerr(r);
	nl_cache_free(addrs);
	nl_cache_free(links);
	nl_socket_free(sk);
	return r;
}

int
netif_detect(const char *want, struct netif_info *ret, char *err,
	     size_t errsz)
{
	struct netif_info c[NETIF_MAX_CANDIDATES];
	int n;

	n = netif_list(c, ARRAY_SIZE(c));
	if (n < 0) {
		snprintf(err, errsz, "cannot list interfaces through netlink: "
				     "%s", strerror(-n));
		return n;
	}
	return netif_choose(c, (size_t)n, want, ret, err, errsz);
}

struct netif_watch {
	struct nl_sock *sk;
	int changed;
};

/* libnl callback: note which kind of object changed. */
static int
netif_watch_cb(struct nl_msg *msg, void *arg)
{
	struct netif_watch *w = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);

	switch (h->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		w->changed |= NETIF_CHANGED_LINK;
		break;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		w->changed |= NETIF_CHANGED_ADDR;
		break;
	}
	return NL_OK;
}

int
netif_watch_open(struct netif_watch **ret)
{
	struct netif_watch *w;
	int r;

	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->sk = nl_socket_alloc();
	if (!w->sk) {
		free(w);
		return -ENOMEM;
	}
	nl_socket_disable_seq_check(w->sk);
	nl_socket_modify_cb(w->sk, NL_CB_VALID, NL_CB_CUSTOM, netif_watch_cb,
			    w);
	r = nl_connect(w->sk, NETLINK_ROUTE);
	if (r >= 0)
		r = nl_socket_add_memberships(w->sk, RTNLGRP_LINK,
					      RTNLGRP_IPV4_IFADDR,
					      RTNLGRP_IPV6_IFADDR, 0);
	if (r >= 0)
		r = nl_socket_set_nonblocking(w->sk);
	if (r < 0) {
		nl_socket_free(w->sk);
		free(w);
		return netif_nlerr(r);
	}
	*ret = w;
	return 0;
}

int
netif_watch_fd(const struct netif_watch *w)
{
	return nl_socket_get_fd(w->sk);
}

int
netif_watch_read(struct netif_watch *w)
{
	int r, changed;

	w->changed = 0;
	for (;;) {
		r = nl_recvmsgs_default(w->sk);
		if (r < 0)
			break;
	}
	changed = w->changed;
	w->changed = 0;
	/* NLE_AGAIN: drained. An overrun (NLE_NOMEM/ENOBUFS) lost messages:
	 * report both kinds so that the caller re-reads everything. */
	if (r == -NLE_AGAIN)
		return changed;
	if (r == -NLE_NOMEM || r == -NLE_MSG_OVERFLOW)
		return NETIF_CHANGED_LINK | NETIF_CHANGED_ADDR;
	return changed ? changed : netif_nlerr(r);
}

void
netif_watch_close(struct netif_watch *w)
{
	if (!w)
		return;
	nl_socket_free(w->sk);
	free(w);
}
