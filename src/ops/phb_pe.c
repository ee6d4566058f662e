// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * phb_pe.c - partitionable endpoints: create/destroy, their DMA windows
 * (link/unlink a table, the default 32-bit window, set/unset_window,
 * bypass), table-group ownership, and the kernel DMA API on window 0
 * (arch/powerpc/platforms/powernv/pci-ioda.c: pnv_ioda_setup_pe(),
 * pnv_pci_ioda2_setup_default_config(), pnv_pci_ioda2_set_window(),
 * pnv_pci_ioda2_unset_window(), pnv_ioda2_take_ownership();
 * arch/powerpc/kernel/iommu.c: iommu_map_page()/iommu_unmap_page()).
 * Lock rules atop phb.c. Layer 1 of the order atop phb_internal.h.
 */
#include <stdio.h>

#include "ops/phb_internal.h"

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
	if (pe->dflt) {
		/*
		 * The previous default table lost window 0 without being put:
		 * someone else's unset_window took it (VFIO's
		 * tce_iommu_create_window() unset_exit unsets every group's
		 * window after a set_window that failed with -EBUSY because
		 * the kernel's table was back in it: a device claim released
		 * under the container's feet). Upstream leaks that table; the
		 * model drops its reference here (found by fuzz_scenario).
		 */
		tcesim_pr(phb->w, "WARN: PE %s: default table 0x%lx lost its window without a put "
			  "(upstream leaks it)", pe->name, pe->dflt->it_index);
		tcesim_iommu_tce_table_put(pe->dflt);
	}
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
	/* iommu_map_page(): the buffer's offset in its IOMMU page is kept */
	if (dma != TCESIM_DMA_MAPPING_ERROR)
		dma |= hpa & tbl->it_page_mask;
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
