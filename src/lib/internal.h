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
/* extract.c: why a relative path may not be used below a folder, or NULL; also verify.c's
 * test of the empty folders evidence.xml lists. */
const char *unsafe_path(const char *p);
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
/* names.c: the escape of names that are not UTF-8 (more in sealer.h). */
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

/* ------------------------------------------------------------ out_file.c ---- */
/* An output archive that appears at its path complete and fsynced, or not at all
 * (DESIGN.md §6.2).  out_open: refuses an existing `out` unless force (SCELLE_E_EXISTS) and
 * opens a temporary in its folder (o->fd); on failure it has freed everything.  out_commit:
 * fsyncs and links (force: replaces) the temporary to `out`.  Both close and free the
 * temporary whatever happens; out_abort does so without publishing (safe to call twice). */
struct out_file {
	int fd;
	int tmpfile;		/* 1: O_TMPFILE, nothing on disk until linked */
	char *tmp;		/* else: the named temporary file */
	char *dir;
};
int  out_open(struct out_file *o, const char *out, int force, struct scerr *e);
int  out_commit(struct out_file *o, const char *out, int force, struct scerr *e);
void out_abort(struct out_file *o);

/* ---------------------------------------------------------- zip_writer.c ---- */
/* A streaming ZIP writer that produces what ETSI EN 319 162-1 and Java's ZipInputStream
 * need; libarchive 3.6's writer cannot (it adds extra fields and data descriptors to every
 * entry).  The output must be seekable: sizes and CRC are written back into each local
 * header, so no entry ever carries a data descriptor. */
struct zip_writer;
enum { ZIP_STORE = 0, ZIP_DEFLATE = 8,
	ZIP_DEFLATE_GAINS = -8	/* zip_entry_whole only: DEFLATE if it saves a tenth, else STORE */
};
/* `name` is the output as the user knows it, used in error messages. */
struct zip_writer *zip_writer_new(int fd, const char *name, struct scerr *e);
/* size_hint: the final uncompressed size if known, else UINT64_MAX; it decides whether the
 * local header carries a ZIP64 extra field (only when the size may reach 4 GiB). */
int zip_entry_begin(struct zip_writer *z, const char *name, int method, uint64_t size_hint,
    time_t mtime, struct scerr *e);
/* DEFLATE level (0-9) of the entry just begun; before any zip_entry_write. */
int zip_entry_level(struct zip_writer *z, int level, struct scerr *e);
int zip_entry_write(struct zip_writer *z, const void *buf, size_t n, struct scerr *e);
int zip_entry_end(struct zip_writer *z, struct scerr *e);
/* begin + write + end of an entry whose data is all in hand, in one writev; level: DEFLATE's
 * (0-9, -1: 6).  ZIP_DEFLATE_GAINS: the bytes are deflated, and stored instead when that
 * saves less than a tenth. */
int zip_entry_whole(struct zip_writer *z, const char *name, int method, int level, time_t mtime,
    const void *data, size_t n, struct scerr *e);
/* zip_entry_whole in two halves.  zip_pack compresses with a compressor of its own, so
 * that another thread may use the writer meanwhile; p->data may point into data, which must
 * outlive it.  zip_entry_packed writes the entry; zip_pack_release frees p's buffer. */
struct zip_pack {
	int method;		/* ZIP_STORE or ZIP_DEFLATE */
	uint32_t crc;
	size_t usize, csize;
	const unsigned char *data;	/* the csize bytes to write */
	unsigned char *own;	/* the DEFLATE output */
};
int zip_pack(struct zip_pack *p, int method, int level, const void *data, size_t n, struct scerr *e);
int zip_entry_packed(struct zip_writer *z, const char *name, time_t mtime, const struct zip_pack *p,
    struct scerr *e);
void zip_pack_release(struct zip_pack *p);
/* Writes the central directory (ZIP64 records only where needed) and the end record. */
int zip_writer_finish(struct zip_writer *z, struct scerr *e);
void zip_writer_free(struct zip_writer *z);
uint64_t zip_writer_offset(const struct zip_writer *z);
/* Small entries are gathered before they are written: zip_writer_written is where the file
 * ends meanwhile, zip_writer_flush writes them (the other writes do it first). */
uint64_t zip_writer_written(const struct zip_writer *z);
int zip_writer_flush(struct zip_writer *z, struct scerr *e);
/* Where the data of the last entry ended lies in the file, its size there and its method. */
void zip_last_entry(const struct zip_writer *z, uint64_t *data_off, uint64_t *csize, int *method);

/* ----------------------------------------------------------- zip_check.c ---- */
/* The raw ZIP layout of an archive to verify (end records, central directory against
 * every local header, extra fields, names, gaps, overlaps, data descriptors, colliding
 * names, caps); adds its findings to r as checks, and fills *dir with the central
 * directory.  Returns 0 when the layout is sound, -1 when a check failed (*dir then holds
 * what could be walked).  The one central directory reader of verify and stamp. */
struct scelle_result;
struct zip_dirent {
	char *name;		/* NUL-terminated, as the central directory has it */
	uint16_t flags, method, dos_time, dos_date;
	uint32_t crc;
	uint64_t csize, usize;
	uint64_t offset;	/* of its local header */
	uint64_t data;		/* of its data; 0: its local header is unsound, not readable */
	unsigned char not_file;	/* by its attributes: 1 a symbolic link, 2 not a regular file,
				 * 3 a directory entry of a foreign container (zip_check) */
};
struct zip_dir {
	struct zip_dirent *e;	/* in central directory order */
	size_t n;
	int foreign;		/* no evidence.xml: another ETSI tool's container (FORMAT.md) */
	size_t descriptors;	/* entries with a data descriptor (foreign containers only) */
};
int zip_check(int fd, uint64_t size, struct scelle_result *r, struct zip_dir *dir);
void zip_dir_free(struct zip_dir *dir);
/* The content of one entry of dir, read from the bytes its central record points at:
 * STORED copied, DEFLATE inflated.  zip_rd_read gives up to n bytes (> 0), then 0 once
 * the entry ends with the size and CRC-32 of its central record, or -1 (zip_rd_error
 * says why: bytes already given are what the entry held up to there). */
struct zip_rd;
struct zip_rd *zip_rd_open(int fd, const struct zip_dirent *e);	/* NULL: no memory */
ssize_t zip_rd_read(struct zip_rd *rd, void *buf, size_t n);
const char *zip_rd_error(const struct zip_rd *rd);
void zip_rd_close(struct zip_rd *rd);
/* names.c: the collision key of seal and verify (NFC + full case folding), malloc'ed. */
int utf8_valid(const char *s, size_t n);			/* RFC 3629, strict */
char *name_fold_key(const char *utf8);

/* ----------------------------------------------------------- timestamp.c ---- */
/* RFC 3161 client: asks `url` for a token over the SHA-256 of data[0..n).  On success
 * *token (DER ContentInfo, malloc'ed) holds the checked token. */
/* How to reach a TSA beyond plain HTTP (timestamp.c): for https, the CA certificates that
 * the server's chain must lead to (NULL: the system's store) and a client certificate and
 * key (PEM); HTTP basic authentication "user:password" (https only, cleansed when freed). */
struct tsa_access {
	char *ca, *auth, *cert, *key;
};
int tsa_access_set(struct tsa_access *a, const char *ca, const char *auth, const char *cert,
    const char *key, struct scerr *e);
void tsa_access_clear(struct tsa_access *a);
struct tsa_options {
	const char *policy;	/* OID or NULL */
	int timeout;		/* seconds, 0: 30 */
	const struct tsa_access *access; /* NULL: none */
};
int tsa_request(const char *url, const unsigned char *data, size_t n,
    const struct tsa_options *opt, unsigned char **token, size_t *token_len, struct scerr *e);

/* What tsa_token_check() found out about one token, in the terms of ETSI EN 319 102-1. */
struct tsa_token_info {
	time_t gen_time;		/* TSTInfo genTime, 0 if unreadable */
	char tsa_name[256];		/* TSTInfo tsa, else the TSA certificate's subject */
	char signer[256];		/* subject of the TSA certificate (RFC 2253) */
	char policy[128];		/* dotted OID of the TSA policy */
	char serial[66];		/* serial number, hex */
	enum scelle_verdict status;	/* PASSED, FAILED or INDETERMINATE */
	const char *subindication;	/* NULL when passed, else e.g. "HASH_FAILURE",
					 * "SIG_CRYPTO_FAILURE", "FORMAT_FAILURE",
					 * "NO_SIGNING_CERTIFICATE_FOUND", "CHAIN_CONSTRAINTS_FAILURE",
					 * "NO_CERTIFICATE_CHAIN_FOUND", "OUT_OF_BOUNDS_NO_POE",
					 * "CRYPTO_CONSTRAINTS_FAILURE",
					 * "CRYPTO_CONSTRAINTS_FAILURE_NO_POE" (static strings) */
	int no_trust_anchor;		/* INDETERMINATE only because tsa_trust was NULL */
	char reason[512];		/* plain words, empty when passed */
};
/* Judges an RFC 3161 token (DER ContentInfo) over data[0..n): its CMS signature, that the
 * imprint is the hash of the data, the ESS signing-certificate(-v2) attribute, the critical
 * timeStamping EKU of the TSA certificate and, if tsa_trust is not NULL, the TSA chain at
 * the token's genTime.  FAILED outranks INDETERMINATE.  Always fills *info and returns 0:
 * a bad token is a verdict, not an error; e is kept for future operational errors. */
int tsa_token_check(const unsigned char *token, size_t len, const unsigned char *data, size_t n,
    X509_STORE *tsa_trust, struct tsa_token_info *info, struct scerr *e);

/* --------------------------------------------------------- signer_policy.c ---- */
/* What a certificate may sign and which algorithms a verdict may rest on (FORMAT.md §5.1).
 * Each returns 0 when allowed, else -1 with the reason in why[0..n) ("is a CA certificate
 * ...", to follow the certificate's name). */
int cert_can_seal(X509 *x, char *why, size_t n);	/* signer of an archive or a record */
int cert_can_timestamp(X509 *x, char *why, size_t n);	/* TSA certificate, RFC 3161 §2.3 */
/* NULL for a digest that TS 119 312 still accepts, else its name (MD5, SHA-1, ...). */
const char *weak_digest(int nid);
int weak_key(EVP_PKEY *k, char *why, size_t n);		/* RSA/DSA < 2048, EC < 256 bits */
/* A signer info's digest and signature algorithms and the signer's key. */
int weak_algorithms(const X509_ALGOR *dig, const X509_ALGOR *sig, EVP_PKEY *key, char *why, size_t n);
/* 1 when every word of claim (case, accents and order folded) is in the subject. */
int claim_in_subject(const X509_NAME *subject, const char *claim);
char *x509_name_text(const X509_NAME *n);	/* one line, UTF-8, malloc'ed; NULL: no memory */
char *cert_subject(X509 *x);			/* x509_name_text of the subject */

/* ----------------------------------------------------------------- sign.c ---- */
/* CAdES-B-B detached signature over data[0..n) (EN 319 122-1 §6.3), DER in *der
 * (OPENSSL_malloc'ed). */
int cades_sign(EVP_PKEY *key, X509 *cert, STACK_OF(X509) *chain, const unsigned char *data,
    size_t n, unsigned char **der, size_t *der_len, struct scerr *e);
/* One line of warnings: msg and a newline, the text kept NUL-terminated. */
void warn_line(struct buf *w, const char *msg);
/* B-T: asks each TSA for a token over the signature value of the (single) SignerInfo of
 * the DER signature and adds it as a signature-time-stamp unsigned attribute; *der is
 * replaced.  With `optional`, a TSA that fails is skipped and its error appended to
 * warnings (one line each); else the first failure is returned.  *added counts tokens. */
int cades_add_timestamps(unsigned char **der, size_t *der_len, char *const *urls, size_t nurls,
    const struct tsa_options *opt, int optional, struct buf *warnings, int *added, struct scerr *e);

/* ------------------------------------------------------- tsa_responder.c ---- */
/* The RFC 3161 responder core of `scelle tsa`.  Thread-safe: requests are answered one at
 * a time under a lock (signing takes well under a millisecond). */
#define TSA_DEMO_POLICY "1.3.6.1.4.1.99999.1.1" /* demo policy: no legal value */
struct tsa_responder_config {
	const char *cert;		/* PEM: the TSA certificate first, more may follow */
	const char *key;		/* PEM private key */
	const char *chain;		/* PEM intermediates put into tokens, or NULL */
	const char *policy;		/* default policy OID, NULL: TSA_DEMO_POLICY */
	const char *serial_file;	/* last serial issued; NULL: random 127-bit serials */
	scelle_pass_cb pass_cb;		/* for an encrypted key, or NULL */
	void *pass_arg;
};
struct tsa_responder;
struct tsa_responder *tsa_responder_new(const struct tsa_responder_config *cfg, struct scerr *e);
void tsa_responder_free(struct tsa_responder *r);
/* Answers one DER TimeStampReq with a DER TimeStampResp (*resp malloc'ed).  A malformed
 * request gets a rejection with badDataFormat.  Returns 0 for a granted token, 1 for a
 * rejection, -1 when no reply could be made (out of memory). */
int tsa_respond(struct tsa_responder *r, const unsigned char *req, size_t req_len,
    unsigned char **resp, size_t *resp_len);

/* --------------------------------------------------------- cms_revinfo.c ---- */
/* OCSP responses (DER) in SignedData.crls as RFC 5940 other revocation info, which
 * OpenSSL 3.0's CMS API cannot write or read: adds them to a DER ContentInfo (into out),
 * and reads back every one found (a malloc'ed array of *count; NULL when none). */
int cms_der_add_ocsp(const unsigned char *der, size_t len, const struct buf *ocsp, size_t n,
    struct buf *out);
OCSP_RESPONSE **cms_der_get_ocsp(const unsigned char *der, size_t len, size_t *count);

#endif
