/* cli.h — what the subcommands of the scelle tool share. */
#ifndef SCELLE_CLI_H
#define SCELLE_CLI_H

#include <getopt.h>
#include <libintl.h>
#include <stdio.h>
#include "scelle.h"
#include "banned.h"

/* Exit codes (doc/design.md §4). */
enum { EXIT_PASSED = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_INDETERMINATE = 3 };

extern const char *progname;	/* "scelle" */
extern int quiet;		/* -q: no progress, no chatter */

/* "scelle: <message>" on stderr.  error() returns EXIT_USAGE so that commands can
 * `return error(...)`. */
int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* After a usage error: one line, "Try 'scelle CMD --help'.", not the whole usage (the
 * error above it says what is wrong).  Returns EXIT_USAGE. */
int usage_hint(const char *cmd);

/* Reads a pass phrase spec as OpenSSL's -passin does: env:VAR, file:PATH, fd:N, pass:TEXT.
 * Returns a malloc'ed string or NULL with a message printed. */
char *pass_from_spec(const char *spec);
/* The same for an option argument, which is then wiped from argv, so that a pass:TEXT
 * does not stay visible in /proc/PID/cmdline. */
char *pass_from_arg(char *arg);
/* --tsa-auth env:VAR|file:PATH: the "user:password" it holds (malloc'ed; NULL after an
 * error message); the argument is cleansed as by pass_from_arg(). */
char *tsa_auth_from_arg(char *arg);
/* The pass phrase callback the CLI gives the library: the --pass value when one was given,
 * else a no-echo prompt on the TTY, else failure. */
int cli_pass_cb(char *buf, int size, const char *what, void *arg);
/* Progress on stderr: one redrawn line when it is a TTY and not quiet (auto), one JSON
 * object a line {"done":N,"total":N,"item":"...","archive":"..."} (json, for front ends;
 * "archive" when arg, the archive's name as given, is not NULL), or none.
 * set_progress_mode parses --progress=MODE (returns EXIT_USAGE with a message if bad). */
enum { PROGRESS_AUTO, PROGRESS_JSON, PROGRESS_NONE };
extern int progress_mode;
int set_progress_mode(const char *arg);
void cli_progress_cb(uint64_t done, uint64_t total, const char *item, void *arg);
void cli_progress_end(void);

/* JSON string output (escaped, quoted). */
void json_str(FILE *f, const char *s);
/* Length of the well-formed UTF-8 sequence at p, or 0 (render_json.c). */

/* i18n.c: gettext for the words we write (never for data from an archive). */
#define _(s) gettext(s)
#define N_(s) (s)
/* lang: "en", "fr", "es", or NULL for the locale's (LC_ALL, LC_MESSAGES, LANG). */
int cli_set_language(const char *lang);
const char *cli_language(void);
const char *check_title(const char *check_id);	/* what the check establishes, translated */
const char *verdict_word(enum scelle_verdict v);	/* passed / FAILED / INDETERMINATE */
const char *verdict_sentence(enum scelle_verdict v);
/* label padded with blanks to width characters, then one blank */
void put_label(FILE *f, const char *label, int width);
/* a custody event type ("sealed"...) in the reader's language; another: as it is */
const char *event_name(const char *event);
/* a custody event type, translated, padded to width characters ("other:X": X as written) */
void put_event(FILE *f, const char *event, int width);
/* "their verification: TOTAL-PASSED", translated; the result is to be display-escaped
 * (put_text), since an unknown code is the ledger's text */
const char *receiver_verdict(const char *code);

/* render_text.c: the one way a string from an archive, a ledger or the command line is
 * printed: its display form (scelle_display: controls, bidi and invisible characters,
 * bytes that are not UTF-8 and padding as visible escapes such as \u202E).  shown() gives
 * it for a printf argument (valid until four more calls); put_text_max() cuts it to max
 * characters with "…" (never inside an escape). */
void put_text(FILE *f, const char *s);
const char *shown(const char *s);
void put_text_max(FILE *f, const char *s, size_t max);
/* render_text.c: the verdict of one archive as text (failed checks, or all with verbose). */
void print_result_text(FILE *f, const char *archive, const struct scelle_result *r, int verbose);
/* render_hint.c: the words for c's hint (scelle.h "Hints"), with the tool's options, in
 * buf; about: c->hint_about as it is to be shown (display form, or raw for JSON); translate:
 * in the reader's language, else English.  -1 (buf empty) when c has no hint this tool
 * knows. */
int hint_text(char *buf, size_t n, const struct scelle_check *c, const char *about, int translate);
/* Several checks often have one cause (no time-stamp anchor: the signature's token and every
 * custody record's).  hint_first: check i is the first with its hint (say it there, once);
 * hint_same_after: how many later checks have the same id, status and hint (a short text
 * folds them into one line); hint_folded: check j is one of those folded. */
int hint_first(const struct scelle_result *r, size_t i);
int hint_first_of(const struct scelle_result *r, size_t i, const char *id_prefix);	/* among those */
size_t hint_same_after(const struct scelle_result *r, size_t i, size_t *last);
int hint_folded(const struct scelle_result *r, size_t j);
/* render_hint.c: "scelle: MSG (what to do)", the library's message with the tool's words
 * for its error hint (scelle_X_errhint(); NULL: the message alone).  Returns EXIT_USAGE. */
int lib_error(const char *msg, const char *hint);
const char *error_hint_words(const char *hint);	/* the words alone (translated), or NULL */
/* render_json.c: one JSON object on one line (formats/verify-result.schema.json). */
void print_result_json(FILE *f, const char *archive, const struct scelle_result *r);
/* render_json.c: the verdict on a volume set (scelle_volume_set_verify), schema
 * scelle-verify-set/1; render_html.c: its report, with one row per volume. */
void print_set_json(FILE *f, const struct scelle_result *r);
int write_set_report_html(FILE *f, const struct scelle_result *r);
/* render_html.c: the self-contained HTML report; ca_hint names the trust anchor file in
 * the "check it yourself" commands (NULL: a placeholder).  Returns 0 or -1 (errno). */
struct report_opts {
	const char *ca_hint;
};
int write_report_html(FILE *f, const char *archive, const struct scelle_result *r,
    const struct report_opts *o);

/* options.c: the option groups several commands share.  A command puts VERIFIER_OPTIONS
 * and/or TSA_OPTIONS into its getopt_long table and gives each option its switch does not
 * know to group_option(): 0 taken, 1 not an option of the groups given (vo or to may be
 * NULL), EXIT_USAGE after an error message. */
enum { OPT_GROUP = 0x1000, OPT_TRUST, OPT_TRUST_DIR, OPT_SYSTEM_TRUST, OPT_UNTRUSTED, OPT_CRL,
	OPT_ONLINE, OPT_NO_REVOCATION, OPT_TSA_TRUST, OPT_NO_TS, OPT_MAX_SKEW, OPT_LEDGER,
	OPT_LEDGER_HEAD, OPT_REQUIRE_LEDGER,
	OPT_TSA, OPT_TSA_POLICY, OPT_TSA_TIMEOUT, OPT_TSA_OPTIONAL, OPT_TSA_CA, OPT_TSA_AUTH,
	OPT_TSA_CERT, OPT_TSA_KEY };
#define VERIFIER_OPTIONS \
	{ "trust", required_argument, NULL, OPT_TRUST }, \
	{ "trust-dir", required_argument, NULL, OPT_TRUST_DIR }, \
	{ "system-trust", no_argument, NULL, OPT_SYSTEM_TRUST }, \
	{ "untrusted", required_argument, NULL, OPT_UNTRUSTED }, \
	{ "crl", required_argument, NULL, OPT_CRL }, \
	{ "online", no_argument, NULL, OPT_ONLINE }, \
	{ "no-revocation-check", no_argument, NULL, OPT_NO_REVOCATION }, \
	{ "tsa-trust", required_argument, NULL, OPT_TSA_TRUST }, \
	{ "no-timestamp-ok", no_argument, NULL, OPT_NO_TS }, \
	{ "max-skew", required_argument, NULL, OPT_MAX_SKEW }, \
	{ "ledger", required_argument, NULL, OPT_LEDGER }, \
	{ "ledger-head", required_argument, NULL, OPT_LEDGER_HEAD }, \
	{ "require-ledger", no_argument, NULL, OPT_REQUIRE_LEDGER }
/* --tsa-optional only where several TSAs may be asked (tsa_opts.single = 0) */
#define TSA_OPTIONS \
	{ "tsa", required_argument, NULL, OPT_TSA }, \
	{ "tsa-policy", required_argument, NULL, OPT_TSA_POLICY }, \
	{ "tsa-timeout", required_argument, NULL, OPT_TSA_TIMEOUT }, \
	{ "tsa-optional", no_argument, NULL, OPT_TSA_OPTIONAL }, \
	{ "tsa-ca", required_argument, NULL, OPT_TSA_CA }, \
	{ "tsa-auth", required_argument, NULL, OPT_TSA_AUTH }, \
	{ "tsa-cert", required_argument, NULL, OPT_TSA_CERT }, \
	{ "tsa-key", required_argument, NULL, OPT_TSA_KEY }
/* The verifier group goes straight into v; what a command reads back is kept here. */
struct verifier_opts {
	struct scelle_verifier *v;
	int flags;			/* SCELLE_VERIFY_*: for scelle_verifier_set_flags() */
	size_t ntrust;			/* signers' anchors given: --trust, --trust-dir, --system-trust */
	const char *first_trust;	/* the first --trust (the report's "check it yourself") */
	const char *ledger, *ledger_head;	/* --ledger, --ledger-head, or NULL */
};
/* The time-stamp client group, for the command to give its handle once all are read. */
struct tsa_opts {
	int single;			/* in: one --tsa only, no --tsa-optional (a custody record) */
	const char **urls;		/* --tsa, in order (malloc'ed array; tsa_opts_free) */
	size_t nurls;
	const char *policy;		/* --tsa-policy, or NULL */
	int timeout, optional;		/* --tsa-timeout (0: the library's), --tsa-optional */
	const char *ca, *cert, *key;	/* the https options, or NULL */
	char *auth;			/* --tsa-auth's user:password, cleansed by tsa_opts_free */
};
extern const char verifier_options_help[];	/* the group's lines for a command's --help */
int group_option(int opt, char *arg, struct verifier_opts *vo, struct tsa_opts *to);
int tsa_opts_https(const struct tsa_opts *to);	/* an https option was given */
void tsa_opts_free_auth(struct tsa_opts *to);
void tsa_opts_free(struct tsa_opts *to);
/* The exit status of a verdict: 0 TOTAL-PASSED, 1 TOTAL-FAILED, 3 INDETERMINATE. */
int verdict_exit(enum scelle_verdict v);

int cmd_seal(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_tsa(int argc, char **argv);
int cmd_stamp(int argc, char **argv);
int cmd_extract(int argc, char **argv);
int cmd_custody(int argc, char **argv);
/* cmd_custody.c: the custody timeline, one line per record (custody show, show). */
void print_custody_timeline(const char *archive, const struct scelle_result *r);

#endif
