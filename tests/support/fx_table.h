/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fx_table.h - the bare-table test fixture shared by tests/table
 * (test_table.c, test_alloc.c): a world of one flavour whose memory state
 * exists up front, so that the teardown can check that every model
 * allocation a test made was given back. Include after tcesim_test.h.
 */
#ifndef TCESIM_TEST_FX_TABLE_H
#define TCESIM_TEST_FX_TABLE_H

#include <tcesim/mem.h>

struct tt {
	struct test_world *tw;
	struct tcesim_world_cfg cfg;
};

static inline int fx_table_setup(void **state, enum tcesim_flavour flavour)
{
	struct tt *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	tcesim_world_cfg_init(&t->cfg);
	t->cfg.flavour = flavour;
	t->tw = test_world_new(&t->cfg);
	(void)tcesim_mem_digest(t->tw->w); /* create the memory state up front */
	t->tw->allocs_at_start = tcesim_world_live_allocs(t->tw->w);
	*state = t;
	return 0;
}

static inline int fx_table_teardown(void **state)
{
	struct tt *t = *state;

	test_world_free_balanced(t->tw);
	free(t);
	return 0;
}

#endif /* TCESIM_TEST_FX_TABLE_H */
