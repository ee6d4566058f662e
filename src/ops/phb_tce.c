// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * phb_tce.c - the TCE operation wrappers every user of a table goes
 * through: exchange without kill, kill, exchange (2015), get/set/clear,
 * with the old page's dirtying (arch/powerpc/kernel/iommu.c:
 * iommu_tce_xchg_no_kill(), iommu_tce_kill(), iommu_tce_xchg() of 2015;
 * powernv pnv_tce_xchg()). The fast path takes no lock. Layer 0 of the
 * order atop phb_internal.h.
 */
#include <stdio.h>

#include "ops/phb_internal.h"

/* ------------------------------------------------- TCE op wrappers ----- */

static int check_entry_args(struct tcesim_iommu_table *tbl, uint64_t entry, uint64_t npages)
{
	if (!tbl || !tce_entry_in_table(tbl, entry, npages))
		return -EINVAL;
	return 0;
}

/*
 * The argument checks of both exchange wrappers, as one branch: every
 * failure is -EINVAL. tce_entry_in_table1() is tce_entry_in_table(.., 1).
 */
static inline int check_xchg_args(struct tcesim_iommu_table *tbl, uint64_t entry,
				  uint64_t *hpa, enum tcesim_dma_data_direction *dir)
{
	if (tcesim_unlikely(!hpa || !dir || !tbl || !tce_entry_in_table1(tbl, entry) ||
			    (unsigned int)*dir > TCESIM_DMA_NONE ||
			    /* pnv_tce_xchg BUG_ON(*hpa & ~IOMMU_PAGE_MASK(tbl)) */
			    (*hpa & tbl->it_page_mask)))
		return -EINVAL;
	return 0;
}

/* iommu_tce_xchg*(): only an old FROM_DEVICE/BIDIRECTIONAL page is dirtied. */
static inline bool old_dir_dirties(enum tcesim_dma_data_direction dir)
{
	return dir == TCESIM_DMA_FROM_DEVICE || dir == TCESIM_DMA_BIDIRECTIONAL;
}

/*
 * The dirtying half of iommu_tce_xchg*(), called only when the old
 * direction was FROM_DEVICE or BIDIRECTIONAL. Return: 0 (for tail calls).
 */
__attribute__((noinline))
static int dirty_old_page(struct tcesim_mm *mm, struct tcesim_iommu_table *tbl, uint64_t hpa)
{
	bool (*is_devmem)(struct tcesim_mm *mm, uint64_t hpa, unsigned int page_shift);
	struct ops_state *st;

	/* mm_iommu_is_devmem(): device memory has no struct page to dirty */
	if (mm) {
		st = tcesim_world_slot_peek(tbl->w, TCESIM_SLOT_OPS);
		if (st) {
			is_devmem = __atomic_load_n(&st->is_devmem, __ATOMIC_ACQUIRE);
			if (is_devmem && is_devmem(mm, hpa, tbl->it_page_shift))
				return 0;
		}
	}
	tcesim_set_page_dirty(tbl->w, hpa);
	return 0;
}

/* iommu_tce_xchg_no_kill() through it_ops (checked arguments). */
__attribute__((noinline))
static int xchg_no_kill_ops(struct tcesim_mm *mm, struct tcesim_iommu_table *tbl, uint64_t entry,
			    uint64_t *hpa, enum tcesim_dma_data_direction *dir)
{
	int ret;

	if (!tbl->it_ops->xchg_no_kill)
		return -EINVAL;
	ret = tbl->it_ops->xchg_no_kill(tbl, (long)entry, hpa, dir);
	if (!ret && old_dir_dirties(*dir))
		dirty_old_page(mm, tbl, *hpa);
	return ret;
}

/*
 * pnv_tce_xchg on @slot, then the dirtying test: the new TCE is hpa | perm
 * with W stored as W|R; the old direction is FROM_DEVICE or BIDIRECTIONAL
 * (old_dir_dirties) iff the old TCE has W.
 */
static inline int xchg_pnv_at(struct tcesim_mm *mm, struct tcesim_iommu_table *tbl,
			      _Atomic uint64_t *slot, uint64_t *hpa,
			      enum tcesim_dma_data_direction *dir)
{
	/* only for it_xchg_direct tables, never explored (tce_table_create) */
	uint64_t old = tce_xchg_in(false, slot, *hpa | tce_perm_pnv(*dir));

	*hpa = old & ~TCESIM_TCE_PERM_MASK;
	*dir = tce_perm_to_dir(old);
	if (tcesim_unlikely(old & TCESIM_TCE_PCI_WRITE))
		return dirty_old_page(mm, tbl, *hpa);
	return 0;
}

/* tce_xchg_pnv on a multi-level table, inline but for the walk (checked arguments). */
__attribute__((noinline))
static int xchg_pnv_walk(struct tcesim_mm *mm, struct tcesim_iommu_table *tbl, uint64_t entry,
			 uint64_t *hpa, enum tcesim_dma_data_direction *dir)
{
	_Atomic uint64_t *slot = tce_slot_fast(tbl, (long)entry, *dir != TCESIM_DMA_NONE);

	if (tcesim_unlikely(!slot)) {
		if (*dir != TCESIM_DMA_NONE)
			return -ENOMEM; /* nothing changed */
		/* Q10: "was empty"; *dir stays DMA_NONE, nothing allocated. */
		*hpa = 0;
		return 0;
	}
	return xchg_pnv_at(mm, tbl, slot, hpa, dir);
}

/*
 * The TCE fast path. When the table's xchg_no_kill is tce_xchg_pnv
 * (it_xchg_direct), pnv_tce_xchg is written out here, on
 * it_base[entry - it_offset] for a one-level table (entry checked), after
 * the level walk otherwise. Any other op (the test mock) is called through
 * it_ops.
 */
TCESIM_EXPORT int tcesim_iommu_tce_xchg_no_kill(struct tcesim_mm *mm,
						struct tcesim_iommu_table *tbl, uint64_t entry,
						uint64_t *hpa,
						enum tcesim_dma_data_direction *dir)
{
	if (check_xchg_args(tbl, entry, hpa, dir))
		return -EINVAL;
	if (tcesim_unlikely(!tbl->it_xchg_direct))
		return xchg_no_kill_ops(mm, tbl, entry, hpa, dir);
	if (tcesim_unlikely(tbl->it_indirect_levels))
		return xchg_pnv_walk(mm, tbl, entry, hpa, dir);
	return xchg_pnv_at(mm, tbl, &tbl->it_base[entry - tbl->it_offset], hpa, dir);
}

TCESIM_EXPORT int tcesim_iommu_tce_xchg(struct tcesim_iommu_table *tbl, uint64_t entry,
					uint64_t *hpa, enum tcesim_dma_data_direction *dir)
{
	int ret = check_xchg_args(tbl, entry, hpa, dir);

	if (ret)
		return ret;
	if (legacy_2015(tbl->w)) {
		if (!tbl->it_ops->exchange)
			return -EINVAL;
		ret = tbl->it_ops->exchange(tbl, (long)entry, hpa, dir);
		if (!ret && old_dir_dirties(*dir))
			dirty_old_page(NULL, tbl, *hpa);
		return ret;
	}
	ret = tcesim_iommu_tce_xchg_no_kill(NULL, tbl, entry, hpa, dir);
	if (!ret && tbl->it_ops->tce_kill)
		tbl->it_ops->tce_kill(tbl, (unsigned long)entry, 1);
	return ret;
}

TCESIM_EXPORT int tcesim_iommu_tce_kill(struct tcesim_iommu_table *tbl, uint64_t entry,
					unsigned long npages)
{
	if (check_entry_args(tbl, entry, npages))
		return -EINVAL;
	if (tbl->it_ops->tce_kill)
		tbl->it_ops->tce_kill(tbl, (unsigned long)entry, npages);
	return 0;
}

TCESIM_EXPORT int tcesim_iommu_tce_get(struct tcesim_iommu_table *tbl, uint64_t entry,
				       uint64_t *tce)
{
	if (!tce || check_entry_args(tbl, entry, 1))
		return -EINVAL;
	*tce = tbl->it_ops->get(tbl, (long)entry);
	return 0;
}

TCESIM_EXPORT int tcesim_iommu_tce_set(struct tcesim_iommu_table *tbl, uint64_t entry,
				       unsigned long npages, uint64_t hpa,
				       enum tcesim_dma_data_direction dir)
{
	/* npages 0: pnv_tce_build() writes nothing and returns 0 (then the kill) */
	if (check_entry_args(tbl, entry, npages) ||
	    (unsigned int)dir >= TCESIM_DMA_NONE ||
	    !TCESIM_IS_ALIGNED(hpa, 1ULL << tbl->it_page_shift))
		return -EINVAL;
	return tbl->it_ops->set(tbl, (long)entry, (long)npages, hpa, dir);
}

TCESIM_EXPORT int tcesim_iommu_tce_clear(struct tcesim_iommu_table *tbl, uint64_t entry,
					 unsigned long npages)
{
	if (check_entry_args(tbl, entry, npages))
		return -EINVAL;
	tbl->it_ops->clear(tbl, (long)entry, (long)npages);
	return 0;
}
