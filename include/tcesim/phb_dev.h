/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tcesim/phb_dev.h - PCI devices on a PE: create/destroy, driver bind,
 * fault injection, the kernel DMA API on window 0 (phb_pe.c) and the
 * device's own DMA through the PHB (TVE, TCE cache, table walk:
 * phb_cache.c). Included by tcesim/phb.h.
 */
#ifndef TCESIM_PHB_DEV_H
#define TCESIM_PHB_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <tcesim/types.h>
#include <tcesim/phb_types.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * tcesim_pci_dev_create() - Add a PCI device to a PE
 * @pe: PE (iommu group)
 * @name: name (copied, up to 31 chars); may be NULL
 * @dma_mask_bits: DMA mask width, 1..64; 0 for 64
 * @out: the device
 *
 * The PE's first device attaches the group to the platform domain, which
 * does nothing at a first attach ("At first attach the ownership is
 * already set": the default window exists since tcesim_pe_create()).
 *
 * Models: a device probed under a PE (pnv_pci_ioda_dma_dev_setup(),
 *         iommu_probe_device() -> spapr_tce_platform_iommu_attach_dev()).
 * Context: takes phb->lock.
 * Return: 0, or -EINVAL (NULL @pe/@out, @dma_mask_bits > 64), -ENOMEM.
 */
TCESIM_EXPORT int tcesim_pci_dev_create(struct tcesim_pe *pe, const char *name,
					unsigned int dma_mask_bits, struct tcesim_pci_dev **out);

/**
 * tcesim_pci_dev_destroy() - Remove a device
 * @dev: device, or NULL
 *
 * Models: PCI hot unplug.
 * Context: takes phb->lock.
 * Return: nothing.
 */
TCESIM_EXPORT void tcesim_pci_dev_destroy(struct tcesim_pci_dev *dev);

/**
 * tcesim_pci_dev_pe() - The PE (iommu group) of a device
 * @dev: device
 *
 * Models: iommu_group_get().
 * Context: any thread; immutable.
 * Return: the PE.
 */
TCESIM_EXPORT struct tcesim_pe *tcesim_pci_dev_pe(const struct tcesim_pci_dev *dev);

/**
 * tcesim_pci_dev_driver_bind() - A kernel driver binds to the device
 * @dev: device
 *
 * The driver uses the kernel DMA API on window 0. It counts in the group's
 * owner_cnt with no owner, so a later tcesim_pe_claim_dma_owner() gets
 * -EPERM.
 *
 * Models: drivers/base/dd.c: really_probe() with
 *         iommu_device_use_default_domain().
 * Context: takes phb->lock.
 * Return: 0, or
 *  * -EBUSY - a driver is already bound, the PE is owned by userspace
 *             (tcesim_pe_take_ownership()), or its group is claimed by a DMA
 *             owner (a VFIO container among them)
 *  * -EINVAL - NULL @dev
 */
TCESIM_EXPORT int tcesim_pci_dev_driver_bind(struct tcesim_pci_dev *dev);

/**
 * tcesim_pci_dev_driver_unbind() - The kernel driver unbinds
 * @dev: device
 *
 * Models: device_release_driver() with iommu_device_unuse_default_domain().
 * Context: takes phb->lock.
 * Return: 0, or -EINVAL when @dev is NULL or has no driver bound
 *         (upstream's device_release_driver() is a silent no-op then).
 */
TCESIM_EXPORT int tcesim_pci_dev_driver_unbind(struct tcesim_pci_dev *dev);

/**
 * tcesim_pci_dev_set_fail_iommu() - Per-device DMA-API fault injection
 * @dev: device
 * @fail: every iommu_alloc for this device fails while set
 *
 * Models: CONFIG_FAIL_IOMMU: /sys/.../fail_iommu with probability 100.
 * Context: any thread (atomic).
 * Return: 0, or -EINVAL for a NULL @dev.
 */
TCESIM_EXPORT int tcesim_pci_dev_set_fail_iommu(struct tcesim_pci_dev *dev, bool fail);

/**
 * tcesim_pci_dev_set_seg_boundary() - The device's DMA segment boundary
 * @dev:  device
 * @mask: boundary mask in bytes, 2^n - 1 (default 0xffffffff: 4 GiB, what
 *        pci_setup_device() sets)
 *
 * tcesim_pe_dma_map() passes it as dma_get_seg_boundary_nr_pages() does:
 * no mapping crosses a multiple of (@mask + 1) bytes of bus address, and a
 * mapping of more pages than one segment is refused (upstream's
 * iommu_area_alloc() loops forever: documented quirk).
 *
 * Models: include/linux/dma-mapping.h: dma_set_seg_boundary(),
 *         dma_get_seg_boundary_nr_pages().
 * Context: any thread (atomic).
 * Return: 0, or -EINVAL for a NULL @dev or a @mask that is not 2^n - 1.
 */
TCESIM_EXPORT int tcesim_pci_dev_set_seg_boundary(struct tcesim_pci_dev *dev, uint64_t mask);

/**
 * tcesim_pe_dma_map() - Kernel DMA API map on a PE's window 0
 * @pe: PE
 * @dev: device doing the mapping (its DMA mask and fail_iommu), or NULL
 *       for a 64-bit mask
 * @hpa: host physical address in bytes of the buffer's first page
 * @npages: IOMMU pages
 * @dir: direction
 *
 * The bus address keeps @hpa's offset in its IOMMU page, as
 * iommu_map_page() ORs it in (hpa 0x10000123 at 4K pages: entry << 12 |
 * 0x123); @npages counts IOMMU pages from @hpa's page.
 *
 * Models: dma_iommu_map_page() -> iommu_map_page() -> iommu_alloc().
 * Context: RCU read side + one pool spinlock; registered thread.
 * Return: bus address, or TCESIM_DMA_MAPPING_ERROR (no window 0 (owned),
 *         @dev not in @pe, fail_iommu, npages 0, no space under the mask,
 *         more pages than the device's segment boundary, @dir DMA_NONE
 *         (upstream: BUG_ON), npages above UINT_MAX (quirks=safe; upstream
 *         truncates it, see tcesim_iommu_alloc()),
 *         level allocation failure: nothing changed).
 */
TCESIM_EXPORT uint64_t tcesim_pe_dma_map(struct tcesim_pe *pe, struct tcesim_pci_dev *dev,
					 uint64_t hpa, unsigned long npages,
					 enum tcesim_dma_data_direction dir);

/**
 * tcesim_pe_dma_unmap() - Kernel DMA API unmap on a PE's window 0
 * @pe: PE
 * @dma: bus address from tcesim_pe_dma_map()
 * @npages: IOMMU pages
 *
 * Models: iommu_unmap_page() -> iommu_free().
 * Context: RCU read side + one pool spinlock.
 * Return: 0, or -EINVAL when the PE has no window 0 or the range is not in
 *         it ("iommu_free: invalid entry").
 */
TCESIM_EXPORT int tcesim_pe_dma_unmap(struct tcesim_pe *pe, uint64_t dma, unsigned long npages);

/**
 * tcesim_pci_dev_dma_read() - The device reads host memory at a bus address
 * @dev: device
 * @iova: bus address in bytes
 * @buf: destination
 * @len: bytes; may span IOMMU pages
 *
 * Translation goes through the PHB's TCE cache (filled from the table on a
 * miss), so a translation changed without a kill may still be used. Every
 * page is translated and checked before any byte moves.
 *
 * Models: a PCI device's DMA read through the PHB (TVE -> TCE cache ->
 *         table), TCE_PCI_READ required.
 * Context: RCU read side, PHB cache spinlock; registered thread.
 * Return: 0, or
 *  * -EFAULT - no window covers a page, or its TCE is empty (no translation)
 *  * -EACCES - a TCE lacks TCE_PCI_READ
 *  * -EINVAL - NULL argument, or the translation is beyond simulated RAM
 */
TCESIM_EXPORT int tcesim_pci_dev_dma_read(struct tcesim_pci_dev *dev, uint64_t iova, void *buf,
					  size_t len);

/**
 * tcesim_pci_dev_dma_write() - The device writes host memory at a bus address
 * @dev: device
 * @iova: bus address in bytes
 * @buf: source
 * @len: bytes; may span IOMMU pages
 *
 * As tcesim_pci_dev_dma_read(); the page's dirty bit is not set (that is
 * the IOMMU code's job when the TCE is released).
 *
 * Models: a PCI device's DMA write, TCE_PCI_WRITE required.
 * Context: RCU read side, PHB cache spinlock; registered thread.
 * Return: 0, or -EFAULT, -EACCES (TCE lacks TCE_PCI_WRITE), -EINVAL,
 *         -ENOMEM (backing bytes could not be allocated).
 */
TCESIM_EXPORT int tcesim_pci_dev_dma_write(struct tcesim_pci_dev *dev, uint64_t iova,
					   const void *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* TCESIM_PHB_DEV_H */
