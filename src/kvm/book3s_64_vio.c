// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * book3s_64_vio.c - KVM's guest-visible TCE tables (stt) and the in-kernel
 * H_PUT_TCE / H_PUT_TCE_INDIRECT / H_STUFF_TCE / H_GET_TCE handlers, modern
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

/*
 * struct tcesim_kvm_create_spapr_tce_64 mirrors powerpc's UAPI
 * struct kvm_create_spapr_tce_64 (arch/powerpc/include/uapi/asm/kvm.h, not
 * in an x86 host's headers): u64 liobn, u32 page_shift, u32 flags, u64
 * offset, u64 size.
 */
_Static_assert(sizeof(struct tcesim_kvm_create_spapr_tce_64) == 32, "UAPI layout");
_Static_assert(offsetof(struct tcesim_kvm_create_spapr_tce_64, offset) == 16, "UAPI layout");

struct kvmppc_spapr_tce_table *kvmppc_find_table_rcu(struct tcesim_kvm *kvm, uint64_t liobn)
{
	struct kvmppc_spapr_tce_table *stt;

	cds_list_for_each_entry_rcu(stt, &kvm->spapr_tce_tables, list)
		if (stt->liobn == liobn)
			return stt;
	return NULL;
}

/* kvmppc_stt_pages(): pages charged for a table of @tce_pages TCE pages. */
static unsigned long kvmppc_stt_pages(uint64_t tce_pages, unsigned int host_shift)
{
	uint64_t bytes = sizeof(struct kvmppc_spapr_tce_table) + tce_pages * sizeof(void *);

	return (unsigned long)(((bytes + (1ULL << host_shift) - 1) >> host_shift) + tce_pages);
}

int kvmppc_stt_create(struct tcesim_kvm *kvm, const struct tcesim_kvm_create_spapr_tce_64 *args,
		      struct tcesim_mm *mm, struct kvmppc_spapr_tce_table **out)
{
	unsigned int host_shift = tcesim_page_shift(kvm->w);
	struct kvmppc_spapr_tce_table *stt, *siter;
	uint64_t npages;
	unsigned long acct;
	int ret;

	if (!args || !args->size || args->page_shift < 12 || args->page_shift > 34 ||
	    args->offset + args->size > (~0ULL >> args->page_shift) ||
	    args->offset + args->size < args->offset)
		return -EINVAL;
	/* kvmppc_tce_pages(): TCE pages of PAGE_SIZE/8 entries each */
	npages = (args->size * 8 + (1ULL << host_shift) - 1) >> host_shift;
	acct = kvmppc_stt_pages(npages, host_shift);
	if (mm) {
		ret = tcesim_account_locked_vm(mm, acct, true);
		if (ret)
			return ret;
	}
	/* kzalloc(struct_size(stt, pages, npages)) */
	stt = npages > (SIZE_MAX / 2) / sizeof(stt->pages[0]) ? NULL :
		tcesim_zalloc(kvm->w, sizeof(*stt) + npages * sizeof(stt->pages[0]));
	if (!stt) {
		ret = -ENOMEM;
		goto out_unaccount;
	}
	stt->present = tcesim_zalloc(kvm->w, (npages + 63) / 64 * sizeof(uint64_t));
	if (!stt->present) {
		tcesim_kfree(kvm->w, stt);
		ret = -ENOMEM;
		goto out_unaccount;
	}
	stt->kvm = kvm;
	stt->w = kvm->w;
	stt->liobn = args->liobn;
	stt->page_shift = args->page_shift;
	stt->offset = args->offset;
	stt->size = args->size;
	stt->per_page_shift = host_shift - 3;
	stt->npages = npages;
	stt->acct_pages = mm ? acct : 0;
	stt->mm = mm;
	tcesim_mutex_init(&stt->alloc_lock);
	CDS_INIT_LIST_HEAD(&stt->iommu_tables);
	atomic_init(&stt->live, 0);

	tcesim_mutex_lock(&kvm->lock);
	cds_list_for_each_entry(siter, &kvm->spapr_tce_tables, list) {
		if (siter->liobn == args->liobn) {
			tcesim_mutex_unlock(&kvm->lock);
			ret = -EBUSY;
			goto out_free;
		}
	}
	if (mm)
		tcesim_mmgrab(mm);
	/* Publishes the initialised stt; pairs with kvmppc_find_table_rcu(). */
	cds_list_add_rcu(&stt->list, &kvm->spapr_tce_tables);
	tcesim_mutex_unlock(&kvm->lock);
	if (out)
		*out = stt;
	return 0;

out_free:
	tcesim_mutex_destroy(&stt->alloc_lock);
	tcesim_kfree(kvm->w, (void *)stt->present);
	tcesim_kfree(kvm->w, stt);
out_unaccount:
	if (mm)
		tcesim_account_locked_vm(mm, acct, false);
	return ret;
}

TCESIM_EXPORT int
tcesim_kvm_vm_ioctl_create_spapr_tce(struct tcesim_kvm *kvm,
				     const struct tcesim_kvm_create_spapr_tce_64 *args,
				     struct tcesim_mm *mm)
{
	return kvmppc_stt_create(kvm, args, mm, NULL);
}

static void stit_free_rcu(struct rcu_head *head)
{
	struct kvmppc_spapr_tce_iommu_table *stit =
		tcesim_container_of(head, struct kvmppc_spapr_tce_iommu_table, rcu);

	tcesim_rcu_callback_enter();
	tcesim_kfree(stit->w, stit);
	tcesim_rcu_callback_exit();
}

static void stt_free(struct kvmppc_spapr_tce_table *stt)
{
	struct tcesim_world *w = stt->w;
	uint64_t i;

	for (i = kvmppc_stt_next_page(stt, 0, stt->npages); i < stt->npages;
	     i = kvmppc_stt_next_page(stt, i + 1, stt->npages))
		tcesim_kfree(w, (void *)stt->pages[i]);
	tcesim_kfree(w, (void *)stt->present);
	if (stt->mm) {
		tcesim_account_locked_vm(stt->mm, stt->acct_pages, false);
		tcesim_mmdrop(stt->mm);
	}
	tcesim_mutex_destroy(&stt->alloc_lock);
	tcesim_kfree(w, stt);
}

static void stt_free_rcu(struct rcu_head *head)
{
	tcesim_rcu_callback_enter();
	stt_free(tcesim_container_of(head, struct kvmppc_spapr_tce_table, rcu));
	tcesim_rcu_callback_exit();
}

void kvmppc_stt_release_locked(struct tcesim_kvm *kvm, struct kvmppc_spapr_tce_table *stt,
			       bool now)
{
	struct kvmppc_spapr_tce_iommu_table *stit, *tmp;

	tcesim_lock_assert_held(&kvm->lock);
	cds_list_del_rcu(&stt->list);
	cds_list_for_each_entry_safe(stit, tmp, &stt->iommu_tables, next) {
		cds_list_del_rcu(&stit->next);
		if (stit->ops->release)
			stit->ops->release(stit->priv);
		if (now)
			tcesim_kfree(kvm->w, stit);
		else
			tcesim_call_rcu(&stit->rcu, stit_free_rcu);
	}
	atomic_fetch_sub_explicit(&kvm->live_tces,
				  atomic_load_explicit(&stt->live, memory_order_relaxed),
				  memory_order_relaxed);
	if (now)
		stt_free(stt);
	else
		tcesim_call_rcu(&stt->rcu, stt_free_rcu);
}

TCESIM_EXPORT int tcesim_kvm_spapr_tce_release(struct tcesim_kvm *kvm, uint64_t liobn)
{
	struct kvmppc_spapr_tce_table *stt;
	struct spapr_tce_table *tcet;

	tcesim_mutex_lock(&kvm->lock);
	cds_list_for_each_entry(stt, &kvm->spapr_tce_tables, list) {
		if (stt->liobn != liobn)
			continue;
		cds_list_for_each_entry(tcet, &kvm->qemu_tables, list) {
			if (tcet->stt == stt) {
				/* frees the stt as well */
				spapr_tce_free_locked(kvm, tcet, false);
				tcesim_mutex_unlock(&kvm->lock);
				return 0;
			}
		}
		kvmppc_stt_release_locked(kvm, stt, false);
		tcesim_mutex_unlock(&kvm->lock);
		return 0;
	}
	tcesim_mutex_unlock(&kvm->lock);
	return -ENOENT;
}

int kvmppc_stt_link_table(struct tcesim_kvm *kvm, uint64_t liobn,
			  const struct kvmppc_linked_table_ops *ops, void *priv)
{
	struct kvmppc_spapr_tce_iommu_table *stit;
	struct kvmppc_spapr_tce_table *stt;

	tcesim_mutex_lock(&kvm->lock);
	stt = NULL;
	{
		struct kvmppc_spapr_tce_table *s;

		cds_list_for_each_entry(s, &kvm->spapr_tce_tables, list)
			if (s->liobn == liobn)
				stt = s;
	}
	if (!stt) {
		tcesim_mutex_unlock(&kvm->lock);
		return -EINVAL;
	}
	cds_list_for_each_entry(stit, &stt->iommu_tables, next) {
		if (stit->priv == priv) {
			atomic_fetch_add(&stit->kref, 1);
			tcesim_mutex_unlock(&kvm->lock);
			return 0;
		}
	}
	stit = tcesim_zalloc(kvm->w, sizeof(*stit));
	if (!stit) {
		tcesim_mutex_unlock(&kvm->lock);
		return -ENOMEM;
	}
	stit->ops = ops;
	stit->priv = priv;
	stit->w = kvm->w;
	atomic_init(&stit->kref, 1);
	cds_list_add_rcu(&stit->next, &stt->iommu_tables);
	tcesim_mutex_unlock(&kvm->lock);
	return 0;
}

int kvmppc_stt_unlink_table(struct tcesim_kvm *kvm, uint64_t liobn, void *priv)
{
	struct kvmppc_spapr_tce_iommu_table *stit, *tmp;
	struct kvmppc_spapr_tce_table *stt;
	int ret = -ENOENT;

	tcesim_mutex_lock(&kvm->lock);
	cds_list_for_each_entry(stt, &kvm->spapr_tce_tables, list) {
		if (stt->liobn != liobn)
			continue;
		cds_list_for_each_entry_safe(stit, tmp, &stt->iommu_tables, next) {
			if (stit->priv != priv)
				continue;
			ret = 0;
			if (atomic_fetch_sub(&stit->kref, 1) != 1)
				break;
			cds_list_del_rcu(&stit->next);
			if (stit->ops->release)
				stit->ops->release(stit->priv);
			tcesim_call_rcu(&stit->rcu, stit_free_rcu);
			break;
		}
	}
	tcesim_mutex_unlock(&kvm->lock);
	return ret;
}

/* ------------------------------------------------------------- storage --- */

/* Slow path of kvmppc_stt_put() (kvm_internal.h): first store into an absent page. */
bool kvmppc_stt_put_alloc(struct kvmppc_spapr_tce_table *stt, uint64_t idx, uint64_t tce)
{
	uint64_t pg = idx >> stt->per_page_shift;
	_Atomic uint64_t *page;

	tcesim_mutex_lock(&stt->alloc_lock);
	page = atomic_load_explicit(&stt->pages[pg], memory_order_relaxed);
	if (!page) {
		page = tcesim_zalloc(stt->w, 8ULL << stt->per_page_shift);
		/* Pairs with the acquire loads in kvmppc_stt_put() and kvmppc_stt_get(). */
		if (page) {
			atomic_store_explicit(&stt->pages[pg], page, memory_order_release);
			atomic_fetch_or_explicit(&stt->present[pg / 64], 1ULL << (pg % 64),
						 memory_order_release);
		}
	}
	tcesim_mutex_unlock(&stt->alloc_lock);
	if (!page)
		return false;
	/* the page is published now: the inline path stores and accounts */
	return kvmppc_stt_put(stt, idx, tce);
}

void kvmppc_tce_put_dropped(struct kvmppc_spapr_tce_table *stt, uint64_t idx)
{
	tcesim_pr(stt->w, "kvm: TCE page allocation failed, liobn=%llx idx=%llx dropped",
		  (unsigned long long)stt->liobn, (unsigned long long)idx);
}

/* ---------------------------------------------------------- validators --- */

long kvmppc_ioba_validate(const struct kvmppc_spapr_tce_table *stt, uint64_t ioba,
			  uint64_t npages)
{
	uint64_t mask = (1ULL << stt->page_shift) - 1;
	uint64_t idx = ioba >> stt->page_shift;

	if ((ioba & mask) || idx < stt->offset || idx - stt->offset + npages > stt->size ||
	    idx + npages < idx)
		return TCESIM_H_PARAMETER;
	return TCESIM_H_SUCCESS;
}

/* The linked-table part of kvmppc_tce_validate(): every table must accept @ua. */
long kvmppc_tce_validate_linked(struct kvmppc_spapr_tce_table *stt, struct tcesim_mm *mm,
				uint64_t ua)
{
	struct kvmppc_spapr_tce_iommu_table *stit;

	cds_list_for_each_entry_rcu(stit, &stt->iommu_tables, next) {
		if (stit->ops->validate && stit->ops->validate(stit->priv, mm, ua))
			return TCESIM_H_TOO_HARD;
	}
	return TCESIM_H_SUCCESS;
}

/* Map or unmap @entry in one linked table, with the single kill afterwards. */
long kvmppc_stit_update(struct kvmppc_spapr_tce_iommu_table *stit, uint64_t entry,
			struct tcesim_mm *mm, uint64_t ua, enum tcesim_dma_data_direction dir)
{
	long ret;

	if (dir == TCESIM_DMA_NONE)
		ret = stit->ops->unmap(stit->priv, entry);
	else
		ret = stit->ops->map(stit->priv, entry, mm, ua, dir);
	if (stit->ops->kill)
		stit->ops->kill(stit->priv, entry, 1);
	return ret;
}

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
