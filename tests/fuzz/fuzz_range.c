/*
 * fuzz_range.c - libFuzzer target for the Range header parser and the
 * static-file path check. Properties: an accepted range lies inside the
 * file; a path with a ".." component is never resolved.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t fsize = 0, first, last;
	char *s;
	int r, fd;

	if (size < 2)
		return 0;
	fsize = (uint64_t)data[0] << 8 | data[1];
	s = malloc(size - 1);
	if (!s)
		return 0;
	memcpy(s, data + 2, size - 2);
	s[size - 2] = '\0';
	r = http_range_parse(s, fsize, &first, &last);
	if (r == 1 && (first > last || last >= fsize))
		abort();
	if (http_files_resolve("/usr/share/doc", s, &fd) == 0) {
		if (strstr(s, "..") == s || strstr(s, "/../") ||
		    (strlen(s) >= 3 && !strcmp(s + strlen(s) - 3, "/..")))
			abort();
		close(fd);
	}
	free(s);
	return 0;
}
