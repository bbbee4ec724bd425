/* trust.c — where a verifier's trust comes from beside --trust PEM bundles: a hashed
 * directory, the system store, untrusted intermediates, and CRLs given by the user.
 * Courts trust a national or EU list of roots, usually installed as a directory or in the
 * system store; intermediates often travel separately from the signature. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include "verifier.h"

static int cannot_open(struct scelle_verifier *v, const char *what)
{
	int code = SCELLE_E_IO;
	scerr_set(&v->err, code, "cannot open '%s': %s", what, strerror(errno));
	ERR_clear_error();
	return code;
}

/* A file of certificates or CRLs, opened as an archive is (open_input): a folder or a FIFO
 * given by mistake is named as such ("cannot open 'x': it is a folder"), never read as an
 * empty bundle nor waited on.  NULL with the reason in v->err. */
BIO *verifier_open_file(struct scelle_verifier *v, const char *file)
{
	int fd = open_input(file, 0, NULL, &v->err);
	BIO *b = fd >= 0 ? BIO_new_fd(fd, BIO_CLOSE) : NULL;
	if (fd >= 0 && !b) {
		close(fd);
		scerr_set(&v->err, SCELLE_E_NOMEM, "out of memory");
	}
	ERR_clear_error();
	return b;
}

static int store(struct scelle_verifier *v)
{
	if (!v->trust && !(v->trust = X509_STORE_new())) {
		scerr_set(&v->err, SCELLE_E_NOMEM, "out of memory");
		return SCELLE_E_NOMEM;
	}
	return SCELLE_OK;
}

int scelle_verifier_add_trust_dir(struct scelle_verifier *v, const char *dir)
{
	struct stat st;
	X509_LOOKUP *lu;
	if (stat(dir, &st) != 0)
		return cannot_open(v, dir);
	if (!S_ISDIR(st.st_mode)) {
		scerr_set(&v->err, SCELLE_E_USAGE, "'%s' is not a directory", dir);
		v->err.hint = "trust-file";
		return SCELLE_E_USAGE;
	}
	if (store(v))
		return v->err.code;
	/* Certificates are looked up by subject hash when a chain is built (openssl-rehash(1)). */
	if (!(lu = X509_STORE_add_lookup(v->trust, X509_LOOKUP_hash_dir())) ||
	    !X509_LOOKUP_add_dir(lu, dir, X509_FILETYPE_PEM)) {
		scerr_ssl(&v->err, SCELLE_E_CRYPTO, "cannot use trust directory '%s'", dir);
		return v->err.code;
	}
	return SCELLE_OK;
}

int scelle_verifier_use_system_trust(struct scelle_verifier *v)
{
	if (store(v))
		return v->err.code;
	if (!X509_STORE_set_default_paths(v->trust)) {
		scerr_ssl(&v->err, SCELLE_E_CRYPTO, "cannot use the system trust store");
		return v->err.code;
	}
	ERR_clear_error();	/* a missing default file or directory is not an error */
	return SCELLE_OK;
}

int scelle_verifier_add_untrusted(struct scelle_verifier *v, const char *pem_file)
{
	BIO *b = verifier_open_file(v, pem_file);
	X509 *x;
	int n = 0;
	if (!b)
		return v->err.code;
	if (!v->untrusted && !(v->untrusted = sk_X509_new_null())) {
		BIO_free(b);
		scerr_set(&v->err, SCELLE_E_NOMEM, "out of memory");
		return SCELLE_E_NOMEM;
	}
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		if (!sk_X509_push(v->untrusted, x))
			X509_free(x);
		else
			n++;
	}
	BIO_free(b);
	ERR_clear_error();
	if (!n) {
		scerr_set(&v->err, SCELLE_E_FORMAT, "'%s' holds no PEM certificate", pem_file);
		return SCELLE_E_FORMAT;
	}
	return SCELLE_OK;
}

int scelle_verifier_add_crl(struct scelle_verifier *v, const char *crl_file)
{
	BIO *b = verifier_open_file(v, crl_file);
	X509_CRL *crl;
	int n = 0;
	if (!b)
		return v->err.code;
	if (!v->crls && !(v->crls = sk_X509_CRL_new_null())) {
		BIO_free(b);
		scerr_set(&v->err, SCELLE_E_NOMEM, "out of memory");
		return SCELLE_E_NOMEM;
	}
	while ((crl = PEM_read_bio_X509_CRL(b, NULL, NULL, NULL)) != NULL) {
		if (!sk_X509_CRL_push(v->crls, crl))
			X509_CRL_free(crl);
		else
			n++;
	}
	if (!n && BIO_reset(b) == 0 && (crl = d2i_X509_CRL_bio(b, NULL)) != NULL) {
		if (!sk_X509_CRL_push(v->crls, crl))
			X509_CRL_free(crl);
		else
			n++;
	}
	BIO_free(b);
	ERR_clear_error();
	if (!n) {
		scerr_set(&v->err, SCELLE_E_FORMAT, "'%s' holds no CRL", crl_file);
		return SCELLE_E_FORMAT;
	}
	return SCELLE_OK;
}

/* Intermediates that travel apart from the signature join the certificates it carries
 * when a chain is built; they never become anchors. */
void verifier_add_untrusted(const struct scelle_verifier *v, STACK_OF(X509) **certs)
{
	if (!*certs && !(*certs = sk_X509_new_null()))
		return;
	for (int i = 0; i < sk_X509_num(v->untrusted); i++) {
		X509 *x = sk_X509_value(v->untrusted, i);
		if (X509_up_ref(x) && !sk_X509_push(*certs, x))
			X509_free(x);
	}
}
