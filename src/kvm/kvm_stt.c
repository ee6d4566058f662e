// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * kvm_stt.c - KVM's guest-visible TCE tables (stt), the common LIOBN/table
 * layer under every hypercall tier: creation (KVM_CREATE_SPAPR_TCE_64,
 * locked_vm charge), release, the links to hardware tables, the lazily
 * allocated pages, and the checks the tiers share (ioba range, linked
 * tables' validate/map/unmap).
 *
 * Models arch/powerpc/kvm/book3s_64_vio.c: kvm_vm_ioctl_create_spapr_tce(),
 * kvm_spapr_tce_release() (the stt half), kvm_spapr_tce_attach_iommu_group()
 * / kvm_spapr_tce_release_iommu_group() (the links), kvmppc_tce_put() (page
 * allocation), kvmppc_ioba_validate(), kvmppc_tce_validate() (the linked
 * part), kvmppc_tce_iommu_map()/unmap() (one entry).
 * Calls only kvm_guest.c below it (through kvm_internal.h's inline helpers).
 *
 * Locking: kvm->lock for the table list and the links (RCU for readers);
 * stt->alloc_lock serialises page allocation (pages published with
 * release, stt->present bits after them).
 */
#include <stdio.h>

#include "kvm/kvm_internal.h"

/* npages whose struct_size() cannot overflow (then kmalloc's limit decides) */
#define KVM_STT_MAX_NPAGES ((SIZE_MAX / 2) / sizeof(void *))

/*
 * sizeof(struct kvmppc_spapr_tce_table) of upstream on ppc64
 * (arch/powerpc/include/asm/kvm_host.h, no lock debugging): list 16, kvm 8,
 * liobn 8, rcu 16, page_shift 4 + 4 padding, offset 8, size 8,
 * iommu_tables 16, alloc_lock (struct mutex: owner 8, wait_lock 4, osq 4,
 * wait_list 16) 32; pages[] starts at byte 120. kvmppc_stt_pages() and
 * the kzalloc(struct_size()) limit count these bytes, not the model's
 * struct (which is larger: the charge was one page more for some sizes).
 */
#define KVM_STT_UPSTREAM_BYTES	120ULL

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
	uint64_t bytes = KVM_STT_UPSTREAM_BYTES + tce_pages * 8;

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

	/*
	 * arch/powerpc/kvm/powerpc.c: kvm_arch_vm_ioctl(KVM_CREATE_SPAPR_TCE_64)
	 * refuses any flag before kvm_vm_ioctl_create_spapr_tce() runs.
	 */
	if (!args || args->flags)
		return -EINVAL;
	if (!args->size || args->page_shift < 12 || args->page_shift > 34 ||
	    args->offset + args->size > (~0ULL >> args->page_shift))
		return -EINVAL;
	/* kvmppc_tce_pages(): TCE pages of PAGE_SIZE/8 entries each */
	npages = (args->size * 8 + (1ULL << host_shift) - 1) >> host_shift;
	/*
	 * Upstream's check adds offset + size in u64 and does not see it wrap:
	 * a wrapping window is accepted (documented quirk, docs/FIDELITY.md
	 * "KVM table window wrap"). quirks=safe refuses it. quirks=upstream
	 * accepts it as upstream when its pages[] covers @size (the table is
	 * then out of every ioba's reach); when size * 8 overflows as well,
	 * kvmppc_tce_pages() is too small for the table and upstream's
	 * hypercalls index pages[] out of bounds: refused in both modes.
	 */
	if (args->offset + args->size < args->offset) {
		if (!tcesim_quirks_upstream(kvm->w))
			return -EINVAL;
		if (args->size > ((~0ULL - ((1ULL << host_shift) - 1)) >> 3)) {
			tcesim_pr(kvm->w,
				  "kvm: KVM_CREATE_SPAPR_TCE_64 offset=0x%llx size=0x%llx wraps and "
				  "overflows kvmppc_tce_pages(); upstream accepts it with %llu TCE "
				  "pages and indexes them out of bounds: refused",
				  (unsigned long long)args->offset, (unsigned long long)args->size,
				  (unsigned long long)npages);
			return -EINVAL;
		}
	}
	acct = kvmppc_stt_pages(npages, host_shift);
	if (mm) {
		ret = tcesim_account_locked_vm(mm, acct, true);
		if (ret)
			return ret;
	}
	/*
	 * kzalloc(struct_size(stt, pages, npages), GFP_KERNEL | __GFP_NOWARN):
	 * -ENOMEM above KMALLOC_MAX_SIZE (16 MiB of page pointers by default:
	 * just under 2^30 TCEs on a 4K host, 2^34 on a 64K one), whatever
	 * RLIMIT_MEMLOCK allowed.
	 */
	stt = npages > KVM_STT_MAX_NPAGES ||
	      !tcesim_kmalloc_fits(kvm->w, KVM_STT_UPSTREAM_BYTES + npages * 8) ? NULL :
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

/*
 * kvmppc_ioba_validate(): since v4.12 a macro of arch/powerpc/include/asm/
 * kvm_ppc.h over iommu_tce_check_ioba(stt->page_shift, stt->offset,
 * stt->size, ioba, npages) (H_PARAMETER when it fails), in its modern form
 * (the overflow-validation fix, as tcesim_iommu_tce_check_ioba()): the first
 * page must be in the window, "(ioba + 1) > (offset + size)", whatever
 * @npages (so npages 0 at the window end is H_PARAMETER), then the whole
 * range, without wrapping. The 2016 function form (book3s_64_vio_hv.c)
 * had no first-page check and let npages 0 at the end through.
 * legacy_2016 (v5.2..v5.18) ran the pre-fix iommu_tce_check_ioba(), which
 * ignores npages (quirk Q2; its H_STUFF_TCE/INDIRECT then store past the
 * table): the model keeps the range check in that flavour too.
 */
long kvmppc_ioba_validate(const struct kvmppc_spapr_tce_table *stt, uint64_t ioba,
			  uint64_t npages)
{
	uint64_t mask = (1ULL << stt->page_shift) - 1;
	uint64_t idx = ioba >> stt->page_shift;

	if ((ioba & mask) || idx < stt->offset || idx + 1 > stt->offset + stt->size)
		return TCESIM_H_PARAMETER;
	if (idx + npages < idx || idx - stt->offset + npages > stt->size)
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

