/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * phb_mock.h - the test-only PHB variant (STYLE.md §5): records every op
 * call and fails the next call of an op on demand.
 *
 * Not part of libtcesim: tests link the object library tcesim_phb_mock and
 * create a PHB with model TCESIM_PHB_MOCK (phb_internal.h). The mock's
 * state is a struct phb_mock owned by the test and installed for the
 * calling thread (one mock per test thread; the fixture installs and
 * uninstalls it, so no state leaks between tests). With no mock installed
 * the variant runs as a plain 4K, single-window, one-level PHB without a
 * TCE cache invalidation cost.
 *
 * Hardware model: storage helpers of the table layer (tce_build,
 * tce_xchg_slot, ...) and the borrowing table group ops, so behaviour is
 * real; the mock only wraps them. Modern flavour: set, xchg_no_kill,
 * tce_kill, clear, get. legacy_2015 flavour: a pre-2015 platform WITHOUT
 * exchange (set, clear, get only), so ownership and iommu_tce_xchg must
 * refuse with -EINVAL (seed 000: "a requirement for a platform to have
 * exchange() implemented in order to support VFIO").
 */
#ifndef TCESIM_PHB_MOCK_H
#define TCESIM_PHB_MOCK_H

#include "ops/phb_internal.h"

enum phb_mock_op {
	PHB_MOCK_SET = 0,
	PHB_MOCK_XCHG_NO_KILL,
	PHB_MOCK_TCE_KILL,
	PHB_MOCK_CLEAR,
	PHB_MOCK_GET,
	PHB_MOCK_KILL_PAGES,
	PHB_MOCK_KILL_PE,
	PHB_MOCK_CREATE_TABLE,
	PHB_MOCK_SET_WINDOW,
	PHB_MOCK_UNSET_WINDOW,
	PHB_MOCK_TAKE_OWNERSHIP,
	PHB_MOCK_RELEASE_OWNERSHIP,
	PHB_MOCK_NR_OPS,
};

/**
 * struct phb_mock - recorded calls and armed failures
 * @calls: calls of each op (void ops included)
 * @fail: non-zero: the next call of that op returns this value without
 *	doing anything, then the slot is reset to 0 (int ops only)
 * @last_index: @index (absolute entry) of the last table op call
 * @last_npages: @npages of the last set/clear/tce_kill call
 * @last_num: window number of the last group op call
 */
struct phb_mock {
	unsigned long calls[PHB_MOCK_NR_OPS];
	int fail[PHB_MOCK_NR_OPS];
	long last_index;
	unsigned long last_npages;
	unsigned int last_num;
};

/* Installs @m for the calling thread (NULL uninstalls). */
void phb_mock_install(struct phb_mock *m);

#endif /* TCESIM_PHB_MOCK_H */
