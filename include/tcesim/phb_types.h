/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tcesim/phb_types.h - the types of tcesim/phb.h: PHB models and kill
 * modes, PHB/PE configurations, statistics and PE geometry. Included by
 * tcesim/phb.h and its pieces (phb_pe.h, phb_owner.h, phb_dev.h,
 * phb_tce.h); include <tcesim/phb.h> rather than this file.
 */
#ifndef TCESIM_PHB_TYPES_H
#define TCESIM_PHB_TYPES_H

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

#ifdef __cplusplus
}
#endif

#endif /* TCESIM_PHB_TYPES_H */
