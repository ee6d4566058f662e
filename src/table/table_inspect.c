// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * table_inspect.c - read-only views of a table's storage: the raw
 * big-endian slot of an entry and which level blocks exist (issue 8.3), so
 * a test can compare storage byte for byte without the digest.
 *
 * What it models: the walk of arch/powerpc/platforms/powernv/pci-ioda-tce.c
 * pnv_tce(tbl, user, idx, alloc=false): from the top block down, one slot
 * per level (level it_indirect_levels is the top block, level 0 the leaf
 * blocks that hold the TCEs), an intermediate slot being 0 or
 * __pa(next block) | TCE_PCI_READ | TCE_PCI_WRITE.
 *
 * Concurrency: intermediate slots are read with acquire loads (they pair
 * with the release CAS that installs a level, table.c); a published slot
 * never changes while the table lives, so a walk needs no lock. Leaf slots
 * are read with relaxed loads (a concurrent exchange is seen or not).
 */
#include "table/table_internal.h"

#define TCE_RW (TCESIM_TCE_PCI_READ | TCESIM_TCE_PCI_WRITE)

static _Atomic uint64_t *top_block(struct tcesim_iommu_table *tbl, bool user)
{
	return user ? tbl->it_userspace : tbl->it_base;
}

/* The block of @level covering relative entry @idx, or NULL when missing. */
static _Atomic uint64_t *walk_to(struct tcesim_iommu_table *tbl, bool user, uint64_t idx,
				 unsigned int level)
{
	_Atomic uint64_t *blk = top_block(tbl, user);
	unsigned int l;

	for (l = tbl->it_indirect_levels; blk && l > level; l--) {
		uint64_t n = (idx >> (l * tbl->it_level_shift)) & (tbl->it_level_size - 1);
		/* acquire: pairs with the release CAS of tce_install_chain() */
		uint64_t v = be64toh(atomic_load_explicit(&blk[n], memory_order_acquire));

		blk = v ? (_Atomic uint64_t *)(uintptr_t)(v & ~(uint64_t)TCE_RW) : NULL;
	}
	return blk;
}

static bool view_ok(const struct tcesim_iommu_table *tbl, bool user)
{
	return tbl && (!user || tbl->it_userspace);
}

TCESIM_EXPORT int tcesim_pnv_tce_raw(struct tcesim_iommu_table *tbl, bool user, uint64_t entry,
				     uint64_t *raw)
{
	_Atomic uint64_t *blk;
	uint64_t idx;

	if (!view_ok(tbl, user) || !raw || !tce_entry_in_table1(tbl, entry))
		return -EINVAL;
	idx = entry - tbl->it_offset;
	blk = walk_to(tbl, user, idx, 0);
	if (!blk) {
		*raw = 0;
		return -ENOENT;
	}
	/* the stored bytes, no be64toh(): what the hardware reads */
	*raw = atomic_load_explicit(&blk[idx & (tbl->it_level_size - 1)], memory_order_relaxed);
	return 0;
}

TCESIM_EXPORT int tcesim_pnv_tce_level_allocated(struct tcesim_iommu_table *tbl, bool user,
						 uint64_t entry, unsigned int level)
{
	if (!view_ok(tbl, user) || !tce_entry_in_table1(tbl, entry) ||
	    level > tbl->it_indirect_levels)
		return -EINVAL;
	return walk_to(tbl, user, entry - tbl->it_offset, level) != NULL;
}

static long count_blocks(const struct tcesim_iommu_table *tbl, _Atomic uint64_t *blk,
			 unsigned int l, unsigned int level)
{
	uint64_t i;
	long n = 0;

	if (l == level)
		return 1;
	for (i = 0; i < tbl->it_level_size; i++) {
		uint64_t v = be64toh(atomic_load_explicit(&blk[i], memory_order_acquire));

		if (v)
			n += count_blocks(tbl, (_Atomic uint64_t *)(uintptr_t)(v & ~(uint64_t)TCE_RW),
					  l - 1, level);
	}
	return n;
}

TCESIM_EXPORT long tcesim_pnv_tce_level_blocks(struct tcesim_iommu_table *tbl, bool user,
					       unsigned int level)
{
	if (!view_ok(tbl, user) || level > tbl->it_indirect_levels)
		return -EINVAL;
	return count_blocks(tbl, top_block(tbl, user), tbl->it_indirect_levels, level);
}
