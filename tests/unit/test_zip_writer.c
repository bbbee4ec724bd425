/* test_zip_writer.c — the ZIP writer, checked byte by byte and by independent readers:
 * Info-ZIP unzip, Python's zipfile, Java's ZipInputStream (what EU DSS uses) and libarchive
 * (bsdtar, seeking and streaming).  Runs from the top of the tree (tests/run.sh does). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include <openssl/evp.h>
#include "container.h"
#include "internal.h"
#include "tap.h"

#define MTIME 1700000000	/* 2023-11-14 22:13:20 UTC */

static char dir[256];

static uint16_t le16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const unsigned char *p) { return le16(p) | (uint32_t)le16(p + 2) << 16; }
static uint64_t le64(const unsigned char *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

/* Output of a shell command, NUL-terminated; NULL when it exits non-zero. */
static char *capture(const char *cmd)
{
	struct buf b = { 0 };
	char chunk[4096];
	size_t n;
	FILE *f = popen(cmd, "r");
	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	buf_append(&b, "", 1);
	if (pclose(f) != 0) {
		printf("# command failed: %s\n", cmd);
		buf_release(&b);
		return NULL;
	}
	return (char *)b.data;
}

__attribute__((format(printf, 1, 2))) static int run(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	int rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static unsigned char *slurp(const char *path, size_t *len)
{
	struct buf b = { 0 };
	char chunk[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY);
	while (fd >= 0 && (n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_append(&b, chunk, (size_t)n);
	if (fd >= 0)
		close(fd);
	*len = b.len;
	return b.data;
}

static void sha256_hex(const void *p, size_t n, char out[65])
{
	unsigned char md[32];
	EVP_Digest(p, n, md, NULL, EVP_sha256(), NULL);
	hex_encode(md, 32, out);
}

struct tent {
	const char *name;
	int method;
	int hint_known;
	unsigned char *data;
	size_t len;
};

static uint64_t rng = 88172645463325252ull;
static uint64_t xorshift(void)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	return rng;
}

/* A writer on a fresh file under dir. */
static struct zip_writer *open_zip(const char *name, char *path, size_t pathlen, int *fd)
{
	struct scerr e = { 0 };
	snprintf(path, pathlen, "%s/%s", dir, name);
	*fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	struct zip_writer *z = *fd < 0 ? NULL : zip_writer_new(*fd, "test.zip", &e);
	if (!z)
		printf("# cannot start %s: %s\n", path, e.msg);
	return z;
}

static void test_asic(void)
{
	static const char *words[] = { "seized ", "phone ", "chat ", "export\n", "the ", "of ",
		"payment ", "booking ", "record ", "officer ", "capture ", "2023 " };
	struct tent t[] = {
		{ "mimetype", ZIP_STORE, 1, (unsigned char *)ASIC_MIMETYPE, strlen(ASIC_MIMETYPE) },
		{ "evidence/photo.jpg", ZIP_STORE, 1, NULL, 200000 },
		{ "evidence/chat.txt", ZIP_DEFLATE, 0, NULL, 1500000 },	/* size unknown: ZIP64 */
		{ "evidence/random.dat", ZIP_DEFLATE, 1, NULL, 700000 },	/* incompressible */
		{ "evidence/caf\xc3\xa9/r\xc3\xa9sum\xc3\xa9.txt", ZIP_DEFLATE, 1,
		    (unsigned char *)"d\xc3\xa9j\xc3\xa0 vu\n", 10 },
		{ "evidence/empty", ZIP_STORE, 1, (unsigned char *)"", 0 },
		{ "evidence/empty.txt", ZIP_DEFLATE, 1, (unsigned char *)"", 0 },
	};
	size_t nt = sizeof(t) / sizeof(t[0]), len, off = 0;
	struct scerr e = { 0 };
	char path[512], cmd[1024], hex[65], *out;
	int fd, good = 1;
	struct zip_writer *z = open_zip("asic.zip", path, sizeof(path), &fd);

	t[1].data = malloc(t[1].len);
	t[3].data = malloc(t[3].len);
	for (size_t i = 0; i < t[1].len; i++)
		t[1].data[i] = (unsigned char)(i * 7 + (i >> 8));
	for (size_t i = 0; i < t[3].len; i++)
		t[3].data[i] = (unsigned char)xorshift();
	struct buf text = { 0 };
	while (text.len < t[2].len) {
		const char *w = words[xorshift() % 12];
		buf_append(&text, w, strlen(w));
	}
	t[2].data = text.data;
	t[2].len = text.len;

	for (size_t i = 0; z && i < nt; i++) {
		if (i == 1 || i == 4 || i == 5 || i == 6) {	/* the data in hand: zip_entry_whole */
			good &= zip_entry_whole(z, t[i].name, t[i].method, 1, i == 5 ? 0 : MTIME,
			    t[i].data, t[i].len, &e) == 0;
			continue;
		}
		good &= zip_entry_begin(z, t[i].name, t[i].method,
		    t[i].hint_known ? t[i].len : UINT64_MAX, i == 5 ? 0 : MTIME, &e) == 0;
		/* Uneven pieces, so that buffering boundaries fall anywhere. */
		for (size_t o = 0, step = 1; o < t[i].len; o += step, step = step * 3 + 4093)
			good &= zip_entry_write(z, t[i].data + o,
			    step < t[i].len - o ? step : t[i].len - o, &e) == 0;
		good &= zip_entry_end(z, &e) == 0;
	}
	good &= z && zip_writer_finish(z, &e) == 0;
	ok(good, "writes an ASiC-E archive of %zu entries%s%s", nt, good ? "" : ": ", e.msg);
	unsigned char *zb = slurp(path, &len);
	ok(z && zip_writer_offset(z) == len, "zip_writer_offset() is the file size (%zu)", len);
	zip_writer_free(z);
	close(fd);

	/* EN 319 162-1 / IANA magic: "mimetype" at 30, the media type at 38. */
	ok(len > 80 && memcmp(zb, "PK\3\4", 4) == 0 && memcmp(zb + 30, "mimetype", 8) == 0 &&
	    memcmp(zb + 38, ASIC_MIMETYPE, strlen(ASIC_MIMETYPE)) == 0,
	    "mimetype at offset 30, media type at offset 38");
	ok(len > 30 && le16(zb + 8) == 0 && le16(zb + 28) == 0 && !(le16(zb + 6) & 8),
	    "mimetype: method 0, no extra field, flag bit 3 clear");
	ok(len > 30 && le16(zb + 10) == ((22 << 11) | (13 << 5) | 10) &&
	    le16(zb + 12) == ((43 << 9) | (11 << 5) | 14), "DOS time and date are the UTC mtime");

	/* Walk the local headers: each entry's data must be followed at once by the next
	 * header, then the central directory, so there is no data descriptor anywhere. */
	for (size_t i = 0; i < nt && good; i++) {
		const unsigned char *h = zb + off;
		size_t nl = strlen(t[i].name), xl = off + 30 <= len ? le16(h + 28) : 0;
		uint64_t csize = 0, usize = 0;
		if (off + 30 + nl + xl > len || le32(h) != 0x04034b50 || le16(h + 6) != 0x0800 ||
		    le16(h + 8) != t[i].method || le16(h + 26) != nl || memcmp(h + 30, t[i].name, nl)) {
			printf("# bad local header for %s at %zu\n", t[i].name, off);
			good = 0;
			break;
		}
		if (!t[i].hint_known) {	/* ZIP64 extra: id 1, 16 bytes, both sizes (4.5.3) */
			good &= xl == 20 && le16(h + 30 + nl) == 1 && le16(h + 32 + nl) == 16 &&
			    le32(h + 18) == 0xFFFFFFFF && le32(h + 22) == 0xFFFFFFFF && le16(h + 4) == 45;
			usize = le64(h + 34 + nl);
			csize = le64(h + 42 + nl);
		} else {
			good &= xl == 0 && le16(h + 4) == (t[i].method ? 20 : 10);
			csize = le32(h + 18);
			usize = le32(h + 22);
		}
		if (i == 5)	/* mtime 0 (1970) is clamped to 1980-01-01 00:00 */
			good &= le16(h + 10) == 0 && le16(h + 12) == ((1 << 5) | 1);
		good &= usize == t[i].len && le32(h + 14) == crc32_z(0, t[i].data, t[i].len) &&
		    (t[i].method == ZIP_DEFLATE || csize == usize);
		off += 30 + nl + xl + csize;
	}
	ok(good && off + 4 <= len && le32(zb + off) == 0x02014b50,
	    "local headers: UTF-8 flag, no bit 3, true CRC and sizes, ZIP64 extra only for unknown size");
	good = 1;
	for (size_t i = 0; i + 4 <= len; i++)
		good &= memcmp(zb + i, "PK\7\10", 4) != 0;
	ok(good, "no data descriptor signature in the file");
	ok(len > 64 && le32(zb + len - 22) == 0x06054b50 && le16(zb + len - 12) == nt &&
	    le32(zb + len - 6) == off && le16(zb + len - 2) == 0 && le32(zb + len - 42) != 0x07064b50,
	    "end record: %zu entries, empty comment, no ZIP64 records", nt);
	good = 1;
	for (const unsigned char *c = zb + off; good && c + 46 <= zb + len && le32(c) == 0x02014b50;
	    c += 46 + le16(c + 28) + le16(c + 30))
		good = le16(c + 30) == 0 && le32(c + 38) == 0100644u << 16 && c[5] == 3;
	ok(good, "central directory: no extra fields, Unix mode 0644");
	free(zb);

	/* Independent readers. */
	ok(run("unzip -tq '%s' >/dev/null", path) == 0, "unzip -t accepts it");
	struct buf want = { 0 }, names = { 0 }, java = { 0 }, all = { 0 };
	for (size_t i = 0; i < nt; i++) {
		sha256_hex(t[i].data, t[i].len, hex);
		snprintf(cmd, sizeof(cmd), "%s %zu %s\n", t[i].name, t[i].len, hex);
		buf_append(&want, cmd, strlen(cmd));
		snprintf(cmd, sizeof(cmd), "%s %zu %08lx\n", t[i].name, t[i].len,
		    crc32_z(0, t[i].data, t[i].len));
		buf_append(&java, cmd, strlen(cmd));
		buf_append(&names, t[i].name, strlen(t[i].name));
		buf_append(&names, "\n", 1);
		buf_append(&all, t[i].data, t[i].len);
	}
	buf_append(&want, "", 1);
	buf_append(&java, "", 1);
	buf_append(&names, "", 1);
	snprintf(cmd, sizeof(cmd), "PYTHONIOENCODING=utf-8 python3 -c '"
	    "import sys, zipfile, hashlib\n"
	    "z = zipfile.ZipFile(sys.argv[1])\n"
	    "assert z.testzip() is None\n"
	    "for i in z.infolist(): print(i.filename, i.file_size, hashlib.sha256(z.read(i)).hexdigest())"
	    "' '%s'", path);
	out = capture(cmd);
	is_str(out, (char *)want.data, "python zipfile: testzip() passes, names, sizes and contents match");
	free(out);

	const char *b = getenv("B") ? getenv("B") : "build";
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/tests/java' && { [ '%s/tests/java/ZipRead.class' "
	    "-nt tests/data/ZipRead.java ] || javac -encoding UTF-8 -d '%s/tests/java' tests/data/ZipRead.java; } && "
	    "java -cp '%s/tests/java' ZipRead '%s'", b, b, b, b, path);
	out = capture(cmd);
	is_str(out, (char *)java.data, "java ZipInputStream reads every entry, local headers true");
	free(out);

	snprintf(cmd, sizeof(cmd), "LC_ALL=C.UTF-8 bsdtar -tf '%s'", path);
	out = capture(cmd);
	is_str(out, (char *)names.data, "libarchive (bsdtar -tf, seeking) lists every entry");
	free(out);
	snprintf(cmd, sizeof(cmd), "cat '%s' | LC_ALL=C.UTF-8 bsdtar -xOf - | sha256sum", path);
	out = capture(cmd);
	sha256_hex(all.data, all.len, hex);
	ok(out && strncmp(out, hex, 64) == 0, "libarchive streaming (local headers only) extracts the same bytes");
	free(out);
	snprintf(cmd, sizeof(cmd), "LC_ALL=C.UTF-8 bsdtar -tvf '%s' | grep -c '^-rw-r--r--'", path);
	out = capture(cmd);
	ok(out && atoi(out) == (int)nt, "bsdtar -tvf shows %zu regular files of mode 0644", nt);
	free(out);
	buf_release(&want), buf_release(&java), buf_release(&names), buf_release(&all);
	buf_release(&text);
	free(t[1].data);
	free(t[3].data);
}

/* ZIP_DEFLATE_GAINS: deflated when that saves a tenth, else stored; a reader inflates the
 * one and copies the other back to the very bytes. */
static void test_gains(void)
{
	static unsigned char text[20000], noise[20000], flat[20000];
	struct scerr e = { 0 };
	char path[512], hex[3][65], want[1024];
	size_t len, off = 0;
	int fd, good = 1, method[3] = { -1, -1, -1 };
	for (size_t i = 0; i < sizeof(text); i++) {
		text[i] = "seized phone chat "[i % 18];
		noise[i] = (unsigned char)xorshift();
		flat[i] = (unsigned char)(xorshift() % 200);	/* DEFLATE saves a little, not a tenth */
	}
	struct zip_writer *z = open_zip("gains.zip", path, sizeof(path), &fd);
	const unsigned char *data[3] = { text, noise, flat };
	const char *names[3] = { "text", "noise", "flat" };
	for (int i = 0; z && i < 3; i++)
		good &= zip_entry_whole(z, names[i], ZIP_DEFLATE_GAINS, 1, MTIME, data[i], 20000, &e) == 0;
	good &= z && zip_writer_finish(z, &e) == 0;
	zip_writer_free(z);
	close(fd);
	unsigned char *zb = slurp(path, &len);
	for (int i = 0; good && i < 3 && off + 30 <= len && le32(zb + off) == 0x04034b50; i++) {
		method[i] = le16(zb + off + 8);
		off += 30 + le16(zb + off + 26) + le16(zb + off + 28) + le32(zb + off + 18);
		sha256_hex(data[i], 20000, hex[i]);
	}
	ok(good && method[0] == ZIP_DEFLATE && method[1] == ZIP_STORE && method[2] == ZIP_STORE,
	    "ZIP_DEFLATE_GAINS: text deflated, noise and a small gain stored (methods %d %d %d)",
	    method[0], method[1], method[2]);
	free(zb);
	snprintf(want, sizeof(want), "text %s\nnoise %s\nflat %s\n", hex[0], hex[1], hex[2]);
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "python3 -c '"
	    "import sys, zipfile, hashlib\n"
	    "z = zipfile.ZipFile(sys.argv[1])\n"
	    "assert z.testzip() is None\n"
	    "for i in z.infolist(): print(i.filename, hashlib.sha256(z.read(i)).hexdigest())"
	    "' '%s'", path);
	char *out = capture(cmd);
	is_str(out, want, "python zipfile reads both kinds back to the bytes written");
	free(out);
}

/* Small whole entries are gathered and written together: until then the file ends at
 * zip_writer_written; a streamed entry, zip_writer_flush and the end write them. */
static void test_batch(void)
{
	struct scerr e = { 0 };
	char path[512], name[32], want[8192] = "";
	struct stat st;
	int fd, good = 1;
	struct zip_writer *z = open_zip("batch.zip", path, sizeof(path), &fd);
	for (int i = 0; z && i < 3; i++) {
		snprintf(name, sizeof(name), "small%d", i);
		good &= zip_entry_whole(z, name, ZIP_STORE, 1, MTIME, "evidence\n", 9, &e) == 0;
	}
	good &= z && fstat(fd, &st) == 0 && (uint64_t)st.st_size == zip_writer_written(z) &&
	    zip_writer_written(z) < zip_writer_offset(z);
	ok(good, "three small entries: gathered, the file ends at zip_writer_written (%lld)",
	    (long long)st.st_size);
	good = z && zip_writer_flush(z, &e) == 0 && fstat(fd, &st) == 0 &&
	    (uint64_t)st.st_size == zip_writer_offset(z) && zip_writer_written(z) == zip_writer_offset(z);
	ok(good, "zip_writer_flush writes them out");
	for (int i = 3; z && i < 6; i++) {	/* gathered, then flushed by the streamed entry */
		snprintf(name, sizeof(name), "small%d", i);
		good &= zip_entry_whole(z, name, ZIP_DEFLATE, 1, MTIME, "evidence\n", 9, &e) == 0;
	}
	good &= z && zip_entry_begin(z, "streamed", ZIP_STORE, 5, MTIME, &e) == 0 &&
	    zip_entry_write(z, "bytes", 5, &e) == 0 && zip_entry_end(z, &e) == 0 &&
	    zip_entry_whole(z, "last", ZIP_STORE, 1, MTIME, "evidence\n", 9, &e) == 0 &&
	    zip_writer_finish(z, &e) == 0 && fstat(fd, &st) == 0 &&
	    (uint64_t)st.st_size == zip_writer_offset(z);
	zip_writer_free(z);
	close(fd);
	for (int i = 0; i < 6; i++)
		snprintf(want + strlen(want), sizeof(want) - strlen(want), "small%d evidence\n", i);
	snprintf(want + strlen(want), sizeof(want) - strlen(want), "streamed bytes\nlast evidence\n");
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "python3 -c '"
	    "import sys, zipfile\n"
	    "z = zipfile.ZipFile(sys.argv[1])\n"
	    "assert z.testzip() is None\n"
	    "for i in z.infolist(): print(i.filename, z.read(i).decode().strip())"
	    "' '%s'", path);
	char *out = good ? capture(cmd) : NULL;
	is_str(out, want, "gathered, streamed and gathered again: every entry in order, intact");
	free(out);
}

static void test_errors(void)
{
	struct scerr e = { 0 };
	char longname[MAX_NAME_BYTES + 2];
	int pipefd[2];
	int fd = open("/dev/null", O_WRONLY);
	struct zip_writer *z = zip_writer_new(fd, "test.zip", &e);

	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	ok(zip_entry_begin(z, "", ZIP_STORE, 0, 0, &e) < 0 && e.code == SCELLE_E_USAGE, "empty name refused");
	ok(zip_entry_begin(z, longname, ZIP_STORE, 0, 0, &e) < 0 && e.code == SCELLE_E_USAGE,
	    "name of %u bytes refused", MAX_NAME_BYTES + 1);
	ok(zip_entry_begin(z, "bad\xff.txt", ZIP_STORE, 0, 0, &e) < 0 &&
	    zip_entry_begin(z, "over\xc0\xaflong", ZIP_STORE, 0, 0, &e) < 0, "non-UTF-8 names refused");
	ok(zip_entry_begin(z, "/etc/passwd", ZIP_STORE, 0, 0, &e) < 0, "absolute name refused");
	ok(zip_entry_write(z, "x", 1, &e) < 0 && e.code == SCELLE_E_USAGE, "write without an entry refused");
	longname[MAX_NAME_BYTES] = '\0';
	ok(zip_entry_begin(z, longname, ZIP_STORE, 0, 0, &e) == 0 && zip_entry_end(z, &e) == 0 &&
	    zip_writer_finish(z, &e) == 0, "name of %u bytes accepted after refusals", MAX_NAME_BYTES);
	zip_writer_free(z);
	zip_writer_free(NULL);

	/* An entry that outgrows a 32-bit local header fails before the archive lies.  The
	 * 4 GiB source is untouched anonymous memory: it costs no RAM. */
	size_t big = 0xFFFFFFFFu;
	void *zeros = mmap(NULL, big, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	z = zip_writer_new(fd, "test.zip", &e);
	ok(zeros != MAP_FAILED && zip_entry_begin(z, "mimetype", ZIP_STORE, UINT64_MAX, 0, &e) == 0 &&
	    zip_entry_write(z, zeros, 1 << 20, &e) == 0 && zip_entry_write(z, zeros, big, &e) < 0 &&
	    e.code == SCELLE_E_LIMIT && strstr(e.msg, "'mimetype' reaches 4 GiB"),
	    "first entry reaching 4 GiB refused: %s", e.msg);
	zip_writer_free(z);
	z = zip_writer_new(fd, "test.zip", &e);
	ok(zip_entry_begin(z, "mimetype", ZIP_STORE, 5, 0, &e) == 0 && zip_entry_end(z, &e) == 0 &&
	    zip_entry_begin(z, "a.bin", ZIP_DEFLATE, 1000, 0, &e) == 0 &&
	    zip_entry_write(z, zeros, big, &e) < 0 && e.code == SCELLE_E_LIMIT,
	    "entry outgrowing its size hint refused");
	ok(zip_entry_end(z, &e) < 0 && zip_writer_finish(z, &e) < 0, "and the writer stays failed");
	zip_writer_free(z);
	munmap(zeros, big);
	close(fd);

	fd = open("/dev/full", O_WRONLY);
	z = zip_writer_new(fd, "test.zip", &e);
	ok(z && zip_entry_begin(z, "mimetype", ZIP_STORE, 0, 0, &e) < 0 && e.code == SCELLE_E_IO,
	    "full disk reported");
	is_str(e.msg, "cannot write 'test.zip': No space left on device", "with the reason");
	zip_writer_free(z);
	close(fd);

	ok(pipe(pipefd) == 0 && !zip_writer_new(pipefd[1], "test.zip", &e) && e.code == SCELLE_E_IO,
	    "pipe refused: %s", e.msg);
	close(pipefd[0]);
	close(pipefd[1]);
}

/* More than 65,535 entries: ZIP64 end records, and nothing else ZIP64. */
static void test_many(void)
{
	enum { N = 70000 };
	struct scerr e = { 0 };
	char path[512], name[32], data[64], cmd[1024], *out;
	int fd, good = 1;
	struct rusage ru;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct zip_writer *z = open_zip("many.zip", path, sizeof(path), &fd);
	for (int i = 0; z && good && i < N; i++) {
		snprintf(name, sizeof(name), "evidence/%05d.txt", i);
		int n = snprintf(data, sizeof(data), "item %d\n", i);
		good = zip_entry_begin(z, name, i % 2 ? ZIP_DEFLATE : ZIP_STORE, (uint64_t)n, MTIME, &e) == 0 &&
		    zip_entry_write(z, data, (size_t)n, &e) == 0 && zip_entry_end(z, &e) == 0;
	}
	good &= z && zip_writer_finish(z, &e) == 0;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	getrusage(RUSAGE_SELF, &ru);
	ok(good, "writes %d entries in %.2f s%s%s", N,
	    (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, good ? "" : ": ", e.msg);
	ok(ru.ru_maxrss < 64 * 1024, "peak memory %ld KiB stays under 64 MiB", ru.ru_maxrss);

	unsigned char tail[98];
	uint64_t len = z ? zip_writer_offset(z) : 0;
	ok(len > 98 && pread(fd, tail, 98, (off_t)len - 98) == 98 && le32(tail + 76) == 0x06054b50 &&
	    le16(tail + 84) == 0xFFFF && le32(tail + 56) == 0x07064b50 && le64(tail + 64) == len - 98 &&
	    le32(tail) == 0x06064b50 && le64(tail + 32) == N,
	    "ZIP64 end record and locator, end record count 0xFFFF");
	zip_writer_free(z);
	close(fd);

	snprintf(cmd, sizeof(cmd), "python3 -c '"
	    "import sys, zipfile\n"
	    "z = zipfile.ZipFile(sys.argv[1])\n"
	    "l = z.infolist()\n"
	    "print(len(l), l[0].extra, l[-1].extra)\n"
	    "for n in (0, 1, 65535, 65536, 69999): print(z.read(\"evidence/%%05d.txt\" %% n).decode(), end=\"\")"
	    "' '%s'", path);
	out = capture(cmd);
	is_str(out, "70000 b'' b''\nitem 0\nitem 1\nitem 65535\nitem 65536\nitem 69999\n",
	    "python zipfile: count, no extra fields, contents");
	free(out);
	ok(run("unzip -tq '%s' >/dev/null", path) == 0, "unzip -t accepts it");
	unlink(path);
}

/* An entry of more than 4 GiB: ZIP64 local extra, central extra, end records. */
static void test_huge(void)
{
	const uint64_t size = (uint64_t)4200 << 20;	/* 4.1 GiB */
	struct scerr e = { 0 };
	struct statvfs vfs;
	char path[512], cmd[1024], *out;
	int fd, good;
	unsigned char h[67];
	if (statvfs(dir, &vfs) == 0 && (uint64_t)vfs.f_bavail * vfs.f_frsize < size + (1u << 30)) {
		ok(1, "# SKIP less than 5 GiB free in %s", dir);
		return;
	}
	static unsigned char zero[1 << 20];
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct zip_writer *z = open_zip("huge.zip", path, sizeof(path), &fd);
	good = z && zip_entry_begin(z, "mimetype", ZIP_STORE, 31, MTIME, &e) == 0 &&
	    zip_entry_write(z, ASIC_MIMETYPE, 31, &e) == 0 && zip_entry_end(z, &e) == 0 &&
	    zip_entry_begin(z, "evidence/disk.img", ZIP_STORE, size, MTIME, &e) == 0;
	for (uint64_t o = 0; good && o < size; o += sizeof(zero))
		good = zip_entry_write(z, zero, sizeof(zero), &e) == 0;
	good = good && zip_entry_end(z, &e) == 0 &&
	    zip_entry_begin(z, "evidence/after.txt", ZIP_STORE, 6, MTIME, &e) == 0 &&
	    zip_entry_write(z, "after\n", 6, &e) == 0 && zip_entry_end(z, &e) == 0 &&
	    zip_writer_finish(z, &e) == 0;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ok(good, "writes a 4.1 GiB entry in %.1f s%s%s",
	    (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, good ? "" : ": ", e.msg);
	ok(pread(fd, h, sizeof(h), 69) == (ssize_t)sizeof(h) && le32(h) == 0x04034b50 &&
	    le16(h + 28) == 20 && le16(h + 47) == 1 && le64(h + 51) == size && le64(h + 59) == size,
	    "its local header has a ZIP64 extra with both sizes");
	zip_writer_free(z);
	close(fd);
	snprintf(cmd, sizeof(cmd), "python3 -c '"
	    "import sys, zipfile\n"
	    "z = zipfile.ZipFile(sys.argv[1])\n"
	    "for i in z.infolist(): print(i.filename, i.file_size, i.header_offset, \"%%08x\" %% i.CRC)\n"
	    "print(z.read(\"evidence/after.txt\").decode(), end=\"\")"
	    "' '%s'", path);
	out = capture(cmd);
	/* The CRC of 4.1 GiB of zeros, by zlib's other route. */
	uLong crc = 0, crc_mib = crc32_z(0, zero, sizeof(zero));
	for (uint64_t o = 0; o < size; o += sizeof(zero))
		crc = crc32_combine64(crc, crc_mib, sizeof(zero));
	snprintf(cmd, sizeof(cmd), "mimetype 31 0 %08lx\nevidence/disk.img %llu 69 %08lx\n"
	    "evidence/after.txt 6 %llu %08lx\nafter\n", crc32_z(0, (const Bytef *)ASIC_MIMETYPE, 31),
	    (unsigned long long)size, crc, (unsigned long long)(69 + 30 + 17 + 20 + size),
	    crc32_z(0, (const Bytef *)"after\n", 6));
	is_str(out, cmd, "python zipfile reads ZIP64 sizes, offsets and CRC");
	free(out);
	unlink(path);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	int n = snprintf(dir, sizeof(dir), "%s/scelle-zipw.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (n < 0 || (size_t)n >= sizeof(dir) || !mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	test_asic();
	test_gains();
	test_batch();
	test_many();
	test_errors();
	if (getenv("SCELLE_SLOW_TESTS") && strcmp(getenv("SCELLE_SLOW_TESTS"), "0") == 0)
		ok(1, "# SKIP the 4 GiB entry (SCELLE_SLOW_TESTS=0)");
	else
		test_huge();	/* about 8 s, most of it writing 4.1 GiB */
	if (!getenv("KEEP"))
		run("rm -rf '%s'", dir);
	return done_testing();
}
