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
 *
 * This header holds the PHB functions; it includes the types
 * (tcesim/phb_types.h) and the pieces: PEs and windows (tcesim/phb_pe.h),
 * iommu-group ownership (tcesim/phb_owner.h), PCI devices and their DMA
 * (tcesim/phb_dev.h), TCE operations (tcesim/phb_tce.h), read-only views
 * (tcesim/phb_inspect.h). Including <tcesim/phb.h> gets them all.
 */
#ifndef TCESIM_PHB_H
#define TCESIM_PHB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <tcesim/types.h>
#include <tcesim/table.h>
#include <tcesim/phb_types.h>

#ifdef __cplusplus
extern "C" {
#endif

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

#ifdef __cplusplus
}
#endif

/* The pieces (see above), each self-contained. */
#include <tcesim/phb_pe.h>
#include <tcesim/phb_owner.h>
#include <tcesim/phb_dev.h>
#include <tcesim/phb_tce.h>
/* Names, links, the TCE cache peek: read-only views (own header). */
#include <tcesim/phb_inspect.h>

#endif /* TCESIM_PHB_H */
