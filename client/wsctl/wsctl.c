/*
 * wsctl: list, show, watch and abort the channels of wschanneld.
 *
 * A thin main: the command line is parsed by wsctl_parse.c, the verb it
 * names runs from wsctl_verbs.c and prints through wsctl_output.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "wsctl.h"

int
main(int argc, char **argv)
{
	struct wsctl_cmd cmd;
	int code;

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
