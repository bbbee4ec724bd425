/* verify.h — state of one verification, shared by verify.c and verify_sig.c. */
#ifndef SCELLE_VERIFY_H
#define SCELLE_VERIFY_H
#include <openssl/cms.h>
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
	struct zip_dir dir;	/* the central directory: the one source of names and bytes */
	struct ev_item *items;
	size_t nitems;
	time_t signing_time;	/* 0: unknown */
	time_t poe_time;	/* earliest trusted time-stamp, 0: none */
	const char *sig_name;	/* the signature verify_signature checks: ASIC_SIGNATURE, or
				 * one of a foreign container's (verify_etsi.c) */
	int asic_s;		/* mimetype says ASiC-S (foreign containers only) */
};

/* verify_sig.c: the CAdES signature over the manifest and the signer's chain. */
void verify_signature(struct vctx *c);
void verify_timestamps(struct vctx *c, CMS_SignerInfo *si);
/* verify_etsi.c: a container without evidence.xml, verified as an ETSI container
 * (FORMAT.md, "Foreign containers"). */
void verify_etsi(struct vctx *c, const char *archive);
/* verify.c, for verify_etsi.c */
int read_small(struct vctx *c, const struct zip_dirent *z, struct buf *b, size_t cap,
    char *why, size_t wl);
/* custody_verify.c: the custody ledger (DESIGN.md §3). */
void verify_custody(struct vctx *c, const char *archive);

/* verify.c, for the fuzz targets: parse ASiCManifest and evidence.xml held in memory
 * (NULL: absent) and check coverage against the given entry names. */
struct scelle_result *verify_docs(const void *manifest, size_t mlen, const void *evidence,
    size_t elen, const char *const *names, size_t nnames);
/* trust.c: appends the --untrusted intermediates to *certs (made if NULL), for chains. */
void verifier_add_untrusted(const struct scelle_verifier *v, STACK_OF(X509) **certs);
/* revocation.c: the revocation status of every certificate of the signer's chain below
 * the anchor, at the time the signature is proven to have existed. */
void verify_revocation(struct vctx *c, CMS_ContentInfo *cms, STACK_OF(X509) *chain);
#endif
