/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mem_internal.h - host page frames and process address spaces.
 *
 * The files of src/mem call each other one way, bottom to top (a file calls
 * only files of a lower layer; tests/api mem_layers checks it from the
 * objects' symbols):
 *
 *   0  hostmem.c        simulated RAM: frames, pins, dirty bits, bytes; the
 *                       world state, whose destructor frees the mms left
 *   1  hostmem_query.c  tcesim_alloc_pages(): the public door to frames
 *   1  mm.c             process address spaces over those frames
 *   1  mem_balance.c    locked_vm still charged (issue 10 invariant)
 *
 * The inline helpers at the end belong to mm.c's concept (an mm's end) but
 * sit here so the destructor in hostmem.c can use them.
 */
#ifndef TCESIM_MEM_INTERNAL_H
#define TCESIM_MEM_INTERNAL_H

#include "internal.h"
#include <tcesim/mem.h>

/* Simulated RAM spans [0, 4 TiB): any hpa below is a valid frame. */
#define HOSTMEM_MAX_HPA		(1ULL << 42)
#define HOSTMEM_CHUNK_SHIFT	9	/* frames per chunk: 512 (12 KiB) */
#define HOSTMEM_MID_SHIFT	11	/* chunk pointers per middle table: 2048 */
#define HOSTMEM_ALLOC_BASE	(1ULL << 32) /* frames for processes start at 4 GiB */
/*
 * Bytes of anonymous mappings all processes of a world may hold at once
 * (include/tcesim/mem.h: TCESIM_MM_COMMIT_LIMIT): the per-page bookkeeping
 * of a VMA is allocated at mmap, so this bounds the model's memory.
 */
#define HOSTMEM_COMMIT_LIMIT	TCESIM_MM_COMMIT_LIMIT

/*
 * One host page frame. pins/dirty are used on the compound head only
 * (folio semantics); bytes per base page.
 */
struct tcesim_frame {
	_Atomic int pins;		/* atomic; head page only */
	_Atomic unsigned char dirty;	/* atomic; head page only */
	_Atomic unsigned char populated; /* set once, when handed out or touched */
	unsigned char compound_shift;	/* 0: plain page; written before populated */
	_Atomic(unsigned char *) bytes; /* PAGE_SIZE bytes, cmpxchg-installed on first write */
	uint32_t head_off;		/* frames back to the compound head; before populated */
};

struct hostmem {
	struct tcesim_world *w;
	unsigned int page_shift;	/* immutable */
	uint64_t nr_chunks;		/* immutable */
	/*
	 * Two levels of chunk pointers (top -> middle table -> chunk), each
	 * installed by cmpxchg on first use and freed at destroy: a world
	 * allocates only what it touches (an explored world is made once per
	 * schedule, issue 10; one flat 2^16-pointer table cost a 512 KiB
	 * memset or mapping per world).
	 */
	_Atomic(_Atomic(struct tcesim_frame *) *) *top;
	uint64_t nr_top;		/* immutable */
	/*
	 * [pfn_lo, pfn_hi): every frame ever looked up lies inside, so the
	 * scans (pins, digest, destroy) visit a few frames, not the 2^30 of
	 * the address space: an explored world is made and torn down once per
	 * schedule (issue 10). Widened with relaxed atomic min/max.
	 */
	_Atomic uint64_t pfn_lo, pfn_hi;
	struct tcesim_mutex lock;	/* protects next_pfn and mms */
	uint64_t next_pfn;		/* bump allocator for process pages */
	struct cds_list_head mms;	/* every live struct tcesim_mm */
	/* locked_vm pages still charged to processes when they were freed
	 * (mem_balance.c: tcesim_mem_locked_vm_charged()) */
	_Atomic unsigned long locked_vm_freed;
	/* bytes of live VMAs of every mm (vm_committed_as); changed under
	 * the mm's lock with atomic add/sub, checked by mmap */
	_Atomic uint64_t committed;
};


struct mm_vma {
	uint64_t start, end;		/* bytes, [start, end) */
	unsigned int prot;		/* TCESIM_PROT_* */
	unsigned int page_shift;	/* backing page shift (>= host's) */
	uint64_t *pfns;			/* per host page: 0 unpopulated, else pfn + 1 */
};

struct tcesim_mm {
	struct tcesim_world *w;		/* immutable */
	char name[32];			/* immutable */
	struct tcesim_mutex lock;	/* protects vmas, nr_vmas, vma_cap, exited */
	struct mm_vma *vmas;		/* sorted by start */
	size_t nr_vmas, vma_cap;
	bool exited;			/* exit_mmap ran */
	bool exit_called;		/* tcesim_mm_exit() ran (creator refs dropped) */
	uint64_t memlock;		/* RLIMIT_MEMLOCK bytes; immutable */
	bool cap_ipc_lock;		/* immutable */
	_Atomic unsigned long locked_vm; /* pages; updated under lock */
	_Atomic int mm_users;		/* mmget/mmput */
	_Atomic int mm_count;		/* mmgrab/mmdrop */
	/*
	 * SVA: struct iommu_mm_data, published with release semantics
	 * (iommu-sva.c: smp_store_release(&mm->iommu_mm)); read with acquire.
	 */
	_Atomic(void *) iommu_mm;
	/* called from __mmdrop (mm_pasid_drop); set under the SVA lock */
	void (*drop_hook)(struct tcesim_mm *mm);
	struct cds_list_head node;	/* in hostmem->mms, under hostmem->lock */
};

struct hostmem *hostmem_get(struct tcesim_world *w);
/* Frame of @hpa (its compound head when @head), creating the chunk. NULL
 * beyond RAM or on allocation failure. */
struct tcesim_frame *hostmem_frame(struct hostmem *hm, uint64_t hpa, bool head);
/* Allocate a compound block of 1 << order host pages; returns first pfn or 0. */
uint64_t hostmem_alloc_pfns(struct hostmem *hm, unsigned int order);

static inline uint64_t hostmem_page_size(const struct hostmem *hm)
{
	return 1ULL << hm->page_shift;
}

/*
 * ---- the end of a struct tcesim_mm (from mm.c) ----
 * __mmdrop (mm.c) and the world destructor (hostmem.c) both free an mm;
 * inline here so that hostmem.c, below mm.c, calls nothing above it.
 */
static inline void mm_free_vmas(struct tcesim_mm *mm)
{
	size_t i;

	for (i = 0; i < mm->nr_vmas; i++) {
		atomic_fetch_sub(&hostmem_get(mm->w)->committed,
				 mm->vmas[i].end - mm->vmas[i].start);
		tcesim_kfree(mm->w, mm->vmas[i].pfns);
	}
	tcesim_kfree(mm->w, mm->vmas);
	mm->vmas = NULL;
	mm->nr_vmas = mm->vma_cap = 0;
}

static inline void mm_free(struct tcesim_mm *mm)
{
	struct hostmem *hm = hostmem_get(mm->w);

	tcesim_mutex_lock(&hm->lock);
	cds_list_del(&mm->node);
	tcesim_mutex_unlock(&hm->lock);
	atomic_fetch_add(&hm->locked_vm_freed, atomic_load(&mm->locked_vm)); /* mem_balance.c */
	mm_free_vmas(mm);
	tcesim_mutex_destroy(&mm->lock);
	tcesim_kfree(mm->w, mm);
}

#endif
