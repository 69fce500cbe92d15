/*
 * fuzz_take.h - how the renderer fuzz targets (fuzz_render.c,
 * fuzz_grub.c) cut their input into fields.
 */
#ifndef BOOTYARD_FUZZ_TAKE_H
#define BOOTYARD_FUZZ_TAKE_H

#include <stddef.h>
#include <stdint.h>

/* Take the next NUL- or end-terminated piece of the input [*p, end) into
 * out (outsz bytes, NUL-terminated, cut when longer); *p moves past it. */
static inline void
take(const uint8_t **p, const uint8_t *end, char *out, size_t outsz)
{
	size_t n = 0;

	while (*p < end && **p != 0 && n + 1 < outsz)
		out[n++] = (char)*(*p)++;
	if (*p < end)
		(*p)++;
	out[n] = '\0';
}

#endif
