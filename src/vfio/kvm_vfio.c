// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * kvm_vfio.c - KVM <-> VFIO linkage: a VFIO group's hardware TCE table
 * linked to a guest LIOBN (KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE), so KVM's
 * in-kernel H_PUT_TCE family maps guest pages straight into the table the
 * device translates through.
 *
 * Models arch/powerpc/kvm/book3s_64_vio.c: kvm_spapr_tce_attach_iommu_group(),
 * kvm_spapr_tce_release_iommu_group(), kvmppc_tce_iommu_do_map/do_unmap(),
 * kvmppc_tce_iommu_mapped_dec(), kvmppc_clear_tce() and the prereg half of
 * kvmppc_tce_validate(). It is the real struct kvmppc_linked_table_ops that
 * src/kvm calls through (src/kvm does not know src/vfio).
 *
 * One struct vfio_kvm_tbl per (guest, LIOBN, hardware table): the identity
 * kvmppc_stt_link_table() counts links by. It holds a table reference; its
 * memory is freed after a grace period once KVM lets go of it (hypercalls
 * use it inside RCU read-side sections). One struct vfio_kvm_link per
 * successful attach, so releasing a group drops exactly its own links.
 *
 * "kvm->mm" of the kernel: the process backing the guest's memslots (KVM
 * requires every memslot to be in the VM's mm). tcesim reads it from the
 * memslots; the map op also receives it from the TCE's memslot.
 *
 * Invariants (as the container's): a valid TCE made here holds one mapped
 * count of the region its shadow entry names; the (TCE, shadow) pair of an
 * entry changes under the same stripe lock the container uses.
 */
#include "vfio/vfio_internal.h"

/* kvm->mm: caller in an RCU read-side section. */
static struct tcesim_mm *kvm_mm_rcu(struct tcesim_kvm *kvm)
{
	struct kvm_memslots *slots = tcesim_rcu_deref(kvm->memslots);

	return slots && slots->n ? slots->slot[0].mm : NULL;
}

static unsigned int subpage_shift(const struct vfio_kvm_tbl *t)
{
	return t->stt_page_shift - t->tbl->it_page_shift;
}

/* kvmppc_tce_iommu_mapped_dec(); caller holds the entry's stripe. */
static long kvm_mapped_dec(struct vfio_state *st, struct tcesim_mm *mm,
			   struct tcesim_iommu_table *tbl, uint64_t entry)
{
	struct tcesim_mm_iommu_region *mem;
	_Atomic uint64_t *pua;

	pua = tbl->it_ops->useraddrptr ? tbl->it_ops->useraddrptr(tbl, (long)entry, false) : NULL;
	if (!pua)
		return TCESIM_H_SUCCESS;
	mem = mm ? mm_iommu_lookup_rcu(st, mm, tce_read(pua), 1ULL << tbl->it_page_shift) : NULL;
	if (!mem)
		return TCESIM_H_TOO_HARD;
	tcesim_mm_iommu_mapped_dec(mem);
	tce_write(pua, 0);
	return TCESIM_H_SUCCESS;
}

/* kvmppc_tce_iommu_do_map() for one hardware entry. */
static long kvm_do_map(struct vfio_state *st, struct tcesim_mm *mm,
		       struct tcesim_iommu_table *tbl, uint64_t entry, uint64_t ua,
		       enum tcesim_dma_data_direction dir)
{
	struct tcesim_mm_iommu_region *mem;
	_Atomic uint64_t *pua;
	pthread_spinlock_t *lk;
	uint64_t hpa;
	long ret;

	if (!tce_entry_in_table(tbl, entry, 1))
		return TCESIM_H_TOO_HARD;
	pua = tbl->it_ops->useraddrptr ? tbl->it_ops->useraddrptr(tbl, (long)entry, true) : NULL;
	if (!pua)
		return TCESIM_H_TOO_HARD; /* "it_userspace allocation might be delayed" */
	mem = mm ? mm_iommu_lookup_rcu(st, mm, ua, 1ULL << tbl->it_page_shift) : NULL;
	if (!mem)
		return TCESIM_H_TOO_HARD; /* only v2 (prereg) is handled here; v1 by ioctl() */
	if (mm_iommu_ua_to_hpa(mem, ua, tbl->it_page_shift, &hpa)) {
		tcesim_pr(st->w, "WARNING: kvmppc_tce_iommu_do_map: ua_to_hpa failed");
		return TCESIM_H_TOO_HARD;
	}
	if (tcesim_mm_iommu_mapped_inc(mem))
		return TCESIM_H_TOO_HARD;
	lk = vfio_entry_lock(st, tbl, entry);
	tcesim_spin_lock(lk);
	ret = tcesim_iommu_tce_xchg_no_kill(mm, tbl, entry, &hpa, &dir);
	if (ret) {
		tcesim_spin_unlock(lk);
		tcesim_mm_iommu_mapped_dec(mem);
		tcesim_pr(st->w, "WARNING: kvmppc_tce_iommu_do_map: xchg failed (%ld)", ret);
		return TCESIM_H_TOO_HARD;
	}
	if (dir != TCESIM_DMA_NONE)
		kvm_mapped_dec(st, mm, tbl, entry);
	tce_write(pua, ua);
	tcesim_spin_unlock(lk);
	return TCESIM_H_SUCCESS;
}

/* kvmppc_tce_iommu_do_unmap() for one hardware entry. */
static long kvm_do_unmap(struct vfio_state *st, struct tcesim_mm *mm,
			 struct tcesim_iommu_table *tbl, uint64_t entry)
{
	enum tcesim_dma_data_direction dir = TCESIM_DMA_NONE;
	pthread_spinlock_t *lk;
	uint64_t hpa = 0;
	long ret;

	if (!tce_entry_in_table(tbl, entry, 1))
		return TCESIM_H_TOO_HARD;
	lk = vfio_entry_lock(st, tbl, entry);
	tcesim_spin_lock(lk);
	if (tcesim_iommu_tce_xchg_no_kill(mm, tbl, entry, &hpa, &dir)) {
		tcesim_spin_unlock(lk);
		return TCESIM_H_TOO_HARD;
	}
	if (dir == TCESIM_DMA_NONE) {
		tcesim_spin_unlock(lk);
		return TCESIM_H_SUCCESS;
	}
	ret = kvm_mapped_dec(st, mm, tbl, entry);
	if (ret != TCESIM_H_SUCCESS) /* not ours (v1 pin): put the old TCE back */
		tcesim_iommu_tce_xchg_no_kill(mm, tbl, entry, &hpa, &dir);
	tcesim_spin_unlock(lk);
	return ret;
}

/* ------------------------------------------------ linked table ops --- */

static long vk_validate(void *priv, struct tcesim_mm *mm, uint64_t ua)
{
	struct vfio_kvm_tbl *t = priv;
	struct vfio_state *st = vfio_state_peek(t->w);
	struct tcesim_mm_iommu_region *mem;
	uint64_t hpa;

	mem = st && mm ? mm_iommu_lookup_rcu(st, mm, ua, 1ULL << t->tbl->it_page_shift) : NULL;
	if (!mem || mm_iommu_ua_to_hpa(mem, ua, t->tbl->it_page_shift, &hpa))
		return TCESIM_H_TOO_HARD;
	return TCESIM_H_SUCCESS;
}

static long vk_map(void *priv, uint64_t entry, struct tcesim_mm *mm, uint64_t ua,
		   enum tcesim_dma_data_direction dir)
{
	struct vfio_kvm_tbl *t = priv;
	struct vfio_state *st = vfio_state_peek(t->w);
	uint64_t i, subpages = 1ULL << subpage_shift(t), io_entry = entry << subpage_shift(t);
	long ret = TCESIM_H_SUCCESS;

	if (!st)
		return TCESIM_H_TOO_HARD;
	for (i = 0; i < subpages; i++) {
		ret = kvm_do_map(st, mm, t->tbl, io_entry + i,
				 ua + (i << t->tbl->it_page_shift), dir);
		if (ret != TCESIM_H_SUCCESS)
			break;
	}
	return ret;
}

static long vk_unmap(void *priv, uint64_t entry)
{
	struct vfio_kvm_tbl *t = priv;
	struct vfio_state *st = vfio_state_peek(t->w);
	uint64_t i, subpages = 1ULL << subpage_shift(t), io_entry = entry << subpage_shift(t);
	struct tcesim_mm *mm = kvm_mm_rcu(t->kvm);
	long ret = TCESIM_H_SUCCESS;

	if (!st)
		return TCESIM_H_TOO_HARD;
	for (i = 0; i < subpages; i++) {
		ret = kvm_do_unmap(st, mm, t->tbl, io_entry + i);
		if (ret != TCESIM_H_SUCCESS)
			break;
	}
	return ret;
}

/*
 * kvmppc_clear_tce(): after a failed map/unmap, empty every subpage.
 * Upstream only exchanges (the mapped counts and shadow entries of the
 * subpages mapped before the failure are lost); quirks=safe gives them back
 * and kills, so no count leaks and no stale translation stays cached.
 */
static void vk_clear(void *priv, uint64_t entry)
{
	struct vfio_kvm_tbl *t = priv;
	struct vfio_state *st = vfio_state_peek(t->w);
	uint64_t i, subpages = 1ULL << subpage_shift(t), io_entry = entry << subpage_shift(t);
	struct tcesim_mm *mm = kvm_mm_rcu(t->kvm);
	bool safe = !tcesim_quirks_upstream(t->w);

	if (!st)
		return;
	for (i = 0; i < subpages; i++) {
		enum tcesim_dma_data_direction dir = TCESIM_DMA_NONE;
		uint64_t hpa = 0, e = io_entry + i;
		pthread_spinlock_t *lk;

		if (!tce_entry_in_table(t->tbl, e, 1))
			continue;
		lk = vfio_entry_lock(st, t->tbl, e);
		tcesim_spin_lock(lk);
		if (!tcesim_iommu_tce_xchg_no_kill(mm, t->tbl, e, &hpa, &dir) && safe &&
		    dir != TCESIM_DMA_NONE)
			kvm_mapped_dec(st, mm, t->tbl, e);
		tcesim_spin_unlock(lk);
	}
	if (safe && tce_entry_in_table(t->tbl, io_entry, subpages))
		tcesim_iommu_tce_kill(t->tbl, io_entry, (unsigned long)subpages);
}

static void vk_kill(void *priv, uint64_t entry, uint64_t npages)
{
	struct vfio_kvm_tbl *t = priv;
	uint64_t io_entry = entry << subpage_shift(t), n = npages << subpage_shift(t);

	/* one kill per guest TCE, whatever the map/unmap result */
	if (tce_entry_in_table(t->tbl, io_entry, n))
		tcesim_iommu_tce_kill(t->tbl, io_entry, (unsigned long)n);
}

static void vk_free_rcu(struct rcu_head *head)
{
	struct vfio_kvm_tbl *t = tcesim_container_of(head, struct vfio_kvm_tbl, rcu);

	tcesim_rcu_callback_enter();
	tcesim_tsan_acquire(head); /* pairs with the release before call_rcu */
	tcesim_kfree(t->w, t);
	tcesim_rcu_callback_exit();
}

/*
 * The link goes (last unlink, or the stt is released). Called under
 * kvm->lock; hypercalls may still use @priv until a grace period ends.
 */
static void vk_release(void *priv)
{
	struct vfio_kvm_tbl *t = priv;
	struct vfio_state *st = vfio_state_peek(t->w);
	struct vfio_kvm_link *l, *tmp;

	if (st) {
		tcesim_mutex_lock(&st->links_lock);
		cds_list_del(&t->node);
		cds_list_for_each_entry_safe(l, tmp, &st->kvm_links, node) {
			if (l->priv == t) {
				cds_list_del(&l->node);
				tcesim_kfree(t->w, l);
			}
		}
		tcesim_mutex_unlock(&st->links_lock);
	}
	/* the table itself is freed after a grace period too */
	tcesim_iommu_tce_table_put(t->tbl);
	tcesim_tsan_release(&t->rcu);
	tcesim_call_rcu(&t->rcu, vk_free_rcu);
}

static const struct kvmppc_linked_table_ops vfio_kvm_table_ops = {
	.validate = vk_validate,
	.map = vk_map,
	.unmap = vk_unmap,
	.clear = vk_clear,
	.kill = vk_kill,
	.release = vk_release,
};

/* -------------------------------------------------------- attach ----- */

TCESIM_EXPORT int tcesim_kvm_spapr_tce_attach_iommu_group(struct tcesim_kvm *kvm, uint64_t liobn,
							  struct tcesim_pe *pe)
{
	struct kvmppc_spapr_tce_table *stt;
	struct tcesim_iommu_table *tbl = NULL;
	struct vfio_kvm_tbl *t, *priv = NULL;
	struct vfio_kvm_link *link;
	unsigned int stt_shift = 0, i;
	uint64_t stt_offset = 0, stt_size = 0;
	struct vfio_state *st;
	bool found = false;
	int ret;

	if (!kvm)
		return -EINVAL;
	st = vfio_state_get(kvm->w);
	if (!st)
		return -ENOMEM;
	tcesim_mutex_lock(&st->kvm_attach_lock);
	tcesim_rcu_read_lock();
	stt = kvmppc_find_table_rcu(kvm, liobn);
	if (stt) {
		found = true;
		stt_shift = stt->page_shift;
		stt_offset = stt->offset;
		stt_size = stt->size;
	}
	tcesim_rcu_read_unlock();
	if (!found) {
		ret = -EBADF;
		goto out_unlock;
	}
	if (!pe) {
		tcesim_pr(kvm->w, "WARNING: kvm_spapr_tce_attach_iommu_group: no table group");
		ret = -EFAULT;
		goto out_unlock;
	}
	/* A hardware table compatible with the guest's window. */
	tcesim_rcu_read_lock();
	for (i = 0; i < TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES; i++) {
		struct tcesim_iommu_table *tt = tcesim_rcu_deref(pe->table_group.tables[i]);

		if (!tt)
			continue;
		if (tt->it_page_shift <= stt_shift &&
		    (tt->it_offset << tt->it_page_shift) == (stt_offset << stt_shift) &&
		    (tt->it_size << tt->it_page_shift) >= (stt_size << stt_shift)) {
			tbl = tcesim_iommu_tce_table_get(tt);
			break;
		}
	}
	tcesim_rcu_read_unlock();
	if (!tbl) {
		ret = -EINVAL;
		goto out_unlock;
	}
	link = tcesim_zalloc(kvm->w, sizeof(*link));
	if (!link) {
		ret = -ENOMEM;
		goto out_put;
	}
	tcesim_mutex_lock(&st->links_lock);
	cds_list_for_each_entry(t, &st->kvm_tbls, node) {
		if (t->kvm == kvm && t->liobn == liobn && t->tbl == tbl) {
			priv = t;
			break;
		}
	}
	tcesim_mutex_unlock(&st->links_lock);
	if (priv) {
		tcesim_iommu_tce_table_put(tbl); /* the link holds its own */
		tbl = NULL;
	} else {
		priv = tcesim_zalloc(kvm->w, sizeof(*priv));
		if (!priv) {
			ret = -ENOMEM;
			goto out_free_link;
		}
		priv->w = kvm->w;
		priv->kvm = kvm;
		priv->liobn = liobn;
		priv->stt_page_shift = stt_shift;
		priv->tbl = tbl;
		/* KVM may release it as soon as it is linked: list it first */
		tcesim_mutex_lock(&st->links_lock);
		cds_list_add(&priv->node, &st->kvm_tbls);
		tcesim_mutex_unlock(&st->links_lock);
	}
	link->kvm = kvm;
	link->liobn = liobn;
	link->pe = pe;
	link->priv = priv;
	ret = kvmppc_stt_link_table(kvm, liobn, &vfio_kvm_table_ops, priv);
	if (ret) {
		if (tbl) { /* our new priv, never linked */
			tcesim_mutex_lock(&st->links_lock);
			cds_list_del(&priv->node);
			tcesim_mutex_unlock(&st->links_lock);
			tcesim_kfree(kvm->w, priv);
		}
		ret = ret == -EINVAL ? -EBADF : ret; /* the table went meanwhile */
		goto out_free_link;
	}
	tcesim_mutex_lock(&st->links_lock);
	cds_list_add(&link->node, &st->kvm_links);
	tcesim_mutex_unlock(&st->links_lock);
	tcesim_mutex_unlock(&st->kvm_attach_lock);
	return 0;

out_free_link:
	tcesim_kfree(kvm->w, link);
out_put:
	if (tbl)
		tcesim_iommu_tce_table_put(tbl);
out_unlock:
	tcesim_mutex_unlock(&st->kvm_attach_lock);
	return ret;
}

/* Drop the links of @pe (of @kvm, or of every guest). */
int vfio_kvm_release_group(struct vfio_state *st, struct tcesim_kvm *kvm, struct tcesim_pe *pe)
{
	struct vfio_kvm_link *l, *tmp;
	CDS_LIST_HEAD(gone);
	int n = 0;

	tcesim_mutex_lock(&st->kvm_attach_lock);
	tcesim_mutex_lock(&st->links_lock);
	cds_list_for_each_entry_safe(l, tmp, &st->kvm_links, node) {
		if ((!kvm || l->kvm == kvm) && (!pe || l->pe == pe)) {
			cds_list_del(&l->node);
			cds_list_add_tail(&l->node, &gone);
		}
	}
	tcesim_mutex_unlock(&st->links_lock);
	/* kvm->lock is taken inside; the last unlink calls vk_release() */
	cds_list_for_each_entry_safe(l, tmp, &gone, node) {
		kvmppc_stt_unlink_table(l->kvm, l->liobn, l->priv);
		cds_list_del(&l->node);
		tcesim_kfree(st->w, l);
		n++;
	}
	tcesim_mutex_unlock(&st->kvm_attach_lock);
	return n;
}

void vfio_kvm_release_all(struct vfio_state *st)
{
	vfio_kvm_release_group(st, NULL, NULL);
}

TCESIM_EXPORT int tcesim_kvm_spapr_tce_release_iommu_group(struct tcesim_kvm *kvm,
							   struct tcesim_pe *pe)
{
	struct vfio_state *st;

	if (!pe)
		return -EINVAL;
	st = vfio_state_peek(pe->phb->w);
	if (!st)
		return 0;
	return vfio_kvm_release_group(st, kvm, pe);
}
