// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iommu_domain.c - IOMMU domains: allocation, the reference that SVA bonds
 * and queued faults hold, free after a grace period (drivers/iommu/iommu.c:
 * __iommu_domain_alloc(), iommu_domain_free(); iommu-sva.c for the SVA
 * domain's mm reference). The rules atop iommu.c apply. Layer 1 of the
 * order atop sva_internal.h.
 */
#include "sva/sva_internal.h"

/* ------------------------------------------------------------ domains --- */

struct tcesim_iommu_domain *sva_domain_new(struct tcesim_iommu *iommu, unsigned int type,
					   unsigned int flags)
{
	struct tcesim_iommu_domain *d = tcesim_zalloc(iommu->w, sizeof(*d));

	if (!d)
		return NULL;
	d->w = iommu->w;
	d->type = type;
	d->iommu = iommu;
	d->has_set_dev_pasid = !(flags & TCESIM_DOMAIN_F_NO_SET_DEV_PASID);
	d->has_iopf_handler = type == TCESIM_IOMMU_DOMAIN_SVA;
	atomic_init(&d->refs, 1);
	CDS_INIT_LIST_HEAD(&d->mm_node);
	tcesim_mutex_lock(&iommu->sva->objs_lock);
	cds_list_add_tail(&d->all_node, &iommu->sva->domains);
	tcesim_mutex_unlock(&iommu->sva->objs_lock);
	return d;
}

static void domain_free_rcu(struct rcu_head *head)
{
	struct tcesim_iommu_domain *d = tcesim_container_of(head, struct tcesim_iommu_domain, rcu);

	tcesim_rcu_callback_enter();
	tcesim_kfree(d->w, d);
	tcesim_rcu_callback_exit();
}

/* Under RCU: take a reference unless the domain is already being freed. */
bool sva_domain_tryget(struct tcesim_iommu_domain *d)
{
	int r = atomic_load_explicit(&d->refs, memory_order_relaxed);

	while (r > 0)
		if (atomic_compare_exchange_weak(&d->refs, &r, r + 1))
			return true;
	return false;
}

/*
 * The last reference: unlist, drop the mm (iommu_domain_free -> mmdrop, so
 * mm_pasid_drop happens now, deterministically), free the memory after a
 * grace period (RCU readers of the PASID array may still hold it).
 */
void sva_domain_put(struct tcesim_iommu_domain *d)
{
	struct sva_state *sva = d->iommu->sva;

	if (atomic_fetch_sub_explicit(&d->refs, 1, memory_order_acq_rel) != 1)
		return;
	tcesim_mutex_lock(&sva->objs_lock);
	cds_list_del(&d->all_node);
	tcesim_mutex_unlock(&sva->objs_lock);
	if (d->mm)
		tcesim_mmdrop(d->mm);
	tcesim_call_rcu(&d->rcu, domain_free_rcu);
}

TCESIM_EXPORT int tcesim_iommu_domain_alloc(struct tcesim_iommu *iommu, unsigned int type,
					    unsigned int flags, struct tcesim_iommu_domain **out)
{
	struct tcesim_iommu_domain *d;

	if (!iommu || !out || (type != TCESIM_IOMMU_DOMAIN_UNMANAGED &&
			       type != TCESIM_IOMMU_DOMAIN_DMA) ||
	    (flags & ~TCESIM_DOMAIN_F_NO_SET_DEV_PASID))
		return -EINVAL;
	d = sva_domain_new(iommu, type, flags);
	if (!d)
		return -ENOMEM;
	d->user_owned = true;
	*out = d;
	return 0;
}

TCESIM_EXPORT int tcesim_iommu_blocked_domain(struct tcesim_iommu *iommu,
					      struct tcesim_iommu_domain **out)
{
	if (!iommu || !out)
		return -EINVAL;
	if (!iommu->blocked_domain)
		return -EOPNOTSUPP;
	*out = iommu->blocked_domain;
	return 0;
}

TCESIM_EXPORT void tcesim_iommu_domain_free(struct tcesim_iommu_domain *domain)
{
	if (!domain)
		return;
	if (!domain->user_owned || atomic_load(&domain->attached)) {
		tcesim_pr(domain->w, "WARN: domain in use (type %u, %d PASIDs attached)",
			  domain->type, atomic_load(&domain->attached));
		return;
	}
	sva_domain_put(domain);
}

TCESIM_EXPORT unsigned int tcesim_iommu_domain_type(const struct tcesim_iommu_domain *domain)
{
	return domain->type;
}
