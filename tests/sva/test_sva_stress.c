// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_sva_stress.c - lock-free PASID lookups against concurrent bind and
 * unbind (labels stress;tsan). Run it under -DTCESIM_SANITIZE=thread and
 * address as well as plain.
 *
 * Threads (each registered with tcesim_thread_enter()):
 *  - readers: tcesim_iommu_attach_handle_get() under their own RCU
 *    read-side section, then dereference the handle (domain type, process,
 *    users) while still inside it: the handle may be unbound meanwhile but
 *    must not be freed before the section ends;
 *  - writers: a seeded script of bind/unbind over their own processes and
 *    the shared devices, bounded by iterations;
 *  - a faulter: page requests on bound PASIDs and queue flushes, racing
 *    with unbind (a queued group holds its domain).
 * Invariants at the end: every handle unbound, each process holds its PASID
 * until it exits, then no PASID and no allocation is left.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "tcesim_test.h"

#include "sva/sva_internal.h"
#include "mem/mem_internal.h"

#define NDEV 3
#define NWRITERS 2
#define NREADERS 2
#define MM_PER_WRITER 2
#define NMM (NWRITERS * MM_PER_WRITER)

struct stress {
	struct tcesim_world *w;
	struct tcesim_device *dev[NDEV];
	struct tcesim_iommu_group *grp[NDEV];
	struct tcesim_mm *mm[NMM];
	unsigned long iters;
	uint64_t seed;
	_Atomic int writers_left;
	_Atomic unsigned long lookups_found, lookups;
};

struct worker {
	struct stress *st;
	int id;
	pthread_t thr;
	unsigned long found, bad;
};

static void *reader_fn(void *arg)
{
	struct worker *wk = arg;
	struct stress *st = wk->st;
	struct test_prng rng = { st->seed ^ (0x1000u + (unsigned int)wk->id) };
	unsigned long n = 0;

	tcesim_thread_enter();
	while (atomic_load(&st->writers_left) > 0 || n < st->iters) {
		struct tcesim_iommu_attach_handle *h;
		unsigned int g = (unsigned int)test_prng_below(&rng, NDEV);
		uint32_t pasid = 1 + (uint32_t)test_prng_below(&rng, NMM + 1);

		tcesim_rcu_read_lock();
		if (!tcesim_iommu_attach_handle_get(st->grp[g], pasid, TCESIM_IOMMU_DOMAIN_SVA,
						    &h)) {
			struct tcesim_iommu_sva *s =
				tcesim_container_of(h, struct tcesim_iommu_sva, handle);
			struct tcesim_mm *mm = h->domain->mm;
			int i, known = 0;

			for (i = 0; i < NMM; i++)
				known |= mm == st->mm[i];
			if (h->domain->type != TCESIM_IOMMU_DOMAIN_SVA || !known ||
			    tcesim_iommu_sva_users(s) > 2 * st->iters || s->dev != st->dev[g])
				wk->bad++;
			wk->found++;
		}
		tcesim_rcu_read_unlock();
		n++;
		if (n > 50 * st->iters)	/* bound even if a writer hangs */
			break;
	}
	tcesim_thread_exit();
	return NULL;
}

static void *writer_fn(void *arg)
{
	struct worker *wk = arg;
	struct stress *st = wk->st;
	struct test_prng rng = { st->seed ^ (0x2000u + (unsigned int)wk->id) };
	struct tcesim_iommu_sva *held[MM_PER_WRITER][NDEV][2] = { { { NULL } } };
	unsigned long i;
	int m, d, k;

	tcesim_thread_enter();
	for (i = 0; i < st->iters; i++) {
		m = (int)test_prng_below(&rng, MM_PER_WRITER);
		d = (int)test_prng_below(&rng, NDEV);
		k = (int)test_prng_below(&rng, 2);
		if (!held[m][d][k]) {
			struct tcesim_iommu_sva *s;
			int ret = tcesim_iommu_sva_bind_device(
				st->dev[d], st->mm[wk->id * MM_PER_WRITER + m], &s);

			if (ret)
				wk->bad++;
			else
				held[m][d][k] = s;
		} else {
			tcesim_iommu_sva_unbind_device(held[m][d][k]);
			held[m][d][k] = NULL;
		}
	}
	for (m = 0; m < MM_PER_WRITER; m++)
		for (d = 0; d < NDEV; d++)
			for (k = 0; k < 2; k++)
				tcesim_iommu_sva_unbind_device(held[m][d][k]);
	atomic_fetch_sub(&st->writers_left, 1);
	tcesim_thread_exit();
	return NULL;
}

static void *faulter_fn(void *arg)
{
	struct worker *wk = arg;
	struct stress *st = wk->st;
	struct test_prng rng = { st->seed ^ 0x3000u };
	unsigned long i;

	tcesim_thread_enter();
	for (i = 0; i < st->iters; i++) {
		int m = (int)test_prng_below(&rng, NMM), d = (int)test_prng_below(&rng, NDEV);
		struct iommu_mm_data *data = atomic_load_explicit(&st->mm[m]->iommu_mm,
								  memory_order_acquire);
		struct tcesim_iommu_fault f = {
			.flags = TCESIM_IOMMU_FAULT_PAGE_REQUEST_PASID_VALID |
				 TCESIM_IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE,
			.grpid = (uint32_t)(i & 511),
			.perm = TCESIM_IOMMU_FAULT_PERM_READ,
			.addr = 0x10000000 + (test_prng_below(&rng, 16) << 12),
		};

		if (!data)
			continue;
		f.pasid = data->pasid;
		tcesim_iommu_report_device_fault(st->dev[d], &f);
		if (i % 8 == 7)
			tcesim_iopf_queue_flush_dev(st->dev[d]);
	}
	for (i = 0; i < NDEV; i++)
		tcesim_iopf_queue_flush_dev(st->dev[i]);
	tcesim_thread_exit();
	return NULL;
}

static void stress_run(enum pasid_array_kind kind)
{
	struct worker wr[NWRITERS], rd[NREADERS], ft;
	struct tcesim_iommu_cfg icfg;
	struct tcesim_pci_device_cfg dcfg;
	struct tcesim_iommu *iommu;
	struct sva_state *sva;
	struct stress st;
	const char *e = getenv("TCESIM_STRESS_ITERS");
	unsigned long found = 0, bad = 0;
	long base;
	int i;

	memset(&st, 0, sizeof(st));
	st.iters = e ? strtoul(e, NULL, 0) : 3000;
	st.seed = test_seed();
	tcesim_thread_enter();
	assert_errno(tcesim_world_create(NULL, &st.w), 0);
	sva = sva_state_get(st.w);
	assert_non_null(sva);
	sva->array_kind = kind;	/* before the first group */
	tcesim_iommu_cfg_init(&icfg);
	icfg.name = "dmar0";
	assert_errno(tcesim_iommu_create(st.w, &icfg, &iommu), 0);
	for (i = 0; i < NDEV; i++) {
		char name[16];

		snprintf(name, sizeof(name), "dev%d", i);
		tcesim_pci_device_cfg_init(&dcfg);
		dcfg.name = name;
		dcfg.pri = true;
		assert_errno(tcesim_pci_device_create(iommu, &dcfg, &st.dev[i]), 0);
		st.grp[i] = tcesim_device_iommu_group(st.dev[i]);
	}
	base = tcesim_world_live_allocs(st.w);
	for (i = 0; i < NMM; i++) {
		char name[16];

		snprintf(name, sizeof(name), "p%d", i);
		assert_errno(tcesim_mm_create(st.w, name, TCESIM_DEFAULT_MEMLOCK, false, &st.mm[i]),
			     0);
		assert_errno(tcesim_mm_mmap(st.mm[i], 0x10000000, 1 << 16, TCESIM_PROT_READ, 12),
			     0);
	}
	atomic_init(&st.writers_left, NWRITERS);
	for (i = 0; i < NWRITERS; i++) {
		wr[i] = (struct worker){ .st = &st, .id = i };
		assert_int_equal(pthread_create(&wr[i].thr, NULL, writer_fn, &wr[i]), 0);
	}
	for (i = 0; i < NREADERS; i++) {
		rd[i] = (struct worker){ .st = &st, .id = i };
		assert_int_equal(pthread_create(&rd[i].thr, NULL, reader_fn, &rd[i]), 0);
	}
	ft = (struct worker){ .st = &st };
	assert_int_equal(pthread_create(&ft.thr, NULL, faulter_fn, &ft), 0);
	for (i = 0; i < NWRITERS; i++) {
		pthread_join(wr[i].thr, NULL);
		bad += wr[i].bad;
	}
	for (i = 0; i < NREADERS; i++) {
		pthread_join(rd[i].thr, NULL);
		bad += rd[i].bad;
		found += rd[i].found;
	}
	pthread_join(ft.thr, NULL);
	fprintf(stderr, "# %s: %lu iterations per writer, %lu handles found by readers\n",
		pasid_array_kind_name(kind), st.iters, found);
	assert_int_equal(bad, 0);
	for (i = 0; i < NDEV; i++)
		assert_int_equal(st.grp[i]->pasid_array.nr, 0);
	/* each process keeps its PASID until it exits */
	assert_true(tcesim_iommu_global_pasids_in_use(st.w) <= NMM);
	for (i = 0; i < NMM; i++)
		tcesim_mm_exit(st.mm[i]);
	tcesim_rcu_barrier();
	assert_int_equal(tcesim_iommu_global_pasids_in_use(st.w), 0);
	/* responses are a fixed ring; nothing else may be left */
	assert_int_equal(tcesim_world_live_allocs(st.w), base);
	tcesim_world_destroy(st.w);
	tcesim_thread_exit();
}

static void test_stress_bind_unbind_vs_handle_get_radix(void **state)
{
	(void)state;
	stress_run(PASID_ARRAY_RADIX);
}

static void test_stress_bind_unbind_vs_handle_get_lfht(void **state)
{
	(void)state;
	stress_run(PASID_ARRAY_LFHT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stress_bind_unbind_vs_handle_get_radix),
		cmocka_unit_test(test_stress_bind_unbind_vs_handle_get_lfht),
	};

	test_seed();
	return cmocka_run_group_tests_name("sva_stress", tests, NULL, NULL);
}
