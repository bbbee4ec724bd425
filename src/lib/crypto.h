/* crypto.h — the crypto layer's private header (tests/layers.py): the signer shared by
 * sealing (seal.c, xades.c) and custody records (custody.c, ledger.c), key loading
 * (keys.c, pkcs11.c), CAdES signing with revocation data (sign.c) and the revocation data
 * itself (revocation.c).  Nothing here knows a sealer, a verifier or a CLI option. */
#ifndef SCELLE_CRYPTO_H
#define SCELLE_CRYPTO_H

#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include "internal.h"

/* What a signature carries beside the B-B attributes. */
struct sign_extra {
	int rsa_pkcs1;			/* RSA: PKCS#1 v1.5 rather than PSS */
	STACK_OF(X509_CRL) *crls;	/* into SignedData.crls */
	struct buf *ocsp;		/* DER OCSPResponses, as RFC 5940 other revocation info */
	size_t nocsp, capocsp;
};

/* What `seal` does for revocation data (FORMAT.md §5): by default it fetches what the chain
 * names and warns when it cannot; "auto" fails instead; files given replace the fetch. */
enum { REVOCATION_NONE, REVOCATION_AUTO, REVOCATION_DEFAULT, REVOCATION_FILES };

/* A line of warning for whoever holds the signer (the sealer's warnings); fmt is an
 * English msgid, translated by the receiver. */
typedef void (*signer_warn_fn)(void *arg, const char *line);

/* Who signs: the key, its certificate, the intermediates to embed, how to ask for a pass
 * phrase or PIN, the PKCS#11 module, and the signature's extras (padding, revocation data).
 * signer_init/signer_clear pair; the setters may be called in any order (the chain is kept
 * apart from the key and certificate, a new key never drops it). */
struct signer {
	EVP_PKEY *key;
	X509 *cert;
	STACK_OF(X509) *chain;		/* never NULL after signer_init */
	char *pkcs11_module;		/* NULL: p11-kit's proxy */
	scelle_pass_cb pass_cb;
	void *pass_arg;
	struct sign_extra extra;	/* padding choice; CRLs and OCSP responses (B-LT) */
	int revocation;			/* REVOCATION_*: whether to fetch revocation data */
	signer_warn_fn warn;		/* NULL: warnings dropped */
	void *warn_arg;
};
int  signer_init(struct signer *sg);	/* 0, or -1 when out of memory */
void signer_clear(struct signer *sg);
void signer_warn(const struct signer *sg, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Loads the key (path or pkcs11: URI) and its certificate (NULL: from the key's file or
 * token), checks that they can sign, warns of a certificate about to expire. */
int  signer_set_key(struct signer *sg, const char *key, const char *cert, struct scerr *e);
int  signer_add_chain(struct signer *sg, const char *chain_file, struct scerr *e);
int  signer_set_pkcs11_module(struct signer *sg, const char *path, struct scerr *e);
int  signer_set_rsa_padding(struct signer *sg, const char *padding, struct scerr *e);
void sign_extra_free(struct sign_extra *x);	/* its revocation data */

/* keys.c: every key and certificate found at `uri`.  The first key goes to *key (if key
 * is not NULL and *key is NULL); the first certificate to *cert likewise; the others to
 * extra. */
int load_objects(const struct signer *sg, const char *uri, EVP_PKEY **key, X509 **cert,
    STACK_OF(X509) *extra, struct scerr *e);
int check_signer(EVP_PKEY *key, X509 *cert, const char *name, struct scerr *e);
/* A warning when cert expires within 30 days, into warn (else warn[0] = '\0'). */
void signer_expiry_warning(X509 *cert, const char *name, char *warn, size_t len);
/* pkcs11.c: the key (and, if cert is not NULL and *cert is NULL, the certificate with the
 * same id) of a pkcs11: URI, through libp11's engine; the PIN through sg->pass_cb. */
int pkcs11_load(const struct signer *sg, const char *uri, EVP_PKEY **key, X509 **cert,
    struct scerr *e);

/* sign.c: cades_sign with padding choice and revocation data (extra may be NULL: PSS, no
 * data). */
int cades_sign_extra(EVP_PKEY *key, X509 *cert, STACK_OF(X509) *chain,
    const struct sign_extra *extra, const unsigned char *data, size_t n, unsigned char **der,
    size_t *der_len, struct scerr *e);

/* revocation.c, sealing: revocation data given as a file (a CRL or an OCSP response), or
 * "auto"/"none" (sg->revocation).  revocation_prepare fetches the chain's data
 * (REVOCATION_DEFAULT, _AUTO; `timeout` seconds a server), warns through sg->warn of what
 * is left without, and refuses a certificate that the data says is revoked. */
int  revocation_add_data(struct signer *sg, const char *src, struct scerr *e);
int  revocation_prepare(struct signer *sg, int timeout, struct scerr *e);

/* revocation.c, verifying: what CRLs and OCSP responses say of x (issued by issuer) at
 * time `at`.  A revocation counts whenever it was stated; a "good" or "not listed" only
 * from data that covers `at` (slack: seconds of clock difference allowed).  OCSP
 * responders are judged at vtime against trust (NULL: the issuer itself only). */
struct revocation_status {
	int known, revoked;
	time_t rev_time;
	const char *source;	/* "CRL" or "OCSP" */
};
void revocation_crl_status(X509 *x, X509 *issuer, STACK_OF(X509_CRL) *crls, time_t at,
    long slack, struct revocation_status *st);
void revocation_ocsp_status(X509 *x, X509 *issuer, OCSP_RESPONSE **resp, size_t n,
    STACK_OF(X509) *certs, X509_STORE *trust, time_t at, time_t vtime, long slack,
    struct revocation_status *st);
/* The CRL distribution point and OCSP responder URLs x names ("" when none). */
void revocation_urls(X509 *x, char *crl, char *ocsp, size_t len);
X509_CRL *revocation_fetch_crl(const char *url, int timeout, struct scerr *e);
OCSP_RESPONSE *revocation_fetch_ocsp(const char *url, X509 *x, X509 *issuer, int timeout,
    struct scerr *e);
/* The common name of x (else its subject) for messages, into out. */
void cert_cn(X509 *x, char *out, size_t len);

#endif
