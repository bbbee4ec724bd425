/* cmd_verify.c — scelle verify: one verdict per archive, exit code the worst of them.
 * The renderers are render_text.c, render_json.c and render_html.c. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"

static const char usage_head[] =
    "usage: scelle verify [--trust CA.pem]... [--trust-dir DIR]... [--system-trust]\n"
    "                     [--untrusted FILE]... [--tsa-trust CA.pem]... [--no-timestamp-ok]\n"
    "                     [--crl FILE]... [--online] [--no-revocation-check]\n"
    "                     [--max-skew S] [-v] [-q] [--json] [--report FILE.html [-f]]\n"
    "                     [--lang en|fr|es] [--ledger FILE] [--ledger-head HEX]\n"
    "                     [--require-ledger] [--progress=MODE] [--set] ARCHIVE...\n"
    "\n";
static const char usage_tail[] =
    "      --set              ARCHIVE is the last volume of a set: also verify the volumes\n"
    "                         its set manifest names, found beside it, and the set\n"
    "  -v, --verbose          list every check, not only those that did not pass\n"
    "  -q, --quiet            print nothing; the exit status tells\n"
    "      --json             one JSON object per archive, one per line (JSON Lines), schema\n"
    "                         scelle-verify/1 (formats/verify-result.schema.json)\n"
    "      --report FILE      also write a self-contained HTML report, printable on A4\n"
    "                         (one archive, or the volumes of one set: the set's report;\n"
    "                         an existing FILE only with --force)\n"
    "  -f, --force            replace the --report FILE if it exists\n"
    "      --lang LANG        language of the text verdict and the report: en, fr or es\n"
    "                         (default: from LC_ALL, LC_MESSAGES or LANG)\n"
    "      --progress MODE    auto (a line on a TTY), json (lines on stderr) or none\n"
    "\n"
    "--ledger and --ledger-head name the ledger of one archive only.\n"
    "Several archives give one verdict line each and a summary line; volumes of a set\n"
    "(sealed in volumes) also one verdict on each set: complete, no foreign volume.\n"
    "Exit status: 0 TOTAL-PASSED, 1 TOTAL-FAILED, 3 INDETERMINATE, 2 error; with several\n"
    "archives, the worst of them: 1, then 2, then 3.\n";

enum { O_JSON = 256, O_REPORT, O_LANG, O_PROGRESS, O_SET };

static const struct option options[] = {
	VERIFIER_OPTIONS,
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "json", no_argument, NULL, O_JSON },
	{ "report", required_argument, NULL, O_REPORT },
	{ "force", no_argument, NULL, 'f' },
	{ "lang", required_argument, NULL, O_LANG },
	{ "set", no_argument, NULL, O_SET },
	{ "progress", required_argument, NULL, O_PROGRESS },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* Writes the report next to its final name and renames it: never half a report. */
static int report(const char *path, const char *archive, const struct scelle_result *r,
    const struct report_opts *o, int force)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return error("cannot write '%s': name too long", path);
	int fd = mkstemp(tmp);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		int e = errno;
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		return error("cannot write '%s': %s", path, strerror(e));
	}
	mode_t mask = umask(0);	/* mkstemp made it 0600; a report is for sharing */
	umask(mask);
	fchmod(fd, 0666 & ~mask);
	int bad = (archive ? write_report_html(f, archive, r, o) : write_set_report_html(f, r)) != 0;
	bad |= fflush(f) != 0 || fsync(fd) != 0;
	int e = errno;
	bad |= fclose(f) != 0;
	/* without --force, link() does not replace a file that appeared meanwhile */
	if (bad || (force ? rename(tmp, path) : link(tmp, path)) != 0) {
		e = bad ? e : errno;
		unlink(tmp);
		return e == EEXIST ? error("'%s' already exists (use --force to replace it)", path)
		    : error("cannot write '%s': %s", path, strerror(e));
	}
	if (!force)
		unlink(tmp);
	return 0;
}

/* --set (FORMAT.md §13): the volumes the set manifest of `last` names, those found in its
 * folder under the names it gives (a plain file name, nothing else: the names come from
 * the archive), then `last`; a volume not found is left out, and the set verdict names it
 * missing.  NULL after an error message. */
static char **set_volumes(struct scelle_verifier *v, const char *last)
{
	struct scelle_result *r = scelle_verify(v, last);
	if (!r) {
		error("%s", scelle_verifier_errmsg(v));
		return NULL;
	}
	size_t n = scelle_result_volume_count(r), k = 0;
	const char *slash = strrchr(last, '/');
	int dir = slash ? (int)(slash - last) + 1 : 0;
	char **list = n ? calloc(n + 1, sizeof(*list)) : NULL;
	if (!list)
		error(n ? "out of memory" : "'%s' is not the last volume of a set (it has no set manifest)", shown(last));
	for (size_t i = 0; list && i < n; i++) {
		const struct scelle_volume *vo = scelle_result_volume(r, i);
		const char *name = vo->archive;
		struct stat st;
		char path[4096];
		if (!vo->seal_id)	/* the last: the one given */
			continue;
		if (!name || !*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..") ||
		    snprintf(path, sizeof(path), "%.*s%s", dir, last, name) >= (int)sizeof(path) ||
		    lstat(path, &st) != 0)
			continue;
		list[k++] = strdup(path);
	}
	if (list)
		list[k] = strdup(last);
	scelle_result_free(r);
	return list;
}

int cmd_verify(int argc, char **argv)
{
	struct verifier_opts vo = { .v = scelle_verifier_new() };
	struct scelle_verifier *v = vo.v;
	int opt, json = 0, verbose = 0, worst = EXIT_PASSED, force = 0, set = 0;
	const char *report_file = NULL, *lang = NULL;
	struct report_opts ro = { 0 };
	size_t counts[4] = { 0 }, errors = 0;

	if (!v)
		return error("out of memory");
	while ((opt = getopt_long(argc, argv, "vqfh", options, NULL)) != -1) {
		int r = 0;
		switch (opt) {
		case O_SET: set = 1; break;
		case 'v': verbose = 1; break;
		case 'f': force = 1; break;
		case 'q': quiet = 1; break;
		case O_JSON: json = 1; cli_set_language("en"); break;	/* JSON is never translated */
		case O_REPORT: report_file = optarg; break;
		case O_LANG: lang = optarg; break;
		case O_PROGRESS: r = set_progress_mode(optarg); break;
		case 'h':
			fputs(usage_head, stdout);
			fputs(verifier_options_help, stdout);
			fputs(usage_tail, stdout);
			scelle_verifier_free(v);
			return 0;
		default:
			if ((r = group_option(opt, optarg, &vo, NULL)) == 1)
				usage_hint("verify");
		}
		if (r) {
			scelle_verifier_free(v);
			return EXIT_USAGE;
		}
	}
	ro.ca_hint = vo.first_trust;
	if (optind >= argc || ((vo.ledger || vo.ledger_head) && argc - optind != 1) ||
	    (lang && cli_set_language(lang))) {
		if (optind >= argc)
			error("no archive given");
		else if ((vo.ledger || vo.ledger_head) && argc - optind != 1)
			error("%s names the ledger of one archive", vo.ledger ? "--ledger" : "--ledger-head");
		usage_hint("verify");
		scelle_verifier_free(v);
		return EXIT_USAGE;
	}
	struct stat st;
	if (report_file && !force && lstat(report_file, &st) == 0) {
		error("'%s' already exists (use --force to replace it)", report_file);
		scelle_verifier_free(v);
		return EXIT_USAGE;
	}
	scelle_verifier_set_flags(v, vo.flags);
	char **siblings = NULL;
	if (set) {	/* the archives to verify: the volumes found beside the last, then it */
		if (argc - optind != 1 || vo.ledger || vo.ledger_head || !(siblings = set_volumes(v, argv[optind]))) {
			if (argc - optind != 1 || vo.ledger || vo.ledger_head)	/* each volume has its own ledger */
				error("--set takes the last volume of one set");
			scelle_verifier_free(v);
			return EXIT_USAGE;
		}
		argv = siblings;
		for (argc = 0; argv[argc]; argc++)
			;
		optind = 0;
	}
	/* FORMAT.md §13: the volumes among several archives, judged as sets at the end */
	struct scelle_volume_set *vs = argc - optind > 1 || set ? scelle_volume_set_new() : NULL;
	for (int i = optind; i < argc; i++) {
		/* progress lines name their archive: a front end verifying many tells them apart */
		scelle_verifier_set_progress_cb(v, cli_progress_cb, argv[i]);
		struct scelle_result *r = scelle_verify(v, argv[i]);
		cli_progress_end();
		if (!r) {
			/* no verdict (cannot open, not a file): an error, not TOTAL-FAILED; the
			 * other archives are still verified */
			lib_error(scelle_verifier_errmsg(v), scelle_verifier_errhint(v));
			errors++;
			if (worst != EXIT_FAILED)
				worst = EXIT_USAGE;
			continue;
		}
		enum scelle_verdict vd = scelle_result_verdict(r);
		counts[vd]++;
		/* the worst: failed over an error over indeterminate over passed */
		if (vd == SCELLE_FAILED || (vd == SCELLE_INDETERMINATE && worst == EXIT_PASSED))
			worst = verdict_exit(vd);
		if (json)
			print_result_json(stdout, argv[i], r);
		else if (!quiet)
			print_result_text(stdout, argv[i], r, verbose);
		if (report_file && !vs && report(report_file, argv[i], r, &ro, force) != 0 && worst != EXIT_FAILED)
			worst = EXIT_USAGE;
		if (vs && scelle_volume_set_add(vs, argv[i], r))
			worst = error("out of memory");
		scelle_result_free(r);
	}
	for (size_t k = 0; vs && k < scelle_volume_set_count(vs); k++) {
		struct scelle_result *r = scelle_volume_set_verify(vs, k);
		if (!r) {
			worst = error("out of memory");
			break;
		}
		enum scelle_verdict vd = scelle_result_verdict(r);
		if (vd == SCELLE_FAILED || (vd == SCELLE_INDETERMINATE && worst == EXIT_PASSED))
			worst = vd == SCELLE_FAILED ? EXIT_FAILED : EXIT_INDETERMINATE;
		char label[96];
		snprintf(label, sizeof(label), _("volume set %s"), scelle_result_get(r, "volume_set"));
		if (json)
			print_set_json(stdout, r);
		else if (!quiet)
			print_result_text(stdout, label, r, verbose);
		if (report_file && k == 0 && scelle_volume_set_count(vs) == 1 &&
		    report(report_file, NULL, r, &ro, force) != 0 && worst != EXIT_FAILED)
			worst = EXIT_USAGE;
		scelle_result_free(r);
	}
	if (report_file && vs && scelle_volume_set_count(vs) != 1) {
		error("--report takes one archive, or the volumes of one set");
		if (worst != EXIT_FAILED)
			worst = EXIT_USAGE;
	}
	scelle_volume_set_free(vs);
	for (size_t i = 0; siblings && siblings[i]; i++)
		free(siblings[i]);
	free(siblings);
	if (!json && !quiet && argc - optind > 1 && !errors)
		printf(_("%d archives: %zu passed, %zu failed, %zu indeterminate\n"), argc - optind,
		    counts[SCELLE_PASSED], counts[SCELLE_FAILED], counts[SCELLE_INDETERMINATE]);
	else if (!json && !quiet && argc - optind > 1)
		printf(_("%d archives: %zu passed, %zu failed, %zu indeterminate, %zu not read\n"),
		    argc - optind, counts[SCELLE_PASSED], counts[SCELLE_FAILED],
		    counts[SCELLE_INDETERMINATE], errors);
	scelle_verifier_free(v);
	return worst;
}
