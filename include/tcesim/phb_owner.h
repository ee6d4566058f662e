/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tcesim/phb_owner.h - the iommu group side of a PE: IOMMU capabilities
 * and DMA ownership claims (drivers/iommu/iommu.c:
 * iommu_group_claim_dma_owner() and friends). Implemented in
 * src/ops/iommu_spapr.c. Included by tcesim/phb.h.
 */
#ifndef TCESIM_PHB_OWNER_H
#define TCESIM_PHB_OWNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <tcesim/types.h>
#include <tcesim/phb_types.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * enum tcesim_iommu_cap - IOMMU capabilities (the kernel's enum iommu_cap)
 * @TCESIM_IOMMU_CAP_CACHE_COHERENCY: IOMMU_CAP_CACHE_COHERENCY: DMA is
 *	cache coherent; VFIO core refuses devices without it
 * @TCESIM_IOMMU_CAP_NOEXEC: IOMMU_CAP_NOEXEC
 * @TCESIM_IOMMU_CAP_PRE_BOOT_PROTECTION: IOMMU_CAP_PRE_BOOT_PROTECTION
 * @TCESIM_IOMMU_CAP_ENFORCE_CACHE_COHERENCY: IOMMU_CAP_ENFORCE_CACHE_COHERENCY
 * @TCESIM_IOMMU_CAP_DEFERRED_FLUSH: IOMMU_CAP_DEFERRED_FLUSH
 * @TCESIM_IOMMU_CAP_DIRTY_TRACKING: IOMMU_CAP_DIRTY_TRACKING
 */
enum tcesim_iommu_cap {
	TCESIM_IOMMU_CAP_CACHE_COHERENCY = 0,
	TCESIM_IOMMU_CAP_NOEXEC,
	TCESIM_IOMMU_CAP_PRE_BOOT_PROTECTION,
	TCESIM_IOMMU_CAP_ENFORCE_CACHE_COHERENCY,
	TCESIM_IOMMU_CAP_DEFERRED_FLUSH,
	TCESIM_IOMMU_CAP_DIRTY_TRACKING,
};

/**
 * tcesim_pci_dev_iommu_capable() - Whether a TCE device's IOMMU has a capability
 * @dev: device
 * @cap: capability
 *
 * The sPAPR iommu_ops answer true for TCESIM_IOMMU_CAP_CACHE_COHERENCY only.
 * In the legacy_2015 and legacy_2016 flavours (before seed 001) powerpc had
 * no iommu_ops and every answer is false.
 *
 * Models: arch/powerpc/kernel/iommu.c: spapr_tce_iommu_capable() through
 *         drivers/iommu/iommu.c: device_iommu_capable().
 * Context: any thread; immutable.
 * Return: true if @dev's IOMMU has @cap; false otherwise, also for a NULL
 *         @dev or an unknown @cap.
 */
TCESIM_EXPORT bool tcesim_pci_dev_iommu_capable(const struct tcesim_pci_dev *dev,
						enum tcesim_iommu_cap cap);

/**
 * tcesim_pe_claim_dma_owner() - Claim a PE's iommu group for user DMA
 * @pe: PE (its iommu group)
 * @owner: caller's cookie (a VFIO group or container); not dereferenced
 *
 * Attaches the group to spapr_tce_blocked_domain, whose attach is the table
 * group's take_ownership: on IODA2 (modern) the kernel's window 0 and the
 * bypass go away; the borrowing ops (IODA1, legacy_2015) keep the table and
 * fill its DMA-API bitmap with ones. Either way every later
 * tcesim_pe_dma_map() fails with TCESIM_DMA_MAPPING_ERROR.
 *
 * Models: drivers/iommu/iommu.c: iommu_group_claim_dma_owner() ->
 *         __iommu_take_dma_ownership(); arch/powerpc/kernel/iommu.c:
 *         spapr_tce_blocked_iommu_attach_dev() -> table_group->ops->
 *         take_ownership (pnv_ioda2_take_ownership / spapr_tce_take_ownership).
 *         The domain is attached once per group (upstream: per device).
 * Context: takes phb->lock (the group mutex) and pool locks; registered
 *          thread.
 * Return: 0, or
 *  * -EINVAL - NULL @pe; NULL @owner (logs "WARN: iommu_group_claim_dma_owner");
 *              or the table ops cannot exchange (iommu_take_ownership)
 *  * -EPERM  - owner_cnt != 0: a kernel driver is bound to a device of the
 *              group or the group is claimed already (a VFIO container's
 *              group: VFIO core's claim); also a PE whose table group was
 *              taken directly (tcesim_pe_take_ownership())
 *  * -EBUSY  - the kernel DMA API has live mappings in window 0 (message
 *              "iommu_tce: it_map is not empty"; IODA2: quirks=safe only,
 *              see tcesim_pe_take_ownership())
 *  On error nothing changed.
 */
TCESIM_EXPORT int tcesim_pe_claim_dma_owner(struct tcesim_pe *pe, void *owner);

/**
 * tcesim_pe_release_dma_owner() - Give a claimed PE group back to the kernel
 * @pe: PE, or NULL (no-op)
 *
 * Clears owner and owner_cnt and attaches spapr_tce_platform_domain, whose
 * attach is the table group's release_ownership: IODA2 builds a fresh
 * default window (and bypass) when window 0 is empty, the borrowing ops
 * clear every TCE of the table (iommu_table_clear: what the owner set is
 * gone) and reset its bitmap. A table the owner left in window 0 of an
 * IODA2 PE stays there, as upstream (logs "WARN: release_ownership"): an
 * owner unsets its windows first, as VFIO's detach does. Without a user
 * owner (never claimed, or only kernel drivers) it logs "WARN:
 * iommu_group_release_dma_owner" and changes nothing, as upstream.
 *
 * Models: drivers/iommu/iommu.c: iommu_group_release_dma_owner() ->
 *         __iommu_release_dma_ownership(); arch/powerpc/kernel/iommu.c:
 *         spapr_tce_platform_iommu_attach_dev() -> release_ownership.
 * Context: takes phb->lock; registered thread.
 * Return: nothing. If the default window cannot be rebuilt (-ENOMEM) the
 *         group is released anyway (the nofail domain switch) and the PE
 *         stays without a kernel window ("WARN: ... release_ownership
 *         failed").
 */
TCESIM_EXPORT void tcesim_pe_release_dma_owner(struct tcesim_pe *pe);

/**
 * tcesim_pci_dev_claim_dma_owner() - Claim a device's PE group for user DMA
 * @dev: device
 * @owner: caller's cookie (iommufd / VFIO cdev); the same owner may claim
 *         again (owner_cnt + 1)
 *
 * The first claim does what tcesim_pe_claim_dma_owner() does. A TCE device
 * always has its PE's group, so upstream's -ENODEV cannot happen.
 *
 * Models: drivers/iommu/iommu.c: iommu_device_claim_dma_owner().
 * Context: takes phb->lock; registered thread.
 * Return: 0, or
 *  * -EINVAL - NULL @dev or @owner; or the table ops cannot exchange
 *  * -EPERM  - claimed by another owner (a VFIO container's group among
 *              them), used by a kernel driver (owner_cnt with no owner), or
 *              taken directly (tcesim_pe_take_ownership())
 *  * -EBUSY  - first claim while the kernel DMA API has live mappings
 *              (IODA2: quirks=safe only)
 *  On error nothing changed.
 */
TCESIM_EXPORT int tcesim_pci_dev_claim_dma_owner(struct tcesim_pci_dev *dev, void *owner);

/**
 * tcesim_pci_dev_release_dma_owner() - Drop one device claim
 * @dev: device, or NULL (no-op)
 *
 * owner_cnt > 1: decrements only. The last claim releases the group as
 * tcesim_pe_release_dma_owner() does (same WARN/no-op when there is no
 * user owner; with several kernel drivers bound and no owner upstream would
 * decrement their count, tcesim WARNs and keeps it equal to the drivers
 * bound).
 *
 * Models: drivers/iommu/iommu.c: iommu_device_release_dma_owner().
 * Context: takes phb->lock; registered thread.
 * Return: nothing.
 */
TCESIM_EXPORT void tcesim_pci_dev_release_dma_owner(struct tcesim_pci_dev *dev);

/**
 * tcesim_pe_dma_owner_claimed() - Whether a PE group has owners or users
 * @pe: PE
 *
 * Models: drivers/iommu/iommu.c: iommu_group_dma_owner_claimed() (racy:
 *         informational only).
 * Context: takes phb->lock.
 * Return: true when owner_cnt != 0 (a user claim or a bound kernel driver);
 *         false otherwise or for a NULL @pe.
 */
TCESIM_EXPORT bool tcesim_pe_dma_owner_claimed(struct tcesim_pe *pe);

#ifdef __cplusplus
}
#endif

#endif /* TCESIM_PHB_OWNER_H */
