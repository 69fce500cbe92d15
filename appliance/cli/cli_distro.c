/*
 * cli_distro.c - `bootyard distro ...`: the distributions hosts install:
 * kernel, initrd(s), kernel command line and an install template
 * (preseed / kickstart / autoinstall), checked with tmpl_validate().
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "appliance/bootyard.h"
#include "appliance/cli/cli.h"
#include "appliance/core/hostjson.h"
#include "appliance/build/import.h"
#include "appliance/build/sbverify.h"
#include "common/util.h"
#include "common/valid.h"
#include "db/db.h"
#include "appliance/core/template.h"

#define DISTRO_MAX_INITRDS 4

enum {
	OPT_KERNEL = 0x200,
	OPT_INITRD,
	OPT_CMDLINE,
	OPT_TEMPLATE,
	OPT_TEMPLATE_NAME,
	OPT_NO_TEMPLATE,
	OPT_ARCH,
	OPT_REMOVE_ARCH,
};

/* What the options of add/set asked for; NULL = not given. */
struct distro_opts {
	const char *kernel, *cmdline, *template_file, *template_name;
	const char *initrds[DISTRO_MAX_INITRDS];
	size_t n_initrds;
	const char *arch;        /* Debian name; NULL: amd64 */
	const char *remove_arch; /* Debian name or NULL */
	bool no_template;
	char *template_text; /* read from template_file; free */
	char template_name_v[NAME_MAX_LEN + 1];
};

/* distro_opts_free - free what distro_parse_opts read. */
static void
distro_opts_free(struct distro_opts *o)
{
	free(o->template_text);
	o->template_text = NULL;
}

/*
 * distro_read_template - read and check o->template_file: at most
 * DB_TEMPLATE_MAX bytes, no NUL byte, accepted by tmpl_validate(); and
 * settle the name it is served as. Returns 0 or EXIT_USAGE.
 */
static int
distro_read_template(const struct cli_cmd *cmd, struct distro_opts *o)
{
	const char *base, *file = o->template_file;
	char err[256];
	size_t len;
	int r;

	r = read_file(file, DB_TEMPLATE_MAX, &o->template_text, &len);
	if (r == -EFBIG)
		return cli_usage_err(cmd, "template %s is larger than %d bytes",
				     cli_q(file), DB_TEMPLATE_MAX);
	if (r < 0)
		return cli_usage_err(cmd, "cannot read template %s: %s",
				     cli_q(file), strerror(-r));
	if (strlen(o->template_text) != len)
		return cli_usage_err(cmd, "template %s has a NUL byte",
				     cli_q(file));
	err[0] = '\0';
	if (tmpl_validate(o->template_text, err, sizeof(err)) < 0) {
		char *p;
		for (p = err; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		return cli_usage_err(cmd, "template %s: %s", cli_q(file),
				     err[0] ? err : "invalid");
	}
	if (o->template_name) {
		if (!valid_name(o->template_name))
			return cli_usage_err(cmd,
					     "invalid --template-name %s "
					     "(lower-case letters, digits, "
					     ". _ -)",
					     cli_q(o->template_name));
		base = o->template_name;
	} else {
		base = strrchr(file, '/');
		base = base ? base + 1 : file;
		if (!valid_name(base))
			return cli_usage_err(cmd,
					     "template file name %s cannot be "
					     "served as is: give "
					     "--template-name N",
					     cli_q(base));
	}
	str_copy(o->template_name_v, sizeof(o->template_name_v), base);
	return 0;
}

/*
 * distro_parse_opts - the getopt loop of add and set; validates every
 * value and reads the template. Leaves optind at NAME. Returns
 * CLI_CONTINUE, or the exit status (o is freed by the caller either way).
 */
static int
distro_parse_opts(struct by_ctx *ctx, const struct cli_cmd *cmd, int argc,
		  char **argv, struct distro_opts *o, bool set)
{
	static const struct option opts[] = {
		CLI_OPTS_COMMON,
		{ "kernel", required_argument, NULL, OPT_KERNEL },
		{ "initrd", required_argument, NULL, OPT_INITRD },
		{ "cmdline", required_argument, NULL, OPT_CMDLINE },
		{ "template", required_argument, NULL, OPT_TEMPLATE },
		{ "template-name", required_argument, NULL, OPT_TEMPLATE_NAME },
		{ "no-template", no_argument, NULL, OPT_NO_TEMPLATE },
		{ "arch", required_argument, NULL, OPT_ARCH },
		{ "remove-arch", required_argument, NULL, OPT_REMOVE_ARCH },
		{ 0 },
	};
	size_t i;
	int c, r = 0;

	memset(o, 0, sizeof(*o));
	cli_getopt_reset();
	while ((c = cli_next_opt(ctx, cmd, argc, argv, CLI_SHORTOPTS, opts,
				 &r)) >= 0) {
		switch (c) {
		case OPT_KERNEL:
			o->kernel = optarg;
			break;
		case OPT_INITRD:
			if (o->n_initrds == DISTRO_MAX_INITRDS)
				return cli_usage_err(cmd, "at most %d initrds",
						     DISTRO_MAX_INITRDS);
			o->initrds[o->n_initrds++] = optarg;
			break;
		case OPT_CMDLINE:
			o->cmdline = optarg;
			break;
		case OPT_TEMPLATE:
			o->template_file = optarg;
			break;
		case OPT_TEMPLATE_NAME:
			o->template_name = optarg;
			break;
		case OPT_NO_TEMPLATE:
			if (!set)
				return cli_usage_err(cmd, "--no-template is "
							  "for distro set");
			o->no_template = true;
			break;
		case OPT_ARCH:
		case OPT_REMOVE_ARCH: {
			const char *a = kernel_arch_parse(optarg);

			if (!a)
				return cli_usage_err(
				    cmd,
				    "invalid --%s %s (amd64 or arm64; x86_64 "
				    "and aarch64 are accepted)",
				    c == OPT_ARCH ? "arch" : "remove-arch",
				    cli_q(optarg));
			if (c == OPT_REMOVE_ARCH && !set)
				return cli_usage_err(cmd, "--remove-arch is "
							  "for distro set");
			if (c == OPT_ARCH)
				o->arch = a;
			else
				o->remove_arch = a;
			break;
		}
		}
	}
	if (c == CLI_STOP)
		return r;
	if (o->kernel && !valid_path_or_url(o->kernel))
		return cli_usage_err(cmd,
				     "invalid --kernel %s (a path under "
				     "files_dir without '..', or an http(s) "
				     "URL; A-Z a-z 0-9 . _ / : %% ~ + = -)",
				     cli_q(o->kernel));
	for (i = 0; i < o->n_initrds; i++)
		if (!valid_path_or_url(o->initrds[i]))
			return cli_usage_err(cmd,
					     "invalid --initrd %s (a path "
					     "under files_dir without '..', "
					     "or an http(s) URL)",
					     cli_q(o->initrds[i]));
	if (o->cmdline) {
		char why[160];

		if (tmpl_validate_cmdline(o->cmdline, DB_CMDLINE_MAX - 1, why,
		                          sizeof(why)) < 0)
			return cli_usage_err(cmd, "invalid --cmdline: %s", why);
	}
	if (o->template_name && !o->template_file)
		return cli_usage_err(cmd, "--template-name needs --template");
	if (o->no_template && o->template_file)
		return cli_usage_err(cmd, "--template and --no-template "
					  "contradict");
	if (o->template_file)
		return distro_read_template(cmd, o) ?: CLI_CONTINUE;
	return CLI_CONTINUE;
}

/* distro_name_arg - exactly one NAME follows and it is valid. */
static int
distro_name_arg(const struct cli_cmd *cmd, int argc, char **argv)
{
	if (optind >= argc)
		return cli_usage_err(cmd, "NAME missing");
	if (argc - optind > 1)
		return cli_usage_err(cmd, "unexpected argument %s",
				     cli_q(argv[optind + 1]));
	if (!valid_name(argv[optind]))
		return cli_usage_err(cmd,
				     "invalid distro name %s (lower-case "
				     "letters, digits, . _ -; at most %d)",
				     cli_q(argv[optind]), NAME_MAX_LEN);
	return CLI_CONTINUE;
}

/*
 * distro_apply - merge o into d (whose template_text d owns). Returns 0
 * or EXIT_USAGE (kernel or initrd missing).
 */
static int
distro_apply(const struct cli_cmd *cmd, struct distro_opts *o,
	     struct db_distro *d)
{
	const char *arch = o->arch ? o->arch : "amd64";
	struct db_distro_kernel *k =
		(struct db_distro_kernel *)db_distro_kernel(d, arch);
	size_t i, off = 0;

	if (o->remove_arch) {
		const struct db_distro_kernel *rk =
			db_distro_kernel(d, o->remove_arch);

		if (!rk)
			return cli_usage_err(cmd, "%s has no %s kernel",
					     d->name, o->remove_arch);
		if (d->n_kernels == 1)
			return cli_usage_err(cmd, "%s is %s's only kernel: "
						  "distro rm removes the "
						  "distribution",
					     o->remove_arch, d->name);
		i = (size_t)(rk - d->kernels);
		memmove(&d->kernels[i], &d->kernels[i + 1],
			(d->n_kernels - i - 1) * sizeof(d->kernels[0]));
		d->n_kernels--;
		k = (struct db_distro_kernel *)db_distro_kernel(d, arch);
	}
	if (!k && (o->kernel || o->n_initrds || o->arch || !d->n_kernels)) {
		/* a new architecture: both files needed */
		if (!o->kernel)
			return cli_usage_err(cmd, "--kernel K is required%s%s",
					     d->n_kernels ? " for " : "",
					     d->n_kernels ? arch : "");
		if (!o->n_initrds)
			return cli_usage_err(cmd, "--initrd I is required%s%s",
					     d->n_kernels ? " for " : "",
					     d->n_kernels ? arch : "");
		if (d->n_kernels >= DB_DISTRO_ARCHES)
			return cli_usage_err(cmd, "too many architectures");
		k = &d->kernels[d->n_kernels++];
		memset(k, 0, sizeof(*k));
		str_copy(k->arch, sizeof(k->arch), arch);
	}
	if (k && o->kernel)
		str_copy(k->kernel, sizeof(k->kernel), o->kernel);
	if (k && o->n_initrds) {
		k->initrd[0] = '\0';
		for (i = 0; i < o->n_initrds; i++)
			off += (size_t)snprintf(k->initrd + off,
						sizeof(k->initrd) - off, "%s%s",
						i ? " " : "", o->initrds[i]);
	}
	if (o->cmdline)
		str_copy(d->cmdline, sizeof(d->cmdline), o->cmdline);
	if (o->template_file) {
		free(d->template_text);
		d->template_text = o->template_text;
		o->template_text = NULL;
		str_copy(d->template_name, sizeof(d->template_name),
			 o->template_name_v);
	}
	if (o->no_template) {
		free(d->template_text);
		d->template_text = NULL;
		d->template_name[0] = '\0';
	}
	return 0;
}

/* The kernel the one-kernel views show (Secure Boot check, list):
 * amd64's, else the first. NULL for a distribution without any. */
static const struct db_distro_kernel *
distro_main_kernel(const struct db_distro *d)
{
	const struct db_distro_kernel *k = db_distro_kernel(d, "amd64");

	return k ? k : d->n_kernels ? &d->kernels[0] : NULL;
}

/* An initrd list as a JSON array. */
static json_t *
initrds_json(const char *list)
{
	char buf[4 * DB_REF_MAX], *save, *tok;
	json_t *a = json_array();

	str_copy(buf, sizeof(buf), list);
	for (tok = strtok_r(buf, " ", &save); a && tok;
	     tok = strtok_r(NULL, " ", &save))
		json_array_append_new(a, json_string(tok));
	return a;
}

/* distro_json - a distribution as JSON; the template text with_text. */
static json_t *
distro_json(const struct db_distro *d, bool with_text)
{
	const struct db_distro_kernel *x86 = db_distro_kernel(d, "amd64");
	json_t *o = json_object(), *kernels = json_object();
	size_t i;

	if (!o || !kernels) {
		json_decref(o);
		json_decref(kernels);
		return NULL;
	}
	/* kernel, initrds: amd64's, as before there were several (null
	 * without one); kernels: every architecture's */
	for (i = 0; i < d->n_kernels; i++)
		json_object_set_new(
			kernels, d->kernels[i].arch,
			json_pack("{s:s,s:o}", "kernel", d->kernels[i].kernel,
				  "initrds", initrds_json(d->kernels[i].initrd)));
	json_object_set_new(o, "name", json_string(d->name));
	json_object_set_new(o, "kernel",
			    x86 ? json_string(x86->kernel) : json_null());
	json_object_set_new(o, "initrds",
			    x86 ? initrds_json(x86->initrd) : json_null());
	json_object_set_new(o, "kernels", kernels);
	json_object_set_new(o, "cmdline", json_string(d->cmdline));
	json_object_set_new(o, "template_name", json_text_or_null(d->template_name));
	json_object_set_new(o, "template_size",
			    json_integer(d->template_text
						 ? (json_int_t)strlen(
							   d->template_text)
						 : 0));
	if (with_text)
		json_object_set_new(o, "template",
				    d->template_text
					    ? json_text_or_null(d->template_text)
					    : json_null());
	json_object_set_new(o, "created", json_integer(d->created));
	json_object_set_new(o, "updated", json_integer(d->updated));
	return o;
}

/*
 * distro_signed - whether d's kernel is signed for Secure Boot, in words
 * ("yes (/CN=Debian Secure Boot CA)", "no", "unknown: ...") into buf;
 * returns 1 signed, 0 not, -1 unknown. Checked when asked (sbverify.h):
 * the database has no column for it.
 */
static int
distro_signed(const struct by_config *cfg, const struct db_distro *d,
	      char *buf, size_t bufsz)
{
	const struct db_distro_kernel *k = distro_main_kernel(d);
	struct sb_result sb;
	int r;

	if (!k) {
		snprintf(buf, bufsz, "unknown: no kernel");
		return -1;
	}
	r = sb_check_kernel(cfg->files_dir, k->kernel, &sb);

	if (r == 0 && sb.is_signed) {
		snprintf(buf, bufsz, "yes (%s)", sb.issuer);
		return 1;
	}
	if (r == 0) {
		snprintf(buf, bufsz, "no");
		return 0;
	}
	if (r == -EPROTONOSUPPORT)
		snprintf(buf, bufsz, "unknown: the kernel is a URL");
	else if (r == -ENOEXEC)
		snprintf(buf, bufsz, "unknown: sbverify (sbsigntool) is not "
				     "installed");
	else if (r == -EINVAL)
		snprintf(buf, bufsz, "unknown: not an EFI image");
	else if (str_printf(buf, bufsz, "unknown: %s/%s: %s", cfg->files_dir,
			    k->kernel, strerror(-r)) < 0)
		snprintf(buf, bufsz, "unknown: %s", strerror(-r));
	return -1;
}

/*
 * distro_sb_warn - after add/set: warn on stderr when Secure Boot clients
 * (uefi_loader = shim, grub over TFTP) could not boot d's kernel.
 */
static void
distro_sb_warn(const struct cli_cmd *cmd, const struct by_config *cfg,
	       const struct db_distro *d)
{
	const struct db_distro_kernel *k = distro_main_kernel(d);
	char why[CFG_PATH_MAX + 300];
	int r = distro_signed(cfg, d, why, sizeof(why));

	if (r == 1 || !k)
		return;
	if (r == 0)
		cli_err(cmd, "warning: kernel %s is not signed (sbverify "
			     "--list): Secure Boot clients cannot boot it",
			k->kernel);
	else if (!strncmp(k->kernel, "http", 4))
		cli_err(cmd, "warning: kernel %s is a URL: Secure Boot "
			     "clients (uefi_loader = shim) read kernels over "
			     "TFTP from files_dir and cannot boot it",
			k->kernel);
	else
		cli_err(cmd, "note: Secure Boot signature of the kernel not "
			     "checked (%s)", why);
}

/* distro_print - one distribution as "key: value" lines, or JSON. */
static int
distro_print(const struct by_ctx *ctx, const struct by_config *cfg,
	     const struct db_distro *d)
{
	char t1[32], t2[32], sb[CFG_PATH_MAX + 300];
	int sr = distro_signed(cfg, d, sb, sizeof(sb));
	size_t i;

	if (ctx->json) {
		json_t *o = distro_json(d, true);

		if (o)
			json_object_set_new(o, "signed",
					    sr < 0 ? json_null()
						   : json_boolean(sr == 1));
		return cli_json_print(o);
	}
	printf("name:      %s\n", d->name);
	for (i = 0; i < d->n_kernels; i++) {
		printf("kernel:    %s (%s)\n", d->kernels[i].kernel,
		       d->kernels[i].arch);
		printf("initrd:    %s (%s)\n", d->kernels[i].initrd,
		       d->kernels[i].arch);
	}
	printf("cmdline:   %s\n", d->cmdline[0] ? d->cmdline : "-");
	if (d->template_text)
		printf("template:  %s (%zu bytes)\n",
		       d->template_name[0] ? d->template_name : "-",
		       strlen(d->template_text));
	else
		printf("template:  -\n");
	printf("signed:    %s\n", sb);
	printf("created:   %s\n", cli_time(d->created, t1, sizeof(t1)));
	printf("updated:   %s\n", cli_time(d->updated, t2, sizeof(t2)));
	return 0;
}

/*
 * distro_write - add (or, with set, change) the distribution NAME.
 */
static int
distro_write(struct by_ctx *ctx, const struct cli_cmd *cmd, int argc,
	     char **argv, bool set)
{
	struct distro_opts o;
	struct db_distro d;
	struct by_config cfg;
	struct db *db = NULL;
	int r, lock_fd = -1;
	char what[96];

	memset(&d, 0, sizeof(d));
	r = distro_parse_opts(ctx, cmd, argc, argv, &o, set);
	if (r == CLI_CONTINUE)
		r = distro_name_arg(cmd, argc, argv);
	if (r != CLI_CONTINUE)
		goto out;
	snprintf(what, sizeof(what), "distro %s", argv[optind]);
	if (!set) {
		str_copy(d.name, sizeof(d.name), argv[optind]);
		r = distro_apply(cmd, &o, &d);
		if (r)
			goto out;
	}
	r = cli_open(ctx, cmd, &cfg, true, &db);
	if (r)
		goto out;
	if (set) {
		r = cli_write_lock(cmd, &cfg, &lock_fd);
		if (r)
			goto out;
		r = db_distro_get(db, argv[optind], &d);
		if (r < 0) {
			r = cli_db_fail(cmd, &cfg, r, what);
			goto out;
		}
		r = distro_apply(cmd, &o, &d);
		if (r)
			goto out;
		r = db_distro_update(db, &d);
	} else {
		r = db_distro_add(db, &d);
	}
	if (r < 0) {
		r = cli_db_fail(cmd, &cfg, r, what);
		goto out;
	}
	db_distro_free(&d);
	r = db_distro_get(db, argv[optind], &d);
	if (r < 0) {
		r = cli_db_fail(cmd, &cfg, r, what);
		goto out;
	}
	if (ctx->json)
		r = cli_json_print(distro_json(&d, false));
	else
		printf("distro %s %s\n", d.name, set ? "changed" : "added");
	distro_sb_warn(cmd, &cfg, &d);
out:
	if (lock_fd >= 0)
		close(lock_fd);
	db_close(db);
	db_distro_free(&d);
	distro_opts_free(&o);
	return r;
}

/* distro add NAME ... */
static int
distro_add(struct by_ctx *ctx, int argc, char **argv)
{
	return distro_write(ctx, &cli_cmd_distro_add, argc, argv, false);
}

/* distro set NAME ... */
static int
distro_set(struct by_ctx *ctx, int argc, char **argv)
{
	return distro_write(ctx, &cli_cmd_distro_set, argc, argv, true);
}

/* Progress display state: a bar on a terminal, else lines. */
struct import_progress {
	bool json, tty;
	enum imp_phase phase;
	char what[IMP_PATH_MAX + 1];
	int last_step;
	uint64_t last_ms, last_done;
};

static const char *
import_phase_name(enum imp_phase p)
{
	return p == IMP_PHASE_DOWNLOAD ? "download"
	       : p == IMP_PHASE_SCAN   ? "scan"
	                               : "copy";
}

/* imp_progress_fn for the CLI. */
static void
import_progress(enum imp_phase phase, const char *what, uint64_t done,
		uint64_t total, void *opaque)
{
	struct import_progress *p = opaque;
	bool fresh = phase != p->phase || strcmp(what, p->what) != 0;
	bool end = total && done >= total;
	int step = total ? (int)(done * 10 / total) : (int)(done >> 24);
	uint64_t now = mono_ms();

	if (fresh) {
		p->phase = phase;
		str_copy(p->what, sizeof(p->what), what);
		p->last_step = -1;
		p->last_ms = 0;
	}
	if (p->json) {
		if (!fresh && !end && step == p->last_step)
			return;
		p->last_step = step;
		printf("{\"progress\": \"%s\", \"file\": \"%s\", "
		       "\"done\": %" PRIu64 ", \"total\": %" PRIu64 "}\n",
		       import_phase_name(phase), what, done, total);
		fflush(stdout);
		return;
	}
	if (phase == IMP_PHASE_SCAN) {
		fprintf(stderr, "scanning %s\n", what);
		return;
	}
	if (p->tty) {
		char bar[31];
		int i, n = total ? (int)(done * 30 / total) : 0;

		if (!end && now - p->last_ms < 100)
			return;
		p->last_ms = now;
		for (i = 0; i < 30; i++)
			bar[i] = i < n ? '#' : '.';
		bar[30] = '\0';
		fprintf(stderr, "\r%-8s %-32.32s [%s] %6.1f/%.1f MiB",
			import_phase_name(phase), what, bar,
			(double)done / 1048576, (double)total / 1048576);
		if (end)
			fputc('\n', stderr);
		return;
	}
	if (!fresh && !end && step / 3 == p->last_step / 3)
		return;
	p->last_step = step;
	fprintf(stderr, "%s %s: %.1f of %.1f MiB\n", import_phase_name(phase),
		what, (double)done / 1048576, (double)total / 1048576);
}

/* distro import NAME --from SOURCE */
static int
distro_import(struct by_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_OPTS_COMMON,
		{ "from", required_argument, NULL, OPT_KERNEL },
		{ 0 },
	};
	const struct cli_cmd *cmd = &cli_cmd_distro_import;
	struct import_progress prog;
	struct imp_request req;
	struct imp_result res;
	struct by_config cfg;
	struct db_distro d;
	struct db *db = NULL;
	const char *from = NULL, *name;
	char why[1024], what[96];
	char have[DB_DISTRO_ARCHES * KERNEL_ARCH_MAX] = "";
	uint64_t t0 = mono_ms();
	size_t i;
	int r;

	memset(&d, 0, sizeof(d));
	r = cli_one_opt(ctx, cmd, argc, argv, opts, &from); /* --from */
	if (r != CLI_CONTINUE)
		return r;
	r = distro_name_arg(cmd, argc, argv);
	if (r != CLI_CONTINUE)
		return r;
	name = argv[optind];
	if (!from)
		return cli_usage_err(cmd, "--from SOURCE is required");
	if (!valid_text(from, 2000))
		return cli_usage_err(cmd, "invalid --from %s", cli_q(from));
	snprintf(what, sizeof(what), "distro %s", name);
	/* Refuse a taken name before a long copy, not after. */
	r = cli_open(ctx, cmd, &cfg, true, &db);
	if (r)
		return r;
	/* An existing distribution gets the architectures it lacks (the
	 * arm64 netboot tree after the amd64 one): its command line and
	 * template stay. */
	r = db_distro_get(db, name, &d);
	db_close(db);
	db = NULL;
	if (r == 0) {
		for (i = 0; i < d.n_kernels; i++) {
			if (i)
				strcat(have, " ");
			strcat(have, d.kernels[i].arch);
		}
		db_distro_free(&d);
		memset(&d, 0, sizeof(d));
	} else if (r != -ENOENT) {
		return cli_db_fail(cmd, &cfg, r, what);
	}
	memset(&prog, 0, sizeof(prog));
	prog.json = ctx->json;
	prog.tty = isatty(STDERR_FILENO);
	prog.phase = (enum imp_phase)-1;
	memset(&req, 0, sizeof(req));
	req.name = name;
	req.from = from;
	req.files_dir = cfg.files_dir;
	req.cache_dir = cfg.state_dir;
	req.progress = import_progress;
	req.opaque = &prog;
	req.have = have[0] ? have : NULL;
	memset(&res, 0, sizeof(res));
	r = imp_run(&req, &res, why, sizeof(why));
	if (r == -EPROTO) {
		cli_err(cmd, "%s: found boot files but cannot tell which "
			     "installer this is (%s). Nothing was imported; "
			     "add it by hand: copy the kernel and initrd "
			     "under %s/ and run bootyard distro add %s "
			     "--kernel PATH --initrd PATH --cmdline ... "
			     "--template FILE",
			cli_q(from), why, cfg.files_dir, name);
		return EXIT_USAGE;
	}
	if (r == -ENOMEDIUM) {
		cli_err(cmd, "%s is not an installer we know: no kernel and "
			     "initrd in a Debian, Ubuntu or Fedora/RHEL "
			     "layout (%s). Nothing was imported; add one by "
			     "hand with bootyard distro add",
			cli_q(from), why);
		return EXIT_USAGE;
	}
	if (r < 0) {
		cli_err(cmd, "%s: %s. Nothing was imported", cli_q(from),
			why[0] ? why : strerror(-r));
		return r == -EEXIST || r == -EINVAL || r == -ELOOP ||
				       r == -EBADMSG || r == -ENOEXEC ||
				       r == -ENOENT
			       ? EXIT_USAGE
			       : EXIT_RUNTIME;
	}
	if (req.have) {
		/* read again, checked and written in one go: a change made
		 * meanwhile (distro set) is kept */
		r = cli_open(ctx, cmd, &cfg, true, &db);
		if (r == 0) {
			r = imp_db_add_arches(db, name, &res, &d, why,
					      sizeof(why));
			if (r == -EMEDIUMTYPE || r == -ENOENT) {
				cli_err(cmd, "%s. Nothing was imported", why);
				r = EXIT_USAGE;
			} else if (r < 0) {
				r = cli_db_fail(cmd, &cfg, r, what);
			}
		}
		if (r) {
			imp_remove_arches(cfg.files_dir, name, &res);
			goto out;
		}
	} else {
		r = imp_distro_row(name, &res, &d);
		if (r == 0) {
			r = cli_open(ctx, cmd, &cfg, true, &db);
			if (r == 0) {
				r = db_distro_add(db, &d);
				if (r < 0)
					r = cli_db_fail(cmd, &cfg, r, what);
			}
		} else {
			cli_err(cmd, "%s: %s", what,
				r == -ENOENT ? "no architecture it can take "
					       "(amd64, arm64)"
					     : strerror(-r));
			r = EXIT_RUNTIME;
		}
		if (r) {
			imp_remove_tree(cfg.files_dir, name);
			goto out;
		}
	}
	if (ctx->json) {
		json_t *o = distro_json(&d, false), *arches = json_array();

		for (i = 0; arches && i < res.found.n_boots; i++)
			json_array_append_new(
				arches, json_string(res.found.boots[i].arch));
		if (o) {
			json_object_set_new(o, "family", json_string(
				imp_family_name(res.found.family)));
			json_object_set_new(o, "vendor",
					    json_string(res.found.vendor));
			json_object_set_new(o, "release",
					    json_string(res.found.release));
			json_object_set_new(o, "layout",
					    json_string(res.found.layout));
			json_object_set_new(o, "arches", arches);
			json_object_set_new(o, "sha256", json_text_or_null(
				res.sha256_checked));
			json_object_set_new(o, "seconds", json_real(
				(double)(mono_ms() - t0) / 1000));
		} else {
			json_decref(arches);
		}
		r = cli_json_print(o);
		goto out;
	}
	printf("distro %s %s: %s%s%s (%s), %s", name,
	       req.have ? "architectures added" : "imported", res.found.vendor,
	       res.found.release[0] ? " " : "", res.found.release,
	       res.found.layout, res.found.boots[0].arch);
	for (i = 1; i < res.found.n_boots; i++)
		printf(" %s", res.found.boots[i].arch);
	printf(", %.1f s\n", (double)(mono_ms() - t0) / 1000);
	for (i = 0; i < d.n_kernels; i++)
		printf("kernel:    %s (%s)\ninitrd:    %s (%s)\n",
		       d.kernels[i].kernel, d.kernels[i].arch,
		       d.kernels[i].initrd, d.kernels[i].arch);
	printf("cmdline:   %s\ntemplate:  %s%s\n", d.cmdline,
	       d.template_name[0] ? d.template_name : "-",
	       req.have ? "" : " (stock; bootyard template show)");
	if (res.sha256_checked[0])
		printf("sha256:    %s\n", res.sha256_checked);
out:
	db_close(db);
	db_distro_free(&d);
	return r;
}

/*
 * distro_name_open - the options of a command on one NAME (only common
 * options), then cli_open (write: to change it); "distro NAME" into what
 * (96 bytes) for messages. CLI_CONTINUE with *ret_db (NULL when reading
 * and there is no database), or the exit status.
 */
static int
distro_name_open(struct by_ctx *ctx, const struct cli_cmd *cmd, int argc,
		 char **argv, bool write, struct by_config *cfg,
		 struct db **ret_db, char *what)
{
	int r = cli_simple_opts(ctx, cmd, argc, argv);

	if (r == CLI_CONTINUE)
		r = distro_name_arg(cmd, argc, argv);
	if (r != CLI_CONTINUE)
		return r;
	r = cli_open(ctx, cmd, cfg, write, ret_db);
	if (r)
		return r;
	snprintf(what, 96, "distro %s", argv[optind]);
	return CLI_CONTINUE;
}

/* distro show NAME */
static int
distro_show(struct by_ctx *ctx, int argc, char **argv)
{
	const struct cli_cmd *cmd = &cli_cmd_distro_show;
	struct by_config cfg;
	struct db_distro d;
	struct db *db;
	char what[96];
	int r;

	r = distro_name_open(ctx, cmd, argc, argv, false, &cfg, &db, what);
	if (r != CLI_CONTINUE)
		return r;
	r = db ? db_distro_get(db, argv[optind], &d) : -ENOENT;
	db_close(db);
	if (r < 0)
		return cli_db_fail(cmd, &cfg, r, what);
	r = distro_print(ctx, &cfg, &d);
	db_distro_free(&d);
	return r;
}

/* distro_list_one - db_distro_list callback. */
static int
distro_list_one(const struct db_distro *d, void *opaque)
{
	const struct db_distro_kernel *k = distro_main_kernel(d);
	struct cli_list *c = opaque;
	char arches[DB_DISTRO_ARCHES * KERNEL_ARCH_MAX] = "";
	const char *row[6];
	size_t i;

	if (c->json) {
		json_t *o = distro_json(d, false);
		if (!o || json_array_append_new(c->arr, o) < 0)
			return -ENOMEM;
		return 0;
	}
	for (i = 0; i < d->n_kernels; i++) {
		if (i)
			strcat(arches, ",");
		strcat(arches, d->kernels[i].arch);
	}
	row[0] = d->name;
	row[1] = arches;
	row[2] = k ? k->kernel : "";
	row[3] = k ? k->initrd : "";
	row[4] = d->template_text ? d->template_name : "";
	row[5] = d->cmdline;
	return cli_table_add(&c->table, row);
}

/* distro_list_fill - the rows of distro list (a cli_list_fn). */
static int
distro_list_fill(struct db *db, struct cli_list *c, void *arg)
{
	return db_distro_list(db, distro_list_one, c);
}

/* distro list */
static int
distro_list(struct by_ctx *ctx, int argc, char **argv)
{
	static const char *const head[] = { "NAME",	"ARCHES",  "KERNEL",
					    "INITRD",	"TEMPLATE", "CMDLINE",
					    NULL };
	const struct cli_cmd *cmd = &cli_cmd_distro_list;
	int r;

	r = cli_simple_args(ctx, cmd, argc, argv, 0, "");
	if (r != CLI_CONTINUE)
		return r;
	return cli_list_run(ctx, cmd, head, distro_list_fill, NULL,
			    "listing distros");
}

/* distro rm NAME */
static int
distro_rm(struct by_ctx *ctx, int argc, char **argv)
{
	const struct cli_cmd *cmd = &cli_cmd_distro_rm;
	struct by_config cfg;
	struct db *db;
	char what[96];
	int r;

	r = distro_name_open(ctx, cmd, argc, argv, true, &cfg, &db, what);
	if (r != CLI_CONTINUE)
		return r;
	r = db_distro_delete(db, argv[optind]);
	db_close(db);
	if (r == -ENOTEMPTY) {
		cli_err(cmd, "%s is still used by hosts (change them first)",
			what);
		return EXIT_USAGE;
	}
	if (r < 0)
		return cli_db_fail(cmd, &cfg, r, what);
	if (ctx->json)
		return cli_json_print(json_pack("{s:s}", "removed",
						argv[optind]));
	printf("%s removed\n", what);
	return 0;
}

/*
 * cmd_distro - `bootyard distro COMMAND ...`. Returns the exit status.
 */
int
cmd_distro(struct by_ctx *ctx, int argc, char **argv)
{
	static const struct cli_sub subs[] = {
		{ "add", distro_add },	 { "set", distro_set },
		{ "import", distro_import },
		{ "show", distro_show }, { "list", distro_list },
		{ "ls", distro_list },	 { "rm", distro_rm },
	};

	return cli_dispatch(ctx, &cli_cmd_distro, subs, ARRAY_SIZE(subs), argc,
			    argv);
}
