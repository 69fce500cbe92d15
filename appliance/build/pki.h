/*
 * pki.h - the appliance's own small PKI: a private CA and a server
 * certificate for the HTTPS boot listener.
 *
 * At first start the appliance creates, in <state_dir>/tls/:
 *   ca.crt, ca.key          the private CA (10 years); its certificate is
 *                           built into bootyard's iPXE images as the only
 *                           trusted root (CERT= and TRUST=)
 *   server.crt, server.key  the listener's certificate, issued by that CA,
 *                           for the appliance's address (IP SAN) and name
 * Key files are 0600. A server certificate that no longer fits (address
 * changed, expiring within 30 days, broken, not from this CA) is issued
 * again under the same CA, so images built before keep working: rotation
 * needs no image rebuild. A configured [http] tls_cert/tls_key pair is
 * used as it is and nothing is created.
 */
#ifndef BOOTYARD_PKI_H
#define BOOTYARD_PKI_H

#include <stddef.h>

#include "appliance/core/config.h"

/* What pki_ensure() did (bits of *ret_flags). */
#define PKI_CA_CREATED 0x1     /* a new CA: images must be rebuilt */
#define PKI_SERVER_ISSUED 0x2  /* a new server certificate */
#define PKI_CONFIGURED 0x4     /* tls_cert/tls_key configured: untouched */

struct pki_paths {
	char dir[CFG_PATH_MAX];         /* <state_dir>/tls */
	char ca_cert[CFG_PATH_MAX];     /* <dir>/ca.crt */
	char ca_key[CFG_PATH_MAX];      /* <dir>/ca.key */
	char server_cert[CFG_PATH_MAX]; /* tls_cert, or <dir>/server.crt */
	char server_key[CFG_PATH_MAX];  /* tls_key, or <dir>/server.key */
};

/*
 * pki_paths - fill ret with the file names the appliance uses for cfg
 * (configured tls_cert/tls_key win over the generated pair).
 * Returns 0 or -ENAMETOOLONG.
 */
int pki_paths(const struct by_config *cfg, struct pki_paths *ret);

/*
 * pki_ensure - make sure the CA and a fitting server certificate exist
 * (see the file comment). address is the appliance's IPv4 or IPv6 address
 * as put into boot URLs (an IP SAN; NULL for none); name is its DNS name
 * (NULL = gethostname(); a name that is not a valid host name is left
 * out). Idempotent and safe against a concurrent caller (flock).
 * Returns 0 and ORs PKI_* bits into *ret_flags (may be NULL), or -errno
 * with a one-line reason in err (errsz bytes): -EINVAL for a bad address,
 * -EBADMSG for an unreadable existing CA (never overwritten), -ENOENT
 * for a configured certificate or key that cannot be read.
 */
int pki_ensure(const struct by_config *cfg, const char *address,
	       const char *name, unsigned *ret_flags, char *err, size_t errsz);

/*
 * pki_cfg_address - the address a server certificate for cfg names:
 * [appliance] server_address, or when that is auto the address of
 * [http] tls_listen unless it is 0.0.0.0; NULL when neither says (the
 * caller then passes the address it resolved). The result lives in buf
 * (bufsz bytes) and is valid for pki_ensure().
 */
const char *pki_cfg_address(const struct by_config *cfg, char *buf,
			    size_t bufsz);

#endif
