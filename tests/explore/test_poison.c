// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_poison.c - "no access to freed memory" outside ASan (issue 10,
 * src/core/explore_poison.c): model memory freed while a schedule runs is
 * poisoned and quarantined; a write after the free makes the schedule a
 * violation when the world goes; a READ after the free through the
 * synchronization helpers (tce_read, tcesim_ref_load, tcesim_rcu_deref) is
 * reported at the read; a case that never touches freed memory holds, and a
 * live value that happens to equal the poison is not reported. Under ASan
 * the quarantine is off (ASan reports the access itself), so the violating
 * cases are not run there.
 */
#include "tcesim_test.h"
#include "internal.h"
#include <tcesim/explore.h>

struct obj {
	_Atomic uint64_t word;
	_Atomic int refs;
	struct obj *next;		/* read with tcesim_rcu_deref() */
	struct rcu_head rcu;
	struct tcesim_world *w;
};

/* what thread 1 does after its yields, without RCU or a reference */
enum after {
	AFTER_NOTHING,
	AFTER_WRITE,			/* a plain store: found when the world goes */
	AFTER_TCE_READ,			/* tce_read() of the freed word */
	AFTER_REF_LOAD,			/* tcesim_ref_load() of the freed count */
	AFTER_DEREF,			/* tcesim_rcu_deref() of the freed pointer */
	AFTER_LIVE_POISON,		/* tce_read() of a live word equal to the poison */
};

struct pctx {
	struct tcesim_world *w;
	struct obj *o;
	struct obj *live;		/* never freed */
	enum after after;
	void *deref;			/* what AFTER_DEREF read */
};

static struct pctx g;

static void *p_setup(void *arg)
{
	struct tcesim_world_cfg cfg;

	tcesim_world_cfg_init(&cfg);
	memset(&g, 0, sizeof(g));
	g.after = (enum after)(intptr_t)arg;
	if (tcesim_world_create(&cfg, &g.w))
		return NULL;
	g.o = tcesim_zalloc(g.w, sizeof(*g.o));
	g.live = tcesim_zalloc(g.w, sizeof(*g.live));
	g.o->w = g.w;
	g.o->next = g.live;
	atomic_init(&g.o->refs, 1);
	/* a live word whose bytes are all POISON_FREE (0x6b) */
	atomic_init(&g.live->word, 0x6b6b6b6b6b6b6b6bull);
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
	switch (c->after) {
	case AFTER_NOTHING:
		break;
	case AFTER_WRITE:
		atomic_store(&c->o->word, 2);
		break;
	case AFTER_TCE_READ:
		(void)tce_read(&c->o->word);
		break;
	case AFTER_REF_LOAD:
		(void)tcesim_ref_load(&c->o->refs, memory_order_relaxed);
		break;
	case AFTER_DEREF:
		c->deref = tcesim_rcu_deref(c->o->next);
		break;
	case AFTER_LIVE_POISON:
		(void)tce_read(&c->live->word);
		break;
	}
}

static int p_teardown(void *vc, char *why, size_t len)
{
	struct pctx *c = vc;

	(void)why;
	(void)len;
	tcesim_kfree(c->w, c->live);
	return tcesim_explore_world_destroy(c->w) ? 1 : 0;
}

/* the two-thread case of @after; @o NULL: the default search */
static int explore_it(enum after after, const struct tcesim_explore_opts *o,
		      struct tcesim_explore_result *r)
{
	struct tcesim_explore_case c = {
		.nr_threads = 2,
		.arg = (void *)(intptr_t)after,
		.setup = p_setup,
		.thread = p_thread,
		.teardown = p_teardown,
	};

	return tcesim_explore(&c, o, r);
}

static void test_no_access_holds(void **state)
{
	struct tcesim_explore_result r;

	(void)state;
	assert_int_equal(explore_it(AFTER_NOTHING, NULL, &r), 0);
	assert_true(r.complete);
	assert_true(r.schedules > 1);
}

/* a live value equal to the poison is no freed memory: holds */
static void test_live_poison_value_holds(void **state)
{
	struct tcesim_explore_result r;

	(void)state;
	assert_int_equal(explore_it(AFTER_LIVE_POISON, NULL, &r), 0);
	assert_true(r.complete);
}

#if defined(__SANITIZE_ADDRESS__)
#define SKIP_UNDER_ASAN() skip()
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SKIP_UNDER_ASAN() skip()
#endif
#endif
#ifndef SKIP_UNDER_ASAN
#define SKIP_UNDER_ASAN() ((void)0)
#endif

/* a read through a helper after the callback freed the object */
static void read_after_free_found(enum after after)
{
	struct tcesim_explore_result r, r2;
	struct tcesim_explore_opts o;

	SKIP_UNDER_ASAN();
	assert_int_equal(explore_it(after, NULL, &r), 1);
	assert_non_null(strstr(r.why, "invariant: freed memory was read"));
	/* the failing schedule has the callback ("r") run before thread b's read */
	assert_non_null(strchr(r.schedule, 'r'));
	/* replayed alone, the same schedule reads the freed memory again */
	tcesim_explore_opts_init(&o);
	o.mode = TCESIM_EXPLORE_REPLAY;
	o.schedule = r.schedule;
	assert_int_equal(explore_it(after, &o, &r2), 1);
	assert_string_equal(r2.why, r.why);
}

static void test_tce_read_after_free_found(void **state)
{
	(void)state;
	read_after_free_found(AFTER_TCE_READ);
}

static void test_ref_load_after_free_found(void **state)
{
	(void)state;
	read_after_free_found(AFTER_REF_LOAD);
}

/* the poisoned pointer is reported and read as NULL, not followed */
static void test_deref_after_free_found(void **state)
{
	(void)state;
	read_after_free_found(AFTER_DEREF);
	assert_null(g.deref);
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
	assert_int_equal(explore_it(AFTER_WRITE, NULL, &r), 1);
	assert_non_null(strstr(r.why, "invariant: freed memory was written"));
	/* the failing schedule has the callback ("r") run before thread b's write */
	assert_non_null(strchr(r.schedule, 'r'));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_access_holds),
		cmocka_unit_test(test_write_after_free_found),
		cmocka_unit_test(test_live_poison_value_holds),
		cmocka_unit_test(test_tce_read_after_free_found),
		cmocka_unit_test(test_ref_load_after_free_found),
		cmocka_unit_test(test_deref_after_free_found),
	};

	tcesim_thread_enter();
	return cmocka_run_group_tests_name("explore/poison", tests, NULL, NULL);
}
