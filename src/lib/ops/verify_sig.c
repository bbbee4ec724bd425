/* verify_sig.c — the CAdES signature over ASiCManifest001.xml (EN 319 122-1 §6.3) and the
 * signer's certificate chain.  OpenSSL's own CAdES check (CMS_CADES) is not relied on: a
 * signature without signed attributes skips it (openssl PR #32528), so every required
 * attribute is checked here. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/ess.h>
#include <openssl/x509v3.h>
#include "crypto.h"
#include "verify_ctx.h"

/* Every message names the signature being checked, c->sig_name: scelle's own
 * (ASIC_SIGNATURE or its XAdES signature) or one of a foreign container's (verify_etsi.c). */

static time_t asn1_to_time(const ASN1_TIME *t)
{
	struct tm tm;
	if (!t || !ASN1_TIME_to_tm(t, &tm))
		return 0;
	return timegm(&tm);
}

static void fact_name(struct scelle_result *r, enum fact f, const X509_NAME *n)
{
	char *s = x509_name_text(n);
	result_fact(r, f, s);
	free(s);
}

/* What the report shows of the signer's certificate besides its names: serial, validity. */
static void signer_details(struct scelle_result *r, X509 *cert)
{
	const ASN1_TIME *t[2] = { X509_get0_notBefore(cert), X509_get0_notAfter(cert) };
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
	char *hex = bn ? BN_bn2hex(bn) : NULL;
	char s[32];
	struct tm tm;
	if (hex)
		result_fact(r, F_SIGNER_SERIAL, hex);
	OPENSSL_free(hex);
	BN_free(bn);
	for (int i = 0; i < 2; i++)
		if (t[i] && ASN1_TIME_to_tm(t[i], &tm) == 1) {
			time_rfc3339(timegm(&tm), s, sizeof(s));
			result_fact(r, i ? F_SIGNER_NOT_AFTER : F_SIGNER_NOT_BEFORE, s);
		}
}

/* EN 319 122-1 §6.3 B-B: exactly one each of content-type, message-digest, signing-time
 * and signing-certificate-v2 (or v1). */
static int check_signed_attrs(struct vctx *c, CMS_SignerInfo *si)
{
	static const struct { int nid; const char *name; } req[] = {
		{ NID_pkcs9_contentType, "content-type" },
		{ NID_pkcs9_messageDigest, "message-digest" },
		{ NID_pkcs9_signingTime, "signing-time" },
	};
	if (CMS_signed_get_attr_count(si) <= 0) {
		result_check(c->r, "signature.attributes", SCELLE_FAILED, "SIG_CONSTRAINTS_FAILURE",
		    c->sig_name, "the signature has no signed attributes (not CAdES)");
		return -1;
	}
	for (size_t i = 0; i < sizeof(req) / sizeof(req[0]); i++) {
		int at = CMS_signed_get_attr_by_NID(si, req[i].nid, -1);
		if (at < 0 || CMS_signed_get_attr_by_NID(si, req[i].nid, at) >= 0) {
			result_check(c->r, "signature.attributes", SCELLE_FAILED, "SIG_CONSTRAINTS_FAILURE",
			    c->sig_name, "signed attribute %s is %s", req[i].name, at < 0 ? "missing" : "repeated");
			return -1;
		}
	}
	int v2 = CMS_signed_get_attr_by_NID(si, NID_id_smime_aa_signingCertificateV2, -1);
	int v1 = CMS_signed_get_attr_by_NID(si, NID_id_smime_aa_signingCertificate, -1);
	if (v1 < 0 && v2 < 0) {
		result_check(c->r, "signature.attributes", SCELLE_FAILED, "SIG_CONSTRAINTS_FAILURE",
		    c->sig_name, "signed attribute signing-certificate-v2 is missing");
		return -1;
	}
	ASN1_TIME *st = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_signingTime), -3, V_ASN1_UTCTIME);
	if (!st)
		st = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_signingTime), -3, V_ASN1_GENERALIZEDTIME);
	/* A signing-time that cannot be read would skip the checks made at that time
	 * (certificate validity, time-stamp order): fail closed (FORMAT.md §10). */
	if (!(c->signing_time = asn1_to_time(st))) {
		result_check(c->r, "signature.attributes", SCELLE_FAILED, "SIG_CONSTRAINTS_FAILURE",
		    c->sig_name, "signed attribute signing-time holds no readable UTCTime or GeneralizedTime");
		return -1;
	}
	char t[32];
	time_rfc3339(c->signing_time, t, sizeof(t));
	result_fact(c->r, F_SIGNING_TIME, t);
	ASN1_OBJECT *ct = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_contentType), -3, V_ASN1_OBJECT);
	if (!ct || OBJ_obj2nid(ct) != NID_pkcs7_data) {
		result_check(c->r, "signature.attributes", SCELLE_FAILED, "SIG_CONSTRAINTS_FAILURE",
		    c->sig_name, "content-type is not id-data");
		return -1;
	}
	result_check(c->r, "signature.attributes", SCELLE_PASSED, NULL, c->sig_name,
	    "CAdES-B-B attributes present: content-type, message-digest, signing-time, signing-certificate");
	return 0;
}

/* signing-certificate(-v2) must name the certificate that verified the signature: it stops
 * a certificate swap (another certificate for the same key, or a reissued one). */
static int check_ess(struct vctx *c, CMS_SignerInfo *si, X509 *signer)
{
	ESS_SIGNING_CERT_V2 *v2 = NULL;
	ESS_SIGNING_CERT *v1 = NULL;
	ASN1_STRING *s;
	const unsigned char *p;
	STACK_OF(X509) *chain = sk_X509_new_null();
	int ok = 0;

	if ((s = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_id_smime_aa_signingCertificateV2), -3, V_ASN1_SEQUENCE))) {
		p = s->data;
		v2 = d2i_ESS_SIGNING_CERT_V2(NULL, &p, s->length);
	}
	if ((s = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_id_smime_aa_signingCertificate), -3, V_ASN1_SEQUENCE))) {
		p = s->data;
		v1 = d2i_ESS_SIGNING_CERT(NULL, &p, s->length);
	}
	if (chain && sk_X509_push(chain, signer) && (v1 || v2))
		ok = OSSL_ESS_check_signing_certs(v1, v2, chain, 1) > 0;
	ERR_clear_error();
	if (!ok)
		result_check(c->r, "signature.signing_certificate", SCELLE_FAILED, "SIG_CONSTRAINTS_FAILURE",
		    c->sig_name, "signing-certificate attribute does not match the signer's certificate");
	ESS_SIGNING_CERT_V2_free(v2);
	ESS_SIGNING_CERT_free(v1);
	sk_X509_free(chain);
	return ok ? 0 : -1;
}

/* The signer's chain to a trust anchor, judged at the time the signature is proven to
 * have existed (a trusted time-stamp) or else now. */
void verify_chain(struct vctx *c, STACK_OF(X509) *certs, X509 *signer, const struct revdata *rd)
{
	X509_STORE_CTX *ctx = NULL;
	char about[512], whyp[1024];

	verifier_add_untrusted(c->v, &certs);
	time_t nb = asn1_to_time(X509_get0_notBefore(signer)), na = asn1_to_time(X509_get0_notAfter(signer));

	/* A signing time the certificate does not cover is a signature nobody could make
	 * honestly with it. */
	if (c->signing_time && (c->signing_time < nb || c->signing_time > na)) {
		result_check(c->r, "signature.certificate_validity", SCELLE_FAILED,
		    c->signing_time > na ? "EXPIRED" : "NOT_YET_VALID", c->sig_name,
		    "the signer's certificate was not valid at the claimed signing time");
		goto out;
	}
	if (!c->v->trust) {
		const char *hint = chain_hint(c->v, signer, certs, 0, about, sizeof(about), whyp, sizeof(whyp));
		result_check(c->r, "signature.chain", SCELLE_INDETERMINATE, "NO_CERTIFICATE_CHAIN_FOUND",
		    c->sig_name, "no trust anchor given for signers: the signer cannot be identified%s%s",
		    strcmp(hint, "need-trust") ? "; " : "", strcmp(hint, "need-trust") ? whyp : "");
		result_hint(c->r, "signature.chain", hint, about);
		goto out;
	}
	/* The verdict is that no check failed: a check not made must say so (result.c). */
	if (!(ctx = X509_STORE_CTX_new()) || !X509_STORE_CTX_init(ctx, c->v->trust, signer, certs)) {
		result_check(c->r, "signature.chain", SCELLE_FAILED, "FORMAT_FAILURE", c->sig_name,
		    "out of memory");
		goto out;
	}
	X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_ANY);
	if (c->poe_time)
		X509_STORE_CTX_set_time(ctx, 0, c->poe_time);
	if (X509_verify_cert(ctx) == 1) {
		STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);
		X509 *anchor = sk_X509_value(chain, sk_X509_num(chain) - 1);
		fact_name(c->r, F_TRUST_ANCHOR, X509_get_subject_name(anchor));
		result_check(c->r, "signature.chain", SCELLE_PASSED, NULL, c->sig_name,
		    "chain to trust anchor '%s'", c->r->facts[F_TRUST_ANCHOR]);
		verify_revocation(c, rd, chain);
		goto out;
	}
	int err = X509_STORE_CTX_get_error(ctx);
	const char *why = X509_verify_cert_error_string(err);
	switch (err) {
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN: {
		/* plain words for OpenSSL's "self-signed certificate in certificate chain" */
		const char *hint = chain_hint(c->v, signer, certs, 0, about, sizeof(about), whyp, sizeof(whyp));
		result_check(c->r, "signature.chain", SCELLE_INDETERMINATE, "NO_CERTIFICATE_CHAIN_FOUND",
		    c->sig_name, "the signer's certificate does not chain to a trusted anchor: %s", whyp);
		result_hint(c->r, "signature.chain", hint, about);
		break;
	}
	case X509_V_ERR_CERT_HAS_EXPIRED:
		result_check(c->r, "signature.chain", SCELLE_INDETERMINATE, "OUT_OF_BOUNDS_NO_POE",
		    c->sig_name, "the signer's certificate has expired and no time-stamp proves an earlier signature");
		break;
	case X509_V_ERR_CERT_REVOKED:
		result_check(c->r, "signature.chain", SCELLE_FAILED, "REVOKED", c->sig_name,
		    "the signer's certificate is revoked");
		break;
	default:
		result_check(c->r, "signature.chain", SCELLE_FAILED, "CHAIN_CONSTRAINTS_FAILURE",
		    c->sig_name, "the signer's chain is invalid: %s", why);
	}
out:
	X509_STORE_CTX_free(ctx);
	sk_X509_pop_free(certs, X509_free);
	ERR_clear_error();
}

/* The signer's certificate must be one issued for signing (FORMAT.md §5.1): EN 319 102-1
 * §5.2.6 makes a constraint on the chain INDETERMINATE, CHAIN_CONSTRAINTS_FAILURE; the
 * signature's algorithms and key must stand under TS 119 312, else INDETERMINATE,
 * CRYPTO_CONSTRAINTS_FAILURE_NO_POE (no archive time-stamp can prove the signature older
 * than the algorithm's end). */
void check_signer_usage(struct vctx *c, X509 *signer)
{
	char why[256];
	if (cert_can_seal(signer, why, sizeof(why)))
		result_check(c->r, "signature.signer_usage", SCELLE_INDETERMINATE, "CHAIN_CONSTRAINTS_FAILURE",
		    c->sig_name, "the signer's certificate '%s' %s", c->r->facts[F_SIGNER], why);
	else
		result_check(c->r, "signature.signer_usage", SCELLE_PASSED, NULL, c->sig_name,
		    "the signer's certificate is issued for signing (key usage, not a CA)");
}

static void check_signer_policy(struct vctx *c, CMS_SignerInfo *si, X509 *signer)
{
	X509_ALGOR *dig = NULL, *sig = NULL;
	char why[256];
	check_signer_usage(c, signer);
	CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, &sig);
	if (weak_algorithms(dig, sig, X509_get0_pubkey(signer), why, sizeof(why)))
		result_check(c->r, "signature.algorithm", SCELLE_INDETERMINATE, "CRYPTO_CONSTRAINTS_FAILURE_NO_POE",
		    c->sig_name, "the signature %s, which ETSI TS 119 312 no longer accepts", why);
	else
		result_check(c->r, "signature.algorithm", SCELLE_PASSED, NULL, c->sig_name,
		    "the signature's digest, algorithm and key size meet ETSI TS 119 312");
	ERR_clear_error();
}

/* doc/design.md §7: the certificate identifies, the officer fields of evidence.xml only claim.  A
 * stated name, unit or country whose words are not in the signer's subject is a warning. */
void check_claims(struct vctx *c, X509 *signer)
{
	static const struct { enum fact f; const char *what; } claims[] = {
		{ F_OFFICER, "officer" }, { F_OFFICER_UNIT, "unit" }, { F_OFFICER_COUNTRY, "country" },
	};
	const X509_NAME *subject = X509_get_subject_name(signer);
	char bad[512] = "";
	size_t n = 0, stated = 0;
	for (size_t i = 0; i < sizeof(claims) / sizeof(claims[0]); i++) {
		const char *v = c->r->facts[claims[i].f];
		if (!v)
			continue;
		stated++;
		if (!claim_in_subject(subject, v))
			n += (size_t)snprintf(bad + n, n < sizeof(bad) ? sizeof(bad) - n : 0, "%s%s '%s'",
			    n ? ", " : "", claims[i].what, v);
	}
	if (!stated)
		return;
	result_fact(c->r, F_IDENTITY_CLAIM, bad[0] ? "differs" : "matches");
	if (bad[0]) {
		result_check(c->r, "identity.claim", SCELLE_PASSED, NULL, EVIDENCE_XML,
		    "stated %s not found in the signer's certificate '%s': the certificate is the signer",
		    bad, c->r->facts[F_SIGNER]);
		c->r->checks[c->r->nchecks - 1].warning = 1;
	} else
		result_check(c->r, "identity.claim", SCELLE_PASSED, NULL, EVIDENCE_XML,
		    "the stated officer is found in the signer's certificate '%s'", c->r->facts[F_SIGNER]);
}

void verify_signature(struct vctx *c)
{
	const unsigned char *p = c->signature.b.data;
	CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)c->signature.b.len);
	STACK_OF(CMS_SignerInfo) *sis;
	CMS_SignerInfo *si;
	X509 *signer = NULL;
	BIO *content = NULL;

	if (!cms || OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed ||
	    (size_t)(p - c->signature.b.data) != c->signature.b.len) {
		result_check(c->r, "signature.format", SCELLE_FAILED, "FORMAT_FAILURE", c->sig_name,
		    "not a DER CMS SignedData");
		goto out;
	}
	sis = CMS_get0_SignerInfos(cms);
	if (sk_CMS_SignerInfo_num(sis) != 1) {
		result_check(c->r, "signature.format", SCELLE_FAILED, "FORMAT_FAILURE", c->sig_name,
		    "%d signers (exactly one is expected)", sk_CMS_SignerInfo_num(sis));
		goto out;
	}
	si = sk_CMS_SignerInfo_value(sis, 0);
	if (check_signed_attrs(c, si))
		goto out;
	/* Not a bare memory BIO: OpenSSL 3.0's CMS_verify copies one, and leaks the copy when
	 * the SignedData names a digest it cannot set up (as custody_verify.c found). */
	if (!(content = BIO_new(BIO_f_buffer())) ||
	    !BIO_push(content, BIO_new_mem_buf(c->manifest.b.data, (int)c->manifest.b.len)) ||
	    !BIO_next(content)) {
		result_check(c->r, "signature.crypto", SCELLE_FAILED, "FORMAT_FAILURE", c->sig_name,
		    "out of memory");
		goto out;
	}
	if (CMS_verify(cms, NULL, NULL, content, NULL, CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) != 1) {
		unsigned long e = ERR_peek_last_error();
		int reason = ERR_GET_REASON(e);
		/* EN 319 102-1 §5.2.3: without the signing certificate the signature can be
		 * neither confirmed nor refuted: INDETERMINATE, not FAILED. */
		if (reason == CMS_R_SIGNER_CERTIFICATE_NOT_FOUND)
			result_check(c->r, "signature.crypto", SCELLE_INDETERMINATE, "NO_SIGNING_CERTIFICATE_FOUND",
			    c->sig_name, "the signer's certificate is not in the signature: ask the "
			    "sender for an archive whose signature carries it");
		else if (reason == CMS_R_CONTENT_VERIFY_ERROR)
			result_check(c->r, "signature.crypto", SCELLE_FAILED, "HASH_FAILURE", c->sig_name,
			    "the signature was made over another manifest");
		else
			result_check(c->r, "signature.crypto", SCELLE_FAILED, "SIG_CRYPTO_FAILURE", c->sig_name,
			    "the signature value does not verify (%s)", ERR_reason_error_string(e) ? ERR_reason_error_string(e) : "unknown");
		ERR_clear_error();
		goto out;
	}
	CMS_SignerInfo_get0_algs(si, NULL, &signer, NULL, NULL);
	if (!signer) {	/* not reached: CMS_verify() succeeds only with every signer's certificate */
		result_check(c->r, "signature.crypto", SCELLE_INDETERMINATE,
		    "NO_SIGNING_CERTIFICATE_FOUND", c->sig_name, "the signer's certificate is not in the signature");
		goto out;
	}
	fact_name(c->r, F_SIGNER, X509_get_subject_name(signer));
	fact_name(c->r, F_SIGNER_ISSUER, X509_get_issuer_name(signer));
	signer_details(c->r, signer);
	result_check(c->r, "signature.crypto", SCELLE_PASSED, NULL, c->sig_name,
	    "signature over the manifest verifies (signer '%s')", c->r->facts[F_SIGNER]);
	if (check_ess(c, si, signer) == 0)
		result_check(c->r, "signature.signing_certificate", SCELLE_PASSED, NULL, c->sig_name,
		    "signing-certificate attribute names the signer's certificate");
	check_signer_policy(c, si, signer);
	check_claims(c, signer);
	verify_timestamps(c, si);
	/* The SignedData as OpenSSL re-encodes it: its outer lengths definite, so that the
	 * OCSP responses of a BER signature are found as those of a DER one. */
	unsigned char *der = NULL;
	int der_len = i2d_CMS_ContentInfo(cms, &der);
	struct revdata rd = { CMS_get1_crls(cms), NULL, 0 };
	rd.ocsp = der_len > 0 ? cms_der_get_ocsp(der, (size_t)der_len, &rd.nocsp) : NULL;
	OPENSSL_free(der);
	ERR_clear_error();
	verify_chain(c, CMS_get1_certs(cms), signer, &rd);
	sk_X509_CRL_pop_free(rd.crls, X509_CRL_free);
	for (size_t j = 0; j < rd.nocsp; j++)
		OCSP_RESPONSE_free(rd.ocsp[j]);
	free(rd.ocsp);
out:
	BIO_free_all(content);
	CMS_ContentInfo_free(cms);
	ERR_clear_error();
}

/* One signature time-stamp token over data[0..n) (B-T: the signature value, as CAdES and
 * XAdES each define it).  The earliest token that passes gives the proof of existence
 * (poe_time) at which the signer's chain is then judged. */
void timestamp_judge(struct vctx *c, const unsigned char *token, size_t len,
    const unsigned char *data, size_t n, int index)
{
	struct tsa_token_info info;
	struct scerr e = { 0 };
	char subject[32], label[64], when[32];
	/* the subject is a name for programs (JSON); the label is for readers */
	snprintf(subject, sizeof(subject), "time-stamp %d", index);
	snprintf(label, sizeof(label), L_("time-stamp %d"), index);
	tsa_token_check(token, len, data, n, c->v->tsa_trust, &info, &e);
	void *p = realloc(c->r->ts, (c->r->nts + 1) * sizeof(*c->r->ts));
	if (p) {
		struct scelle_timestamp *ts = (c->r->ts = p, &c->r->ts[c->r->nts++]);
		ts->gen_time = info.gen_time;
		ts->tsa_name = xstrdup(info.tsa_name);
		ts->policy = xstrdup(info.policy);
		ts->serial = xstrdup(info.serial);
		ts->status = info.status;
	}
	time_rfc3339(info.gen_time, when, sizeof(when));
	if (info.status != SCELLE_PASSED) {
		char about[512], why[1024];
		result_check(c->r, "timestamp.token", info.status, info.subindication, subject,
		    "%s by '%s': %s", label, info.tsa_name, info.reason);
		if (strcmp(info.subindication, "NO_CERTIFICATE_CHAIN_FOUND") == 0)
			result_hint(c->r, "timestamp.token", token_hint(c->v, token, len, about, sizeof(about),
			    why, sizeof(why)), about);
		return;
	}
	result_check(c->r, "timestamp.token", SCELLE_PASSED, NULL, subject,
	    "%s by '%s' at %s, policy %s", label, info.tsa_name, when, info.policy);
	if (!c->poe_time || info.gen_time < c->poe_time)
		c->poe_time = info.gen_time;
	/* The token covers the signature value: a signing-time after genTime is a
	 * claim the token disproves; within --max-skew it is only clock drift. */
	long skew = c->signing_time ? (long)(c->signing_time - info.gen_time) : 0;
	if (skew > c->v->max_skew)
		result_check(c->r, "timestamp.order", SCELLE_FAILED, "TIMESTAMP_ORDER_FAILURE",
		    subject, "%s at %s precedes the claimed signing time by %ld s", label, when, skew);
	else if (labs(skew) > c->v->max_skew) {
		result_check(c->r, "timestamp.skew", SCELLE_PASSED, NULL, subject,
		    "signing time and %s differ by %ld s (more than %ld s)", label, labs(skew),
		    c->v->max_skew);
		c->r->checks[c->r->nchecks - 1].warning = 1;
	}
}

void timestamp_none(struct vctx *c)
{
	if (c->v->flags & SCELLE_VERIFY_NO_TIMESTAMP_OK)
		result_check(c->r, "timestamp.present", SCELLE_PASSED, NULL, c->sig_name,
		    "no time-stamp; accepted, as the verifier was asked: the signing time is the signer's claim");
	else {
		result_check(c->r, "timestamp.present", SCELLE_INDETERMINATE, "NO_POE", c->sig_name,
		    "no time-stamp: the signing time is only the signer's claim");
		result_hint(c->r, "timestamp.present", "need-timestamp", NULL);
	}
}

/* B-T (EN 319 122-1 §6.3 item m): signature-time-stamp tokens over the signature value. */
void verify_timestamps(struct vctx *c, CMS_SignerInfo *si)
{
	ASN1_OCTET_STRING *sig = CMS_SignerInfo_get0_signature(si);
	int n = 0;
	for (int i = -1; (i = CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, i)) >= 0;) {
		X509_ATTRIBUTE *at = CMS_unsigned_get_attr(si, i);
		int count = X509_ATTRIBUTE_count(at);
		/* FORMAT.md §5: each attribute holds one token.  An empty attribute, or a value
		 * that is not a token, cannot be checked: it fails (§10), never skipped, so that
		 * no unsigned data rides along unjudged. */
		if (count != 1)
			result_check(c->r, "timestamp.token", SCELLE_FAILED, "FORMAT_FAILURE", c->sig_name,
			    "a signature-time-stamp attribute holds %d values (exactly one token is expected)",
			    count);
		for (int k = 0; k < count; k++) {
			ASN1_TYPE *t = X509_ATTRIBUTE_get0_type(at, k);
			char subject[32], label[64];
			snprintf(subject, sizeof(subject), "time-stamp %d", ++n);
			snprintf(label, sizeof(label), L_("time-stamp %d"), n);
			if (!t || t->type != V_ASN1_SEQUENCE) {
				result_check(c->r, "timestamp.token", SCELLE_FAILED, "FORMAT_FAILURE", subject,
				    "%s is not an RFC 3161 token", label);
				continue;
			}
			timestamp_judge(c, t->value.sequence->data, (size_t)t->value.sequence->length,
			    sig->data, (size_t)sig->length, n);
		}
	}
	if (n == 0)
		timestamp_none(c);
}

/* ------------------------------------------------------------ revocation ---- */
/* The revocation status of the chain (revocation.c reads the data) as checks: REVOKED,
 * REVOKED_NO_POE, TRY_LATER in the terms of EN 319 102-1. */

static void note(struct vctx *c, enum scelle_verdict v, const char *sub, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void note(struct vctx *c, enum scelle_verdict v, const char *sub, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), L_(fmt), ap);
	va_end(ap);
	result_check(c->r, "signature.revocation", v, sub, c->sig_name, "%s", msg);
}

void verify_revocation(struct vctx *c, const struct revdata *rd, STACK_OF(X509) *chain)
{
	STACK_OF(X509_CRL) *crls = NULL;
	OCSP_RESPONSE **resp = rd ? rd->ocsp : NULL;
	size_t nresp = rd ? rd->nocsp : 0;
	int n = sk_X509_num(chain);

	if (c->v->flags & SCELLE_VERIFY_NO_REVOCATION_CHECK) {
		/* asked for, so not INDETERMINATE; but a check not made never reads as passed:
		 * a warning, as custody.ledger is when there is no ledger */
		note(c, SCELLE_PASSED, NULL, "revocation not checked, as the verifier was asked");
		if (c->r->nchecks && strcmp(c->r->checks[c->r->nchecks - 1].id, "signature.revocation") == 0)
			c->r->checks[c->r->nchecks - 1].warning = 1;
		return;
	}
	/* The time the status matters at: the earliest trusted time-stamp proves the signature
	 * existed then (EN 319 102-1 §5.6.2.1); without one, the claimed signing time. */
	time_t at = c->poe_time ? c->poe_time : c->signing_time ? c->signing_time : time(NULL);
	crls = sk_X509_CRL_new_null();
	for (int i = 0; crls && rd && i < sk_X509_CRL_num(rd->crls); i++)
		if (X509_CRL_up_ref(sk_X509_CRL_value(rd->crls, i)))
			sk_X509_CRL_push(crls, sk_X509_CRL_value(rd->crls, i));
	for (int i = 0; crls && i < sk_X509_CRL_num(c->v->crls); i++)
		if (X509_CRL_up_ref(sk_X509_CRL_value(c->v->crls, i)))
			sk_X509_CRL_push(crls, sk_X509_CRL_value(c->v->crls, i));
	ERR_clear_error();

	/* The last certificate of the chain is the trust anchor: trusted by the user, not by
	 * a status. */
	for (int i = 0; i + 1 < n; i++) {
		X509 *x = sk_X509_value(chain, i), *issuer = sk_X509_value(chain, i + 1);
		char name[256], crl_url[1024], ocsp_url[1024], when[32], poe[32], st_time[32];
		struct revocation_status st = { 0 };
		cert_cn(x, name, sizeof(name));
		revocation_crl_status(x, issuer, crls, at, c->v->max_skew, &st);
		revocation_ocsp_status(x, issuer, resp, nresp, chain, c->v->trust, at, at, c->v->max_skew, &st);
		revocation_urls(x, crl_url, ocsp_url, sizeof(crl_url));
		if (!st.known && (c->v->flags & SCELLE_VERIFY_ONLINE) && (ocsp_url[0] || crl_url[0])) {
			struct scerr e = { 0 };
			OCSP_RESPONSE *r = ocsp_url[0] ? revocation_fetch_ocsp(ocsp_url, x, issuer, 30, &e) : NULL;
			X509_CRL *crl = !r && crl_url[0] ? revocation_fetch_crl(crl_url, 30, &e) : NULL;
			if (r)	/* produced now: its responder is judged now */
				revocation_ocsp_status(x, issuer, &r, 1, chain, c->v->trust, at, time(NULL), c->v->max_skew, &st);
			if (crl && sk_X509_CRL_push(crls, crl))
				revocation_crl_status(x, issuer, crls, at, c->v->max_skew, &st);
			else
				X509_CRL_free(crl);
			OCSP_RESPONSE_free(r);
			if (!st.known) {
				note(c, SCELLE_INDETERMINATE, "TRY_LATER", "no revocation status for '%s': %s",
				    name, e.msg[0] ? e.msg : L_("the responder does not know the certificate"));
				continue;
			}
		}
		if (!st.known && X509_get_ext_by_NID(x, NID_id_pkix_OCSP_noCheck, -1) >= 0) {
			note(c, SCELLE_PASSED, NULL, "'%s' needs no revocation check (id-pkix-ocsp-nocheck)",
			    name);
			continue;
		}
		/* EN 319 102-1 §5.2.5, DSS's default policy: an unknown status is not a pass. */
		if (!st.known) {
			/* what to do is the hint's (scelle.h "Hints"): the caller knows its options */
			if (ocsp_url[0] || crl_url[0])
				note(c, SCELLE_INDETERMINATE, "TRY_LATER", "no revocation data for '%s', "
				    "which names %s", name, ocsp_url[0] ? ocsp_url : crl_url);
			else
				note(c, SCELLE_INDETERMINATE, "TRY_LATER", "no revocation data for '%s', "
				    "which names no CRL distribution point or OCSP responder", name);
			result_hint(c->r, "signature.revocation", ocsp_url[0] || crl_url[0] ? "need-revocation"
			    : "need-crl", name);
			continue;
		}
		if (!st.revoked) {
			note(c, SCELLE_PASSED, NULL, "'%s' is not revoked (%s)", name, st.source);
			continue;
		}
		time_rfc3339(st.rev_time, when, sizeof(when));
		time_rfc3339(c->poe_time, poe, sizeof(poe));
		time_rfc3339(c->signing_time, st_time, sizeof(st_time));
		if (c->poe_time && c->poe_time < st.rev_time)
			note(c, SCELLE_PASSED, NULL, "'%s' was revoked on %s (%s), after the time-stamp of "
			    "%s that proves the signature existed before", name, when, st.source, poe);
		else if (c->signing_time && c->signing_time >= st.rev_time)
			note(c, SCELLE_FAILED, "REVOKED", "'%s' was revoked on %s (%s), before the signing "
			    "time %s%s", name, when, st.source, st_time,
			    c->poe_time ? L_(" that the time-stamp confirms") : "");
		else
			note(c, SCELLE_INDETERMINATE, i == 0 ? "REVOKED_NO_POE" : "REVOKED_CA_NO_POE",
			    "'%s' was revoked on %s (%s) and no time-stamp proves the signature existed "
			    "before", name, when, st.source);
	}
	sk_X509_CRL_pop_free(crls, X509_CRL_free);
	ERR_clear_error();
}
