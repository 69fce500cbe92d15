/*
 * evqueue.h - the boot path's writes that need not be synchronous: the
 * "config" / "install-fetch" events and db_lease_seen() for unknown MACs.
 *
 * Worker threads push into a bounded lock-free queue (multi-producer,
 * single-consumer; no lock on the boot path, no SQLite write lock taken
 * by a request); one writer thread with its own connection stores them.
 * When the queue is full the record is dropped and counted, never waits.
 * While the database server is down (db_ping fails: PostgreSQL) the
 * writer keeps its batch in the queue and tries it again with back-off
 * (100 ms doubling to 1 s): what was queued is written when the server
 * is back, and the queue is the bound (what does not fit meanwhile is
 * dropped and counted).
 */
#ifndef BOOTYARD_HTTP_EVQUEUE_H
#define BOOTYARD_HTTP_EVQUEUE_H

#include <stdbool.h>
#include <stdint.h>

struct evqueue;

/* What the writer's housekeeping keeps of what clients leave behind. */
struct evq_retention {
	unsigned long events_keep;  /* newest events, 0 = all */
	unsigned long unknown_keep; /* lease rows of unknown MACs */
	int64_t leases_keep_s;      /* a lease row unseen this long (and
				       ended) goes */
	int64_t token_lifetime_s;   /* an install token this old goes */
	/* lease hook runs the database could not take then (lease_store.h):
	 * stored every second once it can; "" = none */
	char lease_spool[1100];
};

/* Spent (used or superseded) install tokens kept, the newest: enough to
 * tell an installer "already used" (410) rather than "unknown" (404). */
#define EVQ_SPENT_TOKENS_KEEP 1000

/*
 * evq_start - start the writer on database db_path. Every 200 ms it
 * also deletes all but the newest ret->events_keep events, and every
 * 5 s the lease rows and install tokens ret says to drop (db_lease_prune,
 * db_token_prune with EVQ_SPENT_TOKENS_KEEP). 0 and *ret, -errno.
 */
int evq_start(const char *db_path, const struct evq_retention *keep,
              struct evqueue **ret);

/* evq_stop - store what is queued, stop the writer, free q (NULL ok). */
void evq_stop(struct evqueue *q);

/* evq_event - queue db_event_add(mac, kind, detail). false when full. */
bool evq_event(struct evqueue *q, const char *mac, const char *kind,
               const char *detail);

/* evq_lease_seen - queue db_lease_seen(mac, arch). false when full. */
bool evq_lease_seen(struct evqueue *q, const char *mac, int arch);

/*
 * evq_flush - wait (at most timeout_ms) until everything queued before
 * the call is stored: readers of events and leases call it first.
 * Returns 0, or -ETIMEDOUT.
 */
int evq_flush(struct evqueue *q, unsigned timeout_ms);

/* evq_dropped - records dropped because the queue was full (the console
 * shows it). */
uint64_t evq_dropped(struct evqueue *q);

#endif
