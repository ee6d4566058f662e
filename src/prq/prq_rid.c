// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * prq_rid.c - the PRQ's RID table: the requester ID a device's page
 * requests carry, and the device a descriptor's RID names
 * (drivers/iommu/intel/prq.c: prq_event_thread() looks the RID up with
 * device_rbtree_find(); the model numbers PRI devices from PCI_DEVID(1, 0)
 * as they are first seen). Lock-free readers; rid_lock serialises
 * registration. Layer 0 of the order atop prq_internal.h.
 */
#include "prq/prq_internal.h"

struct tcesim_device *prq_rid_dev(struct prq *prq, uint16_t rid)
{
	unsigned int i = (unsigned int)rid - PRQ_RID_BASE;

	if (rid < PRQ_RID_BASE || i >= atomic_load_explicit(&prq->nr_rids, memory_order_acquire))
		return NULL;
	/* pairs with the release store in prq_dev_rid() */
	return atomic_load_explicit(&prq->rid_dev[i], memory_order_acquire);
}

int prq_rid_find(struct prq *prq, struct tcesim_device *dev, uint16_t *rid)
{
	unsigned int n = atomic_load_explicit(&prq->nr_rids, memory_order_acquire);

	for (unsigned int i = 0; i < n; i++)
		if (atomic_load_explicit(&prq->rid_dev[i], memory_order_acquire) == dev) {
			*rid = (uint16_t)(PRQ_RID_BASE + i);
			return 0;
		}
	return -ENOENT;
}

int prq_dev_rid(struct prq *prq, struct tcesim_device *dev, uint16_t *rid)
{
	unsigned int n;
	int ret;

	if (!prq_rid_find(prq, dev, rid))
		return 0;
	tcesim_mutex_lock(&prq->rid_lock);
	ret = prq_rid_find(prq, dev, rid);
	if (ret) {
		n = atomic_load_explicit(&prq->nr_rids, memory_order_relaxed);
		if (n >= PRQ_MAX_DEVICES) {
			ret = -ENOSPC;
		} else {
			/* slot first, then the count: pairs with the acquires above */
			atomic_store_explicit(&prq->rid_dev[n], dev, memory_order_release);
			atomic_store_explicit(&prq->nr_rids, n + 1, memory_order_release);
			*rid = (uint16_t)(PRQ_RID_BASE + n);
			ret = 0;
		}
	}
	tcesim_mutex_unlock(&prq->rid_lock);
	return ret;
}
