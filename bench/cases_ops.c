// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * cases_ops.c - tcesim-bench cases of the TCE fast path: one map plus one
 * unmap of a TCE, ns per TCE (per thread).
 *
 *  tce_map_unmap/P/raw_xchg  baseline: the same two atomic exchanges with
 *                            byte swap (htobe64) on a bare _Atomic uint64_t
 *                            array - the physical limit
 *  tce_map_unmap/P/xchg      tcesim_iommu_tce_xchg_no_kill() map, then unmap
 *                            (DMA_NONE): argument checks, pnv_tce_xchg (inline
 *                            for a one-level pnv table, it_xchg_direct),
 *                            old-direction decode, the dirty test
 *  tce_lock_vs_xchg/P/xchg   the same, as the baseline of:
 *  tce_lock_vs_xchg/P/lock   the pre-2015 path: tcesim_iommu_tce_build() +
 *                            tcesim_iommu_clear_tce(), each under the
 *                            entry's pool spinlock (get, test, set/clear)
 *
 * P (param): "disjoint": thread t works in pool t of its own table region
 * (the pools of a >= 1 GiB window: 4); "shared": every thread works in
 * pool 0. Either way each thread has its own 8 entries, each on its own
 * cache line, so the only shared line is the pool lock in "shared".
 *
 * The table is a bare storage table (pnv_pci_ioda2_table_alloc_pages ops,
 * one level, 2 GiB of 4K pages, iommu_init_table'd for the pools): no PHB,
 * so no kill is measured; direction to_device, so no page is dirtied. A
 * two-case split is needed because a variant has one baseline.
 */
#include <endian.h>
#include <stdlib.h>

#include "bench.h"
#include "table/table_internal.h"
#include <tcesim/tcesim.h>

#define WINDOW		(2ULL << 30)
#define PAGE_SHIFT	12
#define NR_ENT		(WINDOW >> PAGE_SHIFT)
#define PER_THREAD	8	/* entries per thread, one cache line apart */
#define LINE_ENTRIES	8	/* 64-byte line / 8-byte TCE */
#define MAX_THREADS	4
#define HPA_BASE	0x200000000ULL

struct ops_bench {
	struct tcesim_world *w;
	struct tcesim_iommu_table *tbl;
	_Atomic uint64_t *raw;		/* baseline storage, NR_ENT slots */
	uint64_t base[MAX_THREADS];	/* first entry of each thread */
	_Alignas(64) _Atomic uint64_t sink; /* keeps results alive */
};

static bool shared_param(const struct bench_env *env)
{
	return env->param && !strcmp(env->param, "shared");
}

static void *ops_setup(const struct bench_env *env)
{
	struct ops_bench *b = aligned_alloc(64, sizeof(*b));
	struct tcesim_world_cfg cfg;
	unsigned long poolsize;
	unsigned int t;

	if (!b || env->threads > MAX_THREADS) {
		free(b);
		return NULL;
	}
	memset(b, 0, sizeof(*b));
	tcesim_world_cfg_init(&cfg);
	if (tcesim_world_create(&cfg, &b->w))
		goto out_free;
	if (tcesim_pnv_pci_ioda2_table_alloc_pages(b->w, 0, PAGE_SHIFT, WINDOW, 1, false,
						   &b->tbl))
		goto out_world;
	if (tcesim_iommu_init_table(b->tbl, 0, 0) || b->tbl->nr_pools < MAX_THREADS)
		goto out_table;
	b->raw = aligned_alloc(64, NR_ENT * sizeof(*b->raw));
	if (!b->raw)
		goto out_table;
	memset((void *)b->raw, 0, NR_ENT * sizeof(*b->raw));
	poolsize = b->tbl->poolsize;
	for (t = 0; t < MAX_THREADS; t++) {
		/* skip entry 0 (reserved), stay inside the pool */
		if (shared_param(env))
			b->base[t] = LINE_ENTRIES + (uint64_t)t * PER_THREAD * LINE_ENTRIES;
		else
			b->base[t] = (uint64_t)t * poolsize + LINE_ENTRIES;
	}
	return b;

out_table:
	tcesim_iommu_tce_table_put(b->tbl);
out_world:
	tcesim_rcu_barrier();
	tcesim_world_destroy(b->w);
out_free:
	free(b);
	return NULL;
}

static void ops_teardown(void *state)
{
	struct ops_bench *b = state;

	free((void *)b->raw);
	tcesim_iommu_tce_table_put(b->tbl);
	tcesim_rcu_barrier();
	tcesim_world_destroy(b->w);
	free(b);
}

static inline uint64_t entry_of(const struct ops_bench *b, unsigned int tid, uint64_t i)
{
	return b->base[tid] + (i % PER_THREAD) * LINE_ENTRIES;
}

static void raw_run(void *state, unsigned int tid, uint64_t iters)
{
	struct ops_bench *b = state;
	uint64_t i, acc = 0;

	for (i = 0; i < iters; i++) {
		_Atomic uint64_t *slot = &b->raw[entry_of(b, tid, i)];
		uint64_t hpa = HPA_BASE + (i << PAGE_SHIFT);
		uint64_t old;

		old = be64toh(atomic_exchange(slot, htobe64(hpa | TCESIM_TCE_PCI_READ)));
		acc += old;
		old = be64toh(atomic_exchange(slot, htobe64(0)));
		acc += old & ~TCESIM_TCE_PERM_MASK;
	}
	atomic_fetch_add_explicit(&b->sink, acc, memory_order_relaxed);
}

static void xchg_run(void *state, unsigned int tid, uint64_t iters)
{
	struct ops_bench *b = state;
	uint64_t i, acc = 0;

	for (i = 0; i < iters; i++) {
		uint64_t e = entry_of(b, tid, i);
		uint64_t hpa = HPA_BASE + (i << PAGE_SHIFT);
		enum tcesim_dma_data_direction dir = TCESIM_DMA_TO_DEVICE;

		tcesim_iommu_tce_xchg_no_kill(NULL, b->tbl, e, &hpa, &dir);
		acc += hpa;
		hpa = 0;
		dir = TCESIM_DMA_NONE;
		tcesim_iommu_tce_xchg_no_kill(NULL, b->tbl, e, &hpa, &dir);
		acc += hpa;
	}
	atomic_fetch_add_explicit(&b->sink, acc, memory_order_relaxed);
}

static void lock_run(void *state, unsigned int tid, uint64_t iters)
{
	struct ops_bench *b = state;
	uint64_t i, acc = 0, old;

	for (i = 0; i < iters; i++) {
		uint64_t e = entry_of(b, tid, i);

		acc += (uint64_t)tcesim_iommu_tce_build(b->tbl, e, HPA_BASE + (i << PAGE_SHIFT),
							TCESIM_DMA_TO_DEVICE);
		tcesim_iommu_clear_tce(b->tbl, e, &old);
		acc += old;
	}
	atomic_fetch_add_explicit(&b->sink, acc, memory_order_relaxed);
}

const struct bench_case bench_cases_ops[] = {
	{ "tce_map_unmap", "raw_xchg", NULL, "disjoint", MAX_THREADS, ops_setup, raw_run,
	  ops_teardown },
	{ "tce_map_unmap", "xchg", "raw_xchg", "disjoint", MAX_THREADS, ops_setup, xchg_run,
	  ops_teardown },
	{ "tce_map_unmap", "raw_xchg", NULL, "shared", MAX_THREADS, ops_setup, raw_run,
	  ops_teardown },
	{ "tce_map_unmap", "xchg", "raw_xchg", "shared", MAX_THREADS, ops_setup, xchg_run,
	  ops_teardown },
	{ "tce_lock_vs_xchg", "xchg", NULL, "disjoint", MAX_THREADS, ops_setup, xchg_run,
	  ops_teardown },
	{ "tce_lock_vs_xchg", "lock", "xchg", "disjoint", MAX_THREADS, ops_setup, lock_run,
	  ops_teardown },
	{ "tce_lock_vs_xchg", "xchg", NULL, "shared", MAX_THREADS, ops_setup, xchg_run,
	  ops_teardown },
	{ "tce_lock_vs_xchg", "lock", "xchg", "shared", MAX_THREADS, ops_setup, lock_run,
	  ops_teardown },
	{ 0 },
};
