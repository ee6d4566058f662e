// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * book3s_64_vio.c - KVM's in-kernel H_PUT_TCE / H_PUT_TCE_INDIRECT /
 * H_STUFF_TCE / H_GET_TCE handlers on the guest-visible tables (stt,
 * kvm_stt.c), modern
 * (v5.19+: virtual mode only; anything KVM cannot do is H_TOO_HARD, which
 * exits to QEMU).
 *
 * Models arch/powerpc/kvm/book3s_64_vio.c. Invariants:
 *  - validation happens before any store: a handler that returns an error
 *    other than the documented partial cases changed nothing;
 *  - an stt page is allocated only for a non-zero store (a zero store to an
 *    absent page reads back 0 anyway);
 *  - the guest TCE value is stored after every linked hardware table
 *    accepted it (a hardware failure leaves the guest view unchanged).
 * Flavour legacy_2013 hands the four hypercalls to book3s_64_vio_2013.c
 * (the 2013 emulated-table rules) before anything else is looked at.
 * Linked hardware tables (stt->iommu_tables) come from the vfio layer
 * through struct kvmppc_linked_table_ops; without any, the handlers only
 * update the guest view, as for an emulated device.
 */
#include <stdio.h>

#include "kvm/kvm_internal.h"

/* ----------------------------------------------------------- hypercalls --- */

TCESIM_EXPORT long tcesim_kvmppc_h_put_tce(struct tcesim_kvm *kvm, uint64_t liobn, uint64_t ioba,
					   uint64_t tce)
{
	struct kvmppc_spapr_tce_table *stt;
	uint64_t entry;
	long ret;

	if (tcesim_unlikely(tcesim_flavour_is(kvm->w, TCESIM_FLAVOUR_LEGACY_2013)))
		return kvmppc_2013_h_put_tce(kvm, liobn, ioba, tce);

	tcesim_rcu_read_lock();
	ret = kvmppc_stt_lookup_ioba_rcu(kvm, liobn, ioba, 1, &stt);
	if (ret != TCESIM_H_SUCCESS)
		goto out;
	entry = ioba >> stt->page_shift;
	ret = kvmppc_put_tce_linked(kvm, stt, entry, tce);
	if (ret != TCESIM_H_SUCCESS)
		goto out;
	kvmppc_tce_put(stt, entry, tce);
out:
	tcesim_rcu_read_unlock();
	return ret;
}

/*
 * The guest's list as get_user() sees it, in guest (big-endian) byte order:
 * one access to the mapped list page per pass instead of one mm access per
 * entry (which is what the kernel's get_user() on an already mapped page
 * costs). -EFAULT when the page is unreadable.
 */
static int read_tce_list(struct tcesim_mm *mm, uint64_t ua, uint64_t *buf, uint64_t npages)
{
	return tcesim_mm_read(mm, ua, buf, npages * 8) ? -EFAULT : 0;
}

/*
 * The list loops when no hardware table is linked (stt->iommu_tables empty,
 * checked once per pass: a table linked while the call runs is then linked
 * "after" it, an order the kernel allows as well, since attaching replays
 * no stt entry into the hardware table). With no table, an entry needs
 * nothing but its TCE, the stt geometry and the memslot holding its gpa; the
 * loops below keep those in registers. Every check of the per-entry loops
 * still runs for every entry, in the same order, with the same result:
 *  - the current memslot's range is a copy of ctx->cur (the slot of the
 *    previous entry, or the kernel's last_used_slot); a gpa outside it takes
 *    the search through kvm_tce_ctx_to_ua(), which moves ctx->cur;
 *  - stores go page by page: one acquire load of the stt page per run of
 *    entries in it (published page pointers never change while the stt is
 *    reachable), an absent page goes through kvmppc_tce_put() one entry at
 *    a time (it allocates); the live counters get one relaxed add per run
 *    (they are relaxed counters: no reader may order them against the
 *    stores anyway).
 */

/* Pass 1, modern flavour, no linked table: kvmppc_tce_validate_ctx() per entry. */
static long indirect_validate_unlinked(struct kvm_tce_ctx *ctx, unsigned int page_shift,
				       const uint64_t *tces, uint64_t npages)
{
	const uint64_t pmask = (1ULL << page_shift) - 1;
	uint64_t sgpa = ctx->cur.gpa, ssize = ctx->cur.size, i;

	for (i = 0; i < npages; i++) {
		uint64_t tce = be64toh(tces[i]);
		uint64_t gpa = tce & ~TCESIM_TCE_PERM_MASK;

		/* "Allow userspace to poison TCE table" */
		if (!(tce & TCESIM_TCE_PERM_MASK))
			continue;
		if (gpa & pmask)	/* iommu_tce_check_gpa() */
			return TCESIM_H_TOO_HARD;
		if (tcesim_unlikely(gpa - sgpa >= ssize)) {
			struct tcesim_mm *mm;
			uint64_t ua;

			if (kvm_tce_ctx_to_ua(ctx, tce, &ua, &mm))
				return TCESIM_H_TOO_HARD;
			sgpa = ctx->cur.gpa;
			ssize = ctx->cur.size;
		}
	}
	return TCESIM_H_SUCCESS;
}

static inline void indirect_live_add(struct kvmppc_spapr_tce_table *stt, int64_t delta)
{
	if (!delta)
		return;
	atomic_fetch_add_explicit(&stt->live, (uint64_t)delta, memory_order_relaxed);
	atomic_fetch_add_explicit(&stt->kvm->live_tces, (uint64_t)delta, memory_order_relaxed);
}

/*
 * Pass 2, no linked table: tce_to_ua (H_PARAMETER when no memslot holds the
 * gpa, DMA_NONE entries included; the entries before stay written) and
 * kvmppc_tce_put() per entry, @entry absolute.
 */
static long indirect_store_unlinked(struct kvmppc_spapr_tce_table *stt, struct kvm_tce_ctx *ctx,
				    uint64_t entry, const uint64_t *tces, uint64_t npages)
{
	const unsigned int shift = stt->per_page_shift;
	const uint64_t in_mask = (1ULL << shift) - 1;
	const uint64_t rel0 = entry - stt->offset;
	uint64_t sgpa = ctx->cur.gpa, ssize = ctx->cur.size, i = 0;

	while (i < npages) {
		uint64_t rel = rel0 + i, in = rel & in_mask, run = in_mask + 1 - in, j;
		_Atomic uint64_t *page = atomic_load_explicit(&stt->pages[rel >> shift],
							      memory_order_acquire);
		int64_t delta = 0;

		if (tcesim_unlikely(!page)) {
			/* one entry through the allocating path, then look again */
			uint64_t tce = be64toh(tces[i]);
			struct tcesim_mm *mm;
			uint64_t ua;

			if (kvm_tce_ctx_to_ua(ctx, tce, &ua, &mm))
				return TCESIM_H_PARAMETER;
			sgpa = ctx->cur.gpa;
			ssize = ctx->cur.size;
			kvmppc_tce_put(stt, entry + i, tce);
			i++;
			continue;
		}
		if (run > npages - i)
			run = npages - i;
		for (j = 0; j < run; j++) {
			uint64_t tce = be64toh(tces[i + j]);
			uint64_t gpa = tce & ~TCESIM_TCE_PERM_MASK, old;

			if (tcesim_unlikely(gpa - sgpa >= ssize)) {
				struct tcesim_mm *mm;
				uint64_t ua;

				if (kvm_tce_ctx_to_ua(ctx, tce, &ua, &mm)) {
					indirect_live_add(stt, delta);
					return TCESIM_H_PARAMETER;
				}
				sgpa = ctx->cur.gpa;
				ssize = ctx->cur.size;
			}
			old = atomic_load_explicit(&page[in + j], memory_order_relaxed);
			atomic_store_explicit(&page[in + j], tce, memory_order_relaxed);
			delta += (int64_t)(tce != 0) - (int64_t)(old != 0);
		}
		indirect_live_add(stt, delta);
		i += run;
	}
	return TCESIM_H_SUCCESS;
}

static inline bool stt_unlinked(struct kvmppc_spapr_tce_table *stt)
{
	return rcu_dereference(stt->iommu_tables.next) == &stt->iommu_tables;
}

TCESIM_EXPORT long tcesim_kvmppc_h_put_tce_indirect(struct tcesim_kvm *kvm, uint64_t liobn,
						    uint64_t ioba, uint64_t tce_list,
						    uint64_t npages)
{
	struct kvmppc_spapr_tce_table *stt;
	uint64_t tces[KVM_TCE_LIST_MAX];
	struct kvmppc_stt_writer wr;
	struct tcesim_mm *list_mm;
	uint64_t list_ua, entry, i;
	struct kvm_tce_ctx ctx;
	long ret;

	if (tcesim_unlikely(tcesim_flavour_is(kvm->w, TCESIM_FLAVOUR_LEGACY_2013)))
		return kvmppc_2013_h_put_tce_indirect(kvm, liobn, ioba, tce_list, npages);

	tcesim_rcu_read_lock();
	ret = kvmppc_indirect_lookup_rcu(kvm, liobn, tce_list, npages, &stt);
	if (ret != TCESIM_H_SUCCESS)
		goto out;
	entry = ioba >> stt->page_shift;
	ret = kvmppc_ioba_validate(stt, ioba, npages);
	if (ret != TCESIM_H_SUCCESS)
		goto out;
	ret = kvmppc_tce_list_to_ua(&ctx, kvm, tce_list, &list_ua, &list_mm);
	if (ret != TCESIM_H_SUCCESS)
		goto out;
	/*
	 * Pass 1: read and validate everything; nothing is written on failure.
	 * Each entry gets the kernel's full kvmppc_tce_validate(); what makes
	 * it cheap per entry is the memslot hint (consecutive TCEs of a list
	 * are in the same slot) and the inline fast paths, not skipped checks.
	 */
	if (npages && read_tce_list(list_mm, list_ua, tces, npages)) {
		ret = TCESIM_H_TOO_HARD;
		goto out;
	}
	if (tcesim_likely(!ctx.legacy_2016 && stt_unlinked(stt))) {
		ret = indirect_validate_unlinked(&ctx, stt->page_shift, tces, npages);
		if (ret != TCESIM_H_SUCCESS)
			goto out;
	} else {
		for (i = 0; i < npages; i++) {
			ret = kvmppc_tce_validate_ctx(stt, &ctx, be64toh(tces[i]));
			if (ret != TCESIM_H_SUCCESS)
				goto out;
		}
	}
	/*
	 * Pass 2 re-reads the list ("looks unsafe ... but it actually is safe,
	 * because the relevant checks will be re-executed"): the guest may have
	 * changed it in between; a TCE now outside the memslots is H_PARAMETER
	 * and the entries before it stay written. An unreadable list is
	 * H_TOO_HARD, as get_user() failing in pass 1.
	 */
	if (npages && read_tce_list(list_mm, list_ua, tces, npages)) {
		ret = TCESIM_H_TOO_HARD;
		goto out;
	}
	if (tcesim_likely(stt_unlinked(stt))) {
		ret = indirect_store_unlinked(stt, &ctx, entry, tces, npages);
		goto out;
	}
	kvmppc_stt_writer_init(&wr, stt);
	for (i = 0; i < npages; i++) {
		uint64_t tce = be64toh(tces[i]);

		ret = kvmppc_indirect_put_linked(stt, &ctx, entry + i, tce);
		if (ret != TCESIM_H_SUCCESS)
			goto out;
		kvmppc_stt_writer_put(&wr, entry + i, tce);
	}
	ret = TCESIM_H_SUCCESS;
out:
	tcesim_rcu_read_unlock();
	return ret;
}

TCESIM_EXPORT long tcesim_kvmppc_h_stuff_tce(struct tcesim_kvm *kvm, uint64_t liobn,
					     uint64_t ioba, uint64_t tce_value, uint64_t npages)
{
	struct kvmppc_spapr_tce_table *stt;
	long ret;

	if (tcesim_unlikely(tcesim_flavour_is(kvm->w, TCESIM_FLAVOUR_LEGACY_2013)))
		return kvmppc_2013_h_stuff_tce(kvm, liobn, ioba, tce_value, npages);

	tcesim_rcu_read_lock();
	ret = kvmppc_stt_lookup_ioba_rcu(kvm, liobn, ioba, npages, &stt);
	if (ret == TCESIM_H_SUCCESS)
		ret = kvmppc_stuff_tce_rcu(stt, ioba, tce_value, npages, "kvmppc_h_stuff_tce",
					   kvmppc_tce_put);
	tcesim_rcu_read_unlock();
	return ret;
}

TCESIM_EXPORT long tcesim_kvmppc_h_get_tce(struct tcesim_kvm *kvm, uint64_t liobn, uint64_t ioba,
					   uint64_t *tce)
{
	struct kvmppc_spapr_tce_table *stt;
	long ret;

	if (tcesim_unlikely(tcesim_flavour_is(kvm->w, TCESIM_FLAVOUR_LEGACY_2013)))
		return kvmppc_2013_h_get_tce(kvm, liobn, ioba, tce);

	tcesim_rcu_read_lock();
	ret = kvmppc_stt_lookup_ioba_rcu(kvm, liobn, ioba, 1, &stt);
	if (ret != TCESIM_H_SUCCESS)
		goto out;
	*tce = kvmppc_stt_get(stt, (ioba >> stt->page_shift) - stt->offset);
out:
	tcesim_rcu_read_unlock();
	return ret;
}
