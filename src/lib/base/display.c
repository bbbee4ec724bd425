/* display.c — the display form of text that came from outside (an archive, a ledger, the
 * command line), and the check of free text before it is written into evidence.xml or a
 * ledger.
 *
 * A name in a hostile archive can hold escape sequences that drive a terminal, a
 * right-to-left override that makes "invoice<U+202E>gpj.exe" read as "invoiceexe.jpg",
 * zero-width characters that make two names look the same, line separators and padding
 * that push text onto a line of its own.  scelle_display() (scelle.h) shows each of these
 * as a visible escape, so that every output (text, progress, HTML) shows one name the same
 * way, and what is shown can be mapped back to the bytes (the form is reversible):
 *
 *   \\          a backslash
 *   \xNN        a byte that is not part of well-formed UTF-8 (RFC 3629), or a C0 control
 *               character or DEL (U+0000-U+001F, U+007F), or a blank (below)
 *   \uXXXX      a code point of the escaped set, \UXXXXXXXX above U+FFFF:
 *               C1 controls (U+0080-U+009F), the line and paragraph separators
 *               (U+2028, U+2029), Bidi_Control and Default_Ignorable_Code_Point
 *               (Unicode 15.1, PropList.txt and DerivedCoreProperties.txt), which include
 *               the soft hyphen, zero-width characters, bidi embeddings, overrides and
 *               isolates, variation selectors, Hangul fillers and tags, and the interlinear
 *               annotation characters U+FFF9-U+FFFB
 *   blanks      U+0020 and the other space separators (Unicode category Zs) show as they
 *               are, except one that follows a blank or ends the text, so that no run of
 *               padding is invisible: "a   b " shows as "a \x20\x20b\x20"
 *
 * Variation selectors and U+200D (the zero-width joiner of emoji sequences) are escaped
 * too: they are invisible, and they are exactly what tells "a\u2764.txt" from
 * "a\u2764\uFE0F.txt" apart.  SCELLE_DISPLAY_LAYOUT, for a whole document (show --xml on
 * a terminal), keeps LF, and the TABs and blanks that indent a line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicase.h>
#include <uninorm.h>
#include "internal.h"

/* The code point of the well-formed UTF-8 sequence at p (at most n bytes) in *cp, and its
 * length; 0 if there is none (RFC 3629: no overlongs, no surrogates, nothing above
 * U+10FFFF). */
size_t utf8_char(const unsigned char *p, size_t n, uint32_t *cp)
{
	size_t len;
	uint32_t min, c = p[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, min = 0x80, c &= 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, min = 0x800, c &= 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, min = 0x10000, c &= 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

size_t scelle_utf8_len(const char *s, size_t n)
{
	uint32_t cp;
	return n ? utf8_char((const unsigned char *)s, n, &cp) : 0;
}

/* Unicode 15.1: C1, Zl, Zp, Bidi_Control and Default_Ignorable_Code_Point, merged. */
static const uint32_t hidden[][2] = {
	{ 0x0080, 0x009f }, { 0x00ad, 0x00ad }, { 0x034f, 0x034f }, { 0x061c, 0x061c },
	{ 0x115f, 0x1160 }, { 0x17b4, 0x17b5 }, { 0x180b, 0x180f }, { 0x200b, 0x200f },
	{ 0x2028, 0x202e }, { 0x2060, 0x206f }, { 0x3164, 0x3164 }, { 0xfe00, 0xfe0f },
	{ 0xfeff, 0xfeff }, { 0xffa0, 0xffa0 }, { 0xfff0, 0xfffb }, { 0x1bca0, 0x1bca3 },
	{ 0x1d173, 0x1d17a }, { 0xe0000, 0xe0fff },
};

int display_hidden(uint32_t c)
{
	if (c < 0x20 || c == 0x7f)
		return 1;
	for (size_t i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++)
		if (c >= hidden[i][0] && c <= hidden[i][1])
			return 1;
	return 0;
}

/* Unicode category Zs. */
int display_blank(uint32_t c)
{
	return c == 0x20 || c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x202f ||
	    c == 0x205f || c == 0x3000;
}

/* SCELLE_DISPLAY_CODEPOINTS: "U+0065 U+0301", a byte that is not UTF-8 as "\xNN". */
static char *display_codepoints(const unsigned char *p, size_t len)
{
	/* the longest form is 10 bytes for 1 ("\xNN " is 5; "U+XXXX " is 7 for >= 2 bytes,
	 * "U+XXXXXX " 9 for 4) */
	if (len > (SIZE_MAX - 1) / 10)
		return NULL;
	size_t cap = 10 * len + 1, n = 0;
	char *out = malloc(cap);
	if (!out)
		return NULL;
	out[0] = '\0';
	for (size_t i = 0; i < len;) {
		uint32_t c = 0;
		size_t k = utf8_char(p + i, len - i, &c);
		int w = k ? snprintf(out + n, cap - n, "%sU+%04X", n ? " " : "", (unsigned)c)
			  : snprintf(out + n, cap - n, "%s\\x%02X", n ? " " : "", p[i]);
		if (w < 0 || (size_t)w >= cap - n) {	/* cannot be: 10 bytes a byte */
			free(out);
			return NULL;
		}
		n += (size_t)w;
		i += k ? k : 1;
	}
	return out;
}

char *scelle_display(const char *s, size_t len, unsigned flags)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	int layout = flags & SCELLE_DISPLAY_LAYOUT, after_blank = 0, indent = 1;
	/* the longest form is 4 bytes for 1 (\xNN); \uXXXX is 6 for >= 2, \U… 10 for 4 */
	if (!s)
		len = 0;
	if (flags & SCELLE_DISPLAY_CODEPOINTS)
		return display_codepoints(p, len);
	if (len > (SIZE_MAX - 1) / 4)
		return NULL;
	char *out = malloc(4 * len + 1), *q = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < len;) {
		uint32_t c = 0;
		size_t k = utf8_char(p + i, len - i, &c);
		int blank = k && display_blank(c);
		int end = i + k == len || (layout && p[i + k] == '\n');
		int keep = k && !display_hidden(c) && c != '\\' &&
		    (!blank || (layout && indent) || (!after_blank && !end));
		if (layout && k == 1 && (c == '\n' || (c == '\t' && indent)))
			keep = 1;
		after_blank = blank;
		indent = layout && (c == '\n' || (indent && k && (blank || c == '\t')));
		if (keep) {
			memcpy(q, p + i, k);
			q += k;
		} else if (c == '\\') {
			*q++ = '\\';
			*q++ = '\\';
		} else if (!k || c < 0x80) {
			*q++ = '\\';
			*q++ = 'x';
			*q++ = hex[p[i] >> 4];
			*q++ = hex[p[i] & 15];
			k = 1;
		} else {
			int digits = c > 0xffff ? 8 : 4;
			*q++ = '\\';
			*q++ = c > 0xffff ? 'U' : 'u';
			for (int d = digits - 1; d >= 0; d--)
				*q++ = hex[(c >> (4 * d)) & 15];
		}
		i += k;
	}
	*q = '\0';
	return out;
}

/* Free text for evidence.xml or a ledger: XML 1.0 §2.2 cannot carry C0 controls, and C1
 * controls and DEL drive terminals; a multiline text (a --case-file) may hold TAB, LF and
 * CR. */
int text_check(const char *s, int multiline, char *why, size_t n)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t len = strlen((const char *)p);
	for (size_t i = 0; i < len;) {
		uint32_t c = 0;
		size_t k = utf8_char(p + i, len - i, &c);
		if (!k) {
			snprintf(why, n, L_("byte 0x%02X is not UTF-8"), p[i]);
			return -1;
		}
		if ((c < 0x20 && !(multiline && (c == '\t' || c == '\n' || c == '\r'))) ||
		    (c >= 0x7f && c <= 0x9f)) {
			snprintf(why, n, L_("control character U+%04X not allowed"), (unsigned)c);
			return -1;
		}
		i += k;
	}
	return 0;
}

/* Whether s[0..n) is all well-formed UTF-8 (utf8_char). */
int utf8_valid(const char *s, size_t n)
{
	uint32_t cp;
	for (size_t i = 0; i < n;) {
		size_t k = utf8_char((const unsigned char *)s + i, n - i, &cp);
		if (!k)
			return 0;
		i += k;
	}
	return 1;
}

/* The key under which two names are "the same file" on a receiving machine: Unicode
 * canonical composition (NFC; macOS stores NFD, Linux keeps both forms apart) and full
 * case folding (Unicode §3.13 toCasefold; Windows and macOS compare names without case).
 * Full folding is the conservative choice (it also maps "ß" to "ss" and the ligature "ﬁ"
 * to "fi"): a pair it flags is refused with a clear message and can be renamed with --as,
 * whereas a missed pair would overwrite evidence on the receiver's disk.  Compatibility
 * forms (NFKC: fullwidth letters, superscripts) are not folded: no file system merges them.
 * No language tailoring: "ı" (dotless) and "I" stay apart, "İ" folds to "i̇".  This is the
 * one collision key: seal refuses colliding inputs with it, verify (zip_check.c) fails an
 * archive whose entry names collide under it (FORMAT.md §2.2). */
char *name_fold_key(const char *name)
{
	size_t len = strlen(name), ascii = 0;
	/* ASCII is its own NFC form and folds by plain lower-casing; libunistring's walk
	 * took a third of the listing time of 100,000 files. */
	while (ascii < len && (unsigned char)name[ascii] < 0x80)
		ascii++;
	if (ascii == len) {
		char *s = malloc(len + 1);
		for (size_t i = 0; s && i <= len; i++)
			s[i] = name[i] >= 'A' && name[i] <= 'Z' ? (char)(name[i] - 'A' + 'a') : name[i];
		return s;
	}
	uint8_t *k = u8_casefold((const uint8_t *)name, len, NULL, UNINORM_NFC, NULL, &len);
	if (!k)
		return NULL;
	char *s = malloc(len + 1);
	if (s) {
		memcpy(s, k, len);
		s[len] = '\0';
	}
	free(k);
	return s;
}
