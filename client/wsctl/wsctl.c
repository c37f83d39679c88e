/*
 * wsctl: list, show, watch and abort the channels of wschanneld.
 *
 * A thin main: the command line is parsed by wsctl_parse.c, the verb it
 * names runs from wsctl_verbs.c and prints through wsctl_output.c.
 */
#include "config.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

#include "wsctl.h"

int
main(int argc, char **argv)
{
	struct wsctl_cmd cmd;
	int code;

	/*
	 * The library decodes a listing on its I/O thread.  A thread's own
	 * malloc arena grows a page at a time (an mprotect and a fault each),
	 * which made decoding tens of thousands of channels cost more than
	 * everything else wsctl does; one arena, grown in large steps, does
	 * not.  wsctl runs one request at a time: nothing contends for it.
	 */
	(void)mallopt(M_ARENA_MAX, 1);
	(void)mallopt(M_TOP_PAD, 4 * 1024 * 1024);
	switch (wsctl_parse(argc, argv, &cmd)) {
	case WSCTL_HELP:
		wsctl_usage(stdout, cmd.verb);
		code = fflush(stdout) == 0 ? WSCTL_EXIT_OK : WSCTL_EXIT_FAILURE;
		break;
	case WSCTL_VERSION:
		printf("wsctl %s\n", PACKAGE_VERSION);
		code = fflush(stdout) == 0 ? WSCTL_EXIT_OK : WSCTL_EXIT_FAILURE;
		break;
	case WSCTL_USAGE_ERROR:
		fprintf(stderr, "wsctl: %s\n", cmd.error);
		fprintf(stderr, "Try 'wsctl%s%s --help'.\n",
		    cmd.verb != NULL ? " " : "",
		    cmd.verb != NULL ? cmd.verb->name : "");
		code = WSCTL_EXIT_USAGE;
		break;
	case WSCTL_RUN:
	default:
		code = cmd.verb->fn(&cmd);
		break;
	}
	wsctl_cmd_clear(&cmd);
	return code;
}
