// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * mem_balance.c - "pins and locked_vm balance after teardown" (issue 10):
 * the locked_vm half of the built-in invariant of explored schedules (the
 * pin half is tcesim_mem_pinned_pages()).
 *
 * Every charge of mm/util.c account_locked_vm() (tcesim_account_locked_vm)
 * has its uncharge in the kernel: VFIO's tce_iommu_release / DISABLE,
 * mm_iommu_put() of the last user of a preregistered region. Once a file's
 * objects are destroyed, the pages still charged to live processes, plus
 * those still charged to processes already freed (counted by mm_free()),
 * must be 0; anything else is a lost uncharge (or a region orphaned with its
 * charge, as upstream's ignored mm_iommu_put() -EBUSY leaves one).
 */
#include "mem/mem_internal.h"

TCESIM_EXPORT unsigned long tcesim_mem_locked_vm_charged(struct tcesim_world *w)
{
	struct hostmem *hm = w ? hostmem_get(w) : NULL;
	struct tcesim_mm *mm;
	unsigned long n;

	if (!hm)
		return 0;
	n = atomic_load(&hm->locked_vm_freed);
	tcesim_mutex_lock(&hm->lock);
	cds_list_for_each_entry(mm, &hm->mms, node)
		n += atomic_load(&mm->locked_vm);
	tcesim_mutex_unlock(&hm->lock);
	return n;
}
