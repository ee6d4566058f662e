// SPDX-License-Identifier: LGPL-2.1-or-later
/* test_core.c - the world object, allocation hook, names. */
#include "tcesim_test.h"
#include "internal.h"

static void test_world_create_rejects_bad_cfg(void **state)
{
	struct tcesim_world_cfg cfg;
	struct tcesim_world *w = NULL;

	(void)state;
	tcesim_world_cfg_init(&cfg);
	cfg.host_page_shift = 13;
	assert_errno(tcesim_world_create(&cfg, &w), -EINVAL);
	tcesim_world_cfg_init(&cfg);
	cfg.flavour = TCESIM_FLAVOUR_NR;
	assert_errno(tcesim_world_create(&cfg, &w), -EINVAL);
	tcesim_world_cfg_init(&cfg);
	cfg.size = 4;
	assert_errno(tcesim_world_create(&cfg, &w), -EINVAL);
	assert_errno(tcesim_world_create(NULL, NULL), -EINVAL);
	assert_null(w);
	assert_errno(tcesim_world_create(NULL, &w), 0);
	assert_int_equal(tcesim_world_cfg(w)->host_page_shift, 12);
	tcesim_world_destroy(w);
	tcesim_world_destroy(NULL);
}

static void test_zalloc_fail_nth_fires_once(void **state)
{
	struct test_world *tw = test_world_new(NULL);
	void *a, *b, *c;

	(void)state;
	tcesim_world_inject_fail_alloc(tw->w, 2);
	assert_true(tcesim_world_fail_alloc_armed(tw->w));
	a = tcesim_zalloc(tw->w, 16);
	assert_non_null(a);
	b = tcesim_zalloc(tw->w, 16);
	assert_null(b);			/* the 2nd fails */
	assert_false(tcesim_world_fail_alloc_armed(tw->w));
	c = tcesim_zalloc(tw->w, 16);	/* and injection is off again */
	assert_non_null(c);
	assert_int_equal(tcesim_world_live_allocs(tw->w), tw->allocs_at_start + 2);
	tcesim_kfree(tw->w, a);
	tcesim_kfree(tw->w, c);
	assert_int_equal(tcesim_world_live_allocs(tw->w), tw->allocs_at_start);
	test_world_free(tw);
}

static void test_names_roundtrip(void **state)
{
	enum tcesim_flavour f;
	long h;
	int e;

	(void)state;
	assert_string_equal(tcesim_errname(-EBUSY), "EBUSY");
	assert_string_equal(tcesim_errname(0), "ok");
	assert_null(tcesim_errname(-4000));
	assert_int_equal(tcesim_errno_from_name("EOVERFLOW", &e), 0);
	assert_int_equal(e, EOVERFLOW);
	assert_errno(tcesim_errno_from_name("EWHATEVER", &e), -ENOENT);
	assert_string_equal(tcesim_hcall_name(TCESIM_H_PARAMETER), "H_PARAMETER");
	assert_int_equal(tcesim_hcall_from_name("H_TOO_HARD", &h), 0);
	assert_int_equal(h, 9999);
	for (f = 0; f < TCESIM_FLAVOUR_NR; f++) {
		enum tcesim_flavour g;

		assert_int_equal(tcesim_flavour_from_name(tcesim_flavour_name(f), &g), 0);
		assert_int_equal(g, f);
	}
	assert_errno(tcesim_flavour_from_name("legacy_1999", &f), -EINVAL);
}

static void test_log_keeps_recent_lines(void **state)
{
	struct test_world *tw = test_world_new(NULL);
	int i;

	(void)state;
	tcesim_pr(tw->w, "iommu_tce: it_map is not empty");
	assert_true(tcesim_world_log_contains(tw->w, "it_map is not empty"));
	for (i = 0; i < 40; i++)
		tcesim_pr(tw->w, "filler %d", i);
	assert_false(tcesim_world_log_contains(tw->w, "it_map is not empty"));
	assert_int_equal(tcesim_world_log_count(tw->w), 41);
	test_world_free(tw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_world_create_rejects_bad_cfg),
		cmocka_unit_test(test_zalloc_fail_nth_fires_once),
		cmocka_unit_test(test_names_roundtrip),
		cmocka_unit_test(test_log_keeps_recent_lines),
	};

	test_seed();
	return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
