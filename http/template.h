/*
 * template.h - install templates (kickstart / preseed / autoinstall) with
 * {{variable}} substitution.
 *
 * Variables: mac, hostname, ip, server (base URL, e.g. http://198.18.0.1),
 * token, distro, done_url, and attr.KEY for each host attribute. A template
 * that names any other variable is rejected when it is added (by
 * tmpl_validate, called from `bootyard distro add` and the admin API), not
 * at boot time.
 */
#ifndef BOOTYARD_TEMPLATE_H
#define BOOTYARD_TEMPLATE_H

#include <stddef.h>

struct tmpl_var {
	const char *name;  /* "mac", "attr.rack", ... */
	const char *value; /* never NULL; "" when unset */
};

/*
 * tmpl_validate - check that text is a well-formed template that names
 * only known variables (attr.KEY with a valid_name() KEY is always known).
 * Returns 0, or -EINVAL with "line N: reason" in err.
 */
int tmpl_validate(const char *text, char *err, size_t errsz);

/*
 * tmpl_render - substitute vars into text. A variable not in vars renders
 * as "" (an attribute the host does not have). Returns 0 and a malloc'd,
 * NUL-terminated *ret (caller frees) with *ret_len, or -EINVAL / -ENOMEM.
 */
int tmpl_render(const char *text, const struct tmpl_var *vars, size_t n_vars,
		char **ret, size_t *ret_len);

#endif
