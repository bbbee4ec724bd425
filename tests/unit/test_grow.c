/* test_grow.c — grow() of util.c: appends cost O(n) (the capacity doubles), overflow and
 * failure leave the array and its capacity as they were. */
#include <stdint.h>
#include <stdlib.h>
#include "internal.h"
#include "tap.h"

int main(void)
{
	uint32_t *v = NULL, *q;
	size_t cap = 0, n, moves = 0, bad = 0;

	for (n = 0; n < 100000; n++) {
		size_t before = cap;
		if (!(q = grow(v, &cap, n + 1, sizeof(*v))))
			break;
		v = q;
		moves += cap != before;
		v[n] = (uint32_t)n;
	}
	ok(n == 100000 && cap >= n, "100,000 appends (capacity %zu)", cap);
	for (size_t i = 0; i < n; i++)
		bad += v[i] != i;
	ok(bad == 0, "every element kept across the moves");
	ok(moves <= 15, "the capacity changed %zu times, not once per element", moves);

	size_t was = cap;
	ok(grow(v, &cap, cap, sizeof(*v)) == v && cap == was, "no change when there is room");
	ok(grow(v, &cap, SIZE_MAX / 2 + 2, sizeof(*v)) == NULL && cap == was,
	    "a count past SIZE_MAX: NULL, capacity unchanged");
	ok(grow(v, &cap, SIZE_MAX / 8, 16) == NULL && cap == was,
	    "a byte size past SIZE_MAX: NULL, capacity unchanged");
	ok(v[n - 1] == n - 1, "the array is still the caller's after a failure");
	free(v);

	char *s = NULL;
	size_t c2 = 0;
	ok((s = grow(s, &c2, 1, 1)) != NULL && c2 >= 1, "first growth from NULL (capacity %zu)", c2);
	free(s);
	return done_testing();
}
