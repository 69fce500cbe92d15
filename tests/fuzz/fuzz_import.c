/*
 * fuzz_import.c - libFuzzer target for appliance/build/import.c, the
 * recognition of installer sources from what they hold. The input is
 * split at NUL bytes: the volume id, .disk/info, .treeinfo, version.info,
 * then member paths one per line (each through imp_member_path, as the
 * I/O half does). Properties: every accepted member path passes
 * imp_member_path again unchanged and has no ".." component; every boot
 * file found is one of the listed paths; the release holds only
 * A-Z a-z 0-9 . _ -; the ISO volume id parser never reads past its input;
 * a digest imp_sums_lookup finds (in the input's first part) is 64
 * lower-case hex digits.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "appliance/build/import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PATHS 64

/* path is among the listed ones */
static int
listed(const struct imp_listing *l, const char *path)
{
	size_t i;

	for (i = 0; i < l->n_paths; i++)
		if (!strcmp(l->paths[i], path))
			return 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char paths[MAX_PATHS][IMP_PATH_MAX + 1];
	char *s = malloc(size + 1), *part[5] = {0}, *p, *line, *save;
	char *ptrs[MAX_PATHS], again[IMP_PATH_MAX + 1], id[64], why[512];
	char hex[65];
	struct imp_listing l;
	struct imp_found f;
	size_t i, j, n = 0;

	if (!s)
		return 0;
	imp_iso_volid(data, size, id, sizeof(id));
	memcpy(s, data, size);
	s[size] = '\0';
	p = s;
	for (i = 0; i < 5; i++) {
		part[i] = p;
		p += strlen(p);
		if (p < s + size)
			p++;
	}
	for (line = strtok_r(part[4], "\n", &save); line && n < MAX_PATHS;
	     line = strtok_r(NULL, "\n", &save)) {
		if (imp_member_path(line, paths[n], sizeof(paths[n])) < 0)
			continue;
		if (imp_member_path(paths[n], again, sizeof(again)) < 0 ||
		    strcmp(again, paths[n]) || strstr(paths[n], "/../") ||
		    !strncmp(paths[n], "../", 3) || !strcmp(paths[n], ".."))
			abort();
		ptrs[n] = paths[n];
		n++;
	}
	memset(&l, 0, sizeof(l));
	memset(&f, 0, sizeof(f));
	l.paths = ptrs;
	l.n_paths = n;
	l.volid = part[0][0] ? part[0] : NULL;
	l.disk_info = part[1][0] ? part[1] : NULL;
	l.treeinfo = part[2][0] ? part[2] : NULL;
	l.version_info = part[3][0] ? part[3] : NULL;
	if (imp_recognise(&l, &f, why, sizeof(why)) == 0 ||
	    f.n_boots) {
		for (i = 0; i < f.n_boots; i++) {
			if (!listed(&l, f.boots[i].kernel))
				abort();
			for (j = 0; j < f.boots[i].n_initrds; j++)
				if (!listed(&l, f.boots[i].initrds[j]))
					abort();
		}
		for (p = f.release; *p; p++)
			if (!isalnum((unsigned char)*p) && !strchr("._-", *p))
				abort();
	}
	if (imp_sums_lookup(s, "netinst.iso", hex) == 0)
		for (p = hex; *p; p++)
			if (!strchr("0123456789abcdef", *p))
				abort();
	free(s);
	return 0;
}
