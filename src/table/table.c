// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * table.c - TCE table storage: levels, the userspace shadow, lifetime.
 *
 * Concepts:
 *
 *  What it models: arch/powerpc/platforms/powernv/pci-ioda-tce.c (pnv_tce,
 *  pnv_tce_build/xchg/free/get/useraddrptr, pnv_pci_ioda2_table_alloc_pages,
 *  the table group links) and the table lifetime of
 *  arch/powerpc/kernel/iommu.c (iommu_tce_table_get/put).
 *
 *  Storage: a table of 1 + it_indirect_levels levels. Each level block holds
 *  it_level_size big-endian 64-bit slots. An intermediate slot is either 0
 *  or (address of the next block | TCE_PCI_READ | TCE_PCI_WRITE), as the
 *  kernel stores __pa(next) | R | W; a leaf slot is a TCE. The top block
 *  exists from create to free; lower blocks appear on first use.
 *
 *  Invariants:
 *   - a published intermediate slot never changes until the table is freed
 *     (levels are never taken away from a live table);
 *   - it_levels_alloc counts hardware blocks (top included) and equals the
 *     number reachable from it_base; likewise it_user_levels_alloc;
 *   - every failed call leaves the entries and the level count unchanged:
 *     a missing path is built privately and installed with one CAS.
 *
 *  Concurrency (no lock on the TCE fast path):
 *   - a slot is read with an acquire load when it leads to a lower level and
 *     installed with a release CAS; the two pair, so a walker that sees the
 *     pointer sees the zeroed (or pre-linked) block behind it;
 *   - TCE leaf updates are atomic exchanges (tce_xchg) or relaxed stores;
 *     concurrent xchg on one entry is linearisable, each caller gets back a
 *     distinct old value;
 *   - the loser of an install CAS frees its private chain and walks on
 *     through the winner's block;
 *   - the table struct, its levels and bitmap are freed after an RCU grace
 *     period following the last put, so device DMA may walk a table found
 *     through an RCU-protected PE window pointer.
 *
 *  Lock rules: none here except group_lock (it_group_list writers, leaf
 *  lock: nothing is taken under it but the allocator).
 */
#include <stdio.h>
#include <xxhash.h>

#include "table/table_internal.h"

#define TCE_RW (TCESIM_TCE_PCI_READ | TCESIM_TCE_PCI_WRITE)

static bool valid_page_shift(unsigned int s)
{
	return s == 12 || s == 16 || s == 24 || s == 28;
}

static inline uint64_t ptr_to_tce(void *p)
{
	return (uint64_t)(uintptr_t)p | TCE_RW;
}

static inline _Atomic uint64_t *tce_to_ptr(uint64_t v)
{
	return (_Atomic uint64_t *)(uintptr_t)(v & ~TCE_RW);
}

/*
 * Load an intermediate slot. Acquire pairs with the release CAS in
 * tce_install_chain(): the block behind the pointer is fully initialised.
 */
static inline uint64_t level_read_acquire(_Atomic uint64_t *slot)
{
	return be64toh(atomic_load_explicit(slot, memory_order_acquire));
}

/* Index of @idx (relative entry) in a level block @level levels above leaves. */
static inline uint64_t level_index(const struct tcesim_iommu_table *tbl, uint64_t idx,
				   unsigned int level)
{
	return (idx >> (level * tbl->it_level_shift)) & (tbl->it_level_size - 1);
}

static void free_chain(struct tcesim_world *w, _Atomic uint64_t **blk, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		tcesim_kfree(w, (void *)blk[i]);
}

/*
 * pnv_alloc_tce_level(): one zeroed level block of 2^@shift bytes, a
 * physically contiguous alloc_pages_node() of order @shift - PAGE_SHIFT. An
 * order above MAX_PAGE_ORDER fails as __alloc_pages() does (NULL; upstream
 * passes __GFP_NOWARN, so only pnv_alloc_tce_level's own pr_err is seen).
 */
static _Atomic uint64_t *tce_alloc_level(struct tcesim_world *w, unsigned int shift)
{
	unsigned int order = shift - tcesim_page_shift(w);
	_Atomic uint64_t *blk = NULL;

	if ((int)order <= tcesim_max_page_order(w))
		blk = tcesim_zalloc(w, (size_t)1 << shift);
	if (!blk)
		tcesim_pr(w, "Failed to allocate a TCE memory, level shift=%u", shift);
	return blk;
}

/*
 * Build the missing path below @slot (a slot @level levels above the leaves)
 * privately, then publish it with one CAS. Return: the value now in @slot
 * (ours or the winner's), or 0 when an allocation failed (nothing changed).
 */
__attribute__((noinline, cold))
static uint64_t tce_install_chain(struct tcesim_iommu_table *tbl, bool user,
				  _Atomic uint64_t *slot, uint64_t idx, unsigned int level)
{
	_Atomic uint64_t *blk[TCESIM_IOMMU_MAX_LEVELS] = { NULL };
	uint64_t expect = 0, newv;
	unsigned int i;

	for (i = 0; i < level; i++) {
		blk[i] = tce_alloc_level(tbl->w, tbl->it_level_shift + 3);
		if (!blk[i]) {
			free_chain(tbl->w, blk, i);
			return 0;
		}
	}
	/* Plain stores into private blocks; published by the CAS below. */
	for (i = 0; i + 1 < level; i++)
		atomic_store_explicit(&blk[i][level_index(tbl, idx, level - 1 - i)],
				      htobe64(ptr_to_tce((void *)blk[i + 1])),
				      memory_order_relaxed);
	newv = htobe64(ptr_to_tce((void *)blk[0]));
	tcesim_sched_point(TCESIM_SCHED_CAS, slot); /* level install (issue 10) */
	/* Release pairs with level_read_acquire() of walkers. */
	if (!atomic_compare_exchange_strong_explicit(slot, &expect, newv, memory_order_acq_rel,
						     memory_order_acquire)) {
		free_chain(tbl->w, blk, level);
		return be64toh(expect);
	}
	atomic_fetch_add_explicit(user ? &tbl->it_user_levels_alloc : &tbl->it_levels_alloc,
				  (long)level, memory_order_relaxed);
	return be64toh(newv);
}

_Atomic uint64_t *tce_slot(struct tcesim_iommu_table *tbl, bool user, long index, bool alloc)
{
	_Atomic uint64_t *lvl = user ? tbl->it_userspace : tbl->it_base;
	unsigned int level = tbl->it_indirect_levels;
	uint64_t idx = (uint64_t)index - tbl->it_offset;

	if (!lvl)
		return NULL;
	while (level) {
		_Atomic uint64_t *slot = &lvl[level_index(tbl, idx, level)];
		uint64_t v = level_read_acquire(slot);

		if (tcesim_unlikely(!v)) {
			if (!alloc)
				return NULL;
			v = tce_install_chain(tbl, user, slot, idx, level);
			if (!v)
				return NULL;
		}
		lvl = tce_to_ptr(v);
		level--;
	}
	return &lvl[idx & (tbl->it_level_size - 1)];
}

int tce_build(struct tcesim_iommu_table *tbl, long index, long npages, uint64_t hpa,
	      enum tcesim_dma_data_direction dir, bool force_read)
{
	uint64_t proto = tce_proto(dir, force_read);
	long i;

	/*
	 * First make sure every level exists, so a failure writes no TCE.
	 * Levels installed before a failure stay (they are empty and part of
	 * the table from then on, as upstream's on-demand levels).
	 */
	for (i = 0; i < npages; i++)
		if (!tce_slot_fast(tbl, index + i, true))
			return -ENOMEM;
	for (i = 0; i < npages; i++)
		tce_write(tce_slot_fast(tbl, index + i, false),
			  proto | (hpa + ((uint64_t)i << tbl->it_page_shift)));
	return 0;
}

int tce_xchg_slot(struct tcesim_iommu_table *tbl, long index, uint64_t *hpa,
		  enum tcesim_dma_data_direction *dir, bool force_read)
{
	return tce_xchg_slot_inline(tbl, index, hpa, dir, force_read);
}

int tce_xchg_pnv(struct tcesim_iommu_table *tbl, long index, uint64_t *hpa,
		 enum tcesim_dma_data_direction *dir)
{
	return tce_xchg_slot_inline(tbl, index, hpa, dir, true);
}

void tce_free_range(struct tcesim_iommu_table *tbl, long index, long npages)
{
	bool skip_by_counter = tcesim_quirks_upstream(tbl->w);
	long i;

	for (i = 0; i < npages; i++) {
		_Atomic uint64_t *slot = tce_slot_fast(tbl, index + i, false);

		if (tcesim_likely(slot)) {
			tce_write(slot, 0);
			continue;
		}
		/*
		 * The leaf block of this entry is missing: skip the rest of it.
		 * Upstream (pci-ioda-tce.c pnv_tce_free(): "i |= it_level_size
		 * - 1") rounds the loop counter, not the entry: when index -
		 * it_offset is not level aligned it also skips entries of the
		 * next, allocated block, which keep their TCEs (mapped entries
		 * survive the free). quirks=upstream reproduces that; safe
		 * (documented quirk, docs/FIDELITY.md) skips exactly to the end
		 * of the missing block.
		 */
		if (skip_by_counter)
			i |= (long)(tbl->it_level_size - 1);
		else
			i += (long)((tbl->it_level_size - 1) -
				    (((uint64_t)(index + i) - tbl->it_offset) &
				     (tbl->it_level_size - 1)));
	}
}

uint64_t tce_get(struct tcesim_iommu_table *tbl, long index)
{
	_Atomic uint64_t *slot = tce_slot_fast(tbl, index, false);

	return tcesim_likely(slot) ? tce_read(slot) : 0;
}

_Atomic uint64_t *tce_useraddrptr(struct tcesim_iommu_table *tbl, long index, bool alloc)
{
	if (!tbl->it_userspace)
		return NULL;
	return tce_slot(tbl, true, index, alloc);
}

/* pnv_pci_ioda2_table_do_free_pages(): recurse only into slots with R|W. */
static void free_level(struct tcesim_iommu_table *tbl, _Atomic uint64_t *blk, unsigned int level)
{
	uint64_t i;

	if (!blk)
		return;
	if (level) {
		for (i = 0; i < tbl->it_level_size; i++) {
			/* the table is unreachable: a private read, no schedule point */
			uint64_t v = be64toh(atomic_load_explicit(&blk[i], memory_order_relaxed));

			if (v & TCE_RW)
				free_level(tbl, tce_to_ptr(v), level - 1);
		}
	}
	tcesim_kfree(tbl->w, (void *)blk);
}

void tce_free_levels(struct tcesim_iommu_table *tbl)
{
	free_level(tbl, tbl->it_base, tbl->it_indirect_levels);
	free_level(tbl, tbl->it_userspace, tbl->it_indirect_levels);
	tbl->it_base = NULL;
	tbl->it_userspace = NULL;
	atomic_store(&tbl->it_levels_alloc, 0);
	atomic_store(&tbl->it_user_levels_alloc, 0);
}

/* ---------------------------------------------------- bare storage ops -- */

static int pnv_set(struct tcesim_iommu_table *tbl, long index, long npages, uint64_t hpa,
		   enum tcesim_dma_data_direction dir)
{
	return tce_build(tbl, index, npages, hpa, dir, true);
}

static const struct tcesim_iommu_table_ops pnv_bare_ops = {
	.set = pnv_set,
	.xchg_no_kill = tce_xchg_pnv,
	.clear = tce_free_range,
	.get = tce_get,
	.useraddrptr = tce_useraddrptr,
	.free = tce_free_levels,
};

/* ----------------------------------------------------------- geometry -- */

struct tce_geometry {
	unsigned int table_shift;	/* log2 bytes of a 1-level table (tce_table_size) */
	unsigned int level_shift;	/* log2 bytes of one level block */
};

/*
 * The geometry of pnv_pci_ioda2_table_alloc_pages(), in its own unsigned int
 * arithmetic: entries_shift = ilog2(window) - page_shift wraps for a window
 * below one IOMMU page, so such a window gets PAGE_SIZE bytes of table
 * (it_size PAGE_SIZE / 8) at one level and fails the 55-bit check at more.
 * Return: 0, or -EINVAL in upstream's cases (@levels 0 or > 5, window not a
 * power of two, (level_shift - 3) * levels + page_shift >= 55) and tcesim's
 * own: @page_shift not 12/16/24/28 (upstream's callers check pgsizes) and a
 * window under 1/8 of an IOMMU page, where upstream's 1UL << table_shift
 * shifts by 2^32 - n (undefined behaviour in C).
 */
static int tce_geometry(struct tcesim_world *w, unsigned int page_shift, uint64_t window_size,
			unsigned int levels, struct tce_geometry *g)
{
	unsigned int ps = tcesim_page_shift(w), entries_shift, table_shift;
	uint64_t level_shift;

	if (!levels || levels > TCESIM_IOMMU_MAX_LEVELS)
		return -EINVAL;
	if (!tcesim_is_pow2(window_size) || !valid_page_shift(page_shift))
		return -EINVAL;
	entries_shift = tcesim_ilog2_u64(window_size) - page_shift; /* may wrap, as upstream */
	table_shift = entries_shift + 3 > ps ? entries_shift + 3 : ps;
	if (table_shift >= 64)
		return -EINVAL;
	entries_shift = (entries_shift + levels - 1) / levels;
	level_shift = entries_shift + 3; /* unsigned int sum, as upstream */
	if (level_shift < ps)
		level_shift = ps;
	/* 55 since on-demand levels (60 before): the walk's reach. */
	if ((level_shift - 3) * levels + page_shift >= 55)
		return -EINVAL;
	g->table_shift = table_shift;
	g->level_shift = (unsigned int)level_shift;
	return 0;
}

/*
 * pci-ioda.c pnv_pci_ioda2_get_table_size(): only levels 1..5 and a power
 * of two window are checked; the rest is upstream's arithmetic (unsigned
 * int shifts that wrap, max(0x1000, ...) for the first level, the next
 * level one pointer per block of this one and at least one block). Shift
 * counts of 64 or more, undefined in upstream's C (page_shift above the
 * window's shift + 3, or absurd page shifts), give 0 here.
 */
TCESIM_EXPORT unsigned long tcesim_pnv_pci_ioda2_get_table_size(struct tcesim_world *w,
								unsigned int page_shift,
								uint64_t window_size,
								unsigned int levels)
{
	unsigned int ps, entries_shift, table_shift;
	unsigned long bytes = 0, tce_table_size, direct;

	if (!w || !levels || levels > TCESIM_IOMMU_MAX_LEVELS || !tcesim_is_pow2(window_size))
		return 0;
	ps = tcesim_page_shift(w);
	entries_shift = tcesim_ilog2_u64(window_size) - page_shift;
	table_shift = entries_shift + 3;
	if (table_shift >= 64)
		return 0;
	tce_table_size = 1UL << table_shift;
	if (tce_table_size < 0x1000)
		tce_table_size = 0x1000;
	entries_shift = (entries_shift + levels - 1) / levels;
	table_shift = entries_shift + 3;
	if (table_shift < ps)
		table_shift = ps;
	if (table_shift >= 64)
		return 0;
	direct = 1UL << table_shift;
	for (; levels; levels--) {
		bytes += TCESIM_ALIGN_UP(tce_table_size, direct);
		tce_table_size = (tce_table_size / direct) << 3;
		if (tce_table_size < direct)
			tce_table_size = direct;
	}
	return bytes + bytes; /* hardware table + userspace copy */
}

int tce_table_create(struct tcesim_world *w, uint64_t bus_offset, unsigned int page_shift,
		     uint64_t window_size, unsigned int levels, bool alloc_userspace_copy,
		     const struct tcesim_iommu_table_ops *ops, struct tcesim_iommu_table **out)
{
	struct tcesim_iommu_table *tbl;
	struct tce_geometry g;
	unsigned int i;
	int ret;

	if (!w || !out || !ops)
		return -EINVAL;
	ret = tce_geometry(w, page_shift, window_size, levels, &g);
	if (ret)
		return ret;
	if (tcesim_flavour_is(w, TCESIM_FLAVOUR_LEGACY_2015) && levels > 1)
		return -EINVAL;
	if (!TCESIM_IS_ALIGNED(bus_offset, 1ULL << page_shift))
		return -EINVAL;

	/* Cache-line aligned: see the layout note in table_internal.h. */
	tbl = tcesim_zalloc_aligned(w, _Alignof(struct tcesim_iommu_table), sizeof(*tbl));
	if (!tbl)
		return -ENOMEM;
	tbl->w = w;
	tbl->it_page_shift = page_shift;
	tbl->it_page_mask = (1ULL << page_shift) - 1;
	tbl->it_offset = bus_offset >> page_shift;
	tbl->it_size = (1ULL << g.table_shift) >> 3;
	tbl->it_indirect_levels = levels - 1;
	tbl->it_level_shift = g.level_shift - 3;
	tbl->it_level_size = 1ULL << tbl->it_level_shift;
	tbl->it_level_bytes = 1ULL << g.level_shift;
	tbl->it_blocksize = TCESIM_IOMMU_BLOCKSIZE;
	tbl->it_ops = ops;
	/*
	 * one level: it_size == it_level_size, so it_base[entry - it_offset] is
	 * the slot. A table made while an exploration runs (issue 10) calls its
	 * op, whose tce_xchg() is a schedule point: the inline copy has none, so
	 * the fast path of a normal run tests nothing it did not test before.
	 */
	tbl->it_xchg_direct = ops->xchg_no_kill == tce_xchg_pnv && !tcesim_explore_any() &&
			      (levels > 1 || tbl->it_size <= tbl->it_level_size);
	tbl->nr_pools = 1;
	atomic_init(&tbl->it_kref, 1);
	CDS_INIT_LIST_HEAD(&tbl->it_group_list);

	tbl->it_base = tce_alloc_level(w, g.level_shift);
	if (!tbl->it_base)
		goto out_free_tbl;
	if (alloc_userspace_copy) {
		tbl->it_userspace = tce_alloc_level(w, g.level_shift);
		if (!tbl->it_userspace)
			goto out_free_base;
		atomic_init(&tbl->it_user_levels_alloc, 1);
	}
	atomic_init(&tbl->it_levels_alloc, 1);
	pthread_mutex_init(&tbl->group_lock, NULL);
	for (i = 0; i < TCESIM_IOMMU_NR_POOLS; i++)
		pthread_spin_init(&tbl->pools[i].lock, PTHREAD_PROCESS_PRIVATE);
	pthread_spin_init(&tbl->large_pool.lock, PTHREAD_PROCESS_PRIVATE);
	/* Until iommu_init_table: one pool covering everything (lock path). */
	tbl->pools[0].end = tbl->it_size;
	tbl->poolsize = tbl->it_size;
	tbl->large_pool.start = tbl->large_pool.end = tbl->it_size;
	*out = tbl;
	return 0;

out_free_base:
	tcesim_kfree(w, (void *)tbl->it_base);
out_free_tbl:
	tcesim_kfree(w, tbl);
	return -ENOMEM;
}

TCESIM_EXPORT int tcesim_pnv_pci_ioda2_table_alloc_pages(struct tcesim_world *w,
							 uint64_t bus_offset,
							 unsigned int page_shift,
							 uint64_t window_size, unsigned int levels,
							 bool alloc_userspace_copy,
							 struct tcesim_iommu_table **out)
{
	return tce_table_create(w, bus_offset, page_shift, window_size, levels,
				alloc_userspace_copy, &pnv_bare_ops, out);
}

/* ----------------------------------------------------------- lifetime -- */

TCESIM_EXPORT struct tcesim_iommu_table *tcesim_iommu_tce_table_get(struct tcesim_iommu_table *tbl)
{
	long r;

	if (!tbl)
		return NULL;
	r = atomic_load_explicit(&tbl->it_kref, memory_order_relaxed);
	do {
		if (r == 0)
			return NULL;
	} while (!atomic_compare_exchange_weak_explicit(&tbl->it_kref, &r, r + 1,
							memory_order_acquire,
							memory_order_relaxed));
	return tbl;
}

static void tce_table_free_rcu(struct rcu_head *head)
{
	struct tcesim_iommu_table *tbl = tcesim_container_of(head, struct tcesim_iommu_table, rcu);
	struct tcesim_world *w;
	unsigned int i;

	tcesim_rcu_callback_enter();
	tcesim_tsan_acquire(head); /* pairs with the release before call_rcu */
	w = tbl->w;
	if (tbl->it_ops->free)
		tbl->it_ops->free(tbl);
	else
		tce_free_levels(tbl);
	tcesim_kfree(w, (void *)tbl->it_map);
	for (i = 0; i < TCESIM_IOMMU_NR_POOLS; i++)
		pthread_spin_destroy(&tbl->pools[i].lock);
	pthread_spin_destroy(&tbl->large_pool.lock);
	pthread_mutex_destroy(&tbl->group_lock);
	tcesim_kfree(w, tbl);
	tcesim_rcu_callback_exit();
}

TCESIM_EXPORT int tcesim_iommu_tce_table_put(struct tcesim_iommu_table *tbl)
{
	if (!tbl)
		return 0; /* upstream: WARN_ON(!tbl) */
	/*
	 * acq_rel: the release half publishes this thread's uses to the thread
	 * that drops the last reference; its acquire half sees everyone's.
	 */
	if (atomic_fetch_sub_explicit(&tbl->it_kref, 1, memory_order_acq_rel) != 1)
		return 0;
	if (tbl->it_map && tcesim_iommu_table_in_use(tbl) == 1)
		tcesim_pr(tbl->w, "iommu_table_free: Unexpected TCEs (table %lu)", tbl->it_index);
	if (!cds_list_empty(&tbl->it_group_list))
		tcesim_pr(tbl->w, "WARNING: iommu table freed while linked to a PE");
	/*
	 * TSan cannot see call_rcu's hand-off to the callback thread: publish
	 * this thread's writes to the callback explicitly (no-op otherwise).
	 */
	tcesim_tsan_release(&tbl->rcu);
	tcesim_call_rcu(&tbl->rcu, tce_table_free_rcu);
	return 1;
}

TCESIM_EXPORT int tcesim_iommu_table_get_info(struct tcesim_iommu_table *tbl,
					      struct tcesim_iommu_table_info *info)
{
	if (!tbl || !info)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	info->it_offset = tbl->it_offset;
	info->it_size = tbl->it_size;
	info->it_page_shift = tbl->it_page_shift;
	info->levels = tbl->it_indirect_levels + 1;
	info->it_level_size = tbl->it_level_size;
	info->levels_allocated = atomic_load(&tbl->it_levels_alloc);
	info->user_levels_allocated = atomic_load(&tbl->it_user_levels_alloc);
	info->has_userspace = tbl->it_userspace != NULL;
	info->has_it_map = tbl->it_map != NULL;
	info->nr_pools = tbl->nr_pools;
	info->kills = atomic_load(&tbl->it_kills);
	info->it_index = tbl->it_index;
	info->refcount = atomic_load(&tbl->it_kref);
	return 0;
}

static void digest_level(XXH3_state_t *st, const struct tcesim_iommu_table *tbl,
			 _Atomic uint64_t *blk, unsigned int level, uint64_t base)
{
	uint64_t i;

	for (i = 0; i < tbl->it_level_size; i++) {
		uint64_t v = tce_read(&blk[i]);
		uint64_t rel = base | (i << (level * tbl->it_level_shift));

		if (!v)
			continue;
		if (level) {
			digest_level(st, tbl, tce_to_ptr(v), level - 1, rel);
		} else {
			uint64_t rec[2] = { rel, v };

			XXH3_64bits_update(st, rec, sizeof(rec));
		}
	}
}

TCESIM_EXPORT uint64_t tcesim_iommu_table_digest(struct tcesim_iommu_table *tbl)
{
	XXH3_state_t *st;
	uint64_t h, hdr[4];

	if (!tbl)
		return 0;
	st = XXH3_createState();
	if (!st)
		return 0;
	XXH3_64bits_reset(st);
	hdr[0] = tbl->it_offset;
	hdr[1] = tbl->it_size;
	hdr[2] = (uint64_t)atomic_load(&tbl->it_levels_alloc);
	hdr[3] = (uint64_t)atomic_load(&tbl->it_user_levels_alloc);
	XXH3_64bits_update(st, hdr, sizeof(hdr));
	digest_level(st, tbl, tbl->it_base, tbl->it_indirect_levels, 0);
	XXH3_64bits_update(st, "user", 4);
	if (tbl->it_userspace)
		digest_level(st, tbl, tbl->it_userspace, tbl->it_indirect_levels, 0);
	if (tbl->it_map) {
		unsigned long i;

		XXH3_64bits_update(st, "map", 3);
		for (i = 0; i < tbl->it_map_words; i++) {
			unsigned long v = atomic_load_explicit(&tbl->it_map[i],
							       memory_order_relaxed);

			XXH3_64bits_update(st, &v, sizeof(v));
		}
	}
	h = XXH3_64bits_digest(st);
	XXH3_freeState(st);
	return h;
}

TCESIM_EXPORT int tcesim_iommu_useraddr_get(struct tcesim_iommu_table *tbl, uint64_t entry,
					    uint64_t *ua)
{
	_Atomic uint64_t *slot;

	if (!tbl || !ua || !tbl->it_userspace || !tbl->it_ops->useraddrptr ||
	    !tce_entry_in_table(tbl, entry, 1))
		return -EINVAL;
	slot = tbl->it_ops->useraddrptr(tbl, (long)entry, false);
	*ua = slot ? tce_read(slot) : 0;
	return 0;
}

TCESIM_EXPORT int tcesim_iommu_useraddr_set(struct tcesim_iommu_table *tbl, uint64_t entry,
					    uint64_t ua)
{
	_Atomic uint64_t *slot;

	if (!tbl || !tbl->it_userspace || !tbl->it_ops->useraddrptr ||
	    !tce_entry_in_table(tbl, entry, 1))
		return -EINVAL;
	slot = tbl->it_ops->useraddrptr(tbl, (long)entry, ua != 0);
	if (!slot)
		return ua ? -ENOMEM : 0;
	tce_write(slot, ua);
	return 0;
}

/* -------------------------------------------------------------- links -- */

int tce_link_table_and_group(struct tcesim_iommu_table *tbl,
			     struct tcesim_iommu_table_group *tg)
{
	struct tce_group_link *tgl;

	if (!tbl || !tg)
		return -EINVAL;
	tgl = tcesim_zalloc(tbl->w, sizeof(*tgl));
	if (!tgl)
		return -ENOMEM;
	tgl->table_group = tg;
	tgl->w = tbl->w;
	tcesim_iommu_tce_table_get(tbl); /* the link's reference */
	pthread_mutex_lock(&tbl->group_lock);
	/* Publishes tgl; pairs with cds_list_for_each_entry_rcu() of invalidators. */
	cds_list_add_rcu(&tgl->next, &tbl->it_group_list);
	pthread_mutex_unlock(&tbl->group_lock);
	return 0;
}

static void tce_link_free_rcu(struct rcu_head *head)
{
	struct tce_group_link *tgl = tcesim_container_of(head, struct tce_group_link, rcu);

	tcesim_rcu_callback_enter();
	tcesim_tsan_acquire(head); /* pairs with the release before call_rcu */
	tcesim_kfree(tgl->w, tgl);
	tcesim_rcu_callback_exit();
}

void tce_unlink_table_and_group(struct tcesim_iommu_table *tbl,
				struct tcesim_iommu_table_group *tg)
{
	struct tce_group_link *tgl, *found = NULL;

	if (!tbl || !tg)
		return;
	pthread_mutex_lock(&tbl->group_lock);
	cds_list_for_each_entry(tgl, &tbl->it_group_list, next) {
		if (tgl->table_group == tg) {
			cds_list_del_rcu(&tgl->next);
			found = tgl;
			break;
		}
	}
	pthread_mutex_unlock(&tbl->group_lock);
	if (!found) {
		tcesim_pr(tbl->w, "WARNING: unlink of a table not linked to the group");
		return;
	}
	tcesim_tsan_release(&found->rcu); /* see tcesim_iommu_tce_table_put() */
	tcesim_call_rcu(&found->rcu, tce_link_free_rcu);
	tcesim_iommu_tce_table_put(tbl);
}
