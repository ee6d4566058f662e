// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_kvm.c - the hypercall tiers: KVM's in-kernel handlers (B8), QEMU's
 * handlers and translation (B9, traces/README.md "QEMU 7.2 behaviour"),
 * the Q6 divergences (the same call answered by each tier), the KVM ->
 * QEMU fallback of the dispatcher, QEMU's trace lines, and balance (no
 * allocation left, no page pinned, locked_vm back to zero).
 *
 * Fixture: a process "qemu" with 1 MiB of guest RAM at va 0x10000000,
 * memslot gpa 0 -> that va, plus a memslot at gpa 0x10000000 whose user
 * range is not mapped (get_user fails there). KVM table LIOBN 0x1000:
 * 4K pages, offset 0, 512 entries (KVM-backed QEMU view). QEMU-only
 * table LIOBN 0x2000: 4K pages, bus_offset 0x100000, 16 entries.
 */
#include "tcesim_test.h"

#include "kvm/kvm_internal.h"

#define RAM_VA		0x10000000ULL
#define RAM_SIZE	(1ULL << 20)
#define HOLE_GPA	0x10000000ULL	/* memslot whose process range is unmapped */
#define HOLE_VA		0x40000000ULL
#define LIOBN_KVM	0x1000ULL
#define LIOBN_QEMU	0x2000ULL
#define QEMU_BUS	0x100000ULL
#define LIST_GPA	0x8000ULL	/* a 4K-aligned TCE list in guest RAM */

struct fx {
	struct test_world *tw;
	struct tcesim_mm *mm;
	struct tcesim_kvm *kvm;
	long base_allocs;
	char *tbuf;		/* trace capture */
	size_t tlen;
	FILE *trace;
};

#define COLD_GPA	0x20000000ULL	/* memslot over mapped but never touched memory */
#define COLD_VA		0x30000000ULL

static int fx_setup_cfg(void **state, enum tcesim_hcall_mode mode, enum tcesim_flavour flavour);

static int fx_setup_mode(void **state, enum tcesim_hcall_mode mode)
{
	return fx_setup_cfg(state, mode, TCESIM_FLAVOUR_MODERN);
}

static int fx_setup_cfg(void **state, enum tcesim_hcall_mode mode, enum tcesim_flavour flavour)
{
	struct tcesim_world_cfg cfg;
	struct fx *f = calloc(1, sizeof(*f));
	static char zeros[RAM_SIZE];

	assert_non_null(f);
	tcesim_world_cfg_init(&cfg);
	cfg.hcall = mode;
	cfg.flavour = flavour;
	f->tw = test_world_new(&cfg);
	assert_int_equal(tcesim_mm_create(f->tw->w, "qemu", 64ULL << 20, false, &f->mm), 0);
	assert_int_equal(tcesim_mm_mmap(f->mm, RAM_VA, RAM_SIZE,
					TCESIM_PROT_READ | TCESIM_PROT_WRITE, 0), 0);
	assert_int_equal(tcesim_mm_mmap(f->mm, COLD_VA, 0x10000,
					TCESIM_PROT_READ | TCESIM_PROT_WRITE, 0), 0);
	/* Touch all guest RAM now, so later guest writes allocate nothing. */
	assert_int_equal(tcesim_mm_write(f->mm, RAM_VA, zeros, RAM_SIZE), 0);
	/* the module's per-world state lives as long as the world: create it first */
	assert_int_equal(tcesim_kvm_create(f->tw->w, &f->kvm), 0);
	tcesim_kvm_destroy(f->kvm);
	f->base_allocs = tcesim_world_live_allocs(f->tw->w);
	assert_int_equal(tcesim_kvm_create(f->tw->w, &f->kvm), 0);
	assert_int_equal(tcesim_kvm_set_user_memory_region(f->kvm, 0, RAM_SIZE, f->mm, RAM_VA), 0);
	assert_int_equal(tcesim_kvm_set_user_memory_region(f->kvm, HOLE_GPA, 0x10000, f->mm,
							   HOLE_VA), 0);
	assert_int_equal(tcesim_kvm_set_user_memory_region(f->kvm, COLD_GPA, 0x10000, f->mm,
							   COLD_VA), 0);
	assert_int_equal(tcesim_spapr_tce_new_table(f->kvm, LIOBN_KVM, 0, 12, 512, true, f->mm),
			 0);
	assert_int_equal(tcesim_spapr_tce_new_table(f->kvm, LIOBN_QEMU, QEMU_BUS, 12, 16, false,
						    NULL), 0);
	f->trace = open_memstream(&f->tbuf, &f->tlen);
	assert_non_null(f->trace);
	tcesim_kvm_set_trace(f->kvm, f->trace);
	*state = f;
	return 0;
}

static int fx_setup(void **state)
{
	return fx_setup_mode(state, TCESIM_HCALL_KVM_QEMU);
}

static int fx_setup_kvm_only(void **state)
{
	return fx_setup_mode(state, TCESIM_HCALL_KVM);
}

static int fx_setup_qemu_only(void **state)
{
	return fx_setup_mode(state, TCESIM_HCALL_QEMU);
}

static int fx_setup_legacy_2016(void **state)
{
	return fx_setup_cfg(state, TCESIM_HCALL_KVM_QEMU, TCESIM_FLAVOUR_LEGACY_2016);
}

static int fx_setup_legacy_2013(void **state)
{
	return fx_setup_cfg(state, TCESIM_HCALL_KVM_QEMU, TCESIM_FLAVOUR_LEGACY_2013);
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;

	tcesim_kvm_destroy(f->kvm);
	tcesim_rcu_barrier();
	/* every table's locked_vm is returned, every model allocation freed */
	assert_int_equal(tcesim_mm_locked_vm(f->mm), 0);
	assert_int_equal(tcesim_world_live_allocs(f->tw->w), f->base_allocs);
	tcesim_mm_exit(f->mm);
	test_world_free(f->tw);
	fclose(f->trace);
	free(f->tbuf);
	free(f);
	return 0;
}

/* The trace lines emitted since the last call (then forgotten). */
static const char *trace_take(struct fx *f)
{
	static char last[4096];

	fclose(f->trace);
	snprintf(last, sizeof(last), "%s", f->tbuf ? f->tbuf : "");
	free(f->tbuf);
	f->tbuf = NULL;
	f->trace = open_memstream(&f->tbuf, &f->tlen);
	assert_non_null(f->trace);
	tcesim_kvm_set_trace(f->kvm, f->trace);
	return last;
}

static uint64_t kvm_get(struct fx *f, uint64_t liobn, uint64_t ioba)
{
	uint64_t tce = 0xdead;

	assert_hcall(tcesim_kvmppc_h_get_tce(f->kvm, liobn, ioba, &tce), TCESIM_H_SUCCESS);
	return tce;
}

static uint64_t digest(struct fx *f, uint64_t liobn)
{
	uint64_t d = 0;

	assert_int_equal(tcesim_spapr_tce_digest(f->kvm, liobn, &d), 0);
	return d;
}

static void put_list(struct fx *f, const uint64_t *v, size_t n)
{
	assert_int_equal(tcesim_kvm_write_guest_be64(f->kvm, LIST_GPA, v, n), 0);
}

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

/* A linked hardware table that records calls and fails on demand. */
struct mock_hw {
	int maps, unmaps, clears, kills, validates, releases;
	long map_ret, unmap_ret, validate_ret;
	uint64_t last_entry, last_ua;
};

static long mock_validate(void *p, struct tcesim_mm *mm, uint64_t ua)
{
	struct mock_hw *m = p;

	(void)mm;
	m->validates++;
	m->last_ua = ua;
	return m->validate_ret;
}

static long mock_map(void *p, uint64_t entry, struct tcesim_mm *mm, uint64_t ua,
		     enum tcesim_dma_data_direction dir)
{
	struct mock_hw *m = p;

	(void)mm;
	(void)dir;
	m->maps++;
	m->last_entry = entry;
	m->last_ua = ua;
	return m->map_ret;
}

static long mock_unmap(void *p, uint64_t entry)
{
	struct mock_hw *m = p;

	m->unmaps++;
	m->last_entry = entry;
	return m->unmap_ret;
}

static void mock_clear(void *p, uint64_t entry)
{
	((struct mock_hw *)p)->clears++;
	(void)entry;
}

static void mock_kill(void *p, uint64_t entry, uint64_t npages)
{
	((struct mock_hw *)p)->kills++;
	(void)entry;
	(void)npages;
}

static void mock_release(void *p)
{
	((struct mock_hw *)p)->releases++;
}

static const struct kvmppc_linked_table_ops mock_ops = {
	.validate = mock_validate, .map = mock_map, .unmap = mock_unmap,
	.clear = mock_clear, .kill = mock_kill, .release = mock_release,
};

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
	if ((ioba & pmask) || idx < EQ_OFFSET || idx - EQ_OFFSET + n > EQ_SIZE)
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

/* ----------------------------------------------------------- QEMU tier --- */

static void test_h_put_tce_outcomes(void **state)
{
	struct fx *f = *state;
	struct tcesim_hcall_out out = { 0 };
	uint64_t tce = 0;

	/* unknown LIOBN: H_PARAMETER, traced with the guest's (unmasked) ioba */
	assert_hcall(tcesim_h_put_tce(f->kvm, 0x9999, 0x1234, 0x1003, &out), TCESIM_H_PARAMETER);
	assert_string_equal(trace_take(f),
			    "spapr_iommu_put liobn=0x9999 ioba=0x1234 tce=0x1003 ret=-4\n");
	/* a LIOBN above 32 bits is never found, even if its low half exists */
	assert_hcall(tcesim_h_put_tce(f->kvm, (1ULL << 32) | LIOBN_QEMU, QEMU_BUS, 0x1003, NULL),
		     TCESIM_H_PARAMETER);
	trace_take(f);
	/* misaligned ioba is masked down; any TCE is stored */
	assert_hcall(tcesim_h_put_tce(f->kvm, LIOBN_QEMU, QEMU_BUS + 0x17ff, 0xfff0000000000fffULL,
				      &out), TCESIM_H_SUCCESS);
	assert_int_equal(out.trace_ioba, QEMU_BUS + 0x1000);
	assert_string_equal(trace_take(f), "spapr_iommu_put liobn=0x2000 ioba=0x101000 "
					   "tce=0xfff0000000000fff ret=0\n");
	assert_hcall(tcesim_h_get_tce(f->kvm, LIOBN_QEMU, QEMU_BUS + 0x1000, &tce, NULL),
		     TCESIM_H_SUCCESS);
	assert_int_equal(tce, 0xfff0000000000fffULL);
	/* below bus_offset (wraps) and past the window */
	assert_hcall(tcesim_h_put_tce(f->kvm, LIOBN_QEMU, QEMU_BUS - 0x1000, 0x1003, NULL),
		     TCESIM_H_PARAMETER);
	assert_hcall(tcesim_h_put_tce(f->kvm, LIOBN_QEMU, QEMU_BUS + (16 << 12), 0x1003, NULL),
		     TCESIM_H_PARAMETER);
	assert_hcall(tcesim_h_put_tce(f->kvm, LIOBN_QEMU, 0xffffffffffff0000ULL, 0x1003, NULL),
		     TCESIM_H_PARAMETER);
	trace_take(f);
}

static void test_h_put_tce_indirect_outcomes(void **state)
{
	struct fx *f = *state;
	struct tcesim_hcall_out out = { 0 };
	uint64_t list[2] = { 0x7003, 0x8003 };
	uint64_t tce;

	put_list(f, list, 2);
	/* refused without a trace */
	assert_hcall(tcesim_h_put_tce_indirect(f->kvm, 0x9999, 0, LIST_GPA, 2, &out),
		     TCESIM_H_PARAMETER);
	assert_hcall(tcesim_h_put_tce_indirect(f->kvm, LIOBN_QEMU, QEMU_BUS, LIST_GPA, 513, &out),
		     TCESIM_H_PARAMETER);
	assert_hcall(tcesim_h_put_tce_indirect(f->kvm, LIOBN_QEMU, QEMU_BUS, LIST_GPA + 8, 2, &out),
		     TCESIM_H_PARAMETER);
	assert_false(out.traced);
	assert_string_equal(trace_take(f), "");
	/* npages 0: H_PARAMETER, traced, nothing written */
	assert_hcall(tcesim_h_put_tce_indirect(f->kvm, LIOBN_QEMU, QEMU_BUS, LIST_GPA, 0, &out),
		     TCESIM_H_PARAMETER);
	assert_string_equal(trace_take(f), "spapr_iommu_indirect liobn=2000 ioba=0x100000 "
					   "tcelist=0x8000 iobaN=0x0 tceN=0x0 ret=-4\n");
	/* entry 0 lands in the last slot, entry 1 is out of range: partial */
	assert_hcall(tcesim_h_put_tce_indirect(f->kvm, LIOBN_QEMU, QEMU_BUS + (15 << 12) + 0x10,
					       LIST_GPA, 2, &out), TCESIM_H_PARAMETER);
	assert_int_equal(out.trace_idx, 0);
	assert_int_equal(out.trace_tce, 0x8003);
	assert_string_equal(trace_take(f), "spapr_iommu_indirect liobn=2000 ioba=0x10f010 "
					   "tcelist=0x8000 iobaN=0x0 tceN=0x8003 ret=-4\n");
	assert_hcall(tcesim_h_get_tce(f->kvm, LIOBN_QEMU, QEMU_BUS + (15 << 12), &tce, NULL),
		     TCESIM_H_SUCCESS);
	assert_int_equal(tce, 0x7003);
	/* success: iobaN is the last index */
	assert_hcall(tcesim_h_put_tce_indirect(f->kvm, LIOBN_QEMU, QEMU_BUS, LIST_GPA, 2, &out),
		     TCESIM_H_SUCCESS);
	assert_int_equal(out.trace_idx, 1);
	assert_int_equal(out.trace_tce, 0x8003);
	trace_take(f);
	/* a list outside guest RAM reads as zeros (unassigned memory) */
	assert_hcall(tcesim_h_put_tce_indirect(f->kvm, LIOBN_QEMU, QEMU_BUS, 0x7000000000ULL, 1,
					       &out), TCESIM_H_SUCCESS);
	assert_int_equal(out.trace_tce, 0);
	trace_take(f);
}

static void test_h_stuff_tce_outcomes(void **state)
{
	struct fx *f = *state;
	struct tcesim_hcall_out out = { 0 };
	uint64_t tce;

	assert_hcall(tcesim_h_stuff_tce(f->kvm, 0x9999, 0, 0, 1, &out), TCESIM_H_PARAMETER);
	assert_hcall(tcesim_h_stuff_tce(f->kvm, LIOBN_QEMU, QEMU_BUS, 0, 17, &out),
		     TCESIM_H_PARAMETER);
	assert_string_equal(trace_take(f), "");
	assert_hcall(tcesim_h_stuff_tce(f->kvm, LIOBN_QEMU, QEMU_BUS, 0, 0, &out),
		     TCESIM_H_PARAMETER);
	assert_string_equal(trace_take(f), "spapr_iommu_stuff liobn=2000 ioba=0x100000 "
					   "tcevalue=0x0 npages=0 ret=-4\n");
	/* R/W bits are not checked by QEMU */
	assert_hcall(tcesim_h_stuff_tce(f->kvm, LIOBN_QEMU, QEMU_BUS + 0x1fff, 0x9003, 2, &out),
		     TCESIM_H_SUCCESS);
	assert_int_equal(out.trace_ioba, QEMU_BUS + 0x3000);	/* where the loop stopped */
	trace_take(f);
	/* partial: 14..15 written, 16 out of range */
	assert_hcall(tcesim_h_stuff_tce(f->kvm, LIOBN_QEMU, QEMU_BUS + (14 << 12), 0xa003, 3, &out),
		     TCESIM_H_PARAMETER);
	assert_int_equal(out.trace_ioba, QEMU_BUS + (16 << 12));
	assert_hcall(tcesim_h_get_tce(f->kvm, LIOBN_QEMU, QEMU_BUS + (15 << 12), &tce, NULL),
		     TCESIM_H_SUCCESS);
	assert_int_equal(tce, 0xa003);
	trace_take(f);
}

/*
 * H_STUFF_TCE on QEMU's array stores the in-window run in one pass: random
 * calls (starts below, inside and past the window, counts past its end,
 * zero and non-zero values) against QEMU's loop entry by entry: return
 * code, traced stop ioba, every entry, the table's and the VM's live counts.
 */
static void test_h_stuff_tce_same_as_loop(void **state)
{
	struct fx *f = *state;
	struct test_prng rng = { test_seed() };
	struct tcesim_spapr_tce_info info;
	uint64_t ref[16], tce, i;
	int64_t live_vm;
	int iter;

	for (i = 0; i < 16; i++)
		assert_hcall(tcesim_h_get_tce(f->kvm, LIOBN_QEMU, QEMU_BUS + (i << 12), &ref[i],
					      NULL), TCESIM_H_SUCCESS);
	live_vm = (int64_t)tcesim_kvm_live_tces(f->kvm);
	assert_int_equal(tcesim_spapr_tce_table_info(f->kvm, LIOBN_QEMU, &info), 0);
	live_vm -= (int64_t)info.live;
	for (iter = 0; iter < 3000; iter++) {
		struct tcesim_hcall_out out = { 0 };
		uint64_t ioba = QEMU_BUS + (test_prng_below(&rng, 24) << 12) - (3 << 12) +
				test_prng_below(&rng, 0x1000);
		uint64_t npages = test_prng_below(&rng, 20), live = 0, io = ioba & ~0xfffULL;
		uint64_t val = test_prng_below(&rng, 3) ? 0 :
			       (test_prng_below(&rng, 1 << 20) << 12) | test_prng_below(&rng, 4);
		long want = TCESIM_H_PARAMETER;

		if (test_prng_below(&rng, 50) == 0)
			ioba = test_prng_next(&rng);	/* anywhere, wrapping included */
		io = ioba & ~0xfffULL;
		/* QEMU 7.2 h_stuff_tce(): npages > nb_table is refused untraced */
		if (npages <= 16) {
			for (i = 0; i < npages; i++, io += 0x1000) {
				uint64_t idx = (io - QEMU_BUS) >> 12;

				if (idx >= 16) {
					want = TCESIM_H_PARAMETER;
					break;
				}
				ref[idx] = val;
				want = TCESIM_H_SUCCESS;
			}
		}
		assert_hcall(tcesim_h_stuff_tce(f->kvm, LIOBN_QEMU, ioba, val, npages, &out),
			     want);
		if (npages <= 16) {
			assert_true(out.traced);
			assert_int_equal(out.trace_ioba, io);
		}
		for (i = 0; i < 16; i++) {
			assert_hcall(tcesim_h_get_tce(f->kvm, LIOBN_QEMU, QEMU_BUS + (i << 12),
						      &tce, NULL), TCESIM_H_SUCCESS);
			assert_int_equal(tce, ref[i]);
			live += ref[i] != 0;
		}
		assert_int_equal(tcesim_spapr_tce_table_info(f->kvm, LIOBN_QEMU, &info), 0);
		assert_int_equal(info.live, live);
		assert_int_equal(tcesim_kvm_live_tces(f->kvm), (uint64_t)live_vm + live);
		trace_take(f);
	}
}

static void test_h_get_tce_outcomes(void **state)
{
	struct fx *f = *state;
	uint64_t tce = 0x55;

	assert_hcall(tcesim_h_get_tce(f->kvm, 0x9999, 0, &tce, NULL), TCESIM_H_PARAMETER);
	assert_hcall(tcesim_h_get_tce(f->kvm, LIOBN_QEMU, 0, &tce, NULL), TCESIM_H_PARAMETER);
	assert_int_equal(tce, 0x55);
	assert_string_equal(trace_take(f),
			    "spapr_iommu_get liobn=0x9999 ioba=0x0 ret=-4 tce=0x0\n"
			    "spapr_iommu_get liobn=0x2000 ioba=0x0 ret=-4 tce=0x0\n");
	assert_hcall(tcesim_h_get_tce(f->kvm, LIOBN_QEMU, QEMU_BUS + 0x20, &tce, NULL),
		     TCESIM_H_SUCCESS);
	assert_int_equal(tce, 0);
	trace_take(f);
}

static void test_spapr_tce_translate_iommu(void **state)
{
	struct fx *f = *state;
	struct tcesim_iommu_tlb_entry e;
	unsigned int perm;

	assert_errno(tcesim_spapr_tce_translate_iommu(f->kvm, 0x9999, 0, &e), -ENOENT);
	for (perm = 0; perm < 4; perm++) {
		assert_hcall(tcesim_h_put_tce(f->kvm, LIOBN_QEMU, QEMU_BUS + 0x2000,
					      0x123456000ULL | perm, NULL), TCESIM_H_SUCCESS);
		assert_int_equal(tcesim_spapr_tce_translate_iommu(f->kvm, LIOBN_QEMU, 0x2abc, &e),
				 0);
		assert_int_equal(e.perm, perm);
		assert_int_equal(e.translated_addr, 0x123456000ULL);
		assert_int_equal(e.iova, 0x2000);
		assert_int_equal(e.addr_mask, 0xfff);
	}
	trace_take(f);
	/* the offset is relative to the window: out of bounds past 16 entries */
	assert_int_equal(tcesim_spapr_tce_translate_iommu(f->kvm, LIOBN_QEMU, 16 << 12, &e), 0);
	assert_int_equal(e.perm, 0);
	assert_int_equal(e.translated_addr, 0);
	assert_int_equal(e.addr_mask, ~0ULL);
	assert_string_equal(trace_take(f),
			    "spapr_iommu_xlate liobn=2000 0x10000 -> 0x0 perm=0 mask=ffffffff\n");
	/* a 16M-page DDW at 1<<59 */
	assert_int_equal(tcesim_spapr_tce_new_table(f->kvm, 0x80000001, 1ULL << 59, 24, 64, false,
						    NULL), 0);
	assert_hcall(tcesim_h_put_tce(f->kvm, 0x80000001, (1ULL << 59) + (3ULL << 24) + 5,
				      0x5000003ULL, NULL), TCESIM_H_SUCCESS);
	assert_string_equal(trace_take(f), "spapr_iommu_pci_put liobn=0x80000001 "
					   "ioba=0x800000003000000 tce=0x5000003 ret=0\n");
	assert_int_equal(tcesim_spapr_tce_translate_iommu(f->kvm, 0x80000001, (3ULL << 24) + 0x10,
							  &e), 0);
	assert_int_equal(e.translated_addr, 0x5000000);
	assert_int_equal(e.addr_mask, 0xffffff);
	assert_string_equal(trace_take(f), "spapr_iommu_xlate liobn=80000001 0x3000010 -> "
					   "0x5000000 perm=3 mask=ffffff\n");
	assert_int_equal(tcesim_spapr_tce_table_disable(f->kvm, 0x80000001), 0);
	assert_errno(tcesim_spapr_tce_table_disable(f->kvm, 0x80000001), -ENOENT);
}

/* The batch gives what the same single translations give, traced the same way, in order. */
static void test_spapr_tce_translate_iommu_batch_same_as_single(void **state)
{
	struct fx *f = *state;
	struct tcesim_iommu_tlb_entry eb[24], e, poison;
	uint64_t addr[24];
	char single[4096];
	unsigned int i;

	memset(&poison, 0xa5, sizeof(poison));
	for (i = 0; i < 8; i++)
		assert_hcall(tcesim_h_put_tce(f->kvm, LIOBN_QEMU, QEMU_BUS + ((uint64_t)i << 12),
					      (0x40000000ULL + ((uint64_t)i << 20)) | (i & 3), NULL),
			     TCESIM_H_SUCCESS);
	trace_take(f);
	/* in bounds, unaligned, never written, and past the 16-entry window */
	for (i = 0; i < 24; i++)
		addr[i] = ((uint64_t)i << 12) + i * 0x11;
	addr[23] = ~0ULL;
	single[0] = '\0';
	for (i = 0; i < 24; i++) {
		assert_int_equal(tcesim_spapr_tce_translate_iommu(f->kvm, LIOBN_QEMU, addr[i], &e), 0);
		strncat(single, trace_take(f), sizeof(single) - strlen(single) - 1);
		eb[i] = poison;
	}
	assert_int_equal(tcesim_spapr_tce_translate_iommu_batch(f->kvm, LIOBN_QEMU, addr, 24, eb),
			 0);
	assert_string_equal(trace_take(f), single);
	for (i = 0; i < 24; i++) {
		assert_int_equal(tcesim_spapr_tce_translate_iommu(f->kvm, LIOBN_QEMU, addr[i], &e), 0);
		assert_int_equal(eb[i].iova, e.iova);
		assert_int_equal(eb[i].translated_addr, e.translated_addr);
		assert_int_equal(eb[i].addr_mask, e.addr_mask);
		assert_int_equal(eb[i].perm, e.perm);
	}
	trace_take(f);
	assert_int_equal(eb[3].translated_addr, 0x40300000ULL);
	assert_int_equal(eb[3].perm, 3);
	assert_int_equal(eb[20].addr_mask, ~0ULL);
	/* no table: -ENOENT, nothing written, nothing traced */
	eb[0] = poison;
	assert_errno(tcesim_spapr_tce_translate_iommu_batch(f->kvm, 0x9999, addr, 1, eb), -ENOENT);
	assert_memory_equal(&eb[0], &poison, sizeof(poison));
	assert_errno(tcesim_spapr_tce_translate_iommu_batch(f->kvm, (1ULL << 32) | LIOBN_QEMU,
							    addr, 1, eb), -ENOENT);
	assert_int_equal(trace_take(f)[0], '\0');
	/* n = 0: the lookup only */
	assert_int_equal(tcesim_spapr_tce_translate_iommu_batch(f->kvm, LIOBN_QEMU, NULL, 0, NULL),
			 0);
	assert_int_equal(trace_take(f)[0], '\0');
}

static void test_spapr_tce_new_table_errors(void **state)
{
	struct fx *f = *state;

	assert_errno(tcesim_spapr_tce_new_table(f->kvm, LIOBN_QEMU, 0, 12, 16, false, NULL),
		     -EBUSY);
	assert_true(tcesim_world_log_contains(f->tw->w, "duplicate LIOBN 0x2000"));
	assert_errno(tcesim_spapr_tce_new_table(f->kvm, 1ULL << 32, 0, 12, 16, false, NULL),
		     -EINVAL);
	assert_errno(tcesim_spapr_tce_new_table(f->kvm, 0x3000, 0, 11, 16, false, NULL), -EINVAL);
	assert_errno(tcesim_spapr_tce_new_table(f->kvm, 0x3000, 0x800, 12, 16, true, NULL),
		     -EINVAL);
	assert_errno(tcesim_spapr_tce_new_table(f->kvm, 0x3000, 0, 12, 0, true, NULL), -EINVAL);
}

static void test_pci_trace_lines(void **state)
{
	struct fx *f = *state;
	uint64_t list[1] = { 0x1003 };
	uint64_t tce;

	assert_int_equal(tcesim_spapr_tce_new_table(f->kvm, 0x80000100, 0, 12, 8, false, NULL), 0);
	put_list(f, list, 1);
	assert_hcall(tcesim_h_put_tce_indirect(f->kvm, 0x80000100, 0x1000, LIST_GPA, 1, NULL),
		     TCESIM_H_SUCCESS);
	assert_hcall(tcesim_h_stuff_tce(f->kvm, 0x80000100, 0x1000, 0, 1, NULL), TCESIM_H_SUCCESS);
	assert_hcall(tcesim_h_get_tce(f->kvm, 0x80000100, 0x1000, &tce, NULL), TCESIM_H_SUCCESS);
	assert_string_equal(trace_take(f),
			    "spapr_iommu_pci_indirect liobn=80000100 ioba=0x1000 tcelist=0x8000 "
			    "iobaN=0x0 tceN=0x1003 ret=0\n"
			    "spapr_iommu_pci_stuff liobn=80000100 ioba=0x2000 tcevalue=0x0 "
			    "npages=1 ret=0\n"
			    "spapr_iommu_pci_get liobn=0x80000100 ioba=0x1000 ret=0 tce=0x0\n");
	assert_int_equal(tcesim_spapr_tce_table_disable(f->kvm, 0x80000100), 0);
}

/* -------------------------------------------------- Q6 and dispatching --- */

static long both(struct fx *f, unsigned long req, uint64_t a1, uint64_t a2, uint64_t a3,
		 bool qemu, uint64_t *r4)
{
	uint64_t dummy;

	if (!r4)
		r4 = &dummy;
	switch (req) {
	case TCESIM_H_PUT_TCE:
		return qemu ? tcesim_h_put_tce(f->kvm, LIOBN_KVM, a1, a2, NULL) :
			      tcesim_kvmppc_h_put_tce(f->kvm, LIOBN_KVM, a1, a2);
	case TCESIM_H_PUT_TCE_INDIRECT:
		return qemu ? tcesim_h_put_tce_indirect(f->kvm, LIOBN_KVM, a1, a2, a3, NULL) :
			      tcesim_kvmppc_h_put_tce_indirect(f->kvm, LIOBN_KVM, a1, a2, a3);
	case TCESIM_H_STUFF_TCE:
		return qemu ? tcesim_h_stuff_tce(f->kvm, LIOBN_KVM, a1, a2, a3, NULL) :
			      tcesim_kvmppc_h_stuff_tce(f->kvm, LIOBN_KVM, a1, a2, a3);
	default:
		return qemu ? tcesim_h_get_tce(f->kvm, LIOBN_KVM, a1, r4, NULL) :
			      tcesim_kvmppc_h_get_tce(f->kvm, LIOBN_KVM, a1, r4);
	}
}

static void test_q6_divergences(void **state)
{
	struct fx *f = *state;
	uint64_t list[2] = { 0x1003, 0x2003 };
	uint64_t tce;

	/* the QEMU view shares KVM's storage */
	assert_hcall(both(f, TCESIM_H_PUT_TCE, 0x1000, 0x1003, 0, false, NULL), TCESIM_H_SUCCESS);
	assert_hcall(both(f, TCESIM_H_GET_TCE, 0x1000, 0, 0, true, &tce), TCESIM_H_SUCCESS);
	assert_int_equal(tce, 0x1003);
	/* misaligned ioba: KVM refuses, QEMU masks */
	assert_hcall(both(f, TCESIM_H_PUT_TCE, 0x2010, 0x2003, 0, false, NULL), TCESIM_H_PARAMETER);
	assert_hcall(both(f, TCESIM_H_PUT_TCE, 0x2010, 0x2003, 0, true, NULL), TCESIM_H_SUCCESS);
	assert_int_equal(kvm_get(f, LIOBN_KVM, 0x2000), 0x2003);
	/* npages 0 INDIRECT: KVM success, QEMU H_PARAMETER */
	put_list(f, list, 2);
	assert_hcall(both(f, TCESIM_H_PUT_TCE_INDIRECT, 0, LIST_GPA, 0, false, NULL),
		     TCESIM_H_SUCCESS);
	assert_hcall(both(f, TCESIM_H_PUT_TCE_INDIRECT, 0, LIST_GPA, 0, true, NULL),
		     TCESIM_H_PARAMETER);
	/* npages 0 STUFF: KVM success, QEMU H_PARAMETER */
	assert_hcall(both(f, TCESIM_H_STUFF_TCE, 0, 0, 0, false, NULL), TCESIM_H_SUCCESS);
	assert_hcall(both(f, TCESIM_H_STUFF_TCE, 0, 0, 0, true, NULL), TCESIM_H_PARAMETER);
	/* STUFF with R/W: KVM H_PARAMETER, QEMU stores it */
	assert_hcall(both(f, TCESIM_H_STUFF_TCE, 0x3000, 0x3003, 1, false, NULL),
		     TCESIM_H_PARAMETER);
	assert_hcall(both(f, TCESIM_H_STUFF_TCE, 0x3000, 0x3003, 1, true, NULL), TCESIM_H_SUCCESS);
	assert_int_equal(kvm_get(f, LIOBN_KVM, 0x3000), 0x3003);
	/* INDIRECT running past the window: KVM writes nothing, QEMU writes 511 */
	assert_hcall(both(f, TCESIM_H_PUT_TCE_INDIRECT, 511 << 12, LIST_GPA, 2, false, NULL),
		     TCESIM_H_PARAMETER);
	assert_int_equal(kvm_get(f, LIOBN_KVM, 511 << 12), 0);
	assert_hcall(both(f, TCESIM_H_PUT_TCE_INDIRECT, 511 << 12, LIST_GPA, 2, true, NULL),
		     TCESIM_H_PARAMETER);
	assert_int_equal(kvm_get(f, LIOBN_KVM, 511 << 12), 0x1003);
	/* TCE whose address is not a valid guest page: KVM too hard, QEMU stores */
	assert_hcall(both(f, TCESIM_H_PUT_TCE, 0x4000, 0xfff0000000000fffULL, 0, false, NULL),
		     TCESIM_H_TOO_HARD);
	assert_hcall(both(f, TCESIM_H_PUT_TCE, 0x4000, 0xfff0000000000fffULL, 0, true, NULL),
		     TCESIM_H_SUCCESS);
	assert_int_equal(kvm_get(f, LIOBN_KVM, 0x4000), 0xfff0000000000fffULL);
	trace_take(f);
}

static void test_hcall_fallback(void **state)
{
	struct fx *f = *state;
	struct tcesim_hcall_out out;
	uint64_t a[4] = { LIOBN_KVM, 0x1000, 0x1003, 0 };

	/* KVM answers */
	assert_hcall(tcesim_kvm_hcall(f->kvm, TCESIM_H_PUT_TCE, a, &out), TCESIM_H_SUCCESS);
	assert_int_equal(out.tier, TCESIM_TIER_KVM);
	assert_string_equal(trace_take(f), "");
	/* KVM's own H_PARAMETER goes to the guest, not to QEMU */
	a[1] = 0x1008;
	assert_hcall(tcesim_kvm_hcall(f->kvm, TCESIM_H_PUT_TCE, a, &out), TCESIM_H_PARAMETER);
	assert_int_equal(out.tier, TCESIM_TIER_KVM);
	/* KVM too hard (gpa in no memslot) -> QEMU stores it */
	a[1] = 0x2000;
	a[2] = 0x7000000003ULL;
	assert_hcall(tcesim_kvm_hcall(f->kvm, TCESIM_H_PUT_TCE, a, &out), TCESIM_H_SUCCESS);
	assert_int_equal(out.tier, TCESIM_TIER_QEMU);
	assert_true(out.traced);
	assert_string_equal(trace_take(f),
			    "spapr_iommu_put liobn=0x1000 ioba=0x2000 tce=0x7000000003 ret=0\n");
	/* QEMU-only LIOBN: QEMU answers */
	a[0] = LIOBN_QEMU;
	a[1] = QEMU_BUS;
	a[2] = 0x1003;
	assert_hcall(tcesim_kvm_hcall(f->kvm, TCESIM_H_PUT_TCE, a, &out), TCESIM_H_SUCCESS);
	assert_int_equal(out.tier, TCESIM_TIER_QEMU);
	/* unknown everywhere: QEMU's H_PARAMETER */
	a[0] = 0x9999;
	assert_hcall(tcesim_kvm_hcall(f->kvm, TCESIM_H_STUFF_TCE, a, &out), TCESIM_H_PARAMETER);
	assert_int_equal(out.tier, TCESIM_TIER_QEMU);
	/* GET through KVM reports r4 */
	a[0] = LIOBN_KVM;
	a[1] = 0x1000;
	assert_hcall(tcesim_kvm_hcall(f->kvm, TCESIM_H_GET_TCE, a, &out), TCESIM_H_SUCCESS);
	assert_int_equal(out.tier, TCESIM_TIER_KVM);
	assert_int_equal(out.r4, 0x1003);
	assert_hcall(tcesim_kvm_hcall(f->kvm, 0x99, a, &out), TCESIM_H_FUNCTION);
	assert_int_equal(out.tier, TCESIM_TIER_NONE);
	trace_take(f);
}

static void test_hcall_kvm_only(void **state)
{
	struct fx *f = *state;
	struct tcesim_hcall_out out;
	uint64_t a[4] = { LIOBN_QEMU, QEMU_BUS, 0x1003, 0 };

	assert_hcall(tcesim_kvm_hcall(f->kvm, TCESIM_H_PUT_TCE, a, &out), TCESIM_H_TOO_HARD);
	assert_int_equal(out.tier, TCESIM_TIER_KVM);
	assert_string_equal(trace_take(f), "");
}

static void test_hcall_qemu_only(void **state)
{
	struct fx *f = *state;
	struct tcesim_hcall_out out;
	uint64_t a[4] = { LIOBN_KVM, 0x1010, 0x1003, 0 };

	/* QEMU answers even for KVM's table, with its own rules (masked ioba) */
	assert_hcall(tcesim_kvm_hcall(f->kvm, TCESIM_H_PUT_TCE, a, &out), TCESIM_H_SUCCESS);
	assert_int_equal(out.tier, TCESIM_TIER_QEMU);
	assert_int_equal(kvm_get(f, LIOBN_KVM, 0x1000), 0x1003);
	trace_take(f);
}

static void test_live_and_digest(void **state)
{
	struct fx *f = *state;
	struct tcesim_spapr_tce_info info;
	uint64_t d0 = digest(f, LIOBN_KVM), d1;

	assert_hcall(tcesim_kvmppc_h_put_tce(f->kvm, LIOBN_KVM, 0x1000, 0x1003), TCESIM_H_SUCCESS);
	assert_hcall(tcesim_h_put_tce(f->kvm, LIOBN_QEMU, QEMU_BUS, 0x1003, NULL),
		     TCESIM_H_SUCCESS);
	assert_int_equal(tcesim_kvm_live_tces(f->kvm), 2);
	assert_int_equal(tcesim_spapr_tce_table_info(f->kvm, LIOBN_KVM, &info), 0);
	assert_true(info.kvm_backed);
	assert_int_equal(info.live, 1);
	assert_int_equal(info.nb_table, 512);
	d1 = digest(f, LIOBN_KVM);
	assert_true(d1 != d0);
	/* same contents, same digest, whatever the storage */
	assert_int_equal(digest(f, LIOBN_QEMU) == d1, 0);
	assert_hcall(tcesim_kvmppc_h_put_tce(f->kvm, LIOBN_KVM, 0x1000, 0), TCESIM_H_SUCCESS);
	assert_int_equal(digest(f, LIOBN_KVM), d0);
	assert_int_equal(tcesim_kvm_live_tces(f->kvm), 1);
	assert_errno(tcesim_spapr_tce_table_info(f->kvm, 0x9999, &info), -ENOENT);
	trace_take(f);
}

/* ------------------------------------------- legacy_2016: three tiers --- */

static long call(struct fx *f, unsigned long req, uint64_t a0, uint64_t a1, uint64_t a2,
		 uint64_t a3, struct tcesim_hcall_out *out)
{
	uint64_t a[4] = { a0, a1, a2, a3 };

	return tcesim_kvm_hcall(f->kvm, req, a, out);
}

static void test_legacy_2016_real_mode_tiers(void **state)
{
	struct fx *f = *state;
	struct tcesim_hcall_out out;

	/* first mapping of a TCE page: real mode cannot allocate -> virtual mode */
	assert_hcall(call(f, TCESIM_H_PUT_TCE, LIOBN_KVM, 0x1000, 0x1003, 0, &out),
		     TCESIM_H_SUCCESS);
	assert_int_equal(out.tier, TCESIM_TIER_KVM);
	/* the page exists now: real mode answers */
	assert_hcall(call(f, TCESIM_H_PUT_TCE, LIOBN_KVM, 0x2000, 0x2003, 0, &out),
		     TCESIM_H_SUCCESS);
	assert_int_equal(out.tier, TCESIM_TIER_KVM_RM);
	assert_hcall(call(f, TCESIM_H_GET_TCE, LIOBN_KVM, 0x2000, 0, 0, &out), TCESIM_H_SUCCESS);
	assert_int_equal(out.tier, TCESIM_TIER_KVM_RM);
	assert_int_equal(out.r4, 0x2003);
	/* the old validator: misaligned gpa, gpa in no memslot -> H_PARAMETER in KVM */
	assert_hcall(call(f, TCESIM_H_PUT_TCE, LIOBN_KVM, 0x3000, 0x1801, 0, &out),
		     TCESIM_H_PARAMETER);
	assert_int_equal(out.tier, TCESIM_TIER_KVM_RM);
	assert_hcall(call(f, TCESIM_H_PUT_TCE, LIOBN_KVM, 0x3000, 0x7000000003ULL, 0, &out),
		     TCESIM_H_PARAMETER);
	assert_int_equal(out.tier, TCESIM_TIER_KVM_RM);
	/* unknown to KVM: both KVM tiers pass it on */
	assert_hcall(call(f, TCESIM_H_PUT_TCE, LIOBN_QEMU, QEMU_BUS, 0x1003, 0, &out),
		     TCESIM_H_SUCCESS);
	assert_int_equal(out.tier, TCESIM_TIER_QEMU);
	/* clearing never needs a page: real mode */
	assert_hcall(call(f, TCESIM_H_STUFF_TCE, LIOBN_KVM, 0x100000, 0, 16, &out),
		     TCESIM_H_SUCCESS);
	assert_int_equal(out.tier, TCESIM_TIER_KVM_RM);
	trace_take(f);
}

static void test_legacy_2016_indirect_list_not_present(void **state)
{
	struct fx *f = *state;
	struct tcesim_hcall_out out;
	uint64_t tce;

	assert_hcall(call(f, TCESIM_H_PUT_TCE, LIOBN_KVM, 0x1000, 0x1003, 0, &out),
		     TCESIM_H_SUCCESS);
	/*
	 * The list is in guest memory whose host page was never touched: real
	 * mode sees a non-present PTE and gives up; virtual mode faults it in
	 * (it reads as zeros: four "unmap" entries).
	 */
	assert_hcall(call(f, TCESIM_H_PUT_TCE_INDIRECT, LIOBN_KVM, 0, COLD_GPA, 4, &out),
		     TCESIM_H_SUCCESS);
	assert_int_equal(out.tier, TCESIM_TIER_KVM);
	assert_hcall(tcesim_kvmppc_h_get_tce(f->kvm, LIOBN_KVM, 0x1000, &tce), TCESIM_H_SUCCESS);
	assert_int_equal(tce, 0);
	/* present now */
	assert_hcall(call(f, TCESIM_H_PUT_TCE_INDIRECT, LIOBN_KVM, 0, COLD_GPA, 4, &out),
		     TCESIM_H_SUCCESS);
	assert_int_equal(out.tier, TCESIM_TIER_KVM_RM);
	/* the real-mode functions directly */
	assert_hcall(tcesim_kvmppc_rm_h_put_tce_indirect(f->kvm, LIOBN_KVM, 0, COLD_GPA, 513),
		     TCESIM_H_PARAMETER);
	assert_hcall(tcesim_kvmppc_rm_h_put_tce_indirect(f->kvm, 0x9999, 0, COLD_GPA, 1),
		     TCESIM_H_TOO_HARD);
	{
		struct tcesim_kvm_create_spapr_tce_64 a = { .liobn = 0x3000, .page_shift = 12,
							    .size = 4096 };

		assert_int_equal(tcesim_kvm_vm_ioctl_create_spapr_tce(f->kvm, &a, NULL), 0);
		/* a non-zero poison needs the (absent) TCE page; zero does not */
		assert_hcall(tcesim_kvmppc_rm_h_stuff_tce(f->kvm, 0x3000, 1024 << 12, 0x1000, 1),
			     TCESIM_H_TOO_HARD);
		assert_hcall(tcesim_kvmppc_rm_h_stuff_tce(f->kvm, 0x3000, 1024 << 12, 0, 1),
			     TCESIM_H_SUCCESS);
		assert_hcall(tcesim_kvmppc_h_stuff_tce(f->kvm, 0x3000, 1024 << 12, 0x1000, 1),
			     TCESIM_H_SUCCESS);
		assert_hcall(tcesim_kvmppc_rm_h_stuff_tce(f->kvm, 0x3000, 1024 << 12, 0x1000, 1),
			     TCESIM_H_SUCCESS);
		assert_int_equal(tcesim_kvm_spapr_tce_release(f->kvm, 0x3000), 0);
	}
	assert_hcall(tcesim_kvmppc_rm_h_stuff_tce(f->kvm, LIOBN_KVM, 0, 0x3, 1),
		     TCESIM_H_PARAMETER);
	trace_take(f);
}

/* ------------------------------------ legacy_2013: seed 004 (v9, 2013) --- */

/*
 * One KVM-tier call made in a fresh modern world and in a fresh legacy_2013
 * world; @list (4 TCEs) is written at LIST_GPA first. After the call the
 * entries 0..5 of LIOBN_KVM are compared with @after (NULL: unchanged,
 * i.e. still 0).
 */
struct era_case {
	const char *what;
	unsigned long req;
	uint64_t a[4];
	uint64_t list[4];
	long modern, y2013;
	uint64_t after_modern[6], after_2013[6];
};

static long era_run(const struct era_case *c, enum tcesim_flavour flavour, uint64_t got[6])
{
	void *state;
	struct fx *f;
	uint64_t r4 = 0, i;
	long ret;

	assert_int_equal(fx_setup_cfg(&state, TCESIM_HCALL_KVM, flavour), 0);
	f = state;
	put_list(f, c->list, 4);
	switch (c->req) {
	case TCESIM_H_PUT_TCE:
		ret = tcesim_kvmppc_h_put_tce(f->kvm, c->a[0], c->a[1], c->a[2]);
		break;
	case TCESIM_H_PUT_TCE_INDIRECT:
		ret = tcesim_kvmppc_h_put_tce_indirect(f->kvm, c->a[0], c->a[1], c->a[2], c->a[3]);
		break;
	case TCESIM_H_STUFF_TCE:
		ret = tcesim_kvmppc_h_stuff_tce(f->kvm, c->a[0], c->a[1], c->a[2], c->a[3]);
		break;
	default:
		ret = tcesim_kvmppc_h_get_tce(f->kvm, c->a[0], c->a[1], &r4);
		break;
	}
	for (i = 0; i < 6; i++)
		got[i] = kvm_get(f, LIOBN_KVM, i << 12);
	/* the list page referenced by the 2013 INDIRECT is released again */
	assert_int_equal(tcesim_mem_pinned_pages(f->tw->w), 0);
	fx_teardown(&state);
	return ret;
}

static void test_legacy_2013_vs_modern(void **state)
{
	const uint64_t L = LIST_GPA, NOSLOT = 0x7000000000ULL;
	const struct era_case cases[] = {
		{ "put: unknown LIOBN -> userspace in both", TCESIM_H_PUT_TCE,
		  { 0x9999, 0, 0x1003 }, { 0 }, TCESIM_H_TOO_HARD, TCESIM_H_TOO_HARD, { 0 }, { 0 } },
		{ "put: misaligned ioba: 2013 truncates", TCESIM_H_PUT_TCE,
		  { LIOBN_KVM, 0x1800, 0x1003 }, { 0 }, TCESIM_H_PARAMETER, TCESIM_H_SUCCESS,
		  { 0 }, { 0, 0x1003 } },
		{ "put: ioba == window_size in both", TCESIM_H_PUT_TCE,
		  { LIOBN_KVM, 512 << 12, 0x1003 }, { 0 }, TCESIM_H_PARAMETER, TCESIM_H_PARAMETER,
		  { 0 }, { 0 } },
		{ "put: reserved bit without R/W: modern poison, 2013 refuses", TCESIM_H_PUT_TCE,
		  { LIOBN_KVM, 0, 0x1004 }, { 0 }, TCESIM_H_SUCCESS, TCESIM_H_PARAMETER,
		  { 0x1004 }, { 0 } },
		{ "put: reserved bits with R/W", TCESIM_H_PUT_TCE,
		  { LIOBN_KVM, 0, 0x1807 }, { 0 }, TCESIM_H_TOO_HARD, TCESIM_H_PARAMETER,
		  { 0 }, { 0 } },
		{ "put: gpa in no memslot: 2013 does not look", TCESIM_H_PUT_TCE,
		  { LIOBN_KVM, 0, NOSLOT | 3 }, { 0 }, TCESIM_H_TOO_HARD, TCESIM_H_SUCCESS,
		  { 0 }, { NOSLOT | 3 } },
		{ "stuff: R|W in both", TCESIM_H_STUFF_TCE,
		  { LIOBN_KVM, 0, 0x2, 2 }, { 0 }, TCESIM_H_PARAMETER, TCESIM_H_PARAMETER,
		  { 0 }, { 0 } },
		{ "stuff: reserved bit: 2013 validates the value", TCESIM_H_STUFF_TCE,
		  { LIOBN_KVM, 0, 0xdead0004ULL, 2 }, { 0 }, TCESIM_H_SUCCESS, TCESIM_H_PARAMETER,
		  { 0xdead0004ULL, 0xdead0004ULL }, { 0 } },
		{ "stuff: misaligned ioba: 2013 truncates", TCESIM_H_STUFF_TCE,
		  { LIOBN_KVM, 0x100, 0xdead0000ULL, 1 }, { 0 }, TCESIM_H_PARAMETER,
		  TCESIM_H_SUCCESS, { 0 }, { 0xdead0000ULL } },
		{ "stuff: ioba + npages pages > window_size", TCESIM_H_STUFF_TCE,
		  { LIOBN_KVM, 511 << 12, 0, 2 }, { 0 }, TCESIM_H_PARAMETER, TCESIM_H_PARAMETER,
		  { 0 }, { 0 } },
		{ "indirect: > 512", TCESIM_H_PUT_TCE_INDIRECT, { LIOBN_KVM, 0, L, 513 },
		  { 0x1003 }, TCESIM_H_PARAMETER, TCESIM_H_PARAMETER, { 0 }, { 0 } },
		{ "indirect: tce_list & ~IOMMU_PAGE_MASK", TCESIM_H_PUT_TCE_INDIRECT,
		  { LIOBN_KVM, 0, L + 8, 1 }, { 0x1003 }, TCESIM_H_PARAMETER, TCESIM_H_PARAMETER,
		  { 0 }, { 0 } },
		{ "indirect: list in no memslot", TCESIM_H_PUT_TCE_INDIRECT,
		  { LIOBN_KVM, 0, NOSLOT, 1 }, { 0 }, TCESIM_H_TOO_HARD, TCESIM_H_TOO_HARD,
		  { 0 }, { 0 } },
		{ "indirect: list page unmapped (get_page fails in 2013)",
		  TCESIM_H_PUT_TCE_INDIRECT, { LIOBN_KVM, 0, HOLE_GPA, 1 }, { 0 },
		  TCESIM_H_TOO_HARD, TCESIM_H_TOO_HARD, { 0 }, { 0 } },
		{ "indirect: bad range and list in no memslot: both check the range first (v9 08/13)",
		  TCESIM_H_PUT_TCE_INDIRECT, { LIOBN_KVM, 510 << 12, NOSLOT, 4 }, { 0 },
		  TCESIM_H_PARAMETER, TCESIM_H_PARAMETER, { 0 }, { 0 } },
		{ "indirect: misaligned ioba: 2013 truncates", TCESIM_H_PUT_TCE_INDIRECT,
		  { LIOBN_KVM, 0x800, L, 2 }, { 0x1003, 0x2003 }, TCESIM_H_PARAMETER,
		  TCESIM_H_SUCCESS, { 0 }, { 0x1003, 0x2003 } },
		{ "indirect: mapping TCE in no memslot", TCESIM_H_PUT_TCE_INDIRECT,
		  { LIOBN_KVM, 0, L, 4 }, { 0x1003, 0x2003, 0x3001, NOSLOT | 3 },
		  TCESIM_H_TOO_HARD, TCESIM_H_SUCCESS, { 0 },
		  { 0x1003, 0x2003, 0x3001, NOSLOT | 3 } },
		{ "indirect: clearing TCE in no memslot: modern partial, 2013 all",
		  TCESIM_H_PUT_TCE_INDIRECT, { LIOBN_KVM, 0, L, 4 },
		  { 0x1003, 0x2003, 0x3001, NOSLOT }, TCESIM_H_PARAMETER, TCESIM_H_SUCCESS,
		  { 0x1003, 0x2003, 0x3001 }, { 0x1003, 0x2003, 0x3001, NOSLOT } },
		{ "indirect: reserved bit: 2013 refuses before any store",
		  TCESIM_H_PUT_TCE_INDIRECT, { LIOBN_KVM, 0, L, 4 },
		  { 0x1003, 0x2003, 0x3004, 0x4003 }, TCESIM_H_SUCCESS, TCESIM_H_PARAMETER,
		  { 0x1003, 0x2003, 0x3004, 0x4003 }, { 0 } },
		{ "get: misaligned ioba: 2013 truncates", TCESIM_H_GET_TCE,
		  { LIOBN_KVM, 0x10 }, { 0 }, TCESIM_H_PARAMETER, TCESIM_H_SUCCESS, { 0 }, { 0 } },
		{ "get: ioba == window_size in both", TCESIM_H_GET_TCE,
		  { LIOBN_KVM, 512 << 12 }, { 0 }, TCESIM_H_PARAMETER, TCESIM_H_PARAMETER,
		  { 0 }, { 0 } },
	};
	size_t i, k;

	(void)state;
	for (i = 0; i < TCESIM_ARRAY_SIZE(cases); i++) {
		const struct era_case *c = &cases[i];
		uint64_t got[6];

		print_message("%s\n", c->what);
		assert_hcall(era_run(c, TCESIM_FLAVOUR_MODERN, got), c->modern);
		for (k = 0; k < 6; k++)
			assert_int_equal(got[k], c->after_modern[k]);
		assert_hcall(era_run(c, TCESIM_FLAVOUR_LEGACY_2013, got), c->y2013);
		for (k = 0; k < 6; k++)
			assert_int_equal(got[k], c->after_2013[k]);
	}
}

static void test_legacy_2013_tiers(void **state)
{
	struct fx *f = *state;
	struct tcesim_hcall_out out;
	struct mock_hw m = { 0 };

	/* KVM answers what modern KVM would punt to QEMU */
	assert_hcall(call(f, TCESIM_H_PUT_TCE, LIOBN_KVM, 0, 0x7000000003ULL, 0, &out),
		     TCESIM_H_SUCCESS);
	assert_int_equal(out.tier, TCESIM_TIER_KVM);
	assert_hcall(call(f, TCESIM_H_PUT_TCE, LIOBN_KVM, 0x1000, 0x1003, 0, &out),
		     TCESIM_H_SUCCESS);
	assert_int_equal(out.tier, TCESIM_TIER_KVM);	/* no real mode tier */
	assert_hcall(call(f, TCESIM_H_GET_TCE, LIOBN_KVM, 0x1000, 0, 0, &out), TCESIM_H_SUCCESS);
	assert_int_equal(out.r4, 0x1003);
	/* reserved bits: the guest sees KVM's H_PARAMETER */
	assert_hcall(call(f, TCESIM_H_PUT_TCE, LIOBN_KVM, 0x1000, 0x2008, 0, &out),
		     TCESIM_H_PARAMETER);
	assert_int_equal(out.tier, TCESIM_TIER_KVM);
	/* unknown to KVM: H_TOO_HARD, QEMU answers */
	assert_hcall(call(f, TCESIM_H_PUT_TCE, LIOBN_QEMU, QEMU_BUS, 0x1003, 0, &out),
		     TCESIM_H_SUCCESS);
	assert_int_equal(out.tier, TCESIM_TIER_QEMU);
	/*
	 * Linked hardware tables: the 2013 group paths (H_RESCINDED, H_HARDWARE)
	 * are not modelled; KVM never touches the table and exits to QEMU.
	 */
	assert_int_equal(kvmppc_stt_link_table(f->kvm, LIOBN_KVM, &mock_ops, &m), 0);
	assert_hcall(tcesim_kvmppc_h_put_tce(f->kvm, LIOBN_KVM, 0x2000, 0x2003),
		     TCESIM_H_TOO_HARD);
	assert_hcall(tcesim_kvmppc_h_stuff_tce(f->kvm, LIOBN_KVM, 0, 0, 1), TCESIM_H_TOO_HARD);
	assert_int_equal(m.maps + m.unmaps + m.validates + m.clears + m.kills, 0);
	assert_int_equal(kvmppc_stt_unlink_table(f->kvm, LIOBN_KVM, &m), 0);
	tcesim_rcu_barrier();
	trace_take(f);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

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
		T(test_h_put_tce_outcomes),
		T(test_h_put_tce_indirect_outcomes),
		T(test_h_stuff_tce_outcomes),
		T(test_h_stuff_tce_same_as_loop),
		T(test_h_get_tce_outcomes),
		T(test_spapr_tce_translate_iommu),
		T(test_spapr_tce_translate_iommu_batch_same_as_single),
		T(test_spapr_tce_new_table_errors),
		T(test_pci_trace_lines),
		T(test_q6_divergences),
		T(test_hcall_fallback),
		T(test_live_and_digest),
		cmocka_unit_test_setup_teardown(test_hcall_kvm_only, fx_setup_kvm_only,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_hcall_qemu_only, fx_setup_qemu_only,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_legacy_2016_real_mode_tiers,
						fx_setup_legacy_2016, fx_teardown),
		cmocka_unit_test_setup_teardown(test_legacy_2016_indirect_list_not_present,
						fx_setup_legacy_2016, fx_teardown),
		cmocka_unit_test(test_legacy_2013_vs_modern),
		cmocka_unit_test_setup_teardown(test_legacy_2013_tiers, fx_setup_legacy_2013,
						fx_teardown),
	};

	test_seed();
	return cmocka_run_group_tests_name("kvm", tests, NULL, NULL);
}
