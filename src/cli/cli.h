/* cli.h — what the subcommands of the scelle tool share. */
#ifndef SCELLE_CLI_H
#define SCELLE_CLI_H

#include <stdio.h>
#include "scelle.h"
#include "banned.h"

/* Exit codes (DESIGN.md §4). */
enum { EXIT_PASSED = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_INDETERMINATE = 3 };

extern const char *progname;	/* "scelle" */
extern int quiet;		/* -q: no progress, no chatter */

/* "scelle: <message>" on stderr.  error() returns EXIT_USAGE so that commands can
 * `return error(...)`. */
int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Reads a pass phrase spec as OpenSSL's -passin does: env:VAR, file:PATH, fd:N, pass:TEXT.
 * Returns a malloc'ed string or NULL with a message printed. */
char *pass_from_spec(const char *spec);
/* The pass phrase callback the CLI gives the library: the --pass value when one was given,
 * else a no-echo prompt on the TTY, else failure. */
int cli_pass_cb(char *buf, int size, const char *what, void *arg);
/* Progress on stderr when it is a TTY and not quiet. */
void cli_progress_cb(uint64_t done, uint64_t total, const char *item, void *arg);
void cli_progress_end(void);

/* JSON string output (escaped, quoted). */
void json_str(FILE *f, const char *s);

/* cmd_verify.c: the verdict of one archive as text (failed checks, or all with verbose)
 * and as one JSON object (schema scelle-verify/1). */
void print_result_text(FILE *f, const char *archive, const struct scelle_result *r, int verbose);
void print_result_json(FILE *f, const char *archive, const struct scelle_result *r);

int cmd_seal(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_tsa(int argc, char **argv);
int cmd_stamp(int argc, char **argv);
int cmd_extract(int argc, char **argv);
int cmd_custody(int argc, char **argv);

#endif
