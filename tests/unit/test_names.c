/* test_names.c — the escape of names that are not UTF-8 (names.c), the collision key, and
 * the chat export parsers (chat_export.c), on hostile and ordinary input. */
#include <stdlib.h>
#include <string.h>
#include "tap.h"
#include "intake.h"

static int roundtrip(const char *name, size_t n)
{
	char *e = name_escape(name, n);
	unsigned char *back = NULL;
	size_t len = 0;
	int ok_ = e && utf8_valid(e, strlen(e)) && !name_needs_escape(e, strlen(e)) &&
	    scelle_name_unescape(e, &back, &len) == SCELLE_OK && len == n && memcmp(back, name, n) == 0;
	free(e);
	free(back);
	return ok_;
}

int main(void)
{
	/* RFC 3629: overlong forms, surrogates and code points above U+10FFFF are not UTF-8. */
	ok(utf8_valid("caf\xc3\xa9", 5), "UTF-8 accepted");
	ok(!utf8_valid("caf\xe9", 4), "Latin-1 refused");
	ok(!utf8_valid("\xc0\xaf", 2), "overlong '/' refused");
	ok(!utf8_valid("\xe0\x80\xaf", 3), "3-byte overlong refused");
	ok(!utf8_valid("\xed\xa0\x80", 3), "a UTF-16 surrogate refused");
	ok(!utf8_valid("\xf4\x90\x80\x80", 4), "above U+10FFFF refused");
	ok(!utf8_valid("\xe2\x82", 2), "a cut sequence refused");
	ok(utf8_valid("\xf0\x9f\x98\x80", 4), "an emoji accepted");

	ok(!name_needs_escape("dir/100%.txt", 12), "a UTF-8 name with %% needs no escape");
	ok(name_needs_escape("a\nb", 3), "a newline needs the escape");
	ok(name_needs_escape("a\x7f", 2), "DEL needs the escape");

	char *e = name_escape("50%\xe9t\xe9", 6);
	is_str(e, "50%25%E9t%E9", "Latin-1 and %% escaped");
	free(e);
	e = name_escape("caf\xc3\xa9 \xff", 7);
	is_str(e, "caf\xc3\xa9 %FF", "valid UTF-8 kept beside an invalid byte");
	free(e);
	e = name_escape("\xc0\xaf", 2);
	is_str(e, "%C0%AF", "an overlong form is escaped byte by byte");
	free(e);

	ok(roundtrip("factur\xe9.txt", 11), "Latin-1 name round-trips");
	ok(roundtrip("%25%\xff%", 6), "percent signs round-trip");
	int all = 1;
	srand(4711);
	for (int i = 0; i < 2000 && all; i++) {
		char b[32];
		size_t n = 1 + (size_t)(rand() % 31);
		for (size_t k = 0; k < n; k++)
			b[k] = (char)(1 + rand() % 255);
		all = roundtrip(b, n);
	}
	ok(all, "2000 random byte names round-trip");

	unsigned char *out = NULL;
	size_t len;
	ok(scelle_name_unescape("bad%G1", &out, &len) == SCELLE_E_FORMAT, "a bad escape is refused");
	ok(scelle_name_unescape("cut%4", &out, &len) == SCELLE_E_FORMAT, "a cut escape is refused");
	ok(scelle_name_unescape("nul%00", &out, &len) == SCELLE_E_FORMAT, "an escaped NUL is refused");

	/* <originalName> back to bytes, and the check that guards extraction. */
	char *o = original_name_decode("bi9jYWbp\nLnR4dA==");
	is_str(o, "n/caf\xe9.txt", "base64 with a line break decodes");
	ok(o && name_is_escape_of("n/caf%E9.txt", o), "the archive name is the escape of the original");
	ok(o && !name_is_escape_of("n/cafe.txt", o), "another archive name is not");
	free(o);
	ok(!original_name_decode("YQBi"), "a name with NUL is refused");
	ok(!original_name_decode("not base64!"), "text that is not base64 is refused");
	ok(!original_name_decode(""), "an empty name is refused");

	/* Collision keys: NFC and case folding. */
	char *a = name_fold_key("evidence/Jos\xc3\xa9"), *b = name_fold_key("evidence/jose\xcc\x81");
	is_str(a, b, "NFC and NFD, upper and lower case give one key");
	free(a);
	free(b);
	a = name_fold_key("evidence/\xef\xbd\x86ile");	/* U+FF46 FULLWIDTH LATIN SMALL LETTER F */
	b = name_fold_key("evidence/file");
	ok(a && b && strcmp(a, b) != 0, "compatibility forms (NFKC) are not folded");
	free(a);
	free(b);
	a = name_fold_key("evidence/Stra\xc3\x9f" "e");
	b = name_fold_key("evidence/STRASSE");
	is_str(a, b, "full case folding: sharp s folds to ss");
	free(a);
	free(b);

	/* Chat exports: hostile text is not summarised, and never read past its end. */
	struct chat_summary cs;
	const char *wa = "\xe2\x80\x8e[01/02/2026, 10:00:00] A: x\n[13/02/2026, 11:00:00] B: y\n";
	ok(chat_whatsapp((const unsigned char *)wa, strlen(wa), &cs) && cs.participants == 2 &&
	    cs.messages == 2 && strcmp(cs.first, "2026-02-01T10:00:00") == 0 &&
	    strcmp(cs.date_order, "day-month") == 0, "WhatsApp iOS lines, day-month from the data");
	ok(!chat_whatsapp((const unsigned char *)"[01/02/2026, 10:0", 17, &cs), "a cut stamp is no export");
	const char *incons = "1/13/26, 10:00 - A: x\n13/1/26, 10:00 - B: y\n";
	ok(chat_whatsapp((const unsigned char *)incons, strlen(incons), &cs) && !cs.first[0] &&
	    strcmp(cs.date_order, "inconsistent") == 0, "inconsistent dates give no times");
	char deep[200];
	memset(deep, '[', sizeof(deep));
	memcpy(deep, "{\"a\":", 5);
	ok(!chat_telegram((const unsigned char *)deep, sizeof(deep), &cs), "deep nesting is refused");
	const char *tg = "{\"messages\":[{\"type\":\"message\",\"from_id\":\"u1\",\"date\":\"2026-01-01T00:00:00\"}]}";
	ok(chat_telegram((const unsigned char *)tg, strlen(tg), &cs) && cs.messages == 1 &&
	    strcmp(cs.clock, "local") == 0, "a Telegram export without date_unixtime is in local time");
	ok(!chat_telegram((const unsigned char *)tg, strlen(tg) - 1, &cs), "a cut JSON is no export");

	return done_testing();
}
