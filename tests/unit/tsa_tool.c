/* tsa_tool.c — a test driver for the RFC 3161 client of libscelle, used by
 * tests/cli/t30-tsa.sh (not a TAP test itself):
 *   tsa_tool fetch URL DATAFILE OUT [POLICY [TIMEOUT]]   tsa_request(); writes the DER token
 *   tsa_tool check TOKEN DATAFILE [CAFILE]               tsa_token_check(); prints the verdict
 * Exit status: 0 passed / fetched, 1 failed, 3 indeterminate, 2 error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/x509.h>
#include "crypto.h"
#include "internal.h"

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b = { 0 };
	char chunk[65536];
	size_t n;
	if (!f) {
		fprintf(stderr, "tsa_tool: cannot open '%s': %s\n", path, strerror(errno));
		exit(2);
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_append(&b, chunk, n) < 0)
			exit(2);
	fclose(f);
	*len = b.len;
	return b.data ? b.data : calloc(1, 1);
}

static int fetch(int argc, char **argv)
{
	struct tsa_options opt = { argc > 5 ? argv[5] : NULL, argc > 6 ? atoi(argv[6]) : 0, NULL };
	struct scerr e = { 0 };
	unsigned char *data, *token;
	size_t n, len;
	FILE *out;
	if (opt.policy && !*opt.policy)
		opt.policy = NULL;
	data = slurp(argv[3], &n);
	if (tsa_request(argv[2], data, n, &opt, &token, &len, &e) < 0) {
		fprintf(stderr, "tsa_tool: %s\n", e.msg);
		free(data);
		return 2;
	}
	if (!(out = fopen(argv[4], "wb")) || fwrite(token, 1, len, out) != len || fclose(out) != 0) {
		fprintf(stderr, "tsa_tool: cannot write '%s'\n", argv[4]);
		return 2;
	}
	free(token);
	free(data);
	return 0;
}

static int check(int argc, char **argv)
{
	struct tsa_token_info info;
	struct scerr e = { 0 };
	X509_STORE *store = NULL;
	unsigned char *token, *data;
	size_t tlen, n;
	char when[32];

	if (argc > 4) {
		if (!(store = X509_STORE_new()) || X509_STORE_load_file(store, argv[4]) != 1) {
			fprintf(stderr, "tsa_tool: cannot load '%s'\n", argv[4]);
			return 2;
		}
	}
	token = slurp(argv[2], &tlen);
	data = slurp(argv[3], &n);
	tsa_token_check(token, tlen, data, n, store, &info, &e);
	time_rfc3339(info.gen_time, when, sizeof(when));
	printf("status: %s\n", info.status == SCELLE_PASSED ? "PASSED"
	    : info.status == SCELLE_FAILED ? "FAILED" : "INDETERMINATE");
	printf("subindication: %s\n", info.subindication ? info.subindication : "-");
	printf("reason: %s\n", info.reason);
	printf("gen_time: %s\ntsa: %s\nsigner: %s\npolicy: %s\nserial: %s\n", when, info.tsa_name,
	    info.signer, info.policy, info.serial);
	X509_STORE_free(store);
	free(token);
	free(data);
	return (int)info.status;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && strcmp(argv[1], "fetch") == 0)
		return fetch(argc, argv);
	if (argc >= 4 && strcmp(argv[1], "check") == 0)
		return check(argc, argv);
	fprintf(stderr, "usage: tsa_tool fetch URL DATAFILE OUT [POLICY [TIMEOUT]]\n"
			"       tsa_tool check TOKEN DATAFILE [CAFILE]\n");
	return 2;
}
