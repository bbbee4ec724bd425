/* container.h — the container layer's private header (tests/layers.py): the output file
 * that appears complete or not at all (out_file.c), the ZIP writer (zip_writer.c) and the
 * ZIP reader and checker (zip_check.c). */
#ifndef SCELLE_CONTAINER_H
#define SCELLE_CONTAINER_H
#include <sys/types.h>
#include "internal.h"

/* ------------------------------------------------------------ out_file.c ---- */
/* An output archive that appears at its path complete and fsynced, or not at all
 * (doc/design.md §6.2).  out_open: refuses an existing `out` unless force (SCELLE_E_EXISTS) and
 * opens a temporary in its folder (o->fd); on failure it has freed everything.  out_commit:
 * fsyncs and links (force: replaces) the temporary to `out`.  Both close and free the
 * temporary whatever happens; out_abort does so without publishing (safe to call twice). */
struct out_file {
	int fd;
	int tmpfile;		/* 1: O_TMPFILE, nothing on disk until linked */
	char *tmp;		/* else: the named temporary file */
	char *dir;
};
int  out_open(struct out_file *o, const char *out, int force, struct scerr *e);
int  out_commit(struct out_file *o, const char *out, int force, struct scerr *e);
void out_abort(struct out_file *o);

/* ---------------------------------------------------------- zip_writer.c ---- */
/* A streaming ZIP writer that produces what ETSI EN 319 162-1 and Java's ZipInputStream
 * need; libarchive 3.6's writer cannot (it adds extra fields and data descriptors to every
 * entry).  The output must be seekable: sizes and CRC are written back into each local
 * header, so no entry ever carries a data descriptor. */
struct zip_writer;
enum { ZIP_STORE = 0, ZIP_DEFLATE = 8,
	ZIP_DEFLATE_GAINS = -8	/* zip_entry_whole only: DEFLATE if it saves a tenth, else STORE */
};
/* `name` is the output as the user knows it, used in error messages. */
struct zip_writer *zip_writer_new(int fd, const char *name, struct scerr *e);
/* size_hint: the final uncompressed size if known, else UINT64_MAX; it decides whether the
 * local header carries a ZIP64 extra field (only when the size may reach 4 GiB). */
int zip_entry_begin(struct zip_writer *z, const char *name, int method, uint64_t size_hint,
    time_t mtime, struct scerr *e);
/* DEFLATE level (0-9) of the entry just begun; before any zip_entry_write. */
int zip_entry_level(struct zip_writer *z, int level, struct scerr *e);
int zip_entry_write(struct zip_writer *z, const void *buf, size_t n, struct scerr *e);
int zip_entry_end(struct zip_writer *z, struct scerr *e);
/* begin + write + end of an entry whose data is all in hand, in one writev; level: DEFLATE's
 * (0-9, -1: 6).  ZIP_DEFLATE_GAINS: the bytes are deflated, and stored instead when that
 * saves less than a tenth. */
int zip_entry_whole(struct zip_writer *z, const char *name, int method, int level, time_t mtime,
    const void *data, size_t n, struct scerr *e);
/* zip_entry_whole in two halves.  zip_pack compresses with a compressor of its own, so
 * that another thread may use the writer meanwhile; p->data may point into data, which must
 * outlive it.  zip_entry_packed writes the entry; zip_pack_release frees p's buffer. */
struct zip_pack {
	int method;		/* ZIP_STORE or ZIP_DEFLATE */
	uint32_t crc;
	size_t usize, csize;
	const unsigned char *data;	/* the csize bytes to write */
	unsigned char *own;	/* the DEFLATE output */
};
int zip_pack(struct zip_pack *p, int method, int level, const void *data, size_t n, struct scerr *e);
int zip_entry_packed(struct zip_writer *z, const char *name, time_t mtime, const struct zip_pack *p,
    struct scerr *e);
void zip_pack_release(struct zip_pack *p);
/* Writes the central directory (ZIP64 records only where needed) and the end record. */
int zip_writer_finish(struct zip_writer *z, struct scerr *e);
void zip_writer_free(struct zip_writer *z);
uint64_t zip_writer_offset(const struct zip_writer *z);
/* Small entries are gathered before they are written: zip_writer_written is where the file
 * ends meanwhile, zip_writer_flush writes them (the other writes do it first). */
uint64_t zip_writer_written(const struct zip_writer *z);
int zip_writer_flush(struct zip_writer *z, struct scerr *e);
/* Where the data of the last entry ended lies in the file, its size there and its method. */
void zip_last_entry(const struct zip_writer *z, uint64_t *data_off, uint64_t *csize, int *method);

/* ----------------------------------------------------------- zip_check.c ---- */
/* The raw ZIP layout of an archive to verify (end records, central directory against
 * every local header, extra fields, names, gaps, overlaps, data descriptors, colliding
 * names, caps); adds its findings to r as checks, and fills *dir with the central
 * directory.  Returns 0 when the layout is sound, -1 when a check failed (*dir then holds
 * what could be walked).  The one central directory reader of verify and stamp. */
struct scelle_result;
struct zip_dirent {
	char *name;		/* NUL-terminated, as the central directory has it */
	uint16_t flags, method, dos_time, dos_date;
	uint32_t crc;
	uint64_t csize, usize;
	uint64_t offset;	/* of its local header */
	uint64_t data;		/* of its data; 0: its local header is unsound, not readable */
	unsigned char not_file;	/* by its attributes: 1 a symbolic link, 2 not a regular file,
				 * 3 a directory entry of a foreign container (zip_check) */
};
struct zip_dir {
	struct zip_dirent *e;	/* in central directory order */
	size_t n;
	int foreign;		/* no evidence.xml: another ETSI tool's container (FORMAT.md) */
	size_t descriptors;	/* entries with a data descriptor (foreign containers only) */
};
int zip_check(int fd, uint64_t size, struct scelle_result *r, struct zip_dir *dir);
void zip_dir_free(struct zip_dir *dir);
/* The content of one entry of dir, read from the bytes its central record points at:
 * STORED copied, DEFLATE inflated.  zip_rd_read gives up to n bytes (> 0), then 0 once
 * the entry ends with the size and CRC-32 of its central record, or -1 (zip_rd_error
 * says why: bytes already given are what the entry held up to there). */
struct zip_rd;
struct zip_rd *zip_rd_open(int fd, const struct zip_dirent *e);	/* NULL: no memory */
ssize_t zip_rd_read(struct zip_rd *rd, void *buf, size_t n);
const char *zip_rd_error(const struct zip_rd *rd);
void zip_rd_close(struct zip_rd *rd);

#endif
