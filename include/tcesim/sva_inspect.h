/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tcesim/sva_inspect.h - read-only views of VT-d IOMMUs, iommu groups,
 * devices and domains (names, links, immutable capabilities), and the
 * grace period a caller waits for before freeing an attach handle it
 * detached. Included by tcesim/sva.h; implemented in src/sva/sva_inspect.c.
 */
#ifndef TCESIM_SVA_INSPECT_H
#define TCESIM_SVA_INSPECT_H

#include <stdbool.h>
#include <stdint.h>
#include <tcesim/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct tcesim_iommu;
struct tcesim_iommu_group;
struct tcesim_device;
struct tcesim_iommu_domain;

/**
 * tcesim_iommu_name() - Name of an IOMMU instance, as given at create
 * @iommu: IOMMU, or NULL
 *
 * Models: iommu->name of drivers/iommu/intel/iommu.h ("dmar0").
 * Context: any thread; immutable after create.
 * Return: the name (valid while the world lives), or NULL for NULL.
 */
TCESIM_EXPORT const char *tcesim_iommu_name(const struct tcesim_iommu *iommu);

/**
 * tcesim_iommu_group_name() - Name of an iommu group
 * @group: group, or NULL
 *
 * Models: drivers/iommu/iommu.c: group->name (iommu_group_set_name(), the
 *         sysfs "name" attribute).
 * Context: any thread; immutable after create.
 * Return: the name (valid while the world lives), or NULL for NULL.
 */
TCESIM_EXPORT const char *tcesim_iommu_group_name(const struct tcesim_iommu_group *group);

/**
 * tcesim_device_name() - Name of a device, as given at create
 * @dev: device, or NULL
 *
 * Models: dev_name().
 * Context: any thread; immutable after create.
 * Return: the name (valid while the world lives), or NULL for NULL.
 */
TCESIM_EXPORT const char *tcesim_device_name(const struct tcesim_device *dev);

/**
 * tcesim_device_iommu() - The IOMMU instance a device sits behind
 * @dev: device, or NULL
 *
 * Models: dev_iommu_priv_get(dev)->iommu (drivers/iommu/intel/iommu.c,
 *         struct device_domain_info).
 * Context: any thread; immutable after create.
 * Return: the IOMMU, or NULL for NULL.
 */
TCESIM_EXPORT struct tcesim_iommu *tcesim_device_iommu(const struct tcesim_device *dev);

/**
 * tcesim_device_max_pasids() - Number of PASIDs the device supports
 * @dev: device, or NULL
 *
 * Models: dev->iommu->max_pasids (drivers/iommu/iommu.c:
 *         dev_iommu_get_max_pasids()).
 * Context: any thread; immutable after create.
 * Return: the count (PASIDs 1 .. count - 1 are usable), 0 for NULL.
 */
TCESIM_EXPORT uint32_t tcesim_device_max_pasids(const struct tcesim_device *dev);

/**
 * tcesim_device_pri_enabled() - Does the device issue page requests
 * @dev: device, or NULL
 *
 * A PRI device has an I/O page fault queue (its faults reach the iopf
 * queue and the PRQ gives it a RID).
 *
 * Models: drivers/iommu/intel/iommu.c: info->pri_enabled with
 *         iopf_queue_add_device() (dev->iommu->iopf_param).
 * Context: any thread; immutable after create.
 * Return: true for a PRI device; false otherwise or for NULL.
 */
TCESIM_EXPORT bool tcesim_device_pri_enabled(const struct tcesim_device *dev);

/**
 * tcesim_iommu_domain_user_owned() - Must the caller free this domain
 * @domain: domain, or NULL
 *
 * Domains from tcesim_iommu_domain_alloc() and
 * tcesim_iommu_sva_domain_alloc() belong to the caller (free them with
 * tcesim_iommu_domain_free() once detached); the IOMMU's static blocked
 * domain (tcesim_iommu_blocked_domain()) does not.
 *
 * Models: drivers/iommu/iommu.c: a domain from iommu_paging_domain_alloc()
 *         versus the driver's static ops->blocked_domain.
 * Context: any thread; immutable after create.
 * Return: true if the caller owns it; false for a static domain or NULL.
 */
TCESIM_EXPORT bool tcesim_iommu_domain_user_owned(const struct tcesim_iommu_domain *domain);

/**
 * tcesim_iommu_attach_handle_sync() - Wait out readers of detached handles
 *
 * The fault path looks a PASID's attach handle up without the group mutex
 * (in tcesim an RCU read-side section; upstream under the xarray lock). After tcesim_iommu_detach_device_pasid() returned,
 * call this before freeing the handle (or the domain) that was attached:
 * when it returns no fault path can still be using them.
 *
 * Models: the grace period between iommu_detach_device_pasid() and the
 *         caller's kfree(handle) (drivers/iommu/iommufd/device.c), for the
 *         lock-free handle lookup of drivers/iommu/io-pgfault.c
 *         (find_fault_handler() -> iommu_attach_handle_get()).
 * Context: may sleep; a registered thread outside any read-side section
 *          and holding no tcesim lock.
 * Return: nothing.
 */
TCESIM_EXPORT void tcesim_iommu_attach_handle_sync(void);

#ifdef __cplusplus
}
#endif
#endif /* TCESIM_SVA_INSPECT_H */
