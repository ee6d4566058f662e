/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tcesim/table.h - TCE tables: storage, the kernel DMA-API allocator and
 * ownership.
 *
 * A table translates IOMMU page numbers ("entries") to host physical pages.
 * Entries are absolute, as in the kernel: entry = ioba >> it_page_shift, and
 * a table covers [it_offset, it_offset + it_size). TCEs are big-endian
 * 64-bit values: host physical address | TCE_PCI_READ | TCE_PCI_WRITE.
 * Tables are 1 to 5 levels deep; levels below the top are allocated on
 * first use and installed with compare-and-swap.
 *
 * The operations that depend on the PHB (exchange, kill, device DMA) are in
 * tcesim/phb.h; a table made here alone gets the bare powernv storage ops
 * (pnv_tce_build/xchg/free/get) with no TCE cache to invalidate.
 */
#ifndef TCESIM_TABLE_H
#define TCESIM_TABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <tcesim/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct tcesim_iommu_table;

/**
 * struct tcesim_iommu_table_info - geometry and counters of a table
 * @it_offset: first entry (bus offset >> it_page_shift)
 * @it_size: number of entries (at least PAGE_SIZE / 8, see alloc_pages)
 * @it_page_shift: IOMMU page shift: 12, 16, 24 or 28
 * @levels: levels of the table (it_indirect_levels + 1)
 * @it_level_size: entries per level block
 * @levels_allocated: level blocks allocated in the hardware table, top
 *	level included (the userspace shadow is not counted)
 * @user_levels_allocated: level blocks of the userspace shadow table
 * @has_userspace: the table has a userspace shadow (it_userspace)
 * @has_it_map: iommu_init_table() ran (the DMA-API bitmap exists)
 * @nr_pools: DMA-API pools (1 or 4; 1 before iommu_init_table())
 * @kills: invalidation calls that reached at least one PE (SCENARIO.md
 *	`check kills`)
 * @it_index: table id (IODA2: phb number << 16 | PE number)
 * @refcount: current kref count
 */
struct tcesim_iommu_table_info {
	uint64_t it_offset;
	uint64_t it_size;
	unsigned int it_page_shift;
	unsigned int levels;
	uint64_t it_level_size;
	long levels_allocated;
	long user_levels_allocated;
	bool has_userspace;
	bool has_it_map;
	unsigned long nr_pools;
	uint64_t kills;
	unsigned long it_index;
	long refcount;
};

/**
 * tcesim_pnv_pci_ioda2_get_table_size() - Bytes a table would take
 * @w: world (its host PAGE_SIZE rounds level blocks)
 * @page_shift: IOMMU page shift (not checked, as upstream: VFIO checks it
 *	against the PE's pgsizes before)
 * @window_size: window size in bytes
 * @levels: number of levels, 1..5
 *
 * The sum over levels of the per-level allocation, doubled for the
 * userspace copy, as used for locked_vm accounting. As upstream, only
 * @levels and the power of two are checked: a geometry the table create
 * refuses still has a size (4 KiB window, 4K pages, 5 levels: five 4 KiB
 * blocks, doubled, 0xa000), and a window below one IOMMU page counts one
 * 0x1000-byte first level. Upstream's shifts are unsigned int and wrap; a
 * shift count of 64 or more (undefined in upstream's C: a window below 1/8
 * of an IOMMU page at several levels, or an absurd @page_shift) gives 0.
 *
 * Models: arch/powerpc/platforms/powernv/pci-ioda.c:
 *         pnv_pci_ioda2_get_table_size() (the memory_hotplug_max() check of
 *         the 2015-2018 form is not modelled).
 * Context: any thread; no locks.
 * Return: size in bytes, or 0 when @w is NULL, @levels is 0 or > 5,
 *         @window_size is not a power of two, or a shift count reaches 64.
 */
TCESIM_EXPORT unsigned long tcesim_pnv_pci_ioda2_get_table_size(struct tcesim_world *w,
								unsigned int page_shift,
								uint64_t window_size,
								unsigned int levels);

/**
 * tcesim_pnv_pci_ioda2_table_alloc_pages() - Allocate a TCE table
 * @w: world
 * @bus_offset: bus address of the window in bytes (it_offset = bus_offset >>
 *	@page_shift); must be aligned to the IOMMU page
 * @page_shift: IOMMU page shift: 12, 16, 24 or 28
 * @window_size: bytes; a power of two. A window below one IOMMU page (down
 *	to 1/8 of it) is accepted as upstream: it_size rounds up to PAGE_SIZE
 *	/ 8 entries (a 0x200-byte window at 4K pages: 512 entries); at more
 *	levels upstream's wrapped unsigned int arithmetic decides (0x200 at
 *	4K pages: 4 levels pass, 2, 3 and 5 fail the 55-bit check)
 * @levels: 1..5 (legacy_2015 flavour: 1 only, the era had no multi-level tables)
 * @alloc_userspace_copy: also create the userspace shadow table
 * @out: the table, holding one reference (tcesim_iommu_tce_table_put())
 *
 * Only the top level is allocated; lower levels come on first use.
 * level_shift = max(ceil(entries_shift / levels) + 3, PAGE_SHIFT), and
 * it_size is rounded up to PAGE_SIZE / 8 entries (a tiny window accepts
 * more entries than window_size suggests, as upstream). Each level block
 * is one physically contiguous allocation of order level_shift -
 * PAGE_SHIFT: above the world's MAX_PAGE_ORDER (tcesim_world_max_page_order(),
 * 16 MiB by default) it is -ENOMEM with the message "Failed to allocate a
 * TCE memory, level shift=N", e.g. a 1-level 16 GiB window at 4K pages
 * (32 MiB). The table uses the bare powernv storage ops (no invalidation);
 * PHB tables come from tcesim_pe_create_table() instead.
 *
 * Models: arch/powerpc/platforms/powernv/pci-ioda-tce.c:
 *         pnv_pci_ioda2_table_alloc_pages(), pnv_alloc_tce_level().
 * Context: any registered thread.
 * Return: 0, or
 *  * -EINVAL - @levels 0 or > 5 (or > 1 in legacy_2015), @window_size not a
 *              power of two or below 1/8 of an IOMMU page (upstream: a shift
 *              by 2^32 - n, undefined), @page_shift not one of 12/16/24/28,
 *              @bus_offset unaligned, (level_shift - 3) * levels +
 *              page_shift >= 55, or @out NULL
 *  * -ENOMEM - a level block above MAX_PAGE_ORDER, or the top level, shadow
 *              top level or table struct could not be allocated (nothing is
 *              left allocated)
 */
TCESIM_EXPORT int tcesim_pnv_pci_ioda2_table_alloc_pages(struct tcesim_world *w,
							 uint64_t bus_offset,
							 unsigned int page_shift,
							 uint64_t window_size, unsigned int levels,
							 bool alloc_userspace_copy,
							 struct tcesim_iommu_table **out);

/**
 * tcesim_pnv_tce_raw() - The stored slot of an entry, as raw big-endian bytes
 * @tbl: table
 * @user: read the userspace shadow table (it_userspace) instead of the
 *	hardware table
 * @entry: absolute entry
 * @raw: out, the slot's 8 bytes exactly as stored, no byte swap: on a
 *	little-endian host be64toh(*@raw) is the TCE (hpa | TCE_PCI_READ |
 *	TCE_PCI_WRITE) or the user address; 0 when the leaf block is missing
 *
 * Walks the levels without allocating, as pnv_tce(.., alloc=false).
 *
 * Models: arch/powerpc/platforms/powernv/pci-ioda-tce.c: the __be64 slot
 *         pnv_tce() returns (what pnv_tce_get() byte-swaps).
 * Context: any registered thread holding a table reference (lock free;
 *          racy against concurrent exchanges of the entry, as the hardware).
 * Return: 0, or
 *  * -ENOENT - the leaf block covering @entry is not allocated (*@raw = 0)
 *  * -EINVAL - @tbl or @raw NULL, @entry outside the table, or @user and
 *              the table has no shadow
 */
TCESIM_EXPORT int tcesim_pnv_tce_raw(struct tcesim_iommu_table *tbl, bool user, uint64_t entry,
				     uint64_t *raw);

/**
 * tcesim_pnv_tce_level_allocated() - Whether the level block covering an entry exists
 * @tbl: table
 * @user: the userspace shadow table instead of the hardware table
 * @entry: absolute entry
 * @level: level, numbered as pnv_tce() counts: levels - 1 (it_indirect_levels)
 *	is the top block, which always exists; 0 the leaf blocks holding TCEs
 *
 * Models: arch/powerpc/platforms/powernv/pci-ioda-tce.c: pnv_tce()'s walk
 *         (alloc=false), stopped at @level.
 * Context: any registered thread holding a table reference (lock free).
 * Return: 1 when allocated, 0 when not, -EINVAL when @tbl is NULL, @entry
 *         is outside the table, @level > it_indirect_levels, or @user and
 *         the table has no shadow.
 */
TCESIM_EXPORT int tcesim_pnv_tce_level_allocated(struct tcesim_iommu_table *tbl, bool user,
						 uint64_t entry, unsigned int level);

/**
 * tcesim_pnv_tce_level_blocks() - How many blocks of one level are allocated
 * @tbl: table
 * @user: the userspace shadow table instead of the hardware table
 * @level: as tcesim_pnv_tce_level_allocated() (levels - 1 = top, 0 = leaves)
 *
 * The sum over every level is struct tcesim_iommu_table_info's
 * levels_allocated (user_levels_allocated for @user).
 *
 * Models: the blocks pnv_alloc_tce_level() installed and
 *         pnv_pci_ioda2_table_do_free_pages() will free
 *         (arch/powerpc/platforms/powernv/pci-ioda-tce.c).
 * Context: any registered thread holding a table reference (lock free);
 *          exact when no level is being installed concurrently.
 * Return: the number of blocks (1 for the top level), or -EINVAL when @tbl
 *         is NULL, @level > it_indirect_levels, or @user and the table has
 *         no shadow.
 */
TCESIM_EXPORT long tcesim_pnv_tce_level_blocks(struct tcesim_iommu_table *tbl, bool user,
					       unsigned int level);

/**
 * tcesim_iommu_tce_table_get() - Take a reference on a table unless it is dying
 * @tbl: table
 *
 * Models: arch/powerpc/kernel/iommu.c: iommu_tce_table_get()
 *         (kref_get_unless_zero).
 * Context: any thread (atomic). The caller must otherwise keep @tbl's memory
 *          alive (own a reference or be in an RCU read-side section).
 * Return: @tbl, or NULL when the last reference is already gone.
 */
TCESIM_EXPORT struct tcesim_iommu_table *tcesim_iommu_tce_table_get(struct tcesim_iommu_table *tbl);

/**
 * tcesim_iommu_tce_table_put() - Drop a reference; the last one frees the table
 * @tbl: table, or NULL (warns, returns 0)
 *
 * The last put frees the level storage and the DMA-API bitmap after an RCU
 * grace period (device DMA walks tables under RCU). A bitmap still in use
 * is reported as upstream's pr_warn: "iommu_table_free: Unexpected TCEs".
 *
 * Models: arch/powerpc/kernel/iommu.c: iommu_tce_table_put() ->
 *         iommu_table_free().
 * Context: any registered thread; the table must be linked to no PE when
 *          its last reference goes (links hold references).
 * Return: 1 when this put released the table, else 0.
 */
TCESIM_EXPORT int tcesim_iommu_tce_table_put(struct tcesim_iommu_table *tbl);

/**
 * tcesim_iommu_table_get_info() - Geometry and counters of a table
 * @tbl: table
 * @info: out
 *
 * Models: none (oracle: the fields of struct iommu_table).
 * Context: any thread; counters are atomic snapshots.
 * Return: 0, or -EINVAL when an argument is NULL.
 */
TCESIM_EXPORT int tcesim_iommu_table_get_info(struct tcesim_iommu_table *tbl,
					      struct tcesim_iommu_table_info *info);

/**
 * tcesim_iommu_table_digest() - XXH3 digest of a table's state
 * @tbl: table
 *
 * Covers every non-zero TCE (entry and value), every non-zero shadow entry,
 * the number of level blocks and the DMA-API bitmap: equal digests before and
 * after a failed call mean it changed nothing.
 *
 * Models: none (state digest).
 * Context: any registered thread; meaningful when nothing runs concurrently.
 * Return: 64-bit digest (0 for a NULL @tbl).
 */
TCESIM_EXPORT uint64_t tcesim_iommu_table_digest(struct tcesim_iommu_table *tbl);

/**
 * tcesim_iommu_tce_check_ioba() - Range check of an IO bus address range
 * @page_shift: IOMMU page shift
 * @offset: table's first entry
 * @size: table's number of entries
 * @ioba: IO bus address in bytes of the first page
 * @npages: IOMMU pages of the range
 *
 * The form with upstream's overflow-validation fix (current stable
 * kernels): the first page and the whole range must be in the window.
 * tcesim_iommu_tce_check_ioba_prefix() is the form before the fix.
 *
 * Models: arch/powerpc/include/asm/iommu.h: iommu_tce_check_ioba().
 * Context: any thread.
 * Return: 0, or -EINVAL when @page_shift is 64 or more (upstream's
 *         1UL << page_shift is undefined), @ioba is not page aligned, its
 *         page is outside [@offset, @offset + @size), ioba/pagesize +
 *         @npages wraps, or
 *         ioba/pagesize - @offset + @npages > @size (the range runs past the
 *         window end).
 */
TCESIM_EXPORT int tcesim_iommu_tce_check_ioba(unsigned long page_shift, unsigned long offset,
					      unsigned long size, uint64_t ioba,
					      unsigned long npages);

/**
 * tcesim_iommu_tce_check_ioba_prefix() - iommu_tce_check_ioba() before its npages fix
 * @page_shift: IOMMU page shift
 * @offset: table's first entry
 * @size: table's number of entries
 * @ioba: IO bus address in bytes
 * @npages: ignored, as upstream before the fix (quirk Q2: only the first
 *	page is range checked)
 *
 * What VFIO uses under the eras before the fix (flavours legacy_2013,
 * legacy_2015, legacy_2016; the VFIO-unrelated legacy_2020/legacy_2024 are
 * modern for VFIO).
 *
 * Models: arch/powerpc/include/asm/iommu.h: iommu_tce_check_ioba() before
 *         the overflow-validation fix (2017-2024 form).
 * Context: any thread.
 * Return: 0, or -EINVAL when @page_shift is 64 or more (undefined
 *         upstream), @ioba is not page aligned or its page is outside
 *         [@offset, @offset + @size).
 */
TCESIM_EXPORT int tcesim_iommu_tce_check_ioba_prefix(unsigned long page_shift,
						     unsigned long offset, unsigned long size,
						     uint64_t ioba, unsigned long npages);

/**
 * tcesim_iommu_tce_check_gpa() - Alignment check of an address to map
 * @page_shift: IOMMU page shift
 * @gpa: address in bytes
 *
 * Models: arch/powerpc/include/asm/iommu.h: iommu_tce_check_gpa().
 * Context: any thread.
 * Return: 0, or -EINVAL when @gpa is not aligned to the IOMMU page or
 *         @page_shift is 64 or more (upstream's 1UL << page_shift is
 *         undefined; no IOMMU page is that large).
 */
TCESIM_EXPORT int tcesim_iommu_tce_check_gpa(unsigned long page_shift, uint64_t gpa);

/**
 * tcesim_iommu_useraddr_get() - Read the userspace shadow entry of an entry
 * @tbl: table with a userspace shadow
 * @entry: absolute entry
 * @ua: out, the user address stored (0 when the level is missing)
 *
 * Models: IOMMU_TABLE_USERSPACE_ENTRY_RO() -> pnv_tce_useraddrptr(alloc=false).
 * Context: any registered thread (atomic load).
 * Return: 0, or -EINVAL when @entry is outside the table, the table has no
 *         shadow (upstream WARNs and returns NULL) or its ops have no
 *         useraddrptr (legacy_2015 variants).
 */
TCESIM_EXPORT int tcesim_iommu_useraddr_get(struct tcesim_iommu_table *tbl, uint64_t entry,
					    uint64_t *ua);

/**
 * tcesim_iommu_useraddr_set() - Write the userspace shadow entry of an entry
 * @tbl: table with a userspace shadow
 * @entry: absolute entry
 * @ua: user address to store (0 clears)
 *
 * Storing 0 into a missing level allocates nothing.
 *
 * Models: IOMMU_TABLE_USERSPACE_ENTRY() -> pnv_tce_useraddrptr(alloc=true).
 * Context: any registered thread; callers serialise writers of one entry
 *          (upstream: the container lock).
 * Return: 0, or
 *  * -EINVAL - @entry outside the table, no shadow table, or no
 *              useraddrptr op (legacy_2015 variants)
 *  * -ENOMEM - a shadow level could not be allocated (nothing changed)
 */
TCESIM_EXPORT int tcesim_iommu_useraddr_set(struct tcesim_iommu_table *tbl, uint64_t entry,
					    uint64_t ua);

/**
 * tcesim_iommu_set_current_cpu() - Choose the CPU the calling thread runs on
 * @cpu: CPU number; selects the DMA-API pool (hash_32(cpu, 2)). Default 0.
 *
 * Models: the per-CPU iommu_pool_hash of arch/powerpc/kernel/iommu.c.
 * Context: any thread; thread-local.
 * Return: nothing.
 */
TCESIM_EXPORT void tcesim_iommu_set_current_cpu(unsigned int cpu);

/**
 * tcesim_iommu_init_table() - Set up the kernel DMA-API allocator of a table
 * @tbl: table with ops
 * @res_start: first absolute entry to reserve (MMIO32 hole), or 0
 * @res_end: end of the reserved range, exclusive, or 0
 *
 * Allocates it_map (one bit per entry), reserves entry 0 when it_offset is 0
 * and the clamped [@res_start, @res_end) (@res_end below @res_start: the
 * WARN_ON_ONCE's message "WARNING: iommu_table_reserve_pages: res_end ...
 * < res_start ...", nothing reserved beyond entry 0), makes 4 pools when the window is
 * at least 1 GiB (else 1) over the low three quarters and a large pool over
 * the top quarter, then clears every TCE through the table's clear op.
 *
 * Models: arch/powerpc/kernel/iommu.c: iommu_init_table(),
 *         iommu_table_reserve_pages(), iommu_table_clear() (not kdump).
 * Context: registered thread; nobody else may use the table's allocator
 *          until it returns.
 * Return: 0, or
 *  * -EINVAL - @tbl NULL or without ops (upstream BUG), or already initialised
 *  * -ENOMEM - the bitmap could not be allocated (upstream returns NULL
 *              after pr_err); nothing changed
 */
TCESIM_EXPORT int tcesim_iommu_init_table(struct tcesim_iommu_table *tbl, uint64_t res_start,
					  uint64_t res_end);

/**
 * tcesim_iommu_alloc() - Map pages for the kernel DMA API
 * @tbl: table set up by tcesim_iommu_init_table()
 * @hpa: host physical address in bytes of the first page (the sub-page
 *	offset is dropped, as iommu_alloc() does)
 * @npages: IOMMU pages to map; upstream's iommu_alloc() takes an unsigned
 *	int: above UINT_MAX quirks=upstream truncates it as upstream does
 *	(2^32 + 2 maps 2 pages, 2^32 is npages 0), quirks=safe refuses
 * @dir: DMA direction other than DMA_NONE (W implies R on powernv)
 * @dma_mask: device DMA mask in bytes (e.g. (1 << 32) - 1)
 * @align_order: alignment of the entry, log2 of IOMMU pages; an order above
 *	the table leaves index 0 as the only aligned candidate, 64 or more is
 *	refused (upstream's 1ull << align_order is undefined there)
 *
 * Finds a free range with the pool/hint/pass algorithm of iommu_range_alloc()
 * (npages > 15 uses the large pool first, then the small pools starting
 * after the calling CPU's hash pool, as upstream; hint rounded up to
 * it_blocksize 16; DMA mask limits the range and switches to pool 0), sets
 * the TCEs, and on a set failure frees the range again. The last entry
 * below each search limit is never handed out (lib/iommu-helper.c:
 * iommu_area_alloc(), "We don't want the last of the limit"). No range
 * crosses a 4 GiB segment boundary (tcesim_iommu_alloc_seg() for others).
 *
 * Models: arch/powerpc/kernel/iommu.c: iommu_alloc(), iommu_range_alloc().
 * Context: takes one pool spinlock at a time; registered thread.
 * Return: the bus address (entry << it_page_shift), or
 *         TCESIM_DMA_MAPPING_ERROR when @npages is 0 (message "WARNING:
 *         iommu_range_alloc: npages == 0"), @dir is DMA_NONE (upstream:
 *         iommu_map_page()'s BUG_ON; message "kernel BUG: iommu_map_page:
 *         direction == DMA_NONE: refused") or not a direction, @npages
 *         exceeds UINT_MAX under quirks=safe, @align_order is 64 or more,
 *         the table has no bitmap (never initialised), no range fits
 *         (also a table owned by userspace: all bits set), or a TCE level
 *         could not be allocated (nothing changed).
 */
TCESIM_EXPORT uint64_t tcesim_iommu_alloc(struct tcesim_iommu_table *tbl, uint64_t hpa,
					  unsigned long npages,
					  enum tcesim_dma_data_direction dir, uint64_t dma_mask,
					  unsigned int align_order);

/**
 * tcesim_iommu_alloc_seg() - tcesim_iommu_alloc() with a device segment boundary
 * @tbl: table set up by tcesim_iommu_init_table()
 * @hpa: host physical address in bytes of the first page
 * @npages: IOMMU pages to map
 * @dir: DMA direction
 * @dma_mask: device DMA mask in bytes
 * @align_order: alignment of the entry, log2 of IOMMU pages
 * @seg_boundary_mask: dma_get_seg_boundary() of the device in bytes, 2^n - 1
 *	(tcesim_iommu_alloc() uses TCESIM_DMA_SEG_BOUNDARY_DEFAULT, 4 GiB)
 *
 * As tcesim_iommu_alloc(), with the boundary in IOMMU pages computed as
 * dma_get_seg_boundary_nr_pages() does, (@seg_boundary_mask >> it_page_shift)
 * + 1: no range crosses a multiple of it (entries counted from it_offset 0).
 * Documented quirk: @npages above the boundary makes upstream's
 * iommu_area_alloc() loop forever (every retry restarts at the same aligned
 * index, pool lock held); tcesim refuses it in both quirk modes with the
 * message "iommu_alloc: N pages exceed the segment boundary of M pages".
 *
 * Models: arch/powerpc/kernel/iommu.c: iommu_alloc(), iommu_range_alloc();
 *         lib/iommu-helper.c: iommu_area_alloc(), iommu_is_span_boundary().
 * Context: takes one pool spinlock at a time; registered thread.
 * Return: the bus address, or TCESIM_DMA_MAPPING_ERROR in the cases of
 *         tcesim_iommu_alloc(), when @seg_boundary_mask is not 2^n - 1
 *         (upstream: BUG) or @npages exceeds the boundary (nothing changed).
 */
TCESIM_EXPORT uint64_t tcesim_iommu_alloc_seg(struct tcesim_iommu_table *tbl, uint64_t hpa,
					      unsigned long npages,
					      enum tcesim_dma_data_direction dir,
					      uint64_t dma_mask, unsigned int align_order,
					      uint64_t seg_boundary_mask);

/**
 * tcesim_iommu_free() - Unmap pages mapped by tcesim_iommu_alloc()
 * @tbl: table
 * @dma: bus address returned by tcesim_iommu_alloc()
 * @npages: IOMMU pages; above UINT_MAX truncated to unsigned int under
 *	quirks=upstream (__iommu_free()'s parameter), refused under safe
 *
 * Clears the TCEs through the clear op (which invalidates), then the bitmap
 * bits under the owning pool's lock. As upstream nothing checks that the
 * range was allocated: freeing reserved or never-mapped entries clears
 * their bits too.
 *
 * Models: arch/powerpc/kernel/iommu.c: iommu_free() -> __iommu_free(),
 *         iommu_free_check().
 * Context: takes one pool spinlock; registered thread.
 * Return: 0, or -EINVAL when the range is outside the table (the lines
 *         of iommu_free_check(): "iommu_free: invalid entry", entry,
 *         dma_addr, Table, bus#, size, startOff, index, then a WARNING;
 *         nothing changed; upstream returns void), the table has no
 *         bitmap, or @npages exceeds UINT_MAX under quirks=safe.
 */
TCESIM_EXPORT int tcesim_iommu_free(struct tcesim_iommu_table *tbl, uint64_t dma,
				    unsigned long npages);

/**
 * tcesim_iommu_table_in_use() - Whether the kernel DMA API has live mappings
 * @tbl: table
 *
 * Any bitmap bit set other than entry 0 (when it_offset is 0) and the
 * reserved range.
 *
 * Models: arch/powerpc/kernel/iommu.c: iommu_table_in_use().
 * Context: any thread (atomic bitmap reads; racy as upstream).
 * Return: 1 when in use, 0 when not or when the table has no bitmap,
 *         -EINVAL for a NULL @tbl.
 */
TCESIM_EXPORT int tcesim_iommu_table_in_use(struct tcesim_iommu_table *tbl);

/**
 * tcesim_iommu_take_ownership() - Hand a table from the DMA API to userspace
 * @tbl: table
 *
 * Sets every bitmap bit so the DMA API can no longer allocate.
 *
 * Models: arch/powerpc/kernel/iommu.c: iommu_take_ownership() (2015:
 *         iommu_table_take_ownership(), which required ->exchange).
 * Context: takes large_pool.lock then every pool lock; registered thread.
 * Return: 0 (also for a table without bitmap: nothing to take), or
 *  * -EINVAL - the table ops lack xchg_no_kill (legacy_2015: exchange): the
 *              owner must be able to release old pages
 *  * -EBUSY  - the DMA API has live mappings; message "iommu_tce: it_map is
 *              not empty"; the bitmap is untouched
 */
TCESIM_EXPORT int tcesim_iommu_take_ownership(struct tcesim_iommu_table *tbl);

/**
 * tcesim_iommu_release_ownership() - Give a table back to the DMA API
 * @tbl: table
 *
 * Clears the bitmap and re-reserves entry 0 and the reserved range.
 *
 * Models: arch/powerpc/kernel/iommu.c: iommu_release_ownership().
 * Context: takes large_pool.lock then every pool lock.
 * Return: 0, or -EINVAL for a NULL @tbl.
 */
TCESIM_EXPORT int tcesim_iommu_release_ownership(struct tcesim_iommu_table *tbl);

/**
 * tcesim_iommu_tce_build() - Pre-2015 map of one entry under the pool lock
 * @tbl: table
 * @entry: absolute entry
 * @hpa: host physical address, aligned to the IOMMU page
 * @dir: direction (not DMA_NONE)
 *
 * The path seed 000 replaced: lock the entry's pool, read the TCE, refuse
 * if it is valid, else set it (the set op invalidates). Kept for the
 * locked-vs-xchg benchmark and for comparison.
 *
 * Models: arch/powerpc/kernel/iommu.c: iommu_tce_build() (<= v4.1).
 * Context: takes the entry's pool spinlock.
 * Return: 0, or
 *  * -EINVAL - @entry outside the table, @hpa unaligned, bad @dir
 *  * -EBUSY  - the TCE already has R or W set (nothing changed)
 *  * -ENOMEM - a level could not be allocated (nothing changed)
 */
TCESIM_EXPORT int tcesim_iommu_tce_build(struct tcesim_iommu_table *tbl, uint64_t entry,
					 uint64_t hpa, enum tcesim_dma_data_direction dir);

/**
 * tcesim_iommu_clear_tce() - Pre-2015 unmap of one entry under the pool lock
 * @tbl: table
 * @entry: absolute entry
 * @old_tce: out, the TCE that was there (0 when none); may be NULL
 *
 * Models: arch/powerpc/kernel/iommu.c: iommu_clear_tce() (<= v4.1); the
 *         caller put the page and dirtied it, as VFIO did then.
 * Context: takes the entry's pool spinlock.
 * Return: 0, or -EINVAL when @entry is outside the table.
 */
TCESIM_EXPORT int tcesim_iommu_clear_tce(struct tcesim_iommu_table *tbl, uint64_t entry,
					 uint64_t *old_tce);

/* ------------------------------------------- allocator state (read-only) --- */

/**
 * struct tcesim_iommu_pool_info - one DMA-API pool (struct iommu_pool)
 * @start: first bitmap index (entry - it_offset) of the pool
 * @end:   bitmap index past the pool
 * @hint:  where the next search of the pool starts
 */
struct tcesim_iommu_pool_info {
	unsigned long start, end, hint;
};

/**
 * struct tcesim_iommu_alloc_state - the DMA-API allocator of a table
 * @it_offset:         first entry of the table (absolute)
 * @it_size:           entries (the bitmap's length in bits)
 * @it_blocksize:      hint rounding of small allocations (16 on powernv)
 * @it_reserved_start: first reserved entry (absolute; == end when none)
 * @it_reserved_end:   entry past the reserved range (absolute)
 * @poolsize:          entries per small pool (3/4 of the table / nr_pools)
 * @nr_pools:          small pools (1, or 4 for windows of 1 GiB and more)
 * @pools:             the small pools; [nr_pools..3] are zero
 * @large_pool:        the large pool (the last quarter, npages > 15)
 */
struct tcesim_iommu_alloc_state {
	uint64_t it_offset, it_size;
	unsigned long it_blocksize;
	uint64_t it_reserved_start, it_reserved_end;
	unsigned long poolsize, nr_pools;
	struct tcesim_iommu_pool_info pools[4];
	struct tcesim_iommu_pool_info large_pool;
};

/**
 * tcesim_iommu_get_alloc_state() - Snapshot of a table's DMA-API allocator
 * @tbl: table set up by tcesim_iommu_init_table()
 * @out: filled on success
 *
 * Pool bounds are fixed at init; the hints are read under their pool locks
 * (large pool first, then the small pools: the ownership order), so the
 * snapshot is consistent.
 *
 * Models: the fields of struct iommu_table and struct iommu_pool
 *         (arch/powerpc/include/asm/iommu.h) as iommu_init_table() in
 *         arch/powerpc/kernel/iommu.c sets them.
 * Context: takes every pool spinlock in turn; registered thread.
 * Return: 0, or -EINVAL for a NULL argument, -ENODEV when the table has no
 *         bitmap (never initialised).
 */
TCESIM_EXPORT int tcesim_iommu_get_alloc_state(struct tcesim_iommu_table *tbl,
					       struct tcesim_iommu_alloc_state *out);

/**
 * tcesim_iommu_map_test() - One bit of the DMA-API bitmap (it_map)
 * @tbl:   table set up by tcesim_iommu_init_table()
 * @index: bitmap index, entry - it_offset, 0 .. it_size-1
 *
 * Models: test_bit(index, tbl->it_map).
 * Context: any thread (atomic read; racy against allocations, as upstream's
 *          lockless readers).
 * Return: 1 when set (allocated, reserved or owned), 0 when clear, or
 *         -EINVAL (NULL @tbl, @index >= it_size), -ENODEV (no bitmap).
 */
TCESIM_EXPORT int tcesim_iommu_map_test(struct tcesim_iommu_table *tbl, uint64_t index);

/**
 * tcesim_iommu_map_weight() - Set bits of a range of the DMA-API bitmap
 * @tbl:   table set up by tcesim_iommu_init_table()
 * @index: first bitmap index (entry - it_offset)
 * @n:     bits to count
 *
 * Models: bitmap_weight() over [@index, @index + @n) of tbl->it_map.
 * Context: any thread (atomic reads; racy as tcesim_iommu_map_test()).
 * Return: the number of set bits, or -EINVAL (NULL @tbl, the range not
 *         inside [0, it_size) or wrapping), -ENODEV (no bitmap).
 */
TCESIM_EXPORT long tcesim_iommu_map_weight(struct tcesim_iommu_table *tbl, uint64_t index,
					   uint64_t n);

#ifdef __cplusplus
}
#endif
#endif /* TCESIM_TABLE_H */
