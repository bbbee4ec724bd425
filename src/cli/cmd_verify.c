/* cmd_verify.c — scelle verify: one verdict per archive, exit code the worst of them. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const char usage_text[] =
    "usage: scelle verify [--trust CA.pem]... [--tsa-trust CA.pem]... [--no-timestamp-ok]\n"
    "                     [--max-skew S] [-v] [-q] [--json] ARCHIVE...\n"
    "\n"
    "      --trust FILE       trust anchors for signers (PEM, repeatable)\n"
    "      --tsa-trust FILE   trust anchors for time-stamp authorities (PEM, repeatable)\n"
    "      --no-timestamp-ok  an archive without time-stamp is not by itself INDETERMINATE\n"
    "      --max-skew S       warn when signing time and time-stamp differ more (default 600)\n"
    "  -v, --verbose          list every check, not only those that did not pass\n"
    "  -q, --quiet            print nothing; the exit status tells\n"
    "      --json             one JSON object per archive\n"
    "\n"
    "Exit status: 0 TOTAL-PASSED, 1 TOTAL-FAILED, 3 INDETERMINATE, 2 error.\n";

enum { O_TRUST = 256, O_TSA_TRUST, O_NO_TS, O_SKEW, O_JSON };

static const struct option options[] = {
	{ "trust", required_argument, NULL, O_TRUST },
	{ "tsa-trust", required_argument, NULL, O_TSA_TRUST },
	{ "no-timestamp-ok", no_argument, NULL, O_NO_TS },
	{ "max-skew", required_argument, NULL, O_SKEW },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "json", no_argument, NULL, O_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static const char *status_word(enum scelle_verdict v)
{
	return v == SCELLE_PASSED ? "passed" : v == SCELLE_FAILED ? "FAILED" : "INDETERMINATE";
}

void print_result_text(FILE *f, const char *archive, const struct scelle_result *r, int verbose)
{
	fprintf(f, "%s: %s\n", archive, scelle_verdict_name(scelle_result_verdict(r)));
	for (size_t i = 0; i < scelle_result_check_count(r); i++) {
		const struct scelle_check *c = scelle_result_check(r, i);
		if (!verbose && c->status == SCELLE_PASSED)
			continue;
		fprintf(f, "  %-13s %-30s %s", status_word(c->status), c->id, c->message);
		if (c->subindication)
			fprintf(f, " [%s]", c->subindication);
		fputc('\n', f);
	}
}

void print_result_json(FILE *f, const char *archive, const struct scelle_result *r)
{
	static const char *const facts[] = { "seal_id", "file_digest", "signer", "signer_issuer",
		"signing_time", "trust_anchor", "sealed_at", "format_version" };
	fprintf(f, "{\"schema\":\"scelle-verify/1\",\"archive\":");
	json_str(f, archive);
	fprintf(f, ",\"verdict\":\"%s\"", scelle_verdict_name(scelle_result_verdict(r)));
	for (size_t i = 0; i < sizeof(facts) / sizeof(facts[0]); i++) {
		fprintf(f, ",\"%s\":", facts[i]);
		json_str(f, scelle_result_get(r, facts[i]));
	}
	fputs(",\"checks\":[", f);
	for (size_t i = 0; i < scelle_result_check_count(r); i++) {
		const struct scelle_check *c = scelle_result_check(r, i);
		fprintf(f, "%s{\"id\":", i ? "," : "");
		json_str(f, c->id);
		fprintf(f, ",\"status\":\"%s\",\"subindication\":", scelle_verdict_name(c->status));
		json_str(f, c->subindication);
		fputs(",\"subject\":", f);
		json_str(f, c->subject);
		fputs(",\"message\":", f);
		json_str(f, c->message);
		fputc('}', f);
	}
	fputs("],\"items\":[", f);
	for (size_t i = 0; i < scelle_result_item_count(r); i++) {
		const struct scelle_item *it = scelle_result_item(r, i);
		fprintf(f, "%s{\"path\":", i ? "," : "");
		json_str(f, it->path);
		fprintf(f, ",\"size\":%llu,\"media_type\":", (unsigned long long)it->size);
		json_str(f, it->media_type);
		fputs(",\"sha256\":", f);
		json_str(f, it->sha256);
		fprintf(f, ",\"ok\":%s}", it->ok ? "true" : "false");
	}
	fputs("]}\n", f);
}

int cmd_verify(int argc, char **argv)
{
	struct scelle_verifier *v = scelle_verifier_new();
	int opt, json = 0, verbose = 0, flags = 0, worst = EXIT_PASSED;
	size_t counts[4] = { 0 };

	if (!v)
		return error("out of memory");
	while ((opt = getopt_long(argc, argv, "vqh", options, NULL)) != -1) {
		int r = 0;
		switch (opt) {
		case O_TRUST: r = scelle_verifier_add_trust(v, optarg); break;
		case O_TSA_TRUST: r = scelle_verifier_add_tsa_trust(v, optarg); break;
		case O_NO_TS: flags |= SCELLE_VERIFY_NO_TIMESTAMP_OK; break;
		case O_SKEW: scelle_verifier_set_max_skew(v, atol(optarg)); break;
		case 'v': verbose = 1; break;
		case 'q': quiet = 1; break;
		case O_JSON: json = 1; break;
		case 'h':
			fputs(usage_text, stdout);
			scelle_verifier_free(v);
			return 0;
		default:
			fputs(usage_text, stderr);
			scelle_verifier_free(v);
			return EXIT_USAGE;
		}
		if (r) {
			error("%s", scelle_verifier_errmsg(v));
			scelle_verifier_free(v);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		error("no archive given");
		fputs(usage_text, stderr);
		scelle_verifier_free(v);
		return EXIT_USAGE;
	}
	scelle_verifier_set_flags(v, flags);
	scelle_verifier_set_progress_cb(v, cli_progress_cb, NULL);
	for (int i = optind; i < argc; i++) {
		struct scelle_result *r = scelle_verify(v, argv[i]);
		cli_progress_end();
		if (!r) {
			error("out of memory");
			worst = EXIT_USAGE;
			break;
		}
		enum scelle_verdict vd = scelle_result_verdict(r);
		counts[vd]++;
		/* the worst: failed over indeterminate over passed */
		if (vd == SCELLE_FAILED || (vd == SCELLE_INDETERMINATE && worst == EXIT_PASSED))
			worst = vd == SCELLE_FAILED ? EXIT_FAILED : EXIT_INDETERMINATE;
		if (json)
			print_result_json(stdout, argv[i], r);
		else if (!quiet)
			print_result_text(stdout, argv[i], r, verbose);
		scelle_result_free(r);
	}
	if (!json && !quiet && argc - optind > 1)
		printf("%d archives: %zu passed, %zu failed, %zu indeterminate\n", argc - optind,
		    counts[SCELLE_PASSED], counts[SCELLE_FAILED], counts[SCELLE_INDETERMINATE]);
	scelle_verifier_free(v);
	return worst;
}
