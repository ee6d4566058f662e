// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_vfio_owner_steal.c - a device-level DMA-owner release under a VFIO
 * container's feet (found by fuzz_scenario, leak reported by LeakSanitizer).
 *
 * iommu_device_release_dma_owner() trusts its caller ("Caller must be a
 * probed driver on dev"): a release on a device of a group a v1 container
 * owns drops the container's claim and gives the kernel a new default
 * window (pnv_ioda2_release_ownership). The container's first MAP then
 * creates its default window, set_window finds window 0 taken (-EBUSY) and
 * tce_iommu_create_window()'s unset_exit unsets every group's window 0,
 * the kernel's table included, without a put. Upstream leaks that table.
 * The model used to lose it too (the PE's next default table replaced the
 * reference); now the stale reference is dropped and the world ends with
 * no live allocation (test_world_free() checks it).
 */
#include "tcesim_test.h"

#define RAM_VA	0x10000000ULL

/* Whether window 0 of @pe holds a table (the reference taken is put). */
static bool has_window0(struct tcesim_pe *pe)
{
	struct tcesim_iommu_table *t;

	if (tcesim_pe_get_table(pe, 0, &t))
		return false;
	tcesim_iommu_tce_table_put(t);
	return true;
}

static void test_release_under_container_then_claim(void **state)
{
	struct test_world *tw;
	struct tcesim_phb_cfg pcfg;
	struct tcesim_pe_cfg ecfg;
	struct tcesim_phb *phb;
	struct tcesim_pe *pe;
	struct tcesim_pci_dev *dev;
	struct tcesim_mm *mm;
	struct tcesim_tce_container *c;
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m), .flags = VFIO_DMA_MAP_FLAG_READ, .vaddr = RAM_VA,
		.iova = 0, .size = 4096,
	};
	int owner;

	(void)state;
	tw = test_world_new(NULL);
	assert_int_equal(tcesim_mm_create(tw->w, "qemu", 1ULL << 30, false, &mm), 0);
	assert_int_equal(tcesim_mm_mmap(mm, RAM_VA, 1 << 20, TCESIM_PROT_READ |
					TCESIM_PROT_WRITE, 0), 0);
	tcesim_phb_cfg_init(&pcfg, TCESIM_PHB_IODA2);
	assert_int_equal(tcesim_phb_create(tw->w, &pcfg, &phb), 0);
	tcesim_pe_cfg_init(&ecfg);
	ecfg.dma32_size = 32ULL << 20;
	assert_int_equal(tcesim_pe_create(phb, &ecfg, &pe), 0);
	assert_int_equal(tcesim_pci_dev_create(pe, "d0", 64, &dev), 0);
	assert_int_equal(tcesim_tce_iommu_open(tw->w, VFIO_SPAPR_TCE_IOMMU, &c), 0);
	assert_int_equal(tcesim_tce_iommu_attach_group(c, pe), 0);
	assert_errno(tcesim_tce_iommu_ioctl(c, mm, VFIO_IOMMU_ENABLE, 0), 0);
	assert_true(tcesim_pe_dma_owner_claimed(pe));
	/* the misuse: the group goes back to the kernel with a new window 0 */
	tcesim_pci_dev_release_dma_owner(dev);
	assert_false(tcesim_pe_dma_owner_claimed(pe));
	assert_true(has_window0(pe));
	/* the container's default window cannot take window 0 */
	assert_errno(tcesim_tce_iommu_ioctl(c, mm, VFIO_IOMMU_MAP_DMA, (unsigned long)(uintptr_t)&m),
		     -EBUSY);
	assert_false(has_window0(pe)); /* unset_exit took the kernel's, as upstream */
	assert_int_equal(tcesim_pci_dev_claim_dma_owner(dev, &owner), 0);
	tcesim_pci_dev_release_dma_owner(dev);
	/* the group's default window is whole again, and only one table lives */
	assert_true(has_window0(pe));
	tcesim_tce_iommu_release(c);
	tcesim_rcu_barrier();
	assert_int_equal(tcesim_mm_locked_vm(mm), 0);
	tcesim_mm_exit(mm);
	test_world_free(tw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_release_under_container_then_claim),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
