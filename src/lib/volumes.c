/* volumes.c — a seizure sealed as several archives, "volumes" (formats/FORMAT.md §13):
 * each an ordinary archive whose evidence.xml names its set (<volume>), the last one
 * carrying the set manifest volumes.xml, signed with it; and the verdict on a set. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>
#include "custody.h"
#include "sealer.h"
#include "verify.h"

/* The profiles of `seal --profile` (FORMAT.md §13): EU DSS refuses more than 1,000 ZIP
 * entries by default (SecureContainerHandler, maxAllowedFilesAmount), so 990 leaves room;
 * the e-CODEX gateway carries about 2 GB a message. */
#define DSS_ENTRIES 990u
#define ECODEX_BYTES 1900000000ull
#define FIXED_ENTRIES 5u	/* mimetype, evidence.xml, manifest, signature, volumes.xml */
#define MAX_VOLUMES 99999u

struct vol_out {
	char *path;
	size_t first, nitems;
	uint64_t estimate;	/* bytes the plan allows for it */
	int oversize;		/* one item larger than a volume may be */
	char seal_id[65], file_digest[65];
};

struct volumes {
	uint64_t max_entries, max_size;
	struct vol_out *v;
	size_t n;		/* volumes planned (written, after success) */
	char set_id[37];
};

void volumes_free(struct volumes *vol)
{
	if (!vol)
		return;
	for (size_t i = 0; i < vol->n; i++)
		free(vol->v[i].path);
	free(vol->v);
	free(vol);
}

static int vfail(struct scelle_sealer *s, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int vfail(struct scelle_sealer *s, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	s->err.code = code;
	vsnprintf(s->err.msg, sizeof(s->err.msg), L_(fmt), ap);
	va_end(ap);
	return code;
}

int scelle_sealer_set_volumes(struct scelle_sealer *s, uint64_t max_entries, uint64_t max_size)
{
	if (!max_entries && !max_size) {
		volumes_free(s->vol);
		s->vol = NULL;
		return SCELLE_OK;
	}
	if (max_entries && max_entries <= FIXED_ENTRIES)
		return vfail(s, SCELLE_E_USAGE, "a volume of %llu entries holds no item (%u are its own "
		    "files): give more", (unsigned long long)max_entries, FIXED_ENTRIES);
	if (!s->vol && !(s->vol = xcalloc(1, sizeof(*s->vol))))
		return vfail(s, SCELLE_E_NOMEM, "out of memory");
	s->vol->max_entries = max_entries;
	s->vol->max_size = max_size;
	return SCELLE_OK;
}

int scelle_sealer_set_volume_profile(struct scelle_sealer *s, const char *profile)
{
	if (strcmp(profile, "dss") == 0)
		return scelle_sealer_set_volumes(s, DSS_ENTRIES, s->vol ? s->vol->max_size : 0);
	if (strcmp(profile, "e-codex") == 0)
		return scelle_sealer_set_volumes(s, s->vol ? s->vol->max_entries : 0, ECODEX_BYTES);
	return vfail(s, SCELLE_E_USAGE, "unknown profile '%s' (use dss or e-codex)", profile);
}

size_t scelle_sealer_volume_count(const struct scelle_sealer *s)
{
	return s->vol && s->vol->v && s->vol->v[0].seal_id[0] ? s->vol->n : 0;
}

const char *scelle_sealer_volume(const struct scelle_sealer *s, size_t i, const char **seal_id,
    const char **file_digest)
{
	if (i >= scelle_sealer_volume_count(s))
		return NULL;
	if (seal_id)
		*seal_id = s->vol->v[i].seal_id;
	if (file_digest)
		*file_digest = s->vol->v[i].file_digest;
	return s->vol->v[i].path;
}

const char *scelle_sealer_set_id(const struct scelle_sealer *s)
{
	return scelle_sealer_volume_count(s) ? s->vol->set_id : NULL;
}

/* ------------------------------------------------------------- the plan ---- */

/* The length of v once XML-escaped (the worst of attribute and text escaping). */
static uint64_t xml_len(const char *v)
{
	uint64_t n = 0;
	for (const unsigned char *p = (const unsigned char *)v; p && *p; p++)
		n += *p == '&' ? 5 : *p == '<' || *p == '>' ? 4 : *p == '"' ? 6 : *p < 0x20 ? 6 : 1;
	return n;
}

/* What DEFLATE can add to n bytes at worst (stored blocks: 5 bytes a block of at least
 * 10,000 in libdeflate, of 16 KiB in zlib), with room to spare. */
static uint64_t deflate_worst(uint64_t n)
{
	return n + n / 1000 + 64;
}

/* What an item can cost a volume, at most: its local header and central record (ZIP64
 * extras included), its data, its <item> in evidence.xml (the media type is not known
 * before it is read: 256 bytes) and its reference in the manifest.  Listings (<members>)
 * are bounded per volume instead (listing_max). */
static uint64_t item_cost(const struct scelle_sealer *s, const struct item *it)
{
	uint64_t n = strlen(it->name);
	uint64_t data = s->compress == SCELLE_COMPRESS_NONE ? it->size : deflate_worst(it->size);
	uint64_t ev = 220 + xml_len(it->name) + 256 + s->ndigests * 180;
	if (it->orig_name)
		ev += 64 + (it->orig_len + 2) / 3 * 4;
	if (it->info)
		ev += 200 + xml_len(it->info->source_url) + xml_len(it->info->captured_at) +
		    xml_len(it->info->captured_by) + xml_len(it->info->tool) + xml_len(it->info->note);
	uint64_t man = 260 + 3 * n + 256;
	return 30 + n + 20 + 46 + n + 28 + data + deflate_worst(ev + man) - 64;
}

static uint64_t der_len_x509(X509 *x)
{
	int n = x ? i2d_X509(x, NULL) : 0;
	return n > 0 ? (uint64_t)n : 0;
}

/* What every volume costs besides its items: the fixed entries and the end records,
 * evidence.xml's head, the manifest's, the signature with its certificates, tokens and
 * revocation data, and the listings' share. */
static uint64_t fixed_cost(const struct scelle_sealer *s, uint64_t listing_max)
{
	uint64_t c = 123 + 98 + 4 * 240 + 1500 + 800;
	if (s->case_xml)
		c += strlen(s->case_xml);
	for (size_t i = 0; i < s->ncases; i++)
		c += 100 + xml_len(s->cases[i].authority) + xml_len(s->cases[i].reference);
	for (size_t i = 0; i < 5; i++)
		c += xml_len(s->officer[i]);
	for (size_t i = 0; i < s->nfolders; i++)	/* only the last has them: every one pays */
		c += 40 + xml_len(s->folders[i]);
	c += 8192 + der_len_x509(s->cert) + s->ntsa * 16384;
	for (int i = 0; i < sk_X509_num(s->chain); i++) {
		X509 *x = sk_X509_value(s->chain, i);
		c += der_len_x509(x);
		/* a CRL or OCSP response fetched when sealing: its size is not known before */
		if ((s->revocation_auto == REVOCATION_DEFAULT || s->revocation_auto == REVOCATION_AUTO) &&
		    (X509_get_ext_by_NID(x, NID_crl_distribution_points, -1) >= 0 ||
		    X509_get_ext_by_NID(x, NID_info_access, -1) >= 0))
			c += 256u << 10;
	}
	if ((s->revocation_auto == REVOCATION_DEFAULT || s->revocation_auto == REVOCATION_AUTO) && s->cert &&
	    (X509_get_ext_by_NID(s->cert, NID_crl_distribution_points, -1) >= 0 ||
	    X509_get_ext_by_NID(s->cert, NID_info_access, -1) >= 0))
		c += 256u << 10;
	for (int i = 0; i < sk_X509_CRL_num(s->extra.crls); i++) {
		int n = i2d_X509_CRL(sk_X509_CRL_value(s->extra.crls, i), NULL);
		c += n > 0 ? (uint64_t)n : 0;
	}
	for (size_t i = 0; i < s->extra.nocsp; i++)
		c += s->extra.ocsp[i].len;
	return deflate_worst(c) + listing_max;
}

/* Items in name order, cut into volumes in that order: a volume ends when one more item
 * would pass the entry count or the size (an item larger than a volume may be goes alone
 * into its own).  reserve: the set manifest's share, held back in every volume. */
static int plan(struct scelle_sealer *s, uint64_t fixed, uint64_t reserve)
{
	struct volumes *vol = s->vol;
	uint64_t max_items = vol->max_entries ? vol->max_entries - FIXED_ENTRIES : UINT64_MAX;
	uint64_t room = vol->max_size ? vol->max_size - fixed - reserve : UINT64_MAX;
	size_t cap = 0;
	for (size_t i = 0; i < vol->n; i++)
		free(vol->v[i].path);
	vol->n = 0;
	for (size_t i = 0; i < s->nitems; i++) {
		uint64_t cost = item_cost(s, &s->items[i]);
		struct vol_out *cur = vol->n ? &vol->v[vol->n - 1] : NULL;
		if (!cur || cur->oversize || cur->nitems >= max_items || cost > room - cur->estimate ||
		    cur->estimate + cost > room) {
			struct vol_out *v = grow(vol->v, &cap, vol->n + 1, sizeof(*v));
			if (!v)
				return vfail(s, SCELLE_E_NOMEM, "out of memory");
			vol->v = v;
			cur = &v[vol->n++];
			memset(cur, 0, sizeof(*cur));
			cur->first = i;
			cur->oversize = cost > room;
		}
		cur->nitems++;
		cur->estimate += cost;
	}
	if (vol->n > MAX_VOLUMES)
		return vfail(s, SCELLE_E_LIMIT, "%zu volumes: more than the %u one set may have",
		    vol->n, MAX_VOLUMES);
	return SCELLE_OK;
}

/* ------------------------------------------------------------- the XML ---- */

#define X(c) (ok = ok && (c) >= 0)

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

static const char *base_of(const char *path)
{
	const char *b = strrchr(path, '/');
	return b ? b + 1 : path;
}

/* volumes.xml, for the last volume: the set, and every volume before it by its seal
 * identifier and file digest (the last is the one that carries it). */
static int set_xml(struct scelle_sealer *s, struct buf *out)
{
	struct volumes *vol = s->vol;
	xmlBufferPtr xb = xmlBufferCreate();
	xmlTextWriterPtr w = xb ? xmlNewTextWriterMemory(xb, 0) : NULL;
	char num[24];
	int ok = w != NULL;
	if (ok) {
		xmlTextWriterSetIndent(w, 1);
		xmlTextWriterSetIndentString(w, BAD_CAST "  ");
	}
	X(xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL));
	X(xmlTextWriterStartElement(w, BAD_CAST "volumeSet"));
	X(xmlTextWriterWriteAttribute(w, BAD_CAST "xmlns", BAD_CAST SCELLE_NS_EVIDENCE));
	X(xmlTextWriterWriteAttribute(w, BAD_CAST "formatVersion", BAD_CAST "1.3"));
	X(xmlTextWriterWriteAttribute(w, BAD_CAST "set", BAD_CAST vol->set_id));
	snprintf(num, sizeof(num), "%zu", vol->n);
	X(xmlTextWriterWriteAttribute(w, BAD_CAST "count", BAD_CAST num));
	for (size_t i = 0; ok && i < vol->n; i++) {
		X(xmlTextWriterStartElement(w, BAD_CAST "volume"));
		snprintf(num, sizeof(num), "%zu", i + 1);
		X(xmlTextWriterWriteAttribute(w, BAD_CAST "index", BAD_CAST num));
		X(xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST base_of(vol->v[i].path)));
		snprintf(num, sizeof(num), "%zu", vol->v[i].nitems);
		X(xmlTextWriterWriteAttribute(w, BAD_CAST "items", BAD_CAST num));
		if (i + 1 < vol->n) {
			X(xmlTextWriterWriteAttribute(w, BAD_CAST "sealId", BAD_CAST vol->v[i].seal_id));
			X(xmlTextWriterWriteAttribute(w, BAD_CAST "fileDigest", BAD_CAST vol->v[i].file_digest));
		}
		X(xmlTextWriterEndElement(w));
	}
	X(xmlTextWriterEndElement(w));
	X(xmlTextWriterEndDocument(w));
	xmlFreeTextWriter(w);
	ok = ok && buf_append(out, xmlBufferContent(xb), (size_t)xmlBufferLength(xb)) == 0;
	xmlBufferFree(xb);
	return ok ? SCELLE_OK : vfail(s, SCELLE_E_NOMEM, "out of memory");
}

/* ----------------------------------------------------------- the writing ---- */

/* NAME.asice -> NAME.vol001.asice (the number has at least three digits). */
static char *volume_path(const char *out, size_t i)
{
	size_t n = strlen(out);
	const char *ext = n > 6 && strcmp(out + n - 6, ".asice") == 0 ? out + n - 6 : out + n;
	size_t stem = (size_t)(ext - out), len = n + 16;
	char *p = malloc(len);
	if (p && snprintf(p, len, "%.*s.vol%03zu.asice", (int)stem, out, i + 1) >= (int)len) {
		free(p);
		p = NULL;
	}
	return p;
}

static void set_id_new(char id[37])
{
	unsigned char r[16];
	if (RAND_bytes(r, sizeof(r)) != 1)
		memset(r, 0, sizeof(r));	/* checked by the caller: all zero is refused */
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);	/* RFC 9562 version 4 */
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
	char hex[33];
	hex_encode(r, 16, hex);
	snprintf(id, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

/* Removes the volumes written so far and their ledgers: a seal is all or nothing. */
static void unwrite(struct volumes *vol, size_t upto)
{
	for (size_t i = 0; i < upto; i++) {
		char *ledger = ledger_path_for(vol->v[i].path);
		unlink(vol->v[i].path);
		if (ledger)
			unlink(ledger);
		free(ledger);
		vol->v[i].seal_id[0] = '\0';
	}
}

/* Adds the lines of `w` not in `all` yet (the same warning from every volume is said once). */
static void warnings_merge(struct buf *all, const char *w)
{
	while (w && *w) {
		const char *nl = strchr(w, '\n');
		size_t n = nl ? (size_t)(nl - w) + 1 : strlen(w);
		int seen = 0;
		for (size_t off = 0; !seen && off < all->len;) {
			const char *line = (const char *)all->data + off;
			const char *e = memchr(line, '\n', all->len - off);
			size_t ln = e ? (size_t)(e - line) + 1 : all->len - off;
			seen = ln == n && memcmp(line, w, n) == 0;
			off += ln;
		}
		if (!seen)
			buf_append(all, w, n);
		w += n;
	}
}

int volumes_write(struct scelle_sealer *s, const char *out, int flags)
{
	struct volumes *vol = s->vol;
	struct buf warns = { 0 };
	struct volume_mark mark = { .index = 0 };
	struct item_info_table *info = s->item_info;
	struct item *items = s->items;
	size_t nitems = s->nitems, nfolders = s->nfolders, done = 0;
	int revocation = s->revocation_auto, rc;
	char why[sizeof(s->err.msg)];

	if (s->xades)
		return vfail(s, SCELLE_E_USAGE, "volumes are sealed with CAdES only: --signature xades "
		    "cannot be split into volumes yet");
	/* Whole-seal checks, once: a row of --item-info may name an item of any volume, and
	 * names must not collide across volumes (they are extracted into one folder). */
	if (s->item_info && item_info_attach(s->item_info, s->items, s->nitems, &s->err))
		return s->err.code;
	if ((rc = check_name_collisions(s)))	/* also sorts the items by name */
		return rc;
	items = s->items;
	uint64_t listing_max = LISTING_TEXT_BUDGET;
	if (vol->max_size && vol->max_size / 16 < listing_max)
		listing_max = vol->max_size / 16;
	uint64_t fixed = fixed_cost(s, listing_max);
	if (vol->max_size && vol->max_size <= fixed + 4096)
		return vfail(s, SCELLE_E_USAGE, "a volume of %llu bytes is too small: its own files, "
		    "signature and listings take up to %llu bytes", (unsigned long long)vol->max_size,
		    (unsigned long long)(fixed + 4096));
	/* The set manifest's size depends on the number of volumes: planned without it, then
	 * with room for twice as many volumes in every one. */
	if ((rc = plan(s, fixed, 0)))
		return rc;
	uint64_t reserve = (uint64_t)(2 * vol->n + 2) * (400 + 2 * xml_len(base_of(out)));
	if (vol->max_size && vol->max_size <= fixed + reserve + 4096)
		reserve = vol->max_size - fixed - 4096;
	if ((rc = plan(s, fixed, reserve)))
		return rc;
	for (size_t i = 0; i < vol->n; i++)
		if (!(vol->v[i].path = volume_path(out, i)))
			return vfail(s, SCELLE_E_NOMEM, "out of memory");
	/* Nothing is written when one of them cannot be (the archives and their ledgers). */
	for (size_t i = 0; !(flags & SCELLE_SEAL_FORCE) && i < vol->n; i++) {
		struct stat st;
		char *ledger = ledger_path_for(vol->v[i].path);
		const char *there = lstat(vol->v[i].path, &st) == 0 ? vol->v[i].path
		    : ledger && lstat(ledger, &st) == 0 ? ledger : NULL;
		if (there)
			rc = vfail(s, SCELLE_E_EXISTS, "'%s' already exists (use --force to replace it)", there);
		free(ledger);
		if (rc)
			return rc;
	}
	set_id_new(vol->set_id);
	if (strcmp(vol->set_id, "00000000-0000-4000-8000-000000000000") == 0)
		return vfail(s, SCELLE_E_CRYPTO, "no random number for the set identifier");
	memcpy(mark.set_id, vol->set_id, sizeof(mark.set_id));
	mark.count = vol->n;
	mark.listing_max = listing_max;
	s->item_info = NULL;	/* attached above */
	rc = SCELLE_OK;
	for (size_t i = 0; i < vol->n && !rc; i++) {
		struct vol_out *v = &vol->v[i];
		int last = i + 1 == vol->n;
		if (last && (rc = set_xml(s, &mark.set_xml)))
			break;
		if (last)
			SHA256(mark.set_xml.data, mark.set_xml.len, mark.set_sha256);
		mark.index = i + 1;
		s->items = items + v->first;
		s->nitems = v->nitems;
		s->nfolders = last ? nfolders : 0;	/* FORMAT.md §13: the empty folders go last */
		s->volume = &mark;
		rc = scelle_sealer_write(s, v->path, flags);
		s->volume = NULL;
		s->items = items;
		s->nitems = nitems;
		s->nfolders = nfolders;
		/* the revocation data fetched for the first volume serve them all */
		if (revocation == REVOCATION_DEFAULT || revocation == REVOCATION_AUTO)
			s->revocation_auto = REVOCATION_FILES;
		warnings_merge(&warns, scelle_sealer_warnings(s));
		if (rc)
			break;
		done = i + 1;
		memcpy(v->seal_id, s->seal_id, sizeof(v->seal_id));
		memcpy(v->file_digest, s->file_digest, sizeof(v->file_digest));
		struct stat st;
		if (stat(v->path, &st) != 0)
			rc = vfail(s, SCELLE_E_IO, "cannot read '%s': %s", v->path, strerror(errno));
		else if (vol->max_size && !v->oversize && (uint64_t)st.st_size > vol->max_size)
			/* fail closed: the plan's bounds were passed (a CRL larger than allowed for) */
			rc = vfail(s, SCELLE_E_LIMIT, "'%s' is %llu bytes, more than --max-volume-size "
			    "%llu allows (its signature or listings took more than foreseen)", v->path,
			    (unsigned long long)st.st_size, (unsigned long long)vol->max_size);
		else if (v->oversize) {
			char line[1200];
			snprintf(line, sizeof(line), L_("'%s' (%llu bytes) is larger than a volume may be: "
			    "volume %zu holds it alone and is %llu bytes\n"), items[v->first].name,
			    (unsigned long long)items[v->first].size, i + 1, (unsigned long long)st.st_size);
			warnings_merge(&warns, line);
		}
	}
	/* a volume beyond the last, left by an earlier sealing to the same name, is not ours */
	char *next = rc ? NULL : volume_path(out, vol->n);
	struct stat nst;
	if (next && lstat(next, &nst) == 0) {
		char line[1200];
		snprintf(line, sizeof(line), L_("'%s' is left from an earlier sealing: it is not a volume "
		    "of this set (%zu volumes)\n"), next, vol->n);
		warnings_merge(&warns, line);
	}
	free(next);
	s->item_info = info;
	s->revocation_auto = revocation;
	buf_release(&mark.set_xml);
	if (rc) {
		snprintf(why, sizeof(why), "%s", s->err.msg);
		unwrite(vol, done);
		if (done)
			vfail(s, rc, "%s; the %zu volumes written before were removed", why, done);
		s->seal_id[0] = s->file_digest[0] = '\0';
	}
	buf_release(&s->warnings);
	s->warnings = warns;
	if (s->warnings.len && buf_append(&s->warnings, "", 1) == 0)
		s->warnings.len--;
	return rc;
}

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

static struct scelle_volume *volume_row(struct scelle_result *r)
{
	struct scelle_volume *v = realloc(r->volumes, (r->nvolumes + 1) * sizeof(*v));
	if (!v)
		return NULL;
	r->volumes = v;
	v += r->nvolumes++;
	memset(v, 0, sizeof(*v));
	return v;
}

void volume_rows_free(struct scelle_result *r)
{
	for (size_t i = 0; i < r->nvolumes; i++) {
		free((char *)r->volumes[i].archive);
		free((char *)r->volumes[i].seal_id);
		free((char *)r->volumes[i].file_digest);
	}
	free(r->volumes);
	r->volumes = NULL;
	r->nvolumes = 0;
}

size_t scelle_result_volume_count(const struct scelle_result *r)
{
	return r->nvolumes;
}

const struct scelle_volume *scelle_result_volume(const struct scelle_result *r, size_t i)
{
	return i < r->nvolumes ? &r->volumes[i] : NULL;
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
		else if (!(v = volume_row(c->r)))
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
	struct scelle_volume *row = volume_row(r);
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
