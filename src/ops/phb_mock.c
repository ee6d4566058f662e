// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * phb_mock.c - test-only PHB variant: records calls, fails on demand.
 *
 * See phb_mock.h. Like generic_pt's fmt/iommu_mock.c and libvfio-user's
 * tran_pipe_ops: a thin variant over the real storage, so a test can check
 * that the phb.c wrappers validate before calling an op, call it once, and
 * return exactly what the op returned. Compiled into tests only (object
 * library tcesim_phb_mock); phb.c refers to phb_mock_ops weakly.
 *
 * State: a pointer to the test's struct phb_mock per thread. Tests drive
 * the mock from one thread; the pointer is reset by the fixture.
 */
#include "ops/phb_mock.h"

static _Thread_local struct phb_mock *phb_mock_cur;

void phb_mock_install(struct phb_mock *m)
{
	phb_mock_cur = m;
}

/* Counts a call; returns the armed failure (consumed) or 0. */
static int mock_call(enum phb_mock_op op)
{
	struct phb_mock *m = phb_mock_cur;
	int ret;

	if (!m)
		return 0;
	m->calls[op]++;
	ret = m->fail[op];
	m->fail[op] = 0;
	return ret;
}

static void mock_args(long index, unsigned long npages)
{
	if (phb_mock_cur) {
		phb_mock_cur->last_index = index;
		phb_mock_cur->last_npages = npages;
	}
}

/* ------------------------------------------------------- table ops --- */

static int mock_set(struct tcesim_iommu_table *tbl, long index, long npages, uint64_t hpa,
		    enum tcesim_dma_data_direction dir)
{
	int ret = mock_call(PHB_MOCK_SET);

	mock_args(index, (unsigned long)npages);
	if (ret)
		return ret;
	ret = tce_build(tbl, index, npages, hpa, dir, true);
	if (!ret)
		phb_tce_invalidate(tbl, (unsigned long)index, (unsigned long)npages);
	return ret;
}

static int mock_xchg_no_kill(struct tcesim_iommu_table *tbl, long index, uint64_t *hpa,
			     enum tcesim_dma_data_direction *dir)
{
	int ret = mock_call(PHB_MOCK_XCHG_NO_KILL);

	mock_args(index, 1);
	if (ret)
		return ret;
	return tce_xchg_slot(tbl, index, hpa, dir, true);
}

static void mock_tce_kill(struct tcesim_iommu_table *tbl, unsigned long index,
			  unsigned long npages)
{
	mock_call(PHB_MOCK_TCE_KILL);
	mock_args((long)index, npages);
	phb_tce_invalidate(tbl, index, npages);
}

static void mock_clear(struct tcesim_iommu_table *tbl, long index, long npages)
{
	mock_call(PHB_MOCK_CLEAR);
	mock_args(index, (unsigned long)npages);
	tce_free_range(tbl, index, npages);
	phb_tce_invalidate(tbl, (unsigned long)index, (unsigned long)npages);
}

static uint64_t mock_get(struct tcesim_iommu_table *tbl, long index)
{
	mock_call(PHB_MOCK_GET);
	return tce_get(tbl, index);
}

static const struct tcesim_iommu_table_ops mock_table_ops = {
	.set = mock_set,
	.xchg_no_kill = mock_xchg_no_kill,
	.tce_kill = mock_tce_kill,
	.clear = mock_clear,
	.get = mock_get,
	.free = tce_free_levels,
};

/* A platform from before seed 000: no exchange at all. */
static const struct tcesim_iommu_table_ops mock_table_ops_pre2015 = {
	.set = mock_set,
	.clear = mock_clear,
	.get = mock_get,
	.free = tce_free_levels,
};

/* ------------------------------------------------------ hardware ----- */

static void mock_kill_pages(struct tcesim_pe *pe, struct tcesim_iommu_table *tbl,
			    unsigned long index, unsigned long npages)
{
	(void)tbl;
	mock_call(PHB_MOCK_KILL_PAGES);
	atomic_fetch_add_explicit(&pe->phb->kill_reg_writes, 1, memory_order_relaxed);
	phb_cache_evict_range(pe->phb, pe->pe_number, index, npages);
}

static void mock_kill_pe(struct tcesim_pe *pe)
{
	mock_call(PHB_MOCK_KILL_PE);
	atomic_fetch_add_explicit(&pe->phb->kill_reg_writes, 1, memory_order_relaxed);
	phb_cache_evict_pe(pe->phb, pe->pe_number);
}

/* ------------------------------------------------------- group ops --- */

static unsigned long mock_get_table_size(struct tcesim_pe *pe, unsigned int page_shift,
					 uint64_t window_size, unsigned int levels)
{
	return spapr_tce_group_ops.get_table_size(pe, page_shift, window_size, levels);
}

static void mock_num(unsigned int num)
{
	if (phb_mock_cur)
		phb_mock_cur->last_num = num;
}

static int mock_create_table(struct tcesim_pe *pe, unsigned int num, unsigned int page_shift,
			     uint64_t window_size, unsigned int levels, bool alloc_userspace_copy,
			     struct tcesim_iommu_table **out)
{
	int ret = mock_call(PHB_MOCK_CREATE_TABLE);

	mock_num(num);
	if (ret)
		return ret;
	return spapr_tce_group_ops.create_table(pe, num, page_shift, window_size, levels,
						alloc_userspace_copy, out);
}

static int mock_set_window(struct tcesim_pe *pe, unsigned int num, struct tcesim_iommu_table *tbl)
{
	int ret = mock_call(PHB_MOCK_SET_WINDOW);

	mock_num(num);
	return ret ? ret : spapr_tce_group_ops.set_window(pe, num, tbl);
}

static int mock_unset_window(struct tcesim_pe *pe, unsigned int num)
{
	int ret = mock_call(PHB_MOCK_UNSET_WINDOW);

	mock_num(num);
	return ret ? ret : spapr_tce_group_ops.unset_window(pe, num);
}

static int mock_take_ownership(struct tcesim_pe *pe)
{
	int ret = mock_call(PHB_MOCK_TAKE_OWNERSHIP);

	return ret ? ret : spapr_tce_group_ops.take_ownership(pe);
}

static int mock_release_ownership(struct tcesim_pe *pe)
{
	int ret = mock_call(PHB_MOCK_RELEASE_OWNERSHIP);

	return ret ? ret : spapr_tce_group_ops.release_ownership(pe);
}

static const struct tcesim_pe_group_ops mock_group_ops = {
	.get_table_size = mock_get_table_size,
	.create_table = mock_create_table,
	.set_window = mock_set_window,
	.unset_window = mock_unset_window,
	.take_ownership = mock_take_ownership,
	.release_ownership = mock_release_ownership,
};

const struct tcesim_phb_ops phb_mock_ops = {
	.name = "mock",
	.table_ops = &mock_table_ops,
	.table_ops_2015 = &mock_table_ops_pre2015,
	.group_ops = &mock_group_ops,
	.group_ops_2015 = &mock_group_ops,
	.kill_pages = mock_kill_pages,
	.kill_pe = mock_kill_pe,
	.default_pgsizes = TCESIM_PGSIZE_4K,
	.allowed_pgsizes = TCESIM_PGSIZE_4K,
	.iommu_page_shift = 12,
	.max_levels = 1,
	.max_windows = 0,
	.has_bypass = false,
};
