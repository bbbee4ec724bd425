/* internal.h — shared by the files of libscelle, never installed. */
#ifndef SCELLE_INTERNAL_H
#define SCELLE_INTERNAL_H

#include <libintl.h>
#include <locale.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>
#include <sys/types.h>
#include <openssl/types.h>
#include <openssl/x509.h>
#include "scelle.h"
#include "banned.h"

#define SCELLE_NS_EVIDENCE "urn:scelle:evidence:1"
#define SCELLE_NS_ASIC	   "http://uri.etsi.org/02918/v1.2.1#"
#define SCELLE_NS_DSIG	   "http://www.w3.org/2000/09/xmldsig#"
#define ASIC_MIMETYPE	   "application/vnd.etsi.asic-e+zip"
#define ASIC_MANIFEST	   "META-INF/ASiCManifest001.xml"
#define ASIC_SIGNATURE	   "META-INF/signature001.p7s"
#define EVIDENCE_XML	   "evidence.xml"
#define EVIDENCE_DIR	   "evidence/"

/* Limits on what a hostile archive can make us hold in memory. */
#define MAX_XML_BYTES	   (64u << 20)	/* evidence.xml, ASiCManifest */
#define MAX_SIG_BYTES	   (4u << 20)	/* signature001.p7s */
#define MAX_ENTRIES	   2000000u
#define MAX_NAME_BYTES	   4096u

/* Messages (errors, check messages, warnings) are English msgids looked up in the text
 * domain "scelle", whose catalogs src/cli/po holds: the scelle command binds the domain and
 * so reads them in --lang's language; a program that does not bind it gets English
 * (libscelle(3), "MESSAGES").  L_ translates a format where it is used; N_ marks a string
 * for xgettext that is translated later (an argument of a translated format). */
#define SCELLE_DOMAIN "scelle"
#define L_(s) dgettext(SCELLE_DOMAIN, s)
#define N_(s) (s)

/* An error: a code and one line of text.  Every internal function that can fail takes one. */
struct scerr {
	int code;
	char msg[1024];
	/* what the caller can do about it, a stable code (scelle.h "Error hints"), or NULL:
	 * the message says what is wrong in the library's terms, the caller names its own
	 * option; set after scerr_set()/scerr_ssl(), which clear it */
	const char *hint;
};

void scerr_set(struct scerr *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Like scerr_set, then appends ": " and the OpenSSL error queue (drained). */
void scerr_ssl(struct scerr *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void scerr_clear(struct scerr *e);

/* Small helpers (util.c). */
void *xcalloc(size_t n, size_t size);	/* NULL on overflow or no memory */
char *xstrdup(const char *s);		/* NULL-safe */
/* qsort(3) that accepts an empty array given as NULL (qsort's NULL is undefined behaviour,
 * even for n = 0: UBSan stops there).  Every sort of the library goes through it. */
void sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));
/* Room for `need` (>= 1) elements of `size` bytes in the array p of capacity *cap: the
 * capacity doubles, so n appends cost O(n).  Returns the array, moved or not, and updates
 * *cap; NULL when out of memory or on overflow (p and *cap are then unchanged). */
void *grow(void *p, size_t *cap, size_t need, size_t size);
/* util.c: why a relative path may not be used below a folder, or NULL: extract.c's test, and
 * verify.c's of the empty folders evidence.xml lists. */
const char *unsafe_path(const char *p);
/* RFC 3986 path escaping of a relative URI (ASiC references), NUL ended; and back
 * (malloc'ed; -1 on a bad escape or no memory). */
struct buf;
int uri_escape(const char *name, struct buf *out);
int uri_unescape(const char *uri, char **out);
void hex_encode(const unsigned char *in, size_t n, char *out); /* out: 2n+1 */
int  b64_encode(const unsigned char *in, size_t n, char **out);  /* malloc'ed */
/* RFC 3339 UTC time "YYYY-MM-DDThh:mm:ssZ" into out (>= 21 bytes). */
void time_rfc3339(time_t t, char *out, size_t outlen);
int  time_parse_rfc3339(const char *s, time_t *t);
/* SHA-256 of the whole file behind fd (read with pread), as 64 hex digits. */
int  hash_file_fd(int fd, char hex[65], struct scerr *e);
/* Opens an input to read (an archive, a ledger; flags: more open flags, e.g. O_NOFOLLOW)
 * and fills *st (may be NULL).  It never waits: a FIFO is opened non-blocking, seen, and
 * refused, as is anything but a regular file (SCELLE_E_INPUT, "cannot open 'x': it is a
 * FIFO"); an open that fails is SCELLE_E_IO ("cannot open 'x': No such file or
 * directory", errno kept).  The fd returned is blocking again; -1 on error. */
struct stat;
int  open_input(const char *path, int flags, struct stat *st, struct scerr *e);
const char *file_kind(mode_t m);	/* "a FIFO", "a folder", ...: what a non-file is */
/* Entry names in UTF-8 whatever the caller's locale.  libarchive converts every entry
 * name into the charset of the calling thread's LC_CTYPE (and keeps it, per reader, from
 * its first conversion); under the C locale, where the scelle command runs and where a
 * program linking libscelle may, that is ASCII, so a UTF-8 name (ZIP flag bit 11,
 * FORMAT.md) "cannot be converted from UTF-8 to current locale" and its entry comes back
 * nameless.  Every public function that reads an archive with libarchive does so between
 * utf8_names_begin(), which sets this thread's locale to C.UTF-8, and
 * utf8_names_end(saved), which gives the thread its locale back.  Nothing else of the
 * process's locale changes. */
locale_t utf8_names_begin(void);
void utf8_names_end(locale_t saved);
/* Calls cb at most ten times a second, and always when done == total (util.c). */
struct progress {
	scelle_progress_cb cb;
	void *arg;
	uint64_t total;
	struct timespec last;
};
void progress_tick(struct progress *p, uint64_t done, const char *item);

/* hash_thread.c: hashing on a second thread.  A hash_pipe runs up to HP_MAX_MD digests
 * over buffers handed to it in order; the caller fills space got from hash_pipe_space (at
 * least `need` bytes, packed after what was handed over: small items share a buffer) or
 * hash_pipe_buffer (a whole buffer), passes what it filled to hash_pipe_put and may keep
 * reading it (CRC-32, write) until it asks for space again.  hash_pipe_end queues the end
 * of a stream: `done` is called on the worker thread with the digests, at the latest when
 * hash_pipe_wait is called.  hash_pipe_item is begin, put and end for a whole item in one
 * job, then call(ctx, arg, buf, n) on the worker, with buf[0..n) still valid (-1 if buf is
 * not the space given out).  Nonzero from call fails the pipe: the jobs after it are
 * skipped.  hash_pipe_ticket/wait: wait until every job queued before the ticket is done;
 * -1 if a digest or a call failed (hash_pipe_failed asks, not waiting). */
#define HP_BUFS	   4
#define HP_MAX_MD  7
#define HP_MD_SIZE 64
typedef void (*hash_done_fn)(void *arg, unsigned char md[][HP_MD_SIZE], const unsigned int *len,
    size_t n);
typedef int (*hash_call_fn)(void *ctx, void *arg, const unsigned char *buf, size_t n);
struct hash_pipe;
struct hash_pipe *hash_pipe_new(size_t bufsize);
int  hash_pipe_begin(struct hash_pipe *p, const EVP_MD *const *md, size_t n);
unsigned char *hash_pipe_space(struct hash_pipe *p, size_t need);
unsigned char *hash_pipe_buffer(struct hash_pipe *p);
void hash_pipe_put(struct hash_pipe *p, const unsigned char *buf, size_t n);
void hash_pipe_end(struct hash_pipe *p, hash_done_fn done, void *arg);
int  hash_pipe_item(struct hash_pipe *p, const EVP_MD *const *md, size_t nmd,
    const unsigned char *buf, size_t n, hash_done_fn done, hash_call_fn call, void *ctx, void *arg);
int  hash_pipe_failed(struct hash_pipe *p);
uint64_t hash_pipe_ticket(struct hash_pipe *p);
int  hash_pipe_wait(struct hash_pipe *p, uint64_t ticket);
void hash_pipe_free(struct hash_pipe *p);

/* An item's media type from its first n bytes (media_type.c): the common evidence formats
 * and random bytes from their signature, the rest from libmagic (magic may be NULL: then
 * NULL).  media_type_sniff is the first part alone, NULL when it cannot tell. */
const char *media_type(void *magic, const unsigned char *p, size_t n);
const char *media_type_sniff(const unsigned char *p, size_t n);
/* SHA-256 of a file on its own thread, reading with pread up to the offset said final by
 * file_hasher_advance; `writeback` also starts writing hashed ranges to disk.
 * file_hasher_finish gives the hex digest of [0, end) and frees the hasher. */
struct file_hasher;
struct file_hasher *file_hasher_start(int fd, int writeback);
void file_hasher_advance(struct file_hasher *h, uint64_t final);
int  file_hasher_finish(struct file_hasher *h, uint64_t end, char hex[65], struct scerr *e);
void file_hasher_abort(struct file_hasher *h);
/* names.c: the escape of names that are not UTF-8 (more in evidence.h). */
char *original_name_decode(const char *b64);	/* <originalName> to bytes, malloc'ed */
int name_is_escape_of(const char *escaped, const char *original);
/* display.c: the code point of the UTF-8 sequence at p (<= n bytes) and its length, 0 if
 * not well-formed; whether a code point is escaped by scelle_display (hidden) or a blank
 * (Zs); text_check refuses control characters (C0, DEL, C1; multiline: but TAB, LF, CR)
 * and bytes that are not UTF-8 in free text before it is written (-1, the reason in why). */
size_t utf8_char(const unsigned char *p, size_t n, uint32_t *cp);
int display_hidden(uint32_t c);
int display_blank(uint32_t c);
int text_check(const char *s, int multiline, char *why, size_t n);
/* display.c: whether s[0..n) is UTF-8 (RFC 3629, strict), and the collision key of seal
 * and verify (NFC + full case folding), malloc'ed. */
int utf8_valid(const char *s, size_t n);
char *name_fold_key(const char *utf8);
/* util.c: an ISO 3166-1 alpha-2 code as evidence.xsd and custody.xsd store it, two capital
 * letters, from two ASCII letters in either case ("fr" is FR): 0, or -1 if it is not one. */
int country_code(const char *in, char out[3]);
/* Dynamic byte buffer. */
struct buf {
	unsigned char *data;
	size_t len, cap;
};
int  buf_append(struct buf *b, const void *p, size_t n);
void buf_release(struct buf *b);
/* Run-time versions of libarchive ("3.6.2") and libxml2 ("2.9.14"), as --version prints
 * them and evidence.xml <tool> records them (version.c). */
const char *version_libarchive(void);
const char *version_libxml2(void);

#endif
