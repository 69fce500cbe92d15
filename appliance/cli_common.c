/* cli_common.c - placeholder until the foundation CLI work lands. */
#include <stdio.h>

#include "appliance/bootyard.h"

int
cli_load_config(const struct by_ctx *ctx, struct by_config *cfg)
{
	char err[512];

	if (cfg_load(cfg, ctx->config_path ? ctx->config_path
					   : CFG_DEFAULT_PATH,
		     ctx->config_path == NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "bootyard: %s\n", err);
		return EXIT_USAGE;
	}
	return 0;
}
