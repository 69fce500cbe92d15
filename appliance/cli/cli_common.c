/*
 * cli_common.c - what the admin commands share (see cli.h): loading the
 * configuration, options, messages, the database, tables and JSON.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "appliance/bootyard.h"
#include "appliance/cli/cli.h"
#include "common/log.h"
#include "common/util.h"
#include "common/valid.h"

/*
 * cli_load_config - load ctx->config_path (the default path may be
 * missing: defaults apply) into cfg. On error prints the file:line message
 * and returns EXIT_USAGE; 0 on success.
 */
int
cli_load_config(const struct by_ctx *ctx, struct by_config *cfg)
{
	char err[768];

	if (cfg_load(cfg, ctx->config_path ? ctx->config_path
					   : CFG_DEFAULT_PATH,
		     ctx->config_path == NULL, err, sizeof(err)) < 0) {
		log_warnx("%s", err);
		return EXIT_USAGE;
	}
	return 0;
}

/* ---- messages ------------------------------------------------------ */

/* cli_q - s quoted and made printable, in a rotating static buffer. */
const char *
cli_q(const char *s)
{
	static char bufs[4][80];
	static unsigned next;
	char *b = bufs[next++ % ARRAY_SIZE(bufs)];
	size_t i, o = 0;

	b[o++] = '\'';
	for (i = 0; s[i] && o < 61; i++) { /* quote + 60 */
		unsigned char c = (unsigned char)s[i];
		b[o++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	if (s[i]) {
		memcpy(b + o, "...", 3);
		o += 3;
	}
	b[o++] = '\'';
	b[o] = '\0';
	return b;
}

/*
 * cli_vlog - log_warnx "bootyard NAME: message" + tail: for the one line,
 * the command's name stands where the program's name does.
 */
static void
cli_vlog(const struct cli_cmd *cmd, const char *tail, const char *fmt,
	 va_list ap)
{
	static char who[64];
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	snprintf(who, sizeof(who), "bootyard %s", cmd->name);
	log_init(who, log_verbosity());
	log_warnx("%s%s", msg, tail);
	log_init("bootyard", log_verbosity());
}

/* cli_err - one line through the log (see bootyard.h). */
void
cli_err(const struct cli_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_vlog(cmd, "", fmt, ap);
	va_end(ap);
}

/* cli_usage_err - cli_err ending with a --help hint. */
int
cli_usage_err(const struct cli_cmd *cmd, const char *fmt, ...)
{
	char tail[96];
	va_list ap;

	snprintf(tail, sizeof(tail), " (see bootyard %s --help)", cmd->name);
	va_start(ap, fmt);
	cli_vlog(cmd, tail, fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

/* cli_help - usage line and option help of cmd. */
void
cli_help(const struct cli_cmd *cmd, FILE *f)
{
	fprintf(f, "usage: bootyard %s %s\n", cmd->name, cmd->usage);
	if (cmd->help && *cmd->help)
		fprintf(f, "\n%s", cmd->help);
	fprintf(f, "\ncommon options (anywhere on the line):\n"
		   "  -c%s FILE  configuration file (default %s)\n"
		   "  --json             print JSON instead of a table\n"
		   "  -h, --help         this text\n",
		cmd->own_config ? "        " : ", --config",
		CFG_DEFAULT_PATH);
}

/* ---- options ------------------------------------------------------- */

/* cli_getopt_reset - glibc re-initializes getopt when optind is 0. */
void
cli_getopt_reset(void)
{
	optind = 0;
	opterr = 0;
}

/* cli_opt_common - the options every command takes (see cli.h). */
int
cli_opt_common(struct by_ctx *ctx, const struct cli_cmd *cmd, int c,
	       char **argv)
{
	const char *opt = optind > 0 ? argv[optind - 1] : "?";

	switch (c) {
	case CLI_OPT_CONFIG:
		ctx->config_path = optarg;
		return CLI_CONTINUE;
	case CLI_OPT_JSON:
		ctx->json = true;
		return CLI_CONTINUE;
	case CLI_OPT_HELP:
		cli_help(cmd, stdout);
		return 0;
	case ':':
		return cli_usage_err(cmd, "option %s needs a value",
				     cli_q(opt));
	case '?':
		if (optopt)
			return cli_usage_err(cmd, "unknown option '-%c'",
					     optopt > 0x20 && optopt < 0x7f
						     ? optopt
						     : '?');
		return cli_usage_err(cmd, "unknown option %s", cli_q(opt));
	default:
		return CLI_NOT_COMMON;
	}
}

/* cli_next_opt - see bootyard.h. */
int
cli_next_opt(struct by_ctx *ctx, const struct cli_cmd *cmd, int argc,
	     char **argv, const char *shortopts, const struct option *opts,
	     int *ret_status)
{
	int c, r;

	while ((c = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
		r = cli_opt_common(ctx, cmd, c, argv);
		if (r == CLI_NOT_COMMON)
			return c;
		if (r != CLI_CONTINUE) {
			*ret_status = r;
			return CLI_STOP;
		}
	}
	return -1;
}

/*
 * cli_leading_opts - take -c FILE, --json and --help that come between a
 * command group ("host") and its subcommand. Returns the index of the
 * subcommand, 0 after --help (the caller returns 0), or -EXIT_USAGE.
 */
int
cli_leading_opts(struct by_ctx *ctx, const struct cli_cmd *cmd, int argc,
		 char **argv)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-c") || !strcmp(a, "--config")) {
			if (++i >= argc) {
				cli_usage_err(cmd, "%s needs a file", a);
				return -EXIT_USAGE;
			}
			ctx->config_path = argv[i];
		} else if (str_has_prefix(a, "--config=")) {
			ctx->config_path = a + 9;
		} else if (!strcmp(a, "--json")) {
			ctx->json = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			cli_help(cmd, stdout);
			return 0;
		} else {
			cli_usage_err(cmd, "unknown option %s", cli_q(a));
			return -EXIT_USAGE;
		}
	}
	if (i >= argc) {
		cli_usage_err(cmd, "command missing");
		return -EXIT_USAGE;
	}
	return i;
}

/* cli_simple_opts - see cli.h. */
int
cli_simple_opts(struct by_ctx *ctx, const struct cli_cmd *cmd, int argc,
		char **argv)
{
	static const struct option opts[] = { CLI_OPTS_COMMON, { 0 } };
	int c, r = 0;

	cli_getopt_reset();
	c = cli_next_opt(ctx, cmd, argc, argv, CLI_SHORTOPTS, opts, &r);
	if (c == CLI_STOP)
		return r;
	if (c != -1)
		return cli_usage_err(cmd, "unknown option");
	return CLI_CONTINUE;
}

/* cli_one_opt - see cli.h. */
int
cli_one_opt(struct by_ctx *ctx, const struct cli_cmd *cmd, int argc,
	    char **argv, const struct option *opts, const char **ret_arg)
{
	int c, r = 0;

	cli_getopt_reset();
	while ((c = cli_next_opt(ctx, cmd, argc, argv, CLI_SHORTOPTS, opts,
				 &r)) >= 0)
		*ret_arg = optarg ? optarg : "";
	return c == CLI_STOP ? r : CLI_CONTINUE;
}

/* cli_positional - see cli.h. */
int
cli_positional(const struct cli_cmd *cmd, int argc, char **argv, int n,
	       const char *names)
{
	if (argc - optind < n)
		return cli_usage_err(cmd, "%s missing", names);
	if (argc - optind > n)
		return cli_usage_err(cmd, "unexpected argument %s",
				     cli_q(argv[optind + n]));
	return CLI_CONTINUE;
}

/* cli_simple_args - see cli.h. */
int
cli_simple_args(struct by_ctx *ctx, const struct cli_cmd *cmd, int argc,
		char **argv, int n, const char *names)
{
	int r = cli_simple_opts(ctx, cmd, argc, argv);

	return r == CLI_CONTINUE ? cli_positional(cmd, argc, argv, n, names)
				 : r;
}

/* cli_dispatch - see cli.h. */
int
cli_dispatch(struct by_ctx *ctx, const struct cli_cmd *group,
	     const struct cli_sub *subs, size_t n, int argc, char **argv)
{
	size_t s;
	int i;

	i = cli_leading_opts(ctx, group, argc, argv);
	if (i <= 0)
		return -i;
	for (s = 0; s < n; s++)
		if (!strcmp(argv[i], subs[s].name))
			return subs[s].fn(ctx, argc - i, argv + i);
	return cli_usage_err(group, "unknown command %s", cli_q(argv[i]));
}

/* ---- values -------------------------------------------------------- */

/* cli_host_ref_check - a MAC in any accepted form, or a host name. */
bool
cli_host_ref_check(const char *ref)
{
	char mac[MAC_STR_LEN];

	return mac_parse(ref, mac) == 0 || valid_hostname(ref);
}

/*
 * cli_host_find - by MAC first; a string that is both a MAC and a valid
 * host name ("aabbccddeeff") falls back to the name.
 */
int
cli_host_find(struct db *db, const char *ref, struct db_host *ret)
{
	char mac[MAC_STR_LEN];
	int r = -EINVAL;

	if (mac_parse(ref, mac) == 0) {
		r = db_host_find_by_mac(db, mac, ret);
		if (r != -ENOENT)
			return r;
	}
	if (valid_hostname(ref))
		r = db_host_find_by_name(db, ref, ret);
	return r;
}

/* cli_time - UTC "YYYY-MM-DD HH:MM:SS"; "-" for 0. */
const char *
cli_time(long long secs, char *buf, size_t bufsz)
{
	time_t t = (time_t)secs;
	struct tm tm;

	if (secs <= 0 || !gmtime_r(&t, &tm) ||
	    !strftime(buf, bufsz, "%Y-%m-%d %H:%M:%S", &tm))
		str_copy(buf, bufsz, "-");
	return buf;
}

/* ---- the database -------------------------------------------------- */

/* cli_open - see cli.h. */
int
cli_open(const struct by_ctx *ctx, const struct cli_cmd *cmd,
	 struct by_config *cfg, bool write, struct db **ret)
{
	int r;

	*ret = NULL;
	r = cli_load_config(ctx, cfg);
	return r ? r : cli_db_open(cmd, cfg, write, ret);
}

/* cli_db_open - see cli.h. */
int
cli_db_open(const struct cli_cmd *cmd, const struct by_config *cfg,
	    bool write, struct db **ret)
{
	char path[CFG_PATH_MAX + 16], dir[CFG_PATH_MAX + 8];
	const char *where = cfg->path[0] ? cfg->path : "the configuration";
	struct stat sb;
	int r;

	*ret = NULL;
	db_set_origin(cfg->name); /* the events a command records */
	if (cfg_db_path(cfg, path, sizeof(path)) < 0) {
		cli_err(cmd, "state directory path too long");
		return EXIT_USAGE;
	}
	if (cfg_db_remote(cfg)) {
		/* a database server: no state directory, nothing to stat */
		r = db_open(path, write ? DB_OPEN_CREATE : DB_OPEN_READONLY,
			    ret);
		if (r == -ESTALE && !write)
			r = db_open(path, 0, ret);
		if (r == -ENOENT && !write)
			return 0; /* nothing stored yet: an empty result */
		if (r < 0) {
			cli_err(cmd, "database %s: %s%s%s", cfg->db_url,
				db_strerror(r), *db_open_error() ? ": " : "",
				db_open_error());
			return EXIT_RUNTIME;
		}
		return 0;
	}
	if (stat(cfg->state_dir, &sb) < 0) {
		if (errno == ENOENT || errno == ENOTDIR) {
			cli_err(cmd,
				"state directory %s does not exist (create it, "
				"or set [appliance] state_dir in %s)",
				cfg->state_dir, where);
			return EXIT_USAGE;
		}
		cli_err(cmd, "state directory %s: %s", cfg->state_dir,
			strerror(errno));
		return EXIT_RUNTIME;
	}
	if (!S_ISDIR(sb.st_mode)) {
		cli_err(cmd, "state directory %s is not a directory",
			cfg->state_dir);
		return EXIT_USAGE;
	}
	if (!write && access(path, F_OK) < 0 && errno == ENOENT)
		return 0; /* nothing stored yet: an empty result */

	/* the database's own directory (privdrop.h), made by the first
	 * write; a failure shows as the database's below */
	if (write && cfg_db_dir(cfg, dir, sizeof(dir)) == 0 &&
	    mkdir(dir, 0750) < 0 && errno != EEXIST)
		r = -errno;
	else
		r = db_open(path, write ? DB_OPEN_CREATE : DB_OPEN_READONLY,
			    ret);
	if (r == -ESTALE && !write) {
		/* An older schema: a read-write open migrates it. */
		r = db_open(path, 0, ret);
	}
	if (r == -ENOENT && access(path, F_OK) == 0)
		r = -EROFS; /* the file is there: SQLite could not create
			       its -wal / -shm files beside it */
	switch (r) {
	case 0:
		return 0;
	case -EROFS:
	case -EACCES:
	case -EPERM:
		cli_err(cmd,
			"cannot %s the database %s: permission denied or "
			"read-only file system (the directory of the "
			"database must be writable: SQLite keeps "
			"bootyard.db-wal and bootyard.db-shm beside it)",
			write ? "write" : "read", path);
		return EXIT_RUNTIME;
	case -EPROTO:
		cli_err(cmd,
			"the database %s was made by a newer bootyard "
			"(schema version above %d)",
			path, DB_SCHEMA_VERSION);
		return EXIT_RUNTIME;
	case -EBADMSG:
		cli_err(cmd, "%s is not a bootyard database (or is damaged)",
			path);
		return EXIT_RUNTIME;
	default:
		cli_err(cmd, "cannot open the database %s: %s", path,
			db_strerror(r));
		return EXIT_RUNTIME;
	}
}

/* cli_write_lock - see cli.h. */
int
cli_write_lock(const struct cli_cmd *cmd, const struct by_config *cfg,
	       int *ret_fd)
{
	char path[CFG_PATH_MAX + 16];
	int fd, i;

	if (str_printf(path, sizeof(path), "%s/cli.lock", cfg->state_dir) <
	    0) {
		cli_err(cmd, "state directory path too long");
		return EXIT_RUNTIME;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 && (errno == EACCES || errno == EROFS || errno == EPERM)) {
		cli_err(cmd,
			"cannot write the lock file %s: permission denied or "
			"read-only file system (the directory %s must be "
			"writable)",
			path, cfg->state_dir);
		return EXIT_RUNTIME;
	}
	if (fd < 0) {
		cli_err(cmd, "cannot open the lock file %s: %s", path,
			strerror(errno));
		return EXIT_RUNTIME;
	}
	/* 30 s in steps of 10 ms: writers hold it for milliseconds. */
	for (i = 0; flock(fd, LOCK_EX | LOCK_NB) < 0; i++) {
		if ((errno != EWOULDBLOCK && errno != EINTR) || i >= 3000) {
			cli_err(cmd, "cannot lock %s: %s", path,
				errno == EWOULDBLOCK
					? "another bootyard command holds it"
					: strerror(errno));
			close(fd);
			return EXIT_RUNTIME;
		}
		usleep(10000);
	}
	*ret_fd = fd;
	return 0;
}

/* cli_db_fail - message and exit status for a failed db_* call. */
int
cli_db_fail(const struct cli_cmd *cmd, const struct by_config *cfg, int r,
	    const char *what)
{
	char path[CFG_PATH_MAX + 16];

	if (cfg_db_path(cfg, path, sizeof(path)) < 0)
		str_copy(path, sizeof(path), "(state_dir)/bootyard.db");
	switch (r) {
	case -ENOENT:
		cli_err(cmd, "%s: not found", what);
		return EXIT_NOTFOUND;
	case -EEXIST:
		cli_err(cmd, "%s: already exists", what);
		return EXIT_USAGE;
	case -EINVAL:
		cli_err(cmd, "%s: invalid value", what);
		return EXIT_USAGE;
	default:
		/* a storage fault: what failed, why, and where */
		cli_err(cmd, "%s: %s (%s)", what, db_strerror(r), path);
		return EXIT_RUNTIME;
	}
}

/* ---- tables -------------------------------------------------------- */

/* cli_table_init - an empty table with the NULL-terminated headings. */
void
cli_table_init(struct cli_table *t, const char *const *head)
{
	memset(t, 0, sizeof(*t));
	while (head[t->ncols] && t->ncols < CLI_TABLE_MAX_COLS) {
		t->head[t->ncols] = head[t->ncols];
		t->ncols++;
	}
}

/* sanitized_dup - a copy of s with control characters as '?'. */
static char *
sanitized_dup(const char *s)
{
	char *d = strdup(s && *s ? s : "-");
	char *p;

	if (!d)
		return NULL;
	for (p = d; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return d;
}

/* cli_table_add - append one row (cells copied and sanitized). */
int
cli_table_add(struct cli_table *t, const char *const *row)
{
	size_t i;

	if (t->nrows == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 16;
		char **cells = realloc(t->cells, cap * t->ncols * sizeof(*cells));
		if (!cells)
			return -ENOMEM;
		t->cells = cells;
		t->cap = cap;
	}
	for (i = 0; i < t->ncols; i++) {
		char *c = sanitized_dup(row[i]);
		if (!c) {
			while (i-- > 0)
				free(t->cells[t->nrows * t->ncols + i]);
			return -ENOMEM;
		}
		t->cells[t->nrows * t->ncols + i] = c;
	}
	t->nrows++;
	return 0;
}

/* cli_table_print - columns padded to their widest cell. */
void
cli_table_print(const struct cli_table *t)
{
	size_t w[CLI_TABLE_MAX_COLS], r, i;

	for (i = 0; i < t->ncols; i++)
		w[i] = strlen(t->head[i]);
	for (r = 0; r < t->nrows; r++)
		for (i = 0; i < t->ncols; i++) {
			size_t n = strlen(t->cells[r * t->ncols + i]);
			if (n > w[i])
				w[i] = n;
		}
	for (i = 0; i < t->ncols; i++) {
		if (i + 1 < t->ncols)
			printf("%-*s  ", (int)w[i], t->head[i]);
		else
			printf("%s\n", t->head[i]);
	}
	for (r = 0; r < t->nrows; r++)
		for (i = 0; i < t->ncols; i++) {
			const char *c = t->cells[r * t->ncols + i];
			if (i + 1 < t->ncols)
				printf("%-*s  ", (int)w[i], c);
			else
				printf("%s\n", c);
		}
}

/* cli_table_free - free every cell. */
void
cli_table_free(struct cli_table *t)
{
	size_t i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nrows = t->cap = 0;
}

/* ---- JSON ---------------------------------------------------------- */

/* Print j with flags and a newline to stdout, and release it. */
static int
cli_json_dump(json_t *j, size_t flags)
{
	int r;

	if (!j) {
		log_warnx("out of memory");
		return EXIT_RUNTIME;
	}
	r = json_dumpf(j, stdout, flags);
	json_decref(j);
	if (r < 0 || putchar('\n') == EOF || fflush(stdout) == EOF) {
		log_warnx("cannot write the output");
		return EXIT_RUNTIME;
	}
	return 0;
}

/* cli_json_print - print and release j. */
int
cli_json_print(json_t *j)
{
	return cli_json_dump(j, JSON_INDENT(2) | JSON_ENSURE_ASCII);
}

/* cli_json_print_line - see cli.h. */
int
cli_json_print_line(json_t *j)
{
	return cli_json_dump(j, JSON_COMPACT | JSON_ENSURE_ASCII);
}

/* cli_list_begin - see cli.h. */
int
cli_list_begin(const struct by_ctx *ctx, struct cli_list *c,
	       const char *const *head)
{
	memset(c, 0, sizeof(*c));
	c->json = ctx->json;
	cli_table_init(&c->table, head);
	if (c->json && !(c->arr = json_array()))
		return cli_json_print(NULL);
	return 0;
}

/* cli_list_end - see cli.h. */
int
cli_list_end(const struct cli_cmd *cmd, const struct by_config *cfg,
	     struct cli_list *c, int r, const char *what)
{
	if (r < 0) {
		json_decref(c->arr);
		cli_table_free(&c->table);
		return cli_db_fail(cmd, cfg, r, what);
	}
	if (c->json)
		return cli_json_print(c->arr);
	cli_table_print(&c->table);
	cli_table_free(&c->table);
	return 0;
}

/* cli_list_run - see cli.h. */
int
cli_list_run(const struct by_ctx *ctx, const struct cli_cmd *cmd,
	     const char *const *head, cli_list_fn fn, void *arg,
	     const char *what)
{
	struct by_config cfg;
	struct cli_list c;
	struct db *db;
	int r;

	r = cli_open(ctx, cmd, &cfg, false, &db);
	if (r)
		return r;
	r = cli_list_begin(ctx, &c, head);
	if (r) {
		db_close(db);
		return r;
	}
	r = db ? fn(db, &c, arg) : 0;
	db_close(db);
	return cli_list_end(cmd, &cfg, &c, r, what);
}
