/* i18n.c — the language of what scelle writes for a reader (gettext).
 *
 * Only words we write are translated: verdicts, headings, check titles, the library's
 * messages (libscelle looks them up in the same "scelle" domain, src/lib/base/internal.h) and
 * the command's own output and errors.  Data from the archive (names, notes, certificate
 * names) is shown as written, and JSON stays English.
 * The catalogs are compiled from the .po files in src/cli/po into $(LOCALEDIR), the build
 * directory, and `make install` copies them to $(INSTALL_LOCALEDIR); the first that has
 * the catalog is used.  SCELLE_LOCALEDIR overrides both at run time. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

#ifndef LOCALEDIR
#define LOCALEDIR "/usr/local/share/locale"
#endif
#ifndef INSTALL_LOCALEDIR
#define INSTALL_LOCALEDIR LOCALEDIR
#endif

static const char *const langs[] = { "en", "fr", "es" };
static const char *current = "en";

/* "fr_FR.UTF-8" -> "fr" when it is a language we have, else NULL. */
static const char *known(const char *spec)
{
	if (!spec)
		return NULL;
	for (size_t i = 0; i < sizeof(langs) / sizeof(langs[0]); i++)
		if (strncmp(spec, langs[i], 2) == 0 && (spec[2] == '\0' || strchr("_.@", spec[2])))
			return langs[i];
	return NULL;
}

/* The order gettext reads: LANGUAGE (a list such as "es:fr", the first language we have),
 * then POSIX's LC_ALL, LC_MESSAGES, LANG.  Read from the environment, not from setlocale():
 * a container often has LANG=fr_FR.UTF-8 without that locale being generated, and the
 * report should still be in French. */
static const char *from_environment(void)
{
	static const char *const vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" };
	const char *list = getenv("LANGUAGE");
	for (const char *p = list; p && *p; p += strcspn(p, ":"), p += *p == ':') {
		char one[32];
		size_t n = strcspn(p, ":");
		if (n && n < sizeof(one)) {
			memcpy(one, p, n);
			one[n] = '\0';
			if (known(one))
				return known(one);
		}
	}
	for (size_t i = 0; i < 3; i++) {
		const char *v = getenv(vars[i]);
		if (v && *v)
			return known(v) ? known(v) : "en";
	}
	return "en";
}

int cli_set_language(const char *lang)
{
	const char *l = lang ? known(lang) : from_environment();
	const char *dir = getenv("SCELLE_LOCALEDIR");
	char mo[4096];

	if (!l || (lang && strlen(lang) != 2))
		return error("unknown language '%s' (use en, fr or es)", lang);
	current = l;
	/* glibc ignores LANGUAGE in the "C" locale, and only C and C.UTF-8 may exist: so the
	 * message category is set to C.UTF-8 and LANGUAGE picks the catalog.  Nothing else of
	 * the locale changes (numbers and dates stay as the report writes them). */
	if (!setlocale(LC_MESSAGES, "C.UTF-8"))
		setlocale(LC_MESSAGES, "");
	setenv("LANGUAGE", l, 1);
	if (!dir || !*dir) {
		/* the build's catalogs while they exist, else the installed ones */
		int n = snprintf(mo, sizeof(mo), "%s/%s/LC_MESSAGES/scelle.mo", LOCALEDIR, l);
		dir = n > 0 && (size_t)n < sizeof(mo) && access(mo, R_OK) == 0 ? LOCALEDIR : INSTALL_LOCALEDIR;
	}
	bindtextdomain("scelle", dir);
	bind_textdomain_codeset("scelle", "UTF-8");
	textdomain("scelle");
	return 0;
}

const char *cli_language(void)
{
	return current;
}

/* What each check looks at, in plain words, keyed by the library's stable check id.  A
 * title names the check, never its outcome: it is printed beside a failed check as beside
 * a passed one (issue 19: "A time-stamp proves the date" beside INDETERMINATE read as a
 * contradiction).  The library's message, with names and numbers, is shown beside it. */
static const struct {
	const char *id;
	const char *text;
} check_texts[] = {
	{ "container.open", N_("Opening the archive file") },
	{ "container.mimetype", N_("Container type (ETSI ASiC-E)") },
	{ "container.zip", N_("ZIP structure") },
	{ "container.limits", N_("Size and count limits") },
	{ "container.names", N_("File names in the archive (unique and safe)") },
	{ "container.coverage", N_("Coverage of every file by the signature") },
	{ "manifest.parse", N_("Reading the signed manifest") },
	{ "manifest.references", N_("References of the signed manifest") },
	{ "manifest.digest", N_("Files against the signed manifest's fingerprints") },
	{ "evidence.parse", N_("Reading the evidence record (evidence.xml)") },
	{ "evidence.items", N_("Files listed in the evidence record") },
	{ "evidence.digest", N_("Files against the evidence record's fingerprints") },
	{ "signature.format", N_("Form of the signature (CAdES or XAdES)") },
	{ "signature.attributes", N_("Signed attributes of the signature") },
	{ "signature.crypto", N_("Mathematical validity of the signature") },
	{ "signature.signing_certificate", N_("Signer's certificate named by the signature") },
	{ "signature.certificate_validity", N_("Validity period of the signer's certificate") },
	{ "signature.chain", N_("Chain from the signer's certificate to a trusted authority") },
	{ "signature.revocation", N_("Revocation status of the signer's certificates") },
	{ "container.structure", N_("Inner structure of the ZIP file") },
	{ "timestamp.present", N_("Date of the seal (time-stamp)") },
	{ "timestamp.token", N_("Time-stamp token of the time-stamp authority") },
	{ "timestamp.order", N_("Order of the signing time and the time-stamp") },
	{ "timestamp.skew", N_("Agreement of the signing time and the time-stamp") },
	{ "custody.ledger", N_("Chain-of-custody ledger") },
	{ "custody.format", N_("Form of the custody ledger") },
	{ "custody.chain", N_("Links between the custody records") },
	{ "custody.signature", N_("Signatures of the custody records") },
	{ "custody.signer", N_("Trust in the custody records' signers") },
	{ "custody.archive", N_("Archive cited by each custody record") },
	{ "custody.time", N_("Order of the custody records' times") },
	{ "custody.timestamp", N_("Time-stamps of the custody records") },
	{ "custody.sealing", N_("First custody record (the sealing)") },
	{ "custody.head", N_("Head of the custody ledger, against the one expected") },
	{ "manifest.algorithm", N_("Fingerprint algorithms of the signed manifest") },
	{ "signature.signer_usage", N_("Purpose of the signer's certificate (signing)") },
	{ "signature.algorithm", N_("Algorithms and key size of the signature") },
	{ "custody.signer_usage", N_("Purpose of the custody signers' certificates (signing)") },
	{ "custody.algorithm", N_("Algorithms and keys of the custody records") },
	{ "identity.claim", N_("Stated names, against the signer's certificate") },
	{ "signature.references", N_("Files referenced by the signature") },
	{ "container.kind", N_("Kind of container (a scelle archive, or another tool's ETSI container)") },
	{ "manifest.archive", N_("Archive manifest and its long-term time-stamp") },
	{ "volume.set", N_("The volume set this archive belongs to") },
	{ "volumes.complete", N_("Completeness of the set of volumes") },
	{ "volumes.member", N_("Volumes, against the set manifest") },
	{ "volumes.verdicts", N_("Verdict of each volume on its own") },
	/* by prefix, for checks added later */
	{ "container.", N_("Container check") },
	{ "manifest.", N_("Signed manifest check") },
	{ "evidence.", N_("Evidence record check") },
	{ "signature.", N_("Signature check") },
	{ "timestamp.", N_("Time-stamp check") },
	{ "custody.", N_("Chain of custody check") },
};

const char *check_title(const char *id)
{
	size_t n = sizeof(check_texts) / sizeof(check_texts[0]);
	for (size_t i = 0; id && i < n; i++)
		if (strcmp(id, check_texts[i].id) == 0)
			return _(check_texts[i].text);
	for (size_t i = 0; id && i < n; i++) {
		size_t len = strlen(check_texts[i].id);
		if (check_texts[i].id[len - 1] == '.' && strncmp(id, check_texts[i].id, len) == 0)
			return _(check_texts[i].text);
	}
	return _("Other check");
}

const char *verdict_word(enum scelle_verdict v)
{
	return v == SCELLE_PASSED ? _("passed") : v == SCELLE_FAILED ? _("FAILED") : _("INDETERMINATE");
}

/* One sentence a non-specialist can act on (EN 319 102-1 §5.1.3 gives the three states). */
const char *verdict_sentence(enum scelle_verdict v)
{
	if (v == SCELLE_PASSED)
		return _("The seal is intact: every file is exactly as it was sealed, and the signer is trusted.");
	if (v == SCELLE_FAILED)
		return _("Do not rely on this archive: it was altered, or it is not a valid sealed archive.");
	return _("The files are intact, but trust in the signer or the sealing time could not be established.");
}

/* label, then blanks up to width characters (not bytes: "numéro" is 6 wide in 7 bytes) */
void put_label(FILE *f, const char *label, int width)
{
	int chars = 0;
	for (const char *p = label; *p; p++)
		chars += ((unsigned char)*p & 0xc0) != 0x80;
	fprintf(f, "%s%*s ", label, chars < width ? width - chars : 0, "");
}

/* A custody event type (formats/custody.md) in the reader's language: the types are
 * words of the format, their names are ours; "other:LABEL" keeps the sender's LABEL. */
const char *event_name(const char *event)
{
	static const struct { const char *type, *name; } events[] = {
		{ "sealed", N_("sealed") }, { "transferred", N_("transferred") },
		{ "received", N_("received") }, { "opened", N_("opened") },
		{ "examined", N_("examined") }, { "copied", N_("copied") },
		{ "returned", N_("returned") }, { "destroyed", N_("destroyed") },
	};
	for (size_t i = 0; event && i < sizeof(events) / sizeof(events[0]); i++)
		if (strcmp(event, events[i].type) == 0)
			return _(events[i].name);
	return event;
}

void put_event(FILE *f, const char *event, int width)
{
	const char *name = event_name(event);
	if (name && name != event) {
		put_label(f, name, width - 1);
		return;
	}
	/* "other:" is the format's prefix; what follows it is the actor's own word */
	const char *label = event && strncmp(event, "other:", 6) == 0 ? event + 6 : NULL;
	const char *d = shown(label ? label : event ? event : "?");
	char *both = NULL;
	if (label && asprintf(&both, "%s%s", _("other:"), d) < 0)
		both = NULL;
	put_label(f, both ? both : d, width - 1);
	free(both);
}

/* The verdict a receiver recorded (a code of EN 319 102-1, kept as written, so that it
 * reads the same in every language), with its meaning in the reader's language. */
const char *receiver_verdict(const char *code)
{
	if (strcmp(code, "TOTAL-PASSED") == 0)
		return _("their verification: TOTAL-PASSED");
	if (strcmp(code, "TOTAL-FAILED") == 0)
		return _("their verification: TOTAL-FAILED");
	if (strcmp(code, "INDETERMINATE") == 0)
		return _("their verification: INDETERMINATE");
	static char buf[256];
	int n = snprintf(buf, sizeof(buf), _("their verification: %s"), code);
	return n > 0 && (size_t)n < sizeof(buf) ? buf : code;
}
