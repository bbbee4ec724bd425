/* media_type.c — an item's media type from its first bytes (issue 22).
 *
 * libmagic walks thousands of rules for each call: 50 us to find a JPEG, 250 us to 1 ms to
 * find that random bytes (an app cache, an encrypted blob, a broken thumbnail) are none of
 * them.  A phone dump holds tens of thousands of such files, so the common evidence formats
 * are named here from their signature, with the answer libmagic 5.44 gives for them
 * (tests/unit/test_media_type.c checks each rule against libmagic), and content that looks
 * like random bytes from its first byte on is application/octet-stream without asking.
 * Everything else goes to libmagic, as before. */
#include <string.h>
#include <strings.h>
#include <magic.h>
#include "internal.h"

/* ISO/IEC 14496-12 "ftyp" major brands and what libmagic calls them. */
static const char *ftyp_brand(const unsigned char *b)
{
	static const struct {
		char brand[5];
		const char *type;
	} brands[] = {
		{ "isom", "video/mp4" }, { "iso2", "video/mp4" }, { "iso5", "video/mp4" },
		{ "iso6", "video/mp4" }, { "mp41", "video/mp4" }, { "mp42", "video/mp4" },
		{ "avc1", "video/mp4" }, { "dash", "video/mp4" }, { "qt  ", "video/quicktime" },
		{ "M4A ", "audio/x-m4a" }, { "M4V ", "video/x-m4v" }, { "3gp4", "video/3gpp" },
		{ "3gp5", "video/3gpp" }, { "heic", "image/heic" },
	};
	for (size_t i = 0; i < sizeof(brands) / sizeof(brands[0]); i++)
		if (memcmp(b, brands[i].brand, 4) == 0)
			return brands[i].type;
	return NULL;
}

/* Text as libmagic's encoding test sees it, or stricter: printable ASCII, tab, line
 * breaks, form feed and well-formed UTF-8.  A buffer cut inside a UTF-8 sequence is not. */
static int plain_text(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = p[i];
		if (c >= 0x20 && c < 0x7f) {
			i++;
			continue;
		}
		if (c == '\t' || c == '\n' || c == '\r' || c == '\f') {
			i++;
			continue;
		}
		size_t k = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
		if (!k || n - i <= k)
			return 0;
		for (size_t j = 1; j <= k; j++)
			if ((p[i + j] & 0xc0) != 0x80)
				return 0;
		/* overlong forms, surrogates and code points past U+10FFFF */
		if ((c == 0xe0 && p[i + 1] < 0xa0) || (c == 0xed && p[i + 1] >= 0xa0) ||
		    (c == 0xf0 && p[i + 1] < 0x90) || (c == 0xf4 && p[i + 1] >= 0x90))
			return 0;
		i += k + 1;
	}
	return 1;
}

/* An OpenPGP key or signature packet (RFC 4880 §4.2: an old-format header with a one- or
 * two-octet length, or a new-format one), version 3 to 5: a keyring is random-looking
 * key material behind a few header bytes, and libmagic names it application/pgp-keys. */
static int openpgp_key(const unsigned char *p)
{
	static const unsigned char tags[] = { 0x88, 0x89, 0x94, 0x95, 0x98, 0x99, 0xc2, 0xc5, 0xc6 };
	if (!memchr(tags, p[0], sizeof(tags)))
		return 0;
	size_t v = p[0] & 0x40 ? (p[1] < 192 ? 2 : 3) : (p[0] & 3) == 0 ? 2 : 3;
	return p[v] >= 3 && p[v] <= 5;
}

/* libmagic tests for CSV before its rules (is_csv.c): lines with the same number of
 * commas, quotes skipped, make text/csv even of a page with a doctype.  A first line with
 * neither a comma nor a quote ends that test at its first line break. */
static int first_line_plain(const unsigned char *p, size_t n)
{
	const unsigned char *nl = memchr(p, '\n', n);
	size_t k = nl ? (size_t)(nl - p) : n;
	return !memchr(p, ',', k) && !memchr(p, '"', k);
}

/* Signatures that may sit in a header with no zero byte and be followed by compressed
 * bytes: those go to libmagic, never to the random-bytes shortcut (archives among them are
 * opened by intake.c on their media type). */
static int compressed_signature(const unsigned char *p, size_t n)
{
	static const char *const sigs[] = {
		"PK", "\037\213", "\037\235", "(\265/\375", "\004\"M\030", "LZIP", "7z\274\257", "Rar!",
		"\3757zXZ", "BZh", "MSCF", "xar!", "OggS", "fLaC", "ID3", "RIFF", "FORM",
	};
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (n >= strlen(sigs[i]) && memcmp(p, sigs[i], strlen(sigs[i])) == 0)
			return 1;
	if (p[0] == 0xff && (p[1] & 0xe0) == 0xe0)	/* MPEG audio and ADTS frame sync */
		return 1;
	if ((p[0] & 0x0f) == 8 && ((p[0] << 8) | p[1]) % 31 == 0)	/* zlib, RFC 1950 */
		return 1;
	if (openpgp_key(p))
		return 1;
	return n > 262 && memcmp(p + 257, "ustar", 5) == 0;
}

#define SAMPLE 256	/* bytes looked at to call content random */
#define MIN_DISTINCT 140	/* of 256 random bytes: 162 distinct values expected, sd 4.8 */

/* Random-looking from the first byte: at most one zero byte in the first 16 (a header's
 * lengths, versions and padding have more; random bytes have two or more once in 550), not
 * 8 printable bytes first (a text signature such as "Salted__" or "bplist00"), no
 * signature of compressed data, and at least MIN_DISTINCT distinct values among the first
 * 256 bytes (text has under a hundred, a structured header far fewer).  Random bytes that
 * fail a test go to libmagic, which is only slower. */
static int random_bytes(const unsigned char *p, size_t n)
{
	if (n < SAMPLE || compressed_signature(p, n))
		return 0;
	const unsigned char *z = memchr(p, 0, 16);
	if (z && memchr(z + 1, 0, (size_t)(p + 16 - z - 1)))
		return 0;
	size_t printable = 0;
	while (printable < 8 && p[printable] >= 0x20 && p[printable] < 0x7f)
		printable++;
	if (printable == 8)
		return 0;
	unsigned char seen[256] = { 0 };
	size_t distinct = 0;
	for (size_t i = 0; i < SAMPLE; i++) {
		distinct += !seen[p[i]];
		seen[p[i]] = 1;
	}
	return distinct >= MIN_DISTINCT;
}

const char *media_type_sniff(const unsigned char *p, size_t n)
{
	if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return "image/jpeg";
	if (n >= 16 && memcmp(p, "\211PNG\r\n\032\n\0\0\0\rIHDR", 16) == 0)
		return "image/png";
	if (n >= 6 && (memcmp(p, "GIF87a", 6) == 0 || memcmp(p, "GIF89a", 6) == 0))
		return "image/gif";
	if (n >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
		return "image/webp";
	if (n >= 12 && memcmp(p + 4, "ftyp", 4) == 0 && ftyp_brand(p + 8))
		return ftyp_brand(p + 8);
	if (n >= 5 && memcmp(p, "%PDF-", 5) == 0)
		return "application/pdf";
	if (n >= 10 && (memcmp(p, "WARC/1.0\r\n", 10) == 0 || memcmp(p, "WARC/1.1\r\n", 10) == 0))
		return "application/warc";
	if (n >= 15 && strncasecmp((const char *)p, "<!DOCTYPE html", 14) == 0 &&
	    memchr(" \t\r\n>", p[14], 5) && first_line_plain(p, n) && plain_text(p, n))
		return "text/html";
	if (random_bytes(p, n))
		return "application/octet-stream";
	return NULL;
}

const char *media_type(void *magic, const unsigned char *p, size_t n)
{
	const char *mt = media_type_sniff(p, n);
	return mt ? mt : magic ? magic_buffer(magic, p, n) : NULL;
}
