// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * cases_prq.c - tcesim-bench cases of src/prq: one page request through
 * the VT-d PRQ, producer -> consumer, per descriptor.
 *
 *  prq_ring/bare_spsc  baseline: a bare SPSC ring of 32-byte descriptors
 *                      (head/tail byte offsets, release/acquire, producer
 *                      caches the head), written in this file
 *  prq_ring/vtd_prq    tcesim_vtd_prq_post() (encode, PRO check, write-port
 *                      spinlock, descriptor write, PPR) and
 *                      tcesim_prq_event_thread() passes (PPR clear, decode,
 *                      the B13 checks, complete()); the requests are stop
 *                      markers, which the thread drops after its checks, so
 *                      the fault layer is not measured
 *
 * threads=1: the thread writes a batch of 16 then consumes it (one pass).
 * threads=2: tid 0 is the device (producer), tid 1 the event thread; the
 * producer waits for room instead of overflowing (PRI's outstanding-request
 * budget), so no request is dropped.
 *
 * PERF.md anchors: SPSC ring of 32-byte descriptors across the 2 cores
 * 8 ns/item, 4.2 ns batched by 16 at both ends.
 */
#include <sched.h>
#include <stdio.h>

#include "bench.h"
#include "prq/prq_internal.h"

#define DEPTH 2048u
#define BATCH 16u

/* ------------------------------------------------------ bare baseline --- */

struct bare_ring {
	_Alignas(64) _Atomic uint32_t tail;	/* producer writes (release) */
	uint32_t head_cache;			/* producer only */
	_Alignas(64) _Atomic uint32_t head;	/* consumer writes (release) */
	bool single;				/* one thread: produce+consume */
	_Alignas(64) struct prq_slot ring[DEPTH];
	_Atomic unsigned long sink;
};

static void *bare_setup(const struct bench_env *env)
{
	struct bare_ring *r;

	(void)env;
	r = aligned_alloc(64, sizeof(*r));
	if (r)
		memset(r, 0, sizeof(*r));
	return r;
}

static bool bare_push(struct bare_ring *r, uint64_t v)
{
	uint32_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	uint32_t next = (tail + 32) & (DEPTH * 32 - 32);
	struct prq_slot *s;

	if (next == r->head_cache) {
		r->head_cache = atomic_load_explicit(&r->head, memory_order_acquire);
		if (next == r->head_cache)
			return false;
	}
	s = &r->ring[tail / 32];
	atomic_store_explicit(&s->qw[0], v, memory_order_relaxed);
	atomic_store_explicit(&s->qw[1], v << 12 | 4, memory_order_relaxed);
	atomic_store_explicit(&s->qw[2], 0, memory_order_relaxed);
	atomic_store_explicit(&s->qw[3], 0, memory_order_relaxed);
	atomic_store_explicit(&r->tail, next, memory_order_release);
	return true;
}

/* consumes everything available; returns the count */
static unsigned long bare_pop_all(struct bare_ring *r)
{
	uint32_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	uint32_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
	unsigned long n = 0, acc = 0;

	for (; head != tail; head = (head + 32) & (DEPTH * 32 - 32), n++) {
		struct prq_slot *s = &r->ring[head / 32];

		acc += atomic_load_explicit(&s->qw[0], memory_order_relaxed) ^
		       atomic_load_explicit(&s->qw[1], memory_order_relaxed);
	}
	atomic_store_explicit(&r->head, tail, memory_order_release);
	atomic_fetch_add_explicit(&r->sink, acc, memory_order_relaxed);
	return n;
}

static void bare_run(void *state, unsigned int tid, uint64_t iters)
{
	struct bare_ring *r = state;
	uint64_t i, got = 0;

	if (tid == 0) {
		/* producer; alone, it also consumes each batch of 16 */
		for (i = 0; i < iters;) {
			if (bare_push(r, i))
				i++;
			else
				sched_yield();
			if (r->single && (i % BATCH == 0 || i == iters))
				(void)bare_pop_all(r);
		}
		return;
	}
	while (got < iters) {
		unsigned long n = bare_pop_all(r);

		got += n;
		if (!n)
			sched_yield();
	}
}

static void bare_teardown(void *state)
{
	free(state);
}

/* ------------------------------------------------------ tcesim's PRQ --- */

struct vtd_state {
	struct tcesim_world *w;
	struct tcesim_iommu *iommu;
	unsigned int threads;
};

static void *vtd_setup(const struct bench_env *env)
{
	struct tcesim_iommu_cfg icfg;
	struct vtd_state *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->threads = env->threads;
	tcesim_iommu_cfg_init(&icfg);
	icfg.name = "dmar0";
	icfg.prq_depth = DEPTH;
	if (tcesim_world_create(NULL, &s->w) || tcesim_iommu_create(s->w, &icfg, &s->iommu) ||
	    tcesim_intel_iommu_enable_prq(s->iommu)) {
		tcesim_world_destroy(s->w);
		free(s);
		return NULL;
	}
	return s;
}

static void vtd_run(void *state, unsigned int tid, uint64_t iters)
{
	struct vtd_state *s = state;
	struct tcesim_vtd_page_req r = { .rid = 0x100, .pasid_present = true, .pasid = 1,
					 .lpig = true };	/* stop marker */
	uint64_t i, got = 0;

	if (s->threads == 1) {
		for (i = 0; i < iters; i++) {
			r.prg_index = (uint32_t)i & 0x1ff;
			(void)tcesim_vtd_prq_post(s->iommu, &r);
			if ((i + 1) % BATCH == 0 || i + 1 == iters)
				(void)tcesim_prq_event_thread(s->iommu);
		}
		return;
	}
	if (tid == 0) {
		for (i = 0; i < iters; i++) {
			r.prg_index = (uint32_t)i & 0x1ff;
			/* PRI budget: never more than depth - 1 outstanding */
			while (prq_nr_pending(prq_of(s->iommu)) >= DEPTH - 1)
				sched_yield();
			(void)tcesim_vtd_prq_post(s->iommu, &r);
		}
		return;
	}
	if (tid == 1) {
		while (got < iters) {
			int n = tcesim_prq_event_thread(s->iommu);

			got += n > 0 ? (uint64_t)n : 0;
			if (n <= 0)
				sched_yield();
		}
	}
}

static void vtd_teardown(void *state)
{
	struct vtd_state *s = state;

	tcesim_world_destroy(s->w);
	free(s);
}

/* The baseline's single-thread mode is chosen in its setup. */
static void *bare_setup_mode(const struct bench_env *env)
{
	struct bare_ring *r = bare_setup(env);

	if (r)
		r->single = env->threads == 1;
	return r;
}

const struct bench_case bench_cases_prq[] = {
	{ "prq_ring", "bare_spsc", NULL, NULL, 2, bare_setup_mode, bare_run, bare_teardown },
	{ "prq_ring", "vtd_prq", "bare_spsc", NULL, 2, vtd_setup, vtd_run, vtd_teardown },
	{ 0 },
};
