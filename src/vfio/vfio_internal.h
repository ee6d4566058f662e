/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vfio_internal.h - structures of the vfio module: preregistered regions
 * (mm_iommu_table_group_mem_t), the sPAPR TCE container, the KVM links.
 *
 * Lock order (outermost first; see also src/internal.h):
 *   vfio->kvm_attach_lock > kvm->lock > vfio->links_lock
 *   vfio->lock > container->lock > vfio->mem_list_mutex > phb->lock > mm->lock
 *   vfio->entry_lock[] (spinlocks): leaf, taken inside RCU sections.
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

struct vfio_state *vfio_state_get(struct tcesim_world *w);
struct vfio_state *vfio_state_peek(struct tcesim_world *w);

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

/* ---- vfio_iommu_spapr_tce.c ---- */
/* tce_page_is_contained(); caller in an RCU section. */
bool tce_page_is_contained(struct vfio_state *st, struct tcesim_mm *mm, uint64_t hpa,
			   unsigned int it_page_shift);

/* ---- kvm_vfio.c ---- */
/* Drop every KVM link of @pe (@kvm NULL: of every guest); returns the count. */
int vfio_kvm_release_group(struct vfio_state *st, struct tcesim_kvm *kvm, struct tcesim_pe *pe);
void vfio_kvm_release_all(struct vfio_state *st);

#endif /* TCESIM_VFIO_INTERNAL_H */
