/* ledger.h — the chain-of-custody ledger (doc/design.md §3, formats/custody.xsd), ledger.c's:
 * used by custody.c (appending), custody_verify.c (checking) and seal.c (record 1). */
#ifndef SCELLE_LEDGER_H
#define SCELLE_LEDGER_H

#include <libxml/tree.h>
#include <openssl/x509.h>
#include "crypto.h"
#include "evidence.h"

#define SCELLE_NS_CUSTODY  "urn:scelle:custody:1"
#define LEDGER_SUFFIX	   ".custody.xml"
#define LEDGER_FORMAT	   "1.1"	/* formats/custody.md, "Versions" */
#define MAX_LEDGER_BYTES   (16u << 20)	/* a record is a few KiB: thousands of hand-overs */
#define MAX_LEDGER_RECORDS 10000u


/* What one event element says (the signed part of a record). */
struct event_data {
	unsigned long seq;
	const char *type;		/* "sealed", "transferred", ..., "other:LABEL" */
	const char *archive_name;	/* base name of the archive, informative */
	const char *seal_id, *file_digest; /* hex SHA-256 (doc/design.md §2) */
	const char *previous;		/* hex SHA-256 of the previous record, NULL for record 1 */
	time_t time;
	const char *actor, *role, *organisation, *country;
	char certificate[65];		/* hex SHA-256 of the actor's certificate (DER) */
	const char *place, *from, *to, *note;
	const char *verification;	/* received: the receiver's verdict name */
	const char *head;		/* received: hex SHA-256 of the last record as received */
	unsigned long head_records;	/* and how many records the ledger held */
};

/* Who signs a record, and the time-stamp authorities to ask (none when ntsa is 0). */
struct record_signer {
	EVP_PKEY *key;
	X509 *cert;
	STACK_OF(X509) *chain;
	char *const *tsa_urls;
	size_t ntsa;
	struct tsa_options tsa;
	int tsa_optional;
};

/* NAME.asice → NAME.asice.custody.xml (malloc'ed, NULL when out of memory). */
char *ledger_path_for(const char *archive);
/* Whether the ledger at path (NULL: out of memory) cannot be read, checked before any long
 * work: one that is there must open as a regular file (a FIFO is refused, never waited on);
 * a missing one is an error only when `named` (given by the user, not the one beside the
 * archive).  1 with e set ("cannot open 'x': reason"), else 0. */
int ledger_unreadable(const char *path, int named, struct scerr *e);
/* The same check, the ledger kept open for the caller in *fd (-1: none beside the archive),
 * so that what is read later is the file checked, never one put there in between. */
int ledger_open(const char *path, int named, int *fd, struct scerr *e);
/* Reads and parses a ledger as hostile XML: size cap, no DTD, no network, no entities. */
xmlDocPtr ledger_read(int fd, const char *path, struct scerr *e);
/* Exclusive XML C14N 1.0 (without comments) of an element as an apex: the bytes that a
 * record's signature covers and that the next record's digest is taken over. */
int c14n_element(xmlNodePtr n, struct buf *out);
/* SHA-256 of c14n_element(n) as hex. */
int c14n_digest(xmlNodePtr n, char hex[65]);
/* Appends <record><event/><signature/></record> after `after` (or as the first child of
 * root when after is NULL) and signs it. */
int record_append(xmlNodePtr root, xmlNodePtr after, const struct event_data *d,
    const struct record_signer *rs, struct scerr *e);
/* The subject field of a certificate's name (NID_commonName, ...), malloc'ed or NULL. */
char *cert_name_field(X509 *cert, int nid);
void cert_sha256(X509 *cert, char hex[65]);
/* A copy of 64 hexadecimal digits in lower case, or NULL when s is anything else. */
char *hex64_lower(const char *s);

/* The sealing record: seal.c calls ledger_seal_prepare() once the archive is complete and
 * its digests known, and ledger_write_new() after the archive is in place.  Record 1 says
 * what evidence.xml says of the sealing; the actor, unit and country the officer does not
 * state are taken from rs's certificate. */
struct sealing_event {
	const char *archive;		/* its path (the record names its base name) */
	const char *seal_id, *file_digest;
	time_t sealed_at;
	const struct officer *officer;
};
int ledger_seal_prepare(const struct sealing_event *s, const struct record_signer *rs,
    struct buf *out, struct scerr *e);
/* NAME.asice.custody.xml -> NAME.asice.custody.<seal id of record 1>.xml, the name under
 * which `seal --force` keeps the ledger of the archive it replaces (malloc'ed; NULL with e
 * set when the ledger cannot be read or names no seal identifier). */
char *ledger_aside_path(const char *path, struct scerr *e);
/* Renames from to to, never replacing an existing `to` (SCELLE_E_EXISTS). */
int ledger_move(const char *from, const char *to, struct scerr *e);
/* The element `name` of the custody namespace below n, or NULL. */
xmlNodePtr ledger_child(xmlNodePtr n, const char *name);
/* a when it is set and not empty, else b */
static inline const char *nonempty_or(const char *a, const char *b)
{
	return a && *a ? a : b;
}
/* The ledger document serialised into out. */
int ledger_dump(xmlDocPtr doc, struct buf *out, struct scerr *e);
/* Publishes a ledger through out_file.c: complete and fsynced, or not at all; `replace`
 * swaps it for the ledger at path atomically. */
int ledger_publish(const char *path, const struct buf *b, mode_t mode, int replace, struct scerr *e);
/* Writes a new ledger file atomically (temporary file, fsync, link or rename). */
int ledger_write_new(const char *path, const struct buf *b, int force, struct scerr *e);

#endif
