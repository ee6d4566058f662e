// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * phb.c - PHB variant dispatch and the work common to every variant: PEs and
 * their DMA windows, devices, the kernel DMA API on window 0, TCE
 * exchange/kill wrappers, the PHB TCE cache and device DMA.
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

static bool legacy_2015(const struct tcesim_world *w)
{
	return tcesim_flavour_is(w, TCESIM_FLAVOUR_LEGACY_2015);
}

const struct tcesim_iommu_table_ops *phb_table_ops(const struct tcesim_phb *phb)
{
	return legacy_2015(phb->w) ? phb->ops->table_ops_2015 : phb->ops->table_ops;
}

static const struct tcesim_pe_group_ops *phb_group_ops(const struct tcesim_phb *phb)
{
	return legacy_2015(phb->w) ? phb->ops->group_ops_2015 : phb->ops->group_ops;
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

/* --------------------------------------------------------- TCE cache -- */

static unsigned int cache_slot(unsigned int pe_number, unsigned int win, uint64_t entry)
{
	uint64_t h = (entry * 0x9E3779B97F4A7C15ULL) ^ ((uint64_t)pe_number << 1 | win);

	return (unsigned int)((h ^ (h >> 29)) & (TCE_CACHE_SLOTS - 1));
}

static bool cache_match(const struct tce_cache_ent *e, unsigned int pe_number, uint64_t index,
			uint64_t npages)
{
	return e->tce && e->pe_number == pe_number && e->entry >= index &&
	       e->entry - index < npages;
}

void phb_cache_evict_range(struct tcesim_phb *phb, unsigned int pe_number, uint64_t index,
			   uint64_t npages)
{
	uint64_t n = 0, i;
	unsigned int win;

	tcesim_spin_lock(&phb->cache.lock);
	if (npages >= TCE_CACHE_SLOTS / 2) {
		for (i = 0; i < TCE_CACHE_SLOTS; i++) {
			if (cache_match(&phb->cache.e[i], pe_number, index, npages)) {
				phb->cache.e[i].tce = 0;
				n++;
			}
		}
	} else {
		for (i = 0; i < npages; i++) {
			for (win = 0; win < TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES; win++) {
				struct tce_cache_ent *e =
					&phb->cache.e[cache_slot(pe_number, win, index + i)];

				if (cache_match(e, pe_number, index + i, 1) && e->win == win) {
					e->tce = 0;
					n++;
				}
			}
		}
	}
	tcesim_spin_unlock(&phb->cache.lock);
	atomic_fetch_add_explicit(&phb->cache_evictions, n, memory_order_relaxed);
}

void phb_cache_evict_pe(struct tcesim_phb *phb, unsigned int pe_number)
{
	phb_cache_evict_range(phb, pe_number, 0, UINT64_MAX);
}

/*
 * it_ops->tce_kill and the invalidate inside set/clear: every PE the table
 * is linked to (pnv_pci_ioda2_tce_invalidate walks it_group_list the same
 * way, locklessly under RCU).
 */
void phb_tce_invalidate(struct tcesim_iommu_table *tbl, unsigned long index,
			unsigned long npages)
{
	struct tce_group_link *tgl;
	bool reached = false;

	tcesim_rcu_read_lock();
	cds_list_for_each_entry_rcu(tgl, &tbl->it_group_list, next) {
		struct tcesim_pe *pe = pe_of_group(tgl->table_group);

		if (pe->phb->ops->kill_pages)
			pe->phb->ops->kill_pages(pe, tbl, index, npages);
		reached = true;
	}
	tcesim_rcu_read_unlock();
	if (reached)
		atomic_fetch_add_explicit(&tbl->it_kills, 1, memory_order_relaxed);
}

/* ----------------------------------------------------------- windows -- */

uint64_t phb_window_bus_offset(const struct tcesim_pe *pe, unsigned int num)
{
	return num ? TCESIM_TCE_BYPASS_BASE : pe->table_group.tce32_start;
}

/* PE-wide kill of set/unset_window, counted on @tbl. */
static void window_kill_pe(struct tcesim_pe *pe, struct tcesim_iommu_table *tbl)
{
	if (!pe->phb->ops->kill_pe)
		return;
	pe->phb->ops->kill_pe(pe);
	atomic_fetch_add_explicit(&tbl->it_kills, 1, memory_order_relaxed);
}

int phb_link_window(struct tcesim_pe *pe, unsigned int num, struct tcesim_iommu_table *tbl)
{
	int ret;

	tcesim_lock_assert_held(&pe->phb->lock);
	ret = tce_link_table_and_group(tbl, &pe->table_group);
	if (ret)
		return ret;
	/* Pairs with tcesim_rcu_deref() in translations and tcesim_pe_get_table(). */
	tcesim_rcu_assign(pe->table_group.tables[num], tbl);
	window_kill_pe(pe, tbl);
	return 0;
}

void phb_unlink_window(struct tcesim_pe *pe, unsigned int num)
{
	struct tcesim_iommu_table *tbl = pe->table_group.tables[num];

	tcesim_lock_assert_held(&pe->phb->lock);
	if (!tbl)
		return;
	tcesim_rcu_assign(pe->table_group.tables[num], NULL);
	/*
	 * Translations read tables[] under the cache lock that kill_pe takes:
	 * after this kill no translation of this window can be (re)cached.
	 */
	window_kill_pe(pe, tbl);
	tce_unlink_table_and_group(tbl, &pe->table_group);
}

/* pnv_pci_ioda2_setup_default_config(); caller holds phb->lock. */
int phb_setup_default_window(struct tcesim_pe *pe)
{
	struct tcesim_phb *phb = pe->phb;
	unsigned int ps = phb->ops->iommu_page_shift ? phb->ops->iommu_page_shift :
						       tcesim_page_shift(phb->w);
	unsigned int levels = TCESIM_IOMMU_DEFAULT_LEVELS;
	uint64_t res_start = 0, res_end = 0;
	struct tcesim_iommu_table *tbl;
	int ret;

	tcesim_lock_assert_held(&phb->lock);
	/* a PE created without a 32-bit DMA window (dma32_size 0) has no window 0 */
	if (!pe->window_size)
		return 0;
	if (legacy_2015(phb->w) || phb->ops->max_levels < levels)
		levels = 1;
	ret = tce_table_create(phb->w, pe->table_group.tce32_start, ps, pe->window_size, levels,
			       false, phb_table_ops(phb), &tbl);
	if (ret)
		return ret;
	tbl->it_index = ((unsigned long)phb->index << 16) | pe->pe_number;
	/* The top of the 32-bit space is MMIO: keep the DMA API out of it. */
	if (pe->window_size > pe->table_group.tce32_size) {
		uint64_t end = pe->window_size < (1ULL << 32) ? pe->window_size : 1ULL << 32;

		res_start = pe->table_group.tce32_size >> ps;
		res_end = end >> ps;
	}
	ret = tcesim_iommu_init_table(tbl, res_start, res_end);
	if (ret)
		goto out_put;
	ret = phb_link_window(pe, 0, tbl);
	if (ret)
		goto out_put;
	pe->dflt = tbl;
	if (phb->ops->has_bypass && !pe->nobypass)
		atomic_store(&pe->bypass, true);
	return 0;

out_put:
	tcesim_iommu_tce_table_put(tbl);
	return ret;
}

/* --------------------------------------------------------------- PEs -- */

TCESIM_EXPORT void tcesim_pe_cfg_init(struct tcesim_pe_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->size = sizeof(*cfg);
	cfg->dma32_size = 2ULL << 30;
}

TCESIM_EXPORT int tcesim_pe_create(struct tcesim_phb *phb, const struct tcesim_pe_cfg *cfg,
				   struct tcesim_pe **out)
{
	struct tcesim_pe_cfg def;
	struct tcesim_pe *pe;
	unsigned int ps;
	int ret;

	if (!phb || !out)
		return -EINVAL;
	if (!cfg) {
		tcesim_pe_cfg_init(&def);
		cfg = &def;
	}
	if (cfg->size < sizeof(*cfg))
		return -EINVAL;
	ps = phb->ops->iommu_page_shift ? phb->ops->iommu_page_shift : tcesim_page_shift(phb->w);
	def = *cfg;
	/*
	 * dma32_size 0: a PE without a 32-bit DMA window (tce32_size 0), as
	 * a table group can be upstream (tce_iommu_enable() then refuses a v1
	 * container with -EPERM). tcesim_pe_cfg_init() sets 2 GiB. Before
	 * issue 8, 0 silently meant 2 GiB.
	 */
	if (!def.window_size)
		def.window_size = def.dma32_size;
	if ((def.dma32_size && (!tcesim_is_pow2(def.dma32_size) ||
				def.dma32_size <= (1ULL << ps))) ||
	    (def.window_size && (!tcesim_is_pow2(def.window_size) ||
				 def.window_size <= (1ULL << ps))))
		return -EINVAL;

	pe = tcesim_zalloc(phb->w, sizeof(*pe));
	if (!pe)
		return -ENOMEM;
	pe->phb = phb;
	pe->gops = phb_group_ops(phb);
	pe->window_size = def.window_size;
	pe->nobypass = def.nobypass;
	pe->table_group.tce32_start = 0;
	pe->table_group.tce32_size = def.dma32_size;
	pe->table_group.pgsizes = phb->pgsizes;
	pe->table_group.max_dynamic_windows_supported = legacy_2015(phb->w) ? 0 :
							phb->ops->max_windows;
	pe->table_group.max_levels = legacy_2015(phb->w) ? 1 : phb->ops->max_levels;
	CDS_INIT_LIST_HEAD(&pe->devs);

	tcesim_mutex_lock(&phb->lock);
	if (phb->nr_pes >= TCESIM_PHB_MAX_PES) {
		ret = -ENOSPC;
		goto out_unlock;
	}
	pe->pe_number = phb->next_pe;
	if (def.name)
		snprintf(pe->name, sizeof(pe->name), "%s", def.name);
	else
		snprintf(pe->name, sizeof(pe->name), "pe%u", pe->pe_number);
	ret = phb_setup_default_window(pe);
	if (ret)
		goto out_unlock;
	phb->next_pe++;
	phb->nr_pes++;
	cds_list_add_tail(&pe->node, &phb->pes);
	tcesim_mutex_unlock(&phb->lock);
	*out = pe;
	return 0;

out_unlock:
	tcesim_mutex_unlock(&phb->lock);
	tcesim_kfree(phb->w, pe);
	return ret;
}

TCESIM_EXPORT void tcesim_pe_destroy(struct tcesim_pe *pe)
{
	struct tcesim_phb *phb;
	unsigned int n;

	if (!pe)
		return;
	phb = pe->phb;
	tcesim_mutex_lock(&phb->lock);
	while (!cds_list_empty(&pe->devs)) {
		struct tcesim_pci_dev *dev = cds_list_entry(pe->devs.next, struct tcesim_pci_dev,
							    node);

		cds_list_del(&dev->node);
		tcesim_kfree(phb->w, dev);
	}
	for (n = 0; n < TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES; n++)
		phb_unlink_window(pe, n);
	if (pe->dflt) {
		if (pe->owned)
			tcesim_iommu_release_ownership(pe->dflt);
		tcesim_iommu_tce_table_put(pe->dflt);
		pe->dflt = NULL;
	}
	cds_list_del(&pe->node);
	phb->nr_pes--;
	tcesim_mutex_unlock(&phb->lock);
	/* An invalidator may still hold a link to this PE: wait for it. */
	tcesim_synchronize_rcu();
	phb_cache_evict_pe(phb, pe->pe_number);
	tcesim_kfree(phb->w, pe);
}

TCESIM_EXPORT int tcesim_pe_get_info(struct tcesim_pe *pe, struct tcesim_pe_info *info)
{
	struct tcesim_pci_dev *dev;
	unsigned int n;

	if (!pe || !info)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	tcesim_mutex_lock(&pe->phb->lock);
	info->pe_number = pe->pe_number;
	info->tce32_start = pe->table_group.tce32_start;
	info->tce32_size = pe->table_group.tce32_size;
	info->pgsizes = pe->table_group.pgsizes;
	info->max_dynamic_windows_supported = pe->table_group.max_dynamic_windows_supported;
	info->max_levels = pe->table_group.max_levels;
	info->bypass_enabled = atomic_load(&pe->bypass);
	info->owned = pe->owned;
	info->dma_owner_claimed = pe->dma_owner != NULL;
	info->owner_cnt = pe->owner_cnt;
	cds_list_for_each_entry(dev, &pe->devs, node)
		info->drivers_bound += dev->bound;
	for (n = 0; n < TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES; n++)
		if (pe->table_group.tables[n])
			info->windows |= 1u << n;
	tcesim_mutex_unlock(&pe->phb->lock);
	return 0;
}

TCESIM_EXPORT int tcesim_pe_get_table(struct tcesim_pe *pe, unsigned int num,
				      struct tcesim_iommu_table **out)
{
	struct tcesim_iommu_table *tbl;

	if (!pe || !out || num >= TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES)
		return -EINVAL;
	tcesim_rcu_read_lock();
	tbl = tcesim_iommu_tce_table_get(tcesim_rcu_deref(pe->table_group.tables[num]));
	tcesim_rcu_read_unlock();
	if (!tbl)
		return -ENOENT;
	*out = tbl;
	return 0;
}

TCESIM_EXPORT unsigned long tcesim_pe_get_table_size(struct tcesim_pe *pe,
						     unsigned int page_shift,
						     uint64_t window_size, unsigned int levels)
{
	if (!pe)
		return 0;
	return pe->gops->get_table_size(pe, page_shift, window_size, levels);
}

TCESIM_EXPORT int tcesim_pe_create_table(struct tcesim_pe *pe, unsigned int num,
					 unsigned int page_shift, uint64_t window_size,
					 unsigned int levels, bool alloc_userspace_copy,
					 struct tcesim_iommu_table **out)
{
	int ret;

	if (!pe || !out)
		return -EINVAL;
	tcesim_mutex_lock(&pe->phb->lock);
	ret = pe->gops->create_table(pe, num, page_shift, window_size, levels,
				     alloc_userspace_copy, out);
	tcesim_mutex_unlock(&pe->phb->lock);
	return ret;
}

TCESIM_EXPORT int tcesim_pe_set_window(struct tcesim_pe *pe, unsigned int num,
				       struct tcesim_iommu_table *tbl)
{
	int ret;

	if (!pe || !tbl || num >= TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES)
		return -EINVAL;
	tcesim_mutex_lock(&pe->phb->lock);
	ret = pe->gops->set_window(pe, num, tbl);
	tcesim_mutex_unlock(&pe->phb->lock);
	return ret;
}

TCESIM_EXPORT int tcesim_pe_unset_window(struct tcesim_pe *pe, unsigned int num)
{
	int ret;

	if (!pe || num >= TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES)
		return -EINVAL;
	tcesim_mutex_lock(&pe->phb->lock);
	ret = pe->gops->unset_window(pe, num);
	tcesim_mutex_unlock(&pe->phb->lock);
	return ret;
}

TCESIM_EXPORT int tcesim_pe_set_bypass(struct tcesim_pe *pe, bool enable)
{
	if (!pe || !pe->phb->ops->has_bypass)
		return -EINVAL;
	tcesim_mutex_lock(&pe->phb->lock);
	atomic_store(&pe->bypass, enable);
	tcesim_mutex_unlock(&pe->phb->lock);
	return 0;
}

TCESIM_EXPORT int tcesim_pe_take_ownership(struct tcesim_pe *pe)
{
	struct tcesim_pci_dev *dev;
	int ret = 0;

	if (!pe)
		return -EINVAL;
	tcesim_mutex_lock(&pe->phb->lock);
	if (pe->dma_owner) {
		ret = -EPERM; /* claimed (e.g. by a VFIO container): owner_cnt != 0 */
		goto out_unlock;
	}
	if (pe->owned)
		goto out_unlock;
	cds_list_for_each_entry(dev, &pe->devs, node) {
		if (dev->bound) {
			ret = -EBUSY; /* a kernel driver uses the default window */
			goto out_unlock;
		}
	}
	ret = pe->gops->take_ownership(pe);
	if (!ret)
		pe->owned = true;
out_unlock:
	tcesim_mutex_unlock(&pe->phb->lock);
	return ret;
}

TCESIM_EXPORT int tcesim_pe_release_ownership(struct tcesim_pe *pe)
{
	int ret = 0;

	if (!pe)
		return -EINVAL;
	tcesim_mutex_lock(&pe->phb->lock);
	if (pe->dma_owner) {
		ret = -EPERM; /* only the claimant gives it back (release_dma_owner) */
	} else if (pe->owned) {
		ret = pe->gops->release_ownership(pe);
		if (!ret)
			pe->owned = false;
	}
	tcesim_mutex_unlock(&pe->phb->lock);
	return ret;
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

/* ------------------------------------------------ kernel DMA API ------- */

static struct tcesim_iommu_table *pe_window0_get(struct tcesim_pe *pe)
{
	struct tcesim_iommu_table *tbl;

	tcesim_rcu_read_lock();
	tbl = tcesim_iommu_tce_table_get(tcesim_rcu_deref(pe->table_group.tables[0]));
	tcesim_rcu_read_unlock();
	return tbl;
}

TCESIM_EXPORT uint64_t tcesim_pe_dma_map(struct tcesim_pe *pe, struct tcesim_pci_dev *dev,
					 uint64_t hpa, unsigned long npages,
					 enum tcesim_dma_data_direction dir)
{
	struct tcesim_iommu_table *tbl;
	uint64_t dma;

	if (!pe || (dev && dev->pe != pe))
		return TCESIM_DMA_MAPPING_ERROR;
	tbl = pe_window0_get(pe);
	if (!tbl)
		return TCESIM_DMA_MAPPING_ERROR;
	dma = tce_iommu_alloc(tbl, dev ? atomic_load(&dev->fail_iommu) : false, hpa, npages, dir,
			      dev ? dev->dma_mask : UINT64_MAX, 0,
			      dev ? atomic_load(&dev->seg_boundary_mask) :
				    TCESIM_DMA_SEG_BOUNDARY_DEFAULT);
	tcesim_iommu_tce_table_put(tbl);
	return dma;
}

TCESIM_EXPORT int tcesim_pe_dma_unmap(struct tcesim_pe *pe, uint64_t dma, unsigned long npages)
{
	struct tcesim_iommu_table *tbl;
	int ret;

	if (!pe)
		return -EINVAL;
	tbl = pe_window0_get(pe);
	if (!tbl)
		return -EINVAL;
	ret = tcesim_iommu_free(tbl, dma, npages);
	tcesim_iommu_tce_table_put(tbl);
	return ret;
}

/* ------------------------------------------------- TCE op wrappers ----- */

static int check_entry_args(struct tcesim_iommu_table *tbl, uint64_t entry, uint64_t npages)
{
	if (!tbl || !tce_entry_in_table(tbl, entry, npages))
		return -EINVAL;
	return 0;
}

/*
 * The argument checks of both exchange wrappers, as one branch: every
 * failure is -EINVAL. tce_entry_in_table1() is tce_entry_in_table(.., 1).
 */
static inline int check_xchg_args(struct tcesim_iommu_table *tbl, uint64_t entry,
				  uint64_t *hpa, enum tcesim_dma_data_direction *dir)
{
	if (tcesim_unlikely(!hpa || !dir || !tbl || !tce_entry_in_table1(tbl, entry) ||
			    (unsigned int)*dir > TCESIM_DMA_NONE ||
			    /* pnv_tce_xchg BUG_ON(*hpa & ~IOMMU_PAGE_MASK(tbl)) */
			    (*hpa & tbl->it_page_mask)))
		return -EINVAL;
	return 0;
}

/* iommu_tce_xchg*(): only an old FROM_DEVICE/BIDIRECTIONAL page is dirtied. */
static inline bool old_dir_dirties(enum tcesim_dma_data_direction dir)
{
	return dir == TCESIM_DMA_FROM_DEVICE || dir == TCESIM_DMA_BIDIRECTIONAL;
}

/*
 * The dirtying half of iommu_tce_xchg*(), called only when the old
 * direction was FROM_DEVICE or BIDIRECTIONAL. Return: 0 (for tail calls).
 */
__attribute__((noinline))
static int dirty_old_page(struct tcesim_mm *mm, struct tcesim_iommu_table *tbl, uint64_t hpa)
{
	bool (*is_devmem)(struct tcesim_mm *mm, uint64_t hpa, unsigned int page_shift);
	struct ops_state *st;

	/* mm_iommu_is_devmem(): device memory has no struct page to dirty */
	if (mm) {
		st = tcesim_world_slot_peek(tbl->w, TCESIM_SLOT_OPS);
		if (st) {
			is_devmem = __atomic_load_n(&st->is_devmem, __ATOMIC_ACQUIRE);
			if (is_devmem && is_devmem(mm, hpa, tbl->it_page_shift))
				return 0;
		}
	}
	tcesim_set_page_dirty(tbl->w, hpa);
	return 0;
}

/* iommu_tce_xchg_no_kill() through it_ops (checked arguments). */
__attribute__((noinline))
static int xchg_no_kill_ops(struct tcesim_mm *mm, struct tcesim_iommu_table *tbl, uint64_t entry,
			    uint64_t *hpa, enum tcesim_dma_data_direction *dir)
{
	int ret;

	if (!tbl->it_ops->xchg_no_kill)
		return -EINVAL;
	ret = tbl->it_ops->xchg_no_kill(tbl, (long)entry, hpa, dir);
	if (!ret && old_dir_dirties(*dir))
		dirty_old_page(mm, tbl, *hpa);
	return ret;
}

/*
 * pnv_tce_xchg on @slot, then the dirtying test: the new TCE is hpa | perm
 * with W stored as W|R; the old direction is FROM_DEVICE or BIDIRECTIONAL
 * (old_dir_dirties) iff the old TCE has W.
 */
static inline int xchg_pnv_at(struct tcesim_mm *mm, struct tcesim_iommu_table *tbl,
			      _Atomic uint64_t *slot, uint64_t *hpa,
			      enum tcesim_dma_data_direction *dir)
{
	uint64_t old = tce_xchg(slot, *hpa | tce_perm_pnv(*dir));

	*hpa = old & ~TCESIM_TCE_PERM_MASK;
	*dir = tce_perm_to_dir(old);
	if (tcesim_unlikely(old & TCESIM_TCE_PCI_WRITE))
		return dirty_old_page(mm, tbl, *hpa);
	return 0;
}

/* tce_xchg_pnv on a multi-level table, inline but for the walk (checked arguments). */
__attribute__((noinline))
static int xchg_pnv_walk(struct tcesim_mm *mm, struct tcesim_iommu_table *tbl, uint64_t entry,
			 uint64_t *hpa, enum tcesim_dma_data_direction *dir)
{
	_Atomic uint64_t *slot = tce_slot_fast(tbl, (long)entry, *dir != TCESIM_DMA_NONE);

	if (tcesim_unlikely(!slot)) {
		if (*dir != TCESIM_DMA_NONE)
			return -ENOMEM; /* nothing changed */
		/* Q10: "was empty"; *dir stays DMA_NONE, nothing allocated. */
		*hpa = 0;
		return 0;
	}
	return xchg_pnv_at(mm, tbl, slot, hpa, dir);
}

/*
 * The TCE fast path. When the table's xchg_no_kill is tce_xchg_pnv
 * (it_xchg_direct), pnv_tce_xchg is written out here, on
 * it_base[entry - it_offset] for a one-level table (entry checked), after
 * the level walk otherwise. Any other op (the test mock) is called through
 * it_ops.
 */
TCESIM_EXPORT int tcesim_iommu_tce_xchg_no_kill(struct tcesim_mm *mm,
						struct tcesim_iommu_table *tbl, uint64_t entry,
						uint64_t *hpa,
						enum tcesim_dma_data_direction *dir)
{
	if (check_xchg_args(tbl, entry, hpa, dir))
		return -EINVAL;
	if (tcesim_unlikely(!tbl->it_xchg_direct))
		return xchg_no_kill_ops(mm, tbl, entry, hpa, dir);
	if (tcesim_unlikely(tbl->it_indirect_levels))
		return xchg_pnv_walk(mm, tbl, entry, hpa, dir);
	return xchg_pnv_at(mm, tbl, &tbl->it_base[entry - tbl->it_offset], hpa, dir);
}

TCESIM_EXPORT int tcesim_iommu_tce_xchg(struct tcesim_iommu_table *tbl, uint64_t entry,
					uint64_t *hpa, enum tcesim_dma_data_direction *dir)
{
	int ret = check_xchg_args(tbl, entry, hpa, dir);

	if (ret)
		return ret;
	if (legacy_2015(tbl->w)) {
		if (!tbl->it_ops->exchange)
			return -EINVAL;
		ret = tbl->it_ops->exchange(tbl, (long)entry, hpa, dir);
		if (!ret && old_dir_dirties(*dir))
			dirty_old_page(NULL, tbl, *hpa);
		return ret;
	}
	ret = tcesim_iommu_tce_xchg_no_kill(NULL, tbl, entry, hpa, dir);
	if (!ret && tbl->it_ops->tce_kill)
		tbl->it_ops->tce_kill(tbl, (unsigned long)entry, 1);
	return ret;
}

TCESIM_EXPORT int tcesim_iommu_tce_kill(struct tcesim_iommu_table *tbl, uint64_t entry,
					unsigned long npages)
{
	if (check_entry_args(tbl, entry, npages))
		return -EINVAL;
	if (tbl->it_ops->tce_kill)
		tbl->it_ops->tce_kill(tbl, (unsigned long)entry, npages);
	return 0;
}

TCESIM_EXPORT int tcesim_iommu_tce_get(struct tcesim_iommu_table *tbl, uint64_t entry,
				       uint64_t *tce)
{
	if (!tce || check_entry_args(tbl, entry, 1))
		return -EINVAL;
	*tce = tbl->it_ops->get(tbl, (long)entry);
	return 0;
}

TCESIM_EXPORT int tcesim_iommu_tce_set(struct tcesim_iommu_table *tbl, uint64_t entry,
				       unsigned long npages, uint64_t hpa,
				       enum tcesim_dma_data_direction dir)
{
	if (!npages || check_entry_args(tbl, entry, npages) ||
	    (unsigned int)dir >= TCESIM_DMA_NONE ||
	    !TCESIM_IS_ALIGNED(hpa, 1ULL << tbl->it_page_shift))
		return -EINVAL;
	return tbl->it_ops->set(tbl, (long)entry, (long)npages, hpa, dir);
}

TCESIM_EXPORT int tcesim_iommu_tce_clear(struct tcesim_iommu_table *tbl, uint64_t entry,
					 unsigned long npages)
{
	if (check_entry_args(tbl, entry, npages))
		return -EINVAL;
	tbl->it_ops->clear(tbl, (long)entry, (long)npages);
	return 0;
}

/* -------------------------------------------------------- device DMA --- */

struct dma_xlate {
	uint64_t hpa;		/* host address of the byte at iova */
	uint64_t avail;		/* bytes translatable from there in this page */
};

/*
 * Translate one bus address as the PHB does: TVE by window, then the TCE
 * cache, then the table. Everything runs under the cache lock so a kill
 * (same lock) is ordered against the lookup-walk-fill sequence.
 */
static int dev_translate(struct tcesim_pci_dev *dev, uint64_t iova, uint64_t need,
			 bool count, struct dma_xlate *x)
{
	struct tcesim_pe *pe = dev->pe;
	struct tcesim_phb *phb = pe->phb;
	bool cached = phb->ops->kill_pages != NULL;
	struct tcesim_iommu_table *tbl = NULL;
	struct tce_cache_ent *e = NULL;
	uint64_t entry = 0, tce, psize;
	unsigned int n;
	int ret = 0;

	tcesim_rcu_read_lock();
	if (cached)
		tcesim_spin_lock(&phb->cache.lock);
	for (n = 0; n < TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES; n++) {
		tbl = tcesim_rcu_deref(pe->table_group.tables[n]);
		if (!tbl)
			continue;
		entry = iova >> tbl->it_page_shift;
		if (tce_entry_in_table(tbl, entry, 1))
			break;
		tbl = NULL;
	}
	if (!tbl) {
		/* TVE#1 bypass: no translation, no permission check. */
		if (atomic_load(&pe->bypass) && iova >= TCESIM_TCE_BYPASS_BASE &&
		    !tcesim_rcu_deref(pe->table_group.tables[1])) {
			psize = 1ULL << tcesim_page_shift(phb->w);
			x->hpa = iova - TCESIM_TCE_BYPASS_BASE;
			x->avail = psize - (iova & (psize - 1));
		} else {
			ret = -EFAULT;
		}
		goto out_unlock;
	}
	if (cached) {
		e = &phb->cache.e[cache_slot(pe->pe_number, n, entry)];
		if (e->tce && e->pe_number == pe->pe_number && e->win == n && e->entry == entry) {
			tce = e->tce;
			if (count)
				atomic_fetch_add_explicit(&phb->cache_hits, 1,
							  memory_order_relaxed);
			goto have_tce;
		}
	}
	tce = tbl->it_ops->get(tbl, (long)entry);
	if (count)
		atomic_fetch_add_explicit(&phb->cache_misses, 1, memory_order_relaxed);
	if (e && (tce & TCESIM_TCE_PERM_MASK)) {
		e->tce = tce;
		e->entry = entry;
		e->pe_number = pe->pe_number;
		e->win = n;
	}
have_tce:
	psize = 1ULL << tbl->it_page_shift;
	if (!(tce & TCESIM_TCE_PERM_MASK))
		ret = -EFAULT;
	else if ((tce & need) != need)
		ret = -EACCES;
	else {
		x->hpa = (tce & ~(psize - 1)) + (iova & (psize - 1));
		x->avail = psize - (iova & (psize - 1));
	}
out_unlock:
	if (cached)
		tcesim_spin_unlock(&phb->cache.lock);
	tcesim_rcu_read_unlock();
	return ret;
}

static int dev_dma(struct tcesim_pci_dev *dev, uint64_t iova, void *rbuf, const void *wbuf,
		   size_t len)
{
	uint64_t need = wbuf ? TCESIM_TCE_PCI_WRITE : TCESIM_TCE_PCI_READ;
	struct tcesim_world *w;
	struct dma_xlate x;
	size_t done;
	int pass, ret;

	if (!dev || (!rbuf && !wbuf) || iova + len < iova)
		return -EINVAL;
	w = dev->pe->phb->w;
	/* Pass 0 checks every page, pass 1 moves the bytes. */
	for (pass = 0; pass < 2; pass++) {
		for (done = 0; done < len; done += (size_t)x.avail) {
			ret = dev_translate(dev, iova + done, need, pass == 1, &x);
			if (ret)
				return ret;
			if (x.avail > len - done)
				x.avail = len - done;
			if (pass == 0)
				continue;
			if (wbuf)
				ret = tcesim_mem_write(w, x.hpa, (const char *)wbuf + done,
						       (size_t)x.avail);
			else
				ret = tcesim_mem_read(w, x.hpa, (char *)rbuf + done,
						      (size_t)x.avail);
			if (ret)
				return ret;
		}
	}
	return 0;
}

TCESIM_EXPORT int tcesim_pci_dev_dma_read(struct tcesim_pci_dev *dev, uint64_t iova, void *buf,
					  size_t len)
{
	if (!buf)
		return -EINVAL;
	return dev_dma(dev, iova, buf, NULL, len);
}

TCESIM_EXPORT int tcesim_pci_dev_dma_write(struct tcesim_pci_dev *dev, uint64_t iova,
					   const void *buf, size_t len)
{
	if (!buf)
		return -EINVAL;
	return dev_dma(dev, iova, NULL, buf, len);
}
