/* item_info.c — --item-info: where each item came from, as a CSV file (RFC 4180).
 *
 * The first record is a header naming the columns, in any order:
 *   path         required: an input file as given on the command line or found below a
 *                folder given there ("ev/ad/page.html"), or its name in the archive without
 *                "evidence/" ("ad/page.html")
 *   source_url   where it was captured (evidence.xml <acquisition sourceUrl>)
 *   captured_at  when, RFC 3339 ("2026-11-20T21:14:00Z", "2026-11-20T22:14:00+01:00")
 *   captured_by  who captured it
 *   tool         with what
 *   note         free text (may hold line breaks inside quotes)
 * Fields are separated by commas; a field in double quotes may hold commas, line breaks and
 * "" for a quote (RFC 4180 §2).  Lines end with CRLF or LF; a UTF-8 byte order mark is
 * skipped; empty lines are skipped.  Anything else is an error that names the line: an
 * unknown or repeated column, a row with more or fewer fields than the header, a bad time,
 * a path given twice, text that is not UTF-8 or holds control characters. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "evidence.h"

#define MAX_CSV_BYTES (16u << 20)

static const char *const columns[] = { "path", "source_url", "captured_at", "captured_by", "tool", "note" };
#define NCOLS (sizeof(columns) / sizeof(columns[0]))

struct item_info_table {
	struct item_info *rows;
	size_t n, cap;
	char *file;
};

void item_info_free(struct item_info_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		struct item_info *r = &t->rows[i];
		free(r->path);
		free(r->source_url);
		free(r->captured_at);
		free(r->captured_by);
		free(r->tool);
		free(r->note);
	}
	free(t->rows);
	free(t->file);
	free(t);
}

static char **field_of(struct item_info *r, size_t col)
{
	char **f[NCOLS] = { &r->path, &r->source_url, &r->captured_at, &r->captured_by, &r->tool, &r->note };
	return f[col];
}

/* RFC 3339 §5.6 date-time, checked field by field (strptime accepts too much). */
static int valid_time(char *v)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	size_t n = strlen(v), i;
	if (n < 20)
		return 0;
	for (i = 0; shape[i]; i++) {
		if (shape[i] == 'd' ? v[i] < '0' || v[i] > '9' : shape[i] == 'T' ? v[i] != 'T' && v[i] != 't'
		    : v[i] != shape[i])
			return 0;
	}
	v[10] = 'T';	/* xs:dateTime wants the upper-case form */
#define NUM(a) ((v[a] - '0') * 10 + (v[a + 1] - '0'))
	int mon = NUM(5), day = NUM(8), h = NUM(11), m = NUM(14), sec = NUM(17);
	int year = NUM(0) * 100 + NUM(2);
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (mon < 1 || mon > 12 || day < 1 || day > mdays[mon - 1] || h > 23 || m > 59 || sec > 60)
		return 0;
	if (mon == 2 && day == 29 && (year % 4 || (year % 100 == 0 && year % 400)))
		return 0;
	if (v[i] == '.') {
		if (v[++i] < '0' || v[i] > '9')
			return 0;
		while (v[i] >= '0' && v[i] <= '9')
			i++;
	}
	if ((v[i] == 'Z' || v[i] == 'z') && v[i + 1] == '\0') {
		v[i] = 'Z';
		return 1;
	}
	if ((v[i] == '+' || v[i] == '-') && strlen(v + i) == 6 && v[i + 3] == ':' &&
	    v[i + 1] >= '0' && v[i + 1] <= '2' && v[i + 2] >= '0' && v[i + 2] <= '9' &&
	    v[i + 4] >= '0' && v[i + 4] <= '5' && v[i + 5] >= '0' && v[i + 5] <= '9')
		return NUM(i + 1) <= 23;
#undef NUM
	return 0;
}

/* UTF-8 without control characters (text_check: XML 1.0 cannot carry C0, C1 drive
 * terminals); the note may hold line breaks and tabs. */
static int valid_text(const char *v, int multiline)
{
	char why[64];
	return text_check(v, multiline, why, sizeof(why)) == 0;
}

struct csv {
	const char *p, *end;
	size_t line;		/* line of the current record, 1-based */
	size_t next_line;
	int after_comma;
};

/* Reads one field into a malloc'ed string; *last is set when it ended its record.  Returns
 * 1 on a field, 0 at the end of input, -1 on a syntax error (an unclosed quote, text after
 * a closing quote), -2 out of memory. */
static int csv_field(struct csv *c, char **out, int *last)
{
	struct buf b = { 0 };
	int quoted = 0;
	if (c->p >= c->end && !c->after_comma)
		return 0;
	c->after_comma = 0;
	if (*c->p == '"') {
		quoted = 1;
		c->p++;
		for (;;) {
			if (c->p >= c->end)
				goto syntax;
			if (*c->p == '"') {
				if (c->p + 1 < c->end && c->p[1] == '"') {
					if (buf_append(&b, "\"", 1))
						goto nomem;
					c->p += 2;
					continue;
				}
				c->p++;
				break;
			}
			if (*c->p == '\n')
				c->next_line++;
			if (buf_append(&b, c->p++, 1))
				goto nomem;
		}
	}
	while (c->p < c->end && *c->p != ',' && *c->p != '\n' && !(*c->p == '\r' && c->p + 1 < c->end && c->p[1] == '\n')) {
		if (quoted || *c->p == '"')
			goto syntax;
		if (buf_append(&b, c->p++, 1))
			goto nomem;
	}
	*last = 1;
	if (c->p < c->end && *c->p == ',') {
		*last = 0;
		c->after_comma = 1;	/* "a," at the very end still has an empty last field */
		c->p++;
	} else if (c->p < c->end) {
		c->p += *c->p == '\r' ? 2 : 1;
		c->next_line++;
	}
	if (buf_append(&b, "", 1))
		goto nomem;
	/* a buf starts at 4 KiB: 100,000 rows held 800 MB of it (issue 18) */
	char *fit = realloc(b.data, b.len);
	*out = fit ? fit : (char *)b.data;
	return 1;
syntax:
	buf_release(&b);
	return -1;
nomem:
	buf_release(&b);
	return -2;
}

/* One record into fields[] (at most max); returns the count, 0 at the end, <0 on error. */
static int csv_record(struct csv *c, char **fields, size_t max, size_t *count)
{
	int last = 0, r;
	*count = 0;
	c->line = c->next_line;
	while (!last) {
		char *f = NULL;
		if ((r = csv_field(c, &f, &last)) <= 0) {
			for (size_t i = 0; i < *count && i < max; i++)
				free(fields[i]);
			return *count && r == 0 ? -1 : r;
		}
		if (*count < max)
			fields[*count] = f;
		else
			free(f);
		(*count)++;
	}
	return 1;
}

static int read_all(const char *path, struct buf *b, struct scerr *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		scerr_set(e, SCELLE_E_IO, "cannot open '%s': %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	for (;;) {
		char chunk[65536];
		ssize_t r = read(fd, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			scerr_set(e, SCELLE_E_IO, "cannot read '%s': %s", path, strerror(errno));
			break;
		}
		if (r == 0) {
			close(fd);
			return 0;
		}
		if (b->len + (size_t)r > MAX_CSV_BYTES) {
			scerr_set(e, SCELLE_E_LIMIT, "item info '%s' is larger than %u MiB", path, MAX_CSV_BYTES >> 20);
			break;
		}
		if (buf_append(b, chunk, (size_t)r)) {
			scerr_set(e, SCELLE_E_NOMEM, "out of memory");
			break;
		}
	}
	close(fd);
	return -1;
}

static int by_path(const void *a, const void *b)
{
	const struct item_info *x = *(const struct item_info *const *)a, *y = *(const struct item_info *const *)b;
	int c = strcmp(x->path, y->path);
	return c ? c : (x->line > y->line) - (x->line < y->line);
}

int item_info_load(const char *path, struct item_info_table **out, struct scerr *e)
{
	struct buf b = { 0 };
	struct item_info_table *t = NULL;
	char *fields[NCOLS + 1];
	size_t map[NCOLS], ncols = 0, n;
	int r, rc = SCELLE_E_FORMAT;

	if (read_all(path, &b, e))
		return e->code;
	const char *text = b.data ? (const char *)b.data : "";	/* an empty file has no buffer */
	struct csv c = { text, text + b.len, 1, 1, 0 };
	if (b.len >= 3 && memcmp(b.data, "\xef\xbb\xbf", 3) == 0)
		c.p += 3;
	if (!(t = xcalloc(1, sizeof(*t))) || !(t->file = xstrdup(path)))
		goto nomem;
	while (c.p < c.end && (*c.p == '\n' || *c.p == '\r'))
		c.p += (*c.p == '\n' ? (c.next_line++, 1) : 1);
	if ((r = csv_record(&c, fields, NCOLS + 1, &n)) <= 0) {
		if (r == -2)
			goto nomem;
		scerr_set(e, SCELLE_E_FORMAT, "item info '%s': %s", path, r == 0 ? L_("empty, no header") : L_("line 1: malformed header"));
		goto fail;
	}
	for (size_t i = 0; i < n && i <= NCOLS; i++) {
		size_t k = 0;
		while (k < NCOLS && strcmp(fields[i], columns[k]) != 0)
			k++;
		for (size_t j = 0; k < NCOLS && j < ncols; j++)
			if (map[j] == k)
				k = NCOLS + 1;
		if (k >= NCOLS || i == NCOLS) {
			scerr_set(e, SCELLE_E_FORMAT, "item info '%s' line %zu: %s column '%s' (columns: path, "
			    "source_url, captured_at, captured_by, tool, note)", path, c.line,
			    k == NCOLS + 1 ? "repeated" : "unknown", i < NCOLS + 1 ? fields[i] : "");
			for (size_t j = i; j < n && j <= NCOLS; j++)
				free(fields[j]);
			goto fail;
		}
		map[ncols++] = k;
		free(fields[i]);
	}
	size_t have_path = 0;
	for (size_t j = 0; j < ncols; j++)
		have_path |= map[j] == 0;
	if (!have_path) {
		scerr_set(e, SCELLE_E_FORMAT, "item info '%s' line %zu: no 'path' column", path, c.line);
		goto fail;
	}
	for (;;) {
		while (c.p < c.end && (*c.p == '\n' || (*c.p == '\r' && c.p + 1 < c.end && c.p[1] == '\n')))
			c.p += (c.next_line++, *c.p == '\r' ? 2 : 1);
		if ((r = csv_record(&c, fields, NCOLS + 1, &n)) == 0)
			break;
		if (r == -2)
			goto nomem;
		if (r < 0) {
			scerr_set(e, SCELLE_E_FORMAT, "item info '%s' line %zu: malformed quoting", path, c.line);
			goto fail;
		}
		size_t kept = n < NCOLS + 1 ? n : NCOLS + 1;
		if (n != ncols) {
			scerr_set(e, SCELLE_E_FORMAT, "item info '%s' line %zu: %zu fields, the header has %zu",
			    path, c.line, n, ncols);
			for (size_t j = 0; j < kept; j++)
				free(fields[j]);
			goto fail;
		}
		struct item_info *rows = grow(t->rows, &t->cap, t->n + 1, sizeof(*rows));
		if (!rows) {
			for (size_t j = 0; j < kept; j++)
				free(fields[j]);
			goto nomem;
		}
		t->rows = rows;
		struct item_info *row = &t->rows[t->n++];
		memset(row, 0, sizeof(*row));
		for (size_t j = 0; j < n; j++) {
			if (*fields[j] || map[j] == 0)
				*field_of(row, map[j]) = fields[j];
			else
				free(fields[j]);
		}
		const char *bad = NULL;
		if (!*row->path)
			bad = L_("an empty path");
		else if (row->captured_at && !valid_time(row->captured_at))
			bad = L_("a bad time in captured_at (RFC 3339, e.g. 2026-11-20T21:14:00Z)");
		for (size_t k = 0; !bad && k < NCOLS; k++) {
			const char *v = *field_of(row, k);
			if (v && !valid_text(v, k == NCOLS - 1))
				bad = L_("text that is not UTF-8 or holds control characters");
		}
		row->line = c.line;
		if (bad) {
			scerr_set(e, SCELLE_E_FORMAT, "item info '%s' line %zu: %s", path, c.line, bad);
			goto fail;
		}
	}
	/* Paths listed twice, found in sorted order: a scan of the rows before each row cost
	 * 71 s for 100,000 rows (issue 18).  The message names the first line that repeats. */
	size_t twice = 0;
	const struct item_info **by = t->n ? xcalloc(t->n, sizeof(*by)) : NULL;
	if (t->n && !by)
		goto nomem;
	for (size_t i = 0; i < t->n; i++)
		by[i] = &t->rows[i];
	sort(by, t->n, sizeof(*by), by_path);
	for (size_t i = 1; i < t->n; i++)
		if (strcmp(by[i - 1]->path, by[i]->path) == 0 && (!twice || by[i]->line < twice))
			twice = by[i]->line;
	free(by);
	if (twice) {
		scerr_set(e, SCELLE_E_FORMAT, "item info '%s' line %zu: a path listed twice", path, twice);
		goto fail;
	}
	buf_release(&b);
	*out = t;
	return SCELLE_OK;
nomem:
	scerr_set(e, SCELLE_E_NOMEM, "out of memory");
	rc = SCELLE_E_NOMEM;
fail:
	buf_release(&b);
	item_info_free(t);
	return rc;
}

/* "./a//b/" and "a/b" name the same input. */
static char *normal_path(const char *p)
{
	char *o = malloc(strlen(p) + 1), *q = o;
	if (!o)
		return NULL;
	while (*p) {
		if (p[0] == '.' && (p[1] == '/' || !p[1]) && (q == o || q[-1] == '/')) {
			p += p[1] ? 2 : 1;
			continue;
		}
		if (*p == '/' && q > o && q[-1] == '/') {
			p++;
			continue;
		}
		*q++ = *p++;
	}
	if (q > o + 1 && q[-1] == '/')
		q--;
	*q = '\0';
	return o;
}

struct keyed {
	const char *key;
	size_t i;
};

static int by_key(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* The lowest index whose key is `want` in v (sorted by by_key), or SIZE_MAX. */
static size_t lookup(const struct keyed *v, size_t n, const char *want)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(v[mid].key, want) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && strcmp(v[lo].key, want) == 0 ? v[lo].i : SIZE_MAX;
}

/* Rows are matched by binary search in the sorted input paths and archive names, not by a
 * scan of all items per row (issue 18). */
int item_info_attach(struct item_info_table *t, struct item *items, size_t n, struct scerr *e)
{
	struct keyed *srcs = xcalloc(n ? n : 1, sizeof(*srcs)), *names = xcalloc(n ? n : 1, sizeof(*names));
	size_t nsrcs = 0, dir = strlen(EVIDENCE_DIR);
	int rc = SCELLE_E_NOMEM;
	if (!srcs || !names)
		goto nomem;
	for (size_t i = 0; i < n; i++) {
		items[i].info = NULL;
		if (!(srcs[i].key = normal_path(items[i].src)))
			goto nomem;
		srcs[i].i = i;
		nsrcs++;
		names[i].key = items[i].name + dir;
		names[i].i = i;
	}
	sort(srcs, n, sizeof(*srcs), by_key);
	sort(names, n, sizeof(*names), by_key);
	for (size_t r = 0; r < t->n; r++) {
		struct item_info *row = &t->rows[r];
		char *want = normal_path(row->path);
		if (!want)
			goto nomem;
		/* the input path first, then the name below evidence/ or the whole archive name */
		size_t i = lookup(srcs, n, want);
		if (i == SIZE_MAX) {
			size_t a = lookup(names, n, want);
			size_t b = strncmp(want, EVIDENCE_DIR, dir) == 0 ? lookup(names, n, want + dir) : SIZE_MAX;
			i = a < b ? a : b;
		}
		struct item *hit = i == SIZE_MAX ? NULL : &items[i];
		free(want);
		if (!hit) {
			scerr_set(e, SCELLE_E_INPUT, "item info '%s': '%s' is not among the inputs", t->file, row->path);
			rc = SCELLE_E_INPUT;
			goto out;
		}
		if (hit->info) {
			scerr_set(e, SCELLE_E_INPUT, "item info '%s': '%s' and '%s' name the same item", t->file,
			    hit->info->path, row->path);
			rc = SCELLE_E_INPUT;
			goto out;
		}
		hit->info = row;
	}
	rc = SCELLE_OK;
	goto out;
nomem:
	scerr_set(e, SCELLE_E_NOMEM, "out of memory");
out:
	for (size_t i = 0; srcs && i < nsrcs; i++)
		free((char *)srcs[i].key);
	free(srcs);
	free(names);
	return rc;
}

int scelle_sealer_set_item_info(struct scelle_sealer *s, const char *csv_path)
{
	struct item_info_table *t = NULL;
	scerr_clear(&s->err);
	if (item_info_load(csv_path, &t, &s->err))
		return s->err.code;
	item_info_free(s->item_info);
	s->item_info = t;
	return SCELLE_OK;
}
