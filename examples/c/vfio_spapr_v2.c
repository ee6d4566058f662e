// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * vfio_spapr_v2.c - a VFIO sPAPR TCE v2 container driven the way QEMU drives
 * it, with the real <linux/vfio.h> structs: preregister guest RAM
 * (VFIO_IOMMU_SPAPR_REGISTER_MEMORY), create a dynamic DMA window of 16M
 * IOMMU pages (VFIO_IOMMU_SPAPR_TCE_CREATE), MAP/UNMAP, and a device's DMA
 * through that window. Kernel code modelled:
 * drivers/vfio/vfio_iommu_spapr_tce.c tce_iommu_ioctl() and helpers,
 * arch/powerpc/mm/book3s64/iommu_api.c (preregistration).
 *
 * Only the installed library is used: #include <tcesim/tcesim.h>, link with
 * `pkg-config --libs tcesim` or find_package(tcesim). The ioctl numbers and
 * structs are the kernel's UAPI ones.
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

#define RAM_VA		0x40000000ULL	/* 32M of 16M huge pages: guest RAM */
#define RAM_SIZE	(32ULL << 20)
#define DDW_BUS		(1ULL << 59)	/* where an IODA2 PE's second window sits */

struct fx {
	struct tcesim_world *w;
	struct tcesim_mm *qemu;
	struct tcesim_phb *phb;
	struct tcesim_pe *pe;
	struct tcesim_pci_dev *dev;
	struct tcesim_tce_container *c;
};

static long ioctl_c(struct fx *f, unsigned int cmd, void *arg)
{
	return tcesim_tce_iommu_ioctl(f->c, f->qemu, cmd, (unsigned long)arg);
}

static int setup(void **state)
{
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
	    tcesim_mm_mmap(f->qemu, RAM_VA, RAM_SIZE, TCESIM_PROT_READ | TCESIM_PROT_WRITE, 24) ||
	    tcesim_phb_create(f->w, &pcfg, &f->phb) || tcesim_pe_create(f->phb, &ecfg, &f->pe) ||
	    tcesim_pci_dev_create(f->pe, "d0", 64, &f->dev) ||
	    tcesim_tce_iommu_open(f->w, VFIO_SPAPR_TCE_v2_IOMMU, &f->c) ||
	    tcesim_tce_iommu_attach_group(f->c, f->pe))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	tcesim_tce_iommu_release(f->c);		/* closing the fd undoes everything */
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

static void test_get_info_reports_ddw(void **state)
{
	struct fx *f = *state;
	struct vfio_iommu_spapr_tce_info info = { .argsz = sizeof(info) };

	assert_int_equal(ioctl_c(f, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &info), 0);
	assert_int_equal(info.flags, VFIO_IOMMU_SPAPR_INFO_DDW);
	assert_int_equal(info.ddw.max_dynamic_windows_supported, 2);
	assert_int_equal(info.ddw.levels, 5);
	assert_int_equal(info.ddw.pgsizes, (1ULL << 12) | (1ULL << 16) | (1ULL << 24) |
					   (1ULL << 28));
	assert_int_equal(info.dma32_window_size, 256ULL << 20);
	/* VFIO_IOMMU_ENABLE is v1 only */
	assert_int_equal(ioctl_c(f, VFIO_IOMMU_ENABLE, NULL), -ENOTTY);
}

static void test_prereg_ddw_map_dma_unmap(void **state)
{
	struct fx *f = *state;
	struct vfio_iommu_spapr_register_memory reg = {
		.argsz = sizeof(reg), .vaddr = RAM_VA, .size = RAM_SIZE,
	};
	struct vfio_iommu_spapr_tce_create create = {
		.argsz = sizeof(create), .page_shift = 24, .window_size = 16ULL << 30,
		.levels = 2,
	};
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map), .flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = RAM_VA, .iova = DDW_BUS, .size = RAM_SIZE,
	};
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap), .iova = DDW_BUS, .size = RAM_SIZE,
	};
	struct vfio_iommu_spapr_tce_remove remove = { .argsz = sizeof(remove) };
	const unsigned char out[16] = "device wrote me";
	unsigned char in[16] = { 0 };
	struct tcesim_page_info pi;
	uint64_t hpa;

	/* Prereg pins 32M once and charges it to locked_vm (4K pages). */
	assert_int_equal(ioctl_c(f, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, &reg), 0);
	assert_int_equal(tcesim_mm_locked_vm(f->qemu), RAM_SIZE >> 12);
	assert_int_equal(ioctl_c(f, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, &reg), -EBUSY);

	/* A 16G window of 16M pages lands at 1 << 59 (TVE#1). */
	assert_int_equal(ioctl_c(f, VFIO_IOMMU_SPAPR_TCE_CREATE, &create), 0);
	assert_int_equal(create.start_addr, DDW_BUS);

	/* Map all of guest RAM; the device writes, then reads it back. */
	assert_int_equal(ioctl_c(f, VFIO_IOMMU_MAP_DMA, &map), 0);
	assert_int_equal(tcesim_pci_dev_dma_write(f->dev, DDW_BUS + 0x1000010, out, sizeof(out)),
			 0);
	assert_int_equal(tcesim_pci_dev_dma_read(f->dev, DDW_BUS + 0x1000010, in, sizeof(in)), 0);
	assert_memory_equal(in, out, sizeof(out));

	/* Memory outside the preregistered region cannot be mapped in v2. */
	map.vaddr = 0x10000000;
	map.iova = DDW_BUS + RAM_SIZE;
	map.size = 16ULL << 20;
	assert_int_equal(ioctl_c(f, VFIO_IOMMU_MAP_DMA, &map), -EINVAL);

	/* Unmap: the device loses the translation (UNMAP kills the range). */
	assert_int_equal(ioctl_c(f, VFIO_IOMMU_UNMAP_DMA, &unmap), 0);
	assert_int_equal(tcesim_pci_dev_dma_read(f->dev, DDW_BUS + 0x1000010, in, sizeof(in)),
			 -EFAULT);

	/* Window and region go; the written huge page is dirty, unpinned. */
	remove.start_addr = DDW_BUS;
	assert_int_equal(ioctl_c(f, VFIO_IOMMU_SPAPR_TCE_REMOVE, &remove), 0);
	assert_int_equal(ioctl_c(f, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, &reg), 0);
	/* mm_iommu_put() frees the region (and unpins) after a grace period */
	tcesim_rcu_barrier();
	assert_int_equal(tcesim_mm_page_query(f->qemu, RAM_VA + 0x1000000, &pi, &hpa), 0);
	assert_int_equal(pi.pins, 0);
	assert_true(pi.dirty);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_get_info_reports_ddw, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prereg_ddw_map_dma_unmap, setup, teardown),
	};

	return cmocka_run_group_tests_name("vfio_spapr_v2", tests, NULL, NULL);
}
