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

/* kvmppc_rm_ioba_validate(): plus "every stt page to store into exists". */
static long kvmppc_rm_ioba_validate(struct kvmppc_spapr_tce_table *stt, uint64_t ioba,
				    uint64_t npages, bool clearing)
{
	long ret = kvmppc_ioba_validate(stt, ioba, npages);
	uint64_t idx, pg, last;

	if (ret != TCESIM_H_SUCCESS || clearing || !npages)
		return ret;
	idx = (ioba >> stt->page_shift) - stt->offset;
	last = (idx + npages - 1) >> stt->per_page_shift;
	for (pg = idx >> stt->per_page_shift; pg <= last; pg++)
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

TCESIM_EXPORT long tcesim_kvmppc_rm_h_put_tce(struct tcesim_kvm *kvm, uint64_t liobn,
					      uint64_t ioba, uint64_t tce)
{
	struct kvmppc_spapr_tce_iommu_table *stit;
	struct kvmppc_spapr_tce_table *stt;
	enum tcesim_dma_data_direction dir;
	struct tcesim_mm *mm = NULL;
	uint64_t ua = 0, entry;
	long ret;

	tcesim_rcu_read_lock();
	stt = kvmppc_find_table_rcu(kvm, liobn);
	if (!stt) {
		ret = TCESIM_H_TOO_HARD;
		goto out;
	}
	ret = kvmppc_rm_ioba_validate(stt, ioba, 1, tce == 0);
	if (ret != TCESIM_H_SUCCESS)
		goto out;
	ret = kvmppc_tce_validate(stt, tce);
	if (ret != TCESIM_H_SUCCESS)
		goto out;
	dir = tcesim_tce_direction(tce);
	if (dir != TCESIM_DMA_NONE && kvmppc_tce_to_ua_rcu(kvm, tce, &ua, &mm)) {
		ret = TCESIM_H_PARAMETER;
		goto out;
	}
	entry = ioba >> stt->page_shift;
	cds_list_for_each_entry_rcu(stit, &stt->iommu_tables, next) {
		ret = kvmppc_stit_update(stit, entry, mm, ua, dir);
		if (ret != TCESIM_H_SUCCESS) {
			stit->ops->clear(stit->priv, entry);
			goto out;
		}
	}
	kvmppc_rm_tce_put(stt, entry, tce);
	ret = TCESIM_H_SUCCESS;
out:
	tcesim_rcu_read_unlock();
	return ret;
}

TCESIM_EXPORT long tcesim_kvmppc_rm_h_put_tce_indirect(struct tcesim_kvm *kvm, uint64_t liobn,
						       uint64_t ioba, uint64_t tce_list,
						       uint64_t npages)
{
	struct kvmppc_spapr_tce_iommu_table *stit;
	struct kvmppc_spapr_tce_table *stt;
	uint64_t tces[KVM_TCE_LIST_MAX];
	struct tcesim_page_info info;
	struct tcesim_mm *list_mm;
	uint64_t list_ua, entry, i;
	struct kvm_tce_ctx ctx;
	long ret;

	tcesim_rcu_read_lock();
	stt = kvmppc_find_table_rcu(kvm, liobn);
	if (!stt) {
		ret = TCESIM_H_TOO_HARD;
		goto out;
	}
	entry = ioba >> stt->page_shift;
	if (npages > KVM_TCE_LIST_MAX || (tce_list & (4096 - 1))) {
		ret = TCESIM_H_PARAMETER;
		goto out;
	}
	ret = kvmppc_rm_ioba_validate(stt, ioba, npages, false);
	if (ret != TCESIM_H_SUCCESS)
		goto out;
	kvm_tce_ctx_init(&ctx, kvm);
	if (kvm_tce_ctx_to_ua(&ctx, tce_list, &list_ua, &list_mm)) {
		ret = TCESIM_H_TOO_HARD;
		goto out;
	}
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
		struct tcesim_mm *mm;
		uint64_t ua;

		if (kvm_tce_ctx_to_ua(&ctx, tces[i], &ua, &mm)) {
			ret = TCESIM_H_PARAMETER;
			goto out;
		}
		cds_list_for_each_entry_rcu(stit, &stt->iommu_tables, next) {
			ret = kvmppc_stit_update(stit, entry + i, mm, ua,
						 tcesim_tce_direction(tces[i]));
			if (ret != TCESIM_H_SUCCESS) {
				stit->ops->clear(stit->priv, entry + i);
				goto out;
			}
		}
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
	struct kvmppc_spapr_tce_iommu_table *stit;
	struct kvmppc_spapr_tce_table *stt;
	uint64_t i, entry;
	long ret;

	tcesim_rcu_read_lock();
	stt = kvmppc_find_table_rcu(kvm, liobn);
	if (!stt) {
		ret = TCESIM_H_TOO_HARD;
		goto out;
	}
	ret = kvmppc_rm_ioba_validate(stt, ioba, npages, tce_value == 0);
	if (ret != TCESIM_H_SUCCESS)
		goto out;
	if (tce_value & TCESIM_TCE_PERM_MASK) {
		ret = TCESIM_H_PARAMETER;
		goto out;
	}
	entry = ioba >> stt->page_shift;
	cds_list_for_each_entry_rcu(stit, &stt->iommu_tables, next) {
		for (i = 0; i < npages; i++) {
			ret = kvmppc_stit_update(stit, entry + i, NULL, 0, TCESIM_DMA_NONE);
			if (ret == TCESIM_H_SUCCESS)
				continue;
			if (ret == TCESIM_H_TOO_HARD)
				goto out;
			tcesim_pr(kvm->w, "WARNING: kvmppc_rm_h_stuff_tce: unmap failed (%ld)",
				  ret);
			stit->ops->clear(stit->priv, entry + i);
		}
	}
	for (i = 0; i < npages; i++)
		kvmppc_rm_tce_put(stt, entry + i, tce_value);
out:
	tcesim_rcu_read_unlock();
	return ret;
}

TCESIM_EXPORT long tcesim_kvmppc_rm_h_get_tce(struct tcesim_kvm *kvm, uint64_t liobn,
					      uint64_t ioba, uint64_t *tce)
{
	/* kvmppc_h_get_tce() needs neither allocation nor faults: same code */
	return tcesim_kvmppc_h_get_tce(kvm, liobn, ioba, tce);
}
