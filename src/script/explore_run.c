// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * explore_run.c - one schedule's sequential parts for a scenario with
 * `thread` sections (explore_script.c): running one line and reading its
 * result back, the setup, the `finally` section and the teardown with the
 * built-in invariants (issue 10 point 5). Below both explore_lin.c (which
 * replays sequential orders with them) and explore_script.c (which runs
 * them around the explored threads): the code moved here, unchanged, so
 * that the two call each other no more (issue 9).
 */
#include <xxhash.h>

#include "script/explore_script.h"
#include <tcesim/explore.h>
#include <tcesim/mem.h>

/* the last "    => ..." line of buf[0..end): written by the line just run */
static uint64_t result_hash(const char *buf, long end, int lineno)
{
	const char *r = NULL;

	for (long i = end - 1; i >= 0; i--) {
		if (!strncmp(buf + i, "    => ", 7) && (i == 0 || buf[i - 1] == '\n')) {
			r = buf + i;
			break;
		}
	}
	if (!r)
		return (uint64_t)lineno;
	return XXH3_64bits_withSeed(r, strcspn(r, "\n"), (uint64_t)lineno);
}

static uint64_t last_result_hash(struct xs_run *x, int lineno)
{
	fflush(x->mem);
	return result_hash(x->membuf, ftell(x->mem), lineno);
}

/* runs one line; false on a syntax error. Records a failed expectation as a violation. */
bool xs_run_line(struct xs_run *x, const struct xs_line *ln, uint64_t *res_hash)
{
	long before = *x->v.failed;

	if (x->quiet && ftell(x->mem) > XS_MEMBUF / 2) {
		rewind(x->mem);
		memset(x->membuf, 0, sizeof(x->membuf));
	}
	if (script_line_run(x->ctx, ln->lineno, ln->text) != SCRIPT_OK) {
		tcesim_explore_fail("syntax error");
		return false;
	}
	if (res_hash && x->quiet)
		*res_hash = last_result_hash(x, ln->lineno);
	if (*x->v.failed > before) {
		char why[TCESIM_EXPLORE_WHY_LEN];

		snprintf(why, sizeof(why), "%s:%d: an expectation failed", x->v.file, ln->lineno);
		tcesim_explore_fail(why);
	}
	return true;
}

void *xs_setup(void *arg)
{
	struct xs_run *x = arg;

	tcesim_world_cfg_init(x->v.cfg);
	memset(x->res, 0, sizeof(x->res));
	x->fin_digest = 0;
	if (x->quiet) {
		rewind(x->mem);
		memset(x->membuf, 0, sizeof(x->membuf));
	}
	for (int i = 0; i < x->f->setup.n; i++)
		if (!xs_run_line(x, &x->f->setup.lines[i], NULL))
			break;
	return x;
}

void xs_finally(struct xs_run *x)
{
	uint64_t h = 0, fin[2];

	for (int i = 0; i < x->f->fin.n && !*x->v.syntax_error; i++) {
		xs_run_line(x, &x->f->fin.lines[i], x->lin ? &h : NULL);
		x->fin_digest = XXH3_64bits_withSeed(&h, sizeof(h), x->fin_digest);
	}
	if (!x->lin || !*x->v.w)
		return;
	/* the end state of the linearizable check (docs/SCENARIO.md) */
	fin[0] = (uint64_t)tcesim_mem_pinned_pages(*x->v.w);
	fin[1] = tcesim_mem_locked_vm_charged(*x->v.w);
	x->fin_digest = XXH3_64bits_withSeed(fin, sizeof(fin), x->fin_digest);
}

/* built-in invariants (issue 10 point 5), on every schedule */
int xs_teardown(void *ctx, char *why, size_t len)
{
	struct xs_run *x = ctx;
	struct tcesim_world *w = *x->v.w;
	long pinned = 0, leaked;
	unsigned long locked;

	script_ctx_objs_destroy(x->ctx);
	if (!w)
		return 0;
	tcesim_rcu_barrier(); /* the explorer's callbacks (never liburcu's while exploring) */
	pinned = tcesim_mem_pinned_pages(w);
	locked = tcesim_mem_locked_vm_charged(w);
	leaked = tcesim_explore_world_destroy(w);
	*x->v.w = NULL;
	if (pinned || locked) {
		snprintf(why, len, "invariant: %ld page(s) still pinned and %lu page(s) of locked_vm "
			 "still charged after teardown", pinned, locked);
		return 1;
	}
	if (leaked) {
		snprintf(why, len, "invariant: %ld model allocation(s) leaked", leaked);
		return 1;
	}
	return 0;
}
