/* xades.c — `seal --signature xades`: an ASiC-E container signed with a XAdES baseline
 * signature (ETSI EN 319 132-1) in META-INF/signatures001.xml, and the OpenDocument
 * META-INF/manifest.xml that DigiDoc and libdigidocpp read (FORMAT.md §5.2).
 *
 * The data references are detached (EN 319 162-1 §4.4.3): their digests are the SHA-256
 * of each file that the one read of the seal computed (doc/design.md §5: an item is never read
 * twice), so the signature is laid out here rather than by xmlSecDSigCtxSign, which would
 * read every item again.  What is canonicalised (SignedProperties, SignedInfo, the
 * SignatureValue that the time-stamp covers) goes through libxml2's exclusive C14N, the
 * one libxmlsec1 itself runs; verify checks the result with libxmlsec1 (xades_verify.c)
 * and the suite with `xmlsec1 --verify`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/c14n.h>
#include <libxml/tree.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>
#include "crypto.h"
#include "evidence.h"
#include "xades.h"

/* ----------------------------------------------------------------- shared ---- */

/* Whether node (an element, attribute or namespace node) lies in the subtree at top. */
static int in_subtree(void *top, xmlNodePtr node, xmlNodePtr parent)
{
	xmlNodePtr n = node && node->type != XML_NAMESPACE_DECL ? node : parent;
	for (; n; n = n->parent)
		if (n == (xmlNodePtr)top)
			return 1;
	return 0;
}

int xml_c14n_node(xmlDocPtr doc, xmlNodePtr node, const char *algorithm, struct buf *out)
{
	int mode = strcmp(algorithm, ALG_EXC_C14N) == 0 ? XML_C14N_EXCLUSIVE_1_0
	    : strcmp(algorithm, ALG_C14N) == 0 ? XML_C14N_1_0
	    : strcmp(algorithm, ALG_C14N11) == 0 ? XML_C14N_1_1 : -1;
	xmlOutputBufferPtr ob = mode < 0 ? NULL : xmlAllocOutputBuffer(NULL);
	int rc = -1;
	if (!ob)
		return -1;
	if (xmlC14NExecute(doc, in_subtree, node, mode, NULL, 0, ob) >= 0) {
		const xmlChar *p = xmlOutputBufferGetContent(ob);
		size_t n = xmlOutputBufferGetSize(ob);
		out->len = 0;
		rc = buf_append(out, p, n);
	}
	xmlOutputBufferClose(ob);
	return rc;
}

/* Appends a DER length. */
static int der_len(struct buf *b, size_t n)
{
	unsigned char h[5];
	size_t k = 0;
	if (n < 128)
		h[k++] = (unsigned char)n;
	else {
		int bytes = n > 0xffffff ? 4 : n > 0xffff ? 3 : n > 0xff ? 2 : 1;
		h[k++] = (unsigned char)(0x80 | bytes);
		while (bytes--)
			h[k++] = (unsigned char)(n >> (8 * bytes));
	}
	return buf_append(b, h, k);
}

static int der_wrap(struct buf *b, unsigned char tag, const void *p, size_t n)
{
	return buf_append(b, &tag, 1) || der_len(b, n) || buf_append(b, p, n);
}

int issuer_serial_der(X509 *x, struct buf *out)
{
	unsigned char *name = NULL, *serial = NULL;
	int nl = i2d_X509_NAME(X509_get_issuer_name(x), &name);
	int sl = i2d_ASN1_INTEGER(X509_get_serialNumber(x), &serial);
	struct buf gn = { 0 }, gns = { 0 }, body = { 0 };
	int rc = -1;
	out->len = 0;
	/* GeneralName directoryName [4] is explicit (Name is a CHOICE); GeneralNames is a
	 * SEQUENCE OF GeneralName. */
	if (nl > 0 && sl > 0 && !der_wrap(&gn, 0xa4, name, (size_t)nl) &&
	    !der_wrap(&gns, 0x30, gn.data, gn.len) && !buf_append(&body, gns.data, gns.len) &&
	    !buf_append(&body, serial, (size_t)sl) && !der_wrap(out, 0x30, body.data, body.len))
		rc = 0;
	OPENSSL_free(name);
	OPENSSL_free(serial);
	buf_release(&gn);
	buf_release(&gns);
	buf_release(&body);
	return rc;
}

int is_xades_signature_name(const char *name)
{
	size_t n = strlen(name);
	return strncmp(name, "META-INF/", 9) == 0 && strchr(name + 9, '/') == NULL &&
	    n >= 9 + 10 + 4 && strncmp(name + 9, "signatures", 10) == 0 && strcmp(name + n - 4, ".xml") == 0;
}

static xmlNodePtr first_child(xmlNodePtr n, const char *ns, const char *name)
{
	for (xmlNodePtr k = n ? n->children : NULL; k; k = k->next)
		if (k->type == XML_ELEMENT_NODE && k->ns && strcmp((const char *)k->ns->href, ns) == 0 &&
		    strcmp((const char *)k->name, name) == 0)
			return k;
	return NULL;
}

int xades_seal_id(xmlDocPtr doc, char hex[65])
{
	xmlNodePtr sig = first_child(xmlDocGetRootElement(doc), SCELLE_NS_DSIG, "Signature");
	xmlNodePtr si = first_child(sig, SCELLE_NS_DSIG, "SignedInfo");
	xmlNodePtr cm = first_child(si, SCELLE_NS_DSIG, "CanonicalizationMethod");
	xmlChar *alg = cm ? xmlGetNoNsProp(cm, BAD_CAST "Algorithm") : NULL;
	struct buf c = { 0 };
	int rc = alg && xml_c14n_node(doc, si, (const char *)alg, &c) == 0 ? 0 : -1;
	if (rc == 0) {
		unsigned char md[32];
		SHA256(c.data, c.len, md);
		hex_encode(md, 32, hex);
	}
	xmlFree(alg);
	buf_release(&c);
	return rc;
}

int xades_seal_id_of(const void *xml, size_t n, char hex[65])
{
	/* hostile input: no DTD, no network (as verify reads it) */
	xmlDocPtr doc = n < INT32_MAX && !memmem(xml, n, "<!DOCTYPE", 9) ? xmlReadMemory(xml, (int)n, NULL,
	    NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING) : NULL;
	int rc = doc && !doc->intSubset ? xades_seal_id(doc, hex) : -1;
	xmlFreeDoc(doc);
	return rc;
}

/* ---------------------------------------------------------------- sealing ---- */

struct xb {
	xmlDocPtr doc;
	xmlNsPtr ds, xades;
	int failed;
};

static xmlNodePtr el(struct xb *b, xmlNodePtr parent, xmlNsPtr ns, const char *name, const char *text)
{
	xmlNodePtr n = parent ? xmlNewTextChild(parent, ns, BAD_CAST name, BAD_CAST text)
	    : xmlNewDocNode(b->doc, ns, BAD_CAST name, NULL);
	if (!n)
		b->failed = 1;
	return n;
}

static void attr(struct xb *b, xmlNodePtr n, const char *name, const char *value)
{
	if (!n || !xmlNewProp(n, BAD_CAST name, BAD_CAST value))
		b->failed = 1;
}

static void b64_el(struct xb *b, xmlNodePtr parent, xmlNsPtr ns, const char *name,
    const unsigned char *p, size_t n)
{
	char *v = NULL;
	if (b64_encode(p, n, &v))
		b->failed = 1;
	else
		el(b, parent, ns, name, v);
	free(v);
}

static xmlNodePtr digest_els(struct xb *b, xmlNodePtr parent, const unsigned char md[32])
{
	attr(b, el(b, parent, b->ds, "DigestMethod", NULL), "Algorithm", ALG_SHA256);
	char *v = NULL;
	if (b64_encode(md, 32, &v)) {
		b->failed = 1;
		return NULL;
	}
	xmlNodePtr n = el(b, parent, b->ds, "DigestValue", v);
	free(v);
	return n;
}

/* One detached data reference (EN 319 132-1 §6.3 item e) and its DataObjectFormat. */
static void data_ref(struct xb *b, xmlNodePtr si, xmlNodePtr dof, size_t i, const char *name,
    const unsigned char md[32], const char *media_type)
{
	struct buf uri = { 0 };
	char id[32], target[40];
	snprintf(id, sizeof(id), "S0-ref-%zu", i);
	snprintf(target, sizeof(target), "#%s", id);
	xmlNodePtr r = el(b, si, b->ds, "Reference", NULL);
	attr(b, r, "Id", id);
	if (uri_escape(name, &uri))
		b->failed = 1;
	else
		attr(b, r, "URI", (const char *)uri.data);
	buf_release(&uri);
	digest_els(b, r, md);
	xmlNodePtr f = el(b, dof, b->xades, "DataObjectFormat", NULL);
	attr(b, f, "ObjectReference", target);
	el(b, f, b->xades, "MimeType", media_type);
}

/* XML-DSig's SignatureValue: RSA PKCS#1 v1.5 (RFC 6931 rsa-sha256; libxmlsec1 1.2 has no
 * RSA-PSS), ECDSA as r || s, each as long as the group order (RFC 4050 §3.3). */
static int sign_value(EVP_PKEY *key, const struct buf *data, unsigned char **sig, size_t *len)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char *der = NULL;
	size_t n = 0;
	int rc = -1;
	if (!md || EVP_DigestSignInit(md, &pctx, EVP_sha256(), NULL, key) != 1 ||
	    (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA &&
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) <= 0) ||
	    EVP_DigestSign(md, NULL, &n, data->data, data->len) != 1 || !(der = malloc(n)) ||
	    EVP_DigestSign(md, der, &n, data->data, data->len) != 1)
		goto out;
	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) {
		*sig = der;
		*len = n;
		der = NULL;
		rc = 0;
		goto out;
	}
	const unsigned char *p = der;
	ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)n);
	size_t half = ((size_t)EVP_PKEY_get_bits(key) + 7) / 8;
	unsigned char *rs = es ? calloc(2, half) : NULL;
	if (rs && BN_bn2binpad(ECDSA_SIG_get0_r(es), rs, (int)half) == (int)half &&
	    BN_bn2binpad(ECDSA_SIG_get0_s(es), rs + half, (int)half) == (int)half) {
		*sig = rs;
		*len = 2 * half;
		rs = NULL;
		rc = 0;
	}
	free(rs);
	ECDSA_SIG_free(es);
out:
	free(der);
	EVP_MD_CTX_free(md);
	return rc;
}

static int cert_der(X509 *x, unsigned char **der, size_t *n)
{
	int l = i2d_X509(x, der);
	*n = l > 0 ? (size_t)l : 0;
	return l > 0 ? 0 : -1;
}

/* The UnsignedSignatureProperties of QualifyingProperties qp, made (after the
 * SignedProperties) when it has none. */
static xmlNodePtr unsigned_props(struct xb *b, xmlNodePtr qp)
{
	xmlNodePtr up = first_child(qp, NS_XADES, "UnsignedProperties");
	xmlNodePtr usp = first_child(up, NS_XADES, "UnsignedSignatureProperties");
	if (usp)
		return usp;
	return el(b, up ? up : el(b, qp, b->xades, "UnsignedProperties", NULL), b->xades,
	    "UnsignedSignatureProperties", NULL);
}

static int is_timestamp(xmlNodePtr n)
{
	return n->type == XML_ELEMENT_NODE && n->ns && strcmp((const char *)n->ns->href, NS_XADES) == 0 &&
	    strcmp((const char *)n->name, "SignatureTimeStamp") == 0;
}

/* Where timestamps_add puts the tokens: the QualifyingProperties of one signature. */
struct ts_place {
	struct xb *b;
	xmlNodePtr qp, usp;	/* usp: its UnsignedSignatureProperties, made at the first token */
	const char *sid;	/* the signature's Id */
	int n;			/* the next SignatureTimeStamp's number */
};

/* One token as an xades:SignatureTimeStamp after those already there (tsa_token_cb). */
static int ts_place_token(void *arg, const unsigned char *token, size_t len, struct scerr *e)
{
	struct ts_place *t = arg;
	struct xb *b = t->b;
	if (!t->usp && (t->usp = unsigned_props(b, t->qp)))	/* the Ids go on from those there */
		for (xmlNodePtr k = t->usp->children; k; k = k->next)
			t->n += is_timestamp(k);
	xmlNodePtr before = t->usp ? t->usp->children : NULL;
	while (before && (before->type != XML_ELEMENT_NODE || is_timestamp(before)))
		before = before->next;
	char id[200];
	snprintf(id, sizeof(id), "%s-TS-%d", t->sid, t->n++);
	xmlNodePtr ts = el(b, NULL, b->xades, "SignatureTimeStamp", NULL);
	if (ts && !(before ? xmlAddPrevSibling(before, ts) : xmlAddChild(t->usp, ts))) {
		xmlFreeNode(ts);
		ts = NULL;
	}
	if (ts) {
		attr(b, ts, "Id", id);
		attr(b, el(b, ts, b->ds, "CanonicalizationMethod", NULL), "Algorithm", ALG_EXC_C14N);
		b64_el(b, ts, b->xades, "EncapsulatedTimeStamp", token, len);
	}
	if (!ts || b->failed) {
		scerr_set(e, SCELLE_E_NOMEM, "out of memory");
		return SCELLE_E_NOMEM;
	}
	return SCELLE_OK;
}

/* B-T (EN 319 132-1 §5.3): one xades:SignatureTimeStamp per TSA that answers, an RFC 3161
 * token over the exclusive canonical form of ds:SignatureValue, put after the time-stamps
 * already there (before the B-LT values).  Seal and stamp both come here; the TSAs are
 * asked in turn as for CAdES (tsa_request_each, sign.c). */
static int timestamps_add(struct xb *b, xmlNodePtr sig, char *const *urls, size_t nurls,
    const struct tsa_options *opt, int optional, struct buf *warnings, int *added, struct scerr *e)
{
	xmlNodePtr sv = first_child(sig, SCELLE_NS_DSIG, "SignatureValue"), qp = NULL;
	xmlChar *sid = xmlGetNoNsProp(sig, BAD_CAST "Id");
	struct buf c14n = { 0 };
	*added = 0;
	for (xmlNodePtr o = sig ? sig->children : NULL; o && !qp; o = o->next)
		if (o->type == XML_ELEMENT_NODE && o->ns && strcmp((const char *)o->ns->href, SCELLE_NS_DSIG) == 0 &&
		    strcmp((const char *)o->name, "Object") == 0)
			qp = first_child(o, NS_XADES, "QualifyingProperties");
	if (!sv || !qp || !sid || xml_c14n_node(b->doc, sv, ALG_EXC_C14N, &c14n)) {
		xmlFree(sid);
		scerr_set(e, SCELLE_E_FORMAT, "not a XAdES signature with a signature value and qualifying "
		    "properties: no time-stamp can be added");
		return SCELLE_E_FORMAT;
	}
	struct ts_place t = { b, qp, NULL, (const char *)sid, 0 };
	int rc = tsa_request_each(urls, nurls, c14n.data, c14n.len, opt, optional, warnings,
	    ts_place_token, &t, added, e);
	xmlFree(sid);
	buf_release(&c14n);
	return rc;
}

/* B-LT (EN 319 132-1 §5.5): the chain's certificates and the revocation data that the
 * sealer gathered (revocation.c), as CertificateValues and RevocationValues. */
static void add_lt_values(struct scelle_sealer *s, struct xb *b, xmlNodePtr usp)
{
	const struct sign_extra *x = &s->sg.extra;
	if (sk_X509_num(s->sg.chain) > 0) {
		xmlNodePtr cv = el(b, usp, b->xades, "CertificateValues", NULL);
		for (int i = 0; i < sk_X509_num(s->sg.chain); i++) {
			unsigned char *der = NULL;
			size_t n;
			if (cert_der(sk_X509_value(s->sg.chain, i), &der, &n) == 0)
				b64_el(b, cv, b->xades, "EncapsulatedX509Certificate", der, n);
			else
				b->failed = 1;
			OPENSSL_free(der);
		}
	}
	if (sk_X509_CRL_num(x->crls) <= 0 && !x->nocsp)
		return;
	xmlNodePtr rv = el(b, usp, b->xades, "RevocationValues", NULL);
	if (sk_X509_CRL_num(x->crls) > 0) {
		xmlNodePtr cv = el(b, rv, b->xades, "CRLValues", NULL);
		for (int i = 0; i < sk_X509_CRL_num(x->crls); i++) {
			unsigned char *der = NULL;
			int n = i2d_X509_CRL(sk_X509_CRL_value(x->crls, i), &der);
			if (n > 0)
				b64_el(b, cv, b->xades, "EncapsulatedCRLValue", der, (size_t)n);
			else
				b->failed = 1;
			OPENSSL_free(der);
		}
	}
	if (x->nocsp) {
		xmlNodePtr ov = el(b, rv, b->xades, "OCSPValues", NULL);
		for (size_t i = 0; i < x->nocsp; i++)
			b64_el(b, ov, b->xades, "EncapsulatedOCSPValue", x->ocsp[i].data, x->ocsp[i].len);
	}
}

/* OpenDocument v1.2 Part 3 §3.2: a "/" entry with the container's media type, then every
 * file once, with the media type that the signature's DataObjectFormat gives it. */
static int odf_manifest(struct scelle_sealer *s, struct buf *out)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr root = doc ? xmlNewDocNode(doc, NULL, BAD_CAST "manifest", NULL) : NULL;
	xmlNsPtr ns = root ? xmlNewNs(root, BAD_CAST NS_ODF_MANIFEST, BAD_CAST "manifest") : NULL;
	struct xb b = { doc, NULL, NULL, !ns };
	xmlChar *mem = NULL;
	int len = 0;
	if (ns) {
		xmlSetNs(root, ns);
		xmlDocSetRootElement(doc, root);
		xmlNewNsProp(root, ns, BAD_CAST "version", BAD_CAST "1.2");
	}
	for (size_t i = 0; !b.failed && i < s->inv.nitems + 2; i++) {
		const char *path = i == 0 ? "/" : i == 1 ? EVIDENCE_XML : s->inv.items[i - 2].name;
		const char *mt = i == 0 ? ASIC_MIMETYPE : i == 1 ? EVIDENCE_XML_MEDIA_TYPE
		    : s->inv.items[i - 2].media_type;
		xmlNodePtr f = xmlNewChild(root, ns, BAD_CAST "file-entry", NULL);
		if (!f || !xmlNewNsProp(f, ns, BAD_CAST "full-path", BAD_CAST path) ||
		    !xmlNewNsProp(f, ns, BAD_CAST "media-type", BAD_CAST mt))
			b.failed = 1;
	}
	if (!b.failed)
		xmlDocDumpMemoryEnc(doc, &mem, &len, "UTF-8");
	int rc = mem && len > 0 ? buf_append(out, mem, (size_t)len) : -1;
	xmlFree(mem);
	xmlFreeDoc(doc);
	return rc ? scerr_set(&s->err, SCELLE_E_NOMEM, "out of memory"), SCELLE_E_NOMEM : SCELLE_OK;
}

int xades_build(struct scelle_sealer *s, const unsigned char evidence_sha256[32],
    struct buf *sig, struct buf *manifest, char seal_id[65])
{
	struct xb b = { 0 };
	struct buf c14n = { 0 }, is = { 0 };
	unsigned char md[32], *value = NULL, *der = NULL;
	size_t value_len = 0, der_n = 0;
	xmlChar *mem = NULL;
	int len = 0, rc = SCELLE_E_NOMEM, base = EVP_PKEY_get_base_id(s->sg.key);
	char when[32];

	if (base != EVP_PKEY_RSA && base != EVP_PKEY_EC)
		return scerr_set(&s->err, SCELLE_E_KEY, "a XAdES signature needs an RSA or EC key"),
		    SCELLE_E_KEY;
	if (!(b.doc = xmlNewDoc(BAD_CAST "1.0")))
		goto nomem;
	/* EN 319 162-1 §A.5: the root of signatures*.xml is asic:XAdESSignatures. */
	xmlNodePtr root = el(&b, NULL, NULL, "XAdESSignatures", NULL);
	xmlNsPtr asic = root ? xmlNewNs(root, BAD_CAST SCELLE_NS_ASIC, BAD_CAST "asic") : NULL;
	b.ds = root ? xmlNewNs(root, BAD_CAST SCELLE_NS_DSIG, BAD_CAST "ds") : NULL;
	b.xades = root ? xmlNewNs(root, BAD_CAST NS_XADES, BAD_CAST "xades") : NULL;
	if (!asic || !b.ds || !b.xades)
		goto nomem;
	xmlSetNs(root, asic);
	xmlDocSetRootElement(b.doc, root);

	xmlNodePtr sg = el(&b, root, b.ds, "Signature", NULL);
	attr(&b, sg, "Id", "S0");
	xmlNodePtr si = el(&b, sg, b.ds, "SignedInfo", NULL);
	attr(&b, el(&b, si, b.ds, "CanonicalizationMethod", NULL), "Algorithm", ALG_EXC_C14N);
	attr(&b, el(&b, si, b.ds, "SignatureMethod", NULL), "Algorithm",
	    base == EVP_PKEY_RSA ? ALG_RSA_SHA256 : ALG_ECDSA_SHA256);
	xmlNodePtr sv = el(&b, sg, b.ds, "SignatureValue", NULL);
	attr(&b, sv, "Id", "S0-SIG");
	/* The signer's certificate first in KeyInfo: libdigidocpp takes the first. */
	xmlNodePtr x509 = el(&b, el(&b, sg, b.ds, "KeyInfo", NULL), b.ds, "X509Data", NULL);
	if (cert_der(s->sg.cert, &der, &der_n))
		goto crypto;
	b64_el(&b, x509, b.ds, "X509Certificate", der, der_n);
	xmlNodePtr qp = el(&b, el(&b, sg, b.ds, "Object", NULL), b.xades, "QualifyingProperties", NULL);
	attr(&b, qp, "Target", "#S0");
	xmlNodePtr sp = el(&b, qp, b.xades, "SignedProperties", NULL);
	attr(&b, sp, "Id", "S0-SignedProperties");
	xmlNodePtr ssp = el(&b, sp, b.xades, "SignedSignatureProperties", NULL);
	time_rfc3339(s->sealed_at, when, sizeof(when));
	el(&b, ssp, b.xades, "SigningTime", when);
	/* EN 319 132-1 §5.2.2: the signer's certificate by digest and IssuerSerialV2. */
	xmlNodePtr cert = el(&b, el(&b, ssp, b.xades, "SigningCertificateV2", NULL), b.xades, "Cert", NULL);
	SHA256(der, der_n, md);
	digest_els(&b, el(&b, cert, b.xades, "CertDigest", NULL), md);
	if (issuer_serial_der(s->sg.cert, &is))
		goto crypto;
	b64_el(&b, cert, b.xades, "IssuerSerialV2", is.data, is.len);
	xmlNodePtr dof = el(&b, sp, b.xades, "SignedDataObjectProperties", NULL);

	/* evidence.xml first, then every item in name order (check_name_collisions). */
	data_ref(&b, si, dof, 0, EVIDENCE_XML, evidence_sha256, EVIDENCE_XML_MEDIA_TYPE);
	for (size_t i = 0; i < s->inv.nitems; i++) {
		const struct item *it = &s->inv.items[i];
		data_ref(&b, si, dof, i + 1, it->name, it->sha256, it->media_type);
	}
	xmlNodePtr spr = el(&b, si, b.ds, "Reference", NULL);
	attr(&b, spr, "Id", "S0-ref-SignedProperties");
	attr(&b, spr, "Type", XADES_SP_TYPE);
	attr(&b, spr, "URI", "#S0-SignedProperties");
	attr(&b, el(&b, el(&b, spr, b.ds, "Transforms", NULL), b.ds, "Transform", NULL), "Algorithm",
	    ALG_EXC_C14N);
	if (b.failed || xml_c14n_node(b.doc, sp, ALG_EXC_C14N, &c14n))
		goto nomem;
	SHA256(c14n.data, c14n.len, md);
	digest_els(&b, spr, md);

	/* The signature value over the canonical SignedInfo; its SHA-256 names the seal
	 * (FORMAT.md §5.2: it commits to every reference and does not change with a later
	 * time-stamp). */
	if (b.failed || xml_c14n_node(b.doc, si, ALG_EXC_C14N, &c14n))
		goto nomem;
	SHA256(c14n.data, c14n.len, md);
	hex_encode(md, 32, seal_id);
	if (sign_value(s->sg.key, &c14n, &value, &value_len))
		goto crypto;
	char *v64 = NULL;
	if (b64_encode(value, value_len, &v64))
		goto nomem;
	xmlNodeAddContent(sv, BAD_CAST v64);
	free(v64);

	if (s->ntsa) {
		struct tsa_options opt = { s->tsa_policy, s->tsa_timeout, &s->tsa_access };
		int added;
		if ((rc = timestamps_add(&b, sg, s->tsa, s->ntsa, &opt, s->tsa_optional, &s->warnings,
		    &added, &s->err)))
			goto out;
		if (!added)
			signer_warn(&s->sg, "sealed without a time-stamp: no time-stamp authority answered");
	}
	/* B-LT: the revocation data is fetched after the time-stamp, so that an OCSP response
	 * is no older than it (libdigidocpp refuses an older one); it is unsigned, so it may
	 * come last.  A certificate the data says is revoked still stops the seal. */
	if (revocation_prepare(&s->sg, s->tsa_timeout, &s->err)) {
		rc = s->err.code;
		goto out;
	}
	if (sk_X509_num(s->sg.chain) > 0 || sk_X509_CRL_num(s->sg.extra.crls) > 0 || s->sg.extra.nocsp)
		add_lt_values(s, &b, unsigned_props(&b, qp));
	if (b.failed)
		goto nomem;
	xmlDocDumpMemoryEnc(b.doc, &mem, &len, "UTF-8");
	if (!mem || len <= 0 || buf_append(sig, mem, (size_t)len))
		goto nomem;
	rc = odf_manifest(s, manifest);
	goto out;
crypto:
	scerr_ssl(&s->err, SCELLE_E_CRYPTO, "cannot make the XAdES signature");
	rc = SCELLE_E_CRYPTO;
	goto out;
nomem:
	scerr_set(&s->err, SCELLE_E_NOMEM, "out of memory");
	rc = SCELLE_E_NOMEM;
out:
	xmlFree(mem);
	xmlFreeDoc(b.doc);
	buf_release(&c14n);
	buf_release(&is);
	OPENSSL_free(der);
	free(value);
	return rc;
}

int xades_stamp(struct buf *xml, char *const *urls, size_t nurls, const struct tsa_options *opt,
    int optional, struct buf *warnings, int *added, struct scerr *e)
{
	struct xb b = { 0 };
	xmlChar *mem = NULL;
	int len = 0, rc;
	*added = 0;
	/* hostile input: no DTD, no network (as verify reads it) */
	if (xml->len < INT32_MAX && !memmem(xml->data, xml->len, "<!DOCTYPE", 9))
		b.doc = xmlReadMemory((const char *)xml->data, (int)xml->len, NULL, NULL,
		    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_HUGE);
	xmlNodePtr sig = b.doc && !b.doc->intSubset ?
	    first_child(xmlDocGetRootElement(b.doc), SCELLE_NS_DSIG, "Signature") : NULL;
	/* the namespaces in scope where the new elements go (the signer's prefixes kept) */
	b.ds = sig ? sig->ns : NULL;
	b.xades = sig ? xmlSearchNsByHref(b.doc, sig, BAD_CAST NS_XADES) : NULL;
	for (xmlNodePtr o = sig ? sig->children : NULL; o && !b.xades; o = o->next)
		for (xmlNodePtr q = o->type == XML_ELEMENT_NODE ? o->children : NULL; q && !b.xades; q = q->next)
			if (q->type == XML_ELEMENT_NODE && q->ns && strcmp((const char *)q->ns->href, NS_XADES) == 0)
				b.xades = q->ns;
	if (!b.ds || !b.xades) {
		xmlFreeDoc(b.doc);
		scerr_set(e, SCELLE_E_FORMAT, "not a XAdES signature with a signature value and qualifying "
		    "properties: no time-stamp can be added");
		return SCELLE_E_FORMAT;
	}
	rc = timestamps_add(&b, sig, urls, nurls, opt, optional, warnings, added, e);
	if (rc == SCELLE_OK && *added) {
		xmlDocDumpMemoryEnc(b.doc, &mem, &len, "UTF-8");
		xml->len = 0;
		if (!mem || len <= 0 || buf_append(xml, mem, (size_t)len)) {
			scerr_set(e, SCELLE_E_NOMEM, "out of memory");
			rc = SCELLE_E_NOMEM;
		}
	}
	xmlFree(mem);
	xmlFreeDoc(b.doc);
	return rc;
}
