/*
 * cli_build.c - the builder commands: `bootyard build-ipxe` and
 * `bootyard tftp-root`. Option parsing and output only; the work is in
 * appliance/build/ (ipxe_build.c, tftproot.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "appliance/bootyard.h"
#include "appliance/build/ipxe_build.h"
#include "appliance/build/pki.h"
#include "appliance/build/tftproot.h"
#include "appliance/cli/help.h"
#include "appliance/dhcp/dnsmasq.h"
#include "common/netif.h"
#include "common/log.h"
#include "common/util.h"
#include "common/valid.h"


/* ---- the command -------------------------------------------------------- */

static void
cmd_progress(const char *msg, void *arg)
{
	printf("build-ipxe: %s\n", msg);
	fflush(stdout);
}

/*
 * find_config_dir - the directory of build configuration name: name
 * itself when it contains '/', else the first of $BOOTYARD_IPXE_CONFIGS,
 * <dir of the bootyard binary>/../image/ipxe and /usr/share/bootyard/ipxe
 * that has it. Returns 0, -EINVAL (bad name) or -ENOENT.
 */
static int
find_config_dir(const char *name, char *out, size_t outsz)
{
	char exe[PATH_MAX], cand[PATH_MAX];
	const char *env = getenv("BOOTYARD_IPXE_CONFIGS");
	ssize_t n;

	if (strchr(name, '/'))
		return path_is_dir(name) && realpath(name, cand)
			       ? str_copy(out, outsz, cand)
			       : -ENOENT;
	if (!valid_name(name))
		return -EINVAL;
	if (env && *env && str_printf(cand, sizeof(cand), "%s/%s", env, name) ==
				   0 && path_is_dir(cand))
		return str_copy(out, outsz, cand);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		if (str_printf(exe + strlen(exe), sizeof(exe) - strlen(exe),
			       "/../image/ipxe/%s", name) == 0 &&
		    realpath(exe, cand) && path_is_dir(cand))
			return str_copy(out, outsz, cand);
	}
	if (str_printf(cand, sizeof(cand), "/usr/share/bootyard/ipxe/%s",
		       name) == 0 &&
	    path_is_dir(cand))
		return str_copy(out, outsz, cand);
	return -ENOENT;
}

/* The host part of a base URL ("https://198.18.0.1:8443" -> address). */
static void
url_host(const char *url, char *out, size_t outsz)
{
	const char *p = strstr(url, "://");
	size_t n;

	p = p ? p + 3 : url;
	n = strcspn(p, ":/");
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

/* What the options of build-ipxe asked for; NULL = not given. */
struct build_args {
	const char *source, *config, *out, *cache, *base, *ca;
};

/*
 * build_opts - the options of build-ipxe into a and o (images, jobs,
 * force). Returns CLI_CONTINUE, or the exit status (0 after --help).
 */
static int
build_opts(struct by_ctx *ctx, int argc, char **argv, struct build_args *a,
	   struct ipxe_build_opts *o)
{
	static const struct option opts[] = {
		{ "source", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'C' },
		{ "out", required_argument, NULL, 'o' },
		{ "cache", required_argument, NULL, 'k' },
		{ "base-url", required_argument, NULL, 'u' },
		{ "ca", required_argument, NULL, 'a' },
		{ "images", required_argument, NULL, 'i' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "force", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, CLI_OPT_JSON },
		{ "help", no_argument, NULL, CLI_OPT_HELP },
		{ 0 },
	};
	unsigned long long v;
	int c, r = 0;

	cli_getopt_reset();
	while ((c = cli_next_opt(ctx, &cli_cmd_build_ipxe, argc, argv,
				 CLI_SHORTOPTS "fj:", opts, &r)) >= 0) {
		switch (c) {
		case 's':
			a->source = optarg;
			break;
		case 'C':
			a->config = optarg;
			break;
		case 'o':
			a->out = optarg;
			break;
		case 'k':
			a->cache = optarg;
			break;
		case 'u':
			a->base = optarg;
			break;
		case 'a':
			a->ca = optarg;
			break;
		case 'i':
			if (ipxe_build_parse_images(optarg, &o->images) < 0) {
				cli_err(&cli_cmd_build_ipxe,
					"--images: '%s' is not a list of "
					"ipxe.lkrn, undionly.kpxe, ipxe.efi, "
					"snponly.efi",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 'j':
			if (parse_uint(optarg, 1, 64, &v) < 0) {
				cli_err(&cli_cmd_build_ipxe,
					"--jobs takes 1 to 64");
				return EXIT_USAGE;
			}
			o->jobs = (unsigned)v;
			break;
		case 'f':
			o->force = true;
			break;
		}
	}
	if (c == CLI_STOP)
		return r;
	if (optind < argc) {
		cli_err(&cli_cmd_build_ipxe, "unexpected argument '%s'",
			argv[optind]);
		return EXIT_USAGE;
	}
	return CLI_CONTINUE;
}

/*
 * build_source_and_config - the iPXE source (--source, $IPXE_SRC,
 * [ipxe] source) and the build configuration's directory (--config,
 * [ipxe] build_config, "default") into o. 0 or EXIT_USAGE after a message.
 */
static int
build_source_and_config(const struct by_config *cfg, struct build_args *a,
			struct ipxe_build_opts *o, char *cfgdir, size_t cfgdirsz)
{
	const char *env = getenv("IPXE_SRC");
	int r;

	if (!a->source && env && *env)
		a->source = env;
	if (!a->source && cfg->ipxe_source[0] &&
	    strcmp(cfg->ipxe_source, "auto"))
		a->source = cfg->ipxe_source;
	if (!a->source) {
		cli_err(&cli_cmd_build_ipxe,
			"no iPXE source: give --source PATH, set IPXE_SRC, or "
			"set [ipxe] source (a clone of "
			"https://github.com/ipxe/ipxe or its tarball)");
		return EXIT_USAGE;
	}
	o->source = a->source;
	if (!a->config)
		a->config = cfg->ipxe_build_config[0] ? cfg->ipxe_build_config
						      : "default";
	r = find_config_dir(a->config, cfgdir, cfgdirsz);
	if (r < 0) {
		cli_err(&cli_cmd_build_ipxe, "build configuration '%s' %s",
			a->config,
			r == -EINVAL ? "is not a valid name"
				     : "not found (looked in "
				       "$BOOTYARD_IPXE_CONFIGS, image/ipxe/ "
				       "beside the program, "
				       "/usr/share/bootyard/ipxe)");
		return EXIT_USAGE;
	}
	o->config_dir = cfgdir;
	return 0;
}

/*
 * build_base_url - the boot URL base into o (--base-url, else from the
 * [http] listeners, into urlbuf). 0 or EXIT_USAGE after a message.
 */
static int
build_base_url(const struct by_config *cfg, const struct build_args *a,
	       struct ipxe_build_opts *o, char *urlbuf, size_t urlsz)
{
	int r;

	o->base_url = a->base;
	if (a->base)
		return 0;
	r = ipxe_build_base_url(cfg, urlbuf, urlsz);
	if (r < 0) {
		cli_err(&cli_cmd_build_ipxe, "%s",
			r == -EADDRNOTAVAIL
				? "server_address is auto and the listener "
				  "is 0.0.0.0: set [appliance] "
				  "server_address or give --base-url URL"
				: "cannot form the boot URL from [http] "
				  "listen/tls_listen");
		return EXIT_USAGE;
	}
	o->base_url = urlbuf;
	return 0;
}

/*
 * build_trust - the CA the images trust into o: --ca, or for an https
 * boot URL the appliance CA (created at first use, in pp). Returns 0,
 * or an exit status after a message.
 */
static int
build_trust(const struct by_config *cfg, const struct build_args *a,
	    struct ipxe_build_opts *o, struct pki_paths *pp)
{
	char host[CFG_ADDR_MAX + 8], perr[1024];
	unsigned flags = 0;
	struct in6_addr a6;
	int r;

	o->ca = a->ca;
	if (a->ca || !str_has_prefix(o->base_url, "https://"))
		return 0;
	if (cfg->tls_cert[0]) {
		cli_err(&cli_cmd_build_ipxe,
			"[http] tls_cert is configured: give --ca "
			"FILE, the CA that issued it");
		return EXIT_USAGE;
	}
	url_host(o->base_url, host, sizeof(host));
	if (inet_pton(AF_INET, host, &a6) == 1)
		r = pki_ensure(cfg, host, NULL, &flags, perr, sizeof(perr));
	else
		r = pki_ensure(cfg, NULL, host, &flags, perr, sizeof(perr));
	if (r < 0) {
		cli_err(&cli_cmd_build_ipxe, "tls: %s", perr);
		return EXIT_RUNTIME;
	}
	if (flags & PKI_CA_CREATED)
		printf("build-ipxe: created the appliance CA\n");
	if (pki_paths(cfg, pp) < 0)
		return EXIT_RUNTIME;
	o->ca = pp->ca_cert;
	return 0;
}

/*
 * build_dirs - the output directory (--out, <state_dir>/ipxe) and the
 * cache (--cache, $BOOTYARD_IPXE_CACHE, <state_dir>/ipxe-cache) into o,
 * their names in outbuf and cachebuf. 0 or EXIT_USAGE.
 */
static int
build_dirs(const struct by_config *cfg, const struct build_args *a,
	   struct ipxe_build_opts *o, char *outbuf, char *cachebuf,
	   size_t bufsz)
{
	const char *env = getenv("BOOTYARD_IPXE_CACHE");

	o->out_dir = a->out;
	if (!o->out_dir) {
		if (ipxe_build_out_dir(cfg, outbuf, bufsz) < 0)
			return EXIT_USAGE;
		o->out_dir = outbuf;
	}
	o->cache_dir = a->cache;
	if (!o->cache_dir && env && *env)
		o->cache_dir = env;
	if (!o->cache_dir) {
		if (str_printf(cachebuf, bufsz, "%s/ipxe-cache",
			       cfg->state_dir) < 0)
			return EXIT_USAGE;
		o->cache_dir = cachebuf;
	}
	return 0;
}

/* build_run - run the build described by o and say how it went. */
static int
build_run(const struct ipxe_build_opts *o, const char *config)
{
	struct ipxe_build_result res;
	char err[2048];
	int r;

	printf("build-ipxe: source %s, config %s, boot URL %s, trust %s\n",
	       o->source, config, o->base_url, o->ca ? o->ca : "iPXE default");
	fflush(stdout);
	r = ipxe_build(o, &res, err, sizeof(err));
	if (res.skipped)
		log_warnx("build-ipxe: left out %s: %s",
			  res.skipped & (IPXE_IMG_ARM64_EFI |
					 IPXE_IMG_ARM64_SNPONLY)
				  ? "arm64/ipxe.efi, arm64/snponly.efi (ARM64 "
				    "UEFI clients will get no boot file)"
				  : "some images",
			  res.skipped_why);
	if (r < 0) {
		cli_err(&cli_cmd_build_ipxe, "%s", err);
		cli_err(&cli_cmd_build_ipxe,
			"previous images in %s left as they were", o->out_dir);
		return EXIT_RUNTIME;
	}
	if (res.cache_hit)
		printf("build-ipxe: cache hit (key %.16s): images in %s "
		       "(%.1f s)\n",
		       res.key, o->out_dir, res.t_total);
	else
		printf("build-ipxe: built (key %.16s) into %s in %.1f s "
		       "(hash %.1f s, tree %.1f s, make %.1f s)\n",
		       res.key, o->out_dir, res.t_total, res.t_hash,
		       res.t_extract, res.t_make);
	return 0;
}

/*
 * cmd_build_ipxe - `bootyard build-ipxe`: work out the source, the build
 * configuration, the boot URL, the trusted CA and the directories from
 * the options and the configuration, then build (ipxe_build.c).
 */
int
cmd_build_ipxe(struct by_ctx *ctx, int argc, char **argv)
{
	char outbuf[CFG_PATH_MAX], cachebuf[CFG_PATH_MAX], cfgdir[PATH_MAX];
	struct ipxe_build_opts o = { .progress = cmd_progress };
	struct build_args a = { 0 };
	char urlbuf[256];
	struct by_config cfg;
	struct pki_paths pp;
	int r;

	r = build_opts(ctx, argc, argv, &a, &o);
	if (r != CLI_CONTINUE)
		return r;
	if ((r = cli_load_config(ctx, &cfg)) ||
	    (r = build_source_and_config(&cfg, &a, &o, cfgdir,
					 sizeof(cfgdir))) ||
	    (r = build_base_url(&cfg, &a, &o, urlbuf, sizeof(urlbuf))) ||
	    (r = build_trust(&cfg, &a, &o, &pp)) ||
	    (r = build_dirs(&cfg, &a, &o, outbuf, cachebuf, sizeof(outbuf))))
		return r;
	return build_run(&o, a.config);
}

/*
 * tftp_opts - the options of tftp-root into *want_dir and *server.
 * Returns CLI_CONTINUE, or the exit status (0 after --help).
 */
static int
tftp_opts(struct by_ctx *ctx, int argc, char **argv, const char **want_dir,
	  const char **server)
{
	static const struct option opts[] = {
		CLI_OPTS_COMMON,
		{ "dir", required_argument, NULL, 'd' },
		{ "server", required_argument, NULL, 's' },
		{ 0 },
	};
	int c, r = 0;

	cli_getopt_reset();
	while ((c = cli_next_opt(ctx, &cli_cmd_tftp_root, argc, argv,
				 CLI_SHORTOPTS "d:s:", opts, &r)) >= 0) {
		if (c == 'd')
			*want_dir = optarg;
		else if (c == 's')
			*server = optarg;
	}
	return c == CLI_STOP ? r : CLI_CONTINUE;
}

int
cmd_tftp_root(struct by_ctx *ctx, int argc, char **argv)
{
	struct tftproot_report rep;
	struct by_config cfg;
	char dir[CFG_PATH_MAX], base[128], err[1024];
	const char *want_dir = NULL, *server = NULL;
	struct netif_info nif;
	int r;

	r = tftp_opts(ctx, argc, argv, &want_dir, &server);
	if (r != CLI_CONTINUE)
		return r;
	r = cli_load_config(ctx, &cfg);
	if (r)
		return r;
	if (!server && strcmp(cfg.server_address, "auto"))
		server = cfg.server_address;
	if (!server) {
		r = netif_detect(cfg.interface, &nif, err, sizeof(err));
		if (r < 0) {
			cli_err(&cli_cmd_tftp_root, "%s (or give --server)",
				err);
			return EXIT_RUNTIME;
		}
		server = nif.addr;
	}
	if (!valid_ipv4(server)) {
		cli_err(&cli_cmd_tftp_root,
			"--server %s is not an IPv4 address", server);
		return EXIT_USAGE;
	}
	if (want_dir) {
		if (want_dir[0] != '/' ||
		    str_copy(dir, sizeof(dir), want_dir) < 0) {
			cli_err(&cli_cmd_tftp_root,
				"--dir needs an absolute path");
			return EXIT_USAGE;
		}
	} else if (tftproot_dir(&cfg, dir, sizeof(dir)) < 0) {
		return EXIT_USAGE;
	}
	if (dnsmasq_http_base(&cfg, server, base, sizeof(base)) < 0) {
		cli_err(&cli_cmd_tftp_root, "bad [http] listen");
		return EXIT_USAGE;
	}
	r = tftproot_assemble(dir, cfg.state_dir, server, base,
			      cfg.uefi_loader == UEFI_LOADER_SHIM, &rep, err,
			      sizeof(err));
	if (r < 0) {
		cli_err(&cli_cmd_tftp_root, "%s", err);
		return EXIT_RUNTIME;
	}
	printf("%s: %u written, %u up to date; iPXE from %s\n", dir,
	       rep.written, rep.unchanged, rep.ipxe_from);
	if (rep.ipxe_missing[0])
		log_warnx("tftp-root: no %s: ARM64 UEFI clients get no boot "
			  "file (run `bootyard build-ipxe` with "
			  "gcc-aarch64-linux-gnu installed)",
			  rep.ipxe_missing);
	return 0;
}
