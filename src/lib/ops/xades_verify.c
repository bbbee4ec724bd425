/* xades_verify.c — the XAdES signature of an ASiC-E container (EN 319 132-1 baseline,
 * EN 319 162-1 §4.4.3; FORMAT.md §5.2), checked with libxmlsec1.
 *
 * Only the references scelle expects are let through to libxmlsec1: one detached
 * reference per archive entry outside META-INF (no transforms, no URI outside the
 * archive), and one to this signature's SignedProperties (a C14N transform at most).
 * libxmlsec1 reads the referenced entries through I/O callbacks that serve nothing but
 * them, from the central directory's records: no file, no network.  The key it checks the
 * signature value with is the first certificate of KeyInfo, which is also the one judged
 * against --trust and named by SigningCertificateV2. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/valid.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/io.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/openssl/evp.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/sha.h>
#include "crypto.h"
#include "container.h"
#include "ledger.h"
#include "evidence.h"
#include "verify_ctx.h"
#include "xades.h"

/* --------------------------------------------------------------- libxmlsec1 ---- */

/* What libxmlsec1 reads a detached reference from: the entries of the archive being
 * verified that a reference of this signature names (per thread: one verify at a time). */
static __thread struct vctx *io_ctx;
static __thread char xmlsec_error[256];

static struct entry *io_entry(const char *uri)
{
	struct entry *e = io_ctx && uri ? find_entry(io_ctx, uri) : NULL;
	return e && e->ref && strncmp(e->name, "META-INF/", 9) != 0 ? e : NULL;
}

static int io_match(const char *uri)
{
	return io_entry(uri) != NULL;
}

static void *io_open(const char *uri)
{
	struct entry *e = io_entry(uri);
	return e ? zip_rd_open(io_ctx->fd, e->z) : NULL;
}

static int io_read(void *ctx, char *buf, int len)
{
	ssize_t n = zip_rd_read(ctx, buf, (size_t)len);
	return n < 0 ? -1 : (int)n;
}

static int io_close(void *ctx)
{
	zip_rd_close(ctx);
	return 0;
}

/* The library never prints (STYLE.md): libxmlsec1's errors are kept for the report. */
static void xmlsec_quiet(const char *file, int line, const char *func, const char *obj,
    const char *subject, int reason, const char *msg)
{
	(void)file, (void)line, (void)obj;
	if (xmlsec_error[0])	/* the first says what went wrong; the rest are its callers */
		return;
	if (msg && !msg[strspn(msg, " ")])
		msg = NULL;
	snprintf(xmlsec_error, sizeof(xmlsec_error), "%s%s%s", subject ? subject : func ? func : "",
	    msg ? ": " : "", msg ? msg : "");
	(void)reason;
}

static int xmlsec_ready;
static void xmlsec_start(void)
{
	/* The initialisations set libxmlsec1's own callback, which prints: ours goes in after */
	xmlSecErrorsDefaultCallbackEnableOutput(0);
	if (xmlSecInit() < 0 || xmlSecCheckVersion() != 1 || xmlSecCryptoAppInit(NULL) < 0 ||
	    xmlSecCryptoInit() < 0)
		return;
	xmlSecErrorsSetCallback(xmlsec_quiet);
	/* No file and no network: the archive's referenced entries are all there is. */
	xmlSecIOCleanupCallbacks();
	xmlsec_ready = xmlSecIORegisterCallbacks(io_match, io_open, io_read, io_close) == 0;
}

/* ------------------------------------------------------------------ helpers ---- */

struct xv {
	struct vctx *c;
	const char *name;
	int foreign;		/* a container without evidence.xml (verify_etsi.c) */
	xmlDocPtr doc;
	xmlNodePtr sig, si, sv, ki, sp, usp;
	X509 *signer;
	STACK_OF(X509) *certs;	/* KeyInfo's and CertificateValues' others, for the chain */
	struct revdata rd;
	const char *sig_digest;	/* of SignatureMethod */
};

static void check(struct xv *x, const char *id, enum scelle_verdict v, const char *sub,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void check(struct xv *x, const char *id, enum scelle_verdict v, const char *sub,
    const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	result_check(x->c->r, id, v, sub, x->name, "%s", msg);
}

static int is_ns(xmlNodePtr n, const char *ns, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && n->ns && strcmp((const char *)n->ns->href, ns) == 0 &&
	    strcmp((const char *)n->name, name) == 0;
}

/* The only element child of n named ns:name; NULL when none, or when there are several
 * (*count says how many). */
static xmlNodePtr only_child(xmlNodePtr n, const char *ns, const char *name, int *count)
{
	xmlNodePtr found = NULL;
	int k = 0;
	for (xmlNodePtr ch = n ? n->children : NULL; ch; ch = ch->next)
		if (is_ns(ch, ns, name) && k++ == 0)
			found = ch;
	if (count)
		*count = k;
	return k == 1 ? found : NULL;
}

static char *attr(xmlNodePtr n, const char *name)
{
	return (char *)xmlGetNoNsProp(n, BAD_CAST name);
}

/* The base64 text of n, decoded (line breaks and spaces allowed, as XML-DSig has them). */
static int b64_node(xmlNodePtr n, struct buf *out)
{
	xmlChar *t = n ? xmlNodeGetContent(n) : NULL;
	size_t len = t ? strlen((const char *)t) : 0;
	EVP_ENCODE_CTX *ctx = EVP_ENCODE_CTX_new();
	unsigned char *p = len ? malloc(len) : NULL;
	int a = 0, b = 0, rc = -1;
	out->len = 0;
	if (ctx && p) {
		EVP_DecodeInit(ctx);
		if (EVP_DecodeUpdate(ctx, p, &a, t, (int)len) >= 0 && EVP_DecodeFinal(ctx, p + a, &b) == 1 &&
		    a + b > 0)
			rc = buf_append(out, p, (size_t)(a + b));
	}
	free(p);
	EVP_ENCODE_CTX_free(ctx);
	xmlFree(t);
	return rc;
}

/* Registers every Id attribute as an ID, so that "#..." references resolve; a value used
 * twice is refused: libxmlsec1 would resolve it to one element and this file read
 * another (signature wrapping). */
static int register_ids(struct xv *x, xmlNodePtr n)
{
	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		for (xmlAttrPtr a = n->properties; a; a = a->next) {
			if (a->ns || strcmp((const char *)a->name, "Id") != 0)
				continue;
			xmlChar *v = xmlNodeListGetString(x->doc, a->children, 1);
			int dup = !v || xmlGetID(x->doc, v) != NULL;
			if (dup)
				check(x, "signature.format", SCELLE_FAILED, "FORMAT_FAILURE",
				    "the Id '%s' is used twice (refused: signature wrapping)", v ? (char *)v : "");
			else
				xmlAddID(NULL, x->doc, v, a);
			xmlFree(v);
			if (dup)
				return -1;
		}
		if (register_ids(x, n->children))
			return -1;
	}
	return 0;
}

/* A URI with a scheme (RFC 3986 §3.1) or a network path points outside the archive. */
static int external_uri(const char *u)
{
	size_t k = strspn(u, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
	return (k > 0 && u[k] == ':' && ((u[0] | 0x20) >= 'a' && (u[0] | 0x20) <= 'z')) ||
	    strncmp(u, "//", 2) == 0;
}

static int c14n_algorithm(const char *a)
{
	return a && (strcmp(a, ALG_EXC_C14N) == 0 || strcmp(a, ALG_C14N) == 0 || strcmp(a, ALG_C14N11) == 0);
}

/* ---------------------------------------------------------------- references ---- */

/* One data reference: a detached file of the archive, outside META-INF, named once. */
static int data_reference(struct xv *x, xmlNodePtr r)
{
	struct vctx *c = x->c;
	char *uri = attr(r, "URI"), *name = NULL, *alg = NULL;
	xmlNodePtr dm = only_child(r, SCELLE_NS_DSIG, "DigestMethod", NULL);
	xmlNodePtr dv = only_child(r, SCELLE_NS_DSIG, "DigestValue", NULL);
	struct manifest_ref ref = { 0 };
	struct entry *e = NULL;
	struct buf md = { 0 };
	const char *why = NULL, *sub = "FORMAT_FAILURE";
	if (!uri || !*uri || uri[0] == '#')
		why = "a reference names no file of the archive";
	else if (external_uri(uri))
		why = "a reference points outside the archive (refused: external URI)";
	else if (uri_unescape(uri, &name))
		why = "a reference has an invalid URI";
	else if (strncmp(name, "META-INF/", 9) == 0 || strcmp(name, "mimetype") == 0)
		why = "a reference names a file that is not signed data (META-INF/, mimetype)";
	else if (!(e = find_entry(c, name)) && x->foreign && strcmp(name, EVIDENCE_XML) == 0) {
		/* a scelle archive whose evidence.xml was removed (FORMAT.md §11.1) */
		result_check(c->r, "container.kind", SCELLE_FAILED, "FORMAT_FAILURE", x->name,
		    "not a scelle archive: no evidence manifest, yet the signature references %s: "
		    "the evidence manifest was removed from a scelle archive", EVIDENCE_XML);
		why = "";
	} else if (!e && x->foreign) {
		/* EN 319 102-1: signed data not found is INDETERMINATE (a scelle archive fails) */
		result_check(c->r, "signature.references", SCELLE_INDETERMINATE, "SIGNED_DATA_NOT_FOUND",
		    x->name, "a reference names '%s', which is not in the container", name);
		why = "";
	} else if (!e)
		why = "a reference names a file that is not in the archive", sub = "SIGNED_DATA_NOT_FOUND";
	else if (e->ref)
		why = "a file is referenced twice";
	else if (xmlChildElementCount(r) != 2 || xmlFirstElementChild(r) != dm || !dv)
		why = "a data reference has transforms (refused: only the file's bytes are signed)";
	else if (!dm || !(alg = attr(dm, "Algorithm")) || !(ref.alg = digest_from_uri(alg)))
		why = "a reference has an unknown digest algorithm";
	else if (b64_node(dv, &md) || md.len > sizeof(ref.md))
		why = "a reference's digest value is not valid base64";
	else if (!(e->ref = malloc(sizeof(ref))))
		why = "out of memory";
	if (why && *why)
		check(x, "signature.references", SCELLE_FAILED, sub, "%s: '%s'", why, name ? name : uri ? uri : "");
	else if (!why) {
		memcpy(ref.md, md.data, md.len);
		ref.mdlen = md.len;
		*e->ref = ref;
		const EVP_MD *m = EVP_get_digestbyname(ref.alg);
		if (!m || weak_digest(EVP_MD_get_type(m)))
			check(x, "signature.algorithm", SCELLE_INDETERMINATE, "CRYPTO_CONSTRAINTS_FAILURE_NO_POE",
			    "'%s' is referenced with %s, which ETSI TS 119 312 no longer accepts", name, ref.alg);
	}
	xmlFree(uri);
	xmlFree(alg);
	free(name);
	buf_release(&md);
	return why ? -1 : 0;
}

/* SignedInfo: its algorithms, the data references and exactly one reference to this
 * signature's SignedProperties (EN 319 132-1 §6.3 item i). */
static int references(struct xv *x)
{
	static const struct { const char *uri, *digest; } methods[] = {
		{ ALG_RSA_SHA256, "sha256" },
		{ "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384", "sha384" },
		{ "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512", "sha512" },
		{ ALG_ECDSA_SHA256, "sha256" },
		{ "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384", "sha384" },
		{ "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512", "sha512" },
	};
	xmlNodePtr cm = only_child(x->si, SCELLE_NS_DSIG, "CanonicalizationMethod", NULL);
	xmlNodePtr sm = only_child(x->si, SCELLE_NS_DSIG, "SignatureMethod", NULL);
	char *a = cm ? attr(cm, "Algorithm") : NULL, *spid = attr(x->sp, "Id");
	int bad = 0, sprefs = 0, ok = c14n_algorithm(a);
	xmlFree(a);
	if (!ok) {
		check(x, "signature.format", SCELLE_FAILED, "FORMAT_FAILURE",
		    "SignedInfo's canonicalisation is not C14N 1.0, 1.1 or exclusive C14N");
		bad = 1;
	}
	a = sm ? attr(sm, "Algorithm") : NULL;
	for (size_t i = 0; a && i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(a, methods[i].uri) == 0)
			x->sig_digest = methods[i].digest;
	if (!x->sig_digest) {
		check(x, "signature.algorithm", SCELLE_INDETERMINATE, "CRYPTO_CONSTRAINTS_FAILURE_NO_POE",
		    "the signature method '%s' is not one of RSA or ECDSA with SHA-256, -384 or -512", a ? a : "");
		bad = 1;
	}
	xmlFree(a);
	for (xmlNodePtr r = x->si->children; r; r = r->next) {
		if (r->type != XML_ELEMENT_NODE || is_ns(r, SCELLE_NS_DSIG, "CanonicalizationMethod") ||
		    is_ns(r, SCELLE_NS_DSIG, "SignatureMethod"))
			continue;
		if (!is_ns(r, SCELLE_NS_DSIG, "Reference")) {
			check(x, "signature.format", SCELLE_FAILED, "FORMAT_FAILURE",
			    "SignedInfo holds an element '%s' that XML-DSig does not define", (const char *)r->name);
			bad = 1;
			continue;
		}
		char *type = attr(r, "Type"), *uri = attr(r, "URI");
		if (type && strcmp(type, XADES_SP_TYPE) == 0) {
			xmlNodePtr tr = only_child(r, SCELLE_NS_DSIG, "Transforms", NULL), t;
			int nt = 0;
			char *ta = NULL;
			for (t = tr ? tr->children : NULL; t; t = t->next)
				if (t->type == XML_ELEMENT_NODE && nt++ == 0)
					ta = attr(t, "Algorithm");
			if (sprefs++ || !uri || !spid || uri[0] != '#' || strcmp(uri + 1, spid) != 0) {
				check(x, "signature.references", SCELLE_FAILED, "FORMAT_FAILURE",
				    "the SignedProperties reference does not name this signature's SignedProperties");
				bad = 1;
			} else if (nt > 1 || (nt == 1 && !c14n_algorithm(ta))) {
				check(x, "signature.references", SCELLE_FAILED, "FORMAT_FAILURE",
				    "the SignedProperties reference has a transform other than C14N");
				bad = 1;
			}
			xmlFree(ta);
		} else if (type) {
			check(x, "signature.references", SCELLE_FAILED, "FORMAT_FAILURE",
			    "a reference of type '%s' is not supported", type);
			bad = 1;
		} else
			bad |= data_reference(x, r) != 0;
		xmlFree(type);
		xmlFree(uri);
	}
	if (!sprefs) {
		check(x, "signature.references", SCELLE_FAILED, "FORMAT_FAILURE",
		    "no reference to the SignedProperties (not XAdES)");
		bad = 1;
	}
	xmlFree(spid);
	if (!bad)
		check(x, "signature.references", SCELLE_PASSED, NULL,
		    "every reference names a file of the archive or the SignedProperties");
	return bad ? -1 : 0;
}

/* ----------------------------------------------------------------- structure ---- */

/* ds:Signature with SignedInfo, SignatureValue, KeyInfo and one QualifyingProperties
 * whose Target is the signature, holding one SignedProperties. */
static int structure(struct xv *x)
{
	xmlNodePtr root = xmlDocGetRootElement(x->doc), qp = NULL;
	int n = 0, nqp = 0;
	if (!is_ns(root, SCELLE_NS_ASIC, "XAdESSignatures")) {
		check(x, "signature.format", SCELLE_FAILED, "FORMAT_FAILURE",
		    "the root element is not asic:XAdESSignatures (EN 319 162-1 A.5)");
		return -1;
	}
	x->sig = only_child(root, SCELLE_NS_DSIG, "Signature", &n);
	if (n != 1) {
		check(x, "signature.format", SCELLE_FAILED, "FORMAT_FAILURE",
		    "%d signatures (scelle reads exactly one)", n);
		return -1;
	}
	x->si = only_child(x->sig, SCELLE_NS_DSIG, "SignedInfo", NULL);
	x->sv = only_child(x->sig, SCELLE_NS_DSIG, "SignatureValue", NULL);
	x->ki = only_child(x->sig, SCELLE_NS_DSIG, "KeyInfo", NULL);
	for (xmlNodePtr o = x->sig->children; o; o = o->next)
		if (is_ns(o, SCELLE_NS_DSIG, "Object"))
			for (xmlNodePtr q = o->children; q; q = q->next)
				if (is_ns(q, NS_XADES, "QualifyingProperties") && nqp++ == 0)
					qp = q;
	char *id = attr(x->sig, "Id"), *target = qp ? attr(qp, "Target") : NULL;
	int ok = x->si && x->sv && x->ki && nqp == 1 && id && target && target[0] == '#' &&
	    strcmp(target + 1, id) == 0;
	xmlFree(id);
	xmlFree(target);
	if (!ok) {
		check(x, "signature.format", SCELLE_FAILED, "FORMAT_FAILURE", "not a XAdES signature: "
		    "SignedInfo, SignatureValue, KeyInfo and one QualifyingProperties for the signature are required");
		return -1;
	}
	x->sp = only_child(qp, NS_XADES, "SignedProperties", NULL);
	xmlNodePtr up = only_child(qp, NS_XADES, "UnsignedProperties", NULL);
	x->usp = up ? only_child(up, NS_XADES, "UnsignedSignatureProperties", NULL) : NULL;
	if (!x->sp) {
		check(x, "signature.format", SCELLE_FAILED, "FORMAT_FAILURE",
		    "QualifyingProperties holds no SignedProperties (not XAdES)");
		return -1;
	}
	return 0;
}

/* The first certificate of KeyInfo is the signer's (libdigidocpp reads it so); the others
 * go with CertificateValues into the pool the chain is built from. */
static int key_info(struct xv *x)
{
	struct buf der = { 0 };
	for (xmlNodePtr d = x->ki->children; d; d = d->next) {
		if (!is_ns(d, SCELLE_NS_DSIG, "X509Data"))
			continue;
		for (xmlNodePtr k = d->children; k; k = k->next) {
			if (!is_ns(k, SCELLE_NS_DSIG, "X509Certificate"))
				continue;
			const unsigned char *p;
			X509 *cert = b64_node(k, &der) ? NULL : (p = der.data, d2i_X509(NULL, &p, (long)der.len));
			if (!cert)
				continue;
			if (!x->signer)
				x->signer = cert;
			else if (!sk_X509_push(x->certs, cert))
				X509_free(cert);
		}
	}
	buf_release(&der);
	ERR_clear_error();
	if (!x->signer) {
		result_check(x->c->r, "signature.crypto", SCELLE_INDETERMINATE, "NO_SIGNING_CERTIFICATE_FOUND",
		    x->name, "the signer's certificate is not in KeyInfo: ask the sender for an archive "
		    "whose signature carries it");
		return -1;
	}
	return 0;
}

/* libxmlsec1 verifies SignatureValue over the canonical SignedInfo and every reference. */
static int xmldsig(struct xv *x)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	xmlSecDSigCtxPtr ctx = NULL;
	xmlSecKeyPtr key = NULL;
	xmlSecKeyDataPtr data = NULL;
	EVP_PKEY *pk = NULL;
	int rc = -1;
	pthread_once(&once, xmlsec_start);
	xmlsec_error[0] = '\0';
	if (!xmlsec_ready || !(ctx = xmlSecDSigCtxCreate(NULL)) || !(key = xmlSecKeyCreate()) ||
	    !(pk = X509_get_pubkey(x->signer)) || !(data = xmlSecOpenSSLEvpKeyAdopt(pk))) {
		EVP_PKEY_free(pk);
		check(x, "signature.crypto", SCELLE_FAILED, "SIG_CRYPTO_FAILURE",
		    "libxmlsec1 cannot take the signer's key (%s)", xmlsec_error[0] ? xmlsec_error : "not started");
		goto out;
	}
	if (xmlSecKeySetValue(key, data) < 0) {
		xmlSecKeyDataDestroy(data);
		goto out;
	}
	ctx->signKey = key;
	key = NULL;
	io_ctx = x->c;
	int r = xmlSecDSigCtxVerify(ctx, x->sig);
	io_ctx = NULL;
	if (r < 0) {
		check(x, "signature.crypto", SCELLE_FAILED, "SIG_CRYPTO_FAILURE",
		    "libxmlsec1 cannot verify the signature: %s", xmlsec_error[0] ? xmlsec_error : "unknown error");
		goto out;
	}
	if (ctx->status == xmlSecDSigStatusSucceeded) {
		rc = 0;
		goto out;
	}
	for (xmlSecSize i = 0; i < xmlSecPtrListGetSize(&ctx->signedInfoReferences); i++) {
		xmlSecDSigReferenceCtxPtr ref = xmlSecPtrListGetItem(&ctx->signedInfoReferences, i);
		if (ref && ref->status != xmlSecDSigStatusSucceeded) {
			check(x, "signature.crypto", SCELLE_FAILED, "HASH_FAILURE",
			    "the signature's reference to '%s' does not match (signed %s changed)",
			    ref->uri ? (char *)ref->uri : "", ref->uri && ref->uri[0] == '#' ?
			    "properties" : "data");
			goto out;
		}
	}
	check(x, "signature.crypto", SCELLE_FAILED, "SIG_CRYPTO_FAILURE",
	    "the signature value does not verify");
out:
	if (key)
		xmlSecKeyDestroy(key);
	if (ctx)
		xmlSecDSigCtxDestroy(ctx);
	ERR_clear_error();
	return rc;
}

/* Whether ds:X509SerialNumber (a decimal integer) is the serial number of x. */
static int serial_matches(X509 *x, xmlNodePtr sn)
{
	xmlChar *t = sn ? xmlNodeGetContent(sn) : NULL;
	BIGNUM *want = NULL, *got = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	const char *p = t ? (const char *)t + strspn((const char *)t, " \t\r\n") : NULL;
	size_t n = p ? strspn(p, "0123456789") : 0;
	int ok = n > 0 && n < 200 && !p[n + strspn(p + n, " \t\r\n")] && got &&
	    BN_dec2bn(&want, p) == (int)n && BN_cmp(want, got) == 0;
	BN_free(want);
	BN_free(got);
	xmlFree(t);
	return ok;
}

/* SigningTime and SigningCertificateV2 (EN 319 132-1 §5.2.1, §5.2.2): the certificate
 * that verified the signature is the one the signed properties name (a certificate swap
 * for the same key is caught). */
static int signed_properties(struct xv *x)
{
	struct vctx *c = x->c;
	xmlNodePtr ssp = only_child(x->sp, NS_XADES, "SignedSignatureProperties", NULL);
	xmlNodePtr st = only_child(ssp, NS_XADES, "SigningTime", NULL);
	xmlNodePtr v2 = only_child(ssp, NS_XADES, "SigningCertificateV2", NULL);
	/* another tool's signature may have XAdES 1.3.2's first form (libdigidocpp writes it
	 * outside its EN profile): FORMAT.md §11.1 */
	xmlNodePtr v1 = x->foreign && !v2 ? only_child(ssp, NS_XADES, "SigningCertificate", NULL) : NULL;
	xmlNodePtr cert = v2 ? xmlFirstElementChild(v2) : v1 ? xmlFirstElementChild(v1) : NULL;
	xmlNodePtr cd = only_child(cert, NS_XADES, "CertDigest", NULL);
	xmlNodePtr is = only_child(cert, NS_XADES, v1 ? "IssuerSerial" : "IssuerSerialV2", NULL);
	xmlNodePtr dm = only_child(cd, SCELLE_NS_DSIG, "DigestMethod", NULL);
	xmlNodePtr dv = only_child(cd, SCELLE_NS_DSIG, "DigestValue", NULL);
	xmlChar *t = st ? xmlNodeGetContent(st) : NULL;
	char *alg = dm ? attr(dm, "Algorithm") : NULL, when[32];
	const char *md = alg ? digest_from_uri(alg) : NULL;
	const EVP_MD *m = md ? EVP_get_digestbyname(md) : NULL;
	unsigned char *der = NULL, h[EVP_MAX_MD_SIZE];
	unsigned int hl = 0;
	int dl = i2d_X509(x->signer, &der), ok = 0;
	struct buf want = { 0 }, got = { 0 };

	if (!t || time_parse_rfc3339((const char *)t, &c->signing_time) || !c->signing_time) {
		c->signing_time = 0;
		check(x, "signature.attributes", SCELLE_FAILED, "SIG_CONSTRAINTS_FAILURE",
		    "SigningTime is missing, repeated or not a dateTime");
	} else if (!is_ns(cert, NS_XADES, "Cert") || !m || b64_node(dv, &got)) {
		check(x, "signature.attributes", SCELLE_FAILED, "SIG_CONSTRAINTS_FAILURE",
		    "SigningCertificateV2 is missing or has no certificate digest");
	} else {
		time_rfc3339(c->signing_time, when, sizeof(when));
		result_fact(c->r, F_SIGNING_TIME, when);
		if (v1)
			result_check(c->r, "signature.attributes", SCELLE_PASSED, NULL, x->name,
			    "XAdES-B-B properties present: SigningTime, SigningCertificate (the form of "
			    "XAdES 1.3.2)");
		else
			check(x, "signature.attributes", SCELLE_PASSED, NULL,
			    "XAdES-B-B properties present: SigningTime, SigningCertificateV2");
		ok = dl > 0 && EVP_Digest(der, (size_t)dl, h, &hl, m, NULL) && got.len == hl &&
		    CRYPTO_memcmp(h, got.data, hl) == 0;
		if (ok && is && v1)
			ok = serial_matches(x->signer, only_child(is, SCELLE_NS_DSIG, "X509SerialNumber", NULL));
		else if (ok && is)
			ok = !b64_node(is, &got) && !issuer_serial_der(x->signer, &want) &&
			    got.len == want.len && CRYPTO_memcmp(got.data, want.data, got.len) == 0;
		if (ok && v1)
			result_check(c->r, "signature.signing_certificate", SCELLE_PASSED, NULL, x->name,
			    "SigningCertificate names the signer's certificate (its digest and serial number)");
		else if (v1)
			result_check(c->r, "signature.signing_certificate", SCELLE_FAILED,
			    "SIG_CONSTRAINTS_FAILURE", x->name,
			    "SigningCertificate does not match the signer's certificate");
		else if (ok)
			check(x, "signature.signing_certificate", SCELLE_PASSED, NULL,
			    "SigningCertificateV2 names the signer's certificate");
		else
			check(x, "signature.signing_certificate", SCELLE_FAILED, "SIG_CONSTRAINTS_FAILURE",
			    "SigningCertificateV2 does not match the signer's certificate");
	}
	xmlFree(t);
	xmlFree(alg);
	OPENSSL_free(der);
	buf_release(&want);
	buf_release(&got);
	return ok ? 0 : -1;
}

/* The unsigned properties: signature time-stamps (B-T) over the canonical SignatureValue
 * (EN 319 132-1 §5.3), CertificateValues and RevocationValues (B-LT, §5.5).  Anything
 * else is refused: no unsigned data rides along unjudged (FORMAT.md §5.2). */
static void unsigned_properties(struct xv *x)
{
	struct buf der = { 0 }, c14n = { 0 };
	int n = 0;
	for (xmlNodePtr u = x->usp ? x->usp->children : NULL; u; u = u->next) {
		if (u->type != XML_ELEMENT_NODE)
			continue;
		if (is_ns(u, NS_XADES, "SignatureTimeStamp")) {
			xmlNodePtr cm = only_child(u, SCELLE_NS_DSIG, "CanonicalizationMethod", NULL);
			xmlNodePtr et = only_child(u, NS_XADES, "EncapsulatedTimeStamp", NULL);
			char *a = cm ? attr(cm, "Algorithm") : NULL, subject[32];
			snprintf(subject, sizeof(subject), "time-stamp %d", ++n);
			if (!c14n_algorithm(a) || !et || b64_node(et, &der) ||
			    xml_c14n_node(x->doc, x->sv, a, &c14n))
				result_check(x->c->r, "timestamp.token", SCELLE_FAILED, "FORMAT_FAILURE", subject,
				    "%s is not one RFC 3161 token over the C14N of SignatureValue", subject);
			else
				timestamp_judge(x->c, der.data, der.len, c14n.data, c14n.len, n);
			xmlFree(a);
		} else if (is_ns(u, NS_XADES, "CertificateValues")) {
			for (xmlNodePtr k = u->children; k; k = k->next) {
				const unsigned char *p;
				X509 *cert = !is_ns(k, NS_XADES, "EncapsulatedX509Certificate") || b64_node(k, &der)
				    ? NULL : (p = der.data, d2i_X509(NULL, &p, (long)der.len));
				if (cert && !sk_X509_push(x->certs, cert))
					X509_free(cert);
			}
		} else if (is_ns(u, NS_XADES, "RevocationValues")) {
			xmlNodePtr crls = only_child(u, NS_XADES, "CRLValues", NULL);
			xmlNodePtr ocsps = only_child(u, NS_XADES, "OCSPValues", NULL);
			for (xmlNodePtr k = crls ? crls->children : NULL; k; k = k->next) {
				const unsigned char *p;
				X509_CRL *crl = !is_ns(k, NS_XADES, "EncapsulatedCRLValue") || b64_node(k, &der)
				    ? NULL : (p = der.data, d2i_X509_CRL(NULL, &p, (long)der.len));
				if (crl && !sk_X509_CRL_push(x->rd.crls, crl))
					X509_CRL_free(crl);
			}
			for (xmlNodePtr k = ocsps ? ocsps->children : NULL; k; k = k->next) {
				const unsigned char *p;
				OCSP_RESPONSE *o = !is_ns(k, NS_XADES, "EncapsulatedOCSPValue") || b64_node(k, &der)
				    ? NULL : (p = der.data, d2i_OCSP_RESPONSE(NULL, &p, (long)der.len));
				OCSP_RESPONSE **v = o ? realloc(x->rd.ocsp, (x->rd.nocsp + 1) * sizeof(*v)) : NULL;
				if (v) {
					x->rd.ocsp = v;
					v[x->rd.nocsp++] = o;
				} else
					OCSP_RESPONSE_free(o);
			}
		} else if (x->foreign) {
			/* another tool's (EN 319 132-1 §5.4, §5.5.2: refs, archive time-stamps):
			 * unsigned, so it cannot change what is signed; not read, and said so */
			result_check(x->c->r, "signature.format", SCELLE_PASSED, NULL, x->name,
			    "the unsigned property '%s' is not checked by this verifier (it adds no "
			    "proof to this verdict)", (const char *)u->name);
			x->c->r->checks[x->c->r->nchecks - 1].warning = 1;
		} else
			check(x, "signature.format", SCELLE_FAILED, "FORMAT_FAILURE",
			    "the unsigned property '%s' is not supported", (const char *)u->name);
	}
	if (n == 0)
		timestamp_none(x->c);
	buf_release(&der);
	buf_release(&c14n);
	ERR_clear_error();
}

/* ---------------------------------------------------------------------- main ---- */

int verify_xades(struct vctx *c, const char *name, const struct buf *xml, int foreign)
{
	struct xv x = { .c = c, .name = name, .foreign = foreign };
	struct doc d = { *xml, 1, 0 };
	int resolved = 0;

	if (xml->len && memmem(xml->data, xml->len, "<!DOCTYPE", 9)) {
		check(&x, "signature.format", SCELLE_FAILED, "FORMAT_FAILURE",
		    "'%s' has a document type declaration (refused: entities)", name);
		return -1;
	}
	if (!well_formed(&d) || xml->len > INT32_MAX ||
	    !(x.doc = xmlReadMemory((const char *)xml->data, (int)xml->len, name, NULL, XML_OPTIONS)) ||
	    x.doc->intSubset) {
		check(&x, "signature.format", SCELLE_FAILED, "FORMAT_FAILURE", "'%s' is not well-formed XML", name);
		goto out;
	}
	if (!(x.certs = sk_X509_new_null()) || !(x.rd.crls = sk_X509_CRL_new_null()))
		goto out;
	if (register_ids(&x, xmlDocGetRootElement(x.doc)) || structure(&x))
		goto out;
	/* The seal identifier (FORMAT.md §5.2): SHA-256 of the canonical SignedInfo, the bytes
	 * signed; it commits to every reference and survives a later time-stamp. */
	char hex[65];
	if (!foreign && xades_seal_id(x.doc, hex) == 0)
		result_fact(c->r, F_SEAL_ID, hex);
	if (references(&x))
		goto out;
	resolved = 1;
	if (key_info(&x))
		goto out;
	char *s = x509_name_text(X509_get_subject_name(x.signer));
	result_fact(c->r, F_SIGNER, s);
	free(s);
	s = x509_name_text(X509_get_issuer_name(x.signer));
	result_fact(c->r, F_SIGNER_ISSUER, s);
	free(s);
	if (xmldsig(&x))
		goto out;
	check(&x, "signature.crypto", SCELLE_PASSED, NULL,
	    "XAdES signature verifies with libxmlsec1 (signer '%s')", c->r->facts[F_SIGNER]);
	signed_properties(&x);
	check_signer_usage(c, x.signer);
	char why[256];
	if (weak_key(X509_get0_pubkey(x.signer), why, sizeof(why)))
		check(&x, "signature.algorithm", SCELLE_INDETERMINATE, "CRYPTO_CONSTRAINTS_FAILURE_NO_POE",
		    "the signature %s, which ETSI TS 119 312 no longer accepts", why);
	else
		check(&x, "signature.algorithm", SCELLE_PASSED, NULL,
		    "the signature's digest (%s), algorithm and key size meet ETSI TS 119 312", x.sig_digest);
	check_claims(c, x.signer);
	cert_sha256(x.signer, c->xades_signer);	/* custody_verify.c: the sealing record's signer */
	unsigned_properties(&x);
	verify_chain(c, x.certs, x.signer, &x.rd);
	x.certs = NULL;	/* taken */
out:
	X509_free(x.signer);
	sk_X509_pop_free(x.certs, X509_free);
	sk_X509_CRL_pop_free(x.rd.crls, X509_CRL_free);
	for (size_t i = 0; i < x.rd.nocsp; i++)
		OCSP_RESPONSE_free(x.rd.ocsp[i]);
	free(x.rd.ocsp);
	xmlFreeDoc(x.doc);
	return resolved ? 0 : -1;
}
