// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_kvm_upstream_rules.c - KVM's TCE hypercalls and KVM_CREATE_SPAPR_TCE_64
 * rule by rule against upstream's code (fidelity audit of src/kvm): each
 * test pins one rule where the model used to differ from
 *  - arch/powerpc/kvm/powerpc.c: kvm_arch_vm_ioctl() (the flags check),
 *  - arch/powerpc/kvm/book3s_64_vio.c: kvm_vm_ioctl_create_spapr_tce()
 *    (with kvmppc_stt_pages() and the struct of asm/kvm_host.h),
 *    kvmppc_h_put_tce_indirect(), kvmppc_h_stuff_tce(),
 *  - arch/powerpc/include/asm/kvm_ppc.h: kvmppc_ioba_validate() (a macro
 *    over iommu_tce_check_ioba()),
 *  - book3s_64_vio_hv.c (v5.2..v5.18, flavour legacy_2016):
 *    kvmppc_rm_ioba_validate(), kvmppc_rm_tce_validate().
 * docs/FIDELITY.md "KVM TCE hypercalls (fidelity audit)" lists them.
 * Fixture: kvm_fixture.h (LIOBN_KVM: 4K pages, offset 0, 512 entries, one
 * stt page on the default 4K host).
 */
#include "kvm_fixture.h"

static int fx_setup_upstream(void **state)
{
	return fx_setup_full(state, TCESIM_HCALL_KVM_QEMU, TCESIM_FLAVOUR_MODERN,
			     TCESIM_QUIRKS_UPSTREAM);
}

static long call(struct fx *f, unsigned long req, uint64_t a0, uint64_t a1, uint64_t a2,
		 uint64_t a3, struct tcesim_hcall_out *out)
{
	uint64_t a[4] = { a0, a1, a2, a3 };

	return tcesim_kvm_hcall(f->kvm, req, a, out);
}

/* A linked hardware table recording the direction of every map. */
struct dir_hw {
	int maps, unmaps, clears, none_maps;
	uint64_t none_entry;
};

static long dir_map(void *p, uint64_t entry, struct tcesim_mm *mm, uint64_t ua,
		    enum tcesim_dma_data_direction dir)
{
	struct dir_hw *m = p;

	(void)mm;
	(void)ua;
	m->maps++;
	if (dir == TCESIM_DMA_NONE) {
		m->none_maps++;
		m->none_entry = entry;
	}
	return TCESIM_H_SUCCESS;
}

static long dir_unmap(void *p, uint64_t entry)
{
	struct dir_hw *m = p;

	(void)entry;
	m->unmaps++;
	return TCESIM_H_SUCCESS;
}

static void dir_clear(void *p, uint64_t entry)
{
	(void)entry;
	((struct dir_hw *)p)->clears++;
}

static const struct kvmppc_linked_table_ops dir_ops = {
	.map = dir_map, .unmap = dir_unmap, .clear = dir_clear,
};

/* ------------------------------------------------ KVM_CREATE_SPAPR_TCE_64 --- */

/* powerpc.c: kvm_arch_vm_ioctl(): "if (create_tce_64.flags) r = -EINVAL". */
static void test_create_spapr_tce_flags_einval(void **state)
{
	struct fx *f = *state;
	struct tcesim_kvm_create_spapr_tce_64 a = { .liobn = 0x3000, .page_shift = 12,
						    .flags = 1, .size = 16 };
	unsigned long locked = tcesim_mm_locked_vm(f->mm);
	uint64_t tce;

	assert_errno(tcesim_kvm_vm_ioctl_create_spapr_tce(f->kvm, &a, f->mm), -EINVAL);
	a.flags = 0x80000000u;
	assert_errno(tcesim_kvm_vm_ioctl_create_spapr_tce(f->kvm, &a, f->mm), -EINVAL);
	/* nothing charged, nothing created */
	assert_int_equal(tcesim_mm_locked_vm(f->mm), locked);
	assert_hcall(tcesim_kvmppc_h_get_tce(f->kvm, 0x3000, 0, &tce), TCESIM_H_TOO_HARD);
	a.flags = 0;
	assert_int_equal(tcesim_kvm_vm_ioctl_create_spapr_tce(f->kvm, &a, f->mm), 0);
	assert_int_equal(tcesim_kvm_spapr_tce_release(f->kvm, 0x3000), 0);
}

/*
 * kvm_vm_ioctl_create_spapr_tce(): "args->offset + args->size >
 * (ULLONG_MAX >> args->page_shift)" in u64: a wrapping sum passes.
 */
static void test_create_spapr_tce_window_wrap_safe(void **state)
{
	struct fx *f = *state;
	struct tcesim_kvm_create_spapr_tce_64 a = { .liobn = 0x3000, .page_shift = 12,
						    .offset = ~0ULL, .size = 2 };

	assert_errno(tcesim_kvm_vm_ioctl_create_spapr_tce(f->kvm, &a, f->mm), -EINVAL);
	assert_int_equal(tcesim_kvm_spapr_tce_release(f->kvm, 0x3000), -ENOENT);
}

static void test_create_spapr_tce_window_wrap_upstream(void **state)
{
	struct fx *f = *state;
	struct tcesim_kvm_create_spapr_tce_64 a = { .liobn = 0x3000, .page_shift = 12,
						    .offset = ~0ULL, .size = 2 };
	unsigned long locked = tcesim_mm_locked_vm(f->mm);
	uint64_t tce = 0;

	/* accepted as upstream: charged like any 2-entry table ... */
	assert_int_equal(tcesim_kvm_vm_ioctl_create_spapr_tce(f->kvm, &a, f->mm), 0);
	assert_true(tcesim_mm_locked_vm(f->mm) > locked);
	/* ... whose window no ioba reaches */
	assert_hcall(tcesim_kvmppc_h_put_tce(f->kvm, 0x3000, 0, 0x1003), TCESIM_H_PARAMETER);
	assert_hcall(tcesim_kvmppc_h_put_tce(f->kvm, 0x3000, ~0xfffULL, 0x1003),
		     TCESIM_H_PARAMETER);
	assert_hcall(tcesim_kvmppc_h_get_tce(f->kvm, 0x3000, 0, &tce), TCESIM_H_PARAMETER);
	assert_hcall(tcesim_kvmppc_h_stuff_tce(f->kvm, 0x3000, 0, 0, 0), TCESIM_H_PARAMETER);
	/* a LIOBN in use stays -EBUSY */
	assert_errno(tcesim_kvm_vm_ioctl_create_spapr_tce(f->kvm, &a, f->mm), -EBUSY);
	assert_int_equal(tcesim_kvm_spapr_tce_release(f->kvm, 0x3000), 0);
	tcesim_rcu_barrier();
	assert_int_equal(tcesim_mm_locked_vm(f->mm), locked);
	/*
	 * offset 1, size 2^64 - 1: the sum wraps to 0 and size * 8 overflows,
	 * so upstream's kvmppc_tce_pages() is 0 and its hypercalls would index
	 * pages[] out of bounds: refused in both modes, with a message.
	 */
	a.offset = 1;
	a.size = ~0ULL;
	assert_errno(tcesim_kvm_vm_ioctl_create_spapr_tce(f->kvm, &a, f->mm), -EINVAL);
	assert_true(tcesim_world_log_contains(f->tw->w, "overflows kvmppc_tce_pages"));
	assert_int_equal(tcesim_mm_locked_vm(f->mm), locked);
}

/*
 * kvmppc_stt_pages(): tce_pages + ALIGN(sizeof(struct kvmppc_spapr_tce_table)
 * + tce_pages * sizeof(struct page *), PAGE_SIZE) / PAGE_SIZE, with
 * upstream's 120-byte struct (ppc64); and kzalloc(struct_size()) fails above
 * KMALLOC_MAX_SIZE (16 MiB on a 4K host) with the same bytes.
 */
static unsigned long charge_of(struct fx *f, uint64_t size)
{
	struct tcesim_kvm_create_spapr_tce_64 a = { .liobn = 0x3000, .page_shift = 12,
						    .size = size };
	unsigned long before = tcesim_mm_locked_vm(f->mm), charged;

	assert_int_equal(tcesim_kvm_vm_ioctl_create_spapr_tce(f->kvm, &a, f->mm), 0);
	charged = tcesim_mm_locked_vm(f->mm) - before;
	assert_int_equal(tcesim_kvm_spapr_tce_release(f->kvm, 0x3000), 0);
	tcesim_rcu_barrier();
	assert_int_equal(tcesim_mm_locked_vm(f->mm), before);
	return charged;
}

static void test_create_spapr_tce_charge_upstream_struct(void **state)
{
	struct fx *f = *state;
	struct tcesim_kvm_create_spapr_tce_64 a = { .liobn = 0x3000, .page_shift = 12 };
	const uint64_t kmax_pages = ((1ULL << 24) - 120) / 8;	/* 4K host: 16 MiB */

	assert_int_equal(charge_of(f, 1), 1 + 1);
	/* 497 TCE pages: 120 + 497 * 8 = 4096 bytes, one page of stt */
	assert_int_equal(charge_of(f, 497 * 512), 497 + 1);
	assert_int_equal(charge_of(f, 497 * 512 + 1), 498 + 2);
	assert_int_equal(charge_of(f, 490 * 512), 490 + 1);
	/* the struct_size() limit: the last table that fits, the first that does not */
	a.size = kmax_pages * 512;
	assert_int_equal(tcesim_kvm_vm_ioctl_create_spapr_tce(f->kvm, &a, NULL), 0);
	assert_int_equal(tcesim_kvm_spapr_tce_release(f->kvm, 0x3000), 0);
	tcesim_rcu_barrier();
	a.size = kmax_pages * 512 + 1;
	assert_errno(tcesim_kvm_vm_ioctl_create_spapr_tce(f->kvm, &a, NULL), -ENOMEM);
}

/* ------------------------------------------------- kvmppc_ioba_validate --- */

/*
 * iommu_tce_check_ioba(): "(ioba + 1) > (offset + size)" is checked for
 * every npages: npages 0 at the window end is H_PARAMETER.
 */
static void test_ioba_validate_npages0_at_window_end(void **state)
{
	struct fx *f = *state;
	struct tcesim_hcall_out out;

	assert_hcall(tcesim_kvmppc_h_stuff_tce(f->kvm, LIOBN_KVM, 512 << 12, 0, 0),
		     TCESIM_H_PARAMETER);
	assert_hcall(tcesim_kvmppc_h_put_tce_indirect(f->kvm, LIOBN_KVM, 512 << 12, LIST_GPA, 0),
		     TCESIM_H_PARAMETER);
	/* the guest sees KVM's answer */
	assert_hcall(call(f, TCESIM_H_STUFF_TCE, LIOBN_KVM, 512 << 12, 0, 0, &out),
		     TCESIM_H_PARAMETER);
	assert_int_equal(out.tier, TCESIM_TIER_KVM);
	/* inside the window npages 0 is nothing to do */
	assert_hcall(tcesim_kvmppc_h_stuff_tce(f->kvm, LIOBN_KVM, 511 << 12, 0, 0),
		     TCESIM_H_SUCCESS);
	assert_hcall(tcesim_kvmppc_h_put_tce_indirect(f->kvm, LIOBN_KVM, 0, LIST_GPA, 0),
		     TCESIM_H_SUCCESS);
	/* the last entry alone is fine, one past it is not */
	assert_hcall(tcesim_kvmppc_h_stuff_tce(f->kvm, LIOBN_KVM, 511 << 12, 0, 1),
		     TCESIM_H_SUCCESS);
	assert_hcall(tcesim_kvmppc_h_stuff_tce(f->kvm, LIOBN_KVM, 511 << 12, 0, 2),
		     TCESIM_H_PARAMETER);
	trace_take(f);
}

/* ------------------------------------- INDIRECT, DMA_NONE, linked tables --- */

static void indirect_with_none_entry(struct fx *f, struct dir_hw *m)
{
	/* entry 1 has no R/W bits: gpa 0x3000, in the RAM memslot */
	uint64_t list[3] = { 0x1003, 0x3000, 0x2003 };

	assert_int_equal(kvmppc_stt_link_table(f->kvm, LIOBN_KVM, &dir_ops, m), 0);
	put_list(f, list, 3);
	assert_hcall(tcesim_kvmppc_h_put_tce_indirect(f->kvm, LIOBN_KVM, 0x10000, LIST_GPA, 3),
		     TCESIM_H_SUCCESS);
	assert_int_equal(kvm_get(f, LIOBN_KVM, 0x11000), 0x3000);
	assert_int_equal(kvmppc_stt_unlink_table(f->kvm, LIOBN_KVM, m), 0);
	tcesim_rcu_barrier();
}

/*
 * kvmppc_h_put_tce_indirect() pass 2: kvmppc_tce_iommu_map(..., entry + i,
 * ua, iommu_tce_direction(tce)) for every entry, DMA_NONE included.
 */
static void test_indirect_dma_none_entry_mapped_upstream(void **state)
{
	struct fx *f = *state;
	struct dir_hw m = { 0 };

	indirect_with_none_entry(f, &m);
	assert_int_equal(m.maps, 3);
	assert_int_equal(m.none_maps, 1);
	assert_int_equal(m.none_entry, 0x11);
	assert_int_equal(m.unmaps, 0);
}

/* quirks=safe keeps H_PUT_TCE's unmap for such an entry (no mapped count leak). */
static void test_indirect_dma_none_entry_unmapped_safe(void **state)
{
	struct fx *f = *state;
	struct dir_hw m = { 0 };

	indirect_with_none_entry(f, &m);
	assert_int_equal(m.maps, 2);
	assert_int_equal(m.none_maps, 0);
	assert_int_equal(m.unmaps, 1);
}

/* --------------------------------------------- legacy_2016: real mode --- */

/*
 * kvmppc_rm_ioba_validate(): sttpages = ALIGN(idx % TCES_PER_PAGE + npages,
 * TCES_PER_PAGE) / TCES_PER_PAGE: npages 0 still needs the page of idx when
 * idx does not start it.
 */
static void test_rm_ioba_validate_npages0_absent_page(void **state)
{
	struct fx *f = *state;
	struct tcesim_kvm_create_spapr_tce_64 a = { .liobn = 0x3000, .page_shift = 12,
						    .size = 4096 };

	assert_int_equal(tcesim_kvm_vm_ioctl_create_spapr_tce(f->kvm, &a, NULL), 0);
	/* entry 3: page 0, absent */
	assert_hcall(tcesim_kvmppc_rm_h_put_tce_indirect(f->kvm, 0x3000, 3 << 12, LIST_GPA, 0),
		     TCESIM_H_TOO_HARD);
	assert_hcall(tcesim_kvmppc_rm_h_stuff_tce(f->kvm, 0x3000, 3 << 12, 0x1000, 0),
		     TCESIM_H_TOO_HARD);
	/* clearing needs no page */
	assert_hcall(tcesim_kvmppc_rm_h_stuff_tce(f->kvm, 0x3000, 3 << 12, 0, 0),
		     TCESIM_H_SUCCESS);
	/* entry 512 starts page 1: no page counted */
	assert_hcall(tcesim_kvmppc_rm_h_put_tce_indirect(f->kvm, 0x3000, 512 << 12, LIST_GPA, 0),
		     TCESIM_H_SUCCESS);
	/* virtual mode does not care */
	assert_hcall(tcesim_kvmppc_h_put_tce_indirect(f->kvm, 0x3000, 3 << 12, LIST_GPA, 0),
		     TCESIM_H_SUCCESS);
	/* once the page exists real mode answers */
	assert_hcall(tcesim_kvmppc_h_put_tce(f->kvm, 0x3000, 0, 0x1003), TCESIM_H_SUCCESS);
	assert_hcall(tcesim_kvmppc_rm_h_put_tce_indirect(f->kvm, 0x3000, 3 << 12, LIST_GPA, 0),
		     TCESIM_H_SUCCESS);
	assert_int_equal(tcesim_kvm_spapr_tce_release(f->kvm, 0x3000), 0);
}

/* kvmppc_rm_tce_validate(): kvmppc_rm_tce_to_ua() failing is H_TOO_HARD. */
static void test_rm_tce_validate_no_memslot_too_hard(void **state)
{
	struct fx *f = *state;
	struct tcesim_hcall_out out;
	uint64_t list[2] = { 0x5003, 0x7000000003ULL };

	/* the stt page exists (virtual mode allocated it) */
	assert_hcall(tcesim_kvmppc_h_put_tce(f->kvm, LIOBN_KVM, 0x1000, 0x1003), TCESIM_H_SUCCESS);
	assert_hcall(tcesim_kvmppc_rm_h_put_tce(f->kvm, LIOBN_KVM, 0x3000, 0x7000000003ULL),
		     TCESIM_H_TOO_HARD);
	assert_hcall(tcesim_kvmppc_h_put_tce(f->kvm, LIOBN_KVM, 0x3000, 0x7000000003ULL),
		     TCESIM_H_TOO_HARD);
	/* so the guest's call reaches QEMU, which stores it unchecked */
	assert_hcall(call(f, TCESIM_H_PUT_TCE, LIOBN_KVM, 0x3000, 0x7000000003ULL, 0, &out),
		     TCESIM_H_SUCCESS);
	assert_int_equal(out.tier, TCESIM_TIER_QEMU);
	assert_int_equal(kvm_get(f, LIOBN_KVM, 0x3000), 0x7000000003ULL);
	/* a misaligned address stays the era's parameter error */
	assert_hcall(tcesim_kvmppc_rm_h_put_tce(f->kvm, LIOBN_KVM, 0x3000, 0x1801),
		     TCESIM_H_PARAMETER);
	/* INDIRECT: pass 1 refuses it, nothing written */
	put_list(f, list, 2);
	assert_hcall(tcesim_kvmppc_rm_h_put_tce_indirect(f->kvm, LIOBN_KVM, 0x4000, LIST_GPA, 2),
		     TCESIM_H_TOO_HARD);
	assert_hcall(tcesim_kvmppc_h_put_tce_indirect(f->kvm, LIOBN_KVM, 0x4000, LIST_GPA, 2),
		     TCESIM_H_TOO_HARD);
	assert_int_equal(kvm_get(f, LIOBN_KVM, 0x4000), 0);
	trace_take(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_create_spapr_tce_flags_einval),
		T(test_create_spapr_tce_window_wrap_safe),
		T(test_create_spapr_tce_charge_upstream_struct),
		cmocka_unit_test_setup_teardown(test_create_spapr_tce_window_wrap_upstream,
						fx_setup_upstream, fx_teardown),
		T(test_ioba_validate_npages0_at_window_end),
		cmocka_unit_test_setup_teardown(test_indirect_dma_none_entry_mapped_upstream,
						fx_setup_upstream, fx_teardown),
		T(test_indirect_dma_none_entry_unmapped_safe),
		cmocka_unit_test_setup_teardown(test_rm_ioba_validate_npages0_absent_page,
						fx_setup_legacy_2016, fx_teardown),
		cmocka_unit_test_setup_teardown(test_rm_tce_validate_no_memslot_too_hard,
						fx_setup_legacy_2016, fx_teardown),
	};

	return cmocka_run_group_tests_name("kvm_upstream_rules", tests, NULL, NULL);
}
