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
	SCELLE_E_LIMIT = -10	/* a size or count limit was exceeded */
};

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

SCELLE_API void scelle_sealer_set_pass_cb(struct scelle_sealer *s, scelle_pass_cb cb, void *arg);
SCELLE_API void scelle_sealer_set_progress_cb(struct scelle_sealer *s, scelle_progress_cb cb, void *arg);

/* The signer.  `key` is a path or URI to a PEM / DER / PKCS#12 private key; `cert` the
 * signer certificate (NULL: taken from the PKCS#12 or the key file); `chain` a PEM bundle of
 * intermediates to embed (may be called several times).  Loading happens here, so a wrong
 * pass phrase or a key that does not match its certificate is reported by this call. */
SCELLE_API int scelle_sealer_set_signer(struct scelle_sealer *s, const char *key, const char *cert);
SCELLE_API int scelle_sealer_add_chain(struct scelle_sealer *s, const char *chain_file);

/* Case data.  One reference per authority and country (each jurisdiction numbers the case
 * differently).  scelle_sealer_set_case_file() reads a <case> element (evidence.xml
 * namespace) from a file and replaces any data given before. */
SCELLE_API int scelle_sealer_add_case_ref(struct scelle_sealer *s, const char *authority,
    const char *country, const char *reference);
SCELLE_API int scelle_sealer_set_case_file(struct scelle_sealer *s, const char *path);

/* Who seals, and where.  field is one of "name", "role", "unit", "country", "place". */
SCELLE_API int scelle_sealer_set_officer(struct scelle_sealer *s, const char *field, const char *value);

/* Extra digests beside SHA-256: "sha512", "sha3-256", "sha1", "md5". */
SCELLE_API int scelle_sealer_add_digest(struct scelle_sealer *s, const char *alg);

/* A time-stamp authority (RFC 3161 over HTTP).  Several give several tokens. */
SCELLE_API int scelle_sealer_add_tsa(struct scelle_sealer *s, const char *url);
SCELLE_API void scelle_sealer_set_tsa_options(struct scelle_sealer *s, const char *policy_oid,
    int timeout_seconds, int optional);

/* An input: a file or a folder (walked recursively, sorted).  `as` names it inside the
 * archive (NULL: the last component of path).  Inputs are checked when added. */
SCELLE_API int scelle_sealer_add_input(struct scelle_sealer *s, const char *path, const char *as);

#define SCELLE_SEAL_FORCE 0x1	/* replace an existing output file */

/* How items are stored in the ZIP.  AUTO (the default): DEFLATE at a fast level for text,
 * JSON and XML when a trial on the first 64 KiB shows a gain, STORED for the rest (images,
 * video and archives are already compressed).  MAX: DEFLATE level 9 for everything that is
 * not a known compressed format.  NONE: every item STORED (the archive is then the items'
 * bytes plus headers, and fastest to write and read). */
enum { SCELLE_COMPRESS_AUTO = 0, SCELLE_COMPRESS_NONE = 1, SCELLE_COMPRESS_MAX = 2 };
SCELLE_API void scelle_sealer_set_compress(struct scelle_sealer *s, int mode);

/* Write the sealed archive.  The output appears at `out` complete and fsynced, or not at
 * all.  After success, the two digests that name the archive are available. */
SCELLE_API int scelle_sealer_write(struct scelle_sealer *s, const char *out, int flags);
SCELLE_API const char *scelle_sealer_seal_id(const struct scelle_sealer *s);     /* hex SHA-256 of ASiCManifest */
SCELLE_API const char *scelle_sealer_file_digest(const struct scelle_sealer *s); /* hex SHA-256 of the file */
/* Warnings of the last scelle_sealer_set_signer() or scelle_sealer_write() (a TSA that
 * failed under --tsa-optional, a certificate about to expire): one per line, or NULL. */
SCELLE_API const char *scelle_sealer_warnings(const struct scelle_sealer *s);

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
};

/* One evidence item as recorded in evidence.xml and found in the container. */
struct scelle_item {
	const char *path;	/* name in the archive, e.g. "evidence/chat/_chat.txt" */
	uint64_t size;
	time_t mtime;
	const char *media_type;
	const char *sha256;	/* hex */
	const char *source_url;	/* acquisition source or NULL */
	int ok;			/* 1 when every digest matched */
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

/* Trust anchors for signers and for time-stamp authorities (PEM bundles). */
SCELLE_API int scelle_verifier_add_trust(struct scelle_verifier *v, const char *pem_file);
SCELLE_API int scelle_verifier_add_tsa_trust(struct scelle_verifier *v, const char *pem_file);

#define SCELLE_VERIFY_NO_TIMESTAMP_OK 0x1 /* no token is not by itself INDETERMINATE */
SCELLE_API void scelle_verifier_set_flags(struct scelle_verifier *v, int flags);
SCELLE_API void scelle_verifier_set_max_skew(struct scelle_verifier *v, long seconds);
SCELLE_API void scelle_verifier_set_progress_cb(struct scelle_verifier *v, scelle_progress_cb cb, void *arg);

/* Verify one archive.  Returns NULL only on an operational error that prevents any verdict
 * (out of memory); an unreadable or malformed archive gives a result with verdict FAILED
 * and the reason among its checks.  The caller frees the result. */
SCELLE_API struct scelle_result *scelle_verify(struct scelle_verifier *v, const char *archive);
SCELLE_API void scelle_result_free(struct scelle_result *r);

SCELLE_API enum scelle_verdict scelle_result_verdict(const struct scelle_result *r);
SCELLE_API const char *scelle_verdict_name(enum scelle_verdict v); /* "TOTAL-PASSED", ... */
SCELLE_API size_t scelle_result_check_count(const struct scelle_result *r);
SCELLE_API const struct scelle_check *scelle_result_check(const struct scelle_result *r, size_t i);
SCELLE_API size_t scelle_result_item_count(const struct scelle_result *r);
SCELLE_API const struct scelle_item *scelle_result_item(const struct scelle_result *r, size_t i);
SCELLE_API size_t scelle_result_timestamp_count(const struct scelle_result *r);
SCELLE_API const struct scelle_timestamp *scelle_result_timestamp(const struct scelle_result *r, size_t i);

/* Facts about the archive, each borrowed from the result, NULL when unknown.  Keys:
 * "seal_id", "file_digest", "signer", "signer_issuer", "signing_time", "trust_anchor",
 * "sealed_at", "officer", "officer_role", "officer_unit", "officer_country", "place",
 * "format_version", "tool". */
SCELLE_API const char *scelle_result_get(const struct scelle_result *r, const char *key);
/* Case references: authority, country and reference of the i-th one. */
SCELLE_API size_t scelle_result_case_count(const struct scelle_result *r);
SCELLE_API int scelle_result_case(const struct scelle_result *r, size_t i, const char **authority,
    const char **country, const char **reference);
/* evidence.xml exactly as stored, or NULL if the archive had none. */
SCELLE_API const char *scelle_result_evidence_xml(const struct scelle_result *r, size_t *len);

#ifdef __cplusplus
}
#endif
#endif /* SCELLE_H */
