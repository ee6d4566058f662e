// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_kvm_tiers.c - the same call answered by each tier (Q6), the KVM -> QEMU
 * fallback of the dispatcher, live counts and digests, and the legacy_2016
 * (three tiers) and legacy_2013 (seed 004) eras.
 * Fixture: kvm_fixture.h.
 */
#include "kvm_fixture.h"

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
	/*
	 * the era's validator (v5.2..v5.18 kvmppc_rm_tce_validate()): a
	 * misaligned gpa is H_PARAMETER in KVM; a gpa in no memslot is
	 * H_TOO_HARD in both KVM tiers, so QEMU stores it
	 */
	assert_hcall(call(f, TCESIM_H_PUT_TCE, LIOBN_KVM, 0x3000, 0x1801, 0, &out),
		     TCESIM_H_PARAMETER);
	assert_int_equal(out.tier, TCESIM_TIER_KVM_RM);
	assert_hcall(call(f, TCESIM_H_PUT_TCE, LIOBN_KVM, 0x3000, 0x7000000003ULL, 0, &out),
		     TCESIM_H_SUCCESS);
	assert_int_equal(out.tier, TCESIM_TIER_QEMU);
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


int main(void)
{
	const struct CMUnitTest tests[] = {
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
	return cmocka_run_group_tests_name("kvm_tiers", tests, NULL, NULL);
}
