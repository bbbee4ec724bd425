/* fuzz_display.c — scelle_display(), the one escaping function of every output (scelle(1)
 * "DISPLAY OF NAMES").  The first byte of the input chooses the flags, the rest is the
 * text.  The invariants are checked here from the man page, not from display.c's tables:
 *   - the result is well-formed UTF-8 (RFC 3629);
 *   - it holds no C0 control (but LF and TAB with SCELLE_DISPLAY_LAYOUT), no DEL, no C1,
 *     no line or paragraph separator, no Bidi_Control and no Default_Ignorable_Code_Point;
 *   - without LAYOUT, no two blanks (Zs) in a row and no blank at the end;
 *   - it maps back to the input exactly (\\, \xNN, \uXXXX, \UXXXXXXXX), so two different
 *     names never show alike.
 * A broken invariant aborts: libFuzzer keeps the input, the replay of t62 fails. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "scelle.h"

#define CHECK(x) do { if (!(x)) { fprintf(stderr, "fuzz_display: %s\n", #x); abort(); } } while (0)

/* UTF-8 decoding written again here (RFC 3629 §3-4), so that the target does not trust
 * the decoder it tests. */
static size_t decode(const unsigned char *p, size_t n, unsigned long *cp)
{
	static const unsigned long min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t len = p[0] < 0x80 ? 1 : (p[0] & 0xe0) == 0xc0 ? 2 : (p[0] & 0xf0) == 0xe0 ? 3
	    : (p[0] & 0xf8) == 0xf0 ? 4 : 0;
	if (!len || len > n)
		return 0;
	unsigned long c = len == 1 ? p[0] : p[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if (c < min[len] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Unicode 15.1 PropList.txt Bidi_Control, DerivedCoreProperties.txt
 * Default_Ignorable_Code_Point, C0, DEL, C1, Zl, Zp. */
static int forbidden(unsigned long c)
{
	static const unsigned long r[][2] = {
		{ 0x00, 0x1f }, { 0x7f, 0x9f }, { 0xad, 0xad }, { 0x34f, 0x34f }, { 0x61c, 0x61c },
		{ 0x115f, 0x1160 }, { 0x17b4, 0x17b5 }, { 0x180b, 0x180f }, { 0x200b, 0x200f },
		{ 0x2028, 0x2029 }, { 0x202a, 0x202e }, { 0x2060, 0x206f }, { 0x3164, 0x3164 },
		{ 0xfe00, 0xfe0f }, { 0xfeff, 0xfeff }, { 0xffa0, 0xffa0 }, { 0xfff0, 0xfff8 },
		{ 0x1bca0, 0x1bca3 }, { 0x1d173, 0x1d17a }, { 0xe0000, 0xe0fff },
	};
	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		if (c >= r[i][0] && c <= r[i][1])
			return 1;
	return 0;
}

static int blank(unsigned long c)	/* Unicode category Zs */
{
	return c == 0x20 || c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x202f ||
	    c == 0x205f || c == 0x3000;
}

static int hexdigits(const char *p, size_t n, unsigned long *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return 0;
		*v = *v << 4 | (unsigned long)d;
	}
	return 1;
}

/* The display form back to bytes; -1 if it is not one. */
static long undisplay(const char *d, unsigned char *out)
{
	size_t o = 0;
	for (const char *p = d; *p;) {
		unsigned long v;
		if (*p != '\\') {
			out[o++] = (unsigned char)*p++;
			continue;
		}
		if (p[1] == '\\') {
			out[o++] = '\\';
			p += 2;
		} else if (p[1] == 'x' && hexdigits(p + 2, 2, &v)) {
			out[o++] = (unsigned char)v;
			p += 4;
		} else if ((p[1] == 'u' && hexdigits(p + 2, 4, &v)) || (p[1] == 'U' && hexdigits(p + 2, 8, &v))) {
			CHECK(v >= 0x80 && v <= 0x10ffff && !(v >= 0xd800 && v <= 0xdfff));
			if (v < 0x800) {
				out[o++] = (unsigned char)(0xc0 | v >> 6);
			} else if (v < 0x10000) {
				out[o++] = (unsigned char)(0xe0 | v >> 12);
				out[o++] = (unsigned char)(0x80 | ((v >> 6) & 0x3f));
			} else {
				out[o++] = (unsigned char)(0xf0 | v >> 18);
				out[o++] = (unsigned char)(0x80 | ((v >> 12) & 0x3f));
				out[o++] = (unsigned char)(0x80 | ((v >> 6) & 0x3f));
			}
			out[o++] = (unsigned char)(0x80 | (v & 0x3f));
			p += p[1] == 'u' ? 6 : 10;
		} else {
			return -1;
		}
	}
	return (long)o;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > FUZZ_MAX_INPUT)
		return 0;
	unsigned flags = data[0] & 1 ? SCELLE_DISPLAY_LAYOUT : 0;
	const char *s = (const char *)data + 1;
	size_t n = size - 1;
	char *d = scelle_display(s, n, flags);
	CHECK(d != NULL);
	size_t len = strlen(d);
	const unsigned char *p = (const unsigned char *)d;
	int prev_blank = 0;
	for (size_t i = 0; i < len;) {
		unsigned long c;
		size_t k = decode(p + i, len - i, &c);
		CHECK(k > 0);	/* well-formed UTF-8 */
		CHECK(!forbidden(c) || (flags && (c == '\n' || c == '\t')));
		if (!flags) {
			CHECK(!(blank(c) && prev_blank));	/* no invisible padding */
			CHECK(!(blank(c) && i + k == len));
		}
		prev_blank = blank(c);
		i += k;
	}
	unsigned char *back = malloc(len + 1);
	CHECK(back != NULL);
	long m = undisplay(d, back);
	CHECK(m == (long)n && memcmp(back, s, n) == 0);	/* reversible: one name, one form */
	free(back);
	free(d);
	return 0;
}
