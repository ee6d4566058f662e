// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * phb.c - PHB variant dispatch, the module's per-world state, PHBs and the
 * PCI devices on their PEs. The work common to every variant is split by
 * concern: PEs, their DMA windows and the kernel DMA API (phb_pe.c), the
 * TCE exchange/kill wrappers (phb_tce.c), the PHB's TCE cache and device
 * DMA (phb_cache.c). The concepts below hold for all of them; this file is
 * the top layer of the order atop phb_internal.h.
 *
 * Concepts:
 *
 *  What it models: arch/powerpc/platforms/powernv/pci-ioda.c (PHBs, PEs,
 *  windows, TCE invalidation), arch/powerpc/kernel/iommu.c
 *  (iommu_tce_xchg_no_kill, iommu_tce_kill, iommu_tce_xchg of 2015, the
 *  borrowing table group ops) and the PHB hardware a device sees: TVE
 *  selection by bus address bit 59, a TCE cache, the table walk.
 *
 *  Variants: one const struct tcesim_phb_ops per variant file, selected
 *  through phb_variants[], a bounds-checked array indexed by enum
 *  tcesim_phb_model (the only place that knows the list). Table ops and
 *  table-group ops are two structs, as upstream, each with a modern and a
 *  legacy_2015 instance chosen by the world's flavour.
 *
 *  Invariants:
 *   - a table in pe->table_group.tables[n] is linked to the PE (its
 *     it_group_list has a link to the group) and holds a link reference;
 *   - the TCE cache holds only translations read from a table of a window of
 *     the PE at the time of the read, under the cache lock; a kill takes the
 *     same lock, so a kill that follows an exchange leaves no stale copy;
 *   - a kill is counted on a table (it_kills) when it reaches >= 1 PE.
 *
 *  Lock rules (order as in src/internal.h):
 *     ops_state->lock > phb->lock > table pool locks > phb->cache.lock
 *   phb->lock: PE list, devices, ownership, writers of tables[].
 *   cache.lock: leaf lock (spinlock); the table walk of a translation runs
 *   under it (lock-free reads only).
 *   The TCE fast path (xchg_no_kill) takes no lock. Invalidation walks
 *   it_group_list under RCU and takes only cache.lock. PEs are freed after
 *   a grace period (an invalidator may hold a link to one).
 */
#include <stdio.h>

#include "ops/phb_internal.h"

static const struct tcesim_phb_ops *const phb_variants[TCESIM_PHB_NR_ALL] = {
	[TCESIM_PHB_P5IOC2] = &phb_p5ioc2_ops,
	[TCESIM_PHB_IODA1] = &phb_ioda1_ops,
	[TCESIM_PHB_IODA2] = &phb_ioda2_ops,
	/* test-only (phb_mock.c, weak): NULL unless a test links it */
	[TCESIM_PHB_MOCK] = &phb_mock_ops,
};

static const char *const phb_model_names[TCESIM_PHB_NR] = {
	[TCESIM_PHB_P5IOC2] = "p5ioc2",
	[TCESIM_PHB_IODA1] = "ioda1",
	[TCESIM_PHB_IODA2] = "ioda2",
};

static const struct tcesim_phb_ops *phb_variant(enum tcesim_phb_model model)
{
	if ((unsigned int)model >= TCESIM_ARRAY_SIZE(phb_variants))
		return NULL;
	return phb_variants[model];
}

/* ------------------------------------------------------- world state -- */

static void *ops_state_create(struct tcesim_world *w)
{
	struct ops_state *st = tcesim_zalloc(w, sizeof(*st));

	if (!st)
		return NULL;
	tcesim_mutex_init(&st->lock);
	CDS_INIT_LIST_HEAD(&st->phbs);
	return st;
}

static void ops_state_destroy(struct tcesim_world *w, void *p)
{
	struct ops_state *st = p;

	while (!cds_list_empty(&st->phbs))
		tcesim_phb_destroy(cds_list_entry(st->phbs.next, struct tcesim_phb, node));
	tcesim_mutex_destroy(&st->lock);
	tcesim_kfree(w, st);
}

static struct ops_state *ops_state_get(struct tcesim_world *w)
{
	return tcesim_world_slot(w, TCESIM_SLOT_OPS, ops_state_create, ops_state_destroy);
}

int tcesim_ops_set_devmem_hook(struct tcesim_world *w,
			       bool (*fn)(struct tcesim_mm *mm, uint64_t hpa,
					  unsigned int page_shift))
{
	struct ops_state *st = ops_state_get(w);

	if (!st)
		return -ENOMEM;
	tcesim_mutex_lock(&st->lock);
	/* Release pairs with the acquire load in dirty_old_page(). */
	__atomic_store_n(&st->is_devmem, fn, __ATOMIC_RELEASE);
	tcesim_mutex_unlock(&st->lock);
	return 0;
}

/* -------------------------------------------------------------- PHBs -- */

TCESIM_EXPORT void tcesim_phb_cfg_init(struct tcesim_phb_cfg *cfg, enum tcesim_phb_model model)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->size = sizeof(*cfg);
	cfg->model = model;
	cfg->kill = TCESIM_PHB_KILL_PHB3;
}

TCESIM_EXPORT int tcesim_phb_model_from_name(const char *name, enum tcesim_phb_model *out)
{
	unsigned int i;

	if (!name || !out)
		return -EINVAL;
	for (i = 0; i < TCESIM_PHB_NR; i++) {
		if (!strcmp(name, phb_model_names[i])) {
			*out = (enum tcesim_phb_model)i;
			return 0;
		}
	}
	return -EINVAL;
}

TCESIM_EXPORT int tcesim_phb_create(struct tcesim_world *w, const struct tcesim_phb_cfg *cfg,
				    struct tcesim_phb **out)
{
	const struct tcesim_phb_ops *ops;
	struct tcesim_phb *phb;
	struct ops_state *st;
	uint64_t pgsizes;

	if (!w || !cfg || !out || cfg->size < sizeof(*cfg))
		return -EINVAL;
	ops = phb_variant(cfg->model);
	if (!ops || (unsigned int)cfg->kill > TCESIM_PHB_KILL_PHB4)
		return -EINVAL;
	pgsizes = cfg->pgsizes ? cfg->pgsizes : ops->default_pgsizes;
	if (pgsizes & ~ops->allowed_pgsizes)
		return -EINVAL;
	if (!(legacy_2015(w) ? ops->table_ops_2015 : ops->table_ops))
		return -ENODEV;
	st = ops_state_get(w);
	if (!st)
		return -ENOMEM;
	phb = tcesim_zalloc(w, sizeof(*phb));
	if (!phb)
		return -ENOMEM;
	phb->w = w;
	phb->ops = ops;
	phb->model = cfg->model;
	phb->kill = cfg->kill;
	phb->pgsizes = pgsizes;
	tcesim_mutex_init(&phb->lock);
	CDS_INIT_LIST_HEAD(&phb->pes);
	pthread_spin_init(&phb->cache.lock, PTHREAD_PROCESS_PRIVATE);

	tcesim_mutex_lock(&st->lock);
	phb->index = st->next_phb++;
	cds_list_add_tail(&phb->node, &st->phbs);
	tcesim_mutex_unlock(&st->lock);
	if (cfg->name)
		snprintf(phb->name, sizeof(phb->name), "%s", cfg->name);
	else
		snprintf(phb->name, sizeof(phb->name), "phb%u", phb->index);
	*out = phb;
	return 0;
}

TCESIM_EXPORT void tcesim_phb_destroy(struct tcesim_phb *phb)
{
	struct ops_state *st;

	if (!phb)
		return;
	while (!cds_list_empty(&phb->pes))
		tcesim_pe_destroy(cds_list_entry(phb->pes.next, struct tcesim_pe, node));
	st = tcesim_world_slot_peek(phb->w, TCESIM_SLOT_OPS);
	tcesim_mutex_lock(&st->lock);
	cds_list_del(&phb->node);
	tcesim_mutex_unlock(&st->lock);
	pthread_spin_destroy(&phb->cache.lock);
	tcesim_mutex_destroy(&phb->lock);
	tcesim_kfree(phb->w, phb);
}

TCESIM_EXPORT int tcesim_phb_get_stats(struct tcesim_phb *phb, struct tcesim_phb_stats *stats)
{
	if (!phb || !stats)
		return -EINVAL;
	stats->kill_reg_writes = atomic_load(&phb->kill_reg_writes);
	stats->opal_kills = atomic_load(&phb->opal_kills);
	stats->cache_hits = atomic_load(&phb->cache_hits);
	stats->cache_misses = atomic_load(&phb->cache_misses);
	stats->cache_evictions = atomic_load(&phb->cache_evictions);
	return 0;
}

TCESIM_EXPORT enum tcesim_phb_model tcesim_phb_model(const struct tcesim_phb *phb)
{
	return phb->model;
}

/* ----------------------------------------------------------- devices -- */

TCESIM_EXPORT int tcesim_pci_dev_create(struct tcesim_pe *pe, const char *name,
					unsigned int dma_mask_bits, struct tcesim_pci_dev **out)
{
	struct tcesim_pci_dev *dev;

	if (!pe || !out || dma_mask_bits > 64)
		return -EINVAL;
	dev = tcesim_zalloc(pe->phb->w, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->pe = pe;
	if (!dma_mask_bits)
		dma_mask_bits = 64;
	dev->dma_mask = dma_mask_bits == 64 ? UINT64_MAX : (1ULL << dma_mask_bits) - 1;
	/* pci_setup_device(): dma_set_seg_boundary(&dev->dev, 0xffffffff) */
	atomic_init(&dev->seg_boundary_mask, TCESIM_DMA_SEG_BOUNDARY_DEFAULT);
	snprintf(dev->name, sizeof(dev->name), "%s", name ? name : "dev");
	tcesim_mutex_lock(&pe->phb->lock);
	/* iommu_probe_device(): the group's first device attaches its domain */
	pe_probe_attach_locked(pe);
	cds_list_add_tail(&dev->node, &pe->devs);
	tcesim_mutex_unlock(&pe->phb->lock);
	*out = dev;
	return 0;
}

TCESIM_EXPORT void tcesim_pci_dev_destroy(struct tcesim_pci_dev *dev)
{
	struct tcesim_phb *phb;

	if (!dev)
		return;
	phb = dev->pe->phb;
	tcesim_mutex_lock(&phb->lock);
	/* hot unplug releases the driver: iommu_device_unuse_default_domain() */
	if (dev->bound)
		dev->pe->owner_cnt--;
	cds_list_del(&dev->node);
	tcesim_mutex_unlock(&phb->lock);
	tcesim_kfree(phb->w, dev);
}

TCESIM_EXPORT struct tcesim_pe *tcesim_pci_dev_pe(const struct tcesim_pci_dev *dev)
{
	return dev->pe;
}

TCESIM_EXPORT int tcesim_pci_dev_driver_bind(struct tcesim_pci_dev *dev)
{
	int ret = 0;

	if (!dev)
		return -EINVAL;
	tcesim_mutex_lock(&dev->pe->phb->lock);
	/*
	 * iommu_device_use_default_domain(): owner_cnt && (claimed by a user
	 * owner || off the default domain) -> -EBUSY. pe->owned without a
	 * claim is the VFIO container's ownership (the claim VFIO core holds).
	 */
	if (dev->bound || dev->pe->owned || (dev->pe->owner_cnt && dev->pe->dma_owner)) {
		ret = -EBUSY;
	} else {
		dev->bound = true;
		dev->pe->owner_cnt++; /* a kernel DMA-API user: owner stays NULL */
	}
	tcesim_mutex_unlock(&dev->pe->phb->lock);
	return ret;
}

TCESIM_EXPORT int tcesim_pci_dev_driver_unbind(struct tcesim_pci_dev *dev)
{
	int ret = 0;

	if (!dev)
		return -EINVAL;
	tcesim_mutex_lock(&dev->pe->phb->lock);
	if (!dev->bound)
		ret = -EINVAL;
	else
		dev->pe->owner_cnt--;
	dev->bound = false;
	tcesim_mutex_unlock(&dev->pe->phb->lock);
	return ret;
}

TCESIM_EXPORT int tcesim_pci_dev_set_fail_iommu(struct tcesim_pci_dev *dev, bool fail)
{
	if (!dev)
		return -EINVAL;
	atomic_store(&dev->fail_iommu, fail);
	return 0;
}

TCESIM_EXPORT int tcesim_pci_dev_set_seg_boundary(struct tcesim_pci_dev *dev, uint64_t mask)
{
	/* a boundary is a power of two (iommu_is_span_boundary's BUG_ON) */
	if (!dev || (mask & (mask + 1)))
		return -EINVAL;
	atomic_store(&dev->seg_boundary_mask, mask);
	return 0;
}
