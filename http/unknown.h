/*
 * unknown.h - how many new unknown MACs each client address may have
 * recorded a minute (issue #16: what clients can add is bounded).
 *
 * The boot listener records every MAC that asks and that no host has
 * (a lease row, `bootyard leases --unknown`). One address that invents
 * MACs must not grow that table: each address may add at most a
 * configured number of new ones per minute; the rest are answered as
 * usual and counted, not stored. A fixed table of addresses (a mutex,
 * taken only for unknown MACs, never on the known hosts' path); when it
 * is full of addresses active this minute, a new address records
 * nothing until a slot frees (fail closed: the bound always holds).
 */
#ifndef BOOTYARD_HTTP_UNKNOWN_H
#define BOOTYARD_HTTP_UNKNOWN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "common/valid.h"

#define UNKNOWN_SLOTS 4096 /* addresses tracked at once (power of two) */
#define UNKNOWN_PROBES 8   /* slots looked at per address */

struct unknown_limit;

/* unknown_limit_new - a table allowing per_minute new MACs per address
 * (per_minute >= 1). 0 and *ret, -ENOMEM. */
int unknown_limit_new(unsigned per_minute, struct unknown_limit **ret);

/* unknown_limit_free - NULL is fine. */
void unknown_limit_free(struct unknown_limit *t);

/*
 * unknown_limit_take - may client address sa (NULL or not IPv4/IPv6:
 * one shared bucket) record the unknown MAC mac (canonical form) as new,
 * at monotonic time now_s? true counts it against the address's minute;
 * the MAC the address recorded last is not counted again (a client
 * that asks twice before the first is stored). false: over the limit.
 */
bool unknown_limit_take(struct unknown_limit *t, const struct sockaddr *sa,
                        const char *mac, uint64_t now_s);

#endif
