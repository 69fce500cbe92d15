/*
 * dnsmasq.h - bootyard's dnsmasq: the configuration it runs with (a pure
 * function of the bootyard config and the interface facts), the
 * reservations file, and the child process (check, start, supervise).
 *
 * The renderer is split into sections (global, TFTP, client tags, DHCP
 * mode, boot files) so that later options (tftp-single-port, the TFTP
 * block size clamp, shim for Secure Boot) are one more line in one
 * section. Golden files: tests/golden/dnsmasq/.
 */
#ifndef BOOTYARD_DNSMASQ_H
#define BOOTYARD_DNSMASQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "appliance/core/config.h"

/* What the renderer needs to know beyond the config: all strings. */
struct dnsmasq_facts {
	const char *iface;     /* the serving interface, e.g. "eth0" */
	const char *addr;      /* the appliance's IPv4 address on it */
	unsigned prefix;       /* its prefix length */
	const char *http_base; /* "http://ADDR[:PORT]", no trailing slash */
	const char *addr6;     /* the appliance's global IPv6 address on
				* iface (serves DHCPv6, RA, TFTP and HTTP
				* to IPv6 clients); NULL or "" = none */
	unsigned prefix6;      /* its prefix length */
	const char *http_base6; /* "http://[ADDR6][:PORT]"; with addr6 */
	const char *tftp_root; /* absolute */
	const char *hostsfile; /* reservations file (dhcp-hostsfile) */
	const char *script;    /* the lease hook; NULL or "" = none */
	const char *user;      /* dnsmasq --user; NULL or "" = not set */
	const char *group;     /* dnsmasq --group; NULL or "" = not set */
};

/* The boot file names per loader setting (also what tftp-root builds). */
const char *dnsmasq_bios_file(enum cfg_bios_loader l);
const char *dnsmasq_uefi_file(enum cfg_uefi_loader l);

/*
 * dnsmasq_http_base - "http://ADDR" or "http://ADDR:PORT" (PORT from
 * cfg->listen when it is not 80) into out; an IPv6 ADDR (valid_ipv6) in
 * brackets: "http://[fd00::1]". 0, -EINVAL or -ENAMETOOLONG.
 */
int dnsmasq_http_base(const struct by_config *cfg, const char *addr,
		      char *out, size_t outsz);

/*
 * dnsmasq_http_boot_base - the base of the UEFI HTTP Boot URLs into out:
 * http_base itself, or with [dhcp] http_boot_tls "https://ADDR" or
 * "https://ADDR:PORT" (ADDR from http_base, PORT from [http] tls_listen
 * when it is not 443). 0, -EINVAL or -ENAMETOOLONG.
 */
int dnsmasq_http_boot_base(const struct by_config *cfg, const char *http_base,
			   char *out, size_t outsz);

/*
 * dnsmasq_range_auto - the DHCP pool(s) of addr/prefix: every host
 * address of the subnet except addr, as at most two START,END ranges
 * (below and above addr). Writes the ranges into start[i]/end[i] (16
 * bytes each) and returns how many (1 or 2), or -EINVAL (bad address),
 * -ERANGE (prefix > 30: no room for clients).
 */
int dnsmasq_range_auto(const char *addr, unsigned prefix, char start[2][16],
		       char end[2][16]);

/* How a subnet is served. */
enum dnsmasq_served {
	DNSMASQ_SERVED_LOCAL,   /* on the appliance's own segment */
	DNSMASQ_SERVED_RELAYED, /* through a DHCP relay (giaddr): the
				   appliance has no interface on it */
	DNSMASQ_SERVED_PROXY,   /* proxyDHCP: boot files only, addresses
				   from the site's DHCP server */
};

/* One pool dnsmasq serves: a subnet, how, and its [dhcp] range line. */
struct dnsmasq_subnet {
	char net[16];   /* network address */
	unsigned prefix;
	char mask[16];
	char start[16]; /* the pool; "" in proxy mode */
	char end[16];
	enum dnsmasq_served served;
	int range;      /* index into cfg->ranges, -1 = none (proxy's own
			   subnet) */
};

#define DNSMASQ_SUBNETS_MAX (CFG_RANGES_MAX + 1)

/* "local", "relayed" or "proxy". */
const char *dnsmasq_served_name(enum dnsmasq_served s);

/*
 * dnsmasq_subnets - the pools cfg's [dhcp] range lines make on an
 * interface holding addr/prefix: "auto" gives the interface's subnet
 * (dnsmasq_range_auto), START,END inside that subnet a local pool,
 * START,END outside it (with prefix=) a relayed one; in proxy mode the
 * interface's subnet and each relayed range's subnet, as proxy. Pure.
 * Returns how many (at most max) into ret, or -EINVAL with a reason in
 * err: a range across the interface's subnet edge, a relayed range
 * without prefix=, a prefix= that contradicts the interface's, a
 * relayed subnet that holds the interface's, a router outside its
 * subnet; -ENOSPC when max is too small. With mode off: 0.
 */
int dnsmasq_subnets(const struct by_config *cfg, const char *addr,
		    unsigned prefix, struct dnsmasq_subnet *ret, size_t max,
		    char *err, size_t errsz);

/*
 * dnsmasq_range6_auto - the DHCPv6 pool of addr/prefix for [dhcp]
 * range6 = auto: NET::1000 to NET::ffff of the prefix (the low
 * addresses stay free for the appliance and static hosts). start and
 * end are ADDR_STRLEN bytes. 0, -EINVAL (not valid_ipv6), -ERANGE
 * (prefix not 64..112: no room, or not a subnet DHCPv6 with RA serves).
 */
int dnsmasq_range6_auto(const char *addr, unsigned prefix, char *start,
			char *end);

/*
 * dnsmasq_render - the dnsmasq configuration for cfg on the interface
 * described by f. Pure: no I/O. Returns 0 and *ret (malloc'd text, the
 * caller frees), or -EINVAL with a reason in err (a value that cannot be
 * written safely, a configured range outside the subnet...), -ENOMEM.
 * With cfg->dhcp_mode == off the result serves TFTP only. In dhcp mode
 * an interface with f->addr6 is served over IPv6 too (DHCPv6 and router
 * advertisements, [dhcp] range6 unless "off"): option6 bootfile-url by
 * client architecture, tftp://[ADDR6]/ for firmware, the boot script's
 * http://[ADDR6]/ URL for iPXE. [dhcp] range = off leaves DHCPv4 out.
 */
int dnsmasq_render(const struct by_config *cfg, const struct dnsmasq_facts *f,
		   char **ret, char *err, size_t errsz);

/*
 * Hostsfile tags of hosts in local state ("no boot file once installed"):
 * NOFILE for a host whose own local_boot is "nofile" (never a boot
 * file), LOCAL for one that follows the site default (no boot file on a
 * platform whose [boot] local_bios / local_efi is "nofile").
 */
#define DNSMASQ_TAG_NOFILE "bynofile"
#define DNSMASQ_TAG_LOCAL "bylocal"

/* One hostsfile line: a reservation and/or a local-state tag. */
struct dnsmasq_host {
	const char *macs[8]; /* canonical MACs, n_macs of them */
	size_t n_macs;
	const char *ip;       /* NULL or "" = no fixed address */
	const char *hostname; /* NULL or "" = none */
	const char *tag;      /* NULL, DNSMASQ_TAG_NOFILE or _LOCAL */
};

/*
 * dnsmasq_arch_tag - the class tag dnsmasq sets for DHCP option 93 value
 * code ("bios", "efi64", "httpx64"...), NULL for a code not mapped.
 */
const char *dnsmasq_arch_tag(unsigned code);

/*
 * dnsmasq_render_hosts - the dhcp-hostsfile text for n entries, one
 * line "MAC[,MAC...][,set:TAG][,IP][,HOSTNAME]" each (an entry needs an
 * IP or a tag). IP is IPv4 only: an entry whose ip is IPv6 is rendered
 * for its tag without it, or not at all (not counted as skipped).
 * Entries whose values do not
 * validate are skipped and counted in *ret_skipped (may be NULL).
 * Returns 0 and *ret (malloc'd), or -ENOMEM.
 */
int dnsmasq_render_hosts(const struct dnsmasq_host *h, size_t n, char **ret,
			 size_t *ret_skipped);

/*
 * dnsmasq_check - run `dnsmasq --test --conf-file=conf`. Returns 0 when
 * dnsmasq accepts it, -EINVAL with dnsmasq's message in err otherwise,
 * or -errno when it could not be run.
 */
int dnsmasq_check(const char *dnsmasq, const char *conf, char *err,
		  size_t errsz);

/*
 * dnsmasq_spawn - start `dnsmasq --keep-in-foreground --conf-file=conf`
 * with stdout and stderr on a pipe, and BOOTYARD_DB=db_path and
 * BOOTYARD_SPOOL=spool (each when not NULL) in its environment (the
 * lease hook inherits them). Returns 0, *ret_pid and *ret_logfd
 * (non-blocking, close-on-exec; the caller reads and closes it), or
 * -errno.
 */
int dnsmasq_spawn(const char *dnsmasq, const char *conf, const char *db_path,
		  const char *spool, pid_t *ret_pid, int *ret_logfd);

/*
 * dnsmasq_stale - the processes running with dnsmasq_spawn's arguments
 * for conf ("--keep-in-foreground" and "--conf-file=conf"): a dnsmasq
 * left behind by a serve that was killed (SIGKILL, OOM) before it could
 * stop it, which still holds the DHCP and TFTP ports with an old config.
 * Up to max pids (never this process) into ret_pids; returns how many
 * were found, or -errno.
 */
int dnsmasq_stale(const char *conf, pid_t *ret_pids, size_t max);

/*
 * dnsmasq_backoff_ms - the delay before restarting a dnsmasq that died:
 * 200 ms after a run of at least a minute, else twice the previous delay,
 * capped at 30 s. prev_ms is the previous delay (0 = none yet), ran_ms
 * how long the child ran.
 */
unsigned dnsmasq_backoff_ms(unsigned prev_ms, uint64_t ran_ms);

#endif
