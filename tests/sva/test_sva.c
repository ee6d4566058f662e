// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_sva.c - unit tests of src/sva: PASID array (both implementations),
 * attach/detach/replace and attach handles (B10), DMA ownership (B10), SVA
 * bind/unbind (B11, seed 002), I/O page faults (B12).
 *
 * Every test runs in a fresh world with: IOMMU dmar0 (20-bit PASIDs), dev0
 * alone in its group (PRI), group g1 = dev1 (max_pasids 16, PRI) + dev2 (no
 * PASID support), and, on IOMMU dmar1, dev3 (own group). Teardown exits the
 * test's processes and checks that allocations and global PASIDs are back
 * to their values before the test (after an RCU barrier).
 */
#include "tcesim_test.h"

#include "sva/sva_internal.h"
#include "mem/mem_internal.h"

struct fx {
	struct test_world *tw;
	struct tcesim_world *w;
	struct tcesim_iommu *iommu, *iommu1;
	struct tcesim_iommu_group *g0, *g1;
	struct tcesim_device *dev0, *dev1, *dev2, *dev3;
	struct tcesim_mm *mm[4];
	int nmm;
	long allocs_base;
};

static struct tcesim_device *mkdev(struct tcesim_iommu *iommu, const char *name,
				   struct tcesim_iommu_group *g, uint32_t max_pasids, bool pri)
{
	struct tcesim_pci_device_cfg cfg;
	struct tcesim_device *dev;

	tcesim_pci_device_cfg_init(&cfg);
	cfg.name = name;
	cfg.group = g;
	cfg.max_pasids = max_pasids;
	cfg.pri = pri;
	assert_errno(tcesim_pci_device_create(iommu, &cfg, &dev), 0);
	return dev;
}

/* The PASID array implementation under test; set by the group setup. */
static enum pasid_array_kind g_kind;

static int group_setup_radix(void **state)
{
	(void)state;
	g_kind = PASID_ARRAY_RADIX;
	return 0;
}

static int group_setup_lfht(void **state)
{
	(void)state;
	g_kind = PASID_ARRAY_LFHT;
	return 0;
}

static int setup_flavour(void **state, enum tcesim_flavour flavour)
{
	struct tcesim_world_cfg wcfg;
	struct tcesim_iommu_cfg icfg;
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	tcesim_world_cfg_init(&wcfg);
	wcfg.flavour = flavour;
	f->tw = test_world_new(&wcfg);
	f->w = f->tw->w;
	/* before the first group is created */
	assert_non_null(sva_state_get(f->w));
	sva_state_get(f->w)->array_kind = g_kind;
	tcesim_iommu_cfg_init(&icfg);
	icfg.name = "dmar0";
	assert_errno(tcesim_iommu_create(f->w, &icfg, &f->iommu), 0);
	icfg.name = "dmar1";
	assert_errno(tcesim_iommu_create(f->w, &icfg, &f->iommu1), 0);
	f->dev0 = mkdev(f->iommu, "dev0", NULL, TCESIM_PDEV_MAX_PASIDS_DEFAULT, true);
	f->g0 = tcesim_device_iommu_group(f->dev0);
	assert_errno(tcesim_iommu_group_alloc(f->w, "g1", &f->g1), 0);
	f->dev1 = mkdev(f->iommu, "dev1", f->g1, 16, true);
	f->dev2 = mkdev(f->iommu, "dev2", f->g1, 0, false);
	f->dev3 = mkdev(f->iommu1, "dev3", NULL, TCESIM_PDEV_MAX_PASIDS_DEFAULT, true);
	tcesim_rcu_barrier();
	f->allocs_base = tcesim_world_live_allocs(f->w);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_flavour(state, TCESIM_FLAVOUR_MODERN);
}

static int setup_legacy(void **state)
{
	return setup_flavour(state, TCESIM_FLAVOUR_LEGACY_2024);
}

static int teardown(void **state)
{
	struct fx *f = *state;
	int i;

	for (i = 0; i < f->nmm; i++)
		tcesim_mm_exit(f->mm[i]);
	tcesim_rcu_barrier();
	assert_int_equal(tcesim_iommu_global_pasids_in_use(f->w), 0);
	assert_int_equal(tcesim_world_live_allocs(f->w), f->allocs_base);
	test_world_free(f->tw);
	free(f);
	return 0;
}

/* A process with 1 MiB read-write at 0x10000000 and 64 KiB read-only after it. */
static struct tcesim_mm *mkmm(struct fx *f, const char *name)
{
	struct tcesim_mm *mm;

	assert_true(f->nmm < 4);
	assert_errno(tcesim_mm_create(f->w, name, TCESIM_DEFAULT_MEMLOCK, false, &mm), 0);
	assert_errno(tcesim_mm_mmap(mm, 0x10000000, 1 << 20, TCESIM_PROT_READ | TCESIM_PROT_WRITE,
				    12), 0);
	assert_errno(tcesim_mm_mmap(mm, 0x10100000, 1 << 16, TCESIM_PROT_READ, 12), 0);
	f->mm[f->nmm++] = mm;
	return mm;
}

/* A bond of dev0 to a new process "a": what the IOPF tests start from. */
struct bond {
	struct tcesim_mm *mm;
	struct tcesim_iommu_sva *s;
	uint32_t pasid;
};

static void bond_dev0(struct fx *f, struct bond *b)
{
	b->mm = mkmm(f, "a");
	assert_errno(tcesim_iommu_sva_bind_device(f->dev0, b->mm, &b->s), 0);
	b->pasid = tcesim_iommu_sva_get_pasid(b->s);
}

/* A device on f->iommu without a group; the leak baseline is taken after it. */
static struct tcesim_device *mkdev_no_group(struct fx *f, const char *name)
{
	struct tcesim_pci_device_cfg cfg;
	struct tcesim_device *d;

	tcesim_pci_device_cfg_init(&cfg);
	cfg.name = name;
	cfg.no_group = true;
	assert_errno(tcesim_pci_device_create(f->iommu, &cfg, &d), 0);
	f->allocs_base = tcesim_world_live_allocs(f->w);
	return d;
}

/*
 * A device "dname" on a second IOMMU "iname" made with cfg.no_sva or
 * cfg.no_blocked_domain; the leak baseline is taken after it.
 */
static struct tcesim_device *mkdev_other_iommu(struct fx *f, const char *iname, bool no_sva,
					       bool no_blocked_domain, const char *dname)
{
	struct tcesim_iommu_cfg icfg;
	struct tcesim_iommu *iommu;
	struct tcesim_device *dev;

	tcesim_iommu_cfg_init(&icfg);
	icfg.name = iname;
	icfg.no_sva = no_sva;
	icfg.no_blocked_domain = no_blocked_domain;
	assert_errno(tcesim_iommu_create(f->w, &icfg, &iommu), 0);
	dev = mkdev(iommu, dname, NULL, TCESIM_PDEV_MAX_PASIDS_DEFAULT, false);
	f->allocs_base = tcesim_world_live_allocs(f->w);
	return dev;
}

/* The observable state of the module, for "nothing changed" checks. */
struct sig {
	long allocs, pasids;
	unsigned long nr0, nr1, t0, t1, t2;
	unsigned int owner0, owner1;
};

static struct sig sig_take(struct fx *f)
{
	struct sig s;

	tcesim_rcu_barrier();
	memset(&s, 0, sizeof(s));
	s.allocs = tcesim_world_live_allocs(f->w);
	s.pasids = tcesim_iommu_global_pasids_in_use(f->w);
	s.nr0 = f->g0->pasid_array.nr;
	s.nr1 = f->g1->pasid_array.nr;
	s.t0 = f->dev0->pasid_table.nr;
	s.t1 = f->dev1->pasid_table.nr;
	s.t2 = f->dev2->pasid_table.nr;
	s.owner0 = f->g0->owner_cnt;
	s.owner1 = f->g1->owner_cnt;
	return s;
}

static void sig_assert_equal(const struct sig *a, const struct sig *b)
{
	assert_int_equal(a->allocs, b->allocs);
	assert_int_equal(a->pasids, b->pasids);
	assert_int_equal(a->nr0, b->nr0);
	assert_int_equal(a->nr1, b->nr1);
	assert_int_equal(a->t0, b->t0);
	assert_int_equal(a->t1, b->t1);
	assert_int_equal(a->t2, b->t2);
	assert_int_equal(a->owner0, b->owner0);
	assert_int_equal(a->owner1, b->owner1);
}

static void sig_assert_now(struct fx *f, const struct sig *before)
{
	struct sig now = sig_take(f);

	sig_assert_equal(before, &now);
}

static struct tcesim_iommu_domain *paging(struct fx *f, struct tcesim_iommu *iommu,
					  unsigned int flags)
{
	struct tcesim_iommu_domain *d;

	assert_errno(tcesim_iommu_domain_alloc(iommu ? iommu : f->iommu,
					       TCESIM_IOMMU_DOMAIN_UNMANAGED, flags, &d), 0);
	return d;
}

/* ------------------------------------------------------- PASID array --- */

static void pasid_array_cases(enum pasid_array_kind kind)
{
	struct tcesim_world *w;
	struct tcesim_mutex m;
	struct pasid_array pa;
	long base;
	int x, y;

	tcesim_thread_enter();
	assert_errno(tcesim_world_create(NULL, &w), 0);
	base = tcesim_world_live_allocs(w);
	tcesim_mutex_init(&m);
	assert_errno(pasid_array_init(&pa, w, &m, kind), 0);
	tcesim_mutex_lock(&m);
	assert_true(pasid_array_empty_locked(&pa));
	assert_errno(pasid_array_reserve_locked(&pa, 5), 0);
	assert_errno(pasid_array_reserve_locked(&pa, 5), -EBUSY);
	assert_errno(pasid_array_reserve_locked(&pa, 1u << 20), -EINVAL);
	tcesim_rcu_read_lock();
	assert_null(pasid_array_load_rcu(&pa, 5)); /* reserved reads as empty */
	tcesim_rcu_read_unlock();
	assert_ptr_equal(pasid_array_peek_locked(&pa, 5), PASID_ENTRY_ZERO);
	pasid_array_store_locked(&pa, 5, &x);
	assert_errno(pasid_array_reserve_locked(&pa, 5), -EBUSY);
	assert_errno(pasid_array_reserve_locked(&pa, (1u << 20) - 1), 0);
	pasid_array_store_locked(&pa, (1u << 20) - 1, &y);
	tcesim_rcu_read_lock();
	assert_ptr_equal(pasid_array_load_rcu(&pa, 5), &x);
	assert_ptr_equal(pasid_array_load_rcu(&pa, (1u << 20) - 1), &y);
	assert_null(pasid_array_load_rcu(&pa, 6));
	assert_null(pasid_array_load_rcu(&pa, 1u << 20));
	tcesim_rcu_read_unlock();
	assert_int_equal(pa.nr, 2);
	assert_ptr_equal(pasid_array_erase_locked(&pa, 5), &x);
	assert_null(pasid_array_erase_locked(&pa, 5));
	assert_ptr_equal(pasid_array_erase_locked(&pa, (1u << 20) - 1), &y);
	assert_true(pasid_array_empty_locked(&pa));
	tcesim_mutex_unlock(&m);
	tcesim_rcu_barrier();
	/* radix: empty leaves were freed after the grace period */
	if (kind == PASID_ARRAY_RADIX)
		assert_int_equal(tcesim_world_live_allocs(w), base + 1);
	else
		assert_int_equal(tcesim_world_live_allocs(w), base);
	pasid_array_destroy(&pa);
	tcesim_rcu_barrier();
	assert_int_equal(tcesim_world_live_allocs(w), base);
	tcesim_mutex_destroy(&m);
	tcesim_world_destroy(w);
	tcesim_thread_exit();
}

static void test_pasid_array_radix(void **state)
{
	(void)state;
	pasid_array_cases(PASID_ARRAY_RADIX);
}

static void test_pasid_array_lfht(void **state)
{
	(void)state;
	pasid_array_cases(PASID_ARRAY_LFHT);
}

/* ------------------------------------------------------------ attach --- */

static void test_attach_device_pasid_no_group_enodev(void **state)
{
	struct fx *f = *state;
	struct tcesim_device *d = mkdev_no_group(f, "lonely");
	struct tcesim_iommu_domain *nd;

	nd = paging(f, NULL, TCESIM_DOMAIN_F_NO_SET_DEV_PASID);
	/* -ENODEV comes before the ops check (B10 order) */
	assert_errno(tcesim_iommu_attach_device_pasid(nd, d, 1, NULL), -ENODEV);
	assert_errno(tcesim_iommu_detach_device_pasid(f->iommu->blocked_domain, d, 1), -ENODEV);
	tcesim_iommu_domain_free(nd);
}

static void test_attach_device_pasid_no_set_dev_pasid_eopnotsupp(void **state)
{
	struct fx *f = *state;
	struct tcesim_iommu_domain *d = paging(f, NULL, TCESIM_DOMAIN_F_NO_SET_DEV_PASID);

	/* -EOPNOTSUPP comes before the PASID 0 check */
	assert_errno(tcesim_iommu_attach_device_pasid(d, f->dev0, 0, NULL), -EOPNOTSUPP);
	tcesim_iommu_domain_free(d);
}

static void test_attach_device_pasid_no_blocked_domain_eopnotsupp(void **state)
{
	struct fx *f = *state;
	struct tcesim_iommu_cfg icfg;
	struct tcesim_iommu *nb;
	struct tcesim_iommu_domain *d, *bd;
	struct tcesim_device *dev;

	tcesim_iommu_cfg_init(&icfg);
	icfg.name = "noblock";
	icfg.no_blocked_domain = true;
	assert_errno(tcesim_iommu_create(f->w, &icfg, &nb), 0);
	assert_errno(tcesim_iommu_blocked_domain(nb, &bd), -EOPNOTSUPP);
	dev = mkdev(nb, "nbdev", NULL, TCESIM_PDEV_MAX_PASIDS_DEFAULT, false);
	f->allocs_base = tcesim_world_live_allocs(f->w);
	d = paging(f, nb, 0);
	assert_errno(tcesim_iommu_attach_device_pasid(d, dev, 1, NULL), -EOPNOTSUPP);
	tcesim_iommu_domain_free(d);
}

static void test_attach_device_pasid_incompatible_einval(void **state)
{
	struct fx *f = *state;
	struct tcesim_iommu_domain *other = paging(f, f->iommu1, 0), *d = paging(f, NULL, 0);

	assert_errno(tcesim_iommu_attach_device_pasid(other, f->dev0, 1, NULL), -EINVAL);
	assert_errno(tcesim_iommu_attach_device_pasid(d, f->dev0, TCESIM_IOMMU_NO_PASID, NULL),
		     -EINVAL);
	assert_errno(tcesim_iommu_attach_device_pasid(d, f->dev0, 1u << 20, NULL), -EINVAL);
	assert_errno(tcesim_iommu_attach_device_pasid(NULL, f->dev0, 1, NULL), -EINVAL);
	assert_int_equal(f->g0->pasid_array.nr, 0);
	tcesim_iommu_domain_free(other);
	tcesim_iommu_domain_free(d);
}

static void test_attach_device_pasid_resetting_ebusy(void **state)
{
	struct fx *f = *state;
	struct tcesim_iommu_domain *d = paging(f, NULL, 0);

	f->g0->resetting = true;
	/* resetting is checked before max_pasids */
	assert_errno(tcesim_iommu_attach_device_pasid(d, f->dev0, (1u << 20) - 1, NULL), -EBUSY);
	f->g0->resetting = false;
	tcesim_iommu_domain_free(d);
}

static void test_attach_device_pasid_max_pasids_einval(void **state)
{
	struct fx *f = *state;
	struct tcesim_iommu_domain *d = paging(f, NULL, 0);

	/* dev1 has 16 PASIDs; dev2 (none) is skipped, not programmed */
	assert_errno(tcesim_iommu_attach_device_pasid(d, f->dev2, 16, NULL), -EINVAL);
	assert_errno(tcesim_iommu_attach_device_pasid(d, f->dev2, 15, NULL), 0);
	assert_int_equal(f->dev1->pasid_table.nr, 1);
	assert_int_equal(f->dev2->pasid_table.nr, 0);
	assert_errno(tcesim_iommu_detach_device_pasid(d, f->dev1, 15), 0);
	assert_int_equal(f->dev1->pasid_table.nr, 0);
	tcesim_iommu_domain_free(d);
}

static void test_attach_device_pasid_occupied_ebusy(void **state)
{
	struct fx *f = *state;
	struct tcesim_iommu_domain *d = paging(f, NULL, 0), *d2 = paging(f, NULL, 0);
	struct tcesim_iommu_attach_handle h = { 0 };

	assert_errno(tcesim_iommu_attach_device_pasid(d, f->dev0, 7, &h), 0);
	assert_ptr_equal(h.domain, d);
	assert_errno(tcesim_iommu_attach_device_pasid(d2, f->dev0, 7, NULL), -EBUSY);
	assert_errno(tcesim_iommu_attach_device_pasid(d, f->dev0, 7, NULL), -EBUSY);
	/* a domain still attached is not freed */
	tcesim_iommu_domain_free(d);
	assert_true(tcesim_world_log_contains(f->w, "domain in use"));
	assert_errno(tcesim_iommu_detach_device_pasid(d2, f->dev0, 7), -ENOENT);
	assert_errno(tcesim_iommu_detach_device_pasid(d, f->dev0, 7), 0);
	assert_errno(tcesim_iommu_detach_device_pasid(d, f->dev0, 7), -ENOENT);
	tcesim_iommu_domain_free(d);
	tcesim_iommu_domain_free(d2);
}

static int fail_dev2nd_hook(struct tcesim_device *dev, uint32_t pasid,
			    struct tcesim_iommu_domain *domain, void *arg)
{
	(void)dev;
	(void)pasid;
	(void)domain;
	(void)arg;
	return -ENOSPC;	/* a driver error, passed through unchanged */
}

static void test_attach_device_pasid_device_failure_reverts(void **state)
{
	struct fx *f = *state;
	struct tcesim_iommu_domain *d = paging(f, NULL, 0);
	struct tcesim_iommu_attach_handle h = { 0 }, *got;
	struct tcesim_device *dev4 = mkdev(f->iommu, "dev4", f->g1, 16, false);
	struct sig before;

	f->allocs_base = tcesim_world_live_allocs(f->w) - 1;
	before = sig_take(f);
	dev4->set_dev_pasid_hook = fail_dev2nd_hook;
	assert_errno(tcesim_iommu_attach_device_pasid(d, f->dev1, 3, &h), -ENOSPC);
	sig_assert_now(f, &before);
	/* dev1 was programmed, then reverted to the blocked domain */
	assert_int_equal(f->dev1->nr_set_dev_pasid, 2);
	assert_null(h.domain);
	assert_errno(tcesim_iommu_attach_handle_get(f->g1, 3, 0, &got), -ENOENT);
	dev4->set_dev_pasid_hook = NULL;
	assert_errno(tcesim_iommu_attach_device_pasid(d, f->dev1, 3, &h), 0);
	assert_int_equal(dev4->pasid_table.nr, 1);
	assert_errno(tcesim_iommu_detach_device_pasid(d, dev4, 3), 0);
	tcesim_iommu_domain_free(d);
}

struct peek_arg {
	struct tcesim_iommu_group *g;
	int seen;
	int calls;
};

static int peek_hook(struct tcesim_device *dev, uint32_t pasid,
		     struct tcesim_iommu_domain *domain, void *arg)
{
	struct peek_arg *a = arg;
	struct tcesim_iommu_attach_handle *got;

	(void)dev;
	(void)domain;
	a->calls++;
	/* the slot is reserved while devices are programmed: it reads as empty */
	a->seen = tcesim_iommu_attach_handle_get(a->g, pasid, 0, &got);
	return 0;
}

static void test_attach_device_pasid_reserved_slot_reads_empty(void **state)
{
	struct fx *f = *state;
	struct tcesim_iommu_domain *d = paging(f, NULL, 0);
	struct tcesim_iommu_attach_handle h = { 0 }, *got;
	struct peek_arg a = { .g = f->g0, .seen = 1 };

	f->dev0->set_dev_pasid_hook = peek_hook;
	f->dev0->hook_arg = &a;
	assert_errno(tcesim_iommu_attach_device_pasid(d, f->dev0, 9, &h), 0);
	f->dev0->set_dev_pasid_hook = NULL;
	assert_int_equal(a.calls, 1);
	assert_errno(a.seen, -ENOENT);
	assert_errno(tcesim_iommu_attach_handle_get(f->g0, 9, 0, &got), 0);
	assert_ptr_equal(got, &h);
	assert_errno(tcesim_iommu_detach_device_pasid(d, f->dev0, 9), 0);
	tcesim_iommu_domain_free(d);
}

static void test_attach_handle_get_cases(void **state)
{
	struct fx *f = *state;
	struct tcesim_iommu_domain *d = paging(f, NULL, 0);
	struct tcesim_iommu_attach_handle h = { 0 }, *got = NULL;

	assert_errno(tcesim_iommu_attach_handle_get(f->g0, 4, 0, &got), -ENOENT);
	/* upstream's xa_load() of an index nothing is stored at */
	assert_errno(tcesim_iommu_attach_handle_get(f->g0, 1u << 20, 0, &got), -ENOENT);
	assert_errno(tcesim_iommu_attach_handle_get(f->g0, ~0u, 0, &got), -ENOENT);
	/* attached without a handle: -ENOENT (2025 tagged entries) */
	assert_errno(tcesim_iommu_attach_device_pasid(d, f->dev0, 4, NULL), 0);
	assert_errno(tcesim_iommu_attach_handle_get(f->g0, 4, 0, &got), -ENOENT);
	assert_errno(tcesim_iommu_detach_device_pasid(d, f->dev0, 4), 0);
	assert_errno(tcesim_iommu_attach_device_pasid(d, f->dev0, 4, &h), 0);
	assert_errno(tcesim_iommu_attach_handle_get(f->g0, 4, TCESIM_IOMMU_DOMAIN_SVA, &got),
		     -EBUSY);
	assert_errno(tcesim_iommu_attach_handle_get(f->g0, 4, TCESIM_IOMMU_DOMAIN_UNMANAGED, &got),
		     0);
	assert_ptr_equal(got, &h);
	got = NULL;
	assert_errno(tcesim_iommu_attach_handle_get(f->g0, 4, 0, &got), 0);
	assert_ptr_equal(got->domain, d);
	assert_errno(tcesim_iommu_detach_device_pasid(d, f->dev0, 4), 0);
	assert_errno(tcesim_iommu_attach_handle_get(f->g0, 4, 0, &got), -ENOENT);
	tcesim_iommu_domain_free(d);
}

static void test_replace_device_pasid_cases(void **state)
{
	struct fx *f = *state;
	struct tcesim_iommu_domain *a = paging(f, NULL, 0), *b = paging(f, NULL, 0);
	struct tcesim_iommu_attach_handle ha = { 0 }, hb = { 0 }, *got;
	struct tcesim_device *dev4 = mkdev(f->iommu, "dev4", f->g1, 16, false);

	f->allocs_base = tcesim_world_live_allocs(f->w) - 2;
	assert_errno(tcesim_iommu_replace_device_pasid(b, f->dev1, 2, NULL), -EINVAL);
	/* empty slot: "not a replace case" */
	assert_errno(tcesim_iommu_replace_device_pasid(b, f->dev1, 2, &hb), -EINVAL);
	assert_int_equal(f->g1->pasid_array.nr, 0);
	assert_errno(tcesim_iommu_attach_device_pasid(a, f->dev1, 2, &ha), 0);
	/* the same handle again */
	assert_errno(tcesim_iommu_replace_device_pasid(a, f->dev1, 2, &ha), -EINVAL);
	/* a device fails: the other goes back to a, the entry stays */
	dev4->set_dev_pasid_hook = fail_dev2nd_hook;
	assert_errno(tcesim_iommu_replace_device_pasid(b, f->dev1, 2, &hb), -ENOSPC);
	dev4->set_dev_pasid_hook = NULL;
	assert_errno(tcesim_iommu_attach_handle_get(f->g1, 2, 0, &got), 0);
	assert_ptr_equal(got, &ha);
	tcesim_mutex_lock(&f->g1->mutex);
	assert_ptr_equal(pasid_array_peek_locked(&f->dev1->pasid_table, 2), a);
	tcesim_mutex_unlock(&f->g1->mutex);
	assert_errno(tcesim_iommu_replace_device_pasid(b, f->dev1, 2, &hb), 0);
	assert_errno(tcesim_iommu_attach_handle_get(f->g1, 2, 0, &got), 0);
	assert_ptr_equal(got, &hb);
	assert_ptr_equal(hb.domain, b);
	tcesim_mutex_lock(&f->g1->mutex);
	assert_ptr_equal(pasid_array_peek_locked(&f->dev1->pasid_table, 2), b);
	assert_ptr_equal(pasid_array_peek_locked(&dev4->pasid_table, 2), b);
	tcesim_mutex_unlock(&f->g1->mutex);
	assert_errno(tcesim_iommu_detach_device_pasid(a, f->dev1, 2), -ENOENT);
	assert_errno(tcesim_iommu_detach_device_pasid(b, f->dev1, 2), 0);
	tcesim_iommu_domain_free(a);
	tcesim_iommu_domain_free(b);
}

static void test_replace_device_pasid_errnos(void **state)
{
	struct fx *f = *state;
	struct tcesim_iommu_domain *a = paging(f, NULL, 0), *b = paging(f, NULL, 0);
	struct tcesim_iommu_domain *nop = paging(f, NULL, TCESIM_DOMAIN_F_NO_SET_DEV_PASID);
	struct tcesim_iommu_domain *other = paging(f, f->iommu1, 0);
	struct tcesim_iommu_attach_handle ha = { 0 }, hb = { 0 };
	struct tcesim_pci_device_cfg cfg;
	struct tcesim_device *nog;

	tcesim_pci_device_cfg_init(&cfg);
	cfg.name = "nog";
	cfg.no_group = true;
	assert_errno(tcesim_pci_device_create(f->iommu, &cfg, &nog), 0);
	f->allocs_base = tcesim_world_live_allocs(f->w) - 4;
	assert_errno(tcesim_iommu_attach_device_pasid(a, f->dev0, 6, &ha), 0);
	assert_errno(tcesim_iommu_replace_device_pasid(b, nog, 6, &hb), -ENODEV);
	assert_errno(tcesim_iommu_replace_device_pasid(nop, f->dev0, 6, &hb), -EOPNOTSUPP);
	assert_errno(tcesim_iommu_replace_device_pasid(other, f->dev0, 6, &hb), -EINVAL);
	assert_errno(tcesim_iommu_replace_device_pasid(b, f->dev0, 0, &hb), -EINVAL);
	assert_errno(tcesim_iommu_replace_device_pasid(b, f->dev1, 16, &hb), -EINVAL);
	f->g0->resetting = true;
	assert_errno(tcesim_iommu_replace_device_pasid(b, f->dev0, 6, &hb), -EBUSY);
	f->g0->resetting = false;
	assert_ptr_equal(hb.domain, NULL);
	assert_errno(tcesim_iommu_detach_device_pasid(a, f->dev0, 6), 0);
	tcesim_iommu_domain_free(a);
	tcesim_iommu_domain_free(b);
	tcesim_iommu_domain_free(nop);
	tcesim_iommu_domain_free(other);
}

static void test_attach_device_pasid_fail_nth(void **state)
{
	struct fx *f = *state;
	struct tcesim_iommu_domain *d = paging(f, NULL, 0);
	struct tcesim_iommu_attach_handle h = { 0 }, *got;
	struct sig before = sig_take(f);
	unsigned long n;
	int ret = -ENOMEM;

	for (n = 1; ret; n++) {
		tcesim_world_inject_fail_alloc(f->w, n);
		ret = tcesim_iommu_attach_device_pasid(d, f->dev1, 5, &h);
		tcesim_world_inject_fail_alloc(f->w, 0);
		if (ret) {
			assert_errno(ret, -ENOMEM);
			sig_assert_now(f, &before);
			assert_errno(tcesim_iommu_attach_handle_get(f->g1, 5, 0, &got), -ENOENT);
		}
	}
	/* array leaf, then dev1's PASID table leaf */
	assert_int_equal(n - 1, 3);
	assert_errno(tcesim_iommu_detach_device_pasid(d, f->dev1, 5), 0);
	tcesim_iommu_domain_free(d);
}

/* --------------------------------------------------------- ownership --- */

static void test_group_claim_dma_owner_cases(void **state)
{
	struct fx *f = *state;
	struct tcesim_iommu_domain *d = paging(f, NULL, 0);
	int o1, o2;

	assert_errno(tcesim_iommu_group_claim_dma_owner(f->g1, NULL), -EINVAL);
	assert_errno(tcesim_iommu_attach_device_pasid(d, f->dev1, 1, NULL), 0);
	assert_errno(tcesim_iommu_group_claim_dma_owner(f->g1, &o1), -EBUSY);
	assert_errno(tcesim_iommu_detach_device_pasid(d, f->dev1, 1), 0);
	assert_errno(tcesim_iommu_group_claim_dma_owner(f->g1, &o1), 0);
	assert_true(tcesim_iommu_group_dma_owner_claimed(f->g1));
	assert_ptr_equal(f->g1->domain, f->iommu->blocked_domain);
	assert_errno(tcesim_iommu_group_claim_dma_owner(f->g1, &o1), -EPERM);
	assert_errno(tcesim_iommu_group_claim_dma_owner(f->g1, &o2), -EPERM);
	/* a kernel driver cannot bind while a user owns the group */
	assert_errno(tcesim_iommu_device_use_default_domain(f->dev1), -EBUSY);
	/* PASIDs attached: release WARNs and keeps the owner */
	assert_errno(tcesim_iommu_attach_device_pasid(d, f->dev1, 1, NULL), 0);
	tcesim_iommu_group_release_dma_owner(f->g1);
	assert_true(tcesim_world_log_contains(f->w, "iommu_group_release_dma_owner"));
	assert_true(tcesim_iommu_group_dma_owner_claimed(f->g1));
	assert_errno(tcesim_iommu_detach_device_pasid(d, f->dev1, 1), 0);
	tcesim_iommu_group_release_dma_owner(f->g1);
	assert_false(tcesim_iommu_group_dma_owner_claimed(f->g1));
	assert_ptr_equal(f->g1->domain, f->g1->default_domain);
	/* release without an owner: WARN, no-op */
	tcesim_iommu_group_release_dma_owner(f->g1);
	assert_int_equal(f->g1->owner_cnt, 0);
	tcesim_iommu_domain_free(d);
}

static void test_device_claim_dma_owner_cases(void **state)
{
	struct fx *f = *state;
	struct tcesim_pci_device_cfg cfg;
	struct tcesim_device *nog;
	int o1, o2;

	tcesim_pci_device_cfg_init(&cfg);
	cfg.name = "nog";
	cfg.no_group = true;
	assert_errno(tcesim_pci_device_create(f->iommu, &cfg, &nog), 0);
	f->allocs_base = tcesim_world_live_allocs(f->w);
	assert_errno(tcesim_iommu_device_claim_dma_owner(nog, &o1), -ENODEV);
	assert_errno(tcesim_iommu_device_claim_dma_owner(f->dev1, NULL), -EINVAL);
	assert_errno(tcesim_iommu_device_use_default_domain(nog), 0);
	/* a kernel driver uses the group: user claims fail with -EPERM */
	assert_errno(tcesim_iommu_device_use_default_domain(f->dev2), 0);
	assert_errno(tcesim_iommu_device_claim_dma_owner(f->dev1, &o1), -EPERM);
	assert_errno(tcesim_iommu_group_claim_dma_owner(f->g1, &o1), -EPERM);
	assert_errno(tcesim_iommu_device_use_default_domain(f->dev1), 0);
	assert_int_equal(f->g1->owner_cnt, 2);
	tcesim_iommu_device_unuse_default_domain(f->dev1);
	tcesim_iommu_device_unuse_default_domain(f->dev2);
	tcesim_iommu_device_unuse_default_domain(f->dev2);
	assert_true(tcesim_world_log_contains(f->w, "iommu_device_unuse_default_domain"));
	assert_int_equal(f->g1->owner_cnt, 0);
	/* the same owner claims twice (two cdevs of one iommufd) */
	assert_errno(tcesim_iommu_device_claim_dma_owner(f->dev1, &o1), 0);
	assert_errno(tcesim_iommu_device_claim_dma_owner(f->dev2, &o1), 0);
	assert_errno(tcesim_iommu_device_claim_dma_owner(f->dev2, &o2), -EPERM);
	assert_int_equal(f->g1->owner_cnt, 2);
	tcesim_iommu_device_release_dma_owner(f->dev2);
	assert_true(tcesim_iommu_group_dma_owner_claimed(f->g1));
	tcesim_iommu_device_release_dma_owner(f->dev1);
	assert_false(tcesim_iommu_group_dma_owner_claimed(f->g1));
	assert_ptr_equal(f->g1->domain, f->g1->default_domain);
}

static void test_claim_dma_owner_no_blocked_domain_allocates(void **state)
{
	struct fx *f = *state;
	struct tcesim_device *dev = mkdev_other_iommu(f, "noblock", false, true, "nbdev");
	unsigned long n;
	int o, ret = -ENOMEM;

	for (n = 1; ret; n++) {
		tcesim_world_inject_fail_alloc(f->w, n);
		ret = tcesim_iommu_device_claim_dma_owner(dev, &o);
		tcesim_world_inject_fail_alloc(f->w, 0);
		if (ret) {
			assert_errno(ret, -ENOMEM);
			assert_false(tcesim_iommu_group_dma_owner_claimed(dev->group));
		}
	}
	assert_int_equal(tcesim_iommu_domain_type(dev->group->domain),
			 TCESIM_IOMMU_DOMAIN_UNMANAGED);
	tcesim_iommu_device_release_dma_owner(dev);
	f->allocs_base++;	/* the group keeps its blocking domain */
}

/* --------------------------------------------------------------- SVA --- */

static void test_sva_bind_device_no_group_enodev(void **state)
{
	struct fx *f = *state;
	struct tcesim_device *nog = mkdev_no_group(f, "nog");
	struct tcesim_iommu_sva *h;
	struct tcesim_mm *mm;
	struct sig before;

	mm = mkmm(f, "a");
	before = sig_take(f);
	assert_errno(tcesim_iommu_sva_bind_device(nog, mm, &h), -ENODEV);
	assert_errno(tcesim_iommu_sva_bind_device(NULL, mm, &h), -EINVAL);
	sig_assert_now(f, &before);
}

static void test_sva_bind_device_twice_same_handle(void **state)
{
	struct fx *f = *state;
	struct tcesim_mm *mm = mkmm(f, "a");
	struct tcesim_iommu_sva *h1, *h2;
	struct tcesim_iommu_attach_handle *got;
	uint32_t pasid;

	assert_errno(tcesim_iommu_sva_bind_device(f->dev0, mm, &h1), 0);
	pasid = tcesim_iommu_sva_get_pasid(h1);
	assert_int_equal(pasid, 1);	/* lowest free, never 0 */
	assert_errno(tcesim_iommu_sva_bind_device(f->dev0, mm, &h2), 0);
	assert_ptr_equal(h1, h2);
	assert_int_equal(tcesim_iommu_sva_users(h1), 2);
	assert_errno(tcesim_iommu_attach_handle_get(f->g0, pasid, TCESIM_IOMMU_DOMAIN_SVA, &got), 0);
	assert_ptr_equal(got, &h1->handle);
	assert_int_equal(tcesim_iommu_global_pasids_in_use(f->w), 1);
	tcesim_iommu_sva_unbind_device(h2);
	assert_int_equal(tcesim_iommu_sva_users(h1), 1);
	assert_errno(tcesim_iommu_attach_handle_get(f->g0, pasid, 0, &got), 0);
	tcesim_iommu_sva_unbind_device(h1);
	assert_errno(tcesim_iommu_attach_handle_get(f->g0, pasid, 0, &got), -ENOENT);
	/* unbind does not free the PASID: mm_pasid_drop at __mmdrop does */
	assert_int_equal(tcesim_iommu_global_pasids_in_use(f->w), 1);
	tcesim_mm_exit(mm);
	f->nmm--;
	assert_int_equal(tcesim_iommu_global_pasids_in_use(f->w), 0);
}

static void test_sva_bind_device_pasid_outlives_unbind_until_mm_drop(void **state)
{
	struct fx *f = *state;
	struct tcesim_mm *a = mkmm(f, "a"), *b = mkmm(f, "b");
	struct tcesim_iommu_sva *ha, *hb;

	assert_errno(tcesim_iommu_sva_bind_device(f->dev0, a, &ha), 0);
	/* the process exits while bound: the domain's mmgrab keeps the PASID */
	tcesim_mm_exit(a);
	assert_int_equal(tcesim_iommu_global_pasids_in_use(f->w), 1);
	assert_errno(tcesim_iommu_sva_bind_device(f->dev0, b, &hb), 0);
	assert_int_equal(tcesim_iommu_sva_get_pasid(hb), 2);
	tcesim_iommu_sva_unbind_device(ha);
	/* last unbind: domain freed, mmdrop, mm_pasid_drop */
	assert_int_equal(tcesim_iommu_global_pasids_in_use(f->w), 1);
	tcesim_iommu_sva_unbind_device(hb);
	f->mm[0] = b;
	f->nmm = 1;
}

static void test_sva_bind_device_other_domain_type_ebusy(void **state)
{
	struct fx *f = *state;
	struct tcesim_mm *mm = mkmm(f, "a");
	struct tcesim_iommu_domain *d = paging(f, NULL, 0);
	struct tcesim_iommu_attach_handle h = { 0 };
	struct tcesim_iommu_sva *s;

	/* the process's PASID will be 1: put a paging domain there first */
	assert_errno(tcesim_iommu_attach_device_pasid(d, f->dev0, 1, &h), 0);
	assert_errno(tcesim_iommu_sva_bind_device(f->dev0, mm, &s), -EBUSY);
	/*
	 * The review's early return: the attach would fail with -EBUSY anyway,
	 * but bind stops before allocating a handle or a domain. The
	 * process's iommu_mm data was kept by the first failed bind, so this
	 * bind allocates nothing and a 2nd-allocation failure never fires.
	 */
	tcesim_world_inject_fail_alloc(f->w, 2);
	assert_errno(tcesim_iommu_sva_bind_device(f->dev0, mm, &s), -EBUSY);
	assert_true(tcesim_world_fail_alloc_armed(f->w));
	tcesim_world_inject_fail_alloc(f->w, 0);
	/* a bare domain: -ENOENT from the lookup, then -EBUSY from the attach */
	assert_errno(tcesim_iommu_detach_device_pasid(d, f->dev0, 1), 0);
	assert_errno(tcesim_iommu_attach_device_pasid(d, f->dev0, 1, NULL), 0);
	assert_errno(tcesim_iommu_sva_bind_device(f->dev0, mm, &s), -EBUSY);
	/* the first failed bind published the process's PASID; it stays */
	assert_int_equal(tcesim_iommu_global_pasids_in_use(f->w), 1);
	assert_non_null(atomic_load(&mm->iommu_mm));
	assert_errno(tcesim_iommu_detach_device_pasid(d, f->dev0, 1), 0);
	tcesim_iommu_domain_free(d);
}

static void test_sva_bind_device_other_mm_ebusy(void **state)
{
	struct fx *f = *state;
	struct tcesim_mm *a = mkmm(f, "a"), *b = mkmm(f, "b");
	struct tcesim_iommu_domain *sd;
	struct tcesim_iommu_attach_handle h = { 0 };
	struct tcesim_iommu_sva *s, *sa;

	/* b's SVA domain sits at PASID 1 of dev0's group; a gets PASID 1 */
	assert_errno(tcesim_iommu_sva_domain_alloc(f->dev0, b, &sd), 0);
	assert_errno(tcesim_iommu_attach_device_pasid(sd, f->dev0, 1, &h), 0);
	assert_errno(tcesim_iommu_sva_bind_device(f->dev1, a, &sa), 0);
	assert_int_equal(tcesim_iommu_sva_get_pasid(sa), 1);
	/* seed 002 review: the same PASID, an SVA handle, but another process */
	assert_errno(tcesim_iommu_sva_bind_device(f->dev0, a, &s), -EBUSY);
	assert_int_equal(tcesim_iommu_sva_users(sa), 1);
	tcesim_iommu_sva_unbind_device(sa);
	assert_errno(tcesim_iommu_detach_device_pasid(sd, f->dev0, 1), 0);
	tcesim_iommu_domain_free(sd);
}

static void test_sva_bind_device_eoverflow_enospc(void **state)
{
	struct fx *f = *state;
	struct tcesim_device *small = mkdev(f->iommu, "small", NULL, 2, false);
	struct tcesim_device *none = mkdev(f->iommu, "nopasid", NULL, 0, false);
	struct tcesim_iommu_sva *sa, *sb, *s;
	struct tcesim_mm *a, *b, *c;

	f->allocs_base = tcesim_world_live_allocs(f->w);
	a = mkmm(f, "a");
	b = mkmm(f, "b");
	c = mkmm(f, "c");
	assert_errno(tcesim_iommu_sva_bind_device(small, a, &sa), 0);	/* PASID 1 */
	/* PASIDs 1 .. max_pasids-1 = {1}: none left */
	assert_errno(tcesim_iommu_sva_bind_device(small, b, &s), -ENOSPC);
	assert_errno(tcesim_iommu_sva_bind_device(none, b, &s), -ENOSPC);
	assert_errno(tcesim_iommu_sva_bind_device(f->dev0, b, &sb), 0);	/* PASID 2 */
	assert_int_equal(tcesim_iommu_sva_get_pasid(sb), 2);
	/* b's PASID cannot change for a device with fewer PASIDs */
	assert_errno(tcesim_iommu_sva_bind_device(small, b, &s), -EOVERFLOW);
	assert_errno(tcesim_iommu_sva_bind_device(f->dev1, c, &s), 0);
	assert_int_equal(tcesim_iommu_sva_get_pasid(s), 3);
	tcesim_iommu_sva_unbind_device(s);
	tcesim_iommu_sva_unbind_device(sa);
	tcesim_iommu_sva_unbind_device(sb);
}

static void test_sva_bind_device_eopnotsupp(void **state)
{
	struct fx *f = *state;
	struct tcesim_device *dev = mkdev_other_iommu(f, "nosva", true, false, "nsdev");
	struct tcesim_iommu_sva *s;
	struct tcesim_mm *a;

	a = mkmm(f, "a");
	assert_errno(tcesim_iommu_sva_bind_device(dev, a, &s), -EOPNOTSUPP);
	/* iommu_alloc_mm_data() ran first: the process keeps its PASID */
	assert_int_equal(tcesim_iommu_global_pasids_in_use(f->w), 1);
}

static void test_sva_bind_device_domain_shared_per_iommu(void **state)
{
	struct fx *f = *state;
	struct tcesim_mm *a = mkmm(f, "a");
	struct tcesim_iommu_sva *s0, *s1, *s3;

	assert_errno(tcesim_iommu_sva_bind_device(f->dev0, a, &s0), 0);
	assert_errno(tcesim_iommu_sva_bind_device(f->dev1, a, &s1), 0);
	assert_errno(tcesim_iommu_sva_bind_device(f->dev3, a, &s3), 0);
	assert_ptr_not_equal(s0, s1);
	/* dev0 and dev1 share dmar0's SVA domain; dev3 (dmar1) has its own */
	assert_ptr_equal(s0->handle.domain, s1->handle.domain);
	assert_ptr_not_equal(s0->handle.domain, s3->handle.domain);
	assert_int_equal(s0->handle.domain->users, 2);
	assert_int_equal(tcesim_iommu_sva_get_pasid(s3), 1);
	/* dev2 (no PASIDs) in g1 is not programmed */
	assert_int_equal(f->dev2->pasid_table.nr, 0);
	tcesim_iommu_sva_unbind_device(s0);
	assert_int_equal(s1->handle.domain->users, 1);
	tcesim_iommu_sva_unbind_device(s1);
	tcesim_iommu_sva_unbind_device(s3);
}

static void test_sva_bind_device_fail_nth(void **state)
{
	struct fx *f = *state;
	struct tcesim_mm *a = mkmm(f, "a");
	struct tcesim_iommu_sva *s0 = NULL, *s1 = NULL;
	struct tcesim_iommu_attach_handle *got;
	struct sig before;
	unsigned long n;
	int ret = -ENOMEM, nfail = 0;

	/*
	 * First bind: mm data, handle, domain, array leaf, device table leaf.
	 * Once the mm data was allocated, iommu_alloc_mm_data() has published
	 * it: later failures keep it (and the PASID), and the next attempt
	 * reuses it (handle, domain, array leaf, table leaf): n=1 fails the
	 * mm data, n=2 the handle, n=3 the array leaf (3rd of a reuse), n=4
	 * the table leaf, n=5 succeeds. The domain's failure is covered by
	 * test_sva_upstream_rules (a fresh process per attempt there).
	 */
	before = sig_take(f);
	for (n = 1; ret; n++) {
		tcesim_world_inject_fail_alloc(f->w, n);
		ret = tcesim_iommu_sva_bind_device(f->dev0, a, &s0);
		tcesim_world_inject_fail_alloc(f->w, 0);
		if (ret) {
			struct sig want = before;

			assert_errno(ret, -ENOMEM);
			if (n > 1) {
				/* the published iommu_mm_data and its PASID */
				assert_non_null(atomic_load(&a->iommu_mm));
				want.allocs++;
				want.pasids++;
			} else {
				assert_null(atomic_load(&a->iommu_mm));
			}
			sig_assert_now(f, &want);
			assert_errno(tcesim_iommu_attach_handle_get(f->g0, 1, 0, &got), -ENOENT);
			nfail++;
		}
	}
	assert_int_equal(nfail, 4);
	/* second device: the shared domain path */
	before = sig_take(f);
	ret = -ENOMEM;
	for (n = 1; ret; n++) {
		tcesim_world_inject_fail_alloc(f->w, n);
		ret = tcesim_iommu_sva_bind_device(f->dev1, a, &s1);
		tcesim_world_inject_fail_alloc(f->w, 0);
		if (ret) {
			assert_errno(ret, -ENOMEM);
			sig_assert_now(f, &before);
			assert_int_equal(s0->handle.domain->users, 1);
		}
	}
	/*
	 * n=2 failed the shared domain's attach (array leaf): upstream ignores
	 * that error and allocates a second SVA domain for the process, which
	 * then attaches. Nothing was left behind by the earlier failures.
	 */
	assert_int_equal(n - 1, 2);
	assert_ptr_not_equal(s0->handle.domain, s1->handle.domain);
	assert_ptr_equal(s1->handle.domain->mm, a);
	assert_int_equal(s0->handle.domain->users, 1);
	tcesim_iommu_sva_unbind_device(s1);
	tcesim_iommu_sva_unbind_device(s0);
}

static void test_sva_bind_legacy_2024_list(void **state)
{
	struct fx *f = *state;
	struct tcesim_device *nog = mkdev_no_group(f, "nog");
	struct tcesim_iommu_sva *h1, *h2;
	struct tcesim_iommu_attach_handle *got;
	struct tcesim_mm *a;

	a = mkmm(f, "a");
	/* v6.8: no group check up front; the attach fails with -ENODEV */
	assert_errno(tcesim_iommu_sva_bind_device(nog, a, &h1), -ENODEV);
	/* v6.8 iommu_alloc_mm_data() too: the PASID stays with the process */
	assert_int_equal(tcesim_iommu_global_pasids_in_use(f->w), 1);
	assert_errno(tcesim_iommu_sva_bind_device(f->dev0, a, &h1), 0);
	assert_int_equal(tcesim_iommu_sva_get_pasid(h1), 1);
	assert_errno(tcesim_iommu_sva_bind_device(f->dev0, a, &h2), 0);
	assert_ptr_equal(h1, h2);
	assert_int_equal(tcesim_iommu_sva_users(h1), 2);
	/* bare domains in the array: no attach handle to find */
	assert_errno(tcesim_iommu_attach_handle_get(f->g0, 1, 0, &got), -ENOENT);
	assert_int_equal(f->g0->pasid_array.nr, 1);
	tcesim_iommu_sva_unbind_device(h1);
	tcesim_iommu_sva_unbind_device(h2);
	assert_int_equal(f->g0->pasid_array.nr, 0);
}

/* --------------------------------------------------------------- IOPF --- */

static int fault(struct tcesim_device *dev, uint32_t pasid, uint64_t addr, uint32_t perm,
		 uint32_t prg, bool last)
{
	struct tcesim_iommu_fault f = {
		.flags = TCESIM_IOMMU_FAULT_PAGE_REQUEST_PASID_VALID |
			 (last ? TCESIM_IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE : 0),
		.pasid = pasid,
		.grpid = prg,
		.perm = perm,
		.addr = addr,
	};

	return tcesim_iommu_report_device_fault(dev, &f);
}

static uint32_t resp_code(struct tcesim_device *dev, uint32_t prg)
{
	struct tcesim_iommu_page_response r;

	assert_errno(tcesim_iommu_device_page_response(dev, prg, &r), 0);
	return r.code;
}

#define R TCESIM_IOMMU_FAULT_PERM_READ
#define W TCESIM_IOMMU_FAULT_PERM_WRITE

static void test_iopf_groups_and_responses(void **state)
{
	struct fx *f = *state;
	struct tcesim_mm *a = mkmm(f, "a");
	struct tcesim_iommu_page_response r;
	struct tcesim_iommu_sva *s;
	struct tcesim_page_info pi;
	uint32_t p;

	assert_errno(tcesim_iommu_sva_bind_device(f->dev0, a, &s), 0);
	p = tcesim_iommu_sva_get_pasid(s);
	/* a group of three: no response before the last one, and none before flush */
	assert_errno(fault(f->dev0, p, 0x10000000, R, 3, false), 0);
	assert_errno(fault(f->dev0, p, 0x10001000, R | W, 3, false), 0);
	assert_int_equal(tcesim_iopf_nr_partial(f->dev0), 2);
	assert_errno(fault(f->dev0, p, 0x10002000, W, 3, true), 0);
	assert_int_equal(tcesim_iopf_nr_partial(f->dev0), 0);
	assert_int_equal(tcesim_iommu_device_nr_responses(f->dev0), 0);
	assert_errno(tcesim_iopf_queue_flush_dev(f->dev0), 0);
	assert_int_equal(tcesim_iommu_device_nr_responses(f->dev0), 1);
	assert_errno(tcesim_iommu_device_page_response(f->dev0, 3, &r), 0);
	assert_int_equal(r.code, TCESIM_IOMMU_PAGE_RESP_SUCCESS);
	assert_int_equal(r.pasid, p);
	assert_true(r.pasid_valid);
	/* the pages were faulted in */
	assert_errno(tcesim_mm_page_query(a, 0x10001000, &pi, NULL), 0);
	assert_true(pi.populated);
	/* no VMA; write to a read-only VMA: INVALID, errors sticky */
	assert_errno(fault(f->dev0, p, 0x20000000, R, 4, true), 0);
	assert_errno(fault(f->dev0, p, 0x10100000, W, 5, false), 0);
	assert_errno(fault(f->dev0, p, 0x10000000, R, 5, true), 0);
	assert_errno(fault(f->dev0, p, 0x10100000, R, 6, true), 0);
	assert_errno(tcesim_iopf_queue_flush_dev(f->dev0), 0);
	assert_int_equal(resp_code(f->dev0, 4), TCESIM_IOMMU_PAGE_RESP_INVALID);
	assert_int_equal(resp_code(f->dev0, 5), TCESIM_IOMMU_PAGE_RESP_INVALID);
	assert_int_equal(resp_code(f->dev0, 6), TCESIM_IOMMU_PAGE_RESP_SUCCESS);
	assert_int_equal(tcesim_iommu_device_nr_responses(f->dev0), 4);
	assert_errno(tcesim_iommu_device_page_response(f->dev0, 99, &r), -ENOENT);
	tcesim_iommu_sva_unbind_device(s);
}

static void test_iopf_no_handler_invalid_at_once(void **state)
{
	struct fx *f = *state;
	struct tcesim_iommu_domain *d = paging(f, NULL, 0);
	struct tcesim_iommu_attach_handle h = { 0 };

	/*
	 * Nothing at PASID 8: each request answered INVALID at once, the
	 * non-last one too (io-pgfault.c: iopf_error_response()), none kept
	 */
	assert_errno(fault(f->dev0, 8, 0x1000, R, 1, false), -EINVAL);
	assert_int_equal(tcesim_iopf_nr_partial(f->dev0), 0);
	assert_int_equal(tcesim_iommu_device_nr_responses(f->dev0), 1);
	assert_errno(fault(f->dev0, 8, 0x1000, R, 1, true), -EINVAL);
	assert_int_equal(tcesim_iommu_device_nr_responses(f->dev0), 2);
	assert_int_equal(resp_code(f->dev0, 1), TCESIM_IOMMU_PAGE_RESP_INVALID);
	/* a paging domain has no iopf handler */
	assert_errno(tcesim_iommu_attach_device_pasid(d, f->dev0, 8, &h), 0);
	assert_errno(fault(f->dev0, 8, 0x1000, R, 2, true), -EINVAL);
	assert_int_equal(resp_code(f->dev0, 2), TCESIM_IOMMU_PAGE_RESP_INVALID);
	/* a device without PRI is not on an iopf queue */
	assert_errno(fault(f->dev2, 8, 0x1000, R, 3, true), -EINVAL);
	assert_int_equal(resp_code(f->dev2, 3), TCESIM_IOMMU_PAGE_RESP_INVALID);
	assert_errno(tcesim_iopf_queue_flush_dev(f->dev2), -ENODEV);
	assert_errno(tcesim_iommu_detach_device_pasid(d, f->dev0, 8), 0);
	tcesim_iommu_domain_free(d);
}

static void test_iopf_exiting_process_invalid(void **state)
{
	struct fx *f = *state;
	struct bond b;

	bond_dev0(f, &b);
	assert_errno(fault(f->dev0, b.pasid, 0x10000000, R, 7, true), 0);
	tcesim_mm_exit(b.mm);	/* mm_users 0: mmget_not_zero fails */
	f->nmm--;
	assert_errno(tcesim_iopf_queue_flush_dev(f->dev0), 0);
	assert_int_equal(resp_code(f->dev0, 7), TCESIM_IOMMU_PAGE_RESP_INVALID);
	tcesim_iommu_sva_unbind_device(b.s);
}

static void test_iopf_discard_partial_and_unflushed_unbind(void **state)
{
	struct fx *f = *state;
	struct bond b;

	bond_dev0(f, &b);
	assert_errno(fault(f->dev0, b.pasid, 0x10000000, R, 1, false), 0);
	assert_errno(fault(f->dev0, b.pasid, 0x10000000, R, 2, false), 0);
	assert_int_equal(tcesim_iopf_queue_discard_partial(f->dev0), 2);
	assert_int_equal(tcesim_iopf_nr_partial(f->dev0), 0);
	/* a queued group keeps its domain (and the process) alive past unbind */
	assert_errno(fault(f->dev0, b.pasid, 0x10000000, R, 3, true), 0);
	tcesim_iommu_sva_unbind_device(b.s);
	tcesim_mm_exit(b.mm);
	f->nmm--;
	assert_int_equal(tcesim_iommu_global_pasids_in_use(f->w), 1);
	assert_errno(tcesim_iopf_queue_flush_dev(f->dev0), 0);
	assert_int_equal(resp_code(f->dev0, 3), TCESIM_IOMMU_PAGE_RESP_INVALID);
	assert_int_equal(tcesim_iommu_global_pasids_in_use(f->w), 0);
}

static void test_iopf_group_alloc_failure_aborts(void **state)
{
	struct fx *f = *state;
	struct bond b;

	bond_dev0(f, &b);
	tcesim_world_inject_fail_alloc(f->w, 1);
	assert_errno(fault(f->dev0, b.pasid, 0x10000000, R, 1, false), -ENOMEM);
	assert_errno(fault(f->dev0, b.pasid, 0x10000000, R, 1, false), 0);
	tcesim_world_inject_fail_alloc(f->w, 1);
	assert_errno(fault(f->dev0, b.pasid, 0x10000000, R, 1, true), -ENOMEM);
	assert_int_equal(resp_code(f->dev0, 1), TCESIM_IOMMU_PAGE_RESP_FAILURE);
	assert_true(tcesim_world_log_contains(f->w, "aborted"));
	assert_int_equal(tcesim_iopf_nr_partial(f->dev0), 0);
	assert_errno(tcesim_iopf_queue_flush_dev(f->dev0), 0);
	assert_int_equal(tcesim_iommu_device_nr_responses(f->dev0), 1);
	tcesim_iommu_sva_unbind_device(b.s);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pasid_array_radix),
		cmocka_unit_test(test_pasid_array_lfht),
		T(test_attach_device_pasid_no_group_enodev),
		T(test_attach_device_pasid_no_set_dev_pasid_eopnotsupp),
		T(test_attach_device_pasid_no_blocked_domain_eopnotsupp),
		T(test_attach_device_pasid_incompatible_einval),
		T(test_attach_device_pasid_resetting_ebusy),
		T(test_attach_device_pasid_max_pasids_einval),
		T(test_attach_device_pasid_occupied_ebusy),
		T(test_attach_device_pasid_device_failure_reverts),
		T(test_attach_device_pasid_reserved_slot_reads_empty),
		T(test_attach_handle_get_cases),
		T(test_replace_device_pasid_cases),
		T(test_replace_device_pasid_errnos),
		T(test_attach_device_pasid_fail_nth),
		T(test_group_claim_dma_owner_cases),
		T(test_device_claim_dma_owner_cases),
		T(test_claim_dma_owner_no_blocked_domain_allocates),
		T(test_sva_bind_device_no_group_enodev),
		T(test_sva_bind_device_twice_same_handle),
		T(test_sva_bind_device_pasid_outlives_unbind_until_mm_drop),
		T(test_sva_bind_device_other_domain_type_ebusy),
		T(test_sva_bind_device_other_mm_ebusy),
		T(test_sva_bind_device_eoverflow_enospc),
		T(test_sva_bind_device_eopnotsupp),
		T(test_sva_bind_device_domain_shared_per_iommu),
		T(test_sva_bind_device_fail_nth),
		cmocka_unit_test_setup_teardown(test_sva_bind_legacy_2024_list, setup_legacy,
						teardown),
		T(test_iopf_groups_and_responses),
		T(test_iopf_no_handler_invalid_at_once),
		T(test_iopf_exiting_process_invalid),
		T(test_iopf_discard_partial_and_unflushed_unbind),
		T(test_iopf_group_alloc_failure_aborts),
	};

	int fails;

	test_seed();
	fails = cmocka_run_group_tests_name("sva/radix", tests, group_setup_radix, NULL);
	fails += cmocka_run_group_tests_name("sva/lfht", tests, group_setup_lfht, NULL);
	return fails;
}
