/* volume_verify.c — the verdict on volumes (formats/FORMAT.md §13): what evidence.xml's
 * <volume> and the last volume's set manifest volumes.xml say, and the verdict on a set
 * of volumes given together (complete, no foreign volume). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>
#include <openssl/sha.h>
#include "evidence.h"
#include "verify_ctx.h"

#define MAX_VOLUMES 99999u
/* ------------------------------------------------------------ verifying ---- */

/* evidence.xml <volume> (the first one): the facts volume_set, volume_index, volume_count,
 * judged by verify_volume. */
void volume_read(struct scelle_result *r, struct _xmlNode *n)
{
	static const struct { enum fact f; const char *name; } a[] = {
		{ F_VOLUME_SET, "set" }, { F_VOLUME_INDEX, "index" }, { F_VOLUME_COUNT, "count" } };
	if (r->facts[F_VOLUME_SET] || r->facts[F_VOLUME_INDEX] || r->facts[F_VOLUME_COUNT]) {
		result_fact(r, F_VOLUME_SET, "");	/* a second one: refused by verify_volume */
		return;
	}
	for (size_t i = 0; i < sizeof(a) / sizeof(a[0]); i++) {
		xmlChar *v = xmlGetNoNsProp(n, BAD_CAST a[i].name);
		result_fact(r, a[i].f, v ? (const char *)v : "");
		xmlFree(v);
	}
}

/* A decimal number from 1 to max, or 0. */
static unsigned long number(const char *s, unsigned long max)
{
	unsigned long v = 0;
	if (!s || !*s || *s == '0' || strspn(s, "0123456789") != strlen(s) || strlen(s) > 9)
		return 0;
	v = strtoul(s, NULL, 10);
	return v <= max ? v : 0;
}

/* A set identifier: a UUID in lower-case hex (FORMAT.md §13). */
static int set_id_ok(const char *s)
{
	if (!s || strlen(s) != 36)
		return 0;
	for (size_t i = 0; i < 36; i++)
		if (i == 8 || i == 13 || i == 18 || i == 23 ? s[i] != '-' : !strchr("0123456789abcdef", s[i]))
			return 0;
	return 1;
}

static int hex64_ok(const char *s)
{
	return s && strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

#define MAX_SET_XML (16u << 20)

/* volumes.xml of the last volume: its set and count those of evidence.xml, one <volume>
 * for each index, the seal identifier and file digest of every one but the last.  Returns
 * the reason it is refused, or NULL (the listing is then in c->r->volumes). */
static const char *set_manifest(struct vctx *c, const struct entry *e, const char *set,
    unsigned long count)
{
	struct doc d = { { 0 }, 0, 0 };
	char why[200];
	const char *bad = NULL;
	xmlDocPtr doc = NULL;
	unsigned char *seen = calloc(count + 1, 1);
	if (!seen)
		return L_("out of memory");
	int rr = read_small(c, e->z, &d.b, MAX_SET_XML, why, sizeof(why));
	d.seen = rr == 0;
	if (rr)
		bad = rr == -2 ? L_("larger than 16 MiB") : L_("it cannot be read");
	else if (memmem(d.b.data, d.b.len, "<!DOCTYPE", 9) || !well_formed(&d) ||
	    !(doc = xmlReadMemory((const char *)d.b.data, (int)d.b.len, VOLUME_SET_XML, NULL,
	    XML_OPTIONS | XML_PARSE_NOBLANKS)) || doc->intSubset)
		bad = L_("not well-formed XML without a document type declaration");
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
	xmlChar *rset = root ? xmlGetNoNsProp(root, BAD_CAST "set") : NULL;
	xmlChar *rcount = root ? xmlGetNoNsProp(root, BAD_CAST "count") : NULL;
	if (!bad && (!root->ns || strcmp((const char *)root->ns->href, SCELLE_NS_EVIDENCE) != 0 ||
	    strcmp((const char *)root->name, "volumeSet") != 0))
		bad = L_("its root is not volumeSet in the evidence namespace");
	else if (!bad && (!rset || strcmp((const char *)rset, set) != 0))
		bad = L_("it names another set than evidence.xml");
	else if (!bad && number((const char *)rcount, MAX_VOLUMES) != count)
		bad = L_("it counts other volumes than evidence.xml");
	for (xmlNodePtr k = root && !bad ? root->children : NULL; k && !bad; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			continue;
		xmlChar *idx = xmlGetNoNsProp(k, BAD_CAST "index"), *name = xmlGetNoNsProp(k, BAD_CAST "name");
		xmlChar *sid = xmlGetNoNsProp(k, BAD_CAST "sealId"), *fd = xmlGetNoNsProp(k, BAD_CAST "fileDigest");
		unsigned long i = number((const char *)idx, count);
		struct scelle_volume *v = NULL;
		if (!k->ns || strcmp((const char *)k->ns->href, SCELLE_NS_EVIDENCE) != 0 ||
		    strcmp((const char *)k->name, "volume") != 0)
			bad = L_("it holds an element other than volume");
		else if (!i || seen[i]++)
			bad = L_("a volume index is out of range or listed twice");
		else if (i < count && (!hex64_ok((const char *)sid) || (fd && !hex64_ok((const char *)fd))))
			bad = L_("a volume before the last has no valid sealId or fileDigest");
		else if (i == count && (sid || fd))
			bad = L_("the last volume cannot name its own seal identifier");
		else if (!(v = result_volume_row(c->r)))
			bad = L_("out of memory");
		if (v) {
			v->index = i;
			v->archive = xstrdup((const char *)name);
			v->seal_id = xstrdup((const char *)sid);
			v->file_digest = xstrdup((const char *)fd);
			v->state = "listed";
		}
		xmlFree(idx);
		xmlFree(name);
		xmlFree(sid);
		xmlFree(fd);
	}
	for (unsigned long i = 1; !bad && i <= count; i++)
		if (!seen[i])
			bad = L_("a volume index is not listed");
	if (bad)
		volume_rows_free(c->r);
	xmlFree(rset);
	xmlFree(rcount);
	xmlFreeDoc(doc);
	buf_release(&d.b);
	free(seen);
	return bad;
}

/* FORMAT.md §13: the volume markup of one archive.  No <volume> and no volumes.xml: not
 * a volume, no check.  volumes.xml is judged as a signed file by the coverage and digest
 * checks; here what it and <volume> say. */
void verify_volume(struct vctx *c)
{
	struct scelle_result *r = c->r;
	const char *set = r->facts[F_VOLUME_SET];
	const struct entry *e = find_entry(c, VOLUME_SET_XML);
	if (!set && !e)
		return;
	unsigned long count = number(r->facts[F_VOLUME_COUNT], MAX_VOLUMES);
	unsigned long index = number(r->facts[F_VOLUME_INDEX], count);
	const char *bad = NULL;
	if (!set)
		bad = L_("volumes.xml in an archive whose evidence.xml names no volume set");
	else if (!set_id_ok(set) || !count || !index)
		bad = L_("<volume> in evidence.xml is malformed (set, index, count) or given twice");
	else if (index < count && e)
		bad = L_("volumes.xml in a volume other than the last");
	else if (index == count && !e)
		bad = L_("the last volume has no set manifest (volumes.xml)");
	else if (index == count)
		bad = set_manifest(c, e, set, count);
	if (bad) {
		result_check(r, "volume.set", SCELLE_FAILED, index == count && set && !e ?
		    "SIGNED_DATA_NOT_FOUND" : "FORMAT_FAILURE", VOLUME_SET_XML,
		    "volume markup refused: %s", bad);
		return;
	}
	if (index == count)
		result_check(r, "volume.set", SCELLE_PASSED, NULL, NULL, "volume %lu of %lu of set %s; "
		    "its set manifest names the %lu volumes", index, count, set, count);
	else
		result_check(r, "volume.set", SCELLE_PASSED, NULL, NULL, "volume %lu of %lu of set %s",
		    index, count, set);
}

/* ------------------------------------------------------------ the set ---- */

struct member {
	char *archive, *set, *seal_id, *file_digest;
	unsigned long index, count;
	enum scelle_verdict verdict;
	struct scelle_volume *listing;	/* the last volume's set manifest, copied */
	size_t nlisting;
};

struct scelle_volume_set {
	struct member *m;
	size_t n, cap;
	char **sets;	/* the set identifiers, in the order first seen */
	size_t nsets, capsets;
};

struct scelle_volume_set *scelle_volume_set_new(void)
{
	return xcalloc(1, sizeof(struct scelle_volume_set));
}

void scelle_volume_set_free(struct scelle_volume_set *vs)
{
	if (!vs)
		return;
	for (size_t i = 0; i < vs->n; i++) {
		struct member *m = &vs->m[i];
		free(m->archive);
		free(m->set);
		free(m->seal_id);
		free(m->file_digest);
		for (size_t k = 0; k < m->nlisting; k++) {
			free((char *)m->listing[k].archive);
			free((char *)m->listing[k].seal_id);
			free((char *)m->listing[k].file_digest);
		}
		free(m->listing);
	}
	free(vs->m);
	for (size_t i = 0; i < vs->nsets; i++)
		free(vs->sets[i]);
	free(vs->sets);
	free(vs);
}

int scelle_volume_set_add(struct scelle_volume_set *vs, const char *archive, const struct scelle_result *r)
{
	const char *set = r->facts[F_VOLUME_SET];
	unsigned long count = number(r->facts[F_VOLUME_COUNT], MAX_VOLUMES);
	unsigned long index = number(r->facts[F_VOLUME_INDEX], MAX_VOLUMES);
	if (!set || !set_id_ok(set))
		return SCELLE_OK;	/* not a volume (a malformed one fails its own verdict) */
	size_t k = 0;
	while (k < vs->nsets && strcmp(vs->sets[k], set) != 0)
		k++;
	if (k == vs->nsets) {
		char **v = grow(vs->sets, &vs->capsets, vs->nsets + 1, sizeof(*v));
		if (!v || !(v[vs->nsets] = xstrdup(set)))
			return SCELLE_E_NOMEM;
		vs->sets = v;
		vs->nsets++;
	}
	struct member *m = grow(vs->m, &vs->cap, vs->n + 1, sizeof(*m));
	if (!m)
		return SCELLE_E_NOMEM;
	vs->m = m;
	m += vs->n++;
	memset(m, 0, sizeof(*m));
	m->archive = xstrdup(archive);
	m->set = xstrdup(set);
	m->seal_id = xstrdup(r->facts[F_SEAL_ID]);
	m->file_digest = xstrdup(r->facts[F_FILE_DIGEST]);
	m->index = index;
	m->count = count;
	m->verdict = r->verdict;
	if (r->nvolumes && (m->listing = calloc(r->nvolumes, sizeof(*m->listing)))) {
		for (size_t i = 0; i < r->nvolumes; i++) {
			m->listing[i] = r->volumes[i];
			m->listing[i].archive = xstrdup(r->volumes[i].archive);
			m->listing[i].seal_id = xstrdup(r->volumes[i].seal_id);
			m->listing[i].file_digest = xstrdup(r->volumes[i].file_digest);
		}
		m->nlisting = r->nvolumes;
	}
	return m->archive && m->set ? SCELLE_OK : SCELLE_E_NOMEM;
}

size_t scelle_volume_set_count(const struct scelle_volume_set *vs)
{
	return vs->nsets;
}

static const struct scelle_volume *listed(const struct member *last, unsigned long index)
{
	for (size_t i = 0; last && i < last->nlisting; i++)
		if (last->listing[i].index == index)
			return &last->listing[i];
	return NULL;
}

static int same(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static void add_row(struct scelle_result *r, unsigned long index, const struct member *m,
    const char *seal_id, const char *file_digest, const char *state, enum scelle_verdict v)
{
	struct scelle_volume *row = result_volume_row(r);
	if (!row) {
		r->lost = 1;
		return;
	}
	row->index = index;
	row->archive = m ? xstrdup(m->archive) : NULL;
	row->seal_id = xstrdup(seal_id);
	row->file_digest = xstrdup(file_digest);
	row->state = state;
	row->verdict = v;
}

struct scelle_result *scelle_volume_set_verify(struct scelle_volume_set *vs, size_t which)
{
	struct scelle_result *r;
	if (which >= vs->nsets || !(r = result_new()))
		return NULL;
	const char *set = vs->sets[which];
	const struct member *last = NULL;
	unsigned long n = 0;
	int bad_member = 0, missing = 0;
	/* The set manifest is the last volume's: the first one given that has it. */
	for (size_t i = 0; i < vs->n; i++)
		if (strcmp(vs->m[i].set, set) == 0 && vs->m[i].nlisting && !last)
			last = &vs->m[i];
	for (size_t i = 0; i < vs->n; i++)
		if (strcmp(vs->m[i].set, set) == 0 && vs->m[i].count > n)
			n = vs->m[i].count;
	if (last)
		n = last->count;
	char num[24];
	result_fact(r, F_VOLUME_SET, set);
	snprintf(num, sizeof(num), "%lu", n);
	result_fact(r, F_VOLUME_COUNT, num);
	for (unsigned long idx = 1; idx <= n; idx++) {
		const struct scelle_volume *want = listed(last, idx);
		const struct member *good = NULL;
		for (size_t i = 0; i < vs->n; i++) {
			const struct member *m = &vs->m[i];
			if (strcmp(m->set, set) != 0 || m->index != idx)
				continue;
			/* the set manifest names every volume but the last by its seal identifier;
			 * the last is the one that carries it */
			int ok = want ? (want->seal_id ? same(m->seal_id, want->seal_id) : m == last ||
			    same(m->seal_id, last->seal_id)) : !good || same(m->seal_id, good->seal_id);
			if (ok && m->count != n)
				ok = 0;
			if (!ok) {
				bad_member = 1;
				if (m->count != n)
					result_check(r, "volumes.member", SCELLE_FAILED, "FORMAT_FAILURE", m->archive,
					    "volume %lu ('%s') says the set has %lu volumes, not %lu", idx,
					    m->archive, m->count, n);
				else if (want && want->seal_id)
					result_check(r, "volumes.member", SCELLE_FAILED, "FORMAT_FAILURE", m->archive,
					    "volume %lu ('%s') is foreign: its seal identifier %s is not the one "
					    "the set manifest names (%s)", idx, m->archive,
					    m->seal_id ? m->seal_id : "-", want->seal_id);
				else
					result_check(r, "volumes.member", SCELLE_FAILED, "FORMAT_FAILURE", m->archive,
					    "volume %lu ('%s') is foreign: another archive is volume %lu of this "
					    "set", idx, m->archive, idx);
				add_row(r, idx, m, m->seal_id, m->file_digest, "foreign", SCELLE_FAILED);
				continue;
			}
			if (good) {	/* the same volume given twice */
				result_check(r, "volumes.member", SCELLE_PASSED, NULL, m->archive,
				    "volume %lu is given twice ('%s' and '%s')", idx, good->archive, m->archive);
				r->checks[r->nchecks - 1].warning = 1;
				continue;
			}
			good = m;
			if (want && want->file_digest && !same(m->file_digest, want->file_digest)) {
				result_check(r, "volumes.member", SCELLE_PASSED, NULL, m->archive,
				    "volume %lu ('%s') has the seal identifier the set manifest names, in "
				    "another file (time-stamped after sealing with scelle stamp?)", idx, m->archive);
				r->checks[r->nchecks - 1].warning = 1;
			}
		}
		if (good) {
			add_row(r, idx, good, good->seal_id, good->file_digest, "present", good->verdict);
			continue;
		}
		missing = 1;
		add_row(r, idx, NULL, want ? want->seal_id : NULL, want ? want->file_digest : NULL,
		    "missing", SCELLE_FAILED);
		/* an archive given as this volume of another set says what happened */
		const struct member *other = NULL;
		for (size_t i = 0; i < vs->n && !other; i++)
			if (strcmp(vs->m[i].set, set) != 0 && vs->m[i].index == idx)
				other = &vs->m[i];
		char subject[48];
		snprintf(subject, sizeof(subject), "volume %lu", idx);
		if (other)
			result_check(r, "volumes.complete", SCELLE_FAILED, "SIGNED_DATA_NOT_FOUND", subject,
			    "volume %lu of %lu is missing: '%s' is volume %lu of another set (%s)", idx, n,
			    other->archive, idx, other->set);
		else
			result_check(r, "volumes.complete", SCELLE_FAILED, "SIGNED_DATA_NOT_FOUND", subject,
			    "volume %lu of %lu is missing", idx, n);
	}
	for (size_t i = 0; i < vs->n; i++) {	/* a number past the count */
		const struct member *m = &vs->m[i];
		if (strcmp(m->set, set) == 0 && (m->index < 1 || m->index > n)) {
			bad_member = 1;
			result_check(r, "volumes.member", SCELLE_FAILED, "FORMAT_FAILURE", m->archive,
			    "'%s' says it is volume %lu of a set of %lu", m->archive, m->index, n);
		}
	}
	if (!missing)
		result_check(r, "volumes.complete", SCELLE_PASSED, NULL, NULL, last ?
		    "all %lu volumes the set manifest names are here" : L_("all %lu volumes are here"), n);
	if (!last && !missing)	/* cannot be: the last volume carries it */
		result_check(r, "volumes.complete", SCELLE_FAILED, "FORMAT_FAILURE", NULL,
		    "no volume given carries the set manifest");
	if (!bad_member)
		result_check(r, "volumes.member", SCELLE_PASSED, NULL, NULL, last ?
		    "every volume is the one the set manifest names" :
		    L_("no two volumes given claim one number (no set manifest to compare with)"));
	/* the set is no better than its volumes */
	int all = 1;
	for (size_t i = 0; i < r->nvolumes; i++) {
		const struct scelle_volume *v = &r->volumes[i];
		if (!strcmp(v->state, "present") && v->verdict != SCELLE_PASSED) {
			all = 0;
			result_check(r, "volumes.verdicts", v->verdict, NULL, v->archive,
			    "volume %lu ('%s') is %s", v->index, v->archive, scelle_verdict_name(v->verdict));
		}
	}
	if (all)
		result_check(r, "volumes.verdicts", SCELLE_PASSED, NULL, NULL,
		    "every volume given verifies on its own");
	result_finish(r);
	return r;
}

