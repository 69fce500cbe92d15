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
#include "common/util.h"
#include "common/valid.h"
#include "db/db.h"

static const struct cli_cmd leases_cmd = {
	.name = "leases",
	.usage = "[--unknown]",
	.help = "Every MAC address the appliance has seen (DHCP leases and\n"
		"config requests), newest first.\n"
		"options:\n"
		"  --unknown           only MACs that no host has\n",
};

static const struct cli_cmd events_cmd = {
	.name = "events",
	.usage = "[MAC] [--limit N]",
	.help = "The boot timeline (DHCP, TFTP, config served, install\n"
		"fetched, done), oldest first; of one MAC when given.\n"
		"options:\n"
		"  --limit N           only the newest N events\n",
};

enum { OPT_UNKNOWN = 0x200, OPT_LIMIT };

/* lease_one - db_lease_list callback: a row or a JSON object. */
static int
lease_one(const struct db_lease *l, void *opaque)
{
	struct cli_list *c = opaque;
	char arch[16], t1[32], t2[32];
	const char *row[9];

	if (c->json) {
		json_t *o = json_object();
		if (!o || json_array_append_new(c->arr, o) < 0)
			return -ENOMEM;
		json_object_set_new(o, "mac", json_string(l->mac));
		json_object_set_new(o, "ip", cli_json_str(l->ip));
		json_object_set_new(o, "hostname", cli_json_str(l->hostname));
		json_object_set_new(o, "arch", l->arch < 0
						       ? json_null()
						       : json_integer(l->arch));
		json_object_set_new(o, "vendor_class",
				    cli_json_str(l->vendor_class));
		json_object_set_new(o, "user_class",
				    cli_json_str(l->user_class));
		json_object_set_new(o, "state", cli_json_str(l->state));
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
	return cli_table_add(&c->table, row);
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
		"KNOWN", "FIRST SEEN", "LAST SEEN", "VENDOR CLASS", NULL
	};
	const struct cli_cmd *cmd = &leases_cmd;
	struct by_config cfg;
	struct cli_list c;
	bool unknown = false;
	struct db *db;
	int ch, r;

	cli_getopt_reset();
	while ((ch = getopt_long(argc, argv, CLI_SHORTOPTS, opts, NULL)) !=
	       -1) {
		r = cli_opt_common(ctx, cmd, ch, argv);
		if (r == CLI_NOT_COMMON) {
			if (ch != OPT_UNKNOWN)
				return cli_usage_err(cmd, "unknown option");
			unknown = true;
			continue;
		}
		if (r != CLI_CONTINUE)
			return r;
	}
	if (optind < argc)
		return cli_usage_err(cmd, "unexpected argument %s",
				     cli_q(argv[optind]));
	r = cli_open(ctx, cmd, &cfg, false, &db);
	if (r)
		return r;
	r = cli_list_begin(ctx, &c, head);
	if (r) {
		db_close(db);
		return r;
	}
	r = db ? db_lease_list(db, unknown, lease_one, &c) : 0;
	db_close(db);
	return cli_list_end(cmd, &cfg, &c, r, "listing leases");
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
	const char *row[4];

	event_time(e->ts_ms, t, sizeof(t));
	if (c->json) {
		json_t *o = json_object();
		if (!o || json_array_append_new(c->arr, o) < 0)
			return -ENOMEM;
		json_object_set_new(o, "id", json_integer(e->id));
		json_object_set_new(o, "ts_ms", json_integer(e->ts_ms));
		json_object_set_new(o, "time", json_string(t));
		json_object_set_new(o, "mac", cli_json_str(e->mac));
		json_object_set_new(o, "kind", json_string(e->kind));
		json_object_set_new(o, "detail", cli_json_str(e->detail));
		return 0;
	}
	row[0] = t;
	row[1] = e->mac;
	row[2] = e->kind;
	row[3] = e->detail;
	return cli_table_add(&c->table, row);
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
					    "DETAIL", NULL };
	const struct cli_cmd *cmd = &events_cmd;
	unsigned long long limit = 0;
	char mac[MAC_STR_LEN];
	struct by_config cfg;
	struct cli_list c;
	struct db *db;
	struct diagnosis dg;
	bool diag_ok = false;
	int ch, r;

	cli_getopt_reset();
	while ((ch = getopt_long(argc, argv, CLI_SHORTOPTS, opts, NULL)) !=
	       -1) {
		r = cli_opt_common(ctx, cmd, ch, argv);
		if (r == CLI_NOT_COMMON) {
			if (ch != OPT_LIMIT)
				return cli_usage_err(cmd, "unknown option");
			if (parse_uint(optarg, 1, 1000000, &limit) < 0)
				return cli_usage_err(cmd,
						     "--limit %s: not a number "
						     "from 1 to 1000000",
						     cli_q(optarg));
			continue;
		}
		if (r != CLI_CONTINUE)
			return r;
	}
	if (argc - optind > 1)
		return cli_usage_err(cmd, "unexpected argument %s",
				     cli_q(argv[optind + 1]));
	if (optind < argc && mac_parse(argv[optind], mac) < 0)
		return cli_usage_err(cmd, "invalid MAC address %s",
				     cli_q(argv[optind]));
	r = cli_open(ctx, cmd, &cfg, false, &db);
	if (r)
		return r;
	r = cli_list_begin(ctx, &c, head);
	if (r) {
		db_close(db);
		return r;
	}
	r = db ? db_event_list(db, optind < argc ? mac : NULL,
			       (unsigned)limit, event_one, &c)
	       : 0;
	if (r >= 0 && db && optind < argc && !ctx->json)
		diag_ok = cli_diagnose(db, &cfg, mac, 0, &dg) == 0;
	db_close(db);
	r = cli_list_end(cmd, &cfg, &c, r, "listing events");
	if (r == 0 && diag_ok)
		printf("diagnosis: %s: %s\n", diag_stage_name(dg.stage),
		       dg.text);
	return r;
}
