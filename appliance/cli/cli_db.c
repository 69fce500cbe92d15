/*
 * cli_db.c - `bootyard db migrate|copy|dump`: the database itself.
 *
 *   db migrate                 apply the schema migrations to the
 *                              configured database ([db] url)
 *   db copy --from LOC --to LOC
 *                              copy every table (an SQLite appliance onto
 *                              a shared PostgreSQL, or back)
 *   db dump [LOC]              every row in a backend-neutral form (what
 *                              tests compare after a copy)
 *
 * LOC is sqlite:PATH, a path, or a postgresql:// URL, never with a
 * password in it (password_file=FILE in its query names a file holding
 * one; else libpq's PGPASSFILE / ~/.pgpass / service file).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "appliance/cli/cli.h"
#include "common/util.h"
#include "db/db_copy.h"

/* A location from the command line: a password never belongs in it. */
static bool
location_ok(const char *loc)
{
	const char *auth, *at, *slash;

	if (!db_location_is_pg(loc))
		return loc[0] != '\0';
	/* libpq's password=... no (password_file=FILE does not match) */
	if (strstr(loc, "password="))
		return false;
	auth = strstr(loc, "://") + 3;
	slash = strchr(auth, '/');
	at = strchr(auth, '@');
	return !(at && (!slash || at < slash) &&
		 memchr(auth, ':', (size_t)(at - auth)));
}

static int
open_loc(const struct cli_cmd *cmd, const char *loc, int flags,
	 struct db **ret)
{
	int r;

	if (!location_ok(loc)) {
		cli_err(cmd,
			"%s: not a database location, or a password in it "
			"(use password_file=FILE, PGPASSFILE or a service "
			"file)",
			db_location_is_pg(loc) ? "the URL" : cli_q(loc));
		return EXIT_USAGE;
	}
	r = db_open(loc, flags, ret);
	if (r == -ESTALE) {
		cli_err(cmd, "%s: an older schema: run bootyard db migrate "
			     "on it first",
			db_location_is_pg(loc) ? "the source" : cli_q(loc));
		return EXIT_RUNTIME;
	}
	if (r < 0) {
		cli_err(cmd, "%s: %s",
			db_location_is_pg(loc) ? "PostgreSQL" : cli_q(loc),
			db_strerror(r));
		return EXIT_RUNTIME;
	}
	return 0;
}

static int
db_migrate_cmd_run(struct by_ctx *ctx, int argc, char **argv)
{
	const struct cli_cmd *cmd = &cli_cmd_db_migrate;
	struct by_config cfg;
	struct db *db;
	int r;

	r = cli_simple_args(ctx, cmd, argc, argv, 0, "");
	if (r != CLI_CONTINUE)
		return r;
	r = cli_open(ctx, cmd, &cfg, true, &db);
	if (r)
		return r;
	r = db_schema_version(db);
	if (ctx->json)
		r = cli_json_print(json_pack("{s:i,s:s}", "schema_version", r,
					     "backend", db_backend_name(db)));
	else
		printf("%s database at schema version %d\n",
		       db_backend_name(db), r), r = 0;
	db_close(db);
	return r;
}

enum { OPT_FROM = 0x200, OPT_TO };

static int
db_copy_cmd_run(struct by_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_OPTS_COMMON,
		{ "from", required_argument, NULL, OPT_FROM },
		{ "to", required_argument, NULL, OPT_TO },
		{ 0 },
	};
	const struct cli_cmd *cmd = &cli_cmd_db_copy;
	const char *from = NULL, *to = NULL;
	struct db *src = NULL, *dst = NULL;
	long n;
	int ch, r = 0;

	cli_getopt_reset();
	while ((ch = cli_next_opt(ctx, cmd, argc, argv, CLI_SHORTOPTS, opts,
				  &r)) >= 0) {
		if (ch == OPT_FROM)
			from = optarg;
		else
			to = optarg;
	}
	if (ch == CLI_STOP)
		return r;
	if (optind < argc)
		return cli_usage_err(cmd, "unexpected argument %s",
				     cli_q(argv[optind]));
	if (!from || !to)
		return cli_usage_err(cmd, "--from and --to are both needed");
	if (!strcmp(from, to))
		return cli_usage_err(cmd, "--from and --to are the same");
	r = open_loc(cmd, from, DB_OPEN_READONLY, &src);
	if (r == 0)
		r = open_loc(cmd, to, DB_OPEN_CREATE, &dst);
	if (r == 0) {
		n = db_copy(src, dst);
		if (n == -ENOTEMPTY) {
			cli_err(cmd, "the destination holds data already: "
				     "copy only into an empty database");
			r = EXIT_USAGE;
		} else if (n < 0) {
			cli_err(cmd, "copy failed, nothing copied: %s (%s)",
				db_strerror((int)n), db_errmsg(dst));
			r = EXIT_RUNTIME;
		} else if (ctx->json) {
			r = cli_json_print(json_pack("{s:I}", "rows",
						     (json_int_t)n));
		} else {
			printf("%ld rows copied from %s to %s\n", n,
			       db_backend_name(src), db_backend_name(dst));
		}
	}
	db_close(src);
	db_close(dst);
	return r;
}

static int
dump_line(const char *line, void *ctx)
{
	return puts(line) < 0 ? -EIO : 0;
}

static int
db_dump_cmd_run(struct by_ctx *ctx, int argc, char **argv)
{
	const struct cli_cmd *cmd = &cli_cmd_db_dump;
	struct by_config cfg;
	struct db *db = NULL;
	int r;

	r = cli_simple_opts(ctx, cmd, argc, argv);
	if (r != CLI_CONTINUE)
		return r;
	if (argc - optind > 1)
		return cli_usage_err(cmd, "unexpected argument %s",
				     cli_q(argv[optind + 1]));
	if (optind < argc)
		r = open_loc(cmd, argv[optind], DB_OPEN_READONLY, &db);
	else
		r = cli_open(ctx, cmd, &cfg, false, &db);
	if (r || !db)
		return r;
	r = db_dump(db, dump_line, NULL);
	db_close(db);
	if (r < 0) {
		cli_err(cmd, "%s", db_strerror(r));
		return EXIT_RUNTIME;
	}
	return 0;
}

/* cmd_db - `bootyard db COMMAND ...`. Returns the exit status. */
int
cmd_db(struct by_ctx *ctx, int argc, char **argv)
{
	static const struct cli_sub subs[] = {
		{ "migrate", db_migrate_cmd_run },
		{ "copy", db_copy_cmd_run },
		{ "dump", db_dump_cmd_run },
	};

	return cli_dispatch(ctx, &cli_cmd_db, subs, ARRAY_SIZE(subs), argc,
			    argv);
}
