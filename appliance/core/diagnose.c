/*
 * diagnose.c - where a boot got to and why it stopped (see diagnose.h).
 */
#include "appliance/core/diagnose.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

/* A tftp-not-found that is the last event counts as the end after this
 * long (grub asks for several files that need not exist, then goes on). */
#define DIAG_MISSING_SETTLE_MS 3000

static const char *const stage_names[] = {
    [DIAG_STAGE_NONE] = "none",         [DIAG_STAGE_OFFER] = "offer",
    [DIAG_STAGE_LEASE] = "lease",       [DIAG_STAGE_BOOTFILE] = "bootfile",
    [DIAG_STAGE_CONFIG] = "config",     [DIAG_STAGE_KERNEL] = "kernel",
    [DIAG_STAGE_INSTALLER] = "installer", [DIAG_STAGE_DONE] = "done",
    [DIAG_STAGE_LOCAL] = "local",
};

static const char *const cause_names[] = {
    [DIAG_OK] = "ok",
    [DIAG_NEVER_SEEN] = "never-seen",
    [DIAG_NO_REQUEST] = "no-request",
    [DIAG_NAK] = "nak",
    [DIAG_NO_BOOTFILE] = "no-bootfile",
    [DIAG_BOOTFILE_MISSING] = "bootfile-missing",
    [DIAG_NO_CONFIG] = "no-config",
    [DIAG_REFUSED] = "refused",
    [DIAG_CONFIG_ERROR] = "config-error",
    [DIAG_NO_KERNEL] = "no-kernel",
    [DIAG_NO_ANSWER] = "no-answer-file",
    [DIAG_NO_CALLBACK] = "no-callback",
    [DIAG_EXHAUSTED] = "exhausted",
    [DIAG_MENU] = "menu",
};

const char *
diag_stage_name(enum diag_stage s)
{
	return enum_name(stage_names, ARRAY_SIZE(stage_names), (size_t)s);
}

const char *
diag_cause_name(enum diag_cause c)
{
	return enum_name(cause_names, ARRAY_SIZE(cause_names), (size_t)c);
}

/* The value of "key=" in a detail ("ip=1.2.3.4 file=x"), up to a space,
 * into buf; "" when absent. */
static void
field(const char *detail, const char *key, char *buf, size_t bufsz)
{
	size_t kl = strlen(key), n;
	const char *p = detail;

	buf[0] = '\0';
	while (p && *p) {
		if (!strncmp(p, key, kl) && p[kl] == '=') {
			p += kl + 1;
			n = strcspn(p, " ");
			if (n >= bufsz)
				n = bufsz - 1;
			memcpy(buf, p, n);
			buf[n] = '\0';
			return;
		}
		p = strchr(p, ' ');
		if (p)
			p++;
	}
}

static bool
is_dhcp(const char *kind)
{
	return !strcmp(kind, "dhcp-offer") || !strcmp(kind, "dhcp-ack") ||
	       !strcmp(kind, "dhcp-add") || !strcmp(kind, "dhcp-old") ||
	       !strcmp(kind, "dhcp-nak") || !strcmp(kind, "pxe-proxy");
}

/* The state of the boot being walked. */
struct walk {
	enum diag_stage stage;
	enum diag_cause end;    /* set when the boot ended on a fault */
	bool ended;             /* reached an end: local, done, menu, fault */
	bool install;           /* the config said install */
	bool prev_done;         /* the boot before this one was an install */
	bool missing;           /* a file not found, nothing fetched since */
	int64_t missing_ms;
	char arch[8], bootfile[128], missing_file[128], config[64];
	char answer[64];
	size_t start;
};

static void
new_boot(struct walk *w, size_t start)
{
	bool done = w->stage == DIAG_STAGE_DONE;

	memset(w, 0, sizeof(*w));
	w->prev_done = done;
	w->start = start;
}

static void
raise_to(struct walk *w, enum diag_stage s)
{
	if (s > w->stage)
		w->stage = s;
}

/* One event of the walk. */
static void
step(struct walk *w, const struct db_event *e, size_t i, size_t dhcp_run)
{
	char buf[128];

	if (is_dhcp(e->kind)) {
		if (w->ended)
			new_boot(w, dhcp_run);
		field(e->detail, "arch", buf, sizeof(buf));
		if (buf[0] && strcmp(buf, "-1"))
			str_copy(w->arch, sizeof(w->arch), buf);
		field(e->detail, "file", buf, sizeof(buf));
		if (buf[0])
			str_copy(w->bootfile, sizeof(w->bootfile), buf);
		if (!strcmp(e->kind, "dhcp-nak")) {
			if (w->stage < DIAG_STAGE_LEASE) {
				w->end = DIAG_NAK;
			}
			return;
		}
		if (w->end == DIAG_NAK)
			w->end = DIAG_OK;
		/* the installer's kernel asks for an address: it runs */
		if (w->install && w->stage == DIAG_STAGE_CONFIG &&
		    strcmp(e->kind, "dhcp-offer"))
			raise_to(w, DIAG_STAGE_KERNEL);
		else if (!strcmp(e->kind, "dhcp-offer") ||
		         !strcmp(e->kind, "pxe-proxy"))
			raise_to(w, DIAG_STAGE_OFFER);
		else
			raise_to(w, DIAG_STAGE_LEASE);
		return;
	}
	if (!strcmp(e->kind, "tftp-not-found")) {
		if (w->stage >= DIAG_STAGE_CONFIG && !w->install)
			new_boot(w, dhcp_run);
		w->missing = true;
		w->missing_ms = e->ts_ms;
		field(e->detail, "file", w->missing_file,
		      sizeof(w->missing_file));
		raise_to(w, DIAG_STAGE_LEASE);
		return;
	}
	if (!strcmp(e->kind, "tftp-sent") || !strcmp(e->kind, "grub-fetch") ||
	    !strcmp(e->kind, "grub-once-fetched")) {
		/* the chain starts again: a new boot */
		if (w->ended || w->stage >= DIAG_STAGE_CONFIG)
			new_boot(w, dhcp_run);
		w->missing = false;
		if (!strcmp(e->kind, "tftp-sent")) {
			field(e->detail, "file", buf, sizeof(buf));
			if (buf[0])
				str_copy(w->bootfile, sizeof(w->bootfile),
				         buf);
			raise_to(w, DIAG_STAGE_LEASE);
			raise_to(w, DIAG_STAGE_BOOTFILE);
		} else {
			raise_to(w, DIAG_STAGE_CONFIG);
		}
		return;
	}
	if (!strcmp(e->kind, "config")) {
		if (w->ended || w->stage > DIAG_STAGE_CONFIG)
			new_boot(w, dhcp_run);
		w->missing = false;
		raise_to(w, DIAG_STAGE_CONFIG);
		w->install = false;
		w->ended = false;
		w->end = DIAG_OK;
		field(e->detail, "reason", buf, sizeof(buf));
		snprintf(w->config, sizeof(w->config), "%.*s",
		         (int)strcspn(e->detail, " "), e->detail);
		if (!strncmp(e->detail, "error", 5)) {
			w->ended = true;
			w->end = DIAG_CONFIG_ERROR;
		} else if (!strcmp(buf, "address-not-leased") ||
		           !strcmp(buf, "menu-install-off") ||
		           !strcmp(buf, "refused")) {
			w->ended = true;
			w->end = DIAG_REFUSED;
			str_copy(w->config, sizeof(w->config), buf);
		} else if (!strcmp(w->config, "install")) {
			w->install = true;
		} else if (!strcmp(w->config, "local")) {
			raise_to(w, DIAG_STAGE_LOCAL);
			w->ended = true;
		} else {
			/* menu, memtest, shell: the chain ends at the menu */
			w->ended = true;
			w->end = DIAG_MENU;
		}
		return;
	}
	if (!strcmp(e->kind, "install-fetch")) {
		raise_to(w, DIAG_STAGE_INSTALLER);
		str_copy(w->answer, sizeof(w->answer), e->detail);
		return;
	}
	if (!strcmp(e->kind, "done")) {
		raise_to(w, DIAG_STAGE_DONE);
		w->install = false;
		w->ended = true;
		w->end = DIAG_OK;
		return;
	}
	if (!strcmp(e->kind, "install-exhausted")) {
		w->ended = true;
		w->end = DIAG_EXHAUSTED;
		return;
	}
	(void)i;
	/* other kinds (grub-token, grub-choice, ...) do not move the chain */
}

static const char *
stage_words(enum diag_stage s)
{
	switch (s) {
	case DIAG_STAGE_NONE:
		return "not seen yet";
	case DIAG_STAGE_OFFER:
		return "was offered an address";
	case DIAG_STAGE_LEASE:
		return "got a lease";
	case DIAG_STAGE_BOOTFILE:
		return "loaded its boot file";
	case DIAG_STAGE_CONFIG:
		return "fetched its config";
	case DIAG_STAGE_KERNEL:
		return "installer kernel running";
	case DIAG_STAGE_INSTALLER:
		return "installer running";
	case DIAG_STAGE_DONE:
		return "installed, called back";
	case DIAG_STAGE_LOCAL:
		return "boots its local disk";
	}
	return "?";
}

static const char no_request[] = "offered an address, never requested it "
                                 "(another DHCP server answered first?)";

/* The stages where a chain that stopped has one fixed explanation. */
static const struct stall {
	enum diag_stage stage;
	enum diag_cause cause;
	const char *text;
} stalls[] = {
    /* NONE: only events that do not move the chain */
    {DIAG_STAGE_NONE, DIAG_NO_REQUEST, no_request},
    {DIAG_STAGE_OFFER, DIAG_NO_REQUEST, no_request},
    {DIAG_STAGE_CONFIG, DIAG_NO_KERNEL,
     "install started, kernel never fetched (or it never booted: kernel and "
     "initrd in place?)"},
    {DIAG_STAGE_KERNEL, DIAG_NO_ANSWER,
     "installer kernel booted (it asked for an address), never fetched its "
     "answer file"},
};

int
diagnose(const struct db_event *ev, size_t n, const struct diag_ctx *ctx,
         struct diagnosis *out)
{
	static const struct diag_ctx none;
	const struct stall *st;
	struct walk w;
	size_t i, dhcp_run = 0;
	int64_t last = 0;
	bool stalled;
	const char *loader;

	if (!out || (!ev && n))
		return -EINVAL;
	if (!ctx)
		ctx = &none;
	memset(out, 0, sizeof(*out));
	memset(&w, 0, sizeof(w));
	for (i = 0; i < n; i++) {
		const struct db_event *e = &ev[i];
		bool dhcp = is_dhcp(e->kind);

		if (dhcp && (i == 0 || !is_dhcp(ev[i - 1].kind)))
			dhcp_run = i;
		if (!dhcp)
			dhcp_run = i;
		if (i > 0 && dhcp && e->ts_ms - last > DIAG_NEW_BOOT_MS) {
			w.stage = DIAG_STAGE_NONE; /* no "installed" carried */
			new_boot(&w, i);
		}
		step(&w, e, i, dhcp_run);
		last = e->ts_ms;
	}
	out->stage = w.stage;
	out->since_ms = last;
	if (n)
		str_copy(out->appliance, sizeof(out->appliance),
		         ev[n - 1].appliance);
	out->boot_start = w.start;
	if (n == 0) {
		out->cause = DIAG_NEVER_SEEN;
		out->stopped = 1;
		out->failed = 1;
		str_copy(out->text, sizeof(out->text),
		         "never seen on the network");
		return 0;
	}
	stalled = ctx->now_ms > 0 && ctx->now_ms - last >= DIAG_STALL_MS;
	if (w.missing && (ctx->now_ms == 0 ||
	                  ctx->now_ms - w.missing_ms >= DIAG_MISSING_SETTLE_MS)) {
		out->cause = DIAG_BOOTFILE_MISSING;
		out->stopped = out->failed = 1;
		snprintf(out->text, sizeof(out->text), "asked TFTP for %s: not "
		         "found (missing from the TFTP root?)",
		         w.missing_file[0] ? w.missing_file : "a file");
		return 0;
	}
	if (w.ended) {
		out->stopped = 1;
		out->cause = w.end;
		out->failed = w.end != DIAG_OK && w.end != DIAG_MENU;
		switch (w.end) {
		case DIAG_REFUSED:
			snprintf(out->text, sizeof(out->text),
			         "fetched its config, refused (%s): booted "
			         "its local disk", w.config);
			break;
		case DIAG_CONFIG_ERROR:
			str_copy(out->text, sizeof(out->text),
			         "fetched its config, the appliance could not "
			         "make it (see the log): booted its local disk");
			break;
		case DIAG_EXHAUSTED:
			snprintf(out->text, sizeof(out->text),
			         "install failed %u times, never called back: "
			         "host set to menu", ctx->max_attempts
			                                 ? ctx->max_attempts
			                                 : ctx->attempts);
			break;
		case DIAG_MENU:
			snprintf(out->text, sizeof(out->text),
			         "fetched its config: given the %s",
			         !strcmp(w.config, "menu") ? "boot menu"
			                                   : w.config);
			break;
		default:
			if (w.stage == DIAG_STAGE_DONE)
				str_copy(out->text, sizeof(out->text),
				         "installed and called back: next boot "
				         "is from its local disk");
			else if (w.prev_done)
				str_copy(out->text, sizeof(out->text),
				         "installed, now boots its disk");
			else
				str_copy(out->text, sizeof(out->text),
				         "boots its local disk");
			break;
		}
		return 0;
	}
	if (w.end == DIAG_NAK) {
		out->cause = DIAG_NAK;
		out->stopped = out->failed = 1;
		str_copy(out->text, sizeof(out->text),
		         "the DHCP server refused its request (NAK): an "
		         "address from another network?");
		return 0;
	}
	if (!stalled) {
		snprintf(out->text, sizeof(out->text), "booting: %s",
		         stage_words(w.stage));
		if (w.stage == DIAG_STAGE_BOOTFILE && w.bootfile[0])
			snprintf(out->text + strlen(out->text),
			         sizeof(out->text) - strlen(out->text), " (%s)",
			         w.bootfile);
		return 0;
	}
	out->stopped = out->failed = 1;
	for (st = stalls; st < stalls + ARRAY_SIZE(stalls); st++)
		if (st->stage == w.stage) {
			out->cause = st->cause;
			str_copy(out->text, sizeof(out->text), st->text);
			return 0;
		}
	switch (w.stage) {
	case DIAG_STAGE_LEASE:
		out->cause = DIAG_NO_BOOTFILE;
		snprintf(out->text, sizeof(out->text),
		         "got a lease, never asked for its boot file (firmware "
		         "or architecture mismatch: arch %s asked, boot file "
		         "%s)", w.arch[0] ? w.arch : "unknown",
		         w.bootfile[0] ? w.bootfile : "none offered");
		break;
	case DIAG_STAGE_BOOTFILE:
		out->cause = DIAG_NO_CONFIG;
		loader = ctx->uefi_loader && !strcmp(ctx->uefi_loader, "snponly")
		             ? "ipxe"
		             : "snponly";
		snprintf(out->text, sizeof(out->text),
		         "loaded iPXE (%s), never fetched its config (NIC "
		         "driver: try uefi_loader = %s)",
		         w.bootfile[0] ? w.bootfile : "?", loader);
		break;
	case DIAG_STAGE_INSTALLER:
	default:
		out->cause = DIAG_NO_CALLBACK;
		if (ctx->max_attempts)
			snprintf(out->text, sizeof(out->text),
			         "installer ran (fetched %s), never called back "
			         "(attempt %u of %u)", w.answer[0] ? w.answer
			                                           : "its file",
			         ctx->attempts ? ctx->attempts : 1,
			         ctx->max_attempts);
		else
			snprintf(out->text, sizeof(out->text),
			         "installer ran (fetched %s), never called back",
			         w.answer[0] ? w.answer : "its file");
		break;
	}
	return 0;
}
