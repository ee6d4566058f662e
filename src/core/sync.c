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

void tcesim_mutex_lock(struct tcesim_mutex *m)
{
	pthread_mutex_lock(&m->m);
	atomic_store_explicit(&m->owner, (unsigned long)pthread_self(), memory_order_relaxed);
}

void tcesim_mutex_unlock(struct tcesim_mutex *m)
{
	atomic_store_explicit(&m->owner, 0, memory_order_relaxed);
	pthread_mutex_unlock(&m->m);
}

bool tcesim_mutex_held(struct tcesim_mutex *m)
{
	return atomic_load_explicit(&m->owner, memory_order_relaxed) ==
	       (unsigned long)pthread_self();
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

TCESIM_EXPORT void tcesim_rcu_barrier(void)
{
	urcu_memb_barrier();
#ifdef TCESIM_TSAN
	tcesim_tsan_acquire(&tcesim_tsan_rcu_sync);
#endif
}
