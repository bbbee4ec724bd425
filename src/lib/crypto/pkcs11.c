/* pkcs11.c — signing keys on smart cards and HSMs, named by PKCS#11 URIs (RFC 7512,
 * "pkcs11:token=...;object=..."), through libp11's OpenSSL engine (Debian package
 * libengine-pkcs11-openssl).
 *
 * Why an engine: OpenSSL 3.0 has no PKCS#11 provider of its own, and Debian 12 ships none
 * (pkcs11-provider entered Debian after bookworm), so OSSL_STORE cannot open a pkcs11: URI
 * there.  libp11's engine is the maintained, packaged way: the EVP_PKEY it returns calls
 * C_Sign on the token for every signature, so the private key never leaves the card.  The
 * ENGINE API is deprecated in OpenSSL 3.0 but supported through the 3.x series; this file
 * is the only one that uses it. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/ui.h>
#include "crypto.h"

/* The module used when --pkcs11-module is not given: p11-kit's proxy, which reaches every
 * module registered with p11-kit (OpenSC for smart cards, SoftHSM, vendor modules). */
#define DEFAULT_MODULE "p11-kit-proxy.so"

struct pin_ctx {
	const struct signer *sg;
	const char *what;
	int asked, unavailable;
};

/* UI reader for the PIN prompt of libp11.  The PIN is asked at most once: a card locks
 * itself after a few wrong PINs (ISO 7816-4 retry counter), so a wrong PIN must end the
 * attempt, never be offered again. */
static int pin_reader(UI *ui, UI_STRING *uis)
{
	struct pin_ctx *p = UI_get0_user_data(ui);
	char buf[256];
	int n;

	if (UI_get_string_type(uis) != UIT_PROMPT && UI_get_string_type(uis) != UIT_VERIFY)
		return 1;
	if (!p || p->asked || !p->sg->pass_cb) {
		if (p)
			p->unavailable = 1;
		return 0;
	}
	p->asked = 1;
	n = p->sg->pass_cb(buf, (int)sizeof(buf), p->what, p->sg->pass_arg);
	if (n < 0 || n >= (int)sizeof(buf)) {
		p->unavailable = 1;
		OPENSSL_cleanse(buf, sizeof(buf));
		return 0;
	}
	buf[n] = '\0';
	n = UI_set_result(ui, uis, buf);
	OPENSSL_cleanse(buf, sizeof(buf));
	return n == 0 ? 1 : 0;
}

/* The URI of the certificate beside a key: the same path attributes without "type" (RFC
 * 7512 §2.3) and without the query (pin-source, module-path), since libp11 finds a
 * certificate by the id and label it shares with its key. */
static char *object_uri(const char *uri)
{
	struct buf b = { 0 };
	const char *p = uri + strlen("pkcs11:");
	size_t n = strcspn(p, "?");

	if (buf_append(&b, "pkcs11:", 7))
		return NULL;
	while (n > 0) {
		size_t len = strcspn(p, ";");
		if (len > n)
			len = n;
		if (len && strncmp(p, "type=", 5) != 0 &&
		    ((b.len > 7 && buf_append(&b, ";", 1)) || buf_append(&b, p, len)))
			goto fail;
		p += len;
		n -= len;
		if (n) {	/* the ';' */
			p++;
			n--;
		}
	}
	if (buf_append(&b, "", 1))
		goto fail;
	return (char *)b.data;
fail:
	buf_release(&b);
	return NULL;
}

int pkcs11_load(const struct signer *sg, const char *uri, EVP_PKEY **key, X509 **cert,
    struct scerr *e)
{
	const char *module = sg->pkcs11_module ? sg->pkcs11_module : DEFAULT_MODULE;
	struct pin_ctx pc = { sg, uri, 0, 0 };
	UI_METHOD *ui = UI_create_method("scelle PIN");
	ENGINE *eng = NULL;
	int inited = 0, rc = -1;
	char *obj = NULL;

	if (!ui || UI_method_set_reader(ui, pin_reader)) {
		scerr_set(e, SCELLE_E_NOMEM, "out of memory");
		goto out;
	}
	/* libp11 would print dlopen()'s complaint itself: find a missing module first. */
	if (strchr(module, '/') && access(module, R_OK) != 0) {
		scerr_set(e, SCELLE_E_KEY, "cannot load PKCS#11 module '%s': %s", module, strerror(errno));
		goto out;
	}
	if (!(eng = ENGINE_by_id("pkcs11"))) {
		scerr_ssl(e, SCELLE_E_KEY, "cannot use '%s': the PKCS#11 engine is not installed "
		    "(Debian package libengine-pkcs11-openssl)", uri);
		goto out;
	}
	/* Commands before ENGINE_init: libp11 loads the module when it is initialised. */
	if (!ENGINE_ctrl_cmd_string(eng, "MODULE_PATH", module, 0) ||
	    !ENGINE_ctrl_cmd_string(eng, "QUIET", NULL, 1) || !ENGINE_init(eng)) {
		scerr_ssl(e, SCELLE_E_KEY, "cannot load PKCS#11 module '%s'", module);
		goto out;
	}
	inited = 1;
	if (key && !(*key = ENGINE_load_private_key(eng, uri, ui, &pc))) {
		const char *why = ERR_reason_error_string(ERR_peek_error());
		if (pc.unavailable) {
			scerr_set(e, SCELLE_E_KEY, "'%s' needs a PIN", uri);
			e->hint = "need-pass";
		} else if (why && strstr(why, "PIN"))	/* CKR_PIN_INCORRECT, _LOCKED, _LEN_RANGE */
			scerr_set(e, SCELLE_E_KEY, "wrong PIN for '%s' (%s)", uri, why);
		else if (why && strstr(why, "module"))
			scerr_set(e, SCELLE_E_KEY, "cannot load PKCS#11 module '%s'", module);
		else
			scerr_ssl(e, SCELLE_E_KEY, "no private key '%s' on the token", uri);
		goto out;
	}
	if (cert && !*cert) {
		struct { const char *id; X509 *cert; } params = { NULL, NULL };
		if (!(obj = object_uri(uri))) {
			scerr_set(e, SCELLE_E_NOMEM, "out of memory");
			goto out;
		}
		params.id = obj;
		/* A missing certificate is not an error here: --cert may name it. */
		if (ENGINE_ctrl_cmd(eng, "LOAD_CERT_CTRL", 0, &params, NULL, 0) && params.cert)
			*cert = params.cert;
		else if (!key) {
			scerr_ssl(e, SCELLE_E_KEY, "no certificate '%s' on the token", uri);
			goto out;
		}
	}
	rc = 0;
out:
	if (rc && key && *key) {
		EVP_PKEY_free(*key);
		*key = NULL;
	}
	free(obj);
	/* The key holds its own reference to the engine; ours can go. */
	if (inited)
		ENGINE_finish(eng);
	ENGINE_free(eng);
	UI_destroy_method(ui);
	ERR_clear_error();
	return rc;
}
