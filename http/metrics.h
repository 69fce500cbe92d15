/*
 * metrics.h - process-wide counters, exported by the admin listener at
 * /metrics in the Prometheus text format. Lock-free (C11 atomics): any
 * module and any thread may bump them.
 */
#ifndef BOOTYARD_HTTP_METRICS_H
#define BOOTYARD_HTTP_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum metrics_endpoint {
	EP_BOOT,
	EP_CONFIG,
	EP_INSTALL,
	EP_DONE,
	EP_FILES,
	EP_API,
	EP_METRICS,
	EP_HEALTHZ,
	EP_OTHER,
	EP__COUNT,
};

/*
 * metrics_request - count one finished request: endpoint, HTTP status,
 * bytes of body sent, duration in microseconds, and for /ipxe/v1/config
 * the decision kind name (NULL otherwise; static strings only).
 */
void metrics_request(enum metrics_endpoint ep, unsigned status, uint64_t bytes,
                     uint64_t usec, const char *decision);

/* Counters the supervisor and lease code bump. */
void metrics_inc_dnsmasq_restarts(void);
void metrics_inc_lease_events(void);
/* n events not recorded: the queue was full (the writer fell behind),
 * or their write failed (a full or read-only database). */
void metrics_add_events_dropped(uint64_t n);
/* A boot request answered "busy, retry" (503): the database stayed
 * locked past the boot path's short lock wait. */
void metrics_inc_db_busy(void);
/* metrics_set_db_up - whether the database answered the last look
 * (/healthz, /metrics). */
void metrics_set_db_up(bool up);
/* metrics_set_db_cache - whether reads are answered from the read cache
 * (the database server is unavailable), as of the last look. */
void metrics_set_db_cache(bool serving);
/* An unknown MAC answered but not recorded: its client address had
 * added [boot] unknown_rate new ones this minute already. */
void metrics_inc_unknown_unrecorded(void);
/* A connection cut off: its request's headers took longer than
 * [http] header_timeout. */
void metrics_inc_header_timeouts(void);

/*
 * metrics_render - the Prometheus text exposition of every counter.
 * Returns 0 and a malloc'd *ret (caller frees) with *ret_len, or -ENOMEM.
 */
int metrics_render(char **ret, size_t *ret_len);

#endif
