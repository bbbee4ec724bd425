/* render_text.c — the short text verdict of `scelle verify` (and `show` on error). */
#include <stdlib.h>
#include <string.h>
#include "cli.h"

/* Every string that came from an archive, a ledger or the command line reaches a reader
 * through scelle_display() (scelle.h, scelle(1) "DISPLAY OF NAMES"): controls, bidi
 * overrides, invisible characters, bytes that are not UTF-8 and padding show as visible
 * escapes such as \u202E, so that a crafted name can neither drive the terminal, nor
 * read as another name, nor push text onto a line of its own.  These are the only ways
 * the tool prints such a string (the HTML report adds HTML escaping on top; JSON carries
 * the string itself). */
void put_text(FILE *f, const char *s)
{
	char *d = scelle_display(s, s ? strlen(s) : 0, 0);
	fputs(d ? d : "?", f);
	free(d);
}

const char *shown(const char *s)
{
	static char *ring[4];
	static size_t next;
	free(ring[next]);
	ring[next] = scelle_display(s, s ? strlen(s) : 0, 0);
	const char *d = ring[next] ? ring[next] : "?";
	next = (next + 1) % 4;
	return d;
}

/* At most max characters of the display form; a longer one ends with "…", cut between
 * two characters or escapes, never inside an escape (a cut "\u20" would show a name
 * that is not there). */
void put_text_max(FILE *f, const char *s, size_t max)
{
	const char *d = shown(s), *p = d;
	size_t chars = 0;
	for (const char *q = d; *q; q++)
		chars += ((unsigned char)*q & 0xc0) != 0x80;
	if (chars <= max) {
		fputs(d, f);
		return;
	}
	for (size_t n = 0; *p;) {
		size_t k = 1, w = 1;
		if (*p == '\\')
			k = w = p[1] == 'x' ? 4 : p[1] == 'u' ? 6 : p[1] == 'U' ? 10 : 2;
		else
			while (((unsigned char)p[k] & 0xc0) == 0x80)
				k++;
		if (n + w + 1 > max)	/* room for the "…" */
			break;
		n += w;
		p += k;
	}
	fwrite(d, 1, (size_t)(p - d), f);
	fputs("…", f);
}

/* The whole line is one message so that a translation may reorder or extend it; the ETSI
 * code itself stays as it is in every language (a foreign court's systems read it). */
static void verdict_line(FILE *f, const char *name, enum scelle_verdict v)
{
	const char *archive = shown(name);
	if (v == SCELLE_PASSED)
		fprintf(f, _("%s: TOTAL-PASSED\n"), archive);
	else if (v == SCELLE_FAILED)
		fprintf(f, _("%s: TOTAL-FAILED\n"), archive);
	else
		fprintf(f, _("%s: INDETERMINATE\n"), archive);
}

void print_result_text(FILE *f, const char *archive, const struct scelle_result *r, int verbose)
{
	int english = strcmp(cli_language(), "en") == 0;

	verdict_line(f, archive, scelle_result_verdict(r));
	/* always: the clerk copies it into the hand-over letter (formats/custody.md) */
	if (scelle_result_ledger_head(r))
		fprintf(f, _("  ledger head: %zu records, sha256 %s\n"), scelle_result_custody_count(r),
		    scelle_result_ledger_head(r));
	if (scelle_result_get(r, "volume_index"))	/* FORMAT.md §13 */
		fprintf(f, _("  volume %s of %s of set %s\n"), shown(scelle_result_get(r, "volume_index")),
		    shown(scelle_result_get(r, "volume_count")), shown(scelle_result_get(r, "volume_set")));
	for (size_t i = 0; i < scelle_result_check_count(r); i++) {
		const struct scelle_check *c = scelle_result_check(r, i);
		/* Checks that passed are listed with -v; warnings (no custody ledger, clock
		 * skew) always, so that one line per archive still says what a reader must know. */
		if (!verbose && c->status == SCELLE_PASSED && !c->warning)
			continue;
		/* one cause, one line: the others of the same check and hint are counted (-v
		 * lists them); for doubts only, a failure is always said in full */
		int brief = !verbose && c->status == SCELLE_INDETERMINATE;
		if (brief && hint_folded(r, i))
			continue;
		/* pad by characters, not bytes: "INDÉTERMINÉ" is 11 wide in 13 bytes */
		const char *w = c->status == SCELLE_PASSED && c->warning ? _("warning") : verdict_word(c->status);
		size_t width = 0;
		for (const char *p = w; *p; p++)
			width += ((unsigned char)*p & 0xc0) != 0x80;
		fprintf(f, "  %s%*s %-30s ", w, width < 13 ? (int)(13 - width) : 0, "", c->id);
		/* a cause already said, with its action, is not said again at length */
		if (brief && c->hint && !hint_first(r, i) && c->subject)
			fprintf(f, _("%s: the same cause as above"), shown(c->subject));
		else
			put_text(f, c->message);
		if (c->subindication)
			fprintf(f, " [%s]", c->subindication);
		fputc('\n', f);
		/* the check identifier is English: other readers get its title too */
		if (!english)
			fprintf(f, "  %-13s %-30s (%s)\n", "", "", check_title(c->id));
		size_t more = brief ? hint_same_after(r, i, NULL) : 0;
		if (more)
			fprintf(f, _("  %-13s %-30s and %zu more like it (-v lists all)\n"), "", "", more);
		char hint[1024];
		/* the action that resolves it, said once for all the checks it resolves */
		if (hint_first(r, i) && hint_text(hint, sizeof(hint), c, shown(c->hint_about), 1) == 0)
			fprintf(f, _("  %-13s what to do: %s\n"), "", hint);
	}
}
