/*
 * boot_apply.c - the one place that writes the install state machine's
 * changes to the database (see boot.h): tokens issued and one-boot
 * tokens recorded, attempts spent, given up, done. Every path that
 * answers a client goes through here; none writes that state itself.
 */
#include "appliance/core/boot.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "common/valid.h"

#define BOOT_FETCH_WINDOW 256 /* newest events read to count fetches */

struct fetch_count {
	int64_t since_ms;
	unsigned n;
};

/* db_event_list callback: count fetch events since since_ms. */
static int
count_fetch(const struct db_event *e, void *ctx)
{
	struct fetch_count *c = ctx;

	if (e->ts_ms >= c->since_ms && !strcmp(e->kind, BOOT_FETCH_EVENT))
		c->n++;
	return 0;
}

/*
 * count_fetches - ret counts the fetches of host h's install file since
 * its install token was issued (its "updated" time: issuing sets it; so
 * does any edit, which starts the count again).
 */
static void
count_fetches(struct db *db, const struct db_host *h,
              struct boot_applied *ret)
{
	struct fetch_count c = {.since_ms = h->updated * 1000, .n = 0};
	size_t i;

	for (i = 0; i < h->n_macs; i++)
		db_event_list(db, h->macs[i], BOOT_FETCH_WINDOW, count_fetch,
		              &c);
	ret->fetches = c.n;
	ret->counted = true;
}

/* db_host_modify callback: an install whose budget is spent -> menu. */
static int
give_up(struct db_host *h, void *ctx)
{
	(void)ctx;
	if (h->action != DB_ACTION_INSTALL)
		return -ESTALE;
	h->action = DB_ACTION_MENU;
	return 0;
}

/* Note r as ret's first failure; r back. */
static int
failed(struct boot_applied *ret, int r)
{
	if (r < 0 && !ret->rc)
		ret->rc = r;
	return r;
}

/*
 * ISSUE or ONCE: a fresh token, written. -EBUSY (the distribution is
 * kept: the caller frees it), or 0 with the outcome in ret.
 */
static int
apply_token(struct db *db, const struct boot_answer *ans, struct db_host *host,
            struct boot_applied *ret)
{
	int r;

	r = failed(ret, token_generate(ret->token));
	if (r < 0)
		return 0;
	if (ans->change == BOOT_CHANGE_ONCE)
		r = db_install_once(db, ans->host_id, ans->mac, ans->distro,
		                    ret->token);
	else
		r = db_install_issue_for(db, ans->host_id,
		                         ans->cas ? ans->distro : NULL,
		                         ret->token, ans->max_attempts);
	failed(ret, r);
	if (r == -EBUSY)
		return r;
	if (r == -EDQUOT) {
		ret->install = INSTALL_EXHAUSTED;
	} else if (r == -ESTALE) {
		/* the host changed under the request: answer from what it
		 * is now, without another change */
		if (host && db_host_get(db, ans->host_id, host) == 0)
			ret->install = INSTALL_NOT_TRIED;
	} else if (r == 0) {
		/* a rendered file's fetches count from the token just
		 * issued: its host is read again */
		if (ans->count_fetches && host &&
		    failed(ret, db_host_get(db, ans->host_id, host)) < 0)
			return 0;
		ret->install = INSTALL_ISSUED;
		ret->once = ans->change == BOOT_CHANGE_ONCE;
	}
	return 0;
}

/* The install an answer hands out: read its distribution, make or take
 * its token, count its fetches. */
static int
apply_install(struct db *db, const struct boot_answer *ans,
              struct db_host *host, struct boot_applied *ret)
{
	int r;

	ret->install = INSTALL_FAILED;
	if (!ans->distro || (ans->change == BOOT_CHANGE_NONE && !ans->token)) {
		failed(ret, -EINVAL); /* not an answer of boot_decide */
		return 0;
	}
	r = failed(ret, db_distro_get(db, ans->distro, &ret->distro));
	if (r == -ENOENT)
		ret->install = INSTALL_NO_DISTRO;
	if (r < 0)
		return r == -EBUSY ? r : 0;
	ret->have_distro = true;
	if (ans->kernel_arch &&
	    !db_distro_kernel(&ret->distro, ans->kernel_arch)) {
		/* never another architecture's kernel, and no token (no
		 * attempt) spent on an install that cannot boot */
		char detail[160];

		ret->install = INSTALL_NO_KERNEL;
		snprintf(detail, sizeof(detail),
		         "%s has no %s kernel: no install; add one with "
		         "bootyard distro set %s --arch %s",
		         ans->distro, ans->kernel_arch, ans->distro,
		         ans->kernel_arch);
		if (ans->mac)
			db_event_add(db, ans->mac, "install-no-kernel", detail);
		return 0;
	}
	if (ans->change == BOOT_CHANGE_NONE) {
		str_copy(ret->token, sizeof(ret->token), ans->token);
		ret->install = INSTALL_ISSUED;
		ret->once = ans->once;
	} else {
		r = apply_token(db, ans, host, ret);
		if (r < 0) {
			boot_applied_free(ret);
			return r;
		}
	}
	if (ret->install == INSTALL_ISSUED && ans->count_fetches && host)
		count_fetches(db, host, ret);
	return 0;
}

/* SPEND: one fetch recorded, then counted. */
static int
apply_spend(struct db *db, const struct boot_answer *ans,
            struct boot_applied *ret)
{
	char detail[160];
	int r;

	snprintf(detail, sizeof(detail), "%s (install of %s)", ans->file,
	         ans->distro);
	r = failed(ret, db_event_add(db, ans->mac, BOOT_FETCH_EVENT, detail));
	if (r < 0)
		return r;
	count_fetches(db, ans->host, ret);
	return 0;
}

/* GIVE_UP: the host goes to the menu (unless it changed meanwhile). */
static int
apply_give_up(struct db *db, const struct boot_answer *ans,
              struct boot_applied *ret)
{
	char detail[160];

	if (failed(ret, db_host_modify(db, ans->host_id, give_up, NULL)) < 0)
		return 0;
	snprintf(detail, sizeof(detail),
	         "%u fetches of %s without done: host set to menu",
	         ans->max_attempts, ans->file);
	db_event_add(db, ans->mac, "install-exhausted", detail);
	return 0;
}

int
boot_apply(struct db *db, const struct boot_answer *ans, struct db_host *host,
           struct boot_applied *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->change = ans->change;
	switch (ans->change) {
	case BOOT_CHANGE_SPEND:
		return apply_spend(db, ans, ret);
	case BOOT_CHANGE_GIVE_UP:
		return apply_give_up(db, ans, ret);
	case BOOT_CHANGE_DONE:
		failed(ret, db_install_done(db, ans->token, host));
		return ret->rc == -EBUSY ? -EBUSY : 0;
	default:
		return apply_install(db, ans, host, ret);
	}
}

void
boot_applied_free(struct boot_applied *a)
{
	if (!a || !a->have_distro)
		return;
	db_distro_free(&a->distro);
	a->have_distro = false;
}
