// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * tcesim - command-line front end (thin: the work is in the library).
 *
 *   tcesim run [--explain] FILE...        run scenario files
 *   tcesim replay TRACE.tce.txt[.xz]...   replay real guest TCE hypercall traces
 *   tcesim commands                       list scenario commands
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tcesim/tcesim.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tcesim COMMAND [ARGS]\n"
		"\n"
		"commands:\n"
		"  run [--explain] FILE...       run .tsim scenario files (exit 0 all held,\n"
		"                                1 an expectation failed, 2 syntax error)\n"
		"  run --schedule=S FILE         replay one schedule of a file with thread\n"
		"                                sections (the string an exploration printed)\n"
		"  replay [OPTIONS] TRACE...     replay QEMU TCE hypercall traces through the\n"
		"                                model (tcesim replay --help)\n"
		"  commands                      list the scenario commands\n"
		"  --version                     print the version\n"
		"  --help                        this text\n");
}

static int cmd_run(int argc, char **argv)
{
	struct tcesim_run_opts opts = { .size = sizeof(opts) };
	const char **files = calloc((size_t)argc + 1, sizeof(char *));
	int i, n = 0, ret;

	if (!files)
		return 2;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--explain")) {
			opts.explain = true;
		} else if (!strncmp(argv[i], "--schedule=", 11)) {
			opts.schedule = argv[i] + 11;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("usage: tcesim run [--explain] [--schedule=S] FILE...\n");
			free(files);
			return 0;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "tcesim run: unknown option %s\n", argv[i]);
			free(files);
			return 2;
		} else {
			files[n++] = argv[i];
		}
	}
	if (!n) {
		fprintf(stderr, "usage: tcesim run [--explain] FILE...\n");
		free(files);
		return 2;
	}
	ret = tcesim_script_run_files(files, n, &opts, NULL);
	free(files);
	return ret;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("tcesim %s\n", TCESIM_VERSION_STRING);
		return 0;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "commands")) {
		tcesim_script_print_commands(stdout);
		return 0;
	}
#ifdef TCESIM_HAVE_REPLAY
	if (!strcmp(argv[1], "replay"))
		return tcesim_replay_main(argc - 1, argv + 1, stdout, stderr);
#endif
	fprintf(stderr, "tcesim: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
