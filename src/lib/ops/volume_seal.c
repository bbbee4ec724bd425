/* volume_seal.c — a seizure sealed as several archives, "volumes" (formats/FORMAT.md
 * §13): each an ordinary archive whose evidence.xml names its set (<volume>), the last one
 * carrying the set manifest volumes.xml, signed with it.  scelle_sealer_write comes here
 * first; each volume, and an archive in one piece, is written by seal_archive (seal.c). */
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
#include "crypto.h"
#include "evidence.h"
#include "ledger.h"

/* The profiles of `seal --profile` (FORMAT.md §13): EU DSS refuses more than 1,000 ZIP
 * entries by default (SecureContainerHandler, maxAllowedFilesAmount), so 990 leaves room;
 * the e-CODEX gateway carries about 2 GB a message. */
#define DSS_ENTRIES 990u
#define ECODEX_BYTES 1900000000ull
#define FIXED_ENTRIES 5u	/* mimetype, evidence.xml, manifest, signature, volumes.xml */
#define MAX_VOLUMES 99999u
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
	c += xml_len(s->officer.name) + xml_len(s->officer.role) + xml_len(s->officer.unit) +
	    xml_len(s->officer.country) + xml_len(s->officer.place);
	for (size_t i = 0; i < s->inv.nfolders; i++)	/* only the last has them: every one pays */
		c += 40 + xml_len(s->inv.folders[i]);
	c += 8192 + der_len_x509(s->sg.cert) + s->ntsa * 16384;
	for (int i = 0; i < sk_X509_num(s->sg.chain); i++) {
		X509 *x = sk_X509_value(s->sg.chain, i);
		c += der_len_x509(x);
		/* a CRL or OCSP response fetched when sealing: its size is not known before */
		if ((s->sg.revocation == REVOCATION_DEFAULT || s->sg.revocation == REVOCATION_AUTO) &&
		    (X509_get_ext_by_NID(x, NID_crl_distribution_points, -1) >= 0 ||
		    X509_get_ext_by_NID(x, NID_info_access, -1) >= 0))
			c += 256u << 10;
	}
	if ((s->sg.revocation == REVOCATION_DEFAULT || s->sg.revocation == REVOCATION_AUTO) && s->sg.cert &&
	    (X509_get_ext_by_NID(s->sg.cert, NID_crl_distribution_points, -1) >= 0 ||
	    X509_get_ext_by_NID(s->sg.cert, NID_info_access, -1) >= 0))
		c += 256u << 10;
	for (int i = 0; i < sk_X509_CRL_num(s->sg.extra.crls); i++) {
		int n = i2d_X509_CRL(sk_X509_CRL_value(s->sg.extra.crls, i), NULL);
		c += n > 0 ? (uint64_t)n : 0;
	}
	for (size_t i = 0; i < s->sg.extra.nocsp; i++)
		c += s->sg.extra.ocsp[i].len;
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
	for (size_t i = 0; i < s->inv.nitems; i++) {
		uint64_t cost = item_cost(s, &s->inv.items[i]);
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

static const char *base_of(const char *path)
{
	const char *b = strrchr(path, '/');
	return b ? b + 1 : path;
}

#define X(c) (ok = ok && (c) >= 0)

/* volumes.xml, for the last volume: the set, and every volume before it by its seal
 * identifier and file digest (the last is the one that carries it). */
static int set_xml(struct scelle_sealer *s, struct buf *out)
{
	struct volumes *vol = s->vol;
	xmlBufferPtr xb = xml_buffer_new();
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

static int volumes_write(struct scelle_sealer *s, const char *out, int flags)
{
	struct volumes *vol = s->vol;
	struct buf warns = { 0 };
	struct volume_mark mark = { .index = 0 };
	struct item_info_table *info = s->item_info;
	size_t done = 0;
	int revocation = s->sg.revocation, rc;
	char why[sizeof(s->err.msg)];

	if (s->xades)
		return vfail(s, SCELLE_E_USAGE, "volumes are sealed with CAdES only: --signature xades "
		    "cannot be split into volumes yet");
	/* Whole-seal checks, once: a row of --item-info may name an item of any volume, and
	 * names must not collide across volumes (they are extracted into one folder). */
	if (s->item_info && item_info_attach(s->item_info, s->inv.items, s->inv.nitems, &s->err))
		return s->err.code;
	if ((rc = check_name_collisions(&s->inv, s->rename_collisions, &s->err)))	/* also sorts the items by name */
		return rc;
	struct inventory all = s->inv;	/* the whole seal's, while s->inv is one volume's */
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
		s->inv.items = all.items + v->first;
		s->inv.nitems = v->nitems;
		s->inv.nfolders = last ? all.nfolders : 0;	/* FORMAT.md §13: the empty folders go last */
		s->volume = &mark;
		rc = seal_archive(s, v->path, flags);
		s->volume = NULL;
		s->inv = all;
		/* the revocation data fetched for the first volume serve them all */
		if (revocation == REVOCATION_DEFAULT || revocation == REVOCATION_AUTO)
			s->sg.revocation = REVOCATION_FILES;
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
			    "volume %zu holds it alone and is %llu bytes\n"), all.items[v->first].name,
			    (unsigned long long)all.items[v->first].size, i + 1, (unsigned long long)st.st_size);
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
	s->sg.revocation = revocation;
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


int scelle_sealer_write(struct scelle_sealer *s, const char *out, int flags)
{
	/* In one piece, or what is missing is said by seal_archive as for one archive. */
	if (!s->vol || s->volume || !s->sg.key || !s->inv.nitems)
		return seal_archive(s, out, flags);
	scerr_clear(&s->err);
	s->warnings.len = 0;
	memset(s->warning_hint, 0, sizeof(s->warning_hint));
	return volumes_write(s, out, flags);
}
