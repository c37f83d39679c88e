/*
 * What /proc says of where threads ran: the CPU a task ran on last, the
 * daemon's or one of our own (the library's I/O thread, "wschannel-io").
 */
#include <sys/types.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wsbench.h"

/* Field 39 of a stat file, counted after the command's closing
 * parenthesis; -1 when unreadable. */
int
proc_stat_cpu(const char *path)
{
	char buf[1024], *p;
	int field, cpu = -1;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		return -1;
	if (fgets(buf, sizeof(buf), f) != NULL &&
	    (p = strrchr(buf, ')')) != NULL) {
		for (field = 2; p != NULL && field < 39; field++)
			p = strchr(p + 1, ' ');
		if (p != NULL)
			cpu = atoi(p + 1);
	}
	fclose(f);
	return cpu >= 0 && cpu < WSBENCH_CPU_MAX ? cpu : -1;
}

/* The CPU this process's library I/O thread ran on last, or -1. */
int
io_thread_cpu(void)
{
	char path[300], name[32];
	struct dirent *d;
	DIR *dir;
	FILE *f;
	int cpu = -1;

	if ((dir = opendir("/proc/self/task")) == NULL)
		return -1;
	while (cpu < 0 && (d = readdir(dir)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm",
		    d->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		if (fgets(name, sizeof(name), f) != NULL &&
		    strcmp(name, "wschannel-io\n") == 0) {
			snprintf(path, sizeof(path), "/proc/self/task/%s/stat",
			    d->d_name);
			cpu = proc_stat_cpu(path);
		}
		fclose(f);
	}
	closedir(dir);
	return cpu;
}
