/* fuzz_tsa_request.c — the RFC 3161 responder core of `scelle tsa` (tsa_respond): any
 * host that reaches the port sends it a DER TimeStampReq.  Each reply is parsed back; a
 * granted one must carry a token that tsa_token_check finds well-formed.  The TSA key and
 * certificate come from a test PKI (tests/pki.sh) named by SCELLE_FUZZ_PKI. */
#include <stdio.h>
#include <stdlib.h>
#include <openssl/ts.h>
#include "crypto.h"
#include "fuzz.h"
#include "internal.h"

static struct tsa_responder *r;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char cert[4096], key[4096];
	const char *pki = getenv("SCELLE_FUZZ_PKI");
	struct scerr e = { 0 };
	if (!pki) {
		fprintf(stderr, "fuzz_tsa_request: set SCELLE_FUZZ_PKI to a tests/pki.sh folder\n");
		exit(2);
	}
	snprintf(cert, sizeof(cert), "%s/tsa.pem", pki);
	snprintf(key, sizeof(key), "%s/tsa.key", pki);
	struct tsa_responder_config cfg = { .cert = cert, .key = key };
	if (!(r = tsa_responder_new(&cfg, &e))) {
		fprintf(stderr, "fuzz_tsa_request: %s\n", e.msg);
		exit(2);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *resp = NULL;
	size_t len = 0;
	if (size > FUZZ_MAX_INPUT)
		return 0;
	int rc = tsa_respond(r, data, size, &resp, &len);
	if (rc >= 0) {
		const unsigned char *p = resp;
		TS_RESP *tr = d2i_TS_RESP(NULL, &p, (long)len);
		if (!tr)
			__builtin_trap();	/* every reply must be a TimeStampResp */
		if (rc == 0 && !TS_RESP_get_token(tr))
			__builtin_trap();	/* a grant without a token */
		TS_RESP_free(tr);
	}
	free(resp);
	return 0;
}
