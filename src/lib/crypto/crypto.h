/* crypto.h — the crypto layer's private header (tests/layers.py): the RFC 3161 client
 * (timestamp.c) and responder (tsa_responder.c), signer policy (signer_policy.c), CMS
 * (sign.c, cms_revinfo.c), the signer shared by sealing (seal.c, xades.c) and custody
 * records (custody.c, ledger.c), key loading (keys.c, pkcs11.c) and revocation data
 * (revocation.c).  Nothing here knows a sealer, a verifier or a CLI option. */
#ifndef SCELLE_CRYPTO_H
#define SCELLE_CRYPTO_H

#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include "internal.h"

/* ----------------------------------------------------------- timestamp.c ---- */
/* RFC 3161 client: asks `url` for a token over the SHA-256 of data[0..n).  On success
 * *token (DER ContentInfo, malloc'ed) holds the checked token. */
/* How to reach a TSA beyond plain HTTP (timestamp.c): for https, the CA certificates that
 * the server's chain must lead to (NULL: the system's store) and a client certificate and
 * key (PEM); HTTP basic authentication "user:password" (https only, cleansed when freed). */
struct tsa_access {
	char *ca, *auth, *cert, *key;
};
int tsa_access_set(struct tsa_access *a, const char *ca, const char *auth, const char *cert,
    const char *key, struct scerr *e);
void tsa_access_clear(struct tsa_access *a);
struct tsa_options {
	const char *policy;	/* OID or NULL */
	int timeout;		/* seconds, 0: 30 */
	const struct tsa_access *access; /* NULL: none */
};
int tsa_request(const char *url, const unsigned char *data, size_t n,
    const struct tsa_options *opt, unsigned char **token, size_t *token_len, struct scerr *e);

/* What tsa_token_check() found out about one token, in the terms of ETSI EN 319 102-1. */
struct tsa_token_info {
	time_t gen_time;		/* TSTInfo genTime, 0 if unreadable */
	char tsa_name[256];		/* TSTInfo tsa, else the TSA certificate's subject */
	char signer[256];		/* subject of the TSA certificate (RFC 2253) */
	char policy[128];		/* dotted OID of the TSA policy */
	char serial[66];		/* serial number, hex */
	enum scelle_verdict status;	/* PASSED, FAILED or INDETERMINATE */
	const char *subindication;	/* NULL when passed, else e.g. "HASH_FAILURE",
					 * "SIG_CRYPTO_FAILURE", "FORMAT_FAILURE",
					 * "NO_SIGNING_CERTIFICATE_FOUND", "CHAIN_CONSTRAINTS_FAILURE",
					 * "NO_CERTIFICATE_CHAIN_FOUND", "OUT_OF_BOUNDS_NO_POE",
					 * "CRYPTO_CONSTRAINTS_FAILURE",
					 * "CRYPTO_CONSTRAINTS_FAILURE_NO_POE" (static strings) */
	int no_trust_anchor;		/* INDETERMINATE only because tsa_trust was NULL */
	char reason[512];		/* plain words, empty when passed */
};
/* Judges an RFC 3161 token (DER ContentInfo) over data[0..n): its CMS signature, that the
 * imprint is the hash of the data, the ESS signing-certificate(-v2) attribute, the critical
 * timeStamping EKU of the TSA certificate and, if tsa_trust is not NULL, the TSA chain at
 * the token's genTime.  FAILED outranks INDETERMINATE.  Always fills *info and returns 0:
 * a bad token is a verdict, not an error; e is kept for future operational errors. */
int tsa_token_check(const unsigned char *token, size_t len, const unsigned char *data, size_t n,
    X509_STORE *tsa_trust, struct tsa_token_info *info, struct scerr *e);

/* --------------------------------------------------------- signer_policy.c ---- */
/* What a certificate may sign and which algorithms a verdict may rest on (FORMAT.md §5.1).
 * Each returns 0 when allowed, else -1 with the reason in why[0..n) ("is a CA certificate
 * ...", to follow the certificate's name). */
int cert_can_seal(X509 *x, char *why, size_t n);	/* signer of an archive or a record */
int cert_can_timestamp(X509 *x, char *why, size_t n);	/* TSA certificate, RFC 3161 §2.3 */
/* NULL for a digest that TS 119 312 still accepts, else its name (MD5, SHA-1, ...). */
const char *weak_digest(int nid);
int weak_key(EVP_PKEY *k, char *why, size_t n);		/* RSA/DSA < 2048, EC < 256 bits */
/* A signer info's digest and signature algorithms and the signer's key. */
int weak_algorithms(const X509_ALGOR *dig, const X509_ALGOR *sig, EVP_PKEY *key, char *why, size_t n);
/* 1 when every word of claim (case, accents and order folded) is in the subject. */
int claim_in_subject(const X509_NAME *subject, const char *claim);
char *x509_name_text(const X509_NAME *n);	/* one line, UTF-8, malloc'ed; NULL: no memory */
char *cert_subject(X509 *x);			/* x509_name_text of the subject */

/* ----------------------------------------------------------------- sign.c ---- */
/* CAdES-B-B detached signature over data[0..n) (EN 319 122-1 §6.3), DER in *der
 * (OPENSSL_malloc'ed). */
int cades_sign(EVP_PKEY *key, X509 *cert, STACK_OF(X509) *chain, const unsigned char *data,
    size_t n, unsigned char **der, size_t *der_len, struct scerr *e);
/* One line of warnings: msg and a newline, the text kept NUL-terminated. */
void warn_line(struct buf *w, const char *msg);
/* Asks each TSA in turn for a token over data[0..n) and hands each token to add (which
 * copies it; non-zero stops, its error in e).  A TSA that fails is a line of warnings when
 * another answers or when `optional`; it is the error when none answers (a usage error,
 * a malformed URL, at once) unless `optional`.  *added counts the tokens added.  Shared by
 * cades_add_timestamps and XAdES (xades.c). */
typedef int (*tsa_token_cb)(void *arg, const unsigned char *token, size_t len, struct scerr *e);
int tsa_request_each(char *const *urls, size_t nurls, const unsigned char *data, size_t n,
    const struct tsa_options *opt, int optional, struct buf *warnings, tsa_token_cb add,
    void *arg, int *added, struct scerr *e);
/* B-T: asks each TSA for a token over the signature value of the (single) SignerInfo of
 * the DER signature and adds it as a signature-time-stamp unsigned attribute; *der is
 * replaced.  With `optional`, a TSA that fails is skipped and its error appended to
 * warnings (one line each); else the first failure is returned.  *added counts tokens. */
int cades_add_timestamps(unsigned char **der, size_t *der_len, char *const *urls, size_t nurls,
    const struct tsa_options *opt, int optional, struct buf *warnings, int *added, struct scerr *e);

/* ------------------------------------------------------- tsa_responder.c ---- */
/* The RFC 3161 responder core of `scelle tsa`.  Thread-safe: requests are answered one at
 * a time under a lock (signing takes well under a millisecond). */
#define TSA_DEMO_POLICY SCELLE_TSA_DEMO_POLICY /* demo policy: no legal value (scelle.h) */
struct tsa_responder_config {
	const char *cert;		/* PEM: the TSA certificate first, more may follow */
	const char *key;		/* PEM private key */
	const char *chain;		/* PEM intermediates put into tokens, or NULL */
	const char *policy;		/* default policy OID, NULL: TSA_DEMO_POLICY */
	const char *serial_file;	/* last serial issued; NULL: random 127-bit serials */
	scelle_pass_cb pass_cb;		/* for an encrypted key, or NULL */
	void *pass_arg;
};
struct tsa_responder;
struct tsa_responder *tsa_responder_new(const struct tsa_responder_config *cfg, struct scerr *e);
void tsa_responder_free(struct tsa_responder *r);
/* Answers one DER TimeStampReq with a DER TimeStampResp (*resp malloc'ed).  A malformed
 * request gets a rejection with badDataFormat.  Returns 0 for a granted token, 1 for a
 * rejection, -1 when no reply could be made (out of memory). */
int tsa_respond(struct tsa_responder *r, const unsigned char *req, size_t req_len,
    unsigned char **resp, size_t *resp_len);

/* --------------------------------------------------------- cms_revinfo.c ---- */
/* OCSP responses (DER) in SignedData.crls as RFC 5940 other revocation info, which
 * OpenSSL 3.0's CMS API cannot write or read: adds them to a DER ContentInfo (into out),
 * and reads back every one found (a malloc'ed array of *count; NULL when none). */
int cms_der_add_ocsp(const unsigned char *der, size_t len, const struct buf *ocsp, size_t n,
    struct buf *out);
OCSP_RESPONSE **cms_der_get_ocsp(const unsigned char *der, size_t len, size_t *count);

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

/* A line of warning for whoever holds the signer (the sealer's warnings), already
 * translated, with what the user can do about it (an error hint of scelle.h, or NULL). */
typedef void (*signer_warn_fn)(void *arg, const char *hint, const char *line);

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
/* A warning line through sg->warn, with an error hint (scelle.h) or none. */
void signer_warn_hint(const struct signer *sg, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define signer_warn(sg, ...) signer_warn_hint(sg, NULL, __VA_ARGS__)
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
