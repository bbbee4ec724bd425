/*
 * seal_and_verify.c — a case-management system calling libscelle: seal some files, then
 * verify the archive as the receiving authority would, and print the verdict.
 *
 *   cc $(pkg-config --cflags scelle) -o seal_and_verify seal_and_verify.c \
 *       $(pkg-config --libs scelle)
 *   ./seal_and_verify KEY CERT CA.pem OUT.asice FILE-OR-FOLDER...
 *
 * SCELLE_EXAMPLE_CRL names the CRL of the certificate's issuer, embedded (CAdES-B-LT) when
 * the certificate names no CRL distribution point or OCSP responder to fetch it from: a
 * receiver needs the signer's revocation status to reach TOTAL-PASSED.
 *
 * Exit status as scelle(1): 0 TOTAL-PASSED, 1 TOTAL-FAILED, 3 INDETERMINATE, 2 error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <scelle.h>

/* The pass phrase of an encrypted key, from the environment (a real system would ask its
 * key store).  Return -1 when there is none: libscelle then fails with SCELLE_E_KEY. */
static int pass_from_env(char *buf, int size, const char *what, void *arg)
{
	const char *p = getenv((const char *)arg);
	(void)what;
	if (!p || snprintf(buf, (size_t)size, "%s", p) >= size)
		return -1;
	return (int)strlen(buf);
}

static int seal(const char *key, const char *cert, const char *out, char **inputs, int n)
{
	struct scelle_sealer *s = scelle_sealer_new();
	int rc = 2;

	if (!s) {
		fputs("seal_and_verify: out of memory\n", stderr);
		return 2;
	}
	scelle_sealer_set_pass_cb(s, pass_from_env, "SCELLE_EXAMPLE_PASS");
	/* Every call reports failure through its return value and leaves the reason on the
	 * handle; nothing is written until scelle_sealer_write(). */
	const char *crl = getenv("SCELLE_EXAMPLE_CRL");
	if (scelle_sealer_set_signer(s, key, cert) ||
	    (crl && scelle_sealer_add_revocation_data(s, crl)) ||
	    scelle_sealer_add_case_ref(s, "Example Unit", "FR", "2026/EX/0001") ||
	    scelle_sealer_set_officer(s, "name", "Example Officer") ||
	    scelle_sealer_set_officer(s, "country", "FR") ||
	    scelle_sealer_add_digest(s, "sha512"))
		goto fail;
	for (int i = 0; i < n; i++)
		if (scelle_sealer_add_input(s, inputs[i], NULL))
			goto fail;
	if (scelle_sealer_write(s, out, 0))
		goto fail;
	printf("sealed %s\nseal identifier %s\nfile digest     %s\n", out,
	    scelle_sealer_seal_id(s), scelle_sealer_file_digest(s));
	rc = 0;
	goto done;
fail:
	fprintf(stderr, "seal_and_verify: %s\n", scelle_sealer_errmsg(s));
done:
	scelle_sealer_free(s);
	return rc;
}

static int verify(const char *ca, const char *archive)
{
	struct scelle_verifier *v = scelle_verifier_new();
	struct scelle_result *r = NULL;
	int rc = 2;

	if (!v || scelle_verifier_add_trust(v, ca)) {
		fprintf(stderr, "seal_and_verify: %s\n", v ? scelle_verifier_errmsg(v) : "out of memory");
		goto done;
	}
	/* This example seals without a time-stamp authority; say that this is accepted. */
	scelle_verifier_set_flags(v, SCELLE_VERIFY_NO_TIMESTAMP_OK);
	if (!(r = scelle_verify(v, archive))) {	/* cannot be read: no verdict */
		fprintf(stderr, "seal_and_verify: %s\n", scelle_verifier_errmsg(v));
		goto done;
	}
	enum scelle_verdict verdict = scelle_result_verdict(r);
	printf("verdict %s\n", scelle_verdict_name(verdict));
	for (size_t i = 0; i < scelle_result_check_count(r); i++) {
		const struct scelle_check *c = scelle_result_check(r, i);
		if (c->status != SCELLE_PASSED)
			printf("  %s: %s%s%s\n", c->id, c->message, c->subindication ? " " : "",
			    c->subindication ? c->subindication : "");
	}
	for (size_t i = 0; i < scelle_result_item_count(r); i++) {
		const struct scelle_item *it = scelle_result_item(r, i);
		printf("item %s %s %s\n", it->ok ? "ok " : "BAD", it->sha256, it->path);
	}
	rc = (int)verdict;	/* the enum values are the exit codes of scelle(1) */
done:
	scelle_result_free(r);
	scelle_verifier_free(v);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 6) {
		fprintf(stderr, "usage: seal_and_verify KEY CERT CA.pem OUT.asice FILE-OR-FOLDER...\n"
				"       (%s)\n", scelle_version_details());
		return 2;
	}
	int rc = seal(argv[1], argv[2], argv[4], argv + 5, argc - 5);
	return rc ? rc : verify(argv[3], argv[4]);
}
