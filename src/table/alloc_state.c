// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * alloc_state.c - read-only views of the DMA-API allocator of a TCE table:
 * pools, hints, reserved range, block size and the it_map bitmap (issue 8
 * point 2), so a test can compare the allocator with upstream's
 * arch/powerpc/kernel/iommu.c state without knowing tcesim's layout.
 *
 * Reads only; the writers are in iommu.c. Bits are atomic words (iommu.c
 * "Invariants"); hints are read under their pool lock.
 */
#include "table/table_internal.h"

#define BITS_PER_WORD (8 * sizeof(unsigned long))

static void pool_read(struct tce_pool *p, struct tcesim_iommu_pool_info *out)
{
	tcesim_spin_lock(&p->lock);
	out->start = p->start;
	out->end = p->end;
	out->hint = p->hint;
	tcesim_spin_unlock(&p->lock);
}

TCESIM_EXPORT int tcesim_iommu_get_alloc_state(struct tcesim_iommu_table *tbl,
					       struct tcesim_iommu_alloc_state *out)
{
	unsigned long i;

	if (!tbl || !out)
		return -EINVAL;
	if (!tbl->it_map)
		return -ENODEV;
	memset(out, 0, sizeof(*out));
	out->it_offset = tbl->it_offset;
	out->it_size = tbl->it_size;
	out->it_blocksize = tbl->it_blocksize;
	out->poolsize = tbl->poolsize;
	out->nr_pools = tbl->nr_pools;
	/* the ownership lock order: large pool, then pools[0..] */
	tcesim_spin_lock(&tbl->large_pool.lock);
	out->it_reserved_start = tbl->it_reserved_start;
	out->it_reserved_end = tbl->it_reserved_end;
	out->large_pool.start = tbl->large_pool.start;
	out->large_pool.end = tbl->large_pool.end;
	out->large_pool.hint = tbl->large_pool.hint;
	tcesim_spin_unlock(&tbl->large_pool.lock);
	for (i = 0; i < tbl->nr_pools && i < TCESIM_IOMMU_NR_POOLS; i++)
		pool_read(&tbl->pools[i], &out->pools[i]);
	return 0;
}

static bool map_bit(_Atomic unsigned long *map, uint64_t i)
{
	unsigned long w = atomic_load_explicit(&map[i / BITS_PER_WORD], memory_order_relaxed);

	return (w >> (i % BITS_PER_WORD)) & 1;
}

TCESIM_EXPORT int tcesim_iommu_map_test(struct tcesim_iommu_table *tbl, uint64_t index)
{
	_Atomic unsigned long *map;

	if (!tbl || index >= tbl->it_size)
		return -EINVAL;
	map = tbl->it_map;
	if (!map)
		return -ENODEV;
	return map_bit(map, index);
}

TCESIM_EXPORT long tcesim_iommu_map_weight(struct tcesim_iommu_table *tbl, uint64_t index,
					   uint64_t n)
{
	_Atomic unsigned long *map;
	long count = 0;

	if (!tbl || index > tbl->it_size || n > tbl->it_size - index)
		return -EINVAL;
	map = tbl->it_map;
	if (!map)
		return -ENODEV;
	for (uint64_t i = index; i < index + n; i++)
		count += map_bit(map, i);
	return count;
}
