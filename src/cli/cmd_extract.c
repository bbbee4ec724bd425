/* cmd_extract.c — scelle extract: verify, then write the items into a folder (or a BagIt
 * bag), never outside it, never over an existing file. */
#include <getopt.h>
#include <stdlib.h>
#include "cli.h"

static const char usage_text[] =
    "usage: scelle extract [-C DIR] [--bagit] [--force] [--trust CA.pem]... [--tsa-trust CA.pem]...\n"
    "                      [--crl FILE]... [--no-timestamp-ok] [-q] ARCHIVE [ITEM...]\n"
    "\n"
    "  -C, --directory DIR    write into DIR (default: the current folder); created if missing\n"
    "      --bagit            lay out an RFC 8493 bag in DIR: bagit.txt, bag-info.txt (case\n"
    "                         data), manifest-sha256.txt and the items under data/\n"
    "      --force            extract even an archive that failed verification\n"
    "      --trust FILE       trust anchors for signers (PEM, repeatable)\n"
    "      --tsa-trust FILE   trust anchors for time-stamp authorities (PEM, repeatable)\n"
    "      --crl FILE         a CRL to judge revocation with (PEM or DER, repeatable)\n"
    "      --no-timestamp-ok  an archive without time-stamp is not by itself INDETERMINATE\n"
    "  -q, --quiet            say nothing on success\n"
    "\n"
    "The archive is verified first.  Items are written read-only at their archive path without\n"
    "'evidence/', with their original modification times; ITEM selects by archive path or\n"
    "folder.  Names with '..', absolute names, link entries and symbolic links in DIR are\n"
    "refused, and no existing file is overwritten.\n"
    "Exit status: 0 extracted from a TOTAL-PASSED archive, 3 extracted but INDETERMINATE,\n"
    "1 TOTAL-FAILED (nothing extracted without --force), 2 error.\n";

enum { O_TRUST = 256, O_TSA_TRUST, O_NO_TS, O_BAGIT, O_FORCE, O_CRL };

static const struct option options[] = {
	{ "directory", required_argument, NULL, 'C' },
	{ "bagit", no_argument, NULL, O_BAGIT },
	{ "force", no_argument, NULL, O_FORCE },
	{ "trust", required_argument, NULL, O_TRUST },
	{ "tsa-trust", required_argument, NULL, O_TSA_TRUST },
	{ "crl", required_argument, NULL, O_CRL },
	{ "no-timestamp-ok", no_argument, NULL, O_NO_TS },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

int cmd_extract(int argc, char **argv)
{
	struct scelle_verifier *v = scelle_verifier_new();
	struct scelle_result *r = NULL;
	const char *dir = ".";
	int opt, flags = 0, vflags = 0, rc = EXIT_USAGE;
	size_t written = 0;

	if (!v)
		return error("out of memory");
	while ((opt = getopt_long(argc, argv, "C:qh", options, NULL)) != -1) {
		int e = 0;
		switch (opt) {
		case 'C': dir = optarg; break;
		case O_BAGIT: flags |= SCELLE_EXTRACT_BAGIT; break;
		case O_FORCE: flags |= SCELLE_EXTRACT_FORCE; break;
		case O_TRUST: e = scelle_verifier_add_trust(v, optarg); break;
		case O_TSA_TRUST: e = scelle_verifier_add_tsa_trust(v, optarg); break;
		case O_CRL: e = scelle_verifier_add_crl(v, optarg); break;
		case O_NO_TS: vflags |= SCELLE_VERIFY_NO_TIMESTAMP_OK; break;
		case 'q': quiet = 1; break;
		case 'h':
			fputs(usage_text, stdout);
			rc = 0;
			goto out;
		default:
			usage_hint("extract");
			goto out;
		}
		if (e) {
			error("%s", scelle_verifier_errmsg(v));
			goto out;
		}
	}
	if (optind >= argc) {
		error("no archive given");
		usage_hint("extract");
		goto out;
	}
	const char *archive = argv[optind];
	scelle_verifier_set_flags(v, vflags);
	scelle_verifier_set_progress_cb(v, cli_progress_cb, (void *)archive);
	r = scelle_verify(v, archive);
	cli_progress_end();
	if (!r) {
		error("%s", scelle_verifier_errmsg(v));
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
	rc = vd == SCELLE_PASSED ? EXIT_PASSED : vd == SCELLE_FAILED ? EXIT_FAILED : EXIT_INDETERMINATE;
out:
	scelle_result_free(r);
	scelle_verifier_free(v);
	return rc;
}
