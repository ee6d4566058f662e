/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * phb_internal.h - PHB variants as ops tables, PEs, devices, the TCE cache.
 *
 * Models: arch/powerpc/platforms/powernv/pci-ioda.c (struct pnv_phb,
 * struct pnv_ioda_pe, pnv_ioda{1,2}_iommu_ops, pnv_pci_ioda2_ops) and
 * arch/powerpc/kernel/iommu.c (spapr_tce_table_group_ops).
 *
 * The files of src/ops call each other one way, bottom to top (a file calls
 * only files of a lower layer; tests/api ops_layers checks it from the
 * objects' symbols):
 *
 *   0  phb_kill_check.c the stale-after-kill oracle of explored runs (issue 10)
 *   1  phb_cache.c     the PHB's TCE cache, kills, device DMA
 *   1  phb_tce.c       TCE exchange/kill wrappers (kernel/iommu.c)
 *   1  group_spapr.c   the borrowing table group ops (kernel/iommu.c)
 *   1  iommu_spapr.c   the iommu_ops of a PE's group (kernel/iommu.c)
 *   1  phb_inspect.c   read-only inspection
 *   2  phb_pe.c        PEs, their windows, ownership, kernel DMA API
 *   3  phb_p5ioc2.c, phb_ioda1.c, phb_ioda2.c: the variants' ops tables
 *   4  phb.c           variant dispatch, per-world state, PHBs, devices
 *
 * phb_mock.c (test-only, not in the library) is a variant like the others.
 */
#ifndef TCESIM_PHB_INTERNAL_H
#define TCESIM_PHB_INTERNAL_H

#include "internal.h"
#include "table/table_internal.h"
#include <tcesim/phb.h>
#include <tcesim/mem.h>

#define TCESIM_PHB_MAX_PES	256	/* PHB3 kill register encodes pe & 0xFF */
#define TCE_CACHE_SLOTS		1024	/* direct-mapped PHB TCE cache */

struct tcesim_pe;

/**
 * struct tcesim_pe_group_ops - table group ops of a variant
 * @get_table_size: bytes for a table of that geometry (0 / ~0U: invalid)
 * @create_table: new table for window @num (one reference)
 * @set_window: program @tbl into window @num; caller holds phb->lock
 * @unset_window: empty window @num; caller holds phb->lock
 * @take_ownership: hand the windows to userspace; caller holds phb->lock
 * @release_ownership: give them back; caller holds phb->lock
 *
 * Return contracts are those of the tcesim_pe_* wrappers in tcesim/phb.h.
 */
struct tcesim_pe_group_ops {
	unsigned long (*get_table_size)(struct tcesim_pe *pe, unsigned int page_shift,
					uint64_t window_size, unsigned int levels);
	int (*create_table)(struct tcesim_pe *pe, unsigned int num, unsigned int page_shift,
			    uint64_t window_size, unsigned int levels, bool alloc_userspace_copy,
			    struct tcesim_iommu_table **out);
	int (*set_window)(struct tcesim_pe *pe, unsigned int num, struct tcesim_iommu_table *tbl);
	int (*unset_window)(struct tcesim_pe *pe, unsigned int num);
	int (*take_ownership)(struct tcesim_pe *pe);
	int (*release_ownership)(struct tcesim_pe *pe);
};

/**
 * struct tcesim_phb_ops - one PHB variant (one const instance per file)
 * @name: "p5ioc2", "ioda1", "ioda2"
 * @table_ops: iommu_table_ops of the modern flavour; NULL: the variant does
 *	not exist in that era (P5IOC2)
 * @table_ops_2015: iommu_table_ops of legacy_2015 (with ->exchange)
 * @group_ops: table group ops, modern
 * @group_ops_2015: table group ops, legacy_2015
 * @kill_pages: hardware invalidation of [@index, @index + @npages) of
 *	@tbl in @pe: evicts cached translations, counts register writes or
 *	OPAL calls. NULL: no TCE cache.
 * @kill_pe: PE-wide invalidation (set/unset_window). NULL: no TCE cache.
 * @default_pgsizes: pgsizes when the config gives none
 * @allowed_pgsizes: pgsizes the hardware can do at all
 * @iommu_page_shift: IOMMU page shift of the default window; 0 = host's
 * @max_levels: table levels the variant supports
 * @max_windows: DMA windows per PE (max_dynamic_windows_supported)
 * @has_bypass: the variant has the TVE#1 bypass window
 */
struct tcesim_phb_ops {
	const char *name;
	const struct tcesim_iommu_table_ops *table_ops;
	const struct tcesim_iommu_table_ops *table_ops_2015;
	const struct tcesim_pe_group_ops *group_ops;
	const struct tcesim_pe_group_ops *group_ops_2015;
	void (*kill_pages)(struct tcesim_pe *pe, struct tcesim_iommu_table *tbl,
			   unsigned long index, unsigned long npages);
	void (*kill_pe)(struct tcesim_pe *pe);
	uint64_t default_pgsizes;
	uint64_t allowed_pgsizes;
	unsigned int iommu_page_shift;
	unsigned int max_levels;
	unsigned int max_windows;
	bool has_bypass;
};

extern const struct tcesim_phb_ops phb_p5ioc2_ops;
extern const struct tcesim_phb_ops phb_ioda1_ops;
extern const struct tcesim_phb_ops phb_ioda2_ops;
/*
 * Test-only variant (phb_mock.c, object library tcesim_phb_mock): not in
 * the public enum nor in libtcesim; weak, so phb_variants[TCESIM_PHB_MOCK]
 * is NULL (tcesim_phb_create() -> -EINVAL) unless a test links the mock.
 */
#define TCESIM_PHB_MOCK		((enum tcesim_phb_model)TCESIM_PHB_NR)
#define TCESIM_PHB_NR_ALL	(TCESIM_PHB_NR + 1)
extern const struct tcesim_phb_ops phb_mock_ops __attribute__((weak));
/* Borrowing table group ops (IODA1, P5IOC2, every variant in legacy_2015). */
extern const struct tcesim_pe_group_ops spapr_tce_group_ops;

/* One cached translation: (PE, window, entry) -> TCE. */
struct tce_cache_ent {
	uint64_t entry;			/* absolute entry */
	uint64_t tce;			/* 0: slot empty */
	unsigned int pe_number;
	unsigned int win;
};

/*
 * The PHB's TCE cache. Direct mapped: a new translation may evict another
 * (hardware caches are finite too); only a kill guarantees eviction.
 */
struct tce_cache {
	pthread_spinlock_t lock;	/* protects e[] */
	struct tce_cache_ent e[TCE_CACHE_SLOTS];
};

struct tcesim_phb {
	struct tcesim_world *w;		/* immutable */
	const struct tcesim_phb_ops *ops; /* immutable */
	enum tcesim_phb_model model;	/* immutable */
	enum tcesim_phb_kill kill;	/* immutable */
	uint64_t pgsizes;		/* immutable */
	unsigned int index;		/* hose->global_number; immutable */
	char name[32];			/* immutable */
	struct tcesim_mutex lock;	/* protects pes, next_pe, pe->{devs,owned,bypass,dflt}
					 * and writers of pe->table_group.tables[] */
	struct cds_list_head pes;	/* under lock */
	unsigned int nr_pes;		/* under lock */
	unsigned int next_pe;		/* under lock */
	struct tce_cache cache;		/* own spinlock */
	_Atomic uint64_t kill_reg_writes; /* atomic counters */
	_Atomic uint64_t opal_kills;
	_Atomic uint64_t cache_hits;
	_Atomic uint64_t cache_misses;
	_Atomic uint64_t cache_evictions;
	struct cds_list_head node;	/* in ops_state->phbs, under ops_state->lock */
};

/*
 * The iommu domain a PE's group is attached to (iommu_spapr.c). NONE until
 * the first attach: the kernel's default window exists from PE creation
 * ("At first attach the ownership is already set").
 */
enum pe_domain {
	PE_DOMAIN_NONE = 0,	/* no attach yet (group->domain == NULL) */
	PE_DOMAIN_PLATFORM,	/* spapr_tce_platform_domain: the kernel's windows */
	PE_DOMAIN_BLOCKED,	/* spapr_tce_blocked_domain: take_ownership done */
};

struct tcesim_pe {
	struct tcesim_phb *phb;		/* immutable */
	unsigned int pe_number;		/* immutable */
	char name[32];			/* immutable */
	struct tcesim_iommu_table_group table_group; /* tables[]: RCU, writers phb->lock */
	const struct tcesim_pe_group_ops *gops; /* immutable */
	uint64_t window_size;		/* default window 0 size; immutable */
	_Atomic bool bypass;		/* TVE#1 bypass on; written under phb->lock */
	bool nobypass;			/* immutable */
	bool owned;			/* table group ownership taken; under phb->lock */
	enum pe_domain domain;		/* under phb->lock */
	void *dma_owner;		/* group->owner: user claimant or NULL; phb->lock */
	unsigned int owner_cnt;		/* group->owner_cnt: claims + bound kernel
					 * drivers; under phb->lock */
	struct tcesim_iommu_table *dflt; /* the default window's creator ref; phb->lock */
	struct cds_list_head devs;	/* under phb->lock */
	struct cds_list_head node;	/* in phb->pes, under phb->lock */
};

struct tcesim_pci_dev {
	struct tcesim_pe *pe;		/* immutable */
	char name[32];			/* immutable */
	uint64_t dma_mask;		/* bytes; immutable */
	/* dma_get_seg_boundary(): 2^n - 1 bytes, default 4 GiB (PCI); atomic */
	_Atomic uint64_t seg_boundary_mask;
	bool bound;			/* under phb->lock */
	_Atomic bool fail_iommu;	/* atomic */
	struct cds_list_head node;	/* in pe->devs, under phb->lock */
};

/* Per-world state of the ops module (TCESIM_SLOT_OPS). */
struct ops_state {
	struct tcesim_mutex lock;	/* protects phbs, next_phb; serialises hook writers */
	struct cds_list_head phbs;	/* under lock */
	unsigned int next_phb;		/* under lock */
	/* written under lock with a release store, read locklessly (acquire) */
	bool (*is_devmem)(struct tcesim_mm *mm, uint64_t hpa, unsigned int page_shift);
};

/*
 * Hook for preregistered device memory (mm_iommu_is_devmem): set by the
 * VFIO prereg code; xchg_no_kill does not dirty such pages.
 */
int tcesim_ops_set_devmem_hook(struct tcesim_world *w,
			       bool (*fn)(struct tcesim_mm *mm, uint64_t hpa,
					  unsigned int page_shift));

/* The flavour's table and table-group ops of a PHB (moved from phb.c). */
static inline bool legacy_2015(const struct tcesim_world *w)
{
	return tcesim_flavour_is(w, TCESIM_FLAVOUR_LEGACY_2015);
}

static inline const struct tcesim_iommu_table_ops *
phb_table_ops(const struct tcesim_phb *phb)
{
	return legacy_2015(phb->w) ? phb->ops->table_ops_2015 : phb->ops->table_ops;
}

static inline const struct tcesim_pe_group_ops *phb_group_ops(const struct tcesim_phb *phb)
{
	return legacy_2015(phb->w) ? phb->ops->group_ops_2015 : phb->ops->group_ops;
}

/* ---- phb_cache.c: the TCE cache (variant files' kill_pages) ---- */
void phb_tce_invalidate(struct tcesim_iommu_table *tbl, unsigned long index,
			unsigned long npages);
void phb_cache_evict_range(struct tcesim_phb *phb, unsigned int pe_number, uint64_t index,
			   uint64_t npages);
void phb_cache_evict_pe(struct tcesim_phb *phb, unsigned int pe_number);

/* phb_kill_check.c: the stale-after-kill invariant of explored schedules. */
#define KC_MAX 64
struct kill_check {
	struct tcesim_iommu_table *tbl;
	uint64_t index, npages;
	uint64_t snap[KC_MAX];		/* the range's TCEs when the kill started */
};
/* False (nothing to check) outside a model thread or for a range > KC_MAX. */
bool phb_kill_check_begin(struct kill_check *kc, struct tcesim_iommu_table *tbl,
			  uint64_t index, uint64_t npages);
void phb_kill_check_end(const struct kill_check *kc);
/* Test hook: nonzero makes phb_tce_invalidate() reach no PE (a lost kill). */
extern _Atomic int phb_kill_test_drop;
/* ---- phb_pe.c: set_window/unset_window common halves (caller holds phb->lock) ---- */
int phb_link_window(struct tcesim_pe *pe, unsigned int num, struct tcesim_iommu_table *tbl);
void phb_unlink_window(struct tcesim_pe *pe, unsigned int num);
int phb_setup_default_window(struct tcesim_pe *pe);
uint64_t phb_window_bus_offset(const struct tcesim_pe *pe, unsigned int num);
/* iommu_spapr.c: a device's probe attaches its group's domain (phb->lock held). */
void pe_probe_attach_locked(struct tcesim_pe *pe);

static inline struct tcesim_pe *pe_of_group(struct tcesim_iommu_table_group *tg)
{
	return tcesim_container_of(tg, struct tcesim_pe, table_group);
}

#endif /* TCESIM_PHB_INTERNAL_H */
