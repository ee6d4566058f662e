// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_alloc.c - the DMA-API allocator against upstream's rules, through the
 * public API only (issue 8 point 2):
 *  - lib/iommu-helper.c: iommu_area_alloc(): "We don't want the last of the
 *    limit" (size -= 1), and iommu_is_span_boundary() with the device's
 *    dma_get_seg_boundary_nr_pages();
 *  - arch/powerpc/kernel/iommu.c: iommu_range_alloc(): a large allocation
 *    keeps the CPU's hash pool number for its fallback order;
 *  - the read-only allocator state (pools, hints, reserved range, it_map).
 */
#include "tcesim_test.h"
#include "fx_table.h"

#include <tcesim/table.h>

#define HPA 0x10000000ULL

static int setup(void **state)
{
	fx_table_setup(state, TCESIM_FLAVOUR_MODERN);
	tcesim_iommu_set_current_cpu(0);
	return 0;
}

static int teardown(void **state)
{
	return fx_table_teardown(state);
}

/* A 4K-page table of @ws bytes at bus 0, DMA allocator set up. */
static struct tcesim_iommu_table *mk_dma(struct tt *t, uint64_t ws, uint64_t rs, uint64_t re)
{
	struct tcesim_iommu_table *tbl = NULL;

	assert_errno(tcesim_pnv_pci_ioda2_table_alloc_pages(t->tw->w, 0, 12, ws, 2, false, &tbl),
		     0);
	assert_errno(tcesim_iommu_init_table(tbl, rs, re), 0);
	return tbl;
}

static struct tcesim_iommu_alloc_state st_of(struct tcesim_iommu_table *tbl)
{
	struct tcesim_iommu_alloc_state st;

	assert_errno(tcesim_iommu_get_alloc_state(tbl, &st), 0);
	return st;
}

static uint64_t alloc(struct tcesim_iommu_table *tbl, unsigned long n, uint64_t mask)
{
	return tcesim_iommu_alloc(tbl, HPA, n, TCESIM_DMA_BIDIRECTIONAL, mask, 0);
}

/* iommu_area_alloc(): the last entry below the limit is never handed out */
static void test_last_of_limit_never_given(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *tbl = mk_dma(t, 4ULL << 20, 0, 0); /* 1024 entries */
	unsigned long n = 0;

	/* a 16-entry DMA mask: limit 16, entry 0 reserved, 15 does not fit in [1, 15) */
	assert_int_equal(alloc(tbl, 15, (16ULL << 12) - 1), TCESIM_DMA_MAPPING_ERROR);
	assert_int_equal(alloc(tbl, 14, (16ULL << 12) - 1), 1ULL << 12);
	assert_int_equal(tcesim_iommu_map_test(tbl, 15), 0);
	assert_errno(tcesim_iommu_free(tbl, 1ULL << 12, 14), 0);
	/* fill the whole table one page at a time */
	while (alloc(tbl, 1, UINT64_MAX) != TCESIM_DMA_MAPPING_ERROR)
		n++;
	/* pool 0 [0, 768): 1..766; the large pool [768, 1024): 768..1022 */
	assert_int_equal(n, 766 + 255);
	assert_int_equal(tcesim_iommu_map_test(tbl, 767), 0);
	assert_int_equal(tcesim_iommu_map_test(tbl, 1023), 0);
	assert_int_equal(tcesim_iommu_map_weight(tbl, 0, 1024), 1 + 766 + 255);
	/* the case: 4 pages where only the last 4 entries could go */
	assert_int_equal(alloc(tbl, 4, UINT64_MAX), TCESIM_DMA_MAPPING_ERROR);
	assert_int_equal(tcesim_iommu_take_ownership(tbl), -EBUSY);
	for (uint64_t e = 1; e < 1023; e++)
		if (e != 767)
			assert_errno(tcesim_iommu_free(tbl, e << 12, 1), 0);
	assert_int_equal(tcesim_iommu_table_in_use(tbl), 0);
	assert_int_equal(tcesim_iommu_tce_table_put(tbl), 1);
}

/* iommu_range_alloc(): a large allocation falls back from the CPU's pool + 1 */
static void test_large_fallback_keeps_cpu_pool(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *tbl = mk_dma(t, 1ULL << 30, 0, 0); /* 4 pools */
	struct tcesim_iommu_alloc_state st = st_of(tbl);
	struct tcesim_iommu_table *res;
	uint64_t dma;

	assert_int_equal(st.nr_pools, 4);
	assert_int_equal(tcesim_iommu_tce_table_put(tbl), 1);
	/* the MMIO32 hole reserved over the whole large pool */
	res = mk_dma(t, 1ULL << 30, st.large_pool.start, st.it_size);
	st = st_of(res);
	assert_int_equal(st.it_reserved_start, st.large_pool.start);
	assert_int_equal(st.it_reserved_end, st.it_size);
	/* CPU 1: hash_32(1, 2) = 1, so the first fallback is pool 2 */
	tcesim_iommu_set_current_cpu(1);
	dma = alloc(res, 32, UINT64_MAX);
	tcesim_iommu_set_current_cpu(0);
	assert_int_equal(dma >> 12, st.pools[2].start);
	assert_int_equal(st_of(res).pools[2].hint, st.pools[2].start + 32);
	assert_errno(tcesim_iommu_free(res, dma, 32), 0);
	assert_int_equal(tcesim_iommu_tce_table_put(res), 1);
}

/* dma_get_seg_boundary_nr_pages(): no range crosses the device's boundary */
static void test_seg_boundary(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *tbl = mk_dma(t, 4ULL << 20, 0, 0);
	const uint64_t b32 = (32ULL << 12) - 1; /* 32-page segments */
	uint64_t d1, d2;
	long w;

	/* large pool [768, 1024); the hint follows the end (no block rounding) */
	d1 = tcesim_iommu_alloc_seg(tbl, HPA, 20, TCESIM_DMA_TO_DEVICE, UINT64_MAX, 0, b32);
	assert_int_equal(d1 >> 12, 768);
	/* 788..807 would cross entry 800: moved to the next segment */
	d2 = tcesim_iommu_alloc_seg(tbl, HPA, 20, TCESIM_DMA_TO_DEVICE, UINT64_MAX, 0, b32);
	assert_int_equal(d2 >> 12, 800);
	assert_errno(tcesim_iommu_free(tbl, d2, 20), 0);
	/* the default 4 GiB boundary does not move it */
	d2 = alloc(tbl, 20, UINT64_MAX);
	assert_int_equal(d2 >> 12, 820);
	assert_errno(tcesim_iommu_free(tbl, d2, 20), 0);
	/* more pages than one segment: upstream loops forever; refused, no change */
	w = tcesim_iommu_map_weight(tbl, 0, 1024);
	assert_int_equal(tcesim_iommu_alloc_seg(tbl, HPA, 33, TCESIM_DMA_TO_DEVICE, UINT64_MAX, 0,
						b32),
			 TCESIM_DMA_MAPPING_ERROR);
	assert_int_equal(tcesim_iommu_map_weight(tbl, 0, 1024), w);
	/* a boundary is a power of two */
	assert_int_equal(tcesim_iommu_alloc_seg(tbl, HPA, 1, TCESIM_DMA_TO_DEVICE, UINT64_MAX, 0,
						0x5fff),
			 TCESIM_DMA_MAPPING_ERROR);
	assert_errno(tcesim_pci_dev_set_seg_boundary(NULL, b32), -EINVAL);
	assert_errno(tcesim_iommu_free(tbl, d1, 20), 0);
	assert_int_equal(tcesim_iommu_tce_table_put(tbl), 1);
}

static void test_alloc_state_api(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *tbl = mk_dma(t, 4ULL << 20, 0x100, 0x120);
	struct tcesim_iommu_table *raw = NULL;
	struct tcesim_iommu_alloc_state st = st_of(tbl);
	uint64_t d;

	assert_int_equal(st.it_offset, 0);
	assert_int_equal(st.it_size, 1024);
	assert_int_equal(st.it_blocksize, 16);
	assert_int_equal(st.nr_pools, 1);
	assert_int_equal(st.poolsize, 768);
	assert_int_equal(st.pools[0].start, 0);
	assert_int_equal(st.pools[0].end, 768);
	assert_int_equal(st.pools[0].hint, 0);
	assert_int_equal(st.pools[1].end, 0);
	assert_int_equal(st.large_pool.start, 768);
	assert_int_equal(st.large_pool.end, 1024);
	assert_int_equal(st.it_reserved_start, 0x100);
	assert_int_equal(st.it_reserved_end, 0x120);
	/* entry 0 (it_offset 0) and the reserved range are set */
	assert_int_equal(tcesim_iommu_map_test(tbl, 0), 1);
	assert_int_equal(tcesim_iommu_map_weight(tbl, 0x100, 0x20), 0x20);
	assert_int_equal(tcesim_iommu_map_weight(tbl, 0, 1024), 0x21);
	d = alloc(tbl, 3, UINT64_MAX);
	assert_int_equal(d >> 12, 1);
	/* hint rounded up to it_blocksize */
	assert_int_equal(st_of(tbl).pools[0].hint, 16);
	assert_int_equal(tcesim_iommu_map_weight(tbl, 1, 3), 3);
	assert_errno(tcesim_iommu_free(tbl, d, 3), 0);
	assert_int_equal(tcesim_iommu_map_weight(tbl, 1, 3), 0);
	/* errors */
	assert_errno(tcesim_iommu_get_alloc_state(NULL, &st), -EINVAL);
	assert_errno(tcesim_iommu_get_alloc_state(tbl, NULL), -EINVAL);
	assert_errno(tcesim_iommu_map_test(tbl, 1024), -EINVAL);
	assert_errno(tcesim_iommu_map_test(NULL, 0), -EINVAL);
	assert_errno(tcesim_iommu_map_weight(tbl, 1000, 25), -EINVAL);
	assert_errno(tcesim_iommu_map_weight(tbl, 1, UINT64_MAX), -EINVAL);
	assert_int_equal(tcesim_iommu_map_weight(tbl, 1024, 0), 0);
	assert_errno(tcesim_pnv_pci_ioda2_table_alloc_pages(t->tw->w, 0, 12, 1ULL << 20, 1, false,
							    &raw), 0);
	assert_errno(tcesim_iommu_get_alloc_state(raw, &st), -ENODEV);
	assert_errno(tcesim_iommu_map_test(raw, 0), -ENODEV);
	assert_errno(tcesim_iommu_map_weight(raw, 0, 1), -ENODEV);
	assert_int_equal(tcesim_iommu_tce_table_put(raw), 1);
	assert_int_equal(tcesim_iommu_tce_table_put(tbl), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_last_of_limit_never_given, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_fallback_keeps_cpu_pool, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_seg_boundary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_state_api, setup, teardown),
	};

	(void)test_seed();
	return cmocka_run_group_tests_name("table_alloc", tests, NULL, NULL);
}
