/*
 * bootyard.h - the bootyard program: subcommands and what they share.
 *
 * One binary, one subcommand per file group:
 *   serve            serve.c (+ netif.c, dnsmasq.c, supervisor)
 *   check-config     cli_config.c
 *   host, distro     cli_host.c, cli_distro.c
 *   leases, events   cli_leases.c
 *   status           status.c
 *   tftp-root        tftproot.c
 *   build-ipxe       ipxe_build.c
 *   doctor           cli_doctor.c (+ doctor.c)
 * Exit status of every command: 0 success, 1 not found, 2 usage or
 * validation error (a bad config file included), 3 runtime failure.
 */
#ifndef BOOTYARD_BOOTYARD_H
#define BOOTYARD_BOOTYARD_H

#include <stdbool.h>

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

typedef int (*by_cmd_fn)(struct by_ctx *ctx, int argc, char **argv);

/* main.c */
int cmd_help(struct by_ctx *ctx, int argc, char **argv);

/* cli_common.c */
/*
 * cli_load_config - load ctx->config_path (the default path may be
 * missing: defaults apply) into cfg. On error prints the file:line message
 * and returns EXIT_USAGE; 0 on success.
 */
int cli_load_config(const struct by_ctx *ctx, struct by_config *cfg);

/* serve.c */
int cmd_serve(struct by_ctx *ctx, int argc, char **argv);
/* cli_config.c */
int cmd_check_config(struct by_ctx *ctx, int argc, char **argv);
/* cli_host.c */
int cmd_host(struct by_ctx *ctx, int argc, char **argv);
/* cli_distro.c */
int cmd_distro(struct by_ctx *ctx, int argc, char **argv);
/* cli_template.c */
int cmd_template(struct by_ctx *ctx, int argc, char **argv);
/* cli_leases.c */
int cmd_leases(struct by_ctx *ctx, int argc, char **argv);
int cmd_events(struct by_ctx *ctx, int argc, char **argv);
/* status.c */
int cmd_status(struct by_ctx *ctx, int argc, char **argv);
/* tftproot.c */
int cmd_tftp_root(struct by_ctx *ctx, int argc, char **argv);
/* ipxe_build.c */
int cmd_build_ipxe(struct by_ctx *ctx, int argc, char **argv);

/* cli_power.c: `power`, and the power options of host set / reinstall
 * (cmd_host hands them over when cli_power_host_wants) */
int cmd_power(struct by_ctx *ctx, int argc, char **argv);
bool cli_power_host_wants(int argc, char **argv);
int cli_power_host(struct by_ctx *ctx, int argc, char **argv);

/* cli_doctor.c */
int cmd_doctor(struct by_ctx *ctx, int argc, char **argv);

#endif
