/*
 * lease.c - parse dnsmasq's --dhcp-script arguments and environment
 * (see lease.h). Pure: no I/O.
 */
#include "appliance/dhcp/lease.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "common/valid.h"

/* Longest environment value looked at; longer ones are cut. */
#define LEASE_ENV_MAX 4096

/* The value of name in envp, or NULL. */
static const char *
lease_env(char *const envp[], const char *name)
{
	size_t n = strlen(name);

	if (!envp)
		return NULL;
	for (; *envp; envp++)
		if (!strncmp(*envp, name, n) && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

int
lease_clean_text(char *dst, size_t dstsz, const char *src)
{
	size_t i;
	int changed = 0;

	if (!dstsz)
		return 1;
	for (i = 0; src[i] && i < dstsz - 1; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c < 0x20 || c > 0x7e) {
			dst[i] = '?';
			changed = 1;
		} else {
			dst[i] = (char)c;
		}
	}
	dst[i] = '\0';
	if (src[i])
		changed = 1;
	return changed;
}

int
lease_arch_from_vendor(const char *v)
{
	unsigned long long a;
	char digits[6];
	const char *p;

	if (!v)
		return -1;
	if (str_has_prefix(v, "PXEClient:Arch:"))
		p = v + 15;
	else if (str_has_prefix(v, "HTTPClient:Arch:"))
		p = v + 16;
	else
		return -1;
	memcpy(digits, p, 5);
	digits[5] = '\0';
	if (strnlen(p, 5) != 5 || (p[5] && p[5] != ':'))
		return -1;
	if (parse_uint(digits, 0, 65535, &a) < 0)
		return -1;
	return (int)a;
}

/* agent_id - one option 82 sub-option into out (LEASE_AGENT_ID_MAX):
 * as it is when short and plain, else "hex:" and its first bytes. */
static void
agent_id(const char *v, char out[LEASE_AGENT_ID_MAX])
{
	static const char hex[] = "0123456789abcdef";
	size_t i, n = strnlen(v, LEASE_AGENT_ID_MAX);
	bool plain = n < LEASE_AGENT_ID_MAX;

	for (i = 0; plain && i < n; i++)
		plain = (v[i] >= 'a' && v[i] <= 'z') ||
			(v[i] >= 'A' && v[i] <= 'Z') ||
			(v[i] >= '0' && v[i] <= '9') || strchr("._:/-", v[i]);
	if (plain) {
		memcpy(out, v, n);
		out[n] = '\0';
		return;
	}
	memcpy(out, "hex:", 4);
	for (i = 0; i < n && i < LEASE_AGENT_ID_BYTES; i++) {
		out[4 + 2 * i] = hex[(unsigned char)v[i] >> 4];
		out[5 + 2 * i] = hex[(unsigned char)v[i] & 15];
	}
	out[4 + 2 * i] = '\0';
}

int
lease_relay_parse(const char *address, const char *circuit_id,
		  const char *remote_id, const char *subscriber_id,
		  struct lease_relay *ret)
{
	struct lease_relay r;

	memset(&r, 0, sizeof(r));
	memset(ret, 0, sizeof(*ret));
	if (!address || !*address) {
		/* option 82 comes only from a relay: without its address
		 * someone else wrote it */
		return (circuit_id && *circuit_id) || (remote_id && *remote_id) ||
			       (subscriber_id && *subscriber_id)
			       ? -EINVAL
			       : 0;
	}
	if (strnlen(address, ADDR_STRLEN) >= ADDR_STRLEN || !valid_ip(address))
		return -EINVAL;
	str_copy(r.address, sizeof(r.address), address);
	if (circuit_id && *circuit_id)
		agent_id(circuit_id, r.circuit_id);
	if (remote_id && *remote_id)
		agent_id(remote_id, r.remote_id);
	if (subscriber_id && *subscriber_id)
		agent_id(subscriber_id, r.subscriber_id);
	*ret = r;
	return 0;
}

int
lease_relay_detail(const struct lease_relay *r, char *out, size_t outsz)
{
	if (!r->address[0])
		return -ENOENT;
	return str_printf(out, outsz, "relay=%s%s%s%s%s%s%s", r->address,
			  r->circuit_id[0] ? " circuit-id=" : "", r->circuit_id,
			  r->remote_id[0] ? " remote-id=" : "", r->remote_id,
			  r->subscriber_id[0] ? " subscriber-id=" : "",
			  r->subscriber_id);
}

/* The architecture from dnsmasq's tags ("arch7 efi64 eth0"), or -1. */
static int
lease_arch_from_tags(const char *tags)
{
	const char *p = tags;

	while (p && *p) {
		const char *end = strchr(p, ' ');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		unsigned long long a;
		char tok[16];

		if (len > 4 && len < sizeof(tok) && !strncmp(p, "arch", 4)) {
			memcpy(tok, p + 4, len - 4);
			tok[len - 4] = '\0';
			if (parse_uint(tok, 0, 65535, &a) == 0)
				return (int)a;
		}
		p = end ? end + 1 : NULL;
	}
	return -1;
}

/* Fill the optional fields of l from the environment. */
static void
lease_parse_env(char *const envp[], struct lease_event *ev)
{
	struct db_lease *l = &ev->lease;
	const char *v;
	char name[32];
	size_t used = 0;
	unsigned i;

	v = lease_env(envp, "DNSMASQ_VENDOR_CLASS");
	if (v && lease_clean_text(l->vendor_class, sizeof(l->vendor_class), v))
		ev->dropped |= LEASE_DROPPED_TEXT;
	/* user classes: DNSMASQ_USER_CLASS0..n, joined with spaces */
	for (i = 0; i < 16; i++) {
		char part[sizeof(l->user_class)];

		snprintf(name, sizeof(name), "DNSMASQ_USER_CLASS%u", i);
		v = lease_env(envp, name);
		if (!v)
			break;
		if (lease_clean_text(part, sizeof(part), v))
			ev->dropped |= LEASE_DROPPED_TEXT;
		if (used + strlen(part) + 2 > sizeof(l->user_class)) {
			ev->dropped |= LEASE_DROPPED_TEXT;
			break;
		}
		used += (size_t)snprintf(l->user_class + used,
					 sizeof(l->user_class) - used, "%s%s",
					 used ? " " : "", part);
	}
	v = lease_env(envp, "DNSMASQ_LEASE_EXPIRES");
	if (v) {
		unsigned long long e;

		if (strnlen(v, 32) < 32 && parse_uint(v, 0, 1ULL << 40, &e) == 0)
			l->expires = (int64_t)e;
		else
			ev->dropped |= LEASE_DROPPED_EXPIRES;
	}
	if (lease_relay_parse(lease_env(envp, "DNSMASQ_RELAY_ADDRESS"),
			      lease_env(envp, "DNSMASQ_CIRCUIT_ID"),
			      lease_env(envp, "DNSMASQ_REMOTE_ID"),
			      lease_env(envp, "DNSMASQ_SUBSCRIBER_ID"),
			      &ev->relay) < 0)
		ev->dropped |= LEASE_DROPPED_RELAY;
	l->arch = lease_arch_from_tags(lease_env(envp, "DNSMASQ_TAGS"));
	if (l->arch < 0)
		l->arch = lease_arch_from_vendor(l->vendor_class);
}

int
lease_parse(int argc, char *const argv[], char *const envp[],
	    struct lease_event *ret, char *err, size_t errsz)
{
	struct lease_event ev;
	const char *action, *mac;
	bool v6;

	if (errsz)
		err[0] = '\0';
	memset(&ev, 0, sizeof(ev));
	ev.lease.arch = -1;
	if (argc < 2 || !argv || !argv[1]) {
		snprintf(err, errsz, "no action given");
		return -EINVAL;
	}
	action = argv[1];
	if (!strcmp(action, "init")) {
		ev.op = LEASE_OP_INIT;
		*ret = ev;
		return 0;
	}
	if (!strcmp(action, "tftp")) {
		ev.op = LEASE_OP_TFTP;
		*ret = ev;
		return 0;
	}
	if (!strcmp(action, "add"))
		ev.op = LEASE_OP_ADD;
	else if (!strcmp(action, "old"))
		ev.op = LEASE_OP_OLD;
	else if (!strcmp(action, "del"))
		ev.op = LEASE_OP_DEL;
	else {
		ev.op = LEASE_OP_IGNORE;
		*ret = ev;
		return 0;
	}
	if (argc < 4 || !argv[2] || !argv[3]) {
		snprintf(err, errsz, "%s: needs MAC and IP arguments", action);
		return -EINVAL;
	}
	/* DHCPv6: argv[2] is the client's DUID. Its MAC is DNSMASQ_MAC
	 * (dnsmasq's neighbour table: the sender of the packet), else the
	 * one in a DUID-LL/LLT; the lease is recorded under that MAC */
	v6 = strnlen(argv[3], ADDR_STRLEN) < ADDR_STRLEN && valid_ipv6(argv[3]);
	mac = v6 ? lease_env(envp, "DNSMASQ_MAC") : argv[2];
	if (v6 && mac) {
		/* dnsmasq's own value: one that is no MAC is refused, not
		 * replaced by the client's DUID */
		if (strnlen(mac, 64) >= 64 || mac_parse(mac, ev.lease.mac) < 0) {
			snprintf(err, errsz, "%s: DNSMASQ_MAC is not a MAC "
				 "address", action);
			return -EINVAL;
		}
	} else if (v6) {
		if (duid_mac(argv[2], ev.lease.mac) < 0) {
			snprintf(err, errsz, "%s: DHCPv6 lease without a MAC "
				 "address (no DNSMASQ_MAC, none in the DUID)",
				 action);
			return -EINVAL;
		}
	} else if (!v6 && (!mac || strnlen(mac, 64) >= 64 ||
			   mac_parse(mac, ev.lease.mac) < 0)) {
		snprintf(err, errsz, "%s: not a MAC address", action);
		return -EINVAL;
	}
	if (strnlen(argv[3], ADDR_STRLEN) >= ADDR_STRLEN ||
	    !valid_ip(argv[3])) {
		snprintf(err, errsz, "%s: not an IP address", action);
		return -EINVAL;
	}
	if (v6)
		str_copy(ev.lease.ip6, sizeof(ev.lease.ip6), argv[3]);
	else
		str_copy(ev.lease.ip, sizeof(ev.lease.ip), argv[3]);
	if (argc >= 5 && argv[4] && *argv[4]) {
		if (strnlen(argv[4], HOSTNAME_MAX + 1) <= HOSTNAME_MAX &&
		    valid_hostname(argv[4]))
			str_copy(ev.lease.hostname, sizeof(ev.lease.hostname),
				 argv[4]);
		else
			ev.dropped |= LEASE_DROPPED_HOSTNAME;
	}
	str_copy(ev.lease.state, sizeof(ev.lease.state), action);
	lease_parse_env(envp, &ev);
	*ret = ev;
	return 0;
}

int
lease_format_init_line(const struct db_lease *l, long long now, char *out,
		       size_t outsz)
{
	if (!l->ip[0] || !strcmp(l->state, "del") || l->expires <= 0 ||
	    l->expires <= now || !valid_ipv4(l->ip))
		return -ENOENT;
	return str_printf(out, outsz, "%lld %s %s %s *\n",
			  (long long)l->expires, l->mac, l->ip,
			  l->hostname[0] && valid_hostname(l->hostname)
				  ? l->hostname
				  : "*");
}
