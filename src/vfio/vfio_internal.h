/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vfio_internal.h - structures of the vfio module: preregistered regions
 * (mm_iommu_table_group_mem_t), the sPAPR TCE container, the KVM links.
 *
 * Lock order (outermost first; see also src/internal.h):
 *   vfio->kvm_attach_lock > kvm->lock > vfio->links_lock
 *   vfio->lock > container->lock > vfio->mem_list_mutex > phb->lock > mm->lock
 *   vfio->entry_lock[] (spinlocks): leaf, taken inside RCU sections.
 *
 * The files of src/vfio call each other one way, bottom to top (a file calls
 * only files of a lower layer; tests/api vfio_layers checks it from the
 * objects' symbols):
 *
 *   0  iommu_api.c            preregistered regions (book3s64/iommu_api.c)
 *   1  vfio_tce_build.c       v1/v2 build paths and the clear
 *   1  vfio_tce_mem.c         REGISTER/UNREGISTER_MEMORY, ENABLE/DISABLE
 *   1  kvm_vfio.c             KVM links of a PE's tables (virt/kvm/vfio.c)
 *   2  vfio_tce_window.c      windows: default, DDW create, remove
 *   3  vfio_tce_ioctl.c       the container ioctl dispatch
 *   4  vfio_iommu_spapr_tce.c the container: open, attach, detach, release
 *   5  vfio_state.c           the per-world state; its destructor tears
 *                             every layer down. The layers create it on
 *                             first use (vfio_state_get()): the one call
 *                             that goes up, left out of the check.
 *
 * The static inline helpers below belong to the layer of the file they sit
 * under ("---- file.c ----"); the container helpers are leaves.
 */
#ifndef TCESIM_VFIO_INTERNAL_H
#define TCESIM_VFIO_INTERNAL_H

#include "internal.h"
#include "mem/mem_internal.h"
#include "table/table_internal.h"
#include "ops/phb_internal.h"
#include "kvm/kvm_internal.h"
#include <tcesim/vfio.h>

/* MM_IOMMU_TABLE_GROUP_PAGE_DIRTY: bit 0 of an hpas[] entry */
#define MM_IOMMU_PAGE_DIRTY	0x1ULL
#define VFIO_ENTRY_LOCKS	64

/*
 * struct tcesim_mm_iommu_region (mm_iommu_table_group_mem_t). Members are
 * immutable after it is published on vfio->regions unless said otherwise.
 */
struct tcesim_mm_iommu_region {
	struct cds_list_head next;	/* vfio->regions: RCU; writers hold mem_list_mutex */
	struct rcu_head rcu;
	struct tcesim_world *w;
	struct tcesim_mm *mm;		/* owner; mmgrab'ed until unlinked */
	uint64_t ua;			/* bytes */
	uint64_t entries;		/* host pages */
	unsigned int pageshift;
	uint64_t dev_hpa;		/* TCESIM_MM_IOMMU_INVALID_HPA: normal memory */
	long used;			/* protected by vfio->mem_list_mutex */
	_Atomic long mapped;		/* atomic; 1 = no TCE, 0 = being freed */
	/* per page: hpa | MM_IOMMU_PAGE_DIRTY (bit set atomically); NULL for devmem */
	_Atomic uint64_t *hpas;
};

/* One group (PE) in a container: struct tce_iommu_group. */
struct tce_iommu_group {
	struct cds_list_head next;	/* container->group_list, under container->lock */
	struct tcesim_pe *pe;		/* immutable */
};

/* One region used by a container: struct tce_iommu_prereg. */
struct tce_iommu_prereg {
	struct cds_list_head next;	/* container->prereg_list, under container->lock */
	struct tcesim_mm_iommu_region *mem; /* holds one use */
};

struct tcesim_tce_container {
	struct tcesim_world *w;		/* immutable */
	bool v2;			/* immutable */
	struct tcesim_mutex lock;	/* protects everything below not marked otherwise */
	_Atomic bool enabled;		/* written under lock; MAP/UNMAP read it without */
	bool def_window_pending;
	unsigned long locked_pages;	/* v1 ENABLE charge, host pages */
	_Atomic(struct tcesim_mm *) mm;	/* set once under lock (mmgrab); read lock-free */
	/*
	 * Window tables. RCU: MAP/UNMAP read them with tcesim_rcu_deref() and
	 * use them inside their read-side section; writers hold lock, publish
	 * with tcesim_rcu_assign() and clear a table only after unpublishing
	 * it and a grace period.
	 */
	struct tcesim_iommu_table *tables[TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES];
	/* per window: the table is the PE's own (borrowing ops), not ours */
	bool borrowed[TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES];
	/* per window: locked_vm charged for the table (it_allocated_size), pages */
	unsigned long table_pages[TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES];
	struct cds_list_head group_list;	/* struct tce_iommu_group */
	struct cds_list_head prereg_list;	/* struct tce_iommu_prereg */
	struct cds_list_head node;	/* vfio->containers, under vfio->lock */
};

/* A hardware table linked to one KVM LIOBN: the priv of the linked ops. */
struct vfio_kvm_tbl {
	struct cds_list_head node;	/* vfio->kvm_tbls, under links_lock */
	struct tcesim_world *w;		/* immutable */
	struct tcesim_kvm *kvm;		/* immutable */
	uint64_t liobn;			/* immutable */
	unsigned int stt_page_shift;	/* immutable */
	struct tcesim_iommu_table *tbl;	/* immutable; holds a table reference */
	struct rcu_head rcu;
};

/* One successful kvm_spapr_tce_attach_iommu_group() (one stit kref). */
struct vfio_kvm_link {
	struct cds_list_head node;	/* vfio->kvm_links, under links_lock */
	struct tcesim_kvm *kvm;
	uint64_t liobn;
	struct tcesim_pe *pe;
	struct vfio_kvm_tbl *priv;
};

/* Per-world state of the vfio module (TCESIM_SLOT_VFIO). */
struct vfio_state {
	struct tcesim_world *w;
	struct tcesim_mutex lock;	/* protects containers (VFIO core's group->container) */
	struct cds_list_head containers;
	struct tcesim_mutex mem_list_mutex; /* writers of regions, region->used */
	struct cds_list_head regions;	/* every mm's regions; RCU */
	struct tcesim_mutex kvm_attach_lock; /* serialises attach/release of KVM links */
	struct tcesim_mutex links_lock;	/* protects kvm_tbls and kvm_links (leaf) */
	struct cds_list_head kvm_tbls;
	struct cds_list_head kvm_links;
	/* (TCE, shadow) pairs of one entry change together under its stripe */
	pthread_spinlock_t entry_lock[VFIO_ENTRY_LOCKS];
};

/* ---- vfio_state.c ---- */
/* The world's vfio state, created on first use; NULL on -ENOMEM. */
struct vfio_state *vfio_state_get(struct tcesim_world *w);

/* The world's vfio state if it exists (no side effect). */
static inline struct vfio_state *vfio_state_peek(struct tcesim_world *w)
{
	return tcesim_world_slot_peek(w, TCESIM_SLOT_VFIO);
}

static inline pthread_spinlock_t *vfio_entry_lock(struct vfio_state *st,
						  const struct tcesim_iommu_table *tbl,
						  uint64_t entry)
{
	uint64_t h = ((uint64_t)(uintptr_t)tbl >> 6) ^ (entry * 0x9E3779B97F4A7C15ULL);

	return &st->entry_lock[(h >> 32) & (VFIO_ENTRY_LOCKS - 1)];
}

/* ---- iommu_api.c ---- */
/* mm_iommu_lookup() without the public wrapper: caller in an RCU section. */
struct tcesim_mm_iommu_region *mm_iommu_lookup_rcu(struct vfio_state *st, struct tcesim_mm *mm,
						   uint64_t ua, uint64_t size);
bool mm_iommu_is_devmem_rcu(struct vfio_state *st, struct tcesim_mm *mm, uint64_t hpa,
			    unsigned int pageshift, uint64_t *size);
/* mm_iommu_cleanup(): free every region left (world teardown). */
void mm_iommu_cleanup_all(struct vfio_state *st);
int mm_iommu_ua_to_hpa(struct tcesim_mm_iommu_region *mem, uint64_t ua, unsigned int pageshift,
		       uint64_t *hpa);

/* ---- container helpers (from vfio_iommu_spapr_tce.c; leaves) ---- */

static inline bool quirks_upstream(const struct tcesim_tce_container *c)
{
	return tcesim_quirks_upstream(c->w);
}

/*
 * iommu_tce_check_ioba() of the modelled era: with the npages fix (modern),
 * or the pre-fix form (legacy_2013/2015/2016: quirk Q2).
 */
static inline int vfio_check_ioba(struct tcesim_tce_container *c, struct tcesim_iommu_table *tbl,
			   uint64_t iova, unsigned long npages)
{
	if (tcesim_flavour_is(c->w, TCESIM_FLAVOUR_LEGACY_2013) ||
	    tcesim_flavour_is(c->w, TCESIM_FLAVOUR_LEGACY_2015) ||
	    tcesim_flavour_is(c->w, TCESIM_FLAVOUR_LEGACY_2016))
		return tcesim_iommu_tce_check_ioba_prefix(tbl->it_page_shift, tbl->it_offset,
							  tbl->it_size, iova, npages);
	return tcesim_iommu_tce_check_ioba(tbl->it_page_shift, tbl->it_offset, tbl->it_size, iova,
					   npages);
}

/*
 * Documented quirk (issue 8.4): tce_iommu_create_table() does not give back
 * the locked_vm it charged when create_table fails (upstream after 2016;
 * legacy_2013/2015/2016 decremented it). Reproduced under quirks=upstream.
 */
static inline bool vfio_create_table_leaks(const struct tcesim_tce_container *c)
{
	return quirks_upstream(c) && !tcesim_flavour_is(c->w, TCESIM_FLAVOUR_LEGACY_2013) &&
	       !tcesim_flavour_is(c->w, TCESIM_FLAVOUR_LEGACY_2015) &&
	       !tcesim_flavour_is(c->w, TCESIM_FLAVOUR_LEGACY_2016);
}

static inline unsigned int host_shift(const struct tcesim_tce_container *c)
{
	return tcesim_page_shift(c->w);
}

static inline struct tcesim_mm *container_mm(struct tcesim_tce_container *c)
{
	return atomic_load_explicit(&c->mm, memory_order_acquire);
}

/* tce_iommu_mm_set(): bind the container to the first process using it. */
static inline int tce_iommu_mm_set(struct tcesim_tce_container *c, struct tcesim_mm *cur)
{
	struct tcesim_mm *old = container_mm(c);

	if (old)
		return old == cur ? 0 : -EPERM;
	tcesim_mmgrab(cur);
	/* Release pairs with container_mm()'s acquire. */
	if (!atomic_compare_exchange_strong_explicit(&c->mm, &old, cur, memory_order_acq_rel,
						     memory_order_acquire)) {
		tcesim_mmdrop(cur);
		return old == cur ? 0 : -EPERM;
	}
	return 0;
}

static inline struct tce_iommu_group *first_group(struct tcesim_tce_container *c)
{
	if (cds_list_empty(&c->group_list))
		return NULL;
	return cds_list_entry(c->group_list.next, struct tce_iommu_group, next);
}

static inline bool groups_attached(struct tcesim_tce_container *c)
{
	bool ret;

	tcesim_mutex_lock(&c->lock);
	ret = !cds_list_empty(&c->group_list);
	tcesim_mutex_unlock(&c->lock);
	return ret;
}

/* tce_iommu_find_table(); caller in an RCU section or holding c->lock. */
static inline int tce_iommu_find_table(struct tcesim_tce_container *c, uint64_t ioba,
				struct tcesim_iommu_table **ptbl)
{
	int i;

	for (i = 0; i < TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES; i++) {
		struct tcesim_iommu_table *tbl = tcesim_rcu_deref(c->tables[i]);

		if (tbl && tce_entry_in_table(tbl, ioba >> tbl->it_page_shift, 1)) {
			*ptbl = tbl;
			return i;
		}
	}
	return -1;
}

/* ---- vfio_tce_build.c ---- */
/* tce_page_is_contained(); caller in an RCU section. */
bool tce_page_is_contained(struct vfio_state *st, struct tcesim_mm *mm, uint64_t hpa,
			   unsigned int it_page_shift);
void tce_iommu_clear(struct tcesim_tce_container *c, struct tcesim_iommu_table *tbl,
		     uint64_t entry, uint64_t pages);
long tce_iommu_build(struct tcesim_tce_container *c, struct tcesim_mm *cur,
		     struct tcesim_iommu_table *tbl, uint64_t entry, uint64_t tce,
		     uint64_t pages, enum tcesim_dma_data_direction dir);
long tce_iommu_build_v2(struct tcesim_tce_container *c, struct tcesim_iommu_table *tbl,
			uint64_t entry, uint64_t tce, uint64_t pages,
			enum tcesim_dma_data_direction dir);

/* ---- vfio_tce_window.c ---- */
void tce_iommu_free_table(struct tcesim_tce_container *c, int num,
			  struct tcesim_iommu_table *tbl);
long tce_iommu_create_window(struct tcesim_tce_container *c, unsigned int page_shift,
			     uint64_t window_size, unsigned int levels,
			     uint64_t *start_addr);
long tce_iommu_create_default_window(struct tcesim_tce_container *c);
long create_default_window_locked(struct tcesim_tce_container *c);
struct tcesim_iommu_table *unpublish_table(struct tcesim_tce_container *c, int num);
void clear_whole_table(struct tcesim_tce_container *c, struct tcesim_iommu_table *tbl);
long tce_iommu_remove_window(struct tcesim_tce_container *c, uint64_t start_addr);

/* ---- vfio_tce_mem.c ---- */
long tce_iommu_register_pages(struct tcesim_tce_container *c, uint64_t vaddr,
			      uint64_t size);
long tce_iommu_unregister_pages(struct tcesim_tce_container *c, uint64_t vaddr,
				uint64_t size);
long tce_iommu_enable(struct tcesim_tce_container *c, struct tcesim_mm *cur);
void tce_iommu_disable(struct tcesim_tce_container *c);

/* ---- kvm_vfio.c ---- */
/* Drop every KVM link of @pe (@kvm NULL: of every guest); returns the count. */
int vfio_kvm_release_group(struct vfio_state *st, struct tcesim_kvm *kvm, struct tcesim_pe *pe);
void vfio_kvm_release_all(struct vfio_state *st);

#endif /* TCESIM_VFIO_INTERNAL_H */
