// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_stress_xchg.c - two threads exchange TCEs on overlapping entries of a
 * 3-level table linked to a PE (levels installed concurrently by CAS, kills
 * walking the PE list under RCU), then the result is checked against a
 * sequential replay.
 *
 * Every op maps a page no other op uses, so the values returned by the
 * exchanges of one entry must form one chain 0 -> v1 -> v2 -> ... -> final:
 * each op's new value is returned as "old" by at most one later op, exactly
 * one op per entry saw 0, and the chain's end is what the table holds.
 * Replaying the ops in chain order therefore reproduces the table. Pins:
 * each op pins its page before the exchange and unpins the page it gets
 * back, so at the end (after clearing) no page is pinned and no unpin was
 * unbalanced.
 */
#include <pthread.h>

#include "tcesim_test.h"
#include "ops/phb_internal.h"

#define NTHREADS	2
#define NOPS		100000
#define NSLOTS		256
#define STRIDE		97
#define HPA_BASE	0x40000000ULL

struct op {
	uint64_t entry;
	uint64_t newv;		/* hpa mapped by this op */
	uint64_t oldv;		/* hpa it got back */
};

struct thr {
	struct tcesim_world *w;
	struct tcesim_iommu_table *tbl;
	uint64_t base;
	unsigned int id;
	uint64_t seed;
	struct op *ops;
	pthread_barrier_t *start;	/* both threads begin together */
	int err;
};

static void *worker(void *arg)
{
	struct thr *t = arg;
	struct test_prng rng = { t->seed };
	unsigned int i;

	tcesim_thread_enter();
	pthread_barrier_wait(t->start);
	for (i = 0; i < NOPS; i++) {
		uint64_t entry = t->base + test_prng_below(&rng, NSLOTS) * STRIDE;
		uint64_t hpa = HPA_BASE + (((uint64_t)t->id * NOPS + i + 1) << 12);
		enum tcesim_dma_data_direction dir = TCESIM_DMA_BIDIRECTIONAL;
		int ret;

		t->ops[i].entry = entry;
		t->ops[i].newv = hpa;
		tcesim_get_page(t->w, hpa);
		ret = tcesim_iommu_tce_xchg_no_kill(NULL, t->tbl, entry, &hpa, &dir);
		if (ret) {
			t->err = ret;
			break;
		}
		t->ops[i].oldv = hpa;
		if (hpa)
			tcesim_unpin_user_page(t->w, hpa);
		if ((i & 15) == 15)
			tcesim_iommu_tce_kill(t->tbl, entry, 1);
	}
	tcesim_thread_exit();
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void test_tce_xchg_concurrent_overlapping_replay(void **state)
{
	struct test_world *tw;
	struct tcesim_phb_cfg cfg;
	struct tcesim_phb *phb;
	struct tcesim_pe *pe;
	struct tcesim_iommu_table *tbl;
	struct thr t[NTHREADS];
	pthread_t th[NTHREADS];
	pthread_barrier_t start;
	uint64_t *olds, base = TCESIM_TCE_BYPASS_BASE >> 12, seed = test_seed();
	unsigned int i, j, n = 0, logs;
	uint64_t *zero_count;

	(void)state;
	tw = test_world_new(NULL);
	tcesim_phb_cfg_init(&cfg, TCESIM_PHB_IODA2);
	assert_errno(tcesim_phb_create(tw->w, &cfg, &phb), 0);
	assert_errno(tcesim_pe_create(phb, NULL, &pe), 0);
	assert_errno(tcesim_pe_create_table(pe, 1, 12, 1ULL << 39, 3, false, &tbl), 0);
	assert_errno(tcesim_pe_set_window(pe, 1, tbl), 0);
	logs = tcesim_world_log_count(tw->w);
	pthread_barrier_init(&start, NULL, NTHREADS);

	for (i = 0; i < NTHREADS; i++) {
		t[i] = (struct thr){ .w = tw->w, .tbl = tbl, .base = base, .id = i,
				     .seed = seed * 31 + i, .ops = calloc(NOPS, sizeof(struct op)),
				     .start = &start };
		assert_non_null(t[i].ops);
		assert_int_equal(pthread_create(&th[i], NULL, worker, &t[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(th[i], NULL);
		assert_errno(t[i].err, 0);
	}
	pthread_barrier_destroy(&start);

	/* Chain check: every non-zero old value is some op's new value, once. */
	olds = calloc(NTHREADS * NOPS, sizeof(*olds));
	zero_count = calloc(NSLOTS, sizeof(*zero_count));
	for (i = 0; i < NTHREADS; i++) {
		for (j = 0; j < NOPS; j++) {
			struct op *o = &t[i].ops[j];

			if (o->oldv)
				olds[n++] = o->oldv;
			else
				zero_count[(o->entry - base) / STRIDE]++;
		}
	}
	qsort(olds, n, sizeof(*olds), cmp_u64);
	for (i = 1; i < n; i++)
		if (olds[i] == olds[i - 1])
			fail_msg("page 0x%" PRIx64 " returned twice", olds[i]);
	for (i = 0; i < NSLOTS; i++)
		assert_true(zero_count[i] <= 1); /* one first op per entry */
	/* The final value of each entry is the op whose value nobody got back. */
	for (i = 0; i < NTHREADS; i++) {
		for (j = 0; j < NOPS; j++) {
			struct op *o = &t[i].ops[j];
			uint64_t tce;
			bool returned = bsearch(&o->newv, olds, n, sizeof(*olds), cmp_u64) != NULL;

			assert_errno(tcesim_iommu_tce_get(tbl, o->entry, &tce), 0);
			if (returned)
				assert_int_not_equal(tce & ~3ULL, o->newv);
			else
				assert_int_equal(tce, o->newv | 3);
		}
	}
	/* ops - returned = final values = entries touched */
	for (i = 0, j = 0; i < NSLOTS; i++)
		j += zero_count[i];
	assert_int_equal(NTHREADS * NOPS - n, j);

	/* Clear everything; every page goes back exactly once. */
	for (i = 0; i < NSLOTS; i++) {
		uint64_t hpa = 0;
		enum tcesim_dma_data_direction dir = TCESIM_DMA_NONE;

		assert_errno(tcesim_iommu_tce_xchg_no_kill(NULL, tbl, base + i * STRIDE, &hpa,
							   &dir),
			     0);
		if (hpa)
			tcesim_unpin_user_page(tw->w, hpa);
	}
	assert_errno(tcesim_iommu_tce_kill(tbl, base, NSLOTS * STRIDE), 0);
	assert_int_equal(tcesim_mem_pinned_pages(tw->w), 0);
	assert_int_equal(tcesim_world_log_count(tw->w), logs); /* no unbalanced unpin */

	free(olds);
	free(zero_count);
	for (i = 0; i < NTHREADS; i++)
		free(t[i].ops);
	assert_errno(tcesim_pe_unset_window(pe, 1), 0);
	assert_int_equal(tcesim_iommu_tce_table_put(tbl), 1);
	tcesim_phb_destroy(phb);
	test_world_free(tw);
}

/*
 * One thread maps/unmaps/kills while a device keeps reading through the
 * PHB's TCE cache: every read either translates (0) or faults (-EFAULT),
 * nothing else; under TSan this exercises the cache lock, the RCU window
 * pointers and the it_group_list walk against concurrent TCE updates.
 */
struct dev_thr {
	struct tcesim_pci_dev *dev;
	uint64_t iova_base;
	uint64_t seed;
	long ok, efault, other;
	pthread_barrier_t *start;
};

static void *device_reader(void *arg)
{
	struct dev_thr *d = arg;
	struct test_prng rng = { d->seed };
	unsigned int i;
	char buf[16];

	tcesim_thread_enter();
	pthread_barrier_wait(d->start);
	for (i = 0; i < NOPS / 4; i++) {
		uint64_t iova = d->iova_base + (test_prng_below(&rng, 64) << 12) + 8;
		int ret = tcesim_pci_dev_dma_read(d->dev, iova, buf, sizeof(buf));

		if (ret == 0)
			d->ok++;
		else if (ret == -EFAULT)
			d->efault++;
		else
			d->other++;
	}
	tcesim_thread_exit();
	return NULL;
}

static void test_tce_xchg_kill_vs_device_dma(void **state)
{
	struct test_world *tw;
	struct tcesim_phb_cfg cfg;
	struct tcesim_phb *phb;
	struct tcesim_pe *pe;
	struct tcesim_pci_dev *dev;
	struct tcesim_iommu_table *tbl;
	struct dev_thr d = { 0 };
	pthread_barrier_t start;
	pthread_t th;
	struct test_prng rng = { test_seed() ^ 0xd3a };
	unsigned int i;

	(void)state;
	tw = test_world_new(NULL);
	tcesim_phb_cfg_init(&cfg, TCESIM_PHB_IODA2);
	assert_errno(tcesim_phb_create(tw->w, &cfg, &phb), 0);
	assert_errno(tcesim_pe_create(phb, NULL, &pe), 0);
	assert_errno(tcesim_pci_dev_create(pe, "dev", 64, &dev), 0);
	assert_errno(tcesim_pe_get_table(pe, 0, &tbl), 0);
	pthread_barrier_init(&start, NULL, 2);
	d = (struct dev_thr){ .dev = dev, .iova_base = 1ULL << 12, .seed = test_seed() * 7,
			      .start = &start };
	assert_int_equal(pthread_create(&th, NULL, device_reader, &d), 0);
	pthread_barrier_wait(&start);
	for (i = 0; i < NOPS / 4; i++) {
		uint64_t entry = 1 + test_prng_below(&rng, 64);
		bool clear = test_prng_below(&rng, 3) == 0;
		uint64_t hpa = clear ? 0 : HPA_BASE + (test_prng_below(&rng, 256) << 12);
		enum tcesim_dma_data_direction dir = clear ? TCESIM_DMA_NONE :
							     TCESIM_DMA_BIDIRECTIONAL;

		if (hpa)
			tcesim_get_page(tw->w, hpa);
		assert_errno(tcesim_iommu_tce_xchg_no_kill(NULL, tbl, entry, &hpa, &dir), 0);
		assert_errno(tcesim_iommu_tce_kill(tbl, entry, 1), 0);
		if (hpa)
			tcesim_unpin_user_page(tw->w, hpa);
	}
	pthread_join(th, NULL);
	pthread_barrier_destroy(&start);
	assert_int_equal(d.other, 0);
	assert_int_equal(d.ok + d.efault, NOPS / 4);
	for (i = 1; i <= 64; i++) {
		uint64_t hpa = 0;
		enum tcesim_dma_data_direction dir = TCESIM_DMA_NONE;

		assert_errno(tcesim_iommu_tce_xchg_no_kill(NULL, tbl, i, &hpa, &dir), 0);
		if (hpa)
			tcesim_unpin_user_page(tw->w, hpa);
	}
	assert_int_equal(tcesim_mem_pinned_pages(tw->w), 0);
	assert_int_equal(tcesim_iommu_tce_table_put(tbl), 0);
	tcesim_phb_destroy(phb);
	test_world_free(tw);
}

/*
 * The kernel DMA API and the pre-2015 lock path from two "CPUs" at once:
 * iommu_alloc/iommu_free on a 4-pool table must never hand one entry to two
 * mappings (checked with an ownership array updated by CAS), and
 * iommu_tce_build/iommu_clear_tce on shared entries must behave as if the
 * pool lock serialised them: a build that succeeded owns the entry until
 * its own clear, which must return exactly the TCE it wrote.
 */
struct api_thr {
	struct tcesim_iommu_table *dma_tbl;	/* iommu_init_table'd */
	struct tcesim_iommu_table *lock_tbl;	/* lock path */
	_Atomic unsigned char *owner;
	unsigned int id;
	uint64_t seed;
	long busy, built, alloc_fail;
	int err;
	pthread_barrier_t *start;
};

static void *api_worker(void *arg)
{
	struct api_thr *t = arg;
	struct test_prng rng = { t->seed };
	unsigned int i, j;

	tcesim_thread_enter();
	tcesim_iommu_set_current_cpu(t->id * 3 + 1);
	pthread_barrier_wait(t->start);
	for (i = 0; i < NOPS / 4 && !t->err; i++) {
		unsigned long npages = 1 + (unsigned long)test_prng_below(&rng, 20);
		uint64_t dma = tcesim_iommu_alloc(t->dma_tbl, HPA_BASE, npages,
						  TCESIM_DMA_TO_DEVICE, UINT64_MAX, 0);
		uint64_t entry = test_prng_below(&rng, 32), hpa, old = 0;

		if (dma == TCESIM_DMA_MAPPING_ERROR) {
			t->alloc_fail++;
		} else {
			for (j = 0; j < npages; j++) {
				unsigned char z = 0;

				if (!atomic_compare_exchange_strong(&t->owner[(dma >> 12) + j], &z,
								    (unsigned char)(t->id + 1)))
					t->err = -EEXIST; /* handed out twice */
			}
			for (j = 0; j < npages; j++)
				atomic_store(&t->owner[(dma >> 12) + j], 0);
			if (tcesim_iommu_free(t->dma_tbl, dma, npages))
				t->err = -EINVAL;
		}

		hpa = HPA_BASE + (((uint64_t)t->id * NOPS + i + 1) << 12);
		switch (tcesim_iommu_tce_build(t->lock_tbl, entry, hpa, TCESIM_DMA_TO_DEVICE)) {
		case 0:
			t->built++;
			if (tcesim_iommu_clear_tce(t->lock_tbl, entry, &old) ||
			    old != (hpa | TCESIM_TCE_PCI_READ))
				t->err = -EIO; /* someone overwrote a valid TCE */
			break;
		case -EBUSY:
			t->busy++;
			break;
		default:
			t->err = -EINVAL;
		}
	}
	tcesim_iommu_set_current_cpu(0);
	tcesim_thread_exit();
	return NULL;
}

static void test_iommu_alloc_and_lock_path_concurrent(void **state)
{
	struct test_world *tw;
	struct tcesim_iommu_table *dma_tbl, *lock_tbl;
	struct api_thr t[NTHREADS];
	pthread_t th[NTHREADS];
	pthread_barrier_t start;
	_Atomic unsigned char *owner;
	unsigned int i;

	(void)state;
	tw = test_world_new(NULL);
	assert_errno(tcesim_pnv_pci_ioda2_table_alloc_pages(tw->w, 0, 12, 1ULL << 30, 2, false,
							    &dma_tbl),
		     0);
	assert_errno(tcesim_iommu_init_table(dma_tbl, 0, 0), 0);
	assert_errno(tcesim_pnv_pci_ioda2_table_alloc_pages(tw->w, 0, 12, 1ULL << 30, 2, false,
							    &lock_tbl),
		     0);
	owner = calloc(1 << 18, sizeof(*owner));
	assert_non_null(owner);
	pthread_barrier_init(&start, NULL, NTHREADS);
	for (i = 0; i < NTHREADS; i++) {
		t[i] = (struct api_thr){ .dma_tbl = dma_tbl, .lock_tbl = lock_tbl, .owner = owner,
					 .id = i, .seed = test_seed() * 13 + i, .start = &start };
		assert_int_equal(pthread_create(&th[i], NULL, api_worker, &t[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(th[i], NULL);
		assert_errno(t[i].err, 0);
		assert_int_equal(t[i].alloc_fail, 0);
		assert_true(t[i].built > 0);
	}
	pthread_barrier_destroy(&start);
	assert_int_equal(tcesim_iommu_table_in_use(dma_tbl), 0);
	for (i = 0; i < 32; i++) {
		uint64_t tce;

		assert_errno(tcesim_iommu_tce_get(lock_tbl, i, &tce), 0);
		assert_int_equal(tce, 0);
	}
	free((void *)owner);
	assert_int_equal(tcesim_iommu_tce_table_put(dma_tbl), 1);
	assert_int_equal(tcesim_iommu_tce_table_put(lock_tbl), 1);
	test_world_free(tw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tce_xchg_concurrent_overlapping_replay),
		cmocka_unit_test(test_tce_xchg_kill_vs_device_dma),
		cmocka_unit_test(test_iommu_alloc_and_lock_path_concurrent),
	};

	test_seed();
	return cmocka_run_group_tests_name("stress_xchg", tests, NULL, NULL);
}
