/*
 * cli_config.c - `bootyard check-config [-c FILE]`: validate a
 * configuration file. Prints "configuration OK" (exit 0), or the one
 * error "FILE:LINE: [section] key: reason" on stderr (exit 2).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "appliance/bootyard.h"
#include "appliance/cli/cli.h"

/*
 * cmd_check_config - the check-config command. Returns the exit status.
 */
int
cmd_check_config(struct by_ctx *ctx, int argc, char **argv)
{
	const struct cli_cmd *cmd = &cli_cmd_check_config;
	const char *path;
	struct by_config cfg;
	char err[768];
	int r;

	r = cli_simple_args(ctx, cmd, argc, argv, 0, "");
	if (r != CLI_CONTINUE)
		return r;

	path = ctx->config_path ? ctx->config_path : CFG_DEFAULT_PATH;
	r = cfg_load(&cfg, path, ctx->config_path == NULL, err, sizeof(err));
	if (r < 0) {
		/* The answer itself, "FILE:LINE: reason" alone on the line
		 * (like `nginx -t`): editors and scripts jump to it. */
		fprintf(stderr, "%s\n", err);
		return EXIT_USAGE;
	}
	if (!cfg.path[0])
		printf("configuration OK (%s does not exist: defaults)\n",
		       path);
	else
		printf("configuration OK\n");
	return 0;
}
