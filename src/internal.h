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

/* ----------------------------------------------------------------- RCU --- */
/*
 * tcesim_rcu_assign() publishes @v at @p; pairs with tcesim_rcu_deref() of
 * the same pointer in a reader: everything written to *v before the publish
 * is visible to a reader that sees v.
 */
#define tcesim_rcu_assign(p, v)                                                  \
	do {                                                                     \
		tcesim_tsan_release(&(p));                                       \
		rcu_assign_pointer((p), (v));                                    \
	} while (0)

#define tcesim_rcu_deref(p)                                                      \
	__extension__({                                                          \
		__typeof__(p) tcesim_rcu_p_ = rcu_dereference(p);                \
		tcesim_tsan_acquire(&(p));                                       \
		tcesim_rcu_p_;                                                   \
	})

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
/* rcu_barrier() unless no call_rcu was queued since the last barrier began. */
void tcesim_rcu_barrier_if_queued(void);
/* call_rcu() whose callback the next tcesim_rcu_barrier() runs (core/sync.c) */
void tcesim_call_rcu_queue(struct rcu_head *head, void (*fn)(struct rcu_head *));

static inline void tcesim_call_rcu(struct rcu_head *head, void (*fn)(struct rcu_head *))
{
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
};

/*
 * tcesim_world_slot() returns the module's state, creating it with @create on
 * first use. @create returns NULL on allocation failure.
 */
void *tcesim_world_slot(struct tcesim_world *w, enum tcesim_world_slot s,
			void *(*create)(struct tcesim_world *w),
			void (*destroy)(struct tcesim_world *w, void *state));
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

/* ------------------------------------------------------- allocations ---- */
/*
 * Every allocation the model makes goes through these (never the scenario
 * runner's own bookkeeping). tcesim_zalloc() returns NULL when an injected
 * failure fires; callers treat that exactly as upstream treats -ENOMEM.
 */
void *tcesim_zalloc(struct tcesim_world *w, size_t size);
void *tcesim_zalloc_aligned(struct tcesim_world *w, size_t align, size_t size);
void tcesim_kfree(struct tcesim_world *w, void *p);
/* Consumes one injection step without allocating (e.g. a modelled pin). */
bool tcesim_should_fail(struct tcesim_world *w);

/* ------------------------------------------------------------ logging ---- */
/* Kernel-style messages ("iommu_tce: it_map is not empty"): kept in the
 * world's ring of the last TCESIM_LOG_LINES lines and passed to the log
 * callback. */
void tcesim_pr(struct tcesim_world *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ------------------------------------------------------ big-endian TCE --- */
static inline uint64_t tce_read(const _Atomic uint64_t *slot)
{
	return be64toh(atomic_load_explicit(slot, memory_order_relaxed));
}

static inline void tce_write(_Atomic uint64_t *slot, uint64_t v)
{
	atomic_store_explicit(slot, htobe64(v), memory_order_relaxed);
}

/* Atomic exchange of a big-endian slot: the TCE fast path (pnv_tce_xchg). */
static inline uint64_t tce_xchg(_Atomic uint64_t *slot, uint64_t v)
{
	return be64toh(atomic_exchange_explicit(slot, htobe64(v), memory_order_acq_rel));
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
