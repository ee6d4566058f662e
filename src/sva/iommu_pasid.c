// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iommu_pasid.c - PASID attach: the driver's set_dev_pasid over a group's
 * devices, attach/detach/replace of a domain at a PASID with or without an
 * attach handle, and the RCU handle lookup the fault path uses
 * (drivers/iommu/iommu.c: iommu_attach_device_pasid(),
 * iommu_detach_device_pasid(), iommu_replace_device_pasid(),
 * iommu_attach_handle_get(), __iommu_set_group_pasid(),
 * __iommu_remove_group_pasid()). Reserve, program, publish: see iommu.c.
 * Layer 2 of the order atop sva_internal.h.
 */
#include <stdio.h>

#include "sva/sva_internal.h"

/* ---------------------------------------------------- set_dev_pasid --- */

/*
 * The driver's set_dev_pasid: program @dev's PASID table entry @pasid with
 * @domain (the blocked domain clears it). Only a new entry allocates, so a
 * revert to the blocked domain or to a previously programmed domain cannot
 * fail, as upstream requires of blocked_domain->set_dev_pasid.
 */
static int dev_set_pasid_locked(struct tcesim_device *dev, uint32_t pasid,
				struct tcesim_iommu_domain *domain)
{
	struct pasid_array *t = &dev->pasid_table;
	int ret;

	tcesim_lock_assert_held(&dev->group->mutex);
	dev->nr_set_dev_pasid++;
	if (dev->set_dev_pasid_hook && domain->type != TCESIM_IOMMU_DOMAIN_BLOCKED) {
		ret = dev->set_dev_pasid_hook(dev, pasid, domain, dev->hook_arg);
		if (ret)
			return ret;
	}
	if (domain->type == TCESIM_IOMMU_DOMAIN_BLOCKED) {
		pasid_array_erase_locked(t, pasid);
		return 0;
	}
	if (!pasid_array_peek_locked(t, pasid)) {
		ret = pasid_array_reserve_locked(t, pasid);
		if (ret)
			return ret;
	}
	pasid_array_store_locked(t, pasid, domain);
	return 0;
}

static inline bool dev_has_pasid(const struct tcesim_device *dev)
{
	return dev->max_pasids > 0;
}

/*
 * __iommu_set_group_pasid(): program every PASID-capable device; on failure
 * put the devices already done back on @old (replace) or the blocked domain.
 */
static int group_set_pasid_locked(struct tcesim_iommu_domain *domain,
				  struct tcesim_iommu_group *group, uint32_t pasid,
				  struct tcesim_iommu_domain *old)
{
	struct tcesim_device *dev, *last;
	int ret = 0;

	tcesim_lock_assert_held(&group->mutex);
	cds_list_for_each_entry(dev, &group->devices, group_node) {
		if (!dev_has_pasid(dev))
			continue;
		ret = dev_set_pasid_locked(dev, pasid, domain);
		if (ret)
			goto out_revert;
	}
	return 0;

out_revert:
	last = dev;
	cds_list_for_each_entry(dev, &group->devices, group_node) {
		if (dev == last)
			break;
		if (!dev_has_pasid(dev))
			continue;
		/* cannot fail: no allocation on these paths */
		dev_set_pasid_locked(dev, pasid, old ? old : dev->iommu->blocked_domain);
	}
	return ret;
}

static void group_remove_pasid_locked(struct tcesim_iommu_group *group, uint32_t pasid)
{
	struct tcesim_device *dev;

	tcesim_lock_assert_held(&group->mutex);
	cds_list_for_each_entry(dev, &group->devices, group_node)
		if (dev_has_pasid(dev))
			dev_set_pasid_locked(dev, pasid, dev->iommu->blocked_domain);
}

/*
 * The blocking domain's set_dev_pasid on VT-d tears the PASID entry down
 * with fault_ignore=false, which drains the PRQ of (device, PASID)
 * (drivers/iommu/intel/iommu.c: blocking_domain_set_dev_pasid() ->
 * intel_pasid_tear_down_entry() in drivers/iommu/intel/pasid.c ->
 * intel_iommu_drain_pasid_prq() in prq.c; v5.8-v6.12 called the drain from
 * intel_iommu_remove_dev_pasid / intel_svm_unbind_mm). Done before the
 * slot is erased, as iommu_detach_device_pasid() (drivers/iommu/iommu.c)
 * runs __iommu_remove_group_pasid() and only then xa_erase(): the drain's
 * pass reports the ring's requests to the still-live handle, so they are
 * served as any other (the SVA handler against the process; INVALID once
 * the process has exited). mm exit (intel_mm_release) tears down with
 * fault_ignore=true and does not drain: the later unbind does.
 */
static void group_drain_pasid_locked(struct tcesim_iommu_group *group, uint32_t pasid)
{
	struct tcesim_device *dev;

	tcesim_lock_assert_held(&group->mutex);
	cds_list_for_each_entry(dev, &group->devices, group_node)
		if (dev_has_pasid(dev) && dev->pri && dev->iommu->pasid_teardown)
			dev->iommu->pasid_teardown(dev, pasid, dev->iommu->pasid_teardown_arg);
}

/* Step 5 of B10: every PASID-capable device must cover @pasid. */
static int group_check_max_pasids_locked(struct tcesim_iommu_group *group, uint32_t pasid)
{
	struct tcesim_device *dev;

	tcesim_lock_assert_held(&group->mutex);
	cds_list_for_each_entry(dev, &group->devices, group_node)
		if (dev_has_pasid(dev) && pasid >= dev->max_pasids)
			return -EINVAL;
	return 0;
}

static void *make_entry(struct tcesim_iommu_domain *domain,
			struct tcesim_iommu_attach_handle *handle)
{
	if (!handle)
		return pasid_entry_make(domain, PASID_ENTRY_DOMAIN);
	return pasid_entry_make(handle, PASID_ENTRY_HANDLE);
}

static struct tcesim_iommu_domain *entry_domain(void *e)
{
	if (!e || e == PASID_ENTRY_ZERO)
		return NULL;
	if (pasid_entry_tag(e) == PASID_ENTRY_HANDLE)
		return ((struct tcesim_iommu_attach_handle *)pasid_entry_ptr(e))->domain;
	return pasid_entry_ptr(e);
}

/*
 * The NULL check and checks 1-3 of B10 shared by attach and replace.
 * Attach also needs the driver's blocked domain (its revert path):
 * iommu_attach_device_pasid() returns -EOPNOTSUPP without one. Replace
 * (iommu_replace_device_pasid(), drivers/iommu/iommu.c) checks only the
 * new domain's set_dev_pasid: without a blocked domain no PASID can be
 * attached, so it goes on to find the slot empty (-EINVAL).
 */
static int pasid_attach_precheck(struct tcesim_iommu_domain *domain, struct tcesim_device *dev,
				 uint32_t pasid, bool need_blocked)
{
	if (!domain || !dev)
		return -EINVAL;
	if (!dev->group)
		return -ENODEV;
	if (!domain->has_set_dev_pasid || (need_blocked && !dev->iommu->blocked_domain))
		return -EOPNOTSUPP;
	if (domain->iommu != dev->iommu || pasid == TCESIM_IOMMU_NO_PASID ||
	    pasid >> PASID_ARRAY_BITS)
		return -EINVAL;
	return 0;
}

/*
 * The group-side checks shared by attach and replace, under group->mutex:
 * -EBUSY while the group is resetting, then the device PASID limit. On 0
 * the mutex is held; on error it is not.
 */
static int pasid_attach_lock_group(struct tcesim_iommu_group *group, uint32_t pasid)
{
	int ret;

	tcesim_mutex_lock(&group->mutex);
	if (group->resetting)
		ret = -EBUSY;
	else
		ret = group_check_max_pasids_locked(group, pasid);
	if (ret)
		tcesim_mutex_unlock(&group->mutex);
	return ret;
}

TCESIM_EXPORT int tcesim_iommu_attach_device_pasid(struct tcesim_iommu_domain *domain,
						   struct tcesim_device *dev, uint32_t pasid,
						   struct tcesim_iommu_attach_handle *handle)
{
	struct tcesim_iommu_group *group;
	int ret;

	ret = pasid_attach_precheck(domain, dev, pasid, true);
	if (ret)
		return ret;
	group = dev->group;
	ret = pasid_attach_lock_group(group, pasid);
	if (ret)
		return ret;
	/* xa_insert(XA_ZERO_ENTRY): lookups see an empty slot until the store */
	ret = pasid_array_reserve_locked(&group->pasid_array, pasid);
	if (ret)
		goto out_unlock;
	ret = group_set_pasid_locked(domain, group, pasid, NULL);
	if (ret) {
		pasid_array_erase_locked(&group->pasid_array, pasid);
		goto out_unlock;
	}
	/* written before the store below publishes the handle */
	if (handle)
		handle->domain = domain;
	pasid_array_store_locked(&group->pasid_array, pasid, make_entry(domain, handle));
	atomic_fetch_add(&domain->attached, 1);
out_unlock:
	tcesim_mutex_unlock(&group->mutex);
	return ret;
}

TCESIM_EXPORT int tcesim_iommu_detach_device_pasid(struct tcesim_iommu_domain *domain,
						   struct tcesim_device *dev, uint32_t pasid)
{
	struct tcesim_iommu_group *group;
	int ret = 0;

	if (!domain || !dev || pasid == TCESIM_IOMMU_NO_PASID || pasid >> PASID_ARRAY_BITS)
		return -EINVAL;
	group = dev->group;
	if (!group)
		return -ENODEV;
	tcesim_mutex_lock(&group->mutex);
	if (entry_domain(pasid_array_peek_locked(&group->pasid_array, pasid)) != domain) {
		ret = -ENOENT;
		goto out_unlock;
	}
	group_remove_pasid_locked(group, pasid);
	group_drain_pasid_locked(group, pasid);
	pasid_array_erase_locked(&group->pasid_array, pasid);
	atomic_fetch_sub(&domain->attached, 1);
out_unlock:
	tcesim_mutex_unlock(&group->mutex);
	return ret;
}

TCESIM_EXPORT int tcesim_iommu_replace_device_pasid(struct tcesim_iommu_domain *domain,
						    struct tcesim_device *dev, uint32_t pasid,
						    struct tcesim_iommu_attach_handle *handle)
{
	struct tcesim_iommu_domain *old;
	struct tcesim_iommu_group *group;
	void *curr, *entry;
	int ret;

	ret = pasid_attach_precheck(domain, dev, pasid, false);
	if (ret)
		return ret;
	if (!handle)
		return -EINVAL;
	group = dev->group;
	ret = pasid_attach_lock_group(group, pasid);
	if (ret)
		return ret;
	/*
	 * Upstream's xa_cmpxchg(NULL -> XA_ZERO_ENTRY) on an empty slot finds
	 * nothing to replace and releases the reservation: -EINVAL. Peeking
	 * gives the same outcome without the allocation.
	 */
	curr = pasid_array_peek_locked(&group->pasid_array, pasid);
	entry = make_entry(domain, handle);
	if (!curr || curr == entry) {
		if (curr)
			tcesim_pr(dev->w, "WARN: iommu_replace_device_pasid: handle reused");
		ret = -EINVAL;
		goto out_unlock;
	}
	old = entry_domain(curr);
	if (old != domain) {
		ret = group_set_pasid_locked(domain, group, pasid, old);
		if (ret)
			goto out_unlock;
	}
	handle->domain = domain;
	/* pairs with the lookup in tcesim_iommu_attach_handle_get() */
	pasid_array_store_locked(&group->pasid_array, pasid, entry);
	atomic_fetch_add(&domain->attached, 1);
	atomic_fetch_sub(&old->attached, 1);
out_unlock:
	tcesim_mutex_unlock(&group->mutex);
	return ret;
}

int sva_attach_handle_get_rcu(struct tcesim_iommu_group *group, uint32_t pasid,
			      unsigned int type, struct tcesim_iommu_attach_handle **out)
{
	struct tcesim_iommu_attach_handle *h;
	void *e = pasid_array_load_rcu(&group->pasid_array, pasid);

	if (!e || pasid_entry_tag(e) != PASID_ENTRY_HANDLE)
		return -ENOENT;
	h = pasid_entry_ptr(e);
	/* h->domain was written before the entry was published */
	if (type && h->domain->type != type)
		return -EBUSY;
	*out = h;
	return 0;
}

TCESIM_EXPORT int tcesim_iommu_attach_handle_get(struct tcesim_iommu_group *group, uint32_t pasid,
						 unsigned int type,
						 struct tcesim_iommu_attach_handle **out)
{
	int ret;

	if (!group || !out)
		return -EINVAL;
	/*
	 * iommu_attach_handle_get() (drivers/iommu/iommu.c) takes any ioasid_t
	 * and xa_load() finds nothing there: -ENOENT. Nothing can be attached
	 * above the model's 20-bit array, so that slot is empty too.
	 */
	if (pasid >> PASID_ARRAY_BITS)
		return -ENOENT;
	tcesim_rcu_read_lock();
	ret = sva_attach_handle_get_rcu(group, pasid, type, out);
	tcesim_rcu_read_unlock();
	return ret;
}
