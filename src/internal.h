/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/internal.h - helpers shared by every tcesim module (never installed).
 *
 * Lock order, collected from the modules (outermost first):
 *
 *   kvm->lock  >  vfio container->lock  >  sva_lock  >  group->mutex
 *     >  sva->mms_lock  >  sva->ida_lock  >  sva->objs_lock
 *     >  ops_state->lock  >  phb->lock  >  pool locks (large_pool, then pools[0..n])
 *     >  stt->alloc_lock  >  mm->lock  >  hostmem->lock
 *   leaf locks (nothing nests inside): dev->iopf_lock, phb->cache.lock (spin),
 *   tbl->group_lock, world->log_lock
 *
 * RCU read-side sections may be entered under any of them. Inside a section
 * only the DMA-API pool spinlocks and, in src/kvm (whose sections stand for
 * the kernel's SRCU, which may sleep), stt->alloc_lock and mm->lock are
 * taken.
 *
 * RCU flavour is liburcu-memb. Under ThreadSanitizer, liburcu's barriers are
 * invisible to TSan, so publish/dereference/read-unlock/grace-period-end go
 * through the wrappers below, which add __tsan_release/__tsan_acquire
 * annotations (STYLE.md §6). Outside TSan they compile to the plain calls.
 */
#ifndef TCESIM_INTERNAL_H
#define TCESIM_INTERNAL_H

#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <urcu/urcu-memb.h>
#include <urcu/rculist.h>
#include <urcu/list.h>

#include <tcesim/types.h>
#include <tcesim/world.h>

#define TCESIM_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define tcesim_container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))
#define TCESIM_ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define TCESIM_ALIGN_UP(x, a) (((x) + ((__typeof__(x))(a) - 1)) & ~((__typeof__(x))(a) - 1))
#define TCESIM_IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define tcesim_likely(x) __builtin_expect(!!(x), 1)
#define tcesim_unlikely(x) __builtin_expect(!!(x), 0)

/* ---------------------------------------------------------------- TSan --- */
#if defined(__SANITIZE_THREAD__)
#define TCESIM_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TCESIM_TSAN 1
#endif
#endif

#ifdef TCESIM_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
/* One address stands for "the end of every read-side section". */
extern char tcesim_tsan_rcu_sync;
#define tcesim_tsan_release(a) __tsan_release((void *)(a))
#define tcesim_tsan_acquire(a) __tsan_acquire((void *)(a))
#else
#define tcesim_tsan_release(a) ((void)(a))
#define tcesim_tsan_acquire(a) ((void)(a))
#endif

/* ------------------------------------------------------ schedule points --- */
/*
 * Schedule points (issue 10): every synchronization helper below calls
 * tcesim_sched_point() (or one of the tcesim_sched_*() hooks) before it acts.
 * Outside an exploration (src/core/explore_sched.c) that is one load of
 * tcesim_explore_active and a branch predicted not taken; inside, the model
 * thread (a coroutine of the explorer) stops there and the explorer chooses
 * which thread performs its next visible operation. The model's logic is the
 * same code in normal and explored runs.
 */
enum tcesim_sched_op {
	TCESIM_SCHED_LOCK,		/* mutex acquire: blocked while held */
	TCESIM_SCHED_UNLOCK,
	TCESIM_SCHED_SPIN_LOCK,		/* spinlock acquire: blocked while held */
	TCESIM_SCHED_SPIN_UNLOCK,
	TCESIM_SCHED_TCE_READ,		/* tce_read() */
	TCESIM_SCHED_TCE_WRITE,		/* tce_write() */
	TCESIM_SCHED_TCE_XCHG,		/* tce_xchg() */
	TCESIM_SCHED_CAS,		/* level install, frame chunk install */
	TCESIM_SCHED_REF,		/* refcount / pin count read-modify-write */
	TCESIM_SCHED_INDEX,		/* ring/queue index, PRQ head/tail, PPR/PRO */
	TCESIM_SCHED_PUBLISH,		/* tcesim_rcu_assign() (PASID-array slots) */
	TCESIM_SCHED_DEREF,		/* tcesim_rcu_deref() */
	TCESIM_SCHED_RCU_LOCK,		/* unused: the explorer reads liburcu's counter */
	TCESIM_SCHED_RCU_UNLOCK,	/* unused: likewise */
	TCESIM_SCHED_SYNC_RCU,		/* synchronize_rcu(): start of the grace period */
	TCESIM_SCHED_GP_WAIT,		/* ...blocked until the grace period ends */
	TCESIM_SCHED_CALL_RCU,		/* call_rcu() */
	TCESIM_SCHED_CB_WAIT,		/* the callback runner: blocked until one is ready */
	TCESIM_SCHED_BARRIER,		/* rcu_barrier(): blocked until no callback is queued */
	TCESIM_SCHED_USER,		/* tcesim_explore_yield() of a test */
	TCESIM_SCHED_OP_NR,
};

/*
 * explore_sched.c: tcesim_explore_active is nonzero while some thread of the
 * process explores (call_rcu, synchronize_rcu and rcu_barrier check it: the
 * explorer models them in its own context too); tcesim_explore_running only
 * while a model thread (coroutine) runs, so the explorer's own sequential
 * setup and teardown take the hot paths' fast branch. Hidden: the fast
 * branch's test is then one rip-relative load, not a GOT load and a load.
 */
extern __attribute__((visibility("hidden"))) _Atomic int tcesim_explore_active;
extern __attribute__((visibility("hidden"))) _Atomic int tcesim_explore_running;
void tcesim_sched_point_slow(enum tcesim_sched_op op, const void *addr);
/* Lock hooks: true when the explorer modelled the operation (skip pthread). */
bool tcesim_sched_lock(enum tcesim_sched_op op, const void *addr);
/* RCU hooks: true when the explorer modelled the operation (skip liburcu). */
bool tcesim_sched_rcu(enum tcesim_sched_op op);
bool tcesim_sched_call_rcu(struct rcu_head *head, void (*fn)(struct rcu_head *));
bool tcesim_sched_barrier(void);
/* The lock owner token of the caller: its coroutine while explored, else pthread_self(). */
unsigned long tcesim_sched_self_slow(void);

static inline bool tcesim_explore_on(void)
{
	return tcesim_unlikely(atomic_load_explicit(&tcesim_explore_running, memory_order_relaxed));
}

static inline bool tcesim_explore_any(void)
{
	return tcesim_unlikely(atomic_load_explicit(&tcesim_explore_active, memory_order_relaxed));
}

static inline unsigned long tcesim_sched_self(void)
{
	return tcesim_explore_on() ? tcesim_sched_self_slow() : (unsigned long)pthread_self();
}

/*
 * The slow call of a schedule point: a plain C call behind the flag test.
 *
 * A call makes the compiler keep a leaf function's live values in
 * callee-saved registers for the whole function, so the fast path of a hot
 * lock-free leaf would pay a prologue it never needs. The two hot leaves
 * (pasid_array_load_rcu, tcesim_iommu_tce_xchg_no_kill) therefore test
 * nothing of ours: an array or table made while an exploration runs is
 * marked at creation and its lookups/exchanges take a variant with schedule
 * points (the same body, its points written with the *_in(pts, ...) forms
 * below); rcu_read_lock/unlock are not points at all (explore_sched.c reads
 * liburcu's reader counter). Measured on this 2-vCPU EPYC, tcesim-bench
 * --clock=cpu, medians of 6 alternating runs against b749858 (the commit
 * before the explorer), pasid_lookup/{1,16,1024,65536}/radix: a plain call
 * at every point +21..38 %, without the RCU lock/unlock points but with one
 * test at the leaf's entry +6..10 %, as now -4..+2 %; tce_map_unmap/xchg
 * with the TCE point in the leaf +14..18 %, as now -3..0 %. The x86-64
 * register-preserving assembly trampoline this replaced was +23..47 %
 * (wall clock), so it is gone: plain C with the tests moved off the hot
 * leaves is faster than it ever was.
 */
long tcesim_sched_dispatch(long op, const void *addr);

/*
 * explore_poison.c: "no access to freed memory" for READS (issue 10). Called
 * by the read helpers below only while a model thread runs, after their load:
 * @v holds the @size bytes just loaded from @addr. When they are all
 * POISON_FREE and @addr lies in a block freed during the schedule, the
 * schedule is a violation ("freed memory was read") and it returns true.
 */
bool tcesim_explore_read_freed(const void *addr, const void *v, size_t size);

/* A schedule point in a body instantiated with @pts constant (hot leaves). */
static inline void tcesim_sched_point_in(bool pts, enum tcesim_sched_op op, const void *addr)
{
	if (pts)
		tcesim_sched_dispatch(op, addr);
}

static inline void tcesim_sched_point(enum tcesim_sched_op op, const void *addr)
{
	if (tcesim_explore_on())
		tcesim_sched_dispatch(op, addr);
}

/* ----------------------------------------------------------------- RCU --- */
/*
 * tcesim_rcu_assign() publishes @v at @p; pairs with tcesim_rcu_deref() of
 * the same pointer in a reader: everything written to *v before the publish
 * is visible to a reader that sees v.
 */
#define tcesim_rcu_assign(p, v)                                                  \
	do {                                                                     \
		tcesim_sched_point(TCESIM_SCHED_PUBLISH, &(p));                  \
		tcesim_tsan_release(&(p));                                       \
		rcu_assign_pointer((p), (v));                                    \
	} while (0)

#define tcesim_rcu_deref(p) tcesim_rcu_deref_in(tcesim_explore_on(), p)

/* tcesim_rcu_deref() in a hot leaf's body (@pts: tcesim_sched_point_in()) */
/*
 * While explored, a pointer loaded from freed (poisoned) memory is reported
 * (tcesim_explore_read_freed) and read as NULL: the schedule is a violation
 * already, and NULL keeps the model from following 0x6b6b... further.
 */
#define tcesim_rcu_deref_in(pts, p)                                              \
	__extension__({                                                          \
		__typeof__(p) tcesim_rcu_p_;                                     \
		const bool tcesim_rcu_pts_ = (pts);                              \
		tcesim_sched_point_in(tcesim_rcu_pts_, TCESIM_SCHED_DEREF, &(p)); \
		tcesim_rcu_p_ = rcu_dereference(p);                              \
		if (tcesim_rcu_pts_ &&                                           \
		    tcesim_explore_read_freed(&(p), &tcesim_rcu_p_, sizeof(tcesim_rcu_p_))) \
			tcesim_rcu_p_ = NULL;                                    \
		tcesim_tsan_acquire(&(p));                                       \
		tcesim_rcu_p_;                                                   \
	})

/*
 * Not schedule points: an exploration reads each model thread's liburcu
 * reader counter instead (explore_sched.c), so these cost what liburcu's
 * inline read lock costs and nothing more.
 */
static inline void tcesim_rcu_read_lock(void)
{
	urcu_memb_read_lock();
}

/* Pairs with tcesim_synchronize_rcu()/the start of a call_rcu callback. */
static inline void tcesim_rcu_read_unlock(void)
{
#ifdef TCESIM_TSAN
	tcesim_tsan_release(&tcesim_tsan_rcu_sync);
#endif
	urcu_memb_read_unlock();
}

static inline void tcesim_synchronize_rcu(void)
{
	if (tcesim_explore_any() && tcesim_sched_rcu(TCESIM_SCHED_SYNC_RCU))
		return;
	urcu_memb_synchronize_rcu();
#ifdef TCESIM_TSAN
	tcesim_tsan_acquire(&tcesim_tsan_rcu_sync);
#endif
}

/* Call at the start of every call_rcu callback (grace-period end). */
static inline void tcesim_rcu_callback_enter(void)
{
#ifdef TCESIM_TSAN
	tcesim_tsan_acquire(&tcesim_tsan_rcu_sync);
#endif
}

/*
 * Call at the end of every call_rcu callback: releases what the callback
 * wrote (the freed memory, the world's allocation counter) to
 * tcesim_rcu_barrier()'s acquire; TSan cannot see liburcu's worker hand-off.
 */
static inline void tcesim_rcu_callback_exit(void)
{
#ifdef TCESIM_TSAN
	tcesim_tsan_release(&tcesim_tsan_rcu_sync);
#endif
}

/*
 * Queue @fn after a grace period. The release makes everything this thread
 * wrote before queueing visible to the callback's tcesim_rcu_callback_enter()
 * (liburcu's wfcqueue hand-off is invisible to TSan).
 */
extern atomic_ulong tcesim_rcu_queued;	/* call_rcu count, core/sync.c */
/* call_rcu() whose callback the next tcesim_rcu_barrier() runs (core/sync.c) */
void tcesim_call_rcu_queue(struct rcu_head *head, void (*fn)(struct rcu_head *));

static inline void tcesim_call_rcu(struct rcu_head *head, void (*fn)(struct rcu_head *))
{
	if (tcesim_explore_any() && tcesim_sched_call_rcu(head, fn))
		return;
#ifdef TCESIM_TSAN
	tcesim_tsan_release(&tcesim_tsan_rcu_sync);
#endif
	tcesim_call_rcu_queue(head, fn); /* core/sync.c: drained by the next barrier */
}

/* --------------------------------------------------------------- mutex --- */
/*
 * A pthread mutex that knows its owner, so *_locked helpers can assert that
 * their caller holds it (the kernel's lockdep_assert_held()).
 */
struct tcesim_mutex {
	pthread_mutex_t m;
	_Atomic unsigned long owner; /* pthread_self() of the holder, 0 if free */
};

void tcesim_mutex_init(struct tcesim_mutex *m);
void tcesim_mutex_destroy(struct tcesim_mutex *m);
void tcesim_mutex_lock(struct tcesim_mutex *m);
void tcesim_mutex_unlock(struct tcesim_mutex *m);
bool tcesim_mutex_held(struct tcesim_mutex *m);
#ifdef NDEBUG
#define tcesim_lock_assert_held(m) ((void)(m))
#else
#define tcesim_lock_assert_held(m) tcesim_assert_held_fn((m), __func__)
#endif
void tcesim_assert_held_fn(struct tcesim_mutex *m, const char *fn);

/*
 * Spinlocks (pthread_spinlock_t) through these so that an exploration can
 * block a thread on a held one instead of spinning forever.
 */
static inline void tcesim_spin_lock(pthread_spinlock_t *l)
{
	if (tcesim_explore_on() && tcesim_sched_lock(TCESIM_SCHED_SPIN_LOCK, (const void *)(uintptr_t)l))
		return;
	pthread_spin_lock(l);
}

static inline void tcesim_spin_unlock(pthread_spinlock_t *l)
{
	if (tcesim_explore_on() && tcesim_sched_lock(TCESIM_SCHED_SPIN_UNLOCK, (const void *)(uintptr_t)l))
		return;
	pthread_spin_unlock(l);
}

/* -------------------------------------------- counts, pins and indices --- */
/*
 * Every atomic access to a reference or pin count (page pins, mm_count,
 * mm_users, mm_iommu "mapped", locked_vm: TCESIM_SCHED_REF) and to a ring or
 * queue index or status bit (PRQ head/tail, PRS.PPR/PRO: TCESIM_SCHED_INDEX)
 * of shared model state goes through these, so that an exploration can
 * interleave other threads between a thread's load and its store or
 * compare-and-swap. They are the C11 *_explicit operations with a schedule
 * point first: one flag test outside an exploration. The compare-and-swap
 * is the weak form (retry loops) or the strong one; the failure order is
 * relaxed.
 */
/*
 * The loads: one flag test outside an exploration; inside, the schedule
 * point, the load, and the freed-memory check of what was loaded
 * (tcesim_explore_read_freed).
 */
#define tcesim_sched_load_(op, p, mo)                                            \
	__extension__({                                                          \
		__typeof__(atomic_load_explicit((p), (mo))) tcesim_ld_;          \
		if (tcesim_explore_on()) {                                       \
			tcesim_sched_dispatch((op), (p));                        \
			tcesim_ld_ = atomic_load_explicit((p), (mo));            \
			(void)tcesim_explore_read_freed((p), &tcesim_ld_, sizeof(tcesim_ld_)); \
		} else {                                                         \
			tcesim_ld_ = atomic_load_explicit((p), (mo));            \
		}                                                                \
		tcesim_ld_;                                                      \
	})

#define tcesim_ref_load(p, mo) tcesim_sched_load_(TCESIM_SCHED_REF, (p), (mo))
#define tcesim_ref_store(p, v, mo)                                               \
	(tcesim_sched_point(TCESIM_SCHED_REF, (p)), atomic_store_explicit((p), (v), (mo)))
#define tcesim_ref_fetch_add(p, v, mo)                                           \
	(tcesim_sched_point(TCESIM_SCHED_REF, (p)), atomic_fetch_add_explicit((p), (v), (mo)))
#define tcesim_ref_fetch_sub(p, v, mo)                                           \
	(tcesim_sched_point(TCESIM_SCHED_REF, (p)), atomic_fetch_sub_explicit((p), (v), (mo)))
#define tcesim_ref_cmpxchg(p, oldp, v, mo)                                       \
	(tcesim_sched_point(TCESIM_SCHED_REF, (p)),                              \
	 atomic_compare_exchange_weak_explicit((p), (oldp), (v), (mo), memory_order_relaxed))
/* the strong form: one attempt that fails only if *p != *oldp */
#define tcesim_ref_cmpxchg_strong(p, oldp, v, mo)                                \
	(tcesim_sched_point(TCESIM_SCHED_REF, (p)),                              \
	 atomic_compare_exchange_strong_explicit((p), (oldp), (v), (mo), memory_order_relaxed))

#define tcesim_index_load(p, mo) tcesim_sched_load_(TCESIM_SCHED_INDEX, (p), (mo))
#define tcesim_index_store(p, v, mo)                                             \
	(tcesim_sched_point(TCESIM_SCHED_INDEX, (p)), atomic_store_explicit((p), (v), (mo)))
#define tcesim_index_fetch_or(p, v, mo)                                          \
	(tcesim_sched_point(TCESIM_SCHED_INDEX, (p)), atomic_fetch_or_explicit((p), (v), (mo)))
#define tcesim_index_fetch_and(p, v, mo)                                         \
	(tcesim_sched_point(TCESIM_SCHED_INDEX, (p)), atomic_fetch_and_explicit((p), (v), (mo)))

/*
 * A test-and-set spinlock on an atomic_flag (the PRQ's hardware-side
 * hw_lock): while explored, a held one blocks its waiter (a schedule point
 * of TCESIM_SCHED_SPIN_LOCK on its address) instead of spinning forever.
 */
static inline void tcesim_flag_lock(atomic_flag *f)
{
	if (tcesim_explore_on() && tcesim_sched_lock(TCESIM_SCHED_SPIN_LOCK, (const void *)f))
		return;
	while (atomic_flag_test_and_set_explicit(f, memory_order_acquire))
		;
}

static inline void tcesim_flag_unlock(atomic_flag *f)
{
	if (tcesim_explore_on() && tcesim_sched_lock(TCESIM_SCHED_SPIN_UNLOCK, (const void *)f))
		return;
	atomic_flag_clear_explicit(f, memory_order_release);
}

/* ------------------------------------------------------------ the world --- */
/*
 * Per-world module slots. Each module keeps its per-world state in one slot,
 * created lazily by the module and destroyed by the world in reverse slot
 * order (upper layers first).
 */
enum tcesim_world_slot {
	TCESIM_SLOT_MEM = 0,
	TCESIM_SLOT_OPS,
	TCESIM_SLOT_KVM,
	TCESIM_SLOT_VFIO,
	TCESIM_SLOT_SVA,
	TCESIM_SLOT_PRQ,
	TCESIM_SLOT_NR,
};

#define TCESIM_LOG_LINES 32
#define TCESIM_LOG_LEN 160

struct tcesim_world {
	struct tcesim_world_cfg cfg;	/* immutable after create */
	_Atomic long live_allocs;	/* allocations made by tcesim_zalloc() */
	_Atomic unsigned long fail_nth; /* 0: off; n: the n-th next alloc fails */
	_Atomic unsigned long allocs_total;
	void *slot[TCESIM_SLOT_NR];	/* published once by CAS (world.c), read with acquire */
	void (*slot_destroy[TCESIM_SLOT_NR])(struct tcesim_world *w, void *state);
	struct tcesim_mutex log_lock;	/* protects log[], log_head, log_fn */
	char log[TCESIM_LOG_LINES][TCESIM_LOG_LEN];
	unsigned int log_head;		/* lines written since create */
	void (*log_fn)(void *ctx, const char *line);
	void *log_ctx;
	/* MAX_PAGE_ORDER in force (cfg's, or tcesim_world_set_max_page_order()) */
	_Atomic int max_page_order;
};

/*
 * tcesim_world_slot() returns the module's state, creating it with @create on
 * first use. @create returns NULL on allocation failure.
 */
void *tcesim_world_slot(struct tcesim_world *w, enum tcesim_world_slot s,
			void *(*create)(struct tcesim_world *w),
			void (*destroy)(struct tcesim_world *w, void *state));
/* tcesim_world_destroy(), returning the model allocations still live after
 * every layer tore down: nonzero is a leak (the explorer's invariant). */
long tcesim_world_destroy_leaks(struct tcesim_world *w);
/* The slot's state if it exists, else NULL. */
void *tcesim_world_slot_peek(struct tcesim_world *w, enum tcesim_world_slot s);

static inline bool tcesim_flavour_is(const struct tcesim_world *w, enum tcesim_flavour f)
{
	return w->cfg.flavour == f;
}

static inline bool tcesim_quirks_upstream(const struct tcesim_world *w)
{
	return w->cfg.quirks == TCESIM_QUIRKS_UPSTREAM;
}

static inline unsigned int tcesim_page_shift(const struct tcesim_world *w)
{
	return w->cfg.host_page_shift;
}

/* MAX_PAGE_ORDER (include/linux/mmzone.h) of the world's page allocator. */
static inline int tcesim_max_page_order(const struct tcesim_world *w)
{
	return atomic_load_explicit(&((struct tcesim_world *)w)->max_page_order,
				    memory_order_relaxed);
}

/*
 * kmalloc()/kzalloc() of @bytes succeeds only up to KMALLOC_MAX_SIZE,
 * PAGE_SIZE << MAX_PAGE_ORDER (include/linux/slab.h); above it the page
 * allocator refuses the order and kmalloc returns NULL.
 */
static inline bool tcesim_kmalloc_fits(const struct tcesim_world *w, uint64_t bytes)
{
	return bytes <= ((uint64_t)1 << tcesim_page_shift(w)) << tcesim_max_page_order(w);
}

/* ------------------------------------------------------- allocations ---- */
/*
 * Every allocation the model makes goes through these (never the scenario
 * runner's own bookkeeping). tcesim_zalloc() returns NULL when an injected
 * failure fires; callers treat that exactly as upstream treats -ENOMEM.
 */
void *tcesim_zalloc(struct tcesim_world *w, size_t size);
void *tcesim_zalloc_aligned(struct tcesim_world *w, size_t align, size_t size);
void tcesim_kfree(struct tcesim_world *w, void *p);
/*
 * explore_poison.c: under exploration (not under ASan) tcesim_kfree() poisons
 * and keeps the block (true) instead of freeing it; the world's destruction
 * checks the poison is intact (a violation otherwise) and frees the blocks.
 */
bool tcesim_explore_quarantine(struct tcesim_world *w, void *p);
void tcesim_explore_quarantine_drain(struct tcesim_world *w);
/* Consumes one injection step without allocating (e.g. a modelled pin). */
bool tcesim_should_fail(struct tcesim_world *w);

/* ------------------------------------------------------------ logging ---- */
/* Kernel-style messages ("iommu_tce: it_map is not empty"): kept in the
 * world's ring of the last TCESIM_LOG_LINES lines and passed to the log
 * callback. */
void tcesim_pr(struct tcesim_world *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ------------------------------------------------------ big-endian TCE --- */
/*
 * The explored halves of tce_read()/tce_write(), out of line so that the
 * inline fast path is one flag test and a tail call: a call in the middle of
 * the caller would make it save registers on every TCE access (the locked
 * path's tce_get cost 7 instructions more; bench/icount.sh). Read: the
 * schedule point, the load, and the freed-memory check of what was loaded
 * (explore_poison.c); write: the schedule point and the store
 * (explore_sched.c).
 */
uint64_t tcesim_tce_read_explored(const _Atomic uint64_t *slot);
void tcesim_tce_write_explored(_Atomic uint64_t *slot, uint64_t v);

static inline uint64_t tce_read(const _Atomic uint64_t *slot)
{
	if (tcesim_explore_on())
		return tcesim_tce_read_explored(slot);
	return be64toh(atomic_load_explicit(slot, memory_order_relaxed));
}

static inline void tce_write(_Atomic uint64_t *slot, uint64_t v)
{
	if (tcesim_explore_on()) {
		tcesim_tce_write_explored(slot, v);
		return;
	}
	atomic_store_explicit(slot, htobe64(v), memory_order_relaxed);
}

/* tce_xchg() in a hot leaf's body (@pts: tcesim_sched_point_in()) */
static inline uint64_t tce_xchg_in(bool pts, _Atomic uint64_t *slot, uint64_t v)
{
	tcesim_sched_point_in(pts, TCESIM_SCHED_TCE_XCHG, slot);
	return be64toh(atomic_exchange_explicit(slot, htobe64(v), memory_order_acq_rel));
}

/* Atomic exchange of a big-endian slot: the TCE fast path (pnv_tce_xchg). */
static inline uint64_t tce_xchg(_Atomic uint64_t *slot, uint64_t v)
{
	return tce_xchg_in(tcesim_explore_on(), slot, v);
}

static inline enum tcesim_dma_data_direction tcesim_tce_direction(uint64_t tce)
{
	/* arch/powerpc/kernel/iommu.c: iommu_tce_direction() */
	switch (tce & TCESIM_TCE_PERM_MASK) {
	case TCESIM_TCE_PCI_READ | TCESIM_TCE_PCI_WRITE:
		return TCESIM_DMA_BIDIRECTIONAL;
	case TCESIM_TCE_PCI_READ:
		return TCESIM_DMA_TO_DEVICE;
	case TCESIM_TCE_PCI_WRITE:
		return TCESIM_DMA_FROM_DEVICE;
	default:
		return TCESIM_DMA_NONE;
	}
}

static inline uint64_t tcesim_direction_to_tce_perm(enum tcesim_dma_data_direction dir)
{
	/* arch/powerpc/kernel/iommu.c: iommu_direction_to_tce_perm() */
	switch (dir) {
	case TCESIM_DMA_BIDIRECTIONAL:
		return TCESIM_TCE_PCI_READ | TCESIM_TCE_PCI_WRITE;
	case TCESIM_DMA_TO_DEVICE:
		return TCESIM_TCE_PCI_READ;
	case TCESIM_DMA_FROM_DEVICE:
		return TCESIM_TCE_PCI_WRITE;
	default:
		return 0;
	}
}

static inline unsigned int tcesim_ilog2_u64(uint64_t v)
{
	return 63u - (unsigned int)__builtin_clzll(v);
}

static inline bool tcesim_is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

#endif /* TCESIM_INTERNAL_H */
