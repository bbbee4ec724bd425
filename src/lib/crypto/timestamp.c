/* timestamp.c — RFC 3161 time-stamps on the client side: asking a time-stamp authority for a
 * token over some bytes (tsa_request), and judging a token found on a signature
 * (tsa_token_check).  The responder behind `scelle tsa` is in tsa_responder.c. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <openssl/bn.h>
#include <openssl/conf.h>
#include <openssl/err.h>
#include <openssl/ess.h>
#include <openssl/evp.h>
#include <openssl/http.h>
#include <openssl/httperr.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>
#include "crypto.h"
#include "internal.h"

#define TSA_DEFAULT_TIMEOUT 30
#define TSA_MAX_REPLY	    (1u << 20) /* a reply with a long chain is a few KiB */

/* OpenSSL 3.4 renamed TS_VERIFY_CTX_set_imprint() to TS_VERIFY_CTX_set0_imprint() and
 * deprecated the old name; both take ownership of the buffer. */
#if OPENSSL_VERSION_NUMBER >= 0x30400000L
#define ts_verify_ctx_set0_imprint(c, p, n) (TS_VERIFY_CTX_set0_imprint((c), (p), (n)) == 1)
#else
#define ts_verify_ctx_set0_imprint(c, p, n) (TS_VERIFY_CTX_set_imprint((c), (p), (n)) != NULL)
#endif

/* ----------------------------------------------------------------- helpers ---- */

/* Copies text that came from the network into out, keeping printable ASCII only, so that a
 * hostile TSA cannot put terminal escapes into our messages. */
static void copy_printable(char *out, size_t outlen, const unsigned char *s, size_t n)
{
	size_t j = 0;
	for (size_t i = 0; i < n && j + 1 < outlen; i++)
		out[j++] = (s[i] >= 0x20 && s[i] < 0x7f) ? (char)s[i] : '?';
	out[j] = '\0';
}

static int sha256(const unsigned char *data, size_t n, unsigned char md[32])
{
	unsigned int mdlen = 0;
	return EVP_Digest(data, n, md, &mdlen, EVP_sha256(), NULL) == 1 && mdlen == 32 ? 0 : -1;
}

/* RFC 3161 §2.4.2 PKIStatus values and the PKIFailureInfo bits they may carry. */
static const char *pki_status_name(long s)
{
	static const char *const names[] = { "granted", "grantedWithMods", "rejection", "waiting",
		"revocationWarning", "revocationNotification" };
	return s >= 0 && s < 6 ? names[s] : "unknown status";
}

static const struct {
	int bit;
	const char *name;
} failure_bits[] = {
	{ TS_INFO_BAD_ALG, "badAlg" },
	{ TS_INFO_BAD_REQUEST, "badRequest" },
	{ TS_INFO_BAD_DATA_FORMAT, "badDataFormat" },
	{ TS_INFO_TIME_NOT_AVAILABLE, "timeNotAvailable" },
	{ TS_INFO_UNACCEPTED_POLICY, "unacceptedPolicy" },
	{ TS_INFO_UNACCEPTED_EXTENSION, "unacceptedExtension" },
	{ TS_INFO_ADD_INFO_NOT_AVAILABLE, "addInfoNotAvailable" },
	{ TS_INFO_SYSTEM_FAILURE, "systemFailure" },
};

/* "rejection (badAlg): text" for a PKIStatusInfo that does not grant a token. */
static void describe_status(const TS_STATUS_INFO *si, char *out, size_t outlen)
{
	long status = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(si));
	const ASN1_BIT_STRING *fi = TS_STATUS_INFO_get0_failure_info(si);
	const STACK_OF(ASN1_UTF8STRING) *text = TS_STATUS_INFO_get0_text(si);
	size_t n;
	snprintf(out, outlen, "%s", pki_status_name(status));
	if (fi) {
		const char *sep = " (";
		for (size_t i = 0; i < sizeof(failure_bits) / sizeof(failure_bits[0]); i++) {
			if (!ASN1_BIT_STRING_get_bit(fi, failure_bits[i].bit))
				continue;
			n = strlen(out);
			snprintf(out + n, outlen - n, "%s%s", sep, failure_bits[i].name);
			sep = ", ";
		}
		if (strcmp(sep, ", ") == 0) {
			n = strlen(out);
			snprintf(out + n, outlen - n, ")");
		}
	}
	if (text && sk_ASN1_UTF8STRING_num(text) > 0) {
		const ASN1_UTF8STRING *t = sk_ASN1_UTF8STRING_value(text, 0);
		char clean[200];
		copy_printable(clean, sizeof(clean), ASN1_STRING_get0_data(t),
		    (size_t)ASN1_STRING_length(t));
		n = strlen(out);
		snprintf(out + n, outlen - n, ": %s", clean);
	}
}

/* ------------------------------------------------------------ token check ---- */

static void verdict(struct tsa_token_info *info, enum scelle_verdict v, const char *sub,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void verdict(struct tsa_token_info *info, enum scelle_verdict v, const char *sub,
    const char *fmt, ...)
{
	va_list ap;
	info->status = v;
	info->subindication = sub;
	va_start(ap, fmt);
	vsnprintf(info->reason, sizeof(info->reason), L_(fmt), ap);
	va_end(ap);
}

static void name_oneline(const X509_NAME *name, char *out, size_t outlen)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long n;
	out[0] = '\0';
	if (!b)
		return;
	if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0 &&
	    (n = BIO_get_mem_data(b, &p)) > 0)
		copy_printable(out, outlen, (unsigned char *)p, (size_t)n);
	BIO_free(b);
}

/* Fills what the report shows: genTime, policy, serial number, TSA name. */
static void describe_tst(TS_TST_INFO *tst, struct tsa_token_info *info)
{
	const ASN1_GENERALIZEDTIME *gt = TS_TST_INFO_get_time(tst);
	const ASN1_OBJECT *pol = TS_TST_INFO_get_policy_id(tst);
	const GENERAL_NAME *tsa = TS_TST_INFO_get_tsa(tst);
	struct tm tm;
	BIGNUM *bn;
	char *hex;

	if (gt && ASN1_TIME_to_tm(gt, &tm) == 1)
		info->gen_time = timegm(&tm);
	if (pol)
		OBJ_obj2txt(info->policy, sizeof(info->policy), pol, 1);
	if ((bn = ASN1_INTEGER_to_BN(TS_TST_INFO_get_serial(tst), NULL)) != NULL) {
		if ((hex = BN_bn2hex(bn)) != NULL) {
			copy_printable(info->serial, sizeof(info->serial), (unsigned char *)hex,
			    strlen(hex));
			OPENSSL_free(hex);
		}
		BN_free(bn);
	}
	if (tsa && tsa->type == GEN_DIRNAME)
		name_oneline(tsa->d.directoryName, info->tsa_name, sizeof(info->tsa_name));
	else if (tsa && (tsa->type == GEN_URI || tsa->type == GEN_DNS || tsa->type == GEN_EMAIL))
		copy_printable(info->tsa_name, sizeof(info->tsa_name),
		    ASN1_STRING_get0_data(tsa->d.ia5), (size_t)ASN1_STRING_length(tsa->d.ia5));
}

/* RFC 3161 §2.4.2: the imprint is a hash of the data with the algorithm the token names.  We
 * accept only the SHA-2 family: a token over an MD5 or SHA-1 imprint proves nothing today. */
static int check_imprint(PKCS7 *p7, TS_TST_INFO *tst, const unsigned char *data, size_t n,
    struct tsa_token_info *info)
{
	X509_ALGOR *alg = TS_MSG_IMPRINT_get_algo(TS_TST_INFO_get_msg_imprint(tst));
	int nid = OBJ_obj2nid(alg->algorithm);
	const EVP_MD *md = EVP_get_digestbynid(nid);
	unsigned char *imprint;
	unsigned int len = 0;
	TS_VERIFY_CTX *vctx;
	int ok = 0;

	if (!md || (nid != NID_sha256 && nid != NID_sha384 && nid != NID_sha512)) {
		verdict(info, SCELLE_INDETERMINATE, "CRYPTO_CONSTRAINTS_FAILURE",
		    "the token's imprint uses %s, which is not accepted (SHA-256, SHA-384, SHA-512)",
		    md ? EVP_MD_get0_name(md) : L_("an unknown hash algorithm"));
		return -1;
	}
	if (!(imprint = OPENSSL_malloc(EVP_MAX_MD_SIZE)) ||
	    EVP_Digest(data, n, imprint, &len, md, NULL) != 1 || !(vctx = TS_VERIFY_CTX_new())) {
		OPENSSL_free(imprint);
		verdict(info, SCELLE_INDETERMINATE, "GENERIC", "cannot compute the imprint");
		return -1;
	}
	/* TS_VFY_IMPRINT compares the bytes; TS_VFY_VERSION wants TSTInfo version 1. */
	TS_VERIFY_CTX_set_flags(vctx, TS_VFY_VERSION | TS_VFY_IMPRINT);
	if (ts_verify_ctx_set0_imprint(vctx, imprint, (long)len)) {
		ok = TS_RESP_verify_token(vctx, p7) == 1;
	} else {
		OPENSSL_free(imprint);
	}
	TS_VERIFY_CTX_free(vctx);
	if (!ok) {
		unsigned long err = ERR_peek_error();
		if (ERR_GET_LIB(err) == ERR_LIB_TS && ERR_GET_REASON(err) == TS_R_UNSUPPORTED_VERSION)
			verdict(info, SCELLE_FAILED, "FORMAT_FAILURE",
			    "the token's TSTInfo version is not 1 (RFC 3161 §2.4.2)");
		else
			verdict(info, SCELLE_FAILED, "HASH_FAILURE",
			    "the token's message imprint is not the hash of the time-stamped data");
		ERR_clear_error();
		return -1;
	}
	return 0;
}

/* The CMS signature of the token itself (signed attributes, message-digest over TSTInfo). */
static int check_signature(PKCS7 *p7, PKCS7_SIGNER_INFO *si, X509 *signer,
    struct tsa_token_info *info)
{
	BIO *p7bio = PKCS7_dataInit(p7, NULL);
	char buf[4096];
	int ok = 0;
	if (p7bio) {
		while (BIO_read(p7bio, buf, sizeof(buf)) > 0)
			;
		ok = PKCS7_signatureVerify(p7bio, p7, si, signer) > 0;
		BIO_free_all(p7bio);
	}
	ERR_clear_error();
	if (!ok)
		verdict(info, SCELLE_FAILED, "SIG_CRYPTO_FAILURE",
		    "the token's signature does not verify with the TSA certificate");
	return ok ? 0 : -1;
}

static void *unpack_attr(const PKCS7_SIGNER_INFO *si, int nid,
    void *(*d2i)(void **, const unsigned char **, long))
{
	ASN1_TYPE *a = PKCS7_get_signed_attribute(si, nid);
	const unsigned char *p;
	if (!a || a->type != V_ASN1_SEQUENCE)
		return NULL;
	p = a->value.sequence->data;
	return d2i(NULL, &p, a->value.sequence->length);
}

/* RFC 3161 §2.4.1 and RFC 5816: the token names its signing certificate in an ESS
 * signing-certificate (ESSCertID, SHA-1) or signing-certificate-v2 (ESSCertIDv2) attribute. */
static int check_ess(PKCS7_SIGNER_INFO *si, X509 *signer, struct tsa_token_info *info)
{
	ESS_SIGNING_CERT *ss = unpack_attr(si, NID_id_smime_aa_signingCertificate,
	    (void *(*)(void **, const unsigned char **, long))d2i_ESS_SIGNING_CERT);
	ESS_SIGNING_CERT_V2 *ssv2 = unpack_attr(si, NID_id_smime_aa_signingCertificateV2,
	    (void *(*)(void **, const unsigned char **, long))d2i_ESS_SIGNING_CERT_V2);
	STACK_OF(X509) *chain = sk_X509_new_null();
	int ok = chain && sk_X509_push(chain, signer) > 0 &&
	    OSSL_ESS_check_signing_certs(ss, ssv2, chain, 1) > 0;
	ERR_clear_error();
	sk_X509_free(chain);
	ESS_SIGNING_CERT_free(ss);
	ESS_SIGNING_CERT_V2_free(ssv2);
	if (!ok)
		verdict(info, SCELLE_INDETERMINATE, "NO_SIGNING_CERTIFICATE_FOUND",
		    ss || ssv2 ? "the token's ESSCertID does not match the TSA certificate"
			       : L_("the token has no ESS signing-certificate attribute (RFC 3161 §2.4.1)"));
	return ok ? 0 : -1;
}

/* RFC 3161 §2.3: the TSA certificate carries exactly one extended key usage,
 * id-kp-timeStamping, and that extension is critical (signer_policy.c).  The token's
 * digest and signature algorithms and the TSA's key must stand under ETSI TS 119 312. */
static int check_tsa_policy(PKCS7_SIGNER_INFO *si, X509 *signer, struct tsa_token_info *info)
{
	X509_ALGOR *dig = NULL, *sig = NULL;
	char why[256];
	if (cert_can_timestamp(signer, why, sizeof(why))) {
		verdict(info, SCELLE_INDETERMINATE, "CHAIN_CONSTRAINTS_FAILURE",
		    "the TSA certificate '%s' %s", info->signer, why);
		return -1;
	}
	PKCS7_SIGNER_INFO_get0_algs(si, NULL, &dig, &sig);
	if (!dig || !sig || weak_algorithms(dig, sig, X509_get0_pubkey(signer), why, sizeof(why))) {
		verdict(info, SCELLE_INDETERMINATE, "CRYPTO_CONSTRAINTS_FAILURE_NO_POE",
		    "the token %s, which ETSI TS 119 312 no longer accepts", dig && sig ? why : L_("names no algorithm"));
		return -1;
	}
	return 0;
}

/* The TSA chain is judged at genTime (RFC 3161 appendix B): a TSA certificate that expired
 * after it issued the token does not make the token worthless. */
static int check_chain(X509 *signer, STACK_OF(X509) *untrusted, X509_STORE *trust,
    struct tsa_token_info *info)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int ok = 0, err = X509_V_ERR_UNSPECIFIED;
	if (ctx && X509_STORE_CTX_init(ctx, trust, signer, untrusted) == 1) {
		X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);
		X509_VERIFY_PARAM_set_time(param, info->gen_time);
		X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_TIMESTAMP_SIGN);
		ok = X509_verify_cert(ctx) == 1;
		err = X509_STORE_CTX_get_error(ctx);
	}
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	if (ok)
		return 0;
	switch (err) {
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_CERT_UNTRUSTED:
		verdict(info, SCELLE_INDETERMINATE, "NO_CERTIFICATE_CHAIN_FOUND",
		    "the TSA certificate '%s' does not chain to a trusted time-stamp authority",
		    info->signer);
		break;
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		verdict(info, SCELLE_INDETERMINATE, "OUT_OF_BOUNDS_NO_POE",
		    "a certificate of the TSA chain was not valid at the token's genTime: %s",
		    X509_verify_cert_error_string(err));
		break;
	default:
		verdict(info, SCELLE_INDETERMINATE, "CHAIN_CONSTRAINTS_FAILURE",
		    "the TSA chain does not validate: %s", X509_verify_cert_error_string(err));
	}
	return -1;
}

int tsa_token_check(const unsigned char *token, size_t len, const unsigned char *data, size_t n,
    X509_STORE *tsa_trust, struct tsa_token_info *info, struct scerr *e)
{
	const unsigned char *p = token;
	PKCS7 *p7 = NULL;
	TS_TST_INFO *tst = NULL;
	STACK_OF(PKCS7_SIGNER_INFO) *sinfos;
	STACK_OF(X509) *signers = NULL;
	X509 *signer;

	memset(info, 0, sizeof(*info));
	info->status = SCELLE_PASSED;
	if (len > LONG_MAX || !(p7 = d2i_PKCS7(NULL, &p, (long)len)) || p != token + len ||
	    !(tst = PKCS7_to_TS_TST_INFO(p7)) || !(sinfos = PKCS7_get_signer_info(p7)) ||
	    sk_PKCS7_SIGNER_INFO_num(sinfos) != 1) {
		ERR_clear_error();
		verdict(info, SCELLE_FAILED, "FORMAT_FAILURE",
		    "the token is not an RFC 3161 TimeStampToken with one signer");
		goto done;
	}
	describe_tst(tst, info);
	/* certReq was true (RFC 3161 §2.4.1), so the TSA certificate is in the token. */
	if ((signers = PKCS7_get0_signers(p7, NULL, 0)) != NULL && sk_X509_num(signers) == 1) {
		signer = sk_X509_value(signers, 0);
		name_oneline(X509_get_subject_name(signer), info->signer, sizeof(info->signer));
		if (!info->tsa_name[0])
			snprintf(info->tsa_name, sizeof(info->tsa_name), "%s", info->signer);
	} else {
		signer = NULL;
	}
	ERR_clear_error();
	if (check_imprint(p7, tst, data, n, info) < 0)
		goto done;
	if (!signer) {
		verdict(info, SCELLE_INDETERMINATE, "NO_SIGNING_CERTIFICATE_FOUND",
		    "the token does not carry the TSA certificate");
		goto done;
	}
	if (check_signature(p7, sk_PKCS7_SIGNER_INFO_value(sinfos, 0), signer, info) < 0 ||
	    check_ess(sk_PKCS7_SIGNER_INFO_value(sinfos, 0), signer, info) < 0 ||
	    check_tsa_policy(sk_PKCS7_SIGNER_INFO_value(sinfos, 0), signer, info) < 0)
		goto done;
	if (!tsa_trust) {
		info->no_trust_anchor = 1;
		verdict(info, SCELLE_INDETERMINATE, "NO_CERTIFICATE_CHAIN_FOUND",
		    "no time-stamp trust anchor was given, so the TSA '%s' is unknown", info->signer);
		goto done;
	}
	check_chain(signer, p7->d.sign->cert, tsa_trust, info);
done:
	sk_X509_free(signers);
	TS_TST_INFO_free(tst);
	PKCS7_free(p7);
	(void)e; /* every outcome is a verdict: nothing here is an operational error */
	return 0;
}

/* ------------------------------------------------------------------ client ---- */

static TS_REQ *make_request(const unsigned char md[32], const char *policy, ASN1_INTEGER **nonce,
    struct scerr *e)
{
	TS_REQ *req = TS_REQ_new();
	TS_MSG_IMPRINT *mi = TS_MSG_IMPRINT_new();
	X509_ALGOR *alg = X509_ALGOR_new();
	ASN1_OBJECT *pol = NULL;
	BIGNUM *bn = NULL;
	unsigned char rnd[8];
	int ok = 0;

	*nonce = NULL;
	if (policy && !(pol = OBJ_txt2obj(policy, 1))) {
		scerr_set(e, SCELLE_E_USAGE, "invalid time-stamp policy OID '%s'", policy);
		goto out;
	}
	/* RFC 3161 §2.4.1: a nonce of 64 random bits ties the reply to this request. */
	if (!req || !mi || !alg || RAND_bytes(rnd, sizeof(rnd)) != 1 ||
	    !(bn = BN_bin2bn(rnd, sizeof(rnd), NULL)) || !(*nonce = BN_to_ASN1_INTEGER(bn, NULL)) ||
	    !TS_REQ_set_version(req, 1) ||
	    !X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, NULL) ||
	    !TS_MSG_IMPRINT_set_algo(mi, alg) || !TS_MSG_IMPRINT_set_msg(mi, (unsigned char *)md, 32) ||
	    !TS_REQ_set_msg_imprint(req, mi) || !TS_REQ_set_nonce(req, *nonce) ||
	    !TS_REQ_set_cert_req(req, 1) || (pol && !TS_REQ_set_policy_id(req, pol))) {
		scerr_ssl(e, SCELLE_E_CRYPTO, "cannot build a time-stamp request");
		goto out;
	}
	ok = 1;
out:
	BN_free(bn);
	ASN1_OBJECT_free(pol);
	X509_ALGOR_free(alg);
	TS_MSG_IMPRINT_free(mi);
	if (!ok) {
		TS_REQ_free(req);
		ASN1_INTEGER_free(*nonce);
		*nonce = NULL;
		return NULL;
	}
	return req;
}

/* Turns a failed OSSL_HTTP_transfer() into one line that says what went wrong. */
static void http_error(const char *url, int timeout, time_t started, struct scerr *e)
{
	unsigned long err;
	const char *data = NULL;
	int flags = 0, timed_out = 0, no_connect = 0, wrong_type = 0, http_status = 0;
	char detail[256] = "";

	while ((err = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
		int lib = ERR_GET_LIB(err), reason = ERR_GET_REASON(err);
		/* OpenSSL retries a refused connection until the timeout (the server may be
		 * starting), so "connect timeout" covers both a dead port and a silent host. */
		if (lib == ERR_LIB_BIO && reason == BIO_R_CONNECT_TIMEOUT)
			no_connect = 1;
		else if ((lib == ERR_LIB_HTTP && reason == HTTP_R_RETRY_TIMEOUT) ||
		    (lib == ERR_LIB_BIO && reason == BIO_R_TRANSFER_TIMEOUT))
			timed_out = 1;
		else if (lib == ERR_LIB_HTTP && (reason == HTTP_R_UNEXPECTED_CONTENT_TYPE ||
						    reason == HTTP_R_MISSING_CONTENT_TYPE ||
						    reason == HTTP_R_MISSING_ASN1_ENCODING))
			wrong_type = 1;
		else if (lib == ERR_LIB_HTTP && (reason == HTTP_R_RECEIVED_ERROR ||
						    reason == HTTP_R_STATUS_CODE_UNSUPPORTED))
			http_status = 1;
		if (!detail[0] || wrong_type || http_status) {
			const char *r = ERR_reason_error_string(err);
			if (data && (flags & ERR_TXT_STRING) && *data)
				snprintf(detail, sizeof(detail), "%s (%s)", r ? r : "error", data);
			else if (r)
				snprintf(detail, sizeof(detail), "%s", r);
		}
		if (wrong_type || http_status)
			break;
	}
	ERR_clear_error();
	if (!no_connect && !timed_out && !wrong_type && !http_status &&
	    time(NULL) - started >= timeout)
		timed_out = 1;
	if (no_connect)
		scerr_set(e, SCELLE_E_NETWORK,
		    "cannot connect to time-stamp authority '%s' within %d s", url, timeout);
	else if (timed_out)
		scerr_set(e, SCELLE_E_NETWORK, "time-stamp authority '%s' did not answer within %d s",
		    url, timeout);
	else if (wrong_type)
		scerr_set(e, SCELLE_E_NETWORK, "'%s' did not answer with a time-stamp reply: %s", url,
		    detail);
	else if (http_status)
		scerr_set(e, SCELLE_E_NETWORK, "time-stamp authority '%s' answered with an HTTP error: %s",
		    url, detail);
	else
		scerr_set(e, SCELLE_E_NETWORK, "cannot reach time-stamp authority '%s': %s", url,
		    detail[0] ? detail : L_("unknown error"));
}

int tsa_access_set(struct tsa_access *a, const char *ca, const char *auth, const char *cert,
    const char *key, struct scerr *e)
{
	const char *files[] = { ca, cert, key };
	for (size_t i = 0; i < 3; i++)
		if (files[i] && access(files[i], R_OK) != 0) {
			scerr_set(e, SCELLE_E_IO, "cannot open '%s': %s", files[i], strerror(errno));
			return SCELLE_E_IO;
		}
	if (key && !cert) {
		scerr_set(e, SCELLE_E_USAGE, "a TSA client key needs its certificate");
		return SCELLE_E_USAGE;
	}
	if (auth && !strchr(auth, ':')) {
		scerr_set(e, SCELLE_E_USAGE, "TSA authentication must be user:password");
		return SCELLE_E_USAGE;
	}
	tsa_access_clear(a);
	if ((ca && !(a->ca = xstrdup(ca))) || (auth && !(a->auth = xstrdup(auth))) ||
	    (cert && !(a->cert = xstrdup(cert))) || (key && !(a->key = xstrdup(key)))) {
		tsa_access_clear(a);
		scerr_set(e, SCELLE_E_NOMEM, "out of memory");
		return SCELLE_E_NOMEM;
	}
	return SCELLE_OK;
}

void tsa_access_clear(struct tsa_access *a)
{
	if (a->auth)
		OPENSSL_cleanse(a->auth, strlen(a->auth));
	free(a->ca);
	free(a->auth);
	free(a->cert);
	free(a->key);
	memset(a, 0, sizeof(*a));
}

/* The TCP connection to a TSA.  OSSL_HTTP_transfer() would retry a refused connection until
 * the timeout (for a server that may be starting), so that a dead port cost the whole 30 s:
 * here "connection refused" is known at once and the next TSA is asked (sign.c).  The
 * socket is non-blocking, so that the HTTP client's timeout holds for the exchange. */
static BIO *tsa_connect(const char *url, const char *host, const char *port, time_t deadline,
    int timeout, struct scerr *e)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res = NULL;
	int err = 0, fd = -1, gai = getaddrinfo(host, port, &hints, &res);
	BIO *b;

	if (gai) {
		scerr_set(e, SCELLE_E_NETWORK, "cannot reach time-stamp authority '%s': %s", url,
		    gai_strerror(gai));
		return NULL;
	}
	for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
		if ((fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    a->ai_protocol)) < 0) {
			err = errno;
			continue;
		}
		err = connect(fd, a->ai_addr, a->ai_addrlen) == 0 ? 0 : errno;
		if (err == EINPROGRESS) {
			struct pollfd p = { fd, POLLOUT, 0 };
			socklen_t len = sizeof(err);
			int n;
			do {
				long left = (long)(deadline - time(NULL));
				n = poll(&p, 1, left > 0 ? (int)left * 1000 : 0);
			} while (n < 0 && errno == EINTR);
			if (n == 0)
				err = ETIMEDOUT;
			else if (n < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
				err = errno;
		}
		if (err) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd < 0) {
		if (err == ETIMEDOUT)
			scerr_set(e, SCELLE_E_NETWORK,
			    "cannot connect to time-stamp authority '%s' within %d s", url, timeout);
		else
			scerr_set(e, SCELLE_E_NETWORK, "cannot connect to time-stamp authority '%s': %s",
			    url, strerror(err));
		return NULL;
	}
	if (!(b = BIO_new_socket(fd, BIO_CLOSE))) {
		close(fd);
		scerr_ssl(e, SCELLE_E_NOMEM, "out of memory");
	}
	return b;
}

/* TLS for an https TSA (RFC 2818): the server's certificate must lead to the given CA
 * certificates, else to the system's store, and name the URL's host. */
struct tls_arg {
	SSL_CTX *ctx;
	const char *host, *port;
	int proxy, timeout;
};

static int no_pass(char *buf, int size, int rw, void *u)
{
	(void)buf, (void)size, (void)rw, (void)u;
	return -1;	/* an encrypted client key is refused, never prompted for */
}

static SSL_CTX *tls_context(const char *url, const struct tsa_access *a, struct scerr *e)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	const char *what = NULL, *file = NULL;
	if (!ctx) {
		scerr_ssl(e, SCELLE_E_NOMEM, "out of memory");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_default_passwd_cb(ctx, no_pass);
	if (a && a->ca ? SSL_CTX_load_verify_locations(ctx, a->ca, NULL) != 1
	    : SSL_CTX_set_default_verify_paths(ctx) != 1)
		what = "CA certificates", file = a && a->ca ? a->ca : "the system store";
	else if (a && a->cert && SSL_CTX_use_certificate_chain_file(ctx, a->cert) != 1)
		what = "client certificate", file = a->cert;
	else if (a && a->cert && (SSL_CTX_use_PrivateKey_file(ctx, a->key ? a->key : a->cert,
	    SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1))
		what = "client key (PEM, not encrypted)", file = a->key ? a->key : a->cert;
	if (what) {
		scerr_ssl(e, SCELLE_E_IO, "time-stamp authority '%s': cannot load the %s from '%s'",
		    url, what, file);
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* The TLS layer over a connection to t->host, in client mode, checking the server's name
 * (or IP address) against its certificate. */
static BIO *tls_layer(BIO *below, const struct tls_arg *t)
{
	BIO *sbio = BIO_new_ssl(t->ctx, 1);
	SSL *ssl = NULL;
	unsigned char ip[16];
	int is_ip = inet_pton(AF_INET, t->host, ip) == 1 || inet_pton(AF_INET6, t->host, ip) == 1;
	if (!sbio || BIO_get_ssl(sbio, &ssl) <= 0 || !ssl ||
	    (is_ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), t->host) != 1
		   : SSL_set_tlsext_host_name(ssl, t->host) != 1 || SSL_set1_host(ssl, t->host) != 1)) {
		BIO_free(sbio);
		return NULL;
	}
	return BIO_push(sbio, below);
}

/* OSSL_HTTP_transfer()'s hook when OpenSSL connects to a proxy: there, CONNECT and TLS;
 * before closing, the TLS layer comes off again. */
static BIO *tls_hook(BIO *bio, void *arg, int connect, int detail)
{
	struct tls_arg *t = arg;
	if (connect && detail)
		return OSSL_HTTP_proxy_connect(bio, t->host, t->port, NULL, NULL, t->timeout, NULL,
		    NULL) ? tls_layer(bio, t) : NULL;
	if (!connect) {
		BIO *next = BIO_pop(bio);
		BIO_free(bio);	/* the TLS layer */
		return next;
	}
	return bio;
}

/* Sends the DER request and returns the parsed reply, or NULL with e set. */
static TS_RESP *post_request(const char *url, TS_REQ *req, int timeout,
    const struct tsa_access *access, struct scerr *e)
{
	char *host = NULL, *port = NULL, *path = NULL, *query = NULL, *fullpath = NULL;
	int use_ssl = 0;
	BIO *reqbio = NULL, *rspbio = NULL, *conn = NULL;
	TS_RESP *resp = NULL;
	STACK_OF(CONF_VALUE) *headers = NULL;
	struct tls_arg tls = { 0 };
	time_t started = time(NULL);

	if (!OSSL_HTTP_parse_url(url, &use_ssl, NULL, &host, &port, NULL, &path, &query, NULL)) {
		ERR_clear_error();
		scerr_set(e, SCELLE_E_USAGE, "invalid time-stamp authority URL '%s'", url);
		goto out;
	}
	/* The token is signed, so plain HTTP loses nothing (RFC 3161 §3.4); a password would. */
	if (access && access->auth && !use_ssl) {
		scerr_set(e, SCELLE_E_USAGE, "time-stamp authority '%s': a password is sent over "
		    "https only", url);
		goto out;
	}
	if (access && access->auth) {
		/* RFC 7617: Authorization: Basic base64(user:password) */
		size_t n = strlen(access->auth);
		char *v = malloc(6 + 4 * ((n + 2) / 3) + 1);
		int ok = v != NULL;
		if (ok) {
			memcpy(v, "Basic ", 6);
			EVP_EncodeBlock((unsigned char *)v + 6, (const unsigned char *)access->auth, (int)n);
			ok = X509V3_add_value("Authorization", v, &headers) == 1;
			OPENSSL_cleanse(v, strlen(v));
			free(v);
		}
		if (!ok) {
			scerr_set(e, SCELLE_E_NOMEM, "out of memory");
			goto out;
		}
	}
	tls.host = host;
	tls.port = port;
	tls.timeout = timeout;
	/* proxy and no_proxy NULL: OpenSSL takes http_proxy/HTTP_PROXY and no_proxy/NO_PROXY
	 * from the environment (OSSL_HTTP_adapt_proxy(3)); through a proxy, OpenSSL connects. */
	tls.proxy = OSSL_HTTP_adapt_proxy(NULL, NULL, host, use_ssl) != NULL;
	if (use_ssl && !(tls.ctx = tls_context(url, access, e)))
		goto out;
	if (!tls.proxy && !(conn = tsa_connect(url, host, port, started + timeout, timeout, e)))
		goto out;
	if (conn && use_ssl) {
		BIO *top = tls_layer(conn, &tls);
		if (!top) {
			scerr_ssl(e, SCELLE_E_CRYPTO, "time-stamp authority '%s': cannot set up TLS", url);
			goto out;
		}
		conn = top;
	}
	if (query && *query) {
		size_t len = strlen(path) + strlen(query) + 2;
		if (!(fullpath = malloc(len))) {
			scerr_set(e, SCELLE_E_NOMEM, "out of memory");
			goto out;
		}
		snprintf(fullpath, len, "%s?%s", path, query);
	}
	if (!(reqbio = BIO_new(BIO_s_mem())) || i2d_TS_REQ_bio(reqbio, req) != 1) {
		scerr_ssl(e, SCELLE_E_CRYPTO, "cannot encode the time-stamp request");
		goto out;
	}
	/* RFC 3161 §3.4 fixes both MIME types; expect_asn1 makes OpenSSL check the reply is one
	 * DER object.  The time left after connecting is the exchange's. */
	long left = (long)(started + timeout - time(NULL));
	rspbio = OSSL_HTTP_transfer(NULL, host, port, fullpath ? fullpath : path, use_ssl && tls.proxy, NULL,
	    NULL, conn, conn, use_ssl && tls.proxy ? tls_hook : NULL, &tls, 0, headers,
	    "application/timestamp-query", reqbio, "application/timestamp-reply", 1, TSA_MAX_REPLY,
	    left > 0 ? (int)left : 1, 0);
	if (!rspbio) {
		http_error(url, timeout, started, e);
		goto out;
	}
	if (!(resp = d2i_TS_RESP_bio(rspbio, NULL))) {
		ERR_clear_error();
		scerr_set(e, SCELLE_E_NETWORK, "'%s' sent a malformed time-stamp reply", url);
	}
out:
	BIO_free(rspbio);
	BIO_free(reqbio);
	BIO_free_all(conn);
	SSL_CTX_free(tls.ctx);
	for (int i = 0; i < sk_CONF_VALUE_num(headers); i++) {
		char *v = sk_CONF_VALUE_value(headers, i)->value;
		OPENSSL_cleanse(v, strlen(v));
	}
	sk_CONF_VALUE_pop_free(headers, X509V3_conf_free);
	free(fullpath);
	OPENSSL_free(host);
	OPENSSL_free(port);
	OPENSSL_free(path);
	OPENSSL_free(query);
	return resp;
}

/* RFC 3161 §2.4.2: the reply must grant, and echo our nonce, imprint and policy. */
static int check_reply(const char *url, TS_RESP *resp, const unsigned char md[32],
    const ASN1_INTEGER *nonce, const char *policy, struct scerr *e)
{
	TS_STATUS_INFO *si = TS_RESP_get_status_info(resp);
	long status = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(si));
	TS_TST_INFO *tst = TS_RESP_get_tst_info(resp);
	char text[512];

	if (status != TS_STATUS_GRANTED && status != TS_STATUS_GRANTED_WITH_MODS) {
		describe_status(si, text, sizeof(text));
		scerr_set(e, SCELLE_E_NETWORK, "time-stamp authority '%s' refused: %s", url, text);
		return -1;
	}
	if (!tst || !TS_RESP_get_token(resp)) {
		scerr_set(e, SCELLE_E_NETWORK, "time-stamp authority '%s' granted but sent no token",
		    url);
		return -1;
	}
	TS_MSG_IMPRINT *mi = TS_TST_INFO_get_msg_imprint(tst);
	const ASN1_OCTET_STRING *h = TS_MSG_IMPRINT_get_msg(mi);
	if (OBJ_obj2nid(TS_MSG_IMPRINT_get_algo(mi)->algorithm) != NID_sha256 ||
	    ASN1_STRING_length(h) != 32 || CRYPTO_memcmp(ASN1_STRING_get0_data(h), md, 32) != 0) {
		scerr_set(e, SCELLE_E_NETWORK,
		    "time-stamp authority '%s' time-stamped something else (imprint mismatch)", url);
		return -1;
	}
	const ASN1_INTEGER *got = TS_TST_INFO_get_nonce(tst);
	if (!got || ASN1_INTEGER_cmp(got, nonce) != 0) {
		scerr_set(e, SCELLE_E_NETWORK,
		    "time-stamp authority '%s' answered with a wrong nonce (a replayed or stale reply)",
		    url);
		return -1;
	}
	if (policy) {
		ASN1_OBJECT *want = OBJ_txt2obj(policy, 1);
		int same = want && OBJ_cmp(want, TS_TST_INFO_get_policy_id(tst)) == 0;
		ASN1_OBJECT_free(want);
		if (!same) {
			scerr_set(e, SCELLE_E_NETWORK,
			    "time-stamp authority '%s' used another policy than %s", url, policy);
			return -1;
		}
	}
	return 0;
}

int tsa_request(const char *url, const unsigned char *data, size_t n,
    const struct tsa_options *opt, unsigned char **token, size_t *token_len, struct scerr *e)
{
	const char *policy = opt ? opt->policy : NULL;
	int timeout = opt && opt->timeout > 0 ? opt->timeout : TSA_DEFAULT_TIMEOUT;
	unsigned char md[32], *der = NULL;
	ASN1_INTEGER *nonce = NULL;
	TS_REQ *req = NULL;
	TS_RESP *resp = NULL;
	struct tsa_token_info info;
	int len, ret = -1;

	*token = NULL;
	*token_len = 0;
	if (sha256(data, n, md) < 0) {
		scerr_ssl(e, SCELLE_E_CRYPTO, "cannot hash the data to time-stamp");
		return -1;
	}
	if (!(req = make_request(md, policy, &nonce, e)) ||
	    !(resp = post_request(url, req, timeout, opt ? opt->access : NULL, e)) ||
	    check_reply(url, resp, md, nonce, policy, e) < 0)
		goto out;
	if ((len = i2d_PKCS7(TS_RESP_get_token(resp), &der)) <= 0) {
		scerr_ssl(e, SCELLE_E_CRYPTO, "cannot encode the token from '%s'", url);
		goto out;
	}
	/* Catch a broken token now, while the seal can still fail cleanly: everything but the
	 * trust in the TSA, which is the verifier's business, must hold. */
	tsa_token_check(der, (size_t)len, data, n, NULL, &info, e);
	if (info.status != SCELLE_PASSED && !info.no_trust_anchor) {
		scerr_set(e, SCELLE_E_NETWORK, "the token from '%s' is not valid: %s", url,
		    info.reason);
		goto out;
	}
	if (!(*token = malloc((size_t)len))) {
		scerr_set(e, SCELLE_E_NOMEM, "out of memory");
		goto out;
	}
	memcpy(*token, der, (size_t)len);
	*token_len = (size_t)len;
	ret = 0;
out:
	OPENSSL_free(der);
	TS_RESP_free(resp);
	TS_REQ_free(req);
	ASN1_INTEGER_free(nonce);
	return ret;
}
