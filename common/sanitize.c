/*
 * sanitize.c - bytes from outside made safe to log (see sanitize.h).
 */
#include "common/sanitize.h"

#include <stdbool.h>

char *
str_sanitize(char *dst, size_t dstsz, const char *src, unsigned flags)
{
	size_t i;

	if (!dstsz)
		return dst;
	if (!src)
		src = "-";
	for (i = 0; i + 1 < dstsz && src[i]; i++) {
		unsigned char c = (unsigned char)src[i];
		bool bad = c < 0x20 || c >= 0x7f ||
		           ((flags & SANITIZE_FIELD) && (c == ' ' || c == '"'));

		dst[i] = bad ? '?' : (char)c;
	}
	dst[i] = '\0';
	return dst;
}
