// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_sva_upstream_rules.c - rules of src/sva checked against upstream's
 * code (v6.12+, the modern flavour; legacy_2024 where the era differs),
 * one test per discrepancy the fidelity audit found:
 *  - iommu_attach_handle_get() (drivers/iommu/iommu.c) answers -ENOENT for
 *    any PASID nothing is attached at, above 20 bits too;
 *  - iommu_replace_device_pasid() (drivers/iommu/iommu.c) checks only the
 *    new domain's set_dev_pasid for -EOPNOTSUPP, not the driver's blocked
 *    domain: on an IOMMU without one the empty slot gives -EINVAL;
 *  - iommu_alloc_mm_data() (drivers/iommu/iommu-sva.c) publishes the
 *    process's PASID before anything else of iommu_sva_bind_device() can
 *    fail, and no error path takes it back;
 *  - iommu_report_device_fault() (drivers/iommu/io-pgfault.c) retires every
 *    page request without a handler with an INVALID response
 *    (iopf_error_response()), non-last ones included.
 *
 * Each test builds its own small world; the end checks that no PASID and
 * no model allocation is left once the processes exited.
 */
#include "tcesim_test.h"

#include <stdio.h>

#include <tcesim/sva.h>

#define VA 0x10000000ull

struct fx {
	struct test_world *tw;
	struct tcesim_world *w;
	struct tcesim_iommu *iommu;	/* full-featured: blocked domain, SVA */
	struct tcesim_device *dev;	/* on @iommu, own group, PRI */
	struct tcesim_mm *mm[8];
	int nmm;
};

static struct tcesim_iommu *mkiommu(struct fx *f, const char *name, bool no_sva,
				    bool no_blocked)
{
	struct tcesim_iommu_cfg c;
	struct tcesim_iommu *i;

	tcesim_iommu_cfg_init(&c);
	c.name = name;
	c.no_sva = no_sva;
	c.no_blocked_domain = no_blocked;
	assert_errno(tcesim_iommu_create(f->w, &c, &i), 0);
	return i;
}

static struct tcesim_device *mkdev(struct tcesim_iommu *iommu, const char *name,
				   uint32_t max_pasids, bool pri)
{
	struct tcesim_pci_device_cfg c;
	struct tcesim_device *d;

	tcesim_pci_device_cfg_init(&c);
	c.name = name;
	c.max_pasids = max_pasids;
	c.pri = pri;
	assert_errno(tcesim_pci_device_create(iommu, &c, &d), 0);
	return d;
}

static struct tcesim_mm *mkmm(struct fx *f, const char *name)
{
	struct tcesim_mm *mm;

	assert_true(f->nmm < 8);
	assert_errno(tcesim_mm_create(f->w, name, TCESIM_DEFAULT_MEMLOCK, false, &mm), 0);
	assert_errno(tcesim_mm_mmap(mm, VA, 1 << 20, TCESIM_PROT_READ | TCESIM_PROT_WRITE, 12), 0);
	f->mm[f->nmm++] = mm;
	return mm;
}

static int setup_of(void **state, enum tcesim_flavour flavour)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->tw = test_world_new_of(flavour, TCESIM_QUIRKS_SAFE, 0);
	f->w = f->tw->w;
	f->iommu = mkiommu(f, "dmar0", false, false);
	f->dev = mkdev(f->iommu, "dev0", TCESIM_PDEV_MAX_PASIDS_DEFAULT, true);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_of(state, TCESIM_FLAVOUR_MODERN);
}

static int setup_legacy(void **state)
{
	return setup_of(state, TCESIM_FLAVOUR_LEGACY_2024);
}

static int teardown(void **state)
{
	struct fx *f = *state;

	(void)tcesim_iopf_queue_flush_dev(f->dev);
	(void)tcesim_iopf_queue_discard_partial(f->dev);
	for (int i = 0; i < f->nmm; i++)
		tcesim_mm_exit(f->mm[i]);
	tcesim_rcu_barrier();
	assert_int_equal(tcesim_iommu_global_pasids_in_use(f->w), 0);
	test_world_free(f->tw);
	free(f);
	return 0;
}

/* ------------------------------------------- iommu_replace_device_pasid --- */

/*
 * Upstream: !group -ENODEV; !domain->ops->set_dev_pasid -EOPNOTSUPP;
 * incompatible, PASID 0 or no handle -EINVAL; then the xa_cmpxchg finds the
 * slot empty: -EINVAL. The blocked domain is attach's requirement only.
 * Before the fix the model answered -EOPNOTSUPP on such an IOMMU.
 */
static void test_replace_without_blocked_domain_is_einval(void **state)
{
	struct fx *f = *state;
	struct tcesim_iommu *nb = mkiommu(f, "noblk", false, true);
	struct tcesim_device *d = mkdev(nb, "nbdev", TCESIM_PDEV_MAX_PASIDS_DEFAULT, false);
	struct tcesim_iommu_domain *dom, *nop;
	struct tcesim_iommu_attach_handle h = { 0 }, *got;

	assert_errno(tcesim_iommu_domain_alloc(nb, TCESIM_IOMMU_DOMAIN_UNMANAGED, 0, &dom), 0);
	assert_errno(tcesim_iommu_domain_alloc(nb, TCESIM_IOMMU_DOMAIN_UNMANAGED,
					       TCESIM_DOMAIN_F_NO_SET_DEV_PASID, &nop), 0);
	/* attach does need the blocked domain (its revert path) */
	assert_errno(tcesim_iommu_attach_device_pasid(dom, d, 1, &h), -EOPNOTSUPP);
	/* replace: nothing is attached, so "not a replace case" */
	assert_errno(tcesim_iommu_replace_device_pasid(dom, d, 1, &h), -EINVAL);
	assert_errno(tcesim_iommu_replace_device_pasid(dom, d, 0xfffff, &h), -EINVAL);
	/* the domain's own set_dev_pasid is still checked first */
	assert_errno(tcesim_iommu_replace_device_pasid(nop, d, 1, &h), -EOPNOTSUPP);
	assert_null(h.domain);
	assert_errno(tcesim_iommu_attach_handle_get(tcesim_device_iommu_group(d), 1, 0, &got),
		     -ENOENT);
	tcesim_iommu_domain_free(dom);
	tcesim_iommu_domain_free(nop);
}

/* --------------------------------------------- iommu_attach_handle_get --- */

/*
 * Upstream takes any u32 PASID and answers -ENOENT where nothing is
 * stored, IOMMU_PASID_INVALID and values above 20 bits included. Before
 * the fix the model answered -EINVAL above 20 bits.
 */
static void test_attach_handle_get_any_pasid_enoent(void **state)
{
	struct fx *f = *state;
	struct tcesim_iommu_group *g = tcesim_device_iommu_group(f->dev);
	struct tcesim_iommu_attach_handle *got = NULL;

	assert_errno(tcesim_iommu_attach_handle_get(g, 1u << 20, 0, &got), -ENOENT);
	assert_errno(tcesim_iommu_attach_handle_get(g, TCESIM_IOMMU_PASID_INVALID,
						    TCESIM_IOMMU_DOMAIN_SVA, &got), -ENOENT);
	assert_errno(tcesim_iommu_attach_handle_get(g, (1u << 20) - 1, 0, &got), -ENOENT);
	assert_null(got);
	assert_errno(tcesim_iommu_attach_handle_get(NULL, 1, 0, &got), -EINVAL);
}

/* ------------------------------------------------ failed first bind --- */

/*
 * A first bind that fails after iommu_alloc_mm_data() (here: the IOMMU has
 * no domain_alloc_sva) leaves the process with its PASID: a second process
 * gets the next one, a device with fewer PASIDs then says -EOVERFLOW (not
 * -ENOSPC), and a later bind on a good device reuses the PASID. Before the
 * fix the model gave the PASID back at once.
 */
static void test_failed_first_bind_keeps_pasid(void **state)
{
	struct fx *f = *state;
	struct tcesim_iommu *ns = mkiommu(f, "nosva", true, false);
	struct tcesim_device *nsdev = mkdev(ns, "nsdev", TCESIM_PDEV_MAX_PASIDS_DEFAULT, false);
	struct tcesim_device *one = mkdev(f->iommu, "one", 1, false);
	struct tcesim_mm *p = mkmm(f, "p"), *q = mkmm(f, "q");
	struct tcesim_iommu_sva *hp = NULL, *hq = NULL;

	assert_errno(tcesim_iommu_sva_bind_device(nsdev, p, &hp), -EOPNOTSUPP);
	assert_null(hp);
	assert_int_equal(tcesim_iommu_global_pasids_in_use(f->w), 1);
	assert_errno(tcesim_iommu_sva_bind_device(f->dev, q, &hq), 0);
	assert_int_equal(tcesim_iommu_sva_get_pasid(hq), 2);
	/* p's PASID 1 does not fit a device of max_pasids 1 */
	assert_errno(tcesim_iommu_sva_bind_device(one, p, &hp), -EOVERFLOW);
	/* a failed bind of a process that has a PASID allocates none */
	assert_int_equal(tcesim_iommu_global_pasids_in_use(f->w), 2);
	assert_errno(tcesim_iommu_sva_bind_device(f->dev, p, &hp), 0);
	assert_int_equal(tcesim_iommu_sva_get_pasid(hp), 1);
	tcesim_iommu_sva_unbind_device(hp);
	tcesim_iommu_sva_unbind_device(hq);
	/* unbind keeps both PASIDs; the processes' exit (teardown) frees them */
	assert_int_equal(tcesim_iommu_global_pasids_in_use(f->w), 2);
}

/*
 * The same through the -EBUSY path: the process's PASID slot holds another
 * domain; the bind fails, the PASID stays the process's, and once the slot
 * is free the process binds with that PASID.
 */
static void test_failed_first_bind_ebusy_keeps_pasid(void **state)
{
	struct fx *f = *state;
	struct tcesim_iommu_group *g = tcesim_device_iommu_group(f->dev);
	struct tcesim_iommu_domain *dom;
	struct tcesim_iommu_attach_handle h = { 0 }, *got;
	struct tcesim_mm *p = mkmm(f, "p");
	struct tcesim_iommu_sva *hp = NULL;

	assert_errno(tcesim_iommu_domain_alloc(f->iommu, TCESIM_IOMMU_DOMAIN_UNMANAGED, 0, &dom), 0);
	assert_errno(tcesim_iommu_attach_device_pasid(dom, f->dev, 1, &h), 0);
	assert_errno(tcesim_iommu_sva_bind_device(f->dev, p, &hp), -EBUSY);
	assert_int_equal(tcesim_iommu_global_pasids_in_use(f->w), 1);
	/* the failed bind left the slot as it was */
	assert_errno(tcesim_iommu_attach_handle_get(g, 1, 0, &got), 0);
	assert_ptr_equal(got, &h);
	assert_errno(tcesim_iommu_detach_device_pasid(dom, f->dev, 1), 0);
	assert_errno(tcesim_iommu_sva_bind_device(f->dev, p, &hp), 0);
	assert_int_equal(tcesim_iommu_sva_get_pasid(hp), 1);
	assert_int_equal(tcesim_iommu_global_pasids_in_use(f->w), 1);
	tcesim_iommu_sva_unbind_device(hp);
	tcesim_iommu_domain_free(dom);
}

/*
 * Each allocation of a first bind failed in turn, a fresh process each
 * time: the mm data (no PASID yet), then the handle, the SVA domain, the
 * PASID array leaf and the device's PASID table leaf, each after
 * iommu_alloc_mm_data() published the process's PASID. Every failure
 * leaves nothing attached and the process its PASID; before the fix the
 * model gave each PASID back.
 */
static void test_failed_first_bind_fail_nth_keeps_only_pasid(void **state)
{
	struct fx *f = *state;
	struct tcesim_iommu_group *g = tcesim_device_iommu_group(f->dev);
	struct tcesim_iommu_attach_handle *got;
	struct tcesim_iommu_sva *h = NULL;
	char name[24];
	int ret = -ENOMEM;
	unsigned long n;

	for (n = 1; ret; n++) {
		struct tcesim_mm *p;

		snprintf(name, sizeof(name), "p%lu", n);
		p = mkmm(f, name);
		tcesim_world_inject_fail_alloc(f->w, n);
		ret = tcesim_iommu_sva_bind_device(f->dev, p, &h);
		tcesim_world_inject_fail_alloc(f->w, 0);
		if (!ret)
			break;
		assert_errno(ret, -ENOMEM);
		/* attempts 2.. each left one PASID: 1, 2, ... */
		assert_int_equal(tcesim_iommu_global_pasids_in_use(f->w), (long)n - 1);
		if (n > 1)
			assert_errno(tcesim_iommu_attach_handle_get(g, (uint32_t)n - 1, 0, &got),
				     -ENOENT);
	}
	assert_int_equal(n, 6);
	assert_int_equal(tcesim_iommu_sva_get_pasid(h), 5);
	tcesim_iommu_sva_unbind_device(h);
}

/* ------------------------------------------------------ page faults --- */

static struct tcesim_iommu_fault fault(uint32_t pasid, uint32_t grpid, bool last)
{
	struct tcesim_iommu_fault flt = {
		.flags = TCESIM_IOMMU_FAULT_PAGE_REQUEST_PASID_VALID |
			 TCESIM_IOMMU_FAULT_PAGE_RESPONSE_NEEDS_PASID,
		.pasid = pasid,
		.grpid = grpid,
		.perm = TCESIM_IOMMU_FAULT_PERM_READ,
		.addr = VA,
	};

	if (last)
		flt.flags |= TCESIM_IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE;
	return flt;
}

/*
 * v6.11+: find_fault_handler() runs before the partial-list step, and its
 * failure goes to err_bad_iopf, which answers every page request INVALID.
 * Before the fix the model answered only a LAST_PAGE request.
 */
static void test_iopf_nonlast_without_handler_answered_invalid(void **state)
{
	struct fx *f = *state;
	struct tcesim_device *nopri = mkdev(f->iommu, "nopri", TCESIM_PDEV_MAX_PASIDS_DEFAULT,
					    false);
	struct tcesim_iommu_page_response r;
	struct tcesim_iommu_fault flt = fault(5, 3, false);

	/* PASID 5: nothing attached */
	assert_errno(tcesim_iommu_report_device_fault(f->dev, &flt), -EINVAL);
	assert_int_equal(tcesim_iommu_device_nr_responses(f->dev), 1);
	assert_errno(tcesim_iommu_device_page_response(f->dev, 3, &r), 0);
	assert_int_equal(r.code, TCESIM_IOMMU_PAGE_RESP_INVALID);
	assert_int_equal(r.pasid, 5);
	assert_true(r.pasid_valid);
	assert_int_equal(tcesim_iopf_nr_partial(f->dev), 0);
	/* the group's last request is answered on its own too */
	flt = fault(5, 3, true);
	assert_errno(tcesim_iommu_report_device_fault(f->dev, &flt), -EINVAL);
	assert_int_equal(tcesim_iommu_device_nr_responses(f->dev), 2);
	/* a device on no iopf queue: same path (WARN, err_bad_iopf) */
	flt = fault(5, 4, false);
	assert_errno(tcesim_iommu_report_device_fault(nopri, &flt), -EINVAL);
	assert_int_equal(tcesim_iommu_device_nr_responses(nopri), 1);
}

/* With a handler, a non-last request still waits silently for its group. */
static void test_iopf_nonlast_with_handler_not_answered(void **state)
{
	struct fx *f = *state;
	struct tcesim_mm *p = mkmm(f, "p");
	struct tcesim_iommu_sva *hp;
	struct tcesim_iommu_page_response r;
	struct tcesim_iommu_fault flt;
	uint32_t pasid;

	assert_errno(tcesim_iommu_sva_bind_device(f->dev, p, &hp), 0);
	pasid = tcesim_iommu_sva_get_pasid(hp);
	flt = fault(pasid, 6, false);
	assert_errno(tcesim_iommu_report_device_fault(f->dev, &flt), 0);
	assert_int_equal(tcesim_iommu_device_nr_responses(f->dev), 0);
	assert_int_equal(tcesim_iopf_nr_partial(f->dev), 1);
	flt = fault(pasid, 6, true);
	assert_errno(tcesim_iommu_report_device_fault(f->dev, &flt), 0);
	assert_errno(tcesim_iopf_queue_flush_dev(f->dev), 0);
	assert_int_equal(tcesim_iommu_device_nr_responses(f->dev), 1);
	assert_errno(tcesim_iommu_device_page_response(f->dev, 6, &r), 0);
	assert_int_equal(r.code, TCESIM_IOMMU_PAGE_RESP_SUCCESS);
	tcesim_iommu_sva_unbind_device(hp);
}

/* legacy_2024 (v6.8-v6.10) answered only the last request of a group. */
static void test_iopf_legacy_2024_nonlast_not_answered(void **state)
{
	struct fx *f = *state;
	struct tcesim_iommu_fault flt = fault(5, 3, false);

	assert_errno(tcesim_iommu_report_device_fault(f->dev, &flt), -EINVAL);
	assert_int_equal(tcesim_iommu_device_nr_responses(f->dev), 0);
	flt = fault(5, 3, true);
	assert_errno(tcesim_iommu_report_device_fault(f->dev, &flt), -EINVAL);
	assert_int_equal(tcesim_iommu_device_nr_responses(f->dev), 1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
#define TL(fn) cmocka_unit_test_setup_teardown(fn, setup_legacy, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_replace_without_blocked_domain_is_einval),
		T(test_attach_handle_get_any_pasid_enoent),
		T(test_failed_first_bind_keeps_pasid),
		TL(test_failed_first_bind_keeps_pasid),
		T(test_failed_first_bind_ebusy_keeps_pasid),
		T(test_failed_first_bind_fail_nth_keeps_only_pasid),
		T(test_iopf_nonlast_without_handler_answered_invalid),
		T(test_iopf_nonlast_with_handler_not_answered),
		TL(test_iopf_legacy_2024_nonlast_not_answered),
	};

	return cmocka_run_group_tests_name("sva_upstream_rules", tests, NULL, NULL);
}
