/*
 * lease.h - what dnsmasq tells its --dhcp-script (bootyard-lease), parsed
 * and validated in one pure function.
 *
 * dnsmasq runs the script as `SCRIPT ACTION [ARGS...]` with DNSMASQ_*
 * variables in the environment. Every value there comes from a DHCP
 * client and is hostile until checked: MACs are canonicalised, addresses
 * and host names validated, free text cut to printable ASCII of bounded
 * length. A lease event with an invalid MAC or address is refused; an
 * invalid optional field is dropped (and noted in ret->dropped).
 */
#ifndef BOOTYARD_LEASE_H
#define BOOTYARD_LEASE_H

#include <stddef.h>

#include "db/db.h"

enum lease_op {
	LEASE_OP_ADD,    /* a new lease */
	LEASE_OP_OLD,    /* a renewed lease, or known at dnsmasq start */
	LEASE_OP_DEL,    /* released or expired */
	LEASE_OP_INIT,   /* dnsmasq starts: print the stored leases */
	LEASE_OP_TFTP,   /* a TFTP transfer finished (recorded from the log) */
	LEASE_OP_IGNORE, /* an action bootyard does not record */
};

/* Fields of an event that were present but invalid, hence dropped. */
#define LEASE_DROPPED_HOSTNAME (1u << 0)
#define LEASE_DROPPED_EXPIRES  (1u << 1)
#define LEASE_DROPPED_TEXT     (1u << 2) /* a class was cut or cleaned */
#define LEASE_DROPPED_ARCH     (1u << 3)
#define LEASE_DROPPED_RELAY    (1u << 4) /* a bad relay address: the
					    relay information is dropped */

/*
 * Relay agent information: the DHCP relay a client's request came
 * through (giaddr, DNSMASQ_RELAY_ADDRESS) and what the relay added in
 * option 82 (DNSMASQ_CIRCUIT_ID, _REMOTE_ID, _SUBSCRIBER_ID). The
 * agent's sub-options are opaque bytes: kept as they are when they are
 * short and made of [A-Za-z0-9._:/-] only, else as "hex:" and the hex
 * of their first LEASE_AGENT_ID_BYTES bytes.
 */
#define LEASE_AGENT_ID_BYTES 32
#define LEASE_AGENT_ID_MAX (4 + 2 * LEASE_AGENT_ID_BYTES + 1)
struct lease_relay {
	char address[ADDR_STRLEN]; /* "" = not relayed */
	char circuit_id[LEASE_AGENT_ID_MAX];    /* "" = none */
	char remote_id[LEASE_AGENT_ID_MAX];     /* "" = none */
	char subscriber_id[LEASE_AGENT_ID_MAX]; /* "" = none */
};

/*
 * lease_relay_parse - the relay agent information dnsmasq handed the
 * hook, each value NULL when unset, into *ret. The one validator of
 * these values: the address must be valid_ip() (IPv4, or IPv6 in its
 * canonical text); agent IDs are made safe (see struct lease_relay).
 * Returns 0 (ret->address "" when not relayed), or -EINVAL for an
 * address that is set but invalid or an agent ID without an address
 * (then *ret is all "": nothing of it is recorded).
 */
int lease_relay_parse(const char *address, const char *circuit_id,
		      const char *remote_id, const char *subscriber_id,
		      struct lease_relay *ret);

/*
 * lease_relay_detail - the event text of r: "relay=ADDR" and
 * " circuit-id=…", " remote-id=…", " subscriber-id=…" when set, into
 * out. 0, -ENOENT (not relayed) or -ENAMETOOLONG.
 */
int lease_relay_detail(const struct lease_relay *r, char *out, size_t outsz);

struct lease_event {
	enum lease_op op;
	struct db_lease lease; /* add/old/del: what to record */
	struct lease_relay relay; /* add/old/del: through which relay */
	unsigned dropped;      /* LEASE_DROPPED_* */
};

/*
 * lease_parse - parse argv (argv[0] is the program, argv[1] the action)
 * and envp (NULL-terminated "NAME=VALUE" strings, may be NULL) into *ret.
 * Returns 0, or -EINVAL with a one-line reason in err (errsz bytes):
 * missing or malformed action arguments, an invalid MAC or address.
 * Never reads more than the bounded prefix of any value.
 *
 * The address is valid_ip(): IPv4, or IPv6 in its canonical text. For
 * an IPv6 address (a DHCPv6 lease) dnsmasq passes the client's DUID
 * where the MAC goes; the MAC is then DNSMASQ_MAC (the neighbour entry
 * of the packet's sender), else the MAC inside a DUID-LLT/LL
 * (duid_mac); an event with neither, or with a DNSMASQ_MAC that is no
 * MAC, is refused (a lease is recorded
 * under its MAC). The DUID is not kept. An IPv6 address goes into
 * ret->lease.ip6, an IPv4 one into ret->lease.ip: a MAC's lease row
 * holds one of each (dual stack).
 */
int lease_parse(int argc, char *const argv[], char *const envp[],
		struct lease_event *ret, char *err, size_t errsz);

/*
 * lease_arch_from_vendor - the architecture in a PXE vendor class
 * ("PXEClient:Arch:00007:UNDI:003016", also "HTTPClient:Arch:00016"),
 * or -1.
 */
int lease_arch_from_vendor(const char *vendor_class);

/*
 * lease_clean_text - copy at most dstsz-1 bytes of src into dst keeping
 * printable ASCII, replacing anything else with '?'. Returns 1 when the
 * value was changed or cut, else 0.
 */
int lease_clean_text(char *dst, size_t dstsz, const char *src);

/*
 * lease_format_init_line - one line of dnsmasq's lease file format
 * ("EXPIRES MAC IP HOSTNAME|* *\n") for lease l, into out. Returns 0,
 * -ENOENT when l should not be handed to dnsmasq (no address or an IPv6
 * one: dnsmasq's DHCPv6 lease lines carry an IAID and a DUID that are
 * not kept; released, expired before now, or unknown expiry),
 * -ENAMETOOLONG.
 */
int lease_format_init_line(const struct db_lease *l, long long now, char *out,
			   size_t outsz);

#endif
