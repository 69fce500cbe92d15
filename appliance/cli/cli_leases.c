/*
 * cli_leases.c - `bootyard leases [--unknown]` (every MAC that asked for a
 * lease or a config) and `bootyard events [MAC] [--limit N]` (the boot
 * timeline). Both only read the database.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "appliance/bootyard.h"
#include "appliance/cli/cli.h"
#include "appliance/core/hostjson.h"
#include "common/util.h"
#include "common/valid.h"
#include "db/db.h"

enum { OPT_UNKNOWN = 0x200, OPT_LIMIT };

/* lease_one - db_lease_list callback: a row or a JSON object. */
static int
lease_one(const struct db_lease *l, void *opaque)
{
	struct cli_list *c = opaque;
	char arch[16], t1[32], t2[32];
	const char *row[10];

	if (c->json) {
		json_t *o = json_object();
		if (!o || json_array_append_new(c->arr, o) < 0)
			return -ENOMEM;
		json_object_set_new(o, "mac", json_string(l->mac));
		json_object_set_new(o, "ip", json_text_or_null(l->ip));
		json_object_set_new(o, "ip6", json_text_or_null(l->ip6));
		json_object_set_new(o, "hostname", json_text_or_null(l->hostname));
		json_object_set_new(o, "arch", l->arch < 0
						       ? json_null()
						       : json_integer(l->arch));
		json_object_set_new(o, "vendor_class",
				    json_text_or_null(l->vendor_class));
		json_object_set_new(o, "user_class",
				    json_text_or_null(l->user_class));
		json_object_set_new(o, "state", json_text_or_null(l->state));
		json_object_set_new(o, "expires", json_integer(l->expires));
		json_object_set_new(o, "first_seen",
				    json_integer(l->first_seen));
		json_object_set_new(o, "last_seen", json_integer(l->last_seen));
		json_object_set_new(o, "known", json_boolean(l->known));
		return 0;
	}
	if (l->arch < 0)
		str_copy(arch, sizeof(arch), "-");
	else
		snprintf(arch, sizeof(arch), "%d", l->arch);
	row[0] = l->mac;
	row[1] = l->ip;
	row[2] = l->hostname;
	row[3] = arch;
	row[4] = l->state;
	row[5] = l->known ? "yes" : "no";
	row[6] = cli_time(l->first_seen, t1, sizeof(t1));
	row[7] = cli_time(l->last_seen, t2, sizeof(t2));
	row[8] = l->vendor_class;
	row[9] = l->ip6;
	return cli_table_add(&c->table, row);
}

/* leases_fill - the rows of leases; arg: only unknown MACs (bool). */
static int
leases_fill(struct db *db, struct cli_list *c, void *arg)
{
	return db_lease_list(db, *(bool *)arg, lease_one, c);
}

/*
 * cmd_leases - `bootyard leases [--unknown]`. Returns the exit status.
 */
int
cmd_leases(struct by_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_OPTS_COMMON,
		{ "unknown", no_argument, NULL, OPT_UNKNOWN },
		{ 0 },
	};
	static const char *const head[] = {
		"MAC",	 "IP",	       "HOSTNAME",  "ARCH",	    "STATE",
		"KNOWN", "FIRST SEEN", "LAST SEEN", "VENDOR CLASS", "IPV6",
		NULL
	};
	const struct cli_cmd *cmd = &cli_cmd_leases;
	const char *unknown_opt = NULL;
	bool unknown;
	int r;

	r = cli_one_opt(ctx, cmd, argc, argv, opts, &unknown_opt);
	if (r != CLI_CONTINUE)
		return r;
	unknown = unknown_opt != NULL;
	if (optind < argc)
		return cli_usage_err(cmd, "unexpected argument %s",
				     cli_q(argv[optind]));
	return cli_list_run(ctx, cmd, head, leases_fill, &unknown,
			    "listing leases");
}

/* event_time - unix milliseconds as "YYYY-MM-DD HH:MM:SS.mmm" (UTC). */
static const char *
event_time(int64_t ms, char *buf, size_t bufsz)
{
	char secs[32];

	cli_time(ms / 1000, secs, sizeof(secs));
	snprintf(buf, bufsz, "%s.%03d", secs, (int)(ms % 1000));
	return buf;
}

/* event_one - db_event_list callback. */
static int
event_one(const struct db_event *e, void *opaque)
{
	struct cli_list *c = opaque;
	char t[48];
	const char *row[5];

	event_time(e->ts_ms, t, sizeof(t));
	if (c->json) {
		json_t *o = json_object();
		if (!o || json_array_append_new(c->arr, o) < 0)
			return -ENOMEM;
		json_object_set_new(o, "id", json_integer(e->id));
		json_object_set_new(o, "ts_ms", json_integer(e->ts_ms));
		json_object_set_new(o, "time", json_string(t));
		json_object_set_new(o, "mac", json_text_or_null(e->mac));
		json_object_set_new(o, "kind", json_string(e->kind));
		json_object_set_new(o, "detail", json_text_or_null(e->detail));
		json_object_set_new(o, "appliance",
				    json_text_or_null(e->appliance));
		return 0;
	}
	row[0] = t;
	row[1] = e->mac;
	row[2] = e->kind;
	row[3] = e->appliance;
	row[4] = e->detail;
	return cli_table_add(&c->table, row);
}

/* What events lists: of one MAC (or NULL: all), the newest limit. */
struct events_filter {
	const char *mac;
	unsigned limit; /* 0 = all */
};

/* events_fill - the rows of events; arg: a struct events_filter. */
static int
events_fill(struct db *db, struct cli_list *c, void *arg)
{
	const struct events_filter *f = arg;

	return db_event_list(db, f->mac, f->limit, event_one, c);
}

/* events_diagnose - where mac's last boot stopped (cli_diagnose), on a
 * connection of its own after the list. 0 with *dg, or -errno. */
static int
events_diagnose(const struct by_ctx *ctx, const struct cli_cmd *cmd,
		const char *mac, struct diagnosis *dg)
{
	struct by_config cfg;
	struct db *db;
	int r;

	r = cli_open(ctx, cmd, &cfg, false, &db);
	if (r || !db)
		return -ENOENT;
	r = cli_diagnose(db, &cfg, mac, 0, dg);
	db_close(db);
	return r;
}

/*
 * cmd_events - `bootyard events [MAC] [--limit N]`. Returns the exit
 * status.
 */
int
cmd_events(struct by_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_OPTS_COMMON,
		{ "limit", required_argument, NULL, OPT_LIMIT },
		{ 0 },
	};
	static const char *const head[] = { "TIME (UTC)", "MAC", "EVENT",
					    "APPLIANCE", "DETAIL", NULL };
	const struct cli_cmd *cmd = &cli_cmd_events;
	unsigned long long limit = 0;
	char mac[MAC_STR_LEN];
	struct events_filter f;
	struct diagnosis dg;
	bool diag_ok = false;
	int ch, r = 0;

	cli_getopt_reset();
	while ((ch = cli_next_opt(ctx, cmd, argc, argv, CLI_SHORTOPTS, opts,
				  &r)) >= 0)
		if (parse_uint(optarg, 1, 1000000, &limit) < 0) /* --limit */
			return cli_usage_err(cmd,
					     "--limit %s: not a number from 1 "
					     "to 1000000",
					     cli_q(optarg));
	if (ch == CLI_STOP)
		return r;
	if (argc - optind > 1)
		return cli_usage_err(cmd, "unexpected argument %s",
				     cli_q(argv[optind + 1]));
	if (optind < argc && mac_parse(argv[optind], mac) < 0)
		return cli_usage_err(cmd, "invalid MAC address %s",
				     cli_q(argv[optind]));
	f.mac = optind < argc ? mac : NULL;
	f.limit = (unsigned)limit;
	r = cli_list_run(ctx, cmd, head, events_fill, &f, "listing events");
	if (r == 0 && f.mac && !ctx->json)
		diag_ok = events_diagnose(ctx, cmd, f.mac, &dg) == 0;
	if (diag_ok)
		printf("diagnosis: %s: %s%s%s%s\n", diag_stage_name(dg.stage),
		       dg.text, dg.appliance[0] ? " (last seen by " : "",
		       dg.appliance, dg.appliance[0] ? ")" : "");
	return r;
}
