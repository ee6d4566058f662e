// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * hostmem.c - simulated host RAM: page frames with pin counts, dirty bits
 * and bytes.
 *
 * Concepts:
 *  - RAM is [0, HOSTMEM_MAX_HPA). Frame metadata lives in chunks of 16384
 *    frames allocated on first use and installed by compare-and-swap, so
 *    lookups are lock-free. Frame metadata and page bytes are the simulated
 *    hardware: they do not go through the model allocator (no injected
 *    failures, not counted as model allocations).
 *  - Compound (huge) pages: pins and the dirty bit are kept on the head
 *    frame, as the kernel keeps them on the folio. tce_page_is_contained()
 *    reads compound_shift.
 *  - Process pages come from a bump allocator above 4 GiB, aligned to their
 *    compound size; frames are never reused, so a stale hpa in a TCE always
 *    names the page it was mapped to.
 *
 * Locking: chunk install is cmpxchg; pins/dirty are atomics; the bump
 * allocator and the process list are under hostmem->lock.
 */
#include <stdio.h>
#include <xxhash.h>

#include "mem/mem_internal.h"

#define HOSTMEM_CHUNK_FRAMES (1u << HOSTMEM_CHUNK_SHIFT)
#define HOSTMEM_MID_SIZE (1u << HOSTMEM_MID_SHIFT)

/* the chunk-pointer slot of chunk @c; @make: create its middle table */
static _Atomic(struct tcesim_frame *) *hostmem_chunk_slot(struct hostmem *hm, uint64_t c, bool make)
{
	_Atomic(_Atomic(struct tcesim_frame *) *) *t = &hm->top[c >> HOSTMEM_MID_SHIFT];
	_Atomic(struct tcesim_frame *) *mid = atomic_load_explicit(t, memory_order_acquire);

	if (!mid) {
		_Atomic(struct tcesim_frame *) *expect = NULL;

		if (!make)
			return NULL;
		mid = calloc(HOSTMEM_MID_SIZE, sizeof(*mid));
		if (!mid)
			return NULL;
		if (!atomic_compare_exchange_strong(t, &expect, mid)) {
			free(mid);	/* another thread installed it first */
			mid = expect;
		}
	}
	return &mid[c & (HOSTMEM_MID_SIZE - 1)];
}

static struct tcesim_frame *hostmem_chunk(struct hostmem *hm, uint64_t c)
{
	_Atomic(struct tcesim_frame *) *slot = hostmem_chunk_slot(hm, c, false);

	return slot ? atomic_load_explicit(slot, memory_order_acquire) : NULL;
}

static void *hostmem_create(struct tcesim_world *w)
{
	struct hostmem *hm = calloc(1, sizeof(*hm));

	if (!hm)
		return NULL;
	hm->w = w;
	hm->page_shift = tcesim_page_shift(w);
	hm->nr_chunks = (HOSTMEM_MAX_HPA >> hm->page_shift) >> HOSTMEM_CHUNK_SHIFT;
	hm->nr_top = (hm->nr_chunks + HOSTMEM_MID_SIZE - 1) >> HOSTMEM_MID_SHIFT;
	hm->top = calloc(hm->nr_top, sizeof(*hm->top));
	if (!hm->top) {
		free(hm);
		return NULL;
	}
	tcesim_mutex_init(&hm->lock);
	hm->next_pfn = HOSTMEM_ALLOC_BASE >> hm->page_shift;
	atomic_init(&hm->pfn_lo, UINT64_MAX);
	atomic_init(&hm->pfn_hi, 0);
	CDS_INIT_LIST_HEAD(&hm->mms);
	return hm;
}

/* World teardown: free every process left, running no hooks. */
static void tcesim_mm_free_all(struct hostmem *hm)
{
	while (!cds_list_empty(&hm->mms)) {
		struct tcesim_mm *mm = cds_list_entry(hm->mms.next, struct tcesim_mm, node);

		mm_free(mm);
	}
}

/*
 * The next frame at or after *pfn that exists, below pfn_hi (ascending pfn
 * order); NULL at the end. Skips absent chunks whole.
 */
static struct tcesim_frame *hostmem_next(struct hostmem *hm, uint64_t *pfn)
{
	uint64_t hi = atomic_load_explicit(&hm->pfn_hi, memory_order_relaxed);

	while (*pfn < hi) {
		uint64_t c = *pfn >> HOSTMEM_CHUNK_SHIFT;
		struct tcesim_frame *ch = hostmem_chunk(hm, c);

		if (ch)
			return &ch[*pfn & (HOSTMEM_CHUNK_FRAMES - 1)];
		*pfn = (c + 1) << HOSTMEM_CHUNK_SHIFT;
	}
	return NULL;
}

static uint64_t hostmem_first(struct hostmem *hm)
{
	return atomic_load_explicit(&hm->pfn_lo, memory_order_relaxed);
}

static void hostmem_destroy(struct tcesim_world *w, void *state)
{
	struct hostmem *hm = state;
	struct tcesim_frame *f;
	uint64_t t, i, pfn;

	(void)w;
	tcesim_mm_free_all(hm);
	for (pfn = hostmem_first(hm); (f = hostmem_next(hm, &pfn)); pfn++)
		free(atomic_load(&f->bytes));
	for (t = 0; t < hm->nr_top; t++) {
		_Atomic(struct tcesim_frame *) *mid = atomic_load(&hm->top[t]);

		if (!mid)
			continue;
		for (i = 0; i < HOSTMEM_MID_SIZE; i++)
			free(atomic_load(&mid[i]));
		free(mid);
	}
	free(hm->top);
	tcesim_mutex_destroy(&hm->lock);
	free(hm);
}

struct hostmem *hostmem_get(struct tcesim_world *w)
{
	return tcesim_world_slot(w, TCESIM_SLOT_MEM, hostmem_create, hostmem_destroy);
}

/* [pfn_lo, pfn_hi) covers @pfn from now on */
static void hostmem_widen(struct hostmem *hm, uint64_t pfn)
{
	uint64_t v = atomic_load_explicit(&hm->pfn_hi, memory_order_relaxed);

	while (pfn >= v && !atomic_compare_exchange_weak_explicit(&hm->pfn_hi, &v, pfn + 1,
								  memory_order_relaxed,
								  memory_order_relaxed))
		;
	v = atomic_load_explicit(&hm->pfn_lo, memory_order_relaxed);
	while (pfn < v && !atomic_compare_exchange_weak_explicit(&hm->pfn_lo, &v, pfn,
								 memory_order_relaxed,
								 memory_order_relaxed))
		;
}

struct tcesim_frame *hostmem_frame(struct hostmem *hm, uint64_t hpa, bool head)
{
	uint64_t pfn, c;
	_Atomic(struct tcesim_frame *) *slot;
	struct tcesim_frame *ch, *f;

	if (hpa >= HOSTMEM_MAX_HPA)
		return NULL;
	pfn = hpa >> hm->page_shift;
	c = pfn >> HOSTMEM_CHUNK_SHIFT;
	hostmem_widen(hm, pfn);
	slot = hostmem_chunk_slot(hm, c, true);
	if (!slot)
		return NULL;
	ch = atomic_load_explicit(slot, memory_order_acquire);
	if (!ch) {
		struct tcesim_frame *expect = NULL;

		ch = calloc(HOSTMEM_CHUNK_FRAMES, sizeof(*ch));
		if (!ch)
			return NULL;
		if (!atomic_compare_exchange_strong(slot, &expect, ch)) {
			free(ch);	/* another thread installed it first */
			ch = expect;
		}
	}
	f = &ch[pfn & (HOSTMEM_CHUNK_FRAMES - 1)];
	if (head && f->head_off)
		return hostmem_frame(hm, (pfn - f->head_off) << hm->page_shift, false);
	return f;
}

uint64_t hostmem_alloc_pfns(struct hostmem *hm, unsigned int order)
{
	uint64_t pfn, n = 1ULL << order, i;

	tcesim_mutex_lock(&hm->lock);
	pfn = TCESIM_ALIGN_UP(hm->next_pfn, n);
	if ((pfn + n) << hm->page_shift > HOSTMEM_MAX_HPA) {
		tcesim_mutex_unlock(&hm->lock);
		return 0;
	}
	hm->next_pfn = pfn + n;
	tcesim_mutex_unlock(&hm->lock);
	for (i = 0; i < n; i++) {
		struct tcesim_frame *f = hostmem_frame(hm, (pfn + i) << hm->page_shift, false);

		if (!f)
			return 0;
		f->head_off = (uint32_t)i;
		f->compound_shift = (unsigned char)(order ? hm->page_shift + order : 0);
		atomic_store_explicit(&f->populated, 1, memory_order_release);
	}
	return pfn;
}

TCESIM_EXPORT void tcesim_get_page(struct tcesim_world *w, uint64_t hpa)
{
	struct tcesim_frame *f = hostmem_frame(hostmem_get(w), hpa, true);

	if (f)
		tcesim_ref_fetch_add(&f->pins, 1, memory_order_relaxed);
}

TCESIM_EXPORT void tcesim_unpin_user_page(struct tcesim_world *w, uint64_t hpa)
{
	struct tcesim_frame *f = hostmem_frame(hostmem_get(w), hpa, true);
	int old;

	if (!f)
		return;
	old = tcesim_ref_load(&f->pins, memory_order_relaxed);
	do {
		if (old <= 0) {
			tcesim_pr(w, "WARNING: unpin of unpinned page hpa=0x%llx",
				  (unsigned long long)hpa);
			return;
		}
	} while (!tcesim_ref_cmpxchg(&f->pins, &old, old - 1, memory_order_seq_cst));
}

TCESIM_EXPORT void tcesim_set_page_dirty(struct tcesim_world *w, uint64_t hpa)
{
	struct tcesim_frame *f = hostmem_frame(hostmem_get(w), hpa, true);

	if (f)
		atomic_store_explicit(&f->dirty, 1, memory_order_relaxed);
}

TCESIM_EXPORT void tcesim_clear_page_dirty(struct tcesim_world *w, uint64_t hpa)
{
	struct tcesim_frame *f = hostmem_frame(hostmem_get(w), hpa, true);

	if (f)
		atomic_store_explicit(&f->dirty, 0, memory_order_relaxed);
}

TCESIM_EXPORT int tcesim_page_query(struct tcesim_world *w, uint64_t hpa,
				    struct tcesim_page_info *info)
{
	struct hostmem *hm = hostmem_get(w);
	struct tcesim_frame *f, *h;

	if (!hm)
		return -ENOMEM;
	f = hostmem_frame(hm, hpa, false);
	if (!f)
		return -EINVAL;
	h = hostmem_frame(hm, hpa, true);
	info->pins = atomic_load(&h->pins);
	info->dirty = atomic_load(&h->dirty) != 0;
	info->compound_shift = h->compound_shift ? h->compound_shift : hm->page_shift;
	info->populated = atomic_load(&f->populated) || atomic_load(&f->bytes) || info->pins;
	return 0;
}

static unsigned char *frame_bytes(struct hostmem *hm, struct tcesim_frame *f, bool create)
{
	unsigned char *b = atomic_load_explicit(&f->bytes, memory_order_acquire);
	unsigned char *expect = NULL;

	if (b || !create)
		return b;
	b = calloc(1, hostmem_page_size(hm));
	if (!b)
		return NULL;
	if (!atomic_compare_exchange_strong(&f->bytes, &expect, b)) {
		free(b);
		b = expect;
	}
	return b;
}

static int mem_copy(struct tcesim_world *w, uint64_t hpa, void *buf, size_t len, bool write)
{
	struct hostmem *hm = hostmem_get(w);
	unsigned char *p = buf;

	if (!hm)
		return -ENOMEM;
	if (hpa >= HOSTMEM_MAX_HPA || len > HOSTMEM_MAX_HPA - hpa)
		return -EINVAL;
	while (len) {
		uint64_t off = hpa & (hostmem_page_size(hm) - 1);
		size_t n = hostmem_page_size(hm) - off;
		struct tcesim_frame *f = hostmem_frame(hm, hpa, false);
		unsigned char *b;

		if (n > len)
			n = len;
		if (!f)
			return -ENOMEM;
		b = frame_bytes(hm, f, write);
		if (write) {
			if (!b)
				return -ENOMEM;
			memcpy(b + off, p, n);
		} else if (b) {
			memcpy(p, b + off, n);
		} else {
			memset(p, 0, n);
		}
		p += n;
		hpa += n;
		len -= n;
	}
	return 0;
}

TCESIM_EXPORT int tcesim_mem_read(struct tcesim_world *w, uint64_t hpa, void *buf, size_t len)
{
	return mem_copy(w, hpa, buf, len, false);
}

TCESIM_EXPORT int tcesim_mem_write(struct tcesim_world *w, uint64_t hpa, const void *buf,
				   size_t len)
{
	return mem_copy(w, hpa, (void *)buf, len, true);
}

TCESIM_EXPORT long tcesim_mem_for_each_pinned(struct tcesim_world *w,
					      void (*fn)(void *ctx, uint64_t hpa, int pins),
					      void *ctx)
{
	struct hostmem *hm = hostmem_get(w);
	struct tcesim_frame *f;
	uint64_t pfn;
	long n = 0;

	if (!hm)
		return 0;
	for (pfn = hostmem_first(hm); (f = hostmem_next(hm, &pfn)); pfn++) {
		int pins = atomic_load(&f->pins);

		if (!pins)
			continue;
		n++;
		if (fn)
			fn(ctx, pfn << hm->page_shift, pins);
	}
	return n;
}

static void sum_pins(void *ctx, uint64_t hpa, int pins)
{
	(void)hpa;
	*(long *)ctx += pins;
}

TCESIM_EXPORT long tcesim_mem_pinned_pages(struct tcesim_world *w)
{
	long total = 0;

	tcesim_mem_for_each_pinned(w, sum_pins, &total);
	return total;
}

TCESIM_EXPORT uint64_t tcesim_mem_digest(struct tcesim_world *w)
{
	struct hostmem *hm = hostmem_get(w);
	XXH3_state_t *st;
	struct tcesim_frame *f;
	uint64_t pfn, d;

	if (!hm)
		return 0;
	st = XXH3_createState();
	if (!st)
		return 0;
	XXH3_64bits_reset(st);
	for (pfn = hostmem_first(hm); (f = hostmem_next(hm, &pfn)); pfn++) {
		struct {
			uint64_t pfn;
			int32_t pins;
			uint32_t dirty;
		} rec;

		rec.pins = atomic_load(&f->pins);
		rec.dirty = atomic_load(&f->dirty);
		if (!rec.pins && !rec.dirty)
			continue;
		rec.pfn = pfn;
		XXH3_64bits_update(st, &rec, sizeof(rec));
	}
	d = XXH3_64bits_digest(st);
	XXH3_freeState(st);
	return d;
}
