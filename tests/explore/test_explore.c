// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_explore.c - the controlled scheduler and its search (issue 10):
 * a lost update found at preemption bound 1 and not at 0, schedule counts
 * equal to their closed forms, byte-identical replay, deadlock detection,
 * the RCU model (grace periods, call_rcu callback timing), PCT, bad input.
 */
#include "tcesim_test.h"
#include "internal.h"

/* ------------------------------------------------------------ fixtures --- */

struct ctx {
	_Atomic uint64_t slot;		/* a TCE-like shared word */
	struct tcesim_mutex m[2];
	int locked_incr;		/* incremented under m[0] */
	int steps;			/* yields per thread (count tests) */
	/* RCU */
	struct obj { int freed; struct rcu_head rcu; } objs[2];
	struct obj *ptr;
	int seen_freed;
	int mode;
};

static struct ctx g_ctx;

static void *setup(void *arg)
{
	struct ctx *c = &g_ctx;

	memset(c, 0, sizeof(*c));
	c->mode = (int)(intptr_t)arg;
	tcesim_mutex_init(&c->m[0]);
	tcesim_mutex_init(&c->m[1]);
	c->ptr = &c->objs[0];
	return c;
}

static int teardown(void *vc, char *why, size_t len)
{
	struct ctx *c = vc;

	(void)why;
	(void)len;
	tcesim_mutex_destroy(&c->m[0]);
	tcesim_mutex_destroy(&c->m[1]);
	return 0;
}

/* read, then write: the pattern the TCE exchange replaced */
static void incr_thread(void *vc, unsigned int idx)
{
	struct ctx *c = vc;
	uint64_t v;

	(void)idx;
	v = tce_read(&c->slot);
	tce_write(&c->slot, v + 1);
}

static int check_two(void *vc, char *why, size_t len)
{
	struct ctx *c = vc;
	uint64_t v = tce_read(&c->slot);

	if (v != 2) {
		snprintf(why, len, "lost update: slot is %llu, want 2", (unsigned long long)v);
		return 1;
	}
	return 0;
}

static uint64_t digest_slot(void *vc)
{
	return tce_read(&((struct ctx *)vc)->slot) + 100;
}

static const struct tcesim_explore_case lost_update = {
	.nr_threads = 2, .setup = setup, .thread = incr_thread, .check = check_two,
	.teardown = teardown, .digest = digest_slot,
};

static int run(const struct tcesim_explore_case *c, int bound, struct tcesim_explore_result *r)
{
	struct tcesim_explore_opts o;

	tcesim_explore_opts_init(&o);
	o.preemptions = bound;
	return tcesim_explore(c, &o, r);
}

static int replay(const struct tcesim_explore_case *c, const char *sched,
		  void (*trace)(void *, const char *), void *tctx, struct tcesim_explore_result *r)
{
	struct tcesim_explore_opts o;

	tcesim_explore_opts_init(&o);
	o.mode = TCESIM_EXPLORE_REPLAY;
	o.schedule = sched;
	o.trace = trace;
	o.trace_ctx = tctx;
	return tcesim_explore(c, &o, r);
}

/* ----------------------------------------------------------- lost update --- */

static void test_lost_update_needs_one_preemption(void **state)
{
	struct tcesim_explore_result r, r2;

	(void)state;
	/* bound 0: a then b, b then a; both hold */
	assert_int_equal(run(&lost_update, 0, &r), 0);
	assert_int_equal(r.schedules, 2);
	assert_true(r.complete);
	assert_int_equal(r.end_states, 1);
	/* bound 1: a reads, b runs whole, a writes its stale value */
	assert_int_equal(run(&lost_update, 1, &r), 1);
	assert_int_equal(r.violations, 1);
	assert_non_null(strstr(r.why, "lost update: slot is 1"));
	assert_true(strlen(r.schedule) > 0 && strcmp(r.schedule, ".") != 0);
	/* the printed schedule replays exactly that violation */
	assert_int_equal(replay(&lost_update, r.schedule, NULL, NULL, &r2), 1);
	assert_int_equal(r2.schedules, 1);
	assert_string_equal(r2.why, r.why);
	/* keep going: every schedule at bound 1, the interleavings of 2+2 steps */
	{
		struct tcesim_explore_opts o;

		tcesim_explore_opts_init(&o);
		o.preemptions = TCESIM_EXPLORE_UNBOUNDED;
		o.keep_going = true;
		o.no_sleep_sets = true;
		assert_int_equal(tcesim_explore(&lost_update, &o, &r), 1);
		assert_int_equal(r.schedules, 6);	/* C(4,2) */
		assert_int_equal(r.violations, 4);	/* all but the two serial orders */
		assert_int_equal(r.end_states, 2);	/* slot 1 or 2 */
		/* sleep sets: the two reads commute, so 4 Mazurkiewicz traces:
		 * ra wa rb wb, rb wb ra wa, and {ra,rb} then wa wb or wb wa */
		o.no_sleep_sets = false;
		assert_int_equal(tcesim_explore(&lost_update, &o, &r), 1);
		assert_int_equal(r.schedules, 4);
		assert_int_equal(r.violations, 2);
		assert_int_equal(r.end_states, 2);
	}
}

static void locked_incr_thread(void *vc, unsigned int idx)
{
	struct ctx *c = vc;
	uint64_t v;

	(void)idx;
	tcesim_mutex_lock(&c->m[0]);
	assert_true(tcesim_mutex_held(&c->m[0]));
	v = tce_read(&c->slot);
	tce_write(&c->slot, v + 1);
	tcesim_mutex_unlock(&c->m[0]);
	assert_false(tcesim_mutex_held(&c->m[0]));
}

static void test_mutex_makes_it_hold(void **state)
{
	struct tcesim_explore_case c = lost_update;
	struct tcesim_explore_result r;

	(void)state;
	c.thread = locked_incr_thread;
	c.nr_threads = 3;
	c.check = NULL;
	assert_int_equal(run(&c, TCESIM_EXPLORE_UNBOUNDED, &r), 0);
	assert_true(r.complete);
	assert_int_equal(r.end_states, 1);	/* always 3 */
	assert_int_equal(r.schedules, 6);	/* only which thread locks first: 3! */
}

/* ------------------------------------------------------- closed forms --- */

static void yield_thread(void *vc, unsigned int idx)
{
	struct ctx *c = vc;

	(void)idx;
	for (int i = 0; i < c->steps; i++)
		tcesim_explore_yield();
}

static struct ctx *yield_setup_ctx;
static void *yield_setup(void *arg)
{
	struct ctx *c = setup(NULL);

	c->steps = (int)(intptr_t)arg;
	yield_setup_ctx = c;
	return c;
}

static unsigned long factorial(unsigned int n)
{
	return n <= 1 ? 1 : n * factorial(n - 1);
}

static void test_schedule_count_closed_form(void **state)
{
	struct tcesim_explore_case c = {
		.setup = yield_setup, .thread = yield_thread, .teardown = teardown,
	};
	struct tcesim_explore_result r;

	(void)state;
	for (unsigned int n = 1; n <= 3; n++) {
		for (int k = 1; k <= 3; k++) {
			/* unbounded: (n*k)! / (k!)^n interleavings of n threads of k steps */
			unsigned long want = factorial(n * (unsigned int)k);

			for (unsigned int i = 0; i < n; i++)
				want /= factorial((unsigned int)k);
			c.nr_threads = n;
			c.arg = (void *)(intptr_t)k;
			assert_int_equal(run(&c, TCESIM_EXPLORE_UNBOUNDED, &r), 0);
			assert_int_equal(r.schedules, want);
			assert_true(r.complete);
			/* bound 0: the n! serial orders */
			assert_int_equal(run(&c, 0, &r), 0);
			assert_int_equal(r.schedules, factorial(n));
		}
	}
	/* bound 1, 2 threads of k steps: x^k y^k, or x^i y^k x^(k-i) for
	 * i = 1..k-1 (the switch back is free: y has finished): 2k */
	c.nr_threads = 2;
	for (int k = 1; k <= 4; k++) {
		c.arg = (void *)(intptr_t)k;
		assert_int_equal(run(&c, 1, &r), 0);
		assert_int_equal(r.schedules, 2 * k);
	}
}

/* ------------------------------------------------------------- replay --- */

struct tbuf {
	char b[4096];
	size_t n;
};

static void trace_cb(void *vt, const char *line)
{
	struct tbuf *t = vt;

	t->n += (size_t)snprintf(t->b + t->n, sizeof(t->b) - t->n, "%s\n", line);
}

static void test_replay_byte_identical(void **state)
{
	struct tcesim_explore_result r;
	struct tbuf t1 = { .n = 0 }, t2 = { .n = 0 };

	(void)state;
	assert_int_equal(replay(&lost_update, "ab2", trace_cb, &t1, &r), 1);
	assert_int_equal(replay(&lost_update, "ab2", trace_cb, &t2, &r), 1);
	assert_true(t1.n > 0);
	assert_int_equal(t1.n, t2.n);
	assert_memory_equal(t1.b, t2.b, t1.n);
	/* the interleaving itself: a reads, b reads and writes, a writes */
	assert_string_equal(t1.b, "step 0: a tce_read\nstep 1: b tce_read\n"
				  "step 2: b tce_write\nstep 3: a tce_write\n");
	/* the default schedule "." is serial: holds */
	assert_int_equal(replay(&lost_update, ".", NULL, NULL, &r), 0);
	assert_int_equal(r.schedules, 1);
}

static void test_replay_bad_schedule(void **state)
{
	struct tcesim_explore_result r;

	(void)state;
	assert_errno(replay(&lost_update, "az", NULL, NULL, &r), -EINVAL);
	assert_non_null(strstr(r.why, "offset 1"));
	assert_int_equal(r.schedules, 0);
	assert_errno(replay(&lost_update, "a0", NULL, NULL, &r), -EINVAL);
	assert_errno(replay(&lost_update, "c", NULL, NULL, &r), -EINVAL);
	/* well formed, but b has finished at the second decision */
	assert_errno(replay(&lost_update, "bbbbbbbbba", NULL, NULL, &r), -EINVAL);
	assert_non_null(strstr(r.why, "the run had only"));
	/* b is blocked... here: a letter for a finished thread at a real decision */
	assert_errno(replay(&lost_update, "abbbba", NULL, NULL, &r), -EINVAL);
}

static void test_bad_args(void **state)
{
	struct tcesim_explore_case c = lost_update;
	struct tcesim_explore_opts o;
	struct tcesim_explore_result r;

	(void)state;
	c.nr_threads = 0;
	assert_errno(tcesim_explore(&c, NULL, &r), -EINVAL);
	c.nr_threads = TCESIM_EXPLORE_MAX_THREADS + 1;
	assert_errno(tcesim_explore(&c, NULL, &r), -EINVAL);
	assert_errno(tcesim_explore(NULL, NULL, &r), -EINVAL);
	assert_errno(tcesim_explore(&lost_update, NULL, NULL), -EINVAL);
	tcesim_explore_opts_init(&o);
	o.preemptions = -2;
	assert_errno(tcesim_explore(&lost_update, &o, &r), -EINVAL);
	tcesim_explore_opts_init(&o);
	o.mode = TCESIM_EXPLORE_RANDOM;
	o.depth = 0;
	assert_errno(tcesim_explore(&lost_update, &o, &r), -EINVAL);
}

/* ------------------------------------------------------------ deadlock --- */

static void abba_thread(void *vc, unsigned int idx)
{
	struct ctx *c = vc;

	tcesim_mutex_lock(&c->m[idx]);
	tcesim_mutex_lock(&c->m[!idx]);
	tcesim_mutex_unlock(&c->m[!idx]);
	tcesim_mutex_unlock(&c->m[idx]);
}

static void test_deadlock_reported(void **state)
{
	struct tcesim_explore_case c = lost_update;
	struct tcesim_explore_result r, r2;

	(void)state;
	c.thread = abba_thread;
	c.check = NULL;
	assert_int_equal(run(&c, 0, &r), 0);
	assert_int_equal(run(&c, 1, &r), 1);
	assert_int_equal(r.deadlocks, 1);
	assert_non_null(strstr(r.why, "deadlock: a blocked in mutex_lock; b blocked in mutex_lock;"));
	assert_int_equal(replay(&c, r.schedule, NULL, NULL, &r2), 1);
	assert_int_equal(r2.deadlocks, 1);
}

/* ----------------------------------------------------------------- RCU --- */

static void obj_free_rcu(struct rcu_head *h)
{
	tcesim_container_of(h, struct obj, rcu)->freed = 1;
}

/* thread a reads under RCU; thread b replaces and frees (mode: 0 sync, 1 call_rcu, 2 no GP) */
static void rcu_thread(void *vc, unsigned int idx)
{
	struct ctx *c = vc;

	if (idx == 0) {
		struct obj *p;

		tcesim_rcu_read_lock();
		p = tcesim_rcu_deref(c->ptr);
		tcesim_explore_yield();
		if (p->freed)
			c->seen_freed = 1;
		tcesim_rcu_read_unlock();
		return;
	}
	struct obj *old = c->ptr;

	tcesim_rcu_assign(c->ptr, &c->objs[1]);
	if (c->mode == 0) {
		tcesim_synchronize_rcu();
		old->freed = 1;
	} else if (c->mode == 1) {
		tcesim_call_rcu(&old->rcu, obj_free_rcu);
	} else {
		tcesim_explore_yield();
		old->freed = 1;
	}
}

static int rcu_check(void *vc, char *why, size_t len)
{
	struct ctx *c = vc;

	if (c->seen_freed) {
		snprintf(why, len, "reader saw freed object");
		return 1;
	}
	if (!c->objs[0].freed) {
		snprintf(why, len, "old object never freed");
		return 1;
	}
	return 0;
}

static void test_rcu_grace_periods(void **state)
{
	struct tcesim_explore_case c = {
		.nr_threads = 2, .setup = setup, .thread = rcu_thread, .check = rcu_check,
		.teardown = teardown,
	};
	struct tcesim_explore_result r;

	(void)state;
	c.arg = (void *)0;
	assert_int_equal(run(&c, TCESIM_EXPLORE_UNBOUNDED, &r), 0);
	assert_true(r.schedules >= 3);
	c.arg = (void *)1;
	assert_int_equal(run(&c, TCESIM_EXPLORE_UNBOUNDED, &r), 0);
	/* the callback is a schedulable event: more schedules than its steps alone */
	assert_true(r.schedules >= 4);
	c.arg = (void *)2;
	assert_int_equal(run(&c, TCESIM_EXPLORE_UNBOUNDED, &r), 1);
	assert_string_equal(r.why, "reader saw freed object");
}

static void sync_in_reader_thread(void *vc, unsigned int idx)
{
	(void)vc;
	(void)idx;
	tcesim_rcu_read_lock();
	tcesim_synchronize_rcu();
	tcesim_rcu_read_unlock();
}

static void test_synchronize_in_reader_deadlocks(void **state)
{
	struct tcesim_explore_case c = {
		.nr_threads = 1, .setup = setup, .thread = sync_in_reader_thread,
		.teardown = teardown,
	};
	struct tcesim_explore_result r;

	(void)state;
	assert_int_equal(run(&c, 2, &r), 1);
	assert_int_equal(r.deadlocks, 1);
	assert_non_null(strstr(r.why, "a blocked in grace_period_end"));
}

/* ------------------------------------------------------------------ PCT --- */

static void test_pct_finds_and_replays(void **state)
{
	struct tcesim_explore_opts o;
	struct tcesim_explore_result r, r2;

	(void)state;
	tcesim_explore_opts_init(&o);
	o.mode = TCESIM_EXPLORE_RANDOM;
	o.random_n = 200;
	o.seed = 7;
	o.depth = 2;
	assert_int_equal(tcesim_explore(&lost_update, &o, &r), 1);
	assert_int_equal(replay(&lost_update, r.schedule, NULL, NULL, &r2), 1);
	assert_string_equal(r2.why, r.why);
	/* same seed, same first counterexample */
	assert_int_equal(tcesim_explore(&lost_update, &o, &r2), 1);
	assert_string_equal(r2.schedule, r.schedule);
	assert_int_equal(r2.schedules, r.schedules);
}

static void test_outside_exploration_no_effect(void **state)
{
	struct ctx *c = setup(NULL);

	(void)state;
	/* schedule points outside an exploration are plain operations */
	tcesim_explore_yield();
	assert_int_equal(tcesim_explore_current(), -1);
	incr_thread(c, 0);
	locked_incr_thread(c, 0);
	assert_int_equal(tce_read(&c->slot), 2);
	teardown(c, NULL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lost_update_needs_one_preemption),
		cmocka_unit_test(test_mutex_makes_it_hold),
		cmocka_unit_test(test_schedule_count_closed_form),
		cmocka_unit_test(test_replay_byte_identical),
		cmocka_unit_test(test_replay_bad_schedule),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_deadlock_reported),
		cmocka_unit_test(test_rcu_grace_periods),
		cmocka_unit_test(test_synchronize_in_reader_deadlocks),
		cmocka_unit_test(test_pct_finds_and_replays),
		cmocka_unit_test(test_outside_exploration_no_effect),
	};

	tcesim_thread_enter();
	int ret = cmocka_run_group_tests(tests, NULL, NULL);

	tcesim_thread_exit();
	return ret;
}
