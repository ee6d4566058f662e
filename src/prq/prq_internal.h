/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * prq_internal.h - struct definitions and helpers of src/prq (never installed).
 *
 * Lock order (outermost first; see prq.c "Concepts:"):
 *   prq->pass_lock  >  (sva locks taken by iommu_report_device_fault and
 *   iopf_queue_flush_dev: dev->iopf_lock, mm->lock)  >  prq->qi_lock
 *   prq->hw_lock (the PRQ write port) is a spinning leaf: nothing is taken
 *   under it. prq->cmp_lock (prq_complete) is a leaf.
 *
 * The files of src/prq call each other one way, bottom to top (a file calls
 * only files of a lower layer; tests/api prq_layers checks it from the
 * objects' symbols):
 *
 *   0  prq_desc.c    page request descriptors: encode/decode (VT-d 7.4.1)
 *   0  prq_rid.c     the RID table: which device a descriptor's RID names
 *   0  prq_flush.c   tcesim_prq_flush_faults(): the iopf queues of one PRQ
 *   1  qi.c          the invalidation queue: page group responses, the
 *                    drain's descriptors (dmar.c: qi_submit_sync())
 *   2  prq_event.c   the event thread: one pass over the ring
 *                    (intel/prq.c: prq_event_thread())
 *   3  prq_drain.c   the PASID drain (intel/prq.c:
 *                    intel_iommu_drain_pasid_prq()) and the teardown hook
 *   4  prq.c         the PRQ object: enable (intel_iommu_enable_prq()),
 *                    wiring of the iommu hooks, observation
 *   5  prq_hw.c      the hardware side (QEMU vtd_pri_request_page()): the
 *                    ring's producer, enabling the PRQ on first request
 *
 * The inline helpers below (counters, ring arithmetic, the completion) are
 * leaves: every layer may use them.
 */
#ifndef TCESIM_PRQ_INTERNAL_H
#define TCESIM_PRQ_INTERNAL_H

#include <time.h>

#include "internal.h"
#include "sva/sva_internal.h"
#include <tcesim/prq.h>

#define PRQ_MAX_DEVICES 256u	/* bus 1, devfn 0..255 */
#define PRQ_RID_BASE 0x100u	/* PCI_DEVID(1, 0) */
/* FLPT_DEFAULT_DID: the DID used for a PASID without a domain */
#define PRQ_FLPT_DEFAULT_DID 1u
/* Kernel's QI_LENGTH (drivers/iommu/intel/iommu.h): descriptors in the ring. */
#define PRQ_QI_LENGTH 256u
/* descriptors the QI keeps in its log of the last ones run (tests) */
#define PRQ_QI_LOG 8

/* One ring slot: the four quadwords, atomically accessed (relaxed) so the
 * drainer's racy scan and the producer's writes are data-race free; the
 * ordering comes from the head/tail release/acquire pairs. */
struct prq_slot {
	_Atomic uint64_t qw[4];
};
_Static_assert(sizeof(struct prq_slot) == TCESIM_PRQ_DESC_SIZE, "PRQ descriptor is 32 bytes");

/* struct completion: done flag + waiters, for prq_complete */
struct prq_completion {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;		/* under lock */
};

/*
 * Test hook: called by a pass after each descriptor, with pass_lock held
 * (tests use it to make the hardware write during a pass). NULL normally.
 */
typedef void (*prq_pass_hook_t)(struct tcesim_iommu *iommu, void *arg);

struct prq {
	struct tcesim_world *w;		/* immutable */
	struct tcesim_iommu *iommu;	/* immutable */
	uint32_t depth;			/* descriptors; power of two; immutable */
	uint32_t size_mask;		/* PRQ_RING_MASK: depth * 32 - 32; immutable */
	struct prq_slot *ring;		/* depth slots; see struct prq_slot */
	/*
	 * Beside slot i (same allocation, after the ring): the life of the
	 * SVA bond the request was issued for (sva/pasid_life.c); written by
	 * the producer before its release of tail, read by a pass after its
	 * acquire of tail. Not hardware state: the model's oracle.
	 */
	uint64_t *life;

	/*
	 * Producer side ("hardware"), one cache line: hw_lock serialises
	 * producers (the PRQ write port); tail is written only under it, with
	 * release (pairs with the consumer's and drainer's acquire of tail:
	 * the slot's quadwords are visible before the tail that covers them).
	 * The producer's counters are written under hw_lock.
	 */
	_Alignas(64) atomic_flag hw_lock;
	_Atomic uint32_t tail;		/* DMAR_PQT_REG, byte offset */
	uint32_t head_cache;		/* producer's last seen head; under hw_lock */
	_Atomic unsigned long written, dropped, overflows;

	/*
	 * Consumer side, its own cache line. head is written only by a pass,
	 * under pass_lock, with release (pairs with the producer's acquire
	 * before it reuses a slot: a slot is rewritten only after the pass
	 * finished reading it). The pass counters are written under pass_lock.
	 */
	_Alignas(64) _Atomic uint32_t head;	/* DMAR_PQH_REG, byte offset */
	_Atomic unsigned long passes, consumed, reported, bad, stop_markers;
	prq_pass_hook_t pass_hook;	/* tests; set before use, under no lock */
	void *pass_hook_arg;
	struct tcesim_mutex pass_lock;	/* one pass at a time (the IRQ thread) */

	/* DMAR_PRS_REG: PPR/PRO set by the producer (fetch_or), cleared by a
	 * pass (fetch_and, the W1C write). seq_cst RMWs order them against
	 * the head/tail accesses they guard. */
	_Alignas(64) _Atomic uint32_t prs;

	struct prq_completion complete;	/* prq_complete */
	_Atomic bool threaded;		/* an event thread runs passes */

	/* device table (device_rbtree): slot i is RID PRQ_RID_BASE + i.
	 * Written once each under rid_lock, published with release; readers
	 * use acquire loads and no lock (entries are never removed). */
	struct tcesim_mutex rid_lock;
	_Atomic(struct tcesim_device *) rid_dev[PRQ_MAX_DEVICES];
	_Atomic unsigned int nr_rids;	/* published slots; release/acquire */

	/*
	 * invalidation queue (dmar.c struct q_inval): qi_lock (q_lock)
	 * protects the ring, qi_log and qi_nlog. The submitter writes the
	 * descriptors at qi_tail and then qi_tail itself (DMAR_IQT_REG, the
	 * doorbell; its free_head), release; the hardware side fetches from
	 * qi_head (DMAR_IQH_REG) up to the tail it acquired and writes
	 * qi_head back. Both in descriptors, 0..PRQ_QI_LENGTH-1, through
	 * tcesim_index_load/store (schedule points).
	 */
	struct tcesim_mutex qi_lock;
	struct tcesim_qi_desc qi_ring[PRQ_QI_LENGTH];
	uint32_t qi_free_head;		/* qi->free_head; under qi_lock */
	_Atomic uint32_t qi_tail;	/* DMAR_IQT_REG: written by software */
	_Atomic uint32_t qi_head;	/* DMAR_IQH_REG: written by the hardware */
	struct tcesim_qi_desc qi_log[PRQ_QI_LOG]; /* last descriptors run */
	unsigned long qi_nlog;		/* descriptors run since create */

	/* other counters: relaxed atomic RMWs (struct tcesim_prq_stats) */
	_Atomic unsigned long qi_submits, qi_drains, qi_descs, pgrp_resps;
	_Atomic unsigned long drains, drain_waits;

	struct cds_list_head node;	/* prq_state->prqs; under prq_state->lock */
};

/* Per-world module state (TCESIM_SLOT_PRQ). */
struct prq_state {
	struct tcesim_world *w;		/* immutable */
	struct tcesim_mutex lock;	/* protects prqs and enabling */
	struct cds_list_head prqs;
};

/* The IOMMU's PRQ, or NULL if not enabled (acquire: pairs with enable). */
static inline struct prq *prq_of(const struct tcesim_iommu *iommu)
{
	return __atomic_load_n((struct prq *const *)(const void *)&iommu->prq,
			       __ATOMIC_ACQUIRE);
}

/* ---- prq.c ---- */
/* Enables the PRQ if needed; NULL with *err set on failure. */
struct prq *prq_get(struct tcesim_iommu *iommu, int *err);

/* ---- prq_rid.c ---- */
/* RID of @dev (registering it), or -ENOSPC. */
int prq_dev_rid(struct prq *prq, struct tcesim_device *dev, uint16_t *rid);
/* RID of @dev if registered (0), else -ENOENT; registers nothing. Lock-free. */
int prq_rid_find(struct prq *prq, struct tcesim_device *dev, uint16_t *rid);
/* Device registered at @rid, or NULL. Lock-free. */
struct tcesim_device *prq_rid_dev(struct prq *prq, uint16_t rid);

/* ---- prq_event.c ---- */
/* One pass of the event thread (consumer). */
int prq_pass(struct prq *prq);
/* Number of descriptors in the ring. */
uint32_t prq_nr_pending(struct prq *prq);

/* ---- prq_drain.c ---- */
/* iommu->pasid_teardown: the implicit drain of a PASID teardown. */
void prq_pasid_teardown_hook(struct tcesim_device *dev, uint32_t pasid, void *arg);

/* ---- qi.c ---- */
int prq_qi_submit(struct prq *prq, const struct tcesim_qi_desc *desc, unsigned int count,
		  unsigned int options);
/* intel_iommu_page_response(): the iommu->page_response hook. */
void prq_page_response_hook(struct tcesim_device *dev,
			    const struct tcesim_iommu_page_response *r, bool last_page,
			    void *arg);
/* QI page group response for a bad request (handle_bad_prq_event). */
void prq_respond_bad(struct prq *prq, const struct tcesim_vtd_page_req *req, uint32_t qi_code);

/* ---- leaf helpers (moved from prq.c) ---- */

/* A counter written by one owner at a time (under its lock), read by anyone. */
static inline void stat_inc_owned(_Atomic unsigned long *c)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
			      memory_order_relaxed);
}

static inline void stat_add(_Atomic unsigned long *c, unsigned long v)
{
	atomic_fetch_add_explicit(c, v, memory_order_relaxed);
}

static inline unsigned long stat_read(_Atomic unsigned long *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

static inline void hw_lock(struct prq *prq)
{
	tcesim_flag_lock(&prq->hw_lock);
}

static inline void hw_unlock(struct prq *prq)
{
	tcesim_flag_unlock(&prq->hw_lock);
}

static inline uint32_t ring_next(const struct prq *prq, uint32_t off)
{
	return (off + TCESIM_PRQ_DESC_SIZE) & prq->size_mask;
}

static inline struct prq_slot *ring_slot(struct prq *prq, uint32_t off)
{
	return &prq->ring[off / TCESIM_PRQ_DESC_SIZE];
}

static inline void slot_read(const struct prq_slot *s, uint64_t qw[4])
{
	for (int i = 0; i < 4; i++)
		qw[i] = atomic_load_explicit(&s->qw[i], memory_order_relaxed);
}

/* ---- the completion (struct completion prq_complete) ---- */

static inline void completion_init(struct prq_completion *c)
{
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->cond, NULL);
	c->done = false;
}

static inline void completion_destroy(struct prq_completion *c)
{
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->lock);
}

static inline void reinit_completion(struct prq_completion *c)
{
	pthread_mutex_lock(&c->lock);
	c->done = false;
	pthread_mutex_unlock(&c->lock);
}

/* complete() "if not already done", as prq_event_thread does. */
static inline void complete(struct prq_completion *c)
{
	pthread_mutex_lock(&c->lock);
	if (!c->done) {
		c->done = true;
		pthread_cond_broadcast(&c->cond);
	}
	pthread_mutex_unlock(&c->lock);
}

/* wait_for_completion_timeout(); true when completed. */
static inline bool wait_for_completion_timeout(struct prq_completion *c, unsigned int ms)
{
	struct timespec ts;
	bool done;
	int ret = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&c->lock);
	while (!c->done && ret == 0)
		ret = pthread_cond_timedwait(&c->cond, &c->lock, &ts);
	done = c->done;
	pthread_mutex_unlock(&c->lock);
	return done;
}

/* The intel-svm.c eras (PRQ_ORDER 0, faults handled in the PRQ thread). */
static inline bool prq_svm_era(const struct tcesim_world *w)
{
	return tcesim_flavour_is(w, TCESIM_FLAVOUR_LEGACY_2020) ||
	       tcesim_flavour_is(w, TCESIM_FLAVOUR_LEGACY_2019);
}

#endif /* TCESIM_PRQ_INTERNAL_H */
