/* sealer.h — the sealer handle, shared by seal.c, keys.c and evidence_xml.c. */
#ifndef SCELLE_SEALER_H
#define SCELLE_SEALER_H

#include <sys/types.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <libxml/xmlwriter.h>
#include "internal.h"

/* Caps on what listing the members of one item may cost (zip bombs are recorded as
 * truncated listings, never expanded without bound). */
struct intake_limits {
	int max_depth;		/* 1: members of the item; 2: also members of archives inside */
	uint64_t max_members;	/* per item, all depths */
	uint64_t max_bytes;	/* decompressed bytes read per item, all depths */
};

/* What listing may cost for the whole seal (formats/intake.md, "Budgets"): whatever the
 * items hold, evidence.xml stays within the MAX_XML_BYTES that verify reads, and the bytes
 * inflated stay proportional to the containers sealed.  Over budget, an item is sealed
 * whole and its listing is cut (status="truncated" and the reason in <error>). */
struct intake_budget {
	uint64_t text;		/* evidence.xml bytes charged to listings so far */
	uint64_t text_max;	/* LISTING_TEXT_BUDGET (the fuzz target sets less) */
	uint64_t entries;	/* members and records listed so far */
	uint64_t entries_max;	/* LISTING_ENTRY_BUDGET */
	uint64_t inflated;	/* bytes read out of containers so far, all depths */
	uint64_t allowed;	/* of those: INFLATE_BASE + INFLATE_RATIO x the containers' size */
};
#define LISTING_TEXT_BUDGET (16u << 20)
#define LISTING_ENTRY_BUDGET 200000u
#define INFLATE_BASE (32u << 20)
#define INFLATE_RATIO 8u

#define MAX_DIGESTS 5

/* One evidence item: a regular file on disk and its name in the archive. */
struct item {
	char *src;		/* path on disk */
	char *name;		/* archive name, "evidence/..." */
	uint64_t size;
	time_t mtime;
	char *media_type;
	char *hex;		/* its digests in hex, in s->digests order: item_hex() */
	unsigned char sha256[32];
	char *orig_name;	/* the name below evidence/ as found on disk when it had to be
				 * escaped (names.c), else NULL */
	size_t orig_len;
	int link;		/* a symbolic link, recorded as such: its content is the target */
	int method, level;	/* how seal_item stores it: ZIP_STORE, ZIP_DEFLATE at level, or
				   ZIP_DEFLATE_GAINS (whole items: the writer decides) */
	const struct item_info *info; /* acquisition context (--item-info), borrowed, or NULL */
	struct intake *intake;	/* what the item holds (intake.c), or NULL */
};

struct case_ref {
	char *authority, *country, *reference;
};

/* What a signature carries beside the B-B attributes. */
struct sign_extra {
	int rsa_pkcs1;			/* RSA: PKCS#1 v1.5 rather than PSS */
	STACK_OF(X509_CRL) *crls;	/* into SignedData.crls */
	struct buf *ocsp;		/* DER OCSPResponses, as RFC 5940 other revocation info */
	size_t nocsp, capocsp;
};

/* What `seal` does for revocation data (FORMAT.md §5): by default it fetches what the chain
 * names and warns when it cannot; "auto" fails instead; files given replace the fetch. */
enum { REVOCATION_NONE, REVOCATION_AUTO, REVOCATION_DEFAULT, REVOCATION_FILES };

struct scelle_sealer {
	struct scerr err;
	scelle_pass_cb pass_cb;
	void *pass_arg;
	scelle_progress_cb progress_cb;
	void *progress_arg;

	EVP_PKEY *key;
	X509 *cert;
	STACK_OF(X509) *chain;
	char *pkcs11_module;	/* NULL: p11-kit's proxy */
	struct sign_extra extra;	/* padding choice; CRLs and OCSP responses (B-LT) */
	int revocation_auto;	/* REVOCATION_*: whether to fetch revocation data when sealing */
	int xades;		/* --signature xades: XAdES in signatures001.xml (FORMAT.md §5.2) */

	struct case_ref *cases;
	size_t ncases;
	char *case_xml;		/* <case> element read from --case-file, serialised */
	char *officer[5];	/* name, role, unit, country, place */

	const char *digests[MAX_DIGESTS]; /* "sha256" first */
	size_t ndigests;

	char **tsa;
	size_t ntsa;
	char *tsa_policy;
	int tsa_timeout, tsa_optional;
	struct tsa_access tsa_access;
	int rename_collisions;	/* SCELLE_COLLISION_RENAME (names.c) */

	struct item *items;
	size_t nitems, capitems;
	char **folders;		/* empty folders, "evidence/..." as stored (FORMAT.md §3.7) */
	size_t nfolders, capfolders;
	/* The items' hex digests, one block for all (scelle_sealer_write): an item's are at
	 * item.hex, one after another, digest d at hex_off[d]; 65 bytes for SHA-256 alone. */
	char *hex_store;
	size_t hex_off[MAX_DIGESTS];
	int compress;		/* SCELLE_COMPRESS_* */
	int follow;		/* SCELLE_INPUT_FOLLOW: follow symbolic links */
	int walk_split;		/* a second thread walks half of a folder (add_split) */
	char **exclude;		/* scelle_sealer_add_exclude patterns */
	size_t nexclude;
	int os_junk;		/* SCELLE_INPUT_EXCLUDE_OS_JUNK */
	size_t root_len;	/* of the input's archive name and its '/': paths below it */
	uint64_t excluded;	/* entries left out by the patterns */
	struct item_info_table *item_info;
	struct intake_limits limits;

	struct volumes *vol;	/* --max-entries, --max-volume-size (volumes.c), or NULL */
	const struct volume_mark *volume; /* the volume scelle_sealer_write writes, or NULL */

	struct buf warnings;	/* NUL-terminated lines, see scelle_sealer_warnings() */
	time_t sealed_at;
	char seal_id[65], file_digest[65];
};

/* volumes.c: a seal split into volumes (FORMAT.md §13).  What one volume's evidence.xml
 * says of its set, and for the last the set manifest (volumes.xml) it carries. */
struct volume_mark {
	char set_id[37];	/* a UUID, lower-case hex */
	size_t index, count;	/* from 1 */
	struct buf set_xml;	/* the last volume: volumes.xml; else empty */
	unsigned char set_sha256[32];
	uint64_t listing_max;	/* the evidence.xml text its items' listings may take */
};
#define VOLUME_SET_XML "volumes.xml"
/* scelle_sealer_write with s->vol set and s->volume NULL: plans the volumes and writes
 * each through scelle_sealer_write. */
int volumes_write(struct scelle_sealer *s, const char *out, int flags);
void volumes_free(struct volumes *v);
/* evidence.xml: <volume set index count/> (0 or -1). */
int volume_xml_write(xmlTextWriterPtr w, const struct volume_mark *m);

/* Digest d of an item, in hex (s->digests[d]; 0 is SHA-256). */
static inline const char *item_hex(const struct scelle_sealer *s, const struct item *it, size_t d)
{
	return it->hex + s->hex_off[d];
}

int load_objects(struct scelle_sealer *s, const char *uri, EVP_PKEY **key, X509 **cert,
    STACK_OF(X509) *extra, struct scerr *e);
int check_signer(EVP_PKEY *key, X509 *cert, const char *name, struct scerr *e);
/* A warning when cert expires within 30 days, into warn (else warn[0] = '\0'). */
void signer_expiry_warning(X509 *cert, const char *name, char *warn, size_t len);
/* pkcs11.c: the key (and, if cert is not NULL and *cert is NULL, the certificate with the
 * same id) of a pkcs11: URI, through libp11's engine; the PIN through s->pass_cb. */
int pkcs11_load(struct scelle_sealer *s, const char *uri, EVP_PKEY **key, X509 **cert,
    struct scerr *e);

/* names.c: archive names (the escape is described there and in formats/intake.md). */
int name_needs_escape(const char *name, size_t n);
char *name_escape(const char *name, size_t n);		/* malloc'ed, NUL ended */
int by_item_name(const void *a, const void *b);		/* qsort: struct item by name */
int check_name_collisions(struct scelle_sealer *s);	/* sorts s->items */

/* item_info.c: --item-info, a CSV of what is known about where each item came from. */
struct item_info {
	char *path;		/* as written in the CSV: an input path */
	char *source_url, *captured_at, *captured_by, *tool, *note; /* NULL when empty */
	int used;
	size_t line;		/* of the CSV, for messages */
};
struct item_info_table;
int item_info_load(const char *path, struct item_info_table **out, struct scerr *e);
void item_info_free(struct item_info_table *t);
/* Attaches rows to items (by input path), and fails naming the first row that matches
 * no item. */
int item_info_attach(struct item_info_table *t, struct item *items, size_t n, struct scerr *e);

/* intake.c: lists what containers, web archives and chat exports hold. */
void intake_free(struct intake *in);
/* Where seal wrote an item in the archive being made: a container is listed from there. */
struct sealed_copy {
	int fd;			/* the archive, readable */
	uint64_t off, size;	/* its data, as stored */
	int method;		/* ZIP_STORE or ZIP_DEFLATE */
};
int intake_is_container(const struct item *it);
void intake_examine(const struct scelle_sealer *s, struct item *it, void *magic,
    const struct sealed_copy *copy, struct intake_budget *budget);
int intake_xml_write(xmlTextWriterPtr w, const struct intake *in);	/* 0 or -1 */
void intake_feed(struct item *it, const void *p, size_t n, uint64_t offset);

/* evidence_xml.c: builds evidence.xml and ASiCManifest001.xml in memory. */
int evidence_xml_build(const struct scelle_sealer *s, struct buf *out, struct scerr *e);
struct manifest_writer;	/* ASiCManifest001.xml: the items' references, then evidence.xml's */
struct manifest_writer *asic_manifest_items(const struct scelle_sealer *s);
int asic_manifest_finish(struct manifest_writer *m, const unsigned char evidence_sha256[32],
    struct buf *out, struct scerr *e);	/* frees m */
void asic_manifest_free(struct manifest_writer *m);
const char *digest_uri(const char *alg);	/* xmldsig algorithm URI, NULL if unknown */
const char *digest_from_uri(const char *uri);	/* our name for an algorithm URI */
int uri_escape(const char *name, struct buf *out); /* RFC 3986 path escaping, NUL ended */
int uri_unescape(const char *uri, char **out);

/* Appends a line to the sealer's warnings. */
void sealer_warn(struct scelle_sealer *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The same with padding choice and revocation data (extra may be NULL: PSS, no data). */
int cades_sign_extra(EVP_PKEY *key, X509 *cert, STACK_OF(X509) *chain,
    const struct sign_extra *extra, const unsigned char *data, size_t n, unsigned char **der,
    size_t *der_len, struct scerr *e);


/* revocation.c: fetches the chain's revocation data (REVOCATION_DEFAULT, _AUTO), warns
 * of what is left without, refuses a certificate that the data says is revoked; frees
 * the data. */
int revocation_prepare(struct scelle_sealer *s, struct scerr *e);
void revocation_extra_free(struct sign_extra *x);

#endif
