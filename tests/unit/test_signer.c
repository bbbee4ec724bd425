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
#include "scelle.h"
#include "tap.h"
#include "fixture.h"

static char dir[] = "/tmp/scelle-unit-signer.XXXXXX";
static char key_path[FIXTURE_PATH], cert_path[FIXTURE_PATH], chain_path[256], item[FIXTURE_PATH];

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
	if (officer_fixture(dir, NULL, key_path, cert_path, item) != 0)
		return 2;
	snprintf(chain_path, sizeof(chain_path), "%s/chain.pem", dir);
	if (make_cert("Unit CA", NULL, 1, NULL, chain_path) != 0)
		return 2;

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
