// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_fidelity.c - TCE storage and table geometry against upstream's own
 * code (issue 8, points 3 and 4), public API only:
 *  - pnv_tce_free()'s skip over a missing level (quirks=safe: exact,
 *    quirks=upstream: "i |= it_level_size - 1" on the loop counter);
 *  - the raw big-endian slots and the per-level allocation queries;
 *  - pnv_pci_ioda2_get_table_size() without create's checks;
 *  - level blocks limited by MAX_PAGE_ORDER;
 *  - windows smaller than one IOMMU page.
 * Upstream: arch/powerpc/platforms/powernv/pci-ioda-tce.c (pnv_tce,
 * pnv_tce_free, pnv_alloc_tce_level, pnv_pci_ioda2_table_alloc_pages),
 * arch/powerpc/platforms/powernv/pci-ioda.c (pnv_pci_ioda2_get_table_size),
 * arch/powerpc/Kconfig (ARCH_FORCE_MAX_ORDER).
 */
#include "tcesim_test.h"

#define HPA 0x10000000ULL
#define RW TCESIM_DMA_BIDIRECTIONAL

struct ft {
	struct test_world *tw;
	struct tcesim_world *w;
};

static struct ft *ft_new(enum tcesim_quirks q, unsigned int host_page_shift)
{
	struct ft *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	t->tw = test_world_new_of(TCESIM_FLAVOUR_MODERN, q, host_page_shift);
	t->w = t->tw->w;
	return t;
}

/* every allocation given back, no page pinned */
static void ft_free(struct ft *t)
{
	test_world_free_balanced(t->tw);
	free(t);
}

static struct tcesim_iommu_table *mk(struct ft *t, unsigned int ps, uint64_t ws,
				     unsigned int levels, bool user)
{
	struct tcesim_iommu_table *tbl = NULL;

	assert_errno(tcesim_pnv_pci_ioda2_table_alloc_pages(t->w, 0, ps, ws, levels, user, &tbl),
		     0);
	return tbl;
}

static void put(struct tcesim_iommu_table *tbl)
{
	assert_int_equal(tcesim_iommu_tce_table_put(tbl), 1);
}

static void set_tce(struct tcesim_iommu_table *tbl, uint64_t entry, uint64_t hpa)
{
	enum tcesim_dma_data_direction dir = RW;

	assert_errno(tcesim_iommu_tce_xchg_no_kill(NULL, tbl, entry, &hpa, &dir), 0);
}

/* The 8 bytes a big-endian store of @v leaves in memory, most significant first. */
static void be_bytes(uint64_t v, uint8_t out[8])
{
	int i;

	for (i = 0; i < 8; i++)
		out[i] = (uint8_t)(v >> (56 - 8 * i));
}

static void assert_slot_bytes(struct tcesim_iommu_table *tbl, bool user, uint64_t entry,
			      uint64_t value)
{
	uint8_t want[8];
	uint64_t raw = 1;

	be_bytes(value, want);
	assert_errno(tcesim_pnv_tce_raw(tbl, user, entry, &raw), 0);
	assert_memory_equal(&raw, want, 8);
}

/* ------------------------------------------------- 3a: pnv_tce_free -- */

/*
 * A 2-level table with 512-entry leaf blocks (1 GiB at 4K pages: 2^18
 * entries, level_shift (18 + 1) / 2 + 3 = 12). Leaf block 0 (entries
 * 0..511) missing, block 1 (512..1023) fully mapped. Free [500, 1100).
 */
static struct tcesim_iommu_table *free_case(struct ft *t)
{
	struct tcesim_iommu_table *tbl = mk(t, 12, 1ULL << 30, 2, false);
	uint64_t e;

	for (e = 512; e < 1024; e++)
		set_tce(tbl, e, HPA + (e << 12));
	assert_int_equal(tcesim_pnv_tce_level_allocated(tbl, false, 100, 0), 0);
	assert_int_equal(tcesim_pnv_tce_level_allocated(tbl, false, 600, 0), 1);
	assert_errno(tcesim_iommu_tce_clear(tbl, 500, 600), 0);
	return tbl;
}

static void test_free_skip_safe_exact(void **state)
{
	struct ft *t = ft_new(TCESIM_QUIRKS_SAFE, 12);
	struct tcesim_iommu_table *tbl = free_case(t);
	uint64_t e, tce;

	(void)state;
	/* quirks=safe: the skip ends at entry 511, every entry of block 1 freed */
	for (e = 512; e < 1024; e++) {
		assert_errno(tcesim_iommu_tce_get(tbl, e, &tce), 0);
		assert_int_equal(tce, e < 1100 ? 0 : (HPA + (e << 12)) | 3);
	}
	put(tbl);
	ft_free(t);
}

static void test_free_skip_upstream_counter(void **state)
{
	struct ft *t = ft_new(TCESIM_QUIRKS_UPSTREAM, 12);
	struct tcesim_iommu_table *tbl = free_case(t);
	uint64_t e;

	(void)state;
	/*
	 * pnv_tce_free(): i = 0 (entry 500) finds no leaf, i |= 511 gives 511,
	 * i++ gives 512 = entry 1012. Entries 512..1011 keep their TCEs
	 * (upstream's bug); 1012..1099 are freed, 1100.. were never in range.
	 */
	for (e = 512; e < 1024; e++) {
		uint64_t want = (e >= 1012 && e < 1100) ? 0 : (HPA + (e << 12)) | 3;

		assert_slot_bytes(tbl, false, e, want);
	}
	/* a level-aligned start skips exactly the missing block either way */
	assert_errno(tcesim_iommu_tce_clear(tbl, 0, 1024), 0);
	for (e = 512; e < 1024; e++)
		assert_slot_bytes(tbl, false, e, 0);
	put(tbl);
	ft_free(t);
}

/* ------------------------------------ 3b: raw slots, level queries ---- */

static void test_raw_slots_and_levels(void **state)
{
	struct ft *t = ft_new(TCESIM_QUIRKS_SAFE, 12);
	/* 2^39 at 4K, 3 levels: 2^27 entries, level_shift 9 + 3, 512 per block */
	struct tcesim_iommu_table *tbl = mk(t, 12, 1ULL << 39, 3, true);
	struct tcesim_iommu_table_info info;
	const uint64_t e1 = 5, e2 = 512 * 512 * 3 + 7;
	uint64_t raw = 1;
	long sum;
	unsigned int l;

	(void)state;
	/* only the top blocks exist */
	assert_int_equal(tcesim_pnv_tce_level_blocks(tbl, false, 2), 1);
	assert_int_equal(tcesim_pnv_tce_level_blocks(tbl, false, 1), 0);
	assert_int_equal(tcesim_pnv_tce_level_blocks(tbl, true, 2), 1);
	assert_int_equal(tcesim_pnv_tce_level_allocated(tbl, false, e1, 2), 1);
	assert_int_equal(tcesim_pnv_tce_level_allocated(tbl, false, e1, 0), 0);
	assert_errno(tcesim_pnv_tce_raw(tbl, false, e1, &raw), -ENOENT);
	assert_int_equal(raw, 0);

	set_tce(tbl, e1, HPA);
	set_tce(tbl, e2, HPA + 0x7000);
	assert_errno(tcesim_iommu_useraddr_set(tbl, e2, 0x7fff12345000ULL), 0);
	/* byte for byte: TCE_PCI_READ | TCE_PCI_WRITE in the last byte */
	assert_slot_bytes(tbl, false, e1, HPA | 3);
	assert_slot_bytes(tbl, false, e2, (HPA + 0x7000) | 3);
	assert_slot_bytes(tbl, false, e1 + 1, 0);
	assert_slot_bytes(tbl, true, e2, 0x7fff12345000ULL);
	{
		const uint8_t want[8] = { 0, 0, 0, 0, 0x10, 0, 0x70, 0x03 };

		assert_errno(tcesim_pnv_tce_raw(tbl, false, e2, &raw), 0);
		assert_memory_equal(&raw, want, 8);
	}
	/* e1 and e2 are under different middle blocks: 2 of level 1, 2 leaves */
	assert_int_equal(tcesim_pnv_tce_level_blocks(tbl, false, 1), 2);
	assert_int_equal(tcesim_pnv_tce_level_blocks(tbl, false, 0), 2);
	assert_int_equal(tcesim_pnv_tce_level_blocks(tbl, true, 0), 1);
	assert_int_equal(tcesim_pnv_tce_level_allocated(tbl, false, 512 * 512, 1), 0);
	assert_int_equal(tcesim_pnv_tce_level_allocated(tbl, true, e1, 0), 0);
	assert_int_equal(tcesim_pnv_tce_level_allocated(tbl, true, e2, 0), 1);
	assert_errno(tcesim_iommu_table_get_info(tbl, &info), 0);
	for (sum = 0, l = 0; l < 3; l++)
		sum += tcesim_pnv_tce_level_blocks(tbl, false, l);
	assert_int_equal(sum, info.levels_allocated);
	for (sum = 0, l = 0; l < 3; l++)
		sum += tcesim_pnv_tce_level_blocks(tbl, true, l);
	assert_int_equal(sum, info.user_levels_allocated);
	/* bad arguments */
	assert_errno(tcesim_pnv_tce_raw(tbl, false, 1ULL << 27, &raw), -EINVAL);
	assert_errno(tcesim_pnv_tce_raw(tbl, false, e1, NULL), -EINVAL);
	assert_errno(tcesim_pnv_tce_raw(NULL, false, e1, &raw), -EINVAL);
	assert_int_equal(tcesim_pnv_tce_level_allocated(tbl, false, e1, 3), -EINVAL);
	assert_int_equal(tcesim_pnv_tce_level_blocks(tbl, false, 3), -EINVAL);
	assert_errno(tcesim_iommu_tce_clear(tbl, 0, 1ULL << 27), 0);
	put(tbl);

	/* no shadow: the user view is refused */
	tbl = mk(t, 12, 1ULL << 30, 1, false);
	assert_errno(tcesim_pnv_tce_raw(tbl, true, 0, &raw), -EINVAL);
	assert_int_equal(tcesim_pnv_tce_level_blocks(tbl, true, 0), -EINVAL);
	assert_int_equal(tcesim_pnv_tce_level_blocks(tbl, false, 0), 1);
	assert_slot_bytes(tbl, false, 0, 0); /* 1 level: every slot exists */
	put(tbl);
	ft_free(t);
}

/* ---------------------------------------- 4a: get_table_size ---------- */

static void test_get_table_size_no_checks(void **state)
{
	struct ft *t = ft_new(TCESIM_QUIRKS_SAFE, 12), *t64 = ft_new(TCESIM_QUIRKS_SAFE, 16);
	struct tcesim_iommu_table *tbl = NULL;

	(void)state;
	/*
	 * pnv_pci_ioda2_get_table_size(12, 4 KiB, 5), by hand: entries_shift
	 * 12 - 12 = 0, tce_table_size max(0x1000, 1 << 3) = 0x1000; per level
	 * entries_shift (0 + 4) / 5 = 0, table_shift max(3, PAGE_SHIFT 12):
	 * direct 0x1000. Each of 5 levels adds ALIGN(0x1000, 0x1000) and the
	 * next is max((0x1000 / 0x1000) << 3, 0x1000) = 0x1000: 5 * 0x1000,
	 * doubled for the userspace copy = 0xa000.
	 */
	assert_int_equal(tcesim_pnv_pci_ioda2_get_table_size(t->w, 12, 0x1000, 5), 0xa000);
	/* ... although create refuses it: (12 - 3) * 5 + 12 = 57 >= 55 */
	assert_errno(tcesim_pnv_pci_ioda2_table_alloc_pages(t->w, 0, 12, 0x1000, 5, true, &tbl),
		     -EINVAL);
	/* 64K host pages: direct 0x10000 per level, 5 * 0x10000 * 2 */
	assert_int_equal(tcesim_pnv_pci_ioda2_get_table_size(t64->w, 12, 0x1000, 5), 0xa0000);
	/* no page-size check: page_shift 13, 1 MiB: 0x1000 + copy */
	assert_int_equal(tcesim_pnv_pci_ioda2_get_table_size(t->w, 13, 1ULL << 20, 1), 0x2000);
	/* sub-page window: entries_shift wraps to 2^32 - 3, table_shift to 0 */
	assert_int_equal(tcesim_pnv_pci_ioda2_get_table_size(t->w, 12, 0x200, 1), 0x2000);
	/* 16 GiB, 1 level: 2^22 entries * 8 = 32 MiB, doubled (create: -ENOMEM) */
	assert_int_equal(tcesim_pnv_pci_ioda2_get_table_size(t->w, 12, 16ULL << 30, 1),
			 64UL << 20);
	/* what upstream checks */
	assert_int_equal(tcesim_pnv_pci_ioda2_get_table_size(t->w, 12, 0x1000, 0), 0);
	assert_int_equal(tcesim_pnv_pci_ioda2_get_table_size(t->w, 12, 0x1000, 6), 0);
	assert_int_equal(tcesim_pnv_pci_ioda2_get_table_size(t->w, 12, 0x3000, 1), 0);
	assert_int_equal(tcesim_pnv_pci_ioda2_get_table_size(t->w, 12, 0, 1), 0);
	/* a shift by 2^32 - 1 (undefined upstream): 0 */
	assert_int_equal(tcesim_pnv_pci_ioda2_get_table_size(t->w, 12, 0x100, 1), 0);
	ft_free(t64);
	ft_free(t);
}

/* ------------------------------------------ 4b: MAX_PAGE_ORDER -------- */

static void test_max_page_order_default_and_limit(void **state)
{
	struct ft *t = ft_new(TCESIM_QUIRKS_SAFE, 12), *t64 = ft_new(TCESIM_QUIRKS_SAFE, 16);
	struct tcesim_iommu_table *tbl = NULL;
	struct tcesim_world_cfg cfg;
	struct tcesim_world *w2 = NULL;
	long live = tcesim_world_live_allocs(t->w);

	(void)state;
	/* ppc64 ARCH_FORCE_MAX_ORDER defaults: 12 (4K pages), 8 (64K): 16 MiB */
	assert_int_equal(tcesim_world_max_page_order(t->w), 12);
	assert_int_equal(tcesim_world_max_page_order(t64->w), 8);
	assert_int_equal(tcesim_world_cfg(t->w)->max_page_order, 12);
	/* 16 GiB at 4K pages, 1 level: one 32 MiB block, order 13 > 12 */
	assert_errno(tcesim_pnv_pci_ioda2_table_alloc_pages(t->w, 0, 12, 16ULL << 30, 1, false,
							    &tbl),
		     -ENOMEM);
	assert_true(tcesim_world_log_contains(t->w, "Failed to allocate a TCE memory, "
						    "level shift=25"));
	assert_int_equal(tcesim_world_live_allocs(t->w), live);
	/* 64K host pages: the same 32 MiB block is order 9 > 8 */
	assert_errno(tcesim_pnv_pci_ioda2_table_alloc_pages(t64->w, 0, 12, 16ULL << 30, 1, false,
							    &tbl),
		     -ENOMEM);
	/* 8 GiB: 16 MiB, order 12, fits; 16 GiB at 2 levels: 16 KiB blocks */
	tbl = mk(t, 12, 8ULL << 30, 1, false);
	put(tbl);
	tbl = mk(t, 12, 16ULL << 30, 2, true);
	put(tbl);
	/* the setter: order 13 admits the 32 MiB block */
	assert_int_equal(tcesim_world_set_max_page_order(t->w, 13), 0);
	assert_int_equal(tcesim_world_max_page_order(t->w), 13);
	tbl = mk(t, 12, 16ULL << 30, 1, false);
	put(tbl);
	assert_int_equal(tcesim_world_set_max_page_order(t->w, TCESIM_MAX_PAGE_ORDER_DEFAULT), 0);
	assert_int_equal(tcesim_world_max_page_order(t->w), 12);
	assert_int_equal(tcesim_world_set_max_page_order(t->w, -2), -EINVAL);
	assert_int_equal(tcesim_world_set_max_page_order(t->w, TCESIM_MAX_PAGE_ORDER_LIMIT + 1),
			 -EINVAL);
	assert_int_equal(tcesim_world_set_max_page_order(NULL, 12), -EINVAL);
	assert_int_equal(tcesim_world_max_page_order(t->w), 12);
	tcesim_world_cfg_init(&cfg);
	cfg.max_page_order = 41;
	assert_int_equal(tcesim_world_create(&cfg, &w2), -EINVAL);
	ft_free(t64);
	ft_free(t);
}

static void test_max_page_order_on_demand_level(void **state)
{
	struct ft *t = ft_new(TCESIM_QUIRKS_SAFE, 12);
	/* 2^40 at 4K, 2 levels: 2^28 entries, level_shift 14 + 3: 128 KiB, order 5 */
	struct tcesim_iommu_table *tbl = mk(t, 12, 1ULL << 40, 2, false);
	enum tcesim_dma_data_direction dir = RW;
	uint64_t hpa = HPA, d = tcesim_iommu_table_digest(tbl);

	(void)state;
	assert_int_equal(tcesim_world_set_max_page_order(t->w, 4), 0);
	assert_errno(tcesim_iommu_tce_xchg_no_kill(NULL, tbl, 3, &hpa, &dir), -ENOMEM);
	assert_int_equal(tcesim_iommu_table_digest(tbl), d);
	assert_int_equal(tcesim_pnv_tce_level_blocks(tbl, false, 0), 0);
	assert_int_equal(tcesim_world_set_max_page_order(t->w, 5), 0);
	assert_errno(tcesim_iommu_tce_xchg_no_kill(NULL, tbl, 3, &hpa, &dir), 0);
	assert_int_equal(tcesim_pnv_tce_level_blocks(tbl, false, 0), 1);
	put(tbl);
	ft_free(t);
}

/* ------------------------------------------ 4c: sub-page windows ------ */

static void test_sub_page_window(void **state)
{
	struct ft *t = ft_new(TCESIM_QUIRKS_SAFE, 12), *t64 = ft_new(TCESIM_QUIRKS_SAFE, 16);
	struct tcesim_iommu_table_info info;
	struct tcesim_iommu_table *tbl = NULL;
	uint64_t tce;
	unsigned int levels;

	(void)state;
	/*
	 * 0x200 bytes at 4K pages: entries_shift 9 - 12 wraps to 2^32 - 3, so
	 * table_shift = max(0, PAGE_SHIFT) and it_size = 4096 / 8 = 512.
	 */
	tbl = mk(t, 12, 0x200, 1, false);
	assert_errno(tcesim_iommu_table_get_info(tbl, &info), 0);
	assert_int_equal(info.it_size, 512);
	assert_int_equal(info.it_level_size, 512);
	set_tce(tbl, 511, HPA); /* far past the window's 0x200 bytes, as upstream */
	assert_errno(tcesim_iommu_tce_get(tbl, 511, &tce), 0);
	assert_int_equal(tce, HPA | 3);
	assert_errno(tcesim_iommu_tce_clear(tbl, 511, 1), 0);
	put(tbl);
	/* 64K host pages: 65536 / 8 entries */
	tbl = mk(t64, 12, 0x200, 1, true);
	assert_errno(tcesim_iommu_table_get_info(tbl, &info), 0);
	assert_int_equal(info.it_size, 8192);
	put(tbl);
	/*
	 * More levels follow the wrapped arithmetic: (2^32 - 3 + levels - 1) /
	 * levels is 2^31 - 1 at 2 levels and 0x55555555 at 3 (then (level_shift
	 * - 3) * levels + 12 >= 55: -EINVAL); at 4 the sum wraps to 0, so
	 * level_shift = PAGE_SHIFT and 9 * 4 + 12 = 48 passes; at 5 it is 1 / 5
	 * = 0 again but 9 * 5 + 12 = 57 does not.
	 */
	for (levels = 2; levels <= 5; levels++) {
		int ret = tcesim_pnv_pci_ioda2_table_alloc_pages(t->w, 0, 12, 0x200, levels, false,
								 &tbl);

		assert_errno(ret, levels == 4 ? 0 : -EINVAL);
		if (!ret) {
			assert_errno(tcesim_iommu_table_get_info(tbl, &info), 0);
			assert_int_equal(info.it_size, 512);
			assert_int_equal(info.it_level_size, 512);
			put(tbl);
		}
	}
	/* 0x800 at 2 levels: (2^32 - 1 + 1) / 2 = 0 wraps back: accepted */
	tbl = mk(t, 12, 0x800, 2, false);
	assert_errno(tcesim_iommu_table_get_info(tbl, &info), 0);
	assert_int_equal(info.it_size, 512);
	assert_int_equal(info.levels, 2);
	put(tbl);
	/* below 1/8 page upstream shifts by 2^32 - 1: refused */
	assert_errno(tcesim_pnv_pci_ioda2_table_alloc_pages(t->w, 0, 12, 0x100, 1, false, &tbl),
		     -EINVAL);
	ft_free(t64);
	ft_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_free_skip_safe_exact),
		cmocka_unit_test(test_free_skip_upstream_counter),
		cmocka_unit_test(test_raw_slots_and_levels),
		cmocka_unit_test(test_get_table_size_no_checks),
		cmocka_unit_test(test_max_page_order_default_and_limit),
		cmocka_unit_test(test_max_page_order_on_demand_level),
		cmocka_unit_test(test_sub_page_window),
	};

	tcesim_thread_enter();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
