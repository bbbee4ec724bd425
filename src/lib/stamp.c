/* stamp.c — time-stamping an archive that was sealed offline (CAdES-B-B → B-T).
 *
 * An archive is immutable once sealed (DESIGN.md §2), so stamping writes a new one:
 * every entry is copied with its content, name, order, compression method and date
 * unchanged, except META-INF/signature001.p7s, whose SignerInfo gains one
 * signature-time-stamp unsigned attribute per TSA (EN 319 122-1 §5.3; tokens already there
 * are kept byte for byte, though DER may sort the new ones before them: a SET OF).  Unsigned attributes are outside what the signature covers, and the
 * ASiCManifest is copied byte for byte, so the seal identifier (its SHA-256) does not
 * change; evidence.xml is not touched, so nothing in the new file claims a sealing time
 * other than the one recorded when it was sealed.
 *
 * Entries are decompressed by libarchive and recompressed by our zip_writer with the
 * method the central directory names: the content is identical, the DEFLATE stream may
 * differ (another zlib level), which no digest covers.  Order of work: verify the input
 * (a TOTAL-FAILED archive is refused before any TSA is asked) → ask the TSAs → copy →
 * verify the copy → publish it atomically (out_file.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <archive.h>
#include <archive_entry.h>
#include <openssl/crypto.h>
#include "internal.h"
#include "custody.h"
#include "verify.h"

#define CHUNK	   (1u << 20)
#define MAX_CD	   (512u << 20)	/* central directory bytes we are willing to hold */

struct scelle_stamper {
	struct scerr err;
	char **tsa;
	size_t ntsa;
	char *policy;
	int timeout, optional;
	scelle_progress_cb progress_cb;
	void *progress_arg;
	struct buf warnings;	/* NUL-terminated lines */
	int added;
	char seal_id[65], file_digest[65];
};

struct scelle_stamper *scelle_stamper_new(void)
{
	return xcalloc(1, sizeof(struct scelle_stamper));
}

void scelle_stamper_free(struct scelle_stamper *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->ntsa; i++)
		free(st->tsa[i]);
	free(st->tsa);
	free(st->policy);
	buf_release(&st->warnings);
	free(st);
}

const char *scelle_stamper_errmsg(const struct scelle_stamper *st)
{
	return st ? st->err.msg : "out of memory";
}

int scelle_stamper_add_tsa(struct scelle_stamper *st, const char *url)
{
	char **t = realloc(st->tsa, (st->ntsa + 1) * sizeof(*t));
	if (!t || !(t[st->ntsa] = xstrdup(url))) {
		if (t)
			st->tsa = t;
		scerr_set(&st->err, SCELLE_E_NOMEM, "out of memory");
		return SCELLE_E_NOMEM;
	}
	st->tsa = t;
	st->ntsa++;
	return SCELLE_OK;
}

void scelle_stamper_set_tsa_options(struct scelle_stamper *st, const char *policy_oid,
    int timeout_seconds, int optional)
{
	free(st->policy);
	st->policy = xstrdup(policy_oid);
	st->timeout = timeout_seconds > 0 ? timeout_seconds : 0;
	st->optional = optional;
}

void scelle_stamper_set_progress_cb(struct scelle_stamper *st, scelle_progress_cb cb, void *arg)
{
	st->progress_cb = cb;
	st->progress_arg = arg;
}

const char *scelle_stamper_seal_id(const struct scelle_stamper *st)
{
	return st->seal_id[0] ? st->seal_id : NULL;
}

const char *scelle_stamper_file_digest(const struct scelle_stamper *st)
{
	return st->file_digest[0] ? st->file_digest : NULL;
}

const char *scelle_stamper_warnings(const struct scelle_stamper *st)
{
	return st->warnings.len ? (const char *)st->warnings.data : NULL;
}

int scelle_stamper_added(const struct scelle_stamper *st)
{
	return st->added;
}

/* ------------------------------------------------------- central directory ---- */

/* What libarchive does not tell: the method and the raw DOS date of each entry. */
struct cd_entry {
	char *name;
	uint16_t method, dos_time, dos_date;
};

struct cd {
	struct cd_entry *e;
	size_t n;
};

static uint16_t get16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const unsigned char *p) { return get16(p) | (uint32_t)get16(p + 2) << 16; }
static uint64_t get64(const unsigned char *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }

static int by_cd_name(const void *a, const void *b)
{
	return strcmp(((const struct cd_entry *)a)->name, ((const struct cd_entry *)b)->name);
}

static void cd_free(struct cd *cd)
{
	for (size_t i = 0; i < cd->n; i++)
		free(cd->e[i].name);
	free(cd->e);
	cd->e = NULL;
	cd->n = 0;
}

static int full_pread(int fd, void *p, size_t n, uint64_t at)
{
	unsigned char *c = p;
	while (n) {
		ssize_t r = pread(fd, c, n, (off_t)at);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		c += r;
		n -= (size_t)r;
		at += (uint64_t)r;
	}
	return 0;
}

/* Reads the central directory (APPNOTE 6.3 §4.3.12-4.3.16, ZIP64 end records where the
 * classic ones say 0xFFFF/0xFFFFFFFF).  The archive has already been verified, but every
 * offset is still checked against the file: it may have changed since. */
static int cd_read(int fd, uint64_t size, struct cd *cd, struct scerr *e)
{
	unsigned char tail[22 + 65535], z64[56], *dir = NULL;
	size_t tn = size < sizeof(tail) ? (size_t)size : sizeof(tail);
	uint64_t entries, cdsize, cdoff, pos;
	long eocd = -1;

	memset(cd, 0, sizeof(*cd));
	if (tn < 22 || full_pread(fd, tail, tn, size - tn))
		goto bad;
	for (long i = (long)tn - 22; i >= 0; i--)
		if (get32(tail + i) == 0x06054b50u && (size_t)i + 22 + get16(tail + i + 20) == tn) {
			eocd = i;
			break;
		}
	if (eocd < 0)
		goto bad;
	entries = get16(tail + eocd + 10);
	cdsize = get32(tail + eocd + 12);
	cdoff = get32(tail + eocd + 16);
	if (entries == 0xFFFF || cdsize == 0xFFFFFFFFu || cdoff == 0xFFFFFFFFu) {
		uint64_t at = size - tn + (uint64_t)eocd;
		if (at < 20 || full_pread(fd, z64, 20, at - 20) || get32(z64) != 0x07064b50u)
			goto bad;
		at = get64(z64 + 8);
		if (at > size || size - at < 56 || full_pread(fd, z64, 56, at) || get32(z64) != 0x06064b50u)
			goto bad;
		entries = get64(z64 + 32);
		cdsize = get64(z64 + 40);
		cdoff = get64(z64 + 48);
	}
	if (entries > MAX_ENTRIES || cdsize > MAX_CD || cdoff > size || size - cdoff < cdsize) {
		scerr_set(e, SCELLE_E_LIMIT, "the central directory is larger than the limits");
		return -1;
	}
	if (!(dir = malloc(cdsize ? (size_t)cdsize : 1)) || !(cd->e = xcalloc(entries ? entries : 1, sizeof(*cd->e)))) {
		free(dir);
		scerr_set(e, SCELLE_E_NOMEM, "out of memory");
		return -1;
	}
	if (full_pread(fd, dir, (size_t)cdsize, cdoff))
		goto bad;
	pos = 0;
	for (uint64_t i = 0; i < entries; i++) {
		if (cdsize - pos < 46 || get32(dir + pos) != 0x02014b50u)
			goto bad;
		const unsigned char *h = dir + pos;
		size_t nlen = get16(h + 28), rest = (size_t)nlen + get16(h + 30) + get16(h + 32);
		if (cdsize - pos - 46 < rest || nlen > MAX_NAME_BYTES)
			goto bad;
		struct cd_entry *ce = &cd->e[cd->n];
		if (!(ce->name = malloc(nlen + 1))) {
			free(dir);
			cd_free(cd);
			scerr_set(e, SCELLE_E_NOMEM, "out of memory");
			return -1;
		}
		memcpy(ce->name, h + 46, nlen);
		ce->name[nlen] = '\0';
		ce->method = get16(h + 10);
		ce->dos_time = get16(h + 12);
		ce->dos_date = get16(h + 14);
		cd->n++;
		pos += 46 + rest;
	}
	free(dir);
	qsort(cd->e, cd->n, sizeof(*cd->e), by_cd_name);
	return 0;
bad:
	free(dir);
	cd_free(cd);
	scerr_set(e, SCELLE_E_FORMAT, "the ZIP central directory cannot be read");
	return -1;
}

static const struct cd_entry *cd_find(const struct cd *cd, const char *name)
{
	struct cd_entry key = { .name = (char *)name };
	return bsearch(&key, cd->e, cd->n, sizeof(*cd->e), by_cd_name);
}

/* zip_writer turns a time_t into DOS fields through gmtime_r; timegm is its inverse, so
 * the copy carries the very date fields of the original whatever the local time zone. */
static time_t dos_to_time(uint16_t t, uint16_t d)
{
	struct tm tm = { .tm_sec = (t & 0x1f) * 2, .tm_min = (t >> 5) & 0x3f, .tm_hour = t >> 11,
		.tm_mday = d & 0x1f, .tm_mon = ((d >> 5) & 0x0f) - 1, .tm_year = (d >> 9) + 80 };
	return timegm(&tm);
}

/* ---------------------------------------------------------------- stamping ---- */

/* The verifier's progress, and ours, on one bar: three passes over the entries, counted
 * in bytes of the input (t).  The copy's entries are a little larger (the signature grew),
 * so the last pass is scaled to the input's size. */
struct phase {
	struct scelle_stamper *st;
	int n;
	uint64_t t;	/* sum of the input's entry sizes; 0 in the first pass */
};

static void phase_progress(uint64_t done, uint64_t total, const char *item, void *arg)
{
	struct phase *p = arg;
	uint64_t t = p->t ? p->t : total;
	if (p->t && total)
		done = done >= total ? t : (uint64_t)((double)done / (double)total * (double)t);
	p->st->progress_cb((uint64_t)p->n * t + done, 3 * t, item, p->st->progress_arg);
}

/* Verifies the archive behind fd (through /proc, so that it is this very file); the first
 * failed check explains a TOTAL-FAILED verdict. */
static struct scelle_result *verify_fd(struct scelle_stamper *st, int fd, int phase, uint64_t t,
    const char **why)
{
	char path[64];
	struct phase ph = { st, phase, t };
	struct scelle_verifier *v = scelle_verifier_new();
	struct scelle_result *r = NULL;
	*why = NULL;
	if (!v)
		return NULL;
	if (st->progress_cb)
		scelle_verifier_set_progress_cb(v, phase_progress, &ph);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	r = scelle_verify(v, path);
	if (!r)	/* the file behind fd cannot be read (or no memory): say why */
		st->err = v->err.code ? v->err : (struct scerr){ SCELLE_E_NOMEM, "out of memory" };
	scelle_verifier_free(v);
	for (size_t i = 0; r && i < scelle_result_check_count(r) && !*why; i++)
		if (scelle_result_check(r, i)->status == SCELLE_FAILED)
			*why = scelle_result_check(r, i)->message;
	return r;
}

static const char *entry_name(struct archive_entry *ae)
{
	const char *n = archive_entry_pathname_utf8(ae);
	return n ? n : archive_entry_pathname(ae);
}

/* Reads the signature entry of the archive behind fd; *total: the sum of all entry sizes. */
static int read_signature(struct scelle_stamper *st, int fd, struct buf *sig, uint64_t *total)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ae;
	int r, found = 0;
	*total = 0;
	if (!a || lseek(fd, 0, SEEK_SET) != 0) {
		archive_read_free(a);
		scerr_set(&st->err, SCELLE_E_NOMEM, "out of memory");
		return -1;
	}
	archive_read_support_format_zip_seekable(a);
	if (archive_read_open_fd(a, fd, 64 * 1024) != ARCHIVE_OK)
		goto bad;
	while ((r = archive_read_next_header(a, &ae)) == ARCHIVE_OK) {
		const char *name = entry_name(ae);
		if (archive_entry_size_is_set(ae))
			*total += (uint64_t)archive_entry_size(ae);
		if (found || !name || strcmp(name, ASIC_SIGNATURE) != 0)
			continue;
		char tmp[16384];
		la_ssize_t n;
		while ((n = archive_read_data(a, tmp, sizeof(tmp))) > 0)
			if (sig->len + (size_t)n > MAX_SIG_BYTES || buf_append(sig, tmp, (size_t)n))
				goto bad;
		if (n < 0)
			goto bad;
		found = 1;
	}
	if (!found || r != ARCHIVE_EOF)
		goto bad;
	archive_read_free(a);
	return 0;
bad:
	scerr_set(&st->err, SCELLE_E_FORMAT, "cannot read '%s': %s", ASIC_SIGNATURE,
	    archive_error_string(a) ? archive_error_string(a) : "missing or too large");
	archive_read_free(a);
	return -1;
}

/* Copies every entry of the archive behind fd into z, in the order libarchive's seekable
 * reader gives (the order of the local headers), the signature replaced by sig. */
static int copy_entries(struct scelle_stamper *st, int fd, const struct cd *cd,
    const struct buf *sig, uint64_t total, struct zip_writer *z)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ae;
	unsigned char *buf = malloc(CHUNK);
	struct progress pr = { st->progress_cb, st->progress_arg, 3 * total, { 0, 0 } };
	uint64_t done = total;	/* the verification of the input was the first third */
	const char **names = xcalloc(cd->n ? cd->n : 1, sizeof(*names));
	struct nfc_names *stored = NULL;
	int r, rc = -1;

	if (!a || !buf || lseek(fd, 0, SEEK_SET) != 0) {
		scerr_set(&st->err, SCELLE_E_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; names && i < cd->n; i++)
		names[i] = cd->e[i].name;
	if (!names || !(stored = nfc_names_new(names, cd->n))) {
		scerr_set(&st->err, SCELLE_E_NOMEM, "out of memory");
		goto out;
	}
	archive_read_support_format_zip_seekable(a);
	if (archive_read_open_fd(a, fd, 64 * 1024) != ARCHIVE_OK)
		goto bad;
	while ((r = archive_read_next_header(a, &ae)) == ARCHIVE_OK) {
		/* copied under the name it is stored under, not libarchive's NFC form of it */
		const char *name = entry_name(ae);
		const struct cd_entry *ce = name ? cd_find(cd, nfc_names_find(stored, name)) : NULL;
		if (!ce) {
			scerr_set(&st->err, SCELLE_E_FORMAT, "'%s' is not in the central directory",
			    name ? name : "?");
			goto out;
		}
		name = ce->name;
		if (ce->method != ZIP_STORE && ce->method != ZIP_DEFLATE) {
			scerr_set(&st->err, SCELLE_E_FORMAT, "'%s' uses ZIP compression method %u, "
			    "which scelle does not write", name, ce->method);
			goto out;
		}
		int is_sig = strcmp(name, ASIC_SIGNATURE) == 0;
		uint64_t hint = is_sig ? sig->len : archive_entry_size_is_set(ae) ?
		    (uint64_t)archive_entry_size(ae) : UINT64_MAX;
		if (zip_entry_begin(z, name, ce->method, hint, dos_to_time(ce->dos_time, ce->dos_date), &st->err))
			goto out;
		if (is_sig) {
			if (zip_entry_write(z, sig->data, sig->len, &st->err))
				goto out;
		} else {
			la_ssize_t n;
			while ((n = archive_read_data(a, buf, CHUNK)) > 0) {
				if (zip_entry_write(z, buf, (size_t)n, &st->err))
					goto out;
				done += (uint64_t)n;
				progress_tick(&pr, done, name);
			}
			if (n < 0)
				goto bad;
		}
		if (zip_entry_end(z, &st->err))
			goto out;
	}
	if (r != ARCHIVE_EOF)
		goto bad;
	rc = 0;
	goto out;
bad:
	scerr_set(&st->err, SCELLE_E_FORMAT, "cannot read the archive: %s",
	    a && archive_error_string(a) ? archive_error_string(a) : "damaged");
out:
	archive_read_free(a);
	nfc_names_free(stored);
	free(names);
	free(buf);
	return rc;
}

static int stamp_fail(struct scelle_stamper *st, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int stamp_fail(struct scelle_stamper *st, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	st->err.code = code;
	vsnprintf(st->err.msg, sizeof(st->err.msg), fmt, ap);
	va_end(ap);
	return code;
}

/* The warnings stay a C string: a NUL just past len. */
static void warnings_terminate(struct scelle_stamper *st)
{
	if (st->warnings.len && buf_append(&st->warnings, "", 1) == 0)
		st->warnings.len--;
}

/* The custody ledger beside the input goes along with the new file (DESIGN.md §3): its
 * records stay valid, and verify reports that they cite the file before stamping.  The
 * archive is already published when this runs, so a ledger that cannot be copied is a
 * warning, not a failure. */
static void carry_ledger(struct scelle_stamper *st, const char *archive, const char *out, int force)
{
	char *from = ledger_path_for(archive), *to = ledger_path_for(out), buf[65536];
	struct out_file o = { .fd = -1 };
	struct scerr e = { 0 };
	struct scerr oe = { 0 };
	int in = from ? open_input(from, 0, NULL, &oe) : -1;	/* never waits on a FIFO */
	ssize_t n = 0;

	if (in >= 0 && to && out_open(&o, to, force, &e) == 0) {
		while ((n = read(in, buf, sizeof(buf))) > 0)
			if (write(o.fd, buf, (size_t)n) != n) {
				n = -1;
				break;
			}
		if (n < 0)
			scerr_set(&e, SCELLE_E_IO, "cannot copy '%s': %s", from, strerror(errno));
		else
			out_commit(&o, to, force, &e);
	}
	if (in < 0 && from && errno != ENOENT)
		e = oe;
	if (e.code) {
		buf_append(&st->warnings, e.msg, strlen(e.msg));
		buf_append(&st->warnings, "; the custody ledger was not carried over\n", 42);
		warnings_terminate(st);
	}
	out_abort(&o);
	if (in >= 0)
		close(in);
	free(from);
	free(to);
}

int scelle_stamper_write(struct scelle_stamper *st, const char *archive, const char *out, int flags)
{
	const int force = flags & SCELLE_SEAL_FORCE;
	struct scelle_result *r = NULL;
	struct out_file o = { .fd = -1 };
	struct zip_writer *z = NULL;
	struct buf sig = { 0 };
	struct cd cd = { 0 };
	struct stat in_st, out_st;
	const char *why, *id;
	size_t old_tokens;
	uint64_t total;
	struct tsa_options opt = { st->policy, st->timeout };
	unsigned char *der;
	size_t der_len;
	int fd = -1, rc;
	locale_t saved;

	scerr_clear(&st->err);
	st->warnings.len = 0;
	st->added = 0;
	st->seal_id[0] = st->file_digest[0] = '\0';
	if (!st->ntsa)
		return stamp_fail(st, SCELLE_E_USAGE, "no time-stamp authority given");
	saved = utf8_names_begin();
	if ((fd = open_input(archive, 0, &in_st, &st->err)) < 0) {
		rc = st->err.code;
		goto done;
	}
	/* the ledger that goes along (carry_ledger) must be readable: said now, before any
	 * TSA is asked */
	char *ledger = ledger_path_for(archive);
	rc = ledger_unreadable(ledger, 0, &st->err) ? st->err.code : SCELLE_OK;
	free(ledger);
	if (rc)
		goto done;
	/* DESIGN.md §2: the sealed file is never replaced, not even with --force. */
	if (stat(out, &out_st) == 0 && out_st.st_dev == in_st.st_dev && out_st.st_ino == in_st.st_ino) {
		rc = stamp_fail(st, SCELLE_E_USAGE, "cannot stamp '%s' onto itself: a sealed archive "
		    "is never rewritten (name a new output)", archive);
		goto done;
	}
	if (!(r = verify_fd(st, fd, 0, 0, &why))) {
		rc = st->err.code;
		goto done;
	}
	/* INDETERMINATE (no time-stamp, signer not trusted here) is what stamping is for; a
	 * TOTAL-FAILED archive is not sealed evidence any more, and a token would dignify it. */
	if (scelle_result_verdict(r) == SCELLE_FAILED) {
		rc = stamp_fail(st, SCELLE_E_INPUT, "cannot stamp '%s': it does not verify (TOTAL-FAILED): %s",
		    archive, why ? why : "see scelle verify");
		goto done;
	}
	if (!(id = scelle_result_get(r, "seal_id"))) {
		rc = stamp_fail(st, SCELLE_E_FORMAT, "cannot stamp '%s': no ASiCManifest", archive);
		goto done;
	}
	snprintf(st->seal_id, sizeof(st->seal_id), "%s", id);
	old_tokens = scelle_result_timestamp_count(r);
	scelle_result_free(r);
	r = NULL;
	if (cd_read(fd, (uint64_t)in_st.st_size, &cd, &st->err) || read_signature(st, fd, &sig, &total)) {
		rc = st->err.code;
		goto done;
	}
	/* Ask the TSAs before anything is written: a TSA that fails leaves no output.  The
	 * DER goes to OpenSSL's allocator, since cades_add_timestamps() replaces it. */
	der_len = sig.len;
	if (!(der = OPENSSL_memdup(sig.data, sig.len))) {
		rc = stamp_fail(st, SCELLE_E_NOMEM, "out of memory");
		goto done;
	}
	rc = cades_add_timestamps(&der, &der_len, st->tsa, st->ntsa, &opt, st->optional,
	    &st->warnings, &st->added, &st->err);
	sig.len = 0;
	if (rc == SCELLE_OK && buf_append(&sig, der, der_len))
		rc = stamp_fail(st, SCELLE_E_NOMEM, "out of memory");
	OPENSSL_free(der);
	warnings_terminate(st);
	if (rc)
		goto done;
	if (!st->added) {
		const char *w = scelle_stamper_warnings(st);
		rc = stamp_fail(st, SCELLE_E_NETWORK, "no time-stamp was added: %.*s",
		    w ? (int)strcspn(w, "\n") : 0, w ? w : "");
		goto done;
	}
	if (out_open(&o, out, force, &st->err) || !(z = zip_writer_new(o.fd, out, &st->err)) ||
	    copy_entries(st, fd, &cd, &sig, total, z) || zip_writer_finish(z, &st->err) ||
	    hash_file_fd(o.fd, st->file_digest, &st->err)) {
		rc = st->err.code ? st->err.code : SCELLE_E_NOMEM;
		goto done;
	}
	/* What is published must verify as the input did, with the new tokens on it. */
	if (!(r = verify_fd(st, o.fd, 2, total, &why))) {
		rc = st->err.code;
		goto done;
	}
	id = scelle_result_get(r, "seal_id");
	if (scelle_result_verdict(r) == SCELLE_FAILED || !id || strcmp(id, st->seal_id) != 0 ||
	    scelle_result_timestamp_count(r) != old_tokens + (size_t)st->added) {
		rc = stamp_fail(st, SCELLE_E_FORMAT, "the stamped copy does not verify as '%s' did: %s",
		    archive, why ? why : "seal identifier or time-stamps differ");
		goto done;
	}
	rc = out_commit(&o, out, force, &st->err) ? st->err.code : SCELLE_OK;
	if (rc == SCELLE_OK)
		carry_ledger(st, archive, out, force);
done:
	if (rc) {
		st->seal_id[0] = st->file_digest[0] = '\0';
		st->added = 0;
	}
	out_abort(&o);
	zip_writer_free(z);
	scelle_result_free(r);
	cd_free(&cd);
	buf_release(&sig);
	if (fd >= 0)
		close(fd);
	utf8_names_end(saved);
	return rc;
}
