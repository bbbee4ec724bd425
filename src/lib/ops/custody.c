/* custody.c — `custody add`: a record appended to the ledger beside an archive
 * (ledger.c holds the ledger itself), by its actor, after the archive was verified.  The
 * archive itself is never touched. */
#include <errno.h>
#include <fcntl.h>
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
#include "ledger.h"
#include "verifier.h"
#include "crypto.h"
#include "xades.h"

/* ------------------------------------------------------- appending records ---- */

struct scelle_custody {
	struct scerr err;
	struct signer sg;		/* who signs the record (signer.c, as the sealer) */
	struct tsa_access tsa_access;	/* how to reach the TSA */
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
	if (c && signer_init(&c->sg)) {
		free(c);
		return NULL;
	}
	return c;
}

void scelle_custody_free(struct scelle_custody *c)
{
	if (!c)
		return;
	signer_clear(&c->sg);
	tsa_access_clear(&c->tsa_access);
	for (size_t i = 0; i < 8; i++)
		free(c->field[i]);
	free(c->tsa);
	free(c->tsa_policy);
	free(c->ledger);
	free(c->ledger_head);
	scelle_result_free(c->verification);
	free(c);
}

const char *scelle_custody_errhint(const struct scelle_custody *c)
{
	return c->err.hint;
}

const char *scelle_custody_errmsg(const struct scelle_custody *c)
{
	return c ? c->err.msg : "out of memory";
}

void scelle_custody_set_pass_cb(struct scelle_custody *c, scelle_pass_cb cb, void *arg)
{
	c->sg.pass_cb = cb;
	c->sg.pass_arg = arg;
}

int scelle_custody_set_signer(struct scelle_custody *c, const char *key, const char *cert)
{
	scerr_clear(&c->err);
	return signer_set_key(&c->sg, key, cert, &c->err);
}

int scelle_custody_add_chain(struct scelle_custody *c, const char *chain_file)
{
	scerr_clear(&c->err);
	return signer_add_chain(&c->sg, chain_file, &c->err);
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
	scerr_clear(&c->err);
	return tsa_access_set(&c->tsa_access, ca_file, auth, cert_file, key_file, &c->err) ?
	    c->err.code : SCELLE_OK;
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

/* The seal identifier (doc/design.md §2): SHA-256 of META-INF/ASiCManifest001.xml; for a XAdES
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
	struct record_signer rs = { c->sg.key, c->sg.cert, c->sg.chain, &c->tsa, c->tsa ? 1 : 0,
		{ c->tsa_policy, c->tsa_timeout, &c->tsa_access }, c->tsa_optional };
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
	xmlNodePtr ev = ledger_child(last, "event"), arch = ledger_child(ev, "archive"), tn = ledger_child(ev, "time");
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
			    (rc = ledger_dump(doc, &out, &c->err)) == SCELLE_OK &&
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
	if (!c->sg.key) {
		scerr_set(&c->err, SCELLE_E_USAGE, "no signing key given");
		return rc;
	}
	if (!type || !valid_type(type)) {
		scerr_set(&c->err, SCELLE_E_USAGE, "unknown event '%s' (transferred, received, opened, examined, copied, returned, destroyed or other:LABEL)",
		    type ? type : "");
		return rc;
	}
	cn = cert_name_field(c->sg.cert, NID_commonName);
	org = cert_name_field(c->sg.cert, NID_organizationName);
	co = cert_name_field(c->sg.cert, NID_countryName);
	d.type = type;
	d.actor = nonempty_or(c->field[0], cn);
	d.role = c->field[1];
	d.organisation = nonempty_or(c->field[2], org);
	d.country = nonempty_or(c->field[3], co);
	d.place = c->field[4];
	d.from = c->field[5];
	d.to = c->field[6];
	d.note = c->field[7];
	cert_sha256(c->sg.cert, d.certificate);
	if (!d.actor) {
		scerr_set(&c->err, SCELLE_E_USAGE, "the certificate names nobody: the actor's name is needed");
		c->err.hint = "name-actor";
		goto out;
	}
	char why[64];
	if (text_check(d.actor, 0, why, sizeof(why)) || text_check(d.organisation, 0, why, sizeof(why))) {
		scerr_set(&c->err, SCELLE_E_USAGE, "the certificate's name: %s; the actor's name and organisation are needed", why);
		c->err.hint = "name-actor";
		goto out;
	}
	if (!valid_country(d.country)) {
		scerr_set(&c->err, SCELLE_E_USAGE, "no valid country for the actor (ISO 3166 alpha-2)");
		c->err.hint = "name-country";
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
