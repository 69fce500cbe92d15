/*
 * cli_diag.c - the boot diagnosis for `bootyard events MAC` and
 * `bootyard host show` (appliance/core/diagnose.h).
 */
#include <sys/time.h>

#include "appliance/cli/cli.h"

int
cli_diagnose(struct db *db, const struct by_config *cfg, const char *mac,
	     unsigned attempts, struct diagnosis *out)
{
	struct diag_ctx dc = { 0 };
	struct timeval tv;

	gettimeofday(&tv, NULL);
	dc.now_ms = (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
	dc.attempts = attempts;
	dc.max_attempts = cfg->install_attempts;
	dc.uefi_loader = cfg_uefi_loader_name(cfg->uefi_loader);
	return diagnose_mac(db, mac, &dc, out);
}
