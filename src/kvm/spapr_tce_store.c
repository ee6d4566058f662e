// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * spapr_tce_store.c - the storage of a QEMU-owned TCE table (SpaprTceTable's
 * entries), kept sparse.
 *
 * QEMU 7.2 hw/ppc/spapr_iommu.c spapr_tce_alloc_table() takes
 * g_new0(uint64_t, nb_table): one zeroed array as big as the window, which
 * the host kernel backs lazily with zero pages. A model that allocated and
 * walked the same array paid for the window, not for its use (issue 7,
 * defect 2: a 2^42-byte window at 4 KiB pages with one H_PUT_TCE and one
 * H_STUFF_TCE took 72 s and 8 GiB). Here the entries live in a radix tree
 * of 512-slot nodes (4 KiB, like the host pages that back QEMU's array):
 * the leaf holding an index is allocated by the first non-zero store into
 * it; absent leaves read as 0, as untouched g_new0 memory does. So memory
 * and a walk (digest, a STUFF of 0) cost what has been written, and the
 * entries' values, order and digest are those of the flat array. The
 * tables of one kvm hold at most SPAPR_TCE_STORE_MAX_LEAVES leaves in all
 * (128 MiB): a guest that writes more (a STUFF of a non-zero value over a
 * huge window) has the rest refused with one message, where QEMU would
 * touch that memory.
 *
 * Concurrency: entries are relaxed atomics (QEMU runs under the BQL, the
 * model lets readers run concurrently); a node is published by
 * compare-and-swap with release, read with acquire, and only freed with
 * the whole table after an RCU grace period (spapr_iommu.c).
 */
#include "kvm/kvm_internal.h"

#define SPS_BITS	9
#define SPS_FAN		(1ULL << SPS_BITS)
#define SPS_MASK	(SPS_FAN - 1)

/* An interior node's slots or a leaf's entries: 512 of either. */
typedef _Atomic(void *) sps_ptr;

void spapr_tce_store_init(struct spapr_tce_store *s, struct tcesim_world *w, uint64_t nb_table,
			  _Atomic uint64_t *budget)
{
	unsigned int levels = 1;

	while (levels < 7 && nb_table && (nb_table - 1) >> (SPS_BITS * levels))
		levels++;
	s->w = w;
	s->levels = levels;
	atomic_init(&s->root, NULL);
	atomic_init(&s->leaves, 0);
	s->budget = budget;
	atomic_flag_clear(&s->warned);
}

bool spapr_tce_store_warn_once(struct spapr_tce_store *s)
{
	return !atomic_flag_test_and_set(&s->warned);
}

static void free_node(struct tcesim_world *w, void *node, unsigned int level)
{
	uint64_t i;

	if (!node)
		return;
	if (level) {
		sps_ptr *slot = node;

		for (i = 0; i < SPS_FAN; i++)
			free_node(w, atomic_load_explicit(&slot[i], memory_order_relaxed), level - 1);
	}
	tcesim_kfree(w, node);
}

void spapr_tce_store_unbudget(struct spapr_tce_store *s)
{
	atomic_fetch_sub_explicit(s->budget, atomic_exchange_explicit(&s->leaves, 0,
								      memory_order_relaxed),
				  memory_order_relaxed);
}

void spapr_tce_store_free(struct spapr_tce_store *s)
{
	free_node(s->w, atomic_load_explicit(&s->root, memory_order_relaxed), s->levels - 1);
	atomic_store_explicit(&s->root, NULL, memory_order_relaxed);
}

/* The child in @slot; allocated (zeroed) and published when absent and @alloc. */
static void *child(struct spapr_tce_store *s, sps_ptr *slot, bool alloc, bool leaf)
{
	void *n = atomic_load_explicit(slot, memory_order_acquire), *expected = NULL;

	if (n || !alloc)
		return n;
	n = tcesim_zalloc(s->w, SPS_FAN * sizeof(uint64_t));
	if (!n)
		return NULL;
	/* Pairs with the acquire load above: the zeroed node is seen whole. */
	if (!atomic_compare_exchange_strong_explicit(slot, &expected, n, memory_order_acq_rel,
						     memory_order_acquire)) {
		tcesim_kfree(s->w, n);
		return expected;
	}
	if (leaf) {
		atomic_fetch_add_explicit(&s->leaves, 1, memory_order_relaxed);
		atomic_fetch_add_explicit(s->budget, 1, memory_order_relaxed);
	}
	return n;
}

/* The leaf (512 entries) of @index, or NULL (absent, or out of memory with @alloc). */
_Atomic uint64_t *spapr_tce_store_leaf(struct spapr_tce_store *s, uint64_t index, bool alloc)
{
	sps_ptr *slot = &s->root;
	unsigned int level;

	/* at the bound: only leaves that exist (no interior node allocated either) */
	if (alloc && atomic_load_explicit(s->budget, memory_order_relaxed) >=
			     SPAPR_TCE_STORE_MAX_LEAVES)
		alloc = false;
	for (level = s->levels - 1;; level--) {
		void *n = child(s, slot, alloc, !level);

		if (!n)
			return NULL;
		if (!level)
			return n;
		slot = (sps_ptr *)n + ((index >> (SPS_BITS * level)) & SPS_MASK);
	}
}

uint64_t spapr_tce_store_get(const struct spapr_tce_store *s, uint64_t index)
{
	_Atomic uint64_t *leaf =
		spapr_tce_store_leaf((struct spapr_tce_store *)(uintptr_t)s, index, false);

	return leaf ? atomic_load_explicit(&leaf[index & SPS_MASK], memory_order_relaxed) : 0;
}

/*
 * The first index in [@index, @end) whose leaf is present, or @end: the
 * absent subtrees on the way are skipped whole.
 */
uint64_t spapr_tce_store_next(const struct spapr_tce_store *s, uint64_t index, uint64_t end)
{
	while (index < end) {
		const sps_ptr *slot = &s->root;
		unsigned int level;
		uint64_t span = 0;

		for (level = s->levels - 1;; level--) {
			void *n = atomic_load_explicit(slot, memory_order_acquire);

			if (!n) {
				/* absent subtree at @level + 1: skip to its end */
				span = 1ULL << (SPS_BITS * (level + 1));
				break;
			}
			if (!level)
				return index;
			slot = (const sps_ptr *)n + ((index >> (SPS_BITS * level)) & SPS_MASK);
		}
		index = (index | (span - 1)) + 1;
		if (!index)	/* wrapped: past the last index */
			return end;
	}
	return end;
}
