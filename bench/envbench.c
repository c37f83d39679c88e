/*
 * envbench: the daemon's text envelope codec alone, on the message the
 * pipelined wsbench row sends (addressing headers, a body of 256
 * characters of text), so that a change to envelope_text*.c can be
 * measured without the noise of sockets and processes.  Prints the
 * median over blocks of the time per envelope_write and envelope_read,
 * in nanoseconds.  Reported, never asserted.
 *
 * ENVBENCH_ITERS overrides the calls per block (default 20000),
 * ENVBENCH_BLOCKS the number of blocks (default 7); ENVBENCH_ONLY=write or
 * read runs only that half, for `perf stat` counts of one call on a noisy
 * machine (instructions do not depend on the load).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "envelope.h"

#define ENVBENCH_TEXT	256

static double
envbench_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int
envbench_cmp(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static long
envbench_env(const char *name, long dflt)
{
	const char	*v = getenv(name);
	long		 n;

	if (v == NULL || (n = strtol(v, NULL, 10)) <= 0)
		return dflt;
	return n;
}

int
main(void)
{
	static char	 body[ENVBENCH_TEXT + 128];
	struct envelope	 e, r;
	uint8_t		*out, *wire;
	size_t		 out_len, wire_len;
	double		*wt, *rt, t0;
	const char	*only = getenv("ENVBENCH_ONLY");
	long		 iters, blocks, b, i;
	int		 n;
	bool		 w, rd;

	w = only == NULL || strcmp(only, "read") != 0;
	rd = only == NULL || strcmp(only, "write") != 0;
	iters = envbench_env("ENVBENCH_ITERS", 20000);
	blocks = envbench_env("ENVBENCH_BLOCKS", 7);
	if ((wt = calloc((size_t)blocks, sizeof *wt)) == NULL ||
	    (rt = calloc((size_t)blocks, sizeof *rt)) == NULL)
		return 1;
	n = snprintf(body, sizeof body,
	    "<value xmlns=\"urn:wschannel-test\">");
	for (i = 0; i < ENVBENCH_TEXT; i++)
		body[n++] = (char)('a' + i % 26);
	n += snprintf(body + n, sizeof body - (size_t)n, "</value>");
	memset(&e, 0, sizeof e);
	e.envelope_version = 2;
	e.addressing_version = 2;
	e.action = (char *)"urn:wschannel-test/text";
	e.message_id = (char *)"urn:uuid:6b29fc40-ca47-1067-b31d-00dd010662da";
	e.to = (char *)"net.tcp://127.0.0.1:8000/service";
	e.body = (uint8_t *)body;
	e.body_len = (size_t)n;
	if (envelope_write(&e, &wire, &wire_len) != 0)
		return 1;
	for (b = 0; b < blocks; b++) {
		t0 = envbench_now();
		for (i = 0; w && i < iters; i++) {
			if (envelope_write(&e, &out, &out_len) != 0)
				return 1;
			free(out);
		}
		wt[b] = (envbench_now() - t0) / (double)iters;
		t0 = envbench_now();
		for (i = 0; rd && i < iters; i++) {
			if (envelope_read(wire, wire_len, &r, NULL) != 0)
				return 1;
			envelope_clear(&r);
		}
		rt[b] = (envbench_now() - t0) / (double)iters;
	}
	qsort(wt, (size_t)blocks, sizeof *wt, envbench_cmp);
	qsort(rt, (size_t)blocks, sizeof *rt, envbench_cmp);
	printf("envelope of %zu bytes, body %d bytes, %ld x %ld calls\n",
	    wire_len, n, blocks, iters);
	printf("envelope_write  %8.0f ns/call (median; min %.0f)\n",
	    wt[blocks / 2], wt[0]);
	printf("envelope_read   %8.0f ns/call (median; min %.0f)\n",
	    rt[blocks / 2], rt[0]);
	printf("{\"envelope_write_ns\":%.0f,\"envelope_read_ns\":%.0f}\n",
	    wt[blocks / 2], rt[blocks / 2]);
	free(wire);
	free(wt);
	free(rt);
	return 0;
}
