/* verify.h — state of one verification, shared by verify.c and verify_sig.c. */
#ifndef SCELLE_VERIFY_H
#define SCELLE_VERIFY_H
#include <openssl/cms.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include "result.h"

struct scelle_verifier {
	struct scerr err;
	X509_STORE *trust, *tsa_trust;
	int flags;
	long max_skew;
	scelle_progress_cb progress_cb;
	void *progress_arg;
	char *ledger;		/* custody ledger to check, NULL: the one beside the archive */
	char *ledger_head;	/* the head it must have (hex, lower case), NULL: any */
	STACK_OF(X509) *untrusted;	/* --untrusted: intermediates for building chains */
	STACK_OF(X509_CRL) *crls;	/* --crl: revocation lists given by the user */
	struct anchor *anchors;	/* the certificates of trust and tsa_trust, with their files */
	size_t nanchors, capanchors;
};

/* A trust anchor given as a file (scelle_verifier_add_trust / _add_tsa_trust): the hints
 * name the file that was given for the wrong role (hints.c). */
struct anchor {
	X509 *x;
	char *file;
	int tsa;	/* given for time-stamp authorities */
};

/* An entry of the ZIP, with what the manifest and evidence.xml say of it. */
/* What ASiCManifest says of one entry: kept apart from struct entry, which a million
 * unreferenced entries would otherwise each pay 80 bytes for (issue 18). */
struct manifest_ref {
	const char *alg;
	size_t mdlen;
	unsigned char md[64];
};

struct entry {
	const char *name;	/* its central directory record's (z->name) */
	uint64_t size;
	size_t index;		/* position in the archive */
	struct manifest_ref *ref;	/* its ASiCManifest reference, malloc'ed; NULL: none */
	long item;		/* index in evidence.xml's items, -1 none */
	int checked;		/* digests computed in pass 2 */
	const struct zip_dirent *z;	/* its central directory record (zip_check) */
};

/* An item as evidence.xml records it. */
struct ev_item {
	char *path, *media_type, *source_url;
	char *original_name;	/* decoded <originalName>, malloc'ed, or NULL */
	struct scelle_item_info info;	/* strings malloc'ed; moves to the result */
	uint64_t size;
	time_t mtime;
	struct { const char *alg; char *hex; } digest[5];	/* hex malloc'ed: 100,000 items */
	size_t ndigests;
	int found;
};

struct doc {
	struct buf b;
	int seen;
	int unread;	/* in the archive, but could not be read (said why) */
};

struct vctx {
	struct scelle_verifier *v;
	struct scelle_result *r;
	int fd;
	uint64_t file_size;
	struct entry *entries;
	size_t nentries, capentries;
	struct doc evidence, manifest, signature;
	struct doc xades;	/* META-INF/signatures*.xml (FORMAT.md §6) */
	const char *xades_name;	/* its name (the central directory's), NULL: none */
	const char *sig_name;	/* the signature the checks name: ASIC_SIGNATURE, the XAdES
				 * one, or one of a foreign container's (verify_etsi.c) */
	char xades_signer[65];	/* hex SHA-256 of the XAdES signer's certificate, "": none */
	const char *refs_name;	/* what holds the data references: "ASiCManifest" or
				 * "the XAdES signature" */
	struct zip_dir dir;	/* the central directory: the one source of names and bytes */
	struct ev_item *items;
	size_t nitems;
	time_t signing_time;	/* 0: unknown */
	time_t poe_time;	/* earliest trusted time-stamp, 0: none */
	int asic_s;		/* mimetype says ASiC-S (foreign containers only) */
};

/* verify_sig.c: the CAdES signature over the manifest and the signer's chain. */
void verify_signature(struct vctx *c);
void verify_timestamps(struct vctx *c, CMS_SignerInfo *si);
/* Revocation data a signature carries (B-LT): CRLs, DER OCSP responses. */
struct revdata {
	STACK_OF(X509_CRL) *crls;
	OCSP_RESPONSE **ocsp;
	size_t nocsp;
};
/* Shared by the CAdES and XAdES checks (verify_sig.c).  verify_chain: the signer's chain
 * (certs: the signature's certificates, taken) to --trust at the proved time, then the
 * revocation status from rd and --crl.  check_signer_usage: key usage for sealing.
 * check_claims: the officer fields against the certificate.  timestamp_judge: one
 * signature time-stamp token over data[0..n) (the n-th of the signature, from 1), which
 * sets poe_time; timestamp_none: what no token means. */
void verify_chain(struct vctx *c, STACK_OF(X509) *certs, X509 *signer, const struct revdata *rd);
void check_signer_usage(struct vctx *c, X509 *signer);
void check_claims(struct vctx *c, X509 *signer);
void timestamp_judge(struct vctx *c, const unsigned char *token, size_t len,
    const unsigned char *data, size_t n, int index);
void timestamp_none(struct vctx *c);
/* xades_verify.c: the XAdES signature `name` (META-INF/signatures*.xml, held in xml) of
 * the container in c (its entries, sorted, with item = -1): its data references become
 * the entries' references (every entry outside META-INF once; pass_digests compares them),
 * then libxmlsec1 verifies it, and its signing certificate, time-stamps and chain are
 * judged as for CAdES.  Sets F_SEAL_ID.  foreign: one signature of a container without
 * evidence.xml (verify_etsi.c), which takes the entries' references back after the call:
 * a referenced file that is missing is INDETERMINATE, an unsigned property of another
 * kind a warning, and no seal identifier is set.  0 when every reference resolved (the
 * entries' references are then what the signature covers), -1 otherwise. */
int verify_xades(struct vctx *c, const char *name, const struct buf *xml, int foreign);
/* verify.c, for xades_verify.c */
struct entry *find_entry(struct vctx *c, const char *name);
int well_formed(const struct doc *d);
int b64_decode(const char *in, unsigned char *out, size_t cap, size_t *outlen);
#define XML_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_HUGE)
/* verify_etsi.c: a container without evidence.xml, verified as an ETSI container
 * (FORMAT.md, "Foreign containers"). */
void verify_etsi(struct vctx *c, const char *archive);
/* verify.c, for verify_etsi.c */
int read_small(struct vctx *c, const struct zip_dirent *z, struct buf *b, size_t cap,
    char *why, size_t wl);
/* volumes.c (FORMAT.md §13): evidence.xml <volume> into the result's facts; then what it
 * and the set manifest volumes.xml say, judged (check "volume.set"). */
struct _xmlNode;
void volume_read(struct scelle_result *r, struct _xmlNode *n);
void verify_volume(struct vctx *c);
/* custody_verify.c: the custody ledger (DESIGN.md §3). */
void verify_custody(struct vctx *c, const char *archive);

/* verify.c, for the fuzz targets: parse ASiCManifest and evidence.xml held in memory
 * (NULL: absent) and check coverage against the given entry names. */
struct scelle_result *verify_docs(const void *manifest, size_t mlen, const void *evidence,
    size_t elen, const char *const *names, size_t nnames);
/* trust.c: opens a file of certificates or CRLs (a regular file only: open_input). */
BIO *verifier_open_file(struct scelle_verifier *v, const char *file);
/* trust.c: appends the --untrusted intermediates to *certs (made if NULL), for chains. */
void verifier_add_untrusted(const struct scelle_verifier *v, STACK_OF(X509) **certs);
/* revocation.c: the revocation status of every certificate of the signer's chain below
 * the anchor, at the time the signature is proven to have existed. */
void verify_revocation(struct vctx *c, const struct revdata *rd, STACK_OF(X509) *chain);
/* hints.c: what would resolve a chain that does not reach an anchor (scelle.h "Hints").
 * chain_hint: x (a signer's certificate, or a TSA's when tsa) with the certificates at hand
 * did not chain to the anchors of its kind; returns the hint code, with the file or root
 * name it concerns in about and the reason in plain words in why.  token_hint: the same for
 * the TSA certificate of an RFC 3161 token (NULL when it has none). */
int verifier_note_anchor(struct scelle_verifier *v, X509 *x, const char *file, int tsa);
void verifier_free_anchors(struct scelle_verifier *v);
const char *chain_hint(const struct scelle_verifier *v, X509 *x, STACK_OF(X509) *untrusted, int tsa,
    char *about, size_t an, char *why, size_t wn);
const char *token_hint(const struct scelle_verifier *v, const unsigned char *token, size_t len,
    char *about, size_t an, char *why, size_t wn);
#endif
