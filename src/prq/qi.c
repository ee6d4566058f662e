// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * qi.c - the VT-d invalidation queue as the PRQ layer uses it: page group
 * responses (intel_iommu_page_response, handle_bad_prq_event) and the drain
 * sequence (drivers/iommu/intel/dmar.c: qi_submit_sync(), SEMANTICS.md B13).
 *
 * The ring and its indices follow qi_submit_sync(): under q_lock the
 * descriptors and the wait descriptor are copied to the ring at free_head,
 * free_head moves past them and is written to DMAR_IQT_REG (the doorbell);
 * the hardware fetches and executes from DMAR_IQH_REG up to the tail and
 * writes the wait descriptor's status, which the submitter polls. Here the
 * submitter is the ring's only writer (qi_lock) and the hardware side
 * (qi_hw_fetch) runs on the submitter's thread, under qi_lock, right after
 * the doorbell, so the ring is empty whenever qi_lock is free (free_cnt
 * never runs short: no wait for space) and the wait descriptor's status is
 * written before qi_submit_sync() returns (nothing to spin on). The
 * register accesses that cross between software and hardware go through
 * tcesim_index_load/store, schedule points of an exploration
 * (TCESIM_SCHED_INDEX) as the PRQ's head and tail: the doorbell write of
 * IQT, the hardware's read of IQT, its write of IQH. Software's free_head
 * and the hardware's reading of its own IQH are private (no visible step),
 * and the hardware writes IQH once per batch fetched, not per descriptor:
 * nothing reads it in between.
 *
 * Caches are not modelled, so an invalidation only counts; a page group
 * response "reaches" its device (the iopf layer already logged responses it
 * sent; a bad request's response is logged here). qi_lock (a leaf) protects
 * the ring and the log; counters are atomics.
 */
#include "prq/prq_internal.h"

static bool qi_type_known(uint64_t qw0)
{
	switch (qw0 & TCESIM_QI_TYPE_MASK) {
	case TCESIM_QI_CC_TYPE:
	case TCESIM_QI_IOTLB_TYPE:
	case TCESIM_QI_DIOTLB_TYPE:
	case TCESIM_QI_IEC_TYPE:
	case TCESIM_QI_IWD_TYPE:
	case TCESIM_QI_EIOTLB_TYPE:
	case TCESIM_QI_PC_TYPE:
	case TCESIM_QI_DEIOTLB_TYPE:
	case TCESIM_QI_PGRP_RESP_TYPE:
		return true;
	default:
		return false;
	}
}

static void qi_run_locked(struct prq *prq, const struct tcesim_qi_desc *d, bool *drain)
{
	tcesim_lock_assert_held(&prq->qi_lock);
	prq->qi_log[prq->qi_nlog % PRQ_QI_LOG] = *d;
	prq->qi_nlog++;
	atomic_fetch_add_explicit(&prq->qi_descs, 1, memory_order_relaxed);
	switch (d->qw0 & TCESIM_QI_TYPE_MASK) {
	case TCESIM_QI_PGRP_RESP_TYPE:
		atomic_fetch_add_explicit(&prq->pgrp_resps, 1, memory_order_relaxed);
		break;
	case TCESIM_QI_IWD_TYPE:
		if (d->qw0 & TCESIM_QI_IWD_PRQ_DRAIN)
			*drain = true;
		break;
	default:
		break;
	}
}

/*
 * The hardware side: fetch and run [IQH, IQT), then IQH = IQT. Under
 * qi_lock (see the top of the file). Returns whether a wait descriptor with
 * the PRQ-drain bit ran.
 */
static bool qi_hw_fetch(struct prq *prq)
{
	uint32_t head, tail;
	bool drain = false;

	tcesim_lock_assert_held(&prq->qi_lock);
	/* pairs with the release of IQT in prq_qi_submit() */
	tail = tcesim_index_load(&prq->qi_tail, memory_order_acquire);
	/* the hardware's own register: reading it is no visible step */
	head = atomic_load_explicit(&prq->qi_head, memory_order_relaxed);
	for (; head != tail; head = (head + 1) % PRQ_QI_LENGTH)
		qi_run_locked(prq, &prq->qi_ring[head], &drain);
	tcesim_index_store(&prq->qi_head, tail, memory_order_release);
	return drain;
}

int prq_qi_submit(struct prq *prq, const struct tcesim_qi_desc *desc, unsigned int count,
		  unsigned int options)
{
	struct tcesim_qi_desc wait = { 0 };
	uint32_t free_head;
	bool drain;
	unsigned int i;

	if (!desc || !count || count > TCESIM_QI_MAX_BATCH || (options & ~TCESIM_QI_OPT_WAIT_DRAIN))
		return -EINVAL;
	for (i = 0; i < count; i++)
		if (!qi_type_known(desc[i].qw0))
			return -EINVAL;	/* IQE: the batch is rejected whole */
	/* qi_submit_sync()'s own wait descriptor, status written on completion */
	wait.qw0 = TCESIM_QI_IWD_STATUS_DATA(TCESIM_QI_DONE) | TCESIM_QI_IWD_STATUS_WRITE |
		   TCESIM_QI_IWD_FENCE | TCESIM_QI_IWD_TYPE;
	if (options & TCESIM_QI_OPT_WAIT_DRAIN)
		wait.qw0 |= TCESIM_QI_IWD_PRQ_DRAIN;
	_Static_assert(TCESIM_QI_MAX_BATCH + 2 <= PRQ_QI_LENGTH, "a batch fits the ring");
	tcesim_mutex_lock(&prq->qi_lock);
	/*
	 * qi->free_head: software's own copy of the tail (it alone writes
	 * IQT, under qi_lock), so no visible step. The ring is empty here:
	 * qi_hw_fetch() of the last submit caught up.
	 */
	free_head = prq->qi_free_head;
	for (i = 0; i < count; i++)
		prq->qi_ring[(free_head + i) % PRQ_QI_LENGTH] = desc[i];
	prq->qi_ring[(free_head + count) % PRQ_QI_LENGTH] = wait;
	/* writel(free_head, DMAR_IQT_REG): the descriptors before the tail */
	prq->qi_free_head = (free_head + count + 1) % PRQ_QI_LENGTH;
	tcesim_index_store(&prq->qi_tail, prq->qi_free_head, memory_order_release);
	drain = qi_hw_fetch(prq);
	tcesim_mutex_unlock(&prq->qi_lock);
	atomic_fetch_add_explicit(&prq->qi_submits, 1, memory_order_relaxed);
	if (drain)
		atomic_fetch_add_explicit(&prq->qi_drains, 1, memory_order_relaxed);
	return 0;
}

TCESIM_EXPORT int tcesim_qi_submit_sync(struct tcesim_iommu *iommu,
					const struct tcesim_qi_desc *desc, unsigned int count,
					unsigned int options)
{
	struct prq *prq;

	if (!iommu || !desc)
		return -EINVAL;
	prq = prq_of(iommu);
	if (!prq)
		return -ENODEV;
	return prq_qi_submit(prq, desc, count, options);
}

static uint32_t qi_code(uint32_t iommu_code)
{
	switch (iommu_code) {
	case TCESIM_IOMMU_PAGE_RESP_SUCCESS:
		return TCESIM_QI_RESP_SUCCESS;
	case TCESIM_IOMMU_PAGE_RESP_INVALID:
		return TCESIM_QI_RESP_INVALID;
	default:
		return TCESIM_QI_RESP_FAILURE;
	}
}

static uint32_t iommu_code(uint32_t code)
{
	switch (code) {
	case TCESIM_QI_RESP_SUCCESS:
		return TCESIM_IOMMU_PAGE_RESP_SUCCESS;
	case TCESIM_QI_RESP_INVALID:
		return TCESIM_IOMMU_PAGE_RESP_INVALID;
	default:
		return TCESIM_IOMMU_PAGE_RESP_FAILURE;
	}
}

static void pgrp_desc(struct tcesim_qi_desc *d, uint16_t rid, bool pasid_present, uint32_t pasid,
		      uint32_t prg, bool lpig, uint32_t code)
{
	memset(d, 0, sizeof(*d));
	d->qw0 = TCESIM_QI_PGRP_PASID(pasid) | TCESIM_QI_PGRP_DID(rid) |
		 TCESIM_QI_PGRP_PASID_P(pasid_present) | TCESIM_QI_PGRP_RESP_CODE(code) |
		 TCESIM_QI_PGRP_RESP_TYPE;
	d->qw1 = TCESIM_QI_PGRP_IDX(prg) | TCESIM_QI_PGRP_LPIG(lpig);
}

/*
 * intel_iommu_page_response(): the iopf layer answered a request; send the
 * descriptor, LPIG from the answered request's LAST_PAGE flag (upstream
 * reads it from the event: a group's last request, or any request the
 * iopf layer had no handler for). Called with no lock held
 * (iommu->page_response contract).
 */
void prq_page_response_hook(struct tcesim_device *dev,
			    const struct tcesim_iommu_page_response *r, bool last_page, void *arg)
{
	struct prq *prq = arg;
	struct tcesim_qi_desc d;
	uint16_t rid = 0;

	/* a device the PRQ never met has no RID yet: give it one (no alloc) */
	(void)prq_dev_rid(prq, dev, &rid);
	pgrp_desc(&d, rid, r->pasid_valid, r->pasid, r->grpid, last_page, qi_code(r->code));
	(void)prq_qi_submit(prq, &d, 1, 0);
}

void prq_respond_bad(struct prq *prq, const struct tcesim_vtd_page_req *req, uint32_t code)
{
	struct tcesim_iommu_page_response r = {
		.pasid = req->pasid,
		.grpid = req->prg_index,
		.code = iommu_code(code),
		.pasid_valid = req->pasid_present,
	};
	struct tcesim_device *dev;
	struct tcesim_qi_desc d;

	pgrp_desc(&d, req->rid, req->pasid_present, req->pasid, req->prg_index, req->lpig, code);
	(void)prq_qi_submit(prq, &d, 1, 0);
	/* the descriptor reaches the device at that RID, if there is one */
	dev = prq_rid_dev(prq, req->rid);
	if (dev)
		iopf_log_response(dev, &r);
}
