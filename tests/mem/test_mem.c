// SPDX-License-Identifier: LGPL-2.1-or-later
/* test_mem.c - host pages, processes, pinning, locked_vm, lifetime. */
#include "tcesim_test.h"
#include "mem/mem_internal.h"

static int setup(void **state)
{
	*state = test_world_new(NULL);
	return 0;
}

static int setup_64k(void **state)
{
	struct tcesim_world_cfg cfg;

	tcesim_world_cfg_init(&cfg);
	cfg.host_page_shift = 16;
	*state = test_world_new(&cfg);
	return 0;
}

static int teardown(void **state)
{
	test_world_free(*state);
	return 0;
}

static struct tcesim_mm *new_mm(struct test_world *tw, uint64_t memlock, bool cap)
{
	struct tcesim_mm *mm;

	assert_int_equal(tcesim_mm_create(tw->w, "p", memlock, cap, &mm), 0);
	return mm;
}

static void test_mm_mmap_rejects_bad_ranges(void **state)
{
	struct test_world *tw = *state;
	struct tcesim_mm *mm = new_mm(tw, TCESIM_DEFAULT_MEMLOCK, false);
	unsigned int ps = tcesim_world_cfg(tw->w)->host_page_shift;

	assert_errno(tcesim_mm_mmap(mm, 0x10000000, 0, 3, 0), -EINVAL);
	assert_errno(tcesim_mm_mmap(mm, 0x10000001, 1ULL << ps, 3, 0), -EINVAL);
	assert_errno(tcesim_mm_mmap(mm, 0x10000000, 1ULL << ps, 3, 13), -EINVAL);
	assert_errno(tcesim_mm_mmap(mm, 0x10000000, 1ULL << 24, 3, 24), 0);
	/* overlap */
	assert_errno(tcesim_mm_mmap(mm, 0x10ff0000, 1ULL << 16, 3, 16), -EINVAL);
	if (ps == 16)
		assert_errno(tcesim_mm_mmap(mm, 0x20000000, 4096, 3, 12), -EINVAL);
	tcesim_mm_exit(mm);
}

/*
 * The world's processes hold at most TCESIM_MM_COMMIT_LIMIT bytes of VMAs:
 * a hostile mmap size is -ENOMEM at once (it used to calloc 8 bytes per
 * page of it), and an exited process gives its share back.
 */
static void test_mm_mmap_commit_limit(void **state)
{
	struct test_world *tw = *state;
	struct tcesim_mm *a = new_mm(tw, TCESIM_DEFAULT_MEMLOCK, false);
	struct tcesim_mm *b = new_mm(tw, TCESIM_DEFAULT_MEMLOCK, false);
	const uint64_t half = TCESIM_MM_COMMIT_LIMIT / 2;
	long allocs = tcesim_world_live_allocs(tw->w);

	assert_errno(tcesim_mm_mmap(a, 0, 1ULL << 62, 3, 0), -ENOMEM);
	assert_errno(tcesim_mm_mmap(a, 0, TCESIM_MM_COMMIT_LIMIT + (1ULL << 24), 3, 24), -ENOMEM);
	assert_int_equal(tcesim_world_live_allocs(tw->w), allocs);
	assert_errno(tcesim_mm_mmap(a, 0, half, 3, 24), 0);
	assert_errno(tcesim_mm_mmap(b, 0, half, 3, 24), 0);
	/* the limit is the world's, not one process's */
	assert_errno(tcesim_mm_mmap(b, 1ULL << 40, 1ULL << 24, 3, 24), -ENOMEM);
	tcesim_mm_exit(a);
	assert_errno(tcesim_mm_mmap(b, 1ULL << 40, 1ULL << 24, 3, 24), 0);
	tcesim_mm_exit(b);
}

static void test_pin_user_pages_fast_pins_and_balances(void **state)
{
	struct test_world *tw = *state;
	struct tcesim_mm *mm = new_mm(tw, TCESIM_DEFAULT_MEMLOCK, false);
	struct tcesim_page_info info;
	uint64_t hpas[4], hpa;
	long i;

	assert_int_equal(tcesim_mm_mmap(mm, 0x10000000, 1 << 20, TCESIM_PROT_READ |
					TCESIM_PROT_WRITE, 0), 0);
	assert_int_equal(tcesim_pin_user_pages_fast(mm, 0x10000123, 4, TCESIM_FOLL_WRITE, hpas), 4);
	assert_int_equal(tcesim_mem_pinned_pages(tw->w), 4);
	assert_int_equal(tcesim_mm_page_query(mm, 0x10000000, &info, &hpa), 0);
	assert_int_equal(info.pins, 1);
	assert_int_equal(hpa, hpas[0]);
	assert_true(hpas[0] >= HOSTMEM_ALLOC_BASE);
	/* the same page again: a second pin on the same frame */
	assert_int_equal(tcesim_pin_user_pages_fast(mm, 0x10000000, 1, 0, &hpa), 1);
	assert_int_equal(hpa, hpas[0]);
	assert_int_equal(tcesim_mem_pinned_pages(tw->w), 5);
	tcesim_unpin_user_page(tw->w, hpa);
	for (i = 0; i < 4; i++)
		tcesim_unpin_user_page(tw->w, hpas[i]);
	assert_int_equal(tcesim_mem_pinned_pages(tw->w), 0);
	/* an unbalanced unpin is reported and ignored */
	tcesim_unpin_user_page(tw->w, hpas[0]);
	assert_true(tcesim_world_log_contains(tw->w, "unpin of unpinned page"));
	assert_int_equal(tcesim_mem_pinned_pages(tw->w), 0);
	tcesim_mm_exit(mm);
}

static void test_pin_user_pages_fast_efault(void **state)
{
	struct test_world *tw = *state;
	struct tcesim_mm *mm = new_mm(tw, TCESIM_DEFAULT_MEMLOCK, false);
	unsigned int ps = tcesim_world_cfg(tw->w)->host_page_shift;
	uint64_t hpas[4];

	assert_int_equal(tcesim_mm_mmap(mm, 0x10000000, 2ULL << ps, TCESIM_PROT_READ, 0), 0);
	/* not mapped */
	assert_errno(tcesim_pin_user_pages_fast(mm, 0x20000000, 1, 0, hpas), -EFAULT);
	/* read-only VMA, FOLL_WRITE */
	assert_errno(tcesim_pin_user_pages_fast(mm, 0x10000000, 1, TCESIM_FOLL_WRITE, hpas), -EFAULT);
	/* short pin: 2 of 4 */
	assert_int_equal(tcesim_pin_user_pages_fast(mm, 0x10000000, 4, 0, hpas), 2);
	tcesim_unpin_user_page(tw->w, hpas[0]);
	tcesim_unpin_user_page(tw->w, hpas[1]);
	assert_errno(tcesim_pin_user_pages_fast(mm, 0x10000000, 0, 0, hpas), -EINVAL);
	tcesim_mm_exit(mm);
}

static void test_huge_page_pins_on_head(void **state)
{
	struct test_world *tw = *state;
	struct tcesim_mm *mm = new_mm(tw, TCESIM_DEFAULT_MEMLOCK, false);
	struct tcesim_page_info a, b;
	uint64_t h1, h2;

	assert_int_equal(tcesim_mm_mmap(mm, 0x40000000, 1ULL << 24, 3, 24), 0);
	assert_int_equal(tcesim_pin_user_pages_fast(mm, 0x40000000, 1, 0, &h1), 1);
	assert_int_equal(tcesim_pin_user_pages_fast(mm, 0x40ff0000, 1, 0, &h2), 1);
	assert_int_equal(h2 - h1, 0xff0000);	/* one physically contiguous compound */
	assert_true(TCESIM_IS_ALIGNED(h1, 1ULL << 24));
	assert_int_equal(tcesim_page_query(tw->w, h2, &a), 0);
	assert_int_equal(tcesim_page_query(tw->w, h1, &b), 0);
	assert_int_equal(a.compound_shift, 24);
	assert_int_equal(a.pins, 2);		/* both pins count on the head */
	assert_int_equal(b.pins, 2);
	tcesim_set_page_dirty(tw->w, h2);
	assert_int_equal(tcesim_page_query(tw->w, h1, &b), 0);
	assert_true(b.dirty);
	tcesim_unpin_user_page(tw->w, h1);
	tcesim_unpin_user_page(tw->w, h2);
	tcesim_mm_exit(mm);
}

static void test_account_locked_vm_limit(void **state)
{
	struct test_world *tw = *state;
	unsigned int ps = tcesim_world_cfg(tw->w)->host_page_shift;
	struct tcesim_mm *mm = new_mm(tw, 16ULL << ps, false);
	struct tcesim_mm *cap = new_mm(tw, 16ULL << ps, true);

	assert_int_equal(tcesim_account_locked_vm(mm, 16, true), 0);
	assert_errno(tcesim_account_locked_vm(mm, 1, true), -ENOMEM);
	assert_int_equal(tcesim_mm_locked_vm(mm), 16);	/* unchanged by the failure */
	assert_int_equal(tcesim_account_locked_vm(mm, 16, false), 0);
	assert_int_equal(tcesim_mm_locked_vm(mm), 0);
	assert_int_equal(tcesim_account_locked_vm(cap, 1000, true), 0); /* CAP_IPC_LOCK */
	assert_int_equal(tcesim_mm_locked_vm(cap), 1000);
	tcesim_account_locked_vm(cap, 2000, false);
	assert_true(tcesim_world_log_contains(tw->w, "locked_vm underflow"));
	assert_int_equal(tcesim_mm_locked_vm(cap), 0);
	tcesim_mm_exit(mm);
	tcesim_mm_exit(cap);
}

static void test_mem_bytes_cross_pages(void **state)
{
	struct test_world *tw = *state;
	struct tcesim_mm *mm = new_mm(tw, TCESIM_DEFAULT_MEMLOCK, false);
	unsigned int ps = tcesim_world_cfg(tw->w)->host_page_shift;
	uint64_t va = 0x10000000 + (1ULL << ps) - 3, hpa;
	char in[8] = "abcdefg", out[8] = { 0 };

	assert_int_equal(tcesim_mm_mmap(mm, 0x10000000, 4ULL << ps, 3, 0), 0);
	assert_int_equal(tcesim_mm_write(mm, va, in, 8), 0);
	assert_int_equal(tcesim_mm_read(mm, va, out, 8), 0);
	assert_memory_equal(in, out, 8);
	assert_int_equal(tcesim_mm_va_to_hpa(mm, va, &hpa), 0);
	memset(out, 0, 8);
	assert_int_equal(tcesim_mem_read(tw->w, hpa, out, 3), 0);
	assert_memory_equal(in, out, 3);
	assert_errno(tcesim_mm_read(mm, 0x10000000 + (4ULL << ps) - 2, out, 4), -EFAULT);
	assert_errno(tcesim_mem_read(tw->w, 1ULL << 50, out, 1), -EINVAL);
	tcesim_mm_exit(mm);
}

static void test_handle_fault_checks_vma_and_prot(void **state)
{
	struct test_world *tw = *state;
	struct tcesim_mm *mm = new_mm(tw, TCESIM_DEFAULT_MEMLOCK, false);

	assert_int_equal(tcesim_mm_mmap(mm, 0x10000000, 1 << 20, TCESIM_PROT_READ, 0), 0);
	assert_int_equal(tcesim_mm_handle_fault(mm, 0x10000000, TCESIM_PROT_READ), 0);
	assert_errno(tcesim_mm_handle_fault(mm, 0x10000000, TCESIM_PROT_WRITE), -EACCES);
	assert_errno(tcesim_mm_handle_fault(mm, 0x30000000, TCESIM_PROT_READ), -EFAULT);
	tcesim_mm_exit(mm);
}

static int drops;
static void count_drop(struct tcesim_mm *mm)
{
	(void)mm;
	drops++;
}

static void test_mm_lifetime_users_and_count(void **state)
{
	struct test_world *tw = *state;
	struct tcesim_mm *mm = new_mm(tw, TCESIM_DEFAULT_MEMLOCK, false);
	uint64_t hpa;
	long before = tcesim_world_live_allocs(tw->w);

	drops = 0;
	mm->drop_hook = count_drop;
	assert_int_equal(tcesim_mm_mmap(mm, 0x10000000, 1 << 20, 3, 0), 0);
	assert_int_equal(tcesim_pin_user_pages_fast(mm, 0x10000000, 1, 0, &hpa), 1);
	tcesim_mmgrab(mm);			/* e.g. an SVA domain */
	assert_true(tcesim_mmget_not_zero(mm));
	tcesim_mmput(mm);
	tcesim_mm_exit(mm);
	tcesim_mm_exit(mm);			/* second call: no-op */
	assert_false(tcesim_mmget_not_zero(mm)); /* exited: no more users */
	assert_int_equal(drops, 0);		/* still grabbed */
	assert_errno(tcesim_mm_va_to_hpa(mm, 0x10000000, &hpa), -EFAULT);
	/* the pinned page stays pinned after exit, as in the kernel */
	assert_int_equal(tcesim_mem_pinned_pages(tw->w), 1);
	tcesim_unpin_user_page(tw->w, hpa);
	tcesim_mmdrop(mm);			/* last reference: __mmdrop */
	assert_int_equal(drops, 1);
	assert_true(tcesim_world_live_allocs(tw->w) < before);
}

static void test_mem_digest_tracks_pins_and_dirty(void **state)
{
	struct test_world *tw = *state;
	uint64_t d0 = tcesim_mem_digest(tw->w), d1, d2;

	tcesim_get_page(tw->w, 0x100000);
	d1 = tcesim_mem_digest(tw->w);
	assert_true(d1 != d0);
	tcesim_set_page_dirty(tw->w, 0x100000);
	d2 = tcesim_mem_digest(tw->w);
	assert_true(d2 != d1);
	tcesim_unpin_user_page(tw->w, 0x100000);
	tcesim_clear_page_dirty(tw->w, 0x100000);
	assert_true(tcesim_mem_digest(tw->w) == d0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
#define T64(f) cmocka_unit_test_setup_teardown(f, setup_64k, teardown)

int main(void)
{
	const struct CMUnitTest tests_4k[] = {
		T(test_mm_mmap_rejects_bad_ranges),
		T(test_mm_mmap_commit_limit),
		T(test_pin_user_pages_fast_pins_and_balances),
		T(test_pin_user_pages_fast_efault),
		T(test_huge_page_pins_on_head),
		T(test_account_locked_vm_limit),
		T(test_mem_bytes_cross_pages),
		T(test_handle_fault_checks_vma_and_prot),
		T(test_mm_lifetime_users_and_count),
		T(test_mem_digest_tracks_pins_and_dirty),
	};
	const struct CMUnitTest tests_64k[] = {
		T64(test_mm_mmap_rejects_bad_ranges),
		T64(test_pin_user_pages_fast_pins_and_balances),
		T64(test_pin_user_pages_fast_efault),
		T64(test_huge_page_pins_on_head),
		T64(test_account_locked_vm_limit),
		T64(test_mem_bytes_cross_pages),
		T64(test_mm_lifetime_users_and_count),
	};
	int fails;

	test_seed();
	fails = cmocka_run_group_tests_name("mem/host4k", tests_4k, NULL, NULL);
	fails += cmocka_run_group_tests_name("mem/host64k", tests_64k, NULL, NULL);
	return fails;
}
