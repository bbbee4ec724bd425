/* intake.c — what an evidence item holds, recorded in evidence.xml <members> and
 * <chatExport> (formats/evidence.xsd, formats/intake.md).
 *
 * Containers (ZIP, tar, 7z, cpio, ISO 9660, RAR, CAB, LHA, XAR, ar, alone or compressed) are
 * listed member by member with size and SHA-256, and WARC files (ISO 28500) record by record
 * with target URI, WARC-Date and digests, all streamed through libarchive: nothing is
 * extracted to disk and no member is held in memory (a chat export's text excepted, up to
 * MAX_CHAT_BYTES).  Archives inside an item are listed too, to limits.max_depth levels.
 *
 * Containers are listed from their copy in the archive being written (intake_examine), not
 * from the evidence file: doc/design.md §5 reads every item once, feeding the digests and the
 * ZIP writer together.  Listing needs libarchive, which pulls and (for ZIP's central
 * directory, 7z, ISO 9660) seeks; teeing the first pass into it would need a thread and a
 * pipe per item and would lose seeking.  The copy, read back (from the page cache) once seal
 * has written it, seeks, and it is the very bytes sealed.  A copy seal DEFLATEd (--compress max
 * of a tar) is inflated on the way.  The cost is one more SHA-256 pass over the
 * decompressed members, which a tee could not avoid either (member digests are not the
 * item's digest).
 *
 * Evidence is never refused because it is damaged: a corrupt or truncated archive is
 * recorded as status="damaged" with libarchive's reason, and the item is sealed byte-exact
 * all the same.  Caps (limits, per item) and budgets (struct intake_budget, for the whole
 * seal: listing text, members and records, inflated bytes): a listing that reaches one is
 * recorded as status="truncated" with the reason: a zip bomb is recorded, not expanded,
 * and long names or WARC headers cannot make an evidence.xml that verify refuses. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <archive.h>
#include <archive_entry.h>
#include <magic.h>
#include <openssl/evp.h>
#include <zlib.h>
#include "container.h"
#include "intake.h"

#define BLOCK (64u * 1024)
#define MAX_WARC_LINE (16u * 1024)
#define MAX_WARC_HEADER (64u * 1024)
#define MAX_TYPED_MEMBERS 2000	/* members per item given a media type */

/* Media types (libmagic) of items worth opening with libarchive. */
static int is_container_type(const char *mt)
{
	static const char *const types[] = {
		"application/zip", "application/x-zip", "application/java-archive",
		"application/vnd.etsi.asic", "application/epub+zip", "application/x-tar",
		"application/x-gtar", "application/x-ustar", "application/x-7z-compressed",
		"application/gzip", "application/x-gzip", "application/x-bzip2", "application/x-xz",
		"application/x-lzma", "application/x-lzip", "application/zstd", "application/x-zstd",
		"application/x-compress", "application/x-rar", "application/vnd.rar",
		"application/x-cpio", "application/x-iso9660-image", "application/vnd.ms-cab-compressed",
		"application/x-lha", "application/x-lzh-compressed", "application/x-xar",
		"application/x-archive", "application/warc", "application/vnd.android.package-archive",
		"application/vnd.openxmlformats-officedocument.", "application/vnd.oasis.opendocument.",
	};
	if (!mt)
		return 0;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strncmp(mt, types[i], strlen(types[i])) == 0)
			return 1;
	return 0;
}

/* Magic numbers of the formats new_reader() reads, for members libmagic does not see. */
static int archive_signature(const unsigned char *p, size_t n)
{
	static const struct {
		size_t off, len;
		const char *sig;
	} sigs[] = {
		{ 0, 4, "PK\003\004" }, { 0, 4, "PK\005\006" }, { 0, 2, "\037\213" }, { 0, 3, "BZh" },
		{ 0, 6, "\375" "7zXZ\0" }, { 0, 4, "(\265/\375" }, { 0, 4, "LZIP" },
		{ 0, 6, "7z\274\257'\034" }, { 0, 6, "Rar!\032\007" }, { 257, 5, "ustar" },
		{ 0, 5, "07070" }, { 0, 8, "!<arch>\n" }, { 0, 4, "xar!" }, { 0, 4, "MSCF" },
		{ 32769, 5, "CD001" },
	};
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (n >= sigs[i].off + sigs[i].len && memcmp(p + sigs[i].off, sigs[i].sig, sigs[i].len) == 0)
			return 1;
	return 0;
}

/* Every format libarchive reads, except mtree (plain text that would match notes and
 * logs) and its own WARC reader (it hides the record headers we list); `raw` gives the
 * bytes of a compressed stream that is not an archive, e.g. a .warc.gz. */
static struct archive *new_reader(int raw)
{
	struct archive *a = archive_read_new();
	if (!a)
		return NULL;
	archive_read_support_filter_all(a);
	archive_read_support_format_zip(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_7zip(a);
	archive_read_support_format_cpio(a);
	archive_read_support_format_iso9660(a);
	archive_read_support_format_rar(a);
	archive_read_support_format_rar5(a);
	archive_read_support_format_cab(a);
	archive_read_support_format_lha(a);
	archive_read_support_format_xar(a);
	archive_read_support_format_ar(a);
	if (raw)
		archive_read_support_format_raw(a);
	return a;
}

static const char *format_name(struct archive *a)
{
	switch (archive_format(a) & ARCHIVE_FORMAT_BASE_MASK) {
	case ARCHIVE_FORMAT_ZIP: return "zip";
	case ARCHIVE_FORMAT_TAR: return "tar";
	case ARCHIVE_FORMAT_7ZIP: return "7z";
	case ARCHIVE_FORMAT_CPIO: return "cpio";
	case ARCHIVE_FORMAT_ISO9660: return "iso9660";
	case ARCHIVE_FORMAT_RAR: return "rar";
	case ARCHIVE_FORMAT_RAR_V5: return "rar5";
	case ARCHIVE_FORMAT_CAB: return "cab";
	case ARCHIVE_FORMAT_LHA: return "lha";
	case ARCHIVE_FORMAT_XAR: return "xar";
	case ARCHIVE_FORMAT_AR: return "ar";
	case ARCHIVE_FORMAT_RAW: return "compressed";
	case ARCHIVE_FORMAT_EMPTY: return "empty";
	default: return "other";
	}
}

/* Text from an archive or a WARC header, made fit for XML: escaped as names are. */
static char *clean_text(const char *s, size_t n)
{
	return name_needs_escape(s, n) ? name_escape(s, n) : strndup(s, n);
}

static void set_status(struct listing *L, int status, const char *why)
{
	if (L->status >= status && L->error)
		return;
	L->status = status;
	free(L->error);
	L->error = why ? clean_text(why, strlen(why)) : NULL;
}

/* ------------------------------------------------------------ one member ---- */

struct ctx {
	const struct intake_limits *lim;
	struct intake_budget *b;
	void *magic;
	uint64_t members, bytes;
};

/* Bytes a string takes in an XML attribute: libxml2 writes & < > " as entities (controls
 * never get there: clean_text escapes them). */
static uint64_t xml_len(const char *s)
{
	uint64_t n = 0;
	for (; s && *s; s++)
		n += *s == '&' ? 5 : *s == '<' || *s == '>' ? 4 : *s == '"' ? 6 : 1;
	return n;
}

static void text_budget_reached(struct listing *L, const struct ctx *c)
{
	char why[128];
	uint64_t m = c->b->text_max;
	snprintf(why, sizeof(why), "the seal's budget of %llu %s of listing text was reached",
	    (unsigned long long)(m >= 1u << 20 ? m >> 20 : m >> 10), m >= 1u << 20 ? "MiB" : "KiB");
	set_status(L, LIST_TRUNCATED, why);
}

/* One more member or record, of `text` bytes in evidence.xml, within the item's caps and the
 * seal's budgets: 1, else 0 with the listing marked truncated and why. */
static int charge(struct listing *L, struct ctx *c, uint64_t text)
{
	char why[128];
	if (c->members >= c->lim->max_members) {
		set_status(L, LIST_TRUNCATED, "the member cap was reached");
		return 0;
	}
	if (c->b->entries >= c->b->entries_max) {
		snprintf(why, sizeof(why), "the seal's budget of %llu listed members and records was "
		    "reached", (unsigned long long)c->b->entries_max);
		set_status(L, LIST_TRUNCATED, why);
		return 0;
	}
	if (c->b->text + text > c->b->text_max) {
		text_budget_reached(L, c);
		return 0;
	}
	c->members++;
	c->b->entries++;
	c->b->text += text;
	return 1;
}

/* evidence.xml bytes of a <member> or <record> besides its strings (indent, attribute
 * names, size, SHA-256, mtime, digest verdicts), and of a <members> element. */
#define MEMBER_XML 224
#define RECORD_XML 448
#define LISTING_XML 512

/* The bytes of one member, as the outer reader gives them: each byte passes once through
 * SHA-256 and the byte cap; a prefix read ahead (for libmagic) is replayed to an inner
 * reader without being counted twice. */
struct mstream {
	struct archive *a;
	struct ctx *c;
	EVP_MD_CTX *md;
	uint64_t got;
	unsigned char *prefix;
	size_t plen, ppos;
	struct buf *keep;	/* a chat export's text, or NULL */
	int err;		/* 1 the outer archive failed, 2 the byte cap was reached,
				 * 3 the seal's budget of inflated bytes */
	unsigned char block[BLOCK];
};

_Static_assert(INFLATE_BASE == 32u << 20 && INFLATE_RATIO == 8, "cap_reason() says 32 MiB and 8");

static const char *cap_reason(int err)
{
	return err == 2 ? "the byte cap was reached" : err == 3 ? "the seal's budget of "
	    "decompressed bytes was reached (32 MiB and 8 times the size of the containers)"
	    : "the outer archive failed";
}

static ssize_t ms_read(struct mstream *ms, void *dst, size_t n)
{
	if (ms->ppos < ms->plen) {
		size_t k = ms->plen - ms->ppos < n ? ms->plen - ms->ppos : n;
		memcpy(dst, ms->prefix + ms->ppos, k);
		ms->ppos += k;
		return (ssize_t)k;
	}
	if (ms->err)
		return -1;
	struct intake_budget *b = ms->c->b;
	if (ms->c->bytes >= ms->c->lim->max_bytes) {
		ms->err = 2;
		return -1;
	}
	if (b->inflated >= b->allowed) {
		ms->err = 3;
		return -1;
	}
	if (n > ms->c->lim->max_bytes - ms->c->bytes)
		n = (size_t)(ms->c->lim->max_bytes - ms->c->bytes);
	if (n > b->allowed - b->inflated)
		n = (size_t)(b->allowed - b->inflated);
	la_ssize_t r = archive_read_data(ms->a, dst, n);
	if (r < 0) {
		ms->err = 1;
		return -1;
	}
	EVP_DigestUpdate(ms->md, dst, (size_t)r);
	ms->got += (uint64_t)r;
	ms->c->bytes += (uint64_t)r;
	b->inflated += (uint64_t)r;
	if (ms->keep && r > 0) {
		if (ms->keep->len + (size_t)r > MAX_CHAT_BYTES || buf_append(ms->keep, dst, (size_t)r)) {
			buf_release(ms->keep);
			ms->keep = NULL;
		}
	}
	return r;
}

static la_ssize_t inner_read(struct archive *a, void *arg, const void **out)
{
	struct mstream *ms = arg;
	ssize_t r = ms_read(ms, ms->block, sizeof(ms->block));
	*out = ms->block;
	if (r < 0) {
		archive_set_error(a, EIO, "%s", cap_reason(ms->err));
		return ARCHIVE_FATAL;
	}
	return r;
}

static int list_archive(struct archive *a, struct listing *L, struct ctx *c, int depth);
static void warc_parse(struct mstream *ms, struct listing *L, struct ctx *c);

static int is_warc(const unsigned char *p, size_t n)
{
	return n >= 6 && memcmp(p, "WARC/", 5) == 0 && p[5] >= '0' && p[5] <= '9';
}

/* Reads the member at the reader's position: digest, media type, and what it holds. */
static void read_member(struct archive *a, struct listing *L, struct member *m, struct ctx *c, int depth)
{
	struct mstream *ms = xcalloc(1, sizeof(*ms));
	unsigned char *head = malloc(BLOCK);
	struct buf keep = { 0 };
	const char *chat = depth == 1 ? chat_kind(m->path) : NULL;
	if (!ms || !head || !(ms->md = EVP_MD_CTX_new()) || !EVP_DigestInit_ex(ms->md, EVP_sha256(), NULL)) {
		set_status(L, LIST_TRUNCATED, "out of memory");
		goto out;
	}
	ms->a = a;
	ms->c = c;
	ms->keep = chat ? &keep : NULL;
	/* The first bytes, for libmagic and to spot an archive or a WARC file inside. */
	size_t plen = 0;
	while (plen < BLOCK) {
		ssize_t r = ms_read(ms, head + plen, BLOCK - plen);
		if (r <= 0)
			break;
		plen += (size_t)r;
	}
	/* libmagic costs 0.2 to 3 ms a call (its text and regex tests), which would dominate a
	 * phone export of 100,000 messages: it sees the first 4 KiB of the first
	 * MAX_TYPED_MEMBERS members only, and archives inside are found by their signature. */
	if (plen && c->magic && c->members <= MAX_TYPED_MEMBERS) {
		const char *mt = media_type(c->magic, head, plen < 4096 ? plen : 4096);
		m->media_type = xstrdup(mt ? mt : "application/octet-stream");
		c->b->text += 16 + xml_len(m->media_type);	/* ' mediaType=""': may pass text_max by one */
	}
	ms->prefix = head;
	ms->plen = plen;
	if (depth < c->lim->max_depth && !ms->err && plen && c->b->text + LISTING_XML <= c->b->text_max &&
	    (m->inner = xcalloc(1, sizeof(*m->inner)))) {
		c->b->text += LISTING_XML;
		if (is_warc(head, plen)) {
			m->inner->format = "warc";
			warc_parse(ms, m->inner, c);
		} else if (is_container_type(m->media_type) || archive_signature(head, plen)) {
			struct archive *in = new_reader(0);
			if (in && archive_read_open(in, ms, NULL, inner_read, NULL) == ARCHIVE_OK)
				list_archive(in, m->inner, c, depth + 1);
			else
				set_status(m->inner, LIST_DAMAGED, in ? archive_error_string(in) : "out of memory");
			archive_read_free(in);
		} else {
			free(m->inner);
			m->inner = NULL;
		}
		if (m->inner && ms->err)
			set_status(m->inner, ms->err >= 2 ? LIST_TRUNCATED : LIST_DAMAGED, cap_reason(ms->err));
	}
	ms->ppos = ms->plen;	/* what the inner reader did not consume: through the digest */
	while (ms_read(ms, ms->block, sizeof(ms->block)) > 0)
		;
	m->size = ms->got;
	if (ms->err == 1) {
		set_status(L, LIST_DAMAGED, archive_error_string(a));
	} else if (ms->err >= 2) {
		set_status(L, LIST_TRUNCATED, cap_reason(ms->err));
	} else {
		unsigned char md[32];
		EVP_DigestFinal_ex(ms->md, md, NULL);
		hex_encode(md, 32, m->sha256);
		m->hashed = 1;
		struct chat_summary cs;
		if (ms->keep && (strcmp(chat, "whatsapp") == 0 ? chat_whatsapp(keep.data, keep.len, &cs)
		    : chat_telegram(keep.data, keep.len, &cs))) {
			struct chat_summary *v = grow(L->chats, &L->capchats, L->nchats + 1, sizeof(*v));
			if (v) {
				cs.member = xstrdup(m->path);
				L->chats = v;
				L->chats[L->nchats++] = cs;
			}
		}
	}
out:
	buf_release(&keep);
	if (ms)
		EVP_MD_CTX_free(ms->md);
	free(ms);
	free(head);
}

static void listing_free(struct listing *L);
static void listing_free_members(struct listing *L);

static int list_archive(struct archive *a, struct listing *L, struct ctx *c, int depth)
{
	struct archive_entry *e;
	for (;;) {
		int r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			set_status(L, LIST_DAMAGED, archive_error_string(a));
			break;
		}
		if (!L->format) {
			L->format = format_name(a);
			for (int f = 0; f < archive_filter_count(a); f++)
				if (archive_filter_code(a, f) != ARCHIVE_FILTER_NONE) {
					L->filter = archive_filter_name(a, f);
					break;
				}
		}
		const char *path = archive_entry_pathname(e);
		char *clean = clean_text(path ? path : "", path ? strlen(path) : 0);
		if (!clean || !charge(L, c, MEMBER_XML + xml_len(clean))) {
			if (!clean)
				set_status(L, LIST_TRUNCATED, "out of memory");
			free(clean);
			break;
		}
		struct member *v = grow(L->m, &L->capm, L->n + 1, sizeof(*v));
		if (!v) {
			free(clean);
			set_status(L, LIST_TRUNCATED, "out of memory");
			break;
		}
		L->m = v;
		struct member *m = &L->m[L->n++];
		memset(m, 0, sizeof(*m));
		m->path = clean;
		switch (archive_entry_filetype(e)) {
		case AE_IFREG: m->kind = 'f'; break;
		case AE_IFDIR: m->kind = 'd'; break;
		case AE_IFLNK: m->kind = 'l'; break;
		default: m->kind = 'o'; break;
		}
		if (archive_entry_mtime_is_set(e))
			m->mtime = archive_entry_mtime(e);
		if (m->kind == 'f') {
			/* A compressed stream that is not an archive ("raw") is one member whose
			 * content is looked into at this level: a .warc.gz is a WARC file. */
			int raw = (archive_format(a) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_RAW;
			read_member(a, L, m, c, raw ? depth - 1 : depth);
			if (L->status != LIST_COMPLETE)
				break;
		}
	}
	/* A WARC file, compressed or not, is listed as its records. */
	if (L->format && strcmp(L->format, "compressed") == 0 && L->n == 1 && L->m[0].inner &&
	    L->m[0].inner->format && strcmp(L->m[0].inner->format, "warc") == 0) {
		struct listing *in = L->m[0].inner;
		L->m[0].inner = NULL;
		listing_free_members(L);
		L->format = "warc";
		L->w = in->w;
		L->nw = in->nw;
		L->capw = in->capw;
		if (in->status >= L->status && in->error) {	/* the first reason is the WARC's */
			free(L->error);
			L->status = in->status;
			L->error = in->error;
			in->error = NULL;
		}
		in->w = NULL;
		in->nw = in->capw = 0;
		listing_free(in);
	}
	return 0;
}

/* ------------------------------------------------------------------ WARC ---- */

/* ISO 28500 (WARC 1.0 / 1.1): a record is a version line, header lines "Name: value", an
 * empty line, Content-Length bytes of block, and CRLF CRLF.  libarchive's WARC reader is not
 * used because it gives neither the record headers nor the non-file records. */
struct rd {
	struct mstream *ms;
	unsigned char buf[BLOCK];
	size_t pos, len;
	uint64_t off;		/* bytes consumed from the start of the WARC stream */
};

static int rd_fill(struct rd *r)
{
	if (r->pos < r->len)
		return 1;
	ssize_t n = ms_read(r->ms, r->buf, sizeof(r->buf));
	if (n <= 0)
		return 0;
	r->pos = 0;
	r->len = (size_t)n;
	return 1;
}

/* One line without its CR LF; 1 read, 0 end of input, -1 too long. */
static int rd_line(struct rd *r, struct buf *line)
{
	line->len = 0;
	int any = 0;
	while (rd_fill(r)) {
		any = 1;
		unsigned char ch = r->buf[r->pos++];
		r->off++;
		if (ch == '\n') {
			if (line->len && line->data[line->len - 1] == '\r')
				line->len--;
			return buf_append(line, "", 1) ? -1 : (line->len--, 1);
		}
		if (line->len >= MAX_WARC_LINE || buf_append(line, &ch, 1))
			return -1;
	}
	if (!any)
		return 0;
	return buf_append(line, "", 1) ? -1 : (line->len--, 1);
}

static void base32(const unsigned char *in, size_t n, char *out)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	size_t o = 0;
	unsigned acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			out[o++] = a[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits)
		out[o++] = a[(acc << (5 - bits)) & 31];
	out[o] = '\0';
}

/* 1 when a declared WARC digest ("sha1:BASE32", "sha256:BASE32" or "sha256:hex") is the
 * digest computed, 0 when it is not, -1 when the algorithm is not one we compute. */
static int digest_matches(const char *declared, const unsigned char *sha1, const unsigned char *sha256)
{
	char b32[64], hex[65];
	const char *v;
	if (!declared)
		return -1;
	if (strncasecmp(declared, "sha1:", 5) == 0) {
		base32(sha1, 20, b32);
		v = declared + 5;
	} else if (strncasecmp(declared, "sha256:", 7) == 0 || strncasecmp(declared, "sha-256:", 8) == 0) {
		v = strchr(declared, ':') + 1;
		hex_encode(sha256, 32, hex);
		if (strlen(v) == 64)
			return strcasecmp(v, hex) == 0;
		base32(sha256, 32, b32);
	} else
		return -1;
	size_t n = strlen(v);
	while (n && v[n - 1] == '=')
		n--;
	return n == strlen(b32) && strncasecmp(v, b32, n) == 0;
}

static void warc_record_free(struct warc_record *w)
{
	free(w->type);
	free(w->uri);
	free(w->date);
	free(w->id);
	free(w->content_type);
	free(w->payload_digest);
	free(w->block_digest);
}

/* The headers a record listing keeps (WARC 1.1 §5), and where. */
static const struct {
	const char *name;
	size_t off;
} warc_fields[] = {
	{ "WARC-Type", offsetof(struct warc_record, type) },
	{ "WARC-Target-URI", offsetof(struct warc_record, uri) },
	{ "WARC-Date", offsetof(struct warc_record, date) },
	{ "WARC-Record-ID", offsetof(struct warc_record, id) },
	{ "Content-Type", offsetof(struct warc_record, content_type) },
	{ "WARC-Payload-Digest", offsetof(struct warc_record, payload_digest) },
	{ "WARC-Block-Digest", offsetof(struct warc_record, block_digest) },
};

/* The field of w that header `name` fills, or NULL when the listing does not keep it. */
static char **warc_field(struct warc_record *w, const char *name)
{
	for (size_t i = 0; i < sizeof(warc_fields) / sizeof(warc_fields[0]); i++)
		if (strcasecmp(name, warc_fields[i].name) == 0)
			return (char **)((char *)w + warc_fields[i].off);
	return NULL;
}

/* The header lines of one record, after its version line, into w (folded lines joined,
 * Content-Length into w->length): NULL, or why the record is damaged. */
static const char *warc_headers(struct rd *r, struct buf *line, struct warc_record *w)
{
	const char *bad = NULL;
	char **last = NULL;
	int have_len = 0, k;
	uint64_t header = 0;
	while ((k = rd_line(r, line)) == 1 && line->len) {
		char *l = (char *)line->data;
		if ((header += line->len) > MAX_WARC_HEADER) {
			bad = "header too long";
			break;
		}
		if ((*l == ' ' || *l == '\t') && last && *last) {	/* folded line */
			size_t a = strlen(*last), b = strlen(l);
			char *j = realloc(*last, a + b + 1);
			if (j) {
				memcpy(j + a, l, b + 1);
				*last = j;
			}
			continue;
		}
		char *colon = strchr(l, ':');
		if (!colon) {
			bad = "a header line without a colon";
			break;
		}
		*colon = '\0';
		char *val = colon + 1;
		while (*val == ' ' || *val == '\t')
			val++;
		last = warc_field(w, l);
		if (strcasecmp(l, "Content-Length") == 0) {
			char *e;
			errno = 0;
			unsigned long long n = strtoull(val, &e, 10);
			if (e == val || *e || errno || *val == '-') {
				bad = "a bad Content-Length";
				break;
			}
			w->length = n;
			have_len = 1;
		} else if (last && !*last) {
			size_t n = strlen(val);
			while (n && (val[n - 1] == ' ' || val[n - 1] == '\t'))
				n--;
			/* WARC 1.0 §5.2 writes the target URI in angle brackets */
			if (last == &w->uri && n >= 2 && val[0] == '<' && val[n - 1] == '>')
				val++, n -= 2;
			*last = clean_text(val, n);
		} else
			last = NULL;
	}
	if (!bad && k != 1)
		bad = k < 0 ? "header line too long" : "truncated in its header";
	if (!bad && !have_len)
		bad = "no Content-Length";
	return bad;
}

static void warc_parse(struct mstream *ms, struct listing *L, struct ctx *c)
{
	struct rd *r = xcalloc(1, sizeof(*r));
	struct buf line = { 0 };
	EVP_MD_CTX *bmd = EVP_MD_CTX_new(), *bmd1 = EVP_MD_CTX_new(), *p1 = EVP_MD_CTX_new(),
	    *p256 = EVP_MD_CTX_new();
	char why[256];
	if (!r || !bmd || !bmd1 || !p1 || !p256) {
		set_status(L, LIST_TRUNCATED, "out of memory");
		goto out;
	}
	r->ms = ms;
	for (uint64_t recno = 1;; recno++) {
		int k;
		uint64_t start;
		do {		/* the CR LF CR LF after a block, and any stray empty line */
			start = r->off;
			k = rd_line(r, &line);
		} while (k == 1 && line.len == 0);
		if (k == 0)
			break;
		if (k < 0 || line.len < 6 || memcmp(line.data, "WARC/", 5) != 0) {
			snprintf(why, sizeof(why), "record %llu at byte %llu: no WARC version line",
			    (unsigned long long)recno, (unsigned long long)start);
			set_status(L, LIST_DAMAGED, why);
			break;
		}
		if (!charge(L, c, 0))
			break;
		struct warc_record *v = grow(L->w, &L->capw, L->nw + 1, sizeof(*v));
		if (!v) {
			set_status(L, LIST_TRUNCATED, "out of memory");
			break;
		}
		L->w = v;
		struct warc_record *w = &L->w[L->nw++];
		memset(w, 0, sizeof(*w));
		w->payload_ok = w->block_ok = -1;
		const char *bad = warc_headers(r, &line, w);
		if (bad) {
			snprintf(why, sizeof(why), "record %llu at byte %llu: %s", (unsigned long long)recno,
			    (unsigned long long)start, bad);
			set_status(L, LIST_DAMAGED, why);
			/* the status names it; its headers, read but never charged to the text
			 * budget, are not listed (up to 64 KiB of them, six times that as XML) */
			warc_record_free(w);
			L->nw--;
			break;
		}
		/* the record's text, known now: within the seal's budget, or the listing ends
		 * before it */
		uint64_t text = RECORD_XML + xml_len(w->type) + xml_len(w->uri) + xml_len(w->date) +
		    xml_len(w->id) + xml_len(w->content_type) + xml_len(w->payload_digest) +
		    xml_len(w->block_digest);
		if (c->b->text + text > c->b->text_max) {
			text_budget_reached(L, c);
			warc_record_free(w);
			L->nw--;
			break;
		}
		c->b->text += text;
		/* The block: SHA-256 of all of it; the payload (WARC 1.1 §5.9: the block less
		 * the HTTP headers of an application/http record) through SHA-1 and SHA-256. */
		int http = w->content_type && strncasecmp(w->content_type, "application/http", 16) == 0;
		int in_payload = !http, crlf = 0;
		EVP_DigestInit_ex(bmd, EVP_sha256(), NULL);
		EVP_DigestInit_ex(bmd1, EVP_sha1(), NULL);
		EVP_DigestInit_ex(p1, EVP_sha1(), NULL);
		EVP_DigestInit_ex(p256, EVP_sha256(), NULL);
		uint64_t left = w->length, seen = 0;
		while (left && rd_fill(r)) {
			size_t n = r->len - r->pos < left ? r->len - r->pos : (size_t)left;
			const unsigned char *p = r->buf + r->pos;
			EVP_DigestUpdate(bmd, p, n);
			EVP_DigestUpdate(bmd1, p, n);
			size_t from = 0;
			for (; !in_payload && from < n && seen < MAX_WARC_HEADER; from++, seen++) {
				static const unsigned char end[4] = { '\r', '\n', '\r', '\n' };
				crlf = p[from] == end[crlf] ? crlf + 1 : p[from] == '\r' ? 1 : 0;
				if (crlf == 4)
					in_payload = 1;
			}
			if (in_payload && from < n) {
				EVP_DigestUpdate(p1, p + from, n - from);
				EVP_DigestUpdate(p256, p + from, n - from);
			}
			r->pos += n;
			r->off += n;
			left -= n;
		}
		if (left) {
			snprintf(why, sizeof(why), "record %llu at byte %llu: truncated, %llu of %llu block bytes",
			    (unsigned long long)recno, (unsigned long long)start,
			    (unsigned long long)(w->length - left), (unsigned long long)w->length);
			set_status(L, ms->err >= 2 ? LIST_TRUNCATED : LIST_DAMAGED, ms->err >= 2 ? cap_reason(ms->err) : why);
			break;
		}
		unsigned char bd[32], bd1[20], s1[20], s256[32];
		EVP_DigestFinal_ex(bmd, bd, NULL);
		EVP_DigestFinal_ex(bmd1, bd1, NULL);
		EVP_DigestFinal_ex(p1, s1, NULL);
		EVP_DigestFinal_ex(p256, s256, NULL);
		hex_encode(bd, 32, w->sha256);
		w->block_ok = digest_matches(w->block_digest, bd1, bd);
		if (w->payload_digest && in_payload)
			w->payload_ok = digest_matches(w->payload_digest, s1, s256);
	}
out:
	buf_release(&line);
	EVP_MD_CTX_free(bmd);
	EVP_MD_CTX_free(bmd1);
	EVP_MD_CTX_free(p1);
	EVP_MD_CTX_free(p256);
	free(r);
}

/* ------------------------------------------------------------ the item ---- */

static void listing_free_members(struct listing *L)
{
	for (size_t i = 0; i < L->n; i++) {
		free(L->m[i].path);
		free(L->m[i].media_type);
		listing_free(L->m[i].inner);
	}
	free(L->m);
	L->m = NULL;
	L->n = L->capm = 0;
}

static void listing_free(struct listing *L)
{
	if (!L)
		return;
	listing_free_members(L);
	for (size_t i = 0; i < L->nw; i++)
		warc_record_free(&L->w[i]);
	free(L->w);
	for (size_t i = 0; i < L->nchats; i++)
		free(L->chats[i].member);
	free(L->chats);
	free(L->error);
	free(L);
}

void intake_free(struct intake *in)
{
	if (!in)
		return;
	listing_free(in->list);
	if (in->chat)
		free(in->chat->member);
	free(in->chat);
	buf_release(&in->tee);
	free(in);
}

/* Lists the container a (NULL: out of memory) that archive_read_open_* opened with
 * result `opened`, then frees the reader. */
static void list_opened(struct listing *L, struct ctx *c, struct archive *a, int opened)
{
	locale_t saved = utf8_names_begin();	/* member names in UTF-8, not lost */
	if (!a)
		set_status(L, LIST_TRUNCATED, "out of memory");
	else if (opened != ARCHIVE_OK)
		set_status(L, LIST_DAMAGED, archive_error_string(a));
	else
		list_archive(a, L, c, 1);
	if (!L->format)
		L->format = "unknown";
	archive_read_free(a);
	utf8_names_end(saved);
}

/* Called by seal_item with every chunk of an item as it is sealed (offset: bytes before
 * this chunk): a _chat.txt or result.json is kept in memory, up to MAX_CHAT_BYTES, so that
 * it is summarised from the very bytes sealed, without a second read. */
void intake_feed(struct item *it, const void *p, size_t n, uint64_t offset)
{
	if (offset == 0) {
		intake_free(it->intake);
		it->intake = NULL;
		if (it->link || !chat_kind(it->name) || it->size > MAX_CHAT_BYTES)
			return;
		if (!(it->intake = xcalloc(1, sizeof(*it->intake))))
			return;
		it->intake->tee_state = 1;
	}
	struct intake *in = it->intake;
	if (!in || in->tee_state != 1)
		return;
	if (in->tee.len + n > MAX_CHAT_BYTES || buf_append(&in->tee, p, n)) {
		buf_release(&in->tee);
		in->tee_state = 2;
	}
}

int intake_is_container(const struct item *it)
{
	return !it->link && it->media_type && is_container_type(it->media_type);
}

/* A container's copy in the archive being written, read for libarchive with pread in
 * blocks (memory stays at two blocks whatever the container's size), seekable when it is
 * stored, inflated on the way when seal DEFLATEd it (--compress max of a tar). */
struct copy_src {
	const struct sealed_copy *copy;
	uint64_t pos;		/* bytes of the copy read (or sought to) */
	int end;		/* DEFLATE: the stream ended */
	z_stream zs;
	unsigned char in[BLOCK], out[BLOCK];
};

/* Reads the next block of the copy into dst: its length, 0 at the end, -1 on error. */
static ssize_t copy_pread(struct archive *a, struct copy_src *c, unsigned char *dst)
{
	uint64_t left = c->copy->size - c->pos;
	ssize_t r = 0;
	if (left == 0)
		return 0;
	do
		r = pread(c->copy->fd, dst, left < BLOCK ? (size_t)left : BLOCK, (off_t)(c->copy->off + c->pos));
	while (r < 0 && errno == EINTR);
	if (r <= 0) {
		archive_set_error(a, r < 0 ? errno : EIO, "cannot read its copy in the archive");
		return -1;
	}
	c->pos += (uint64_t)r;
	return r;
}

static la_ssize_t copy_read(struct archive *a, void *arg, const void **buf)
{
	struct copy_src *c = arg;
	*buf = c->out;
	if (c->copy->method != ZIP_DEFLATE)
		return copy_pread(a, c, c->out);
	while (!c->end) {
		if (c->zs.avail_in == 0) {
			ssize_t r = copy_pread(a, c, c->in);
			if (r <= 0)
				return r;	/* 0: the stream is cut short, libarchive says so */
			c->zs.next_in = c->in;
			c->zs.avail_in = (uInt)r;
		}
		c->zs.next_out = c->out;
		c->zs.avail_out = sizeof(c->out);
		int rc = inflate(&c->zs, Z_NO_FLUSH);
		if (rc == Z_STREAM_END)
			c->end = 1;
		else if (rc != Z_OK) {
			archive_set_error(a, EIO, "its copy in the archive does not inflate");
			return -1;
		}
		if (c->zs.avail_out < sizeof(c->out))
			return (la_ssize_t)(sizeof(c->out) - c->zs.avail_out);
	}
	return 0;
}

static la_int64_t copy_seek(struct archive *a, void *arg, la_int64_t to, int whence)
{
	struct copy_src *c = arg;
	int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (int64_t)c->pos : (int64_t)c->copy->size;
	if (base + to < 0 || (uint64_t)(base + to) > c->copy->size) {
		archive_set_error(a, EINVAL, "seek outside its copy in the archive");
		return ARCHIVE_FATAL;
	}
	c->pos = (uint64_t)(base + to);
	return (la_int64_t)c->pos;
}

void intake_examine(const struct intake_limits *lim, struct item *it, void *magic,
    const struct sealed_copy *copy, struct intake_budget *budget)
{
	struct intake *in = it->intake;
	if (in && in->tee_state == 1) {
		struct chat_summary cs;
		const char *kind = chat_kind(it->name);
		if (strcmp(kind, "whatsapp") == 0 ? chat_whatsapp(in->tee.data, in->tee.len, &cs)
		    : chat_telegram(in->tee.data, in->tee.len, &cs)) {
			if ((in->chat = malloc(sizeof(*in->chat))))
				*in->chat = cs;
		}
		buf_release(&in->tee);
		in->tee_state = 3;
		return;
	}
	if (in && in->tee_state != 3) {
		intake_free(in);
		it->intake = NULL;
	}
	if (!intake_is_container(it) || it->intake || !copy || copy->fd < 0)
		return;

	struct ctx c = { lim, budget, magic, 0, 0 };
	budget->allowed += INFLATE_RATIO * (uint64_t)copy->size;	/* < 2^64: copy->size < 2^60 */
	struct copy_src *src = xcalloc(1, sizeof(*src));
	struct listing *L = NULL;
	if (src && (it->intake = xcalloc(1, sizeof(*it->intake))) && (L = xcalloc(1, sizeof(*L)))) {
		it->intake->list = L;
		it->intake->tee_state = 3;
		src->copy = copy;
		struct archive *a = new_reader(1);
		int opened = ARCHIVE_FATAL;
		if (a && copy->method == ZIP_DEFLATE)
			opened = inflateInit2(&src->zs, -15) == Z_OK ?
			    archive_read_open(a, src, NULL, copy_read, NULL) : ARCHIVE_FATAL;
		else if (a)
			opened = archive_read_set_seek_callback(a, copy_seek) == ARCHIVE_OK ?
			    archive_read_open(a, src, NULL, copy_read, NULL) : ARCHIVE_FATAL;
		list_opened(L, &c, a, opened);
		if (copy->method == ZIP_DEFLATE)
			inflateEnd(&src->zs);
	}
	free(src);
}

/* The listing of an item held in memory (the fuzz target tests/fuzz/fuzz_intake.c). */
struct intake *intake_list_buffer(const void *p, size_t n, const struct intake_limits *lim,
    struct intake_budget *budget, void *magic)
{
	struct intake *in = xcalloc(1, sizeof(*in));
	struct listing *L = in ? xcalloc(1, sizeof(*L)) : NULL;
	struct ctx c = { lim, budget, magic, 0, 0 };
	budget->allowed += INFLATE_RATIO * (uint64_t)n;
	if (!L) {
		free(in);
		return NULL;
	}
	in->list = L;
	in->tee_state = 3;
	struct archive *a = new_reader(1);
	list_opened(L, &c, a, a ? archive_read_open_memory(a, p, n) : ARCHIVE_FATAL);
	return in;
}

void scelle_sealer_set_intake_limits(struct scelle_sealer *s, int max_depth, uint64_t max_members,
    uint64_t max_bytes)
{
	if (max_depth > 0)
		s->limits.max_depth = max_depth;
	if (max_members)
		s->limits.max_members = max_members;
	if (max_bytes)
		s->limits.max_bytes = max_bytes;
}

/* ------------------------------------------------------------ evidence.xml ---- */

#define X(c) (ok = ok && (c) >= 0)
#define ATTR(n, v) X(xmlTextWriterWriteAttribute(w, BAD_CAST(n), BAD_CAST(v)))
#define OPT_ATTR(n, v) do { if (v) ATTR(n, v); } while (0)
#define NUM_ATTR(n, v) do { snprintf(num, sizeof(num), "%llu", (unsigned long long)(v)); ATTR(n, num); } while (0)
#define START(n) X(xmlTextWriterStartElement(w, BAD_CAST(n)))
#define END() X(xmlTextWriterEndElement(w))

static int chat_xml(xmlTextWriterPtr w, const struct chat_summary *cs)
{
	char num[32];
	int ok = 1;
	START("chatExport");
	ATTR("app", cs->app);
	OPT_ATTR("member", cs->member);
	NUM_ATTR("participants", cs->participants);
	NUM_ATTR("messages", cs->messages);
	if (cs->first[0])
		ATTR("first", cs->first);
	if (cs->last[0])
		ATTR("last", cs->last);
	ATTR("clock", cs->clock);
	OPT_ATTR("dateOrder", cs->date_order);
	END();
	return ok;
}

static int listing_xml(xmlTextWriterPtr w, const struct listing *L)
{
	static const char *const status[] = { "complete", "truncated", "damaged" };
	char num[32], t[32];
	int ok = 1;
	START("members");
	ATTR("format", L->format ? L->format : "unknown");
	OPT_ATTR("filter", L->filter);
	ATTR("status", status[L->status]);
	NUM_ATTR("count", L->n + L->nw);
	if (L->error)
		X(xmlTextWriterWriteElement(w, BAD_CAST "error", BAD_CAST L->error));
	for (size_t i = 0; ok && i < L->n; i++) {
		const struct member *m = &L->m[i];
		START("member");
		ATTR("path", m->path);
		ATTR("kind", m->kind == 'f' ? "file" : m->kind == 'd' ? "folder" : m->kind == 'l' ? "link" : "other");
		if (m->kind == 'f') {
			NUM_ATTR("size", m->size);
			if (m->hashed)
				ATTR("sha256", m->sha256);
			OPT_ATTR("mediaType", m->media_type);
		}
		if (m->mtime) {
			time_rfc3339(m->mtime, t, sizeof(t));
			ATTR("mtime", t);
		}
		if (m->inner)
			ok = ok && listing_xml(w, m->inner);
		END();
	}
	for (size_t i = 0; ok && i < L->nw; i++) {
		const struct warc_record *r = &L->w[i];
		START("record");
		OPT_ATTR("type", r->type);
		OPT_ATTR("targetUri", r->uri);
		OPT_ATTR("date", r->date);
		OPT_ATTR("id", r->id);
		OPT_ATTR("contentType", r->content_type);
		NUM_ATTR("length", r->length);
		if (r->sha256[0])	/* absent when the block was cut short */
			ATTR("sha256", r->sha256);
		OPT_ATTR("blockDigest", r->block_digest);
		if (r->block_ok >= 0)
			ATTR("blockDigestMatches", r->block_ok ? "true" : "false");
		OPT_ATTR("payloadDigest", r->payload_digest);
		if (r->payload_ok >= 0)
			ATTR("payloadDigestMatches", r->payload_ok ? "true" : "false");
		END();
	}
	END();
	for (size_t i = 0; ok && i < L->nchats; i++)
		ok = chat_xml(w, &L->chats[i]);
	return ok;
}

int intake_xml_write(xmlTextWriterPtr w, const struct intake *in)
{
	int ok = 1;
	if (in->list)
		ok = listing_xml(w, in->list);
	if (ok && in->chat)
		ok = chat_xml(w, in->chat);
	return ok ? 0 : -1;
}
