/* cms_revinfo.c — OCSP responses inside SignedData.crls as RFC 5940 "other" revocation
 * information (id-ri-ocsp-response), where EN 319 122-1 §5.5 puts them for CAdES-B-LT.
 *
 * OpenSSL 3.0's CMS API writes and reads only CRLs there: CMS_RevocationInfoChoice is
 * opaque and has no setter or getter for the "other" choice.  The crls field is outside
 * the signed attributes, so it can be edited in the DER after signing without touching the
 * signature; this file does that, and the reverse, with a strict DER walker (definite
 * lengths, one-byte tags: all that SignedData's top level uses). */
#include <stdlib.h>
#include <string.h>
#include <openssl/ocsp.h>
#include "crypto.h"
#include "internal.h"

/* RFC 5940 §4: id-ri-ocsp-response, 1.3.6.1.5.5.7.16.2, as a DER OBJECT IDENTIFIER. */
static const unsigned char OID_RI_OCSP[] = { 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x10, 0x02 };

struct tlv {
	const unsigned char *start;	/* the tag byte */
	const unsigned char *body;	/* the contents */
	size_t len;			/* of the contents */
	size_t total;			/* tag + length + contents */
	unsigned char tag;
};

static int tlv_read(const unsigned char *p, const unsigned char *end, struct tlv *t)
{
	size_t n, hdr = 2;
	if (end - p < 2 || (p[0] & 0x1f) == 0x1f)
		return -1;
	t->start = p;
	t->tag = p[0];
	n = p[1];
	if (n & 0x80) {
		size_t k = n & 0x7f;
		if (k == 0 || k > sizeof(size_t) || (size_t)(end - p) < 2 + k)
			return -1;	/* indefinite lengths are not DER */
		n = 0;
		for (size_t i = 0; i < k; i++)
			n = (n << 8) | p[2 + i];
		hdr += k;
	}
	if (n > (size_t)(end - p) - hdr)
		return -1;
	t->body = p + hdr;
	t->len = n;
	t->total = hdr + n;
	return 0;
}

static int put_header(struct buf *b, unsigned char tag, size_t len)
{
	unsigned char h[2 + sizeof(size_t)];
	size_t n = 0, k = 0;
	h[n++] = tag;
	if (len < 0x80) {
		h[n++] = (unsigned char)len;
	} else {
		for (size_t v = len; v; v >>= 8)
			k++;
		h[n++] = (unsigned char)(0x80 | k);
		while (k--)
			h[n++] = (unsigned char)(len >> (8 * k));
	}
	return buf_append(b, h, n);
}

/* Finds the top-level elements of the SignedData inside a ContentInfo. */
#define MAX_SD_ELEMS 8
static int signed_data(const unsigned char *der, size_t len, struct tlv *el, size_t *nel)
{
	struct tlv ci, oid, exp, sd;
	const unsigned char *end = der + len;
	if (tlv_read(der, end, &ci) || ci.tag != 0x30 || ci.total != len ||
	    tlv_read(ci.body, ci.body + ci.len, &oid) || oid.tag != 0x06 ||
	    tlv_read(oid.body + oid.len, ci.body + ci.len, &exp) || exp.tag != 0xa0 ||
	    tlv_read(exp.body, exp.body + exp.len, &sd) || sd.tag != 0x30)
		return -1;
	*nel = 0;
	for (const unsigned char *p = sd.body; p < sd.body + sd.len; p += el[*nel - 1].total) {
		if (*nel == MAX_SD_ELEMS || tlv_read(p, sd.body + sd.len, &el[*nel]))
			return -1;
		(*nel)++;
	}
	/* RFC 5652 §5.1: version, digestAlgorithms, encapContentInfo, [0] IMPLICIT
	 * certificates OPTIONAL, [1] IMPLICIT crls OPTIONAL, signerInfos — nothing else. */
	size_t i = 3;
	if (*nel < 4 || el[0].tag != 0x02 || el[1].tag != 0x31 || el[2].tag != 0x30)
		return -1;
	if (i < *nel - 1 && el[i].tag == 0xa0)
		i++;
	if (i < *nel - 1 && el[i].tag == 0xa1)
		i++;
	return i == *nel - 1 && el[i].tag == 0x31 ? 0 : -1;
}

/* DER orders the members of a SET OF by their encodings (X.690 §11.6). */
static int der_cmp(const void *a, const void *b)
{
	const struct buf *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->data, y->data, n);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

int cms_der_add_ocsp(const unsigned char *der, size_t len, const struct buf *ocsp, size_t n,
    struct buf *out)
{
	struct tlv el[MAX_SD_ELEMS];
	struct buf *other = NULL, crls = { 0 }, sd = { 0 }, inner = { 0 };
	size_t nel, i;
	int rc = -1;

	if (signed_data(der, len, el, &nel) || !(other = calloc(n, sizeof(*other))))
		goto out;
	for (i = 0; i < n; i++)
		if (put_header(&other[i], 0xa1, sizeof(OID_RI_OCSP) + ocsp[i].len) ||
		    buf_append(&other[i], OID_RI_OCSP, sizeof(OID_RI_OCSP)) ||
		    buf_append(&other[i], ocsp[i].data, ocsp[i].len))
			goto out;
	sort(other, n, sizeof(*other), der_cmp);
	/* RFC 5652 §5.1: version 5 when crls holds an "other" choice. */
	if (buf_append(&sd, "\x02\x01\x05", 3))
		goto out;
	for (i = 1; i < nel - 1; i++) {
		if (el[i].tag == 0xa1) {	/* existing CRLs: keep them (0x30 sorts first) */
			struct tlv t;
			for (const unsigned char *p = el[i].body; p < el[i].body + el[i].len; p += t.total)
				if (tlv_read(p, el[i].body + el[i].len, &t))
					goto out;	/* not a SET OF RevocationInfoChoice */
			if (buf_append(&crls, el[i].body, el[i].len))
				goto out;
		} else if (buf_append(&sd, el[i].start, el[i].total)) {
			goto out;
		}
	}
	for (i = 0; i < n; i++)
		if (buf_append(&crls, other[i].data, other[i].len))
			goto out;
	if (put_header(&sd, 0xa1, crls.len) || buf_append(&sd, crls.data, crls.len) ||
	    buf_append(&sd, el[nel - 1].start, el[nel - 1].total))
		goto out;
	crls.len = 0;	/* reused for the SignedData with its header */
	/* SignedData SEQUENCE, then ContentInfo { id-signedData, [0] EXPLICIT SignedData } */
	if (put_header(&crls, 0x30, sd.len) || buf_append(&crls, sd.data, sd.len) ||
	    buf_append(&inner, "\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02", 11) ||
	    put_header(&inner, 0xa0, crls.len) || buf_append(&inner, crls.data, crls.len) ||
	    put_header(out, 0x30, inner.len) || buf_append(out, inner.data, inner.len))
		goto out;
	rc = 0;
out:
	for (i = 0; other && i < n; i++)
		buf_release(&other[i]);
	free(other);
	buf_release(&crls);
	buf_release(&sd);
	buf_release(&inner);
	if (rc)
		buf_release(out);
	return rc;
}

OCSP_RESPONSE **cms_der_get_ocsp(const unsigned char *der, size_t len, size_t *count)
{
	struct tlv el[MAX_SD_ELEMS], ri, oid;
	OCSP_RESPONSE **v = NULL;
	size_t nel, cap = 0;

	*count = 0;
	if (signed_data(der, len, el, &nel))
		return NULL;
	for (size_t i = 1; i < nel - 1; i++) {
		if (el[i].tag != 0xa1)
			continue;
		for (const unsigned char *p = el[i].body; p < el[i].body + el[i].len; p += ri.total) {
			if (tlv_read(p, el[i].body + el[i].len, &ri))
				break;
			if (ri.tag != 0xa1 || tlv_read(ri.body, ri.body + ri.len, &oid) ||
			    oid.total != sizeof(OID_RI_OCSP) || memcmp(oid.start, OID_RI_OCSP, oid.total))
				continue;
			const unsigned char *q = oid.start + oid.total;
			OCSP_RESPONSE *resp = d2i_OCSP_RESPONSE(NULL, &q, (long)(ri.len - oid.total));
			OCSP_RESPONSE **nv = resp ? grow(v, &cap, *count + 1, sizeof(*v)) : NULL;
			if (!nv) {
				OCSP_RESPONSE_free(resp);
				continue;
			}
			v = nv;
			v[(*count)++] = resp;
		}
	}
	return v;
}
