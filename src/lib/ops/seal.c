/* seal.c — the sealer: inputs → one read pass per item (digests + ZIP writer) →
 * evidence.xml → ASiCManifest → CAdES signature → atomic rename (doc/design.md §5). */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <libgen.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <magic.h>
#include <openssl/sha.h>
#include <zlib.h>
#include <libxml/parser.h>
#include "crypto.h"
#include "container.h"
#include "ledger.h"
#include "evidence.h"
#include "xades.h"

#define READ_CHUNK (1u << 20)

static void sealer_warn_line(void *arg, const char *hint, const char *line);
/* Appends a line to the sealer's warnings (scelle_sealer_warnings). */
static void sealer_warn_hint(struct scelle_sealer *s, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define sealer_warn(s, ...) sealer_warn_hint(s, NULL, __VA_ARGS__)

struct scelle_sealer *scelle_sealer_new(void)
{
	struct scelle_sealer *s = xcalloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->digests[s->ndigests++] = "sha256";
	s->tsa_timeout = 30;
	s->limits.max_depth = 2;
	s->limits.max_members = 100000;
	s->limits.max_bytes = 4ull << 30;
	if (signer_init(&s->sg)) {
		free(s);
		return NULL;
	}
	s->sg.warn = sealer_warn_line;
	s->sg.warn_arg = s;
	return s;
}

static void items_free(struct item *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].src);
		free(v[i].name);
		free(v[i].media_type);
		free(v[i].orig_name);
		intake_free(v[i].intake);
	}
}

static void folders_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
}

static void inventory_clear(struct inventory *inv)
{
	items_free(inv->items, inv->nitems);
	free(inv->items);
	folders_free(inv->folders, inv->nfolders);
	free(inv->folders);
	memset(inv, 0, sizeof(*inv));
}

void volumes_free(struct volumes *vol)
{
	if (!vol)
		return;
	for (size_t i = 0; i < vol->n; i++)
		free(vol->v[i].path);
	free(vol->v);
	free(vol);
}


void scelle_sealer_free(struct scelle_sealer *s)
{
	if (!s)
		return;
	signer_clear(&s->sg);
	for (size_t i = 0; i < s->ncases; i++) {
		free(s->cases[i].authority);
		free(s->cases[i].country);
		free(s->cases[i].reference);
	}
	free(s->cases);
	free(s->case_xml);
	free(s->officer.name);
	free(s->officer.role);
	free(s->officer.unit);
	free(s->officer.country);
	free(s->officer.place);
	for (size_t i = 0; i < s->ntsa; i++)
		free(s->tsa[i]);
	free(s->tsa);
	free(s->tsa_policy);
	tsa_access_clear(&s->tsa_access);
	inventory_clear(&s->inv);
	for (size_t i = 0; i < s->rules.nexclude; i++)
		free(s->rules.exclude[i]);
	free(s->rules.exclude);
	item_info_free(s->item_info);
	volumes_free(s->vol);
	free(s->hex_store);
	buf_release(&s->warnings);
	free(s);
}

const char *scelle_sealer_errhint(const struct scelle_sealer *s)
{
	return s->err.hint;
}

const char *scelle_sealer_errmsg(const struct scelle_sealer *s)
{
	return s ? s->err.msg : "out of memory";
}

void scelle_sealer_set_pass_cb(struct scelle_sealer *s, scelle_pass_cb cb, void *arg)
{
	s->sg.pass_cb = cb;
	s->sg.pass_arg = arg;
}

void scelle_sealer_set_progress_cb(struct scelle_sealer *s, scelle_progress_cb cb, void *arg)
{
	s->progress_cb = cb;
	s->progress_arg = arg;
}

static int fail(struct scelle_sealer *s, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct scelle_sealer *s, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	s->err.code = code;
	s->err.hint = NULL;
	vsnprintf(s->err.msg, sizeof(s->err.msg), L_(fmt), ap);
	va_end(ap);
	return code;
}

int scelle_sealer_set_signer(struct scelle_sealer *s, const char *key, const char *cert)
{
	scerr_clear(&s->err);
	s->warnings.len = 0;
	memset(s->warning_hint, 0, sizeof(s->warning_hint));
	return signer_set_key(&s->sg, key, cert, &s->err);
}

int scelle_sealer_set_pkcs11_module(struct scelle_sealer *s, const char *path)
{
	return signer_set_pkcs11_module(&s->sg, path, &s->err);
}

int scelle_sealer_set_rsa_padding(struct scelle_sealer *s, const char *padding)
{
	return signer_set_rsa_padding(&s->sg, padding, &s->err);
}

int scelle_sealer_add_chain(struct scelle_sealer *s, const char *chain_file)
{
	return signer_add_chain(&s->sg, chain_file, &s->err);
}

int scelle_sealer_add_revocation_data(struct scelle_sealer *s, const char *src)
{
	scerr_clear(&s->err);
	return revocation_add_data(&s->sg, src, &s->err);
}

int scelle_sealer_add_case_ref(struct scelle_sealer *s, const char *authority,
    const char *country, const char *reference)
{
	if (!authority || !*authority || !reference || !*reference)
		return fail(s, SCELLE_E_USAGE, "a case reference needs an authority and a number");
	char cc[3];
	if (country_code(country, cc))
		return fail(s, SCELLE_E_USAGE, "invalid country code '%s' (ISO 3166 alpha-2, e.g. FR)",
		    country ? country : "");
	char why[64];
	if (text_check(authority, 0, why, sizeof(why)) || text_check(reference, 0, why, sizeof(why)))
		return fail(s, SCELLE_E_USAGE, "%s", why);
	struct case_ref *c = realloc(s->cases, (s->ncases + 1) * sizeof(*c));
	if (!c)
		return fail(s, SCELLE_E_NOMEM, "out of memory");
	s->cases = c;
	c += s->ncases++;
	c->authority = xstrdup(authority);
	c->country = xstrdup(cc);
	c->reference = xstrdup(reference);
	return SCELLE_OK;
}

int scelle_sealer_set_officer(struct scelle_sealer *s, const char *field, const char *value)
{
	struct officer *o = &s->officer;
	const struct { const char *name; char **slot; } fields[] = { { "name", &o->name },
		{ "role", &o->role }, { "unit", &o->unit }, { "country", &o->country },
		{ "place", &o->place } };
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (strcmp(field, fields[i].name) == 0) {
			char cc[3];
			int country = fields[i].slot == &o->country;
			if (country && country_code(value, cc))
				return fail(s, SCELLE_E_USAGE,
				    "invalid country code '%s' (ISO 3166 alpha-2, e.g. FR)", value ? value : "");
			if (country)
				value = cc;
			/* XML 1.0 §2.2 cannot carry C0 controls: evidence.xml would not parse again */
			char why[64];
			if (text_check(value, 0, why, sizeof(why)))
				return fail(s, SCELLE_E_USAGE, "%s", why);
			free(*fields[i].slot);
			*fields[i].slot = xstrdup(value);
			return SCELLE_OK;
		}
	}
	return fail(s, SCELLE_E_USAGE, "unknown officer field '%s'", field);
}

int scelle_sealer_add_digest(struct scelle_sealer *s, const char *alg)
{
	static const char *const known[] = { "sha256", "sha512", "sha3-256", "sha1", "md5" };
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (strcmp(alg, known[i]) != 0)
			continue;
		for (size_t j = 0; j < s->ndigests; j++)
			if (strcmp(s->digests[j], known[i]) == 0)
				return SCELLE_OK;
		s->digests[s->ndigests++] = known[i];
		return SCELLE_OK;
	}
	return fail(s, SCELLE_E_USAGE,
	    "unknown digest '%s' (use sha256, sha512, sha3-256, sha1 or md5)", alg);
}

int scelle_sealer_add_tsa(struct scelle_sealer *s, const char *url)
{
	char **t = realloc(s->tsa, (s->ntsa + 1) * sizeof(*t));
	if (!t)
		return fail(s, SCELLE_E_NOMEM, "out of memory");
	s->tsa = t;
	if (!(s->tsa[s->ntsa] = xstrdup(url)))
		return fail(s, SCELLE_E_NOMEM, "out of memory");
	s->ntsa++;
	return SCELLE_OK;
}

void scelle_sealer_set_on_collision(struct scelle_sealer *s, int mode)
{
	s->rename_collisions = mode == SCELLE_COLLISION_RENAME;
}

int scelle_sealer_set_tsa_access(struct scelle_sealer *s, const char *ca_file, const char *auth,
    const char *cert_file, const char *key_file)
{
	return tsa_access_set(&s->tsa_access, ca_file, auth, cert_file, key_file, &s->err);
}

void scelle_sealer_set_tsa_options(struct scelle_sealer *s, const char *policy_oid,
    int timeout_seconds, int optional)
{
	free(s->tsa_policy);
	s->tsa_policy = xstrdup(policy_oid);
	if (timeout_seconds > 0)
		s->tsa_timeout = timeout_seconds;
	s->tsa_optional = optional;
}

/* ------------------------------------------------------------------ inputs ---- */

void scelle_sealer_set_input_flags(struct scelle_sealer *s, int flags)
{
	s->rules.follow = (flags & SCELLE_INPUT_FOLLOW) != 0;
	s->rules.os_junk = (flags & SCELLE_INPUT_EXCLUDE_OS_JUNK) != 0;
}

int scelle_sealer_add_exclude(struct scelle_sealer *s, const char *pattern)
{
	struct walk_rules *r = &s->rules;
	char **v = realloc(r->exclude, (r->nexclude + 1) * sizeof(*v));
	if (v)
		r->exclude = v;
	if (!v || !(v[r->nexclude] = xstrdup(pattern)))
		return fail(s, SCELLE_E_NOMEM, "out of memory");
	r->nexclude++;
	return SCELLE_OK;
}

/* Whether the entry `base`, archive name `name`, is left out: --exclude-os-junk's files
 * that the Finder and Explorer write by themselves (in any case: FAT and NTFS ignore it),
 * and the patterns (scelle_sealer_add_exclude). */
static int excluded(const struct walk_rules *r, const char *base, const char *name)
{
	static const char *const junk[] = { ".DS_Store", "Thumbs.db", "desktop.ini" };
	for (size_t i = 0; r->os_junk && i < sizeof(junk) / sizeof(junk[0]); i++)
		if (strcasecmp(base, junk[i]) == 0)
			return 1;
	const char *rel = strlen(name) > r->root_len ? name + r->root_len : base;
	for (size_t i = 0; i < r->nexclude; i++) {
		const char *p = r->exclude[i];
		if (strchr(p, '/') ? fnmatch(p, rel, FNM_PATHNAME) == 0 : fnmatch(p, base, 0) == 0)
			return 1;
	}
	return 0;
}

void scelle_sealer_summary(const struct scelle_sealer *s, struct scelle_seal_summary *out)
{
	const struct inventory *inv = &s->inv;
	memset(out, 0, sizeof(*out));
	out->items = inv->nitems;
	out->excluded = inv->excluded;
	for (size_t i = 0; i < inv->nitems; i++) {
		out->bytes += inv->items[i].size;
		out->links += inv->items[i].link != 0;
		out->escaped += inv->items[i].orig_name != NULL;
	}
}

/* One walk of the inputs (add_path): what it finds goes into inv, why it stopped into err.
 * The sealer's walk writes into the sealer's; the second thread of add_split into its own. */
struct walker {
	struct inventory *inv;
	struct scerr *err;
	const struct walk_rules *rules;	/* shared by both threads, read only */
	int may_split;			/* one split at a time (add_split) */
};

static int walk_fail(const struct walker *w, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int walk_fail(const struct walker *w, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	w->err->code = code;
	w->err->hint = NULL;
	vsnprintf(w->err->msg, sizeof(w->err->msg), L_(fmt), ap);
	va_end(ap);
	return code;
}

static int add_file(struct walker *w, const char *src, const char *name, const struct stat *st)
{
	struct inventory *inv = w->inv;
	char *escaped = NULL;
	/* Archive names are UTF-8 (ZIP flag bit 11); other names are escaped (names.c) and
	 * their bytes kept in evidence.xml <originalName>. */
	if (name_needs_escape(name, strlen(name))) {
		if (!(escaped = name_escape(name, strlen(name))))
			return walk_fail(w, SCELLE_E_NOMEM, "out of memory");
	}
	const char *stored = escaped ? escaped : name;
	if (strlen(stored) + sizeof(EVIDENCE_DIR) > MAX_NAME_BYTES) {
		free(escaped);
		return walk_fail(w, SCELLE_E_LIMIT, "cannot seal '%s': the name is too long", src);
	}
	if (inv->nitems == inv->capitems) {
		size_t cap = inv->capitems ? 2 * inv->capitems : 64;
		struct item *it = realloc(inv->items, cap * sizeof(*it));
		if (!it) {
			free(escaped);
			return walk_fail(w, SCELLE_E_NOMEM, "out of memory");
		}
		inv->items = it;
		inv->capitems = cap;
	}
	struct item *it = &inv->items[inv->nitems];
	memset(it, 0, sizeof(*it));
	size_t len = strlen(EVIDENCE_DIR) + strlen(stored) + 1;
	it->src = xstrdup(src);
	it->name = malloc(len);
	if (!it->src || !it->name) {
		free(it->src);
		free(it->name);
		free(escaped);
		return walk_fail(w, SCELLE_E_NOMEM, "out of memory");
	}
	snprintf(it->name, len, "%s%s", EVIDENCE_DIR, stored);
	if (escaped) {
		it->orig_name = xstrdup(name);
		it->orig_len = strlen(name);
		free(escaped);
		if (!it->orig_name) {
			free(it->src);
			free(it->name);
			return walk_fail(w, SCELLE_E_NOMEM, "out of memory");
		}
	}
	it->size = (uint64_t)st->st_size;
	it->mtime = st->st_mtime;
	it->link = S_ISLNK(st->st_mode);
	inv->nitems++;
	return SCELLE_OK;
}

/* An empty folder (FORMAT.md §3.7): nothing was sealed below it, so no item name can
 * bring it back.  Its name follows the items' rules (names.c, FORMAT.md §2.2). */
static int add_folder(struct walker *w, const char *src, const char *name)
{
	struct inventory *inv = w->inv;
	size_t n = strlen(name);
	char *escaped = NULL, *full = NULL, **v;
	if (name_needs_escape(name, n) && !(escaped = name_escape(name, n)))
		return walk_fail(w, SCELLE_E_NOMEM, "out of memory");
	const char *stored = escaped ? escaped : name;
	size_t len = strlen(EVIDENCE_DIR) + strlen(stored) + 1;
	if (strlen(stored) + sizeof(EVIDENCE_DIR) > MAX_NAME_BYTES) {
		free(escaped);
		return walk_fail(w, SCELLE_E_LIMIT, "cannot seal '%s': the name is too long", src);
	}
	if ((full = malloc(len)))
		snprintf(full, len, "%s%s", EVIDENCE_DIR, stored);
	free(escaped);
	if (!full || !(v = grow(inv->folders, &inv->capfolders, inv->nfolders + 1, sizeof(*v)))) {
		free(full);
		return walk_fail(w, SCELLE_E_NOMEM, "out of memory");
	}
	inv->folders = v;
	v[inv->nfolders++] = full;
	return SCELLE_OK;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* The folders above the one being walked, to refuse a loop made by a followed link. */
struct walk {
	const struct walk *up;
	dev_t dev;
	ino_t ino;
};

static int add_path(struct walker *w, int dir, const char *base, const char *src,
    const char *name, int depth, const struct walk *up);

/* Adds entries [from, to) of a folder's sorted listing, and frees them. */
static int add_entries(struct walker *w, int fd, struct dirent **list, int from, int to,
    const char *src, const char *name, int depth, const struct walk *here)
{
	int rc = SCELLE_OK;
	for (int i = from; i < to; i++) {
		const char *d = list[i]->d_name;
		if (rc == SCELLE_OK && strcmp(d, ".") != 0 && strcmp(d, "..") != 0) {
			size_t sl = strlen(src) + strlen(d) + 2, nl = strlen(name) + strlen(d) + 2;
			char *csrc = malloc(sl), *cname = malloc(nl);
			if (csrc && cname) {
				snprintf(csrc, sl, "%s/%s", src, d);
				snprintf(cname, nl, "%s/%s", name, d);
				if (excluded(w->rules, d, cname))
					w->inv->excluded++;
				else
					rc = add_path(w, fd, d, csrc, cname, depth + 1, here);
			} else
				rc = walk_fail(w, SCELLE_E_NOMEM, "out of memory");
			free(csrc);
			free(cname);
		}
		free(list[i]);
	}
	return rc;
}

/* Work on a thread of its own, or on this one when no thread can be had. */
struct aside {
	pthread_t thread;
	int threaded;
};

static void aside_start(struct aside *a, void *(*fn)(void *), void *arg)
{
	a->threaded = pthread_create(&a->thread, NULL, fn, arg) == 0;
	if (!a->threaded)
		fn(arg);
}

static void aside_join(struct aside *a)
{
	if (a->threaded)
		pthread_join(a->thread, NULL);
	a->threaded = 0;
}

/* The second half of a large folder, walked on another thread into an inventory of its
 * own, then appended: the walk is stat calls, and for 100,000 files it took a third of a
 * second on one core. */
struct half {
	struct walker w;
	struct inventory inv;
	struct scerr err;
	int fd, from, to, depth, rc;
	struct dirent **list;
	const char *src, *name;
	const struct walk *here;
};

static void *half_run(void *arg)
{
	struct half *h = arg;
	h->rc = add_entries(&h->w, h->fd, h->list, h->from, h->to, h->src, h->name, h->depth, h->here);
	return NULL;
}

/* Appends what b holds to a, and empties b (its arrays freed; what they held now a's).
 * Out of memory, b's entries are freed and -1 returned. */
static int inventory_append(struct inventory *a, struct inventory *b)
{
	int rc = 0;
	if (b->nitems) {
		struct item *v = grow(a->items, &a->capitems, a->nitems + b->nitems, sizeof(*v));
		if (v) {
			memcpy(v + a->nitems, b->items, b->nitems * sizeof(*v));
			a->items = v;
			a->nitems += b->nitems;
		} else {
			items_free(b->items, b->nitems);
			rc = -1;
		}
	}
	if (b->nfolders) {
		char **v = grow(a->folders, &a->capfolders, a->nfolders + b->nfolders, sizeof(*v));
		if (v) {
			memcpy(v + a->nfolders, b->folders, b->nfolders * sizeof(*v));
			a->folders = v;
			a->nfolders += b->nfolders;
		} else {
			folders_free(b->folders, b->nfolders);
			rc = -1;
		}
	}
	a->excluded += b->excluded;
	free(b->items);
	free(b->folders);
	memset(b, 0, sizeof(*b));
	return rc;
}

static int add_split(struct walker *w, int fd, struct dirent **list, int n,
    const char *src, const char *name, int depth, const struct walk *here)
{
	struct half *h = !w->may_split || n < 64 ? NULL : xcalloc(1, sizeof(*h));
	struct aside a;
	if (!h)
		return add_entries(w, fd, list, 0, n, src, name, depth, here);
	*h = (struct half){ .fd = fd, .from = n / 2, .to = n, .depth = depth, .list = list,
		.src = src, .name = name, .here = here };
	h->w = (struct walker){ &h->inv, &h->err, w->rules, 0 };
	aside_start(&a, half_run, h);
	w->may_split = 0;
	int rc = add_entries(w, fd, list, 0, n / 2, src, name, depth, here);
	aside_join(&a);
	w->may_split = 1;
	/* Its items follow ours, in name order; appended even after a failure, so that
	 * scelle_sealer_free frees them. */
	if (inventory_append(w->inv, &h->inv) && rc == SCELLE_OK)
		rc = walk_fail(w, SCELLE_E_NOMEM, "out of memory");
	if (rc == SCELLE_OK && h->rc != SCELLE_OK) {
		*w->err = h->err;
		rc = h->rc;
	}
	free(h);
	return rc;
}

/* Adds the file or folder `base` of the folder open as `dir` (AT_FDCWD at the top); `src` is
 * the same path from the working folder, for messages and for the sealing read.  Looking
 * names up in their folder, not from the top each time, halves the walk of 100,000 files. */
static int add_path(struct walker *w, int dir, const char *base, const char *src,
    const char *name, int depth, const struct walk *up)
{
	struct stat st;
	if (fstatat(dir, base, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return walk_fail(w, SCELLE_E_IO, "cannot open '%s': %s", src, strerror(errno));
	/* A symbolic link is evidence of its own (where it pointed) and is recorded as a link
	 * (seal_link); following it could take the seal outside the seized folder, so only
	 * --follow does. */
	if (S_ISLNK(st.st_mode) && !w->rules->follow)
		return add_file(w, src, name, &st);
	if (S_ISLNK(st.st_mode) && fstatat(dir, base, &st, 0) != 0)
		return walk_fail(w, SCELLE_E_IO, "cannot follow '%s': %s", src, strerror(errno));
	if (S_ISREG(st.st_mode)) {
		/* An unreadable file stops the seal now, before anything is written.  The
		 * sealing read opens it (and checks again that it is a regular file). */
		if (faccessat(dir, base, R_OK, AT_EACCESS) != 0)
			return walk_fail(w, SCELLE_E_IO, "cannot open '%s': %s", src, strerror(errno));
		return add_file(w, src, name, &st);
	}
	if (!S_ISDIR(st.st_mode))
		return walk_fail(w, SCELLE_E_INPUT, "cannot seal '%s': it is %s", src, file_kind(st.st_mode));
	if (depth > 64)
		return walk_fail(w, SCELLE_E_LIMIT, "cannot seal '%s': folders nested too deep", src);
	for (const struct walk *u = up; u; u = u->up)
		if (u->dev == st.st_dev && u->ino == st.st_ino)
			return walk_fail(w, SCELLE_E_INPUT, "cannot seal '%s': a link loops back to a folder above it", src);
	struct walk here = { up, st.st_dev, st.st_ino };
	struct dirent **list;
	int fd = openat(dir, base, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (w->rules->follow ? 0 : O_NOFOLLOW)), n = -1;
	if (fd >= 0 && (n = scandirat(fd, ".", &list, NULL, by_name)) < 0) {
		int why = errno;
		close(fd);
		errno = why;
	}
	if (n < 0)
		return walk_fail(w, SCELLE_E_IO, "cannot open '%s': %s", src, strerror(errno));
	size_t items = w->inv->nitems, folders = w->inv->nfolders;
	int rc = add_split(w, fd, list, n, src, name, depth, &here);
	free(list);
	close(fd);
	/* Nothing sealed below it: recorded, the deepest only (its parents come back with it). */
	if (rc == SCELLE_OK && w->inv->nitems == items && w->inv->nfolders == folders)
		rc = add_folder(w, src, name);
	return rc;
}

int scelle_sealer_add_input(struct scelle_sealer *s, const char *path, const char *as)
{
	scerr_clear(&s->err);
	char *copy = xstrdup(path), *name;
	if (!copy)
		return fail(s, SCELLE_E_NOMEM, "out of memory");
	size_t n = strlen(copy);
	while (n > 1 && copy[n - 1] == '/')
		copy[--n] = '\0';
	name = as ? (char *)as : basename(copy);
	while (*name == '/')
		name++;
	int rc;
	if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strstr(name, "/../") ||
	    strncmp(name, "../", 3) == 0)
		rc = fail(s, SCELLE_E_USAGE, "cannot name an item '%s' in the archive", as ? as : path);
	else {
		struct walker w = { &s->inv, &s->err, &s->rules, 1 };
		s->rules.root_len = strlen(name) + 1;
		rc = add_path(&w, AT_FDCWD, path, path, name, 0, NULL);
	}
	free(copy);
	return rc;
}

static void warnings_terminate(struct scelle_sealer *s);

/* ------------------------------------------------------------------ output ---- */

/* Media types that gain from DEFLATE (AUTO); everything else is STORED. */
static int compressible(const char *mt)
{
	return strncmp(mt, "text/", 5) == 0 || strcmp(mt, "application/json") == 0 ||
	    strcmp(mt, "application/xml") == 0 || strcmp(mt, "image/svg+xml") == 0 ||
	    strcmp(mt, "application/x-ndjson") == 0;
}

/* Formats that are compressed already: DEFLATE would cost time and gain nothing (MAX). */
static int compressed_already(const char *mt)
{
	static const char *const prefixes[] = { "video/", "audio/mpeg", "audio/ogg", "audio/aac",
		"audio/mp4", "audio/x-m4a", "audio/flac", "audio/opus", "image/jpeg", "image/png",
		"image/gif", "image/webp", "image/heic", "image/heif", "image/avif", "image/jp2",
		"application/zip", "application/gzip", "application/x-gzip", "application/x-bzip2",
		"application/x-xz", "application/x-7z-compressed", "application/x-rar",
		"application/vnd.rar", "application/zstd", "application/x-lzip", "application/x-lzma",
		"application/java-archive", "application/vnd.android.package-archive",
		"application/vnd.openxmlformats-officedocument.",
		"application/vnd.oasis.opendocument.", "application/epub+zip" };
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(mt, prefixes[i], strlen(prefixes[i])) == 0)
			return 1;
	return 0;
}

#define TRIAL_BYTES (64u << 10)
#define AUTO_LEVEL 1	/* zlib's fastest: text still shrinks 3-5x, at 5x level 6's speed */

/* AUTO: DEFLATE where it saves a tenth.  An item that the first read holds whole is judged
 * by its own DEFLATE, on the writing thread (ZIP_DEFLATE_GAINS): no trial.  A longer one is
 * streamed, and judged by a trial DEFLATE of its first 64 KiB. */
static int deflate_gains(const unsigned char *p, size_t n, unsigned char *scratch, size_t cap)
{
	uLongf out = cap;
	if (n > TRIAL_BYTES)
		n = TRIAL_BYTES;
	return compress2(scratch, &out, p, n, AUTO_LEVEL) == Z_OK && out < n - n / 10;
}

/* The method and level for an item whose first bytes are p[0..n), all of it if whole. */
static int choose_method(const struct scelle_sealer *s, const char *mt, const unsigned char *p,
    size_t n, int whole, unsigned char *scratch, size_t cap, int *level)
{
	switch (s->compress) {
	case SCELLE_COMPRESS_NONE:
		return ZIP_STORE;
	case SCELLE_COMPRESS_MAX:
		*level = 9;
		return n == 0 || compressed_already(mt) ? ZIP_STORE : ZIP_DEFLATE;
	default:
		*level = AUTO_LEVEL;
		if (!compressible(mt))
			return ZIP_STORE;
		if (whole)
			return ZIP_DEFLATE_GAINS;
		return deflate_gains(p, n, scratch, cap) ? ZIP_DEFLATE : ZIP_STORE;
	}
}

/* What sealing needs beside the sealer: the writer, the hashing threads, a scratch buffer
 * for the DEFLATE trial, libmagic and the progress. */
struct sealing {
	struct zip_writer *z;
	struct hash_pipe *hp;
	struct file_hasher *fh;
	const EVP_MD *md[MAX_DIGESTS];
	unsigned char *scratch;
	size_t scratch_cap;
	void *magic;
	struct progress prog;
	uint64_t done;
	int writes;		/* whole items queued to be written on the hashing thread */
	struct scerr werr;	/* why such a write failed */
};

/* Runs on the hashing thread when an item's last byte is hashed. */
static void item_hashed(void *arg, unsigned char md[][HP_MD_SIZE], const unsigned int *len, size_t n)
{
	struct item *it = arg;
	char *hex = it->hex;	/* room for them all: seal_archive */
	for (size_t i = 0; i < n; i++) {
		hex_encode(md[i], len[i], hex);
		hex += 2 * len[i] + 1;
	}
	memcpy(it->sha256, md[0], 32);
}

/* Runs on the hashing thread, after the item's digests: an item that one read held whole
 * is written there, so that this thread goes on reading the next files.  For 100,000
 * small files the reading thread (open, read, libmagic, close) and the writing (DEFLATE,
 * CRC-32, writev) then share the two cores. */
static int write_whole(void *ctx, void *arg, const unsigned char *p, size_t n)
{
	struct sealing *g = ctx;
	struct item *it = arg;
	if (zip_entry_whole(g->z, it->name, it->method, it->level, it->mtime, p, n, &g->werr))
		return -1;
	file_hasher_advance(g->fh, zip_writer_written(g->z));
	return 0;
}

/* The writer is this thread's again once the queued writes are done. */
static int writes_drain(struct scelle_sealer *s, struct sealing *g)
{
	if (hash_pipe_wait(g->hp, hash_pipe_ticket(g->hp))) {
		if (g->werr.code)
			s->err = g->werr;
		else
			scerr_set(&s->err, SCELLE_E_CRYPTO, "hashing failed");
		return s->err.code;
	}
	g->writes = 0;
	return SCELLE_OK;
}

/* A symbolic link is sealed as an item of media type inode/symlink whose content is the
 * link target, byte for byte.  Why an item and not a ZIP symlink entry: EN 319 162-1 data
 * objects are files, and extractors that honour ZIP symlink modes are the classic way out of
 * the extraction folder; as an item the link is listed, digested and signed like any other
 * evidence, and `extract` can only ever write a plain file.  Why not only a line in
 * evidence.xml: a stock verifier (DSS, openssl + sha256sum) then sees it too. */
static ssize_t read_link(const char *path, struct stat *st, unsigned char *buf, size_t size)
{
	if (lstat(path, st) != 0)
		return -1;
	if (!S_ISLNK(st->st_mode)) {
		errno = EINVAL;
		return -1;
	}
	ssize_t n = readlink(path, (char *)buf, size);
	if (n >= 0 && (size_t)n == size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* Linux reports the target length as st_size (0 on some pseudo file systems). */
	if (n >= 0 && st->st_size != 0 && n != st->st_size) {
		errno = EAGAIN;
		return -1;
	}
	if (n >= 0)
		st->st_size = n;
	return n;
}

/* One read pass over an item (doc/design.md §5): each buffer goes to the hashing thread and,
 * at the same time, through CRC-32 and into the archive on this one. */
/* seal_item, phase "open": a symbolic link's target, read into the hashing buffer (*buf,
 * *link_len bytes), or the regular file, opened (*fd); its status in *st.  0, or -1 with
 * s->err set. */
static int item_open(struct scelle_sealer *s, struct sealing *g, const struct item *it,
    struct stat *st, int *fd, unsigned char **buf, ssize_t *link_len)
{
	*fd = -1;
	if (it->link) {
		*buf = hash_pipe_buffer(g->hp);
		if ((*link_len = read_link(it->src, st, *buf, READ_CHUNK)) >= 0)
			return 0;
		scerr_set(&s->err, SCELLE_E_IO, "cannot open '%s': %s", it->src, strerror(errno));
		return -1;
	}
	/* O_NONBLOCK: a FIFO swapped in for the item since the walk would block open() until a
	 * writer came (issue 18); it is refused below, and a regular file reads as before. */
	*fd = open(it->src, O_RDONLY | O_NONBLOCK | (s->rules.follow ? 0 : O_NOFOLLOW) | O_CLOEXEC);
	if (*fd < 0 || fstat(*fd, st) != 0) {
		scerr_set(&s->err, SCELLE_E_IO, "cannot open '%s': %s", it->src, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		scerr_set(&s->err, SCELLE_E_INPUT, "cannot seal '%s': it is %s", it->src, file_kind(st->st_mode));
		return -1;
	}
	fcntl(*fd, F_SETFL, fcntl(*fd, F_GETFL) & ~O_NONBLOCK);
	if (st->st_size > READ_CHUNK)	/* one read takes a smaller one whole */
		posix_fadvise(*fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	return 0;
}

/* seal_item, phase "check": doc/design.md §6.1, a file that changed while it was read (its
 * size, its time, or the bytes read) is reported, not sealed. */
static int item_unchanged(const struct item *it, int fd, const struct stat *before, uint64_t got)
{
	struct stat after;
	return (it->link ? lstat(it->src, &after) : fstat(fd, &after)) == 0 &&
	    after.st_size == before->st_size && got == (uint64_t)before->st_size &&
	    after.st_mtim.tv_sec == before->st_mtim.tv_sec &&
	    after.st_mtim.tv_nsec == before->st_mtim.tv_nsec;
}

static int seal_item(struct scelle_sealer *s, struct sealing *g, struct item *it)
{
	struct stat before;
	uint64_t got = 0;
	unsigned char *buf = NULL;
	ssize_t link_len = -1;
	int rc = SCELLE_E_IO, fd;

	if (item_open(s, g, it, &before, &fd, &buf, &link_len))
		goto out;
	/* A small item is read into the space left in the current buffer, with one byte to
	 * spare to see that it ends: thumbnails share a buffer and a wake-up of the hasher. */
	size_t want = (uint64_t)before.st_size < READ_CHUNK ? (size_t)before.st_size + 1 : READ_CHUNK;
	int whole = 0;	/* the first read holds the whole item */
	it->method = ZIP_STORE;
	it->level = -1;
	it->mtime = before.st_mtime;
	for (int first = 1; !whole;) {
		ssize_t r = link_len;	/* a link: its target, already in buf, then the end */
		if (it->link)
			link_len = 0;
		else
			r = read(fd, buf = hash_pipe_space(g->hp, want), want);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			scerr_set(&s->err, SCELLE_E_IO, "cannot read '%s': %s", it->src, strerror(errno));
			goto out;
		}
		if (first) {
			const char *mt = it->link ? "inode/symlink" : media_type(g->magic, buf, (size_t)r);
			it->media_type = xstrdup(mt ? mt : "application/octet-stream");
			/* A file that grows after this read changes its size: caught below. */
			whole = (uint64_t)r == (uint64_t)before.st_size;
			it->method = choose_method(s, it->media_type, buf, (size_t)r, whole,
			    g->scratch, g->scratch_cap, &it->level);
			if (!whole && ((g->writes && writes_drain(s, g)) ||
			    hash_pipe_begin(g->hp, g->md, s->ndigests) ||
			    zip_entry_begin(g->z, it->name, it->method, (uint64_t)before.st_size,
			    before.st_mtime, &s->err) ||
			    (it->method == ZIP_DEFLATE && zip_entry_level(g->z, it->level, &s->err))))
				goto out;
			first = 0;
		}
		if (r == 0 && !whole)
			break;
		if (r > 0)
			intake_feed(it, buf, (size_t)r, got);
		if (whole) {	/* digests, then write_whole, on the hashing thread */
			if (hash_pipe_item(g->hp, g->md, s->ndigests, buf, (size_t)r, item_hashed,
			    write_whole, g, it)) {
				scerr_set(&s->err, SCELLE_E_IO, "cannot write '%s': internal error", it->name);
				goto out;
			}
			g->writes++;
		} else {
			hash_pipe_put(g->hp, buf, (size_t)r);
			if (zip_entry_write(g->z, buf, (size_t)r, &s->err))
				goto out;
		}
		got += (uint64_t)r;
		g->done += (uint64_t)r;
		progress_tick(&g->prog, g->done, it->name);
	}
	if (!whole) {
		hash_pipe_end(g->hp, item_hashed, it);
		if (zip_entry_end(g->z, &s->err))
			goto out;
		file_hasher_advance(g->fh, zip_writer_written(g->z));
	}
	if (!item_unchanged(it, fd, &before, got)) {
		scerr_set(&s->err, SCELLE_E_INPUT, "'%s' changed while it was read", it->src);
		rc = SCELLE_E_INPUT;
		goto out;
	}
	it->size = got;
	rc = SCELLE_OK;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

/* The level of the items (1, unless --compress max): evidence.xml of 100,000 items is
 * 25 MB, and at level 6 zlib took a second longer for a file a tenth smaller. */
static int member_level(const struct scelle_sealer *s)
{
	return s->compress == SCELLE_COMPRESS_MAX ? 9 : AUTO_LEVEL;
}

static int write_member(struct scelle_sealer *s, struct sealing *g, const char *name,
    int method, const struct buf *b, struct scerr *e)
{
	if (zip_entry_whole(g->z, name, method, member_level(s), s->sealed_at, b->data, b->len, e))
		return e->code ? e->code : SCELLE_E_IO;
	file_hasher_advance(g->fh, zip_writer_written(g->z));
	return SCELLE_OK;
}

/* For 100,000 items evidence.xml and the manifest are 25 MB each: each takes a tenth of a
 * second to lay out, and as long to deflate.  evidence.xml is laid out, then deflated and
 * written, on a thread of its own (ev_lay_out, ev_write); meanwhile this one lays out the
 * manifest, whose last reference is evidence.xml's digest, and deflates it. */
struct ev_build {
	struct scelle_sealer *s;
	struct sealing *g;
	struct buf *out;
	unsigned char sha256[32];
	struct scerr err;
	int rc;
};

static void *ev_lay_out(void *arg)
{
	struct ev_build *b = arg;
	if (!(b->rc = evidence_xml_build(b->s, b->out, &b->err)))
		SHA256(b->out->data, b->out->len, b->sha256);
	return NULL;
}

static void *ev_write(void *arg)
{
	struct ev_build *b = arg;
	b->rc = write_member(b->s, b->g, EVIDENCE_XML, ZIP_DEFLATE, b->out, &b->err);
	return NULL;
}

/* Writes evidence.xml and the manifest (the writer is free: the items are written); man
 * gets the manifest. */
static int write_xml_members(struct scelle_sealer *s, struct sealing *g, struct buf *ev,
    struct buf *man)
{
	struct ev_build eb = { s, g, ev, { 0 }, { 0 }, SCELLE_E_NOMEM };
	struct zip_pack mp = { 0 };
	struct aside a;
	xmlInitParser();	/* libxml2's globals, before two threads use it (its manual) */
	aside_start(&a, ev_lay_out, &eb);
	struct manifest_writer *mw = asic_manifest_items(&s->inv, s->volume);
	aside_join(&a);
	if (eb.rc) {
		asic_manifest_free(mw);
		s->err = eb.err;
		return eb.rc;
	}
	aside_start(&a, ev_write, &eb);
	int rc = asic_manifest_finish(mw, eb.sha256, man, &s->err);
	if (!rc && zip_pack(&mp, ZIP_DEFLATE, member_level(s), man->data, man->len, &s->err))
		rc = s->err.code;
	aside_join(&a);
	if (!rc && eb.rc) {
		s->err = eb.err;
		rc = eb.rc;
	}
	if (!rc && zip_entry_packed(g->z, ASIC_MANIFEST, s->sealed_at, &mp, &s->err))
		rc = s->err.code ? s->err.code : SCELLE_E_IO;
	if (!rc)
		file_hasher_advance(g->fh, zip_writer_written(g->z));
	zip_pack_release(&mp);
	return rc;
}

/* --signature xades (FORMAT.md §5.2): evidence.xml, then the XAdES signature over it and
 * the items (its references are the digests of the one read), and the OpenDocument
 * manifest; no ASiCManifest. */
static int write_xades_members(struct scelle_sealer *s, struct sealing *g, struct buf *ev)
{
	struct ev_build eb = { s, g, ev, { 0 }, { 0 }, SCELLE_E_NOMEM };
	struct buf sig = { 0 }, man = { 0 };
	int rc;
	xmlInitParser();
	ev_lay_out(&eb);
	if (eb.rc) {
		s->err = eb.err;
		return eb.rc;
	}
	if ((rc = write_member(s, g, EVIDENCE_XML, ZIP_DEFLATE, ev, &s->err)))
		return rc;
	if (!(rc = xades_build(s, eb.sha256, &sig, &man, s->seal_id)) &&
	    !(rc = write_member(s, g, ODF_MANIFEST, ZIP_DEFLATE, &man, &s->err)))
		rc = write_member(s, g, XADES_SIGNATURE, ZIP_STORE, &sig, &s->err);
	warnings_terminate(s);
	buf_release(&sig);
	buf_release(&man);
	return rc;
}

static int by_size_down(const void *a, const void *b)
{
	const struct item *x = *(const struct item *const *)a, *y = *(const struct item *const *)b;
	/* ties in name order: the items are in name order (check_name_collisions) */
	return x->size != y->size ? (x->size < y->size) - (x->size > y->size) : (x > y) - (x < y);
}

/* Record 1 of the custody ledger, the sealing (ledger.c), into ledger. */
static int sealing_record(struct scelle_sealer *s, const char *out, struct buf *ledger)
{
	struct record_signer rs = { s->sg.key, s->sg.cert, s->sg.chain, s->tsa, s->ntsa,
		{ s->tsa_policy, s->tsa_timeout, &s->tsa_access }, s->tsa_optional };
	struct sealing_event sealing = { out, s->seal_id, s->file_digest, s->sealed_at, &s->officer };
	return ledger_seal_prepare(&sealing, &rs, ledger, &s->err);
}

/* FORMAT.md §5.1: the officer fields are claims and the certificate is the signer.  A stated
 * name, unit or country that the certificate's subject does not bear out is said now, when
 * the officer can still correct it; verify says it again (identity.claim). */
static void warn_claims(struct scelle_sealer *s)
{
	const struct { const char *v, *what; } f[] = { { s->officer.name, "officer" },
		{ s->officer.unit, "unit" }, { s->officer.country, "country" } };
	char *subject = NULL;
	for (size_t k = 0; s->sg.cert && k < sizeof(f) / sizeof(f[0]); k++) {
		const char *v = f[k].v;
		if (!v || claim_in_subject(X509_get_subject_name(s->sg.cert), v))
			continue;
		if (!subject && !(subject = cert_subject(s->sg.cert)))
			break;
		sealer_warn(s, "identity.claim: stated %s '%s' is not in the signing certificate '%s': "
		    "the certificate is the signer, the stated name only a claim", f[k].what, v, subject);
	}
	free(subject);
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* seal_archive, phase "digests": the digest algorithms of the items (g->md) and
 * one block for all their hex digests (s->hex_store, see item_hex). */
static int prepare_digests(struct scelle_sealer *s, struct sealing *g)
{
	size_t stride = 0;
	for (size_t i = 0; i < s->ndigests; i++) {
		if (!(g->md[i] = EVP_get_digestbyname(s->digests[i])))
			return fail(s, SCELLE_E_CRYPTO, "digest %s is not available", s->digests[i]);
		s->hex_off[i] = stride;
		stride += 2 * (size_t)EVP_MD_get_size(g->md[i]) + 1;
	}
	free(s->hex_store);
	if (!(s->hex_store = calloc(s->inv.nitems, stride)))
		return fail(s, SCELLE_E_NOMEM, "out of memory");
	for (size_t i = 0; i < s->inv.nitems; i++)
		s->inv.items[i].hex = s->hex_store + i * stride;
	return SCELLE_OK;
}

/* seal_archive, phase "ledger slot": whether the custody ledger of the new archive
 * may be written at ledger_path; with --force an existing ledger is to be moved aside to
 * *aside (malloc'ed) once the new archive is complete. */
static int ledger_slot(struct scelle_sealer *s, const char *ledger_path, int flags, char **aside)
{
	struct stat lst;
	char why[sizeof(s->err.msg)];
	int rc = SCELLE_OK;
	if (!(flags & SCELLE_SEAL_FORCE) && lstat(ledger_path, &lst) == 0) {
		rc = fail(s, SCELLE_E_EXISTS, "'%s' already exists", ledger_path);
		s->err.hint = "use-force";
	} else if (lstat(ledger_path, &lst) == 0 && S_ISREG(lst.st_mode)) {
		/* A ledger is never deleted or overwritten (formats/custody.md, "Writing"): --force
		 * moves it aside under its seal identifier, once the new archive is complete. */
		if (!(*aside = ledger_aside_path(ledger_path, &s->err))) {
			snprintf(why, sizeof(why), "%s", s->err.msg);
			rc = fail(s, s->err.code, "cannot keep the custody ledger: %s", why);
		} else if (lstat(*aside, &lst) == 0)
			rc = fail(s, SCELLE_E_EXISTS, "cannot keep the custody ledger '%s': '%s' already "
			    "exists (move one of them away)", ledger_path, *aside);
	}
	return rc;
}

/* seal_archive, phase "CAdES": revocation data for the chain, the signature over
 * the manifest, then the time-stamps (B-T) or the warning that there are none. */
static int sign_cades(struct scelle_sealer *s, const struct buf *man, unsigned char **der,
    size_t *der_len)
{
	int rc;
	if (revocation_prepare(&s->sg, s->tsa_timeout, &s->err))
		return s->err.code;
	if ((rc = cades_sign_extra(s->sg.key, s->sg.cert, s->sg.chain, &s->sg.extra, man->data, man->len,
	    der, der_len, &s->err)))
		return rc;
	if (s->ntsa) {
		struct tsa_options opt = { s->tsa_policy, s->tsa_timeout, &s->tsa_access };
		int added;
		if ((rc = cades_add_timestamps(der, der_len, s->tsa, s->ntsa, &opt, s->tsa_optional,
		    &s->warnings, &added, &s->err)))
			return rc;
		warnings_terminate(s);
		if (!added)
			sealer_warn_hint(s, "stamp-later", "sealed without a time-stamp: no time-stamp "
			    "authority answered; the receiver will get INDETERMINATE until one is added");
	} else
		sealer_warn_hint(s, "need-tsa", "sealed without a time-stamp (no time-stamp authority "
		    "given): the receiver will get INDETERMINATE until one is added");
	return SCELLE_OK;
}

int seal_archive(struct scelle_sealer *s, const char *out, int flags)
{
	struct out_file o;
	struct sealing g = { 0 };
	struct buf ev = { 0 }, man = { 0 }, sig = { 0 }, ledger = { 0 };
	struct item **order = NULL;
	char *ledger_path = NULL, *aside = NULL;
	unsigned char *der = NULL, md[32];
	size_t der_len = 0;
	int rc;

	scerr_clear(&s->err);
	s->warnings.len = 0;
	memset(s->warning_hint, 0, sizeof(s->warning_hint));
	s->seal_id[0] = s->file_digest[0] = '\0';
	if (!s->sg.key)
		return fail(s, SCELLE_E_USAGE, "no signing key given");
	if (!s->inv.nitems)
		return fail(s, SCELLE_E_USAGE, "nothing to seal");
	warn_claims(s);
	if (s->item_info && item_info_attach(s->item_info, s->inv.items, s->inv.nitems, &s->err))
		return s->err.code;
	if ((rc = check_name_collisions(&s->inv, s->rename_collisions, &s->err)))
		return rc;
	sort(s->inv.folders, s->inv.nfolders, sizeof(*s->inv.folders), by_string);
	g.prog.cb = s->progress_cb;
	g.prog.arg = s->progress_arg;
	for (size_t i = 0; i < s->inv.nitems; i++)
		g.prog.total += s->inv.items[i].size;
	if ((rc = prepare_digests(s, &g)))
		return rc;
	/* doc/design.md §3: the custody ledger beside the archive starts with the sealing. */
	if (!(ledger_path = ledger_path_for(out)))
		return fail(s, SCELLE_E_NOMEM, "out of memory");
	char why[sizeof(s->err.msg)];
	if ((rc = ledger_slot(s, ledger_path, flags, &aside))) {
		free(aside);
		free(ledger_path);
		return rc;
	}
	if (out_open(&o, out, flags & SCELLE_SEAL_FORCE, &s->err)) {
		out_abort(&o);	/* frees what out_open had allocated */
		free(aside);
		free(ledger_path);
		return s->err.code;
	}
	rc = SCELLE_E_NOMEM;
	s->sealed_at = time(NULL);
	g.scratch_cap = compressBound(TRIAL_BYTES);
	if (!(g.scratch = malloc(g.scratch_cap)) || !(g.z = zip_writer_new(o.fd, out, &s->err)))
		goto fail;
	if (!(g.hp = hash_pipe_new(READ_CHUNK)) || !(g.fh = file_hasher_start(o.fd, 1))) {
		scerr_set(&s->err, SCELLE_E_NOMEM, "cannot start the hashing threads");
		goto fail;
	}
	if ((g.magic = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR)) && magic_load(g.magic, NULL) != 0) {
		magic_close(g.magic);
		g.magic = NULL;
	}
	/* EN 319 162-1 §A.1: "mimetype" first, STORED, no extra field. */
	struct buf mt = { (unsigned char *)ASIC_MIMETYPE, strlen(ASIC_MIMETYPE), 0 };
	if ((rc = write_member(s, &g, "mimetype", ZIP_STORE, &mt, &s->err)))
		goto fail;
	/* Largest first: the archive's own SHA-256 (hash_thread.c) can take an entry only once
	 * its local header holds the CRC, i.e. when the entry ends; a 4 GB video written last
	 * would leave that hashing to run alone at the end.  Written first, it is hashed while
	 * the rest is read.  The order of entries has no meaning (FORMAT.md §1); evidence.xml
	 * and the manifest keep the name order. */
	struct intake_budget budget = { .text_max = s->volume ? s->volume->listing_max : LISTING_TEXT_BUDGET,
		.entries_max = LISTING_ENTRY_BUDGET, .allowed = INFLATE_BASE };
	if (!(order = reallocarray(NULL, s->inv.nitems, sizeof(*order))))
		goto fail;
	for (size_t i = 0; i < s->inv.nitems; i++)
		order[i] = &s->inv.items[i];
	sort(order, s->inv.nitems, sizeof(*order), by_size_down);
	for (size_t i = 0; i < s->inv.nitems; i++) {
		struct sealed_copy copy = { .fd = -1 };
		if ((rc = seal_item(s, &g, order[i])))
			goto fail;
		/* A container is listed from its copy in the archive (doc/design.md §5: one read). */
		if (intake_is_container(order[i])) {
			if ((rc = writes_drain(s, &g)))
				goto fail;
			if (zip_writer_flush(g.z, &s->err))	/* read back below */
				goto fail;
			copy.fd = o.fd;
			zip_last_entry(g.z, &copy.off, &copy.size, &copy.method);
		}
		intake_examine(&s->limits, order[i], g.magic, &copy, &budget);
		if (hash_pipe_failed(g.hp) && (rc = writes_drain(s, &g)))	/* a full disk */
			goto fail;
	}
	/* evidence.xml needs every item's digests, and the writer is needed here. */
	if ((rc = writes_drain(s, &g)))
		goto fail;
	if (s->xades) {
		if ((rc = write_xades_members(s, &g, &ev)))
			goto fail;
		goto finish;
	}
	if (s->volume && s->volume->set_xml.len && (rc = write_member(s, &g, VOLUME_SET_XML,
	    ZIP_DEFLATE, &s->volume->set_xml, &s->err)))	/* the last volume's (FORMAT.md §13) */
		goto fail;
	if ((rc = write_xml_members(s, &g, &ev, &man)))
		goto fail;
	SHA256(man.data, man.len, md);
	hex_encode(md, 32, s->seal_id);
	if ((rc = sign_cades(s, &man, &der, &der_len)))
		goto fail;
	sig.data = der;
	sig.len = der_len;
	if ((rc = write_member(s, &g, ASIC_SIGNATURE, ZIP_STORE, &sig, &s->err)))
		goto fail;
finish:
	if ((rc = zip_writer_finish(g.z, &s->err)))
		goto fail;
	rc = file_hasher_finish(g.fh, zip_writer_offset(g.z), s->file_digest, &s->err);
	g.fh = NULL;
	if (rc)
		goto fail;
	if ((rc = sealing_record(s, out, &ledger)))
		goto fail;
	if (aside && (rc = ledger_move(ledger_path, aside, &s->err))) {
		snprintf(why, sizeof(why), "%s", s->err.msg);
		rc = fail(s, rc, "cannot keep the custody ledger: %s", why);
		goto fail;
	}
	if ((rc = out_commit(&o, out, flags & SCELLE_SEAL_FORCE, &s->err))) {
		rc = s->err.code;
		if (aside)	/* the old archive stays: its ledger goes back beside it */
			ledger_move(aside, ledger_path, &(struct scerr){ 0 });
		goto done;
	}
	if (aside)
		sealer_warn(s, "the custody ledger of the replaced archive was moved to '%s'", aside);
	/* All or nothing: an archive whose sealing record is lost is not kept. */
	if ((rc = ledger_write_new(ledger_path, &ledger, (flags & SCELLE_SEAL_FORCE) && !aside, &s->err))) {
		snprintf(why, sizeof(why), "%s", s->err.msg);
		unlink(out);
		rc = fail(s, rc, "cannot write the custody ledger: %s; '%s' was not kept", why, out);
		s->seal_id[0] = s->file_digest[0] = '\0';
	}
	goto done;
fail:
	if (!s->err.code)
		scerr_set(&s->err, rc ? rc : SCELLE_E_NOMEM, "out of memory");
	rc = s->err.code;
	hash_pipe_free(g.hp);	/* its thread may be writing to the file */
	g.hp = NULL;
	file_hasher_abort(g.fh);	/* before the file it reads is closed */
	g.fh = NULL;
	out_abort(&o);
	s->seal_id[0] = s->file_digest[0] = '\0';
done:
	if (g.magic)
		magic_close(g.magic);
	hash_pipe_free(g.hp);
	zip_writer_free(g.z);
	free(g.scratch);
	free(order);
	OPENSSL_free(der);
	buf_release(&ev);
	buf_release(&man);
	buf_release(&ledger);
	free(ledger_path);
	free(aside);
	return rc;
}

/* The warnings stay a C string: a NUL just past len. */
static void warnings_terminate(struct scelle_sealer *s)
{
	if (s->warnings.len && buf_append(&s->warnings, "", 1) == 0)
		s->warnings.len--;
}

/* A line of warning, already translated, with its hint (or NULL): the sealer's own and
 * the signer's (crypto.h) alike. */
static void sealer_warn_line(void *arg, const char *hint, const char *line)
{
	struct scelle_sealer *s = arg;
	size_t n = 0;
	for (size_t i = 0; i < s->warnings.len; i++)	/* the lines before this one */
		n += s->warnings.data[i] == '\n';
	if (n < sizeof(s->warning_hint) / sizeof(s->warning_hint[0]))
		s->warning_hint[n] = hint;
	buf_append(&s->warnings, line, strlen(line));
	buf_append(&s->warnings, "\n", 1);
	warnings_terminate(s);
}

/* Appends a line to the sealer's warnings with its hint (scelle_sealer_warning_hint). */
static void sealer_warn_hint(struct scelle_sealer *s, const char *hint, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), L_(fmt), ap);
	va_end(ap);
	sealer_warn_line(s, hint, line);
}

const char *scelle_sealer_warning_hint(const struct scelle_sealer *s, size_t line)
{
	return line < sizeof(s->warning_hint) / sizeof(s->warning_hint[0]) ? s->warning_hint[line] : NULL;
}

const char *scelle_sealer_warnings(const struct scelle_sealer *s)
{
	return s->warnings.len ? (const char *)s->warnings.data : NULL;
}

void scelle_sealer_set_compress(struct scelle_sealer *s, int mode)
{
	s->compress = mode;
}

int scelle_sealer_set_signature(struct scelle_sealer *s, const char *format)
{
	if (strcmp(format, "cades") == 0)
		s->xades = 0;
	else if (strcmp(format, "xades") == 0)
		s->xades = 1;
	else
		return fail(s, SCELLE_E_USAGE, "unknown signature format '%s' (use cades or xades)", format);
	return SCELLE_OK;
}

const char *scelle_sealer_seal_id(const struct scelle_sealer *s)
{
	return s->seal_id[0] ? s->seal_id : NULL;
}

const char *scelle_sealer_file_digest(const struct scelle_sealer *s)
{
	return s->file_digest[0] ? s->file_digest : NULL;
}
