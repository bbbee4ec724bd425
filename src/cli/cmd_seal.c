/* cmd_seal.c — scelle seal: hash, sign and time-stamp evidence into an ASiC-E archive. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include "cli.h"

static const char usage_text[] =
    "usage: scelle seal -o OUT.asice --key KEY [--cert CERT] [--chain FILE] [--pass SPEC]\n"
    "                   [--case AUTH:COUNTRY:REF]... [--case-file CASE.xml]\n"
    "                   [--officer NAME] [--role ROLE] [--unit UNIT] [--country CC] [--place PLACE]\n"
    "                   [--digest ALG]... [--tsa URL]... [--tsa-policy OID] [--tsa-timeout S]\n"
    "                   [--tsa-optional] [--force] [-q] [--json] PATH...\n"
    "\n"
    "  -o, --output FILE     the archive to write (never overwritten without --force)\n"
    "  -k, --key KEY         signing key: PEM, DER or PKCS#12 file\n"
    "  -c, --cert CERT       signer certificate (default: from the key file)\n"
    "      --chain FILE      intermediate certificates to embed (repeatable)\n"
    "      --pass SPEC       pass phrase: env:VAR, file:PATH, fd:N or pass:TEXT\n"
    "      --case A:CC:REF   case reference of authority A in country CC (repeatable)\n"
    "      --case-file FILE  <case> element with references, legal basis, description\n"
    "      --officer NAME    sealing officer; --role, --unit, --country, --place likewise\n"
    "      --digest ALG      extra digest: sha512, sha3-256, sha1, md5 (repeatable)\n"
    "      --tsa URL         RFC 3161 time-stamp authority (repeatable)\n"
    "      --tsa-policy OID  policy to ask the TSA for\n"
    "      --tsa-timeout S   seconds to wait for a TSA (default 30)\n"
    "      --tsa-optional    seal even when no TSA answers\n"
    "  -f, --force           replace OUT if it exists\n"
    "  -q, --quiet           no progress\n"
    "      --json            print the result as JSON\n";

enum { O_CHAIN = 256, O_PASS, O_CASE, O_CASE_FILE, O_OFFICER, O_ROLE, O_UNIT, O_COUNTRY,
	O_PLACE, O_DIGEST, O_TSA, O_TSA_POLICY, O_TSA_TIMEOUT, O_TSA_OPTIONAL, O_JSON };

static const struct option options[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "key", required_argument, NULL, 'k' },
	{ "cert", required_argument, NULL, 'c' },
	{ "chain", required_argument, NULL, O_CHAIN },
	{ "pass", required_argument, NULL, O_PASS },
	{ "case", required_argument, NULL, O_CASE },
	{ "case-file", required_argument, NULL, O_CASE_FILE },
	{ "officer", required_argument, NULL, O_OFFICER },
	{ "role", required_argument, NULL, O_ROLE },
	{ "unit", required_argument, NULL, O_UNIT },
	{ "country", required_argument, NULL, O_COUNTRY },
	{ "place", required_argument, NULL, O_PLACE },
	{ "digest", required_argument, NULL, O_DIGEST },
	{ "tsa", required_argument, NULL, O_TSA },
	{ "tsa-policy", required_argument, NULL, O_TSA_POLICY },
	{ "tsa-timeout", required_argument, NULL, O_TSA_TIMEOUT },
	{ "tsa-optional", no_argument, NULL, O_TSA_OPTIONAL },
	{ "force", no_argument, NULL, 'f' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "json", no_argument, NULL, O_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* AUTH:COUNTRY:REF — the reference itself may contain colons (e.g. "2026:001"). */
static int add_case(struct scelle_sealer *s, char *spec)
{
	char *c1 = strchr(spec, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (!c1 || !c2)
		return error("invalid case reference '%s' (use AUTHORITY:COUNTRY:REFERENCE)", spec);
	*c1 = *c2 = '\0';
	int rc = scelle_sealer_add_case_ref(s, spec, c1 + 1, c2 + 1);
	*c1 = *c2 = ':';
	return rc ? error("%s", scelle_sealer_errmsg(s)) : 0;
}

/* Each line of the library's warnings as "scelle: warning: ...". */
static void print_warnings(const char *w)
{
	while (w && *w) {
		const char *nl = strchr(w, '\n');
		int n = nl ? (int)(nl - w) : (int)strlen(w);
		warning("%.*s", n, w);
		w += n + (nl != NULL);
	}
}

/* The pass phrase given with pass:TEXT is wiped from argv, so that it does not stay
 * visible in /proc/PID/cmdline. */
static char *take_pass(char *arg)
{
	char *p = pass_from_spec(arg);
	OPENSSL_cleanse(arg, strlen(arg));
	return p;
}

int cmd_seal(int argc, char **argv)
{
	struct scelle_sealer *s = scelle_sealer_new();
	const char *out = NULL, *key = NULL, *cert = NULL, *tsa_policy = NULL;
	char *pass = NULL;
	int opt, force = 0, json = 0, tsa_timeout = 0, tsa_optional = 0, rc = EXIT_USAGE;

	if (!s)
		return error("out of memory");
	while ((opt = getopt_long(argc, argv, "o:k:c:fqh", options, NULL)) != -1) {
		int r = 0;
		switch (opt) {
		case 'o': out = optarg; break;
		case 'k': key = optarg; break;
		case 'c': cert = optarg; break;
		case 'f': force = 1; break;
		case 'q': quiet = 1; break;
		case O_JSON: json = 1; break;
		case O_CHAIN:
			/* loaded after the key, so that the chain follows the signer's own */
			break;
		case O_PASS:
			free(pass);
			if (!(pass = take_pass(optarg)))
				goto out;
			break;
		case O_CASE:
			if (add_case(s, optarg))
				goto out;
			break;
		case O_CASE_FILE: r = scelle_sealer_set_case_file(s, optarg); break;
		case O_OFFICER: r = scelle_sealer_set_officer(s, "name", optarg); break;
		case O_ROLE: r = scelle_sealer_set_officer(s, "role", optarg); break;
		case O_UNIT: r = scelle_sealer_set_officer(s, "unit", optarg); break;
		case O_COUNTRY: r = scelle_sealer_set_officer(s, "country", optarg); break;
		case O_PLACE: r = scelle_sealer_set_officer(s, "place", optarg); break;
		case O_DIGEST: r = scelle_sealer_add_digest(s, optarg); break;
		case O_TSA: r = scelle_sealer_add_tsa(s, optarg); break;
		case O_TSA_POLICY: tsa_policy = optarg; break;
		case O_TSA_TIMEOUT:
			tsa_timeout = atoi(optarg);
			if (tsa_timeout <= 0) {
				error("invalid timeout '%s'", optarg);
				goto out;
			}
			break;
		case O_TSA_OPTIONAL: tsa_optional = 1; break;
		case 'h':
			fputs(usage_text, stdout);
			rc = 0;
			goto out;
		default:
			fputs(usage_text, stderr);
			goto out;
		}
		if (r) {
			error("%s", scelle_sealer_errmsg(s));
			goto out;
		}
	}
	if (!out || !key || optind >= argc) {
		error("%s", !out ? "no output given (-o OUT.asice)" : !key ? "no signing key given (--key)"
		    : "nothing to seal");
		fputs(usage_text, stderr);
		goto out;
	}
	scelle_sealer_set_tsa_options(s, tsa_policy, tsa_timeout, tsa_optional);
	scelle_sealer_set_pass_cb(s, cli_pass_cb, pass);
	scelle_sealer_set_progress_cb(s, cli_progress_cb, NULL);
	if (scelle_sealer_set_signer(s, key, cert)) {
		error("%s", scelle_sealer_errmsg(s));
		goto out;
	}
	print_warnings(scelle_sealer_warnings(s));
	optind = 0;	/* second scan: --chain, now that the signer is known */
	while ((opt = getopt_long(argc, argv, "o:k:c:fqh", options, NULL)) != -1)
		if (opt == O_CHAIN && scelle_sealer_add_chain(s, optarg)) {
			error("%s", scelle_sealer_errmsg(s));
			goto out;
		}
	for (int i = optind; i < argc; i++)
		if (scelle_sealer_add_input(s, argv[i], NULL)) {
			error("%s", scelle_sealer_errmsg(s));
			goto out;
		}
	if (scelle_sealer_write(s, out, force ? SCELLE_SEAL_FORCE : 0)) {
		cli_progress_end();
		error("%s", scelle_sealer_errmsg(s));
		goto out;
	}
	cli_progress_end();
	print_warnings(scelle_sealer_warnings(s));
	if (json) {
		printf("{\"archive\":");
		json_str(stdout, out);
		printf(",\"seal_id\":\"%s\",\"file_digest\":\"%s\"}\n", scelle_sealer_seal_id(s),
		    scelle_sealer_file_digest(s));
	} else if (!quiet) {
		printf("sealed %s\n", out);
		printf("seal identifier  %s\n", scelle_sealer_seal_id(s));
		printf("file digest      %s  (sha256sum %s)\n", scelle_sealer_file_digest(s), out);
	}
	rc = 0;
out:
	if (pass) {
		OPENSSL_cleanse(pass, strlen(pass));
		free(pass);
	}
	scelle_sealer_free(s);
	return rc;
}
