// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * tcesim-bench - one harness for every benchmark case (STYLE.md §8).
 *
 *   tcesim-bench [--list] [--filter=GLOB] [--threads=1,2] [--min-ms=200]
 *                [--repeat=7] [--seed=N] [--format=csv|json] [--quick]
 *                [--clock=wall|cpu]
 *
 * For each case name (+ param) and thread count, all its variants are set
 * up, each is calibrated until one run takes >= --min-ms, then the variants
 * run in turn --repeat times (ABAB interleaving), so a candidate and its
 * baseline see the same machine state. ns per op is the elapsed time of a
 * run (slowest thread) divided by the iterations each thread did; ratio is
 * median(candidate) / median(baseline) from this same process.
 *
 * stdout carries data only: a CSV header and rows (or JSON Lines), the
 * first record being metadata; commentary goes to stderr prefixed '#', and
 * a closing "SUMMARY ..." line to stderr.
 *
 * --clock=cpu times a single-threaded run by the thread's own CPU time
 * (CLOCK_THREAD_CPUTIME_ID) instead of the wall clock: on a shared machine
 * a run that was preempted is not counted longer, so two builds compared in
 * turn (issue 10's same-run check against the pre-explorer commit) differ
 * by their code, not by the neighbours' load. Runs with threads > 1 keep
 * the wall clock (the slowest thread's elapsed time).
 */
#include <fnmatch.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <tcesim/tcesim.h>

#include "bench.h"

#ifndef TCESIM_GIT_DESCRIBE
#define TCESIM_GIT_DESCRIBE "unknown"
#endif
#ifndef TCESIM_BENCH_FLAGS
#define TCESIM_BENCH_FLAGS "unknown"
#endif
#ifndef TCESIM_URCU_VERSION
#define TCESIM_URCU_VERSION "unknown"
#endif

#define MAX_VARIANTS 8
#define MAX_REPEAT 64

static const struct bench_case *const case_tables[] = {
	bench_cases_ops, bench_cases_kvm, bench_cases_sva, bench_cases_prq, bench_cases_explore,
};

struct opts {
	bool list, quick, json;
	const char *filter;
	unsigned int threads[8];
	int nthreads;
	unsigned int min_ms, repeat;
	uint64_t seed;
};

struct run_arg {
	const struct bench_case *c;
	void *state;
	unsigned int tid;
	uint64_t iters;
	pthread_barrier_t *start;
};

static clockid_t single_clock = CLOCK_MONOTONIC;

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *run_thread(void *p)
{
	struct run_arg *a = p;

	tcesim_thread_enter();
	pthread_barrier_wait(a->start);
	a->c->run(a->state, a->tid, a->iters);
	tcesim_thread_exit();
	return NULL;
}

/* One timed run of @iters per thread; returns elapsed ns. */
static uint64_t timed_run(const struct bench_case *c, void *state, unsigned int threads,
			  uint64_t iters)
{
	pthread_t th[64];
	struct run_arg args[64];
	pthread_barrier_t start;
	uint64_t t0, t1;
	unsigned int i;

	if (threads == 1) {
		t0 = clock_ns(single_clock);
		c->run(state, 0, iters);
		return clock_ns(single_clock) - t0;
	}
	pthread_barrier_init(&start, NULL, threads + 1);
	for (i = 0; i < threads; i++) {
		args[i] = (struct run_arg){ c, state, i, iters, &start };
		pthread_create(&th[i], NULL, run_thread, &args[i]);
	}
	t0 = now_ns();
	pthread_barrier_wait(&start);
	for (i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	t1 = now_ns();
	pthread_barrier_destroy(&start);
	return t1 - t0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "model name", 10)) {
			char *c = strchr(line, ':');

			if (c) {
				c += 2;
				c[strcspn(c, "\n")] = 0;
				snprintf(buf, len, "%s", c);
			}
			break;
		}
	}
	fclose(f);
	for (char *p = buf; *p; p++)
		if (*p == ',' || *p == '"')
			*p = ' ';
}

/* Meta values must not contain the CSV separator or ';' (CMake list splits). */
static void scrub(char *dst, size_t len, const char *src)
{
	size_t i;

	for (i = 0; src[i] && i + 1 < len; i++)
		dst[i] = (src[i] == ',' || src[i] == ';' || src[i] == '"') ? '+' : src[i];
	dst[i] = 0;
}

static void emit_meta(const struct opts *o)
{
	char cpu[128], flags[256], git[64];
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	cpu_model(cpu, sizeof(cpu));
	scrub(flags, sizeof(flags), TCESIM_BENCH_FLAGS);
	scrub(git, sizeof(git), TCESIM_GIT_DESCRIBE);
	if (o->json)
		printf("{\"type\":\"meta\",\"git\":\"%s\",\"compiler\":\"gcc %s\",\"flags\":\"%s\","
		       "\"liburcu\":\"%s\",\"cpu\":\"%s\",\"nproc\":%ld,\"seed\":%" PRIu64
		       ",\"min_ms\":%u,\"repeat\":%u}\n",
		       git, __VERSION__, flags, TCESIM_URCU_VERSION, cpu, ncpu, o->seed, o->min_ms,
		       o->repeat);
	else
		printf("meta,git=%s|compiler=gcc %s|flags=%s|liburcu=%s|cpu=%s|nproc=%ld|seed=%" PRIu64
		       "|min_ms=%u|repeat=%u,0,0,0,0,0,0,,\n",
		       git, __VERSION__, flags, TCESIM_URCU_VERSION, cpu, ncpu, o->seed, o->min_ms,
		       o->repeat);
}

static __attribute__((unused)) void emit_warning(const struct opts *o, const char *msg)
{
	if (o->json)
		printf("{\"type\":\"warning\",\"message\":\"%s\"}\n", msg);
	else
		printf("warning,%s,0,0,0,0,0,0,,\n", msg);
	fprintf(stderr, "# warning: %s\n", msg);
}

struct variant_run {
	const struct bench_case *c;
	void *state;
	uint64_t iters;
	double ns[MAX_REPEAT];
	double median;
};

static void emit_row(const struct opts *o, const struct variant_run *v, unsigned int threads,
		     const char *baseline, double ratio, unsigned int repeat)
{
	double mn = v->ns[0], mx = v->ns[0];
	double ops = v->median > 0 ? 1e9 / v->median * threads : 0;
	char casename[128];
	unsigned int i;

	for (i = 1; i < repeat; i++) {
		if (v->ns[i] < mn)
			mn = v->ns[i];
		if (v->ns[i] > mx)
			mx = v->ns[i];
	}
	if (v->c->param)
		snprintf(casename, sizeof(casename), "%s/%s", v->c->name, v->c->param);
	else
		snprintf(casename, sizeof(casename), "%s", v->c->name);
	if (o->json) {
		printf("{\"type\":\"result\",\"case\":\"%s\",\"variant\":\"%s\",\"threads\":%u,"
		       "\"iters\":%" PRIu64 ",\"ns_op_median\":%.3f,\"ns_op_min\":%.3f,"
		       "\"ns_op_max\":%.3f,\"ops_per_s\":%.0f,\"baseline\":\"%s\",\"ratio\":",
		       casename, v->c->variant, threads, v->iters, v->median, mn, mx, ops,
		       baseline ? baseline : "");
		if (baseline)
			printf("%.3f}\n", ratio);
		else
			printf("null}\n");
	} else {
		printf("%s,%s,%u,%" PRIu64 ",%.3f,%.3f,%.3f,%.0f,%s,", casename, v->c->variant,
		       threads, v->iters, v->median, mn, mx, ops, baseline ? baseline : "");
		if (baseline)
			printf("%.3f\n", ratio);
		else
			printf("\n");
	}
}

static bool selected(const struct opts *o, const struct bench_case *c)
{
	char full[160];

	if (!o->filter)
		return true;
	snprintf(full, sizeof(full), "%s%s%s/%s", c->name, c->param ? "/" : "",
		 c->param ? c->param : "", c->variant);
	return !fnmatch(o->filter, full, 0) || !fnmatch(o->filter, c->name, 0);
}

/* Runs every selected variant of (name, param) at @threads, interleaved. */
static int run_group(const struct opts *o, const struct bench_case **vars, int nvars,
		     unsigned int threads, char *summary, size_t slen)
{
	struct variant_run vr[MAX_VARIANTS];
	struct bench_env env = { threads, o->seed, o->quick, vars[0]->param };
	uint64_t min_ns = (uint64_t)o->min_ms * 1000000ull;
	unsigned int r;
	int i, j, n = 0;

	for (i = 0; i < nvars; i++) {
		void *st = vars[i]->setup ? vars[i]->setup(&env) : NULL;

		if (vars[i]->setup && !st) {
			fprintf(stderr, "# %s/%s: setup failed, skipped\n", vars[i]->name,
				vars[i]->variant);
			continue;
		}
		vr[n].c = vars[i];
		vr[n].state = st;
		/* calibrate: double until a run takes >= min_ms */
		vr[n].iters = 1;
		for (;;) {
			uint64_t t = timed_run(vars[i], st, threads, vr[n].iters);

			if (t >= min_ns || vr[n].iters >= (1ull << 34))
				break;
			if (t < min_ns / 64)
				vr[n].iters *= 16;
			else
				vr[n].iters *= 2;
		}
		n++;
	}
	for (r = 0; r < o->repeat; r++)
		for (i = 0; i < n; i++)
			vr[i].ns[r] = (double)timed_run(vr[i].c, vr[i].state, threads, vr[i].iters) /
				      (double)vr[i].iters;
	for (i = 0; i < n; i++) {
		double sorted[MAX_REPEAT];

		memcpy(sorted, vr[i].ns, sizeof(double) * o->repeat);
		qsort(sorted, o->repeat, sizeof(double), cmp_double);
		vr[i].median = sorted[o->repeat / 2];
	}
	for (i = 0; i < n; i++) {
		const char *bl = vr[i].c->baseline;
		double ratio = 0;

		if (bl) {
			for (j = 0; j < n; j++)
				if (!strcmp(vr[j].c->variant, bl))
					break;
			if (j == n)
				bl = NULL;
			else
				ratio = vr[i].median / vr[j].median;
		}
		emit_row(o, &vr[i], threads, bl, ratio, o->repeat);
		if (bl) {
			size_t l = strlen(summary);

			snprintf(summary + l, slen - l, " %s%s%s/%s:%ut=%.2f", vr[i].c->name,
				 vr[i].c->param ? "/" : "", vr[i].c->param ? vr[i].c->param : "",
				 vr[i].c->variant, threads, ratio);
		}
	}
	for (i = 0; i < n; i++)
		if (vr[i].c->teardown)
			vr[i].c->teardown(vr[i].state);
	return n;
}

static void usage(void)
{
	printf("usage: tcesim-bench [--list] [--filter=GLOB] [--threads=1,2] [--min-ms=200]\n"
	       "                    [--repeat=7] [--seed=N] [--format=csv|json] [--quick]\n"
	       "                    [--clock=wall|cpu]\n");
}

int main(int argc, char **argv)
{
	struct opts o = { .threads = { 1, 2 }, .nthreads = 2, .min_ms = 200, .repeat = 7,
			  .seed = 0x7ce5 };
	const struct bench_case *all[256];
	char summary[4096] = "";
	bool done[256] = { false };
	int nall = 0, i, j, k, rows = 0;
	size_t t;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--list")) {
			o.list = true;
		} else if (!strcmp(a, "--clock=cpu")) {
			single_clock = CLOCK_THREAD_CPUTIME_ID;
		} else if (!strcmp(a, "--clock=wall")) {
			single_clock = CLOCK_MONOTONIC;
		} else if (!strcmp(a, "--quick")) {
			o.quick = true;
		} else if (!strncmp(a, "--filter=", 9)) {
			o.filter = a + 9;
		} else if (!strncmp(a, "--threads=", 10)) {
			char *s = strdup(a + 10), *tok, *save = NULL;

			o.nthreads = 0;
			for (tok = strtok_r(s, ",", &save); tok && o.nthreads < 8;
			     tok = strtok_r(NULL, ",", &save)) {
				unsigned int n = (unsigned int)strtoul(tok, NULL, 10);

				if (n < 1 || n > 64) {
					fprintf(stderr, "tcesim-bench: bad thread count %s\n", tok);
					free(s);
					return 2;
				}
				o.threads[o.nthreads++] = n;
			}
			free(s);
		} else if (!strncmp(a, "--min-ms=", 9)) {
			o.min_ms = (unsigned int)strtoul(a + 9, NULL, 10);
		} else if (!strncmp(a, "--repeat=", 9)) {
			o.repeat = (unsigned int)strtoul(a + 9, NULL, 10);
			if (o.repeat < 1 || o.repeat > MAX_REPEAT) {
				fprintf(stderr, "tcesim-bench: --repeat takes 1..%d\n", MAX_REPEAT);
				return 2;
			}
		} else if (!strncmp(a, "--seed=", 7)) {
			o.seed = strtoull(a + 7, NULL, 0);
		} else if (!strcmp(a, "--format=csv")) {
			o.json = false;
		} else if (!strcmp(a, "--format=json")) {
			o.json = true;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage();
			return 0;
		} else {
			fprintf(stderr, "tcesim-bench: unknown option %s\n", a);
			usage();
			return 2;
		}
	}
	if (o.quick) {
		o.min_ms = 2;
		o.repeat = 3;
	}
	for (t = 0; t < sizeof(case_tables) / sizeof(case_tables[0]); t++)
		for (const struct bench_case *c = case_tables[t]; c->name && nall < 256; c++)
			all[nall++] = c;
	if (o.list) {
		for (i = 0; i < nall; i++)
			printf("%s%s%s/%s%s%s\n", all[i]->name, all[i]->param ? "/" : "",
			       all[i]->param ? all[i]->param : "", all[i]->variant,
			       all[i]->baseline ? " baseline=" : "",
			       all[i]->baseline ? all[i]->baseline : "");
		return 0;
	}
	tcesim_thread_enter();
	if (!o.json)
		printf("case,variant,threads,iters,ns_op_median,ns_op_min,ns_op_max,ops_per_s,"
		       "baseline,ratio\n");
	emit_meta(&o);
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
	emit_warning(&o, "sanitizer build: timings are not representative");
#endif
#ifndef __OPTIMIZE__
	emit_warning(&o, "unoptimised build: timings are not representative");
#endif
	for (i = 0; i < nall; i++) {
		const struct bench_case *group[MAX_VARIANTS];
		int ng = 0;

		if (done[i])
			continue;
		for (j = i; j < nall && ng < MAX_VARIANTS; j++) {
			bool same_param = (!all[i]->param && !all[j]->param) ||
					  (all[i]->param && all[j]->param &&
					   !strcmp(all[i]->param, all[j]->param));

			if (!done[j] && !strcmp(all[i]->name, all[j]->name) && same_param) {
				done[j] = true;
				if (selected(&o, all[j]))
					group[ng++] = all[j];
			}
		}
		if (!ng)
			continue;
		for (k = 0; k < o.nthreads; k++) {
			const struct bench_case *g2[MAX_VARIANTS];
			int n2 = 0;

			for (j = 0; j < ng; j++)
				if (!group[j]->max_threads || o.threads[k] <= group[j]->max_threads)
					g2[n2++] = group[j];
			if (!n2)
				continue;
			fprintf(stderr, "# %s%s%s: %d variant(s), %u thread(s)\n", group[0]->name,
				group[0]->param ? "/" : "", group[0]->param ? group[0]->param : "",
				n2, o.threads[k]);
			fflush(stdout);
			rows += run_group(&o, g2, n2, o.threads[k], summary, sizeof(summary));
		}
	}
	fflush(stdout);
	fprintf(stderr, "SUMMARY rows %d%s\n", rows, summary);
	tcesim_thread_exit();
	return rows ? 0 : 1;
}
