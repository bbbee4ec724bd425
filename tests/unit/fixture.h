/* fixture.h — what the unit tests that sign start from (test_custody.c, test_signer.c):
 * throw-away certificates (each self-signed, EC P-256, valid from an hour ago for a day)
 * and a folder with an officer's key and certificate and one item to seal. */
#ifndef SCELLE_TEST_FIXTURE_H
#define SCELLE_TEST_FIXTURE_H
#include <stdio.h>
#include <stdlib.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

static int add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	int rc = e && X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	return rc;
}

/* A self-signed certificate, subject C=FR, O=org (when not NULL), CN=cn, into the PEM file
 * cert, and its key into key (when not NULL).  ca: a CA certificate (serial 2), else an
 * end entity that signs (serial 1).  0 or -1. */
static int make_cert(const char *cn, const char *org, int ca, const char *key, const char *cert)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *n = X509_get_subject_name(x);
	FILE *f;
	int ok = k && x;
	ok = ok && X509_set_version(x, 2) && ASN1_INTEGER_set(X509_get_serialNumber(x), ca ? 2 : 1);
	ok = ok && X509_gmtime_adj(X509_getm_notBefore(x), -3600) && X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	ok = ok && X509_NAME_add_entry_by_txt(n, "C", MBSTRING_ASC, (const unsigned char *)"FR", -1, -1, 0) &&
	    (!org || X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)org, -1, -1, 0)) &&
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

/* Makes the folder dir (a mkdtemp template) and in it officer.key and officer.pem (the
 * officer "Unit Officer", organisation org or none) and note.txt, one line of evidence;
 * their paths into key, cert and item (FIXTURE_PATH bytes each).  0 or -1. */
#define FIXTURE_PATH 256
static int officer_fixture(char *dir, const char *org, char *key, char *cert, char *item)
{
	FILE *f;
	if (!mkdtemp(dir))
		return -1;
	snprintf(key, FIXTURE_PATH, "%s/officer.key", dir);
	snprintf(cert, FIXTURE_PATH, "%s/officer.pem", dir);
	snprintf(item, FIXTURE_PATH, "%s/note.txt", dir);
	if (make_cert("Unit Officer", org, 0, key, cert) != 0 || !(f = fopen(item, "w")))
		return -1;
	fputs("seized note\n", f);
	return fclose(f) == 0 ? 0 : -1;
}

#endif
