/* status.c - placeholder until the supervisor work lands. */
#include <stdio.h>
#include "appliance/bootyard.h"

int
cmd_status(struct by_ctx *ctx, int argc, char **argv)
{
	fprintf(stderr, "bootyard: %s: not available yet\n", argv[0]);
	return EXIT_RUNTIME;
}

