// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * sva_prq_fault.c - Shared Virtual Addressing on an Intel VT-d device with
 * PRI: bind a process's address space, let the device fault a page in
 * through the page request queue (PRQ), then unbind and drain the PASID's
 * requests still in flight. Kernel code modelled:
 * drivers/iommu/iommu-sva.c iommu_sva_bind_device()/unbind,
 * drivers/iommu/intel/prq.c prq_event_thread() and
 * intel_iommu_drain_pasid_prq(), drivers/iommu/io-pgfault.c (the fault
 * workqueue), QEMU hw/i386/intel_iommu.c vtd_pri_request_page() (the
 * device side).
 *
 * Only the installed library: #include <tcesim/tcesim.h>, link with
 * `pkg-config --libs tcesim` or find_package(tcesim).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <tcesim/tcesim.h>

#define APP_VA	0x10000000ULL

struct fx {
	struct tcesim_world *w;
	struct tcesim_iommu *dmar;
	struct tcesim_device *gpu;
	struct tcesim_mm *app;
};

static int setup(void **state)
{
	struct tcesim_iommu_cfg icfg;
	struct tcesim_pci_device_cfg dcfg = { .size = sizeof(dcfg) };
	struct fx *f = calloc(1, sizeof(*f));

	tcesim_thread_enter();
	if (!f || tcesim_world_create(NULL, &f->w))
		return -1;
	tcesim_iommu_cfg_init(&icfg);
	icfg.name = "dmar0";
	icfg.prq_depth = 64;
	tcesim_pci_device_cfg_init(&dcfg);
	dcfg.name = "gpu";
	dcfg.pri = true;			/* a group of its own, PRI capable */
	if (tcesim_iommu_create(f->w, &icfg, &f->dmar) ||
	    tcesim_pci_device_create(f->dmar, &dcfg, &f->gpu) ||
	    tcesim_mm_create(f->w, "app", TCESIM_DEFAULT_MEMLOCK, false, &f->app) ||
	    tcesim_mm_mmap(f->app, APP_VA, 1ULL << 20, TCESIM_PROT_READ | TCESIM_PROT_WRITE, 0))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	tcesim_mm_exit(f->app);
	tcesim_world_destroy(f->w);		/* IOMMUs and devices go with the world */
	free(f);
	tcesim_thread_exit();
	return 0;
}

/* The device's side: one page request (QEMU's vtd_pri_request_page()). */
static int request(struct fx *f, uint32_t pasid, uint64_t addr, uint32_t prg, bool wr,
		   bool last)
{
	struct tcesim_vtd_page_req r = {
		.pasid_present = true, .pasid = pasid, .addr = addr, .prg_index = prg,
		.rd = true, .wr = wr, .lpig = last,
	};

	return tcesim_vtd_pri_request_page(f->gpu, &r);
}

static uint32_t response_code(struct fx *f, uint32_t prg)
{
	struct tcesim_iommu_page_response resp;

	assert_int_equal(tcesim_iommu_device_page_response(f->gpu, prg, &resp), 0);
	return resp.code;
}

static void test_bind_fault_unbind_drain(void **state)
{
	struct fx *f = *state;
	struct tcesim_prq_stats st;
	struct tcesim_page_info pi;
	struct tcesim_iommu_sva *bond;
	uint32_t pasid;
	uint64_t hpa;

	assert_string_equal(tcesim_device_name(f->gpu), "gpu");
	assert_ptr_equal(tcesim_device_iommu(f->gpu), f->dmar);
	assert_true(tcesim_device_pri_enabled(f->gpu));

	/* Bind: the process gets a PASID, attached to the device. */
	assert_int_equal(tcesim_iommu_sva_bind_device(f->gpu, f->app, &bond), 0);
	pasid = tcesim_iommu_sva_get_pasid(bond);
	assert_int_equal(pasid, 1);

	/* A page request group of two; only the last one is answered. */
	assert_int_equal(tcesim_mm_page_query(f->app, APP_VA + 0x1000, &pi, &hpa), 0);
	assert_false(pi.populated);
	assert_int_equal(request(f, pasid, APP_VA, 1, false, false), 0);
	assert_int_equal(request(f, pasid, APP_VA + 0x1000, 1, true, true), 0);
	assert_int_equal(tcesim_prq_pending(f->dmar), 2);
	/* The PRQ thread reports both; the fault workqueue handles the group. */
	assert_int_equal(tcesim_prq_event_thread(f->dmar), 2);
	assert_int_equal(tcesim_prq_flush_faults(f->dmar), 1);	/* one PRI device */
	assert_int_equal(response_code(f, 1), TCESIM_IOMMU_PAGE_RESP_SUCCESS);
	assert_int_equal(tcesim_iommu_device_nr_responses(f->gpu), 1);
	/* handle_mm_fault() populated the page the device asked for */
	assert_int_equal(tcesim_mm_page_query(f->app, APP_VA + 0x1000, &pi, &hpa), 0);
	assert_true(pi.populated);

	/* Requests still in the ring when the driver unbinds the PASID. */
	assert_int_equal(request(f, pasid, APP_VA + 0x4000, 3, true, false), 0);
	assert_int_equal(request(f, pasid, APP_VA + 0x5000, 3, true, true), 0);
	/*
	 * The unbind drains by itself (intel_pasid_tear_down_entry ->
	 * intel_iommu_drain_pasid_prq): it waits for them (runs the PRQ pass
	 * here), then a QI drain.
	 */
	tcesim_iommu_sva_unbind_device(bond);
	assert_int_equal(tcesim_prq_pending(f->dmar), 0);
	/*
	 * The drain runs before the attach handle goes (the blocked domain's
	 * set_dev_pasid, then the PASID array erase): the group is served by
	 * the process, one response.
	 */
	assert_int_equal(response_code(f, 3), TCESIM_IOMMU_PAGE_RESP_SUCCESS);
	assert_int_equal(tcesim_iommu_device_nr_responses(f->gpu), 2);
	assert_int_equal(tcesim_prq_get_stats(f->dmar, &st), 0);
	assert_int_equal(st.qi_drains, 1);
}

/* Errors a driver meets: no flush before the PRQ exists; PASID-less PRI is fine. */
static void test_errors(void **state)
{
	struct fx *f = *state;
	struct tcesim_vtd_page_req r = { .addr = APP_VA, .rd = true, .lpig = true };

	assert_int_equal(tcesim_prq_flush_faults(NULL), -EINVAL);
	assert_int_equal(tcesim_prq_flush_faults(f->dmar), -ENODEV);	/* PRQ not enabled */
	assert_int_equal(tcesim_intel_iommu_enable_prq(f->dmar), 0);
	assert_int_equal(tcesim_prq_flush_faults(f->dmar), 0);		/* no RID handed out */
	/* a page request without PASID is accepted (hardware, QEMU, upstream) */
	assert_int_equal(tcesim_vtd_pri_request_page(f->gpu, &r), 0);
	assert_int_equal(tcesim_prq_pending(f->dmar), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bind_fault_unbind_drain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	};

	return cmocka_run_group_tests_name("sva_prq_fault", tests, NULL, NULL);
}
