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
#include "appliance/dhcp/dnsmasq.h"
#include "common/netif.h"
#include "common/log.h"
#include "common/util.h"
#include "common/valid.h"

#define IPXE_PATH 4096

static bool
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

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
	char exe[IPXE_PATH], cand[IPXE_PATH];
	const char *env = getenv("BOOTYARD_IPXE_CONFIGS");
	ssize_t n;

	if (strchr(name, '/'))
		return is_dir(name) && realpath(name, cand)
			       ? str_copy(out, outsz, cand)
			       : -ENOENT;
	if (!valid_name(name))
		return -EINVAL;
	if (env && *env && str_printf(cand, sizeof(cand), "%s/%s", env, name) ==
				   0 && is_dir(cand))
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
		    realpath(exe, cand) && is_dir(cand))
			return str_copy(out, outsz, cand);
	}
	if (str_printf(cand, sizeof(cand), "/usr/share/bootyard/ipxe/%s",
		       name) == 0 &&
	    is_dir(cand))
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

static void
build_usage(FILE *f)
{
	fprintf(f,
		"usage: bootyard build-ipxe [-c FILE] [--source PATH] "
		"[--config NAME|DIR]\n"
		"         [--out DIR] [--cache DIR] [--base-url URL] "
		"[--ca FILE]\n"
		"         [--images LIST] [--jobs N] [--force]\n"
		"  --source    iPXE tree or tarball (default: $IPXE_SRC, "
		"then [ipxe] source)\n"
		"  --config    build configuration in image/ipxe/ (default: "
		"[ipxe] build_config)\n"
		"  --out       output directory (default <state_dir>/ipxe)\n"
		"  --cache     build trees and results (default "
		"$BOOTYARD_IPXE_CACHE,\n"
		"              else <state_dir>/ipxe-cache)\n"
		"  --base-url  boot URL base (default from [http] tls_listen "
		"or listen)\n"
		"  --ca        CA to embed and trust (default: the appliance "
		"CA for https)\n"
		"  --images    comma-separated subset of ipxe.lkrn,"
		"undionly.kpxe,ipxe.efi,\n"
		"              snponly.efi (default all)\n");
}

int
cmd_build_ipxe(struct by_ctx *ctx, int argc, char **argv)
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
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *source = NULL, *config = NULL, *out = NULL, *cache = NULL;
	const char *base = NULL, *ca = NULL, *env;
	char outbuf[CFG_PATH_MAX], cachebuf[CFG_PATH_MAX], cfgdir[IPXE_PATH];
	char urlbuf[256], host[CFG_ADDR_MAX + 8], err[2048];
	struct ipxe_build_opts o = { .progress = cmd_progress };
	struct ipxe_build_result res;
	struct by_config cfg;
	struct pki_paths pp;
	unsigned long long v;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:fhj:", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			ctx->config_path = optarg;
			break;
		case 's':
			source = optarg;
			break;
		case 'C':
			config = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'k':
			cache = optarg;
			break;
		case 'u':
			base = optarg;
			break;
		case 'a':
			ca = optarg;
			break;
		case 'i':
			if (ipxe_build_parse_images(optarg, &o.images) < 0) {
				fprintf(stderr,
					"bootyard build-ipxe: --images: '%s' "
					"is not a list of ipxe.lkrn, "
					"undionly.kpxe, ipxe.efi, "
					"snponly.efi\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 'j':
			if (parse_uint(optarg, 1, 64, &v) < 0) {
				fprintf(stderr, "bootyard build-ipxe: --jobs "
						"takes 1 to 64\n");
				return EXIT_USAGE;
			}
			o.jobs = (unsigned)v;
			break;
		case 'f':
			o.force = true;
			break;
		case 'h':
			build_usage(stdout);
			return 0;
		default:
			build_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr,
			"bootyard build-ipxe: unexpected argument '%s'\n",
			argv[optind]);
		return EXIT_USAGE;
	}
	r = cli_load_config(ctx, &cfg);
	if (r)
		return r;

	/* Source: --source, $IPXE_SRC, [ipxe] source. */
	env = getenv("IPXE_SRC");
	if (!source && env && *env)
		source = env;
	if (!source && cfg.ipxe_source[0] && strcmp(cfg.ipxe_source, "auto"))
		source = cfg.ipxe_source;
	if (!source) {
		fprintf(stderr,
			"bootyard build-ipxe: no iPXE source: give --source "
			"PATH, set IPXE_SRC, or set [ipxe] source (a clone of "
			"https://github.com/ipxe/ipxe or its tarball)\n");
		return EXIT_USAGE;
	}
	o.source = source;

	if (!config)
		config = cfg.ipxe_build_config[0] ? cfg.ipxe_build_config
						  : "default";
	r = find_config_dir(config, cfgdir, sizeof(cfgdir));
	if (r < 0) {
		fprintf(stderr,
			"bootyard build-ipxe: build configuration '%s' %s\n",
			config,
			r == -EINVAL ? "is not a valid name"
				     : "not found (looked in "
				       "$BOOTYARD_IPXE_CONFIGS, image/ipxe/ "
				       "beside the program, "
				       "/usr/share/bootyard/ipxe)");
		return EXIT_USAGE;
	}
	o.config_dir = cfgdir;

	if (!base) {
		r = ipxe_build_base_url(&cfg, urlbuf, sizeof(urlbuf));
		if (r < 0) {
			fprintf(stderr,
				"bootyard build-ipxe: %s\n",
				r == -EADDRNOTAVAIL
					? "server_address is auto and the "
					  "listener is 0.0.0.0: set "
					  "[appliance] server_address or give "
					  "--base-url URL"
					: "cannot form the boot URL from "
					  "[http] listen/tls_listen");
			return EXIT_USAGE;
		}
		base = urlbuf;
	}
	o.base_url = base;

	/* https: trust the appliance CA (created at first use). */
	if (!ca && str_has_prefix(base, "https://")) {
		unsigned flags = 0;
		char perr[1024];
		struct in6_addr a6;

		if (cfg.tls_cert[0]) {
			fprintf(stderr,
				"bootyard build-ipxe: [http] tls_cert is "
				"configured: give --ca FILE, the CA that "
				"issued it\n");
			return EXIT_USAGE;
		}
		url_host(base, host, sizeof(host));
		if (inet_pton(AF_INET, host, &a6) == 1)
			r = pki_ensure(&cfg, host, NULL, &flags, perr,
				       sizeof(perr));
		else
			r = pki_ensure(&cfg, NULL, host, &flags, perr,
				       sizeof(perr));
		if (r < 0) {
			fprintf(stderr, "bootyard build-ipxe: tls: %s\n", perr);
			return EXIT_RUNTIME;
		}
		if (flags & PKI_CA_CREATED)
			printf("build-ipxe: created the appliance CA\n");
		if (pki_paths(&cfg, &pp) < 0)
			return EXIT_RUNTIME;
		ca = pp.ca_cert;
	}
	o.ca = ca;

	if (!out) {
		if (ipxe_build_out_dir(&cfg, outbuf, sizeof(outbuf)) < 0)
			return EXIT_USAGE;
		out = outbuf;
	}
	o.out_dir = out;
	env = getenv("BOOTYARD_IPXE_CACHE");
	if (!cache && env && *env)
		cache = env;
	if (!cache) {
		if (str_printf(cachebuf, sizeof(cachebuf), "%s/ipxe-cache",
			       cfg.state_dir) < 0)
			return EXIT_USAGE;
		cache = cachebuf;
	}
	o.cache_dir = cache;

	printf("build-ipxe: source %s, config %s, boot URL %s, trust %s\n",
	       o.source, config, o.base_url, o.ca ? o.ca : "iPXE default");
	fflush(stdout);
	r = ipxe_build(&o, &res, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "bootyard build-ipxe: %s\n", err);
		fprintf(stderr, "bootyard build-ipxe: previous images in %s "
				"left as they were\n",
			o.out_dir);
		return EXIT_RUNTIME;
	}
	if (res.cache_hit)
		printf("build-ipxe: cache hit (key %.16s): images in %s "
		       "(%.1f s)\n",
		       res.key, o.out_dir, res.t_total);
	else
		printf("build-ipxe: built (key %.16s) into %s in %.1f s "
		       "(hash %.1f s, tree %.1f s, make %.1f s)\n",
		       res.key, o.out_dir, res.t_total, res.t_hash,
		       res.t_extract, res.t_make);
	return 0;
}

int
cmd_tftp_root(struct by_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "dir", required_argument, NULL, 'd' },
		{ "server", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct tftproot_report rep;
	struct by_config cfg;
	char dir[CFG_PATH_MAX], base[128], err[1024];
	const char *want_dir = NULL, *server = NULL;
	struct netif_info nif;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:d:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			ctx->config_path = optarg;
			break;
		case 'd':
			want_dir = optarg;
			break;
		case 's':
			server = optarg;
			break;
		case 'h':
			printf("usage: bootyard tftp-root [-c FILE] [--dir DIR] "
			       "[--server ADDRESS]\n"
			       "Assemble the TFTP tree ([dhcp] tftp_root) from "
			       "Debian's boot loaders.\n");
			return 0;
		default:
			return EXIT_USAGE;
		}
	}
	r = cli_load_config(ctx, &cfg);
	if (r)
		return r;
	if (!server && strcmp(cfg.server_address, "auto"))
		server = cfg.server_address;
	if (!server) {
		r = netif_detect(cfg.interface, &nif, err, sizeof(err));
		if (r < 0) {
			fprintf(stderr, "bootyard: tftp-root: %s (or give "
					"--server)\n", err);
			return EXIT_RUNTIME;
		}
		server = nif.addr;
	}
	if (!valid_ipv4(server)) {
		fprintf(stderr, "bootyard: tftp-root: --server %s is not an "
				"IPv4 address\n", server);
		return EXIT_USAGE;
	}
	if (want_dir) {
		if (want_dir[0] != '/' ||
		    str_copy(dir, sizeof(dir), want_dir) < 0) {
			fprintf(stderr, "bootyard: tftp-root: --dir needs an "
					"absolute path\n");
			return EXIT_USAGE;
		}
	} else if (tftproot_dir(&cfg, dir, sizeof(dir)) < 0) {
		return EXIT_USAGE;
	}
	if (dnsmasq_http_base(&cfg, server, base, sizeof(base)) < 0) {
		fprintf(stderr, "bootyard: tftp-root: bad [http] listen\n");
		return EXIT_USAGE;
	}
	r = tftproot_assemble(dir, cfg.state_dir, server, base,
			      cfg.uefi_loader == UEFI_LOADER_SHIM, &rep, err,
			      sizeof(err));
	if (r < 0) {
		fprintf(stderr, "bootyard: tftp-root: %s\n", err);
		return EXIT_RUNTIME;
	}
	printf("%s: %u written, %u up to date; iPXE from %s\n", dir,
	       rep.written, rep.unchanged, rep.ipxe_from);
	return 0;
}
