/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fx_vfio.h - the sPAPR TCE container fixture shared by tests/vfio
 * (test_vfio_fidelity.c, test_vfio_clear_sparse.c): a world of one flavour
 * and quirks mode, process "qemu" (RLIMIT_MEMLOCK given, bytes) with
 * @ram_size bytes of RAM mapped read-write at @ram_va, and an IODA2 PHB with
 * one PE whose 32-bit DMA window is @dma32_size bytes. The container (f->c)
 * is the test's to open; fx_vfio_free() releases it when it is still open.
 * Include after tcesim_test.h.
 */
#ifndef TCESIM_TEST_FX_VFIO_H
#define TCESIM_TEST_FX_VFIO_H

struct vf {
	struct test_world *tw;
	struct tcesim_world *w;
	struct tcesim_mm *mm;
	struct tcesim_phb *phb;
	struct tcesim_pe *pe;
	struct tcesim_tce_container *c;
};

static inline struct vf *fx_vfio_new(enum tcesim_flavour flavour, enum tcesim_quirks quirks,
				     uint64_t memlock, uint64_t ram_va, uint64_t ram_size,
				     uint64_t dma32_size)
{
	struct tcesim_phb_cfg pcfg;
	struct tcesim_pe_cfg ecfg;
	struct vf *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->tw = test_world_new_of(flavour, quirks, 0);
	f->w = f->tw->w;
	assert_int_equal(tcesim_mm_create(f->w, "qemu", memlock, false, &f->mm), 0);
	assert_int_equal(tcesim_mm_mmap(f->mm, ram_va, ram_size,
					TCESIM_PROT_READ | TCESIM_PROT_WRITE, 0), 0);
	tcesim_phb_cfg_init(&pcfg, TCESIM_PHB_IODA2);
	assert_int_equal(tcesim_phb_create(f->w, &pcfg, &f->phb), 0);
	tcesim_pe_cfg_init(&ecfg);
	ecfg.dma32_size = dma32_size;
	assert_int_equal(tcesim_pe_create(f->phb, &ecfg, &f->pe), 0);
	return f;
}

/* Releases the container if open; no page may stay pinned. */
static inline void fx_vfio_free(struct vf *f)
{
	if (f->c)
		tcesim_tce_iommu_release(f->c);
	tcesim_rcu_barrier();
	assert_int_equal(tcesim_mem_pinned_pages(f->w), 0);
	tcesim_mm_exit(f->mm);
	test_world_free(f->tw);
	free(f);
}

/* The container's ioctl as process "qemu" issues it. */
static inline long fx_vfio_ioctl(struct vf *f, unsigned int cmd, const void *arg)
{
	return tcesim_tce_iommu_ioctl(f->c, f->mm, cmd, (unsigned long)(uintptr_t)arg);
}

#endif /* TCESIM_TEST_FX_VFIO_H */
