/* sign.c — the CAdES signature over the ASiCManifest (EN 319 122-1 §6.3).
 * B-B: OpenSSL's CMS_CADES flag adds signing-certificate-v2; CMS_sign adds content-type,
 * message-digest and signing-time: together the four B-B attributes.
 * B-T: signature-time-stamp tokens (RFC 3161) over the SignerInfo's signature value, added
 * as unsigned attributes — OpenSSL has no call for it (openssl issue #18491).
 * With revocation data the signature carries CAdES-B-LT material (EN 319 122-1 §5.5): CRLs
 * go into SignedData.crls, OCSP responses beside them as RFC 5940 other revocation info. */
#include <stdio.h>
#include <string.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/rsa.h>
#include "crypto.h"

static int encode(CMS_ContentInfo *cms, unsigned char **der, size_t *der_len, struct scerr *e)
{
	unsigned char *p = NULL;
	int len = i2d_CMS_ContentInfo(cms, &p);
	if (len <= 0) {
		scerr_ssl(e, SCELLE_E_CRYPTO, "cannot encode the signature");
		return SCELLE_E_CRYPTO;
	}
	*der = p;
	*der_len = (size_t)len;
	return SCELLE_OK;
}

/* RSA keys sign with RSASSA-PSS unless asked otherwise: SOG-IS Agreed Cryptographic
 * Mechanisms v1.2 and ETSI TS 119 312 keep PKCS#1 v1.5 signatures only as legacy.  The salt
 * is as long as the digest (RFC 4055 §3.1 recommends it; every CAdES validator accepts it). */
static int set_padding(CMS_SignerInfo *si, EVP_PKEY *key, const struct sign_extra *x)
{
	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA || (x && x->rsa_pkcs1))
		return 1;
	EVP_PKEY_CTX *pctx = CMS_SignerInfo_get0_pkey_ctx(si);
	return pctx && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) > 0;
}

int cades_sign_extra(EVP_PKEY *key, X509 *cert, STACK_OF(X509) *chain,
    const struct sign_extra *x, const unsigned char *data, size_t n, unsigned char **der,
    size_t *der_len, struct scerr *e)
{
	const unsigned int flags = CMS_DETACHED | CMS_BINARY | CMS_CADES | CMS_NOSMIMECAP | CMS_PARTIAL;
	BIO *in = BIO_new_mem_buf(data, (int)n);
	CMS_ContentInfo *cms = in ? CMS_sign(NULL, NULL, chain, NULL, flags) : NULL;
	CMS_SignerInfo *si = NULL;
	unsigned char *p = NULL;
	int len, rc = SCELLE_E_CRYPTO;

	/* SHA-256 whatever the key's default: EN 319 122-1 signatures must not use SHA-1.
	 * CMS_KEY_PARAM leaves the signing context open so that the padding can be set. */
	if (!cms || !(si = CMS_add1_signer(cms, cert, key, EVP_sha256(), flags | CMS_KEY_PARAM)) ||
	    !set_padding(si, key, x)) {
		scerr_ssl(e, SCELLE_E_CRYPTO, "cannot sign the manifest");
		goto out;
	}
	for (int i = 0; x && i < sk_X509_CRL_num(x->crls); i++)
		if (!CMS_add1_crl(cms, sk_X509_CRL_value(x->crls, i))) {
			scerr_ssl(e, SCELLE_E_CRYPTO, "cannot add a CRL to the signature");
			goto out;
		}
	if (!CMS_final(cms, in, NULL, flags)) {
		scerr_ssl(e, SCELLE_E_CRYPTO, "cannot sign the manifest");
		if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA && !(x && x->rsa_pkcs1))
			e->hint = "rsa-pkcs1";	/* a token that cannot do RSA-PSS */
		goto out;
	}
	if ((len = i2d_CMS_ContentInfo(cms, &p)) <= 0) {
		scerr_ssl(e, SCELLE_E_CRYPTO, "cannot encode the signature");
		goto out;
	}
	if (x && x->nocsp) {
		struct buf out = { 0 };
		if (cms_der_add_ocsp(p, (size_t)len, x->ocsp, x->nocsp, &out)) {
			scerr_set(e, SCELLE_E_CRYPTO, "cannot add OCSP responses to the signature");
			goto out;
		}
		OPENSSL_free(p);
		if (!(p = OPENSSL_malloc(out.len))) {
			buf_release(&out);
			scerr_set(e, SCELLE_E_NOMEM, "out of memory");
			goto out;
		}
		memcpy(p, out.data, out.len);
		len = (int)out.len;
		buf_release(&out);
	}
	*der = p;
	p = NULL;
	*der_len = (size_t)len;
	rc = SCELLE_OK;
out:
	OPENSSL_free(p);
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	return rc;
}

/* One line of warnings: the callers read them as a C string (scelle_sealer_warnings), even
 * when the operation then fails, so the text stays NUL-terminated after every line. */
void warn_line(struct buf *w, const char *msg)
{
	if (buf_append(w, msg, strlen(msg)) == 0 && buf_append(w, "\n", 1) == 0 &&
	    buf_append(w, "", 1) == 0)
		w->len--;
}

int cades_sign(EVP_PKEY *key, X509 *cert, STACK_OF(X509) *chain, const unsigned char *data,
    size_t n, unsigned char **der, size_t *der_len, struct scerr *e)
{
	return cades_sign_extra(key, cert, chain, NULL, data, n, der, der_len, e);
}

/* Each TSA is asked in turn; one that fails is a warning and the next is asked (a dead
 * TSA is known at once, timestamp.c), so that the seal fails only when none answers (or
 * never, when optional).  A usage error (a malformed URL) stops it unless optional. */
int tsa_request_each(char *const *urls, size_t nurls, const unsigned char *data, size_t n,
    const struct tsa_options *opt, int optional, struct buf *warnings, tsa_token_cb add,
    void *arg, int *added, struct scerr *e)
{
	struct scerr pending = { 0 };
	int rc = SCELLE_OK;
	*added = 0;
	for (size_t i = 0; i < nurls; i++) {
		unsigned char *token = NULL;
		size_t token_len = 0;
		struct scerr te = { 0 };
		if (tsa_request(urls[i], data, n, opt, &token, &token_len, &te)) {
			if (pending.code && warnings)
				warn_line(warnings, pending.msg);
			pending = te;
			if (!pending.code)
				pending.code = SCELLE_E_NETWORK;
			if (te.code == SCELLE_E_USAGE && !optional)
				break;
			continue;
		}
		rc = add(arg, token, token_len, e);
		free(token);
		if (rc != SCELLE_OK)
			break;
		(*added)++;
	}
	if (rc == SCELLE_OK && pending.code) {
		if ((!*added && !optional) || (pending.code == SCELLE_E_USAGE && !optional)) {
			*e = pending;
			rc = pending.code;
		} else if (warnings)
			warn_line(warnings, pending.msg);
	}
	return rc;
}

/* A token as the signature-time-stamp unsigned attribute of the SignerInfo arg. */
static int add_token_attr(void *arg, const unsigned char *token, size_t len, struct scerr *e)
{
	if (!CMS_unsigned_add1_attr_by_NID(arg, NID_id_smime_aa_timeStampToken, V_ASN1_SEQUENCE,
	    token, (int)len)) {
		scerr_ssl(e, SCELLE_E_CRYPTO, "cannot add the time-stamp token");
		return SCELLE_E_CRYPTO;
	}
	return SCELLE_OK;
}

int cades_add_timestamps(unsigned char **der, size_t *der_len, char *const *urls, size_t nurls,
    const struct tsa_options *opt, int optional, struct buf *warnings, int *added, struct scerr *e)
{
	const unsigned char *p = *der;
	CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)*der_len);
	STACK_OF(CMS_SignerInfo) *sis = cms ? CMS_get0_SignerInfos(cms) : NULL;
	CMS_SignerInfo *si = sk_CMS_SignerInfo_num(sis) == 1 ? sk_CMS_SignerInfo_value(sis, 0) : NULL;
	ASN1_OCTET_STRING *sig = si ? CMS_SignerInfo_get0_signature(si) : NULL;
	int rc = SCELLE_OK;

	*added = 0;
	if (!sig) {
		scerr_ssl(e, SCELLE_E_FORMAT, "the signature is not a CMS SignedData with one signer");
		CMS_ContentInfo_free(cms);
		return SCELLE_E_FORMAT;
	}
	/* EN 319 122-1 §5.3: the time-stamp imprint is the hash of the signature value. */
	rc = tsa_request_each(urls, nurls, sig->data, (size_t)sig->length, opt, optional, warnings,
	    add_token_attr, si, added, e);
	if (rc == SCELLE_OK && *added) {
		unsigned char *out;
		size_t out_len;
		if ((rc = encode(cms, &out, &out_len, e)) == SCELLE_OK) {
			OPENSSL_free(*der);
			*der = out;
			*der_len = out_len;
		}
	}
	CMS_ContentInfo_free(cms);
	return rc;
}
