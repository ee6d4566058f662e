// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * mm.c - process address spaces: VMAs, page population, pinning,
 * RLIMIT_MEMLOCK/locked_vm accounting, mm_users/mm_count lifetime.
 *
 * Concepts:
 *  - A VMA holds one slot per host page: 0 while unpopulated, else pfn + 1.
 *    Touching (pin, fault, read, write) populates; a huge VMA populates a
 *    whole compound page at once.
 *  - mm_users counts users of the address space (exit_mmap at zero);
 *    mm_count keeps the struct alive (__mmdrop at zero runs the drop hook:
 *    SVA's mm_pasid_drop).
 *
 * Locking: mm->lock protects the VMA array and population; locked_vm is
 * changed under mm->lock and read atomically; refcounts are atomics.
 */
#include <stdio.h>

#include "mem/mem_internal.h"

TCESIM_EXPORT int tcesim_mm_create(struct tcesim_world *w, const char *name, uint64_t memlock,
				   bool cap_ipc_lock, struct tcesim_mm **out)
{
	struct hostmem *hm;
	struct tcesim_mm *mm;

	if (!w || !name || !out)
		return -EINVAL;
	hm = hostmem_get(w);
	if (!hm)
		return -ENOMEM;
	mm = tcesim_zalloc(w, sizeof(*mm));
	if (!mm)
		return -ENOMEM;
	mm->w = w;
	snprintf(mm->name, sizeof(mm->name), "%s", name);
	tcesim_mutex_init(&mm->lock);
	mm->memlock = memlock;
	mm->cap_ipc_lock = cap_ipc_lock;
	atomic_init(&mm->mm_users, 1);
	atomic_init(&mm->mm_count, 1);
	tcesim_mutex_lock(&hm->lock);
	cds_list_add_tail(&mm->node, &hm->mms);
	tcesim_mutex_unlock(&hm->lock);
	*out = mm;
	return 0;
}

TCESIM_EXPORT const char *tcesim_mm_name(const struct tcesim_mm *mm)
{
	return mm->name;
}

TCESIM_EXPORT void tcesim_mmgrab(struct tcesim_mm *mm)
{
	tcesim_ref_fetch_add(&mm->mm_count, 1, memory_order_seq_cst);
}

TCESIM_EXPORT void tcesim_mmdrop(struct tcesim_mm *mm)
{
	if (!mm)
		return;
	if (tcesim_ref_fetch_sub(&mm->mm_count, 1, memory_order_seq_cst) != 1)
		return;
	/* __mmdrop: mm_pasid_drop() and friends */
	if (mm->drop_hook)
		mm->drop_hook(mm);
	mm_free(mm);
}

TCESIM_EXPORT bool tcesim_mmget_not_zero(struct tcesim_mm *mm)
{
	int u = tcesim_ref_load(&mm->mm_users, memory_order_seq_cst);

	while (u > 0)
		if (tcesim_ref_cmpxchg(&mm->mm_users, &u, u + 1, memory_order_seq_cst))
			return true;
	return false;
}

TCESIM_EXPORT void tcesim_mmput(struct tcesim_mm *mm)
{
	if (tcesim_ref_fetch_sub(&mm->mm_users, 1, memory_order_seq_cst) != 1)
		return;
	/* exit_mmap: the address space goes; pinned pages stay pinned */
	tcesim_mutex_lock(&mm->lock);
	mm->exited = true;
	mm_free_vmas(mm);
	tcesim_mutex_unlock(&mm->lock);
}

TCESIM_EXPORT void tcesim_mm_exit(struct tcesim_mm *mm)
{
	bool first;

	tcesim_mutex_lock(&mm->lock);
	first = !mm->exit_called;
	mm->exit_called = true;
	tcesim_mutex_unlock(&mm->lock);
	if (!first)
		return;
	tcesim_mmput(mm);
	tcesim_mmdrop(mm);
}

static struct mm_vma *find_vma_locked(struct tcesim_mm *mm, uint64_t va)
{
	size_t lo = 0, hi = mm->nr_vmas;

	tcesim_lock_assert_held(&mm->lock);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		struct mm_vma *v = &mm->vmas[mid];

		if (va < v->start)
			hi = mid;
		else if (va >= v->end)
			lo = mid + 1;
		else
			return v;
	}
	return NULL;
}

TCESIM_EXPORT int tcesim_mm_mmap(struct tcesim_mm *mm, uint64_t va, uint64_t size,
				 unsigned int prot, unsigned int page_shift)
{
	unsigned int hshift = tcesim_page_shift(mm->w);
	struct mm_vma v = { 0 };
	struct hostmem *hm;
	size_t i, pos;
	uint64_t npages;
	int ret = 0;

	if (page_shift == 0)
		page_shift = hshift;
	if ((page_shift != 12 && page_shift != 16 && page_shift != 24) || page_shift < hshift)
		return -EINVAL;
	if (!size || !TCESIM_IS_ALIGNED(va, 1ULL << page_shift) ||
	    !TCESIM_IS_ALIGNED(size, 1ULL << page_shift) || va + size < va)
		return -EINVAL;
	npages = size >> hshift;
	tcesim_mutex_lock(&mm->lock);
	if (mm->exited) {
		ret = -ESRCH;
		goto out_unlock;
	}
	for (i = 0; i < mm->nr_vmas; i++) {
		if (va < mm->vmas[i].end && mm->vmas[i].start < va + size) {
			ret = -EINVAL;
			goto out_unlock;
		}
	}
	/* __vm_enough_memory(): what the world's processes hold, plus this */
	hm = hostmem_get(mm->w);
	if (size > HOSTMEM_COMMIT_LIMIT ||
	    atomic_fetch_add(&hm->committed, size) > HOSTMEM_COMMIT_LIMIT - size) {
		if (size <= HOSTMEM_COMMIT_LIMIT)
			atomic_fetch_sub(&hm->committed, size);
		ret = -ENOMEM;
		goto out_unlock;
	}
	if (mm->nr_vmas == mm->vma_cap) {
		size_t cap = mm->vma_cap ? mm->vma_cap * 2 : 4;
		struct mm_vma *nv = tcesim_zalloc(mm->w, cap * sizeof(*nv));

		if (!nv) {
			atomic_fetch_sub(&hm->committed, size);
			ret = -ENOMEM;
			goto out_unlock;
		}
		if (mm->nr_vmas)
			memcpy(nv, mm->vmas, mm->nr_vmas * sizeof(*nv));
		tcesim_kfree(mm->w, mm->vmas);
		mm->vmas = nv;
		mm->vma_cap = cap;
	}
	v.pfns = tcesim_zalloc(mm->w, npages * sizeof(uint64_t));
	if (!v.pfns) {
		atomic_fetch_sub(&hm->committed, size);
		ret = -ENOMEM;
		goto out_unlock;
	}
	v.start = va;
	v.end = va + size;
	v.prot = prot;
	v.page_shift = page_shift;
	for (pos = 0; pos < mm->nr_vmas && mm->vmas[pos].start < va; pos++)
		;
	memmove(&mm->vmas[pos + 1], &mm->vmas[pos], (mm->nr_vmas - pos) * sizeof(v));
	mm->vmas[pos] = v;
	mm->nr_vmas++;
out_unlock:
	tcesim_mutex_unlock(&mm->lock);
	return ret;
}

/* Populate the host page of @va in @v; returns its pfn + 1, or 0 on OOM. */
static uint64_t vma_populate_locked(struct tcesim_mm *mm, struct mm_vma *v, uint64_t va)
{
	unsigned int hshift = tcesim_page_shift(mm->w);
	uint64_t idx = (va - v->start) >> hshift;
	unsigned int order;
	uint64_t first, pfn, i, n;

	if (v->pfns[idx])
		return v->pfns[idx];
	order = v->page_shift - hshift;
	n = 1ULL << order;
	first = idx & ~(n - 1);
	pfn = hostmem_alloc_pfns(hostmem_get(mm->w), order);
	if (!pfn)
		return 0;
	for (i = 0; i < n; i++)
		v->pfns[first + i] = pfn + i + 1;
	return v->pfns[idx];
}

TCESIM_EXPORT long tcesim_pin_user_pages_fast(struct tcesim_mm *mm, uint64_t va, long npages,
					      unsigned int gup_flags, uint64_t *hpas)
{
	struct tcesim_world *w = mm->w;
	unsigned int hshift = tcesim_page_shift(w);
	long done = 0;

	if (npages <= 0)
		return -EINVAL;
	va = TCESIM_ALIGN_DOWN(va, 1ULL << hshift);
	tcesim_mutex_lock(&mm->lock);
	for (; done < npages; done++, va += 1ULL << hshift) {
		struct mm_vma *v = mm->exited ? NULL : find_vma_locked(mm, va);
		uint64_t p1;

		if (!v || !(v->prot & (TCESIM_PROT_READ | TCESIM_PROT_WRITE)))
			break;
		if ((gup_flags & TCESIM_FOLL_WRITE) && !(v->prot & TCESIM_PROT_WRITE))
			break;
		p1 = vma_populate_locked(mm, v, va);
		if (!p1)
			break;
		tcesim_get_page(w, (p1 - 1) << hshift);
		if (hpas)
			hpas[done] = (p1 - 1) << hshift;
	}
	tcesim_mutex_unlock(&mm->lock);
	return done ? done : -EFAULT;
}

TCESIM_EXPORT int tcesim_mm_page_query(struct tcesim_mm *mm, uint64_t va,
				       struct tcesim_page_info *info, uint64_t *hpa)
{
	unsigned int hshift = tcesim_page_shift(mm->w);
	struct mm_vma *v;
	uint64_t p1;

	tcesim_mutex_lock(&mm->lock);
	v = find_vma_locked(mm, va);
	if (!v) {
		tcesim_mutex_unlock(&mm->lock);
		return -EFAULT;
	}
	p1 = v->pfns[(va - v->start) >> hshift];
	tcesim_mutex_unlock(&mm->lock);
	if (hpa)
		*hpa = p1 ? (p1 - 1) << hshift : 0;
	if (!p1) {
		memset(info, 0, sizeof(*info));
		info->compound_shift = v->page_shift;
		return 0;
	}
	return tcesim_page_query(mm->w, (p1 - 1) << hshift, info);
}

static int mm_translate_locked(struct tcesim_mm *mm, uint64_t va, uint64_t *hpa,
			       struct mm_vma **vma)
{
	unsigned int hshift = tcesim_page_shift(mm->w);
	struct mm_vma *v = mm->exited ? NULL : find_vma_locked(mm, va);
	uint64_t p1;

	if (!v)
		return -EFAULT;
	p1 = vma_populate_locked(mm, v, va);
	if (!p1)
		return -ENOMEM;
	*hpa = ((p1 - 1) << hshift) | (va & ((1ULL << hshift) - 1));
	if (vma)
		*vma = v;
	return 0;
}

TCESIM_EXPORT int tcesim_mm_va_to_hpa(struct tcesim_mm *mm, uint64_t va, uint64_t *hpa)
{
	int ret;

	tcesim_mutex_lock(&mm->lock);
	ret = mm_translate_locked(mm, va, hpa, NULL);
	tcesim_mutex_unlock(&mm->lock);
	return ret;
}

TCESIM_EXPORT int tcesim_mm_handle_fault(struct tcesim_mm *mm, uint64_t va, unsigned int prot)
{
	struct mm_vma *v;
	uint64_t hpa;
	int ret;

	tcesim_mutex_lock(&mm->lock);
	v = mm->exited ? NULL : find_vma_locked(mm, va);
	if (!v)
		ret = -EFAULT;
	else if ((prot & v->prot) != prot)
		ret = -EACCES;
	else
		ret = mm_translate_locked(mm, va, &hpa, NULL);
	tcesim_mutex_unlock(&mm->lock);
	return ret;
}

static int mm_copy(struct tcesim_mm *mm, uint64_t va, void *buf, size_t len, bool write)
{
	unsigned int hshift = tcesim_page_shift(mm->w);
	unsigned char *p = buf;
	int ret = 0;

	tcesim_mutex_lock(&mm->lock);
	while (len && !ret) {
		uint64_t hpa, n = (1ULL << hshift) - (va & ((1ULL << hshift) - 1));

		if (n > len)
			n = len;
		ret = mm_translate_locked(mm, va, &hpa, NULL);
		if (ret)
			break;
		if (write) {
			ret = tcesim_mem_write(mm->w, hpa, p, n);
			tcesim_set_page_dirty(mm->w, hpa);
		} else {
			ret = tcesim_mem_read(mm->w, hpa, p, n);
		}
		p += n;
		va += n;
		len -= n;
	}
	tcesim_mutex_unlock(&mm->lock);
	return ret;
}

TCESIM_EXPORT int tcesim_mm_read(struct tcesim_mm *mm, uint64_t va, void *buf, size_t len)
{
	return mm_copy(mm, va, buf, len, false);
}

TCESIM_EXPORT int tcesim_mm_write(struct tcesim_mm *mm, uint64_t va, const void *buf, size_t len)
{
	return mm_copy(mm, va, (void *)buf, len, true);
}

TCESIM_EXPORT int tcesim_account_locked_vm(struct tcesim_mm *mm, unsigned long npages, bool inc)
{
	unsigned int hshift = tcesim_page_shift(mm->w);
	unsigned long cur;
	int ret = 0;

	tcesim_mutex_lock(&mm->lock);
	cur = tcesim_ref_load(&mm->locked_vm, memory_order_seq_cst);
	if (inc) {
		unsigned long limit = (unsigned long)(mm->memlock >> hshift);

		if (cur + npages > limit && !mm->cap_ipc_lock)
			ret = -ENOMEM;
		else
			tcesim_ref_store(&mm->locked_vm, cur + npages, memory_order_seq_cst);
	} else {
		if (npages > cur) {
			tcesim_pr(mm->w, "WARNING: locked_vm underflow in %s", mm->name);
			npages = cur;
		}
		tcesim_ref_store(&mm->locked_vm, cur - npages, memory_order_seq_cst);
	}
	tcesim_mutex_unlock(&mm->lock);
	return ret;
}

TCESIM_EXPORT unsigned long tcesim_mm_locked_vm(const struct tcesim_mm *mm)
{
	return atomic_load(&((struct tcesim_mm *)mm)->locked_vm);
}
