// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * vfio_tce_build.c - the two build paths of the sPAPR TCE driver and the
 * clear that undoes them (drivers/vfio/vfio_iommu_spapr_tce.c:
 * tce_iommu_build() for v1, pinning each page; tce_iommu_build_v2() for
 * v2, translating through a preregistered region; tce_iommu_clear(),
 * tce_iommu_unuse_page(_v2), tce_page_is_contained()). The invariants and
 * the v2 entry stripe lock are described atop vfio_iommu_spapr_tce.c.
 * Layer 1 of the order atop vfio_internal.h.
 */
#include <stdio.h>

#include "vfio/vfio_internal.h"

bool tce_page_is_contained(struct vfio_state *st, struct tcesim_mm *mm, uint64_t hpa,
			   unsigned int it_page_shift)
{
	struct tcesim_page_info info;
	uint64_t size;

	if (mm && mm_iommu_is_devmem_rcu(st, mm, hpa, it_page_shift, &size))
		return size == (1ULL << it_page_shift);
	/* The IOMMU page must not be bigger than the (compound) backing page. */
	if (tcesim_page_query(st->w, hpa, &info))
		return false;
	return info.compound_shift >= it_page_shift;
}

/* ----------------------------------------------------- page use ------ */

/*
 * tce_iommu_unuse_page_v2(): the shadow names the user address the old TCE
 * came from; give its region the mapped count back. Caller in an RCU
 * section, holding the entry's stripe.
 */
static void tce_iommu_unuse_page_v2(struct vfio_state *st, struct tcesim_mm *mm,
				    struct tcesim_iommu_table *tbl, uint64_t entry)
{
	struct tcesim_mm_iommu_region *mem;
	_Atomic uint64_t *pua;
	uint64_t ua, hpa;

	if (!tbl->it_ops->useraddrptr)
		return;
	pua = tbl->it_ops->useraddrptr(tbl, (long)entry, false);
	if (!pua)
		return;
	ua = tce_read(pua);
	/*
	 * tce_iommu_prereg_ua_to_hpa(): the region counts only when the
	 * lookup and mm_iommu_ua_to_hpa() both succeed (its *pmem is set
	 * last); otherwise nothing is given back ("was not cached").
	 */
	mem = mm_iommu_lookup_rcu(st, mm, ua, 1ULL << tbl->it_page_shift);
	if (mem && !mm_iommu_ua_to_hpa(mem, ua, tbl->it_page_shift, &hpa))
		tcesim_mm_iommu_mapped_dec(mem);
	tce_write(pua, 0);
}

/*
 * The stripe lock of an entry, or NULL for a v2 container under
 * quirks=upstream: drivers/vfio/vfio_iommu_spapr_tce.c changes the hardware
 * TCE (iommu_tce_xchg_no_kill) and the shadow entry (*pua in
 * tce_iommu_build_v2 / tce_iommu_unuse_page_v2) in two unlocked steps, so
 * a racing UNMAP can read the old shadow entry and decrement the wrong
 * region's mapped count (issue 10 example b).
 */
static pthread_spinlock_t *v2_entry_lock(struct tcesim_tce_container *c, struct vfio_state *st,
					 struct tcesim_iommu_table *tbl, uint64_t entry)
{
	if (c->v2 && quirks_upstream(c))
		return NULL;
	return vfio_entry_lock(st, tbl, entry);
}

/*
 * One entry of tce_iommu_clear(): exchange in an empty TCE and release what
 * the old one held (v1 unpins it, v2 gives its region the mapped count back).
 */
static void tce_iommu_clear_one(struct tcesim_tce_container *c, struct vfio_state *st,
				struct tcesim_mm *mm, struct tcesim_iommu_table *tbl, uint64_t e)
{
	enum tcesim_dma_data_direction dir = TCESIM_DMA_NONE;
	pthread_spinlock_t *lk = v2_entry_lock(c, st, tbl, e);
	uint64_t hpa = 0;

	atomic_fetch_add_explicit(&tbl->it_clear_visited, 1, memory_order_relaxed);
	if (lk)
		tcesim_spin_lock(lk);
	if (!tcesim_iommu_tce_xchg_no_kill(mm, tbl, e, &hpa, &dir) && dir != TCESIM_DMA_NONE) {
		if (c->v2)
			tce_iommu_unuse_page_v2(st, mm, tbl, e);
		else
			tcesim_unpin_user_page(c->w, hpa);
	}
	if (lk)
		tcesim_spin_unlock(lk);
}

/*
 * May tce_iommu_clear() skip the entries whose TCE reads 0? Exchanging 0
 * for 0 with pnv_tce_xchg changes nothing: the old direction is DMA_NONE,
 * so upstream releases nothing, dirties nothing and leaves the shadow entry
 * alone (tce_iommu_clear() calls tce_iommu_unuse_page{,_v2} only for a
 * valid old TCE); the one tce_kill at the end is unchanged. A concurrent
 * build of a skipped entry is ordered after the clear, as it could be
 * upstream. Only for the model's own op (tce_xchg_pnv: a test's mock op is
 * called for every entry, as upstream calls it_ops->xchg_no_kill) and
 * never while a model thread is explored: there every exchange is a
 * schedule point, and skipping it would change the schedules.
 */
static bool clear_may_skip_empty(const struct tcesim_iommu_table *tbl)
{
	return tbl->it_ops->xchg_no_kill == tce_xchg_pnv && !tcesim_explore_on();
}

/*
 * How many of the @n slots from @slot on read 0 before the first that does
 * not (@n if all do). Relaxed loads, no schedule point (explore is off:
 * clear_may_skip_empty()), eight at a time and branch-free inside a group,
 * so an empty 8192-entry window costs a few microseconds.
 */
static uint64_t skip_empty(const _Atomic uint64_t *slot, uint64_t n)
{
	uint64_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t any = 0;

		for (unsigned int k = 0; k < 8; k++)
			any |= atomic_load_explicit(&slot[i + k], memory_order_relaxed);
		if (any)
			break;
	}
	for (; i < n; i++)
		if (atomic_load_explicit(&slot[i], memory_order_relaxed))
			break;
	return i;
}

/*
 * The entry after @e's leaf block ends, at most @last (tce_slot() of a
 * one-level table indexes it_base modulo it_level_size too): a missing leaf
 * of a multi-level table is skipped whole. Upstream (drivers/vfio/
 * vfio_iommu_spapr_tce.c tce_iommu_clear()) does it through the userspace
 * view (IOMMU_TABLE_USERSPACE_ENTRY_RO() NULL: "entry |= tbl->it_level_size
 * - 1", a mirror of the hardware levels); the model asks the hardware
 * levels themselves, exactly to the end of the block.
 */
static uint64_t leaf_end(const struct tcesim_iommu_table *tbl, uint64_t e, uint64_t last)
{
	uint64_t end = e + (tbl->it_level_size - ((e - tbl->it_offset) & (tbl->it_level_size - 1)));

	return end < last ? end : last;
}

/*
 * tce_iommu_clear(): empty [entry, entry + pages), releasing what each
 * valid TCE held, then one kill. Missing levels are skipped. Caller in an
 * RCU section (or owning the unpublished table).
 *
 * Fast path (clear_may_skip_empty): one leaf block at a time, entries
 * whose TCE reads 0 are not exchanged (a close of a 32 MiB+ default window
 * holding one mapping visits one entry, not 8192+ under a lock each);
 * it_clear_visited counts the entries exchanged, for tests/vfio's work
 * test. Every observable result (pins, dirty bits, mapped counts, TCEs,
 * kills) is the slow path's.
 */
void tce_iommu_clear(struct tcesim_tce_container *c, struct tcesim_iommu_table *tbl,
		     uint64_t entry, uint64_t pages)
{
	struct vfio_state *st = vfio_state_peek(c->w);
	struct tcesim_mm *mm = container_mm(c);
	uint64_t e = entry, last = entry + pages;
	bool skip = clear_may_skip_empty(tbl);

	while (e < last) {
		uint64_t end = leaf_end(tbl, e, last);
		_Atomic uint64_t *slot = NULL;

		if (tbl->it_indirect_levels || skip) {
			slot = tce_slot(tbl, false, (long)e, false);
			if (!slot) {
				/* the leaf block is absent: skip to its end */
				e = end;
				continue;
			}
		}
		if (!skip) {
			for (; e < end; e++)
				tce_iommu_clear_one(c, st, mm, tbl, e);
			continue;
		}
		while (e < end) {
			uint64_t n = skip_empty(slot, end - e);

			e += n;
			slot += n;
			if (e == end)
				break;
			tce_iommu_clear_one(c, st, mm, tbl, e++);
			slot++;
		}
	}
	tcesim_iommu_tce_kill(tbl, entry, (unsigned long)pages);
}

/* v1: pin, check, exchange, unpin the old page. Caller in an RCU section. */
/* Both builds: the message when an exchange fails at entry + i */
static void tce_build_failed(struct tcesim_tce_container *c, const char *fn,
			     const struct tcesim_iommu_table *tbl, uint64_t entry, uint64_t tce,
			     long ret)
{
	tcesim_pr(c->w, "iommu_tce: %s failed ioba=%llx, tce=%llx, ret=%ld", fn,
		  (unsigned long long)(entry << tbl->it_page_shift), (unsigned long long)tce, ret);
}

/* Both builds: on error clear the @done entries written, else kill the range */
static long tce_build_finish(struct tcesim_tce_container *c, struct tcesim_iommu_table *tbl,
			     uint64_t entry, uint64_t done, uint64_t pages, long ret)
{
	if (ret)
		tce_iommu_clear(c, tbl, entry, done);
	else
		tcesim_iommu_tce_kill(tbl, entry, (unsigned long)pages);
	return ret;
}

long tce_iommu_build(struct tcesim_tce_container *c, struct tcesim_mm *cur,
		     struct tcesim_iommu_table *tbl, uint64_t entry, uint64_t tce,
		     uint64_t pages, enum tcesim_dma_data_direction dir)
{
	struct vfio_state *st = vfio_state_peek(c->w);
	uint64_t psize = 1ULL << tbl->it_page_shift, hmask = (1ULL << host_shift(c)) - 1;
	struct tcesim_mm *mm = container_mm(c);
	long ret = 0;
	uint64_t i;

	for (i = 0; i < pages; i++) {
		/* the IOMMU page's offset inside the host page (IOMMU page < PAGE_SIZE) */
		uint64_t offset = tce & ~(psize - 1) & hmask, hpa;
		enum tcesim_dma_data_direction dirtmp = dir;

		if (tcesim_pin_user_pages_fast(cur, tce, 1,
					       dir != TCESIM_DMA_TO_DEVICE ? TCESIM_FOLL_WRITE : 0,
					       &hpa) != 1) {
			ret = -EFAULT;
			break;
		}
		if (!tce_page_is_contained(st, mm, hpa, tbl->it_page_shift)) {
			ret = -EPERM;
			/* Q3: upstream forgets this pin; safe gives it back */
			if (!quirks_upstream(c))
				tcesim_unpin_user_page(c->w, hpa);
			break;
		}
		hpa |= offset;
		ret = tcesim_iommu_tce_xchg_no_kill(mm, tbl, entry + i, &hpa, &dirtmp);
		if (ret) {
			tcesim_unpin_user_page(c->w, hpa);
			tce_build_failed(c, "tce_iommu_build", tbl, entry + i, tce, ret);
			break;
		}
		/* seed 000: the guest may overwrite a TCE without clearing it */
		if (dirtmp != TCESIM_DMA_NONE)
			tcesim_unpin_user_page(c->w, hpa);
		tce += psize;
	}
	return tce_build_finish(c, tbl, entry, i, pages, ret);
}

/* v2: translate through prereg memory, count, exchange, record in the shadow. */
long tce_iommu_build_v2(struct tcesim_tce_container *c, struct tcesim_iommu_table *tbl,
			uint64_t entry, uint64_t tce, uint64_t pages,
			enum tcesim_dma_data_direction dir)
{
	struct vfio_state *st = vfio_state_peek(c->w);
	uint64_t psize = 1ULL << tbl->it_page_shift, hmask = (1ULL << host_shift(c)) - 1;
	struct tcesim_mm *mm = container_mm(c);
	long ret = 0;
	uint64_t i;

	for (i = 0; i < pages; i++) {
		enum tcesim_dma_data_direction dirtmp = dir;
		struct tcesim_mm_iommu_region *mem;
		_Atomic uint64_t *pua = NULL;
		pthread_spinlock_t *lk;
		uint64_t hpa;

		if (tbl->it_ops->useraddrptr)
			pua = tbl->it_ops->useraddrptr(tbl, (long)(entry + i), true);
		if (!pua) {
			/* upstream dereferences without a check; a level alloc failed */
			ret = -ENOMEM;
			break;
		}
		mem = mm_iommu_lookup_rcu(st, mm, tce, psize);
		if (!mem || mm_iommu_ua_to_hpa(mem, tce, tbl->it_page_shift, &hpa)) {
			ret = -EINVAL; /* tce_iommu_prereg_ua_to_hpa() */
			break;
		}
		if (!tce_page_is_contained(st, mm, hpa, tbl->it_page_shift)) {
			ret = -EPERM;
			break;
		}
		hpa |= tce & ~(psize - 1) & hmask;
		/* The region is being unregistered (Q5). */
		if (tcesim_mm_iommu_mapped_inc(mem)) {
			if (!quirks_upstream(c))
				ret = -ENXIO;
			break;
		}
		lk = v2_entry_lock(c, st, tbl, entry + i);
		if (lk)
			tcesim_spin_lock(lk);
		ret = tcesim_iommu_tce_xchg_no_kill(mm, tbl, entry + i, &hpa, &dirtmp);
		if (ret) {
			/*
			 * The old TCE is still there. Upstream's
			 * tce_iommu_build_v2() calls tce_iommu_unuse_page_v2()
			 * on the entry ("dirtmp cannot be DMA_NONE here"), but
			 * the shadow entry still names the old TCE's user
			 * address (or 0): the count taken on @mem above is
			 * never given back (the region can no longer be
			 * unregistered) and an old TCE's region loses one
			 * while that TCE stays. quirks=upstream reproduces
			 * it; safe gives only our count back. An entry past
			 * the window end (the exchange's -EINVAL: upstream
			 * checks only the first page and writes out of the
			 * table there, which tcesim refuses) has no shadow
			 * entry of its own: only our count goes back.
			 */
			if (quirks_upstream(c) && tce_entry_in_table(tbl, entry + i, 1))
				tce_iommu_unuse_page_v2(st, mm, tbl, entry + i);
			else
				tcesim_mm_iommu_mapped_dec(mem);
			if (lk)
				tcesim_spin_unlock(lk);
			tce_build_failed(c, "tce_iommu_build_v2", tbl, entry + i, tce, ret);
			break;
		}
		if (dirtmp != TCESIM_DMA_NONE)
			tce_iommu_unuse_page_v2(st, mm, tbl, entry + i);
		tce_write(pua, tce);
		if (lk)
			tcesim_spin_unlock(lk);
		tce += psize;
	}
	return tce_build_finish(c, tbl, entry, i, pages, ret);
}
