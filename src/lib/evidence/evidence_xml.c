/* evidence_xml.c — writes evidence.xml (our manifest, formats/evidence.xsd) and
 * META-INF/ASiCManifest001.xml (EN 319 162-1 §A.4, namespace 02918/v1.2.1#). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>
#include <libxml/xmlversion.h>
#include <archive.h>
#include <openssl/opensslv.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include "evidence.h"

static const struct {
	const char *name, *uri;
} digest_uris[] = {
	{ "sha256", "http://www.w3.org/2001/04/xmlenc#sha256" },
	{ "sha512", "http://www.w3.org/2001/04/xmlenc#sha512" },
	{ "sha3-256", "http://www.w3.org/2007/05/xmldsig-more#sha3-256" },
	{ "sha1", "http://www.w3.org/2000/09/xmldsig#sha1" },
	{ "md5", "http://www.w3.org/2001/04/xmldsig-more#md5" },
};

const char *digest_uri(const char *alg)
{
	for (size_t i = 0; i < sizeof(digest_uris) / sizeof(digest_uris[0]); i++)
		if (strcmp(alg, digest_uris[i].name) == 0)
			return digest_uris[i].uri;
	return NULL;
}

const char *digest_from_uri(const char *uri)
{
	for (size_t i = 0; i < sizeof(digest_uris) / sizeof(digest_uris[0]); i++)
		if (strcmp(uri, digest_uris[i].uri) == 0)
			return digest_uris[i].name;
	return NULL;
}

/* An empty buffer for an xmlTextWriter that doubles as it grows: libxml2 2.9's default
 * (XML_BUFFER_ALLOC_EXACT) reallocates to the exact size at every flush of the writer, so
 * the 50 MB evidence.xml of 100,000 items was moved by mremap some 12,000 times. */
xmlBufferPtr xml_buffer_new(void)
{
	xmlBufferPtr xb = xmlBufferCreate();
	if (xb)
		xmlBufferSetAllocationScheme(xb, XML_BUFFER_ALLOC_DOUBLEIT);
	return xb;
}

static int finish(xmlTextWriterPtr w, xmlBufferPtr xb, struct buf *out, int ok, struct scerr *e)
{
	if (ok && xmlTextWriterEndDocument(w) >= 0) {
		xmlFreeTextWriter(w);
		w = NULL;
		out->len = 0;
		ok = buf_append(out, xmlBufferContent(xb), (size_t)xmlBufferLength(xb)) == 0;
	} else
		ok = 0;
	if (w)
		xmlFreeTextWriter(w);
	xmlBufferFree(xb);
	if (!ok)
		scerr_set(e, SCELLE_E_NOMEM, "cannot write XML: out of memory");
	return ok ? 0 : SCELLE_E_NOMEM;
}

#define X(c) (ok = ok && (c) >= 0)

/* evidence.xml <volume> (formatVersion 1.3, FORMAT.md §13). */
int volume_xml_write(xmlTextWriterPtr w, const struct volume_mark *m)
{
	char num[24];
	int ok = 1;
	X(xmlTextWriterStartElement(w, BAD_CAST "volume"));
	X(xmlTextWriterWriteAttribute(w, BAD_CAST "set", BAD_CAST m->set_id));
	snprintf(num, sizeof(num), "%zu", m->index);
	X(xmlTextWriterWriteAttribute(w, BAD_CAST "index", BAD_CAST num));
	snprintf(num, sizeof(num), "%zu", m->count);
	X(xmlTextWriterWriteAttribute(w, BAD_CAST "count", BAD_CAST num));
	X(xmlTextWriterEndElement(w));
	return ok ? 0 : -1;
}
#define ATTR(n, v) X(xmlTextWriterWriteAttribute(w, BAD_CAST(n), BAD_CAST(v)))
#define OPT_ATTR(n, v) do { if (v) ATTR(n, v); } while (0)
#define START(n) X(xmlTextWriterStartElement(w, BAD_CAST(n)))
#define END() X(xmlTextWriterEndElement(w))
#define ELEM(n, v) X(xmlTextWriterWriteElement(w, BAD_CAST(n), BAD_CAST(v)))

/* Plain elements.  xmlTextWriter costs about 4 us an item and its attributes: for
 * 100,000 small files, evidence.xml and the manifest took a fifth of the sealing time.  The
 * many elements that hold only attributes and digests are laid out here exactly as the
 * writer lays them out (indent 2) and handed to it with xmlTextWriterWriteRaw; their values
 * are escaped by libxml2 (xmlEncodeSpecialChars, the writer's escaping for these values).
 * Anything else (intake, acquisition, original names) still goes through the writer. */
#define RAW_FLUSH (64u << 10)

static int put(struct buf *b, const char *str)
{
	return buf_append(b, str, strlen(str));
}

static int put_attr(struct buf *b, const char *name, const char *v)
{
	int bad = put(b, " ") || put(b, name) || put(b, "=\"");
	if (!bad && strpbrk(v, "&<>\"")) {
		xmlChar *esc = xmlEncodeSpecialChars(NULL, BAD_CAST v);
		bad = !esc || put(b, (const char *)esc);
		xmlFree(esc);
	} else if (!bad)
		bad = put(b, v);
	return bad || put(b, "\"");
}

/* A value the writer would escape as a character reference (a control character):
 * such an element is left to the writer.  names.c keeps them out of names. */
static int has_control(const char *v)
{
	for (; *v; v++)
		if ((unsigned char)*v < 0x20)
			return 1;
	return 0;
}

/* Hands what was laid out to the writer; 0 on failure. */
static int raw_flush(xmlTextWriterPtr w, struct buf *raw)
{
	int ok = !raw->len || xmlTextWriterWriteRawLen(w, raw->data, (int)raw->len) >= 0;
	raw->len = 0;
	return ok;
}

static int item_is_plain(const struct item *it)
{
	return !it->orig_name && !it->info && !it->intake && !has_control(it->name) &&
	    (!it->media_type || !has_control(it->media_type));
}

/* <item> of evidence.xml with its digests, inside <items>. */
static int item_plain(struct buf *b, const struct scelle_sealer *s, size_t i, const struct item *it)
{
	char id[32], size[32], t[32];
	snprintf(id, sizeof(id), "i%zu", i + 1);
	snprintf(size, sizeof(size), "%llu", (unsigned long long)it->size);
	time_rfc3339(it->mtime, t, sizeof(t));
	int bad = put(b, "    <item") || put_attr(b, "id", id) || put_attr(b, "path", it->name) ||
	    put_attr(b, "size", size) || put_attr(b, "mtime", t) ||
	    put_attr(b, "mediaType", it->media_type ? it->media_type : "application/octet-stream") ||
	    put(b, ">\n");
	for (size_t d = 0; !bad && d < s->ndigests; d++)
		bad = put(b, "      <digest") || put_attr(b, "algorithm", s->digests[d]) || put(b, ">") ||
		    put(b, item_hex(s, it, d)) || put(b, "</digest>\n");
	return bad || put(b, "    </item>\n");
}

int evidence_xml_build(const struct scelle_sealer *s, struct buf *out, struct scerr *e)
{
	xmlBufferPtr xb = xml_buffer_new();
	xmlTextWriterPtr w = xb ? xmlNewTextWriterMemory(xb, 0) : NULL;
	char t[32], num[32];
	int ok = w != NULL;

	if (!ok) {
		xmlBufferFree(xb);
		scerr_set(e, SCELLE_E_NOMEM, "out of memory");
		return SCELLE_E_NOMEM;
	}
	xmlTextWriterSetIndent(w, 1);
	xmlTextWriterSetIndentString(w, BAD_CAST "  ");
	X(xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL));
	START("evidence");
	ATTR("xmlns", SCELLE_NS_EVIDENCE);
	/* 1.1: <members> and <chatExport> of items; 1.2: <folders>, written only when there
	 * are empty folders, so that other archives stay 1.1 for 1.1 readers (FORMAT.md §1) */
	ATTR("formatVersion", s->volume ? "1.3" : s->inv.nfolders ? "1.2" : "1.1");
	START("tool");
	ATTR("name", "scelle");
	ATTR("version", scelle_version());
	ATTR("openssl", OpenSSL_version(OPENSSL_VERSION_STRING));
	ATTR("libarchive", version_libarchive());
	ATTR("libxml2", version_libxml2());
	END();
	if (s->case_xml) {
		X(xmlTextWriterWriteRaw(w, BAD_CAST s->case_xml));
	} else {
		START("case");
		for (size_t i = 0; i < s->ncases; i++) {
			START("reference");
			ATTR("authority", s->cases[i].authority);
			ATTR("country", s->cases[i].country);
			X(xmlTextWriterWriteString(w, BAD_CAST s->cases[i].reference));
			END();
		}
		END();
	}
	START("sealing");
	time_rfc3339(s->sealed_at, t, sizeof(t));
	ELEM("time", t);
	const struct officer *o = &s->officer;
	if (o->name || o->role || o->unit || o->country) {
		START("officer");
		OPT_ATTR("name", o->name);
		OPT_ATTR("role", o->role);
		OPT_ATTR("unit", o->unit);
		OPT_ATTR("country", o->country);
		END();
	}
	if (o->place)
		ELEM("place", o->place);
	END();
	START("items");
	snprintf(num, sizeof(num), "%zu", s->inv.nitems);
	ATTR("count", num);
	struct buf raw = { 0 };
	int last_plain = 0;
	for (size_t i = 0; ok && i < s->inv.nitems; i++) {
		const struct item *it = &s->inv.items[i];
		if ((last_plain = item_is_plain(it))) {
			/* the writer puts a newline after the start tag it closes, and
			 * indents the next element it writes itself */
			ok = !(i == 0 && put(&raw, "\n")) && !item_plain(&raw, s, i, it) &&
			    (raw.len < RAW_FLUSH || raw_flush(w, &raw));
			continue;
		}
		ok = raw_flush(w, &raw);
		START("item");
		snprintf(num, sizeof(num), "i%zu", i + 1);
		ATTR("id", num);
		ATTR("path", it->name);
		snprintf(num, sizeof(num), "%llu", (unsigned long long)it->size);
		ATTR("size", num);
		time_rfc3339(it->mtime, t, sizeof(t));
		ATTR("mtime", t);
		ATTR("mediaType", it->media_type ? it->media_type : "application/octet-stream");
		if (it->orig_name) {
			char *b64 = NULL;
			ok = ok && b64_encode((const unsigned char *)it->orig_name, it->orig_len, &b64) == 0;
			if (ok)
				ELEM("originalName", b64);
			free(b64);
		}
		for (size_t d = 0; d < s->ndigests; d++) {
			START("digest");
			ATTR("algorithm", s->digests[d]);
			X(xmlTextWriterWriteString(w, BAD_CAST item_hex(s, it, d)));
			END();
		}
		if (it->info) {
			START("acquisition");
			OPT_ATTR("sourceUrl", it->info->source_url);
			OPT_ATTR("capturedAt", it->info->captured_at);
			OPT_ATTR("capturedBy", it->info->captured_by);
			OPT_ATTR("tool", it->info->tool);
			if (it->info->note)
				ELEM("note", it->info->note);
			END();
		}
		if (it->intake)
			ok = ok && intake_xml_write(w, it->intake) == 0;
		END();
	}
	/* after raw text the writer does not indent the end tag */
	ok = ok && !(last_plain && put(&raw, "  ")) && raw_flush(w, &raw);
	buf_release(&raw);
	END();
	if (s->inv.nfolders) {	/* FORMAT.md §3.7 */
		START("folders");
		for (size_t i = 0; ok && i < s->inv.nfolders; i++) {
			START("folder");
			ATTR("path", s->inv.folders[i]);
			END();
		}
		END();
	}
	ok = ok && !(s->volume && volume_xml_write(w, s->volume));	/* 1.3, FORMAT.md §13 */
	END();
	int rc = finish(w, xb, out, ok, e);
	/* Listings are budgeted (intake.c); items are not: a seal of more items than one
	 * evidence.xml can describe is refused rather than written unverifiable. */
	if (!rc && out->len > MAX_XML_BYTES) {
		scerr_set(e, SCELLE_E_LIMIT, "evidence.xml would be %zu MiB, more than the %u MiB verify "
		    "reads: seal these items in several archives", out->len >> 20, MAX_XML_BYTES >> 20);
		rc = SCELLE_E_LIMIT;
	}
	return rc;
}

static int data_object(xmlTextWriterPtr w, const char *name, const char *mime,
    const unsigned char sha256[32])
{
	struct buf uri = { 0 };
	char *b64 = NULL;
	int ok = uri_escape(name, &uri) == 0 && b64_encode(sha256, 32, &b64) == 0;
	START("DataObjectReference");
	if (ok)
		ATTR("URI", (char *)uri.data);
	OPT_ATTR("MimeType", mime);
	START("ds:DigestMethod");
	ATTR("Algorithm", digest_uri("sha256"));
	END();
	if (ok)
		ELEM("ds:DigestValue", b64);
	END();
	buf_release(&uri);
	free(b64);
	return ok;
}

/* data_object's <DataObjectReference>, laid out as the writer lays it out (see
 * item_plain); uri is scratch space. */
static int reference_plain(struct buf *b, struct buf *uri, const struct item *it)
{
	char b64[48];
	EVP_EncodeBlock((unsigned char *)b64, it->sha256, 32);
	int bad = uri_escape(it->name, uri) || put(b, "  <DataObjectReference") ||
	    put_attr(b, "URI", (const char *)uri->data) ||
	    (it->media_type && put_attr(b, "MimeType", it->media_type)) || put(b, ">\n    <ds:DigestMethod") ||
	    put_attr(b, "Algorithm", digest_uri("sha256")) || put(b, "/>\n    <ds:DigestValue>") ||
	    put(b, b64) || put(b, "</ds:DigestValue>\n  </DataObjectReference>\n");
	return bad;
}

/* The ASiCManifest is written in two steps: the references to the items, which need only
 * their digests, while evidence.xml is still being built (seal.c, on another thread), then
 * the reference to evidence.xml, last.  The order of the references has no meaning. */
struct manifest_writer {
	xmlBufferPtr xb;
	xmlTextWriterPtr w;
	int ok;
};

struct manifest_writer *asic_manifest_items(const struct inventory *inv,
    const struct volume_mark *vol)
{
	struct manifest_writer *m = xcalloc(1, sizeof(*m));
	xmlTextWriterPtr w = NULL;
	int ok = m && (m->xb = xml_buffer_new()) && (w = m->w = xmlNewTextWriterMemory(m->xb, 0));
	if (!ok) {
		if (m)
			xmlBufferFree(m->xb);
		free(m);
		return NULL;
	}
	xmlTextWriterSetIndent(w, 1);
	xmlTextWriterSetIndentString(w, BAD_CAST "  ");
	X(xmlTextWriterStartDocument(w, NULL, "UTF-8", "no"));
	START("ASiCManifest");
	ATTR("xmlns", SCELLE_NS_ASIC);
	ATTR("xmlns:ds", SCELLE_NS_DSIG);
	START("SigReference");
	ATTR("URI", ASIC_SIGNATURE);
	ATTR("MimeType", "application/pkcs7-signature");
	END();
	struct buf raw = { 0 }, uri = { 0 };
	for (size_t i = 0; ok && i < inv->nitems; i++) {
		const struct item *it = &inv->items[i];
		/* uri_escape leaves no control character in the URI */
		if (it->media_type && has_control(it->media_type))
			ok = raw_flush(w, &raw) && data_object(w, it->name, it->media_type, it->sha256);
		else
			ok = !reference_plain(&raw, &uri, it) && (raw.len < RAW_FLUSH || raw_flush(w, &raw));
	}
	ok = ok && raw_flush(w, &raw);
	if (ok && vol && vol->set_xml.len)	/* the set manifest (FORMAT.md §13) */
		ok = data_object(w, VOLUME_SET_XML, "text/xml", vol->set_sha256);
	buf_release(&raw);
	buf_release(&uri);
	m->ok = ok;
	return m;
}

int asic_manifest_finish(struct manifest_writer *m, const unsigned char evidence_sha256[32],
    struct buf *out, struct scerr *e)
{
	if (!m) {
		scerr_set(e, SCELLE_E_NOMEM, "cannot write XML: out of memory");
		return SCELLE_E_NOMEM;
	}
	xmlTextWriterPtr w = m->w;
	int ok = m->ok && data_object(w, EVIDENCE_XML, "text/xml", evidence_sha256);
	END();
	int rc = finish(w, m->xb, out, ok, e);
	free(m);
	if (!rc && out->len > MAX_XML_BYTES) {
		scerr_set(e, SCELLE_E_LIMIT, "%s would be %zu MiB, more than the %u MiB verify reads: "
		    "seal these items in several archives", ASIC_MANIFEST, out->len >> 20, MAX_XML_BYTES >> 20);
		rc = SCELLE_E_LIMIT;
	}
	return rc;
}

void asic_manifest_free(struct manifest_writer *m)
{
	if (!m)
		return;
	xmlFreeTextWriter(m->w);
	xmlBufferFree(m->xb);
	free(m);
}

/* The first text or attribute value under n that text_check refuses (C1 controls and DEL
 * are well-formed XML, but drive terminals), its reason in why. */
static int case_text_bad(xmlNodePtr n, char *why, size_t len)
{
	for (; n; n = n->next) {
		if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) &&
		    text_check((const char *)n->content, 1, why, len))
			return 1;
		if (n->type == XML_ELEMENT_NODE) {
			for (xmlAttrPtr a = n->properties; a; a = a->next)
				if (case_text_bad(a->children, why, len))
					return 1;
			if (case_text_bad(n->children, why, len))
				return 1;
		}
	}
	return 0;
}

/* --case-file: a <case> element of the evidence.xml namespace, kept as given (after a
 * hostile-input parse: no network, no DTD, no entity expansion). */
int scelle_sealer_set_case_file(struct scelle_sealer *s, const char *path)
{
	scerr_clear(&s->err);
	/* opened as any input (a missing file, a folder or a FIFO is said as such, and libxml2
	 * prints nothing of its own) */
	int fd = open_input(path, 0, NULL, &s->err);
	if (fd < 0)
		return s->err.code;
	xmlDocPtr doc = xmlReadFd(fd, path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	close(fd);
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
	xmlBufferPtr xb = NULL;
	int rc = SCELLE_E_FORMAT;

	if (!doc) {
		scerr_set(&s->err, SCELLE_E_FORMAT, "cannot read case file '%s': not well-formed XML", path);
		goto out;
	}
	if (doc->intSubset || !root || !root->ns || strcmp((const char *)root->name, "case") != 0 ||
	    strcmp((const char *)root->ns->href, SCELLE_NS_EVIDENCE) != 0) {
		scerr_set(&s->err, SCELLE_E_FORMAT,
		    "case file '%s' must hold one <case xmlns=\"%s\"> element and no DTD", path, SCELLE_NS_EVIDENCE);
		goto out;
	}
	char why[64];
	if (case_text_bad(root, why, sizeof(why))) {
		scerr_set(&s->err, SCELLE_E_FORMAT, "case file '%s': %s", path, why);
		goto out;
	}
	/* Kept with its own (identical) namespace declaration: valid inside evidence.xml. */
	xb = xmlBufferCreate();
	if (!xb || xmlNodeDump(xb, doc, root, 1, 1) < 0) {
		scerr_set(&s->err, SCELLE_E_NOMEM, "out of memory");
		rc = SCELLE_E_NOMEM;
		goto out;
	}
	free(s->case_xml);
	s->case_xml = xstrdup((const char *)xmlBufferContent(xb));
	rc = s->case_xml ? SCELLE_OK : SCELLE_E_NOMEM;
out:
	xmlBufferFree(xb);
	xmlFreeDoc(doc);
	return rc;
}
