/* render_text.c — the short text verdict of `scelle verify` (and `show` on error). */
#include <string.h>
#include "cli.h"

/* Text from an archive on a terminal: C0 and C1 controls, DEL and bytes that are not UTF-8
 * print as '?', so a crafted entry name can neither break the one-line-per-check layout nor
 * send escape sequences to the terminal. */
void put_text(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		size_t n = utf8_seq_len(p);
		if (n == 0 || *p < 0x20 || *p == 0x7f || (n == 2 && p[0] == 0xc2 && p[1] < 0xa0)) {
			fputc('?', f);
			p += n ? n - 1 : 0;
		} else {
			fwrite(p, 1, n, f);
			p += n - 1;
		}
	}
}

/* The whole line is one message so that a translation may reorder or extend it; the ETSI
 * code itself stays as it is in every language (a foreign court's systems read it). */
static void verdict_line(FILE *f, const char *archive, enum scelle_verdict v)
{
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
	for (size_t i = 0; i < scelle_result_check_count(r); i++) {
		const struct scelle_check *c = scelle_result_check(r, i);
		/* Checks that passed are listed with -v; warnings (no custody ledger, clock
		 * skew) always, so that one line per archive still says what a reader must know. */
		if (!verbose && c->status == SCELLE_PASSED && !c->warning)
			continue;
		/* pad by characters, not bytes: "INDÉTERMINÉ" is 11 wide in 13 bytes */
		const char *w = c->status == SCELLE_PASSED && c->warning ? _("warning") : verdict_word(c->status);
		size_t width = 0;
		for (const char *p = w; *p; p++)
			width += ((unsigned char)*p & 0xc0) != 0x80;
		fprintf(f, "  %s%*s %-30s ", w, width < 13 ? (int)(13 - width) : 0, "", c->id);
		put_text(f, c->message);
		if (c->subindication)
			fprintf(f, " [%s]", c->subindication);
		fputc('\n', f);
		/* the library's message is English; other readers get the check's meaning too */
		if (!english)
			fprintf(f, "  %-13s %-30s (%s)\n", "", "", check_title(c->id));
	}
}
