// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * kvm.c - a pseries guest: KVM's struct kvm and the QEMU machine running it,
 * and the hypercall dispatcher between the tiers (the top of src/kvm; the
 * memslots and guest memory are kvm_guest.c's, KVM's tables kvm_stt.c's).
 *
 * Concepts:
 *  - A guest (struct tcesim_kvm) owns memslots (guest physical ranges backed
 *    by a process's address space, struct tcesim_mm), KVM's TCE tables by
 *    LIOBN (stt, book3s_64_vio.c) and QEMU's TCE tables by LIOBN
 *    (SpaprTceTable, spapr_iommu.c). A QEMU table either owns its entries or
 *    shares a KVM stt's pages, as QEMU does when KVM creates the table
 *    (QEMU mmaps the stt fd).
 *  - Tiers: a TCE hypercall goes to KVM first (modern kernels: virtual mode
 *    only). KVM answers the guest unless it returns H_TOO_HARD, which is
 *    never returned to a guest: the call exits to QEMU, which answers with
 *    its own rules. The rules differ (SEMANTICS.md Q6): QEMU masks a
 *    misaligned ioba, stores any TCE, refuses npages==0, updates partially;
 *    KVM validates everything first. A guest sees whichever tier answered.
 *    Flavour legacy_2016 adds KVM's real-mode handlers in front
 *    (book3s_64_vio_hv.c): three tiers, each H_TOO_HARD moving one down.
 *    Flavour legacy_2013 keeps two tiers but KVM answers with the 2013
 *    emulated-table rules (book3s_64_vio_2013.c): bit-only TCE validation,
 *    "ioba >= window_size", all-or-nothing lists.
 *  - Invariants: a LIOBN names at most one stt and at most one QEMU table;
 *    TCE values are kept in CPU endianness (KVM's pages and QEMU's array
 *    alike); live_tces counts non-zero entries over all storage, each
 *    shared stt counted once.
 *
 * The read-side section stands for the kernel's SRCU (kvm->srcu), which may
 * sleep: handlers read guest memory (mm->lock) and allocate stt pages
 * (stt->alloc_lock) inside it, as the kernel's get_user()/alloc_page() do.
 *
 * Locking: kvm->lock (the kernel's kvm->lock, and QEMU's BQL for its table
 * list) serialises writers of the memslot array and both table lists.
 * Hypercalls and translations are lock-free readers: they run inside an RCU
 * read-side section (the kernel's srcu + rcu), find tables on RCU lists and
 * read/write entries with relaxed atomics; an stt page is allocated under
 * stt->alloc_lock and published with a release store (pairs with the
 * acquire load in kvmppc_stt_get()). Lock order: kvm->lock >
 * stt->alloc_lock > mm->lock.
 */
#include <stdio.h>

#include "kvm/kvm_internal.h"

/* Per-world state: every guest, so the world can free what is left. */
struct kvm_world {
	struct tcesim_mutex lock;	/* protects vms */
	struct cds_list_head vms;
};

static void *kvm_world_create(struct tcesim_world *w)
{
	struct kvm_world *kw = tcesim_zalloc(w, sizeof(*kw));

	if (!kw)
		return NULL;
	tcesim_mutex_init(&kw->lock);
	CDS_INIT_LIST_HEAD(&kw->vms);
	return kw;
}

static void kvm_free(struct tcesim_kvm *kvm, bool now);

static void kvm_world_destroy(struct tcesim_world *w, void *state)
{
	struct kvm_world *kw = state;
	struct tcesim_kvm *kvm, *tmp;

	cds_list_for_each_entry_safe(kvm, tmp, &kw->vms, node)
		kvm_free(kvm, true);
	tcesim_mutex_destroy(&kw->lock);
	tcesim_kfree(w, kw);
}

TCESIM_EXPORT int tcesim_kvm_create(struct tcesim_world *w, struct tcesim_kvm **out)
{
	struct kvm_world *kw;
	struct kvm_memslots *slots;
	struct tcesim_kvm *kvm;

	if (!w || !out)
		return -EINVAL;
	kw = tcesim_world_slot(w, TCESIM_SLOT_KVM, kvm_world_create, kvm_world_destroy);
	if (!kw)
		return -ENOMEM;
	kvm = tcesim_zalloc(w, sizeof(*kvm));
	if (!kvm)
		return -ENOMEM;
	slots = tcesim_zalloc(w, sizeof(*slots));
	if (!slots) {
		tcesim_kfree(w, kvm);
		return -ENOMEM;
	}
	slots->w = w;
	kvm->w = w;
	kvm->mode = tcesim_world_cfg(w)->hcall;
	tcesim_mutex_init(&kvm->lock);
	kvm->memslots = slots;
	CDS_INIT_LIST_HEAD(&kvm->spapr_tce_tables);
	CDS_INIT_LIST_HEAD(&kvm->qemu_tables);
	atomic_init(&kvm->live_tces, 0);
	tcesim_mutex_lock(&kw->lock);
	cds_list_add_tail(&kvm->node, &kw->vms);
	tcesim_mutex_unlock(&kw->lock);
	*out = kvm;
	return 0;
}

static void memslots_put_mms(struct kvm_memslots *slots)
{
	int i;

	for (i = 0; i < slots->n; i++)
		tcesim_mmdrop(slots->slot[i].mm);
}

/* Frees everything; @now: no reader can exist (world teardown, destroy). */
static void kvm_free(struct tcesim_kvm *kvm, bool now)
{
	struct spapr_tce_table *tcet, *ttmp;
	struct kvmppc_spapr_tce_table *stt, *stmp;
	struct tcesim_world *w = kvm->w;

	tcesim_mutex_lock(&kvm->lock);
	/* QEMU tables first: a KVM-backed one closes its stt as QEMU does. */
	cds_list_for_each_entry_safe(tcet, ttmp, &kvm->qemu_tables, list)
		spapr_tce_free_locked(kvm, tcet, now);
	cds_list_for_each_entry_safe(stt, stmp, &kvm->spapr_tce_tables, list)
		kvmppc_stt_release_locked(kvm, stt, now);
	tcesim_mutex_unlock(&kvm->lock);
	memslots_put_mms(kvm->memslots);
	tcesim_kfree(w, kvm->memslots);
	cds_list_del(&kvm->node);
	tcesim_mutex_destroy(&kvm->lock);
	tcesim_kfree(w, kvm);
}

TCESIM_EXPORT void tcesim_kvm_destroy(struct tcesim_kvm *kvm)
{
	struct kvm_world *kw;

	if (!kvm)
		return;
	kw = tcesim_world_slot_peek(kvm->w, TCESIM_SLOT_KVM);
	tcesim_mutex_lock(&kw->lock);
	/* Contract: no hypercall runs concurrently, so frees can be immediate. */
	kvm_free(kvm, true);
	tcesim_mutex_unlock(&kw->lock);
}

TCESIM_EXPORT void tcesim_kvm_set_trace(struct tcesim_kvm *kvm, FILE *f)
{
	kvm->trace = f;
}

TCESIM_EXPORT uint64_t tcesim_kvm_live_tces(const struct tcesim_kvm *kvm)
{
	return atomic_load_explicit(&kvm->live_tces, memory_order_relaxed);
}

/* ---------------------------------------------------------- stt fd close --- */

/*
 * kvm_spapr_tce_release(): the stt fd closes. A QEMU table sharing the stt
 * (QEMU's mmap of the fd) goes with it, as QEMU closes the fd with its
 * table. Here, above both: it uses the stt layer and QEMU's tier.
 */
TCESIM_EXPORT int tcesim_kvm_spapr_tce_release(struct tcesim_kvm *kvm, uint64_t liobn)
{
	struct kvmppc_spapr_tce_table *stt;
	struct spapr_tce_table *tcet;

	tcesim_mutex_lock(&kvm->lock);
	cds_list_for_each_entry(stt, &kvm->spapr_tce_tables, list) {
		if (stt->liobn != liobn)
			continue;
		cds_list_for_each_entry(tcet, &kvm->qemu_tables, list) {
			if (tcet->stt == stt) {
				/* frees the stt as well */
				spapr_tce_free_locked(kvm, tcet, false);
				tcesim_mutex_unlock(&kvm->lock);
				return 0;
			}
		}
		kvmppc_stt_release_locked(kvm, stt, false);
		tcesim_mutex_unlock(&kvm->lock);
		return 0;
	}
	tcesim_mutex_unlock(&kvm->lock);
	return -ENOENT;
}

/* ------------------------------------------------------------ dispatch --- */

static long kvm_tier(struct tcesim_kvm *kvm, unsigned long req, const uint64_t a[4], uint64_t *r4)
{
	switch (req) {
	case TCESIM_H_PUT_TCE:
		return tcesim_kvmppc_h_put_tce(kvm, a[0], a[1], a[2]);
	case TCESIM_H_PUT_TCE_INDIRECT:
		return tcesim_kvmppc_h_put_tce_indirect(kvm, a[0], a[1], a[2], a[3]);
	case TCESIM_H_STUFF_TCE:
		return tcesim_kvmppc_h_stuff_tce(kvm, a[0], a[1], a[2], a[3]);
	default: /* TCESIM_H_GET_TCE */
		return tcesim_kvmppc_h_get_tce(kvm, a[0], a[1], r4);
	}
}

static long kvm_rm_tier(struct tcesim_kvm *kvm, unsigned long req, const uint64_t a[4],
			uint64_t *r4)
{
	switch (req) {
	case TCESIM_H_PUT_TCE:
		return tcesim_kvmppc_rm_h_put_tce(kvm, a[0], a[1], a[2]);
	case TCESIM_H_PUT_TCE_INDIRECT:
		return tcesim_kvmppc_rm_h_put_tce_indirect(kvm, a[0], a[1], a[2], a[3]);
	case TCESIM_H_STUFF_TCE:
		return tcesim_kvmppc_rm_h_stuff_tce(kvm, a[0], a[1], a[2], a[3]);
	default:
		return tcesim_kvmppc_rm_h_get_tce(kvm, a[0], a[1], r4);
	}
}

static long qemu_tier(struct tcesim_kvm *kvm, unsigned long req, const uint64_t a[4],
		      struct tcesim_hcall_out *out)
{
	switch (req) {
	case TCESIM_H_PUT_TCE:
		return tcesim_h_put_tce(kvm, a[0], a[1], a[2], out);
	case TCESIM_H_PUT_TCE_INDIRECT:
		return tcesim_h_put_tce_indirect(kvm, a[0], a[1], a[2], a[3], out);
	case TCESIM_H_STUFF_TCE:
		return tcesim_h_stuff_tce(kvm, a[0], a[1], a[2], a[3], out);
	default:
		return tcesim_h_get_tce(kvm, a[0], a[1], &out->r4, out);
	}
}

TCESIM_EXPORT long tcesim_kvm_hcall(struct tcesim_kvm *kvm, unsigned long req,
				    const uint64_t args[4], struct tcesim_hcall_out *out)
{
	struct tcesim_hcall_out dummy;
	long ret;

	if (!out)
		out = &dummy;
	memset(out, 0, sizeof(*out));
	if (req != TCESIM_H_PUT_TCE && req != TCESIM_H_PUT_TCE_INDIRECT &&
	    req != TCESIM_H_STUFF_TCE && req != TCESIM_H_GET_TCE)
		return TCESIM_H_FUNCTION;
	if (kvm->mode != TCESIM_HCALL_QEMU) {
		/* 2016-2022: real mode first; its H_TOO_HARD re-runs in virtual mode */
		if (tcesim_flavour_is(kvm->w, TCESIM_FLAVOUR_LEGACY_2016)) {
			out->tier = TCESIM_TIER_KVM_RM;
			ret = kvm_rm_tier(kvm, req, args, &out->r4);
			if (ret != TCESIM_H_TOO_HARD)
				return ret;
			out->r4 = 0;
		}
		out->tier = TCESIM_TIER_KVM;
		ret = kvm_tier(kvm, req, args, &out->r4);
		/* book3s_hv.c: H_TOO_HARD -> RESUME_HOST: userspace handles the call. */
		if (ret != TCESIM_H_TOO_HARD || kvm->mode == TCESIM_HCALL_KVM)
			return ret;
		out->r4 = 0;
	}
	out->tier = TCESIM_TIER_QEMU;
	return qemu_tier(kvm, req, args, out);
}

TCESIM_EXPORT const char *tcesim_hcall_req_name(unsigned long req)
{
	switch (req) {
	case TCESIM_H_PUT_TCE:
		return "H_PUT_TCE";
	case TCESIM_H_PUT_TCE_INDIRECT:
		return "H_PUT_TCE_INDIRECT";
	case TCESIM_H_STUFF_TCE:
		return "H_STUFF_TCE";
	case TCESIM_H_GET_TCE:
		return "H_GET_TCE";
	default:
		return NULL;
	}
}
