/* tsa_responder.c — the RFC 3161 responder core behind `scelle tsa`: DER TimeStampReq in,
 * DER TimeStampResp out, built on OpenSSL's TS_RESP_CTX.  The HTTP side is in the CLI. */
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <inttypes.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ts.h>
#include "crypto.h"
#include "internal.h"

struct tsa_responder {
	pthread_mutex_t lock;	/* TS_RESP_CTX keeps per-request state; the counter too */
	TS_RESP_CTX *ctx;
	char *serial_file;	/* NULL: random 128-bit serial numbers */
	int lock_fd;		/* FILE.lock, flock()ed around each increment, or -1 */
};

struct pem_pass {
	scelle_pass_cb cb;
	void *arg;
	const char *what;
};

static int pem_pass_cb(char *buf, int size, int rwflag, void *u)
{
	const struct pem_pass *p = u;
	(void)rwflag;
	return p->cb ? p->cb(buf, size, p->what, p->arg) : -1;
}

/* ----------------------------------------------------------- serial file ---- */

/* The file holds the last serial number issued, in decimal.  A missing file starts at 0. */
static int serial_load(const char *path, uint64_t *last, struct scerr *e)
{
	FILE *f = fopen(path, "re");
	char line[64], *end;
	*last = 0;
	if (!f) {
		if (errno == ENOENT)
			return 0;
		scerr_set(e, SCELLE_E_IO, "cannot open '%s': %s", path, strerror(errno));
		return -1;
	}
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		scerr_set(e, SCELLE_E_FORMAT, "serial file '%s' is empty", path);
		return -1;
	}
	fclose(f);
	errno = 0;
	*last = strtoull(line, &end, 10);
	if (errno || end == line || (*end != '\n' && *end != '\0') || line[0] == '-') {
		scerr_set(e, SCELLE_E_FORMAT, "serial file '%s' does not hold a decimal number", path);
		return -1;
	}
	return 0;
}

/* Writes the new value to a temporary file, fsyncs it and renames it over the old one, so
 * that after a crash the file holds either the old or the new value, never a torn one, and a
 * serial number that was handed out is on disk before the token leaves. */
static int serial_store(const char *path, uint64_t value)
{
	char tmp[4096], line[32], dir[4096];
	int fd, n, ok;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp) ||
	    (size_t)snprintf(dir, sizeof(dir), "%s", path) >= sizeof(dir))
		return -1;
	n = snprintf(line, sizeof(line), "%" PRIu64 "\n", value);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644)) < 0)
		return -1;
	ok = write(fd, line, (size_t)n) == n && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	if ((fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(fd);
		close(fd);
	}
	return 0;
}

/* RFC 3161 §2.4.2: serialNumber is unique for every token of this TSA.  Called by
 * TS_RESP_create_response() with r->lock held. */
static ASN1_INTEGER *next_serial(TS_RESP_CTX *ctx, void *arg)
{
	struct tsa_responder *r = arg;
	ASN1_INTEGER *serial = ASN1_INTEGER_new();
	if (!serial)
		return NULL;
	if (r->serial_file) {
		/* Two responders may share the file (issue 18: 125 tokens had 64 distinct
		 * numbers): the last number is read again and the next one stored under an
		 * exclusive lock on FILE.lock (not on FILE, which the rename replaces). */
		struct scerr e = { 0 };
		uint64_t last = 0;
		int locked = flock(r->lock_fd, LOCK_EX) == 0;
		int ok = locked && serial_load(r->serial_file, &last, &e) == 0 && last < UINT64_MAX &&
		    serial_store(r->serial_file, last + 1) == 0;
		if (locked)
			flock(r->lock_fd, LOCK_UN);
		if (!ok) {
			TS_RESP_CTX_set_status_info(ctx, TS_STATUS_REJECTION,
			    L_("cannot record the serial number"));
			TS_RESP_CTX_add_failure_info(ctx, TS_INFO_SYSTEM_FAILURE);
			ASN1_INTEGER_free(serial);
			return NULL;
		}
		ASN1_INTEGER_set_uint64(serial, last + 1);
		return serial;
	}
	/* No file: 127 random bits are unique without any state (and fit in RFC 3161's 160). */
	unsigned char rnd[16];
	BIGNUM *bn = NULL;
	if (RAND_bytes(rnd, sizeof(rnd)) != 1 || (rnd[0] &= 0x7f, !(bn = BN_bin2bn(rnd, 16, NULL))) ||
	    !BN_to_ASN1_INTEGER(bn, serial)) {
		ASN1_INTEGER_free(serial);
		serial = NULL;
	}
	BN_free(bn);
	return serial;
}

/* ------------------------------------------------------------- responder ---- */

static STACK_OF(X509) *load_chain(const char *path, struct scerr *e)
{
	BIO *b = BIO_new_file(path, "r");
	STACK_OF(X509) *sk = sk_X509_new_null();
	X509 *x;
	if (!b || !sk) {
		scerr_ssl(e, SCELLE_E_IO, "cannot open '%s'", path);
		goto fail;
	}
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL)
		if (!sk_X509_push(sk, x)) {
			X509_free(x);
			goto fail;
		}
	ERR_clear_error(); /* the loop ends with "no start line" */
	if (sk_X509_num(sk) == 0) {
		scerr_set(e, SCELLE_E_KEY, "no certificate in '%s'", path);
		goto fail;
	}
	BIO_free(b);
	return sk;
fail:
	BIO_free(b);
	sk_X509_pop_free(sk, X509_free);
	return NULL;
}

static int load_signer(TS_RESP_CTX *ctx, const struct tsa_responder_config *cfg, struct scerr *e)
{
	struct pem_pass pp = { cfg->pass_cb, cfg->pass_arg, cfg->key };
	STACK_OF(X509) *certs = NULL;
	EVP_PKEY *key = NULL;
	BIO *b = NULL;
	int ret = -1;

	if (!(certs = load_chain(cfg->cert, e)))
		return -1;
	if (!(b = BIO_new_file(cfg->key, "r"))) {
		scerr_ssl(e, SCELLE_E_IO, "cannot open '%s'", cfg->key);
		goto out;
	}
	if (!(key = PEM_read_bio_PrivateKey(b, NULL, pem_pass_cb, &pp))) {
		scerr_ssl(e, SCELLE_E_KEY, "cannot load the private key '%s'", cfg->key);
		goto out;
	}
	X509 *cert = sk_X509_value(certs, 0);
	if (X509_check_private_key(cert, key) != 1) {
		scerr_ssl(e, SCELLE_E_KEY, "key '%s' does not match certificate '%s'", cfg->key,
		    cfg->cert);
		goto out;
	}
	/* RFC 3161 §2.3; OpenSSL refuses a signer without the critical timeStamping EKU. */
	if (!TS_RESP_CTX_set_signer_cert(ctx, cert)) {
		ERR_clear_error();
		scerr_set(e, SCELLE_E_KEY, "certificate '%s' cannot sign time-stamps: it needs the "
		    "critical timeStamping extended key usage (RFC 3161 §2.3)", cfg->cert);
		goto out;
	}
	if (!TS_RESP_CTX_set_signer_key(ctx, key)) {
		scerr_ssl(e, SCELLE_E_KEY, "cannot use the key '%s'", cfg->key);
		goto out;
	}
	ret = 0;
out:
	EVP_PKEY_free(key);
	BIO_free(b);
	sk_X509_pop_free(certs, X509_free);
	return ret;
}

struct tsa_responder *tsa_responder_new(const struct tsa_responder_config *cfg, struct scerr *e)
{
	struct tsa_responder *r = xcalloc(1, sizeof(*r));
	STACK_OF(X509) *chain = NULL;
	ASN1_OBJECT *policy = NULL;
	const char *oid = cfg->policy ? cfg->policy : TSA_DEMO_POLICY;

	if (!r || pthread_mutex_init(&r->lock, NULL) != 0) {
		free(r);
		scerr_set(e, SCELLE_E_NOMEM, "out of memory");
		return NULL;
	}
	r->lock_fd = -1;
	if (!(r->ctx = TS_RESP_CTX_new())) {
		scerr_ssl(e, SCELLE_E_NOMEM, "cannot create the responder");
		goto fail;
	}
	if (load_signer(r->ctx, cfg, e) < 0)
		goto fail;
	/* With certReq the chain goes into the token, so that a verifier needs only the root. */
	if (cfg->chain) {
		if (!(chain = load_chain(cfg->chain, e)))
			goto fail;
		if (!TS_RESP_CTX_set_certs(r->ctx, chain)) {
			scerr_ssl(e, SCELLE_E_KEY, "cannot use the chain '%s'", cfg->chain);
			goto fail;
		}
	}
	if (!(policy = OBJ_txt2obj(oid, 1))) {
		ERR_clear_error();
		scerr_set(e, SCELLE_E_USAGE, "invalid policy OID '%s'", oid);
		goto fail;
	}
	if (cfg->serial_file) {
		char lock[4096];
		uint64_t last;
		if (!(r->serial_file = xstrdup(cfg->serial_file)) ||
		    serial_load(cfg->serial_file, &last, e) < 0)
			goto fail;
		if ((size_t)snprintf(lock, sizeof(lock), "%s.lock", cfg->serial_file) >= sizeof(lock) ||
		    (r->lock_fd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644)) < 0) {
			scerr_set(e, SCELLE_E_IO, "cannot open '%s': %s", lock, strerror(errno));
			goto fail;
		}
	}
	/* Requests may use any SHA-2 hash; the token is signed with SHA-256 and names its
	 * certificate with an ESSCertIDv2 over SHA-256 (RFC 5816), accurate to a second. */
	if (!TS_RESP_CTX_set_def_policy(r->ctx, policy) ||
	    !TS_RESP_CTX_add_md(r->ctx, EVP_sha256()) || !TS_RESP_CTX_add_md(r->ctx, EVP_sha384()) ||
	    !TS_RESP_CTX_add_md(r->ctx, EVP_sha512()) ||
	    !TS_RESP_CTX_set_signer_digest(r->ctx, EVP_sha256()) ||
	    !TS_RESP_CTX_set_ess_cert_id_digest(r->ctx, EVP_sha256()) ||
	    !TS_RESP_CTX_set_accuracy(r->ctx, 1, 0, 0)) {
		scerr_ssl(e, SCELLE_E_CRYPTO, "cannot set up the responder");
		goto fail;
	}
	TS_RESP_CTX_add_flags(r->ctx, TS_TSA_NAME);
	TS_RESP_CTX_set_serial_cb(r->ctx, next_serial, r);
	ASN1_OBJECT_free(policy);
	sk_X509_pop_free(chain, X509_free);
	return r;
fail:
	ASN1_OBJECT_free(policy);
	sk_X509_pop_free(chain, X509_free);
	tsa_responder_free(r);
	return NULL;
}

void tsa_responder_free(struct tsa_responder *r)
{
	if (!r)
		return;
	TS_RESP_CTX_free(r->ctx);
	free(r->serial_file);
	if (r->lock_fd >= 0)
		close(r->lock_fd);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

int tsa_respond(struct tsa_responder *r, const unsigned char *req, size_t req_len,
    unsigned char **resp, size_t *resp_len)
{
	BIO *in = NULL;
	TS_RESP *rsp = NULL;
	unsigned char *der = NULL;
	int len = -1, ret = -1;

	*resp = NULL;
	*resp_len = 0;
	if (req_len > INT32_MAX ||
	    !(in = BIO_new_mem_buf(req_len ? req : (const unsigned char *)"", (int)req_len)))
		goto out;
	/* A request that does not parse still gets a TimeStampResp: status rejection with
	 * badDataFormat (RFC 3161 §2.4.2), produced by TS_RESP_create_response() itself. */
	pthread_mutex_lock(&r->lock);
	rsp = TS_RESP_create_response(r->ctx, in);
	pthread_mutex_unlock(&r->lock);
	if (!rsp || (len = i2d_TS_RESP(rsp, &der)) <= 0 || !(*resp = malloc((size_t)len)))
		goto out;
	memcpy(*resp, der, (size_t)len);
	*resp_len = (size_t)len;
	ret = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(rsp))) <=
		TS_STATUS_GRANTED_WITH_MODS ? 0 : 1;
out:
	ERR_clear_error();
	OPENSSL_free(der);
	TS_RESP_free(rsp);
	BIO_free(in);
	return ret;
}

/* ---------------------------------------------------------- the public API ---- */
/* scelle.h "Time-stamp authority": a handle around the responder above, so that `scelle tsa`
 * (and any other program) serves tokens through the installed library's API. */
struct scelle_tsa_responder {
	struct tsa_responder *r;
	scelle_pass_cb pass_cb;
	void *pass_arg;
	struct scerr err;
};

struct scelle_tsa_responder *scelle_tsa_responder_new(void)
{
	return xcalloc(1, sizeof(struct scelle_tsa_responder));
}

void scelle_tsa_responder_free(struct scelle_tsa_responder *t)
{
	if (!t)
		return;
	tsa_responder_free(t->r);
	free(t);
}

const char *scelle_tsa_responder_errmsg(const struct scelle_tsa_responder *t)
{
	return t->err.msg;
}

void scelle_tsa_responder_set_pass_cb(struct scelle_tsa_responder *t, scelle_pass_cb cb, void *arg)
{
	t->pass_cb = cb;
	t->pass_arg = arg;
}

int scelle_tsa_responder_open(struct scelle_tsa_responder *t, const char *cert_file,
    const char *key_file, const char *chain_file, const char *policy_oid, const char *serial_file)
{
	struct tsa_responder_config cfg = { .cert = cert_file, .key = key_file, .chain = chain_file,
		.policy = policy_oid, .serial_file = serial_file, .pass_cb = t->pass_cb,
		.pass_arg = t->pass_arg };
	scerr_clear(&t->err);
	if (t->r) {
		scerr_set(&t->err, SCELLE_E_USAGE, "the responder is already open");
		return SCELLE_E_USAGE;
	}
	if (!cert_file || !key_file) {
		scerr_set(&t->err, SCELLE_E_USAGE, "a time-stamp authority needs its certificate and its key");
		return SCELLE_E_USAGE;
	}
	if (!(t->r = tsa_responder_new(&cfg, &t->err)))
		return t->err.code ? t->err.code : SCELLE_E_NOMEM;
	return SCELLE_OK;
}

int scelle_tsa_responder_respond(struct scelle_tsa_responder *t, const unsigned char *req,
    size_t req_len, unsigned char **resp, size_t *resp_len)
{
	if (!t->r) {
		*resp = NULL;
		*resp_len = 0;
		return SCELLE_E_USAGE;
	}
	int rc = tsa_respond(t->r, req, req_len, resp, resp_len);
	return rc < 0 ? SCELLE_E_NOMEM : rc;
}
