/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tcesim/phb_tce.h - TCE exchange/kill/get/set/clear through a table's
 * variant ops, as every user of a table does (arch/powerpc/kernel/iommu.c).
 * Implemented in src/ops/phb_tce.c. Included by tcesim/phb.h.
 */
#ifndef TCESIM_PHB_TCE_H
#define TCESIM_PHB_TCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <tcesim/types.h>
#include <tcesim/phb_types.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * tcesim_iommu_tce_xchg_no_kill() - Exchange one TCE without invalidating
 * @mm: process whose preregistered device memory is exempt from dirtying,
 *      or NULL
 * @tbl: table
 * @entry: absolute entry
 * @hpa: in: host physical address, aligned to the IOMMU page; out: the old
 *       address (0 when the entry was empty)
 * @dir: in: direction (DMA_NONE clears); out: the old direction
 *       (BIDIRECTIONAL for a FROM_DEVICE mapping: W implies R on powernv)
 *
 * Marks the old page dirty when the old direction was FROM_DEVICE or
 * BIDIRECTIONAL, unless it is preregistered device memory of @mm. The PHB's
 * TCE cache is not touched: until tcesim_iommu_tce_kill() the device may
 * still use the old translation. DMA_NONE on a missing level returns *@hpa
 * 0 and *@dir DMA_NONE without allocating (Q10).
 *
 * Models: arch/powerpc/kernel/iommu.c: iommu_tce_xchg_no_kill() ->
 *         it_ops->xchg_no_kill (pnv_tce_xchg).
 * Context: lock free (atomic exchange); registered thread.
 * Return: 0, or
 *  * -EINVAL - NULL argument, @entry outside the table, *@hpa not aligned
 *              to the IOMMU page, bad *@dir, or the table has no
 *              xchg_no_kill (legacy_2015 flavour: use tcesim_iommu_tce_xchg())
 *  * -ENOMEM - a level could not be allocated (nothing changed)
 */
TCESIM_EXPORT int tcesim_iommu_tce_xchg_no_kill(struct tcesim_mm *mm,
						struct tcesim_iommu_table *tbl, uint64_t entry,
						uint64_t *hpa,
						enum tcesim_dma_data_direction *dir);

/**
 * tcesim_iommu_tce_xchg() - Exchange one TCE and invalidate it
 * @tbl: table
 * @entry: absolute entry
 * @hpa: in/out as tcesim_iommu_tce_xchg_no_kill()
 * @dir: in/out as tcesim_iommu_tce_xchg_no_kill()
 *
 * legacy_2015: it_ops->exchange (which invalidates by itself), then the
 * old page is dirtied (seed 000). Modern: xchg_no_kill, dirty, and
 * tce_kill of the entry.
 *
 * Models: arch/powerpc/kernel/iommu.c: iommu_tce_xchg() (2015-2019).
 * Context: lock free; registered thread.
 * Return: 0, or -EINVAL (as xchg_no_kill; or no exchange op), -ENOMEM.
 */
TCESIM_EXPORT int tcesim_iommu_tce_xchg(struct tcesim_iommu_table *tbl, uint64_t entry,
					uint64_t *hpa, enum tcesim_dma_data_direction *dir);

/**
 * tcesim_iommu_tce_kill() - Invalidate TCEs in every PE the table is linked to
 * @tbl: table
 * @entry: first absolute entry
 * @npages: number of entries
 *
 * Counts one kill of @tbl when the table is linked to at least one PE.
 *
 * Models: arch/powerpc/kernel/iommu.c: iommu_tce_kill() -> it_ops->tce_kill
 *         (pnv_pci_ioda2_tce_invalidate / pnv_pci_p7ioc_tce_invalidate).
 * Context: RCU read side (it_group_list), PHB cache spinlock.
 * Return: 0 (also when the variant has no tce_kill), or -EINVAL for a NULL
 *         @tbl or a range outside the table.
 */
TCESIM_EXPORT int tcesim_iommu_tce_kill(struct tcesim_iommu_table *tbl, uint64_t entry,
					unsigned long npages);

/**
 * tcesim_iommu_tce_get() - Read one TCE
 * @tbl: table
 * @entry: absolute entry
 * @tce: out, the raw TCE (hpa | R | W), 0 when empty or its level is missing
 *
 * Models: it_ops->get (pnv_tce_get).
 * Context: lock free.
 * Return: 0, or -EINVAL (NULL argument, @entry outside the table).
 */
TCESIM_EXPORT int tcesim_iommu_tce_get(struct tcesim_iommu_table *tbl, uint64_t entry,
				       uint64_t *tce);

/**
 * tcesim_iommu_tce_set() - Write TCEs through the variant's set op
 * @tbl: table
 * @entry: first absolute entry
 * @npages: entries; 0 writes nothing and returns 0, as pnv_tce_build()
 *	(the variant's invalidation of 0 pages still runs, as upstream's
 *	pnv_ioda2_tce_build() calls it)
 * @hpa: host physical address of the first page, IOMMU-page aligned
 * @dir: direction other than DMA_NONE
 *
 * Overwrites without returning old pages (the kernel DMA API's op); the
 * variant invalidates as its set op does.
 *
 * Models: it_ops->set (pnv_ioda2_tce_build: build + invalidate).
 * Context: lock free.
 * Return: 0, or -EINVAL (range outside the table, unaligned @hpa, bad
 *         @dir or DMA_NONE), -ENOMEM (a level could not be allocated; no
 *         TCE written).
 */
TCESIM_EXPORT int tcesim_iommu_tce_set(struct tcesim_iommu_table *tbl, uint64_t entry,
				       unsigned long npages, uint64_t hpa,
				       enum tcesim_dma_data_direction dir);

/**
 * tcesim_iommu_tce_clear() - Clear TCEs through the variant's clear op
 * @tbl: table
 * @entry: first absolute entry
 * @npages: entries
 *
 * Models: it_ops->clear (pnv_ioda2_tce_free: free + invalidate).
 * Context: lock free.
 * Return: 0, or -EINVAL (range outside the table).
 */
TCESIM_EXPORT int tcesim_iommu_tce_clear(struct tcesim_iommu_table *tbl, uint64_t entry,
					 unsigned long npages);

#ifdef __cplusplus
}
#endif

#endif /* TCESIM_PHB_TCE_H */
