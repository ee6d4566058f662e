// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_vfio_clear_sparse.c - tce_iommu_clear() of a big, almost empty
 * window visits only the entries that hold a TCE (issue 10 item 8: a close
 * of the 32 MiB+ default window exchanged every one of its entries under a
 * lock each, most of a schedule of explore example a). Upstream
 * (drivers/vfio/vfio_iommu_spapr_tce.c tce_iommu_clear()) exchanges every
 * entry of a one-level table and skips the missing levels of a multi-level
 * one; exchanging 0 for 0 is invisible, so the model skips empty entries
 * too, with the same results: pins released once, dirty bits of written
 * pages, TCEs empty, the v2 regions' mapped counts back, one kill.
 *
 * One white-box read: tbl->it_clear_visited, the entries tce_iommu_clear()
 * exchanged, so the slow path fails here on any machine: the work is
 * asserted, never time.
 */
#include "tcesim_test.h"

#include "fx_vfio.h"
#include "vfio/vfio_internal.h"

#define RAM_VA		0x10000000ULL
#define RAM_SIZE	(1ULL << 20)
#define DMA32		(256ULL << 20)	/* 65536 entries of 4K */
#define PG		4096ULL
#define RW		(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)

static int setup(void **state)
{
	static char zeros[RAM_SIZE];
	struct tcesim_pci_dev *dev;
	struct vf *f = fx_vfio_new(TCESIM_FLAVOUR_MODERN, TCESIM_QUIRKS_SAFE, 1ULL << 30, RAM_VA,
				   RAM_SIZE, DMA32);

	assert_int_equal(tcesim_mm_write(f->mm, RAM_VA, zeros, RAM_SIZE), 0); /* populated */
	assert_int_equal(tcesim_pci_dev_create(f->pe, "dev", 64, &dev), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct vf *f = *state;

	if (f->c)
		tcesim_tce_iommu_release(f->c);
	f->c = NULL;
	tcesim_rcu_barrier();
	assert_int_equal(tcesim_mm_locked_vm(f->mm), 0);
	fx_vfio_free(f);
	return 0;
}


static long map(struct vf *f, uint64_t vaddr, uint64_t iova, uint32_t flags)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m), .flags = flags, .vaddr = vaddr, .iova = iova, .size = PG,
	};

	return fx_vfio_ioctl(f, VFIO_IOMMU_MAP_DMA, &m);
}

static long unmap(struct vf *f, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_unmap u = { .argsz = sizeof(u), .iova = iova, .size = size };

	return fx_vfio_ioctl(f, VFIO_IOMMU_UNMAP_DMA, &u);
}

static struct tcesim_page_info page(struct vf *f, uint64_t va)
{
	struct tcesim_page_info i;

	assert_int_equal(tcesim_mm_page_query(f->mm, va, &i, NULL), 0);
	return i;
}

static uint64_t hpa_of(struct vf *f, uint64_t va)
{
	uint64_t hpa = 0;

	assert_int_equal(tcesim_mm_va_to_hpa(f->mm, va, &hpa), 0);
	return hpa;
}

static uint64_t visited(struct tcesim_iommu_table *tbl)
{
	return atomic_load_explicit(&tbl->it_clear_visited, memory_order_relaxed);
}

static uint64_t tce_at(struct tcesim_iommu_table *tbl, uint64_t iova)
{
	uint64_t tce = ~0ULL;

	assert_int_equal(tcesim_iommu_tce_get(tbl, tbl->it_offset + iova / PG, &tce), 0);
	return tce;
}

static uint64_t kills(struct tcesim_iommu_table *tbl)
{
	return atomic_load_explicit(&tbl->it_kills, memory_order_relaxed);
}

/* The three entries of a v1 container's 65536-entry window, cleared by UNMAP, then close. */
static void test_v1_unmap_and_close_visit_only_mapped(void **state)
{
	struct vf *f = *state;
	static const uint64_t iova[3] = { 0, 1ULL << 20, 200ULL << 20 };
	struct tcesim_iommu_table *tbl;
	uint64_t v0, k0;

	assert_int_equal(tcesim_tce_iommu_open(f->w, VFIO_SPAPR_TCE_IOMMU, &f->c), 0);
	assert_int_equal(tcesim_tce_iommu_attach_group(f->c, f->pe), 0);
	assert_int_equal(fx_vfio_ioctl(f, VFIO_IOMMU_ENABLE, NULL), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(map(f, RAM_VA + (uint64_t)i * PG, iova[i],
				     i == 1 ? VFIO_DMA_MAP_FLAG_READ : RW), 0);
		if (!i) { /* the first MAP made the default window */
			assert_int_equal(tcesim_tce_iommu_get_table(f->c, 0, &tbl), 0);
			assert_int_equal(tbl->it_size, DMA32 / PG);
		}
		assert_int_equal(page(f, RAM_VA + (uint64_t)i * PG).pins, 1);
		tcesim_clear_page_dirty(f->w, hpa_of(f, RAM_VA + (uint64_t)i * PG));
	}
	/* UNMAP of the whole window: two entries hold a TCE, 65534 are empty */
	v0 = visited(tbl);
	k0 = kills(tbl);
	assert_int_equal(unmap(f, 0, 128ULL << 20), 0);
	assert_int_equal(visited(tbl) - v0, 2);
	assert_true(kills(tbl) > k0); /* one kill of the range, as before */
	assert_int_equal(tce_at(tbl, iova[0]), 0);
	assert_int_equal(tce_at(tbl, iova[1]), 0);
	assert_int_not_equal(tce_at(tbl, iova[2]), 0);
	assert_int_equal(page(f, RAM_VA).pins, 0);
	assert_true(page(f, RAM_VA).dirty);	/* the device could write it */
	assert_int_equal(page(f, RAM_VA + PG).pins, 0);
	assert_false(page(f, RAM_VA + PG).dirty); /* read only */
	assert_int_equal(page(f, RAM_VA + 2 * PG).pins, 1);
	/* close: the whole table is cleared, one entry is left */
	v0 = visited(tbl);
	tcesim_tce_iommu_release(f->c);
	f->c = NULL;
	assert_int_equal(visited(tbl) - v0, 1);
	assert_int_equal(tce_at(tbl, iova[2]), 0);
	assert_int_equal(page(f, RAM_VA + 2 * PG).pins, 0);
	assert_true(page(f, RAM_VA + 2 * PG).dirty);
	tcesim_iommu_tce_table_put(tbl);
}

/* v2, a two-level 1 GiB window: only the mapped entries of the present leaves are visited. */
static void test_v2_multilevel_visits_only_mapped(void **state)
{
	struct vf *f = *state;
	struct vfio_iommu_spapr_register_memory r = {
		.argsz = sizeof(r), .vaddr = RAM_VA, .size = RAM_SIZE,
	};
	struct vfio_iommu_spapr_tce_create cr = {
		.argsz = sizeof(cr), .page_shift = 12, .window_size = 1ULL << 30, .levels = 2,
	};
	struct vfio_iommu_spapr_tce_remove rm = { .argsz = sizeof(rm) };
	struct tcesim_mm_iommu_region *mem = NULL;
	struct tcesim_mm_iommu_info info;
	struct tcesim_iommu_table *tbl;
	uint64_t v0;

	assert_int_equal(tcesim_tce_iommu_open(f->w, VFIO_SPAPR_TCE_v2_IOMMU, &f->c), 0);
	assert_int_equal(tcesim_tce_iommu_attach_group(f->c, f->pe), 0);
	assert_int_equal(fx_vfio_ioctl(f, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, &r), 0);
	assert_int_equal(fx_vfio_ioctl(f, VFIO_IOMMU_SPAPR_TCE_CREATE, &cr), 0);
	assert_int_equal(tcesim_tce_iommu_get_table(f->c, 1, &tbl), 0);
	assert_int_not_equal(tbl->it_indirect_levels, 0);
	assert_int_equal(map(f, RAM_VA, cr.start_addr, RW), 0);
	assert_int_equal(map(f, RAM_VA + PG, cr.start_addr + 3 * PG, RW), 0);
	assert_int_equal(map(f, RAM_VA + 2 * PG, cr.start_addr + (512ULL << 20), RW), 0);
	assert_int_equal(tcesim_mm_iommu_lookup(f->mm, RAM_VA, PG, &mem), 0);
	assert_int_equal(tcesim_mm_iommu_get_info(mem, &info), 0);
	assert_int_equal(info.mapped, 1 + 3); /* mm_iommu_do_alloc()'s base of 1 */
	v0 = visited(tbl);
	rm.start_addr = cr.start_addr;
	assert_int_equal(fx_vfio_ioctl(f, VFIO_IOMMU_SPAPR_TCE_REMOVE, &rm), 0);
	assert_int_equal(visited(tbl) - v0, 3);
	assert_int_equal(tcesim_mm_iommu_get_info(mem, &info), 0);
	assert_int_equal(info.mapped, 1);
	tcesim_iommu_tce_table_put(tbl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_v1_unmap_and_close_visit_only_mapped, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_v2_multilevel_visits_only_mapped, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
