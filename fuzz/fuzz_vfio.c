// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * fuzz_vfio.c - VFIO sPAPR TCE container ioctls with fuzzed argument
 * structs, in a fuzzed order, on one container, through the public C API
 * only (<tcesim/tcesim.h>, the kernel's <linux/vfio.h> structs).
 *
 * Input: byte 0 picks the world (flavour, quirks=safe|upstream), the
 * container type (v1, v2, or a wrong one), the 32-bit window size and
 * whether the PE is attached at once. Then, until the input is used up,
 * one operation per step: an opcode byte, then what it needs. An ioctl's
 * struct is malloc()ed at exactly its size (an over-read is an ASan
 * report) and every field is either a "likely" value (a selector byte
 * picks: the struct's size for argsz, the RAM bases, the window starts,
 * IOMMU-page multiples) or raw input bytes; flags are raw half the time.
 * Other steps: attach/detach the group, NULL arg, the wrong process
 * (-EPERM), device DMA through the windows, an RCU barrier. At the end the
 * container is released and everything torn down; the checks below are
 * the model's own invariants a user can see (locked_vm back to 0).
 */
#include <stdlib.h>
#include <string.h>

#include <linux/vfio.h>
#include <tcesim/tcesim.h>

#include "common.h"

#define HUGE_VA		0x40000000ULL	/* one 16M huge page */
#define HUGE_SIZE	(16ULL << 20)
#define DDW_BUS		(1ULL << 59)

struct fx {
	struct fuzz_world fw;	/* world, qemu, phb, pe, dev, container c */
	struct tcesim_mm *other;
	bool attached;
};

/* A field value: likely ones first (selector byte), else raw input. */
static uint64_t val(struct fuzz_in *in, uint64_t natural)
{
	static const uint64_t likely[] = {
		0, FUZZ_RAM_VA, FUZZ_RAM_VA + 0x1000, HUGE_VA, DDW_BUS, DDW_BUS + 0x1000000, 0x1000,
		0x10000, FUZZ_RAM_SIZE, HUGE_SIZE, 16ULL << 30, 1ULL << 32, ~0ULL, 0x7ff,
	};
	unsigned int s = (unsigned int)fuzz_take(in, 1);

	if (s < 96)
		return natural;
	if (s < 96 + 14 * 8)
		return likely[(s - 96) / 8];
	return fuzz_take(in, s & 1 ? 8 : 4);
}

static uint32_t argsz(struct fuzz_in *in, size_t size)
{
	unsigned int s = (unsigned int)fuzz_take(in, 1);

	if (s < 200)
		return (uint32_t)size;
	if (s < 230)
		return (uint32_t)(s & 63);
	return (uint32_t)fuzz_take(in, 4);
}

static uint32_t flags(struct fuzz_in *in, uint32_t natural)
{
	unsigned int s = (unsigned int)fuzz_take(in, 1);

	return s < 128 ? natural : (uint32_t)fuzz_take(in, 4);
}

/*
 * An ioctl's struct malloc()ed at exactly @size (an over-read is an ASan
 * report), zeroed, with the argsz and flags every VFIO struct starts with
 * from the input, in that order; NULL when malloc() fails.
 */
static void *arg_new(struct fuzz_in *in, size_t size, uint32_t natural_flags)
{
	uint8_t *p = malloc(size);
	uint32_t head[2];

	if (!p)
		return NULL;
	memset(p, 0, size);
	head[0] = argsz(in, size);
	head[1] = flags(in, natural_flags);
	memcpy(p, head, sizeof(head));
	return p;
}

static long do_ioctl(struct fx *f, struct fuzz_in *in, unsigned int op)
{
	struct tcesim_mm *mm = f->fw.qemu;
	unsigned int cmd;
	void *arg = NULL;
	long ret;

	switch (op % 11) {
	case 0: {
		struct vfio_iommu_type1_dma_map *m =
			arg_new(in, sizeof(*m), VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE);

		if (!m)
			return 0;
		arg = m;
		m->vaddr = val(in, FUZZ_RAM_VA);
		m->iova = val(in, 0);
		m->size = val(in, 0x1000);
		cmd = VFIO_IOMMU_MAP_DMA;
		break;
	}
	case 1: {
		struct vfio_iommu_type1_dma_unmap *u = arg_new(in, sizeof(*u), 0);

		if (!u)
			return 0;
		arg = u;
		u->iova = val(in, 0);
		u->size = val(in, 0x1000);
		cmd = VFIO_IOMMU_UNMAP_DMA;
		break;
	}
	case 2: {
		struct vfio_iommu_spapr_register_memory *r = arg_new(in, sizeof(*r), 0);

		if (!r)
			return 0;
		arg = r;
		r->vaddr = val(in, FUZZ_RAM_VA);
		r->size = val(in, FUZZ_RAM_SIZE);
		cmd = fuzz_take(in, 1) & 1 ? VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY
					   : VFIO_IOMMU_SPAPR_REGISTER_MEMORY;
		break;
	}
	case 3: {
		struct vfio_iommu_spapr_tce_create *c = arg_new(in, sizeof(*c), 0);

		if (!c)
			return 0;
		arg = c;
		c->page_shift = (uint32_t)val(in, 12 + 4 * (fuzz_take(in, 1) % 4));
		c->__resv1 = (uint32_t)fuzz_take(in, 1);
		c->window_size = val(in, 1ULL << 28);
		c->levels = (uint32_t)val(in, 1 + fuzz_take(in, 1) % 5);
		c->start_addr = val(in, 0);
		cmd = VFIO_IOMMU_SPAPR_TCE_CREATE;
		break;
	}
	case 4: {
		struct vfio_iommu_spapr_tce_remove *r = arg_new(in, sizeof(*r), 0);

		if (!r)
			return 0;
		arg = r;
		r->start_addr = val(in, fuzz_take(in, 1) & 1 ? DDW_BUS : 0);
		cmd = VFIO_IOMMU_SPAPR_TCE_REMOVE;
		break;
	}
	case 5:
		arg = arg_new(in, sizeof(struct vfio_iommu_spapr_tce_info), 0);
		if (!arg)
			return 0;
		cmd = VFIO_IOMMU_SPAPR_TCE_GET_INFO;
		break;
	case 6: {
		struct vfio_eeh_pe_op *e = arg_new(in, sizeof(*e), 0);

		if (!e)
			return 0;
		arg = e;
		e->op = (uint32_t)val(in, fuzz_take(in, 1) % 8);
		cmd = VFIO_EEH_PE_OP;
		break;
	}
	case 7:
		cmd = fuzz_take(in, 1) & 1 ? VFIO_IOMMU_ENABLE : VFIO_IOMMU_DISABLE;
		break;
	case 8:
		/* CHECK_EXTENSION takes the extension number itself */
		return tcesim_tce_iommu_ioctl(f->fw.c, mm, VFIO_CHECK_EXTENSION,
					      (unsigned long)fuzz_take(in, 1));
	case 9:
		cmd = (unsigned int)fuzz_take(in, 4); /* any number: -ENOTTY or a real one */
		return tcesim_tce_iommu_ioctl(f->fw.c, mm, cmd, 0);
	default:
		/* a NULL struct for a real command, or the wrong process */
		cmd = VFIO_BASE + 0x60 + (unsigned int)fuzz_take(in, 1) % 24;
		mm = fuzz_take(in, 1) & 1 ? f->other : f->fw.qemu;
		return tcesim_tce_iommu_ioctl(f->fw.c, mm, cmd, 0);
	}
	ret = tcesim_tce_iommu_ioctl(f->fw.c, mm, cmd, (unsigned long)arg);
	free(arg);
	return ret;
}

static void step(struct fx *f, struct fuzz_in *in)
{
	unsigned int op = (unsigned int)fuzz_take(in, 1);
	uint8_t buf[64] = { 0 };
	uint64_t iova;

	switch (op >> 5) {
	case 0:
	case 1:
	case 2:
	case 3:
		do_ioctl(f, in, op);
		break;
	case 4:
		if (f->attached) {
			if (!tcesim_tce_iommu_detach_group(f->fw.c, f->fw.pe))
				f->attached = false;
		} else if (!tcesim_tce_iommu_attach_group(f->fw.c, f->fw.pe)) {
			f->attached = true;
		}
		break;
	case 5:
		iova = (op & 1 ? DDW_BUS : 0) + fuzz_take(in, 3) * 8;
		if (op & 2)
			tcesim_pci_dev_dma_write(f->fw.dev, iova, buf, 1 + fuzz_take(in, 1) % 64);
		else
			tcesim_pci_dev_dma_read(f->fw.dev, iova, buf, 1 + fuzz_take(in, 1) % 64);
		break;
	case 6:
		tcesim_rcu_barrier();
		break;
	default: {
		struct tcesim_tce_container_info info;

		tcesim_tce_iommu_get_info(f->fw.c, &info);
		break;
	}
	}
}

/* The common host, a second process "other" and a 16M huge page in qemu. */
static int setup(struct fx *f, const struct tcesim_world_cfg *wcfg, unsigned int cfgb)
{
	static const uint64_t dma32[4] = { 16ULL << 20, 1ULL << 20, 0, 64ULL << 20 };
	unsigned long type = cfgb & 8 ? VFIO_SPAPR_TCE_v2_IOMMU : VFIO_SPAPR_TCE_IOMMU;

	if ((cfgb & 0xc0) == 0xc0)
		type = cfgb & 0x3f; /* mostly a wrong type: -EINVAL */
	if (fuzz_world_create(&f->fw, wcfg, 64ULL << 20) ||
	    tcesim_mm_create(f->fw.w, "other", 64ULL << 20, false, &f->other) ||
	    tcesim_mm_mmap(f->fw.qemu, HUGE_VA, HUGE_SIZE, TCESIM_PROT_READ | TCESIM_PROT_WRITE,
			   24) ||
	    fuzz_world_add_pe(&f->fw, dma32[(cfgb >> 4) & 3], type))
		return -1;
	if (!(cfgb & 0x40) && !tcesim_tce_iommu_attach_group(f->fw.c, f->fw.pe))
		f->attached = true;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tcesim_world_cfg wcfg;
	struct fuzz_in in;
	unsigned int cfgb = fuzz_world_begin(&in, data, size, 4, &wcfg);
	struct fx f = { 0 };
	int steps = 0;

	if (!setup(&f, &wcfg, cfgb)) {
		while (in.left && steps++ < 256)
			step(&f, &in);
		fuzz_world_close_container(&f.fw);
		/* closing the container returns every locked page (quirks=upstream Q4
		 * may orphan a region until the world goes) */
		if (wcfg.quirks == TCESIM_QUIRKS_SAFE && tcesim_mm_locked_vm(f.fw.qemu) != 0)
			abort();
	}
	if (f.other)
		tcesim_mm_exit(f.other);
	fuzz_world_destroy(&f.fw);
	fuzz_world_end();
	return 0;
}
