// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * phb_kill_check.c - "a returned tce_kill leaves no stale TCE-cache entry
 * for its range" (issue 10, a built-in invariant of explored schedules).
 *
 * What it checks. it_ops->tce_kill (pnv_pci_ioda2_tce_invalidate() and its
 * PHB3 register / OPAL variants in arch/powerpc/platforms/powernv/pci-ioda.c)
 * is the only thing that makes a changed TCE visible to the device: once it
 * returns, no PE the table is linked to may translate an entry of the killed
 * range through a cached TCE that differs from the table's. The check runs
 * at the end of phb_tce_invalidate(), for ranges of at most KC_MAX entries,
 * only while a model thread is explored (elsewhere it costs the branch).
 *
 * No false alarm from a concurrent writer: the table entries of the range
 * are read when the kill starts, and an entry that changed by the time it
 * ends is not judged (its writer's own kill is still to come). Reads are
 * raw (no schedule point, no lock): under exploration one coroutine runs at
 * a time, so the check is one atomic step and adds no schedules.
 *
 * phb_kill_test_drop: a test hook (0 in production) that makes the PHBs
 * drop kills, as a lost kill-register write would, to show the check fires.
 */
#include <stdio.h>

#include "ops/phb_internal.h"
#include <tcesim/explore.h>

_Atomic int phb_kill_test_drop;

static uint64_t kc_table_tce(struct tcesim_iommu_table *tbl, uint64_t entry)
{
	_Atomic uint64_t *slot = tce_slot(tbl, false, (long)entry, false);

	return slot ? be64toh(atomic_load_explicit(slot, memory_order_relaxed)) : 0;
}

bool phb_kill_check_begin(struct kill_check *kc, struct tcesim_iommu_table *tbl,
			  uint64_t index, uint64_t npages)
{
	if (!tcesim_explore_on() || !npages || npages > KC_MAX ||
	    !tce_entry_in_table(tbl, index, npages))
		return false;
	kc->tbl = tbl;
	kc->index = index;
	kc->npages = npages;
	for (uint64_t i = 0; i < npages; i++)
		kc->snap[i] = kc_table_tce(tbl, index + i);
	return true;
}

static bool kc_pe_stale(const struct kill_check *kc, struct tcesim_pe *pe, unsigned int n)
{
	const struct tce_cache *c = &pe->phb->cache;
	char why[TCESIM_EXPLORE_WHY_LEN];

	for (unsigned int i = 0; i < TCE_CACHE_SLOTS; i++) {
		const struct tce_cache_ent *e = &c->e[i];
		uint64_t off, now;

		if (!e->tce || e->pe_number != pe->pe_number || e->win != n ||
		    e->entry < kc->index || e->entry - kc->index >= kc->npages)
			continue;
		off = e->entry - kc->index;
		now = kc_table_tce(kc->tbl, e->entry);
		if (now != kc->snap[off] || e->tce == now)
			continue;
		snprintf(why, sizeof(why),
			 "invariant: tce_kill of entries 0x%llx+%llu returned with entry 0x%llx of "
			 "PE#%u still cached as 0x%llx (table: 0x%llx)",
			 (unsigned long long)kc->index, (unsigned long long)kc->npages,
			 (unsigned long long)e->entry, pe->pe_number, (unsigned long long)e->tce,
			 (unsigned long long)now);
		tcesim_pr(pe->phb->w, "WARN: %s", why);
		tcesim_explore_fail(why);
		return true;
	}
	return false;
}

void phb_kill_check_end(const struct kill_check *kc)
{
	struct tce_group_link *tgl;

	/* raw walk: tcesim_rcu_* would be schedule points; nothing is freed mid-step */
	cds_list_for_each_entry(tgl, &kc->tbl->it_group_list, next) {
		struct tcesim_pe *pe = pe_of_group(tgl->table_group);

		if (!pe->phb->ops->kill_pages)
			continue; /* no TCE cache */
		for (unsigned int n = 0; n < TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES; n++)
			if (__atomic_load_n(&pe->table_group.tables[n], __ATOMIC_RELAXED) == kc->tbl &&
			    kc_pe_stale(kc, pe, n))
				return;
	}
}
