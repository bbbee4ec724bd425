/* signer.c — who signs (crypto.h): the key, its certificate and the chain to embed, shared
 * by the sealer (seal.c, xades.c) and custody records (custody.c).  The key and the chain
 * may be set in either order: a key never drops the intermediates added before it, and
 * the certificate is taken from the key's file only when none is given.  The pass phrase
 * callback and the PKCS#11 module are used while loading, so they are set first. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crypto.h"

int signer_init(struct signer *sg)
{
	memset(sg, 0, sizeof(*sg));
	sg->revocation = REVOCATION_DEFAULT;
	return (sg->chain = sk_X509_new_null()) ? 0 : -1;
}

void signer_clear(struct signer *sg)
{
	EVP_PKEY_free(sg->key);
	X509_free(sg->cert);
	sk_X509_pop_free(sg->chain, X509_free);
	free(sg->pkcs11_module);
	sign_extra_free(&sg->extra);
	memset(sg, 0, sizeof(*sg));
}

void signer_warn_hint(const struct signer *sg, const char *hint, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	if (!sg->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), L_(fmt), ap);
	va_end(ap);
	sg->warn(sg->warn_arg, hint, line);
}

int signer_set_key(struct signer *sg, const char *key, const char *cert, struct scerr *e)
{
	EVP_PKEY_free(sg->key);
	X509_free(sg->cert);
	sg->key = NULL;
	sg->cert = NULL;
	/* A PKCS#12 file (or a PEM holding both) gives key, certificate and chain at once. */
	if (load_objects(sg, key, &sg->key, cert ? NULL : &sg->cert, cert ? NULL : sg->chain, e))
		return e->code;
	if (cert && load_objects(sg, cert, NULL, &sg->cert, sg->chain, e))
		return e->code;
	if (!sg->cert) {
		scerr_set(e, SCELLE_E_KEY, "no certificate for key '%s'", key);
		e->hint = "need-cert";
		return e->code;
	}
	if (check_signer(sg->key, sg->cert, cert ? cert : key, e))
		return e->code;
	char warn[512];
	signer_expiry_warning(sg->cert, cert ? cert : key, warn, sizeof(warn));
	if (warn[0])
		signer_warn(sg, "%s", warn);
	return SCELLE_OK;
}

int signer_add_chain(struct signer *sg, const char *chain_file, struct scerr *e)
{
	X509 *first = NULL;
	if (load_objects(sg, chain_file, NULL, &first, sg->chain, e))
		return e->code;
	sk_X509_unshift(sg->chain, first);
	return SCELLE_OK;
}

int signer_set_pkcs11_module(struct signer *sg, const char *path, struct scerr *e)
{
	free(sg->pkcs11_module);
	sg->pkcs11_module = NULL;
	if (path && !(sg->pkcs11_module = xstrdup(path))) {
		scerr_set(e, SCELLE_E_NOMEM, "out of memory");
		return e->code;
	}
	return SCELLE_OK;
}

int signer_set_rsa_padding(struct signer *sg, const char *padding, struct scerr *e)
{
	if (strcmp(padding, "pss") == 0)
		sg->extra.rsa_pkcs1 = 0;
	else if (strcmp(padding, "pkcs1") == 0)
		sg->extra.rsa_pkcs1 = 1;
	else {
		scerr_set(e, SCELLE_E_USAGE, "unknown RSA padding '%s' (use pss or pkcs1)", padding);
		return e->code;
	}
	return SCELLE_OK;
}

/* The revocation data of a signature (sign_extra), freed. */
void sign_extra_free(struct sign_extra *x)
{
	sk_X509_CRL_pop_free(x->crls, X509_CRL_free);
	for (size_t i = 0; i < x->nocsp; i++)
		buf_release(&x->ocsp[i]);
	free(x->ocsp);
	x->crls = NULL;
	x->ocsp = NULL;
	x->nocsp = x->capocsp = 0;
}
