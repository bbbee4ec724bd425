/* verify.c — verification of a sealed archive (doc/design.md §5): structure → every entry
 * streamed once through its digests → ASiCManifest and evidence.xml agree with the bytes →
 * CAdES signature → signer chain → one result. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/ess.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>
#include "crypto.h"
#include "container.h"
#include "result.h"
#include "evidence.h"
#include "verify_ctx.h"
#include "ledger.h"
#include "xades.h"

#define CHUNK (1u << 20)
#define INLINE_MAX (64u << 10)	/* entries up to this size are hashed on this thread */

struct scelle_verifier *scelle_verifier_new(void)
{
	struct scelle_verifier *v = xcalloc(1, sizeof(*v));
	if (v)
		v->max_skew = 600;
	return v;
}

void scelle_verifier_free(struct scelle_verifier *v)
{
	if (!v)
		return;
	X509_STORE_free(v->trust);
	X509_STORE_free(v->tsa_trust);
	sk_X509_pop_free(v->untrusted, X509_free);
	sk_X509_CRL_pop_free(v->crls, X509_CRL_free);
	verifier_free_anchors(v);
	free(v->ledger);
	free(v->ledger_head);
	free(v);
}

const char *scelle_verifier_errhint(const struct scelle_verifier *v)
{
	return v->err.hint;
}

const char *scelle_verifier_errmsg(const struct scelle_verifier *v)
{
	return v ? v->err.msg : "out of memory";
}

static int add_pem(struct scelle_verifier *v, X509_STORE **store, const char *file, int tsa)
{
	STACK_OF(X509_INFO) *infos = NULL;
	BIO *b = verifier_open_file(v, file);
	int n = 0, nomem = 0;
	if (!b)
		return v->err.code;
	if (!*store && !(*store = X509_STORE_new())) {
		BIO_free(b);
		scerr_set(&v->err, SCELLE_E_NOMEM, "out of memory");
		return SCELLE_E_NOMEM;
	}
	infos = PEM_X509_INFO_read_bio(b, NULL, NULL, NULL);
	for (int i = 0; infos && i < sk_X509_INFO_num(infos); i++) {
		X509_INFO *xi = sk_X509_INFO_value(infos, i);
		if (xi->x509 && X509_STORE_add_cert(*store, xi->x509)) {
			n++;
			nomem |= verifier_note_anchor(v, xi->x509, file, tsa) != 0;
		}
	}
	sk_X509_INFO_pop_free(infos, X509_INFO_free);
	BIO_free(b);
	ERR_clear_error();
	if (nomem) {
		scerr_set(&v->err, SCELLE_E_NOMEM, "out of memory");
		return SCELLE_E_NOMEM;
	}
	if (!n) {
		scerr_set(&v->err, SCELLE_E_FORMAT, "'%s' holds no PEM certificate", file);
		return SCELLE_E_FORMAT;
	}
	return SCELLE_OK;
}

int scelle_verifier_add_trust(struct scelle_verifier *v, const char *pem_file)
{
	return add_pem(v, &v->trust, pem_file, 0);
}

int scelle_verifier_add_tsa_trust(struct scelle_verifier *v, const char *pem_file)
{
	return add_pem(v, &v->tsa_trust, pem_file, 1);
}

void scelle_verifier_set_flags(struct scelle_verifier *v, int flags)
{
	v->flags = flags;
}

void scelle_verifier_set_max_skew(struct scelle_verifier *v, long seconds)
{
	v->max_skew = seconds;
}

void scelle_verifier_set_progress_cb(struct scelle_verifier *v, scelle_progress_cb cb, void *arg)
{
	v->progress_cb = cb;
	v->progress_arg = arg;
}

/* --------------------------------------------------------------- container ---- */

/* EN 319 162-1 §A.1 and the IANA magic: "mimetype" is the first local header, STORED,
 * without extra field, holding exactly the ASiC-E media type.  libarchive does not show
 * these header details, so the first bytes are read directly. */
static void check_mimetype_header(struct vctx *c)
{
	static const char asic_s[] = "application/vnd.etsi.asic-s+zip";
	unsigned char h[30 + 8 + sizeof(ASIC_MIMETYPE) - 1];
	const size_t mlen = sizeof(ASIC_MIMETYPE) - 1;
	ssize_t n = pread(c->fd, h, sizeof(h), 0);
	const char *why = NULL;
	if (n != (ssize_t)sizeof(h) || memcmp(h, "PK\3\4", 4) != 0)
		why = L_("the file does not start with a ZIP local header");
	else if (h[26] != 8 || h[27] != 0 || memcmp(h + 30, "mimetype", 8) != 0)
		why = L_("the first entry is not 'mimetype'");
	else if (h[8] != 0 || h[9] != 0)
		why = L_("'mimetype' is compressed (it must be STORED)");
	else if (h[28] != 0 || h[29] != 0)
		why = L_("'mimetype' has an extra field");
	else if (h[6] & 8)
		why = L_("'mimetype' uses a data descriptor");
	else if (h[18] != mlen || h[19] || h[20] || h[21] || h[22] != mlen || h[23] || h[24] || h[25])
		why = L_("'mimetype' is not application/vnd.etsi.asic-e+zip");
	else if (c->dir.foreign && sizeof(asic_s) - 1 == mlen && memcmp(h + 38, asic_s, mlen) == 0) {
		c->asic_s = 1;	/* EN 319 162-2 §A.1: ASiC-S, read as a foreign container */
		result_check(c->r, "container.mimetype", SCELLE_PASSED, NULL, "mimetype",
		    "first entry, STORED, no extra field: %s", asic_s);
		return;
	} else if (memcmp(h + 38, ASIC_MIMETYPE, mlen) != 0)
		why = L_("'mimetype' is not application/vnd.etsi.asic-e+zip");
	int present = 0;
	for (size_t i = 0; i < c->dir.n && !present; i++)
		present = strcmp(c->dir.e[i].name, "mimetype") == 0;
	if (why && c->dir.foreign && !present) {
		/* EN 319 162-1 §A.1: a container without one is still read; the type is then
		 * told by its META-INF names (verify_etsi.c). */
		result_check(c->r, "container.mimetype", SCELLE_PASSED, NULL, "mimetype",
		    "no 'mimetype' entry: the container type is inferred from its META-INF names");
		c->r->checks[c->r->nchecks - 1].warning = 1;
	} else if (why)
		result_check(c->r, "container.mimetype", SCELLE_FAILED, "FORMAT_FAILURE", "mimetype",
		    "%s (EN 319 162-1 A.1)", why);
	else
		result_check(c->r, "container.mimetype", SCELLE_PASSED, NULL, "mimetype",
		    "first entry, STORED, no extra field: %s", ASIC_MIMETYPE);
}

/* Pass 1: the entries are the central directory's records (zip_check walked them and
 * judged their names); the small signed documents are read into memory. */
static int pass_list(struct vctx *c)
{
	if (c->dir.n > MAX_ENTRIES)
		return -1;	/* zip_check said so */
	if (c->dir.n && !(c->entries = xcalloc(c->dir.n, sizeof(*c->entries)))) {
		result_check(c->r, "container.zip", SCELLE_FAILED, "FORMAT_FAILURE", NULL, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < c->dir.n; i++) {
		const struct zip_dirent *z = &c->dir.e[i];
		struct entry *e = &c->entries[c->nentries++];
		e->name = z->name;	/* the central directory's, freed with it */
		e->size = z->usize;
		e->index = i;
		e->z = z;
		struct doc *d = strcmp(z->name, EVIDENCE_XML) == 0 ? &c->evidence
		    : strcmp(z->name, ASIC_MANIFEST) == 0 ? &c->manifest
		    : strcmp(z->name, ASIC_SIGNATURE) == 0 ? &c->signature
		    : is_xades_signature_name(z->name) ? &c->xades : NULL;
		/* FORMAT.md §5.2: one XAdES signature; a second is not signed by anything */
		if (d == &c->xades && c->xades_name)
			d = NULL;
		else if (d == &c->xades)
			c->xades_name = z->name;
		if (d && !d->seen) { /* a second one is a duplicate (zip_check) */
			unsigned cap = d == &c->signature || d == &c->xades ? MAX_SIG_BYTES : MAX_XML_BYTES;
			char why[200];
			int rr = read_small(c, z, &d->b, cap, why, sizeof(why));
			d->seen = rr == 0;
			d->unread = rr != 0;
			if (rr == -2)
				result_check(c->r, "container.limits", SCELLE_FAILED, "FORMAT_FAILURE", z->name,
				    "entry larger than the limit of %u MiB", cap >> 20);
			else if (rr)
				result_check(c->r, "container.zip", SCELLE_FAILED, "FORMAT_FAILURE", z->name,
				    "'%s' cannot be read: %s", z->name, why);
		}
	}
	sort(c->entries, c->nentries, sizeof(*c->entries), by_entry_name);
	return 0;
}

/* ------------------------------------------------------------------- XML ------- */

/* The two signed documents are read as streams (xmlTextReader): only the element in hand
 * is held as a tree (one <item>, one DataObjectReference), so 100,000 items cost their
 * extracted fields, not a document tree ten times the size of the file. */

/* Every XML document in an archive is hostile: no network, no DTD at all (so no entity
 * can be declared, expanded or fetched), size capped when read (MAX_XML_BYTES).  Within
 * that cap, XML_PARSE_HUGE: libxml2's own lookup limit (10 MB) refused an evidence.xml of
 * 33 MB that seal wrote for WARC records whose headers are '"' and '&' (issue 18). */

/* Opens a reader on the root element of a well-formed document without DTD, or reports
 * why not and returns NULL. */
static xmlTextReaderPtr open_xml(struct vctx *c, const struct doc *d, const char *name, const char *id)
{
	xmlTextReaderPtr rd;
	int type = -1;
	if (!d->seen) {
		result_check(c->r, id, SCELLE_FAILED, "FORMAT_FAILURE", name, d->unread ?
		    "'%s' cannot be read" : L_("'%s' is missing"), name);
		return NULL;
	}
	/* A DTD is refused before libxml2 sees it (an entity bomb is not even parsed); the
	 * reader below catches one in an encoding this byte search cannot see. */
	if (d->b.len && memmem(d->b.data, d->b.len, "<!DOCTYPE", 9)) {
		result_check(c->r, id, SCELLE_FAILED, "FORMAT_FAILURE", name,
		    "'%s' has a document type declaration (refused: entities)", name);
		return NULL;
	}
	rd = well_formed(d) ? xmlReaderForMemory((const char *)d->b.data, (int)d->b.len, name,
	    NULL, XML_OPTIONS | XML_PARSE_NOBLANKS | XML_PARSE_COMPACT) : NULL;
	while (rd && xmlTextReaderRead(rd) == 1 &&
	    (type = xmlTextReaderNodeType(rd)) != XML_READER_TYPE_ELEMENT &&
	    type != XML_READER_TYPE_DOCUMENT_TYPE)
		;
	if (type != XML_READER_TYPE_ELEMENT && type != XML_READER_TYPE_DOCUMENT_TYPE) {
		result_check(c->r, id, SCELLE_FAILED, "FORMAT_FAILURE", name, "'%s' is not well-formed XML", name);
		xmlFreeTextReader(rd);
		return NULL;
	}
	if (type == XML_READER_TYPE_DOCUMENT_TYPE) {
		result_check(c->r, id, SCELLE_FAILED, "FORMAT_FAILURE", name,
		    "'%s' has a document type declaration (refused: entities)", name);
		xmlFreeTextReader(rd);
		return NULL;
	}
	return rd;
}

/* Moves the reader to the next element child of the element at depth - 1, skipping the
 * subtrees of the others.  *enter: the reader is on the parent's start tag (cleared).
 * Returns 1 on a child, 0 once the parent ends, -1 on a reading error. */
static int next_child(xmlTextReaderPtr rd, int depth, int *enter)
{
	int ret, d;
	if (*enter) {
		*enter = 0;
		if ((ret = xmlTextReaderIsEmptyElement(rd)) != 0)
			return ret < 0 ? -1 : 0;
		ret = xmlTextReaderRead(rd);
	} else
		ret = xmlTextReaderNext(rd);
	for (; ret == 1; ret = xmlTextReaderNext(rd)) {
		if ((d = xmlTextReaderDepth(rd)) < depth)
			return 0;
		if (d == depth && xmlTextReaderNodeType(rd) == XML_READER_TYPE_ELEMENT)
			return 1;
	}
	return ret < 0 ? -1 : 0;
}

/* The stream broke after well_formed() accepted the document (out of memory): not a
 * document that is not well-formed, one that could not be read to its end. */
static void read_failed(struct vctx *c, const char *name, const char *id)
{
	result_check(c->r, id, SCELLE_FAILED, "FORMAT_FAILURE", name, "'%s' cannot be read", name);
}

static int is_el(xmlNodePtr n, const char *ns, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && n->ns && strcmp((const char *)n->ns->href, ns) == 0 &&
	    strcmp((const char *)n->name, name) == 0;
}

/* The attribute in no namespace, as XML Signature and EN 319 162-1 name it: xmlGetProp
 * takes the first attribute of that local name in any namespace, so f:URI="a" URI="b"
 * would be read as "a" here and as "b" by every namespace-aware reader (EU DSS). */
static char *prop(xmlNodePtr n, const char *name)
{
	return (char *)xmlGetNoNsProp(n, BAD_CAST name);
}

/* An attribute as a malloc'ed string (NULL when absent), so that the result owns it. */
static char *prop_dup(xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetNoNsProp(n, BAD_CAST name);
	char *s = xstrdup((const char *)v);
	xmlFree(v);
	return s;
}

/* One DataObjectReference of the manifest (the subtree n). */
static int manifest_reference(struct vctx *c, xmlNodePtr n)
{
	xmlNodePtr dm = NULL, dv = NULL;
	for (xmlNodePtr k = n->children; k; k = k->next) {
		if (is_el(k, SCELLE_NS_DSIG, "DigestMethod"))
			dm = k;
		else if (is_el(k, SCELLE_NS_DSIG, "DigestValue"))
			dv = k;
	}
	char *uri = prop(n, "URI"), *name = NULL;
	char *alg = dm ? prop(dm, "Algorithm") : NULL;
	char *val = dv ? (char *)xmlNodeGetContent(dv) : NULL;
	struct entry *e = NULL;
	struct manifest_ref ref = { 0 };
	const char *why = NULL;
	if (!uri || uri_unescape(uri, &name))
		why = L_("a DataObjectReference has no valid URI");
	else if (!(e = find_entry(c, name)))
		why = L_("references a file that is not in the archive");
	else if (e->ref)
		why = L_("is referenced twice");
	else if (!alg || !(ref.alg = digest_from_uri(alg)))
		why = L_("unknown digest algorithm");
	else if (!val || b64_decode(val, ref.md, sizeof(ref.md), &ref.mdlen))
		why = L_("digest value is not valid base64");
	else if (!(e->ref = malloc(sizeof(ref))))
		why = "out of memory";
	if (why)
		result_check(c->r, "manifest.references", SCELLE_FAILED,
		    e ? "FORMAT_FAILURE" : "SIGNED_DATA_NOT_FOUND", name ? name : uri,
		    "%s: %s", name ? name : (uri ? uri : "?"), why);
	else
		*e->ref = ref;
	xmlFree(alg);
	xmlFree(val);
	xmlFree(uri);
	free(name);
	return why ? -1 : 0;
}

/* FORMAT.md §4: a reference made with a digest that ETSI TS 119 312 no longer accepts
 * (MD5, SHA-1) binds nothing a forger cannot match: not TOTAL-PASSED.  Its bytes are still
 * compared, so that a changed file stays TOTAL-FAILED. */
static void check_manifest_algorithms(struct vctx *c)
{
	size_t weak = 0;
	const char *first = NULL, *alg = NULL;
	for (size_t i = 0; i < c->nentries; i++) {
		const struct entry *e = &c->entries[i];
		const EVP_MD *md = e->ref ? EVP_get_digestbyname(e->ref->alg) : NULL;
		if (e->ref && (!md || weak_digest(EVP_MD_get_type(md))) && !weak++) {
			first = e->name;
			alg = e->ref->alg;
		}
	}
	if (weak)
		result_check(c->r, "manifest.algorithm", SCELLE_INDETERMINATE, "CRYPTO_CONSTRAINTS_FAILURE_NO_POE",
		    ASIC_MANIFEST, "%zu reference%s made with %s (first '%s'), which ETSI TS 119 312 no longer accepts",
		    weak, weak == 1 ? " is" : "s are", alg, first);
}

/* ASiCManifest (EN 319 162-1 §A.4): one SigReference to our signature, one
 * DataObjectReference per signed file. */
static void parse_manifest(struct vctx *c)
{
	xmlTextReaderPtr rd = open_xml(c, &c->manifest, ASIC_MANIFEST, "manifest.parse");
	xmlNodePtr n = rd ? xmlTextReaderCurrentNode(rd) : NULL;
	int sigrefs = 0, bad = 0, enter = 1, more;
	if (!rd)
		return;
	if (!is_el(n, SCELLE_NS_ASIC, "ASiCManifest")) {
		result_check(c->r, "manifest.parse", SCELLE_FAILED, "FORMAT_FAILURE", ASIC_MANIFEST,
		    "root element is not ASiCManifest in namespace %s", SCELLE_NS_ASIC);
		xmlFreeTextReader(rd);
		return;
	}
	while ((more = next_child(rd, 1, &enter)) == 1) {
		n = xmlTextReaderCurrentNode(rd);
		if (is_el(n, SCELLE_NS_ASIC, "SigReference")) {
			char *uri = prop(n, "URI");
			sigrefs++;
			if (!uri || strcmp(uri, ASIC_SIGNATURE) != 0) {
				result_check(c->r, "manifest.parse", SCELLE_FAILED, "FORMAT_FAILURE", ASIC_MANIFEST,
				    "SigReference does not point to %s", ASIC_SIGNATURE);
				bad = 1;
			}
			xmlFree(uri);
		} else if (is_el(n, SCELLE_NS_ASIC, "DataObjectReference")) {
			if (!(n = xmlTextReaderExpand(rd))) {
				more = -1;
				break;
			}
			bad |= manifest_reference(c, n) != 0;
		}
	}
	xmlFreeTextReader(rd);
	if (more < 0) {
		read_failed(c, ASIC_MANIFEST, "manifest.parse");
		return;
	}
	if (sigrefs != 1) {
		result_check(c->r, "manifest.parse", SCELLE_FAILED, "FORMAT_FAILURE", ASIC_MANIFEST,
		    "%d SigReference elements (exactly one is required)", sigrefs);
		bad = 1;
	}
	if (!bad)
		result_check(c->r, "manifest.parse", SCELLE_PASSED, NULL, ASIC_MANIFEST,
		    "well-formed, references resolved");
	check_manifest_algorithms(c);
}

static char *text_of(xmlNodePtr n)
{
	return (char *)xmlNodeGetContent(n);
}

static void fact_prop(struct scelle_result *r, enum fact f, xmlNodePtr n, const char *name)
{
	char *v = prop(n, name);
	if (v)
		result_fact(r, f, v);
	xmlFree(v);
}

/* FORMAT.md §3.3: legalBasis is 0..n, joined by "; " for the report. */
static void case_text(struct scelle_result *r, enum fact f, xmlNodePtr k)
{
	char *t = text_of(k);
	const char *old = r->facts[f];
	if (t && old) {
		size_t n = strlen(old) + strlen(t) + 3;
		char *both = malloc(n);
		if (both) {
			snprintf(both, n, "%s; %s", old, t);
			free(r->facts[f]);
			r->facts[f] = both;
		}
	} else if (t) {
		result_fact(r, f, t);
	}
	xmlFree(t);
}

/* <case> and <sealing> (subtree n): facts of the result. */
static void evidence_header(struct vctx *c, xmlNodePtr n)
{
	if (is_el(n, SCELLE_NS_EVIDENCE, "case")) {
		for (xmlNodePtr k = n->children; k; k = k->next) {
			if (is_el(k, SCELLE_NS_EVIDENCE, "legalBasis") || is_el(k, SCELLE_NS_EVIDENCE, "description")) {
				case_text(c->r, k->name[0] == 'l' ? F_LEGAL_BASIS : F_CASE_DESCRIPTION, k);
				continue;
			}
			if (!is_el(k, SCELLE_NS_EVIDENCE, "reference"))
				continue;
			char *a = prop(k, "authority"), *co = prop(k, "country"), *ref = text_of(k);
			result_add_case(c->r, a, co, ref);
			xmlFree(a);
			xmlFree(co);
			xmlFree(ref);
		}
		return;
	}
	for (xmlNodePtr k = n->children; k; k = k->next) {
		if (is_el(k, SCELLE_NS_EVIDENCE, "time") || is_el(k, SCELLE_NS_EVIDENCE, "place")) {
			char *t = text_of(k);
			result_fact(c->r, k->name[0] == 't' ? F_SEALED_AT : F_PLACE, t);
			xmlFree(t);
		} else if (is_el(k, SCELLE_NS_EVIDENCE, "officer")) {
			fact_prop(c->r, F_OFFICER, k, "name");
			fact_prop(c->r, F_OFFICER_ROLE, k, "role");
			fact_prop(c->r, F_OFFICER_UNIT, k, "unit");
			fact_prop(c->r, F_OFFICER_COUNTRY, k, "country");
		}
	}
}

static unsigned long prop_count(xmlNodePtr n, const char *name)
{
	char *v = prop(n, name);
	unsigned long u = v && v[0] >= '0' && v[0] <= '9' ? strtoul(v, NULL, 10) : 0;
	xmlFree(v);
	return u;
}

/* FORMAT.md §3.4 <acquisition>: how the sealer says the item was obtained, for the report. */
static void item_acquisition(struct scelle_item_info *in, xmlNodePtr d)
{
	in->captured_at = prop_dup(d, "capturedAt");
	in->captured_by = prop_dup(d, "capturedBy");
	in->capture_tool = prop_dup(d, "tool");
	for (xmlNodePtr k = d->children; k && !in->note; k = k->next)
		if (is_el(k, SCELLE_NS_EVIDENCE, "note")) {
			char *t = text_of(k);
			in->note = xstrdup(t);
			xmlFree(t);
		}
}

/* An xs:boolean (evidence.xsd) that says false: "false" or "0". */
static int xs_false(const char *v)
{
	return v && (strcmp(v, "false") == 0 || strcmp(v, "0") == 0);
}

/* FORMAT.md §3.6 <members>: its format and size, and for a WARC file what it captured. */
static void item_members(struct scelle_item_info *in, xmlNodePtr d)
{
	in->members_format = prop_dup(d, "format");
	in->members_status = prop_dup(d, "status");
	in->members = prop_count(d, "count");
	for (xmlNodePtr k = d->children; k; k = k->next) {
		if (!is_el(k, SCELLE_NS_EVIDENCE, "record"))
			continue;
		char *type = prop(k, "type"), *b = prop(k, "blockDigestMatches"), *p = prop(k, "payloadDigestMatches");
		if (type && (strcmp(type, "response") == 0 || strcmp(type, "resource") == 0) &&
		    in->warc_responses++ == 0) {
			in->warc_target = prop_dup(k, "targetUri");
			in->warc_date = prop_dup(k, "date");
		}
		in->warc_mismatches += xs_false(b) || xs_false(p);
		xmlFree(type);
		xmlFree(b);
		xmlFree(p);
	}
}

/* FORMAT.md §3.6 <chatExport>: the app, who and how much, and the time span. */
static void item_chat(struct scelle_item_info *in, xmlNodePtr d)
{
	in->chat_app = prop_dup(d, "app");
	in->chat_member = prop_dup(d, "member");
	in->chat_first = prop_dup(d, "first");
	in->chat_last = prop_dup(d, "last");
	in->chat_clock = prop_dup(d, "clock");
	in->chat_date_order = prop_dup(d, "dateOrder");
	in->chat_participants = prop_count(d, "participants");
	in->chat_messages = prop_count(d, "messages");
}

/* One <item> (subtree k) into c->items; -1 when out of memory. */
static int evidence_item(struct vctx *c, xmlNodePtr k, size_t *cap)
{
	struct ev_item *it = grow(c->items, cap, c->nitems + 1, sizeof(*it));
	if (!it)
		return -1;
	c->items = it;
	it = &c->items[c->nitems++];
	memset(it, 0, sizeof(*it));
	it->path = prop_dup(k, "path");
	it->media_type = prop_dup(k, "mediaType");
	char *sz = prop(k, "size"), *mt = prop(k, "mtime");
	it->size = sz ? strtoull(sz, NULL, 10) : 0;
	if (mt)
		time_parse_rfc3339(mt, &it->mtime);
	xmlFree(sz);
	xmlFree(mt);
	for (xmlNodePtr d = k->children; d; d = d->next) {
		if (is_el(d, SCELLE_NS_EVIDENCE, "digest")) {
			/* FORMAT.md §3.4: every digest must match.  One that cannot be judged (another
			 * algorithm, an algorithm stated twice, longer than any digest) fails the item
			 * (check_coverage), never skipped.  Each algorithm once: five digests at most,
			 * the size of it->digest. */
			char *alg = prop(d, "algorithm"), *hex = text_of(d);
			static const char *const algs[] = { "sha256", "sha512", "sha3-256", "sha1", "md5" };
			size_t a = 0;
			while (alg && a < 5 && strcmp(alg, algs[a]) != 0)
				a++;
			if (a < 5 && !(it->algs & 1u << a) && hex && strlen(hex) < 129 &&
			    (it->digest[it->ndigests].hex = xstrdup(hex)) != NULL) {
				it->algs |= 1u << a;
				it->digest[it->ndigests++].alg = algs[a];
			} else
				it->bad_digests++;
			xmlFree(alg);
			xmlFree(hex);
		} else if (is_el(d, SCELLE_NS_EVIDENCE, "acquisition") && it->acquisitions++ == 0) {
			/* the first, even without a sourceUrl: a second one never mixes into it */
			it->source_url = prop_dup(d, "sourceUrl");
			item_acquisition(&it->info, d);
		} else if (is_el(d, SCELLE_NS_EVIDENCE, "members") && !it->info.members_format) {
			item_members(&it->info, d);
		} else if (is_el(d, SCELLE_NS_EVIDENCE, "chatExport") && it->info.chats++ == 0) {
			item_chat(&it->info, d);
		} else if (is_el(d, SCELLE_NS_EVIDENCE, "originalName") && !it->original_name) {
			char *b64 = text_of(d);
			it->original_name = original_name_decode(b64);
			xmlFree(b64);
		}
	}
	return 0;
}

static void parse_evidence(struct vctx *c)
{
	xmlTextReaderPtr rd = open_xml(c, &c->evidence, EVIDENCE_XML, "evidence.parse");
	xmlNodePtr n = rd ? xmlTextReaderCurrentNode(rd) : NULL;
	int enter = 1, more, count_bad = 0;
	size_t cap = 0;
	if (!rd)
		return;
	if (!is_el(n, SCELLE_NS_EVIDENCE, "evidence")) {
		result_check(c->r, "evidence.parse", SCELLE_FAILED, "FORMAT_FAILURE", EVIDENCE_XML,
		    "root element is not evidence in namespace %s", SCELLE_NS_EVIDENCE);
		xmlFreeTextReader(rd);
		return;
	}
	fact_prop(c->r, F_FORMAT_VERSION, n, "formatVersion");
	const char *ver = c->r->facts[F_FORMAT_VERSION];
	if (!ver || strncmp(ver, "1.", 2) != 0) {
		/* FORMAT.md: an unknown major version cannot be judged. */
		result_check(c->r, "evidence.parse", SCELLE_FAILED, "FORMAT_FAILURE", EVIDENCE_XML,
		    "unsupported format version '%s'", ver ? ver : "");
		xmlFreeTextReader(rd);
		return;
	}
	while ((more = next_child(rd, 1, &enter)) == 1) {
		n = xmlTextReaderCurrentNode(rd);
		if (is_el(n, SCELLE_NS_EVIDENCE, "tool"))
			fact_prop(c->r, F_TOOL, n, "version");
		else if (is_el(n, SCELLE_NS_EVIDENCE, "case") || is_el(n, SCELLE_NS_EVIDENCE, "sealing")) {
			if (!(n = xmlTextReaderExpand(rd))) {
				more = -1;
				break;
			}
			evidence_header(c, n);
		} else if (is_el(n, SCELLE_NS_EVIDENCE, "items")) {
			/* out of memory for one more item: the rest are skipped, as before */
			int in = 1, full = 0;
			size_t before = c->nitems;
			char *cnt = prop(n, "count"), *end = NULL;
			unsigned long long want = cnt ? strtoull(cnt, &end, 10) : 0;
			if (!cnt || !*cnt || *end || cnt[0] == '-' || cnt[0] == '+' || cnt[0] == ' ')
				count_bad = 1;
			xmlFree(cnt);
			while (!full && (more = next_child(rd, 2, &in)) == 1) {
				n = xmlTextReaderCurrentNode(rd);
				if (!is_el(n, SCELLE_NS_EVIDENCE, "item"))
					continue;
				if (!(n = xmlTextReaderExpand(rd)))
					more = -1;
				else
					full = evidence_item(c, n, &cap) != 0;
			}
			if (more < 0)
				break;
			/* FORMAT.md §3.4: items/@count is the number of item children */
			if (!full && c->nitems - before != want)
				count_bad = 1;
		} else if (is_el(n, SCELLE_NS_EVIDENCE, "volume")) {
			volume_read(c->r, n);	/* FORMAT.md §13 */
		} else if (is_el(n, SCELLE_NS_EVIDENCE, "folders")) {
			/* FORMAT.md §3.7: judged in check_coverage; a folder without a path is kept
			 * as "" so that it fails there */
			int in = 1;
			struct scelle_result *r = c->r;
			while ((more = next_child(rd, 2, &in)) == 1) {
				n = xmlTextReaderCurrentNode(rd);
				if (!is_el(n, SCELLE_NS_EVIDENCE, "folder"))
					continue;
				char *path = prop_dup(n, "path"), **v;
				if (!path)
					path = xstrdup("");
				if (!path || !(v = grow(r->folders, &r->capfolders, r->nfolders + 1, sizeof(*v)))) {
					free(path);
					more = -1;
					break;
				}
				r->folders = v;
				v[r->nfolders++] = path;
			}
			if (more < 0)
				break;
		}
	}
	xmlFreeTextReader(rd);
	if (more < 0) {
		read_failed(c, EVIDENCE_XML, "evidence.parse");
		return;
	}
	if (count_bad) {
		result_check(c->r, "evidence.parse", SCELLE_FAILED, "FORMAT_FAILURE", EVIDENCE_XML,
		    "items/@count is not the number of items (%zu)", c->nitems);
		return;
	}
	result_check(c->r, "evidence.parse", SCELLE_PASSED, NULL, EVIDENCE_XML,
	    "format %s, %zu items", ver, c->nitems);
}

/* ------------------------------------------------------------ coverage ---- */

/* Whether an entry is named dir or begins with "dir/" (dir n bytes): the entries are sorted
 * by strcmp, so those below it are together, from the first one not before "dir/". */
static int entry_at_or_below(struct vctx *c, const char *dir, size_t n)
{
	size_t lo = 0, hi = c->nentries;
	if (find_entry(c, dir))
		return 1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *e = c->entries[mid].name;
		int cmp = strncmp(e, dir, n);
		if (cmp < 0 || (cmp == 0 && (unsigned char)e[n] < '/'))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->nentries && strncmp(c->entries[lo].name, dir, n) == 0 && c->entries[lo].name[n] == '/';
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* FORMAT.md §3.7: each empty folder is a safe name under evidence/, listed once, and no
 * entry is at or below it (it would not be empty, or a file would have its name).  Fail
 * closed: extract makes these folders.  Returns 1 when one fails. */
static int check_folders(struct vctx *c)
{
	struct scelle_result *r = c->r;
	size_t pre = strlen(EVIDENCE_DIR);
	int bad = 0;
	sort(r->folders, r->nfolders, sizeof(*r->folders), by_string);
	for (size_t i = 0; i < r->nfolders; i++) {
		const char *f = r->folders[i], *why;
		if (strncmp(f, EVIDENCE_DIR, pre) != 0)
			why = L_("not under evidence/");
		else if (!(why = unsafe_path(f + pre)) && i > 0 && strcmp(r->folders[i - 1], f) == 0)
			why = L_("listed twice");
		else if (!why && entry_at_or_below(c, f, strlen(f)))
			why = L_("the archive has an entry there: the folder is not empty");
		if (why) {
			result_check(c->r, "evidence.items", SCELLE_FAILED, "FORMAT_FAILURE", f,
			    "empty folder '%s' in evidence.xml: %s", f, why);
			bad = 1;
		}
	}
	return bad;
}

/* Everything in the container is signed, and evidence.xml lists exactly the files under
 * evidence/: nothing added, nothing removed, nothing renamed. */
static void check_coverage(struct vctx *c)
{
	int bad = 0;
	for (size_t i = 0; i < c->nitems; i++) {
		struct ev_item *it = &c->items[i];
		struct entry *e = it->path ? find_entry(c, it->path) : NULL;
		int sha256 = 0;
		for (size_t d = 0; d < it->ndigests; d++)
			sha256 |= strcmp(it->digest[d].alg, "sha256") == 0;
		/* FORMAT.md §3.4: an item is an entry under evidence/ (not mimetype, evidence.xml
		 * or META-INF/, which a report would then list as evidence) and always has its
		 * sha256; sha1 and md5 alone would make an item rest on them. */
		if (!it->path || strncmp(it->path, EVIDENCE_DIR, strlen(EVIDENCE_DIR)) != 0) {
			result_check(c->r, "evidence.items", SCELLE_FAILED, "FORMAT_FAILURE", it->path,
			    "'%s' is listed in evidence.xml but is not under %s", it->path ? it->path : "",
			    EVIDENCE_DIR);
			bad = 1;
			it->found = -1;
			continue;
		}
		if (!sha256) {
			result_check(c->r, "evidence.items", SCELLE_FAILED, "FORMAT_FAILURE", it->path,
			    "'%s' has no sha256 digest in evidence.xml", it->path);
			bad = 1;
		}
		if (it->bad_digests) {
			result_check(c->r, "evidence.items", SCELLE_FAILED, "FORMAT_FAILURE", it->path,
			    "'%s' has a digest in evidence.xml that cannot be checked (an unknown algorithm, "
			    "an algorithm stated twice, or too long)", it->path);
			bad = 1;
		}
		if (!e) {
			result_check(c->r, "evidence.items", SCELLE_FAILED, "SIGNED_DATA_NOT_FOUND", it->path,
			    "'%s' is listed in evidence.xml but missing from the archive", it->path ? it->path : "");
			bad = 1;
		} else if (e->item >= 0) {
			result_check(c->r, "evidence.items", SCELLE_FAILED, "FORMAT_FAILURE", it->path,
			    "'%s' is listed twice in evidence.xml", it->path);
			bad = 1;
		} else
			e->item = (long)i;
	}
	for (size_t i = 0; i < c->nentries; i++) {
		struct entry *e = &c->entries[i];
		const char *n = e->name;
		if (strcmp(n, "mimetype") == 0 || strcmp(n, ASIC_MANIFEST) == 0 || strcmp(n, ASIC_SIGNATURE) == 0)
			continue;
		/* XAdES (FORMAT.md §5.2): the signature and the OpenDocument manifest, which no
		 * signature covers (EN 319 162-1 §4.4.3, as DigiDoc writes it) */
		if (c->xades_name && !c->manifest.seen &&
		    (strcmp(n, c->xades_name) == 0 || strcmp(n, ODF_MANIFEST) == 0))
			continue;
		if (!e->ref) {
			result_check(c->r, "container.coverage", SCELLE_FAILED, "FORMAT_FAILURE", n,
			    c->xades_name && !c->manifest.seen ? "'%s' is not covered by the signature"
			    : "'%s' is not covered by the signed manifest", n);
			bad = 1;
		}
		if (strncmp(n, EVIDENCE_DIR, strlen(EVIDENCE_DIR)) == 0 && e->item < 0) {
			result_check(c->r, "evidence.items", SCELLE_FAILED, "FORMAT_FAILURE", n,
			    "'%s' is not listed in evidence.xml", n);
			bad = 1;
		}
	}
	bad |= check_folders(c);
	const struct doc *sig = c->xades_name && !c->manifest.seen ? &c->xades : &c->signature;
	if (!sig->seen) {
		result_check(c->r, "container.coverage", SCELLE_FAILED, "FORMAT_FAILURE", c->sig_name,
		    sig->unread ? "'%s' cannot be read" : L_("'%s' is missing"), c->sig_name);
		bad = 1;
	}
	if (!bad)
		result_check(c->r, "container.coverage", SCELLE_PASSED, NULL, NULL,
		    "every entry is signed; evidence.xml lists every item");
}

/* ---------------------------------------------------------------- digests ---- */

struct hashset {
	const char *alg[7];
	EVP_MD_CTX *ctx[7];
	size_t n;
};

static void hashset_add(struct hashset *h, const char *alg)
{
	for (size_t i = 0; i < h->n; i++)
		if (strcmp(h->alg[i], alg) == 0)
			return;
	if (h->n < 7)
		h->alg[h->n++] = alg;
}

static int hashset_start(struct hashset *h)
{
	for (size_t i = 0; i < h->n; i++)
		if (!(h->ctx[i] = EVP_MD_CTX_new()) ||
		    !EVP_DigestInit_ex(h->ctx[i], EVP_get_digestbyname(h->alg[i]), NULL))
			return -1;
	return 0;
}

static void hashset_update(struct hashset *h, const void *p, size_t n)
{
	for (size_t i = 0; i < h->n; i++)
		EVP_DigestUpdate(h->ctx[i], p, n);
}

/* Finishes and frees; md[i]/len[i] get each digest. */
static void hashset_final(struct hashset *h, unsigned char md[][EVP_MAX_MD_SIZE], unsigned int *len)
{
	for (size_t i = 0; i < h->n; i++) {
		len[i] = 0;
		if (h->ctx[i])
			EVP_DigestFinal_ex(h->ctx[i], md[i], &len[i]);
		EVP_MD_CTX_free(h->ctx[i]);
		h->ctx[i] = NULL;
	}
}

/* Compares what was computed with what the manifest and evidence.xml say. */
static int judge_entry(struct vctx *c, struct entry *e, struct hashset *h,
    unsigned char md[][EVP_MAX_MD_SIZE], unsigned int *len, uint64_t size)
{
	int ok = 1;
	for (size_t i = 0; i < h->n; i++) {
		if (e->ref && strcmp(h->alg[i], e->ref->alg) == 0 &&
		    (len[i] != e->ref->mdlen || CRYPTO_memcmp(md[i], e->ref->md, len[i]) != 0)) {
			result_check(c->r, "manifest.digest", SCELLE_FAILED, "HASH_FAILURE", e->name,
			    "'%s': %s differs from %s", e->name, h->alg[i], c->refs_name);
			ok = 0;
		}
	}
	if (e->item >= 0) {
		struct ev_item *it = &c->items[e->item];
		for (size_t d = 0; d < it->ndigests; d++) {
			for (size_t i = 0; i < h->n; i++) {
				char hex[129];
				if (strcmp(h->alg[i], it->digest[d].alg) != 0)
					continue;
				hex_encode(md[i], len[i], hex);
				if (strcasecmp(hex, it->digest[d].hex) != 0) {
					result_check(c->r, "evidence.digest", SCELLE_FAILED, "HASH_FAILURE", e->name,
					    "'%s': %s differs from evidence.xml", e->name, h->alg[i]);
					ok = 0;
				}
			}
		}
		if (size != it->size) {
			result_check(c->r, "evidence.digest", SCELLE_FAILED, "HASH_FAILURE", e->name,
			    "'%s': %llu bytes, evidence.xml says %llu", e->name, (unsigned long long)size,
			    (unsigned long long)it->size);
			ok = 0;
		}
		it->found = ok ? 1 : -1;
	}
	return ok;
}

static void setup_hashes(struct vctx *c, struct entry *e, struct hashset *h)
{
	memset(h, 0, sizeof(*h));
	hashset_add(h, "sha256");
	if (e->ref)
		hashset_add(h, e->ref->alg);
	if (e->item >= 0)
		for (size_t d = 0; d < c->items[e->item].ndigests; d++)
			hashset_add(h, c->items[e->item].digest[d].alg);
}

/* An entry whose digests are being computed on the hashing thread; it is judged once
 * they are done, while the next entry is already being read. */
struct pending {
	struct entry *e;
	struct hashset h;	/* algorithm names only; the contexts live on the thread */
	unsigned char md[7][HP_MD_SIZE];
	unsigned int len[7];
	uint64_t size, ticket;
	int active;
};

static void entry_hashed(void *arg, unsigned char md[][HP_MD_SIZE], const unsigned int *len, size_t n)
{
	struct pending *p = arg;
	for (size_t i = 0; i < n; i++) {
		memcpy(p->md[i], md[i], len[i]);
		p->len[i] = len[i];
	}
}

static void judge_pending(struct vctx *c, struct hash_pipe *hp, struct pending *p, size_t *failed)
{
	if (!p->active)
		return;
	p->active = 0;
	if (hash_pipe_wait(hp, p->ticket) != 0) {
		result_check(c->r, "manifest.digest", SCELLE_FAILED, "HASH_FAILURE", p->e->name,
		    "'%s': cannot compute its digests", p->e->name);
		(*failed)++;
		return;
	}
	if (!judge_entry(c, p->e, &p->h, p->md, p->len, p->size))
		(*failed)++;
}

/* After an entry is read (n: the last zip_rd_read): a read error, a size or a CRC-32 that
 * is not the central directory's, is reported.  Returns 1 when it was. */
static int entry_unread(struct vctx *c, const struct entry *e, struct zip_rd *rd, ssize_t n)
{
	if (n >= 0)
		return 0;
	result_check(c->r, "container.zip", SCELLE_FAILED, "FORMAT_FAILURE", e->name,
	    "'%s' cannot be read: %s", e->name, rd ? zip_rd_error(rd) : "out of memory");
	return 1;
}

static int by_offset(const void *a, const void *b)
{
	const struct entry *x = *(struct entry *const *)a, *y = *(struct entry *const *)b;
	return x->z->offset < y->z->offset ? -1 : x->z->offset > y->z->offset;
}

/* Entries in flight on the hashing thread, judged in the order they were read: small
 * ones are handed over whole, many to a buffer (hash_pipe_item), as the sealer does. */
#define PEND_RING 1024

/* Pass 2: every signed entry streamed once, in the order of the file, from the bytes its
 * central record points at (zip_rd: CRC-32 and size checked against that record), through
 * all of its digests (on the hashing thread), in constant memory.  An entry is found by
 * its place in the central directory, never by a name a second parser read. */
static void pass_digests(struct vctx *c)
{
	struct hash_pipe *hp = hash_pipe_new(CHUNK);
	struct entry **order = c->nentries ? xcalloc(c->nentries, sizeof(*order)) : NULL;
	struct pending *pend = xcalloc(PEND_RING, sizeof(*pend));
	struct progress prog = { c->v->progress_cb, c->v->progress_arg, 0, { 0, 0 } };
	uint64_t done = 0;
	size_t checked = 0, failed = 0, k = 0, nsigned = 0;

	for (size_t i = 0; i < c->nentries; i++) {
		prog.total += c->entries[i].size;
		if (order)
			order[i] = &c->entries[i];
	}
	sort(order, c->nentries, sizeof(*order), by_offset);
	for (size_t i = 0; hp && order && pend && i < c->nentries; i++) {
		struct entry *e = order[i];
		const char *name = e->name;
		if (!e->ref && e->item < 0)
			continue;
		e->checked = 1;
		checked++;
		if (strcmp(name, EVIDENCE_XML) == 0) {
			/* Hashed here: evidence.xml is judged on the very bytes that were parsed. */
			struct hashset h;
			unsigned char md[7][EVP_MAX_MD_SIZE];
			unsigned int len[7];
			setup_hashes(c, e, &h);
			if (hashset_start(&h) == 0)
				hashset_update(&h, c->evidence.b.data, c->evidence.b.len);
			hashset_final(&h, md, len);
			if (!c->evidence.seen)
				failed++;	/* why was said when it was read */
			if (!judge_entry(c, e, &h, md, len, c->evidence.b.len))
				failed++;
			continue;
		}
		struct pending *p = &pend[k++ % PEND_RING];
		judge_pending(c, hp, p, &failed);	/* the oldest in flight: long done */
		const EVP_MD *mds[7];
		setup_hashes(c, e, &p->h);
		for (size_t j = 0; j < p->h.n; j++)
			mds[j] = EVP_get_digestbyname(p->h.alg[j]);
		p->e = e;
		p->size = 0;
		struct zip_rd *rd = zip_rd_open(c->fd, e->z);
		ssize_t n = -1;
		if (e->size <= INLINE_MAX) {
			/* Small: read whole (zip_rd gives at most one byte more than its central
			 * record says, and fails then) and handed over in one job. */
			size_t room = (size_t)e->size + 1;
			unsigned char *buf = hash_pipe_space(hp, room);
			while (rd && p->size < room && (n = zip_rd_read(rd, buf + p->size, room - (size_t)p->size)) > 0)
				p->size += (uint64_t)n;
			if (rd && n > 0)	/* room filled: the end is still to be read */
				n = zip_rd_read(rd, buf, 0);
			done += p->size;
			hash_pipe_item(hp, mds, p->h.n, buf, (size_t)p->size, entry_hashed, NULL, NULL, p);
			progress_tick(&prog, done, name);
		} else {
			hash_pipe_begin(hp, mds, p->h.n);
			while (rd) {
				unsigned char *buf = hash_pipe_buffer(hp);
				if ((n = zip_rd_read(rd, buf, CHUNK)) <= 0)
					break;
				hash_pipe_put(hp, buf, (size_t)n);
				p->size += (uint64_t)n;
				done += (uint64_t)n;
				progress_tick(&prog, done, name);
			}
			hash_pipe_end(hp, entry_hashed, p);
		}
		p->ticket = hash_pipe_ticket(hp);
		p->active = 1;
		if (entry_unread(c, e, rd, n))
			failed++;
		zip_rd_close(rd);
	}
	progress_tick(&prog, prog.total, NULL);	/* the last word: all done */
	for (size_t i = k < PEND_RING ? 0 : k - PEND_RING; hp && pend && i < k; i++)
		judge_pending(c, hp, &pend[i % PEND_RING], &failed);
	/* doc/design.md §7, fail closed: every entry the manifest or evidence.xml names was
	 * hashed, or the verdict says it was not. */
	for (size_t i = 0; i < c->nentries; i++) {
		struct entry *e = &c->entries[i];
		if (!e->ref && e->item < 0)
			continue;
		nsigned++;
		if (!e->checked) {
			result_check(c->r, "manifest.digest", SCELLE_FAILED, "HASH_FAILURE", e->name,
			    "'%s': its digests could not be computed (%s)", e->name,
			    hp && order && pend ? L_("not read") : "out of memory");
			failed++;
		}
	}
	if (!failed && checked == nsigned && checked)
		result_check(c->r, "manifest.digest", SCELLE_PASSED, NULL, NULL,
		    "%zu signed entries match their digests", checked);
	free(order);
	free(pend);
	hash_pipe_free(hp);
}

/* ------------------------------------------------------------------ main ---- */

/* The strings move to the result (not copied: 100,000 items). */
static void fill_items(struct vctx *c)
{
	for (size_t i = 0; i < c->nitems; i++) {
		struct ev_item *it = &c->items[i];
		struct scelle_item *o = result_add_item(c->r);
		if (!o)
			return;
		o->path = it->path;
		o->size = it->size;
		o->mtime = it->mtime;
		o->media_type = it->media_type;
		o->source_url = it->source_url;
		o->original_name = it->original_name;
		o->info = it->info;
		memset(&it->info, 0, sizeof(it->info));
		it->path = it->media_type = it->source_url = it->original_name = NULL;
		for (size_t d = 0; d < it->ndigests; d++)	/* the first; each was judged */
			if (!o->sha256 && strcmp(it->digest[d].alg, "sha256") == 0) {
				o->sha256 = it->digest[d].hex;
				it->digest[d].hex = NULL;
			}
		o->ok = it->found == 1;
		/* Fail closed: an item never judged (its entry missing or unread) is failed by a
		 * check, so that the verdict, computed once from the checks, says so. */
		if (it->found == 0)
			result_check(c->r, "evidence.digest", SCELLE_FAILED, "SIGNED_DATA_NOT_FOUND",
			    o->path, "'%s': listed in evidence.xml, its digests were never computed",
			    o->path ? o->path : "");
	}
}

static void free_ctx(struct vctx *c)
{
	for (size_t i = 0; i < c->nentries; i++)
		free(c->entries[i].ref);
	free(c->entries);
	zip_dir_free(&c->dir);
	for (size_t i = 0; i < c->nitems; i++) {
		free(c->items[i].path);
		free(c->items[i].media_type);
		free(c->items[i].source_url);
		free(c->items[i].original_name);
		item_facts_free(&c->items[i].info);
		for (size_t d = 0; d < c->items[i].ndigests; d++)
			free(c->items[i].digest[d].hex);
	}
	free(c->items);
	buf_release(&c->evidence.b);
	buf_release(&c->manifest.b);
	buf_release(&c->signature.b);
	buf_release(&c->xades.b);
	if (c->fd >= 0)
		close(c->fd);
	if (c->ledger_fd >= 0)
		close(c->ledger_fd);
}

struct scelle_result *scelle_verify(struct scelle_verifier *v, const char *archive)
{
	struct vctx c = { .v = v, .fd = -1, .ledger_fd = -1, .sig_name = ASIC_SIGNATURE, .refs_name = "ASiCManifest" };
	struct file_hasher *fh = NULL;
	struct stat st;
	char hex[65];
	struct scerr e = { 0 };

	if (!v)
		return NULL;
	scerr_clear(&v->err);
	/* An archive or a ledger that cannot be read gives no verdict: it is an operational
	 * error (scelle.1 EXIT STATUS), said on the verifier.  Names come from the central
	 * directory's bytes (zip_check), so no locale is involved in reading them. */
	if ((c.fd = open_input(archive, 0, &st, &v->err)) < 0)
		return NULL;
	/* the ledger too, before the items are hashed: one that is there but cannot be read
	 * gives no verdict either */
	char *ledger = v->ledger ? xstrdup(v->ledger) : ledger_path_for(archive);
	int unreadable = ledger_open(ledger, v->ledger != NULL, &c.ledger_fd, &v->err);
	free(ledger);
	if (unreadable || !(c.r = result_new())) {
		if (!v->err.code)
			scerr_set(&v->err, SCELLE_E_NOMEM, "out of memory");
		if (c.ledger_fd >= 0)
			close(c.ledger_fd);
		close(c.fd);
		return NULL;
	}
	c.file_size = (uint64_t)st.st_size;
	/* The file digest is computed on its own thread while the entries are checked: the
	 * archive is read from disk once, the two readers sharing the page cache. */
	fh = file_hasher_start(c.fd, 0);
	if (fh)
		file_hasher_advance(fh, c.file_size);
	else if (hash_file_fd(c.fd, hex, &e) == 0)
		result_fact(c.r, F_FILE_DIGEST, hex);
	/* No central directory (not a ZIP file, truncated): nothing more can be checked. */
	int zr = zip_check(c.fd, c.file_size, c.r, &c.dir);
	check_mimetype_header(&c);	/* after zip_check: whose archive it is (c.dir.foreign) */
	if ((zr && !c.dir.n) || pass_list(&c) != 0)
		goto out;
	for (size_t i = 0; i < c.nentries; i++)
		c.entries[i].item = -1;
	result_fact(c.r, F_CONTAINER, c.dir.foreign ? "etsi" : "scelle");
	if (c.dir.foreign) {	/* no evidence.xml: FORMAT.md, "Foreign containers" */
		verify_etsi(&c, archive);
		goto out;
	}
	if (c.manifest.seen) {
		unsigned char md[32];
		SHA256(c.manifest.b.data, c.manifest.b.len, md);
		hex_encode(md, 32, hex);
		result_fact(c.r, F_SEAL_ID, hex);
	}
	/* FORMAT.md §5.2: an archive with a XAdES signature and no ASiCManifest is a XAdES
	 * archive; with both, the CAdES one is judged and the XAdES one is an entry that no
	 * signature covers. */
	int xades = c.xades_name && !c.manifest.seen;
	if (xades) {
		c.sig_name = c.xades_name;
		c.refs_name = "the XAdES signature";
	} else
		parse_manifest(&c);
	parse_evidence(&c);
	if (xades && c.xades.seen)
		verify_xades(&c, c.xades_name, &c.xades.b, 0);
	check_coverage(&c);
	pass_digests(&c);
	verify_volume(&c);
	if (c.signature.seen && c.manifest.seen)
		verify_signature(&c);
	buf_release(&c.manifest.b);	/* its last reader was the signature check */
	/* The file digest before the ledger: a record citing another one says so. */
	if (fh && file_hasher_finish(fh, c.file_size, hex, &e) == 0)
		result_fact(c.r, F_FILE_DIGEST, hex);
	fh = NULL;
	verify_custody(&c, archive);
	fill_items(&c);
	/* evidence.xml is kept as stored, for `show --xml` and the reports */
	c.r->evidence_xml = c.evidence.b;
	c.evidence.b = (struct buf){ 0 };
out:
	if (fh && file_hasher_finish(fh, c.file_size, hex, &e) == 0)
		result_fact(c.r, F_FILE_DIGEST, hex);
	free_ctx(&c);
	result_finish(c.r);
	return c.r;
}

/* For the fuzz targets (tests/fuzz/): the two XML parsers and the coverage check, on
 * documents given in memory (NULL: absent) against a fixed list of entry names. */
struct scelle_result *verify_docs(const void *manifest, size_t mlen, const void *evidence,
    size_t elen, const char *const *names, size_t nnames)
{
	struct scelle_verifier v = { .max_skew = 600 };
	struct vctx c = { .v = &v, .fd = -1, .ledger_fd = -1, .sig_name = ASIC_SIGNATURE, .refs_name = "ASiCManifest" };
	if (!(c.r = result_new()))
		return NULL;
	if (nnames && (c.entries = xcalloc(nnames, sizeof(*c.entries)))) {
		for (; c.nentries < nnames; c.nentries++) {
			c.entries[c.nentries].name = names[c.nentries];	/* the caller's, for this call */
			c.entries[c.nentries].item = -1;
		}
		sort(c.entries, c.nentries, sizeof(*c.entries), by_entry_name);
	}
	c.manifest.seen = manifest && buf_append(&c.manifest.b, manifest, mlen) == 0;
	c.evidence.seen = evidence && buf_append(&c.evidence.b, evidence, elen) == 0;
	parse_manifest(&c);
	parse_evidence(&c);
	check_coverage(&c);
	fill_items(&c);
	free_ctx(&c);
	result_finish(c.r);
	return c.r;
}
