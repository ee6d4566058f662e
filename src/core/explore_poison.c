// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * explore_poison.c - "no access to freed memory" outside ASan (issue 10):
 * model memory freed by a model thread or by an RCU callback while a
 * schedule is explored is not given back at once: it is filled with
 * POISON_FREE and kept in a quarantine until its world is destroyed. A later
 * read sees 0x6b6b... (a pointer that faults at once, a count that cannot
 * be right); a later write is found when the world goes: every quarantined
 * block must still hold nothing but the poison, else the schedule is a
 * violation ("freed memory was written").
 *
 * A later READ is found where the model reads shared state through the
 * synchronization helpers of src/internal.h (tce_read, tcesim_ref_load,
 * tcesim_index_load, tcesim_rcu_deref and the PASID-array loads built on
 * it): while a model thread runs, each of them hands what it loaded to
 * tcesim_explore_read_freed(). The test is two steps so that it stays cheap
 * even with a full quarantine: the loaded bytes must all be POISON_FREE
 * (almost never true of a live value: one compare), and only then is the
 * address looked up in the quarantine (a linear scan of at most QUAR_MAX
 * blocks). Both must hold: a live count that happens to equal 0x6b6b6b6b is
 * not reported. Outside an exploration the helpers never call it (their one
 * flag test). A plain C dereference of a freed object (h->domain) is not a
 * helper and is not seen here; ASan builds see every access.
 *
 * The pattern is the kernel's POISON_FREE (include/linux/poison.h, slab
 * debugging), which intel_svm_unbind_mm() also memset()s over a freed
 * struct intel_svm "to make [errors] less subtle" (drivers/iommu/intel-svm.c,
 * v4.4-v5.7).
 *
 * Under ASan the quarantine would hide use-after-free from ASan's own
 * (better) one: ASan builds free at once and ASan reports the access.
 *
 * Only the exploring pthread uses the quarantine (model threads are its
 * coroutines), so it is thread-local; it is bounded (QUAR_MAX blocks, then
 * frees go straight to free()).
 */
#include <malloc.h>
#include <stdio.h>

#include "internal.h"
#include <tcesim/explore.h>

#define POISON_FREE 0x6b
#define QUAR_MAX 4096

struct quar_ent {
	struct tcesim_world *w;
	void *p;
	size_t len;
};

static __thread struct quar_ent quar[QUAR_MAX];
static __thread unsigned int nquar;

#if defined(__SANITIZE_ADDRESS__)
#define TCESIM_POISON_QUARANTINE 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TCESIM_POISON_QUARANTINE 0
#endif
#endif
#ifndef TCESIM_POISON_QUARANTINE
#define TCESIM_POISON_QUARANTINE 1
#endif

bool tcesim_explore_quarantine(struct tcesim_world *w, void *p)
{
	size_t len;

	if (!TCESIM_POISON_QUARANTINE || !tcesim_explore_on() || nquar == QUAR_MAX)
		return false;
	len = malloc_usable_size(p);
	memset(p, POISON_FREE, len);
	quar[nquar++] = (struct quar_ent){ .w = w, .p = p, .len = len };
	return true;
}

bool tcesim_explore_read_freed(const void *addr, const void *v, size_t size)
{
	const unsigned char *b = v;
	const char *a = addr;
	char why[TCESIM_EXPLORE_WHY_LEN];
	size_t k;

	if (!TCESIM_POISON_QUARANTINE)
		return false;
	for (k = 0; k < size; k++)
		if (b[k] != POISON_FREE)
			return false;
	for (unsigned int i = 0; i < nquar; i++) {
		const char *p = quar[i].p;

		if (a < p || a + size > p + quar[i].len)
			continue;
		snprintf(why, sizeof(why),
			 "invariant: freed memory was read: a %zu-byte load at byte %zu of a "
			 "%zu-byte model object freed during the schedule", size,
			 (size_t)(a - p), quar[i].len);
		tcesim_pr(quar[i].w, "WARN: %s", why);
		tcesim_explore_fail(why);
		return true;
	}
	return false;
}

uint64_t tcesim_tce_read_explored(const _Atomic uint64_t *slot)
{
	uint64_t raw;

	tcesim_sched_dispatch(TCESIM_SCHED_TCE_READ, slot);
	raw = atomic_load_explicit(slot, memory_order_relaxed);
	/* a TCE read from a freed level or table */
	(void)tcesim_explore_read_freed(slot, &raw, sizeof(raw));
	return be64toh(raw);
}

void tcesim_explore_quarantine_drain(struct tcesim_world *w)
{
	unsigned int i = 0, kept = 0;
	char why[TCESIM_EXPLORE_WHY_LEN];
	bool reported = false;

	for (i = 0; i < nquar; i++) {
		const unsigned char *b = quar[i].p;

		if (quar[i].w != w) {
			quar[kept++] = quar[i];
			continue;
		}
		for (size_t k = 0; k < quar[i].len && !reported; k++) {
			if (b[k] == POISON_FREE)
				continue;
			snprintf(why, sizeof(why),
				 "invariant: freed memory was written: byte %zu of a %zu-byte model "
				 "object freed during the schedule is 0x%02x", k, quar[i].len, b[k]);
			tcesim_pr(w, "WARN: %s", why);
			tcesim_explore_fail(why);
			reported = true;
		}
		free(quar[i].p);
	}
	nquar = kept;
}
