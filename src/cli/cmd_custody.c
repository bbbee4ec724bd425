/* cmd_custody.c — scelle custody add|show: the chain-of-custody ledger beside an archive
 * (doc/design.md §3).  `add` appends one signed record; `show` prints the timeline, checked. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>
#include "cli.h"

static const char usage_head[] =
    "usage: scelle custody add ARCHIVE --event TYPE --key KEY [--cert CERT] [--chain FILE]\n"
    "                          [--pass SPEC] [--actor NAME] [--role ROLE] [--org ORG]\n"
    "                          [--country CC] [--place PLACE] [--from WHO] [--to WHO]\n"
    "                          [--note TEXT] [--time TIME] [--tsa URL] [--tsa-policy OID]\n"
    "                          [--tsa-timeout S] [--tsa-ca FILE] [--tsa-auth SPEC]\n"
    "                          [--tsa-cert FILE [--tsa-key FILE]]\n"
    "                          [--trust CA.pem]... [--tsa-trust CA.pem]... [--unverified]\n"
    "                          [verifier options] [-q]\n"
    "       scelle custody show [--json] [--trust CA.pem]... [--tsa-trust CA.pem]...\n"
    "                          [verifier options] [-q] ARCHIVE\n"
    "\n"
    "add: appends one record, signed by its actor, to ARCHIVE.custody.xml\n"
    "      --event TYPE      transferred, received, opened, examined, copied, returned,\n"
    "                        destroyed, or other:LABEL ('received' verifies the archive\n"
    "                        first and records the verdict: it needs --trust)\n"
    "  -k, --key KEY         the actor's signing key: PEM, DER or PKCS#12 file\n"
    "  -c, --cert CERT       the actor's certificate (default: from the key file)\n"
    "      --chain FILE      intermediate certificates to embed (repeatable)\n"
    "      --pass SPEC       pass phrase: env:VAR, file:PATH, fd:N or pass:TEXT\n"
    "      --actor NAME      who (default: the certificate's common name)\n"
    "      --role ROLE       their role; --org the organisation (default: the certificate's)\n"
    "      --country CC      ISO 3166 alpha-2 country (default: the certificate's)\n"
    "      --place PLACE     where; --from and --to name the other party of a hand-over\n"
    "      --note TEXT       free note\n"
    "      --time TIME       when it happened (RFC 3339, with Z or an offset: +01:00),\n"
    "                        for a hand-over recorded later from paper; never before the\n"
    "                        last record (default: now)\n"
    "      --tsa URL         RFC 3161 time-stamp authority for the record (one)\n"
    "      --tsa-policy OID  policy to ask the TSA for; --tsa-timeout S seconds to wait\n"
    "      --tsa-ca FILE     https TSA: CA certificates (PEM; default: the system's)\n"
    "      --tsa-auth SPEC   https TSA: user:password for HTTP basic authentication, read\n"
    "                        from env:VAR or file:PATH (never given on the command line)\n"
    "      --tsa-cert FILE, --tsa-key FILE  https TSA: client certificate and key (PEM,\n"
    "                        key not encrypted; default: the key is in the cert file)\n"
    "      --unverified      record 'received' without --trust: the signer is then not\n"
    "                        identified and the record says INDETERMINATE\n"
    "      --ledger-head HEX a ledger with another head: nothing is recorded, exit 1\n"
    "show: the timeline, one line per record, each checked\n"
    "      --json            one JSON object (schema scelle-custody/1)\n"
    "both:\n"
    "  -q, --quiet           print nothing; the exit status tells\n"
    "verifier options (both), as for scelle verify; --ledger names the ledger (default:\n"
    "ARCHIVE.custody.xml):\n";
static const char usage_tail[] =
    "\n"
    "Exit status: add 0 recorded (received: 0/1/3, the verdict it recorded), 1 the ledger\n"
    "head differs; show 0/1/3 the worst record or ledger check, 2 error.\n";

static int help(void)
{
	fputs(usage_head, stdout);
	fputs(verifier_options_help, stdout);
	fputs(usage_tail, stdout);
	return 0;
}

enum { O_EVENT = 256, O_CHAIN, O_PASS, O_ACTOR, O_ROLE, O_ORG, O_COUNTRY, O_PLACE, O_FROM,
	O_TO, O_NOTE, O_TIME, O_JSON, O_UNVERIFIED };

/* add and show each take their own options: `custody show --event x` is a usage error */
static const struct option add_options[] = {
	{ "event", required_argument, NULL, O_EVENT },
	{ "key", required_argument, NULL, 'k' },
	{ "cert", required_argument, NULL, 'c' },
	{ "chain", required_argument, NULL, O_CHAIN },
	{ "pass", required_argument, NULL, O_PASS },
	{ "actor", required_argument, NULL, O_ACTOR },
	{ "role", required_argument, NULL, O_ROLE },
	{ "org", required_argument, NULL, O_ORG },
	{ "country", required_argument, NULL, O_COUNTRY },
	{ "place", required_argument, NULL, O_PLACE },
	{ "from", required_argument, NULL, O_FROM },
	{ "to", required_argument, NULL, O_TO },
	{ "note", required_argument, NULL, O_NOTE },
	{ "time", required_argument, NULL, O_TIME },
	{ "unverified", no_argument, NULL, O_UNVERIFIED },
	TSA_OPTIONS,
	VERIFIER_OPTIONS,
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static const struct option show_options[] = {
	{ "json", no_argument, NULL, O_JSON },
	VERIFIER_OPTIONS,
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* RFC 3339 §5.6 date-time: a T (or t, or a space) between date and time, optional
 * fractions of a second (dropped), and Z or an offset; the ledger stores UTC
 * (formats/custody.md, `time`).  A time without offset is refused: its zone is unknown. */
static int parse_rfc3339(const char *arg, time_t *out)
{
	struct tm tm = { 0 };
	char date[11];
	if (strlen(arg) < 20 || (arg[10] != 'T' && arg[10] != 't' && arg[10] != ' '))
		return -1;
	memcpy(date, arg, 10);
	date[10] = '\0';
	const char *end = strptime(date, "%Y-%m-%d", &tm);
	if (!end || *end || !(end = strptime(arg + 11, "%H:%M:%S", &tm)))
		return -1;
	if (*end == '.' && end[1] >= '0' && end[1] <= '9')
		while (*++end >= '0' && *end <= '9')
			;
	long off = 0;
	if ((*end == 'Z' || *end == 'z') && !end[1])
		off = 0;
	else if ((*end == '+' || *end == '-') && strlen(end) == 6 && end[3] == ':') {
		int hh, mm;
		char tail;
		if (sscanf(end + 1, "%2d:%2d%c", &hh, &mm, &tail) != 2 || hh > 23 || mm > 59)
			return -1;
		off = (*end == '-' ? -1 : 1) * (hh * 3600L + mm * 60L);
	} else
		return -1;
	*out = timegm(&tm) - off;
	return 0;
}

static void when(time_t t, char *out, size_t n)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Text from a ledger is hostile: it is printed through its display form (put_text), so that
 * it can neither break the one-line timeline nor drive the terminal. */
static void put(const char *s)
{
	put_text(stdout, s ? s : "?");
}

/* One line per record: who, when (the TSA's time where there is one), where, verdict. */
void print_custody_timeline(const char *archive, const struct scelle_result *r)
{
	printf(_("custody of %s (%s): %zu records\n"), shown(archive), shown(scelle_result_ledger(r)),
	    scelle_result_custody_count(r));
	for (size_t i = 0; i < scelle_result_custody_count(r); i++) {
		const struct scelle_custody_record *c = scelle_result_custody_record(r, i);
		const char *parts[] = { c->role, c->organisation, c->country };
		char t[32];
		when(c->tsa_time ? c->tsa_time : c->time, t, sizeof(t));
		printf("%3lu  %s %-4s ", c->seq, t, c->tsa_time ? "tsa" : "");
		put_event(stdout, c->event, 13);
		put(c->actor);
		size_t n = 0;
		for (size_t k = 0; k < 3; k++) {
			if (parts[k]) {
				fputs(n++ ? ", " : " (", stdout);
				put(parts[k]);
			}
		}
		if (n)
			putchar(')');
		const struct { const char *label, *v; } more[] = { { N_(" at "), c->place },
			{ N_(" from "), c->from }, { N_(" to "), c->to } };
		for (size_t k = 0; k < 3; k++)
			if (more[k].v) {
				fputs(_(more[k].label), stdout);
				put(more[k].v);
			}
		if (c->verification) {	/* the receiver's verdict: the ETSI code, glossed */
			fputs(" [", stdout);
			put(receiver_verdict(c->verification));
			putchar(']');
		}
		if (c->status == SCELLE_PASSED)
			puts(_(" -- verifies"));
		else {
			printf(" -- %s: ", verdict_word(c->status));
			put(c->reason ? c->reason : "");
			putchar('\n');
		}
	}
	if (scelle_result_ledger_head(r))
		printf(_("ledger head: %zu records, sha256 %s\n"), scelle_result_custody_count(r),
		    scelle_result_ledger_head(r));
	/* what would resolve the records' doubts, each action once (render_hint.c) */
	for (size_t i = 0; i < scelle_result_check_count(r); i++) {
		const struct scelle_check *c = scelle_result_check(r, i);
		char hint[1024];
		if (hint_first_of(r, i, "custody.") &&
		    hint_text(hint, sizeof(hint), c, shown(c->hint_about), 1) == 0)
			printf(_("what to do: %s\n"), hint);
	}
}

static void json_time(FILE *f, const char *key, time_t t)
{
	char s[32];
	fprintf(f, ",\"%s\":", key);
	if (!t) {
		fputs("null", f);
		return;
	}
	when(t, s, sizeof(s));
	json_str(f, s);
}

static void print_json(const char *archive, const struct scelle_result *r, enum scelle_verdict worst)
{
	printf("{\"schema\":\"scelle-custody/1\",\"archive\":");
	json_str(stdout, archive);
	fputs(",\"ledger\":", stdout);
	json_str(stdout, scelle_result_ledger(r));
	printf(",\"archive_verdict\":\"%s\",\"verdict\":\"%s\",", scelle_verdict_name(scelle_result_verdict(r)),
	    scelle_verdict_name(worst));
	if (scelle_result_ledger_head(r))
		printf("\"ledger_head\":{\"records\":%zu,\"sha256\":\"%s\"},", scelle_result_custody_count(r),
		    scelle_result_ledger_head(r));
	else
		fputs("\"ledger_head\":null,", stdout);
	fputs("\"records\":[", stdout);
	for (size_t i = 0; i < scelle_result_custody_count(r); i++) {
		const struct scelle_custody_record *c = scelle_result_custody_record(r, i);
		const struct { const char *k, *v; } s[] = { { "event", c->event }, { "actor", c->actor },
			{ "role", c->role }, { "organisation", c->organisation }, { "country", c->country },
			{ "place", c->place }, { "from", c->from }, { "to", c->to }, { "note", c->note },
			{ "seal_id", c->seal_id }, { "file_digest", c->file_digest },
			{ "verification", c->verification }, { "signer", c->signer },
			{ "status", scelle_verdict_name(c->status) }, { "reason", c->reason } };
		printf("%s{\"seq\":%lu", i ? "," : "", c->seq);
		json_time(stdout, "time", c->time);
		json_time(stdout, "tsa_time", c->tsa_time);
		for (size_t k = 0; k < sizeof(s) / sizeof(s[0]); k++) {
			printf(",\"%s\":", s[k].k);
			json_str(stdout, s[k].v);
		}
		putchar('}');
	}
	puts("]}");
}

static int show(struct scelle_verifier *v, const char *archive, int json)
{
	struct scelle_result *r = scelle_verify(v, archive);
	enum scelle_verdict worst = SCELLE_PASSED;
	if (!r)
		return lib_error(scelle_verifier_errmsg(v), scelle_verifier_errhint(v));
	if (!scelle_result_custody_count(r)) {
		/* No record at all: the ledger check says why, or, when the archive could not
		 * be opened, the first check that did not pass. */
		const struct scelle_check *why = NULL;
		for (size_t i = 0; i < scelle_result_check_count(r); i++) {
			const struct scelle_check *c = scelle_result_check(r, i);
			if (strcmp(c->id, "custody.ledger") == 0 || (!why && c->status != SCELLE_PASSED))
				why = c;
		}
		error("%s", why ? why->message : _("no custody record"));
		scelle_result_free(r);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < scelle_result_custody_count(r); i++) {
		enum scelle_verdict s = scelle_result_custody_record(r, i)->status;
		if (s == SCELLE_FAILED || (s == SCELLE_INDETERMINATE && worst == SCELLE_PASSED))
			worst = s;
	}
	/* and the ledger's own checks (foreign content, a head that differs): fail closed */
	for (size_t i = 0; i < scelle_result_check_count(r); i++) {
		const struct scelle_check *c = scelle_result_check(r, i);
		if (strncmp(c->id, "custody.", 8) == 0 && c->status == SCELLE_FAILED)
			worst = SCELLE_FAILED;
	}
	if (json)
		print_json(archive, r, worst);
	else if (!quiet)
		print_custody_timeline(archive, r);
	scelle_result_free(r);
	return verdict_exit(worst);
}

/* One archive, the operand left after the options. */
static const char *one_archive(int argc, char **argv)
{
	if (optind == argc - 1)
		return argv[optind];
	error("%s", optind >= argc ? _("no archive given") : _("one archive at a time"));
	usage_hint("custody");
	return NULL;
}

/* After getopt refused arg in `custody show`: says so when it is an option of add. */
static void add_only(const char *arg)
{
	size_t n = strcspn(arg, "=");
	if (strncmp(arg, "--", 2) != 0 || n <= 2)
		return;
	for (size_t i = 0; add_options[i].name; i++)
		if (strlen(add_options[i].name) == n - 2 && !strncmp(add_options[i].name, arg + 2, n - 2)) {
			error("%.*s is an option of custody add, not of custody show", (int)n, arg);
			return;
		}
}

static int custody_show(int argc, char **argv)
{
	struct verifier_opts vo = { .v = scelle_verifier_new() };
	int opt, json = 0, rc = EXIT_USAGE;
	const char *archive;

	if (!vo.v)
		return error("out of memory");
	while ((opt = getopt_long(argc, argv, "qh", show_options, NULL)) != -1) {
		int r = 0;
		switch (opt) {
		case O_JSON: json = 1; cli_set_language("en"); break;	/* JSON is never translated */
		case 'q': quiet = 1; break;
		case 'h': rc = help(); goto out;
		default:
			if ((r = group_option(opt, optarg, &vo, NULL)) == 1) {
				add_only(argv[optind - 1]);
				usage_hint("custody");
			}
		}
		if (r)
			goto out;
	}
	if ((archive = one_archive(argc, argv))) {
		scelle_verifier_set_flags(vo.v, vo.flags);
		rc = show(vo.v, archive, json);
	}
out:
	scelle_verifier_free(vo.v);
	return rc;
}

static int custody_add(int argc, char **argv)
{
	struct scelle_custody *c = scelle_custody_new();
	struct verifier_opts vo = { .v = scelle_verifier_new() };
	struct tsa_opts to = { .single = 1 };
	const char *event = NULL, *key = NULL, *cert = NULL, *archive;
	char *pass = NULL;
	int opt, rc = EXIT_USAGE, unverified = 0;

	if (!c || !vo.v) {
		scelle_custody_free(c);
		scelle_verifier_free(vo.v);
		return error("out of memory");
	}
	while ((opt = getopt_long(argc, argv, "k:c:qh", add_options, NULL)) != -1) {
		int r = 0;
		const char *text = NULL;	/* a free-text option: its name prefixes the error */
		switch (opt) {
		case O_EVENT: event = optarg; break;
		case 'k': key = optarg; break;
		case 'c': cert = optarg; break;
		case O_CHAIN: break;	/* loaded after the key, as seal does */
		case O_PASS:
			free(pass);
			if (!(pass = pass_from_arg(optarg)))
				goto out;
			break;
		case O_ACTOR: text = "--actor"; r = scelle_custody_set(c, "actor", optarg); break;
		case O_ROLE: text = "--role"; r = scelle_custody_set(c, "role", optarg); break;
		case O_ORG: text = "--org"; r = scelle_custody_set(c, "organisation", optarg); break;
		case O_COUNTRY: r = scelle_custody_set(c, "country", optarg); break;
		case O_PLACE: text = "--place"; r = scelle_custody_set(c, "place", optarg); break;
		case O_FROM: text = "--from"; r = scelle_custody_set(c, "from", optarg); break;
		case O_TO: text = "--to"; r = scelle_custody_set(c, "to", optarg); break;
		case O_NOTE: text = "--note"; r = scelle_custody_set(c, "note", optarg); break;
		case O_TIME: {
			time_t t;
			if (parse_rfc3339(optarg, &t)) {
				error("invalid time '%s' (use RFC 3339, e.g. 2026-03-01T09:30:00Z or 2026-03-01T10:30:00+01:00)", optarg);
				goto out;
			}
			if (t > time(NULL)) {
				error("invalid time '%s': it is in the future", optarg);
				goto out;
			}
			scelle_custody_set_time(c, t);
			break;
		}
		case O_UNVERIFIED: unverified = 1; break;
		case 'q': quiet = 1; break;
		case 'h': rc = help(); goto out;
		default: {
			int g = group_option(opt, optarg, &vo, &to);
			if (g == 1)
				usage_hint("custody");
			if (g)
				goto out;
		}
		}
		if (r) {
			error("%s%s%s", text ? text : "", text ? ": " : "", scelle_custody_errmsg(c));
			goto out;
		}
	}
	if (!(archive = one_archive(argc, argv)))
		goto out;
	/* the ledger to append to is the one the verifier checks */
	if ((vo.ledger && scelle_custody_set_ledger(c, vo.ledger)) ||
	    (vo.ledger_head && scelle_custody_set_ledger_head(c, vo.ledger_head))) {
		lib_error(scelle_custody_errmsg(c), scelle_custody_errhint(c));
		goto out;
	}
	scelle_verifier_set_flags(vo.v, vo.flags);
	if (!event || !key) {
		error("%s", !event ? _("no event given (--event TYPE)") : _("no signing key given (--key)"));
		usage_hint("custody");
		goto out;
	}
	/* A receipt records the receiver's verdict (formats/custody.md): without a trust
	 * anchor it could only be INDETERMINATE, so it takes a deliberate --unverified. */
	if (strcmp(event, "received") == 0 && !vo.ntrust && !unverified) {
		error("a 'received' record needs the sender's trust anchor (--trust CA.pem) to verify "
		    "the archive; --unverified records it without, as INDETERMINATE");
		usage_hint("custody");
		goto out;
	}
	scelle_custody_set_pass_cb(c, cli_pass_cb, pass);
	if (scelle_custody_set_signer(c, key, cert) ||
	    (to.nurls && scelle_custody_set_tsa(c, to.urls[0], to.policy, to.timeout, 0)) ||
	    (tsa_opts_https(&to) && scelle_custody_set_tsa_access(c, to.ca, to.auth, to.cert, to.key))) {
		lib_error(scelle_custody_errmsg(c), scelle_custody_errhint(c));
		goto out;
	}
	optind = 0;
	while ((opt = getopt_long(argc, argv, "k:c:qh", add_options, NULL)) != -1)
		if (opt == O_CHAIN && scelle_custody_add_chain(c, optarg)) {
			lib_error(scelle_custody_errmsg(c), scelle_custody_errhint(c));
			goto out;
		}
	scelle_custody_set_verifier(c, vo.v);
	if ((rc = scelle_custody_append(c, archive, event))) {
		lib_error(scelle_custody_errmsg(c), scelle_custody_errhint(c));
		rc = rc == SCELLE_E_MISMATCH ? EXIT_FAILED : EXIT_USAGE;
		goto out;
	}
	rc = 0;
	const struct scelle_result *vr = scelle_custody_verification(c);
	if (vr) {
		rc = verdict_exit(scelle_result_verdict(vr));
		if (!quiet)
			print_result_text(stdout, archive, vr, 0);
	}
	if (!quiet) {
		printf(_("recorded '%s' as record %lu of the custody ledger of %s\n"), shown(event_name(event)),
		    scelle_custody_sequence(c), shown(archive));
		if (scelle_custody_ledger_head(c))	/* for the hand-over letter */
			printf(_("ledger head: %lu records, sha256 %s\n"), scelle_custody_sequence(c),
			    scelle_custody_ledger_head(c));
	}
out:
	if (pass) {
		OPENSSL_cleanse(pass, strlen(pass));
		free(pass);
	}
	tsa_opts_free(&to);
	scelle_custody_free(c);
	scelle_verifier_free(vo.v);
	return rc;
}

int cmd_custody(int argc, char **argv)
{
	static char name_add[] = "scelle custody add", name_show[] = "scelle custody show";
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
		return help();
	if (argc < 2 || (strcmp(argv[1], "add") != 0 && strcmp(argv[1], "show") != 0)) {
		if (argc >= 2)
			error("unknown custody command '%s' (use add or show)", argv[1]);
		else
			error("no custody command given (use add or show)");
		return usage_hint("custody");
	}
	int add = strcmp(argv[1], "add") == 0;
	argv[1] = add ? name_add : name_show;	/* for getopt's messages */
	return add ? custody_add(argc - 1, argv + 1) : custody_show(argc - 1, argv + 1);
}
