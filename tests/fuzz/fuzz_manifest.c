/* fuzz_manifest.c — ASiCManifest001.xml parser of verify.c (parse_manifest), with the
 * coverage check, against the entry names of a typical sealed archive. */
#include <libxml/parser.h>
#include "fuzz.h"
#include "result.h"
#include "verify_ctx.h"

static const char *const names[] = {
	"mimetype", "evidence.xml", "evidence/a/photo.png", "evidence/a/chat.txt",
	"META-INF/ASiCManifest001.xml", "META-INF/signature001.p7s",
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	xmlInitParser();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0 || size > FUZZ_MAX_INPUT)
		return 0;
	scelle_result_free(verify_docs(data, size, NULL, 0, names, sizeof(names) / sizeof(names[0])));
	return 0;
}
