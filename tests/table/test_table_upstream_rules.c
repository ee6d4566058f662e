// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_table_upstream_rules.c - the DMA-API allocator, the range checks and
 * table ownership against upstream's own code on absurd inputs, public API
 * only (fidelity audit of src/table and src/ops). Each test names the
 * upstream function whose rule it checks:
 *  - arch/powerpc/kernel/iommu.c: iommu_map_page() / ppc_iommu_map_sg()
 *    (BUG_ON(direction == DMA_NONE)), iommu_range_alloc() (align_mask,
 *    the mask branch), iommu_alloc() / __iommu_free() (unsigned int
 *    npages), iommu_free_check() (its message), iommu_table_reserve_pages()
 *    (WARN_ON_ONCE(res_end < res_start)), iommu_table_free() (its
 *    pr_warn), iommu_tce_check_ioba() / iommu_tce_check_gpa() (page shifts
 *    of 64 and more);
 *  - arch/powerpc/platforms/powernv/pci-ioda.c: pnv_ioda2_take_ownership()
 *    (no it_map check).
 */
#include "tcesim_test.h"
#include "fx_table.h"

#include <limits.h>
#include <tcesim/phb.h>
#include <tcesim/table.h>

#define HPA 0x10000000ULL

static int setup(void **state)
{
	fx_table_setup(state, TCESIM_FLAVOUR_MODERN);
	tcesim_iommu_set_current_cpu(0);
	return 0;
}

/* fx_table_setup() with quirks=upstream */
static int setup_upstream(void **state)
{
	struct tt *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	tcesim_world_cfg_init(&t->cfg);
	t->cfg.quirks = TCESIM_QUIRKS_UPSTREAM;
	t->tw = test_world_new(&t->cfg);
	(void)tcesim_mem_digest(t->tw->w);
	t->tw->allocs_at_start = tcesim_world_live_allocs(t->tw->w);
	tcesim_iommu_set_current_cpu(0);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	return fx_table_teardown(state);
}

/* For tests with a PHB: its ops state stays until the world goes. */
static int teardown_phb(void **state)
{
	struct tt *t = *state;

	tcesim_rcu_barrier();
	test_world_free(t->tw);
	free(t);
	return 0;
}

/* A 4K-page 2-level table of @ws bytes at @bus, DMA allocator set up. */
static struct tcesim_iommu_table *mk_dma(struct tt *t, uint64_t bus, uint64_t ws)
{
	struct tcesim_iommu_table *tbl = NULL;

	assert_errno(tcesim_pnv_pci_ioda2_table_alloc_pages(t->tw->w, bus, 12, ws, 2, false,
							    &tbl),
		     0);
	assert_errno(tcesim_iommu_init_table(tbl, 0, 0), 0);
	return tbl;
}

/* The last put, with the RCU callback run. */
static void put(struct tcesim_iommu_table *tbl)
{
	assert_int_equal(tcesim_iommu_tce_table_put(tbl), 1);
	tcesim_rcu_barrier();
}

/*
 * iommu_map_page() / ppc_iommu_map_sg(): BUG_ON(direction == DMA_NONE)
 * before anything is allocated. The model used to map DMA_NONE (TCEs with
 * neither R nor W, bitmap bits set).
 */
static void test_alloc_dma_none_refused(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *tbl = mk_dma(t, 0, 4ULL << 20);
	uint64_t d = tcesim_iommu_table_digest(tbl);

	assert_int_equal(tcesim_iommu_alloc(tbl, HPA, 1, TCESIM_DMA_NONE, UINT64_MAX, 0),
			 TCESIM_DMA_MAPPING_ERROR);
	assert_true(tcesim_world_log_contains(t->tw->w, "direction == DMA_NONE"));
	assert_int_equal(tcesim_iommu_alloc_seg(tbl, HPA, 20, TCESIM_DMA_NONE, UINT64_MAX, 0,
						0xffffffffULL),
			 TCESIM_DMA_MAPPING_ERROR);
	assert_int_equal(tcesim_iommu_table_digest(tbl), d);
	assert_int_equal(tcesim_iommu_map_weight(tbl, 0, 1024), 1); /* entry 0 only */
	assert_int_equal(tcesim_iommu_table_in_use(tbl), 0);
	put(tbl);
}

/*
 * iommu_range_alloc(): align_mask = (1ull << align_order) - 1, undefined
 * from 64 on; tcesim refuses. Below 64 an order above the table leaves
 * index 0 as the only aligned candidate, as upstream's
 * bitmap_find_next_zero_area() rounds every other index past the limit.
 */
static void test_alloc_align_order_absurd(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *tbl = mk_dma(t, 0, 4ULL << 20), *hi;
	uint64_t d = tcesim_iommu_table_digest(tbl), dma;
	unsigned int order;

	for (order = 64; order < 300; order += 59) {
		assert_int_equal(tcesim_iommu_alloc(tbl, HPA, 1, TCESIM_DMA_TO_DEVICE,
						    UINT64_MAX, order),
				 TCESIM_DMA_MAPPING_ERROR);
		assert_int_equal(tcesim_iommu_table_digest(tbl), d);
	}
	assert_true(tcesim_world_log_contains(t->tw->w, "align_order"));
	/* order 40 at bus 0: index 0 is the reserved entry, nothing else aligns */
	assert_int_equal(tcesim_iommu_alloc(tbl, HPA, 1, TCESIM_DMA_TO_DEVICE, UINT64_MAX, 40),
			 TCESIM_DMA_MAPPING_ERROR);
	assert_int_equal(tcesim_iommu_table_digest(tbl), d);
	/* a window at 1 GiB: index 0 is free and aligned to anything */
	hi = mk_dma(t, 1ULL << 30, 4ULL << 20);
	dma = tcesim_iommu_alloc(hi, HPA, 1, TCESIM_DMA_TO_DEVICE, UINT64_MAX, 63);
	assert_int_equal(dma, 1ULL << 30);
	assert_int_equal(tcesim_iommu_alloc(hi, HPA, 1, TCESIM_DMA_TO_DEVICE, UINT64_MAX, 63),
			 TCESIM_DMA_MAPPING_ERROR);
	assert_errno(tcesim_iommu_free(hi, dma, 1), 0);
	put(hi);
	put(tbl);
}

/*
 * iommu_alloc(..., unsigned int npages, ...) and __iommu_free(..., unsigned
 * int npages): a count of 2^32 pages or more is truncated on the way in.
 * quirks=upstream: 2^32 + 2 maps (and frees) 2 pages, 2^32 is npages 0
 * (the WARN). The model used to refuse 2^32 + 2 (more than the segment).
 */
static void test_npages_uint_truncation_upstream(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *tbl = mk_dma(t, 0, 4ULL << 20);
	unsigned long big = (1UL << 32) + 2;
	uint64_t dma, d = tcesim_iommu_table_digest(tbl), tce;

	dma = tcesim_iommu_alloc(tbl, HPA, big, TCESIM_DMA_BIDIRECTIONAL, UINT64_MAX, 0);
	assert_int_not_equal(dma, TCESIM_DMA_MAPPING_ERROR);
	assert_int_equal(tcesim_iommu_map_weight(tbl, 0, 1024), 1 + 2);
	assert_errno(tcesim_iommu_tce_get(tbl, (dma >> 12) + 1, &tce), 0);
	assert_int_equal(tce, (HPA + 0x1000) | 3);
	assert_errno(tcesim_iommu_tce_get(tbl, (dma >> 12) + 2, &tce), 0);
	assert_int_equal(tce, 0);
	/* __iommu_free() truncates the same way */
	assert_errno(tcesim_iommu_free(tbl, dma, big), 0);
	assert_int_equal(tcesim_iommu_map_weight(tbl, 0, 1024), 1);
	assert_int_equal(tcesim_iommu_table_in_use(tbl), 0);
	/* 2^32 -> 0: iommu_range_alloc()'s npages == 0 WARN */
	assert_int_equal(tcesim_iommu_alloc(tbl, HPA, 1UL << 32, TCESIM_DMA_BIDIRECTIONAL,
					    UINT64_MAX, 0),
			 TCESIM_DMA_MAPPING_ERROR);
	assert_true(tcesim_world_log_contains(t->tw->w, "npages == 0"));
	(void)d;
	put(tbl);
}

/* quirks=safe: the same counts are refused, with a message, nothing changed. */
static void test_npages_uint_refused_safe(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *tbl = mk_dma(t, 0, 4ULL << 20);
	unsigned long big = (1UL << 32) + 2;
	uint64_t dma, d = tcesim_iommu_table_digest(tbl);

	assert_int_equal(tcesim_iommu_alloc(tbl, HPA, big, TCESIM_DMA_BIDIRECTIONAL,
					    UINT64_MAX, 0),
			 TCESIM_DMA_MAPPING_ERROR);
	assert_true(tcesim_world_log_contains(t->tw->w, "does not fit upstream's unsigned int"));
	assert_int_equal(tcesim_iommu_table_digest(tbl), d);
	dma = tcesim_iommu_alloc(tbl, HPA, 2, TCESIM_DMA_BIDIRECTIONAL, UINT64_MAX, 0);
	assert_int_not_equal(dma, TCESIM_DMA_MAPPING_ERROR);
	d = tcesim_iommu_table_digest(tbl);
	assert_errno(tcesim_iommu_free(tbl, dma, big), -EINVAL);
	assert_int_equal(tcesim_iommu_table_digest(tbl), d);
	assert_errno(tcesim_iommu_free(tbl, dma, 2), 0);
	put(tbl);
}

/*
 * iommu_free_check(): the lines it prints for an entry outside the table
 * (entry, dma_addr, Table, bus#, size, startOff, index) then WARN_ON(1).
 * The model printed npages instead of the table's geometry.
 */
static void test_free_invalid_entry_message(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *tbl = mk_dma(t, 1ULL << 30, 4ULL << 20); /* it_offset 0x40000 */
	uint64_t d = tcesim_iommu_table_digest(tbl);

	/* below it_offset */
	assert_errno(tcesim_iommu_free(tbl, 0x1000, 1), -EINVAL);
	assert_true(tcesim_world_log_contains(t->tw->w, "iommu_free: invalid entry"));
	assert_true(tcesim_world_log_contains(t->tw->w, "\tsize      = 0x400"));
	assert_true(tcesim_world_log_contains(t->tw->w, "\tstartOff  = 0x40000"));
	assert_true(tcesim_world_log_contains(t->tw->w, "\tbus#      = 0x0"));
	assert_true(tcesim_world_log_contains(t->tw->w, "\tindex     = 0x0"));
	/* running past the end: free_entry + npages > it_size */
	assert_errno(tcesim_iommu_free(tbl, (1ULL << 30) + (1023ULL << 12), 2), -EINVAL);
	assert_int_equal(tcesim_iommu_table_digest(tbl), d);
	/* the last entry alone is in the table: cleared, as upstream (never allocated) */
	assert_errno(tcesim_iommu_free(tbl, (1ULL << 30) + (1023ULL << 12), 1), 0);
	put(tbl);
}

/*
 * iommu_table_reserve_pages(): WARN_ON_ONCE(res_end < res_start), then the
 * empty-range path (it_reserved_start = it_reserved_end = it_offset). The
 * model reserved nothing silently.
 */
static void test_reserve_pages_end_below_start_warns(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *tbl = NULL;
	struct tcesim_iommu_alloc_state st;

	assert_errno(tcesim_pnv_pci_ioda2_table_alloc_pages(t->tw->w, 0, 12, 4ULL << 20, 2, false,
							    &tbl),
		     0);
	assert_errno(tcesim_iommu_init_table(tbl, 100, 50), 0);
	assert_true(tcesim_world_log_contains(t->tw->w,
					      "iommu_table_reserve_pages: res_end 0x32 < res_start 0x64"));
	assert_errno(tcesim_iommu_get_alloc_state(tbl, &st), 0);
	assert_int_equal(st.it_reserved_start, 0);
	assert_int_equal(st.it_reserved_end, 0);
	assert_int_equal(tcesim_iommu_map_weight(tbl, 0, 1024), 1); /* entry 0 */
	put(tbl);
}

/* iommu_table_free(): pr_warn("%s: Unexpected TCEs\n", __func__). */
static void test_table_free_unexpected_tces_message(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *tbl = mk_dma(t, 0, 4ULL << 20);

	assert_int_not_equal(tcesim_iommu_alloc(tbl, HPA, 1, TCESIM_DMA_TO_DEVICE, UINT64_MAX, 0),
			     TCESIM_DMA_MAPPING_ERROR);
	put(tbl);
	assert_true(tcesim_world_log_contains(t->tw->w, "iommu_table_free: Unexpected TCEs"));
}

/*
 * iommu_tce_check_ioba() / iommu_tce_check_gpa(): (1UL << page_shift) - 1
 * is undefined from 64 on; no IOMMU page is that large: -EINVAL. The model
 * shifted by 64 too (on x86 a shift by 0: page 1 byte, everything valid).
 */
static void test_check_ioba_gpa_page_shift_64(void **state)
{
	(void)state;
	assert_errno(tcesim_iommu_tce_check_gpa(64, 0x1000), -EINVAL);
	assert_errno(tcesim_iommu_tce_check_gpa(200, 0), -EINVAL);
	assert_errno(tcesim_iommu_tce_check_ioba(64, 0, 0x2000, 0x1000, 1), -EINVAL);
	assert_errno(tcesim_iommu_tce_check_ioba_prefix(64, 0, 0x2000, 0x1000, 1), -EINVAL);
	/* the largest defined shift still works as upstream */
	assert_errno(tcesim_iommu_tce_check_gpa(63, 1ULL << 63), 0);
	assert_errno(tcesim_iommu_tce_check_gpa(63, 1), -EINVAL);
	assert_errno(tcesim_iommu_tce_check_ioba(63, 0, 2, 1ULL << 63, 1), 0);
	assert_errno(tcesim_iommu_tce_check_ioba(63, 0, 1, 1ULL << 63, 1), -EINVAL);
}

/* An IODA2 PHB with one PE and device, in @t's world. */
struct ioda2 {
	struct tcesim_phb *phb;
	struct tcesim_pe *pe;
	struct tcesim_pci_dev *dev;
};

static void mk_ioda2(struct tt *t, struct ioda2 *o)
{
	struct tcesim_phb_cfg pcfg;

	tcesim_phb_cfg_init(&pcfg, TCESIM_PHB_IODA2);
	assert_errno(tcesim_phb_create(t->tw->w, &pcfg, &o->phb), 0);
	assert_errno(tcesim_pe_create(o->phb, NULL, &o->pe), 0);
	assert_errno(tcesim_pci_dev_create(o->pe, "d0", 64, &o->dev), 0);
}

static void rm_ioda2(struct ioda2 *o)
{
	tcesim_phb_destroy(o->phb);
	tcesim_rcu_barrier();
}

/*
 * pnv_ioda2_take_ownership() never looks at it_map: with a live kernel DMA
 * mapping (no driver bound) the take goes on, window 0 goes and the table's
 * last put warns. quirks=upstream reproduces it; the model answered -EBUSY
 * in both modes (safe keeps it: tests/ops test_pe_take_ownership_dma_mapped_ebusy).
 */
static void test_ioda2_take_ownership_ignores_it_map_upstream(void **state)
{
	struct tt *t = *state;
	struct tcesim_pe_info pi;
	struct ioda2 o;
	uint64_t dma;

	mk_ioda2(t, &o);
	dma = tcesim_pe_dma_map(o.pe, o.dev, HPA, 1, TCESIM_DMA_TO_DEVICE);
	assert_int_not_equal(dma, TCESIM_DMA_MAPPING_ERROR);
	assert_errno(tcesim_pe_take_ownership(o.pe), 0);
	tcesim_rcu_barrier();
	assert_false(tcesim_world_log_contains(t->tw->w, "it_map is not empty"));
	assert_true(tcesim_world_log_contains(t->tw->w, "iommu_table_free: Unexpected TCEs"));
	assert_errno(tcesim_pe_get_info(o.pe, &pi), 0);
	assert_true(pi.owned);
	/* the kernel's bus address dangles: no window 0 */
	assert_errno(tcesim_pe_dma_unmap(o.pe, dma, 1), -EINVAL);
	assert_errno(tcesim_pe_release_ownership(o.pe), 0);
	/* through the DMA-owner claim as well (VFIO's path) */
	dma = tcesim_pe_dma_map(o.pe, o.dev, HPA, 1, TCESIM_DMA_TO_DEVICE);
	assert_int_not_equal(dma, TCESIM_DMA_MAPPING_ERROR);
	assert_errno(tcesim_pe_claim_dma_owner(o.pe, &o), 0);
	tcesim_pe_release_dma_owner(o.pe);
	rm_ioda2(&o);
}

/*
 * iommu_map_page(): dma_handle |= uaddr & ~IOMMU_PAGE_MASK(tbl): the bus
 * address keeps the buffer's offset in its IOMMU page. The model returned
 * the page's bus address.
 */
static void test_pe_dma_map_keeps_page_offset(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *tbl;
	struct tcesim_iommu_table_info ti;
	struct ioda2 o;
	uint64_t dma, tce;

	mk_ioda2(t, &o);
	assert_errno(tcesim_pe_get_table(o.pe, 0, &tbl), 0);
	assert_errno(tcesim_iommu_table_get_info(tbl, &ti), 0);
	assert_int_equal(ti.it_page_shift, 12); /* the default window: 4K pages */
	dma = tcesim_pe_dma_map(o.pe, o.dev, HPA + 0x123, 1, TCESIM_DMA_TO_DEVICE);
	assert_int_not_equal(dma, TCESIM_DMA_MAPPING_ERROR);
	assert_int_equal(dma & 0xfff, 0x123);
	assert_errno(tcesim_iommu_tce_get(tbl, dma >> 12, &tce), 0);
	assert_int_equal(tce, HPA | 1); /* the TCE maps the page (iommu_alloc) */
	assert_errno(tcesim_pe_dma_unmap(o.pe, dma, 1), 0);
	assert_int_equal(tcesim_iommu_table_in_use(tbl), 0);
	tcesim_iommu_tce_table_put(tbl);
	rm_ioda2(&o);
}

/*
 * iommu_range_alloc(): a DMA mask below the window's first entry makes
 * upstream's limit (mask - it_offset + 1) wrap and the search run past
 * it_map; tcesim refuses with a message, nothing changed (documented
 * quirk). The model refused silently before: the message is new.
 */
static void test_alloc_mask_below_window(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *tbl = mk_dma(t, 1ULL << 32, 4ULL << 20);
	uint64_t d = tcesim_iommu_table_digest(tbl);

	assert_int_equal(tcesim_iommu_alloc(tbl, HPA, 1, TCESIM_DMA_TO_DEVICE, 0xffffffffULL, 0),
			 TCESIM_DMA_MAPPING_ERROR);
	assert_true(tcesim_world_log_contains(t->tw->w, "below the window"));
	assert_int_equal(tcesim_iommu_table_digest(tbl), d);
	/* the mask reaching the first entry only: limit 1, "not the last of the limit" */
	assert_int_equal(tcesim_iommu_alloc(tbl, HPA, 1, TCESIM_DMA_TO_DEVICE,
					    (1ULL << 32) + 0xfff, 0),
			 TCESIM_DMA_MAPPING_ERROR);
	assert_int_equal(tcesim_iommu_table_digest(tbl), d);
	put(tbl);
}

/*
 * it_ops->set with npages 0: pnv_tce_build() loops zero times and returns
 * 0 (iommu_alloc() never gets there, the npages == 0 WARN comes first).
 * The model's tcesim_iommu_tce_set() answered -EINVAL.
 */
static void test_tce_set_npages_zero(void **state)
{
	struct tt *t = *state;
	struct tcesim_iommu_table *tbl = mk_dma(t, 0, 4ULL << 20);
	uint64_t d = tcesim_iommu_table_digest(tbl);

	assert_errno(tcesim_iommu_tce_set(tbl, 5, 0, HPA, TCESIM_DMA_TO_DEVICE), 0);
	assert_errno(tcesim_iommu_tce_set(tbl, 1024, 0, HPA, TCESIM_DMA_TO_DEVICE), 0);
	assert_int_equal(tcesim_iommu_table_digest(tbl), d);
	/* still refused: past the end, DMA_NONE, unaligned */
	assert_errno(tcesim_iommu_tce_set(tbl, 1025, 0, HPA, TCESIM_DMA_TO_DEVICE), -EINVAL);
	assert_errno(tcesim_iommu_tce_set(tbl, 5, 1, HPA, TCESIM_DMA_NONE), -EINVAL);
	assert_errno(tcesim_iommu_tce_set(tbl, 5, 1, HPA + 1, TCESIM_DMA_TO_DEVICE), -EINVAL);
	put(tbl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_alloc_dma_none_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_align_order_absurd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_npages_uint_truncation_upstream,
						setup_upstream, teardown),
		cmocka_unit_test_setup_teardown(test_npages_uint_refused_safe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_invalid_entry_message, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reserve_pages_end_below_start_warns, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_table_free_unexpected_tces_message, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_check_ioba_gpa_page_shift_64, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ioda2_take_ownership_ignores_it_map_upstream,
						setup_upstream, teardown_phb),
		cmocka_unit_test_setup_teardown(test_pe_dma_map_keeps_page_offset, setup,
						teardown_phb),
		cmocka_unit_test_setup_teardown(test_alloc_mask_below_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tce_set_npages_zero, setup, teardown),
	};

	test_seed();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
