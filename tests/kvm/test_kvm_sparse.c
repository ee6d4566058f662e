// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_kvm_sparse.c - TCE tables whose window is huge and almost empty
 * (issue 7, defect 2): QEMU's tier stores its entries sparsely, KVM's
 * H_STUFF_TCE of 0 skips absent pages, and both give exactly the answers
 * and digests of a small table holding the same entries. Public API, plus
 * one white-box read: the kvm's STUFF work counter (kvm->stuff_visited,
 * entries the STUFF stores visited), so that the slow path fails here on
 * any machine: no time is asserted, the work is.
 *
 * Before the fix, QEMU's table was one g_new0-like array: a 2^40-entry
 * table could not even be created (-ENOMEM for 8 TiB), a 2^30-entry one
 * cost 8 GiB and 50 s for one STUFF; KVM's STUFF of 2^36 pages took 74 s
 * (2^36 - 6 entries visited where the fast path visits two stt pages).
 * A 2^36-entry KVM table is now -ENOMEM, as upstream's kzalloc of its 1 GiB
 * page-pointer array (test_kvm_stt_kmalloc_limit; found by fuzz_scenario).
 */
#include "tcesim_test.h"

#include <tcesim/kvm.h>
#include "kvm/kvm_internal.h"

/* Entries the H_STUFF_TCE stores visited so far (both tiers). */
static uint64_t stuff_visited(const struct tcesim_kvm *kvm)
{
	return atomic_load_explicit(&kvm->stuff_visited, memory_order_relaxed);
}

#define HUGE_QEMU	(1ULL << 40)	/* entries: a 2^52-byte window at 4K */
#define HUGE_KVM	(1ULL << 29)	/* entries: 2^20 stt pages of 512 (8 MiB of
				 * page pointers, under KMALLOC_MAX_SIZE) */

struct fx {
	struct test_world *tw;
	struct tcesim_kvm *kvm;
	long base_allocs;
};

static int setup(void **state)
{
	struct tcesim_world_cfg cfg;
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	tcesim_world_cfg_init(&cfg);
	cfg.hcall = TCESIM_HCALL_QEMU;
	f->tw = test_world_new(&cfg);
	/* the module's per-world state lives as long as the world: create it first */
	assert_int_equal(tcesim_kvm_create(f->tw->w, &f->kvm), 0);
	tcesim_kvm_destroy(f->kvm);
	f->base_allocs = tcesim_world_live_allocs(f->tw->w);
	assert_int_equal(tcesim_kvm_create(f->tw->w, &f->kvm), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	tcesim_kvm_destroy(f->kvm);
	tcesim_rcu_barrier();
	/* every leaf, stt page and bitmap freed */
	assert_int_equal(tcesim_world_live_allocs(f->tw->w), f->base_allocs);
	test_world_free(f->tw);
	free(f);
	return 0;
}

static uint64_t digest(struct tcesim_kvm *kvm, uint64_t liobn)
{
	uint64_t d = 0;

	assert_int_equal(tcesim_spapr_tce_digest(kvm, liobn, &d), 0);
	return d;
}

/* The same stores into a 2^40-entry QEMU table and a 1024-entry one. */
static void test_qemu_huge_table_sparse(void **state)
{
	struct fx *f = *state;
	struct tcesim_spapr_tce_info info;
	const uint64_t big = 0x10, small = 0x20, last = (HUGE_QEMU - 1) << 12;
	uint64_t tce = 0;

	assert_int_equal(tcesim_spapr_tce_new_table(f->kvm, big, 0, 12, HUGE_QEMU, false, NULL),
			 0);
	assert_int_equal(tcesim_spapr_tce_new_table(f->kvm, small, 0, 12, 1024, false, NULL), 0);
	for (uint64_t i = 0; i < 1024; i += 7) {
		assert_int_equal(tcesim_h_put_tce(f->kvm, big, i << 12, (i << 12) | 3, NULL), 0);
		assert_int_equal(tcesim_h_put_tce(f->kvm, small, i << 12, (i << 12) | 3, NULL), 0);
	}
	assert_int_equal(digest(f->kvm, big), digest(f->kvm, small));
	/* the last entry of the window, far from the others */
	assert_int_equal(tcesim_h_put_tce(f->kvm, big, last, 0xabc001, NULL), 0);
	assert_int_equal(tcesim_h_get_tce(f->kvm, big, last, &tce, NULL), 0);
	assert_int_equal(tce, 0xabc001);
	assert_int_equal(tcesim_h_get_tce(f->kvm, big, last - 4096, &tce, NULL), 0);
	assert_int_equal(tce, 0);
	assert_int_equal(tcesim_h_put_tce(f->kvm, big, last + 4096, 1, NULL), TCESIM_H_PARAMETER);
	assert_int_not_equal(digest(f->kvm, big), digest(f->kvm, small));
	/* a STUFF of 0 over the whole window: clears all, stops at the end */
	{
		struct tcesim_hcall_out out = { 0 };
		uint64_t before = stuff_visited(f->kvm);

		assert_int_equal(tcesim_h_stuff_tce(f->kvm, big, 0, 0, HUGE_QEMU, &out), 0);
		assert_true(out.traced);
		assert_int_equal(out.trace_ioba, HUGE_QEMU << 12);
		/* only the leaves that exist: entries 0..1023 and the last one's */
		assert_true(stuff_visited(f->kvm) - before <= 3 * SPAPR_TCE_STORE_LEAF);
	}
	assert_int_equal(tcesim_spapr_tce_table_info(f->kvm, big, &info), 0);
	assert_int_equal(info.live, 0);
	assert_int_equal(info.nb_table, HUGE_QEMU);
	assert_int_equal(tcesim_h_get_tce(f->kvm, big, last, &tce, NULL), 0);
	assert_int_equal(tce, 0);
	/* empty tables of any size digest alike */
	assert_int_equal(tcesim_h_stuff_tce(f->kvm, small, 0, 0, 1024, NULL), 0);
	assert_int_equal(digest(f->kvm, big), digest(f->kvm, small));
	/* a STUFF of a value over a range crossing leaves, then translation */
	assert_int_equal(tcesim_h_stuff_tce(f->kvm, big, 500ULL << 12, 0x7003, 30, NULL), 0);
	assert_int_equal(tcesim_h_stuff_tce(f->kvm, small, 500ULL << 12, 0x7003, 30, NULL), 0);
	assert_int_equal(digest(f->kvm, big), digest(f->kvm, small));
	assert_int_equal(tcesim_kvm_live_tces(f->kvm), 60);
	{
		struct tcesim_iommu_tlb_entry e;

		assert_int_equal(tcesim_spapr_tce_translate_iommu(f->kvm, big, 529ULL << 12, &e), 0);
		assert_int_equal(e.translated_addr, 0x7000);
		assert_int_equal(e.perm, 3);
		assert_int_equal(tcesim_spapr_tce_translate_iommu(f->kvm, big, 530ULL << 12, &e), 0);
		assert_int_equal(e.translated_addr, 0);
	}
	/* a STUFF running off the end: the entries up to the end stay written */
	assert_int_equal(tcesim_h_stuff_tce(f->kvm, big, last - 4096, 0x9001, 5, NULL),
			 TCESIM_H_PARAMETER);
	assert_int_equal(tcesim_h_get_tce(f->kvm, big, last, &tce, NULL), 0);
	assert_int_equal(tce, 0x9001);
	assert_int_equal(tcesim_spapr_tce_table_disable(f->kvm, big), 0);
	assert_int_equal(tcesim_spapr_tce_table_disable(f->kvm, small), 0);
	assert_int_equal(tcesim_kvm_live_tces(f->kvm), 0);
}

/* KVM's tier: H_STUFF_TCE of 0 over 2^36 entries with two pages present. */
static void test_kvm_huge_stuff_clear(void **state)
{
	struct fx *f = *state;
	struct tcesim_kvm_create_spapr_tce_64 a = {
		.liobn = 0x1000, .page_shift = 12, .offset = 0, .size = HUGE_KVM,
	};
	const uint64_t far = (HUGE_KVM - 3) << 12;
	uint64_t tce = 1, before;

	assert_true(tcesim_kvm_vm_ioctl_create_spapr_tce(f->kvm, &a, NULL) >= 0);
	assert_int_equal(tcesim_kvmppc_h_put_tce(f->kvm, 0x1000, 0x1000, 0), 0);
	assert_int_equal(tcesim_kvmppc_h_stuff_tce(f->kvm, 0x1000, 0x5000, 0x3000, 2), 0);
	assert_int_equal(tcesim_kvmppc_h_stuff_tce(f->kvm, 0x1000, far, 0x8000, 3), 0);
	assert_int_equal(tcesim_kvm_live_tces(f->kvm), 5);
	/* clear from entry 6 to the end: entry 5 and the far ones */
	before = stuff_visited(f->kvm);
	assert_int_equal(tcesim_kvmppc_h_stuff_tce(f->kvm, 0x1000, 0x6000, 0, HUGE_KVM - 6), 0);
	/* the fast path visits the two allocated stt pages only (512 TCEs each) */
	assert_true(stuff_visited(f->kvm) - before <= 2 * 512);
	assert_int_equal(tcesim_kvm_live_tces(f->kvm), 1);
	assert_int_equal(tcesim_kvmppc_h_get_tce(f->kvm, 0x1000, 0x5000, &tce), 0);
	assert_int_equal(tce, 0x3000);
	assert_int_equal(tcesim_kvmppc_h_get_tce(f->kvm, 0x1000, far + 0x2000, &tce), 0);
	assert_int_equal(tce, 0);
	/* the whole table */
	before = stuff_visited(f->kvm);
	assert_int_equal(tcesim_kvmppc_h_stuff_tce(f->kvm, 0x1000, 0, 0, HUGE_KVM), 0);
	assert_true(stuff_visited(f->kvm) - before <= 2 * 512);
	assert_int_equal(tcesim_kvm_live_tces(f->kvm), 0);
	/* out of the window: H_PARAMETER, nothing done */
	assert_int_equal(tcesim_kvmppc_h_stuff_tce(f->kvm, 0x1000, 0x1000, 0, HUGE_KVM),
			 TCESIM_H_PARAMETER);
}

/*
 * The QEMU tables of one kvm keep at most SPAPR_TCE_STORE_MAX_LEAVES leaves
 * together: a non-zero STUFF over a huge window stores up to the budget
 * (the rest is refused with one message, H_SUCCESS as QEMU), a second table
 * gets nothing more, and removing the first gives its leaves back.
 * (fuzz_scenario: two 2^30-entry tables were 2 GiB of RSS and 16 s.)
 */
static void test_qemu_store_budget_is_the_kvms(void **state)
{
	struct fx *f = *state;
	struct tcesim_spapr_tce_info info;
	const uint64_t cap = SPAPR_TCE_STORE_MAX_LEAVES * SPAPR_TCE_STORE_LEAF;

	assert_int_equal(tcesim_spapr_tce_new_table(f->kvm, 0x10, 0, 12, 1ULL << 30, false, NULL),
			 0);
	assert_int_equal(tcesim_spapr_tce_new_table(f->kvm, 0x20, 0, 12, 1ULL << 30, false, NULL),
			 0);
	assert_int_equal(tcesim_h_stuff_tce(f->kvm, 0x10, 0, 1, cap + 4096, NULL), 0);
	assert_int_equal(tcesim_spapr_tce_table_info(f->kvm, 0x10, &info), 0);
	assert_int_equal(info.live, cap);
	assert_int_equal(tcesim_h_stuff_tce(f->kvm, 0x20, 0, 1, 4096, NULL), 0);
	assert_int_equal(tcesim_spapr_tce_table_info(f->kvm, 0x20, &info), 0);
	assert_int_equal(info.live, 0);
	/* a leaf that exists still takes stores */
	assert_int_equal(tcesim_h_put_tce(f->kvm, 0x10, (cap - 1) << 12, 0x5003, NULL), 0);
	assert_int_equal(tcesim_kvm_live_tces(f->kvm), cap);
	assert_int_equal(tcesim_spapr_tce_table_disable(f->kvm, 0x10), 0);
	assert_int_equal(tcesim_h_stuff_tce(f->kvm, 0x20, 0, 1, 4096, NULL), 0);
	assert_int_equal(tcesim_spapr_tce_table_info(f->kvm, 0x20, &info), 0);
	assert_int_equal(info.live, 4096);
}

/*
 * kvm_vm_ioctl_create_spapr_tce() kzallocs the stt with one pointer per TCE
 * page: above KMALLOC_MAX_SIZE (PAGE_SIZE << MAX_PAGE_ORDER) it is -ENOMEM,
 * with nothing charged or allocated; just under it the table exists.
 */
static void test_kvm_stt_kmalloc_limit(void **state)
{
	struct fx *f = *state;
	struct tcesim_world *w = f->tw->w;
	const uint64_t kmax = 4096ULL << tcesim_world_max_page_order(w);
	/* struct_size() of upstream's struct: 120 bytes on ppc64, then 8 per page */
	const uint64_t fit = (kmax - 120) / 8;
	struct tcesim_kvm_create_spapr_tce_64 a = { .liobn = 0x1000, .page_shift = 12 };
	struct tcesim_mm *mm;
	long allocs;

	assert_int_equal(kmax, 16ULL << 20); /* the 4K default, MAX_PAGE_ORDER 12 */
	assert_int_equal(tcesim_mm_create(w, "qemu", 1ULL << 40, false, &mm), 0);
	allocs = tcesim_world_live_allocs(w);
	a.size = 1ULL << 36; /* the fuzzer's: 1 GiB of page pointers */
	assert_int_equal(tcesim_kvm_vm_ioctl_create_spapr_tce(f->kvm, &a, mm), -ENOMEM);
	a.size = (fit + 1) * 512; /* one pointer too many */
	assert_int_equal(tcesim_kvm_vm_ioctl_create_spapr_tce(f->kvm, &a, mm), -ENOMEM);
	a.size = (fit + 1) * 512 - 511; /* the same page count */
	assert_int_equal(tcesim_kvm_vm_ioctl_create_spapr_tce(f->kvm, &a, mm), -ENOMEM);
	assert_int_equal(tcesim_mm_locked_vm(mm), 0);
	assert_int_equal(tcesim_world_live_allocs(w), allocs);
	a.size = fit * 512; /* exactly fits */
	assert_int_equal(tcesim_kvm_vm_ioctl_create_spapr_tce(f->kvm, &a, mm), 0);
	assert_true(tcesim_mm_locked_vm(mm) > fit);
	/* a larger MAX_PAGE_ORDER lets the bigger one through */
	assert_int_equal(tcesim_world_set_max_page_order(w, 13), 0);
	a.liobn = 0x2000;
	a.size = (fit + 1) * 512;
	assert_int_equal(tcesim_kvm_vm_ioctl_create_spapr_tce(f->kvm, &a, mm), 0);
	tcesim_kvm_destroy(f->kvm);
	assert_int_equal(tcesim_mm_locked_vm(mm), 0);
	assert_int_equal(tcesim_kvm_create(w, &f->kvm), 0);
	tcesim_mm_exit(mm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_qemu_huge_table_sparse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kvm_huge_stuff_clear, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kvm_stt_kmalloc_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_qemu_store_budget_is_the_kvms, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
