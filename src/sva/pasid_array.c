// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * pasid_array.c - the PASID array of an iommu group (the kernel's
 * group->pasid_array xarray), in two interchangeable implementations.
 *
 * liburcu has no xarray. What iommu.c needs from one is small: a reserved
 * slot (XA_ZERO_ENTRY) that reads as empty, insert-if-absent returning
 * -EBUSY, store, erase, lock-free loads. Two implementations sit behind
 * one interface (sva_internal.h), chosen per array at init:
 *
 *  - PASID_ARRAY_RADIX (default): a top table of 1024 leaf pointers, each
 *    leaf 1024 slots (10+10 bits = the 20-bit PCIe PASID space). A lookup
 *    is two dependent loads. Leaves are allocated on first use and freed
 *    (after a grace period) when their last slot empties. Measured in
 *    bench/cases_sva.c and PERF.md: the fastest at every size.
 *  - PASID_ARRAY_LFHT: liburcu's cds_lfht keyed by PASID, one node per slot.
 *    Its bucket tables are allocated by liburcu, outside the tcesim
 *    allocator (only nodes are counted and fail-injected).
 *
 * Invariants: pa->nr counts non-empty slots (entries and reservations);
 * a reservation only exists while its writer holds pa->lock, so writers
 * never see another writer's reservation, readers see it as NULL.
 *
 * Locking: writers (*_locked) hold *pa->lock; readers hold an RCU
 * read-side section. Nodes are freed with call_rcu.
 */
#include "sva/sva_internal.h"

const char *pasid_array_kind_name(enum pasid_array_kind kind)
{
	static const char *const names[PASID_ARRAY_NR] = {
		[PASID_ARRAY_RADIX] = "radix",
		[PASID_ARRAY_LFHT] = "lfht",
	};

	return (unsigned int)kind < PASID_ARRAY_NR ? names[kind] : NULL;
}

/* ------------------------------------------------------------- radix --- */

static void radix_leaf_free_rcu(struct rcu_head *head)
{
	struct pasid_radix_leaf *leaf = tcesim_container_of(head, struct pasid_radix_leaf, rcu);

	tcesim_rcu_callback_enter();
	tcesim_kfree(leaf->w, leaf);
	tcesim_rcu_callback_exit();
}

static inline __attribute__((always_inline)) void *radix_load_rcu(struct pasid_array *pa,
								 uint32_t pasid, bool pts)
{
	struct pasid_radix_leaf *leaf;
	void *e;

	/* pairs with the tcesim_rcu_assign() of the leaf in radix_reserve_locked() */
	leaf = tcesim_rcu_deref_in(pts, pa->top[pasid >> PASID_RADIX_LEAF_BITS]);
	if (!leaf)
		return NULL;
	/* pairs with the tcesim_rcu_assign() in pasid_array_store_locked() */
	e = tcesim_rcu_deref_in(pts, leaf->slot[pasid & (PASID_RADIX_LEAF_SIZE - 1)]);
	return e == PASID_ENTRY_ZERO ? NULL : e;
}

static int radix_reserve_locked(struct pasid_array *pa, uint32_t pasid)
{
	unsigned int i = pasid >> PASID_RADIX_LEAF_BITS;
	unsigned int j = pasid & (PASID_RADIX_LEAF_SIZE - 1);
	struct pasid_radix_leaf *leaf = pa->top[i];

	if (leaf && leaf->slot[j])
		return -EBUSY;
	if (!leaf) {
		leaf = tcesim_zalloc(pa->w, sizeof(*leaf));
		if (!leaf)
			return -ENOMEM;
		leaf->w = pa->w;
		/* pairs with the leaf tcesim_rcu_deref() in radix_load_rcu() */
		tcesim_rcu_assign(pa->top[i], leaf);
	}
	/* a zero entry carries nothing a reader could dereference */
	tcesim_rcu_assign(leaf->slot[j], PASID_ENTRY_ZERO);
	leaf->nr++;
	return 0;
}

static void **radix_slot_locked(struct pasid_array *pa, uint32_t pasid)
{
	struct pasid_radix_leaf *leaf = pa->top[pasid >> PASID_RADIX_LEAF_BITS];

	return leaf ? &leaf->slot[pasid & (PASID_RADIX_LEAF_SIZE - 1)] : NULL;
}

static void *radix_erase_locked(struct pasid_array *pa, uint32_t pasid)
{
	unsigned int i = pasid >> PASID_RADIX_LEAF_BITS;
	struct pasid_radix_leaf *leaf = pa->top[i];
	void **slot = radix_slot_locked(pa, pasid);
	void *old = slot ? *slot : NULL;

	if (!old)
		return NULL;
	tcesim_rcu_assign(*slot, NULL);
	if (--leaf->nr == 0) {
		/* readers that still see the leaf find only NULL slots in it */
		tcesim_rcu_assign(pa->top[i], NULL);
		tcesim_call_rcu(&leaf->rcu, radix_leaf_free_rcu);
	}
	return old;
}

/* -------------------------------------------------------------- lfht --- */

struct pasid_hnode {
	struct cds_lfht_node node;
	uint32_t pasid;		/* immutable */
	void *entry;		/* RCU: readers tcesim_rcu_deref, writers pa->lock */
	struct tcesim_world *w;
	struct rcu_head rcu;
};

static inline unsigned long pasid_hash(uint32_t pasid)
{
	uint64_t z = (uint64_t)pasid * 0x9e3779b97f4a7c15ULL;

	return (unsigned long)(z ^ (z >> 29));
}

static int pasid_hmatch(struct cds_lfht_node *node, const void *key)
{
	/* pairs with the release before cds_lfht_add_unique() (TSan only) */
	tcesim_tsan_acquire(node);
	return tcesim_container_of(node, struct pasid_hnode, node)->pasid == *(const uint32_t *)key;
}

static struct pasid_hnode *lfht_find_rcu(struct pasid_array *pa, uint32_t pasid)
{
	struct cds_lfht_iter it;
	struct cds_lfht_node *n;

	cds_lfht_lookup(pa->ht, pasid_hash(pasid), pasid_hmatch, &pasid, &it);
	n = cds_lfht_iter_get_node(&it);
	return n ? tcesim_container_of(n, struct pasid_hnode, node) : NULL;
}

static void hnode_free_rcu(struct rcu_head *head)
{
	struct pasid_hnode *hn = tcesim_container_of(head, struct pasid_hnode, rcu);

	tcesim_rcu_callback_enter();
	tcesim_kfree(hn->w, hn);
	tcesim_rcu_callback_exit();
}

static inline __attribute__((always_inline)) void *lfht_load_rcu(struct pasid_array *pa,
								uint32_t pasid, bool pts)
{
	struct pasid_hnode *hn = lfht_find_rcu(pa, pasid);
	void *e;

	if (!hn)
		return NULL;
	/* pairs with the tcesim_rcu_assign() in pasid_array_store_locked() */
	e = tcesim_rcu_deref_in(pts, hn->entry);
	return e == PASID_ENTRY_ZERO ? NULL : e;
}

static int lfht_reserve_locked(struct pasid_array *pa, uint32_t pasid)
{
	struct pasid_hnode *hn = tcesim_zalloc(pa->w, sizeof(*hn));
	struct cds_lfht_node *got;

	if (!hn)
		return -ENOMEM;
	hn->pasid = pasid;
	hn->entry = PASID_ENTRY_ZERO;
	hn->w = pa->w;
	cds_lfht_node_init(&hn->node);
	tcesim_rcu_read_lock();
	/*
	 * The add publishes the node; liburcu orders its init before it, but
	 * with atomics TSan cannot see: pairs with the acquire in pasid_hmatch().
	 */
	tcesim_tsan_release(&hn->node);
	got = cds_lfht_add_unique(pa->ht, pasid_hash(pasid), pasid_hmatch, &pasid, &hn->node);
	tcesim_rcu_read_unlock();
	if (got != &hn->node) {
		tcesim_kfree(pa->w, hn);
		return -EBUSY;
	}
	return 0;
}

static void *lfht_erase_locked(struct pasid_array *pa, uint32_t pasid)
{
	struct pasid_hnode *hn;
	void *old = NULL;

	tcesim_rcu_read_lock();
	hn = lfht_find_rcu(pa, pasid);
	if (hn && !cds_lfht_del(pa->ht, &hn->node)) {
		old = hn->entry;
		tcesim_call_rcu(&hn->rcu, hnode_free_rcu);
	}
	tcesim_rcu_read_unlock();
	return old;
}

/* --------------------------------------------------------- interface --- */

int pasid_array_init(struct pasid_array *pa, struct tcesim_world *w, struct tcesim_mutex *lock,
		     enum pasid_array_kind kind)
{
	return pasid_array_init_sized(pa, w, lock, kind, PASID_LFHT_BUCKETS);
}

int pasid_array_init_sized(struct pasid_array *pa, struct tcesim_world *w,
			   struct tcesim_mutex *lock, enum pasid_array_kind kind,
			   unsigned long lfht_buckets)
{
	memset(pa, 0, sizeof(*pa));
	pa->w = w;
	pa->lock = lock;
	pa->kind = kind;
	pa->load_kind = tcesim_explore_any() ? PASID_ARRAY_NR : kind;
	if (kind == PASID_ARRAY_RADIX) {
		pa->top = tcesim_zalloc(w, PASID_RADIX_TOP_SIZE * sizeof(*pa->top));
		return pa->top ? 0 : -ENOMEM;
	}
	if (kind != PASID_ARRAY_LFHT)
		return -EINVAL;
	if (tcesim_should_fail(w))
		return -ENOMEM;
	/*
	 * No CDS_LFHT_AUTO_RESIZE: resizing runs in a liburcu worker thread,
	 * which would make teardown and TSan runs depend on its timing. 4096
	 * buckets keep chains short up to a few thousand bonds.
	 */
	pa->ht = cds_lfht_new_flavor(lfht_buckets, lfht_buckets, 0, 0, &urcu_memb_flavor, NULL);
	return pa->ht ? 0 : -ENOMEM;
}

void pasid_array_destroy(struct pasid_array *pa)
{
	if (pa->kind == PASID_ARRAY_RADIX) {
		unsigned int i;

		if (!pa->top)
			return;
		for (i = 0; i < PASID_RADIX_TOP_SIZE; i++)
			tcesim_kfree(pa->w, pa->top[i]);
		tcesim_kfree(pa->w, pa->top);
		pa->top = NULL;
	} else if (pa->ht) {
		struct cds_lfht_iter it;
		struct cds_lfht_node *n;

		tcesim_rcu_read_lock();
		cds_lfht_for_each(pa->ht, &it, n) {
			if (!cds_lfht_del(pa->ht, n)) {
				struct pasid_hnode *hn =
					tcesim_container_of(n, struct pasid_hnode, node);

				tcesim_call_rcu(&hn->rcu, hnode_free_rcu);
			}
		}
		tcesim_rcu_read_unlock();
		cds_lfht_destroy(pa->ht, NULL);
		pa->ht = NULL;
	}
	pa->nr = 0;
}

static inline __attribute__((always_inline)) void *load_rcu(struct pasid_array *pa,
							   uint32_t pasid, bool pts)
{
	if (tcesim_unlikely(pasid >> PASID_ARRAY_BITS))
		return NULL;
	if (tcesim_likely(pa->kind == PASID_ARRAY_RADIX))
		return radix_load_rcu(pa, pasid, pts);
	return lfht_load_rcu(pa, pasid, pts);
}

/* the same lookup with its schedule points (an array made while exploring) */
static __attribute__((noinline)) void *load_rcu_explored(struct pasid_array *pa, uint32_t pasid)
{
	return load_rcu(pa, pasid, tcesim_explore_on());
}

/* a hot leaf: no schedule-point test of its own (struct pasid_array) */
void *pasid_array_load_rcu(struct pasid_array *pa, uint32_t pasid)
{
	if (tcesim_unlikely(pasid >> PASID_ARRAY_BITS))
		return NULL;
	if (tcesim_likely(pa->load_kind == PASID_ARRAY_RADIX))
		return radix_load_rcu(pa, pasid, false);
	if (pa->load_kind == PASID_ARRAY_LFHT)
		return lfht_load_rcu(pa, pasid, false);
	return load_rcu_explored(pa, pasid);
}

int pasid_array_reserve_locked(struct pasid_array *pa, uint32_t pasid)
{
	int ret;

	tcesim_lock_assert_held(pa->lock);
	if (pasid >> PASID_ARRAY_BITS)
		return -EINVAL;
	if (pa->kind == PASID_ARRAY_RADIX)
		ret = radix_reserve_locked(pa, pasid);
	else
		ret = lfht_reserve_locked(pa, pasid);
	if (!ret)
		pa->nr++;
	return ret;
}

void *pasid_array_peek_locked(struct pasid_array *pa, uint32_t pasid)
{
	void *e;

	tcesim_lock_assert_held(pa->lock);
	if (pasid >> PASID_ARRAY_BITS)
		return NULL;
	if (pa->kind == PASID_ARRAY_RADIX) {
		void **slot = radix_slot_locked(pa, pasid);

		return slot ? *slot : NULL;
	}
	tcesim_rcu_read_lock();
	{
		struct pasid_hnode *hn = lfht_find_rcu(pa, pasid);

		e = hn ? hn->entry : NULL;
	}
	tcesim_rcu_read_unlock();
	return e;
}

void pasid_array_store_locked(struct pasid_array *pa, uint32_t pasid, void *entry)
{
	tcesim_lock_assert_held(pa->lock);
	if (pa->kind == PASID_ARRAY_RADIX) {
		void **slot = radix_slot_locked(pa, pasid);

		/*
		 * Pairs with tcesim_rcu_deref() in radix_load_rcu(): whatever
		 * the caller wrote to the entry's object (handle->domain)
		 * before this is visible to a reader that sees the entry.
		 */
		tcesim_rcu_assign(*slot, entry);
		return;
	}
	tcesim_rcu_read_lock();
	{
		struct pasid_hnode *hn = lfht_find_rcu(pa, pasid);

		/* pairs with tcesim_rcu_deref() in lfht_load_rcu() */
		tcesim_rcu_assign(hn->entry, entry);
	}
	tcesim_rcu_read_unlock();
}

void *pasid_array_erase_locked(struct pasid_array *pa, uint32_t pasid)
{
	void *old;

	tcesim_lock_assert_held(pa->lock);
	if (pasid >> PASID_ARRAY_BITS)
		return NULL;
	if (pa->kind == PASID_ARRAY_RADIX)
		old = radix_erase_locked(pa, pasid);
	else
		old = lfht_erase_locked(pa, pasid);
	if (old)
		pa->nr--;
	return old;
}
