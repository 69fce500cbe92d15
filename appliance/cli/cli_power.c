/*
 * cli_power.c - power control from the command line (docs/power.md):
 *
 *   bootyard power HOST status|on|off|cycle|reset
 *   bootyard host set HOST --power ipmi --bmc ADDR[:PORT] --bmc-user U
 *                          --bmc-password-file F   (or --power wol|none)
 *   bootyard host reinstall HOST [--distro D] --power-cycle
 *
 * The settings are written to the database directly (root, like every
 * host set); the password is read from a file, never from the command
 * line, and never printed. Actions go through the running daemon's
 * admin API, which alone starts ipmitool: this process starts nothing.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "appliance/bootyard.h"
#include "appliance/cli/cli.h"
#include "appliance/power/power.h"
#include "common/util.h"
#include "common/valid.h"
#include "db/db.h"

/* ---- the admin API client ------------------------------------------ */

struct buf {
	char *p;
	size_t n;
};

static size_t
buf_write(char *data, size_t sz, size_t nm, void *ctx)
{
	struct buf *b = ctx;
	size_t add = sz * nm;
	char *p;

	if (b->n + add > 1024 * 1024)
		return 0;
	p = realloc(b->p, b->n + add + 1);
	if (!p)
		return 0;
	memcpy(p + b->n, data, add);
	b->p = p;
	b->n += add;
	b->p[b->n] = '\0';
	return add;
}

/* The admin API's base URL from [admin] listen. */
static int
admin_url(const struct by_config *cfg, char *out, size_t outsz)
{
	const char *l = cfg->admin_listen;

	if (!strcmp(l, "off") || !*l)
		return -ENOENT;
	if (!strncmp(l, "0.0.0.0:", 8))
		snprintf(out, outsz, "http://127.0.0.1:%s", l + 8);
	else if (!strncmp(l, "[::]:", 5))
		snprintf(out, outsz, "http://[::1]:%s", l + 5);
	else
		snprintf(out, outsz, "http://%s", l);
	return 0;
}

/* Read the first line of path (at most max - 1 bytes) into out. */
static int
read_line_file(const char *path, char *out, size_t max)
{
	char buf[512];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (strlen(buf) >= max) {
		explicit_bzero(buf, sizeof(buf));
		return -E2BIG;
	}
	memcpy(out, buf, strlen(buf) + 1);
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

/*
 * POST (or method) body to path of the admin API; *status and *ret (the
 * answer as JSON, or NULL). Returns 0 or an exit status after a message.
 */
static int
admin_call(const struct cli_cmd *cmd, const struct by_config *cfg,
	   const char *method, const char *path, const char *body,
	   long *status, json_t **ret)
{
	char url[512], token[256], auth[300];
	struct curl_slist *h = NULL;
	struct buf b = { 0 };
	CURL *c;
	CURLcode cr;
	int r;

	*ret = NULL;
	if (admin_url(cfg, url, sizeof(url) - strlen(path)) < 0) {
		cli_err(cmd, "[admin] listen is off: the daemon's admin API "
			     "is needed for power actions");
		return EXIT_USAGE;
	}
	strcat(url, path);
	r = read_line_file(cfg->admin_token_file, token, sizeof(token));
	if (r < 0 || !token[0]) {
		cli_err(cmd, "cannot read the admin token %s: %s",
			cli_q(cfg->admin_token_file),
			r < 0 ? strerror(-r) : "empty");
		return EXIT_RUNTIME;
	}
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	explicit_bzero(token, sizeof(token));
	c = curl_easy_init();
	if (!c)
		return EXIT_RUNTIME;
	h = curl_slist_append(h, auth);
	h = curl_slist_append(h, "Content-Type: application/json");
	explicit_bzero(auth, sizeof(auth));
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (body)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, buf_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	cr = curl_easy_perform(c);
	if (cr == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	if (cr != CURLE_OK) {
		free(b.p);
		cli_err(cmd, "the daemon's admin API at %s: %s (is bootyard "
			     "serve running?)",
			cli_q(url), curl_easy_strerror(cr));
		return EXIT_RUNTIME;
	}
	*ret = b.p ? json_loads(b.p, 0, NULL) : NULL;
	free(b.p);
	return 0;
}

/* An API answer's exit status, with its error printed. */
static int
api_status(const struct cli_cmd *cmd, long status, json_t *j)
{
	const char *e = json_string_value(json_object_get(j, "error"));

	if (status >= 200 && status < 300)
		return 0;
	cli_err(cmd, "%s", e ? e : "the admin API refused the request");
	if (status == 404)
		return EXIT_NOTFOUND;
	if (status == 400 || status == 422)
		return EXIT_USAGE;
	return EXIT_RUNTIME;
}

/* "/api/v1/hosts/REF" with REF checked (MAC or host name: no escaping
 * needed). */
static int
host_path(const struct cli_cmd *cmd, const char *ref, const char *what,
	  char *out, size_t outsz)
{
	if (!cli_host_ref_check(ref))
		return cli_usage_err(cmd, "HOST must be a MAC or a host name, "
					  "not %s", cli_q(ref));
	snprintf(out, outsz, "/api/v1/hosts/%s/%s", ref, what);
	return 0;
}

/*
 * POST body to the admin API's /api/v1/hosts/REF/WHAT, the call that
 * bootyard power and host reinstall --power-cycle each make: REF
 * checked, the config loaded, the answer's status turned into an exit
 * status (its error printed). Returns 0 with the answer in *ret (the
 * caller frees it), or an exit status with *ret NULL.
 */
static int
admin_host_post(struct by_ctx *ctx, const struct cli_cmd *cmd,
		const char *ref, const char *what, const char *body,
		json_t **ret)
{
	struct by_config cfg;
	char path[256];
	long status = 0;
	json_t *j;
	int r;

	*ret = NULL;
	r = host_path(cmd, ref, what, path, sizeof(path));
	if (r)
		return r;
	r = cli_load_config(ctx, &cfg);
	if (r)
		return r;
	r = admin_call(cmd, &cfg, "POST", path, body, &status, &j);
	if (r)
		return r;
	r = api_status(cmd, status, j);
	if (r) {
		json_decref(j);
		return r;
	}
	*ret = j;
	return 0;
}

/* ---- bootyard power HOST ACTION ------------------------------------ */

int
cmd_power(struct by_ctx *ctx, int argc, char **argv)
{
	const struct cli_cmd *cmd = &cli_cmd_power;
	enum power_action a;
	char body[64];
	json_t *j;
	int r;

	r = cli_simple_opts(ctx, cmd, argc, argv);
	if (r != CLI_CONTINUE)
		return r;
	if (argc - optind != 2)
		return cli_usage_err(cmd, "give HOST and an action");
	if (power_action_parse(argv[optind + 1], &a) < 0 ||
	    a == POWER_BOOT_PXE)
		return cli_usage_err(cmd, "action: status, on, off, cycle or "
					  "reset, not %s",
				     cli_q(argv[optind + 1]));
	snprintf(body, sizeof(body), "{\"action\":\"%s\"}",
		 power_action_name(a));
	r = admin_host_post(ctx, cmd, argv[optind], "power", body, &j);
	if (r)
		return r;
	if (ctx->json)
		return cli_json_print(j);
	printf("%s: %s\n", argv[optind],
	       a == POWER_STATUS
		       ? json_string_value(json_object_get(j, "power"))
		       : json_string_value(json_object_get(j, "message")));
	json_decref(j);
	return 0;
}

/* ---- host set HOST --power ... ------------------------------------- */

enum { OPT_POWER = 0x200, OPT_BMC, OPT_BMC_USER, OPT_BMC_PASS,
       OPT_POWER_CYCLE, OPT_P_DISTRO };

bool
cli_power_host_wants(int argc, char **argv)
{
	int i;

	if (argc < 1)
		return false;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[0], "set") &&
		    (!strncmp(argv[i], "--power", 7) ||
		     !strncmp(argv[i], "--bmc", 5)))
			return true;
		if (!strcmp(argv[0], "reinstall") &&
		    !strcmp(argv[i], "--power-cycle"))
			return true;
	}
	return false;
}

static int
power_host_set(struct by_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_OPTS_COMMON,
		{ "power", required_argument, NULL, OPT_POWER },
		{ "bmc", required_argument, NULL, OPT_BMC },
		{ "bmc-user", required_argument, NULL, OPT_BMC_USER },
		{ "bmc-password-file", required_argument, NULL, OPT_BMC_PASS },
		{ 0 },
	};
	const struct cli_cmd *cmd = &cli_cmd_power_set;
	const char *pwfile = NULL;
	struct by_config cfg;
	struct db_power p, old;
	struct db_host h;
	struct db *db;
	char why[160];
	struct stat st;
	bool set_pw;
	int c, r;

	memset(&p, 0, sizeof(p));
	cli_getopt_reset();
	while ((c = cli_next_opt(ctx, cmd, argc, argv, CLI_SHORTOPTS, opts,
	                         &r)) >= 0) {
		switch (c) {
		case OPT_POWER:
			if (str_copy(p.method, sizeof(p.method), optarg) < 0)
				return cli_usage_err(cmd, "--power: ipmi, wol "
							  "or none");
			break;
		case OPT_BMC:
			if (str_copy(p.bmc, sizeof(p.bmc), optarg) < 0)
				return cli_usage_err(cmd, "--bmc too long");
			break;
		case OPT_BMC_USER:
			if (str_copy(p.user, sizeof(p.user), optarg) < 0)
				return cli_usage_err(cmd, "--bmc-user: 1 to 16 "
							  "characters");
			break;
		case OPT_BMC_PASS:
			pwfile = optarg;
			break;
		default:
			return cli_usage_err(cmd, "give the --power options in "
						  "a host set of their own");
		}
	}
	if (c == CLI_STOP)
		return r;
	if (argc - optind != 1)
		return cli_usage_err(cmd, "give one HOST");
	if (!cli_host_ref_check(argv[optind]))
		return cli_usage_err(cmd, "HOST must be a MAC or a host name");
	if (!p.method[0])
		return cli_usage_err(cmd, "--power ipmi|wol|none is needed "
					  "with the --bmc options");
	if (pwfile && strcmp(p.method, "ipmi"))
		return cli_usage_err(cmd, "--bmc-password-file is for --power "
					  "ipmi");
	if (pwfile) {
		r = read_line_file(pwfile, p.password, sizeof(p.password));
		if (r < 0) {
			cli_err(cmd, "--bmc-password-file %s: %s", cli_q(pwfile),
				r == -E2BIG ? "longer than 20 characters"
					    : strerror(-r));
			return r == -E2BIG ? EXIT_USAGE : EXIT_RUNTIME;
		}
		if (stat(pwfile, &st) == 0 && (st.st_mode & 0004))
			fprintf(stderr, "bootyard host set: warning: %s can "
					"be read by anyone\n",
				cli_q(pwfile));
	}
	if (power_settings_check(&p, pwfile != NULL, why, sizeof(why)) < 0) {
		explicit_bzero(&p, sizeof(p));
		return cli_usage_err(cmd, "%s", why);
	}
	r = cli_open(ctx, cmd, &cfg, true, &db);
	if (r) {
		explicit_bzero(&p, sizeof(p));
		return r;
	}
	r = cli_host_find(db, argv[optind], &h);
	if (r < 0) {
		explicit_bzero(&p, sizeof(p));
		r = cli_db_fail(cmd, &cfg, r, "the host");
		db_close(db);
		return r;
	}
	set_pw = pwfile != NULL || strcmp(p.method, "ipmi");
	if (!set_pw && (db_power_get(db, h.id, &old, false) < 0 ||
			!old.has_password)) {
		db_close(db);
		return cli_usage_err(cmd, "--power ipmi needs "
					  "--bmc-password-file the first time");
	}
	r = db_power_set(db, h.id, &p, set_pw);
	explicit_bzero(p.password, sizeof(p.password));
	if (r < 0) {
		r = cli_db_fail(cmd, &cfg, r, "the power settings");
	} else {
		char detail[200];

		snprintf(detail, sizeof(detail), "settings: %s%s%s%s%s",
			 p.method, p.bmc[0] ? " bmc " : "", p.bmc,
			 p.user[0] ? " user " : "", p.user);
		db_event_add(db, h.macs[0], "power", detail);
		if (!ctx->json)
			printf("%s: power %s%s%s\n", argv[optind], p.method,
			       p.bmc[0] ? " via BMC " : "", p.bmc);
		else
			r = cli_json_print(json_pack(
				"{s:s,s:s,s:s,s:b}", "method", p.method, "bmc",
				p.bmc, "user", p.user, "password_set",
				db_power_get(db, h.id, &old, false) == 0 &&
					old.has_password));
	}
	db_close(db);
	return r;
}

/* ---- host reinstall HOST --power-cycle ----------------------------- */

static int
power_host_reinstall(struct by_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_OPTS_COMMON,
		{ "distro", required_argument, NULL, OPT_P_DISTRO },
		{ "power-cycle", no_argument, NULL, OPT_POWER_CYCLE },
		{ 0 },
	};
	const struct cli_cmd *cmd = &cli_cmd_power_reinstall;
	const char *distro = NULL;
	json_t *j, *body;
	char *s;
	int c, r;

	cli_getopt_reset();
	while ((c = cli_next_opt(ctx, cmd, argc, argv, CLI_SHORTOPTS, opts,
	                         &r)) >= 0) {
		if (c == OPT_P_DISTRO)
			distro = optarg;
		else if (c != OPT_POWER_CYCLE)
			return cli_usage_err(cmd, "unknown option");
	}
	if (c == CLI_STOP)
		return r;
	if (argc - optind != 1)
		return cli_usage_err(cmd, "give one HOST");
	if (distro && !valid_name(distro))
		return cli_usage_err(cmd, "--distro: not a distribution name: "
					  "%s", cli_q(distro));
	body = json_pack("{s:b}", "power_cycle", 1);
	if (distro)
		json_object_set_new(body, "distro", json_string(distro));
	s = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (!s)
		return EXIT_RUNTIME;
	r = admin_host_post(ctx, cmd, argv[optind], "reinstall", s, &j);
	free(s);
	if (r)
		return r;
	if (ctx->json)
		return cli_json_print(j);
	printf("%s: flagged for install of %s; power %s: %s\n", argv[optind],
	       json_string_value(json_object_get(j, "distro")),
	       json_string_value(json_object_get(j, "power_action")),
	       json_string_value(json_object_get(j, "message")));
	json_decref(j);
	return 0;
}

int
cli_power_host(struct by_ctx *ctx, int argc, char **argv)
{
	if (!strcmp(argv[0], "set"))
		return power_host_set(ctx, argc, argv);
	return power_host_reinstall(ctx, argc, argv);
}
