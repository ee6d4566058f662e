// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * kvm_guest.c - a guest's memory: memslots (guest physical ranges backed by
 * a process's address space) and the guest reads and writes through them.
 * The bottom of the kvm module: it calls no other file of it.
 *
 * Models virt/kvm/kvm_main.c: kvm_set_memory_region() (the slot array
 * replaced whole and published, the old one freed after a grace period),
 * search_memslots() with slots->last_used_slot, kvm_read_guest() /
 * kvm_write_guest(); arch/powerpc/kvm/book3s_64_vio.c: kvmppc_tce_to_ua().
 *
 * Locking: kvm->lock serialises writers of the memslot array; readers
 * (hypercalls) run inside an RCU read-side section.
 */
#include <stdio.h>

#include "kvm/kvm_internal.h"

/* ------------------------------------------------------------ memslots --- */

static void memslots_free_rcu(struct rcu_head *head)
{
	struct kvm_memslots *slots = tcesim_container_of(head, struct kvm_memslots, rcu);

	tcesim_rcu_callback_enter();
	tcesim_kfree(slots->w, slots);
	tcesim_rcu_callback_exit();
}

TCESIM_EXPORT int tcesim_kvm_set_user_memory_region(struct tcesim_kvm *kvm, uint64_t gpa,
						    uint64_t size, struct tcesim_mm *mm,
						    uint64_t va)
{
	uint64_t psize = 1ULL << tcesim_page_shift(kvm->w);
	struct kvm_memslots *old, *new_slots;
	int i, pos;

	if (!mm || !size || !TCESIM_IS_ALIGNED(gpa, psize) || !TCESIM_IS_ALIGNED(size, psize) ||
	    !TCESIM_IS_ALIGNED(va, psize) || gpa + size < gpa || va + size < va)
		return -EINVAL;
	tcesim_mutex_lock(&kvm->lock);
	old = kvm->memslots;
	if (old->n == KVM_MAX_MEMSLOTS) {
		tcesim_mutex_unlock(&kvm->lock);
		return -ENOSPC;
	}
	for (pos = 0; pos < old->n; pos++) {
		const struct kvm_memslot *s = &old->slot[pos];

		if (gpa < s->gpa + s->size && s->gpa < gpa + size) {
			tcesim_mutex_unlock(&kvm->lock);
			return -EEXIST;
		}
		if (s->gpa > gpa)
			break;
	}
	new_slots = tcesim_zalloc(kvm->w, sizeof(*new_slots));
	if (!new_slots) {
		tcesim_mutex_unlock(&kvm->lock);
		return -ENOMEM;
	}
	new_slots->w = kvm->w;
	for (i = 0; i < pos; i++)
		new_slots->slot[i] = old->slot[i];
	new_slots->slot[pos] = (struct kvm_memslot){ gpa, size, va, mm };
	for (i = pos; i < old->n; i++)
		new_slots->slot[i + 1] = old->slot[i];
	new_slots->n = old->n + 1;
	tcesim_mmgrab(mm);
	/* Pairs with tcesim_rcu_deref() in kvm_memslot_find_rcu(). */
	tcesim_rcu_assign(kvm->memslots, new_slots);
	tcesim_mutex_unlock(&kvm->lock);
	tcesim_call_rcu(&old->rcu, memslots_free_rcu);
	return 0;
}

/* search_memslots(): binary search by gpa; remembers the slot found. */
const struct kvm_memslot *kvm_memslot_search_rcu(struct kvm_memslots *slots, uint64_t gpa)
{
	int lo = 0, hi = slots->n;

	while (lo < hi) {
		int mid = (lo + hi) / 2;
		const struct kvm_memslot *s = &slots->slot[mid];

		if (gpa < s->gpa) {
			hi = mid;
		} else if (gpa - s->gpa >= s->size) {
			lo = mid + 1;
		} else {
			atomic_store_explicit(&slots->last_used, mid, memory_order_relaxed);
			return s;
		}
	}
	return NULL;
}

TCESIM_EXPORT int tcesim_kvmppc_tce_to_ua(struct tcesim_kvm *kvm, uint64_t tce, uint64_t *ua,
					  struct tcesim_mm **mm)
{
	const struct kvm_memslot *s;
	int ret = -EINVAL;

	tcesim_rcu_read_lock();
	/* gfn = tce >> PAGE_SHIFT: the slot is found by the page of the TCE's address. */
	s = kvm_memslot_find_rcu(kvm, tce & ~TCESIM_TCE_PERM_MASK);
	if (s) {
		/* hva of the gfn | in-page offset, the R/W bits masked off */
		*ua = s->va + ((tce & ~TCESIM_TCE_PERM_MASK) - s->gpa);
		if (mm)
			*mm = s->mm;
		ret = 0;
	}
	tcesim_rcu_read_unlock();
	return ret;
}

/* Split a guest access into per-slot pieces; @write chooses the direction. */
static int kvm_guest_rw(struct tcesim_kvm *kvm, uint64_t gpa, void *buf, size_t len, bool write)
{
	char *p = buf;

	while (len) {
		const struct kvm_memslot *s;
		struct tcesim_mm *mm;
		uint64_t va, chunk;
		int ret;

		tcesim_rcu_read_lock();
		s = kvm_memslot_find_rcu(kvm, gpa);
		if (!s) {
			tcesim_rcu_read_unlock();
			return -EFAULT;
		}
		va = s->va + (gpa - s->gpa);
		chunk = s->gpa + s->size - gpa;
		mm = s->mm;
		/* The slot keeps an mm_count reference; mm->lock is taken below. */
		tcesim_rcu_read_unlock();
		if (chunk > len)
			chunk = len;
		ret = write ? tcesim_mm_write(mm, va, p, chunk) : tcesim_mm_read(mm, va, p, chunk);
		if (ret)
			return -EFAULT;
		gpa += chunk;
		p += chunk;
		len -= chunk;
	}
	return 0;
}

TCESIM_EXPORT int tcesim_kvm_write_guest(struct tcesim_kvm *kvm, uint64_t gpa, const void *buf,
					 size_t len)
{
	return kvm_guest_rw(kvm, gpa, (void *)(uintptr_t)buf, len, true);
}

TCESIM_EXPORT int tcesim_kvm_read_guest(struct tcesim_kvm *kvm, uint64_t gpa, void *buf,
					size_t len)
{
	return kvm_guest_rw(kvm, gpa, buf, len, false);
}

TCESIM_EXPORT int tcesim_kvm_write_guest_be64(struct tcesim_kvm *kvm, uint64_t gpa,
					      const uint64_t *vals, size_t n)
{
	uint64_t be[512];
	size_t done = 0;

	if (n > 4096)
		return -EINVAL;
	while (done < n) {
		size_t i, k = n - done < 512 ? n - done : 512;
		int ret;

		for (i = 0; i < k; i++)
			be[i] = htobe64(vals[done + i]);
		ret = tcesim_kvm_write_guest(kvm, gpa + done * 8, be, k * 8);
		if (ret)
			return ret;
		done += k;
	}
	return 0;
}

