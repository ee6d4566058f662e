// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * cases_explore.c - tcesim-bench cases of the interleaving explorer
 * (issue 10): one op is one whole exploration of a bundled example (every
 * schedule at its preemption bound, each with its own world: setup,
 * threads, finally, teardown, invariants), run through the public
 * tcesim_script_run_files().
 *
 *  explore/a/dfs   examples/explore_seed000_map_unmap.tsim (example a:
 *                  MAP_DMA vs UNMAP_DMA of one IOBA of a v1 container)
 *  explore/c/dfs   examples/explore_seed003_pasid_reuse.tsim (example c,
 *                  PASID reuse after a drain) when the file exists
 *
 * Setup runs the file once and counts its schedules (the "after N
 * schedules" of its explore line), printed to stderr as "# explore/X: N
 * schedules per op": schedules per second = N * ops_per_s. Issue 10's
 * target is >= 10,000 schedules/s on example a.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include <tcesim/tcesim.h>

#ifndef TCESIM_BENCH_EXAMPLES
#define TCESIM_BENCH_EXAMPLES "examples"
#endif

struct explore_bench {
	char path[512];
	FILE *sink;		/* /dev/null: the runner's output */
	unsigned long schedules;
};

static int run_once(struct explore_bench *b, FILE *out)
{
	const char *paths[1] = { b->path };
	struct tcesim_run_opts o = { .size = sizeof(o), .out = out, .err = out };

	return tcesim_script_run_files(paths, 1, &o, NULL);
}

static void explore_teardown(void *arg)
{
	struct explore_bench *b = arg;

	if (!b)
		return;
	if (b->sink)
		fclose(b->sink);
	free(b);
}

static void *explore_setup(const struct bench_env *env)
{
	struct explore_bench *b = calloc(1, sizeof(*b));
	char *text = NULL, *at;
	size_t len = 0;
	FILE *mem;

	if (!b)
		return NULL;
	snprintf(b->path, sizeof(b->path), "%s/%s", TCESIM_BENCH_EXAMPLES, env->param);
	b->sink = fopen("/dev/null", "w");
	mem = open_memstream(&text, &len);
	if (!b->sink || !mem || access(b->path, R_OK) || run_once(b, mem)) {
		if (mem)
			fclose(mem);
		free(text);
		explore_teardown(b);
		return NULL;
	}
	fclose(mem);
	at = strstr(text, " after ");
	if (at)
		b->schedules = strtoul(at + 7, NULL, 10);
	fprintf(stderr, "# explore/%s: %lu schedules per op\n", env->param, b->schedules);
	free(text);
	return b;
}

static void explore_run(void *arg, unsigned int tid, uint64_t iters)
{
	struct explore_bench *b = arg;

	(void)tid;
	for (uint64_t i = 0; i < iters; i++)
		(void)run_once(b, b->sink);
}

const struct bench_case bench_cases_explore[] = {
	{ "explore", "dfs", NULL, "explore_seed000_map_unmap.tsim", 1, explore_setup,
	  explore_run, explore_teardown },
	{ "explore", "dfs", NULL, "explore_seed003_pasid_reuse.tsim", 1, explore_setup,
	  explore_run, explore_teardown },
	{ NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL },
};
