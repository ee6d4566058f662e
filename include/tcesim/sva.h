/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tcesim/sva.h - IOMMU instances with PASID support, iommu groups with a
 * PASID array, attach handles, DMA ownership, SVA bind/unbind and I/O page
 * faults (drivers/iommu/iommu.c, iommu-sva.c, io-pgfault.c).
 *
 * Objects:
 *  - struct tcesim_iommu: a VT-d style IOMMU instance (pasid_bits, optional
 *    static blocked domain, SVA support). Lives until the world is destroyed.
 *  - struct tcesim_iommu_group: a group of devices sharing one PASID array
 *    and one DMA owner. Lives until the world is destroyed.
 *  - struct tcesim_device: a PCI device behind an IOMMU, in a group or not,
 *    with max_pasids and PRI. Lives until the world is destroyed.
 *  - struct tcesim_iommu_domain: a paging, blocked or SVA domain.
 *  - struct tcesim_iommu_attach_handle: embedded by the caller in its own
 *    object (as struct iommu_sva embeds it); attached with a domain.
 *  - struct tcesim_iommu_sva: an SVA bond (device, process), refcounted by
 *    bind/unbind.
 *
 * Threads: every thread calling into this API must have called
 * tcesim_thread_enter(). None of these functions may be called inside an RCU
 * read-side section except tcesim_iommu_attach_handle_get().
 */
#ifndef TCESIM_SVA_H
#define TCESIM_SVA_H

#include <stdbool.h>
#include <stdint.h>
#include <tcesim/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct tcesim_mm;
struct tcesim_iommu;
struct tcesim_iommu_group;
struct tcesim_device;
struct tcesim_iommu_domain;
struct tcesim_iommu_sva;

/* include/linux/iommu.h: IOMMU_NO_PASID, IOMMU_PASID_INVALID */
#define TCESIM_IOMMU_NO_PASID		0u
#define TCESIM_IOMMU_PASID_INVALID	(~0u)
/* PCIe PASIDs are 20 bits; the model refuses wider values with -EINVAL. */
#define TCESIM_IOMMU_MAX_PASID_BITS	20u
/* tcesim_pci_device_cfg.max_pasids: 1 << the IOMMU's pasid_bits */
#define TCESIM_PDEV_MAX_PASIDS_DEFAULT	(~0u)

/**
 * enum tcesim_iommu_domain_type - the kernel's IOMMU_DOMAIN_* values
 * @TCESIM_IOMMU_DOMAIN_BLOCKED: all DMA blocked (0; also "any" in lookups)
 * @TCESIM_IOMMU_DOMAIN_UNMANAGED: paging domain owned by a user (iommufd/VFIO)
 * @TCESIM_IOMMU_DOMAIN_DMA: paging domain used by the DMA API (default domain)
 * @TCESIM_IOMMU_DOMAIN_SVA: shares a process's page table (iommu-sva.c)
 *
 * Models: include/linux/iommu.h (values kept: __IOMMU_DOMAIN_PAGING = 1,
 * __IOMMU_DOMAIN_DMA_API = 2, __IOMMU_DOMAIN_SVA = 16).
 */
enum tcesim_iommu_domain_type {
	TCESIM_IOMMU_DOMAIN_BLOCKED = 0,
	TCESIM_IOMMU_DOMAIN_UNMANAGED = 1,
	TCESIM_IOMMU_DOMAIN_DMA = 3,
	TCESIM_IOMMU_DOMAIN_SVA = 16,
};

/* tcesim_iommu_domain_alloc() flags */
#define TCESIM_DOMAIN_F_NO_SET_DEV_PASID 0x1u /* domain->ops->set_dev_pasid == NULL */

/**
 * struct tcesim_iommu_attach_handle - what a PASID array slot points to
 * @domain: the attached domain; written by attach/replace before the handle
 *          is published, read-only for the caller
 *
 * The caller embeds it in its own object and keeps it alive from attach to
 * detach (as struct iommu_sva and iommufd's struct iommufd_attach_handle do).
 * Models: include/linux/iommu.h: struct iommu_attach_handle.
 */
struct tcesim_iommu_attach_handle {
	struct tcesim_iommu_domain *domain;
};

/**
 * struct tcesim_iommu_cfg - an IOMMU instance
 * @size: sizeof(struct tcesim_iommu_cfg)
 * @name: instance name (copied, at most 31 characters)
 * @pasid_bits: PASID width, 1..20 (VT-d ECAP.PSS + 1; default 20)
 * @prq_depth: page request queue depth in descriptors, for the PRQ layer
 *             (default 2048 = PRQ_ORDER 4); stored, not used here
 * @no_blocked_domain: the driver has no static blocked domain
 *             (ops->blocked_domain == NULL): PASID attach is -EOPNOTSUPP
 *             and DMA ownership allocates an empty paging domain instead
 * @no_sva: the driver has no domain_alloc_sva: bind is -EOPNOTSUPP
 */
struct tcesim_iommu_cfg {
	size_t size;
	const char *name;
	unsigned int pasid_bits;
	unsigned int prq_depth;
	bool no_blocked_domain;
	bool no_sva;
};

/**
 * struct tcesim_pci_device_cfg - a PCI device behind an IOMMU
 * @size: sizeof(struct tcesim_pci_device_cfg)
 * @name: device name (copied, at most 31 characters)
 * @group: group to join; NULL for a group of its own named after the device
 * @no_group: the device has no iommu group (dev->iommu_group == NULL)
 * @max_pasids: number of PASIDs, 0 for a device without PASID support;
 *              TCESIM_PDEV_MAX_PASIDS_DEFAULT for 1 << pasid_bits
 * @pri: the device supports PRI and is added to the IOMMU's iopf queue
 */
struct tcesim_pci_device_cfg {
	size_t size;
	const char *name;
	struct tcesim_iommu_group *group;
	bool no_group;
	uint32_t max_pasids;
	bool pri;
};

/* ------------------------------------------------------------ objects --- */

/**
 * tcesim_iommu_cfg_init() - Fill an IOMMU config with the defaults
 * @cfg: config to fill (pasid_bits 20, prq_depth 2048, blocked domain, SVA)
 *
 * Models: none (tcesim infrastructure).
 * Context: any thread.
 * Return: nothing.
 */
TCESIM_EXPORT void tcesim_iommu_cfg_init(struct tcesim_iommu_cfg *cfg);

/**
 * tcesim_iommu_create() - Create an IOMMU instance with PASID support
 * @w: world
 * @cfg: configuration
 * @out: the instance; it lives until the world is destroyed
 *
 * Models: drivers/iommu/intel/dmar.c: alloc_iommu() (the parts SVA uses).
 * Context: takes the SVA object lock; thread registered (tcesim_thread_enter).
 * Return: 0, or
 *  * -EINVAL - NULL argument, @cfg->size too small, pasid_bits 0 or > 20
 *  * -EEXIST - an IOMMU of that name exists
 *  * -ENOMEM - allocation failed
 */
TCESIM_EXPORT int tcesim_iommu_create(struct tcesim_world *w, const struct tcesim_iommu_cfg *cfg,
				      struct tcesim_iommu **out);

/**
 * tcesim_iommu_find() - Look an IOMMU instance up by name
 * @w: world
 * @name: instance name
 *
 * Models: none.
 * Context: takes the SVA object lock.
 * Return: the instance, or NULL when there is none of that name.
 */
TCESIM_EXPORT struct tcesim_iommu *tcesim_iommu_find(struct tcesim_world *w, const char *name);

/**
 * tcesim_iommu_group_alloc() - Create an empty, named iommu group
 * @w: world
 * @name: group name (copied, at most 31 characters)
 * @out: the group; it lives until the world is destroyed
 *
 * Devices join it with tcesim_pci_device_create(); the default domain is
 * allocated with the first device.
 *
 * Models: drivers/iommu/iommu.c: iommu_group_alloc().
 * Context: takes the SVA object lock.
 * Return: 0, or
 *  * -EINVAL - NULL argument
 *  * -EEXIST - a group of that name exists
 *  * -ENOMEM - allocation failed
 */
TCESIM_EXPORT int tcesim_iommu_group_alloc(struct tcesim_world *w, const char *name,
					   struct tcesim_iommu_group **out);

/**
 * tcesim_iommu_group_find() - Look a group up by name
 * @w: world
 * @name: group name
 *
 * Models: none.
 * Context: takes the SVA object lock.
 * Return: the group, or NULL.
 */
TCESIM_EXPORT struct tcesim_iommu_group *tcesim_iommu_group_find(struct tcesim_world *w,
								  const char *name);

/**
 * tcesim_pci_device_cfg_init() - Fill a device config with the defaults
 * @cfg: config to fill (own group, max_pasids 1 << pasid_bits, no PRI)
 *
 * Models: none.
 * Context: any thread.
 * Return: nothing.
 */
TCESIM_EXPORT void tcesim_pci_device_cfg_init(struct tcesim_pci_device_cfg *cfg);

/**
 * tcesim_pci_device_create() - Probe a PCI device behind an IOMMU
 * @iommu: the IOMMU translating for the device
 * @cfg: configuration
 * @out: the device; it lives until the world is destroyed
 *
 * Joins @cfg->group (or a new group named after the device) and gives the
 * group a default DMA domain when it has none.
 *
 * Models: drivers/iommu/iommu.c: __iommu_probe_device() + iommu_group_add_device();
 *         intel/iommu.c: intel_iommu_probe_device() (max_pasids from the PASID cap).
 * Context: takes the SVA object lock, then the group mutex.
 * Return: 0, or
 *  * -EINVAL - NULL argument, @cfg->size too small, @cfg->group with
 *              @cfg->no_group, @cfg->group belonging to another world, or
 *              @cfg->max_pasids above 1 << pasid_bits
 *  * -EEXIST - a device of that name exists (or, without @cfg->group, a group)
 *  * -ENOMEM - allocation failed
 */
TCESIM_EXPORT int tcesim_pci_device_create(struct tcesim_iommu *iommu,
					   const struct tcesim_pci_device_cfg *cfg,
					   struct tcesim_device **out);

/**
 * tcesim_device_find() - Look a device up by name
 * @w: world
 * @name: device name
 *
 * Models: none.
 * Context: takes the SVA object lock.
 * Return: the device, or NULL.
 */
TCESIM_EXPORT struct tcesim_device *tcesim_device_find(struct tcesim_world *w, const char *name);

/**
 * tcesim_device_iommu_group() - The group of a device
 * @dev: device
 *
 * Models: include/linux/device.h: dev->iommu_group.
 * Context: any thread; immutable after create.
 * Return: the group, or NULL for a device without one.
 */
TCESIM_EXPORT struct tcesim_iommu_group *tcesim_device_iommu_group(const struct tcesim_device *dev);

/* ------------------------------------------------------------ domains --- */

/**
 * tcesim_iommu_domain_alloc() - Allocate a paging domain on an IOMMU
 * @iommu: owning IOMMU (domains of another IOMMU are incompatible: -EINVAL
 *         at attach)
 * @type: TCESIM_IOMMU_DOMAIN_UNMANAGED or TCESIM_IOMMU_DOMAIN_DMA
 * @flags: 0 or TCESIM_DOMAIN_F_NO_SET_DEV_PASID
 * @out: the domain; free it with tcesim_iommu_domain_free()
 *
 * Models: drivers/iommu/iommu.c: iommu_paging_domain_alloc_flags().
 * Context: any registered thread.
 * Return: 0, or
 *  * -EINVAL - NULL argument, another @type, unknown @flags
 *  * -ENOMEM - allocation failed
 */
TCESIM_EXPORT int tcesim_iommu_domain_alloc(struct tcesim_iommu *iommu, unsigned int type,
					    unsigned int flags, struct tcesim_iommu_domain **out);

/**
 * tcesim_iommu_blocked_domain() - The IOMMU's static blocked domain
 * @iommu: IOMMU
 * @out: the domain (never freed by the caller)
 *
 * Models: include/linux/iommu.h: iommu_ops.blocked_domain.
 * Context: any thread; immutable after create.
 * Return: 0, or
 *  * -EOPNOTSUPP - the IOMMU was created with no_blocked_domain
 */
TCESIM_EXPORT int tcesim_iommu_blocked_domain(struct tcesim_iommu *iommu,
					      struct tcesim_iommu_domain **out);

/**
 * tcesim_iommu_sva_domain_alloc() - Allocate an SVA domain for a process
 * @dev: device whose IOMMU owns the domain
 * @mm:  process whose address space the domain shares (mmgrab()ed until
 *       the domain is freed)
 * @out: the domain; free it with tcesim_iommu_domain_free() once detached
 *
 * Binds make their own SVA domains; this one is for tests and scenarios
 * that place a process's SVA domain at a PASID by hand (e.g. the seed 002
 * "different mm at the PASID" case).
 *
 * Models: drivers/iommu/iommu-sva.c: iommu_sva_domain_alloc().
 * Context: any registered thread.
 * Return: 0, or
 *  * -EINVAL     - NULL argument, @mm of another world
 *  * -EOPNOTSUPP - the IOMMU has no SVA support (no domain_alloc_sva)
 *  * -ENOMEM     - allocation failed
 */
TCESIM_EXPORT int tcesim_iommu_sva_domain_alloc(struct tcesim_device *dev, struct tcesim_mm *mm,
						struct tcesim_iommu_domain **out);

/**
 * tcesim_iommu_domain_free() - Free a domain allocated by tcesim_iommu_domain_alloc()
 * @domain: domain, or NULL; must be detached from every PASID
 *
 * Upstream frees whatever it is given; tcesim refuses to free a domain that
 * is still attached, the static blocked domain, or a domain the model made
 * itself (default, bind's SVA domains): it logs "WARN: domain in use" and
 * changes nothing; the world frees it at destroy.
 *
 * Models: drivers/iommu/iommu.c: iommu_domain_free().
 * Context: any registered thread outside a read-side section; the memory is
 *          freed after an RCU grace period.
 * Return: nothing.
 */
TCESIM_EXPORT void tcesim_iommu_domain_free(struct tcesim_iommu_domain *domain);

/**
 * tcesim_iommu_domain_type() - Type of a domain
 * @domain: domain
 *
 * Models: struct iommu_domain.type.
 * Context: any thread; immutable.
 * Return: a TCESIM_IOMMU_DOMAIN_* value.
 */
TCESIM_EXPORT unsigned int tcesim_iommu_domain_type(const struct tcesim_iommu_domain *domain);

/* ---------------------------------------------------- PASID attachment --- */

/**
 * tcesim_iommu_attach_device_pasid() - Attach a domain to one PASID of a group
 * @domain: domain to attach; must implement set_dev_pasid
 * @dev:    device in an iommu group; every PASID-capable device of the group
 *          is programmed
 * @pasid:  PASID, 1 .. max_pasids-1 of each PASID-capable device of the group
 *          (0 is TCESIM_IOMMU_NO_PASID)
 * @handle: attach handle to publish in the PASID array (its ->domain is set
 *          to @domain), or NULL to store the bare domain
 *
 * Checks in upstream's order: group, ops, compatibility and PASID 0, reset
 * in progress, max_pasids, slot occupancy. The slot is reserved first and
 * reads as empty (lookups: -ENOENT) until every device is programmed; on a
 * device failure the devices already programmed are reverted to the
 * blocked domain and the reservation is released.
 *
 * Models: drivers/iommu/iommu.c: iommu_attach_device_pasid() (2025).
 * Context: takes and releases the group mutex; PASID-array readers (RCU)
 *          are never blocked. Caller must not hold the group mutex.
 * Return: 0, or
 *  * -EINVAL     - NULL @domain/@dev; @domain from another IOMMU; @pasid is
 *                  TCESIM_IOMMU_NO_PASID, >= 1 << 20, or >= max_pasids of a
 *                  device of the group that has PASIDs
 *  * -ENODEV     - @dev has no iommu group
 *  * -EOPNOTSUPP - @domain has no set_dev_pasid, or the IOMMU has no
 *                  blocked domain (needed for the revert)
 *  * -EBUSY      - the group is being reset, or @pasid is already attached
 *  * -ENOMEM     - allocation failed (array node or a device's PASID table)
 *  On error the PASID array and all devices are unchanged.
 */
TCESIM_EXPORT int tcesim_iommu_attach_device_pasid(struct tcesim_iommu_domain *domain,
						   struct tcesim_device *dev, uint32_t pasid,
						   struct tcesim_iommu_attach_handle *handle);

/**
 * tcesim_iommu_detach_device_pasid() - Detach a domain from one PASID of a group
 * @domain: the domain attached at @pasid
 * @dev:    device in the group
 * @pasid:  PASID
 *
 * Every PASID-capable device of the group is set to the blocked domain for
 * @pasid (on VT-d with a PRQ this tears the PASID down and drains its page
 * requests, which still find the entry and are served through it), then
 * the slot is erased, in upstream's order. Upstream returns void and
 * trusts the caller; tcesim checks the caller's claim and refuses a wrong
 * one.
 *
 * Models: drivers/iommu/iommu.c: iommu_detach_device_pasid().
 * Context: takes and releases the group mutex. An attach handle stored at
 *          @pasid may be freed by the caller after an RCU grace period
 *          (readers of tcesim_iommu_attach_handle_get() may still hold it).
 * Return: 0, or
 *  * -EINVAL - NULL argument, @pasid 0 or >= 1 << 20
 *  * -ENODEV - @dev has no iommu group
 *  * -ENOENT - @domain is not the domain attached at @pasid (tcesim check)
 */
TCESIM_EXPORT int tcesim_iommu_detach_device_pasid(struct tcesim_iommu_domain *domain,
						   struct tcesim_device *dev, uint32_t pasid);

/**
 * tcesim_iommu_replace_device_pasid() - Replace the domain attached at a PASID
 * @domain: new domain
 * @dev:    device in the group
 * @pasid:  PASID currently attached
 * @handle: attach handle for the new entry (required)
 *
 * The devices are switched from the old domain to @domain; if a device
 * fails, those already switched go back to the old domain and the old entry
 * stays.
 *
 * Models: drivers/iommu/iommu.c: iommu_replace_device_pasid() (2025).
 * Context: takes and releases the group mutex.
 * Return: 0, or
 *  * -ENODEV     - @dev has no iommu group
 *  * -EOPNOTSUPP - @domain has no set_dev_pasid (an IOMMU without a blocked
 *                  domain is not checked: nothing can be attached there, so
 *                  the empty slot gives -EINVAL, as upstream)
 *  * -EINVAL     - NULL @domain/@dev/@handle, incompatible @domain, @pasid 0 or
 *                  >= 1 << 20 or >= a device's max_pasids, nothing attached at
 *                  @pasid ("not a replace case"), or @handle already the entry
 *  * -EBUSY      - the group is being reset
 *  * -ENOMEM     - a device's PASID table could not grow
 */
TCESIM_EXPORT int tcesim_iommu_replace_device_pasid(struct tcesim_iommu_domain *domain,
						    struct tcesim_device *dev, uint32_t pasid,
						    struct tcesim_iommu_attach_handle *handle);

/**
 * tcesim_iommu_attach_handle_get() - Find the attach handle at a PASID
 * @group: iommu group
 * @pasid: PASID (TCESIM_IOMMU_NO_PASID is a valid slot)
 * @type:  required domain type, or 0 for any
 * @out:   the handle
 *
 * Lock-free: one RCU lookup, no mutex. A slot reserved by an attach in
 * progress reads as empty.
 *
 * Models: drivers/iommu/iommu.c: iommu_attach_handle_get() (2025 tagged entries).
 * Context: any registered thread, inside or outside an RCU read-side
 *          section. The handle stays valid until it is detached; a caller
 *          that does not serialise with detach must stay inside its own
 *          read-side section while it uses the handle.
 * Return: 0, or
 *  * -EINVAL - NULL @group/@out
 *  * -ENOENT - the slot is empty or reserved, or holds a domain attached
 *              without a handle; also any @pasid >= 1 << 20 (upstream's
 *              xa_load() of an index nothing was stored at)
 *  * -EBUSY  - @type is not 0 and the handle's domain has another type
 */
TCESIM_EXPORT int tcesim_iommu_attach_handle_get(struct tcesim_iommu_group *group, uint32_t pasid,
						 unsigned int type,
						 struct tcesim_iommu_attach_handle **out);

/* ------------------------------------------------------ DMA ownership --- */

/**
 * tcesim_iommu_group_claim_dma_owner() - Claim a group for user DMA
 * @group: iommu group
 * @owner: caller's cookie (VFIO group/container)
 *
 * Switches the group to its blocking domain.
 *
 * Models: drivers/iommu/iommu.c: iommu_group_claim_dma_owner().
 * Context: takes the group mutex.
 * Return: 0, or
 *  * -EINVAL - @group or @owner NULL
 *  * -EPERM  - the group is owned or used by a kernel driver (owner_cnt != 0)
 *  * -EBUSY  - the group is not on its default domain, or PASIDs are attached
 *  * -ENOMEM - no static blocked domain and the empty paging domain could
 *              not be allocated
 */
TCESIM_EXPORT int tcesim_iommu_group_claim_dma_owner(struct tcesim_iommu_group *group,
						     void *owner);

/**
 * tcesim_iommu_group_release_dma_owner() - Give a claimed group back to the kernel
 * @group: iommu group
 *
 * Without an owner, or with PASIDs still attached, upstream WARNs and does
 * nothing: tcesim logs "WARN: iommu_group_release_dma_owner" and does nothing.
 *
 * Models: drivers/iommu/iommu.c: iommu_group_release_dma_owner().
 * Context: takes the group mutex.
 * Return: nothing.
 */
TCESIM_EXPORT void tcesim_iommu_group_release_dma_owner(struct tcesim_iommu_group *group);

/**
 * tcesim_iommu_device_claim_dma_owner() - Claim a device's group for user DMA
 * @dev: device
 * @owner: caller's cookie (iommufd/VFIO cdev); the same owner may claim again
 *
 * Models: drivers/iommu/iommu.c: iommu_device_claim_dma_owner().
 * Context: takes the group mutex.
 * Return: 0, or
 *  * -EINVAL - @dev or @owner NULL
 *  * -ENODEV - @dev has no iommu group
 *  * -EPERM  - claimed by another owner or used by a kernel driver
 *  * -EBUSY  - first claim while not on the default domain or with PASIDs
 *  * -ENOMEM - blocking domain allocation failed
 */
TCESIM_EXPORT int tcesim_iommu_device_claim_dma_owner(struct tcesim_device *dev, void *owner);

/**
 * tcesim_iommu_device_release_dma_owner() - Drop one device claim
 * @dev: device
 *
 * The last claim restores the default domain (WARN and no-op as for
 * tcesim_iommu_group_release_dma_owner()).
 *
 * Models: drivers/iommu/iommu.c: iommu_device_release_dma_owner().
 * Context: takes the group mutex.
 * Return: nothing.
 */
TCESIM_EXPORT void tcesim_iommu_device_release_dma_owner(struct tcesim_device *dev);

/**
 * tcesim_iommu_device_use_default_domain() - A kernel driver starts using the device
 * @dev: device (driver probe)
 *
 * Models: drivers/iommu/iommu.c: iommu_device_use_default_domain().
 * Context: takes the group mutex.
 * Return: 0 (also for a device without a group), or
 *  * -EINVAL - @dev NULL
 *  * -EBUSY  - the group is claimed by a user owner, is off its default
 *              domain, or has PASIDs attached
 */
TCESIM_EXPORT int tcesim_iommu_device_use_default_domain(struct tcesim_device *dev);

/**
 * tcesim_iommu_device_unuse_default_domain() - A kernel driver stops using the device
 * @dev: device (driver remove)
 *
 * WARNs and keeps the count when it is 0 or PASIDs are attached, as upstream.
 *
 * Models: drivers/iommu/iommu.c: iommu_device_unuse_default_domain().
 * Context: takes the group mutex.
 * Return: nothing.
 */
TCESIM_EXPORT void tcesim_iommu_device_unuse_default_domain(struct tcesim_device *dev);

/**
 * tcesim_iommu_group_dma_owner_claimed() - Whether the group has owners/users
 * @group: iommu group
 *
 * Models: drivers/iommu/iommu.c: iommu_group_dma_owner_claimed() (racy).
 * Context: takes the group mutex.
 * Return: true when owner_cnt != 0.
 */
TCESIM_EXPORT bool tcesim_iommu_group_dma_owner_claimed(struct tcesim_iommu_group *group);

/* ---------------------------------------------------------------- SVA --- */

/**
 * tcesim_iommu_sva_bind_device() - Bind a process address space to a device
 * @dev: device in an iommu group
 * @mm:  process; its PASID (allocated at its first bind, 1 .. max_pasids-1)
 *       is used for every device it binds
 * @out: the bond; binding the same (@dev, @mm) again returns the same
 *       handle with one more user
 *
 * SVA domains are shared per process across the devices of one IOMMU.
 * The process's iommu_mm data and PASID are allocated at its first bind
 * and published at once, as upstream's iommu_alloc_mm_data(): a first bind
 * that fails after that point (-EBUSY, -EOPNOTSUPP, -ENOMEM of the handle
 * or domain, an attach error) leaves the process with its PASID until the
 * mm is dropped (mm_pasid_drop), so a later bind reuses it (and may get
 * -EOVERFLOW from a device with fewer PASIDs).
 *
 * Models: drivers/iommu/iommu-sva.c: iommu_sva_bind_device() (v6.11+, seed 002
 *         with the review's fixes). Flavours: legacy_2024 finds the bond on
 *         the process's sva_handles list (v6.8-v6.10): no group check first
 *         (a group-less device fails with -ENODEV at attach), no -EBUSY
 *         lookup, bare domains in the PASID array.
 * Context: takes the SVA lock, then the group mutex; mmgrab()s @mm per SVA
 *          domain. Not inside an RCU read-side section.
 * Return: 0, or
 *  * -EINVAL     - NULL argument
 *  * -ENODEV     - @dev has no iommu group
 *  * -EOVERFLOW  - @mm already has a PASID >= @dev's max_pasids
 *  * -ENOSPC     - no global PASID left in 1 .. max_pasids-1 (also for a
 *                  device with max_pasids <= 1)
 *  * -EBUSY      - the PASID holds a domain of another type, an SVA domain
 *                  of another process, or a bare domain
 *  * -EOPNOTSUPP - the IOMMU has no SVA support
 *  * -ENOMEM     - allocation failed
 *  On error no bond, domain or PASID attachment is left; only the process's
 *  PASID stays allocated (above).
 */
TCESIM_EXPORT int tcesim_iommu_sva_bind_device(struct tcesim_device *dev, struct tcesim_mm *mm,
					       struct tcesim_iommu_sva **out);

/**
 * tcesim_iommu_sva_unbind_device() - Drop one user of an SVA bond
 * @handle: bond from tcesim_iommu_sva_bind_device(), or NULL
 *
 * The last user detaches the PASID and frees the handle after a grace
 * period; the last bond of an SVA domain frees the domain (mmdrop). The
 * PASID stays with the process until its mm is dropped (mm_pasid_drop).
 * Contract (upstream): the device issues no more DMA on the PASID and its
 * page requests were flushed (tcesim_iopf_queue_flush_dev()).
 *
 * Models: drivers/iommu/iommu-sva.c: iommu_sva_unbind_device().
 * Context: takes the SVA lock, then the group mutex.
 * Return: nothing.
 */
TCESIM_EXPORT void tcesim_iommu_sva_unbind_device(struct tcesim_iommu_sva *handle);

/**
 * tcesim_iommu_sva_get_pasid() - PASID of a bond
 * @handle: bond
 *
 * Models: drivers/iommu/iommu-sva.c: iommu_sva_get_pasid().
 * Context: any registered thread holding the bond.
 * Return: the PASID, or TCESIM_IOMMU_PASID_INVALID for a NULL @handle.
 */
TCESIM_EXPORT uint32_t tcesim_iommu_sva_get_pasid(const struct tcesim_iommu_sva *handle);

/**
 * tcesim_iommu_sva_users() - Users of a bond (binds not yet unbound)
 * @handle: bond
 *
 * Models: struct iommu_sva.users (refcount_t).
 * Context: any registered thread holding the bond.
 * Return: the count, 0 for a NULL @handle.
 */
TCESIM_EXPORT unsigned int tcesim_iommu_sva_users(const struct tcesim_iommu_sva *handle);

/**
 * tcesim_iommu_global_pasids_in_use() - Global PASIDs currently allocated
 * @w: world
 *
 * Models: none (balance oracle over iommu_global_pasid_ida).
 * Context: takes the PASID allocator lock.
 * Return: the count (0 without any SVA state).
 */
TCESIM_EXPORT long tcesim_iommu_global_pasids_in_use(struct tcesim_world *w);

/* -------------------------------------------------------- page faults --- */

/* include/linux/iommu.h: struct iommu_fault_page_request flags */
#define TCESIM_IOMMU_FAULT_PAGE_REQUEST_PASID_VALID	(1u << 0)
#define TCESIM_IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE	(1u << 1)
#define TCESIM_IOMMU_FAULT_PAGE_RESPONSE_NEEDS_PASID	(1u << 3)
/* include/linux/iommu.h: IOMMU_FAULT_PERM_* */
#define TCESIM_IOMMU_FAULT_PERM_READ	(1u << 0)
#define TCESIM_IOMMU_FAULT_PERM_WRITE	(1u << 1)
#define TCESIM_IOMMU_FAULT_PERM_EXEC	(1u << 2)
#define TCESIM_IOMMU_FAULT_PERM_PRIV	(1u << 3)

/**
 * enum tcesim_iommu_page_response_code - the kernel's enum iommu_page_response_code
 * @TCESIM_IOMMU_PAGE_RESP_SUCCESS: fault handled; the device retries
 * @TCESIM_IOMMU_PAGE_RESP_INVALID: could not handle; do not retry
 * @TCESIM_IOMMU_PAGE_RESP_FAILURE: general failure; disable PRI
 *
 * Models: include/linux/iommu.h (values kept; VT-d sends 0x0, 0x1, 0xf).
 */
enum tcesim_iommu_page_response_code {
	TCESIM_IOMMU_PAGE_RESP_SUCCESS = 0,
	TCESIM_IOMMU_PAGE_RESP_INVALID = 1,
	TCESIM_IOMMU_PAGE_RESP_FAILURE = 2,
};

/**
 * struct tcesim_iommu_fault - one page request, as the PRQ layer reports it
 * @flags: TCESIM_IOMMU_FAULT_PAGE_REQUEST_* (PASID_VALID, LAST_PAGE)
 * @pasid: PASID, meaningful with PASID_VALID
 * @grpid: page request group index (PRG index, 9 bits on VT-d)
 * @perm:  TCESIM_IOMMU_FAULT_PERM_* requested
 * @addr:  faulting address in bytes (page aligned by the reporter)
 *
 * Models: include/linux/iommu.h: struct iommu_fault_page_request.
 */
struct tcesim_iommu_fault {
	uint32_t flags;
	uint32_t pasid;
	uint32_t grpid;
	uint32_t perm;
	uint64_t addr;
};

/**
 * struct tcesim_iommu_page_response - a page group response sent to a device
 * @pasid: PASID of the group's last request (with PASID_VALID)
 * @grpid: PRG index
 * @code:  enum tcesim_iommu_page_response_code
 * @pasid_valid: the response carries a PASID
 */
struct tcesim_iommu_page_response {
	uint32_t pasid;
	uint32_t grpid;
	uint32_t code;
	bool pasid_valid;
};

/**
 * tcesim_iommu_report_device_fault() - Report a page request from a device
 * @dev:   device that sent it
 * @fault: the request
 *
 * A request without LAST_PAGE is kept on the device's partial list and gets
 * no response. The last request of a group collects the partials with the
 * same PRG index and queues the group on the device; the queue runs at
 * tcesim_iopf_queue_flush_dev(), handling each request against the
 * process's address space (errors are sticky) and sending one response.
 * A PASID with no attach handle, or a domain without an iopf handler, or a
 * device without PRI, gets an INVALID response at once, for every request
 * (upstream's iopf_error_response(): a non-last request is answered too,
 * with its own LPIG clear); legacy_2024, legacy_2020 and legacy_2019
 * answer only the last request.
 *
 * Models: drivers/iommu/io-pgfault.c: iommu_report_device_fault() (2025). Upstream
 *         returns void since v6.9; the codes below are tcesim's telemetry.
 * Context: RCU lookup of the handle, then the device's iopf lock. Not inside
 *          an RCU read-side section.
 * Return: 0 (kept as partial, or queued), or
 *  * -EINVAL - NULL argument; or no handler: INVALID response sent (the
 *              PASID's handle is missing, handle-less, its domain has no
 *              iopf handler, or @dev has no PRI/group; legacy_2019/2020/
 *              2024: only for a LAST_PAGE request)
 *  * -ENOMEM - partial request could not be stored (no response), or the
 *              group could not be allocated (FAILURE response sent,
 *              "iopf with pasid %d aborted" logged)
 */
TCESIM_EXPORT int tcesim_iommu_report_device_fault(struct tcesim_device *dev,
						   const struct tcesim_iommu_fault *fault);

/**
 * tcesim_iopf_queue_flush_dev() - Run every queued fault group of a device
 * @dev: device
 *
 * Deterministic: groups run in report order on the calling thread; each
 * sends its response before this returns.
 *
 * Models: drivers/iommu/io-pgfault.c: iopf_queue_flush_dev() (plus the work
 *         it waits for: iommu_sva_handle_iopf()).
 * Context: takes the device's iopf lock and the processes' mm locks. Not
 *          inside an RCU read-side section.
 * Return: 0, or -EINVAL for a NULL @dev, -ENODEV for a device without PRI.
 */
TCESIM_EXPORT int tcesim_iopf_queue_flush_dev(struct tcesim_device *dev);

/**
 * tcesim_iopf_queue_discard_partial() - Drop a device's incomplete fault groups
 * @dev: device
 *
 * Models: drivers/iommu/io-pgfault.c: iopf_queue_discard_partial() (per device
 *         here; upstream walks every device of the queue).
 * Context: takes the device's iopf lock.
 * Return: number of requests dropped, or -EINVAL for a NULL @dev.
 */
TCESIM_EXPORT int tcesim_iopf_queue_discard_partial(struct tcesim_device *dev);

/**
 * tcesim_iommu_device_page_response() - Last response a device got for a PRG index
 * @dev:   device
 * @grpid: PRG index
 * @out:   the response
 *
 * The device remembers its last 256 responses.
 *
 * Models: none (observes the page group response descriptors).
 * Context: takes the device's iopf lock.
 * Return: 0, or -EINVAL for NULL arguments, -ENOENT when none is remembered.
 */
TCESIM_EXPORT int tcesim_iommu_device_page_response(struct tcesim_device *dev, uint32_t grpid,
						    struct tcesim_iommu_page_response *out);

/**
 * tcesim_iommu_device_nr_responses() - Page group responses a device received
 * @dev: device
 *
 * Models: none.
 * Context: takes the device's iopf lock.
 * Return: the count since the device was created, or -EINVAL for NULL.
 */
TCESIM_EXPORT long tcesim_iommu_device_nr_responses(struct tcesim_device *dev);

/**
 * tcesim_iopf_nr_partial() - Requests waiting on a device's partial list
 * @dev: device
 *
 * Models: none (iopf_param->partial length).
 * Context: takes the device's iopf lock.
 * Return: the count, or -EINVAL for NULL.
 */
TCESIM_EXPORT long tcesim_iopf_nr_partial(struct tcesim_device *dev);

#ifdef __cplusplus
}
#endif

/* Names, links, immutable capabilities: read-only views (own header). */
#include <tcesim/sva_inspect.h>

#endif /* TCESIM_SVA_H */
