/* grow_on_read.c — an LD_PRELOAD shim for t20: after the first read(2) from the file named
 * by $GROW_FILE (its last path component), appends one line to that file, as a logger or a
 * download still running would.  Deterministic: the file changes while `seal` reads it.
 * With $FIFO_AFTER set (t92), the file is left alone and the path $FIFO_AFTER is replaced
 * by a FIFO instead: a FIFO swapped in for an item that seal has not opened yet. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

ssize_t read(int fd, void *buf, size_t n)
{
	static ssize_t (*real)(int, void *, size_t);
	static int done;
	if (!real)
		real = (ssize_t (*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");
	ssize_t r = real(fd, buf, n);
	const char *want = getenv("GROW_FILE");
	if (!done && want && r > 0) {
		char proc[64], path[4096];
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		ssize_t k = readlink(proc, path, sizeof(path) - 1);
		if (k > 0) {
			path[k] = '\0';
			const char *base = strrchr(path, '/');
			const char *fifo = getenv("FIFO_AFTER");
			if (base && strcmp(base + 1, want) == 0 && fifo) {
				done = unlink(fifo) == 0 && mkfifo(fifo, 0600) == 0;
			} else if (base && strcmp(base + 1, want) == 0) {
				int w = open(path, O_WRONLY | O_APPEND);
				if (w >= 0) {
					if (write(w, "one more line\n", 14) == 14)
						done = 1;
					close(w);
				}
			}
		}
	}
	return r;
}
