/* ipxe_build.c - placeholder until the iPXE-builder work lands. */
#include <stdio.h>
#include "appliance/bootyard.h"

int
cmd_build_ipxe(struct by_ctx *ctx, int argc, char **argv)
{
	fprintf(stderr, "bootyard: %s: not available yet\n", argv[0]);
	return EXIT_RUNTIME;
}

