/*
 * cli.h - what the admin commands (cli_*.c) share: option handling,
 * one-line error messages, opening the database, finding a host, tables
 * and JSON output.
 *
 * Every command follows the same shape: parse options with getopt_long
 * (cli_opt_common() takes -c/--config, --json and --help anywhere on the
 * line), validate every value completely, only then open the database
 * and call db_*, and map the result to an exit status (bootyard.h).
 */
#ifndef BOOTYARD_CLI_H
#define BOOTYARD_CLI_H

#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "appliance/bootyard.h"
#include "appliance/cli/help.h" /* generated from appliance/cli/help.txt */
#include "appliance/core/diagnose.h"
#include "db/db.h"

/* struct cli_cmd, the common options (cli_opt_common), cli_help, cli_err,
 * cli_usage_err and cli_q are in appliance/bootyard.h: serve uses them
 * too. Each command's struct cli_cmd, cli_cmd_ID (its name, usage and
 * --help text), is written in appliance/cli/help.txt; the build makes
 * them into BUILD/gen/appliance/cli/help.h and BUILD/gen/cli_help.c
 * (appliance/cli/module.mk). */

/*
 * cli_simple_opts - the getopt loop of a command that takes only the
 * common options. Returns CLI_CONTINUE (optind at the first positional
 * argument) or the exit status.
 */
int cli_simple_opts(struct by_ctx *ctx, const struct cli_cmd *cmd, int argc,
		    char **argv);

/*
 * cli_one_opt - the getopt loop of a command with one option of its own
 * besides the common ones (opts: CLI_OPTS_COMMON and that one). When it
 * is given, *ret_arg is its argument (of the last time), "" for an
 * option without one; else *ret_arg is left as it is. Returns
 * CLI_CONTINUE (optind at the first positional argument) or the exit
 * status.
 */
int cli_one_opt(struct by_ctx *ctx, const struct cli_cmd *cmd, int argc,
		char **argv, const struct option *opts, const char **ret_arg);

/*
 * cli_positional - check that exactly n positional arguments follow
 * optind (names: what they are, for "NAMES missing"). CLI_CONTINUE or
 * EXIT_USAGE after a message.
 */
int cli_positional(const struct cli_cmd *cmd, int argc, char **argv, int n,
		   const char *names);

/*
 * cli_simple_args - cli_simple_opts, then cli_positional(cmd, argc, argv,
 * n, names): a command with only the common options and n arguments.
 */
int cli_simple_args(struct by_ctx *ctx, const struct cli_cmd *cmd, int argc,
		    char **argv, int n, const char *names);

/* A subcommand of a command group ("host add"). */
struct cli_sub {
	const char *name;
	by_cmd_fn fn;
};

/*
 * cli_dispatch - run the subcommand of group that argv names, after the
 * group's leading options (cli_leading_opts). Returns its exit status.
 */
int cli_dispatch(struct by_ctx *ctx, const struct cli_cmd *group,
		 const struct cli_sub *subs, size_t n, int argc, char **argv);

/*
 * cli_db_open - load nothing: open the database of cfg (cfg_db_path). With
 * write, create it (DB_OPEN_CREATE) when missing. Without write, a
 * database that does not exist yet gives 0 and *ret = NULL (the caller
 * shows an empty result). Returns 0 and *ret (db_close it), or prints a
 * one-line message and returns an exit status: EXIT_USAGE when the state
 * directory is missing, EXIT_RUNTIME when it is read-only or the database
 * cannot be opened.
 */
int cli_db_open(const struct cli_cmd *cmd, const struct by_config *cfg,
		bool write, struct db **ret);

/*
 * cli_open - the first step of a command that reads or writes the
 * database: cli_load_config, then cli_db_open(cmd, cfg, write, ret).
 * 0 and *ret (NULL when reading and there is no database yet), or an
 * exit status, its message printed.
 */
int cli_open(const struct by_ctx *ctx, const struct cli_cmd *cmd,
	     struct by_config *cfg, bool write, struct db **ret);

/*
 * cli_write_lock - take the CLI's write lock, <state_dir>/cli.lock
 * (flock, exclusive), so that concurrent `distro set` commands do not
 * lose each other's updates: db.h has no transaction spanning a read and
 * a write of a distribution. (Host changes - host set, reinstall, local -
 * need no lock: they go through db_host_modify's transaction, which also
 * orders them against the admin API.) Waits up to 30 s. Returns 0 and
 * *ret_fd (close it to unlock), or prints a message and returns
 * EXIT_RUNTIME.
 */
int cli_write_lock(const struct cli_cmd *cmd, const struct by_config *cfg,
		   int *ret_fd);

/*
 * cli_db_fail - print a one-line message for a failed db_* call (r is its
 * negative errno, what names the object, e.g. "host 'web1'") and return
 * the exit status: -ENOENT -> EXIT_NOTFOUND, -EEXIST/-EINVAL ->
 * EXIT_USAGE, anything else -> EXIT_RUNTIME.
 */
int cli_db_fail(const struct cli_cmd *cmd, const struct by_config *cfg,
		int r, const char *what);

/*
 * cli_host_ref_check - check that ref names a host the way HOST
 * arguments may: any accepted MAC form, or an RFC 1123 host name.
 */
bool cli_host_ref_check(const char *ref);

/*
 * cli_host_find - the host that ref names: a MAC (any accepted form) of
 * the host, or its hostname. Returns 0 and *ret, -ENOENT, or -EINVAL
 * (ref is neither).
 */
int cli_host_find(struct db *db, const char *ref, struct db_host *ret);

/* cli_time - unix seconds as "2026-11-25 09:30:00" (UTC) into buf. */
const char *cli_time(long long secs, char *buf, size_t bufsz);

/* ---- tables -------------------------------------------------------- */

#define CLI_TABLE_MAX_COLS 10

/* A table printed with aligned columns; cells are copied. */
struct cli_table {
	size_t ncols;
	const char *head[CLI_TABLE_MAX_COLS];
	char **cells; /* nrows * ncols, sanitized copies */
	size_t nrows, cap;
};

/* cli_table_init - a table with the given headings (NULL-terminated). */
void cli_table_init(struct cli_table *t, const char *const *head);

/* cli_table_add - append a row of t->ncols cells (NULL = "-").
 * Returns 0 or -ENOMEM. */
int cli_table_add(struct cli_table *t, const char *const *row);

/* cli_table_print - print the heading and rows to stdout. */
void cli_table_print(const struct cli_table *t);

/* cli_table_free - free the rows (t can be reused after init). */
void cli_table_free(struct cli_table *t);

/* ---- JSON ---------------------------------------------------------- */

/*
 * cli_json_print - print j (indented) and a newline to stdout, and drop
 * the reference. Returns 0, or EXIT_RUNTIME when j is NULL (out of
 * memory) or cannot be written.
 */
int cli_json_print(json_t *j);

/* cli_json_print_line - cli_json_print on one compact line. */
int cli_json_print_line(json_t *j);

/* Hosts and other records are turned into JSON by
 * appliance/core/hostjson.h: host_json, json_text_or_null (null for ""). */

/*
 * A listing (host list, distro list, leases, events): the db_*_list
 * callback adds a table row, or with --json a JSON object to arr.
 */
struct cli_list {
	bool json;
	json_t *arr;
	struct cli_table table;
};

/* cli_list_begin - set up c for ctx's output mode with the table's
 * headings. 0, or EXIT_RUNTIME after a message. */
int cli_list_begin(const struct by_ctx *ctx, struct cli_list *c,
		   const char *const *head);

/* The listing of a command: add c's rows from db with a db_*_list call
 * (arg: the command's filter). Returns that call's result. */
typedef int (*cli_list_fn)(struct db *db, struct cli_list *c, void *arg);

/*
 * cli_list_run - the whole of a listing command after its options: open
 * the database to read (none yet: an empty listing), fill a table or a
 * JSON array (ctx->json) with fn, print it, or the error about what.
 * Returns the exit status.
 */
int cli_list_run(const struct by_ctx *ctx, const struct cli_cmd *cmd,
		 const char *const *head, cli_list_fn fn, void *arg,
		 const char *what);

/* cli_list_end - print what was collected, or for r < 0 (the db_*_list
 * result) the error about what; frees c. Returns the exit status. */
int cli_list_end(const struct cli_cmd *cmd, const struct by_config *cfg,
		 struct cli_list *c, int r, const char *what);

/* cli_diagnose - diagnose_mac for mac, now, with cfg's install
 * attempts and UEFI loader; attempts: the host's (0 = unknown). */
int cli_diagnose(struct db *db, const struct by_config *cfg, const char *mac,
		 unsigned attempts, struct diagnosis *out);

#endif
