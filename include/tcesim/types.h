/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tcesim/types.h - value types shared by every tcesim module: DMA directions,
 * TCE bits, PAPR hypercall return codes, the world's era/quirk switches.
 *
 * Values are the kernel's and PAPR's own, so a number printed by tcesim means
 * what it means in a kernel log or a QEMU trace.
 */
#ifndef TCESIM_TYPES_H
#define TCESIM_TYPES_H

#include <stdint.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(TCESIM_BUILDING_LIBRARY)
#define TCESIM_EXPORT __attribute__((visibility("default")))
#else
#define TCESIM_EXPORT
#endif

/**
 * enum tcesim_dma_data_direction - the kernel's enum dma_data_direction
 * @TCESIM_DMA_BIDIRECTIONAL: device reads and writes memory (TCE R|W)
 * @TCESIM_DMA_TO_DEVICE: device reads memory (TCE_PCI_READ)
 * @TCESIM_DMA_FROM_DEVICE: device writes memory (TCE_PCI_WRITE)
 * @TCESIM_DMA_NONE: no access; an exchange with NONE clears the entry
 *
 * Models: include/linux/dma-direction.h (values kept).
 */
enum tcesim_dma_data_direction {
	TCESIM_DMA_BIDIRECTIONAL = 0,
	TCESIM_DMA_TO_DEVICE = 1,
	TCESIM_DMA_FROM_DEVICE = 2,
	TCESIM_DMA_NONE = 3,
};

/* arch/powerpc/include/asm/tce.h */
#define TCESIM_TCE_PCI_READ	0x1ULL	/* device may read memory */
#define TCESIM_TCE_PCI_WRITE	0x2ULL	/* device may write memory */
#define TCESIM_TCE_PERM_MASK	(TCESIM_TCE_PCI_READ | TCESIM_TCE_PCI_WRITE)

/* include/linux/dma-mapping.h: DMA_MAPPING_ERROR (~(dma_addr_t)0) */
#define TCESIM_DMA_MAPPING_ERROR (~(uint64_t)0)
/* dma_get_seg_boundary() of a PCI device (pci_setup_device): 4 GiB - 1 */
#define TCESIM_DMA_SEG_BOUNDARY_DEFAULT 0xffffffffull

/*
 * PAPR hypercall return codes (arch/powerpc/include/asm/hvcall.h).
 * TCESIM_H_TOO_HARD is KVM-internal: "not returned to guests"; it hands the
 * call to the next tier (virtual mode, then userspace).
 */
#define TCESIM_H_SUCCESS	0L
#define TCESIM_H_HARDWARE	(-1L)
#define TCESIM_H_FUNCTION	(-2L)
#define TCESIM_H_PARAMETER	(-4L)
#define TCESIM_H_RESCINDED	(-46L)
#define TCESIM_H_TOO_HARD	9999L

/* PAPR hypercall numbers */
#define TCESIM_H_GET_TCE		0x1CUL
#define TCESIM_H_PUT_TCE		0x20UL
#define TCESIM_H_STUFF_TCE		0x138UL
#define TCESIM_H_PUT_TCE_INDIRECT	0x13CUL

/**
 * enum tcesim_flavour - which upstream era the world models
 * @TCESIM_FLAVOUR_MODERN: today's kernel (v6.12+) and QEMU 7.2+ (default)
 * @TCESIM_FLAVOUR_LEGACY_2013: seed 004 (August 2013, in-kernel IOMMU v9):
 *	KVM's TCE hypercalls on emulated tables: window checked as ioba >=
 *	window_size (misaligned ioba truncated), kvmppc_tce_validate() checks
 *	only the bits (reserved bits -> H_PARAMETER, no memslot lookup),
 *	H_STUFF_TCE validates its value too, INDIRECT stores all or nothing;
 *	one KVM tier, no real mode. IOMMU-group (linked) paths not modelled
 * @TCESIM_FLAVOUR_LEGACY_2015: seed 000 (April 2015): iommu_table_ops.exchange
 *	(invalidates by itself), iommu_tce_xchg() dirties the old page, 2015
 *	parameter checks returning -EINVAL, single-level tables, P5IOC2 present
 * @TCESIM_FLAVOUR_LEGACY_2016: KVM real mode handlers (2016-2022): three
 *	tiers, real mode -> virtual mode -> userspace, H_HARDWARE outcomes
 * @TCESIM_FLAVOUR_LEGACY_2020: VT-d PRQ drain as merged in 2020 (v5.8):
 *	hardware ring scan without iopf queue flush, PRQ_ORDER 0
 * @TCESIM_FLAVOUR_LEGACY_2024: SVA bind before v6.11 (v6.8-v6.10, 2024): the
 *	per-mm sva_handles list that seed 002 removed
 * @TCESIM_FLAVOUR_LEGACY_2019: VT-d SVM before the PRQ drain (v4.4-v5.7,
 *	2019): as @TCESIM_FLAVOUR_LEGACY_2020 but a PASID teardown does not
 *	drain: drivers/iommu/intel-svm.c intel_svm_unbind_mm() only "mandate[d]
 *	that no page faults may be outstanding" and intel_svm_unbind_gpasid()
 *	carried "TODO: Drain in flight PRQ for the PASID", both replaced by
 *	intel_svm_drain_prq() in "iommu/vt-d: Add page request draining
 *	support" (v5.8, 2020). Appended after LEGACY_2024 to keep the values
 *
 * A module honours the flavours that concern it and behaves as MODERN for
 * the others; a function whose behaviour depends on the era says so in its
 * kernel-doc.
 */
enum tcesim_flavour {
	TCESIM_FLAVOUR_MODERN = 0,
	TCESIM_FLAVOUR_LEGACY_2013,
	TCESIM_FLAVOUR_LEGACY_2015,
	TCESIM_FLAVOUR_LEGACY_2016,
	TCESIM_FLAVOUR_LEGACY_2020,
	TCESIM_FLAVOUR_LEGACY_2024,
	TCESIM_FLAVOUR_LEGACY_2019,
	TCESIM_FLAVOUR_NR,
};

/**
 * enum tcesim_quirks - documented upstream bugs: report cleanly or reproduce
 * @TCESIM_QUIRKS_SAFE: a documented bug (SEMANTICS.md (e)) is refused with a
 *	clean error and no state change, or bounded (default)
 * @TCESIM_QUIRKS_UPSTREAM: reproduce upstream's behaviour (e.g. the pin
 *	leaked by v1 tce_iommu_build on -EPERM), as far as a model can
 */
enum tcesim_quirks {
	TCESIM_QUIRKS_SAFE = 0,
	TCESIM_QUIRKS_UPSTREAM = 1,
};

/**
 * enum tcesim_hcall_mode - which tiers handle TCE hypercalls
 * @TCESIM_HCALL_KVM_QEMU: KVM first; H_TOO_HARD falls back to QEMU (default)
 * @TCESIM_HCALL_KVM: KVM only; H_TOO_HARD is reported as such
 * @TCESIM_HCALL_QEMU: QEMU (userspace, TCG) only
 */
enum tcesim_hcall_mode {
	TCESIM_HCALL_KVM_QEMU = 0,
	TCESIM_HCALL_KVM = 1,
	TCESIM_HCALL_QEMU = 2,
};

struct tcesim_world;

#ifdef __cplusplus
}
#endif
#endif /* TCESIM_TYPES_H */
