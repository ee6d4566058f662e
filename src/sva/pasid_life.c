// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * pasid_life.c - "no page request or response of a PASID's previous life
 * reaches its next owner" (issue 10, built-in invariant of every explored
 * schedule; seed 003).
 *
 * Upstream's reason for the drain, in the words of the code it replaced
 * (drivers/iommu/intel-svm.c, intel_svm_unbind_gpasid() before v5.8: "TODO:
 * Drain in flight PRQ for the PASID since it may get reused soon, we don't
 * want to confuse with its previous life"): a PASID freed while its page
 * requests sit in the PRQ or in the fault queue may be handed to another
 * process, whose fault handler would then serve the old process's requests,
 * and whose device would receive the old group's response.
 *
 * The model makes that observable. Each SVA bond (struct tcesim_iommu_sva)
 * gets a life id, unique in the world, when it is created. The PRQ layer
 * records, beside each ring slot, the life of the bond that owned the
 * request's (device, PASID) when the device wrote it; the fault layer
 * compares it with the life of the handle that handles it and with the life
 * owning the PASID when the response goes out. A difference between two
 * known lives is the break: it is logged, counted, and makes an explored
 * schedule a violation (tcesim_explore_fail). The kernel has no such ids:
 * this is the model's oracle, not a model of a kernel structure.
 */
#include <stdio.h>

#include "sva/sva_internal.h"
#include <tcesim/explore.h>

uint64_t sva_life_new(struct sva_state *sva)
{
	return atomic_fetch_add_explicit(&sva->life_seq, 1, memory_order_relaxed) + 1;
}

uint64_t sva_handle_life(const struct tcesim_iommu_attach_handle *h)
{
	const struct tcesim_iommu_sva *b;

	if (!h || !h->domain || h->domain->type != TCESIM_IOMMU_DOMAIN_SVA)
		return 0;
	/* an SVA domain's handles are the bonds' (iommu_sva_bind_device) */
	b = (const struct tcesim_iommu_sva *)((const char *)h -
					      offsetof(struct tcesim_iommu_sva, handle));
	return b->life;
}

uint64_t sva_domain_life(const struct tcesim_iommu_domain *d)
{
	return d && d->type == TCESIM_IOMMU_DOMAIN_SVA ? d->life : 0;
}

/*
 * The life owning (@dev, @pasid). Since v6.10 the PASID array holds attach
 * handles, one per bond (drivers/iommu/iommu-sva.c iommu_sva_bind_device()
 * passes &handle->handle to iommu_attach_device_pasid()). Before it
 * (legacy_2024: v6.8's iommu_sva_bind_device() called
 * iommu_attach_device_pasid(domain, dev, pasid) and the group's
 * pasid_array stored the domain, read back by
 * iommu_get_domain_for_dev_pasid()), so there the life is the SVA
 * domain's: one per (process, IOMMU) while a bond uses it. A new process
 * getting the PASID has a new domain, hence a new life; what that era
 * cannot tell apart, neither can this oracle: a request of an earlier bond
 * of the same process served through the same, still-live domain (the
 * same address space serves it).
 */
uint64_t sva_pasid_life(struct tcesim_device *dev, uint32_t pasid)
{
	struct tcesim_iommu_attach_handle *h;
	uint64_t life = 0;
	void *e;

	if (!dev || !dev->group || pasid >> PASID_ARRAY_BITS)
		return 0;
	tcesim_rcu_read_lock();
	if (!sva_attach_handle_get_rcu(dev->group, pasid, 0, &h)) {
		life = sva_handle_life(h);
	} else if (tcesim_flavour_is(dev->w, TCESIM_FLAVOUR_LEGACY_2024)) {
		e = pasid_array_load_rcu(&dev->group->pasid_array, pasid);
		if (e && pasid_entry_tag(e) == PASID_ENTRY_DOMAIN)
			life = sva_domain_life(pasid_entry_ptr(e));
	}
	tcesim_rcu_read_unlock();
	return life;
}

void sva_life_check(struct tcesim_device *dev, const char *what, uint32_t pasid, uint32_t grpid,
		    uint64_t old, uint64_t now)
{
	struct sva_state *sva;
	char why[TCESIM_EXPLORE_WHY_LEN];

	if (!old || !now || old == now)
		return;
	sva = tcesim_world_slot_peek(dev->w, TCESIM_SLOT_SVA); /* peek: keeps this file below iommu.c */
	if (sva)
		atomic_fetch_add_explicit(&sva->stale_lives, 1, memory_order_relaxed);
	snprintf(why, sizeof(why),
		 "invariant: a %s of PASID %u's previous life (bond #%llu, prg %u) reached "
		 "its next owner (bond #%llu) on %s", what, pasid, (unsigned long long)old, grpid,
		 (unsigned long long)now, dev->name);
	tcesim_pr(dev->w, "WARN: %s", why);
	tcesim_explore_fail(why);
}
