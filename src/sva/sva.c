// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * sva.c - shared virtual addressing: the global PASID allocator, the
 * per-process iommu_mm_data, bind and unbind (drivers/iommu/iommu-sva.c,
 * SEMANTICS.md B11).
 *
 * A process gets one PASID at its first bind (1 .. max_pasids-1, the
 * lowest free), used on every device it binds; the PASID goes back to the
 * allocator only when the process's mm is dropped (mm_pasid_drop from
 * __mmdrop, mm->drop_hook here), never at unbind. SVA domains are per
 * process and shared by the devices of one IOMMU (an SVA domain of another
 * IOMMU fails the compatibility check and the next one is tried).
 *
 * Modern bind (v6.11+, seed 002 as merged) finds an existing bond through
 * the group's PASID array; legacy_2024 (v6.8-v6.10) walks the process's
 * sva_handles list instead, the code seed 002 removed.
 *
 * Locking: sva->lock (iommu_sva_lock) serialises bind and unbind and
 * protects iommu_mm_data's lists, domain->users and the handles list;
 * sva->ida_lock the PASID bitmap; sva->mms_lock the list of published
 * iommu_mm_data (mm_pasid_drop can run under sva->lock, from the mmdrop
 * of a domain freed by unbind, so it must not take sva->lock).
 */
#include "sva/sva_internal.h"
#include "mem/mem_internal.h"

/* ---------------------------------------------------- global PASIDs --- */

#define BITS_PER_UL (8 * sizeof(unsigned long))

/* ida_alloc_range(iommu_global_pasid_ida, 1, max_pasids - 1): lowest free. */
static uint32_t sva_ida_alloc(struct sva_state *sva, uint32_t max_pasids)
{
	uint32_t p, found = TCESIM_IOMMU_PASID_INVALID;

	if (max_pasids > 1u << PASID_ARRAY_BITS)
		max_pasids = 1u << PASID_ARRAY_BITS;
	tcesim_mutex_lock(&sva->ida_lock);
	for (p = 1; p < max_pasids; p++) {
		unsigned long word = sva->pasid_bitmap[p / BITS_PER_UL];

		if (word == ~0ul) {
			p |= BITS_PER_UL - 1;
			continue;
		}
		if (!(word & (1ul << (p % BITS_PER_UL)))) {
			sva->pasid_bitmap[p / BITS_PER_UL] |= 1ul << (p % BITS_PER_UL);
			sva->pasids_in_use++;
			found = p;
			break;
		}
	}
	tcesim_mutex_unlock(&sva->ida_lock);
	return found;
}

void sva_ida_free(struct sva_state *sva, uint32_t pasid)
{
	if (pasid == TCESIM_IOMMU_PASID_INVALID || pasid >> PASID_ARRAY_BITS) {
		tcesim_pr(sva->w, "WARN: iommu_free_global_pasid: invalid PASID");
		return;
	}
	tcesim_mutex_lock(&sva->ida_lock);
	sva->pasid_bitmap[pasid / BITS_PER_UL] &= ~(1ul << (pasid % BITS_PER_UL));
	sva->pasids_in_use--;
	tcesim_mutex_unlock(&sva->ida_lock);
}

TCESIM_EXPORT long tcesim_iommu_global_pasids_in_use(struct tcesim_world *w)
{
	struct sva_state *sva = w ? tcesim_world_slot_peek(w, TCESIM_SLOT_SVA) : NULL;
	long n;

	if (!sva)
		return 0;
	tcesim_mutex_lock(&sva->ida_lock);
	n = sva->pasids_in_use;
	tcesim_mutex_unlock(&sva->ida_lock);
	return n;
}

/* ----------------------------------------------------- iommu_mm_data --- */

static struct iommu_mm_data *mm_data(struct tcesim_mm *mm)
{
	/* pairs with the release store in mm_data_publish() */
	return atomic_load_explicit(&mm->iommu_mm, memory_order_acquire);
}

/* __mmdrop -> mm_pasid_drop(): the process is gone, so is its PASID. */
static void sva_mm_pasid_drop(struct tcesim_mm *mm)
{
	struct iommu_mm_data *data = mm_data(mm);
	struct sva_state *sva = tcesim_world_slot_peek(mm->w, TCESIM_SLOT_SVA);

	if (!data || !sva)
		return;
	tcesim_mutex_lock(&sva->mms_lock);
	cds_list_del(&data->node);
	tcesim_mutex_unlock(&sva->mms_lock);
	atomic_store_explicit(&mm->iommu_mm, NULL, memory_order_relaxed);
	sva_ida_free(sva, data->pasid);
	tcesim_kfree(sva->w, data);
}

/*
 * iommu_alloc_mm_data(): the process's data, or a new one (not yet
 * published: *fresh set) with a new global PASID.
 */
static int mm_data_get_locked(struct sva_state *sva, struct tcesim_mm *mm,
			      struct tcesim_device *dev, struct iommu_mm_data **out, bool *fresh)
{
	struct iommu_mm_data *data;

	tcesim_lock_assert_held(&sva->lock);
	*fresh = false;
	data = mm_data(mm);
	if (data) {
		/* a PASID is per process: it cannot change for this device */
		if (data->pasid >= dev->max_pasids)
			return -EOVERFLOW;
		*out = data;
		return 0;
	}
	data = tcesim_zalloc(sva->w, sizeof(*data));
	if (!data)
		return -ENOMEM;
	data->pasid = dev->max_pasids ? sva_ida_alloc(sva, dev->max_pasids)
				      : TCESIM_IOMMU_PASID_INVALID;
	if (data->pasid == TCESIM_IOMMU_PASID_INVALID) {
		tcesim_kfree(sva->w, data);
		return -ENOSPC;
	}
	data->mm = mm;
	CDS_INIT_LIST_HEAD(&data->sva_domains);
	CDS_INIT_LIST_HEAD(&data->sva_handles);
	*out = data;
	*fresh = true;
	return 0;
}

static void mm_data_publish(struct sva_state *sva, struct iommu_mm_data *data)
{
	struct tcesim_mm *mm = data->mm;

	tcesim_mutex_lock(&sva->mms_lock);
	cds_list_add_tail(&data->node, &sva->mms);
	tcesim_mutex_unlock(&sva->mms_lock);
	mm->drop_hook = sva_mm_pasid_drop;
	/*
	 * smp_store_release(&mm->iommu_mm): pairs with the acquire load in
	 * mm_data(); a reader that sees the pointer sees pasid and the lists
	 * initialised.
	 */
	atomic_store_explicit(&mm->iommu_mm, data, memory_order_release);
}

void sva_mm_data_destroy_all(struct sva_state *sva)
{
	struct iommu_mm_data *data, *n;

	cds_list_for_each_entry_safe(data, n, &sva->mms, node) {
		atomic_store_explicit(&data->mm->iommu_mm, NULL, memory_order_relaxed);
		data->mm->drop_hook = NULL;
		tcesim_kfree(sva->w, data);
	}
	CDS_INIT_LIST_HEAD(&sva->mms);
}

/* -------------------------------------------------------- bind/unbind --- */

static void sva_handle_free_rcu(struct rcu_head *head)
{
	struct tcesim_iommu_sva *h = tcesim_container_of(head, struct tcesim_iommu_sva, rcu);

	tcesim_rcu_callback_enter();
	tcesim_kfree(h->w, h);
	tcesim_rcu_callback_exit();
}

void sva_handles_destroy_all(struct sva_state *sva)
{
	struct tcesim_iommu_sva *h, *n;

	cds_list_for_each_entry_safe(h, n, &sva->handles, all_node)
		tcesim_kfree(sva->w, h);
	CDS_INIT_LIST_HEAD(&sva->handles);
}

/* iommu_sva_domain_alloc(): an SVA domain for @mm on @dev's IOMMU. */
static int sva_domain_alloc(struct tcesim_device *dev, struct tcesim_mm *mm,
			    struct tcesim_iommu_domain **out)
{
	struct tcesim_iommu_domain *d;

	if (!dev->iommu->has_sva)
		return -EOPNOTSUPP;
	d = sva_domain_new(dev->iommu, TCESIM_IOMMU_DOMAIN_SVA, 0);
	if (!d)
		return -ENOMEM;
	tcesim_mmgrab(mm);
	d->mm = mm;
	/*
	 * pasid_life.c: before any attach publishes the domain; only the era
	 * whose PASID slots hold domains uses it (bond ids stay 1, 2, ...).
	 */
	if (tcesim_flavour_is(dev->w, TCESIM_FLAVOUR_LEGACY_2024))
		d->life = sva_life_new(dev->iommu->sva);
	*out = d;
	return 0;
}

TCESIM_EXPORT int tcesim_iommu_sva_domain_alloc(struct tcesim_device *dev, struct tcesim_mm *mm,
						struct tcesim_iommu_domain **out)
{
	int ret;

	if (!dev || !mm || !out || mm->w != dev->w)
		return -EINVAL;
	ret = sva_domain_alloc(dev, mm, out);
	if (!ret)
		(*out)->user_owned = true;
	return ret;
}

/*
 * Attach @handle at the process's PASID through an existing SVA domain of
 * the process or a new one. Upstream ignores the errors of the existing
 * domains (another IOMMU's domain fails the compatibility check).
 */
static int sva_attach_locked(struct sva_state *sva, struct tcesim_device *dev,
			     struct iommu_mm_data *data, struct tcesim_iommu_sva *handle,
			     bool with_handle, struct tcesim_iommu_domain **out_new)
{
	struct tcesim_iommu_attach_handle *ah = with_handle ? &handle->handle : NULL;
	struct tcesim_iommu_domain *d;
	int ret;

	tcesim_lock_assert_held(&sva->lock);
	*out_new = NULL;
	cds_list_for_each_entry(d, &data->sva_domains, mm_node) {
		if (!tcesim_iommu_attach_device_pasid(d, dev, data->pasid, ah)) {
			d->users++;
			/* with a handle, attach set it before publishing it */
			if (!ah)
				handle->handle.domain = d;
			return 0;
		}
	}
	ret = sva_domain_alloc(dev, data->mm, &d);
	if (ret)
		return ret;
	ret = tcesim_iommu_attach_device_pasid(d, dev, data->pasid, ah);
	if (ret) {
		sva_domain_put(d);
		return ret;
	}
	d->users = 1;
	if (!ah)
		handle->handle.domain = d;
	*out_new = d;
	return 0;
}

/*
 * A new bond: the handle, attached at data->pasid (with an attach handle
 * when @attach_handle, as since v6.10; v6.8 attached the bare domain) and
 * put on the all-handles list. The caller adds any per-mm linkage.
 */
static int sva_handle_new_locked(struct sva_state *sva, struct tcesim_device *dev,
				 struct iommu_mm_data *data, bool attach_handle,
				 struct tcesim_iommu_sva **out)
{
	struct tcesim_iommu_domain *new_domain;
	struct tcesim_iommu_sva *h;
	int ret;

	h = tcesim_zalloc(sva->w, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->w = sva->w;
	/*
	 * Upstream sets handle->dev after the attach; here both are set
	 * before the attach publishes the handle, so lock-free readers never
	 * see them unset.
	 */
	h->dev = dev;
	h->life = sva_life_new(sva);
	atomic_init(&h->users, 1);
	ret = sva_attach_locked(sva, dev, data, h, attach_handle, &new_domain);
	if (ret) {
		tcesim_kfree(sva->w, h);
		return ret;
	}
	/*
	 * Without attach handles (legacy_2024) the PASID slot names the
	 * domain, so the bond's life is its domain's (pasid_life.c).
	 */
	if (!attach_handle)
		h->life = h->handle.domain->life;
	if (new_domain)
		cds_list_add(&new_domain->mm_node, &data->sva_domains);
	cds_list_add(&h->all_node, &sva->handles);
	*out = h;
	return 0;
}

static int sva_bind_legacy_locked(struct sva_state *sva, struct tcesim_device *dev,
				  struct iommu_mm_data *data, struct tcesim_iommu_sva **out)
{
	struct tcesim_iommu_sva *h;
	int ret;

	/* v6.8: a bond per (device, process) on the process's list */
	cds_list_for_each_entry(h, &data->sva_handles, mm_node) {
		if (h->dev == dev) {
			atomic_fetch_add(&h->users, 1);
			*out = h;
			return 0;
		}
	}
	/* v6.8 attached the bare domain: no attach handles yet */
	ret = sva_handle_new_locked(sva, dev, data, false, out);
	if (ret)
		return ret;
	cds_list_add(&(*out)->mm_node, &data->sva_handles);
	return 0;
}

static int sva_bind_modern_locked(struct sva_state *sva, struct tcesim_device *dev,
				  struct iommu_mm_data *data, struct tcesim_iommu_sva **out)
{
	struct tcesim_iommu_attach_handle *ah;
	struct tcesim_iommu_sva *h;
	int ret;

	/* A bond already exists at the PASID: the same process reuses it. */
	tcesim_rcu_read_lock();
	ret = sva_attach_handle_get_rcu(dev->group, data->pasid, TCESIM_IOMMU_DOMAIN_SVA, &ah);
	tcesim_rcu_read_unlock();
	/*
	 * The handle cannot go away: its unbind needs sva->lock, which we
	 * hold, so using it after the read-side section is safe.
	 */
	if (!ret) {
		h = tcesim_container_of(ah, struct tcesim_iommu_sva, handle);
		/* seed 002 review: "is there a missing test for the same mm too?" */
		if (ah->domain->mm != data->mm)
			return -EBUSY;
		atomic_fetch_add(&h->users, 1);
		*out = h;
		return 0;
	}
	/* -EBUSY: the PASID holds another domain type; stop here (review) */
	if (ret != -ENOENT)
		return ret;
	return sva_handle_new_locked(sva, dev, data, true, out);
}

TCESIM_EXPORT int tcesim_iommu_sva_bind_device(struct tcesim_device *dev, struct tcesim_mm *mm,
					       struct tcesim_iommu_sva **out)
{
	bool legacy, fresh;
	struct iommu_mm_data *data;
	struct sva_state *sva;
	int ret;

	if (!dev || !mm || !out || mm->w != dev->w)
		return -EINVAL;
	legacy = tcesim_flavour_is(dev->w, TCESIM_FLAVOUR_LEGACY_2024);
	if (!legacy && !dev->group)
		return -ENODEV;
	sva = dev->iommu->sva;
	tcesim_mutex_lock(&sva->lock);
	ret = mm_data_get_locked(sva, mm, dev, &data, &fresh);
	if (ret)
		goto out_unlock;
	/*
	 * iommu_alloc_mm_data() (drivers/iommu/iommu-sva.c) publishes
	 * mm->iommu_mm before anything else can fail, and no error path of
	 * iommu_sva_bind_device() takes it back: the PASID belongs to the
	 * process from now until mm_pasid_drop(), whatever follows.
	 */
	if (fresh)
		mm_data_publish(sva, data);
	if (legacy)
		ret = sva_bind_legacy_locked(sva, dev, data, out);
	else
		ret = sva_bind_modern_locked(sva, dev, data, out);
out_unlock:
	tcesim_mutex_unlock(&sva->lock);
	return ret;
}

TCESIM_EXPORT void tcesim_iommu_sva_unbind_device(struct tcesim_iommu_sva *handle)
{
	struct tcesim_iommu_domain *domain;
	struct sva_state *sva;
	uint32_t pasid;

	if (!handle)
		return;
	domain = handle->handle.domain;
	sva = domain->iommu->sva;
	tcesim_mutex_lock(&sva->lock);
	if (atomic_fetch_sub(&handle->users, 1) != 1) {
		tcesim_mutex_unlock(&sva->lock);
		return;
	}
	pasid = mm_data(domain->mm)->pasid;
	tcesim_iommu_detach_device_pasid(domain, handle->dev, pasid);
	if (tcesim_flavour_is(handle->w, TCESIM_FLAVOUR_LEGACY_2024))
		cds_list_del(&handle->mm_node);
	cds_list_del(&handle->all_node);
	if (--domain->users == 0) {
		cds_list_del(&domain->mm_node);
		/* iommu_domain_free(): mmdrop, maybe mm_pasid_drop, right now */
		sva_domain_put(domain);
	}
	tcesim_mutex_unlock(&sva->lock);
	/* RCU readers of the PASID array may still hold the handle */
	tcesim_call_rcu(&handle->rcu, sva_handle_free_rcu);
}

TCESIM_EXPORT uint32_t tcesim_iommu_sva_get_pasid(const struct tcesim_iommu_sva *handle)
{
	struct iommu_mm_data *data;

	if (!handle)
		return TCESIM_IOMMU_PASID_INVALID;
	data = mm_data(handle->handle.domain->mm);
	return data ? data->pasid : TCESIM_IOMMU_PASID_INVALID;
}

TCESIM_EXPORT unsigned int tcesim_iommu_sva_users(const struct tcesim_iommu_sva *handle)
{
	return handle ? atomic_load(&((struct tcesim_iommu_sva *)handle)->users) : 0;
}
