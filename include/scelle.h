/*
 * scelle.h — the one public header of libscelle.
 *
 * libscelle puts digital evidence "sous scellé": it writes ETSI ASiC-E containers
 * (EN 319 162-1) holding the evidence files, an evidence.xml manifest of our own, an ETSI
 * ASiCManifest and a CAdES detached signature (EN 319 122-1) over that manifest, and it
 * verifies such containers.  The library never prints and never exits: every function
 * reports failure through its return value and leaves a one-line message on the handle,
 * read with scelle_sealer_errmsg() / scelle_verifier_errmsg().
 *
 * Conventions
 *  - Handles are opaque.  Every scelle_X_new() pairs with scelle_X_free(); free(NULL) is a
 *    no-op.
 *  - Functions returning int return SCELLE_OK (0) on success or a negative scelle_error.
 *  - Strings passed in are copied; strings returned are borrowed from the handle and live
 *    until the handle is freed (or, for results, until scelle_result_free()).
 */
#ifndef SCELLE_H
#define SCELLE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define SCELLE_API __attribute__((visibility("default")))
#else
#define SCELLE_API
#endif

/* Error codes.  A *verification* failure is not an error: scelle_verify() succeeds and the
 * result carries the verdict.  Errors are operational: bad arguments, I/O, crypto setup. */
enum scelle_error {
	SCELLE_OK = 0,
	SCELLE_E_USAGE = -1,	/* invalid argument or option combination */
	SCELLE_E_IO = -2,	/* a file could not be opened, read, written or renamed */
	SCELLE_E_INPUT = -3,	/* an input is unsuitable (FIFO, device, changed while read) */
	SCELLE_E_KEY = -4,	/* key or certificate cannot be loaded or do not match */
	SCELLE_E_CRYPTO = -5,	/* signing or hashing failed inside OpenSSL */
	SCELLE_E_FORMAT = -6,	/* an input document (case file, archive) is malformed */
	SCELLE_E_EXISTS = -7,	/* the output exists and overwriting was not asked for */
	SCELLE_E_NETWORK = -8,	/* a time-stamp authority could not be reached or refused */
	SCELLE_E_NOMEM = -9,
	SCELLE_E_LIMIT = -10,	/* a size or count limit was exceeded */
	SCELLE_E_MISMATCH = -11	/* the custody ledger is not the one named (its head differs) */
};

/* Error hints.  An error's message says what is wrong in the library's terms; when the
 * caller can act on it, scelle_X_errhint() also gives a stable code (else NULL), which a
 * program turns into its own words and option names:
 *   use-force          the output exists: SCELLE_SEAL_FORCE replaces it
 *   need-pass          the key or token needs a pass phrase or PIN: a pass callback
 *   need-cert          the key file holds no certificate: name the certificate file
 *   need-chain         a certificate's issuer is needed: scelle_sealer_add_chain()
 *   need-tsa           (a warning) sealed without a time-stamp: scelle_sealer_add_tsa(), or
 *                      stamp it later (scelle_stamper_write())
 *   stamp-later        (a warning) no TSA answered: stamp it later
 *   verify-revocation  (a warning) no revocation data could be embedded: a verifier needs a
 *                      CRL (scelle_verifier_add_crl()) or SCELLE_VERIFY_ONLINE
 *   embed-crl          (a warning) likewise, and the issuer's CRL can be embedded instead:
 *                      scelle_sealer_add_revocation_data()
 *   name-actor         the certificate gives no usable name or organisation for the actor:
 *                      scelle_custody_set() "actor" and "organisation"
 *   name-country       no valid country for the actor: scelle_custody_set() "country"
 *   rename-collisions  names collide: SCELLE_COLLISION_RENAME stores both
 *   rsa-pkcs1          an RSA key failed to sign with PSS (a token without it):
 *                      scelle_sealer_set_rsa_padding() "pkcs1"
 *   seal-xades-tsa     a XAdES archive cannot be stamped: seal it with XAdES and a TSA
 *   trust-file         a file was given as a folder of anchors: scelle_verifier_add_trust()
 */

/* Library version and the versions of the libraries it was linked with. */
SCELLE_API const char *scelle_version(void);
SCELLE_API const char *scelle_version_details(void); /* "scelle X (OpenSSL Y, libarchive Z, libxml2 W)" */

/* ---------------------------------------------------------------- sealing ---- */

struct scelle_sealer;

/* Pass phrase callback: write at most size-1 bytes and a NUL into buf, return the length,
 * or -1 when no pass phrase can be had (the load then fails with SCELLE_E_KEY).  `what`
 * names the file or token that asks.  The library wipes buf after use. */
typedef int (*scelle_pass_cb)(char *buf, int size, const char *what, void *arg);

/* Progress callback: bytes done of total, called at most a few times a second. */
typedef void (*scelle_progress_cb)(uint64_t done, uint64_t total, const char *item, void *arg);

SCELLE_API struct scelle_sealer *scelle_sealer_new(void);
SCELLE_API void scelle_sealer_free(struct scelle_sealer *s);
SCELLE_API const char *scelle_sealer_errmsg(const struct scelle_sealer *s);
SCELLE_API const char *scelle_sealer_errhint(const struct scelle_sealer *s);	/* or NULL */

SCELLE_API void scelle_sealer_set_pass_cb(struct scelle_sealer *s, scelle_pass_cb cb, void *arg);
SCELLE_API void scelle_sealer_set_progress_cb(struct scelle_sealer *s, scelle_progress_cb cb, void *arg);

/* The signer.  `key` is a path or URI to a PEM / DER / PKCS#12 private key; `cert` the
 * signer certificate (NULL: taken from the PKCS#12 or the key file); `chain` a PEM bundle of
 * intermediates to embed (may be called several times, before or after the signer: a key
 * never drops the chain given before it).  Loading happens here, so a wrong pass phrase or
 * a key that does not match its certificate is reported by this call; set the pass phrase
 * callback (and the PKCS#11 module) first. */
SCELLE_API int scelle_sealer_set_signer(struct scelle_sealer *s, const char *key, const char *cert);
SCELLE_API int scelle_sealer_add_chain(struct scelle_sealer *s, const char *chain_file);

/* `key` (or `cert`) may also be a PKCS#11 URI (RFC 7512), "pkcs11:token=...;object=...",
 * for a smart card or an HSM: the key stays on the token, which signs; the PIN is asked
 * through the pass phrase callback, once (a wrong PIN is never retried, so that a card is
 * not locked).  The certificate with the same id is taken from the token when `cert` is
 * NULL.  The PKCS#11 module is `path` (NULL: p11-kit's proxy, which reaches every module
 * registered with p11-kit); call this before scelle_sealer_set_signer(). */
SCELLE_API int scelle_sealer_set_pkcs11_module(struct scelle_sealer *s, const char *path);

/* RSA keys sign with RSASSA-PSS (salt as long as the SHA-256 digest) by default, since
 * SOG-IS and ETSI TS 119 312 keep PKCS#1 v1.5 as legacy only; "pkcs1" asks for v1.5 (for
 * old tokens or receivers), "pss" for the default.  No effect on EC keys. */
SCELLE_API int scelle_sealer_set_rsa_padding(struct scelle_sealer *s, const char *padding);

/* Case data.  One reference per authority and country (each jurisdiction numbers the case
 * differently).  scelle_sealer_set_case_file() reads a <case> element (evidence.xml
 * namespace) from a file and replaces any data given before. */
SCELLE_API int scelle_sealer_add_case_ref(struct scelle_sealer *s, const char *authority,
    const char *country, const char *reference);
SCELLE_API int scelle_sealer_set_case_file(struct scelle_sealer *s, const char *path);

/* Who seals, and where.  field is one of "name", "role", "unit", "country", "place". */
SCELLE_API int scelle_sealer_set_officer(struct scelle_sealer *s, const char *field, const char *value);

/* Revocation data to embed in the signature (CAdES-B-LT, EN 319 122-1 §5.5).  By default,
 * when sealing, an OCSP response from the responder each certificate of the chain names,
 * else its CRL from the distribution point (OpenSSL's HTTP client, the TSA timeout); what
 * cannot be had, and a certificate that names neither, is a line of
 * scelle_sealer_warnings().  `src` is a CRL (PEM or DER) or an OCSP response (DER) read
 * now and embedded instead of fetching; "auto" makes a failed fetch an error; "none"
 * embeds nothing.  OCSP responses are embedded as RFC 5940 other revocation information.
 * Sealing fails when the data says that a certificate of the chain is revoked. */
SCELLE_API int scelle_sealer_add_revocation_data(struct scelle_sealer *s, const char *src);

/* Extra digests beside SHA-256: "sha512", "sha3-256", "sha1", "md5". */
SCELLE_API int scelle_sealer_add_digest(struct scelle_sealer *s, const char *alg);

/* A time-stamp authority (RFC 3161 over HTTP).  Several give several tokens. */
SCELLE_API int scelle_sealer_add_tsa(struct scelle_sealer *s, const char *url);
SCELLE_API void scelle_sealer_set_tsa_options(struct scelle_sealer *s, const char *policy_oid,
    int timeout_seconds, int optional);
/* For https:// TSAs (RFC 2818): ca_file, PEM certificates the server's chain must lead to
 * (NULL: the system's store); cert_file and key_file, a client certificate and its key (PEM,
 * not encrypted; key_file NULL: in cert_file); auth, "user:password" for HTTP basic
 * authentication (RFC 7617), copied and cleansed when freed, and sent over https only.  The
 * files must be readable now (SCELLE_E_IO).  Each TSA is asked in turn: one that fails
 * (a refused connection is known at once) is a warning as long as another gives a token. */
SCELLE_API int scelle_sealer_set_tsa_access(struct scelle_sealer *s, const char *ca_file,
    const char *auth, const char *cert_file, const char *key_file);

/* An input: a file or a folder (walked recursively, sorted by byte value).  `as` names it
 * inside the archive, below "evidence/" (NULL: the last component of path).  Inputs are
 * checked when added: FIFOs, sockets and devices are refused (SCELLE_E_INPUT).  A symbolic
 * link is recorded as an item of media type "inode/symlink" whose content is the link
 * target, unless SCELLE_INPUT_FOLLOW was set before.  A name that is not valid UTF-8 (or
 * holds control characters) is stored escaped (see scelle_name_unescape) and its original
 * bytes are kept in evidence.xml <originalName>.  Names that would collide on extraction
 * (equal after Unicode NFC and case folding, or a file that is also a folder) are refused
 * by scelle_sealer_write() before anything is written (see scelle_sealer_set_on_collision). */
SCELLE_API int scelle_sealer_add_input(struct scelle_sealer *s, const char *path, const char *as);
#define SCELLE_INPUT_FOLLOW 0x1	/* follow symbolic links (files and folders) */
#define SCELLE_INPUT_EXCLUDE_OS_JUNK 0x2 /* leave out .DS_Store, Thumbs.db, desktop.ini */
SCELLE_API void scelle_sealer_set_input_flags(struct scelle_sealer *s, int flags);
/* Leaves out, below the folders given to scelle_sealer_add_input() afterwards, the files
 * and folders that match an fnmatch(3) pattern: a pattern without '/' is matched against
 * the base name at any depth ("*.tmp"), one with '/' against the path below the folder
 * given ("cache/x*": FNM_PATHNAME, '*' stops at '/').  A path given as an input itself is
 * never left out.  The pattern is copied.  Returns SCELLE_OK or SCELLE_E_NOMEM. */
SCELLE_API int scelle_sealer_add_exclude(struct scelle_sealer *s, const char *pattern);
/* What the inputs added so far make, for a summary (after scelle_sealer_write, what was
 * sealed): items, their bytes, the symbolic links among them, the names stored escaped
 * (formats/FORMAT.md §2.2), the files and folders left out by an exclusion (a folder
 * counts once). */
struct scelle_seal_summary {
	uint64_t items, bytes, links, escaped, excluded;
};
SCELLE_API void scelle_sealer_summary(const struct scelle_sealer *s, struct scelle_seal_summary *out);
/* What scelle_sealer_write() does with names that would collide on extraction (equal after
 * NFC and case folding, or equal): SCELLE_COLLISION_REFUSE (the default) fails with both
 * names and the code points that differ; SCELLE_COLLISION_RENAME stores every one but the
 * first (in byte order) as name~2.ext, name~3.ext... and keeps its original name in
 * evidence.xml <originalName> (FORMAT.md §2.2).  A file that is also a folder is refused
 * either way. */
enum { SCELLE_COLLISION_REFUSE = 0, SCELLE_COLLISION_RENAME = 1 };
SCELLE_API void scelle_sealer_set_on_collision(struct scelle_sealer *s, int mode);

/* Where items came from: a CSV file (RFC 4180, UTF-8, header row) with the columns
 *   path, source_url, captured_at, captured_by, tool, note
 * ("path" required, the others optional and in any order).  `path` is an input path as
 * given to scelle_sealer_add_input() or a file below a folder input (e.g. "ev/ad/page.html");
 * captured_at is an RFC 3339 time.  Each row becomes <acquisition> of its item.  A malformed
 * file (unknown column, bad time, duplicate path) fails here (SCELLE_E_FORMAT); a row that
 * matches no item fails scelle_sealer_write() before anything is written. */
SCELLE_API int scelle_sealer_set_item_info(struct scelle_sealer *s, const char *csv_path);

/* Caps on listing what an item holds (members of ZIP, tar, 7z... archives, WARC records):
 * nesting depth (1: members of the item; 2, the default: also members of archives inside
 * it), members per item (default 100000) and decompressed bytes read per item (default
 * 4 GiB).  A listing that reaches a cap is recorded as truncated; the item itself is always
 * sealed whole.  0 keeps a default. */
SCELLE_API void scelle_sealer_set_intake_limits(struct scelle_sealer *s, int max_depth,
    uint64_t max_members, uint64_t max_bytes);

/* Maps the archive name of an item whose evidence.xml entry has <originalName> (the name
 * was escaped) back to the original bytes: "%XX" becomes the byte XX, nothing else
 * changes.  *out is malloc'ed (NUL ended, *len bytes before the NUL).  SCELLE_E_FORMAT if
 * `escaped` is not an escaped name. */
SCELLE_API int scelle_name_unescape(const char *escaped, unsigned char **out, size_t *len);

/* The display form of text that came from outside (an archive, a ledger, the command
 * line): len bytes of s, with every character that could deceive a reader made visible:
 * "\\" for a backslash, "\xNN" for a byte that is not UTF-8, a C0 control or DEL, "\uXXXX"
 * (or "\UXXXXXXXX") for C1 controls, the line and paragraph separators, Bidi_Control and
 * Default_Ignorable_Code_Point characters (a right-to-left override is "\u202E"), and a
 * blank that follows a blank or ends the text as "\x20" (or "\uXXXX": no invisible
 * padding).  The result is well-formed UTF-8, holds none of these characters, and maps
 * back to s exactly.  SCELLE_DISPLAY_LAYOUT, for a whole document, keeps LF and the TABs
 * and blanks that indent a line.  Returns a malloc'ed string, NULL when out of memory. */
#define SCELLE_DISPLAY_LAYOUT 0x1
/* SCELLE_DISPLAY_CODEPOINTS: every character as its code point instead, "U+0065 U+0301"
 * (a byte that is not UTF-8 as "\xNN"), one space between: what tells apart two names that
 * look the same (NFC and NFD forms, case). */
#define SCELLE_DISPLAY_CODEPOINTS 0x2
SCELLE_API char *scelle_display(const char *s, size_t len, unsigned flags);
/* The length of the well-formed UTF-8 sequence at s (at most n bytes; RFC 3629: no
 * overlongs, no surrogates, nothing above U+10FFFF), or 0 when there is none: the
 * library's one UTF-8 decoder, for a front end that writes text of its own (JSON). */
SCELLE_API size_t scelle_utf8_len(const char *s, size_t n);

#define SCELLE_SEAL_FORCE 0x1	/* replace an existing output file */

/* How items are stored in the ZIP.  AUTO (the default): DEFLATE at a fast level for text,
 * JSON and XML when a trial on the first 64 KiB shows a gain, STORED for the rest (images,
 * video and archives are already compressed).  MAX: DEFLATE level 9 for everything that is
 * not a known compressed format.  NONE: every item STORED (the archive is then the items'
 * bytes plus headers, and fastest to write and read). */
enum { SCELLE_COMPRESS_AUTO = 0, SCELLE_COMPRESS_NONE = 1, SCELLE_COMPRESS_MAX = 2 };
SCELLE_API void scelle_sealer_set_compress(struct scelle_sealer *s, int mode);

/* The signature format: "cades" (the default: META-INF/ASiCManifest001.xml signed by
 * META-INF/signature001.p7s) or "xades" (a XAdES baseline signature in
 * META-INF/signatures001.xml with an OpenDocument META-INF/manifest.xml, for verifiers
 * that read only XAdES: DigiDoc, digidoc4j); formats/FORMAT.md §5.2.  SCELLE_E_USAGE for
 * another name. */
SCELLE_API int scelle_sealer_set_signature(struct scelle_sealer *s, const char *format);

/* Volumes (formats/FORMAT.md §13): split the seal into several archives, each at most
 * max_entries ZIP entries (counting every entry: mimetype, evidence.xml, the manifest, the
 * signature and the set manifest, so at least 6) and at most max_size bytes of archive
 * file (ZIP headers, evidence.xml, manifest and signature included); 0 means no bound,
 * both 0 no volumes (the default).  scelle_sealer_write(s, "NAME.asice", ...) then writes
 * NAME.vol001.asice, NAME.vol002.asice... instead: the items in name order, cut where the
 * next would pass a bound; an item larger than max_size goes alone into its own volume
 * (a warning says so); no file is ever split.  Each volume is an ordinary archive with its
 * own evidence.xml, manifest, signature, time-stamps and custody ledger; its evidence.xml
 * names the set (a random set identifier, volume i of n), and the last volume carries the
 * set manifest "volumes.xml", covered by its signature, which lists the seal identifier and
 * file digest of every volume before it.  Volumes are all or nothing: when one fails, those
 * written are removed.  Outputs are refused before anything is written when one exists
 * (SCELLE_E_EXISTS, unless SCELLE_SEAL_FORCE); XAdES volumes are not available
 * (SCELLE_E_USAGE).  SCELLE_E_USAGE for max_entries below 6 or a max_size too small for a
 * volume's own files.  scelle_sealer_set_volume_profile(): "dss" (990 entries: EU DSS
 * refuses more than 1,000 by default) or "e-codex" (1.9 GB, what an e-CODEX message
 * carries), each setting its own bound and keeping the other. */
SCELLE_API int scelle_sealer_set_volumes(struct scelle_sealer *s, uint64_t max_entries, uint64_t max_size);
SCELLE_API int scelle_sealer_set_volume_profile(struct scelle_sealer *s, const char *profile);
/* After a successful scelle_sealer_write() with volumes: how many were written (0 without
 * volumes), the i-th one's path (NULL past the last) with its seal identifier and file
 * digest (either pointer may be NULL), and the set identifier (NULL without volumes).
 * scelle_sealer_seal_id() and _file_digest() are then the last volume's. */
SCELLE_API size_t scelle_sealer_volume_count(const struct scelle_sealer *s);
SCELLE_API const char *scelle_sealer_volume(const struct scelle_sealer *s, size_t i,
    const char **seal_id, const char **file_digest);
SCELLE_API const char *scelle_sealer_set_id(const struct scelle_sealer *s);

/* Write the sealed archive.  The output appears at `out` complete and fsynced, or not at
 * all.  After success, the two digests that name the archive are available.  The custody
 * ledger OUT.custody.xml (record 1, the sealing, signed with the same key) is written
 * beside it; an existing ledger there is SCELLE_E_EXISTS unless SCELLE_SEAL_FORCE, which
 * renames it to OUT.custody.<its seal identifier>.xml (never replacing a file there:
 * SCELLE_E_EXISTS; a warning names it), and when the ledger cannot be written the archive is
 * removed again and the error says so. */
SCELLE_API int scelle_sealer_write(struct scelle_sealer *s, const char *out, int flags);
SCELLE_API const char *scelle_sealer_seal_id(const struct scelle_sealer *s);     /* hex SHA-256 of ASiCManifest
                                                                                   * (XAdES: of the canonical SignedInfo) */
SCELLE_API const char *scelle_sealer_file_digest(const struct scelle_sealer *s); /* hex SHA-256 of the file */
/* Warnings of the last scelle_sealer_set_signer() or scelle_sealer_write() (a TSA that
 * failed while optional, a certificate about to expire): one per line, or NULL. */
SCELLE_API const char *scelle_sealer_warnings(const struct scelle_sealer *s);
/* The error hint of warning line `line` (0: the first), or NULL: "Error hints" above. */
SCELLE_API const char *scelle_sealer_warning_hint(const struct scelle_sealer *s, size_t line);

/* --------------------------------------------------------------- stamping ---- */

/* Adds RFC 3161 time-stamps to an archive sealed without one (an offline seizure), making
 * its CAdES-B-B signature B-T.  A sealed archive is never rewritten: stamping writes a NEW
 * archive in which every entry keeps its content, name, order, compression method and date,
 * and only META-INF/signature001.p7s changes — its SignerInfo gains one
 * signature-time-stamp unsigned attribute per TSA beside the tokens it already had (those
 * are kept byte for byte; DER sorts the SET OF unsigned attributes, so order means nothing).  The
 * ASiCManifest is copied byte for byte, so the seal identifier stays the same; the file
 * digest changes.  evidence.xml is not touched: its sealing time stays the one recorded
 * when the evidence was sealed.  An archive sealed with XAdES (FORMAT.md §5.2) is stamped
 * the same way: only META-INF/signatures001.xml changes, gaining one
 * xades:SignatureTimeStamp per TSA among its unsigned properties (XAdES-B-T); its seal
 * identifier, the digest of the canonical SignedInfo, stays the same.
 *
 * The handle follows the sealer's conventions: strings are copied, returned strings are
 * borrowed until the next scelle_stamper_write() or scelle_stamper_free(). */
struct scelle_stamper;

SCELLE_API struct scelle_stamper *scelle_stamper_new(void);
SCELLE_API void scelle_stamper_free(struct scelle_stamper *st);
SCELLE_API const char *scelle_stamper_errmsg(const struct scelle_stamper *st);
SCELLE_API const char *scelle_stamper_errhint(const struct scelle_stamper *st);	/* or NULL */

/* A time-stamp authority; several give several tokens.  Options as for the sealer:
 * policy OID to ask for (NULL: the TSA's default), timeout in seconds (<= 0: 30), and
 * `optional`: a TSA that fails is skipped with a warning, as long as one answers. */
SCELLE_API int scelle_stamper_add_tsa(struct scelle_stamper *st, const char *url);
SCELLE_API void scelle_stamper_set_tsa_options(struct scelle_stamper *st, const char *policy_oid,
    int timeout_seconds, int optional);
/* As scelle_sealer_set_tsa_access(). */
SCELLE_API int scelle_stamper_set_tsa_access(struct scelle_stamper *st, const char *ca_file,
    const char *auth, const char *cert_file, const char *key_file);
SCELLE_API void scelle_stamper_set_progress_cb(struct scelle_stamper *st, scelle_progress_cb cb, void *arg);

/* Reads `archive`, writes the stamped copy to `out` (SCELLE_SEAL_FORCE replaces an existing
 * `out`, and renames its ledger as scelle_sealer_write() does; `out` may never be `archive`
 * itself: SCELLE_E_USAGE).  An `archive` or a ledger
 * beside it that cannot be opened, or is not a regular file, is refused at once
 * (SCELLE_E_IO, SCELLE_E_INPUT; a FIFO is never waited on).  First `archive` is verified
 * without trust anchors: INDETERMINATE is accepted (that is what stamping is for), a
 * TOTAL-FAILED archive is refused with SCELLE_E_INPUT and the first failed check in the
 * message, before any TSA is asked.  A TSA that fails gives SCELLE_E_NETWORK (unless
 * optional and another answered) and no output.  The copy is verified again before it is
 * published; `out` appears complete and fsynced, or not at all. */
SCELLE_API int scelle_stamper_write(struct scelle_stamper *st, const char *archive, const char *out,
    int flags);
SCELLE_API const char *scelle_stamper_seal_id(const struct scelle_stamper *st);     /* unchanged */
SCELLE_API const char *scelle_stamper_file_digest(const struct scelle_stamper *st); /* of `out` */
SCELLE_API int scelle_stamper_added(const struct scelle_stamper *st); /* tokens added */
/* One line per TSA that failed under `optional`, or NULL. */
SCELLE_API const char *scelle_stamper_warnings(const struct scelle_stamper *st);

/* --------------------------------------------------- time-stamp authority ---- */

/* An RFC 3161 time-stamp authority's core, as `scelle tsa` runs it: it answers a DER
 * TimeStampReq with a DER TimeStampResp signed by its certificate; the transport (HTTP,
 * RFC 3161 §3.4) is the caller's.  Made for tests, demonstrations and air-gapped labs: its
 * clock is the machine's, and SCELLE_TSA_DEMO_POLICY, the default policy, has no legal
 * value.  A token names its certificate (ESSCertIDv2, SHA-256), is signed with SHA-256,
 * accurate to a second, and carries the chain when the request asks for certificates;
 * requests may use SHA-256, SHA-384 or SHA-512.  scelle_tsa_responder_respond() may be
 * called from several threads at once (requests are signed one at a time). */
#define SCELLE_TSA_DEMO_POLICY "1.3.6.1.4.1.99999.1.1"
struct scelle_tsa_responder;

SCELLE_API struct scelle_tsa_responder *scelle_tsa_responder_new(void);
SCELLE_API void scelle_tsa_responder_free(struct scelle_tsa_responder *t);
SCELLE_API const char *scelle_tsa_responder_errmsg(const struct scelle_tsa_responder *t);
/* For an encrypted key: called by scelle_tsa_responder_open(). */
SCELLE_API void scelle_tsa_responder_set_pass_cb(struct scelle_tsa_responder *t, scelle_pass_cb cb,
    void *arg);
/* Loads the authority, once: cert_file (PEM, the TSA certificate first; it must carry the
 * critical timeStamping extended key usage and match the key), key_file (PEM), chain_file
 * (PEM intermediates put into tokens, or NULL), policy_oid (NULL: SCELLE_TSA_DEMO_POLICY)
 * and serial_file (the last serial number issued, kept across restarts, locked beside it as
 * serial_file.lock; NULL: random 127-bit serial numbers).  SCELLE_E_KEY (unreadable,
 * unsuitable or mismatched), SCELLE_E_IO, SCELLE_E_USAGE (a bad OID, a second call). */
SCELLE_API int scelle_tsa_responder_open(struct scelle_tsa_responder *t, const char *cert_file,
    const char *key_file, const char *chain_file, const char *policy_oid, const char *serial_file);
/* Answers req (req_len bytes of DER) with a TimeStampResp in *resp (malloc'ed, for free()):
 * 0 a token granted, 1 a rejection (a malformed request, an unsupported hash: badDataFormat,
 * badAlg), still a well-formed reply to send; SCELLE_E_NOMEM when no reply could be made,
 * SCELLE_E_USAGE before a successful open (*resp NULL then). */
SCELLE_API int scelle_tsa_responder_respond(struct scelle_tsa_responder *t, const unsigned char *req,
    size_t req_len, unsigned char **resp, size_t *resp_len);

/* ----------------------------------------------------------- verification ---- */

/* Verdicts, in the ETSI EN 319 102-1 vocabulary. */
enum scelle_verdict {
	SCELLE_PASSED = 0,		/* TOTAL-PASSED */
	SCELLE_FAILED = 1,		/* TOTAL-FAILED */
	SCELLE_INDETERMINATE = 3	/* INDETERMINATE */
};

struct scelle_verifier;
struct scelle_result;

/* One check that verification made. */
struct scelle_check {
	const char *id;		/* stable name, e.g. "container.mimetype", "item.digest" */
	enum scelle_verdict status;
	const char *subindication; /* ETSI sub-indication or NULL, e.g. "HASH_FAILURE" */
	const char *subject;	/* what was checked (entry name, certificate), or NULL */
	const char *message;	/* plain words */
	int warning;		/* passed, but the reader should know (e.g. clock skew) */
	const char *hint;	/* what would resolve it, a stable code (below), or NULL */
	const char *hint_about;	/* the file or certificate name the hint concerns, or NULL */
};

/* What evidence.xml says about an item besides its bytes, as the sealer wrote it (claims,
 * not checked against the bytes).  Strings NULL and counts 0 when absent. */
struct scelle_item_info {
	/* <acquisition> (FORMAT.md §3.4, seal --item-info); the source URL is item.source_url */
	const char *captured_at, *captured_by, *capture_tool, *note;
	/* <members> (§3.6): what a container or WARC item holds, listed at sealing time */
	const char *members_format;	/* "zip", "warc", ...; NULL: not listed */
	const char *members_status;	/* "complete", "truncated" or "damaged" */
	unsigned long members;		/* members, or WARC records */
	unsigned long warc_responses;	/* WARC: response and resource records */
	unsigned long warc_mismatches;	/* WARC: records whose declared digest does not match */
	const char *warc_target, *warc_date; /* WARC: the first response's targetUri and date */
	/* <chatExport> (§3.6): the first one, and how many the item has */
	unsigned long chats;
	const char *chat_app, *chat_member, *chat_first, *chat_last, *chat_clock, *chat_date_order;
	unsigned long chat_participants, chat_messages;
};
/* Hints: a check that is not TOTAL-PASSED (or a warning) carries, when the reader can act
 * on it, a code saying what is missing; a front end words it with its own options.
 *   need-trust, need-tsa-trust   no trust anchor was given for signers / time-stamp
 *                                authorities (scelle_verifier_add_trust / _add_tsa_trust)
 *   ask-trust, ask-tsa-trust     the anchors given are not the root of the signer / the TSA;
 *                                hint_about names the root to ask the sender for
 *   tsa-root-as-trust            the anchor file hint_about, given for signers, is the TSA's
 *                                root (the two kinds of anchor swapped)
 *   signer-root-as-tsa-trust     the anchor file hint_about, given for TSAs, is the signer's
 *   trust-not-ca, tsa-trust-not-ca  the anchor file hint_about holds a certificate that is not
 *                                a CA's (a leaf given as anchor)
 *   need-timestamp               no time-stamp proves when the archive was signed
 *   need-revocation              no revocation data and the certificate names where to fetch
 *                                it (a CRL file, or fetching online); hint_about: the certificate
 *   need-crl                     the same, and the certificate names no CRL or OCSP address
 *   need-ledger                  no custody ledger beside the archive; hint_about: its path
 * Codes are never renamed; new ones may be added (a front end shows the message alone for a
 * code it does not know). */

/* One evidence item as recorded in evidence.xml and found in the container. */
struct scelle_item {
	const char *path;	/* name in the archive, e.g. "evidence/chat/_chat.txt" */
	uint64_t size;
	time_t mtime;
	const char *media_type;
	const char *sha256;	/* hex */
	const char *source_url;	/* acquisition source or NULL */
	int ok;			/* 1 when every digest matched */
	const char *original_name; /* when the name was escaped (not UTF-8 on the sealer's disk):
				 * the original bytes below "evidence/", NUL-terminated, from
				 * evidence.xml <originalName>; else NULL */
	struct scelle_item_info info;	/* what evidence.xml says besides the bytes */
};

/* One RFC 3161 time-stamp token found on the signature. */
struct scelle_timestamp {
	time_t gen_time;
	const char *tsa_name;
	const char *policy;
	const char *serial;
	enum scelle_verdict status;
};

SCELLE_API struct scelle_verifier *scelle_verifier_new(void);
SCELLE_API void scelle_verifier_free(struct scelle_verifier *v);
SCELLE_API const char *scelle_verifier_errmsg(const struct scelle_verifier *v);
SCELLE_API const char *scelle_verifier_errhint(const struct scelle_verifier *v);	/* or NULL */

/* Trust anchors for signers and for time-stamp authorities (PEM bundles). */
SCELLE_API int scelle_verifier_add_trust(struct scelle_verifier *v, const char *pem_file);
SCELLE_API int scelle_verifier_add_tsa_trust(struct scelle_verifier *v, const char *pem_file);
/* More trust anchors for signers: a hashed directory (c_rehash / openssl rehash: files
 * named HASH.0), or the system's store (OpenSSL's default paths, on Debian the
 * ca-certificates bundle).  Anchors from several sources add up. */
SCELLE_API int scelle_verifier_add_trust_dir(struct scelle_verifier *v, const char *dir);
SCELLE_API int scelle_verifier_use_system_trust(struct scelle_verifier *v);
/* Intermediate certificates (PEM) offered for building the signer's chain; they are not
 * trusted. */
SCELLE_API int scelle_verifier_add_untrusted(struct scelle_verifier *v, const char *pem_file);
/* CRLs (PEM or DER) to judge revocation with, beside those embedded in the signature. */
SCELLE_API int scelle_verifier_add_crl(struct scelle_verifier *v, const char *crl_file);

#define SCELLE_VERIFY_NO_TIMESTAMP_OK 0x1 /* no token is not by itself INDETERMINATE */
/* Revocation (EN 319 102-1): every certificate of the signer's chain below the anchor is
 * judged at the time the earliest trusted time-stamp proves (else the signing time) with
 * the CRLs and OCSP responses embedded in the signature, those of
 * scelle_verifier_add_crl(), and with SCELLE_VERIFY_ONLINE those fetched now from the
 * certificate's CRL distribution point or OCSP responder.  Revoked before the signing
 * time: FAILED (REVOKED); revoked after the time-stamp: passed, with the revocation noted;
 * revoked with no proof of the signature before: INDETERMINATE (REVOKED_NO_POE); no data
 * for a certificate (unless it has id-pkix-ocsp-nocheck): INDETERMINATE (TRY_LATER).
 * CRLs and OCSP responses, their responders included, are judged at that proved time. */
#define SCELLE_VERIFY_NO_REVOCATION_CHECK 0x2 /* do not judge revocation at all */
#define SCELLE_VERIFY_ONLINE 0x4 /* fetch missing revocation data over HTTP */
/* A missing custody ledger is TOTAL-FAILED (check "custody.ledger"), for processes that
 * need one; by default it is a warning. */
#define SCELLE_VERIFY_REQUIRE_LEDGER 0x8
SCELLE_API void scelle_verifier_set_flags(struct scelle_verifier *v, int flags);
SCELLE_API void scelle_verifier_set_max_skew(struct scelle_verifier *v, long seconds);
SCELLE_API void scelle_verifier_set_progress_cb(struct scelle_verifier *v, scelle_progress_cb cb, void *arg);

/* Verify one archive.  Returns NULL on an operational error that prevents any verdict,
 * with the reason in scelle_verifier_errmsg(): the archive cannot be opened (missing,
 * unreadable: SCELLE_E_IO) or is not a regular file (a folder, a FIFO, a device:
 * SCELLE_E_INPUT; a FIFO is never waited on), the custody ledger is there but cannot be
 * read, or the one scelle_verifier_set_ledger() named is missing (the same codes), or
 * memory ran out.  A malformed archive gives a result with verdict FAILED and the reason
 * among its checks.  The caller frees the result. */
SCELLE_API struct scelle_result *scelle_verify(struct scelle_verifier *v, const char *archive);
SCELLE_API void scelle_result_free(struct scelle_result *r);

SCELLE_API enum scelle_verdict scelle_result_verdict(const struct scelle_result *r);
SCELLE_API const char *scelle_verdict_name(enum scelle_verdict v); /* "TOTAL-PASSED", ... */
SCELLE_API size_t scelle_result_check_count(const struct scelle_result *r);
SCELLE_API const struct scelle_check *scelle_result_check(const struct scelle_result *r, size_t i);
SCELLE_API size_t scelle_result_item_count(const struct scelle_result *r);
SCELLE_API const struct scelle_item *scelle_result_item(const struct scelle_result *r, size_t i);
/* The i-th empty folder that evidence.xml records ("evidence/..."), NULL past the last. */
SCELLE_API const char *scelle_result_folder(const struct scelle_result *r, size_t i);
SCELLE_API size_t scelle_result_timestamp_count(const struct scelle_result *r);
SCELLE_API const struct scelle_timestamp *scelle_result_timestamp(const struct scelle_result *r, size_t i);

/* Facts about the archive, each borrowed from the result, NULL when unknown.  Keys:
 * "seal_id", "file_digest", "signer", "signer_issuer", "signing_time", "trust_anchor",
 * "sealed_at", "officer", "officer_role", "officer_unit", "officer_country", "place",
 * "format_version", "tool", "identity_claim", "container" ("scelle": an archive with
 * evidence.xml; "etsi": not a scelle archive, another ETSI tool's container, verified as
 * an ETSI container); the signer's certificate: "signer_serial" (hex),
 * "signer_not_before", "signer_not_after" (RFC 3339, UTC); volumes (below): "volume_set",
 * "volume_index", "volume_count"; the case (FORMAT.md §3.3):
 * "legal_basis" (several joined by "; "), "case_description" (may hold line breaks). */
SCELLE_API const char *scelle_result_get(const struct scelle_result *r, const char *key);
/* Case references: authority, country and reference of the i-th one. */
SCELLE_API size_t scelle_result_case_count(const struct scelle_result *r);
SCELLE_API int scelle_result_case(const struct scelle_result *r, size_t i, const char **authority,
    const char **country, const char **reference);
/* evidence.xml exactly as stored, or NULL if the archive had none. */
SCELLE_API const char *scelle_result_evidence_xml(const struct scelle_result *r, size_t *len);

/* Volumes (formats/FORMAT.md §13; scelle_sealer_set_volumes).  A volume's result has the
 * facts "volume_set" (the set identifier), "volume_index" and "volume_count" (decimal) and
 * the check "volume.set"; the last volume's result also lists what its set manifest names,
 * one scelle_volume per volume, state "listed" (archive: the file name the sealer gave).
 * A set's verdict (scelle_volume_set_verify) lists the volumes 1..n as found among the
 * archives given: "present", "missing" (archive NULL; seal_id and file_digest those the
 * set manifest names, when known), or "foreign" (an archive given as this number that is
 * not the volume the set manifest names; listed beside the right one). */
struct scelle_volume {
	unsigned long index;		/* from 1 */
	const char *archive;		/* the file, or NULL */
	const char *seal_id, *file_digest;	/* hex, or NULL */
	const char *state;		/* "listed", "present", "missing", "foreign" */
	enum scelle_verdict verdict;	/* a set's: the volume's own verdict (FAILED: missing) */
};
SCELLE_API size_t scelle_result_volume_count(const struct scelle_result *r);
SCELLE_API const struct scelle_volume *scelle_result_volume(const struct scelle_result *r, size_t i);

/* Whether the volumes given make whole sets.  Add every archive verified (a result that is
 * not a volume is left out; only what the set needs is copied, r may be freed after), then
 * ask for the verdict on each set found, in the order first seen: a result (freed by the
 * caller) whose facts are "volume_set" and "volume_count", whose volumes are listed as
 * above, and whose checks are "volumes.complete" (every volume 1..n is there: one that is
 * not is FAILED, SIGNED_DATA_NOT_FOUND, subject "volume N"), "volumes.member" (every one
 * is the volume the last volume's set manifest names, by seal identifier, and agrees on n:
 * a foreign one is FAILED, subject the archive; the same volume twice, or its file re-made
 * by `stamp`, is a warning) and "volumes.verdicts" (each volume's own verdict, when not
 * TOTAL-PASSED).  NULL past the last set or when out of memory. */
struct scelle_volume_set;
SCELLE_API struct scelle_volume_set *scelle_volume_set_new(void);
SCELLE_API void scelle_volume_set_free(struct scelle_volume_set *vs);
SCELLE_API int scelle_volume_set_add(struct scelle_volume_set *vs, const char *archive,
    const struct scelle_result *r);
SCELLE_API size_t scelle_volume_set_count(const struct scelle_volume_set *vs);
SCELLE_API struct scelle_result *scelle_volume_set_verify(struct scelle_volume_set *vs, size_t i);

/* The custody ledger checked with the archive: NAME.asice.custody.xml beside it unless
 * scelle_verifier_set_ledger() named another (path copied; NULL: beside the archive again).
 * A missing ledger is not a failure (unless SCELLE_VERIFY_REQUIRE_LEDGER): the result then
 * holds a passed "custody.ledger" check that says so, a warning, and no records.  A broken
 * one gives FAILED checks "custody.chain", "custody.signature", "custody.signer",
 * "custody.archive", "custody.time", "custody.timestamp", "custody.sealing" or
 * "custody.format" whose subject is "record N". */
SCELLE_API int scelle_verifier_set_ledger(struct scelle_verifier *v, const char *path);
/* The ledger head the ledger must have (formats/custody.md, "The ledger head"): 64 hex
 * digits, the SHA-256 of its last record as a verdict or a hand-over letter gives it; NULL:
 * any.  A ledger whose head differs, or no ledger, gives a FAILED check "custody.head".
 * SCELLE_E_USAGE when hex is not 64 hexadecimal digits. */
SCELLE_API int scelle_verifier_set_ledger_head(struct scelle_verifier *v, const char *hex);

/* One record of the ledger, as found and as judged.  Strings are borrowed from the result
 * and NULL when the record does not have them. */
struct scelle_custody_record {
	unsigned long seq;		/* 1 is the sealing */
	const char *event;		/* "sealed", "transferred", "received", "opened", "examined",
					 * "copied", "returned", "destroyed" or "other:LABEL" */
	const char *actor, *role, *organisation, *country; /* country: ISO 3166 alpha-2 */
	const char *place, *from, *to, *note;
	time_t time;			/* the time the record states */
	time_t tsa_time;		/* genTime of its verified time-stamp, 0: none */
	const char *seal_id, *file_digest; /* of the archive as the actor held it */
	const char *verification;	/* "received": the receiver's verdict, e.g. "TOTAL-PASSED" */
	const char *signer;		/* subject of the certificate whose signature verified */
	enum scelle_verdict status;	/* this record's own checks */
	const char *reason;		/* the first reason it did not pass, or NULL */
};
SCELLE_API const char *scelle_result_ledger(const struct scelle_result *r); /* path checked */
/* The ledger head: hex SHA-256 of the Exclusive C14N of the ledger's last record (what the
 * next record's <previous> would hold), with scelle_result_custody_count() records; NULL
 * when no ledger was read.  Printed by every verdict, for the hand-over letter. */
SCELLE_API const char *scelle_result_ledger_head(const struct scelle_result *r);
SCELLE_API size_t scelle_result_custody_count(const struct scelle_result *r);
SCELLE_API const struct scelle_custody_record *scelle_result_custody_record(
    const struct scelle_result *r, size_t i);

/* ------------------------------------------------------- chain of custody ---- */

/* Appending records to the ledger NAME.asice.custody.xml beside an archive (doc/design.md §3,
 * formats/custody.xsd).  `scelle_sealer_write()` writes record 1, the sealing; every later
 * hand-over is one record, signed by its actor (CAdES over the Exclusive XML C14N 1.0 of
 * the record's event) and chained to the record before it by its SHA-256.  Appending locks
 * the ledger, writes a new one beside it, fsyncs and renames: concurrent appends are
 * serialised and a reader never sees a half-written ledger.  The archive is only read. */
struct scelle_custody;

SCELLE_API struct scelle_custody *scelle_custody_new(void);
SCELLE_API void scelle_custody_free(struct scelle_custody *c);
SCELLE_API const char *scelle_custody_errmsg(const struct scelle_custody *c);
SCELLE_API const char *scelle_custody_errhint(const struct scelle_custody *c);	/* or NULL */

/* The actor's key and certificate, as for scelle_sealer_set_signer() (same formats, same
 * checks: matching, valid now, allowed to sign).  SCELLE_E_KEY on failure. */
SCELLE_API void scelle_custody_set_pass_cb(struct scelle_custody *c, scelle_pass_cb cb, void *arg);
SCELLE_API int scelle_custody_set_signer(struct scelle_custody *c, const char *key, const char *cert);
SCELLE_API int scelle_custody_add_chain(struct scelle_custody *c, const char *chain_file);

/* Fields of the next record: "actor" (default: the certificate's common name), "role",
 * "organisation" (default: the certificate's O), "country" (ISO 3166 alpha-2, default: the
 * certificate's C; SCELLE_E_USAGE if malformed), "place", "from", "to", "note".  NULL
 * clears a field.  Values are copied. */
SCELLE_API int scelle_custody_set(struct scelle_custody *c, const char *field, const char *value);
/* The time the event happened, for a hand-over recorded after the fact (a paper record
 * entered later); 0 (the default) means now.  The signature's signing-time still says when
 * it was recorded, and a time before the ledger's last record is refused. */
SCELLE_API void scelle_custody_set_time(struct scelle_custody *c, time_t t);
/* An RFC 3161 time-stamp authority for the record's signature (NULL: none). */
SCELLE_API int scelle_custody_set_tsa(struct scelle_custody *c, const char *url,
    const char *policy_oid, int timeout_seconds, int optional);
/* For an https:// TSA: as scelle_sealer_set_tsa_access(). */
SCELLE_API int scelle_custody_set_tsa_access(struct scelle_custody *c, const char *ca_file,
    const char *auth, const char *cert_file, const char *key_file);
/* The verifier that a "received" record runs over the archive first (borrowed: it must
 * outlive the appends).  Its verdict goes into the record. */
SCELLE_API void scelle_custody_set_verifier(struct scelle_custody *c, struct scelle_verifier *v);
/* Another ledger file than the one beside the archive (NULL: beside it). */
SCELLE_API int scelle_custody_set_ledger(struct scelle_custody *c, const char *path);
/* The head the ledger must have before the record is added (64 hex digits, from the
 * hand-over letter; NULL: any).  scelle_custody_append() then fails with SCELLE_E_MISMATCH,
 * writing nothing, when the ledger's head differs.  SCELLE_E_USAGE when not 64 hex digits. */
SCELLE_API int scelle_custody_set_ledger_head(struct scelle_custody *c, const char *hex);

/* Appends one record of event `type` ("transferred", "received", "opened", "examined",
 * "copied", "returned", "destroyed", "other:LABEL") for `archive`.  Errors: SCELLE_E_USAGE
 * (unknown event, no key, no country, a time before the last record), SCELLE_E_IO (no
 * ledger, cannot lock or write), SCELLE_E_FORMAT (not an archive; the ledger is malformed
 * or belongs to another archive), SCELLE_E_NETWORK (the TSA failed), SCELLE_E_LIMIT.
 * A "received" record is appended whatever the verdict: the receiver records what they
 * found, and reads it with scelle_custody_verification(). */
SCELLE_API int scelle_custody_append(struct scelle_custody *c, const char *archive, const char *type);
/* After a successful append: its sequence number, and for "received" the verification
 * result (borrowed from the handle, valid until the next append or free). */
SCELLE_API unsigned long scelle_custody_sequence(const struct scelle_custody *c);
SCELLE_API const struct scelle_result *scelle_custody_verification(const struct scelle_custody *c);
/* After a successful append: the new ledger head (hex SHA-256 of the record just added, its
 * count is scelle_custody_sequence()), for the hand-over letter; NULL otherwise. */
SCELLE_API const char *scelle_custody_ledger_head(const struct scelle_custody *c);

/* ------------------------------------------------------------- extraction ---- */

#define SCELLE_EXTRACT_BAGIT 0x1 /* lay out an RFC 8493 bag: bagit.txt, bag-info.txt (with the
				  * case data), manifest-sha256.txt, the items under data/ */
#define SCELLE_EXTRACT_FORCE 0x2 /* extract a TOTAL-FAILED archive, and keep items whose bytes
				  * differ from the SHA-256 in r */

/* Writes items of `archive`, as verified into `r` by scelle_verify(), into the folder `dir`
 * (created if missing; its parents must exist), each at its archive path without the leading
 * "evidence/", with its recorded modification time and mode 0444.  `items` (nitems of them,
 * may be 0 for all) selects by archive path, with or without "evidence/", or by folder.
 * Nothing is written outside dir: an item name with "..", ".", an absolute path, a link
 * entry, or a symbolic link among the folders on the way is refused, and no existing file is
 * overwritten (SCELLE_E_EXISTS); these are checked for every selected item before any file is
 * written.  The bytes written are hashed again: an item that differs from r's SHA-256 is
 * removed and the call fails (unless SCELLE_EXTRACT_FORCE).  A TOTAL-FAILED r is refused
 * (SCELLE_E_INPUT) unless SCELLE_EXTRACT_FORCE.  *written (may be NULL) counts the items
 * written, also on failure.  The message is read with scelle_verifier_errmsg(). */
SCELLE_API int scelle_verifier_extract(struct scelle_verifier *v, const struct scelle_result *r,
    const char *archive, const char *dir, const char *const *items, size_t nitems, int flags,
    size_t *written);

#ifdef __cplusplus
}
#endif
#endif /* SCELLE_H */
