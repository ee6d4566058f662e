// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * vfio_iommu_spapr_tce.c - the VFIO sPAPR TCE IOMMU driver: containers v1
 * and v2, their windows, group ownership, MAP/UNMAP through pinned (v1) or
 * preregistered (v2) memory.
 *
 * Concepts:
 *
 *  What it models: drivers/vfio/vfio_iommu_spapr_tce.c as of the 2022
 *  "borrowing" table group ops with the 2020 body (tce_iommu_*), plus the
 *  VFIO-core part of VFIO_GROUP_SET_CONTAINER/UNSET_CONTAINER that
 *  scenarios see: a group is in one container at most, and the group's DMA
 *  ownership is claimed before the driver attaches it and released after
 *  the driver detached it (drivers/vfio/container.c:
 *  vfio_container_attach_group(), vfio_group_detach_container()). The
 *  claim's blocked domain runs the table group's take_ownership, so the
 *  driver's tce_iommu_take_ownership() only programs the windows, as
 *  upstream since 2023. A container owns up to two window tables (DMA
 *  windows of every attached PE), a list of groups (PEs) and, for v2, a
 *  list of preregistered regions (iommu_api.c). A group in a container is
 *  owned by userspace: the kernel DMA API has no window on it until the
 *  group is detached.
 *
 *  v1: ENABLE charges the whole 32-bit window to locked_vm (Q9); MAP pins
 *  each page (FOLL_WRITE unless the device only reads) and stores its hpa;
 *  the TCE holds the pin. v2: REGISTER_MEMORY pins once; MAP translates
 *  through the region, counts the TCE in region->mapped and records the user
 *  address in the table's userspace shadow (it_userspace), so UNMAP (and
 *  KVM) can find the region again. Windows: the default 32-bit window is
 *  created lazily (def_window_pending) by the first MAP/UNMAP/TCE_CREATE;
 *  v2 adds windows with TCE_CREATE (DDW). Every window charges its table
 *  size (hardware + shadow copy) to locked_vm.
 *
 *  Invariants:
 *   - every valid TCE in a container table holds exactly one page pin (v1)
 *     or one mapped count of the region its shadow entry names (v2); a
 *     cleared or overwritten TCE gives it back (and dirties the page when
 *     the device could write it);
 *   - tables[] of a container are programmed into every attached PE
 *     (set_window); attach rolls back on failure;
 *   - no user mapping survives an ownership change: detaching the last
 *     group clears every TCE the container made, tables borrowed from the
 *     kernel (IODA1) go back cleared, KVM links of the PE are dropped, and
 *     the PE's release_ownership restores the kernel's default window;
 *   - a failing ioctl changes nothing (Q5 under quirks=upstream excepted).
 *
 *  Lock order (src/internal.h, vfio_internal.h):
 *     vfio->lock > vfio->kvm_attach_lock > kvm->lock > vfio->links_lock
 *     vfio->lock > container->lock > vfio->mem_list_mutex > phb->lock > mm->lock
 *     entry stripe spinlocks: leaf (only the table's level allocator and
 *     atomics inside).
 *   vfio->lock stands for VFIO core's group->container binding; it is held
 *   across attach/detach. container->lock serialises attach, detach,
 *   ENABLE/DISABLE, REGISTER/UNREGISTER, TCE_CREATE/REMOVE and the default
 *   window creation.
 *
 *  Which operations run concurrently: MAP_DMA and UNMAP_DMA take no
 *  container lock (upstream) and run against each other, against KVM's
 *  hypercalls on a linked table and against everything else. They find the
 *  window under RCU and stay in that read-side section while they change
 *  TCEs; TCE_REMOVE, detach and close unpublish a table and wait for a
 *  grace period before clearing it, so a racing MAP cannot leave a TCE in a
 *  table that is being emptied. Each TCE change is one atomic exchange;
 *  for v2 the (TCE, shadow entry) pair of one entry changes under a striped
 *  spinlock so that two racing MAP/UNMAP of the same entry always pair each
 *  mapped_inc with one mapped_dec (upstream updates the shadow after the
 *  exchange without a lock and can lose a count in that race).
 */
#include <stdio.h>

#include "vfio/vfio_internal.h"

#define VFIO_ARG(a) ((void *)(uintptr_t)(a))

/* ------------------------------------------------------- world state -- */

static bool vfio_devmem_hook(struct tcesim_mm *mm, uint64_t hpa, unsigned int page_shift)
{
	struct vfio_state *st = vfio_state_peek(mm->w);
	bool ret;

	if (!st)
		return false;
	tcesim_rcu_read_lock();
	ret = mm_iommu_is_devmem_rcu(st, mm, hpa, page_shift, NULL);
	tcesim_rcu_read_unlock();
	return ret;
}

static void *vfio_state_create(struct tcesim_world *w)
{
	struct vfio_state *st = tcesim_zalloc(w, sizeof(*st));
	unsigned int i;

	if (!st)
		return NULL;
	if (tcesim_ops_set_devmem_hook(w, vfio_devmem_hook)) {
		tcesim_kfree(w, st);
		return NULL;
	}
	st->w = w;
	tcesim_mutex_init(&st->lock);
	tcesim_mutex_init(&st->mem_list_mutex);
	tcesim_mutex_init(&st->kvm_attach_lock);
	tcesim_mutex_init(&st->links_lock);
	CDS_INIT_LIST_HEAD(&st->containers);
	CDS_INIT_LIST_HEAD(&st->regions);
	CDS_INIT_LIST_HEAD(&st->kvm_tbls);
	CDS_INIT_LIST_HEAD(&st->kvm_links);
	for (i = 0; i < VFIO_ENTRY_LOCKS; i++)
		pthread_spin_init(&st->entry_lock[i], PTHREAD_PROCESS_PRIVATE);
	return st;
}

static void vfio_state_destroy(struct tcesim_world *w, void *p)
{
	struct vfio_state *st = p;
	unsigned int i;

	/* Containers still open are closed (process exit closes the fds). */
	while (!cds_list_empty(&st->containers))
		tcesim_tce_iommu_release(cds_list_entry(st->containers.next,
							struct tcesim_tce_container, node));
	vfio_kvm_release_all(st);
	mm_iommu_cleanup_all(st);
	if (tcesim_world_slot_peek(w, TCESIM_SLOT_OPS))
		tcesim_ops_set_devmem_hook(w, NULL);
	tcesim_rcu_barrier();
	for (i = 0; i < VFIO_ENTRY_LOCKS; i++)
		pthread_spin_destroy(&st->entry_lock[i]);
	tcesim_mutex_destroy(&st->links_lock);
	tcesim_mutex_destroy(&st->kvm_attach_lock);
	tcesim_mutex_destroy(&st->mem_list_mutex);
	tcesim_mutex_destroy(&st->lock);
	tcesim_kfree(w, st);
}

struct vfio_state *vfio_state_get(struct tcesim_world *w)
{
	return tcesim_world_slot(w, TCESIM_SLOT_VFIO, vfio_state_create, vfio_state_destroy);
}

struct vfio_state *vfio_state_peek(struct tcesim_world *w)
{
	return tcesim_world_slot_peek(w, TCESIM_SLOT_VFIO);
}

/* ------------------------------------------------------------ helpers -- */

static bool quirks_upstream(const struct tcesim_tce_container *c)
{
	return tcesim_quirks_upstream(c->w);
}

/*
 * iommu_tce_check_ioba() of the modelled era: with the npages fix (modern),
 * or the pre-fix form (legacy_2013/2015/2016: quirk Q2).
 */
static int vfio_check_ioba(struct tcesim_tce_container *c, struct tcesim_iommu_table *tbl,
			   uint64_t iova, unsigned long npages)
{
	if (tcesim_flavour_is(c->w, TCESIM_FLAVOUR_LEGACY_2013) ||
	    tcesim_flavour_is(c->w, TCESIM_FLAVOUR_LEGACY_2015) ||
	    tcesim_flavour_is(c->w, TCESIM_FLAVOUR_LEGACY_2016))
		return tcesim_iommu_tce_check_ioba_prefix(tbl->it_page_shift, tbl->it_offset,
							  tbl->it_size, iova, npages);
	return tcesim_iommu_tce_check_ioba(tbl->it_page_shift, tbl->it_offset, tbl->it_size, iova,
					   npages);
}

static unsigned int host_shift(const struct tcesim_tce_container *c)
{
	return tcesim_page_shift(c->w);
}

static struct tcesim_mm *container_mm(struct tcesim_tce_container *c)
{
	return atomic_load_explicit(&c->mm, memory_order_acquire);
}

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

/* tce_iommu_mm_set(): bind the container to the first process using it. */
static int tce_iommu_mm_set(struct tcesim_tce_container *c, struct tcesim_mm *cur)
{
	struct tcesim_mm *old = container_mm(c);

	if (old)
		return old == cur ? 0 : -EPERM;
	tcesim_mmgrab(cur);
	/* Release pairs with container_mm()'s acquire. */
	if (!atomic_compare_exchange_strong_explicit(&c->mm, &old, cur, memory_order_acq_rel,
						     memory_order_acquire)) {
		tcesim_mmdrop(cur);
		return old == cur ? 0 : -EPERM;
	}
	return 0;
}

static struct tce_iommu_group *first_group(struct tcesim_tce_container *c)
{
	if (cds_list_empty(&c->group_list))
		return NULL;
	return cds_list_entry(c->group_list.next, struct tce_iommu_group, next);
}

static bool groups_attached(struct tcesim_tce_container *c)
{
	bool ret;

	tcesim_mutex_lock(&c->lock);
	ret = !cds_list_empty(&c->group_list);
	tcesim_mutex_unlock(&c->lock);
	return ret;
}

/* tce_iommu_find_table(); caller in an RCU section or holding c->lock. */
static int tce_iommu_find_table(struct tcesim_tce_container *c, uint64_t ioba,
				struct tcesim_iommu_table **ptbl)
{
	int i;

	for (i = 0; i < TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES; i++) {
		struct tcesim_iommu_table *tbl = tcesim_rcu_deref(c->tables[i]);

		if (tbl && tce_entry_in_table(tbl, ioba >> tbl->it_page_shift, 1)) {
			*ptbl = tbl;
			return i;
		}
	}
	return -1;
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
	uint64_t ua;

	if (!tbl->it_ops->useraddrptr)
		return;
	pua = tbl->it_ops->useraddrptr(tbl, (long)entry, false);
	if (!pua)
		return;
	ua = tce_read(pua);
	mem = mm_iommu_lookup_rcu(st, mm, ua, 1ULL << tbl->it_page_shift);
	if (mem)
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
 * tce_iommu_clear(): empty [entry, entry + pages), releasing what each
 * valid TCE held, then one kill. Missing levels are skipped. Caller in an
 * RCU section (or owning the unpublished table).
 */
static void tce_iommu_clear(struct tcesim_tce_container *c, struct tcesim_iommu_table *tbl,
			    uint64_t entry, uint64_t pages)
{
	struct vfio_state *st = vfio_state_peek(c->w);
	struct tcesim_mm *mm = container_mm(c);
	uint64_t i;

	for (i = 0; i < pages; i++) {
		uint64_t e = entry + i, hpa = 0;
		enum tcesim_dma_data_direction dir = TCESIM_DMA_NONE;
		pthread_spinlock_t *lk;

		if (tbl->it_indirect_levels && !tce_slot(tbl, false, (long)e, false)) {
			/* the leaf block is absent: skip to its end */
			i += (tbl->it_level_size - 1) -
			     ((e - tbl->it_offset) & (tbl->it_level_size - 1));
			continue;
		}
		lk = v2_entry_lock(c, st, tbl, e);
		if (lk)
			tcesim_spin_lock(lk);
		if (!tcesim_iommu_tce_xchg_no_kill(mm, tbl, e, &hpa, &dir) &&
		    dir != TCESIM_DMA_NONE) {
			if (c->v2)
				tce_iommu_unuse_page_v2(st, mm, tbl, e);
			else
				tcesim_unpin_user_page(c->w, hpa);
		}
		if (lk)
			tcesim_spin_unlock(lk);
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

static long tce_iommu_build(struct tcesim_tce_container *c, struct tcesim_mm *cur,
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
static long tce_iommu_build_v2(struct tcesim_tce_container *c, struct tcesim_iommu_table *tbl,
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
			if (lk)
				tcesim_spin_unlock(lk);
			/* the old TCE is still there: only our count goes back */
			tcesim_mm_iommu_mapped_dec(mem);
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

/* ------------------------------------------------------------ windows -- */

/* tce_iommu_free_table(): @tbl was window @num, already unpublished. */
static void tce_iommu_free_table(struct tcesim_tce_container *c, int num,
				 struct tcesim_iommu_table *tbl)
{
	struct tcesim_mm *mm = container_mm(c);

	tcesim_lock_assert_held(&c->lock);
	c->tables[num] = NULL;
	c->borrowed[num] = false;
	tcesim_iommu_tce_table_put(tbl);
	if (mm && c->table_pages[num])
		tcesim_account_locked_vm(mm, c->table_pages[num], false);
	c->table_pages[num] = 0;
}

/* tce_iommu_create_window(); caller holds c->lock and made sure of a group. */
static long tce_iommu_create_window(struct tcesim_tce_container *c, unsigned int page_shift,
				    uint64_t window_size, unsigned int levels,
				    uint64_t *start_addr)
{
	struct tcesim_mm *mm = container_mm(c);
	struct tcesim_iommu_table *tbl;
	const struct tcesim_pe_group_ops *gops;
	struct tce_iommu_group *g, *gfirst;
	unsigned long table_size, pages;
	int num;
	long ret;

	tcesim_lock_assert_held(&c->lock);
	for (num = 0; num < TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES; num++)
		if (!c->tables[num])
			break;
	if (num == TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES)
		return -ENOSPC;
	gfirst = first_group(c);
	if (!gfirst)
		return -EFAULT; /* no table_group */
	if (page_shift >= 64 || !(gfirst->pe->table_group.pgsizes & (1ULL << page_shift)))
		return -EINVAL;
	gops = gfirst->pe->gops;
	if (!gops->set_window || !gops->unset_window || !gops->get_table_size ||
	    !gops->create_table)
		return -EPERM;
	/* tce_iommu_create_table(): account first, then create */
	table_size = tcesim_pe_get_table_size(gfirst->pe, page_shift, window_size, levels);
	if (!table_size)
		return -EINVAL;
	pages = table_size >> host_shift(c);
	ret = tcesim_account_locked_vm(mm, pages, true);
	if (ret)
		return ret;
	ret = tcesim_pe_create_table(gfirst->pe, (unsigned int)num, page_shift, window_size, levels,
				     true, &tbl);
	if (ret) {
		tcesim_account_locked_vm(mm, pages, false);
		return ret;
	}
	/* Program the table into every group's window. */
	cds_list_for_each_entry(g, &c->group_list, next) {
		ret = tcesim_pe_set_window(g->pe, (unsigned int)num, tbl);
		if (ret)
			goto out_unset;
	}
	c->table_pages[num] = pages;
	c->borrowed[num] = gops == &spapr_tce_group_ops;
	/* Pairs with tcesim_rcu_deref() in tce_iommu_find_table(). */
	tcesim_rcu_assign(c->tables[num], tbl);
	*start_addr = tbl->it_offset << tbl->it_page_shift;
	return 0;

out_unset:
	cds_list_for_each_entry(g, &c->group_list, next)
		tcesim_pe_unset_window(g->pe, (unsigned int)num);
	tcesim_iommu_tce_table_put(tbl);
	tcesim_account_locked_vm(mm, pages, false);
	return ret;
}

static long tce_iommu_create_default_window(struct tcesim_tce_container *c)
{
	struct tce_iommu_group *g;
	uint64_t start_addr = 0;
	long ret;

	tcesim_lock_assert_held(&c->lock);
	if (!c->def_window_pending)
		return 0;
	g = first_group(c);
	if (!g)
		return -ENODEV;
	ret = tce_iommu_create_window(c, 12, g->pe->table_group.tce32_size, 1, &start_addr);
	if (!ret) {
		if (start_addr)
			tcesim_pr(c->w, "WARNING: tce_vfio: default window at 0x%llx, not 0",
				  (unsigned long long)start_addr);
		c->def_window_pending = false;
	}
	return ret;
}

static long create_default_window_locked(struct tcesim_tce_container *c)
{
	long ret;

	tcesim_mutex_lock(&c->lock);
	ret = tce_iommu_create_default_window(c);
	tcesim_mutex_unlock(&c->lock);
	return ret;
}

/*
 * Unpublish window @num and wait until no MAP/UNMAP can be using it: the
 * table is then ours alone. Caller holds c->lock (MAP/UNMAP never wait for
 * it inside their read-side section, so the grace period ends).
 */
static struct tcesim_iommu_table *unpublish_table(struct tcesim_tce_container *c, int num)
{
	struct tcesim_iommu_table *tbl = c->tables[num];

	tcesim_lock_assert_held(&c->lock);
	tcesim_rcu_assign(c->tables[num], NULL);
	tcesim_synchronize_rcu();
	return tbl;
}

/* Clear every entry of a table nobody else maps into any more. */
static void clear_whole_table(struct tcesim_tce_container *c, struct tcesim_iommu_table *tbl)
{
	if (!container_mm(c))
		return; /* never bound: nothing was ever mapped */
	tcesim_rcu_read_lock();
	tce_iommu_clear(c, tbl, tbl->it_offset, tbl->it_size);
	tcesim_rcu_read_unlock();
}

static long tce_iommu_remove_window(struct tcesim_tce_container *c, uint64_t start_addr)
{
	struct tcesim_iommu_table *tbl;
	struct tce_iommu_group *g;
	int num;

	tcesim_lock_assert_held(&c->lock);
	num = tce_iommu_find_table(c, start_addr, &tbl);
	if (num < 0)
		return -EINVAL;
	cds_list_for_each_entry(g, &c->group_list, next) {
		if (!g->pe->gops->unset_window)
			return -EPERM;
		tcesim_pe_unset_window(g->pe, (unsigned int)num);
	}
	tbl = unpublish_table(c, num);
	clear_whole_table(c, tbl);
	tce_iommu_free_table(c, num, tbl);
	return 0;
}

/* ------------------------------------------------------------- prereg -- */

static long tce_iommu_register_pages(struct tcesim_tce_container *c, uint64_t vaddr,
				     uint64_t size)
{
	uint64_t pmask = (1ULL << host_shift(c)) - 1;
	struct tcesim_mm *mm = container_mm(c);
	struct tcesim_mm_iommu_region *mem = NULL;
	struct tce_iommu_prereg *tcemem;
	long ret;

	if ((vaddr & pmask) || (size & pmask) || vaddr + size < vaddr)
		return -EINVAL;
	if (!tcesim_mm_iommu_get(mm, vaddr, size >> host_shift(c), &mem)) {
		cds_list_for_each_entry(tcemem, &c->prereg_list, next) {
			if (tcemem->mem == mem) {
				ret = -EBUSY;
				goto out_put;
			}
		}
	} else {
		ret = tcesim_mm_iommu_new(mm, vaddr, size >> host_shift(c), &mem);
		if (ret)
			return ret;
	}
	tcemem = tcesim_zalloc(c->w, sizeof(*tcemem));
	if (!tcemem) {
		ret = -ENOMEM;
		goto out_put;
	}
	tcemem->mem = mem;
	cds_list_add(&tcemem->next, &c->prereg_list);
	atomic_store(&c->enabled, true);
	return 0;

out_put:
	tcesim_mm_iommu_put(mm, mem);
	return ret;
}

static long tce_iommu_unregister_pages(struct tcesim_tce_container *c, uint64_t vaddr,
				       uint64_t size)
{
	uint64_t pmask = (1ULL << host_shift(c)) - 1;
	struct tcesim_mm *mm = container_mm(c);
	struct tcesim_mm_iommu_region *mem;
	struct tce_iommu_prereg *tcemem, *found = NULL;
	struct tcesim_mm_iommu_info info;
	long ret;

	if ((vaddr & pmask) || (size & pmask))
		return -EINVAL;
	if (tcesim_mm_iommu_get(mm, vaddr, size >> host_shift(c), &mem))
		return -ENOENT;
	cds_list_for_each_entry(tcemem, &c->prereg_list, next) {
		if (tcemem->mem == mem) {
			found = tcemem;
			break;
		}
	}
	if (!found) {
		ret = -ENOENT;
	} else if (!quirks_upstream(c) && !tcesim_mm_iommu_get_info(mem, &info) &&
		   info.mapped > 1) {
		/* Q4 safe: refuse while TCEs point here (2016-era -EBUSY) */
		ret = -EBUSY;
	} else {
		/* tce_iommu_prereg_free(): the container's use goes */
		ret = tcesim_mm_iommu_put(mm, found->mem);
		if (!ret) {
			cds_list_del(&found->next);
			tcesim_kfree(c->w, found);
		}
	}
	/* Q4 upstream: this put's -EBUSY is ignored: the region is orphaned */
	tcesim_mm_iommu_put(mm, mem);
	return ret;
}

/* ------------------------------------------------------------- ENABLE -- */

static long tce_iommu_enable(struct tcesim_tce_container *c, struct tcesim_mm *cur)
{
	struct tce_iommu_group *g;
	unsigned long locked;
	long ret;

	tcesim_lock_assert_held(&c->lock);
	if (atomic_load(&c->enabled))
		return -EBUSY;
	g = first_group(c);
	if (!g)
		return -ENODEV; /* no way to know how much locked_vm to charge */
	if (!g->pe->table_group.tce32_size)
		return -EPERM;
	ret = tce_iommu_mm_set(c, cur);
	if (ret)
		return ret;
	/* Q9: the whole 32-bit window, not what gets mapped */
	locked = (unsigned long)(g->pe->table_group.tce32_size >> host_shift(c));
	ret = tcesim_account_locked_vm(container_mm(c), locked, true);
	if (ret)
		return ret;
	c->locked_pages = locked;
	atomic_store(&c->enabled, true);
	return 0;
}

static void tce_iommu_disable(struct tcesim_tce_container *c)
{
	tcesim_lock_assert_held(&c->lock);
	if (!atomic_load(&c->enabled))
		return;
	atomic_store(&c->enabled, false);
	if (container_mm(c) && c->locked_pages)
		tcesim_account_locked_vm(container_mm(c), c->locked_pages, false);
	c->locked_pages = 0;
}

/* ------------------------------------------------------------ ioctls -- */

/*
 * The copy-in every ioctl below opens with: -EFAULT without a buffer, then
 * minsz bytes in, and -EINVAL when argsz is below minsz or a flag outside
 * flags_ok is set. Every VFIO argument opens with (u32 argsz, u32 flags).
 */
static long vfio_arg_in(void *dst, unsigned long arg, size_t minsz, uint32_t flags_ok)
{
	uint32_t hdr[2]; /* argsz, flags */

	if (!arg)
		return -EFAULT;
	memcpy(dst, VFIO_ARG(arg), minsz);
	memcpy(hdr, dst, sizeof(hdr));
	if (hdr[0] < minsz || (hdr[1] & ~flags_ok))
		return -EINVAL;
	return 0;
}

/*
 * MAP_DMA / UNMAP_DMA: -EPERM before ENABLE, the copy-in, the default
 * window, then the window holding the argument's IOVA (the u64 at @iova_off):
 * -ENXIO without one. On 0 the caller is in an RCU read-side section.
 */
static long dma_arg_in(struct tcesim_tce_container *c, void *dst, unsigned long arg,
		       size_t minsz, uint32_t flags_ok, size_t iova_off,
		       struct tcesim_iommu_table **tbl)
{
	uint64_t iova;
	long ret;

	if (!atomic_load(&c->enabled))
		return -EPERM;
	ret = vfio_arg_in(dst, arg, minsz, flags_ok);
	if (ret)
		return ret;
	ret = create_default_window_locked(c);
	if (ret)
		return ret;
	memcpy(&iova, (const char *)dst + iova_off, sizeof(iova));
	tcesim_rcu_read_lock();
	if (tce_iommu_find_table(c, iova, tbl) < 0) {
		tcesim_rcu_read_unlock();
		return -ENXIO;
	}
	return 0;
}

/* TCE_CREATE / TCE_REMOVE: bind the mm, -ENXIO without a group, the copy-in */
static long window_arg_in(struct tcesim_tce_container *c, struct tcesim_mm *cur, void *dst,
			  unsigned long arg, size_t size)
{
	long ret;

	ret = tce_iommu_mm_set(c, cur);
	if (ret)
		return ret;
	if (!groups_attached(c))
		return -ENXIO;
	return vfio_arg_in(dst, arg, size, 0);
}

static long ioctl_get_info(struct tcesim_tce_container *c, unsigned long arg)
{
	struct vfio_iommu_spapr_tce_info info;
	const struct tcesim_iommu_table_group *tg;
	struct tce_iommu_group *g;
	size_t minsz = offsetof(struct vfio_iommu_spapr_tce_info, ddw);
	size_t ddwsz = sizeof(struct vfio_iommu_spapr_tce_info);
	long ret;

	tcesim_mutex_lock(&c->lock);
	g = first_group(c);
	tg = g ? &g->pe->table_group : NULL;
	tcesim_mutex_unlock(&c->lock);
	if (!tg)
		return -ENXIO;
	memset(&info, 0, sizeof(info));
	ret = vfio_arg_in(&info, arg, minsz, UINT32_MAX); /* GET_INFO ignores flags */
	if (ret)
		return ret;
	info.dma32_window_start = (uint32_t)tg->tce32_start;
	info.dma32_window_size = (uint32_t)tg->tce32_size;
	info.flags = 0;
	memset(&info.ddw, 0, sizeof(info.ddw));
	if (tg->max_dynamic_windows_supported && c->v2) {
		info.flags |= VFIO_IOMMU_SPAPR_INFO_DDW;
		info.ddw.pgsizes = tg->pgsizes;
		info.ddw.max_dynamic_windows_supported = tg->max_dynamic_windows_supported;
		info.ddw.levels = tg->max_levels;
	}
	if (info.argsz >= ddwsz)
		minsz = ddwsz;
	memcpy(VFIO_ARG(arg), &info, minsz);
	return 0;
}

static long dma_direction(uint32_t flags, enum tcesim_dma_data_direction *dir)
{
	switch (flags & (VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)) {
	case VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE:
		*dir = TCESIM_DMA_BIDIRECTIONAL;
		return 0;
	case VFIO_DMA_MAP_FLAG_READ:
		*dir = TCESIM_DMA_TO_DEVICE;
		return 0;
	case VFIO_DMA_MAP_FLAG_WRITE:
		*dir = TCESIM_DMA_FROM_DEVICE;
		return 0;
	default:
		return -EINVAL;
	}
}

static long ioctl_map_dma(struct tcesim_tce_container *c, struct tcesim_mm *cur,
			  unsigned long arg)
{
	struct vfio_iommu_type1_dma_map param;
	enum tcesim_dma_data_direction dir;
	struct tcesim_iommu_table *tbl;
	uint64_t pmask;
	long ret;

	ret = dma_arg_in(c, &param, arg, sizeof(param),
			 VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
			 offsetof(struct vfio_iommu_type1_dma_map, iova), &tbl);
	if (ret)
		return ret;
	pmask = (1ULL << tbl->it_page_shift) - 1;
	if ((param.size & pmask) || (param.vaddr & pmask)) {
		ret = -EINVAL;
		goto out;
	}
	ret = dma_direction(param.flags, &dir);
	if (ret)
		goto out;
	/*
	 * Q1: upstream's iommu_tce_put_param_check() (arch/powerpc/include/
	 * asm/iommu.h) is a boolean macro, so tce_iommu_ioctl() in
	 * drivers/vfio/vfio_iommu_spapr_tce.c returns 1, not -EINVAL. That is
	 * an upstream bug: only quirks=upstream reproduces it; quirks=safe
	 * refuses with -EINVAL and changes nothing.
	 */
	if (vfio_check_ioba(c, tbl, param.iova, 1) ||
	    tcesim_iommu_tce_check_gpa(tbl->it_page_shift, param.vaddr)) {
		ret = quirks_upstream(c) ? 1 : -EINVAL;
		goto out;
	}
	if (c->v2)
		ret = tce_iommu_build_v2(c, tbl, param.iova >> tbl->it_page_shift, param.vaddr,
					 param.size >> tbl->it_page_shift, dir);
	else
		ret = tce_iommu_build(c, cur, tbl, param.iova >> tbl->it_page_shift, param.vaddr,
				      param.size >> tbl->it_page_shift, dir);
out:
	tcesim_rcu_read_unlock();
	return ret;
}

static long ioctl_unmap_dma(struct tcesim_tce_container *c, unsigned long arg)
{
	struct vfio_iommu_type1_dma_unmap param;
	struct tcesim_iommu_table *tbl;
	uint64_t entry, pages, end;
	long ret;

	ret = dma_arg_in(c, &param, arg,
			 offsetof(struct vfio_iommu_type1_dma_unmap, size) + sizeof(param.size), 0,
			 offsetof(struct vfio_iommu_type1_dma_unmap, iova), &tbl);
	if (ret)
		return ret;
	if (param.size & ((1ULL << tbl->it_page_shift) - 1)) {
		ret = -EINVAL;
		goto out;
	}
	pages = param.size >> tbl->it_page_shift;
	/*
	 * Q1: iommu_tce_clear_param_check() (boolean macro); 1 only under
	 * quirks=upstream. Modern kernels check the whole range
	 * (iommu_tce_check_ioba with the npages fix), so a range running past
	 * the window end fails here too: 1 (upstream) or -EINVAL (safe).
	 */
	if (vfio_check_ioba(c, tbl, param.iova, pages)) {
		ret = quirks_upstream(c) ? 1 : -EINVAL;
		goto out;
	}
	/* Q2, eras before the fix: only the first page was range checked */
	entry = param.iova >> tbl->it_page_shift;
	end = tbl->it_offset + tbl->it_size;
	if (pages > end - entry) {
		if (!quirks_upstream(c)) {
			ret = -EINVAL;
			goto out;
		}
		pages = end - entry; /* upstream walks on; tcesim stops at the end */
	}
	tce_iommu_clear(c, tbl, entry, pages);
	ret = 0;
out:
	tcesim_rcu_read_unlock();
	return ret;
}

static long ioctl_register(struct tcesim_tce_container *c, struct tcesim_mm *cur,
			   unsigned long arg, bool reg)
{
	struct vfio_iommu_spapr_register_memory param;
	long ret;

	if (reg) {
		ret = tce_iommu_mm_set(c, cur);
		if (ret)
			return ret;
	} else if (!container_mm(c)) {
		return -EPERM;
	}
	ret = vfio_arg_in(&param, arg, sizeof(param), 0);
	if (ret)
		return ret;
	tcesim_mutex_lock(&c->lock);
	if (reg)
		ret = tce_iommu_register_pages(c, param.vaddr, param.size);
	else
		ret = tce_iommu_unregister_pages(c, param.vaddr, param.size);
	tcesim_mutex_unlock(&c->lock);
	return ret;
}

static long ioctl_tce_create(struct tcesim_tce_container *c, struct tcesim_mm *cur,
			     unsigned long arg)
{
	struct vfio_iommu_spapr_tce_create create;
	uint64_t start_addr = 0;
	long ret;

	ret = window_arg_in(c, cur, &create, arg, sizeof(create));
	if (ret)
		return ret;
	tcesim_mutex_lock(&c->lock);
	ret = tce_iommu_create_default_window(c);
	if (!ret)
		ret = tce_iommu_create_window(c, create.page_shift, create.window_size,
					      create.levels, &start_addr);
	tcesim_mutex_unlock(&c->lock);
	if (!ret) {
		create.start_addr = start_addr;
		memcpy(VFIO_ARG(arg), &create, sizeof(create));
	}
	return ret;
}

static long ioctl_tce_remove(struct tcesim_tce_container *c, struct tcesim_mm *cur,
			     unsigned long arg)
{
	struct vfio_iommu_spapr_tce_remove remove;
	long ret;

	ret = window_arg_in(c, cur, &remove, arg, sizeof(remove));
	if (ret)
		return ret;
	tcesim_mutex_lock(&c->lock);
	if (c->def_window_pending && !remove.start_addr) {
		/* the default window never materialises */
		c->def_window_pending = false;
		ret = 0;
	} else {
		ret = tce_iommu_remove_window(c, remove.start_addr);
	}
	tcesim_mutex_unlock(&c->lock);
	return ret;
}

static long ioctl_eeh_pe_op(struct tcesim_tce_container *c, unsigned long arg)
{
	struct vfio_eeh_pe_op op;
	bool any;
	long ret;

	any = groups_attached(c);
	if (!any)
		return -ENODEV;
	/* vfio_spapr_ioctl_eeh_pe_op(), once per group: same answer for each */
	ret = vfio_arg_in(&op, arg, offsetof(struct vfio_eeh_pe_op, op) + sizeof(op.op), 0);
	if (ret)
		return ret;
	if (op.op > VFIO_EEH_PE_INJECT_ERR)
		return -EINVAL;
	return 0; /* EEH state is not modelled: the PE is always healthy */
}

TCESIM_EXPORT long tcesim_tce_iommu_ioctl(struct tcesim_tce_container *c,
					  struct tcesim_mm *cur, unsigned int cmd,
					  unsigned long arg)
{
	struct tcesim_mm *mm;
	long ret;

	if (!c || !cur)
		return -EINVAL;
	if (cmd == VFIO_CHECK_EXTENSION) {
		switch (arg) {
		case VFIO_SPAPR_TCE_IOMMU:
		case VFIO_SPAPR_TCE_v2_IOMMU:
		case VFIO_EEH:
			return 1;
		default:
			return 0;
		}
	}
	/* Only the process that bound the container may use it. */
	mm = container_mm(c);
	if (mm && mm != cur)
		return -EPERM;

	switch (cmd) {
	case VFIO_IOMMU_SPAPR_TCE_GET_INFO:
		return ioctl_get_info(c, arg);
	case VFIO_IOMMU_MAP_DMA:
		return ioctl_map_dma(c, cur, arg);
	case VFIO_IOMMU_UNMAP_DMA:
		return ioctl_unmap_dma(c, arg);
	case VFIO_IOMMU_SPAPR_REGISTER_MEMORY:
		if (!c->v2)
			break;
		return ioctl_register(c, cur, arg, true);
	case VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY:
		if (!c->v2)
			break;
		return ioctl_register(c, cur, arg, false);
	case VFIO_IOMMU_ENABLE:
		if (c->v2)
			break;
		tcesim_mutex_lock(&c->lock);
		ret = tce_iommu_enable(c, cur);
		tcesim_mutex_unlock(&c->lock);
		return ret;
	case VFIO_IOMMU_DISABLE:
		if (c->v2)
			break;
		tcesim_mutex_lock(&c->lock);
		tce_iommu_disable(c);
		tcesim_mutex_unlock(&c->lock);
		return 0;
	case VFIO_EEH_PE_OP:
		return ioctl_eeh_pe_op(c, arg);
	case VFIO_IOMMU_SPAPR_TCE_CREATE:
		if (!c->v2)
			break;
		return ioctl_tce_create(c, cur, arg);
	case VFIO_IOMMU_SPAPR_TCE_REMOVE:
		if (!c->v2)
			break;
		return ioctl_tce_remove(c, cur, arg);
	default:
		break;
	}
	return -ENOTTY;
}

/* ------------------------------------------------------ open / close -- */

TCESIM_EXPORT int tcesim_tce_iommu_open(struct tcesim_world *w, unsigned long arg,
					struct tcesim_tce_container **out)
{
	struct tcesim_tce_container *c;
	struct vfio_state *st;

	if (!w || !out)
		return -EINVAL;
	if (arg != VFIO_SPAPR_TCE_IOMMU && arg != VFIO_SPAPR_TCE_v2_IOMMU) {
		tcesim_pr(w, "tce_vfio: Wrong IOMMU type");
		return -EINVAL;
	}
	st = vfio_state_get(w);
	if (!st)
		return -ENOMEM;
	c = tcesim_zalloc(w, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->w = w;
	c->v2 = arg == VFIO_SPAPR_TCE_v2_IOMMU;
	tcesim_mutex_init(&c->lock);
	CDS_INIT_LIST_HEAD(&c->group_list);
	CDS_INIT_LIST_HEAD(&c->prereg_list);
	tcesim_mutex_lock(&st->lock);
	cds_list_add_tail(&c->node, &st->containers);
	tcesim_mutex_unlock(&st->lock);
	*out = c;
	return 0;
}

static struct tcesim_tce_container *group_container_locked(struct vfio_state *st,
							   struct tcesim_pe *pe)
{
	struct tcesim_tce_container *c;
	struct tce_iommu_group *g;

	tcesim_lock_assert_held(&st->lock);
	cds_list_for_each_entry(c, &st->containers, node)
		cds_list_for_each_entry(g, &c->group_list, next)
			if (g->pe == pe)
				return c;
	return NULL;
}

/*
 * The sPAPR driver's half of VFIO_GROUP_SET_CONTAINER; caller holds
 * st->lock and VFIO core's DMA-owner claim on @pe.
 */
static int tce_iommu_attach_group_locked(struct tcesim_tce_container *c, struct tcesim_pe *pe)
{
	struct tce_iommu_group *g, *tcegrp = NULL;
	int ret = 0, i, j;

	tcesim_mutex_lock(&c->lock);
	if (c->v2 && !pe->table_group.max_dynamic_windows_supported) {
		ret = -EINVAL; /* v2 requires full support of dynamic DMA windows */
		goto out_unlock;
	}
	if (!c->v2 && !cds_list_empty(&c->group_list)) {
		ret = -EBUSY; /* v1 reuses TCE tables and does not share them among PEs */
		goto out_unlock;
	}
	cds_list_for_each_entry(g, &c->group_list, next) {
		if (g->pe == pe) {
			tcesim_pr(c->w, "tce_vfio: Group %s is already attached", pe->name);
			ret = -EBUSY;
			goto out_unlock;
		}
		if (g->pe->gops->create_table != pe->gops->create_table) {
			tcesim_pr(c->w, "tce_vfio: Group %s is incompatible with group %s",
				  pe->name, g->pe->name);
			ret = -EPERM;
			goto out_unlock;
		}
	}
	tcegrp = tcesim_zalloc(c->w, sizeof(*tcegrp));
	if (!tcegrp) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	/*
	 * tce_iommu_take_ownership() (since "powerpc/iommu: Add iommu_ops to
	 * report capabilities and allow blocking domains"): the table group's
	 * take_ownership already ran when VFIO core's claim attached the
	 * blocked domain, so only our windows are programmed here; a failure
	 * unsets them all and leaves the release to VFIO core.
	 */
	for (i = 0; i < TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES; i++) {
		if (!c->tables[i])
			continue;
		ret = tcesim_pe_set_window(pe, (unsigned int)i, c->tables[i]);
		if (ret) {
			for (j = 0; j < TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES; j++)
				tcesim_pe_unset_window(pe, (unsigned int)j);
			goto out_free;
		}
	}
	if (cds_list_empty(&c->group_list) && !c->tables[0])
		c->def_window_pending = true;
	tcegrp->pe = pe;
	cds_list_add_tail(&tcegrp->next, &c->group_list);
	tcegrp = NULL;
out_free:
	tcesim_kfree(c->w, tcegrp);
out_unlock:
	tcesim_mutex_unlock(&c->lock);
	return ret;
}

/* attach_group / detach_group: NULL on a NULL argument, else the state, locked */
static struct vfio_state *group_op_lock(struct tcesim_tce_container *c, struct tcesim_pe *pe)
{
	struct vfio_state *st;

	if (!c || !pe)
		return NULL;
	st = vfio_state_peek(c->w);
	tcesim_mutex_lock(&st->lock);
	return st;
}

/*
 * VFIO core's half, as drivers/vfio/container.c:
 * vfio_container_attach_group(): iommu_group_claim_dma_owner() first (-EPERM
 * while a kernel driver is bound or the group is claimed; -EBUSY while the
 * DMA API has mappings), then the driver's attach_group; when that fails,
 * iommu_group_release_dma_owner() gives the group back.
 */
TCESIM_EXPORT int tcesim_tce_iommu_attach_group(struct tcesim_tce_container *c,
						struct tcesim_pe *pe)
{
	struct vfio_state *st = group_op_lock(c, pe);
	int ret;

	if (!st)
		return -EINVAL;
	/* vfio_group_ioctl_set_container(): a group has one container at most */
	if (group_container_locked(st, pe)) {
		ret = -EINVAL;
		goto out_unlock;
	}
	ret = tcesim_pe_claim_dma_owner(pe, c);
	if (ret)
		goto out_unlock;
	ret = tce_iommu_attach_group_locked(c, pe);
	if (ret)
		tcesim_pe_release_dma_owner(pe);
out_unlock:
	tcesim_mutex_unlock(&st->lock);
	return ret;
}

/* Caller holds st->lock. */
static int detach_group_locked(struct vfio_state *st, struct tcesim_tce_container *c,
			       struct tcesim_pe *pe)
{
	struct tcesim_iommu_table *gone[TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES] = { NULL };
	struct tce_iommu_group *g, *found = NULL;
	bool last, any_borrowed = false;
	int i;

	tcesim_lock_assert_held(&st->lock);
	tcesim_mutex_lock(&c->lock);
	cds_list_for_each_entry(g, &c->group_list, next) {
		if (g->pe == pe) {
			found = g;
			break;
		}
	}
	tcesim_mutex_unlock(&c->lock);
	if (!found) {
		tcesim_pr(c->w, "tce_vfio: detaching unattached group %s", pe->name);
		return -EINVAL;
	}
	/* QEMU takes the group out of KVM's VFIO device as well */
	vfio_kvm_release_group(st, NULL, pe);

	tcesim_mutex_lock(&c->lock);
	cds_list_del(&found->next);
	last = cds_list_empty(&c->group_list);
	/* Tables borrowed from the kernel go back: no MAP may reach them. */
	for (i = 0; last && i < TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES; i++) {
		if (c->tables[i] && c->borrowed[i]) {
			gone[i] = c->tables[i];
			tcesim_rcu_assign(c->tables[i], NULL);
			any_borrowed = true;
		}
	}
	if (any_borrowed)
		tcesim_synchronize_rcu();
	/*
	 * tce_iommu_release_ownership(): unset every container window; the
	 * table group's release_ownership is VFIO core's, below.
	 */
	for (i = 0; i < TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES; i++)
		if (c->tables[i] || gone[i])
			tcesim_pe_unset_window(pe, (unsigned int)i);
	if (last) {
		/* no user mapping survives the ownership change */
		for (i = 0; i < TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES; i++) {
			if (gone[i]) {
				clear_whole_table(c, gone[i]);
				tce_iommu_free_table(c, i, gone[i]);
			} else if (c->tables[i]) {
				clear_whole_table(c, c->tables[i]);
			}
		}
	}
	tcesim_mutex_unlock(&c->lock);
	/*
	 * drivers/vfio/container.c: vfio_group_detach_container(): the driver
	 * detached, now iommu_group_release_dma_owner(): the platform domain's
	 * release_ownership gives the kernel its default window back.
	 */
	tcesim_pe_release_dma_owner(pe);
	tcesim_kfree(c->w, found);
	return 0;
}

TCESIM_EXPORT int tcesim_tce_iommu_detach_group(struct tcesim_tce_container *c,
						struct tcesim_pe *pe)
{
	struct vfio_state *st = group_op_lock(c, pe);
	int ret;

	if (!st)
		return -EINVAL;
	ret = detach_group_locked(st, c, pe);
	tcesim_mutex_unlock(&st->lock);
	return ret;
}

TCESIM_EXPORT void tcesim_tce_iommu_release(struct tcesim_tce_container *c)
{
	struct tce_iommu_prereg *tcemem, *tmp;
	struct tcesim_mm *mm;
	struct vfio_state *st;
	int i;

	if (!c)
		return;
	st = vfio_state_peek(c->w);
	tcesim_mutex_lock(&st->lock);
	while (!cds_list_empty(&c->group_list))
		detach_group_locked(st, c, first_group(c)->pe);
	cds_list_del(&c->node);
	tcesim_mutex_unlock(&st->lock);

	tcesim_mutex_lock(&c->lock);
	for (i = 0; i < TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES; i++) {
		struct tcesim_iommu_table *tbl;

		if (!c->tables[i])
			continue;
		tbl = unpublish_table(c, i);
		clear_whole_table(c, tbl);
		tce_iommu_free_table(c, i, tbl);
	}
	mm = container_mm(c);
	cds_list_for_each_entry_safe(tcemem, tmp, &c->prereg_list, next) {
		if (tcesim_mm_iommu_put(mm, tcemem->mem))
			tcesim_pr(c->w, "WARNING: tce_vfio: prereg region still mapped at release");
		cds_list_del(&tcemem->next);
		tcesim_kfree(c->w, tcemem);
	}
	tce_iommu_disable(c);
	tcesim_mutex_unlock(&c->lock);
	if (mm)
		tcesim_mmdrop(mm);
	tcesim_mutex_destroy(&c->lock);
	tcesim_kfree(c->w, c);
}

TCESIM_EXPORT int tcesim_tce_iommu_get_info(struct tcesim_tce_container *c,
					    struct tcesim_tce_container_info *info)
{
	struct tce_iommu_prereg *tcemem;
	struct tce_iommu_group *g;
	int i;

	if (!c || !info)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	tcesim_mutex_lock(&c->lock);
	info->v2 = c->v2;
	info->enabled = atomic_load(&c->enabled);
	info->def_window_pending = c->def_window_pending;
	info->locked_pages = c->locked_pages;
	cds_list_for_each_entry(g, &c->group_list, next)
		info->nr_groups++;
	cds_list_for_each_entry(tcemem, &c->prereg_list, next)
		info->nr_prereg++;
	for (i = 0; i < TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES; i++)
		if (c->tables[i])
			info->windows |= 1u << i;
	info->has_mm = container_mm(c) != NULL;
	tcesim_mutex_unlock(&c->lock);
	return 0;
}

TCESIM_EXPORT int tcesim_tce_iommu_get_table(struct tcesim_tce_container *c, unsigned int num,
					     struct tcesim_iommu_table **out)
{
	struct tcesim_iommu_table *tbl;

	if (!c || !out || num >= TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES)
		return -EINVAL;
	tcesim_rcu_read_lock();
	tbl = tcesim_iommu_tce_table_get(tcesim_rcu_deref(c->tables[num]));
	tcesim_rcu_read_unlock();
	if (!tbl)
		return -ENOENT;
	*out = tbl;
	return 0;
}
