// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_prq.c - unit tests of src/prq: descriptor layout, ring geometry and
 * wrap, overflow (PRO), the event thread's bad-request rules (Q11), the
 * invalidation queue, the drain (modern and legacy_2020) and PASID reuse.
 *
 * Groups: "prq" (modern, quirks=safe), "prq/upstream" (quirks=upstream),
 * "prq/legacy_2020". The fixture state says which.
 */
#include "tcesim_test.h"
#include "fx_prq.h"

#include "prq/prq_internal.h"
#include <tcesim/prq.h>

#define VA_RW 0x10000000ull	/* 1 MiB read-write in every test process */
#define VA_OLD 0x20000000ull	/* mapped only in the "old life" process */

struct fxcfg {
	enum tcesim_flavour flavour;
	enum tcesim_quirks quirks;
	unsigned int depth;	/* 0: the default (2048) */
};

struct fx {
	struct test_world *tw;
	struct tcesim_world *w;
	const struct fxcfg *cfg;
	struct tcesim_iommu *iommu, *iommu_noprq;
	struct tcesim_device *gpu, *nic, *nopri;
	struct tcesim_mm *mm[4];
	int nmm;
	long allocs_base;
};

static const struct fxcfg cfg_modern8 = { TCESIM_FLAVOUR_MODERN, TCESIM_QUIRKS_SAFE, 8 };
static const struct fxcfg cfg_modern4 = { TCESIM_FLAVOUR_MODERN, TCESIM_QUIRKS_SAFE, 4 };
static const struct fxcfg cfg_modern_def = { TCESIM_FLAVOUR_MODERN, TCESIM_QUIRKS_SAFE, 0 };
static const struct fxcfg cfg_upstream8 = { TCESIM_FLAVOUR_MODERN, TCESIM_QUIRKS_UPSTREAM, 8 };
static const struct fxcfg cfg_legacy_def = { TCESIM_FLAVOUR_LEGACY_2020, TCESIM_QUIRKS_SAFE, 0 };
static const struct fxcfg cfg_legacy4 = { TCESIM_FLAVOUR_LEGACY_2020, TCESIM_QUIRKS_SAFE, 4 };
static const struct fxcfg cfg_legacy8 = { TCESIM_FLAVOUR_LEGACY_2020, TCESIM_QUIRKS_SAFE, 8 };

static int setup(void **state)
{
	const struct fxcfg *cfg = *state;
	struct tcesim_world_cfg wcfg;
	struct tcesim_iommu_cfg icfg;
	struct fx *f = calloc(1, sizeof(*f));
	uint16_t rid;

	assert_non_null(f);
	f->cfg = cfg;
	tcesim_world_cfg_init(&wcfg);
	wcfg.flavour = cfg->flavour;
	wcfg.quirks = cfg->quirks;
	f->tw = test_world_new(&wcfg);
	f->w = f->tw->w;
	tcesim_iommu_cfg_init(&icfg);
	icfg.name = "dmar0";
	if (cfg->depth)
		icfg.prq_depth = cfg->depth;
	assert_errno(tcesim_iommu_create(f->w, &icfg, &f->iommu), 0);
	icfg.name = "dmar1";
	assert_errno(tcesim_iommu_create(f->w, &icfg, &f->iommu_noprq), 0);
	f->gpu = fx_prq_mkdev(f->iommu, "gpu", true);
	f->nic = fx_prq_mkdev(f->iommu, "nic", true);
	f->nopri = fx_prq_mkdev(f->iommu, "nopri", false);
	assert_errno(tcesim_intel_iommu_enable_prq(f->iommu), 0);
	/* RIDs in a fixed order: gpu 0x100, nic 0x101 */
	assert_errno(tcesim_vtd_device_rid(f->gpu, &rid), 0);
	assert_int_equal(rid, 0x100);
	assert_errno(tcesim_vtd_device_rid(f->nic, &rid), 0);
	assert_int_equal(rid, 0x101);
	tcesim_rcu_barrier();
	f->allocs_base = tcesim_world_live_allocs(f->w);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	fx_prq_drop_faults(f->gpu, f->nic);
	for (int i = 0; i < f->nmm; i++)
		tcesim_mm_exit(f->mm[i]);
	fx_prq_world_end(f->tw, f->allocs_base);
	free(f);
	return 0;
}

static struct tcesim_mm *mkmm(struct fx *f, const char *name, bool old_region)
{
	struct tcesim_mm *mm;

	assert_true(f->nmm < 4);
	assert_errno(tcesim_mm_create(f->w, name, 64 << 20, false, &mm), 0);
	assert_errno(tcesim_mm_mmap(mm, VA_RW, 1 << 20, TCESIM_PROT_READ | TCESIM_PROT_WRITE, 12),
		     0);
	if (old_region)
		assert_errno(tcesim_mm_mmap(mm, VA_OLD, 1 << 20,
					    TCESIM_PROT_READ | TCESIM_PROT_WRITE, 12), 0);
	f->mm[f->nmm++] = mm;
	return mm;
}

/* The process exits now (and is forgotten: its mm may be freed) */
static void exit_mm(struct fx *f, struct tcesim_mm *mm)
{
	for (int i = 0; i < f->nmm; i++)
		if (f->mm[i] == mm) {
			f->mm[i] = f->mm[--f->nmm];
			break;
		}
	tcesim_mm_exit(mm);
	tcesim_rcu_barrier();
}

static int req(struct tcesim_device *dev, uint32_t pasid, uint64_t addr, uint32_t prg, bool last)
{
	struct tcesim_vtd_page_req r = {
		.pasid_present = true, .pasid = pasid, .addr = addr, .prg_index = prg,
		.rd = true, .lpig = last,
	};

	return tcesim_vtd_pri_request_page(dev, &r);
}

static struct tcesim_prq_stats stats(struct fx *f)
{
	struct tcesim_prq_stats st;

	assert_errno(tcesim_prq_get_stats(f->iommu, &st), 0);
	return st;
}

/* prq_service: one pass, then the fault work of both PRI devices */
static int service(struct fx *f)
{
	int n = tcesim_prq_event_thread(f->iommu);

	assert_true(n >= 0);
	assert_errno(tcesim_iopf_queue_flush_dev(f->gpu), 0);
	assert_errno(tcesim_iopf_queue_flush_dev(f->nic), 0);
	return n;
}

static uint32_t resp_code(struct tcesim_device *dev, uint32_t prg)
{
	struct tcesim_iommu_page_response r;

	assert_errno(tcesim_iommu_device_page_response(dev, prg, &r), 0);
	return r.code;
}

static bool dev_has_pending_work(struct tcesim_device *dev)
{
	bool busy;

	tcesim_mutex_lock(&dev->iopf_lock);
	busy = !cds_list_empty(&dev->pending);
	tcesim_mutex_unlock(&dev->iopf_lock);
	return busy;
}

/* ------------------------------------------------------------ layout --- */

static void test_prq_desc_encode_layout(void **state)
{
	struct tcesim_vtd_page_req r = {
		.rid = 0x1234, .pasid_present = true, .pasid = 0xabcde,
		.addr = 0xdeadbeef123ull, .prg_index = 0x1ff, .rd = true, .wr = false,
		.exe = true, .pm = true, .lpig = true,
	}, d;
	uint64_t qw[4];

	(void)state;
	tcesim_prq_desc_encode(&r, qw);
	assert_int_equal(qw[0] & 0xff, 1);			/* type */
	assert_int_equal((qw[0] >> 8) & 1, 1);			/* pasid_present */
	assert_int_equal((qw[0] >> 9) & 0x7f, 0);		/* rsvd */
	assert_int_equal((qw[0] >> 16) & 0xffff, 0x1234);	/* rid */
	assert_int_equal((qw[0] >> 32) & 0xfffff, 0xabcde);	/* pasid */
	assert_int_equal((qw[0] >> 52) & 1, 1);			/* exe_req */
	assert_int_equal((qw[0] >> 53) & 1, 1);			/* pm_req */
	assert_int_equal(qw[0] >> 54, 0);			/* rsvd2 */
	assert_int_equal(qw[1] & 7, 1 | 4);			/* rd, !wr, lpig */
	assert_int_equal((qw[1] >> 3) & 0x1ff, 0x1ff);		/* prg_index */
	assert_int_equal(qw[1] >> 12, 0xdeadbeefull);		/* addr, 4K pages */
	assert_int_equal(qw[2] | qw[3], 0);
	assert_int_equal(tcesim_prq_desc_decode(qw, &d), TCESIM_PRQ_DESC_TYPE_PAGE_REQ);
	assert_int_equal(d.rid, 0x1234);
	assert_int_equal(d.pasid, 0xabcde);
	assert_int_equal(d.addr, 0xdeadbeef000ull);
	assert_true(d.pasid_present && d.rd && !d.wr && d.exe && d.pm && d.lpig);
	assert_int_equal(d.prg_index, 0x1ff);
}

/* ---------------------------------------------------------- geometry --- */

static void test_prq_geometry_depth(void **state)
{
	struct fx *f = *state;
	struct tcesim_prq_stats st = stats(f);
	uint32_t want = f->cfg->depth ? f->cfg->depth :
			f->cfg->flavour == TCESIM_FLAVOUR_LEGACY_2020 ? TCESIM_PRQ_DEPTH_2020
								      : TCESIM_PRQ_DEPTH_MODERN;

	assert_int_equal(st.depth, want);
	assert_int_equal(prq_of(f->iommu)->size_mask, want * 32 - 32);
	assert_int_equal(st.head, 0);
	assert_int_equal(st.tail, 0);
	assert_int_equal(st.prs, 0);
}

static void test_prq_ring_wrap(void **state)
{
	struct fx *f = *state;
	struct tcesim_prq_stats st;
	unsigned long total = 0;
	uint32_t depth = stats(f).depth;

	for (int round = 0; round < 40; round++) {
		unsigned int k = 1 + (unsigned int)test_prng_below(&f->tw->rng, depth - 1);

		for (unsigned int i = 0; i < k; i++)
			assert_errno(req(f->gpu, 9, VA_RW, 1, false), 0);
		assert_int_equal(tcesim_prq_pending(f->iommu), k);
		assert_int_equal(tcesim_prq_event_thread(f->iommu), k);
		total += k;
		st = stats(f);
		assert_int_equal(st.head, st.tail);
		assert_int_equal(st.head, (total * 32) % (depth * 32));
		assert_int_equal(st.prs & TCESIM_DMA_PRS_PPR, 0);
	}
	assert_true(total > depth);	/* it did wrap */
	/*
	 * Nothing bound at PASID 9: the fault layer retires every request
	 * INVALID, non-last ones too (io-pgfault.c: iopf_error_response());
	 * 2020's svm.c answered a bad request only with LPIG.
	 */
	assert_int_equal(tcesim_iommu_device_nr_responses(f->gpu),
			 f->cfg->flavour == TCESIM_FLAVOUR_LEGACY_2020 ? 0 : (long)total);
	assert_int_equal(tcesim_iopf_nr_partial(f->gpu), 0);
}

static void test_prq_ppr_set_by_request_cleared_by_pass(void **state)
{
	struct fx *f = *state;

	assert_errno(req(f->gpu, 1, VA_RW, 1, false), 0);
	assert_int_equal(stats(f).prs, TCESIM_DMA_PRS_PPR);
	assert_int_equal(tcesim_prq_event_thread(f->iommu), 1);
	assert_int_equal(stats(f).prs, 0);
	assert_int_equal(tcesim_prq_event_thread(f->iommu), 0);
}

/* ---------------------------------------------------------- overflow --- */

static void test_prq_full_sets_pro_and_drops(void **state)
{
	struct fx *f = *state;
	uint32_t depth = stats(f).depth;
	struct tcesim_prq_stats st;

	for (uint32_t i = 0; i < depth - 1; i++)
		assert_errno(req(f->gpu, 1, VA_RW, 1, false), 0);
	/* the one that would make the tail meet the head */
	assert_errno(req(f->gpu, 1, VA_RW, 1, false), -ENOSPC);
	st = stats(f);
	assert_true(st.prs & TCESIM_DMA_PRS_PRO);
	assert_int_equal(st.overflows, 1);
	/* dropped while PRO is set, even with room after a partial consume */
	assert_errno(req(f->nic, 2, VA_RW, 1, true), -ENOSPC);
	assert_int_equal(stats(f).overflows, 1);
	assert_int_equal(stats(f).dropped, 2);
	assert_int_equal(tcesim_prq_pending(f->iommu), depth - 1);
	assert_int_equal(tcesim_prq_event_thread(f->iommu), depth - 1);
	/* empty at the end of the pass: cleared */
	assert_int_equal(stats(f).prs & TCESIM_DMA_PRS_PRO, 0);
	assert_true(tcesim_world_log_contains(f->w, "PRQ overflow detected"));
	assert_true(tcesim_world_log_contains(f->w, "PRQ overflow cleared"));
	assert_errno(req(f->gpu, 1, VA_RW, 1, false), 0);
}

struct refill {
	struct tcesim_device *dev;
	int calls, written;
};

/* pass hook: the first time, the hardware fills the ring until it overflows */
static void refill_hook(struct tcesim_iommu *iommu, void *arg)
{
	struct refill *r = arg;

	(void)iommu;
	if (r->calls++)
		return;
	while (!req(r->dev, 3, VA_RW, 1, false))
		r->written++;
}

static void test_prq_pro_cleared_only_when_empty_at_end_of_pass(void **state)
{
	struct fx *f = *state;
	struct refill r = { .dev = f->nic };
	struct prq *prq = prq_of(f->iommu);
	uint32_t depth = stats(f).depth;

	assert_errno(req(f->gpu, 1, VA_RW, 1, false), 0);
	assert_errno(req(f->gpu, 1, VA_RW, 1, false), 0);
	prq->pass_hook = refill_hook;
	prq->pass_hook_arg = &r;
	/* the pass read tail = 2 entries; the head it has not yet written limits the refill */
	assert_int_equal(tcesim_prq_event_thread(f->iommu), 2);
	prq->pass_hook = NULL;
	assert_int_equal(r.written, depth - 1 - 2);
	assert_true(stats(f).prs & TCESIM_DMA_PRS_PRO);
	assert_true(tcesim_world_log_contains(f->w, "PRQ overflow detected"));
	assert_false(tcesim_world_log_contains(f->w, "PRQ overflow cleared"));
	assert_int_equal(tcesim_prq_pending(f->iommu), r.written);
	assert_errno(req(f->gpu, 1, VA_RW, 1, false), -ENOSPC);
	assert_int_equal(tcesim_prq_event_thread(f->iommu), r.written);
	assert_int_equal(stats(f).prs & TCESIM_DMA_PRS_PRO, 0);
	assert_true(tcesim_world_log_contains(f->w, "PRQ overflow cleared"));
}

static void test_prq_overflow_discards_partial_groups(void **state)
{
	struct fx *f = *state;
	struct tcesim_iommu_sva *h;
	uint32_t pasid, depth = stats(f).depth;
	bool legacy = f->cfg->flavour == TCESIM_FLAVOUR_LEGACY_2020;

	assert_errno(tcesim_iommu_sva_bind_device(f->gpu, mkmm(f, "app", false), &h), 0);
	pasid = tcesim_iommu_sva_get_pasid(h);
	/* two requests of group 4 reach the iopf layer: partial */
	assert_errno(req(f->gpu, pasid, VA_RW, 4, false), 0);
	assert_errno(req(f->gpu, pasid, VA_RW + 0x1000, 4, false), 0);
	assert_int_equal(service(f), 2);
	assert_int_equal(tcesim_iopf_nr_partial(f->gpu), 2);
	/* the ring fills; group 4's last request is dropped by the overflow */
	for (uint32_t i = 0; i < depth - 1; i++)
		assert_errno(req(f->gpu, pasid, VA_RW, 5, false), 0);
	assert_errno(req(f->gpu, pasid, VA_RW + 0x2000, 4, true), -ENOSPC);
	assert_int_equal(service(f), depth - 1);
	assert_int_equal(stats(f).prs & TCESIM_DMA_PRS_PRO, 0);
	/* modern: every partial group is gone; 2020 had no iopf queue to clean */
	assert_int_equal(tcesim_iopf_nr_partial(f->gpu), legacy ? 2 + depth - 1 : 0);
	assert_int_equal(tcesim_iommu_device_nr_responses(f->gpu), 0);
	tcesim_iommu_sva_unbind_device(h);
}

/* ------------------------------------------------------ bad requests --- */

enum bad_kind { BAD_NONCANON, BAD_PRIV, BAD_EXEC_READ, BAD_UNKNOWN_RID, BAD_NR };

static void test_prq_bad_requests_answer_only_lpig(void **state)
{
	struct fx *f = *state;

	for (int k = 0; k < BAD_NR; k++) {
		for (int last = 0; last <= 1; last++) {
			struct tcesim_vtd_page_req r = {
				.pasid_present = true, .pasid = 7, .addr = VA_RW, .rd = true,
				.prg_index = (uint32_t)(10 + k * 2 + last), .lpig = last,
			};
			struct tcesim_prq_stats a = stats(f), b;
			long nresp = tcesim_iommu_device_nr_responses(f->gpu);

			switch (k) {
			case BAD_NONCANON:
				r.addr = 0x0000800000000000ull;	/* bit 47 without sign extension */
				break;
			case BAD_PRIV:
				r.pm = true;
				break;
			case BAD_EXEC_READ:
				r.exe = true;
				break;
			default:
				break;
			}
			if (k == BAD_UNKNOWN_RID) {
				r.rid = 0x1ff;
				assert_errno(tcesim_vtd_prq_post(f->iommu, &r), 0);
			} else {
				assert_errno(tcesim_vtd_pri_request_page(f->gpu, &r), 0);
			}
			assert_int_equal(service(f), 1);
			b = stats(f);
			assert_int_equal(b.bad - a.bad, 1);
			assert_int_equal(b.reported - a.reported, 0);
			/* Q11: a response only for the last request of the group */
			assert_int_equal(b.pgrp_resps - a.pgrp_resps, last);
			assert_int_equal(tcesim_iopf_nr_partial(f->gpu), 0);
			if (k == BAD_UNKNOWN_RID) {
				assert_int_equal(tcesim_iommu_device_nr_responses(f->gpu), nresp);
				continue;
			}
			assert_int_equal(tcesim_iommu_device_nr_responses(f->gpu), nresp + last);
			if (last)
				assert_int_equal(resp_code(f->gpu, r.prg_index),
						 TCESIM_IOMMU_PAGE_RESP_INVALID);
		}
	}
	assert_true(tcesim_world_log_contains(f->w, "Address is not canonical"));
	assert_true(tcesim_world_log_contains(f->w, "Page request in Privilege Mode"));
	assert_true(tcesim_world_log_contains(f->w, "Execution request not supported"));
}

static void test_prq_stop_marker_dropped_without_response(void **state)
{
	struct fx *f = *state;
	struct tcesim_vtd_page_req r = { .pasid_present = true, .pasid = 1, .prg_index = 3,
					 .lpig = true };
	struct tcesim_prq_stats st;

	assert_errno(tcesim_vtd_pri_request_page(f->gpu, &r), 0);
	assert_int_equal(service(f), 1);
	st = stats(f);
	assert_int_equal(st.stop_markers, 1);
	assert_int_equal(st.reported + st.bad + st.pgrp_resps, 0);
	assert_int_equal(tcesim_iommu_device_nr_responses(f->gpu), 0);
}

static void test_prq_unbound_pasid_invalid_for_every_request(void **state)
{
	struct fx *f = *state;

	/*
	 * A good request for a PASID nobody attached: the iopf layer retires
	 * each one INVALID (io-pgfault.c: iopf_error_response(), v6.11+),
	 * the non-last one too; unlike the PRQ's own bad requests above.
	 * tests/prq/test_prq_upstream_rules.c checks the descriptors' LPIG.
	 */
	assert_errno(req(f->gpu, 42, VA_RW, 8, false), 0);
	assert_errno(req(f->gpu, 42, VA_RW, 8, true), 0);
	assert_int_equal(service(f), 2);
	assert_int_equal(stats(f).reported, 2);
	assert_int_equal(tcesim_iommu_device_nr_responses(f->gpu), 2);
	assert_int_equal(resp_code(f->gpu, 8), TCESIM_IOMMU_PAGE_RESP_INVALID);
	assert_int_equal(stats(f).pgrp_resps, 2);
}

static void test_pri_request_page_errnos(void **state)
{
	struct fx *f = *state;
	struct tcesim_vtd_page_req r = { .pasid_present = true, .pasid = 1, .rd = true };

	assert_errno(tcesim_vtd_pri_request_page(NULL, &r), -EINVAL);
	assert_errno(tcesim_vtd_pri_request_page(f->gpu, NULL), -EINVAL);
	assert_errno(tcesim_vtd_pri_request_page(f->nopri, &r), -EPERM);
	r.pasid_present = true;
	r.exe = true;
	r.rd = false;
	assert_errno(tcesim_vtd_pri_request_page(f->gpu, &r), -EINVAL);
	assert_errno(tcesim_vtd_prq_post(f->iommu_noprq, &r), -ENODEV);
	assert_errno(tcesim_prq_event_thread(f->iommu_noprq), -ENODEV);
	assert_errno(tcesim_prq_event_thread(NULL), -EINVAL);
	assert_int_equal(stats(f).written, 0);
}

/* ------------------------------------------------------- good groups --- */

static void test_prq_group_gets_one_response(void **state)
{
	struct fx *f = *state;
	struct tcesim_iommu_sva *h;
	uint32_t pasid;

	assert_errno(tcesim_iommu_sva_bind_device(f->gpu, mkmm(f, "app", false), &h), 0);
	pasid = tcesim_iommu_sva_get_pasid(h);
	assert_errno(req(f->gpu, pasid, VA_RW, 7, false), 0);
	assert_errno(req(f->gpu, pasid, VA_RW + 0x1000, 7, false), 0);
	assert_errno(req(f->gpu, pasid, VA_RW + 0x2000, 7, true), 0);
	/* group 9 touches unmapped memory: INVALID, once */
	assert_errno(req(f->gpu, pasid, 0x70000000, 9, false), 0);
	assert_errno(req(f->gpu, pasid, VA_RW, 9, true), 0);
	assert_int_equal(service(f), 5);
	assert_int_equal(tcesim_iommu_device_nr_responses(f->gpu), 2);
	assert_int_equal(resp_code(f->gpu, 7), TCESIM_IOMMU_PAGE_RESP_SUCCESS);
	assert_int_equal(resp_code(f->gpu, 9), TCESIM_IOMMU_PAGE_RESP_INVALID);
	assert_int_equal(stats(f).pgrp_resps, 2);
	tcesim_iommu_sva_unbind_device(h);
}

/* ------------------------------------------------------------ the QI --- */

static void test_qi_submit_sync_errnos_and_drain_count(void **state)
{
	struct fx *f = *state;
	struct tcesim_qi_desc d[TCESIM_QI_MAX_BATCH + 1];

	memset(d, 0, sizeof(d));
	for (unsigned int i = 0; i < TCESIM_ARRAY_SIZE(d); i++)
		d[i].qw0 = TCESIM_QI_EIOTLB_TYPE;
	assert_errno(tcesim_qi_submit_sync(NULL, d, 1, 0), -EINVAL);
	assert_errno(tcesim_qi_submit_sync(f->iommu, d, 0, 0), -EINVAL);
	assert_errno(tcesim_qi_submit_sync(f->iommu, d, TCESIM_QI_MAX_BATCH + 1, 0), -EINVAL);
	assert_errno(tcesim_qi_submit_sync(f->iommu, d, 1, 0x2), -EINVAL);
	d[1].qw0 = 0xf;	/* no such descriptor type: the whole batch is refused */
	assert_errno(tcesim_qi_submit_sync(f->iommu, d, 2, 0), -EINVAL);
	assert_int_equal(stats(f).qi_descs, 0);
	assert_errno(tcesim_qi_submit_sync(f->iommu_noprq, d, 1, 0), -ENODEV);
	assert_errno(tcesim_qi_submit_sync(f->iommu, d, 1, 0), 0);
	assert_int_equal(stats(f).qi_drains, 0);
	assert_errno(tcesim_qi_submit_sync(f->iommu, d, 1, TCESIM_QI_OPT_WAIT_DRAIN), 0);
	assert_int_equal(stats(f).qi_drains, 1);
	assert_int_equal(stats(f).qi_submits, 2);
	assert_int_equal(stats(f).qi_descs, 4);	/* each batch + its wait descriptor */
}

/* ------------------------------------------------------------- drain --- */

static void test_drain_waits_for_matching_requests_only(void **state)
{
	struct fx *f = *state;
	bool legacy = f->cfg->flavour == TCESIM_FLAVOUR_LEGACY_2020;

	/* same PASID on another device, another PASID on this device */
	assert_errno(req(f->nic, 1, VA_RW, 1, true), 0);
	assert_errno(req(f->gpu, 2, VA_RW, 1, true), 0);
	assert_errno(tcesim_intel_iommu_drain_pasid_prq(f->gpu, 1), 0);
	assert_int_equal(stats(f).qi_drains, 1);
	if (legacy) {
		/* 2020 matched the PASID whatever the RID: it waited for nic's */
		assert_int_equal(stats(f).drain_waits, 1);
		assert_int_equal(tcesim_prq_pending(f->iommu), 0);
		return;
	}
	assert_int_equal(stats(f).drain_waits, 0);
	assert_int_equal(tcesim_prq_pending(f->iommu), 2);
	assert_errno(req(f->gpu, 1, VA_RW, 2, true), 0);
	assert_int_equal(tcesim_prq_count_pasid(NULL, f->gpu, 1), 1);
	assert_errno(tcesim_intel_iommu_drain_pasid_prq(f->gpu, 1), 0);
	assert_int_equal(stats(f).drain_waits, 1);
	assert_int_equal(tcesim_prq_pending(f->iommu), 0);
	assert_int_equal(tcesim_prq_count_pasid(NULL, f->gpu, 1), 0);
	/* the fault work ran: PASID 1 (unbound) got its INVALID response */
	assert_int_equal(resp_code(f->gpu, 2), TCESIM_IOMMU_PAGE_RESP_INVALID);
	assert_int_equal(stats(f).qi_drains, 2);
}

static void test_drain_without_pri_does_nothing(void **state)
{
	struct fx *f = *state;

	assert_errno(tcesim_intel_iommu_drain_pasid_prq(f->nopri, 1), 0);
	assert_errno(tcesim_intel_iommu_drain_pasid_prq(NULL, 1), -EINVAL);
	assert_errno(tcesim_intel_iommu_drain_pasid_prq(f->gpu, 1u << 20), -EINVAL);
	assert_int_equal(stats(f).qi_submits, 0);
}

static void test_drain_no_pasid_uses_domain_iotlb(void **state)
{
	struct fx *f = *state;
	struct prq *prq = prq_of(f->iommu);
	struct tcesim_vtd_page_req r = { .rid = 0x100, .addr = VA_RW, .rd = true, .lpig = true };

	/* a PASID-less request (QEMU never sends one; any hardware may) */
	assert_errno(tcesim_vtd_prq_post(f->iommu, &r), 0);
	assert_errno(tcesim_intel_iommu_drain_pasid_prq(f->gpu, TCESIM_IOMMU_NO_PASID), 0);
	if (f->cfg->flavour == TCESIM_FLAVOUR_LEGACY_2020) {
		/* 2020 only ever matched PASID-carrying requests */
		assert_int_equal(stats(f).drain_waits, 0);
		assert_int_equal(tcesim_prq_pending(f->iommu), 1);
		return;
	}
	assert_int_equal(stats(f).drain_waits, 1);
	assert_int_equal(tcesim_prq_pending(f->iommu), 0);
	/* desc[1] of the last batch: domain-selective IOTLB, not PASID-IOTLB */
	assert_int_equal(prq->qi_log[(prq->qi_nlog - 3) % PRQ_QI_LOG].qw0 & TCESIM_QI_TYPE_MASK,
			 TCESIM_QI_IOTLB_TYPE);
	assert_true(prq->qi_log[(prq->qi_nlog - 1) % PRQ_QI_LOG].qw0 & TCESIM_QI_IWD_PRQ_DRAIN);
}

static void test_drain_overflow_repeats_qi_step(void **state)
{
	struct fx *f = *state;
	uint32_t depth = stats(f).depth;

	/* another device's traffic overflows the ring: nothing to wait for */
	for (uint32_t i = 0; i < depth - 1; i++)
		assert_errno(req(f->nic, 5, VA_RW, 1, false), 0);
	assert_errno(req(f->nic, 5, VA_RW, 1, false), -ENOSPC);
	assert_errno(tcesim_intel_iommu_drain_pasid_prq(f->gpu, 1), 0);
	/* QI, PRO still set -> a pass (clears it) -> QI again */
	assert_int_equal(stats(f).qi_drains, 2);
	assert_int_equal(stats(f).drain_waits, 1);
	assert_int_equal(stats(f).prs & TCESIM_DMA_PRS_PRO, 0);
}

/*
 * Seed 003's promise: after unbind + drain nothing of the PASID's previous
 * life is in the ring or the fault queue, so when the PASID is reused the
 * new owner sees none of it. The old life leaves: a partial group (prg 5)
 * already with the iopf layer, another request of prg 5 and a full group in
 * the ring. The new process has nothing mapped at VA_OLD, so a stale
 * request joining its prg 5 group would make it INVALID.
 */
static void test_pasid_reuse_after_unbind_and_drain_sees_nothing_old(void **state)
{
	struct fx *f = *state;
	bool upstream = f->cfg->quirks == TCESIM_QUIRKS_UPSTREAM;
	struct tcesim_mm *a = mkmm(f, "old", true), *b;
	struct tcesim_iommu_sva *h;
	uint32_t pasid, pasid2;

	assert_errno(tcesim_iommu_sva_bind_device(f->gpu, a, &h), 0);
	pasid = tcesim_iommu_sva_get_pasid(h);
	assert_errno(req(f->gpu, pasid, VA_OLD, 5, false), 0);
	assert_int_equal(service(f), 1);
	assert_errno(req(f->gpu, pasid, VA_OLD + 0x1000, 5, false), 0);
	assert_errno(req(f->gpu, pasid, VA_OLD, 6, false), 0);
	assert_errno(req(f->gpu, pasid, VA_OLD, 6, true), 0);
	/* the driver stops the device's DMA, then unbinds: detach + drain */
	tcesim_iommu_sva_unbind_device(h);
	assert_errno(tcesim_intel_iommu_drain_pasid_prq(f->gpu, pasid), 0);
	assert_int_equal(tcesim_prq_count_pasid(NULL, f->gpu, pasid), 0);
	assert_false(dev_has_pending_work(f->gpu));
	/*
	 * The drain ran before the slot was erased (iommu_detach_device_pasid():
	 * __iommu_remove_group_pasid() then xa_erase()): the ring's requests
	 * met the live handle, so prg 5's second request joined the partial
	 * list (upstream keeps both there) and the old group 6 was served by
	 * the old process (SUCCESS, VA_OLD is mapped in it).
	 */
	assert_int_equal(tcesim_iopf_nr_partial(f->gpu), upstream ? 2 : 0);
	assert_int_equal(resp_code(f->gpu, 6), TCESIM_IOMMU_PAGE_RESP_SUCCESS);

	/* the process exits: its PASID goes back to the allocator, then is reused */
	exit_mm(f, a);
	b = mkmm(f, "new", false);
	assert_errno(tcesim_iommu_sva_bind_device(f->gpu, b, &h), 0);
	pasid2 = tcesim_iommu_sva_get_pasid(h);
	assert_int_equal(pasid2, pasid);
	assert_errno(req(f->gpu, pasid, VA_RW, 5, true), 0);
	assert_int_equal(service(f), 1);
	/* safe: only its own request; upstream: the stale partial joined (derived) */
	assert_int_equal(resp_code(f->gpu, 5), upstream ? TCESIM_IOMMU_PAGE_RESP_INVALID
							: TCESIM_IOMMU_PAGE_RESP_SUCCESS);
	tcesim_iommu_sva_unbind_device(h);
	assert_errno(tcesim_intel_iommu_drain_pasid_prq(f->gpu, pasid), 0);
}

static void test_pasid_reuse_after_overflow_sees_nothing_old(void **state)
{
	struct fx *f = *state;
	struct tcesim_mm *a = mkmm(f, "old", true), *b;
	struct tcesim_iommu_sva *h;
	uint32_t pasid, depth = stats(f).depth;

	assert_errno(tcesim_iommu_sva_bind_device(f->gpu, a, &h), 0);
	pasid = tcesim_iommu_sva_get_pasid(h);
	/* the old life floods the ring: group 5's LPIG is lost to the overflow */
	for (uint32_t i = 0; i < depth - 1; i++)
		assert_errno(req(f->gpu, pasid, VA_OLD, 5, false), 0);
	assert_errno(req(f->gpu, pasid, VA_OLD, 5, true), -ENOSPC);
	tcesim_iommu_sva_unbind_device(h);
	assert_errno(tcesim_intel_iommu_drain_pasid_prq(f->gpu, pasid), 0);
	assert_int_equal(stats(f).prs & TCESIM_DMA_PRS_PRO, 0);
	assert_int_equal(tcesim_prq_count_pasid(NULL, f->gpu, pasid), 0);
	assert_int_equal(tcesim_iopf_nr_partial(f->gpu), 0);
	assert_false(dev_has_pending_work(f->gpu));
	exit_mm(f, a);
	b = mkmm(f, "new", false);
	assert_errno(tcesim_iommu_sva_bind_device(f->gpu, b, &h), 0);
	assert_int_equal(tcesim_iommu_sva_get_pasid(h), pasid);
	assert_errno(req(f->gpu, pasid, VA_RW, 5, true), 0);
	assert_int_equal(service(f), 1);
	assert_int_equal(resp_code(f->gpu, 5), TCESIM_IOMMU_PAGE_RESP_SUCCESS);
	tcesim_iommu_sva_unbind_device(h);
	assert_errno(tcesim_intel_iommu_drain_pasid_prq(f->gpu, pasid), 0);
}

/* ------------------------------------------------------- legacy_2020 --- */

static void test_legacy_2020_thread_handles_groups_inline(void **state)
{
	struct fx *f = *state;
	struct tcesim_iommu_sva *h;
	uint32_t pasid;

	assert_errno(tcesim_iommu_sva_bind_device(f->gpu, mkmm(f, "app", false), &h), 0);
	pasid = tcesim_iommu_sva_get_pasid(h);
	assert_errno(req(f->gpu, pasid, VA_RW, 3, false), 0);
	assert_errno(req(f->gpu, pasid, VA_RW, 3, true), 0);
	/* the pass alone, no fault-work flush */
	assert_int_equal(tcesim_prq_event_thread(f->iommu), 2);
	assert_int_equal(tcesim_iommu_device_nr_responses(f->gpu), 1);
	assert_int_equal(resp_code(f->gpu, 3), TCESIM_IOMMU_PAGE_RESP_SUCCESS);
	assert_false(dev_has_pending_work(f->gpu));
	tcesim_iommu_sva_unbind_device(h);
	assert_errno(tcesim_intel_iommu_drain_pasid_prq(f->gpu, pasid), 0);
}

/* ---------------------------------------------------- fault injection --- */

static void test_enable_prq_fail_nth(void **state)
{
	struct fx *f = *state;
	struct tcesim_iommu_cfg icfg;
	struct tcesim_iommu *iommu;
	long base;
	int ret = -ENOMEM;

	tcesim_iommu_cfg_init(&icfg);
	icfg.name = "dmar2";
	icfg.prq_depth = 6;	/* not a power of two */
	assert_errno(tcesim_iommu_create(f->w, &icfg, &iommu), 0);
	assert_errno(tcesim_intel_iommu_enable_prq(iommu), -EINVAL);
	icfg.name = "dmar3";
	icfg.prq_depth = 64;
	assert_errno(tcesim_iommu_create(f->w, &icfg, &iommu), 0);
	f->allocs_base = base = tcesim_world_live_allocs(f->w);
	for (unsigned long n = 1; ret; n++) {
		assert_true(n < 16);
		tcesim_world_inject_fail_alloc(f->w, n);
		ret = tcesim_intel_iommu_enable_prq(iommu);
		if (ret) {
			assert_errno(ret, -ENOMEM);
			assert_null(prq_of(iommu));
			assert_int_equal(tcesim_world_live_allocs(f->w), base);
		}
	}
	tcesim_world_inject_fail_alloc(f->w, 0);
	assert_non_null(prq_of(iommu));
	f->allocs_base = tcesim_world_live_allocs(f->w);
	assert_int_equal(f->allocs_base, base + 2);	/* the PRQ and its ring */
}

/*
 * Fault reporting allocates (partial requests, groups): with the n-th
 * allocation failing, every group still gets exactly one response and
 * nothing leaks.
 */
static void test_prq_report_fail_nth_one_response_per_group(void **state)
{
	struct fx *f = *state;
	struct tcesim_iommu_sva *h;
	bool armed = true;
	uint32_t pasid;
	long base;

	assert_errno(tcesim_iommu_sva_bind_device(f->gpu, mkmm(f, "app", false), &h), 0);
	pasid = tcesim_iommu_sva_get_pasid(h);
	base = tcesim_world_live_allocs(f->w);
	for (unsigned long n = 1; armed; n++) {
		uint32_t prg = (uint32_t)n;
		long before = tcesim_iommu_device_nr_responses(f->gpu);

		assert_true(n < 32);
		assert_errno(req(f->gpu, pasid, VA_RW, prg, false), 0);
		assert_errno(req(f->gpu, pasid, VA_RW + 0x1000, prg, false), 0);
		assert_errno(req(f->gpu, pasid, VA_RW + 0x2000, prg, true), 0);
		tcesim_world_inject_fail_alloc(f->w, n);
		assert_int_equal(service(f), 3);
		armed = tcesim_world_fail_alloc_armed(f->w);
		tcesim_world_inject_fail_alloc(f->w, 0);
		assert_int_equal(tcesim_iommu_device_nr_responses(f->gpu), before + 1);
		assert_int_equal(tcesim_iopf_nr_partial(f->gpu), 0);
		assert_int_equal(tcesim_world_live_allocs(f->w), base);
	}
	tcesim_iommu_sva_unbind_device(h);
}

/* ------------------------------------------------------------- groups --- */

#define T(fn, cfg) cmocka_unit_test_prestate_setup_teardown(fn, setup, teardown, (void *)&(cfg))

int main(void)
{
	const struct CMUnitTest modern[] = {
		cmocka_unit_test(test_prq_desc_encode_layout),
		T(test_prq_geometry_depth, cfg_modern_def),
		T(test_prq_geometry_depth, cfg_modern8),
		T(test_prq_ring_wrap, cfg_modern8),
		T(test_prq_ppr_set_by_request_cleared_by_pass, cfg_modern8),
		T(test_prq_full_sets_pro_and_drops, cfg_modern8),
		T(test_prq_full_sets_pro_and_drops, cfg_modern4),
		T(test_prq_pro_cleared_only_when_empty_at_end_of_pass, cfg_modern8),
		T(test_prq_overflow_discards_partial_groups, cfg_modern4),
		T(test_prq_bad_requests_answer_only_lpig, cfg_modern8),
		T(test_prq_stop_marker_dropped_without_response, cfg_modern8),
		T(test_prq_unbound_pasid_invalid_for_every_request, cfg_modern8),
		T(test_pri_request_page_errnos, cfg_modern8),
		T(test_prq_group_gets_one_response, cfg_modern8),
		T(test_qi_submit_sync_errnos_and_drain_count, cfg_modern8),
		T(test_drain_waits_for_matching_requests_only, cfg_modern8),
		T(test_drain_without_pri_does_nothing, cfg_modern8),
		T(test_drain_no_pasid_uses_domain_iotlb, cfg_modern8),
		T(test_drain_overflow_repeats_qi_step, cfg_modern8),
		T(test_pasid_reuse_after_unbind_and_drain_sees_nothing_old, cfg_modern8),
		T(test_pasid_reuse_after_overflow_sees_nothing_old, cfg_modern4),
		T(test_enable_prq_fail_nth, cfg_modern8),
		T(test_prq_report_fail_nth_one_response_per_group, cfg_modern8),
	};
	const struct CMUnitTest upstream[] = {
		T(test_pasid_reuse_after_unbind_and_drain_sees_nothing_old, cfg_upstream8),
		T(test_drain_waits_for_matching_requests_only, cfg_upstream8),
	};
	const struct CMUnitTest legacy[] = {
		T(test_prq_geometry_depth, cfg_legacy_def),
		T(test_prq_ring_wrap, cfg_legacy8),
		T(test_prq_full_sets_pro_and_drops, cfg_legacy8),
		T(test_prq_overflow_discards_partial_groups, cfg_legacy4),
		T(test_prq_bad_requests_answer_only_lpig, cfg_legacy8),
		T(test_drain_waits_for_matching_requests_only, cfg_legacy8),
		T(test_drain_no_pasid_uses_domain_iotlb, cfg_legacy8),
		T(test_drain_overflow_repeats_qi_step, cfg_legacy8),
		T(test_legacy_2020_thread_handles_groups_inline, cfg_legacy8),
		T(test_pasid_reuse_after_unbind_and_drain_sees_nothing_old, cfg_legacy8),
	};
	int fails = 0;

	(void)test_seed();
	fails += cmocka_run_group_tests_name("prq", modern, NULL, NULL);
	fails += cmocka_run_group_tests_name("prq/upstream", upstream, NULL, NULL);
	fails += cmocka_run_group_tests_name("prq/legacy_2020", legacy, NULL, NULL);
	return fails ? 1 : 0;
}
