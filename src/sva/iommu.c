// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iommu.c - IOMMU instances, iommu groups, devices, the module's per-world
 * state, and DMA ownership. Domains are in iommu_domain.c, PASID attach and
 * attach handles in iommu_pasid.c (upstream has all three in
 * drivers/iommu/iommu.c); the concepts, invariants and locks below hold for
 * all of them. This file is the top layer of the order atop sva_internal.h.
 *
 * Concepts:
 *  - Models drivers/iommu/iommu.c (2025 copy, SEMANTICS.md B10) for a VT-d
 *    style IOMMU with PASID and PRI: a group owns a PASID array whose slots
 *    hold tagged entries, a bare domain (attached without a handle) or an
 *    attach handle (whose ->domain names the domain). The group's devices
 *    each hold a PASID table, the "hardware" state set_dev_pasid programs.
 *  - Attach is reserve, program, publish: the slot is reserved first (it
 *    reads as empty), every PASID-capable device is programmed, and only
 *    then is the entry stored. A device failure reverts the devices already
 *    programmed to the blocked domain and releases the reservation, so a
 *    reader never sees a domain whose attach later fails (upstream: "we
 *    cannot tolerate PRIs becoming concurrently queued and then failing").
 *  - DMA ownership: owner_cnt counts kernel drivers using the default
 *    domain (owner NULL) or claims by one user owner; a user owner puts the
 *    group on its blocking domain. PASIDs must be gone before ownership is
 *    taken or given back.
 *  - Objects (IOMMUs, groups, devices) live until the world is destroyed;
 *    domains until freed (SVA domains: last unbind and last queued fault).
 *
 * Invariants:
 *  - pasid_array.nr == 0 iff no PASID is attached or being attached;
 *  - for an entry at PASID p, every PASID-capable device of the group has
 *    the entry's domain in its PASID table at p (blocked = absent);
 *  - owner != NULL implies domain == blocking_domain; owner_cnt == 0
 *    implies owner == NULL.
 *
 * Lock order (also in sva_internal.h; src/internal.h has sva_lock >
 * group->mutex):
 *   sva->lock > group->mutex > sva->mms_lock > sva->ida_lock > sva->objs_lock;
 *   dev->iopf_lock and mm->lock are leaves: nothing is taken while one is
 *   held. Both can be taken under sva->lock and group->mutex: a detach of
 *   a PRI device's PASID drains its PRQ first (iommu_pasid.c), and the
 *   drain serves the requests it meets (report, fault work, responses).
 *
 * Synchronization table (Y: may run concurrently; the PASID array's
 * readers never block and never wait for a writer):
 *
 *                      | handle_get | attach/detach/ | bind/   | report_fault
 *                      | (RCU)      | replace (grp)  | unbind  | / flush
 *   handle_get (RCU)   |     Y      |       Y        |    Y    |     Y
 *   attach/detach/repl |     Y      | serialised by  |  grp    |     Y
 *                      |            | group->mutex   |  mutex  |
 *   bind/unbind        |     Y      |  group->mutex  | sva lock|   Y (*)
 *   report_fault/flush |     Y      |       Y        |  Y (*)  | iopf_lock
 *   ownership claim/rel|     Y      |  group->mutex  |  grp    |     Y
 *   (*) unbind's contract: the device's faults were flushed first; a
 *       queued group still holds a domain reference, so it stays safe.
 */
#include <stdio.h>

#include "sva/sva_internal.h"
#include "mem/mem_internal.h"


/* ---------------------------------------------------------- the slot --- */

static void sva_state_destroy(struct tcesim_world *w, void *state)
{
	struct sva_state *sva = state;
	struct tcesim_iommu_group *g, *gn;
	struct tcesim_device *d, *dn;
	struct tcesim_iommu *i, *in;
	struct tcesim_iommu_domain *dom, *domn;

	/* no other thread uses the world any more (tcesim_world_destroy) */
	sva_handles_destroy_all(sva);
	cds_list_for_each_entry_safe(d, dn, &sva->devices, node) {
		iopf_device_destroy(d);
		pasid_array_destroy(&d->pasid_table);
		tcesim_kfree(w, d);
	}
	cds_list_for_each_entry_safe(g, gn, &sva->groups, node) {
		pasid_array_destroy(&g->pasid_array);
		tcesim_mutex_destroy(&g->mutex);
		tcesim_kfree(w, g);
	}
	/* iopf groups are gone: only the owner's reference is left */
	cds_list_for_each_entry_safe(dom, domn, &sva->domains, all_node) {
		if (dom->mm)
			tcesim_mmdrop(dom->mm);
		tcesim_kfree(w, dom);
	}
	sva_mm_data_destroy_all(sva);
	cds_list_for_each_entry_safe(i, in, &sva->iommus, node)
		tcesim_kfree(w, i);
	tcesim_kfree(w, sva->pasid_bitmap);
	tcesim_mutex_destroy(&sva->lock);
	tcesim_mutex_destroy(&sva->mms_lock);
	tcesim_mutex_destroy(&sva->ida_lock);
	tcesim_mutex_destroy(&sva->objs_lock);
	tcesim_kfree(w, sva);
}

static void *sva_state_create(struct tcesim_world *w)
{
	struct sva_state *sva = tcesim_zalloc(w, sizeof(*sva));

	if (!sva)
		return NULL;
	sva->pasid_bitmap = tcesim_zalloc(w, (1u << PASID_ARRAY_BITS) / 8);
	if (!sva->pasid_bitmap) {
		tcesim_kfree(w, sva);
		return NULL;
	}
	sva->w = w;
	tcesim_mutex_init(&sva->lock);
	tcesim_mutex_init(&sva->mms_lock);
	tcesim_mutex_init(&sva->ida_lock);
	tcesim_mutex_init(&sva->objs_lock);
	CDS_INIT_LIST_HEAD(&sva->mms);
	CDS_INIT_LIST_HEAD(&sva->iommus);
	CDS_INIT_LIST_HEAD(&sva->groups);
	CDS_INIT_LIST_HEAD(&sva->devices);
	CDS_INIT_LIST_HEAD(&sva->domains);
	CDS_INIT_LIST_HEAD(&sva->handles);
	sva->array_kind = PASID_ARRAY_RADIX;
	return sva;
}

struct sva_state *sva_state_get(struct tcesim_world *w)
{
	return tcesim_world_slot(w, TCESIM_SLOT_SVA, sva_state_create, sva_state_destroy);
}

/* ------------------------------------------------------------ objects --- */

/*
 * The typed find-by-name lookups: walk one of the world's object lists
 * (sva->LIST, linked through ->node) under objs_lock and return the entry
 * whose ->name is NM, or NULL (also when the world has no SVA state yet).
 */
#define SVA_FIND_BY_NAME(TYPE, LIST, W, NM)                                            \
	do {                                                                           \
		struct sva_state *sva_ =                                               \
			(W) ? tcesim_world_slot_peek((W), TCESIM_SLOT_SVA) : NULL;     \
		TYPE *pos_, *found_ = NULL;                                            \
                                                                                       \
		if (!sva_ || !(NM))                                                    \
			return NULL;                                                   \
		tcesim_mutex_lock(&sva_->objs_lock);                                   \
		cds_list_for_each_entry(pos_, &sva_->LIST, node)                       \
			if (!strcmp(pos_->name, (NM))) {                               \
				found_ = pos_;                                         \
				break;                                                 \
			}                                                              \
		tcesim_mutex_unlock(&sva_->objs_lock);                                 \
		return found_;                                                         \
	} while (0)

TCESIM_EXPORT void tcesim_iommu_cfg_init(struct tcesim_iommu_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->size = sizeof(*cfg);
	cfg->pasid_bits = TCESIM_IOMMU_MAX_PASID_BITS;
	cfg->prq_depth = 2048;
}

TCESIM_EXPORT struct tcesim_iommu *tcesim_iommu_find(struct tcesim_world *w, const char *name)
{
	SVA_FIND_BY_NAME(struct tcesim_iommu, iommus, w, name);
}

TCESIM_EXPORT int tcesim_iommu_create(struct tcesim_world *w, const struct tcesim_iommu_cfg *cfg,
				      struct tcesim_iommu **out)
{
	struct tcesim_iommu *iommu;
	struct sva_state *sva;

	if (!w || !cfg || !out || cfg->size < sizeof(*cfg) || !cfg->name || !cfg->pasid_bits ||
	    cfg->pasid_bits > TCESIM_IOMMU_MAX_PASID_BITS)
		return -EINVAL;
	sva = sva_state_get(w);
	if (!sva)
		return -ENOMEM;
	if (tcesim_iommu_find(w, cfg->name))
		return -EEXIST;
	iommu = tcesim_zalloc(w, sizeof(*iommu));
	if (!iommu)
		return -ENOMEM;
	iommu->w = w;
	iommu->sva = sva;
	snprintf(iommu->name, sizeof(iommu->name), "%s", cfg->name);
	iommu->pasid_bits = cfg->pasid_bits;
	iommu->prq_depth = cfg->prq_depth;
	iommu->has_sva = !cfg->no_sva;
	if (!cfg->no_blocked_domain) {
		iommu->blocked_domain = sva_domain_new(iommu, TCESIM_IOMMU_DOMAIN_BLOCKED, 0);
		if (!iommu->blocked_domain) {
			tcesim_kfree(w, iommu);
			return -ENOMEM;
		}
		iommu->blocked_domain->is_static = true;
	}
	tcesim_mutex_lock(&sva->objs_lock);
	cds_list_add_tail(&iommu->node, &sva->iommus);
	tcesim_mutex_unlock(&sva->objs_lock);
	*out = iommu;
	return 0;
}

TCESIM_EXPORT struct tcesim_iommu_group *tcesim_iommu_group_find(struct tcesim_world *w,
								  const char *name)
{
	SVA_FIND_BY_NAME(struct tcesim_iommu_group, groups, w, name);
}

static int group_new(struct sva_state *sva, const char *name, struct tcesim_iommu_group **out)
{
	struct tcesim_iommu_group *g;
	int ret;

	if (tcesim_iommu_group_find(sva->w, name))
		return -EEXIST;
	g = tcesim_zalloc(sva->w, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->w = sva->w;
	g->sva = sva;
	snprintf(g->name, sizeof(g->name), "%s", name);
	tcesim_mutex_init(&g->mutex);
	CDS_INIT_LIST_HEAD(&g->devices);
	ret = pasid_array_init(&g->pasid_array, sva->w, &g->mutex, sva->array_kind);
	if (ret) {
		tcesim_mutex_destroy(&g->mutex);
		tcesim_kfree(sva->w, g);
		return ret;
	}
	*out = g;
	return 0;
}

static void group_publish(struct sva_state *sva, struct tcesim_iommu_group *g)
{
	tcesim_mutex_lock(&sva->objs_lock);
	cds_list_add_tail(&g->node, &sva->groups);
	tcesim_mutex_unlock(&sva->objs_lock);
}

static void group_free_unpublished(struct tcesim_iommu_group *g)
{
	pasid_array_destroy(&g->pasid_array);
	tcesim_mutex_destroy(&g->mutex);
	tcesim_kfree(g->w, g);
}

TCESIM_EXPORT int tcesim_iommu_group_alloc(struct tcesim_world *w, const char *name,
					   struct tcesim_iommu_group **out)
{
	struct sva_state *sva;
	int ret;

	if (!w || !name || !out)
		return -EINVAL;
	sva = sva_state_get(w);
	if (!sva)
		return -ENOMEM;
	ret = group_new(sva, name, out);
	if (!ret)
		group_publish(sva, *out);
	return ret;
}

TCESIM_EXPORT void tcesim_pci_device_cfg_init(struct tcesim_pci_device_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->size = sizeof(*cfg);
	cfg->max_pasids = TCESIM_PDEV_MAX_PASIDS_DEFAULT;
}

TCESIM_EXPORT struct tcesim_device *tcesim_device_find(struct tcesim_world *w, const char *name)
{
	SVA_FIND_BY_NAME(struct tcesim_device, devices, w, name);
}

TCESIM_EXPORT int tcesim_pci_device_create(struct tcesim_iommu *iommu,
					   const struct tcesim_pci_device_cfg *cfg,
					   struct tcesim_device **out)
{
	struct tcesim_iommu_group *g = NULL, *new_group = NULL;
	struct tcesim_iommu_domain *dd = NULL;
	struct sva_state *sva;
	struct tcesim_device *dev;
	uint32_t max_pasids;
	int ret;

	if (!iommu || !cfg || !out || cfg->size < sizeof(*cfg) || !cfg->name ||
	    (cfg->group && cfg->no_group) || (cfg->group && cfg->group->w != iommu->w))
		return -EINVAL;
	sva = iommu->sva;
	max_pasids = cfg->max_pasids == TCESIM_PDEV_MAX_PASIDS_DEFAULT ? 1u << iommu->pasid_bits
								      : cfg->max_pasids;
	if (max_pasids > 1u << iommu->pasid_bits)
		return -EINVAL;
	if (tcesim_device_find(iommu->w, cfg->name))
		return -EEXIST;
	dev = tcesim_zalloc(iommu->w, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->w = iommu->w;
	dev->iommu = iommu;
	snprintf(dev->name, sizeof(dev->name), "%s", cfg->name);
	dev->max_pasids = max_pasids;
	dev->pri = cfg->pri;
	iopf_device_init(dev);
	ret = pasid_array_init(&dev->pasid_table, dev->w, NULL, PASID_ARRAY_RADIX);
	if (ret)
		goto out_free_dev;
	if (!cfg->no_group) {
		g = cfg->group;
		if (!g) {
			ret = group_new(sva, cfg->name, &new_group);
			if (ret)
				goto out_free_table;
			g = new_group;
		}
		/* the device's PASID table is written under its group's mutex */
		dev->pasid_table.lock = &g->mutex;
		tcesim_mutex_lock(&g->mutex);
		if (!g->default_domain) {
			dd = sva_domain_new(iommu, TCESIM_IOMMU_DOMAIN_DMA, 0);
			if (!dd) {
				tcesim_mutex_unlock(&g->mutex);
				ret = -ENOMEM;
				goto out_free_group;
			}
			g->default_domain = dd;
			if (!g->domain)
				g->domain = dd;
		}
		dev->group = g;
		cds_list_add_tail(&dev->group_node, &g->devices);
		tcesim_mutex_unlock(&g->mutex);
		if (new_group)
			group_publish(sva, new_group);
	}
	tcesim_mutex_lock(&sva->objs_lock);
	cds_list_add_tail(&dev->node, &sva->devices);
	tcesim_mutex_unlock(&sva->objs_lock);
	*out = dev;
	return 0;

out_free_group:
	if (new_group)
		group_free_unpublished(new_group);
out_free_table:
	pasid_array_destroy(&dev->pasid_table);
out_free_dev:
	iopf_device_destroy(dev);
	tcesim_kfree(dev->w, dev);
	return ret;
}

TCESIM_EXPORT struct tcesim_iommu_group *tcesim_device_iommu_group(const struct tcesim_device *dev)
{
	return dev ? dev->group : NULL;
}

/* ------------------------------------------------------ DMA ownership --- */

static int group_take_dma_ownership_locked(struct tcesim_iommu_group *group, void *owner,
					   struct tcesim_iommu *iommu)
{
	tcesim_lock_assert_held(&group->mutex);
	if ((group->domain && group->domain != group->default_domain) ||
	    !pasid_array_empty_locked(&group->pasid_array))
		return -EBUSY;
	if (!group->blocking_domain) {
		/* the driver's static blocked domain, else an empty paging domain */
		if (iommu->blocked_domain) {
			group->blocking_domain = iommu->blocked_domain;
		} else {
			group->blocking_domain =
				sva_domain_new(iommu, TCESIM_IOMMU_DOMAIN_UNMANAGED, 0);
			if (!group->blocking_domain)
				return -ENOMEM;
		}
	}
	group->domain = group->blocking_domain;
	group->owner = owner;
	group->owner_cnt++;
	return 0;
}

static struct tcesim_iommu *group_iommu_locked(struct tcesim_iommu_group *group)
{
	struct tcesim_device *dev;

	cds_list_for_each_entry(dev, &group->devices, group_node)
		return dev->iommu;
	return NULL;
}

static void group_release_dma_ownership_locked(struct tcesim_iommu_group *group,
					       const char *who)
{
	tcesim_lock_assert_held(&group->mutex);
	if (!group->owner_cnt || !group->owner ||
	    !pasid_array_empty_locked(&group->pasid_array)) {
		tcesim_pr(group->w, "WARN: %s: group %s not released (owner_cnt %u, %lu PASIDs)",
			  who, group->name, group->owner_cnt, group->pasid_array.nr);
		return;
	}
	group->owner_cnt = 0;
	group->owner = NULL;
	group->domain = group->default_domain;
}

TCESIM_EXPORT int tcesim_iommu_group_claim_dma_owner(struct tcesim_iommu_group *group,
						     void *owner)
{
	struct tcesim_iommu *iommu;
	int ret;

	if (!group || !owner) {
		if (group)
			tcesim_pr(group->w, "WARN: iommu_group_claim_dma_owner: NULL owner");
		return -EINVAL;
	}
	tcesim_mutex_lock(&group->mutex);
	iommu = group_iommu_locked(group);
	if (group->owner_cnt)
		ret = -EPERM;
	else if (!iommu)
		ret = -ENODEV;	/* an empty group has no driver to block DMA with */
	else
		ret = group_take_dma_ownership_locked(group, owner, iommu);
	tcesim_mutex_unlock(&group->mutex);
	return ret;
}

TCESIM_EXPORT void tcesim_iommu_group_release_dma_owner(struct tcesim_iommu_group *group)
{
	if (!group)
		return;
	tcesim_mutex_lock(&group->mutex);
	group_release_dma_ownership_locked(group, "iommu_group_release_dma_owner");
	tcesim_mutex_unlock(&group->mutex);
}

TCESIM_EXPORT int tcesim_iommu_device_claim_dma_owner(struct tcesim_device *dev, void *owner)
{
	struct tcesim_iommu_group *group;
	int ret = 0;

	if (!dev || !owner)
		return -EINVAL;
	group = dev->group;
	if (!group)
		return -ENODEV;
	tcesim_mutex_lock(&group->mutex);
	if (group->owner_cnt) {
		if (group->owner != owner)
			ret = -EPERM;
		else
			group->owner_cnt++;
	} else {
		ret = group_take_dma_ownership_locked(group, owner, dev->iommu);
	}
	tcesim_mutex_unlock(&group->mutex);
	return ret;
}

TCESIM_EXPORT void tcesim_iommu_device_release_dma_owner(struct tcesim_device *dev)
{
	struct tcesim_iommu_group *group = dev ? dev->group : NULL;

	if (!group)
		return;
	tcesim_mutex_lock(&group->mutex);
	if (group->owner_cnt > 1)
		group->owner_cnt--;
	else
		group_release_dma_ownership_locked(group, "iommu_device_release_dma_owner");
	tcesim_mutex_unlock(&group->mutex);
}

TCESIM_EXPORT int tcesim_iommu_device_use_default_domain(struct tcesim_device *dev)
{
	struct tcesim_iommu_group *group;
	int ret = 0;

	if (!dev)
		return -EINVAL;
	group = dev->group;
	if (!group)
		return 0;
	tcesim_mutex_lock(&group->mutex);
	/* the model gives every group its default domain at probe: no -EPROBE_DEFER */
	if (group->owner_cnt &&
	    (group->domain != group->default_domain || group->owner ||
	     !pasid_array_empty_locked(&group->pasid_array)))
		ret = -EBUSY;
	else
		group->owner_cnt++;
	tcesim_mutex_unlock(&group->mutex);
	return ret;
}

TCESIM_EXPORT void tcesim_iommu_device_unuse_default_domain(struct tcesim_device *dev)
{
	struct tcesim_iommu_group *group = dev ? dev->group : NULL;

	if (!group)
		return;
	tcesim_mutex_lock(&group->mutex);
	if (!group->owner_cnt || !pasid_array_empty_locked(&group->pasid_array))
		tcesim_pr(group->w,
			  "WARN: iommu_device_unuse_default_domain: group %s owner_cnt %u, %lu PASIDs",
			  group->name, group->owner_cnt, group->pasid_array.nr);
	else
		group->owner_cnt--;
	tcesim_mutex_unlock(&group->mutex);
}

TCESIM_EXPORT bool tcesim_iommu_group_dma_owner_claimed(struct tcesim_iommu_group *group)
{
	bool ret;

	if (!group)
		return false;
	tcesim_mutex_lock(&group->mutex);
	ret = group->owner_cnt != 0;
	tcesim_mutex_unlock(&group->mutex);
	return ret;
}
