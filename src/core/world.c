// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * world.c - the world object and the allocation hook (the message ring is
 * log.c's).
 *
 * Concepts:
 *  - A world is one simulated host. Modules keep their per-world state in a
 *    slot (struct tcesim_world.slot[]), created lazily and destroyed in
 *    reverse slot order, so upper layers (KVM, SVA) go before the PHBs and
 *    the memory they hold references to.
 *  - Every model allocation goes through tcesim_zalloc(): it counts live
 *    allocations (leak oracle) and fires injected failures (fail-Nth).
 *
 * Locking: slots are published with compare-and-swap (no lock is held
 * while a module's create() runs). Counters are atomics.
 */
#include <stdio.h>

#include "internal.h"

void tcesim_world_cfg_init(struct tcesim_world_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->size = sizeof(*cfg);
	cfg->flavour = TCESIM_FLAVOUR_MODERN;
	cfg->quirks = TCESIM_QUIRKS_SAFE;
	cfg->hcall = TCESIM_HCALL_KVM_QEMU;
	cfg->host_page_shift = 12;
	cfg->seed = 1;
	cfg->max_page_order = TCESIM_MAX_PAGE_ORDER_DEFAULT;
}

/* arch/powerpc/Kconfig ARCH_FORCE_MAX_ORDER: ppc64 "12" (4K pages), "8" (64K) */
static int default_max_page_order(unsigned int host_page_shift)
{
	return host_page_shift == 16 ? 8 : 12;
}

static bool max_page_order_valid(int order)
{
	return order == TCESIM_MAX_PAGE_ORDER_DEFAULT ||
	       (order >= 0 && order <= TCESIM_MAX_PAGE_ORDER_LIMIT);
}

TCESIM_EXPORT int tcesim_world_create(const struct tcesim_world_cfg *cfg,
				      struct tcesim_world **out)
{
	struct tcesim_world_cfg def;
	struct tcesim_world *w;

	if (!out)
		return -EINVAL;
	if (!cfg) {
		tcesim_world_cfg_init(&def);
		cfg = &def;
	}
	if (cfg->size < sizeof(*cfg) || (unsigned int)cfg->flavour >= TCESIM_FLAVOUR_NR ||
	    (cfg->quirks != TCESIM_QUIRKS_SAFE && cfg->quirks != TCESIM_QUIRKS_UPSTREAM) ||
	    (unsigned int)cfg->hcall > TCESIM_HCALL_QEMU ||
	    (cfg->host_page_shift != 12 && cfg->host_page_shift != 16) ||
	    !max_page_order_valid(cfg->max_page_order))
		return -EINVAL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->cfg = *cfg;
	if (w->cfg.max_page_order == TCESIM_MAX_PAGE_ORDER_DEFAULT)
		w->cfg.max_page_order = default_max_page_order(cfg->host_page_shift);
	atomic_init(&w->max_page_order, w->cfg.max_page_order);
	tcesim_mutex_init(&w->log_lock);
	*out = w;
	return 0;
}

TCESIM_EXPORT void tcesim_world_destroy(struct tcesim_world *w)
{
	tcesim_world_destroy_leaks(w);
}

long tcesim_world_destroy_leaks(struct tcesim_world *w)
{
	long left;
	int s;

	if (!w)
		return 0;
	for (s = TCESIM_SLOT_NR - 1; s >= 0; s--) {
		if (!w->slot[s])
			continue;
		if (w->slot_destroy[s])
			w->slot_destroy[s](w, w->slot[s]);
		w->slot[s] = NULL;
		/* objects freed with call_rcu by this layer must be gone before
		 * the layer below tears down what they point to; free when
		 * nothing was queued (most layers queue nothing) */
		tcesim_rcu_barrier();
	}
	left = atomic_load(&w->live_allocs);
	tcesim_explore_quarantine_drain(w); /* explore_poison.c */
	tcesim_mutex_destroy(&w->log_lock);
	free(w);
	return left;
}

TCESIM_EXPORT const struct tcesim_world_cfg *tcesim_world_cfg(const struct tcesim_world *w)
{
	return &w->cfg;
}

void *tcesim_world_slot(struct tcesim_world *w, enum tcesim_world_slot s,
			void *(*create)(struct tcesim_world *w),
			void (*destroy)(struct tcesim_world *w, void *state))
{
	void *st, *cur = NULL;

	st = __atomic_load_n(&w->slot[s], __ATOMIC_ACQUIRE);
	if (st)
		return st;
	/*
	 * create() runs under no lock: a module's create() may itself need
	 * another module's slot (memory preregistration creating the PHB
	 * layer, "mm q" in a world without a PHB), and holding one world-wide
	 * lock across it self-deadlocked (issue 7, defect 1). Publish with a
	 * compare-and-swap instead; the loser of a race destroys its copy.
	 * Every caller of one slot passes the same @destroy, so storing it
	 * before the CAS is race-free.
	 */
	st = create(w);
	if (!st)
		return __atomic_load_n(&w->slot[s], __ATOMIC_ACQUIRE);
	__atomic_store_n(&w->slot_destroy[s], destroy, __ATOMIC_RELAXED);
	if (__atomic_compare_exchange_n(&w->slot[s], &cur, st, false, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE))
		return st;
	destroy(w, st);
	return cur;
}

void *tcesim_world_slot_peek(struct tcesim_world *w, enum tcesim_world_slot s)
{
	return __atomic_load_n(&w->slot[s], __ATOMIC_ACQUIRE);
}

/* ------------------------------------------------------------ allocator -- */

bool tcesim_should_fail(struct tcesim_world *w)
{
	unsigned long n = atomic_load(&w->fail_nth);

	atomic_fetch_add_explicit(&w->allocs_total, 1, memory_order_relaxed);
	while (n) {
		if (atomic_compare_exchange_weak(&w->fail_nth, &n, n - 1))
			return n == 1;
	}
	return false;
}

void *tcesim_zalloc(struct tcesim_world *w, size_t size)
{
	void *p;

	if (tcesim_should_fail(w))
		return NULL;
	p = calloc(1, size ? size : 1);
	if (p)
		atomic_fetch_add_explicit(&w->live_allocs, 1, memory_order_relaxed);
	return p;
}

void *tcesim_zalloc_aligned(struct tcesim_world *w, size_t align, size_t size)
{
	void *p;

	if (tcesim_should_fail(w))
		return NULL;
	size = TCESIM_ALIGN_UP(size ? size : 1, align);
	p = aligned_alloc(align, size);
	if (!p)
		return NULL;
	memset(p, 0, size);
	atomic_fetch_add_explicit(&w->live_allocs, 1, memory_order_relaxed);
	return p;
}

void tcesim_kfree(struct tcesim_world *w, void *p)
{
	if (!p)
		return;
	atomic_fetch_sub_explicit(&w->live_allocs, 1, memory_order_relaxed);
	if (tcesim_explore_on() && tcesim_explore_quarantine(w, p))
		return; /* explore_poison.c: poisoned, freed with the world */
	free(p);
}

TCESIM_EXPORT int tcesim_world_set_max_page_order(struct tcesim_world *w, int order)
{
	if (!w || !max_page_order_valid(order))
		return -EINVAL;
	if (order == TCESIM_MAX_PAGE_ORDER_DEFAULT)
		order = default_max_page_order(w->cfg.host_page_shift);
	atomic_store_explicit(&w->max_page_order, order, memory_order_relaxed);
	return 0;
}

TCESIM_EXPORT int tcesim_world_max_page_order(const struct tcesim_world *w)
{
	if (!w)
		return -EINVAL;
	return tcesim_max_page_order(w);
}

TCESIM_EXPORT void tcesim_world_inject_fail_alloc(struct tcesim_world *w, unsigned long nth)
{
	atomic_store(&w->fail_nth, nth);
}

TCESIM_EXPORT bool tcesim_world_fail_alloc_armed(const struct tcesim_world *w)
{
	return atomic_load(&((struct tcesim_world *)w)->fail_nth) != 0;
}

TCESIM_EXPORT long tcesim_world_live_allocs(const struct tcesim_world *w)
{
	return atomic_load(&((struct tcesim_world *)w)->live_allocs);
}
