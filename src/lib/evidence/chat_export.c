/* chat_export.c — recognises chat exports and summarises them for evidence.xml: how many
 * participants, how many messages, the times of the first and the last.  The text is
 * hostile input: every parser here is bounded by the buffer and by a nesting cap, and a
 * text it does not understand is simply not summarised (the item is sealed either way). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "chat_export.h"

#define MAX_SENDERS 100000
#define MAX_JSON_DEPTH 64

/* WhatsApp names the text "_chat.txt" on iOS and "WhatsApp Chat with NAME.txt" (in the
 * phone's language: "WhatsApp-Chat mit", "Discussion WhatsApp avec"...) on Android; Telegram
 * Desktop's JSON export is "result.json".  The name only proposes: the text must then parse
 * as such an export to be summarised. */
const char *chat_kind(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strlen(base);
	if (strcmp(base, "_chat.txt") == 0 || (n > 4 && strcmp(base + n - 4, ".txt") == 0 && strstr(base, "WhatsApp")))
		return "whatsapp";
	return strcmp(base, "result.json") == 0 ? "telegram" : NULL;
}

/* Distinct senders, compared as bytes, in an open-addressing hash set: an export where
 * every line has a new sender costs one probe a line, not a scan of all senders before. */
struct senders {
	char **v;
	size_t *len;
	size_t n, cap, lcap;
	size_t *slot;		/* 1 + index into v, 0 empty; nslot a power of two > 2n */
	size_t nslot;
	int full;
};

static size_t sender_hash(const unsigned char *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;	/* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return (size_t)h;
}

static int senders_rehash(struct senders *s)
{
	size_t ns = s->nslot ? s->nslot * 2 : 64;
	size_t *t = xcalloc(ns, sizeof(*t));
	if (!t)
		return -1;
	for (size_t i = 0; i < s->n; i++) {
		size_t h = sender_hash((const unsigned char *)s->v[i], s->len[i]) & (ns - 1);
		while (t[h])
			h = (h + 1) & (ns - 1);
		t[h] = i + 1;
	}
	free(s->slot);
	s->slot = t;
	s->nslot = ns;
	return 0;
}

static void senders_add(struct senders *s, const unsigned char *p, size_t n)
{
	if (s->full || (2 * (s->n + 1) > s->nslot && senders_rehash(s))) {
		s->full = 1;
		return;
	}
	size_t h = sender_hash(p, n) & (s->nslot - 1);
	for (; s->slot[h]; h = (h + 1) & (s->nslot - 1)) {
		size_t i = s->slot[h] - 1;
		if (s->len[i] == n && memcmp(s->v[i], p, n) == 0)
			return;
	}
	char **v = s->n < MAX_SENDERS ? grow(s->v, &s->cap, s->n + 1, sizeof(*v)) : NULL;
	if (v)
		s->v = v;
	size_t *l = v ? grow(s->len, &s->lcap, s->n + 1, sizeof(*l)) : NULL;
	if (l)
		s->len = l;
	/* n bytes, NULs included (not strndup: a name with a NUL would be stored shorter
	 * than s->len says, and the memcmp above would read past it) */
	char *c = l ? malloc(n + 1) : NULL;
	if (c) {
		memcpy(c, p, n);
		c[n] = '\0';
	}
	if (!c) {
		s->full = 1;
		return;
	}
	s->v[s->n] = c;
	s->len[s->n] = n;
	s->slot[h] = ++s->n;
}

static void senders_free(struct senders *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	free(s->len);
	free(s->slot);
}

/* ------------------------------------------------------------- WhatsApp ---- */

/* A WhatsApp line starts with the time the phone showed, in the phone's locale:
 *   iOS      "[20/11/2026, 21:14:03] Name: text"     (often after U+200E)
 *   Android  "20/11/2026, 21:14 - Name: text"   "11/20/26, 9:14 PM - Name: text"
 * Lines that do not start so continue the message before.  Day and month order is not
 * written anywhere: it is read from the file (a first number above 12 is a day, a second
 * above 12 is a day), and when nothing tells, day-month is assumed and said. */
struct wa_time {
	int a, b, c;		/* the three date numbers as written */
	int h, m, s;
	int ymd;		/* the first number had four digits */
};

static size_t wa_num(const unsigned char *p, size_t n, int *v, int maxdigits)
{
	size_t i = 0;
	*v = 0;
	while (i < n && (int)i < maxdigits && p[i] >= '0' && p[i] <= '9')
		*v = *v * 10 + (p[i++] - '0');
	return i;
}

/* Parses the time stamp at the start of a line; returns the offset of what follows the
 * separator ("] " or " - "), 0 if the line does not start with one. */
static size_t wa_stamp(const unsigned char *p, size_t n, struct wa_time *t)
{
	size_t i = 0, k;
	int bracket = 0;
	if (n >= 3 && p[0] == 0xe2 && p[1] == 0x80 && p[2] == 0x8e)	/* U+200E */
		i = 3;
	if (i < n && p[i] == '[')
		bracket = 1, i++;
	if (!(k = wa_num(p + i, n - i, &t->a, 4)))
		return 0;
	t->ymd = k == 4;
	i += k;
	unsigned char sep = i < n ? p[i] : 0;
	if (sep != '/' && sep != '.' && sep != '-')
		return 0;
	i++;
	if (!(k = wa_num(p + i, n - i, &t->b, 2)) || (i += k) >= n || p[i] != sep)
		return 0;
	i++;
	if (!(k = wa_num(p + i, n - i, &t->c, 4)))
		return 0;
	i += k;
	if (i < n && p[i] == ',')
		i++;
	while (i < n && p[i] == ' ')
		i++;
	if (!(k = wa_num(p + i, n - i, &t->h, 2)) || (i += k) >= n || p[i] != ':')
		return 0;
	i++;
	if ((k = wa_num(p + i, n - i, &t->m, 2)) != 2)
		return 0;
	i += k;
	t->s = 0;
	if (i < n && p[i] == ':') {
		if ((k = wa_num(p + i + 1, n - i - 1, &t->s, 2)) != 2)
			return 0;
		i += 1 + k;
	}
	/* 12-hour clocks: " PM", " pm", U+202F (narrow no-break space) before it on new iOS. */
	size_t j = i;
	if (j + 3 <= n && p[j] == 0xe2 && p[j + 1] == 0x80 && p[j + 2] == 0xaf)
		j += 3;
	else if (j < n && p[j] == ' ')
		j++;
	if (j + 2 <= n && (p[j] == 'A' || p[j] == 'P' || p[j] == 'a' || p[j] == 'p') &&
	    (p[j + 1] == 'M' || p[j + 1] == 'm')) {
		if (t->h < 1 || t->h > 12)
			return 0;
		t->h = t->h % 12 + ((p[j] == 'P' || p[j] == 'p') ? 12 : 0);
		i = j + 2;
	}
	if (t->h > 23 || t->m > 59 || t->s > 59)
		return 0;
	if (bracket) {
		if (i >= n || p[i] != ']')
			return 0;
		i++;
		if (i < n && p[i] == ' ')
			i++;
		return i;
	}
	if (i + 3 <= n && memcmp(p + i, " - ", 3) == 0)
		return i + 3;
	return 0;
}

static void wa_format(const struct wa_time *t, int mdy, char *out, size_t len)
{
	int y, mo, d;
	if (t->ymd)
		y = t->a, mo = t->b, d = t->c;
	else {
		y = t->c < 100 ? 2000 + t->c : t->c;
		mo = mdy ? t->a : t->b;
		d = mdy ? t->b : t->a;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31) {
		out[0] = '\0';
		return;
	}
	snprintf(out, len, "%04d-%02d-%02dT%02d:%02d:%02d", y, mo, d, t->h, t->m, t->s);
}

int chat_whatsapp(const unsigned char *p, size_t n, struct chat_summary *out)
{
	struct senders who = { 0 };
	struct wa_time t, first = { 0 }, last = { 0 };
	int day_first = 0, month_first = 0, ymd = 0;
	uint64_t messages = 0, stamped = 0;

	if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3, n -= 3;
	for (size_t i = 0; i < n;) {
		const unsigned char *nl = memchr(p + i, '\n', n - i);
		size_t len = nl ? (size_t)(nl - (p + i)) : n - i;
		const unsigned char *line = p + i;
		i += len + (nl != NULL);
		size_t off = wa_stamp(line, len, &t);
		if (!off)
			continue;
		stamped++;
		if (t.ymd)
			ymd = 1;
		else if (t.a > 12)
			day_first = 1;
		else if (t.b > 12)
			month_first = 1;
		/* "Name: text"; a line without ": " is a service line (group created, numbers
		 * changed, the end-to-end encryption notice). */
		const unsigned char *colon = NULL;
		for (size_t k = off; k + 1 < len; k++)
			if (line[k] == ':' && line[k + 1] == ' ') {
				colon = line + k;
				break;
			}
		if (!colon)
			continue;
		const unsigned char *name = line + off;
		size_t nlen = (size_t)(colon - name);
		while (nlen >= 3 && name[0] == 0xe2 && name[1] == 0x80 && name[2] == 0x8e)
			name += 3, nlen -= 3;
		if (!nlen)
			continue;
		if (!messages)
			first = t;
		last = t;
		messages++;
		senders_add(&who, name, nlen);
	}
	int recognised = stamped > 0;
	if (recognised) {
		memset(out, 0, sizeof(*out));
		out->app = "whatsapp";
		out->participants = who.n;
		out->messages = messages;
		out->clock = "local";
		int mdy = month_first && !day_first;
		out->date_order = ymd && !day_first && !month_first ? "year-month-day"
		    : day_first && month_first ? "inconsistent" : day_first ? "day-month"
		    : month_first ? "month-day" : "ambiguous";
		if (messages && !(day_first && month_first)) {
			wa_format(&first, mdy, out->first, sizeof(out->first));
			wa_format(&last, mdy, out->last, sizeof(out->last));
		}
	}
	senders_free(&who);
	return recognised;
}

/* ------------------------------------------------------------- Telegram ---- */

/* Telegram Desktop's "Export chat history" in machine-readable JSON writes result.json: one
 * chat ({"name", "type", "id", "messages": [...]}) or a whole account ({"chats": {"list":
 * [{... "messages": [...]}]}}).  Each message is an object with "type" ("message" or
 * "service"), "date" (local time, "2026-11-20T21:14:03"), newer exports "date_unixtime"
 * (UTC seconds) and "from_id" / "from".  The parser below reads only what it needs and
 * skips the rest; it never builds a tree. */
struct json {
	const unsigned char *p, *end;
	int bad;
	struct senders who;
	uint64_t messages;
	int any_messages_array;
	char first[32], last[32];
	int utc;		/* every counted message had date_unixtime */
};

static void ws(struct json *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

/* A string: *s and *n get its raw bytes between the quotes (escapes not decoded). */
static int jstring(struct json *j, const unsigned char **s, size_t *n)
{
	ws(j);
	if (j->p >= j->end || *j->p != '"')
		return j->bad = 1, 0;
	const unsigned char *start = ++j->p;
	while (j->p < j->end && *j->p != '"') {
		if (*j->p == '\\' && ++j->p >= j->end)
			break;
		if (*j->p < 0x20)
			return j->bad = 1, 0;
		j->p++;
	}
	if (j->p >= j->end)
		return j->bad = 1, 0;
	*s = start;
	*n = (size_t)(j->p - start);
	j->p++;
	return 1;
}

static int jvalue(struct json *j, int depth);

static int jexpect(struct json *j, unsigned char c)
{
	ws(j);
	if (j->p < j->end && *j->p == c) {
		j->p++;
		return 1;
	}
	return 0;
}

static int jkey_is(const unsigned char *s, size_t n, const char *k)
{
	return n == strlen(k) && memcmp(s, k, n) == 0;
}

/* One message object: its type, sender and date are kept, everything else skipped. */
static int jmessage(struct json *j, int depth)
{
	const unsigned char *type = NULL, *from = NULL, *from_id = NULL, *date = NULL, *unix = NULL;
	size_t type_n = 0, from_n = 0, from_id_n = 0, date_n = 0, unix_n = 0;
	if (!jexpect(j, '{'))
		return jvalue(j, depth);
	if (!jexpect(j, '}')) {
		do {
			const unsigned char *k;
			size_t kn;
			if (!jstring(j, &k, &kn) || !jexpect(j, ':'))
				return j->bad = 1, 0;
			ws(j);
			const unsigned char **slot = jkey_is(k, kn, "type") ? &type : jkey_is(k, kn, "from") ? &from
			    : jkey_is(k, kn, "from_id") ? &from_id : jkey_is(k, kn, "date") ? &date
			    : jkey_is(k, kn, "date_unixtime") ? &unix : NULL;
			size_t *slot_n = slot == &type ? &type_n : slot == &from ? &from_n : slot == &from_id
			    ? &from_id_n : slot == &date ? &date_n : &unix_n;
			if (slot && j->p < j->end && *j->p == '"') {
				if (!jstring(j, slot, slot_n))
					return 0;
			} else if (slot && jkey_is(k, kn, "from_id") && j->p < j->end && *j->p != '"') {
				const unsigned char *v = j->p;	/* old exports: a number */
				if (!jvalue(j, depth + 1))
					return 0;
				from_id = v;
				from_id_n = (size_t)(j->p - v);
			} else if (!jvalue(j, depth + 1))
				return 0;
		} while (jexpect(j, ','));
		if (!jexpect(j, '}'))
			return j->bad = 1, 0;
	}
	if (!type || !jkey_is(type, type_n, "message"))
		return 1;
	j->messages++;
	if (from_id)
		senders_add(&j->who, from_id, from_id_n);
	else if (from)
		senders_add(&j->who, from, from_n);
	char t[32] = "";
	if (unix && unix_n > 0 && unix_n < 20) {
		char num[24];
		memcpy(num, unix, unix_n);
		num[unix_n] = '\0';
		char *e;
		long long v = strtoll(num, &e, 10);
		if (!*e && v >= 0)
			time_rfc3339((time_t)v, t, sizeof(t));
	}
	if (!t[0]) {
		j->utc = 0;
		if (date && date_n == 19)
			memcpy(t, date, 19), t[19] = '\0';
	}
	if (t[0]) {
		if (!j->first[0] || strcmp(t, j->first) < 0)
			snprintf(j->first, sizeof(j->first), "%s", t);
		if (strcmp(t, j->last) > 0)
			snprintf(j->last, sizeof(j->last), "%s", t);
	}
	return 1;
}

static int jvalue(struct json *j, int depth)
{
	const unsigned char *s;
	size_t n;
	if (depth > MAX_JSON_DEPTH)
		return j->bad = 1, 0;
	ws(j);
	if (j->p >= j->end)
		return j->bad = 1, 0;
	switch (*j->p) {
	case '"':
		return jstring(j, &s, &n);
	case '{':
		j->p++;
		if (jexpect(j, '}'))
			return 1;
		do {
			if (!jstring(j, &s, &n) || !jexpect(j, ':'))
				return j->bad = 1, 0;
			ws(j);
			if (jkey_is(s, n, "messages") && j->p < j->end && *j->p == '[') {
				j->any_messages_array = 1;
				j->p++;
				if (!jexpect(j, ']')) {
					do {
						if (!jmessage(j, depth + 2))
							return 0;
					} while (jexpect(j, ','));
					if (!jexpect(j, ']'))
						return j->bad = 1, 0;
				}
			} else if (!jvalue(j, depth + 1))
				return 0;
		} while (jexpect(j, ','));
		return jexpect(j, '}') ? 1 : (j->bad = 1, 0);
	case '[':
		j->p++;
		if (jexpect(j, ']'))
			return 1;
		do {
			if (!jvalue(j, depth + 1))
				return 0;
		} while (jexpect(j, ','));
		return jexpect(j, ']') ? 1 : (j->bad = 1, 0);
	default:
		/* numbers, true, false, null: a run of their characters */
		s = j->p;
		while (j->p < j->end && strchr("0123456789+-.eEtruefalsn", *j->p) && *j->p)
			j->p++;
		return j->p > s ? 1 : (j->bad = 1, 0);
	}
}

int chat_telegram(const unsigned char *p, size_t n, struct chat_summary *out)
{
	struct json j = { p, p + n, 0, { 0 }, 0, 0, "", "", 1 };
	if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		j.p += 3;
	ws(&j);
	int ok = j.p < j.end && *j.p == '{' && jvalue(&j, 0);
	ws(&j);
	ok = ok && !j.bad && j.p == j.end && j.any_messages_array;
	if (ok) {
		memset(out, 0, sizeof(*out));
		out->app = "telegram";
		out->participants = j.who.n;
		out->messages = j.messages;
		out->clock = j.messages && j.utc ? "UTC" : "local";
		snprintf(out->first, sizeof(out->first), "%s", j.first);
		snprintf(out->last, sizeof(out->last), "%s", j.last);
	}
	senders_free(&j.who);
	return ok;
}
