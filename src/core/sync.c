// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * sync.c - owner-tracking mutex, RCU thread registration and barrier.
 */
#include <stdio.h>

#include "internal.h"

#ifdef TCESIM_TSAN
char tcesim_tsan_rcu_sync;
#endif

/* RCU registration depth of this thread (liburcu forbids registering twice). */
static _Thread_local unsigned int rcu_reg_depth;

void tcesim_mutex_init(struct tcesim_mutex *m)
{
	pthread_mutex_init(&m->m, NULL);
	atomic_init(&m->owner, 0);
}

void tcesim_mutex_destroy(struct tcesim_mutex *m)
{
	pthread_mutex_destroy(&m->m);
}

/*
 * Under an exploration the explorer is the mutex (explore_sched.c: a thread
 * whose next step is acquiring a held lock is not runnable), so the pthread
 * mutex is not touched; owner records the coroutine.
 */
void tcesim_mutex_lock(struct tcesim_mutex *m)
{
	if (!(tcesim_explore_on() && tcesim_sched_lock(TCESIM_SCHED_LOCK, m)))
		pthread_mutex_lock(&m->m);
	atomic_store_explicit(&m->owner, tcesim_sched_self(), memory_order_relaxed);
}

void tcesim_mutex_unlock(struct tcesim_mutex *m)
{
	atomic_store_explicit(&m->owner, 0, memory_order_relaxed);
	if (tcesim_explore_on() && tcesim_sched_lock(TCESIM_SCHED_UNLOCK, m))
		return;
	pthread_mutex_unlock(&m->m);
}

bool tcesim_mutex_held(struct tcesim_mutex *m)
{
	return atomic_load_explicit(&m->owner, memory_order_relaxed) == tcesim_sched_self();
}

void tcesim_assert_held_fn(struct tcesim_mutex *m, const char *fn)
{
	if (!tcesim_mutex_held(m)) {
		fprintf(stderr, "tcesim: %s: lock not held by caller\n", fn);
		abort();
	}
}

TCESIM_EXPORT void tcesim_thread_enter(void)
{
	if (rcu_reg_depth++ == 0)
		urcu_memb_register_thread();
}

TCESIM_EXPORT void tcesim_thread_exit(void)
{
	if (rcu_reg_depth && --rcu_reg_depth == 0)
		urcu_memb_unregister_thread();
}

atomic_ulong tcesim_rcu_queued;
/* tcesim_rcu_queued when the newest completed barrier began */
static atomic_ulong rcu_drained;

TCESIM_EXPORT void tcesim_rcu_barrier(void)
{
	unsigned long q, d;

	if (tcesim_explore_any() && tcesim_sched_barrier())
		return; /* the explorer's callbacks, not liburcu's */
	q = atomic_load(&tcesim_rcu_queued);
	d = atomic_load(&rcu_drained);
	/*
	 * liburcu's rcu_barrier() costs a call_rcu batching period (~10 ms)
	 * even with nothing queued: skip it when no call_rcu was queued (by
	 * any thread) since the newest completed barrier began, as then no
	 * callback can be pending. World teardown calls this between layers.
	 */
	if (q <= d) {
#ifdef TCESIM_TSAN
		tcesim_tsan_acquire(&tcesim_tsan_rcu_sync);
#endif
		return;
	}
	urcu_memb_barrier();
	/* every callback queued before q was read has run: publish q (max) */
	while (d < q && !atomic_compare_exchange_weak(&rcu_drained, &d, q))
		;
#ifdef TCESIM_TSAN
	tcesim_tsan_acquire(&tcesim_tsan_rcu_sync);
#endif
}

