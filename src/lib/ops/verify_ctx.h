/* verify_ctx.h — the state of one verification run (struct vctx), shared by the parts of
 * the verifier: verify.c drives, verify_sig.c, xades_verify.c, verify_etsi.c and
 * custody_verify.c judge; verify_ctx.c holds what they share.  The verifier's
 * configuration, which outlives runs, is verifier.h's. */
#ifndef SCELLE_VERIFY_CTX_H
#define SCELLE_VERIFY_CTX_H
#include <openssl/cms.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include "container.h"
#include "result.h"
#include "verifier.h"

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
	unsigned algs;		/* the algorithms of digest[], 1 << index in verify.c's algs */
	size_t bad_digests;	/* <digest> elements that cannot be judged */
	unsigned acquisitions;	/* <acquisition> elements: the first is read (FORMAT.md §3.4: 0..1) */
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
	int ledger_fd;		/* the ledger, opened before the long work (-1: none beside the
				 * archive); verify_custody reads it and closes it */
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
/* verify_ctx.c: the entry of that name (c->entries sorted with by_entry_name), or NULL;
 * whether a document is well-formed XML (no DTD, depth capped); base64 into out[0..cap). */
int by_entry_name(const void *a, const void *b);
struct entry *find_entry(struct vctx *c, const char *name);
int well_formed(const struct doc *d);
int b64_decode(const char *in, unsigned char *out, size_t cap, size_t *outlen);
#define XML_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_HUGE)
/* verify_etsi.c: a container without evidence.xml, verified as an ETSI container
 * (FORMAT.md, "Foreign containers"). */
void verify_etsi(struct vctx *c, const char *archive);
/* verify_ctx.c: the whole of a small entry into b, up to cap bytes: 0, -2 over the cap,
 * -1 unreadable (why says why). */
int read_small(struct vctx *c, const struct zip_dirent *z, struct buf *b, size_t cap,
    char *why, size_t wl);
/* volume_verify.c (FORMAT.md §13): evidence.xml <volume> into the result's facts; then what it
 * and the set manifest volumes.xml say, judged (check "volume.set"). */
struct _xmlNode;
void volume_read(struct scelle_result *r, struct _xmlNode *n);
void verify_volume(struct vctx *c);
/* custody_verify.c: the custody ledger (doc/design.md §3). */
void verify_custody(struct vctx *c, const char *archive);

/* verify.c, for the fuzz targets: parse ASiCManifest and evidence.xml held in memory
 * (NULL: absent) and check coverage against the given entry names. */
struct scelle_result *verify_docs(const void *manifest, size_t mlen, const void *evidence,
    size_t elen, const char *const *names, size_t nnames);
/* verify_sig.c: the revocation status of every certificate of the signer's chain below
 * the anchor, at the time the signature is proven to have existed. */
void verify_revocation(struct vctx *c, const struct revdata *rd, STACK_OF(X509) *chain);
#endif
