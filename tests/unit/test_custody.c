/* test_custody.c — the custody API through the public header: record 1 written by the
 * sealer, appends and their errors, appends from eight threads at once, and the ledger as
 * scelle_verify() judges it. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "scelle.h"
#include "tap.h"
#include "fixture.h"

static char dir[] = "/tmp/scelle-unit-custody.XXXXXX";
static char key_path[FIXTURE_PATH], cert_path[FIXTURE_PATH], archive[256], item[FIXTURE_PATH];

static struct scelle_custody *actor(void)
{
	struct scelle_custody *c = scelle_custody_new();
	if (c && scelle_custody_set_signer(c, key_path, cert_path) != SCELLE_OK) {
		scelle_custody_free(c);
		return NULL;
	}
	return c;
}

static void *examine(void *arg)
{
	struct scelle_custody *c = actor();
	unsigned long *seq = arg;
	*seq = 0;
	if (c && scelle_custody_set(c, "note", "examined in parallel") == SCELLE_OK &&
	    scelle_custody_append(c, archive, "examined") == SCELLE_OK)
		*seq = scelle_custody_sequence(c);
	scelle_custody_free(c);
	return NULL;
}

int main(void)
{
	if (officer_fixture(dir, "Unit Police", key_path, cert_path, item) != 0)
		return 2;
	snprintf(archive, sizeof(archive), "%s/case.asice", dir);

	struct scelle_sealer *s = scelle_sealer_new();
	ok(s && scelle_sealer_set_signer(s, key_path, cert_path) == SCELLE_OK &&
	    scelle_sealer_set_officer(s, "name", "Unit Officer") == SCELLE_OK &&
	    scelle_sealer_add_input(s, item, NULL) == SCELLE_OK, "a sealer with a signer and one item");
	ok(scelle_sealer_write(s, archive, 0) == SCELLE_OK, "the archive is sealed: %s", scelle_sealer_errmsg(s));
	char ledger[300];
	snprintf(ledger, sizeof(ledger), "%s.custody.xml", archive);
	ok(access(ledger, F_OK) == 0, "the sealing wrote the ledger beside the archive");
	ok(scelle_sealer_write(s, archive, 0) == SCELLE_E_EXISTS, "sealing again over it is SCELLE_E_EXISTS");
	scelle_sealer_free(s);

	struct scelle_custody *c = actor();
	ok(c != NULL, "a custody handle with the officer's key");
	ok(scelle_custody_set(c, "country", "France") == SCELLE_E_USAGE, "a country that is not ISO 3166 alpha-2 is refused");
	ok(scelle_custody_set(c, "rank", "x") == SCELLE_E_USAGE, "an unknown field is refused");
	ok(scelle_custody_append(c, archive, "lost") == SCELLE_E_USAGE, "an unknown event is refused");
	ok(scelle_custody_append(c, archive, "sealed") == SCELLE_E_USAGE, "'sealed' is record 1's alone");
	ok(scelle_custody_append(c, archive, "received") == SCELLE_E_USAGE, "received without a verifier is refused");
	ok(scelle_custody_set(c, "to", "Policia Nacional") == SCELLE_OK, "a field is set");
	ok(scelle_custody_append(c, archive, "transferred") == SCELLE_OK, "transferred is appended: %s",
	    scelle_custody_errmsg(c));
	ok(scelle_custody_sequence(c) == 2, "as record 2");
	scelle_custody_set_time(c, 1000000000);
	ok(scelle_custody_append(c, archive, "opened") == SCELLE_E_USAGE && scelle_custody_sequence(c) == 0,
	    "a time before the last record is refused: %s", scelle_custody_errmsg(c));
	scelle_custody_set_time(c, 0);
	ok(scelle_custody_set_ledger(c, "/nonexistent/ledger.xml") == SCELLE_OK &&
	    scelle_custody_append(c, archive, "opened") == SCELLE_E_IO, "a missing ledger is SCELLE_E_IO");
	scelle_custody_set_ledger(c, NULL);

	/* Eight appends at once, each with its own handle: the lock serialises them. */
	pthread_t t[8];
	unsigned long seq[8], seen = 0;
	for (int i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, examine, &seq[i]);
	for (int i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < 8; i++)
		if (seq[i] >= 3 && seq[i] <= 10)
			seen |= 1ul << seq[i];
	ok(seen == 0x7f8, "eight threads appended records 3 to 10, one each");

	struct scelle_verifier *v = scelle_verifier_new();
	ok(scelle_verifier_add_trust(v, cert_path) == SCELLE_OK, "the officer is a trust anchor");
	scelle_verifier_set_flags(v, SCELLE_VERIFY_NO_TIMESTAMP_OK);
	scelle_custody_set_verifier(c, v);
	ok(scelle_custody_append(c, archive, "received") == SCELLE_OK && scelle_custody_sequence(c) == 11,
	    "received is appended as record 11");
	ok(scelle_custody_verification(c) &&
	    scelle_result_verdict(scelle_custody_verification(c)) == SCELLE_PASSED, "with the receiver's verdict");

	struct scelle_result *r = scelle_verify(v, archive);
	ok(r && scelle_result_verdict(r) == SCELLE_PASSED, "the archive and its ledger verify");
	ok(r && scelle_result_custody_count(r) == 11, "eleven records");
	const struct scelle_custody_record *first = r ? scelle_result_custody_record(r, 0) : NULL;
	const struct scelle_custody_record *last = r ? scelle_result_custody_record(r, 10) : NULL;
	is_str(first ? first->event : NULL, "sealed", "record 1 is the sealing");
	is_str(first ? first->actor : NULL, "Unit Officer", "by the sealing officer");
	is_str(last ? last->verification : NULL, "TOTAL-PASSED", "record 11 holds the receiver's verdict");
	int all = r != NULL;
	for (size_t i = 0; r && i < scelle_result_custody_count(r); i++)
		all &= scelle_result_custody_record(r, i)->status == SCELLE_PASSED &&
		    scelle_result_custody_record(r, i)->seq == i + 1;
	ok(all, "every record passed, numbered in order");
	ok(r && scelle_result_custody_record(r, 11) == NULL, "no record past the last");

	/* The ledger head (formats/custody.md): what custody_append printed is what verify reads. */
	char head[65] = "", upper[65] = "";
	if (scelle_custody_ledger_head(c))
		snprintf(head, sizeof(head), "%s", scelle_custody_ledger_head(c));
	is_str(r ? scelle_result_ledger_head(r) : NULL, head, "the ledger head is the one the last append gave");
	ok(strlen(head) == 64 && strspn(head, "0123456789abcdef") == 64, "64 lower-case hex digits");
	scelle_result_free(r);
	for (size_t i = 0; i < 64 && head[i]; i++)
		upper[i] = head[i] >= 'a' ? (char)(head[i] - 'a' + 'A') : head[i];
	ok(scelle_verifier_set_ledger_head(v, upper) == SCELLE_OK, "a head in upper case is taken");
	r = scelle_verify(v, archive);
	ok(r && scelle_result_verdict(r) == SCELLE_PASSED, "the ledger with that head verifies");
	scelle_result_free(r);
	ok(scelle_verifier_set_ledger_head(v, "1234") == SCELLE_E_USAGE, "a head that is not 64 hex digits is SCELLE_E_USAGE");
	head[0] = head[0] == '0' ? '1' : '0';
	ok(scelle_verifier_set_ledger_head(v, head) == SCELLE_OK, "another head is taken");
	r = scelle_verify(v, archive);
	int seen_head = 0;
	for (size_t i = 0; r && i < scelle_result_check_count(r); i++)
		seen_head |= strcmp(scelle_result_check(r, i)->id, "custody.head") == 0 &&
		    scelle_result_check(r, i)->status == SCELLE_FAILED;
	ok(r && scelle_result_verdict(r) == SCELLE_FAILED && seen_head, "a ledger with another head fails custody.head");
	scelle_result_free(r);
	ok(scelle_custody_set_ledger_head(c, head) == SCELLE_OK &&
	    scelle_custody_append(c, archive, "examined") == SCELLE_E_MISMATCH && scelle_custody_sequence(c) == 0 &&
	    scelle_custody_ledger_head(c) == NULL, "an append to a ledger with another head is SCELLE_E_MISMATCH");
	scelle_custody_free(c);
	scelle_verifier_free(v);
	scelle_custody_free(NULL);

	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 2;
	return done_testing();
}
