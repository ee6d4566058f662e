// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iommu.c - IOMMU instances, iommu groups, domains, the PASID array with
 * attach handles, and DMA ownership.
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
 *   dev->iopf_lock and mm->lock are never held with any of them.
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

/* ------------------------------------------------------------ domains --- */

struct tcesim_iommu_domain *sva_domain_new(struct tcesim_iommu *iommu, unsigned int type,
					   unsigned int flags)
{
	struct tcesim_iommu_domain *d = tcesim_zalloc(iommu->w, sizeof(*d));

	if (!d)
		return NULL;
	d->w = iommu->w;
	d->type = type;
	d->iommu = iommu;
	d->has_set_dev_pasid = !(flags & TCESIM_DOMAIN_F_NO_SET_DEV_PASID);
	d->has_iopf_handler = type == TCESIM_IOMMU_DOMAIN_SVA;
	atomic_init(&d->refs, 1);
	CDS_INIT_LIST_HEAD(&d->mm_node);
	tcesim_mutex_lock(&iommu->sva->objs_lock);
	cds_list_add_tail(&d->all_node, &iommu->sva->domains);
	tcesim_mutex_unlock(&iommu->sva->objs_lock);
	return d;
}

static void domain_free_rcu(struct rcu_head *head)
{
	struct tcesim_iommu_domain *d = tcesim_container_of(head, struct tcesim_iommu_domain, rcu);

	tcesim_rcu_callback_enter();
	tcesim_kfree(d->w, d);
	tcesim_rcu_callback_exit();
}

/* Under RCU: take a reference unless the domain is already being freed. */
bool sva_domain_tryget(struct tcesim_iommu_domain *d)
{
	int r = atomic_load_explicit(&d->refs, memory_order_relaxed);

	while (r > 0)
		if (atomic_compare_exchange_weak(&d->refs, &r, r + 1))
			return true;
	return false;
}

/*
 * The last reference: unlist, drop the mm (iommu_domain_free -> mmdrop, so
 * mm_pasid_drop happens now, deterministically), free the memory after a
 * grace period (RCU readers of the PASID array may still hold it).
 */
void sva_domain_put(struct tcesim_iommu_domain *d)
{
	struct sva_state *sva = d->iommu->sva;

	if (atomic_fetch_sub_explicit(&d->refs, 1, memory_order_acq_rel) != 1)
		return;
	tcesim_mutex_lock(&sva->objs_lock);
	cds_list_del(&d->all_node);
	tcesim_mutex_unlock(&sva->objs_lock);
	if (d->mm)
		tcesim_mmdrop(d->mm);
	tcesim_call_rcu(&d->rcu, domain_free_rcu);
}

TCESIM_EXPORT int tcesim_iommu_domain_alloc(struct tcesim_iommu *iommu, unsigned int type,
					    unsigned int flags, struct tcesim_iommu_domain **out)
{
	struct tcesim_iommu_domain *d;

	if (!iommu || !out || (type != TCESIM_IOMMU_DOMAIN_UNMANAGED &&
			       type != TCESIM_IOMMU_DOMAIN_DMA) ||
	    (flags & ~TCESIM_DOMAIN_F_NO_SET_DEV_PASID))
		return -EINVAL;
	d = sva_domain_new(iommu, type, flags);
	if (!d)
		return -ENOMEM;
	d->user_owned = true;
	*out = d;
	return 0;
}

TCESIM_EXPORT int tcesim_iommu_blocked_domain(struct tcesim_iommu *iommu,
					      struct tcesim_iommu_domain **out)
{
	if (!iommu || !out)
		return -EINVAL;
	if (!iommu->blocked_domain)
		return -EOPNOTSUPP;
	*out = iommu->blocked_domain;
	return 0;
}

TCESIM_EXPORT void tcesim_iommu_domain_free(struct tcesim_iommu_domain *domain)
{
	if (!domain)
		return;
	if (!domain->user_owned || atomic_load(&domain->attached)) {
		tcesim_pr(domain->w, "WARN: domain in use (type %u, %d PASIDs attached)",
			  domain->type, atomic_load(&domain->attached));
		return;
	}
	sva_domain_put(domain);
}

TCESIM_EXPORT unsigned int tcesim_iommu_domain_type(const struct tcesim_iommu_domain *domain)
{
	return domain->type;
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
 * intel_iommu_remove_dev_pasid / intel_svm_unbind_mm). Done after the slot
 * is erased, so the drain's pass finds no handler and answers the last
 * request of each group INVALID. mm exit (intel_mm_release) tears down
 * with fault_ignore=true and does not drain: the later unbind does.
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

/* The NULL check and checks 1-3 of B10 shared by attach and replace. */
static int pasid_attach_precheck(struct tcesim_iommu_domain *domain, struct tcesim_device *dev,
				 uint32_t pasid)
{
	if (!domain || !dev)
		return -EINVAL;
	if (!dev->group)
		return -ENODEV;
	if (!domain->has_set_dev_pasid || !dev->iommu->blocked_domain)
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

	ret = pasid_attach_precheck(domain, dev, pasid);
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
	pasid_array_erase_locked(&group->pasid_array, pasid);
	atomic_fetch_sub(&domain->attached, 1);
	group_drain_pasid_locked(group, pasid);
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

	ret = pasid_attach_precheck(domain, dev, pasid);
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

	if (!group || !out || pasid >> PASID_ARRAY_BITS)
		return -EINVAL;
	tcesim_rcu_read_lock();
	ret = sva_attach_handle_get_rcu(group, pasid, type, out);
	tcesim_rcu_read_unlock();
	return ret;
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
