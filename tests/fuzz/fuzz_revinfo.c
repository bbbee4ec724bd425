/* fuzz_revinfo.c — the DER walker of cms_revinfo.c, which reads OCSP responses out of the
 * SignedData.crls of an archive's signature (hostile input) and writes them into one. */
#include <stdlib.h>
#include <openssl/ocsp.h>
#include "crypto.h"
#include "fuzz.h"
#include "internal.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char resp[] = { 0x30, 0x03, 0x0a, 0x01, 0x03 }; /* tryLater */
	struct buf ocsp = { (unsigned char *)resp, sizeof(resp), 0 }, out = { 0 };
	OCSP_RESPONSE **v;
	size_t n = 0;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	v = cms_der_get_ocsp(data, size, &n);
	for (size_t i = 0; i < n; i++)
		OCSP_RESPONSE_free(v[i]);
	free(v);
	/* What is written must read back with one response more than was there. */
	if (cms_der_add_ocsp(data, size, &ocsp, 1, &out) == 0) {
		size_t m = 0;
		v = cms_der_get_ocsp(out.data, out.len, &m);
		if (m != n + 1)
			abort();
		for (size_t i = 0; i < m; i++)
			OCSP_RESPONSE_free(v[i]);
		free(v);
	}
	buf_release(&out);
	return 0;
}
