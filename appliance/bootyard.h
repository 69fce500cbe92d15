/*
 * bootyard.h - the bootyard program: subcommands and what they share.
 *
 * One binary, one subcommand per file group:
 *   serve            serve.c (+ netif.c, dnsmasq.c, supervisor)
 *   check-config     cli_config.c
 *   host, distro     cli_host.c, cli_distro.c
 *   leases, events   cli_leases.c
 *   status           status.c
 *   tftp-root        cli_build.c (+ tftproot.c)
 *   build-ipxe       cli_build.c (+ ipxe_build.c)
 *   doctor           cli_doctor.c (+ doctor.c)
 * Exit status of every command: 0 success, 1 not found, 2 usage or
 * validation error (a bad config file included), 3 runtime failure.
 */
#ifndef BOOTYARD_BOOTYARD_H
#define BOOTYARD_BOOTYARD_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "appliance/core/config.h"

#define EXIT_NOTFOUND 1
#define EXIT_USAGE 2
#define EXIT_RUNTIME 3

struct by_ctx {
	const char *config_path; /* -c FILE; NULL = CFG_DEFAULT_PATH */
	int verbose;             /* -v */
	bool json;               /* --json */
	const char *progname;    /* "bootyard" */
};

/*
 * A command: argv[0] is its name, the options and arguments follow;
 * returns the exit status. Every cmd_* below is declared as one, so that
 * the compiler checks each against main.c's table.
 */
typedef int by_cmd(struct by_ctx *ctx, int argc, char **argv);
typedef by_cmd *by_cmd_fn;

/* main.c */
by_cmd cmd_help;

/* cli_common.c */
/*
 * cli_load_config - load ctx->config_path (the default path may be
 * missing: defaults apply) into cfg. On error prints the file:line message
 * and returns EXIT_USAGE; 0 on success.
 */
int cli_load_config(const struct by_ctx *ctx, struct by_config *cfg);

/*
 * Option handling and messages of every command (serve included): parse
 * options with getopt_long (cli_opt_common() takes -c/--config, --json
 * and --help anywhere on the line) and report errors with cli_err, one
 * line through the log vocabulary.
 */
/* A command's name and help, for messages and --help. */
struct cli_cmd {
	const char *name;  /* "host add" */
	const char *usage; /* "MAC [--hostname H] ..." */
	const char *help;  /* the option list, printed by --help */
	bool own_config;   /* --config is the command's own: the
			    * configuration file is -c FILE only */
};

/* The long options every command takes; getopt short names below. */
#define CLI_OPT_CONFIG 'c'
#define CLI_OPT_JSON 0x100
#define CLI_OPT_HELP 'h'
#define CLI_OPTS_COMMON                                         \
	{ "config", required_argument, NULL, CLI_OPT_CONFIG }, \
	{ "json", no_argument, NULL, CLI_OPT_JSON },           \
	{ "help", no_argument, NULL, CLI_OPT_HELP }
/* getopt short option string prefix: ':' reports missing arguments. */
#define CLI_SHORTOPTS ":c:h"

/* Returned by cli_opt_common when it took the option: go on parsing. */
#define CLI_CONTINUE (-1)

/*
 * cli_opt_common - handle an option that getopt_long returned: -c, --json,
 * --help, and the errors '?' and ':'. Returns CLI_CONTINUE when it took the
 * option, 0 after printing --help (the command returns 0), EXIT_USAGE
 * after a one-line message for a bad option, or -2 when c is not common
 * (the command handles it).
 */
int cli_opt_common(struct by_ctx *ctx, const struct cli_cmd *cmd, int c,
		   char **argv);
#define CLI_NOT_COMMON (-2)

/*
 * cli_next_opt - getopt_long(argc, argv, shortopts, opts) for cmd that
 * takes the common options itself (cli_opt_common): returns the next
 * option of the command's own (optarg set), -1 after the last, or
 * CLI_STOP when the command must return *ret_status (0 after --help,
 * EXIT_USAGE after a message). Call cli_getopt_reset() first.
 */
int cli_next_opt(struct by_ctx *ctx, const struct cli_cmd *cmd, int argc,
		 char **argv, const char *shortopts,
		 const struct option *opts, int *ret_status);
#define CLI_STOP (-3)

/*
 * cli_leading_opts - take -c FILE, --json and --help that come between a
 * command group ("host") and its subcommand. Returns the index of the
 * subcommand in argv, 0 after --help (the caller returns 0), or
 * -EXIT_USAGE after a message.
 */
int cli_leading_opts(struct by_ctx *ctx, const struct cli_cmd *cmd, int argc,
		     char **argv);

/* cli_getopt_reset - make getopt_long start over on a new argv. */
void cli_getopt_reset(void);

/* cli_help - print "usage: bootyard NAME USAGE" and the help to f. */
void cli_help(const struct cli_cmd *cmd, FILE *f);

/*
 * cli_err - log "bootyard NAME: message" (log_warnx, common/log.h: one
 * sanitised line on stderr). Arguments from the user must be passed
 * through cli_q().
 */
void cli_err(const struct cli_cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * cli_usage_err - cli_err plus a pointer to --help; returns EXIT_USAGE.
 */
int cli_usage_err(const struct cli_cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * cli_q - s made safe to print inside a one-line message: quoted,
 * control characters as '?', at most 60 characters (then "..."). Returns
 * one of a few static buffers (up to 4 uses in one message).
 */
const char *cli_q(const char *s);

/* serve.c */
by_cmd cmd_serve;
/* cli_config.c */
by_cmd cmd_check_config;
/* cli_host.c */
by_cmd cmd_host;
/* cli_distro.c */
by_cmd cmd_distro;
/* cli_template.c */
by_cmd cmd_template;
/* cli_leases.c */
by_cmd cmd_leases, cmd_events;
/* status.c */
by_cmd cmd_status;
/* cli_build.c */
by_cmd cmd_tftp_root, cmd_build_ipxe;

/* cli_power.c: `power`, and the power options of host set / reinstall
 * (cmd_host hands them over when cli_power_host_wants) */
by_cmd cmd_power;
bool cli_power_host_wants(int argc, char **argv);
by_cmd cli_power_host;
/* cli_db.c */
by_cmd cmd_db;

/* cli_doctor.c */
by_cmd cmd_doctor;

#endif
