/* cmd_show.c — scelle show: what an archive holds (case, sealing, signer, items). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

static const char usage_text[] =
    "usage: scelle show [--json] [--xml] ARCHIVE\n"
    "\n"
    "The case, the sealing, the signer, the items and the custody timeline (from\n"
    "ARCHIVE.custody.xml when it exists).\n"
    "\n"
    "      --json   the same facts as JSON (schema scelle-verify/1)\n"
    "      --xml    evidence.xml exactly as stored in the archive\n";

static const struct option options[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "xml", no_argument, NULL, 'x' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static void line(const char *label, const char *value)
{
	if (value) {
		put_label(stdout, _(label), 15);
		put_text(stdout, value);
		putchar('\n');
	}
}

/* An item stored under name~N (seal --on-collision rename, FORMAT.md §2.2): it has an
 * original name, and its archive name is not the escape of it. */
static int renamed(const struct scelle_item *it)
{
	unsigned char *orig = NULL;
	size_t len = 0;
	if (!it->original_name || strncmp(it->path, "evidence/", 9) != 0)
		return 0;
	int same = scelle_name_unescape(it->path + 9, &orig, &len) == 0 &&
	    strcmp((const char *)orig, it->original_name) == 0;
	free(orig);
	return !same;
}

int cmd_show(int argc, char **argv)
{
	int opt, json = 0, xml = 0;
	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (opt) {
		case 'j': json = 1; cli_set_language("en"); break;	/* JSON is never translated */
		case 'x': xml = 1; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: usage_hint("show"); return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		error("%s", optind >= argc ? _("no archive given") : _("show takes one archive"));
		return usage_hint("show");
	}
	const char *archive = argv[optind];
	struct scelle_verifier *v = scelle_verifier_new();
	struct scelle_result *r = v ? scelle_verify(v, archive) : NULL;
	int rc = 0;
	if (!r) {
		error("%s", v ? scelle_verifier_errmsg(v) : _("out of memory"));
		scelle_verifier_free(v);
		return EXIT_USAGE;
	}
	size_t len;
	const char *ev = scelle_result_evidence_xml(r, &len);
	if (!ev) {
		/* nothing to show: say why, as verify would */
		print_result_text(stderr, archive, r, 0);
		rc = EXIT_USAGE;
	} else if (xml && isatty(STDOUT_FILENO)) {
		/* on a terminal, a hostile evidence.xml must not drive it: its display form, with
		 * its lines and indentation kept (scelle(1) "DISPLAY OF NAMES") */
		char *d = scelle_display(ev, len, SCELLE_DISPLAY_LAYOUT);
		fputs(d ? d : "?\n", stdout);
		free(d);
	} else if (xml) {
		fwrite(ev, 1, len, stdout);
	} else if (json) {
		print_result_json(stdout, archive, r);
	} else {
		const char *a, *c, *ref;
		line(N_("archive"), archive);
		line(N_("seal id"), scelle_result_get(r, "seal_id"));
		line(N_("file digest"), scelle_result_get(r, "file_digest"));
		for (size_t i = 0; scelle_result_case(r, i, &a, &c, &ref) == 0; i++) {
			put_label(stdout, i ? "" : _("case"), 15);
			put_text(stdout, ref);
			fputs(" (", stdout);
			put_text(stdout, a);
			fputs(", ", stdout);
			put_text(stdout, c);
			fputs(")\n", stdout);
		}
		line(N_("sealed at"), scelle_result_get(r, "sealed_at"));
		line(N_("officer"), scelle_result_get(r, "officer"));
		line(N_("role"), scelle_result_get(r, "officer_role"));
		line(N_("unit"), scelle_result_get(r, "officer_unit"));
		line(N_("country"), scelle_result_get(r, "officer_country"));
		line(N_("place"), scelle_result_get(r, "place"));
		line(N_("signer"), scelle_result_get(r, "signer"));
		line(N_("issuer"), scelle_result_get(r, "signer_issuer"));
		line(N_("signing time"), scelle_result_get(r, "signing_time"));
		if (scelle_result_get(r, "volume_index")) {	/* FORMAT.md §13 */
			char text[256];
			snprintf(text, sizeof(text), _("%s of %s, set %s"), scelle_result_get(r, "volume_index"),
			    scelle_result_get(r, "volume_count"), scelle_result_get(r, "volume_set"));
			line(N_("volume"), text);
		}
		/* show trusts no anchor: for the full verdict, `scelle verify --trust` */
		put_label(stdout, _("verdict"), 15);
		printf(_("%s (no trust anchor; see scelle verify)\n"),
		    scelle_verdict_name(scelle_result_verdict(r)));
		printf(_("\n%zu items:\n"), scelle_result_item_count(r));
		for (size_t i = 0; i < scelle_result_item_count(r); i++) {
			const struct scelle_item *it = scelle_result_item(r, i);
			printf("  %12llu  %-24s ", (unsigned long long)it->size,
			    shown(it->media_type ? it->media_type : ""));
			put_text(stdout, it->sha256 ? it->sha256 : "-");
			fputs("  ", stdout);
			put_text(stdout, it->path);
			putchar('\n');
			if (renamed(it)) {
				printf("  %12s  %s ", "", _("renamed (names collided); original name:"));
				put_text(stdout, it->original_name);
				putchar('\n');
			}
		}
		for (size_t i = 0; scelle_result_folder(r, i); i++) {	/* FORMAT.md §3.7 */
			fputs(_("empty folder: "), stdout);
			put_text(stdout, scelle_result_folder(r, i));
			putchar('\n');
		}
		/* the hand-overs since the sealing, from the ledger beside the archive */
		putchar('\n');
		if (scelle_result_custody_count(r))
			print_custody_timeline(archive, r);
		else
			printf(_("no custody ledger (%s)\n"),
			    scelle_result_ledger(r) ? shown(scelle_result_ledger(r)) : _("none"));
	}
	scelle_result_free(r);
	scelle_verifier_free(v);
	return rc;
}
