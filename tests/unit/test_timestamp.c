/* test_timestamp.c — the RFC 3161 responder core and the token check, in process: requests
 * go straight into tsa_respond(), tokens straight into tsa_token_check().  The HTTP side and
 * the stock-openssl responder are covered by tests/cli/t30-tsa.sh.  Internal API, so this
 * test includes internal.h.  The test PKI comes from tests/pki.sh (run from the top dir). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include "crypto.h"
#include "internal.h"
#include "tap.h"

static char dir[64], pki[128];

static const char *path(const char *name)
{
	static char p[4][256];
	static int i;
	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", pki, name);
	return p[i];
}

/* A DER TimeStampReq for SHA-256(data), with certReq and an optional policy. */
static unsigned char *make_query(const char *data, const char *policy, size_t *len)
{
	unsigned char md[32], *der = NULL;
	unsigned int mdlen;
	TS_REQ *req = TS_REQ_new();
	TS_MSG_IMPRINT *mi = TS_MSG_IMPRINT_new();
	X509_ALGOR *alg = X509_ALGOR_new();
	ASN1_OBJECT *pol = policy ? OBJ_txt2obj(policy, 1) : NULL;
	EVP_Digest(data, strlen(data), md, &mdlen, EVP_sha256(), NULL);
	X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, NULL);
	TS_MSG_IMPRINT_set_algo(mi, alg);
	TS_MSG_IMPRINT_set_msg(mi, md, 32);
	TS_REQ_set_version(req, 1);
	TS_REQ_set_msg_imprint(req, mi);
	TS_REQ_set_cert_req(req, 1);
	if (pol)
		TS_REQ_set_policy_id(req, pol);
	int n = i2d_TS_REQ(req, &der);
	*len = n > 0 ? (size_t)n : 0;
	ASN1_OBJECT_free(pol);
	X509_ALGOR_free(alg);
	TS_MSG_IMPRINT_free(mi);
	TS_REQ_free(req);
	return der;
}

static TS_RESP *ask(struct tsa_responder *r, const unsigned char *q, size_t qlen, int *rc)
{
	unsigned char *der;
	size_t len;
	*rc = tsa_respond(r, q, qlen, &der, &len);
	if (*rc < 0)
		return NULL;
	const unsigned char *p = der;
	TS_RESP *resp = d2i_TS_RESP(NULL, &p, (long)len);
	free(der);
	return resp;
}

static long status_of(TS_RESP *resp)
{
	return resp ? ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(resp)))
		    : -1;
}

static int failure_bit(TS_RESP *resp, int bit)
{
	const ASN1_BIT_STRING *fi =
	    resp ? TS_STATUS_INFO_get0_failure_info(TS_RESP_get_status_info(resp)) : NULL;
	return fi && ASN1_BIT_STRING_get_bit(fi, bit);
}

static unsigned char *token_der(TS_RESP *resp, size_t *len)
{
	unsigned char *der = NULL;
	int n = resp && TS_RESP_get_token(resp) ? i2d_PKCS7(TS_RESP_get_token(resp), &der) : -1;
	*len = n > 0 ? (size_t)n : 0;
	return der;
}

static X509_STORE *store_of(const char *pem)
{
	X509_STORE *s = X509_STORE_new();
	if (s && X509_STORE_load_file(s, path(pem)) != 1) {
		X509_STORE_free(s);
		return NULL;
	}
	return s;
}

static struct tsa_responder *responder(const char *cert, const char *key, const char *policy,
    const char *serial_file, struct scerr *e)
{
	struct tsa_responder_config cfg = { 0 };
	cfg.cert = path(cert);
	cfg.key = path(key);
	cfg.policy = policy;
	cfg.serial_file = serial_file;
	scerr_clear(e);
	return tsa_responder_new(&cfg, e);
}

static void test_setup_errors(void)
{
	struct scerr e;
	struct tsa_responder *r;

	r = responder("tsa-noeku.pem", "tsa-noeku.key", NULL, NULL, &e);
	ok(!r && strstr(e.msg, "critical timeStamping extended key usage"),
	    "a certificate without the timeStamping EKU cannot run a TSA: %s", e.msg);
	tsa_responder_free(r);
	r = responder("tsa.pem", "officer.key", NULL, NULL, &e);
	ok(!r && strstr(e.msg, "does not match"), "a key of another certificate is refused: %s",
	    e.msg);
	tsa_responder_free(r);
	r = responder("tsa.pem", "tsa.key", "not-an-oid", NULL, &e);
	is_str(e.msg, "invalid policy OID 'not-an-oid'", "a bad policy OID is refused");
	tsa_responder_free(r);
	r = responder("tsa.pem", "missing.key", NULL, NULL, &e);
	ok(!r && strstr(e.msg, "cannot open") && strstr(e.msg, "missing.key"),
	    "a missing key file is named: %s", e.msg);
	tsa_responder_free(r);
}

static void test_round_trip(void)
{
	struct scerr e;
	struct tsa_token_info info;
	struct tsa_responder *r = responder("tsa.pem", "tsa.key", NULL, NULL, &e);
	X509_STORE *trust = store_of("tsa-ca.pem"), *wrong = store_of("ca.pem");
	const char *data = "the SignerInfo signature value";
	size_t qlen, tlen;
	unsigned char *q = make_query(data, NULL, &qlen), *tok;
	int rc;
	TS_RESP *resp = ask(r, q, qlen, &rc);

	ok(r && rc == 0 && status_of(resp) == TS_STATUS_GRANTED, "a well-formed query is granted");
	TS_TST_INFO *tst = resp ? TS_RESP_get_tst_info(resp) : NULL;
	const TS_ACCURACY *acc = tst ? TS_TST_INFO_get_accuracy(tst) : NULL;
	ok(acc && ASN1_INTEGER_get(TS_ACCURACY_get_seconds(acc)) == 1, "accuracy is one second");
	PKCS7 *p7 = resp ? TS_RESP_get_token(resp) : NULL;
	PKCS7_SIGNER_INFO *si =
	    p7 ? sk_PKCS7_SIGNER_INFO_value(PKCS7_get_signer_info(p7), 0) : NULL;
	ok(si && PKCS7_get_signed_attribute(si, NID_id_smime_aa_signingCertificateV2) &&
		!PKCS7_get_signed_attribute(si, NID_id_smime_aa_signingCertificate),
	    "the token names its certificate with ESSCertIDv2 only (RFC 5816)");

	tok = token_der(resp, &tlen);
	tsa_token_check(tok, tlen, (const unsigned char *)data, strlen(data), trust, &info, &e);
	ok(info.status == SCELLE_PASSED && !info.subindication, "the token passes: %s",
	    info.reason);
	is_str(info.policy, TSA_DEMO_POLICY, "the demo policy is the default");
	is_str(info.signer, "CN=Demo TSA 1,O=Demo Time Authority,C=FR", "the TSA is named");
	ok(info.gen_time > time(NULL) - 60 && info.gen_time <= time(NULL), "genTime is now");
	ok(strlen(info.serial) >= 16, "without a serial file the serial is long and random: %s",
	    info.serial);

	tsa_token_check(tok, tlen, (const unsigned char *)"other", 5, trust, &info, &e);
	ok(info.status == SCELLE_FAILED, "a token over other data fails");
	is_str(info.subindication, "HASH_FAILURE", "... with HASH_FAILURE");

	tsa_token_check(tok, tlen, (const unsigned char *)data, strlen(data), NULL, &info, &e);
	ok(info.status == SCELLE_INDETERMINATE && info.no_trust_anchor,
	    "without trust anchors the token is indeterminate: %s", info.reason);

	tsa_token_check(tok, tlen, (const unsigned char *)data, strlen(data), wrong, &info, &e);
	ok(info.status == SCELLE_INDETERMINATE && !info.no_trust_anchor,
	    "a TSA outside the trust anchors is indeterminate");
	is_str(info.subindication, "NO_CERTIFICATE_CHAIN_FOUND", "... NO_CERTIFICATE_CHAIN_FOUND");

	/* The signature value is the last thing in the DER token: change its last byte. */
	tok[tlen - 1] ^= 0x01;
	tsa_token_check(tok, tlen, (const unsigned char *)data, strlen(data), trust, &info, &e);
	ok(info.status == SCELLE_FAILED, "a token with a changed signature fails: %s",
	    info.reason);
	is_str(info.subindication, "SIG_CRYPTO_FAILURE", "... with SIG_CRYPTO_FAILURE");

	tsa_token_check(tok, tlen / 2, (const unsigned char *)data, strlen(data), trust, &info, &e);
	is_str(info.subindication, "FORMAT_FAILURE", "a truncated token is a FORMAT_FAILURE");
	tsa_token_check(q, qlen, (const unsigned char *)data, strlen(data), trust, &info, &e);
	is_str(info.subindication, "FORMAT_FAILURE", "a query is not a token");

	OPENSSL_free(tok);
	OPENSSL_free(q);
	TS_RESP_free(resp);
	X509_STORE_free(trust);
	X509_STORE_free(wrong);
	tsa_responder_free(r);
}

static void test_bad_requests(void)
{
	struct scerr e;
	struct tsa_responder *r = responder("tsa.pem", "tsa.key", "1.2.3.4", NULL, &e);
	size_t qlen;
	unsigned char *q = make_query("data", "1.2.3.5", &qlen), junk[512];
	int rc, all_rejected = 1;
	TS_RESP *resp = ask(r, q, qlen, &rc);

	ok(rc == 1 && status_of(resp) == TS_STATUS_REJECTION &&
		failure_bit(resp, TS_INFO_UNACCEPTED_POLICY),
	    "a query for another policy is rejected with unacceptedPolicy");
	TS_RESP_free(resp);

	resp = ask(r, (const unsigned char *)"", 0, &rc);
	ok(rc == 1 && status_of(resp) == TS_STATUS_REJECTION &&
		failure_bit(resp, TS_INFO_BAD_DATA_FORMAT),
	    "an empty query is rejected with badDataFormat");
	TS_RESP_free(resp);

	/* Every prefix of a valid query, and random bytes: always a well-formed rejection. */
	for (size_t n = 1; n < qlen; n++) {
		resp = ask(r, q, n, &rc);
		all_rejected &= rc == 1 && failure_bit(resp, TS_INFO_BAD_DATA_FORMAT);
		TS_RESP_free(resp);
	}
	ok(all_rejected, "all %zu truncations of a query are rejected with badDataFormat", qlen - 1);
	all_rejected = 1;
	for (int i = 0; i < 200; i++) {
		size_t n = 1 + (size_t)i * 2;
		RAND_bytes(junk, (int)n);
		if (i % 2)
			junk[0] = 0x30; /* looks like a SEQUENCE */
		resp = ask(r, junk, n, &rc);
		all_rejected &= rc == 1 && status_of(resp) == TS_STATUS_REJECTION;
		TS_RESP_free(resp);
	}
	ok(all_rejected, "200 random inputs are rejected with a TimeStampResp");
	OPENSSL_free(q);
	tsa_responder_free(r);
}

static void test_serial_file(void)
{
	struct scerr e;
	struct tsa_token_info info;
	char sf[128], buf[64] = "";
	size_t qlen, tlen;
	unsigned char *q = make_query("data", NULL, &qlen), *tok;
	char serials[3][66];
	int rc;

	snprintf(sf, sizeof(sf), "%s/serial", dir);
	for (int round = 0; round < 2; round++) {
		/* A new responder on the same file, as after a restart. */
		struct tsa_responder *r = responder("tsa.pem", "tsa.key", NULL, sf, &e);
		for (int i = 0; i < (round ? 1 : 2); i++) {
			TS_RESP *resp = ask(r, q, qlen, &rc);
			tok = token_der(resp, &tlen);
			tsa_token_check(tok, tlen, (const unsigned char *)"data", 4, NULL, &info, &e);
			snprintf(serials[round * 2 + i], sizeof(serials[0]), "%s", info.serial);
			OPENSSL_free(tok);
			TS_RESP_free(resp);
		}
		tsa_responder_free(r);
	}
	is_str(serials[0], "01", "the first serial number is 1");
	is_str(serials[1], "02", "the second is 2");
	is_str(serials[2], "03", "after a restart the count goes on");
	FILE *f = fopen(sf, "r");
	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	is_str(buf, "3\n", "the serial file holds the last serial number");

	f = fopen(sf, "w");
	if (f) {
		fputs("banana\n", f);
		fclose(f);
	}
	struct tsa_responder *r = responder("tsa.pem", "tsa.key", NULL, sf, &e);
	ok(!r && strstr(e.msg, "does not hold a decimal number"),
	    "a corrupt serial file stops the responder: %s", e.msg);
	tsa_responder_free(r);
	OPENSSL_free(q);
}

int main(void)
{
	char cmd[512];
	snprintf(dir, sizeof(dir), "/tmp/scelle-unit-ts.XXXXXX");
	if (!mkdtemp(dir))
		return 2;
	snprintf(pki, sizeof(pki), "%s/pki", dir);
	snprintf(cmd, sizeof(cmd), "sh tests/pki.sh %s >/dev/null 2>&1", pki);
	ok(system(cmd) == 0, "the test PKI is made (run from the top of the tree)");

	test_setup_errors();
	test_round_trip();
	test_bad_requests();
	test_serial_file();

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	return done_testing();
}
