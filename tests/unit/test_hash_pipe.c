/* test_hash_pipe.c — the hash pipe of hash_thread.c: small items packed into its buffers
 * and handed over whole (hash_pipe_item), a large one in pieces (begin, put, end); the
 * digests equal OpenSSL's one-shot ones, the caller's work runs in order on bytes still
 * intact, and a failing call fails the pipe and skips what follows. */
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include "internal.h"
#include "tap.h"

#define NITEMS 3000
#define BUFSIZE (64u << 10)

struct rec {
	size_t len;
	unsigned char want[2][HP_MD_SIZE], got[2][HP_MD_SIZE];
	int hashed, called;
	int call_saw_bytes;	/* the bytes were still those handed over */
	unsigned char first;
};

static size_t order[NITEMS + 1], ncalled;
static size_t fail_at = (size_t)-1;

static void got_digests(void *arg, unsigned char md[][HP_MD_SIZE], const unsigned int *len, size_t n)
{
	struct rec *r = arg;
	for (size_t i = 0; i < n; i++)
		memcpy(r->got[i], md[i], len[i]);
	r->hashed = 1;
}

static int after(void *ctx, void *arg, const unsigned char *p, size_t n)
{
	struct rec *recs = ctx, *r = arg;
	size_t i = (size_t)(r - recs);
	r->called = 1;
	r->call_saw_bytes = n == r->len && (n == 0 || (p[0] == r->first && p[n - 1] == (unsigned char)(i * 7)));
	order[ncalled++] = i;
	return i == fail_at ? -1 : 0;
}

static void fill(unsigned char *p, size_t n, size_t i)
{
	for (size_t k = 0; k < n; k++)
		p[k] = (unsigned char)(i * 31 + k * 13);
	if (n)
		p[n - 1] = (unsigned char)(i * 7);
}

/* Seals NITEMS small items of 0..6000 bytes; returns hash_pipe_wait's answer. */
static int run(struct rec *recs, const EVP_MD *const *md)
{
	struct hash_pipe *p = hash_pipe_new(BUFSIZE);
	int rc = -2;
	if (!p)
		return rc;
	ncalled = 0;
	for (size_t i = 0; i < NITEMS; i++) {
		struct rec *r = &recs[i];
		r->len = (i * 2654435761u) % 6001;
		unsigned char *b = hash_pipe_space(p, r->len + 1);
		fill(b, r->len, i);
		r->first = r->len ? b[0] : 0;
		for (int d = 0; d < 2; d++)
			EVP_Digest(b, r->len, r->want[d], NULL, md[d], NULL);
		if (hash_pipe_item(p, md, 2, b, r->len, got_digests, after, recs, r))
			goto out;
	}
	rc = hash_pipe_wait(p, hash_pipe_ticket(p));
out:
	hash_pipe_free(p);
	return rc;
}

int main(void)
{
	const EVP_MD *md[2] = { EVP_sha256(), EVP_md5() };
	struct rec *recs = calloc(NITEMS, sizeof(*recs));
	size_t wrong = 0, uncalled = 0, stale = 0, misordered = 0;

	ok(recs && run(recs, md) == 0, "%d small items (0-6000 bytes) through 64 KiB buffers", NITEMS);
	for (size_t i = 0; i < NITEMS; i++) {
		wrong += !recs[i].hashed || memcmp(recs[i].want, recs[i].got, sizeof(recs[i].want)) != 0;
		uncalled += !recs[i].called;
		stale += !recs[i].call_saw_bytes;
	}
	for (size_t i = 0; i < ncalled; i++)
		misordered += order[i] != i;
	ok(wrong == 0, "SHA-256 and MD5 of each equal OpenSSL's one-shot digests (%zu differ)", wrong);
	ok(uncalled == 0 && ncalled == NITEMS && misordered == 0,
	    "the caller's work ran once per item, in order (%zu missing, %zu out of order)", uncalled, misordered);
	ok(stale == 0, "and saw the item's bytes intact, its buffer not yet reused (%zu stale)", stale);

	/* A call that fails (a full disk in seal.c): the pipe fails, the rest is skipped. */
	memset(recs, 0, NITEMS * sizeof(*recs));
	fail_at = 100;
	ok(run(recs, md) == -1, "a failing call fails hash_pipe_wait");
	ok(ncalled == 101 && recs[100].called && !recs[101].hashed && !recs[NITEMS - 1].called,
	    "nothing after it is hashed or called (%zu calls)", ncalled);
	fail_at = (size_t)-1;

	/* A large item in pieces: begin, put, end. */
	struct hash_pipe *p = hash_pipe_new(BUFSIZE);
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned char want[HP_MD_SIZE];
	struct rec big = { 0 };
	int okp = p && c && EVP_DigestInit_ex(c, md[0], NULL) && hash_pipe_begin(p, md, 1) == 0;
	for (size_t k = 0; okp && k < 50; k++) {	/* 50 x 64 KiB through 4 buffers */
		unsigned char *b = hash_pipe_buffer(p);
		fill(b, BUFSIZE, k);
		EVP_DigestUpdate(c, b, BUFSIZE);
		hash_pipe_put(p, b, BUFSIZE);
	}
	if (okp) {
		hash_pipe_end(p, got_digests, &big);
		okp = hash_pipe_wait(p, hash_pipe_ticket(p)) == 0 && EVP_DigestFinal_ex(c, want, NULL);
	}
	ok(okp && big.hashed && memcmp(big.got[0], want, 32) == 0, "a 3.2 MB item in 50 pieces");

	unsigned char *b = p ? hash_pipe_space(p, 10) : NULL;
	ok(b && hash_pipe_item(p, md, 2, b + 1, 5, got_digests, NULL, NULL, &big) == -1,
	    "hash_pipe_item refuses bytes that are not the space given out");
	hash_pipe_free(p);
	EVP_MD_CTX_free(c);
	free(recs);
	return done_testing();
}
