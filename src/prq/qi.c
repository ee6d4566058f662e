// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * qi.c - the VT-d invalidation queue as the PRQ layer uses it: page group
 * responses (intel_iommu_page_response, handle_bad_prq_event) and the drain
 * sequence (drivers/iommu/intel/dmar.c: qi_submit_sync(), SEMANTICS.md B13).
 *
 * The model hardware executes a batch at once: caches are not modelled, so
 * an invalidation only counts; a page group response "reaches" its device
 * (the iopf layer already logged responses it sent; a bad request's
 * response is logged here); the invalidation wait descriptor's status write
 * is done before qi_submit_sync() returns, so there is nothing to spin on.
 * qi_lock (a leaf) protects the descriptor log; counters are atomics.
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

int prq_qi_submit(struct prq *prq, const struct tcesim_qi_desc *desc, unsigned int count,
		  unsigned int options)
{
	struct tcesim_qi_desc wait = { 0 };
	bool drain = false;
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
	tcesim_mutex_lock(&prq->qi_lock);
	for (i = 0; i < count; i++)
		qi_run_locked(prq, &desc[i], &drain);
	qi_run_locked(prq, &wait, &drain);
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
 * intel_iommu_page_response(): the iopf layer answered a group; send the
 * descriptor. Called with no lock held (iommu->page_response contract).
 */
void prq_page_response_hook(struct tcesim_device *dev,
			    const struct tcesim_iommu_page_response *r, void *arg)
{
	struct prq *prq = arg;
	struct tcesim_qi_desc d;
	uint16_t rid = 0;

	/* a device the PRQ never met has no RID yet: give it one (no alloc) */
	(void)prq_dev_rid(prq, dev, &rid);
	pgrp_desc(&d, rid, r->pasid_valid, r->pasid, r->grpid, true, qi_code(r->code));
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
