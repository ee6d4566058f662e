// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * vfio_tce_mem.c - the container's memory accounting: v2 preregistration
 * (VFIO_IOMMU_SPAPR_REGISTER_MEMORY / UNREGISTER_MEMORY over iommu_api.c's
 * regions) and v1 ENABLE/DISABLE charging the 32-bit window to locked_vm
 * (drivers/vfio/vfio_iommu_spapr_tce.c: tce_iommu_register_pages(),
 * tce_iommu_unregister_pages(), tce_iommu_enable(), tce_iommu_disable()).
 * Layer 1 of the order atop vfio_internal.h.
 */
#include <stdio.h>

#include "vfio/vfio_internal.h"

/* ------------------------------------------------------------- prereg -- */

long tce_iommu_register_pages(struct tcesim_tce_container *c, uint64_t vaddr,
			      uint64_t size)
{
	uint64_t pmask = (1ULL << host_shift(c)) - 1;
	struct tcesim_mm *mm = container_mm(c);
	struct tcesim_mm_iommu_region *mem = NULL;
	struct tce_iommu_prereg *tcemem;
	long ret;

	if ((vaddr & pmask) || (size & pmask) || vaddr + size < vaddr)
		return -EINVAL;
	if (!tcesim_mm_iommu_get(mm, vaddr, size >> host_shift(c), &mem)) {
		cds_list_for_each_entry(tcemem, &c->prereg_list, next) {
			if (tcemem->mem == mem) {
				ret = -EBUSY;
				goto out_put;
			}
		}
	} else {
		ret = tcesim_mm_iommu_new(mm, vaddr, size >> host_shift(c), &mem);
		if (ret)
			return ret;
	}
	tcemem = tcesim_zalloc(c->w, sizeof(*tcemem));
	if (!tcemem) {
		ret = -ENOMEM;
		goto out_put;
	}
	tcemem->mem = mem;
	cds_list_add(&tcemem->next, &c->prereg_list);
	atomic_store(&c->enabled, true);
	return 0;

out_put:
	tcesim_mm_iommu_put(mm, mem);
	return ret;
}

long tce_iommu_unregister_pages(struct tcesim_tce_container *c, uint64_t vaddr,
				uint64_t size)
{
	uint64_t pmask = (1ULL << host_shift(c)) - 1;
	struct tcesim_mm *mm = container_mm(c);
	struct tcesim_mm_iommu_region *mem;
	struct tce_iommu_prereg *tcemem, *found = NULL;
	struct tcesim_mm_iommu_info info;
	long ret;

	if ((vaddr & pmask) || (size & pmask))
		return -EINVAL;
	if (tcesim_mm_iommu_get(mm, vaddr, size >> host_shift(c), &mem))
		return -ENOENT;
	cds_list_for_each_entry(tcemem, &c->prereg_list, next) {
		if (tcemem->mem == mem) {
			found = tcemem;
			break;
		}
	}
	if (!found) {
		ret = -ENOENT;
	} else if (!quirks_upstream(c) && !tcesim_mm_iommu_get_info(mem, &info) &&
		   info.mapped > 1) {
		/* Q4 safe: refuse while TCEs point here (2016-era -EBUSY) */
		ret = -EBUSY;
	} else {
		/* tce_iommu_prereg_free(): the container's use goes */
		ret = tcesim_mm_iommu_put(mm, found->mem);
		if (!ret) {
			cds_list_del(&found->next);
			tcesim_kfree(c->w, found);
		}
	}
	/* Q4 upstream: this put's -EBUSY is ignored: the region is orphaned */
	tcesim_mm_iommu_put(mm, mem);
	return ret;
}

/* ------------------------------------------------------------- ENABLE -- */

long tce_iommu_enable(struct tcesim_tce_container *c, struct tcesim_mm *cur)
{
	struct tce_iommu_group *g;
	unsigned long locked;
	long ret;

	tcesim_lock_assert_held(&c->lock);
	if (atomic_load(&c->enabled))
		return -EBUSY;
	g = first_group(c);
	if (!g)
		return -ENODEV; /* no way to know how much locked_vm to charge */
	if (!g->pe->table_group.tce32_size)
		return -EPERM;
	ret = tce_iommu_mm_set(c, cur);
	if (ret)
		return ret;
	/* Q9: the whole 32-bit window, not what gets mapped */
	locked = (unsigned long)(g->pe->table_group.tce32_size >> host_shift(c));
	ret = tcesim_account_locked_vm(container_mm(c), locked, true);
	if (ret)
		return ret;
	c->locked_pages = locked;
	atomic_store(&c->enabled, true);
	return 0;
}

void tce_iommu_disable(struct tcesim_tce_container *c)
{
	tcesim_lock_assert_held(&c->lock);
	if (!atomic_load(&c->enabled))
		return;
	atomic_store(&c->enabled, false);
	if (container_mm(c) && c->locked_pages)
		tcesim_account_locked_vm(container_mm(c), c->locked_pages, false);
	c->locked_pages = 0;
}
