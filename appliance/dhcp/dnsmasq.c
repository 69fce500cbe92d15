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

	if (!valid_ipv4(addr))
		return -EINVAL;
	if (colon && parse_uint(colon + 1, 1, 65535, &port) < 0)
		return -EINVAL;
	if (port == 80)
		return str_printf(out, outsz, "http://%s", addr);
	return str_printf(out, outsz, "http://%s:%llu", addr, port);
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

/* DHCP section: pools (dhcp), proxyDHCP (proxy), the lease hook. */
static int
dm_render_dhcp(struct strbuf *b, const struct by_config *cfg,
	       const struct dnsmasq_facts *f, char *err, size_t errsz)
{
	char net[16], mask[16], start[2][16], end[2][16];
	unsigned long long pool = 0;
	int n, i;

	if (netif_network(f->addr, f->prefix, net, mask) < 0) {
		snprintf(err, errsz, "bad interface address %s/%u", f->addr,
			 f->prefix);
		return -EINVAL;
	}
	if (cfg->dhcp_mode == DHCP_MODE_PROXY) {
		strbuf_printf(b, "\n# proxyDHCP: addresses come from the site's "
			     "DHCP server\n"
			     "dhcp-range=%s,proxy,%s\n",
			  net, mask);
	} else {
		if (!strcmp(cfg->range, "auto") || !cfg->range[0]) {
			n = dnsmasq_range_auto(f->addr, f->prefix, start, end);
			if (n < 0) {
				snprintf(err, errsz, "[dhcp] range = auto: "
					 "%s/%u leaves no room for clients",
					 f->addr, f->prefix);
				return -EINVAL;
			}
		} else {
			char tmp[sizeof(cfg->range)], *comma, n0[16], n1[16];

			str_copy(tmp, sizeof(tmp), cfg->range);
			comma = strchr(tmp, ',');
			if (comma)
				*comma++ = '\0';
			if (!comma || !valid_ipv4(tmp) || !valid_ipv4(comma) ||
			    netif_network(tmp, f->prefix, n0, NULL) < 0 ||
			    netif_network(comma, f->prefix, n1, NULL) < 0 ||
			    strcmp(n0, net) || strcmp(n1, net)) {
				snprintf(err, errsz, "[dhcp] range = %s is not "
					 "START,END inside %s/%u (the subnet "
					 "of %s)", cfg->range, net, f->prefix,
					 f->iface);
				return -EINVAL;
			}
			str_copy(start[0], 16, tmp);
			str_copy(end[0], 16, comma);
			n = 1;
		}
		strbuf_printf(b, "\n# authoritative DHCP on %s/%u\n"
			     "dhcp-authoritative\n", net, f->prefix);
		for (i = 0; i < n; i++) {
			struct in_addr s0, e0;

			strbuf_printf(b, "dhcp-range=%s,%s,%s,%u\n", start[i],
				  end[i], mask, cfg->lease_time);
			inet_pton(AF_INET, start[i], &s0);
			inet_pton(AF_INET, end[i], &e0);
			if (ntohl(e0.s_addr) >= ntohl(s0.s_addr))
				pool += ntohl(e0.s_addr) - ntohl(s0.s_addr) + 1;
		}
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
	close(p[1]);
	r = child_output(p[0], pid, out, sizeof(out), &len, &status);
	if (r < 0)
		return r;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
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
	      pid_t *ret_pid, int *ret_logfd)
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
