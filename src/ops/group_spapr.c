// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * group_spapr.c - the "borrowing" table group ops: one fixed window 0 whose
 * table the kernel DMA API and VFIO share by ownership of its bitmap.
 *
 * Models arch/powerpc/kernel/iommu.c: spapr_tce_table_group_ops (2022),
 * used by IODA1 and pseries, and the 2015-era ownership of every variant
 * (iommu_take_ownership on the table, no DDW). Caller holds phb->lock.
 */
#include "ops/phb_internal.h"

static unsigned long spapr_tce_get_table_size(struct tcesim_pe *pe, unsigned int page_shift,
					      uint64_t window_size, unsigned int levels)
{
	(void)pe;
	if (levels > 1)
		return ~0U;
	if (page_shift < 3 || page_shift >= 64)
		return 0;
	return (unsigned long)(window_size >> (page_shift - 3));
}

static int spapr_tce_create_table(struct tcesim_pe *pe, unsigned int num,
				  unsigned int page_shift, uint64_t window_size,
				  unsigned int levels, bool alloc_userspace_copy,
				  struct tcesim_iommu_table **out)
{
	struct tcesim_iommu_table *tbl = pe->table_group.tables[0];

	(void)alloc_userspace_copy;
	if (num > 0)
		return -EPERM;
	if (!tbl)
		return -ENOENT;
	if (tbl->it_page_shift != page_shift || page_shift >= 64 ||
	    tbl->it_size != (window_size >> page_shift) ||
	    tbl->it_indirect_levels + 1 != levels)
		return -EINVAL;
	*out = tcesim_iommu_tce_table_get(tbl);
	return *out ? 0 : -ENOENT;
}

static int spapr_tce_set_window(struct tcesim_pe *pe, unsigned int num,
				struct tcesim_iommu_table *tbl)
{
	return (num == 0 && tbl == pe->table_group.tables[0]) ? 0 : -EPERM;
}

static int spapr_tce_unset_window(struct tcesim_pe *pe, unsigned int num)
{
	(void)pe;
	(void)num;
	return 0;
}

static int spapr_tce_take_ownership(struct tcesim_pe *pe)
{
	struct tcesim_iommu_table_group *tg = &pe->table_group;
	int i, j, rc = 0;

	for (i = 0; i < TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES; i++) {
		struct tcesim_iommu_table *tbl = tg->tables[i];

		if (!tbl || !tbl->it_map)
			continue;
		rc = tcesim_iommu_take_ownership(tbl);
		if (!rc)
			continue;
		/* Undo the tables already taken. */
		for (j = 0; j < i; j++)
			if (tg->tables[j] && tg->tables[j]->it_map)
				tcesim_iommu_release_ownership(tg->tables[j]);
		return rc;
	}
	return 0;
}

static int spapr_tce_release_ownership(struct tcesim_pe *pe)
{
	struct tcesim_iommu_table_group *tg = &pe->table_group;
	int i;

	for (i = 0; i < TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES; i++) {
		struct tcesim_iommu_table *tbl = tg->tables[i];

		if (!tbl)
			continue;
		/* iommu_table_clear(): userspace may have left TCEs behind. */
		tbl->it_ops->clear(tbl, (long)tbl->it_offset, (long)tbl->it_size);
		if (tbl->it_map)
			tcesim_iommu_release_ownership(tbl);
	}
	return 0;
}

const struct tcesim_pe_group_ops spapr_tce_group_ops = {
	.get_table_size = spapr_tce_get_table_size,
	.create_table = spapr_tce_create_table,
	.set_window = spapr_tce_set_window,
	.unset_window = spapr_tce_unset_window,
	.take_ownership = spapr_tce_take_ownership,
	.release_ownership = spapr_tce_release_ownership,
};
