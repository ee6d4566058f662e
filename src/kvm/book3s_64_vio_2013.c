// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * book3s_64_vio_2013.c - KVM's TCE handlers for emulated tables as the
 * in-kernel IOMMU series left them (v9, August 2013, seed 004; flavour
 * legacy_2013).
 *
 * Models the emulated-table paths of arch/powerpc/kvm/book3s_64_vio.c and
 * book3s_64_vio_hv.c of that series (SEMANTICS.md B8, "2013 v9"), checked
 * against the posted patch "[PATCH v9 08/13] KVM: PPC: Add support for
 * multiple-TCE hcalls" (2013-08-28): kvmppc_h_put_tce(),
 * kvmppc_h_put_tce_indirect(), kvmppc_h_stuff_tce(), kvmppc_tce_validate().
 * H_GET_TCE had no in-kernel handler in that patch; the window rule is
 * applied to it here by analogy. What differs from the modern handlers:
 *  - the window is checked as "ioba >= window_size" (bytes; a 2013 table
 *    started at bus address 0), for a list or a range as
 *    "ioba + (npages << shift) > window_size"; a misaligned ioba is not an
 *    error, the entry is ioba >> shift;
 *  - kvmppc_tce_validate() only looks at the bits: any bit below the 4K
 *    IOMMU page other than R/W is H_PARAMETER, whether or not R/W are set;
 *    the address is not looked up in the memslots (nothing reaches QEMU);
 *  - H_STUFF_TCE runs the same validator and refuses R|W: H_PARAMETER;
 *  - H_PUT_TCE_INDIRECT checks npages <= 512, the list's 4K alignment and
 *    the whole range (H_PARAMETER), then translates and references the
 *    list page (gpa->hva or get_page failing is H_TOO_HARD), then reads
 *    and validates every TCE (get_user failing is H_PARAMETER) and only
 *    then stores them all: no second read, no partial update.
 * An stt with a start offset (the 64-bit create of 2016) is checked
 * relative to its first entry: "ioba - bus start >= window_size".
 *
 * Not modelled: the 2013 IOMMU-group paths (a LIOBN linked to a VFIO group
 * through the "SPAPR TCE IOMMU" KVM device: H_RESCINDED for a group without
 * an iommu table, H_HARDWARE for get_page/iommu_tce_build failures). The
 * linked-table hook (struct kvmppc_linked_table_ops) only links hardware
 * tables that exist, so a group without a table cannot be expressed; an stt
 * with linked tables has no 2013 counterpart and its hypercalls exit to
 * userspace (H_TOO_HARD). The real-mode handlers of 2013 gave an emulated
 * table the same answers as virtual mode, so one tier (KVM) answers.
 */
#include <stdio.h>

#include "kvm/kvm_internal.h"

/* IOMMU_PAGE_SHIFT in 2013: TCEs described 4K pages only. */
#define KVM2013_IOMMU_PAGE_MASK	(~0xfffULL)

/* kvmppc_tce_validate() of 2013: "only flags are validated". */
static long kvmppc_tce_validate_2013(uint64_t tce)
{
	if (tce & ~(KVM2013_IOMMU_PAGE_MASK | TCESIM_TCE_PERM_MASK))
		return TCESIM_H_PARAMETER;
	return TCESIM_H_SUCCESS;
}

/* ioba relative to the window start (wraps, so below the window is too big). */
static inline uint64_t window_rel(const struct kvmppc_spapr_tce_table *stt, uint64_t ioba)
{
	return ioba - (stt->offset << stt->page_shift);
}

static inline uint64_t window_size(const struct kvmppc_spapr_tce_table *stt)
{
	return stt->size << stt->page_shift;
}

/* "ioba + (npages << IOMMU_PAGE_SHIFT) > window_size", without wrapping. */
static long window_check_range(const struct kvmppc_spapr_tce_table *stt, uint64_t ioba,
			       uint64_t npages)
{
	uint64_t rel = window_rel(stt, ioba), win = window_size(stt);

	if (rel > win || npages > (win - rel) >> stt->page_shift)
		return TCESIM_H_PARAMETER;
	return TCESIM_H_SUCCESS;
}

static inline bool stt_linked(struct kvmppc_spapr_tce_table *stt)
{
	return rcu_dereference(stt->iommu_tables.next) != &stt->iommu_tables;
}

/* The table of @liobn for an emulated-table call; H_TOO_HARD otherwise. */
static long find_emulated(struct tcesim_kvm *kvm, uint64_t liobn,
			  struct kvmppc_spapr_tce_table **out)
{
	struct kvmppc_spapr_tce_table *stt = kvmppc_find_table_rcu(kvm, liobn);

	/* unknown LIOBN: userspace; a linked stt: no 2013 counterpart */
	if (!stt || stt_linked(stt))
		return TCESIM_H_TOO_HARD;
	*out = stt;
	return TCESIM_H_SUCCESS;
}

/* find_emulated(), then the window check of a one-entry call (H_PARAMETER). */
static long find_emulated_entry(struct tcesim_kvm *kvm, uint64_t liobn, uint64_t ioba,
				struct kvmppc_spapr_tce_table **out)
{
	long ret = find_emulated(kvm, liobn, out);

	if (ret == TCESIM_H_SUCCESS && window_rel(*out, ioba) >= window_size(*out))
		ret = TCESIM_H_PARAMETER;
	return ret;
}

long kvmppc_2013_h_put_tce(struct tcesim_kvm *kvm, uint64_t liobn, uint64_t ioba, uint64_t tce)
{
	struct kvmppc_spapr_tce_table *stt;
	long ret;

	tcesim_rcu_read_lock();
	ret = find_emulated_entry(kvm, liobn, ioba, &stt);
	if (ret != TCESIM_H_SUCCESS)
		goto out;
	ret = kvmppc_tce_validate_2013(tce);
	if (ret != TCESIM_H_SUCCESS)
		goto out;
	kvmppc_tce_put(stt, ioba >> stt->page_shift, tce);
out:
	tcesim_rcu_read_unlock();
	return ret;
}

long kvmppc_2013_h_put_tce_indirect(struct tcesim_kvm *kvm, uint64_t liobn, uint64_t ioba,
				    uint64_t tce_list, uint64_t npages)
{
	struct kvmppc_spapr_tce_table *stt;
	uint64_t tces[KVM_TCE_LIST_MAX];
	struct tcesim_mm *list_mm;
	uint64_t list_ua, list_hpa, entry, i;
	long ret;

	tcesim_rcu_read_lock();
	ret = find_emulated(kvm, liobn, &stt);
	if (ret != TCESIM_H_SUCCESS)
		goto out;
	/* "the maximum size of the list is 512 TCEs so the whole table fits in 4K page" */
	if (npages > KVM_TCE_LIST_MAX || (tce_list & ~KVM2013_IOMMU_PAGE_MASK)) {
		ret = TCESIM_H_PARAMETER;
		goto out;
	}
	/* the whole range is checked before the list is looked at */
	ret = window_check_range(stt, ioba, npages);
	if (ret != TCESIM_H_SUCCESS)
		goto out;
	/*
	 * kvmppc_gpa_to_hva_and_get(): memslot of the list, then a reference
	 * on its page ("protect it from accident invalidation"); either
	 * failing exits to userspace. The page stays referenced until the end.
	 */
	if (kvmppc_tce_to_ua_rcu(kvm, tce_list, &list_ua, &list_mm) ||
	    tcesim_pin_user_pages_fast(list_mm, list_ua, 1, 0, &list_hpa) != 1) {
		ret = TCESIM_H_TOO_HARD;
		goto out;
	}
	/*
	 * get_user() of each TCE, then validate it; a fault (only if the mapping
	 * went away under the reference) is H_PARAMETER for an emulated table.
	 */
	if (npages && tcesim_mm_read(list_mm, list_ua, tces, npages * 8)) {
		ret = TCESIM_H_PARAMETER;
		goto out_put_list;
	}
	for (i = 0; i < npages; i++) {
		ret = kvmppc_tce_validate_2013(be64toh(tces[i]));
		if (ret != TCESIM_H_SUCCESS)
			goto out_put_list;
	}
	entry = ioba >> stt->page_shift;
	for (i = 0; i < npages; i++)
		kvmppc_tce_put(stt, entry + i, be64toh(tces[i]));
out_put_list:
	tcesim_unpin_user_page(kvm->w, list_hpa);
out:
	tcesim_rcu_read_unlock();
	return ret;
}

long kvmppc_2013_h_stuff_tce(struct tcesim_kvm *kvm, uint64_t liobn, uint64_t ioba,
			     uint64_t tce_value, uint64_t npages)
{
	struct kvmppc_spapr_tce_table *stt;
	uint64_t entry;
	long ret;

	tcesim_rcu_read_lock();
	ret = find_emulated(kvm, liobn, &stt);
	if (ret != TCESIM_H_SUCCESS)
		goto out;
	ret = window_check_range(stt, ioba, npages);
	if (ret != TCESIM_H_SUCCESS)
		goto out;
	if (kvmppc_tce_validate_2013(tce_value) || (tce_value & TCESIM_TCE_PERM_MASK)) {
		ret = TCESIM_H_PARAMETER;
		goto out;
	}
	entry = ioba >> stt->page_shift;
	kvmppc_stt_fill(stt, entry, npages, tce_value, kvmppc_tce_put);
out:
	tcesim_rcu_read_unlock();
	return ret;
}

long kvmppc_2013_h_get_tce(struct tcesim_kvm *kvm, uint64_t liobn, uint64_t ioba, uint64_t *tce)
{
	struct kvmppc_spapr_tce_table *stt;
	long ret;

	tcesim_rcu_read_lock();
	ret = find_emulated_entry(kvm, liobn, ioba, &stt);
	if (ret != TCESIM_H_SUCCESS)
		goto out;
	*tce = kvmppc_stt_get(stt, (ioba >> stt->page_shift) - stt->offset);
out:
	tcesim_rcu_read_unlock();
	return ret;
}
