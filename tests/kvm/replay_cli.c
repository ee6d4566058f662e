// SPDX-License-Identifier: LGPL-2.1-or-later
/* replay_cli.c - `kvm_replay_cli replay FILE...`: tcesim_replay_main() alone. */
#include <stdio.h>
#include <string.h>

#include <tcesim/replay.h>

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "replay")) {
		fprintf(stderr, "usage: %s replay [options] NAME.tce.txt[.xz]...\n", argv[0]);
		return 2;
	}
	return tcesim_replay_main(argc - 1, argv + 1, stdout, stderr);
}
