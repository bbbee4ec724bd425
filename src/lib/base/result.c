/* result.c — the one verification result structure (rendered by the CLI as text, JSON or
 * HTML; the library never prints it). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "result.h"

static const char *const fact_names[F_COUNT] = {
	"seal_id", "file_digest", "signer", "signer_issuer", "signing_time", "trust_anchor",
	"sealed_at", "officer", "officer_role", "officer_unit", "officer_country", "place",
	"format_version", "tool", "identity_claim", "container", "signer_serial", "signer_not_before",
	"signer_not_after", "legal_basis", "case_description", "volume_set", "volume_index",
	"volume_count"
};

struct scelle_result *result_new(void)
{
	return xcalloc(1, sizeof(struct scelle_result));
}

int result_check(struct scelle_result *r, const char *id, enum scelle_verdict status,
    const char *subind, const char *subject, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	if (status != SCELLE_PASSED) {
		struct unlisted *u = NULL;
		for (size_t i = r->nunlisted; i-- > 0;)
			if (strcmp(r->unlisted[i].id, id) == 0) {
				u = &r->unlisted[i];
				break;
			}
		if (!u) {
			if (!(u = grow(r->unlisted, &r->capunlisted, r->nunlisted + 1, sizeof(*u))))
				return r->lost = 1, -1;
			r->unlisted = u;
			u = &r->unlisted[r->nunlisted++];
			memset(u, 0, sizeof(*u));
			if (!(u->id = xstrdup(id)))
				return r->lost = 1, -1;
		}
		if (u->listed >= MAX_SAME_FAILURES) {
			if (!u->more || status == SCELLE_FAILED) {	/* the worst, and its reason */
				free(u->subindication);
				u->subindication = xstrdup(subind);
				u->status = u->status == SCELLE_FAILED ? SCELLE_FAILED : status;
			}
			u->more++;
			return 0;
		}
		u->listed++;
	}
	struct scelle_check *c = grow(r->checks, &r->capchecks, r->nchecks + 1, sizeof(*c));
	if (!c) {
		r->lost |= status != SCELLE_PASSED;
		return -1;
	}
	r->checks = c;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), L_(fmt), ap);
	va_end(ap);
	c += r->nchecks++;
	c->id = xstrdup(id);
	c->status = status;
	c->subindication = xstrdup(subind);
	c->subject = xstrdup(subject);
	c->message = xstrdup(msg);
	c->warning = 0;
	c->hint = NULL;
	c->hint_about = NULL;
	return 0;
}

void result_fact(struct scelle_result *r, enum fact f, const char *value)
{
	free(r->facts[f]);
	r->facts[f] = xstrdup(value);
}

void item_facts_free(struct scelle_item_info *in)
{
	const char *s[] = { in->captured_at, in->captured_by, in->capture_tool, in->note,
		in->members_format, in->members_status, in->warc_target, in->warc_date, in->chat_app,
		in->chat_member, in->chat_first, in->chat_last, in->chat_clock, in->chat_date_order };
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		free((char *)s[i]);
	memset(in, 0, sizeof(*in));
}

struct scelle_item *result_add_item(struct scelle_result *r)
{
	struct scelle_item *it = grow(r->items, &r->capitems, r->nitems + 1, sizeof(*it));
	if (!it)
		return NULL;
	r->items = it;
	it = &r->items[r->nitems++];
	memset(it, 0, sizeof(*it));
	return it;
}

int result_add_case(struct scelle_result *r, const char *a, const char *c, const char *ref)
{
	void *p = grow(r->cases, &r->capcases, r->ncases + 1, sizeof(*r->cases));
	if (!p)
		return -1;
	r->cases = p;
	r->cases[r->ncases].authority = xstrdup(a);
	r->cases[r->ncases].country = xstrdup(c);
	r->cases[r->ncases].reference = xstrdup(ref);
	r->ncases++;
	return 0;
}

/* The one verdict every rendering (text, JSON, HTML) shows: the worst check, and FAILED
 * when an item is not ok (verify fails a check for each; this keeps the item list and the
 * verdict from ever disagreeing). */
void result_finish(struct scelle_result *r)
{
	for (size_t i = 0; i < r->nunlisted; i++) {
		struct unlisted *u = &r->unlisted[i];
		size_t more = u->more;
		if (!more)
			continue;
		u->more = 0;
		u->listed = 0;	/* room for the line that counts them */
		result_check(r, u->id, u->status, u->subindication, NULL, "and %zu more like these, "
		    "not listed (a report lists the first %d)", more, MAX_SAME_FAILURES);
	}
	r->verdict = SCELLE_PASSED;
	for (size_t i = 0; i < r->nchecks; i++) {
		if (r->checks[i].status == SCELLE_FAILED)
			r->verdict = SCELLE_FAILED;
		else if (r->checks[i].status == SCELLE_INDETERMINATE && r->verdict == SCELLE_PASSED)
			r->verdict = SCELLE_INDETERMINATE;
	}
	for (size_t i = 0; i < r->nitems; i++)
		if (!r->items[i].ok)
			r->verdict = SCELLE_FAILED;
	if (r->lost)	/* a failure that could not be recorded (out of memory) still fails */
		r->verdict = SCELLE_FAILED;
}

void scelle_result_free(struct scelle_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nchecks; i++) {
		free((char *)r->checks[i].id);
		free((char *)r->checks[i].subindication);
		free((char *)r->checks[i].subject);
		free((char *)r->checks[i].message);
		free((char *)r->checks[i].hint_about);
	}
	free(r->checks);
	for (size_t i = 0; i < r->nunlisted; i++) {
		free(r->unlisted[i].id);
		free(r->unlisted[i].subindication);
	}
	free(r->unlisted);
	for (size_t i = 0; i < r->nitems; i++) {
		free((char *)r->items[i].path);
		free((char *)r->items[i].media_type);
		free((char *)r->items[i].sha256);
		free((char *)r->items[i].source_url);
		free((char *)r->items[i].original_name);
		item_facts_free(&r->items[i].info);
	}
	free(r->items);
	for (size_t i = 0; i < r->nfolders; i++)
		free(r->folders[i]);
	free(r->folders);
	for (size_t i = 0; i < r->nts; i++) {
		free((char *)r->ts[i].tsa_name);
		free((char *)r->ts[i].policy);
		free((char *)r->ts[i].serial);
	}
	free(r->ts);
	for (size_t i = 0; i < F_COUNT; i++)
		free(r->facts[i]);
	volume_rows_free(r);
	for (size_t i = 0; i < r->ncases; i++) {
		free(r->cases[i].authority);
		free(r->cases[i].country);
		free(r->cases[i].reference);
	}
	free(r->cases);
	buf_release(&r->evidence_xml);
	custody_records_free(r);
	free(r);
}

enum scelle_verdict scelle_result_verdict(const struct scelle_result *r)
{
	return r->verdict;
}

const char *scelle_verdict_name(enum scelle_verdict v)
{
	return v == SCELLE_PASSED ? "TOTAL-PASSED" : v == SCELLE_FAILED ? "TOTAL-FAILED" : "INDETERMINATE";
}

size_t scelle_result_check_count(const struct scelle_result *r)
{
	return r->nchecks;
}

const struct scelle_check *scelle_result_check(const struct scelle_result *r, size_t i)
{
	return i < r->nchecks ? &r->checks[i] : NULL;
}

const char *scelle_result_folder(const struct scelle_result *r, size_t i)
{
	return r && i < r->nfolders ? r->folders[i] : NULL;
}

size_t scelle_result_item_count(const struct scelle_result *r)
{
	return r->nitems;
}

const struct scelle_item *scelle_result_item(const struct scelle_result *r, size_t i)
{
	return i < r->nitems ? &r->items[i] : NULL;
}

size_t scelle_result_timestamp_count(const struct scelle_result *r)
{
	return r->nts;
}

const struct scelle_timestamp *scelle_result_timestamp(const struct scelle_result *r, size_t i)
{
	return i < r->nts ? &r->ts[i] : NULL;
}

const char *scelle_result_get(const struct scelle_result *r, const char *key)
{
	for (size_t i = 0; i < F_COUNT; i++)
		if (strcmp(key, fact_names[i]) == 0)
			return r->facts[i];
	return NULL;
}

size_t scelle_result_case_count(const struct scelle_result *r)
{
	return r->ncases;
}

int scelle_result_case(const struct scelle_result *r, size_t i, const char **authority,
    const char **country, const char **reference)
{
	if (i >= r->ncases)
		return SCELLE_E_USAGE;
	*authority = r->cases[i].authority;
	*country = r->cases[i].country;
	*reference = r->cases[i].reference;
	return SCELLE_OK;
}

const char *scelle_result_evidence_xml(const struct scelle_result *r, size_t *len)
{
	if (len)
		*len = r->evidence_xml.len;
	return r->evidence_xml.len ? (const char *)r->evidence_xml.data : NULL;
}

size_t scelle_result_custody_count(const struct scelle_result *r)
{
	return r->ncustody;
}

const struct scelle_custody_record *scelle_result_custody_record(const struct scelle_result *r, size_t i)
{
	return i < r->ncustody ? &r->custody[i] : NULL;
}

const char *scelle_result_ledger(const struct scelle_result *r)
{
	return r->ledger;
}

const char *scelle_result_ledger_head(const struct scelle_result *r)
{
	return r->ledger_head;
}

void custody_records_free(struct scelle_result *r)
{
	for (size_t i = 0; i < r->ncustody; i++) {
		struct scelle_custody_record *c = &r->custody[i];
		const char *const s[] = { c->event, c->actor, c->role, c->organisation, c->country,
			c->place, c->from, c->to, c->note, c->seal_id, c->file_digest, c->verification,
			c->signer, c->reason };
		for (size_t k = 0; k < sizeof(s) / sizeof(s[0]); k++)
			free((char *)s[k]);
	}
	free(r->custody);
	free(r->ledger);
	free(r->ledger_head);
	r->custody = NULL;
	r->ncustody = 0;
	r->ledger = NULL;
	r->ledger_head = NULL;
}

void result_hint(struct scelle_result *r, const char *id, const char *code, const char *about)
{
	struct scelle_check *c = r->nchecks ? &r->checks[r->nchecks - 1] : NULL;
	/* the check it belongs to may not have been listed (MAX_SAME_FAILURES) */
	if (!code || !c || strcmp(c->id, id) != 0 || c->hint)
		return;
	c->hint = code;
	c->hint_about = about && about[0] ? xstrdup(about) : NULL;
}

/* The volumes a result lists (FORMAT.md §13): the set manifest's, or a set's. */
struct scelle_volume *result_volume_row(struct scelle_result *r)
{
	struct scelle_volume *v = realloc(r->volumes, (r->nvolumes + 1) * sizeof(*v));
	if (!v)
		return NULL;
	r->volumes = v;
	v += r->nvolumes++;
	memset(v, 0, sizeof(*v));
	return v;
}

void volume_rows_free(struct scelle_result *r)
{
	for (size_t i = 0; i < r->nvolumes; i++) {
		free((char *)r->volumes[i].archive);
		free((char *)r->volumes[i].seal_id);
		free((char *)r->volumes[i].file_digest);
	}
	free(r->volumes);
	r->volumes = NULL;
	r->nvolumes = 0;
}

size_t scelle_result_volume_count(const struct scelle_result *r)
{
	return r->nvolumes;
}

const struct scelle_volume *scelle_result_volume(const struct scelle_result *r, size_t i)
{
	return i < r->nvolumes ? &r->volumes[i] : NULL;
}
