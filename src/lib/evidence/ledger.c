/* ledger.c — the chain-of-custody ledger NAME.asice.custody.xml (doc/design.md §3): its path,
 * reading it as hostile XML, the canonical form a record's signature and the next record's
 * digest cover, one signed record, the sealing record that `seal` writes, publishing a
 * ledger atomically and moving one aside.  Each record is an <event> signed by its actor
 * (CAdES detached over the event's Exclusive XML C14N 1.0, optionally time-stamped,
 * RFC 3161) and chained to the record before it by the SHA-256 of that record's canonical
 * form.  Appending records is custody.c's; checking them custody_verify.c's. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libxml/c14n.h>
#include <libxml/parser.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/sha.h>
#include "crypto.h"
#include "container.h"
#include "ledger.h"

/* ------------------------------------------------------------- XML helpers ---- */

char *ledger_path_for(const char *archive)
{
	size_t n = strlen(archive) + sizeof(LEDGER_SUFFIX);
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s%s", archive, LEDGER_SUFFIX);
	return p;
}

int ledger_open(const char *path, int named, int *fd, struct scerr *e)
{
	struct stat st;
	*fd = -1;
	if (!path) {
		scerr_set(e, SCELLE_E_NOMEM, "out of memory");
		return 1;
	}
	if (!named && lstat(path, &st) != 0 && errno == ENOENT)
		return 0;	/* no ledger beside the archive: said by the verdict, no error */
	*fd = open_input(path, O_NOFOLLOW, NULL, e);
	return *fd < 0;
}

int ledger_unreadable(const char *path, int named, struct scerr *e)
{
	int fd, r = ledger_open(path, named, &fd, e);
	if (fd >= 0)
		close(fd);
	return r;
}

xmlDocPtr ledger_read(int fd, const char *path, struct scerr *e)
{
	struct buf b = { 0 };
	char tmp[16384];
	ssize_t r;
	xmlDocPtr doc = NULL;

	while ((r = read(fd, tmp, sizeof(tmp))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			scerr_set(e, SCELLE_E_IO, "cannot read '%s': %s", path, strerror(errno));
			goto out;
		}
		if (b.len + (size_t)r > MAX_LEDGER_BYTES) {
			scerr_set(e, SCELLE_E_LIMIT, "'%s' is larger than the limit of %u MiB", path,
			    MAX_LEDGER_BYTES >> 20);
			goto out;
		}
		if (buf_append(&b, tmp, (size_t)r)) {
			scerr_set(e, SCELLE_E_NOMEM, "out of memory");
			goto out;
		}
	}
	/* doc/design.md §6.3: no network, no DTD (so no entity is declared, expanded or fetched);
	 * a declaration is refused before libxml2 reads it at all. */
	if (b.len && memmem(b.data, b.len, "<!DOCTYPE", 9)) {
		scerr_set(e, SCELLE_E_FORMAT, "'%s' has a document type declaration (refused: entities)", path);
		goto out;
	}
	doc = b.len ? xmlReadMemory((const char *)b.data, (int)b.len, path, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING) : NULL;
	if (!doc) {
		scerr_set(e, SCELLE_E_FORMAT, "'%s' is not well-formed XML", path);
		goto out;
	}
	if (doc->intSubset || doc->extSubset) {
		scerr_set(e, SCELLE_E_FORMAT, "'%s' has a document type declaration (refused: entities)", path);
		xmlFreeDoc(doc);
		doc = NULL;
	}
out:
	buf_release(&b);
	return doc;
}

/* The element is copied into a document of its own, where libxml2 declares the namespace it
 * inherited on the copy: exactly what Exclusive C14N (W3C xml-exc-c14n §3) renders for an
 * apex element, so the bytes do not depend on where the record sits in the ledger.  A
 * verifier without scelle gets the same bytes with `xmllint --exc-c14n` (FORMAT.md). */
static void c14n_quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

int c14n_element(xmlNodePtr n, struct buf *out)
{
	xmlDocPtr d = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr copy = d ? xmlDocCopyNode(n, d, 1) : NULL;
	xmlChar *mem = NULL;
	int len = -1;

	out->len = 0;
	if (copy) {
		xmlDocSetRootElement(d, copy);
		/* A C14N failure is a result (the caller fails the check), not a message: the
		 * library never prints.  The handler is the calling thread's, put back after. */
		xmlGenericErrorFunc old = xmlGenericError;
		void *old_ctx = xmlGenericErrorContext;
		xmlSetGenericErrorFunc(NULL, c14n_quiet);
		len = xmlC14NDocDumpMemory(d, NULL, XML_C14N_EXCLUSIVE_1_0, NULL, 0, &mem);
		xmlSetGenericErrorFunc(old_ctx, old);
	}
	int rc = len >= 0 && buf_append(out, mem, (size_t)len) == 0 ? 0 : -1;
	xmlFree(mem);
	xmlFreeDoc(d);
	return rc;
}

int c14n_digest(xmlNodePtr n, char hex[65])
{
	struct buf b = { 0 };
	unsigned char md[32];
	if (c14n_element(n, &b)) {
		buf_release(&b);
		return -1;
	}
	SHA256(b.data, b.len, md);
	hex_encode(md, 32, hex);
	buf_release(&b);
	return 0;
}

char *cert_name_field(X509 *cert, int nid)
{
	X509_NAME *name = X509_get_subject_name(cert);
	int i = X509_NAME_get_index_by_NID(name, nid, -1);
	unsigned char *utf8 = NULL;
	char *s = NULL;
	if (i < 0)
		return NULL;
	int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
	if (n >= 0 && (s = malloc((size_t)n + 1))) {
		memcpy(s, utf8, (size_t)n);
		s[n] = '\0';
	}
	OPENSSL_free(utf8);
	return s;
}

void cert_sha256(X509 *cert, char hex[65])
{
	unsigned char md[32];
	unsigned int len = 0;
	X509_digest(cert, EVP_sha256(), md, &len);
	hex_encode(md, 32, hex);
}

char *hex64_lower(const char *s)
{
	char *h = strlen(s) == 64 ? xstrdup(s) : NULL;
	for (char *p = h; p && *p; p++) {
		if (*p >= 'A' && *p <= 'F')
			*p = (char)(*p - 'A' + 'a');
		else if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))) {
			free(h);
			return NULL;
		}
	}
	return h;
}

xmlNodePtr ledger_child(xmlNodePtr n, const char *name)
{
	for (xmlNodePtr k = n ? n->children : NULL; k; k = k->next)
		if (k->type == XML_ELEMENT_NODE && k->ns && strcmp((const char *)k->ns->href, SCELLE_NS_CUSTODY) == 0 &&
		    strcmp((const char *)k->name, name) == 0)
			return k;
	return NULL;
}

/* ------------------------------------------------------------- one record ---- */

static int add_text(xmlNodePtr parent, const char *indent)
{
	xmlNodePtr t = xmlNewText(BAD_CAST indent);
	return t && xmlAddChild(parent, t) ? 0 : -1;
}

/* A child element holding text; xmlNewTextChild escapes it (a note may hold '&' or '<'). */
static xmlNodePtr add_elem(xmlNodePtr parent, const char *name, const char *text)
{
	if (add_text(parent, "\n      "))
		return NULL;
	return xmlNewTextChild(parent, parent->ns, BAD_CAST name, BAD_CAST text);
}

static int add_attr(xmlNodePtr n, const char *name, const char *value)
{
	return !value || xmlNewProp(n, BAD_CAST name, BAD_CAST value) ? 0 : -1;
}

/* The event element, in the order of formats/custody.xsd. */
static xmlNodePtr event_build(xmlNodePtr record, const struct event_data *d)
{
	char num[32], t[32];
	xmlNodePtr ev = xmlNewChild(record, record->ns, BAD_CAST "event", NULL), n;
	int bad = !ev;

	snprintf(num, sizeof(num), "%lu", d->seq);
	time_rfc3339(d->time, t, sizeof(t));
	bad = bad || add_attr(ev, "seq", num) || add_attr(ev, "type", d->type);
	bad = bad || !(n = add_elem(ev, "archive", NULL)) || add_attr(n, "name", d->archive_name) ||
	    add_attr(n, "sealId", d->seal_id) || add_attr(n, "fileDigest", d->file_digest);
	if (!bad && d->previous)
		bad = !(n = add_elem(ev, "previous", d->previous)) || add_attr(n, "algorithm", "sha256");
	bad = bad || !add_elem(ev, "time", t);
	bad = bad || !(n = add_elem(ev, "actor", NULL)) || add_attr(n, "name", d->actor) ||
	    add_attr(n, "role", d->role) || add_attr(n, "organisation", d->organisation) ||
	    add_attr(n, "country", d->country) || add_attr(n, "certificate", d->certificate);
	if (!bad && d->place)
		bad = !add_elem(ev, "place", d->place);
	if (!bad && d->from)
		bad = !add_elem(ev, "from", d->from);
	if (!bad && d->to)
		bad = !add_elem(ev, "to", d->to);
	if (!bad && d->verification)
		bad = !(n = add_elem(ev, "verification", NULL)) || add_attr(n, "verdict", d->verification);
	if (!bad && d->head) {
		snprintf(num, sizeof(num), "%lu", d->head_records);
		bad = !(n = add_elem(ev, "head", d->head)) || add_attr(n, "algorithm", "sha256") || add_attr(n, "records", num);
	}
	if (!bad && d->note)
		bad = !add_elem(ev, "note", d->note);
	bad = bad || add_text(ev, "\n    ");
	return bad ? NULL : ev;
}

static int sign_event(xmlNodePtr ev, const struct record_signer *rs, char **b64, struct scerr *e)
{
	struct buf c14n = { 0 };
	unsigned char *der = NULL;
	size_t der_len = 0;
	int rc;

	if (c14n_element(ev, &c14n)) {
		scerr_set(e, SCELLE_E_NOMEM, "cannot canonicalise the record: out of memory");
		return SCELLE_E_NOMEM;
	}
	if ((rc = cades_sign(rs->key, rs->cert, rs->chain, c14n.data, c14n.len, &der, &der_len, e)))
		goto out;
	/* CAdES-B-T (EN 319 122-1 §5.3): signature-time-stamps over the signature value. */
	if (rs->ntsa) {
		int added = 0;
		if ((rc = cades_add_timestamps(&der, &der_len, rs->tsa_urls, rs->ntsa, &rs->tsa,
		    rs->tsa_optional, NULL, &added, e)))
			goto out;
	}
	if (b64_encode(der, der_len, b64)) {
		scerr_set(e, SCELLE_E_NOMEM, "out of memory");
		rc = SCELLE_E_NOMEM;
	}
out:
	OPENSSL_free(der);
	buf_release(&c14n);
	return rc;
}

int record_append(xmlNodePtr root, xmlNodePtr after, const struct event_data *d,
    const struct record_signer *rs, struct scerr *e)
{
	xmlNodePtr rec = xmlNewDocNode(root->doc, root->ns, BAD_CAST "record", NULL), ev, sig;
	xmlNodePtr lead = xmlNewText(BAD_CAST "\n  ");
	char *b64 = NULL;
	int rc;

	if (!rec || !lead) {
		xmlFreeNode(rec);
		xmlFreeNode(lead);
		scerr_set(e, SCELLE_E_NOMEM, "out of memory");
		return SCELLE_E_NOMEM;
	}
	/* Attached first, so that the event inherits the ledger's namespace from its place. */
	if (after) {
		xmlAddNextSibling(after, lead);
		xmlAddNextSibling(lead, rec);
	} else {
		xmlAddChild(root, lead);
		xmlAddChild(root, rec);
		add_text(root, "\n");
	}
	if (add_text(rec, "\n    ") || !(ev = event_build(rec, d))) {
		scerr_set(e, SCELLE_E_NOMEM, "out of memory");
		return SCELLE_E_NOMEM;
	}
	if ((rc = sign_event(ev, rs, &b64, e)))
		return rc;
	rc = add_text(rec, "\n    ") || !(sig = xmlNewTextChild(rec, rec->ns, BAD_CAST "signature", BAD_CAST b64)) ||
	    add_attr(sig, "format", "CAdES") || add_text(rec, "\n  ");
	free(b64);
	if (rc) {
		scerr_set(e, SCELLE_E_NOMEM, "out of memory");
		return SCELLE_E_NOMEM;
	}
	return SCELLE_OK;
}

int ledger_dump(xmlDocPtr doc, struct buf *out, struct scerr *e)
{
	xmlChar *mem = NULL;
	int len = 0;
	xmlDocDumpMemoryEnc(doc, &mem, &len, "UTF-8");
	out->len = 0;
	int rc = mem && buf_append(out, mem, (size_t)len) == 0 ? 0 : -1;
	xmlFree(mem);
	if (rc)
		scerr_set(e, SCELLE_E_NOMEM, "cannot write the ledger: out of memory");
	return rc ? SCELLE_E_NOMEM : SCELLE_OK;
}

/* ------------------------------------------------------- the sealing record ---- */

int ledger_seal_prepare(const struct sealing_event *s, const struct record_signer *rs,
    struct buf *out, struct scerr *e)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr root = doc ? xmlNewDocNode(doc, NULL, BAD_CAST "ledger", NULL) : NULL;
	xmlNsPtr ns = root ? xmlNewNs(root, BAD_CAST SCELLE_NS_CUSTODY, NULL) : NULL;
	char *copy = xstrdup(s->archive), *cn = cert_name_field(rs->cert, NID_commonName);
	char *org = cert_name_field(rs->cert, NID_organizationName);
	char *co = cert_name_field(rs->cert, NID_countryName);
	const struct officer *o = s->officer;
	struct event_data d = { 0 };
	int rc = SCELLE_E_NOMEM;

	if (!root || !ns || !copy || add_attr(root, "formatVersion", LEDGER_FORMAT)) {
		xmlFreeNode(root);
		scerr_set(e, SCELLE_E_NOMEM, "out of memory");
		goto out;
	}
	xmlSetNs(root, ns);
	xmlDocSetRootElement(doc, root);
	/* Record 1 says what evidence.xml says of the sealing: same time, officer, place. */
	d.seq = 1;
	d.type = "sealed";
	d.archive_name = basename(copy);
	d.seal_id = s->seal_id;
	d.file_digest = s->file_digest;
	d.time = s->sealed_at;
	d.actor = nonempty_or(o->name, cn ? cn : "unknown");
	d.role = o->role;
	d.organisation = nonempty_or(o->unit, org);
	d.country = nonempty_or(o->country, co);
	d.place = o->place;
	cert_sha256(rs->cert, d.certificate);
	if ((rc = record_append(root, NULL, &d, rs, e)) == SCELLE_OK)
		rc = ledger_dump(doc, out, e);
out:
	free(copy);
	free(cn);
	free(org);
	free(co);
	xmlFreeDoc(doc);
	return rc;
}

/* A temporary file in the ledger's folder, so that the final rename stays on one file
 * system and is atomic (doc/design.md §6.2). */
/* Publishes a ledger through out_file.c: complete and fsynced, or not at all, and no
 * temporary file left by a kill.  `replace` swaps it for the ledger at path atomically. */
int ledger_publish(const char *path, const struct buf *b, mode_t mode, int replace, struct scerr *e)
{
	struct out_file o = { .fd = -1 };
	size_t done = 0;
	if (out_open(&o, path, replace, e))
		return e->code ? e->code : SCELLE_E_IO;
	while (done < b->len) {
		ssize_t w = write(o.fd, b->data + done, b->len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	if (done != b->len || fchmod(o.fd, mode) != 0) {
		scerr_set(e, SCELLE_E_IO, "cannot write '%s': %s", path, strerror(errno ? errno : EIO));
		out_abort(&o);
		return SCELLE_E_IO;
	}
	return out_commit(&o, path, replace, e) ? (e->code ? e->code : SCELLE_E_IO) : SCELLE_OK;
}


int ledger_write_new(const char *path, const struct buf *b, int force, struct scerr *e)
{
	/* 0644 as the archive beside it; without force an existing ledger is never replaced */
	return ledger_publish(path, b, 0644, force, e);
}

/* ------------------------------------------------------ moving a ledger aside ---- */

/* NAME.asice.custody.xml → NAME.asice.custody.<seal id of its record 1>.xml: the name of a
 * ledger kept when `seal --force` replaces its archive (formats/custody.md, "Writing"). */
char *ledger_aside_path(const char *path, struct scerr *e)
{
	int fd = open_input(path, O_NOFOLLOW, NULL, e);
	xmlDocPtr doc = fd >= 0 ? ledger_read(fd, path, e) : NULL;
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL, first = NULL;
	xmlChar *sid = NULL;
	char *id = NULL, *aside = NULL;
	size_t n = strlen(path), suffix = strlen(LEDGER_SUFFIX);

	if (fd >= 0)
		close(fd);
	for (xmlNodePtr k = root ? root->children : NULL; k && !first; k = k->next)
		if (k->type == XML_ELEMENT_NODE && strcmp((const char *)k->name, "record") == 0)
			first = k;
	xmlNodePtr arch = ledger_child(ledger_child(first, "event"), "archive");
	if (arch && (sid = xmlGetProp(arch, BAD_CAST "sealId")))
		id = hex64_lower((const char *)sid);
	if (doc && !id)
		scerr_set(e, SCELLE_E_FORMAT, "'%s' names no seal identifier in its first record", path);
	else if (id && (n < suffix || strcmp(path + n - suffix, LEDGER_SUFFIX) != 0))
		scerr_set(e, SCELLE_E_USAGE, "'%s' does not end with '%s'", path, LEDGER_SUFFIX);
	else if (id && (aside = malloc(n + 65 + 1)))
		snprintf(aside, n + 66, "%.*s.custody.%s.xml", (int)(n - suffix), path, id);
	else if (id)
		scerr_set(e, SCELLE_E_NOMEM, "out of memory");
	xmlFree(sid);
	free(id);
	xmlFreeDoc(doc);
	return aside;
}

int ledger_move(const char *from, const char *to, struct scerr *e)
{
	/* link() never replaces `to` (EEXIST), unlike rename(). */
	if (link(from, to) != 0) {
		scerr_set(e, errno == EEXIST ? SCELLE_E_EXISTS : SCELLE_E_IO, "cannot move '%s' to '%s': %s",
		    from, to, strerror(errno));
		return e->code;
	}
	if (unlink(from) != 0) {
		scerr_set(e, SCELLE_E_IO, "cannot remove '%s' after linking it as '%s': %s", from, to,
		    strerror(errno));
		return e->code;
	}
	return SCELLE_OK;
}
