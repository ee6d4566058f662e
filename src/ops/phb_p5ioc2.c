// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * phb_p5ioc2.c - P5IOC2 (POWER5/6 I/O controller): TCE storage only.
 *
 * Models arch/powerpc/platforms/powernv/pci-p5ioc2.c as of seed 000 (April
 * 2015): pnv_p5ioc2_iommu_ops = { set = pnv_tce_build, exchange =
 * pnv_tce_xchg, clear = pnv_tce_free, get = pnv_tce_get }. No TCE cache is
 * modelled and nothing is ever invalidated; 4K IOMMU pages, one
 * single-level 32-bit window, no DDW. Linux removed the variant in Feb 2016
 * (2de50e9674fc), so the modern flavour has no ops and tcesim_phb_create()
 * refuses it with -ENODEV. 2015 TCEs do not force R with W.
 */
#include "ops/phb_internal.h"

static int p5ioc2_set(struct tcesim_iommu_table *tbl, long index, long npages, uint64_t hpa,
		      enum tcesim_dma_data_direction dir)
{
	return tce_build(tbl, index, npages, hpa, dir, false);
}

static int p5ioc2_exchange(struct tcesim_iommu_table *tbl, long index, uint64_t *hpa,
			   enum tcesim_dma_data_direction *dir)
{
	return tce_xchg_slot(tbl, index, hpa, dir, false);
}

static const struct tcesim_iommu_table_ops p5ioc2_table_ops_2015 = {
	.set = p5ioc2_set,
	.exchange = p5ioc2_exchange,
	.clear = tce_free_range,
	.get = tce_get,
	.free = tce_free_levels,
};

const struct tcesim_phb_ops phb_p5ioc2_ops = {
	.name = "p5ioc2",
	.table_ops = NULL,
	.table_ops_2015 = &p5ioc2_table_ops_2015,
	.group_ops = &spapr_tce_group_ops,
	.group_ops_2015 = &spapr_tce_group_ops,
	.kill_pages = NULL,
	.kill_pe = NULL,
	.default_pgsizes = TCESIM_PGSIZE_4K,
	.allowed_pgsizes = TCESIM_PGSIZE_4K,
	.iommu_page_shift = 12,
	.max_levels = 1,
	.max_windows = 0,
	.has_bypass = false,
};
