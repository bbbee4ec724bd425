/* stamp.c — time-stamping an archive that was sealed offline (CAdES-B-B → B-T, and
 * XAdES-B-B → B-T: FORMAT.md §5.2).
 *
 * An archive is immutable once sealed (doc/design.md §2), so stamping writes a new one:
 * every entry is copied with its content, name, order, compression method and date
 * unchanged, except META-INF/signature001.p7s, whose SignerInfo gains one
 * signature-time-stamp unsigned attribute per TSA (EN 319 122-1 §5.3; tokens already there
 * are kept byte for byte, though DER may sort the new ones before them: a SET OF).  Unsigned attributes are outside what the signature covers, and the
 * ASiCManifest is copied byte for byte, so the seal identifier (its SHA-256) does not
 * change; evidence.xml is not touched, so nothing in the new file claims a sealing time
 * other than the one recorded when it was sealed.
 *
 * Entries are read through the central directory (zip_check.c) and recompressed by our
 * zip_writer with the method it names: the content is identical, the DEFLATE stream may
 * differ (another zlib level), which no digest covers.  Order of work: verify the input
 * (a TOTAL-FAILED archive is refused before any TSA is asked) → ask the TSAs → copy →
 * verify the copy → publish it atomically (out_file.c).
 *
 * A XAdES archive (FORMAT.md §5.2) is stamped the same way: its META-INF/signatures001.xml
 * gains one xades:SignatureTimeStamp per TSA among its unsigned properties (xades.c, the
 * code that seal runs), and every other entry is copied as above.  The canonical SignedInfo,
 * its seal identifier, does not change.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include "crypto.h"
#include "container.h"
#include "internal.h"
#include "ledger.h"
#include "result.h"
#include "verifier.h"
#include "xades.h"

#define CHUNK	   (1u << 20)

struct scelle_stamper {
	struct scerr err;
	char **tsa;
	size_t ntsa;
	char *policy;
	int timeout, optional;
	struct tsa_access access;
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
	tsa_access_clear(&st->access);
	buf_release(&st->warnings);
	free(st);
}

const char *scelle_stamper_errhint(const struct scelle_stamper *st)
{
	return st->err.hint;
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

int scelle_stamper_set_tsa_access(struct scelle_stamper *st, const char *ca_file, const char *auth,
    const char *cert_file, const char *key_file)
{
	return tsa_access_set(&st->access, ca_file, auth, cert_file, key_file, &st->err);
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

/* The central directory, read by verify's reader (zip_check.c): the archive has already
 * been verified, but it is walked and judged again, since the file may have changed since;
 * every entry is then copied from the bytes its central record points at, under its
 * central directory name. */
static int cd_read(int fd, uint64_t size, struct zip_dir *dir, struct scerr *e)
{
	struct scelle_result *r = result_new();
	int rc = r ? zip_check(fd, size, r, dir) : -1;
	if (rc) {
		const char *why = NULL;
		for (size_t i = 0; r && i < r->nchecks && !why; i++)
			if (r->checks[i].status == SCELLE_FAILED)
				why = r->checks[i].message;
		scerr_set(e, r ? SCELLE_E_FORMAT : SCELLE_E_NOMEM, "the ZIP central directory cannot "
		    "be read: %s", why ? why : "out of memory");
		zip_dir_free(dir);
	} else if (dir->foreign) {	/* its entries are copied as scelle writes them */
		scerr_set(e, SCELLE_E_FORMAT, "not a scelle archive: no evidence manifest (%s); stamp "
		    "adds time-stamps to scelle archives only", EVIDENCE_XML);
		zip_dir_free(dir);
		rc = -1;
	}
	scelle_result_free(r);
	return rc;
}

static int by_offset(const void *a, const void *b)
{
	const struct zip_dirent *x = *(struct zip_dirent *const *)a, *y = *(struct zip_dirent *const *)b;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
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

/* Verifies the archive behind fd (through /proc, so that it is this very file), with the
 * custody ledger at ledger when there is one there (NULL: none); the first failed check
 * explains a TOTAL-FAILED verdict. */
static struct scelle_result *verify_fd(struct scelle_stamper *st, int fd, int phase, uint64_t t,
    const char *ledger, const char **why)
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
	/* The ledger that carry_ledger() takes along is judged as `verify` judges it: stamp
	 * refuses what verify fails (a forged ledger is not carried to a new file). */
	if (ledger && access(ledger, F_OK) == 0 && scelle_verifier_set_ledger(v, ledger) != SCELLE_OK) {
		st->err = v->err;
		scelle_verifier_free(v);
		return NULL;
	}
	r = scelle_verify(v, path);
	if (!r)	/* the file behind fd cannot be read (or no memory): say why */
		st->err = v->err.code ? v->err : (struct scerr){ SCELLE_E_NOMEM, "out of memory", NULL };
	scelle_verifier_free(v);
	for (size_t i = 0; r && i < scelle_result_check_count(r) && !*why; i++)
		if (scelle_result_check(r, i)->status == SCELLE_FAILED)
			*why = scelle_result_check(r, i)->message;
	return r;
}

/* Reads the signature entry into sig, the one verify judged: META-INF/signature001.p7s,
 * or without it the XAdES signature (FORMAT.md §5.2), whose name goes to *name; *total:
 * the sum of all entry sizes. */
static int read_signature(struct scelle_stamper *st, int fd, const struct zip_dir *dir,
    struct buf *sig, uint64_t *total, const char **name)
{
	const struct zip_dirent *d = NULL;
	struct zip_rd *rd;
	char tmp[16384];
	ssize_t n = -1;
	*total = 0;
	for (size_t i = 0; i < dir->n; i++) {
		*total += dir->e[i].usize;
		if (!d && strcmp(dir->e[i].name, ASIC_SIGNATURE) == 0)
			d = &dir->e[i];
	}
	for (size_t i = 0; !d && i < dir->n; i++)
		if (is_xades_signature_name(dir->e[i].name))
			d = &dir->e[i];
	*name = d ? d->name : ASIC_SIGNATURE;
	if (!d || d->usize > MAX_SIG_BYTES) {
		scerr_set(&st->err, SCELLE_E_FORMAT, "cannot read '%s': missing or too large", *name);
		return -1;
	}
	if (!(rd = zip_rd_open(fd, d))) {
		scerr_set(&st->err, SCELLE_E_NOMEM, "out of memory");
		return -1;
	}
	while ((n = zip_rd_read(rd, tmp, sizeof(tmp))) > 0)
		if (buf_append(sig, tmp, (size_t)n)) {
			zip_rd_close(rd);
			scerr_set(&st->err, SCELLE_E_NOMEM, "out of memory");
			return -1;
		}
	if (n < 0)
		scerr_set(&st->err, SCELLE_E_FORMAT, "cannot read '%s': %s", *name, zip_rd_error(rd));
	zip_rd_close(rd);
	return n < 0 ? -1 : 0;
}

/* Copies every entry of the archive behind fd into z, in the order of their local headers,
 * each under its central directory name, the signature (sig_name) replaced by sig. */
static int copy_entries(struct scelle_stamper *st, int fd, const struct zip_dir *dir,
    const char *sig_name, const struct buf *sig, uint64_t total, struct zip_writer *z)
{
	const struct zip_dirent **order = dir->n ? xcalloc(dir->n, sizeof(*order)) : NULL;
	unsigned char *buf = malloc(CHUNK);
	struct progress pr = { st->progress_cb, st->progress_arg, 3 * total, { 0, 0 } };
	uint64_t done = total;	/* the verification of the input was the first third */
	struct zip_rd *rd = NULL;
	int rc = -1;

	if (!buf || (dir->n && !order)) {
		scerr_set(&st->err, SCELLE_E_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < dir->n; i++)
		order[i] = &dir->e[i];
	sort(order, dir->n, sizeof(*order), by_offset);
	for (size_t i = 0; i < dir->n; i++) {
		const struct zip_dirent *d = order[i];
		const char *name = d->name;
		if (d->method != ZIP_STORE && d->method != ZIP_DEFLATE) {
			scerr_set(&st->err, SCELLE_E_FORMAT, "'%s' uses ZIP compression method %u, "
			    "which scelle does not write", name, d->method);
			goto out;
		}
		int is_sig = strcmp(name, sig_name) == 0;
		uint64_t hint = is_sig ? sig->len : d->usize;
		if (zip_entry_begin(z, name, d->method, hint, dos_to_time(d->dos_time, d->dos_date), &st->err))
			goto out;
		if (is_sig) {
			if (zip_entry_write(z, sig->data, sig->len, &st->err))
				goto out;
		} else {
			ssize_t n;
			if (!(rd = zip_rd_open(fd, d))) {
				scerr_set(&st->err, SCELLE_E_NOMEM, "out of memory");
				goto out;
			}
			while ((n = zip_rd_read(rd, buf, CHUNK)) > 0) {
				if (zip_entry_write(z, buf, (size_t)n, &st->err))
					goto out;
				done += (uint64_t)n;
				progress_tick(&pr, done, name);
			}
			if (n < 0) {
				scerr_set(&st->err, SCELLE_E_FORMAT, "cannot read '%s': %s", name,
				    zip_rd_error(rd));
				goto out;
			}
			zip_rd_close(rd);
			rd = NULL;
		}
		if (zip_entry_end(z, &st->err))
			goto out;
	}
	rc = 0;
out:
	zip_rd_close(rd);
	free(order);
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
	st->err.hint = NULL;
	vsnprintf(st->err.msg, sizeof(st->err.msg), L_(fmt), ap);
	va_end(ap);
	return code;
}

/* The warnings stay a C string: a NUL just past len. */
static void warnings_terminate(struct scelle_stamper *st)
{
	if (st->warnings.len && buf_append(&st->warnings, "", 1) == 0)
		st->warnings.len--;
}

/* The custody ledger beside the input goes along with the new file (doc/design.md §3): its
 * records stay valid, and verify reports that they cite the file before stamping.  The
 * archive is already published when this runs, so a ledger that cannot be copied is a
 * warning, not a failure. */
static void carry_ledger(struct scelle_stamper *st, const char *archive, const char *out, int force)
{
	char *from = ledger_path_for(archive), *to = ledger_path_for(out), buf[65536];
	struct out_file o = { .fd = -1 };
	struct scerr e = { 0 }, oe = { 0 };
	int in = from ? open_input(from, 0, NULL, &oe) : -1;	/* never waits on a FIFO */
	ssize_t n = 0;

	if (in < 0 && from && errno != ENOENT)
		e = oe;

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
	if (e.code) {
		buf_append(&st->warnings, e.msg, strlen(e.msg));
		const char *more = L_("; the custody ledger was not carried over\n");
		buf_append(&st->warnings, more, strlen(more));
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
	struct zip_dir cd = { 0 };
	struct stat in_st, out_st;
	const char *why, *id, *sig_name = ASIC_SIGNATURE;
	size_t old_tokens;
	uint64_t total;
	struct tsa_options opt = { st->policy, st->timeout, &st->access };
	unsigned char *der;
	size_t der_len;
	char *ledger = NULL, *old_ledger = NULL, *aside = NULL;
	int fd, rc;

	scerr_clear(&st->err);
	st->warnings.len = 0;
	st->added = 0;
	st->seal_id[0] = st->file_digest[0] = '\0';
	if (!st->ntsa)
		return stamp_fail(st, SCELLE_E_USAGE, "no time-stamp authority given");
	if ((fd = open_input(archive, 0, &in_st, &st->err)) < 0) {
		rc = st->err.code;
		goto done;
	}
	/* the ledger that goes along (carry_ledger) must be readable: said now, before any
	 * TSA is asked */
	ledger = ledger_path_for(archive);
	rc = ledger_unreadable(ledger, 0, &st->err) ? st->err.code : SCELLE_OK;
	if (rc)
		goto done;
	/* doc/design.md §2: the sealed file is never replaced, not even with --force. */
	if (stat(out, &out_st) == 0 && out_st.st_dev == in_st.st_dev && out_st.st_ino == in_st.st_ino) {
		rc = stamp_fail(st, SCELLE_E_USAGE, "cannot stamp '%s' onto itself: a sealed archive "
		    "is never rewritten (name a new output)", archive);
		goto done;
	}
	/* A ledger is never overwritten (formats/custody.md, "Writing"): the one beside a
	 * replaced `out` is moved aside under its seal identifier, as by `seal --force`. */
	struct stat lst;
	if (force && (old_ledger = ledger_path_for(out)) && lstat(old_ledger, &lst) == 0 &&
	    S_ISREG(lst.st_mode)) {
		char why_aside[sizeof(st->err.msg)];
		if (!(aside = ledger_aside_path(old_ledger, &st->err))) {
			snprintf(why_aside, sizeof(why_aside), "%s", st->err.msg);
			rc = stamp_fail(st, st->err.code, "cannot keep the custody ledger: %s", why_aside);
			goto done;
		}
		if (lstat(aside, &lst) == 0) {
			rc = stamp_fail(st, SCELLE_E_EXISTS, "cannot keep the custody ledger '%s': '%s' "
			    "already exists (move one of them away)", old_ledger, aside);
			goto done;
		}
	}
	if (!(r = verify_fd(st, fd, 0, 0, ledger, &why))) {
		rc = st->err.code;
		goto done;
	}
	/* INDETERMINATE (no time-stamp, signer not trusted here) is what stamping is for; a
	 * TOTAL-FAILED archive is not sealed evidence any more, and a token would dignify it. */
	if (scelle_result_verdict(r) == SCELLE_FAILED) {
		rc = stamp_fail(st, SCELLE_E_INPUT, "cannot stamp '%s': it does not verify (TOTAL-FAILED): %s",
		    archive, why ? why : L_("see scelle verify"));
		goto done;
	}
	if ((id = scelle_result_get(r, "container")) && strcmp(id, "etsi") == 0) {
		rc = stamp_fail(st, SCELLE_E_FORMAT, "cannot stamp '%s': not a scelle archive: no "
		    "evidence manifest (%s)", archive, EVIDENCE_XML);
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
	if (cd_read(fd, (uint64_t)in_st.st_size, &cd, &st->err) ||
	    read_signature(st, fd, &cd, &sig, &total, &sig_name)) {
		rc = st->err.code;
		goto done;
	}
	/* Ask the TSAs before anything is written: a TSA that fails leaves no output.  A
	 * XAdES signature gains its SignatureTimeStamp in its own file (FORMAT.md §5.2); a
	 * CAdES one's DER goes to OpenSSL's allocator, since cades_add_timestamps() replaces
	 * it. */
	if (strcmp(sig_name, ASIC_SIGNATURE) != 0)
		rc = xades_stamp(&sig, st->tsa, st->ntsa, &opt, st->optional, &st->warnings, &st->added,
		    &st->err);
	else if (!(der = OPENSSL_memdup(sig.data, der_len = sig.len)))
		rc = stamp_fail(st, SCELLE_E_NOMEM, "out of memory");
	else {
		rc = cades_add_timestamps(&der, &der_len, st->tsa, st->ntsa, &opt, st->optional,
		    &st->warnings, &st->added, &st->err);
		sig.len = 0;
		if (rc == SCELLE_OK && buf_append(&sig, der, der_len))
			rc = stamp_fail(st, SCELLE_E_NOMEM, "out of memory");
		OPENSSL_free(der);
	}
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
	    copy_entries(st, fd, &cd, sig_name, &sig, total, z) || zip_writer_finish(z, &st->err) ||
	    hash_file_fd(o.fd, st->file_digest, &st->err)) {
		rc = st->err.code ? st->err.code : SCELLE_E_NOMEM;
		goto done;
	}
	/* What is published must verify as the input did, with the new tokens on it. */
	if (!(r = verify_fd(st, o.fd, 2, total, NULL, &why))) {
		rc = st->err.code;
		goto done;
	}
	id = scelle_result_get(r, "seal_id");
	if (scelle_result_verdict(r) == SCELLE_FAILED || !id || strcmp(id, st->seal_id) != 0 ||
	    scelle_result_timestamp_count(r) != old_tokens + (size_t)st->added) {
		rc = stamp_fail(st, SCELLE_E_FORMAT, "the stamped copy does not verify as '%s' did: %s",
		    archive, why ? why : L_("seal identifier or time-stamps differ"));
		goto done;
	}
	if (aside && (rc = ledger_move(old_ledger, aside, &st->err)))
		goto done;
	rc = out_commit(&o, out, force, &st->err) ? st->err.code : SCELLE_OK;
	if (rc && aside)	/* the old `out` stays: its ledger goes back beside it */
		ledger_move(aside, old_ledger, &(struct scerr){ 0 });
	if (rc == SCELLE_OK && aside) {
		buf_append(&st->warnings, "the custody ledger of the replaced archive was moved to '", 57);
		buf_append(&st->warnings, aside, strlen(aside));
		buf_append(&st->warnings, "'\n", 2);
		warnings_terminate(st);
	}
	if (rc == SCELLE_OK)
		carry_ledger(st, archive, out, force && !aside);
done:
	free(ledger);
	free(old_ledger);
	free(aside);
	if (rc) {
		st->seal_id[0] = st->file_digest[0] = '\0';
		st->added = 0;
	}
	out_abort(&o);
	zip_writer_free(z);
	scelle_result_free(r);
	zip_dir_free(&cd);
	buf_release(&sig);
	if (fd >= 0)
		close(fd);
	return rc;
}
