/*
 * render_fixture.h - the decision inputs the renderer tests share
 * (test_render_ipxe.c, test_render_grub.c): a site policy with two
 * distributions, host 7 (node7.lab, one MAC, one attribute) and its
 * distribution debian12; render_golden_with, a decision rendered and
 * compared with its golden file. Include after <cmocka.h>.
 */
#ifndef BOOTYARD_TESTS_RENDER_FIXTURE_H
#define BOOTYARD_TESTS_RENDER_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "appliance/core/decide.h"
#include "tests/unit/golden.h"
#include "tests/unit/policy_fixture.h"
#include "tests/unit/records.h"

static const char *const fixture_distros[] = {"debian12", "alma9"};

/* The site policy: menu for unknown hosts, 10 s menu, 3 attempts. */
static inline struct decide_policy
policy(void)
{
	struct decide_policy p = POLICY_FIXTURE(10, LOCAL_BOOT_EXIT1);

	p.distros = fixture_distros;
	p.n_distros = 2;
	return p;
}

/* Host 7 with action a. */
static inline struct db_host
host(enum db_action a)
{
	struct db_host h;

	memset(&h, 0, sizeof(h));
	h.id = 7;
	strcpy(h.hostname, "node7.lab");
	strcpy(h.ip, "198.18.0.7");
	h.action = a;
	strcpy(h.distro, "debian12");
	h.n_macs = 1;
	strcpy(h.macs[0], "52:54:00:12:34:56");
	host_attr_add(&h, "rack", "r1");
	return h;
}

/* debian12, its initrd line initrd (one or more files or URLs). */
static inline struct db_distro
distro_with(const char *initrd)
{
	struct db_distro d;

	memset(&d, 0, sizeof(d));
	strcpy(d.name, "debian12");
	distro_kernel_add(&d, "amd64", "debian12/linux", initrd);
	strcpy(d.cmdline, "auto=true priority=critical url={{install_url}} "
	                  "hostname={{hostname}} rack={{attr.rack}}");
	strcpy(d.template_name, "preseed.cfg");
	return d;
}

/* A renderer under test: decision d as text in *ret (caller frees). */
typedef int (*fixture_render_fn)(const struct decision *d, char **ret,
                                 size_t *ret_len);

/*
 * render_golden_with - decide(in), which must answer want; render the
 * decision with render and compare the text with the golden file
 * tests/golden/DIR/NAME.EXT (golden.h).
 */
static inline void
render_golden_with(fixture_render_fn render, const char *dir, const char *ext,
                   const char *name, const struct decide_input *in,
                   enum decision_kind want)
{
	struct decision d;
	char *s = NULL;
	size_t len;

	assert_int_equal(decide(in, &d), 0);
	assert_int_equal(d.kind, want);
	assert_int_equal(render(&d, &s, &len), 0);
	assert_int_equal(strlen(s), len);
	golden_check(s, "tests/golden/%s/%s.%s", dir, name, ext);
	free(s);
}

#endif
