/* test_signer.c — the signer setters through the public header: the key and the chain may
 * be given in either order (scelle_sealer_set_signer before or after
 * scelle_sealer_add_chain, and the same for custody), and the signature embeds the same
 * certificates either way. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <archive.h>
#include <archive_entry.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include "scelle.h"
#include "tap.h"

static char dir[] = "/tmp/scelle-unit-signer.XXXXXX";
static char key_path[256], cert_path[256], chain_path[256], item[256];

static int add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	int rc = e && X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	return rc;
}

/* A self-signed certificate named cn into cert (and its key into key, if not NULL). */
static int make_cert(const char *cn, const char *key, const char *cert, int ca)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *n = X509_get_subject_name(x);
	FILE *f;
	int ok = k && x;
	ok = ok && X509_set_version(x, 2) && ASN1_INTEGER_set(X509_get_serialNumber(x), ca ? 2 : 1);
	ok = ok && X509_gmtime_adj(X509_getm_notBefore(x), -3600) && X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	ok = ok && X509_NAME_add_entry_by_txt(n, "C", MBSTRING_ASC, (const unsigned char *)"FR", -1, -1, 0) &&
	    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	ok = ok && X509_set_issuer_name(x, n) && X509_set_pubkey(x, k);
	ok = ok && add_ext(x, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE") &&
	    add_ext(x, NID_key_usage, ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
	ok = ok && X509_sign(x, k, EVP_sha256());
	if (ok && key && (f = fopen(key, "w"))) {
		ok = PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
		fclose(f);
	}
	if (ok && (f = fopen(cert, "w"))) {
		ok = PEM_write_X509(f, x);
		fclose(f);
	}
	EVP_PKEY_free(k);
	X509_free(x);
	return ok ? 0 : -1;
}

/* The subjects' common names of the certificates the archive's CAdES signature embeds,
 * sorted and joined by ",", into out; -1 if it cannot be read. */
static int embedded(const char *archive, char *out, size_t len)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	unsigned char *der = NULL;
	long n = 0;
	int rc = -1;
	archive_read_support_format_zip(a);
	if (archive_read_open_filename(a, archive, 16384) != ARCHIVE_OK)
		goto out;
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		if (strcmp(archive_entry_pathname(e), "META-INF/signature001.p7s") != 0)
			continue;
		n = (long)archive_entry_size(e);
		if (n <= 0 || !(der = malloc((size_t)n)) || archive_read_data(a, der, (size_t)n) != n)
			goto out;
		break;
	}
	const unsigned char *p = der;
	CMS_ContentInfo *cms = der ? d2i_CMS_ContentInfo(NULL, &p, n) : NULL;
	STACK_OF(X509) *certs = cms ? CMS_get1_certs(cms) : NULL;
	char names[4][64] = { "" };
	int k = certs ? sk_X509_num(certs) : 0;
	for (int i = 0; i < k && i < 4; i++)
		X509_NAME_get_text_by_NID(X509_get_subject_name(sk_X509_value(certs, i)), NID_commonName,
		    names[i], sizeof(names[i]));
	qsort(names, (size_t)(k < 4 ? k : 4), sizeof(names[0]), (int (*)(const void *, const void *))strcmp);
	out[0] = '\0';
	for (int i = 0; i < k && i < 4; i++)
		snprintf(out + strlen(out), len - strlen(out), "%s%s", i ? "," : "", names[i]);
	rc = cms ? 0 : -1;
	sk_X509_pop_free(certs, X509_free);
	CMS_ContentInfo_free(cms);
out:
	free(der);
	archive_read_free(a);
	return rc;
}

/* Seals item into dir/name, with the key before the chain or after it. */
static int seal(const char *name, int chain_first, char *certs, size_t len)
{
	char out[300];
	snprintf(out, sizeof(out), "%s/%s", dir, name);
	struct scelle_sealer *s = scelle_sealer_new();
	int rc = s ? 0 : -1;
	if (!rc && chain_first)
		rc = scelle_sealer_add_chain(s, chain_path);
	if (!rc)
		rc = scelle_sealer_set_signer(s, key_path, cert_path);
	if (!rc && !chain_first)
		rc = scelle_sealer_add_chain(s, chain_path);
	if (!rc)
		rc = scelle_sealer_add_input(s, item, NULL);
	if (!rc)
		rc = scelle_sealer_write(s, out, 0);
	if (rc)
		printf("# %s\n", scelle_sealer_errmsg(s));
	scelle_sealer_free(s);
	return rc ? rc : embedded(out, certs, len);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 2;
	snprintf(key_path, sizeof(key_path), "%s/officer.key", dir);
	snprintf(cert_path, sizeof(cert_path), "%s/officer.pem", dir);
	snprintf(chain_path, sizeof(chain_path), "%s/chain.pem", dir);
	snprintf(item, sizeof(item), "%s/note.txt", dir);
	FILE *f = fopen(item, "w");
	if (!f || make_cert("Unit Officer", key_path, cert_path, 0) || make_cert("Unit CA", NULL, chain_path, 1))
		return 2;
	fputs("seized note\n", f);
	fclose(f);

	char after[256], before[256];
	ok(seal("after.asice", 0, after, sizeof(after)) == 0, "sealed with the chain added after the key");
	is_str(after, "Unit CA,Unit Officer", "the signature embeds the signer and the chain");
	ok(seal("before.asice", 1, before, sizeof(before)) == 0, "sealed with the chain added before the key");
	is_str(before, after, "the same certificates either way");

	struct scelle_custody *c = scelle_custody_new();
	ok(c && scelle_custody_add_chain(c, chain_path) == SCELLE_OK &&
	    scelle_custody_set_signer(c, key_path, cert_path) == SCELLE_OK,
	    "custody: the chain may come before the key too");
	scelle_custody_free(c);

	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return done_testing();
}
