// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_vfio_stress.c - two threads MAP_DMA/UNMAP_DMA on one container at
 * once (upstream runs them without the container lock), over overlapping
 * entries, v1 (pins) and v2 (prereg + shadow). Seeded per-thread scripts
 * bounded by iterations. Invariants at the end, after both threads unmapped
 * everything: no page pinned beyond the prereg pins (v1: none at all), the
 * region's mapped counter back to 1, every TCE empty; after close, nothing
 * pinned and locked_vm 0. Labels stress;tsan (run it in a
 * -DTCESIM_SANITIZE=thread build too).
 */
#include <pthread.h>

#include "tcesim_test.h"

#include "vfio/vfio_internal.h"

#define RAM_VA		0x10000000ULL
#define NPAGES		64ULL		/* pages of memory used */
#define NENTRIES	32ULL		/* IOMMU entries contended */
#define ITERS		4000
#define PG		4096ULL

struct sfx {
	struct test_world *tw;
	struct tcesim_mm *mm;
	struct tcesim_phb *phb;
	struct tcesim_pe *pe;
	struct tcesim_tce_container *c;
	bool v2;
};

struct worker {
	struct sfx *f;
	uint64_t seed;
	long errors;
};

static void *worker_fn(void *arg)
{
	struct worker *wk = arg;
	struct test_prng rng = { .s = wk->seed };
	int i;

	tcesim_thread_enter();
	for (i = 0; i < ITERS; i++) {
		uint64_t e = test_prng_below(&rng, NENTRIES - 4);
		uint64_t n = 1 + test_prng_below(&rng, 4);
		uint64_t pg = test_prng_below(&rng, NPAGES - 4);
		long ret;

		if (test_prng_below(&rng, 3)) {
			struct vfio_iommu_type1_dma_map m = {
				.argsz = sizeof(m),
				.flags = test_prng_below(&rng, 2) ? VFIO_DMA_MAP_FLAG_READ :
					 VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
				.vaddr = RAM_VA + pg * PG, .iova = e * PG, .size = n * PG,
			};

			ret = tcesim_tce_iommu_ioctl(wk->f->c, wk->f->mm, VFIO_IOMMU_MAP_DMA,
						     (unsigned long)(uintptr_t)&m);
		} else {
			struct vfio_iommu_type1_dma_unmap u = {
				.argsz = sizeof(u), .iova = e * PG, .size = n * PG,
			};

			ret = tcesim_tce_iommu_ioctl(wk->f->c, wk->f->mm, VFIO_IOMMU_UNMAP_DMA,
						     (unsigned long)(uintptr_t)&u);
		}
		if (ret)
			wk->errors++;
	}
	tcesim_thread_exit();
	return NULL;
}

static void run(bool v2)
{
	static char zeros[NPAGES * PG];
	struct tcesim_world_cfg cfg;
	struct tcesim_pe_cfg ecfg;
	struct tcesim_phb_cfg pcfg;
	struct worker wk[2];
	pthread_t th[2];
	struct sfx f = { .v2 = v2 };
	struct tcesim_iommu_table *tbl;
	uint64_t i, tce;
	long ret;
	int t;

	tcesim_world_cfg_init(&cfg);
	f.tw = test_world_new(&cfg);
	assert_int_equal(tcesim_mm_create(f.tw->w, "qemu", 1ULL << 30, false, &f.mm), 0);
	assert_int_equal(tcesim_mm_mmap(f.mm, RAM_VA, NPAGES * PG,
					TCESIM_PROT_READ | TCESIM_PROT_WRITE, 0), 0);
	assert_int_equal(tcesim_mm_write(f.mm, RAM_VA, zeros, sizeof(zeros)), 0);
	tcesim_phb_cfg_init(&pcfg, TCESIM_PHB_IODA2);
	assert_int_equal(tcesim_phb_create(f.tw->w, &pcfg, &f.phb), 0);
	tcesim_pe_cfg_init(&ecfg);
	ecfg.dma32_size = 16ULL << 20;
	assert_int_equal(tcesim_pe_create(f.phb, &ecfg, &f.pe), 0);
	assert_int_equal(tcesim_tce_iommu_open(f.tw->w, v2 ? VFIO_SPAPR_TCE_v2_IOMMU :
					       VFIO_SPAPR_TCE_IOMMU, &f.c), 0);
	assert_int_equal(tcesim_tce_iommu_attach_group(f.c, f.pe), 0);
	if (v2) {
		struct vfio_iommu_spapr_register_memory r = {
			.argsz = sizeof(r), .vaddr = RAM_VA, .size = NPAGES * PG,
		};

		ret = tcesim_tce_iommu_ioctl(f.c, f.mm, VFIO_IOMMU_SPAPR_REGISTER_MEMORY,
					     (unsigned long)(uintptr_t)&r);
	} else {
		ret = tcesim_tce_iommu_ioctl(f.c, f.mm, VFIO_IOMMU_ENABLE, 0);
	}
	assert_int_equal(ret, 0);
	for (t = 0; t < 2; t++) {
		wk[t].f = &f;
		wk[t].seed = f.tw->rng.s + 0x1000 * (uint64_t)(t + 1) + v2;
		wk[t].errors = 0;
		assert_int_equal(pthread_create(&th[t], NULL, worker_fn, &wk[t]), 0);
	}
	for (t = 0; t < 2; t++)
		assert_int_equal(pthread_join(th[t], NULL), 0);
	assert_int_equal(wk[0].errors + wk[1].errors, 0);
	/* unmap everything, then check the balance */
	{
		struct vfio_iommu_type1_dma_unmap u = {
			.argsz = sizeof(u), .iova = 0, .size = NENTRIES * PG,
		};

		assert_int_equal(tcesim_tce_iommu_ioctl(f.c, f.mm, VFIO_IOMMU_UNMAP_DMA,
							(unsigned long)(uintptr_t)&u), 0);
	}
	assert_int_equal(tcesim_tce_iommu_get_table(f.c, 0, &tbl), 0);
	for (i = 0; i < NENTRIES; i++) {
		assert_int_equal(tcesim_iommu_tce_get(tbl, i, &tce), 0);
		assert_int_equal(tce, 0);
	}
	tcesim_iommu_tce_table_put(tbl);
	if (v2) {
		struct tcesim_mm_iommu_region *mem;
		struct tcesim_mm_iommu_info info;

		assert_int_equal(tcesim_mm_iommu_lookup(f.mm, RAM_VA, PG, &mem), 0);
		assert_int_equal(tcesim_mm_iommu_get_info(mem, &info), 0);
		assert_int_equal(info.mapped, 1);
		assert_int_equal(tcesim_mem_pinned_pages(f.tw->w), NPAGES);
	} else {
		assert_int_equal(tcesim_mem_pinned_pages(f.tw->w), 0);
	}
	tcesim_tce_iommu_release(f.c);
	tcesim_rcu_barrier();
	assert_int_equal(tcesim_mem_pinned_pages(f.tw->w), 0);
	assert_int_equal(tcesim_mm_locked_vm(f.mm), 0);
	tcesim_mm_exit(f.mm);
	test_world_free(f.tw);
}

static void test_stress_map_unmap_v1(void **state)
{
	(void)state;
	run(false);
}

static void test_stress_map_unmap_v2(void **state)
{
	(void)state;
	run(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stress_map_unmap_v1),
		cmocka_unit_test(test_stress_map_unmap_v2),
	};

	test_seed();
	return cmocka_run_group_tests_name("vfio_stress", tests, NULL, NULL);
}
