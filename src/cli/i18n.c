/* i18n.c — the language of the text verdict and the HTML report (gettext).
 *
 * Only words we write are translated: the verdict sentences, headings, check descriptions.
 * Data from the archive (names, notes, the library's messages) is shown as written.
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

/* The POSIX order of precedence for the message language: LC_ALL, LC_MESSAGES, LANG.
 * Read from the environment, not from setlocale(): a container often has LANG=fr_FR.UTF-8
 * without that locale being generated, and the report should still be in French. */
static const char *from_environment(void)
{
	static const char *const vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" };
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

/* What each check establishes, in plain words, keyed by the library's stable check id.
 * The library's own message (English, with names and numbers) is shown beside it. */
static const struct {
	const char *id;
	const char *text;
} check_texts[] = {
	{ "container.open", N_("The archive file can be opened") },
	{ "container.mimetype", N_("The file declares itself an ETSI ASiC-E container") },
	{ "container.zip", N_("The ZIP structure is readable") },
	{ "container.limits", N_("Sizes and counts stay within safe limits") },
	{ "container.names", N_("File names in the archive are unique and safe") },
	{ "container.coverage", N_("Every file in the archive is covered by the signature") },
	{ "manifest.parse", N_("The signed manifest is readable") },
	{ "manifest.references", N_("The signed manifest points to the signature and the files") },
	{ "manifest.digest", N_("Every file matches the fingerprint in the signed manifest") },
	{ "evidence.parse", N_("The evidence record (evidence.xml) is readable") },
	{ "evidence.items", N_("The evidence record lists exactly the files in the archive") },
	{ "evidence.digest", N_("Every file matches the fingerprints in the evidence record") },
	{ "signature.format", N_("The signature is a well-formed CAdES signature") },
	{ "signature.attributes", N_("The signature carries the required signed attributes") },
	{ "signature.crypto", N_("The signature over the manifest is mathematically valid") },
	{ "signature.signing_certificate", N_("The signature names the signer's certificate") },
	{ "signature.certificate_validity", N_("The signer's certificate was valid when signing") },
	{ "signature.chain", N_("The signer's certificate leads to a trusted authority") },
	{ "container.structure", N_("The ZIP file's inner structure is consistent") },
	{ "timestamp.present", N_("A time-stamp proves when the archive was sealed") },
	{ "timestamp.token", N_("The time-stamp authority's token over the signature is valid") },
	{ "timestamp.order", N_("The time-stamp comes after the signing time") },
	{ "timestamp.skew", N_("The signing time and the time-stamp agree") },
	{ "custody.ledger", N_("The chain-of-custody ledger is intact") },
	{ "custody.format", N_("The custody ledger is well-formed") },
	{ "custody.chain", N_("Each custody record is linked to the one before it") },
	{ "custody.signature", N_("Each custody record's signature is valid") },
	{ "custody.signer", N_("Each custody record's signer is trusted") },
	{ "custody.archive", N_("Each custody record cites this archive") },
	{ "custody.time", N_("Custody record times never go backwards") },
	{ "custody.timestamp", N_("The custody records' time-stamps are valid") },
	{ "custody.sealing", N_("The first custody record is the sealing") },
	{ "manifest.algorithm", N_("The signed manifest's fingerprints use algorithms still accepted") },
	{ "signature.signer_usage", N_("The signer's certificate is issued for signing") },
	{ "signature.algorithm", N_("The signature's algorithms and key are still accepted") },
	{ "custody.signer_usage", N_("Each custody record's signer certificate is issued for signing") },
	{ "custody.algorithm", N_("Each custody record's algorithms and key are still accepted") },
	{ "identity.claim", N_("The stated names are found in the signer's certificate") },
	{ "container.kind", N_("Whether the file is a scelle archive or another tool's ETSI container") },
	{ "manifest.archive", N_("The archive manifest and its long-term time-stamp are checked") },
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
