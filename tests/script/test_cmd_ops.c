// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_cmd_ops.c - the ops scenario commands (SCENARIO.md "PHBs, PEs",
 * "Kernel DMA API", "Table operations", "Device DMA") through
 * tcesim_script_run_string(), and (group "ops/mock") the phb.c wrappers
 * against the test-only mock PHB variant.
 */
#include "tcesim_test.h"
#include "fx_script.h"
#include "ops/phb_mock.h"

static void assert_syntax(const char *text, const char *msg)
{
	struct fx_run r;

	fx_script_run(text, &r);
	fx_script_assert_err(&r, 2, msg);
}

#define SETUP								\
	"mm qemu memlock=64M\n"						\
	"mmap qemu va=0x10000000 size=1M\n"				\
	"mmap qemu va=0x20000000 size=64K prot=read\n"			\
	"phb phb0 model=ioda2\n"					\
	"pe pe0 phb=phb0 dma32=2G\n"						\
	"dev d0 pe=pe0\n"

/* ------------------------------------------------------------ topology -- */

static void test_topology_success_and_errors(void **state)
{
	struct fx_run r;

	(void)state;
	fx_script_run("phb a model=ioda1\nphb b model=ioda2 kill=phb4 pgsizes=12,16\n"
		      "phb c model=p5ioc2 => ENODEV\n"		/* modern: removed in 2016 */
		      "phb d model=ioda1 pgsizes=16 => EINVAL\n"
		      "pe p0 phb=a\npe p1 phb=b dma32=1G\npe p2 phb=b dma32=3G => EINVAL\n"
		      "dev d0 pe=p0 dma_mask=32\n"
		      "driver_unbind d0 => EINVAL\ndriver_bind d0\ndriver_bind d0 => EBUSY\n"
		      "driver_unbind d0\n"
		      "check table p0:0 in_use=no levels=1\ncheck table p1:0 in_use=no\n", &r);
	fx_script_assert_pass(&r, 15, NULL);
}

static void test_syntax_errors_exit_2(void **state)
{
	(void)state;
	assert_syntax("phb a model=ioda3\n", "model=p5ioc2|ioda1|ioda2");
	assert_syntax("phb a model=ioda1 kill=phb4\n", "kill= is for model=ioda2");
	assert_syntax("phb a model=ioda2 kill=phb9\n", "kill=phb3|phb4");
	assert_syntax("phb a model=ioda2\nphb a model=ioda2\n", "phb a already exists");
	assert_syntax("pe p phb=nophb\n", "unknown phb nophb");
	assert_syntax("dev d pe=nope\n", "unknown pe nope");
	assert_syntax(SETUP "tce_get pe0 entry=1\n", "bad table name 'pe0'");
	assert_syntax(SETUP "tce_get nope:0 entry=1\n", "unknown pe nope");
	assert_syntax(SETUP "tce_get pe0:2 entry=1\n", "windows 0 and 1");
	assert_syntax(SETUP "tce_get pe0:x entry=1\n", "bad table name");
	assert_syntax(SETUP "check kills pe9:0 count=1\n", "unknown pe pe9");
	assert_syntax(SETUP "tce_xchg pe0:0 entry=1 hpa=0 dir=sideways\n", "bad direction");
	assert_syntax(SETUP "dma_map m pe=pe0 npages=1 dir=up\n", "bad direction");
	assert_syntax(SETUP "tce_xchg pe0:0 entry=1 dir=none\n", "missing hpa=");
	assert_syntax(SETUP "tce_xchg pe0:0 entry=1 hpa=0 mm=qemu va=0 dir=to_device\n",
		      "not both");
	assert_syntax(SETUP "tce_xchg pe0:0 entry=1 mm=qemu va=0x10000000 dir=none\n",
		      "clear with hpa=0");
	assert_syntax(SETUP "device_dma d0 read iova=0 len=8 pasid=1\n", "no PASIDs");
	assert_syntax(SETUP "device_dma d0 peek iova=0 len=8\n", "read or write");
	assert_syntax(SETUP "device_dma d0 read iova=0 len=0\n", "len=1..16M");
	assert_syntax(SETUP "pe pe1 phb=phb0\ndev d1 pe=pe1\n"
		      "dma_map m pe=pe0 npages=1 dir=to_device dev=d1\n", "not in PE pe0");
	assert_syntax(SETUP "dma_unmap nothing\n", "unknown dma nothing");
	assert_syntax(SETUP "check tce pe0:0 entry=0x80000000 value=0\n", "outside pe0:0");
	assert_syntax(SETUP "tce_kill pe0:0 entry=1 colour=red\n", "unknown argument colour=");
}

/* ------------------------------------------------------------ tce_xchg -- */

static void test_tce_xchg_returns_old_and_errors(void **state)
{
	struct fx_run r;

	(void)state;
	fx_script_run(SETUP
		      "tce_xchg pe0:0 entry=1 hpa=0x200000000 dir=to_device "
		      "=> ok old=0 olddir=none\n"
		      "tce_xchg pe0:0 entry=1 hpa=0x200001000 dir=from_device "
		      "=> ok old=0x200000000 olddir=to_device\n"
		      "tce_get pe0:0 entry=1 => ok tce=0x200001003\n"	/* W implies R */
		      "check tce pe0:0 entry=1 value=0x200001003\n"
		      "tce_xchg pe0:0 entry=0x80000 hpa=0 dir=none => EINVAL\n"	/* outside */
		      /* unaligned */
		      "tce_xchg pe0:0 entry=2 hpa=0x200000800 dir=to_device => EINVAL\n"
		      "tce_get pe0:0 entry=0x80000 => EINVAL\n"
		      "tce_kill pe0:0 entry=0x7ffff npages=2 => EINVAL\n"
		      "tce_xchg pe0:0 entry=2 mm=qemu va=0x30000000 dir=to_device => EFAULT\n"
		      "tce_xchg pe0:0 entry=2 mm=qemu va=0x20000000 dir=from_device => EFAULT\n"
		      "tce_xchg pe0:0 entry=2 mm=qemu va=0x20000000 dir=to_device\n"
		      "check page mm=qemu va=0x20000000 pins=1\n"
		      "tce_xchg pe0:0 entry=2 hpa=0 dir=none "
		      "=> ok old=0x100000000 olddir=to_device\n"
		      "check page mm=qemu va=0x20000000 pins=0 dirty=no\n"
		      "tce_xchg pe0:0 entry=1 hpa=0 dir=none\n", &r);
	fx_script_assert_pass(&r, 29, NULL);
}

static void test_tce_xchg_enomem_unpins(void **state)
{
	struct fx_run r;

	(void)state;
	/* entry 0x40000 is in a second-level block not allocated yet */
	fx_script_run(SETUP "inject fail_alloc=1\n"
		      "tce_xchg pe0:0 entry=0x40000 mm=qemu va=0x10000000 dir=bidirectional "
		      "=> ENOMEM\n"
		      "check page mm=qemu va=0x10000000 pins=0 dirty=no\n"
		      "check table pe0:0 levels=1\n"
		      "tce_xchg pe0:0 entry=0x40000 mm=qemu va=0x10000000 dir=bidirectional\n"
		      "check table pe0:0 levels=2\n"
		      "tce_xchg pe0:0 entry=0x40000 hpa=0 dir=none => ok old=0x100000000 "
		      "olddir=bidirectional\n"
		      "check page mm=qemu va=0x10000000 pins=0 dirty=yes\n", &r);
	fx_script_assert_pass(&r, -1, NULL);
}

static void test_tce_xchg_no_table_enoent(void **state)
{
	struct fx_run r;

	(void)state;
	fx_script_run(SETUP "take_ownership pe0\n"
		      "tce_xchg pe0:0 entry=1 hpa=0 dir=none => ENOENT\n"
		      "tce_get pe0:0 entry=1 => ENOENT\ntce_kill pe0:0 entry=1 => ENOENT\n"
		      "tce_get pe0:1 entry=1 => ENOENT\n"
		      "release_ownership pe0\ntce_get pe0:0 entry=1 => ok tce=0\n", &r);
	fx_script_assert_pass(&r, 14, NULL);
	/* A check on a table the PE does not have fails the expectation. */
	fx_script_run(SETUP "take_ownership pe0\ncheck table pe0:0 in_use=no\n"
		      "check kills pe0:0 count=0\ncheck tce pe0:0 entry=1 value=0\n"
		      "check table pe0:1\n",
		      &r);
	assert_int_equal(r.rc, 1);
	assert_int_equal(r.st.failed, 4);
	assert_non_null(strstr(r.out, "t.tsim:8: expected in_use=no, got no table pe0:0"));
	assert_non_null(strstr(r.out, "t.tsim:11: expected pe0:1, got no table pe0:1"));
}

static void test_tce_build_clear_pre2015(void **state)
{
	struct fx_run r;

	(void)state;
	fx_script_run(SETUP
		      "tce_build pe0:0 entry=5 mm=qemu va=0x10000000 dir=bidirectional\n"
		      "tce_build pe0:0 entry=5 mm=qemu va=0x10001000 dir=bidirectional => EBUSY\n"
		      "check page mm=qemu va=0x10001000 pins=0\n"
		      "tce_build pe0:0 entry=6 hpa=0 dir=none => EINVAL\n"
		      "tce_clear pe0:0 entry=5 => ok old=0x100000003\n"
		      "check page mm=qemu va=0x10000000 pins=0 dirty=yes\n"
		      "tce_clear pe0:0 entry=5 => ok old=0\n"
		      "tce_clear pe0:0 entry=0x80000 => EINVAL\n", &r);
	fx_script_assert_pass(&r, -1, NULL);
}

/* ------------------------------------------------------ kills and cache -- */

static void test_kills_and_stale_translation(void **state)
{
	struct fx_run r;

	(void)state;
	fx_script_run_explain(SETUP
			      "check kills pe0:0 count=1\n"			/* set_window */
			      "tce_xchg pe0:0 entry=1 mm=qemu va=0x10000000 dir=bidirectional\n"
			      "check kills pe0:0 count=1\n"			/* xchg_no_kill */
			      "tce_kill pe0:0 entry=1\n"
			      "device_dma d0 write iova=0x1000 len=16 fill=0x77\n"
			      "tce_xchg pe0:0 entry=1 mm=qemu va=0x10001000 dir=bidirectional\n"
			      "device_dma d0 read iova=0x1000 len=8 => ok data=0x77\n"
			      "tce_kill pe0:0 entry=1\n"
			      "device_dma d0 read iova=0x1000 len=8 => ok data=0\n"
			      "check kills pe0:0 count=3\n"
			      "tce_xchg pe0:0 entry=1 hpa=0 dir=none\ntce_kill pe0:0 entry=1\n"
			      "device_dma d0 read iova=0x1000 len=8 => EFAULT\n"
			      "device_dma d0 read iova=0x40000000000 len=8 => EFAULT\n"
			      "check page mm=qemu va=0x10000000 pins=0 dirty=yes\n"
			      "check page mm=qemu va=0x10001000 pins=0 dirty=yes\n", true, &r);
	fx_script_assert_pass(&r, -1, NULL);
	assert_non_null(strstr(r.out, "STALE: the PHB TCE cache still holds 0x100000003"));
	assert_non_null(strstr(r.out, "kills of pe0:0: 1 -> 2"));
	assert_non_null(strstr(r.out, "old page 0x100000000 marked dirty"));
	assert_non_null(strstr(r.out, "page 0x100000000 unpinned (pins now 0)"));
}

static void test_device_dma_permissions(void **state)
{
	struct fx_run r;

	(void)state;
	fx_script_run(SETUP
		      "tce_xchg pe0:0 entry=1 hpa=0x200000000 dir=to_device\n"
		      "tce_kill pe0:0 entry=1\n"
		      "device_dma d0 read iova=0x1000 len=8\n"
		      "device_dma d0 write iova=0x1000 len=8 => EACCES\n"
		      /* crosses into entry 2 */
		      "device_dma d0 read iova=0x1800 len=0x1000 => EFAULT\n"
		      "tce_xchg pe0:0 entry=1 hpa=0 dir=none\n", &r);
	fx_script_assert_pass(&r, -1, NULL);
}

/* ---------------------------------------------------- DMA API, ownership -- */

static void test_dma_map_and_ownership(void **state)
{
	struct fx_run r;

	(void)state;
	fx_script_run_explain("phb a model=ioda1\npe p phb=a\ndev d pe=p dma_mask=32\n"
			      "dma_map m pe=p npages=2 dir=bidirectional dev=d => ok dma=0x1000\n"
			      "dma_map z pe=p npages=0 dir=to_device => DMA_MAPPING_ERROR\n"
			      "check table p:0 in_use=yes\n"
			      "take_ownership p => EBUSY\n"
			      "dma_unmap m\ncheck table p:0 in_use=no\n"
			      "take_ownership p\ntake_ownership p\n"
			      "dma_map n pe=p npages=1 dir=to_device => DMA_MAPPING_ERROR\n"
			      "driver_bind d => EBUSY\n"
			      "release_ownership p\nrelease_ownership p\n"
			      "dma_map n pe=p npages=1 dir=to_device dev=d\n"
			      "driver_bind d\ntake_ownership p => EBUSY\n", true, &r);
	fx_script_assert_pass(&r, -1, NULL);
	assert_non_null(strstr(r.out, "it_map is not empty"));
	assert_non_null(strstr(r.out, "it_map: all bits set"));
	assert_non_null(strstr(r.out, "a kernel driver is bound"));
}

static void test_legacy_2015_exchange_path(void **state)
{
	struct fx_run r;

	(void)state;
	fx_script_run("set flavour=legacy_2015\nmm q\nmmap q va=0x10000000 size=64K\n"
		      "phb a model=ioda2\npe p phb=a\ndev d pe=p\n"
		      "tce_xchg p:0 entry=1 mm=q va=0x10000000 dir=from_device => ok olddir=none\n"
		      "check tce p:0 entry=1 value=0x100000002\n"
		      "check kills p:0 count=2\n"
		      "tce_xchg p:0 entry=1 hpa=0 dir=none "
		      "=> ok old=0x100000000 olddir=from_device\n"
		      "check page mm=q va=0x10000000 pins=0 dirty=yes\n"
		      "phb b model=p5ioc2\npe p5 phb=b\ntce_kill p5:0 entry=1\n"
		      "check kills p5:0 count=0\n", &r);
	fx_script_assert_pass(&r, -1, NULL);
}

/*
 * Balance: every path that pins (success, overwrite, refusal, failure,
 * end of file) leaves pins where they belong.
 */
static void test_pin_balance(void **state)
{
	struct fx_run r;

	(void)state;
	fx_script_run(SETUP
		      "tce_xchg pe0:0 entry=1 mm=qemu va=0x10000000 dir=bidirectional\n"
		      /* the same page */
		      "tce_xchg pe0:0 entry=1 mm=qemu va=0x10000000 dir=bidirectional\n"
		      "check page mm=qemu va=0x10000000 pins=1\n"
		      "tce_xchg pe0:0 entry=2 mm=qemu va=0x10000000 dir=to_device\n"
		      "check page mm=qemu va=0x10000000 pins=2\n"
		      "tce_xchg pe0:0 entry=1 hpa=0x300000000 dir=to_device\n" /* by hpa */
		      "check page mm=qemu va=0x10000000 pins=1\n"
		      "check page hpa=0x300000000 pins=0\n"
		      "tce_build pe0:0 entry=2 mm=qemu va=0x10001000 dir=to_device => EBUSY\n"
		      "check page mm=qemu va=0x10001000 pins=0\n"
		      "tce_clear pe0:0 entry=2\n"
		      "check page mm=qemu va=0x10000000 pins=0\n"
		      /* left mapped: released at the end of the file */
		      "tce_xchg pe0:0 entry=3 mm=qemu va=0x10002000 dir=bidirectional\n"
		      "dma_map m pe=pe0 npages=1 dir=to_device\n", &r);
	fx_script_assert_pass(&r, -1, NULL);
	/* the same twice in one run: a leaked pin would warn on the unbalanced world */
	fx_script_run(SETUP "tce_xchg pe0:0 entry=3 mm=qemu va=0x10002000 dir=bidirectional\n"
		      "mm_exit qemu\n", &r);
	fx_script_assert_pass(&r, -1, NULL);
}

static void test_explain_teaches(void **state)
{
	struct fx_run r;

	(void)state;
	fx_script_run_explain(SETUP "tce_xchg pe0:0 entry=2 mm=qemu va=0x10000000 dir=from_device\n"
			      "tce_xchg pe0:0 entry=2 hpa=0 dir=none\n"
			      "take_ownership pe0\nrelease_ownership pe0\n", true, &r);
	fx_script_assert_pass(&r, -1, NULL);
	assert_non_null(strstr(r.out, "TCE[0x2] 0x0 -> 0x100000003"));
	assert_non_null(strstr(r.out, "W|R"));
	assert_non_null(strstr(r.out, "pinned (pins now 1)"));
	assert_non_null(strstr(r.out, "no kill (xchg_no_kill)"));
	assert_non_null(strstr(r.out, "window 0 unset"));
	assert_non_null(strstr(r.out, "bypass window (TVE#1) off"));
	assert_non_null(strstr(r.out, "window 0 programmed"));
}


/* ------------------------------------------------------ DMA ownership --- */

static void test_dma_owner_pe_commands(void **state)
{
	struct fx_run r;

	(void)state;
	fx_script_run_explain(SETUP
			      "driver_bind d0\nclaim_dma_owner pe0 owner=a => EPERM owner_cnt=1\n"
			      "device_claim_dma_owner d0 owner=a => EPERM\ndriver_unbind d0\n"
			      "dma_map m pe=pe0 npages=1 dir=to_device\n"
			      "claim_dma_owner pe0 owner=a => EBUSY owner_cnt=0\ndma_unmap m\n"
			      "device_claim_dma_owner d0 owner=a => ok owner_cnt=1\n"
			      "device_claim_dma_owner d0 owner=a => ok owner_cnt=2\n"
			      "claim_dma_owner pe0 owner=a => EPERM\n"
			      "take_ownership pe0 => EPERM\nrelease_ownership pe0 => EPERM\n"
			      "dma_map n pe=pe0 npages=1 dir=to_device => DMA_MAPPING_ERROR\n"
			      "device_release_dma_owner d0 => ok owner_cnt=1\n"
			      "release_dma_owner pe0 => ok owner_cnt=0\n"
			      "release_dma_owner pe0 => ok owner_cnt=0\n"
			      "check table pe0:0 in_use=no\n"
			      "dma_map n pe=pe0 npages=1 dir=to_device\n", true, &r);
	fx_script_assert_pass(&r, -1, NULL);
	assert_non_null(strstr(r.out, "spapr_tce_blocked_domain"));
	assert_non_null(strstr(r.out, "spapr_tce_platform_domain"));
	assert_non_null(strstr(r.out, "a kernel driver uses the group"));
	assert_non_null(strstr(r.out, "it_map is not empty"));
	assert_non_null(strstr(r.out, "WARN: no user owner"));
}

/* TCEs an owner sets do not survive the release (borrowing ops clear). */
static void test_dma_owner_release_clears_owner_tces(void **state)
{
	struct fx_run r;

	(void)state;
	fx_script_run("phb a model=ioda1\npe p phb=a dma32=256M\ndev d pe=p\n"
		      "claim_dma_owner p owner=u\ncheck table p:0 in_use=yes\n"
		      "tce_xchg p:0 entry=7 hpa=0x1000000 dir=to_device\ntce_kill p:0 entry=7\n"
		      "device_dma d read iova=0x7000 len=4\n"
		      "release_dma_owner p\ncheck tce p:0 entry=7 value=0\n"
		      "device_dma d read iova=0x7000 len=4 => EFAULT\n"
		      "check table p:0 in_use=no\n", &r);
	fx_script_assert_pass(&r, -1, NULL);
}

/* One command name, two modules: a VT-d group/pdev still reaches cmd_sva. */
static void test_dma_owner_routing(void **state)
{
	struct fx_run r;

	(void)state;
	fx_script_run(SETUP "iommu vt model=vtd\npdev p0 iommu=vt\npdev p1 iommu=vt group=p0\n"
		      "claim_dma_owner p0 owner=a\nclaim_dma_owner p0 owner=a => EPERM\n"
		      "release_dma_owner p0\n"
		      "device_claim_dma_owner p1 owner=b\ndevice_claim_dma_owner p1 owner=b\n"
		      "device_release_dma_owner p1\ndevice_release_dma_owner p1\n"
		      /* the same owner name claims a PE independently */
		      "claim_dma_owner pe0 owner=a\nclaim_dma_owner p0 owner=a\n"
		      "release_dma_owner pe0\nrelease_dma_owner p0\n", &r);
	fx_script_assert_pass(&r, -1, NULL);
	assert_syntax(SETUP "claim_dma_owner nothing owner=a\n", "unknown group nothing");
	assert_syntax(SETUP "device_claim_dma_owner nothing owner=a\n", "unknown pdev nothing");
	assert_syntax(SETUP "claim_dma_owner pe0\n", "claim_dma_owner: missing owner=");
	assert_syntax(SETUP "device_claim_dma_owner d0\n", "device_claim_dma_owner: missing owner=");
	assert_syntax(SETUP "claim_dma_owner pe0 owner=a colour=red\n", "unknown argument colour=");
}

/* A container's PE counts as VFIO core's claim, and a claimed PE refuses VFIO. */
static void test_dma_owner_vfio_container(void **state)
{
	struct fx_run r;

	(void)state;
	fx_script_run(SETUP "vfio_open c type=spapr mm=qemu\nvfio_attach c group=pe0\n"
		      "claim_dma_owner pe0 owner=x => EPERM\n"
		      "device_claim_dma_owner d0 owner=x => EPERM\n"
		      "driver_bind d0 => EBUSY\nvfio_detach c group=pe0\n"
		      "claim_dma_owner pe0 owner=x\nvfio_attach c group=pe0 => EPERM\n"
		      "release_dma_owner pe0\nvfio_attach c group=pe0\nvfio_close c\n", &r);
	fx_script_assert_pass(&r, -1, NULL);
}

/* ----------------------------------------------------- mock PHB variant -- */

struct mt {
	struct test_world *tw;
	struct phb_mock m;
	struct tcesim_phb *phb;
	struct tcesim_pe *pe;
	struct tcesim_iommu_table *t0;
};

static int mock_setup_flavour(void **state, enum tcesim_flavour f)
{
	struct tcesim_phb_cfg pcfg;
	struct mt *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	t->tw = test_world_new_of(f, TCESIM_QUIRKS_SAFE, 0);
	phb_mock_install(&t->m);
	tcesim_phb_cfg_init(&pcfg, TCESIM_PHB_MOCK);
	assert_errno(tcesim_phb_create(t->tw->w, &pcfg, &t->phb), 0);
	assert_errno(tcesim_pe_create(t->phb, NULL, &t->pe), 0);
	assert_errno(tcesim_pe_get_table(t->pe, 0, &t->t0), 0);
	memset(&t->m, 0, sizeof(t->m));
	*state = t;
	return 0;
}

static int mock_setup(void **state)
{
	return mock_setup_flavour(state, TCESIM_FLAVOUR_MODERN);
}

static int mock_setup_2015(void **state)
{
	return mock_setup_flavour(state, TCESIM_FLAVOUR_LEGACY_2015);
}

static int mock_teardown(void **state)
{
	struct mt *t = *state;

	tcesim_iommu_tce_table_put(t->t0);
	tcesim_phb_destroy(t->phb);
	phb_mock_install(NULL);
	test_world_free(t->tw);
	free(t);
	return 0;
}

/* Arms @op with @err, runs @call, checks it returned @err and called once. */
#define EXPECT_OP_ERR(t, op, err, call)						\
	do {									\
		unsigned long before_ = (t)->m.calls[op];			\
		(t)->m.fail[op] = (err);					\
		assert_errno((call), (err));					\
		assert_int_equal((t)->m.calls[op], before_ + 1);		\
		assert_int_equal((t)->m.fail[op], 0);				\
	} while (0)

static void test_mock_wrappers_return_each_op_error(void **state)
{
	static const int errs[] = { -ENOMEM, -EIO, -EBUSY, -EPERM, 1 };
	struct mt *t = *state;
	struct tcesim_iommu_table *tbl = NULL;
	enum tcesim_dma_data_direction dir;
	uint64_t hpa, tce;
	unsigned int i;

	for (i = 0; i < TCESIM_ARRAY_SIZE(errs); i++) {
		int e = errs[i];

		EXPECT_OP_ERR(t, PHB_MOCK_SET, e, tcesim_iommu_tce_set(t->t0, 3, 2, 0x200000000ULL,
									TCESIM_DMA_TO_DEVICE));
		hpa = 0x200000000ULL;
		dir = TCESIM_DMA_TO_DEVICE;
		EXPECT_OP_ERR(t, PHB_MOCK_XCHG_NO_KILL, e,
			      tcesim_iommu_tce_xchg_no_kill(NULL, t->t0, 4, &hpa, &dir));
		/* a failed exchange is not followed by a kill */
		assert_int_equal(t->m.calls[PHB_MOCK_TCE_KILL], 0);
		EXPECT_OP_ERR(t, PHB_MOCK_XCHG_NO_KILL, e,
			      tcesim_iommu_tce_xchg(t->t0, 4, &hpa, &dir));
		assert_int_equal(t->m.calls[PHB_MOCK_TCE_KILL], 0);
		EXPECT_OP_ERR(t, PHB_MOCK_CREATE_TABLE, e,
			      tcesim_pe_create_table(t->pe, 0, 12, 2ULL << 30, 1, false, &tbl));
		EXPECT_OP_ERR(t, PHB_MOCK_SET_WINDOW, e, tcesim_pe_set_window(t->pe, 0, t->t0));
		EXPECT_OP_ERR(t, PHB_MOCK_UNSET_WINDOW, e, tcesim_pe_unset_window(t->pe, 0));
		EXPECT_OP_ERR(t, PHB_MOCK_TAKE_OWNERSHIP, e, tcesim_pe_take_ownership(t->pe));
		assert_errno(tcesim_pe_take_ownership(t->pe), 0);
		EXPECT_OP_ERR(t, PHB_MOCK_RELEASE_OWNERSHIP, e,
			      tcesim_pe_release_ownership(t->pe));
		assert_errno(tcesim_pe_release_ownership(t->pe), 0);
	}
	/* nothing was written by the failed calls */
	assert_errno(tcesim_iommu_tce_get(t->t0, 3, &tce), 0);
	assert_true(tce == 0);
	assert_errno(tcesim_iommu_tce_get(t->t0, 4, &tce), 0);
	assert_true(tce == 0);
	assert_null(tbl);
}

static void test_mock_wrappers_validate_before_calling(void **state)
{
	struct mt *t = *state;
	enum tcesim_dma_data_direction dir = TCESIM_DMA_TO_DEVICE;
	uint64_t hpa = 0x200000800ULL, tce, size;
	struct phb_mock before;
	struct tcesim_iommu_table_info ti;

	assert_errno(tcesim_iommu_table_get_info(t->t0, &ti), 0);
	size = ti.it_offset + ti.it_size;
	before = t->m;
	assert_errno(tcesim_iommu_tce_xchg_no_kill(NULL, t->t0, 1, &hpa, &dir), -EINVAL);
	hpa = 0;
	assert_errno(tcesim_iommu_tce_xchg_no_kill(NULL, t->t0, size, &hpa, &dir), -EINVAL);
	assert_errno(tcesim_iommu_tce_set(t->t0, size - 1, 2, 0, TCESIM_DMA_TO_DEVICE), -EINVAL);
	assert_errno(tcesim_iommu_tce_set(t->t0, 1, 1, 0, TCESIM_DMA_NONE), -EINVAL);
	assert_errno(tcesim_iommu_tce_kill(t->t0, size, 1), -EINVAL);
	assert_errno(tcesim_iommu_tce_clear(t->t0, size, 1), -EINVAL);
	assert_errno(tcesim_iommu_tce_get(t->t0, size, &tce), -EINVAL);
	assert_errno(tcesim_pe_set_window(t->pe, 2, t->t0), -EINVAL);
	assert_memory_equal(&before, &t->m, sizeof(before));
}

static void test_mock_xchg_then_one_kill(void **state)
{
	struct mt *t = *state;
	enum tcesim_dma_data_direction dir = TCESIM_DMA_BIDIRECTIONAL;
	uint64_t hpa = 0x200000000ULL;

	assert_errno(tcesim_iommu_tce_xchg(t->t0, 7, &hpa, &dir), 0);
	assert_int_equal(t->m.calls[PHB_MOCK_XCHG_NO_KILL], 1);
	assert_int_equal(t->m.calls[PHB_MOCK_TCE_KILL], 1);
	assert_int_equal(t->m.last_index, 7);
	assert_int_equal(t->m.last_npages, 1);
	assert_int_equal(t->m.calls[PHB_MOCK_KILL_PAGES], 1);
	assert_errno(tcesim_iommu_tce_clear(t->t0, 7, 1), 0);
	assert_int_equal(t->m.calls[PHB_MOCK_CLEAR], 1);
	assert_int_equal(t->m.calls[PHB_MOCK_KILL_PAGES], 2);
}

static void test_mock_pre2015_no_exchange_einval(void **state)
{
	struct mt *t = *state;
	enum tcesim_dma_data_direction dir = TCESIM_DMA_BIDIRECTIONAL;
	uint64_t hpa = 0x200000000ULL;

	/* seed 000: without exchange() the table cannot be handed to VFIO */
	assert_errno(tcesim_pe_take_ownership(t->pe), -EINVAL);
	assert_int_equal(t->m.calls[PHB_MOCK_TAKE_OWNERSHIP], 1);
	assert_errno(tcesim_iommu_tce_xchg(t->t0, 1, &hpa, &dir), -EINVAL);
	assert_errno(tcesim_iommu_tce_xchg_no_kill(NULL, t->t0, 1, &hpa, &dir), -EINVAL);
	assert_int_equal(t->m.calls[PHB_MOCK_XCHG_NO_KILL], 0);
	/* the pool-lock path still works on such a platform */
	assert_errno(tcesim_iommu_tce_build(t->t0, 1, hpa, dir), 0);
	assert_int_equal(t->m.calls[PHB_MOCK_SET], 1);
	assert_errno(tcesim_iommu_tce_build(t->t0, 1, hpa, dir), -EBUSY);
	assert_errno(tcesim_iommu_clear_tce(t->t0, 1, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_topology_success_and_errors),
		cmocka_unit_test(test_syntax_errors_exit_2),
		cmocka_unit_test(test_tce_xchg_returns_old_and_errors),
		cmocka_unit_test(test_tce_xchg_enomem_unpins),
		cmocka_unit_test(test_tce_xchg_no_table_enoent),
		cmocka_unit_test(test_tce_build_clear_pre2015),
		cmocka_unit_test(test_kills_and_stale_translation),
		cmocka_unit_test(test_device_dma_permissions),
		cmocka_unit_test(test_dma_map_and_ownership),
		cmocka_unit_test(test_legacy_2015_exchange_path),
		cmocka_unit_test(test_pin_balance),
		cmocka_unit_test(test_explain_teaches),
		cmocka_unit_test(test_dma_owner_pe_commands),
		cmocka_unit_test(test_dma_owner_release_clears_owner_tces),
		cmocka_unit_test(test_dma_owner_routing),
		cmocka_unit_test(test_dma_owner_vfio_container),
	};
	const struct CMUnitTest mock_tests[] = {
		cmocka_unit_test_setup_teardown(test_mock_wrappers_return_each_op_error,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_mock_wrappers_validate_before_calling,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_mock_xchg_then_one_kill, mock_setup,
						mock_teardown),
		cmocka_unit_test_setup_teardown(test_mock_pre2015_no_exchange_einval,
						mock_setup_2015, mock_teardown),
	};
	int fails;

	test_seed();
	fails = cmocka_run_group_tests_name("script/ops", tests, NULL, NULL);
	fails += cmocka_run_group_tests_name("ops/mock", mock_tests, NULL, NULL);
	return fails;
}
