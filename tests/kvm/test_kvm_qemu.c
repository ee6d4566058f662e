// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_kvm_qemu.c - QEMU's tier (B9, traces/README.md "QEMU 7.2 behaviour"): the
 * four hypercalls, translation, table creation and the trace lines.
 * Fixture: kvm_fixture.h.
 */
#include "kvm_fixture.h"

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


int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_h_put_tce_outcomes),
		T(test_h_put_tce_indirect_outcomes),
		T(test_h_stuff_tce_outcomes),
		T(test_h_stuff_tce_same_as_loop),
		T(test_h_get_tce_outcomes),
		T(test_spapr_tce_translate_iommu),
		T(test_spapr_tce_translate_iommu_batch_same_as_single),
		T(test_spapr_tce_new_table_errors),
		T(test_pci_trace_lines),
	};

	test_seed();
	return cmocka_run_group_tests_name("kvm_qemu", tests, NULL, NULL);
}
