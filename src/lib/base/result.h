/* result.h — the verification result (verify.c builds it, result.c owns and reads it). */
#ifndef SCELLE_RESULT_H
#define SCELLE_RESULT_H
#include "internal.h"

enum fact {
	F_SEAL_ID, F_FILE_DIGEST, F_SIGNER, F_SIGNER_ISSUER, F_SIGNING_TIME, F_TRUST_ANCHOR,
	F_SEALED_AT, F_OFFICER, F_OFFICER_ROLE, F_OFFICER_UNIT, F_OFFICER_COUNTRY, F_PLACE,
	F_FORMAT_VERSION, F_TOOL, F_IDENTITY_CLAIM, F_CONTAINER, F_SIGNER_SERIAL, F_SIGNER_NOT_BEFORE,
	F_SIGNER_NOT_AFTER, F_LEGAL_BASIS, F_CASE_DESCRIPTION, F_VOLUME_SET, F_VOLUME_INDEX,
	F_VOLUME_COUNT, F_COUNT
};

struct scelle_result {
	enum scelle_verdict verdict;
	struct scelle_check *checks;
	size_t nchecks, capchecks;
	struct scelle_item *items;
	size_t nitems, capitems;
	char **folders;		/* evidence.xml <folders> (FORMAT.md §3.7), as listed */
	size_t nfolders, capfolders;
	struct scelle_timestamp *ts;
	size_t nts;
	char *facts[F_COUNT];
	struct { char *authority, *country, *reference; } *cases;
	size_t ncases, capcases;
	struct buf evidence_xml;
	struct scelle_custody_record *custody;	/* the ledger's records (custody_verify.c fills them) */
	size_t ncustody;
	char *ledger;
	char *ledger_head;	/* hex SHA-256 of the last record's C14N (formats/custody.md) */
	struct unlisted *unlisted;	/* failures beyond MAX_SAME_FAILURES, per check id */
	size_t nunlisted, capunlisted;
	struct scelle_volume *volumes;	/* volume_verify.c: the set manifest's listing, or a set's */
	size_t nvolumes;
	int lost;	/* a check other than passed could not be recorded: never TOTAL-PASSED */
};

/* A report lists the first MAX_SAME_FAILURES failed or indeterminate results of one check
 * id, then one line with the count of the others (FORMAT.md, "Verification report"): an
 * archive of a million bad entries gave two million lines and 780 MB (issue 18). */
#define MAX_SAME_FAILURES 100
struct unlisted {
	char *id, *subindication;
	enum scelle_verdict status;	/* the worst of them */
	size_t listed, more;
};

struct scelle_result *result_new(void);
/* Adds a check; the strings are copied.  Returns 0, or -1 when out of memory. */
int result_check(struct scelle_result *r, const char *id, enum scelle_verdict status,
    const char *subind, const char *subject, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
void result_fact(struct scelle_result *r, enum fact f, const char *value);
struct scelle_item *result_add_item(struct scelle_result *r);
int result_add_case(struct scelle_result *r, const char *a, const char *c, const char *ref);
/* Sets the hint (a static code, scelle.h "Hints") of the check just added, if its id is id
 * and it was listed; about (copied) the file or name it concerns, or NULL. */
void result_hint(struct scelle_result *r, const char *id, const char *code, const char *about);
void result_finish(struct scelle_result *r); /* sets the verdict: the worst check */
void custody_records_free(struct scelle_result *r);
void item_facts_free(struct scelle_item_info *in);
void volume_rows_free(struct scelle_result *r);
struct scelle_volume *result_volume_row(struct scelle_result *r);	/* a new row, zeroed */
#endif
