/*
 * What /proc says of threads: the CPU a task ran on last, and this
 * process's threads of a name (the library's are "wschannel-io" and
 * "wschannel-cb"); and of the test's daemon, its memory and CPU time.
 * For check_channel, check_fault, stress and wsbench.
 */
#include <sys/types.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

int
harness_stat_cpu(const char *path)
{
	char buf[1024], *p;
	int field, cpu = -1;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		return -1;
	/* Field 39, counted after the command's closing parenthesis. */
	if (fgets(buf, sizeof(buf), f) != NULL &&
	    (p = strrchr(buf, ')')) != NULL) {
		for (field = 2; p != NULL && field < 39; field++)
			p = strchr(p + 1, ' ');
		if (p != NULL)
			cpu = atoi(p + 1);
	}
	fclose(f);
	return cpu;
}

int
harness_threads_named(const char *name, int *cpu)
{
	char path[300], comm[32];
	size_t len = strlen(name);
	struct dirent *d;
	DIR *dir;
	FILE *f;
	int n = 0;

	if (cpu != NULL)
		*cpu = -1;
	if ((dir = opendir("/proc/self/task")) == NULL)
		return -1;
	while ((d = readdir(dir)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm",
		    d->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		if (fgets(comm, sizeof(comm), f) != NULL &&
		    strncmp(comm, name, len) == 0 && comm[len] == '\n' &&
		    n++ == 0 && cpu != NULL) {
			snprintf(path, sizeof(path), "/proc/self/task/%s/stat",
			    d->d_name);
			*cpu = harness_stat_cpu(path);
		}
		fclose(f);
	}
	closedir(dir);
	return n;
}

long
harness_daemon_rss_kib(void)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status",
	    (int)harness_daemon_pid());
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

uint64_t
harness_daemon_cpu_ns(void)
{
	char path[64];
	unsigned long long ns = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/schedstat",
	    (int)harness_daemon_pid());
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fscanf(f, "%llu", &ns) != 1)
		ns = 0;
	fclose(f);
	return ns;
}
