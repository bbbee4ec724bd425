/* revocation.c — revocation data for the signer's chain (the CAdES-B-LT level, EN 319
 * 122-1 §5.5 and §6.3): CRLs (RFC 5280) and OCSP responses (RFC 6960) fetched or read at
 * seal time and embedded in the signature, and what the data says of a certificate at a
 * given time, which verify_sig.c turns into checks in the terms of EN 319 102-1 (REVOKED,
 * REVOKED_NO_POE, TRY_LATER).
 *
 * Which certificates must have revocation data: every certificate of the signer's chain
 * below the trust anchor, as in EU DSS's default policy; with none at hand its status is
 * unknown and the verdict INDETERMINATE (TRY_LATER), whether or not the certificate names
 * a CRL distribution point (RFC 5280 §4.2.1.13) or an OCSP responder (§4.2.2.1).  Only a
 * certificate with id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1) needs none.
 *
 * All data is judged at the time the earliest trusted time-stamp proves (else the signing
 * time), never at today's date, so that a B-LT archive outlives its OCSP responder's
 * certificate (FORMAT.md §5). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/http.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include "crypto.h"

#define MAX_REVOCATION_BYTES (32u << 20)	/* a national CRL can be large; not larger */
#define SEAL_SLACK 600	/* seconds: verify's default --max-skew */

static time_t to_time(const ASN1_TIME *t)
{
	struct tm tm;
	if (!t || !ASN1_TIME_to_tm(t, &tm))
		return 0;
	return timegm(&tm);
}

void cert_cn(X509 *x, char *out, size_t len)
{
	X509_NAME *n = X509_get_subject_name(x);
	if (X509_NAME_get_text_by_NID(n, NID_commonName, out, (int)len) <= 0)
		X509_NAME_oneline(n, out, (int)len);
}

/* The issuer of x among certs (not x itself), or NULL. */
static X509 *issuer_of(X509 *x, STACK_OF(X509) *certs)
{
	for (int i = 0; i < sk_X509_num(certs); i++) {
		X509 *c = sk_X509_value(certs, i);
		if (X509_cmp(c, x) != 0 && X509_check_issued(c, x) == X509_V_OK)
			return c;
	}
	return NULL;
}

static int self_issued(X509 *x)
{
	return X509_check_issued(x, x) == X509_V_OK;
}

/* The first http URL of x's CRL distribution points and of its OCSP responders. */
void revocation_urls(X509 *x, char *crl, char *ocsp, size_t len)
{
	STACK_OF(DIST_POINT) *dps = X509_get_ext_d2i(x, NID_crl_distribution_points, NULL, NULL);
	STACK_OF(OPENSSL_STRING) *aia = X509_get1_ocsp(x);
	crl[0] = ocsp[0] = '\0';
	for (int i = 0; !crl[0] && i < sk_DIST_POINT_num(dps); i++) {
		DIST_POINT_NAME *dpn = sk_DIST_POINT_value(dps, i)->distpoint;
		for (int j = 0; dpn && dpn->type == 0 && j < sk_GENERAL_NAME_num(dpn->name.fullname); j++) {
			GENERAL_NAME *gn = sk_GENERAL_NAME_value(dpn->name.fullname, j);
			if (gn->type == GEN_URI && gn->d.ia5->length > 7 &&
			    strncmp((const char *)gn->d.ia5->data, "http://", 7) == 0) {
				snprintf(crl, len, "%.*s", gn->d.ia5->length, (const char *)gn->d.ia5->data);
				break;
			}
		}
	}
	for (int i = 0; i < sk_OPENSSL_STRING_num(aia); i++)
		if (strncmp(sk_OPENSSL_STRING_value(aia, i), "http://", 7) == 0) {
			snprintf(ocsp, len, "%s", sk_OPENSSL_STRING_value(aia, i));
			break;
		}
	sk_DIST_POINT_pop_free(dps, DIST_POINT_free);
	X509_email_free(aia);
	ERR_clear_error();
}

/* ------------------------------------------------------------- fetching ---- */

/* Connects to host:port within timeout seconds.  OpenSSL's BIO_do_connect_retry() keeps
 * retrying a refused connection until the timeout; a refusal is final here, so that a
 * responder that is down is reported at once. */
static BIO *connect_to(const char *host, const char *port, int timeout)
{
	BIO *b = BIO_new_connect(host);
	time_t deadline = time(NULL) + timeout;
	if (!b || !BIO_set_conn_port(b, port) || !BIO_set_nbio(b, 1)) {
		BIO_free_all(b);
		return NULL;
	}
	for (;;) {
		if (BIO_do_connect(b) > 0)
			return b;
		if (!BIO_should_retry(b) || BIO_wait(b, deadline, 100) <= 0) {
			BIO_free_all(b);
			return NULL;
		}
	}
}

/* GET (req NULL) or POST an OCSP request to an http URL with OpenSSL's HTTP client. */
static BIO *http_fetch(const char *url, BIO *req, int timeout, struct scerr *e)
{
	char *host = NULL, *port = NULL, *path = NULL;
	int use_ssl = 0;
	BIO *conn = NULL, *rsp = NULL;

	if (!OSSL_HTTP_parse_url(url, &use_ssl, NULL, &host, &port, NULL, &path, NULL, NULL) || use_ssl) {
		scerr_set(e, SCELLE_E_USAGE, "cannot fetch revocation data from '%s': %s", url,
		    use_ssl ? L_("https is not used for CRLs and OCSP (RFC 5280 §4.2.1.13)") : "invalid URL");
		goto out;
	}
	if (!(conn = connect_to(host, port, timeout))) {
		scerr_ssl(e, SCELLE_E_NETWORK, "cannot fetch revocation data from '%s': cannot connect", url);
		goto out;
	}
	rsp = OSSL_HTTP_transfer(NULL, host, port, path, 0, NULL, NULL, conn, conn, NULL, NULL, 0,
	    NULL, req ? "application/ocsp-request" : NULL, req, NULL, 1, MAX_REVOCATION_BYTES,
	    timeout, 0);
	if (!rsp)
		scerr_ssl(e, SCELLE_E_NETWORK, "cannot fetch revocation data from '%s'", url);
out:
	BIO_free_all(conn);
	OPENSSL_free(host);
	OPENSSL_free(port);
	OPENSSL_free(path);
	ERR_clear_error();
	return rsp;
}

X509_CRL *revocation_fetch_crl(const char *url, int timeout, struct scerr *e)
{
	BIO *b = http_fetch(url, NULL, timeout, e);
	X509_CRL *crl = b ? d2i_X509_CRL_bio(b, NULL) : NULL;
	if (b && !crl)
		scerr_set(e, SCELLE_E_NETWORK, "'%s' did not answer with a CRL", url);
	BIO_free(b);
	ERR_clear_error();
	return crl;
}

/* RFC 6960 §4.1.1: the CertID hashes the issuer's name and key; SHA-1 there is only an
 * identifier, and the one every responder must understand (RFC 5019 §2.1.1). */
OCSP_RESPONSE *revocation_fetch_ocsp(const char *url, X509 *x, X509 *issuer, int timeout,
    struct scerr *e)
{
	OCSP_REQUEST *req = OCSP_REQUEST_new();
	OCSP_CERTID *id = OCSP_cert_to_id(EVP_sha1(), x, issuer);
	OCSP_RESPONSE *resp = NULL;
	BIO *rb = BIO_new(BIO_s_mem()), *b = NULL;

	if (!req || !id || !rb || !OCSP_request_add0_id(req, id) ||
	    i2d_OCSP_REQUEST_bio(rb, req) <= 0) {
		if (req && id && !OCSP_request_onereq_count(req))
			OCSP_CERTID_free(id);
		scerr_ssl(e, SCELLE_E_CRYPTO, "cannot build an OCSP request");
		goto out;
	}
	if ((b = http_fetch(url, rb, timeout, e)) && !(resp = d2i_OCSP_RESPONSE_bio(b, NULL)))
		scerr_set(e, SCELLE_E_NETWORK, "'%s' did not answer with an OCSP response", url);
	else if (resp && OCSP_response_status(resp) != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
		scerr_set(e, SCELLE_E_NETWORK, "OCSP responder '%s' refused: %s", url,
		    OCSP_response_status_str(OCSP_response_status(resp)));
		OCSP_RESPONSE_free(resp);
		resp = NULL;
	}
out:
	OCSP_REQUEST_free(req);
	BIO_free(rb);
	BIO_free(b);
	ERR_clear_error();
	return resp;
}

/* ------------------------------------------------------------- judging ---- */

/* Whether data issued at thisUpdate, with nextUpdate (0: none), tells the status at `at`
 * (RFC 5280 §5.1.2.5, RFC 6960 §4.2.2.1): until its nextUpdate; without one, only when it
 * was issued, within `slack` seconds (seal fetches it just before the time-stamp, and the
 * responder's clock is not the TSA's).  An old "good" answer says nothing of a later
 * signature: a forger holding one from before the revocation must not pass with it. */
static int covers(time_t this_update, time_t next_update, time_t at, long slack)
{
	return next_update ? next_update >= at : this_update >= at - slack;
}

/* What the CRLs say of x at time `at`: only a CRL signed by x's issuer counts; a revocation
 * it lists counts whenever it was issued, a "not listed" only if the CRL covers `at`. */
void revocation_crl_status(X509 *x, X509 *issuer, STACK_OF(X509_CRL) *crls, time_t at, long slack,
    struct revocation_status *st)
{
	EVP_PKEY *ik = X509_get0_pubkey(issuer);
	for (int i = 0; i < sk_X509_CRL_num(crls); i++) {
		X509_CRL *crl = sk_X509_CRL_value(crls, i);
		X509_REVOKED *rev = NULL;
		if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer)) != 0 ||
		    !ik || X509_CRL_verify(crl, ik) != 1)
			continue;
		int listed = X509_CRL_get0_by_cert(crl, &rev, x) == 1;
		if (!listed && !covers(to_time(X509_CRL_get0_lastUpdate(crl)),
		    to_time(X509_CRL_get0_nextUpdate(crl)), at, slack))
			continue;
		if (!st->known)
			st->source = "CRL";
		st->known = 1;
		if (listed) {
			time_t r = to_time(X509_REVOKED_get0_revocationDate(rev));
			if (!st->revoked || r < st->rev_time) {
				st->rev_time = r;
				st->source = "CRL";
			}
			st->revoked = 1;
		}
	}
	ERR_clear_error();
}

/* RFC 6960 §4.1.1: a CertID names a certificate by hashes of its issuer's name and key,
 * with the hash the requester chose (SHA-1, SHA-256, ...): match it with that one. */
static OCSP_SINGLERESP *ocsp_single_for(OCSP_BASICRESP *bs, X509 *x, X509 *issuer)
{
	for (int i = 0; i < OCSP_resp_count(bs); i++) {
		OCSP_SINGLERESP *sr = OCSP_resp_get0(bs, i);
		OCSP_CERTID *cid = (OCSP_CERTID *)OCSP_SINGLERESP_get0_id(sr), *mine;
		ASN1_OBJECT *md_oid = NULL;
		const EVP_MD *md;
		int same;
		if (!cid || !OCSP_id_get0_info(NULL, &md_oid, NULL, NULL, cid) ||
		    !(md = EVP_get_digestbyobj(md_oid)) || !(mine = OCSP_cert_to_id(md, x, issuer)))
			continue;
		same = OCSP_id_cmp(mine, cid) == 0;
		OCSP_CERTID_free(mine);
		if (same)
			return sr;
	}
	return NULL;
}

/* RFC 6960 §4.2.2.2: a response counts when it is signed by x's issuer itself, or by a
 * responder the issuer delegated to (issued by it, extendedKeyUsage OCSPSigning).  With
 * trust given, the delegate's chain is judged at `at`, not today: its certificate may
 * have expired since (FORMAT.md §5).  OpenSSL's OCSP_basic_verify() can only judge it
 * today, so it is asked for the signature alone. */
static int ocsp_authorised(OCSP_BASICRESP *bs, X509 *issuer, STACK_OF(X509) *certs,
    X509_STORE *trust, time_t at)
{
	X509 *signer = NULL;
	STACK_OF(X509) *untrusted = NULL;
	X509_STORE_CTX *ctx = NULL;
	int ok = 0;

	if (OCSP_basic_verify(bs, certs, NULL, OCSP_NOVERIFY) <= 0 ||
	    !OCSP_resp_get0_signer(bs, &signer, certs) || !signer)
		return 0;
	if (X509_cmp(signer, issuer) == 0)
		return 1;	/* the issuer, whose chain the caller judged */
	if (X509_check_issued(issuer, signer) != X509_V_OK ||
	    !(X509_get_extension_flags(signer) & EXFLAG_XKUSAGE) ||
	    !(X509_get_extended_key_usage(signer) & XKU_OCSP_SIGN))
		return 0;
	if (!trust)
		return 1;
	if ((untrusted = sk_X509_dup(certs)) && (ctx = X509_STORE_CTX_new())) {
		const STACK_OF(X509) *inner = OCSP_resp_get0_certs(bs);
		for (int i = 0; i < sk_X509_num(inner); i++)
			sk_X509_push(untrusted, sk_X509_value(inner, i));
		if (X509_STORE_CTX_init(ctx, trust, signer, untrusted)) {
			X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_OCSP_HELPER);
			X509_STORE_CTX_set_time(ctx, 0, at);
			ok = X509_verify_cert(ctx) == 1;
		}
	}
	X509_STORE_CTX_free(ctx);
	sk_X509_free(untrusted);
	return ok;
}

/* What the OCSP responses say of x at `at`: those from an authorised responder (judged at
 * `vtime`); "revoked" whenever it was said, "good" only if the response covers `at`. */
void revocation_ocsp_status(X509 *x, X509 *issuer, OCSP_RESPONSE **resp, size_t n,
    STACK_OF(X509) *certs, X509_STORE *trust, time_t at, time_t vtime, long slack,
    struct revocation_status *st)
{
	for (size_t i = 0; i < n; i++) {
		OCSP_BASICRESP *bs = OCSP_response_get1_basic(resp[i]);
		OCSP_SINGLERESP *sr = bs ? ocsp_single_for(bs, x, issuer) : NULL;
		ASN1_GENERALIZEDTIME *revt = NULL, *thisu = NULL, *nextu = NULL;
		int status = sr ? OCSP_single_get0_status(sr, NULL, &revt, &thisu, &nextu) : -1;
		if ((status == V_OCSP_CERTSTATUS_REVOKED || (status == V_OCSP_CERTSTATUS_GOOD &&
		    covers(to_time(thisu), to_time(nextu), at, slack))) &&
		    ocsp_authorised(bs, issuer, certs, trust, vtime)) {
			if (!st->known)
				st->source = "OCSP";
			st->known = 1;
			if (status == V_OCSP_CERTSTATUS_REVOKED) {
				time_t r = to_time(revt);
				if (!st->revoked || r < st->rev_time) {
					st->rev_time = r;
					st->source = "OCSP";
				}
				st->revoked = 1;
			}
		}
		OCSP_BASICRESP_free(bs);
	}
	ERR_clear_error();
}

/* ------------------------------------------------------------ seal side ---- */

static int push_ocsp(struct sign_extra *x, OCSP_RESPONSE *resp)
{
	unsigned char *der = NULL;
	int len = i2d_OCSP_RESPONSE(resp, &der);
	struct buf *v = len > 0 ? grow(x->ocsp, &x->capocsp, x->nocsp + 1, sizeof(*v)) : NULL;
	if (!v) {
		OPENSSL_free(der);
		return -1;
	}
	x->ocsp = v;
	memset(&v[x->nocsp], 0, sizeof(v[0]));
	if (buf_append(&v[x->nocsp], der, (size_t)len)) {
		OPENSSL_free(der);
		return -1;
	}
	x->nocsp++;
	OPENSSL_free(der);
	return 0;
}

static int push_crl(struct sign_extra *x, X509_CRL *crl)
{
	if (!x->crls && !(x->crls = sk_X509_CRL_new_null()))
		return -1;
	return sk_X509_CRL_push(x->crls, crl) ? 0 : -1;
}

int revocation_add_data(struct signer *sg, const char *src, struct scerr *e)
{
	BIO *b;
	X509_CRL *crl;
	OCSP_RESPONSE *resp;

	if (strcmp(src, "auto") == 0 || strcmp(src, "none") == 0) {
		sg->revocation = src[0] == 'a' ? REVOCATION_AUTO : REVOCATION_NONE;
		return SCELLE_OK;
	}
	if (sg->revocation == REVOCATION_DEFAULT)
		sg->revocation = REVOCATION_FILES;	/* the user chose the data */
	if (!(b = BIO_new_file(src, "rb"))) {
		ERR_clear_error();
		scerr_set(e, SCELLE_E_IO, "cannot open '%s': %s", src, strerror(errno));
		return e->code;
	}
	/* A PEM or DER CRL, or a DER OCSP response (what `openssl ocsp -respout` writes). */
	crl = PEM_read_bio_X509_CRL(b, NULL, NULL, NULL);
	if (!crl && BIO_reset(b) == 0)
		crl = d2i_X509_CRL_bio(b, NULL);
	resp = !crl && BIO_reset(b) == 0 ? d2i_OCSP_RESPONSE_bio(b, NULL) : NULL;
	BIO_free(b);
	ERR_clear_error();
	if (crl ? push_crl(&sg->extra, crl) : resp ? push_ocsp(&sg->extra, resp) : 1) {
		X509_CRL_free(crl);
		OCSP_RESPONSE_free(resp);
		if (!crl && !resp)
			scerr_set(e, SCELLE_E_FORMAT, "'%s' is neither a CRL nor an OCSP response", src);
		else
			scerr_set(e, SCELLE_E_NOMEM, "out of memory");
		return e->code;
	}
	OCSP_RESPONSE_free(resp);
	return SCELLE_OK;
}

/* Before signing: fetch the chain's revocation data (by default and with --revocation-data
 * auto: OCSP where the certificate names a responder, else its CRL), say which certificate
 * is left without (FORMAT.md §5: a verifier will find its status unknown), and refuse to
 * sign with a certificate that the data at hand says is revoked. */
int revocation_prepare(struct signer *sg, int timeout, struct scerr *e)
{
	STACK_OF(X509) *all = sk_X509_dup(sg->chain);
	OCSP_RESPONSE **resp = NULL;
	size_t nresp = 0, capresp = 0;
	int rc = -1;

	if (!all || !sk_X509_unshift(all, sg->cert)) {
		scerr_set(e, SCELLE_E_NOMEM, "out of memory");
		goto out;
	}
	for (int i = 0; i < sk_X509_num(all); i++) {
		X509 *x = sk_X509_value(all, i), *issuer;
		char crl_url[1024], ocsp_url[1024], name[256];
		if (self_issued(x))
			continue;	/* a root: its trust is not a matter of revocation */
		cert_cn(x, name, sizeof(name));
		issuer = issuer_of(x, all);
		revocation_urls(x, crl_url, ocsp_url, sizeof(crl_url));
		int fetch = sg->revocation == REVOCATION_AUTO || sg->revocation == REVOCATION_DEFAULT;
		int failed = 0;
		if (fetch && (crl_url[0] || ocsp_url[0])) {
			if (!issuer) {
				scerr_set(e, SCELLE_E_KEY, "the issuer of '%s' is needed for its revocation "
				    "data", name);
				e->hint = "need-chain";
				failed = 1;
			} else if (ocsp_url[0]) {
				OCSP_RESPONSE *r = revocation_fetch_ocsp(ocsp_url, x, issuer, timeout, e);
				if (r && push_ocsp(&sg->extra, r))
					scerr_set(e, SCELLE_E_NOMEM, "out of memory");
				failed = !r || e->code;
				OCSP_RESPONSE_free(r);
			} else {
				X509_CRL *crl = revocation_fetch_crl(crl_url, timeout, e);
				if (crl && push_crl(&sg->extra, crl)) {
					X509_CRL_free(crl);
					scerr_set(e, SCELLE_E_NOMEM, "out of memory");
				}
				failed = !crl || e->code;
			}
			/* Asked for (--revocation-data auto): it must be had.  By default: say so. */
			if (failed && (sg->revocation == REVOCATION_AUTO || e->code == SCELLE_E_NOMEM))
				goto out;
			if (failed) {
				signer_warn_hint(sg, "verify-revocation", "%s: sealed without revocation data "
				    "for '%s' (not B-LT); verifiers will need it", e->msg, name);
				scerr_clear(e);
			}
		}
		struct revocation_status st = { 0 };
		const struct sign_extra *xx = &sg->extra;
		free(resp);
		resp = NULL;
		nresp = capresp = 0;
		for (size_t j = 0; j < xx->nocsp; j++) {
			const unsigned char *p = xx->ocsp[j].data;
			OCSP_RESPONSE *r = d2i_OCSP_RESPONSE(NULL, &p, (long)xx->ocsp[j].len);
			OCSP_RESPONSE **nv = r ? grow(resp, &capresp, nresp + 1, sizeof(*nv)) : NULL;
			if (!nv) {
				OCSP_RESPONSE_free(r);
				continue;
			}
			resp = nv;
			resp[nresp++] = r;
		}
		time_t now = time(NULL);
		if (issuer) {
			revocation_crl_status(x, issuer, xx->crls, now, SEAL_SLACK, &st);
			revocation_ocsp_status(x, issuer, resp, nresp, all, NULL, now, now, SEAL_SLACK, &st);
		}
		for (size_t j = 0; j < nresp; j++)
			OCSP_RESPONSE_free(resp[j]);
		if (st.revoked) {
			char when[32];
			time_rfc3339(st.rev_time, when, sizeof(when));
			scerr_set(e, SCELLE_E_KEY, "certificate '%s' was revoked on %s (%s)", name, when,
			    st.source);
			goto out;
		}
		if (!st.known && !failed && sg->revocation != REVOCATION_NONE &&
		    (issuer || !(sg->extra.crls || sg->extra.nocsp)))
			signer_warn_hint(sg, "embed-crl", "no revocation data embedded for '%s'%s: "
			    "verifiers will need its status to conclude; embed its issuer's CRL", name,
			    crl_url[0] || ocsp_url[0] ? "" :
			    L_(", which names no CRL distribution point or OCSP responder"));
	}
	rc = 0;
out:
	free(resp);
	sk_X509_free(all);
	return rc;
}
