/* main.c — the scelle tool: dispatch to one cmd_<name>() per subcommand (after git.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include "cli.h"

const char *progname = "scelle";
int quiet;

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} commands[] = {
	{ "seal", cmd_seal, N_("hash, sign and time-stamp evidence into an ASiC-E archive") },
	{ "verify", cmd_verify, N_("verify sealed archives and give one verdict each") },
	{ "show", cmd_show, N_("show the case, the signer and the items of an archive") },
	{ "custody", cmd_custody, N_("record a hand-over of an archive, or show its custody timeline") },
	{ "extract", cmd_extract, N_("verify an archive, then write its items into a folder or a bag") },
	{ "tsa", cmd_tsa, N_("run a small RFC 3161 time-stamp authority over HTTP") },
	{ "stamp", cmd_stamp, N_("add time-stamps to an archive sealed offline (new file)") },
};

/* A message names files, options and text from archives: the whole of it is printed
 * through its display form (put_text), so that no caller can forget to. */
__attribute__((format(printf, 2, 0)))
static void message(const char *prefix, const char *fmt, va_list ap)
{
	char *m = NULL;
	/* the format is the msgid: every error(...) and warning(...) is in the catalogs */
	if (vasprintf(&m, gettext(fmt), ap) < 0)
		m = NULL;
	fprintf(stderr, "%s: %s", progname, *prefix ? _(prefix) : "");
	put_text(stderr, m ? m : fmt);
	fputc('\n', stderr);
	free(m);
}

int error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	message("", fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

void warning(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	message(N_("warning: "), fmt, ap);
	va_end(ap);
}

int usage_hint(const char *cmd)
{
	if (cmd)
		fprintf(stderr, _("Try '%s %s --help'.\n"), progname, cmd);
	else
		fprintf(stderr, _("Try '%s --help'.\n"), progname);
	return EXIT_USAGE;
}

static char *read_line_fd(int fd)
{
	char buf[1024];
	size_t n = 0;
	ssize_t r;
	while (n < sizeof(buf) - 1 && (r = read(fd, buf + n, 1)) == 1 && buf[n] != '\n')
		n++;
	buf[n] = '\0';
	if (n && buf[n - 1] == '\r')
		buf[--n] = '\0';
	char *s = strdup(buf);
	OPENSSL_cleanse(buf, sizeof(buf));
	return s;
}

char *pass_from_spec(const char *spec)
{
	if (strncmp(spec, "pass:", 5) == 0)
		return strdup(spec + 5);
	if (strncmp(spec, "env:", 4) == 0) {
		const char *v = getenv(spec + 4);
		if (!v) {
			error("environment variable '%s' is not set", spec + 4);
			return NULL;
		}
		return strdup(v);
	}
	if (strncmp(spec, "file:", 5) == 0) {
		/* O_NONBLOCK then fstat: a FIFO without a writer would block for ever (issue 18);
		 * a pipe is given with fd:N. */
		int fd = open(spec + 5, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		struct stat st;
		if (fd < 0 || fstat(fd, &st) != 0) {
			error("cannot open '%s': %s", spec + 5, strerror(errno));
			if (fd >= 0)
				close(fd);
			return NULL;
		}
		if (!S_ISREG(st.st_mode)) {
			error("cannot read a pass phrase from '%s': not a regular file (use fd:N for a pipe)", spec + 5);
			close(fd);
			return NULL;
		}
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
		char *s = read_line_fd(fd);
		close(fd);
		return s;
	}
	if (strncmp(spec, "fd:", 3) == 0) {
		char *end;
		long fd = strtol(spec + 3, &end, 10);
		if (*end || fd < 0 || fd > 65535) {
			error("invalid pass phrase source '%s'", spec);
			return NULL;
		}
		return read_line_fd((int)fd);
	}
	error("invalid pass phrase source '%s' (use env:VAR, file:PATH, fd:N or pass:TEXT)", spec);
	return NULL;
}

char *tsa_auth_from_arg(char *arg)
{
	char *p = NULL;
	/* the secret itself is never on the command line, nor echoed in an error */
	if (strncmp(arg, "env:", 4) != 0 && strncmp(arg, "file:", 5) != 0)
		error("invalid --tsa-auth source (use env:VAR or file:PATH, holding user:password)");
	else
		p = pass_from_spec(arg);
	OPENSSL_cleanse(arg, strlen(arg));
	return p;
}

char *pass_from_arg(char *arg)
{
	char *p = pass_from_spec(arg);
	OPENSSL_cleanse(arg, strlen(arg));
	return p;
}

int cli_pass_cb(char *buf, int size, const char *what, void *arg)
{
	const char *given = arg;
	if (given) {
		size_t n = strlen(given);
		if (n >= (size_t)size)
			return -1;
		memcpy(buf, given, n + 1);
		return (int)n;
	}
	/* No pass phrase given: ask on the terminal, never block a batch run. */
	int tty = open("/dev/tty", O_RDWR | O_CLOEXEC);
	if (tty < 0 || !isatty(STDIN_FILENO)) {
		if (tty >= 0)
			close(tty);
		return -1;
	}
	struct termios old, noecho;
	dprintf(tty, _("pass phrase for %s: "), shown(what));
	tcgetattr(tty, &old);
	noecho = old;
	noecho.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(tty, TCSAFLUSH, &noecho);
	char *line = read_line_fd(tty);
	tcsetattr(tty, TCSAFLUSH, &old);
	dprintf(tty, "\n");
	close(tty);
	if (!line)
		return -1;
	size_t n = strlen(line);
	int r = -1;
	if (n < (size_t)size) {
		memcpy(buf, line, n + 1);
		r = (int)n;
	}
	OPENSSL_cleanse(line, n);
	free(line);
	return r;
}

static int progress_shown;
int progress_mode = PROGRESS_AUTO;

int set_progress_mode(const char *arg)
{
	if (strcmp(arg, "auto") == 0)
		progress_mode = PROGRESS_AUTO;
	else if (strcmp(arg, "json") == 0)
		progress_mode = PROGRESS_JSON;
	else if (strcmp(arg, "none") == 0)
		progress_mode = PROGRESS_NONE;
	else
		return error("invalid progress mode '%s' (use auto, json or none)", arg);
	return 0;
}

/* The library calls this at most ten times a second and once at the end. */
void cli_progress_cb(uint64_t done, uint64_t total, const char *item, void *arg)
{
	static struct timespec start;
	static int tty = -1;
	struct timespec now;
	if (progress_mode == PROGRESS_JSON) {	/* for front ends; even with -q */
		fprintf(stderr, "{\"done\":%llu,\"total\":%llu,\"item\":", (unsigned long long)done,
		    (unsigned long long)total);
		json_str(stderr, item);
		if (arg) {	/* the archive the work is on (cli.h) */
			fputs(",\"archive\":", stderr);
			json_str(stderr, arg);
		}
		fputs("}\n", stderr);
		return;
	}
	if (tty < 0)
		tty = isatty(STDERR_FILENO);
	if (quiet || progress_mode == PROGRESS_NONE || !tty)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!progress_shown)
		start = now;
	progress_shown = 1;
	double el = (double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9;
	double rate = el > 0.1 ? (double)done / el : 0;
	double pct = total ? 100.0 * (double)done / (double)total : 100.0;
	long eta = rate > 0 ? (long)((double)(total - done) / rate) : 0;
	fprintf(stderr, "\r\033[K%5.1f%%  %llu / %llu MB  %.0f MB/s  ETA %ld:%02ld  ", pct,
	    (unsigned long long)(done >> 20), (unsigned long long)(total >> 20), rate / 1048576.0,
	    eta / 60, eta % 60);
	put_text_max(stderr, item ? item : "", 40);
}

void cli_progress_end(void)
{
	if (progress_shown)
		fputs("\r\033[K", stderr);
	progress_shown = 0;
}

void json_str(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				fprintf(f, "\\u%04x", *p);
			} else if (*p >= 0x80) {
				/* not UTF-8 (a hostile ZIP name): U+FFFD keeps the JSON valid */
				size_t n = scelle_utf8_len((const char *)p, strnlen((const char *)p, 4));
				if (n) {
					fwrite(p, 1, n, f);
					p += n - 1;
				} else {
					fputs("\\ufffd", f);
				}
			} else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

static void usage(FILE *f)
{
	fprintf(f, _("usage: scelle <command> [options] [args]\n"
		   "       scelle --version | --help\n\n"
		   "  -V, --version  the versions of scelle, OpenSSL, libarchive and libxml2\n"
		   "  -h, --help     this help\n"
		   "      --lang LANG  language of what scelle writes: en, fr or es (any command)\n\ncommands:\n"));
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, _(commands[i].help));
	fprintf(f, _("\n'scelle <command> --help' describes each command.  Exit status: 0 the archive\n"
		   "verifies, 1 it does not, 3 integrity holds but trust cannot be concluded, 2 error.\n"));
}

/* --lang LANG (or --lang=LANG) is taken out of argv wherever it stands before "--", so that
 * it applies to every command and to every message, those about the other options
 * included.  Returns 0, or -1 when --lang has no value. */
static int take_lang(int *argc, char **argv, const char **lang)
{
	int i = 1;
	while (i < *argc && strcmp(argv[i], "--") != 0) {
		int n = 0;
		if (!strcmp(argv[i], "--lang")) {
			if (i + 1 >= *argc)
				return -1;
			*lang = argv[i + 1];
			n = 2;
		} else if (!strncmp(argv[i], "--lang=", 7)) {
			*lang = argv[i] + 7;
			n = 1;
		}
		if (!n) {
			i++;
			continue;
		}
		memmove(&argv[i], &argv[i + n], (size_t)(*argc - i - n + 1) * sizeof(*argv));
		*argc -= n;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *lang = NULL;

	/* With TZ unset, glibc stats /etc/localtime on every mktime(), and libarchive calls
	 * mktime for each ZIP entry it reads: for 100,000 small files, 400,000 system calls
	 * and a tenth of `verify`.  ":/etc/localtime" names the same zone, read once. */
	setenv("TZ", ":/etc/localtime", 0);
	if (take_lang(&argc, argv, &lang) != 0) {
		cli_set_language(NULL);
		return error("option '--lang' requires an argument");
	}
	if (cli_set_language(lang) != 0)
		return EXIT_USAGE;
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("%s\n", scelle_version_details());
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name)) {
			/* getopt names argv[0] in its messages: "scelle seal: unrecognized option" */
			static char name[32];
			snprintf(name, sizeof(name), "%s %s", progname, commands[i].name);
			argv[1] = name;
			return commands[i].fn(argc - 1, argv + 1);
		}
	error("unknown command '%s'", argv[1]);
	return usage_hint(NULL);
}
