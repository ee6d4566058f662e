/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kvm_internal.h - structures of the kvm module: the guest (KVM's struct
 * kvm + QEMU's machine), memslots, KVM's guest-visible TCE tables (stt),
 * QEMU's SpaprTceTable, and the linked-hardware-table interface that the
 * vfio layer will plug into (KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE).
 *
 * Lock order: kvm->lock > stt->alloc_lock > mm->lock. Hypercalls take no
 * kvm->lock: they walk the RCU lists inside a read-side section.
 *
 * The files of src/kvm call each other one way, bottom to top (a file calls
 * only files of a lower layer; the kvm_layers test checks it from the
 * objects' symbols):
 *
 *   0  kvm_guest.c          guest memory: memslots, gpa -> ua, guest reads/writes
 *   1  kvm_stt.c            the common LIOBN/table layer: KVM's stt (create,
 *                           release, links to hardware tables, lazy pages,
 *                           shared checks)
 *   1  spapr_tce_store.c    QEMU-owned entries, sparse
 *   2  book3s_64_vio_2013.c KVM tier, legacy_2013 emulated-table rules
 *   2  spapr_iommu.c        QEMU tier: tables, handlers, translation, tracing
 *   3  book3s_64_vio.c      KVM tier, virtual mode (hands legacy_2013 down)
 *   4  book3s_64_vio_hv.c   KVM tier, real mode (legacy_2016; H_GET_TCE is
 *                           virtual mode's)
 *   5  kvm.c                the guest object, the stt fd close, and the
 *                           dispatcher tcesim_kvm_hcall() over the tiers
 *
 * This header's inline helpers belong to the layer of the file they sit
 * under ("---- file.c ----").
 */
#ifndef TCESIM_KVM_INTERNAL_H
#define TCESIM_KVM_INTERNAL_H

#include <stdio.h>

#include "internal.h"
#include <tcesim/kvm.h>
#include <tcesim/mem.h>

#define KVM_MAX_MEMSLOTS	32
/* SPAPR: "the maximum size of the list is 512 TCEs so the whole table fits in 4K page" */
#define KVM_TCE_LIST_MAX	512
#define SPAPR_TCE_PAGE_MASK	0xfffULL	/* QEMU: (1 << SPAPR_TCE_PAGE_SHIFT) - 1 */
#define SPAPR_PCI_LIOBN_BIT	0x80000000ULL	/* QEMU: SPAPR_IS_PCI_LIOBN() */

/* One memslot: [gpa, gpa + size) -> [va, va + size) in @mm. Immutable. */
struct kvm_memslot {
	uint64_t gpa;
	uint64_t size;
	uint64_t va;
	struct tcesim_mm *mm;	/* holds an mm_count reference */
};

/*
 * The memslot array: replaced whole (copy, publish, free after a grace
 * period). @last_used is the kernel's slots->last_used_slot: the slot the
 * previous lookup found, tried before the binary search (a TCE list's
 * entries almost always fall in the slot of the one before). Readers store
 * it with relaxed atomics; it is only a hint, always range-checked.
 */
struct kvm_memslots {
	struct rcu_head rcu;
	struct tcesim_world *w;
	int n;					/* immutable after publish */
	_Atomic int last_used;			/* hint, relaxed; < n or 0 */
	struct kvm_memslot slot[KVM_MAX_MEMSLOTS];	/* sorted by gpa */
};

/**
 * struct kvmppc_linked_table_ops - a hardware table linked to an stt
 * @validate: may @ua (in @mm) be mapped into this table? H_SUCCESS or
 *	H_TOO_HARD (no preregistered region covering it, ua->hpa fails);
 *	kvmppc_tce_validate() calls it for every linked table. May be NULL.
 * @map: map stt entry @entry (absolute, ioba >> stt page_shift; the op
 *	handles subpages) to @ua with @dir, without invalidating. Returns
 *	H_SUCCESS, H_TOO_HARD or H_HARDWARE.
 * @unmap: clear stt entry @entry (drop its mapped count). Same codes.
 * @clear: clear every subpage of @entry unconditionally (kvmppc_clear_tce).
 * @kill: invalidate the TCE cache for @npages stt entries from @entry.
 * @release: the link goes (stt release or group detach). May be NULL.
 *
 * Models: book3s_64_vio.c: kvmppc_tce_iommu_map/unmap(), kvmppc_clear_tce(),
 *         iommu_tce_kill(); provided later by src/vfio.
 */
struct kvmppc_linked_table_ops {
	long (*validate)(void *priv, struct tcesim_mm *mm, uint64_t ua);
	long (*map)(void *priv, uint64_t entry, struct tcesim_mm *mm, uint64_t ua,
		    enum tcesim_dma_data_direction dir);
	long (*unmap)(void *priv, uint64_t entry);
	void (*clear)(void *priv, uint64_t entry);
	void (*kill)(void *priv, uint64_t entry, uint64_t npages);
	void (*release)(void *priv);
};

/* kvmppc_spapr_tce_iommu_table: one entry of stt->iommu_tables. */
struct kvmppc_spapr_tce_iommu_table {
	struct cds_list_head next;	/* RCU; writers hold kvm->lock */
	const struct kvmppc_linked_table_ops *ops;	/* immutable */
	void *priv;			/* immutable */
	_Atomic int kref;		/* links of this table (attach count) */
	struct rcu_head rcu;
	struct tcesim_world *w;
};

/*
 * KVM's guest-visible TCE table. pages[] is allocated lazily, one host page
 * per TCES_PER_PAGE TCEs in CPU endianness (the kernel's stt->pages[]).
 */
struct kvmppc_spapr_tce_table {
	struct cds_list_head list;	/* kvm->spapr_tce_tables: RCU; writers hold kvm->lock */
	struct tcesim_kvm *kvm;		/* immutable; gone before a deferred free runs */
	struct tcesim_world *w;		/* immutable */
	uint64_t liobn;			/* immutable */
	unsigned int page_shift;	/* immutable */
	uint64_t offset;		/* first entry, pages; immutable */
	uint64_t size;			/* entries; immutable */
	struct tcesim_mm *mm;		/* charged process (mmgrab), or NULL; immutable */
	unsigned long acct_pages;	/* locked_vm charged; immutable */
	unsigned int per_page_shift;	/* log2 TCEs per page; immutable */
	uint64_t npages;		/* pages[] length; immutable */
	struct tcesim_mutex alloc_lock;	/* serialises page allocation */
	struct cds_list_head iommu_tables;	/* RCU; writers hold kvm->lock */
	_Atomic uint64_t live;		/* non-zero entries (relaxed) */
	/*
	 * One bit per pages[] entry that is allocated, set (release) under
	 * alloc_lock after the page is published: walks over a range (a STUFF
	 * of 0, the digest, the free) skip 64 absent pages per load. Model
	 * only: the kernel walks pages[] (upstream's tables are bounded by
	 * kzalloc's size limit, the model's are not).
	 */
	_Atomic uint64_t *present;
	struct rcu_head rcu;
	/* page pointers: published with release under alloc_lock, read acquire */
	_Atomic(_Atomic uint64_t *) pages[];
};

/*
 * The entries of a QEMU-owned table (spapr_tce_store.c): a radix tree of
 * 512-slot nodes, @levels deep (1..7), leaves allocated by the first
 * non-zero store; absent entries are 0 (QEMU's g_new0 array, sparse).
 */
struct spapr_tce_store {
	struct tcesim_world *w;		/* immutable */
	unsigned int levels;		/* immutable */
	_Atomic(void *) root;		/* CAS-published, acquire */
	_Atomic uint64_t leaves;	/* leaves allocated (relaxed) */
	_Atomic uint64_t *budget;	/* the kvm's leaves, all tables (relaxed) */
	atomic_flag warned;		/* a refused store was reported */
};

/*
 * The model's bound on the storage of all QEMU tables of one kvm together:
 * 2^15 leaves of 512 entries (128 MiB of entries, 2^24 live TCEs, a fully
 * mapped 64 GiB window at 4 KiB pages or 1 TiB at 64 KiB). QEMU's g_new0
 * arrays have no such bound; past it a non-zero store is refused and
 * reported once per table (tcesim_pr). World-wide, so that a hostile
 * scenario cannot multiply it by creating tables (fuzz_scenario: two
 * 1 GiB tables were 2 GiB of RSS and 16 s under ASan).
 */
#define SPAPR_TCE_STORE_MAX_LEAVES	(1ULL << 15)
/*
 * Give @s's leaves back to the kvm's budget: called when the table is
 * unpublished (the kvm may be gone when its RCU callback frees the store);
 * a store racing with the removal may leave one leaf counted.
 */
void spapr_tce_store_unbudget(struct spapr_tce_store *s);
/* True the first time a store into @s was refused: the caller reports it. */
bool spapr_tce_store_warn_once(struct spapr_tce_store *s);

void spapr_tce_store_init(struct spapr_tce_store *s, struct tcesim_world *w, uint64_t nb_table,
			  _Atomic uint64_t *budget);
void spapr_tce_store_free(struct spapr_tce_store *s);
_Atomic uint64_t *spapr_tce_store_leaf(struct spapr_tce_store *s, uint64_t index, bool alloc);
uint64_t spapr_tce_store_get(const struct spapr_tce_store *s, uint64_t index);
uint64_t spapr_tce_store_next(const struct spapr_tce_store *s, uint64_t index, uint64_t end);
#define SPAPR_TCE_STORE_LEAF	512	/* entries per leaf */

/* QEMU's SpaprTceTable. Storage: its own (sparse) entries, or a KVM stt (shared). */
struct spapr_tce_table {
	struct cds_list_head list;	/* kvm->qemu_tables: RCU; writers hold kvm->lock */
	uint32_t liobn;			/* immutable */
	uint64_t bus_offset;		/* immutable */
	unsigned int page_shift;	/* immutable */
	uint64_t nb_table;		/* immutable */
	struct spapr_tce_store store;	/* QEMU-owned entries (when !stt) */
	struct kvmppc_spapr_tce_table *stt;	/* KVM storage, or NULL; immutable */
	_Atomic uint64_t live;		/* non-zero entries of store (relaxed) */
	struct rcu_head rcu;
	struct tcesim_world *w;
};

struct tcesim_kvm {
	struct tcesim_world *w;		/* immutable */
	enum tcesim_hcall_mode mode;	/* immutable (world option) */
	struct tcesim_mutex lock;	/* kvm->lock: writers of the lists and memslots */
	struct kvm_memslots *memslots;	/* RCU pointer; replaced under lock */
	struct cds_list_head spapr_tce_tables;	/* stt list; RCU, writers hold lock */
	struct cds_list_head qemu_tables;	/* QEMU tables; RCU, writers hold lock */
	FILE *trace;			/* QEMU trace stream; set before hcalls run */
	_Atomic uint64_t live_tces;	/* non-zero entries over all storage (relaxed) */
	/*
	 * Entries the H_STUFF_TCE stores visited, both tiers (relaxed): a work
	 * counter for tests (tests/kvm kvm_sparse: a STUFF of 0 over a huge,
	 * almost empty table visits only its allocated pages/leaves).
	 */
	_Atomic uint64_t stuff_visited;
	/* leaves of every QEMU table's store (SPAPR_TCE_STORE_MAX_LEAVES) */
	_Atomic uint64_t store_leaves;
	struct cds_list_head node;	/* in kvm_world->vms, under kvm_world->lock */
};

/* ---- kvm.c ---- */
const struct kvm_memslot *kvm_memslot_search_rcu(struct kvm_memslots *slots, uint64_t gpa);

/*
 * Memslot lookup for gfn of @gpa; caller in an RCU read-side section.
 * Models ____gfn_to_memslot(): the last used slot first, then the search
 * (which updates the hint). Inline: it runs for every TCE of a list.
 */
static inline const struct kvm_memslot *kvm_memslot_find_rcu(struct tcesim_kvm *kvm,
							      uint64_t gpa)
{
	struct kvm_memslots *slots = tcesim_rcu_deref(kvm->memslots);
	const struct kvm_memslot *s =
		&slots->slot[atomic_load_explicit(&slots->last_used, memory_order_relaxed)];

	/* n == 0 leaves slot[0] zeroed: size 0 never matches */
	if (tcesim_likely(gpa - s->gpa < s->size))
		return s;
	return kvm_memslot_search_rcu(slots, gpa);
}
/* Account a store's zero-ness change: old -> new. */
static inline void kvm_live_account(struct tcesim_kvm *kvm, _Atomic uint64_t *counter,
				    uint64_t old, uint64_t new_val)
{
	if (!old == !new_val)
		return;
	if (new_val) {
		atomic_fetch_add_explicit(counter, 1, memory_order_relaxed);
		atomic_fetch_add_explicit(&kvm->live_tces, 1, memory_order_relaxed);
	} else {
		atomic_fetch_sub_explicit(counter, 1, memory_order_relaxed);
		atomic_fetch_sub_explicit(&kvm->live_tces, 1, memory_order_relaxed);
	}
}

/* ---- kvm_stt.c (and kvm_guest.c) ---- */
struct kvmppc_spapr_tce_table *kvmppc_find_table_rcu(struct tcesim_kvm *kvm, uint64_t liobn);
/* Read stt entry @idx (0-based, offset removed); 0 when its page is absent. */
static inline uint64_t kvmppc_stt_get(struct kvmppc_spapr_tce_table *stt, uint64_t idx)
{
	_Atomic uint64_t *page = atomic_load_explicit(&stt->pages[idx >> stt->per_page_shift],
						      memory_order_acquire);

	if (!page)
		return 0;
	return atomic_load_explicit(&page[idx & ((1ULL << stt->per_page_shift) - 1)],
				    memory_order_relaxed);
}
/* Slow path of kvmppc_stt_put(): the page is absent and @tce is not 0. */
bool kvmppc_stt_put_alloc(struct kvmppc_spapr_tce_table *stt, uint64_t idx, uint64_t tce);
/*
 * Store into stt entry @idx (0-based); allocates the page unless @tce is 0.
 * Returns false when the page allocation failed (the store is dropped).
 * Inline fast path (page present): it runs for every entry of a list.
 */
static inline bool kvmppc_stt_put(struct kvmppc_spapr_tce_table *stt, uint64_t idx,
				  uint64_t tce)
{
	_Atomic uint64_t *page = atomic_load_explicit(&stt->pages[idx >> stt->per_page_shift],
						      memory_order_acquire);
	_Atomic uint64_t *slot;
	uint64_t old;

	if (tcesim_unlikely(!page)) {
		/* "We allow any TCE, not just with read|write permissions" */
		if (!tce)
			return true;
		return kvmppc_stt_put_alloc(stt, idx, tce);
	}
	slot = &page[idx & ((1ULL << stt->per_page_shift) - 1)];
	old = atomic_load_explicit(slot, memory_order_relaxed);
	atomic_store_explicit(slot, tce, memory_order_relaxed);
	kvm_live_account(stt->kvm, &stt->live, old, tce);
	return true;
}
/* The first allocated page of @stt in [@pg, @end), or @end (stt->present). */
static inline uint64_t kvmppc_stt_next_page(const struct kvmppc_spapr_tce_table *stt, uint64_t pg,
					    uint64_t end)
{
	while (pg < end) {
		uint64_t w = atomic_load_explicit(&stt->present[pg / 64], memory_order_acquire) >>
			     (pg % 64);

		if (w) {
			pg += (uint64_t)__builtin_ctzll(w);
			return pg < end ? pg : end;
		}
		pg = (pg | 63) + 1;
	}
	return end;
}

/* Shared by the virtual-mode and real-mode handlers (caller in an RCU section). */
long kvmppc_ioba_validate(const struct kvmppc_spapr_tce_table *stt, uint64_t ioba,
			  uint64_t npages);

/* kvmppc_tce_to_ua(): the memslot of the TCE's page. Caller in an RCU section. */
static inline int kvmppc_tce_to_ua_rcu(struct tcesim_kvm *kvm, uint64_t tce, uint64_t *ua,
				       struct tcesim_mm **mm)
{
	const struct kvm_memslot *s = kvm_memslot_find_rcu(kvm, tce & ~TCESIM_TCE_PERM_MASK);

	if (!s)
		return -EINVAL;
	*ua = s->va + ((tce & ~TCESIM_TCE_PERM_MASK) - s->gpa);
	*mm = s->mm;
	return 0;
}

/*
 * What one hypercall looks up for every TCE, taken once per call: the
 * memslot array the call sees (the kernel holds kvm->srcu across the whole
 * hcall, so one snapshot is an execution the kernel allows: the update
 * landed after the call), a copy of the slot found last (the kernel's
 * last_used_slot; consecutive TCEs of a list hit it) and the flavour
 * (immutable world configuration). Lives in registers in the list loops.
 */
struct kvm_tce_ctx {
	struct kvm_memslots *slots;
	struct kvm_memslot cur;		/* size 0: none yet */
	bool legacy_2016;
};

/* Caller in an RCU read-side section, for the duration of @ctx's use. */
static inline void kvm_tce_ctx_init(struct kvm_tce_ctx *ctx, struct tcesim_kvm *kvm)
{
	ctx->slots = tcesim_rcu_deref(kvm->memslots);
	ctx->cur = ctx->slots->slot[atomic_load_explicit(&ctx->slots->last_used,
							 memory_order_relaxed)];
	ctx->legacy_2016 = tcesim_flavour_is(kvm->w, TCESIM_FLAVOUR_LEGACY_2016);
}

/* kvmppc_tce_to_ua() through @ctx: 0, or -EINVAL when no memslot holds the TCE. */
static inline int kvm_tce_ctx_to_ua(struct kvm_tce_ctx *ctx, uint64_t tce, uint64_t *ua,
				    struct tcesim_mm **mm)
{
	uint64_t gpa = tce & ~TCESIM_TCE_PERM_MASK;

	if (tcesim_unlikely(gpa - ctx->cur.gpa >= ctx->cur.size)) {
		const struct kvm_memslot *s = kvm_memslot_search_rcu(ctx->slots, gpa);

		if (!s)
			return -EINVAL;
		ctx->cur = *s;
	}
	*ua = ctx->cur.va + (gpa - ctx->cur.gpa);
	*mm = ctx->cur.mm;
	return 0;
}

long kvmppc_tce_validate_linked(struct kvmppc_spapr_tce_table *stt, struct tcesim_mm *mm,
				uint64_t ua);

/*
 * kvmppc_tce_validate(): may @tce be stored? H_SUCCESS, H_TOO_HARD (modern:
 * misaligned gpa, no memslot, a linked table refuses the ua) or, flavour
 * legacy_2016, H_PARAMETER for a misaligned gpa (then the same memslot and
 * linked-table checks, H_TOO_HARD). Inline: INDIRECT runs it for every
 * entry; the linked-table walk stays out of line.
 */
static inline long kvmppc_tce_validate_ctx(struct kvmppc_spapr_tce_table *stt,
					   struct kvm_tce_ctx *ctx, uint64_t tce)
{
	uint64_t gpa = tce & ~TCESIM_TCE_PERM_MASK;
	struct tcesim_mm *mm;
	uint64_t ua;

	/* "Allow userspace to poison TCE table": iommu_tce_direction() == DMA_NONE */
	if (!(tce & TCESIM_TCE_PERM_MASK))
		return TCESIM_H_SUCCESS;
	/*
	 * iommu_tce_check_gpa(). legacy_2016 (v5.2..v5.18, book3s_64_vio_hv.c:
	 * kvmppc_rm_tce_validate()): a misaligned gpa is a parameter error;
	 * modern kernels punt it to userspace. Both then look the gpa up in the
	 * memslots (none: H_TOO_HARD) and ask every linked table.
	 */
	if (gpa & ((1ULL << stt->page_shift) - 1))
		return tcesim_unlikely(ctx->legacy_2016) ? TCESIM_H_PARAMETER : TCESIM_H_TOO_HARD;
	if (kvm_tce_ctx_to_ua(ctx, tce, &ua, &mm))
		return TCESIM_H_TOO_HARD;
	/* list_empty() first: the walk is a call only when tables are linked */
	if (tcesim_likely(rcu_dereference(stt->iommu_tables.next) == &stt->iommu_tables))
		return TCESIM_H_SUCCESS;
	return kvmppc_tce_validate_linked(stt, mm, ua);
}

static inline long kvmppc_tce_validate(struct kvmppc_spapr_tce_table *stt, uint64_t tce)
{
	struct kvm_tce_ctx ctx;

	kvm_tce_ctx_init(&ctx, stt->kvm);
	return kvmppc_tce_validate_ctx(stt, &ctx, tce);
}

long kvmppc_stit_update(struct kvmppc_spapr_tce_iommu_table *stit, uint64_t entry,
			struct tcesim_mm *mm, uint64_t ua, enum tcesim_dma_data_direction dir);
void kvmppc_tce_put_dropped(struct kvmppc_spapr_tce_table *stt, uint64_t idx);
/* kvmppc_tce_put(): @idx absolute; a failed page allocation drops the store. */
static inline void kvmppc_tce_put(struct kvmppc_spapr_tce_table *stt, uint64_t idx, uint64_t tce)
{
	if (tcesim_unlikely(!kvmppc_stt_put(stt, idx - stt->offset, tce)))
		kvmppc_tce_put_dropped(stt, idx);
}

/*
 * @tce_value into stt entries [@entry, @entry + @npages) (absolute indexes,
 * range already validated) through @put, the mode's store: H_STUFF_TCE's
 * store loop. kvmppc_tce_put() and kvmppc_rm_tce_put() return at once for
 * a 0 into an absent page ("if (!page) { if (tce == 0) return;"), so with
 * @tce_value 0 absent pages are skipped whole (64 per stt->present word):
 * a huge STUFF of 0 costs the pages present, not @npages (issue 7, defect
 * 2: npages 2^36 took 42 s entry by entry). Same stores, same result.
 */
static inline void kvmppc_stt_fill(struct kvmppc_spapr_tce_table *stt, uint64_t entry,
				   uint64_t npages, uint64_t tce_value,
				   void (*put)(struct kvmppc_spapr_tce_table *, uint64_t, uint64_t))
{
	const uint64_t base = entry - stt->offset, shift = stt->per_page_shift;
	uint64_t i, visited = 0;

	for (i = 0; i < npages; i++) {
		if (!tce_value) {
			uint64_t pg = (base + i) >> shift, last = (base + npages - 1) >> shift;
			uint64_t next = kvmppc_stt_next_page(stt, pg, last + 1);

			if (next > last)
				break;
			if (next != pg)
				i = (next << shift) - base;
		}
		put(stt, entry + i, tce_value);
		visited++;
	}
	atomic_fetch_add_explicit(&stt->kvm->stuff_visited, visited, memory_order_relaxed);
}

/*
 * What the 2016+ handlers share, virtual and real mode alike (the real-mode
 * differences, SEMANTICS.md B8, stay in the handlers: which ioba check, which
 * store). All under tcesim_rcu_read_lock().
 */

/* The stt of @liobn; none: H_TOO_HARD (userspace handles the LIOBN). */
static inline long kvmppc_stt_lookup_rcu(struct tcesim_kvm *kvm, uint64_t liobn,
					 struct kvmppc_spapr_tce_table **out)
{
	*out = kvmppc_find_table_rcu(kvm, liobn);
	return *out ? TCESIM_H_SUCCESS : TCESIM_H_TOO_HARD;
}

/* kvmppc_stt_lookup_rcu() plus the virtual-mode kvmppc_ioba_validate(). */
static inline long kvmppc_stt_lookup_ioba_rcu(struct tcesim_kvm *kvm, uint64_t liobn,
					      uint64_t ioba, uint64_t npages,
					      struct kvmppc_spapr_tce_table **out)
{
	long ret = kvmppc_stt_lookup_rcu(kvm, liobn, out);

	return ret != TCESIM_H_SUCCESS ? ret : kvmppc_ioba_validate(*out, ioba, npages);
}

/*
 * Map (or unmap, @dir DMA_NONE) @entry in every linked table; the first
 * failure clears the entry in that table and is returned.
 */
static inline long kvmppc_stit_update_all(struct kvmppc_spapr_tce_table *stt, uint64_t entry,
					  struct tcesim_mm *mm, uint64_t ua,
					  enum tcesim_dma_data_direction dir)
{
	struct kvmppc_spapr_tce_iommu_table *stit;
	long ret;

	cds_list_for_each_entry_rcu(stit, &stt->iommu_tables, next) {
		ret = kvmppc_stit_update(stit, entry, mm, ua, dir);
		if (ret != TCESIM_H_SUCCESS) {
			stit->ops->clear(stit->priv, entry);
			return ret;
		}
	}
	return TCESIM_H_SUCCESS;
}

/*
 * H_PUT_TCE between the ioba check and the stt store: validate @tce,
 * translate it (no memslot: H_PARAMETER), update the linked tables.
 */
static inline long kvmppc_put_tce_linked(struct tcesim_kvm *kvm, struct kvmppc_spapr_tce_table *stt,
					 uint64_t entry, uint64_t tce)
{
	enum tcesim_dma_data_direction dir;
	struct tcesim_mm *mm = NULL;
	uint64_t ua = 0;
	long ret;

	ret = kvmppc_tce_validate(stt, tce);
	if (ret != TCESIM_H_SUCCESS)
		return ret;
	dir = tcesim_tce_direction(tce);
	if (dir != TCESIM_DMA_NONE && kvmppc_tce_to_ua_rcu(kvm, tce, &ua, &mm))
		return TCESIM_H_PARAMETER;
	return kvmppc_stit_update_all(stt, entry, mm, ua, dir);
}

/*
 * H_PUT_TCE_INDIRECT, pass 2, one entry with linked tables: before its store.
 * Upstream (book3s_64_vio.c: kvmppc_h_put_tce_indirect(), and the real-mode
 * twin) calls kvmppc_tce_iommu_map() for every entry, a TCE without R/W bits
 * included: the hardware entry is exchanged for (hpa, DMA_NONE) after a
 * mm_iommu_mapped_inc() that no unmap gives back (an entry with DMA_NONE is
 * "empty" to kvmppc_tce_iommu_do_unmap()), and a ua in no preregistered
 * region is H_TOO_HARD. quirks=upstream does that (ops->map with
 * TCESIM_DMA_NONE); quirks=safe unmaps such an entry instead, as H_PUT_TCE
 * does (no mapped count leaks). Documented quirk "INDIRECT maps DMA_NONE".
 */
static inline long kvmppc_indirect_put_linked(struct kvmppc_spapr_tce_table *stt,
					      struct kvm_tce_ctx *ctx, uint64_t entry,
					      uint64_t tce)
{
	enum tcesim_dma_data_direction dir = tcesim_tce_direction(tce);
	struct kvmppc_spapr_tce_iommu_table *stit;
	struct tcesim_mm *mm;
	uint64_t ua;
	long ret;

	if (kvm_tce_ctx_to_ua(ctx, tce, &ua, &mm))
		return TCESIM_H_PARAMETER;
	if (dir != TCESIM_DMA_NONE || !tcesim_quirks_upstream(stt->w))
		return kvmppc_stit_update_all(stt, entry, mm, ua, dir);
	cds_list_for_each_entry_rcu(stit, &stt->iommu_tables, next) {
		ret = stit->ops->map(stit->priv, entry, mm, ua, TCESIM_DMA_NONE);
		if (stit->ops->kill)
			stit->ops->kill(stit->priv, entry, 1);
		if (ret != TCESIM_H_SUCCESS) {
			stit->ops->clear(stit->priv, entry);
			return ret;
		}
	}
	return TCESIM_H_SUCCESS;
}

/*
 * H_PUT_TCE_INDIRECT: kvmppc_stt_lookup_rcu(), then the list's own checks
 * (H_PARAMETER), both before the mode's ioba check.
 */
static inline long kvmppc_indirect_lookup_rcu(struct tcesim_kvm *kvm, uint64_t liobn,
					      uint64_t tce_list, uint64_t npages,
					      struct kvmppc_spapr_tce_table **out)
{
	long ret = kvmppc_stt_lookup_rcu(kvm, liobn, out);

	if (ret == TCESIM_H_SUCCESS && (npages > KVM_TCE_LIST_MAX || (tce_list & (4096 - 1))))
		ret = TCESIM_H_PARAMETER;
	return ret;
}

/*
 * H_PUT_TCE_INDIRECT: the memslot of the list (none: H_TOO_HARD), which
 * also primes @ctx's memslot hint for the entries.
 */
static inline long kvmppc_tce_list_to_ua(struct kvm_tce_ctx *ctx, struct tcesim_kvm *kvm,
					 uint64_t tce_list, uint64_t *list_ua,
					 struct tcesim_mm **list_mm)
{
	kvm_tce_ctx_init(ctx, kvm);
	if (kvm_tce_ctx_to_ua(ctx, tce_list, list_ua, list_mm))
		return TCESIM_H_TOO_HARD;
	return TCESIM_H_SUCCESS;
}

/*
 * H_STUFF_TCE after the ioba check, virtual and real mode alike but for
 * @put, the mode's stt store (kvmppc_tce_put() allocates, the real-mode one
 * never needs to). Permission bits: H_PARAMETER, nothing done ("Check
 * permission bits only to allow userspace poison TCE for debug"). Then every
 * linked table unmaps the @npages entries: H_TOO_HARD stops at once, before
 * any store; any other failure is reported (as @fn), the entry cleared and
 * the loop goes on. The stores follow; the last unmap result is returned
 * (virtual mode, and real mode as of v5.18; an earlier v5.x
 * kvmppc_rm_h_stuff_tce(), the lock_rmap() form, ended with "return
 * H_SUCCESS" instead).
 */
static inline long kvmppc_stuff_tce_rcu(struct kvmppc_spapr_tce_table *stt, uint64_t ioba,
					uint64_t tce_value, uint64_t npages, const char *fn,
					void (*put)(struct kvmppc_spapr_tce_table *, uint64_t,
						    uint64_t))
{
	struct kvmppc_spapr_tce_iommu_table *stit;
	const uint64_t entry = ioba >> stt->page_shift;
	long ret = TCESIM_H_SUCCESS;
	uint64_t i;

	if (tce_value & TCESIM_TCE_PERM_MASK)
		return TCESIM_H_PARAMETER;

	cds_list_for_each_entry_rcu(stit, &stt->iommu_tables, next) {
		for (i = 0; i < npages; i++) {
			ret = kvmppc_stit_update(stit, entry + i, NULL, 0, TCESIM_DMA_NONE);
			if (ret == TCESIM_H_SUCCESS)
				continue;
			if (ret == TCESIM_H_TOO_HARD)
				return ret;
			tcesim_pr(stt->kvm->w, "WARNING: %s: unmap failed (%ld)", fn, ret);
			stit->ops->clear(stit->priv, entry + i);
		}
	}
	kvmppc_stt_fill(stt, entry, npages, tce_value, put);
	return ret;
}

/*
 * kvmppc_tce_put() for the entries of one list: the stt geometry is
 * immutable and a published page pointer never changes while the stt is
 * reachable, so both are kept in registers across the loop instead of being
 * reloaded after every acquire; the store itself is the same.
 */
struct kvmppc_stt_writer {
	struct kvmppc_spapr_tce_table *stt;
	struct tcesim_kvm *kvm;
	unsigned int shift;		/* stt->per_page_shift */
	uint64_t offset;		/* stt->offset */
	uint64_t pg;			/* page of @page, or ~0 */
	_Atomic uint64_t *page;
};

static inline void kvmppc_stt_writer_init(struct kvmppc_stt_writer *wr,
					  struct kvmppc_spapr_tce_table *stt)
{
	wr->stt = stt;
	wr->kvm = stt->kvm;
	wr->shift = stt->per_page_shift;
	wr->offset = stt->offset;
	wr->pg = ~0ULL;
	wr->page = NULL;
}

static inline void kvmppc_stt_writer_put(struct kvmppc_stt_writer *wr, uint64_t idx,
					 uint64_t tce)
{
	uint64_t rel = idx - wr->offset;
	_Atomic uint64_t *slot;
	uint64_t old;

	if (tcesim_unlikely((rel >> wr->shift) != wr->pg)) {
		wr->page = atomic_load_explicit(&wr->stt->pages[rel >> wr->shift],
						memory_order_acquire);
		if (!wr->page) {
			/* absent page: the allocating path; the next store looks again */
			wr->pg = ~0ULL;
			kvmppc_tce_put(wr->stt, idx, tce);
			return;
		}
		wr->pg = rel >> wr->shift;
	}
	slot = &wr->page[rel & ((1ULL << wr->shift) - 1)];
	old = atomic_load_explicit(slot, memory_order_relaxed);
	atomic_store_explicit(slot, tce, memory_order_relaxed);
	kvm_live_account(wr->kvm, &wr->stt->live, old, tce);
}
/* Unlink and free (call_rcu unless @now) a stt; caller holds kvm->lock. */
void kvmppc_stt_release_locked(struct tcesim_kvm *kvm, struct kvmppc_spapr_tce_table *stt,
			       bool now);
/* Create a stt; the caller holds nothing. */
int kvmppc_stt_create(struct tcesim_kvm *kvm, const struct tcesim_kvm_create_spapr_tce_64 *args,
		      struct tcesim_mm *mm, struct kvmppc_spapr_tce_table **out);
/* Link a hardware table to the stt of @liobn (KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE). */
int kvmppc_stt_link_table(struct tcesim_kvm *kvm, uint64_t liobn,
			  const struct kvmppc_linked_table_ops *ops, void *priv);
int kvmppc_stt_unlink_table(struct tcesim_kvm *kvm, uint64_t liobn, void *priv);

/* ---- book3s_64_vio_2013.c (flavour legacy_2013; the public handlers call these) ---- */
long kvmppc_2013_h_put_tce(struct tcesim_kvm *kvm, uint64_t liobn, uint64_t ioba, uint64_t tce);
long kvmppc_2013_h_put_tce_indirect(struct tcesim_kvm *kvm, uint64_t liobn, uint64_t ioba,
				    uint64_t tce_list, uint64_t npages);
long kvmppc_2013_h_stuff_tce(struct tcesim_kvm *kvm, uint64_t liobn, uint64_t ioba,
			     uint64_t tce_value, uint64_t npages);
long kvmppc_2013_h_get_tce(struct tcesim_kvm *kvm, uint64_t liobn, uint64_t ioba, uint64_t *tce);

/* ---- spapr_iommu.c ---- */
struct spapr_tce_table *spapr_tce_find_by_liobn_rcu(struct tcesim_kvm *kvm, uint64_t liobn);
void spapr_tce_free_locked(struct tcesim_kvm *kvm, struct spapr_tce_table *tcet, bool now);

#endif /* TCESIM_KVM_INTERNAL_H */
