/* render_json.c — `verify --json` / `show --json`: one JSON object per archive, on one line
 * (JSON Lines for several archives), described by formats/verify-result.schema.json.
 * Field names are stable; a change that breaks a reader bumps "schema". */
#include <string.h>
#include "cli.h"

#define SCHEMA_ID "scelle-verify/1"

static void key(FILE *f, const char *k, const char *v)
{
	fprintf(f, ",\"%s\":", k);
	json_str(f, v);
}

static void time_str(FILE *f, time_t t)
{
	struct tm tm;
	char s[32];
	if (t == 0 || !gmtime_r(&t, &tm) || !strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%SZ", &tm)) {
		fputs("null", f);
		return;
	}
	fprintf(f, "\"%s\"", s);
}

static void volumes_json(FILE *f, const struct scelle_result *r);
static void checks_json(FILE *f, const struct scelle_result *r);

void print_result_json(FILE *f, const char *archive, const struct scelle_result *r)
{
	static const char *const facts[] = { "seal_id", "file_digest", "signer", "signer_issuer",
		"signing_time", "trust_anchor", "sealed_at", "officer", "officer_role", "officer_unit",
		"officer_country", "place", "format_version", "tool", "identity_claim", "container",
		"volume_set", "volume_index", "volume_count" };
	const char *a, *c, *ref;

	fputs("{\"schema\":\"" SCHEMA_ID "\",\"archive\":", f);
	json_str(f, archive);
	fprintf(f, ",\"verdict\":\"%s\"", scelle_verdict_name(scelle_result_verdict(r)));
	for (size_t i = 0; i < sizeof(facts) / sizeof(facts[0]); i++)
		key(f, facts[i], scelle_result_get(r, facts[i]));
	fputs(",\"cases\":[", f);
	for (size_t i = 0; scelle_result_case(r, i, &a, &c, &ref) == 0; i++) {
		fprintf(f, "%s{\"authority\":", i ? "," : "");
		json_str(f, a);
		key(f, "country", c);
		key(f, "reference", ref);
		fputc('}', f);
	}
	fputs("],\"timestamps\":[", f);
	for (size_t i = 0; i < scelle_result_timestamp_count(r); i++) {
		const struct scelle_timestamp *t = scelle_result_timestamp(r, i);
		fprintf(f, "%s{\"status\":\"%s\",\"gen_time\":", i ? "," : "", scelle_verdict_name(t->status));
		time_str(f, t->gen_time);
		key(f, "tsa", t->tsa_name);
		key(f, "policy", t->policy);
		key(f, "serial", t->serial);
		fputc('}', f);
	}
	fputs("],\"items\":[", f);
	for (size_t i = 0; i < scelle_result_item_count(r); i++) {
		const struct scelle_item *it = scelle_result_item(r, i);
		fprintf(f, "%s{\"path\":", i ? "," : "");
		json_str(f, it->path);
		fprintf(f, ",\"size\":%llu,\"mtime\":", (unsigned long long)it->size);
		time_str(f, it->mtime);
		key(f, "media_type", it->media_type);
		key(f, "sha256", it->sha256);
		key(f, "source_url", it->source_url);
		fprintf(f, ",\"ok\":%s}", it->ok ? "true" : "false");
	}
	fputs("],\"empty_folders\":[", f);	/* FORMAT.md §3.7 */
	for (size_t i = 0; scelle_result_folder(r, i); i++) {
		if (i)
			fputc(',', f);
		json_str(f, scelle_result_folder(r, i));
	}
	fputs("]", f);
	key(f, "ledger", scelle_result_ledger(r));
	if (scelle_result_ledger_head(r))
		fprintf(f, ",\"ledger_head\":{\"records\":%zu,\"sha256\":\"%s\"}", scelle_result_custody_count(r),
		    scelle_result_ledger_head(r));
	else
		fputs(",\"ledger_head\":null", f);
	fputs(",\"custody\":[", f);
	for (size_t i = 0; i < scelle_result_custody_count(r); i++) {
		const struct scelle_custody_record *cr = scelle_result_custody_record(r, i);
		fprintf(f, "%s{\"seq\":%lu", i ? "," : "", cr->seq);
		key(f, "event", cr->event);
		key(f, "actor", cr->actor);
		key(f, "role", cr->role);
		key(f, "organisation", cr->organisation);
		key(f, "country", cr->country);
		key(f, "place", cr->place);
		key(f, "from", cr->from);
		key(f, "to", cr->to);
		key(f, "note", cr->note);
		fputs(",\"time\":", f);
		time_str(f, cr->time);
		fputs(",\"tsa_time\":", f);
		time_str(f, cr->tsa_time);
		key(f, "seal_id", cr->seal_id);
		key(f, "file_digest", cr->file_digest);
		key(f, "verification", cr->verification);
		key(f, "signer", cr->signer);
		fprintf(f, ",\"status\":\"%s\"", scelle_verdict_name(cr->status));
		key(f, "reason", cr->reason);
		fputc('}', f);
	}
	fputs("],", f);
	volumes_json(f, r);
	checks_json(f, r);
}

/* The volumes a result lists (FORMAT.md §13): a last volume's set manifest, or a set's. */
static void volumes_json(FILE *f, const struct scelle_result *r)
{
	fputs("\"volumes\":[", f);
	for (size_t i = 0; i < scelle_result_volume_count(r); i++) {
		const struct scelle_volume *v = scelle_result_volume(r, i);
		fprintf(f, "%s{\"index\":%lu", i ? "," : "", v->index);
		key(f, "archive", v->archive);
		key(f, "seal_id", v->seal_id);
		key(f, "file_digest", v->file_digest);
		key(f, "state", v->state);
		fprintf(f, ",\"verdict\":\"%s\"}", scelle_verdict_name(v->verdict));
	}
	fputs("],", f);
}

/* The verdict on a volume set: one line of its own schema among the archives' lines. */
void print_set_json(FILE *f, const struct scelle_result *r)
{
	fputs("{\"schema\":\"scelle-verify-set/1\",\"set\":", f);
	json_str(f, scelle_result_get(r, "volume_set"));
	fprintf(f, ",\"verdict\":\"%s\",\"count\":%s,", scelle_verdict_name(scelle_result_verdict(r)),
	    scelle_result_get(r, "volume_count"));
	volumes_json(f, r);
	checks_json(f, r);
}

static void checks_json(FILE *f, const struct scelle_result *r)
{
	fputs("\"checks\":[", f);
	for (size_t i = 0; i < scelle_result_check_count(r); i++) {
		const struct scelle_check *ck = scelle_result_check(r, i);
		fprintf(f, "%s{\"id\":", i ? "," : "");
		json_str(f, ck->id);
		fprintf(f, ",\"status\":\"%s\"", scelle_verdict_name(ck->status));
		key(f, "subindication", ck->subindication);
		key(f, "subject", ck->subject);
		key(f, "message", ck->message);
		/* a warning is a passed check the reader must know of: a script sees it here */
		fprintf(f, ",\"warning\":%s,\"hint\":", ck->warning ? "true" : "false");
		char text[1024];
		if (ck->hint) {	/* the code for scripts, the words (English) for people */
			fputs("{\"code\":", f);
			json_str(f, ck->hint);
			key(f, "about", ck->hint_about);
			key(f, "text", hint_text(text, sizeof(text), ck, ck->hint_about, 0) == 0 ? text : NULL);
			fputc('}', f);
		} else
			fputs("null", f);
		fputc('}', f);
	}
	fputs("]}\n", f);
}
