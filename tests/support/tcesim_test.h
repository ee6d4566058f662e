/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tcesim_test.h - shared test support: deterministic PRNG, errno asserts,
 * world fixtures with balance checks.
 *
 * Include after <stdarg.h>, <stddef.h>, <setjmp.h>, <stdint.h> and
 * <cmocka.h> (cmocka's requirement); this header includes them itself.
 */
#ifndef TCESIM_TEST_H
#define TCESIM_TEST_H

#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <tcesim/tcesim.h>

/* ---- splitmix64, seeded from TCESIM_TEST_SEED or a fixed default ---- */
struct test_prng {
	uint64_t s;
};

static inline uint64_t test_prng_next(struct test_prng *p)
{
	uint64_t z = (p->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint64_t test_prng_below(struct test_prng *p, uint64_t n)
{
	return n ? test_prng_next(p) % n : 0;
}

/* The run's seed: TCESIM_TEST_SEED if set, else 0x7ce5; printed once. */
static inline uint64_t test_seed(void)
{
	static uint64_t seed;
	static int done;

	if (!done) {
		const char *e = getenv("TCESIM_TEST_SEED");

		seed = e ? strtoull(e, NULL, 0) : 0x7ce5;
		fprintf(stderr, "# TCESIM_TEST_SEED=0x%" PRIx64 " (set it to replay this run)\n",
			seed);
		done = 1;
	}
	return seed;
}

/* ---- errno asserts that print names ---- */
static inline const char *test_errname(long v)
{
	static char buf[4][32];
	static int i;
	const char *n = (v >= -4095 && v <= 0) ? tcesim_errname((int)v) : NULL;

	if (n)
		return n;
	i = (i + 1) & 3;
	snprintf(buf[i], sizeof(buf[i]), "%ld", v);
	return buf[i];
}

#define assert_errno(got, want)                                                          \
	do {                                                                             \
		long got_ = (long)(got), want_ = (long)(want);                           \
		if (got_ != want_)                                                       \
			fail_msg("%s: got %s (%ld), want %s (%ld)", #got, test_errname(got_), \
				 got_, test_errname(want_), want_);                      \
	} while (0)

#define assert_hcall(got, want)                                                          \
	do {                                                                             \
		long got_ = (long)(got), want_ = (long)(want);                           \
		if (got_ != want_) {                                                     \
			const char *gn_ = tcesim_hcall_name(got_), *wn_ = tcesim_hcall_name(want_); \
			fail_msg("%s: got %s (%ld), want %s (%ld)", #got, gn_ ? gn_ : "?", got_, \
				 wn_ ? wn_ : "?", want_);                                \
		}                                                                        \
	} while (0)

/* ---- world fixture ---- */
struct test_world {
	struct tcesim_world *w;
	long allocs_at_start;
	struct test_prng rng;
	void *priv;		/* test-file specific */
};

static inline struct test_world *test_world_new(const struct tcesim_world_cfg *cfg)
{
	struct test_world *tw = calloc(1, sizeof(*tw));

	assert_non_null(tw);
	tcesim_thread_enter();
	assert_int_equal(tcesim_world_create(cfg, &tw->w), 0);
	tw->allocs_at_start = tcesim_world_live_allocs(tw->w);
	tw->rng.s = test_seed();
	return tw;
}

/*
 * A world of @flavour and @quirks (the rest as tcesim_world_cfg_init() sets
 * it); @host_page_shift 12 or 16, or 0 for the default.
 */
static inline struct test_world *test_world_new_of(enum tcesim_flavour flavour,
						   enum tcesim_quirks quirks,
						   unsigned int host_page_shift)
{
	struct tcesim_world_cfg cfg;

	tcesim_world_cfg_init(&cfg);
	cfg.flavour = flavour;
	cfg.quirks = quirks;
	if (host_page_shift)
		cfg.host_page_shift = host_page_shift;
	return test_world_new(&cfg);
}

/* src/internal.h: tcesim_world_destroy() returning the allocations left */
long tcesim_world_destroy_leaks(struct tcesim_world *w);

/* Asserts no page is pinned, then destroys the world: nothing may be left. */
static inline void test_world_free(struct test_world *tw)
{
	if (!tw)
		return;
	tcesim_rcu_barrier();
	assert_int_equal(tcesim_mem_pinned_pages(tw->w), 0);
	/* every model allocation is gone once the world is (no leak) */
	assert_int_equal(tcesim_world_destroy_leaks(tw->w), 0);
	tcesim_thread_exit();
	free(tw);
}

/*
 * After the RCU callbacks ran: asserts that every model allocation made
 * since tw->allocs_at_start was given back, then test_world_free().
 */
static inline void test_world_free_balanced(struct test_world *tw)
{
	tcesim_rcu_barrier();
	assert_int_equal(tcesim_world_live_allocs(tw->w), tw->allocs_at_start);
	test_world_free(tw);
}

/* Variant of test_world_free() for tests that leave pins on purpose. */
static inline void test_world_free_unchecked(struct test_world *tw)
{
	if (!tw)
		return;
	tcesim_world_destroy(tw->w);
	tcesim_thread_exit();
	free(tw);
}

#endif
