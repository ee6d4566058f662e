/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tcesim/phb.h - PCI host bridges (PHB variants), PEs with their DMA windows
 * (table groups), PCI devices, TCE exchange/kill and device DMA.
 *
 * A PHB model selects how TCEs are invalidated:
 *  - P5IOC2 (legacy_2015 flavour only; removed from Linux in 2016): no TCE
 *    cache, no invalidation, 4K IOMMU pages, no DDW;
 *  - IODA1 (P7IOC, POWER7): TCE kill register, 2 TCEs per write, 4K pages,
 *    one 32-bit window per PE (the "borrowing" table group ops);
 *  - IODA2 (PHB3 POWER8: kill register ALL/PE/ONE; PHB4+ POWER9/10: OPAL
 *    kill pages/PE), two DMA windows per PE (window 0 at tce32_start,
 *    window 1 at 1 << 59), the bypass window through TVE#1 (1 << 59).
 * IODA1 and IODA2 PHBs cache translations: a device translates through the
 * PHB's TCE cache, a kill evicts, and an exchange without a kill leaves a
 * stale translation that the device keeps using.
 *
 * Entries are absolute (ioba >> it_page_shift), as in tcesim/table.h.
 */
#ifndef TCESIM_PHB_H
#define TCESIM_PHB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <tcesim/types.h>
#include <tcesim/table.h>

#ifdef __cplusplus
extern "C" {
#endif

struct tcesim_phb;
struct tcesim_pe;
struct tcesim_pci_dev;
struct tcesim_mm;

/**
 * enum tcesim_phb_model - PHB variant
 * @TCESIM_PHB_P5IOC2: POWER5/6 IOC; legacy_2015 flavour only
 * @TCESIM_PHB_IODA1: P7IOC (POWER7)
 * @TCESIM_PHB_IODA2: PHB3 (POWER8) / PHB4+ (POWER9, POWER10)
 * @TCESIM_PHB_NR: number of models
 */
enum tcesim_phb_model {
	TCESIM_PHB_P5IOC2 = 0,
	TCESIM_PHB_IODA1,
	TCESIM_PHB_IODA2,
	TCESIM_PHB_NR,
};

/**
 * enum tcesim_phb_kill - how an IODA2 PHB invalidates its TCE cache
 * @TCESIM_PHB_KILL_PHB3: kill register (regs + 0x210): one ONE write per
 *	IOMMU page, PE kill for windows (pnv_pci_phb3_tce_invalidate)
 * @TCESIM_PHB_KILL_PHB4: one OPAL call per range (opal_pci_tce_kill
 *	OPAL_PCI_TCE_KILL_PAGES / _PE)
 */
enum tcesim_phb_kill {
	TCESIM_PHB_KILL_PHB3 = 0,
	TCESIM_PHB_KILL_PHB4 = 1,
};

/* IOMMU page size bits for pgsizes (bytes, as struct iommu_table_group). */
#define TCESIM_PGSIZE_4K	(1ULL << 12)
#define TCESIM_PGSIZE_64K	(1ULL << 16)
#define TCESIM_PGSIZE_16M	(1ULL << 24)
#define TCESIM_PGSIZE_256M	(1ULL << 28)

/* Bus address of the bypass window / DMA window 1 (TVE#1). */
#define TCESIM_TCE_BYPASS_BASE	(1ULL << 59)

/**
 * struct tcesim_phb_cfg - PHB options (scenario `phb NAME model= pgsizes=`)
 * @size: sizeof(struct tcesim_phb_cfg)
 * @name: name for messages (copied, up to 31 chars); NULL for "phb<N>"
 * @model: the variant
 * @pgsizes: supported IOMMU page sizes, TCESIM_PGSIZE_* bits; 0 for the
 *	default (IODA2: 4K|64K|16M|256M; IODA1, P5IOC2: 4K only)
 * @kill: IODA2 only: register (PHB3) or OPAL (PHB4) invalidation
 */
struct tcesim_phb_cfg {
	size_t size;
	const char *name;
	enum tcesim_phb_model model;
	uint64_t pgsizes;
	enum tcesim_phb_kill kill;
};

/**
 * struct tcesim_phb_stats - what the PHB hardware saw
 * @kill_reg_writes: writes to the TCE kill register (P7IOC, PHB3)
 * @opal_kills: opal_pci_tce_kill() calls (PHB4)
 * @cache_hits: device translations served by the TCE cache
 * @cache_misses: translations that walked the table
 * @cache_evictions: cached translations removed by kills
 */
struct tcesim_phb_stats {
	uint64_t kill_reg_writes;
	uint64_t opal_kills;
	uint64_t cache_hits;
	uint64_t cache_misses;
	uint64_t cache_evictions;
};

/**
 * struct tcesim_pe_cfg - PE options (scenario `pe NAME phb= dma32=`)
 * @size: sizeof(struct tcesim_pe_cfg)
 * @name: name (copied, up to 31 chars); NULL for "pe<N>"
 * @dma32_size: tce32_size in bytes (m32_pci_base: the 32-bit DMA space
 *	below the MMIO32 hole); a power of two, tcesim_pe_cfg_init() sets
 *	2 GiB; 0 for a PE without a 32-bit window (tce32_size 0: a v1 VFIO
 *	ENABLE is -EPERM, as tce_iommu_enable() says)
 * @window_size: size of the default window 0 in bytes; 0 for @dma32_size
 *	(so both 0: no default window 0).
 *	When larger than @dma32_size the MMIO32 hole [@dma32_size, 4 GiB) is
 *	reserved in the DMA-API bitmap, as setup_default_config does.
 * @nobypass: do not enable the bypass window (the iommu=nobypass option)
 */
struct tcesim_pe_cfg {
	size_t size;
	const char *name;
	uint64_t dma32_size;
	uint64_t window_size;
	bool nobypass;
};

/**
 * struct tcesim_pe_info - a PE as VFIO's GET_INFO and tests see it
 * @pe_number: PE number on its PHB
 * @tce32_start: bus address of the 32-bit window
 * @tce32_size: its size in bytes
 * @pgsizes: supported IOMMU page sizes (bits)
 * @max_dynamic_windows_supported: 2 on IODA2, 0 otherwise
 * @max_levels: 5 on IODA2, 1 otherwise
 * @bypass_enabled: the bypass window is on
 * @owned: take_ownership ran (userspace owns the DMA windows)
 * @drivers_bound: devices with a kernel driver bound
 * @windows: bitmap of windows with a table (bit n: window n)
 * @dma_owner_claimed: a user owner holds the group
 *	(tcesim_pe_claim_dma_owner() / tcesim_pci_dev_claim_dma_owner())
 * @owner_cnt: the group's owner_cnt: user claims, or bound kernel drivers
 */
struct tcesim_pe_info {
	unsigned int pe_number;
	uint64_t tce32_start;
	uint64_t tce32_size;
	uint64_t pgsizes;
	unsigned int max_dynamic_windows_supported;
	unsigned int max_levels;
	bool bypass_enabled;
	bool owned;
	unsigned int drivers_bound;
	unsigned int windows;
	bool dma_owner_claimed;
	unsigned int owner_cnt;
};

/**
 * tcesim_phb_cfg_init() - Fill a PHB config with defaults for a model
 * @cfg: config to fill
 * @model: the variant
 *
 * Models: none.
 * Context: any thread.
 * Return: nothing.
 */
TCESIM_EXPORT void tcesim_phb_cfg_init(struct tcesim_phb_cfg *cfg, enum tcesim_phb_model model);

/**
 * tcesim_phb_model_from_name() - Parse a PHB model name
 * @name: "p5ioc2", "ioda1" or "ioda2"
 * @out: the model
 *
 * Models: none.
 * Context: any thread.
 * Return: 0, or -EINVAL for an unknown name.
 */
TCESIM_EXPORT int tcesim_phb_model_from_name(const char *name, enum tcesim_phb_model *out);

/**
 * tcesim_phb_create() - Create a PHB
 * @w: world
 * @cfg: options
 * @out: the PHB
 *
 * Models: arch/powerpc/platforms/powernv/pci-ioda.c: pnv_pci_init_ioda_phb()
 *         (and pci-p5ioc2.c before 2016).
 * Context: any registered thread.
 * Return: 0, or
 *  * -EINVAL - NULL argument, @cfg->size too small, model out of range,
 *              @cfg->pgsizes with bits other than 4K/64K/16M/256M or a
 *              non-4K size on IODA1/P5IOC2, bad @cfg->kill
 *  * -ENODEV - P5IOC2 in a flavour other than legacy_2015 (Linux dropped
 *              it in 2016: the platform code no longer probes it)
 *  * -ENOMEM - allocation failed
 */
TCESIM_EXPORT int tcesim_phb_create(struct tcesim_world *w, const struct tcesim_phb_cfg *cfg,
				    struct tcesim_phb **out);

/**
 * tcesim_phb_destroy() - Destroy a PHB with its PEs and devices
 * @phb: PHB, or NULL
 *
 * Models: none (teardown).
 * Context: registered thread; nothing else may use @phb, its PEs or devices.
 * Return: nothing.
 */
TCESIM_EXPORT void tcesim_phb_destroy(struct tcesim_phb *phb);

/**
 * tcesim_phb_get_stats() - Hardware counters of a PHB
 * @phb: PHB
 * @stats: out
 *
 * Models: none (oracle).
 * Context: any thread (atomic snapshot).
 * Return: 0, or -EINVAL for a NULL argument.
 */
TCESIM_EXPORT int tcesim_phb_get_stats(struct tcesim_phb *phb, struct tcesim_phb_stats *stats);

/**
 * tcesim_phb_model() - The variant of a PHB
 * @phb: PHB
 *
 * Models: none.
 * Context: any thread; immutable.
 * Return: the model.
 */
TCESIM_EXPORT enum tcesim_phb_model tcesim_phb_model(const struct tcesim_phb *phb);

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
 * Return: bytes, or 0 for invalid geometry (IODA2), or 0xffffffff.
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
 *  * -ENOMEM - allocation failed
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
 * IODA2 (modern): refuses while the kernel DMA API has mappings in window
 * 0 (the iommu_take_ownership() check, kept from v4.2-v5.x: the modern
 * kernel prevents it by refusing the DMA-owner claim while a driver is
 * bound), then disables bypass, unsets window 0 and drops the default
 * table. IODA1/P5IOC2 and legacy_2015: iommu_take_ownership() on each table
 * (the bitmap gets all ones, tables stay). A second call returns 0.
 *
 * Models: table_group_ops->take_ownership: pnv_ioda2_take_ownership(),
 *         spapr_tce_take_ownership(); the -EBUSY of
 *         drivers/iommu/iommu.c: iommu_group_claim_dma_owner().
 * Context: takes phb->lock and pool locks; registered thread.
 * Return: 0, or
 *  * -EBUSY  - a device of the PE has a kernel driver bound, or the DMA API
 *              has live mappings (message "iommu_tce: it_map is not empty");
 *              nothing changed
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

/**
 * enum tcesim_iommu_cap - IOMMU capabilities (the kernel's enum iommu_cap)
 * @TCESIM_IOMMU_CAP_CACHE_COHERENCY: IOMMU_CAP_CACHE_COHERENCY: DMA is
 *	cache coherent; VFIO core refuses devices without it
 * @TCESIM_IOMMU_CAP_NOEXEC: IOMMU_CAP_NOEXEC
 * @TCESIM_IOMMU_CAP_PRE_BOOT_PROTECTION: IOMMU_CAP_PRE_BOOT_PROTECTION
 * @TCESIM_IOMMU_CAP_ENFORCE_CACHE_COHERENCY: IOMMU_CAP_ENFORCE_CACHE_COHERENCY
 * @TCESIM_IOMMU_CAP_DEFERRED_FLUSH: IOMMU_CAP_DEFERRED_FLUSH
 * @TCESIM_IOMMU_CAP_DIRTY_TRACKING: IOMMU_CAP_DIRTY_TRACKING
 */
enum tcesim_iommu_cap {
	TCESIM_IOMMU_CAP_CACHE_COHERENCY = 0,
	TCESIM_IOMMU_CAP_NOEXEC,
	TCESIM_IOMMU_CAP_PRE_BOOT_PROTECTION,
	TCESIM_IOMMU_CAP_ENFORCE_CACHE_COHERENCY,
	TCESIM_IOMMU_CAP_DEFERRED_FLUSH,
	TCESIM_IOMMU_CAP_DIRTY_TRACKING,
};

/**
 * tcesim_pci_dev_iommu_capable() - Whether a TCE device's IOMMU has a capability
 * @dev: device
 * @cap: capability
 *
 * The sPAPR iommu_ops answer true for TCESIM_IOMMU_CAP_CACHE_COHERENCY only.
 * In the legacy_2015 and legacy_2016 flavours (before seed 001) powerpc had
 * no iommu_ops and every answer is false.
 *
 * Models: arch/powerpc/kernel/iommu.c: spapr_tce_iommu_capable() through
 *         drivers/iommu/iommu.c: device_iommu_capable().
 * Context: any thread; immutable.
 * Return: true if @dev's IOMMU has @cap; false otherwise, also for a NULL
 *         @dev or an unknown @cap.
 */
TCESIM_EXPORT bool tcesim_pci_dev_iommu_capable(const struct tcesim_pci_dev *dev,
						enum tcesim_iommu_cap cap);

/**
 * tcesim_pe_claim_dma_owner() - Claim a PE's iommu group for user DMA
 * @pe: PE (its iommu group)
 * @owner: caller's cookie (a VFIO group or container); not dereferenced
 *
 * Attaches the group to spapr_tce_blocked_domain, whose attach is the table
 * group's take_ownership: on IODA2 (modern) the kernel's window 0 and the
 * bypass go away; the borrowing ops (IODA1, legacy_2015) keep the table and
 * fill its DMA-API bitmap with ones. Either way every later
 * tcesim_pe_dma_map() fails with TCESIM_DMA_MAPPING_ERROR.
 *
 * Models: drivers/iommu/iommu.c: iommu_group_claim_dma_owner() ->
 *         __iommu_take_dma_ownership(); arch/powerpc/kernel/iommu.c:
 *         spapr_tce_blocked_iommu_attach_dev() -> table_group->ops->
 *         take_ownership (pnv_ioda2_take_ownership / spapr_tce_take_ownership).
 *         The domain is attached once per group (upstream: per device).
 * Context: takes phb->lock (the group mutex) and pool locks; registered
 *          thread.
 * Return: 0, or
 *  * -EINVAL - NULL @pe; NULL @owner (logs "WARN: iommu_group_claim_dma_owner");
 *              or the table ops cannot exchange (iommu_take_ownership)
 *  * -EPERM  - owner_cnt != 0: a kernel driver is bound to a device of the
 *              group or the group is claimed already (a VFIO container's
 *              group: VFIO core's claim); also a PE whose table group was
 *              taken directly (tcesim_pe_take_ownership())
 *  * -EBUSY  - the kernel DMA API has live mappings in window 0 (message
 *              "iommu_tce: it_map is not empty")
 *  On error nothing changed.
 */
TCESIM_EXPORT int tcesim_pe_claim_dma_owner(struct tcesim_pe *pe, void *owner);

/**
 * tcesim_pe_release_dma_owner() - Give a claimed PE group back to the kernel
 * @pe: PE, or NULL (no-op)
 *
 * Clears owner and owner_cnt and attaches spapr_tce_platform_domain, whose
 * attach is the table group's release_ownership: IODA2 builds a fresh
 * default window (and bypass) when window 0 is empty, the borrowing ops
 * clear every TCE of the table (iommu_table_clear: what the owner set is
 * gone) and reset its bitmap. A table the owner left in window 0 of an
 * IODA2 PE stays there, as upstream (logs "WARN: release_ownership"): an
 * owner unsets its windows first, as VFIO's detach does. Without a user
 * owner (never claimed, or only kernel drivers) it logs "WARN:
 * iommu_group_release_dma_owner" and changes nothing, as upstream.
 *
 * Models: drivers/iommu/iommu.c: iommu_group_release_dma_owner() ->
 *         __iommu_release_dma_ownership(); arch/powerpc/kernel/iommu.c:
 *         spapr_tce_platform_iommu_attach_dev() -> release_ownership.
 * Context: takes phb->lock; registered thread.
 * Return: nothing. If the default window cannot be rebuilt (-ENOMEM) the
 *         group is released anyway (the nofail domain switch) and the PE
 *         stays without a kernel window ("WARN: ... release_ownership
 *         failed").
 */
TCESIM_EXPORT void tcesim_pe_release_dma_owner(struct tcesim_pe *pe);

/**
 * tcesim_pci_dev_claim_dma_owner() - Claim a device's PE group for user DMA
 * @dev: device
 * @owner: caller's cookie (iommufd / VFIO cdev); the same owner may claim
 *         again (owner_cnt + 1)
 *
 * The first claim does what tcesim_pe_claim_dma_owner() does. A TCE device
 * always has its PE's group, so upstream's -ENODEV cannot happen.
 *
 * Models: drivers/iommu/iommu.c: iommu_device_claim_dma_owner().
 * Context: takes phb->lock; registered thread.
 * Return: 0, or
 *  * -EINVAL - NULL @dev or @owner; or the table ops cannot exchange
 *  * -EPERM  - claimed by another owner (a VFIO container's group among
 *              them), used by a kernel driver (owner_cnt with no owner), or
 *              taken directly (tcesim_pe_take_ownership())
 *  * -EBUSY  - first claim while the kernel DMA API has live mappings
 *  On error nothing changed.
 */
TCESIM_EXPORT int tcesim_pci_dev_claim_dma_owner(struct tcesim_pci_dev *dev, void *owner);

/**
 * tcesim_pci_dev_release_dma_owner() - Drop one device claim
 * @dev: device, or NULL (no-op)
 *
 * owner_cnt > 1: decrements only. The last claim releases the group as
 * tcesim_pe_release_dma_owner() does (same WARN/no-op when there is no
 * user owner; with several kernel drivers bound and no owner upstream would
 * decrement their count, tcesim WARNs and keeps it equal to the drivers
 * bound).
 *
 * Models: drivers/iommu/iommu.c: iommu_device_release_dma_owner().
 * Context: takes phb->lock; registered thread.
 * Return: nothing.
 */
TCESIM_EXPORT void tcesim_pci_dev_release_dma_owner(struct tcesim_pci_dev *dev);

/**
 * tcesim_pe_dma_owner_claimed() - Whether a PE group has owners or users
 * @pe: PE
 *
 * Models: drivers/iommu/iommu.c: iommu_group_dma_owner_claimed() (racy:
 *         informational only).
 * Context: takes phb->lock.
 * Return: true when owner_cnt != 0 (a user claim or a bound kernel driver);
 *         false otherwise or for a NULL @pe.
 */
TCESIM_EXPORT bool tcesim_pe_dma_owner_claimed(struct tcesim_pe *pe);

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
 * Models: dma_iommu_map_page() -> iommu_map_page() -> iommu_alloc().
 * Context: RCU read side + one pool spinlock; registered thread.
 * Return: bus address, or TCESIM_DMA_MAPPING_ERROR (no window 0 (owned),
 *         @dev not in @pe, fail_iommu, npages 0, no space under the mask,
 *         more pages than the device's segment boundary,
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
 * @npages: entries
 * @hpa: host physical address of the first page, IOMMU-page aligned
 * @dir: direction other than DMA_NONE
 *
 * Overwrites without returning old pages (the kernel DMA API's op); the
 * variant invalidates as its set op does.
 *
 * Models: it_ops->set (pnv_ioda2_tce_build: build + invalidate).
 * Context: lock free.
 * Return: 0, or -EINVAL (range outside the table, unaligned @hpa, bad
 *         @dir), -ENOMEM (a level could not be allocated; no TCE written).
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

/* Names, links, the TCE cache peek: read-only views (own header). */
#include <tcesim/phb_inspect.h>

#endif /* TCESIM_PHB_H */
