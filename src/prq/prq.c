// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * prq.c - the VT-d page request queue: ring, hardware side, event thread,
 * device table and the PASID drain (SEMANTICS.md B13).
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
#include <time.h>

#include "prq/prq_internal.h"

/* ------------------------------------------------------------ helpers --- */

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
	while (atomic_flag_test_and_set_explicit(&prq->hw_lock, memory_order_acquire))
		;
}

static inline void hw_unlock(struct prq *prq)
{
	atomic_flag_clear_explicit(&prq->hw_lock, memory_order_release);
}

static inline uint32_t ring_next(const struct prq *prq, uint32_t off)
{
	return (off + TCESIM_PRQ_DESC_SIZE) & prq->size_mask;
}

static inline struct prq_slot *ring_slot(struct prq *prq, uint32_t off)
{
	return &prq->ring[off / TCESIM_PRQ_DESC_SIZE];
}

static void slot_read(const struct prq_slot *s, uint64_t qw[4])
{
	for (int i = 0; i < 4; i++)
		qw[i] = atomic_load_explicit(&s->qw[i], memory_order_relaxed);
}

/* ---------------------------------------------------------- completion --- */

static void completion_init(struct prq_completion *c)
{
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->cond, NULL);
	c->done = false;
}

static void completion_destroy(struct prq_completion *c)
{
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->lock);
}

static void reinit_completion(struct prq_completion *c)
{
	pthread_mutex_lock(&c->lock);
	c->done = false;
	pthread_mutex_unlock(&c->lock);
}

/* complete() "if not already done", as prq_event_thread does. */
static void complete(struct prq_completion *c)
{
	pthread_mutex_lock(&c->lock);
	if (!c->done) {
		c->done = true;
		pthread_cond_broadcast(&c->cond);
	}
	pthread_mutex_unlock(&c->lock);
}

/* wait_for_completion_timeout(); true when completed. */
static bool wait_for_completion_timeout(struct prq_completion *c, unsigned int ms)
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

/* ------------------------------------------------------ the PRQ object --- */

static void prq_pasid_teardown_hook(struct tcesim_device *dev, uint32_t pasid, void *arg);

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
	if (tcesim_flavour_is(iommu->w, TCESIM_FLAVOUR_LEGACY_2020) && depth > TCESIM_PRQ_DEPTH_2020)
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
	prq->ring = tcesim_zalloc_aligned(iommu->w, 4096, (size_t)depth * TCESIM_PRQ_DESC_SIZE);
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

/* ------------------------------------------------------- device table --- */

struct tcesim_device *prq_rid_dev(struct prq *prq, uint16_t rid)
{
	unsigned int i = (unsigned int)rid - PRQ_RID_BASE;

	if (rid < PRQ_RID_BASE || i >= atomic_load_explicit(&prq->nr_rids, memory_order_acquire))
		return NULL;
	/* pairs with the release store in prq_dev_rid() */
	return atomic_load_explicit(&prq->rid_dev[i], memory_order_acquire);
}

static int rid_find(struct prq *prq, struct tcesim_device *dev, uint16_t *rid)
{
	unsigned int n = atomic_load_explicit(&prq->nr_rids, memory_order_acquire);

	for (unsigned int i = 0; i < n; i++)
		if (atomic_load_explicit(&prq->rid_dev[i], memory_order_acquire) == dev) {
			*rid = (uint16_t)(PRQ_RID_BASE + i);
			return 0;
		}
	return -ENOENT;
}

int prq_dev_rid(struct prq *prq, struct tcesim_device *dev, uint16_t *rid)
{
	unsigned int n;
	int ret;

	if (!rid_find(prq, dev, rid))
		return 0;
	tcesim_mutex_lock(&prq->rid_lock);
	ret = rid_find(prq, dev, rid);
	if (ret) {
		n = atomic_load_explicit(&prq->nr_rids, memory_order_relaxed);
		if (n >= PRQ_MAX_DEVICES) {
			ret = -ENOSPC;
		} else {
			/* slot first, then the count: pairs with the acquires above */
			atomic_store_explicit(&prq->rid_dev[n], dev, memory_order_release);
			atomic_store_explicit(&prq->nr_rids, n + 1, memory_order_release);
			*rid = (uint16_t)(PRQ_RID_BASE + n);
			ret = 0;
		}
	}
	tcesim_mutex_unlock(&prq->rid_lock);
	return ret;
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

/* --------------------------------------------------------- descriptors --- */

TCESIM_EXPORT void tcesim_prq_desc_encode(const struct tcesim_vtd_page_req *req, uint64_t qw[4])
{
	qw[0] = (TCESIM_PRQ_DESC_TYPE_PAGE_REQ << TCESIM_PRQ_QW0_TYPE_SHIFT) |
		(req->pasid_present ? TCESIM_PRQ_QW0_PASID_PRESENT : 0) |
		(((uint64_t)req->rid << TCESIM_PRQ_QW0_RID_SHIFT) & TCESIM_PRQ_QW0_RID_MASK) |
		(((uint64_t)req->pasid << TCESIM_PRQ_QW0_PASID_SHIFT) & TCESIM_PRQ_QW0_PASID_MASK) |
		(req->exe ? TCESIM_PRQ_QW0_EXE_REQ : 0) | (req->pm ? TCESIM_PRQ_QW0_PM_REQ : 0);
	qw[1] = (req->rd ? TCESIM_PRQ_QW1_RD_REQ : 0) | (req->wr ? TCESIM_PRQ_QW1_WR_REQ : 0) |
		(req->lpig ? TCESIM_PRQ_QW1_LPIG : 0) |
		(((uint64_t)req->prg_index << TCESIM_PRQ_QW1_PRG_INDEX_SHIFT) &
		 TCESIM_PRQ_QW1_PRG_INDEX_MASK) |
		(req->addr & TCESIM_PRQ_QW1_ADDR_MASK);
	qw[2] = 0;
	qw[3] = 0;
}

TCESIM_EXPORT unsigned int tcesim_prq_desc_decode(const uint64_t qw[4],
						  struct tcesim_vtd_page_req *req)
{
	req->pasid_present = qw[0] & TCESIM_PRQ_QW0_PASID_PRESENT;
	req->rid = (uint16_t)((qw[0] & TCESIM_PRQ_QW0_RID_MASK) >> TCESIM_PRQ_QW0_RID_SHIFT);
	req->pasid = (uint32_t)((qw[0] & TCESIM_PRQ_QW0_PASID_MASK) >> TCESIM_PRQ_QW0_PASID_SHIFT);
	req->exe = qw[0] & TCESIM_PRQ_QW0_EXE_REQ;
	req->pm = qw[0] & TCESIM_PRQ_QW0_PM_REQ;
	req->rd = qw[1] & TCESIM_PRQ_QW1_RD_REQ;
	req->wr = qw[1] & TCESIM_PRQ_QW1_WR_REQ;
	req->lpig = qw[1] & TCESIM_PRQ_QW1_LPIG;
	req->prg_index = (uint32_t)((qw[1] & TCESIM_PRQ_QW1_PRG_INDEX_MASK) >>
				    TCESIM_PRQ_QW1_PRG_INDEX_SHIFT);
	req->addr = qw[1] & TCESIM_PRQ_QW1_ADDR_MASK;
	return (unsigned int)((qw[0] & TCESIM_PRQ_QW0_TYPE_MASK) >> TCESIM_PRQ_QW0_TYPE_SHIFT);
}

/* ------------------------------------------------------- hardware side --- */

/*
 * The PRQ write port: vtd_pri_request_page() after its permission checks.
 * Returns 0 or -ENOSPC (dropped).
 */
static int prq_write(struct prq *prq, const struct tcesim_vtd_page_req *req)
{
	struct prq_slot *s;
	uint32_t tail, new_tail;
	uint64_t qw[4];

	tcesim_prq_desc_encode(req, qw);
	hw_lock(prq);
	if (atomic_load(&prq->prs) & TCESIM_DMA_PRS_PRO) {
		/* overflow not yet cleared by software: drop, no event */
		stat_inc_owned(&prq->dropped);
		hw_unlock(prq);
		return -ENOSPC;
	}
	tail = atomic_load_explicit(&prq->tail, memory_order_relaxed);
	new_tail = ring_next(prq, tail);
	if (new_tail == prq->head_cache) {
		/* pairs with the pass's release store of head (2) */
		prq->head_cache = atomic_load_explicit(&prq->head, memory_order_acquire);
		if (new_tail == prq->head_cache) {
			/* the ring holds depth - 1: set PRO, raise the event, drop */
			atomic_fetch_or(&prq->prs, TCESIM_DMA_PRS_PRO);
			stat_inc_owned(&prq->overflows);
			stat_inc_owned(&prq->dropped);
			hw_unlock(prq);
			return -ENOSPC;
		}
	}
	s = ring_slot(prq, tail);
	for (int i = 0; i < 4; i++)
		atomic_store_explicit(&s->qw[i], qw[i], memory_order_relaxed);
	/* publish the slot: pairs with the acquire of tail in a pass/scan (1) */
	atomic_store_explicit(&prq->tail, new_tail, memory_order_release);
	/* after the tail (3): a pass that cleared PPR before this sees it set */
	atomic_fetch_or(&prq->prs, TCESIM_DMA_PRS_PPR);
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
	return prq_write(prq, req);
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
	return prq_write(prq, &r);
}

/* -------------------------------------------------------- event thread --- */

/* is_canonical_address() for 48-bit virtual addresses (4-level paging) */
static bool is_canonical_address(uint64_t addr)
{
	int64_t s = (int64_t)addr;

	return (int64_t)((uint64_t)s << 16) >> 16 == s;
}

static void prq_report(struct prq *prq, struct tcesim_device *dev,
		       const struct tcesim_vtd_page_req *req)
{
	struct tcesim_iommu_fault f = {
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
	if (req->pasid_present) {
		f.flags |= TCESIM_IOMMU_FAULT_PAGE_REQUEST_PASID_VALID |
			   TCESIM_IOMMU_FAULT_PAGE_RESPONSE_NEEDS_PASID;
		f.pasid = req->pasid;
	}
	stat_inc_owned(&prq->reported);
	/* upstream ignores the outcome: responses (if any) were sent */
	(void)tcesim_iommu_report_device_fault(dev, &f);
	/* 2020: the thread handled the request itself (no iopf workqueue) */
	if (req->lpig && tcesim_flavour_is(prq->w, TCESIM_FLAVOUR_LEGACY_2020))
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

static void prq_handle_one(struct prq *prq, const uint64_t qw[4])
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
	prq_report(prq, dev, &req);
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
	uint32_t head = atomic_load_explicit(&prq->head, memory_order_acquire);
	uint32_t tail = atomic_load_explicit(&prq->tail, memory_order_acquire);

	return ((tail - head) & prq->size_mask) / TCESIM_PRQ_DESC_SIZE;
}

int prq_pass(struct prq *prq)
{
	uint32_t head, tail;
	uint64_t qw[4];
	int n = 0;

	tcesim_mutex_lock(&prq->pass_lock);
	/* W1C of PPR before reading head/tail: a later request re-raises it (3) */
	atomic_fetch_and(&prq->prs, ~TCESIM_DMA_PRS_PPR);
	/* pairs with the producer's release of tail (1) */
	tail = atomic_load_explicit(&prq->tail, memory_order_acquire);
	head = atomic_load_explicit(&prq->head, memory_order_relaxed); /* ours */
	while (head != tail) {
		slot_read(ring_slot(prq, head), qw);
		prq_handle_one(prq, qw);
		head = ring_next(prq, head);
		n++;
		if (prq->pass_hook)
			prq->pass_hook(prq->iommu, prq->pass_hook_arg);
	}
	/* PQH = tail, after every read of the slots: pairs with (2) */
	atomic_store_explicit(&prq->head, tail, memory_order_release);
	stat_add(&prq->consumed, (unsigned long)n);
	stat_inc_owned(&prq->passes);

	/*
	 * Overflow: while PRO is set the hardware writes nothing, so the tail
	 * read here is stable; clear only when the ring is empty (Q11).
	 */
	if (atomic_load(&prq->prs) & TCESIM_DMA_PRS_PRO) {
		tcesim_pr(prq->w, "IOMMU: %s: PRQ overflow detected", prq->iommu->name);
		head = atomic_load_explicit(&prq->head, memory_order_relaxed);
		tail = atomic_load_explicit(&prq->tail, memory_order_acquire);
		if (head == tail) {
			/* 2020 had no iopf queue: nothing partial to drop */
			if (!tcesim_flavour_is(prq->w, TCESIM_FLAVOUR_LEGACY_2020))
				prq_discard_partial(prq);
			atomic_fetch_and(&prq->prs, ~TCESIM_DMA_PRS_PRO);
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

/* --------------------------------------------------------------- drain --- */

/*
 * iommu->pasid_teardown: the implicit drain of a PASID teardown
 * (drivers/iommu/intel/pasid.c: intel_pasid_tear_down_entry(), fault_ignore
 * false -> intel_iommu_drain_pasid_prq()). Upstream returns void and
 * ignores what the drain meets; so does this hook.
 */
static void prq_pasid_teardown_hook(struct tcesim_device *dev, uint32_t pasid, void *arg)
{
	(void)arg;
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
	head = atomic_load_explicit(&prq->head, memory_order_acquire);
	tail = atomic_load_explicit(&prq->tail, memory_order_acquire);
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
	if (rid_find(prq, dev, &rid))
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
	if (tcesim_flavour_is(prq->w, TCESIM_FLAVOUR_LEGACY_2020)) {
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
	legacy = tcesim_flavour_is(dev->w, TCESIM_FLAVOUR_LEGACY_2020);
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
	 * the same PRG index once the PASID is reused; upstream keeps them.
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
		if (!(atomic_load(&prq->prs) & TCESIM_DMA_PRS_PRO))
			break;
		prq_wait(prq);
	}
	return 0;
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
