/* template.c - placeholder until the HTTP service work lands. */
#include <errno.h>

#include "http/template.h"

int
tmpl_validate(const char *text, char *err, size_t errsz)
{
	return 0;
}

int
tmpl_render(const char *text, const struct tmpl_var *vars, size_t n_vars,
	    char **ret, size_t *ret_len)
{
	return -ENOSYS;
}
