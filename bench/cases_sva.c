// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * cases_sva.c - tcesim-bench cases of src/sva: find the attach handle of a
 * PASID with 1, 16, 1024 and 65536 bonds in the group.
 *
 *  pasid_lookup/radix  the default PASID array (two-level 10+10, RCU):
 *                      tcesim_rcu_read_lock + pasid_array_load_rcu + tag
 *                      check, the body of iommu_attach_handle_get() (baseline)
 *  pasid_lookup/lfht   the same interface over liburcu's cds_lfht
 *  pasid_lookup/list   what seed 002 removed: a mutex-protected list of
 *                      bonds walked until the PASID matches (v6.8
 *                      iommu_mm->sva_handles under iommu_sva_lock)
 *
 * Bonds sit at PASIDs spread over the 20-bit space (a stride coprime with
 * 2^20), looked up in a seeded random order, so the radix array touches
 * many leaves and the list walks half its length on average. Readers run
 * concurrently with --threads (lookups only; no writer).
 *
 * PERF.md anchors: radix 1.5-2.2 ns, lfht 9.8-15 ns, list 792 ns at 1 K.
 */
#include <stdio.h>

#include "bench.h"
#include "sva/sva_internal.h"

#define LOOKUP_SEQ 4096		/* pre-drawn PASIDs, cycled */
#define PASID_STRIDE 40503u	/* odd: a permutation of [0, 2^20) */

struct bond {
	struct tcesim_iommu_attach_handle handle;
	uint32_t pasid;
	struct cds_list_head node;	/* list variant */
};

struct lookup_state {
	struct tcesim_world *w;
	struct tcesim_mutex lock;	/* array writers; the list's lock */
	struct pasid_array pa;
	bool have_pa;
	struct cds_list_head list;
	struct bond *bonds;
	unsigned long nbonds;
	struct tcesim_iommu_domain domain; /* only ->type is read */
	uint32_t seq[LOOKUP_SEQ];
	_Atomic unsigned long sink;
};

static uint64_t mix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t bond_pasid(unsigned long i)
{
	/* never 0 (IOMMU_NO_PASID): 1 + a permutation of [0, 2^20 - 1) */
	return 1 + (uint32_t)(((uint64_t)i * PASID_STRIDE) % ((1u << 20) - 1));
}

static void lookup_teardown(void *arg)
{
	struct lookup_state *st = arg;

	if (!st)
		return;
	if (st->have_pa) {
		tcesim_mutex_lock(&st->lock);
		pasid_array_destroy(&st->pa);
		tcesim_mutex_unlock(&st->lock);
	}
	tcesim_rcu_barrier();
	free(st->bonds);
	tcesim_mutex_destroy(&st->lock);
	tcesim_world_destroy(st->w);
	tcesim_thread_exit();
	free(st);
}

static void *lookup_setup(const struct bench_env *env, int kind)
{
	struct lookup_state *st = calloc(1, sizeof(*st));
	unsigned long i, n = env->param ? strtoul(env->param, NULL, 0) : 1024;
	uint64_t s = env->seed;

	if (!st)
		return NULL;
	tcesim_thread_enter();
	if (env->quick && n > 1024)
		n = 1024;
	st->nbonds = n;
	tcesim_mutex_init(&st->lock);
	CDS_INIT_LIST_HEAD(&st->list);
	st->domain.type = TCESIM_IOMMU_DOMAIN_SVA;
	st->bonds = calloc(n, sizeof(*st->bonds));
	if (!st->bonds || tcesim_world_create(NULL, &st->w))
		goto fail;
	if (kind >= 0) {
		unsigned long buckets = PASID_LFHT_BUCKETS;

		/* lfht gets one bucket per bond at least: its best case */
		while (buckets < n)
			buckets <<= 1;
		if (pasid_array_init_sized(&st->pa, st->w, &st->lock, (enum pasid_array_kind)kind,
					   buckets))
			goto fail;
		st->have_pa = true;
	}
	tcesim_mutex_lock(&st->lock);
	for (i = 0; i < n; i++) {
		struct bond *b = &st->bonds[i];

		b->pasid = bond_pasid(i);
		b->handle.domain = &st->domain;
		if (kind < 0) {
			cds_list_add_tail(&b->node, &st->list);
			continue;
		}
		if (pasid_array_reserve_locked(&st->pa, b->pasid)) {
			tcesim_mutex_unlock(&st->lock);
			goto fail;
		}
		pasid_array_store_locked(&st->pa, b->pasid,
					 pasid_entry_make(&b->handle, PASID_ENTRY_HANDLE));
	}
	tcesim_mutex_unlock(&st->lock);
	for (i = 0; i < LOOKUP_SEQ; i++)
		st->seq[i] = st->bonds[mix(&s) % n].pasid;
	return st;
fail:
	lookup_teardown(st);
	return NULL;
}

static void *setup_radix(const struct bench_env *env)
{
	return lookup_setup(env, PASID_ARRAY_RADIX);
}

static void *setup_lfht(const struct bench_env *env)
{
	return lookup_setup(env, PASID_ARRAY_LFHT);
}

static void *setup_list(const struct bench_env *env)
{
	return lookup_setup(env, -1);
}

/* iommu_attach_handle_get(group, pasid, IOMMU_DOMAIN_SVA) over the array */
static void run_array(void *arg, unsigned int tid, uint64_t iters)
{
	struct lookup_state *st = arg;
	unsigned long found = 0;
	uint64_t i;

	tcesim_thread_enter();
	for (i = 0; i < iters; i++) {
		uint32_t pasid = st->seq[(i + tid * 977) & (LOOKUP_SEQ - 1)];
		void *e;

		tcesim_rcu_read_lock();
		e = pasid_array_load_rcu(&st->pa, pasid);
		if (e && pasid_entry_tag(e) == PASID_ENTRY_HANDLE &&
		    ((struct tcesim_iommu_attach_handle *)pasid_entry_ptr(e))->domain->type ==
			    TCESIM_IOMMU_DOMAIN_SVA)
			found++;
		tcesim_rcu_read_unlock();
	}
	atomic_fetch_add_explicit(&st->sink, found, memory_order_relaxed);
	tcesim_thread_exit();
}

/* v6.8: list_for_each_entry(handle, &iommu_mm->sva_handles, ...) under the lock */
static void run_list(void *arg, unsigned int tid, uint64_t iters)
{
	struct lookup_state *st = arg;
	unsigned long found = 0;
	uint64_t i;

	for (i = 0; i < iters; i++) {
		uint32_t pasid = st->seq[(i + tid * 977) & (LOOKUP_SEQ - 1)];
		struct bond *b;

		tcesim_mutex_lock(&st->lock);
		cds_list_for_each_entry(b, &st->list, node) {
			if (b->pasid == pasid) {
				found += b->handle.domain->type == TCESIM_IOMMU_DOMAIN_SVA;
				break;
			}
		}
		tcesim_mutex_unlock(&st->lock);
	}
	atomic_fetch_add_explicit(&st->sink, found, memory_order_relaxed);
}

#define LOOKUP_CASES(n)                                                                   \
	{ "pasid_lookup", "radix", NULL, n, 0, setup_radix, run_array, lookup_teardown }, \
	{ "pasid_lookup", "lfht", "radix", n, 0, setup_lfht, run_array, lookup_teardown }, \
	{ "pasid_lookup", "list", "radix", n, 0, setup_list, run_list, lookup_teardown }

const struct bench_case bench_cases_sva[] = {
	LOOKUP_CASES("1"),
	LOOKUP_CASES("16"),
	LOOKUP_CASES("1024"),
	LOOKUP_CASES("65536"),
	{ NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL },
};
