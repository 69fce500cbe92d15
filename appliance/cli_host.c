/* cli_host.c - placeholder until the CLI work lands. */
#include <stdio.h>
#include "appliance/bootyard.h"

int
cmd_host(struct by_ctx *ctx, int argc, char **argv)
{
	fprintf(stderr, "bootyard: %s: not available yet\n", argv[0]);
	return EXIT_RUNTIME;
}

