/* hints.c — what would resolve a verdict that is not TOTAL-PASSED (struct scelle_check's
 * hint, scelle.h "Hints"), and the trust anchors a verifier was given, file by file, that
 * the diagnosis needs.
 *
 * The library names what is missing in its own terms, as a stable code ("need-tsa-trust"),
 * and never an option of the scelle tool: a library that said "--tsa-trust" would be wrong
 * for every other caller, and a code is what a batch script can branch on.  The tool renders
 * each code in the reader's language with its own flag names (src/cli/render_text.c). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/pkcs7.h>
#include <openssl/x509v3.h>
#include "crypto.h"
#include "verifier.h"

int verifier_note_anchor(struct scelle_verifier *v, X509 *x, const char *file, int tsa)
{
	struct anchor *a = grow(v->anchors, &v->capanchors, v->nanchors + 1, sizeof(*a));
	if (!a)
		return -1;
	v->anchors = a;
	a += v->nanchors;
	if (!(a->file = xstrdup(file)) || !X509_up_ref(x)) {
		free(a->file);
		return -1;
	}
	a->x = x;
	a->tsa = tsa;
	v->nanchors++;
	return 0;
}

void verifier_free_anchors(struct scelle_verifier *v)
{
	for (size_t i = 0; i < v->nanchors; i++) {
		X509_free(v->anchors[i].x);
		free(v->anchors[i].file);
	}
	free(v->anchors);
}

/* Whether x chains to the anchors of one kind given as files (tsa: --tsa-trust's, else
 * --trust's), whatever the time and purpose: the question is only whose root they are.
 * *file: the file of the anchor it chained to. */
static int chains_to(const struct scelle_verifier *v, X509 *x, STACK_OF(X509) *untrusted, int tsa,
    const char **file)
{
	X509_STORE *st = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int n = 0, ok = 0;
	for (size_t i = 0; st && i < v->nanchors; i++)
		if (v->anchors[i].tsa == tsa)
			n += X509_STORE_add_cert(st, v->anchors[i].x) == 1;
	if (n && ctx && X509_STORE_CTX_init(ctx, st, x, untrusted) == 1) {
		X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_NO_CHECK_TIME);
		X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_ANY);
		if (X509_verify_cert(ctx) == 1) {
			STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);
			X509 *top = sk_X509_value(chain, sk_X509_num(chain) - 1);
			for (size_t i = 0; i < v->nanchors && !ok; i++)
				if (v->anchors[i].tsa == tsa && X509_cmp(v->anchors[i].x, top) == 0)
					ok = 1, *file = v->anchors[i].file;
		}
	}
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(st);
	ERR_clear_error();
	return ok;
}

/* The name of the root x's chain goes up to with the certificates at hand: the issuer of
 * the topmost one found, what the sender must send. */
static char *wanted_root(X509 *x, STACK_OF(X509) *untrusted)
{
	for (int depth = 0; depth < 16; depth++) {
		X509 *up = NULL;
		for (int i = 0; i < sk_X509_num(untrusted) && !up; i++) {
			X509 *c = sk_X509_value(untrusted, i);
			if (X509_cmp(c, x) != 0 && X509_check_issued(c, x) == X509_V_OK)
				up = c;
		}
		if (!up)
			break;
		x = up;
	}
	ERR_clear_error();
	return X509_check_issued(x, x) == X509_V_OK ? cert_subject(x)
	    : x509_name_text(X509_get_issuer_name(x));
}

const char *chain_hint(const struct scelle_verifier *v, X509 *x, STACK_OF(X509) *untrusted, int tsa,
    char *about, size_t an, char *why, size_t wn)
{
	const char *file = NULL;
	about[0] = why[0] = '\0';
	/* the two kinds of anchors swapped: the most common slip, said first */
	if (chains_to(v, x, untrusted, !tsa, &file)) {
		snprintf(about, an, "%s", file);
		snprintf(why, wn, "'%s', given as trust anchor for %s, is %s root", file,
		    tsa ? "signers" : "time-stamp authorities", tsa ? "the time-stamp authority's" : "the signer's");
		return tsa ? "tsa-root-as-trust" : "signer-root-as-tsa-trust";
	}
	if (!(tsa ? v->tsa_trust : v->trust)) {
		snprintf(why, wn, "no trust anchor was given for %s", tsa ? "time-stamp authorities" : "signers");
		return tsa ? "need-tsa-trust" : "need-trust";
	}
	/* OpenSSL takes only a self-issued CA certificate as anchor (without partial chains)
	 * and then speaks of "self-signed certificate in certificate chain" */
	for (size_t i = 0; i < v->nanchors; i++) {
		X509 *a = v->anchors[i].x;
		if (v->anchors[i].tsa != tsa || X509_check_ca(a) != 0)
			continue;
		snprintf(about, an, "%s", v->anchors[i].file);
		snprintf(why, wn, "'%s' holds %s, not a certification authority's: a trust anchor is a root "
		    "certificate", v->anchors[i].file, X509_cmp(a, x) == 0 ?
		    (tsa ? "the time-stamp authority's own certificate" : "the signer's own certificate") :
		    "a certificate that is not a certification authority's");
		ERR_clear_error();
		return tsa ? "tsa-trust-not-ca" : "trust-not-ca";
	}
	ERR_clear_error();
	char *root = wanted_root(x, untrusted);
	snprintf(about, an, "%s", root ? root : "");
	snprintf(why, wn, "its root '%s' is not among the trust anchors given", root ? root : "?");
	free(root);
	return tsa ? "ask-tsa-trust" : "ask-trust";
}

const char *token_hint(const struct scelle_verifier *v, const unsigned char *token, size_t len,
    char *about, size_t an, char *why, size_t wn)
{
	const unsigned char *p = token;
	PKCS7 *p7 = len <= LONG_MAX ? d2i_PKCS7(NULL, &p, (long)len) : NULL;
	STACK_OF(X509) *signers = p7 && PKCS7_type_is_signed(p7) ? PKCS7_get0_signers(p7, NULL, 0) : NULL;
	const char *code = NULL;
	about[0] = why[0] = '\0';
	if (sk_X509_num(signers) == 1)
		code = chain_hint(v, sk_X509_value(signers, 0), p7->d.sign->cert, 1, about, an, why, wn);
	sk_X509_free(signers);
	PKCS7_free(p7);
	ERR_clear_error();
	return code;
}
