// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iommu_api.c - memory preregistration: user memory pinned once, for the
 * lifetime of a v2 container's registration, and translated without pinning
 * by every MAP_DMA and by KVM's in-kernel TCE hypercalls.
 *
 * Models arch/powerpc/mm/book3s64/iommu_api.c (mm_iommu_*).
 *
 * Invariants:
 *  - a region on vfio->regions has used >= 1 and mapped >= 1; mapped - 1
 *    is the number of TCEs pointing into it;
 *  - mapped drops to 0 exactly once, by the compare-and-swap of the last
 *    put, which then unlinks the region: from then on mapped_inc fails, so
 *    no new TCE can point into a region being freed;
 *  - regions of one mm never overlap;
 *  - pages stay pinned until a grace period after the unlink (a reader that
 *    found the region under RCU may still translate through it).
 * The kernel keeps one list per mm (mm->context.iommu_group_mem_list); tcesim
 * keeps one list per world with the owner in each region (struct tcesim_mm
 * belongs to src/mem), and the kernel's global mem_list_mutex.
 */
#include "vfio/vfio_internal.h"

static uint64_t region_bytes(const struct tcesim_mm_iommu_region *mem)
{
	return mem->entries << tcesim_page_shift(mem->w);
}

static bool region_is_devmem(const struct tcesim_mm_iommu_region *mem)
{
	return mem->dev_hpa != TCESIM_MM_IOMMU_INVALID_HPA;
}

static void region_free(struct tcesim_mm_iommu_region *mem)
{
	struct tcesim_world *w = mem->w;
	uint64_t i;

	if (mem->hpas) {
		for (i = 0; i < mem->entries; i++) {
			uint64_t v = atomic_load_explicit(&mem->hpas[i], memory_order_relaxed);

			if (v & MM_IOMMU_PAGE_DIRTY)
				tcesim_set_page_dirty(w, v & ~MM_IOMMU_PAGE_DIRTY);
			tcesim_unpin_user_page(w, v & ~MM_IOMMU_PAGE_DIRTY);
		}
		tcesim_kfree(w, (void *)mem->hpas);
	}
	tcesim_kfree(w, mem);
}

static void region_free_rcu(struct rcu_head *head)
{
	struct tcesim_mm_iommu_region *mem =
		tcesim_container_of(head, struct tcesim_mm_iommu_region, rcu);

	tcesim_rcu_callback_enter();
	tcesim_tsan_acquire(head); /* pairs with the release before call_rcu */
	region_free(mem);
	tcesim_rcu_callback_exit();
}

/* Double @mem's hpas array (at most to @entries); false when out of memory. */
static bool hpas_grow(struct tcesim_world *w, struct tcesim_mm_iommu_region *mem, uint64_t *cap,
		      uint64_t entries)
{
	uint64_t ncap = *cap * 2 < entries ? *cap * 2 : entries;
	_Atomic uint64_t *n = tcesim_zalloc(w, (size_t)ncap * sizeof(uint64_t));

	if (!n)
		return false;
	memcpy((void *)n, (const void *)mem->hpas, (size_t)*cap * sizeof(uint64_t));
	tcesim_kfree(w, (void *)mem->hpas);
	mem->hpas = n;
	*cap = ncap;
	return true;
}

/*
 * What mm_iommu_do_alloc() returns when the pages pinned before the first
 * failing one are @pinned (< entries). Upstream
 * (arch/powerpc/mm/book3s64/iommu_api.c) pins in chunks of
 * (1 << (PAGE_SHIFT + MAX_PAGE_ORDER)) / sizeof(struct vm_area_struct *)
 * pages with one pin_user_pages() call each, and returns that call's value
 * unless it is 0: a call that pinned some pages of its chunk before the
 * failing one returns their number, so REGISTER_MEMORY answers a positive
 * count having undone everything (an upstream bug: quirks=upstream). A
 * call whose first page fails returns -EFAULT, the only answer under
 * quirks=safe.
 */
static int short_pin_ret(const struct tcesim_mm_iommu_region *mem, uint64_t pinned)
{
	struct tcesim_world *w = mem->w;
	unsigned int shift = tcesim_page_shift(w) + (unsigned int)tcesim_max_page_order(w);
	uint64_t chunk = (shift < 63 ? 1ULL << shift : 1ULL << 63) / sizeof(void *);

	if (!tcesim_quirks_upstream(w) || !(pinned % chunk))
		return -EFAULT;
	return (int)(pinned % chunk);
}

static int mm_iommu_do_alloc(struct tcesim_mm *mm, uint64_t ua, uint64_t entries,
			     uint64_t dev_hpa, struct tcesim_mm_iommu_region **pmem)
{
	struct tcesim_world *w;
	struct tcesim_mm_iommu_region *mem, *it;
	unsigned int ps;
	struct vfio_state *st;
	bool devmem = dev_hpa != TCESIM_MM_IOMMU_INVALID_HPA, grow_failed = false;
	long pinned = 0;
	uint64_t i, cap, pinnable;
	int ret;

	if (!mm || !pmem)
		return -EINVAL;
	w = mm->w;
	ps = tcesim_page_shift(w);
	st = vfio_state_get(w);
	if (!st)
		return -ENOMEM;
	/*
	 * Device memory is neither charged nor pinned: a size or range that
	 * does not fit the address space is refused here (upstream has no
	 * check; the region's arithmetic would wrap). Normal memory has no
	 * such check either: a hostile @entries fails the locked_vm charge or
	 * the hpas allocation (-ENOMEM), a range running past the top of the
	 * address space fails its pin (-EFAULT), as upstream.
	 */
	if (devmem && (entries > (UINT64_MAX >> ps) || ua + (entries << ps) < ua))
		return -EINVAL;
	if (!devmem) {
		ret = tcesim_account_locked_vm(mm, (unsigned long)entries, true);
		if (ret)
			return ret;
	}
	mem = tcesim_zalloc(w, sizeof(*mem));
	if (!mem) {
		ret = -ENOMEM;
		goto out_unaccount;
	}
	mem->w = w;
	mem->mm = mm;
	mem->ua = ua;
	mem->entries = entries;
	mem->dev_hpa = dev_hpa;
	if (devmem) {
		/*
		 * No hpas array, so no vzalloc(0): upstream registers a
		 * zero-sized device region (it matches no hpa, and no lookup
		 * but a wrapping one; translating through it fails).
		 */
		mem->pageshift = (unsigned int)__builtin_ctzll(dev_hpa | (entries << ps) |
							       (1ULL << 63));
		goto good_exit;
	}
	/*
	 * vzalloc(0) returns NULL: a zero-sized registration is -ENOMEM
	 * upstream, as is an array bigger than the host's RAM. The model fills
	 * the array as pins succeed (doubling it), so its size follows the
	 * pages really mapped, never a hostile @entries: same outcome.
	 */
	if (!entries || entries > TCESIM_MM_COMMIT_LIMIT / sizeof(uint64_t)) {
		ret = -ENOMEM;
		goto out_free;
	}
	/* user addresses end below 2^64: what lies past the top never pins */
	pinnable = ua + (entries << ps) < ua ? (0 - ua) >> ps : entries;
	cap = entries < 512 ? entries : 512;
	mem->hpas = tcesim_zalloc(w, (size_t)cap * sizeof(uint64_t));
	if (!mem->hpas) {
		ret = -ENOMEM;
		goto out_free;
	}
	/* FOLL_WRITE | FOLL_LONGTERM: a short pin undoes everything. */
	while ((uint64_t)pinned < pinnable) {
		uint64_t want;
		long n;

		if ((uint64_t)pinned == cap && !hpas_grow(w, mem, &cap, entries)) {
			grow_failed = true;
			break;
		}
		want = (cap < pinnable ? cap : pinnable) - (uint64_t)pinned;
		n = tcesim_pin_user_pages_fast(mm, ua + ((uint64_t)pinned << ps), (long)want,
					       TCESIM_FOLL_WRITE, (uint64_t *)mem->hpas + pinned);
		if (n <= 0)
			break;
		pinned += n;
	}
	if (grow_failed) {
		ret = -ENOMEM; /* the array could not grow */
		goto out_unpin;
	}
	if ((uint64_t)pinned != entries) {
		ret = short_pin_ret(mem, (uint64_t)pinned);
		goto out_unpin;
	}
	/*
	 * The largest IOMMU page this region can back: the natural alignment
	 * of ua and size, lowered to PAGE_SHIFT by any page that is not part
	 * of a bigger (hugetlb) compound page.
	 */
	mem->pageshift = (unsigned int)__builtin_ctzll(ua | (entries << ps) | (1ULL << 63));
	for (i = 0; i < entries; i++) {
		struct tcesim_page_info info;
		unsigned int s = ps;

		if (mem->pageshift > ps && !tcesim_page_query(w, mem->hpas[i], &info) &&
		    info.compound_shift > ps)
			s = info.compound_shift;
		if (s < mem->pageshift)
			mem->pageshift = s;
	}
good_exit:
	mem->used = 1;
	atomic_init(&mem->mapped, 1);
	tcesim_mutex_lock(&st->mem_list_mutex);
	cds_list_for_each_entry(it, &st->regions, next) {
		/* Overlap with an existing region of this mm is not allowed. */
		if (it->mm == mm && it->ua < ua + (entries << ps) &&
		    ua < it->ua + region_bytes(it)) {
			tcesim_mutex_unlock(&st->mem_list_mutex);
			ret = -EINVAL;
			goto out_unpin;
		}
	}
	tcesim_mmgrab(mm);
	/* Publishes the initialised region; pairs with mm_iommu_lookup_rcu(). */
	tcesim_tsan_release(&st->regions);
	cds_list_add_rcu(&mem->next, &st->regions);
	tcesim_mutex_unlock(&st->mem_list_mutex);
	*pmem = mem;
	return 0;

out_unpin:
	for (i = 0; i < (uint64_t)pinned; i++)
		tcesim_unpin_user_page(w, mem->hpas[i]);
	tcesim_kfree(w, (void *)mem->hpas);
out_free:
	tcesim_kfree(w, mem);
out_unaccount:
	if (!devmem)
		tcesim_account_locked_vm(mm, (unsigned long)entries, false);
	return ret;
}

TCESIM_EXPORT int tcesim_mm_iommu_new(struct tcesim_mm *mm, uint64_t ua, uint64_t entries,
				      struct tcesim_mm_iommu_region **pmem)
{
	return mm_iommu_do_alloc(mm, ua, entries, TCESIM_MM_IOMMU_INVALID_HPA, pmem);
}

TCESIM_EXPORT int tcesim_mm_iommu_newdev(struct tcesim_mm *mm, uint64_t ua, uint64_t entries,
					 uint64_t dev_hpa, struct tcesim_mm_iommu_region **pmem)
{
	if (dev_hpa == TCESIM_MM_IOMMU_INVALID_HPA)
		return -EINVAL;
	return mm_iommu_do_alloc(mm, ua, entries, dev_hpa, pmem);
}

TCESIM_EXPORT int tcesim_mm_iommu_get(struct tcesim_mm *mm, uint64_t ua, uint64_t entries,
				      struct tcesim_mm_iommu_region **pmem)
{
	struct tcesim_mm_iommu_region *mem;
	struct vfio_state *st;
	int ret = -ENOENT;

	if (!mm || !pmem)
		return -EINVAL;
	st = vfio_state_peek(mm->w);
	if (!st)
		return -ENOENT;
	tcesim_mutex_lock(&st->mem_list_mutex);
	cds_list_for_each_entry(mem, &st->regions, next) {
		if (mem->mm == mm && mem->ua == ua && mem->entries == entries) {
			mem->used++;
			*pmem = mem;
			ret = 0;
			break;
		}
	}
	tcesim_mutex_unlock(&st->mem_list_mutex);
	return ret;
}

TCESIM_EXPORT int tcesim_mm_iommu_put(struct tcesim_mm *mm, struct tcesim_mm_iommu_region *mem)
{
	struct vfio_state *st;
	long expect = 1;

	if (!mm || !mem)
		return -EINVAL;
	st = vfio_state_peek(mm->w);
	if (!st)
		return -EINVAL;
	tcesim_mutex_lock(&st->mem_list_mutex);
	if (mem->used == 0) {
		tcesim_mutex_unlock(&st->mem_list_mutex);
		return -ENOENT;
	}
	if (--mem->used) {
		tcesim_mutex_unlock(&st->mem_list_mutex);
		return 0;
	}
	/* Last user: only if no TCE points here; then mapped_inc fails forever. */
	if (!tcesim_ref_cmpxchg_strong(&mem->mapped, &expect, 0, memory_order_seq_cst)) {
		mem->used++;
		tcesim_mutex_unlock(&st->mem_list_mutex);
		return -EBUSY;
	}
	cds_list_del_rcu(&mem->next);
	tcesim_mutex_unlock(&st->mem_list_mutex);
	if (!region_is_devmem(mem))
		tcesim_account_locked_vm(mm, (unsigned long)mem->entries, false);
	tcesim_mmdrop(mem->mm); /* readers only compare the pointer */
	tcesim_tsan_release(&mem->rcu);
	tcesim_call_rcu(&mem->rcu, region_free_rcu);
	return 0;
}

struct tcesim_mm_iommu_region *mm_iommu_lookup_rcu(struct vfio_state *st, struct tcesim_mm *mm,
						   uint64_t ua, uint64_t size)
{
	struct tcesim_mm_iommu_region *mem;

	/*
	 * Upstream's test, wrap included: when ua + size wraps, the first
	 * region (newest first) starting at or below @ua matches. Every
	 * caller that translates goes through mm_iommu_ua_to_hpa(), which
	 * refuses an address outside the region (-EFAULT).
	 */
	tcesim_tsan_acquire(&st->regions);
	cds_list_for_each_entry_rcu(mem, &st->regions, next) {
		if (mem->mm == mm && mem->ua <= ua && ua + size <= mem->ua + region_bytes(mem))
			return mem;
	}
	return NULL;
}

TCESIM_EXPORT int tcesim_mm_iommu_lookup(struct tcesim_mm *mm, uint64_t ua, uint64_t size,
					 struct tcesim_mm_iommu_region **pmem)
{
	struct tcesim_mm_iommu_region *mem = NULL;
	struct vfio_state *st;

	if (!mm || !pmem)
		return -EINVAL;
	st = vfio_state_peek(mm->w);
	if (!st)
		return -ENOENT;
	tcesim_rcu_read_lock();
	mem = mm_iommu_lookup_rcu(st, mm, ua, size);
	tcesim_rcu_read_unlock();
	if (!mem)
		return -ENOENT;
	*pmem = mem;
	return 0;
}

int mm_iommu_ua_to_hpa(struct tcesim_mm_iommu_region *mem, uint64_t ua, unsigned int pageshift,
		       uint64_t *hpa)
{
	unsigned int ps = tcesim_page_shift(mem->w);
	uint64_t entry;

	if (ua < mem->ua)
		return -EFAULT;
	entry = (ua - mem->ua) >> ps;
	if (entry >= mem->entries || pageshift > mem->pageshift)
		return -EFAULT;
	if (!mem->hpas) {
		*hpa = mem->dev_hpa + (ua - mem->ua);
		return 0;
	}
	*hpa = (atomic_load_explicit(&mem->hpas[entry], memory_order_relaxed) & ~((1ULL << ps) - 1)) |
	       (ua & ((1ULL << ps) - 1));
	return 0;
}

TCESIM_EXPORT int tcesim_mm_iommu_ua_to_hpa(struct tcesim_mm_iommu_region *mem, uint64_t ua,
					    unsigned int pageshift, uint64_t *hpa)
{
	if (!mem || !hpa)
		return -EINVAL;
	return mm_iommu_ua_to_hpa(mem, ua, pageshift, hpa);
}

TCESIM_EXPORT int tcesim_mm_iommu_mapped_inc(struct tcesim_mm_iommu_region *mem)
{
	long v;

	if (!mem)
		return -EINVAL;
	v = tcesim_ref_load(&mem->mapped, memory_order_relaxed);
	do {
		if (v == 0)
			return -ENXIO; /* last mm_iommu_put() ran: no more mappings */
	} while (!tcesim_ref_cmpxchg(&mem->mapped, &v, v + 1, memory_order_seq_cst));
	return 0;
}

TCESIM_EXPORT void tcesim_mm_iommu_mapped_dec(struct tcesim_mm_iommu_region *mem)
{
	long v;

	if (!mem)
		return;
	v = tcesim_ref_load(&mem->mapped, memory_order_relaxed);
	do {
		if (v <= 1)
			return; /* atomic64_add_unless(&mapped, -1, 1) */
	} while (!tcesim_ref_cmpxchg(&mem->mapped, &v, v - 1, memory_order_seq_cst));
}

bool mm_iommu_is_devmem_rcu(struct vfio_state *st, struct tcesim_mm *mm, uint64_t hpa,
			    unsigned int pageshift, uint64_t *size)
{
	struct tcesim_mm_iommu_region *mem;

	tcesim_tsan_acquire(&st->regions);
	cds_list_for_each_entry_rcu(mem, &st->regions, next) {
		uint64_t end;

		if (mem->mm != mm || !region_is_devmem(mem))
			continue;
		end = mem->dev_hpa + region_bytes(mem);
		if (hpa < mem->dev_hpa || hpa >= end)
			continue;
		if (size)
			*size = (end - hpa) < (1ULL << pageshift) ? end - hpa : 1ULL << pageshift;
		return true;
	}
	return false;
}

TCESIM_EXPORT bool tcesim_mm_iommu_is_devmem(struct tcesim_mm *mm, uint64_t hpa,
					     unsigned int pageshift, uint64_t *size)
{
	struct vfio_state *st;
	bool ret;

	if (!mm || pageshift >= 64)
		return false;
	st = vfio_state_peek(mm->w);
	if (!st)
		return false;
	tcesim_rcu_read_lock();
	ret = mm_iommu_is_devmem_rcu(st, mm, hpa, pageshift, size);
	tcesim_rcu_read_unlock();
	return ret;
}

TCESIM_EXPORT int tcesim_mm_iommu_ua_mark_dirty(struct tcesim_mm *mm, uint64_t ua)
{
	struct tcesim_mm_iommu_region *mem;
	struct vfio_state *st;
	unsigned int ps;
	int ret = -ENOENT;

	if (!mm)
		return -EINVAL;
	st = vfio_state_peek(mm->w);
	if (!st)
		return -ENOENT;
	ps = tcesim_page_shift(mm->w);
	tcesim_rcu_read_lock();
	mem = mm_iommu_lookup_rcu(st, mm, ua, 1ULL << ps);
	/* a wrapping lookup may name a region that does not hold @ua */
	if (mem && mem->hpas && (ua - mem->ua) >> ps < mem->entries) {
		atomic_fetch_or_explicit(&mem->hpas[(ua - mem->ua) >> ps], MM_IOMMU_PAGE_DIRTY,
					 memory_order_relaxed);
		ret = 0;
	}
	tcesim_rcu_read_unlock();
	return ret;
}

TCESIM_EXPORT int tcesim_mm_iommu_get_info(struct tcesim_mm_iommu_region *mem,
					   struct tcesim_mm_iommu_info *info)
{
	uint64_t i;

	if (!mem || !info)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	info->ua = mem->ua;
	info->entries = mem->entries;
	info->used = __atomic_load_n(&mem->used, __ATOMIC_RELAXED);
	info->mapped = atomic_load(&mem->mapped);
	info->pageshift = mem->pageshift;
	info->dev_hpa = mem->dev_hpa;
	for (i = 0; mem->hpas && i < mem->entries; i++)
		if (atomic_load_explicit(&mem->hpas[i], memory_order_relaxed) & MM_IOMMU_PAGE_DIRTY)
			info->dirty_pages++;
	return 0;
}

TCESIM_EXPORT long tcesim_mm_iommu_count(struct tcesim_mm *mm)
{
	struct tcesim_mm_iommu_region *mem;
	struct vfio_state *st;
	long n = 0;

	if (!mm)
		return -EINVAL;
	st = vfio_state_peek(mm->w);
	if (!st)
		return 0;
	tcesim_rcu_read_lock();
	cds_list_for_each_entry_rcu(mem, &st->regions, next)
		n += mem->mm == mm;
	tcesim_rcu_read_unlock();
	return n;
}

/*
 * mm_iommu_cleanup() at mm teardown: regions nobody released (Q4 orphans
 * under quirks=upstream) are freed when the world goes.
 */
void mm_iommu_cleanup_all(struct vfio_state *st)
{
	struct tcesim_mm_iommu_region *mem, *tmp;

	tcesim_mutex_lock(&st->mem_list_mutex);
	cds_list_for_each_entry_safe(mem, tmp, &st->regions, next) {
		tcesim_pr(st->w, "mm_iommu: freeing region ua=0x%llx entries=%llu at teardown",
			  (unsigned long long)mem->ua, (unsigned long long)mem->entries);
		cds_list_del_rcu(&mem->next);
		if (!region_is_devmem(mem))
			tcesim_account_locked_vm(mem->mm, (unsigned long)mem->entries, false);
		tcesim_mmdrop(mem->mm);
		tcesim_tsan_release(&mem->rcu);
		tcesim_call_rcu(&mem->rcu, region_free_rcu);
	}
	tcesim_mutex_unlock(&st->mem_list_mutex);
}
