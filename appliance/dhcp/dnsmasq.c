/*
 * dnsmasq.c - render, check, start dnsmasq (see dnsmasq.h).
 */
#include "appliance/dhcp/dnsmasq.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "appliance/core/arch.h"
#include "common/netif.h"
#include "common/util.h"
#include "common/valid.h"

/* A value safe on a dnsmasq config line: the config parser's path class. */
static bool
dm_safe(const char *s)
{
	if (!s || !*s || strlen(s) > 1024)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("._/+@~-:", *s)))
			return false;
	return true;
}

const char *
dnsmasq_bios_file(enum cfg_bios_loader l)
{
	struct by_config c = { .bios_loader = l };
	const struct arch *a = arch_primary(ARCH_FW_BIOS);

	return arch_loader_file(a, arch_loader_of(a, &c));
}

const char *
dnsmasq_uefi_file(enum cfg_uefi_loader l)
{
	struct by_config c = { .uefi_loader = l };
	const struct arch *a = arch_primary(ARCH_FW_UEFI);

	return arch_loader_file(a, arch_loader_of(a, &c));
}

int
dnsmasq_http_base(const struct by_config *cfg, const char *addr, char *out,
		  size_t outsz)
{
	const char *colon = strrchr(cfg->listen, ':');
	unsigned long long port = 80;

	bool v6 = valid_ipv6(addr);

	if (!v6 && !valid_ipv4(addr))
		return -EINVAL;
	if (colon && parse_uint(colon + 1, 1, 65535, &port) < 0)
		return -EINVAL;
	if (port == 80)
		return str_printf(out, outsz, v6 ? "http://[%s]" : "http://%s",
				  addr);
	return str_printf(out, outsz, v6 ? "http://[%s]:%llu" : "http://%s:%llu",
			  addr, port);
}

int
dnsmasq_http_boot_base(const struct by_config *cfg, const char *http_base,
		       char *out, size_t outsz)
{
	const char *colon = strrchr(cfg->tls_listen, ':');
	unsigned long long port = 443;
	char host[64];
	size_t n;

	if (!str_has_prefix(http_base, "http://"))
		return -EINVAL;
	if (!cfg->http_boot_tls)
		return str_printf(out, outsz, "%s", http_base);
	/* http://ADDR[:PORT]: an IPv4 address, no brackets */
	n = strcspn(http_base + 7, ":");
	if (!colon || !strcmp(cfg->tls_listen, "off") || n >= sizeof(host) ||
	    parse_uint(colon + 1, 1, 65535, &port) < 0)
		return -EINVAL;
	memcpy(host, http_base + 7, n);
	host[n] = '\0';
	if (!valid_ipv4(host))
		return -EINVAL;
	if (port == 443)
		return str_printf(out, outsz, "https://%s", host);
	return str_printf(out, outsz, "https://%s:%llu", host, port);
}

int
dnsmasq_range_auto(const char *addr, unsigned prefix, char start[2][16],
		   char end[2][16])
{
	struct in_addr a;
	uint32_t host, net, bcast, lo, hi, mask;
	int n = 0;

	if (inet_pton(AF_INET, addr, &a) != 1 || prefix > 32)
		return -EINVAL;
	if (prefix > 30)
		return -ERANGE;
	host = ntohl(a.s_addr);
	mask = prefix ? ~0u << (32 - prefix) : 0;
	net = host & mask;
	bcast = net | ~mask;
	lo = net + 1;
	hi = bcast - 1;
	/* below the appliance's address, then above it */
	if (host > lo) {
		a.s_addr = htonl(lo);
		inet_ntop(AF_INET, &a, start[n], 16);
		a.s_addr = htonl(host - 1 < hi ? host - 1 : hi);
		inet_ntop(AF_INET, &a, end[n], 16);
		n++;
	}
	if (host < hi) {
		a.s_addr = htonl(host + 1 > lo ? host + 1 : lo);
		inet_ntop(AF_INET, &a, start[n], 16);
		a.s_addr = htonl(hi);
		inet_ntop(AF_INET, &a, end[n], 16);
		n++;
	}
	/* Keep the larger pool first: dnsmasq fills pools in order. */
	if (n == 2) {
		uint32_t s0, e0, s1, e1;
		inet_pton(AF_INET, start[0], &a);
		s0 = ntohl(a.s_addr);
		inet_pton(AF_INET, end[0], &a);
		e0 = ntohl(a.s_addr);
		inet_pton(AF_INET, start[1], &a);
		s1 = ntohl(a.s_addr);
		inet_pton(AF_INET, end[1], &a);
		e1 = ntohl(a.s_addr);
		if (e1 - s1 > e0 - s0) {
			char t[16];
			memcpy(t, start[0], 16);
			memcpy(start[0], start[1], 16);
			memcpy(start[1], t, 16);
			memcpy(t, end[0], 16);
			memcpy(end[0], end[1], 16);
			memcpy(end[1], t, 16);
		}
	}
	return n;
}

int
dnsmasq_range6_auto(const char *addr, unsigned prefix, char *start,
		    char *end)
{
	struct in6_addr a;
	unsigned i;

	if (!valid_ipv6(addr) || inet_pton(AF_INET6, addr, &a) != 1)
		return -EINVAL;
	if (prefix < 64 || prefix > 112)
		return -ERANGE;
	for (i = prefix; i < 128; i++)
		a.s6_addr[i / 8] &= (unsigned char)~(0x80u >> (i % 8));
	a.s6_addr[14] = 0x10;
	a.s6_addr[15] = 0x00;
	inet_ntop(AF_INET6, &a, start, ADDR_STRLEN);
	a.s6_addr[14] = 0xff;
	a.s6_addr[15] = 0xff;
	inet_ntop(AF_INET6, &a, end, ADDR_STRLEN);
	return 0;
}

const char *
dnsmasq_arch_tag(unsigned code)
{
	return arch_code_tag(code, NULL);
}

/* Global section: no DNS, one interface, log to the supervisor's pipe. */
static void
dm_render_global(struct strbuf *b, const struct by_config *cfg,
		 const struct dnsmasq_facts *f)
{
	strbuf_printf(b, "# dnsmasq configuration rendered by bootyard: do not "
		     "edit, it is rewritten\n"
		     "# from %s at every start and reload.\n",
		  cfg->path[0] ? cfg->path : "the built-in defaults");
	/* dnsmasq 2.90 with tftp-single-port and bind-interfaces cannot
	 * send its TFTP data ("failed to send packet: Network is
	 * unreachable", checked here): bind-dynamic binds the same
	 * interface per address and works */
	strbuf_printf(b, "port=0\n"
		     "interface=%s\n"
		     "%s\n"
		     "log-facility=-\n"
		     "pid-file=\n",
		  f->iface,
		  cfg->tftp_single_port ? "bind-dynamic" : "bind-interfaces");
	if (f->user && *f->user)
		strbuf_printf(b, "user=%s\n", f->user);
	if (f->group && *f->group)
		strbuf_printf(b, "group=%s\n", f->group);
}

/*
 * TFTP section. dnsmasq clamps a requested block size to the MTU of the
 * interface it serves on; tftp-mtu lowers that ceiling for a smaller
 * path MTU ([dhcp] tftp_mtu), so no block needs IP fragments.
 * tftp-max bounds concurrent transfers (dnsmasq's default, 50, is too
 * small for a mass boot). tftp-single-port answers from port 69 only,
 * for firewalls and containers that let just that port in.
 */
static void
dm_render_tftp(struct strbuf *b, const struct by_config *cfg,
	       const struct dnsmasq_facts *f)
{
	strbuf_printf(b, "\n# TFTP: first-stage loaders only\n"
		     "enable-tftp\n"
		     "tftp-root=%s\n"
		     "tftp-max=%u\n",
		  f->tftp_root, cfg->tftp_max ? cfg->tftp_max : 1000);
	if (cfg->tftp_mtu)
		strbuf_printf(b, "tftp-mtu=%u\n", cfg->tftp_mtu);
	else
		strbuf_printf(b, "# block size: clamped to %s's MTU by dnsmasq\n",
			  f->iface);
	if (cfg->tftp_single_port)
		strbuf_printf(b, "tftp-single-port\n");
}

/* base is "http://[addr6]" with an optional ":PORT". */
static bool
dm_base6_ok(const char *base, const char *addr6)
{
	size_t n = strlen(addr6);
	unsigned long long port;

	if (!base || strncmp(base, "http://[", 8) || strncmp(base + 8, addr6, n) ||
	    base[8 + n] != ']')
		return false;
	base += 9 + n;
	return !*base || (*base == ':' && parse_uint(base + 1, 1, 65535,
						     &port) == 0);
}

/* Tags: client architecture (option 93) and "is already iPXE". */
static void
dm_render_tags(struct strbuf *b, const struct by_config *cfg)
{
	long code;

	strbuf_printf(b, "\n# client architecture, DHCP option 93 (RFC 4578)\n");
	for (code = arch_code_next(-1); code >= 0;
	     code = arch_code_next(code)) {
		bool http = false;
		const char *tag = arch_code_tag(code, &http);

		strbuf_printf(b, "dhcp-match=set:arch%ld,option:client-arch,%ld\n"
			     "dhcp-match=set:%s,option:client-arch,%ld\n",
			  code, code, tag, code);
		if (http)
			strbuf_printf(b, "dhcp-match=set:httpboot,"
				     "option:client-arch,%ld\n",
				  code);
	}
	if (cfg->ipxe_detect)
		strbuf_printf(b, "# iPXE: user class \"iPXE\" or option 175\n"
			     "dhcp-userclass=set:ipxe,iPXE\n"
			     "dhcp-match=set:ipxe,175\n");
}

const char *
dnsmasq_served_name(enum dnsmasq_served s)
{
	switch (s) {
	case DNSMASQ_SERVED_LOCAL:
		return "local";
	case DNSMASQ_SERVED_RELAYED:
		return "relayed";
	case DNSMASQ_SERVED_PROXY:
		return "proxy";
	}
	return "?";
}

/* The host-order value of a valid IPv4 address. */
static uint32_t
dm_ip(const char *s)
{
	struct in_addr a;

	return inet_pton(AF_INET, s, &a) == 1 ? ntohl(a.s_addr) : 0;
}

/* Is a inside net/prefix? */
static bool
dm_in(const char *a, const char *net, unsigned prefix)
{
	uint32_t mask = prefix ? ~0u << (32 - prefix) : 0;

	return (dm_ip(a) & mask) == (dm_ip(net) & mask);
}

/* Add one pool to ret[*n]; -ENOSPC when full. */
static int
dm_subnet_add(struct dnsmasq_subnet *ret, size_t max, size_t *n,
	      const char *any, unsigned prefix, const char *start,
	      const char *end, enum dnsmasq_served served, int range)
{
	struct dnsmasq_subnet *d;
	size_t i;

	if (served == DNSMASQ_SERVED_PROXY)
		for (i = 0; i < *n; i++)
			if (ret[i].prefix == prefix && dm_in(any, ret[i].net,
							     prefix))
				return 0; /* one proxy line per subnet */
	if (*n >= max)
		return -ENOSPC;
	d = &ret[(*n)++];
	memset(d, 0, sizeof(*d));
	netif_network(any, prefix, d->net, d->mask);
	d->prefix = prefix;
	str_copy(d->start, sizeof(d->start), start ? start : "");
	str_copy(d->end, sizeof(d->end), end ? end : "");
	d->served = served;
	d->range = range;
	return 0;
}

int
dnsmasq_subnets(const struct by_config *cfg, const char *addr,
		unsigned prefix, struct dnsmasq_subnet *ret, size_t max,
		char *err, size_t errsz)
{
	char net[16], as[2][16], ae[2][16], txt[CFG_RANGE_TEXT_MAX];
	bool proxy = cfg->dhcp_mode == DHCP_MODE_PROXY;
	size_t n = 0;
	unsigned i;
	int k, m, r = 0;

	if (errsz)
		err[0] = '\0';
	if (netif_network(addr, prefix, net, NULL) < 0) {
		snprintf(err, errsz, "bad interface address %s/%u", addr,
			 prefix);
		return -EINVAL;
	}
	if (cfg->dhcp_mode == DHCP_MODE_OFF)
		return 0;
	if (proxy)
		r = dm_subnet_add(ret, max, &n, addr, prefix, NULL, NULL,
				  DNSMASQ_SERVED_PROXY, -1);
	for (i = 0; r == 0 && i < cfg->ranges.n; i++) {
		const struct cfg_range *c = &cfg->ranges.r[i];
		bool s_in, e_in;

		if (cfg_range_format(c, txt, sizeof(txt)) < 0)
			str_copy(txt, sizeof(txt), "?");
		if (c->is_auto) {
			if (proxy)
				continue;
			m = dnsmasq_range_auto(addr, prefix, as, ae);
			if (m < 0) {
				snprintf(err, errsz, "[dhcp] range = auto: "
					 "%s/%u leaves no room for clients",
					 addr, prefix);
				return -EINVAL;
			}
			for (k = 0; r == 0 && k < m; k++)
				r = dm_subnet_add(ret, max, &n, addr, prefix,
						  as[k], ae[k],
						  DNSMASQ_SERVED_LOCAL, (int)i);
			if (r == 0 && c->router[0] &&
			    strcmp(c->router, "none") &&
			    !dm_in(c->router, net, prefix))
				goto router_out;
			continue;
		}
		s_in = dm_in(c->start, net, prefix);
		e_in = dm_in(c->end, net, prefix);
		if (s_in != e_in) {
			snprintf(err, errsz, "[dhcp] range = %s crosses the "
				 "edge of %s/%u (the interface's subnet)",
				 txt, net, prefix);
			return -EINVAL;
		}
		if (s_in) {
			if (c->prefix && c->prefix != prefix) {
				snprintf(err, errsz, "[dhcp] range = %s is in "
					 "%s/%u (the interface's subnet) but "
					 "says prefix=%u", txt, net, prefix,
					 c->prefix);
				return -EINVAL;
			}
			if (c->router[0] && strcmp(c->router, "none") &&
			    !dm_in(c->router, net, prefix))
				goto router_out;
			if (!proxy)
				r = dm_subnet_add(ret, max, &n, c->start, prefix,
						  c->start, c->end,
						  DNSMASQ_SERVED_LOCAL, (int)i);
			continue;
		}
		if (!c->prefix) {
			snprintf(err, errsz, "[dhcp] range = %s is outside %s/%u "
				 "(the interface's subnet): a subnet reached "
				 "through a DHCP relay needs prefix=N", txt,
				 net, prefix);
			return -EINVAL;
		}
		if (c->prefix <= prefix && dm_in(addr, c->start, c->prefix)) {
			snprintf(err, errsz, "[dhcp] range = %s: its /%u holds "
				 "%s/%u (the interface's subnet)", txt,
				 c->prefix, net, prefix);
			return -EINVAL;
		}
		r = dm_subnet_add(ret, max, &n, c->start, c->prefix,
				  proxy ? NULL : c->start, proxy ? NULL : c->end,
				  proxy ? DNSMASQ_SERVED_PROXY
					: DNSMASQ_SERVED_RELAYED,
				  (int)i);
	}
	if (r < 0) {
		snprintf(err, errsz, "too many DHCP pools");
		return r;
	}
	return (int)n;
router_out:
	snprintf(err, errsz, "[dhcp] range = %s: router= is outside %s/%u",
		 txt, net, prefix);
	return -EINVAL;
}

/* dhcp-option lines of range line i (tag net<i>), if it has options. */
static void
dm_render_range_options(struct strbuf *b, const struct cfg_range *c,
			unsigned i)
{
	unsigned j;

	if (!strcmp(c->router, "none"))
		strbuf_printf(b, "dhcp-option=tag:net%u,option:router\n", i);
	else if (c->router[0])
		strbuf_printf(b, "dhcp-option=tag:net%u,option:router,%s\n", i,
			      c->router);
	if (c->n_dns) {
		strbuf_printf(b, "dhcp-option=tag:net%u,option:dns-server", i);
		for (j = 0; j < c->n_dns && j < CFG_RANGE_DNS_MAX; j++)
			strbuf_printf(b, ",%s", c->dns[j]);
		strbuf_printf(b, "\n");
	}
	if (c->domain[0])
		strbuf_printf(b, "dhcp-option=tag:net%u,option:domain-name,%s\n",
			      i, c->domain);
}

/* Does range line c set any DHCP option of its own? */
static bool
dm_range_has_options(const struct cfg_range *c)
{
	return c->router[0] || c->n_dns || c->domain[0];
}

/*
 * DHCP section: pools (dhcp), proxyDHCP (proxy), the lease hook. A
 * relayed subnet's requests arrive through its relay, on f->iface: the
 * boot files (TFTP from f->addr) and URLs (f->http_base) are the ones of
 * the local segment, which the relay's subnet reaches through its router.
 */
static int
dm_render_dhcp(struct strbuf *b, const struct by_config *cfg,
	       const struct dnsmasq_facts *f, char *err, size_t errsz)
{
	struct dnsmasq_subnet sn[DNSMASQ_SUBNETS_MAX];
	unsigned long long pool = 0;
	bool said_auth = false;
	int n, i;

	n = dnsmasq_subnets(cfg, f->addr, f->prefix, sn, ARRAY_SIZE(sn), err,
			    errsz);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		const struct cfg_range *c =
			sn[i].range >= 0 ? &cfg->ranges.r[sn[i].range] : NULL;
		/* proxyDHCP sends boot files only: no router, DNS... */
		bool opts = c && sn[i].served != DNSMASQ_SERVED_PROXY &&
			    dm_range_has_options(c);
		char tag[24] = "";

		if (opts)
			snprintf(tag, sizeof(tag), "set:net%d,", sn[i].range);
		if (sn[i].served == DNSMASQ_SERVED_PROXY) {
			if (sn[i].range < 0)
				strbuf_printf(b, "\n# proxyDHCP: addresses come "
					     "from the site's DHCP server\n");
			else
				strbuf_printf(b, "# proxyDHCP for %s/%u, reached "
					     "through a DHCP relay\n",
					  sn[i].net, sn[i].prefix);
			strbuf_printf(b, "dhcp-range=%s%s,proxy,%s\n", tag,
				  sn[i].net, sn[i].mask);
		} else {
			if (sn[i].served == DNSMASQ_SERVED_LOCAL && !said_auth) {
				strbuf_printf(b, "\n# authoritative DHCP on "
					     "%s/%u\n"
					     "dhcp-authoritative\n",
					  sn[i].net, sn[i].prefix);
				said_auth = true;
			} else if (sn[i].served == DNSMASQ_SERVED_RELAYED) {
				strbuf_printf(b, "# %s/%u: through a DHCP relay "
					     "(giaddr), no interface on it\n",
					  sn[i].net, sn[i].prefix);
			}
			strbuf_printf(b, "dhcp-range=%s%s,%s,%s,%u\n", tag,
				  sn[i].start, sn[i].end, sn[i].mask,
				  cfg->lease_time);
			pool += dm_ip(sn[i].end) - dm_ip(sn[i].start) + 1;
		}
		/* one set of options per range line, after its first pool */
		if (opts && (i == 0 || sn[i - 1].range != sn[i].range))
			dm_render_range_options(b, c, (unsigned)sn[i].range);
	}
	if (cfg->dhcp_mode != DHCP_MODE_PROXY) {
		char net[16];

		if (cfg->ranges.off &&
		    netif_network(f->addr, f->prefix, net, NULL) == 0)
			strbuf_printf(b, "\n# [dhcp] range = off: no DHCPv4 on "
				     "%s/%u\ndhcp-authoritative\n", net,
				  f->prefix);
		else if (!said_auth)
			strbuf_printf(b, "\n# authoritative DHCP, relayed "
				     "subnets only\ndhcp-authoritative\n");
		/* dnsmasq stops at 1000 leases unless told: the whole pool */
		strbuf_printf(b, "dhcp-lease-max=%llu\n",
			  pool > 1000 ? pool : 1000ULL);
	}
	strbuf_printf(b, "dhcp-hostsfile=%s\n", f->hostsfile);
	if (f->script && *f->script) {
		/* The database is the lease store: see docs/dhcp.md. */
		strbuf_printf(b, "dhcp-script=%s\n"
			     "leasefile-ro\n",
			  f->script);
		if (f->user && *f->user)
			strbuf_printf(b, "dhcp-scriptuser=%s\n", f->user);
	} else {
		/* no hook: leases live in dnsmasq's memory only */
		strbuf_printf(b, "leasefile-ro\n");
	}
	return 0;
}

/* Is IPv6 served: dhcp mode, range6 not off, an IPv6 address on iface. */
static bool
dm_v6(const struct by_config *cfg, const struct dnsmasq_facts *f)
{
	return cfg->dhcp_mode == DHCP_MODE_DHCP && strcmp(cfg->range6, "off") &&
	       f->addr6 && *f->addr6;
}

/*
 * DHCPv6 and router advertisements. The RA carries the pool's prefix
 * with the M flag (addresses by DHCPv6, as dnsmasq sends for a plain
 * range) and router lifetime 0: the appliance is no default router.
 * Client architecture is DHCPv6 option 61 (RFC 5970), two bytes, the
 * same codes as DHCP option 93: the same tags.
 */
static int
dm_render_dhcp6(struct strbuf *b, const struct by_config *cfg,
		const struct dnsmasq_facts *f, char *err, size_t errsz)
{
	char start[ADDR_STRLEN], end[ADDR_STRLEN], why[160];
	unsigned prefix = 64;
	long code;
	int r;

	if (cfg->dhcp_mode == DHCP_MODE_PROXY && f->addr6 && *f->addr6 &&
	    strcmp(cfg->range6, "off")) {
		strbuf_printf(b, "\n# proxyDHCP: IPv6 clients are not served "
			      "(dnsmasq proxies DHCPv4 only)\n");
		return 0;
	}
	if (!dm_v6(cfg, f))
		return 0;
	if (!strcmp(cfg->range6, "auto") || !cfg->range6[0]) {
		r = dnsmasq_range6_auto(f->addr6, f->prefix6, start, end);
		if (r < 0) {
			strbuf_printf(b, "\n# [dhcp] range6 = auto: %s/%u is no "
				      "prefix to serve (64 to 112 bits): no "
				      "DHCPv6\n", f->addr6, f->prefix6);
			return 0;
		}
		prefix = f->prefix6 > 64 ? f->prefix6 : 64;
	} else if (cfg_range6_split(cfg->range6, start, end, &prefix, why,
				    sizeof(why)) < 0) {
		snprintf(err, errsz, "[dhcp] range6: %s", why);
		return -EINVAL;
	}
	strbuf_printf(b, "\n# DHCPv6 and router advertisements on %s "
		      "(%s/%u)\n"
		      "enable-ra\n"
		      "ra-param=%s,60,0\n"
		      "dhcp-range=%s,%s,%u,%u\n",
		      f->iface, f->addr6, f->prefix6, f->iface, start, end,
		      prefix, cfg->lease_time);
	strbuf_printf(b, "# client architecture, DHCPv6 option 61 (RFC 5970)\n");
	for (code = arch_code_next(-1); code >= 0;
	     code = arch_code_next(code))
		strbuf_printf(b, "dhcp-match=set:arch%ld,option6:61,%02lx:%02lx\n"
			      "dhcp-match=set:%s,option6:61,%02lx:%02lx\n",
			      code, code >> 8, code & 0xff,
			      arch_code_tag(code, NULL), code >> 8, code & 0xff);
	return 0;
}

/* Is a's [boot] local_bios / local_efi "nofile"? */
static bool
dm_nofile(const struct by_config *cfg, const struct arch *a)
{
	return (a->fw == ARCH_FW_BIOS ? cfg->local_bios : cfg->local_efi) ==
	       LOCAL_BOOT_NOFILE;
}

/* Does any architecture's site default say "nofile"? */
static bool
dm_any_nofile(const struct by_config *cfg)
{
	size_t i;

	for (i = 0; i < arch_count(); i++)
		if (dm_nofile(cfg, arch_at(i)))
			return true;
	return false;
}

/*
 * Hosts in local state (hostsfile tags, see dnsmasq_render_hosts):
 * DNSMASQ_TAG_NOFILE never get a file, DNSMASQ_TAG_LOCAL not on an
 * architecture whose site default is "nofile". The tag conditions
 * for a's boot file.
 */
static const char *
dm_not_local(const struct by_config *cfg, const struct arch *a)
{
	return dm_nofile(cfg, a) ? "tag:!" DNSMASQ_TAG_LOCAL "," : "";
}

/* The file a client of a gets for the configured loader, "" for none. */
static void
dm_loader_path(const struct by_config *cfg, const struct arch *a,
	       char *out, size_t outsz)
{
	const char *file = arch_loader_file(a, arch_loader_of(a, cfg));

	if (!file || str_printf(out, outsz, "%s%s", a->dir, file) < 0)
		out[0] = '\0';
}

/* PXE boot files: one dhcp-boot per architecture, in proxy mode one
 * pxe-service per UEFI option 93 code. */
static void
dm_render_boot_pxe(struct strbuf *b, const struct by_config *cfg)
{
	const char *notipxe = cfg->ipxe_detect ? "tag:!ipxe," : "";
	const char *nn = "tag:!" DNSMASQ_TAG_NOFILE ",";
	bool said = false;
	char file[128];
	size_t i, j;

	for (i = 0; i < arch_count(); i++) {
		const struct arch *a = arch_at(i);
		const char *nl = dm_not_local(cfg, a);

		dm_loader_path(cfg, a, file, sizeof(file));
		if (!file[0]) {
			strbuf_printf(b, "# %s: no such loader\n", a->name);
			continue;
		}
		if (a->fw == ARCH_FW_BIOS ||
		    cfg->dhcp_mode != DHCP_MODE_PROXY) {
			strbuf_printf(b, "dhcp-boot=tag:%s,%s%s%s%s\n", a->pxe_tag,
				  notipxe, nn, nl, file);
			continue;
		}
		if (!said)
			strbuf_printf(b, "# proxyDHCP: UEFI PXE gets its file on "
				     "port 4011\n");
		said = true;
		for (j = 0; j < a->n_pxe_codes; j++)
			strbuf_printf(b, "pxe-service=%s%s%s%u,\"bootyard\",%s\n",
				  notipxe, nn, nl, a->pxe_codes[j], file);
	}
}

/*
 * UEFI HTTP Boot: a URL, and option 60 "HTTPClient" echoed back, or the
 * firmware ignores the offer (UEFI spec, HTTP Boot). A code only tagged
 * may have a placeholder URL (arch.c); a row serving it replaces that.
 *
 * Proxy mode: dnsmasq answers in a proxy range only the clients whose
 * vendor class starts with one of its PXE vendors, "PXEClient" unless
 * told (rfc2131.c, is_pxe_client); an HTTP Boot client says
 * "HTTPClient:Arch:00016:...". dhcp-pxe-vendor adds it: dnsmasq then
 * sends it a proxy offer (no address) with the dhcp-boot URL as file and
 * the vendor class it matched, "HTTPClient", as option 60 (and no
 * option 43: arch >= 6 is not sent to port 4011 without a pxe-service of
 * its code). edk2 takes that as a "proxy URI" offer beside the site
 * server's address offer (docs/dhcp.md, "UEFI HTTP Boot").
 */
static void
dm_render_boot_http(struct strbuf *b, const struct by_config *cfg,
		    const char *base)
{
	const char *nn = "tag:!" DNSMASQ_TAG_NOFILE ",";
	const char *ne = dm_not_local(cfg, arch_primary(ARCH_FW_UEFI));
	char file[128];
	size_t i;

	strbuf_printf(b, "# UEFI HTTP Boot clients get a URL\n");
	if (cfg->dhcp_mode == DHCP_MODE_PROXY)
		strbuf_printf(b, "# proxyDHCP: answer vendor class HTTPClient "
			     "too (a proxy offer with the URL)\n"
			     "dhcp-pxe-vendor=PXEClient,HTTPClient\n");
	strbuf_printf(b, "dhcp-option-force=tag:httpboot,option:"
		     "vendor-class,HTTPClient\n");
	for (i = 0; i < arch_count(); i++) {
		const struct arch *a = arch_at(i);

		dm_loader_path(cfg, a, file, sizeof(file));
		if (a->http_tag && file[0])
			strbuf_printf(b, "dhcp-boot=tag:%s,%s%s%s/files/tftp/%s\n",
				  a->http_tag, nn, dm_not_local(cfg, a),
				  base, file);
	}
	for (i = 0; i < arch_unserved_count(); i++) {
		const struct arch_code *c = arch_unserved_at(i);

		if (c->http && c->placeholder && !arch_by_code(c->code))
			strbuf_printf(b, "dhcp-boot=tag:%s,%s%s%s/files/tftp/%s\n",
				  c->tag, nn, ne, base, c->placeholder);
	}
}

/*
 * A client that already is iPXE gets the boot script. It comes over
 * TFTP, not HTTP: when the HTTP service is down it still runs, retries,
 * and falls back to the local disk (Debian's iPXE has no embedded
 * script; an iPXE that fails to fetch a URL filename just exits, and
 * UEFI firmware then walks its other boot entries for minutes). The
 * script itself is what /ipxe/v1/boot serves.
 */
static void
dm_render_boot_ipxe(struct strbuf *b, const struct by_config *cfg,
		    const struct dnsmasq_facts *f)
{
	const char *nn = "tag:!" DNSMASQ_TAG_NOFILE ",";
	char url[96];
	size_t i;

	snprintf(url, sizeof(url), "tftp://%s/boot.ipxe", f->addr);
	strbuf_printf(b, "# a client that already is iPXE gets the boot "
		     "script (TFTP: it runs even when HTTP is down)\n");
	if (!dm_any_nofile(cfg)) {
		strbuf_printf(b, "dhcp-boot=tag:ipxe,%s%s\n", nn, url);
		return;
	}
	strbuf_printf(b, "dhcp-boot=tag:ipxe,%stag:!%s,%s\n", nn,
		  DNSMASQ_TAG_LOCAL, url);
	for (i = 0; i < arch_count(); i++)
		if (!dm_nofile(cfg, arch_at(i)))
			strbuf_printf(b, "dhcp-boot=tag:ipxe,%stag:%s,tag:%s,%s\n",
				  nn, DNSMASQ_TAG_LOCAL, arch_at(i)->pxe_tag,
				  url);
}

/*
 * IPv6 boot files: option6 bootfile-url, a URL always. UEFI PXE (there
 * is no IPv6 PXE on BIOS) gets its loader by TFTP from the appliance's
 * IPv6 address; iPXE the boot script over HTTP (the TFTP boot.ipxe
 * names the IPv4 address). UEFI HTTP Boot over IPv6 is not offered:
 * dnsmasq 2.90 encodes option 16 without the enterprise number and
 * OVMF refuses the answer (docs/dhcp.md).
 */
static void
dm_render_boot6(struct strbuf *b, const struct by_config *cfg,
		const struct dnsmasq_facts *f)
{
	const char *notipxe = cfg->ipxe_detect ? "tag:!ipxe," : "";
	const char *nn = "tag:!" DNSMASQ_TAG_NOFILE ",";
	char file[128];
	size_t i;

	if (!dm_v6(cfg, f))
		return;
	strbuf_printf(b, "# IPv6: UEFI PXE gets tftp://[%s]/, iPXE the boot "
		      "script over HTTP\n", f->addr6);
	for (i = 0; i < arch_count(); i++) {
		const struct arch *a = arch_at(i);

		if (a->fw == ARCH_FW_BIOS)
			continue;
		dm_loader_path(cfg, a, file, sizeof(file));
		if (file[0])
			strbuf_printf(b, "dhcp-option=tag:%s,%s%s%soption6:"
				      "bootfile-url,tftp://[%s]/%s\n",
				      a->pxe_tag, notipxe, nn,
				      dm_not_local(cfg, a), f->addr6, file);
	}
	if (!cfg->ipxe_detect)
		return;
	if (!dm_any_nofile(cfg)) {
		strbuf_printf(b, "dhcp-option=tag:ipxe,%soption6:bootfile-url,"
			      "%s/ipxe/v1/boot\n", nn, f->http_base6);
		return;
	}
	strbuf_printf(b, "dhcp-option=tag:ipxe,%stag:!%s,option6:bootfile-url,"
		      "%s/ipxe/v1/boot\n", nn, DNSMASQ_TAG_LOCAL, f->http_base6);
	for (i = 0; i < arch_count(); i++)
		if (!dm_nofile(cfg, arch_at(i)))
			strbuf_printf(b, "dhcp-option=tag:ipxe,%stag:%s,tag:%s,"
				      "option6:bootfile-url,%s/ipxe/v1/boot\n",
				      nn, DNSMASQ_TAG_LOCAL,
				      arch_at(i)->pxe_tag, f->http_base6);
}

/*
 * Boot files, per architecture of the table (arch.h). dhcp-boot puts the
 * file into the offer: every client in dhcp mode, and in proxy mode BIOS
 * PXE ROMs (dnsmasq adds PXE discovery control 8: "boot the file in the
 * offer") and iPXE. In proxy mode dnsmasq answers PXE clients only when
 * pxe-service lines exist; it sends UEFI PXE clients (arch >= 6) to port
 * 4011 and hands them the one matching pxe-service file there.
 */
static void
dm_render_boot(struct strbuf *b, const struct by_config *cfg,
	       const struct dnsmasq_facts *f, const char *http_boot_base)
{
	strbuf_printf(b, "\n# boot files by firmware (bios_loader = %s, "
		     "uefi_loader = %s)\n",
		  cfg_bios_loader_name(cfg->bios_loader),
		  cfg_uefi_loader_name(cfg->uefi_loader));
	strbuf_printf(b, "# no boot file for hosts in local state tagged %s%s\n",
		  DNSMASQ_TAG_NOFILE,
		  dm_any_nofile(cfg) ? " or " DNSMASQ_TAG_LOCAL : "");
	dm_render_boot_pxe(b, cfg);
	dm_render_boot_http(b, cfg, http_boot_base);
	if (cfg->ipxe_detect)
		dm_render_boot_ipxe(b, cfg, f);
	dm_render_boot6(b, cfg, f);
}

int
dnsmasq_render(const struct by_config *cfg, const struct dnsmasq_facts *f,
	       char **ret, char *err, size_t errsz)
{
	struct strbuf b = { 0 };
	const char *bad = NULL;
	char hbase[128];
	int r;

	if (errsz)
		err[0] = '\0';
	if (!dm_safe(f->iface))
		bad = "interface";
	else if (!valid_ipv4(f->addr))
		bad = "address";
	else if (!dm_safe(f->tftp_root) || f->tftp_root[0] != '/')
		bad = "tftp_root";
	else if (!dm_safe(f->hostsfile) || f->hostsfile[0] != '/')
		bad = "hostsfile";
	else if (f->script && *f->script && !dm_safe(f->script))
		bad = "lease hook path";
	else if (f->user && *f->user && !dm_safe(f->user))
		bad = "user";
	else if (f->group && *f->group && !dm_safe(f->group))
		bad = "group";
	else if (!dm_safe(f->http_base) ||
		 !str_has_prefix(f->http_base, "http://"))
		bad = "HTTP base URL";
	else if (f->addr6 && *f->addr6 &&
		 (!valid_ipv6(f->addr6) || f->prefix6 > 128 ||
		  !dm_base6_ok(f->http_base6, f->addr6)))
		bad = "IPv6 address or its HTTP base URL";
	if (bad) {
		snprintf(err, errsz, "cannot write the %s into dnsmasq's "
				     "configuration safely", bad);
		return -EINVAL;
	}
	if (dnsmasq_http_boot_base(cfg, f->http_base, hbase,
				   sizeof(hbase)) < 0) {
		snprintf(err, errsz, "[dhcp] http_boot_tls: no HTTPS URL from "
			 "%s and [http] tls_listen = %s", f->http_base,
			 cfg->tls_listen);
		return -EINVAL;
	}
	dm_render_global(&b, cfg, f);
	dm_render_tftp(&b, cfg, f);
	if (cfg->dhcp_mode != DHCP_MODE_OFF) {
		dm_render_tags(&b, cfg);
		r = dm_render_dhcp(&b, cfg, f, err, errsz);
		if (r == 0)
			r = dm_render_dhcp6(&b, cfg, f, err, errsz);
		if (r < 0) {
			free(b.p);
			return r;
		}
		dm_render_boot(&b, cfg, f, hbase);
	} else {
		strbuf_printf(&b, "\n# [dhcp] mode = off: no DHCP, TFTP only\n");
	}
	if (b.err) {
		free(b.p);
		snprintf(err, errsz, "out of memory");
		return b.err;
	}
	*ret = b.p;
	return 0;
}

int
dnsmasq_render_hosts(const struct dnsmasq_host *h, size_t n, char **ret,
		     size_t *ret_skipped)
{
	struct strbuf b = { 0 };
	size_t i, j, skipped = 0;

	strbuf_printf(&b, "# reservations rendered by bootyard from the host "
		      "database\n");
	for (i = 0; i < n; i++) {
		char mac[MAC_STR_LEN];
		bool any_ip = h[i].ip && *h[i].ip;
		/* an IPv6 fixed address is no DHCPv4 reservation (DHCPv6
		 * ones are not rendered yet): the host keeps its tag */
		bool has_ip = any_ip && valid_ipv4(h[i].ip);
		bool ok = h[i].n_macs > 0 && h[i].n_macs <= 8 &&
			  (any_ip || h[i].tag) &&
			  (!any_ip || valid_ip(h[i].ip)) &&
			  (!h[i].tag || !strcmp(h[i].tag, DNSMASQ_TAG_LOCAL) ||
			   !strcmp(h[i].tag, DNSMASQ_TAG_NOFILE)) &&
			  (!h[i].hostname || !*h[i].hostname ||
			   valid_hostname(h[i].hostname));

		for (j = 0; ok && j < h[i].n_macs; j++)
			ok = h[i].macs[j] && mac_parse(h[i].macs[j], mac) == 0 &&
			     !strcmp(mac, h[i].macs[j]);
		if (!ok) {
			skipped++;
			continue;
		}
		if (!has_ip && !h[i].tag)
			continue;
		for (j = 0; j < h[i].n_macs; j++)
			strbuf_printf(&b, "%s%s", j ? "," : "", h[i].macs[j]);
		if (h[i].tag)
			strbuf_printf(&b, ",set:%s", h[i].tag);
		if (has_ip)
			strbuf_printf(&b, ",%s", h[i].ip);
		if (h[i].hostname && *h[i].hostname)
			strbuf_printf(&b, ",%s", h[i].hostname);
		strbuf_printf(&b, "\n");
	}
	if (b.err) {
		free(b.p);
		return b.err;
	}
	*ret = b.p;
	if (ret_skipped)
		*ret_skipped = skipped;
	return 0;
}

/* Child side of a fork: stdin from /dev/null, stdout+stderr to fd. */
static void
dm_child_stdio(int fd)
{
	int null = open("/dev/null", O_RDONLY);
	sigset_t none;

	if (null >= 0) {
		dup2(null, 0);
		if (null > 2)
			close(null);
	}
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
}

/*
 * dm_fork - the start of running dnsmasq on conf: "--conf-file=conf" into
 * arg (argsz bytes), a pipe p for its output and a fork. Returns 0 in
 * both processes with *ret_pid (0 in the child, whose stdio is then set
 * up: it goes on to exec), or -errno.
 */
static int
dm_fork(const char *conf, char *arg, size_t argsz, int p[2], pid_t *ret_pid)
{
	int e;

	if (str_printf(arg, argsz, "--conf-file=%s", conf) < 0)
		return -ENAMETOOLONG;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	*ret_pid = fork();
	if (*ret_pid < 0) {
		e = errno;
		close(p[0]);
		close(p[1]);
		return -e;
	}
	if (*ret_pid == 0)
		dm_child_stdio(p[1]);
	return 0;
}

int
dnsmasq_check(const char *dnsmasq, const char *conf, char *err,
	      size_t errsz)
{
	char arg[CFG_PATH_MAX + 16], out[1024];
	int p[2], status, r;
	size_t len = 0;
	pid_t pid;

	r = dm_fork(conf, arg, sizeof(arg), p, &pid);
	if (r < 0)
		return r;
	if (pid == 0) {
		execl(dnsmasq, dnsmasq, "--test", arg, (char *)NULL);
		_exit(127);
	}
	r = child_exit_ok(p, pid, out, sizeof(out), &len, &status);
	if (r <= 0)
		return r;
	while (len && (out[len - 1] == '\n' || out[len - 1] == '\r'))
		out[--len] = '\0';
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		snprintf(err, errsz, "cannot run %s", dnsmasq);
		return -ENOENT;
	}
	snprintf(err, errsz, "%s", len ? out : "dnsmasq --test failed");
	return -EINVAL;
}

int
dnsmasq_spawn(const char *dnsmasq, const char *conf, const char *db_path,
	      const char *spool, pid_t *ret_pid, int *ret_logfd)
{
	char arg[CFG_PATH_MAX + 16];
	int p[2], r;
	pid_t pid;

	r = dm_fork(conf, arg, sizeof(arg), p, &pid);
	if (r < 0)
		return r;
	if (pid == 0) {
		if (db_path)
			setenv("BOOTYARD_DB", db_path, 1);
		if (spool)
			setenv("BOOTYARD_SPOOL", spool, 1);
		execl(dnsmasq, dnsmasq, "--keep-in-foreground", arg,
		      (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK);
	/* dnsmasq blocks when its log pipe is full: give bursts room (the
	 * default is 64 KiB, a few hundred lines); failure is harmless */
	fcntl(p[0], F_SETPIPE_SZ, 1 << 20);
	*ret_pid = pid;
	*ret_logfd = p[0];
	return 0;
}

/* Whether /proc/<pid>/cmdline holds both of dnsmasq_spawn's arguments
 * for the config file whose argument is confarg. */
static bool
dm_cmdline_is(const char *pid, const char *confarg)
{
	char path[64], buf[4096];
	bool fg = false, conf = false;
	ssize_t n;
	size_t i;
	int fd;

	if (str_printf(path, sizeof(path), "/proc/%s/cmdline", pid) < 0)
		return false;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	for (i = 0; i < (size_t)n; i += strlen(buf + i) + 1) {
		if (!strcmp(buf + i, "--keep-in-foreground"))
			fg = true;
		else if (!strcmp(buf + i, confarg))
			conf = true;
	}
	return fg && conf;
}

int
dnsmasq_stale(const char *conf, pid_t *ret_pids, size_t max)
{
	char confarg[CFG_PATH_MAX + 16];
	struct dirent *e;
	size_t n = 0;
	DIR *d;

	if (str_printf(confarg, sizeof(confarg), "--conf-file=%s", conf) < 0)
		return -ENAMETOOLONG;
	d = opendir("/proc");
	if (!d)
		return -errno;
	while (n < max && (e = readdir(d))) {
		unsigned long long pid;

		if (parse_uint(e->d_name, 1, INT32_MAX, &pid) < 0 ||
		    (pid_t)pid == getpid())
			continue;
		if (dm_cmdline_is(e->d_name, confarg))
			ret_pids[n++] = (pid_t)pid;
	}
	closedir(d);
	return (int)n;
}

unsigned
dnsmasq_backoff_ms(unsigned prev_ms, uint64_t ran_ms)
{
	if (prev_ms == 0 || ran_ms >= 60000)
		return 200;
	if (prev_ms >= 15000)
		return 30000;
	return prev_ms * 2;
}
