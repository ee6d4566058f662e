// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_prq_stress.c - the PRQ as a real SPSC ring under threads (labels
 * stress;tsan): two device threads write page requests (the PRQ write port
 * serialises them), an event thread runs passes and the fault work, and the
 * main thread drains a PASID the devices stopped using, sleeping on
 * prq_complete, while the other PASIDs keep flowing.
 *
 * Bounded by iterations (TCESIM_STRESS_ITERS, default 100000 per device).
 * Invariants checked at the end: every descriptor written was consumed;
 * every request written got exactly one response (nothing is bound, so
 * the fault layer retires each one INVALID, the non-last ones too:
 * io-pgfault.c iopf_error_response()); after each drain no
 * request of the drained PASID was left in the ring; no leak.
 */
#include <pthread.h>
#include <sched.h>

#include "tcesim_test.h"

#include "prq/prq_internal.h"
#include <tcesim/prq.h>

#define NPASID 4u		/* PASIDs 1..4; PASID 4 is revoked halfway */
#define REVOKED 4u

struct stress {
	struct tcesim_world *w;
	struct tcesim_iommu *iommu;
	struct tcesim_device *dev[2];
	unsigned long iters;
	uint64_t seed;
	_Atomic bool stop;
	_Atomic int revoked;	/* device threads past the halfway mark */
	_Atomic int thread_errors; /* cmocka asserts belong to the main thread */
	unsigned long lpig_ok[2];	/* per device thread; read after join */
	unsigned long ok[2], dropped[2];
};

struct dev_arg {
	struct stress *s;
	int idx;
};

static void *device_thread(void *p)
{
	struct dev_arg *a = p;
	struct stress *s = a->s;
	struct test_prng rng = { s->seed + (uint64_t)a->idx };
	uint32_t seq[NPASID + 1] = { 0 };

	tcesim_thread_enter();
	for (unsigned long i = 0; i < s->iters; i++) {
		bool late = i >= s->iters / 2;
		uint32_t pasid = 1 + (uint32_t)test_prng_below(&rng, late ? NPASID - 1 : NPASID);
		struct tcesim_vtd_page_req r = {
			.pasid_present = true, .pasid = pasid, .rd = true,
			.addr = 0x10000000ull + ((uint64_t)(i & 0xff) << 12),
			.prg_index = (seq[pasid] / 4) & 0x1ff,
			.lpig = seq[pasid] % 4 == 3,
		};
		int ret;

		if (i == s->iters / 2)
			atomic_fetch_add(&s->revoked, 1);	/* stops using PASID 4 */
		seq[pasid]++;
		ret = tcesim_vtd_pri_request_page(s->dev[a->idx], &r);
		if (!ret) {
			s->ok[a->idx]++;
			s->lpig_ok[a->idx] += r.lpig;
		} else {
			if (ret != -ENOSPC)
				atomic_fetch_add(&s->thread_errors, 1);
			s->dropped[a->idx]++;
			sched_yield();
		}
	}
	tcesim_thread_exit();
	return NULL;
}

static void *event_thread(void *p)
{
	struct stress *s = p;

	tcesim_thread_enter();
	for (;;) {
		bool stop = atomic_load(&s->stop);
		int n = tcesim_prq_event_thread(s->iommu);

		if (n < 0)
			atomic_fetch_add(&s->thread_errors, 1);
		for (int d = 0; d < 2; d++)
			if (tcesim_iopf_queue_flush_dev(s->dev[d]))
				atomic_fetch_add(&s->thread_errors, 1);
		if (stop && !tcesim_prq_pending(s->iommu))
			break;
		if (!n)
			sched_yield();
	}
	tcesim_thread_exit();
	return NULL;
}

static void test_prq_stress_producers_event_thread_drain(void **state)
{
	struct stress s = { 0 };
	struct tcesim_world_cfg wcfg;
	struct tcesim_iommu_cfg icfg;
	struct tcesim_pci_device_cfg dcfg;
	struct tcesim_prq_stats st;
	struct dev_arg da[2];
	pthread_t dt[2], et;
	const char *e = getenv("TCESIM_STRESS_ITERS");
	long base;

	(void)state;
	s.iters = e ? strtoul(e, NULL, 0) : 100000;
	s.seed = test_seed();
	tcesim_thread_enter();
	tcesim_world_cfg_init(&wcfg);
	assert_int_equal(tcesim_world_create(&wcfg, &s.w), 0);
	tcesim_iommu_cfg_init(&icfg);
	icfg.name = "dmar0";
	icfg.prq_depth = 64;
	assert_int_equal(tcesim_iommu_create(s.w, &icfg, &s.iommu), 0);
	for (int d = 0; d < 2; d++) {
		uint16_t rid;

		tcesim_pci_device_cfg_init(&dcfg);
		dcfg.name = d ? "nic" : "gpu";
		dcfg.pri = true;
		assert_int_equal(tcesim_pci_device_create(s.iommu, &dcfg, &s.dev[d]), 0);
		assert_int_equal(tcesim_vtd_device_rid(s.dev[d], &rid), 0);
	}
	assert_int_equal(tcesim_prq_set_threaded(s.iommu, true), 0);
	tcesim_rcu_barrier();
	base = tcesim_world_live_allocs(s.w);

	assert_int_equal(pthread_create(&et, NULL, event_thread, &s), 0);
	for (int d = 0; d < 2; d++) {
		da[d] = (struct dev_arg){ &s, d };
		assert_int_equal(pthread_create(&dt[d], NULL, device_thread, &da[d]), 0);
	}
	/* once both devices stopped using PASID 4, drain it while traffic flows */
	while (atomic_load(&s.revoked) < 2)
		sched_yield();
	for (int d = 0; d < 2; d++) {
		assert_int_equal(tcesim_intel_iommu_drain_pasid_prq(s.dev[d], REVOKED), 0);
		assert_int_equal(tcesim_prq_count_pasid(NULL, s.dev[d], REVOKED), 0);
	}
	for (int d = 0; d < 2; d++)
		assert_int_equal(pthread_join(dt[d], NULL), 0);
	atomic_store(&s.stop, true);
	assert_int_equal(pthread_join(et, NULL), 0);

	assert_int_equal(tcesim_prq_get_stats(s.iommu, &st), 0);
	fprintf(stderr, "# written %lu dropped %lu overflows %lu passes %lu drains %lu waits %lu\n",
		st.written, st.dropped, st.overflows, st.passes, st.drains, st.drain_waits);
	assert_int_equal(st.written, s.ok[0] + s.ok[1]);
	assert_int_equal(st.dropped, s.dropped[0] + s.dropped[1]);
	assert_int_equal(st.consumed, st.written);
	assert_int_equal(st.reported, st.written);
	assert_int_equal(tcesim_prq_pending(s.iommu), 0);
	/* one response per request: no handler, each retired INVALID */
	for (int d = 0; d < 2; d++)
		assert_int_equal(tcesim_iommu_device_nr_responses(s.dev[d]), s.ok[d]);
	assert_int_equal(st.pgrp_resps, s.ok[0] + s.ok[1]);
	/* a drain repeats its QI step while PRO is set (overflow) */
	assert_true(st.qi_drains >= st.drains);
	assert_int_equal(atomic_load(&s.thread_errors), 0);
	tcesim_rcu_barrier();
	assert_int_equal(tcesim_world_live_allocs(s.w), base);
	tcesim_world_destroy(s.w);
	tcesim_thread_exit();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prq_stress_producers_event_thread_drain),
	};

	return cmocka_run_group_tests_name("prq_stress", tests, NULL, NULL);
}
