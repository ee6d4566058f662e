// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * kvm_liobn_hcalls.c - a guest's TCE hypercalls answered in the kernel:
 * KVM's H_PUT_TCE, H_PUT_TCE_INDIRECT and H_STUFF_TCE on a LIOBN linked
 * (KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE) to the hardware table of a VFIO sPAPR
 * v2 container, so the device sees the guest's mappings at once. Kernel code
 * modelled: arch/powerpc/kvm/book3s_64_vio.c (kvmppc_h_put_tce(),
 * kvmppc_h_put_tce_indirect(), kvmppc_h_stuff_tce(),
 * kvm_spapr_tce_attach_iommu_group()).
 *
 * Only the installed library: #include <tcesim/tcesim.h>, <linux/vfio.h>
 * for the container ioctls; link with `pkg-config --libs tcesim` or
 * find_package(tcesim).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <linux/vfio.h>
#include <tcesim/tcesim.h>

#define QEMU_RAM_VA	0x10000000ULL	/* guest RAM at gpa 0 lives here in QEMU */
#define RAM_SIZE	(4ULL << 20)
#define LIOBN		0x80000000ULL
#define R		TCESIM_TCE_PCI_READ
#define W		TCESIM_TCE_PCI_WRITE

struct fx {
	struct tcesim_world *w;
	struct tcesim_mm *qemu;
	struct tcesim_phb *phb;
	struct tcesim_pe *pe;
	struct tcesim_pci_dev *dev;
	struct tcesim_tce_container *c;
	struct tcesim_kvm *kvm;
};

static long ioctl_c(struct fx *f, unsigned int cmd, void *arg)
{
	return tcesim_tce_iommu_ioctl(f->c, f->qemu, cmd, (unsigned long)arg);
}

/* QEMU: a v2 container owning the PE, guest RAM preregistered, window 0 of
 * 4K pages over 256M; the guest: RAM, and a KVM TCE table for 1M of bus. */
static int setup(void **state)
{
	struct vfio_iommu_spapr_register_memory reg = {
		.argsz = sizeof(reg), .vaddr = QEMU_RAM_VA, .size = RAM_SIZE,
	};
	struct vfio_iommu_spapr_tce_remove remove = { .argsz = sizeof(remove), .start_addr = 0 };
	struct vfio_iommu_spapr_tce_create create = {
		.argsz = sizeof(create), .page_shift = 12, .window_size = 256ULL << 20,
		.levels = 2,
	};
	struct tcesim_kvm_create_spapr_tce_64 tbl = {
		.liobn = LIOBN, .page_shift = 12, .offset = 0, .size = 256,
	};
	struct tcesim_phb_cfg pcfg;
	struct tcesim_pe_cfg ecfg;
	struct fx *f = calloc(1, sizeof(*f));

	tcesim_thread_enter();
	if (!f || tcesim_world_create(NULL, &f->w))
		return -1;
	tcesim_phb_cfg_init(&pcfg, TCESIM_PHB_IODA2);
	tcesim_pe_cfg_init(&ecfg);
	ecfg.dma32_size = 256ULL << 20;
	if (tcesim_mm_create(f->w, "qemu", 1ULL << 30, false, &f->qemu) ||
	    tcesim_mm_mmap(f->qemu, QEMU_RAM_VA, RAM_SIZE, TCESIM_PROT_READ | TCESIM_PROT_WRITE, 0) ||
	    tcesim_phb_create(f->w, &pcfg, &f->phb) || tcesim_pe_create(f->phb, &ecfg, &f->pe) ||
	    tcesim_pci_dev_create(f->pe, "d0", 64, &f->dev) ||
	    tcesim_tce_iommu_open(f->w, VFIO_SPAPR_TCE_v2_IOMMU, &f->c) ||
	    tcesim_tce_iommu_attach_group(f->c, f->pe) ||
	    ioctl_c(f, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, &reg) ||
	    ioctl_c(f, VFIO_IOMMU_SPAPR_TCE_REMOVE, &remove) ||	/* the pending default */
	    ioctl_c(f, VFIO_IOMMU_SPAPR_TCE_CREATE, &create) || create.start_addr != 0 ||
	    tcesim_kvm_create(f->w, &f->kvm) ||
	    tcesim_kvm_set_user_memory_region(f->kvm, 0, RAM_SIZE, f->qemu, QEMU_RAM_VA) ||
	    tcesim_kvm_vm_ioctl_create_spapr_tce(f->kvm, &tbl, f->qemu))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	tcesim_kvm_spapr_tce_release_iommu_group(f->kvm, f->pe);
	tcesim_kvm_destroy(f->kvm);
	tcesim_tce_iommu_release(f->c);
	tcesim_rcu_barrier();			/* preregistered pages go after a grace period */
	assert_int_equal(tcesim_mm_locked_vm(f->qemu), 0);
	tcesim_pci_dev_destroy(f->dev);
	tcesim_pe_destroy(f->pe);
	tcesim_phb_destroy(f->phb);
	tcesim_mm_exit(f->qemu);
	tcesim_world_destroy(f->w);
	free(f);
	tcesim_thread_exit();
	return 0;
}

static uint64_t dev_read_u64(struct fx *f, uint64_t iova, int *err)
{
	uint64_t v = 0;

	*err = tcesim_pci_dev_dma_read(f->dev, iova, &v, sizeof(v));
	return v;
}

static void test_link_needs_a_kvm_table(void **state)
{
	struct fx *f = *state;

	assert_int_equal(tcesim_kvm_spapr_tce_attach_iommu_group(f->kvm, 0x99, f->pe), -EBADF);
	assert_int_equal(tcesim_kvm_spapr_tce_attach_iommu_group(f->kvm, LIOBN, f->pe), 0);
}

static void test_put_indirect_stuff(void **state)
{
	struct fx *f = *state;
	const uint64_t guest_bytes = 0x1122334455667788ULL;
	const uint64_t list[2] = { 0x6000 | R | W, 0x7000 | R };	/* 0x7000: read-only */
	uint64_t be, tce, wr = 0xabcdULL;
	int err;

	assert_int_equal(tcesim_kvm_spapr_tce_attach_iommu_group(f->kvm, LIOBN, f->pe), 0);

	/* H_PUT_TCE: ioba 0x1000 -> gpa 0x5000, R|W; the device reads it */
	assert_int_equal(tcesim_kvm_write_guest(f->kvm, 0x5000, &guest_bytes, 8), 0);
	assert_int_equal(tcesim_kvmppc_h_put_tce(f->kvm, LIOBN, 0x1000, 0x5000 | R | W),
			 TCESIM_H_SUCCESS);
	assert_int_equal(dev_read_u64(f, 0x1000, &err), guest_bytes);
	assert_int_equal(err, 0);
	assert_int_equal(tcesim_kvmppc_h_get_tce(f->kvm, LIOBN, 0x1000, &tce), TCESIM_H_SUCCESS);
	assert_int_equal(tce, 0x5000 | R | W);

	/* H_PUT_TCE_INDIRECT: a list of two big-endian TCEs at gpa 0x8000 */
	assert_int_equal(tcesim_kvm_write_guest_be64(f->kvm, 0x8000, list, 2), 0);
	assert_int_equal(tcesim_kvmppc_h_put_tce_indirect(f->kvm, LIOBN, 0x2000, 0x8000, 2),
			 TCESIM_H_SUCCESS);
	assert_int_equal(tcesim_pci_dev_dma_write(f->dev, 0x2000, &wr, sizeof(wr)), 0);
	assert_int_equal(tcesim_kvm_read_guest(f->kvm, 0x6000, &be, sizeof(be)), 0);
	assert_int_equal(be, wr);			/* the device wrote guest page 0x6000 */
	assert_int_equal(tcesim_pci_dev_dma_write(f->dev, 0x3000, &wr, sizeof(wr)), -EACCES);

	/* a list that is not 4K aligned is refused before anything is stored */
	assert_int_equal(tcesim_kvmppc_h_put_tce_indirect(f->kvm, LIOBN, 0x2000, 0x8008, 1),
			 TCESIM_H_PARAMETER);

	/* H_STUFF_TCE: clear the three entries; the device loses them all */
	assert_int_equal(tcesim_kvmppc_h_stuff_tce(f->kvm, LIOBN, 0x1000, 0, 3),
			 TCESIM_H_SUCCESS);
	dev_read_u64(f, 0x1000, &err);
	assert_int_equal(err, -EFAULT);
	dev_read_u64(f, 0x3000, &err);
	assert_int_equal(err, -EFAULT);
	/* H_STUFF_TCE only clears: a value with R or W is a parameter error */
	assert_int_equal(tcesim_kvmppc_h_stuff_tce(f->kvm, LIOBN, 0x1000, R, 1),
			 TCESIM_H_PARAMETER);
	assert_int_equal(tcesim_kvm_live_tces(f->kvm), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_link_needs_a_kvm_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_put_indirect_stuff, setup, teardown),
	};

	return cmocka_run_group_tests_name("kvm_liobn_hcalls", tests, NULL, NULL);
}
