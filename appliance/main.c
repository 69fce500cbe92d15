/*
 * main.c - bootyard: global options and subcommand dispatch.
 */
#include <stdio.h>
#include <string.h>

#include "appliance/bootyard.h"
#include "common/log.h"

static const struct {
	const char *name;
	by_cmd_fn fn;
	const char *summary;
} commands[] = {
	{ "serve", cmd_serve, "run the appliance (DHCP/TFTP via dnsmasq, HTTP)" },
	{ "check-config", cmd_check_config, "validate a configuration file" },
	{ "host", cmd_host, "add, change, list and remove hosts" },
	{ "distro", cmd_distro, "add, import, list and remove distributions" },
	{ "template", cmd_template, "the stock install templates; check one" },
	{ "leases", cmd_leases, "every MAC that asked for a lease" },
	{ "events", cmd_events, "the boot timeline, of all hosts or one MAC" },
	{ "status", cmd_status, "what the appliance serves and from where" },
	{ "tftp-root", cmd_tftp_root, "assemble the TFTP tree" },
	{ "build-ipxe", cmd_build_ipxe, "build iPXE images with the boot script" },
	{ "power", cmd_power, "a host's power: status, on, off, cycle, reset" },
	{ "db", cmd_db, "migrate the database; copy it between backends" },
	{ "doctor", cmd_doctor, "list every DHCP server that answers" },
	{ "help", cmd_help, "this text" },
};

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: bootyard [-c FILE] [-v] [--json] COMMAND [ARGS]\n"
		   "       bootyard COMMAND --help\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-13s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(f, "\noptions:\n"
		   "  -c, --config FILE  configuration (default %s)\n"
		   "  -v, --verbose      more log output (twice: debug)\n"
		   "  --json             machine-readable output\n"
		   "  --version          print the version\n",
		CFG_DEFAULT_PATH);
}

int
cmd_help(struct by_ctx *ctx, int argc, char **argv)
{
	usage(stdout);
	return 0;
}

int
main(int argc, char **argv)
{
	struct by_ctx ctx = { .progname = "bootyard" };
	int i;
	size_t c;

	/* Global options come before the command. */
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-c") || !strcmp(a, "--config")) {
			if (++i >= argc) {
				log_warnx("%s needs a file", a);
				return EXIT_USAGE;
			}
			ctx.config_path = argv[i];
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			ctx.verbose++;
		} else if (!strcmp(a, "--json")) {
			ctx.json = true;
		} else if (!strcmp(a, "--version")) {
			printf("bootyard %s\n", BOOTYARD_VERSION);
			return 0;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else {
			log_warnx("unknown option %s", a);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	log_init("bootyard", 1 + ctx.verbose);
	for (c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
		if (!strcmp(argv[i], commands[c].name))
			return commands[c].fn(&ctx, argc - i, argv + i);
	log_warnx("unknown command '%s' (try bootyard help)", argv[i]);
	return EXIT_USAGE;
}
