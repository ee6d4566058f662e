// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iommu_spapr.c - the powerpc iommu_ops of seed 001 and the IOMMU core's DMA
 * ownership for PE groups.
 *
 * Concepts:
 *
 *  What it models: arch/powerpc/kernel/iommu.c: spapr_tce_iommu_capable(),
 *  the static spapr_tce_blocked_domain (attach = table group
 *  take_ownership) and spapr_tce_platform_domain (attach = release_ownership,
 *  except at the first attach: "At first attach the ownership is already
 *  set"), 2024+ shape; and drivers/iommu/iommu.c's DMA-owner half for the
 *  group of a PE: iommu_group_claim_dma_owner(),
 *  iommu_device_claim_dma_owner(), their releases, and the owner_cnt a
 *  kernel driver takes through iommu_device_use_default_domain() (counted
 *  by tcesim_pci_dev_driver_bind() in phb.c).
 *
 *  A claim switches the group to the blocked domain, whose attach is the
 *  table group's take_ownership: IODA2 unsets the kernel's window 0 and the
 *  bypass, the borrowing ops (IODA1, legacy_2015) fill the DMA-API bitmap
 *  with ones. The last release switches back to the platform domain, whose
 *  attach is release_ownership: IODA2 rebuilds a fresh default window (a
 *  table the owner left in window 0 stays, as upstream, with a WARN here),
 *  the borrowing ops clear every TCE (iommu_table_clear) and give the bitmap
 *  back.
 *
 *  Simplifications: upstream attaches a domain device by device
 *  (attach_dev is called for each device of the group, and the table group
 *  ops make the repeats no-ops on IODA2); tcesim attaches once per group.
 *  Only the group's first device attaches at probe (the platform domain,
 *  first attach: 0); devices added later join without an attach. A PE
 *  with no device can still be claimed (upstream groups always have one).
 *
 *  Invariants:
 *   - dma_owner != NULL => owner_cnt >= 1, domain == BLOCKED and the table
 *     group is owned (pe->owned): no kernel DMA mapping can be created;
 *   - owner_cnt counts bound kernel drivers when dma_owner == NULL;
 *   - no mapping survives an ownership change: a claim fails with -EBUSY
 *     while the kernel DMA API has mappings (take_ownership's "it_map is
 *     not empty"); a release leaves the kernel a clean default window.
 *
 *  VFIO: the container path (src/vfio) claims the group like upstream VFIO
 *  core (drivers/vfio/container.c: vfio_container_attach_group() ->
 *  iommu_group_claim_dma_owner(), the container as owner) and releases it
 *  after the driver's detach. tcesim_pe_take_ownership() (the table group
 *  op without a claim, as v4.2-v6.3 VFIO called it) is still reachable from
 *  scripts and tests: a PE taken that way counts as claimed here, claims
 *  get -EPERM.
 *
 *  Lock rules: everything here runs under phb->lock (ops_state->lock >
 *  phb->lock > table pool locks > phb->cache.lock, see phb.c), which stands
 *  for the group mutex.
 */
#include "ops/phb_internal.h"

/*
 * Flavours older than seed 001 (2015, 2016-2022 real mode) ran without
 * powerpc iommu_ops: device_iommu_capable() had no ops to ask.
 */
static bool pe_has_iommu_ops(const struct tcesim_pe *pe)
{
	return !tcesim_flavour_is(pe->phb->w, TCESIM_FLAVOUR_LEGACY_2015) &&
	       !tcesim_flavour_is(pe->phb->w, TCESIM_FLAVOUR_LEGACY_2016);
}

/* spapr_tce_blocked_iommu_attach_dev(); caller holds phb->lock. */
static int blocked_attach_locked(struct tcesim_pe *pe)
{
	int ret;

	tcesim_lock_assert_held(&pe->phb->lock);
	ret = pe->gops->take_ownership(pe);
	if (ret)
		return ret;
	pe->owned = true;
	pe->domain = PE_DOMAIN_BLOCKED;
	return 0;
}

/* spapr_tce_platform_iommu_attach_dev(); caller holds phb->lock. */
static int platform_attach_locked(struct tcesim_pe *pe)
{
	struct tcesim_iommu_table *t0;
	int ret;

	tcesim_lock_assert_held(&pe->phb->lock);
	if (pe->domain == PE_DOMAIN_NONE) {
		/* "At first attach the ownership is already set" */
		pe->domain = PE_DOMAIN_PLATFORM;
		return 0;
	}
	ret = pe->gops->release_ownership(pe);
	/* __iommu_group_set_domain_nofail(): the group moves on regardless */
	pe->domain = PE_DOMAIN_PLATFORM;
	if (ret)
		return ret;
	pe->owned = false;
	t0 = pe->table_group.tables[0];
	if (t0 && t0 != pe->dflt)
		tcesim_pr(pe->phb->w, "WARN: release_ownership: PE %s window 0 still holds the "
			  "owner's table (upstream keeps it: unset it before the release)",
			  pe->name);
	return 0;
}

void pe_probe_attach_locked(struct tcesim_pe *pe)
{
	tcesim_lock_assert_held(&pe->phb->lock);
	if (pe->domain == PE_DOMAIN_NONE)
		platform_attach_locked(pe); /* first attach: cannot fail */
}

/* __iommu_take_dma_ownership(); caller holds phb->lock. */
static int take_dma_ownership_locked(struct tcesim_pe *pe, void *owner)
{
	int ret;

	tcesim_lock_assert_held(&pe->phb->lock);
	/*
	 * Off the default domain: the table group was taken directly
	 * (tcesim_pe_take_ownership(), no claim); upstream a user of the
	 * group would hold owner_cnt: -EPERM.
	 */
	if (pe->owned)
		return -EPERM;
	ret = blocked_attach_locked(pe);
	if (ret)
		return ret;
	pe->dma_owner = owner;
	pe->owner_cnt++;
	return 0;
}

/* __iommu_release_dma_ownership(); caller holds phb->lock. */
static void release_dma_ownership_locked(struct tcesim_pe *pe, const char *who)
{
	int ret;

	tcesim_lock_assert_held(&pe->phb->lock);
	if (!pe->owner_cnt || !pe->dma_owner) {
		tcesim_pr(pe->phb->w, "WARN: %s: PE %s not released (owner_cnt %u, %s)", who,
			  pe->name, pe->owner_cnt, pe->dma_owner ? "claimed" : "no owner");
		return;
	}
	pe->owner_cnt = 0;
	pe->dma_owner = NULL;
	ret = platform_attach_locked(pe);
	if (ret)
		tcesim_pr(pe->phb->w, "WARN: %s: PE %s release_ownership failed (%d): the kernel "
			  "has no DMA window", who, pe->name, ret);
}

TCESIM_EXPORT bool tcesim_pci_dev_iommu_capable(const struct tcesim_pci_dev *dev,
						enum tcesim_iommu_cap cap)
{
	if (!dev || !pe_has_iommu_ops(dev->pe))
		return false;
	return cap == TCESIM_IOMMU_CAP_CACHE_COHERENCY;
}

TCESIM_EXPORT int tcesim_pe_claim_dma_owner(struct tcesim_pe *pe, void *owner)
{
	int ret;

	if (!pe)
		return -EINVAL;
	if (!owner) {
		tcesim_pr(pe->phb->w, "WARN: iommu_group_claim_dma_owner: NULL owner");
		return -EINVAL;
	}
	tcesim_mutex_lock(&pe->phb->lock);
	if (pe->owner_cnt)
		ret = -EPERM;
	else
		ret = take_dma_ownership_locked(pe, owner);
	tcesim_mutex_unlock(&pe->phb->lock);
	return ret;
}

TCESIM_EXPORT void tcesim_pe_release_dma_owner(struct tcesim_pe *pe)
{
	if (!pe)
		return;
	tcesim_mutex_lock(&pe->phb->lock);
	release_dma_ownership_locked(pe, "iommu_group_release_dma_owner");
	tcesim_mutex_unlock(&pe->phb->lock);
}

TCESIM_EXPORT int tcesim_pci_dev_claim_dma_owner(struct tcesim_pci_dev *dev, void *owner)
{
	struct tcesim_pe *pe;
	int ret = 0;

	if (!dev || !owner)
		return -EINVAL;
	pe = dev->pe;
	tcesim_mutex_lock(&pe->phb->lock);
	if (pe->owner_cnt) {
		/* another owner, or kernel drivers (owner NULL) */
		if (pe->dma_owner != owner)
			ret = -EPERM;
		else
			pe->owner_cnt++;
	} else {
		ret = take_dma_ownership_locked(pe, owner);
	}
	tcesim_mutex_unlock(&pe->phb->lock);
	return ret;
}

TCESIM_EXPORT void tcesim_pci_dev_release_dma_owner(struct tcesim_pci_dev *dev)
{
	struct tcesim_pe *pe;

	if (!dev)
		return;
	pe = dev->pe;
	tcesim_mutex_lock(&pe->phb->lock);
	if (pe->owner_cnt > 1 && pe->dma_owner)
		pe->owner_cnt--;
	else
		release_dma_ownership_locked(pe, "iommu_device_release_dma_owner");
	tcesim_mutex_unlock(&pe->phb->lock);
}

TCESIM_EXPORT bool tcesim_pe_dma_owner_claimed(struct tcesim_pe *pe)
{
	bool ret;

	if (!pe)
		return false;
	tcesim_mutex_lock(&pe->phb->lock);
	ret = pe->owner_cnt != 0;
	tcesim_mutex_unlock(&pe->phb->lock);
	return ret;
}
