/* out_file.c — how every archive we write comes into being: complete or not at all
 * (doc/design.md §6.2).  Shared by the sealer and by stamp. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/rand.h>
#include "container.h"
#include "internal.h"

/* No half archive: an unnamed O_TMPFILE in the target folder, linked in only when
 * complete, so that not even a temporary file survives a kill; where the file system
 * lacks O_TMPFILE, a named temporary file that is linked or renamed into place. */
int out_open(struct out_file *o, const char *out, int force, struct scerr *e)
{
	struct stat st;
	char *copy = xstrdup(out);
	memset(o, 0, sizeof(*o));
	o->fd = -1;
	if (!copy || !(o->dir = xstrdup(dirname(copy)))) {
		free(copy);
		scerr_set(e, SCELLE_E_NOMEM, "out of memory");
		return -1;
	}
	free(copy);
	if (!force && lstat(out, &st) == 0) {
		scerr_set(e, SCELLE_E_EXISTS, "'%s' already exists", out);
		e->hint = "use-force";
		goto fail;
	}
	if (stat(o->dir, &st) != 0) {
		scerr_set(e, SCELLE_E_IO, "cannot write '%s': %s", out, strerror(errno));
		goto fail;
	}
	if (!S_ISDIR(st.st_mode)) {
		scerr_set(e, SCELLE_E_IO, "cannot write '%s': not a folder", out);
		goto fail;
	}
	o->fd = open(o->dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0644);
	if (o->fd >= 0) {
		o->tmpfile = 1;
		return 0;
	}
	size_t n = strlen(out) + 16;
	if (!(o->tmp = malloc(n))) {
		scerr_set(e, SCELLE_E_NOMEM, "out of memory");
		goto fail;
	}
	snprintf(o->tmp, n, "%s.tmp.XXXXXX", out);
	o->fd = mkostemp(o->tmp, O_CLOEXEC);
	if (o->fd < 0) {
		scerr_set(e, SCELLE_E_IO, "cannot write '%s': %s", out, strerror(errno));
		free(o->tmp);
		o->tmp = NULL;
		goto fail;
	}
	fchmod(o->fd, 0644);
	return 0;
fail:
	out_abort(o);
	return -1;
}

void out_abort(struct out_file *o)
{
	if (o->fd >= 0)
		close(o->fd);
	if (o->tmp)
		unlink(o->tmp);
	free(o->tmp);
	free(o->dir);
	o->fd = -1;
	o->tmp = o->dir = NULL;
}

int out_commit(struct out_file *o, const char *out, int force, struct scerr *e)
{
	int rc = -1;
	if (fsync(o->fd) != 0) {
		scerr_set(e, SCELLE_E_IO, "cannot write '%s': %s", out, strerror(errno));
		goto done;
	}
	if (o->tmpfile) {
		char proc[64];
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", o->fd);
		/* linkat refuses to replace an existing file: no overwrite race.  To replace one
		 * (--force, or a ledger gaining a record), link under a fresh name and rename
		 * over it, so that the old file stays whole until the new one takes its place. */
		const char *name = out;
		char tmp[4096];
		if (force) {
			unsigned char r[8];
			RAND_bytes(r, sizeof(r));
			if (snprintf(tmp, sizeof(tmp), "%s.tmp.%02x%02x%02x%02x%02x%02x", out, r[0], r[1], r[2],
			    r[3], r[4], r[5]) >= (int)sizeof(tmp)) {
				scerr_set(e, SCELLE_E_IO, "cannot write '%s': name too long", out);
				goto done;
			}
			name = tmp;
		}
		if (linkat(AT_FDCWD, proc, AT_FDCWD, name, AT_SYMLINK_FOLLOW) != 0 ||
		    (force && rename(name, out) != 0 && (unlink(name), 1))) {
			scerr_set(e, errno == EEXIST ? SCELLE_E_EXISTS : SCELLE_E_IO,
			    "cannot write '%s': %s", out, strerror(errno));
			goto done;
		}
	} else if (force ? rename(o->tmp, out) != 0 : link(o->tmp, out) != 0) {
		scerr_set(e, errno == EEXIST ? SCELLE_E_EXISTS : SCELLE_E_IO, "cannot write '%s': %s",
		    out, strerror(errno));
		goto done;
	}
	int dfd = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	rc = 0;
done:
	out_abort(o);	/* closes; removes the named temporary (already linked or renamed) */
	return rc;
}
