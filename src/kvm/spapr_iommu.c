// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * spapr_iommu.c - QEMU's sPAPR TCE tables (SpaprTceTable) and QEMU's
 * H_PUT_TCE / H_PUT_TCE_INDIRECT / H_STUFF_TCE / H_GET_TCE, the userspace
 * tier that answers whatever KVM hands over with H_TOO_HARD (or everything
 * under TCG), plus QEMU's DMA translation and its spapr_iommu_* trace
 * events.
 *
 * Models QEMU 7.2 hw/ppc/spapr_iommu.c and hw/ppc/trace-events, checked
 * against real QEMU answers (shared/traces/README.md). QEMU's rules, which
 * differ from KVM's (SEMANTICS.md Q6):
 *  - index = (ioba - bus_offset) >> page_shift in unsigned 64-bit
 *    arithmetic; index >= nb_table is H_PARAMETER (an ioba below the bus
 *    offset wraps and is caught by the same test);
 *  - the ioba is masked down to the page, never refused for misalignment;
 *  - a TCE is stored unchecked;
 *  - INDIRECT and STUFF store entry by entry and stop at the first failure,
 *    leaving earlier entries written; their return value starts as
 *    H_PARAMETER, so npages == 0 is H_PARAMETER.
 * Storage is QEMU's own zeroed array (kept sparse: spapr_tce_store.c), or
 * KVM's stt pages when QEMU created the table through KVM (the mmap of the
 * stt fd).
 *
 * Locking: QEMU runs these under the BQL; here the table list is RCU
 * (writers hold kvm->lock), entries are relaxed atomics.
 */
#include <inttypes.h>
#include <stdio.h>

#include <xxhash.h>

#include "kvm/kvm_internal.h"

struct spapr_tce_table *spapr_tce_find_by_liobn_rcu(struct tcesim_kvm *kvm, uint64_t liobn)
{
	struct spapr_tce_table *tcet;

	/* "Request for out-of-bounds LIOBN" */
	if (liobn & 0xFFFFFFFF00000000ULL)
		return NULL;
	cds_list_for_each_entry_rcu(tcet, &kvm->qemu_tables, list)
		if (tcet->liobn == (uint32_t)liobn)
			return tcet;
	return NULL;
}

static inline uint64_t tcet_get(const struct spapr_tce_table *tcet, uint64_t index)
{
	if (tcesim_likely(!tcet->stt))
		return spapr_tce_store_get(&tcet->store, index);
	return kvmppc_stt_get(tcet->stt, index);
}

/* A non-zero store the model could not keep: reported once per table. */
static void store_refused(struct tcesim_kvm *kvm, struct spapr_tce_table *tcet, uint64_t index)
{
	if (spapr_tce_store_warn_once(&tcet->store))
		tcesim_pr(kvm->w,
			  "spapr_tce: liobn=0x%x: entry 0x%" PRIx64 " not stored: the model keeps at "
			  "most %llu MiB of entries in all QEMU tables (or is out of memory); QEMU would "
			  "store it", tcet->liobn, index,
			  (unsigned long long)(SPAPR_TCE_STORE_MAX_LEAVES * 4096 >> 20));
}

static inline void tcet_set(struct spapr_tce_table *tcet, struct tcesim_kvm *kvm, uint64_t index,
			    uint64_t tce)
{
	if (tcesim_likely(!tcet->stt)) {
		/* a 0 into an absent leaf changes nothing: it reads as 0 already */
		_Atomic uint64_t *leaf = spapr_tce_store_leaf(&tcet->store, index, tce != 0);
		_Atomic uint64_t *slot;
		uint64_t old;

		if (!leaf) {
			if (tce)	/* QEMU's g_new0 memory cannot fail here; the model can */
				store_refused(kvm, tcet, index);
			return;
		}
		slot = &leaf[index % SPAPR_TCE_STORE_LEAF];
		old = atomic_load_explicit(slot, memory_order_relaxed);
		atomic_store_explicit(slot, tce, memory_order_relaxed);
		kvm_live_account(kvm, &tcet->live, old, tce);
		return;
	}
	/* A store through QEMU's mmap of the stt: the fault allocates the page. */
	if (!kvmppc_stt_put(tcet->stt, index, tce))
		tcesim_pr(kvm->w, "kvm_spapr_tce_fault: VM_FAULT_OOM liobn=%x index=%" PRIx64,
			  tcet->liobn, index);
}

static void tcet_free(struct spapr_tce_table *tcet)
{
	if (!tcet->stt)
		spapr_tce_store_free(&tcet->store);
	tcesim_kfree(tcet->w, tcet);
}

static void tcet_free_rcu(struct rcu_head *head)
{
	tcesim_rcu_callback_enter();
	tcet_free(tcesim_container_of(head, struct spapr_tce_table, rcu));
	tcesim_rcu_callback_exit();
}

void spapr_tce_free_locked(struct tcesim_kvm *kvm, struct spapr_tce_table *tcet, bool now)
{
	tcesim_lock_assert_held(&kvm->lock);
	cds_list_del_rcu(&tcet->list);
	if (!tcet->stt) {
		atomic_fetch_sub_explicit(&kvm->live_tces,
					  atomic_load_explicit(&tcet->live, memory_order_relaxed),
					  memory_order_relaxed);
		spapr_tce_store_unbudget(&tcet->store);
	}
	/* QEMU closes the stt fd with the table: kvm_spapr_tce_release(). */
	if (tcet->stt)
		kvmppc_stt_release_locked(kvm, tcet->stt, now);
	if (now)
		tcet_free(tcet);
	else
		tcesim_call_rcu(&tcet->rcu, tcet_free_rcu);
}

TCESIM_EXPORT int tcesim_spapr_tce_new_table(struct tcesim_kvm *kvm, uint64_t liobn,
					     uint64_t bus_offset, unsigned int page_shift,
					     uint64_t nb_table, bool use_kvm, struct tcesim_mm *mm)
{
	struct kvmppc_spapr_tce_table *stt = NULL;
	struct spapr_tce_table *tcet, *it;
	int ret;

	if (!kvm || liobn > 0xFFFFFFFFULL || page_shift < 12 || page_shift > 34 ||
	    nb_table > (~0ULL >> page_shift) ||
	    bus_offset + (nb_table << page_shift) < bus_offset)
		return -EINVAL;
	if (use_kvm && (!nb_table || (bus_offset & ((1ULL << page_shift) - 1))))
		return -EINVAL;
	tcet = tcesim_zalloc(kvm->w, sizeof(*tcet));
	if (!tcet)
		return -ENOMEM;
	tcet->w = kvm->w;
	tcet->liobn = (uint32_t)liobn;
	tcet->bus_offset = bus_offset;
	tcet->page_shift = page_shift;
	tcet->nb_table = nb_table;
	atomic_init(&tcet->live, 0);
	/* g_new0(uint64_t, nb_table), kept sparse: nothing allocated until a store */
	spapr_tce_store_init(&tcet->store, kvm->w, nb_table, &kvm->store_leaves);
	/* spapr_tce_new_table(): duplicate check before anything is published */
	tcesim_rcu_read_lock();
	it = spapr_tce_find_by_liobn_rcu(kvm, liobn);
	tcesim_rcu_read_unlock();
	if (it) {
		tcesim_pr(kvm->w, "Attempted to create TCE table with duplicate LIOBN 0x%x",
			  (unsigned int)liobn);
		tcet_free(tcet);
		return -EBUSY;
	}
	if (use_kvm) {
		struct tcesim_kvm_create_spapr_tce_64 args = {
			.liobn = liobn,
			.page_shift = page_shift,
			.offset = bus_offset >> page_shift,
			.size = nb_table,
		};

		ret = kvmppc_stt_create(kvm, &args, mm, &stt);
		if (ret) {
			tcet_free(tcet);
			return ret;
		}
		tcet->stt = stt;
	}
	tcesim_mutex_lock(&kvm->lock);
	cds_list_for_each_entry(it, &kvm->qemu_tables, list) {
		if (it->liobn == (uint32_t)liobn) {
			/* lost a race with another creator */
			if (stt)
				kvmppc_stt_release_locked(kvm, stt, false);
			tcesim_mutex_unlock(&kvm->lock);
			tcet_free(tcet);
			return -EBUSY;
		}
	}
	/* Publishes the initialised table; pairs with spapr_tce_find_by_liobn_rcu(). */
	cds_list_add_tail_rcu(&tcet->list, &kvm->qemu_tables);
	tcesim_mutex_unlock(&kvm->lock);
	return 0;
}

TCESIM_EXPORT int tcesim_spapr_tce_table_disable(struct tcesim_kvm *kvm, uint64_t liobn)
{
	struct spapr_tce_table *tcet;

	tcesim_mutex_lock(&kvm->lock);
	cds_list_for_each_entry(tcet, &kvm->qemu_tables, list) {
		if (tcet->liobn == liobn) {
			spapr_tce_free_locked(kvm, tcet, false);
			tcesim_mutex_unlock(&kvm->lock);
			return 0;
		}
	}
	tcesim_mutex_unlock(&kvm->lock);
	return -ENOENT;
}

TCESIM_EXPORT int tcesim_spapr_tce_table_info(struct tcesim_kvm *kvm, uint64_t liobn,
					      struct tcesim_spapr_tce_info *info)
{
	struct spapr_tce_table *tcet;
	int ret = -ENOENT;

	tcesim_rcu_read_lock();
	tcet = spapr_tce_find_by_liobn_rcu(kvm, liobn);
	if (tcet) {
		info->liobn = tcet->liobn;
		info->bus_offset = tcet->bus_offset;
		info->page_shift = tcet->page_shift;
		info->nb_table = tcet->nb_table;
		info->kvm_backed = tcet->stt != NULL;
		info->live = atomic_load_explicit(tcet->stt ? &tcet->stt->live : &tcet->live,
						  memory_order_relaxed);
		ret = 0;
	}
	tcesim_rcu_read_unlock();
	return ret;
}

TCESIM_EXPORT int tcesim_spapr_tce_digest(struct tcesim_kvm *kvm, uint64_t liobn,
					  uint64_t *digest)
{
	struct spapr_tce_table *tcet;
	XXH3_state_t *st;
	uint64_t i, pair[2];
	int ret = -ENOENT;

	st = XXH3_createState();
	if (!st)
		return -ENOMEM;
	XXH3_64bits_reset(st);
	tcesim_rcu_read_lock();
	tcet = spapr_tce_find_by_liobn_rcu(kvm, liobn);
	if (tcet) {
		for (i = 0; i < tcet->nb_table; i++) {
			uint64_t v;

			if (!tcet->stt) {
				/* QEMU's entries: absent leaves (all 0) skipped whole */
				i = spapr_tce_store_next(&tcet->store, i, tcet->nb_table);
				if (i == tcet->nb_table)
					break;
			} else {
				struct kvmppc_spapr_tce_table *stt = tcet->stt;

				/* skip absent stt pages whole */
				uint64_t pg = i >> stt->per_page_shift;
				uint64_t next = kvmppc_stt_next_page(stt, pg, stt->npages);

				if (next == stt->npages)
					break;
				if (next != pg)
					i = next << stt->per_page_shift;
			}
			v = tcet_get(tcet, i);
			if (!v)
				continue;
			pair[0] = htole64(i);
			pair[1] = htole64(v);
			XXH3_64bits_update(st, pair, sizeof(pair));
		}
		*digest = XXH3_64bits_digest(st);
		ret = 0;
	}
	tcesim_rcu_read_unlock();
	XXH3_freeState(st);
	return ret;
}

/* ------------------------------------------------------------- tracing --- */
/*
 * hw/ppc/trace-events, "# spapr_iommu.c": the format strings verbatim, the
 * "log" backend's "name args\n" line. put/get print "liobn=0x%", the others
 * "liobn=%" (no 0x), as upstream.
 */
static void trace_put(FILE *f, uint64_t liobn, uint64_t ioba, uint64_t tce, uint64_t ret)
{
	fprintf(f, "%s liobn=0x%" PRIx64 " ioba=0x%" PRIx64 " tce=0x%" PRIx64 " ret=%" PRId64 "\n",
		(liobn & SPAPR_PCI_LIOBN_BIT) ? "spapr_iommu_pci_put" : "spapr_iommu_put", liobn,
		ioba, tce, (int64_t)ret);
}

static void trace_get(FILE *f, uint64_t liobn, uint64_t ioba, uint64_t ret, uint64_t tce)
{
	fprintf(f, "%s liobn=0x%" PRIx64 " ioba=0x%" PRIx64 " ret=%" PRId64 " tce=0x%" PRIx64 "\n",
		(liobn & SPAPR_PCI_LIOBN_BIT) ? "spapr_iommu_pci_get" : "spapr_iommu_get", liobn,
		ioba, (int64_t)ret, tce);
}

static void trace_indirect(FILE *f, uint64_t liobn, uint64_t ioba, uint64_t tce_list,
			   uint64_t iobaN, uint64_t tceN, uint64_t ret)
{
	fprintf(f,
		"%s liobn=%" PRIx64 " ioba=0x%" PRIx64 " tcelist=0x%" PRIx64 " iobaN=0x%" PRIx64
		" tceN=0x%" PRIx64 " ret=%" PRId64 "\n",
		(liobn & SPAPR_PCI_LIOBN_BIT) ? "spapr_iommu_pci_indirect" : "spapr_iommu_indirect",
		liobn, ioba, tce_list, iobaN, tceN, (int64_t)ret);
}

static void trace_stuff(FILE *f, uint64_t liobn, uint64_t ioba, uint64_t tce_value,
			uint64_t npages, uint64_t ret)
{
	fprintf(f,
		"%s liobn=%" PRIx64 " ioba=0x%" PRIx64 " tcevalue=0x%" PRIx64 " npages=%" PRId64
		" ret=%" PRId64 "\n",
		(liobn & SPAPR_PCI_LIOBN_BIT) ? "spapr_iommu_pci_stuff" : "spapr_iommu_stuff",
		liobn, ioba, tce_value, (int64_t)npages, (int64_t)ret);
}

static void trace_xlate(FILE *f, uint64_t liobn, uint64_t ioba, uint64_t tce, unsigned int perm,
			unsigned int pgsize)
{
	fprintf(f, "spapr_iommu_xlate liobn=%" PRIx64 " 0x%" PRIx64 " -> 0x%" PRIx64
		   " perm=%u mask=%x\n",
		liobn, ioba, tce, perm, pgsize);
}

/* ---------------------------------------------------------- hypercalls --- */

/* put_tce_emu(): @ioba already masked to the page. */
static inline long put_tce_emu(struct tcesim_kvm *kvm, struct spapr_tce_table *tcet,
			       uint64_t ioba, uint64_t tce)
{
	uint64_t index = (ioba - tcet->bus_offset) >> tcet->page_shift;

	if (index >= tcet->nb_table)	/* "spapr_vio_put_tce on out-of-bounds IOBA" */
		return TCESIM_H_PARAMETER;
	tcet_set(tcet, kvm, index, tce);
	/* QEMU notifies IOMMU listeners (MAP if perm != 0 else UNMAP): no listener here. */
	return TCESIM_H_SUCCESS;
}

TCESIM_EXPORT long tcesim_h_put_tce(struct tcesim_kvm *kvm, uint64_t liobn, uint64_t ioba,
				    uint64_t tce, struct tcesim_hcall_out *out)
{
	struct spapr_tce_table *tcet;
	long ret = TCESIM_H_PARAMETER;

	tcesim_rcu_read_lock();
	tcet = spapr_tce_find_by_liobn_rcu(kvm, liobn);
	if (tcet) {
		ioba &= ~((1ULL << tcet->page_shift) - 1);
		ret = put_tce_emu(kvm, tcet, ioba, tce);
	}
	tcesim_rcu_read_unlock();
	if (kvm->trace)
		trace_put(kvm->trace, liobn, ioba, tce, (uint64_t)ret);
	if (out) {
		out->traced = true;
		out->trace_ioba = ioba;
	}
	return ret;
}

TCESIM_EXPORT long tcesim_h_put_tce_indirect(struct tcesim_kvm *kvm, uint64_t liobn,
					     uint64_t ioba, uint64_t tce_list, uint64_t npages,
					     struct tcesim_hcall_out *out)
{
	uint64_t buf[KVM_TCE_LIST_MAX];
	struct spapr_tce_table *tcet;
	uint64_t i, tce = 0, page_size, io;
	long ret = TCESIM_H_PARAMETER;

	tcesim_rcu_read_lock();
	tcet = spapr_tce_find_by_liobn_rcu(kvm, liobn);
	if (!tcet || npages > KVM_TCE_LIST_MAX || (tce_list & SPAPR_TCE_PAGE_MASK)) {
		tcesim_rcu_read_unlock();
		return TCESIM_H_PARAMETER;	/* not traced */
	}
	/*
	 * QEMU loads each entry with ldq_be_phys() as it goes; the list is read
	 * here in one guest access (same values: nothing else runs in between
	 * under the BQL). Bytes outside guest RAM read as 0 (unassigned memory).
	 */
	if (npages && tcesim_kvm_read_guest(kvm, tce_list, buf, npages * 8)) {
		for (i = 0; i < npages; i++)
			if (tcesim_kvm_read_guest(kvm, tce_list + i * 8, &buf[i], 8))
				buf[i] = 0;
	}
	page_size = 1ULL << tcet->page_shift;
	io = ioba & ~(page_size - 1);
	for (i = 0; i < npages; i++, io += page_size) {
		tce = be64toh(buf[i]);
		ret = put_tce_emu(kvm, tcet, io, tce);
		if (ret)
			break;
	}
	tcesim_rcu_read_unlock();
	/* "Trace last successful or the first problematic entry" */
	i = i ? i - 1 : 0;
	if (kvm->trace)
		trace_indirect(kvm->trace, liobn, ioba, tce_list, i, tce, (uint64_t)ret);
	if (out) {
		out->traced = true;
		out->trace_ioba = ioba;
		out->trace_idx = i;
		out->trace_tce = tce;
	}
	return ret;
}

/* @tce_value into entries [@index, @index + @n) of QEMU's own storage. */
static void stuff_store(struct tcesim_kvm *kvm, struct spapr_tce_table *tcet, uint64_t index,
			uint64_t n, uint64_t tce_value)
{
	const uint64_t end = index + n;
	uint64_t i = index, nz = 0, stored = 0;

	while (i < end) {
		_Atomic uint64_t *leaf;
		uint64_t stop;

		if (!tce_value) {
			i = spapr_tce_store_next(&tcet->store, i, end);
			if (i == end)
				break;
		}
		leaf = spapr_tce_store_leaf(&tcet->store, i, tce_value != 0);
		stop = (i | (SPAPR_TCE_STORE_LEAF - 1)) + 1;
		if (stop > end || !stop)
			stop = end;
		if (!leaf) {	/* a non-zero store refused: bound or out of memory */
			store_refused(kvm, tcet, i);
			i = stop;
			continue;
		}
		for (; i < stop; i++) {
			_Atomic uint64_t *slot = &leaf[i % SPAPR_TCE_STORE_LEAF];

			nz += atomic_load_explicit(slot, memory_order_relaxed) != 0;
			atomic_store_explicit(slot, tce_value, memory_order_relaxed);
			stored++;
		}
	}
	atomic_fetch_add_explicit(&kvm->stuff_visited, stored, memory_order_relaxed);
	if (tce_value && stored > nz) {
		atomic_fetch_add_explicit(&tcet->live, stored - nz, memory_order_relaxed);
		atomic_fetch_add_explicit(&kvm->live_tces, stored - nz, memory_order_relaxed);
	} else if (!tce_value && nz) {
		atomic_fetch_sub_explicit(&tcet->live, nz, memory_order_relaxed);
		atomic_fetch_sub_explicit(&kvm->live_tces, nz, memory_order_relaxed);
	}
}

TCESIM_EXPORT long tcesim_h_stuff_tce(struct tcesim_kvm *kvm, uint64_t liobn, uint64_t ioba,
				      uint64_t tce_value, uint64_t npages,
				      struct tcesim_hcall_out *out)
{
	struct spapr_tce_table *tcet;
	uint64_t i, page_size;
	long ret = TCESIM_H_PARAMETER;

	tcesim_rcu_read_lock();
	tcet = spapr_tce_find_by_liobn_rcu(kvm, liobn);
	if (!tcet || npages > tcet->nb_table) {
		tcesim_rcu_read_unlock();
		return TCESIM_H_PARAMETER;	/* not traced */
	}
	page_size = 1ULL << tcet->page_shift;
	ioba &= ~(page_size - 1);
	if (tcesim_likely(!tcet->stt)) {
		/*
		 * QEMU's entries: the loop below entry by entry. The entries it
		 * stores before its first failure are the run from the first
		 * index up to the table's end (indexes go up by one per page and
		 * cannot wrap inside the window: tcesim_spapr_tce_new_table()),
		 * so they are stored leaf by leaf and the live count adjusted
		 * once; it fails at the first index past the table, with @ioba
		 * left there. Storing 0 skips absent leaves (already 0): a huge
		 * clear of an almost empty window costs its written leaves.
		 */
		uint64_t index = (ioba - tcet->bus_offset) >> tcet->page_shift, n = 0;

		if (index < tcet->nb_table)
			n = npages < tcet->nb_table - index ? npages : tcet->nb_table - index;
		stuff_store(kvm, tcet, index, n, tce_value);
		ioba += n * page_size;
		if (npages && n == npages)
			ret = TCESIM_H_SUCCESS;
	} else {
		for (i = 0; i < npages; i++, ioba += page_size) {
			ret = put_tce_emu(kvm, tcet, ioba, tce_value);
			if (ret)
				break;
		}
	}
	tcesim_rcu_read_unlock();
	if (kvm->trace)
		trace_stuff(kvm->trace, liobn, ioba, tce_value, npages, (uint64_t)ret);
	if (out) {
		out->traced = true;
		out->trace_ioba = ioba;
	}
	return ret;
}

TCESIM_EXPORT long tcesim_h_get_tce(struct tcesim_kvm *kvm, uint64_t liobn, uint64_t ioba,
				    uint64_t *tce, struct tcesim_hcall_out *out)
{
	struct spapr_tce_table *tcet;
	long ret = TCESIM_H_PARAMETER;
	uint64_t v = 0;

	tcesim_rcu_read_lock();
	tcet = spapr_tce_find_by_liobn_rcu(kvm, liobn);
	if (tcet) {
		uint64_t index;

		ioba &= ~((1ULL << tcet->page_shift) - 1);
		index = (ioba - tcet->bus_offset) >> tcet->page_shift;
		/* get_tce_emu(): "spapr_iommu_get_tce on out-of-bounds IOBA" */
		if (index < tcet->nb_table) {
			v = tcet_get(tcet, index);
			ret = TCESIM_H_SUCCESS;
		}
	}
	tcesim_rcu_read_unlock();
	if (ret == TCESIM_H_SUCCESS)
		*tce = v;
	if (kvm->trace)
		trace_get(kvm->trace, liobn, ioba, (uint64_t)ret, v);
	if (out) {
		out->traced = true;
		out->trace_ioba = ioba;
		if (ret == TCESIM_H_SUCCESS)
			out->r4 = v;
	}
	return ret;
}

TCESIM_EXPORT int tcesim_spapr_tce_translate_iommu(struct tcesim_kvm *kvm, uint64_t liobn,
						   uint64_t addr,
						   struct tcesim_iommu_tlb_entry *entry)
{
	struct spapr_tce_table *tcet;
	struct tcesim_iommu_tlb_entry e = { 0, 0, ~0ULL, 0 };

	tcesim_rcu_read_lock();
	tcet = spapr_tce_find_by_liobn_rcu(kvm, liobn);
	if (!tcet) {
		tcesim_rcu_read_unlock();
		return -ENOENT;
	}
	if ((addr >> tcet->page_shift) < tcet->nb_table) {
		uint64_t page_mask = ~((1ULL << tcet->page_shift) - 1);
		uint64_t tce = tcet_get(tcet, addr >> tcet->page_shift);

		e.iova = addr & page_mask;
		e.translated_addr = tce & page_mask;
		e.addr_mask = ~page_mask;
		/* spapr_tce_iommu_access_flags(): IOMMU_NONE/RO/WO/RW = tce & 3 */
		e.perm = (unsigned int)(tce & TCESIM_TCE_PERM_MASK);
	}
	tcesim_rcu_read_unlock();
	if (kvm->trace)
		trace_xlate(kvm->trace, liobn, addr, e.translated_addr, e.perm,
			    (unsigned int)e.addr_mask);
	*entry = e;
	return 0;
}

TCESIM_EXPORT int tcesim_spapr_tce_translate_iommu_batch(struct tcesim_kvm *kvm, uint64_t liobn,
							 const uint64_t *addr, size_t n,
							 struct tcesim_iommu_tlb_entry *entries)
{
	struct spapr_tce_table *tcet;
	uint64_t nb_table, page_mask;
	unsigned int shift;
	size_t i;

	tcesim_rcu_read_lock();
	tcet = spapr_tce_find_by_liobn_rcu(kvm, liobn);
	if (!tcet) {
		tcesim_rcu_read_unlock();
		return -ENOENT;
	}
	/* the table's geometry and storage are fixed for its lifetime: read them once */
	shift = tcet->page_shift;
	nb_table = tcet->nb_table;
	page_mask = ~((1ULL << shift) - 1);
	for (i = 0; i < n; i++) {
		struct tcesim_iommu_tlb_entry *e = &entries[i];
		uint64_t a = addr[i], index = a >> shift;

		if (index < nb_table) {
			uint64_t tce = tcet_get(tcet, index);

			e->iova = a & page_mask;
			e->translated_addr = tce & page_mask;
			e->addr_mask = ~page_mask;
			/* spapr_tce_iommu_access_flags(): IOMMU_NONE/RO/WO/RW = tce & 3 */
			e->perm = (unsigned int)(tce & TCESIM_TCE_PERM_MASK);
		} else {
			e->iova = 0;
			e->translated_addr = 0;
			e->addr_mask = ~0ULL;
			e->perm = 0;
		}
	}
	tcesim_rcu_read_unlock();
	if (kvm->trace)
		for (i = 0; i < n; i++)
			trace_xlate(kvm->trace, liobn, addr[i], entries[i].translated_addr,
				    entries[i].perm, (unsigned int)entries[i].addr_mask);
	return 0;
}
