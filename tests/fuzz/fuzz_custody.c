/* fuzz_custody.c — the custody ledger parser and checks (custody_verify.c): the input is
 * the ledger, written to a temporary file that scelle_verifier_set_ledger() points at (not
 * a memfd: the ledger is opened with O_NOFOLLOW, and /proc/self/fd/N is a link); the facts of
 * the archive it should describe are those of the seed ledger's archive
 * (tests/fuzz/corpus/custody/ledger.xml), so that mutations of it reach every check. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <libxml/parser.h>
#include "fuzz.h"
#include "verify_ctx.h"

static struct scelle_verifier *v;
static int fd = -1;
static char path[4096];

static void remove_ledger(void)
{
	unlink(path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");
	xmlInitParser();
	v = scelle_verifier_new();
	snprintf(path, sizeof(path), "%s/fuzz-ledger.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!v || (fd = mkstemp(path)) < 0)
		return -1;
	atexit(remove_ledger);
	return scelle_verifier_set_ledger(v, path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vctx c = { .v = v, .fd = -1 };
	if (size > FUZZ_MAX_INPUT || fd < 0 || ftruncate(fd, 0) != 0 ||
	    pwrite(fd, data, size, 0) != (ssize_t)size || !(c.r = result_new()))
		return 0;
	result_fact(c.r, F_SEAL_ID, "f5b51f427cc637e33c881b1611c27e4c543abf9f8e51f36efe48d5147c1c2375");
	result_fact(c.r, F_FILE_DIGEST, "ac37aba1d85fb8dce86713421aaca3addf56d38fb2937492b148344166c89eb3");
	result_fact(c.r, F_SEALED_AT, "2026-11-28T16:36:29Z");
	result_fact(c.r, F_OFFICER, "Capitaine Demo Martin");
	result_fact(c.r, F_OFFICER_COUNTRY, "FR");
	verify_custody(&c, "sealed.asice");
	result_finish(c.r);
	scelle_result_free(c.r);
	return 0;
}
