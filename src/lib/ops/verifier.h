/* verifier.h — the verifier's configuration (scelle_verifier_*), which outlives each run:
 * trust anchors, intermediates, CRLs, flags, the ledger to check.  verify.c makes it,
 * trust.c and hints.c fill and read it; the per-run state is verify_ctx.h's. */
#ifndef SCELLE_VERIFIER_H
#define SCELLE_VERIFIER_H
#include <openssl/x509.h>
#include "internal.h"

struct scelle_verifier {
	struct scerr err;
	X509_STORE *trust, *tsa_trust;
	int flags;
	long max_skew;
	scelle_progress_cb progress_cb;
	void *progress_arg;
	char *ledger;		/* custody ledger to check, NULL: the one beside the archive */
	char *ledger_head;	/* the head it must have (hex, lower case), NULL: any */
	STACK_OF(X509) *untrusted;	/* --untrusted: intermediates for building chains */
	STACK_OF(X509_CRL) *crls;	/* --crl: revocation lists given by the user */
	struct anchor *anchors;	/* the certificates of trust and tsa_trust, with their files */
	size_t nanchors, capanchors;
};

/* A trust anchor given as a file (scelle_verifier_add_trust / _add_tsa_trust): the hints
 * name the file that was given for the wrong role (hints.c). */
struct anchor {
	X509 *x;
	char *file;
	int tsa;	/* given for time-stamp authorities */
};

/* trust.c: opens a file of certificates or CRLs (a regular file only: open_input). */
BIO *verifier_open_file(struct scelle_verifier *v, const char *file);
/* trust.c: appends the --untrusted intermediates to *certs (made if NULL), for chains. */
void verifier_add_untrusted(const struct scelle_verifier *v, STACK_OF(X509) **certs);
/* hints.c: what would resolve a chain that does not reach an anchor (scelle.h "Hints").
 * chain_hint: x (a signer's certificate, or a TSA's when tsa) with the certificates at hand
 * did not chain to the anchors of its kind; returns the hint code, with the file or root
 * name it concerns in about and the reason in plain words in why.  token_hint: the same for
 * the TSA certificate of an RFC 3161 token (NULL when it has none). */
int verifier_note_anchor(struct scelle_verifier *v, X509 *x, const char *file, int tsa);
void verifier_free_anchors(struct scelle_verifier *v);
const char *chain_hint(const struct scelle_verifier *v, X509 *x, STACK_OF(X509) *untrusted, int tsa,
    char *about, size_t an, char *why, size_t wn);
const char *token_hint(const struct scelle_verifier *v, const unsigned char *token, size_t len,
    char *about, size_t an, char *why, size_t wn);
#endif
