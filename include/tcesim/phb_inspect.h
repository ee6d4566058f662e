/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tcesim/phb_inspect.h - read-only views of PHBs, PEs and PCI devices that
 * a test (or the scenario interpreter, which uses nothing else) needs to
 * explain what it sees: names, links between objects, and the PHB's TCE
 * cache (which entry a device would translate through, and with which
 * value: a value that differs from the table is a stale translation).
 * Included by tcesim/phb.h; kept apart so phb.h stays one screenful of
 * concepts. Implemented in src/ops/phb_inspect.c.
 */
#ifndef TCESIM_PHB_INSPECT_H
#define TCESIM_PHB_INSPECT_H

#include <stdbool.h>
#include <stdint.h>
#include <tcesim/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct tcesim_phb;
struct tcesim_pe;
struct tcesim_pci_dev;

/* DMA windows per PE: 0 (32-bit default) and 1 (64-bit / DDW). */
#define TCESIM_PE_MAX_WINDOWS	2u

/**
 * tcesim_phb_name() - Name of a PHB, as given at create or "phb<N>"
 * @phb: PHB, or NULL
 *
 * Models: the PHB's OF node name (hose->dn) in messages.
 * Context: any thread; immutable after create.
 * Return: the name (valid while @phb lives), or NULL for a NULL @phb.
 */
TCESIM_EXPORT const char *tcesim_phb_name(const struct tcesim_phb *phb);

/**
 * tcesim_phb_has_tce_cache() - Does the PHB cache translations
 * @phb: PHB
 *
 * IODA1 and IODA2 PHBs translate through a TCE cache that only a kill
 * empties (so an exchange without a kill leaves a stale translation);
 * P5IOC2 has no cache and no kill.
 *
 * Models: arch/powerpc/platforms/powernv/pci-ioda.c: the variants that
 *         implement a TCE invalidate (pnv_pci_p7ioc_tce_invalidate(),
 *         pnv_pci_ioda2_tce_invalidate()) versus pci-ioda-tce.c users
 *         without one (p5ioc2, removed in 2016).
 * Context: any thread; immutable after create.
 * Return: true if it caches translations; false otherwise or for a NULL @phb.
 */
TCESIM_EXPORT bool tcesim_phb_has_tce_cache(const struct tcesim_phb *phb);

/**
 * tcesim_phb_pgsizes() - IOMMU page sizes a PHB supports
 * @phb: PHB, or NULL
 *
 * The configured TCESIM_PGSIZE_* bits, or the model's default when the
 * config gave 0 (IODA2: 4K|64K|16M|256M; IODA1, P5IOC2: 4K).
 *
 * Models: table_group->pgsizes as pnv_pci_ioda2_setup_dma_pe() /
 *         pnv_ioda_parse_tce_sizes() fill it (pci-ioda.c).
 * Context: any thread; immutable after create.
 * Return: the bits (bytes, a power of two each), or 0 for a NULL @phb.
 */
TCESIM_EXPORT uint64_t tcesim_phb_pgsizes(const struct tcesim_phb *phb);

/**
 * tcesim_pe_name() - Name of a PE (its iommu group), as given or "pe<N>"
 * @pe: PE, or NULL
 *
 * Models: drivers/iommu/iommu.c: the group's name (group->name, set by
 *         iommu_group_set_name(), shown by the sysfs "name" attribute).
 * Context: any thread; immutable after create.
 * Return: the name (valid while @pe lives), or NULL for a NULL @pe.
 */
TCESIM_EXPORT const char *tcesim_pe_name(const struct tcesim_pe *pe);

/**
 * tcesim_pe_phb() - The PHB a PE belongs to
 * @pe: PE, or NULL
 *
 * Models: pe->phb (struct pnv_ioda_pe) in pci-ioda.c.
 * Context: any thread; immutable after create.
 * Return: the PHB, or NULL for a NULL @pe.
 */
TCESIM_EXPORT struct tcesim_phb *tcesim_pe_phb(const struct tcesim_pe *pe);

/**
 * tcesim_pci_dev_name() - Name of a PCI device, as given at create
 * @dev: device, or NULL
 *
 * Models: dev_name(&pdev->dev).
 * Context: any thread; immutable after create.
 * Return: the name (valid while @dev lives), or NULL for a NULL @dev.
 */
TCESIM_EXPORT const char *tcesim_pci_dev_name(const struct tcesim_pci_dev *dev);

/**
 * tcesim_phb_tce_cache_lookup() - The PHB's cached TCE for one entry of a PE
 * @pe: PE
 * @num: window number, 0 .. TCESIM_PE_MAX_WINDOWS - 1
 * @entry: absolute TCE index in that window (ioba >> it_page_shift)
 * @tce: out: the cached TCE value (host-endian, as tcesim_iommu_tce_get()),
 *       written only on success
 *
 * Nothing changes: no hit/miss is counted and no slot moves. A device DMA
 * to that entry uses this value while it stays cached; when it differs
 * from the table's (tcesim_iommu_tce_get()), the translation is stale until
 * a kill (what `tcesim run --explain` calls STALE).
 *
 * Models: the PHB3/PHB4 TCE cache hardware that
 *         pnv_pci_phb3_tce_invalidate() / opal_pci_tce_kill() invalidate
 *         (arch/powerpc/platforms/powernv/pci-ioda.c); no kernel function
 *         reads it back, this is the model's oracle.
 * Context: takes the PHB cache spinlock (a leaf lock); any thread.
 * Return: 0, or
 *  * -EINVAL - NULL @pe or @tce, or @num >= TCESIM_PE_MAX_WINDOWS
 *  * -ENOENT - nothing cached for that entry (or the PHB has no TCE cache)
 */
TCESIM_EXPORT int tcesim_phb_tce_cache_lookup(struct tcesim_pe *pe, unsigned int num,
					      uint64_t entry, uint64_t *tce);

#ifdef __cplusplus
}
#endif
#endif /* TCESIM_PHB_INSPECT_H */
