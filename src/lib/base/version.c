/* version.c — what scelle is and what it was built with (also recorded in evidence.xml).
 * The library versions are those of the libraries actually loaded at run time, not the
 * headers compiled against: a court expert reproducing a result needs what really ran. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <archive.h>
#include <libxml/parser.h>
#include <openssl/crypto.h>
#include "internal.h"

const char *scelle_version(void)
{
	return SCELLE_VERSION;
}

/* "libarchive 3.6.2" -> "3.6.2" */
const char *version_libarchive(void)
{
	const char *v = archive_version_string();
	const char *sp = strchr(v, ' ');
	return sp ? sp + 1 : v;
}

/* libxml2 gives its run-time version as a number, "20914" for 2.9.14. */
const char *version_libxml2(void)
{
	static char s[32];
	long n = strtol(xmlParserVersion, NULL, 10);
	snprintf(s, sizeof(s), "%ld.%ld.%ld", n / 10000, n / 100 % 100, n % 100);
	return s;
}

const char *scelle_version_details(void)
{
	static char s[256];
	snprintf(s, sizeof(s), "scelle %s (OpenSSL %s, libarchive %s, libxml2 %s)", SCELLE_VERSION,
	    OpenSSL_version(OPENSSL_VERSION_STRING), version_libarchive(), version_libxml2());
	return s;
}
