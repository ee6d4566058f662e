// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * fuzz_hcall.c - TCE hypercalls with fuzzed arguments on linked and QEMU
 * tables, through the public C API only (<tcesim/tcesim.h>).
 *
 * The guest has 1M of RAM (gpa 0, QEMU's va RAM_VA) and three tables:
 *  - LIOBN_LINK: a KVM table linked (KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE) to
 *    the hardware window of a VFIO v2 container owning a PE (the KVM tier
 *    then also writes the hardware TCEs);
 *  - LIOBN_QEMU: a QEMU-only table (TCG, emulated device);
 *  - LIOBN_BOTH: a QEMU table backed by a KVM table (use_kvm).
 * Input: byte 0 picks the flavour (modern, legacy_2013/2015/2016) and the
 * hcall tiers (kvm+qemu, kvm, qemu). Then, per step, an opcode byte and
 * its arguments: a hypercall through tcesim_kvm_hcall() (the tier
 * dispatch, like the guest's sc 1) or straight to one tier function
 * (KVM virtual mode, KVM real mode, QEMU); the LIOBN, ioba, TCE, list
 * address and npages are "likely" values (selector byte) or raw 64-bit
 * input; an indirect list is first written into guest RAM. Other steps:
 * unlink / relink the group, release a table, the device's DMA through the
 * hardware window, an RCU barrier. Any return code is fine.
 */
#include <stdlib.h>
#include <string.h>

#include <linux/vfio.h>
#include <tcesim/tcesim.h>

#include "fuzz.h"

#define RAM_VA		0x10000000ULL
#define RAM_SIZE	(1ULL << 20)
#define LIOBN_LINK	0x80000000ULL
#define LIOBN_QEMU	0x71000002ULL
#define LIOBN_BOTH	0x80000100ULL
#define LIST_GPA	0x80000ULL

struct fx {
	struct tcesim_world *w;
	struct tcesim_mm *qemu;
	struct tcesim_phb *phb;
	struct tcesim_pe *pe;
	struct tcesim_pci_dev *dev;
	struct tcesim_tce_container *c;
	struct tcesim_kvm *kvm;
	bool linked;
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static uint64_t pick(struct fuzz_in *in, const uint64_t *likely, unsigned int n)
{
	unsigned int s = (unsigned int)fuzz_take(in, 1);

	if (s < 224)
		return likely[s % n];
	return fuzz_take(in, 8);
}

static uint64_t liobn(struct fuzz_in *in)
{
	static const uint64_t l[] = { LIOBN_LINK, LIOBN_QEMU, LIOBN_BOTH, 0x99, 1ULL << 32 };

	return pick(in, l, 5);
}

static uint64_t ioba(struct fuzz_in *in)
{
	uint64_t v = fuzz_take(in, 2);

	switch (fuzz_take(in, 1) & 3) {
	case 0:
		return v << 12; /* an entry (page aligned) */
	case 1:
		return v;	/* misaligned */
	case 2:
		return (1ULL << 22) + (v << 12); /* past the 4M windows */
	default:
		return fuzz_take(in, 8);
	}
}

static uint64_t tce(struct fuzz_in *in)
{
	uint64_t gpa = fuzz_take(in, 2) << 12;

	switch (fuzz_take(in, 1) & 3) {
	case 0:
		return gpa | TCESIM_TCE_PCI_READ | TCESIM_TCE_PCI_WRITE;
	case 1:
		return gpa | (fuzz_take(in, 1) & 3);
	case 2:
		return 0;
	default:
		return fuzz_take(in, 8);
	}
}

static uint64_t npages(struct fuzz_in *in)
{
	static const uint64_t n[] = { 1, 2, 8, 0, 512, 513, 4096, 1ULL << 20, 1ULL << 36 };

	return pick(in, n, 9);
}

static void hcall(struct fx *f, struct fuzz_in *in, unsigned int op)
{
	static const unsigned long reqs[] = {
		TCESIM_H_PUT_TCE, TCESIM_H_PUT_TCE_INDIRECT, TCESIM_H_STUFF_TCE, TCESIM_H_GET_TCE,
	};
	struct tcesim_hcall_out out;
	uint64_t a[4], list[16], v;
	unsigned long req = reqs[op & 3];
	unsigned int i, n;

	a[0] = liobn(in);
	a[1] = ioba(in);
	if (req == TCESIM_H_PUT_TCE_INDIRECT) {
		n = 1 + (unsigned int)fuzz_take(in, 1) % 16;
		for (i = 0; i < n; i++)
			list[i] = tce(in);
		tcesim_kvm_write_guest_be64(f->kvm, LIST_GPA, list, n);
		a[2] = fuzz_take(in, 1) & 7 ? LIST_GPA : fuzz_take(in, 8);
		a[3] = fuzz_take(in, 1) & 1 ? n : npages(in);
	} else {
		a[2] = tce(in);
		a[3] = npages(in);
	}
	if (req == TCESIM_H_STUFF_TCE && a[3] > (1ULL << 24) && (a[2] & 3))
		a[3] = 1ULL << 24; /* a non-zero stuff of 2^36 is slow upstream as well */
	switch ((op >> 2) & 3) {
	case 0:
	case 1:
		tcesim_kvm_hcall(f->kvm, fuzz_take(in, 1) == 0xff ? (unsigned long)fuzz_take(in, 2)
								  : req, a, &out);
		break;
	case 2: /* KVM, virtual mode then real mode */
		switch (req) {
		case TCESIM_H_PUT_TCE:
			tcesim_kvmppc_h_put_tce(f->kvm, a[0], a[1], a[2]);
			tcesim_kvmppc_rm_h_put_tce(f->kvm, a[0], a[1], a[2]);
			break;
		case TCESIM_H_PUT_TCE_INDIRECT:
			tcesim_kvmppc_h_put_tce_indirect(f->kvm, a[0], a[1], a[2], a[3]);
			tcesim_kvmppc_rm_h_put_tce_indirect(f->kvm, a[0], a[1], a[2], a[3]);
			break;
		case TCESIM_H_STUFF_TCE:
			tcesim_kvmppc_h_stuff_tce(f->kvm, a[0], a[1], a[2], a[3]);
			tcesim_kvmppc_rm_h_stuff_tce(f->kvm, a[0], a[1], a[2], a[3]);
			break;
		default:
			tcesim_kvmppc_h_get_tce(f->kvm, a[0], a[1], &v);
			tcesim_kvmppc_rm_h_get_tce(f->kvm, a[0], a[1], &v);
			break;
		}
		break;
	default: /* QEMU */
		switch (req) {
		case TCESIM_H_PUT_TCE:
			tcesim_h_put_tce(f->kvm, a[0], a[1], a[2], &out);
			break;
		case TCESIM_H_PUT_TCE_INDIRECT:
			tcesim_h_put_tce_indirect(f->kvm, a[0], a[1], a[2], a[3], &out);
			break;
		case TCESIM_H_STUFF_TCE:
			tcesim_h_stuff_tce(f->kvm, a[0], a[1], a[2], a[3], &out);
			break;
		default:
			tcesim_h_get_tce(f->kvm, a[0], a[1], &v, &out);
			break;
		}
		break;
	}
}

static void step(struct fx *f, struct fuzz_in *in)
{
	unsigned int op = (unsigned int)fuzz_take(in, 1);
	struct tcesim_iommu_tlb_entry e;
	uint8_t buf[16] = { 0 };

	if (op < 208) {
		hcall(f, in, op);
		return;
	}
	switch (op & 7) {
	case 0:
		if (f->linked && !tcesim_kvm_spapr_tce_release_iommu_group(f->kvm, f->pe))
			f->linked = false;
		else if (!f->linked && !tcesim_kvm_spapr_tce_attach_iommu_group(f->kvm, LIOBN_LINK,
										f->pe))
			f->linked = true;
		break;
	case 1:
		tcesim_spapr_tce_table_disable(f->kvm, op & 8 ? LIOBN_QEMU : LIOBN_BOTH);
		break;
	case 2:
		if (!tcesim_kvm_spapr_tce_release(f->kvm, op & 8 ? LIOBN_LINK : LIOBN_BOTH) &&
		    !(op & 8))
			break;
		if (op & 8)
			f->linked = false;
		break;
	case 3:
		tcesim_pci_dev_dma_read(f->dev, fuzz_take(in, 3) << 3, buf, sizeof(buf));
		break;
	case 4:
		tcesim_pci_dev_dma_write(f->dev, fuzz_take(in, 3) << 3, buf, sizeof(buf));
		break;
	case 5:
		tcesim_spapr_tce_translate_iommu(f->kvm, liobn(in), ioba(in), &e);
		break;
	default:
		tcesim_rcu_barrier();
		break;
	}
}

static int setup(struct fx *f, const struct tcesim_world_cfg *wcfg)
{
	struct vfio_iommu_spapr_register_memory reg = {
		.argsz = sizeof(reg), .vaddr = RAM_VA, .size = RAM_SIZE,
	};
	struct vfio_iommu_spapr_tce_remove remove = { .argsz = sizeof(remove), .start_addr = 0 };
	struct vfio_iommu_spapr_tce_create create = {
		.argsz = sizeof(create), .page_shift = 12, .window_size = 4ULL << 20, .levels = 1,
	};
	struct tcesim_kvm_create_spapr_tce_64 tbl = {
		.liobn = LIOBN_LINK, .page_shift = 12, .offset = 0, .size = 1024,
	};
	struct tcesim_phb_cfg pcfg;
	struct tcesim_pe_cfg ecfg;

	if (tcesim_world_create(wcfg, &f->w))
		return -1;
	tcesim_phb_cfg_init(&pcfg, TCESIM_PHB_IODA2);
	tcesim_pe_cfg_init(&ecfg);
	ecfg.dma32_size = 4ULL << 20;
	if (tcesim_mm_create(f->w, "qemu", 1ULL << 30, false, &f->qemu) ||
	    tcesim_mm_mmap(f->qemu, RAM_VA, RAM_SIZE, TCESIM_PROT_READ | TCESIM_PROT_WRITE, 0) ||
	    tcesim_phb_create(f->w, &pcfg, &f->phb) || tcesim_pe_create(f->phb, &ecfg, &f->pe) ||
	    tcesim_pci_dev_create(f->pe, "d0", 64, &f->dev) ||
	    tcesim_tce_iommu_open(f->w, VFIO_SPAPR_TCE_v2_IOMMU, &f->c) ||
	    tcesim_tce_iommu_attach_group(f->c, f->pe))
		return -1;
	if (tcesim_tce_iommu_ioctl(f->c, f->qemu, VFIO_IOMMU_SPAPR_REGISTER_MEMORY,
				   (unsigned long)&reg) ||
	    tcesim_tce_iommu_ioctl(f->c, f->qemu, VFIO_IOMMU_SPAPR_TCE_REMOVE,
				   (unsigned long)&remove) ||
	    tcesim_tce_iommu_ioctl(f->c, f->qemu, VFIO_IOMMU_SPAPR_TCE_CREATE,
				   (unsigned long)&create) ||
	    tcesim_kvm_create(f->w, &f->kvm) ||
	    tcesim_kvm_set_user_memory_region(f->kvm, 0, RAM_SIZE, f->qemu, RAM_VA) ||
	    tcesim_kvm_vm_ioctl_create_spapr_tce(f->kvm, &tbl, f->qemu))
		return -1;
	f->linked = !tcesim_kvm_spapr_tce_attach_iommu_group(f->kvm, LIOBN_LINK, f->pe);
	/* errors are fine here: legacy flavours may refuse one of them */
	tcesim_spapr_tce_new_table(f->kvm, LIOBN_QEMU, 0, 12, 1024, false, f->qemu);
	tcesim_spapr_tce_new_table(f->kvm, LIOBN_BOTH, 0, 12, 1024, true, f->qemu);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum tcesim_flavour flav[] = {
		TCESIM_FLAVOUR_MODERN, TCESIM_FLAVOUR_LEGACY_2013, TCESIM_FLAVOUR_LEGACY_2015,
		TCESIM_FLAVOUR_LEGACY_2016,
	};
	static const enum tcesim_hcall_mode modes[] = {
		TCESIM_HCALL_KVM_QEMU, TCESIM_HCALL_KVM, TCESIM_HCALL_QEMU, TCESIM_HCALL_KVM_QEMU,
	};
	struct fuzz_in in = { data, size };
	unsigned int cfgb = (unsigned int)fuzz_take(&in, 1);
	struct tcesim_world_cfg wcfg;
	struct fx f = { 0 };
	int steps = 0;

	tcesim_thread_enter();
	tcesim_world_cfg_init(&wcfg);
	wcfg.flavour = flav[cfgb & 3];
	wcfg.hcall = modes[(cfgb >> 2) & 3];
	wcfg.quirks = cfgb & 16 ? TCESIM_QUIRKS_UPSTREAM : TCESIM_QUIRKS_SAFE;
	if (!setup(&f, &wcfg))
		while (in.left && steps++ < 256)
			step(&f, &in);
	if (f.kvm) {
		if (f.linked)
			tcesim_kvm_spapr_tce_release_iommu_group(f.kvm, f.pe);
		tcesim_kvm_destroy(f.kvm);
	}
	if (f.c)
		tcesim_tce_iommu_release(f.c);
	tcesim_rcu_barrier();
	if (f.dev)
		tcesim_pci_dev_destroy(f.dev);
	if (f.pe)
		tcesim_pe_destroy(f.pe);
	if (f.phb)
		tcesim_phb_destroy(f.phb);
	if (f.qemu)
		tcesim_mm_exit(f.qemu);
	if (f.w)
		tcesim_world_destroy(f.w);
	tcesim_thread_exit();
	return 0;
}
