/* test_revinfo.c — OCSP responses in SignedData.crls (cms_revinfo.c, RFC 5940): what is
 * written is DER that OpenSSL's own CMS code reads back, with the signature intact, the
 * CRLs kept, version 5 (RFC 5652 §5.1); what is read back is every response; hostile
 * input (truncated, indefinite lengths) is refused, never read past.  And the OCSP request
 * that `verify --online` and `seal` send asks for the certificate (revocation.c). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <openssl/cms.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include "crypto.h"
#include "tap.h"
#include "internal.h"

static EVP_PKEY *key;
static X509 *cert;

static void make_signer(void)
{
	key = EVP_EC_gen("P-256");
	cert = X509_new();
	X509_NAME *n = X509_NAME_new();
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"Unit Signer", -1, -1, 0);
	X509_set_version(cert, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
	X509_set_subject_name(cert, n);
	X509_set_issuer_name(cert, n);
	X509_gmtime_adj(X509_getm_notBefore(cert), 0);
	X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
	X509_set_pubkey(cert, key);
	X509_sign(cert, key, EVP_sha256());
	X509_NAME_free(n);
}

static X509_CRL *make_crl(void)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *t = ASN1_TIME_set(NULL, time(NULL));
	X509_CRL_set_version(crl, 1);
	X509_CRL_set_issuer_name(crl, X509_get_subject_name(cert));
	X509_CRL_set1_lastUpdate(crl, t);
	X509_CRL_sign(crl, key, EVP_sha256());
	ASN1_TIME_free(t);
	return crl;
}

/* A real OCSPResponse: the "tryLater" status needs no body (RFC 6960 §4.2.1). */
static void make_ocsp(struct buf *b, int status)
{
	OCSP_RESPONSE *r = OCSP_response_create(status, NULL);
	unsigned char *der = NULL;
	int len = i2d_OCSP_RESPONSE(r, &der);
	memset(b, 0, sizeof(*b));
	buf_append(b, der, (size_t)len);
	OPENSSL_free(der);
	OCSP_RESPONSE_free(r);
}

/* A one-shot OCSP responder on loopback, in a child process: it reads one POSTed request and
 * answers "successful" when the request asks for exactly one certificate, cert's own CertID
 * (SHA-1, issued by itself), else "malformedRequest"; it exits 0 only in the first case. */
static pid_t ocsp_once(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 1) ||
	    getsockname(s, (struct sockaddr *)&a, &alen))
		return -1;
	*port = ntohs(a.sin_port);
	fflush(stdout);
	pid_t pid = fork();
	if (pid != 0) {
		close(s);
		return pid;
	}
	char in[8192];
	size_t n = 0;
	long want = -1;
	int c = accept(s, NULL, NULL);
	for (ssize_t k; c >= 0 && n < sizeof(in) && (k = read(c, in + n, sizeof(in) - n)) > 0;) {
		n += (size_t)k;
		char *end = memmem(in, n, "\r\n\r\n", 4), *cl = memmem(in, n, "Content-Length:", 15);
		if (end && cl && want < 0)
			want = strtol(cl + 15, NULL, 10) + (end + 4 - in);
		if (want >= 0 && n >= (size_t)want)
			break;
	}
	char *end = c >= 0 ? memmem(in, n, "\r\n\r\n", 4) : NULL;
	const unsigned char *p = end ? (unsigned char *)end + 4 : NULL;
	OCSP_REQUEST *req = p ? d2i_OCSP_REQUEST(NULL, &p, (long)(in + n - end - 4)) : NULL;
	OCSP_CERTID *id = OCSP_cert_to_id(EVP_sha1(), cert, cert);
	int good = req && OCSP_request_onereq_count(req) == 1 &&
	    OCSP_id_cmp(OCSP_onereq_get0_id(OCSP_request_onereq_get0(req, 0)), id) == 0;
	OCSP_RESPONSE *r = OCSP_response_create(good ? OCSP_RESPONSE_STATUS_SUCCESSFUL :
	    OCSP_RESPONSE_STATUS_MALFORMEDREQUEST, NULL);
	unsigned char *der = NULL;
	int len = i2d_OCSP_RESPONSE(r, &der);
	char head[160];
	int hl = snprintf(head, sizeof(head), "HTTP/1.0 200 OK\r\nContent-Type: application/ocsp-response\r\n"
	    "Content-Length: %d\r\nConnection: close\r\n\r\n", len);
	if (c >= 0 && (write(c, head, (size_t)hl) != hl || write(c, der, (size_t)len) != len))
		good = 0;
	_exit(good ? 0 : 1);
}

static const char content[] = "<ASiCManifest/>";

static int sign(int with_crl, unsigned char **der)
{
	BIO *in = BIO_new_mem_buf(content, (int)strlen(content));
	CMS_ContentInfo *cms = CMS_sign(cert, key, NULL, NULL, CMS_DETACHED | CMS_BINARY | CMS_PARTIAL);
	X509_CRL *crl = with_crl ? make_crl() : NULL;
	if (crl)
		CMS_add1_crl(cms, crl);
	CMS_final(cms, in, NULL, CMS_DETACHED | CMS_BINARY);
	int len = i2d_CMS_ContentInfo(cms, der);
	X509_CRL_free(crl);
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	return len;
}

static int verifies(const unsigned char *der, size_t len, int *ncrls, long *version)
{
	const unsigned char *p = der;
	CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
	BIO *in = BIO_new_mem_buf(content, (int)strlen(content));
	int ok = cms && p == der + len &&
	    CMS_verify(cms, NULL, NULL, in, NULL, CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) == 1;
	STACK_OF(X509_CRL) *crls = cms ? CMS_get1_crls(cms) : NULL;
	*ncrls = sk_X509_CRL_num(crls);
	sk_X509_CRL_pop_free(crls, X509_CRL_free);
	/* SignedData.version: ContentInfo SEQ, OID, [0], SEQ, INTEGER — at a fixed depth. */
	*version = -1;
	long l;
	int tag, cls;
	p = der;
	for (int depth = 0; depth < 3; depth++) {
		ASN1_get_object(&p, &l, &tag, &cls, (long)len);
		if (depth == 0) {	/* skip the OID after entering the outer SEQUENCE */
			const unsigned char *q = p;
			ASN1_get_object(&q, &l, &tag, &cls, (long)len);
			p = q + l;
		}
	}
	if (ASN1_get_object(&p, &l, &tag, &cls, (long)len) == 0 && tag == V_ASN1_INTEGER && l == 1)
		*version = p[0];
	BIO_free(in);
	CMS_ContentInfo_free(cms);
	return ok;
}

int main(void)
{
	unsigned char *der = NULL;
	struct buf ocsp[2], out = { 0 };
	size_t n = 0;
	int ncrls;
	long version;

	make_signer();
	make_ocsp(&ocsp[0], OCSP_RESPONSE_STATUS_TRYLATER);
	make_ocsp(&ocsp[1], OCSP_RESPONSE_STATUS_INTERNALERROR);

	int len = sign(1, &der);
	ok(len > 0 && verifies(der, (size_t)len, &ncrls, &version) && ncrls == 1 && version == 1,
	    "OpenSSL's own SignedData with one CRL verifies (version 1)");
	ok(cms_der_get_ocsp(der, (size_t)len, &n) == NULL && n == 0, "it holds no OCSP response");

	ok(cms_der_add_ocsp(der, (size_t)len, ocsp, 2, &out) == 0, "two OCSP responses added");
	ok(verifies(out.data, out.len, &ncrls, &version), "the result is DER OpenSSL reads, and the signature still verifies");
	ok(ncrls == 1, "the CRL is kept (%d)", ncrls);
	ok(version == 5, "SignedData.version is 5 (RFC 5652 §5.1), got %ld", version);
	OCSP_RESPONSE **v = cms_der_get_ocsp(out.data, out.len, &n);
	ok(v && n == 2, "both responses read back (%zu)", n);
	int statuses = 0;
	for (size_t i = 0; v && i < n; i++) {
		statuses |= 1 << OCSP_response_status(v[i]);
		OCSP_RESPONSE_free(v[i]);
	}
	free(v);
	ok(statuses == (1 << OCSP_RESPONSE_STATUS_TRYLATER | 1 << OCSP_RESPONSE_STATUS_INTERNALERROR),
	    "with their own statuses");

	/* Re-encoding by OpenSSL (as cades_add_timestamps does) keeps them. */
	const unsigned char *p = out.data;
	CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)out.len);
	unsigned char *re = NULL;
	int relen = cms ? i2d_CMS_ContentInfo(cms, &re) : -1;
	ok(relen == (int)out.len && memcmp(re, out.data, out.len) == 0,
	    "OpenSSL re-encodes it byte for byte (DER order of the SET OF)");
	OPENSSL_free(re);
	CMS_ContentInfo_free(cms);

	unsigned char *der0 = NULL;
	int len0 = sign(0, &der0);
	struct buf out0 = { 0 };
	ok(cms_der_add_ocsp(der0, (size_t)len0, ocsp, 1, &out0) == 0 &&
	    verifies(out0.data, out0.len, &ncrls, &version) && ncrls <= 0 && version == 5,
	    "a SignedData without CRLs gets a crls field with the response");
	v = cms_der_get_ocsp(out0.data, out0.len, &n);
	ok(n == 1, "and it reads back");
	for (size_t i = 0; i < n; i++)
		OCSP_RESPONSE_free(v[i]);
	free(v);

	/* Hostile input: every truncation is refused without reading past the end. */
	int refused = 1;
	for (size_t cut = 0; cut < out.len; cut++) {
		unsigned char *t = malloc(cut ? cut : 1);
		struct buf o = { 0 };
		memcpy(t, out.data, cut);
		v = cms_der_get_ocsp(t, cut, &n);
		if (v || n)
			refused = 0;
		if (cms_der_add_ocsp(t, cut, ocsp, 1, &o) == 0)
			refused = 0;
		free(v);
		buf_release(&o);
		free(t);
	}
	ok(refused, "every truncated SignedData is refused by both functions");
	unsigned char indef[] = { 0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
		0x07, 0x02, 0xa0, 0x80, 0x30, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
	struct buf o = { 0 };
	ok(cms_der_get_ocsp(indef, sizeof(indef), &n) == NULL && n == 0 &&
	    cms_der_add_ocsp(indef, sizeof(indef), ocsp, 1, &o) == -1,
	    "indefinite lengths (BER, not DER) are refused");

	/* The OCSP request names the certificate (a request without its CertID would be
	 * answered for nobody, and `verify --online` find no status). */
	int port = 0, status = -1;
	pid_t pid = ocsp_once(&port);
	char url[64];
	struct scerr e = { 0 };
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
	OCSP_RESPONSE *got = pid > 0 ? revocation_fetch_ocsp(url, cert, cert, 10, &e) : NULL;
	if (pid > 0)
		waitpid(pid, &status, 0);
	ok(got && OCSP_response_status(got) == OCSP_RESPONSE_STATUS_SUCCESSFUL && !e.code,
	    "an OCSP request asks for the certificate, by its SHA-1 CertID (%s)", e.msg);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the responder found exactly that one CertID");
	OCSP_RESPONSE_free(got);

	OPENSSL_free(der);
	OPENSSL_free(der0);
	buf_release(&out);
	buf_release(&out0);
	buf_release(&ocsp[0]);
	buf_release(&ocsp[1]);
	X509_free(cert);
	EVP_PKEY_free(key);
	return done_testing();
}
