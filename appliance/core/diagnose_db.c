/*
 * diagnose_db.c - diagnose_mac: a MAC's newest events from the database,
 * then diagnose() (see diagnose.h).
 */
#include <errno.h>
#include <stdlib.h>

#include "appliance/core/diagnose.h"

struct diag_buf {
	struct db_event *ev;
	size_t n;
};

static int
diag_collect(const struct db_event *e, void *ctx)
{
	struct diag_buf *b = ctx;

	if (b->n < DIAG_EVENTS_MAX)
		b->ev[b->n++] = *e;
	return 0;
}

int
diagnose_mac(struct db *db, const char *mac, const struct diag_ctx *ctx,
             struct diagnosis *out)
{
	struct diag_buf b = { 0 };
	int r;

	if (!db || !mac || !mac[0] || !out)
		return -EINVAL;
	b.ev = calloc(DIAG_EVENTS_MAX, sizeof(*b.ev));
	if (!b.ev)
		return -ENOMEM;
	r = db_event_list(db, mac, DIAG_EVENTS_MAX, diag_collect, &b);
	if (r >= 0)
		r = diagnose(b.ev, b.n, ctx, out);
	free(b.ev);
	return r < 0 ? r : 0;
}
