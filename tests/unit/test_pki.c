/*
 * test_pki.c - the appliance CA and server certificate (appliance/build/pki.h)
 * on real files, checked with GnuTLS: creation, modes, idempotence,
 * rotation under the same CA, configured certificates, hostile input.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "appliance/core/config.h"
#include "appliance/build/pki.h"
#include "common/util.h"
#include "tmpdir.h"

struct fixture {
	char dir[64];
	struct by_config cfg;
	struct pki_paths p;
	char err[512];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	tmpdir_make(f->dir, sizeof(f->dir));
	cfg_defaults(&f->cfg);
	/* A state directory that does not exist yet: pki_ensure makes it. */
	snprintf(f->cfg.state_dir, sizeof(f->cfg.state_dir), "%s/state",
		 f->dir);
	f->cfg.tls_cert[0] = '\0';
	f->cfg.tls_key[0] = '\0';
	assert_int_equal(pki_paths(&f->cfg, &f->p), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	tmpdir_remove(f->dir);
	free(f);
	return 0;
}

/* pki_ensure for addr (site "lab"), which must succeed: its flags. */
static unsigned
ensure(struct fixture *f, const char *addr)
{
	unsigned flags = 0;

	assert_int_equal(pki_ensure(&f->cfg, addr, "lab", &flags, f->err,
	                            sizeof(f->err)),
	                 0);
	return flags;
}

static char *
slurp(const char *path)
{
	char *buf = NULL;
	size_t len;

	if (read_file(path, 1 << 20, &buf, &len) < 0)
		return NULL;
	return buf;
}

static gnutls_x509_crt_t
load_crt(const char *path)
{
	gnutls_x509_crt_t crt;
	gnutls_datum_t d;
	char *buf = slurp(path);

	assert_non_null(buf);
	assert_int_equal(gnutls_x509_crt_init(&crt), 0);
	d.data = (unsigned char *)buf;
	d.size = (unsigned)strlen(buf);
	assert_int_equal(gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM),
			 0);
	free(buf);
	return crt;
}

static unsigned
mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

/* server.crt verifies against ca.crt, is not a CA, and names ip/name. */
static void
assert_server_for(struct fixture *f, const char *ip4, const char *name)
{
	gnutls_x509_crt_t ca = load_crt(f->p.ca_cert);
	gnutls_x509_crt_t srv = load_crt(f->p.server_cert);
	unsigned char ip[4];
	unsigned status = 99, critical = 0;

	assert_int_equal(gnutls_x509_crt_verify(srv, &ca, 1, 0, &status), 0);
	assert_int_equal(status, 0);
	assert_int_equal(gnutls_x509_crt_get_ca_status(ca, &critical), 1);
	assert_int_equal(gnutls_x509_crt_get_ca_status(srv, &critical), 0);
	if (ip4) {
		assert_int_equal(inet_pton(AF_INET, ip4, ip), 1);
		assert_true(gnutls_x509_crt_check_ip(srv, ip, 4, 0));
	}
	if (name)
		assert_true(gnutls_x509_crt_check_hostname(srv, name));
	gnutls_x509_crt_deinit(ca);
	gnutls_x509_crt_deinit(srv);
}

static void
test_first_start(void **state)
{
	struct fixture *f = *state;
	unsigned flags = 0;

	assert_int_equal(pki_ensure(&f->cfg, "198.18.0.1", "lab-appliance",
				    &flags, f->err, sizeof(f->err)),
			 0);
	assert_int_equal(flags, PKI_CA_CREATED | PKI_SERVER_ISSUED);
	assert_int_equal(mode_of(f->p.ca_key), 0600);
	assert_int_equal(mode_of(f->p.server_key), 0600);
	assert_int_equal(mode_of(f->p.ca_cert), 0644);
	assert_int_equal(mode_of(f->p.server_cert), 0644);
	assert_server_for(f, "198.18.0.1", "lab-appliance");
	/* The name of another machine is not in it. */
	{
		gnutls_x509_crt_t srv = load_crt(f->p.server_cert);
		unsigned char other[4] = { 198, 18, 0, 2 };
		assert_false(gnutls_x509_crt_check_ip(srv, other, 4, 0));
		assert_false(gnutls_x509_crt_check_hostname(srv, "evil"));
		gnutls_x509_crt_deinit(srv);
	}
}

static void
test_idempotent(void **state)
{
	struct fixture *f = *state;
	unsigned flags = 0;
	char *ca1, *srv1, *key1, *ca2, *srv2, *key2;

	flags = ensure(f, "198.18.0.1");
	ca1 = slurp(f->p.ca_cert);
	srv1 = slurp(f->p.server_cert);
	key1 = slurp(f->p.server_key);
	flags = ensure(f, "198.18.0.1");
	assert_int_equal(flags, 0);
	ca2 = slurp(f->p.ca_cert);
	srv2 = slurp(f->p.server_cert);
	key2 = slurp(f->p.server_key);
	assert_string_equal(ca1, ca2);
	assert_string_equal(srv1, srv2);
	assert_string_equal(key1, key2);
	free(ca1), free(srv1), free(key1), free(ca2), free(srv2), free(key2);
}

/* A new address: a new server certificate under the same CA. */
static void
test_rotation_same_ca(void **state)
{
	struct fixture *f = *state;
	unsigned flags = 0;
	char *ca1, *srv1, *ca2, *srv2;

	flags = ensure(f, "198.18.0.1");
	ca1 = slurp(f->p.ca_cert);
	srv1 = slurp(f->p.server_cert);
	flags = ensure(f, "198.18.0.7");
	assert_int_equal(flags, PKI_SERVER_ISSUED);
	ca2 = slurp(f->p.ca_cert);
	srv2 = slurp(f->p.server_cert);
	assert_string_equal(ca1, ca2);
	assert_string_not_equal(srv1, srv2);
	assert_server_for(f, "198.18.0.7", "lab");

	/* A lost server key: issued again, CA kept. */
	assert_int_equal(unlink(f->p.server_key), 0);
	flags = ensure(f, "198.18.0.7");
	assert_int_equal(flags, PKI_SERVER_ISSUED);
	assert_server_for(f, "198.18.0.7", "lab");
	free(ca2);
	ca2 = slurp(f->p.ca_cert);
	assert_string_equal(ca1, ca2);

	/* A server certificate from a foreign CA is replaced. */
	{
		struct fixture g = *f;
		snprintf(g.cfg.state_dir, sizeof(g.cfg.state_dir), "%s/other",
			 f->dir);
		assert_int_equal(pki_paths(&g.cfg, &g.p), 0);
		assert_int_equal(pki_ensure(&g.cfg, "198.18.0.7", "lab", NULL,
					    g.err, sizeof(g.err)),
				 0);
		char *foreign = slurp(g.p.server_cert);
		char *foreign_key = slurp(g.p.server_key);
		assert_int_equal(write_file_atomic(f->p.server_cert, foreign,
						   strlen(foreign), 0644),
				 0);
		assert_int_equal(write_file_atomic(f->p.server_key,
						   foreign_key,
						   strlen(foreign_key), 0600),
				 0);
		flags = ensure(f, "198.18.0.7");
		assert_int_equal(flags, PKI_SERVER_ISSUED);
		assert_server_for(f, "198.18.0.7", "lab");
		free(foreign), free(foreign_key);
	}
	free(ca1), free(srv1), free(ca2), free(srv2);
}

/* A certificate about to expire is renewed under the same CA. */
static void
test_renew_expiring(void **state)
{
	struct fixture *f = *state;
	gnutls_x509_crt_t ca, srv;
	gnutls_x509_privkey_t cakey;
	gnutls_datum_t d = { 0 };
	unsigned flags = 0;
	char *buf;

	assert_int_equal(pki_ensure(&f->cfg, "198.18.0.1", "lab", NULL,
				    f->err, sizeof(f->err)),
			 0);
	/* Re-sign the existing server certificate to expire in 3 days. */
	ca = load_crt(f->p.ca_cert);
	srv = load_crt(f->p.server_cert);
	buf = slurp(f->p.ca_key);
	assert_int_equal(gnutls_x509_privkey_init(&cakey), 0);
	d.data = (unsigned char *)buf;
	d.size = (unsigned)strlen(buf);
	assert_int_equal(
		gnutls_x509_privkey_import(cakey, &d, GNUTLS_X509_FMT_PEM), 0);
	free(buf);
	assert_int_equal(gnutls_x509_crt_set_expiration_time(
				 srv, time(NULL) + 3 * 24 * 3600),
			 0);
	assert_int_equal(
		gnutls_x509_crt_sign2(srv, ca, cakey, GNUTLS_DIG_SHA256, 0), 0);
	assert_int_equal(gnutls_x509_crt_export2(srv, GNUTLS_X509_FMT_PEM, &d),
			 0);
	assert_int_equal(
		write_file_atomic(f->p.server_cert, d.data, d.size, 0644), 0);
	gnutls_free(d.data);
	gnutls_x509_crt_deinit(srv);
	gnutls_x509_privkey_deinit(cakey);

	flags = ensure(f, "198.18.0.1");
	assert_int_equal(flags, PKI_SERVER_ISSUED);
	srv = load_crt(f->p.server_cert);
	assert_true(gnutls_x509_crt_get_expiration_time(srv) >
		    time(NULL) + 300 * 24 * 3600);
	gnutls_x509_crt_deinit(srv);
	gnutls_x509_crt_deinit(ca);
	assert_server_for(f, "198.18.0.1", "lab");
}

/* A broken CA is an error and is never overwritten. */
static void
test_broken_ca_kept(void **state)
{
	struct fixture *f = *state;
	static const char junk[] = "-----BEGIN CERTIFICATE-----\nnope\n";
	char *after;

	assert_int_equal(pki_ensure(&f->cfg, "198.18.0.1", "lab", NULL,
				    f->err, sizeof(f->err)),
			 0);
	assert_int_equal(
		write_file_atomic(f->p.ca_cert, junk, strlen(junk), 0644), 0);
	assert_int_equal(pki_ensure(&f->cfg, "198.18.0.1", "lab", NULL,
				    f->err, sizeof(f->err)),
			 -EBADMSG);
	assert_non_null(strstr(f->err, "ca.crt"));
	after = slurp(f->p.ca_cert);
	assert_string_equal(after, junk);
	free(after);
}

/* Without ca.key a fitting server certificate is fine; a new one is not. */
static void
test_missing_ca_key(void **state)
{
	struct fixture *f = *state;
	unsigned flags = 0;

	assert_int_equal(pki_ensure(&f->cfg, "198.18.0.1", "lab", NULL,
				    f->err, sizeof(f->err)),
			 0);
	assert_int_equal(unlink(f->p.ca_key), 0);
	flags = ensure(f, "198.18.0.1");
	assert_int_equal(flags, 0);
	assert_int_equal(pki_ensure(&f->cfg, "198.18.0.9", "lab", &flags,
				    f->err, sizeof(f->err)),
			 -ENOENT);
	assert_non_null(strstr(f->err, "ca.key"));
}

static void
test_configured_cert(void **state)
{
	struct fixture *f = *state;
	char path[128];
	unsigned flags = 0;

	snprintf(path, sizeof(path), "%s/site.pem", f->dir);
	assert_int_equal(write_file_atomic(path, "x", 1, 0600), 0);
	strcpy(f->cfg.tls_cert, path);
	strcpy(f->cfg.tls_key, path);
	flags = ensure(f, "198.18.0.1");
	assert_int_equal(flags, PKI_CONFIGURED);
	/* Nothing was created. */
	assert_int_equal(access(f->cfg.state_dir, F_OK), -1);
	assert_int_equal(pki_paths(&f->cfg, &f->p), 0);
	assert_string_equal(f->p.server_cert, path);
	assert_string_equal(f->p.server_key, path);

	strcpy(f->cfg.tls_key, "/nonexistent/site.key");
	assert_int_equal(pki_ensure(&f->cfg, NULL, NULL, NULL, f->err,
				    sizeof(f->err)),
			 -ENOENT);
	assert_non_null(strstr(f->err, "site.key"));
	f->cfg.tls_key[0] = '\0';
	assert_int_equal(pki_ensure(&f->cfg, NULL, NULL, NULL, f->err,
				    sizeof(f->err)),
			 -EINVAL);
}

static void
test_hostile_input(void **state)
{
	struct fixture *f = *state;
	static const char *const bad[] = {
		"",
		"198.18.0.1; rm -rf /",
		"999.1.1.1",
		"198.18.0",
		"abc",
		"198.18.0.1\n",
		"::1::2",
		"198.18.0.1/24",
	};
	gnutls_x509_crt_t srv;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(pki_ensure(&f->cfg, bad[i], "lab", NULL,
					    f->err, sizeof(f->err)),
				 -EINVAL);
		assert_non_null(strstr(f->err, "not an IP address"));
	}
	/* Nothing was created by the refused calls. */
	assert_int_equal(access(f->cfg.state_dir, F_OK), -1);

	/* A name that is not a host name is left out, not injected. */
	assert_int_equal(pki_ensure(&f->cfg, "198.18.0.1", "bad name,CN=evil",
				    NULL, f->err, sizeof(f->err)),
			 0);
	srv = load_crt(f->p.server_cert);
	assert_false(gnutls_x509_crt_check_hostname(srv, "evil"));
	{
		char dn[512];
		size_t dnlen = sizeof(dn);
		assert_int_equal(gnutls_x509_crt_get_dn(srv, dn, &dnlen), 0);
		assert_null(strstr(dn, "evil"));
	}
	gnutls_x509_crt_deinit(srv);
	assert_server_for(f, "198.18.0.1", NULL);
}

static void
test_ipv6(void **state)
{
	struct fixture *f = *state;
	gnutls_x509_crt_t srv;
	unsigned char ip[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0,
				 0,    0, 0, 0, 0, 0, 0, 1 };

	assert_int_equal(pki_ensure(&f->cfg, "fd00::1", "lab", NULL, f->err,
				    sizeof(f->err)),
			 0);
	srv = load_crt(f->p.server_cert);
	assert_true(gnutls_x509_crt_check_ip(srv, ip, 16, 0));
	gnutls_x509_crt_deinit(srv);
}

static void
test_cfg_address(void **state)
{
	/* Applied in turn to the defaults (NULL: left as it is), and the
	 * address each gives (NULL: none). */
	static const struct {
		const char *tls_listen, *server_address, *want;
	} steps[] = {
	    {NULL, NULL, NULL},
	    {"0.0.0.0:443", NULL, NULL},
	    {"198.18.0.4:443", NULL, "198.18.0.4"},
	    {"evil;x:443", NULL, NULL},
	    {":443", NULL, NULL},
	    {NULL, "198.18.0.1", "198.18.0.1"},
	};
	struct by_config cfg;
	const char *got;
	char buf[64];
	size_t i;

	cfg_defaults(&cfg);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (steps[i].tls_listen)
			strcpy(cfg.tls_listen, steps[i].tls_listen);
		if (steps[i].server_address)
			strcpy(cfg.server_address, steps[i].server_address);
		got = pki_cfg_address(&cfg, buf, sizeof(buf));
		if (steps[i].want)
			assert_string_equal(got, steps[i].want);
		else
			assert_null(got);
	}
	assert_null(pki_cfg_address(&cfg, buf, 4));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_first_start, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_idempotent, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rotation_same_ca, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_renew_expiring, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_broken_ca_kept, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_missing_ca_key, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_configured_cert, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_hostile_input, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ipv6, setup, teardown),
		cmocka_unit_test(test_cfg_address),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
