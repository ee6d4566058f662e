// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_explore_rcu.c - RCU under exploration with rcu_read_lock/unlock as
 * liburcu's own code (issue 10 item 4; explore_sched.c reads each model
 * thread's liburcu reader counter at every stop):
 *  - a grace period waits for a section open at its start, also one the
 *    reader entered in the step before (no schedule point at the lock);
 *  - a section left and re-entered between two stops is a new section: a
 *    grace period that began in the first ends although the reader is in
 *    the second (were it taken for the same section, it would wait);
 *  - nested sections keep their id: the grace period waits for the outer;
 *  - a call_rcu callback never runs while a section open at call_rcu() is;
 *  - the reader counter of the exploring pthread is its own again after.
 */
#include "tcesim_test.h"
#include "internal.h"

struct rctx {
	int in_first, in_second;	/* reader: inside section 1 / 2 */
	int gp_ended_in_first;		/* writer: GP returned while reader in section 1 */
	int gp_ended_in_second;
	int cb_ran_in_first;
	int gp_flag;			/* writer: set just before its grace period starts */
	int first_before;		/* reader entered section 1 before the GP started */
	int flag_at_exit;		/* reader left section 1 with gp_flag set */
	int mode;
	struct rcu_head rcu;
};

static struct rctx g;
/* over every schedule of one exploration */
static long n_open_ended, n_later_ended, n_schedules;

static void *setup(void *arg)
{
	memset(&g, 0, sizeof(g));
	g.mode = (int)(intptr_t)arg;
	return &g;
}

static void cb(struct rcu_head *h)
{
	(void)h;
	if (g.in_first)
		g.cb_ran_in_first = 1;
}

/*
 * mode 0: reader: lock; [yield] first; unlock; lock; [yield] second; unlock
 * mode 1: the same with the second section nested in the first
 * writer: [yield]; synchronize_rcu (or call_rcu, mode 2); note where the reader is
 */
static void thread(void *vc, unsigned int idx)
{
	struct rctx *c = vc;

	if (idx == 0) {
		tcesim_explore_yield();
		tcesim_rcu_read_lock();
		c->in_first = 1;
		/* flag 0: the writer's GP start (its next step at most) is after this */
		c->first_before = !c->gp_flag;
		tcesim_explore_yield();
		if (c->mode != 1) {
			c->flag_at_exit = c->gp_flag;
			c->in_first = 0;
			tcesim_rcu_read_unlock();
		}
		tcesim_rcu_read_lock();
		c->in_second = 1;
		tcesim_explore_yield();
		c->in_second = 0;
		tcesim_rcu_read_unlock();
		if (c->mode == 1) {
			c->in_first = 0;
			tcesim_rcu_read_unlock();
		}
		return;
	}
	tcesim_explore_yield();
	c->gp_flag = 1;
	if (c->mode == 2) {
		tcesim_call_rcu(&c->rcu, cb);
		return;
	}
	tcesim_synchronize_rcu();
	if (c->in_first)
		c->gp_ended_in_first = 1;
	if (c->in_second)
		c->gp_ended_in_second = 1;
}

static int check(void *vc, char *why, size_t len)
{
	struct rctx *c = vc;

	(void)why;
	(void)len;
	n_schedules++;
	if (c->first_before &&
	    (c->gp_ended_in_first || c->cb_ran_in_first || (c->mode == 1 && c->gp_ended_in_second)))
		n_open_ended++;
	else if (c->first_before && c->flag_at_exit && c->gp_ended_in_second)
		/*
		 * the GP started while the reader was in section 1 (had it
		 * started after the re-entry it would wait for section 2)
		 */
		n_later_ended++;
	return 0;
}

static int run_all(int mode, struct tcesim_explore_result *r)
{
	struct tcesim_explore_case c = {
		.nr_threads = 2, .setup = setup, .thread = thread, .check = check,
		.arg = (void *)(intptr_t)mode,
	};
	struct tcesim_explore_opts o;

	n_open_ended = n_later_ended = n_schedules = 0;
	tcesim_explore_opts_init(&o);
	o.preemptions = TCESIM_EXPLORE_UNBOUNDED;
	return tcesim_explore(&c, &o, r);
}

static void test_section_reentered_is_new(void **state)
{
	struct tcesim_explore_result r;

	(void)state;
	assert_int_equal(run_all(0, &r), 0);
	assert_int_equal(r.deadlocks, 0);
	assert_true(r.complete);
	assert_int_equal(n_schedules, (long)r.schedules);
	/* never ended inside a section open at its start... */
	assert_int_equal(n_open_ended, 0);
	/* ...but some schedule ends it while the reader is in its second one */
	assert_true(n_later_ended > 0);
}

static void test_nested_section_keeps_gp_waiting(void **state)
{
	struct tcesim_explore_result r;

	(void)state;
	assert_int_equal(run_all(1, &r), 0);
	assert_int_equal(r.deadlocks, 0);
	/* a GP started in the outer section waits for the inner one too */
	assert_int_equal(n_open_ended, 0);
}

static void test_callback_waits_for_open_section(void **state)
{
	struct tcesim_explore_result r;

	(void)state;
	assert_int_equal(run_all(2, &r), 0);
	assert_int_equal(n_open_ended, 0);
	/* the callback is schedulable: more schedules than without it */
	assert_true(r.schedules >= 3);
}

static void test_reader_counter_restored(void **state)
{
	struct tcesim_explore_result r;

	(void)state;
	tcesim_rcu_read_lock();
	(void)run_all(0, &r);
	/* still inside our own section: liburcu's nesting of this pthread is 1 */
	assert_int_equal(urcu_memb_read_ongoing(), 1);
	tcesim_rcu_read_unlock();
	assert_int_equal(urcu_memb_read_ongoing(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_section_reentered_is_new),
		cmocka_unit_test(test_nested_section_keeps_gp_waiting),
		cmocka_unit_test(test_callback_waits_for_open_section),
		cmocka_unit_test(test_reader_counter_restored),
	};

	tcesim_thread_enter();
	int ret = cmocka_run_group_tests(tests, NULL, NULL);

	tcesim_thread_exit();
	return ret;
}
