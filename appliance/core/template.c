/*
 * template.c - {{variable}} substitution for install files (see
 * template.h). The same scanner validates and renders, so what passes
 * tmpl_validate renders the same way at boot time.
 */
#include "appliance/core/template.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "common/valid.h"

static const char *const tmpl_known[] = {
    "mac",   "hostname", "ip",       "server",
    "token", "distro",   "done_url", "install_url",
};

/*
 * Find the next variable at or after p: *ret_open points at "{{", the
 * name (spaces trimmed) is copied into name. Returns 1 when found, 0 at
 * the end of text, -EINVAL for an unclosed or malformed variable.
 */
static int
tmpl_next(const char *p, const char **ret_open, const char **ret_after,
          char *name, size_t namesz)
{
	const char *o = strstr(p, "{{"), *s, *e, *c;

	if (!o)
		return 0;
	c = strstr(o + 2, "}}");
	if (!c)
		return -EINVAL;
	for (s = o + 2; s < c && *s == ' '; s++)
		;
	for (e = c; e > s && e[-1] == ' '; e--)
		;
	if (e == s || (size_t)(e - s) >= namesz)
		return -EINVAL;
	memcpy(name, s, (size_t)(e - s));
	name[e - s] = '\0';
	*ret_open = o;
	*ret_after = c + 2;
	return 1;
}

/*
 * Cut a "|default" off name: *ret_def points at the default (NULL when
 * none). A default is 1-64 of A-Z a-z 0-9 . _ : / + @ , = - (no space,
 * nothing a script reads). Returns false for a malformed default.
 */
static bool
tmpl_split_default(char *name, const char **ret_def)
{
	char *bar = strchr(name, '|');
	const char *c;

	*ret_def = NULL;
	if (!bar)
		return true;
	*bar = '\0';
	for (c = bar + 1; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("._:/+@,=-", *c))
			return false;
	if (c == bar + 1 || c - bar - 1 > TMPL_DEFAULT_MAX)
		return false;
	*ret_def = bar + 1;
	return true;
}

/* name is one of tmpl_known or attr.KEY with a valid KEY, optionally
 * followed by a valid |default. */
static bool
tmpl_name_known(char *name)
{
	const char *def;
	size_t i;

	if (!tmpl_split_default(name, &def))
		return false;

	if (strncmp(name, "attr.", 5) == 0)
		return valid_name(name + 5);
	for (i = 0; i < ARRAY_SIZE(tmpl_known); i++)
		if (strcmp(name, tmpl_known[i]) == 0)
			return true;
	return false;
}

/* The 1-based line number of at within text. */
static unsigned
line_of(const char *text, const char *at)
{
	unsigned line = 1;

	for (; text < at; text++)
		line += *text == '\n';
	return line;
}

int
tmpl_validate(const char *text, char *err, size_t errsz)
{
	const char *p, *o, *a;
	char name[NAME_MAX_LEN + 8 + TMPL_DEFAULT_MAX + 2];
	int r;

	if (!text)
		return -EINVAL;
	if (strlen(text) > DB_TEMPLATE_MAX) {
		snprintf(err, errsz, "line 1: template larger than %d bytes",
		         DB_TEMPLATE_MAX);
		return -EINVAL;
	}
	for (p = text; (r = tmpl_next(p, &o, &a, name, sizeof(name))) > 0;
	     p = a) {
		if (!tmpl_name_known(name)) {
			snprintf(err, errsz, "line %u: unknown variable '%.*s'",
			         line_of(text, o), 64, name);
			return -EINVAL;
		}
	}
	if (r < 0) {
		o = strstr(p, "{{");
		snprintf(err, errsz, "line %u: malformed '{{...}}'",
		         line_of(text, o ? o : p));
		return -EINVAL;
	}
	return 0;
}

int
tmpl_validate_cmdline(const char *text, size_t max, char *err, size_t errsz)
{
	char name[NAME_MAX_LEN + 8 + TMPL_DEFAULT_MAX + 2], plain[DB_CMDLINE_MAX];
	const char *p, *o, *a;
	size_t n = 0;
	int r;

	if (!text || !valid_text(text, max)) {
		snprintf(err, errsz,
		         "at most %zu printable characters, no newline", max);
		return -EINVAL;
	}
	if (tmpl_validate(text, err, errsz) < 0)
		return -EINVAL;
	/* The text with each variable taken out must be a plain value. */
	for (p = text; (r = tmpl_next(p, &o, &a, name, sizeof(name))) > 0;
	     p = a) {
		if (n + (size_t)(o - p) >= sizeof(plain))
			goto too_long;
		memcpy(plain + n, p, (size_t)(o - p));
		n += (size_t)(o - p);
	}
	if (n + strlen(p) >= sizeof(plain))
		goto too_long;
	memcpy(plain + n, p, strlen(p) + 1);
	if (!valid_value(plain, sizeof(plain) - 1)) {
		snprintf(err, errsz,
		         "none of \" ' ` $ \\ ; & | < > # outside "
		         "{{variables}}, and braces only around one");
		return -EINVAL;
	}
	return 0;
too_long:
	snprintf(err, errsz, "longer than %zu characters", max);
	return -EINVAL;
}

/* The value of name among vars, "" when absent. */
static const char *
tmpl_lookup(const struct tmpl_var *vars, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (vars[i].name && strcmp(vars[i].name, name) == 0)
			return vars[i].value ? vars[i].value : "";
	return "";
}

int
tmpl_render(const char *text, const struct tmpl_var *vars, size_t n_vars,
            char **ret, size_t *ret_len)
{
	char name[NAME_MAX_LEN + 8 + TMPL_DEFAULT_MAX + 2];
	const char *p, *o, *a;
	char *out = NULL;
	size_t len = 0;
	FILE *f;
	int r;

	if (!text || !ret)
		return -EINVAL;
	f = open_memstream(&out, &len);
	if (!f)
		return -ENOMEM;
	for (p = text; (r = tmpl_next(p, &o, &a, name, sizeof(name))) > 0;
	     p = a) {
		const char *def, *v;

		fwrite(p, 1, (size_t)(o - p), f);
		if (!tmpl_split_default(name, &def))
			def = NULL;
		v = tmpl_lookup(vars, n_vars, name);
		fputs(v[0] || !def ? v : def, f);
	}
	if (r == 0)
		fputs(p, f);
	return memstream_finish(f, &out, &len, r < 0 ? -EINVAL : 0, ret,
	                        ret_len);
}

int
tmpl_host_vars(const struct db_host *host, const char *mac, const char *server,
               const char *token, const struct db_distro *distro,
               struct tmpl_var *vars, size_t max, size_t *ret_n)
{
	static __thread char done_url[512], install_url[1024];
	static __thread char attr_names[DB_MAX_ATTRS][NAME_MAX_LEN + 6];
	size_t n = 0, i;

	if (max < TMPL_HOST_VARS)
		return -ENAMETOOLONG;
	token = token ? token : "";
	server = server ? server : "";
	if (str_printf(done_url, sizeof(done_url), "%s/ipxe/v1/done?token=%s",
	               server, token) < 0)
		return -ENAMETOOLONG;
	install_url[0] = '\0';
	if (distro && distro->template_name[0] &&
	    str_printf(install_url, sizeof(install_url),
	               "%s/ipxe/v1/install/%s/%s", server, token,
	               distro->template_name) < 0)
		return -ENAMETOOLONG;
	vars[n++] = (struct tmpl_var){"mac", mac ? mac : ""};
	vars[n++] = (struct tmpl_var){"hostname", host ? host->hostname : ""};
	vars[n++] = (struct tmpl_var){"ip", host ? host->ip : ""};
	vars[n++] = (struct tmpl_var){"server", server};
	vars[n++] = (struct tmpl_var){"token", token};
	vars[n++] = (struct tmpl_var){"distro", distro ? distro->name : ""};
	vars[n++] = (struct tmpl_var){"done_url", done_url};
	vars[n++] = (struct tmpl_var){"install_url", install_url};
	for (i = 0; host && i < host->n_attrs && i < DB_MAX_ATTRS; i++) {
		snprintf(attr_names[i], sizeof(attr_names[i]), "attr.%s",
		         host->attrs[i].key);
		vars[n++] =
		    (struct tmpl_var){attr_names[i], host->attrs[i].value};
	}
	*ret_n = n;
	return 0;
}

bool
tmpl_has_callback(const char *text)
{
	char name[NAME_MAX_LEN + 8 + TMPL_DEFAULT_MAX + 2];
	const char *p, *o, *a, *def;
	bool token = false;

	for (p = text; tmpl_next(p, &o, &a, name, sizeof(name)) > 0; p = a) {
		if (!tmpl_split_default(name, &def))
			continue;
		if (!strcmp(name, "done_url"))
			return true;
		token |= !strcmp(name, "token");
	}
	return token && strstr(text, "/ipxe/v1/done");
}
