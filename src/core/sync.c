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
static __attribute__((noinline)) void mutex_lock_explored(struct tcesim_mutex *m)
{
	if (!tcesim_sched_lock(TCESIM_SCHED_LOCK, m))
		pthread_mutex_lock(&m->m);
	atomic_store_explicit(&m->owner, tcesim_sched_self(), memory_order_relaxed);
}

static __attribute__((noinline)) void mutex_unlock_explored(struct tcesim_mutex *m)
{
	atomic_store_explicit(&m->owner, 0, memory_order_relaxed);
	if (!tcesim_sched_lock(TCESIM_SCHED_UNLOCK, m))
		pthread_mutex_unlock(&m->m);
}

/*
 * Outside an exploration: one flag test in front of the pthread call, and
 * nothing else (the explored path is out of line so that the fast path keeps
 * no extra registers: issue 10's bench budget; bench/icount.sh counts it).
 */
void tcesim_mutex_lock(struct tcesim_mutex *m)
{
	if (tcesim_explore_on()) {
		mutex_lock_explored(m);
		return;
	}
	pthread_mutex_lock(&m->m);
	atomic_store_explicit(&m->owner, (unsigned long)pthread_self(), memory_order_relaxed);
}

void tcesim_mutex_unlock(struct tcesim_mutex *m)
{
	if (tcesim_explore_on()) {
		mutex_unlock_explored(m);
		return;
	}
	atomic_store_explicit(&m->owner, 0, memory_order_relaxed);
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

/*
 * call_rcu without liburcu's batching delay.
 *
 * liburcu's call_rcu worker sleeps 10 ms after each wake-up to batch
 * callbacks (call_rcu_thread() in liburcu's urcu-call-rcu-impl.h), and
 * rcu_barrier() waits for that worker: every barrier costs >= 10 ms, which
 * made a world's teardown (a few barriers) cost 45 ms. So callbacks are
 * first kept on a bounded list of our own; a barrier drains it in the
 * calling thread: one synchronize_rcu() (every callback on the list was
 * queued before it began, so its grace period has ended after it), then
 * each callback. Past TCESIM_RCU_PENDING_MAX pending callbacks (threads
 * that queue much and never wait) they go to liburcu's worker as before,
 * so memory stays bounded; a barrier then also waits for that worker.
 * The kernel's rcu_barrier() (kernel/rcu/tree.c) likewise only waits for
 * callbacks already queued when it starts.
 *
 * Why not liburcu's own deferral (urcu/defer.h: defer_rcu() +
 * rcu_defer_barrier(), which also runs callbacks in the caller after one
 * synchronize_rcu)? defer_rcu() must never be called inside a read-side
 * critical section (it calls synchronize_rcu() when its per-thread queue is
 * full: a self-deadlock), and tcesim calls call_rcu there, as the kernel
 * may: sva/pasid_array.c lfht_erase_locked() (cds_lfht_del needs the read
 * lock) and tcesim_mm_iommu_put() under a reader (tests/vfio). It also
 * needs every queuing thread registered with rcu_defer_register_thread(),
 * a second registration beside tcesim_thread_enter(). Measured (gcc,
 * fuzz_scenario_replay -repeat=N, TCESIM_RCU_PENDING_MAX=0 = liburcu's
 * worker only, vs this list): a short VFIO v2 scenario (register, map,
 * unmap, close) 32 -> 488 worlds/s, the examples/ corpus 66 -> 1537 exec/s.
 */
#ifndef TCESIM_RCU_PENDING_MAX
#define TCESIM_RCU_PENDING_MAX 4096
#endif

static pthread_mutex_t rcu_pend_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rcu_head *rcu_pend;	/* newest first, linked by ->next.next */
static unsigned long rcu_npend;		/* under rcu_pend_lock */
/* one drainer at a time: a second barrier waits until the first one's
 * batch (which may hold its callbacks) has run */
static pthread_mutex_t rcu_drain_lock = PTHREAD_MUTEX_INITIALIZER;

/* callbacks handed to liburcu's worker (counted after they are queued) */
atomic_ulong tcesim_rcu_queued;
/* tcesim_rcu_queued when the newest completed liburcu barrier began */
static atomic_ulong rcu_drained;

void tcesim_call_rcu_queue(struct rcu_head *head, void (*fn)(struct rcu_head *))
{
	pthread_mutex_lock(&rcu_pend_lock);
	if (rcu_npend < TCESIM_RCU_PENDING_MAX) {
		head->func = fn;
		head->next.next = rcu_pend ? &rcu_pend->next : NULL;
		rcu_pend = head;
		rcu_npend++;
		pthread_mutex_unlock(&rcu_pend_lock);
		return;
	}
	pthread_mutex_unlock(&rcu_pend_lock);
	urcu_memb_call_rcu(head, fn);
	/* counted after it is queued: a barrier that read the count waits for it */
	atomic_fetch_add_explicit(&tcesim_rcu_queued, 1, memory_order_release);
}

/* Runs every callback queued on our list before the call; rcu_drain_lock held. */
static void rcu_drain_pending(void)
{
	struct rcu_head *h, *next;

	pthread_mutex_lock(&rcu_pend_lock);
	h = rcu_pend;
	rcu_pend = NULL;
	rcu_npend = 0;
	pthread_mutex_unlock(&rcu_pend_lock);
	if (!h)
		return;
	urcu_memb_synchronize_rcu();
	for (; h; h = next) {
		next = h->next.next ? tcesim_container_of(h->next.next, struct rcu_head, next)
				    : NULL;
		h->func(h); /* may queue more: they wait for the next barrier */
	}
}

TCESIM_EXPORT void tcesim_rcu_barrier(void)
{
	unsigned long q, d;

	if (tcesim_explore_any() && tcesim_sched_barrier())
		return; /* the explorer's callbacks, not liburcu's */
	/* our list first: its callbacks may queue more (to our list: the next barrier) */
	pthread_mutex_lock(&rcu_drain_lock); /* waits for a drain under way */
	rcu_drain_pending();
	pthread_mutex_unlock(&rcu_drain_lock);
	q = atomic_load(&tcesim_rcu_queued);
	d = atomic_load(&rcu_drained);
	/*
	 * liburcu's rcu_barrier() costs a call_rcu batching period (~10 ms)
	 * even with nothing queued: skip it when no callback went to liburcu's
	 * worker (by any thread) since the newest completed barrier began, as
	 * then none of them can be pending. World teardown calls this between
	 * layers.
	 */
	if (q > d) {
		urcu_memb_barrier();
		/* every callback queued before q was read has run: publish q (max) */
		while (d < q && !atomic_compare_exchange_weak(&rcu_drained, &d, q))
			;
	}
#ifdef TCESIM_TSAN
	tcesim_tsan_acquire(&tcesim_tsan_rcu_sync);
#endif
}

