/*
 * metrics.c - lock-free counters and their Prometheus rendering
 * (see metrics.h).
 */
#include "http/metrics.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "db/db.h"

static const char *const ep_names[EP__COUNT] = {
    "boot", "config",  "install", "done",  "files",
    "api",  "metrics", "healthz", "other",
};

static const char *const decision_names[] = {
    "install", "local", "menu", "memtest", "shell", "error", "refused"};

/* Latency buckets (upper bounds, microseconds); the last is +Inf. */
static const uint64_t lat_bounds[] = {
    250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 1000000};

static const char *const status_classes[] = {"1xx", "2xx", "3xx", "4xx", "5xx"};

static _Atomic uint64_t m_requests[EP__COUNT][5];
static _Atomic uint64_t m_decisions[ARRAY_SIZE(decision_names)];
static _Atomic uint64_t m_lat[ARRAY_SIZE(lat_bounds) + 1];
static _Atomic uint64_t m_lat_sum_us, m_lat_count, m_bytes;
static _Atomic uint64_t m_dnsmasq_restarts, m_lease_events, m_ev_dropped;
static _Atomic uint64_t m_db_busy, m_unknown_unrecorded, m_header_timeouts;

void
metrics_request(enum metrics_endpoint ep, unsigned status, uint64_t bytes,
                uint64_t usec, const char *decision)
{
	unsigned cls = status / 100;
	size_t i;

	if ((unsigned)ep >= EP__COUNT)
		ep = EP_OTHER;
	if (cls < 1 || cls > 5)
		cls = 5;
	atomic_fetch_add_explicit(&m_requests[ep][cls - 1], 1,
	                          memory_order_relaxed);
	for (i = 0; decision && i < ARRAY_SIZE(decision_names); i++)
		if (strcmp(decision, decision_names[i]) == 0)
			atomic_fetch_add_explicit(&m_decisions[i], 1,
			                          memory_order_relaxed);
	for (i = 0; i < ARRAY_SIZE(lat_bounds) && usec > lat_bounds[i]; i++)
		;
	atomic_fetch_add_explicit(&m_lat[i], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m_lat_sum_us, usec, memory_order_relaxed);
	atomic_fetch_add_explicit(&m_lat_count, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m_bytes, bytes, memory_order_relaxed);
}

void
metrics_inc_dnsmasq_restarts(void)
{
	atomic_fetch_add_explicit(&m_dnsmasq_restarts, 1, memory_order_relaxed);
}

void
metrics_inc_lease_events(void)
{
	atomic_fetch_add_explicit(&m_lease_events, 1, memory_order_relaxed);
}

void
metrics_add_events_dropped(uint64_t n)
{
	atomic_fetch_add_explicit(&m_ev_dropped, n, memory_order_relaxed);
}

void
metrics_inc_db_busy(void)
{
	atomic_fetch_add_explicit(&m_db_busy, 1, memory_order_relaxed);
}

static atomic_int m_db_up = 1;

void
metrics_set_db_up(bool up)
{
	atomic_store(&m_db_up, up ? 1 : 0);
}

static atomic_int m_db_cache;

void
metrics_set_db_cache(bool serving)
{
	atomic_store(&m_db_cache, serving ? 1 : 0);
}

void
metrics_inc_unknown_unrecorded(void)
{
	atomic_fetch_add_explicit(&m_unknown_unrecorded, 1,
	                          memory_order_relaxed);
}

void
metrics_inc_header_timeouts(void)
{
	atomic_fetch_add_explicit(&m_header_timeouts, 1, memory_order_relaxed);
}

int
metrics_render(char **ret, size_t *ret_len)
{
	char *out = NULL;
	size_t len = 0, i, j;
	uint64_t cum = 0;
	FILE *f;

	f = open_memstream(&out, &len);
	if (!f)
		return -ENOMEM;
	fputs("# HELP bootyard_http_requests_total HTTP requests answered.\n"
	      "# TYPE bootyard_http_requests_total counter\n",
	      f);
	for (i = 0; i < EP__COUNT; i++)
		for (j = 0; j < 5; j++)
			fprintf(
			    f,
			    "bootyard_http_requests_total{endpoint=\"%s\","
			    "code=\"%s\"} %llu\n",
			    ep_names[i], status_classes[j],
			    (unsigned long long)atomic_load(&m_requests[i][j]));
	fputs("# HELP bootyard_boot_decisions_total Config answers by "
	      "decision.\n"
	      "# TYPE bootyard_boot_decisions_total counter\n",
	      f);
	for (i = 0; i < ARRAY_SIZE(decision_names); i++)
		fprintf(f,
		        "bootyard_boot_decisions_total{decision=\"%s\"} "
		        "%llu\n",
		        decision_names[i],
		        (unsigned long long)atomic_load(&m_decisions[i]));
	fputs("# HELP bootyard_http_request_duration_seconds Time to "
	      "answer.\n"
	      "# TYPE bootyard_http_request_duration_seconds histogram\n",
	      f);
	for (i = 0; i <= ARRAY_SIZE(lat_bounds); i++) {
		cum += atomic_load(&m_lat[i]);
		if (i < ARRAY_SIZE(lat_bounds))
			fprintf(f,
			        "bootyard_http_request_duration_seconds_bucket"
			        "{le=\"%g\"} %llu\n",
			        (double)lat_bounds[i] / 1e6,
			        (unsigned long long)cum);
		else
			fprintf(f,
			        "bootyard_http_request_duration_seconds_bucket"
			        "{le=\"+Inf\"} %llu\n",
			        (unsigned long long)cum);
	}
	fprintf(f,
	        "bootyard_http_request_duration_seconds_sum %.6f\n"
	        "bootyard_http_request_duration_seconds_count %llu\n"
	        "# HELP bootyard_http_sent_bytes_total Body bytes sent.\n"
	        "# TYPE bootyard_http_sent_bytes_total counter\n"
	        "bootyard_http_sent_bytes_total %llu\n"
	        "# HELP bootyard_dnsmasq_restarts_total dnsmasq restarts.\n"
	        "# TYPE bootyard_dnsmasq_restarts_total counter\n"
	        "bootyard_dnsmasq_restarts_total %llu\n"
	        "# HELP bootyard_lease_events_total DHCP lease events.\n"
	        "# TYPE bootyard_lease_events_total counter\n"
	        "bootyard_lease_events_total %llu\n"
	        "# HELP bootyard_events_dropped_total Events not recorded "
	        "(queue full or write failed).\n"
	        "# TYPE bootyard_events_dropped_total counter\n"
	        "bootyard_events_dropped_total %llu\n"
	        "# HELP bootyard_db_busy_total Boot requests answered 503 "
	        "(retry): the database stayed locked.\n"
	        "# TYPE bootyard_db_busy_total counter\n"
	        "bootyard_db_busy_total %llu\n"
	        "# HELP bootyard_unknown_unrecorded_total Unknown MACs "
	        "answered but not recorded (per-address limit).\n"
	        "# TYPE bootyard_unknown_unrecorded_total counter\n"
	        "bootyard_unknown_unrecorded_total %llu\n"
	        "# HELP bootyard_http_header_timeouts_total Connections cut "
	        "off: headers slower than header_timeout.\n"
	        "# TYPE bootyard_http_header_timeouts_total counter\n"
	        "bootyard_http_header_timeouts_total %llu\n"
	        "# HELP bootyard_database_up Whether the database answered "
	        "(PostgreSQL: the server is reachable).\n"
	        "# TYPE bootyard_database_up gauge\n"
	        "bootyard_database_up %d\n"
	        "# HELP bootyard_database_cache_serving Whether known hosts "
	        "are answered from the read cache (the database server is "
	        "unavailable).\n"
	        "# TYPE bootyard_database_cache_serving gauge\n"
	        "bootyard_database_cache_serving %d\n"
	        "# HELP bootyard_database_cache_answers_total Reads answered "
	        "from the read cache while the database server was "
	        "unavailable.\n"
	        "# TYPE bootyard_database_cache_answers_total counter\n"
	        "bootyard_database_cache_answers_total %llu\n",
	        (double)atomic_load(&m_lat_sum_us) / 1e6,
	        (unsigned long long)atomic_load(&m_lat_count),
	        (unsigned long long)atomic_load(&m_bytes),
	        (unsigned long long)atomic_load(&m_dnsmasq_restarts),
	        (unsigned long long)atomic_load(&m_lease_events),
	        (unsigned long long)atomic_load(&m_ev_dropped),
	        (unsigned long long)atomic_load(&m_db_busy),
	        (unsigned long long)atomic_load(&m_unknown_unrecorded),
	        (unsigned long long)atomic_load(&m_header_timeouts),
	        atomic_load(&m_db_up), atomic_load(&m_db_cache),
	        (unsigned long long)db_cache_answers());
	return memstream_finish(f, &out, &len, 0, ret, ret_len);
}
