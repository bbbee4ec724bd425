/* keys.c — loading the signer's key and certificates (PEM, DER, PKCS#12) through
 * OSSL_STORE, so that every format OpenSSL knows works the same way; pkcs11: URIs (RFC
 * 7512) go to pkcs11.c, since OpenSSL 3.0 on Debian 12 has no provider for them. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/store.h>
#include <openssl/ui.h>
#include <openssl/x509v3.h>
#include "crypto.h"

struct pass_ctx {
	const struct signer *sg;
	const char *what;
	int asked, unavailable;
};

static int pem_pass(char *buf, int size, int rwflag, void *u)
{
	struct pass_ctx *p = u;
	p->asked = 1;
	if (!p->sg->pass_cb) {
		p->unavailable = 1;
		return -1;
	}
	int n = p->sg->pass_cb(buf, size, p->what, p->sg->pass_arg);
	if (n < 0)
		p->unavailable = 1;
	return n;
}

/* Loads every key and certificate found at `uri`.  The first key goes to *key (if key is
 * not NULL and *key is NULL); the first certificate to *cert likewise; the others to extra. */
int load_objects(const struct signer *sg, const char *uri, EVP_PKEY **key, X509 **cert,
    STACK_OF(X509) *extra, struct scerr *e)
{
	if (strncmp(uri, "pkcs11:", 7) == 0)
		return pkcs11_load(sg, uri, key, cert, e);

	struct pass_ctx pc = { sg, uri, 0, 0 };
	struct stat sb;
	/* A plain path: say what is wrong with it in the words of the system, not as an
	 * "unregistered scheme" from OSSL_STORE. */
	if (!strchr(uri, ':') && stat(uri, &sb) != 0) {
		scerr_set(e, SCELLE_E_KEY, "cannot open '%s': %s", uri, strerror(errno));
		return -1;
	}
	/* A key from a FIFO without a writer would hold seal for ever (issue 18): keys are
	 * files.  (A --cert FIFO, which t70-keys.sh uses to hold seal, is still read.) */
	if (key && !strchr(uri, ':') && !S_ISREG(sb.st_mode)) {
		scerr_set(e, SCELLE_E_KEY, "cannot load the key '%s': it is %s", uri, file_kind(sb.st_mode));
		return -1;
	}
	UI_METHOD *ui = UI_UTIL_wrap_read_pem_callback(pem_pass, 0);
	OSSL_STORE_CTX *st = ui ? OSSL_STORE_open(uri, ui, &pc, NULL, NULL) : NULL;
	int found = 0, rc = -1;

	if (!st) {
		scerr_ssl(e, SCELLE_E_KEY, "cannot open '%s'", uri);
		goto out;
	}
	while (!OSSL_STORE_eof(st)) {
		OSSL_STORE_INFO *info = OSSL_STORE_load(st);
		if (!info) {
			if (OSSL_STORE_eof(st))
				break;
			if (OSSL_STORE_error(st)) {
				if (pc.unavailable) {
					scerr_set(e, SCELLE_E_KEY, "'%s' needs a pass phrase", uri);
					e->hint = "need-pass";
				} else if (pc.asked)
					scerr_set(e, SCELLE_E_KEY, "wrong pass phrase for '%s'", uri);
				else
					scerr_ssl(e, SCELLE_E_KEY, "cannot load '%s'", uri);
				ERR_clear_error();
				goto out;
			}
			continue;
		}
		switch (OSSL_STORE_INFO_get_type(info)) {
		case OSSL_STORE_INFO_PKEY:
			if (key && !*key) {
				*key = OSSL_STORE_INFO_get1_PKEY(info);
				found++;
			}
			break;
		case OSSL_STORE_INFO_CERT:
			if (cert && !*cert)
				*cert = OSSL_STORE_INFO_get1_CERT(info);
			else if (extra)
				sk_X509_push(extra, OSSL_STORE_INFO_get1_CERT(info));
			found++;
			break;
		default:
			break;
		}
		OSSL_STORE_INFO_free(info);
	}
	if (!found) {
		scerr_set(e, SCELLE_E_KEY, "'%s' holds no %s", uri, key ? L_("private key") : L_("certificate"));
		goto out;
	}
	rc = 0;
out:
	OSSL_STORE_close(st);
	UI_destroy_method(ui);
	ERR_clear_error();
	return rc;
}

/* The signer must be able to sign: key matches, valid now, keyUsage allows signatures
 * (EN 319 122-1 does not ask it; the receiving side's validators do). */
int check_signer(EVP_PKEY *key, X509 *cert, const char *name, struct scerr *e)
{
	if (X509_check_private_key(cert, key) != 1) {
		ERR_clear_error();
		scerr_set(e, SCELLE_E_KEY, "the key does not match certificate '%s'", name);
		return -1;
	}
	if (X509_cmp_current_time(X509_get0_notAfter(cert)) < 0) {
		scerr_set(e, SCELLE_E_KEY, "certificate '%s' has expired", name);
		return -1;
	}
	if (X509_cmp_current_time(X509_get0_notBefore(cert)) > 0) {
		scerr_set(e, SCELLE_E_KEY, "certificate '%s' is not valid yet", name);
		return -1;
	}
	/* What verify would not accept is refused here (FORMAT.md §5.1), not sealed. */
	char why[256];
	if (cert_can_seal(cert, why, sizeof(why))) {
		scerr_set(e, SCELLE_E_KEY, "certificate '%s' cannot seal evidence: it %s", name, why);
		return -1;
	}
	if (weak_key(X509_get0_pubkey(cert), why, sizeof(why))) {
		scerr_set(e, SCELLE_E_KEY, "certificate '%s' cannot seal evidence: %s is too weak (ETSI TS 119 312)",
		    name, why);
		return -1;
	}
	return 0;
}

/* A certificate that expires within 30 days still signs, but the officer should know: a
 * seal made today must be time-stamped before then to stay verifiable (EN 319 102-1
 * §5.6.2.1: past the expiry, only a proof of existence saves the signature). */
void signer_expiry_warning(X509 *cert, const char *name, char *warn, size_t len)
{
	int days = 0, secs = 0;
	warn[0] = '\0';
	if (!ASN1_TIME_diff(&days, &secs, NULL, X509_get0_notAfter(cert)) || days >= 30)
		return;
	char when[32];
	time_t t = 0;
	struct tm tm;
	if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm))
		t = timegm(&tm);
	time_rfc3339(t, when, sizeof(when));
	snprintf(warn, len, dngettext(SCELLE_DOMAIN, "certificate '%s' expires in %d day (%s)",
	    "certificate '%s' expires in %d days (%s)", (unsigned long)days), name, days, when);
}
