/* custody_verify.c — checking the custody ledger beside an archive (doc/design.md §3 and §5,
 * "→ ledger"): every record's signature, signer and time-stamp, the hash chain (nothing
 * removed, reordered or inserted), times that never go backwards, every record citing this
 * archive, and record 1 agreeing with the sealing that evidence.xml records. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <libxml/parser.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/ess.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>
#include "crypto.h"
#include "ledger.h"
#include "verify_ctx.h"

int scelle_verifier_set_ledger(struct scelle_verifier *v, const char *path)
{
	free(v->ledger);
	v->ledger = xstrdup(path);
	if (path && !v->ledger) {
		scerr_set(&v->err, SCELLE_E_NOMEM, "out of memory");
		return SCELLE_E_NOMEM;
	}
	return SCELLE_OK;
}

int scelle_verifier_set_ledger_head(struct scelle_verifier *v, const char *hex)
{
	char *h = NULL;
	if (hex && !(h = hex64_lower(hex))) {
		scerr_set(&v->err, SCELLE_E_USAGE, "invalid ledger head '%s' (64 hexadecimal digits, as a verdict prints it)", hex);
		return SCELLE_E_USAGE;
	}
	free(v->ledger_head);
	v->ledger_head = h;
	return SCELLE_OK;
}

/* ------------------------------------------------------------------ reading ---- */

struct rec {
	xmlNodePtr node, event;
	struct scelle_custody_record *out;
	char *certificate;	/* hex SHA-256 the record names for its actor */
	char *previous;		/* hex SHA-256 of the record before, as stated */
	char *signature;	/* base64 */
	char *head;		/* <head>: hex SHA-256 of the ledger's last record as received */
	char *head_records;	/* <head records>: how many records it held */
	char digest[65];	/* SHA-256 of this record's C14N, "" when it cannot be had */
	int seq_ok, time_ok;
};

struct lctx {
	struct vctx *c;
	const char *path;
	struct rec *recs;
	size_t n;
	size_t failed;		/* records that fail */
	int broken;		/* a failure of the ledger as a whole */
};

static int in_ns(xmlNodePtr n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && n->ns &&
	    strcmp((const char *)n->ns->href, SCELLE_NS_CUSTODY) == 0 && strcmp((const char *)n->name, name) == 0;
}

static xmlNodePtr child(xmlNodePtr n, const char *name)
{
	for (xmlNodePtr k = n ? n->children : NULL; k; k = k->next)
		if (in_ns(k, name))
			return k;
	return NULL;
}

/* libxml2 strings copied to malloc'ed ones, so that the result frees with free(). */
static char *take(xmlChar *x)
{
	char *s = xstrdup((const char *)x);
	xmlFree(x);
	return s;
}

static char *attr(xmlNodePtr n, const char *name)
{
	return n ? take(xmlGetProp(n, BAD_CAST name)) : NULL;
}

static char *text(xmlNodePtr n)
{
	return n ? take(xmlNodeGetContent(n)) : NULL;
}

/* ------------------------------------------------------------ structure ---- */

/* What formats/custody.xsd allows, element by element: its attributes (no namespace), and
 * whether it holds text or elements.  An element's children come in table order, each at
 * most once (records repeat).  Whatever else a ledger holds is refused, because Exclusive
 * C14N drops comments and unused namespace declarations, and nothing after the last record
 * is chained: such content could be added, changed or removed without breaking a signature
 * or a link, or (a relative namespace URI) make C14N itself fail (doc/design.md §7). */
static const struct shape {
	const char *name;
	int parent;		/* index of the element it sits in, -1: the root */
	int text;
	const char *attrs[6];
} shapes[] = {
	{ "ledger", -1, 0, { "formatVersion" } },
	{ "record", 0, 0, { NULL } },
	{ "event", 1, 0, { "seq", "type" } },
	{ "archive", 2, 0, { "name", "sealId", "fileDigest" } },
	{ "previous", 2, 1, { "algorithm" } },
	{ "time", 2, 1, { NULL } },
	{ "actor", 2, 0, { "name", "role", "organisation", "country", "certificate" } },
	{ "place", 2, 1, { NULL } },
	{ "from", 2, 1, { NULL } },
	{ "to", 2, 1, { NULL } },
	{ "verification", 2, 0, { "verdict" } },
	{ "head", 2, 1, { "records", "algorithm" } },
	{ "note", 2, 1, { NULL } },
	{ "signature", 1, 1, { "format" } },
};
#define NSHAPES ((int)(sizeof(shapes) / sizeof(shapes[0])))

static int shape_of(xmlNodePtr n)
{
	for (int i = 0; i < NSHAPES; i++)
		if (in_ns(n, shapes[i].name))
			return i;
	return -1;
}

static int blank(const xmlChar *t)
{
	for (; t && *t; t++)
		if (*t != ' ' && *t != '\t' && *t != '\n' && *t != '\r')
			return 0;
	return 1;
}

/* The first thing in element n (shape k) that the schema does not allow, said in *why with
 * its line; recurses into the children unless n is the ledger (its records are judged one
 * by one). */
static int foreign(xmlNodePtr n, int k, char *why, size_t len)
{
	const struct shape *s = &shapes[k];
	const char *what = NULL, *on = " in";	/* "an element <y>" " in" "<record>" */
	char name[96] = "";
	xmlNodePtr at = n;
	int last = 0;

	for (xmlNsPtr d = n->nsDef; d && !what; d = d->next)
		if (!d->href || strcmp((const char *)d->href, SCELLE_NS_CUSTODY) != 0) {
			what = L_("a namespace declaration");
			on = " on";
			snprintf(name, sizeof(name), " '%s'", d->href ? (const char *)d->href : "");
		}
	for (xmlAttrPtr a = n->properties; a && !what; a = a->next) {
		int ok = 0;
		for (size_t i = 0; !a->ns && i < 6 && s->attrs[i]; i++)
			ok |= strcmp((const char *)a->name, s->attrs[i]) == 0;
		if (!ok) {
			what = L_("an attribute");
			on = " on";
			snprintf(name, sizeof(name), " '%s'", (const char *)a->name);
		}
	}
	for (xmlNodePtr c = n->children; c && !what; c = c->next) {
		int ck = -1;
		at = c;
		name[0] = '\0';
		if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
			if (!s->text && !blank(c->content))
				what = "text";
		} else if (c->type == XML_ELEMENT_NODE) {
			ck = shape_of(c);
			snprintf(name, sizeof(name), " <%s>", (const char *)c->name);
			if (s->text || ck < 0 || shapes[ck].parent != k)
				what = L_("an element");
			else if (ck <= last && k != 0) {
				what = L_("an element");
				on = L_(" repeated or out of order in");
			}
			else if (k != 0 && foreign(c, ck, why, len))
				return 1;
			last = ck;
		} else
			what = c->type == XML_COMMENT_NODE ? "a comment" :
			    c->type == XML_PI_NODE ? L_("a processing instruction") : "a node";
	}
	if (!what)
		return 0;
	snprintf(why, len, "%s%s%s <%s> (line %ld)", what, name, on, s->name, (long)xmlGetLineNo(at));
	return 1;
}

static void read_record(struct rec *r)
{
	struct scelle_custody_record *o = r->out;
	xmlNodePtr ev = r->event = child(r->node, "event");
	xmlNodePtr ar = child(ev, "archive"), ac = child(ev, "actor"), vf = child(ev, "verification");
	char *seq = attr(ev, "seq"), *t = text(child(ev, "time")), *end = NULL;

	if (seq && seq[0] >= '1' && seq[0] <= '9' && strlen(seq) <= 9) {
		o->seq = strtoul(seq, &end, 10);
		r->seq_ok = *end == '\0';
	}
	r->time_ok = t && time_parse_rfc3339(t, &o->time) == 0;
	free(seq);
	free(t);
	o->event = attr(ev, "type");
	o->seal_id = attr(ar, "sealId");
	o->file_digest = attr(ar, "fileDigest");
	o->actor = attr(ac, "name");
	o->role = attr(ac, "role");
	o->organisation = attr(ac, "organisation");
	o->country = attr(ac, "country");
	r->certificate = attr(ac, "certificate");
	o->place = text(child(ev, "place"));
	o->from = text(child(ev, "from"));
	o->to = text(child(ev, "to"));
	o->note = text(child(ev, "note"));
	o->verification = attr(vf, "verdict");
	r->previous = text(child(ev, "previous"));
	r->signature = text(child(r->node, "signature"));
	r->head = text(child(ev, "head"));
	r->head_records = attr(child(ev, "head"), "records");
}

/* ---------------------------------------------------------------- verdicts ---- */

static void flag(struct lctx *l, struct rec *r, const char *id, enum scelle_verdict st,
    const char *sub, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* One finding about one record: a check with subject "record N", and the record's own
 * status and first reason for the timeline. */
static void flag(struct lctx *l, struct rec *r, const char *id, enum scelle_verdict st,
    const char *sub, const char *fmt, ...)
{
	char msg[768], subject[48];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), L_(fmt), ap);
	va_end(ap);
	snprintf(subject, sizeof(subject), "record %lu", r->out->seq);
	result_check(l->c->r, id, st, sub, subject, "%s", msg);
	if ((st == SCELLE_FAILED && r->out->status != SCELLE_FAILED) ||
	    (st == SCELLE_INDETERMINATE && r->out->status == SCELLE_PASSED)) {
		if (st == SCELLE_FAILED)
			l->failed++;
		r->out->status = st;
		free((char *)r->out->reason);
		r->out->reason = xstrdup(msg);
	}
}

static time_t asn1_time(const ASN1_TIME *t)
{
	struct tm tm;
	return t && ASN1_TIME_to_tm(t, &tm) ? timegm(&tm) : 0;
}

/* The signer's chain to the same trust anchors as the archive's signer, at the time the
 * record's time-stamp proves, or now. */
static void check_chain(struct lctx *l, struct rec *r, CMS_ContentInfo *cms, X509 *signer, time_t at)
{
	STACK_OF(X509) *certs = CMS_get1_certs(cms);
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	verifier_add_untrusted(l->c->v, &certs);	/* --untrusted intermediates */
	time_t nb = asn1_time(X509_get0_notBefore(signer)), na = asn1_time(X509_get0_notAfter(signer));

	if (r->time_ok && (r->out->time < nb || r->out->time > na))
		flag(l, r, "custody.signer", SCELLE_FAILED, r->out->time > na ? "EXPIRED" : "NOT_YET_VALID",
		    "record %lu: the signer's certificate was not valid at the time the record states", r->out->seq);
	else if (l->c->v->trust && (!ctx || !X509_STORE_CTX_init(ctx, l->c->v->trust, signer, certs)))
		flag(l, r, "custody.signer", SCELLE_FAILED, "CHAIN_CONSTRAINTS_FAILURE",
		    "record %lu: the chain of signer '%s' cannot be checked", r->out->seq, r->out->signer);
	else if (l->c->v->trust) {
		X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_ANY);
		if (at)
			X509_STORE_CTX_set_time(ctx, 0, at);
		if (X509_verify_cert(ctx) != 1) {
			int err = X509_STORE_CTX_get_error(ctx);
			int unknown = err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT ||
			    err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
			    err == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT || err == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN;
			char about[512], why[1024];
			const char *hint = unknown ? chain_hint(l->c->v, signer, certs, 0, about, sizeof(about),
			    why, sizeof(why)) : NULL;
			if (unknown) {
				flag(l, r, "custody.signer", SCELLE_INDETERMINATE, "NO_CERTIFICATE_CHAIN_FOUND",
				    "record %lu: signer '%s' does not chain to a trusted anchor: %s", r->out->seq,
				    r->out->signer, why);
				result_hint(l->c->r, "custody.signer", hint, about);
			} else if (err == X509_V_ERR_CERT_HAS_EXPIRED)
				flag(l, r, "custody.signer", SCELLE_INDETERMINATE, "OUT_OF_BOUNDS_NO_POE",
				    "record %lu: signer '%s' has an expired certificate (%s)", r->out->seq, r->out->signer,
				    X509_verify_cert_error_string(err));
			else
				flag(l, r, "custody.signer", SCELLE_FAILED, "CHAIN_CONSTRAINTS_FAILURE",
				    "record %lu: the chain of signer '%s' is invalid: %s", r->out->seq, r->out->signer,
				    X509_verify_cert_error_string(err));
		}
	}
	X509_STORE_CTX_free(ctx);
	sk_X509_pop_free(certs, X509_free);
	ERR_clear_error();
}

/* The record's time-stamps (CAdES-B-T): tokens over the signature value, one attribute
 * each when several TSAs were asked.  The earliest good one dates the record. */
static void check_timestamp(struct lctx *l, struct rec *r, CMS_SignerInfo *si, int *missing)
{
	ASN1_OCTET_STRING *sig = CMS_SignerInfo_get0_signature(si);
	int n = 0;

	for (int i = -1; (i = CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, i)) >= 0;) {
		X509_ATTRIBUTE *at = CMS_unsigned_get_attr(si, i);
		ASN1_TYPE *t = X509_ATTRIBUTE_get0_type(at, 0);
		struct tsa_token_info info;
		struct scerr e = { 0 };
		n++;
		memset(&info, 0, sizeof(info));
		/* one token per attribute (FORMAT.md §5): a second value would ride along unjudged */
		if (!t || t->type != V_ASN1_SEQUENCE || X509_ATTRIBUTE_count(at) != 1) {
			flag(l, r, "custody.timestamp", SCELLE_FAILED, "FORMAT_FAILURE",
			    "record %lu: time-stamp %d is not a token", r->out->seq, n);
			continue;
		}
		tsa_token_check(ASN1_STRING_get0_data(t->value.sequence), (size_t)ASN1_STRING_length(t->value.sequence),
		    ASN1_STRING_get0_data(sig), (size_t)ASN1_STRING_length(sig), l->c->v->tsa_trust, &info, &e);
		if (info.status != SCELLE_PASSED) {
			char about[512], why[1024];
			flag(l, r, "custody.timestamp", info.status, info.subindication,
			    "record %lu: time-stamp %d: %s", r->out->seq, n, info.reason);
			if (strcmp(info.subindication, "NO_CERTIFICATE_CHAIN_FOUND") == 0)
				result_hint(l->c->r, "custody.timestamp", token_hint(l->c->v,
				    ASN1_STRING_get0_data(t->value.sequence), (size_t)ASN1_STRING_length(t->value.sequence),
				    about, sizeof(about), why, sizeof(why)), about);
			continue;
		}
		if (!info.gen_time) {	/* a token that proves no time proves nothing */
			flag(l, r, "custody.timestamp", SCELLE_FAILED, "FORMAT_FAILURE",
			    "record %lu: time-stamp %d has no readable time", r->out->seq, n);
			continue;
		}
		if (!r->out->tsa_time || info.gen_time < r->out->tsa_time)
			r->out->tsa_time = info.gen_time;
	}
	if (!n)
		(*missing)++;
	if (r->out->tsa_time && r->time_ok && r->out->time > r->out->tsa_time + l->c->v->max_skew) {
		char a[32], b[32];
		time_rfc3339(r->out->time, a, sizeof(a));
		time_rfc3339(r->out->tsa_time, b, sizeof(b));
		flag(l, r, "custody.time", SCELLE_FAILED, "TIMESTAMP_ORDER_FAILURE",
		    "record %lu: it states %s, after its own time-stamp %s", r->out->seq, a, b);
	}
}

static int check_ess(CMS_SignerInfo *si, X509 *signer)
{
	ASN1_STRING *s = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_id_smime_aa_signingCertificateV2),
	    -3, V_ASN1_SEQUENCE);
	const unsigned char *p = s ? s->data : NULL;
	ESS_SIGNING_CERT_V2 *v2 = p ? d2i_ESS_SIGNING_CERT_V2(NULL, &p, s->length) : NULL;
	STACK_OF(X509) *chain = sk_X509_new_null();
	int ok = v2 && chain && sk_X509_push(chain, signer) && OSSL_ESS_check_signing_certs(NULL, v2, chain, 1) > 0;
	ESS_SIGNING_CERT_V2_free(v2);
	sk_X509_free(chain);
	ERR_clear_error();
	return ok;
}

/* The record's signer as the archive's (FORMAT.md §5.1): a certificate issued for signing,
 * algorithms and key that TS 119 312 accepts; and the stated actor, organisation and
 * country found in its subject, else an identity.claim warning (the certificate is the
 * signer, the names are claims). */
static void check_record_policy(struct lctx *l, struct rec *r, CMS_SignerInfo *si, X509 *signer)
{
	X509_ALGOR *dig = NULL, *sig = NULL;
	char why[256], subject[48], bad[512] = "";
	size_t n = 0;
	if (cert_can_seal(signer, why, sizeof(why)))
		flag(l, r, "custody.signer_usage", SCELLE_INDETERMINATE, "CHAIN_CONSTRAINTS_FAILURE",
		    "record %lu: the signer's certificate '%s' %s", r->out->seq, r->out->signer, why);
	CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, &sig);
	if (weak_algorithms(dig, sig, X509_get0_pubkey(signer), why, sizeof(why)))
		flag(l, r, "custody.algorithm", SCELLE_INDETERMINATE, "CRYPTO_CONSTRAINTS_FAILURE_NO_POE",
		    "record %lu: the signature %s, which ETSI TS 119 312 no longer accepts", r->out->seq, why);
	ERR_clear_error();
	const char *const claims[][2] = { { "actor", r->out->actor }, { "organisation", r->out->organisation },
		{ "country", r->out->country } };
	for (size_t i = 0; i < 3; i++)
		if (claims[i][1] && !claim_in_subject(X509_get_subject_name(signer), claims[i][1]))
			n += (size_t)snprintf(bad + n, n < sizeof(bad) ? sizeof(bad) - n : 0, "%s%s '%s'",
			    n ? ", " : "", claims[i][0], claims[i][1]);
	if (bad[0]) {
		snprintf(subject, sizeof(subject), "record %lu", r->out->seq);
		result_check(l->c->r, "identity.claim", SCELLE_PASSED, NULL, subject,
		    "record %lu: stated %s not found in the signer's certificate '%s': the certificate is the signer",
		    r->out->seq, bad, r->out->signer);
		l->c->r->checks[l->c->r->nchecks - 1].warning = 1;
	}
}

/* The record's CAdES signature over the Exclusive C14N of its event; *signer_hex gets the
 * SHA-256 of the certificate that signed it. */
static void check_signature(struct lctx *l, struct rec *r, int *missing_ts, char signer_hex[65])
{
	struct buf c14n = { 0 };
	size_t slen = r->signature ? strlen(r->signature) : 0;
	unsigned char *der = slen ? malloc(slen) : NULL;
	CMS_ContentInfo *cms = NULL;
	BIO *content = NULL;
	X509 *signer = NULL;
	int len = -1;

	signer_hex[0] = '\0';
	if (der) {
		/* EVP_DecodeBlock wants no white space: strip what a pretty-printer may add. */
		size_t k = 0;
		for (size_t i = 0; i < slen; i++)
			if (r->signature[i] != '\n' && r->signature[i] != '\r' && r->signature[i] != ' ' && r->signature[i] != '\t')
				r->signature[k++] = r->signature[i];
		r->signature[k] = '\0';
		if (k && k % 4 == 0 && (len = EVP_DecodeBlock(der, (unsigned char *)r->signature, (int)k)) >= 0)
			len -= (r->signature[k - 1] == '=') + (r->signature[k - 2] == '=');
	}
	const unsigned char *p = der;
	if (len <= 0 || !(cms = d2i_CMS_ContentInfo(NULL, &p, len)) || OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed ||
	    sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(cms)) != 1) {
		flag(l, r, "custody.signature", SCELLE_FAILED, "FORMAT_FAILURE",
		    "record %lu: the signature is not one base64 DER CMS SignedData with one signer", r->out->seq);
		goto out;
	}
	CMS_SignerInfo *si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
	/* Not a bare memory BIO: OpenSSL 3.0's CMS_verify copies one, and leaks the copy when
	 * the SignedData names a digest it cannot set up (found by tests/fuzz/fuzz_custody). */
	if (c14n_element(r->event, &c14n) || !(content = BIO_new(BIO_f_buffer())) ||
	    !BIO_push(content, BIO_new_mem_buf(c14n.data, (int)c14n.len)) || !BIO_next(content)) {
		flag(l, r, "custody.signature", SCELLE_FAILED, "FORMAT_FAILURE",
		    "record %lu: its event cannot be canonicalised (Exclusive XML C14N): the signature cannot be checked",
		    r->out->seq);
		goto out;
	}
	if (CMS_signed_get_attr_count(si) <= 0 ||
	    CMS_verify(cms, NULL, NULL, content, NULL, CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) != 1) {
		int reason = ERR_GET_REASON(ERR_peek_last_error());
		ERR_clear_error();
		if (reason == CMS_R_SIGNER_CERTIFICATE_NOT_FOUND)
			flag(l, r, "custody.signature", SCELLE_FAILED, "NO_SIGNING_CERTIFICATE_FOUND",
			    "record %lu: the signer's certificate is not in the signature", r->out->seq);
		else
			flag(l, r, "custody.signature", SCELLE_FAILED,
			    reason == CMS_R_CONTENT_VERIFY_ERROR ? "HASH_FAILURE" : "SIG_CRYPTO_FAILURE",
			    "record %lu: the signature does not verify: the record was changed after it was signed",
			    r->out->seq);
		goto out;
	}
	CMS_SignerInfo_get0_algs(si, NULL, &signer, NULL, NULL);
	if (!signer) {
		flag(l, r, "custody.signature", SCELLE_FAILED, "NO_SIGNING_CERTIFICATE_FOUND",
		    "record %lu: the signer's certificate is not in the signature", r->out->seq);
		goto out;
	}
	r->out->signer = cert_subject(signer);
	cert_sha256(signer, signer_hex);
	if (!check_ess(si, signer)) {
		flag(l, r, "custody.signature", SCELLE_FAILED, "SIG_CONSTRAINTS_FAILURE",
		    "record %lu: the signing-certificate-v2 attribute does not name the signer's certificate",
		    r->out->seq);
		goto out;
	}
	/* The record names its actor's certificate inside the signed event: a valid signature
	 * by somebody else (another key, another certificate) is not the actor's. */
	if (!r->certificate || strcasecmp(r->certificate, signer_hex) != 0) {
		flag(l, r, "custody.signer", SCELLE_FAILED, "SIG_CONSTRAINTS_FAILURE",
		    "record %lu: signed by '%s', not by the certificate the record names for its actor '%s'",
		    r->out->seq, r->out->signer ? r->out->signer : "?", r->out->actor ? r->out->actor : "?");
		goto out;
	}
	check_record_policy(l, r, si, signer);
	check_timestamp(l, r, si, missing_ts);
	check_chain(l, r, cms, signer, r->out->tsa_time);
out:
	BIO_free_all(content);
	CMS_ContentInfo_free(cms);
	free(der);
	buf_release(&c14n);
	ERR_clear_error();
}

/* The archive's own signer, to compare with the sealing record's. */
static void archive_signer(struct vctx *c, char hex[65])
{
	const unsigned char *p = c->signature.b.data;
	CMS_ContentInfo *cms = c->signature.seen ? d2i_CMS_ContentInfo(NULL, &p, (long)c->signature.b.len) : NULL;
	STACK_OF(X509) *certs = cms ? CMS_get1_certs(cms) : NULL;
	CMS_SignerInfo *si = cms ? sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0) : NULL;
	hex[0] = '\0';
	if (c->xades_signer[0])	/* a XAdES archive (FORMAT.md §6) */
		memcpy(hex, c->xades_signer, 65);
	for (int i = 0; !hex[0] && si && i < sk_X509_num(certs); i++)
		if (CMS_SignerInfo_cert_cmp(si, sk_X509_value(certs, i)) == 0) {
			cert_sha256(sk_X509_value(certs, i), hex);
			break;
		}
	sk_X509_pop_free(certs, X509_free);
	CMS_ContentInfo_free(cms);
	ERR_clear_error();
}

static int differs(const char *ledger, const char *evidence)
{
	return evidence && (!ledger || strcmp(ledger, evidence) != 0);
}

/* Record 1 is the sealing (doc/design.md §3): the same time, officer, country and place as
 * evidence.xml, signed by the archive's own signer. */
static void check_sealing(struct lctx *l, struct rec *r, const char *signer_hex)
{
	struct scelle_result *res = l->c->r;
	const char *sealed = res->facts[F_SEALED_AT];
	time_t t = 0;
	char archive_hex[65];

	if (!r->out->event || strcmp(r->out->event, "sealed") != 0) {
		flag(l, r, "custody.sealing", SCELLE_FAILED, "FORMAT_FAILURE",
		    "record %lu: the first record is '%s', not the sealing", r->out->seq, r->out->event ? r->out->event : "");
		return;
	}
	if (!sealed || time_parse_rfc3339(sealed, &t) || !r->time_ok || t != r->out->time)
		flag(l, r, "custody.sealing", SCELLE_FAILED, "FORMAT_FAILURE",
		    "record %lu: the sealing time differs from evidence.xml (%s)", r->out->seq, sealed ? sealed : "none");
	else if (differs(r->out->actor, res->facts[F_OFFICER]) || differs(r->out->country, res->facts[F_OFFICER_COUNTRY]) ||
	    differs(r->out->place, res->facts[F_PLACE]))
		flag(l, r, "custody.sealing", SCELLE_FAILED, "FORMAT_FAILURE",
		    "record %lu: officer, country or place differ from the sealing in evidence.xml", r->out->seq);
	archive_signer(l->c, archive_hex);
	/* An empty signer_hex: the record's signature failed, and said so. */
	if (!*archive_hex)
		flag(l, r, "custody.sealing", SCELLE_FAILED, "SIG_CONSTRAINTS_FAILURE",
		    "record %lu: the archive's signer cannot be found to compare with the sealing record's", r->out->seq);
	else if (*signer_hex && strcmp(signer_hex, archive_hex) != 0)
		flag(l, r, "custody.sealing", SCELLE_FAILED, "SIG_CONSTRAINTS_FAILURE",
		    "record %lu: the sealing record is not signed by the archive's signer", r->out->seq);
}

/* The hash chain (a record holds the SHA-256 of the record before it) and the sequence. */
static void check_chain_links(struct lctx *l, size_t i)
{
	struct rec *r = &l->recs[i], *p = i ? &l->recs[i - 1] : NULL;
	unsigned long want = p ? p->out->seq + 1 : 1;
	char hex[65];

	if (r->out->seq > want) {
		/* A skipped number found later is a reordering; found earlier, it was reported
		 * there; found nowhere, the records were removed. */
		int later = 0, earlier = 0;
		for (size_t k = 0; k < l->n; k++)
			if (k != i && l->recs[k].out->seq >= want && l->recs[k].out->seq < r->out->seq)
				*(k > i ? &later : &earlier) = 1;
		if (later)
			flag(l, r, "custody.chain", SCELLE_FAILED, "FORMAT_FAILURE",
			    "record %lu comes before record %lu: the records are reordered", r->out->seq, want);
		else if (!earlier)
			flag(l, r, "custody.chain", SCELLE_FAILED, "FORMAT_FAILURE",
			    want + 1 == r->out->seq ? "record %lu follows record %lu: record %lu is missing (removed)"
			    : N_("record %lu follows record %lu: records %lu to %lu are missing (removed)"),
			    r->out->seq, want - 1, want, r->out->seq - 1);
	} else if (r->out->seq < want)
		flag(l, r, "custody.chain", SCELLE_FAILED, "FORMAT_FAILURE",
		    "record %lu comes after record %lu: the records are reordered or duplicated", r->out->seq, want - 1);
	if (!p) {
		if (r->previous || r->head)
			flag(l, r, "custody.chain", SCELLE_FAILED, "FORMAT_FAILURE",
			    "record %lu: the first record cites a previous one (records before it were removed)", r->out->seq);
		return;
	}
	if (r->out->event && strcmp(r->out->event, "sealed") == 0)
		flag(l, r, "custody.chain", SCELLE_FAILED, "FORMAT_FAILURE",
		    "record %lu: a second sealing record (inserted)", r->out->seq);
	/* Fail closed: a link that cannot be computed is a broken link, never a skipped one. */
	if (!*p->digest)
		flag(l, r, "custody.chain", SCELLE_FAILED, "FORMAT_FAILURE",
		    "record %lu: record %lu before it cannot be canonicalised (Exclusive XML C14N): the link cannot be checked",
		    r->out->seq, p->out->seq);
	else if (!r->previous || strcasecmp(r->previous, p->digest) != 0)
		flag(l, r, "custody.chain", SCELLE_FAILED, "HASH_FAILURE",
		    "record %lu: the digest of the previous record does not match record %lu before it (removed, inserted, reordered or edited)",
		    r->out->seq, p->out->seq);
	/* A received record cites the ledger as it was received (formats/custody.md, "The
	 * ledger head"): every record before it, the last of them being the one before. */
	if (r->head) {
		snprintf(hex, sizeof(hex), "%zu", i);
		if (!*p->digest || strcasecmp(r->head, p->digest) != 0 || !r->head_records || strcmp(r->head_records, hex) != 0)
			flag(l, r, "custody.chain", SCELLE_FAILED, "HASH_FAILURE",
			    "record %lu: the ledger head it cites (%s records, sha256 %.16s...) is not the %zu records before it",
			    r->out->seq, r->head_records ? r->head_records : "?", r->head, i);
	}
}

static void check_record(struct lctx *l, size_t i, int *missing_ts, int *other_file)
{
	struct rec *r = &l->recs[i], *p = i ? &l->recs[i - 1] : NULL;
	struct scelle_result *res = l->c->r;
	char signer_hex[65] = "", why[160];

	if (!r->seq_ok)
		r->out->seq = i + 1;
	if (foreign(r->node, 1, why, sizeof(why)))
		flag(l, r, "custody.format", SCELLE_FAILED, "FORMAT_FAILURE",
		    "record %lu: %s, which formats/custody.xsd does not allow", r->out->seq, why);
	if (!r->event || !r->seq_ok || !r->time_ok || !r->out->event || !r->out->seal_id || !r->signature) {
		flag(l, r, "custody.format", SCELLE_FAILED, "FORMAT_FAILURE",
		    "record %lu: malformed (sequence, type, time, archive or signature missing)", r->out->seq);
		return;
	}
	check_chain_links(l, i);
	if (!res->facts[F_SEAL_ID] || strcasecmp(r->out->seal_id, res->facts[F_SEAL_ID]) != 0)
		flag(l, r, "custody.archive", SCELLE_FAILED, "FORMAT_FAILURE",
		    "record %lu cites another archive (seal identifier %.16s...)", r->out->seq, r->out->seal_id);
	else if (res->facts[F_FILE_DIGEST] && (!r->out->file_digest || strcasecmp(r->out->file_digest, res->facts[F_FILE_DIGEST]) != 0))
		(*other_file)++;
	check_signature(l, r, missing_ts, signer_hex);
	if (p && p->time_ok && r->out->time < p->out->time) {
		char a[32], b[32];
		time_rfc3339(r->out->time, a, sizeof(a));
		time_rfc3339(p->out->time, b, sizeof(b));
		flag(l, r, "custody.time", SCELLE_FAILED, "TIMESTAMP_ORDER_FAILURE",
		    "record %lu: its time %s is before record %lu's %s (time goes backwards)", r->out->seq, a, p->out->seq, b);
	} else if (p && r->out->tsa_time && p->out->tsa_time > r->out->tsa_time)
		flag(l, r, "custody.time", SCELLE_FAILED, "TIMESTAMP_ORDER_FAILURE",
		    "record %lu: its time-stamp is older than record %lu's", r->out->seq, p->out->seq);
	if (i == 0)
		check_sealing(l, r, signer_hex);
}

static int open_ledger(struct lctx *l, xmlDocPtr *doc)
{
	struct scerr e = { 0 };
	int fd = l->c->ledger_fd;	/* scelle_verify's (ledger_open): the file it checked */
	l->c->ledger_fd = -1;
	if (fd < 0) {	/* none beside the archive (a named one that is missing has no verdict) */
		/* Not a failure: the archive's own seal does not depend on its paperwork. */
		/* Not a failure of the archive, but the reader must see it (doc/design.md §3); a
		 * caller whose process needs the ledger makes it one (SCELLE_VERIFY_REQUIRE_LEDGER). */
		if (l->c->v->flags & SCELLE_VERIFY_REQUIRE_LEDGER)
			result_check(l->c->r, "custody.ledger", SCELLE_FAILED, NULL, l->path,
			    "no custody ledger beside the archive (%s), and one is required", l->path);
		else {
			result_check(l->c->r, "custody.ledger", SCELLE_PASSED, NULL, l->path,
			    "no custody ledger beside the archive (%s): hand-overs are not recorded", l->path);
			l->c->r->checks[l->c->r->nchecks - 1].warning = 1;
		}
		result_hint(l->c->r, "custody.ledger", "need-ledger", l->path);
		return -1;
	}
	*doc = ledger_read(fd, l->path, &e);
	close(fd);
	xmlNodePtr root = *doc ? xmlDocGetRootElement(*doc) : NULL;
	if (!*doc || !in_ns(root, "ledger")) {
		result_check(l->c->r, "custody.ledger", SCELLE_FAILED, "FORMAT_FAILURE", l->path,
		    "the custody ledger is unreadable: %s", *doc ? L_("the root is not a ledger in urn:scelle:custody:1") : e.msg);
		return -1;
	}
	/* FORMAT.md §1: a reader refuses a major version it does not know. */
	xmlChar *ver = xmlGetProp(root, BAD_CAST "formatVersion");
	int known = ver && strncmp((const char *)ver, "1.", 2) == 0 && ver[2] &&
	    strspn((const char *)ver + 2, "0123456789") == strlen((const char *)ver + 2);
	if (!known)
		result_check(l->c->r, "custody.ledger", SCELLE_FAILED, "FORMAT_FAILURE", l->path,
		    "unsupported custody ledger format version '%s'", ver ? (const char *)ver : "");
	xmlFree(ver);
	return known ? 0 : -1;
}

/* A failure of the ledger as a whole: the summary line. */
static void ledger_fail(struct lctx *l, const char *sub, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void ledger_fail(struct lctx *l, const char *sub, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), L_(fmt), ap);
	va_end(ap);
	result_check(l->c->r, "custody.ledger", SCELLE_FAILED, sub, l->path, "%s", msg);
	l->broken = 1;
}

/* The ledger head (formats/custody.md): the record count and the SHA-256 of the last
 * record, what a hand-over letter names.  A ledger cut after its last record keeps a
 * valid chain; only a head written down elsewhere shows the cut. */
static void check_head(struct lctx *l)
{
	struct scelle_result *r = l->c->r;
	const char *want = l->c->v->ledger_head;

	if (l->n && *l->recs[l->n - 1].digest)
		r->ledger_head = xstrdup(l->recs[l->n - 1].digest);
	else if (l->n)
		ledger_fail(l, "FORMAT_FAILURE", "the last record cannot be canonicalised (Exclusive XML C14N): the ledger head cannot be computed");
	if (!want)
		return;
	if (!r->ledger_head)
		result_check(r, "custody.head", SCELLE_FAILED, "HASH_FAILURE", l->path,
		    "the ledger head given (sha256 %.16s...) cannot be compared: no ledger head was found", want);
	else if (strcmp(r->ledger_head, want) != 0)
		result_check(r, "custody.head", SCELLE_FAILED, "HASH_FAILURE", l->path,
		    "the ledger head is %zu records, sha256 %s, not the head given (sha256 %s): records were removed or added since it was written down",
		    l->n, r->ledger_head, want);
	else
		result_check(r, "custody.head", SCELLE_PASSED, NULL, l->path,
		    "the ledger head is the one given: %zu records, sha256 %s", l->n, want);
}

void verify_custody(struct vctx *c, const char *archive)
{
	struct lctx l = { .c = c };
	struct scelle_result *r = c->r;
	xmlDocPtr doc = NULL;
	int missing_ts = 0, other_file = 0;
	size_t n = 0, headless = 0;
	char why[160];

	r->ledger = c->v->ledger ? xstrdup(c->v->ledger) : ledger_path_for(archive);
	if (!(l.path = r->ledger)) {
		result_check(r, "custody.ledger", SCELLE_FAILED, "FORMAT_FAILURE", archive,
		    "the custody ledger cannot be checked: out of memory");
		goto out;
	}
	if (open_ledger(&l, &doc))
		goto out;
	xmlNodePtr root = xmlDocGetRootElement(doc);
	/* Nothing beside the root: comments and processing instructions are not chained. */
	for (xmlNodePtr k = doc->children; k; k = k->next)
		if (k != root) {
			ledger_fail(&l, "FORMAT_FAILURE", "the custody ledger holds a %s outside its root (line %ld), which formats/custody.xsd does not allow",
			    k->type == XML_COMMENT_NODE ? L_("comment") : k->type == XML_PI_NODE ? L_("processing instruction") : "node",
			    xmlGetLineNo(k));
			break;
		}
	/* the records are still read and judged: the timeline shows them */
	if (foreign(root, 0, why, sizeof(why)))
		ledger_fail(&l, "FORMAT_FAILURE", "the custody ledger holds %s, which formats/custody.xsd does not allow", why);
	for (xmlNodePtr k = root->children; k; k = k->next)
		if (in_ns(k, "record"))
			n++;
	if (n == 0) {
		ledger_fail(&l, "FORMAT_FAILURE", "the custody ledger holds no record (the sealing record was removed)");
		goto out;
	}
	if (n > MAX_LEDGER_RECORDS) {
		ledger_fail(&l, "FORMAT_FAILURE", "the custody ledger holds more than %u records", MAX_LEDGER_RECORDS);
		goto out;
	}
	if (!(l.recs = xcalloc(n, sizeof(*l.recs))) || !(r->custody = xcalloc(n, sizeof(*r->custody)))) {
		ledger_fail(&l, "FORMAT_FAILURE", "the custody ledger cannot be checked: out of memory");
		goto out;
	}
	for (xmlNodePtr k = root->children; k; k = k->next) {
		if (!in_ns(k, "record"))
			continue;
		l.recs[l.n].node = k;
		l.recs[l.n].out = &r->custody[l.n];
		read_record(&l.recs[l.n]);
		/* "" when it cannot be canonicalised: the link to it then fails */
		if (c14n_digest(k, l.recs[l.n].digest))
			l.recs[l.n].digest[0] = '\0';
		l.n++;
		r->ncustody = l.n;
	}
	for (size_t i = 0; i < l.n; i++) {
		check_record(&l, i, &missing_ts, &other_file);
		headless += !l.recs[i].head && r->custody[i].event && strcmp(r->custody[i].event, "received") == 0;
	}
	check_head(&l);
	if (!c->v->trust) {
		result_check(r, "custody.signer", SCELLE_INDETERMINATE, "NO_CERTIFICATE_CHAIN_FOUND", l.path,
		    "no trust anchor given for signers: the record signers cannot be identified");
		result_hint(r, "custody.signer", "need-trust", NULL);
		for (size_t i = 0; i < l.n; i++)
			if (r->custody[i].status == SCELLE_PASSED) {
				r->custody[i].status = SCELLE_INDETERMINATE;
				r->custody[i].reason = xstrdup(L_("no trust anchor given for signers: the signer cannot be identified"));
			}
	}
	/* A record without a token is still signed and chained: its time is its actor's claim.
	 * That is worth a warning, not a doubt on the archive, whose own time rests on the
	 * signature's time-stamp (a seal made offline and stamped later has an untimed
	 * sealing record for ever). */
	if (missing_ts && !(c->v->flags & SCELLE_VERIFY_NO_TIMESTAMP_OK)) {
		result_check(r, "custody.timestamp", SCELLE_PASSED, NULL, l.path,
		    "%d of %zu records carry no time-stamp: their times are only their actors' claims",
		    missing_ts, l.n);
		r->checks[r->nchecks - 1].warning = 1;
	}
	/* Format 1.0 had no <head>: such a record is still chained by <previous>. */
	if (headless) {
		result_check(r, "custody.head", SCELLE_PASSED, NULL, l.path,
		    "%zu received records do not cite the ledger head they received (format 1.0): only their previous link ties them to it",
		    headless);
		r->checks[r->nchecks - 1].warning = 1;
	}
	if (l.failed || l.broken)
		result_check(r, "custody.ledger", SCELLE_FAILED, "FORMAT_FAILURE", l.path,
		    "custody ledger %s: %zu records, %zu of them fail%s", l.path, l.n, l.failed,
		    l.broken ? L_(", and the ledger itself fails") : "");
	else
		result_check(r, "custody.ledger", SCELLE_PASSED, NULL, l.path,
		    "custody ledger %s: %zu records, chain intact, each signed and citing this seal%s", l.path, l.n,
		    other_file ? L_("; some records cite another file digest (the archive was re-stamped or copied)") : "");
out:
	if (c->v->ledger_head && !r->ledger_head && l.n == 0) {
		result_check(r, "custody.head", SCELLE_FAILED, "HASH_FAILURE", l.path ? l.path : "",
		    "the ledger head given (sha256 %.16s...) cannot be compared: no ledger head was found", c->v->ledger_head);
		result_hint(r, "custody.head", "need-ledger", l.path);	/* no record read: ask for it */
	}
	for (size_t i = 0; i < l.n; i++) {
		free(l.recs[i].certificate);
		free(l.recs[i].previous);
		free(l.recs[i].signature);
		free(l.recs[i].head);
		free(l.recs[i].head_records);
	}
	free(l.recs);
	xmlFreeDoc(doc);
}
