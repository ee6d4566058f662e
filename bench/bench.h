/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench.h - the tcesim-bench case API (STYLE.md §8).
 *
 * A case file (cases_<mod>.c) defines an array of struct bench_case ending
 * with a zeroed entry and adds it to bench/cases.c's list. The harness
 * calls setup once per (case, thread count), then run() with growing
 * iteration counts until one run takes >= --min-ms, repeats it --repeat
 * times interleaving each candidate with its baseline (ABAB), and reports
 * ns per op and the ratio of medians candidate/baseline from the same run.
 *
 * run() is called concurrently from @threads threads (each with its own
 * tid) and must do exactly @iters ops per thread; the harness times the
 * slowest thread and divides by iters (ns per op per thread).
 */
#ifndef TCESIM_BENCH_H
#define TCESIM_BENCH_H

#include <stdbool.h>
#include <stdint.h>

struct bench_env {
	unsigned int threads;	/* threads running this case */
	uint64_t seed;
	bool quick;		/* --quick: smallest sizes, prove it runs */
	const char *param;	/* variant parameter (e.g. "1024" bonds); may be NULL */
};

struct bench_case {
	const char *name;	/* "tce_map_unmap" */
	const char *variant;	/* "xchg", "lock", "raw_xchg" */
	const char *baseline;	/* variant of the same case to compare with, or NULL */
	const char *param;	/* passed in env->param */
	unsigned int max_threads; /* 0 = any; 1 = single-threaded only */
	/* returns private state or NULL on failure */
	void *(*setup)(const struct bench_env *env);
	void (*run)(void *state, unsigned int tid, uint64_t iters);
	void (*teardown)(void *state);
};

/* Registered case tables (bench/cases.c lists them). */
extern const struct bench_case bench_cases_ops[];
extern const struct bench_case bench_cases_kvm[];
extern const struct bench_case bench_cases_sva[];
extern const struct bench_case bench_cases_prq[];
extern const struct bench_case bench_cases_explore[];

#endif
