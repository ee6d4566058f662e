// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_vfio_fidelity.c - VFIO_IOMMU_SPAPR_TCE_CREATE against upstream's own
 * code (issue 8, point 4): the error order of tce_iommu_create_table()
 * (get_table_size, then account_locked_vm, then create_table), upstream's
 * locked_vm leak when create_table fails (quirks=upstream) and its clean
 * give-back (quirks=safe, and the legacy_2016 era), level blocks above
 * MAX_PAGE_ORDER, and windows smaller than one IOMMU page.
 * Upstream: drivers/vfio/vfio_iommu_spapr_tce.c (tce_iommu_create_window,
 * tce_iommu_create_table), arch/powerpc/platforms/powernv/pci-ioda.c
 * (pnv_pci_ioda2_get_table_size, pnv_pci_ioda2_create_table),
 * arch/powerpc/platforms/powernv/pci-ioda-tce.c
 * (pnv_pci_ioda2_table_alloc_pages, pnv_alloc_tce_level).
 *
 * Fixture: process "qemu" (memlock given per case) with 1 MiB of RAM at
 * RAM_VA; an IODA2 PHB with PE pe (dma32 256 MiB); a v2 container with the
 * group attached and the pending default window removed, so window 0 is
 * the one each case creates.
 */
#include "tcesim_test.h"

#include "fx_vfio.h"

#define RAM_VA	0x10000000ULL
#define RAM_SZ	(1ULL << 20)
#define PG	4096ULL
#define RW	(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)

static long create(struct vf *f, uint32_t shift, uint64_t wsize, uint32_t levels,
		   uint64_t *start)
{
	struct vfio_iommu_spapr_tce_create cr = {
		.argsz = sizeof(cr), .page_shift = shift, .window_size = wsize, .levels = levels,
	};
	long ret = fx_vfio_ioctl(f, VFIO_IOMMU_SPAPR_TCE_CREATE, &cr);

	if (start)
		*start = cr.start_addr;
	return ret;
}

static long remove_window(struct vf *f, uint64_t start)
{
	struct vfio_iommu_spapr_tce_remove r = { .argsz = sizeof(r), .start_addr = start };

	return fx_vfio_ioctl(f, VFIO_IOMMU_SPAPR_TCE_REMOVE, &r);
}

static struct vf *vf_new(enum tcesim_quirks q, enum tcesim_flavour fl, uint64_t memlock)
{
	struct vf *f = fx_vfio_new(fl, q, memlock, RAM_VA, RAM_SZ, 256ULL << 20);

	assert_int_equal(tcesim_tce_iommu_open(f->w, VFIO_SPAPR_TCE_v2_IOMMU, &f->c), 0);
	assert_int_equal(tcesim_tce_iommu_attach_group(f->c, f->pe), 0);
	/* the pending default window never materialises */
	assert_errno(remove_window(f, 0), 0);
	assert_int_equal(tcesim_mm_locked_vm(f->mm), 0);
	return f;
}

/* ------------------------------------------------ 4a: error order ------ */

/*
 * 4 KiB window, 4K pages, 5 levels: get_table_size says 0xa000 (10 pages,
 * tests/table/test_fidelity.c computes it by hand), create_table refuses
 * it ((12 - 3) * 5 + 12 = 57 >= 55: -EINVAL). So the charge comes first.
 */
static void create_bad_geometry(enum tcesim_quirks q, enum tcesim_flavour fl,
				unsigned long leaked)
{
	struct vf *f = vf_new(q, fl, 1ULL << 30);
	uint64_t start;

	assert_errno(create(f, 12, 0x1000, 5, &start), -EINVAL);
	assert_int_equal(tcesim_mm_locked_vm(f->mm), leaked);
	/* the window slot is still free: a good create works */
	assert_errno(create(f, 12, 1ULL << 30, 1, &start), 0);
	assert_int_equal(start, 0);
	assert_int_equal(tcesim_mm_locked_vm(f->mm),
			 leaked + tcesim_pe_get_table_size(f->pe, 12, 1ULL << 30, 1) / PG);
	assert_errno(remove_window(f, 0), 0);
	assert_int_equal(tcesim_mm_locked_vm(f->mm), leaked);
	fx_vfio_free(f);
}

static void test_create_bad_geometry_safe_gives_back(void **state)
{
	(void)state;
	create_bad_geometry(TCESIM_QUIRKS_SAFE, TCESIM_FLAVOUR_MODERN, 0);
}

static void test_create_bad_geometry_upstream_leaks(void **state)
{
	(void)state;
	/* tce_iommu_create_table(): account_locked_vm(10), create_table fails, no undo */
	create_bad_geometry(TCESIM_QUIRKS_UPSTREAM, TCESIM_FLAVOUR_MODERN, 10);
}


static void test_create_charge_before_geometry(void **state)
{
	/* RLIMIT_MEMLOCK of 8 pages: the 10-page charge fails before create_table */
	struct vf *f = vf_new(TCESIM_QUIRKS_SAFE, TCESIM_FLAVOUR_MODERN, 8 * PG);
	uint64_t start;

	(void)state;
	assert_errno(create(f, 12, 0x1000, 5, &start), -ENOMEM);
	assert_int_equal(tcesim_mm_locked_vm(f->mm), 0);
	/* what get_table_size itself refuses stays -EINVAL, before any charge */
	assert_errno(create(f, 12, 0x3000, 1, &start), -EINVAL);
	assert_errno(create(f, 12, 0x1000, 6, &start), -EINVAL);
	fx_vfio_free(f);
}

/* ---------------------------------------------- 4b: MAX_PAGE_ORDER ----- */

static void create_16g_one_level(enum tcesim_quirks q, enum tcesim_flavour fl,
				 unsigned long leaked)
{
	struct vf *f = vf_new(q, fl, 1ULL << 30);
	uint64_t start;

	/* one 32 MiB level block, order 13 > MAX_PAGE_ORDER 12; charged 64 MiB first */
	assert_errno(create(f, 12, 16ULL << 30, 1, &start), -ENOMEM);
	assert_true(tcesim_world_log_contains(f->w, "Failed to allocate a TCE memory"));
	assert_int_equal(tcesim_mm_locked_vm(f->mm), leaked);
	/* 2 levels: 16 KiB blocks */
	assert_errno(create(f, 12, 16ULL << 30, 2, &start), 0);
	assert_errno(remove_window(f, start), 0);
	assert_int_equal(tcesim_mm_locked_vm(f->mm), leaked);
	fx_vfio_free(f);
}

static void test_create_max_order_safe(void **state)
{
	(void)state;
	create_16g_one_level(TCESIM_QUIRKS_SAFE, TCESIM_FLAVOUR_MODERN, 0);
}

static void test_create_max_order_upstream_leaks(void **state)
{
	(void)state;
	create_16g_one_level(TCESIM_QUIRKS_UPSTREAM, TCESIM_FLAVOUR_MODERN, (64UL << 20) / PG);
}

static void test_create_max_order_2016_gives_back(void **state)
{
	(void)state;
	/* the 2015-2016 tce_iommu_create_table() decremented on error */
	create_16g_one_level(TCESIM_QUIRKS_UPSTREAM, TCESIM_FLAVOUR_LEGACY_2016, 0);
}

/* ---------------------------------------------- 4c: sub-page window --- */

static void test_create_sub_page_window(void **state)
{
	struct vf *f = vf_new(TCESIM_QUIRKS_SAFE, TCESIM_FLAVOUR_MODERN, 1ULL << 30);
	struct vfio_iommu_spapr_register_memory r = {
		.argsz = sizeof(r), .vaddr = RAM_VA, .size = RAM_SZ,
	};
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m), .flags = RW, .vaddr = RAM_VA, .size = PG,
	};
	struct vfio_iommu_type1_dma_unmap u = { .argsz = sizeof(u), .size = PG };
	unsigned long prereg;
	uint64_t start = 1;

	(void)state;
	assert_errno(fx_vfio_ioctl(f, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, &r), 0);
	prereg = tcesim_mm_locked_vm(f->mm);
	/* 0x200 bytes at 4K pages: a 512-entry table (it_size = PAGE_SIZE / 8) */
	assert_errno(create(f, 12, 0x200, 1, &start), 0);
	assert_int_equal(start, 0);
	assert_int_equal(tcesim_mm_locked_vm(f->mm), prereg + 2); /* 0x1000, doubled */
	/* entry 511 is inside the table, so inside the window for MAP_DMA */
	m.iova = 511 * PG;
	assert_errno(fx_vfio_ioctl(f, VFIO_IOMMU_MAP_DMA, &m), 0);
	m.iova = 512 * PG; /* in no window: tce_iommu_find_table() fails */
	assert_errno(fx_vfio_ioctl(f, VFIO_IOMMU_MAP_DMA, &m), -ENXIO);
	u.iova = 511 * PG;
	assert_errno(fx_vfio_ioctl(f, VFIO_IOMMU_UNMAP_DMA, &u), 0);
	assert_errno(remove_window(f, 0), 0);
	assert_int_equal(tcesim_mm_locked_vm(f->mm), prereg);
	/* 0x100 bytes: upstream's shift is undefined; refused before any charge */
	assert_errno(create(f, 12, 0x100, 1, &start), -EINVAL);
	assert_int_equal(tcesim_mm_locked_vm(f->mm), prereg);
	fx_vfio_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_bad_geometry_safe_gives_back),
		cmocka_unit_test(test_create_bad_geometry_upstream_leaks),
		cmocka_unit_test(test_create_charge_before_geometry),
		cmocka_unit_test(test_create_max_order_safe),
		cmocka_unit_test(test_create_max_order_upstream_leaks),
		cmocka_unit_test(test_create_max_order_2016_gives_back),
		cmocka_unit_test(test_create_sub_page_window),
	};

	tcesim_thread_enter();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
