/*
 * With --enable-fuzzing the targets link libFuzzer's main instead of
 * fuzz/driver.c.  libFuzzer alone would run forever when started without
 * arguments, as `make check` starts its tests; so in that case we give it
 * what the driver does by default: a time budget (FUZZ_SECONDS, 3 unless
 * set) and the seeds of fuzz/corpus/<target>, with a writable corpus
 * folder beside the binary in front of them (libFuzzer adds what it
 * finds to the first folder only, never to the source tree).  Given any
 * argument, libFuzzer gets exactly what it was given.
 */
#include <sys/stat.h>

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char	*args[8];
	static char	 budget[64], run_dir[4096], seed_dir[4096];
	const char	*seconds, *srcdir;
	char		 self[4096];

	if (*argc != 1)
		return 0;
	if ((seconds = getenv("FUZZ_SECONDS")) == NULL || *seconds == '\0')
		seconds = "3";
	if ((srcdir = getenv("WSCHANNEL_SRCDIR")) == NULL)
		srcdir = FUZZ_SRCDIR;
	snprintf(self, sizeof(self), "%s", (*argv)[0]);
	snprintf(run_dir, sizeof(run_dir), "%s/corpus-%s", dirname(self),
	    FUZZ_TARGET);
	if (mkdir(run_dir, 0755) == -1 && errno != EEXIST) {
		fprintf(stderr, "%s: %s\n", run_dir, strerror(errno));
		exit(2);
	}
	snprintf(seed_dir, sizeof(seed_dir), "%s/fuzz/corpus/%s", srcdir,
	    FUZZ_TARGET);
	snprintf(budget, sizeof(budget), "-max_total_time=%s", seconds);
	args[0] = (*argv)[0];
	args[1] = budget;
	args[2] = "-timeout=25";
	args[3] = "-print_final_stats=1";
	args[4] = run_dir;
	args[5] = seed_dir;
	args[6] = NULL;
	*argc = 6;
	*argv = args;
	return 0;
}
