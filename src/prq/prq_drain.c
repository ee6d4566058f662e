// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * prq_drain.c - the PASID drain (drivers/iommu/intel/prq.c:
 * intel_iommu_drain_pasid_prq(); svm.c v5.8 intel_svm_drain_prq() for
 * legacy_2020): wait until the ring holds no request of the PASID, flush
 * the device's fault queue, then the VT-d 7.10 drain descriptors through
 * the invalidation queue; plus the racy ring scan it waits on and the
 * PASID-teardown hook. A read-only party of the ring (see prq.c).
 * Layer 3 of the order atop prq_internal.h.
 */
#include "prq/prq_internal.h"

/*
 * iommu->pasid_teardown: the implicit drain of a PASID teardown
 * (drivers/iommu/intel/pasid.c: intel_pasid_tear_down_entry(), fault_ignore
 * false -> intel_iommu_drain_pasid_prq()). Upstream returns void and
 * ignores what the drain meets; so does this hook.
 */
void prq_pasid_teardown_hook(struct tcesim_device *dev, uint32_t pasid, void *arg)
{
	(void)arg;
	/*
	 * legacy_2019: no drain. drivers/iommu/intel-svm.c before v5.8:
	 * intel_svm_unbind_mm() tore the entry down and relied on "no page
	 * faults may be outstanding for the PASID"; intel_svm_unbind_gpasid()
	 * had "TODO: Drain in flight PRQ for the PASID", which "iommu/vt-d:
	 * Add page request draining support" (v5.8) replaced by
	 * intel_svm_drain_prq(). Requests still in the ring then reach
	 * whoever gets the PASID next (sva/pasid_life.c reports it).
	 */
	if (tcesim_flavour_is(dev->w, TCESIM_FLAVOUR_LEGACY_2019))
		return;
	(void)tcesim_intel_iommu_drain_pasid_prq(dev, pasid);
}

/* wait_for_completion(&prq_complete) as the model can: see Concepts. */
#define PRQ_WAIT_MS 5000u	/* 2020's 5 * HZ, then serve the ring ourselves */

static void prq_wait(struct prq *prq)
{
	stat_add(&prq->drain_waits, 1);
	if (atomic_load(&prq->threaded) &&
	    wait_for_completion_timeout(&prq->complete, PRQ_WAIT_MS))
		return;
	(void)prq_pass(prq);
}

/*
 * Requests in [head, tail) of (rid, pasid); rid < 0: any RID and only
 * PASID-carrying requests (the 2020 match). Racy by design, as upstream's:
 * a slot overwritten under the scan was reported already (Invariants).
 */
static long prq_scan(struct prq *prq, int rid, uint32_t pasid)
{
	struct tcesim_vtd_page_req req;
	uint32_t head, tail;
	uint64_t qw[4];
	long n = 0;

	/* pairs with (1) and (2) */
	head = tcesim_index_load(&prq->head, memory_order_acquire);
	tail = tcesim_index_load(&prq->tail, memory_order_acquire);
	for (; head != tail; head = ring_next(prq, head)) {
		slot_read(ring_slot(prq, head), qw);
		(void)tcesim_prq_desc_decode(qw, &req);
		if (rid < 0) {
			if (req.pasid_present && req.pasid == pasid)
				n++;
			continue;
		}
		if (req.rid != (uint16_t)rid)
			continue;
		if (req.pasid_present ? req.pasid == pasid : pasid == TCESIM_IOMMU_NO_PASID)
			n++;
	}
	return n;
}

TCESIM_EXPORT long tcesim_prq_count_pasid(struct tcesim_iommu *iommu, struct tcesim_device *dev,
					  uint32_t pasid)
{
	struct prq *prq;
	uint16_t rid;

	if (!dev && !iommu)
		return -EINVAL;
	prq = prq_of(dev ? dev->iommu : iommu);
	if (!prq)
		return 0;
	if (!dev)
		return prq_scan(prq, -1, pasid);
	/* a device without a RID cannot have a request in the ring */
	if (prq_rid_find(prq, dev, &rid))
		return 0;
	return prq_scan(prq, rid, pasid);
}

static void drain_build_desc(struct prq *prq, uint16_t sid, uint32_t pasid,
			     struct tcesim_qi_desc desc[3])
{
	uint32_t did = PRQ_FLPT_DEFAULT_DID;

	memset(desc, 0, 3 * sizeof(*desc));
	desc[0].qw0 = TCESIM_QI_IWD_STATUS_DATA(TCESIM_QI_DONE) | TCESIM_QI_IWD_FENCE |
		      TCESIM_QI_IWD_TYPE;
	if (prq_svm_era(prq->w)) {
		desc[1].qw0 = TCESIM_QI_EIOTLB_PASID(pasid) | TCESIM_QI_EIOTLB_DID(did) |
			      TCESIM_QI_EIOTLB_GRAN(TCESIM_QI_GRAN_NONG_PASID) |
			      TCESIM_QI_EIOTLB_TYPE;
		desc[2].qw0 = TCESIM_QI_DEV_EIOTLB_PASID(pasid) | TCESIM_QI_DEV_IOTLB_SID(sid) |
			      TCESIM_QI_DEIOTLB_TYPE;
	} else if (pasid == TCESIM_IOMMU_NO_PASID) {
		desc[1].qw0 = TCESIM_QI_IOTLB_DID(did) | TCESIM_QI_IOTLB_GRAN_DSI |
			      TCESIM_QI_IOTLB_TYPE;
		desc[2].qw0 = TCESIM_QI_DEV_IOTLB_SID(sid) | TCESIM_QI_DIOTLB_TYPE;
		/* qw1: the whole address space (size bit + all ones) */
		desc[2].qw1 = ~0ull & ~1ull;
	} else {
		/* qi_desc_piotlb(did, pasid, 0, -1): every address of the PASID */
		desc[1].qw0 = TCESIM_QI_EIOTLB_PASID(pasid) | TCESIM_QI_EIOTLB_DID(did) |
			      TCESIM_QI_EIOTLB_GRAN(TCESIM_QI_GRAN_NONG_PASID) |
			      TCESIM_QI_EIOTLB_TYPE;
		desc[2].qw0 = TCESIM_QI_DEV_EIOTLB_PASID(pasid) | TCESIM_QI_DEV_IOTLB_SID(sid) |
			      TCESIM_QI_DEIOTLB_TYPE;
		desc[2].qw1 = ~0ull & ~1ull;
	}
}

TCESIM_EXPORT int tcesim_intel_iommu_drain_pasid_prq(struct tcesim_device *dev, uint32_t pasid)
{
	bool legacy;
	struct tcesim_qi_desc desc[3];
	struct prq *prq;
	uint16_t sid;
	int ret;

	if (!dev || pasid >> TCESIM_IOMMU_MAX_PASID_BITS)
		return -EINVAL;
	/* !info->pri_enabled: nothing can be in flight */
	prq = prq_of(dev->iommu);
	if (!dev->pri || !prq)
		return 0;
	legacy = prq_svm_era(dev->w);
	ret = prq_dev_rid(prq, dev, &sid);
	if (ret)
		return ret;
	stat_add(&prq->drains, 1);

	/* 1. wait until no request of (sid, pasid) is left in the hardware ring */
	for (;;) {
		reinit_completion(&prq->complete);
		if (!prq_scan(prq, legacy ? -1 : (int)sid, pasid))
			break;
		prq_wait(prq);
	}
	/* 2. the device's queued fault work, responses sent (iopf since 2021) */
	if (!legacy)
		(void)tcesim_iopf_queue_flush_dev(dev);
	/*
	 * tcesim: partial groups of the old life would join a new group with
	 * the same PRG index once the PASID is reused. Upstream keeps them:
	 * iopf_queue_flush_dev() (drivers/iommu/io-pgfault.c) only flushes the
	 * workqueue, and partials go only in iopf_queue_discard_partial()
	 * (overflow) and iopf_queue_remove_device(). quirks=upstream
	 * reproduces that (docs/FIDELITY.md, "Drain keeps the old PASID's
	 * partial groups"; examples/explore_seed003_stale_partial.tsim).
	 */
	if (!tcesim_quirks_upstream(dev->w))
		(void)iopf_discard_partial_pasid(dev, pasid != TCESIM_IOMMU_NO_PASID, pasid);

	/* 3-5. VT-d spec 7.10: drain responses and requests in hardware */
	drain_build_desc(prq, sid, pasid, desc);
	for (;;) {
		reinit_completion(&prq->complete);
		ret = prq_qi_submit(prq, desc, 3, TCESIM_QI_OPT_WAIT_DRAIN);
		if (ret)
			return ret;
		/* overflow: auto-responses may be pending; drain again */
		if (!(tcesim_index_load(&prq->prs, memory_order_seq_cst) & TCESIM_DMA_PRS_PRO))
			break;
		prq_wait(prq);
	}
	return 0;
}
