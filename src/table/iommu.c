// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iommu.c - the kernel DMA-API allocator of a TCE table, table ownership and
 * the pre-2015 locked build/clear path.
 *
 * Models arch/powerpc/kernel/iommu.c: iommu_init_table, iommu_range_alloc,
 * iommu_alloc, __iommu_free, iommu_table_in_use, iommu_take_ownership,
 * iommu_release_ownership, iommu_tce_build/iommu_clear_tce (<= v4.1).
 *
 * Invariants: a bitmap bit is set iff its entry is allocated to the DMA API,
 * reserved (entry 0 when it_offset is 0, the MMIO32 hole) or the table is
 * owned by userspace (all bits set). Bits of [pool.start, pool.end) change
 * only under that pool's spinlock; they are atomic words because pool
 * boundaries need not be word aligned and in_use() reads without locks.
 * Lock order: large_pool.lock, then pools[0..nr_pools-1].lock (ownership);
 * everything else holds one pool lock at a time.
 */
#include <limits.h>

#include "table/table_internal.h"

#define BITS_PER_WORD (8 * sizeof(unsigned long))

/* The calling thread's simulated CPU (per-CPU pool hash). */
static _Thread_local unsigned int tce_current_cpu;

TCESIM_EXPORT void tcesim_iommu_set_current_cpu(unsigned int cpu)
{
	tce_current_cpu = cpu;
}

/* include/linux/hash.h: hash_32(val, bits) with GOLDEN_RATIO_32. */
static unsigned int pool_hash(unsigned int cpu)
{
	return (unsigned int)((cpu * 0x61C88647u) >> (32 - TCESIM_IOMMU_POOL_HASHBITS));
}

/* ------------------------------------------------------------ bitmap -- */

static void bm_set(_Atomic unsigned long *map, unsigned long start, unsigned long n)
{
	unsigned long i;

	for (i = start; i < start + n; i++)
		atomic_fetch_or_explicit(&map[i / BITS_PER_WORD], 1UL << (i % BITS_PER_WORD),
					 memory_order_relaxed);
}

static void bm_clear(_Atomic unsigned long *map, unsigned long start, unsigned long n)
{
	unsigned long i;

	for (i = start; i < start + n; i++)
		atomic_fetch_and_explicit(&map[i / BITS_PER_WORD], ~(1UL << (i % BITS_PER_WORD)),
					  memory_order_relaxed);
}

/* First index in [start, size) whose bit equals @val, else size. */
static unsigned long bm_find(_Atomic unsigned long *map, unsigned long size, unsigned long start,
			     bool val)
{
	unsigned long i = start;

	while (i < size) {
		unsigned long w = atomic_load_explicit(&map[i / BITS_PER_WORD],
						       memory_order_relaxed);

		if (!val)
			w = ~w;
		w &= ~0UL << (i % BITS_PER_WORD);
		if (w) {
			i = (i & ~(BITS_PER_WORD - 1)) + (unsigned long)__builtin_ctzl(w);
			return i < size ? i : size;
		}
		i = (i & ~(BITS_PER_WORD - 1)) + BITS_PER_WORD;
	}
	return size;
}

/* lib/bitmap.c: bitmap_find_next_zero_area_off() with offset 0. */
static unsigned long bm_find_zero_area(_Atomic unsigned long *map, unsigned long size,
				       unsigned long start, unsigned long nr,
				       unsigned long align_mask)
{
	unsigned long index, end, i;

	for (;;) {
		index = bm_find(map, size, start, false);
		index = (index + align_mask) & ~align_mask;
		end = index + nr;
		if (end > size)
			return end;
		i = bm_find(map, end, index, true);
		if (i < end) {
			start = i + 1;
			continue;
		}
		return index;
	}
}

/*
 * lib/iommu-helper.c: iommu_area_alloc() (shift = it_offset). "We don't
 * want the last of the limit": upstream searches [start, size - 1), so the
 * last entry below the limit is never handed out. The caller refuses
 * @nr > @boundary_size first (upstream loops forever there: see
 * range_alloc_check_boundary()).
 */
static long iommu_area_alloc(_Atomic unsigned long *map, unsigned long size,
			     unsigned long start, unsigned long nr, unsigned long shift,
			     unsigned long boundary_size, unsigned long align_mask)
{
	unsigned long index;

	/* tcesim: a zero limit (empty pool) would wrap to ULONG_MAX upstream */
	if (size == 0)
		return -1;
	size -= 1;
	for (;;) {
		index = bm_find_zero_area(map, size, start, nr, align_mask);
		if (index >= size)
			return -1;
		/* iommu_is_span_boundary() */
		if (((shift + index) & (boundary_size - 1)) + nr > boundary_size) {
			start = TCESIM_ALIGN_UP(shift + index, boundary_size) - shift;
			continue;
		}
		bm_set(map, index, nr);
		return (long)index;
	}
}

/* ------------------------------------------------------------ init ---- */

/* iommu_table_reserve_pages(); caller owns the bitmap (init or all locks). */
static void reserve_pages(struct tcesim_iommu_table *tbl, uint64_t res_start, uint64_t res_end)
{
	/* WARN_ON_ONCE(res_end < res_start): then nothing is reserved below */
	if (res_end < res_start)
		tcesim_pr(tbl->w, "WARNING: iommu_table_reserve_pages: res_end 0x%llx < res_start 0x%llx",
			  (unsigned long long)res_end, (unsigned long long)res_start);
	if (tbl->it_offset == 0)
		bm_set(tbl->it_map, 0, 1);
	if (res_start < tbl->it_offset)
		res_start = tbl->it_offset;
	if (res_end > tbl->it_offset + tbl->it_size)
		res_end = tbl->it_offset + tbl->it_size;
	if (res_start >= res_end) {
		tbl->it_reserved_start = tbl->it_offset;
		tbl->it_reserved_end = tbl->it_offset;
		return;
	}
	tbl->it_reserved_start = res_start;
	tbl->it_reserved_end = res_end;
	bm_set(tbl->it_map, res_start - tbl->it_offset, res_end - res_start);
}

TCESIM_EXPORT int tcesim_iommu_init_table(struct tcesim_iommu_table *tbl, uint64_t res_start,
					  uint64_t res_end)
{
	unsigned long words, i;
	_Atomic unsigned long *map;

	if (!tbl || !tbl->it_ops || tbl->it_map)
		return -EINVAL;
	words = (tbl->it_size + BITS_PER_WORD - 1) / BITS_PER_WORD;
	map = tcesim_zalloc(tbl->w, words * sizeof(*map));
	if (!map) {
		tcesim_pr(tbl->w, "iommu_init_table: Can't allocate %lu bytes",
			  words * (unsigned long)sizeof(*map));
		return -ENOMEM;
	}
	tbl->it_map = map;
	tbl->it_map_words = words;
	reserve_pages(tbl, res_start, res_end);

	tbl->nr_pools = (tbl->it_size << tbl->it_page_shift) >= (1ULL << 30) ?
				TCESIM_IOMMU_NR_POOLS : 1;
	tbl->poolsize = (tbl->it_size * 3 / 4) / tbl->nr_pools;
	for (i = 0; i < tbl->nr_pools; i++) {
		tbl->pools[i].start = tbl->poolsize * i;
		tbl->pools[i].hint = tbl->pools[i].start;
		tbl->pools[i].end = tbl->pools[i].start + tbl->poolsize;
	}
	tbl->large_pool.start = tbl->poolsize * i;
	tbl->large_pool.hint = tbl->large_pool.start;
	tbl->large_pool.end = tbl->it_size;

	/* iommu_table_clear(): the non-kdump case. */
	tbl->it_ops->clear(tbl, (long)tbl->it_offset, (long)tbl->it_size);
	return 0;
}

/* ------------------------------------------------------- range alloc -- */

/*
 * dma_get_seg_boundary_nr_pages() (include/linux/dma-mapping.h): the
 * device's segment boundary mask in IOMMU pages, (mask >> shift) + 1.
 */
static unsigned long seg_boundary_nr_pages(uint64_t seg_boundary_mask, unsigned int page_shift)
{
	return (unsigned long)((seg_boundary_mask >> page_shift) + 1);
}

/*
 * More pages than one segment: every candidate spans a boundary, and
 * iommu_area_alloc()'s retry start ALIGN(shift + index, boundary) - shift
 * equals index once index is aligned, so upstream loops forever with the
 * pool lock held. tcesim refuses (both quirk modes: a hang cannot be
 * observed usefully); quirks=upstream says what the kernel would do.
 */
static bool range_alloc_check_boundary(struct tcesim_iommu_table *tbl, unsigned long npages,
				       unsigned long boundary_size)
{
	if (npages <= boundary_size)
		return true;
	tcesim_pr(tbl->w, "iommu_alloc: %lu pages exceed the segment boundary of %lu pages%s",
		  npages, boundary_size,
		  tcesim_quirks_upstream(tbl->w) ? " (upstream: iommu_area_alloc loops forever)" :
						   "");
	return false;
}

/*
 * iommu_alloc() and __iommu_free() take npages as unsigned int (so do
 * iommu_map_page(), iommu_unmap_page() and iommu_area_alloc()'s nr): a
 * count of 2^32 pages or more reaches the allocator truncated, so upstream
 * maps or frees fewer pages than asked (2^32 + 2 -> 2, 2^32 -> 0: the
 * npages == 0 WARN). quirks=upstream reproduces the truncation; quirks=safe
 * refuses (documented quirk, docs/FIDELITY.md). Return: false to refuse.
 */
static bool npages_as_uint(struct tcesim_iommu_table *tbl, unsigned long *npages,
			   const char *fn)
{
	if (*npages <= UINT_MAX)
		return true;
	if (tcesim_quirks_upstream(tbl->w)) {
		*npages = (unsigned int)*npages;
		return true;
	}
	tcesim_pr(tbl->w, "%s: npages %lu does not fit upstream's unsigned int (it would "
		  "truncate to %u): refused", fn, *npages, (unsigned int)*npages);
	return false;
}

static unsigned long iommu_range_alloc(struct tcesim_iommu_table *tbl, bool fail_iommu,
				       unsigned long npages, uint64_t dma_mask,
				       unsigned int align_order, uint64_t seg_boundary_mask)
{
	unsigned long n, end, start, limit, boundary_size, align_mask, mask;
	unsigned int pool_nr, pass = 0;
	bool largealloc = npages > 15;
	struct tce_pool *pool;

	if (!npages) {
		tcesim_pr(tbl->w, "WARNING: iommu_range_alloc: npages == 0");
		return TCESIM_DMA_MAPPING_ERROR;
	}
	if (fail_iommu)
		return TCESIM_DMA_MAPPING_ERROR;
	/*
	 * Upstream's (1ull << align_order) - 1 is undefined from 64 on (on
	 * ppc64 sld gives 0, a mask of all ones that aligns every index to 0,
	 * and the search spins while bit 0 is set). No alignment of 2^64
	 * pages can be met: refused in both quirk modes.
	 */
	if (align_order >= 64) {
		tcesim_pr(tbl->w, "iommu_alloc: align_order %u: 1ull << %u is undefined "
			  "(upstream: no index can be aligned)", align_order, align_order);
		return TCESIM_DMA_MAPPING_ERROR;
	}
	align_mask = (1UL << align_order) - 1;
	mask = (unsigned long)(dma_mask >> tbl->it_page_shift);
	boundary_size = seg_boundary_nr_pages(seg_boundary_mask, tbl->it_page_shift);
	if (!range_alloc_check_boundary(tbl, npages, boundary_size))
		return TCESIM_DMA_MAPPING_ERROR;

	/*
	 * No entry of the table is reachable. Upstream's limit = mask -
	 * it_offset + 1 wraps (to 0 or near 2^64) and iommu_area_alloc()
	 * searches past it_map: tcesim refuses (documented quirk).
	 */
	if (mask < tbl->it_offset) {
		tcesim_pr(tbl->w, "iommu_alloc: DMA mask 0x%llx is below the window (first entry "
			  "0x%llx): refused%s", (unsigned long long)dma_mask,
			  (unsigned long long)tbl->it_offset,
			  tcesim_quirks_upstream(tbl->w) ?
				  " (upstream: the limit wraps, the search runs past it_map)" : "");
		return TCESIM_DMA_MAPPING_ERROR;
	}
	/*
	 * The CPU's hash pool number even for a large allocation: when the
	 * large pool is full the fallback walks the small pools from it
	 * (iommu_range_alloc: pool_nr = raw_cpu_read(iommu_pool_hash) & ...).
	 */
	pool_nr = pool_hash(tce_current_cpu) & (unsigned int)(tbl->nr_pools - 1);
	if (largealloc)
		pool = &tbl->large_pool;
	else
		pool = &tbl->pools[pool_nr];
	tcesim_spin_lock(&pool->lock);

again:
	start = pool->hint;
	limit = pool->end;
	if (start >= limit)
		start = pool->start;
	if (limit + tbl->it_offset > mask) {
		limit = mask - tbl->it_offset + 1;
		/* The mask is below this pool: fall back to pool 0. */
		if ((start & mask) >= limit || pass > 0) {
			tcesim_spin_unlock(&pool->lock);
			pool = &tbl->pools[0];
			tcesim_spin_lock(&pool->lock);
			start = pool->start;
		} else {
			start &= mask;
		}
	}

	n = (unsigned long)iommu_area_alloc(tbl->it_map, limit, start, npages, tbl->it_offset,
					    boundary_size, align_mask);
	if (n == (unsigned long)-1) {
		if (pass == 0) {
			/* First try the pool from the start. */
			pool->hint = pool->start;
			pass++;
			goto again;
		} else if (pass <= tbl->nr_pools) {
			/* Then every other small pool. */
			tcesim_spin_unlock(&pool->lock);
			pool_nr = (pool_nr + 1) & (unsigned int)(tbl->nr_pools - 1);
			pool = &tbl->pools[pool_nr];
			tcesim_spin_lock(&pool->lock);
			pool->hint = pool->start;
			pass++;
			goto again;
		} else if (pass == tbl->nr_pools + 1) {
			/* Last resort: the large pool. */
			tcesim_spin_unlock(&pool->lock);
			pool = &tbl->large_pool;
			tcesim_spin_lock(&pool->lock);
			pool->hint = pool->start;
			pass++;
			goto again;
		}
		tcesim_spin_unlock(&pool->lock);
		return TCESIM_DMA_MAPPING_ERROR;
	}

	end = n + npages;
	if (largealloc)
		pool->hint = end;
	else
		pool->hint = TCESIM_ALIGN_UP(end, tbl->it_blocksize);
	tcesim_spin_unlock(&pool->lock);
	return n;
}

/* get_pool(): the pool owning relative entry @entry. */
static struct tce_pool *get_pool(struct tcesim_iommu_table *tbl, unsigned long entry)
{
	if (entry >= tbl->large_pool.start)
		return &tbl->large_pool;
	return &tbl->pools[entry / tbl->poolsize];
}

/* __iommu_free() with iommu_free_check(). */
static int iommu_free_range(struct tcesim_iommu_table *tbl, uint64_t dma, unsigned long npages)
{
	uint64_t entry = dma >> tbl->it_page_shift;
	uint64_t free_entry = entry - tbl->it_offset;
	struct tce_pool *pool;

	if (!tbl->it_map)
		return -EINVAL;
	if (!npages_as_uint(tbl, &npages, "iommu_free"))
		return -EINVAL;
	/* iommu_free_check(); npages > it_size: tcesim's guard of the sum */
	if (entry < tbl->it_offset || free_entry + npages > tbl->it_size ||
	    npages > tbl->it_size) {
		tcesim_pr(tbl->w, "iommu_free: invalid entry");
		tcesim_pr(tbl->w, "\tentry     = 0x%llx", (unsigned long long)entry);
		tcesim_pr(tbl->w, "\tdma_addr  = 0x%llx", (unsigned long long)dma);
		tcesim_pr(tbl->w, "\tTable     = 0x%llx", (unsigned long long)(uintptr_t)tbl);
		tcesim_pr(tbl->w, "\tbus#      = 0x%llx", 0ULL);
		tcesim_pr(tbl->w, "\tsize      = 0x%llx", (unsigned long long)tbl->it_size);
		tcesim_pr(tbl->w, "\tstartOff  = 0x%llx", (unsigned long long)tbl->it_offset);
		tcesim_pr(tbl->w, "\tindex     = 0x%llx", (unsigned long long)tbl->it_index);
		tcesim_pr(tbl->w, "WARNING: iommu_free_check: invalid entry");
		return -EINVAL;
	}
	tbl->it_ops->clear(tbl, (long)entry, (long)npages);
	pool = get_pool(tbl, (unsigned long)free_entry);
	tcesim_spin_lock(&pool->lock);
	bm_clear(tbl->it_map, (unsigned long)free_entry, npages);
	tcesim_spin_unlock(&pool->lock);
	return 0;
}

uint64_t tce_iommu_alloc(struct tcesim_iommu_table *tbl, bool fail_iommu, uint64_t hpa,
			 unsigned long npages, enum tcesim_dma_data_direction dir,
			 uint64_t dma_mask, unsigned int align_order, uint64_t seg_boundary_mask)
{
	unsigned long entry;
	uint64_t dma;

	if (!tbl || !tbl->it_map || (unsigned int)dir > TCESIM_DMA_NONE)
		return TCESIM_DMA_MAPPING_ERROR;
	/*
	 * iommu_map_page() and ppc_iommu_map_sg(): BUG_ON(direction ==
	 * DMA_NONE), before any allocation (iommu_alloc_coherent() always
	 * maps DMA_BIDIRECTIONAL): no DMA-API mapping has no permission.
	 */
	if (dir == TCESIM_DMA_NONE) {
		tcesim_pr(tbl->w, "kernel BUG: iommu_map_page: direction == DMA_NONE: refused");
		return TCESIM_DMA_MAPPING_ERROR;
	}
	if (!npages_as_uint(tbl, &npages, "iommu_alloc"))
		return TCESIM_DMA_MAPPING_ERROR;
	entry = iommu_range_alloc(tbl, fail_iommu, npages, dma_mask, align_order,
				  seg_boundary_mask);
	if (entry == TCESIM_DMA_MAPPING_ERROR)
		return TCESIM_DMA_MAPPING_ERROR;
	entry += tbl->it_offset;
	dma = (uint64_t)entry << tbl->it_page_shift;
	if (tbl->it_ops->set(tbl, (long)entry, (long)npages,
			     hpa & ~((1ULL << tbl->it_page_shift) - 1), dir)) {
		iommu_free_range(tbl, dma, npages);
		return TCESIM_DMA_MAPPING_ERROR;
	}
	/*
	 * Upstream has mb() here so the TCE stores reach the PHB before the
	 * address reaches the device. In tcesim the address reaches a device
	 * thread only through the caller's own synchronisation (a lock, a
	 * join), which orders the relaxed TCE stores as well.
	 */
	return dma;
}

TCESIM_EXPORT uint64_t tcesim_iommu_alloc(struct tcesim_iommu_table *tbl, uint64_t hpa,
					  unsigned long npages,
					  enum tcesim_dma_data_direction dir, uint64_t dma_mask,
					  unsigned int align_order)
{
	return tce_iommu_alloc(tbl, false, hpa, npages, dir, dma_mask, align_order,
			       TCESIM_DMA_SEG_BOUNDARY_DEFAULT);
}

TCESIM_EXPORT uint64_t tcesim_iommu_alloc_seg(struct tcesim_iommu_table *tbl, uint64_t hpa,
					      unsigned long npages,
					      enum tcesim_dma_data_direction dir,
					      uint64_t dma_mask, unsigned int align_order,
					      uint64_t seg_boundary_mask)
{
	/* BUG_ON(!is_power_of_2(boundary_size)) in iommu_is_span_boundary() */
	if (seg_boundary_mask & (seg_boundary_mask + 1))
		return TCESIM_DMA_MAPPING_ERROR;
	return tce_iommu_alloc(tbl, false, hpa, npages, dir, dma_mask, align_order,
			       seg_boundary_mask);
}

TCESIM_EXPORT int tcesim_iommu_free(struct tcesim_iommu_table *tbl, uint64_t dma,
				    unsigned long npages)
{
	if (!tbl)
		return -EINVAL;
	return iommu_free_range(tbl, dma, npages);
}

/* ---------------------------------------------------------- in use ---- */

static bool table_in_use(struct tcesim_iommu_table *tbl)
{
	unsigned long start = 0, end;

	if (tbl->it_offset == 0)
		start = 1; /* reserved entry 0 */
	if (!tbl->it_reserved_start && !tbl->it_reserved_end)
		return bm_find(tbl->it_map, tbl->it_size, start, true) != tbl->it_size;
	end = tbl->it_reserved_start - tbl->it_offset;
	if (bm_find(tbl->it_map, end, start, true) != end)
		return true;
	start = tbl->it_reserved_end - tbl->it_offset;
	end = tbl->it_size;
	return bm_find(tbl->it_map, end, start, true) != end;
}

TCESIM_EXPORT int tcesim_iommu_table_in_use(struct tcesim_iommu_table *tbl)
{
	if (!tbl)
		return -EINVAL;
	if (!tbl->it_map)
		return 0;
	return table_in_use(tbl);
}

/* -------------------------------------------------------- ownership --- */

static void lock_all_pools(struct tcesim_iommu_table *tbl)
{
	unsigned long i;

	tcesim_spin_lock(&tbl->large_pool.lock);
	for (i = 0; i < tbl->nr_pools; i++)
		tcesim_spin_lock(&tbl->pools[i].lock);
}

static void unlock_all_pools(struct tcesim_iommu_table *tbl)
{
	unsigned long i;

	for (i = 0; i < tbl->nr_pools; i++)
		tcesim_spin_unlock(&tbl->pools[i].lock);
	tcesim_spin_unlock(&tbl->large_pool.lock);
}

TCESIM_EXPORT int tcesim_iommu_take_ownership(struct tcesim_iommu_table *tbl)
{
	bool legacy;
	int ret = 0;

	if (!tbl)
		return -EINVAL;
	legacy = tcesim_flavour_is(tbl->w, TCESIM_FLAVOUR_LEGACY_2015);
	/*
	 * The new owner may write TCEs over live ones and must get the old
	 * page back to release it: no exchange op, no VFIO.
	 */
	if (legacy ? !tbl->it_ops->exchange : !tbl->it_ops->xchg_no_kill)
		return -EINVAL;
	if (!tbl->it_map)
		return 0;
	lock_all_pools(tbl);
	if (table_in_use(tbl)) {
		tcesim_pr(tbl->w, "iommu_tce: it_map is not empty");
		ret = -EBUSY;
	} else {
		unsigned long i;

		for (i = 0; i < tbl->it_map_words; i++)
			atomic_store_explicit(&tbl->it_map[i], ~0UL, memory_order_relaxed);
	}
	unlock_all_pools(tbl);
	return ret;
}

TCESIM_EXPORT int tcesim_iommu_release_ownership(struct tcesim_iommu_table *tbl)
{
	unsigned long i;

	if (!tbl)
		return -EINVAL;
	if (!tbl->it_map)
		return 0;
	lock_all_pools(tbl);
	for (i = 0; i < tbl->it_map_words; i++)
		atomic_store_explicit(&tbl->it_map[i], 0, memory_order_relaxed);
	reserve_pages(tbl, tbl->it_reserved_start, tbl->it_reserved_end);
	unlock_all_pools(tbl);
	return 0;
}

/* ------------------------------------------------- pre-2015 lock path -- */

static struct tce_pool *entry_pool(struct tcesim_iommu_table *tbl, uint64_t entry)
{
	return get_pool(tbl, (unsigned long)(entry - tbl->it_offset));
}

TCESIM_EXPORT int tcesim_iommu_tce_build(struct tcesim_iommu_table *tbl, uint64_t entry,
					 uint64_t hpa, enum tcesim_dma_data_direction dir)
{
	struct tce_pool *pool;
	int ret;

	if (!tbl || !tce_entry_in_table(tbl, entry, 1) || (unsigned int)dir >= TCESIM_DMA_NONE ||
	    !TCESIM_IS_ALIGNED(hpa, 1ULL << tbl->it_page_shift))
		return -EINVAL;
	pool = entry_pool(tbl, entry);
	tcesim_spin_lock(&pool->lock);
	if (tbl->it_ops->get(tbl, (long)entry) & TCESIM_TCE_PERM_MASK)
		ret = -EBUSY;
	else
		ret = tbl->it_ops->set(tbl, (long)entry, 1, hpa, dir);
	tcesim_spin_unlock(&pool->lock);
	return ret;
}

TCESIM_EXPORT int tcesim_iommu_clear_tce(struct tcesim_iommu_table *tbl, uint64_t entry,
					 uint64_t *old_tce)
{
	struct tce_pool *pool;
	uint64_t old;

	if (!tbl || !tce_entry_in_table(tbl, entry, 1))
		return -EINVAL;
	pool = entry_pool(tbl, entry);
	tcesim_spin_lock(&pool->lock);
	old = tbl->it_ops->get(tbl, (long)entry);
	if (old & TCESIM_TCE_PERM_MASK)
		tbl->it_ops->clear(tbl, (long)entry, 1);
	else
		old = 0;
	tcesim_spin_unlock(&pool->lock);
	if (old_tce)
		*old_tce = old;
	return 0;
}

/* --------------------------------------------------- parameter checks -- */

/*
 * arch/powerpc/include/asm/iommu.h: iommu_tce_check_ioba() with the
 * overflow-validation fix of current stable kernels: the whole range
 * [ioba, ioba + npages) must be in the window, without wrapping.
 */
TCESIM_EXPORT int tcesim_iommu_tce_check_ioba(unsigned long page_shift, unsigned long offset,
					      unsigned long size, uint64_t ioba,
					      unsigned long npages)
{
	uint64_t idx;

	if (page_shift >= 64) /* upstream: (1UL << page_shift) undefined */
		return -EINVAL;
	idx = ioba >> page_shift;
	if (ioba & ((1ULL << page_shift) - 1))
		return -EINVAL;
	if (idx < offset || idx + 1 > (uint64_t)offset + size)
		return -EINVAL;
	if (idx + npages < idx || idx - offset + npages > size)
		return -EINVAL;
	return 0;
}

/* The same before the fix (quirk Q2): npages unused, the first page only. */
TCESIM_EXPORT int tcesim_iommu_tce_check_ioba_prefix(unsigned long page_shift,
						     unsigned long offset, unsigned long size,
						     uint64_t ioba, unsigned long npages)
{
	uint64_t idx;

	(void)npages;
	if (page_shift >= 64) /* upstream: (1UL << page_shift) undefined */
		return -EINVAL;
	idx = ioba >> page_shift;
	if (ioba & ((1ULL << page_shift) - 1))
		return -EINVAL;
	if (idx < offset || idx + 1 > (uint64_t)offset + size)
		return -EINVAL;
	return 0;
}

TCESIM_EXPORT int tcesim_iommu_tce_check_gpa(unsigned long page_shift, uint64_t gpa)
{
	if (page_shift >= 64) /* upstream: (1UL << page_shift) undefined */
		return -EINVAL;
	return (gpa & ((1ULL << page_shift) - 1)) ? -EINVAL : 0;
}
