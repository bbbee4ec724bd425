/* test_display.c — scelle_display(), the display form of every string from outside
 * (scelle(1) "DISPLAY OF NAMES"): the exact form of each class of character. */
#include <stdlib.h>
#include "scelle.h"
#include "tap.h"

static void is_display(const char *in, size_t len, unsigned flags, const char *want,
    const char *what)
{
	char *d = scelle_display(in, len, flags);
	is_str(d, want, "%s", what);
	free(d);
}
#define DISPLAY(in, flags, want, what) is_display(in, sizeof(in) - 1, flags, want, what)

int main(void)
{
	DISPLAY("facture-2026.pdf", 0, "facture-2026.pdf", "a plain name is unchanged");
	DISPLAY("r\xc3\xa9sum\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x93\xb7", 0,
	    "r\xc3\xa9sum\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x93\xb7",
	    "accents, CJK and emoji are unchanged");
	DISPLAY("a\x1b[2K\rb\x07\x7f", 0, "a\\x1B[2K\\x0Db\\x07\\x7F", "C0 controls and DEL as \\xNN");
	DISPLAY("a\xc2\x9b" "2J\xc2\x85", 0, "a\\u009B2J\\u0085", "C1 controls (CSI, NEL) as \\u00NN");
	DISPLAY("invoice\xe2\x80\xaegpj.exe", 0, "invoice\\u202Egpj.exe", "a right-to-left override");
	DISPLAY("a\xe2\x80\x8b" "b\xe2\x80\x8f" "c\xe2\x81\xa6" "d\xef\xbb\xbf" "e\xc2\xad" "f", 0,
	    "a\\u200Bb\\u200Fc\\u2066d\\uFEFFe\\u00ADf", "zero-width, marks, isolates, BOM, soft hyphen");
	DISPLAY("l\xe2\x80\xa8p\xe2\x80\xa9", 0, "l\\u2028p\\u2029", "line and paragraph separators");
	DISPLAY("\xe2\x9d\xa4\xef\xb8\x8f" "\xf3\xa0\x80\x81", 0, "\xe2\x9d\xa4\\uFE0F\\U000E0001",
	    "a variation selector, and a tag above U+FFFF as \\UXXXXXXXX");
	DISPLAY("bad\xff\xc3(\xed\xa0\x80", 0, "bad\\xFF\\xC3(\\xED\\xA0\\x80",
	    "bytes that are not UTF-8 (a lone lead byte, a surrogate) as \\xNN");
	DISPLAY("back\\slash", 0, "back\\\\slash", "a backslash is doubled: the form is reversible");
	DISPLAY("a  b   c ", 0, "a \\x20b \\x20\\x20c\\x20",
	    "padding: a blank after a blank, or at the end");
	DISPLAY("a\xe3\x80\x80\xe3\x80\x80z\xc2\xa0", 0, "a\xe3\x80\x80\\u3000z\\u00A0",
	    "other space separators count as blanks");
	DISPLAY("Affaire\xe2\x80\xaf: 12", 0, "Affaire\xe2\x80\xaf: 12",
	    "a French narrow no-break space before a colon stays as it is");
	DISPLAY("a\0b", 0, "a\\x00b", "NUL inside the length");
	DISPLAY("<e>\n  <i a=\"x  y\"/>\n\t<t>\x1b\t</t>  \n</e>\n", SCELLE_DISPLAY_LAYOUT,
	    "<e>\n  <i a=\"x \\x20y\"/>\n\t<t>\\x1B\\x09</t> \\x20\n</e>\n",
	    "LAYOUT keeps line feeds and indentation, nothing else");
	DISPLAY("e\xcc\x81\xc3\xa9", SCELLE_DISPLAY_CODEPOINTS, "U+0065 U+0301 U+00E9",
	    "CODEPOINTS: NFD and NFC told apart");
	DISPLAY("I\xff\xf0\x9f\x93\xb7", SCELLE_DISPLAY_CODEPOINTS, "U+0049 \\xFF U+1F4F7",
	    "CODEPOINTS: a byte that is not UTF-8 as \\xNN, above U+FFFF in full");
	DISPLAY("", SCELLE_DISPLAY_CODEPOINTS, "", "CODEPOINTS: the empty text");
	char *d = scelle_display(NULL, 5, 0);
	is_str(d, "", "NULL shows as the empty string");
	free(d);
	/* scelle_utf8_len: the one decoder, which the tool's JSON writer uses */
	static const struct { const char *s; size_t n, want; const char *what; } u[] = {
		{ "a", 1, 1, "ASCII: one byte" },
		{ "\xc3\xa9", 2, 2, "U+00E9: two bytes" },
		{ "\xf0\x9f\x93\xb7", 4, 4, "U+1F4F7: four bytes" },
		{ "\xf0\x9f\x93\xb7", 3, 0, "a sequence cut by n is none" },
		{ "\xc0\xaf", 2, 0, "an overlong form is none" },
		{ "\xed\xa0\x80", 3, 0, "a surrogate is none" },
		{ "\xf4\x90\x80\x80", 4, 0, "above U+10FFFF is none" },
		{ "\xff", 1, 0, "0xFF is none" },
		{ "a", 0, 0, "n = 0: none" },
	};
	for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++)
		ok(scelle_utf8_len(u[i].s, u[i].n) == u[i].want, "scelle_utf8_len: %s", u[i].what);
	return done_testing();
}
