/* names.c — archive names of evidence items: strict UTF-8, the reversible escape of names
 * that are not UTF-8, and the collisions that a receiving file system would create.
 *
 * The escape (formats/intake.md, "Names"): an item whose name on disk is not valid UTF-8 (RFC 3629:
 * no overlong forms, no surrogates, nothing above U+10FFFF) or holds a C0 control character
 * or DEL (which XML 1.0 cannot carry) is stored under an escaped name: every byte that is not
 * part of a valid, printable UTF-8 sequence becomes "%XX" (two upper-case hex digits), and
 * '%' itself becomes "%25".  Names that need no escape are stored unchanged, so the escape
 * applies only where evidence.xml carries <originalName> (base64 of the original bytes).
 * Unescaping an escaped name ("%XX" -> byte) gives the original bytes back exactly. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicase.h>
#include <uninorm.h>
#include <openssl/evp.h>
#include "evidence.h"

/* Length of the valid UTF-8 sequence at p (at most n bytes), 0 if there is none: the one
 * decoder, display.c's utf8_char. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
	uint32_t cp;
	return utf8_char(p, n, &cp);
}

static int is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

int name_needs_escape(const char *name, size_t n)
{
	const unsigned char *p = (const unsigned char *)name;
	for (size_t i = 0; i < n;) {
		size_t k = utf8_seq(p + i, n - i);
		if (!k || (k == 1 && is_control(p[i])))
			return 1;
		i += k;
	}
	return 0;
}

char *name_escape(const char *name, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)name;
	if (n > (SIZE_MAX - 1) / 3)
		return NULL;
	char *out = malloc(3 * n + 1), *q = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < n;) {
		size_t k = utf8_seq(p + i, n - i);
		if (k > 1 || (k == 1 && !is_control(p[i]) && p[i] != '%')) {
			memcpy(q, p + i, k);
			q += k;
			i += k;
		} else {
			*q++ = '%';
			*q++ = hex[p[i] >> 4];
			*q++ = hex[p[i] & 15];
			i++;
		}
	}
	*q = '\0';
	return out;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10
	    : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int scelle_name_unescape(const char *escaped, unsigned char **out, size_t *len)
{
	size_t n = strlen(escaped), o = 0;
	unsigned char *b = malloc(n + 1);
	if (!b)
		return SCELLE_E_NOMEM;
	for (size_t i = 0; i < n; i++) {
		if (escaped[i] != '%') {
			b[o++] = (unsigned char)escaped[i];
			continue;
		}
		/* hexval('\0') < 0: never reads past the end */
		int hi = hexval(escaped[i + 1]);
		int lo = hi >= 0 ? hexval(escaped[i + 2]) : -1;
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
			free(b);
			return SCELLE_E_FORMAT;
		}
		b[o++] = (unsigned char)(hi << 4 | lo);
		i += 2;
	}
	b[o] = '\0';
	*out = b;
	*len = o;
	return SCELLE_OK;
}

/* evidence.xml <originalName> (base64) to the NUL-terminated bytes, NULL when it is not
 * base64 of a non-empty name without NUL. */
char *original_name_decode(const char *b64)
{
	size_t n = 0, len = b64 ? strlen(b64) : 0;
	char *clean = malloc(len + 1), *out = NULL;
	if (!clean || len > MAX_NAME_BYTES * 2)
		goto out;
	for (size_t i = 0; i < len; i++)	/* xs:base64Binary allows white space */
		if (b64[i] != ' ' && b64[i] != '\n' && b64[i] != '\r' && b64[i] != '\t')
			clean[n++] = b64[i];
	clean[n] = '\0';
	if (n == 0 || n % 4 || !(out = malloc(n / 4 * 3 + 1)))
		goto out;
	int got = EVP_DecodeBlock((unsigned char *)out, (const unsigned char *)clean, (int)n);
	if (got < 0) {
		free(out);
		out = NULL;
		goto out;
	}
	got -= (clean[n - 1] == '=') + (clean[n - 2] == '=');	/* EVP_DecodeBlock keeps padding */
	out[got] = '\0';
	if (got <= 0 || memchr(out, '\0', (size_t)got)) {
		free(out);
		out = NULL;
	}
out:
	free(clean);
	return out;
}

/* 1 when `escaped` (an archive name below evidence/) is exactly the escape of `original`:
 * only then may an extractor write the original bytes in its place. */
int name_is_escape_of(const char *escaped, const char *original)
{
	char *e = name_escape(original, strlen(original));
	int same = e && strcmp(e, escaped) == 0;
	free(e);
	return same;
}

int by_item_name(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->src, y->src);	/* two inputs under one name: a fixed order */
}

struct fold {
	char *key;
	size_t item;
};

static int by_key(const void *a, const void *b)
{
	const struct fold *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : (x->item > y->item) - (x->item < y->item);
}

static const struct fold *find_key(const struct fold *f, size_t n, const char *key)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(f[mid].key, key);
		if (c == 0)
			return &f[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The differing middle of two names as code points, "U+0065 U+0301 against U+00E9": what
 * tells apart two names that look the same (NFC and NFD, or case).  The common start and
 * end are left out, on character boundaries. */
static char *name_difference(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), pre = 0, suf = 0;
	while (pre < la && pre < lb && a[pre] == b[pre])
		pre++;
	while (pre && ((unsigned char)a[pre] & 0xc0) == 0x80)	/* back to a character start */
		pre--;
	while (suf < la - pre && suf < lb - pre && a[la - 1 - suf] == b[lb - 1 - suf])
		suf++;
	while (suf && ((unsigned char)a[la - suf] & 0xc0) == 0x80)
		suf--;
	char *x = scelle_display(a + pre, la - pre - suf, SCELLE_DISPLAY_CODEPOINTS);
	char *y = scelle_display(b + pre, lb - pre - suf, SCELLE_DISPLAY_CODEPOINTS);
	char *out = NULL;
	if (x && y && asprintf(&out, "%s against %s", x, y) < 0)
		out = NULL;
	free(x);
	free(y);
	return out;
}

/* `evidence/dir/img_0001.jpg` and n → `evidence/dir/img_0001~n.jpg`: the mark goes before
 * the extension of the last component (not before the dot of a name that starts with
 * one), so that the renamed file still opens with its program (FORMAT.md §2.2). */
static char *name_numbered(const char *name, unsigned n)
{
	const char *base = strrchr(name, '/'), *dot;
	base = base ? base + 1 : name;
	dot = strrchr(base, '.');
	if (!dot || dot == base)
		dot = name + strlen(name);
	char *out = NULL;
	if (asprintf(&out, "%.*s~%u%s", (int)(dot - name), name, n, dot) < 0)
		return NULL;
	return out;
}

/* --on-collision rename: every item of a group of colliding names but the first (in byte
 * order of the names, then of the paths on disk) gets the first free name~N (N from 2),
 * free meaning that its collision key is nobody's, and keeps its original name in
 * <originalName> (FORMAT.md §2.2).  f is sorted by key. */
static int rename_colliding(struct inventory *inv, const struct fold *f, struct scerr *e)
{
	char **taken = NULL;	/* the keys given out here */
	size_t ntaken = 0;
	int rc = SCELLE_OK;
	for (size_t i = 1; i < inv->nitems && rc == SCELLE_OK; i++) {
		if (strcmp(f[i - 1].key, f[i].key) != 0)
			continue;
		struct item *it = &inv->items[f[i].item];
		char *name = NULL, *key = NULL;
		for (unsigned n = 2; rc == SCELLE_OK; n++) {
			free(name);
			free(key);
			key = NULL;
			if (!(name = name_numbered(it->name, n)) || !(key = name_fold_key(name))) {
				rc = SCELLE_E_NOMEM;
				break;
			}
			int used = find_key(f, inv->nitems, key) != NULL;
			for (size_t t = 0; t < ntaken && !used; t++)
				used = strcmp(taken[t], key) == 0;
			if (!used)
				break;
		}
		char **more = rc ? NULL : realloc(taken, (ntaken + 1) * sizeof(*taken));
		if (more)
			taken = more;
		if (!more || (!it->orig_name && !(it->orig_name = xstrdup(it->name + strlen(EVIDENCE_DIR))))) {
			free(key);
			free(name);
			rc = SCELLE_E_NOMEM;
			break;
		}
		taken[ntaken++] = key;
		if (!it->orig_len)
			it->orig_len = strlen(it->orig_name);
		free(it->name);
		it->name = name;
	}
	for (size_t t = 0; t < ntaken; t++)
		free(taken[t]);
	free(taken);
	if (rc)
		scerr_set(e, rc, "out of memory");
	return rc;
}

/* Two inputs must never map to one archive name, and must not become one file when the
 * archive is extracted on Windows or macOS: one would silently hide the other.  Also caught:
 * a file whose name is the folder of another item ("a" and "a/b"), which no file system can
 * hold.  With renaming (SCELLE_COLLISION_RENAME), colliding files are renamed instead
 * (rename_colliding).  Sorts inv->items by name (the archive order); the error in e. */
int check_name_collisions(struct inventory *inv, int renaming, struct scerr *e)
{
	struct item *it = inv->items;
	struct fold *f = NULL;
	int rc = SCELLE_OK;

	sort(it, inv->nitems, sizeof(*it), by_item_name);
	for (size_t i = 1; i < inv->nitems && !renaming; i++) {
		if (strcmp(it[i - 1].name, it[i].name) == 0) {
			scerr_set(e, SCELLE_E_INPUT, "'%s' and '%s' would both be stored as '%s'",
			    it[i - 1].src, it[i].src, it[i].name);
			return SCELLE_E_INPUT;
		}
	}
	if (!(f = xcalloc(inv->nitems, sizeof(*f))))
		goto nomem;
	for (size_t i = 0; i < inv->nitems; i++) {
		f[i].item = i;
		if (!(f[i].key = name_fold_key(it[i].name)))
			goto nomem;
	}
	sort(f, inv->nitems, sizeof(*f), by_key);
	for (size_t i = 1; i < inv->nitems; i++) {
		if (strcmp(f[i - 1].key, f[i].key) == 0 && renaming) {
			/* rename, then check the new names from the start (folders included) */
			if ((rc = rename_colliding(inv, f, e)) == SCELLE_OK)
				rc = check_name_collisions(inv, 0, e);
			goto out;
		}
		if (strcmp(f[i - 1].key, f[i].key) == 0) {
			const struct item *a = &it[f[i - 1].item], *b = &it[f[i].item];
			char *cp = name_difference(a->name, b->name);
			scerr_set(e, SCELLE_E_INPUT, "'%s' and '%s' would collide: '%s' and '%s' "
			    "differ only in case or Unicode normalisation: %s", a->src, b->src, a->name,
			    b->name, cp ? cp : "?");
			e->hint = "rename-collisions";
			free(cp);
			rc = SCELLE_E_INPUT;
			goto out;
		}
	}
	for (size_t i = 0; i < inv->nitems; i++) {
		/* The folders of this key that the previous one shares were looked up for it:
		 * in sorted keys, 100,000 files in 100 folders make about 100 lookups, not one
		 * per folder of each file. */
		const char *key = f[i].key, *prev = i ? f[i - 1].key : "";
		size_t from = strlen(EVIDENCE_DIR), same = 0;
		while (key[same] && key[same] == prev[same])
			same++;
		for (const char *slash = strchr(key + (same > from ? same : from), '/'); slash;
		    slash = strchr(slash + 1, '/')) {
			char *dir = strndup(key, (size_t)(slash - key));
			if (!dir)
				goto nomem;
			const struct fold *g = find_key(f, inv->nitems, dir);
			free(dir);
			if (g) {
				scerr_set(e, SCELLE_E_INPUT, "'%s' and '%s' would collide: '%s' is "
				    "both a file and a folder", it[g->item].src, it[f[i].item].src, it[g->item].name);
				rc = SCELLE_E_INPUT;
				goto out;
			}
		}
	}
	/* An empty folder (FORMAT.md §3.7) that would be one with a file: extracted on
	 * Windows or macOS, one of the two could not be made. */
	for (size_t i = 0; i < inv->nfolders; i++) {
		char *key = name_fold_key(inv->folders[i]);
		if (!key)
			goto nomem;
		const struct fold *g = find_key(f, inv->nitems, key);
		free(key);
		if (g) {
			scerr_set(e, SCELLE_E_INPUT, "'%s' and the empty folder '%s' would collide: "
			    "'%s' is both a file and a folder", it[g->item].src, inv->folders[i], it[g->item].name);
			rc = SCELLE_E_INPUT;
			goto out;
		}
	}
	goto out;
nomem:
	scerr_set(e, SCELLE_E_NOMEM, "out of memory");
	rc = SCELLE_E_NOMEM;
out:
	for (size_t i = 0; f && i < inv->nitems; i++)
		free(f[i].key);
	free(f);
	return rc;
}
