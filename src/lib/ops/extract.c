/* extract.c — writes the items of a verified archive into a folder, never outside it.
 *
 * No name from an archive is trusted (doc/design.md §6.3): every item path is checked
 * component by component ('..', '.', absolute, empty, backslash, control characters), every
 * folder on the way is opened with O_NOFOLLOW relative to its parent (openat), so neither a
 * crafted name nor a symbolic link planted in the target can lead a write elsewhere, and
 * every file is created with O_EXCL|O_NOFOLLOW: nothing is ever overwritten.  The bytes
 * written are hashed again and compared with the SHA-256 the verification recorded, so an
 * archive swapped between verification and extraction is caught.
 *
 * The entries are read as verify read them (zip_check.c): through the central directory,
 * under its names, from the bytes its records point at.  Pass 1 reads only the ZIP
 * headers: every selected item must be there once, as a regular file, and no target may
 * exist yet; only then does pass 2 write anything. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include "container.h"
#include "verify_ctx.h"

#define PAYLOAD_DIR "data" /* RFC 8493 §2.1.2 */

struct target {
	const struct scelle_item *item;
	const char *rel;	/* path below the root: the item path without "evidence/" */
	int seen;		/* found in pass 1 */
	const struct zip_dirent *d;	/* its central directory record */
	char sha256[65];	/* of the bytes written */
};

struct xctx {
	struct scerr *e;
	const struct scelle_result *r;
	int flags;
	int root;		/* the folder given, or its data/ for a bag */
	struct target *t;
	size_t nt;
	uint64_t bytes;
};

/* Opens the folder that holds rel's last component, walking from root without following
 * any link; creates missing folders when create is set.  Returns the fd, -2 when a folder
 * is missing and create is not set, -1 on error.  *leaf points into rel. */
static int open_parent(struct xctx *x, const char *rel, int create, const char **leaf)
{
	int fd = dup(x->root);
	const char *p = rel;
	char comp[4096];

	if (fd < 0) {
		scerr_set(x->e, SCELLE_E_IO, "cannot open the target folder: %s", strerror(errno));
		return -1;
	}
	for (const char *slash; (slash = strchr(p, '/')) != NULL; p = slash + 1) {
		size_t n = (size_t)(slash - p);
		if (n >= sizeof(comp)) {
			close(fd);
			scerr_set(x->e, SCELLE_E_LIMIT, "path too long: '%s'", rel);
			return -1;
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		int sub = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0 && errno == ENOENT) {
			if (!create) {
				close(fd);
				return -2;
			}
			if (mkdirat(fd, comp, 0777) != 0 && errno != EEXIST) {
				scerr_set(x->e, SCELLE_E_IO, "cannot create folder '%.*s': %s",
				    (int)(slash - rel), rel, strerror(errno));
				close(fd);
				return -1;
			}
			sub = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (sub < 0) {
			int err = errno;
			close(fd);
			if (err == ELOOP || err == ENOTDIR)
				scerr_set(x->e, SCELLE_E_EXISTS, "refusing to write through '%.*s': not a folder "
				    "(a symbolic link?)", (int)(slash - rel), rel);
			else
				scerr_set(x->e, SCELLE_E_IO, "cannot open folder '%.*s': %s", (int)(slash - rel),
				    rel, strerror(err));
			return -1;
		}
		close(fd);
		fd = sub;
	}
	*leaf = p;
	return fd;
}

/* A target that already exists (as anything, a link included) is never overwritten. */
static int must_not_exist(struct xctx *x, const char *rel)
{
	const char *leaf;
	struct stat st;
	int fd = open_parent(x, rel, 0, &leaf);
	if (fd == -2)
		return 0;
	if (fd < 0)
		return -1;
	int exists = fstatat(fd, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0;
	close(fd);
	if (exists) {
		scerr_set(x->e, SCELLE_E_EXISTS, "'%s' exists; not overwriting", rel);
		return -1;
	}
	return 0;
}

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Where an item goes below the root: its archive name without "evidence/", or, when the
 * sealer had to escape a name that was not UTF-8 (names.c), the original bytes from
 * evidence.xml <originalName>, so that a Latin-1 name from a seizure comes back byte for
 * byte.  The original is used only when escaping it gives the archive name again (a
 * mismatched <originalName> cannot redirect a write) and when it is itself a safe path;
 * a control character or a bag (RFC 8493 §2.1.3 manifests are UTF-8) keeps the escape. */
static const char *restored_name(const struct xctx *x, const struct scelle_item *it)
{
	const char *rel = it->path + strlen(EVIDENCE_DIR), *orig = it->original_name;
	if (orig && !(x->flags & SCELLE_EXTRACT_BAGIT) && !unsafe_path(orig) && name_is_escape_of(rel, orig))
		return orig;
	return rel;
}

static int cmp_rel(const void *a, const void *b)
{
	return strcmp(((const struct target *)a)->item->path, ((const struct target *)b)->item->path);
}

static struct target *find_target(struct xctx *x, const char *name)
{
	struct scelle_item key_item = { .path = name };
	struct target key = { .item = &key_item };
	if (!x->nt)	/* bsearch, as qsort, takes no NULL array */
		return NULL;
	return bsearch(&key, x->t, x->nt, sizeof(*x->t), cmp_rel);
}

static int prefix_match(const char *sel, size_t n, const char *path)
{
	return strncmp(sel, path, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* ITEM on the command line: the archive path, or the same without "evidence/", or a
 * folder of either. */
static int selects(const char *sel, const char *path)
{
	size_t n = strlen(sel), pre = strlen(EVIDENCE_DIR);
	while (n > 1 && sel[n - 1] == '/')
		n--;
	return prefix_match(sel, n, path) ||
	    (strncmp(path, EVIDENCE_DIR, pre) == 0 && prefix_match(sel, n, path + pre));
}

static int choose(struct xctx *x, const char *const *sel, size_t nsel)
{
	size_t n = scelle_result_item_count(x->r);
	char *matched = calloc(nsel + 1, 1);
	if (!(x->t = xcalloc(n + 1, sizeof(*x->t))) || !matched) {
		free(matched);
		scerr_set(x->e, SCELLE_E_NOMEM, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct scelle_item *it = scelle_result_item(x->r, i);
		int take = nsel == 0;
		for (size_t s = 0; s < nsel; s++)
			if (it->path && selects(sel[s], it->path))
				take = matched[s] = 1;
		if (!take)
			continue;
		const char *why = it->path ? unsafe_path(it->path) : L_("no name");
		if (!why && strncmp(it->path, EVIDENCE_DIR, strlen(EVIDENCE_DIR)) != 0)
			why = L_("not under evidence/");
		if (why) {
			scerr_set(x->e, SCELLE_E_INPUT, "refusing to extract '%s': %s", it->path ? it->path : "",
			    why);
			free(matched);
			return -1;
		}
		x->t[x->nt].item = it;
		x->t[x->nt++].rel = restored_name(x, it);
	}
	for (size_t s = 0; s < nsel; s++) {
		if (!matched[s]) {
			scerr_set(x->e, SCELLE_E_USAGE, "no item '%s' in the archive", sel[s]);
			free(matched);
			return -1;
		}
	}
	free(matched);
	sort(x->t, x->nt, sizeof(*x->t), cmp_rel);
	for (size_t i = 1; i < x->nt; i++) {
		if (strcmp(x->t[i - 1].item->path, x->t[i].item->path) == 0) {
			scerr_set(x->e, SCELLE_E_INPUT, "refusing to extract '%s': listed twice",
			    x->t[i].item->path);
			return -1;
		}
	}
	return 0;
}

/* The central directory, walked and judged again (the file may have changed since it was
 * verified); with SCELLE_EXTRACT_FORCE, what could be walked of a damaged one. */
static int read_dir(struct xctx *x, int fd, struct zip_dir *dir)
{
	struct scelle_result *r = result_new();
	struct stat st;
	int rc = -1;
	if (!r) {
		scerr_set(x->e, SCELLE_E_NOMEM, "out of memory");
		return -1;
	}
	if (fstat(fd, &st) != 0)
		scerr_set(x->e, SCELLE_E_IO, "cannot read the archive: %s", strerror(errno));
	else if (zip_check(fd, (uint64_t)st.st_size, r, dir) == 0 || (x->flags & SCELLE_EXTRACT_FORCE))
		rc = 0;
	else {
		const char *why = "damaged";
		for (size_t i = 0; i < r->nchecks; i++)
			if (r->checks[i].status == SCELLE_FAILED) {
				why = r->checks[i].message;
				break;
			}
		scerr_set(x->e, SCELLE_E_FORMAT, "the ZIP structure is damaged: %s", why);
	}
	scelle_result_free(r);
	return rc;
}

/* Pass 1: headers only.  Every selected item once, as a regular file (a link entry would
 * make a naive extractor write through it). */
static int check_entries(struct xctx *x, const struct zip_dir *dir)
{
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < dir->n; i++) {
		const struct zip_dirent *d = &dir->e[i];
		struct target *t = find_target(x, d->name);
		if (!t)
			continue;
		if (d->not_file) {
			scerr_set(x->e, SCELLE_E_INPUT, "refusing to extract '%s': %s", t->item->path,
			    d->not_file == 1 ? L_("a symbolic link entry") : L_("not a regular file"));
			rc = -1;
		} else if (t->seen++) {
			scerr_set(x->e, SCELLE_E_INPUT, "refusing to extract '%s': two entries of that name",
			    t->item->path);
			rc = -1;
		}
		t->d = d;
	}
	for (size_t i = 0; rc == 0 && i < x->nt; i++) {
		if (!x->t[i].seen) {
			scerr_set(x->e, SCELLE_E_INPUT, "'%s' is not in the archive", x->t[i].item->path);
			rc = -1;
		}
	}
	return rc;
}

/* One item: created exclusively, streamed through SHA-256, mtime set as recorded. */
static int write_item(struct xctx *x, int afd, struct target *t)
{
	const char *leaf;
	unsigned char md[32];
	char buf[65536];
	ssize_t n = -1;
	struct zip_rd *rd = NULL;
	int pfd = open_parent(x, t->rel, 1, &leaf), rc = -1;
	if (pfd < 0)
		return -1;
	/* 0444: extracted evidence is read-only, so it is not changed by accident */
	int fd = openat(pfd, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
	if (fd < 0) {
		if (errno == EEXIST)
			scerr_set(x->e, SCELLE_E_EXISTS, "'%s' exists; not overwriting", t->rel);
		else
			scerr_set(x->e, SCELLE_E_IO, "cannot create '%s': %s", t->rel, strerror(errno));
		close(pfd);
		return -1;
	}
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		scerr_ssl(x->e, SCELLE_E_CRYPTO, "cannot hash '%s'", t->rel);
		goto out;
	}
	if (!(rd = zip_rd_open(afd, t->d))) {
		scerr_set(x->e, SCELLE_E_NOMEM, "out of memory");
		goto out;
	}
	while ((n = zip_rd_read(rd, buf, sizeof(buf))) > 0) {
		if (!EVP_DigestUpdate(ctx, buf, (size_t)n) || write_all(fd, buf, (size_t)n) != 0) {
			scerr_set(x->e, SCELLE_E_IO, "cannot write '%s': %s", t->rel, strerror(errno));
			goto out;
		}
		x->bytes += (uint64_t)n;
	}
	if (n < 0) {
		scerr_set(x->e, SCELLE_E_FORMAT, "cannot read '%s' from the archive: %s", t->item->path,
		    zip_rd_error(rd));
		goto out;
	}
	EVP_DigestFinal_ex(ctx, md, NULL);
	hex_encode(md, 32, t->sha256);
	if (!(x->flags & SCELLE_EXTRACT_FORCE) &&
	    (!t->item->sha256 || strlen(t->item->sha256) != 64 ||
		CRYPTO_memcmp(t->sha256, t->item->sha256, 64) != 0)) {
		scerr_set(x->e, SCELLE_E_INPUT, "'%s' does not match the SHA-256 verified "
		    "(the archive changed since?); removed", t->item->path);
		goto out;
	}
	if (t->item->mtime) {
		struct timespec ts[2] = { { .tv_sec = t->item->mtime }, { .tv_sec = t->item->mtime } };
		if (futimens(fd, ts) != 0) {
			scerr_set(x->e, SCELLE_E_IO, "cannot set the time of '%s': %s", t->rel, strerror(errno));
			goto out;
		}
	}
	rc = 0;
out:
	zip_rd_close(rd);
	EVP_MD_CTX_free(ctx);
	if (close(fd) != 0 && rc == 0) {
		scerr_set(x->e, SCELLE_E_IO, "cannot write '%s': %s", t->rel, strerror(errno));
		rc = -1;
	}
	if (rc != 0)
		unlinkat(pfd, leaf, 0);
	close(pfd);
	return rc;
}

static int write_items(struct xctx *x, int fd, size_t *written)
{
	for (size_t i = 0; i < x->nt; i++) {
		if (write_item(x, fd, &x->t[i]) != 0)
			return -1;
		(*written)++;
	}
	return 0;
}

/* The empty folders evidence.xml records (FORMAT.md §3.7) that the selection takes: the
 * whole archive, or a folder ITEM names or holds.  Judged as item names are (choose), and
 * made as the folders on an item's way (open_parent: never through a link); one that
 * exists already as a folder is left as it is, being empty changes nothing. */
static int folder_rel(struct xctx *x, const char *path, const char **rel)
{
	size_t pre = strlen(EVIDENCE_DIR);
	const char *why = strncmp(path, EVIDENCE_DIR, pre) != 0 ? L_("not under evidence/")
	    : unsafe_path(path + pre);
	if (why) {
		scerr_set(x->e, SCELLE_E_INPUT, "refusing to extract '%s': %s", path, why);
		return -1;
	}
	*rel = path + pre;
	return 0;
}

static int folder_taken(const char *path, const char *const *sel, size_t nsel)
{
	for (size_t s = 0; s < nsel; s++)
		if (selects(sel[s], path))
			return 1;
	return nsel == 0;
}

static int write_folders(struct xctx *x, const char *const *sel, size_t nsel, int check_only)
{
	const char *path, *rel, *leaf;
	struct stat st;
	for (size_t i = 0; (path = scelle_result_folder(x->r, i)) != NULL; i++) {
		if (!folder_taken(path, sel, nsel))
			continue;
		if (folder_rel(x, path, &rel) != 0)
			return -1;
		if (check_only)
			continue;
		int fd = open_parent(x, rel, 1, &leaf);
		if (fd < 0)
			return -1;
		if (mkdirat(fd, leaf, 0777) != 0 && (errno != EEXIST ||
		    fstatat(fd, leaf, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode))) {
			scerr_set(x->e, errno == EEXIST ? SCELLE_E_EXISTS : SCELLE_E_IO,
			    "cannot create folder '%s': %s", rel, errno == EEXIST ?
			    L_("it exists and is not a folder") : strerror(errno));
			close(fd);
			return -1;
		}
		close(fd);
	}
	return 0;
}

/* ------------------------------------------------------------------ BagIt ---- */

/* A tag file value on one line: RFC 8493 §2.2.2 folds with leading whitespace, so a CR or
 * LF from the archive could forge a label; they become spaces. */
static int tag(struct buf *b, const char *label, const char *value)
{
	if (!value || !*value)
		return 0;
	if (buf_append(b, label, strlen(label)) || buf_append(b, ": ", 2))
		return -1;
	for (const char *p = value; *p; p++) {
		char c = (unsigned char)*p < 0x20 ? ' ' : *p;
		if (buf_append(b, &c, 1))
			return -1;
	}
	return buf_append(b, "\n", 1);
}

static int write_tag_file(struct xctx *x, int dirfd, const char *name, const struct buf *b)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
	if (fd < 0 || write_all(fd, b->data, b->len) != 0 || close(fd) != 0) {
		scerr_set(x->e, errno == EEXIST ? SCELLE_E_EXISTS : SCELLE_E_IO, "cannot write '%s': %s",
		    name, strerror(errno));
		return -1;
	}
	return 0;
}

/* RFC 8493 §2.1.1 bagit.txt, §2.1.3 manifest-sha256.txt, §2.2.2 bag-info.txt. */
static int write_bag_tags(struct xctx *x, int top, const char *archive)
{
	struct buf bi = { 0 }, man = { 0 };
	static const char bagit_txt[] = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n";
	const struct buf decl = { (unsigned char *)bagit_txt, sizeof(bagit_txt) - 1, 0 };
	char line[512], date[16];
	const char *a, *c, *ref;
	time_t now = time(NULL);
	struct tm tm;
	int bad = 0;

	for (size_t i = 0; i < x->nt; i++) {
		/* §2.1.3: CR, LF and % in a file path are percent-encoded */
		bad |= buf_append(&man, x->t[i].sha256, 64) || buf_append(&man, "  " PAYLOAD_DIR "/", 7);
		for (const char *p = x->t[i].rel; *p; p++) {
			if (*p == '\r' || *p == '\n' || *p == '%') {
				char enc[4];
				snprintf(enc, sizeof(enc), "%%%02X", (unsigned char)*p);
				bad |= buf_append(&man, enc, 3);
			} else
				bad |= buf_append(&man, p, 1);
		}
		bad |= buf_append(&man, "\n", 1);
	}
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d", &tm);
	bad |= tag(&bi, "Bag-Software-Agent", scelle_version_details());
	bad |= tag(&bi, "Bagging-Date", date);
	snprintf(line, sizeof(line), "%llu.%zu", (unsigned long long)x->bytes, x->nt);
	bad |= tag(&bi, "Payload-Oxum", line);
	bad |= tag(&bi, "External-Identifier", scelle_result_get(x->r, "seal_id"));
	bad |= tag(&bi, "Source-Organization", scelle_result_get(x->r, "officer_unit"));
	bad |= tag(&bi, "Contact-Name", scelle_result_get(x->r, "officer"));
	const char *base = strrchr(archive, '/') ? strrchr(archive, '/') + 1 : archive;
	snprintf(line, sizeof(line), "Evidence extracted from the sealed archive %s (%s)", base,
	    scelle_verdict_name(scelle_result_verdict(x->r)));
	bad |= tag(&bi, "External-Description", line);
	for (size_t i = 0; scelle_result_case(x->r, i, &a, &c, &ref) == 0; i++) {
		snprintf(line, sizeof(line), "%s (%s, %s)", ref ? ref : "", a ? a : "", c ? c : "");
		bad |= tag(&bi, "Case-Reference", line);
	}
	bad |= tag(&bi, "Sealed-At", scelle_result_get(x->r, "sealed_at"));
	bad |= tag(&bi, "Sealed-By", scelle_result_get(x->r, "officer"));
	bad |= tag(&bi, "Sealing-Place", scelle_result_get(x->r, "place"));
	bad |= tag(&bi, "Signer", scelle_result_get(x->r, "signer"));
	bad |= tag(&bi, "Seal-Identifier", scelle_result_get(x->r, "seal_id"));
	bad |= tag(&bi, "Archive-SHA256", scelle_result_get(x->r, "file_digest"));
	bad |= tag(&bi, "Verification-Verdict", scelle_verdict_name(scelle_result_verdict(x->r)));
	if (bad)
		scerr_set(x->e, SCELLE_E_NOMEM, "out of memory");
	else
		bad = write_tag_file(x, top, "bagit.txt", &decl) || write_tag_file(x, top, "bag-info.txt", &bi) ||
		    write_tag_file(x, top, "manifest-sha256.txt", &man);
	buf_release(&bi);
	buf_release(&man);
	return bad ? -1 : 0;
}

static int preflight(struct xctx *x, int top)
{
	static const char *const tags[] = { "bagit.txt", "bag-info.txt", "manifest-sha256.txt", PAYLOAD_DIR };
	struct stat st;
	if (x->flags & SCELLE_EXTRACT_BAGIT) {
		for (size_t i = 0; i < 4; i++) {
			if (fstatat(top, tags[i], &st, AT_SYMLINK_NOFOLLOW) == 0) {
				scerr_set(x->e, SCELLE_E_EXISTS, "'%s' exists; not overwriting", tags[i]);
				return -1;
			}
		}
		return 0; /* data/ is new, so nothing below it exists */
	}
	for (size_t i = 0; i < x->nt; i++)
		if (must_not_exist(x, x->t[i].rel) != 0)
			return -1;
	return 0;
}

int scelle_verifier_extract(struct scelle_verifier *v, const struct scelle_result *r,
    const char *archive, const char *dir, const char *const *items, size_t nitems, int flags,
    size_t *written)
{
	struct xctx x = { .root = -1, .flags = flags };
	struct zip_dir zd = { 0 };
	int afd = -1, top = -1, rc = SCELLE_E_USAGE;
	size_t count = 0;

	if (written)
		*written = 0;
	if (!v)
		return SCELLE_E_USAGE;
	x.e = &v->err;
	x.r = r;
	scerr_clear(x.e);
	if (!r || !archive || !dir || (nitems && !items)) {
		scerr_set(x.e, SCELLE_E_USAGE, "extract: missing argument");
		return SCELLE_E_USAGE;
	}
	if (scelle_result_verdict(r) == SCELLE_FAILED && !(flags & SCELLE_EXTRACT_FORCE)) {
		scerr_set(x.e, SCELLE_E_INPUT, "'%s' failed verification (TOTAL-FAILED); not extracting", archive);
		return SCELLE_E_INPUT;
	}
	if (choose(&x, items, nitems) != 0 || write_folders(&x, items, nitems, 1) != 0)
		goto out;
	if ((afd = open_input(archive, 0, NULL, x.e)) < 0)	/* never waits on a FIFO */
		goto out;
	if (read_dir(&x, afd, &zd) != 0 || check_entries(&x, &zd) != 0)
		goto out;
	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		scerr_set(x.e, SCELLE_E_IO, "cannot create '%s': %s", dir, strerror(errno));
		goto out;
	}
	if ((top = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		scerr_set(x.e, SCELLE_E_IO, "cannot open '%s': %s", dir, strerror(errno));
		goto out;
	}
	x.root = top;
	if (preflight(&x, top) != 0)
		goto out;
	if (flags & SCELLE_EXTRACT_BAGIT) {
		if (mkdirat(top, PAYLOAD_DIR, 0777) != 0 ||
		    (x.root = openat(top, PAYLOAD_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
			scerr_set(x.e, SCELLE_E_IO, "cannot create '%s/%s': %s", dir, PAYLOAD_DIR, strerror(errno));
			x.root = -1;
			goto out;
		}
	}
	if (write_items(&x, afd, &count) != 0 || write_folders(&x, items, nitems, 0) != 0)
		goto out;
	if ((flags & SCELLE_EXTRACT_BAGIT) && write_bag_tags(&x, top, archive) != 0)
		goto out;
	rc = SCELLE_OK;
out:
	if (rc != SCELLE_OK && x.e->code)
		rc = x.e->code;
	if (written)
		*written = count;
	if (x.root >= 0 && x.root != top)
		close(x.root);
	if (top >= 0)
		close(top);
	if (afd >= 0)
		close(afd);
	free(x.t);
	zip_dir_free(&zd);
	return rc;
}
