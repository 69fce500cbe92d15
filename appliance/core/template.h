/*
 * template.h - install templates (kickstart / preseed / autoinstall) with
 * {{variable}} substitution.
 *
 * Variables: mac, hostname, ip, server (base URL, e.g. http://198.18.0.1),
 * token, distro, done_url, install_url (this distribution's install file
 * URL with the token), and attr.KEY for each host attribute. Syntax:
 * {{name}} or {{ name }}; "{{" always opens a variable. {{name|default}}
 * renders default when the value is empty (an attribute the host does not
 * have): {{attr.locale|en_US.UTF-8}}; a default is 1-64 of A-Z a-z 0-9
 * . _ : / + @ , = - . A template
 * that names any other variable is rejected when it is added (by
 * tmpl_validate, called from `bootyard distro add` and the admin API), not
 * at boot time.
 */
#ifndef BOOTYARD_TEMPLATE_H
#define BOOTYARD_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "db/db.h"

#define TMPL_DEFAULT_MAX 64
#define TMPL_HOST_VARS (8 + DB_MAX_ATTRS)

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
 * tmpl_validate_cmdline - check a distribution's kernel command line: at
 * most max printable characters, only known {{variables}}, and outside
 * them none of the characters valid_value() refuses (quotes, $, \, ;, &,
 * |, <, >, #, and braces that do not open or close a variable). What a
 * variable expands to is checked again when the script is rendered.
 * Returns 0, or -EINVAL with the reason in err.
 */
int tmpl_validate_cmdline(const char *text, size_t max, char *err,
                          size_t errsz);

/*
 * tmpl_has_callback - whether text calls the done callback: it names
 * {{done_url}}, or holds "/ipxe/v1/done" and names {{token}}. An install
 * template without it never turns its host to local.
 */
bool tmpl_has_callback(const char *text);

/*
 * tmpl_render - substitute vars into text. A variable not in vars renders
 * as "" (an attribute the host does not have). Returns 0 and a malloc'd,
 * NUL-terminated *ret (caller frees) with *ret_len, or -EINVAL / -ENOMEM.
 */
int tmpl_render(const char *text, const struct tmpl_var *vars, size_t n_vars,
                char **ret, size_t *ret_len);

/*
 * tmpl_host_vars - the variables of host (NULL: unknown, only mac) for
 * an install of distro with token. The values point into the arguments and
 * into static storage owned by the calling thread (done_url, install_url,
 * attribute names), valid until the next call on that thread. vars must
 * hold TMPL_HOST_VARS entries. Returns 0 and *ret_n, or -ENAMETOOLONG.
 */
int tmpl_host_vars(const struct db_host *host, const char *mac,
                   const char *server, const char *token,
                   const struct db_distro *distro, struct tmpl_var *vars,
                   size_t max, size_t *ret_n);

#endif
