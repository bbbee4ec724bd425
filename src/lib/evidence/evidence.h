/* evidence.h — the evidence layer's private header (tests/layers.py): what is sealed and
 * recorded, as the files of that layer share it (names.c, intake.c, item_info.c,
 * evidence_xml.c, ledger.c) and the operations read it (seal.c, verify.c). */
#ifndef SCELLE_EVIDENCE_H
#define SCELLE_EVIDENCE_H
#include <sys/types.h>
#include <libxml/xmlwriter.h>
#include "crypto.h"

/* The sealing officer as evidence.xml states it (FORMAT.md §3: claims, not the signer;
 * custody record 1 repeats them).  Each malloc'ed or NULL; country upper case. */
struct officer {
	char *name, *role, *unit, *country, *place;
};

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

/* What the walk of the inputs found (seal.c, scelle_sealer_add_input): the items and the
 * empty folders to seal, in the order found.  The sealer owns one; the thread that walks
 * the second half of a large folder fills one of its own, appended after (add_split).
 * names.c sorts and renames the items, evidence_xml.c writes them. */
struct inventory {
	struct item *items;
	size_t nitems, capitems;
	char **folders;		/* empty folders, "evidence/..." as stored (FORMAT.md §3.7) */
	size_t nfolders, capfolders;
	uint64_t excluded;	/* entries left out by the patterns */
};

/* What the walk obeys (scelle_sealer_set_input_flags, scelle_sealer_add_exclude): read
 * only while walking, so both threads of add_split share it. */
struct walk_rules {
	int follow;		/* SCELLE_INPUT_FOLLOW: follow symbolic links */
	int os_junk;		/* SCELLE_INPUT_EXCLUDE_OS_JUNK */
	char **exclude;		/* scelle_sealer_add_exclude patterns */
	size_t nexclude;
	size_t root_len;	/* of the input's archive name and its '/': paths below it */
};

/* The volumes a seal is split into (volume_seal.c, FORMAT.md §13). */
struct vol_out {
	char *path;
	size_t first, nitems;
	uint64_t estimate;	/* bytes the plan allows for it */
	int oversize;		/* one item larger than a volume may be */
	char seal_id[65], file_digest[65];
};

struct volumes {
	uint64_t max_entries, max_size;
	struct vol_out *v;
	size_t n;		/* volumes planned (written, after success) */
	char set_id[37];
};

/* What is sealed, as the sealer handle (scelle_sealer_*, seal.c) holds it.  In the evidence
 * layer only evidence_xml_build reads it whole (evidence.xml states nearly all of it), and
 * the setters of the parts those files own fill it (scelle_sealer_set_case_file,
 * _set_intake_limits, _set_item_info); the other functions there take the part they need
 * (the inventory, the intake limits). */
struct scelle_sealer {
	struct scerr err;
	scelle_progress_cb progress_cb;
	void *progress_arg;

	struct signer sg;	/* key, certificate, chain, pass phrase callback, revocation data */
	int xades;		/* --signature xades: XAdES in signatures001.xml (FORMAT.md §5.2) */

	struct case_ref *cases;
	size_t ncases;
	char *case_xml;		/* <case> element read from --case-file, serialised */
	struct officer officer;

	const char *digests[MAX_DIGESTS]; /* "sha256" first */
	size_t ndigests;

	char **tsa;
	size_t ntsa;
	char *tsa_policy;
	int tsa_timeout, tsa_optional;
	struct tsa_access tsa_access;
	int rename_collisions;	/* SCELLE_COLLISION_RENAME (names.c) */

	struct inventory inv;	/* what the walk of the inputs found (scelle_sealer_add_input) */
	/* The items' hex digests, one block for all (scelle_sealer_write): an item's are at
	 * item.hex, one after another, digest d at hex_off[d]; 65 bytes for SHA-256 alone. */
	char *hex_store;
	size_t hex_off[MAX_DIGESTS];
	int compress;		/* SCELLE_COMPRESS_* */
	struct walk_rules rules;
	struct item_info_table *item_info;
	struct intake_limits limits;

	struct volumes *vol;	/* --max-entries, --max-volume-size (volume_seal.c), or NULL */
	const struct volume_mark *volume; /* the volume scelle_sealer_write writes, or NULL */

	struct buf warnings;	/* NUL-terminated lines, see scelle_sealer_warnings() */
	const char *warning_hint[16];	/* the hint of line i, scelle_sealer_warning_hint() */
	time_t sealed_at;
	char seal_id[65], file_digest[65];
};

/* volume_seal.c: a seal split into volumes (FORMAT.md §13).  What one volume's evidence.xml
 * says of its set, and for the last the set manifest (volumes.xml) it carries. */
struct volume_mark {
	char set_id[37];	/* a UUID, lower-case hex */
	size_t index, count;	/* from 1 */
	struct buf set_xml;	/* the last volume: volumes.xml; else empty */
	unsigned char set_sha256[32];
	uint64_t listing_max;	/* the evidence.xml text its items' listings may take */
};
#define VOLUME_SET_XML "volumes.xml"
/* seal.c: one archive, the whole seal or one volume of it (scelle_sealer_write, in
 * volume_seal.c, comes here unless the seal is split into volumes). */
int seal_archive(struct scelle_sealer *s, const char *out, int flags);
void volumes_free(struct volumes *v);	/* seal.c */
/* evidence.xml: <volume set index count/> (0 or -1). */
int volume_xml_write(xmlTextWriterPtr w, const struct volume_mark *m);

/* Digest d of an item, in hex (s->digests[d]; 0 is SHA-256). */
static inline const char *item_hex(const struct scelle_sealer *s, const struct item *it, size_t d)
{
	return it->hex + s->hex_off[d];
}

/* names.c: archive names (the escape is described there and in formats/intake.md). */
int name_needs_escape(const char *name, size_t n);
char *name_escape(const char *name, size_t n);		/* malloc'ed, NUL ended */
int by_item_name(const void *a, const void *b);		/* qsort: struct item by name */
/* Refuses names that collide (or renames them, when renaming); sorts inv->items by name. */
int check_name_collisions(struct inventory *inv, int renaming, struct scerr *e);

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
void intake_examine(const struct intake_limits *lim, struct item *it, void *magic,
    const struct sealed_copy *copy, struct intake_budget *budget);
int intake_xml_write(xmlTextWriterPtr w, const struct intake *in);	/* 0 or -1 */
void intake_feed(struct item *it, const void *p, size_t n, uint64_t offset);

/* evidence_xml.c: builds evidence.xml and ASiCManifest001.xml in memory. */
xmlBufferPtr xml_buffer_new(void);	/* for an xmlTextWriter: grows by doubling */
int evidence_xml_build(const struct scelle_sealer *s, struct buf *out, struct scerr *e);
struct manifest_writer;	/* ASiCManifest001.xml: the items' references, then evidence.xml's */
/* vol: the volume being written (its set manifest is referenced too), or NULL */
struct manifest_writer *asic_manifest_items(const struct inventory *inv,
    const struct volume_mark *vol);
int asic_manifest_finish(struct manifest_writer *m, const unsigned char evidence_sha256[32],
    struct buf *out, struct scerr *e);	/* frees m */
void asic_manifest_free(struct manifest_writer *m);
const char *digest_uri(const char *alg);	/* xmldsig algorithm URI, NULL if unknown */
const char *digest_from_uri(const char *uri);	/* our name for an algorithm URI */

#endif
