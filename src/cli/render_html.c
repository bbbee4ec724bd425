/* render_html.c — `verify --report FILE.html`: one self-contained page for a magistrate.
 *
 * Inline CSS only: no script, no image, no external fetch, and a Content-Security-Policy
 * that forbids them, so the page shows the same thing offline, in a mail client, in ten
 * years.  Every string that comes from the archive is hostile: it goes through esc(), which
 * shows its display form (render_text.c) with HTML's five special characters escaped. */
#include <string.h>
#include <time.h>
#include "cli.h"

static const char css[] =
    "body{font:15px/1.45 'DejaVu Sans',Arial,sans-serif;color:#1a1a1a;max-width:60em;"
    "margin:1.5em auto;padding:0 1em}\n"
    "h1{font-size:1.5em;margin:0 0 .2em}h2{font-size:1.15em;margin:1.6em 0 .5em;"
    "border-bottom:2px solid #ccc;padding-bottom:.15em}\n"
    ".banner{border:3px solid;border-radius:6px;padding:1em 1.2em;margin:1em 0}\n"
    ".banner .word{font-size:1.9em;font-weight:bold;margin:0}\n"
    ".banner .code{font-family:monospace;font-size:.95em;opacity:.85}\n"
    ".banner p{margin:.4em 0 0;font-size:1.1em}\n"
    ".banner ul{margin:.6em 0 0;padding-left:1.2em}.banner li{margin:.15em 0}\n"
    ".banner.passed{background:#e6f4ea;border-color:#1e7b34;color:#0d4a1d}\n"
    ".banner.failed{background:#fdecea;border-color:#b3261e;color:#6b0f0a}\n"
    ".banner.indeterminate{background:#fff4e0;border-color:#b26a00;color:#5c3700}\n"
    "table{border-collapse:collapse;width:100%;margin:.3em 0}\n"
    "th,td{border:1px solid #ccc;padding:.3em .45em;text-align:left;vertical-align:top}\n"
    "th{background:#f1f1f1}table.kv th{width:13em}\n"
    ".h{font-family:monospace;font-size:.85em;word-break:break-all}\n"
    "td.st{font-weight:bold;white-space:nowrap}td.num{text-align:right;white-space:nowrap}\n"
    "tr.passed td.st{color:#1e7b34}tr.failed td.st{color:#b3261e}"
    "tr.indeterminate td.st{color:#b26a00}\n"
    "tr.failed td{background:#fdecea}\n"
    ".small{font-size:.85em;color:#555}\n"
    ".hint{font-weight:bold}ul.hint{font-weight:normal}\n"
    "pre{background:#f6f6f6;border:1px solid #ddd;padding:.6em;white-space:pre-wrap;"
    "word-break:break-all;font-size:.85em}\n"
    "@page{size:A4;margin:14mm 12mm}\n"
    "@media print{body{font-size:10pt;max-width:none;margin:0;padding:0}"
    ".banner,th{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    "tr,.banner,pre{break-inside:avoid}h2{break-after:avoid}thead{display:table-header-group}}\n";

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

/* "2026-11-28T10:00:00Z" reads better as "2026-11-28 10:00:00 UTC"; anything else (the
 * string comes from the archive) is shown as is, escaped. */
static void when(FILE *f, const char *t)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	size_t i = 0;
	while (t && shape[i] && (shape[i] == 'd' ? t[i] >= '0' && t[i] <= '9' : t[i] == shape[i]))
		i++;
	if (t && i == sizeof(shape) - 1 && t[i] == '\0')
		fprintf(f, "%.10s %.8s UTC", t, t + 11);
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
	fprintf(f, "<tr><th>%s</th><td class=\"h\">", label);
	esc(f, value ? value : "—");
	fputs("</td></tr>\n", f);
}

static void section_case(FILE *f, const struct scelle_result *r)
{
	const char *a, *c, *ref;
	fprintf(f, "<h2>%s</h2>\n", _("Case references"));
	if (scelle_result_case_count(r) == 0) {
		fprintf(f, "<p>%s</p>\n", _("The archive gives no case reference."));
		return;
	}
	fprintf(f, "<table><thead><tr><th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>\n",
	    _("Reference"), _("Authority"), _("Country"));
	for (size_t i = 0; scelle_result_case(r, i, &a, &c, &ref) == 0; i++) {
		fputs("<tr><td><b>", f);
		esc(f, ref);
		fputs("</b></td><td>", f);
		esc(f, a);
		fputs("</td><td>", f);
		esc(f, c);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
}

static void section_sealing(FILE *f, const struct scelle_result *r)
{
	fprintf(f, "<h2>%s</h2>\n<table class=\"kv\">\n", _("Who sealed it, when and where"));
	/* FORMAT.md §5.1: these are the officer's words; the signer is the certificate's */
	row(f, _("Officer (stated)"), scelle_result_get(r, "officer"));
	row(f, _("Role (stated)"), scelle_result_get(r, "officer_role"));
	row(f, _("Unit (stated)"), scelle_result_get(r, "officer_unit"));
	row(f, _("Country (stated)"), scelle_result_get(r, "officer_country"));
	row(f, _("Place"), scelle_result_get(r, "place"));
	fprintf(f, "<tr><th>%s</th><td>", _("Sealed at (officer's clock)"));
	when(f, scelle_result_get(r, "sealed_at"));
	fputs("</td></tr>\n", f);
	row(f, _("Sealing software"), scelle_result_get(r, "tool"));
	fputs("</table>\n", f);
}

static void section_signature(FILE *f, const struct scelle_result *r)
{
	size_t n = scelle_result_timestamp_count(r);
	fprintf(f, "<h2>%s</h2>\n<table class=\"kv\">\n", _("Signature and time-stamps"));
	row(f, _("Signed by (certificate)"), scelle_result_get(r, "signer"));
	row(f, _("Certificate issued by"), scelle_result_get(r, "signer_issuer"));
	row(f, _("Trusted authority"), scelle_result_get(r, "trust_anchor"));
	fprintf(f, "<tr><th>%s</th><td>", _("Signing time (signer's claim)"));
	when(f, scelle_result_get(r, "signing_time"));
	fputs("</td></tr>\n</table>\n", f);
	if (n == 0) {
		fprintf(f, "<p>%s</p>\n", _("No time-stamp: the signing time is only the signer's claim."));
		return;
	}
	fprintf(f, "<table><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
	    "</tr></thead><tbody>\n", _("Result"), _("Time-stamp time (TSA)"), _("Time-stamp authority"),
	    _("Policy"), _("Serial"));
	for (size_t i = 0; i < n; i++) {
		const struct scelle_timestamp *t = scelle_result_timestamp(r, i);
		fprintf(f, "<tr class=\"%s\"><td class=\"st\">%s</td><td>", status_class(t->status),
		    verdict_word(t->status));
		when_t(f, t->gen_time);
		fputs("</td><td>", f);
		esc(f, t->tsa_name);
		fputs("</td><td class=\"h\">", f);
		esc(f, t->policy);
		fputs("</td><td class=\"h\">", f);
		esc(f, t->serial);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
}

static void section_items(FILE *f, const struct scelle_result *r)
{
	size_t n = scelle_result_item_count(r);
	fprintf(f, "<h2>%s (%zu)</h2>\n", _("Items"), n);
	if (n == 0) {
		fprintf(f, "<p>%s</p>\n", _("No item could be read from the archive."));
		return;
	}
	fprintf(f, "<table><thead><tr><th></th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
	    "<th>%s</th></tr></thead><tbody>\n", _("File"), _("Type"), _("Size (bytes)"),
	    _("SHA-256 fingerprint"), _("Acquired from"));
	for (size_t i = 0; i < n; i++) {
		const struct scelle_item *it = scelle_result_item(r, i);
		enum scelle_verdict s = it->ok ? SCELLE_PASSED : SCELLE_FAILED;
		fprintf(f, "<tr class=\"%s\"><td class=\"st\" title=\"%s\">%s</td><td>", status_class(s),
		    verdict_word(s), it->ok ? "&#10003;" : "&#10007;");
		esc(f, it->path);
		fputs("<br><span class=\"small\">", f);
		when_t(f, it->mtime);
		fputs("</span></td><td>", f);
		esc(f, it->media_type);
		fprintf(f, "</td><td class=\"num\">%llu</td><td class=\"h\">", (unsigned long long)it->size);
		esc(f, it->sha256);
		fputs("</td><td class=\"h\">", f);
		esc(f, it->source_url ? it->source_url : "—");
		fputs("</td></tr>\n", f);
	}
	fprintf(f, "</tbody></table>\n<p class=\"small\">%s</p>\n",
	    _("&#10003; the file is exactly as sealed; &#10007; it is not, or it is missing. "
	      "The date under each name is the file's original modification time."));
}

/* The custody timeline (DESIGN.md §3): one row per record of the ledger beside the archive,
 * who held it, when (the time-stamp's time where there is one), where, and whether the
 * record verifies. */
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

static void section_custody(FILE *f, const struct scelle_result *r)
{
	size_t n = scelle_result_custody_count(r);
	fprintf(f, "<h2>%s (%zu)</h2>\n", _("Chain of custody"), n);
	if (n == 0) {
		fprintf(f, "<p>%s</p>\n", _("No custody ledger was checked: hand-overs after the sealing "
		    "are not recorded here."));
		return;
	}
	if (scelle_result_ledger_head(r)) {	/* hex: nothing to escape */
		fputs("<p class=\"small\">", f);
		fprintf(f, _("  ledger head: %zu records, sha256 %s\n"), n, scelle_result_ledger_head(r));
		fputs("</p>\n", f);
	}
	fprintf(f, "<table><thead><tr><th></th><th>#</th><th>%s</th><th>%s</th><th>%s</th>"
	    "<th>%s</th></tr></thead><tbody>\n", _("When"), _("Event"), _("Who"), _("Where"));
	for (size_t i = 0; i < n; i++) {
		const struct scelle_custody_record *c = scelle_result_custody_record(r, i);
		fprintf(f, "<tr class=\"%s\"><td class=\"st\" title=\"%s\">%s</td><td class=\"num\">%lu</td><td>",
		    status_class(c->status), verdict_word(c->status),
		    c->status == SCELLE_PASSED ? "&#10003;" : c->status == SCELLE_FAILED ? "&#10007;" : "?", c->seq);
		when_t(f, c->tsa_time ? c->tsa_time : c->time);
		if (c->tsa_time)
			fprintf(f, "<br><span class=\"small\">%s</span>", _("time-stamped"));
		fputs("</td><td>", f);
		esc(f, c->event);
		if (c->verification) {
			fputs("<br><span class=\"small\">", f);
			esc(f, c->verification);
			fputs("</span>", f);
		}
		fputs("</td><td>", f);
		/* who signed is the certificate; the actor's name is a claim (FORMAT.md §5.1) */
		esc(f, c->signer ? c->signer : "—");
		fprintf(f, "<br><span class=\"small\">%s ", _("stated:"));
		esc(f, c->actor);
		const char *parts[] = { c->role, c->organisation, c->country };
		size_t sep = 0;
		for (size_t k = 0; k < 3; k++)
			if (parts[k]) {
				fputs(sep++ ? ", " : " (", f);
				esc(f, parts[k]);
			}
		if (sep)
			fputc(')', f);
		if (claim_differs(r, c->seq))
			fprintf(f, " <i>(%s)</i>", _("not found in the certificate"));
		fputs("</span></td><td>", f);
		esc(f, c->place ? c->place : "—");
		if (c->to || c->from) {
			fputs("<br><span class=\"small\">", f);
			esc(f, c->to ? c->to : c->from);
			fputs("</span>", f);
		}
		if (c->reason) {
			fputs("<br><span class=\"small\">", f);
			esc(f, c->reason);
			fputs("</span>", f);
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
}

static void section_checks(FILE *f, const struct scelle_result *r)
{
	fprintf(f, "<h2>%s</h2>\n<table><thead><tr><th>%s</th><th>%s</th><th>%s</th></tr></thead>"
	    "<tbody>\n", _("Every check made"), _("Result"), _("Check"), _("Details (as reported, in English)"));
	for (size_t i = 0; i < scelle_result_check_count(r); i++) {
		const struct scelle_check *c = scelle_result_check(r, i);
		fprintf(f, "<tr class=\"%s\"><td class=\"st\">%s</td><td>%s<br><span class=\"small h\">",
		    status_class(c->status), verdict_word(c->status), check_title(c->id));
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

/* DESIGN.md §6.4: the seal can be checked without scelle, with stock tools. */
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
	fputs("</table>\n", f);

	section_case(f, r);
	section_sealing(f, r);
	section_signature(f, r);
	section_items(f, r);
	section_custody(f, r);
	section_checks(f, r);
	section_yourself(f, archive, r, o);
	fprintf(f, "<p class=\"small\">%s</p>\n</body>\n</html>\n",
	    _("Names, notes and the details of each check are shown as written in the archive "
	      "and by the verifier; only this report's own words are translated."));
	return ferror(f) ? -1 : 0;
}
