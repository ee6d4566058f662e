// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_prq_teardown.c - the implicit PRQ drain of a PASID teardown, and
 * page requests without PASID (issue 8 point 1).
 *
 * Upstream drains on every PASID teardown, not only on an explicit drain:
 * drivers/iommu/iommu-sva.c: iommu_sva_unbind_device() ->
 * drivers/iommu/iommu.c: iommu_detach_device_pasid() -> the blocking
 * domain's set_dev_pasid (drivers/iommu/intel/iommu.c) ->
 * drivers/iommu/intel/pasid.c: intel_pasid_tear_down_entry(...,
 * fault_ignore=false) -> drivers/iommu/intel/prq.c:
 * intel_iommu_drain_pasid_prq(). mm exit (drivers/iommu/intel/svm.c:
 * intel_mm_release()) tears down with fault_ignore=true and does not drain;
 * the unbind that follows does. The drain matches requests without PASID
 * only for IOMMU_NO_PASID and vice versa (prq.c: the drain's scan loop).
 *
 * Groups: "prq_teardown" (modern), "prq_teardown/upstream",
 * "prq_teardown/legacy_2020" (v5.8 drained from intel_svm_unbind_mm()).
 */
#include "tcesim_test.h"
#include "fx_prq.h"

#include <tcesim/prq.h>
#include <tcesim/sva.h>

#define VA_RW 0x10000000ull

struct fx {
	struct test_world *tw;
	struct tcesim_world *w;
	struct tcesim_iommu *iommu;
	struct tcesim_device *gpu, *nic;
	struct tcesim_mm *mm;
	long allocs_base;
	bool upstream;		/* quirks=upstream */
};

static const enum tcesim_flavour fl_modern = TCESIM_FLAVOUR_MODERN;
static const enum tcesim_flavour fl_legacy = TCESIM_FLAVOUR_LEGACY_2020;

static int setup_q(void **state, enum tcesim_quirks quirks)
{
	const enum tcesim_flavour *fl = *state;
	struct tcesim_world_cfg wcfg;
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	tcesim_world_cfg_init(&wcfg);
	wcfg.flavour = *fl;
	wcfg.quirks = quirks;
	f->tw = test_world_new(&wcfg);
	f->w = f->tw->w;
	f->upstream = quirks == TCESIM_QUIRKS_UPSTREAM;
	f->iommu = fx_prq_dmar0(f->w, &f->gpu, &f->nic);
	assert_errno(tcesim_mm_create(f->w, "app", 64 << 20, false, &f->mm), 0);
	assert_errno(tcesim_mm_mmap(f->mm, VA_RW, 1 << 20,
				    TCESIM_PROT_READ | TCESIM_PROT_WRITE, 12), 0);
	tcesim_rcu_barrier();
	f->allocs_base = tcesim_world_live_allocs(f->w);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_q(state, TCESIM_QUIRKS_SAFE);
}

static int setup_upstream(void **state)
{
	return setup_q(state, TCESIM_QUIRKS_UPSTREAM);
}

static int teardown(void **state)
{
	struct fx *f = *state;

	fx_prq_end(f->tw, f->gpu, f->nic, f->mm);
	free(f);
	return 0;
}

static int req(struct tcesim_device *dev, bool has_pasid, uint32_t pasid, uint32_t prg, bool last)
{
	struct tcesim_vtd_page_req r = {
		.pasid_present = has_pasid, .pasid = has_pasid ? pasid : 0, .addr = VA_RW,
		.prg_index = prg, .rd = true, .lpig = last,
	};

	return tcesim_vtd_pri_request_page(dev, &r);
}

static struct tcesim_prq_stats stats(struct fx *f)
{
	struct tcesim_prq_stats st;

	assert_errno(tcesim_prq_get_stats(f->iommu, &st), 0);
	return st;
}

static uint32_t resp_code(struct tcesim_device *dev, uint32_t prg)
{
	struct tcesim_iommu_page_response r;

	assert_errno(tcesim_iommu_device_page_response(dev, prg, &r), 0);
	return r.code;
}

/* iommu_sva_unbind_device() drains the PRQ of (device, PASID) by itself. */
static void test_unbind_drains_implicitly(void **state)
{
	struct fx *f = *state;
	struct tcesim_iommu_sva *h;
	uint32_t pasid;

	assert_errno(tcesim_iommu_sva_bind_device(f->gpu, f->mm, &h), 0);
	pasid = tcesim_iommu_sva_get_pasid(h);
	/* group 2 non-last, complete group 3, all still in the ring */
	assert_errno(req(f->gpu, true, pasid, 2, false), 0);
	assert_errno(req(f->gpu, true, pasid, 3, false), 0);
	assert_errno(req(f->gpu, true, pasid, 3, true), 0);
	/* another device's request of the same PASID number (modern: untouched) */
	assert_errno(req(f->nic, true, pasid, 4, true), 0);
	assert_int_equal(tcesim_prq_count_pasid(NULL, f->gpu, pasid), 3);
	tcesim_iommu_sva_unbind_device(h);
	/* no explicit tcesim_intel_iommu_drain_pasid_prq() call */
	assert_int_equal(tcesim_prq_count_pasid(NULL, f->gpu, pasid), 0);
	assert_int_equal(stats(f).drains, 1);
	assert_int_equal(stats(f).drain_waits, 1);
	assert_int_equal(stats(f).qi_drains, 1);
	/*
	 * The drain runs before the slot is erased (drivers/iommu/iommu.c
	 * iommu_detach_device_pasid(): __iommu_remove_group_pasid() ->
	 * blocked set_dev_pasid -> teardown + drain, then xa_erase()): the
	 * requests meet the live handle. Group 3 is served by the process
	 * (SUCCESS, one response); group 2's request waits as a partial
	 * (quirks=safe: the drain drops it; upstream keeps it).
	 */
	assert_int_equal(resp_code(f->gpu, 3), TCESIM_IOMMU_PAGE_RESP_SUCCESS);
	assert_int_equal(tcesim_iommu_device_nr_responses(f->gpu), 1);
	assert_int_equal(tcesim_iopf_nr_partial(f->gpu), f->upstream ? 1 : 0);
	assert_int_equal(tcesim_prq_pending(f->iommu), 0);
	tcesim_rcu_barrier();
}

/* mm exit of a still-bound mm does not drain (fault_ignore); the unbind does. */
static void test_mm_exit_then_unbind_drains(void **state)
{
	struct fx *f = *state;
	struct tcesim_iommu_sva *h;
	uint32_t pasid;

	assert_errno(tcesim_iommu_sva_bind_device(f->gpu, f->mm, &h), 0);
	pasid = tcesim_iommu_sva_get_pasid(h);
	assert_errno(req(f->gpu, true, pasid, 5, true), 0);
	tcesim_mm_exit(f->mm);
	f->mm = NULL;
	assert_int_equal(stats(f).drains, 0);
	assert_int_equal(tcesim_prq_count_pasid(NULL, f->gpu, pasid), 1);
	tcesim_iommu_sva_unbind_device(h);
	assert_int_equal(stats(f).drains, 1);
	assert_int_equal(stats(f).qi_drains, 1);
	assert_int_equal(tcesim_prq_count_pasid(NULL, f->gpu, pasid), 0);
	assert_int_equal(resp_code(f->gpu, 5), TCESIM_IOMMU_PAGE_RESP_INVALID);
	tcesim_rcu_barrier();
}

/* pasid=none is accepted from a PRI device with PASIDs in use; IOMMU_NO_PASID matching */
static void test_no_pasid_request_and_drain_matching(void **state)
{
	struct fx *f = *state;
	struct tcesim_iommu_sva *h;
	uint32_t pasid;

	assert_errno(tcesim_iommu_sva_bind_device(f->gpu, f->mm, &h), 0);
	pasid = tcesim_iommu_sva_get_pasid(h);
	assert_errno(req(f->gpu, false, 0, 6, true), 0);
	assert_int_equal(stats(f).written, 1);
	assert_int_equal(tcesim_prq_count_pasid(NULL, f->gpu, TCESIM_IOMMU_NO_PASID), 1);
	assert_int_equal(tcesim_prq_count_pasid(NULL, f->gpu, pasid), 0);
	/* draining PASID p leaves the request without PASID alone */
	assert_errno(tcesim_intel_iommu_drain_pasid_prq(f->gpu, pasid), 0);
	assert_int_equal(stats(f).drain_waits, 0);
	assert_int_equal(tcesim_prq_count_pasid(NULL, f->gpu, TCESIM_IOMMU_NO_PASID), 1);
	/* and the vice versa: a drain of IOMMU_NO_PASID leaves PASID p's request */
	assert_errno(tcesim_prq_event_thread(f->iommu), 1);
	assert_errno(tcesim_iopf_queue_flush_dev(f->gpu), 0);
	/* no domain with a fault handler at IOMMU_NO_PASID: INVALID */
	assert_int_equal(resp_code(f->gpu, 6), TCESIM_IOMMU_PAGE_RESP_INVALID);
	assert_errno(req(f->gpu, true, pasid, 7, true), 0);
	assert_errno(tcesim_intel_iommu_drain_pasid_prq(f->gpu, TCESIM_IOMMU_NO_PASID), 0);
	assert_int_equal(stats(f).drain_waits, 0);
	assert_int_equal(tcesim_prq_count_pasid(NULL, f->gpu, pasid), 1);
	tcesim_iommu_sva_unbind_device(h);
	assert_int_equal(tcesim_prq_count_pasid(NULL, f->gpu, pasid), 0);
	tcesim_rcu_barrier();
}

#define T(fn, fl, su) cmocka_unit_test_prestate_setup_teardown(fn, su, teardown, (void *)&(fl))

int main(void)
{
	const struct CMUnitTest modern[] = {
		T(test_unbind_drains_implicitly, fl_modern, setup),
		T(test_mm_exit_then_unbind_drains, fl_modern, setup),
		T(test_no_pasid_request_and_drain_matching, fl_modern, setup),
	};
	const struct CMUnitTest upstream[] = {
		T(test_unbind_drains_implicitly, fl_modern, setup_upstream),
		T(test_mm_exit_then_unbind_drains, fl_modern, setup_upstream),
	};
	const struct CMUnitTest legacy[] = {
		T(test_mm_exit_then_unbind_drains, fl_legacy, setup),
	};
	int fails = 0;

	(void)test_seed();
	fails += cmocka_run_group_tests_name("prq_teardown", modern, NULL, NULL);
	fails += cmocka_run_group_tests_name("prq_teardown/upstream", upstream, NULL, NULL);
	fails += cmocka_run_group_tests_name("prq_teardown/legacy_2020", legacy, NULL, NULL);
	return fails ? 1 : 0;
}
