// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_kvm.c - KVM's tables (KVM_CREATE_SPAPR_TCE_64, memslots) and KVM's in-kernel
 * tier (B8): every outcome of the four hypercalls, linked hardware tables,
 * INDIRECT against a reference model.
 * Fixture: kvm_fixture.h.
 */
#include "kvm_fixture.h"

/* ---------------------------------------------------------- KVM create --- */

static void test_create_spapr_tce_einval(void **state)
{
	struct fx *f = *state;
	struct tcesim_kvm_create_spapr_tce_64 a = { .liobn = 0x3000, .page_shift = 12, .size = 16 };
	unsigned long locked = tcesim_mm_locked_vm(f->mm);

	a.size = 0;
	assert_errno(tcesim_kvm_vm_ioctl_create_spapr_tce(f->kvm, &a, f->mm), -EINVAL);
	a.size = 16;
	a.page_shift = 11;
	assert_errno(tcesim_kvm_vm_ioctl_create_spapr_tce(f->kvm, &a, f->mm), -EINVAL);
	a.page_shift = 35;
	assert_errno(tcesim_kvm_vm_ioctl_create_spapr_tce(f->kvm, &a, f->mm), -EINVAL);
	a.page_shift = 12;
	a.offset = (~0ULL >> 12) - 8;	/* offset + size > ULLONG_MAX >> page_shift */
	assert_errno(tcesim_kvm_vm_ioctl_create_spapr_tce(f->kvm, &a, f->mm), -EINVAL);
	assert_errno(tcesim_kvm_vm_ioctl_create_spapr_tce(f->kvm, NULL, f->mm), -EINVAL);
	assert_int_equal(tcesim_mm_locked_vm(f->mm), locked);
}

static void test_create_spapr_tce_duplicate_ebusy(void **state)
{
	struct fx *f = *state;
	struct tcesim_kvm_create_spapr_tce_64 a = { .liobn = LIOBN_KVM, .page_shift = 16,
						    .size = 8 };
	unsigned long locked = tcesim_mm_locked_vm(f->mm);

	assert_errno(tcesim_kvm_vm_ioctl_create_spapr_tce(f->kvm, &a, f->mm), -EBUSY);
	/* the charge taken before the duplicate check is given back */
	assert_int_equal(tcesim_mm_locked_vm(f->mm), locked);
}

static void test_create_spapr_tce_locked_vm(void **state)
{
	struct fx *f = *state;
	/* 4096 entries = 8 TCE pages of 4K; struct + 8 pointers fit one page */
	struct tcesim_kvm_create_spapr_tce_64 a = { .liobn = 0x3000, .page_shift = 12,
						    .size = 4096 };
	unsigned long locked = tcesim_mm_locked_vm(f->mm);
	struct tcesim_mm *small;

	assert_int_equal(tcesim_kvm_vm_ioctl_create_spapr_tce(f->kvm, &a, f->mm), 0);
	assert_int_equal(tcesim_mm_locked_vm(f->mm), locked + 8 + 1);
	assert_int_equal(tcesim_kvm_spapr_tce_release(f->kvm, 0x3000), 0);
	assert_errno(tcesim_kvm_spapr_tce_release(f->kvm, 0x3000), -ENOENT);
	tcesim_rcu_barrier();
	assert_int_equal(tcesim_mm_locked_vm(f->mm), locked);

	/* RLIMIT_MEMLOCK of 4K: 9 pages cannot be charged */
	assert_int_equal(tcesim_mm_create(f->tw->w, "small", 4096, false, &small), 0);
	assert_errno(tcesim_kvm_vm_ioctl_create_spapr_tce(f->kvm, &a, small), -ENOMEM);
	assert_int_equal(tcesim_mm_locked_vm(small), 0);
	/* without an mm nothing is charged */
	assert_int_equal(tcesim_kvm_vm_ioctl_create_spapr_tce(f->kvm, &a, NULL), 0);
	assert_int_equal(tcesim_kvm_spapr_tce_release(f->kvm, 0x3000), 0);
	tcesim_mm_exit(small);
}

static void test_create_spapr_tce_fail_alloc(void **state)
{
	struct fx *f = *state;
	unsigned long n;

	/* fail the n-th allocation until create succeeds: no leak, no charge */
	for (n = 1;; n++) {
		long before;
		unsigned long locked;
		int ret;

		tcesim_rcu_barrier();
		before = tcesim_world_live_allocs(f->tw->w);
		locked = tcesim_mm_locked_vm(f->mm);

		tcesim_world_inject_fail_alloc(f->tw->w, n);
		ret = tcesim_spapr_tce_new_table(f->kvm, 0x3000, 0, 12, 1024, true, f->mm);
		if (!ret) {
			tcesim_world_inject_fail_alloc(f->tw->w, 0);
			break;
		}
		assert_errno(ret, -ENOMEM);
		tcesim_world_inject_fail_alloc(f->tw->w, 0);
		tcesim_rcu_barrier();
		assert_int_equal(tcesim_world_live_allocs(f->tw->w), before);
		assert_int_equal(tcesim_mm_locked_vm(f->mm), locked);
		assert_true(n < 10);
	}
	assert_int_equal(tcesim_spapr_tce_table_disable(f->kvm, 0x3000), 0);
}

static void test_set_user_memory_region_errors(void **state)
{
	struct fx *f = *state;

	assert_errno(tcesim_kvm_set_user_memory_region(f->kvm, 0x1000, 0x1000, f->mm, RAM_VA),
		     -EEXIST);
	assert_errno(tcesim_kvm_set_user_memory_region(f->kvm, 0x200001, 0x1000, f->mm, RAM_VA),
		     -EINVAL);
	assert_errno(tcesim_kvm_set_user_memory_region(f->kvm, 0x200000, 0, f->mm, RAM_VA),
		     -EINVAL);
	assert_errno(tcesim_kvm_set_user_memory_region(f->kvm, 0x200000, 0x1000, NULL, RAM_VA),
		     -EINVAL);
}

/* ------------------------------------------------------------ KVM tier --- */

static void test_kvmppc_h_put_tce_outcomes(void **state)
{
	struct fx *f = *state;
	uint64_t d;

	assert_hcall(tcesim_kvmppc_h_put_tce(f->kvm, 0x9999, 0, 0x1003), TCESIM_H_TOO_HARD);
	/* a QEMU-only table is unknown to KVM: exit to userspace */
	assert_hcall(tcesim_kvmppc_h_put_tce(f->kvm, LIOBN_QEMU, QEMU_BUS, 0x1003),
		     TCESIM_H_TOO_HARD);
	d = digest(f, LIOBN_KVM);
	assert_hcall(tcesim_kvmppc_h_put_tce(f->kvm, LIOBN_KVM, 0x800, 0x1003), TCESIM_H_PARAMETER);
	assert_hcall(tcesim_kvmppc_h_put_tce(f->kvm, LIOBN_KVM, 512 << 12, 0x1003),
		     TCESIM_H_PARAMETER);
	/* gpa not aligned to the TCE page; gpa in no memslot */
	assert_hcall(tcesim_kvmppc_h_put_tce(f->kvm, LIOBN_KVM, 0, 0x1801), TCESIM_H_TOO_HARD);
	assert_hcall(tcesim_kvmppc_h_put_tce(f->kvm, LIOBN_KVM, 0, 0x7000000003ULL),
		     TCESIM_H_TOO_HARD);
	assert_int_equal(digest(f, LIOBN_KVM), d);	/* nothing stored */

	assert_hcall(tcesim_kvmppc_h_put_tce(f->kvm, LIOBN_KVM, 0x3000, 0x5003), TCESIM_H_SUCCESS);
	assert_int_equal(kvm_get(f, LIOBN_KVM, 0x3000), 0x5003);
	/* DMA_NONE with any other bits: "poison" is allowed */
	assert_hcall(tcesim_kvmppc_h_put_tce(f->kvm, LIOBN_KVM, 0x4000, 0xfff0000000000ffcULL),
		     TCESIM_H_SUCCESS);
	assert_int_equal(kvm_get(f, LIOBN_KVM, 0x4000), 0xfff0000000000ffcULL);
	assert_hcall(tcesim_kvmppc_h_put_tce(f->kvm, LIOBN_KVM, 0x3000, 0), TCESIM_H_SUCCESS);
	assert_int_equal(kvm_get(f, LIOBN_KVM, 0x3000), 0);
	assert_int_equal(trace_take(f)[0], '\0');	/* KVM does not trace */
}

static void test_kvmppc_ioba_validate_offset(void **state)
{
	struct fx *f = *state;
	struct tcesim_kvm_create_spapr_tce_64 a = { .liobn = 0x3000, .page_shift = 16,
						    .offset = 16, .size = 4 };
	uint64_t tce;

	assert_int_equal(tcesim_kvm_vm_ioctl_create_spapr_tce(f->kvm, &a, NULL), 0);
	/* window [16, 20) in 64K pages */
	assert_hcall(tcesim_kvmppc_h_put_tce(f->kvm, 0x3000, 15ULL << 16, 0), TCESIM_H_PARAMETER);
	assert_hcall(tcesim_kvmppc_h_put_tce(f->kvm, 0x3000, 20ULL << 16, 0), TCESIM_H_PARAMETER);
	assert_hcall(tcesim_kvmppc_h_put_tce(f->kvm, 0x3000, (16ULL << 16) + 0x1000, 0),
		     TCESIM_H_PARAMETER);
	assert_hcall(tcesim_kvmppc_h_put_tce(f->kvm, 0x3000, 19ULL << 16, 0x10003),
		     TCESIM_H_SUCCESS);
	assert_hcall(tcesim_kvmppc_h_get_tce(f->kvm, 0x3000, 19ULL << 16, &tce), TCESIM_H_SUCCESS);
	assert_int_equal(tce, 0x10003);
	/* 64K page: a gpa aligned to 4K only is too hard */
	assert_hcall(tcesim_kvmppc_h_put_tce(f->kvm, 0x3000, 16ULL << 16, 0x11003),
		     TCESIM_H_TOO_HARD);
	/* npages overflow and range */
	assert_hcall(tcesim_kvmppc_h_stuff_tce(f->kvm, 0x3000, 17ULL << 16, 0, 4),
		     TCESIM_H_PARAMETER);
	assert_hcall(tcesim_kvmppc_h_stuff_tce(f->kvm, 0x3000, 17ULL << 16, 0, ~0ULL),
		     TCESIM_H_PARAMETER);
	assert_hcall(tcesim_kvmppc_h_stuff_tce(f->kvm, 0x3000, 16ULL << 16, 0, 4),
		     TCESIM_H_SUCCESS);
	assert_int_equal(tcesim_kvm_spapr_tce_release(f->kvm, 0x3000), 0);
}

static void test_kvmppc_h_put_tce_indirect_outcomes(void **state)
{
	struct fx *f = *state;
	uint64_t list[4] = { 0x1003, 0x2003, 0x3001, 0x4002 };
	uint64_t d;

	put_list(f, list, 4);
	assert_hcall(tcesim_kvmppc_h_put_tce_indirect(f->kvm, 0x9999, 0, LIST_GPA, 4),
		     TCESIM_H_TOO_HARD);
	d = digest(f, LIOBN_KVM);
	assert_hcall(tcesim_kvmppc_h_put_tce_indirect(f->kvm, LIOBN_KVM, 0, LIST_GPA, 513),
		     TCESIM_H_PARAMETER);
	assert_hcall(tcesim_kvmppc_h_put_tce_indirect(f->kvm, LIOBN_KVM, 0, LIST_GPA + 8, 4),
		     TCESIM_H_PARAMETER);
	assert_hcall(tcesim_kvmppc_h_put_tce_indirect(f->kvm, LIOBN_KVM, 510 << 12, LIST_GPA, 4),
		     TCESIM_H_PARAMETER);
	assert_hcall(tcesim_kvmppc_h_put_tce_indirect(f->kvm, LIOBN_KVM, 0x800, LIST_GPA, 4),
		     TCESIM_H_PARAMETER);
	/* list in no memslot; list in a memslot whose memory is not mapped */
	assert_hcall(tcesim_kvmppc_h_put_tce_indirect(f->kvm, LIOBN_KVM, 0, 0x7000000000ULL, 4),
		     TCESIM_H_TOO_HARD);
	assert_hcall(tcesim_kvmppc_h_put_tce_indirect(f->kvm, LIOBN_KVM, 0, HOLE_GPA, 4),
		     TCESIM_H_TOO_HARD);
	/* pass 1: entry 3 invalid (gpa not in a memslot): nothing written */
	list[3] = 0x7000000003ULL;
	put_list(f, list, 4);
	assert_hcall(tcesim_kvmppc_h_put_tce_indirect(f->kvm, LIOBN_KVM, 0, LIST_GPA, 4),
		     TCESIM_H_TOO_HARD);
	assert_int_equal(digest(f, LIOBN_KVM), d);
	/* npages 0: nothing to do, success (QEMU says H_PARAMETER) */
	assert_hcall(tcesim_kvmppc_h_put_tce_indirect(f->kvm, LIOBN_KVM, 0, LIST_GPA, 0),
		     TCESIM_H_SUCCESS);
	/*
	 * pass 2: a DMA_NONE entry passes validation but its address must still
	 * be in a memslot: H_PARAMETER, earlier entries stay written.
	 */
	list[3] = 0x7000000000ULL;
	put_list(f, list, 4);
	assert_hcall(tcesim_kvmppc_h_put_tce_indirect(f->kvm, LIOBN_KVM, 0, LIST_GPA, 4),
		     TCESIM_H_PARAMETER);
	assert_int_equal(kvm_get(f, LIOBN_KVM, 0x2000), 0x3001);
	assert_int_equal(kvm_get(f, LIOBN_KVM, 0x3000), 0);
	/* success */
	list[3] = 0x4002;
	put_list(f, list, 4);
	assert_hcall(tcesim_kvmppc_h_put_tce_indirect(f->kvm, LIOBN_KVM, 0x10000, LIST_GPA, 4),
		     TCESIM_H_SUCCESS);
	assert_int_equal(kvm_get(f, LIOBN_KVM, 0x10000), 0x1003);
	assert_int_equal(kvm_get(f, LIOBN_KVM, 0x13000), 0x4002);
}

static void test_kvmppc_h_stuff_tce_outcomes(void **state)
{
	struct fx *f = *state;

	assert_hcall(tcesim_kvmppc_h_stuff_tce(f->kvm, 0x9999, 0, 0, 1), TCESIM_H_TOO_HARD);
	assert_hcall(tcesim_kvmppc_h_put_tce(f->kvm, LIOBN_KVM, 0x1000, 0x1003), TCESIM_H_SUCCESS);
	assert_hcall(tcesim_kvmppc_h_stuff_tce(f->kvm, LIOBN_KVM, 0, 0x1, 2), TCESIM_H_PARAMETER);
	assert_hcall(tcesim_kvmppc_h_stuff_tce(f->kvm, LIOBN_KVM, 0, 0x2, 2), TCESIM_H_PARAMETER);
	assert_int_equal(kvm_get(f, LIOBN_KVM, 0x1000), 0x1003);
	assert_hcall(tcesim_kvmppc_h_stuff_tce(f->kvm, LIOBN_KVM, 0, 0, 513), TCESIM_H_PARAMETER);
	assert_hcall(tcesim_kvmppc_h_stuff_tce(f->kvm, LIOBN_KVM, 0x100, 0, 1), TCESIM_H_PARAMETER);
	assert_hcall(tcesim_kvmppc_h_stuff_tce(f->kvm, LIOBN_KVM, 0, 0, 0), TCESIM_H_SUCCESS);
	assert_int_equal(kvm_get(f, LIOBN_KVM, 0x1000), 0x1003);
	/* poison without R/W is stored */
	assert_hcall(tcesim_kvmppc_h_stuff_tce(f->kvm, LIOBN_KVM, 0, 0xdead0000ULL, 2),
		     TCESIM_H_SUCCESS);
	assert_int_equal(kvm_get(f, LIOBN_KVM, 0x1000), 0xdead0000ULL);
	assert_hcall(tcesim_kvmppc_h_stuff_tce(f->kvm, LIOBN_KVM, 0, 0, 512), TCESIM_H_SUCCESS);
	assert_int_equal(tcesim_kvm_live_tces(f->kvm), 0);
}

static void test_kvmppc_h_get_tce_outcomes(void **state)
{
	struct fx *f = *state;
	uint64_t tce = 0x77;

	assert_hcall(tcesim_kvmppc_h_get_tce(f->kvm, 0x9999, 0, &tce), TCESIM_H_TOO_HARD);
	assert_hcall(tcesim_kvmppc_h_get_tce(f->kvm, LIOBN_KVM, 0x10, &tce), TCESIM_H_PARAMETER);
	assert_hcall(tcesim_kvmppc_h_get_tce(f->kvm, LIOBN_KVM, 512 << 12, &tce),
		     TCESIM_H_PARAMETER);
	assert_int_equal(tce, 0x77);
	/* page never allocated: 0 */
	assert_int_equal(kvm_get(f, LIOBN_KVM, 511 << 12), 0);
}

static void test_kvmppc_linked_table(void **state)
{
	struct fx *f = *state;
	struct mock_hw m = { 0 };
	uint64_t list[2] = { 0x1003, 0x2003 };

	assert_int_equal(kvmppc_stt_link_table(f->kvm, LIOBN_KVM, &mock_ops, &m), 0);
	assert_errno(kvmppc_stt_link_table(f->kvm, 0x9999, &mock_ops, &m), -EINVAL);
	assert_hcall(tcesim_kvmppc_h_put_tce(f->kvm, LIOBN_KVM, 0x5000, 0x1003), TCESIM_H_SUCCESS);
	assert_int_equal(m.maps, 1);
	assert_int_equal(m.kills, 1);
	assert_int_equal(m.last_entry, 5);
	assert_int_equal(m.last_ua, RAM_VA + 0x1000);
	/* hardware refuses: guest value not stored, the entry is cleared */
	m.map_ret = TCESIM_H_TOO_HARD;
	assert_hcall(tcesim_kvmppc_h_put_tce(f->kvm, LIOBN_KVM, 0x6000, 0x2003), TCESIM_H_TOO_HARD);
	assert_int_equal(kvm_get(f, LIOBN_KVM, 0x6000), 0);
	assert_int_equal(m.clears, 1);
	m.map_ret = TCESIM_H_SUCCESS;
	/* validation through the linked table (no prereg region: too hard) */
	m.validate_ret = TCESIM_H_TOO_HARD;
	put_list(f, list, 2);
	assert_hcall(tcesim_kvmppc_h_put_tce_indirect(f->kvm, LIOBN_KVM, 0, LIST_GPA, 2),
		     TCESIM_H_TOO_HARD);
	assert_int_equal(m.maps, 2);	/* the refused put's map + nothing from pass 1 */
	m.validate_ret = TCESIM_H_SUCCESS;
	assert_hcall(tcesim_kvmppc_h_put_tce_indirect(f->kvm, LIOBN_KVM, 0, LIST_GPA, 2),
		     TCESIM_H_SUCCESS);
	assert_int_equal(m.maps, 4);
	/* stuff: unmap H_TOO_HARD returns at once, guest view unchanged */
	m.unmap_ret = TCESIM_H_TOO_HARD;
	assert_hcall(tcesim_kvmppc_h_stuff_tce(f->kvm, LIOBN_KVM, 0, 0, 2), TCESIM_H_TOO_HARD);
	assert_int_equal(kvm_get(f, LIOBN_KVM, 0), 0x1003);
	assert_int_equal(m.unmaps, 1);
	/* stuff: another error warns, clears, goes on and is the return value */
	m.unmap_ret = TCESIM_H_HARDWARE;
	assert_hcall(tcesim_kvmppc_h_stuff_tce(f->kvm, LIOBN_KVM, 0, 0, 2), TCESIM_H_HARDWARE);
	assert_true(tcesim_world_log_contains(f->tw->w, "kvmppc_h_stuff_tce"));
	assert_int_equal(kvm_get(f, LIOBN_KVM, 0), 0);
	assert_int_equal(kvmppc_stt_unlink_table(f->kvm, LIOBN_KVM, &m), 0);
	assert_int_equal(m.releases, 1);
	tcesim_rcu_barrier();
}

/*
 * H_PUT_TCE_INDIRECT against a per-entry reference of B8 (random lists).
 * The handler has a register-only path for tables without a linked hardware
 * table and the general per-entry loop otherwise: both must give the
 * reference's return code, table contents and live count. Lists mix valid
 * TCEs in two memslots, zeros, DMA_NONE poison (also outside every memslot:
 * pass 2 H_PARAMETER with the entries before written), misaligned gpas and
 * gpas in no memslot (pass 1 H_TOO_HARD, nothing written); iobas and npages
 * cross the stt pages (4K host pages: 512 TCEs per page, absent at first)
 * and the table bounds. Tables: 4K TCE pages, window offset 16; and 64K TCE
 * pages (misalignment inside the TCE page).
 */
#define EQ_RAM_VA	0x10000000ULL
#define EQ_RAM_SIZE	(1ULL << 20)
#define EQ_S2_GPA	0x400000ULL	/* second memslot, gap in between */
#define EQ_S2_VA	0x20000000ULL
#define EQ_S2_SIZE	0x100000ULL
#define EQ_LIST_GPA	0x8000ULL
#define EQ_OFFSET	16ULL
#define EQ_SIZE		2048ULL

struct eq_table {
	uint64_t liobn;
	unsigned int shift;
	bool linked;
	struct mock_hw m;
	uint64_t model[EQ_SIZE];
};

static bool eq_in_slot(uint64_t gpa)
{
	return gpa < EQ_RAM_SIZE || gpa - EQ_S2_GPA < EQ_S2_SIZE;
}

/* B8 kvmppc_h_put_tce_indirect, one entry at a time; @processed: pass-2 entries done. */
static long eq_reference(struct eq_table *t, uint64_t ioba, const uint64_t *list, uint64_t n,
			 uint64_t *processed)
{
	uint64_t pmask = (1ULL << t->shift) - 1, idx = ioba >> t->shift, i;

	*processed = 0;
	if (n > 512)
		return TCESIM_H_PARAMETER;
	/* iommu_tce_check_ioba(): the first page even for n 0, then the range */
	if ((ioba & pmask) || idx < EQ_OFFSET || idx + 1 > EQ_OFFSET + EQ_SIZE ||
	    idx - EQ_OFFSET + n > EQ_SIZE)
		return TCESIM_H_PARAMETER;
	for (i = 0; i < n; i++) {
		uint64_t gpa = list[i] & ~3ULL;

		if (!(list[i] & 3))
			continue;
		if ((gpa & pmask) || !eq_in_slot(gpa))
			return TCESIM_H_TOO_HARD;
	}
	for (i = 0; i < n; i++) {
		if (!eq_in_slot(list[i] & ~3ULL))
			return TCESIM_H_PARAMETER;
		t->model[idx - EQ_OFFSET + i] = list[i];
		*processed = i + 1;
	}
	return TCESIM_H_SUCCESS;
}

/* A page in no memslot: far away, or the first page past a slot, or the last before one. */
static uint64_t eq_no_slot(struct test_prng *r, uint64_t gpa, uint64_t pg)
{
	switch (test_prng_below(r, 4)) {
	case 0:
		return EQ_RAM_SIZE;
	case 1:
		return EQ_S2_GPA + EQ_S2_SIZE;
	case 2:
		return EQ_S2_GPA - pg;
	default:
		return 0x7000000000ULL + gpa;
	}
}

static uint64_t eq_random_tce(struct test_prng *r, unsigned int shift, unsigned int bad_pct)
{
	uint64_t pg = 1ULL << shift, k = test_prng_below(r, 100);
	uint64_t gpa = test_prng_below(r, 2) ?
		test_prng_below(r, EQ_RAM_SIZE / pg) * pg :
		EQ_S2_GPA + test_prng_below(r, EQ_S2_SIZE / pg) * pg;

	if (k < bad_pct) {
		switch (test_prng_below(r, 3)) {
		case 0:		/* misaligned: pass 1 H_TOO_HARD */
			return (gpa | ((test_prng_below(r, pg / 4 - 1) + 1) << 2)) |
			       (1 + test_prng_below(r, 3));
		case 1:		/* no memslot: pass 1 H_TOO_HARD */
			return eq_no_slot(r, gpa, pg) | (1 + test_prng_below(r, 3));
		default:	/* DMA_NONE poison in no memslot: pass 2 H_PARAMETER */
			return eq_no_slot(r, gpa, pg);
		}
	}
	if (k < 15)
		return 0;
	if (k < 25)		/* DMA_NONE poison with stray bits, in a memslot */
		return gpa | (test_prng_below(r, pg) & ~3ULL);
	return gpa | (1 + test_prng_below(r, 3));
}

static void test_kvmppc_h_put_tce_indirect_same_as_reference(void **state)
{
	static struct eq_table tabs[3] = {
		{ .liobn = 0x3000, .shift = 12 },
		{ .liobn = 0x3001, .shift = 12, .linked = true },
		{ .liobn = 0x3002, .shift = 16 },
	};
	static uint64_t list[513];
	struct test_world *tw = test_world_new(NULL);
	struct tcesim_mm *mm;
	struct tcesim_kvm *kvm;
	unsigned int round, t;

	(void)state;
	assert_int_equal(tcesim_mm_create(tw->w, "qemu", 64ULL << 20, false, &mm), 0);
	assert_int_equal(tcesim_mm_mmap(mm, EQ_RAM_VA, EQ_RAM_SIZE,
					TCESIM_PROT_READ | TCESIM_PROT_WRITE, 0), 0);
	assert_int_equal(tcesim_mm_mmap(mm, EQ_S2_VA, EQ_S2_SIZE,
					TCESIM_PROT_READ | TCESIM_PROT_WRITE, 0), 0);
	assert_int_equal(tcesim_kvm_create(tw->w, &kvm), 0);
	assert_int_equal(tcesim_kvm_set_user_memory_region(kvm, 0, EQ_RAM_SIZE, mm, EQ_RAM_VA), 0);
	assert_int_equal(tcesim_kvm_set_user_memory_region(kvm, EQ_S2_GPA, EQ_S2_SIZE, mm,
							   EQ_S2_VA), 0);
	for (t = 0; t < 3; t++) {
		struct tcesim_kvm_create_spapr_tce_64 a = {
			.liobn = tabs[t].liobn, .page_shift = tabs[t].shift,
			.offset = EQ_OFFSET, .size = EQ_SIZE,
		};

		memset(tabs[t].model, 0, sizeof(tabs[t].model));
		memset(&tabs[t].m, 0, sizeof(tabs[t].m));
		assert_int_equal(tcesim_kvm_vm_ioctl_create_spapr_tce(kvm, &a, NULL), 0);
		if (tabs[t].linked)
			assert_int_equal(kvmppc_stt_link_table(kvm, tabs[t].liobn, &mock_ops,
							       &tabs[t].m), 0);
	}
	for (round = 0; round < 600; round++) {
		unsigned int bad_pct = test_prng_below(&tw->rng, 2) ? 0 :
			(unsigned int)test_prng_below(&tw->rng, 3);
		uint64_t n, first, ioba, i, live = 0;

		n = test_prng_below(&tw->rng, 8) ? test_prng_below(&tw->rng, 513) :
			(test_prng_below(&tw->rng, 2) ? 512 : 513);
		for (i = 0; i < n; i++)
			list[i] = eq_random_tce(&tw->rng, tabs[round % 3].shift, bad_pct);
		if (n)
			assert_int_equal(tcesim_kvm_write_guest_be64(kvm, EQ_LIST_GPA, list,
								     n > 512 ? 512 : n), 0);
		/* mostly in bounds, sometimes across either end of the window */
		first = EQ_OFFSET + test_prng_below(&tw->rng, EQ_SIZE);
		if (!test_prng_below(&tw->rng, 10))
			first = EQ_OFFSET - 1 - test_prng_below(&tw->rng, 4);
		else if (test_prng_below(&tw->rng, 4) && first + n > EQ_OFFSET + EQ_SIZE)
			first = EQ_OFFSET + EQ_SIZE - n;
		for (t = 0; t < 3; t++) {
			struct eq_table *tb = &tabs[t];
			uint64_t processed, e, maps0 = (uint64_t)(tb->m.maps + tb->m.unmaps);
			long want, got;

			if (tb->shift != tabs[round % 3].shift)
				continue;
			ioba = first << tb->shift;
			if (!test_prng_below(&tw->rng, 40))
				ioba |= 1ULL << (tb->shift - 1);	/* misaligned ioba */
			want = eq_reference(tb, ioba, list, n, &processed);
			got = tcesim_kvmppc_h_put_tce_indirect(kvm, tb->liobn, ioba, EQ_LIST_GPA, n);
			if (got != want)
				fail_msg("round %u liobn %llx ioba %llx n %llu: got %ld want %ld", round,
					 (unsigned long long)tb->liobn, (unsigned long long)ioba,
					 (unsigned long long)n, got, want);
			if (tb->linked)
				assert_int_equal((uint64_t)(tb->m.maps + tb->m.unmaps) - maps0,
						 processed);
			for (e = 0; e < EQ_SIZE; e++) {
				uint64_t v = 0xdead;

				assert_hcall(tcesim_kvmppc_h_get_tce(kvm, tb->liobn,
								     (EQ_OFFSET + e) << tb->shift,
								     &v), TCESIM_H_SUCCESS);
				if (v != tb->model[e])
					fail_msg("round %u liobn %llx entry %llu: %llx, want %llx",
						 round, (unsigned long long)tb->liobn,
						 (unsigned long long)e, (unsigned long long)v,
						 (unsigned long long)tb->model[e]);
			}
		}
		for (t = 0; t < 3; t++)
			for (i = 0; i < EQ_SIZE; i++)
				live += tabs[t].model[i] != 0;
		assert_int_equal(tcesim_kvm_live_tces(kvm), live);
	}
	assert_int_equal(kvmppc_stt_unlink_table(kvm, tabs[1].liobn, &tabs[1].m), 0);
	tcesim_kvm_destroy(kvm);
	tcesim_rcu_barrier();
	tcesim_mm_exit(mm);
	test_world_free(tw);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_create_spapr_tce_einval),
		T(test_create_spapr_tce_duplicate_ebusy),
		T(test_create_spapr_tce_locked_vm),
		T(test_create_spapr_tce_fail_alloc),
		T(test_set_user_memory_region_errors),
		T(test_kvmppc_h_put_tce_outcomes),
		T(test_kvmppc_ioba_validate_offset),
		T(test_kvmppc_h_put_tce_indirect_outcomes),
		T(test_kvmppc_h_stuff_tce_outcomes),
		T(test_kvmppc_h_get_tce_outcomes),
		T(test_kvmppc_linked_table),
		cmocka_unit_test(test_kvmppc_h_put_tce_indirect_same_as_reference),
	};

	test_seed();
	return cmocka_run_group_tests_name("kvm", tests, NULL, NULL);
}
