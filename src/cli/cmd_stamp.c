/* cmd_stamp.c — scelle stamp: a new archive whose signature carries RFC 3161 time-stamps,
 * for a seal made offline (CAdES-B-B → B-T).  The original archive is never changed. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include "cli.h"

static const char usage_text[] =
    "usage: scelle stamp --tsa URL [--tsa URL]... [--tsa-policy OID] [--tsa-timeout S]\n"
    "                    [--tsa-optional] [--tsa-ca FILE] [--tsa-auth SPEC]\n"
    "                    [--tsa-cert FILE [--tsa-key FILE]] [--force] [-q] [--json] [--progress=MODE]\n"
    "                    -o OUT.asice ARCHIVE\n"
    "\n"
    "Writes OUT.asice: ARCHIVE with one more RFC 3161 time-stamp per TSA on its signature.\n"
    "Every other entry is copied unchanged, so the seal identifier stays the same; the file\n"
    "digest is new.  ARCHIVE itself is never modified.  An archive that does not verify\n"
    "(TOTAL-FAILED) is refused.\n"
    "\n"
    "  -o, --output FILE     the new archive (never overwritten without --force)\n"
    "      --tsa URL         RFC 3161 time-stamp authority, http:// or https:// (repeatable:\n"
    "                        one that fails is a warning and the next is asked)\n"
    "      --tsa-policy OID  policy to ask the TSA for\n"
    "      --tsa-timeout S   seconds to wait for a TSA (default 30)\n"
    "      --tsa-optional    skip a TSA that fails, as long as one answers\n"
    "      --tsa-ca FILE     https TSAs: CA certificates (PEM; default: the system's)\n"
    "      --tsa-auth SPEC   https TSAs: user:password for HTTP basic authentication, read\n"
    "                        from env:VAR or file:PATH (never given on the command line)\n"
    "      --tsa-cert FILE, --tsa-key FILE  https TSAs: client certificate and key (PEM,\n"
    "                        key not encrypted; default: the key is in the cert file)\n"
    "  -f, --force           replace OUT if it exists (its custody ledger is kept, renamed\n"
    "                        OUT.custody.SEALID.xml after its seal identifier)\n"
    "  -q, --quiet           no progress, print nothing on success\n"
    "      --json            print the result as JSON\n"
    "      --progress MODE   auto (a line on a TTY), json (lines on stderr) or none\n";

enum { O_JSON = 256, O_PROGRESS };

static const struct option options[] = {
	{ "output", required_argument, NULL, 'o' },
	TSA_OPTIONS,
	{ "force", no_argument, NULL, 'f' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "json", no_argument, NULL, O_JSON },
	{ "progress", required_argument, NULL, O_PROGRESS },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static void print_warnings(const char *w)
{
	while (w && *w) {
		const char *nl = strchr(w, '\n');
		int n = nl ? (int)(nl - w) : (int)strlen(w);
		warning("%.*s", n, w);
		w += n + (nl != NULL);
	}
}

int cmd_stamp(int argc, char **argv)
{
	struct scelle_stamper *st = scelle_stamper_new();
	struct tsa_opts to = { 0 };
	const char *out = NULL;
	int opt, force = 0, json = 0, rc = EXIT_USAGE;

	if (!st)
		return error("out of memory");
	while ((opt = getopt_long(argc, argv, "o:fqh", options, NULL)) != -1) {
		switch (opt) {
		case 'o': out = optarg; break;
		case 'f': force = 1; break;
		case 'q': quiet = 1; break;
		case O_JSON: json = 1; break;
		case O_PROGRESS:
			if (set_progress_mode(optarg))
				goto out;
			break;
		case 'h':
			fputs(usage_text, stdout);
			rc = 0;
			goto out;
		default: {
			int g = group_option(opt, optarg, NULL, &to);
			if (g == 1)
				usage_hint("stamp");
			if (g)
				goto out;
		}
		}
	}
	if (!out || !to.nurls || optind != argc - 1) {
		error("%s", !out ? _("no output given (-o OUT.asice)") : !to.nurls ?
		    _("no time-stamp authority given (--tsa URL)") : optind >= argc ? _("no archive given") :
		    _("stamp takes one archive"));
		usage_hint("stamp");
		goto out;
	}
	for (size_t i = 0; i < to.nurls; i++)
		if (scelle_stamper_add_tsa(st, to.urls[i])) {
			lib_error(scelle_stamper_errmsg(st), scelle_stamper_errhint(st));
			goto out;
		}
	scelle_stamper_set_tsa_options(st, to.policy, to.timeout, to.optional);
	if (tsa_opts_https(&to) && scelle_stamper_set_tsa_access(st, to.ca, to.auth, to.cert, to.key)) {
		lib_error(scelle_stamper_errmsg(st), scelle_stamper_errhint(st));
		goto out;
	}
	scelle_stamper_set_progress_cb(st, cli_progress_cb, argv[optind]);
	int r = scelle_stamper_write(st, argv[optind], out, force ? SCELLE_SEAL_FORCE : 0);
	cli_progress_end();
	print_warnings(scelle_stamper_warnings(st));
	if (r) {
		lib_error(scelle_stamper_errmsg(st), scelle_stamper_errhint(st));
		goto out;
	}
	if (json) {
		printf("{\"archive\":");
		json_str(stdout, out);
		printf(",\"stamped\":");
		json_str(stdout, argv[optind]);
		printf(",\"seal_id\":\"%s\",\"file_digest\":\"%s\",\"timestamps_added\":%d}\n",
		    scelle_stamper_seal_id(st), scelle_stamper_file_digest(st), scelle_stamper_added(st));
	} else if (!quiet) {
		int n = scelle_stamper_added(st);
		printf(ngettext("stamped %s (%d time-stamp added)\n", "stamped %s (%d time-stamps added)\n",
		    (unsigned long)n), shown(out), n);
		printf(_("seal identifier  %s  (unchanged)\n"), scelle_stamper_seal_id(st));
		printf(_("file digest      %s  (sha256sum %s)\n"), scelle_stamper_file_digest(st), shown(out));
	}
	rc = 0;
out:
	tsa_opts_free(&to);
	scelle_stamper_free(st);
	return rc;
}
