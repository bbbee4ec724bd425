/* verify_etsi.c — a container that is not a scelle archive (no evidence.xml), verified as
 * an ETSI ASiC container (EN 319 162-1 ASiC-E, EN 319 162-2 ASiC-S) with CAdES or XAdES
 * signatures and time-stamps: FORMAT.md, "Foreign containers".  The verdict is the ETSI
 * one; what is not read is said so, never reported as a missing or unsigned file.
 *
 * Each META-INF/ *.p7s is verified over the ASiCManifest whose SigReference names it (not
 * by its name), or in ASiC-S over the one data object; each manifest's references are
 * hashed from the bytes the central directory points at (zip_rd).  Each XAdES
 * META-INF/ *signatures*.xml is verified by xades_verify.c, as scelle's own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/evp.h>
#include "crypto.h"
#include "container.h"
#include "result.h"
#include "evidence.h"
#include "verify_ctx.h"
#include "ledger.h"

#define NS_ASIC SCELLE_NS_ASIC
#define NS_DSIG SCELLE_NS_DSIG
#define MAX_ALGS 4

enum kind {
	K_DATA, K_MIMETYPE, K_DIR, K_CADES, K_XADES, K_MANIFEST, K_ARCHIVE, K_TST, K_KNOWN, K_OTHER
};

struct eref {
	struct entry *e;
	const char *alg;
	size_t mdlen;
	unsigned char md[64];
};

struct emanifest {
	struct entry *e;
	struct buf b;
	int archive;		/* an ASiCArchiveManifest */
	int ok;			/* parsed, one SigReference, every reference resolved */
	int active;		/* its signature or time-stamp verified it (its references count) */
	struct entry *sig;	/* what its SigReference names, NULL: not in the container */
	struct eref *refs;
	size_t nrefs;
};

struct edigest {		/* the digests one entry must be compared with */
	const char *alg[MAX_ALGS];
	size_t nalg;
	unsigned mdlen[MAX_ALGS];
	unsigned char md[MAX_ALGS][EVP_MAX_MD_SIZE];
	int state;		/* 0 not needed, 1 needed, 2 computed, -1 unreadable */
};

struct etsi {
	struct vctx *c;
	enum kind *kind;	/* by entry position in c->entries */
	char *covered;
	struct emanifest *m;
	size_t nm;
	size_t ndata, ncades, nxades, ntst;
	size_t checked;		/* signatures and time-stamps verified (whatever their verdict) */
	struct entry *data1;	/* the first data object (ASiC-S) */
};

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* EN 319 162-1 §4.4 and EN 319 162-2 §4.3: the names ETSI gives the files of META-INF. */
static enum kind kind_of(const struct entry *e)
{
	const char *n = e->name, *b = n + 9;
	if (e->z->not_file == 3)
		return K_DIR;
	if (strcmp(n, "mimetype") == 0)
		return K_MIMETYPE;
	if (strncmp(n, "META-INF/", 9) != 0)
		return K_DATA;
	if (strchr(b, '/'))
		return K_OTHER;
	if (ends_with(b, ".p7s"))
		return K_CADES;
	if (strstr(b, "signatures") && ends_with(b, ".xml"))
		return K_XADES;
	if (strncmp(b, "ASiCArchiveManifest", 19) == 0 && ends_with(b, ".xml"))
		return K_ARCHIVE;
	if (strncmp(b, "ASiCManifest", 12) == 0 && ends_with(b, ".xml"))
		return K_MANIFEST;
	if (ends_with(b, ".tst"))
		return K_TST;
	if (strcmp(b, "manifest.xml") == 0 || strcmp(b, "container.xml") == 0 ||
	    strcmp(b, "metadata.xml") == 0 || ends_with(b, ".ers") ||
	    (strstr(b, "evidencerecord") && ends_with(b, ".xml")))
		return K_KNOWN;
	return K_OTHER;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

/* c->entries are sorted by name (verify.c, pass_list) */
static struct entry *find(struct vctx *c, const char *name)
{
	struct entry key = { .name = name };
	return c->nentries ? bsearch(&key, c->entries, c->nentries, sizeof(key), by_name) : NULL;
}

static size_t pos(const struct etsi *E, const struct entry *e)
{
	return (size_t)(e - E->c->entries);
}

/* A small META-INF document into b: 0, or -1 said why. */
static int load(struct vctx *c, const struct entry *e, struct buf *b, size_t cap)
{
	char why[200];
	int rr = read_small(c, e->z, b, cap, why, sizeof(why));
	if (rr == -2)
		result_check(c->r, "container.limits", SCELLE_INDETERMINATE, "FORMAT_FAILURE", e->name,
		    "'%s' is larger than %zu MiB: not supported by this verifier", e->name, cap >> 20);
	else if (rr)
		result_check(c->r, "container.zip", SCELLE_FAILED, "FORMAT_FAILURE", e->name,
		    "'%s' cannot be read: %s", e->name, why);
	return rr ? -1 : 0;
}

static int is_el(xmlNodePtr n, const char *ns, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && n->ns && strcmp((const char *)n->ns->href, ns) == 0 &&
	    strcmp((const char *)n->name, name) == 0;
}

static int b64(const char *in, unsigned char *out, size_t *outlen)
{
	unsigned char tmp[100];
	size_t n = 0;
	char s[132];
	for (; *in && n < sizeof(s) - 1; in++)	/* XML may wrap it */
		if (*in != ' ' && *in != '\n' && *in != '\r' && *in != '\t')
			s[n++] = *in;
	if (*in || n == 0 || n % 4 || n > 128)
		return -1;
	s[n] = '\0';
	int len = EVP_DecodeBlock(tmp, (const unsigned char *)s, (int)n);
	size_t pad = (s[n - 1] == '=') + (s[n - 2] == '=');
	if (len < 0 || (size_t)len - pad > 64)
		return -1;
	memcpy(out, tmp, (size_t)len - pad);
	*outlen = (size_t)len - pad;
	return 0;
}

/* One DataObjectReference of manifest m: -1 when it cannot be followed. */
static int reference(struct etsi *E, struct emanifest *m, xmlNodePtr n)
{
	struct vctx *c = E->c;
	xmlNodePtr dm = NULL, dv = NULL;
	for (xmlNodePtr k = n->children; k; k = k->next) {
		if (is_el(k, NS_DSIG, "DigestMethod"))
			dm = k;
		else if (is_el(k, NS_DSIG, "DigestValue"))
			dv = k;
	}
	char *uri = (char *)xmlGetNoNsProp(n, BAD_CAST "URI"), *name = NULL;
	char *alg = dm ? (char *)xmlGetNoNsProp(dm, BAD_CAST "Algorithm") : NULL;
	char *val = dv ? (char *)xmlNodeGetContent(dv) : NULL;
	struct eref r = { 0 };
	const char *why = NULL;
	int missing = 0;
	if (!uri || uri_unescape(uri, &name))
		why = "a DataObjectReference has no valid URI";
	else if (strcmp(name, EVIDENCE_XML) == 0) {
		/* a scelle archive whose evidence.xml was removed (zip_check, judge_profile) */
		result_check(c->r, "container.kind", SCELLE_FAILED, "FORMAT_FAILURE", m->e->name,
		    "not a scelle archive: no evidence manifest, yet the signed manifest '%s' "
		    "references %s: the evidence manifest was removed from a scelle archive",
		    m->e->name, EVIDENCE_XML);
		why = "";
	} else if (!(r.e = find(c, name)))
		why = "is not in the container", missing = 1;
	else if (!alg || !(r.alg = digest_from_uri(alg)))
		why = "has an unknown digest algorithm";
	else if (!val || b64(val, r.md, &r.mdlen))
		why = "has a digest value that is not valid base64";
	else {
		struct eref *p = realloc(m->refs, (m->nrefs + 1) * sizeof(*p));
		if (!p)
			why = "out of memory";
		else
			(m->refs = p)[m->nrefs++] = r;
	}
	if (why && *why)
		result_check(c->r, "manifest.references", missing ? SCELLE_INDETERMINATE : SCELLE_FAILED,
		    missing ? "SIGNED_DATA_NOT_FOUND" : "FORMAT_FAILURE", m->e->name,
		    "'%s' references '%s', which %s", m->e->name, name ? name : (uri ? uri : "?"), why);
	xmlFree(uri);
	xmlFree(alg);
	xmlFree(val);
	free(name);
	return why ? -1 : 0;
}

/* EN 319 162-1 §A.4: one SigReference (what signs or time-stamps this manifest), and the
 * DataObjectReferences.  An ASiCArchiveManifest has the same form (§A.6). */
static void parse_manifest(struct etsi *E, struct emanifest *m)
{
	struct vctx *c = E->c;
	const char *name = m->e->name;
	xmlDocPtr doc = NULL;
	xmlNodePtr root;
	int sigrefs = 0, bad = 0;
	if (load(c, m->e, &m->b, MAX_XML_BYTES))
		return;
	/* No DTD at all: no entity can be declared, expanded or fetched (as verify.c). */
	if (!memmem(m->b.data, m->b.len, "<!DOCTYPE", 9))
		doc = xmlReadMemory((const char *)m->b.data, (int)m->b.len, name, NULL,
		    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	root = doc && !doc->intSubset ? xmlDocGetRootElement(doc) : NULL;
	if (!is_el(root, NS_ASIC, "ASiCManifest")) {
		result_check(c->r, "manifest.parse", SCELLE_FAILED, "FORMAT_FAILURE", name,
		    "'%s' is not well-formed XML without DTD with an ASiCManifest root in namespace %s",
		    name, NS_ASIC);
		xmlFreeDoc(doc);
		return;
	}
	for (xmlNodePtr n = root->children; n; n = n->next) {
		if (is_el(n, NS_ASIC, "SigReference")) {
			char *uri = (char *)xmlGetNoNsProp(n, BAD_CAST "URI"), *target = NULL;
			if (++sigrefs == 1 && uri && uri_unescape(uri, &target) == 0)
				m->sig = find(c, target);
			if (sigrefs == 1 && !m->sig) {
				result_check(c->r, "manifest.references", SCELLE_FAILED, "FORMAT_FAILURE", name,
				    "the SigReference of '%s' names '%s', which is not in the container",
				    name, target ? target : (uri ? uri : ""));
				bad = 1;
			}
			free(target);
			xmlFree(uri);
		} else if (is_el(n, NS_ASIC, "DataObjectReference"))
			bad |= reference(E, m, n) != 0;
	}
	xmlFreeDoc(doc);
	if (sigrefs != 1) {
		result_check(c->r, "manifest.parse", SCELLE_FAILED, "FORMAT_FAILURE", name,
		    "'%s' has %d SigReference elements (exactly one is required)", name, sigrefs);
		m->sig = NULL;
		bad = 1;
	}
	m->ok = !bad;
	if (m->ok)
		result_check(c->r, "manifest.parse", SCELLE_PASSED, NULL, name,
		    "'%s': SigReference '%s', %zu references resolved", name, m->sig->name, m->nrefs);
}

/* An RFC 3161 token (entry tst) over data[0..n): EN 319 162-1 §4.4.3 (ASiC-E, over an
 * ASiCManifest), EN 319 162-2 §4.3.2 (ASiC-S, over the data object). */
static int check_token(struct vctx *c, const struct entry *tst, const struct buf *data,
    const char *over)
{
	struct buf tok = { 0 };
	struct tsa_token_info info;
	struct scerr e = { 0 };
	char when[32];
	if (load(c, tst, &tok, MAX_SIG_BYTES))
		return -1;
	tsa_token_check(tok.data, tok.len, data->data, data->len, c->v->tsa_trust, &info, &e);
	buf_release(&tok);
	time_rfc3339(info.gen_time, when, sizeof(when));
	if (info.status != SCELLE_PASSED) {
		result_check(c->r, "timestamp.token", info.status, info.subindication, tst->name,
		    "'%s' over '%s': %s", tst->name, over, info.reason);
		return info.status == SCELLE_FAILED ? -1 : 1;
	}
	result_check(c->r, "timestamp.token", SCELLE_PASSED, NULL, tst->name,
	    "'%s' over '%s' by '%s' at %s", tst->name, over, info.tsa_name, when);
	return 0;
}

/* A container may hold several signatures: each message of verify_sig.c's checks from
 * `from` on is prefixed with the name of the one it is about. */
static void name_checks(struct vctx *c, size_t from, const char *name)
{
	for (size_t i = from; i < c->r->nchecks; i++) {
		struct scelle_check *k = &c->r->checks[i];
		size_t n = strlen(name) + strlen(k->message) + 5;
		char *m = malloc(n);
		if (!m)
			continue;
		snprintf(m, n, "'%s': %s", name, k->message);
		free((char *)k->message);
		k->message = m;
	}
}

/* One CAdES signature over content (EN 319 122-1), by verify_sig.c's checks, each naming
 * this signature. */
static void check_cades(struct vctx *c, const struct entry *sig, struct buf *content)
{
	struct doc saved_sig = c->signature, saved_man = c->manifest;
	c->signature = (struct doc){ .seen = 1 };
	if (load(c, sig, &c->signature.b, MAX_SIG_BYTES) == 0) {
		c->manifest = (struct doc){ .b = *content, .seen = 1 };
		c->sig_name = sig->name;
		c->signing_time = c->poe_time = 0;
		size_t from = c->r->nchecks;
		verify_signature(c);
		name_checks(c, from, sig->name);
	}
	buf_release(&c->signature.b);
	c->signature = saved_sig;
	c->manifest = saved_man;
	c->sig_name = ASIC_SIGNATURE;
}

/* One XAdES signature (EN 319 132-1, META-INF/ *signatures*.xml) by the checks of
 * scelle's own XAdES archives (xades_verify.c), each message naming it.  Its data
 * references are detached, to container entries by name: the files they resolve to are
 * covered, and libxmlsec1 has compared their digests (a difference fails there). */
static void check_xades(struct etsi *E, size_t i)
{
	struct vctx *c = E->c;
	const struct entry *sig = &c->entries[i];
	struct buf xml = { 0 };
	E->covered[i] = 1;
	E->checked++;
	if (load(c, sig, &xml, MAX_SIG_BYTES) == 0) {
		size_t from = c->r->nchecks;
		c->sig_name = sig->name;
		c->signing_time = c->poe_time = 0;
		int resolved = verify_xades(c, sig->name, &xml, 1) == 0;
		name_checks(c, from, sig->name);
		c->sig_name = ASIC_SIGNATURE;
		/* the references are this signature's: the next one starts from none */
		for (size_t k = 0; k < c->nentries; k++)
			if (c->entries[k].ref) {
				E->covered[k] |= resolved;
				free(c->entries[k].ref);
				c->entries[k].ref = NULL;
			}
	}
	buf_release(&xml);
}

/* Every entry a verified manifest references, streamed once through each algorithm it is
 * referenced with, then compared with every reference. */
static void check_digests(struct etsi *E)
{
	struct vctx *c = E->c;
	size_t refs = 0;
	for (size_t i = 0; i < E->nm; i++)
		refs += E->m[i].active ? E->m[i].nrefs : 0;
	if (!refs)	/* nothing to hash: no table of ~300 bytes an entry (1M entries: 300 MB) */
		return;
	struct edigest *d = c->nentries ? xcalloc(c->nentries, sizeof(*d)) : NULL;
	size_t nref = 0, bad = 0, weak = 0;
	const char *weak_alg = NULL;
	unsigned char *buf = malloc(1u << 16);
	if (!d || !buf) {
		result_check(c->r, "manifest.digest", SCELLE_FAILED, "HASH_FAILURE", NULL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < E->nm; i++)
		for (size_t k = 0; E->m[i].active && k < E->m[i].nrefs; k++) {
			struct eref *r = &E->m[i].refs[k];
			struct edigest *x = &d[pos(E, r->e)];
			size_t a = 0;
			while (a < x->nalg && strcmp(x->alg[a], r->alg) != 0)
				a++;
			if (a == x->nalg && a < MAX_ALGS)
				x->alg[x->nalg++] = r->alg;
			x->state = 1;
		}
	for (size_t i = 0; i < c->nentries; i++) {
		struct edigest *x = &d[i];
		EVP_MD_CTX *ctx[MAX_ALGS] = { 0 };
		struct zip_rd *rd = x->state == 1 ? zip_rd_open(c->fd, c->entries[i].z) : NULL;
		ssize_t n = -1;
		if (x->state != 1)
			continue;
		for (size_t a = 0; a < x->nalg; a++)
			if ((ctx[a] = EVP_MD_CTX_new()))
				EVP_DigestInit_ex(ctx[a], EVP_get_digestbyname(x->alg[a]), NULL);
		while (rd && (n = zip_rd_read(rd, buf, 1u << 16)) > 0)
			for (size_t a = 0; a < x->nalg; a++)
				EVP_DigestUpdate(ctx[a], buf, (size_t)n);
		for (size_t a = 0; a < x->nalg; a++) {
			if (!ctx[a] || !EVP_DigestFinal_ex(ctx[a], x->md[a], &x->mdlen[a]))
				n = -1;
			EVP_MD_CTX_free(ctx[a]);
		}
		x->state = n == 0 ? 2 : -1;
		if (n) {
			result_check(c->r, "container.zip", SCELLE_FAILED, "FORMAT_FAILURE", c->entries[i].name,
			    "'%s' cannot be read: %s", c->entries[i].name, rd ? zip_rd_error(rd) : "out of memory");
			bad++;
		}
		zip_rd_close(rd);
	}
	for (size_t i = 0; i < E->nm; i++)
		for (size_t k = 0; E->m[i].active && k < E->m[i].nrefs; k++) {
			struct eref *r = &E->m[i].refs[k];
			struct edigest *x = &d[pos(E, r->e)];
			const EVP_MD *md = EVP_get_digestbyname(r->alg);
			size_t a = 0;
			nref++;
			E->covered[pos(E, r->e)] = 1;	/* signed: a mismatch fails, below */
			while (a < x->nalg && strcmp(x->alg[a], r->alg) != 0)
				a++;
			if (x->state != 2 || a == x->nalg)
				continue;	/* unreadable: said above */
			if (x->mdlen[a] != r->mdlen || CRYPTO_memcmp(x->md[a], r->md, r->mdlen) != 0) {
				result_check(c->r, "manifest.digest", SCELLE_FAILED, "HASH_FAILURE", r->e->name,
				    "'%s': %s differs from '%s'", r->e->name, r->alg, E->m[i].e->name);
				bad++;
			} else if (!md || weak_digest(EVP_MD_get_type(md))) {
				weak_alg = r->alg;
				weak++;
			}
		}
	/* FORMAT.md §4: MD5 and SHA-1 bind nothing a forger cannot match */
	if (weak)
		result_check(c->r, "manifest.algorithm", SCELLE_INDETERMINATE,
		    "CRYPTO_CONSTRAINTS_FAILURE_NO_POE", NULL, "%zu reference%s made with %s, which "
		    "ETSI TS 119 312 no longer accepts", weak, weak == 1 ? " is" : "s are", weak_alg);
	if (!bad && nref)
		result_check(c->r, "manifest.digest", SCELLE_PASSED, NULL, NULL,
		    "%zu references of the signed manifests match their files", nref);
out:
	free(buf);
	free(d);
}

/* ASiC-S (EN 319 162-2 §4.3): one data object, signed by META-INF/signature.p7s (detached)
 * or time-stamped by META-INF/timestamp.tst. */
static void verify_asic_s(struct etsi *E)
{
	struct vctx *c = E->c;
	struct buf data = { 0 };
	if (E->ndata != 1) {
		result_check(c->r, "container.coverage", SCELLE_FAILED, "FORMAT_FAILURE", NULL,
		    "an ASiC-S container holds exactly one data object; this one holds %zu", E->ndata);
		return;
	}
	if (load(c, E->data1, &data, MAX_XML_BYTES))
		return;
	for (size_t i = 0; i < c->nentries; i++) {
		const struct entry *e = &c->entries[i];
		if (E->kind[i] == K_CADES && strcmp(e->name, "META-INF/signature.p7s") == 0)
			check_cades(c, e, &data);
		else if (E->kind[i] == K_TST && strcmp(e->name, "META-INF/timestamp.tst") == 0)
			check_token(c, e, &data, E->data1->name);
		else if (E->kind[i] == K_XADES && strcmp(e->name, "META-INF/signatures.xml") == 0) {
			check_xades(E, i);	/* covers what its reference resolves to */
			continue;
		} else
			continue;	/* other names are not read in ASiC-S: coverage names them */
		E->checked++;
		E->covered[pos(E, E->data1)] = 1;
		E->covered[i] = 1;
	}
	buf_release(&data);
}

/* An ASiCArchiveManifest (EN 319 162-1 §A.6, the LTA form): checked when it is simple,
 * a time-stamp token over it whose references all resolve; else said to be unchecked. */
static void archive_manifest(struct etsi *E, struct emanifest *m)
{
	struct vctx *c = E->c;
	if (!m->ok || !m->sig || E->kind[pos(E, m->sig)] != K_TST) {
		result_check(c->r, "manifest.archive", SCELLE_PASSED, NULL, m->e->name,
		    "'%s' is an archive manifest of a form this verifier does not check "
		    "(not checked: its time-stamp adds no proof to this verdict)", m->e->name);
		c->r->checks[c->r->nchecks - 1].warning = 1;
		return;
	}
	if (check_token(c, m->sig, &m->b, m->e->name) <= 0) {
		m->active = 1;
		E->covered[pos(E, m->sig)] = 1;
	}
}

static const char *const kind_words[] = {
	[K_CADES] = "CAdES signature", [K_TST] = "time-stamp token",
	[K_MANIFEST] = "ASiCManifest", [K_ARCHIVE] = "archive manifest",
};

void verify_etsi(struct vctx *c, const char *archive)
{
	struct etsi E = { .c = c };
	size_t ndir = 0, uncovered = 0;
	int have_signature = 0;
	char *ledger = c->v->ledger ? xstrdup(c->v->ledger) : ledger_path_for(archive);

	result_check(c->r, "container.kind", SCELLE_PASSED, NULL, NULL,
	    "not a scelle archive: no evidence manifest (%s); verified as an ETSI %s container "
	    "made by another tool: its signatures and the files they cover are checked, there is "
	    "no case, item or custody data", EVIDENCE_XML, c->asic_s ? "ASiC-S" : "ASiC-E");
	c->r->checks[c->r->nchecks - 1].warning = 1;
	/* Deleting evidence.xml must not turn a scelle archive into a laxer ETSI container:
	 * its custody ledger still names it (FORMAT.md, "Foreign containers"). */
	if (ledger && access(ledger, F_OK) == 0)
		result_check(c->r, "container.kind", SCELLE_FAILED, "FORMAT_FAILURE", ledger,
		    "not a scelle archive: no evidence manifest, yet the custody ledger '%s' belongs "
		    "to it: the evidence manifest was removed from a scelle archive", ledger);
	free(ledger);
	if (!(E.kind = xcalloc(c->nentries + 1, sizeof(*E.kind))) ||
	    !(E.covered = xcalloc(c->nentries + 1, 1))) {
		result_check(c->r, "container.zip", SCELLE_FAILED, "FORMAT_FAILURE", NULL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < c->nentries; i++) {
		enum kind k = E.kind[i] = kind_of(&c->entries[i]);
		ndir += k == K_DIR;
		E.ncades += k == K_CADES;
		E.nxades += k == K_XADES;
		E.ntst += k == K_TST;
		if (k == K_DATA && !E.ndata++)
			E.data1 = &c->entries[i];
		if ((k == K_MANIFEST || k == K_ARCHIVE) && !c->asic_s) {
			struct emanifest *p = realloc(E.m, (E.nm + 1) * sizeof(*p));
			if (!p)
				continue;
			E.m = p;
			E.m[E.nm++] = (struct emanifest){ .e = &c->entries[i], .archive = k == K_ARCHIVE };
		}
	}
	if (ndir) {
		result_check(c->r, "container.names", SCELLE_PASSED, NULL, NULL,
		    "%zu directory entr%s (a name ending in '/', no data): tolerated in a foreign "
		    "container, not data objects", ndir, ndir == 1 ? "y" : "ies");
		c->r->checks[c->r->nchecks - 1].warning = 1;
	}
	/* ASiC-S by its mimetype, or, without one, by having no manifest and one data object */
	if (!c->asic_s && !E.nm && E.ndata == 1 && (find(c, "META-INF/signature.p7s") ||
	    find(c, "META-INF/timestamp.tst")) && !find(c, "mimetype"))
		c->asic_s = 1;
	if (!E.ncades && !E.nxades && !E.ntst)
		result_check(c->r, "signature.format", SCELLE_FAILED, "FORMAT_FAILURE", NULL,
		    "no signature and no time-stamp: nothing in this container is signed");
	else
		have_signature = 1;
	if (c->asic_s)
		verify_asic_s(&E);
	for (size_t i = 0; i < E.nm; i++)
		parse_manifest(&E, &E.m[i]);
	/* ASiC-E: each signature or time-stamp over the manifest whose SigReference names it */
	for (size_t i = 0; !c->asic_s && i < c->nentries; i++) {
		const struct entry *s = &c->entries[i];
		struct emanifest *m = NULL;
		size_t refs = 0;
		if (E.kind[i] == K_XADES) {
			check_xades(&E, i);
			continue;
		}
		if (E.kind[i] != K_CADES && E.kind[i] != K_TST)
			continue;
		for (size_t k = 0; k < E.nm; k++)
			if (E.m[k].sig == s && !E.m[k].archive && refs++ == 0)
				m = &E.m[k];
		if (refs > 1) {
			result_check(c->r, "manifest.references", SCELLE_FAILED, "FORMAT_FAILURE", s->name,
			    "%zu manifests name '%s' in their SigReference (one may)", refs, s->name);
			continue;
		}
		if (!m) {
			int archived = 0;
			for (size_t k = 0; k < E.nm; k++)
				archived |= E.m[k].sig == s && E.m[k].archive;
			if (!archived && E.kind[i] == K_TST) {
				result_check(c->r, "timestamp.token", SCELLE_PASSED, NULL, s->name,
				    "no ASiCManifest names the time-stamp token '%s': not checked", s->name);
				c->r->checks[c->r->nchecks - 1].warning = 1;
			} else if (!archived)
				result_check(c->r, "manifest.references", SCELLE_INDETERMINATE,
				    "SIGNED_DATA_NOT_FOUND", s->name, "no ASiCManifest names the %s '%s' in "
				    "its SigReference: what it covers cannot be found", kind_words[E.kind[i]],
				    s->name);
			continue;
		}
		if (!m->ok)
			continue;	/* said when parsed */
		E.covered[i] = E.covered[pos(&E, m->e)] = 1;
		m->active = 1;
		E.checked++;
		if (E.kind[i] == K_CADES)
			check_cades(c, s, &m->b);
		else if (check_token(c, s, &m->b, m->e->name) < 0)
			m->active = 0;
	}
	for (size_t i = 0; i < E.nm; i++)
		if (E.m[i].archive)
			archive_manifest(&E, &E.m[i]);
	check_digests(&E);
	/* doc/design.md §7, fail closed: a container none of whose signatures or time-stamps could
	 * be checked proves nothing, whatever else passed. */
	if (have_signature && !E.checked)
		result_check(c->r, "signature.format", SCELLE_INDETERMINATE, "SIGNED_DATA_NOT_FOUND", NULL,
		    "none of the signatures or time-stamps of this container could be checked");
	/* EN 319 162-1 allows files no signature covers: they are named, as a warning. */
	for (size_t i = 0; i < c->nentries; i++) {
		const char *n = c->entries[i].name;
		if (E.covered[i] || (E.kind[i] != K_DATA && E.kind[i] != K_OTHER))
			continue;
		/* named up to the report's cap, like failures (result.h), then counted */
		if (uncovered++ >= MAX_SAME_FAILURES)
			continue;
		result_check(c->r, "container.coverage", SCELLE_PASSED, NULL, n,
		    "'%s' is not covered by any signature", n);
		c->r->checks[c->r->nchecks - 1].warning = 1;
	}
	if (uncovered > MAX_SAME_FAILURES) {
		result_check(c->r, "container.coverage", SCELLE_PASSED, NULL, NULL, "and %zu more files "
		    "not covered by any signature, not listed (a report lists the first %d)",
		    uncovered - MAX_SAME_FAILURES, MAX_SAME_FAILURES);
		c->r->checks[c->r->nchecks - 1].warning = 1;
	}
	if (!uncovered)
		result_check(c->r, "container.coverage", SCELLE_PASSED, NULL, NULL,
		    "every data object is covered by a signature or time-stamp");
out:
	for (size_t i = 0; i < E.nm; i++) {
		buf_release(&E.m[i].b);
		free(E.m[i].refs);
	}
	free(E.m);
	free(E.kind);
	free(E.covered);
}
