/* options.c — the option groups several commands share, each parsed by the same lines: the
 * verifier's (verify, extract, custody add and show) and the time-stamp client's (seal, stamp,
 * custody add); and the one mapping of a verdict to an exit status.
 *
 * A command puts VERIFIER_OPTIONS or TSA_OPTIONS into its getopt_long table and hands every
 * option its own switch does not know to group_option().  The groups' codes start at
 * OPT_GROUP, above any command's, so that the two never meet. */
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include "cli.h"

const char verifier_options_help[] =
    "      --trust FILE       trust anchors for signers (PEM, repeatable)\n"
    "      --trust-dir DIR    trust anchors in a hashed directory (openssl rehash)\n"
    "      --system-trust     trust the system's store of anchors too\n"
    "      --untrusted FILE   intermediate certificates for building chains (PEM)\n"
    "      --crl FILE         a CRL to judge revocation with (PEM or DER, repeatable)\n"
    "      --online           fetch missing revocation data from the certificates'\n"
    "                         CRL distribution points and OCSP responders\n"
    "      --no-revocation-check  do not judge revocation\n"
    "      --tsa-trust FILE   trust anchors for time-stamp authorities (PEM, repeatable)\n"
    "      --no-timestamp-ok  an archive without time-stamp is not by itself INDETERMINATE\n"
    "      --max-skew S       warn when signing time and time-stamp differ more (default 600)\n"
    "      --ledger FILE      the custody ledger to check (default: ARCHIVE.custody.xml)\n"
    "      --ledger-head HEX  the ledger head from the hand-over letter (the SHA-256 of its\n"
    "                         last record, as a verdict prints it): any other is TOTAL-FAILED\n"
    "      --require-ledger   an archive without custody ledger is TOTAL-FAILED (default:\n"
    "                         a warning)\n";

static int system_trust(struct scelle_verifier *v, const char *arg)
{
	(void)arg;
	return scelle_verifier_use_system_trust(v);
}

/* The verifier group: an option either loads a file into the verifier (add) or sets a flag.
 * A failure of add is the verifier's message (the file, and why). */
static const struct {
	int code;
	int (*add)(struct scelle_verifier *v, const char *arg);
	int flag;
} verifier_group[] = {
	{ OPT_TRUST, scelle_verifier_add_trust, 0 },
	{ OPT_TRUST_DIR, scelle_verifier_add_trust_dir, 0 },
	{ OPT_SYSTEM_TRUST, system_trust, 0 },
	{ OPT_UNTRUSTED, scelle_verifier_add_untrusted, 0 },
	{ OPT_CRL, scelle_verifier_add_crl, 0 },
	{ OPT_TSA_TRUST, scelle_verifier_add_tsa_trust, 0 },
	{ OPT_LEDGER, scelle_verifier_set_ledger, 0 },
	{ OPT_LEDGER_HEAD, scelle_verifier_set_ledger_head, 0 },
	{ OPT_ONLINE, NULL, SCELLE_VERIFY_ONLINE },
	{ OPT_NO_REVOCATION, NULL, SCELLE_VERIFY_NO_REVOCATION_CHECK },
	{ OPT_NO_TS, NULL, SCELLE_VERIFY_NO_TIMESTAMP_OK },
	{ OPT_REQUIRE_LEDGER, NULL, SCELLE_VERIFY_REQUIRE_LEDGER },
};

/* A whole number of seconds from 1 to max, or -1. */
static long seconds(const char *arg, long min, long max)
{
	char *end;
	long n = strtol(arg, &end, 10);
	return end == arg || *end || n < min || n > max ? -1 : n;
}

static int verifier_option(int opt, const char *arg, struct verifier_opts *vo)
{
	if (opt == OPT_MAX_SKEW) {
		long s = seconds(arg, 0, 86400L * 366);
		if (s < 0)
			return error("invalid --max-skew '%s' (seconds)", arg);
		scelle_verifier_set_max_skew(vo->v, s);
		return 0;
	}
	for (size_t i = 0; i < sizeof(verifier_group) / sizeof(verifier_group[0]); i++) {
		if (verifier_group[i].code != opt)
			continue;
		if (!verifier_group[i].add) {
			vo->flags |= verifier_group[i].flag;
			return 0;
		}
		if (verifier_group[i].add(vo->v, arg))
			return lib_error(scelle_verifier_errmsg(vo->v), scelle_verifier_errhint(vo->v));
		if (opt == OPT_TRUST && !vo->first_trust)
			vo->first_trust = arg;
		if (opt == OPT_TRUST || opt == OPT_TRUST_DIR || opt == OPT_SYSTEM_TRUST)
			vo->ntrust++;
		else if (opt == OPT_LEDGER)
			vo->ledger = arg;
		else if (opt == OPT_LEDGER_HEAD)
			vo->ledger_head = arg;
		return 0;
	}
	return 1;
}

static int tsa_option(int opt, char *arg, struct tsa_opts *to)
{
	switch (opt) {
	case OPT_TSA: {
		if (to->single && to->nurls)
			return error("one --tsa only: a record has one time-stamp");
		const char **u = realloc(to->urls, (to->nurls + 1) * sizeof(*u));
		if (!u)
			return error("out of memory");
		to->urls = u;
		to->urls[to->nurls++] = arg;
		return 0;
	}
	case OPT_TSA_POLICY: to->policy = arg; return 0;
	case OPT_TSA_TIMEOUT: {
		long t = seconds(arg, 1, 3600);
		if (t < 0)
			return error("invalid timeout '%s' (seconds, 1 to 3600)", arg);
		to->timeout = (int)t;
		return 0;
	}
	case OPT_TSA_OPTIONAL:
		if (to->single)
			return 1;
		to->optional = 1;
		return 0;
	case OPT_TSA_CA: to->ca = arg; return 0;
	case OPT_TSA_CERT: to->cert = arg; return 0;
	case OPT_TSA_KEY: to->key = arg; return 0;
	case OPT_TSA_AUTH:
		tsa_opts_free_auth(to);
		return (to->auth = tsa_auth_from_arg(arg)) ? 0 : EXIT_USAGE;
	}
	return 1;
}

int group_option(int opt, char *arg, struct verifier_opts *vo, struct tsa_opts *to)
{
	int r = 1;
	if (vo)
		r = verifier_option(opt, arg, vo);
	if (r == 1 && to)
		r = tsa_option(opt, arg, to);
	return r;
}

int tsa_opts_https(const struct tsa_opts *to)
{
	return to->ca || to->auth || to->cert || to->key;
}

void tsa_opts_free_auth(struct tsa_opts *to)
{
	if (to->auth) {
		OPENSSL_cleanse(to->auth, strlen(to->auth));
		free(to->auth);
		to->auth = NULL;
	}
}

void tsa_opts_free(struct tsa_opts *to)
{
	tsa_opts_free_auth(to);
	free(to->urls);
	to->urls = NULL;
	to->nurls = 0;
}

int verdict_exit(enum scelle_verdict v)
{
	return v == SCELLE_PASSED ? EXIT_PASSED : v == SCELLE_FAILED ? EXIT_FAILED : EXIT_INDETERMINATE;
}
