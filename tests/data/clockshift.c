/* clockshift.c — an LD_PRELOAD shim for the tamper suite: time() runs CLOCKSHIFT_SECONDS
 * ahead, so that the CMS signing-time a sealer writes is later than the genTime a TSA
 * (another process, on the true clock) puts into the token over that signature. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <time.h>

time_t time(time_t *t)
{
	struct timespec ts;
	const char *s = getenv("CLOCKSHIFT_SECONDS");
	clock_gettime(CLOCK_REALTIME, &ts);
	time_t v = ts.tv_sec + (s ? atol(s) : 0);
	if (t)
		*t = v;
	return v;
}
