/*
 * pki.c - the appliance's private CA and server certificate (see pki.h).
 *
 * RSA 2048 and SHA-256 throughout: every iPXE since 2016 verifies them,
 * and the keys are generated in well under a second. Certificates start
 * one day in the past because many PC real-time clocks run on local time
 * and iPXE reads them as UTC.
 */
#include "appliance/build/pki.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/crypto.h>

#include "common/util.h"
#include "common/valid.h"

#define PKI_KEY_BITS 2048
#define PKI_CA_DAYS 3650
#define PKI_SERVER_DAYS 825
#define PKI_RENEW_DAYS 30
#define PKI_BACKDATE (24 * 3600)
#define PKI_FILE_MAX (1024 * 1024)

static void
pki_crt_freep(gnutls_x509_crt_t *c)
{
	if (*c)
		gnutls_x509_crt_deinit(*c);
}

static void
pki_key_freep(gnutls_x509_privkey_t *k)
{
	if (*k)
		gnutls_x509_privkey_deinit(*k);
}

#define _cleanup_crt_ __attribute__((cleanup(pki_crt_freep)))
#define _cleanup_key_ __attribute__((cleanup(pki_key_freep)))

/* A GnuTLS error as a negative errno, for the 0/-errno convention. */
static int
pki_errno(int gnutls_rc)
{
	switch (gnutls_rc) {
	case GNUTLS_E_MEMORY_ERROR:
		return -ENOMEM;
	case GNUTLS_E_FILE_ERROR:
		return -EIO;
	default:
		return -EBADMSG;
	}
}

int
pki_paths(const struct by_config *cfg, struct pki_paths *ret)
{
	const char *dir = ret->dir;
	int r;

	r = str_printf(ret->dir, sizeof(ret->dir), "%s/tls", cfg->state_dir);
	if (!r)
		r = str_printf(ret->ca_cert, sizeof(ret->ca_cert), "%s/ca.crt",
			       dir);
	if (!r)
		r = str_printf(ret->ca_key, sizeof(ret->ca_key), "%s/ca.key",
			       dir);
	if (!r)
		r = cfg->tls_cert[0]
			    ? str_copy(ret->server_cert,
				       sizeof(ret->server_cert), cfg->tls_cert)
			    : str_printf(ret->server_cert,
					 sizeof(ret->server_cert),
					 "%s/server.crt", dir);
	if (!r)
		r = cfg->tls_key[0]
			    ? str_copy(ret->server_key, sizeof(ret->server_key),
				       cfg->tls_key)
			    : str_printf(ret->server_key,
					 sizeof(ret->server_key),
					 "%s/server.key", dir);
	return r;
}

/*
 * pki_load_pem - read path and import it as a PEM certificate into
 * *ret_crt, or (ret_crt NULL) as a PEM private key into *ret_key; the
 * caller deinits. Returns 0, -ENOENT, or -EBADMSG when it does not parse.
 */
static int
pki_load_pem(const char *path, gnutls_x509_crt_t *ret_crt,
	     gnutls_x509_privkey_t *ret_key)
{
	_cleanup_free_ char *buf = NULL;
	gnutls_x509_privkey_t key;
	gnutls_x509_crt_t crt;
	gnutls_datum_t d;
	size_t len;
	int r;

	r = read_file(path, PKI_FILE_MAX, &buf, &len);
	if (r < 0)
		return r;
	d.data = (unsigned char *)buf;
	d.size = (unsigned)len;
	if (ret_crt) {
		r = gnutls_x509_crt_init(&crt);
		if (r < 0)
			return pki_errno(r);
		if (gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM) < 0) {
			gnutls_x509_crt_deinit(crt);
			return -EBADMSG;
		}
		*ret_crt = crt;
		return 0;
	}
	r = gnutls_x509_privkey_init(&key);
	if (r < 0)
		return pki_errno(r);
	if (gnutls_x509_privkey_import(key, &d, GNUTLS_X509_FMT_PEM) < 0) {
		gnutls_x509_privkey_deinit(key);
		return -EBADMSG;
	}
	*ret_key = key;
	return 0;
}

/* pki_load_crt - the first PEM certificate of path (pki_load_pem). */
static int
pki_load_crt(const char *path, gnutls_x509_crt_t *ret)
{
	return pki_load_pem(path, ret, NULL);
}

/* pki_load_key - the PEM private key of path (pki_load_pem). */
static int
pki_load_key(const char *path, gnutls_x509_privkey_t *ret)
{
	return pki_load_pem(path, NULL, ret);
}

/* pki_new_key - a fresh RSA key into *ret (caller deinits). 0 or -errno. */
static int
pki_new_key(gnutls_x509_privkey_t *ret)
{
	gnutls_x509_privkey_t key;
	int r;

	r = gnutls_x509_privkey_init(&key);
	if (r < 0)
		return pki_errno(r);
	r = gnutls_x509_privkey_generate(key, GNUTLS_PK_RSA, PKI_KEY_BITS, 0);
	if (r < 0) {
		gnutls_x509_privkey_deinit(key);
		return pki_errno(r);
	}
	*ret = key;
	return 0;
}

/*
 * pki_new_crt - a version 3 certificate for key with a random serial,
 * valid from a day ago for days days, subject dn, with its subject key
 * identifier. Returns 0 and *ret (caller deinits), or -errno.
 */
static int
pki_new_crt(gnutls_x509_privkey_t key, unsigned days, const char *dn,
	    gnutls_x509_crt_t *ret)
{
	unsigned char serial[16], id[64];
	size_t idlen = sizeof(id);
	gnutls_x509_crt_t crt;
	time_t now = time(NULL);
	int r;

	r = gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof(serial));
	if (r < 0)
		return pki_errno(r);
	serial[0] &= 0x7f; /* positive */
	serial[0] |= 0x01; /* and no leading zero byte */
	r = gnutls_x509_crt_init(&crt);
	if (r < 0)
		return pki_errno(r);
	if ((r = gnutls_x509_crt_set_version(crt, 3)) < 0 ||
	    (r = gnutls_x509_crt_set_serial(crt, serial, sizeof(serial))) < 0 ||
	    (r = gnutls_x509_crt_set_activation_time(crt, now - PKI_BACKDATE)) <
		    0 ||
	    (r = gnutls_x509_crt_set_expiration_time(
		     crt, now + (time_t)days * 24 * 3600)) < 0 ||
	    (r = gnutls_x509_crt_set_dn(crt, dn, NULL)) < 0 ||
	    (r = gnutls_x509_crt_set_key(crt, key)) < 0 ||
	    (r = gnutls_x509_crt_get_key_id(crt, 0, id, &idlen)) < 0 ||
	    (r = gnutls_x509_crt_set_subject_key_id(crt, id, idlen)) < 0) {
		gnutls_x509_crt_deinit(crt);
		return pki_errno(r);
	}
	*ret = crt;
	return 0;
}

/*
 * pki_new_pair - a fresh key into *key (pki_new_key), then a certificate
 * for it into *crt (pki_new_crt: days, dn). Returns 0 or -errno; the
 * caller deinits whichever of the two was made.
 */
static int
pki_new_pair(unsigned days, const char *dn, gnutls_x509_privkey_t *key,
	     gnutls_x509_crt_t *crt)
{
	int r = pki_new_key(key);

	return r < 0 ? r : pki_new_crt(*key, days, dn, crt);
}

/*
 * pki_write_pem - export crt (or key, when crt is NULL) as PEM to path
 * atomically with mode. Returns 0 or -errno.
 */
static int
pki_write_pem(const char *path, gnutls_x509_crt_t crt,
	      gnutls_x509_privkey_t key, unsigned mode)
{
	gnutls_datum_t d = { 0 };
	int r;

	if (crt)
		r = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &d);
	else
		r = gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, &d);
	if (r < 0)
		return pki_errno(r);
	r = write_file_atomic(path, d.data, d.size, mode);
	gnutls_free(d.data);
	return r;
}

/*
 * pki_tag - 8 random hex digits that make each CA's name unique, so that
 * two appliances' CAs are told apart in a certificate listing.
 */
static void
pki_tag(char tag[9])
{
	unsigned char b[4] = { 0 };

	gnutls_rnd(GNUTLS_RND_NONCE, b, sizeof(b));
	snprintf(tag, 9, "%02x%02x%02x%02x", b[0], b[1], b[2], b[3]);
}

/*
 * pki_make_ca - create ca.key and ca.crt (key first: a ca.crt on disk
 * always has its key beside it). Returns 0 and the loaded pair, or -errno.
 */
static int
pki_make_ca(const struct pki_paths *p, const char *name,
	    gnutls_x509_crt_t *ret_crt, gnutls_x509_privkey_t *ret_key)
{
	_cleanup_key_ gnutls_x509_privkey_t key = NULL;
	_cleanup_crt_ gnutls_x509_crt_t crt = NULL;
	char dn[512], tag[9];
	int r;

	pki_tag(tag);
	r = str_printf(dn, sizeof(dn), "O=bootyard,CN=bootyard CA %s %s",
		       name[0] ? name : "appliance", tag);
	if (r < 0)
		return r;
	r = pki_new_pair(PKI_CA_DAYS, dn, &key, &crt);
	if (r < 0)
		return r;
	if ((r = gnutls_x509_crt_set_basic_constraints(crt, 1, 0)) < 0 ||
	    (r = gnutls_x509_crt_set_key_usage(
		     crt, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN |
				  GNUTLS_KEY_DIGITAL_SIGNATURE)) < 0 ||
	    (r = gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0)) <
		    0)
		return pki_errno(r);
	r = pki_write_pem(p->ca_key, NULL, key, 0600);
	if (r < 0)
		return r;
	r = pki_write_pem(p->ca_cert, crt, NULL, 0644);
	if (r < 0)
		return r;
	*ret_crt = crt;
	*ret_key = key;
	crt = NULL;
	key = NULL;
	return 0;
}

/*
 * pki_server_fits - true when the server certificate and key on disk are
 * a matching pair issued by ca, valid for at least PKI_RENEW_DAYS more,
 * and name ip (iplen bytes, 0 for none) and name (may be "").
 */
static bool
pki_server_fits(const struct pki_paths *p, gnutls_x509_crt_t ca,
		const unsigned char *ip, unsigned iplen, const char *name)
{
	_cleanup_key_ gnutls_x509_privkey_t key = NULL;
	_cleanup_crt_ gnutls_x509_crt_t crt = NULL;
	unsigned char kid1[64], kid2[64];
	size_t l1 = sizeof(kid1), l2 = sizeof(kid2);
	unsigned status = 0;
	time_t now = time(NULL);

	if (pki_load_crt(p->server_cert, &crt) < 0 ||
	    pki_load_key(p->server_key, &key) < 0)
		return false;
	if (gnutls_x509_crt_get_key_id(crt, 0, kid1, &l1) < 0 ||
	    gnutls_x509_privkey_get_key_id(key, 0, kid2, &l2) < 0 ||
	    l1 != l2 || memcmp(kid1, kid2, l1))
		return false;
	if (gnutls_x509_crt_verify(crt, &ca, 1, 0, &status) < 0 || status)
		return false;
	if (gnutls_x509_crt_get_expiration_time(crt) <
	    now + PKI_RENEW_DAYS * 24 * 3600)
		return false;
	if (gnutls_x509_crt_get_activation_time(crt) > now)
		return false;
	if (iplen && !gnutls_x509_crt_check_ip(crt, ip, iplen, 0))
		return false;
	if (name[0] && !gnutls_x509_crt_check_hostname(crt, name))
		return false;
	return true;
}

/*
 * pki_issue_server - a new server key and certificate under ca/cakey for
 * ip (iplen bytes, 0 for none) and name (may be ""); key written first.
 * Returns 0 or -errno.
 */
static int
pki_issue_server(const struct pki_paths *p, gnutls_x509_crt_t ca,
		 gnutls_x509_privkey_t cakey, const unsigned char *ip,
		 unsigned iplen, const char *address, const char *name)
{
	_cleanup_key_ gnutls_x509_privkey_t key = NULL;
	_cleanup_crt_ gnutls_x509_crt_t crt = NULL;
	unsigned char id[64];
	size_t idlen = sizeof(id);
	char dn[512];
	int r;

	r = str_printf(dn, sizeof(dn), "O=bootyard,CN=%s",
		       name[0] ? name : address ? address : "bootyard");
	if (r < 0)
		return r;
	r = pki_new_pair(PKI_SERVER_DAYS, dn, &key, &crt);
	if (r < 0)
		return r;
	if ((r = gnutls_x509_crt_set_basic_constraints(crt, 0, -1)) < 0 ||
	    (r = gnutls_x509_crt_set_key_usage(
		     crt, GNUTLS_KEY_DIGITAL_SIGNATURE |
				  GNUTLS_KEY_KEY_ENCIPHERMENT)) < 0 ||
	    (r = gnutls_x509_crt_set_key_purpose_oid(
		     crt, GNUTLS_KP_TLS_WWW_SERVER, 0)) < 0 ||
	    (r = gnutls_x509_crt_get_subject_key_id(ca, id, &idlen, NULL)) <
		    0 ||
	    (r = gnutls_x509_crt_set_authority_key_id(crt, id, idlen)) < 0)
		return pki_errno(r);
	if (iplen) {
		r = gnutls_x509_crt_set_subject_alt_name(
			crt, GNUTLS_SAN_IPADDRESS, ip, iplen,
			GNUTLS_FSAN_APPEND);
		if (r < 0)
			return pki_errno(r);
	}
	if (name[0]) {
		r = gnutls_x509_crt_set_subject_alt_name(
			crt, GNUTLS_SAN_DNSNAME, name, (unsigned)strlen(name),
			GNUTLS_FSAN_APPEND);
		if (r < 0)
			return pki_errno(r);
	}
	r = gnutls_x509_crt_sign2(crt, ca, cakey, GNUTLS_DIG_SHA256, 0);
	if (r < 0)
		return pki_errno(r);
	r = pki_write_pem(p->server_key, NULL, key, 0600);
	if (r < 0)
		return r;
	return pki_write_pem(p->server_cert, crt, NULL, 0644);
}

/*
 * pki_use_configured - the configured tls_cert/tls_key pair (cfg has
 * one): both named and readable. Returns 0, or -errno with a message.
 */
static int
pki_use_configured(const struct by_config *cfg, const struct pki_paths *p,
		   char *err, size_t errsz)
{
	int r;

	if (!cfg->tls_cert[0] || !cfg->tls_key[0]) {
		snprintf(err, errsz, "[http] tls_cert and tls_key go "
				     "together");
		return -EINVAL;
	}
	if (access(p->server_cert, R_OK) < 0 ||
	    access(p->server_key, R_OK) < 0) {
		r = -errno;
		snprintf(err, errsz, "cannot read %s or %s: %s",
			 p->server_cert, p->server_key, strerror(-r));
		return r;
	}
	return 0;
}

/*
 * pki_identity - what the server certificate names: address (an IPv4 or
 * IPv6 address, or NULL) as 4 or 16 bytes into ip and *ret_iplen (0
 * without one), and name (NULL: this machine's) into host, "" when not a
 * valid host name. Returns 0, or -EINVAL with a message.
 */
static int
pki_identity(const char *address, const char *name, unsigned char ip[16],
	     unsigned *ret_iplen, char host[HOSTNAME_MAX + 1], char *err,
	     size_t errsz)
{
	*ret_iplen = 0;
	if (address && inet_pton(AF_INET, address, ip) == 1) {
		*ret_iplen = 4;
	} else if (address && inet_pton(AF_INET6, address, ip) == 1) {
		*ret_iplen = 16;
	} else if (address) {
		snprintf(err, errsz, "'%s' is not an IP address", address);
		return -EINVAL;
	}
	host[0] = '\0';
	if (name)
		str_copy(host, HOSTNAME_MAX + 1, name);
	else if (gethostname(host, HOSTNAME_MAX + 1) < 0)
		host[0] = '\0';
	host[HOSTNAME_MAX] = '\0';
	if (!valid_hostname(host))
		host[0] = '\0';
	return 0;
}

/*
 * pki_lock - create <state_dir>/tls and take its lock (<dir>/.lock,
 * flock), so that two processes never create two CAs. Returns 0 and
 * *ret_fd (close it to unlock), or -errno with a message.
 */
static int
pki_lock(const struct by_config *cfg, const struct pki_paths *p,
	 int *ret_fd, char *err, size_t errsz)
{
	char lockpath[CFG_PATH_MAX + 8];
	int r, fd;

	if ((r = mkdir_exist_ok(cfg->state_dir, 0755)) < 0 ||
	    (r = mkdir_exist_ok(p->dir, 0755)) < 0) {
		snprintf(err, errsz, "cannot create %s: %s", p->dir,
			 strerror(-r));
		return r;
	}
	str_printf(lockpath, sizeof(lockpath), "%s/.lock", p->dir);
	fd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		r = -errno;
		snprintf(err, errsz, "cannot lock %s: %s", lockpath,
			 strerror(-r));
		if (fd >= 0)
			close(fd);
		return r;
	}
	*ret_fd = fd;
	return 0;
}

/*
 * pki_ca_ready - load the CA certificate into *ca, or create the CA (and
 * its key, into *cakey) when there is none, setting PKI_CA_CREATED in
 * *flags. A CA that does not parse is never replaced: images trust it.
 * Returns 0, or -errno with a message.
 */
static int
pki_ca_ready(const struct pki_paths *p, const char *host,
	     gnutls_x509_crt_t *ca, gnutls_x509_privkey_t *cakey,
	     unsigned *flags, char *err, size_t errsz)
{
	int r = pki_load_crt(p->ca_cert, ca);

	if (r == -ENOENT) {
		r = pki_make_ca(p, host, ca, cakey);
		if (r < 0) {
			snprintf(err, errsz, "cannot create the CA in %s: %s",
				 p->dir, strerror(-r));
			return r;
		}
		*flags |= PKI_CA_CREATED;
	} else if (r < 0) {
		snprintf(err, errsz, "%s: %s (not replaced: images trust it)",
			 p->ca_cert, r == -EBADMSG ? "not a PEM certificate"
						   : strerror(-r));
		return r;
	}
	return 0;
}

/*
 * pki_server_ready - issue the server certificate again under ca unless
 * the present one fits (pki_server_fits) and the CA is not new; sets
 * PKI_SERVER_ISSUED in *flags when it issued. cakey is loaded when
 * needed. Returns 0, or -errno with a message.
 */
static int
pki_server_ready(const struct pki_paths *p, gnutls_x509_crt_t ca,
		 gnutls_x509_privkey_t *cakey, const unsigned char *ip,
		 unsigned iplen, const char *address, const char *host,
		 unsigned *flags, char *err, size_t errsz)
{
	int r;

	if (!(*flags & PKI_CA_CREATED) &&
	    pki_server_fits(p, ca, ip, iplen, host))
		return 0;
	if (!*cakey) {
		r = pki_load_key(p->ca_key, cakey);
		if (r < 0) {
			snprintf(err, errsz,
				 "%s: %s: cannot issue a server certificate",
				 p->ca_key,
				 r == -EBADMSG ? "not a PEM key"
					       : strerror(-r));
			return r;
		}
	}
	r = pki_issue_server(p, ca, *cakey, ip, iplen, address, host);
	if (r < 0) {
		snprintf(err, errsz, "cannot issue %s: %s", p->server_cert,
			 strerror(-r));
		return r;
	}
	*flags |= PKI_SERVER_ISSUED;
	return 0;
}

int
pki_ensure(const struct by_config *cfg, const char *address,
	   const char *name, unsigned *ret_flags, char *err, size_t errsz)
{
	_cleanup_key_ gnutls_x509_privkey_t cakey = NULL;
	_cleanup_crt_ gnutls_x509_crt_t ca = NULL;
	_cleanup_close_ int lock = -1;
	struct pki_paths p;
	unsigned char ip[16];
	unsigned iplen, flags = 0;
	char host[HOSTNAME_MAX + 1];
	int r;

	err[0] = '\0';
	r = pki_paths(cfg, &p);
	if (r < 0) {
		snprintf(err, errsz, "state directory name too long");
		return r;
	}
	if (cfg->tls_cert[0] || cfg->tls_key[0]) {
		r = pki_use_configured(cfg, &p, err, errsz);
		if (r == 0 && ret_flags)
			*ret_flags |= PKI_CONFIGURED;
		return r;
	}
	if ((r = pki_identity(address, name, ip, &iplen, host, err, errsz)) <
		    0 ||
	    (r = pki_lock(cfg, &p, &lock, err, errsz)) < 0 ||
	    (r = pki_ca_ready(&p, host, &ca, &cakey, &flags, err, errsz)) <
		    0 ||
	    (r = pki_server_ready(&p, ca, &cakey, ip, iplen, address, host,
				  &flags, err, errsz)) < 0)
		return r;
	if (ret_flags)
		*ret_flags |= flags;
	return 0;
}

const char *
pki_cfg_address(const struct by_config *cfg, char *buf, size_t bufsz)
{
	const char *colon;
	size_t n;

	if (cfg->server_address[0] && strcmp(cfg->server_address, "auto"))
		return str_copy(buf, bufsz, cfg->server_address) ? NULL : buf;
	colon = strrchr(cfg->tls_listen, ':');
	if (!colon || !strcmp(cfg->tls_listen, "off"))
		return NULL;
	n = (size_t)(colon - cfg->tls_listen);
	if (n == 0 || n >= bufsz)
		return NULL;
	memcpy(buf, cfg->tls_listen, n);
	buf[n] = '\0';
	if (!valid_ipv4(buf) || !strcmp(buf, "0.0.0.0"))
		return NULL;
	return buf;
}
