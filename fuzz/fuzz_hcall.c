// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * fuzz_hcall.c - TCE hypercalls with fuzzed arguments on linked and QEMU
 * tables, through the public C API only (<tcesim/tcesim.h>).
 *
 * The guest has 1M of RAM (gpa 0, QEMU's va FUZZ_RAM_VA) and three tables:
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

#include "common.h"

#define LIOBN_LINK	0x80000000ULL
#define LIOBN_QEMU	0x71000002ULL
#define LIOBN_BOTH	0x80000100ULL
#define LIST_GPA	0x80000ULL

struct fx {
	struct fuzz_world fw;	/* world, qemu, phb, pe, dev, container c */
	struct tcesim_kvm *kvm;
	bool linked;
};

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
		if (f->linked && !tcesim_kvm_spapr_tce_release_iommu_group(f->kvm, f->fw.pe))
			f->linked = false;
		else if (!f->linked && !tcesim_kvm_spapr_tce_attach_iommu_group(f->kvm, LIOBN_LINK,
										f->fw.pe))
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
		tcesim_pci_dev_dma_read(f->fw.dev, fuzz_take(in, 3) << 3, buf, sizeof(buf));
		break;
	case 4:
		tcesim_pci_dev_dma_write(f->fw.dev, fuzz_take(in, 3) << 3, buf, sizeof(buf));
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
		.argsz = sizeof(reg), .vaddr = FUZZ_RAM_VA, .size = FUZZ_RAM_SIZE,
	};
	struct vfio_iommu_spapr_tce_remove remove = { .argsz = sizeof(remove), .start_addr = 0 };
	struct vfio_iommu_spapr_tce_create create = {
		.argsz = sizeof(create), .page_shift = 12, .window_size = 4ULL << 20, .levels = 1,
	};
	struct tcesim_kvm_create_spapr_tce_64 tbl = {
		.liobn = LIOBN_LINK, .page_shift = 12, .offset = 0, .size = 1024,
	};
	struct fuzz_world *fw = &f->fw;

	if (fuzz_world_create(fw, wcfg, 1ULL << 30) ||
	    fuzz_world_add_pe(fw, 4ULL << 20, VFIO_SPAPR_TCE_v2_IOMMU) ||
	    tcesim_tce_iommu_attach_group(fw->c, fw->pe))
		return -1;
	if (tcesim_tce_iommu_ioctl(fw->c, fw->qemu, VFIO_IOMMU_SPAPR_REGISTER_MEMORY,
				   (unsigned long)&reg) ||
	    tcesim_tce_iommu_ioctl(fw->c, fw->qemu, VFIO_IOMMU_SPAPR_TCE_REMOVE,
				   (unsigned long)&remove) ||
	    tcesim_tce_iommu_ioctl(fw->c, fw->qemu, VFIO_IOMMU_SPAPR_TCE_CREATE,
				   (unsigned long)&create) ||
	    tcesim_kvm_create(fw->w, &f->kvm) ||
	    tcesim_kvm_set_user_memory_region(f->kvm, 0, FUZZ_RAM_SIZE, fw->qemu, FUZZ_RAM_VA) ||
	    tcesim_kvm_vm_ioctl_create_spapr_tce(f->kvm, &tbl, fw->qemu))
		return -1;
	f->linked = !tcesim_kvm_spapr_tce_attach_iommu_group(f->kvm, LIOBN_LINK, fw->pe);
	/* errors are fine here: legacy flavours may refuse one of them */
	tcesim_spapr_tce_new_table(f->kvm, LIOBN_QEMU, 0, 12, 1024, false, fw->qemu);
	tcesim_spapr_tce_new_table(f->kvm, LIOBN_BOTH, 0, 12, 1024, true, fw->qemu);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum tcesim_hcall_mode modes[] = {
		TCESIM_HCALL_KVM_QEMU, TCESIM_HCALL_KVM, TCESIM_HCALL_QEMU, TCESIM_HCALL_KVM_QEMU,
	};
	struct tcesim_world_cfg wcfg;
	struct fuzz_in in;
	unsigned int cfgb = fuzz_world_begin(&in, data, size, 16, &wcfg);
	struct fx f = { 0 };
	int steps = 0;

	wcfg.hcall = modes[(cfgb >> 2) & 3];
	if (!setup(&f, &wcfg))
		while (in.left && steps++ < 256)
			step(&f, &in);
	if (f.kvm) {
		if (f.linked)
			tcesim_kvm_spapr_tce_release_iommu_group(f.kvm, f.fw.pe);
		tcesim_kvm_destroy(f.kvm);
	}
	fuzz_world_destroy(&f.fw);
	fuzz_world_end();
	return 0;
}
