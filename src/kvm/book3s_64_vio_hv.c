// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * book3s_64_vio_hv.c - KVM's real-mode TCE handlers, the first of three
 * tiers in kernels 2016-2022 (flavour legacy_2016): real mode (MMU off) ->
 * virtual mode -> QEMU. Retired in v5.19 (cad32d9d42e8).
 *
 * Models arch/powerpc/kvm/book3s_64_vio_hv.c as of v5.2..v5.18 (guest TCE
 * pages allocated on demand). With the MMU off the handler can neither
 * allocate memory nor fault pages in, so it says H_TOO_HARD and lets
 * virtual mode retry whenever
 *  - a store would need an stt page that is not allocated yet
 *    (kvmppc_rm_ioba_validate(), unless the call only clears), or
 *  - the TCE list of H_PUT_TCE_INDIRECT is in a guest page whose host page
 *    is not present (kvmppc_rm_ua_to_hpa(): non-present PTE).
 * Everything else it checks exactly as virtual mode does, with the
 * flavour's validator.
 */
#include <stdio.h>

#include "kvm/kvm_internal.h"

/*
 * kvmppc_rm_ioba_validate(): plus "every stt page to store into exists".
 * Upstream counts the pages as ALIGN(idx % TCES_PER_PAGE + npages,
 * TCES_PER_PAGE) / TCES_PER_PAGE from the page of idx: with npages 0 that
 * is still the page of idx when idx is not the first entry of its page (an
 * absent one: H_TOO_HARD), none when it is. That page always holds entry
 * idx - 1, so it is inside pages[].
 */
static long kvmppc_rm_ioba_validate(struct kvmppc_spapr_tce_table *stt, uint64_t ioba,
				    uint64_t npages, bool clearing)
{
	long ret = kvmppc_ioba_validate(stt, ioba, npages);
	const uint64_t per_page = 1ULL << stt->per_page_shift;
	uint64_t idx, pg, n;

	if (ret != TCESIM_H_SUCCESS || clearing)
		return ret;
	idx = (ioba >> stt->page_shift) - stt->offset;
	/* npages <= size - (idx - offset) <= 2^52: no overflow */
	n = ((idx & (per_page - 1)) + npages + per_page - 1) >> stt->per_page_shift;
	for (pg = idx >> stt->per_page_shift; n; pg++, n--)
		if (!atomic_load_explicit(&stt->pages[pg], memory_order_acquire))
			return TCESIM_H_TOO_HARD;
	return TCESIM_H_SUCCESS;
}

/* kvmppc_rm_tce_put(): never allocates (checked by kvmppc_rm_ioba_validate). */
static void kvmppc_rm_tce_put(struct kvmppc_spapr_tce_table *stt, uint64_t idx, uint64_t tce)
{
	if (!kvmppc_stt_put(stt, idx - stt->offset, tce))
		tcesim_pr(stt->w, "WARNING: kvmppc_rm_tce_put: no page for idx %llx",
			  (unsigned long long)idx);
}

/*
 * kvmppc_stt_lookup_rcu() plus the real-mode ioba check (H_TOO_HARD for an
 * absent stt page unless @clearing), where virtual mode has
 * kvmppc_stt_lookup_ioba_rcu().
 */
static long kvmppc_rm_stt_lookup_ioba(struct tcesim_kvm *kvm, uint64_t liobn, uint64_t ioba,
				      uint64_t npages, bool clearing,
				      struct kvmppc_spapr_tce_table **out)
{
	long ret = kvmppc_stt_lookup_rcu(kvm, liobn, out);

	return ret != TCESIM_H_SUCCESS ? ret
				       : kvmppc_rm_ioba_validate(*out, ioba, npages, clearing);
}

TCESIM_EXPORT long tcesim_kvmppc_rm_h_put_tce(struct tcesim_kvm *kvm, uint64_t liobn,
					      uint64_t ioba, uint64_t tce)
{
	struct kvmppc_spapr_tce_table *stt;
	uint64_t entry;
	long ret;

	tcesim_rcu_read_lock();
	ret = kvmppc_rm_stt_lookup_ioba(kvm, liobn, ioba, 1, tce == 0, &stt);
	if (ret != TCESIM_H_SUCCESS)
		goto out;
	entry = ioba >> stt->page_shift;
	ret = kvmppc_put_tce_linked(kvm, stt, entry, tce);
	if (ret != TCESIM_H_SUCCESS)
		goto out;
	kvmppc_rm_tce_put(stt, entry, tce);
out:
	tcesim_rcu_read_unlock();
	return ret;
}

TCESIM_EXPORT long tcesim_kvmppc_rm_h_put_tce_indirect(struct tcesim_kvm *kvm, uint64_t liobn,
						       uint64_t ioba, uint64_t tce_list,
						       uint64_t npages)
{
	struct kvmppc_spapr_tce_table *stt;
	uint64_t tces[KVM_TCE_LIST_MAX];
	struct tcesim_page_info info;
	struct tcesim_mm *list_mm;
	uint64_t list_ua, entry, i;
	struct kvm_tce_ctx ctx;
	long ret;

	tcesim_rcu_read_lock();
	ret = kvmppc_indirect_lookup_rcu(kvm, liobn, tce_list, npages, &stt);
	if (ret != TCESIM_H_SUCCESS)
		goto out;
	entry = ioba >> stt->page_shift;
	ret = kvmppc_rm_ioba_validate(stt, ioba, npages, false);
	if (ret != TCESIM_H_SUCCESS)
		goto out;
	ret = kvmppc_tce_list_to_ua(&ctx, kvm, tce_list, &list_ua, &list_mm);
	if (ret != TCESIM_H_SUCCESS)
		goto out;
	/* kvmppc_rm_ua_to_hpa(): the list's host page must be present already */
	if (npages && (tcesim_mm_page_query(list_mm, list_ua, &info, NULL) || !info.populated ||
		       tcesim_mm_read(list_mm, list_ua, tces, npages * 8))) {
		ret = TCESIM_H_TOO_HARD;
		goto out;
	}
	for (i = 0; i < npages; i++) {
		tces[i] = be64toh(tces[i]);
		ret = kvmppc_tce_validate_ctx(stt, &ctx, tces[i]);
		if (ret != TCESIM_H_SUCCESS)
			goto out;
	}
	/* Real mode reads the list once: it holds the page (rmap lock). */
	for (i = 0; i < npages; i++) {
		ret = kvmppc_indirect_put_linked(stt, &ctx, entry + i, tces[i]);
		if (ret != TCESIM_H_SUCCESS)
			goto out;
		kvmppc_rm_tce_put(stt, entry + i, tces[i]);
	}
	ret = TCESIM_H_SUCCESS;
out:
	tcesim_rcu_read_unlock();
	return ret;
}

TCESIM_EXPORT long tcesim_kvmppc_rm_h_stuff_tce(struct tcesim_kvm *kvm, uint64_t liobn,
						uint64_t ioba, uint64_t tce_value, uint64_t npages)
{
	struct kvmppc_spapr_tce_table *stt;
	long ret;

	tcesim_rcu_read_lock();
	ret = kvmppc_rm_stt_lookup_ioba(kvm, liobn, ioba, npages, tce_value == 0, &stt);
	if (ret == TCESIM_H_SUCCESS)
		ret = kvmppc_stuff_tce_rcu(stt, ioba, tce_value, npages, "kvmppc_rm_h_stuff_tce",
					   kvmppc_rm_tce_put);
	tcesim_rcu_read_unlock();
	return ret;
}

TCESIM_EXPORT long tcesim_kvmppc_rm_h_get_tce(struct tcesim_kvm *kvm, uint64_t liobn,
					      uint64_t ioba, uint64_t *tce)
{
	/* kvmppc_h_get_tce() needs neither allocation nor faults: same code */
	return tcesim_kvmppc_h_get_tce(kvm, liobn, ioba, tce);
}
