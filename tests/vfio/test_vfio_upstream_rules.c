// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_vfio_upstream_rules.c - the sPAPR TCE container ioctls and memory
 * preregistration against upstream's own code, rule by rule (the fidelity
 * audit of src/vfio): each case is a rule where the model differed.
 * Upstream: drivers/vfio/vfio_iommu_spapr_tce.c (tce_iommu_ioctl's
 * VFIO_EEH_PE_OP loop, vfio_spapr_ioctl_eeh_pe_op(), tce_iommu_build_v2()),
 * arch/powerpc/kernel/eeh.c (eeh_pe_inject_err()),
 * arch/powerpc/mm/book3s64/iommu_api.c (mm_iommu_do_alloc()).
 *
 * Fixture (tests/support/fx_vfio.h): process "qemu" with 1 MiB of RAM at
 * RAM_VA, an IODA2 PHB with one PE (dma32 256 MiB); each case opens its
 * container and picks the quirks mode.
 */
#include "tcesim_test.h"

#include "fx_vfio.h"

#define RAM_VA	0x10000000ULL
#define RAM_SZ	(1ULL << 20)
#define DMA32	(256ULL << 20)
#define PG	4096ULL
#define RW	(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)

static struct vf *vf_open(enum tcesim_quirks q, bool v2, uint64_t memlock)
{
	struct vf *f = fx_vfio_new(TCESIM_FLAVOUR_MODERN, q, memlock, RAM_VA, RAM_SZ, DMA32);

	assert_int_equal(tcesim_tce_iommu_open(f->w, v2 ? VFIO_SPAPR_TCE_v2_IOMMU :
					       VFIO_SPAPR_TCE_IOMMU, &f->c), 0);
	return f;
}

static long reg(struct vf *f, unsigned int cmd, uint64_t vaddr, uint64_t size)
{
	struct vfio_iommu_spapr_register_memory r = {
		.argsz = sizeof(r), .vaddr = vaddr, .size = size,
	};

	return fx_vfio_ioctl(f, cmd, &r);
}

static long map(struct vf *f, uint64_t vaddr, uint64_t iova, uint64_t size, uint32_t flags)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m), .flags = flags, .vaddr = vaddr, .iova = iova, .size = size,
	};

	return fx_vfio_ioctl(f, VFIO_IOMMU_MAP_DMA, &m);
}

static long unmap(struct vf *f, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_unmap u = { .argsz = sizeof(u), .iova = iova, .size = size };

	return fx_vfio_ioctl(f, VFIO_IOMMU_UNMAP_DMA, &u);
}

static long eeh(struct vf *f, uint32_t argsz, uint32_t flags, uint32_t op, uint32_t func)
{
	struct vfio_eeh_pe_op e = { .argsz = argsz, .flags = flags, .op = op };

	e.err.func = func;
	return fx_vfio_ioctl(f, VFIO_EEH_PE_OP, &e);
}

static long mapped(struct tcesim_mm_iommu_region *mem)
{
	struct tcesim_mm_iommu_info i;

	assert_int_equal(tcesim_mm_iommu_get_info(mem, &i), 0);
	return i.mapped;
}

/* ------------------------------------------- VFIO_EEH_PE_OP ------------ */

/*
 * tce_iommu_ioctl(): ret = 0, then vfio_spapr_ioctl_eeh_pe_op() for each
 * attached group. Without a group nothing runs and nothing is read: 0,
 * even for a NULL argument or a bad flag (the model said -ENODEV).
 */
static void eeh_without_group(bool v2)
{
	struct vf *f = vf_open(TCESIM_QUIRKS_SAFE, v2, 1ULL << 30);

	assert_errno(eeh(f, 12, 0, VFIO_EEH_PE_GET_STATE, 0), 0);
	assert_errno(fx_vfio_ioctl(f, VFIO_EEH_PE_OP, NULL), 0);
	assert_errno(eeh(f, 0, 1, 1000, 0), 0);
	/* with the group, the per-group checks answer */
	assert_int_equal(tcesim_tce_iommu_attach_group(f->c, f->pe), 0);
	assert_errno(fx_vfio_ioctl(f, VFIO_EEH_PE_OP, NULL), -EFAULT);
	assert_errno(eeh(f, 0, 1, 1000, 0), -EINVAL);
	assert_errno(eeh(f, 12, 0, VFIO_EEH_PE_GET_STATE, 0), 0);
	fx_vfio_free(f);
}

static void test_eeh_without_group_is_0_v1(void **state)
{
	(void)state;
	eeh_without_group(false);
}

static void test_eeh_without_group_is_0_v2(void **state)
{
	(void)state;
	eeh_without_group(true);
}

/*
 * vfio_spapr_ioctl_eeh_pe_op(): argsz >= offsetofend(op) (12) and no flag,
 * a known op; INJECT_ERR also needs argsz >= offsetofend(err.mask) (40),
 * and eeh_pe_inject_err() an error function in EEH_ERR_FUNC_MIN..MAX
 * (0..19, compared as an int). The model accepted INJECT_ERR with 12 bytes
 * and any function.
 */
static void test_eeh_inject_err_argsz_and_func(void **state)
{
	struct vf *f = vf_open(TCESIM_QUIRKS_SAFE, true, 1ULL << 30);
	uint32_t errsz = sizeof(struct vfio_eeh_pe_op);

	(void)state;
	assert_int_equal(errsz, 40);
	assert_int_equal(tcesim_tce_iommu_attach_group(f->c, f->pe), 0);
	assert_errno(eeh(f, 11, 0, VFIO_EEH_PE_GET_STATE, 0), -EINVAL);
	assert_errno(eeh(f, 12, 0, VFIO_EEH_PE_INJECT_ERR + 1, 0), -EINVAL);
	assert_errno(eeh(f, 12, 0, VFIO_EEH_PE_INJECT_ERR, 0), -EINVAL);
	assert_errno(eeh(f, errsz - 1, 0, VFIO_EEH_PE_INJECT_ERR, 0), -EINVAL);
	assert_errno(eeh(f, errsz, 0, VFIO_EEH_PE_INJECT_ERR, 20), -EINVAL);
	assert_errno(eeh(f, errsz, 0, VFIO_EEH_PE_INJECT_ERR, 0xffffffffu), -EINVAL);
	assert_errno(eeh(f, errsz, 0, VFIO_EEH_PE_INJECT_ERR, 19), 0);
	assert_errno(eeh(f, errsz, 0, VFIO_EEH_PE_INJECT_ERR, 0), 0);
	/* other ops need only the 12 bytes */
	assert_errno(eeh(f, 12, 0, VFIO_EEH_PE_CONFIGURE, 0), 0);
	fx_vfio_free(f);
}

/* ----------------------------------- mm_iommu_do_alloc: short pin ------ */

/*
 * mm_iommu_do_alloc() keeps pin_user_pages()'s value when it pinned only
 * part of its chunk: 3 pages of RAM, then the end of the VMA, answers 3
 * (quirks=upstream) having undone everything; -EFAULT under quirks=safe.
 * The model said -EFAULT in both modes. A first page that cannot be
 * pinned is -EFAULT in both.
 */
static void short_pin(enum tcesim_quirks q, long want)
{
	struct vf *f = vf_open(q, true, 1ULL << 30);
	struct tcesim_mm_iommu_region *mem = NULL;
	struct tcesim_tce_container_info ci;

	assert_errno(reg(f, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, RAM_VA + RAM_SZ - 3 * PG, 8 * PG),
		     want);
	assert_int_equal(tcesim_mem_pinned_pages(f->w), 0);
	assert_int_equal(tcesim_mm_locked_vm(f->mm), 0);
	assert_int_equal(tcesim_mm_iommu_count(f->mm), 0);
	assert_int_equal(tcesim_tce_iommu_get_info(f->c, &ci), 0);
	assert_false(ci.enabled);
	assert_int_equal(ci.nr_prereg, 0);
	assert_errno(map(f, RAM_VA, 0, PG, RW), -EPERM); /* still not enabled */
	assert_errno(reg(f, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, RAM_VA + RAM_SZ, PG), -EFAULT);
	/* the same through the region API */
	assert_errno(tcesim_mm_iommu_new(f->mm, RAM_VA + RAM_SZ - 3 * PG, 8, &mem), want);
	assert_null(mem);
	assert_int_equal(tcesim_mem_pinned_pages(f->w), 0);
	assert_int_equal(tcesim_mm_locked_vm(f->mm), 0);
	/* the whole VMA registers */
	assert_errno(reg(f, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, RAM_VA, RAM_SZ), 0);
	assert_int_equal(tcesim_mm_locked_vm(f->mm), RAM_SZ / PG);
	fx_vfio_free(f);
}

static void test_register_short_pin_safe_efault(void **state)
{
	(void)state;
	short_pin(TCESIM_QUIRKS_SAFE, -EFAULT);
}

static void test_register_short_pin_upstream_count(void **state)
{
	(void)state;
	short_pin(TCESIM_QUIRKS_UPSTREAM, 3);
}

/* ------------------------------- mm_iommu_do_alloc: hostile sizes ------ */

/*
 * mm_iommu_do_alloc() has no range check of its own: the locked_vm charge
 * comes first (-ENOMEM over RLIMIT_MEMLOCK), then vzalloc(array_size())
 * of the hpas array (-ENOMEM when it does not fit), then the pin (-EFAULT
 * for a range past the top of the address space). The model refused a
 * size whose bytes overflow, or a wrapping range, with -EINVAL first.
 */
static void test_mm_iommu_new_hostile_sizes(void **state)
{
	struct vf *f = vf_open(TCESIM_QUIRKS_SAFE, true, 8 * PG);
	struct tcesim_mm_iommu_region *mem = NULL;
	struct tcesim_mm *cap;

	(void)state;
	assert_errno(tcesim_mm_iommu_new(f->mm, RAM_VA, 1ULL << 60, &mem), -ENOMEM);
	assert_errno(tcesim_mm_iommu_new(f->mm, ~0xfffffULL, 0x200, &mem), -ENOMEM);
	assert_int_equal(tcesim_mm_locked_vm(f->mm), 0);
	/* CAP_IPC_LOCK: no limit, so the allocation and the pin decide */
	assert_int_equal(tcesim_mm_create(f->w, "cap", 0, true, &cap), 0);
	assert_int_equal(tcesim_mm_mmap(cap, RAM_VA, RAM_SZ, TCESIM_PROT_READ |
					TCESIM_PROT_WRITE, 0), 0);
	assert_errno(tcesim_mm_iommu_new(cap, RAM_VA, 1ULL << 60, &mem), -ENOMEM);
	assert_errno(tcesim_mm_iommu_new(cap, RAM_VA, 1ULL << 53, &mem), -ENOMEM);
	assert_errno(tcesim_mm_iommu_new(cap, ~0xfffffULL, 0x200, &mem), -EFAULT);
	assert_errno(tcesim_mm_iommu_new(cap, ~0xfffULL, 2, &mem), -EFAULT);
	assert_null(mem);
	assert_int_equal(tcesim_mm_locked_vm(cap), 0);
	assert_int_equal(tcesim_mm_iommu_count(cap), 0);
	assert_int_equal(tcesim_mem_pinned_pages(f->w), 0);
	tcesim_mm_exit(cap);
	fx_vfio_free(f);
}

/*
 * mm_iommu_do_alloc() for device memory jumps to good_exit before the
 * vzalloc() of the hpas array: a zero-sized device region is registered
 * (the model answered -ENOMEM, as for normal memory). It matches no hpa.
 */
static void test_mm_iommu_newdev_zero_entries(void **state)
{
	struct vf *f = vf_open(TCESIM_QUIRKS_SAFE, true, 1ULL << 30);
	struct tcesim_mm_iommu_region *mem = NULL;
	uint64_t size = 0, hpa;

	(void)state;
	assert_errno(tcesim_mm_iommu_newdev(f->mm, 0x70000000, 0, 0x80000000ULL, &mem), 0);
	assert_non_null(mem);
	assert_int_equal(tcesim_mm_iommu_count(f->mm), 1);
	assert_int_equal(tcesim_mm_locked_vm(f->mm), 0);
	assert_false(tcesim_mm_iommu_is_devmem(f->mm, 0x80000000ULL, 12, &size));
	assert_errno(tcesim_mm_iommu_ua_to_hpa(mem, 0x70000000, 12, &hpa), -EFAULT);
	assert_errno(tcesim_mm_iommu_put(f->mm, mem), 0);
	tcesim_rcu_barrier();
	assert_int_equal(tcesim_mm_iommu_count(f->mm), 0);
	fx_vfio_free(f);
}

/* ------------------------------------ mm_iommu_lookup: wrap ---------- */

/*
 * mm_iommu_lookup() tests mem->ua <= ua && ua + size <= end, the sum
 * modulo 2^64: a wrapping range matches a region starting at or below ua
 * (the model refused any wrapping range). Translating through it fails.
 */
static void test_mm_iommu_lookup_wraps_as_upstream(void **state)
{
	struct vf *f = vf_open(TCESIM_QUIRKS_SAFE, true, 1ULL << 30);
	struct tcesim_mm_iommu_region *mem, *got = NULL;
	uint64_t hpa;

	(void)state;
	assert_errno(tcesim_mm_iommu_new(f->mm, RAM_VA, 16, &mem), 0);
	assert_errno(tcesim_mm_iommu_lookup(f->mm, RAM_VA + PG, ~0ULL, &got), 0);
	assert_ptr_equal(got, mem);
	got = NULL;
	/* ua past the region's end, ua + size wrapping back below it */
	assert_errno(tcesim_mm_iommu_lookup(f->mm, RAM_VA + 100 * PG, 0 - 100 * PG, &got), 0);
	assert_ptr_equal(got, mem);
	assert_errno(tcesim_mm_iommu_ua_to_hpa(mem, RAM_VA + 100 * PG, 12, &hpa), -EFAULT);
	/* below the region nothing matches, wrap or not */
	assert_errno(tcesim_mm_iommu_lookup(f->mm, RAM_VA - PG, ~0ULL, &got), -ENOENT);
	assert_errno(tcesim_mm_iommu_lookup(f->mm, RAM_VA + 16 * PG, PG, &got), -ENOENT);
	/* the page-sized lookup of the dirty bit never indexes past the region */
	assert_errno(tcesim_mm_iommu_ua_mark_dirty(f->mm, ~0ULL), -ENOENT);
	assert_errno(tcesim_mm_iommu_put(f->mm, mem), 0);
	fx_vfio_free(f);
}

/* ------------------------- tce_iommu_build_v2: failed exchange --------- */

/*
 * tce_iommu_build_v2(): when iommu_tce_xchg_no_kill() fails after
 * mm_iommu_mapped_inc(), upstream calls tce_iommu_unuse_page_v2() on the
 * entry, whose shadow entry still names the old TCE (here none): the
 * count taken on the region is never given back (quirks=upstream). The
 * model gave it back in both modes; quirks=safe still does. Driven by
 * failing the N-th allocation of a MAP into a 2-level window whose levels
 * come on demand: the shadow level is allocated before the exchange
 * allocates the hardware level, so one N fails inside the exchange.
 */
static void v2_failed_exchange(enum tcesim_quirks q)
{
	struct vf *f = vf_open(q, true, 1ULL << 30);
	struct vfio_iommu_spapr_tce_create cr = {
		.argsz = sizeof(cr), .page_shift = 12, .window_size = 1ULL << 30, .levels = 2,
	};
	struct vfio_iommu_spapr_tce_remove rm = { .argsz = sizeof(rm) };
	struct tcesim_mm_iommu_region *mem = NULL;
	uint64_t iova = 5 * 512 * PG; /* a leaf block nothing allocated yet */
	int failures = 0, leaks = 0;
	unsigned long n;

	assert_int_equal(tcesim_tce_iommu_attach_group(f->c, f->pe), 0);
	assert_errno(fx_vfio_ioctl(f, VFIO_IOMMU_SPAPR_TCE_REMOVE, &rm), 0);
	assert_errno(fx_vfio_ioctl(f, VFIO_IOMMU_SPAPR_TCE_CREATE, &cr), 0);
	assert_int_equal(cr.start_addr, 0);
	assert_errno(reg(f, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, RAM_VA, RAM_SZ), 0);
	assert_int_equal(tcesim_mm_iommu_lookup(f->mm, RAM_VA, PG, &mem), 0);
	tcesim_rcu_barrier();
	for (n = 1;; n++) {
		struct tcesim_iommu_table *tbl;
		long before = mapped(mem), ret;
		uint64_t tce = 1;

		tcesim_world_inject_fail_alloc(f->w, n);
		ret = map(f, RAM_VA, iova, PG, VFIO_DMA_MAP_FLAG_READ);
		tcesim_world_inject_fail_alloc(f->w, 0);
		if (ret == 0)
			break;
		assert_errno(ret, -ENOMEM);
		failures++;
		assert_int_equal(tcesim_tce_iommu_get_table(f->c, 0, &tbl), 0);
		assert_int_equal(tcesim_iommu_tce_get(tbl, iova / PG, &tce), 0);
		assert_int_equal(tce, 0);
		tcesim_iommu_tce_table_put(tbl);
		if (mapped(mem) != before) {
			assert_int_equal(mapped(mem), before + 1);
			leaks++;
			tcesim_mm_iommu_mapped_dec(mem); /* the leak, given back by hand */
		}
	}
	assert_true(failures > 0);
	assert_int_equal(leaks, q == TCESIM_QUIRKS_UPSTREAM ? 1 : 0);
	assert_int_equal(mapped(mem), 2);
	assert_errno(unmap(f, iova, PG), 0);
	assert_int_equal(mapped(mem), 1);
	fx_vfio_free(f);
}

static void test_v2_failed_exchange_safe_gives_count_back(void **state)
{
	(void)state;
	v2_failed_exchange(TCESIM_QUIRKS_SAFE);
}

static void test_v2_failed_exchange_upstream_leaks_count(void **state)
{
	(void)state;
	v2_failed_exchange(TCESIM_QUIRKS_UPSTREAM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eeh_without_group_is_0_v1),
		cmocka_unit_test(test_eeh_without_group_is_0_v2),
		cmocka_unit_test(test_eeh_inject_err_argsz_and_func),
		cmocka_unit_test(test_register_short_pin_safe_efault),
		cmocka_unit_test(test_register_short_pin_upstream_count),
		cmocka_unit_test(test_mm_iommu_new_hostile_sizes),
		cmocka_unit_test(test_mm_iommu_newdev_zero_entries),
		cmocka_unit_test(test_mm_iommu_lookup_wraps_as_upstream),
		cmocka_unit_test(test_v2_failed_exchange_safe_gives_count_back),
		cmocka_unit_test(test_v2_failed_exchange_upstream_leaks_count),
	};

	tcesim_thread_enter();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
