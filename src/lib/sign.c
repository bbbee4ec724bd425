/* sign.c — the CAdES-B-B detached signature over the ASiCManifest (EN 319 122-1 §6.3).
 * OpenSSL's CMS_CADES flag adds signing-certificate-v2; CMS_sign adds content-type,
 * message-digest and signing-time: together the four B-B attributes. */
#include <openssl/cms.h>
#include <openssl/err.h>
#include "sealer.h"

int cades_sign(EVP_PKEY *key, X509 *cert, STACK_OF(X509) *chain, const unsigned char *data,
    size_t n, unsigned char **der, size_t *der_len, struct scerr *e)
{
	const unsigned int flags = CMS_DETACHED | CMS_BINARY | CMS_CADES | CMS_NOSMIMECAP | CMS_PARTIAL;
	BIO *in = BIO_new_mem_buf(data, (int)n);
	CMS_ContentInfo *cms = in ? CMS_sign(NULL, NULL, chain, NULL, flags) : NULL;
	unsigned char *p = NULL;
	int len, rc = SCELLE_E_CRYPTO;

	/* SHA-256 whatever the key's default: EN 319 122-1 signatures must not use SHA-1. */
	if (!cms || !CMS_add1_signer(cms, cert, key, EVP_sha256(), flags) ||
	    !CMS_final(cms, in, NULL, flags)) {
		scerr_ssl(e, SCELLE_E_CRYPTO, "cannot sign the manifest");
		goto out;
	}
	if ((len = i2d_CMS_ContentInfo(cms, &p)) <= 0) {
		scerr_ssl(e, SCELLE_E_CRYPTO, "cannot encode the signature");
		goto out;
	}
	*der = p;
	*der_len = (size_t)len;
	rc = SCELLE_OK;
out:
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	return rc;
}
