/* tap.h — a tiny TAP producer for the unit tests (through the public header only). */
#ifndef TAP_H
#define TAP_H
#include <stdio.h>
#include <string.h>
static int tap_n, tap_failed;
#define ok(cond, ...) do { \
	int ok_ = !!(cond); \
	printf("%sok %d - ", ok_ ? "" : "not ", ++tap_n); printf(__VA_ARGS__); printf("\n"); \
	if (!ok_) { tap_failed++; printf("#   at %s:%d: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)
#define is_str(a, b, ...) do { const char *a_ = (a), *b_ = (b); \
	ok(a_ && b_ && strcmp(a_, b_) == 0, __VA_ARGS__); \
	if (!(a_ && b_ && strcmp(a_, b_) == 0)) printf("#   got '%s', expected '%s'\n", a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
} while (0)
static inline int done_testing(void) { printf("1..%d\n", tap_n); return tap_failed != 0; }
#endif
