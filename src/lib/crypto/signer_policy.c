/* signer_policy.c — what a certificate may sign, which algorithms a verdict may rest on, and
 * whether a stated name is found in a certificate (FORMAT.md §5.1).
 *
 * A certificate that chains to a trust anchor proves who holds a key, not that the key was
 * issued for signing evidence: a TLS server, a time-stamping unit or the CA itself also chain
 * to the anchor.  EN 319 102-1 §5.2.6 lets the validation policy put constraints on the
 * signer's certificate; these are the constraints of EU DSS's default policy, made strict
 * where DSS only warns (keyUsage), because the verdict is for a court.  The algorithm limits
 * are those of ETSI TS 119 312 as DSS's default policy applies them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>
#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>
#include "crypto.h"
#include "internal.h"

#define NID_DOCUMENT_SIGNING_OID "1.3.6.1.5.5.7.3.36"	/* id-kp-documentSigning, RFC 9336 */

/* keyUsage, when present, must allow a signature (RFC 5280 §4.2.1.3). */
static int usage_signs(X509 *x, const char *what, char *why, size_t n)
{
	uint32_t ku = X509_get_key_usage(x);
	if (ku != UINT32_MAX && !(ku & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION))) {
		snprintf(why, n, L_("%s: its key usage allows neither digitalSignature nor nonRepudiation"), what);
		return -1;
	}
	return 0;
}

int cert_can_seal(X509 *x, char *why, size_t n)
{
	int crit = 0;
	why[0] = '\0';
	/* X509_get_extension_flags caches the extensions; EXFLAG_INVALID: one does not parse. */
	uint32_t fl = X509_get_extension_flags(x);
	if (fl & EXFLAG_INVALID) {
		snprintf(why, n, L_("has an extension that does not parse"));
		return -1;
	}
	if (fl & EXFLAG_CA) {
		snprintf(why, n, "is a CA certificate (basicConstraints cA), not a signer's");
		return -1;
	}
	if (usage_signs(x, L_("is not a signing certificate"), why, n))
		return -1;
	EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, &crit, NULL);
	if (!eku && crit != -1) {	/* -1: absent; else repeated or unparsable */
		snprintf(why, n, L_("has an extended key usage that cannot be read"));
		return -1;
	}
	int ok = !eku;
	ASN1_OBJECT *docsign = OBJ_txt2obj(NID_DOCUMENT_SIGNING_OID, 1);
	for (int i = 0; eku && i < sk_ASN1_OBJECT_num(eku); i++) {
		ASN1_OBJECT *o = sk_ASN1_OBJECT_value(eku, i);
		int nid = OBJ_obj2nid(o);
		if (nid == NID_email_protect || nid == NID_anyExtendedKeyUsage || (docsign && OBJ_cmp(o, docsign) == 0))
			ok = 1;
	}
	ASN1_OBJECT_free(docsign);
	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
	if (!ok)
		snprintf(why, n, "is not a signing certificate: its extended key usage allows neither "
		    "emailProtection, documentSigning nor anyExtendedKeyUsage");
	return ok ? 0 : -1;
}

/* RFC 3161 §2.3: exactly one extended key usage, id-kp-timeStamping, critical. */
int cert_can_timestamp(X509 *x, char *why, size_t n)
{
	int crit = 0, ok;
	why[0] = '\0';
	EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, &crit, NULL);
	int stamps = 0, others = 0;
	for (int i = 0; eku && i < sk_ASN1_OBJECT_num(eku); i++)
		*(OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, i)) == NID_time_stamp ? &stamps : &others) += 1;
	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
	ok = crit == 1 && stamps == 1;
	if (!ok || others) {
		snprintf(why, n, ok ? L_("has an extended key usage beside timeStamping (RFC 3161 §2.3: timeStamping alone)")
		    : L_("lacks the critical timeStamping extended key usage (RFC 3161 §2.3)"));
		return -1;
	}
	if (X509_get_extension_flags(x) & EXFLAG_CA) {
		snprintf(why, n, "is a CA certificate (basicConstraints cA)");
		return -1;
	}
	return usage_signs(x, L_("is not a signing certificate"), why, n);
}

/* ETSI TS 119 312 (as DSS's default policy dates it): MD5 expired in 2004, SHA-1 in 2012;
 * the SHA-2 and SHA-3 families stand.  Anything else is not accepted. */
const char *weak_digest(int nid)
{
	switch (nid) {
	case NID_sha224: case NID_sha256: case NID_sha384: case NID_sha512:
	case NID_sha512_224: case NID_sha512_256:
	case NID_sha3_224: case NID_sha3_256: case NID_sha3_384: case NID_sha3_512:
		return NULL;
	case NID_undef:
		return L_("an unknown digest algorithm");
	default:
		return OBJ_nid2sn(nid);
	}
}

int weak_key(EVP_PKEY *k, char *why, size_t n)
{
	int id = k ? EVP_PKEY_get_base_id(k) : NID_undef, bits = k ? EVP_PKEY_get_bits(k) : 0;
	switch (id) {
	case EVP_PKEY_RSA: case EVP_PKEY_RSA_PSS: case EVP_PKEY_DSA:
		if (bits >= 2048)
			return 0;
		snprintf(why, n, L_("a %d-bit %s key (at least 2048 bits)"), bits,
		    id == EVP_PKEY_RSA ? "RSA" : id == EVP_PKEY_RSA_PSS ? "RSA-PSS" : "DSA");
		return -1;
	case EVP_PKEY_EC:
		if (bits >= 256)
			return 0;
		snprintf(why, n, L_("a %d-bit EC key (at least 256 bits)"), bits);
		return -1;
	case EVP_PKEY_ED25519: case EVP_PKEY_ED448:
		return 0;
	default:
		snprintf(why, n, L_("a key of an unknown type"));
		return -1;
	}
}

/* The digest inside an RSASSA-PSS AlgorithmIdentifier: absent means SHA-1 (RFC 4055 §3.1). */
static int pss_digest(const X509_ALGOR *sig)
{
	int ptype;
	const void *pval;
	X509_ALGOR_get0(NULL, &ptype, &pval, sig);
	if (ptype != V_ASN1_SEQUENCE)
		return ptype == V_ASN1_UNDEF ? NID_sha1 : NID_undef;
	const ASN1_STRING *s = pval;
	const unsigned char *p = ASN1_STRING_get0_data(s);
	RSA_PSS_PARAMS *pss = d2i_RSA_PSS_PARAMS(NULL, &p, ASN1_STRING_length(s));
	int nid = !pss ? NID_undef : pss->hashAlgorithm ? OBJ_obj2nid(pss->hashAlgorithm->algorithm) : NID_sha1;
	RSA_PSS_PARAMS_free(pss);
	return nid;
}

int weak_algorithms(const X509_ALGOR *dig, const X509_ALGOR *sig, EVP_PKEY *key, char *why, size_t n)
{
	const ASN1_OBJECT *o;
	const char *w;
	int md = NID_undef, pk;
	why[0] = '\0';
	X509_ALGOR_get0(&o, NULL, NULL, dig);
	if ((w = weak_digest(OBJ_obj2nid(o)))) {
		snprintf(why, n, L_("uses the digest %s"), w);
		return -1;
	}
	X509_ALGOR_get0(&o, NULL, NULL, sig);
	int s = OBJ_obj2nid(o);
	if (s == NID_rsassaPss)
		md = pss_digest(sig);
	else if (!OBJ_find_sigid_algs(s, &md, &pk))
		md = NID_sha256;	/* rsaEncryption, ecPublicKey: the digest is dig's */
	if (md != NID_undef && (w = weak_digest(md))) {
		snprintf(why, n, L_("signs with %s (digest %s)"), OBJ_nid2sn(s), w);
		return -1;
	}
	char k[160];
	if (weak_key(key, k, sizeof(k))) {
		snprintf(why, n, L_("is made with %s"), k);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ stated names ---- */

/* The words of s, case-folded, decomposed (NFD) and without their accents (combining
 * marks), each followed by a NUL, then one more NUL; NULL when s is not UTF-8. */
static char *fold_words(const char *s)
{
	size_t n = 0;
	uint8_t *f = u8_casefold((const uint8_t *)s, strlen(s), NULL, UNINORM_NFD, NULL, &n);
	char *out = f ? malloc(n + 2) : NULL;
	size_t j = 0;
	for (size_t i = 0; out && i < n;) {
		ucs4_t uc;
		int len = u8_mbtouc(&uc, f + i, n - i);
		if (uc_is_general_category(uc, UC_CATEGORY_M)) {
			/* an accent: dropped */
		} else if (uc_is_alnum(uc)) {
			memcpy(out + j, f + i, (size_t)len);
			j += (size_t)len;
		} else if (j && out[j - 1] != '\0') {
			out[j++] = '\0';
		}
		i += (size_t)len;
	}
	if (out) {
		if (j && out[j - 1] != '\0')
			out[j++] = '\0';
		out[j] = '\0';
	}
	free(f);
	return out;
}

char *x509_name_text(const X509_NAME *n)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *s = NULL, *p;
	if (b && X509_NAME_print_ex(b, n, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
		long len = BIO_get_mem_data(b, &p);
		if ((s = malloc((size_t)len + 1))) {
			memcpy(s, p, (size_t)len);
			s[len] = '\0';
		}
	}
	BIO_free(b);
	return s;
}

char *cert_subject(X509 *x)
{
	return x509_name_text(X509_get_subject_name(x));
}

/* Every word of the claim is a word of the subject's attribute values (any order). */
int claim_in_subject(const X509_NAME *subject, const char *claim)
{
	struct buf all = { 0 };
	int found = 1;
	for (int i = 0; i < X509_NAME_entry_count(subject); i++) {
		unsigned char *u = NULL;
		int len = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i)));
		if (len >= 0 && (buf_append(&all, u, (size_t)len) || buf_append(&all, " ", 1)))
			found = 0;
		OPENSSL_free(u);
	}
	char *have = found && !buf_append(&all, "", 1) ? fold_words((const char *)all.data) : NULL;
	char *want = fold_words(claim);
	found = have && want;
	for (const char *w = want; found && *w; w += strlen(w) + 1) {
		const char *h = have;
		while (*h && strcmp(h, w) != 0)
			h += strlen(h) + 1;
		found = *h != '\0';
	}
	free(have);
	free(want);
	buf_release(&all);
	return found;
}
