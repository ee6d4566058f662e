// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * cases_kvm.c - benchmarks of the hypercall tiers and the trace replay.
 *
 *  hcall_map/<tier>: ns per TCE mapped through tcesim_kvm_hcall(), one
 *    H_PUT_TCE per TCE (baseline) vs H_PUT_TCE_INDIRECT with 512-entry
 *    lists read from guest memory. <tier> is "kvm" (a KVM table: the
 *    in-kernel handler answers, validating each TCE against the memslots)
 *    or "qemu" (a QEMU-only table: KVM says H_TOO_HARD and QEMU answers).
 *  replay/vio: one op = one full replay of the bundled vio trace (12 597
 *    hypercalls + 175 032 translations) from text already decompressed in
 *    memory (setup loads it once): parse + model + checks. The world is
 *    created in setup and passed in (tcesim_replay_opts.world): a fresh
 *    world per op spent more in its teardown's RCU barriers (~10 ms per
 *    module slot) than in the replay itself.
 * Single-threaded: a guest's hcalls for one table are serialised by the
 * guest's own locking, and QEMU's by the BQL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include <tcesim/kvm.h>
#include <tcesim/mem.h>
#include <tcesim/replay.h>
#include <tcesim/world.h>

#define RAM_VA		0x10000000ULL
#define RAM_SIZE	(4ULL << 20)
#define LIST_GPA	0x200000ULL
#define TABLE_ENTRIES	8192ULL
#define LIOBN_KVM	0x1000ULL
#define LIOBN_QEMU	0x2000ULL

struct hcall_bench {
	struct tcesim_world *w;
	struct tcesim_mm *mm;
	struct tcesim_kvm *kvm;
	uint64_t liobn;
	uint64_t next;		/* next entry to map */
};

static void *hcall_setup(const struct bench_env *env)
{
	struct hcall_bench *b = calloc(1, sizeof(*b));
	uint64_t list[512], i;

	if (!b)
		return NULL;
	if (tcesim_world_create(NULL, &b->w) ||
	    tcesim_mm_create(b->w, "qemu", 1ULL << 30, true, &b->mm) ||
	    tcesim_mm_mmap(b->mm, RAM_VA, RAM_SIZE, TCESIM_PROT_READ | TCESIM_PROT_WRITE, 0) ||
	    tcesim_kvm_create(b->w, &b->kvm) ||
	    tcesim_kvm_set_user_memory_region(b->kvm, 0, RAM_SIZE, b->mm, RAM_VA))
		goto fail;
	b->liobn = (env->param && !strcmp(env->param, "qemu")) ? LIOBN_QEMU : LIOBN_KVM;
	if (tcesim_spapr_tce_new_table(b->kvm, b->liobn, 0, 12, TABLE_ENTRIES,
				       b->liobn == LIOBN_KVM, NULL))
		goto fail;
	/* one list of 512 TCEs to guest pages, written once (the guest reuses it) */
	for (i = 0; i < 512; i++)
		list[i] = (i << 12) | 3;
	if (tcesim_kvm_write_guest_be64(b->kvm, LIST_GPA, list, 512))
		goto fail;
	return b;
fail:
	if (b->w)
		tcesim_world_destroy(b->w);
	free(b);
	return NULL;
}

static void hcall_teardown(void *state)
{
	struct hcall_bench *b = state;

	tcesim_kvm_destroy(b->kvm);
	tcesim_mm_exit(b->mm);
	tcesim_rcu_barrier();
	tcesim_world_destroy(b->w);
	free(b);
}

/* One op = one TCE: H_PUT_TCE per entry. */
static void run_put(void *state, unsigned int tid, uint64_t iters)
{
	struct hcall_bench *b = state;
	uint64_t i, a[4] = { b->liobn, 0, 0, 0 };

	(void)tid;
	for (i = 0; i < iters; i++) {
		uint64_t e = b->next++ & (TABLE_ENTRIES - 1);

		a[1] = e << 12;
		a[2] = ((e & 511) << 12) | 3;
		if (tcesim_kvm_hcall(b->kvm, 0x20UL /* H_PUT_TCE */, a, NULL))
			abort();
	}
}

/* One op = one TCE: 512 per H_PUT_TCE_INDIRECT (the last call may be shorter). */
static void run_indirect(void *state, unsigned int tid, uint64_t iters)
{
	struct hcall_bench *b = state;
	uint64_t a[4] = { b->liobn, 0, LIST_GPA, 0 };

	(void)tid;
	while (iters) {
		uint64_t e = b->next & (TABLE_ENTRIES - 1) & ~511ULL;
		uint64_t n = iters < 512 ? iters : 512;

		a[1] = e << 12;
		a[3] = n;
		if (tcesim_kvm_hcall(b->kvm, 0x13CUL /* H_PUT_TCE_INDIRECT */, a, NULL))
			abort();
		b->next += 512;
		iters -= n;
	}
}

struct replay_bench {
	struct tcesim_world *w;
	char *tce, *xl;
	size_t tlen, xlen;
	struct tcesim_replay_summary sum;
};

static void *replay_setup(const struct bench_env *env)
{
	const char *dir = getenv("TCESIM_TRACE_DIR");
	struct replay_bench *r = calloc(1, sizeof(*r));
	char p1[512], p2[512];

	(void)env;
	if (!r)
		return NULL;
	if (dir) {
		snprintf(p1, sizeof(p1), "%s/vio/vio.tce.txt.xz", dir);
		snprintf(p2, sizeof(p2), "%s/vio/vio.xlate.txt.xz", dir);
	} else {
		/* the source tree's data/traces, found from this file's path */
		const char *src = __FILE__;
		const char *cut = strstr(src, "bench/cases_kvm.c");
		int n = cut ? (int)(cut - src) : 0;

		snprintf(p1, sizeof(p1), "%.*sdata/traces/vio/vio.tce.txt.xz", n, src);
		snprintf(p2, sizeof(p2), "%.*sdata/traces/vio/vio.xlate.txt.xz", n, src);
	}
	if (tcesim_replay_read_file(p1, &r->tce, &r->tlen) ||
	    tcesim_replay_read_file(p2, &r->xl, &r->xlen)) {
		fprintf(stderr, "# replay: cannot read %s (set TCESIM_TRACE_DIR)\n", p1);
		free(r->tce);
		free(r);
		return NULL;
	}
	{
		struct tcesim_world_cfg cfg;

		/* the bundled traces come from TCG: the QEMU tier answers */
		tcesim_world_cfg_init(&cfg);
		cfg.hcall = TCESIM_HCALL_QEMU;
		if (tcesim_world_create(&cfg, &r->w)) {
			free(r->tce);
			free(r->xl);
			free(r);
			return NULL;
		}
	}
	return r;
}

static void replay_run(void *state, unsigned int tid, uint64_t iters)
{
	struct replay_bench *r = state;
	struct tcesim_replay_opts o = { .size = sizeof(o), .hcall = TCESIM_HCALL_QEMU,
					.world = r->w };
	uint64_t i;

	(void)tid;
	for (i = 0; i < iters; i++) {
		if (tcesim_replay_buffers("vio", r->tce, r->tlen, "vio.xlate", r->xl, r->xlen, &o,
					  &r->sum) != 0)
			abort();
	}
}

static void replay_teardown(void *state)
{
	struct replay_bench *r = state;

	fprintf(stderr, "# replay/vio: one op = %llu hcalls + %llu translations\n",
		(unsigned long long)r->sum.hcalls, (unsigned long long)r->sum.xlates);
	tcesim_world_destroy(r->w);
	free(r->tce);
	free(r->xl);
	free(r);
}

const struct bench_case bench_cases_kvm[] = {
	{ "hcall_map", "put_tce", NULL, "kvm", 1, hcall_setup, run_put, hcall_teardown },
	{ "hcall_map", "put_tce_indirect", "put_tce", "kvm", 1, hcall_setup, run_indirect,
	  hcall_teardown },
	{ "hcall_map", "put_tce", NULL, "qemu", 1, hcall_setup, run_put, hcall_teardown },
	{ "hcall_map", "put_tce_indirect", "put_tce", "qemu", 1, hcall_setup, run_indirect,
	  hcall_teardown },
	{ "replay", "vio", NULL, NULL, 1, replay_setup, replay_run, replay_teardown },
	{ NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL },
};
