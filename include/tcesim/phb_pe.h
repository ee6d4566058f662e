/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tcesim/phb_pe.h - partitionable endpoints (iommu table groups) and their
 * DMA windows: create/destroy, geometry, tables, set/unset window, bypass,
 * table-group ownership for VFIO. Implemented in src/ops/phb_pe.c.
 * Included by tcesim/phb.h (the concepts are there).
 */
#ifndef TCESIM_PHB_PE_H
#define TCESIM_PHB_PE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <tcesim/types.h>
#include <tcesim/phb_types.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * tcesim_pe_cfg_init() - Fill a PE config with the defaults
 * @cfg: config (2 GiB dma32, window 0 = dma32, bypass on)
 *
 * Models: none.
 * Context: any thread.
 * Return: nothing.
 */
TCESIM_EXPORT void tcesim_pe_cfg_init(struct tcesim_pe_cfg *cfg);

/**
 * tcesim_pe_create() - Create a PE (iommu table group) with its default window
 * @phb: PHB
 * @cfg: options; NULL for the defaults
 * @out: the PE
 *
 * Creates the kernel's default window 0: IODA2 uses host PAGE_SIZE IOMMU
 * pages and 2 levels (1 in legacy_2015), IODA1/P5IOC2 4K pages and one
 * level; it_index = phb number << 16 | PE number; iommu_init_table()
 * (reserving the MMIO32 hole if the window covers it); set_window(0); then
 * the bypass window on IODA2 unless @cfg->nobypass.
 *
 * Models: arch/powerpc/platforms/powernv/pci-ioda.c:
 *         pnv_pci_ioda2_setup_dma_pe(), pnv_pci_ioda2_setup_default_config(),
 *         pnv_pci_ioda1_setup_dma_pe() (one segment).
 * Context: takes phb->lock; registered thread.
 * Return: 0, or
 *  * -EINVAL - NULL @phb/@out, @cfg->size too small, dma32 or window size
 *              not a power of two or not above one IOMMU page
 *  * -ENOSPC - the PHB has 256 PEs already
 *  * -ENOMEM - allocation failed (nothing is left behind)
 */
TCESIM_EXPORT int tcesim_pe_create(struct tcesim_phb *phb, const struct tcesim_pe_cfg *cfg,
				   struct tcesim_pe **out);

/**
 * tcesim_pe_destroy() - Destroy a PE, its windows and devices
 * @pe: PE, or NULL
 *
 * Models: none (teardown, e.g. PCI hot unplug).
 * Context: takes phb->lock; nothing else may use @pe or its devices.
 * Return: nothing.
 */
TCESIM_EXPORT void tcesim_pe_destroy(struct tcesim_pe *pe);

/**
 * tcesim_pe_get_info() - Geometry and state of a PE
 * @pe: PE
 * @info: out
 *
 * Models: the table group fields VFIO's GET_INFO reports.
 * Context: takes phb->lock.
 * Return: 0, or -EINVAL for a NULL argument.
 */
TCESIM_EXPORT int tcesim_pe_get_info(struct tcesim_pe *pe, struct tcesim_pe_info *info);

/**
 * tcesim_pe_get_table() - The table of a PE's DMA window
 * @pe: PE
 * @num: window number, 0 or 1
 * @out: the table, with a new reference (tcesim_iommu_tce_table_put())
 *
 * Models: table_group->tables[num] + iommu_tce_table_get().
 * Context: RCU read side inside; any registered thread.
 * Return: 0, or
 *  * -EINVAL - NULL argument or @num > 1
 *  * -ENOENT - the window has no table
 */
TCESIM_EXPORT int tcesim_pe_get_table(struct tcesim_pe *pe, unsigned int num,
				      struct tcesim_iommu_table **out);

/**
 * tcesim_pe_get_table_size() - Bytes of a table this PE would create
 * @pe: PE
 * @page_shift: IOMMU page shift
 * @window_size: bytes
 * @levels: levels
 *
 * Models: table_group_ops->get_table_size: IODA2
 *         pnv_pci_ioda2_get_table_size(); IODA1/P5IOC2 the borrowing
 *         spapr_tce_get_table_size() (~0U when @levels > 1).
 * Context: any thread.
 * Return: bytes, or 0 (IODA2: only for @levels 0 or > 5, a window not a
 *         power of two or an undefined shift, as
 *         tcesim_pnv_pci_ioda2_get_table_size()), or 0xffffffff.
 */
TCESIM_EXPORT unsigned long tcesim_pe_get_table_size(struct tcesim_pe *pe,
						     unsigned int page_shift,
						     uint64_t window_size, unsigned int levels);

/**
 * tcesim_pe_create_table() - Create a table for one of a PE's windows
 * @pe: PE
 * @num: window number 0 or 1 (bus offset tce32_start or 1 << 59)
 * @page_shift: IOMMU page shift (must be in the PE's pgsizes)
 * @window_size: bytes, power of two
 * @levels: 1..5
 * @alloc_userspace_copy: also create the userspace shadow (VFIO v2, KVM)
 * @out: the table with one reference; not yet in the window (see
 *       tcesim_pe_set_window())
 *
 * IODA1/P5IOC2 (borrowing ops) return a new reference to the existing
 * window-0 table instead of creating one.
 *
 * Models: table_group_ops->create_table: pnv_pci_ioda2_create_table() /
 *         spapr_tce_create_table().
 * Context: any registered thread.
 * Return: 0, or
 *  * -EINVAL - @num > 1, @page_shift not in pgsizes, @levels above the PE's
 *              max_levels, bad geometry (see table_alloc_pages); borrowing:
 *              page_shift/size/levels differ from the existing table
 *  * -EPERM  - borrowing ops: @num > 0
 *  * -ENOENT - borrowing ops: the PE has no window-0 table (owned)
 *  * -ENOMEM - allocation failed, or a level block above the world's
 *              MAX_PAGE_ORDER (see table_alloc_pages)
 */
TCESIM_EXPORT int tcesim_pe_create_table(struct tcesim_pe *pe, unsigned int num,
					 unsigned int page_shift, uint64_t window_size,
					 unsigned int levels, bool alloc_userspace_copy,
					 struct tcesim_iommu_table **out);

/**
 * tcesim_pe_set_window() - Program a table into a PE's window
 * @pe: PE
 * @num: window 0 or 1
 * @tbl: table; the window takes its own reference (the caller keeps its)
 *
 * Links the table to the PE (tce_kill then reaches this PE), publishes it
 * for device DMA, and kills the PE's whole TCE cache (counted as a kill of
 * @tbl).
 *
 * Models: table_group_ops->set_window: pnv_pci_ioda2_set_window() (OPAL
 *         map_pe_dma_window, link, PE invalidate); borrowing: same table
 *         → 0.
 * Context: takes phb->lock; registered thread.
 * Return: 0, or
 *  * -EINVAL - @num > 1, NULL @tbl, or the table's bus offset is not the
 *              window's (tce32_start / 1 << 59)
 *  * -EBUSY  - the window already has a table
 *  * -EPERM  - borrowing ops: @tbl is not the window-0 table
 *  * -ENOMEM - the link could not be allocated (nothing changed)
 */
TCESIM_EXPORT int tcesim_pe_set_window(struct tcesim_pe *pe, unsigned int num,
				       struct tcesim_iommu_table *tbl);

/**
 * tcesim_pe_unset_window() - Remove the table of a PE's window
 * @pe: PE
 * @num: window 0 or 1
 *
 * Unpublishes, kills the PE's TCE cache (counted as a kill of the table),
 * unlinks and drops the window's reference.
 *
 * Models: table_group_ops->unset_window: pnv_pci_ioda2_unset_window();
 *         borrowing: no-op returning 0.
 * Context: takes phb->lock; registered thread.
 * Return: 0 (also when the window is empty, as upstream), or -EINVAL when
 *         @num > 1.
 */
TCESIM_EXPORT int tcesim_pe_unset_window(struct tcesim_pe *pe, unsigned int num);

/**
 * tcesim_pe_set_bypass() - Enable or disable the bypass window (TVE#1)
 * @pe: PE
 * @enable: on or off
 *
 * With bypass on and no table in window 1, a device access at bus address
 * 1 << 59 + X reaches host physical X without translation.
 *
 * Models: pnv_pci_ioda2_set_bypass().
 * Context: takes phb->lock.
 * Return: 0, or -EINVAL on a PHB other than IODA2.
 */
TCESIM_EXPORT int tcesim_pe_set_bypass(struct tcesim_pe *pe, bool enable);

/**
 * tcesim_pe_take_ownership() - Hand the PE's DMA windows to userspace (VFIO)
 * @pe: PE
 *
 * The table group op alone, as VFIO's tce_iommu_take_ownership() called it
 * before 2023; tcesim's VFIO layer now claims the group instead
 * (tcesim_pe_claim_dma_owner()), this stays for scripts and tests.
 * IODA2 (modern): quirks=safe refuses while the kernel DMA API has
 * mappings in window 0 (tcesim's own check, as iommu_take_ownership()
 * does for the borrowing ops); upstream's pnv_ioda2_take_ownership() has
 * never looked at it_map (v4.2 on): quirks=upstream goes on, the driver's
 * bus addresses dangle and the last put of the table logs
 * "iommu_table_free: Unexpected TCEs". Then it disables bypass, unsets
 * window 0 and drops the default table. IODA1/P5IOC2 and legacy_2015: iommu_take_ownership() on each table
 * (the bitmap gets all ones, tables stay). A second call returns 0.
 *
 * Models: table_group_ops->take_ownership: pnv_ioda2_take_ownership(),
 *         spapr_tce_take_ownership(); the -EBUSY of
 *         drivers/iommu/iommu.c: iommu_group_claim_dma_owner().
 * Context: takes phb->lock and pool locks; registered thread.
 * Return: 0, or
 *  * -EBUSY  - a device of the PE has a kernel driver bound, or the DMA API
 *              has live mappings (message "iommu_tce: it_map is not empty";
 *              IODA2: quirks=safe only); nothing changed
 *  * -EINVAL - NULL @pe, or the table ops cannot exchange (see
 *              iommu_take_ownership)
 *  * -EPERM  - the PE's group is claimed by a DMA owner
 *              (tcesim_pe_claim_dma_owner()): VFIO core's own claim would
 *              fail the same way
 */
TCESIM_EXPORT int tcesim_pe_take_ownership(struct tcesim_pe *pe);

/**
 * tcesim_pe_release_ownership() - Give the PE's DMA windows back to the kernel
 * @pe: PE
 *
 * IODA2: if window 0 is empty, rebuild the default window and bypass
 * (userspace must have removed its windows; a table left in window 1 is
 * unset first). Borrowing ops: clear each table and release its bitmap.
 *
 * Models: pnv_ioda2_release_ownership(), spapr_tce_release_ownership().
 * Context: takes phb->lock; registered thread.
 * Return: 0 (also when not owned), or
 *  * -ENOMEM - the default window could not be rebuilt (the PE stays owned)
 *  * -EPERM  - the PE's group is claimed by a DMA owner: only
 *              tcesim_pe_release_dma_owner() gives it back
 *  * -EINVAL - NULL @pe
 */
TCESIM_EXPORT int tcesim_pe_release_ownership(struct tcesim_pe *pe);

#ifdef __cplusplus
}
#endif

#endif /* TCESIM_PHB_PE_H */
