// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * phb_ioda2.c - IODA2: PHB3 (POWER8) and PHB4+ (POWER9/10).
 *
 * Models arch/powerpc/platforms/powernv/pci-ioda.c: pnv_ioda2_iommu_ops,
 * pnv_pci_ioda2_tce_invalidate() (every PE on it_group_list),
 * pnv_pci_phb3_tce_invalidate() (kill register regs+0x210, one ONE write
 * per IOMMU page: PPC_BIT(2) | pe & 0xFF | index << shift),
 * pnv_pci_phb3_tce_invalidate_pe() (PPC_BIT(1) | pe), opal_pci_tce_kill()
 * (PHB4: one call per range or PE), and the table group ops
 * pnv_pci_ioda2_ops: create_table, set_window, unset_window,
 * take/release_ownership with two windows per PE (window 1 at 1 << 59).
 * Which kill mechanism is a PHB config field (tcesim_phb_cfg.kill).
 */
#include "ops/phb_internal.h"

static void ioda2_kill_pages(struct tcesim_pe *pe, struct tcesim_iommu_table *tbl,
			     unsigned long index, unsigned long npages)
{
	struct tcesim_phb *phb = pe->phb;

	(void)tbl;
	if (phb->kill == TCESIM_PHB_KILL_PHB3)
		atomic_fetch_add_explicit(&phb->kill_reg_writes, npages, memory_order_relaxed);
	else
		atomic_fetch_add_explicit(&phb->opal_kills, 1, memory_order_relaxed);
	phb_cache_evict_range(phb, pe->pe_number, index, npages);
}

static void ioda2_kill_pe(struct tcesim_pe *pe)
{
	struct tcesim_phb *phb = pe->phb;

	if (phb->kill == TCESIM_PHB_KILL_PHB3)
		atomic_fetch_add_explicit(&phb->kill_reg_writes, 1, memory_order_relaxed);
	else
		atomic_fetch_add_explicit(&phb->opal_kills, 1, memory_order_relaxed);
	phb_cache_evict_pe(phb, pe->pe_number);
}

static int ioda2_set(struct tcesim_iommu_table *tbl, long index, long npages, uint64_t hpa,
		     enum tcesim_dma_data_direction dir)
{
	int ret = tce_build(tbl, index, npages, hpa, dir, true);

	if (!ret)
		phb_tce_invalidate(tbl, (unsigned long)index, (unsigned long)npages);
	return ret;
}

static int ioda2_set_2015(struct tcesim_iommu_table *tbl, long index, long npages,
			  uint64_t hpa, enum tcesim_dma_data_direction dir)
{
	int ret = tce_build(tbl, index, npages, hpa, dir, false);

	if (!ret)
		phb_tce_invalidate(tbl, (unsigned long)index, (unsigned long)npages);
	return ret;
}

/* 2015 pnv_ioda2_tce_xchg_vm: exchange, then invalidate the entry. */
static int ioda2_exchange(struct tcesim_iommu_table *tbl, long index, uint64_t *hpa,
			  enum tcesim_dma_data_direction *dir)
{
	int ret = tce_xchg_slot(tbl, index, hpa, dir, false);

	if (!ret)
		phb_tce_invalidate(tbl, (unsigned long)index, 1);
	return ret;
}

static void ioda2_clear(struct tcesim_iommu_table *tbl, long index, long npages)
{
	tce_free_range(tbl, index, npages);
	phb_tce_invalidate(tbl, (unsigned long)index, (unsigned long)npages);
}

static const struct tcesim_iommu_table_ops ioda2_table_ops = {
	.set = ioda2_set,
	.xchg_no_kill = tce_xchg_pnv,	/* pnv_tce_xchg */
	.tce_kill = phb_tce_invalidate,
	.clear = ioda2_clear,
	.get = tce_get,
	.useraddrptr = tce_useraddrptr,
	.free = tce_free_levels,
};

static const struct tcesim_iommu_table_ops ioda2_table_ops_2015 = {
	.set = ioda2_set_2015,
	.exchange = ioda2_exchange,
	.clear = ioda2_clear,
	.get = tce_get,
	.free = tce_free_levels,
};

/* ------------------------------------------------------ group ops ---- */

static unsigned long ioda2_get_table_size(struct tcesim_pe *pe, unsigned int page_shift,
					  uint64_t window_size, unsigned int levels)
{
	return tcesim_pnv_pci_ioda2_get_table_size(pe->phb->w, page_shift, window_size, levels);
}

static int ioda2_create_table(struct tcesim_pe *pe, unsigned int num, unsigned int page_shift,
			      uint64_t window_size, unsigned int levels,
			      bool alloc_userspace_copy, struct tcesim_iommu_table **out)
{
	struct tcesim_phb *phb = pe->phb;
	struct tcesim_iommu_table *tbl;
	int ret;

	if (num >= TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES || page_shift >= 64 ||
	    !(pe->table_group.pgsizes & (1ULL << page_shift)) ||
	    levels > pe->table_group.max_levels)
		return -EINVAL;
	ret = tce_table_create(phb->w, phb_window_bus_offset(pe, num), page_shift, window_size,
			       levels, alloc_userspace_copy, phb_table_ops(phb), &tbl);
	if (ret)
		return ret;
	tbl->it_index = ((unsigned long)phb->index << 16) | pe->pe_number;
	*out = tbl;
	return 0;
}

static int ioda2_set_window(struct tcesim_pe *pe, unsigned int num,
			    struct tcesim_iommu_table *tbl)
{
	if (pe->table_group.tables[num])
		return -EBUSY;
	if ((tbl->it_offset << tbl->it_page_shift) != phb_window_bus_offset(pe, num))
		return -EINVAL;
	/* Window 1 is TVE#1: programming it replaces the bypass mapping. */
	if (num == 1)
		atomic_store(&pe->bypass, false);
	return phb_link_window(pe, num, tbl);
}

static int ioda2_unset_window(struct tcesim_pe *pe, unsigned int num)
{
	phb_unlink_window(pe, num);
	return 0;
}

static int ioda2_take_ownership(struct tcesim_pe *pe)
{
	struct tcesim_iommu_table *tbl = pe->table_group.tables[0];

	if (!tbl)
		return 0; /* the group is already owned through another device */
	/*
	 * pci-ioda.c pnv_ioda2_take_ownership() does not look at it_map: with
	 * live kernel DMA mappings it unsets window 0 and drops the table all
	 * the same (the driver's bus addresses dangle; iommu_table_free() warns
	 * "Unexpected TCEs" at the last put). quirks=upstream reproduces that;
	 * quirks=safe refuses as iommu_take_ownership() does for the borrowing
	 * ops (documented quirk, docs/FIDELITY.md).
	 */
	if (!tcesim_quirks_upstream(pe->phb->w) && tcesim_iommu_table_in_use(tbl) == 1) {
		tcesim_pr(pe->phb->w, "iommu_tce: it_map is not empty");
		return -EBUSY;
	}
	atomic_store(&pe->bypass, false);
	phb_unlink_window(pe, 0);
	if (pe->dflt == tbl) {
		tcesim_iommu_tce_table_put(tbl);
		pe->dflt = NULL;
	}
	return 0;
}

static int ioda2_release_ownership(struct tcesim_pe *pe)
{
	int ret;

	if (pe->table_group.tables[0])
		return 0;
	/* Rebuild first: on -ENOMEM the PE is left exactly as it was. */
	ret = phb_setup_default_window(pe);
	if (ret)
		return ret;
	/* A window 1 userspace left behind would shadow the bypass (TVE#1). */
	if (pe->table_group.tables[1]) {
		phb_unlink_window(pe, 1);
		if (!pe->nobypass)
			atomic_store(&pe->bypass, true);
	}
	return 0;
}

static const struct tcesim_pe_group_ops ioda2_group_ops = {
	.get_table_size = ioda2_get_table_size,
	.create_table = ioda2_create_table,
	.set_window = ioda2_set_window,
	.unset_window = ioda2_unset_window,
	.take_ownership = ioda2_take_ownership,
	.release_ownership = ioda2_release_ownership,
};

const struct tcesim_phb_ops phb_ioda2_ops = {
	.name = "ioda2",
	.table_ops = &ioda2_table_ops,
	.table_ops_2015 = &ioda2_table_ops_2015,
	.group_ops = &ioda2_group_ops,
	.group_ops_2015 = &spapr_tce_group_ops,
	.kill_pages = ioda2_kill_pages,
	.kill_pe = ioda2_kill_pe,
	.default_pgsizes = TCESIM_PGSIZE_4K | TCESIM_PGSIZE_64K | TCESIM_PGSIZE_16M |
			   TCESIM_PGSIZE_256M,
	.allowed_pgsizes = TCESIM_PGSIZE_4K | TCESIM_PGSIZE_64K | TCESIM_PGSIZE_16M |
			   TCESIM_PGSIZE_256M,
	.iommu_page_shift = 0,
	.max_levels = TCESIM_IOMMU_MAX_LEVELS,
	.max_windows = TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES,
	.has_bypass = true,
};
