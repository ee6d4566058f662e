// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * prq.c - the VT-d page request queue object: enabling it on an IOMMU,
 * wiring the iommu hooks, observation (SEMANTICS.md B13). The concepts,
 * invariants and lock rules below hold for the whole folder, whose files
 * split the PRQ as drivers/iommu/intel/prq.c and QEMU do: the ring's
 * producer (prq_hw.c), the event thread (prq_event.c), the drain
 * (prq_drain.c), the RID table (prq_rid.c), the descriptors (prq_desc.c),
 * the invalidation queue (qi.c). This file is layer 4 of the one-way order
 * written atop prq_internal.h.
 *
 * Concepts:
 *  - Models drivers/iommu/intel/prq.c (2024-11+; svm.c v5.8 for the
 *    legacy_2020 flavour) and the hardware side as QEMU models it
 *    (hw/i386/intel_iommu.c: vtd_pri_request_page()). One PRQ per IOMMU,
 *    allocated by tcesim_intel_iommu_enable_prq() and published at
 *    iommu->prq; it lives until the world is destroyed.
 *  - The ring is depth 32-byte descriptors. PQH (head) and PQT (tail) are
 *    byte offsets; the hardware owns the tail, software the head. It is a
 *    single-producer single-consumer ring: the producer is the PRQ write
 *    port (device requests, serialised by hw_lock), the consumer is the
 *    event thread (passes, serialised by pass_lock). The drain is a third,
 *    read-only party: it scans [head, tail) without owning either.
 *  - PRS.PPR says "a request arrived since the last pass cleared it";
 *    PRS.PRO says "the ring overflowed": while it is set every request is
 *    dropped, and only a pass that finds the ring empty at its end clears
 *    it (SEMANTICS.md Q11), discarding partial fault groups first.
 *  - Requests are delivered synchronously (no fabric in between), so the
 *    invalidation queue's PRQ drain has nothing in flight to wait for; it
 *    is counted, and the drain's PRO loop is modelled.
 *  - "wait_for_completion(&prq_complete)" is a real completion when an
 *    event thread is declared (tcesim_prq_set_threaded()); otherwise the
 *    waiter runs the pass itself, which is what the wait would observe.
 *
 * Invariants:
 *  - head, tail < depth * 32, multiples of 32; (tail - head) mod size is
 *    the number of pending descriptors, at most depth - 1;
 *  - a slot in [head, tail) is never written by the producer;
 *  - head moves only at the end of a pass, so a descriptor is in [head,
 *    tail) until its request was reported (or rejected) in full: a drain
 *    that finds no match in [head, tail) knows every earlier request of
 *    the PASID reached the iopf layer;
 *  - one page group response per group: bad requests answer only their
 *    LPIG descriptor, the iopf layer answers a group once.
 *
 * Lock rules (outermost first): pass_lock > (sva: dev->iopf_lock, mm->lock
 * via report/flush) > qi_lock. hw_lock is a spinning leaf held only across
 * the ring write. The completion lock is a leaf. The producer never takes
 * pass_lock and the event thread never takes hw_lock.
 *
 * Synchronisation table (Y: may run concurrently):
 *
 *                    | request/post | event pass | drain scan | qi_submit
 *   request/post     | hw_lock      |     Y      |     Y      |    Y
 *   event pass       |     Y        | pass_lock  |     Y      |    Y
 *   drain (scan/wait)|     Y        |     Y      |     Y      |    Y
 *   qi_submit        |     Y        |     Y      |     Y      | qi_lock
 *
 * Barrier pairs:
 *  (1) producer: slot stores, then store-release of tail  <->  pass and
 *      drain: load-acquire of tail, then slot loads;
 *  (2) pass: slot loads, then store-release of head  <->  producer:
 *      load-acquire of head before reusing a slot;
 *  (3) PRS RMWs are seq_cst: a pass clears PPR before it loads tail, so a
 *      request whose tail store it misses sets PPR again after the clear.
 */
#include <stdio.h>

#include "prq/prq_internal.h"

/* ------------------------------------------------------ the PRQ object --- */

static void prq_free(struct prq *prq)
{
	if (prq->iommu && prq_of(prq->iommu) == prq) {
		prq->iommu->page_response = NULL;
		prq->iommu->page_response_arg = NULL;
		prq->iommu->pasid_teardown = NULL;
		prq->iommu->pasid_teardown_arg = NULL;
		__atomic_store_n(&prq->iommu->prq, NULL, __ATOMIC_RELEASE);
	}
	completion_destroy(&prq->complete);
	tcesim_mutex_destroy(&prq->pass_lock);
	tcesim_mutex_destroy(&prq->rid_lock);
	tcesim_mutex_destroy(&prq->qi_lock);
	tcesim_kfree(prq->w, prq->ring);
	tcesim_kfree(prq->w, prq);
}

static void prq_state_destroy(struct tcesim_world *w, void *state)
{
	struct prq_state *st = state;
	struct prq *prq;

	/*
	 * World teardown: no thread uses the world any more. Not the _safe
	 * iterator: it forms a struct prq pointer from the list head, which
	 * UBSan rightly reports as misaligned now that struct prq is 64-aligned.
	 */
	while (!cds_list_empty(&st->prqs)) {
		prq = cds_list_first_entry(&st->prqs, struct prq, node);
		cds_list_del(&prq->node);
		prq_free(prq);
	}
	tcesim_mutex_destroy(&st->lock);
	tcesim_kfree(w, st);
}

static void *prq_state_create(struct tcesim_world *w)
{
	struct prq_state *st = tcesim_zalloc(w, sizeof(*st));

	if (!st)
		return NULL;
	st->w = w;
	tcesim_mutex_init(&st->lock);
	CDS_INIT_LIST_HEAD(&st->prqs);
	return st;
}

static uint32_t prq_depth_for(struct tcesim_iommu *iommu)
{
	uint32_t depth = iommu->prq_depth;

	/* PRQ_ORDER 0 in 2020: one 4 KiB page */
	if (prq_svm_era(iommu->w) && depth > TCESIM_PRQ_DEPTH_2020)
		depth = TCESIM_PRQ_DEPTH_2020;
	return depth;
}

struct prq *prq_get(struct tcesim_iommu *iommu, int *err)
{
	struct prq *prq = prq_of(iommu);
	struct prq_state *st;
	uint32_t depth;

	if (prq)
		return prq;
	depth = prq_depth_for(iommu);
	if (depth < 2 || depth > 65536 || !tcesim_is_pow2(depth)) {
		*err = -EINVAL;
		return NULL;
	}
	st = tcesim_world_slot(iommu->w, TCESIM_SLOT_PRQ, prq_state_create, prq_state_destroy);
	if (!st) {
		*err = -ENOMEM;
		return NULL;
	}
	tcesim_mutex_lock(&st->lock);
	prq = prq_of(iommu);
	if (prq)
		goto out_unlock;
	/* producer and consumer fields sit on their own cache lines */
	prq = tcesim_zalloc_aligned(iommu->w, _Alignof(struct prq), sizeof(*prq));
	if (!prq)
		goto out_nomem;
	/* the ring is page aligned, as the kernel's iommu_alloc_pages_node() */
	prq->ring = tcesim_zalloc_aligned(iommu->w, 4096, (size_t)depth * (TCESIM_PRQ_DESC_SIZE +
									 sizeof(uint64_t)));
	prq->life = prq->ring ? (uint64_t *)(prq->ring + depth) : NULL;
	if (!prq->ring) {
		tcesim_kfree(iommu->w, prq);
		prq = NULL;
		goto out_nomem;
	}
	prq->w = iommu->w;
	prq->iommu = iommu;
	prq->depth = depth;
	prq->size_mask = depth * TCESIM_PRQ_DESC_SIZE - TCESIM_PRQ_DESC_SIZE;
	atomic_flag_clear(&prq->hw_lock);
	tcesim_mutex_init(&prq->pass_lock);
	tcesim_mutex_init(&prq->rid_lock);
	tcesim_mutex_init(&prq->qi_lock);
	completion_init(&prq->complete);
	cds_list_add_tail(&prq->node, &st->prqs);
	/* iopf responses go out as QI page group response descriptors */
	iommu->page_response_arg = prq;
	iommu->page_response = prq_page_response_hook;
	/* every PASID teardown drains (intel_pasid_tear_down_entry) */
	iommu->pasid_teardown_arg = prq;
	iommu->pasid_teardown = prq_pasid_teardown_hook;
	/* publish: pairs with the acquire in prq_of() */
	__atomic_store_n(&iommu->prq, prq, __ATOMIC_RELEASE);
out_unlock:
	tcesim_mutex_unlock(&st->lock);
	return prq;
out_nomem:
	tcesim_mutex_unlock(&st->lock);
	*err = -ENOMEM;
	return NULL;
}

TCESIM_EXPORT int tcesim_intel_iommu_enable_prq(struct tcesim_iommu *iommu)
{
	int err = 0;

	if (!iommu)
		return -EINVAL;
	return prq_get(iommu, &err) ? 0 : err;
}

TCESIM_EXPORT int tcesim_vtd_device_rid(struct tcesim_device *dev, uint16_t *rid)
{
	struct prq *prq;
	int err = 0;

	if (!dev || !rid)
		return -EINVAL;
	prq = prq_get(dev->iommu, &err);
	if (!prq)
		return err;
	return prq_dev_rid(prq, dev, rid);
}

/* -------------------------------------------------------- observation --- */

TCESIM_EXPORT long tcesim_prq_pending(struct tcesim_iommu *iommu)
{
	struct prq *prq;

	if (!iommu)
		return -EINVAL;
	prq = prq_of(iommu);
	return prq ? (long)prq_nr_pending(prq) : 0;
}

TCESIM_EXPORT int tcesim_prq_get_stats(struct tcesim_iommu *iommu, struct tcesim_prq_stats *out)
{
	struct prq *prq;

	if (!iommu || !out)
		return -EINVAL;
	prq = prq_of(iommu);
	if (!prq)
		return -ENODEV;
	memset(out, 0, sizeof(*out));
	out->depth = prq->depth;
	out->head = atomic_load_explicit(&prq->head, memory_order_acquire);
	out->tail = atomic_load_explicit(&prq->tail, memory_order_acquire);
	out->prs = atomic_load(&prq->prs);
	out->written = stat_read(&prq->written);
	out->dropped = stat_read(&prq->dropped);
	out->overflows = stat_read(&prq->overflows);
	out->passes = stat_read(&prq->passes);
	out->consumed = stat_read(&prq->consumed);
	out->reported = stat_read(&prq->reported);
	out->bad = stat_read(&prq->bad);
	out->stop_markers = stat_read(&prq->stop_markers);
	out->qi_submits = stat_read(&prq->qi_submits);
	out->qi_drains = stat_read(&prq->qi_drains);
	out->qi_descs = stat_read(&prq->qi_descs);
	out->pgrp_resps = stat_read(&prq->pgrp_resps);
	out->drains = stat_read(&prq->drains);
	out->drain_waits = stat_read(&prq->drain_waits);
	return 0;
}
