// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * sva_inspect.c - read-only views of IOMMUs, groups, devices and domains
 * (tcesim/sva_inspect.h), and the grace period before freeing a detached
 * attach handle. Everything read here is immutable after create, so no
 * lock is taken.
 */
#include "sva/sva_internal.h"

TCESIM_EXPORT const char *tcesim_iommu_name(const struct tcesim_iommu *iommu)
{
	return iommu ? iommu->name : NULL;
}

TCESIM_EXPORT const char *tcesim_iommu_group_name(const struct tcesim_iommu_group *group)
{
	return group ? group->name : NULL;
}

TCESIM_EXPORT const char *tcesim_device_name(const struct tcesim_device *dev)
{
	return dev ? dev->name : NULL;
}

TCESIM_EXPORT struct tcesim_iommu *tcesim_device_iommu(const struct tcesim_device *dev)
{
	return dev ? dev->iommu : NULL;
}

TCESIM_EXPORT uint32_t tcesim_device_max_pasids(const struct tcesim_device *dev)
{
	return dev ? dev->max_pasids : 0;
}

TCESIM_EXPORT bool tcesim_device_pri_enabled(const struct tcesim_device *dev)
{
	return dev && dev->pri;
}

TCESIM_EXPORT bool tcesim_iommu_domain_user_owned(const struct tcesim_iommu_domain *domain)
{
	return domain && domain->user_owned;
}

TCESIM_EXPORT void tcesim_iommu_attach_handle_sync(void)
{
	/* handle lookups on the fault path are RCU readers (pasid_array.c) */
	tcesim_synchronize_rcu();
}
