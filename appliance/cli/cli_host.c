/*
 * cli_host.c - `bootyard host ...`: add, change, show, list and remove
 * hosts, flag a one-time reinstall, manage a host's MACs.
 *
 * HOST arguments name a host by any of its MACs (any accepted form) or by
 * its hostname. Every value is validated before the database is opened,
 * so a bad argument (exit 2) never writes anything.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "appliance/bootyard.h"
#include "appliance/cli/cli.h"
#include "appliance/core/hostcheck.h"
#include "appliance/core/hostjson.h"
#include "common/util.h"
#include "common/valid.h"
#include "db/db.h"

/* What the options of add/set/reinstall asked for; NULL = not given. */
struct host_opts {
	const char *hostname, *ip, *distro, *action, *local_boot;
	struct db_host set; /* the --attr K=V given, in set.attrs */
	size_t n_unset;
	char unset[DB_MAX_ATTRS][NAME_MAX_LEN + 1];
};

enum {
	OPT_HOSTNAME = 0x200,
	OPT_IP,
	OPT_DISTRO,
	OPT_ACTION,
	OPT_ATTR,
	OPT_UNSET_ATTR,
	OPT_LOCAL_BOOT,
};

/* ---- validation ---------------------------------------------------- */

/*
 * host_opt_attr - check "K=V" and remember it (a later K replaces an
 * earlier one). Returns 0 or EXIT_USAGE after a message.
 */
static int
host_opt_attr(const struct cli_cmd *cmd, struct host_opts *o, const char *kv)
{
	const char *eq = strchr(kv, '=');
	char key[NAME_MAX_LEN + 1];
	size_t n = eq ? (size_t)(eq - kv) : 0;
	int r;

	if (!eq || n == 0)
		return cli_usage_err(cmd, "--attr %s: expected KEY=VALUE",
				     cli_q(kv));
	if (n > NAME_MAX_LEN)
		return cli_usage_err(cmd, "--attr: key longer than %d",
				     NAME_MAX_LEN);
	memcpy(key, kv, n);
	key[n] = '\0';
	r = host_attr_valid(key, eq + 1);
	if (r == -EINVAL)
		return cli_usage_err(cmd,
				     "--attr: invalid key %s (lower-case "
				     "letters, digits, . _ -; first a letter "
				     "or digit)",
				     cli_q(key));
	if (r < 0)
		return cli_usage_err(cmd,
				     "--attr %s: invalid value (at most %d "
				     "printable characters, none of "
				     "\" ' ` $ \\ ; & | < > { } #)",
				     key, DB_ATTR_VALUE_MAX - 1);
	if (host_attr_set(&o->set, key, eq + 1) < 0)
		return cli_usage_err(cmd, "more than %d attributes",
				     DB_MAX_ATTRS);
	return 0;
}

/* host_opt_unset - remember --unset-attr K. 0 or EXIT_USAGE. */
static int
host_opt_unset(const struct cli_cmd *cmd, struct host_opts *o, const char *k)
{
	if (!valid_name(k))
		return cli_usage_err(cmd, "--unset-attr: invalid key %s",
				     cli_q(k));
	if (o->n_unset == DB_MAX_ATTRS)
		return cli_usage_err(cmd, "more than %d --unset-attr",
				     DB_MAX_ATTRS);
	str_copy(o->unset[o->n_unset++], NAME_MAX_LEN + 1, k);
	return 0;
}

/*
 * host_opts_check - validate every value given in o (done before the
 * database is opened). Returns 0 or EXIT_USAGE after a message.
 */
static int
host_opts_check(const struct cli_cmd *cmd, const struct host_opts *o)
{
	if (o->hostname && !host_field_valid(HOST_FIELD_HOSTNAME, o->hostname))
		return cli_usage_err(cmd, "invalid hostname %s: %s",
				     cli_q(o->hostname),
				     valid_hostname_why(o->hostname));
	if (o->ip && !host_field_valid(HOST_FIELD_IP, o->ip))
		return cli_usage_err(cmd,
				     "invalid IP address %s (like "
				     "198.18.0.10 or fd00::10, IPv6 in "
				     "its canonical lower-case form)",
				     cli_q(o->ip));
	if (o->distro && !host_field_valid(HOST_FIELD_DISTRO, o->distro))
		return cli_usage_err(cmd,
				     "invalid distro name %s (lower-case "
				     "letters, digits, . _ -)",
				     cli_q(o->distro));
	if (o->action && !host_field_valid(HOST_FIELD_ACTION, o->action))
		return cli_usage_err(cmd,
				     "invalid action %s (local, install or "
				     "menu)",
				     cli_q(o->action));
	if (o->local_boot &&
	    !host_field_valid(HOST_FIELD_LOCAL_BOOT, o->local_boot))
		return cli_usage_err(cmd,
				     "invalid --local-boot %s "
				     "(sanboot, exit, exit1, grub, "
				     "nofile or default)",
				     cli_q(o->local_boot));
	return 0;
}

/*
 * host_opts_apply - merge o into h: values given replace, attributes are
 * set or removed. Returns 0 or EXIT_USAGE (too many attributes, install
 * without a distro).
 */
static int
host_opts_apply(const struct cli_cmd *cmd, const struct host_opts *o,
		struct db_host *h)
{
	const struct db_attr *a;
	size_t i;

	/* Checked by host_opts_check: these cannot fail. */
	if (o->hostname)
		host_field_set(h, HOST_FIELD_HOSTNAME, o->hostname);
	if (o->ip)
		host_field_set(h, HOST_FIELD_IP, o->ip);
	if (o->distro)
		host_field_set(h, HOST_FIELD_DISTRO, o->distro);
	if (o->action)
		host_field_set(h, HOST_FIELD_ACTION, o->action);
	if (o->local_boot)
		host_field_set(h, HOST_FIELD_LOCAL_BOOT, o->local_boot);
	for (i = 0; i < o->n_unset; i++)
		host_attr_unset(h, o->unset[i]);
	for (i = 0; i < o->set.n_attrs; i++) {
		a = &o->set.attrs[i];
		if (host_attr_set(h, a->key, a->value) < 0)
			return cli_usage_err(cmd,
					     "a host has at most %d attributes",
					     DB_MAX_ATTRS);
	}
	if (host_check(h) < 0)
		return cli_usage_err(cmd, "action install needs a distro "
					  "(--distro D)");
	return 0;
}

/*
 * host_parse_opts - getopt loop shared by add, set and reinstall. Fills o
 * and leaves optind at the first positional argument. Returns
 * CLI_CONTINUE to go on, or the exit status to return.
 */
static int
host_parse_opts(struct by_ctx *ctx, const struct cli_cmd *cmd, int argc,
		char **argv, struct host_opts *o, bool all, bool unset)
{
	static const struct option all_opts[] = {
		CLI_OPTS_COMMON,
		{ "hostname", required_argument, NULL, OPT_HOSTNAME },
		{ "ip", required_argument, NULL, OPT_IP },
		{ "distro", required_argument, NULL, OPT_DISTRO },
		{ "action", required_argument, NULL, OPT_ACTION },
		{ "attr", required_argument, NULL, OPT_ATTR },
		{ "unset-attr", required_argument, NULL, OPT_UNSET_ATTR },
		{ "local-boot", required_argument, NULL, OPT_LOCAL_BOOT },
		{ 0 },
	};
	static const struct option distro_opts[] = {
		CLI_OPTS_COMMON,
		{ "distro", required_argument, NULL, OPT_DISTRO },
		{ 0 },
	};
	int c, r = 0;

	memset(o, 0, sizeof(*o));
	cli_getopt_reset();
	while ((c = cli_next_opt(ctx, cmd, argc, argv, CLI_SHORTOPTS,
				 all ? all_opts : distro_opts, &r)) >= 0) {
		r = 0;
		switch (c) {
		case OPT_HOSTNAME:
			o->hostname = optarg;
			break;
		case OPT_IP:
			o->ip = optarg;
			break;
		case OPT_DISTRO:
			o->distro = optarg;
			break;
		case OPT_ACTION:
			o->action = optarg;
			break;
		case OPT_ATTR:
			r = host_opt_attr(cmd, o, optarg);
			break;
		case OPT_UNSET_ATTR:
			if (!unset)
				return cli_usage_err(cmd, "--unset-attr is "
							  "for host set");
			r = host_opt_unset(cmd, o, optarg);
			break;
		case OPT_LOCAL_BOOT:
			o->local_boot = optarg;
			break;
		}
		if (r)
			return r;
	}
	if (c == CLI_STOP)
		return r;
	r = host_opts_check(cmd, o);
	return r ? r : CLI_CONTINUE;
}

/* host_ref_usage - check a HOST argument; CLI_CONTINUE or EXIT_USAGE. */
static int
host_ref_usage(const struct cli_cmd *cmd, const char *ref)
{
	if (!cli_host_ref_check(ref))
		return cli_usage_err(cmd,
				     "%s is neither a MAC address nor a "
				     "hostname",
				     cli_q(ref));
	return CLI_CONTINUE;
}

/*
 * host_one_ref - the options of a command that takes only the common
 * ones and one HOST argument. CLI_CONTINUE or the exit status.
 */
static int
host_one_ref(struct by_ctx *ctx, const struct cli_cmd *cmd, int argc,
	     char **argv)
{
	int r = cli_simple_args(ctx, cmd, argc, argv, 1, "HOST");

	if (r == CLI_CONTINUE)
		r = host_ref_usage(cmd, argv[optind]);
	return r;
}

/* ---- output -------------------------------------------------------- */

/* host_macs_str - the MACs joined by ", " into buf. */
static const char *
host_macs_str(const struct db_host *h, char *buf, size_t bufsz, const char *sep)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < h->n_macs && off < bufsz; i++)
		off += (size_t)snprintf(buf + off, bufsz - off, "%s%s",
					i ? sep : "", h->macs[i]);
	return buf;
}

/* host_attrs_str - "k=v,k2=v2" into buf (truncated to fit). */
static const char *
host_attrs_str(const struct db_host *h, char *buf, size_t bufsz)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < h->n_attrs && off < bufsz; i++)
		off += (size_t)snprintf(buf + off, bufsz - off, "%s%s=%s",
					i ? "," : "", h->attrs[i].key,
					h->attrs[i].value);
	return buf;
}

/* host_print - a host as "key: value" lines, or JSON. Exit status. */
static int
host_print(const struct by_ctx *ctx, const struct db_host *h)
{
	char macs[DB_MAX_MACS * MAC_STR_LEN + 16], t1[32], t2[32];
	size_t i;

	if (ctx->json)
		return cli_json_print(host_json(h));
	printf("id:          %lld\n", (long long)h->id);
	printf("macs:        %s\n", host_macs_str(h, macs, sizeof(macs), ", "));
	printf("hostname:    %s\n", h->hostname[0] ? h->hostname : "-");
	printf("ip:          %s\n", h->ip[0] ? h->ip : "-");
	printf("action:      %s\n", db_action_name(h->action));
	printf("distro:      %s\n", h->distro[0] ? h->distro : "-");
	printf("local boot:  %s\n",
	       h->local_boot[0] ? h->local_boot : "default");
	if (h->action == DB_ACTION_INSTALL)
		printf("installs:    %u install script(s) served since "
		       "flagged\n",
		       h->attempts);
	for (i = 0; i < h->n_attrs; i++)
		printf("attr %-7s %s\n", h->attrs[i].key, h->attrs[i].value);
	printf("created:     %s\n", cli_time(h->created, t1, sizeof(t1)));
	printf("updated:     %s\n", cli_time(h->updated, t2, sizeof(t2)));
	return 0;
}

/*
 * host_done - after a change: print the host as stored now (JSON), or
 * one line "host ID VERB: MACS (HOSTNAME)". Exit status.
 */
static int
host_done(const struct by_ctx *ctx, const struct cli_cmd *cmd,
	  const struct by_config *cfg, struct db *db, int64_t id,
	  const char *verb)
{
	char macs[DB_MAX_MACS * MAC_STR_LEN + 16];
	struct db_host h;
	int r;

	r = db_host_get(db, id, &h);
	if (r < 0)
		return cli_db_fail(cmd, cfg, r, "reading the host back");
	if (ctx->json)
		return cli_json_print(host_json(&h));
	printf("host %lld %s: %s%s%s%s action=%s%s%s\n", (long long)h.id,
	       verb, host_macs_str(&h, macs, sizeof(macs), ","),
	       h.hostname[0] ? " (" : "", h.hostname,
	       h.hostname[0] ? ")" : "", db_action_name(h.action),
	       h.distro[0] ? " distro=" : "", h.distro);
	return 0;
}

/* ---- common steps -------------------------------------------------- */

/*
 * host_open_find - load the config, open the database (for writing when
 * write) and find the host ref. Returns 0 with *ret_db and *ret, or the
 * exit status after a message (*ret_db is then NULL).
 */
static int
host_open_find(struct by_ctx *ctx, const struct cli_cmd *cmd,
	       struct by_config *cfg, bool write, const char *ref,
	       struct db **ret_db, struct db_host *ret)
{
	char what[96];
	int r;

	r = cli_open(ctx, cmd, cfg, write, ret_db);
	if (r)
		return r;
	snprintf(what, sizeof(what), "host %s", cli_q(ref));
	if (!*ret_db) {
		cli_err(cmd, "%s: not found (no database yet)", what);
		return EXIT_NOTFOUND;
	}
	r = cli_host_find(*ret_db, ref, ret);
	if (r < 0) {
		r = cli_db_fail(cmd, cfg, r, what);
		db_close(*ret_db);
		*ret_db = NULL;
	}
	return r;
}

/*
 * host_check_distro - a named distro must exist: 0, or EXIT_NOTFOUND /
 * EXIT_RUNTIME after a message.
 */
static int
host_check_distro(const struct cli_cmd *cmd, const struct by_config *cfg,
		  struct db *db, const char *name)
{
	struct db_distro d;
	char what[96];
	int r;

	if (!name || !*name)
		return 0;
	r = db_distro_get(db, name, &d);
	if (r == 0) {
		db_distro_free(&d);
		return 0;
	}
	snprintf(what, sizeof(what), "distro %s", cli_q(name));
	return cli_db_fail(cmd, cfg, r, what);
}

/*
 * host_explain_conflict - after -EEXIST, say which value is taken: one of
 * h's MACs or its hostname (else its ip). Returns EXIT_USAGE.
 */
static int
host_explain_conflict(const struct cli_cmd *cmd, struct db *db,
		      const struct db_host *h, const struct db_host *macs_of)
{
	struct db_host other;
	size_t i;

	for (i = 0; macs_of && i < macs_of->n_macs; i++)
		if (db_host_find_by_mac(db, macs_of->macs[i], &other) == 0 &&
		    other.id != h->id) {
			cli_err(cmd, "MAC %s already belongs to host %lld",
				macs_of->macs[i], (long long)other.id);
			return EXIT_USAGE;
		}
	if (h->hostname[0] &&
	    db_host_find_by_name(db, h->hostname, &other) == 0 &&
	    other.id != h->id) {
		cli_err(cmd, "hostname %s already belongs to host %lld",
			h->hostname, (long long)other.id);
		return EXIT_USAGE;
	}
	if (h->ip[0])
		cli_err(cmd, "IP address %s is already reserved for another "
			     "host",
			h->ip);
	else
		cli_err(cmd, "a MAC, hostname or address is already taken");
	return EXIT_USAGE;
}

/* ---- the commands -------------------------------------------------- */

/* host add MAC [MAC...] [options] */
static int
host_add(struct by_ctx *ctx, int argc, char **argv)
{
	const struct cli_cmd *cmd = &cli_cmd_host_add;
	struct by_config cfg;
	struct host_opts o;
	struct db_host h;
	struct db *db = NULL;
	int64_t id;
	size_t i;
	int r;

	r = host_parse_opts(ctx, cmd, argc, argv, &o, true, false);
	if (r != CLI_CONTINUE)
		return r;
	if (optind >= argc)
		return cli_usage_err(cmd, "MAC missing");
	memset(&h, 0, sizeof(h));
	h.action = DB_ACTION_LOCAL;
	for (; optind < argc; optind++) {
		char mac[MAC_STR_LEN];

		if (mac_parse(argv[optind], mac) < 0)
			return cli_usage_err(cmd,
					     "invalid MAC address %s "
					     "(aa:bb:cc:dd:ee:ff, "
					     "AA-BB-CC-DD-EE-FF, "
					     "aabb.ccdd.eeff or aabbccddeeff)",
					     cli_q(argv[optind]));
		for (i = 0; i < h.n_macs; i++)
			if (!strcmp(h.macs[i], mac))
				return cli_usage_err(cmd, "MAC %s given twice",
						     mac);
		if (h.n_macs == DB_MAX_MACS)
			return cli_usage_err(cmd, "at most %d MACs per host",
					     DB_MAX_MACS);
		memcpy(h.macs[h.n_macs++], mac, MAC_STR_LEN);
	}
	r = host_opts_apply(cmd, &o, &h);
	if (r)
		return r;

	r = cli_open(ctx, cmd, &cfg, true, &db);
	if (r)
		return r;
	r = host_check_distro(cmd, &cfg, db, h.distro);
	if (r)
		goto out;
	r = db_host_add(db, &h, &id);
	if (r == -EEXIST)
		r = host_explain_conflict(cmd, db, &h, &h);
	else if (r < 0)
		r = cli_db_fail(cmd, &cfg, r, "adding the host");
	else
		r = host_done(ctx, cmd, &cfg, db, id, "added");
out:
	db_close(db);
	return r;
}

/*
 * host_change - find HOST (ref), apply fn's change and store it in one
 * write transaction (db_host_modify: concurrent writers, the admin API
 * and the installer's callback included, never lose each other's
 * updates), then print the result. fn returns 0 or an exit status.
 */
typedef int (*host_change_fn)(const struct cli_cmd *cmd,
			      const struct host_opts *o, struct db_host *h);

struct host_change_ctx {
	const struct cli_cmd *cmd;
	const struct by_config *cfg;
	const struct host_opts *o;
	host_change_fn fn;
	struct db *db;
	struct db_host after; /* the record fn made, to explain conflicts */
	int status;           /* exit status set by fn or the distro check */
};

/* The db_host_modify callback: runs inside the transaction. */
static int
host_change_apply(struct db_host *h, void *p)
{
	struct host_change_ctx *c = p;
	char distro[sizeof(h->distro)];

	memcpy(distro, h->distro, sizeof(distro));
	c->status = c->fn(c->cmd, c->o, h);
	if (!c->status && strcmp(h->distro, distro))
		c->status = host_check_distro(c->cmd, c->cfg, c->db, h->distro);
	c->after = *h;
	return c->status ? -ECANCELED : 0;
}

static int
host_change(struct by_ctx *ctx, const struct cli_cmd *cmd, const char *ref,
	    const struct host_opts *o, host_change_fn fn, const char *verb)
{
	struct by_config cfg;
	struct db_host h;
	struct db *db;
	struct host_change_ctx c = { .cmd = cmd, .o = o, .fn = fn };
	int r;

	r = host_open_find(ctx, cmd, &cfg, true, ref, &db, &h);
	if (r)
		return r;
	c.cfg = &cfg;
	c.db = db;
	r = db_host_modify(db, h.id, host_change_apply, &c);
	if (r == -ECANCELED && c.status)
		r = c.status;
	else if (r == -EEXIST)
		r = host_explain_conflict(cmd, db, &c.after, NULL);
	else if (r < 0)
		r = cli_db_fail(cmd, &cfg, r, "updating the host");
	else
		r = host_done(ctx, cmd, &cfg, db, h.id, verb);
	db_close(db);
	return r;
}

/* host_set_fn - apply the options of host set. */
static int
host_set_fn(const struct cli_cmd *cmd, const struct host_opts *o,
	    struct db_host *h)
{
	return host_opts_apply(cmd, o, h);
}

/* host set HOST [options] */
static int
host_set(struct by_ctx *ctx, int argc, char **argv)
{
	const struct cli_cmd *cmd = &cli_cmd_host_set;
	struct host_opts o;
	int r;

	r = host_parse_opts(ctx, cmd, argc, argv, &o, true, true);
	if (r != CLI_CONTINUE)
		return r;
	r = cli_positional(cmd, argc, argv, 1, "HOST");
	if (r == CLI_CONTINUE)
		r = host_ref_usage(cmd, argv[optind]);
	if (r != CLI_CONTINUE)
		return r;
	return host_change(ctx, cmd, argv[optind], &o, host_set_fn, "changed");
}

/* host reinstall HOST [--distro D]: a one-time install with a fresh
 * attempt budget, even when the host is flagged already. */
static int
host_reinstall(struct by_ctx *ctx, int argc, char **argv)
{
	const struct cli_cmd *cmd = &cli_cmd_host_reinstall;
	struct by_config cfg;
	struct host_opts o;
	struct db_host h;
	struct db *db;
	int r;

	r = host_parse_opts(ctx, cmd, argc, argv, &o, false, false);
	if (r != CLI_CONTINUE)
		return r;
	if (o.distro && !*o.distro)
		return cli_usage_err(cmd, "--distro needs a name");
	r = cli_positional(cmd, argc, argv, 1, "HOST");
	if (r == CLI_CONTINUE)
		r = host_ref_usage(cmd, argv[optind]);
	if (r != CLI_CONTINUE)
		return r;
	r = host_open_find(ctx, cmd, &cfg, true, argv[optind], &db, &h);
	if (r)
		return r;
	if (!o.distro && !h.distro[0]) {
		r = cli_usage_err(cmd, "the host has no distro: name one with "
				       "--distro D");
		goto out;
	}
	if (o.distro) {
		r = host_check_distro(cmd, &cfg, db, o.distro);
		if (r)
			goto out;
	}
	r = db_host_reinstall(db, h.id, o.distro ? o.distro : "");
	if (r < 0)
		r = cli_db_fail(cmd, &cfg, r, "flagging the host");
	else
		r = host_done(ctx, cmd, &cfg, db, h.id, "flagged for install");
out:
	db_close(db);
	return r;
}

/* host_local_fn - action local. */
static int
host_local_fn(const struct cli_cmd *cmd, const struct host_opts *o,
	      struct db_host *h)
{
	h->action = DB_ACTION_LOCAL;
	return 0;
}

/* host local HOST */
static int
host_local(struct by_ctx *ctx, int argc, char **argv)
{
	const struct cli_cmd *cmd = &cli_cmd_host_local;
	struct host_opts o;
	int r;

	memset(&o, 0, sizeof(o));
	r = host_one_ref(ctx, cmd, argc, argv);
	if (r != CLI_CONTINUE)
		return r;
	return host_change(ctx, cmd, argv[optind], &o, host_local_fn,
			   "set to local boot");
}

/*
 * host_ref_open - host_one_ref, then host_open_find(argv[optind]): a
 * command on one HOST. CLI_CONTINUE with *ret_db and *ret, or the exit
 * status.
 */
static int
host_ref_open(struct by_ctx *ctx, const struct cli_cmd *cmd, int argc,
	      char **argv, struct by_config *cfg, bool write,
	      struct db **ret_db, struct db_host *ret)
{
	int r = host_one_ref(ctx, cmd, argc, argv);

	if (r != CLI_CONTINUE)
		return r; /* 0 after --help */
	r = host_open_find(ctx, cmd, cfg, write, argv[optind], ret_db, ret);
	return r ? r : CLI_CONTINUE;
}

/* host show HOST */
static int
host_show(struct by_ctx *ctx, int argc, char **argv)
{
	const struct cli_cmd *cmd = &cli_cmd_host_show;
	struct by_config cfg;
	struct db_host h;
	struct db *db;
	int r;

	r = host_ref_open(ctx, cmd, argc, argv, &cfg, false, &db, &h);
	if (r != CLI_CONTINUE)
		return r;
	if (!ctx->json) {
		struct diagnosis dg;
		size_t i;

		r = host_print(ctx, &h);
		/* the MAC that booted last is the one to diagnose */
		for (i = 0; r == 0 && i < h.n_macs; i++)
			if (cli_diagnose(db, &cfg, h.macs[i], h.attempts,
					 &dg) == 0 &&
			    (h.n_macs == 1 || dg.since_ms))
				printf("diagnosis:   %s%s%s: %s\n",
				       h.n_macs > 1 ? h.macs[i] : "",
				       h.n_macs > 1 ? " " : "",
				       diag_stage_name(dg.stage), dg.text);
		db_close(db);
		return r;
	}
	db_close(db);
	return host_print(ctx, &h);
}

/* host_list_one - db_host_list callback: one row or JSON object. */
static int
host_list_one(const struct db_host *h, void *opaque)
{
	struct cli_list *c = opaque;
	char id[24], macs[DB_MAX_MACS * MAC_STR_LEN + 16], attrs[512];
	const char *row[8];

	if (c->json) {
		json_t *o = host_json(h);
		if (!o || json_array_append_new(c->arr, o) < 0)
			return -ENOMEM;
		return 0;
	}
	snprintf(id, sizeof(id), "%lld", (long long)h->id);
	row[0] = id;
	row[1] = host_macs_str(h, macs, sizeof(macs), ",");
	row[2] = h->hostname;
	row[3] = h->ip;
	row[4] = db_action_name(h->action);
	row[5] = h->distro;
	row[6] = h->local_boot[0] ? h->local_boot : "default";
	row[7] = host_attrs_str(h, attrs, sizeof(attrs));
	return cli_table_add(&c->table, row);
}

/* host_list_fill - the rows of host list (a cli_list_fn). */
static int
host_list_fill(struct db *db, struct cli_list *c, void *arg)
{
	return db_host_list(db, host_list_one, c);
}

/* host list */
static int
host_list(struct by_ctx *ctx, int argc, char **argv)
{
	static const char *const head[] = { "ID",     "MACS",	"HOSTNAME",
					    "IP",     "ACTION", "DISTRO",
					    "LOCAL",  "ATTRS",	NULL };
	const struct cli_cmd *cmd = &cli_cmd_host_list;
	int r;

	r = cli_simple_args(ctx, cmd, argc, argv, 0, "");
	if (r != CLI_CONTINUE)
		return r;
	return cli_list_run(ctx, cmd, head, host_list_fill, NULL,
			    "listing hosts");
}

/* host rm HOST */
static int
host_rm(struct by_ctx *ctx, int argc, char **argv)
{
	const struct cli_cmd *cmd = &cli_cmd_host_rm;
	struct by_config cfg;
	struct db_host h;
	struct db *db;
	int r;

	r = host_ref_open(ctx, cmd, argc, argv, &cfg, true, &db, &h);
	if (r != CLI_CONTINUE)
		return r;
	r = db_host_delete(db, h.id);
	db_close(db);
	if (r < 0)
		return cli_db_fail(cmd, &cfg, r, "removing the host");
	if (ctx->json)
		return cli_json_print(host_json(&h));
	printf("host %lld removed\n", (long long)h.id);
	return 0;
}

/* host mac add|rm HOST MAC */
static int
host_mac(struct by_ctx *ctx, int argc, char **argv)
{
	const struct cli_cmd *cmd = &cli_cmd_host_mac;
	struct by_config cfg;
	char mac[MAC_STR_LEN];
	struct db_host h;
	struct db *db;
	bool add;
	int r;

	r = cli_simple_args(ctx, cmd, argc, argv, 3, "add|rm, HOST or MAC");
	if (r != CLI_CONTINUE)
		return r;
	if (!strcmp(argv[optind], "add"))
		add = true;
	else if (!strcmp(argv[optind], "rm"))
		add = false;
	else
		return cli_usage_err(cmd, "expected add or rm, not %s",
				     cli_q(argv[optind]));
	r = host_ref_usage(cmd, argv[optind + 1]);
	if (r != CLI_CONTINUE)
		return r;
	if (mac_parse(argv[optind + 2], mac) < 0)
		return cli_usage_err(cmd, "invalid MAC address %s",
				     cli_q(argv[optind + 2]));
	r = host_open_find(ctx, cmd, &cfg, true, argv[optind + 1], &db,
			   &h);
	if (r)
		return r;
	r = add ? db_host_mac_add(db, h.id, mac)
		: db_host_mac_remove(db, h.id, mac);
	if (r == -EEXIST) {
		struct db_host other;
		if (db_host_find_by_mac(db, mac, &other) == 0)
			cli_err(cmd, "MAC %s already belongs to host %lld", mac,
				(long long)other.id);
		else
			cli_err(cmd, "MAC %s is already taken", mac);
		r = EXIT_USAGE;
	} else if (r == -EMLINK) {
		cli_err(cmd, "host %lld already has %d MACs", (long long)h.id,
			DB_MAX_MACS);
		r = EXIT_USAGE;
	} else if (r == -EPERM && !add) {
		cli_err(cmd, "%s is the host's last MAC (remove the host "
			     "instead)",
			mac);
		r = EXIT_USAGE;
	} else if (r == -ENOENT && !add) {
		cli_err(cmd, "host %lld has no MAC %s", (long long)h.id, mac);
		r = EXIT_NOTFOUND;
	} else if (r < 0) {
		r = cli_db_fail(cmd, &cfg, r, add ? "adding the MAC"
						  : "removing the MAC");
	} else {
		r = host_done(ctx, cmd, &cfg, db, h.id,
			      add ? "MAC added" : "MAC removed");
	}
	db_close(db);
	return r;
}

/* ---- dispatch ------------------------------------------------------ */

/* host set/reinstall with power options (--power, --bmc*, --power-cycle)
 * go to cli_power.c; the rest as before. */
static int
host_set_or_power(struct by_ctx *ctx, int argc, char **argv)
{
	if (cli_power_host_wants(argc, argv))
		return cli_power_host(ctx, argc, argv);
	return host_set(ctx, argc, argv);
}

static int
host_reinstall_or_power(struct by_ctx *ctx, int argc, char **argv)
{
	if (cli_power_host_wants(argc, argv))
		return cli_power_host(ctx, argc, argv);
	return host_reinstall(ctx, argc, argv);
}

/*
 * cmd_host - `bootyard host COMMAND ...`. Returns the exit status.
 */
int
cmd_host(struct by_ctx *ctx, int argc, char **argv)
{
	static const struct cli_sub subs[] = {
		{ "add", host_add },	     { "set", host_set_or_power },
		{ "show", host_show },	     { "list", host_list },
		{ "ls", host_list },	     { "rm", host_rm },
		{ "reinstall", host_reinstall_or_power }, { "local", host_local },
		{ "mac", host_mac },
	};

	return cli_dispatch(ctx, &cli_cmd_host, subs, ARRAY_SIZE(subs), argc,
			    argv);
}
