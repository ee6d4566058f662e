/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kvm_fixture.h - the fixture of the kvm tier tests (test_kvm.c: KVM's
 * tables and tier; test_kvm_qemu.c: QEMU's tier; test_kvm_tiers.c: the Q6
 * divergences, dispatch and the legacy eras). The tests cover the tiers: KVM's in-kernel handlers (B8), QEMU's
 * handlers and translation (B9, traces/README.md "QEMU 7.2 behaviour"),
 * the Q6 divergences (the same call answered by each tier), the KVM ->
 * QEMU fallback of the dispatcher, QEMU's trace lines, and balance (no
 * allocation left, no page pinned, locked_vm back to zero).
 *
 * Fixture: a process "qemu" with 1 MiB of guest RAM at va 0x10000000,
 * memslot gpa 0 -> that va, plus a memslot at gpa 0x10000000 whose user
 * range is not mapped (get_user fails there). KVM table LIOBN 0x1000:
 * 4K pages, offset 0, 512 entries (KVM-backed QEMU view). QEMU-only
 * table LIOBN 0x2000: 4K pages, bus_offset 0x100000, 16 entries.
 */
#ifndef TCESIM_TEST_KVM_FIXTURE_H
#define TCESIM_TEST_KVM_FIXTURE_H

#include "tcesim_test.h"

#include "kvm/kvm_internal.h"

#define RAM_VA		0x10000000ULL
#define RAM_SIZE	(1ULL << 20)
#define HOLE_GPA	0x10000000ULL	/* memslot whose process range is unmapped */
#define HOLE_VA		0x40000000ULL
#define LIOBN_KVM	0x1000ULL
#define LIOBN_QEMU	0x2000ULL
#define QEMU_BUS	0x100000ULL
#define LIST_GPA	0x8000ULL	/* a 4K-aligned TCE list in guest RAM */

struct fx {
	struct test_world *tw;
	struct tcesim_mm *mm;
	struct tcesim_kvm *kvm;
	long base_allocs;
	char *tbuf;		/* trace capture */
	size_t tlen;
	FILE *trace;
};

#define COLD_GPA	0x20000000ULL	/* memslot over mapped but never touched memory */
#define COLD_VA		0x30000000ULL

static inline int fx_setup_cfg(void **state, enum tcesim_hcall_mode mode, enum tcesim_flavour flavour);

static inline int fx_setup_mode(void **state, enum tcesim_hcall_mode mode)
{
	return fx_setup_cfg(state, mode, TCESIM_FLAVOUR_MODERN);
}

static inline int fx_setup_full(void **state, enum tcesim_hcall_mode mode,
				enum tcesim_flavour flavour, enum tcesim_quirks quirks);

static inline int fx_setup_cfg(void **state, enum tcesim_hcall_mode mode, enum tcesim_flavour flavour)
{
	return fx_setup_full(state, mode, flavour, TCESIM_QUIRKS_SAFE);
}

static inline int fx_setup_full(void **state, enum tcesim_hcall_mode mode,
				enum tcesim_flavour flavour, enum tcesim_quirks quirks)
{
	struct tcesim_world_cfg cfg;
	struct fx *f = calloc(1, sizeof(*f));
	static char zeros[RAM_SIZE];

	assert_non_null(f);
	tcesim_world_cfg_init(&cfg);
	cfg.hcall = mode;
	cfg.flavour = flavour;
	cfg.quirks = quirks;
	f->tw = test_world_new(&cfg);
	assert_int_equal(tcesim_mm_create(f->tw->w, "qemu", 64ULL << 20, false, &f->mm), 0);
	assert_int_equal(tcesim_mm_mmap(f->mm, RAM_VA, RAM_SIZE,
					TCESIM_PROT_READ | TCESIM_PROT_WRITE, 0), 0);
	assert_int_equal(tcesim_mm_mmap(f->mm, COLD_VA, 0x10000,
					TCESIM_PROT_READ | TCESIM_PROT_WRITE, 0), 0);
	/* Touch all guest RAM now, so later guest writes allocate nothing. */
	assert_int_equal(tcesim_mm_write(f->mm, RAM_VA, zeros, RAM_SIZE), 0);
	/* the module's per-world state lives as long as the world: create it first */
	assert_int_equal(tcesim_kvm_create(f->tw->w, &f->kvm), 0);
	tcesim_kvm_destroy(f->kvm);
	f->base_allocs = tcesim_world_live_allocs(f->tw->w);
	assert_int_equal(tcesim_kvm_create(f->tw->w, &f->kvm), 0);
	assert_int_equal(tcesim_kvm_set_user_memory_region(f->kvm, 0, RAM_SIZE, f->mm, RAM_VA), 0);
	assert_int_equal(tcesim_kvm_set_user_memory_region(f->kvm, HOLE_GPA, 0x10000, f->mm,
							   HOLE_VA), 0);
	assert_int_equal(tcesim_kvm_set_user_memory_region(f->kvm, COLD_GPA, 0x10000, f->mm,
							   COLD_VA), 0);
	assert_int_equal(tcesim_spapr_tce_new_table(f->kvm, LIOBN_KVM, 0, 12, 512, true, f->mm),
			 0);
	assert_int_equal(tcesim_spapr_tce_new_table(f->kvm, LIOBN_QEMU, QEMU_BUS, 12, 16, false,
						    NULL), 0);
	f->trace = open_memstream(&f->tbuf, &f->tlen);
	assert_non_null(f->trace);
	tcesim_kvm_set_trace(f->kvm, f->trace);
	*state = f;
	return 0;
}

static inline int fx_setup(void **state)
{
	return fx_setup_mode(state, TCESIM_HCALL_KVM_QEMU);
}

static inline int fx_setup_kvm_only(void **state)
{
	return fx_setup_mode(state, TCESIM_HCALL_KVM);
}

static inline int fx_setup_qemu_only(void **state)
{
	return fx_setup_mode(state, TCESIM_HCALL_QEMU);
}

static inline int fx_setup_legacy_2016(void **state)
{
	return fx_setup_cfg(state, TCESIM_HCALL_KVM_QEMU, TCESIM_FLAVOUR_LEGACY_2016);
}

static inline int fx_setup_legacy_2013(void **state)
{
	return fx_setup_cfg(state, TCESIM_HCALL_KVM_QEMU, TCESIM_FLAVOUR_LEGACY_2013);
}

static inline int fx_teardown(void **state)
{
	struct fx *f = *state;

	tcesim_kvm_destroy(f->kvm);
	tcesim_rcu_barrier();
	/* every table's locked_vm is returned, every model allocation freed */
	assert_int_equal(tcesim_mm_locked_vm(f->mm), 0);
	assert_int_equal(tcesim_world_live_allocs(f->tw->w), f->base_allocs);
	tcesim_mm_exit(f->mm);
	test_world_free(f->tw);
	fclose(f->trace);
	free(f->tbuf);
	free(f);
	return 0;
}

/* The trace lines emitted since the last call (then forgotten). */
static const char *trace_take(struct fx *f)
{
	static char last[4096];

	fclose(f->trace);
	snprintf(last, sizeof(last), "%s", f->tbuf ? f->tbuf : "");
	free(f->tbuf);
	f->tbuf = NULL;
	f->trace = open_memstream(&f->tbuf, &f->tlen);
	assert_non_null(f->trace);
	tcesim_kvm_set_trace(f->kvm, f->trace);
	return last;
}

static inline uint64_t kvm_get(struct fx *f, uint64_t liobn, uint64_t ioba)
{
	uint64_t tce = 0xdead;

	assert_hcall(tcesim_kvmppc_h_get_tce(f->kvm, liobn, ioba, &tce), TCESIM_H_SUCCESS);
	return tce;
}

static inline uint64_t digest(struct fx *f, uint64_t liobn)
{
	uint64_t d = 0;

	assert_int_equal(tcesim_spapr_tce_digest(f->kvm, liobn, &d), 0);
	return d;
}

static inline void put_list(struct fx *f, const uint64_t *v, size_t n)
{
	assert_int_equal(tcesim_kvm_write_guest_be64(f->kvm, LIST_GPA, v, n), 0);
}


/* A linked hardware table that records calls and fails on demand. */
struct mock_hw {
	int maps, unmaps, clears, kills, validates, releases;
	long map_ret, unmap_ret, validate_ret;
	uint64_t last_entry, last_ua;
};

static inline long mock_validate(void *p, struct tcesim_mm *mm, uint64_t ua)
{
	struct mock_hw *m = p;

	(void)mm;
	m->validates++;
	m->last_ua = ua;
	return m->validate_ret;
}

static inline long mock_map(void *p, uint64_t entry, struct tcesim_mm *mm, uint64_t ua,
		     enum tcesim_dma_data_direction dir)
{
	struct mock_hw *m = p;

	(void)mm;
	(void)dir;
	m->maps++;
	m->last_entry = entry;
	m->last_ua = ua;
	return m->map_ret;
}

static inline long mock_unmap(void *p, uint64_t entry)
{
	struct mock_hw *m = p;

	m->unmaps++;
	m->last_entry = entry;
	return m->unmap_ret;
}

static inline void mock_clear(void *p, uint64_t entry)
{
	((struct mock_hw *)p)->clears++;
	(void)entry;
}

static inline void mock_kill(void *p, uint64_t entry, uint64_t npages)
{
	((struct mock_hw *)p)->kills++;
	(void)entry;
	(void)npages;
}

static inline void mock_release(void *p)
{
	((struct mock_hw *)p)->releases++;
}

static const struct kvmppc_linked_table_ops mock_ops = {
	.validate = mock_validate, .map = mock_map, .unmap = mock_unmap,
	.clear = mock_clear, .kill = mock_kill, .release = mock_release,
};

#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

#endif /* TCESIM_TEST_KVM_FIXTURE_H */
