/*
 * serve.c - `bootyard serve`: the daemon.
 *
 * Minimal first version: runs the HTTP service alone (as with --dhcp=off)
 * until SIGTERM or SIGINT. The supervisor work adds interface discovery,
 * dnsmasq and privilege dropping.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "appliance/bootyard.h"
#include "common/log.h"
#include "common/util.h"
#include "http/http.h"

static volatile sig_atomic_t serve_stop;

static void
serve_on_signal(int sig)
{
	serve_stop = sig;
}

int
cmd_serve(struct by_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "dhcp", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct by_config cfg;
	struct http_server *srv = NULL;
	struct sigaction sa;
	const char *addr;
	sigset_t mask, old;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			ctx->config_path = optarg;
			break;
		case 'd':
			if (strcmp(optarg, "off")) {
				fprintf(stderr, "bootyard serve: --dhcp takes "
						"only 'off' so far\n");
				return EXIT_USAGE;
			}
			break;
		case 'h':
			printf("usage: bootyard serve [-c FILE] [--dhcp=off]\n");
			return 0;
		default:
			return EXIT_USAGE;
		}
	}
	r = cli_load_config(ctx, &cfg);
	if (r)
		return r;
	addr = strcmp(cfg.server_address, "auto") ? cfg.server_address
						 : "127.0.0.1";

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = serve_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, &old);

	r = http_start(&cfg, addr, &srv);
	if (r < 0) {
		errno = -r;
		log_warn("http: cannot start on %s", cfg.listen);
		return EXIT_RUNTIME;
	}
	log_info("serving on %s (boot URLs use %s)", cfg.listen, addr);
	while (!serve_stop)
		sigsuspend(&old);
	log_info("signal %d: stopping", (int)serve_stop);
	http_stop(srv);
	return 0;
}
