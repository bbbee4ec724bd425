/* test_verify_online.c — `verify --online` through the public header: a signature sealed
 * without revocation data, by an officer whose certificate names a CRL distribution point
 * on loopback, is judged with the CRL fetched from it then (verify_sig.c
 * verify_revocation): not revoked, the check passes and says so; revoked before the
 * signing time, it fails.  A CRL fetched and then not read would leave the status
 * unknown (INDETERMINATE, TRY_LATER).  `make mutate` replays recorded calls without their
 * servers, so this test is what judges that code (mutate.py UNITS). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <openssl/x509v3.h>
#include "scelle.h"
#include "tap.h"
#include "fixture.h"

static char dir[] = "/tmp/scelle-unit-online.XXXXXX";
static char path[6][FIXTURE_PATH];	/* CA key, CA cert, officer key, officer cert, item, CRL */
enum { CA_KEY, CA_CERT, KEY, CERT, ITEM, CRL };

static EVP_PKEY *read_key(const char *f)
{
	FILE *fp = fopen(f, "r");
	EVP_PKEY *k = fp ? PEM_read_PrivateKey(fp, NULL, NULL, NULL) : NULL;
	if (fp)
		fclose(fp);
	return k;
}

static X509 *read_cert(const char *f)
{
	FILE *fp = fopen(f, "r");
	X509 *x = fp ? PEM_read_X509(fp, NULL, NULL, NULL) : NULL;
	if (fp)
		fclose(fp);
	return x;
}

/* The officer's certificate, serial 7, issued by the CA, naming url as its CRL
 * distribution point; its key into path[KEY], itself into path[CERT].  0 or -1. */
static int make_officer(const char *url)
{
	EVP_PKEY *ck = read_key(path[CA_KEY]), *k = EVP_EC_gen("P-256");
	X509 *ca = read_cert(path[CA_CERT]), *x = X509_new();
	X509V3_CTX ctx;
	char dp[128];
	FILE *f;
	int ok = ck && ca && k && x;
	snprintf(dp, sizeof(dp), "URI:%s", url);
	ok = ok && X509_set_version(x, 2) && ASN1_INTEGER_set(X509_get_serialNumber(x), 7) &&
	    X509_gmtime_adj(X509_getm_notBefore(x), -3600) && X509_gmtime_adj(X509_getm_notAfter(x), 86400) &&
	    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
	    (const unsigned char *)"Online Officer", -1, -1, 0) &&
	    X509_set_issuer_name(x, X509_get_subject_name(ca)) && X509_set_pubkey(x, k);
	X509V3_set_ctx(&ctx, ca, x, NULL, NULL, 0);
	const struct { int nid; const char *v; } ext[] = {
		{ NID_basic_constraints, "critical,CA:FALSE" },
		{ NID_key_usage, "critical,digitalSignature,nonRepudiation" },
		{ NID_crl_distribution_points, dp },
	};
	for (size_t i = 0; ok && i < sizeof(ext) / sizeof(ext[0]); i++) {
		X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, ext[i].nid, ext[i].v);
		ok = e && X509_add_ext(x, e, -1);
		X509_EXTENSION_free(e);
	}
	ok = ok && X509_sign(x, ck, EVP_sha256());
	if (ok && (f = fopen(path[KEY], "w"))) {
		ok = PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
		fclose(f);
	}
	if (ok && (f = fopen(path[CERT], "w"))) {
		ok = PEM_write_X509(f, x);
		fclose(f);
	} else
		ok = 0;
	EVP_PKEY_free(ck);
	EVP_PKEY_free(k);
	X509_free(ca);
	X509_free(x);
	return ok ? 0 : -1;
}

/* The CA's CRL, current (issued a minute ago, next in an hour), DER into path[CRL]; when
 * revoked_at is not 0 it lists serial 7 as revoked then.  0 or -1. */
static int make_crl(time_t revoked_at)
{
	EVP_PKEY *ck = read_key(path[CA_KEY]);
	X509 *ca = read_cert(path[CA_CERT]);
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *last = ASN1_TIME_set(NULL, time(NULL) - 60), *next = ASN1_TIME_set(NULL, time(NULL) + 3600);
	int ok = ck && ca && crl && last && next && X509_CRL_set_version(crl, 1) &&
	    X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca)) &&
	    X509_CRL_set1_lastUpdate(crl, last) && X509_CRL_set1_nextUpdate(crl, next);
	if (ok && revoked_at) {
		X509_REVOKED *r = X509_REVOKED_new();
		ASN1_INTEGER *serial = ASN1_INTEGER_new();
		ASN1_TIME *when = ASN1_TIME_set(NULL, revoked_at);
		ok = r && serial && when && ASN1_INTEGER_set(serial, 7) &&
		    X509_REVOKED_set_serialNumber(r, serial) && X509_REVOKED_set_revocationDate(r, when) &&
		    X509_CRL_add0_revoked(crl, r);
		if (!ok)
			X509_REVOKED_free(r);
		ASN1_INTEGER_free(serial);
		ASN1_TIME_free(when);
	}
	ok = ok && X509_CRL_sort(crl) && X509_CRL_sign(crl, ck, EVP_sha256());
	FILE *f = ok ? fopen(path[CRL], "wb") : NULL;
	ok = f && i2d_X509_CRL_fp(f, crl);
	if (f)
		fclose(f);
	ASN1_TIME_free(last);
	ASN1_TIME_free(next);
	X509_CRL_free(crl);
	X509_free(ca);
	EVP_PKEY_free(ck);
	return ok ? 0 : -1;
}

/* An HTTP server on the listening socket s, in a child process: it answers every request
 * with the bytes of path[CRL] as they are then, until it is killed. */
static pid_t serve_crl(int s)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	for (int c; (c = accept(s, NULL, NULL)) >= 0; close(c)) {
		char in[4096], body[8192], head[160];
		size_t n = 0;
		for (ssize_t k; n < sizeof(in) && (k = read(c, in + n, sizeof(in) - n)) > 0;)
			if (memmem(in, n += (size_t)k, "\r\n\r\n", 4))
				break;
		FILE *f = fopen(path[CRL], "rb");
		size_t len = f ? fread(body, 1, sizeof(body), f) : 0;
		if (f)
			fclose(f);
		int hl = snprintf(head, sizeof(head), "HTTP/1.0 200 OK\r\nContent-Type: application/pkix-crl\r\n"
		    "Content-Length: %zu\r\nConnection: close\r\n\r\n", len);
		if (write(c, head, (size_t)hl) != hl || write(c, body, len) != (ssize_t)len)
			continue;
	}
	_exit(0);
}

static int seal(const char *out)
{
	struct scelle_sealer *s = scelle_sealer_new();
	int rc = s ? 0 : -1;
	if (!rc)
		rc = scelle_sealer_set_signer(s, path[KEY], path[CERT]);
	if (!rc)
		rc = scelle_sealer_add_chain(s, path[CA_CERT]);
	if (!rc)	/* nothing embedded: the verifier must fetch it */
		rc = scelle_sealer_add_revocation_data(s, "none");
	if (!rc)
		rc = scelle_sealer_add_input(s, path[ITEM], NULL);
	if (!rc)
		rc = scelle_sealer_write(s, out, 0);
	if (rc)
		printf("# %s\n", s ? scelle_sealer_errmsg(s) : "out of memory");
	scelle_sealer_free(s);
	return rc;
}

/* Verifies archive online; the verdict, and the message of its signature.revocation check
 * (the first) into msg. */
static enum scelle_verdict verify_online(const char *archive, char *msg, size_t len)
{
	struct scelle_verifier *v = scelle_verifier_new();
	struct scelle_result *r = NULL;
	enum scelle_verdict verdict = SCELLE_FAILED;
	snprintf(msg, len, "(no signature.revocation check)");
	if (v && scelle_verifier_add_trust(v, path[CA_CERT]) == SCELLE_OK) {
		scelle_verifier_set_flags(v, SCELLE_VERIFY_NO_TIMESTAMP_OK | SCELLE_VERIFY_ONLINE);
		r = scelle_verify(v, archive);
	}
	if (r) {
		verdict = scelle_result_verdict(r);
		for (size_t i = 0; i < scelle_result_check_count(r); i++) {
			const struct scelle_check *c = scelle_result_check(r, i);
			if (strcmp(c->id, "signature.revocation") == 0) {
				snprintf(msg, len, "%s", c->message);
				break;
			}
		}
	} else
		printf("# %s\n", v ? scelle_verifier_errmsg(v) : "out of memory");
	scelle_result_free(r);
	scelle_verifier_free(v);
	return verdict;
}

int main(void)
{
	char key[FIXTURE_PATH], cert[FIXTURE_PATH], item[FIXTURE_PATH];
	if (officer_fixture(dir, NULL, key, cert, item) != 0)
		return 2;
	const char *names[] = { "ca.key", "ca.pem", "online.key", "online.pem", "note.txt", "ca.crl" };
	for (int i = 0; i < 6; i++)
		snprintf(path[i], FIXTURE_PATH, "%s/%s", dir, names[i]);
	if (make_cert("Unit Online CA", NULL, 1, path[CA_KEY], path[CA_CERT]) != 0)
		return 2;

	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 4) ||
	    getsockname(s, (struct sockaddr *)&a, &alen))
		return 2;
	char url[64], good[FIXTURE_PATH + 16], msg[512];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/ca.crl", ntohs(a.sin_port));
	snprintf(good, sizeof(good), "%s/online.asice", dir);
	if (make_officer(url) != 0 || make_crl(0) != 0)
		return 2;
	pid_t pid = serve_crl(s);
	close(s);
	if (pid < 0)
		return 2;

	ok(seal(good) == 0, "sealed without revocation data by an officer whose certificate names %s", url);
	ok(verify_online(good, msg, sizeof(msg)) == SCELLE_PASSED, "online, with the CRL fetched: TOTAL-PASSED");
	is_str(msg, "'Online Officer' is not revoked (CRL)", "signature.revocation names the fetched CRL");

	/* The same certificate revoked an hour before it signed. */
	if (make_crl(time(NULL) - 3600) != 0)
		return 2;
	ok(verify_online(good, msg, sizeof(msg)) == SCELLE_FAILED, "revoked before the signing time: TOTAL-FAILED");
	ok(strncmp(msg, "'Online Officer' was revoked on ", 32) == 0 && strstr(msg, " (CRL), before the signing time "),
	    "signature.revocation says when, from the CRL (%s)", msg);

	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return done_testing();
}
