/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sva_internal.h - struct definitions and *_locked/_rcu helpers of src/sva.
 *
 * Lock order (outermost first; see iommu.c "Concepts:"):
 *   sva->lock (iommu_sva_lock)  >  group->mutex  >  sva->mms_lock
 *     >  sva->ida_lock  >  sva->objs_lock
 *   dev->iopf_lock is a leaf: nothing else is taken under it.
 *   mm->lock (src/mem) is a leaf too, taken by fault handling: from
 *   tcesim_iopf_queue_flush_dev() with no sva lock held, or from the drain
 *   of a detach (iommu_pasid.c), under sva->lock and group->mutex.
 *
 * The files of src/sva call each other one way, bottom to top (a file calls
 * only files of a lower layer; tests/api sva_layers checks it from the
 * objects' symbols):
 *
 *   0  pasid_array.c    the group's PASID xarray (RCU lookups)
 *   0  sva_inspect.c    read-only inspection for the public API
 *   1  iommu_domain.c   domains: alloc, references, free (iommu.c upstream)
 *   2  iommu_pasid.c    PASID attach/detach/replace, attach handles
 *   3  pasid_life.c     the model's PASID-life oracle (issue 10 invariant)
 *   4  iopf.c           I/O page faults (io-pgfault.c): groups, queue, flush
 *   5  sva.c            SVA bind/unbind, mm data, the global PASID IDA
 *                       (iommu-sva.c)
 *   6  iommu.c          IOMMUs, groups, devices, the per-world state (whose
 *                       destructor tears down every layer), DMA ownership
 */
#ifndef TCESIM_SVA_INTERNAL_H
#define TCESIM_SVA_INTERNAL_H

#include "internal.h"
#include <tcesim/mem.h>
#include <tcesim/sva.h>

#include <urcu/rculfhash.h>

#define SVA_NAME_LEN 32

/* ------------------------------------------------------- PASID array --- */
/*
 * The kernel's group->pasid_array xarray, reduced to what iommu.c uses:
 * insert-if-absent of a reservation (XA_ZERO_ENTRY), store into a reserved
 * or occupied slot, release of a reservation, erase; lock-free lookups.
 *
 * Entries are tagged pointers (xa_tag_pointer): bit 0 clear = bare domain
 * (PASID_ENTRY_DOMAIN), bit 0 set = attach handle (PASID_ENTRY_HANDLE).
 * PASID_ENTRY_ZERO marks a reserved slot; lookups return NULL for it.
 *
 * Writers (*_locked) hold the mutex given to pasid_array_init(); readers
 * (pasid_array_load_rcu) are inside an RCU read-side section. The array
 * frees its own nodes with call_rcu; the objects entries point to belong to
 * the caller, who frees them after a grace period.
 */
#define PASID_ENTRY_DOMAIN 0x0ul
#define PASID_ENTRY_HANDLE 0x1ul
#define PASID_ENTRY_TAG_MASK 0x3ul
#define PASID_ENTRY_ZERO ((void *)0x2ul)

#define PASID_ARRAY_BITS TCESIM_IOMMU_MAX_PASID_BITS
#define PASID_RADIX_LEAF_BITS 10
#define PASID_RADIX_LEAF_SIZE (1u << PASID_RADIX_LEAF_BITS)
#define PASID_RADIX_TOP_SIZE (1u << (PASID_ARRAY_BITS - PASID_RADIX_LEAF_BITS))

enum pasid_array_kind {
	PASID_ARRAY_RADIX = 0,	/* two-level 10+10 array (default) */
	PASID_ARRAY_LFHT,	/* liburcu cds_lfht keyed by PASID */
	PASID_ARRAY_NR,
};

struct pasid_radix_leaf {
	void *slot[PASID_RADIX_LEAF_SIZE]; /* RCU: readers tcesim_rcu_deref, writers hold pa->lock */
	unsigned int nr;		/* non-NULL slots (reserved included); pa->lock */
	struct rcu_head rcu;
	struct tcesim_world *w;		/* immutable */
};

/*
 * @load_kind is what pasid_array_load_rcu() dispatches on: @kind, or
 * PASID_ARRAY_NR for an array made while an exploration runs (issue 10),
 * whose lookups then take the variant with schedule points. So the lookup
 * of a normal run tests nothing more than before the explorer existed (the
 * pasid_lookup bench's 3 % budget); an array built outside an exploration
 * (not in its setup) is looked up without schedule points.
 */
struct pasid_array {
	enum pasid_array_kind kind;	/* immutable after init */
	enum pasid_array_kind load_kind; /* immutable after init, see above */
	struct tcesim_world *w;		/* immutable */
	struct tcesim_mutex *lock;	/* the writers' mutex (group->mutex); immutable */
	unsigned long nr;		/* occupied + reserved slots; under *lock */
	union {
		/* RCU: readers tcesim_rcu_deref; installed/removed under *lock */
		struct pasid_radix_leaf **top;	/* PASID_RADIX_TOP_SIZE pointers */
		struct cds_lfht *ht;		/* immutable after init */
	};
};

int pasid_array_init(struct pasid_array *pa, struct tcesim_world *w, struct tcesim_mutex *lock,
		     enum pasid_array_kind kind);
/* Same, with the cds_lfht bucket count (power of two) for PASID_ARRAY_LFHT. */
#define PASID_LFHT_BUCKETS 4096ul
int pasid_array_init_sized(struct pasid_array *pa, struct tcesim_world *w,
			   struct tcesim_mutex *lock, enum pasid_array_kind kind,
			   unsigned long lfht_buckets);
/* Frees every node; no reader or writer may remain (world teardown). */
void pasid_array_destroy(struct pasid_array *pa);
/* Entry at @pasid, NULL when empty or reserved. Caller in a read-side section. */
void *pasid_array_load_rcu(struct pasid_array *pa, uint32_t pasid);
/* Insert a reservation: 0, -EBUSY (occupied or reserved), -ENOMEM. */
int pasid_array_reserve_locked(struct pasid_array *pa, uint32_t pasid);
/* Publish @entry at a reserved or occupied slot; cannot fail. */
void pasid_array_store_locked(struct pasid_array *pa, uint32_t pasid, void *entry);
/* Raw entry (PASID_ENTRY_ZERO for a reservation), NULL when empty. */
void *pasid_array_peek_locked(struct pasid_array *pa, uint32_t pasid);
/* Remove whatever is at @pasid (entry or reservation); returns it. */
void *pasid_array_erase_locked(struct pasid_array *pa, uint32_t pasid);
static inline bool pasid_array_empty_locked(struct pasid_array *pa)
{
	tcesim_lock_assert_held(pa->lock);
	return pa->nr == 0;
}
const char *pasid_array_kind_name(enum pasid_array_kind kind);

static inline void *pasid_entry_make(void *p, unsigned long tag)
{
	return (void *)((uintptr_t)p | tag);
}

static inline unsigned long pasid_entry_tag(const void *e)
{
	return (uintptr_t)e & PASID_ENTRY_TAG_MASK;
}

static inline void *pasid_entry_ptr(const void *e)
{
	return (void *)((uintptr_t)e & ~PASID_ENTRY_TAG_MASK);
}

/* ------------------------------------------------------------ objects --- */

struct sva_state;

struct tcesim_iommu_domain {
	struct tcesim_world *w;		/* immutable */
	unsigned int type;		/* TCESIM_IOMMU_DOMAIN_*; immutable */
	struct tcesim_iommu *iommu;	/* owning instance; immutable */
	bool has_set_dev_pasid;		/* ops->set_dev_pasid != NULL; immutable */
	bool has_iopf_handler;		/* domain->iopf_handler != NULL; immutable */
	bool is_static;			/* the IOMMU's blocked domain; immutable */
	bool user_owned;		/* from the public alloc calls; immutable */
	struct tcesim_mm *mm;		/* SVA: mmgrab()ed; immutable */
	unsigned int users;		/* SVA: bonds using it; under sva->lock */
	/*
	 * Lifetime: 1 for the owner + 1 per queued fault group. Increased only
	 * with inc-not-zero under RCU (iopf); the final put frees.
	 */
	_Atomic int refs;
	_Atomic int attached;		/* PASID slots holding it (all groups) */
	struct cds_list_head mm_node;	/* iommu_mm->sva_domains; under sva->lock */
	struct cds_list_head all_node;	/* sva->domains; under sva->objs_lock */
	/*
	 * pasid_life.c: an SVA domain's life id (set before any attach
	 * publishes it; immutable), legacy_2024 only (0 otherwise): that
	 * era's PASID array holds the domain itself, so there the domain's
	 * life stands for its bonds'.
	 */
	uint64_t life;
	struct rcu_head rcu;
};

struct tcesim_iommu {
	struct tcesim_world *w;		/* immutable */
	struct sva_state *sva;		/* immutable */
	char name[SVA_NAME_LEN];	/* immutable */
	unsigned int pasid_bits;	/* immutable */
	unsigned int prq_depth;		/* immutable */
	bool has_sva;			/* ops->domain_alloc_sva; immutable */
	struct tcesim_iommu_domain *blocked_domain; /* static; NULL if none; immutable */
	/*
	 * For the PRQ layer: where a page group response goes besides the
	 * device's log (intel_iommu_page_response -> QI). @last_page is the
	 * LAST_PAGE flag of the request answered (the descriptor's LPIG):
	 * true for a group's response, false for the INVALID answer to a
	 * non-last request without a handler. Set once before faults are
	 * reported; called without locks held.
	 */
	void (*page_response)(struct tcesim_device *dev,
			      const struct tcesim_iommu_page_response *r, bool last_page,
			      void *arg);
	void *page_response_arg;
	/*
	 * For the PRQ layer: the PASID of a PRI device was torn down (its
	 * slot already erased, devices on the blocked domain); drain the page
	 * requests of (dev, pasid). Models the tail of
	 * drivers/iommu/intel/pasid.c: intel_pasid_tear_down_entry(...,
	 * fault_ignore=false) -> intel_iommu_drain_pasid_prq(). Set once when
	 * the PRQ is enabled; called with the group mutex held, as upstream's
	 * blocking-domain set_dev_pasid runs under it.
	 */
	void (*pasid_teardown)(struct tcesim_device *dev, uint32_t pasid, void *arg);
	void *pasid_teardown_arg;
	void *prq;			/* private to src/prq */
	struct cds_list_head node;	/* sva->iommus; under sva->objs_lock */
};

struct tcesim_iommu_group {
	struct tcesim_world *w;		/* immutable */
	struct sva_state *sva;		/* immutable */
	char name[SVA_NAME_LEN];	/* immutable */
	/*
	 * group->mutex protects devices, domain, default_domain,
	 * blocking_domain, owner, owner_cnt, resetting and the writers' side
	 * of pasid_array.
	 */
	struct tcesim_mutex mutex;
	struct cds_list_head devices;	/* struct tcesim_device.group_node */
	struct tcesim_iommu_domain *default_domain;
	struct tcesim_iommu_domain *domain;	/* current RID domain */
	struct tcesim_iommu_domain *blocking_domain; /* set at first claim, kept */
	void *owner;
	unsigned int owner_cnt;
	bool resetting;			/* group->resetting_domain (PCI reset) */
	/* readers: pasid_array_load_rcu() under RCU; writers: mutex */
	struct pasid_array pasid_array;
	struct cds_list_head node;	/* sva->groups; under sva->objs_lock */
};

#define DEV_RESP_LOG 256

struct tcesim_device {
	struct tcesim_world *w;		/* immutable */
	char name[SVA_NAME_LEN];	/* immutable */
	struct tcesim_iommu *iommu;	/* immutable */
	struct tcesim_iommu_group *group; /* immutable; NULL: no group */
	uint32_t max_pasids;		/* immutable */
	bool pri;			/* immutable; has an iopf_param */
	struct cds_list_head group_node; /* group->devices; under group->mutex */
	/*
	 * The device's PASID table as programmed by set_dev_pasid (entries:
	 * bare domains; blocked = absent). Under group->mutex.
	 */
	struct pasid_array pasid_table;
	unsigned long nr_set_dev_pasid;	/* set_dev_pasid calls; group->mutex */
	/*
	 * Test hook: called at each set_dev_pasid with group->mutex held; a
	 * non-zero return fails the call with that errno. NULL in production.
	 */
	int (*set_dev_pasid_hook)(struct tcesim_device *dev, uint32_t pasid,
				  struct tcesim_iommu_domain *domain, void *arg);
	void *hook_arg;
	/* iopf_lock protects partial, nr_partial, pending, resp, nr_resp */
	struct tcesim_mutex iopf_lock;
	struct cds_list_head partial;	/* struct iopf_fault_node */
	unsigned long nr_partial;
	struct cds_list_head pending;	/* struct iopf_group, report order */
	struct tcesim_iommu_page_response resp[DEV_RESP_LOG]; /* ring */
	unsigned long nr_resp;		/* responses since create */
	struct cds_list_head node;	/* sva->devices; under sva->objs_lock */
};

/* Kernel's struct iommu_sva: an attach handle plus the bond's users. */
struct tcesim_iommu_sva {
	struct tcesim_iommu_attach_handle handle; /* domain set before publish */
	struct tcesim_device *dev;	/* immutable after bind */
	_Atomic unsigned int users;	/* changed under sva->lock; read lock-free */
	struct cds_list_head mm_node;	/* legacy_2024 iommu_mm->sva_handles; sva->lock */
	struct cds_list_head all_node;	/* sva->handles; under sva->lock */
	struct tcesim_world *w;		/* immutable */
	uint64_t life;			/* pasid_life.c: this bond's life id; immutable */
	struct rcu_head rcu;		/* freed after a grace period (unbind) */
};

/* Kernel's struct iommu_mm_data, published at mm->iommu_mm (release). */
struct iommu_mm_data {
	uint32_t pasid;			/* immutable once published */
	struct tcesim_mm *mm;		/* immutable */
	struct cds_list_head sva_domains; /* under sva->lock */
	struct cds_list_head sva_handles; /* legacy_2024; under sva->lock */
	struct cds_list_head node;	/* sva->mms; under sva->mms_lock */
};

/* Per-world state of the module (TCESIM_SLOT_SVA). */
struct sva_state {
	struct tcesim_world *w;		/* immutable */
	struct tcesim_mutex lock;	/* iommu_sva_lock: bind/unbind, mm data lists, handles */
	struct tcesim_mutex mms_lock;	/* protects mms (mm_pasid_drop runs under sva->lock too) */
	struct cds_list_head mms;	/* published iommu_mm_data */
	struct tcesim_mutex ida_lock;	/* protects pasid_bitmap, pasids_in_use */
	unsigned long *pasid_bitmap;	/* 1 << 20 bits: global PASID IDA */
	long pasids_in_use;
	struct tcesim_mutex objs_lock;	/* protects iommus, groups, devices, domains */
	struct cds_list_head iommus, groups, devices, domains;
	struct cds_list_head handles;	/* live SVA bonds; under lock */
	enum pasid_array_kind array_kind; /* for new groups; immutable */
	_Atomic uint64_t life_seq;	/* pasid_life.c: last life id handed out */
	_Atomic unsigned long stale_lives; /* pasid_life.c: invariant breaks seen */
};

/* iommu.c */
struct sva_state *sva_state_get(struct tcesim_world *w);

/* iommu_domain.c */
struct tcesim_iommu_domain *sva_domain_new(struct tcesim_iommu *iommu, unsigned int type,
					   unsigned int flags);
void sva_domain_put(struct tcesim_iommu_domain *d);
bool sva_domain_tryget(struct tcesim_iommu_domain *d);
/* iommu_pasid.c */
int sva_attach_handle_get_rcu(struct tcesim_iommu_group *group, uint32_t pasid,
			      unsigned int type, struct tcesim_iommu_attach_handle **out);

/* sva.c */
void sva_mm_data_destroy_all(struct sva_state *sva);
void sva_handles_destroy_all(struct sva_state *sva);
void sva_ida_free(struct sva_state *sva, uint32_t pasid);

/* iopf.c */
void iopf_device_init(struct tcesim_device *dev);
void iopf_device_destroy(struct tcesim_device *dev);
/*
 * For src/prq. iopf_log_response(): a page group response sent outside the
 * iopf path (VT-d handle_bad_prq_event) lands in the device's log, without
 * going back through iommu->page_response. iopf_discard_partial_pasid():
 * drop the device's partial requests of one PASID (PASID_VALID as given);
 * returns how many. Both take dev->iopf_lock.
 */
void iopf_log_response(struct tcesim_device *dev, const struct tcesim_iommu_page_response *r);
long iopf_discard_partial_pasid(struct tcesim_device *dev, bool pasid_valid, uint32_t pasid);

/*
 * pasid_life.c - the "previous life" invariant (issue 10): every SVA bond
 * gets a life id at bind; a page request carries the life of the bond its
 * PASID had when the device issued it (the PRQ layer keeps it beside the
 * ring slot), and reaching another life's handler, or a response reaching
 * the device while another life owns the PASID, breaks the invariant.
 * Life 0: unknown (a request reported directly, a PASID with no SVA bond):
 * never checked.
 */
uint64_t sva_life_new(struct sva_state *sva);
/* The life of the SVA bond at (@dev's group, @pasid) now; 0 if none. */
uint64_t sva_pasid_life(struct tcesim_device *dev, uint32_t pasid);
/* The life of an attach handle (0 unless an SVA bond's). Caller under RCU. */
uint64_t sva_handle_life(const struct tcesim_iommu_attach_handle *h);
/* The life of an SVA domain stored bare in a PASID slot (legacy_2024), else 0. */
uint64_t sva_domain_life(const struct tcesim_iommu_domain *d);
/* Reports a break (@what: "page request", "page response") when @old and @now differ. */
void sva_life_check(struct tcesim_device *dev, const char *what, uint32_t pasid, uint32_t grpid,
		    uint64_t old, uint64_t now);
/* tcesim_iommu_report_device_fault() with the request's life. */
int iopf_report_fault_life(struct tcesim_device *dev, const struct tcesim_iommu_fault *fault,
			   uint64_t life);

#endif /* TCESIM_SVA_INTERNAL_H */
