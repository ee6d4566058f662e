// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * phb_cache.c - the PHB hardware a device sees: the TCE cache (lookup,
 * eviction by range or PE, the kill of a table's pages in every PE linked
 * to it) and device DMA: TVE selection by bus address bit 59, the cache,
 * the table walk (arch/powerpc/platforms/powernv/pci-ioda.c:
 * pnv_pci_ioda2_tce_invalidate(), pnv_pci_phb3_tce_invalidate(); the
 * translation as QEMU's hw/pci-host/pnv_phb3.c pnv_phb3_translate_iommu()
 * walks it). Lock: phb->cache.lock, a leaf (rules atop phb.c). Layer 0 of
 * the order atop phb_internal.h.
 */
#include <stdio.h>

#include "ops/phb_internal.h"

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
	struct kill_check kc;
	bool check = tcesim_explore_on() && phb_kill_check_begin(&kc, tbl, index, npages);

	tcesim_rcu_read_lock();
	cds_list_for_each_entry_rcu(tgl, &tbl->it_group_list, next) {
		struct tcesim_pe *pe = pe_of_group(tgl->table_group);

		if (pe->phb->ops->kill_pages && !(check && atomic_load(&phb_kill_test_drop)))
			pe->phb->ops->kill_pages(pe, tbl, index, npages);
		reached = true;
	}
	tcesim_rcu_read_unlock();
	if (reached)
		atomic_fetch_add_explicit(&tbl->it_kills, 1, memory_order_relaxed);
	if (check)
		phb_kill_check_end(&kc); /* phb_kill_check.c */
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
