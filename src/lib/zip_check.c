/* zip_check.c — the raw ZIP structure of an archive to verify, read byte by byte.
 *
 * libarchive's seekable reader trusts the central directory and reads around whatever else
 * the file holds: bytes appended after the end record, a second central directory, local
 * headers that name another file or another size than the central directory, data
 * descriptors, overlapping entries.  Two ZIP readers that disagree on what an archive
 * holds are how a forgery passes one verifier and shows other content in another tool.
 * So the layout scelle's writer produces (zip_writer.c) is required exactly:
 *
 *   [local header, name, extra, data] ... [central directory]
 *   [ZIP64 end record, ZIP64 locator]? [end record, no comment]  <- end of file
 *
 * every byte belonging to exactly one of these, every local header agreeing with its
 * central directory record, no data descriptor (EN 319 162-1 §A.1 and DESIGN.md §2:
 * Java's ZipInputStream, used by EU DSS, rejects STORED entries with one), no names that
 * a receiving file system would merge (case, Unicode normalisation form).
 * References are to PKWARE's APPNOTE.TXT 6.3.x.
 */
#include <errno.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wctype.h>
#include "result.h"
#include "nfd_table.h"

#define SIG_LOCAL	0x04034b50u	/* 4.3.7 */
#define SIG_DESC	0x08074b50u	/* 4.3.9.3 */
#define SIG_CENTRAL	0x02014b50u	/* 4.3.12 */
#define SIG_END64	0x06064b50u	/* 4.3.14 */
#define SIG_LOCATOR64	0x07064b50u	/* 4.3.15 */
#define SIG_END		0x06054b50u	/* 4.3.16 */
#define MAX32		0xFFFFFFFFu
#define MAX16		0xFFFFu
#define END_LEN		22u
#define LOCATOR_LEN	20u
#define END64_LEN	56u
#define MAX_REPORTS	20	/* failures reported one by one; the rest are counted */
#define CD_WINDOW	(256u << 10) /* > one central record: 46 + 3 * 65535 bytes */
#define LH_WINDOW	(64u << 10)

struct ext {		/* the bytes one entry occupies, from its local header on */
	uint64_t start, end;
	size_t ent;
};

struct zent {
	char *name;
	char *key;	/* name after case folding and canonical decomposition */
	uint16_t nlen;
};

struct window {		/* bytes of the file read ahead: win_at */
	unsigned char *buf;
	size_t cap;
	uint64_t off;
	size_t len;
};

struct zc {
	int fd;
	uint64_t size;
	struct scelle_result *r;
	int failures;
	struct window cd;	/* the central directory */
	struct window local;	/* local headers of small entries (local_rd) */
	unsigned char *lbuf;	/* one local header with its name and extra field */
};

static uint16_t get16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const unsigned char *p) { return get16(p) | (uint32_t)get16(p + 2) << 16; }
static uint64_t get64(const unsigned char *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }

static void report(struct zc *z, const char *id, const char *subject, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void report(struct zc *z, const char *id, const char *subject, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	if (++z->failures > MAX_REPORTS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	result_check(z->r, id, SCELLE_FAILED, "FORMAT_FAILURE", subject, "%s", msg);
}

/* All of [off, off + n) or -1: short files are a finding, not an error. */
static int rd(struct zc *z, void *p, size_t n, uint64_t off)
{
	size_t got = 0;
	if (off > z->size || n > z->size - off)
		return -1;
	while (got < n) {
		ssize_t k = pread(z->fd, (char *)p + got, n - got, (off_t)(off + got));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		got += (size_t)k;
	}
	return 0;
}

/* n bytes at off, before limit, read through window w: up to w->cap bytes at a time. */
static const unsigned char *win_at(struct zc *z, struct window *w, uint64_t off, size_t n,
    uint64_t limit)
{
	if (off > limit || n > limit - off)
		return NULL;
	if (off < w->off || off + n > w->off + w->len) {
		size_t len = limit - off < w->cap ? (size_t)(limit - off) : w->cap;
		if (n > len || rd(z, w->buf, len, off))
			return NULL;
		w->off = off;
		w->len = len;
	}
	return w->buf + (off - w->off);
}

/* n bytes of the central directory at off: a directory of millions of entries is not held
 * in memory at once. */
static const unsigned char *cd_at(struct zc *z, uint64_t off, size_t n, uint64_t cd_end)
{
	return win_at(z, &z->cd, off, n, cd_end);
}

/* n bytes at off, before limit (the central directory).  The local headers of small
 * entries (a phone's thousands of messages) lie a few KB apart: one read of LH_WINDOW
 * serves a dozen of them, where a pread each was 100,000 system calls for 100,000 files. */
static int local_rd(struct zc *z, void *p, size_t n, uint64_t off, uint64_t limit, int small)
{
	const unsigned char *w = small ? win_at(z, &z->local, off, n, limit) : NULL;
	if (!w)
		return rd(z, p, n, off);
	memcpy(p, w, n);
	return 0;
}

/* --------------------------------------------------------------- names ---- */

/* Strict UTF-8 to code points (RFC 3629); -1 when invalid. */
static int utf8_next(const unsigned char **pp, const unsigned char *end, uint32_t *cp)
{
	const unsigned char *p = *pp;
	uint32_t c = *p++, min;
	int more;
	if (c < 0x80) { *cp = c; *pp = p; return 0; }
	if (c >= 0xC2 && c <= 0xDF) { more = 1; min = 0x80; c &= 0x1F; }
	else if (c >= 0xE0 && c <= 0xEF) { more = 2; min = 0x800; c &= 0x0F; }
	else if (c >= 0xF0 && c <= 0xF4) { more = 3; min = 0x10000; c &= 0x07; }
	else return -1;
	if (end - p < more)
		return -1;
	while (more--) {
		if ((*p & 0xC0) != 0x80)
			return -1;
		c = c << 6 | (*p++ & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return -1;
	*cp = c;
	*pp = p;
	return 0;
}

static int nfd_cmp(const void *k, const void *e)
{
	uint32_t a = *(const uint32_t *)k, b = ((const uint16_t *)e)[0];
	return a < b ? -1 : a > b;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

static int is_mark(uint32_t c)
{
	return c >= 0x0300 && c <= 0x036F;	/* Combining Diacritical Marks */
}

/* The key under which two names collide on a receiver's file system: case folded (C.UTF-8
 * towlower) and canonically decomposed (NFD) with runs of combining marks sorted.  So
 * "Café" (NFC, U+00E9) and "cafe\u0301" (NFD) get one key, as they get one file on macOS
 * and on Windows; "cafe" and "café" stay distinct (they are different names).  The
 * decomposition table covers Latin, Greek and Cyrillic letters; sorting marks by code
 * point rather than by combining class can only merge more names, never fewer.  Returns
 * NULL for a name that is not UTF-8. */
static char *fold_key(const char *name, size_t n, locale_t loc)
{
	const unsigned char *p = (const unsigned char *)name, *end = p + n;
	uint32_t *cps = xcalloc(4 * n + 1, sizeof(*cps));
	size_t k = 0;
	char *out = NULL;
	if (!cps)
		return NULL;
	while (p < end) {
		uint32_t c;
		if (utf8_next(&p, end, &c))
			goto done;
		const uint16_t *d = c <= 0xFFFF ? bsearch(&c, nfd_table, sizeof(nfd_table) /
		    sizeof(nfd_table[0]), sizeof(nfd_table[0]), nfd_cmp) : NULL;
		for (int i = 0; i < 4 && (d ? d[1 + i] : i == 0); i++) {
			uint32_t x = d ? d[1 + i] : c;
			cps[k++] = x < 0x80 ? (uint32_t)(x >= 'A' && x <= 'Z' ? x + 32 : x) :
			    loc != (locale_t)0 ? (uint32_t)towlower_l((wint_t)x, loc) : x;
		}
	}
	/* Each run of marks sorted: qsort, not an insertion sort, which a name made of 2,000
	 * marks turned into millions of swaps per name (issue 18). */
	for (size_t i = 0, j; i < k; i = j + 1) {
		for (j = i; j < k && is_mark(cps[j]); j++)
			;
		if (j - i > 1)
			qsort(cps + i, j - i, sizeof(*cps), cmp_u32);
	}
	if (!(out = malloc(4 * k + 1)))
		goto done;
	size_t o = 0;
	for (size_t i = 0; i < k; i++) {	/* back to UTF-8, so that keys sort with strcmp */
		uint32_t c = cps[i];
		if (c < 0x80)
			out[o++] = (char)c;
		else if (c < 0x800)
			out[o++] = (char)(0xC0 | c >> 6), out[o++] = (char)(0x80 | (c & 0x3F));
		else if (c < 0x10000)
			out[o++] = (char)(0xE0 | c >> 12), out[o++] = (char)(0x80 | (c >> 6 & 0x3F)),
			out[o++] = (char)(0x80 | (c & 0x3F));
		else
			out[o++] = (char)(0xF0 | c >> 18), out[o++] = (char)(0x80 | (c >> 12 & 0x3F)),
			out[o++] = (char)(0x80 | (c >> 6 & 0x3F)), out[o++] = (char)(0x80 | (c & 0x3F));
	}
	out[o] = '\0';
done:
	free(cps);
	return out;
}

static int by_key(const void *a, const void *b)
{
	const struct zent *x = a, *y = b;
	int r = strcmp(x->key, y->key);
	return r ? r : strcmp(x->name, y->name);
}

static void check_names(struct zc *z, struct zent *ents, size_t n)
{
	qsort(ents, n, sizeof(*ents), by_key);
	for (size_t i = 1; i < n; i++) {
		if (strcmp(ents[i - 1].key, ents[i].key) != 0)
			continue;
		if (strcmp(ents[i - 1].name, ents[i].name) == 0)
			report(z, "container.names", ents[i].name, "two entries named '%s'", ents[i].name);
		else
			report(z, "container.names", ents[i].name, "'%s' and '%s' differ only in case or "
			    "Unicode normalisation (one file on Windows and macOS)", ents[i - 1].name,
			    ents[i].name);
	}
}

/* ----------------------------------------------------------- end records ---- */

struct end {
	uint64_t entries, cd_off, cd_size;
	uint64_t cd_end;	/* where the central directory must end */
};

/* 4.3.16 and 4.3.14-15: exactly one end record, at the very end of the file, without a
 * comment (an archive comment, or bytes after the record, is room for hidden data). */
static int read_end(struct zc *z, struct end *E)
{
	unsigned char t[END_LEN + MAX16], *p = NULL;
	size_t tl = z->size < sizeof(t) ? (size_t)z->size : sizeof(t);
	uint64_t end_off;
	if (z->size < END_LEN || rd(z, t, tl, z->size - tl)) {
		report(z, "container.structure", NULL, "too short to be a ZIP file");
		return -1;
	}
	for (size_t i = tl - END_LEN + 1; i-- > 0;)
		if (get32(t + i) == SIG_END) {
			p = t + i;
			break;
		}
	if (!p) {
		report(z, "container.structure", NULL, "no end of central directory record in the "
		    "last 64 KiB (truncated, or data appended)");
		return -1;
	}
	end_off = z->size - tl + (uint64_t)(p - t);
	if (get16(p + 20) != 0 || end_off + END_LEN != z->size) {
		uint64_t extra = z->size - end_off - END_LEN;
		if (get16(p + 20) == extra)
			report(z, "container.structure", NULL, "an archive comment of %llu bytes after the "
			    "end of central directory record (scelle writes none)", (unsigned long long)extra);
		else
			report(z, "container.structure", NULL, "%llu bytes after the end of central "
			    "directory record (data appended to the archive)", (unsigned long long)extra);
		return -1;
	}
	if (get16(p + 4) || get16(p + 6) || get16(p + 8) != get16(p + 10)) {
		report(z, "container.structure", NULL, "a multi-disk (split) archive");
		return -1;
	}
	E->entries = get16(p + 10);
	E->cd_size = get32(p + 12);
	E->cd_off = get32(p + 16);
	E->cd_end = end_off;
	unsigned char l[LOCATOR_LEN], e64[END64_LEN];
	int has_loc = end_off >= LOCATOR_LEN && rd(z, l, LOCATOR_LEN, end_off - LOCATOR_LEN) == 0 &&
	    get32(l) == SIG_LOCATOR64;
	if (!has_loc) {
		if (E->entries == MAX16 || E->cd_size == MAX32 || E->cd_off == MAX32) {
			report(z, "container.structure", NULL, "the end record says ZIP64 but there is no "
			    "ZIP64 locator");
			return -1;
		}
		return 0;
	}
	uint64_t e64_off = get64(l + 8);
	if (get32(l + 4) != 0 || get32(l + 16) != 1 || rd(z, e64, END64_LEN, e64_off) ||
	    get32(e64) != SIG_END64) {
		report(z, "container.structure", NULL, "the ZIP64 locator does not point to a ZIP64 "
		    "end of central directory record");
		return -1;
	}
	/* 4.3.14.1: the record size excludes its first 12 bytes; version 1 is 56 bytes, and
	 * nothing may sit between it and the locator. */
	if (get64(e64 + 4) != END64_LEN - 12 || e64_off + END64_LEN != end_off - LOCATOR_LEN ||
	    get32(e64 + 16) || get32(e64 + 20) || get64(e64 + 24) != get64(e64 + 32)) {
		report(z, "container.structure", NULL, "the ZIP64 end of central directory record is "
		    "not where the locator says, has an extensible data sector, or spans disks");
		return -1;
	}
	uint64_t n64 = get64(e64 + 32), s64 = get64(e64 + 40), o64 = get64(e64 + 48);
	if ((E->entries != MAX16 && E->entries != n64) || (E->cd_size != MAX32 && E->cd_size != s64) ||
	    (E->cd_off != MAX32 && E->cd_off != o64)) {
		report(z, "container.structure", NULL, "the end record and the ZIP64 end record disagree");
		return -1;
	}
	E->entries = n64;
	E->cd_size = s64;
	E->cd_off = o64;
	E->cd_end = e64_off;
	return 0;
}

/* ------------------------------------------------------------ one entry ---- */

/* 4.5.3: the ZIP64 extra field (0x0001) holds, in this order, the fields whose 32-bit slot
 * says 0xFFFFFFFF.  In a local header it holds both sizes.  -1 if a needed one is missing
 * or the extra block is not a clean sequence of (id, size, data). */
static int zip64_fields(const unsigned char *x, size_t xl, uint64_t *v[], int nv)
{
	size_t i = 0;
	int need = 0;
	for (int k = 0; k < nv; k++)
		need += v[k] != NULL;
	while (i < xl) {
		if (xl - i < 4 || get16(x + i + 2) > xl - i - 4)
			return -1;
		uint16_t id = get16(x + i), len = get16(x + i + 2);
		if (id == 0x0001) {
			size_t o = 0;
			for (int k = 0; k < nv; k++) {
				if (!v[k])
					continue;
				if (o + 8 > len)
					return -1;
				*v[k] = get64(x + i + 4 + o);
				o += 8;
				need--;
			}
		}
		i += 4u + len;
	}
	return need ? -1 : 0;
}

struct cd_rec {
	uint16_t flags, method, nlen, xlen, clen;
	uint32_t crc;
	uint64_t csize, usize, offset;
	const unsigned char *name, *extra;
};

/* The local header of entry r, compared field by field with its central record; fills
 * *x with the bytes the entry occupies. */
static void check_local(struct zc *z, const struct cd_rec *r, const char *name, const struct end *E,
    struct ext *x)
{
	/* One read for the header, the name and a ZIP64 extra field; a second only when the
	 * extra field is longer. */
	unsigned char *h = z->lbuf;
	size_t want = 30u + r->nlen + 20u;
	x->start = r->offset;
	x->end = r->offset;
	if (r->offset < E->cd_off && want > E->cd_off - r->offset)
		want = (size_t)(E->cd_off - r->offset);
	int small = r->csize < LH_WINDOW;
	if (r->offset >= E->cd_off || want < 30 || local_rd(z, h, want, r->offset, E->cd_off, small) ||
	    get32(h) != SIG_LOCAL) {
		report(z, "container.structure", name, "the central directory points '%s' at offset "
		    "%llu, where there is no local header", name, (unsigned long long)r->offset);
		return;
	}
	uint16_t lnlen = get16(h + 26), lxlen = get16(h + 28);
	uint64_t lcsize = get32(h + 18), lusize = get32(h + 22);
	uint64_t data = r->offset + 30 + lnlen + lxlen;
	size_t need = 30u + lnlen + lxlen;
	if (need > want && local_rd(z, h + want, need - want, r->offset + want, E->cd_off, small)) {
		report(z, "container.structure", name, "the local header of '%s' runs past the end of "
		    "the file", name);
		return;
	}
	const unsigned char *lname = h + 30, *lx = h + 30 + lnlen;
	if (lnlen != r->nlen || memcmp(lname, r->name, lnlen) != 0)
		report(z, "container.structure", name, "the local header names '%.*s' where the central "
		    "directory names '%s'", (int)lnlen, (const char *)lname, name);
	if (get16(h + 6) != r->flags || get16(h + 8) != r->method)
		report(z, "container.structure", name, "the local header of '%s' has other flags or "
		    "another compression method than its central record", name);
	if (lcsize == MAX32 || lusize == MAX32) {
		uint64_t *v[2] = { &lusize, &lcsize };
		if (zip64_fields(lx, lxlen, v, 2))
			report(z, "container.structure", name, "the local ZIP64 field of '%s' is damaged", name);
	}
	if (r->flags & 0x0008) {
		/* 4.3.9: sizes and CRC after the data.  Never written by scelle; a descriptor is
		 * a second, unsigned statement of the size that readers follow differently. */
		unsigned char d[28];
		uint64_t dc = 0, du = 0;
		int z64 = lxlen > 0 && (lcsize == MAX32 || lusize == MAX32);
		size_t dl = z64 ? 24 : 16;
		if (r->csize <= E->cd_off && data <= E->cd_off - r->csize &&
		    rd(z, d, dl, data + r->csize) == 0) {
			size_t o = get32(d) == SIG_DESC ? 4 : 0;
			dc = z64 ? get64(d + o + 4) : get32(d + o + 4);
			du = z64 ? get64(d + o + 12) : get32(d + o + 8);
			x->end = data + r->csize + o + (z64 ? 20 : 12);
			if (get32(d + o) != r->crc || dc != r->csize || du != r->usize)
				report(z, "container.structure", name, "the data descriptor of '%s' says %llu "
				    "bytes (%llu compressed) where the central directory says %llu (%llu)",
				    name, (unsigned long long)du, (unsigned long long)dc,
				    (unsigned long long)r->usize, (unsigned long long)r->csize);
		}
		report(z, "container.structure", name, "'%s' has a data descriptor (general purpose "
		    "bit 3; refused, EN 319 162-1 A.1 and DESIGN.md §2)", name);
		return;
	}
	if (get32(h + 14) != r->crc || lcsize != r->csize || lusize != r->usize)
		report(z, "container.structure", name, "the local header of '%s' says %llu bytes (%llu "
		    "compressed) where the central directory says %llu (%llu)", name,
		    (unsigned long long)lusize, (unsigned long long)lcsize,
		    (unsigned long long)r->usize, (unsigned long long)r->csize);
	if (data > E->cd_off || r->csize > E->cd_off - data) {
		report(z, "container.structure", name, "'%s' claims %llu bytes of data at offset %llu, "
		    "past the central directory (file size %llu)", name, (unsigned long long)r->csize,
		    (unsigned long long)data, (unsigned long long)z->size);
		return;
	}
	x->end = data + r->csize;
}

/* A central record: flags, method, names, ZIP64 values, caps.  -1 stops the walk. */
static int check_central(struct zc *z, const unsigned char *h, struct cd_rec *r, char **namep)
{
	r->flags = get16(h + 8);
	r->method = get16(h + 10);
	r->crc = get32(h + 16);
	r->csize = get32(h + 20);
	r->usize = get32(h + 24);
	r->nlen = get16(h + 28);
	r->xlen = get16(h + 30);
	r->clen = get16(h + 32);
	r->offset = get32(h + 42);
	r->name = h + 46;
	r->extra = h + 46 + r->nlen;
	char *name = malloc((size_t)r->nlen + 1);
	if (!name)
		return -1;
	memcpy(name, r->name, r->nlen);
	name[r->nlen] = '\0';
	*namep = name;
	if (r->nlen == 0 || memchr(name, '\0', r->nlen))
		report(z, "container.names", NULL, "an entry name is empty or holds a NUL byte");
	if (r->nlen > MAX_NAME_BYTES)
		report(z, "container.limits", NULL, "an entry name of %u bytes (limit %u)", r->nlen,
		    MAX_NAME_BYTES);
	if (get16(h + 34) != 0)
		report(z, "container.structure", name, "'%s' is on another disk", name);
	if (r->flags & 0x2041)	/* 4.4.4 bits 0, 6, 13: encryption */
		report(z, "container.structure", name, "'%s' is encrypted", name);
	if (r->method != 0 && r->method != 8)
		report(z, "container.structure", name, "'%s' uses compression method %u (only STORED "
		    "and DEFLATE are allowed)", name, r->method);
	uint64_t *v[3] = { r->usize == MAX32 ? &r->usize : NULL, r->csize == MAX32 ? &r->csize : NULL,
		r->offset == MAX32 ? &r->offset : NULL };
	if ((v[0] || v[1] || v[2] || r->xlen) && zip64_fields(r->extra, r->xlen, v, 3)) {
		report(z, "container.structure", name, "the extra field of '%s' is damaged or lacks "
		    "its ZIP64 values", name);
		return 0;
	}
	if (r->method == 0 && r->csize != r->usize)
		report(z, "container.structure", name, "'%s' is STORED but its sizes differ (%llu, %llu)",
		    name, (unsigned long long)r->csize, (unsigned long long)r->usize);
	if (r->usize > z->size * 1032 + 1024)	/* DEFLATE cannot do better than ~1:1032 */
		report(z, "container.structure", name, "'%s' claims %llu bytes, more than the archive "
		    "could hold", name, (unsigned long long)r->usize);
	/* The signed documents are read into memory: their size is capped before reading. */
	unsigned cap = strcmp(name, ASIC_SIGNATURE) == 0 ? MAX_SIG_BYTES :
	    strcmp(name, ASIC_MANIFEST) == 0 || strcmp(name, EVIDENCE_XML) == 0 ? MAX_XML_BYTES : 0;
	if (cap && r->usize > cap)
		report(z, "container.limits", name, "'%s' is %llu bytes, over the limit of %u MiB",
		    name, (unsigned long long)r->usize, cap >> 20);
	return 0;
}

/* Bytes that belong to no entry: say so, and say it louder if they hold a central
 * directory record (a second central directory that another reader may follow). */
static void report_gap(struct zc *z, uint64_t from, uint64_t to, const char *where)
{
	unsigned char b[4096];
	int cd = 0;
	for (uint64_t o = from; o < to && !cd; o += sizeof(b) - 3) {
		size_t n = to - o < sizeof(b) ? (size_t)(to - o) : sizeof(b);
		if (rd(z, b, n, o))
			break;
		for (size_t i = 0; i + 4 <= n; i++)
			if (get32(b + i) == SIG_CENTRAL || get32(b + i) == SIG_END) {
				cd = 1;
				break;
			}
		if (n < sizeof(b))
			break;
	}
	if (cd)
		report(z, "container.structure", NULL, "a second central directory: %llu bytes %s hold "
		    "central directory records", (unsigned long long)(to - from), where);
	else
		report(z, "container.structure", NULL, "%llu bytes %s belong to no entry",
		    (unsigned long long)(to - from), where);
}

static int by_start(const void *a, const void *b)
{
	const struct ext *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

static void check_layout(struct zc *z, struct ext *xs, size_t n, struct zent *ents, const struct end *E)
{
	uint64_t at = 0;
	const char *prev = NULL;
	qsort(xs, n, sizeof(*xs), by_start);
	for (size_t i = 0; i < n; i++) {
		const char *name = ents[xs[i].ent].name;
		if (xs[i].end == xs[i].start)
			continue;	/* its local header was already reported */
		if (xs[i].start < at)
			report(z, "container.structure", name, "the entries '%s' and '%s' overlap", prev, name);
		else if (xs[i].start > at) {
			char where[64 + MAX_NAME_BYTES];
			snprintf(where, sizeof(where), prev ? "after '%s'" : "before the first entry", prev);
			report_gap(z, at, xs[i].start, where);
		}
		if (xs[i].end > at)
			at = xs[i].end;
		prev = name;
	}
	if (at < E->cd_off)
		report_gap(z, at, E->cd_off, "between the last entry and the central directory");
}

/* ----------------------------------------------------------------- main ---- */

int zip_check(int fd, uint64_t size, struct scelle_result *r, zip_crc_fn fn, void *arg)
{
	struct zc z = { .fd = fd, .size = size, .r = r };
	struct end E;
	struct zent *ents = NULL;
	struct ext *xs = NULL;
	size_t n = 0;
	locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);

	if (read_end(&z, &E))
		goto out;
	if (E.entries > MAX_ENTRIES) {
		report(&z, "container.limits", NULL, "%llu entries (limit %u)",
		    (unsigned long long)E.entries, MAX_ENTRIES);
		goto out;
	}
	if (E.cd_off > E.cd_end || E.cd_size != E.cd_end - E.cd_off) {
		if (E.cd_off <= E.cd_end && E.cd_size < E.cd_end - E.cd_off)
			report_gap(&z, E.cd_off + E.cd_size, E.cd_end, "between the central directory and "
			    "the end record");
		else
			report(&z, "container.structure", NULL, "the central directory (%llu bytes at "
			    "offset %llu) does not end where the end record begins (%llu)",
			    (unsigned long long)E.cd_size, (unsigned long long)E.cd_off,
			    (unsigned long long)E.cd_end);
		goto out;
	}
	if (E.cd_size / 46 < E.entries) {
		report(&z, "container.structure", NULL, "a central directory of %llu bytes cannot hold "
		    "%llu entries", (unsigned long long)E.cd_size, (unsigned long long)E.entries);
		goto out;
	}
	z.cd.cap = CD_WINDOW;
	z.local.cap = LH_WINDOW;
	if (!(z.cd.buf = malloc(CD_WINDOW)) || !(z.local.buf = malloc(LH_WINDOW)) ||
	    !(z.lbuf = malloc(30u + 2u * MAX16)) || !(ents = xcalloc(E.entries + 1, sizeof(*ents))) ||
	    !(xs = xcalloc(E.entries + 1, sizeof(*xs)))) {
		report(&z, "container.structure", NULL, "out of memory");
		goto out;
	}
	uint64_t off = E.cd_off;
	for (; n < E.entries; n++) {
		const unsigned char *h = cd_at(&z, off, 46, E.cd_end);
		struct cd_rec rec;
		if (!h || get32(h) != SIG_CENTRAL) {
			report(&z, "container.structure", NULL, "central directory record %zu of %llu is "
			    "damaged", n + 1, (unsigned long long)E.entries);
			goto out;
		}
		size_t len = 46u + get16(h + 28) + get16(h + 30) + get16(h + 32);
		if (!(h = cd_at(&z, off, len, E.cd_end))) {
			report(&z, "container.structure", NULL, "central directory record %zu runs past "
			    "the central directory", n + 1);
			goto out;
		}
		if (check_central(&z, h, &rec, &ents[n].name))
			goto out;
		if (fn)
			fn(arg, ents[n].name, rec.crc);
		ents[n].nlen = rec.nlen;
		if (!(ents[n].key = fold_key(ents[n].name, rec.nlen, loc))) {
			report(&z, "container.names", ents[n].name, "the name '%s' is not UTF-8", ents[n].name);
			ents[n].key = xstrdup(ents[n].name);
		}
		xs[n].ent = n;
		check_local(&z, &rec, ents[n].name, &E, &xs[n]);
		off += len;
	}
	if (off != E.cd_end)
		report_gap(&z, off, E.cd_end, "after the last central directory record");
	check_layout(&z, xs, n, ents, &E);
	for (size_t i = 0; i < n; i++)
		if (!ents[i].key)
			goto out;
	check_names(&z, ents, n);
out:
	if (z.failures > MAX_REPORTS)
		result_check(r, "container.structure", SCELLE_FAILED, "FORMAT_FAILURE", NULL,
		    "%d more structural problems", z.failures - MAX_REPORTS);
	if (!z.failures)
		result_check(r, "container.structure", SCELLE_PASSED, NULL, NULL,
		    "%zu entries; one end record at the end of the file; every local header agrees "
		    "with the central directory; no gap, overlap or data descriptor", n);
	for (size_t i = 0; ents && i < n + 1; i++) {
		free(ents[i].name);
		free(ents[i].key);
	}
	free(ents);
	free(xs);
	free(z.cd.buf);
	free(z.local.buf);
	free(z.lbuf);
	if (loc != (locale_t)0)
		freelocale(loc);
	return z.failures ? -1 : 0;
}
