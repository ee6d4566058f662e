// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_inspect.c - the inspection doors of issue 9, black box (public API
 * only): tcesim/phb_inspect.h, tcesim_alloc_pages(), tcesim/sva_inspect.h,
 * tcesim_prq_flush_faults() (also exercised by examples/c). NULL and
 * out-of-range arguments are clean errors; asking changes nothing.
 */
#include "tcesim_test.h"

static struct tcesim_world *world(void)
{
	struct tcesim_world *w;

	assert_int_equal(tcesim_world_create(NULL, &w), 0);
	return w;
}

static void test_phb_names_links_cache(void **state)
{
	struct tcesim_world *w = world();
	struct tcesim_phb_cfg pcfg;
	struct tcesim_pe_cfg ecfg;
	struct tcesim_phb *phb, *p7;
	struct tcesim_pe *pe;
	struct tcesim_pci_dev *dev;
	struct tcesim_iommu_table *tbl;
	struct tcesim_phb_stats a, b;
	uint64_t hpa = 0x200000, tce, before;
	enum tcesim_dma_data_direction dir = TCESIM_DMA_BIDIRECTIONAL;
	unsigned char byte;

	(void)state;
	tcesim_phb_cfg_init(&pcfg, TCESIM_PHB_IODA2);
	pcfg.name = "phbA";
	assert_int_equal(tcesim_phb_create(w, &pcfg, &phb), 0);
	tcesim_phb_cfg_init(&pcfg, TCESIM_PHB_IODA1);
	assert_int_equal(tcesim_phb_create(w, &pcfg, &p7), 0);
	tcesim_pe_cfg_init(&ecfg);
	ecfg.name = "grp";
	ecfg.dma32_size = 32ULL << 20;
	assert_int_equal(tcesim_pe_create(phb, &ecfg, &pe), 0);
	assert_int_equal(tcesim_pci_dev_create(pe, "d0", 64, &dev), 0);

	assert_string_equal(tcesim_phb_name(phb), "phbA");
	assert_string_equal(tcesim_pe_name(pe), "grp");
	assert_string_equal(tcesim_pci_dev_name(dev), "d0");
	assert_ptr_equal(tcesim_pe_phb(pe), phb);
	assert_ptr_equal(tcesim_pe_phb(tcesim_pci_dev_pe(dev)), phb);
	assert_true(tcesim_phb_has_tce_cache(phb));
	assert_true(tcesim_phb_has_tce_cache(p7));
	assert_int_equal(tcesim_phb_pgsizes(phb), TCESIM_PGSIZE_4K | TCESIM_PGSIZE_64K |
						  TCESIM_PGSIZE_16M | TCESIM_PGSIZE_256M);
	assert_int_equal(tcesim_phb_pgsizes(p7), TCESIM_PGSIZE_4K);
	assert_null(tcesim_phb_name(NULL));
	assert_null(tcesim_pe_name(NULL));
	assert_null(tcesim_pe_phb(NULL));
	assert_null(tcesim_pci_dev_name(NULL));
	assert_false(tcesim_phb_has_tce_cache(NULL));
	assert_int_equal(tcesim_phb_pgsizes(NULL), 0);

	/* the cache peek: empty, then what a device DMA filled, never counted */
	assert_int_equal(tcesim_pe_get_table(pe, 0, &tbl), 0);
	assert_int_equal(tcesim_phb_tce_cache_lookup(pe, 0, 2, &tce), -ENOENT);
	assert_int_equal(tcesim_iommu_tce_xchg(tbl, 2, &hpa, &dir), 0);
	assert_int_equal(tcesim_pci_dev_dma_read(dev, 0x2000, &byte, 1), 0);
	assert_int_equal(tcesim_phb_get_stats(phb, &a), 0);
	tce = 0;
	assert_int_equal(tcesim_phb_tce_cache_lookup(pe, 0, 2, &tce), 0);
	assert_int_equal(tce, 0x200000 | TCESIM_TCE_PCI_READ | TCESIM_TCE_PCI_WRITE);
	assert_int_equal(tcesim_phb_tce_cache_lookup(pe, 1, 2, &tce), -ENOENT); /* window 1 */
	assert_int_equal(tcesim_phb_get_stats(phb, &b), 0);
	assert_memory_equal(&a, &b, sizeof(a));		/* no hit/miss counted */
	before = tce;
	assert_int_equal(tcesim_phb_tce_cache_lookup(pe, TCESIM_PE_MAX_WINDOWS, 2, &tce), -EINVAL);
	assert_int_equal(tcesim_phb_tce_cache_lookup(NULL, 0, 2, &tce), -EINVAL);
	assert_int_equal(tcesim_phb_tce_cache_lookup(pe, 0, 2, NULL), -EINVAL);
	assert_int_equal(tce, before);			/* untouched on error */
	assert_int_equal(tcesim_iommu_tce_kill(tbl, 2, 1), 0);
	assert_int_equal(tcesim_phb_tce_cache_lookup(pe, 0, 2, &tce), -ENOENT);

	hpa = 0;
	dir = TCESIM_DMA_NONE;
	assert_int_equal(tcesim_iommu_tce_xchg(tbl, 2, &hpa, &dir), 0);
	tcesim_iommu_tce_table_put(tbl);
	tcesim_pci_dev_destroy(dev);
	tcesim_pe_destroy(pe);
	tcesim_phb_destroy(p7);
	tcesim_phb_destroy(phb);
	tcesim_world_destroy(w);
}

static void test_alloc_pages(void **state)
{
	struct tcesim_world *w = world();
	struct tcesim_page_info pi;
	uint64_t a = 0, b = 0, c = 7;

	(void)state;
	assert_int_equal(tcesim_alloc_pages(w, 0, &a), 0);
	assert_int_equal(tcesim_alloc_pages(w, 3, &b), 0);
	assert_int_equal(a & 0xfff, 0);
	assert_int_equal(b & ((8ULL << 12) - 1), 0);		/* naturally aligned */
	assert_true(b >= a + 0x1000 || b + (8ULL << 12) <= a);	/* no overlap */
	assert_int_equal(tcesim_page_query(w, b + 0x3000, &pi), 0);
	assert_int_equal(pi.pins, 0);
	assert_false(pi.dirty);
	assert_true(pi.populated);
	assert_int_equal(pi.compound_shift, 12 + 3);
	/* MAX_PAGE_ORDER (12 at 4K): 16 MiB is the largest block */
	assert_int_equal(tcesim_alloc_pages(w, 12, &b), 0);
	assert_int_equal(tcesim_alloc_pages(w, 13, &c), -ENOMEM);
	assert_int_equal(tcesim_world_set_max_page_order(w, 13), 0);
	assert_int_equal(tcesim_alloc_pages(w, 13, &b), 0);
	assert_int_equal(tcesim_world_set_max_page_order(w, 40), 0);
	assert_int_equal(tcesim_alloc_pages(w, 40, &c), -ENOMEM);	/* beyond RAM */
	assert_int_equal(tcesim_alloc_pages(w, 63, &c), -ENOMEM);	/* no overflow */
	assert_int_equal(tcesim_alloc_pages(w, 200, &c), -ENOMEM);
	assert_int_equal(c, 7);					/* untouched on error */
	assert_int_equal(tcesim_alloc_pages(NULL, 0, &c), -EINVAL);
	assert_int_equal(tcesim_alloc_pages(w, 0, NULL), -EINVAL);
	tcesim_world_destroy(w);
}

static void test_sva_views(void **state)
{
	struct tcesim_world *w = world();
	struct tcesim_iommu_cfg icfg;
	struct tcesim_pci_device_cfg dcfg;
	struct tcesim_iommu *iommu;
	struct tcesim_device *dev, *plain;
	struct tcesim_iommu_domain *paging, *blocked;

	(void)state;
	tcesim_iommu_cfg_init(&icfg);
	icfg.name = "dmar3";
	assert_int_equal(tcesim_iommu_create(w, &icfg, &iommu), 0);
	tcesim_pci_device_cfg_init(&dcfg);
	dcfg.name = "nic";
	dcfg.max_pasids = 64;
	dcfg.pri = true;
	assert_int_equal(tcesim_pci_device_create(iommu, &dcfg, &dev), 0);
	tcesim_pci_device_cfg_init(&dcfg);
	dcfg.name = "plain";
	assert_int_equal(tcesim_pci_device_create(iommu, &dcfg, &plain), 0);

	assert_string_equal(tcesim_iommu_name(iommu), "dmar3");
	assert_string_equal(tcesim_device_name(dev), "nic");
	assert_string_equal(tcesim_iommu_group_name(tcesim_device_iommu_group(dev)), "nic");
	assert_ptr_equal(tcesim_device_iommu(dev), iommu);
	assert_int_equal(tcesim_device_max_pasids(dev), 64);
	assert_true(tcesim_device_pri_enabled(dev));
	assert_false(tcesim_device_pri_enabled(plain));
	assert_null(tcesim_iommu_name(NULL));
	assert_null(tcesim_iommu_group_name(NULL));
	assert_null(tcesim_device_name(NULL));
	assert_null(tcesim_device_iommu(NULL));
	assert_int_equal(tcesim_device_max_pasids(NULL), 0);
	assert_false(tcesim_device_pri_enabled(NULL));

	assert_int_equal(tcesim_iommu_domain_alloc(iommu, TCESIM_IOMMU_DOMAIN_UNMANAGED, 0,
						   &paging), 0);
	assert_int_equal(tcesim_iommu_blocked_domain(iommu, &blocked), 0);
	assert_true(tcesim_iommu_domain_user_owned(paging));
	assert_false(tcesim_iommu_domain_user_owned(blocked));
	assert_false(tcesim_iommu_domain_user_owned(NULL));
	assert_int_equal(tcesim_iommu_attach_device_pasid(paging, dev, 5, NULL), 0);
	assert_int_equal(tcesim_iommu_detach_device_pasid(paging, dev, 5), 0);
	tcesim_iommu_attach_handle_sync();	/* then the domain may go */
	tcesim_iommu_domain_free(paging);
	tcesim_world_destroy(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_phb_names_links_cache),
		cmocka_unit_test(test_alloc_pages),
		cmocka_unit_test(test_sva_views),
	};

	tcesim_thread_enter();
	return cmocka_run_group_tests_name("api/inspect", tests, NULL, NULL);
}
