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
 * central directory record, no data descriptor (EN 319 162-1 §A.1 and doc/design.md §2:
 * Java's ZipInputStream, used by EU DSS, rejects STORED entries with one), no extra field
 * but ZIP64's (FORMAT.md §1: an Info-ZIP Unicode Path field gives an entry a second name
 * that some readers follow), no names that a receiving file system would merge (case,
 * Unicode normalisation form: the collision key of names.c, the one seal uses).
 *
 * The central directory walked here is the one every reader of a sealed archive uses
 * (zip_dir, zip_rd): verify hashes and stamp copies each entry under its central
 * directory name, from the bytes its record points at, never through a second parser
 * that could see other names or other bytes.
 * References are to PKWARE's APPNOTE.TXT 6.3.x.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libdeflate.h>
#include <zlib.h>
#include "container.h"
#include "result.h"

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
	const char *name;	/* the central directory's (zip_dir owns it) */
	char *key;	/* its collision key (names.c, name_fold_key) */
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
	int failures, name_failures;
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
	z->name_failures += strcmp(id, "container.names") == 0;
	if (++z->failures > MAX_REPORTS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), L_(fmt), ap);
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

/* Names that would escape a folder on extraction, or that no receiver can store. */
static const char *unsafe_name(const char *n)
{
	if (n[0] == '/')
		return L_("absolute path");
	if (strchr(n, '\\'))
		return L_("backslash in name");
	for (const unsigned char *p = (const unsigned char *)n; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return L_("control character in name");
	for (const char *p = n; p; p = strchr(p, '/')) {
		if (*p == '/')
			p++;
		if (strncmp(p, "..", 2) == 0 && (p[2] == '/' || p[2] == '\0'))
			return L_("'..' in path");
		if (*p == '/' || *p == '\0')
			return L_("empty path component");
		if (p[0] == '.' && (p[1] == '/' || p[1] == '\0'))
			return L_("'.' in path");
	}
	return NULL;
}

static int by_key(const void *a, const void *b)
{
	const struct zent *x = a, *y = b;
	int r = strcmp(x->key, y->key);
	return r ? r : strcmp(x->name, y->name);
}

/* 1 when the first len bytes of key are the whole key of an entry (ents sorted by key). */
static int key_exists(const struct zent *ents, size_t n, const char *key, size_t len)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {	/* the first key not below key[0..len): a longer one sorts after */
		size_t mid = lo + (hi - lo) / 2;
		if (strncmp(ents[mid].key, key, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && strncmp(ents[lo].key, key, len) == 0 && ents[lo].key[len] == '\0';
}

/* Two names with one collision key (names.c, name_fold_key: NFC and full case folding,
 * what seal refuses) are one file on Windows and macOS; a name that is also the folder of
 * another cannot be extracted at all.  Both are what seal refuses (check_name_collisions). */
static void check_names(struct zc *z, struct zent *ents, size_t n)
{
	sort(ents, n, sizeof(*ents), by_key);
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
	for (size_t i = 0; i < n; i++)
		for (const char *s = strchr(ents[i].key, '/'); s; s = strchr(s + 1, '/'))
			if (key_exists(ents, n, ents[i].key, (size_t)(s - ents[i].key))) {
				report(z, "container.names", ents[i].name, "'%s' lies in a folder that is also "
				    "a file of the archive", ents[i].name);
				break;
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
		report(z, "container.structure", NULL, "not a complete ZIP: no end of central directory "
		    "record in the last 64 KiB (the archive is truncated, or data was appended)");
		return -1;
	}
	end_off = z->size - tl + (uint64_t)(p - t);
	/* A ZIP's own end record follows its central directory (4.3.6).  One that does not,
	 * that no ZIP64 locator precedes, and whose offset finds no central directory header
	 * in this file, is the end of a ZIP stored inside the archive, a WhatsApp export say:
	 * the archive's own end was cut off, and the bytes after that record are not
	 * appended data.  (An end record that points at this file's directory from the wrong
	 * place is a forgery, said below.) */
	uint32_t cd_size = get32(p + 12), cd_off = get32(p + 16);
	unsigned char sig[4];
	if (cd_off != MAX32 && cd_size != MAX32 && (uint64_t)cd_off + cd_size != end_off &&
	    !(end_off >= LOCATOR_LEN && rd(z, sig, 4, end_off - LOCATOR_LEN) == 0 && get32(sig) == SIG_LOCATOR64) &&
	    !(rd(z, sig, 4, cd_off) == 0 && get32(sig) == SIG_CENTRAL)) {
		report(z, "container.structure", NULL, "not a complete ZIP: the archive is truncated (its "
		    "last end of central directory record, at byte %llu, belongs to a ZIP stored inside "
		    "it)", (unsigned long long)end_off);
		return -1;
	}
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

/* FORMAT.md §1: the one extra field allowed is ZIP64's (4.5.3), the one scelle writes.
 * Every other says something about the entry that some readers follow and others do not:
 * 0x7075 (Info-ZIP Unicode Path) gives it a second name, 0x6375 a second comment, time
 * stamps and owners are unsigned claims.  Names some of them for the message. */
static const char *extra_name(uint16_t id)
{
	switch (id) {
	case 0x7075: return "Info-ZIP Unicode Path";
	case 0x6375: return "Info-ZIP Unicode Comment";
	case 0x5455: return "extended timestamp";
	case 0x7875: return "Info-ZIP Unix owner";
	case 0x000a: return "NTFS times";
	case 0xd935: return "Android alignment";
	default: return "unknown";
	}
}

/* The extra block x[0..xl): a clean sequence of (id, size, data) records holding at most
 * one ZIP64 field and no other.  *z64, *z64len: where its data is (NULL: none).  Returns
 * NULL, or why not (into why). */
static const char *extra_block(const unsigned char *x, size_t xl, const unsigned char **z64,
    size_t *z64len, char *why, size_t wl)
{
	*z64 = NULL;
	*z64len = 0;
	for (size_t i = 0; i < xl;) {
		if (xl - i < 4 || get16(x + i + 2) > xl - i - 4)
			return L_("is damaged (a record runs past its end)");
		uint16_t id = get16(x + i), len = get16(x + i + 2);
		if (id != 0x0001) {
			snprintf(why, wl, L_("holds a field 0x%04x (%s); only ZIP64 (0x0001) is allowed"),
			    id, extra_name(id));
			return why;
		}
		if (*z64)
			return L_("holds two ZIP64 fields");
		*z64 = x + i + 4;
		*z64len = len;
		i += 4u + len;
	}
	return NULL;
}

/* 4.5.3: the ZIP64 field holds, in this order, exactly the fields whose 32-bit slot says
 * 0xFFFFFFFF (v[k] not NULL), no more: a value nobody needs is a second statement of the
 * size that readers follow differently.  -1 when it does not. */
static int zip64_fields(const unsigned char *d, size_t len, uint64_t *v[], int nv)
{
	size_t o = 0;
	for (int k = 0; k < nv; k++) {
		if (!v[k])
			continue;
		if (!d || o + 8 > len)
			return -1;
		*v[k] = get64(d + o);
		o += 8;
	}
	return o == len && (d != NULL) == (o > 0) ? 0 : -1;
}

struct cd_rec {
	uint16_t flags, method, nlen, xlen, clen;
	uint32_t crc;
	uint64_t csize, usize, offset;
	const unsigned char *name, *extra;
};

/* 4.3.9.3-4: the data descriptor at `at`: an optional signature, the CRC-32 and both
 * sizes in 4 bytes, or 8 in ZIP64, all equal to the central record's.  *end: where it
 * ends.  -1 when no reading of it agrees. */
static int descriptor(struct zc *z, const struct cd_rec *r, uint64_t at, uint64_t limit,
    uint64_t *end)
{
	unsigned char dd[24];
	for (size_t sig = 4;; sig -= 4) {
		for (size_t w = 4; w <= 8; w += 4) {
			size_t len = sig + 4 + 2 * w;
			const unsigned char *p = dd + sig;
			if (at > limit || len > limit - at || rd(z, dd, len, at) ||
			    (sig && get32(dd) != SIG_DESC))
				continue;
			uint64_t c = w == 8 ? get64(p + 4) : get32(p + 4);
			uint64_t u = w == 8 ? get64(p + 12) : get32(p + 8);
			if (get32(p) == r->crc && c == r->csize && u == r->usize) {
				*end = at + len;
				return 0;
			}
		}
		if (!sig)
			return -1;
	}
}

/* The local header of entry r, compared field by field with its central record; fills
 * *x with the bytes the entry occupies and d->data with where its data begins. */
static void check_local(struct zc *z, const struct cd_rec *r, struct zip_dirent *d,
    const struct end *E, struct ext *x)
{
	/* One read for the header, the name and a ZIP64 extra field; a second only when the
	 * extra field is longer. */
	const char *name = d->name;
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
	const unsigned char *lname = h + 30, *lx = h + 30 + lnlen, *z64;
	size_t z64len;
	char why[128];
	const char *bad;
	/* Byte-equal to the central name, so the local name passes the same rules. */
	if (lnlen != r->nlen || memcmp(lname, r->name, lnlen) != 0)
		report(z, "container.structure", name, "the local header names '%.*s' where the central "
		    "directory names '%s'", (int)lnlen, (const char *)lname, name);
	if (get16(h + 6) != r->flags || get16(h + 8) != r->method)
		report(z, "container.structure", name, "the local header of '%s' has other flags or "
		    "another compression method than its central record", name);
	if ((bad = extra_block(lx, lxlen, &z64, &z64len, why, sizeof(why))))
		report(z, "container.structure", name, "the local extra field of '%s' %s (FORMAT.md §1)",
		    name, bad);
	else {
		/* 4.5.3: in a local header the ZIP64 field holds both sizes, both slots saying so. */
		int slots = (lcsize == MAX32) + (lusize == MAX32);
		uint64_t *v[2] = { &lusize, &lcsize };
		if (slots == 1 || (slots == 2 && zip64_fields(z64, z64len, v, 2)) || (!slots && z64))
			report(z, "container.structure", name, "the local ZIP64 field of '%s' is damaged "
			    "or says what its header does not need", name);
	}
	if (r->flags & 0x0008) {
		/* 4.3.9: sizes and CRC after the data, a second statement of the size that readers
		 * follow differently.  scelle writes none and its own archives refuse them (reported
		 * by zip_check once it knows whose archive this is); a foreign container (Java's
		 * ZipOutputStream, EU DSS) is read when the descriptor repeats the central record
		 * exactly and the local header says nothing else (FORMAT.md, "Foreign containers"). */
		if ((get32(h + 14) && get32(h + 14) != r->crc) || (lcsize && lcsize != r->csize) ||
		    (lusize && lusize != r->usize))
			report(z, "container.structure", name, "the local header of '%s' says %llu bytes "
			    "(%llu compressed) where the central directory says %llu (%llu)", name,
			    (unsigned long long)lusize, (unsigned long long)lcsize,
			    (unsigned long long)r->usize, (unsigned long long)r->csize);
		if (data > E->cd_off || r->csize > E->cd_off - data) {
			report(z, "container.structure", name, "'%s' claims %llu bytes of data at offset "
			    "%llu, past the central directory", name, (unsigned long long)r->csize,
			    (unsigned long long)data);
			return;
		}
		x->end = data + r->csize;
		if (descriptor(z, r, data + r->csize, E->cd_off, &x->end) == 0) {
			d->data = data;
			return;
		}
		/* What it says, if it lies before the central directory: bytes of the directory
		 * read as a descriptor would be quoted as the descriptor's sizes. */
		unsigned char dd[24];
		uint64_t at = data + r->csize, room = E->cd_off - at;
		int is64 = lxlen > 0 && (lcsize == MAX32 || lusize == MAX32);
		size_t o = room >= 4 && rd(z, dd, 4, at) == 0 && get32(dd) == SIG_DESC ? 4 : 0;
		size_t len = o + (is64 ? 20 : 12);
		if (len <= room && rd(z, dd, len, at) == 0) {
			uint64_t dc = is64 ? get64(dd + o + 4) : get32(dd + o + 4);
			uint64_t du = is64 ? get64(dd + o + 12) : get32(dd + o + 8);
			x->end = at + len;
			report(z, "container.structure", name, "the data descriptor of '%s' says %llu "
			    "bytes (%llu compressed) where the central directory says %llu (%llu)",
			    name, (unsigned long long)du, (unsigned long long)dc,
			    (unsigned long long)r->usize, (unsigned long long)r->csize);
		} else
			report(z, "container.structure", name, "the data descriptor of '%s' is missing or "
			    "runs into the central directory", name);
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
	d->data = data;
}

/* The name rules (FORMAT.md §1) on the central directory's name, the one every reader of
 * verify and stamp uses; the local header must repeat it byte for byte (check_local). */
static void check_name(struct zc *z, const struct cd_rec *r, const char *name, int dir)
{
	const char *why = NULL;
	char stem[MAX_NAME_BYTES + 1];
	int ascii = 1;
	for (size_t i = 0; i < r->nlen; i++)
		ascii &= r->name[i] < 0x80;
	if (r->nlen == 0 || memchr(name, '\0', r->nlen)) {
		report(z, "container.names", NULL, "an entry name is empty or holds a NUL byte");
		return;
	}
	if (r->nlen > MAX_NAME_BYTES) {
		report(z, "container.limits", NULL, "an entry name of %u bytes (limit %u)", r->nlen,
		    MAX_NAME_BYTES);
		return;
	}
	if (!ascii && !(r->flags & 0x0800))	/* 4.4.4 bit 11; Appendix D */
		report(z, "container.names", name, "the name '%s' is not ASCII and not flagged as UTF-8 "
		    "(general purpose bit 11): other readers decode it as CP437", name);
	else if (!utf8_valid(name, r->nlen))
		report(z, "container.names", name, "the name '%s' is not UTF-8", name);
	/* a directory entry ("name/", is_dir_entry) is judged without its final '/' */
	snprintf(stem, sizeof(stem), "%.*s", (int)r->nlen - dir, name);
	if ((why = unsafe_name(stem)))
		report(z, "container.names", name, "unsafe entry: %s", why);
}

/* A directory entry as Java, Info-ZIP and Windows write them: a name ending in '/', no
 * data, the MS-DOS directory bit or a Unix directory mode or none.  Evidence is files: a
 * scelle archive has none (zip_check refuses it there); a foreign container may. */
static int is_dir_entry(const unsigned char *h)
{
	uint16_t nlen = get16(h + 28);
	uint32_t ea = get32(h + 38);
	unsigned mode = ea >> 16 & S_IFMT;
	return nlen > 1 && h[46 + nlen - 1] == '/' && get32(h + 24) == 0 && get32(h + 20) <= 2 &&
	    (mode == 0 || mode == S_IFDIR);
}

/* 4.4.2, 4.4.15: a Unix mode in the high half of the external attributes, or the MS-DOS
 * directory bit, says what the entry is; only regular files are evidence.  The mode is
 * judged whatever host "version made by" names: Info-ZIP unzip also honours it for Atari,
 * BeOS, QDOS, Tandem, VMS, Acorn and AtheOS, libarchive for macOS (19), so a link behind
 * another host number would pass here and be made a link there. */
static const char *entry_type(const unsigned char *h)
{
	uint32_t ea = get32(h + 38);
	unsigned mode = ea >> 16 & S_IFMT;
	if (mode == S_IFLNK)
		return L_("symbolic link entry");
	if ((mode != 0 && mode != S_IFREG) || (ea & 0x10))
		return L_("not a regular file");
	return NULL;
}

/* A central record: flags, method, names, extra field, ZIP64 values, caps.  -1 when its
 * sizes or offset cannot be known (its local header is then not looked at). */
static int check_central(struct zc *z, const unsigned char *h, struct cd_rec *r,
    struct zip_dirent *d)
{
	const unsigned char *z64;
	size_t z64len;
	char why[128];
	const char *bad, *name = d->name;
	d->flags = r->flags = get16(h + 8);
	d->method = r->method = get16(h + 10);
	d->dos_time = get16(h + 12);
	d->dos_date = get16(h + 14);
	r->crc = get32(h + 16);
	r->csize = get32(h + 20);
	r->usize = get32(h + 24);
	r->nlen = get16(h + 28);
	r->xlen = get16(h + 30);
	r->clen = get16(h + 32);
	r->offset = get32(h + 42);
	r->name = h + 46;
	r->extra = h + 46 + r->nlen;
	int dir = is_dir_entry(h);
	check_name(z, r, name, dir);
	if (dir)
		d->not_file = 3;	/* judged by zip_check once it knows whose archive it is */
	else if ((bad = entry_type(h))) {
		report(z, "container.names", name, "unsafe entry: %s", bad);
		d->not_file = bad[0] == 's' ? 1 : 2;
	}
	if (get16(h + 34) != 0)
		report(z, "container.structure", name, "'%s' is on another disk", name);
	if (r->flags & 0x2041)	/* 4.4.4 bits 0, 6, 13: encryption */
		report(z, "container.structure", name, "'%s' is encrypted", name);
	if (r->method != 0 && r->method != 8)
		report(z, "container.structure", name, "'%s' uses compression method %u (only STORED "
		    "and DEFLATE are allowed)", name, r->method);
	if (r->clen)	/* scelle writes none: unsigned words a reader may show as the file's */
		report(z, "container.structure", name, "'%s' has a file comment of %u bytes in the "
		    "central directory", name, r->clen);
	uint64_t *v[3] = { r->usize == MAX32 ? &r->usize : NULL, r->csize == MAX32 ? &r->csize : NULL,
		r->offset == MAX32 ? &r->offset : NULL };
	if ((bad = extra_block(r->extra, r->xlen, &z64, &z64len, why, sizeof(why)))) {
		report(z, "container.structure", name, "the extra field of '%s' %s (FORMAT.md §1)",
		    name, bad);
		if (v[0] || v[1] || v[2])
			return -1;
	} else if (zip64_fields(z64, z64len, v, 3)) {
		report(z, "container.structure", name, "the ZIP64 field of '%s' is damaged, lacks a "
		    "value its record needs or holds one it does not", name);
		return -1;
	}
	d->crc = r->crc;
	d->csize = r->csize;
	d->usize = r->usize;
	d->offset = r->offset;
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
	sort(xs, n, sizeof(*xs), by_start);
	for (size_t i = 0; i < n; i++) {
		const char *name = ents[xs[i].ent].name;
		if (xs[i].end == xs[i].start)
			continue;	/* its local header was already reported */
		if (xs[i].start < at)
			report(z, "container.structure", name, "the entries '%s' and '%s' overlap", prev, name);
		else if (xs[i].start > at) {
			char where[64 + MAX_NAME_BYTES];
			snprintf(where, sizeof(where), prev ? L_("after '%s'") : L_("before the first entry"), prev);
			report_gap(z, at, xs[i].start, where);
		}
		if (xs[i].end > at)
			at = xs[i].end;
		prev = name;
	}
	if (at < E->cd_off)
		report_gap(z, at, E->cd_off, L_("between the last entry and the central directory"));
}

/* ----------------------------------------------------------------- main ---- */

/* Whose archive this is decides the profile (FORMAT.md, "Foreign containers"): one with
 * evidence.xml is scelle's and is held to FORMAT.md §1 exactly, so data descriptors and
 * directory entries fail there; one without is read as another ETSI tool's container,
 * which may have both.  Deleting evidence.xml from a scelle archive to get the laxer
 * reading leaves its manifest naming evidence.xml: verify_etsi.c fails that. */
static void judge_profile(struct zc *z, struct zip_dir *dir)
{
	int own = 0;
	for (size_t i = 0; i < dir->n && !own; i++)
		own = strcmp(dir->e[i].name, EVIDENCE_XML) == 0;
	dir->foreign = !own;
	dir->descriptors = 0;
	for (size_t i = 0; i < dir->n; i++) {
		struct zip_dirent *d = &dir->e[i];
		dir->descriptors += (d->flags & 0x0008) != 0;
		if (own && d->not_file == 3) {
			report(z, "container.names", d->name, "unsafe entry: not a regular file");
			d->not_file = 2;
		}
		if (own && (d->flags & 0x0008)) {
			report(z, "container.structure", d->name, "'%s' has a data descriptor (general "
			    "purpose bit 3; refused, EN 319 162-1 A.1 and FORMAT.md §2.1)", d->name);
			d->data = 0;
		}
	}
}

void zip_dir_free(struct zip_dir *dir)
{
	for (size_t i = 0; dir && i < dir->n; i++)
		free(dir->e[i].name);
	if (dir) {
		free(dir->e);
		dir->e = NULL;
		dir->n = 0;
	}
}

int zip_check(int fd, uint64_t size, struct scelle_result *r, struct zip_dir *dir)
{
	struct zc z = { .fd = fd, .size = size, .r = r };
	struct end E;
	struct zent *ents = NULL;
	struct ext *xs = NULL;
	size_t n = 0;

	dir->e = NULL;
	dir->foreign = 0;
	dir->descriptors = 0;
	dir->n = 0;
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
	    !(xs = xcalloc(E.entries + 1, sizeof(*xs))) ||
	    !(dir->e = xcalloc(E.entries + 1, sizeof(*dir->e)))) {
		report(&z, "container.structure", NULL, "out of memory");
		goto out;
	}
	uint64_t off = E.cd_off;
	for (; n < E.entries; n++) {
		const unsigned char *h = cd_at(&z, off, 46, E.cd_end);
		struct zip_dirent *d = &dir->e[n];
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
		size_t nlen = get16(h + 28);
		if (!(d->name = malloc(nlen + 1))) {
			report(&z, "container.structure", NULL, "out of memory");
			goto out;
		}
		memcpy(d->name, h + 46, nlen);
		d->name[nlen] = '\0';
		dir->n = n + 1;
		ents[n].name = d->name;
		xs[n].ent = n;
		if (check_central(&z, h, &rec, d) == 0)
			check_local(&z, &rec, d, &E, &xs[n]);
		/* The collision key of seal (names.c); a name that is not UTF-8 was reported and
		 * is compared as it is. */
		ents[n].key = utf8_valid(d->name, nlen) ? name_fold_key(d->name) : xstrdup(d->name);
		if (!ents[n].key) {
			report(&z, "container.structure", NULL, "out of memory");
			goto out;
		}
		off += len;
	}
	if (off != E.cd_end)
		report_gap(&z, off, E.cd_end, L_("after the last central directory record"));
	judge_profile(&z, dir);
	check_layout(&z, xs, n, ents, &E);
	check_names(&z, ents, n);
out:
	if (z.failures > MAX_REPORTS)
		result_check(r, "container.structure", SCELLE_FAILED, "FORMAT_FAILURE", NULL,
		    "%d more structural problems", z.failures - MAX_REPORTS);
	if (!z.failures && !dir->foreign)
		result_check(r, "container.structure", SCELLE_PASSED, NULL, NULL,
		    "%zu entries; one end record at the end of the file; every local header agrees "
		    "with the central directory; no extra field but ZIP64, no gap, overlap or data "
		    "descriptor", n);
	else if (!z.failures)
		result_check(r, "container.structure", SCELLE_PASSED, NULL, NULL,
		    "%zu entries; one end record at the end of the file; every local header agrees "
		    "with the central directory; no extra field but ZIP64, no gap or overlap; %zu data "
		    "descriptor%s, each equal to its central record", n, dir->descriptors,
		    dir->descriptors == 1 ? "" : "s");
	if (!z.name_failures && dir->n == n && n)
		result_check(r, "container.names", SCELLE_PASSED, NULL, NULL,
		    "%zu entries, names UTF-8, safe and unique under case folding and NFC", n);
	for (size_t i = 0; ents && i < n + 1; i++)
		free(ents[i].key);
	free(ents);
	free(xs);
	free(z.cd.buf);
	free(z.local.buf);
	free(z.lbuf);
	return z.failures ? -1 : 0;
}

/* ---------------------------------------------------------- entry reader ---- */

#define RD_IN (256u << 10)

struct zip_rd {
	int fd;
	const struct zip_dirent *e;
	uint64_t in, out;	/* compressed bytes read, bytes given */
	uint32_t crc;
	int state;		/* 0 reading, 1 at the end (checked), -1 failed */
	z_stream zs;
	int zinit, ended;	/* inflateInit2 done; Z_STREAM_END seen */
	unsigned char *ibuf;
	char why[160];
};

static ssize_t rd_fail(struct zip_rd *rd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static ssize_t rd_fail(struct zip_rd *rd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rd->why, sizeof(rd->why), L_(fmt), ap);
	va_end(ap);
	rd->state = -1;
	return -1;
}

struct zip_rd *zip_rd_open(int fd, const struct zip_dirent *e)
{
	struct zip_rd *rd = xcalloc(1, sizeof(*rd));
	if (!rd)
		return NULL;
	rd->fd = fd;
	rd->e = e;
	if (!e->data)
		rd_fail(rd, "its local header is unsound");
	else if (e->method == 8) {
		if (!(rd->ibuf = malloc(RD_IN)) || inflateInit2(&rd->zs, -15) != Z_OK) {
			free(rd->ibuf);
			free(rd);
			return NULL;
		}
		rd->zinit = 1;
	} else if (e->method != 0)
		rd_fail(rd, "compression method %u", e->method);
	return rd;
}

/* n compressed bytes at the read position, all or -1. */
static int rd_raw(struct zip_rd *rd, void *p, size_t n)
{
	for (size_t got = 0; got < n;) {
		ssize_t k = pread(rd->fd, (char *)p + got, n - got, (off_t)(rd->e->data + rd->in + got));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			errno = k ? errno : EIO;	/* the file is shorter than it was */
			return -1;
		}
		got += (size_t)k;
	}
	rd->in += n;
	return 0;
}

ssize_t zip_rd_read(struct zip_rd *rd, void *buf, size_t n)
{
	const struct zip_dirent *e = rd->e;
	size_t got = 0;
	if (rd->state)
		return rd->state < 0 ? -1 : 0;
	if (e->method == 0) {	/* STORED: csize == usize (zip_check) */
		uint64_t left = e->csize - rd->in;
		got = left < n ? (size_t)left : n;
		if (got && rd_raw(rd, buf, got))
			return rd_fail(rd, "%s", strerror(errno));
	} else {
		/* At most one byte more than the central directory says is asked for: a stream
		 * that would inflate further is caught without inflating it (a bomb). */
		uint64_t room = e->usize - rd->out + 1;
		rd->zs.next_out = buf;
		rd->zs.avail_out = (uInt)(room < n ? room : n);
		while (rd->zs.avail_out && !rd->ended) {
			if (!rd->zs.avail_in && rd->in < e->csize) {
				uint64_t left = e->csize - rd->in;
				size_t k = left < RD_IN ? (size_t)left : RD_IN;
				if (rd_raw(rd, rd->ibuf, k))
					return rd_fail(rd, "%s", strerror(errno));
				rd->zs.next_in = rd->ibuf;
				rd->zs.avail_in = (uInt)k;
			}
			int zr = inflate(&rd->zs, Z_NO_FLUSH);
			if (zr == Z_STREAM_END)
				rd->ended = 1;
			else if (zr == Z_BUF_ERROR && !rd->zs.avail_in)
				return rd_fail(rd, "its DEFLATE stream does not end within its %llu compressed "
				    "bytes", (unsigned long long)e->csize);
			else if (zr != Z_OK)
				return rd_fail(rd, "its DEFLATE stream is damaged");
		}
		got = (size_t)((unsigned char *)rd->zs.next_out - (unsigned char *)buf);
		if (got > e->usize - rd->out)
			return rd_fail(rd, "it inflates to more than the %llu bytes its central record "
			    "says", (unsigned long long)e->usize);
		if (rd->ended && (rd->zs.avail_in || rd->in != e->csize))
			return rd_fail(rd, "bytes follow the end of its DEFLATE stream");
	}
	rd->crc = libdeflate_crc32(rd->crc, buf, got);
	rd->out += got;
	if (got)
		return (ssize_t)got;
	/* The end: what was read is what the central record says. */
	if (rd->out != e->usize)
		return rd_fail(rd, "it holds %llu bytes, its central record says %llu",
		    (unsigned long long)rd->out, (unsigned long long)e->usize);
	if (rd->crc != e->crc)
		return rd_fail(rd, "its CRC-32 is %08x, the central directory says %08x", rd->crc, e->crc);
	rd->state = 1;
	return 0;
}

const char *zip_rd_error(const struct zip_rd *rd)
{
	return rd->why;
}

void zip_rd_close(struct zip_rd *rd)
{
	if (!rd)
		return;
	if (rd->zinit)
		inflateEnd(&rd->zs);
	free(rd->ibuf);
	free(rd);
}
