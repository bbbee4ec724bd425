/* replay.c — main() for the fuzz targets when they are built as ordinary programs (make
 * check, make check-asan): runs LLVMFuzzerTestOneInput once on every file named, or on
 * every file in every folder named, so that the seed corpora and each crash input kept
 * under tests/fuzz/regress/ are replayed by the test suite. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0, n;
	if (!f) {
		fprintf(stderr, "replay: cannot open '%s'\n", path);
		return -1;
	}
	do {
		if (len == cap) {
			unsigned char *p = realloc(buf, cap = cap ? 2 * cap : 65536);
			if (!p) {
				free(buf);
				fclose(f);
				return -1;
			}
			buf = p;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	int runs = 0, bad = 0;
	LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *de;
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode) && (d = opendir(argv[i]))) {
			while ((de = readdir(d))) {
				char p[4096];
				if (de->d_name[0] == '.' ||
				    (size_t)snprintf(p, sizeof(p), "%s/%s", argv[i], de->d_name) >= sizeof(p))
					continue;
				bad |= run_file(p);
				runs++;
			}
			closedir(d);
		} else {
			bad |= run_file(argv[i]);
			runs++;
		}
	}
	printf("%d inputs replayed\n", runs);
	return bad ? 1 : 0;
}
