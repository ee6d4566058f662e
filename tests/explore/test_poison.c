// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_poison.c - "no access to freed memory" outside ASan (issue 10,
 * src/core/explore_poison.c): model memory freed while a schedule runs is
 * poisoned and quarantined; a write after the free makes the schedule a
 * violation when the world goes; a case that never touches freed memory
 * holds. Under ASan the quarantine is off (ASan reports the access itself),
 * so the violating case is not run there.
 */
#include "tcesim_test.h"
#include "internal.h"
#include <tcesim/explore.h>

struct obj {
	_Atomic uint64_t word;
	struct rcu_head rcu;
	struct tcesim_world *w;
};

struct pctx {
	struct tcesim_world *w;
	struct obj *o;
	bool write_after;		/* thread 1 writes (a use after free) */
};

static struct pctx g;

static void *p_setup(void *arg)
{
	struct tcesim_world_cfg cfg;

	tcesim_world_cfg_init(&cfg);
	memset(&g, 0, sizeof(g));
	g.write_after = (bool)(intptr_t)arg;
	if (tcesim_world_create(&cfg, &g.w))
		return NULL;
	g.o = tcesim_zalloc(g.w, sizeof(*g.o));
	g.o->w = g.w;
	return &g;
}

static void obj_free_rcu(struct rcu_head *head)
{
	struct obj *o = (struct obj *)((char *)head - offsetof(struct obj, rcu));

	tcesim_kfree(o->w, o);
}

static void p_thread(void *vc, unsigned int idx)
{
	struct pctx *c = vc;

	if (idx == 0) {
		/* unpublish, free after a grace period */
		struct obj *o = c->o;

		tce_write(&o->word, 1);
		tcesim_call_rcu(&o->rcu, obj_free_rcu);
		return;
	}
	tcesim_explore_yield();
	tcesim_explore_yield();
	/* the bug: no RCU read-side section, no reference */
	if (c->write_after)
		atomic_store(&c->o->word, 2);
}

static int p_teardown(void *vc, char *why, size_t len)
{
	struct pctx *c = vc;

	(void)why;
	(void)len;
	return tcesim_explore_world_destroy(c->w) ? 1 : 0;
}

static int explore_it(bool write_after, struct tcesim_explore_result *r)
{
	struct tcesim_explore_case c = {
		.nr_threads = 2,
		.arg = (void *)(intptr_t)write_after,
		.setup = p_setup,
		.thread = p_thread,
		.teardown = p_teardown,
	};

	return tcesim_explore(&c, NULL, r);
}

static void test_no_access_holds(void **state)
{
	struct tcesim_explore_result r;

	(void)state;
	assert_int_equal(explore_it(false, &r), 0);
	assert_true(r.complete);
	assert_true(r.schedules > 1);
}

static void test_write_after_free_found(void **state)
{
	struct tcesim_explore_result r;

	(void)state;
#if defined(__SANITIZE_ADDRESS__)
	skip();
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
	skip();
#endif
#endif
	assert_int_equal(explore_it(true, &r), 1);
	assert_non_null(strstr(r.why, "invariant: freed memory was written"));
	/* the failing schedule has the callback ("r") run before thread b's write */
	assert_non_null(strchr(r.schedule, 'r'));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_access_holds),
		cmocka_unit_test(test_write_after_free_found),
	};

	tcesim_thread_enter();
	return cmocka_run_group_tests_name("explore/poison", tests, NULL, NULL);
}
