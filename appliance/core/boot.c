/*
 * boot.c - the boot core's decision (see boot.h): pure, no database and
 * no I/O. The state changes it asks for are made by boot_apply.c; what
 * a machine boots is computed by decide.c, which it feeds.
 */
#include "appliance/core/boot.h"

#include <errno.h>
#include <string.h>

#include "common/util.h"

/* The final answer: decide() on di. */
static int
answer(struct decide_input *di, struct boot_answer *ret)
{
	return decide(di, &ret->decision);
}

/* Feed what boot_apply did into di. */
static void
feed_applied(const struct boot_applied *a, struct decide_input *di)
{
	di->install = a->install;
	if (a->install == INSTALL_NO_KERNEL && a->have_distro)
		di->distro = &a->distro;
	if (a->install != INSTALL_ISSUED)
		return;
	di->once = a->once;
	di->distro = &a->distro;
	di->token = a->token;
}

/*
 * ASK: plan the change the request may make (decide_plan), have it
 * applied, then answer with what happened.
 */
static int
boot_ask(const struct boot_input *in, struct decide_input *di,
         struct boot_answer *ret)
{
	const struct decide_policy *pol = in->policy;
	struct decide_plan plan;

	if (in->applied) {
		feed_applied(in->applied, di);
		return answer(di, ret);
	}
	decide_plan(in->req, in->host, pol, in->addr, &plan);
	if (plan.need_address) {
		ret->need_address = true;
		return 0;
	}
	if (!in->host && in->unrecorded && plan.change != DECIDE_CHANGE_NONE) {
		/* its address added its quota of unknown MACs this minute:
		 * nothing is stored for it, not even a one-boot token */
		plan.refused = "unknown-rate";
		plan.change = DECIDE_CHANGE_NONE;
	}
	if (plan.refused) {
		di->install = INSTALL_REFUSED;
		di->refused = plan.refused;
		return answer(di, ret);
	}
	if (plan.change == DECIDE_CHANGE_NONE)
		return answer(di, ret);
	ret->need_apply = true;
	ret->mac = in->req->mac;
	ret->kernel_arch = decide_kernel_arch(in->req);
	ret->distro = plan.distro;
	ret->host_id = in->host ? in->host->id : 0;
	if (plan.change == DECIDE_CHANGE_ONCE) {
		ret->change = BOOT_CHANGE_ONCE;
		ret->once = true;
	} else {
		/* only while the host is still flagged for what was read */
		ret->change = BOOT_CHANGE_ISSUE;
		ret->cas = true;
		ret->max_attempts = pol->install_attempts;
	}
	return 0;
}

/*
 * RENDER: a flagged host's file carries its token (issued when it has
 * none) until its fetches are spent; a file holding a one-boot install
 * carries that while the machine still gets the menu.
 */
static int
boot_render(const struct boot_input *in, struct boot_request *req,
            struct decide_input *di, struct boot_answer *ret)
{
	const struct decide_policy *pol = in->policy;
	const struct db_host *h = in->host;
	const char *want = NULL;

	if (in->applied) {
		feed_applied(in->applied, di);
		/* spent: the next fetch gets the menu; the token handed out
		 * with the last one stays valid for its installer */
		if (in->applied->counted && di->install == INSTALL_ISSUED &&
		    in->applied->fetches >= pol->install_attempts) {
			di->install = INSTALL_EXHAUSTED;
			di->once = false;
			di->distro = NULL;
			di->token = NULL;
		}
		return answer(di, ret);
	}
	ret->kernel_arch = decide_kernel_arch(in->req);
	ret->mac = in->req->mac;
	if (h && h->action == DB_ACTION_INSTALL) {
		ret->need_apply = true;
		ret->host_id = h->id;
		ret->host = h;
		ret->distro = h->distro;
		ret->count_fetches = true;
		ret->max_attempts = pol->install_attempts;
		if (h->token[0])
			ret->token = h->token;
		else
			ret->change = BOOT_CHANGE_ISSUE;
		return 0;
	}
	if (in->held_distro && in->held_token && !pol->menu_install_off) {
		req->choice = BOOT_CHOICE_INSTALL;
		str_copy(req->distro, sizeof(req->distro), in->held_distro);
		if (decide_install_wanted(req, h, pol, &want) && want &&
		    !strcmp(want, in->held_distro)) {
			ret->need_apply = true;
			ret->host_id = h ? h->id : 0;
			ret->distro = in->held_distro;
			ret->token = in->held_token;
			ret->once = true;
			return 0;
		}
		req->choice = BOOT_CHOICE_NONE;
		req->distro[0] = '\0';
	}
	return answer(di, ret);
}

/*
 * FETCHED: a flagged host's fetch spends an attempt; once more fetches
 * than the budget were made without done, the host goes to the menu.
 */
static int
boot_fetched(const struct boot_input *in, struct boot_answer *ret)
{
	const struct db_host *h = in->host;
	const struct boot_applied *a = in->applied;

	if (!h || h->action != DB_ACTION_INSTALL)
		return 0;
	if (a && (a->change != BOOT_CHANGE_SPEND || !a->counted ||
	          a->fetches <= in->policy->install_attempts))
		return 0;
	ret->need_apply = true;
	ret->change = a ? BOOT_CHANGE_GIVE_UP : BOOT_CHANGE_SPEND;
	ret->host_id = h->id;
	ret->host = h;
	ret->mac = in->req ? in->req->mac : h->macs[0];
	ret->distro = h->distro;
	ret->file = in->file;
	ret->count_fetches = !a;
	ret->max_attempts = in->policy->install_attempts;
	return 0;
}

int
boot_decide(const struct boot_input *in, struct boot_answer *ret)
{
	struct decide_input di;
	struct boot_request req;

	if (!in || !ret)
		return -EINVAL;
	memset(ret, 0, sizeof(*ret));
	if (in->event == BOOT_DONE) {
		if (!in->token)
			return -EINVAL;
		if (!in->applied) {
			ret->need_apply = true;
			ret->change = BOOT_CHANGE_DONE;
			ret->token = in->token;
		}
		return 0;
	}
	if (!in->policy)
		return -EINVAL;
	if (in->event == BOOT_FETCHED)
		return boot_fetched(in, ret);
	if (!in->req)
		return -EINVAL;
	/* the request as the decision sees it (RENDER may make a held
	 * one-boot install its choice); the decision keeps no pointer
	 * into it */
	req = *in->req;
	memset(&di, 0, sizeof(di));
	di.req = &req;
	di.host = in->host;
	di.policy = in->policy;
	if (in->event == BOOT_ASK)
		return boot_ask(in, &di, ret);
	if (in->event == BOOT_RENDER)
		return boot_render(in, &req, &di, ret);
	return -EINVAL;
}

void
boot_policy(const struct by_config *cfg, const char *base_url,
            const struct db_distro_names *names, struct decide_policy *ret)
{
	struct cfg_policy cp;

	cfg_policy(cfg, &cp);
	memset(ret, 0, sizeof(*ret));
	ret->base_url = base_url;
	ret->unknown = cfg->unknown;
	ret->menu_timeout = cfg->menu_timeout;
	ret->install_attempts = cp.install_attempts;
	ret->local_bios = cfg->local_bios;
	ret->local_efi = cfg->local_efi;
	ret->leases_known = cp.leases_known;
	ret->menu_install_off = cp.menu_install_off;
	if (names) {
		ret->distros = names->ptrs;
		ret->distro_arches = names->arch_ptrs;
		ret->n_distros = names->n;
	}
}
