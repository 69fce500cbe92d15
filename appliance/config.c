/* config.c - placeholder until the foundation CLI work lands. */
#include <errno.h>
#include <string.h>

#include "appliance/config.h"
#include "common/util.h"

void
cfg_defaults(struct by_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	str_copy(cfg->state_dir, sizeof(cfg->state_dir), "/var/lib/bootyard");
}

int
cfg_load(struct by_config *cfg, const char *path, bool allow_missing,
	 char *err, size_t errsz)
{
	cfg_defaults(cfg);
	return 0;
}

int
cfg_db_path(const struct by_config *cfg, char *out, size_t outsz)
{
	return str_printf(out, outsz, "%s/bootyard.db", cfg->state_dir);
}
