/* custody.c — the chain-of-custody ledger NAME.asice.custody.xml (DESIGN.md §3): the
 * sealing record written by `seal`, and records appended by `custody add`.  Each record is
 * an <event> signed by its actor (CAdES detached over the event's Exclusive XML C14N 1.0,
 * optionally time-stamped, RFC 3161) and chained to the record before it by the SHA-256 of
 * that record's canonical form.  The archive itself is never touched. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <archive.h>
#include <archive_entry.h>
#include <libxml/c14n.h>
#include <libxml/parser.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/sha.h>
#include "custody.h"
#include "verifier.h"
#include "sealer.h"
#include "xades.h"

/* ------------------------------------------------------------- XML helpers ---- */

char *ledger_path_for(const char *archive)
{
	size_t n = strlen(archive) + sizeof(LEDGER_SUFFIX);
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s%s", archive, LEDGER_SUFFIX);
	return p;
}

int ledger_unreadable(const char *path, int named, struct scerr *e)
{
	struct stat st;
	if (!path) {
		scerr_set(e, SCELLE_E_NOMEM, "out of memory");
		return 1;
	}
	if (!named && lstat(path, &st) != 0 && errno == ENOENT)
		return 0;	/* no ledger beside the archive: said by the verdict, no error */
	int fd = open_input(path, O_NOFOLLOW, NULL, e);
	if (fd >= 0)
		close(fd);
	return fd < 0;
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
	/* DESIGN.md §6.3: no network, no DTD (so no entity is declared, expanded or fetched);
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

static int doc_dump(xmlDocPtr doc, struct buf *out, struct scerr *e)
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

static const char *first(const char *a, const char *b)
{
	return a && *a ? a : b;
}

int ledger_seal_prepare(const struct scelle_sealer *s, const char *archive, struct buf *out,
    struct scerr *e)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr root = doc ? xmlNewDocNode(doc, NULL, BAD_CAST "ledger", NULL) : NULL;
	xmlNsPtr ns = root ? xmlNewNs(root, BAD_CAST SCELLE_NS_CUSTODY, NULL) : NULL;
	char *copy = xstrdup(archive), *cn = cert_name_field(s->cert, NID_commonName);
	char *org = cert_name_field(s->cert, NID_organizationName);
	char *co = cert_name_field(s->cert, NID_countryName);
	struct event_data d = { 0 };
	struct record_signer rs = { s->key, s->cert, s->chain, s->tsa, s->ntsa,
		{ s->tsa_policy, s->tsa_timeout, &s->tsa_access }, s->tsa_optional };
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
	d.actor = first(s->officer[0], cn ? cn : "unknown");
	d.role = s->officer[1];
	d.organisation = first(s->officer[2], org);
	d.country = first(s->officer[3], co);
	d.place = s->officer[4];
	cert_sha256(s->cert, d.certificate);
	if ((rc = record_append(root, NULL, &d, &rs, e)) == SCELLE_OK)
		rc = doc_dump(doc, out, e);
out:
	free(copy);
	free(cn);
	free(org);
	free(co);
	xmlFreeDoc(doc);
	return rc;
}

/* A temporary file in the ledger's folder, so that the final rename stays on one file
 * system and is atomic (DESIGN.md §6.2). */
/* Publishes a ledger through out_file.c: complete and fsynced, or not at all, and no
 * temporary file left by a kill.  `replace` swaps it for the ledger at path atomically. */
static int ledger_publish(const char *path, const struct buf *b, mode_t mode, int replace, struct scerr *e)
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

/* ------------------------------------------------------- appending records ---- */

struct scelle_custody {
	struct scerr err;
	struct scelle_sealer *keys;	/* key loading shared with the sealer (keys.c) */
	char *field[8];			/* actor, role, organisation, country, place, from, to, note */
	time_t time;
	char *tsa, *tsa_policy;
	int tsa_timeout, tsa_optional;
	struct scelle_verifier *verifier; /* borrowed */
	char *ledger;
	char *ledger_head;		/* the head the ledger must have, NULL: any */
	char head[65];			/* after an append: the new ledger's head */
	struct scelle_result *verification;
	unsigned long seq;
};

static const char *const field_names[8] = { "actor", "role", "organisation", "country", "place",
	"from", "to", "note" };

/* libxml2 2.9 wants its global state set up once, before threads use it. */
static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
	xmlInitParser();
}

struct scelle_custody *scelle_custody_new(void)
{
	pthread_once(&xml_once, xml_init);
	struct scelle_custody *c = xcalloc(1, sizeof(*c));
	if (c && !(c->keys = scelle_sealer_new())) {
		free(c);
		return NULL;
	}
	return c;
}

void scelle_custody_free(struct scelle_custody *c)
{
	if (!c)
		return;
	scelle_sealer_free(c->keys);
	for (size_t i = 0; i < 8; i++)
		free(c->field[i]);
	free(c->tsa);
	free(c->tsa_policy);
	free(c->ledger);
	free(c->ledger_head);
	scelle_result_free(c->verification);
	free(c);
}

const char *scelle_custody_errmsg(const struct scelle_custody *c)
{
	return c ? c->err.msg : "out of memory";
}

void scelle_custody_set_pass_cb(struct scelle_custody *c, scelle_pass_cb cb, void *arg)
{
	scelle_sealer_set_pass_cb(c->keys, cb, arg);
}

int scelle_custody_set_signer(struct scelle_custody *c, const char *key, const char *cert)
{
	scerr_clear(&c->err);
	if (scelle_sealer_set_signer(c->keys, key, cert)) {
		c->err = c->keys->err;
		return c->err.code;
	}
	return SCELLE_OK;
}

int scelle_custody_add_chain(struct scelle_custody *c, const char *chain_file)
{
	scerr_clear(&c->err);
	if (scelle_sealer_add_chain(c->keys, chain_file)) {
		c->err = c->keys->err;
		return c->err.code;
	}
	return SCELLE_OK;
}

static int valid_country(const char *cc)
{
	char up[3];
	return country_code(cc, up) == 0 && strcmp(cc, up) == 0;
}

int scelle_custody_set(struct scelle_custody *c, const char *field, const char *value)
{
	scerr_clear(&c->err);
	for (size_t i = 0; i < 8; i++) {
		if (strcmp(field, field_names[i]) != 0)
			continue;
		char cc[3];
		if (i == 3 && value && country_code(value, cc)) {
			scerr_set(&c->err, SCELLE_E_USAGE, "invalid country code '%s' (ISO 3166 alpha-2, e.g. FR)", value);
			return SCELLE_E_USAGE;
		}
		if (i == 3 && value)
			value = cc;	/* stored upper-case, as custody.xsd requires */
		/* XML 1.0 §2.2 cannot carry C0 controls: the ledger would not parse again */
		char why[64];
		if (text_check(value, 0, why, sizeof(why))) {
			scerr_set(&c->err, SCELLE_E_USAGE, "%s", why);
			return SCELLE_E_USAGE;
		}
		free(c->field[i]);
		c->field[i] = xstrdup(value);
		if (value && !c->field[i]) {
			scerr_set(&c->err, SCELLE_E_NOMEM, "out of memory");
			return SCELLE_E_NOMEM;
		}
		return SCELLE_OK;
	}
	scerr_set(&c->err, SCELLE_E_USAGE, "unknown custody field '%s'", field);
	return SCELLE_E_USAGE;
}

void scelle_custody_set_time(struct scelle_custody *c, time_t t)
{
	c->time = t;
}

int scelle_custody_set_tsa(struct scelle_custody *c, const char *url, const char *policy_oid,
    int timeout_seconds, int optional)
{
	free(c->tsa);
	free(c->tsa_policy);
	c->tsa = xstrdup(url);
	c->tsa_policy = xstrdup(policy_oid);
	c->tsa_timeout = timeout_seconds;
	c->tsa_optional = optional;
	if ((url && !c->tsa) || (policy_oid && !c->tsa_policy)) {
		scerr_set(&c->err, SCELLE_E_NOMEM, "out of memory");
		return SCELLE_E_NOMEM;
	}
	return SCELLE_OK;
}

int scelle_custody_set_tsa_access(struct scelle_custody *c, const char *ca_file, const char *auth,
    const char *cert_file, const char *key_file)
{
	/* kept in the sealer that holds the keys: record_signer reads it there */
	scerr_clear(&c->err);
	if (scelle_sealer_set_tsa_access(c->keys, ca_file, auth, cert_file, key_file)) {
		c->err = c->keys->err;
		return c->err.code;
	}
	return SCELLE_OK;
}

void scelle_custody_set_verifier(struct scelle_custody *c, struct scelle_verifier *v)
{
	c->verifier = v;
}

int scelle_custody_set_ledger(struct scelle_custody *c, const char *path)
{
	free(c->ledger);
	c->ledger = xstrdup(path);
	return path && !c->ledger ? SCELLE_E_NOMEM : SCELLE_OK;
}

int scelle_custody_set_ledger_head(struct scelle_custody *c, const char *hex)
{
	char *h = NULL;
	scerr_clear(&c->err);
	if (hex && !(h = hex64_lower(hex))) {
		scerr_set(&c->err, SCELLE_E_USAGE, "invalid ledger head '%s' (64 hexadecimal digits, as a verdict prints it)", hex);
		return SCELLE_E_USAGE;
	}
	free(c->ledger_head);
	c->ledger_head = h;
	return SCELLE_OK;
}

const char *scelle_custody_ledger_head(const struct scelle_custody *c)
{
	return c->head[0] ? c->head : NULL;
}

unsigned long scelle_custody_sequence(const struct scelle_custody *c)
{
	return c->seq;
}

const struct scelle_result *scelle_custody_verification(const struct scelle_custody *c)
{
	return c->verification;
}

/* "other:LABEL": a label of printable characters, so that a timeline stays one line. */
static int valid_type(const char *t)
{
	static const char *const known[] = { "transferred", "received", "opened", "examined",
		"copied", "returned", "destroyed" };
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(t, known[i]) == 0)
			return 1;
	if (strncmp(t, "other:", 6) != 0 || !t[6] || strlen(t) > 6 + 64)
		return 0;
	char why[64];
	return text_check(t + 6, 0, why, sizeof(why)) == 0;	/* UTF-8, no C0, DEL or C1 */
}

/* The seal identifier (DESIGN.md §2): SHA-256 of META-INF/ASiCManifest001.xml; for a XAdES
 * archive, without one, that of the canonical SignedInfo of META-INF/signatures*.xml
 * (FORMAT.md §5.2). */
static int archive_seal_id(const char *path, char hex[65], struct scerr *e)
{
	struct buf xades = { 0 };
	struct archive *a = archive_read_new();
	struct archive_entry *ae;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int found = 0, r, fd = -1;
	if (!a || !md) {
		archive_read_free(a);
		EVP_MD_CTX_free(md);
		scerr_set(e, SCELLE_E_NOMEM, "out of memory");
		return SCELLE_E_NOMEM;
	}
	archive_read_support_format_zip_seekable(a);
	if ((fd = open_input(path, 0, NULL, e)) < 0)
		goto out;
	if (archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK) {
		scerr_set(e, SCELLE_E_FORMAT, "cannot read '%s': %s", path, archive_error_string(a));
		goto out;
	}
	/* ARCHIVE_WARN: a name that is not UTF-8 (utf8_names_begin() is in force); not the
	 * manifest's, and the entry after it is still read. */
	while (!found && ((r = archive_read_next_header(a, &ae)) == ARCHIVE_OK || r == ARCHIVE_WARN)) {
		const char *name = archive_entry_pathname_utf8(ae);
		char buf[16384];
		la_ssize_t n;
		if (name && !xades.len && is_xades_signature_name(name)) {
			while ((n = archive_read_data(a, buf, sizeof(buf))) > 0 &&
			    xades.len + (size_t)n <= MAX_SIG_BYTES && !buf_append(&xades, buf, (size_t)n))
				;
			if (n != 0)
				xades.len = 0;
			continue;
		}
		if (!name || strcmp(name, ASIC_MANIFEST) != 0)
			continue;
		size_t total = 0;
		EVP_DigestInit_ex(md, EVP_sha256(), NULL);
		while ((n = archive_read_data(a, buf, sizeof(buf))) > 0 && (total += (size_t)n) <= MAX_XML_BYTES)
			EVP_DigestUpdate(md, buf, (size_t)n);
		if (n == 0) {
			unsigned char d[32];
			EVP_DigestFinal_ex(md, d, NULL);
			hex_encode(d, 32, hex);
			found = 1;
		} else
			break;
	}
	if (!found && xades.len)
		found = xades_seal_id_of(xades.data, xades.len, hex) == 0;
	if (!found)
		scerr_set(e, SCELLE_E_FORMAT, "'%s' is not a sealed archive (no readable %s)", path, ASIC_MANIFEST);
out:
	buf_release(&xades);
	archive_read_free(a);
	if (fd >= 0)
		close(fd);
	EVP_MD_CTX_free(md);
	return found ? SCELLE_OK : e->code;
}

static xmlNodePtr child(xmlNodePtr n, const char *name)
{
	for (xmlNodePtr k = n ? n->children : NULL; k; k = k->next)
		if (k->type == XML_ELEMENT_NODE && k->ns && strcmp((const char *)k->ns->href, SCELLE_NS_CUSTODY) == 0 &&
		    strcmp((const char *)k->name, name) == 0)
			return k;
	return NULL;
}

/* Locks the ledger file itself.  The lock is on the inode: after waiting, the path may
 * name a newer ledger that another `custody add` renamed into place, so the inode is
 * compared and the open retried until the lock is on the current file. */
static int lock_ledger(const char *path, struct scerr *e)
{
	for (int tries = 0; tries < 1000; tries++) {
		struct stat a, b;
		int fd = open_input(path, O_NOFOLLOW, NULL, e);
		if (fd < 0) {
			if (errno == ENOENT)
				scerr_set(e, SCELLE_E_IO, "cannot open '%s': %s (the ledger is written by "
				    "'scelle seal')", path, strerror(ENOENT));
			return -1;
		}
		if (flock(fd, LOCK_EX) != 0 || fstat(fd, &a) != 0) {
			scerr_set(e, SCELLE_E_IO, "cannot lock '%s': %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		if (stat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			return fd;
		close(fd);
	}
	scerr_set(e, SCELLE_E_IO, "cannot lock '%s': it keeps being replaced", path);
	return -1;
}

/* Under the lock: read the ledger, check that it is this archive's, add one record, write
 * the new ledger beside it and rename it over the old one. */
static int append_locked(struct scelle_custody *c, int fd, const char *path, struct event_data *d)
{
	xmlDocPtr doc = ledger_read(fd, path, &c->err);
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL, last = NULL;
	struct record_signer rs = { c->keys->key, c->keys->cert, c->keys->chain, &c->tsa, c->tsa ? 1 : 0,
		{ c->tsa_policy, c->tsa_timeout, &c->keys->tsa_access }, c->tsa_optional };
	struct buf out = { 0 };
	char prev[65];
	unsigned long n = 0;
	int rc = SCELLE_E_FORMAT;
	struct stat st;
	/* The new ledger keeps the old one's permissions (a unit may restrict who reads it). */
	mode_t old_mode = fstat(fd, &st) == 0 ? st.st_mode & 07777 : 0644;

	if (!doc)
		return c->err.code;
	if (!root || !root->ns || strcmp((const char *)root->ns->href, SCELLE_NS_CUSTODY) != 0 ||
	    strcmp((const char *)root->name, "ledger") != 0) {
		scerr_set(&c->err, SCELLE_E_FORMAT, "'%s' is not a custody ledger (namespace %s)", path, SCELLE_NS_CUSTODY);
		goto out;
	}
	for (xmlNodePtr k = root->children; k; k = k->next)
		if (k->type == XML_ELEMENT_NODE && strcmp((const char *)k->name, "record") == 0) {
			last = k;
			n++;
		}
	xmlNodePtr ev = child(last, "event"), arch = child(ev, "archive"), tn = child(ev, "time");
	xmlChar *seq = ev ? xmlGetProp(ev, BAD_CAST "seq") : NULL;
	xmlChar *sid = arch ? xmlGetProp(arch, BAD_CAST "sealId") : NULL;
	xmlChar *ts = tn ? xmlNodeGetContent(tn) : NULL;
	time_t last_time = 0;
	if (!seq || !sid || !ts || time_parse_rfc3339((const char *)ts, &last_time)) {
		scerr_set(&c->err, SCELLE_E_FORMAT, "'%s': the last record is malformed", path);
	} else if (n >= MAX_LEDGER_RECORDS) {
		scerr_set(&c->err, SCELLE_E_LIMIT, "'%s' holds %lu records, the limit", path, n);
		rc = SCELLE_E_LIMIT;
	} else if (strcmp((const char *)sid, d->seal_id) != 0) {
		scerr_set(&c->err, SCELLE_E_FORMAT, "'%s' is the ledger of another archive (seal identifier %.16s...)",
		    path, (const char *)sid);
	} else {
		/* Taken under the lock: two records added at once get ordered times. */
		d->time = c->time ? c->time : time(NULL);
		d->seq = strtoul((const char *)seq, NULL, 10) + 1;
		if (d->time < last_time) {
			char a[32], b[32];
			time_rfc3339(d->time, a, sizeof(a));
			time_rfc3339(last_time, b, sizeof(b));
			scerr_set(&c->err, SCELLE_E_USAGE, "the event time %s is before record %s (%s): times in a ledger never go backwards",
			    a, (const char *)seq, b);
			rc = SCELLE_E_USAGE;
		} else if (c14n_digest(last, prev)) {
			scerr_set(&c->err, SCELLE_E_FORMAT, "'%s': the last record cannot be canonicalised (Exclusive XML C14N)", path);
		} else if (c->ledger_head && strcmp(prev, c->ledger_head) != 0) {
			/* The hand-over letter names another ledger: cut, extended or swapped. */
			scerr_set(&c->err, SCELLE_E_MISMATCH, "'%s': the ledger head is %lu records, sha256 %s, not the head given (sha256 %s): nothing recorded",
			    path, n, prev, c->ledger_head);
			rc = SCELLE_E_MISMATCH;
		} else {
			d->previous = prev;
			/* formats/custody.md, "The ledger head": the receiver cites the ledger it
			 * received; a 1.0 ledger that gets one becomes 1.1. */
			if (d->verification) {
				d->head = prev;
				d->head_records = n;
				xmlChar *v = xmlGetProp(root, BAD_CAST "formatVersion");
				if (v && strcmp((const char *)v, "1.0") == 0)
					xmlSetProp(root, BAD_CAST "formatVersion", BAD_CAST LEDGER_FORMAT);
				xmlFree(v);
			}
			if ((rc = record_append(root, last, d, &rs, &c->err)) == SCELLE_OK &&
			    (rc = doc_dump(doc, &out, &c->err)) == SCELLE_OK &&
			    (rc = ledger_publish(path, &out, old_mode, 1, &c->err)) == SCELLE_OK) {
				c->seq = d->seq;
				/* the new head, for the hand-over letter: the record just added */
				for (xmlNodePtr k = last->next; k; k = k->next)
					if (k->type == XML_ELEMENT_NODE && c14n_digest(k, c->head))
						c->head[0] = '\0';
			}
		}
	}
	xmlFree(seq);
	xmlFree(sid);
	xmlFree(ts);
out:
	buf_release(&out);
	xmlFreeDoc(doc);
	return rc;
}

int scelle_custody_append(struct scelle_custody *c, const char *archive, const char *type)
{
	char seal_id[65], file_digest[65], *path = NULL, *copy = NULL;
	char *cn = NULL, *org = NULL, *co = NULL;
	struct event_data d = { 0 };
	int rc = SCELLE_E_USAGE, fd = -1;
	locale_t saved;

	scerr_clear(&c->err);
	c->seq = 0;
	c->head[0] = '\0';
	scelle_result_free(c->verification);
	c->verification = NULL;
	if (!c->keys->key) {
		scerr_set(&c->err, SCELLE_E_USAGE, "no signing key given");
		return rc;
	}
	if (!type || !valid_type(type)) {
		scerr_set(&c->err, SCELLE_E_USAGE, "unknown event '%s' (transferred, received, opened, examined, copied, returned, destroyed or other:LABEL)",
		    type ? type : "");
		return rc;
	}
	cn = cert_name_field(c->keys->cert, NID_commonName);
	org = cert_name_field(c->keys->cert, NID_organizationName);
	co = cert_name_field(c->keys->cert, NID_countryName);
	d.type = type;
	d.actor = first(c->field[0], cn);
	d.role = c->field[1];
	d.organisation = first(c->field[2], org);
	d.country = first(c->field[3], co);
	d.place = c->field[4];
	d.from = c->field[5];
	d.to = c->field[6];
	d.note = c->field[7];
	cert_sha256(c->keys->cert, d.certificate);
	if (!d.actor) {
		scerr_set(&c->err, SCELLE_E_USAGE, "the certificate names nobody: give the actor's name (--actor)");
		goto out;
	}
	char why[64];
	if (text_check(d.actor, 0, why, sizeof(why)) || text_check(d.organisation, 0, why, sizeof(why))) {
		scerr_set(&c->err, SCELLE_E_USAGE, "the certificate's name: %s (give --actor and --org)", why);
		goto out;
	}
	if (!valid_country(d.country)) {
		scerr_set(&c->err, SCELLE_E_USAGE, "no valid country for the actor (--country, ISO 3166 alpha-2)");
		goto out;
	}
	if (!(path = c->ledger ? xstrdup(c->ledger) : ledger_path_for(archive)) || !(copy = xstrdup(archive))) {
		scerr_set(&c->err, rc = SCELLE_E_NOMEM, "out of memory");
		goto out;
	}
	d.archive_name = basename(copy);
	if (strcmp(type, "received") == 0) {
		/* The receiver's own verdict, from a full verification before anything is written. */
		if (!c->verifier) {
			scerr_set(&c->err, SCELLE_E_USAGE, "a 'received' record needs a verifier");
			goto out;
		}
		if (!(c->verification = scelle_verify(c->verifier, archive))) {
			c->err = c->verifier->err;	/* cannot be read, or no memory */
			rc = c->err.code ? c->err.code : SCELLE_E_NOMEM;
			goto out;
		}
		d.verification = scelle_verdict_name(scelle_result_verdict(c->verification));
	}
	saved = utf8_names_begin();
	rc = archive_seal_id(archive, seal_id, &c->err);
	utf8_names_end(saved);
	if (rc)
		goto out;
	int afd = open_input(archive, 0, NULL, &c->err);
	if (afd < 0) {
		rc = c->err.code;
		goto out;
	}
	rc = hash_file_fd(afd, file_digest, &c->err);
	close(afd);
	if (rc)
		goto out;
	d.seal_id = seal_id;
	d.file_digest = file_digest;
	if ((fd = lock_ledger(path, &c->err)) < 0) {
		rc = c->err.code;
		goto out;
	}
	rc = append_locked(c, fd, path, &d);
	close(fd);	/* releases the lock */
out:
	free(path);
	free(copy);
	free(cn);
	free(org);
	free(co);
	return rc;
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
	xmlNodePtr arch = child(child(first, "event"), "archive");
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
