/* sealer.h — the sealer handle, shared by seal.c, keys.c and evidence_xml.c. */
#ifndef SCELLE_SEALER_H
#define SCELLE_SEALER_H

#include <sys/types.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include "internal.h"

#define MAX_DIGESTS 5

/* One evidence item: a regular file on disk and its name in the archive. */
struct item {
	char *src;		/* path on disk */
	char *name;		/* archive name, "evidence/..." */
	uint64_t size;
	time_t mtime;
	char *media_type;
	char hex[MAX_DIGESTS][129]; /* digests in s->digests order; [0] is SHA-256 */
	unsigned char sha256[32];
};

struct case_ref {
	char *authority, *country, *reference;
};

struct scelle_sealer {
	struct scerr err;
	scelle_pass_cb pass_cb;
	void *pass_arg;
	scelle_progress_cb progress_cb;
	void *progress_arg;

	EVP_PKEY *key;
	X509 *cert;
	STACK_OF(X509) *chain;

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

	struct item *items;
	size_t nitems, capitems;
	int compress;		/* SCELLE_COMPRESS_* */

	struct buf warnings;	/* NUL-terminated lines, see scelle_sealer_warnings() */
	time_t sealed_at;
	char seal_id[65], file_digest[65];
};

int load_objects(struct scelle_sealer *s, const char *uri, EVP_PKEY **key, X509 **cert,
    STACK_OF(X509) *extra, struct scerr *e);
int check_signer(EVP_PKEY *key, X509 *cert, const char *name, struct scerr *e);

/* evidence_xml.c: builds evidence.xml and ASiCManifest001.xml in memory. */
int evidence_xml_build(const struct scelle_sealer *s, struct buf *out, struct scerr *e);
int asic_manifest_build(const struct scelle_sealer *s, const unsigned char evidence_sha256[32],
    struct buf *out, struct scerr *e);
const char *digest_uri(const char *alg);	/* xmldsig algorithm URI, NULL if unknown */
const char *digest_from_uri(const char *uri);	/* our name for an algorithm URI */
int uri_escape(const char *name, struct buf *out); /* RFC 3986 path escaping, NUL ended */
int uri_unescape(const char *uri, char **out);

/* Appends a line to the sealer's warnings. */
void sealer_warn(struct scelle_sealer *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
