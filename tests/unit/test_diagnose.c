/*
 * test_diagnose.c - the boot diagnosis (appliance/core/diagnose.c): every
 * stage of the chain reached, every cause of a stop, in the events the
 * appliance records (kinds and details as dnsmasq_log, the lease hook
 * and the HTTP service write them).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "appliance/core/diagnose.h"
#include "unit_main.h"

#define MAC "52:54:00:12:34:56"
#define T0 1800000000000LL

static struct db_event evs[64];
static size_t n_evs;

/* Append an event at T0 + s seconds. */
static void
ev(double s, const char *kind, const char *detail)
{
	struct db_event *e = &evs[n_evs++];

	memset(e, 0, sizeof(*e));
	e->id = (int64_t)n_evs;
	e->ts_ms = T0 + (int64_t)(s * 1000);
	strcpy(e->mac, MAC);
	snprintf(e->kind, sizeof(e->kind), "%s", kind);
	snprintf(e->detail, sizeof(e->detail), "%s", detail);
}

static int
reset(void **state)
{
	(void)state;
	n_evs = 0;
	return 0;
}

/* Diagnose evs as seen at T0 + now_s seconds (0: no clock). */
static struct diagnosis
run(double now_s, unsigned attempts, unsigned max)
{
	struct diag_ctx ctx = {
	    .now_ms = now_s > 0 ? T0 + (int64_t)(now_s * 1000) : 0,
	    .attempts = attempts,
	    .max_attempts = max,
	    .uefi_loader = "snponly",
	};
	struct diagnosis d;

	assert_int_equal(diagnose(evs, n_evs, &ctx, &d), 0);
	return d;
}

/* The first boot of the lab: DHCP, iPXE over TFTP, its second DHCP. */
static void
dhcp_ipxe(double t)
{
	ev(t, "dhcp-offer", "ip=198.18.0.145");
	ev(t, "dhcp-ack", "ip=198.18.0.145 file=undionly.kpxe");
	ev(t, "dhcp-add", "ip=198.18.0.145 arch=0");
	ev(t + 1, "tftp-sent", "file=undionly.kpxe ip=198.18.0.145");
	ev(t + 2, "dhcp-offer", "ip=198.18.0.145");
	ev(t + 2, "dhcp-ack", "ip=198.18.0.145");
	ev(t + 2, "dhcp-old", "ip=198.18.0.145 arch=0 user-class=iPXE");
	ev(t + 3, "tftp-sent", "file=boot.ipxe ip=198.18.0.145");
}

/* A flagged host's boot: dhcp_ipxe, then its config says install. */
static void
flagged_install(void)
{
	dhcp_ipxe(0);
	ev(4, "config", "install reason=flagged platform=pcbios distro=deb");
}

/* The installer's kernel runs (its own DHCP) and fetches its answers. */
static void
installer_ran(void)
{
	ev(20, "dhcp-old", "ip=198.18.0.145 arch=-1");
	ev(21, "install-fetch", "preseed.cfg");
}

/*
 * A boot that stalls: at T0 + t_run seconds it is booting at stage
 * (not stopped); at T0 + t_stall, nothing new since, it has stopped
 * there, failed with cause, saying text. attempts and max as run's.
 * Returns the diagnosis at t_run for further checks.
 */
static struct diagnosis
stalls(unsigned attempts, unsigned max, double t_run, enum diag_stage stage,
       double t_stall, enum diag_cause cause, const char *text)
{
	struct diagnosis d = run(t_stall, attempts, max);

	assert_int_equal(d.stage, stage);
	assert_int_equal(d.cause, cause);
	assert_true(d.stopped && d.failed);
	assert_string_equal(d.text, text);
	d = run(t_run, attempts, max);
	assert_int_equal(d.stage, stage);
	assert_int_equal(d.cause, DIAG_OK);
	assert_false(d.stopped);
	return d;
}

static void
test_bad_args(void **state)
{
	struct diagnosis d;

	(void)state;
	assert_int_equal(diagnose(NULL, 1, NULL, &d), -EINVAL);
	assert_int_equal(diagnose(evs, 0, NULL, NULL), -EINVAL);
	assert_string_equal(diag_stage_name(DIAG_STAGE_KERNEL), "kernel");
	assert_string_equal(diag_cause_name(DIAG_NO_CALLBACK), "no-callback");
	assert_string_equal(diag_stage_name((enum diag_stage)99), "?");
}

static void
test_never_seen(void **state)
{
	struct diagnosis d = run(10, 0, 0);

	(void)state;
	assert_int_equal(d.stage, DIAG_STAGE_NONE);
	assert_int_equal(d.cause, DIAG_NEVER_SEEN);
	assert_true(d.stopped);
	assert_string_equal(d.text, "never seen on the network");
}

static void
test_offer_in_progress_then_never_requested(void **state)
{
	struct diagnosis d;

	(void)state;
	ev(0, "dhcp-offer", "ip=198.18.0.10");
	ev(1, "dhcp-offer", "ip=198.18.0.10");
	d = stalls(0, 0, 5, DIAG_STAGE_OFFER, 1 + DIAG_STALL_MS / 1000,
	           DIAG_NO_REQUEST, "offered an address, never requested it "
	                            "(another DHCP server answered first?)");
	assert_string_equal(d.text, "booting: was offered an address");
	/* no clock: never stopped by time */
	d = run(0, 0, 0);
	assert_false(d.stopped);
}

static void
test_nak(void **state)
{
	struct diagnosis d;

	(void)state;
	ev(0, "dhcp-offer", "ip=198.18.0.10");
	ev(0.1, "dhcp-nak", "ip=10.0.0.9");
	d = run(1, 0, 0);
	assert_int_equal(d.cause, DIAG_NAK);
	assert_true(d.failed);
	assert_non_null(strstr(d.text, "NAK"));
}

static void
test_lease_never_asked_boot_file(void **state)
{
	(void)state;
	ev(0, "dhcp-offer", "ip=198.18.0.11");
	ev(0, "dhcp-ack", "ip=198.18.0.11 file=ipxe.efi");
	ev(0, "dhcp-add", "ip=198.18.0.11 arch=7 vendor-class=PXEClient");
	stalls(0, 0, 10, DIAG_STAGE_LEASE, 300, DIAG_NO_BOOTFILE,
	       "got a lease, never asked for its boot file (firmware or "
	       "architecture mismatch: arch 7 asked, boot file ipxe.efi)");
}

static void
test_boot_file_not_found(void **state)
{
	struct diagnosis d;

	(void)state;
	ev(0, "dhcp-offer", "ip=198.18.0.12");
	ev(0, "dhcp-ack", "ip=198.18.0.12 file=undionly.kpxe");
	ev(1, "tftp-not-found", "file=undionly.kpxe ip=198.18.0.12");
	/* settled, or no clock: the end */
	d = run(5, 0, 0);
	assert_int_equal(d.stage, DIAG_STAGE_LEASE);
	assert_int_equal(d.cause, DIAG_BOOTFILE_MISSING);
	assert_true(d.stopped && d.failed);
	assert_string_equal(d.text, "asked TFTP for undionly.kpxe: not found "
	                            "(missing from the TFTP root?)");
	assert_int_equal(run(0, 0, 0).cause, DIAG_BOOTFILE_MISSING);
	/* just now: it may still go on (grub probes files) */
	assert_int_equal(run(1.5, 0, 0).cause, DIAG_OK);
	/* something fetched after it: not the cause */
	ev(1.2, "tftp-sent", "file=grubx64.efi ip=198.18.0.12");
	d = run(5, 0, 0);
	assert_int_equal(d.cause, DIAG_OK);
	assert_int_equal(d.stage, DIAG_STAGE_BOOTFILE);
}

static void
test_ipxe_never_fetched_config(void **state)
{
	struct diagnosis d;

	(void)state;
	dhcp_ipxe(0);
	/* already snponly: the other loader is the advice */
	d = stalls(0, 0, 10, DIAG_STAGE_BOOTFILE, 400, DIAG_NO_CONFIG,
	           "loaded iPXE (boot.ipxe), never fetched its config (NIC "
	           "driver: try uefi_loader = ipxe)");
	assert_string_equal(d.text, "booting: loaded its boot file (boot.ipxe)");
}

static void
test_local_boot(void **state)
{
	struct diagnosis d;

	(void)state;
	dhcp_ipxe(0);
	ev(4, "config", "local reason=host-local platform=pcbios method=sanboot");
	d = run(5, 0, 0);
	assert_int_equal(d.stage, DIAG_STAGE_LOCAL);
	assert_int_equal(d.cause, DIAG_OK);
	assert_true(d.stopped);
	assert_false(d.failed);
	assert_string_equal(d.text, "boots its local disk");
	/* an hour later, still: it ended there */
	assert_false(run(3600, 0, 0).failed);
}

static void
test_refused_and_error_and_menu(void **state)
{
	struct diagnosis d;

	(void)state;
	dhcp_ipxe(0);
	ev(4, "config", "local reason=address-not-leased platform=pcbios "
	                "method=exit");
	d = run(5, 0, 0);
	assert_int_equal(d.cause, DIAG_REFUSED);
	assert_int_equal(d.stage, DIAG_STAGE_CONFIG);
	assert_true(d.failed);
	assert_non_null(strstr(d.text, "address-not-leased"));

	reset(NULL);
	dhcp_ipxe(0);
	ev(4, "config", "error: no decision");
	assert_int_equal(run(5, 0, 0).cause, DIAG_CONFIG_ERROR);

	reset(NULL);
	dhcp_ipxe(0);
	ev(4, "config", "menu reason=unknown platform=efi");
	d = run(5, 0, 0);
	assert_int_equal(d.cause, DIAG_MENU);
	assert_true(d.stopped);
	assert_false(d.failed);
	assert_string_equal(d.text, "fetched its config: given the boot menu");
}

static void
test_install_kernel_never_fetched(void **state)
{
	(void)state;
	flagged_install();
	stalls(1, 3, 10, DIAG_STAGE_CONFIG, 200, DIAG_NO_KERNEL,
	       "install started, kernel never fetched (or it never booted: "
	       "kernel and initrd in place?)");
}

static void
test_kernel_booted_no_answer_file(void **state)
{
	struct diagnosis d;

	(void)state;
	flagged_install();
	/* the installer's own DHCP: same boot, the kernel runs */
	ev(20, "dhcp-offer", "ip=198.18.0.145");
	ev(20, "dhcp-ack", "ip=198.18.0.145");
	ev(20, "dhcp-old", "ip=198.18.0.145 arch=-1");
	d = stalls(1, 3, 25, DIAG_STAGE_KERNEL, 500, DIAG_NO_ANSWER,
	           "installer kernel booted (it asked for an address), never "
	           "fetched its answer file");
	assert_string_equal(d.text, "booting: installer kernel running");
}

static void
test_installer_never_called_back(void **state)
{
	struct diagnosis d;

	(void)state;
	flagged_install();
	installer_ran();
	stalls(2, 3, 30, DIAG_STAGE_INSTALLER, 1000, DIAG_NO_CALLBACK,
	       "installer ran (fetched preseed.cfg), never called back "
	       "(attempt 2 of 3)");
	d = run(1000, 0, 0);
	assert_string_equal(d.text, "installer ran (fetched preseed.cfg), "
	                            "never called back");
}

static void
test_exhausted(void **state)
{
	struct diagnosis d;

	(void)state;
	dhcp_ipxe(0);
	ev(4, "install-exhausted", "3 attempts");
	ev(4, "config", "menu reason=install-exhausted platform=pcbios");
	/* the menu after it is the end of that boot; exhausted recorded first */
	d = run(5, 3, 3);
	assert_int_equal(d.cause, DIAG_MENU);
	reset(NULL);
	dhcp_ipxe(0);
	ev(4, "config", "menu reason=x platform=pcbios");
	ev(4.1, "install-exhausted", "3 attempts");
	d = run(5, 3, 3);
	assert_int_equal(d.cause, DIAG_EXHAUSTED);
	assert_true(d.failed);
	assert_string_equal(d.text, "install failed 3 times, never called "
	                            "back: host set to menu");
}

static void
test_done_then_local_disk(void **state)
{
	struct diagnosis d;

	(void)state;
	flagged_install();
	installer_ran();
	ev(22, "done", "install of deb done; host set to local");
	d = run(23, 1, 3);
	assert_int_equal(d.stage, DIAG_STAGE_DONE);
	assert_true(d.stopped);
	assert_false(d.failed);
	assert_string_equal(d.text, "installed and called back: next boot is "
	                            "from its local disk");
	/* the reboot: a new boot, which ends on the disk */
	dhcp_ipxe(30);
	d = run(34, 0, 3);
	assert_int_equal(d.stage, DIAG_STAGE_BOOTFILE);
	assert_false(d.stopped);
	assert_int_equal(d.boot_start, 12u);
	ev(34, "config", "local reason=host-local platform=pcbios method=sanboot");
	d = run(35, 0, 3);
	assert_int_equal(d.stage, DIAG_STAGE_LOCAL);
	assert_string_equal(d.text, "installed, now boots its disk");
}

static void
test_new_boot_after_local(void **state)
{
	struct diagnosis d;

	(void)state;
	dhcp_ipxe(0);
	ev(4, "config", "local reason=host-local platform=pcbios method=sanboot");
	/* next boot stops after the lease: the old end does not hide it */
	ev(100, "dhcp-offer", "ip=198.18.0.145");
	ev(100, "dhcp-ack", "ip=198.18.0.145 file=undionly.kpxe");
	ev(100, "dhcp-old", "ip=198.18.0.145 arch=0");
	d = run(400, 0, 0);
	assert_int_equal(d.stage, DIAG_STAGE_LEASE);
	assert_int_equal(d.cause, DIAG_NO_BOOTFILE);
	assert_int_equal(d.boot_start, 9u);
	/* a long silence also starts a new boot */
	reset(NULL);
	flagged_install();
	ev(4000, "dhcp-offer", "ip=198.18.0.145");
	d = run(4001, 0, 0);
	assert_int_equal(d.stage, DIAG_STAGE_OFFER);
}

static void
test_hostile_details(void **state)
{
	struct diagnosis d;
	char big[DB_DETAIL_MAX];

	(void)state;
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "file=", 5);
	ev(0, "dhcp-ack", big);
	ev(0, "dhcp-add", "arch=<img src=x> arch=");
	ev(1, "tftp-not-found", big);
	ev(1, "zzz-unknown", "");
	d = run(10, 0, 0);
	assert_int_equal(d.cause, DIAG_BOOTFILE_MISSING);
	assert_true(strlen(d.text) < sizeof(d.text));
}

int
main(void)
{
	return unit_run_each(
	    UNIT_LIST(test_bad_args, test_never_seen,
	              test_offer_in_progress_then_never_requested, test_nak,
	              test_lease_never_asked_boot_file,
	              test_boot_file_not_found, test_ipxe_never_fetched_config,
	              test_local_boot, test_refused_and_error_and_menu,
	              test_install_kernel_never_fetched,
	              test_kernel_booted_no_answer_file,
	              test_installer_never_called_back, test_exhausted,
	              test_done_then_local_disk, test_new_boot_after_local,
	              test_hostile_details),
	    reset, NULL);
}
