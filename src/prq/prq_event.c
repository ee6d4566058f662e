// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * prq_event.c - the PRQ event thread: one pass reads [head, tail), checks
 * each request, reports it to the iopf layer or answers it as bad, then
 * moves the head and handles an overflow (drivers/iommu/intel/prq.c:
 * prq_event_thread(), handle_bad_prq_event(), intel_prq_report(); svm.c
 * v5.8 for legacy_2020). The ring's single consumer, under pass_lock.
 * Layer 2 of the order atop prq_internal.h.
 */
#include "prq/prq_internal.h"

/* is_canonical_address() for 48-bit virtual addresses (4-level paging) */
static bool is_canonical_address(uint64_t addr)
{
	int64_t s = (int64_t)addr;

	return (int64_t)((uint64_t)s << 16) >> 16 == s;
}

static void prq_report(struct prq *prq, struct tcesim_device *dev,
		       const struct tcesim_vtd_page_req *req, uint64_t life)
{
	/*
	 * intel_prq_report() copies the descriptor's PASID field whether or
	 * not PASID Present is set; PASID_VALID says whether it means
	 * anything (the response then carries it with PASID_P clear).
	 */
	struct tcesim_iommu_fault f = {
		.pasid = req->pasid,
		.grpid = req->prg_index,
		.addr = req->addr,
	};

	if (req->rd)
		f.perm |= TCESIM_IOMMU_FAULT_PERM_READ;
	if (req->wr)
		f.perm |= TCESIM_IOMMU_FAULT_PERM_WRITE;
	if (req->exe)
		f.perm |= TCESIM_IOMMU_FAULT_PERM_EXEC;
	if (req->pm)
		f.perm |= TCESIM_IOMMU_FAULT_PERM_PRIV;
	if (req->lpig)
		f.flags |= TCESIM_IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE;
	if (req->pasid_present)
		f.flags |= TCESIM_IOMMU_FAULT_PAGE_REQUEST_PASID_VALID |
			   TCESIM_IOMMU_FAULT_PAGE_RESPONSE_NEEDS_PASID;
	stat_inc_owned(&prq->reported);
	/* upstream ignores the outcome: responses (if any) were sent */
	(void)iopf_report_fault_life(dev, &f, life);
	/* 2020: the thread handled the request itself (no iopf workqueue) */
	if (req->lpig && prq_svm_era(prq->w))
		(void)tcesim_iopf_queue_flush_dev(dev);
}

/* handle_bad_prq_event(): a response only for the last request of a group */
static void prq_bad(struct prq *prq, const struct tcesim_vtd_page_req *req)
{
	tcesim_pr(prq->w, "IOMMU: %s: Invalid page request: rid %04x pasid %u prg %u%s",
		  prq->iommu->name, req->rid, req->pasid, req->prg_index,
		  req->lpig ? " last" : "");
	stat_inc_owned(&prq->bad);
	if (req->lpig)
		prq_respond_bad(prq, req, TCESIM_QI_RESP_INVALID);
}

static void prq_handle_one(struct prq *prq, const uint64_t qw[4], uint64_t life)
{
	struct tcesim_vtd_page_req req;
	struct tcesim_device *dev;
	const char *name = prq->iommu->name;

	(void)tcesim_prq_desc_decode(qw, &req);
	if (!is_canonical_address(req.addr)) {
		tcesim_pr(prq->w, "IOMMU: %s: Address is not canonical", name);
		prq_bad(prq, &req);
		return;
	}
	if (req.pm && (req.rd || req.wr)) {
		tcesim_pr(prq->w, "IOMMU: %s: Page request in Privilege Mode", name);
		prq_bad(prq, &req);
		return;
	}
	if (req.exe && req.rd) {
		tcesim_pr(prq->w, "IOMMU: %s: Execution request not supported", name);
		prq_bad(prq, &req);
		return;
	}
	/* Stop Marker: the device is done with the PASID; nothing to answer */
	if (req.lpig && !req.rd && !req.wr) {
		stat_inc_owned(&prq->stop_markers);
		return;
	}
	dev = prq_rid_dev(prq, req.rid);
	if (!dev) {
		prq_bad(prq, &req);
		return;
	}
	prq_report(prq, dev, &req, life);
}

/* iopf_queue_discard_partial() over the devices this PRQ has seen */
static void prq_discard_partial(struct prq *prq)
{
	unsigned int n = atomic_load_explicit(&prq->nr_rids, memory_order_acquire);
	struct tcesim_device *dev;

	for (unsigned int i = 0; i < n; i++) {
		dev = atomic_load_explicit(&prq->rid_dev[i], memory_order_acquire);
		if (dev->pri)
			(void)tcesim_iopf_queue_discard_partial(dev);
	}
}

uint32_t prq_nr_pending(struct prq *prq)
{
	uint32_t head = tcesim_index_load(&prq->head, memory_order_acquire);
	uint32_t tail = tcesim_index_load(&prq->tail, memory_order_acquire);

	return ((tail - head) & prq->size_mask) / TCESIM_PRQ_DESC_SIZE;
}

int prq_pass(struct prq *prq)
{
	uint32_t head, tail;
	uint64_t qw[4];
	int n = 0;

	tcesim_mutex_lock(&prq->pass_lock);
	/* W1C of PPR before reading head/tail: a later request re-raises it (3) */
	tcesim_index_fetch_and(&prq->prs, ~TCESIM_DMA_PRS_PPR, memory_order_seq_cst);
	/* pairs with the producer's release of tail (1) */
	tail = tcesim_index_load(&prq->tail, memory_order_acquire);
	head = tcesim_index_load(&prq->head, memory_order_relaxed); /* ours */
	while (head != tail) {
		slot_read(ring_slot(prq, head), qw);
		prq_handle_one(prq, qw, prq->life[head / TCESIM_PRQ_DESC_SIZE]);
		head = ring_next(prq, head);
		n++;
		if (prq->pass_hook)
			prq->pass_hook(prq->iommu, prq->pass_hook_arg);
	}
	/* PQH = tail, after every read of the slots: pairs with (2) */
	tcesim_index_store(&prq->head, tail, memory_order_release);
	stat_add(&prq->consumed, (unsigned long)n);
	stat_inc_owned(&prq->passes);

	/*
	 * Overflow: while PRO is set the hardware writes nothing, so the tail
	 * read here is stable; clear only when the ring is empty (Q11).
	 */
	if (tcesim_index_load(&prq->prs, memory_order_seq_cst) & TCESIM_DMA_PRS_PRO) {
		tcesim_pr(prq->w, "IOMMU: %s: PRQ overflow detected", prq->iommu->name);
		head = tcesim_index_load(&prq->head, memory_order_relaxed);
		tail = tcesim_index_load(&prq->tail, memory_order_acquire);
		if (head == tail) {
			/* 2020 had no iopf queue: nothing partial to drop */
			if (!prq_svm_era(prq->w))
				prq_discard_partial(prq);
			tcesim_index_fetch_and(&prq->prs, ~TCESIM_DMA_PRS_PRO, memory_order_seq_cst);
			tcesim_pr(prq->w, "IOMMU: %s: PRQ overflow cleared", prq->iommu->name);
		}
	}
	complete(&prq->complete);
	tcesim_mutex_unlock(&prq->pass_lock);
	return n;
}

TCESIM_EXPORT int tcesim_prq_event_thread(struct tcesim_iommu *iommu)
{
	struct prq *prq;

	if (!iommu)
		return -EINVAL;
	prq = prq_of(iommu);
	if (!prq)
		return -ENODEV;
	return prq_pass(prq);
}

TCESIM_EXPORT int tcesim_prq_set_threaded(struct tcesim_iommu *iommu, bool threaded)
{
	struct prq *prq;

	if (!iommu)
		return -EINVAL;
	prq = prq_of(iommu);
	if (!prq)
		return -ENODEV;
	atomic_store(&prq->threaded, threaded);
	return 0;
}
