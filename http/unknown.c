/*
 * unknown.c - per-address limit on new unknown MACs (see unknown.h).
 *
 * Open addressing over UNKNOWN_SLOTS with a seeded hash (addresses are
 * chosen by clients: no crafted collisions), UNKNOWN_PROBES slots per
 * address. A slot is free when unused or when its minute is over.
 */
#include "http/unknown.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "common/util.h"

struct unknown_slot {
	bool used;
	uint8_t len; /* of addr: 4 or 16, 0 = no address */
	uint8_t addr[16];
	unsigned count;         /* new MACs this minute */
	uint64_t window_s;      /* when this minute began */
	char last[MAC_STR_LEN]; /* the MAC counted last */
};

struct unknown_limit {
	pthread_mutex_t lock;
	unsigned per_minute;
	uint64_t seed;
	struct unknown_slot slots[UNKNOWN_SLOTS];
};

int
unknown_limit_new(unsigned per_minute, struct unknown_limit **ret)
{
	struct unknown_limit *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	pthread_mutex_init(&t->lock, NULL);
	t->per_minute = per_minute ? per_minute : 1;
	if (getrandom(&t->seed, sizeof(t->seed), GRND_NONBLOCK) !=
	    sizeof(t->seed))
		t->seed = (uint64_t)(uintptr_t)t ^ 0x9e3779b97f4a7c15ull;
	*ret = t;
	return 0;
}

void
unknown_limit_free(struct unknown_limit *t)
{
	if (!t)
		return;
	pthread_mutex_destroy(&t->lock);
	free(t);
}

/* The address bytes of sa into a (16 bytes), their length (0: none). */
static uint8_t
addr_bytes(const struct sockaddr *sa, uint8_t *a)
{
	memset(a, 0, 16);
	if (sa && sa->sa_family == AF_INET) {
		memcpy(a, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return 4;
	}
	if (sa && sa->sa_family == AF_INET6) {
		memcpy(a, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
		return 16;
	}
	return 0;
}

/* FNV-1a over the address, seeded. */
static uint64_t
addr_hash(uint64_t seed, const uint8_t *a, uint8_t len)
{
	uint64_t h = 0xcbf29ce484222325ull ^ seed;
	uint8_t i;

	for (i = 0; i < len; i++) {
		h ^= a[i];
		h *= 0x100000001b3ull;
	}
	h ^= len;
	h *= 0x100000001b3ull;
	return h ^ (h >> 29);
}

bool
unknown_limit_take(struct unknown_limit *t, const struct sockaddr *sa,
                   const char *mac, uint64_t now_s)
{
	struct unknown_slot *s = NULL, *free_slot = NULL;
	uint8_t a[16], len = addr_bytes(sa, a);
	uint64_t h = addr_hash(t->seed, a, len);
	bool ok = false;
	unsigned i;

	pthread_mutex_lock(&t->lock);
	for (i = 0; i < UNKNOWN_PROBES; i++) {
		struct unknown_slot *c =
		    &t->slots[(h + i) & (UNKNOWN_SLOTS - 1)];

		if (c->used && c->len == len && !memcmp(c->addr, a, 16)) {
			s = c;
			break;
		}
		if (!free_slot && (!c->used || now_s - c->window_s >= 60))
			free_slot = c;
	}
	if (!s && free_slot) {
		s = free_slot;
		memset(s, 0, sizeof(*s));
		s->used = true;
		s->len = len;
		memcpy(s->addr, a, 16);
		s->window_s = now_s;
	}
	if (s) {
		if (now_s - s->window_s >= 60) {
			s->window_s = now_s;
			s->count = 0;
		}
		if (!strcmp(s->last, mac)) {
			ok = true;
		} else if (s->count < t->per_minute) {
			s->count++;
			str_copy(s->last, sizeof(s->last), mac);
			ok = true;
		}
	}
	pthread_mutex_unlock(&t->lock);
	return ok;
}
