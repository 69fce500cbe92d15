/*
 * evqueue.c - bounded MPSC queue of event writes and its writer thread
 * (see evqueue.h).
 *
 * Each cell carries a sequence number: a producer claims position pos by
 * a compare-and-swap on the tail when cell.seq == pos, fills the cell and
 * publishes it with seq = pos + 1; the one consumer takes the cell when
 * seq == pos + 1 and frees it for the next lap with seq = pos + SIZE.
 */
#include "http/evqueue.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "appliance/dhcp/lease_store.h"
#include "common/util.h"
#include "common/valid.h"
#include "db/db.h"
#include "http/metrics.h"

/* a power of two: about 270 ms of 60,000 events a second, over the
 * writer's longest stalls */
#define EVQ_SIZE 16384
#define EVQ_DETAIL 192
#define EVQ_BATCH 512    /* events per transaction */
#define EVQ_GATHER_MS 20 /* after a part batch, wait for more this long */
/* The writer's housekeeping comes small and often, so that the queue
 * outlasts it: once a second, a checkpoint (copying and syncing a
 * second of WAL) took up to 68 ms and a prune (60,000 rows) up to 56 ms,
 * and back to back they overflowed an 8,192-event queue. */
#define EVQ_CKPT_MS 200     /* checkpoint this often after writes */
#define EVQ_CKPT_WAIT_MS 50 /* wait at most this long for readers */
#define EVQ_PRUNE_MS 200    /* trim the events table this often */
#define EVQ_STATE_MS 5000   /* prune lease rows and tokens this often */
#define EVQ_SPOOL_MS 1000   /* store spooled lease hook runs this often */
#define EVQ_SPOOL_BATCH 256 /* ... this many at a time */

enum evq_kind { EVQ_EVENT, EVQ_LEASE_SEEN };

struct evq_item {
	enum evq_kind kind;
	int arch;
	int64_t ts_ms; /* when it happened, not when it is written */
	char mac[MAC_STR_LEN];
	char ev_kind[32];
	char detail[EVQ_DETAIL];
};

struct evq_cell {
	_Atomic size_t seq;
	struct evq_item item;
};

struct evqueue {
	struct evq_cell cells[EVQ_SIZE];
	_Atomic size_t tail; /* next position to claim */
	_Atomic size_t head; /* next position to consume */
	_Atomic bool stop;
	_Atomic uint64_t dropped;
	unsigned long keep; /* events to keep, 0 = all */
	struct evq_retention retention;
	uint64_t pruned_ms; /* last prune, mono_ms() */
	uint64_t state_ms;  /* last lease and token prune, mono_ms() */
	uint64_t spool_ms;  /* last drain of the lease spool */
	uint64_t ckpt_ms;   /* last checkpoint, mono_ms() */
	bool written;       /* committed since the last checkpoint */
	long retry_ms;      /* database down: the back-off before trying
	                       the kept batch again (100 ms doubling to 1 s) */
	struct db *db;
	pthread_t thread;
};

/* Count n items as dropped, in evq_dropped and in the metric. */
static void
evq_drop(struct evqueue *q, uint64_t n)
{
	atomic_fetch_add_explicit(&q->dropped, n, memory_order_relaxed);
	metrics_add_events_dropped(n);
}

static bool
evq_push(struct evqueue *q, const struct evq_item *it)
{
	size_t pos = atomic_load_explicit(&q->tail, memory_order_relaxed);
	struct evq_cell *c;

	for (;;) {
		size_t seq;
		intptr_t diff;

		c = &q->cells[pos & (EVQ_SIZE - 1)];
		seq = atomic_load_explicit(&c->seq, memory_order_acquire);
		diff = (intptr_t)seq - (intptr_t)pos;
		if (diff == 0) {
			if (atomic_compare_exchange_weak_explicit(
			        &q->tail, &pos, pos + 1, memory_order_relaxed,
			        memory_order_relaxed))
				break;
		} else if (diff < 0) {
			evq_drop(q, 1);
			return false;
		} else {
			pos = atomic_load_explicit(&q->tail,
			                           memory_order_relaxed);
		}
	}
	c->item = *it;
	atomic_store_explicit(&c->seq, pos + 1, memory_order_release);
	return true;
}

/* The item at position pos (the head, or past it) when it is ready,
 * else NULL. It stays in its cell until evq_release. */
static const struct evq_item *
evq_peek(struct evqueue *q, size_t pos)
{
	struct evq_cell *c = &q->cells[pos & (EVQ_SIZE - 1)];

	if (atomic_load_explicit(&c->seq, memory_order_acquire) != pos + 1)
		return NULL;
	return &c->item;
}

/* Free the n cells from the head for the producers' next lap. */
static void
evq_release(struct evqueue *q, size_t n)
{
	size_t pos = atomic_load_explicit(&q->head, memory_order_relaxed);
	size_t i;

	for (i = 0; i < n; i++)
		atomic_store_explicit(&q->cells[(pos + i) & (EVQ_SIZE - 1)].seq,
		                      pos + i + EVQ_SIZE, memory_order_release);
	atomic_store_explicit(&q->head, pos + n, memory_order_release);
}

/*
 * Store one item. true when its write failed (a full or read-only file
 * system, a lock held too long, the database server gone); -EINVAL is
 * not a failure: never storable, it is skipped.
 */
static bool
evq_store(struct evqueue *q, const struct evq_item *it)
{
	int r = 0;

	if (q->db) {
		if (it->kind == EVQ_EVENT)
			r = db_event_add_at(q->db, it->ts_ms,
			                    it->mac[0] ? it->mac : NULL,
			                    it->ev_kind, it->detail);
		else
			r = db_lease_seen(q->db, it->mac, it->arch);
	}
	return r < 0 && r != -EINVAL;
}

/* The database does not answer (a PostgreSQL server down or out of
 * reach; never SQLite's file): what failed is kept and tried again. */
static bool
evq_db_down(struct evqueue *q)
{
	return q->db && !atomic_load(&q->stop) && db_ping(q->db) < 0;
}

/* An item is ready for the consumer. */
static bool
evq_pending(struct evqueue *q)
{
	size_t pos = atomic_load_explicit(&q->head, memory_order_relaxed);
	struct evq_cell *c = &q->cells[pos & (EVQ_SIZE - 1)];

	return atomic_load_explicit(&c->seq, memory_order_acquire) == pos + 1;
}

/* True once every ms milliseconds: when it is, *last moves to now. */
static bool
evq_due(uint64_t *last, unsigned ms)
{
	uint64_t now = mono_ms();

	if (now - *last < ms)
		return false;
	*last = now;
	return true;
}

/* Every EVQ_PRUNE_MS, trim the events table to the newest q->keep. */
static void
evq_prune(struct evqueue *q)
{
	if (q->db && q->keep && evq_due(&q->pruned_ms, EVQ_PRUNE_MS))
		db_event_prune(q->db, q->keep);
}

/*
 * Every EVQ_STATE_MS: drop the lease rows and install tokens past their
 * retention, each in a transaction of its own. Cheap when there is
 * nothing to drop (an index range for old leases, a count against the
 * unknown-MAC cap, a scan of the tokens, which this keeps few).
 */
static void
evq_prune_state(struct evqueue *q)
{
	const struct evq_retention *r = &q->retention;

	if (!q->db || !evq_due(&q->state_ms, EVQ_STATE_MS))
		return;
	if (db_lease_prune(q->db, r->leases_keep_s, r->unknown_keep) > 0)
		q->written = true;
	if (db_token_prune(q->db, r->token_lifetime_s, EVQ_SPENT_TOKENS_KEEP) >
	    0)
		q->written = true;
}

static int
evq_spool_store(const struct lease_event *ev, void *ctx)
{
	struct evqueue *q = ctx;

	return lease_store(q->db, ev);
}

/*
 * Every EVQ_SPOOL_MS: the lease hook runs that found the database
 * unavailable (lease_store.h), stored now that the writer can write.
 */
static void
evq_drain_spool(struct evqueue *q)
{
	const char *dir = q->retention.lease_spool;

	if (!q->db || !dir[0] || !evq_due(&q->spool_ms, EVQ_SPOOL_MS))
		return;
	if (lease_spool_drain(dir, EVQ_SPOOL_BATCH, evq_spool_store, q) > 0)
		q->written = true;
}

/*
 * Every EVQ_CKPT_MS after writes: a checkpoint that lets the WAL start
 * over (db_maintain). The writer's connection has SQLite's automatic
 * checkpoint off (DB_OPEN_MAINTAINED), which would otherwise try one (two
 * fsyncs) after each of its commits while the HTTP workers' reads keep
 * the WAL from starting over: 137 a second under load, and the WAL still
 * grew. One
 * that cannot finish in EVQ_CKPT_WAIT_MS is tried again next time.
 */
static void
evq_checkpoint(struct evqueue *q)
{
	if (q->db && q->written && evq_due(&q->ckpt_ms, EVQ_CKPT_MS) &&
	    db_maintain(q->db, EVQ_CKPT_WAIT_MS) == 0)
		q->written = false;
}

static void
evq_sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000,
	                      .tv_nsec = (ms % 1000) * 1000 * 1000};

	nanosleep(&ts, NULL);
}

static void *
evq_writer(void *arg)
{
	struct evqueue *q = arg;
	long idle_ms = 1;

	/* Poll with a backoff: 1 ms after work, up to 50 ms when idle, so
	 * an idle appliance wakes 20 times a second, not 1,000. */
	for (;;) {
		bool any = false, full = false, held = false;

		/* One transaction per batch: a commit per event caps the
		 * writer at a few thousand events a second, and each commit
		 * makes the readers' page caches stale. */
		while (evq_pending(q)) {
			size_t head = atomic_load_explicit(&q->head,
			                                   memory_order_relaxed);
			const struct evq_item *it;
			int n = 0, bad = 0;
			bool batch = q->db && db_tx_begin(q->db) == 0;

			/* the database server is down: the batch stays in the
			 * queue (its cells are not freed), tried again after
			 * a back-off; the queue is the bound: what does not
			 * fit meanwhile is dropped and counted */
			if (q->db && !batch && evq_db_down(q)) {
				held = true;
				break;
			}
			/* A failed write in a batch ends it: SQLite may have
			 * rolled the whole transaction back (SQLITE_FULL
			 * does), and what follows must not run outside it. */
			while (n < EVQ_BATCH && !(batch && bad) &&
			       (it = evq_peek(q, head + (size_t)n))) {
				n++;
				bad += evq_store(q, it);
			}
			if (batch && !bad)
				evq_prune(q);
			if (batch && db_tx_commit(q->db) < 0)
				bad = n; /* none of the batch was kept */
			else if (batch)
				q->written = true;
			if (bad && evq_db_down(q)) {
				held = true; /* the whole batch, again */
				break;
			}
			evq_release(q, (size_t)n);
			q->retry_ms = 0;
			if (bad)
				evq_drop(q, (uint64_t)bad);
			any = true;
			full = n == EVQ_BATCH;
			evq_checkpoint(q);
		}
		if (held) {
			q->retry_ms = q->retry_ms ? q->retry_ms * 2 : 100;
			if (q->retry_ms > 1000)
				q->retry_ms = 1000;
			evq_sleep_ms(q->retry_ms);
			continue;
		}
		evq_prune_state(q);
		evq_drain_spool(q);
		evq_checkpoint(q);
		if (atomic_load(&q->stop) && !any)
			break;
		if (any) {
			/* after a part batch the load is light or steady: let
			 * events gather (EVQ_SIZE holds EVQ_GATHER_MS of
			 * 400,000 a second) so that commits stay few */
			idle_ms = 1;
			if (!full)
				evq_sleep_ms(EVQ_GATHER_MS);
			continue;
		}
		evq_sleep_ms(idle_ms);
		if (idle_ms < 50)
			idle_ms *= 2;
	}
	return NULL;
}

int
evq_start(const char *db_path, const struct evq_retention *keep,
          struct evqueue **ret)
{
	struct evqueue *q = calloc(1, sizeof(*q));
	size_t i;
	int rc;

	if (!q)
		return -ENOMEM;
	for (i = 0; i < EVQ_SIZE; i++)
		atomic_init(&q->cells[i].seq, i);
	q->keep = keep->events_keep;
	q->retention = *keep;
	q->state_ms = mono_ms(); /* the first prune after EVQ_STATE_MS */
	rc = db_open(db_path, DB_OPEN_MAINTAINED, &q->db);
	if (rc < 0) {
		db_close(q->db);
		free(q);
		return rc;
	}
	rc = pthread_create(&q->thread, NULL, evq_writer, q);
	if (rc) {
		db_close(q->db);
		free(q);
		return -rc;
	}
	*ret = q;
	return 0;
}

void
evq_stop(struct evqueue *q)
{
	if (!q)
		return;
	atomic_store(&q->stop, true);
	pthread_join(q->thread, NULL);
	db_close(q->db);
	free(q);
}

bool
evq_event(struct evqueue *q, const char *mac, const char *kind,
          const char *detail)
{
	struct evq_item it;
	struct timespec now;

	memset(&it, 0, sizeof(it));
	it.kind = EVQ_EVENT;
	clock_gettime(CLOCK_REALTIME, &now);
	it.ts_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
	str_copy(it.mac, sizeof(it.mac), mac ? mac : "");
	str_copy(it.ev_kind, sizeof(it.ev_kind), kind);
	str_copy(it.detail, sizeof(it.detail), detail ? detail : "");
	return evq_push(q, &it);
}

bool
evq_lease_seen(struct evqueue *q, const char *mac, int arch)
{
	struct evq_item it;

	memset(&it, 0, sizeof(it));
	it.kind = EVQ_LEASE_SEEN;
	it.arch = arch;
	str_copy(it.mac, sizeof(it.mac), mac);
	return evq_push(q, &it);
}

int
evq_flush(struct evqueue *q, unsigned timeout_ms)
{
	size_t target = atomic_load(&q->tail);
	const struct timespec step = {0, 1000 * 1000};
	unsigned waited = 0;

	while (atomic_load_explicit(&q->head, memory_order_acquire) < target) {
		if (waited++ >= timeout_ms)
			return -ETIMEDOUT;
		nanosleep(&step, NULL);
	}
	return 0;
}

uint64_t
evq_dropped(struct evqueue *q)
{
	return atomic_load(&q->dropped);
}
