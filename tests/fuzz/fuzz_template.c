/*
 * fuzz_template.c - libFuzzer target for install templates: validation
 * and rendering of arbitrary text. Property: a template that validates
 * renders; rendering never expands a value a second time.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "appliance/core/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct tmpl_var vars[] = {
	    {"mac", "{{hostname}}"}, {"hostname", "h"}, {"attr.a", "v"}};
	char err[128], *s = malloc(size + 1), *out = NULL;
	size_t len;
	int v, r;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	v = tmpl_validate(s, err, sizeof(err));
	r = tmpl_render(s, vars, 3, &out, &len);
	if (v == 0 && r != 0)
		abort();
	if (r == 0) {
		if (strlen(out) > len) /* NULs in the input end the text */
			abort();
		free(out);
	}
	free(s);
	return 0;
}
