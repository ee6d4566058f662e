/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * table_internal.h - struct tcesim_iommu_table and its ops, the table group,
 * and the storage helpers PHB variants build their ops from.
 *
 * Models: arch/powerpc/include/asm/iommu.h (struct iommu_table, struct
 * iommu_table_ops, struct iommu_table_group, struct iommu_pool) and the
 * storage half of arch/powerpc/platforms/powernv/pci-ioda-tce.c.
 *
 * The files of src/table call each other one way (tests/api table_layers
 * checks it from the objects' symbols): 0 iommu.c (the allocator,
 * kernel/iommu.c), 0 alloc_state.c (its inspection), 0 table_inspect.c
 * (raw slots and level blocks, read-only), 1 table.c (the TCE
 * storage, pci-ioda-tce.c; its table_put asks iommu.c whether the table is
 * still in use). iommu.c reaches the storage only through a table's ops.
 */
#ifndef TCESIM_TABLE_INTERNAL_H
#define TCESIM_TABLE_INTERNAL_H

#include "internal.h"
#include <tcesim/table.h>

#define TCESIM_IOMMU_NR_POOLS		4	/* IOMMU_NR_POOLS (IOMMU_POOL_HASHBITS 2) */
#define TCESIM_IOMMU_POOL_HASHBITS	2
#define TCESIM_IOMMU_MAX_LEVELS		5	/* POWERNV_IOMMU_MAX_LEVELS */
/* POWERNV_IOMMU_DEFAULT_LEVELS (1 before 2018) */
#define TCESIM_IOMMU_DEFAULT_LEVELS	2
#define TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES 2
#define TCESIM_IOMMU_BLOCKSIZE		16	/* powernv it_blocksize */
#define TCESIM_IOMAP_MAX_ORDER		13
#define TCESIM_CACHELINE		64	/* SMP_CACHE_BYTES of the host */

struct tcesim_iommu_table;

/**
 * struct tcesim_iommu_table_ops - what a PHB variant does to a table
 * @set: write @npages TCEs from @index (absolute entry) mapping @hpa
 *	(IOMMU-page aligned) onward with @dir's permissions, then invalidate if
 *	the variant needs it. Return: 0, -ENOMEM when a level can't be
 *	allocated (upstream would crash; tcesim leaves the range unchanged).
 * @xchg_no_kill: atomically replace the TCE at @index with *@hpa | perm(*@dir)
 *	and return the old address and direction in them; no invalidation.
 *	DMA_NONE on a missing level: *@hpa = 0, *@dir stays DMA_NONE, nothing
 *	allocated (Q10). Return: 0, -ENOMEM when a level can't be allocated.
 * @exchange: 2015 (seed 000) form: as @xchg_no_kill, then invalidates the
 *	entry itself. Return: as @xchg_no_kill.
 * @tce_kill: invalidate [@index, @index + @npages) in every PE the table is
 *	linked to. NULL: the variant has no TCE cache.
 * @clear: zero @npages TCEs from @index (missing levels skipped), then
 *	invalidate if the variant needs it.
 * @get: the raw TCE at @index, 0 when its level is missing.
 * @useraddrptr: slot of @index in the userspace shadow table, allocating
 *	levels when @alloc; NULL when there is no shadow table, the level is
 *	missing and !@alloc, or allocation failed.
 * @free: free the level storage (called once, at the last put).
 *
 * Every @index is absolute (it_offset included) and within the table; the
 * phb.c wrappers and iommu.c validate before calling.
 */
struct tcesim_iommu_table_ops {
	int (*set)(struct tcesim_iommu_table *tbl, long index, long npages, uint64_t hpa,
		   enum tcesim_dma_data_direction dir);
	int (*xchg_no_kill)(struct tcesim_iommu_table *tbl, long index, uint64_t *hpa,
			    enum tcesim_dma_data_direction *dir);
	int (*exchange)(struct tcesim_iommu_table *tbl, long index, uint64_t *hpa,
			enum tcesim_dma_data_direction *dir);
	void (*tce_kill)(struct tcesim_iommu_table *tbl, unsigned long index,
			 unsigned long npages);
	void (*clear)(struct tcesim_iommu_table *tbl, long index, long npages);
	uint64_t (*get)(struct tcesim_iommu_table *tbl, long index);
	_Atomic uint64_t *(*useraddrptr)(struct tcesim_iommu_table *tbl, long index, bool alloc);
	void (*free)(struct tcesim_iommu_table *tbl);
};

/*
 * struct iommu_pool: one range of the DMA-API bitmap. The spinlock is the
 * pre-2015 hot path's cost (PERF.md), hence pthread_spinlock_t. One pool per
 * cache line: CPUs hashed to different pools must not false-share a lock
 * (upstream: struct iommu_pool is ____cacheline_aligned_in_smp).
 */
struct tce_pool {
	_Alignas(TCESIM_CACHELINE) unsigned long start; /* bitmap index; written at init_table only */
	unsigned long end;		/* bitmap index, exclusive; idem */
	unsigned long hint;		/* protected by lock */
	pthread_spinlock_t lock;	/* protects hint and the bitmap bits in [start, end) */
};

/**
 * struct tcesim_iommu_table_group - a PE's DMA windows (struct iommu_table_group)
 * @tables: window n's table, or NULL. RCU: readers tcesim_rcu_deref();
 *	writers hold the owner's lock (phb->lock) and own a table reference.
 * @tce32_start: bus address of the 32-bit window; immutable after create
 * @tce32_size: its size in bytes; immutable after create
 * @pgsizes: bitmap of supported IOMMU page sizes (bytes); immutable
 * @max_dynamic_windows_supported: immutable
 * @max_levels: immutable
 */
struct tcesim_iommu_table_group {
	struct tcesim_iommu_table *tables[TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES];
	uint64_t tce32_start;
	uint64_t tce32_size;
	uint64_t pgsizes;
	unsigned int max_dynamic_windows_supported;
	unsigned int max_levels;
};

/*
 * struct iommu_table_group_link: one PE a table is linked to. Lives on
 * tbl->it_group_list (RCU list: readers walk it locklessly, as
 * pnv_pci_ioda2_tce_invalidate does; writers hold tbl->group_lock) and is
 * freed with call_rcu.
 */
struct tce_group_link {
	struct cds_list_head next;		/* in tbl->it_group_list */
	struct tcesim_iommu_table_group *table_group; /* immutable */
	struct rcu_head rcu;
	struct tcesim_world *w;			/* immutable, for the free */
};

/*
 * struct tcesim_iommu_table. Unless said otherwise, members are immutable
 * after tce_table_create() returns.
 *
 * Layout (64-byte aligned, allocated with tcesim_zalloc_aligned): the first
 * line holds only what the TCE fast path reads (the walk parameters), so
 * writers of the counters, the refcount or the pools never invalidate it in
 * the cache of a CPU exchanging TCEs; each pool has its own line.
 */
struct tcesim_iommu_table {
	/* ---- line 0: read-only after create; the walk (tce_slot_fast) ---- */
	_Alignas(TCESIM_CACHELINE) _Atomic uint64_t *it_base; /* top level (BE TCEs or BE next|R|W) */
	const struct tcesim_iommu_table_ops *it_ops; /* set before the table is shared */
	uint64_t it_offset;		/* entries: bus_offset >> it_page_shift */
	uint64_t it_size;		/* entries (rounded up to PAGE_SIZE / 8) */
	uint64_t it_page_mask;		/* (1 << it_page_shift) - 1: IOMMU page offset bits */
	uint64_t it_level_size;		/* entries per level block */
	unsigned int it_page_shift;	/* 12, 16, 24 or 28 */
	unsigned int it_indirect_levels; /* levels - 1 */
	unsigned int it_level_shift;	/* log2(it_level_size) */
	/*
	 * it_ops->xchg_no_kill == tce_xchg_pnv: the exchange wrapper may do
	 * pnv_tce_xchg inline (on it_base[entry - it_offset] when one level).
	 */
	bool it_xchg_direct;
	struct tcesim_world *w;

	uint64_t it_level_bytes;	/* bytes of one level block */
	/*
	 * Shadow table of user addresses (v2 containers, KVM): same shape as
	 * it_base; NULL when not requested.
	 */
	_Atomic uint64_t *it_userspace;
	unsigned long it_index;		/* LIOBN-like id; set before the table is shared */

	/* DMA-API allocator (iommu_init_table). it_map is NULL until then. */
	_Atomic unsigned long *it_map;	/* bits: atomic RMW under the owning pool lock */
	unsigned long it_map_words;	/* written at init_table */
	unsigned long nr_pools;		/* written at init_table; 1 before */
	unsigned long poolsize;		/* written at init_table */
	unsigned long it_blocksize;	/* 16 (powernv) */
	uint64_t it_reserved_start;	/* absolute entries; under all pool locks */
	uint64_t it_reserved_end;

	/* ---- written at run time: off the fast path's line ---- */
	_Alignas(TCESIM_CACHELINE) _Atomic long it_kref; /* kref: atomic, 0 = dying */
	_Atomic long it_levels_alloc;	/* hardware level blocks, top included; atomic */
	_Atomic long it_user_levels_alloc; /* shadow level blocks; atomic */
	_Atomic uint64_t it_kills;	/* invalidation calls that reached a PE; atomic */
	_Atomic uint64_t it_clear_visited; /* entries VFIO's tce_iommu_clear exchanged; atomic */

	struct tce_pool pools[TCESIM_IOMMU_NR_POOLS];
	struct tce_pool large_pool;

	/* PEs this table is linked to (pnv_pci_link_table_and_group). */
	struct cds_list_head it_group_list; /* RCU; writers hold group_lock */
	pthread_mutex_t group_lock;	/* protects it_group_list updates */
	struct rcu_head rcu;		/* deferred free after the last put */
};

/* ------------------------------------------------------------------ */
/* Creation: pnv_pci_ioda2_table_alloc_pages() with explicit ops. */
int tce_table_create(struct tcesim_world *w, uint64_t bus_offset, unsigned int page_shift,
		     uint64_t window_size, unsigned int levels, bool alloc_userspace_copy,
		     const struct tcesim_iommu_table_ops *ops, struct tcesim_iommu_table **out);

/* Storage primitives (pnv_tce_*), for variant ops. @index is absolute. */
_Atomic uint64_t *tce_slot(struct tcesim_iommu_table *tbl, bool user, long index, bool alloc);
int tce_build(struct tcesim_iommu_table *tbl, long index, long npages, uint64_t hpa,
	      enum tcesim_dma_data_direction dir, bool force_read);
int tce_xchg_slot(struct tcesim_iommu_table *tbl, long index, uint64_t *hpa,
		  enum tcesim_dma_data_direction *dir, bool force_read);
void tce_free_range(struct tcesim_iommu_table *tbl, long index, long npages);
uint64_t tce_get(struct tcesim_iommu_table *tbl, long index);
_Atomic uint64_t *tce_useraddrptr(struct tcesim_iommu_table *tbl, long index, bool alloc);
void tce_free_levels(struct tcesim_iommu_table *tbl);

/* Link/unlink (pnv_pci_link_table_and_group / pnv_pci_unlink_table_and_group):
 * the group's tables[num] slot is published by the caller (phb->lock). */
int tce_link_table_and_group(struct tcesim_iommu_table *tbl,
			     struct tcesim_iommu_table_group *tg);
void tce_unlink_table_and_group(struct tcesim_iommu_table *tbl,
				struct tcesim_iommu_table_group *tg);

/* iommu_range_alloc + set with per-device fault injection (fail_iommu). */
uint64_t tce_iommu_alloc(struct tcesim_iommu_table *tbl, bool fail_iommu, uint64_t hpa,
			 unsigned long npages, enum tcesim_dma_data_direction dir,
			 uint64_t dma_mask, unsigned int align_order, uint64_t seg_boundary_mask);

static inline bool tce_entry_in_table(const struct tcesim_iommu_table *tbl, uint64_t entry,
				      uint64_t npages)
{
	return entry >= tbl->it_offset && npages <= tbl->it_size &&
	       entry - tbl->it_offset <= tbl->it_size - npages;
}

/* ------------------------------------------------------- fast path --- */
/*
 * pnv_tce_xchg as every powernv variant's modern it_ops->xchg_no_kill
 * (W stored as W|R): tce_xchg_slot(.., true). tce_table_create() sets
 * it_xchg_direct when a table's op is this function; the exchange wrapper
 * (tcesim_iommu_tce_xchg_no_kill in phb.c) then does the same exchange
 * inline instead of calling it (tests/table compares the two).
 */
int tce_xchg_pnv(struct tcesim_iommu_table *tbl, long index, uint64_t *hpa,
		 enum tcesim_dma_data_direction *dir);

/* tce_entry_in_table(tbl, entry, 1) in one compare (it_size >= 1). */
static inline bool tce_entry_in_table1(const struct tcesim_iommu_table *tbl, uint64_t entry)
{
	return entry - tbl->it_offset < tbl->it_size;
}

/*
 * tce_slot(tbl, false, index, alloc) with the walk inline while every level
 * on the way exists (the top block exists from create to free). A missing
 * level restarts the walk in tce_slot(), which installs it or returns NULL:
 * published intermediate slots never change, so the restart goes the same
 * way down to the missing slot.
 */
static inline _Atomic uint64_t *tce_slot_fast(struct tcesim_iommu_table *tbl, long index,
					      bool alloc)
{
	uint64_t idx = (uint64_t)index - tbl->it_offset, mask = tbl->it_level_size - 1;
	unsigned int level = tbl->it_indirect_levels;
	_Atomic uint64_t *lvl = tbl->it_base;

	if (tcesim_likely(!level))
		return &lvl[idx & mask];
	while (level) {
		/* acquire: pairs with the release CAS of tce_install_chain() */
		uint64_t v = be64toh(atomic_load_explicit(
			&lvl[(idx >> (level * tbl->it_level_shift)) & mask], memory_order_acquire));

		if (tcesim_unlikely(!v))
			return tce_slot(tbl, false, index, alloc);
		lvl = (_Atomic uint64_t *)(uintptr_t)(v & ~(uint64_t)TCESIM_TCE_PERM_MASK);
		level--;
	}
	return &lvl[idx & mask];
}

/* Permission bits of a new TCE (pnv_tce_build/pnv_tce_xchg; Q7). */
static inline uint64_t tce_proto(enum tcesim_dma_data_direction dir, bool force_read)
{
	uint64_t proto = tcesim_direction_to_tce_perm(dir);

	/* powernv stores W as W|R. */
	if (force_read && (proto & TCESIM_TCE_PCI_WRITE))
		proto |= TCESIM_TCE_PCI_READ;
	return proto;
}

/*
 * Table forms of tce_proto(dir, true) and tcesim_tce_direction(), for the
 * inline exchange: @dir must be valid (<= DMA_NONE). tests/table checks
 * them against the switch forms for every input.
 */
static inline uint64_t tce_perm_pnv(enum tcesim_dma_data_direction dir)
{
	static const uint8_t perm[4] = {
		[TCESIM_DMA_BIDIRECTIONAL] = TCESIM_TCE_PCI_READ | TCESIM_TCE_PCI_WRITE,
		[TCESIM_DMA_TO_DEVICE] = TCESIM_TCE_PCI_READ,
		[TCESIM_DMA_FROM_DEVICE] = TCESIM_TCE_PCI_READ | TCESIM_TCE_PCI_WRITE, /* W|R */
		[TCESIM_DMA_NONE] = 0,
	};

	return perm[(unsigned int)dir & 3];
}

static inline enum tcesim_dma_data_direction tce_perm_to_dir(uint64_t tce)
{
	static const uint8_t dir[4] = {
		[0] = TCESIM_DMA_NONE,
		[TCESIM_TCE_PCI_READ] = TCESIM_DMA_TO_DEVICE,
		[TCESIM_TCE_PCI_WRITE] = TCESIM_DMA_FROM_DEVICE,
		[TCESIM_TCE_PCI_READ | TCESIM_TCE_PCI_WRITE] = TCESIM_DMA_BIDIRECTIONAL,
	};

	return (enum tcesim_dma_data_direction)dir[tce & TCESIM_TCE_PERM_MASK];
}

/* tce_xchg_slot(), inline: see there. */
static inline int tce_xchg_slot_inline(struct tcesim_iommu_table *tbl, long index,
				       uint64_t *hpa, enum tcesim_dma_data_direction *dir,
				       bool force_read)
{
	enum tcesim_dma_data_direction d = *dir;
	uint64_t newtce = *hpa | tce_proto(d, force_read), old;
	_Atomic uint64_t *slot;

	slot = tce_slot_fast(tbl, index, d != TCESIM_DMA_NONE);
	if (tcesim_unlikely(!slot)) {
		if (d != TCESIM_DMA_NONE)
			return -ENOMEM;
		/* Q10: "was empty"; *dir stays DMA_NONE, nothing allocated. */
		*hpa = 0;
		return 0;
	}
	old = tce_xchg(slot, newtce);
	*hpa = old & ~(TCESIM_TCE_PCI_READ | TCESIM_TCE_PCI_WRITE);
	*dir = tcesim_tce_direction(old);
	return 0;
}

#endif /* TCESIM_TABLE_INTERNAL_H */
