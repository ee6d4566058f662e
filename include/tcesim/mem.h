/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tcesim/mem.h - simulated host memory and process address spaces.
 *
 * Host RAM is an array of page frames of the world's PAGE_SIZE
 * (host_page_shift), each with a pin count, a dirty bit and backing bytes
 * allocated on first touch. A huge backing (64K on a 4K host, 16M) is a
 * compound page: pins and the dirty bit live on its head, as on a folio.
 * Physical addresses are "hpa" (bytes); frame numbers are never exposed.
 *
 * A process (struct tcesim_mm) owns VMAs, RLIMIT_MEMLOCK and locked_vm.
 * Pages are allocated on the first touch, pin or fault.
 */
#ifndef TCESIM_MEM_H
#define TCESIM_MEM_H

#include <stdbool.h>
#include <tcesim/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct tcesim_mm;

/* VMA protections (PROT_*) */
#define TCESIM_PROT_READ	0x1u
#define TCESIM_PROT_WRITE	0x2u
#define TCESIM_PROT_EXEC	0x4u

/* gup flags */
#define TCESIM_FOLL_WRITE	0x1u

/* Default RLIMIT_MEMLOCK of a new process: 8 MiB (Linux >= 5.16 default). */
#define TCESIM_DEFAULT_MEMLOCK	(8ULL << 20)

/**
 * struct tcesim_page_info - state of one host page as tests see it
 * @pins: pin count of the page (of its compound head for a huge page)
 * @dirty: PageDirty of the page (of its head for a huge page)
 * @compound_shift: page shift of the compound page containing it
 *	(host_page_shift for a normal page, 16/24 for huge backings)
 * @populated: the frame was handed out to a process or touched by hpa
 */
struct tcesim_page_info {
	int pins;
	bool dirty;
	unsigned int compound_shift;
	bool populated;
};

/*
 * TCESIM_MM_COMMIT_LIMIT - bytes of anonymous mappings (VMAs) the processes
 * of one world may hold at once: the simulated host's RAM, with no swap and
 * strict accounting (as vm.overcommit_memory=2 with overcommit_ratio=100,
 * mm/util.c: __vm_enough_memory()). A model bound, so that the memory tcesim
 * itself uses stays proportional to what a scenario maps, never to a
 * hostile size: 64 GiB (128 MiB of bookkeeping at 4K pages).
 */
#define TCESIM_MM_COMMIT_LIMIT (1ULL << 36)

/**
 * tcesim_mm_create() - Create a process with an empty address space
 * @w: world
 * @name: name for messages (copied, up to 31 chars)
 * @memlock: RLIMIT_MEMLOCK in bytes (TCESIM_DEFAULT_MEMLOCK is Linux's)
 * @cap_ipc_lock: CAP_IPC_LOCK: locked_vm is counted but never limited
 * @out: the process; holds one mm_users and one mm_count reference
 *
 * Models: a forked process's mm_struct (kernel/fork.c: mm_init()).
 * Context: any registered thread.
 * Return: 0, or -EINVAL for a NULL argument, -ENOMEM.
 */
TCESIM_EXPORT int tcesim_mm_create(struct tcesim_world *w, const char *name, uint64_t memlock,
				   bool cap_ipc_lock, struct tcesim_mm **out);

/**
 * tcesim_mm_mmap() - Map anonymous memory into a process
 * @mm: process
 * @va: start address in bytes, aligned to 1 << @page_shift
 * @size: bytes, a non-zero multiple of 1 << @page_shift
 * @prot: TCESIM_PROT_* bits
 * @page_shift: backing page size: 0 for the host PAGE_SIZE, or 12, 16, 24
 *	(bigger than the host's: hugetlb compound pages)
 *
 * Models: mmap(MAP_ANONYMOUS) / hugetlbfs mappings (pages populated lazily).
 * Context: takes mm->lock.
 * Return: 0, or
 *  * -EINVAL - bad alignment, zero size, wrap, @page_shift smaller than the
 *              host page or not one of 12/16/24, or the range overlaps a VMA
 *  * -ENOMEM - the world's processes would map more than
 *              TCESIM_MM_COMMIT_LIMIT bytes in all, or allocation failed
 *  * -ESRCH  - the process has exited
 */
TCESIM_EXPORT int tcesim_mm_mmap(struct tcesim_mm *mm, uint64_t va, uint64_t size,
				 unsigned int prot, unsigned int page_shift);

/**
 * tcesim_mm_exit() - The process exits (mm_users drops to zero)
 * @mm: process; the creator's mm_users and mm_count references are dropped
 *
 * The address space is torn down (exit_mmap); pages still pinned stay
 * allocated and pinned, as in the kernel. When the last mm_count reference
 * goes (__mmdrop) the mm's exit hooks run (SVA's mm_pasid_drop) and the
 * memory is freed. Calling it twice is a no-op.
 *
 * Models: kernel/exit.c: exit_mm() -> mmput(); kernel/fork.c: __mmdrop().
 * Context: takes mm->lock; may run exit hooks.
 * Return: nothing.
 */
TCESIM_EXPORT void tcesim_mm_exit(struct tcesim_mm *mm);

/**
 * tcesim_mmgrab() - Take an mm_count reference (keeps the struct alive)
 * @mm: process
 *
 * Models: include/linux/sched/mm.h: mmgrab().
 * Context: any thread (atomic).
 * Return: nothing.
 */
TCESIM_EXPORT void tcesim_mmgrab(struct tcesim_mm *mm);

/**
 * tcesim_mmdrop() - Drop an mm_count reference; the last one frees the mm
 * @mm: process, or NULL
 *
 * Models: include/linux/sched/mm.h: mmdrop() -> __mmdrop() (runs
 *         mm_pasid_drop via the exit hooks).
 * Context: any registered thread, no tcesim locks held.
 * Return: nothing.
 */
TCESIM_EXPORT void tcesim_mmdrop(struct tcesim_mm *mm);

/**
 * tcesim_mmget_not_zero() - Take an mm_users reference unless the process exited
 * @mm: process
 *
 * Models: include/linux/sched/mm.h: mmget_not_zero().
 * Context: any thread (atomic).
 * Return: true when the reference was taken (pair with tcesim_mmput()).
 */
TCESIM_EXPORT bool tcesim_mmget_not_zero(struct tcesim_mm *mm);

/**
 * tcesim_mmput() - Drop an mm_users reference; the last one exits the mm
 * @mm: process
 *
 * Models: kernel/fork.c: mmput().
 * Context: any registered thread, no tcesim locks held.
 * Return: nothing.
 */
TCESIM_EXPORT void tcesim_mmput(struct tcesim_mm *mm);

/**
 * tcesim_mm_name() - Name given at create
 * @mm: process
 *
 * Models: none.
 * Context: any thread; immutable.
 * Return: the name.
 */
TCESIM_EXPORT const char *tcesim_mm_name(const struct tcesim_mm *mm);

/**
 * tcesim_pin_user_pages_fast() - Pin host pages backing user addresses
 * @mm: process
 * @va: user address in bytes (need not be aligned: the page containing it)
 * @npages: number of host PAGE_SIZE pages
 * @gup_flags: TCESIM_FOLL_WRITE to require a writable VMA
 * @hpas: out, @npages physical addresses of the pinned pages (page aligned);
 *	may be NULL
 *
 * Pages are populated on first pin. Pins stop at the first page that cannot
 * be pinned.
 *
 * Models: mm/gup.c: pin_user_pages_fast().
 * Context: takes mm->lock; page pin counts are atomics.
 * Return: number of pages pinned (may be short), or
 *  * -EFAULT - the first page is not mapped, or lacks write permission for
 *              FOLL_WRITE, or the process has exited
 *  * -EINVAL - @npages <= 0
 */
TCESIM_EXPORT long tcesim_pin_user_pages_fast(struct tcesim_mm *mm, uint64_t va, long npages,
					      unsigned int gup_flags, uint64_t *hpas);

/**
 * tcesim_unpin_user_page() - Drop one pin of a host page
 * @w: world
 * @hpa: physical address in bytes of any byte of the page
 *
 * An unbalanced unpin is reported with a WARN-style message and ignored.
 *
 * Models: mm/gup.c: unpin_user_page().
 * Context: any thread (atomic).
 * Return: nothing.
 */
TCESIM_EXPORT void tcesim_unpin_user_page(struct tcesim_world *w, uint64_t hpa);

/**
 * tcesim_get_page() - Take one reference (pin) on the host page at @hpa
 * @w: world
 * @hpa: physical address in bytes
 *
 * Models: get_page() on pfn_to_page(hpa >> PAGE_SHIFT).
 * Context: any thread (atomic).
 * Return: nothing.
 */
TCESIM_EXPORT void tcesim_get_page(struct tcesim_world *w, uint64_t hpa);

/**
 * tcesim_set_page_dirty() - Mark the host page at @hpa dirty
 * @w: world
 * @hpa: physical address in bytes (any byte of the page)
 *
 * Models: SetPageDirty(pfn_to_page(hpa >> PAGE_SHIFT)) as in
 *         arch/powerpc/kernel/iommu.c: iommu_tce_xchg_no_kill().
 * Context: any thread (atomic).
 * Return: nothing.
 */
TCESIM_EXPORT void tcesim_set_page_dirty(struct tcesim_world *w, uint64_t hpa);

/**
 * tcesim_clear_page_dirty() - Clear the dirty bit (writeback happened)
 * @w: world
 * @hpa: physical address in bytes
 *
 * Models: ClearPageDirty() / folio_clear_dirty().
 * Context: any thread (atomic).
 * Return: nothing.
 */
TCESIM_EXPORT void tcesim_clear_page_dirty(struct tcesim_world *w, uint64_t hpa);

/**
 * tcesim_page_query() - State of the host page containing @hpa
 * @w: world
 * @hpa: physical address in bytes
 * @info: out
 *
 * Models: none (the page-refcount oracle, like iommufd's MD_CHECK_REFS).
 * Context: any thread (atomic reads).
 * Return: 0, or -EINVAL when @hpa is beyond the simulated RAM.
 */
TCESIM_EXPORT int tcesim_page_query(struct tcesim_world *w, uint64_t hpa,
				    struct tcesim_page_info *info);

/**
 * tcesim_mm_page_query() - State of the host page backing a user address
 * @mm: process
 * @va: user address in bytes
 * @info: out; @info->populated false when no page backs @va yet
 * @hpa: out, physical address of the page (may be NULL); 0 when unpopulated
 *
 * Does not populate.
 *
 * Models: none (oracle).
 * Context: takes mm->lock.
 * Return: 0, or -EFAULT when @va is in no VMA.
 */
TCESIM_EXPORT int tcesim_mm_page_query(struct tcesim_mm *mm, uint64_t va,
				       struct tcesim_page_info *info, uint64_t *hpa);

/**
 * tcesim_mm_va_to_hpa() - Translate a user address, populating on demand
 * @mm: process
 * @va: user address in bytes
 * @hpa: out, physical address of the byte at @va
 *
 * Models: a page-table walk after a fault-in (no pin is taken).
 * Context: takes mm->lock.
 * Return: 0, or -EFAULT when @va is in no VMA or the process exited.
 */
TCESIM_EXPORT int tcesim_mm_va_to_hpa(struct tcesim_mm *mm, uint64_t va, uint64_t *hpa);

/**
 * tcesim_mm_handle_fault() - Fault a page in for a device (SVA page request)
 * @mm: process
 * @va: faulting address in bytes
 * @prot: requested TCESIM_PROT_* access
 *
 * Models: the checks of drivers/iommu/iommu-sva.c: iommu_sva_handle_mm()
 *         (find_extend_vma, access_error) and mm/memory.c: handle_mm_fault().
 * Context: takes mm->lock; the caller holds an mm_users reference.
 * Return: 0, or
 *  * -EFAULT - no VMA contains @va
 *  * -EACCES - the VMA does not allow @prot
 */
TCESIM_EXPORT int tcesim_mm_handle_fault(struct tcesim_mm *mm, uint64_t va, unsigned int prot);

/**
 * tcesim_mm_read() - Read user memory (populating pages, like a CPU touch)
 * @mm: process
 * @va: user address in bytes
 * @buf: destination
 * @len: bytes
 *
 * Models: copy_from_user() by the process itself.
 * Context: takes mm->lock.
 * Return: 0, or -EFAULT when any byte is outside the VMAs.
 */
TCESIM_EXPORT int tcesim_mm_read(struct tcesim_mm *mm, uint64_t va, void *buf, size_t len);

/**
 * tcesim_mm_write() - Write user memory (populating pages, like a CPU touch)
 * @mm: process
 * @va: user address in bytes
 * @buf: source
 * @len: bytes
 *
 * Models: the process writing its own memory. Protection bits are not
 * checked (the scenario's guest writes through its own mapping); the pages
 * are marked dirty.
 * Context: takes mm->lock.
 * Return: 0, or -EFAULT when any byte is outside the VMAs.
 */
TCESIM_EXPORT int tcesim_mm_write(struct tcesim_mm *mm, uint64_t va, const void *buf, size_t len);

/**
 * tcesim_mem_read() - Read host physical memory
 * @w: world
 * @hpa: physical address in bytes
 * @buf: destination
 * @len: bytes (may cross pages)
 *
 * Never-touched bytes read as zero.
 *
 * Models: a device's DMA read of host RAM.
 * Context: any thread; concurrent writers to the same bytes race as on
 *          hardware (bytes are not torn below 1 byte).
 * Return: 0, or -EINVAL beyond the simulated RAM, -ENOMEM.
 */
TCESIM_EXPORT int tcesim_mem_read(struct tcesim_world *w, uint64_t hpa, void *buf, size_t len);

/**
 * tcesim_mem_write() - Write host physical memory
 * @w: world
 * @hpa: physical address in bytes
 * @buf: source
 * @len: bytes (may cross pages)
 *
 * Models: a device's DMA write to host RAM (does not set the dirty bit:
 *         that is the IOMMU code's job on unmap, as upstream).
 * Context: any thread.
 * Return: 0, or -EINVAL beyond the simulated RAM, -ENOMEM.
 */
TCESIM_EXPORT int tcesim_mem_write(struct tcesim_world *w, uint64_t hpa, const void *buf,
				   size_t len);

/**
 * tcesim_account_locked_vm() - Charge or uncharge pinned memory
 * @mm: process
 * @npages: host PAGE_SIZE pages
 * @inc: true to charge, false to uncharge
 *
 * Models: mm/util.c: account_locked_vm() / __account_locked_vm().
 * Context: takes mm->lock.
 * Return: 0, or -ENOMEM when charging would exceed RLIMIT_MEMLOCK and the
 *         process lacks CAP_IPC_LOCK. Uncharging more than is charged
 *         clamps at zero with a message.
 */
TCESIM_EXPORT int tcesim_account_locked_vm(struct tcesim_mm *mm, unsigned long npages, bool inc);

/**
 * tcesim_mm_locked_vm() - Current locked_vm of a process
 * @mm: process
 *
 * Models: mm->locked_vm.
 * Context: any thread (atomic read).
 * Return: host pages charged.
 */
TCESIM_EXPORT unsigned long tcesim_mm_locked_vm(const struct tcesim_mm *mm);

/**
 * tcesim_mem_pinned_pages() - Total page pins in the world
 * @w: world
 *
 * The balance oracle: every test teardown expects 0 after undoing its work.
 *
 * Models: none (oracle).
 * Context: any thread; exact only when nothing pins concurrently.
 * Return: sum of pin counts over all host pages.
 */
TCESIM_EXPORT long tcesim_mem_pinned_pages(struct tcesim_world *w);

/**
 * tcesim_mem_locked_vm_charged() - locked_vm pages still charged in the world
 * @w: world
 *
 * The locked_vm half of the balance oracle (issue 10): the locked_vm of
 * every live process plus what processes still had charged when they were
 * freed. Every tcesim_account_locked_vm() charge is undone by its owner
 * (VFIO container release, the last mm_iommu_put() of a region), so 0 is
 * expected once a scenario's objects are destroyed.
 *
 * Models: none (oracle over mm->locked_vm, mm/util.c account_locked_vm()).
 * Context: takes the world's process list lock; exact only when nothing
 *          charges concurrently.
 * Return: pages (host page size), 0 for a NULL @w.
 */
TCESIM_EXPORT unsigned long tcesim_mem_locked_vm_charged(struct tcesim_world *w);

/**
 * tcesim_mem_for_each_pinned() - Report every pinned host page
 * @w: world
 * @fn: called with the page's physical address and pin count
 * @ctx: passed to @fn
 *
 * Models: none (oracle).
 * Context: any thread.
 * Return: number of pinned pages reported.
 */
TCESIM_EXPORT long tcesim_mem_for_each_pinned(struct tcesim_world *w,
					      void (*fn)(void *ctx, uint64_t hpa, int pins),
					      void *ctx);

/**
 * tcesim_mem_digest() - XXH3 digest of every page's pin count and dirty bit
 * @w: world
 *
 * Two digests are equal when no page changed pin count or dirty state, so
 * "a failed call changed nothing" is a digest comparison.
 *
 * Models: none (state digest).
 * Context: any thread; meaningful when nothing runs concurrently.
 * Return: 64-bit digest.
 */
TCESIM_EXPORT uint64_t tcesim_mem_digest(struct tcesim_world *w);

/**
 * tcesim_alloc_pages() - Allocate a block of host pages, as a driver's buffer
 * @w: world
 * @order: the block is 1 << @order host pages (host PAGE_SIZE of the world),
 *         naturally aligned; above 0 it is one compound page
 * @hpa: out: physical address in bytes of the first page, written only on
 *       success
 *
 * The pages are populated, unpinned and clean. The simulated RAM is a bump
 * allocator: blocks are never freed or reused, so a scenario's kernel
 * buffers never alias each other or a process's pages.
 *
 * Models: mm/page_alloc.c: alloc_pages(GFP_KERNEL | __GFP_COMP, order), as a
 *         driver allocates the buffer it hands to dma_map_*().
 * Context: takes hostmem->lock; any thread.
 * Return: 0, or
 *  * -EINVAL - NULL @w or @hpa
 *  * -ENOMEM - @order above the world's MAX_PAGE_ORDER
 *              (tcesim_world_max_page_order(): 12 for 4K pages, 8 for 64K by
 *              default), the block does not fit in the simulated RAM (4 TiB
 *              of physical address space), or bookkeeping allocation failed
 */
TCESIM_EXPORT int tcesim_alloc_pages(struct tcesim_world *w, unsigned int order, uint64_t *hpa);

#ifdef __cplusplus
}
#endif
#endif /* TCESIM_MEM_H */
