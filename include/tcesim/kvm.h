/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tcesim/kvm.h - a guest's TCE hypercalls: KVM's in-kernel tier and QEMU's
 * userspace tier.
 *
 * A struct tcesim_kvm is one pseries guest: KVM's struct kvm (memslots, the
 * guest-visible TCE tables "stt" by LIOBN, the in-kernel H_PUT_TCE family)
 * together with the QEMU machine that runs it (its SpaprTceTable objects
 * and QEMU's own H_PUT_TCE family). A hypercall goes to KVM first; KVM's
 * H_TOO_HARD (never returned to a guest) hands it to QEMU, as
 * book3s_hv.c: kvmppc_pseries_do_hcall() does with RESUME_HOST. The world
 * option hcall=kvm+qemu|kvm|qemu selects the tiers (enum tcesim_hcall_mode).
 *
 * Units: ioba and bus_offset are bytes of I/O bus address; page_shift is
 * log2 of the TCE page size; offset/size of a KVM table and nb_table of a
 * QEMU table are in TCE entries (pages); npages counts TCEs; gpa is a guest
 * physical address in bytes; a TCE is (real page address | R/W bits).
 */
#ifndef TCESIM_KVM_H
#define TCESIM_KVM_H

#include <stdbool.h>
#include <stdio.h>
#include <tcesim/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct tcesim_kvm;
struct tcesim_mm;

/**
 * struct tcesim_kvm_create_spapr_tce_64 - KVM_CREATE_SPAPR_TCE_64 argument
 * @liobn: logical I/O bus number the guest names the table by
 * @page_shift: log2 of the TCE page size, 12..34
 * @flags: must be 0 (the ioctl refuses any flag with -EINVAL)
 * @offset: first TCE entry of the window, in pages (bus start = offset << page_shift)
 * @size: window size in TCE entries (pages), > 0
 *
 * Same layout as powerpc UAPI struct kvm_create_spapr_tce_64 (checked at
 * build time), redeclared so this header compiles alone under -pedantic.
 */
struct tcesim_kvm_create_spapr_tce_64 {
	uint64_t liobn;
	uint32_t page_shift;
	uint32_t flags;
	uint64_t offset;
	uint64_t size;
};

/**
 * enum tcesim_hcall_tier - which tier produced a hypercall's result
 * @TCESIM_TIER_NONE: no tier ran (e.g. an unknown hypercall number)
 * @TCESIM_TIER_KVM: KVM's in-kernel handler answered the guest
 * @TCESIM_TIER_QEMU: KVM returned H_TOO_HARD (or was not asked) and QEMU answered
 * @TCESIM_TIER_KVM_RM: KVM's real-mode handler answered (flavour legacy_2016
 *	only; TCESIM_TIER_KVM is then its virtual-mode retry)
 */
enum tcesim_hcall_tier {
	TCESIM_TIER_NONE = 0,
	TCESIM_TIER_KVM = 1,
	TCESIM_TIER_QEMU = 2,
	TCESIM_TIER_KVM_RM = 3,
};

/**
 * struct tcesim_hcall_out - what a dispatched hypercall reports besides r3
 * @tier: the tier whose return code the guest sees
 * @r4: H_GET_TCE's TCE value (r4), 0 otherwise
 * @traced: QEMU emitted a spapr_iommu_* trace event for this call
 * @trace_ioba: the ioba QEMU's trace event printed (put/get/stuff: masked, and
 *	for H_STUFF_TCE where its loop stopped; indirect: the guest's ioba)
 * @trace_idx: H_PUT_TCE_INDIRECT's "iobaN": index of the last entry
 *	processed (0 if none)
 * @trace_tce: H_PUT_TCE_INDIRECT's "tceN": the last TCE it loaded
 */
struct tcesim_hcall_out {
	enum tcesim_hcall_tier tier;
	uint64_t r4;
	bool traced;
	uint64_t trace_ioba;
	uint64_t trace_idx;
	uint64_t trace_tce;
};

/**
 * struct tcesim_iommu_tlb_entry - QEMU's IOMMUTLBEntry for one translation
 * @iova: window offset of the page (addr & page mask); 0 when out of bounds
 * @translated_addr: TCE & page mask; 0 when out of bounds
 * @addr_mask: ~page mask (0xfff for 4K pages); ~0 when out of bounds
 * @perm: QEMU IOMMU flags: 0 none, 1 read-only, 2 write-only, 3 rw (TCE & 3)
 */
struct tcesim_iommu_tlb_entry {
	uint64_t iova;
	uint64_t translated_addr;
	uint64_t addr_mask;
	unsigned int perm;
};

/**
 * struct tcesim_spapr_tce_info - state of one QEMU TCE table
 * @liobn: LIOBN
 * @bus_offset: bus address of entry 0, bytes
 * @page_shift: log2 TCE page size
 * @nb_table: entries
 * @kvm_backed: the storage is KVM's stt (shared), not QEMU's own array
 * @live: entries currently non-zero
 */
struct tcesim_spapr_tce_info {
	uint64_t liobn;
	uint64_t bus_offset;
	unsigned int page_shift;
	uint64_t nb_table;
	bool kvm_backed;
	uint64_t live;
};

/* ------------------------------------------------------------ the guest --- */

/**
 * tcesim_kvm_create() - Create a guest (KVM VM + the QEMU machine running it)
 * @w: world; its hcall option selects the tiers
 * @out: the guest; destroy with tcesim_kvm_destroy() (or it goes with @w)
 *
 * Models: virt/kvm/kvm_main.c: kvm_create_vm() and QEMU's spapr machine init
 *         (empty TCE table list).
 * Context: any registered thread.
 * Return: 0, or
 *  * -EINVAL - @w or @out NULL
 *  * -ENOMEM - allocation failed
 */
TCESIM_EXPORT int tcesim_kvm_create(struct tcesim_world *w, struct tcesim_kvm **out);

/**
 * tcesim_kvm_destroy() - Destroy a guest, its memslots and every TCE table
 * @kvm: guest, or NULL
 *
 * locked_vm charged for KVM tables is returned to its process.
 *
 * Models: kvm_destroy_vm() (stt release for every open table fd).
 * Context: no hypercall may run concurrently; registered thread.
 * Return: nothing.
 */
TCESIM_EXPORT void tcesim_kvm_destroy(struct tcesim_kvm *kvm);

/**
 * tcesim_kvm_set_user_memory_region() - Add a memslot: guest RAM backed by a process
 * @kvm: guest
 * @gpa: guest physical start, bytes, aligned to the host PAGE_SIZE
 * @size: bytes, a non-zero multiple of the host PAGE_SIZE
 * @mm: process whose address space backs the slot (QEMU); the slot keeps
 *	an mm_count reference (tcesim_mmgrab())
 * @va: user address of @gpa in @mm, aligned to the host PAGE_SIZE
 *
 * @va need not be mapped yet: accesses through the slot fail later as
 * get_user() would.
 *
 * Models: virt/kvm/kvm_main.c: kvm_set_memory_region() (KVM_MR_CREATE).
 * Context: takes kvm->lock; readers are RCU (the kernel's SRCU).
 * Return: 0, or
 *  * -EINVAL - misaligned @gpa/@size/@va, zero size, wrap, NULL @mm
 *  * -EEXIST - overlaps an existing slot
 *  * -ENOSPC - all 32 slots in use
 *  * -ENOMEM - allocation failed
 */
TCESIM_EXPORT int tcesim_kvm_set_user_memory_region(struct tcesim_kvm *kvm, uint64_t gpa,
						    uint64_t size, struct tcesim_mm *mm,
						    uint64_t va);

/**
 * tcesim_kvmppc_tce_to_ua() - Translate a TCE's guest address to a user address
 * @kvm: guest
 * @tce: TCE (guest physical address | R/W bits); the R/W bits are ignored
 * @ua: out, user address in the slot's process (in-page offset kept)
 * @mm: out, that process (may be NULL)
 *
 * Models: arch/powerpc/kvm/book3s_64_vio.c: kvmppc_tce_to_ua().
 * Context: RCU read side taken inside.
 * Return: 0, or -EINVAL when no memslot contains the guest frame.
 */
TCESIM_EXPORT int tcesim_kvmppc_tce_to_ua(struct tcesim_kvm *kvm, uint64_t tce, uint64_t *ua,
					  struct tcesim_mm **mm);

/**
 * tcesim_kvm_write_guest() - Write bytes to guest physical memory
 * @kvm: guest
 * @gpa: guest physical address, bytes
 * @buf: source
 * @len: bytes; may cross pages but not leave the memslot
 *
 * Models: virt/kvm/kvm_main.c: kvm_write_guest() (the guest's own stores).
 * Context: takes the backing process's mm->lock.
 * Return: 0, or -EFAULT when a byte is in no memslot or its user address is
 *         not mapped.
 */
TCESIM_EXPORT int tcesim_kvm_write_guest(struct tcesim_kvm *kvm, uint64_t gpa, const void *buf,
					 size_t len);

/**
 * tcesim_kvm_read_guest() - Read bytes of guest physical memory
 * @kvm: guest
 * @gpa: guest physical address, bytes
 * @buf: destination
 * @len: bytes; may cross pages but not leave the memslot
 *
 * Models: virt/kvm/kvm_main.c: kvm_read_guest().
 * Context: takes the backing process's mm->lock.
 * Return: 0, or -EFAULT as tcesim_kvm_write_guest().
 */
TCESIM_EXPORT int tcesim_kvm_read_guest(struct tcesim_kvm *kvm, uint64_t gpa, void *buf,
					size_t len);

/**
 * tcesim_kvm_write_guest_be64() - Store a list of u64 big-endian in guest memory
 * @kvm: guest
 * @gpa: guest physical address of the first value, bytes
 * @vals: values in CPU order
 * @n: number of values (a TCE list holds at most 512)
 *
 * What a pseries guest does before H_PUT_TCE_INDIRECT: the list is
 * big-endian in memory. Written with one guest write, not per entry.
 *
 * Models: the guest's stores (arch/powerpc/platforms/pseries/iommu.c:
 *         tce_buildmulti_pSeriesLP() fills tcep[] with cpu_to_be64()).
 * Context: as tcesim_kvm_write_guest().
 * Return: 0, or -EFAULT as tcesim_kvm_write_guest(), -EINVAL for @n > 4096.
 */
TCESIM_EXPORT int tcesim_kvm_write_guest_be64(struct tcesim_kvm *kvm, uint64_t gpa,
					      const uint64_t *vals, size_t n);

/**
 * tcesim_kvm_set_trace() - Emit QEMU's spapr_iommu_* trace lines
 * @kvm: guest
 * @f: stream for lines such as "spapr_iommu_put liobn=0x71000002 ioba=0x0
 *     tce=0x1003 ret=0", or NULL to stop
 *
 * Lines are emitted only for calls the QEMU tier handled, exactly when
 * QEMU 7.2 would trace (an H_STUFF_TCE on an unknown LIOBN is not traced;
 * an H_PUT_TCE on one is), with hw/ppc/trace-events' format strings and the
 * "log" backend's "NAME args" shape (no pid/timestamp prefix).
 *
 * Models: QEMU hw/ppc/trace-events, "# spapr_iommu.c" section.
 * Context: set before hypercalls run; not synchronised with them.
 * Return: nothing.
 */
TCESIM_EXPORT void tcesim_kvm_set_trace(struct tcesim_kvm *kvm, FILE *f);

/**
 * tcesim_kvm_live_tces() - Non-zero TCE entries over all of the guest's tables
 * @kvm: guest
 *
 * Models: none (oracle; "live" = the entry is not 0).
 * Context: any thread; exact when no hypercall runs concurrently.
 * Return: count of non-zero entries (KVM tables and QEMU-only tables once each).
 */
TCESIM_EXPORT uint64_t tcesim_kvm_live_tces(const struct tcesim_kvm *kvm);

/* ----------------------------------------------------------- KVM tier --- */

/**
 * tcesim_kvm_vm_ioctl_create_spapr_tce() - Create a guest-visible TCE table in KVM
 * @kvm: guest
 * @args: LIOBN, page shift, offset and size (pages)
 * @mm: process charged with the table's pages in locked_vm, or NULL to
 *	charge nothing; the charge is kvmppc_stt_pages(): the TCE pages
 *	(ceil(size * 8 / PAGE_SIZE)) plus the pages of upstream's struct
 *	kvmppc_spapr_tce_table (120 bytes on ppc64) with its page-pointer array
 *
 * The TCE pages (host PAGE_SIZE each, PAGE_SIZE/8 TCEs in CPU endianness)
 * are allocated when first written with a non-zero value.
 *
 * Models: arch/powerpc/kvm/powerpc.c: kvm_arch_vm_ioctl()
 *         (KVM_CREATE_SPAPR_TCE_64: the flags check) and
 *         arch/powerpc/kvm/book3s_64_vio.c: kvm_vm_ioctl_create_spapr_tce();
 *         the kernel returns an fd, tcesim names the table by its LIOBN.
 * Context: takes kvm->lock; the table list is RCU for hypercalls.
 * Return: 0, or
 *  * -EINVAL - @args NULL, flags not 0 (checked first), size 0, page_shift
 *              < 12 or > 34, or offset + size > ULLONG_MAX >> page_shift;
 *              and (quirks=safe) offset + size wrapping past 2^64, which
 *              upstream does not see: quirks=upstream accepts such a table
 *              (no ioba reaches it) unless size * 8 overflows as well
 *              (upstream's pages[] is then too short: -EINVAL and a message
 *              in both modes)
 *  * -ENOMEM - locked_vm charge beyond RLIMIT_MEMLOCK, a struct_size() of the
 *              page-pointer array (120 + 8 bytes per TCE page, upstream's
 *              struct) beyond KMALLOC_MAX_SIZE (PAGE_SIZE <<
 *              MAX_PAGE_ORDER: tcesim_world_max_page_order()), or allocation failed
 *  * -EBUSY  - a KVM table with this LIOBN exists
 *  On error nothing is charged or created.
 */
TCESIM_EXPORT int
tcesim_kvm_vm_ioctl_create_spapr_tce(struct tcesim_kvm *kvm,
				     const struct tcesim_kvm_create_spapr_tce_64 *args,
				     struct tcesim_mm *mm);

/**
 * tcesim_kvm_spapr_tce_release() - Close a KVM TCE table (its fd's release)
 * @kvm: guest
 * @liobn: LIOBN of the KVM table
 *
 * Unlinks the table, uncharges locked_vm and frees it after a grace period.
 * A QEMU table sharing its storage is disabled first (QEMU closes the fd
 * only when its table goes, hw/ppc/spapr_iommu.c: spapr_tce_free_table()).
 *
 * Models: book3s_64_vio.c: kvm_spapr_tce_release().
 * Context: takes kvm->lock; frees through call_rcu.
 * Return: 0, or -ENOENT when KVM has no table with @liobn.
 */
TCESIM_EXPORT int tcesim_kvm_spapr_tce_release(struct tcesim_kvm *kvm, uint64_t liobn);

/**
 * tcesim_kvmppc_h_put_tce() - KVM's H_PUT_TCE: set one TCE
 * @kvm: guest
 * @liobn: table
 * @ioba: bus address of the entry, bytes, aligned to the table's page
 * @tce: new TCE; R/W bits 0 clears (any other bits allowed: "poison")
 *
 * Models: arch/powerpc/kvm/book3s_64_vio.c: kvmppc_h_put_tce() (modern).
 * Context: RCU read side taken inside (the kernel's srcu + rcu); lock-free
 *          except the TCE page allocation mutex.
 * Return:
 *  * TCESIM_H_SUCCESS   - stored
 *  * TCESIM_H_TOO_HARD  - no KVM table for @liobn; or @tce has R/W bits and
 *                         its address is not aligned to the table page or in
 *                         no memslot (kvmppc_tce_validate); or a linked
 *                         hardware table refused it. The caller falls back to
 *                         userspace (never returned to a guest).
 *  * TCESIM_H_PARAMETER - @ioba misaligned or outside [offset, offset+size)
 *  Nothing is stored on error.
 * Flavours: legacy_2016 (v5.2..v5.18): a mapping @tce whose address is
 *  misaligned is TCESIM_H_PARAMETER, not H_TOO_HARD (one in no memslot is
 *  H_TOO_HARD in both).
 *  legacy_2013 (seed 004): only "ioba >= window_size" (bytes from the
 *  window start) is H_PARAMETER, a misaligned @ioba stores entry
 *  @ioba >> page_shift; @tce with any bit 2..11 set is H_PARAMETER (R/W or
 *  not) and its address is not looked up; a table with linked hardware
 *  tables is H_TOO_HARD (the 2013 group paths are not modelled).
 */
TCESIM_EXPORT long tcesim_kvmppc_h_put_tce(struct tcesim_kvm *kvm, uint64_t liobn, uint64_t ioba,
					   uint64_t tce);

/**
 * tcesim_kvmppc_h_put_tce_indirect() - KVM's H_PUT_TCE_INDIRECT: set TCEs from a list
 * @kvm: guest
 * @liobn: table
 * @ioba: bus address of the first entry, bytes, aligned to the table's page
 * @tce_list: guest physical address of a list of big-endian TCEs, 4K aligned
 * @npages: number of TCEs in the list, <= 512
 *
 * Two passes: the first reads and validates every TCE and returns before
 * anything is written; the second re-reads the list and stores.
 *
 * With linked hardware tables, pass 2 maps every entry into each of them;
 * under quirks=upstream an entry without R/W bits is mapped with DMA_NONE
 * as upstream (kvmppc_tce_iommu_map(): its ua must be preregistered, else
 * H_TOO_HARD, and the region's mapped count it takes is never given back);
 * quirks=safe unmaps it instead, as H_PUT_TCE does.
 *
 * Models: book3s_64_vio.c: kvmppc_h_put_tce_indirect() (modern).
 * Context: as tcesim_kvmppc_h_put_tce(); reads guest memory (mm->lock).
 * Return:
 *  * TCESIM_H_SUCCESS   - all stored (also for @npages 0 with @ioba inside
 *                         the window: nothing to do)
 *  * TCESIM_H_TOO_HARD  - no KVM table; @tce_list in no memslot; the list
 *                         unreadable (pass 1 or 2: the list is one 4K page,
 *                         so nothing is written); or a TCE failing
 *                         kvmppc_tce_validate (nothing written)
 *  * TCESIM_H_PARAMETER - @npages > 512, @tce_list not 4K aligned, @ioba
 *                         range invalid (iommu_tce_check_ioba(): the first
 *                         page must be in the window even for @npages 0)
 *                         (nothing written); or, in pass 2, a TCE in no
 *                         memslot (even one without R/W bits): the entries
 *                         before it stay written
 *  * a linked table's map code (pass 2): that entry cleared there, the
 *    entries before it stay written
 * Flavours: legacy_2013 (seed 004, v9 08/13): after the 512/alignment checks
 *  comes the range check "ioba + (npages << page_shift) > window_size"
 *  (H_PARAMETER), then the list page is translated and referenced (no
 *  memslot or unmapped: H_TOO_HARD); then every TCE is read (a fault:
 *  H_PARAMETER) and
 *  validated by its bits only (bit 2..11 set: H_PARAMETER, addresses not
 *  looked up) and all are stored: no second read, never a partial update.
 *  A table with linked hardware tables is H_TOO_HARD.
 */
TCESIM_EXPORT long tcesim_kvmppc_h_put_tce_indirect(struct tcesim_kvm *kvm, uint64_t liobn,
						    uint64_t ioba, uint64_t tce_list,
						    uint64_t npages);

/**
 * tcesim_kvmppc_h_stuff_tce() - KVM's H_STUFF_TCE: set a range to one value
 * @kvm: guest
 * @liobn: table
 * @ioba: bus address of the first entry, bytes, aligned to the table's page
 * @tce_value: value stored in each entry; must have no R/W bits (KVM only
 *	clears; other bits are kept: "poison")
 * @npages: number of entries
 *
 * Models: book3s_64_vio.c: kvmppc_h_stuff_tce() (modern).
 * Context: as tcesim_kvmppc_h_put_tce().
 * Return:
 *  * TCESIM_H_SUCCESS   - stored (@npages 0 with @ioba inside the window:
 *                         nothing to do)
 *  * TCESIM_H_TOO_HARD  - no KVM table for @liobn, or a linked hardware
 *                         table could not unmap (returned at once: earlier
 *                         hardware entries stay cleared, guest values unchanged)
 *  * TCESIM_H_PARAMETER - @ioba range invalid (the first page must be in the
 *                         window even for @npages 0), or @tce_value has R
 *                         or W set
 *  * TCESIM_H_HARDWARE  - (or another code) a linked hardware table failed to
 *                         unmap otherwise: WARN, that entry cleared, the loop
 *                         goes on, the values are stored and the last code
 *                         is returned, as upstream
 * Flavours: legacy_2013 (seed 004): the range check is "ioba + (npages <<
 *  page_shift) > window_size" (a misaligned @ioba is truncated) and
 *  @tce_value must also pass the 2013 kvmppc_tce_validate(): any bit 2..11
 *  set is H_PARAMETER. A table with linked hardware tables is H_TOO_HARD.
 * Cost: as upstream, a 0 into an absent stt page is no store at all; the
 *  model skips such pages 64 at a time, so clearing a huge, almost empty
 *  table costs its present pages (linked hardware tables are still
 *  unmapped entry by entry, as upstream).
 */
TCESIM_EXPORT long tcesim_kvmppc_h_stuff_tce(struct tcesim_kvm *kvm, uint64_t liobn,
					     uint64_t ioba, uint64_t tce_value, uint64_t npages);

/**
 * tcesim_kvmppc_h_get_tce() - KVM's H_GET_TCE: read one TCE
 * @kvm: guest
 * @liobn: table
 * @ioba: bus address of the entry, bytes, aligned to the table's page
 * @tce: out, the stored value (0 if its page was never allocated)
 *
 * Models: book3s_64_vio.c: kvmppc_h_get_tce().
 * Context: RCU read side taken inside; lock-free.
 * Return:
 *  * TCESIM_H_SUCCESS   - @tce set
 *  * TCESIM_H_TOO_HARD  - no KVM table for @liobn
 *  * TCESIM_H_PARAMETER - @ioba misaligned or outside the window
 * Flavours: legacy_2013 (seed 004): only "ioba >= window_size" is
 *  H_PARAMETER, a misaligned @ioba reads entry @ioba >> page_shift; a table
 *  with linked hardware tables is H_TOO_HARD.
 */
TCESIM_EXPORT long tcesim_kvmppc_h_get_tce(struct tcesim_kvm *kvm, uint64_t liobn, uint64_t ioba,
					   uint64_t *tce);

/*
 * Real mode (flavour legacy_2016): the same four handlers run first with the
 * MMU off; they cannot allocate or fault, so they return H_TOO_HARD for the
 * virtual-mode handler to retry in those cases.
 */

/**
 * tcesim_kvmppc_rm_h_put_tce() - KVM's real-mode H_PUT_TCE (2016-2022)
 * @kvm: guest
 * @liobn: table
 * @ioba: bus address of the entry, bytes, aligned to the table's page
 * @tce: new TCE
 *
 * Models: arch/powerpc/kvm/book3s_64_vio_hv.c: kvmppc_rm_h_put_tce()
 *         (v5.2..v5.18).
 * Context: RCU read side taken inside; never allocates.
 * Return:
 *  * TCESIM_H_SUCCESS   - stored
 *  * TCESIM_H_TOO_HARD  - no KVM table; a non-zero @tce for an entry whose
 *                         TCE page is not allocated yet (virtual mode will
 *                         allocate it); a linked table refused it; or, in
 *                         the modern flavour, kvmppc_tce_validate()'s cases;
 *                         legacy_2016: a mapping TCE in no memslot
 *                         (kvmppc_rm_tce_validate())
 *  * TCESIM_H_PARAMETER - @ioba invalid; legacy_2016: a mapping TCE whose
 *                         address is misaligned
 */
TCESIM_EXPORT long tcesim_kvmppc_rm_h_put_tce(struct tcesim_kvm *kvm, uint64_t liobn,
					      uint64_t ioba, uint64_t tce);

/**
 * tcesim_kvmppc_rm_h_put_tce_indirect() - KVM's real-mode H_PUT_TCE_INDIRECT
 * @kvm: guest
 * @liobn: table
 * @ioba: bus address of the first entry, bytes
 * @tce_list: guest physical address of the big-endian list, 4K aligned
 * @npages: TCEs, <= 512
 *
 * Models: book3s_64_vio_hv.c: kvmppc_rm_h_put_tce_indirect() (v5.2..v5.18).
 * Context: RCU read side taken inside; reads guest memory without faulting.
 * Return:
 *  * TCESIM_H_SUCCESS   - all stored
 *  * TCESIM_H_TOO_HARD  - no KVM table; @tce_list in no memslot or its host
 *                         page not present (never touched); a TCE page of
 *                         the range not allocated (@npages 0: the page of
 *                         @ioba's entry unless it starts that page, as
 *                         kvmppc_rm_ioba_validate() counts); a mapping TCE
 *                         in no memslot (nothing written); a linked table
 *                         refused
 *  * TCESIM_H_PARAMETER - @npages > 512, @tce_list misaligned, @ioba range
 *                         invalid, a TCE failing validation (nothing
 *                         written); a TCE in no memslot (entries before it
 *                         stay written)
 */
TCESIM_EXPORT long tcesim_kvmppc_rm_h_put_tce_indirect(struct tcesim_kvm *kvm, uint64_t liobn,
						       uint64_t ioba, uint64_t tce_list,
						       uint64_t npages);

/**
 * tcesim_kvmppc_rm_h_stuff_tce() - KVM's real-mode H_STUFF_TCE
 * @kvm: guest
 * @liobn: table
 * @ioba: bus address of the first entry, bytes
 * @tce_value: value to store, without R/W bits
 * @npages: entries
 *
 * Models: book3s_64_vio_hv.c: kvmppc_rm_h_stuff_tce() (v5.2..v5.18).
 * Context: RCU read side taken inside; never allocates.
 * Return: as tcesim_kvmppc_h_stuff_tce(), plus TCESIM_H_TOO_HARD when
 *         @tce_value is not 0 and a TCE page of the range is not allocated
 *         (@npages 0: as tcesim_kvmppc_rm_h_put_tce_indirect()).
 */
TCESIM_EXPORT long tcesim_kvmppc_rm_h_stuff_tce(struct tcesim_kvm *kvm, uint64_t liobn,
						uint64_t ioba, uint64_t tce_value,
						uint64_t npages);

/**
 * tcesim_kvmppc_rm_h_get_tce() - KVM's real-mode H_GET_TCE
 * @kvm: guest
 * @liobn: table
 * @ioba: bus address, bytes, aligned
 * @tce: out, the stored value (0 for an unallocated page)
 *
 * Models: book3s_64_vio_hv.c: kvmppc_h_get_tce() (shared by both modes).
 * Context: RCU read side taken inside.
 * Return: as tcesim_kvmppc_h_get_tce().
 */
TCESIM_EXPORT long tcesim_kvmppc_rm_h_get_tce(struct tcesim_kvm *kvm, uint64_t liobn,
					      uint64_t ioba, uint64_t *tce);

/* ---------------------------------------------------------- QEMU tier --- */

/**
 * tcesim_spapr_tce_new_table() - Create and enable a QEMU TCE table
 * @kvm: guest
 * @liobn: LIOBN, < 2^32
 * @bus_offset: bus address of entry 0, bytes
 * @page_shift: log2 TCE page size, 12..34
 * @nb_table: entries (0: a disabled table; every access is out of bounds)
 * @use_kvm: QEMU runs with KVM: create the table in KVM as well
 *	(kvmppc_create_spapr_tce) and share KVM's storage; bus_offset must be
 *	a multiple of the page size (offset = bus_offset >> page_shift)
 * @mm: with @use_kvm, the process charged for KVM's table (NULL: none)
 *
 * Without @use_kvm QEMU owns a zeroed array of @nb_table host-endian u64
 * (g_new0). The model keeps it sparse: 512-entry leaves allocated by the
 * first non-zero store into them, absent entries reading as 0; memory, the
 * digest and a STUFF of 0 cost the entries written, not @nb_table (any
 * window the checks below accept, up to 2^64 bytes, can be created). The
 * model keeps at most 1 GiB of entries per table (2^27 non-zero TCEs in
 * distinct 512-entry leaves): a non-zero store past that bound is not
 * kept, reported once per table in the world's log, where QEMU would store it.
 *
 * Models: QEMU hw/ppc/spapr_iommu.c: spapr_tce_new_table() +
 *         spapr_tce_table_enable() (+ target/ppc/kvm.c:
 *         kvmppc_create_spapr_tce() with @use_kvm).
 * Context: takes kvm->lock (QEMU's BQL); the list is RCU for hypercalls.
 * Return: 0, or
 *  * -EINVAL - @liobn >= 2^32, @page_shift out of range, window wraps, or
 *              @use_kvm with an unaligned bus_offset or nb_table 0
 *  * -EBUSY  - a QEMU table with @liobn exists ("duplicate LIOBN"), or
 *              (@use_kvm) KVM has one
 *  * -ENOMEM - allocation failed (the table object; with @use_kvm KVM's
 *              table) or locked_vm limit
 */
TCESIM_EXPORT int tcesim_spapr_tce_new_table(struct tcesim_kvm *kvm, uint64_t liobn,
					     uint64_t bus_offset, unsigned int page_shift,
					     uint64_t nb_table, bool use_kvm, struct tcesim_mm *mm);

/**
 * tcesim_spapr_tce_table_disable() - Remove a QEMU TCE table
 * @kvm: guest
 * @liobn: LIOBN
 *
 * A KVM-backed table also closes KVM's table (its locked_vm is returned).
 *
 * Models: hw/ppc/spapr_iommu.c: spapr_tce_table_disable() +
 *         spapr_tce_free_table() (a DDW removal).
 * Context: takes kvm->lock; frees through call_rcu.
 * Return: 0, or -ENOENT when QEMU has no table @liobn.
 */
TCESIM_EXPORT int tcesim_spapr_tce_table_disable(struct tcesim_kvm *kvm, uint64_t liobn);

/**
 * tcesim_spapr_tce_table_info() - Describe a QEMU TCE table
 * @kvm: guest
 * @liobn: LIOBN
 * @info: out
 *
 * Models: none (inspection).
 * Context: RCU read side taken inside.
 * Return: 0, or -ENOENT when QEMU has no table @liobn.
 */
TCESIM_EXPORT int tcesim_spapr_tce_table_info(struct tcesim_kvm *kvm, uint64_t liobn,
					      struct tcesim_spapr_tce_info *info);

/**
 * tcesim_spapr_tce_digest() - XXH3 digest of a QEMU table's contents
 * @kvm: guest
 * @liobn: LIOBN
 * @digest: out: XXH3-64 over the (index, value) pairs, both little-endian
 *	u64, of every non-zero entry in index order; independent of how the
 *	storage is paged, so a KVM-backed and a QEMU-only table holding the
 *	same values give the same digest
 *
 * Models: none (state digest).
 * Context: RCU read side taken inside; meaningful with no concurrent writer.
 * Return: 0, -ENOENT for an unknown @liobn, -ENOMEM if the hash state
 *         cannot be allocated.
 */
TCESIM_EXPORT int tcesim_spapr_tce_digest(struct tcesim_kvm *kvm, uint64_t liobn,
					  uint64_t *digest);

/**
 * tcesim_h_put_tce() - QEMU's H_PUT_TCE
 * @kvm: guest
 * @liobn: table
 * @ioba: bus address; QEMU masks it down to the table's page
 * @tce: stored unchecked (any bits)
 * @out: trace values (may be NULL); @out->tier is left alone
 *
 * Models: QEMU hw/ppc/spapr_iommu.c: h_put_tce() + put_tce_emu() (v7.2).
 * Context: RCU read side taken inside (QEMU holds the BQL).
 * Return:
 *  * TCESIM_H_SUCCESS   - stored
 *  * TCESIM_H_PARAMETER - unknown LIOBN (or >= 2^32), or the entry index
 *                         (ioba - bus_offset) >> page_shift is >= nb_table
 *  Traced in both cases (an unknown LIOBN with the unmasked ioba).
 */
TCESIM_EXPORT long tcesim_h_put_tce(struct tcesim_kvm *kvm, uint64_t liobn, uint64_t ioba,
				    uint64_t tce, struct tcesim_hcall_out *out);

/**
 * tcesim_h_put_tce_indirect() - QEMU's H_PUT_TCE_INDIRECT
 * @kvm: guest
 * @liobn: table
 * @ioba: bus address of the first entry (masked down to the page)
 * @tce_list: guest physical address of the big-endian list, 4K aligned
 *	(bytes outside guest RAM read as 0, as QEMU's unassigned memory)
 * @npages: TCEs in the list, 1..512
 * @out: trace values (may be NULL)
 *
 * Entries are loaded and stored one by one; the first out-of-range entry
 * stops the loop and the entries before it stay written.
 *
 * Models: QEMU hw/ppc/spapr_iommu.c: h_put_tce_indirect() (v7.2).
 * Context: as tcesim_h_put_tce(); reads guest memory.
 * Return:
 *  * TCESIM_H_SUCCESS   - all stored
 *  * TCESIM_H_PARAMETER - unknown LIOBN, @npages > 512 or @tce_list not 4K
 *                         aligned (not traced); @npages 0 (traced, nothing
 *                         written); an entry out of range (traced, partial)
 */
TCESIM_EXPORT long tcesim_h_put_tce_indirect(struct tcesim_kvm *kvm, uint64_t liobn,
					     uint64_t ioba, uint64_t tce_list, uint64_t npages,
					     struct tcesim_hcall_out *out);

/**
 * tcesim_h_stuff_tce() - QEMU's H_STUFF_TCE
 * @kvm: guest
 * @liobn: table
 * @ioba: bus address of the first entry (masked down to the page)
 * @tce_value: stored unchecked in each entry (R/W bits allowed, unlike KVM)
 * @npages: entries, <= nb_table
 * @out: trace values (may be NULL): trace_ioba is where the loop stopped
 *
 * A @tce_value of 0 skips the absent (all-zero) leaves of QEMU's own
 * storage: clearing a huge, almost empty window costs its written entries.
 * A non-zero value over a huge range allocates what QEMU would touch, up to
 * the model's 1 GiB per table (tcesim_spapr_tce_new_table()); a leaf past
 * it, or that cannot be allocated, is reported once (world log) and not
 * stored, and the return code is QEMU's all the same.
 *
 * Models: QEMU hw/ppc/spapr_iommu.c: h_stuff_tce() (v7.2).
 * Context: as tcesim_h_put_tce().
 * Return:
 *  * TCESIM_H_SUCCESS   - all stored
 *  * TCESIM_H_PARAMETER - unknown LIOBN or @npages > nb_table (not traced);
 *                         @npages 0 (traced, nothing written); an entry out
 *                         of range (traced; earlier entries stay written)
 */
TCESIM_EXPORT long tcesim_h_stuff_tce(struct tcesim_kvm *kvm, uint64_t liobn, uint64_t ioba,
				      uint64_t tce_value, uint64_t npages,
				      struct tcesim_hcall_out *out);

/**
 * tcesim_h_get_tce() - QEMU's H_GET_TCE
 * @kvm: guest
 * @liobn: table
 * @ioba: bus address (masked down to the page)
 * @tce: out, the stored value (0 if never written); untouched on error
 * @out: trace values (may be NULL)
 *
 * Models: QEMU hw/ppc/spapr_iommu.c: h_get_tce() + get_tce_emu() (v7.2).
 * Context: as tcesim_h_put_tce().
 * Return:
 *  * TCESIM_H_SUCCESS   - @tce set
 *  * TCESIM_H_PARAMETER - unknown LIOBN or out-of-range ioba (traced)
 */
TCESIM_EXPORT long tcesim_h_get_tce(struct tcesim_kvm *kvm, uint64_t liobn, uint64_t ioba,
				    uint64_t *tce, struct tcesim_hcall_out *out);

/**
 * tcesim_spapr_tce_translate_iommu() - QEMU's DMA translation through a table
 * @kvm: guest
 * @liobn: table (the device's IOMMU memory region)
 * @addr: offset into the window (bus address - bus_offset), bytes
 * @entry: out: in bounds, translated = TCE & page mask, perm = TCE & 3,
 *	addr_mask = ~page mask; out of bounds, perm 0 and addr_mask ~0
 *
 * Traces spapr_iommu_xlate when a tracer is set.
 *
 * Models: QEMU hw/ppc/spapr_iommu.c: spapr_tce_translate_iommu().
 * Context: RCU read side taken inside; lock-free.
 * Return: 0, or -ENOENT when QEMU has no table @liobn.
 */
TCESIM_EXPORT int tcesim_spapr_tce_translate_iommu(struct tcesim_kvm *kvm, uint64_t liobn,
						   uint64_t addr,
						   struct tcesim_iommu_tlb_entry *entry);

/**
 * tcesim_spapr_tce_translate_iommu_batch() - QEMU's DMA translation of a run
 *	of offsets through one table
 * @kvm: guest
 * @liobn: table (the device's IOMMU memory region), the same for all @n
 * @addr: @n offsets into the window (bus address - bus_offset), bytes
 * @n: number of translations; 0 is allowed (only the table lookup is done)
 * @entries: out, @n entries: entries[i] is exactly what
 *	tcesim_spapr_tce_translate_iommu(@kvm, @liobn, addr[i], ...) would give;
 *	untouched on error
 *
 * The same translations as @n calls of tcesim_spapr_tce_translate_iommu(),
 * in order, against one snapshot of the table: one RCU read-side section
 * and one LIOBN lookup for the whole run (the per-call lock, unlock and
 * list walk were half the cost of a single translation). A writer running
 * concurrently may land before or after any entry, as with separate calls.
 * Traces spapr_iommu_xlate once per entry, in order, when a tracer is set.
 *
 * Models: QEMU hw/ppc/spapr_iommu.c: spapr_tce_translate_iommu(), once per
 *         offset (QEMU has no batched form: its memory core calls the
 *         region's translate hook per access).
 * Context: RCU read side taken inside, once per call; lock-free.
 * Return: 0, or -ENOENT when QEMU has no table @liobn (nothing written,
 *         nothing traced).
 */
TCESIM_EXPORT int tcesim_spapr_tce_translate_iommu_batch(struct tcesim_kvm *kvm, uint64_t liobn,
							 const uint64_t *addr, size_t n,
							 struct tcesim_iommu_tlb_entry *entries);

/* ----------------------------------------------------------- dispatch --- */

/**
 * tcesim_kvm_hcall() - A guest's TCE hypercall through the configured tiers
 * @kvm: guest
 * @req: TCESIM_H_PUT_TCE, TCESIM_H_PUT_TCE_INDIRECT, TCESIM_H_STUFF_TCE or
 *	TCESIM_H_GET_TCE
 * @args: the hypercall's r4..r7: (liobn, ioba, tce) for PUT; (liobn, ioba,
 *	tce_list, npages) for INDIRECT; (liobn, ioba, tce_value, npages) for
 *	STUFF; (liobn, ioba) for GET
 * @out: which tier answered, GET's r4, QEMU's trace values (may be NULL)
 *
 * hcall=kvm+qemu: KVM first, and its H_TOO_HARD goes to QEMU; hcall=kvm:
 * KVM only, H_TOO_HARD is returned (the "exit to userspace" itself);
 * hcall=qemu: QEMU only (TCG, or KVM without in-kernel TCE support).
 * Flavour legacy_2016 has three tiers: KVM real mode, then (on H_TOO_HARD)
 * KVM virtual mode, then QEMU. Flavour legacy_2013 has the two default
 * tiers, KVM answering with the 2013 emulated-table rules (see
 * tcesim_kvmppc_h_put_tce()).
 *
 * Models: arch/powerpc/kvm/book3s_hv.c: kvmppc_pseries_do_hcall()
 *         (H_TOO_HARD -> RESUME_HOST), book3s_hv_rmhandlers.S's hcall table
 *         (real mode, legacy_2016) and QEMU hw/ppc/spapr_hcall.c:
 *         spapr_hypercall().
 * Context: as the tier functions.
 * Return: the PAPR code the guest sees in r3 (see the tier functions), or
 *         TCESIM_H_FUNCTION for any other @req; TCESIM_H_TOO_HARD only with
 *         hcall=kvm.
 */
TCESIM_EXPORT long tcesim_kvm_hcall(struct tcesim_kvm *kvm, unsigned long req,
				    const uint64_t args[4], struct tcesim_hcall_out *out);

/**
 * tcesim_hcall_req_name() - Name of a TCE hypercall number
 * @req: TCESIM_H_PUT_TCE, ...
 *
 * Models: none.
 * Context: any thread.
 * Return: "H_PUT_TCE", "H_PUT_TCE_INDIRECT", "H_STUFF_TCE", "H_GET_TCE", or
 *         NULL for another number.
 */
TCESIM_EXPORT const char *tcesim_hcall_req_name(unsigned long req);

#ifdef __cplusplus
}
#endif
#endif /* TCESIM_KVM_H */
