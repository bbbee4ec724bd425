/* cmd_extract.c — scelle extract: verify, then write the items into a folder (or a BagIt
 * bag), never outside it, never over an existing file. */
#include <getopt.h>
#include <stdlib.h>
#include "cli.h"

static const char usage_head[] =
    "usage: scelle extract [-C DIR] [--bagit] [--force] [-q] [--trust CA.pem]...\n"
    "                      [--tsa-trust CA.pem]... [verifier options] ARCHIVE [ITEM...]\n"
    "\n"
    "  -C, --directory DIR    write into DIR (default: the current folder); created if missing\n"
    "      --bagit            lay out an RFC 8493 bag in DIR: bagit.txt, bag-info.txt (case\n"
    "                         data), manifest-sha256.txt and the items under data/\n"
    "      --force            extract even an archive that failed verification\n"
    "  -q, --quiet            say nothing on success\n"
    "verifier options, as for scelle verify:\n";
static const char usage_tail[] =
    "\n"
    "The archive is verified first.  Items are written read-only at their archive path without\n"
    "'evidence/', with their original modification times; ITEM selects by archive path or\n"
    "folder.  Names with '..', absolute names, link entries and symbolic links in DIR are\n"
    "refused, and no existing file is overwritten.\n"
    "Exit status: 0 extracted from a TOTAL-PASSED archive, 3 extracted but INDETERMINATE,\n"
    "1 TOTAL-FAILED (nothing extracted without --force), 2 error.\n";

enum { O_BAGIT = 256, O_FORCE };

static const struct option options[] = {
	{ "directory", required_argument, NULL, 'C' },
	{ "bagit", no_argument, NULL, O_BAGIT },
	{ "force", no_argument, NULL, O_FORCE },
	VERIFIER_OPTIONS,
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

int cmd_extract(int argc, char **argv)
{
	struct verifier_opts vo = { .v = scelle_verifier_new() };
	struct scelle_verifier *v = vo.v;
	struct scelle_result *r = NULL;
	const char *dir = ".";
	int opt, flags = 0, rc = EXIT_USAGE;
	size_t written = 0;

	if (!v)
		return error("out of memory");
	while ((opt = getopt_long(argc, argv, "C:qh", options, NULL)) != -1) {
		switch (opt) {
		case 'C': dir = optarg; break;
		case O_BAGIT: flags |= SCELLE_EXTRACT_BAGIT; break;
		case O_FORCE: flags |= SCELLE_EXTRACT_FORCE; break;
		case 'q': quiet = 1; break;
		case 'h':
			fputs(usage_head, stdout);
			fputs(verifier_options_help, stdout);
			fputs(usage_tail, stdout);
			rc = 0;
			goto out;
		default: {
			int g = group_option(opt, optarg, &vo, NULL);
			if (g == 1)
				usage_hint("extract");
			if (g)
				goto out;
		}
		}
	}
	if (optind >= argc) {
		error("no archive given");
		usage_hint("extract");
		goto out;
	}
	const char *archive = argv[optind];
	scelle_verifier_set_flags(v, vo.flags);
	scelle_verifier_set_progress_cb(v, cli_progress_cb, (void *)archive);
	r = scelle_verify(v, archive);
	cli_progress_end();
	if (!r) {
		lib_error(scelle_verifier_errmsg(v), scelle_verifier_errhint(v));
		goto out;
	}
	enum scelle_verdict vd = scelle_result_verdict(r);
	if (vd == SCELLE_FAILED && !(flags & SCELLE_EXTRACT_FORCE)) {
		print_result_text(stderr, archive, r, 0);
		error("'%s' failed verification; not extracting (--force extracts it anyway)", archive);
		rc = EXIT_FAILED;
		goto out;
	}
	if (vd == SCELLE_FAILED)
		warning("'%s' failed verification; extracting anyway (--force)", archive);
	else if (vd == SCELLE_INDETERMINATE && !quiet)
		print_result_text(stderr, archive, r, 0);
	if (scelle_verifier_extract(v, r, archive, dir, (const char *const *)argv + optind + 1,
		(size_t)(argc - optind - 1), flags, &written) != SCELLE_OK) {
		error("cannot extract '%s': %s", archive, scelle_verifier_errmsg(v));
		if (written)
			warning("%zu items were written into '%s' before the error", written, dir);
		goto out;
	}
	if (!quiet)
		printf(flags & SCELLE_EXTRACT_BAGIT ? _("%s: %zu items extracted into %s as a BagIt bag (%s)\n") :
		    _("%s: %zu items extracted into %s (%s)\n"), shown(archive), written, shown(dir),
		    scelle_verdict_name(vd));
	rc = verdict_exit(vd);
out:
	scelle_result_free(r);
	scelle_verifier_free(v);
	return rc;
}
