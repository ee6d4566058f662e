// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * phb_inspect.c - read-only views of PHBs, PEs and PCI devices
 * (tcesim/phb_inspect.h): names, the PE -> PHB link, whether a PHB caches
 * translations, and a peek into the PHB TCE cache.
 *
 * The cache peek is the model's oracle for stale translations: the kernel
 * never reads the PHB3/PHB4 TCE cache back, it only invalidates it
 * (pnv_pci_phb3_tce_invalidate(), opal_pci_tce_kill() in
 * arch/powerpc/platforms/powernv/pci-ioda.c). The peek scans every slot under
 * the cache spinlock and counts nothing, so asking never changes what a later
 * device DMA sees (hit/miss counters included).
 */
#include "ops/phb_internal.h"

_Static_assert(TCESIM_PE_MAX_WINDOWS == TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES,
	       "the public window count is the table group's");

TCESIM_EXPORT const char *tcesim_phb_name(const struct tcesim_phb *phb)
{
	return phb ? phb->name : NULL;
}

TCESIM_EXPORT bool tcesim_phb_has_tce_cache(const struct tcesim_phb *phb)
{
	/* the variants with a kill are the ones whose devices use the cache */
	return phb && phb->ops->kill_pages != NULL;
}

TCESIM_EXPORT uint64_t tcesim_phb_pgsizes(const struct tcesim_phb *phb)
{
	return phb ? phb->pgsizes : 0;
}

TCESIM_EXPORT const char *tcesim_pe_name(const struct tcesim_pe *pe)
{
	return pe ? pe->name : NULL;
}

TCESIM_EXPORT struct tcesim_phb *tcesim_pe_phb(const struct tcesim_pe *pe)
{
	return pe ? pe->phb : NULL;
}

TCESIM_EXPORT const char *tcesim_pci_dev_name(const struct tcesim_pci_dev *dev)
{
	return dev ? dev->name : NULL;
}

TCESIM_EXPORT int tcesim_phb_tce_cache_lookup(struct tcesim_pe *pe, unsigned int num,
					      uint64_t entry, uint64_t *tce)
{
	struct tce_cache *c;
	uint64_t found = 0;
	unsigned int i;

	if (!pe || !tce || num >= TCESIM_PE_MAX_WINDOWS)
		return -EINVAL;
	c = &pe->phb->cache;
	tcesim_spin_lock(&c->lock);
	for (i = 0; i < TCE_CACHE_SLOTS; i++) {
		if (c->e[i].tce && c->e[i].pe_number == pe->pe_number && c->e[i].win == num &&
		    c->e[i].entry == entry) {
			found = c->e[i].tce;
			break;
		}
	}
	tcesim_spin_unlock(&c->lock);
	if (!found)
		return -ENOENT;
	*tce = found;
	return 0;
}
