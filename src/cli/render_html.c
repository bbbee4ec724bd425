/* render_html.c — `verify --report FILE.html`: one self-contained page for a magistrate.
 *
 * Inline CSS only: no script, no image, no external fetch, and a Content-Security-Policy
 * that forbids them, so the page shows the same thing offline, in a mail client, in ten
 * years.  Every string that comes from the archive is hostile: it goes through esc(), which
 * shows its display form (render_text.c) with HTML's five special characters escaped. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli.h"

static const char css[] =
    "body{font:15px/1.45 'DejaVu Sans',Arial,sans-serif;color:#1a1a1a;max-width:62em;"
    "margin:1.5em auto;padding:0 1em}\n"
    "h1{font-size:1.45em;margin:0 0 .15em}h2{font-size:1.1em;margin:1.1em 0 .35em;"
    "border-bottom:2px solid #ccc;padding-bottom:.1em}\n"
    ".banner{border:3px solid;border-radius:6px;padding:.6em 1em;margin:.7em 0}\n"
    ".banner .word{font-size:1.7em;font-weight:bold;margin:0}\n"
    ".banner .code{font-family:monospace;font-size:.95em;opacity:.85}\n"
    ".banner p{margin:.3em 0 0;font-size:1.05em}\n"
    ".banner ul{margin:.4em 0 0;padding-left:1.2em}.banner li{margin:.1em 0}\n"
    ".banner.passed{background:#e6f4ea;border-color:#1e7b34;color:#0d4a1d}\n"
    ".banner.failed{background:#fdecea;border-color:#b3261e;color:#6b0f0a}\n"
    ".banner.indeterminate{background:#fff4e0;border-color:#b26a00;color:#5c3700}\n"
    "table{border-collapse:collapse;width:100%;margin:.3em 0}\n"
    "th,td{border:1px solid #ccc;padding:.25em .4em;text-align:left;vertical-align:top;"
    "overflow-wrap:break-word}\n"
    "th{background:#f1f1f1}table.kv th{width:8.5em;font-weight:normal;font-size:.9em}\n"
    ".cols{display:grid;grid-template-columns:2fr 3fr;gap:0 1.2em}\n"
    /* fixed layouts: columns as wide as their headings say, long names broken anywhere */
    "table.items,table.custody,table.checks{table-layout:fixed}"
    "table.items td,table.custody td{overflow-wrap:anywhere}\n"
    "th.w-st{width:1.2em}th.w-n{width:2.6em}th.w-type{width:10em}th.w-size{width:5.5em}"
    "th.w-time{width:10.5em}th.w-when{width:7.5em}th.w-ev{width:6.5em}th.w-who{width:27%}th.w-ho{width:18%}"
    "th.w-res{width:8.5em}th.w-check{width:42%}\n"
    "@media screen and (max-width:50em){.cols{display:block}}\n"
    ".h{font-family:'DejaVu Sans Mono',monospace;font-size:.9em;overflow-wrap:anywhere}\n"
    /* a hash is one unbroken monospace line (issue 19: 9 lines of 8 characters before) */
    ".hash{font-family:'DejaVu Sans Mono',monospace;white-space:nowrap}\n"
    "td.st{font-weight:bold;white-space:nowrap;width:1em}td.num{text-align:right;white-space:nowrap}\n"
    ".nw{white-space:nowrap}\n"
    "tr.passed td.st,tbody.passed td.st{color:#1e7b34}tr.failed td.st,tbody.failed td.st{color:#b3261e}"
    "tr.indeterminate td.st{color:#b26a00}\n"
    "tr.failed td,tbody.failed td{background:#fdecea}\n"
    /* items: one tbody per item, ruled above, its lines unruled */
    "table.items td{border-width:0 0 0 0;padding:.1em .4em}"
    "table.items tbody{border-top:1px solid #bbb}table.items td.fact{padding-left:1.6em;font-size:.9em}\n"
    "table.items tr.first td{padding-top:.3em;vertical-align:baseline}table.items tbody tr:last-child td{padding-bottom:.3em}\n"
    ".hint{font-weight:bold}ul.hint{font-weight:normal}\n"
    ".small{font-size:.85em;color:#555}.lbl{color:#555}h2 .small{font-weight:normal;font-size:.7em}\n"
    "pre{background:#f6f6f6;border:1px solid #ddd;padding:.5em;white-space:pre-wrap;"
    "overflow-wrap:anywhere;font-size:.85em}\n"
    "@page{size:A4;margin:10mm 11mm 12mm 11mm;"
    "@bottom-right{content:counter(page) \" / \" counter(pages);font:8pt 'DejaVu Sans',sans-serif;color:#555}}\n"
    "@media print{body{font-size:8.5pt;line-height:1.28;max-width:none;margin:0;padding:0}"
    ".banner,th,tr.failed td,tbody.failed td{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    "tr,tbody.item,.banner,pre,table.kv{break-inside:avoid}h2{break-after:avoid}"
    "thead{display:table-header-group}"
    /* page one is the summary; the items, checks and commands follow */
    "h2.items{break-before:page;margin-top:0}table.items,table.checks,table.custody{font-size:8pt}"
    "table.checks td{padding:.1em .4em;line-height:1.2}pre{font-size:7.5pt;line-height:1.2}}\n";

/* One character of a display form as HTML: & < > " ' escaped. */
static void html_char(FILE *f, char c)
{
	switch (c) {
	case '&': fputs("&amp;", f); break;
	case '<': fputs("&lt;", f); break;
	case '>': fputs("&gt;", f); break;
	case '"': fputs("&quot;", f); break;
	case '\'': fputs("&#39;", f); break;
	default: fputc(c, f);
	}
}

/* HTML text and attribute values: the display form (shown(), render_text.c: controls, bidi
 * overrides, invisible characters and bytes that are not UTF-8 as visible escapes such as
 * \u202E), HTML-escaped, so that a hostile name can neither open a tag, nor make the page
 * ill-formed, nor read as another name. */
static void esc(FILE *f, const char *s)
{
	for (const char *p = shown(s ? s : ""); *p; p++)
		html_char(f, *p);
}

/* A POSIX shell single-quoted word, then HTML-escaped: for the commands to copy.  A name
 * that has a display escape is shown escaped here too: the copied command then names no
 * file, rather than a file other than the one it seems to. */
static void shell_word(FILE *f, const char *s)
{
	if (s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/+")] == '\0') {
		esc(f, s);
		return;
	}
	fputs("&#39;", f);
	for (const char *p = shown(s); *p; p++) {
		if (*p == '\'')
			fputs("&#39;\\&#39;&#39;", f);
		else
			html_char(f, *p);
	}
	fputs("&#39;", f);
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s && s[1] ? s + 1 : path;
}

static const char *status_class(enum scelle_verdict v)
{
	return v == SCELLE_PASSED ? "passed" : v == SCELLE_FAILED ? "failed" : "indeterminate";
}

static const char *headline(enum scelle_verdict v)
{
	if (v == SCELLE_PASSED)
		return _("Seal verified");
	if (v == SCELLE_FAILED)
		return _("Seal broken or invalid");
	return _("Seal intact, trust not established");
}

/* "2026-11-28T10:00:00Z" reads better as "2026-11-28 10:00:00 UTC", and a time without a
 * zone (a chat export read with the device's clock, FORMAT.md §3.6) as "2026-11-28
 * 10:00:00"; anything else (the string comes from the archive) is shown as is, escaped. */
static void when(FILE *f, const char *t)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	size_t i = 0;
	while (t && shape[i] && (shape[i] == 'd' ? t[i] >= '0' && t[i] <= '9' : t[i] == shape[i]))
		i++;
	if (t && i == sizeof(shape) - 1 && t[i] == '\0')
		fprintf(f, "%.10s %.8s UTC", t, t + 11);
	else if (t && i == sizeof(shape) - 2 && t[i] == '\0')
		fprintf(f, "%.10s %.8s", t, t + 11);
	else
		esc(f, t ? t : "—");
}

static void when_t(FILE *f, time_t t)
{
	struct tm tm;
	char s[32];
	if (t && gmtime_r(&t, &tm) && strftime(s, sizeof(s), "%Y-%m-%d %H:%M:%S UTC", &tm))
		fputs(s, f);
	else
		fputs("—", f);
}

static void row(FILE *f, const char *label, const char *value)
{
	fprintf(f, "<tr><th>%s</th><td>", label);
	esc(f, value ? value : "—");
	fputs("</td></tr>\n", f);
}

static void row_hash(FILE *f, const char *label, const char *value)
{
	fprintf(f, "<tr><th>%s</th><td class=\"hash\">", label);
	esc(f, value ? value : "—");
	fputs("</td></tr>\n", f);
}

/* A free text that may hold line breaks (a case description, FORMAT.md §3.5): each line
 * escaped on its own, the breaks kept as <br>. */
static void esc_lines(FILE *f, const char *s)
{
	while (s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		char *line = malloc(n + 1);
		if (!line)
			return;
		memcpy(line, s, n);
		line[n] = '\0';
		esc(f, line);
		free(line);
		if (nl)
			fputs("<br>", f);
		s = nl ? nl + 1 : NULL;
	}
}

/* "NAME (part, part, part)" for the stated names of an officer or an actor. */
static void esc_with_parts(FILE *f, const char *name, const char *const parts[3])
{
	size_t sep = 0;
	esc(f, name ? name : "—");
	for (size_t k = 0; k < 3; k++)
		if (parts[k]) {
			fputs(sep++ ? ", " : " (", f);
			esc(f, parts[k]);
		}
	if (sep)
		fputc(')', f);
}

/* The case (FORMAT.md §3.3): references, legal basis, description. */
static void section_case(FILE *f, const struct scelle_result *r)
{
	const char *a, *c, *ref;
	const char *basis = scelle_result_get(r, "legal_basis"), *desc = scelle_result_get(r, "case_description");
	fprintf(f, "<div>\n<h2>%s</h2>\n<table class=\"kv\">\n", _("The case"));
	if (scelle_result_case_count(r) == 0 && !basis && !desc)
		fprintf(f, "<tr><td>%s</td></tr>\n", _("The archive gives no case reference."));
	for (size_t i = 0; scelle_result_case(r, i, &a, &c, &ref) == 0; i++) {
		fprintf(f, "<tr><th>%s</th><td><b>", i ? "" : _("Reference"));
		esc(f, ref);
		fputs("</b><br><span class=\"small\">", f);
		esc(f, a);
		fputs(", ", f);
		esc(f, c);
		fputs("</span></td></tr>\n", f);
	}
	if (basis)
		row(f, _("Legal basis"), basis);
	if (desc) {
		fprintf(f, "<tr><th>%s</th><td>", _("Description"));
		esc_lines(f, desc);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n</div>\n", f);
}

/* Who sealed: the officer's statements (FORMAT.md §5.1: claims), then the certificate that
 * signed, then the time-stamps that prove when. */
static void section_sealed(FILE *f, const struct scelle_result *r)
{
	const char *parts[] = { scelle_result_get(r, "officer_role"), scelle_result_get(r, "officer_unit"),
		scelle_result_get(r, "officer_country") };
	const char *from = scelle_result_get(r, "signer_not_before"), *to = scelle_result_get(r, "signer_not_after");
	size_t n = scelle_result_timestamp_count(r);

	fprintf(f, "<div>\n<h2>%s</h2>\n<table class=\"kv\">\n", _("Who sealed it, when and where"));
	fprintf(f, "<tr><th>%s</th><td>", _("Officer (stated)"));
	esc_with_parts(f, scelle_result_get(r, "officer"), parts);
	if (scelle_result_get(r, "place")) {
		fputs(" &middot; ", f);
		esc(f, scelle_result_get(r, "place"));
	}
	fprintf(f, "<br><span class=\"small\">%s</span> ", _("Sealed at (officer's clock)"));
	when(f, scelle_result_get(r, "sealed_at"));
	fputs("</td></tr>\n", f);
	row(f, _("Signed by (certificate)"), scelle_result_get(r, "signer"));
	row(f, _("Certificate issued by"), scelle_result_get(r, "signer_issuer"));
	fprintf(f, "<tr><th>%s</th><td class=\"h\">", _("Certificate serial"));
	esc(f, scelle_result_get(r, "signer_serial") ? scelle_result_get(r, "signer_serial") : "—");
	fprintf(f, "</td></tr>\n<tr><th>%s</th><td>", _("Certificate valid"));
	when(f, from);
	fputs(" &ndash; ", f);
	when(f, to);
	fputs("</td></tr>\n", f);
	row(f, _("Trusted authority"), scelle_result_get(r, "trust_anchor"));
	fprintf(f, "<tr><th>%s</th><td>", _("Signing time (signer's claim)"));
	when(f, scelle_result_get(r, "signing_time"));
	fputs("</td></tr>\n", f);
	if (n == 0)
		fprintf(f, "<tr><th>%s</th><td>%s</td></tr>\n", _("Time-stamp"),
		    _("No time-stamp: the signing time is only the signer's claim."));
	for (size_t i = 0; i < n; i++) {
		const struct scelle_timestamp *t = scelle_result_timestamp(r, i);
		fprintf(f, "<tr class=\"%s\"><th>%s</th><td><b>%s</b> ", status_class(t->status),
		    i ? "" : _("Time-stamp time (TSA)"), verdict_word(t->status));
		when_t(f, t->gen_time);
		fputs("<br>", f);
		esc(f, t->tsa_name);
		fprintf(f, "<br><span class=\"small\">%s <span class=\"h\">", _("Policy"));
		esc(f, t->policy);
		fprintf(f, "</span> &middot; %s <span class=\"h\">", _("Serial"));
		esc(f, t->serial);
		fputs("</span></span></td></tr>\n", f);
	}
	fputs("</table>\n</div>\n", f);
}

/* What an item's line says besides its bytes (FORMAT.md §3.4 acquisition, §3.6 members and
 * chat exports): the sealer's words, shown as facts about the item, each on a labelled line. */
static void item_facts(FILE *f, const struct scelle_item *it)
{
	const struct scelle_item_info *in = &it->info;
	if (it->source_url || in->captured_at || in->captured_by || in->capture_tool || in->note) {
		fprintf(f, "<tr><td></td><td></td><td colspan=\"4\" class=\"fact\"><span class=\"lbl\">%s</span> ",
		    _("Obtained from:"));
		esc(f, it->source_url ? it->source_url : "—");
		if (in->captured_at) {
			fprintf(f, " &middot; <span class=\"lbl\">%s</span> ", _("captured"));
			when(f, in->captured_at);
		}
		if (in->captured_by) {
			fprintf(f, " &middot; <span class=\"lbl\">%s</span> ", _("by"));
			esc(f, in->captured_by);
		}
		if (in->capture_tool) {
			fprintf(f, " &middot; <span class=\"lbl\">%s</span> ", _("with"));
			esc(f, in->capture_tool);
		}
		if (in->note) {
			fprintf(f, "<br><span class=\"lbl\">%s</span> ", _("Note:"));
			esc_lines(f, in->note);
		}
		fputs("</td></tr>\n", f);
	}
	if (in->chat_app) {
		int wa = strcmp(in->chat_app, "whatsapp") == 0, tg = strcmp(in->chat_app, "telegram") == 0;
		fprintf(f, "<tr><td></td><td></td><td colspan=\"4\" class=\"fact\"><span class=\"lbl\">%s</span> ",
		    wa ? _("WhatsApp chat export:") : tg ? _("Telegram chat export:") : _("Chat export:"));
		if (in->chat_member) {
			esc(f, in->chat_member);
			fputs(" &middot; ", f);
		}
		fprintf(f, _("participants: %lu, messages: %lu"), in->chat_participants, in->chat_messages);
		if (in->chat_first || in->chat_last) {
			fputs(" &middot; ", f);
			when(f, in->chat_first);
			fputs(" &rarr; ", f);
			when(f, in->chat_last);
		}
		if (in->chat_clock && strcmp(in->chat_clock, "local") == 0)
			fprintf(f, " (%s)", _("the exporting device's clock, time zone unknown"));
		if (in->chat_date_order && strcmp(in->chat_date_order, "inconsistent") == 0)
			fprintf(f, " (%s)", _("dates could not be read"));
		else if (in->chat_date_order && strcmp(in->chat_date_order, "ambiguous") == 0)
			fprintf(f, " (%s)", _("dates ambiguous, read as day-month"));
		if (in->chats > 1)
			fprintf(f, " &middot; %s %lu", _("other chat exports:"), in->chats - 1);
		fputs("</td></tr>\n", f);
	}
	if (in->members_format) {
		int warc = strcmp(in->members_format, "warc") == 0;
		fprintf(f, "<tr><td></td><td></td><td colspan=\"4\" class=\"fact\"><span class=\"lbl\">%s</span> ",
		    warc ? _("Web archive (WARC):") : _("Holds:"));
		if (warc) {
			fprintf(f, _("records: %lu, captures: %lu"), in->members, in->warc_responses);
			if (in->warc_target) {
				fputs(" &middot; ", f);
				esc(f, in->warc_target);
			}
			if (in->warc_date) {
				fputs(" &middot; ", f);
				when(f, in->warc_date);
			}
			fputs(" &middot; ", f);
			if (in->warc_mismatches)
				fprintf(f, "<b>%s %lu</b>", _("records that do not match their declared digest:"),
				    in->warc_mismatches);
			else
				fputs(_("declared digests match"), f);
		} else {
			esc(f, in->members_format);
			fputs(", ", f);
			fprintf(f, _("members: %lu"), in->members);
		}
		if (in->members_status && strcmp(in->members_status, "complete") != 0) {
			fputs(" (", f);
			esc(f, in->members_status);
			fputc(')', f);
		}
		fputs("</td></tr>\n", f);
	}
}

/* The items after page one: one line for each (name, type, size, time), its SHA-256 on a
 * full-width line of its own under it (a hash cut into a narrow column cannot be read
 * out or compared), then what evidence.xml says of it. */
static void section_items(FILE *f, const struct scelle_result *r)
{
	size_t n = scelle_result_item_count(r);
	fprintf(f, "<h2 class=\"items\">%s (%zu)</h2>\n", _("Items"), n);
	if (n == 0) {
		fprintf(f, "<p>%s</p>\n", _("No item could be read from the archive."));
		return;
	}
	fprintf(f, "<p class=\"small\">%s</p>\n",
	    _("&#10003; the file is exactly as sealed; &#10007; it is not, or it is missing. "
	      "The date is the file's original modification time."));
	fprintf(f, "<table class=\"items\"><thead><tr><th class=\"w-st\"></th><th class=\"w-n\">#</th>"
	    "<th>%s</th><th class=\"w-type\">%s</th><th class=\"w-size\">%s</th><th class=\"w-time\">%s</th>"
	    "</tr></thead>\n", _("File"), _("Type"),
	    _("Size (bytes)"), _("Modified"));
	for (size_t i = 0; i < n; i++) {
		const struct scelle_item *it = scelle_result_item(r, i);
		enum scelle_verdict s = it->ok ? SCELLE_PASSED : SCELLE_FAILED;
		fprintf(f, "<tbody class=\"item %s\"><tr class=\"first\"><td class=\"st\" title=\"%s\">%s</td>"
		    "<td class=\"num small\">%zu</td><td>", status_class(s), verdict_word(s),
		    it->ok ? "&#10003;" : "&#10007;", i + 1);
		esc(f, it->path);
		fputs("</td><td class=\"small\">", f);
		esc(f, it->media_type);
		fprintf(f, "</td><td class=\"num\">%llu</td><td class=\"nw small\">", (unsigned long long)it->size);
		when_t(f, it->mtime);
		fprintf(f, "</td></tr>\n<tr><td></td><td></td><td colspan=\"4\"><span class=\"lbl\">SHA-256</span> "
		    "<span class=\"hash\">");
		esc(f, it->sha256 ? it->sha256 : "—");
		fputs("</span></td></tr>\n", f);
		item_facts(f, it);
		fputs("</tbody>\n", f);
	}
	fputs("</table>\n", f);
}

/* An identity.claim warning on custody record seq (custody_verify.c). */
static int claim_differs(const struct scelle_result *r, unsigned long seq)
{
	char subject[48];
	snprintf(subject, sizeof(subject), "record %lu", seq);
	for (size_t i = 0; i < scelle_result_check_count(r); i++) {
		const struct scelle_check *c = scelle_result_check(r, i);
		if (strcmp(c->id, "identity.claim") == 0 && c->subject && strcmp(c->subject, subject) == 0)
			return 1;
	}
	return 0;
}

/* A labelled line of a custody record's hand-over: "From: OCRTEH Paris". */
static void labelled(FILE *f, int *first, const char *label, const char *value)
{
	if (!value)
		return;
	fprintf(f, "%s<span class=\"lbl\">%s</span> ", (*first)++ ? "<br>" : "", label);
	esc(f, value);
}

/* The custody timeline (doc/design.md §3): one row per record of the ledger beside the archive,
 * who held it (the certificate; the names are claims, FORMAT.md §5.1), when (the
 * time-stamp's time where there is one), the hand-over (where, from, to, labelled), the
 * note, and whether the record verifies. */
static void section_custody(FILE *f, const struct scelle_result *r)
{
	size_t n = scelle_result_custody_count(r);
	fprintf(f, "<h2>%s (%zu)", _("Chain of custody"), n);
	if (scelle_result_ledger_head(r)) {	/* hex: nothing to escape */
		fputs(" <span class=\"small\">", f);
		fprintf(f, _("  ledger head: %zu records, sha256 %s\n"), n, scelle_result_ledger_head(r));
		fputs("</span>", f);
	}
	fputs("</h2>\n", f);
	if (n == 0) {
		fprintf(f, "<p>%s</p>\n", _("No custody ledger was checked: hand-overs after the sealing "
		    "are not recorded here."));
		return;
	}
	fprintf(f, "<table class=\"custody\"><thead><tr><th class=\"w-st\"></th><th class=\"w-n\">#</th>"
	    "<th class=\"w-when\">%s</th><th class=\"w-ev\">%s</th><th class=\"w-who\">%s</th>"
	    "<th class=\"w-ho\">%s</th><th>%s</th></tr></thead><tbody>\n", _("When"), _("Event"), _("Who"),
	    _("Hand-over"), _("Note"));
	for (size_t i = 0; i < n; i++) {
		const struct scelle_custody_record *c = scelle_result_custody_record(r, i);
		const char *parts[] = { c->role, c->organisation, c->country };
		int first = 0;
		fprintf(f, "<tr class=\"%s\"><td class=\"st\" title=\"%s\">%s</td><td class=\"num\">%lu</td><td>",
		    status_class(c->status), verdict_word(c->status),
		    c->status == SCELLE_PASSED ? "&#10003;" : c->status == SCELLE_FAILED ? "&#10007;" : "?", c->seq);
		when_t(f, c->tsa_time ? c->tsa_time : c->time);
		if (c->tsa_time)
			fprintf(f, "<br><span class=\"small\">%s</span>", _("time-stamped"));
		fputs("</td><td>", f);
		esc(f, event_name(c->event));
		if (c->verification) {
			fputs("<br><span class=\"small\">", f);
			esc(f, receiver_verdict(c->verification));
			fputs("</span>", f);
		}
		fputs("</td><td>", f);
		esc(f, c->signer ? c->signer : "—");
		fprintf(f, "<br><span class=\"small\">%s ", _("stated:"));
		esc_with_parts(f, c->actor, parts);
		if (claim_differs(r, c->seq))
			fprintf(f, " <i>(%s)</i>", _("not found in the certificate"));
		fputs("</span></td><td>", f);
		labelled(f, &first, _("Where:"), c->place);
		labelled(f, &first, _("From:"), c->from);
		labelled(f, &first, _("To:"), c->to);
		if (!first)
			fputs("—", f);
		fputs("</td><td>", f);
		esc(f, c->note ? c->note : "");
		if (c->reason) {
			fprintf(f, "%s<b>", c->note ? "<br>" : "");
			esc(f, c->reason);
			fputs("</b>", f);
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
}

static void section_checks(FILE *f, const struct scelle_result *r)
{
	fprintf(f, "<h2>%s</h2>\n<table class=\"checks\"><thead><tr><th class=\"w-res\">%s</th><th class=\"w-check\">%s</th>"
	    "<th>%s</th></tr></thead>"
	    "<tbody>\n", _("Every check made"), _("Result"), _("Check"), _("Details"));
	for (size_t i = 0; i < scelle_result_check_count(r); i++) {
		const struct scelle_check *c = scelle_result_check(r, i);
		fprintf(f, "<tr class=\"%s\"><td class=\"st\">%s</td><td>%s <span class=\"small h\">",
		    status_class(c->status), c->status == SCELLE_PASSED && c->warning ? _("warning") :
		    verdict_word(c->status), check_title(c->id));
		esc(f, c->id);
		fputs("</span></td><td>", f);
		esc(f, c->message);
		if (c->subindication) {
			fputs(" <span class=\"small h\">[", f);
			esc(f, c->subindication);
			fputs("]</span>", f);
		}
		char hint[1024];
		if (hint_text(hint, sizeof(hint), c, c->hint_about, 1) == 0) {
			fprintf(f, "<br><span class=\"hint\">%s ", _("What to do:"));
			esc(f, hint);
			fputs("</span>", f);
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
}

/* doc/design.md §6.4: the seal can be checked without scelle, with stock tools. */
static void section_yourself(FILE *f, const char *archive, const struct scelle_result *r,
    const struct report_opts *o)
{
	const char *fd = scelle_result_get(r, "file_digest"), *sid = scelle_result_get(r, "seal_id");
	fprintf(f, "<h2>%s</h2>\n<p>%s</p>\n<pre>", _("Check it yourself"),
	    _("Anyone can repeat the essential checks with standard tools (Linux, macOS, or WSL on "
	      "Windows), without this program:"));
	fprintf(f, "# 1. %s\n#    ", _("the archive file is the one described here; expect:"));
	esc(f, fd ? fd : "—");
	fputs("\nsha256sum ", f);
	shell_word(f, base_name(archive));
	fprintf(f, "\n\n# 2. %s\nunzip -q ", _("unpack it into a new folder"));
	shell_word(f, base_name(archive));
	fprintf(f, " -d sealed &amp;&amp; cd sealed\n\n# 3. %s\n",
	    _("the signature over the manifest is valid; expect \"Verification successful\""));
	fputs("openssl cms -verify -cades -binary -inform DER -in META-INF/signature001.p7s \\\n"
	      "    -content META-INF/ASiCManifest001.xml -CAfile ../", f);
	shell_word(f, o && o->ca_hint ? base_name(o->ca_hint) : "CA.pem");
	fprintf(f, " -out /dev/null\n\n# 4. %s\n#    ", _("the seal identifier is the manifest's fingerprint; expect:"));
	esc(f, sid ? sid : "—");
	fprintf(f, "\nsha256sum META-INF/ASiCManifest001.xml\n\n# 5. %s\n",
	    _("every file's fingerprint is the one in the items table above"));
	fputs("find evidence -type f -exec sha256sum {} +\n", f);
	if (scelle_result_item_count(r) && scelle_result_item(r, 0)->path) {
		/* the ASiCManifest has the same digest in base64, for the first file say */
		fprintf(f, "# %s\nopenssl dgst -sha256 -binary ", _("and in the signed manifest (DigestValue, base64):"));
		shell_word(f, scelle_result_item(r, 0)->path);
		fputs(" | base64\n", f);
	}
	fputs("</pre>\n", f);
	fprintf(f, "<p class=\"small\">%s</p>\n",
	    o && o->ca_hint ? _("The certificate file, here next to the archive, is the one this verification trusted.")
			    : _("CA.pem, here next to the archive: the certificate of the authority you trust for the signer."));
}

/* The banner's plain-words summary: what a reader without the rest needs to know. */
static void banner_facts(FILE *f, const struct scelle_result *r)
{
	size_t n = scelle_result_item_count(r), bad = 0, nts = scelle_result_timestamp_count(r);
	const char *parts[] = { scelle_result_get(r, "officer_role"), scelle_result_get(r, "officer_unit"),
		scelle_result_get(r, "officer_country") };
	const char *who = scelle_result_get(r, "officer"), *place = scelle_result_get(r, "place");
	const char *anchor = scelle_result_get(r, "trust_anchor");
	const char *signer = scelle_result_get(r, "signer"), *claim = scelle_result_get(r, "identity_claim");

	for (size_t i = 0; i < n; i++)
		bad += !scelle_result_item(r, i)->ok;
	fputs("<ul>\n<li>", f);
	if (n == 0)
		fputs(_("No item could be read from the archive."), f);
	else if (bad == 0)
		fprintf(f, _("Files: all %zu are exactly as sealed."), n);
	else
		fprintf(f, _("Files: %zu of %zu differ from the seal or are missing."), bad, n);
	/* the certificate is the signer; the officer's name is a claim (FORMAT.md §5.1) */
	fprintf(f, "</li>\n<li><b>%s</b> ", _("Sealed by (certificate):"));
	if (signer)
		esc(f, signer);
	else
		fputs(_("not established (see the checks below)"), f);
	fprintf(f, "</li>\n<li><b>%s</b> ", _("Stated officer:"));
	esc(f, who ? who : "—");
	size_t shown = 0;
	for (size_t k = 0; k < 3; k++) {
		if (parts[k]) {
			fputs(shown++ ? ", " : " (", f);
			esc(f, parts[k]);
		}
	}
	if (shown)
		fputc(')', f);
	if (place) {
		fputs(" &middot; ", f);
		esc(f, place);
	}
	fputs(" &middot; ", f);
	when(f, scelle_result_get(r, "sealed_at"));
	if (claim)
		fprintf(f, " <i>(%s)</i>", strcmp(claim, "differs") == 0 ? _("stated, not found in the certificate")
									 : _("stated; found in the certificate"));
	fprintf(f, "</li>\n<li><b>%s</b> ", _("Independent time-stamp:"));
	if (nts && scelle_result_timestamp(r, 0)->status == SCELLE_PASSED) {
		when_t(f, scelle_result_timestamp(r, 0)->gen_time);
		fputs(" &middot; ", f);
		esc(f, scelle_result_timestamp(r, 0)->tsa_name);
	} else {
		fputs(nts ? _("present, but not confirmed (see the checks below)")
			  : _("none; the sealing time is only the officer's claim"), f);
	}
	fprintf(f, "</li>\n<li><b>%s</b> ", _("Signer trusted through:"));
	if (anchor)
		esc(f, anchor);
	else
		fputs(_("not established (see the checks below)"), f);
	fputs("</li>\n", f);
	if (scelle_result_custody_count(r))
		fprintf(f, "<li><b>%s</b> %zu</li>\n", _("Custody records:"), scelle_result_custody_count(r));
	fputs("</ul>\n", f);
}

/* What the reader can do about a verdict that is not TOTAL-PASSED, each action once
 * (render_hint.c), on the first page. */
static void banner_hints(FILE *f, const struct scelle_result *r)
{
	char hint[1024];
	int any = 0;
	for (size_t i = 0; i < scelle_result_check_count(r); i++) {
		const struct scelle_check *c = scelle_result_check(r, i);
		if (!hint_first(r, i) || hint_text(hint, sizeof(hint), c, c->hint_about, 1) != 0)
			continue;
		if (!any++)
			fprintf(f, "<p class=\"hint\"><b>%s</b></p>\n<ul class=\"hint\">\n", _("What to do:"));
		fputs("<li>", f);
		esc(f, hint);
		fputs("</li>\n", f);
	}
	if (any)
		fputs("</ul>\n", f);
}

int write_report_html(FILE *f, const char *archive, const struct scelle_result *r,
    const struct report_opts *o)
{
	enum scelle_verdict v = scelle_result_verdict(r);
	time_t now = time(NULL);

	fprintf(f, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	    "style-src 'unsafe-inline'\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
	    cli_language());
	fprintf(f, "%s — ", _("Verification report"));
	esc(f, base_name(archive));
	fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", css);
	fprintf(f, "<h1>%s</h1>\n<p class=\"small\">%s <b>", _("Verification report of a sealed archive"),
	    _("Archive:"));
	esc(f, base_name(archive));
	fprintf(f, "</b> &middot; %s ", _("made on"));
	when_t(f, now);
	fprintf(f, " %s %s</p>\n", _("by"), scelle_version_details());

	fprintf(f, "<div class=\"banner %s\"><p class=\"word\">%s</p>"
	    "<span class=\"code\">ETSI EN 319 102-1: %s</span><p>%s</p>\n",
	    status_class(v), headline(v), scelle_verdict_name(v), verdict_sentence(v));
	banner_facts(f, r);
	banner_hints(f, r);
	fputs("</div>\n", f);

	fprintf(f, "<table class=\"kv\">\n");
	row_hash(f, _("Archive file SHA-256"), scelle_result_get(r, "file_digest"));
	row_hash(f, _("Seal identifier"), scelle_result_get(r, "seal_id"));
	if (scelle_result_get(r, "volume_index")) {	/* FORMAT.md §13 */
		char text[256];	/* the values come from the archive: escaped with the words */
		snprintf(text, sizeof(text), _("%s of %s, set %s"), scelle_result_get(r, "volume_index"),
		    scelle_result_get(r, "volume_count"), scelle_result_get(r, "volume_set"));
		row(f, _("Volume"), text);
	}
	fputs("</table>\n", f);

	/* page one: the verdict, the case, who sealed, the custody; then the items */
	fputs("<div class=\"cols\">\n", f);
	section_case(f, r);
	section_sealed(f, r);
	fputs("</div>\n", f);
	section_custody(f, r);
	section_items(f, r);
	section_checks(f, r);
	section_yourself(f, archive, r, o);
	fprintf(f, "<p class=\"small\">%s</p>\n</body>\n</html>\n",
	    _("Names and notes are shown as written in the archive; the check identifiers and "
	      "the ETSI codes in brackets are the same in every language."));
	return ferror(f) ? -1 : 0;
}

/* The report on a volume set (FORMAT.md §13): its verdict, one row per volume, the set's
 * checks.  Each volume has its own report (verify --report with that volume alone). */
int write_set_report_html(FILE *f, const struct scelle_result *r)
{
	enum scelle_verdict v = scelle_result_verdict(r);
	time_t now = time(NULL);
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	    "style-src 'unsafe-inline'\">\n<title>%s</title>\n<style>\n%s</style>\n</head>\n<body>\n",
	    cli_language(), _("Verification report of a volume set"), css);
	fprintf(f, "<h1>%s</h1>\n<p class=\"small\">%s <b class=\"hash\">", _("Verification report of a volume set"),
	    _("Set:"));
	esc(f, scelle_result_get(r, "volume_set"));
	fprintf(f, "</b> &middot; %s ", _("made on"));
	when_t(f, now);
	fprintf(f, " %s %s</p>\n", _("by"), scelle_version_details());
	fprintf(f, "<div class=\"banner %s\"><p class=\"word\">%s</p>"
	    "<span class=\"code\">ETSI EN 319 102-1: %s</span><p>%s</p></div>\n",
	    status_class(v), headline(v), scelle_verdict_name(v), verdict_sentence(v));
	fprintf(f, "<h2>%s</h2>\n<table class=\"checks\"><thead><tr><th>%s</th><th>%s</th><th>%s</th>"
	    "<th>%s</th></tr></thead><tbody>\n", _("Volumes"), _("Volume"), _("Archive"), _("Result"),
	    _("Seal identifier"));
	for (size_t i = 0; i < scelle_result_volume_count(r); i++) {
		const struct scelle_volume *vo = scelle_result_volume(r, i);
		int missing = strcmp(vo->state, "missing") == 0, foreign = strcmp(vo->state, "foreign") == 0;
		fprintf(f, "<tr class=\"%s\"><td>%lu</td><td>", status_class(vo->verdict), vo->index);
		esc(f, vo->archive ? vo->archive : "—");
		fprintf(f, "</td><td class=\"st\">%s</td><td class=\"hash\">", missing ? _("missing") :
		    foreign ? _("foreign: not the volume the set manifest names") : verdict_word(vo->verdict));
		esc(f, vo->seal_id ? vo->seal_id : "—");
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
	section_checks(f, r);
	return ferror(f) ? -1 : 0;
}
