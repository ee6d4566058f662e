/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fx_prq.h - the devices and the end of a PRQ test's fixture, shared by tests/prq
 * (test_prq.c, test_prq_teardown.c, test_prq_upstream_rules.c): the model's leftover fault work and
 * partial groups are dropped before the world goes, RCU callbacks run, and
 * no PASID may be left allocated. Include after tcesim_test.h.
 */
#ifndef TCESIM_TEST_FX_PRQ_H
#define TCESIM_TEST_FX_PRQ_H

#include <tcesim/prq.h>
#include <tcesim/sva.h>

/* A PCI device behind @iommu, PRI capable when @pri. */
static inline struct tcesim_device *fx_prq_mkdev(struct tcesim_iommu *iommu, const char *name,
						 bool pri)
{
	struct tcesim_pci_device_cfg c;
	struct tcesim_device *d;

	tcesim_pci_device_cfg_init(&c);
	c.name = name;
	c.pri = pri;
	assert_errno(tcesim_pci_device_create(iommu, &c, &d), 0);
	return d;
}

/* Leftover fault work and partials are the model's: drop them first. */
static inline void fx_prq_drop_faults(struct tcesim_device *gpu, struct tcesim_device *nic)
{
	(void)tcesim_iopf_queue_flush_dev(gpu);
	(void)tcesim_iopf_queue_flush_dev(nic);
	(void)tcesim_iopf_queue_discard_partial(gpu);
	(void)tcesim_iopf_queue_discard_partial(nic);
}

/*
 * After the processes exited: grace periods over, no PASID in use, and
 * (when @allocs_base >= 0) no model allocation left beyond @allocs_base;
 * then the world is freed.
 */
static inline void fx_prq_world_end(struct test_world *tw, long allocs_base)
{
	tcesim_rcu_barrier();
	assert_int_equal(tcesim_iommu_global_pasids_in_use(tw->w), 0);
	if (allocs_base >= 0)
		assert_int_equal(tcesim_world_live_allocs(tw->w), allocs_base);
	test_world_free(tw);
}

/*
 * VT-d unit "dmar0" with an 8-entry PRQ (enabled) and two PRI-capable
 * devices "gpu" and "nic" behind it.
 */
static inline struct tcesim_iommu *fx_prq_dmar0(struct tcesim_world *w, struct tcesim_device **gpu,
						 struct tcesim_device **nic)
{
	struct tcesim_iommu_cfg icfg;
	struct tcesim_iommu *iommu;

	tcesim_iommu_cfg_init(&icfg);
	icfg.name = "dmar0";
	icfg.prq_depth = 8;
	assert_errno(tcesim_iommu_create(w, &icfg, &iommu), 0);
	*gpu = fx_prq_mkdev(iommu, "gpu", true);
	*nic = fx_prq_mkdev(iommu, "nic", true);
	assert_errno(tcesim_intel_iommu_enable_prq(iommu), 0);
	return iommu;
}

/* The end of a fixture of fx_prq_dmar0() and one process @mm (or NULL). */
static inline void fx_prq_end(struct test_world *tw, struct tcesim_device *gpu,
			      struct tcesim_device *nic, struct tcesim_mm *mm)
{
	fx_prq_drop_faults(gpu, nic);
	if (mm)
		tcesim_mm_exit(mm);
	fx_prq_world_end(tw, -1);
}

#endif /* TCESIM_TEST_FX_PRQ_H */
