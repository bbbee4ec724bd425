/* hash_thread.c — hashing on the second core (doc/design.md §6.6: bounded by SHA-256, not by
 * our code).
 *
 * hash_pipe: the caller reads data into one of a few fixed buffers (small items packed
 * one after another), hands it to a worker thread that runs the digests over it, and
 * meanwhile does CRC-32 and the write on the very same buffer: no copy, and memory stays
 * at HP_BUFS buffers whatever the item size.  Jobs are done in order, so one set of digest
 * contexts is enough.  hash_pipe_item hands over a whole small item and work of the
 * caller's to do on it once hashed: the sealer writes small items to the archive there.
 *
 * file_hasher: SHA-256 of a file that is still being written, trailing the writer.  The
 * writer says how far the file is final (a ZIP local header is patched when its entry
 * ends); the thread reads up to there while the bytes are still in the page cache: through
 * mmap for the archive being written (writeback), with pread otherwise.  With writeback,
 * it also starts writing the hashed range to disk (sync_file_range), so that the final
 * fsync has little left to do. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <openssl/evp.h>
#include "internal.h"

_Static_assert(HP_MD_SIZE >= EVP_MAX_MD_SIZE, "digest buffers too small");

/* ---------------------------------------------------------------- hash_pipe ---- */

enum { JOB_BEGIN, JOB_DATA, JOB_END, JOB_ITEM };

/* JOB_ITEM is BEGIN, DATA and END at once, then the caller's function: a small item in
 * one job, not four (the lock and the queue once per item). */
struct hp_job {
	int kind;
	const unsigned char *p;	/* JOB_DATA, JOB_ITEM */
	size_t n;
	int slot;		/* the buffer of p, whose count drops when done */
	hash_done_fn done;	/* JOB_END, JOB_ITEM */
	hash_call_fn call;	/* JOB_ITEM, or NULL */
	void *ctx, *arg;
};

/* Small items are packed into the buffers, a job each (JOB_ITEM): the queue holds a few
 * buffers' worth.  The worker is woken once HP_WAKE_BYTES or HP_WAKE_JOBS
 * wait, or when the caller itself waits: a wake-up per 4 KB thumbnail cost more than its
 * hashing. */
#define HP_QUEUE 1024
#define HP_WAKE_JOBS (HP_QUEUE / 4)
#define HP_WAKE_BYTES (256u << 10)

struct hash_pipe {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t work;	/* the worker waits for jobs */
	pthread_cond_t done;	/* the caller waits for room, a buffer or a ticket */
	const EVP_MD *md[HP_MAX_MD];
	EVP_MD_CTX *ctx[HP_MAX_MD];
	size_t nmd;		/* set by hash_pipe_begin, read by the worker at JOB_BEGIN */
	const EVP_MD *pending_md[HP_QUEUE][HP_MAX_MD];
	size_t pending_n[HP_QUEUE];
	struct hp_job q[HP_QUEUE];
	size_t head, tail;	/* q[head..tail) waits; indices grow without bound */
	size_t queued;		/* bytes of the JOB_DATA in q[head..tail) */
	int idle;		/* the worker waits for a job */
	int waiting;		/* the caller waits: woken when a buffer is released, the queue
				 * is half empty or head reaches `until` (not per job: 100,000
				 * thumbnails made that 15,000 context switches) */
	uint64_t until;
	unsigned char *buf[HP_BUFS];
	unsigned busy[HP_BUFS];	/* JOB_DATA and JOB_ITEM in the buffer, not yet done */
	size_t next;		/* the buffer being filled */
	size_t fill;		/* bytes of it already handed over */
	size_t bufsize;
	int stop, failed;
};

static void *hp_main(void *arg)
{
	struct hash_pipe *p = arg;
	int bad = 0;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (p->head == p->tail && !p->stop) {
			p->idle = 1;
			pthread_cond_wait(&p->work, &p->mu);
			p->idle = 0;
		}
		if (p->stop)
			break;
		size_t at = p->head % HP_QUEUE;
		struct hp_job j = p->q[at];
		pthread_mutex_unlock(&p->mu);
		if (j.kind == JOB_BEGIN || j.kind == JOB_ITEM) {
			p->nmd = p->pending_n[at];
			for (size_t i = 0; i < p->nmd; i++) {
				p->md[i] = p->pending_md[at][i];
				if (!p->ctx[i] && !(p->ctx[i] = EVP_MD_CTX_new()))
					bad = 1;
				else if (!EVP_DigestInit_ex(p->ctx[i], p->md[i], NULL))
					bad = 1;
			}
		}
		if (j.kind == JOB_DATA || j.kind == JOB_ITEM)
			for (size_t i = 0; i < p->nmd && !bad; i++)
				EVP_DigestUpdate(p->ctx[i], j.p, j.n);
		if (j.kind == JOB_END || j.kind == JOB_ITEM) {
			unsigned char md[HP_MAX_MD][HP_MD_SIZE];
			unsigned int len[HP_MAX_MD] = { 0 };
			for (size_t i = 0; i < p->nmd; i++)
				if (bad || !EVP_DigestFinal_ex(p->ctx[i], md[i], &len[i]))
					bad = 1;
			if (!bad)
				j.done(j.arg, md, len, p->nmd);
		}
		if (j.kind == JOB_ITEM && j.call && !bad && j.call(j.ctx, j.arg, j.p, j.n))
			bad = 1;
		pthread_mutex_lock(&p->mu);
		p->failed |= bad;
		if (j.kind == JOB_DATA || j.kind == JOB_ITEM)
			p->queued -= j.n;
		int released = (j.kind == JOB_DATA || j.kind == JOB_ITEM) && j.n && --p->busy[j.slot] == 0;
		p->head++;
		if (p->waiting && (released || p->tail - p->head <= HP_QUEUE / 2 || p->head >= p->until))
			pthread_cond_signal(&p->done);
	}
	pthread_cond_signal(&p->done);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

struct hash_pipe *hash_pipe_new(size_t bufsize)
{
	struct hash_pipe *p = xcalloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->bufsize = bufsize;
	for (size_t i = 0; i < HP_BUFS; i++) {
		/* page-aligned: read() into it copies whole pages */
		if (posix_memalign((void **)&p->buf[i], 4096, bufsize) != 0) {
			p->buf[i] = NULL;
			goto fail;
		}
	}
	if (pthread_mutex_init(&p->mu, NULL) != 0)
		goto fail;
	if (pthread_cond_init(&p->work, NULL) != 0) {
		pthread_mutex_destroy(&p->mu);
		goto fail;
	}
	if (pthread_cond_init(&p->done, NULL) != 0) {
		pthread_cond_destroy(&p->work);
		pthread_mutex_destroy(&p->mu);
		goto fail;
	}
	if (pthread_create(&p->thread, NULL, hp_main, p) != 0) {
		pthread_cond_destroy(&p->done);
		pthread_cond_destroy(&p->work);
		pthread_mutex_destroy(&p->mu);
		goto fail;
	}
	return p;
fail:
	for (size_t i = 0; i < HP_BUFS; i++)
		free(p->buf[i]);
	free(p);
	return NULL;
}

/* Under the lock: the caller waits until the worker has done what it waits for (until: a
 * ticket, or UINT64_MAX for a released buffer or room in the queue).  The worker must not
 * sleep on queued jobs meanwhile. */
static void hp_await(struct hash_pipe *p, uint64_t until)
{
	if (p->idle && p->head != p->tail)
		pthread_cond_signal(&p->work);
	p->waiting = 1;
	p->until = until;
	pthread_cond_wait(&p->done, &p->mu);
	p->waiting = 0;
}

/* Queues a job (with its digest list, for JOB_BEGIN); waits while the queue is full. */
static void hp_push(struct hash_pipe *p, const struct hp_job *j, const EVP_MD *const *md, size_t n)
{
	pthread_mutex_lock(&p->mu);
	while (p->tail - p->head == HP_QUEUE)
		hp_await(p, UINT64_MAX);
	size_t at = p->tail % HP_QUEUE;
	/* written before the job becomes visible (tail), so the worker never sees half of it */
	p->q[at] = *j;
	if (j->kind == JOB_BEGIN || j->kind == JOB_ITEM) {
		memcpy(p->pending_md[at], md, n * sizeof(*md));
		p->pending_n[at] = n;
	}
	if (j->kind == JOB_DATA || j->kind == JOB_ITEM) {
		if (j->n)
			p->busy[j->slot]++;
		p->queued += j->n;
	}
	p->tail++;
	if (p->idle && (p->queued >= HP_WAKE_BYTES || p->tail - p->head >= HP_WAKE_JOBS))
		pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->mu);
}

int hash_pipe_begin(struct hash_pipe *p, const EVP_MD *const *md, size_t n)
{
	struct hp_job j = { .kind = JOB_BEGIN };
	if (n > HP_MAX_MD)
		return -1;
	hp_push(p, &j, md, n);
	return 0;
}

unsigned char *hash_pipe_space(struct hash_pipe *p, size_t need)
{
	if (need > p->bufsize)
		need = p->bufsize;
	if (p->bufsize - p->fill < need) {	/* does not fit: the next buffer */
		p->next = (p->next + 1) % HP_BUFS;
		p->fill = 0;
	}
	if (p->fill == 0) {	/* a buffer begun: wait until its last use is hashed */
		pthread_mutex_lock(&p->mu);
		while (p->busy[p->next])
			hp_await(p, UINT64_MAX);
		pthread_mutex_unlock(&p->mu);
	}
	return p->buf[p->next] + p->fill;
}

unsigned char *hash_pipe_buffer(struct hash_pipe *p)
{
	return hash_pipe_space(p, p->bufsize);
}

void hash_pipe_put(struct hash_pipe *p, const unsigned char *buf, size_t n)
{
	struct hp_job j = { .kind = JOB_DATA, .p = buf, .n = n, .slot = (int)p->next };
	if (buf != p->buf[p->next] + p->fill || n == 0 || n > p->bufsize - p->fill)
		return;	/* not the space given out, or nothing to hash */
	hp_push(p, &j, NULL, 0);
	p->fill += n;
}

int hash_pipe_item(struct hash_pipe *p, const EVP_MD *const *md, size_t nmd,
    const unsigned char *buf, size_t n, hash_done_fn done, hash_call_fn call, void *ctx, void *arg)
{
	struct hp_job j = { .kind = JOB_ITEM, .p = buf, .n = n, .slot = (int)p->next, .done = done,
		.call = call, .ctx = ctx, .arg = arg };
	if (nmd > HP_MAX_MD || (n && (buf != p->buf[p->next] + p->fill || n > p->bufsize - p->fill)))
		return -1;	/* not the space given out */
	hp_push(p, &j, md, nmd);
	p->fill += n;
	return 0;
}

void hash_pipe_end(struct hash_pipe *p, hash_done_fn done, void *arg)
{
	struct hp_job j = { .kind = JOB_END, .done = done, .arg = arg };
	hp_push(p, &j, NULL, 0);
}

int hash_pipe_failed(struct hash_pipe *p)
{
	pthread_mutex_lock(&p->mu);
	int failed = p->failed;
	pthread_mutex_unlock(&p->mu);
	return failed;
}

uint64_t hash_pipe_ticket(struct hash_pipe *p)
{
	pthread_mutex_lock(&p->mu);
	uint64_t t = p->tail;
	pthread_mutex_unlock(&p->mu);
	return t;
}

int hash_pipe_wait(struct hash_pipe *p, uint64_t ticket)
{
	pthread_mutex_lock(&p->mu);
	while (p->head < ticket)
		hp_await(p, ticket);
	int failed = p->failed;
	pthread_mutex_unlock(&p->mu);
	return failed ? -1 : 0;
}

void hash_pipe_free(struct hash_pipe *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thread, NULL);
	pthread_cond_destroy(&p->done);
	pthread_cond_destroy(&p->work);
	pthread_mutex_destroy(&p->mu);
	for (size_t i = 0; i < HP_MAX_MD; i++)
		EVP_MD_CTX_free(p->ctx[i]);
	for (size_t i = 0; i < HP_BUFS; i++)
		free(p->buf[i]);
	free(p);
}

/* -------------------------------------------------------------- file_hasher ---- */

#define FH_CHUNK (1u << 20)
#define FH_MAP (4u << 20)	/* mapped at a time: the pages are in the cache, just written */
#define FH_WRITEBACK (8u << 20)	/* start writeback once this much is hashed */
#define FH_WAKE (1u << 20)	/* wake the thread once this much more is final */

struct file_hasher {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int fd, writeback;
	uint64_t final;		/* bytes before this offset will not change */
	uint64_t woken;		/* final when the thread was last woken */
	uint64_t hashed;	/* bytes hashed so far (worker only, read after join) */
	int last;		/* final is the end of the file */
	int stop;
	int err;		/* errno of a failed read, or -1 for an OpenSSL failure */
	unsigned char md[32];
};

/* Hashes up to FH_MAP bytes from h->hashed towards target straight from the page cache,
 * without pread's copy.  Only for the archive being written (writeback): a file someone
 * else could truncate under the mapping would kill us with SIGBUS.  Returns the bytes
 * hashed, or -1 when mmap refuses (then pread does it); *err on a digest failure. */
static ssize_t fh_map(struct file_hasher *h, EVP_MD_CTX *ctx, uint64_t target, int *err)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t start = h->hashed - h->hashed % (uint64_t)page, want = target - h->hashed;
	size_t lead = (size_t)(h->hashed - start), n = want < FH_MAP ? (size_t)want : FH_MAP;
	void *p = mmap(NULL, lead + n, PROT_READ, MAP_SHARED | MAP_POPULATE, h->fd, (off_t)start);
	if (p == MAP_FAILED)
		return -1;
	if (!EVP_DigestUpdate(ctx, (unsigned char *)p + lead, n))
		*err = -1;
	munmap(p, lead + n);
	return (ssize_t)n;
}

static void *fh_main(void *arg)
{
	struct file_hasher *h = arg;
	unsigned char *buf = NULL;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint64_t synced = 0;
	int err = 0;
	if (posix_memalign((void **)&buf, 4096, FH_CHUNK) != 0)
		buf = NULL;
	if (!buf || !ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		err = -1;
	for (;;) {
		pthread_mutex_lock(&h->mu);
		while (!h->stop && !err && h->hashed >= h->final && !h->last)
			pthread_cond_wait(&h->cv, &h->mu);
		uint64_t target = h->final;
		int last = h->last, stop = h->stop;
		pthread_mutex_unlock(&h->mu);
		if (stop || err)
			break;
		while (h->hashed < target && !err) {
			ssize_t r = h->writeback ? fh_map(h, ctx, target, &err) : -1;
			if (err)
				break;
			if (r < 0) {	/* not our own file, or mmap refused: copy it out */
				size_t want = target - h->hashed < FH_CHUNK ? (size_t)(target - h->hashed) : FH_CHUNK;
				r = pread(h->fd, buf, want, (off_t)h->hashed);
				if (r < 0 && errno == EINTR)
					continue;
				if (r <= 0) {
					err = r < 0 ? errno : EIO;	/* the file is shorter than said */
					break;
				}
				EVP_DigestUpdate(ctx, buf, (size_t)r);
			}
			h->hashed += (uint64_t)r;
			if (h->writeback && h->hashed - synced >= FH_WRITEBACK) {
				sync_file_range(h->fd, (off_t)synced, (off_t)(h->hashed - synced),
				    SYNC_FILE_RANGE_WRITE);
				synced = h->hashed;
			}
		}
		if (last && h->hashed >= target && !err) {
			if (!EVP_DigestFinal_ex(ctx, h->md, NULL))
				err = -1;
			break;
		}
	}
	pthread_mutex_lock(&h->mu);
	h->err = err;
	h->last = 2;	/* done */
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
	EVP_MD_CTX_free(ctx);
	free(buf);
	return NULL;
}

struct file_hasher *file_hasher_start(int fd, int writeback)
{
	struct file_hasher *h = xcalloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->fd = fd;
	h->writeback = writeback;
	if (pthread_mutex_init(&h->mu, NULL) != 0) {
		free(h);
		return NULL;
	}
	if (pthread_cond_init(&h->cv, NULL) != 0) {
		pthread_mutex_destroy(&h->mu);
		free(h);
		return NULL;
	}
	if (pthread_create(&h->thread, NULL, fh_main, h) != 0) {
		pthread_cond_destroy(&h->cv);
		pthread_mutex_destroy(&h->mu);
		free(h);
		return NULL;
	}
	return h;
}

void file_hasher_advance(struct file_hasher *h, uint64_t final)
{
	pthread_mutex_lock(&h->mu);
	if (final > h->final) {
		h->final = final;
		/* Waking the thread for every small entry would cost more than the hashing. */
		if (final - h->woken >= FH_WAKE) {
			h->woken = final;
			pthread_cond_broadcast(&h->cv);
		}
	}
	pthread_mutex_unlock(&h->mu);
}

static void fh_join(struct file_hasher *h)
{
	pthread_join(h->thread, NULL);
	pthread_cond_destroy(&h->cv);
	pthread_mutex_destroy(&h->mu);
}

int file_hasher_finish(struct file_hasher *h, uint64_t end, char hex[65], struct scerr *e)
{
	pthread_mutex_lock(&h->mu);
	if (end > h->final)
		h->final = end;
	if (!h->last)
		h->last = 1;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
	fh_join(h);
	int rc = 0;
	if (h->err || h->hashed != end) {
		scerr_set(e, SCELLE_E_IO, "cannot read the archive: %s",
		    h->err > 0 ? strerror(h->err) : h->err ? L_("digest failed") : L_("file changed size"));
		rc = -1;
	} else
		hex_encode(h->md, 32, hex);
	free(h);
	return rc;
}

void file_hasher_abort(struct file_hasher *h)
{
	if (!h)
		return;
	pthread_mutex_lock(&h->mu);
	h->stop = 1;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
	fh_join(h);
	free(h);
}
