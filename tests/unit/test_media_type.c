/* test_media_type.c — media_type.c: each signature rule gives the media type libmagic gives
 * for the same bytes (when libmagic and its database load), a signature cut short is left
 * to libmagic (NULL), random bytes are application/octet-stream, and what may be a
 * compressed stream, an archive or text is never taken for random bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <magic.h>
#include "internal.h"
#include "tap.h"

static magic_t mg;
static uint64_t rng = 0x9e3779b97f4a7c15u;

static unsigned char next_byte(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned char)(rng >> 24);
}

/* head, then random bytes up to n */
static size_t fill(unsigned char *b, const void *head, size_t hlen, size_t n)
{
	memcpy(b, head, hlen);
	for (size_t i = hlen; i < n; i++)
		b[i] = next_byte();
	return n;
}

/* The rule names it `want`, and libmagic agrees. */
static void rule(const char *what, const void *head, size_t hlen, size_t n, const char *want)
{
	unsigned char b[4096];
	n = fill(b, head, hlen, n);
	is_str(media_type_sniff(b, n), want, "%s: %s", what, want);
	if (mg)
		is_str(magic_buffer(mg, b, n), want, "%s: libmagic says %s too", what, want);
}

/* The rule does not answer: libmagic will. */
static void left(const char *what, const void *head, size_t hlen, size_t n)
{
	unsigned char b[4096];
	n = fill(b, head, hlen, n);
	const char *mt = media_type_sniff(b, n);
	ok(mt == NULL, "%s: left to libmagic (got %s)", what, mt ? mt : "NULL");
}

#define R(what, s, n, want) rule(what, s, sizeof(s) - 1, n, want)
#define L(what, s, n) left(what, s, sizeof(s) - 1, n)

int main(void)
{
	if ((mg = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR)) && magic_load(mg, NULL) != 0) {
		magic_close(mg);
		mg = NULL;
	}
	if (!mg)
		printf("# libmagic did not load: the rules are checked against their expected types only\n");

	R("JPEG", "\xff\xd8\xff\xe0\x00\x10JFIF\x00", 3000, "image/jpeg");
	R("PNG", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 2000, "image/png");
	L("PNG signature without IHDR", "\x89PNG\r\n\x1a\n", 8);
	L("PNG cut in IHDR", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHD", 15);
	R("GIF87a", "GIF87a", 2000, "image/gif");
	R("GIF89a", "GIF89a", 6, "image/gif");
	L("GIF cut", "GIF89", 5);
	R("WebP", "RIFF\x88\x13\x00\x00WEBPVP8 ", 2000, "image/webp");
	R("WebP, 12 bytes", "RIFF\x00\x00\x00\x00WEBP", 12, "image/webp");
	L("WebP cut", "RIFF\x00\x00\x00\x00WEB", 11);
	L("RIFF WAVE", "RIFF\x24\x00\x00\x00WAVEfmt ", 300);
	static const struct {
		const char *brand, *type;
	} mp4[] = {
		{ "isom", "video/mp4" }, { "iso2", "video/mp4" }, { "iso5", "video/mp4" },
		{ "iso6", "video/mp4" }, { "mp41", "video/mp4" }, { "mp42", "video/mp4" },
		{ "avc1", "video/mp4" }, { "dash", "video/mp4" }, { "qt  ", "video/quicktime" },
		{ "M4A ", "audio/x-m4a" }, { "M4V ", "video/x-m4v" }, { "3gp4", "video/3gpp" },
		{ "3gp5", "video/3gpp" }, { "heic", "image/heic" },
	};
	for (size_t i = 0; i < sizeof(mp4) / sizeof(mp4[0]); i++) {
		unsigned char h[16] = "\x00\x00\x00\x20" "ftyp";
		memcpy(h + 8, mp4[i].brand, 4);
		memcpy(h + 12, "\x00\x00\x02\x00", 4);
		char what[32];
		snprintf(what, sizeof(what), "ftyp %s", mp4[i].brand);
		rule(what, h, 16, 2000, mp4[i].type);
	}
	R("ftyp isom, box size 0", "\x00\x00\x00\x00" "ftypisom", 12, "video/mp4");
	L("ftyp cut in the brand", "\x00\x00\x00\x20" "ftypiso", 11);
	L("ftyp of a brand not in the table", "\x00\x00\x00\x18" "ftypavif", 200);
	R("PDF", "%PDF-1.7\n", 2000, "application/pdf");
	R("PDF, 5 bytes", "%PDF-", 5, "application/pdf");
	L("PDF cut", "%PDF", 4);
	R("WARC/1.0", "WARC/1.0\r\nWARC-Type: warcinfo\r\n", 200, "application/warc");
	R("WARC/1.1", "WARC/1.1\r\n", 10, "application/warc");
	L("WARC cut", "WARC/1.1\r", 9);
	R("HTML5 doctype", "<!DOCTYPE html>\n<html><body>caf\xc3\xa9</body></html>\n", 47, "text/html");
	R("HTML doctype, lower case", "<!doctype html>\n<p>x</p>\n", 25, "text/html");
	R("HTML doctype, upper case", "<!DOCTYPE HTML>\n<p>a,b</p>\n", 27, "text/html");
	L("HTML 4 doctype (quotes in the first line)", "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\">\n<p>a,b</p>\n", 62);
	L("HTML doctype, a comma in the first line", "<!DOCTYPE html><p>a,b</p>\n", 26);
	{
		/* libmagic says text/csv: the same number of commas on each line */
		static const char csv[] = "<!DOCTYPE html><p>a,b</p>\n<p>c,d</p>\n<p>e,f</p>\n<p>g,h</p>\n";
		ok(media_type_sniff((const unsigned char *)csv, sizeof(csv) - 1) == NULL, "HTML that libmagic calls CSV: left to libmagic");
		if (mg)
			is_str(magic_buffer(mg, csv, sizeof(csv) - 1), "text/csv", "HTML that libmagic calls CSV: libmagic says text/csv");
	}
	R("HTML doctype, CRLF", "<!DOCTYPE html>\r\n<p>x</p>\r\n", 27, "text/html");
	L("HTML doctype, then a NUL", "<!DOCTYPE html>\n<p>\x00</p>\n", 25);
	L("HTML doctype, Latin-1 text", "<!DOCTYPE html>\n<p>caf\xe9</p>\n", 27);
	L("HTML doctype, cut inside a UTF-8 sequence", "<!DOCTYPE html>\n<p>caf\xc3", 24);
	L("HTML doctype cut", "<!DOCTYPE htm", 13);
	L("doctype of another name", "<!DOCTYPE htmlx>\n", 17);
	L("plain text", "Bonjour, rendez-vous demain 10 h, gare du Nord.\n", 48);
	L("a UTF-8 byte order mark first", "\xef\xbb\xbf<!DOCTYPE html>\n<p>x</p>\n", 28);

	/* Random bytes: application/octet-stream, or (a zero byte or a signature in the first
	 * bytes) left to libmagic; never another type. */
	int random = 0, leftn = 0, other = 0;
	for (int i = 0; i < 2000; i++) {
		unsigned char b[1024];
		fill(b, "", 0, sizeof(b));
		const char *mt = media_type_sniff(b, sizeof(b));
		if (!mt)
			leftn++;
		else if (strcmp(mt, "application/octet-stream") == 0)
			random++;
		else
			other++;
	}
	ok(random >= 1980 && other == 0, "random bytes: %d of 2000 application/octet-stream, %d left to libmagic, %d other", random, leftn, other);
	{
		unsigned char b[300];
		fill(b, "", 0, sizeof(b));
		for (int i = 0; i < 16; i++)
			b[i] = (unsigned char)(0x81 + 7 * i);	/* no zero byte, not printable */
		is_str(media_type_sniff(b, sizeof(b)), "application/octet-stream", "300 random bytes");
		ok(media_type_sniff(b, 255) == NULL, "fewer than 256 bytes: left to libmagic");
	}
	/* Signatures of compressed data with no zero byte near them, then random bytes. */
	L("gzip", "\x1f\x8b\x08\x08\x9a\x17\x6c\x65\x02\x03", 1024);
	L("zstd", "\x28\xb5\x2f\xfd\xa4\x9a\x17\x6c\x65", 1024);
	L("ZIP", "PK\x03\x04\x14\x07\x08\x09", 1024);
	L("bzip2", "BZh91AY&SY", 1024);
	L("xz", "\xfd" "7zXZ", 1024);
	L("lz4", "\x04\x22\x4d\x18", 1024);
	L("7-Zip", "7z\xbc\xaf\x27\x1c", 1024);
	L("Ogg", "OggS", 1024);
	L("MPEG audio frame", "\xff\xfb\x90\x64", 1024);
	L("ADTS", "\xff\xf1\x50\x80", 1024);
	L("zlib", "\x78\x9c", 1024);
	L("OpenPGP public key, old format", "\x99\x02\x0d\x04\x63\xcb\xd0\x15\x01\x10", 1024);
	L("OpenPGP public key, one-octet length", "\x98\x33\x04\x63\xcb\xd0\x15\x16\x09\x2b", 1024);
	L("OpenPGP signature, new format", "\xc2\xc0\x75\x04\x01\x08", 1024);
	L("text signature (openssl enc)", "Salted__", 1024);
	L("two zero bytes in the first 16", "\x12\x34\x56\x00\x9a\xbc\xde\xf1\x23\x45\x67\x89\xab\xcd\xef\x00", 1024);
	L("two zero bytes in the first 2", "\x00\x00", 1024);
	{
		unsigned char b[1024];
		fill(b, "\x12\x34\x56\x78\x9a\xbc\xde\xf1\x23\x45\x67\x89\xab\xcd\xef\x00", 16, sizeof(b));
		is_str(media_type_sniff(b, sizeof(b)), "application/octet-stream", "one zero byte in the first 16: random bytes");
	}
	{
		unsigned char b[1024];
		fill(b, "\x12\x34\x56\x78\x9a\xbc\xde\xf1\x23\x45\x67\x89\xab\xcd\xef\x01", 16, sizeof(b));
		memcpy(b + 257, "ustar", 5);
		ok(media_type_sniff(b, sizeof(b)) == NULL, "tar (ustar at 257): left to libmagic");
	}
	{
		unsigned char b[1024];
		for (size_t i = 0; i < sizeof(b); i++)
			b[i] = (unsigned char)(0x80 + (i * 7) % 100);	/* 100 values, no zero */
		ok(media_type_sniff(b, sizeof(b)) == NULL, "100 distinct byte values: left to libmagic");
	}
	ok(media_type(NULL, (const unsigned char *)"%PDF-", 5) != NULL, "media_type without libmagic: the rules still answer");
	ok(media_type(NULL, (const unsigned char *)"hello\n", 6) == NULL, "media_type without libmagic: NULL for the rest");
	if (mg)
		magic_close(mg);
	return done_testing();
}
