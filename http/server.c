/* server.c - placeholder until the HTTP service lands. */
#include <errno.h>

#include "http/http.h"

int
http_start(const struct by_config *cfg, const char *server_address,
	   struct http_server **ret)
{
	return -ENOSYS;
}

void
http_stop(struct http_server *srv)
{
}
