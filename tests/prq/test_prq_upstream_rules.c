// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_prq_upstream_rules.c - rules of src/prq checked against upstream's
 * code by the fidelity audit (drivers/iommu/intel/prq.c, v6.12+, and the
 * io-pgfault.c it reports to):
 *  - a well-formed request from a known device whose PASID has no handler
 *    goes through intel_prq_report() -> iommu_report_device_fault() ->
 *    iopf_error_response() -> intel_iommu_page_response(): it is answered
 *    INVALID whether or not it is the last of its group, and the page
 *    group response descriptor carries the request's own LPIG (qw1 bit 2,
 *    from IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE);
 *  - a handled group's response carries LPIG set;
 *  - intel_prq_report() copies the descriptor's PASID field even without
 *    PASID Present, and the response carries it back (PASID_P clear);
 *  - the unbind's drain runs before the PASID array slot is erased, so the
 *    requests it meets are served through the live handle (both eras);
 *  - the PRQ's own bad requests (handle_bad_prq_event()) stay answered only
 *    when LPIG is set, and legacy_2020 (svm.c v5.8) answered only LPIG.
 */
#include "tcesim_test.h"
#include "fx_prq.h"

#include "prq/prq_internal.h"
#include <tcesim/prq.h>

#define VA_RW 0x10000000ull

struct fx {
	struct test_world *tw;
	struct tcesim_world *w;
	struct tcesim_iommu *iommu;
	struct tcesim_device *gpu, *nic;
	struct tcesim_mm *mm;
};

static int setup_of(void **state, enum tcesim_flavour flavour)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->tw = test_world_new_of(flavour, TCESIM_QUIRKS_SAFE, 0);
	f->w = f->tw->w;
	f->iommu = fx_prq_dmar0(f->w, &f->gpu, &f->nic);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_of(state, TCESIM_FLAVOUR_MODERN);
}

static int setup_legacy(void **state)
{
	return setup_of(state, TCESIM_FLAVOUR_LEGACY_2020);
}

static int teardown(void **state)
{
	struct fx *f = *state;

	fx_prq_end(f->tw, f->gpu, f->nic, f->mm);
	free(f);
	return 0;
}

static int req(struct tcesim_device *dev, uint32_t pasid, uint32_t prg, bool last)
{
	struct tcesim_vtd_page_req r = {
		.pasid_present = true, .pasid = pasid, .addr = VA_RW, .prg_index = prg,
		.rd = true, .lpig = last,
	};

	return tcesim_vtd_pri_request_page(dev, &r);
}

static void service(struct fx *f)
{
	assert_true(tcesim_prq_event_thread(f->iommu) >= 0);
	assert_errno(tcesim_iopf_queue_flush_dev(f->gpu), 0);
}

static unsigned long pgrp_resps(struct fx *f)
{
	struct tcesim_prq_stats st;

	assert_errno(tcesim_prq_get_stats(f->iommu, &st), 0);
	return st.pgrp_resps;
}

/* The newest page group response descriptor run by the QI. */
static struct tcesim_qi_desc last_pgrp(struct fx *f)
{
	struct prq *prq = prq_of(f->iommu);
	unsigned long n = prq->qi_nlog;

	for (unsigned long i = 0; i < PRQ_QI_LOG && i < n; i++) {
		const struct tcesim_qi_desc *d = &prq->qi_log[(n - 1 - i) % PRQ_QI_LOG];

		if ((d->qw0 & TCESIM_QI_TYPE_MASK) == TCESIM_QI_PGRP_RESP_TYPE)
			return *d;
	}
	fail_msg("no page group response in the QI log");
	return (struct tcesim_qi_desc){ 0 };
}

static uint32_t desc_code(const struct tcesim_qi_desc *d)
{
	return (uint32_t)((d->qw0 >> 12) & 0xf);
}

static bool desc_lpig(const struct tcesim_qi_desc *d)
{
	return d->qw1 & TCESIM_QI_PGRP_LPIG(1);
}

static uint32_t desc_prg(const struct tcesim_qi_desc *d)
{
	return (uint32_t)((d->qw1 >> 3) & 0x1ff);
}

/*
 * PASID 42 is bound to nobody: both requests of group 8 are retired
 * INVALID, the first with LPIG clear. Before the fix the model answered
 * only the last one (one descriptor, LPIG set).
 */
static void test_prq_unbound_pasid_every_request_answered(void **state)
{
	struct fx *f = *state;
	struct tcesim_qi_desc d;

	assert_errno(req(f->gpu, 42, 8, false), 0);
	service(f);
	assert_int_equal(pgrp_resps(f), 1);
	d = last_pgrp(f);
	assert_int_equal(desc_prg(&d), 8);
	assert_int_equal(desc_code(&d), TCESIM_QI_RESP_INVALID);
	assert_false(desc_lpig(&d));
	assert_true(d.qw0 & TCESIM_QI_PGRP_PASID_P(1));
	assert_int_equal(tcesim_iommu_device_nr_responses(f->gpu), 1);
	assert_int_equal(tcesim_iopf_nr_partial(f->gpu), 0);

	assert_errno(req(f->gpu, 42, 8, true), 0);
	service(f);
	assert_int_equal(pgrp_resps(f), 2);
	d = last_pgrp(f);
	assert_int_equal(desc_code(&d), TCESIM_QI_RESP_INVALID);
	assert_true(desc_lpig(&d));
	assert_int_equal(tcesim_iommu_device_nr_responses(f->gpu), 2);
}

/* A bound PASID: the non-last request waits, the group gets one LPIG response. */
static void test_prq_handled_group_one_response_lpig_set(void **state)
{
	struct fx *f = *state;
	struct tcesim_iommu_sva *h;
	struct tcesim_qi_desc d;
	uint32_t pasid;

	assert_errno(tcesim_mm_create(f->w, "app", 64 << 20, false, &f->mm), 0);
	assert_errno(tcesim_mm_mmap(f->mm, VA_RW, 1 << 20,
				    TCESIM_PROT_READ | TCESIM_PROT_WRITE, 12), 0);
	assert_errno(tcesim_iommu_sva_bind_device(f->gpu, f->mm, &h), 0);
	pasid = tcesim_iommu_sva_get_pasid(h);
	assert_errno(req(f->gpu, pasid, 5, false), 0);
	service(f);
	assert_int_equal(pgrp_resps(f), 0);
	assert_errno(req(f->gpu, pasid, 5, true), 0);
	service(f);
	assert_int_equal(pgrp_resps(f), 1);
	d = last_pgrp(f);
	assert_int_equal(desc_prg(&d), 5);
	assert_int_equal(desc_code(&d), TCESIM_QI_RESP_SUCCESS);
	assert_true(desc_lpig(&d));
	tcesim_iommu_sva_unbind_device(h);
}

/*
 * iommu_detach_device_pasid() drains (blocked set_dev_pasid -> teardown ->
 * intel_iommu_drain_pasid_prq()) before it erases the PASID array slot:
 * a complete group still in the ring at unbind meets the live handle and
 * is served against the process. Before the fix the model erased first
 * and the group got INVALID.
 */
static void test_prq_unbind_drain_serves_ring_requests(void **state)
{
	struct fx *f = *state;
	struct tcesim_iommu_sva *h;
	struct tcesim_qi_desc d;
	uint32_t pasid;

	assert_errno(tcesim_mm_create(f->w, "app", 64 << 20, false, &f->mm), 0);
	assert_errno(tcesim_mm_mmap(f->mm, VA_RW, 1 << 20,
				    TCESIM_PROT_READ | TCESIM_PROT_WRITE, 12), 0);
	assert_errno(tcesim_iommu_sva_bind_device(f->gpu, f->mm, &h), 0);
	pasid = tcesim_iommu_sva_get_pasid(h);
	assert_errno(req(f->gpu, pasid, 12, false), 0);
	assert_errno(req(f->gpu, pasid, 12, true), 0);
	assert_int_equal(tcesim_prq_pending(f->iommu), 2);
	/* no service: the unbind's own drain empties the ring */
	tcesim_iommu_sva_unbind_device(h);
	assert_int_equal(tcesim_prq_pending(f->iommu), 0);
	assert_int_equal(pgrp_resps(f), 1);
	d = last_pgrp(f);
	assert_int_equal(desc_prg(&d), 12);
	assert_int_equal(desc_code(&d), TCESIM_QI_RESP_SUCCESS);
	assert_true(desc_lpig(&d));
	assert_int_equal(tcesim_iommu_device_nr_responses(f->gpu), 1);
}

/*
 * intel_prq_report() copies the descriptor's PASID field even when PASID
 * Present is clear; the INVALID answer (no handler at IOMMU_NO_PASID)
 * carries it back with PASID_P clear. Before the fix the model reported
 * PASID 0 for such a request.
 */
static void test_prq_no_pasid_request_keeps_pasid_field(void **state)
{
	struct fx *f = *state;
	struct tcesim_vtd_page_req r = {
		.pasid_present = false, .pasid = 0x1234, .addr = VA_RW, .prg_index = 11,
		.rd = true, .lpig = true,
	};
	struct tcesim_iommu_page_response resp;
	struct tcesim_qi_desc d;

	assert_errno(tcesim_vtd_device_rid(f->gpu, &r.rid), 0);
	assert_errno(tcesim_vtd_prq_post(f->iommu, &r), 0);
	service(f);
	assert_int_equal(pgrp_resps(f), 1);
	d = last_pgrp(f);
	assert_int_equal(desc_prg(&d), 11);
	assert_false(d.qw0 & TCESIM_QI_PGRP_PASID_P(1));
	assert_int_equal((d.qw0 >> 32) & 0xfffff, 0x1234);
	assert_errno(tcesim_iommu_device_page_response(f->gpu, 11, &resp), 0);
	assert_int_equal(resp.code, TCESIM_IOMMU_PAGE_RESP_INVALID);
	assert_false(resp.pasid_valid);
	assert_int_equal(resp.pasid, 0x1234);
}

/* svm.c v5.8: a request without a bound PASID is answered only with LPIG. */
static void test_prq_legacy_2020_unbound_pasid_last_only(void **state)
{
	struct fx *f = *state;
	struct tcesim_qi_desc d;

	assert_errno(req(f->gpu, 42, 8, false), 0);
	service(f);
	assert_int_equal(pgrp_resps(f), 0);
	assert_errno(req(f->gpu, 42, 8, true), 0);
	service(f);
	assert_int_equal(pgrp_resps(f), 1);
	d = last_pgrp(f);
	assert_true(desc_lpig(&d));
	assert_int_equal(desc_code(&d), TCESIM_QI_RESP_INVALID);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
#define TL(fn) cmocka_unit_test_setup_teardown(fn, setup_legacy, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_prq_unbound_pasid_every_request_answered),
		T(test_prq_handled_group_one_response_lpig_set),
		T(test_prq_no_pasid_request_keeps_pasid_field),
		T(test_prq_unbind_drain_serves_ring_requests),
		TL(test_prq_unbind_drain_serves_ring_requests),
		TL(test_prq_legacy_2020_unbound_pasid_last_only),
	};

	return cmocka_run_group_tests_name("prq_upstream_rules", tests, NULL, NULL);
}
