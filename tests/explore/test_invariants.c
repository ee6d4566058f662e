// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_invariants.c - the built-in invariants of explored scenarios
 * (issue 10 point 5), each provoked once and held once, through
 * tcesim_script_run_string():
 *  - a returned tce_kill leaves no stale TCE-cache entry for its range
 *    (src/ops/phb_kill_check.c; provoked with the test hook that drops
 *    kills, as a lost kill-register write would);
 *  - no page request of a PASID's previous life reaches its next owner
 *    (src/sva/pasid_life.c; provoked by flavour legacy_2019, no drain);
 *  - pins and locked_vm balance after teardown (teaching command
 *    tce_get_set; the v2 shadow race under quirks=upstream orphans a
 *    preregistered region with its pins and its locked_vm charge);
 *  - no leaked model allocation (tcesim_explore_world_destroy()).
 */
#include "tcesim_test.h"
#include "fx_script.h"
#include "ops/phb_internal.h"
#include <tcesim/explore.h>

/* ------------------------------------------------ stale after tce_kill --- */

/* the device caches entry 0; one CPU exchanges it (and kills), one DMAs */
#define KILL_CASE(verdict)							\
	FX_SCRIPT_PE0								\
	"dev d0 pe=pe0\n"							\
	"tce_xchg_set pe0 entry=0 mm=qemu va=0x10000000\n"			\
	"device_dma d0 read iova=0 len=8 => ok\n"				\
	"thread cpu\n"								\
	"  tce_xchg_set pe0 entry=0 mm=qemu va=0x10001000\n"			\
	"thread dev\n"								\
	"  device_dma d0 read iova=0 len=8 => ok\n"				\
	"finally\n"								\
	"  tce_xchg_set pe0 entry=0\n"						\
	"explore preemptions=2 => " verdict "\n"

static void test_kill_leaves_no_stale_entry(void **state)
{
	struct fx_run r;

	(void)state;
	fx_script_run(KILL_CASE("holds"), &r);
	fx_script_assert_pass(&r, -1, "explore: holds");
}

static void test_lost_kill_is_reported(void **state)
{
	struct fx_run r;

	(void)state;
	atomic_store(&phb_kill_test_drop, 1);
	fx_script_run(KILL_CASE("violation"), &r);
	atomic_store(&phb_kill_test_drop, 0);
	fx_script_assert_pass(&r, -1, "invariant: tce_kill of entries 0x0+1 returned with entry "
				      "0x0 of PE#0 still cached");
}

/* ------------------------------------------ a PASID's previous life --- */

#define LIFE_CASE(flavour, verdict)						\
	"set flavour=" flavour "\n"						\
	"iommu dmar0 model=vtd\n"						\
	"pdev gpu iommu=dmar0 pri=yes\n"					\
	"mm app\n"								\
	"mmap app va=0x10000000 size=1M\n"					\
	"mm other\n"								\
	"mmap other va=0x10000000 size=1M\n"					\
	"sva_bind gpu mm=app as=b1 => ok pasid=1\n"				\
	"prq_request gpu pasid=1 addr=0x10000000 access=read prg=3 last=yes\n"	\
	"thread unbind\n"							\
	"  sva_unbind b1\n"							\
	"  mm_exit app\n"							\
	"thread bind\n"								\
	"  sva_bind gpu mm=other as=b2 => ok\n"					\
	"finally\n"								\
	"  prq_service dmar0 => ok\n"						\
	"explore preemptions=2 => " verdict "\n"

static void test_drained_pasid_reuse_holds(void **state)
{
	struct fx_run r;

	(void)state;
	fx_script_run(LIFE_CASE("modern", "holds"), &r);
	fx_script_assert_pass(&r, -1, "explore: holds");
}

static void test_undrained_pasid_reuse_is_reported(void **state)
{
	struct fx_run r;

	(void)state;
	fx_script_run(LIFE_CASE("legacy_2019", "violation"), &r);
	fx_script_assert_pass(&r, -1, "invariant: a page request of PASID 1's previous life "
				      "(bond #1, prg 3) reached its next owner (bond #2)");
}

/* reuse alone, nothing in flight: no life reaches another */
static void test_reuse_without_requests_holds(void **state)
{
	struct fx_run r;

	(void)state;
	fx_script_run("set flavour=legacy_2019\n"
		      "iommu dmar0 model=vtd\n"
		      "pdev gpu iommu=dmar0 pri=yes\n"
		      "mm app\n"
		      "mmap app va=0x10000000 size=1M\n"
		      "mm other\n"
		      "sva_bind gpu mm=app as=b1 => ok pasid=1\n"
		      "sva_unbind b1\n"
		      "mm_exit app\n"
		      "sva_bind gpu mm=other as=b2 => ok pasid=1\n"
		      "thread a\n"
		      "  sva_unbind b2\n"
		      "thread b\n"
		      "  check prq dmar0 pending=0\n"
		      "explore => holds\n", &r);
	fx_script_assert_pass(&r, -1, "explore: holds");
}

/* --------------------------------------------- pins and locked_vm --- */

#define GET_SET_CASE(cmd, verdict)						\
	FX_SCRIPT_PE0								\
	cmd " pe0 entry=0 mm=qemu va=0x10000000\n"				\
	FX_SCRIPT_RACE0(cmd)							\
	"explore preemptions=2 => " verdict "\n"

static void test_pins_balance(void **state)
{
	struct fx_run r;

	(void)state;
	fx_script_run(GET_SET_CASE("tce_xchg_set", "holds"), &r);
	fx_script_assert_pass(&r, -1, "explore: holds");
	fx_script_run(GET_SET_CASE("tce_get_set", "violation"), &r);
	fx_script_assert_pass(&r, -1, "invariant: 1 page(s) still pinned and 0 page(s) of "
				      "locked_vm still charged");
}

#define V2_CASE(quirks, verdict)						\
	"set quirks=" quirks "\n"						\
	"mm qemu memlock=64M\n"							\
	"mmap qemu va=0x10000000 size=64K\n"					\
	"mmap qemu va=0x20000000 size=64K\n"					\
	"phb phb0 model=ioda2\n"						\
	"pe pe0 phb=phb0 dma32=256M\n"						\
	"dev d0 pe=pe0\n"							\
	"vfio_open c0 type=spapr_v2 mm=qemu\n"					\
	"vfio_attach c0 group=pe0\n"						\
	"vfio_ioctl c0 REGISTER_MEMORY vaddr=0x10000000 size=64K\n"		\
	"vfio_ioctl c0 REGISTER_MEMORY vaddr=0x20000000 size=64K\n"		\
	"vfio_ioctl c0 MAP_DMA vaddr=0x10000000 iova=0 size=4K flags=read,write\n" \
	"thread map\n"								\
	"  vfio_ioctl c0 MAP_DMA vaddr=0x20000000 iova=0 size=4K flags=read,write\n" \
	"thread unmap\n"							\
	"  vfio_ioctl c0 UNMAP_DMA iova=0 size=4K\n"				\
	"finally\n"								\
	"  vfio_ioctl c0 UNMAP_DMA iova=0 size=4K\n"				\
	"  vfio_ioctl c0 UNREGISTER_MEMORY vaddr=0x10000000 size=64K\n"		\
	"  vfio_ioctl c0 UNREGISTER_MEMORY vaddr=0x20000000 size=64K\n"		\
	"  vfio_close c0\n"							\
	"explore preemptions=2 => " verdict "\n"

/*
 * Upstream's consequence of the v2 shadow race (issue 10, point 4): region
 * B's `mapped` is never decremented, UNREGISTER_MEMORY of B returns 0
 * (tce_iommu_prereg_free()'s mm_iommu_put() only drops the get's extra use)
 * and the final mm_iommu_put() -EBUSY is ignored: the region is orphaned
 * with its 16 pins and its 16 pages of locked_vm.
 */
static void test_v2_race_orphans_region_upstream(void **state)
{
	struct fx_run r;

	(void)state;
	fx_script_run(V2_CASE("upstream", "violation"), &r);
	fx_script_assert_pass(&r, -1, "invariant: 16 page(s) still pinned and 16 page(s) of "
				      "locked_vm still charged after teardown");
	fx_script_run(V2_CASE("safe", "holds"), &r);
	fx_script_assert_pass(&r, -1, "explore: holds");
}

/* ------------------------------------------------------ leak oracle --- */

static void test_leak_oracle(void **state)
{
	struct tcesim_world_cfg cfg;
	struct tcesim_world *w;
	void *p;

	(void)state;
	tcesim_world_cfg_init(&cfg);
	assert_int_equal(tcesim_world_create(&cfg, &w), 0);
	assert_int_equal(tcesim_explore_world_destroy(w), 0);
	assert_int_equal(tcesim_world_create(&cfg, &w), 0);
	p = tcesim_zalloc(w, 64);
	assert_non_null(p);
	assert_int_equal(tcesim_explore_world_destroy(w), 1);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kill_leaves_no_stale_entry),
		cmocka_unit_test(test_lost_kill_is_reported),
		cmocka_unit_test(test_drained_pasid_reuse_holds),
		cmocka_unit_test(test_undrained_pasid_reuse_is_reported),
		cmocka_unit_test(test_reuse_without_requests_holds),
		cmocka_unit_test(test_pins_balance),
		cmocka_unit_test(test_v2_race_orphans_region_upstream),
		cmocka_unit_test(test_leak_oracle),
	};

	tcesim_thread_enter();
	return cmocka_run_group_tests_name("explore/invariants", tests, NULL, NULL);
}
