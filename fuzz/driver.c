/*
 * A stand-in for libFuzzer's main, so that every fuzz target runs in
 * `make check` with any compiler: it feeds the target each seed file,
 * then random and mutated inputs (byte flips, inserts, deletions,
 * truncations, splices of two seeds) until a time budget runs out.
 *
 *	fuzz_x [-s seed] [-t seconds] [-n runs] [file-or-dir ...]
 *
 * Without arguments the seeds are $WSCHANNEL_SRCDIR/fuzz/corpus/<target>.
 * FUZZ_SECONDS (default 3) and FUZZ_SEED set the budget and the PRNG seed;
 * the seed is printed first so that a failure can be replayed with
 * FUZZ_SEED.  A file given alone (a crash file) runs once and nothing
 * more.  When the target dies, the input it died on is written to
 * fuzz-crash-<target>-<seed> in the current directory first.
 *
 * No coverage feedback: this finds what a target's own checks and the
 * sanitizers catch in the neighbourhood of the seeds, quickly; libFuzzer
 * (./configure CC=clang --enable-fuzzing) goes further.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

#define DRIVER_MAX_SEEDS	256
#define DRIVER_MAX_LEN		(64 * 1024)	/* longest input we make */
#define DRIVER_MAX_SEED_LEN	(1024 * 1024)	/* longest seed file read */

struct driver_seed {
	uint8_t	*p;
	size_t	 len;
};

static struct driver_seed	 driver_seeds[DRIVER_MAX_SEEDS];
static size_t			 driver_nseeds;
static uint64_t			 driver_rng;

/* What the target is running on, for the crash file. */
static const uint8_t		*driver_cur;
static size_t			 driver_cur_len;
static char			 driver_crash_path[256];



/* A sanitizer's death callback, when the runtime is linked in. */
void	__sanitizer_set_death_callback(void (*)(void)) __attribute__((weak));

/* xorshift64*: small, seedable, good enough to pick mutations. */
static uint64_t
driver_random(void)
{
	driver_rng ^= driver_rng >> 12;
	driver_rng ^= driver_rng << 25;
	driver_rng ^= driver_rng >> 27;
	return driver_rng * 2685821657736338717ULL;
}

static size_t
driver_below(size_t n)
{
	return n == 0 ? 0 : (size_t)(driver_random() % n);
}

/* Only async-signal-safe calls: this runs as the process dies. */
static void
driver_save_crash(void)
{
	int	 fd;
	size_t	 off = 0;
	ssize_t	 n;

	if (driver_cur == NULL)
		return;
	fd = open(driver_crash_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd == -1)
		return;
	while (off < driver_cur_len) {
		n = write(fd, driver_cur + off, driver_cur_len - off);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	close(fd);
	n = write(STDERR_FILENO, "input saved in ", 15);
	n = write(STDERR_FILENO, driver_crash_path, strlen(driver_crash_path));
	n = write(STDERR_FILENO, "\n", 1);
	(void)n;
	driver_cur = NULL;
}

static void
driver_signal(int sig)
{
	driver_save_crash();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
driver_run(const uint8_t *p, size_t len)
{
	uint8_t	*copy;

	/* An exact-size heap copy: a sanitizer sees any read past the end. */
	if ((copy = malloc(len != 0 ? len : 1)) == NULL) {
		perror("malloc");
		exit(2);
	}
	memcpy(copy, p, len);
	driver_cur = copy;
	driver_cur_len = len;
	LLVMFuzzerTestOneInput(copy, len);
	driver_cur = NULL;
	free(copy);
}

static int
driver_read_file(const char *path, uint8_t **out, size_t *out_len)
{
	FILE	*f;
	uint8_t	*p;
	size_t	 len;

	if ((f = fopen(path, "rb")) == NULL)
		return -errno;
	if ((p = malloc(DRIVER_MAX_SEED_LEN)) == NULL) {
		fclose(f);
		return -ENOMEM;
	}
	len = fread(p, 1, DRIVER_MAX_SEED_LEN, f);
	fclose(f);
	*out = realloc(p, len != 0 ? len : 1);
	if (*out == NULL)
		*out = p;
	*out_len = len;
	return 0;
}

static void
driver_add_seed(const char *path)
{
	uint8_t	*p = NULL;
	size_t	 len = 0;
	int	 rc;

	if ((rc = driver_read_file(path, &p, &len)) < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(-rc));
		exit(2);
	}
	if (driver_nseeds == DRIVER_MAX_SEEDS) {
		free(p);
		return;
	}
	driver_seeds[driver_nseeds].p = p;
	driver_seeds[driver_nseeds].len = len;
	driver_nseeds++;
}

static int
driver_compare(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds a file, or every regular file of a directory in name order. */
static void
driver_add_path(const char *path)
{
	struct stat	 st;
	struct dirent	*de;
	DIR		*dir;
	char		*names[DRIVER_MAX_SEEDS], full[4096];
	size_t		 n = 0, i;

	if (stat(path, &st) == -1) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		exit(2);
	}
	if (!S_ISDIR(st.st_mode)) {
		driver_add_seed(path);
		return;
	}
	if ((dir = opendir(path)) == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		exit(2);
	}
	while ((de = readdir(dir)) != NULL && n < DRIVER_MAX_SEEDS) {
		if (de->d_name[0] == '.')
			continue;
		if ((names[n] = strdup(de->d_name)) == NULL)
			exit(2);
		n++;
	}
	closedir(dir);
	qsort(names, n, sizeof(names[0]), driver_compare);
	for (i = 0; i < n; i++) {
		snprintf(full, sizeof(full), "%s/%s", path, names[i]);
		if (stat(full, &st) == 0 && S_ISREG(st.st_mode))
			driver_add_seed(full);
		free(names[i]);
	}
}

/* One mutation of `b` (of capacity DRIVER_MAX_LEN) in place. */
static void
driver_mutate_once(uint8_t *b, size_t *len)
{
	const struct driver_seed *s;
	size_t	 at, n, from, l;

	switch (driver_below(8)) {
	case 0:		/* flip a bit */
		if (*len > 0)
			b[driver_below(*len)] ^= (uint8_t)(1u << driver_below(8));
		break;
	case 1:		/* a random byte */
		if (*len > 0)
			b[driver_below(*len)] = (uint8_t)driver_random();
		break;
	case 2:		/* an interesting byte: limits and ASCII punctuation */
		if (*len > 0) {
			static const uint8_t interesting[] = { 0x00, 0x01,
			    0x7f, 0x80, 0xff, '<', '>', '/', ':', '"', '&',
			    '[', ']', '@', '?', '%' };

			b[driver_below(*len)] = interesting[driver_below(
			    sizeof(interesting))];
		}
		break;
	case 3:		/* insert random bytes */
		n = 1 + driver_below(8);
		if (*len + n > DRIVER_MAX_LEN)
			break;
		at = driver_below(*len + 1);
		memmove(b + at + n, b + at, *len - at);
		for (from = 0; from < n; from++)
			b[at + from] = (uint8_t)driver_random();
		*len += n;
		break;
	case 4:		/* delete a run */
		if (*len == 0)
			break;
		at = driver_below(*len);
		n = 1 + driver_below(*len - at < 16 ? *len - at : 16);
		memmove(b + at, b + at + n, *len - at - n);
		*len -= n;
		break;
	case 5:		/* truncate */
		*len = driver_below(*len + 1);
		break;
	case 6:		/* duplicate a run */
		if ((l = *len) == 0 || l > DRIVER_MAX_LEN)
			break;
		from = driver_below(l);
		n = 1 + driver_below(l - from);
		at = driver_below(l + 1);
		if (n > DRIVER_MAX_LEN - l || at > l)
			break;
		memmove(b + at + n, b + at, l - at);
		memmove(b + at, b + (from < at ? from : from + n), n);
		*len = l + n;
		break;
	default:	/* splice: our head, another seed's tail */
		if (driver_nseeds == 0)
			break;
		s = &driver_seeds[driver_below(driver_nseeds)];
		at = driver_below(*len + 1);
		from = driver_below(s->len + 1);
		n = s->len - from;
		if (at + n > DRIVER_MAX_LEN)
			n = DRIVER_MAX_LEN - at;
		memcpy(b + at, s->p + from, n);
		*len = at + n;
		break;
	}
}

/* The next input: mostly a mutated seed, sometimes pure noise. */
static void
driver_next(uint8_t *b, size_t *len)
{
	const struct driver_seed *s;
	size_t	 i, rounds;

	if (driver_nseeds == 0 || driver_below(16) == 0) {
		*len = driver_below(driver_below(4) == 0 ? 4096 : 64);
		for (i = 0; i < *len; i++)
			b[i] = (uint8_t)driver_random();
		return;
	}
	s = &driver_seeds[driver_below(driver_nseeds)];
	*len = s->len < DRIVER_MAX_LEN ? s->len : DRIVER_MAX_LEN;
	memcpy(b, s->p, *len);
	rounds = 1 + driver_below(driver_below(2) == 0 ? 4 : 16);
	for (i = 0; i < rounds; i++)
		driver_mutate_once(b, len);
}

static double
driver_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned long long
driver_env_number(const char *name, unsigned long long dflt)
{
	const char	*s = getenv(name);
	char		*end;
	unsigned long long v;

	if (s == NULL || *s == '\0')
		return dflt;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0') {
		fprintf(stderr, "%s: not a number: %s\n", name, s);
		exit(2);
	}
	return v;
}

static void
driver_usage(void)
{
	fprintf(stderr, "usage: fuzz_%s [-s seed] [-t seconds] [-n runs] "
	    "[file-or-dir ...]\n", FUZZ_TARGET);
	exit(2);
}

int
main(int argc, char **argv)
{
	static uint8_t		 buf[DRIVER_MAX_LEN];
	const char		*srcdir;
	char			 dir[4096];
	unsigned long long	 seed, seconds, max_runs, runs = 0;
	double			 start, deadline, elapsed;
	size_t			 len, i;
	int			 ch, only_files;

	seed = driver_env_number("FUZZ_SEED", 0);
	seconds = driver_env_number("FUZZ_SECONDS", 3);
	max_runs = driver_env_number("FUZZ_RUNS", 0);
	while ((ch = getopt(argc, argv, "s:t:n:")) != -1) {
		switch (ch) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 't':
			seconds = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			max_runs = strtoull(optarg, NULL, 0);
			break;
		default:
			driver_usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (seed == 0)
		seed = (unsigned long long)time(NULL) ^
		    ((unsigned long long)getpid() << 32);
	driver_rng = seed != 0 ? seed : 1;
	snprintf(driver_crash_path, sizeof(driver_crash_path),
	    "fuzz-crash-%s-%llu", FUZZ_TARGET, seed);

	/* A crash file given alone is replayed once, nothing more. */
	only_files = argc > 0;
	for (i = 0; i < (size_t)argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			only_files = 0;
		driver_add_path(argv[i]);
	}
	if (argc == 0) {
		if ((srcdir = getenv("WSCHANNEL_SRCDIR")) == NULL)
			srcdir = FUZZ_SRCDIR;
		snprintf(dir, sizeof(dir), "%s/fuzz/corpus/%s", srcdir,
		    FUZZ_TARGET);
		driver_add_path(dir);
	}

	if (__sanitizer_set_death_callback != NULL)
		__sanitizer_set_death_callback(driver_save_crash);
	signal(SIGABRT, driver_signal);
	signal(SIGSEGV, driver_signal);
	signal(SIGBUS, driver_signal);
	signal(SIGFPE, driver_signal);
	signal(SIGILL, driver_signal);

	printf("fuzz_%s: seed %llu, %zu seed inputs, %llu s\n", FUZZ_TARGET,
	    seed, driver_nseeds, only_files ? 0 : seconds);
	fflush(stdout);
	start = driver_now();
	for (i = 0; i < driver_nseeds; i++)
		driver_run(driver_seeds[i].p, driver_seeds[i].len);
	runs = driver_nseeds;
	if (!only_files) {
		deadline = start + (double)seconds;
		while (max_runs == 0 || runs < max_runs) {
			/* The clock is read once per 64 runs: it is not free. */
			if ((runs & 63) == 0 && driver_now() >= deadline)
				break;
			driver_next(buf, &len);
			driver_run(buf, len);
			runs++;
		}
	}
	elapsed = driver_now() - start;
	printf("fuzz_%s: %llu runs in %.1f s (%.0f/s), no failure\n",
	    FUZZ_TARGET, runs, elapsed,
	    elapsed > 0 ? (double)runs / elapsed : 0.0);
	for (i = 0; i < driver_nseeds; i++)
		free(driver_seeds[i].p);
	return 0;
}
