/* version.c — what scelle is and what it was built with (also recorded in evidence.xml). */
#include <stdio.h>
#include <archive.h>
#include <libxml/xmlversion.h>
#include <openssl/crypto.h>
#include "internal.h"

const char *scelle_version(void)
{
	return SCELLE_VERSION;
}

const char *scelle_version_details(void)
{
	static char s[256];
	snprintf(s, sizeof(s), "scelle %s (OpenSSL %s, libarchive %s, libxml2 %s)", SCELLE_VERSION,
	    OpenSSL_version(OPENSSL_VERSION_STRING), archive_version_string() + sizeof("libarchive"),
	    LIBXML_DOTTED_VERSION);
	return s;
}
