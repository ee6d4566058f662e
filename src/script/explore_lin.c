// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * explore_lin.c - the `linearizable` flag of an explore line (issue 10,
 * docs/SCENARIO.md "Exploring interleavings").
 *
 * A schedule is linearizable when every thread line's result, and the end
 * state, equal those of at least one sequential execution of the same
 * lines: one line at a time, each thread's lines in file order, the
 * threads' lines merged in any way (every command atomic, as Herlihy and
 * Wing's linearizability asks of operations; a thread-level serial order is
 * one of those merges). The end state is the `finally` lines' results plus
 * the world's total page pins and locked_vm after them.
 *
 * The sequential outcomes are computed once per exploration, before it: each
 * merge runs the whole file (setup, the merged lines, finally) in a fresh
 * world, outside the explorer, quietly, and leaves a pair (digest of the
 * lines' results, end-state digest); at most XS_LIN_MAX_ORDERS merges
 * (4 threads of 1..2 lines, 2 threads of up to 6, ...). Each explored
 * schedule then looks its pair up (xs_lin_match()).
 *
 * Results are compared as printed ("=> ok old=0x100001003"): a result that
 * names a host address depends on which page was faulted in first, so a
 * file checked this way should fault its pages in during the setup.
 */
#include <xxhash.h>

#include "script/explore_script.h"
#include <tcesim/mem.h>

struct xs_lin_outcome {
	uint64_t res;			/* digest of x->res after the lines */
	uint64_t end;			/* x->fin_digest */
};

struct xs_lin {
	unsigned long n;		/* outcomes stored */
	unsigned long orders;		/* merges run */
	struct xs_lin_outcome out[XS_LIN_MAX_ORDERS];
};

/* the number of merges of the threads' line lists, or > cap */
static unsigned long count_merges(const struct xs_file *f, unsigned long cap)
{
	unsigned long total = 1, placed = 0;

	/* multinomial, built up as a product of binomials C(placed + n, n) */
	for (int t = 0; t < f->nthreads; t++) {
		unsigned long n = (unsigned long)f->thr[t].n;

		for (unsigned long k = 1; k <= n; k++) {
			total = total * (placed + k) / k;
			if (total > cap)
				return cap + 1;
		}
		placed += n;
	}
	return total;
}

static void add_outcome(struct xs_run *x)
{
	struct xs_lin *l = x->lin;
	struct xs_lin_outcome o = {
		.res = XXH3_64bits(x->res, sizeof(x->res)),
		.end = x->fin_digest,
	};

	for (unsigned long i = 0; i < l->n; i++)
		if (l->out[i].res == o.res && l->out[i].end == o.end)
			return;
	l->out[l->n++] = o;
}

/* one merge: order[k] is the thread running the k-th line */
static void run_merge(struct xs_run *x, const int *order, int len)
{
	int next[XS_MAX_THREADS] = { 0 };
	char why[TCESIM_EXPLORE_WHY_LEN];

	xs_setup(x);
	for (int k = 0; k < len && !*x->v.syntax_error; k++) {
		int t = order[k], i = next[t]++;

		xs_run_line(x, &x->f->thr[t].lines[i], &x->res[t][i]);
	}
	xs_finally(x);
	if (!*x->v.syntax_error)
		add_outcome(x);
	x->lin->orders++;
	(void)xs_teardown(x, why, sizeof(why));
}

/* every merge, depth first: left[t] lines of thread t still to place */
static void merges(struct xs_run *x, int *order, int k, int len, int *left)
{
	if (*x->v.syntax_error)
		return;
	if (k == len) {
		run_merge(x, order, len);
		return;
	}
	for (int t = 0; t < x->f->nthreads; t++) {
		if (!left[t])
			continue;
		left[t]--;
		order[k] = t;
		merges(x, order, k + 1, len, left);
		left[t]++;
	}
}

int xs_lin_precompute(struct xs_run *x)
{
	struct tcesim_run_opts qo = **x->v.opts;
	const struct tcesim_run_opts *saved = *x->v.opts;
	long passed = *x->v.passed, failed = *x->v.failed;
	FILE *out = *x->v.out;
	int order[XS_MAX_THREADS * 64], left[XS_MAX_THREADS], len = 0;

	if (count_merges(x->f, XS_LIN_MAX_ORDERS) > XS_LIN_MAX_ORDERS)
		return -E2BIG;
	x->lin = calloc(1, sizeof(*x->lin));
	if (!x->lin)
		return -ENOMEM;
	for (int t = 0; t < x->f->nthreads; t++) {
		left[t] = x->f->thr[t].n;
		len += left[t];
	}
	x->mem = fmemopen(x->membuf, sizeof(x->membuf), "w");
	if (!x->mem)
		return -ENOMEM;
	/* quiet, with explain on so each line's "=> RESULT" can be read back */
	qo.explain = true;
	*x->v.opts = &qo;
	*x->v.out = x->mem;
	x->quiet = true;
	merges(x, order, 0, len, left);
	x->quiet = false;
	*x->v.out = out;
	*x->v.opts = saved;
	fclose(x->mem);
	x->mem = NULL;
	*x->v.passed = passed;
	*x->v.failed = failed;
	return *x->v.syntax_error ? -EINVAL : 0;
}

bool xs_lin_match(const struct xs_run *x)
{
	uint64_t res = XXH3_64bits(x->res, sizeof(x->res));

	for (unsigned long i = 0; i < x->lin->n; i++)
		if (x->lin->out[i].res == res && x->lin->out[i].end == x->fin_digest)
			return true;
	return false;
}

unsigned long xs_lin_orders(const struct xs_run *x)
{
	return x->lin ? x->lin->orders : 0;
}

void xs_lin_free(struct xs_run *x)
{
	free(x->lin);
	x->lin = NULL;
}
