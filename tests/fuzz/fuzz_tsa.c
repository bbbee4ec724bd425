/* fuzz_tsa.c — the RFC 3161 token checks (tsa_token_check in timestamp.c): the CMS
 * signature over TSTInfo, the imprint, ESS signing-certificate, the TSA's EKU.  The data
 * the token should cover is fixed, so the imprint check fails unless the fuzzer forges a
 * matching one; every other check still runs on what it made. */
#include "crypto.h"
#include "fuzz.h"
#include "internal.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char covered[] = "the signature value a token covers";
	struct tsa_token_info info;
	struct scerr e = { 0 };
	if (size > FUZZ_MAX_INPUT)
		return 0;
	tsa_token_check(data, size, covered, sizeof(covered) - 1, NULL, &info, &e);
	return 0;
}
