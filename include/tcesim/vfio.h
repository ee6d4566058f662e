/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tcesim/vfio.h - the VFIO sPAPR TCE IOMMU driver (containers v1/v2), memory
 * preregistration (mm_iommu_*) and the KVM <-> VFIO linkage
 * (KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE).
 *
 * A container is what /dev/vfio/vfio becomes after VFIO_SET_IOMMU with
 * VFIO_SPAPR_TCE_IOMMU (v1) or VFIO_SPAPR_TCE_v2_IOMMU (v2). Groups are PEs
 * (struct tcesim_pe, tcesim/phb.h): attaching one takes the PE's DMA windows
 * away from the kernel (ownership), detaching gives them back. ioctls take
 * the UAPI structs of <linux/vfio.h> unchanged, by address, as the kernel
 * takes a user pointer; "copy_from_user" of a NULL pointer fails -EFAULT.
 *
 * Preregistered memory (v2) is per process: regions of user memory pinned
 * once (REGISTER_MEMORY), translated without pinning on every MAP_DMA and
 * by KVM's in-kernel H_PUT_TCE. Each region counts its container users
 * (`used`) and its live TCEs (`mapped`, which starts at 1: 1 means none).
 *
 * Units: ua/vaddr/iova/hpa/size are bytes; entries are host PAGE_SIZE pages
 * (the world's host_page_shift); pageshift/page_shift are log2 bytes.
 */
#ifndef TCESIM_VFIO_H
#define TCESIM_VFIO_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/vfio.h>
#include <tcesim/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct tcesim_mm;
struct tcesim_pe;
struct tcesim_kvm;
struct tcesim_iommu_table;

/** struct tcesim_mm_iommu_region - one preregistered region (opaque) */
struct tcesim_mm_iommu_region;
/** struct tcesim_tce_container - one VFIO sPAPR TCE container (opaque) */
struct tcesim_tce_container;

/* mm_iommu_newdev()'s "no device memory" marker (MM_IOMMU_TABLE_INVALID_HPA) */
#define TCESIM_MM_IOMMU_INVALID_HPA (~0ULL)

/**
 * struct tcesim_mm_iommu_info - a preregistered region as tests see it
 * @ua: first user address, bytes
 * @entries: host pages
 * @used: container references (mm_iommu_get/put)
 * @mapped: 1 + live TCEs pointing into the region; 0 once the last put ran
 * @pageshift: largest IOMMU page shift the region can back (min over pages)
 * @dev_hpa: device memory base, or TCESIM_MM_IOMMU_INVALID_HPA
 * @dirty_pages: pages whose MM_IOMMU_TABLE_GROUP_PAGE_DIRTY bit is set
 */
struct tcesim_mm_iommu_info {
	uint64_t ua;
	uint64_t entries;
	long used;
	long mapped;
	unsigned int pageshift;
	uint64_t dev_hpa;
	uint64_t dirty_pages;
};

/**
 * tcesim_mm_iommu_new() - Preregister (pin) user memory of a process
 * @mm: process
 * @ua: first user address, bytes (the caller checks PAGE_SIZE alignment)
 * @entries: host pages
 * @pmem: out, the region with used = 1 and mapped = 1
 *
 * Charges @entries to locked_vm, pins every page for writing (longterm),
 * computes the region's pageshift (natural alignment of @ua and the size,
 * lowered to PAGE_SHIFT by any page that is not part of a bigger hugetlb
 * page), then inserts the region into the process's RCU list.
 *
 * Models: arch/powerpc/mm/book3s64/iommu_api.c: mm_iommu_new() ->
 *         mm_iommu_do_alloc(), mm_iommu_adjust_locked_vm().
 * Context: takes the world's mem_list mutex, mm->lock; not inside an RCU
 *          read-side section.
 * Checks run in upstream's order: the locked_vm charge, the hpas array,
 * the pins, the overlap; there is no range check of its own.
 *
 * Return: 0, or
 *  * -EINVAL - NULL argument, or [@ua, @ua + @entries pages) overlaps a
 *              region of @mm (found after pinning; everything is undone)
 *  * -ENOMEM - locked_vm would exceed RLIMIT_MEMLOCK without CAP_IPC_LOCK,
 *              @entries is 0 (vzalloc(0) fails upstream) or its hpas array
 *              would not fit the host's RAM (vzalloc(array_size()): so a
 *              hostile @entries whose bytes overflow), or allocation failed
 *  * -EFAULT - a page could not be pinned (unmapped, not writable, past
 *              the top of the address space): every page pinned so far is
 *              unpinned and locked_vm restored
 *  * > 0     - quirks=upstream only, instead of -EFAULT when the failing
 *              pin_user_pages() call of upstream's chunked loop (chunks of
 *              (1 << (PAGE_SHIFT + MAX_PAGE_ORDER)) / 8 pages) pinned some
 *              pages of its chunk first: their number (upstream returns
 *              that call's value); everything is undone all the same
 *  On error nothing is changed.
 */
TCESIM_EXPORT int tcesim_mm_iommu_new(struct tcesim_mm *mm, uint64_t ua, uint64_t entries,
				      struct tcesim_mm_iommu_region **pmem);

/**
 * tcesim_mm_iommu_newdev() - Preregister device memory (no struct pages)
 * @mm: process
 * @ua: user address of the device memory mapping, bytes
 * @entries: host pages
 * @dev_hpa: host physical address of the device memory, bytes
 * @pmem: out, the region
 *
 * Nothing is pinned or charged; pageshift is the natural alignment of
 * @dev_hpa and the size. xchg_no_kill does not dirty TCEs pointing here
 * (mm_iommu_is_devmem()).
 *
 * Models: arch/powerpc/mm/book3s64/iommu_api.c: mm_iommu_newdev().
 * Context: as tcesim_mm_iommu_new().
 * Return: 0 (also for @entries 0: upstream allocates no array for device
 *         memory, so nothing fails), or -EINVAL (NULL argument, overlap, a
 *         size or range that does not fit the address space: a tcesim
 *         guard, upstream has none), -ENOMEM (allocation).
 */
TCESIM_EXPORT int tcesim_mm_iommu_newdev(struct tcesim_mm *mm, uint64_t ua, uint64_t entries,
					 uint64_t dev_hpa, struct tcesim_mm_iommu_region **pmem);

/**
 * tcesim_mm_iommu_get() - Find a region by exact (ua, entries) and take a use
 * @mm: process
 * @ua: first user address, bytes
 * @entries: host pages
 * @pmem: out, the region (its used count incremented)
 *
 * Models: arch/powerpc/mm/book3s64/iommu_api.c: mm_iommu_get().
 * Context: takes the mem_list mutex.
 * Return: 0, or -ENOENT when no region of @mm has exactly that start and
 *         size (upstream returns NULL), -EINVAL for a NULL argument.
 */
TCESIM_EXPORT int tcesim_mm_iommu_get(struct tcesim_mm *mm, uint64_t ua, uint64_t entries,
				      struct tcesim_mm_iommu_region **pmem);

/**
 * tcesim_mm_iommu_put() - Drop a use of a region; the last one frees it
 * @mm: process the region belongs to
 * @mem: region
 *
 * The last use frees the region only when no TCE points into it (mapped
 * goes 1 -> 0 by compare-and-swap, after which tcesim_mm_iommu_mapped_inc()
 * fails); it is unlinked at once and after a grace period its pages are
 * unpinned (and dirtied where the region's dirty bit is set), and locked_vm
 * is uncharged.
 *
 * Models: arch/powerpc/mm/book3s64/iommu_api.c: mm_iommu_put(),
 *         mm_iommu_release(), mm_iommu_free() (call_rcu).
 * Context: takes the mem_list mutex; not inside an RCU read-side section.
 * Return: 0, or
 *  * -ENOENT - the region has no users left (used is already 0)
 *  * -EBUSY  - last user, but TCEs still map the region: the use is given
 *              back (used stays 1), nothing changes
 *  * -EINVAL - NULL argument
 */
TCESIM_EXPORT int tcesim_mm_iommu_put(struct tcesim_mm *mm, struct tcesim_mm_iommu_region *mem);

/**
 * tcesim_mm_iommu_lookup() - Region fully containing a user range
 * @mm: process
 * @ua: user address, bytes
 * @size: bytes
 * @pmem: out, the region (no reference is taken)
 *
 * Models: arch/powerpc/mm/book3s64/iommu_api.c: mm_iommu_lookup().
 * Context: RCU read side taken inside; the region stays valid while the
 *          caller holds a use of it or a mapped count, or stays in an RCU
 *          read-side section of its own.
 * The test is upstream's, overflow included: a region matches when it
 * starts at or below @ua and @ua + @size (computed modulo 2^64) does not
 * pass its end, so a range that wraps matches the newest region starting
 * at or below @ua, whether it holds @ua or not (translating through it
 * then fails: tcesim_mm_iommu_ua_to_hpa() -EFAULT).
 *
 * Return: 0, or -ENOENT when no region matches, -EINVAL for a NULL
 *         argument.
 */
TCESIM_EXPORT int tcesim_mm_iommu_lookup(struct tcesim_mm *mm, uint64_t ua, uint64_t size,
					 struct tcesim_mm_iommu_region **pmem);

/**
 * tcesim_mm_iommu_ua_to_hpa() - Translate a user address inside a region
 * @mem: region
 * @ua: user address, bytes
 * @pageshift: IOMMU page shift the caller wants to map with
 * @hpa: out, host physical address of the byte at @ua
 *
 * Models: arch/powerpc/mm/book3s64/iommu_api.c: mm_iommu_ua_to_hpa().
 * Context: lock free.
 * Return: 0, or -EFAULT when @ua is outside the region or @pageshift is
 *         bigger than the region's pageshift (-EINVAL for NULL arguments).
 */
TCESIM_EXPORT int tcesim_mm_iommu_ua_to_hpa(struct tcesim_mm_iommu_region *mem, uint64_t ua,
					    unsigned int pageshift, uint64_t *hpa);

/**
 * tcesim_mm_iommu_mapped_inc() - Count one more TCE pointing into a region
 * @mem: region
 *
 * Models: arch/powerpc/mm/book3s64/iommu_api.c: mm_iommu_mapped_inc()
 *         (atomic64_inc_not_zero).
 * Context: lock free.
 * Return: 0, or -ENXIO once the last tcesim_mm_iommu_put() ran ("no more
 *         mappings allowed"), -EINVAL for NULL.
 */
TCESIM_EXPORT int tcesim_mm_iommu_mapped_inc(struct tcesim_mm_iommu_region *mem);

/**
 * tcesim_mm_iommu_mapped_dec() - Count one TCE less; never below 1
 * @mem: region, or NULL (no-op)
 *
 * Models: arch/powerpc/mm/book3s64/iommu_api.c: mm_iommu_mapped_dec()
 *         (atomic64_add_unless(mapped, -1, 1)).
 * Context: lock free.
 * Return: nothing.
 */
TCESIM_EXPORT void tcesim_mm_iommu_mapped_dec(struct tcesim_mm_iommu_region *mem);

/**
 * tcesim_mm_iommu_is_devmem() - Whether an hpa is preregistered device memory
 * @mm: process
 * @hpa: host physical address, bytes
 * @pageshift: IOMMU page shift
 * @size: out (may be NULL): min(1 << @pageshift, bytes left in the region)
 *
 * Models: arch/powerpc/mm/book3s64/iommu_api.c: mm_iommu_is_devmem().
 * Context: RCU read side taken inside.
 * Return: true when a device-memory region of @mm contains @hpa.
 */
TCESIM_EXPORT bool tcesim_mm_iommu_is_devmem(struct tcesim_mm *mm, uint64_t hpa,
					     unsigned int pageshift, uint64_t *size);

/**
 * tcesim_mm_iommu_ua_mark_dirty() - Set the region's dirty bit of a page
 * @mm: process
 * @ua: user address, bytes
 *
 * The bit makes the final free SetPageDirty() the page. Upstream only the
 * KVM real-mode path (2016-2022) set it; modern xchg dirties directly.
 *
 * Models: arch/powerpc/mm/book3s64/iommu_api.c: mm_iommu_ua_mark_dirty_rm().
 * Context: RCU read side taken inside; atomic bit set.
 * Return: 0, or -ENOENT when no normal (not device) region contains @ua,
 *         -EINVAL for NULL.
 */
TCESIM_EXPORT int tcesim_mm_iommu_ua_mark_dirty(struct tcesim_mm *mm, uint64_t ua);

/**
 * tcesim_mm_iommu_get_info() - Counters and geometry of a region
 * @mem: region
 * @info: out
 *
 * Models: none (oracle: the fields of mm_iommu_table_group_mem_t).
 * Context: atomic snapshots; the caller keeps @mem alive.
 * Return: 0, or -EINVAL for NULL.
 */
TCESIM_EXPORT int tcesim_mm_iommu_get_info(struct tcesim_mm_iommu_region *mem,
					   struct tcesim_mm_iommu_info *info);

/**
 * tcesim_mm_iommu_count() - Number of preregistered regions of a process
 * @mm: process
 *
 * Models: none (oracle: the length of mm->context.iommu_group_mem_list).
 * Context: RCU read side taken inside.
 * Return: regions (>= 0), or -EINVAL for NULL.
 */
TCESIM_EXPORT long tcesim_mm_iommu_count(struct tcesim_mm *mm);

/* --------------------------------------------------------- container --- */

/**
 * struct tcesim_tce_container_info - a container's state (oracle)
 * @v2: VFIO_SPAPR_TCE_v2_IOMMU
 * @enabled: ENABLE ran (v1) or memory was registered (v2)
 * @def_window_pending: the default 32-bit window is created on first use
 * @locked_pages: locked_vm charged by ENABLE (v1), host pages
 * @nr_groups: attached groups (PEs)
 * @windows: bitmap of the container's tables (bit n: window n)
 * @nr_prereg: regions on the container's prereg list
 * @has_mm: the container is bound to a process (tce_iommu_mm_set)
 */
struct tcesim_tce_container_info {
	bool v2;
	bool enabled;
	bool def_window_pending;
	unsigned long locked_pages;
	unsigned int nr_groups;
	unsigned int windows;
	unsigned int nr_prereg;
	bool has_mm;
};

/**
 * tcesim_tce_iommu_open() - Create a container (VFIO_SET_IOMMU)
 * @w: world
 * @arg: VFIO_SPAPR_TCE_IOMMU (2) or VFIO_SPAPR_TCE_v2_IOMMU (7)
 * @out: the container; close with tcesim_tce_iommu_release()
 *
 * Models: drivers/vfio/vfio_iommu_spapr_tce.c: tce_iommu_open().
 * Context: any registered thread.
 * Return: 0, or
 *  * -EINVAL - @arg is another IOMMU type (message "tce_vfio: Wrong IOMMU
 *              type"), or @w/@out NULL
 *  * -ENOMEM - allocation failed
 */
TCESIM_EXPORT int tcesim_tce_iommu_open(struct tcesim_world *w, unsigned long arg,
					struct tcesim_tce_container **out);

/**
 * tcesim_tce_iommu_ioctl() - An ioctl on the container fd
 * @container: container
 * @current_mm: the calling process (current->mm)
 * @cmd: VFIO_CHECK_EXTENSION, VFIO_IOMMU_SPAPR_TCE_GET_INFO,
 *	VFIO_IOMMU_MAP_DMA, VFIO_IOMMU_UNMAP_DMA, VFIO_IOMMU_SPAPR_REGISTER_MEMORY,
 *	VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, VFIO_IOMMU_ENABLE, VFIO_IOMMU_DISABLE,
 *	VFIO_EEH_PE_OP, VFIO_IOMMU_SPAPR_TCE_CREATE, VFIO_IOMMU_SPAPR_TCE_REMOVE
 * @arg: CHECK_EXTENSION: the extension; otherwise the address of the
 *	<linux/vfio.h> struct (copied in and, where upstream does, out)
 *
 * Checks run in upstream's order. CHECK_EXTENSION: 1 for VFIO_SPAPR_TCE_IOMMU,
 * VFIO_SPAPR_TCE_v2_IOMMU and VFIO_EEH (the simulated host has EEH), else 0.
 * Every other ioctl first fails -EPERM when the container is bound to a
 * process other than @current_mm. MAP_DMA and UNMAP_DMA take no container
 * lock (one atomic exchange per TCE, RCU-protected windows); they pin in
 * @current_mm (v1) or translate through its preregistered memory (v2), map
 * vaddr -> iova with READ = device reads (DMA_TO_DEVICE), WRITE = device
 * writes, then kill the TCE cache once for the range. Overwriting a live TCE
 * releases the old page (unpinned v1 / mapped-- v2) and dirties it when it
 * was writable (seed 000). locked_vm: v1 ENABLE charges the whole 32-bit
 * window (Q9); v2 charges preregistered pages; every window charges its
 * table size (hardware + userspace copy).
 *
 * Quirks (world option quirks=): Q1 an unaligned iova inside a window:
 * safe -EINVAL, nothing changed; upstream returns 1 (the boolean
 * iommu_tce_put_param_check/iommu_tce_clear_param_check macros of
 * arch/powerpc/include/asm/iommu.h, an upstream bug). UNMAP running past the window
 * end: modern iommu_tce_check_ioba() (with its npages fix) refuses it: safe
 * -EINVAL, upstream 1 (the boolean macro), nothing changed; Q2 (flavours
 * legacy_2013/2015/2016, the pre-fix form): safe -EINVAL, upstream clamps
 * to the window end (returns 0). Q3 v1 MAP on a page smaller than the IOMMU page: safe unpins
 * it; upstream leaks the pin. Q4 UNREGISTER of a region with live TCEs:
 * safe -EBUSY, nothing changed; upstream returns 0 and leaves the region
 * orphaned (used 1, still pinned, freed only at world teardown). Q5 v2 MAP
 * on a region being unregistered: safe -ENXIO with nothing mapped; upstream
 * returns 0 having mapped the pages before it. Short pin (REGISTER over a
 * range mapped only in part): safe -EFAULT; upstream returns the positive
 * count of tcesim_mm_iommu_new(), nothing changed either way. v2 MAP whose
 * TCE exchange fails (a level that cannot be allocated): safe gives the
 * region's mapped count back; upstream (tce_iommu_build_v2() calls
 * tce_iommu_unuse_page_v2() on a shadow entry not yet written) keeps it
 * raised, so the region can no longer be unregistered; the entries written
 * before are cleared in both. EEH_PE_OP without a group: 0, the argument
 * unread (the per-group loop does not run). TCE_CREATE (issue 8.4, as
 * tce_iommu_create_table()): the size from get_table_size (which checks
 * only levels and a power-of-two window) is charged to locked_vm before
 * create_table runs; when create_table then fails (a geometry it refuses:
 * -EINVAL; a level block above MAX_PAGE_ORDER: -ENOMEM) safe gives the
 * charge back, upstream keeps it (upstream's leak; flavours legacy_2013/
 * 2015/2016 give it back in both modes, as the code of their era). Windows
 * below one IOMMU page are accepted as upstream (0x200 bytes at 4K pages:
 * 512 entries).
 *
 * Models: drivers/vfio/vfio_iommu_spapr_tce.c: tce_iommu_ioctl() (modern:
 *         2022 borrowing ops + 2020 body) and its helpers.
 * Context: takes the container lock (not for MAP/UNMAP), mem_list mutex,
 *          phb->lock, mm->lock; RCU read side inside; registered thread.
 * Return: 0 (CHECK_EXTENSION: 0 or 1; Q1 under quirks=upstream: 1; a
 * short pin of REGISTER under quirks=upstream: the pages pinned), or,
 * checked in this order:
 *  * -ENOTTY - unknown @cmd; REGISTER/UNREGISTER/TCE_CREATE/TCE_REMOVE on
 *              v1; ENABLE/DISABLE on v2
 *  * -EPERM  - bound to another process; MAP/UNMAP before ENABLE (v1) or
 *              REGISTER (v2); UNREGISTER before any REGISTER (no mm); ENABLE
 *              with a zero 32-bit window; a group lacks a window op (cannot
 *              happen with tcesim's PHBs); MAP: the backing page (v1) or the
 *              region (v2) is smaller than the IOMMU page
 *  * -ENXIO  - GET_INFO/TCE_CREATE/TCE_REMOVE without a group; MAP/UNMAP:
 *              iova in no window; Q5 (safe)
 *  * -EFAULT - @arg NULL (copy_from_user/copy_to_user); v1 MAP: a page
 *              cannot be pinned (unmapped, or read-only for a device write)
 *  * -EINVAL - argsz below the minimum (GET_INFO 16, MAP 32, UNMAP 24,
 *              REGISTER 24, CREATE 40, REMOVE 16, EEH 12, EEH INJECT_ERR
 *              40, after the op check); flags other than
 *              READ|WRITE (MAP) or non-zero (others); MAP/UNMAP size or
 *              vaddr not IOMMU-page aligned, MAP with neither READ nor WRITE,
 *              v2 MAP outside preregistered memory; REGISTER/UNREGISTER
 *              vaddr/size not PAGE_SIZE aligned or wrapping, overlap with
 *              another region; TCE_CREATE page size not in pgsizes, levels
 *              0 or > 5 or a window not a power of two (table size 0, before
 *              any charge), or a geometry create_table refuses (after the
 *              charge); TCE_REMOVE start_addr in no window; Q2 (safe);
 *              unknown EEH op, INJECT_ERR error function outside 0..19
 *              (arch/powerpc/kernel/eeh.c: eeh_pe_inject_err())
 *  * -EBUSY  - ENABLE twice; REGISTER of a region already registered in
 *              this container; Q4 (safe)
 *  * -ENODEV - ENABLE without a group; default window needed but no group
 *  * -ENOENT - UNREGISTER of a region that does not exist or is not this
 *              container's
 *  * -ENOSPC - TCE_CREATE with both windows in use
 *  * -ENOMEM - locked_vm over RLIMIT_MEMLOCK (ENABLE, REGISTER, window
 *              tables), allocation failure, a TCE level block above the
 *              world's MAX_PAGE_ORDER (TCE_CREATE, after the charge)
 *  A failing ioctl changes nothing, except the documented partial Q5
 *  (upstream), the v2 exchange-failure count leak (upstream) and a MAP
 *  whose later page fails (the pages done are undone).
 */
TCESIM_EXPORT long tcesim_tce_iommu_ioctl(struct tcesim_tce_container *container,
					  struct tcesim_mm *current_mm, unsigned int cmd,
					  unsigned long arg);

/**
 * tcesim_tce_iommu_attach_group() - Put a group in the container (VFIO_GROUP_SET_CONTAINER)
 * @container: container
 * @pe: the group's PE
 *
 * VFIO core first refuses a group that is in a container already, then
 * claims the group's DMA ownership for the container
 * (tcesim_pe_claim_dma_owner(): the blocked domain runs the table group's
 * take_ownership). Then the driver's checks, in B7's order, and every
 * table the container already has is programmed into the PE's windows
 * (the driver's tce_iommu_take_ownership(), which no longer takes the
 * table group itself); any driver failure unsets the windows and VFIO core
 * releases the claim (tcesim_pe_release_dma_owner(): IODA2 gets a fresh,
 * empty default window). The first group of a container without window 0
 * makes the default window pending.
 *
 * Models: drivers/vfio/container.c: vfio_container_attach_group()
 *         (iommu_group_claim_dma_owner(), then attach_group, on failure
 *         iommu_group_release_dma_owner()); drivers/vfio/group.c:
 *         vfio_group_ioctl_set_container() (-EINVAL);
 *         drivers/vfio/vfio_iommu_spapr_tce.c: tce_iommu_attach_group(),
 *         tce_iommu_take_ownership().
 * Context: takes the vfio lock, the container lock, phb->lock.
 * Return: 0, or
 *  * -EINVAL - @pe is in a container already (VFIO core), v2 on a PE
 *              without dynamic windows, a NULL argument, or the table ops
 *              cannot exchange (the claim's take_ownership)
 *  * -EPERM  - VFIO core's claim: a kernel driver is bound to a device of
 *              the group, or the group is claimed by another DMA owner;
 *              or (driver) the PE's table ops differ from the attached
 *              groups' ones ("incompatible")
 *  * -ENODEV - the group has no iommu data (cannot happen in tcesim)
 *  * -EBUSY  - the DMA API has mappings (the claim's take_ownership: "it_map
 *              is not empty"); or (driver) v1 with a group attached already
 *              (v1 tables are not shared), the group is attached already
 *  * -ENOMEM - allocation failed
 *  On error nothing is changed, except that a claim released after a driver
 *  failure leaves an IODA2 PE a freshly built default window.
 */
TCESIM_EXPORT int tcesim_tce_iommu_attach_group(struct tcesim_tce_container *container,
						struct tcesim_pe *pe);

/**
 * tcesim_tce_iommu_detach_group() - Take a group out (VFIO_GROUP_UNSET_CONTAINER)
 * @container: container
 * @pe: the group's PE
 *
 * KVM links of the PE are dropped, the container's windows are unset in the
 * PE and then VFIO core releases its DMA-owner claim
 * (tcesim_pe_release_dma_owner(): IODA2 rebuilds the kernel's default
 * window, borrowed tables are cleared and given back).
 * When it was the last group, every TCE the container mapped is cleared
 * (pins and mapped counts released) first, and tables borrowed from the
 * kernel (IODA1) are handed back: no user mapping survives the ownership
 * change.
 *
 * Models: drivers/vfio/vfio_iommu_spapr_tce.c: tce_iommu_detach_group(),
 *         tce_iommu_release_ownership(); drivers/vfio/container.c:
 *         vfio_group_detach_container() (detach_group, then
 *         iommu_group_release_dma_owner()); the 2014 driver's clear on detach;
 *         arch/powerpc/kvm/book3s_64_vio.c:
 *         kvm_spapr_tce_release_iommu_group().
 * Context: takes the vfio lock, the container lock, kvm->lock, phb->lock;
 *          waits for an RCU grace period.
 * Return: 0, or -EINVAL when @pe is not in @container (VFIO core: the group
 *         has no container; message "detaching unattached group") or an
 *         argument is NULL.
 */
TCESIM_EXPORT int tcesim_tce_iommu_detach_group(struct tcesim_tce_container *container,
						struct tcesim_pe *pe);

/**
 * tcesim_tce_iommu_release() - Close the container fd
 * @container: container, or NULL
 *
 * Detaches every group, clears and frees the remaining tables (locked_vm
 * back), drops every preregistered region of the container, undoes ENABLE
 * and unbinds the process. Pages are unpinned after an RCU grace period.
 *
 * Models: drivers/vfio/vfio_iommu_spapr_tce.c: tce_iommu_release().
 * Context: as tcesim_tce_iommu_detach_group(); nothing else may use
 *          @container.
 * Return: nothing.
 */
TCESIM_EXPORT void tcesim_tce_iommu_release(struct tcesim_tce_container *container);

/**
 * tcesim_tce_iommu_get_info() - State of a container
 * @container: container
 * @info: out
 *
 * Models: none (oracle: the fields of struct tce_container).
 * Context: takes the container lock.
 * Return: 0, or -EINVAL for NULL.
 */
TCESIM_EXPORT int tcesim_tce_iommu_get_info(struct tcesim_tce_container *container,
					    struct tcesim_tce_container_info *info);

/**
 * tcesim_tce_iommu_get_table() - A container window's table
 * @container: container
 * @num: window 0 or 1
 * @out: the table with a new reference (tcesim_iommu_tce_table_put())
 *
 * Models: none (container->tables[num] + iommu_tce_table_get()).
 * Context: RCU read side inside.
 * Return: 0, or -EINVAL (NULL, @num > 1), -ENOENT (no table there).
 */
TCESIM_EXPORT int tcesim_tce_iommu_get_table(struct tcesim_tce_container *container,
					     unsigned int num, struct tcesim_iommu_table **out);

/* -------------------------------------------------------- KVM linkage --- */

/**
 * tcesim_kvm_spapr_tce_attach_iommu_group() - Link a group's hardware table to a KVM LIOBN
 * @kvm: guest
 * @liobn: the KVM TCE table (tcesim names it by LIOBN; the kernel by fd)
 * @pe: the group's PE
 *
 * Picks the first of the PE's current window tables whose IOMMU page is not
 * bigger than the guest's TCE page, whose bus start equals the guest
 * window's and whose window is at least as big, and links it: from then on
 * KVM's H_PUT_TCE/_INDIRECT/H_STUFF_TCE map guest pages into it (one guest
 * TCE = 1 << (stt page_shift - it_page_shift) hardware entries) through the
 * process's preregistered memory, and the device sees the guest's
 * mappings. Guest memory that is not preregistered (or a table without a
 * userspace shadow: v1) gives H_TOO_HARD and QEMU answers. Linking the same
 * table again only counts one more link.
 *
 * Models: arch/powerpc/kvm/book3s_64_vio.c:
 *         kvm_spapr_tce_attach_iommu_group(), kvmppc_tce_iommu_do_map(),
 *         kvmppc_tce_iommu_do_unmap(), kvmppc_tce_iommu_mapped_dec(),
 *         kvmppc_clear_tce(), kvmppc_tce_validate()'s prereg check.
 * Context: takes the vfio kvm lock, kvm->lock; RCU read side inside. Not
 *          concurrently with the release of the same LIOBN.
 * Return: 0, or
 *  * -EBADF  - KVM has no table with @liobn (no such table fd)
 *  * -EINVAL - @kvm NULL, or no window table of @pe is compatible (page
 *              shift above the guest's, different bus start, or smaller
 *              window)
 *  * -EFAULT - @pe NULL (a group without iommu data; upstream WARNs)
 *  * -ENOTTY - the existing link is being destroyed (kref_get_unless_zero
 *              failed; cannot be observed in tcesim: links die under
 *              kvm->lock)
 *  * -ENOMEM - allocation failed (nothing linked)
 */
TCESIM_EXPORT int tcesim_kvm_spapr_tce_attach_iommu_group(struct tcesim_kvm *kvm, uint64_t liobn,
							  struct tcesim_pe *pe);

/**
 * tcesim_kvm_spapr_tce_release_iommu_group() - Drop a group's KVM links
 * @kvm: guest, or NULL for every guest
 * @pe: the group's PE
 *
 * Drops one link count for every successful attach of @pe; a table whose
 * last link goes is no longer updated by KVM's hypercalls.
 *
 * Models: arch/powerpc/kvm/book3s_64_vio.c:
 *         kvm_spapr_tce_release_iommu_group() (KVM_DEV_VFIO_GROUP_DEL).
 * Context: takes the vfio kvm lock, kvm->lock.
 * Return: links dropped (>= 0), or -EINVAL for a NULL @pe.
 */
TCESIM_EXPORT int tcesim_kvm_spapr_tce_release_iommu_group(struct tcesim_kvm *kvm,
							   struct tcesim_pe *pe);

#ifdef __cplusplus
}
#endif
#endif /* TCESIM_VFIO_H */
