/* util.c — errors, strings, time and buffers shared by libscelle. */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>
#include "internal.h"

void scerr_set(struct scerr *e, int code, const char *fmt, ...)
{
	va_list ap;
	if (!e)
		return;
	e->code = code;
	e->hint = NULL;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), L_(fmt), ap);
	va_end(ap);
}

void scerr_ssl(struct scerr *e, int code, const char *fmt, ...)
{
	va_list ap;
	unsigned long err;
	const char *reason;
	if (!e) {
		ERR_clear_error();
		return;
	}
	e->code = code;
	e->hint = NULL;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), L_(fmt), ap);
	va_end(ap);
	/* The first queued error is usually the root cause; later ones are context. */
	if ((err = ERR_peek_error()) != 0 && (reason = ERR_reason_error_string(err)) != NULL) {
		size_t n = strlen(e->msg);
		snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", reason);
	}
	ERR_clear_error();
}

void scerr_clear(struct scerr *e)
{
	e->code = 0;
	e->msg[0] = '\0';
	e->hint = NULL;
}

void *xcalloc(size_t n, size_t size)
{
	return calloc(n ? n : 1, size ? size : 1);
}

char *xstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

void sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

/* Returns the array rather than taking a void **: a struct foo * passed as void ** would be
 * written through another type. */
void *grow(void *p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 8;
	void *q;
	if (need <= *cap)
		return p;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			return NULL;
		n *= 2;
	}
	if (size && n > SIZE_MAX / size)
		return NULL;
	if (!(q = realloc(p, n * size)))
		return NULL;
	*cap = n;
	return q;
}

void hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

int b64_encode(const unsigned char *in, size_t n, char **out)
{
	size_t len = 4 * ((n + 2) / 3) + 1;
	if (n > (size_t)INT32_MAX / 2 || !(*out = malloc(len)))
		return -1;
	EVP_EncodeBlock((unsigned char *)*out, in, (int)n);
	return 0;
}

void time_rfc3339(time_t t, char *out, size_t outlen)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int time_parse_rfc3339(const char *s, time_t *t)
{
	struct tm tm = { 0 };
	const char *end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end)
		return -1;
	if (*end == '.') /* fractions of a second are allowed and dropped */
		while (*++end >= '0' && *end <= '9')
			;
	if (*end == 'Z' && end[1] == '\0') {
		*t = timegm(&tm);
		return 0;
	}
	if ((end[0] == '+' || end[0] == '-') && strlen(end) == 6 && end[3] == ':') {
		int h = (end[1] - '0') * 10 + (end[2] - '0'), m = (end[4] - '0') * 10 + (end[5] - '0');
		long off = (h * 60L + m) * 60L;
		*t = timegm(&tm) - (end[0] == '+' ? off : -off);
		return 0;
	}
	return -1;
}

int buf_append(struct buf *b, const void *p, size_t n)
{
	if (n > SIZE_MAX / 2 - b->len)
		return -1;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n)
			cap *= 2;
		unsigned char *d = realloc(b->data, cap);
		if (!d)
			return -1;
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

void buf_release(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

/* SHA-256 of a whole file, as hex: the "file digest" of doc/design.md §2. */
int hash_file_fd(int fd, char hex[65], struct scerr *e)
{
	unsigned char *buf = malloc((1u << 20)), md[32];
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	ssize_t r;
	off_t off = 0;
	int rc = -1;
	if (!buf || !c || !EVP_DigestInit_ex(c, EVP_sha256(), NULL))
		goto out;
	while ((r = pread(fd, buf, (1u << 20), off)) > 0) {
		EVP_DigestUpdate(c, buf, (size_t)r);
		off += r;
	}
	if (r < 0) {
		scerr_set(e, SCELLE_E_IO, "cannot read the archive: %s", strerror(errno));
		goto out;
	}
	EVP_DigestFinal_ex(c, md, NULL);
	hex_encode(md, 32, hex);
	rc = 0;
out:
	free(buf);
	EVP_MD_CTX_free(c);
	return rc;
}


void progress_tick(struct progress *p, uint64_t done, const char *item)
{
	struct timespec now;
	if (!p->cb)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	long ms = (long)(now.tv_sec - p->last.tv_sec) * 1000 + (now.tv_nsec - p->last.tv_nsec) / 1000000;
	if (done < p->total && (p->last.tv_sec || p->last.tv_nsec) && ms < 100)
		return;
	p->last = now;
	p->cb(done, p->total, item, p->arg);
}

const char *file_kind(mode_t m)
{
	return S_ISDIR(m) ? L_("a folder") : S_ISFIFO(m) ? L_("a FIFO") : S_ISSOCK(m) ? L_("a socket")
	    : S_ISCHR(m) ? L_("a character device") : S_ISBLK(m) ? L_("a block device")
	    : S_ISLNK(m) ? L_("a symbolic link") : L_("not a regular file");
}

int open_input(const char *path, int flags, struct stat *st, struct scerr *e)
{
	struct stat tmp;
	st = st ? st : &tmp;
	/* O_NONBLOCK: opening a FIFO for reading would wait for a writer; O_NOCTTY: a
	 * terminal named by mistake must not become ours. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | flags);
	if (fd < 0 || fstat(fd, st) != 0) {
		int err = errno;
		scerr_set(e, SCELLE_E_IO, "cannot open '%s': %s", path, strerror(err));
		if (fd >= 0)
			close(fd);
		errno = err;
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		scerr_set(e, SCELLE_E_INPUT, "cannot open '%s': it is %s", path, file_kind(st->st_mode));
		close(fd);
		errno = EINVAL;
		return -1;
	}
	int fl = fcntl(fd, F_GETFL);
	if (fl != -1)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
}

static locale_t utf8_ctype;
static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;

static void utf8_ctype_init(void)
{
	utf8_ctype = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

locale_t utf8_names_begin(void)
{
	pthread_once(&utf8_once, utf8_ctype_init);
	return utf8_ctype != (locale_t)0 ? uselocale(utf8_ctype) : (locale_t)0;
}

void utf8_names_end(locale_t saved)
{
	if (saved != (locale_t)0)
		uselocale(saved);
}

int country_code(const char *in, char out[3])
{
	if (!in || strlen(in) != 2)
		return -1;
	for (int i = 0; i < 2; i++) {
		char c = in[i] >= 'a' && in[i] <= 'z' ? (char)(in[i] - 'a' + 'A') : in[i];
		if (c < 'A' || c > 'Z')
			return -1;
		out[i] = c;
	}
	out[2] = '\0';
	return 0;
}

/* ASiC references are relative URIs (RFC 3986): bytes outside the unreserved set and the
 * path delimiters are percent-encoded, so names with spaces or accents stay valid URIs. */
int uri_escape(const char *name, struct buf *out)
{
	static const char hex[] = "0123456789ABCDEF";
	out->len = 0;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~/!$&'()*+,;=:@", *p)) {
			if (buf_append(out, p, 1))
				return -1;
		} else {
			char e[3] = { '%', hex[*p >> 4], hex[*p & 15] };
			if (buf_append(out, e, 3))
				return -1;
		}
	}
	return buf_append(out, "", 1);
}

int uri_unescape(const char *uri, char **out)
{
	size_t n = strlen(uri);
	char *o = malloc(n + 1), *q = o;
	if (!o)
		return -1;
	for (const char *p = uri; *p; p++) {
		if (*p == '%') {
			int v = 0;
			for (int k = 1; k <= 2; k++) {
				char c = p[k];
				int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
				    : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
				if (d < 0) {
					free(o);
					return -1;
				}
				v = v * 16 + d;
			}
			if (v == 0) {
				free(o);
				return -1;
			}
			*q++ = (char)v;
			p += 2;
		} else
			*q++ = *p;
	}
	*q = '\0';
	*out = o;
	return 0;
}

/* Why a relative path may not be used below the root, or NULL (internal.h). */
const char *unsafe_path(const char *p)
{
	if (!*p)
		return L_("empty name");
	if (p[0] == '/')
		return L_("absolute path");
	if (strchr(p, '\\'))
		return L_("backslash in name");
	for (const unsigned char *c = (const unsigned char *)p; *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			return L_("control character in name");
	for (const char *c = p; c; c = strchr(c, '/')) {
		if (*c == '/')
			c++;
		size_t n = strcspn(c, "/");
		if (n == 0)
			return L_("empty path component");
		if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return L_("'.' or '..' in path");
	}
	return NULL;
}
