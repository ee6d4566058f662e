// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * phb_ioda1.c - IODA1 / P7IOC (POWER7).
 *
 * Models arch/powerpc/platforms/powernv/pci-ioda.c: pnv_ioda1_iommu_ops and
 * pnv_pci_p7ioc_tce_invalidate(). The kill register takes the physical
 * address of TCE slots: start and end slot addresses (end |= 15) are walked
 * in 16-byte steps, so one register write invalidates 2 TCEs. tcesim counts
 * those writes and evicts the entries from the PHB cache of every PE the
 * table is linked to. There is no PE-wide kill. Table group: the borrowing
 * spapr_tce_table_group_ops (4K pages, one window, no DDW).
 */
#include "ops/phb_internal.h"

static void p7ioc_kill_pages(struct tcesim_pe *pe, struct tcesim_iommu_table *tbl,
			     unsigned long index, unsigned long npages)
{
	/* Byte offsets of the first and last slot, as the register sees them. */
	uint64_t start = ((uint64_t)index - tbl->it_offset) * 8;
	uint64_t end = start + ((uint64_t)npages - 1) * 8;
	uint64_t writes;

	if (!npages)
		return;
	start &= ~15ULL;
	end |= 15;
	writes = (end - start) / 16 + 1;
	atomic_fetch_add_explicit(&pe->phb->kill_reg_writes, writes, memory_order_relaxed);
	phb_cache_evict_range(pe->phb, pe->pe_number, index, npages);
}

static int ioda1_set(struct tcesim_iommu_table *tbl, long index, long npages, uint64_t hpa,
		     enum tcesim_dma_data_direction dir)
{
	int ret = tce_build(tbl, index, npages, hpa, dir, true);

	if (!ret)
		phb_tce_invalidate(tbl, (unsigned long)index, (unsigned long)npages);
	return ret;
}

static int ioda1_set_2015(struct tcesim_iommu_table *tbl, long index, long npages,
			  uint64_t hpa, enum tcesim_dma_data_direction dir)
{
	int ret = tce_build(tbl, index, npages, hpa, dir, false);

	if (!ret)
		phb_tce_invalidate(tbl, (unsigned long)index, (unsigned long)npages);
	return ret;
}

/* 2015 pnv_ioda1_tce_xchg_vm: exchange, then invalidate the entry. */
static int ioda1_exchange(struct tcesim_iommu_table *tbl, long index, uint64_t *hpa,
			  enum tcesim_dma_data_direction *dir)
{
	int ret = tce_xchg_slot(tbl, index, hpa, dir, false);

	if (!ret)
		phb_tce_invalidate(tbl, (unsigned long)index, 1);
	return ret;
}

static void ioda1_clear(struct tcesim_iommu_table *tbl, long index, long npages)
{
	tce_free_range(tbl, index, npages);
	phb_tce_invalidate(tbl, (unsigned long)index, (unsigned long)npages);
}

static const struct tcesim_iommu_table_ops ioda1_table_ops = {
	.set = ioda1_set,
	.xchg_no_kill = tce_xchg_pnv,	/* pnv_tce_xchg */
	.tce_kill = phb_tce_invalidate,
	.clear = ioda1_clear,
	.get = tce_get,
	.useraddrptr = tce_useraddrptr,
	.free = tce_free_levels,
};

static const struct tcesim_iommu_table_ops ioda1_table_ops_2015 = {
	.set = ioda1_set_2015,
	.exchange = ioda1_exchange,
	.clear = ioda1_clear,
	.get = tce_get,
	.free = tce_free_levels,
};

const struct tcesim_phb_ops phb_ioda1_ops = {
	.name = "ioda1",
	.table_ops = &ioda1_table_ops,
	.table_ops_2015 = &ioda1_table_ops_2015,
	.group_ops = &spapr_tce_group_ops,
	.group_ops_2015 = &spapr_tce_group_ops,
	.kill_pages = p7ioc_kill_pages,
	.kill_pe = NULL,
	.default_pgsizes = TCESIM_PGSIZE_4K,
	.allowed_pgsizes = TCESIM_PGSIZE_4K,
	.iommu_page_shift = 12,
	.max_levels = 1,
	.max_windows = 0,
	.has_bypass = false,
};
