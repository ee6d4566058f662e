// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_table.c - TCE table storage, geometry, lifetime, the DMA-API
 * allocator, ownership and the pre-2015 lock path, on bare tables (no PHB).
 */
#include "tcesim_test.h"
#include "fx_table.h"
#include "table/table_internal.h"

#define HPA_BASE 0x10000000ULL

static int setup(void **state)
{
	return fx_table_setup(state, TCESIM_FLAVOUR_MODERN);
}

static int setup_legacy(void **state)
{
	return fx_table_setup(state, TCESIM_FLAVOUR_LEGACY_2015);
}

static int teardown(void **state)
{
	return fx_table_teardown(state);
}

static struct tcesim_iommu_table *mk(struct tt *t, uint64_t bus, unsigned int ps, uint64_t ws,
				     unsigned int levels, bool user)
{
	struct tcesim_iommu_table *tbl = NULL;

	assert_errno(tcesim_pnv_pci_ioda2_table_alloc_pages(t->tw->w, bus, ps, ws, levels, user,
							    &tbl),
		     0);
	return tbl;
}

static void put(struct tcesim_iommu_table *tbl)
{
	assert_int_equal(tcesim_iommu_tce_table_put(tbl), 1);
}

static struct tcesim_iommu_table_info info_of(struct tcesim_iommu_table *tbl)
{
	struct tcesim_iommu_table_info i;

	assert_errno(tcesim_iommu_table_get_info(tbl, &i), 0);
	return i;
}

static uint64_t state_digest(struct tt *t, struct tcesim_iommu_table *tbl)
{
	return tcesim_iommu_table_digest(tbl) ^ tcesim_mem_digest(t->tw->w);
}

/* ------------------------------------------------------ alloc_pages -- */

static void test_table_alloc_pages_bad_levels_einval(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *tbl = NULL;

	assert_errno(tcesim_pnv_pci_ioda2_table_alloc_pages(t->tw->w, 0, 12, 1ULL << 30, 0, false,
							    &tbl),
		     -EINVAL);
	assert_errno(tcesim_pnv_pci_ioda2_table_alloc_pages(t->tw->w, 0, 12, 1ULL << 30, 6, false,
							    &tbl),
		     -EINVAL);
	assert_null(tbl);
}

static void test_table_alloc_pages_not_pow2_einval(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *tbl = NULL;

	assert_errno(tcesim_pnv_pci_ioda2_table_alloc_pages(t->tw->w, 0, 12, 3ULL << 20, 1, false,
							    &tbl),
		     -EINVAL);
	assert_errno(tcesim_pnv_pci_ioda2_table_alloc_pages(t->tw->w, 0, 16, 4096, 1, false, &tbl),
		     -EINVAL);
	assert_errno(tcesim_pnv_pci_ioda2_table_alloc_pages(t->tw->w, 0, 13, 1ULL << 20, 1, false,
							    &tbl),
		     -EINVAL);
	assert_errno(tcesim_pnv_pci_ioda2_table_alloc_pages(t->tw->w, 0x800, 12, 1ULL << 20, 1,
							    false, &tbl),
		     -EINVAL);
	assert_null(tbl);
}

static void test_table_alloc_pages_too_deep_einval(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *tbl = NULL;

	/* 2^55 window of 4K pages: entries_shift 43, 5 levels: level_shift 12,
	 * (12 - 3) * 5 + 12 = 57 >= 55 */
	assert_errno(tcesim_pnv_pci_ioda2_table_alloc_pages(t->tw->w, 0, 12, 1ULL << 55, 5, false,
							    &tbl),
		     -EINVAL);
	/* 2^48 window, 4 levels: 9 * 4 + 12 = 48: fine */
	tbl = mk(t, 0, 12, 1ULL << 48, 4, false);
	assert_int_equal(info_of(tbl).levels, 4);
	put(tbl);
}

static void test_table_alloc_pages_legacy_multilevel_einval(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *tbl = NULL;

	assert_errno(tcesim_pnv_pci_ioda2_table_alloc_pages(t->tw->w, 0, 12, 1ULL << 30, 2, false,
							    &tbl),
		     -EINVAL);
	tbl = mk(t, 0, 12, 1ULL << 30, 1, false);
	put(tbl);
}

static void test_table_alloc_pages_geometry(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *tbl;
	struct tcesim_iommu_table_info i;

	/* 256 KiB of 4K pages = 64 entries, rounded up to PAGE_SIZE / 8 = 512 */
	tbl = mk(t, 0, 12, 256 << 10, 1, false);
	i = info_of(tbl);
	assert_int_equal(i.it_size, 512);
	assert_int_equal(i.levels_allocated, 1);
	assert_false(i.has_userspace);
	assert_int_equal(i.refcount, 1);
	put(tbl);

	/* 1 GiB of 4K pages, 2 levels: entries_shift 18 -> 9 + 3 = 12 */
	tbl = mk(t, 1ULL << 59, 12, 1ULL << 30, 2, true);
	i = info_of(tbl);
	assert_int_equal(i.it_offset, (1ULL << 59) >> 12);
	assert_int_equal(i.it_size, 1ULL << 18);
	assert_int_equal(i.it_level_size, 512);
	assert_int_equal(i.levels, 2);
	assert_int_equal(i.levels_allocated, 1);
	assert_int_equal(i.user_levels_allocated, 1);
	assert_true(i.has_userspace);
	put(tbl);
}

static void test_table_alloc_pages_fail_nth_no_leak(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *tbl = NULL;
	long start = tcesim_world_live_allocs(t->tw->w);
	unsigned long n;
	int ret = -ENOMEM;

	for (n = 1; n < 20 && ret; n++) {
		tcesim_world_inject_fail_alloc(t->tw->w, n);
		ret = tcesim_pnv_pci_ioda2_table_alloc_pages(t->tw->w, 0, 12, 1ULL << 30, 3, true,
							     &tbl);
		tcesim_world_inject_fail_alloc(t->tw->w, 0);
		if (ret) {
			assert_errno(ret, -ENOMEM);
			tcesim_rcu_barrier();
			assert_int_equal(tcesim_world_live_allocs(t->tw->w), start);
		}
	}
	assert_errno(ret, 0);
	assert_true(n > 2); /* at least two allocations could fail */
	put(tbl);
}

static void test_get_table_size_values(void **state)
{
	struct tt *t = *state;

	/* 1 GiB, 4K pages, 1 level: 2^18 * 8 = 2 MiB, doubled */
	assert_int_equal(tcesim_pnv_pci_ioda2_get_table_size(t->tw->w, 12, 1ULL << 30, 1),
			 2 * (2UL << 20));
	/* 2 levels: 2 MiB of leaves + one 4K top level, doubled */
	assert_int_equal(tcesim_pnv_pci_ioda2_get_table_size(t->tw->w, 12, 1ULL << 30, 2),
			 2 * ((2UL << 20) + 4096));
	/* tiny window: one page */
	assert_int_equal(tcesim_pnv_pci_ioda2_get_table_size(t->tw->w, 12, 1ULL << 20, 1),
			 2 * 4096);
	assert_int_equal(tcesim_pnv_pci_ioda2_get_table_size(t->tw->w, 12, 3ULL << 20, 1), 0);
	assert_int_equal(tcesim_pnv_pci_ioda2_get_table_size(t->tw->w, 12, 1ULL << 30, 0), 0);
	assert_int_equal(tcesim_pnv_pci_ioda2_get_table_size(t->tw->w, 12, 1ULL << 30, 6), 0);
}

/* ------------------------------------------------------------ levels -- */

static int xchg(struct tcesim_iommu_table *tbl, uint64_t entry, uint64_t *hpa,
		enum tcesim_dma_data_direction *dir)
{
	return tcesim_iommu_tce_xchg_no_kill(NULL, tbl, entry, hpa, dir);
}

static void test_tce_xchg_levels_on_demand(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *tbl = mk(t, 0, 12, 1ULL << 39, 3, false);
	enum tcesim_dma_data_direction dir = TCESIM_DMA_BIDIRECTIONAL;
	uint64_t hpa = HPA_BASE, tce;

	assert_int_equal(info_of(tbl).levels_allocated, 1);
	assert_errno(xchg(tbl, 5, &hpa, &dir), 0);
	assert_int_equal(hpa, 0);
	assert_int_equal(dir, TCESIM_DMA_NONE);
	assert_int_equal(info_of(tbl).levels_allocated, 3);
	/* same leaf: nothing new */
	hpa = HPA_BASE + 0x1000;
	dir = TCESIM_DMA_TO_DEVICE;
	assert_errno(xchg(tbl, 6, &hpa, &dir), 0);
	assert_int_equal(info_of(tbl).levels_allocated, 3);
	/* another leaf under the same middle level */
	hpa = HPA_BASE;
	dir = TCESIM_DMA_TO_DEVICE;
	assert_errno(xchg(tbl, 512 * 3, &hpa, &dir), 0);
	assert_int_equal(info_of(tbl).levels_allocated, 4);
	assert_errno(tcesim_iommu_tce_get(tbl, 5, &tce), 0);
	assert_int_equal(tce, HPA_BASE | 3);
	assert_errno(tcesim_iommu_tce_get(tbl, 7, &tce), 0);
	assert_int_equal(tce, 0);
	/* clear everything and free: the recursion must find every level */
	assert_errno(tcesim_iommu_tce_clear(tbl, 0, 512 * 4), 0);
	put(tbl);
}

static void test_tce_xchg_none_missing_level_no_alloc(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *tbl = mk(t, 0, 12, 1ULL << 39, 3, false);
	enum tcesim_dma_data_direction dir = TCESIM_DMA_NONE;
	uint64_t hpa = 0, d = tcesim_iommu_table_digest(tbl);

	assert_errno(xchg(tbl, 1234567, &hpa, &dir), 0);
	assert_int_equal(hpa, 0);
	assert_int_equal(dir, TCESIM_DMA_NONE);
	assert_int_equal(info_of(tbl).levels_allocated, 1);
	assert_int_equal(tcesim_iommu_table_digest(tbl), d);
	put(tbl);
}

static void test_tce_xchg_write_implies_read(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *tbl = mk(t, 0, 12, 1ULL << 30, 2, false);
	enum tcesim_dma_data_direction dir = TCESIM_DMA_FROM_DEVICE;
	uint64_t hpa = HPA_BASE, tce;
	struct tcesim_page_info pi;

	assert_errno(xchg(tbl, 9, &hpa, &dir), 0);
	assert_errno(tcesim_iommu_tce_get(tbl, 9, &tce), 0);
	assert_int_equal(tce, HPA_BASE | TCESIM_TCE_PCI_READ | TCESIM_TCE_PCI_WRITE);
	hpa = 0;
	dir = TCESIM_DMA_NONE;
	assert_errno(xchg(tbl, 9, &hpa, &dir), 0);
	assert_int_equal(hpa, HPA_BASE);
	assert_int_equal(dir, TCESIM_DMA_BIDIRECTIONAL);
	assert_errno(tcesim_page_query(t->tw->w, HPA_BASE, &pi), 0);
	assert_true(pi.dirty);
	tcesim_clear_page_dirty(t->tw->w, HPA_BASE);
	put(tbl);
}

static void test_tce_xchg_bad_args_einval(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *tbl = mk(t, 1ULL << 30, 16, 1ULL << 30, 2, false);
	enum tcesim_dma_data_direction dir = TCESIM_DMA_BIDIRECTIONAL;
	uint64_t hpa, off = (1ULL << 30) >> 16, d = state_digest(t, tbl);

	hpa = HPA_BASE;
	assert_errno(xchg(tbl, off - 1, &hpa, &dir), -EINVAL);	/* below the window */
	assert_errno(xchg(tbl, off + (1 << 14), &hpa, &dir), -EINVAL); /* past it */
	hpa = HPA_BASE + 0x1000;					/* not 64K aligned */
	assert_errno(xchg(tbl, off, &hpa, &dir), -EINVAL);
	hpa = HPA_BASE;
	dir = (enum tcesim_dma_data_direction)7;
	assert_errno(xchg(tbl, off, &hpa, &dir), -EINVAL);
	assert_errno(xchg(NULL, off, &hpa, &dir), -EINVAL);
	assert_int_equal(state_digest(t, tbl), d);
	put(tbl);
}

static void test_tce_xchg_level_alloc_fail_enomem_nochange(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *tbl = mk(t, 0, 12, 1ULL << 48, 4, false);
	enum tcesim_dma_data_direction dir;
	long start = tcesim_world_live_allocs(t->tw->w);
	uint64_t hpa, d = state_digest(t, tbl);
	unsigned long n;
	int ret = -ENOMEM;

	for (n = 1; ret; n++) {
		hpa = HPA_BASE;
		dir = TCESIM_DMA_BIDIRECTIONAL;
		tcesim_world_inject_fail_alloc(t->tw->w, n);
		ret = xchg(tbl, 0x123456789ULL, &hpa, &dir);
		tcesim_world_inject_fail_alloc(t->tw->w, 0);
		if (ret) {
			assert_errno(ret, -ENOMEM);
			assert_int_equal(state_digest(t, tbl), d);
			assert_int_equal(tcesim_world_live_allocs(t->tw->w), start);
		}
	}
	assert_int_equal(n, 5); /* three lower levels, each could fail */
	assert_int_equal(info_of(tbl).levels_allocated, 4);
	put(tbl);
	tcesim_clear_page_dirty(t->tw->w, HPA_BASE);
}

static void test_tce_install_race_loser_frees(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *tbl = mk(t, 0, 12, 1ULL << 39, 3, false);
	_Atomic uint64_t *top = tbl->it_base;
	_Atomic uint64_t *slot;

	/* Pretend another CPU installed the path first: our chain is freed. */
	slot = tce_slot(tbl, false, 0, true);
	assert_non_null(slot);
	assert_int_equal(info_of(tbl).levels_allocated, 3);
	assert_true(tce_slot(tbl, false, 0, true) == slot);
	assert_true(top == tbl->it_base);
	put(tbl);
}

static void test_table_get_put_kref(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *tbl = mk(t, 0, 12, 1ULL << 30, 2, false);

	assert_ptr_equal(tcesim_iommu_tce_table_get(tbl), tbl);
	assert_int_equal(info_of(tbl).refcount, 2);
	assert_int_equal(tcesim_iommu_tce_table_put(tbl), 0);
	assert_int_equal(tcesim_iommu_tce_table_put(tbl), 1);
	assert_int_equal(tcesim_iommu_tce_table_put(NULL), 0);
}

static void test_useraddr_set_get(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *tbl = mk(t, 0, 12, 1ULL << 39, 3, true);
	struct tcesim_iommu_table *plain = mk(t, 0, 12, 1ULL << 30, 1, false);
	uint64_t ua = 1, d;

	assert_errno(tcesim_iommu_useraddr_get(tbl, 77777, &ua), 0);
	assert_int_equal(ua, 0);
	assert_errno(tcesim_iommu_useraddr_set(tbl, 77777, 0), 0); /* no allocation */
	assert_int_equal(info_of(tbl).user_levels_allocated, 1);
	d = tcesim_iommu_table_digest(tbl);
	tcesim_world_inject_fail_alloc(t->tw->w, 1);
	assert_errno(tcesim_iommu_useraddr_set(tbl, 77777, 0x7fff0000), -ENOMEM);
	tcesim_world_inject_fail_alloc(t->tw->w, 0);
	assert_int_equal(tcesim_iommu_table_digest(tbl), d);
	assert_errno(tcesim_iommu_useraddr_set(tbl, 77777, 0x7fff0000), 0);
	assert_errno(tcesim_iommu_useraddr_get(tbl, 77777, &ua), 0);
	assert_int_equal(ua, 0x7fff0000);
	assert_int_equal(info_of(tbl).user_levels_allocated, 3);
	assert_int_equal(info_of(tbl).levels_allocated, 1);
	assert_errno(tcesim_iommu_useraddr_get(plain, 1, &ua), -EINVAL);
	assert_errno(tcesim_iommu_useraddr_set(tbl, 1ULL << 40, 1), -EINVAL);
	put(tbl);
	put(plain);
}

/* ------------------------------------------------------------ DMA API -- */

static struct tcesim_iommu_table *mk_dma(struct tt *t, uint64_t ws, uint64_t rs, uint64_t re)
{
	struct tcesim_iommu_table *tbl = mk(t, 0, 12, ws, 2, false);

	assert_errno(tcesim_iommu_init_table(tbl, rs, re), 0);
	return tbl;
}

static void test_iommu_init_table_pools(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *tbl = mk_dma(t, 1ULL << 30, 0, 0);
	struct tcesim_iommu_table *small = mk_dma(t, 256ULL << 20, 0, 0);

	assert_int_equal(info_of(tbl).nr_pools, 4);
	assert_int_equal(tbl->poolsize, (tbl->it_size * 3 / 4) / 4);
	assert_int_equal(tbl->large_pool.start, tbl->poolsize * 4);
	assert_int_equal(tbl->large_pool.end, tbl->it_size);
	assert_int_equal(info_of(small).nr_pools, 1);
	assert_int_equal(tcesim_iommu_table_in_use(tbl), 0); /* entry 0 reserved, not "in use" */
	assert_errno(tcesim_iommu_init_table(tbl, 0, 0), -EINVAL); /* twice */
	put(tbl);
	put(small);
}

static void test_iommu_init_table_enomem_nochange(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *tbl = mk(t, 0, 12, 1ULL << 30, 2, false);
	uint64_t d = tcesim_iommu_table_digest(tbl);

	tcesim_world_inject_fail_alloc(t->tw->w, 1);
	assert_errno(tcesim_iommu_init_table(tbl, 0, 0), -ENOMEM);
	tcesim_world_inject_fail_alloc(t->tw->w, 0);
	assert_int_equal(tcesim_iommu_table_digest(tbl), d);
	assert_false(info_of(tbl).has_it_map);
	assert_errno(tcesim_iommu_init_table(tbl, 0, 0), 0);
	put(tbl);
}

static void test_iommu_alloc_basic(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *tbl = mk_dma(t, 256ULL << 20, 0, 0);
	uint64_t dma, dma2, tce;

	dma = tcesim_iommu_alloc(tbl, HPA_BASE + 0x123, 2, TCESIM_DMA_TO_DEVICE, UINT64_MAX, 0);
	assert_int_not_equal(dma, TCESIM_DMA_MAPPING_ERROR);
	assert_int_equal(dma, 1ULL << 12); /* entry 0 is reserved */
	assert_errno(tcesim_iommu_tce_get(tbl, 1, &tce), 0);
	assert_int_equal(tce, HPA_BASE | TCESIM_TCE_PCI_READ);
	assert_errno(tcesim_iommu_tce_get(tbl, 2, &tce), 0);
	assert_int_equal(tce, (HPA_BASE + 0x1000) | TCESIM_TCE_PCI_READ);
	assert_int_equal(tcesim_iommu_table_in_use(tbl), 1);
	/* small allocations: the hint is rounded up to it_blocksize (16) */
	dma2 = tcesim_iommu_alloc(tbl, HPA_BASE, 1, TCESIM_DMA_TO_DEVICE, UINT64_MAX, 0);
	assert_int_equal(dma2, 16ULL << 12);
	assert_errno(tcesim_iommu_free(tbl, dma, 2), 0);
	assert_errno(tcesim_iommu_free(tbl, dma2, 1), 0);
	assert_int_equal(tcesim_iommu_table_in_use(tbl), 0);
	assert_errno(tcesim_iommu_tce_get(tbl, 1, &tce), 0);
	assert_int_equal(tce, 0);
	put(tbl);
}

static void test_iommu_alloc_bad_args_error(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *tbl = mk_dma(t, 256ULL << 20, 0, 0);
	struct tcesim_iommu_table *raw = mk(t, 0, 12, 1ULL << 20, 1, false);
	uint64_t d = tcesim_iommu_table_digest(tbl);

	assert_int_equal(tcesim_iommu_alloc(tbl, HPA_BASE, 0, TCESIM_DMA_TO_DEVICE, UINT64_MAX, 0),
			 TCESIM_DMA_MAPPING_ERROR);
	assert_int_equal(tcesim_iommu_alloc(tbl, HPA_BASE, 1, (enum tcesim_dma_data_direction)9,
					    UINT64_MAX, 0),
			 TCESIM_DMA_MAPPING_ERROR);
	assert_int_equal(tcesim_iommu_alloc(raw, HPA_BASE, 1, TCESIM_DMA_TO_DEVICE, UINT64_MAX, 0),
			 TCESIM_DMA_MAPPING_ERROR);
	assert_int_equal(tcesim_iommu_table_digest(tbl), d);
	put(tbl);
	put(raw);
}

static void test_iommu_alloc_large_uses_large_pool(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *tbl = mk_dma(t, 1ULL << 30, 0, 0);
	uint64_t dma = tcesim_iommu_alloc(tbl, HPA_BASE, 16, TCESIM_DMA_BIDIRECTIONAL, UINT64_MAX,
					  0);

	assert_int_equal(dma >> 12, tbl->large_pool.start);
	assert_errno(tcesim_iommu_free(tbl, dma, 16), 0);
	dma = tcesim_iommu_alloc(tbl, HPA_BASE, 15, TCESIM_DMA_BIDIRECTIONAL, UINT64_MAX, 0);
	assert_true((dma >> 12) < tbl->large_pool.start);
	assert_errno(tcesim_iommu_free(tbl, dma, 15), 0);
	put(tbl);
}

static void test_iommu_alloc_pool_by_cpu(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *tbl = mk_dma(t, 1ULL << 30, 0, 0);
	uint64_t dma;
	unsigned int cpu;

	/* hash_32(cpu, 2): find a CPU landing in pool 2 */
	for (cpu = 0; cpu < 64; cpu++)
		if (((cpu * 0x61C88647u) >> 30) == 2)
			break;
	tcesim_iommu_set_current_cpu(cpu);
	dma = tcesim_iommu_alloc(tbl, HPA_BASE, 1, TCESIM_DMA_BIDIRECTIONAL, UINT64_MAX, 0);
	tcesim_iommu_set_current_cpu(0);
	assert_int_equal(dma >> 12, tbl->pools[2].start);
	assert_errno(tcesim_iommu_free(tbl, dma, 1), 0);
	put(tbl);
}

static void test_iommu_alloc_dma_mask(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *tbl = mk_dma(t, 1ULL << 30, 0, 0);
	uint64_t dma, mask = (1ULL << 24) - 1;
	unsigned int cpu;

	/* a CPU whose pool lies above the mask: falls back to pool 0 */
	for (cpu = 0; cpu < 64; cpu++)
		if (((cpu * 0x61C88647u) >> 30) == 3)
			break;
	tcesim_iommu_set_current_cpu(cpu);
	dma = tcesim_iommu_alloc(tbl, HPA_BASE, 1, TCESIM_DMA_BIDIRECTIONAL, mask, 0);
	tcesim_iommu_set_current_cpu(0);
	assert_int_not_equal(dma, TCESIM_DMA_MAPPING_ERROR);
	assert_true(dma + 4096 - 1 <= mask);
	assert_errno(tcesim_iommu_free(tbl, dma, 1), 0);
	/* a mask below the first page reaches nothing */
	assert_int_equal(tcesim_iommu_alloc(tbl, HPA_BASE, 1, TCESIM_DMA_BIDIRECTIONAL, 0xfff, 0),
			 TCESIM_DMA_MAPPING_ERROR);
	put(tbl);
}

static void test_iommu_alloc_exhausted_error(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *tbl = mk_dma(t, 2ULL << 20, 0, 0); /* 512 entries */
	uint64_t dma[64], d;
	unsigned int i, n = 0;

	for (i = 0; i < 64; i++) {
		dma[i] = tcesim_iommu_alloc(tbl, HPA_BASE, 8, TCESIM_DMA_TO_DEVICE, UINT64_MAX, 0);
		if (dma[i] == TCESIM_DMA_MAPPING_ERROR)
			break;
		n++;
	}
	assert_true(n >= 60 && n < 64); /* 511 free entries / 8 */
	d = tcesim_iommu_table_digest(tbl);
	assert_int_equal(tcesim_iommu_alloc(tbl, HPA_BASE, 8, TCESIM_DMA_TO_DEVICE, UINT64_MAX, 0),
			 TCESIM_DMA_MAPPING_ERROR);
	assert_int_equal(tcesim_iommu_table_digest(tbl), d);
	for (i = 0; i < n; i++)
		assert_errno(tcesim_iommu_free(tbl, dma[i], 8), 0);
	assert_int_equal(tcesim_iommu_table_in_use(tbl), 0);
	put(tbl);
}

static void test_iommu_alloc_level_fail_nochange(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *tbl = mk_dma(t, 1ULL << 30, 0, 0);
	uint64_t dma, d = tcesim_iommu_table_digest(tbl);
	long start = tcesim_world_live_allocs(t->tw->w);

	tcesim_world_inject_fail_alloc(t->tw->w, 1);
	dma = tcesim_iommu_alloc(tbl, HPA_BASE, 1, TCESIM_DMA_TO_DEVICE, UINT64_MAX, 0);
	tcesim_world_inject_fail_alloc(t->tw->w, 0);
	assert_int_equal(dma, TCESIM_DMA_MAPPING_ERROR);
	assert_int_equal(tcesim_iommu_table_digest(tbl), d);
	assert_int_equal(tcesim_world_live_allocs(t->tw->w), start);
	dma = tcesim_iommu_alloc(tbl, HPA_BASE, 1, TCESIM_DMA_TO_DEVICE, UINT64_MAX, 0);
	assert_int_not_equal(dma, TCESIM_DMA_MAPPING_ERROR);
	assert_errno(tcesim_iommu_free(tbl, dma, 1), 0);
	put(tbl);
}

static void test_iommu_free_invalid_entry_einval(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *tbl = mk_dma(t, 256ULL << 20, 0, 0);
	uint64_t dma = tcesim_iommu_alloc(tbl, HPA_BASE, 1, TCESIM_DMA_TO_DEVICE, UINT64_MAX, 0);
	uint64_t d = tcesim_iommu_table_digest(tbl);

	assert_errno(tcesim_iommu_free(tbl, 256ULL << 20, 1), -EINVAL);
	assert_true(tcesim_world_log_contains(t->tw->w, "iommu_free: invalid entry"));
	assert_errno(tcesim_iommu_free(tbl, dma, 1ULL << 20), -EINVAL);
	assert_int_equal(tcesim_iommu_table_digest(tbl), d);
	assert_errno(tcesim_iommu_free(tbl, dma, 1), 0);
	put(tbl);
}

static void test_iommu_table_in_use_reserved_range(void **state)
{
	struct tt *t = *state;
	/* reserve [1 MiB, 2 MiB) of a 4 MiB window */
	struct tcesim_iommu_table *tbl = mk_dma(t, 4ULL << 20, 256, 512);
	uint64_t dma;
	unsigned int i;

	assert_int_equal(tcesim_iommu_table_in_use(tbl), 0);
	for (i = 0; i < 256; i++)
		assert_true(atomic_load(&tbl->it_map[(256 + i) / 64]) & (1UL << ((256 + i) % 64)));
	dma = tcesim_iommu_alloc(tbl, HPA_BASE, 1, TCESIM_DMA_TO_DEVICE, UINT64_MAX, 0);
	assert_int_equal(tcesim_iommu_table_in_use(tbl), 1);
	assert_errno(tcesim_iommu_free(tbl, dma, 1), 0);
	assert_int_equal(tcesim_iommu_table_in_use(tbl), 0);
	put(tbl);
}

static void test_iommu_take_ownership_busy_nochange(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *tbl = mk_dma(t, 256ULL << 20, 0, 0);
	uint64_t dma = tcesim_iommu_alloc(tbl, HPA_BASE, 1, TCESIM_DMA_TO_DEVICE, UINT64_MAX, 0);
	uint64_t d = tcesim_iommu_table_digest(tbl);

	assert_errno(tcesim_iommu_take_ownership(tbl), -EBUSY);
	assert_true(tcesim_world_log_contains(t->tw->w, "iommu_tce: it_map is not empty"));
	assert_int_equal(tcesim_iommu_table_digest(tbl), d);
	assert_errno(tcesim_iommu_free(tbl, dma, 1), 0);
	put(tbl);
}

static void test_iommu_take_release_ownership(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *tbl = mk_dma(t, 4ULL << 20, 256, 512);
	uint64_t dma;

	assert_errno(tcesim_iommu_take_ownership(tbl), 0);
	assert_int_equal(tcesim_iommu_alloc(tbl, HPA_BASE, 1, TCESIM_DMA_TO_DEVICE, UINT64_MAX, 0),
			 TCESIM_DMA_MAPPING_ERROR);
	assert_errno(tcesim_iommu_release_ownership(tbl), 0);
	assert_int_equal(tcesim_iommu_table_in_use(tbl), 0);
	assert_true(atomic_load(&tbl->it_map[0]) & 1UL); /* entry 0 reserved again */
	assert_true(atomic_load(&tbl->it_map[256 / 64]) & 1UL); /* and the hole */
	dma = tcesim_iommu_alloc(tbl, HPA_BASE, 1, TCESIM_DMA_TO_DEVICE, UINT64_MAX, 0);
	assert_int_not_equal(dma, TCESIM_DMA_MAPPING_ERROR);
	assert_errno(tcesim_iommu_free(tbl, dma, 1), 0);
	put(tbl);
}

static void test_iommu_take_ownership_no_exchange_einval(void **state)
{
	struct tt *t = *state; /* legacy_2015: bare ops have no ->exchange */
	struct tcesim_iommu_table *tbl = mk(t, 0, 12, 1ULL << 30, 1, false);

	assert_errno(tcesim_iommu_init_table(tbl, 0, 0), 0);
	assert_errno(tcesim_iommu_take_ownership(tbl), -EINVAL);
	put(tbl);
}

/* --------------------------------------------------- pre-2015 lock path -- */

static void test_iommu_tce_build_valid_entry_ebusy(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *tbl = mk(t, 0, 12, 1ULL << 30, 2, false);
	uint64_t old = 1, d;

	assert_errno(tcesim_iommu_tce_build(tbl, 3, HPA_BASE, TCESIM_DMA_TO_DEVICE), 0);
	d = tcesim_iommu_table_digest(tbl);
	assert_errno(tcesim_iommu_tce_build(tbl, 3, HPA_BASE + 4096, TCESIM_DMA_TO_DEVICE),
		     -EBUSY);
	assert_errno(tcesim_iommu_tce_build(tbl, 3, HPA_BASE + 1, TCESIM_DMA_TO_DEVICE), -EINVAL);
	assert_errno(tcesim_iommu_tce_build(tbl, 3, HPA_BASE, TCESIM_DMA_NONE), -EINVAL);
	assert_errno(tcesim_iommu_tce_build(tbl, 1ULL << 40, HPA_BASE, TCESIM_DMA_TO_DEVICE),
		     -EINVAL);
	assert_int_equal(tcesim_iommu_table_digest(tbl), d);
	assert_errno(tcesim_iommu_clear_tce(tbl, 3, &old), 0);
	assert_int_equal(old, HPA_BASE | TCESIM_TCE_PCI_READ);
	assert_errno(tcesim_iommu_clear_tce(tbl, 3, &old), 0);
	assert_int_equal(old, 0);
	assert_errno(tcesim_iommu_tce_build(tbl, 3, HPA_BASE + 4096, TCESIM_DMA_TO_DEVICE), 0);
	assert_errno(tcesim_iommu_clear_tce(tbl, 1ULL << 40, &old), -EINVAL);
	assert_errno(tcesim_iommu_clear_tce(tbl, 3, NULL), 0);
	put(tbl);
}

static void test_iommu_tce_check_ioba(void **state)
{
	(void)state;
	assert_errno(tcesim_iommu_tce_check_ioba(12, 16, 32, 16 << 12, 1), 0);
	assert_errno(tcesim_iommu_tce_check_ioba(12, 16, 32, (16 << 12) + 8, 1), -EINVAL);
	assert_errno(tcesim_iommu_tce_check_ioba(12, 16, 32, 15 << 12, 1), -EINVAL);
	assert_errno(tcesim_iommu_tce_check_ioba(12, 16, 32, 48 << 12, 1), -EINVAL);
	/* the overflow-validation fix: the whole range must fit (asm/iommu.h) */
	assert_errno(tcesim_iommu_tce_check_ioba(12, 16, 32, 47 << 12, 1), 0);
	assert_errno(tcesim_iommu_tce_check_ioba(12, 16, 32, 47 << 12, 2), -EINVAL);
	assert_errno(tcesim_iommu_tce_check_ioba(12, 16, 32, 40 << 12, 8), 0);
	assert_errno(tcesim_iommu_tce_check_ioba(12, 16, 32, 40 << 12, 9), -EINVAL);
	assert_errno(tcesim_iommu_tce_check_ioba(12, 16, 32, 16 << 12, 100), -EINVAL);
	assert_errno(tcesim_iommu_tce_check_ioba(12, 0, ~0UL, 1ULL << 12, ~0UL), -EINVAL); /* wraps */
	/* before the fix (Q2): npages is ignored, only the first page checked */
	assert_errno(tcesim_iommu_tce_check_ioba_prefix(12, 16, 32, 47 << 12, 100), 0);
	assert_errno(tcesim_iommu_tce_check_ioba_prefix(12, 16, 32, 48 << 12, 1), -EINVAL);
	assert_errno(tcesim_iommu_tce_check_ioba_prefix(12, 16, 32, (16 << 12) + 8, 1), -EINVAL);
	assert_errno(tcesim_iommu_tce_check_ioba_prefix(12, 16, 32, 15 << 12, 1), -EINVAL);
	assert_errno(tcesim_iommu_tce_check_gpa(16, 0x10000), 0);
	assert_errno(tcesim_iommu_tce_check_gpa(16, 0x11000), -EINVAL);
}

/* ------------------------------------------- randomized vs shadow map -- */

#define RAND_OPS	100000
#define RAND_CLUSTERS	16
#define RAND_SPAN	2048

static void test_tce_xchg_random_vs_shadow(void **state)
{
	struct tt *t = *state;
	/* 2^48 window of 4K pages in 4 levels of 512 entries: depth forced */
	struct tcesim_iommu_table *tbl = mk(t, 0, 12, 1ULL << 48, 4, false);
	uint64_t *shadow = calloc(RAND_CLUSTERS * RAND_SPAN, sizeof(uint64_t));
	uint64_t base[RAND_CLUSTERS];
	struct test_prng rng = { test_seed() ^ 0x7ab1e };
	unsigned int i, c;
	long op;

	assert_non_null(shadow);
	for (c = 0; c < RAND_CLUSTERS; c++)
		base[c] = test_prng_below(&rng, (1ULL << 36) - RAND_SPAN);
	for (op = 0; op < RAND_OPS; op++) {
		unsigned int k = (unsigned int)test_prng_below(&rng, RAND_CLUSTERS * RAND_SPAN);
		uint64_t entry = base[k / RAND_SPAN] + k % RAND_SPAN;
		enum tcesim_dma_data_direction dir =
			(enum tcesim_dma_data_direction)test_prng_below(&rng, 4);
		uint64_t hpa = (1 + test_prng_below(&rng, 1 << 20)) << 12, want_old, tce;
		enum tcesim_dma_data_direction old_dir = dir;
		uint64_t in_hpa = dir == TCESIM_DMA_NONE ? 0 : hpa;

		want_old = shadow[k];
		hpa = in_hpa;
		assert_errno(xchg(tbl, entry, &hpa, &old_dir), 0);
		if (hpa != (want_old & ~3ULL))
			fail_msg("op %ld entry 0x%" PRIx64 ": old hpa 0x%" PRIx64
				 " want 0x%" PRIx64, op, entry, hpa, (uint64_t)(want_old & ~3ULL));
		if (!want_old)
			assert_int_equal(old_dir, TCESIM_DMA_NONE);
		else if ((want_old & 3) == 3)
			assert_int_equal(old_dir, TCESIM_DMA_BIDIRECTIONAL);
		else
			assert_int_equal(old_dir, TCESIM_DMA_TO_DEVICE);
		if (dir == TCESIM_DMA_NONE)
			shadow[k] = 0;
		else
			shadow[k] = in_hpa | (dir == TCESIM_DMA_TO_DEVICE ? 1 : 3);
		if ((op & 1023) == 0) {
			assert_errno(tcesim_iommu_tce_get(tbl, entry, &tce), 0);
			assert_int_equal(tce, shadow[k]);
		}
	}
	for (i = 0; i < RAND_CLUSTERS * RAND_SPAN; i++) {
		uint64_t tce;

		assert_errno(tcesim_iommu_tce_get(tbl, base[i / RAND_SPAN] + i % RAND_SPAN, &tce),
			     0);
		assert_int_equal(tce, shadow[i]);
	}
	/* leaves per cluster: at most ceil(2048/512)+1, plus upper levels */
	assert_true(info_of(tbl).levels_allocated <= 1 + RAND_CLUSTERS * (3 + 5));
	free(shadow);
	put(tbl);
}

/* ------------------------------------------- the inline fast path -- */

/* The table forms used by the inline exchange equal the switch forms. */
static void test_tce_perm_tables_match_switch(void **state)
{
	unsigned int d;
	uint64_t v;

	(void)state;
	for (d = 0; d <= TCESIM_DMA_NONE; d++) {
		enum tcesim_dma_data_direction dir = (enum tcesim_dma_data_direction)d;

		assert_int_equal(tce_perm_pnv(dir), tce_proto(dir, true));
		assert_int_equal(tce_proto(dir, false), tcesim_direction_to_tce_perm(dir));
	}
	for (v = 0; v < 16; v++) {
		uint64_t tce = (v << 60) | (0x12345ULL << 12) | (v & 3);

		assert_int_equal(tce_perm_to_dir(tce), tcesim_tce_direction(tce));
		/* the fast path's dirty test: W set <=> FROM_DEVICE or BIDIRECTIONAL */
		assert_int_equal(!!(tce & TCESIM_TCE_PCI_WRITE),
				 tcesim_tce_direction(tce) == TCESIM_DMA_FROM_DEVICE ||
					 tcesim_tce_direction(tce) == TCESIM_DMA_BIDIRECTIONAL);
	}
}

/* Which tables the wrapper may exchange inline, and the cache-line layout. */
static void test_table_direct_xchg_and_layout(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *one = mk(t, 0, 12, 1ULL << 31, 1, false);
	struct tcesim_iommu_table *two = mk(t, 0, 12, 1ULL << 31, 2, false);
	uintptr_t lines[TCESIM_IOMMU_NR_POOLS + 2];
	unsigned int i, j;

	assert_true(one->it_xchg_direct);
	assert_true(two->it_xchg_direct);
	assert_true(one->it_ops->xchg_no_kill == tce_xchg_pnv);
	assert_int_equal((uintptr_t)one % TCESIM_CACHELINE, 0);
	/* every pool lock on its own line, none on the fast path's line */
	for (i = 0; i < TCESIM_IOMMU_NR_POOLS; i++)
		lines[i] = (uintptr_t)&one->pools[i].lock / TCESIM_CACHELINE;
	lines[i++] = (uintptr_t)&one->large_pool.lock / TCESIM_CACHELINE;
	lines[i++] = (uintptr_t)&one->it_kref / TCESIM_CACHELINE;
	for (i = 0; i < TCESIM_ARRAY_SIZE(lines); i++) {
		assert_int_not_equal(lines[i], (uintptr_t)&one->it_base / TCESIM_CACHELINE);
		assert_int_not_equal(lines[i], (uintptr_t)&one->it_xchg_direct / TCESIM_CACHELINE);
		for (j = 0; j < i; j++)
			assert_int_not_equal(lines[i], lines[j]);
	}
	assert_int_equal((uintptr_t)&one->it_kills / TCESIM_CACHELINE,
			 (uintptr_t)&one->it_kref / TCESIM_CACHELINE);
	put(one);
	put(two);
}

#define DIRECT_OPS	20000
#define DIRECT_PAGES	64

/* pnv_tce_xchg, but not tce_xchg_pnv: the wrapper must call it through it_ops. */
static int other_xchg(struct tcesim_iommu_table *tbl, long index, uint64_t *hpa,
		      enum tcesim_dma_data_direction *dir)
{
	return tce_xchg_slot(tbl, index, hpa, dir, true);
}

static void other_free(struct tcesim_iommu_table *tbl)
{
	tce_free_levels(tbl);
}

static const struct tcesim_iommu_table_ops other_ops = {
	.xchg_no_kill = other_xchg,
	.clear = tce_free_range,
	.get = tce_get,
	.free = other_free,
};

/*
 * The same random exchanges on a one-level table through the wrapper (inline
 * pnv_tce_xchg), on a one-level table through it_ops->xchg_no_kill (the op
 * itself), on a two-level table through the wrapper (inline, walked) and on
 * a two-level table whose op is not tce_xchg_pnv (the wrapper's it_ops
 * call): identical old values, directions and returns; the wrapper dirties
 * the old page iff its direction was FROM_DEVICE or BIDIRECTIONAL.
 */
static void test_tce_xchg_direct_matches_ops_random(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *a = mk(t, 1ULL << 31, 12, 1ULL << 31, 1, false);
	struct tcesim_iommu_table *b = mk(t, 1ULL << 31, 12, 1ULL << 31, 1, false);
	struct tcesim_iommu_table *c = mk(t, 1ULL << 31, 12, 1ULL << 31, 2, false);
	struct tcesim_iommu_table *o = NULL;
	struct test_prng rng = { test_seed() ^ 0xd1ec7 };
	uint64_t off = (1ULL << 31) >> 12, size = info_of(a).it_size;
	struct tcesim_page_info pi;
	unsigned int k;
	long op;

	assert_errno(tce_table_create(t->tw->w, 1ULL << 31, 12, 1ULL << 31, 2, false, &other_ops,
				      &o),
		     0);
	assert_true(a->it_xchg_direct);
	assert_true(c->it_xchg_direct);
	assert_false(o->it_xchg_direct);
	for (op = 0; op < DIRECT_OPS; op++) {
		/* a few hot entries (overwrites), including the first and last */
		uint64_t e = off + (op & 1 ? test_prng_below(&rng, 8) * 511 :
				    (test_prng_below(&rng, 2) ? size - 1 : 0));
		enum tcesim_dma_data_direction d0 =
			(enum tcesim_dma_data_direction)test_prng_below(&rng, 4);
		uint64_t h0 = d0 == TCESIM_DMA_NONE ? 0 :
			      HPA_BASE + (test_prng_below(&rng, DIRECT_PAGES) << 12);
		enum tcesim_dma_data_direction da = d0, db = d0, dc = d0, dd = d0;
		uint64_t ha = h0, hb = h0, hc = h0, hd = h0;
		bool want_dirty;

		assert_errno(b->it_ops->xchg_no_kill(b, (long)e, &hb, &db), 0);
		want_dirty = db == TCESIM_DMA_FROM_DEVICE || db == TCESIM_DMA_BIDIRECTIONAL;
		if (hb)
			tcesim_clear_page_dirty(t->tw->w, hb);
		assert_errno(xchg(a, e, &ha, &da), 0);
		assert_int_equal(ha, hb);
		assert_int_equal(da, db);
		if (hb) {
			assert_errno(tcesim_page_query(t->tw->w, hb, &pi), 0);
			assert_int_equal(pi.dirty, want_dirty);
			tcesim_clear_page_dirty(t->tw->w, hb);
		}
		assert_errno(xchg(c, e, &hc, &dc), 0);
		assert_int_equal(hc, hb);
		assert_int_equal(dc, db);
		if (hb) {
			assert_errno(tcesim_page_query(t->tw->w, hb, &pi), 0);
			assert_int_equal(pi.dirty, want_dirty);
			tcesim_clear_page_dirty(t->tw->w, hb);
		}
		assert_errno(xchg(o, e, &hd, &dd), 0);
		assert_int_equal(hd, hb);
		assert_int_equal(dd, db);
		if (hb) {
			assert_errno(tcesim_page_query(t->tw->w, hb, &pi), 0);
			assert_int_equal(pi.dirty, want_dirty);
		}
	}
	assert_int_equal(tcesim_iommu_table_digest(c), tcesim_iommu_table_digest(o));
	assert_int_equal(tcesim_iommu_table_digest(a), tcesim_iommu_table_digest(b));
	/* errors of the inline path: as before, nothing changed */
	{
		enum tcesim_dma_data_direction dir = TCESIM_DMA_TO_DEVICE;
		uint64_t hpa = HPA_BASE, d = state_digest(t, a);

		assert_errno(xchg(a, off - 1, &hpa, &dir), -EINVAL);
		assert_errno(xchg(a, off + size, &hpa, &dir), -EINVAL);
		assert_errno(xchg(a, 0, &hpa, &dir), -EINVAL);
		hpa = HPA_BASE + 8;
		assert_errno(xchg(a, off, &hpa, &dir), -EINVAL);
		hpa = HPA_BASE;
		dir = (enum tcesim_dma_data_direction)(TCESIM_DMA_NONE + 1);
		assert_errno(xchg(a, off, &hpa, &dir), -EINVAL);
		dir = TCESIM_DMA_TO_DEVICE;
		assert_errno(xchg(a, off, NULL, &dir), -EINVAL);
		assert_errno(xchg(a, off, &hpa, NULL), -EINVAL);
		assert_int_equal(state_digest(t, a), d);
	}
	assert_errno(tcesim_iommu_tce_clear(a, off, size), 0);
	assert_errno(tcesim_iommu_tce_clear(b, off, size), 0);
	assert_errno(tcesim_iommu_tce_clear(c, off, size), 0);
	assert_errno(tcesim_iommu_tce_clear(o, off, size), 0);
	for (k = 0; k < DIRECT_PAGES; k++)
		tcesim_clear_page_dirty(t->tw->w, HPA_BASE + ((uint64_t)k << 12));
	put(a);
	put(b);
	put(c);
	put(o);
}

/* ------------------------------------- DMA-API allocator vs shadow map -- */

#define ALLOC_OPS	20000
#define ALLOC_LIVE	256

static void test_iommu_alloc_random_vs_shadow(void **state)
{
	struct tt *t = *state;
	/* 1 GiB of 4K pages (4 pools), MMIO hole reserved at [768M, 1G) */
	uint64_t size = 1ULL << 18, rs = (768ULL << 20) >> 12;
	struct tcesim_iommu_table *tbl = mk_dma(t, 1ULL << 30, rs, size);
	struct { uint64_t dma; unsigned long npages; } live[ALLOC_LIVE] = { { 0, 0 } };
	unsigned char *owner = calloc(size, 1);
	struct test_prng rng = { test_seed() ^ 0xa110c };
	const uint64_t masks[] = { UINT64_MAX, (1ULL << 32) - 1, (1ULL << 28) - 1 };
	unsigned long fails = 0;
	long op;
	unsigned int i;

	assert_non_null(owner);
	for (op = 0; op < ALLOC_OPS; op++) {
		unsigned int k = (unsigned int)test_prng_below(&rng, ALLOC_LIVE);

		if (live[k].npages) {
			uint64_t e = live[k].dma >> 12;

			assert_errno(tcesim_iommu_free(tbl, live[k].dma, live[k].npages), 0);
			memset(owner + e, 0, live[k].npages);
			live[k].npages = 0;
		} else {
			unsigned long npages = 1 + (unsigned long)test_prng_below(&rng, 40);
			uint64_t mask = masks[test_prng_below(&rng, 3)], dma, e;

			tcesim_iommu_set_current_cpu((unsigned int)test_prng_below(&rng, 8));
			dma = tcesim_iommu_alloc(tbl, HPA_BASE, npages, TCESIM_DMA_TO_DEVICE, mask,
						 0);
			if (dma == TCESIM_DMA_MAPPING_ERROR) {
				fails++;
				continue;
			}
			e = dma >> 12;
			/* never entry 0, never the hole, under the mask, not in use */
			assert_true(e > 0 && e + npages <= rs);
			assert_true(dma + (npages << 12) - 1 <= mask);
			for (i = 0; i < npages; i++)
				if (owner[e + i])
					fail_msg("op %ld: entry 0x%" PRIx64 " handed out twice", op,
						 e + i);
			memset(owner + e, 1, npages);
			live[k].dma = dma;
			live[k].npages = npages;
		}
	}
	tcesim_iommu_set_current_cpu(0);
	assert_true(fails < ALLOC_OPS / 100);
	for (i = 0; i < ALLOC_LIVE; i++)
		if (live[i].npages)
			assert_errno(tcesim_iommu_free(tbl, live[i].dma, live[i].npages), 0);
	assert_int_equal(tcesim_iommu_table_in_use(tbl), 0);
	free(owner);
	put(tbl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_table_alloc_pages_bad_levels_einval, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_table_alloc_pages_not_pow2_einval, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_table_alloc_pages_too_deep_einval, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_table_alloc_pages_legacy_multilevel_einval,
						setup_legacy, teardown),
		cmocka_unit_test_setup_teardown(test_table_alloc_pages_geometry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_alloc_pages_fail_nth_no_leak, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_get_table_size_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tce_xchg_levels_on_demand, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tce_xchg_none_missing_level_no_alloc, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tce_xchg_write_implies_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tce_xchg_bad_args_einval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tce_xchg_level_alloc_fail_enomem_nochange,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_tce_install_race_loser_frees, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_get_put_kref, setup, teardown),
		cmocka_unit_test_setup_teardown(test_useraddr_set_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iommu_init_table_pools, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iommu_init_table_enomem_nochange, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_iommu_alloc_basic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iommu_alloc_bad_args_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iommu_alloc_large_uses_large_pool, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_iommu_alloc_pool_by_cpu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iommu_alloc_dma_mask, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iommu_alloc_exhausted_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iommu_alloc_level_fail_nochange, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_iommu_free_invalid_entry_einval, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_iommu_table_in_use_reserved_range, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_iommu_take_ownership_busy_nochange, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_iommu_take_release_ownership, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iommu_take_ownership_no_exchange_einval,
						setup_legacy, teardown),
		cmocka_unit_test_setup_teardown(test_iommu_tce_build_valid_entry_ebusy, setup,
						teardown),
		cmocka_unit_test(test_iommu_tce_check_ioba),
		cmocka_unit_test_setup_teardown(test_tce_xchg_random_vs_shadow, setup, teardown),
		cmocka_unit_test(test_tce_perm_tables_match_switch),
		cmocka_unit_test_setup_teardown(test_table_direct_xchg_and_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tce_xchg_direct_matches_ops_random, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_iommu_alloc_random_vs_shadow, setup, teardown),
	};

	test_seed();
	return cmocka_run_group_tests_name("table", tests, NULL, NULL);
}
