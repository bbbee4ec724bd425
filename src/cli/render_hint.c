/* render_hint.c — the words for a check's hint (scelle.h "Hints"): what the reader can do
 * about a verdict that is not TOTAL-PASSED, with this tool's options.
 *
 * The library gives a stable code and the file or name it concerns, never an option name
 * (the library serves other callers, which have other options); the wording, with the
 * flags, is the tool's, here, so that text, JSON and HTML say the same. */
#include <stdio.h>
#include <string.h>
#include "cli.h"

static const struct {
	const char *code;
	const char *text;	/* English msgid; %s: the check's hint_about, when it has one */
} hints[] = {
	{ "need-trust", N_("ask the sender for the root certificate of the unit that signed "
	    "and add --trust FILE") },
	{ "need-tsa-trust", N_("ask the sender for the time-stamp authority's root certificate "
	    "and add --tsa-trust FILE") },
	{ "ask-trust", N_("ask the sender for the root certificate '%s' and add --trust FILE") },
	{ "ask-tsa-trust", N_("ask the sender for the time-stamp authority's root certificate "
	    "'%s' and add --tsa-trust FILE") },
	{ "tsa-root-as-trust", N_("'%s' is the time-stamp authority's root: did you mean "
	    "--tsa-trust instead of --trust?") },
	{ "signer-root-as-tsa-trust", N_("'%s' is the signer's root: did you mean --trust "
	    "instead of --tsa-trust?") },
	{ "trust-not-ca", N_("'%s' is not a certification authority's certificate: give the "
	    "root certificate of the unit that signed with --trust FILE") },
	{ "tsa-trust-not-ca", N_("'%s' is not a certification authority's certificate: give the "
	    "time-stamp authority's root certificate with --tsa-trust FILE") },
	{ "need-timestamp", N_("ask the sender for a time-stamped archive (scelle stamp), or "
	    "accept the signer's own time with --no-timestamp-ok") },
	{ "need-revocation", N_("ask the sender for an archive sealed with revocation data, or "
	    "add the CA's CRL with --crl FILE, or fetch it with --online") },
	{ "need-crl", N_("ask the sender for an archive sealed with revocation data, or add the "
	    "issuer's CRL with --crl FILE") },
	{ "need-ledger", N_("ask the sender for the custody ledger '%s', or name it with "
	    "--ledger FILE") },
};

int hint_text(char *buf, size_t n, const struct scelle_check *c, const char *about, int translate)
{
	buf[0] = '\0';
	if (!c->hint)
		return -1;
	for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++) {
		if (strcmp(hints[i].code, c->hint) != 0)
			continue;
		const char *t = translate ? _(hints[i].text) : hints[i].text;
		/* %s replaced by hand: a format from a table is not a literal the compiler can
		 * check (-Wformat-nonliteral); msgfmt --check-format keeps the translations'
		 * single %s */
		const char *s = strstr(t, "%s");
		if (s)
			snprintf(buf, n, "%.*s%s%s", (int)(s - t), t, about ? about : "?", s + 2);
		else
			snprintf(buf, n, "%s", t);
		return 0;
	}
	return -1;	/* a code newer than this tool: the message says enough */
}

static int same_hint(const struct scelle_check *a, const struct scelle_check *b)
{
	return a->hint && b->hint && strcmp(a->hint, b->hint) == 0 &&
	    (a->hint_about == b->hint_about ||
	     (a->hint_about && b->hint_about && strcmp(a->hint_about, b->hint_about) == 0));
}

int hint_first_of(const struct scelle_result *r, size_t i, const char *prefix)
{
	const struct scelle_check *c = scelle_result_check(r, i);
	size_t n = prefix ? strlen(prefix) : 0;
	if (!c || !c->hint || strncmp(c->id, prefix ? prefix : "", n) != 0)
		return 0;
	for (size_t j = 0; j < i; j++) {
		const struct scelle_check *d = scelle_result_check(r, j);
		if (same_hint(d, c) && strncmp(d->id, prefix ? prefix : "", n) == 0)
			return 0;
	}
	return 1;
}

int hint_first(const struct scelle_result *r, size_t i)
{
	return hint_first_of(r, i, NULL);
}

size_t hint_same_after(const struct scelle_result *r, size_t i, size_t *last)
{
	const struct scelle_check *c = scelle_result_check(r, i);
	size_t n = 0;
	for (size_t j = i + 1; c->hint && j < scelle_result_check_count(r); j++) {
		const struct scelle_check *d = scelle_result_check(r, j);
		if (same_hint(d, c) && d->status == c->status && strcmp(d->id, c->id) == 0) {
			n++;
			if (last)
				*last = j;
		}
	}
	return n;
}

int hint_folded(const struct scelle_result *r, size_t j)
{
	const struct scelle_check *d = scelle_result_check(r, j);
	for (size_t i = 0; d->hint && i < j; i++) {
		const struct scelle_check *c = scelle_result_check(r, i);
		if (same_hint(d, c) && d->status == c->status && strcmp(d->id, c->id) == 0)
			return 1;
	}
	return 0;
}

/* The tool's words for the library's error hints (scelle.h "Error hints"): the library says
 * what is wrong, the tool says which of its options helps. */
static const struct {
	const char *code;
	const char *text;	/* English msgid */
} error_hints[] = {
	{ "use-force", N_("use --force to replace it") },
	{ "need-pass", N_("use --pass") },
	{ "need-cert", N_("use --cert") },
	{ "need-chain", N_("give it with --chain") },
	{ "name-actor", N_("give --actor and --org") },
	{ "name-country", N_("give --country") },
	{ "rename-collisions", N_("--on-collision rename keeps both") },
	{ "rsa-pkcs1", N_("if the token cannot do RSA-PSS, use --rsa-padding pkcs1") },
	{ "seal-xades-tsa", N_("seal it with --signature xades --tsa URL") },
	{ "trust-file", N_("use --trust for a file") },
	/* warnings */
	{ "need-tsa", N_("give --tsa URL, or add one later with scelle stamp") },
	{ "stamp-later", N_("scelle stamp adds one later") },
	{ "verify-revocation", N_("verify --crl or --online") },
	{ "embed-crl", N_("with --revocation-data FILE; or verify --crl") },
};

const char *error_hint_words(const char *hint)
{
	for (size_t i = 0; hint && i < sizeof(error_hints) / sizeof(error_hints[0]); i++)
		if (strcmp(error_hints[i].code, hint) == 0)
			return _(error_hints[i].text);
	return NULL;	/* no hint, or one newer than this tool */
}

int lib_error(const char *msg, const char *hint)
{
	const char *words = error_hint_words(hint);
	return words ? error("%s (%s)", msg, words) : error("%s", msg);
}
