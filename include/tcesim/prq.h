/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tcesim/prq.h - the Intel VT-d page request queue (PRQ), its event thread,
 * the invalidation queue (QI) and the PASID drain protocol
 * (drivers/iommu/intel/prq.c, dmar.c: qi_submit_sync(); QEMU
 * hw/i386/intel_iommu.c: vtd_pri_request_page(); SEMANTICS.md B13).
 *
 * Objects: the PRQ and the QI hang off an IOMMU instance, struct tcesim_iommu of sva.h, once
 * tcesim_intel_iommu_enable_prq() ran; they live until the world is
 * destroyed. Devices get a requester ID (bus 1, devfn = registration order)
 * the first time the PRQ layer meets them.
 *
 * Roles, as on real hardware:
 *  - the device side (producer) writes page request descriptors with
 *    tcesim_vtd_pri_request_page() / tcesim_vtd_prq_post();
 *  - the event thread (consumer) runs tcesim_prq_event_thread(), one pass
 *    per call, from a thread of the caller's choice;
 *  - a driver tearing a PASID down calls
 *    tcesim_intel_iommu_drain_pasid_prq().
 * Producer and consumer may run on different threads at the same time (an
 * SPSC ring; several producer threads are serialised by the modelled PRQ
 * write port). Every thread must have called tcesim_thread_enter().
 */
#ifndef TCESIM_PRQ_H
#define TCESIM_PRQ_H

#include <stdbool.h>
#include <stdint.h>
#include <tcesim/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct tcesim_iommu;
struct tcesim_device;

/* ------------------------------------------------ descriptor layout --- */
/*
 * struct page_req_dsc (drivers/iommu/intel/prq.c), 32 bytes, little-endian
 * quadwords; qw2/qw3 are private data the model leaves zero.
 *   qw0: type:8 pasid_present:1 rsvd:7 rid:16 pasid:20 exe_req:1 pm_req:1 rsvd:10
 *   qw1: rd_req:1 wr_req:1 lpig:1 prg_index:9 addr:52 (4 KiB page number)
 */
#define TCESIM_PRQ_DESC_SIZE		32u
#define TCESIM_PRQ_DESC_TYPE_PAGE_REQ	0x1ull	/* page request descriptor type */

#define TCESIM_PRQ_QW0_TYPE_SHIFT	0
#define TCESIM_PRQ_QW0_TYPE_MASK	(0xffull << TCESIM_PRQ_QW0_TYPE_SHIFT)
#define TCESIM_PRQ_QW0_PASID_PRESENT	(1ull << 8)
#define TCESIM_PRQ_QW0_RID_SHIFT	16
#define TCESIM_PRQ_QW0_RID_MASK		(0xffffull << TCESIM_PRQ_QW0_RID_SHIFT)
#define TCESIM_PRQ_QW0_PASID_SHIFT	32
#define TCESIM_PRQ_QW0_PASID_MASK	(0xfffffull << TCESIM_PRQ_QW0_PASID_SHIFT)
#define TCESIM_PRQ_QW0_EXE_REQ		(1ull << 52)
#define TCESIM_PRQ_QW0_PM_REQ		(1ull << 53)

#define TCESIM_PRQ_QW1_RD_REQ		(1ull << 0)
#define TCESIM_PRQ_QW1_WR_REQ		(1ull << 1)
#define TCESIM_PRQ_QW1_LPIG		(1ull << 2)
#define TCESIM_PRQ_QW1_PRG_INDEX_SHIFT	3
#define TCESIM_PRQ_QW1_PRG_INDEX_MASK	(0x1ffull << TCESIM_PRQ_QW1_PRG_INDEX_SHIFT)
#define TCESIM_PRQ_QW1_ADDR_SHIFT	12
#define TCESIM_PRQ_QW1_ADDR_MASK	(~0ull << TCESIM_PRQ_QW1_ADDR_SHIFT)

/* DMAR_PRS_REG bits (include/linux/intel-iommu.h); write 1 to clear */
#define TCESIM_DMA_PRS_PPR		0x1u	/* pending page request */
#define TCESIM_DMA_PRS_PRO		0x2u	/* page request overflow */

/* PRQ_ORDER 4 (modern): 4 KiB << 4 = 64 KiB = 2048 descriptors; 0 (2020): 128 */
#define TCESIM_PRQ_DEPTH_MODERN		2048u
#define TCESIM_PRQ_DEPTH_2020		128u

/* ------------------------------------------- invalidation descriptors --- */
/* drivers/iommu/intel/iommu.h: QI descriptor types (qw0 bits 3:0) */
#define TCESIM_QI_CC_TYPE		0x1ull	/* context cache */
#define TCESIM_QI_IOTLB_TYPE		0x2ull	/* IOTLB (domain selective here) */
#define TCESIM_QI_DIOTLB_TYPE		0x3ull	/* device TLB */
#define TCESIM_QI_IEC_TYPE		0x4ull
#define TCESIM_QI_IWD_TYPE		0x5ull	/* invalidation wait */
#define TCESIM_QI_EIOTLB_TYPE		0x6ull	/* PASID-based IOTLB */
#define TCESIM_QI_PC_TYPE		0x7ull	/* PASID cache */
#define TCESIM_QI_DEIOTLB_TYPE		0x8ull	/* PASID-based device TLB */
#define TCESIM_QI_PGRP_RESP_TYPE	0x9ull	/* page group response */
#define TCESIM_QI_TYPE_MASK		0xfull

/* invalidation wait descriptor */
#define TCESIM_QI_IWD_STATUS_DATA(d)	(((uint64_t)(d)) << 32)
#define TCESIM_QI_IWD_STATUS_WRITE	(1ull << 5)
#define TCESIM_QI_IWD_FENCE		(1ull << 6)
#define TCESIM_QI_IWD_PRQ_DRAIN		(1ull << 7)
/* enum { QI_FREE, QI_IN_USE, QI_DONE, QI_ABORT } */
#define TCESIM_QI_DONE			2u

/* PASID-based IOTLB: granularity (bits 5:4), DID (31:16), PASID (51:32) */
#define TCESIM_QI_EIOTLB_GRAN(g)	(((uint64_t)(g)) << 4)
#define TCESIM_QI_GRAN_NONG_PASID	2ull	/* 2020: all non-global, one PASID */
#define TCESIM_QI_GRAN_PSI_PASID	3ull	/* page selective within a PASID */
#define TCESIM_QI_EIOTLB_DID(d)		(((uint64_t)((d) & 0xffff)) << 16)
#define TCESIM_QI_EIOTLB_PASID(p)	(((uint64_t)((p) & 0xfffff)) << 32)
/* IOTLB: DSI granularity (bits 5:4 = 2), DID (31:16) */
#define TCESIM_QI_IOTLB_GRAN_DSI	(2ull << 4)
#define TCESIM_QI_IOTLB_DID(d)		(((uint64_t)((d) & 0xffff)) << 16)
/* (PASID-based) device TLB: SID (31:16), PASID (51:32) */
#define TCESIM_QI_DEV_IOTLB_SID(s)	(((uint64_t)((s) & 0xffff)) << 16)
#define TCESIM_QI_DEV_EIOTLB_PASID(p)	(((uint64_t)((p) & 0xfffff)) << 32)
/* page group response: qw0 PASID_P (4), RID (31:16), PASID (51:32), code (15:12) */
#define TCESIM_QI_PGRP_PASID_P(p)	(((uint64_t)!!(p)) << 4)
#define TCESIM_QI_PGRP_RESP_CODE(c)	(((uint64_t)((c) & 0xf)) << 12)
#define TCESIM_QI_PGRP_DID(rid)		(((uint64_t)((rid) & 0xffff)) << 16)
#define TCESIM_QI_PGRP_PASID(p)		(((uint64_t)((p) & 0xfffff)) << 32)
/* qw1: LPIG (2), PRG index (11:3) */
#define TCESIM_QI_PGRP_LPIG(x)		(((uint64_t)!!(x)) << 2)
#define TCESIM_QI_PGRP_IDX(i)		(((uint64_t)((i) & 0x1ff)) << 3)
/* VT-d page response codes */
#define TCESIM_QI_RESP_SUCCESS		0x0u
#define TCESIM_QI_RESP_INVALID		0x1u
#define TCESIM_QI_RESP_FAILURE		0xfu

/* qi_submit_sync() options */
#define TCESIM_QI_OPT_WAIT_DRAIN	(1u << 0)
/* Largest count qi_submit_sync() accepts (the model's queue length). */
#define TCESIM_QI_MAX_BATCH		16u

/**
 * struct tcesim_qi_desc - one invalidation queue descriptor (struct qi_desc)
 * @qw0: type in bits 3:0, then type-specific fields (TCESIM_QI_* macros)
 * @qw1: type-specific
 * @qw2: reserved (256-bit descriptors); ignored
 * @qw3: reserved; ignored
 */
struct tcesim_qi_desc {
	uint64_t qw0, qw1, qw2, qw3;
};

/**
 * struct tcesim_vtd_page_req - the fields of one page request descriptor
 * @rid:           requester ID (PCI_DEVID: bus << 8 | devfn)
 * @pasid_present: the request carries a PASID
 * @pasid:         PASID (20 bits), meaningful with @pasid_present
 * @addr:          page address in bytes; bits 11:0 are dropped
 * @prg_index:     page request group index, 0..511
 * @rd:            read access requested
 * @wr:            write access requested
 * @exe:           execute access requested
 * @pm:            privileged-mode access requested
 * @lpig:          last page in group (with !@rd && !@wr: a stop marker)
 */
struct tcesim_vtd_page_req {
	uint16_t rid;
	bool pasid_present;
	uint32_t pasid;
	uint64_t addr;
	uint32_t prg_index;
	bool rd, wr, exe, pm, lpig;
};

/**
 * struct tcesim_prq_stats - counters of one IOMMU's PRQ and QI
 * @depth:        ring depth in descriptors (it holds at most @depth - 1)
 * @head:         DMAR_PQH_REG, byte offset (software-owned)
 * @tail:         DMAR_PQT_REG, byte offset (hardware-owned)
 * @prs:          DMAR_PRS_REG (TCESIM_DMA_PRS_PPR | TCESIM_DMA_PRS_PRO)
 * @written:      descriptors written to the ring
 * @dropped:      requests dropped by the hardware (ring full or PRO set)
 * @overflows:    times the hardware set PRO
 * @passes:       event thread passes
 * @consumed:     descriptors the event thread read
 * @reported:     requests passed to iommu_report_device_fault()
 * @bad:          requests handle_bad_prq_event() took
 * @stop_markers: stop markers dropped by the event thread
 * @qi_submits:   qi_submit_sync() calls that succeeded
 * @qi_drains:    of those, calls with QI_OPT_WAIT_DRAIN (PRQ drain bit set)
 * @qi_descs:     descriptors executed, the appended wait descriptors included
 * @pgrp_resps:   page group response descriptors executed
 * @drains:       tcesim_intel_iommu_drain_pasid_prq() calls that drained
 * @drain_waits:  times a drain waited for the event thread
 */
struct tcesim_prq_stats {
	uint32_t depth;
	uint32_t head, tail, prs;
	unsigned long written, dropped, overflows;
	unsigned long passes, consumed, reported, bad, stop_markers;
	unsigned long qi_submits, qi_drains, qi_descs, pgrp_resps;
	unsigned long drains, drain_waits;
};

/* ------------------------------------------------------------ set-up --- */

/**
 * tcesim_intel_iommu_enable_prq() - Allocate and program an IOMMU's PRQ
 * @iommu: IOMMU (sva.h); its prq_depth config gives the ring depth in
 *         descriptors (a power of two, 2..65536)
 *
 * Allocates the ring, zeroes PQH/PQT/PRS, and routes the IOMMU's page group
 * responses (iopf) through the invalidation queue. Idempotent.
 *
 * Models: drivers/iommu/intel/prq.c: intel_iommu_enable_prq().
 *         Flavours: legacy_2020 caps the depth at 128 (PRQ_ORDER 0).
 * Context: takes the PRQ module's slot lock; not concurrently with the
 *          first use of the same IOMMU from another thread.
 * Return: 0, or
 *  * -EINVAL - @iommu NULL, or its prq_depth not a power of two in 2..65536
 *  * -ENOMEM - allocation failed (nothing changed)
 */
TCESIM_EXPORT int tcesim_intel_iommu_enable_prq(struct tcesim_iommu *iommu);

/**
 * tcesim_vtd_device_rid() - Requester ID of a device on its IOMMU's PRQ
 * @dev: PCI device (sva.h)
 * @rid: its PCI_DEVID, bus 1, devfn in registration order (0x100, 0x101...)
 *
 * The first call registers the device in the IOMMU's device table (the
 * kernel's device_rbtree, filled at probe), enabling the PRQ if needed.
 *
 * Models: drivers/iommu/intel/iommu.c: device_rbtree_insert().
 * Context: any registered thread; lock-free after the first call.
 * Return: 0, or
 *  * -EINVAL - NULL argument
 *  * -ENOSPC - 256 devices already registered on this IOMMU
 *  * -ENOMEM - the PRQ had to be enabled and allocation failed
 */
TCESIM_EXPORT int tcesim_vtd_device_rid(struct tcesim_device *dev, uint16_t *rid);

/* ----------------------------------------------------- hardware side --- */

/**
 * tcesim_vtd_pri_request_page() - A device sends a PCIe page request
 * @dev: PCI device with PRI; @req->rid is replaced by its requester ID
 * @req: the request (a stop marker: @req->lpig without rd/wr)
 *
 * QEMU's checks, then the ring: a request is dropped while PRO is set; the
 * request that would make the tail meet the head sets PRO and is dropped
 * (the ring holds depth - 1); otherwise it is written at PQT, PQT advances
 * and PPR is set.
 *
 * Models: qemu hw/i386/intel_iommu.c: vtd_pri_request_page() (2025).
 * Context: any registered thread; producers are serialised by the PRQ
 *          write port (a spinlock), never by the event thread.
 * Return: 0, or
 *  * -EINVAL - NULL argument, @req->exe without @req->rd (QEMU), or the
 *              PRQ could not be enabled for lack of a valid prq_depth
 *  * -EPERM  - @dev without PRI. A request without PASID (@req->pasid_present
 *              false) is accepted, as the hardware, QEMU and upstream's
 *              prq_event_thread() accept it (reported without PASID_VALID,
 *              matched as TCESIM_IOMMU_NO_PASID by the drain)
 *  * -ENOSPC - dropped: PRO was set, or the ring was full (PRO now set)
 *  * -ENOMEM - the PRQ had to be enabled and allocation failed
 */
TCESIM_EXPORT int tcesim_vtd_pri_request_page(struct tcesim_device *dev,
					      const struct tcesim_vtd_page_req *req);

/**
 * tcesim_vtd_prq_post() - Write a raw descriptor into an IOMMU's PRQ
 * @iommu: IOMMU with its PRQ enabled
 * @req:   descriptor fields, used as given (any RID, no PASID, ...)
 *
 * What any hardware may write: only the ring rules of
 * tcesim_vtd_pri_request_page() apply (PRO, full ring). For tests of the
 * event thread's checks (unknown RID, PASID-less requests) and benchmarks.
 *
 * Models: the descriptor write of vtd_pri_request_page().
 * Context: any registered thread (producer side).
 * Return: 0, or
 *  * -EINVAL - NULL argument
 *  * -ENODEV - the PRQ is not enabled
 *  * -ENOSPC - dropped: PRO was set, or the ring was full (PRO now set)
 */
TCESIM_EXPORT int tcesim_vtd_prq_post(struct tcesim_iommu *iommu,
				      const struct tcesim_vtd_page_req *req);

/**
 * tcesim_prq_desc_encode() - Build a page request descriptor
 * @req: fields
 * @qw:  the four quadwords (qw2, qw3 zero)
 *
 * Models: struct page_req_dsc (bit layout above).
 * Context: any thread.
 * Return: nothing.
 */
TCESIM_EXPORT void tcesim_prq_desc_encode(const struct tcesim_vtd_page_req *req, uint64_t qw[4]);

/**
 * tcesim_prq_desc_decode() - Read a page request descriptor
 * @qw:  the four quadwords
 * @req: fields (@req->addr in bytes)
 *
 * Models: struct page_req_dsc.
 * Context: any thread.
 * Return: the descriptor type field (TCESIM_PRQ_DESC_TYPE_PAGE_REQ).
 */
TCESIM_EXPORT unsigned int tcesim_prq_desc_decode(const uint64_t qw[4],
						  struct tcesim_vtd_page_req *req);

/* ------------------------------------------------------ event thread --- */

/**
 * tcesim_prq_event_thread() - One pass of the PRQ interrupt thread
 * @iommu: IOMMU with its PRQ enabled
 *
 * Clears PPR, then handles every descriptor in [PQH, PQT): non-canonical
 * address, privileged-mode read/write, execute+read and unknown RIDs are
 * bad (INVALID page group response only for the last request of a group,
 * handle_bad_prq_event); stop markers are dropped; the rest go to
 * tcesim_iommu_report_device_fault(). Then PQH = PQT. If PRO is set and the
 * ring is empty, partial fault groups are discarded and PRO is cleared
 * ("PRQ overflow cleared"). Finally wakes drainers (prq_complete).
 * Queued fault work is not run here: see tcesim_iopf_queue_flush_dev().
 *
 * Models: drivers/iommu/intel/prq.c: prq_event_thread(), handle_bad_prq_event(),
 *         intel_prq_report(). Flavours: legacy_2020 handles each group in
 *         the thread (2020 svm.c had no iopf queue): the device's fault work
 *         runs before the pass moves on, and PRO clears without discarding
 *         partial groups.
 * Context: any registered thread, not inside an RCU read-side section;
 *          passes of one IOMMU are serialised (a mutex: the IRQ thread is
 *          one thread). Producers run concurrently.
 * Return: number of descriptors consumed (>= 0), or
 *  * -EINVAL - @iommu NULL
 *  * -ENODEV - the PRQ is not enabled
 */
TCESIM_EXPORT int tcesim_prq_event_thread(struct tcesim_iommu *iommu);

/**
 * tcesim_prq_set_threaded() - Say whether an event thread serves this PRQ
 * @iommu:    IOMMU with its PRQ enabled
 * @threaded: true: some thread calls tcesim_prq_event_thread() in a loop,
 *            so a drain sleeps on prq_complete; false (default): a drain
 *            that must wait runs the pass itself, synchronously
 *
 * Models: none (the IRQ thread's existence; wait_for_completion()).
 * Context: any registered thread.
 * Return: 0, or -EINVAL (@iommu NULL), -ENODEV (PRQ not enabled).
 */
TCESIM_EXPORT int tcesim_prq_set_threaded(struct tcesim_iommu *iommu, bool threaded);

/**
 * tcesim_prq_flush_faults() - Run the fault work of every device on a PRQ
 * @iommu: IOMMU with its PRQ enabled
 *
 * For each device that has a RID on this PRQ and issues page requests,
 * runs its queued fault work to completion (tcesim_iopf_queue_flush_dev()),
 * so every fault group the last tcesim_prq_event_thread() pass reported is
 * handled and its page group response sent. Devices registered while it
 * runs may be skipped.
 *
 * Models: the iopf workqueue of drivers/iommu/intel/prq.c
 *         (iommu->iopf_queue) draining: iopf_queue_flush_dev()
 *         (drivers/iommu/io-pgfault.c) for each device of the queue.
 * Context: any registered thread, not inside an RCU read-side section
 *          and holding no tcesim lock (fault handlers take mm->lock).
 * Return: the number of devices flushed (>= 0), or
 *  * -EINVAL - @iommu NULL
 *  * -ENODEV - the PRQ is not enabled
 */
TCESIM_EXPORT int tcesim_prq_flush_faults(struct tcesim_iommu *iommu);

/* ------------------------------------------------- invalidation queue --- */

/**
 * tcesim_qi_submit_sync() - Submit invalidation descriptors and wait
 * @iommu:   IOMMU with its PRQ enabled (the QI is set up with it)
 * @desc:    @count descriptors
 * @count:   1..TCESIM_QI_MAX_BATCH
 * @options: 0 or TCESIM_QI_OPT_WAIT_DRAIN
 *
 * Appends its own invalidation wait descriptor (status write, fence; with
 * WAIT_DRAIN also the PRQ-drain bit) and "spins" until its status reads
 * QI_DONE, which the model hardware writes at once: on return every
 * earlier page group response reached its device and every page request
 * the endpoints had in flight sits in the PRQ (the model delivers requests
 * synchronously, so there never are any in flight).
 *
 * Models: drivers/iommu/intel/dmar.c: qi_submit_sync().
 * Context: takes the QI lock (a leaf).
 * Return: 0, or
 *  * -EINVAL - NULL argument, @count out of range, unknown @options bits,
 *              or a descriptor of an unknown type (the hardware's IQE;
 *              nothing of the batch runs)
 *  * -ENODEV - the PRQ/QI is not enabled
 */
TCESIM_EXPORT int tcesim_qi_submit_sync(struct tcesim_iommu *iommu,
					const struct tcesim_qi_desc *desc, unsigned int count,
					unsigned int options);

/* -------------------------------------------------------------- drain --- */

/**
 * tcesim_intel_iommu_drain_pasid_prq() - Drain page requests of a PASID
 * @dev:   PCI device
 * @pasid: PASID, or TCESIM_IOMMU_NO_PASID for requests without one
 *
 * Prerequisites (upstream contract, VT-d spec 7.10/7.11): the device has
 * stopped DMA on @pasid, its PASID entry was cleared and the IOTLB and
 * device TLB invalidated (here: the PASID was detached/unbound).
 * Waits while a request of (@dev, @pasid) is in [PQH, PQT), runs the
 * device's queued fault work, then submits an invalidation wait (fence),
 * a PASID-IOTLB (or domain IOTLB) and a device-TLB invalidation with
 * WAIT_DRAIN, repeated (after a pass) while PRO is set. On return no
 * request of @pasid's previous life is in the ring or in the device's
 * fault queue. With quirks=safe the device's partial (never completed)
 * groups of @pasid are dropped as well, so a reused PASID cannot see them;
 * quirks=upstream keeps them, as the kernel does (derived).
 *
 * Models: drivers/iommu/intel/prq.c: intel_iommu_drain_pasid_prq().
 *         Flavours: legacy_2020 is v5.8 intel_svm_drain_prq(): it matches
 *         every request with that PASID whatever its RID, and has no
 *         iopf_queue_flush_dev() (the thread handled requests inline).
 * Called implicitly on every PASID teardown of a PRI device
 * (tcesim_iommu_detach_device_pasid(), so tcesim_iommu_sva_unbind_device()
 * too), as upstream's intel_pasid_tear_down_entry(..., fault_ignore=false)
 * does since v6.13 (before: intel_iommu_remove_dev_pasid(), v5.8's
 * intel_svm_unbind_mm()); an mm exit does not drain (intel_mm_release()
 * tears down with fault_ignore=true), the later unbind does.
 * Context: any registered thread outside RCU read-side sections, holding
 *          no tcesim lock but the group mutex of @dev (the implicit drain
 *          runs under it, as upstream); sleeps on prq_complete when an event thread is
 *          declared (tcesim_prq_set_threaded()), else runs passes itself.
 * Return: 0 (also when @dev has no PRI or its IOMMU no PRQ: nothing to
 *         drain, as upstream's !pri_enabled early return), or
 *  * -EINVAL - @dev NULL or @pasid >= 1 << 20
 *  * -ENOSPC - @dev could not get a requester ID (256 devices)
 */
TCESIM_EXPORT int tcesim_intel_iommu_drain_pasid_prq(struct tcesim_device *dev, uint32_t pasid);

/* ------------------------------------------------------- observation --- */

/**
 * tcesim_prq_get_stats() - Registers and counters of an IOMMU's PRQ and QI
 * @iommu: IOMMU
 * @out:   filled
 *
 * Models: none (reads DMAR_PQH/PQT/PRS and the model's counters).
 * Context: any registered thread; each field is read atomically, the set
 *          is not a snapshot while producers or passes run.
 * Return: 0, or -EINVAL (NULL argument), -ENODEV (PRQ not enabled).
 */
TCESIM_EXPORT int tcesim_prq_get_stats(struct tcesim_iommu *iommu, struct tcesim_prq_stats *out);

/**
 * tcesim_prq_pending() - Descriptors waiting in the ring
 * @iommu: IOMMU
 *
 * Models: none ((PQT - PQH) / 32 modulo the ring size).
 * Context: any registered thread.
 * Return: the count (>= 0; 0 when the PRQ is not enabled), or -EINVAL.
 */
TCESIM_EXPORT long tcesim_prq_pending(struct tcesim_iommu *iommu);

/**
 * tcesim_prq_count_pasid() - Descriptors in the ring for one (RID, PASID)
 * @dev:   device whose requests to count, or NULL for every RID
 * @pasid: PASID, or TCESIM_IOMMU_NO_PASID for requests without one
 * @iommu: IOMMU (used when @dev is NULL)
 *
 * The drain's scan, as an oracle for tests ("no request of the old life").
 *
 * Models: the scan loop of intel_iommu_drain_pasid_prq().
 * Context: any registered thread.
 * Return: the count (>= 0; 0 when the PRQ is not enabled), or -EINVAL
 *         when both @dev and @iommu are NULL.
 */
TCESIM_EXPORT long tcesim_prq_count_pasid(struct tcesim_iommu *iommu, struct tcesim_device *dev,
					  uint32_t pasid);

#ifdef __cplusplus
}
#endif
#endif /* TCESIM_PRQ_H */
