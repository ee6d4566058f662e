// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * prq_hw.c - the hardware side of the PRQ, as QEMU models it
 * (hw/i386/intel_iommu.c: vtd_pri_request_page()): the ring's single
 * producer, serialised by hw_lock, which sets PRS.PPR / PRS.PRO (the rules
 * atop prq.c). Layer 5, the top of the order atop prq_internal.h: a device
 * request enables the PRQ (prq_get()) and registers its RID first.
 */
#include "prq/prq_internal.h"

/*
 * The PRQ write port: vtd_pri_request_page() after its permission checks.
 * Returns 0 or -ENOSPC (dropped).
 */
static int prq_write(struct prq *prq, const struct tcesim_vtd_page_req *req, uint64_t life)
{
	struct prq_slot *s;
	uint32_t tail, new_tail;
	uint64_t qw[4];

	tcesim_prq_desc_encode(req, qw);
	hw_lock(prq);
	if (tcesim_index_load(&prq->prs, memory_order_seq_cst) & TCESIM_DMA_PRS_PRO) {
		/* overflow not yet cleared by software: drop, no event */
		stat_inc_owned(&prq->dropped);
		hw_unlock(prq);
		return -ENOSPC;
	}
	tail = tcesim_index_load(&prq->tail, memory_order_relaxed);
	new_tail = ring_next(prq, tail);
	if (new_tail == prq->head_cache) {
		/* pairs with the pass's release store of head (2) */
		prq->head_cache = tcesim_index_load(&prq->head, memory_order_acquire);
		if (new_tail == prq->head_cache) {
			/* the ring holds depth - 1: set PRO, raise the event, drop */
			tcesim_index_fetch_or(&prq->prs, TCESIM_DMA_PRS_PRO, memory_order_seq_cst);
			stat_inc_owned(&prq->overflows);
			stat_inc_owned(&prq->dropped);
			hw_unlock(prq);
			return -ENOSPC;
		}
	}
	s = ring_slot(prq, tail);
	for (int i = 0; i < 4; i++)
		atomic_store_explicit(&s->qw[i], qw[i], memory_order_relaxed);
	prq->life[tail / TCESIM_PRQ_DESC_SIZE] = life; /* the model's oracle, not hardware */
	/* publish the slot: pairs with the acquire of tail in a pass/scan (1) */
	tcesim_index_store(&prq->tail, new_tail, memory_order_release);
	/* after the tail (3): a pass that cleared PPR before this sees it set */
	tcesim_index_fetch_or(&prq->prs, TCESIM_DMA_PRS_PPR, memory_order_seq_cst);
	stat_inc_owned(&prq->written);
	hw_unlock(prq);
	return 0;
}

TCESIM_EXPORT int tcesim_vtd_prq_post(struct tcesim_iommu *iommu,
				      const struct tcesim_vtd_page_req *req)
{
	struct prq *prq;

	if (!iommu || !req)
		return -EINVAL;
	prq = prq_of(iommu);
	if (!prq)
		return -ENODEV;
	return prq_write(prq, req, 0);
}

TCESIM_EXPORT int tcesim_vtd_pri_request_page(struct tcesim_device *dev,
					      const struct tcesim_vtd_page_req *req)
{
	struct tcesim_vtd_page_req r;
	struct prq *prq;
	int ret = 0;

	if (!dev || !req)
		return -EINVAL;
	/*
	 * ECAP.PRS / the device's PRI capability. A request without PASID
	 * (PASID Present clear) is a valid PCIe page request and the VT-d
	 * PRQ descriptor carries PASID Present as a bit
	 * (drivers/iommu/intel/prq.c: prq_event_thread() reports it without
	 * PASID_VALID; QEMU hw/i386/intel_iommu.c vtd_pri_request_page()
	 * takes a pasid_present flag): accepted.
	 */
	if (!dev->pri)
		return -EPERM;
	if (req->exe && !req->rd)
		return -EINVAL;
	prq = prq_get(dev->iommu, &ret);
	if (!prq)
		return ret;
	r = *req;
	ret = prq_dev_rid(prq, dev, &r.rid);
	if (ret)
		return ret;
	/* which bond of the PASID the device is working for (sva/pasid_life.c) */
	return prq_write(prq, &r, r.pasid_present ? sva_pasid_life(dev, r.pasid) : 0);
}
