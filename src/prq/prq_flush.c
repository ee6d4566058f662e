// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * prq_flush.c - tcesim_prq_flush_faults() (tcesim/prq.h): the fault
 * workqueue of one PRQ runs to completion. The kernel's event thread only
 * queues fault groups (intel_prq_report() -> iommu_report_device_fault());
 * the iopf workqueue handles them later. This walks the PRQ's RID table
 * (published slots only: nr_rids and each rid_dev[] are release-stored by
 * prq_dev_rid(), read with acquire here) and flushes each PRI device's
 * queue with the public tcesim_iopf_queue_flush_dev().
 */
#include "prq/prq_internal.h"

TCESIM_EXPORT int tcesim_prq_flush_faults(struct tcesim_iommu *iommu)
{
	struct tcesim_device *dev;
	unsigned int i, n;
	struct prq *prq;
	int flushed = 0;

	if (!iommu)
		return -EINVAL;
	prq = prq_of(iommu);
	if (!prq)
		return -ENODEV;
	n = atomic_load_explicit(&prq->nr_rids, memory_order_acquire);
	for (i = 0; i < n; i++) {
		dev = atomic_load_explicit(&prq->rid_dev[i], memory_order_acquire);
		if (dev && dev->pri) {
			(void)tcesim_iopf_queue_flush_dev(dev);
			flushed++;
		}
	}
	return flushed;
}
