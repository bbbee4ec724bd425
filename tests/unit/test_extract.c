/* test_extract.c — scelle_verifier_extract() through the public header: its error codes,
 * the count of items written, and what the CLI cannot show: an archive swapped for another
 * between verification and extraction is caught by the second hash, and the file removed. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include "scelle.h"
#include "tap.h"

static char dir[] = "/tmp/scelle-unit-extract.XXXXXX";
static char key_path[300], cert_path[300];

/* A self-signed P-256 certificate that signs the archives and is their trust anchor. */
static int make_signer(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_EXTENSION *e = NULL;
	X509V3_CTX ctx;
	FILE *f;
	int good = k && x && X509_set_version(x, 2) && ASN1_INTEGER_set(X509_get_serialNumber(x), 7) &&
	    X509_gmtime_adj(X509_getm_notBefore(x), -3600) && X509_gmtime_adj(X509_getm_notAfter(x), 86400) &&
	    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
		(const unsigned char *)"Extract Test Officer", -1, -1, 0) &&
	    X509_set_issuer_name(x, X509_get_subject_name(x)) && X509_set_pubkey(x, k);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	good = good && (e = X509V3_EXT_conf_nid(NULL, &ctx, NID_key_usage, "critical,digitalSignature,keyCertSign")) &&
	    X509_add_ext(x, e, -1) && X509_sign(x, k, EVP_sha256());
	X509_EXTENSION_free(e);
	if (good && (f = fopen(key_path, "w"))) {
		good = PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
		good &= fclose(f) == 0;
	}
	if (good && (f = fopen(cert_path, "w"))) {
		good = PEM_write_X509(f, x);
		good &= fclose(f) == 0;
	}
	EVP_PKEY_free(k);
	X509_free(x);
	return good ? 0 : -1;
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	return f && fputs(text, f) >= 0 && fclose(f) == 0 ? 0 : -1;
}

static char *path_in(const char *name)
{
	static char p[8][300];
	static int n;
	char *s = p[n++ % 8];
	snprintf(s, sizeof(p[0]), "%s/%s", dir, name);
	return s;
}

/* Seals folder `in` (one text file in a subfolder) into `out`. */
static int seal(const char *in, const char *out)
{
	struct scelle_sealer *s = scelle_sealer_new();
	int rc = s && scelle_sealer_set_signer(s, key_path, cert_path) == SCELLE_OK &&
	    scelle_sealer_add_input(s, in, "seized") == SCELLE_OK && scelle_sealer_write(s, out, 0) == SCELLE_OK;
	scelle_sealer_free(s);
	return rc ? 0 : -1;
}

static int same_text(const char *path, const char *text)
{
	char buf[256] = { 0 };
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	if (f)
		fclose(f);
	return f && n == strlen(text) && memcmp(buf, text, n) == 0;
}

int main(void)
{
	const char *first = "the first seizure\n", *second = "a different seizure\n";
	size_t written = 99;

	if (!mkdtemp(dir))
		return 2;
	snprintf(key_path, sizeof(key_path), "%s/officer.key", dir);
	snprintf(cert_path, sizeof(cert_path), "%s/officer.pem", dir);
	if (make_signer() != 0 || mkdir(path_in("a"), 0700) || mkdir(path_in("a/notes"), 0700) ||
	    write_file(path_in("a/notes/note.txt"), first) || mkdir(path_in("b"), 0700) ||
	    mkdir(path_in("b/notes"), 0700) || write_file(path_in("b/notes/note.txt"), second))
		return 2;
	ok(seal(path_in("a"), path_in("a.asice")) == 0 && seal(path_in("b"), path_in("b.asice")) == 0,
	    "two archives with the same item path and different bytes are sealed");

	struct scelle_verifier *v = scelle_verifier_new();
	scelle_verifier_add_trust(v, cert_path);
	scelle_verifier_set_flags(v, SCELLE_VERIFY_NO_TIMESTAMP_OK);
	struct scelle_result *r = scelle_verify(v, path_in("a.asice"));
	ok(r && scelle_result_verdict(r) == SCELLE_PASSED, "a.asice verifies");

	const char *sel[] = { "seized/notes/note.txt" };
	ok(scelle_verifier_extract(v, r, path_in("a.asice"), path_in("out"), sel, 1, 0, &written) == SCELLE_OK &&
	    written == 1, "one selected item is extracted: %s", scelle_verifier_errmsg(v));
	ok(same_text(path_in("out/seized/notes/note.txt"), first), "with its bytes");
	ok(scelle_verifier_extract(v, r, path_in("a.asice"), path_in("out"), NULL, 0, 0, &written) == SCELLE_E_EXISTS &&
	    written == 0, "again into the same folder: SCELLE_E_EXISTS, nothing written");
	const char *nope[] = { "seized/missing.txt" };
	ok(scelle_verifier_extract(v, r, path_in("a.asice"), path_in("out2"), nope, 1, 0, &written) == SCELLE_E_USAGE,
	    "an item that is not in the archive: SCELLE_E_USAGE (%s)", scelle_verifier_errmsg(v));

	/* b.asice has the same entry names: extracting it with a.asice's result is what happens
	 * when the file is replaced after verification. */
	ok(scelle_verifier_extract(v, r, path_in("b.asice"), path_in("swap"), NULL, 0, 0, &written) == SCELLE_E_INPUT &&
	    written == 0, "an archive swapped after verification is caught: %s", scelle_verifier_errmsg(v));
	ok(strstr(scelle_verifier_errmsg(v), "does not match the SHA-256 verified") != NULL, "and named");
	ok(access(path_in("swap/seized/notes/note.txt"), F_OK) != 0, "the file that did not match is removed");

	ok(mkdir(path_in("planted"), 0700) == 0 &&
	    symlink(path_in("b"), path_in("planted/seized")) == 0, "a symbolic link planted in the target");
	ok(scelle_verifier_extract(v, r, path_in("a.asice"), path_in("planted"), NULL, 0, 0, NULL) == SCELLE_E_EXISTS,
	    "is not written through: %s", scelle_verifier_errmsg(v));
	ok(same_text(path_in("b/notes/note.txt"), second), "and what it points at is unchanged");

	ok(scelle_verifier_extract(v, r, path_in("a.asice"), path_in("bag"), NULL, 0, SCELLE_EXTRACT_BAGIT, &written)
	    == SCELLE_OK && written == 1, "a bag");
	ok(access(path_in("bag/bagit.txt"), F_OK) == 0 && access(path_in("bag/manifest-sha256.txt"), F_OK) == 0 &&
	    same_text(path_in("bag/data/seized/notes/note.txt"), first), "with its tag files and data/");

	/* any TOTAL-FAILED result will do: a file that is not an archive (t41 tests forgeries) */
	write_file(path_in("junk.asice"), "not a zip\n");
	struct scelle_result *bad = scelle_verify(v, path_in("junk.asice"));
	ok(bad && scelle_result_verdict(bad) == SCELLE_FAILED, "a file that is not an archive is TOTAL-FAILED");
	ok(scelle_verifier_extract(v, bad, path_in("junk.asice"), path_in("out3"), NULL, 0, 0, NULL) == SCELLE_E_INPUT,
	    "and refused: %s", scelle_verifier_errmsg(v));
	ok(access(path_in("out3"), F_OK) != 0, "without creating the folder");
	/* no verdict for what cannot be read: NULL, the reason on the verifier (scelle.h) */
	ok(!scelle_verify(v, path_in("none.asice")) && strstr(scelle_verifier_errmsg(v), "No such file"),
	    "a missing archive gives no result: %s", scelle_verifier_errmsg(v));
	ok(mkfifo(path_in("fifo.asice"), 0600) == 0 && !scelle_verify(v, path_in("fifo.asice")) &&
	    strstr(scelle_verifier_errmsg(v), "it is a FIFO"), "a FIFO is refused, not waited on: %s",
	    scelle_verifier_errmsg(v));
	ok(scelle_verifier_extract(NULL, r, path_in("a.asice"), path_in("x"), NULL, 0, 0, NULL) == SCELLE_E_USAGE &&
	    scelle_verifier_extract(v, NULL, path_in("a.asice"), path_in("x"), NULL, 0, 0, NULL) == SCELLE_E_USAGE,
	    "NULL handle or result: SCELLE_E_USAGE");

	scelle_result_free(bad);
	scelle_result_free(r);
	scelle_verifier_free(v);
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 2;
	return done_testing();
}
