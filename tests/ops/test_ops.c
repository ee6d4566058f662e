// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_ops.c - PHB variants: the same cases run once per variant (one CMocka
 * group each, the variant in the group state); a case a variant cannot run
 * calls skip().
 */
#include "tcesim_test.h"
#include "ops/phb_internal.h"

#define HPA(i) (0x20000000ULL + (uint64_t)(i) * 0x10000ULL)

struct variant {
	const char *name;
	enum tcesim_phb_model model;
	enum tcesim_phb_kill kill;
	enum tcesim_flavour flavour;
	unsigned int host_page_shift;
};

#define MODERN		TCESIM_FLAVOUR_MODERN
#define LEGACY		TCESIM_FLAVOUR_LEGACY_2015
#define PHB3		TCESIM_PHB_KILL_PHB3
#define PHB4		TCESIM_PHB_KILL_PHB4

static const struct variant variants[] = {
	{ "ops/p5ioc2_2015", TCESIM_PHB_P5IOC2, PHB3, LEGACY, 12 },
	{ "ops/ioda1", TCESIM_PHB_IODA1, PHB3, MODERN, 12 },
	{ "ops/ioda1_2015", TCESIM_PHB_IODA1, PHB3, LEGACY, 12 },
	{ "ops/ioda2_phb3", TCESIM_PHB_IODA2, PHB3, MODERN, 12 },
	{ "ops/ioda2_phb3_64k", TCESIM_PHB_IODA2, PHB3, MODERN, 16 },
	{ "ops/ioda2_phb4", TCESIM_PHB_IODA2, PHB4, MODERN, 12 },
	{ "ops/ioda2_2015", TCESIM_PHB_IODA2, PHB3, LEGACY, 12 },
};

struct ot {
	const struct variant *v;
	struct test_world *tw;
	struct tcesim_phb *phb;
	struct tcesim_pe *pe;
	struct tcesim_pci_dev *dev;
	struct tcesim_iommu_table *t0;	/* reference on window 0 */
	unsigned int ps;		/* window 0 IOMMU page shift */
	bool legacy, cached, ddw;
};

static int setup(void **state)
{
	const struct variant *v = *state;
	struct tcesim_world_cfg cfg;
	struct tcesim_phb_cfg pcfg;
	struct tcesim_iommu_table_info i;
	struct ot *o = calloc(1, sizeof(*o));

	o->v = v;
	tcesim_world_cfg_init(&cfg);
	cfg.flavour = v->flavour;
	cfg.host_page_shift = v->host_page_shift;
	o->tw = test_world_new(&cfg);
	(void)tcesim_mem_digest(o->tw->w);
	tcesim_phb_cfg_init(&pcfg, v->model);
	pcfg.kill = v->kill;
	assert_errno(tcesim_phb_create(o->tw->w, &pcfg, &o->phb), 0);
	assert_errno(tcesim_pe_create(o->phb, NULL, &o->pe), 0);
	assert_errno(tcesim_pci_dev_create(o->pe, "d0", 64, &o->dev), 0);
	assert_errno(tcesim_pe_get_table(o->pe, 0, &o->t0), 0);
	assert_errno(tcesim_iommu_table_get_info(o->t0, &i), 0);
	o->ps = i.it_page_shift;
	o->legacy = v->flavour == TCESIM_FLAVOUR_LEGACY_2015;
	o->cached = v->model != TCESIM_PHB_P5IOC2;
	o->ddw = v->model == TCESIM_PHB_IODA2 && !o->legacy;
	*state = o;
	return 0;
}

static int teardown(void **state)
{
	struct ot *o = *state;

	tcesim_iommu_tce_table_put(o->t0);
	tcesim_phb_destroy(o->phb);
	tcesim_rcu_barrier();
	/* the ops state and memory state stay until the world goes */
	test_world_free(o->tw);
	*state = (void *)o->v;
	free(o);
	return 0;
}

static uint64_t state_digest(struct ot *o, struct tcesim_iommu_table *tbl)
{
	return tcesim_iommu_table_digest(tbl) ^ tcesim_mem_digest(o->tw->w);
}

static struct tcesim_iommu_table_info info_of(struct tcesim_iommu_table *tbl)
{
	struct tcesim_iommu_table_info i;

	assert_errno(tcesim_iommu_table_get_info(tbl, &i), 0);
	return i;
}

/* The era's exchange: xchg_no_kill (modern) or the self-invalidating exchange. */
static int xchg(struct ot *o, struct tcesim_iommu_table *tbl, uint64_t entry, uint64_t *hpa,
		enum tcesim_dma_data_direction *dir)
{
	if (o->legacy)
		return tcesim_iommu_tce_xchg(tbl, entry, hpa, dir);
	return tcesim_iommu_tce_xchg_no_kill(NULL, tbl, entry, hpa, dir);
}

static void map(struct ot *o, uint64_t entry, uint64_t hpa, enum tcesim_dma_data_direction dir)
{
	assert_errno(xchg(o, o->t0, entry, &hpa, &dir), 0);
	if (!o->legacy)
		assert_errno(tcesim_iommu_tce_kill(o->t0, entry, 1), 0);
}

static void unmap(struct ot *o, uint64_t entry)
{
	map(o, entry, 0, TCESIM_DMA_NONE);
}

static bool dirty(struct ot *o, uint64_t hpa)
{
	struct tcesim_page_info pi;

	assert_errno(tcesim_page_query(o->tw->w, hpa, &pi), 0);
	return pi.dirty;
}

/* ---------------------------------------------------------- common --- */

static void test_phb_create_bad_cfg_einval(void **state)
{
	struct test_world *tw = test_world_new(NULL);
	struct tcesim_phb_cfg cfg;
	struct tcesim_phb *phb = NULL;
	enum tcesim_phb_model m;

	(void)state;
	tcesim_phb_cfg_init(&cfg, TCESIM_PHB_IODA2);
	cfg.pgsizes = 1ULL << 13;
	assert_errno(tcesim_phb_create(tw->w, &cfg, &phb), -EINVAL);
	tcesim_phb_cfg_init(&cfg, TCESIM_PHB_IODA1);
	cfg.pgsizes = TCESIM_PGSIZE_64K;
	assert_errno(tcesim_phb_create(tw->w, &cfg, &phb), -EINVAL);
	tcesim_phb_cfg_init(&cfg, (enum tcesim_phb_model)7);
	assert_errno(tcesim_phb_create(tw->w, &cfg, &phb), -EINVAL);
	tcesim_phb_cfg_init(&cfg, TCESIM_PHB_IODA2);
	cfg.size = 4;
	assert_errno(tcesim_phb_create(tw->w, &cfg, &phb), -EINVAL);
	/* P5IOC2 left Linux in 2016 */
	tcesim_phb_cfg_init(&cfg, TCESIM_PHB_P5IOC2);
	assert_errno(tcesim_phb_create(tw->w, &cfg, &phb), -ENODEV);
	assert_null(phb);
	assert_errno(tcesim_phb_model_from_name("ioda2", &m), 0);
	assert_int_equal(m, TCESIM_PHB_IODA2);
	assert_errno(tcesim_phb_model_from_name("ioda3", &m), -EINVAL);
	test_world_free(tw);
}

static void test_pe_create_bad_cfg_einval(void **state)
{
	struct test_world *tw = test_world_new(NULL);
	struct tcesim_phb_cfg cfg;
	struct tcesim_pe_cfg pcfg;
	struct tcesim_phb *phb;
	struct tcesim_pe *pe = NULL;
	long start;

	(void)state;
	tcesim_phb_cfg_init(&cfg, TCESIM_PHB_IODA2);
	assert_errno(tcesim_phb_create(tw->w, &cfg, &phb), 0);
	start = tcesim_world_live_allocs(tw->w);
	tcesim_pe_cfg_init(&pcfg);
	pcfg.dma32_size = 3ULL << 30;
	assert_errno(tcesim_pe_create(phb, &pcfg, &pe), -EINVAL);
	tcesim_pe_cfg_init(&pcfg);
	pcfg.window_size = 4096;
	assert_errno(tcesim_pe_create(phb, &pcfg, &pe), -EINVAL);
	assert_null(pe);
	assert_int_equal(tcesim_world_live_allocs(tw->w), start);
	tcesim_phb_destroy(phb);
	test_world_free(tw);
}

static void test_pe_create_fail_nth_no_leak(void **state)
{
	struct test_world *tw = test_world_new(NULL);
	struct tcesim_phb_cfg cfg;
	struct tcesim_phb *phb;
	struct tcesim_pe *pe = NULL;
	unsigned long n;
	long start;
	int ret = -ENOMEM;

	(void)state;
	tcesim_phb_cfg_init(&cfg, TCESIM_PHB_IODA2);
	assert_errno(tcesim_phb_create(tw->w, &cfg, &phb), 0);
	tcesim_rcu_barrier();
	start = tcesim_world_live_allocs(tw->w);
	for (n = 1; ret; n++) {
		tcesim_world_inject_fail_alloc(tw->w, n);
		ret = tcesim_pe_create(phb, NULL, &pe);
		tcesim_world_inject_fail_alloc(tw->w, 0);
		if (ret) {
			assert_errno(ret, -ENOMEM);
			tcesim_rcu_barrier();
			assert_int_equal(tcesim_world_live_allocs(tw->w), start);
		}
	}
	assert_true(n > 4); /* pe, table, top level, bitmap, link */
	tcesim_phb_destroy(phb);
	test_world_free(tw);
}

/* -------------------------------------------------------- per variant -- */

static void test_pe_create_default_window(void **state)
{
	struct ot *o = *state;
	struct tcesim_iommu_table_info i = info_of(o->t0);
	struct tcesim_pe_info pi;

	assert_int_equal(i.it_offset, 0);
	assert_int_equal(o->ps, o->v->model == TCESIM_PHB_IODA2 ? o->v->host_page_shift : 12);
	assert_int_equal(i.it_size, (2ULL << 30) >> o->ps);
	assert_int_equal(i.levels, o->ddw ? 2 : 1);
	assert_int_equal(i.levels_allocated, 1);
	assert_true(i.has_it_map);
	assert_int_equal(i.nr_pools, 4);
	assert_int_equal(i.it_index, 0); /* phb 0, pe 0 */
	/* the init-time clear reaches no PE; set_window's PE kill does */
	assert_int_equal(i.kills, o->v->model == TCESIM_PHB_IODA2 ? 1 : 0);
	assert_int_equal(tcesim_iommu_table_in_use(o->t0), 0);
	assert_errno(tcesim_pe_get_info(o->pe, &pi), 0);
	assert_int_equal(pi.tce32_size, 2ULL << 30);
	assert_int_equal(pi.windows, 1);
	assert_int_equal(pi.max_dynamic_windows_supported, o->ddw ? 2 : 0);
	assert_int_equal(pi.bypass_enabled, o->v->model == TCESIM_PHB_IODA2);
}

static void test_tce_xchg_no_kill_returns_old_dirties(void **state)
{
	struct ot *o = *state;
	enum tcesim_dma_data_direction dir = TCESIM_DMA_BIDIRECTIONAL;
	uint64_t hpa = HPA(1), tce;

	assert_errno(xchg(o, o->t0, 7, &hpa, &dir), 0);
	assert_int_equal(hpa, 0);
	assert_int_equal(dir, TCESIM_DMA_NONE);
	assert_errno(tcesim_iommu_tce_get(o->t0, 7, &tce), 0);
	assert_int_equal(tce, HPA(1) | 3);
	/* overwrite a live TCE: no -EBUSY since seed 000, old page back + dirty */
	hpa = HPA(2);
	dir = TCESIM_DMA_TO_DEVICE;
	assert_false(dirty(o, HPA(1)));
	assert_errno(xchg(o, o->t0, 7, &hpa, &dir), 0);
	assert_int_equal(hpa, HPA(1));
	assert_int_equal(dir, TCESIM_DMA_BIDIRECTIONAL);
	assert_true(dirty(o, HPA(1)));
	/* a TO_DEVICE page is not dirtied on release */
	hpa = 0;
	dir = TCESIM_DMA_NONE;
	assert_errno(xchg(o, o->t0, 7, &hpa, &dir), 0);
	assert_int_equal(hpa, HPA(2));
	assert_int_equal(dir, TCESIM_DMA_TO_DEVICE);
	assert_false(dirty(o, HPA(2)));
}

static void test_tce_xchg_from_device_reads_back(void **state)
{
	struct ot *o = *state;
	enum tcesim_dma_data_direction dir = TCESIM_DMA_FROM_DEVICE;
	uint64_t hpa = HPA(3);

	assert_errno(xchg(o, o->t0, 9, &hpa, &dir), 0);
	hpa = 0;
	dir = TCESIM_DMA_NONE;
	assert_errno(xchg(o, o->t0, 9, &hpa, &dir), 0);
	/* Q7: powernv stores W as W|R (not in the 2015 code) */
	assert_int_equal(dir, o->legacy ? TCESIM_DMA_FROM_DEVICE : TCESIM_DMA_BIDIRECTIONAL);
	assert_true(dirty(o, HPA(3)));
}

static void test_tce_xchg_no_kill_bad_args_einval(void **state)
{
	struct ot *o = *state;
	enum tcesim_dma_data_direction dir = TCESIM_DMA_BIDIRECTIONAL;
	uint64_t hpa, d = state_digest(o, o->t0), size = info_of(o->t0).it_size;

	hpa = HPA(1);
	assert_errno(xchg(o, o->t0, size, &hpa, &dir), -EINVAL);
	hpa = HPA(1) + 0x800;
	assert_errno(xchg(o, o->t0, 1, &hpa, &dir), -EINVAL);
	hpa = HPA(1);
	dir = (enum tcesim_dma_data_direction)4;
	assert_errno(xchg(o, o->t0, 1, &hpa, &dir), -EINVAL);
	assert_errno(xchg(o, NULL, 1, &hpa, &dir), -EINVAL);
	assert_errno(tcesim_iommu_tce_kill(o->t0, size - 1, 2), -EINVAL);
	assert_errno(tcesim_iommu_tce_get(o->t0, size, &hpa), -EINVAL);
	assert_int_equal(state_digest(o, o->t0), d);
}

static void test_tce_xchg_no_kill_legacy_einval(void **state)
{
	struct ot *o = *state;
	enum tcesim_dma_data_direction dir = TCESIM_DMA_BIDIRECTIONAL;
	uint64_t hpa = HPA(1), d = state_digest(o, o->t0);

	if (!o->legacy)
		skip(); /* modern tables all have xchg_no_kill */
	assert_errno(tcesim_iommu_tce_xchg_no_kill(NULL, o->t0, 1, &hpa, &dir), -EINVAL);
	assert_int_equal(state_digest(o, o->t0), d);
}

static void test_tce_xchg_level_alloc_fail_enomem(void **state)
{
	struct ot *o = *state;
	enum tcesim_dma_data_direction dir = TCESIM_DMA_BIDIRECTIONAL;
	uint64_t hpa = HPA(1), d = state_digest(o, o->t0);
	long start = tcesim_world_live_allocs(o->tw->w);

	if (info_of(o->t0).levels < 2)
		skip(); /* single-level tables never allocate on xchg */
	tcesim_world_inject_fail_alloc(o->tw->w, 1);
	assert_errno(xchg(o, o->t0, 1000, &hpa, &dir), -ENOMEM);
	tcesim_world_inject_fail_alloc(o->tw->w, 0);
	assert_int_equal(state_digest(o, o->t0), d);
	assert_int_equal(tcesim_world_live_allocs(o->tw->w), start);
	assert_errno(xchg(o, o->t0, 1000, &hpa, &dir), 0);
	assert_int_equal(info_of(o->t0).levels_allocated, 2);
}

static void test_device_dma_stale_until_kill(void **state)
{
	struct ot *o = *state;
	enum tcesim_dma_data_direction dir = TCESIM_DMA_BIDIRECTIONAL;
	uint64_t iova = 5ULL << o->ps, hpa;
	char buf[8];

	map(o, 5, HPA(1), TCESIM_DMA_BIDIRECTIONAL);
	assert_errno(tcesim_pci_dev_dma_write(o->dev, iova, "AAAA", 4), 0); /* caches it */
	hpa = HPA(2);
	if (o->legacy) {
		/* the 2015 exchange invalidates by itself: never stale */
		assert_errno(tcesim_iommu_tce_xchg(o->t0, 5, &hpa, &dir), 0);
		assert_errno(tcesim_pci_dev_dma_write(o->dev, iova, "BBBB", 4), 0);
		assert_errno(tcesim_mem_read(o->tw->w, HPA(2), buf, 4), 0);
		assert_memory_equal(buf, "BBBB", 4);
		return;
	}
	assert_errno(tcesim_iommu_tce_xchg_no_kill(NULL, o->t0, 5, &hpa, &dir), 0);
	assert_errno(tcesim_pci_dev_dma_write(o->dev, iova, "BBBB", 4), 0);
	if (o->cached) {
		/* no kill yet: the device still writes the old page */
		assert_errno(tcesim_mem_read(o->tw->w, HPA(1), buf, 4), 0);
		assert_memory_equal(buf, "BBBB", 4);
		assert_errno(tcesim_mem_read(o->tw->w, HPA(2), buf, 4), 0);
		assert_memory_not_equal(buf, "BBBB", 4);
		assert_errno(tcesim_iommu_tce_kill(o->t0, 5, 1), 0);
		assert_errno(tcesim_pci_dev_dma_write(o->dev, iova, "CCCC", 4), 0);
		assert_errno(tcesim_mem_read(o->tw->w, HPA(2), buf, 4), 0);
		assert_memory_equal(buf, "CCCC", 4);
	} else {
		assert_errno(tcesim_mem_read(o->tw->w, HPA(2), buf, 4), 0);
		assert_memory_equal(buf, "BBBB", 4);
	}
}

static void test_tce_kill_counts(void **state)
{
	struct ot *o = *state;
	uint64_t k0 = info_of(o->t0).kills;
	struct tcesim_phb_stats s0, s1;

	if (!o->cached)
		skip(); /* P5IOC2 never invalidates */
	assert_errno(tcesim_phb_get_stats(o->phb, &s0), 0);
	if (!o->legacy) {
		assert_errno(tcesim_iommu_tce_kill(o->t0, 8, 4), 0);
		assert_int_equal(info_of(o->t0).kills, k0 + 1);
		k0++;
	}
	/* set and clear invalidate inside the op: one kill each */
	assert_errno(tcesim_iommu_tce_set(o->t0, 8, 4, HPA(4), TCESIM_DMA_TO_DEVICE), 0);
	assert_errno(tcesim_iommu_tce_clear(o->t0, 8, 4), 0);
	assert_int_equal(info_of(o->t0).kills, k0 + 2);
	assert_errno(tcesim_phb_get_stats(o->phb, &s1), 0);
	if (o->v->model == TCESIM_PHB_IODA1) /* 4 TCEs from entry 8: 2 writes each op */
		assert_int_equal(s1.kill_reg_writes - s0.kill_reg_writes, o->legacy ? 4 : 6);
	else if (o->v->kill == TCESIM_PHB_KILL_PHB3) /* one ONE write per page */
		assert_int_equal(s1.kill_reg_writes - s0.kill_reg_writes, o->legacy ? 8 : 12);
	else
		assert_int_equal(s1.opal_kills - s0.opal_kills, 3);
}

static void test_device_dma_no_translation_efault(void **state)
{
	struct ot *o = *state;
	uint64_t size = info_of(o->t0).it_size;
	char buf[4];

	assert_errno(tcesim_pci_dev_dma_read(o->dev, 0, buf, 4), -EFAULT); /* entry 0 */
	assert_errno(tcesim_pci_dev_dma_read(o->dev, 3ULL << o->ps, buf, 4), -EFAULT);
	assert_errno(tcesim_pci_dev_dma_read(o->dev, size << o->ps, buf, 4), -EFAULT);
	map(o, 3, HPA(1), TCESIM_DMA_BIDIRECTIONAL);
	assert_errno(tcesim_pci_dev_dma_read(o->dev, 3ULL << o->ps, buf, 4), 0);
	/* the second page has no translation: nothing is written at all */
	assert_errno(tcesim_pci_dev_dma_write(o->dev, (4ULL << o->ps) - 2, "XYZW", 4), -EFAULT);
	assert_errno(tcesim_mem_read(o->tw->w, HPA(1) + (1ULL << o->ps) - 2, buf, 2), 0);
	assert_memory_not_equal(buf, "XY", 2);
	unmap(o, 3);
	assert_errno(tcesim_pci_dev_dma_read(o->dev, 3ULL << o->ps, buf, 4), -EFAULT);
	assert_errno(tcesim_pci_dev_dma_read(NULL, 0, buf, 4), -EINVAL);
}

static void test_device_dma_permission_eacces(void **state)
{
	struct ot *o = *state;
	uint64_t iova = 6ULL << o->ps;
	char buf[4];

	map(o, 6, HPA(1), TCESIM_DMA_TO_DEVICE);
	assert_errno(tcesim_pci_dev_dma_read(o->dev, iova, buf, 4), 0);
	assert_errno(tcesim_pci_dev_dma_write(o->dev, iova, "zz", 2), -EACCES);
	map(o, 6, HPA(1), TCESIM_DMA_FROM_DEVICE);
	assert_errno(tcesim_pci_dev_dma_write(o->dev, iova, "zz", 2), 0);
	/* W implies R on powernv (Q7), not in the 2015 code */
	assert_errno(tcesim_pci_dev_dma_read(o->dev, iova, buf, 4), o->legacy ? -EACCES : 0);
}

static void test_device_dma_spans_pages(void **state)
{
	struct ot *o = *state;
	uint64_t psz = 1ULL << o->ps, iova = (10ULL << o->ps) + psz - 3;
	char in[6] = "123456", out[6];

	map(o, 10, HPA(8), TCESIM_DMA_BIDIRECTIONAL);
	map(o, 11, HPA(3), TCESIM_DMA_BIDIRECTIONAL); /* not contiguous in host memory */
	assert_errno(tcesim_pci_dev_dma_write(o->dev, iova, in, 6), 0);
	assert_errno(tcesim_mem_read(o->tw->w, HPA(8) + psz - 3, out, 3), 0);
	assert_memory_equal(out, "123", 3);
	assert_errno(tcesim_mem_read(o->tw->w, HPA(3), out, 3), 0);
	assert_memory_equal(out, "456", 3);
	memset(out, 0, sizeof(out));
	assert_errno(tcesim_pci_dev_dma_read(o->dev, iova, out, 6), 0);
	assert_memory_equal(out, in, 6);
}

static void test_pe_dma_map_unmap(void **state)
{
	struct ot *o = *state;
	struct tcesim_pci_dev *d32;
	uint64_t dma, tce, e;

	assert_errno(tcesim_pci_dev_create(o->pe, "d32", 32, &d32), 0);
	assert_errno(tcesim_pci_dev_driver_bind(d32), 0);
	assert_errno(tcesim_pci_dev_driver_bind(d32), -EBUSY);
	dma = tcesim_pe_dma_map(o->pe, d32, HPA(5), 2, TCESIM_DMA_FROM_DEVICE);
	assert_int_not_equal(dma, TCESIM_DMA_MAPPING_ERROR);
	assert_true(dma + (2ULL << o->ps) - 1 <= 0xffffffffULL);
	e = dma >> o->ps;
	assert_errno(tcesim_iommu_tce_get(o->t0, e, &tce), 0);
	assert_int_equal(tce & ~3ULL, HPA(5));
	assert_int_equal(tcesim_iommu_table_in_use(o->t0), 1);
	assert_errno(tcesim_pci_dev_dma_write(d32, dma, "dma", 3), 0);
	assert_errno(tcesim_pe_dma_unmap(o->pe, dma, 2), 0);
	assert_int_equal(tcesim_iommu_table_in_use(o->t0), 0);
	/* the unmap invalidated: the device lost its translation */
	assert_errno(tcesim_pci_dev_dma_write(d32, dma, "dma", 3), -EFAULT);
	assert_errno(tcesim_pe_dma_unmap(o->pe, 4ULL << 40, 1), -EINVAL);
	assert_errno(tcesim_pci_dev_driver_unbind(d32), 0);
	assert_errno(tcesim_pci_dev_driver_unbind(d32), -EINVAL);
}

static void test_pe_dma_map_fail_iommu_error(void **state)
{
	struct ot *o = *state;
	uint64_t d = state_digest(o, o->t0);

	assert_errno(tcesim_pci_dev_set_fail_iommu(o->dev, true), 0);
	assert_int_equal(tcesim_pe_dma_map(o->pe, o->dev, HPA(1), 1, TCESIM_DMA_TO_DEVICE),
			 TCESIM_DMA_MAPPING_ERROR);
	assert_int_equal(state_digest(o, o->t0), d);
	assert_errno(tcesim_pci_dev_set_fail_iommu(o->dev, false), 0);
	assert_int_equal(tcesim_pe_dma_map(o->pe, o->dev, HPA(1), 0, TCESIM_DMA_TO_DEVICE),
			 TCESIM_DMA_MAPPING_ERROR);
}

static void test_pe_take_ownership_dma_mapped_ebusy(void **state)
{
	struct ot *o = *state;
	uint64_t dma = tcesim_pe_dma_map(o->pe, o->dev, HPA(1), 1, TCESIM_DMA_TO_DEVICE), d;
	struct tcesim_pe_info pi;

	assert_int_not_equal(dma, TCESIM_DMA_MAPPING_ERROR);
	d = state_digest(o, o->t0);
	assert_errno(tcesim_pe_take_ownership(o->pe), -EBUSY);
	assert_true(tcesim_world_log_contains(o->tw->w, "iommu_tce: it_map is not empty"));
	assert_int_equal(state_digest(o, o->t0), d);
	assert_errno(tcesim_pe_get_info(o->pe, &pi), 0);
	assert_false(pi.owned);
	assert_int_equal(pi.windows, 1);
	assert_errno(tcesim_pe_dma_unmap(o->pe, dma, 1), 0);
}

static void test_pe_take_ownership_driver_bound_ebusy(void **state)
{
	struct ot *o = *state;

	assert_errno(tcesim_pci_dev_driver_bind(o->dev), 0);
	assert_errno(tcesim_pe_take_ownership(o->pe), -EBUSY);
	assert_errno(tcesim_pci_dev_driver_unbind(o->dev), 0);
	assert_errno(tcesim_pe_take_ownership(o->pe), 0);
	assert_errno(tcesim_pci_dev_driver_bind(o->dev), -EBUSY);
	assert_errno(tcesim_pe_release_ownership(o->pe), 0);
	assert_errno(tcesim_pci_dev_driver_bind(o->dev), 0);
}

static void test_pe_take_release_ownership(void **state)
{
	struct ot *o = *state;
	struct tcesim_iommu_table *tbl;
	struct tcesim_pe_info pi;
	uint64_t dma;

	assert_errno(tcesim_pe_take_ownership(o->pe), 0);
	assert_errno(tcesim_pe_take_ownership(o->pe), 0); /* per-device calls: once */
	assert_int_equal(tcesim_pe_dma_map(o->pe, o->dev, HPA(1), 1, TCESIM_DMA_TO_DEVICE),
			 TCESIM_DMA_MAPPING_ERROR);
	assert_errno(tcesim_pe_get_info(o->pe, &pi), 0);
	assert_true(pi.owned);
	if (o->ddw) {
		/* modern IODA2: the default window is gone */
		assert_int_equal(pi.windows, 0);
		assert_false(pi.bypass_enabled);
		assert_errno(tcesim_pe_get_table(o->pe, 0, &tbl), -ENOENT);
	} else {
		/* borrowing: the table stays, its bitmap is all ones */
		assert_int_equal(pi.windows, 1);
		assert_int_equal(tcesim_iommu_table_in_use(o->t0), 1);
	}
	assert_errno(tcesim_pe_release_ownership(o->pe), 0);
	assert_errno(tcesim_pe_get_info(o->pe, &pi), 0);
	assert_false(pi.owned);
	assert_int_equal(pi.windows, 1);
	dma = tcesim_pe_dma_map(o->pe, o->dev, HPA(1), 1, TCESIM_DMA_TO_DEVICE);
	assert_int_not_equal(dma, TCESIM_DMA_MAPPING_ERROR);
	assert_errno(tcesim_pe_dma_unmap(o->pe, dma, 1), 0);
}

static void test_pe_release_ownership_enomem_still_owned(void **state)
{
	struct ot *o = *state;
	struct tcesim_pe_info pi;
	long start;
	unsigned long n;
	int ret = -ENOMEM;

	if (!o->ddw)
		skip(); /* borrowing release allocates nothing */
	assert_errno(tcesim_pe_take_ownership(o->pe), 0);
	tcesim_rcu_barrier();
	start = tcesim_world_live_allocs(o->tw->w);
	for (n = 1; ret; n++) {
		tcesim_world_inject_fail_alloc(o->tw->w, n);
		ret = tcesim_pe_release_ownership(o->pe);
		tcesim_world_inject_fail_alloc(o->tw->w, 0);
		if (!ret)
			break;
		assert_errno(ret, -ENOMEM);
		tcesim_rcu_barrier();
		assert_int_equal(tcesim_world_live_allocs(o->tw->w), start);
		assert_errno(tcesim_pe_get_info(o->pe, &pi), 0);
		assert_true(pi.owned);
		assert_int_equal(pi.windows, 0);
	}
	assert_true(n > 3); /* table, top level, bitmap, link */
	assert_errno(tcesim_pe_get_info(o->pe, &pi), 0);
	assert_false(pi.owned);
	assert_int_equal(pi.windows, 1);
	assert_true(pi.bypass_enabled);
}

static void test_pe_create_table_borrowing(void **state)
{
	struct ot *o = *state;
	struct tcesim_iommu_table *tbl = NULL;

	if (o->ddw)
		skip(); /* IODA2 creates real tables: see test_pe_set_window_ddw */
	assert_errno(tcesim_pe_create_table(o->pe, 1, 12, 1ULL << 30, 1, false, &tbl), -EPERM);
	assert_errno(tcesim_pe_create_table(o->pe, 0, 12, 1ULL << 30, 1, false, &tbl), -EINVAL);
	assert_errno(tcesim_pe_create_table(o->pe, 0, 12, 2ULL << 30, 2, false, &tbl), -EINVAL);
	assert_int_equal(tcesim_pe_get_table_size(o->pe, 12, 2ULL << 30, 2), 0xffffffffUL);
	assert_int_equal(tcesim_pe_get_table_size(o->pe, 12, 2ULL << 30, 1), 4UL << 20);
	assert_errno(tcesim_pe_create_table(o->pe, 0, 12, 2ULL << 30, 1, false, &tbl), 0);
	assert_ptr_equal(tbl, o->t0);
	assert_errno(tcesim_pe_set_window(o->pe, 0, tbl), 0);
	assert_errno(tcesim_pe_set_window(o->pe, 1, tbl), -EPERM);
	assert_errno(tcesim_pe_unset_window(o->pe, 0), 0);
	tcesim_iommu_tce_table_put(tbl);
	assert_errno(tcesim_pe_set_bypass(o->pe, true),
		     o->v->model == TCESIM_PHB_IODA2 ? 0 : -EINVAL);
}

static void test_pe_set_window_ddw_two_pes(void **state)
{
	struct ot *o = *state;
	struct tcesim_iommu_table *tbl = NULL, *other;
	struct tcesim_pe *pe1;
	struct tcesim_pci_dev *dev1;
	uint64_t base = TCESIM_TCE_BYPASS_BASE >> 16, hpa, w1 = TCESIM_TCE_BYPASS_BASE;
	enum tcesim_dma_data_direction dir = TCESIM_DMA_BIDIRECTIONAL;
	/* a 64K host makes every level >= 64K: 3 levels would reach 2^55 */
	unsigned int levels = o->v->host_page_shift == 16 ? 2 : 3;
	char buf[4];

	if (!o->ddw)
		skip(); /* no second window */
	assert_errno(tcesim_pe_create(o->phb, NULL, &pe1), 0);
	assert_errno(tcesim_pci_dev_create(pe1, "d1", 64, &dev1), 0);
	assert_errno(tcesim_pe_create_table(o->pe, 1, 13, 1ULL << 34, 2, true, &tbl), -EINVAL);
	assert_errno(tcesim_pe_create_table(o->pe, 1, 16, 1ULL << 34, 6, true, &tbl), -EINVAL);
	assert_errno(tcesim_pe_create_table(o->pe, 2, 16, 1ULL << 34, 2, true, &tbl), -EINVAL);
	if (levels == 2)
		assert_errno(tcesim_pe_create_table(o->pe, 1, 16, 1ULL << 34, 3, true, &tbl),
			     -EINVAL);
	assert_errno(tcesim_pe_create_table(o->pe, 1, 16, 1ULL << 34, levels, true, &tbl), 0);
	assert_int_equal(info_of(tbl).it_offset, base);
	assert_int_equal(tcesim_pe_get_table_size(o->pe, 16, 1ULL << 34, levels),
			 tcesim_pnv_pci_ioda2_get_table_size(o->tw->w, 16, 1ULL << 34, levels));
	assert_errno(tcesim_pe_set_window(o->pe, 0, tbl), -EBUSY);
	assert_errno(tcesim_pe_set_window(o->pe, 2, tbl), -EINVAL);
	assert_errno(tcesim_pe_set_window(o->pe, 1, tbl), 0);
	assert_errno(tcesim_pe_set_window(pe1, 1, tbl), 0); /* shared by two PEs */
	assert_int_equal(info_of(tbl).kills, 2);	     /* two PE-wide kills */
	/* window 0's table cannot go into window 1 (wrong bus offset) */
	assert_errno(tcesim_pe_get_table(pe1, 0, &other), 0);
	assert_errno(tcesim_pe_unset_window(pe1, 1), 0);
	assert_errno(tcesim_pe_set_window(pe1, 1, other), -EINVAL);
	assert_errno(tcesim_pe_set_window(pe1, 1, tbl), 0);
	tcesim_iommu_tce_table_put(other);
	assert_int_equal(info_of(tbl).kills, 4);

	hpa = HPA(1);
	assert_errno(tcesim_iommu_tce_xchg_no_kill(NULL, tbl, base + 3, &hpa, &dir), 0);
	assert_errno(tcesim_pci_dev_dma_write(o->dev, w1 + (3 << 16), "a", 1), 0);
	assert_errno(tcesim_pci_dev_dma_write(dev1, w1 + (3 << 16), "b", 1), 0);
	hpa = HPA(2);
	dir = TCESIM_DMA_BIDIRECTIONAL;
	assert_errno(tcesim_iommu_tce_xchg_no_kill(NULL, tbl, base + 3, &hpa, &dir), 0);
	/* one tce_kill reaches both PEs and counts once */
	assert_errno(tcesim_iommu_tce_kill(tbl, base + 3, 1), 0);
	assert_int_equal(info_of(tbl).kills, 5);
	assert_errno(tcesim_pci_dev_dma_write(o->dev, w1 + (3 << 16), "c", 1), 0);
	assert_errno(tcesim_pci_dev_dma_write(dev1, w1 + (3 << 16), "d", 1), 0);
	assert_errno(tcesim_mem_read(o->tw->w, HPA(2), buf, 1), 0);
	assert_int_equal(buf[0], 'd');
	assert_errno(tcesim_mem_read(o->tw->w, HPA(1), buf, 1), 0);
	assert_int_equal(buf[0], 'b');
	assert_int_equal(info_of(tbl).levels_allocated, levels);
	/* unset: no more translation through window 1, table still alive */
	assert_errno(tcesim_pe_unset_window(o->pe, 1), 0);
	assert_errno(tcesim_pe_unset_window(o->pe, 1), 0);
	assert_errno(tcesim_pe_unset_window(o->pe, 2), -EINVAL);
	assert_errno(tcesim_pci_dev_dma_read(o->dev, w1 + (3 << 16), buf, 1), -EFAULT);
	hpa = 0;
	dir = TCESIM_DMA_NONE;
	assert_errno(tcesim_iommu_tce_xchg_no_kill(NULL, tbl, base + 3, &hpa, &dir), 0);
	assert_int_equal(hpa, HPA(2));
	tcesim_pe_destroy(pe1); /* unlinks and drops its window reference */
	assert_int_equal(info_of(tbl).refcount, 1);
	assert_int_equal(tcesim_iommu_tce_table_put(tbl), 1);
	tcesim_clear_page_dirty(o->tw->w, HPA(1));
}

static void test_pe_bypass_window(void **state)
{
	struct ot *o = *state;
	char buf[4];

	if (!o->ddw && o->v->model != TCESIM_PHB_IODA2)
		skip(); /* only IODA2 has TVE#1 bypass */
	assert_errno(tcesim_pci_dev_dma_write(o->dev, TCESIM_TCE_BYPASS_BASE + HPA(4), "byp", 3),
		     0);
	assert_errno(tcesim_mem_read(o->tw->w, HPA(4), buf, 3), 0);
	assert_memory_equal(buf, "byp", 3);
	assert_errno(tcesim_pe_set_bypass(o->pe, false), 0);
	assert_errno(tcesim_pci_dev_dma_read(o->dev, TCESIM_TCE_BYPASS_BASE + HPA(4), buf, 3),
		     -EFAULT);
}

static bool devmem_all(struct tcesim_mm *mm, uint64_t hpa, unsigned int page_shift)
{
	(void)mm;
	(void)page_shift;
	return hpa == HPA(6);
}

static void test_tce_xchg_no_kill_devmem_not_dirtied(void **state)
{
	struct ot *o = *state;
	struct tcesim_mm *mm;
	enum tcesim_dma_data_direction dir = TCESIM_DMA_BIDIRECTIONAL;
	uint64_t hpa = HPA(6);

	if (o->legacy)
		skip(); /* device memory prereg came after 2015 */
	assert_errno(tcesim_mm_create(o->tw->w, "qemu", TCESIM_DEFAULT_MEMLOCK, false, &mm), 0);
	assert_errno(tcesim_ops_set_devmem_hook(o->tw->w, devmem_all), 0);
	assert_errno(tcesim_iommu_tce_xchg_no_kill(mm, o->t0, 2, &hpa, &dir), 0);
	hpa = 0;
	dir = TCESIM_DMA_NONE;
	assert_errno(tcesim_iommu_tce_xchg_no_kill(mm, o->t0, 2, &hpa, &dir), 0);
	assert_int_equal(hpa, HPA(6));
	assert_false(dirty(o, HPA(6)));
	tcesim_mm_exit(mm);
}

static unsigned int devmem_calls;

static bool devmem_counting(struct tcesim_mm *mm, uint64_t hpa, unsigned int page_shift)
{
	(void)mm;
	(void)hpa;
	(void)page_shift;
	devmem_calls++;
	return false;
}

/*
 * The device-memory hook is asked only when the old page would be dirtied
 * (old FROM_DEVICE/BIDIRECTIONAL, an mm given), on both the inline path
 * (one-level windows) and the ops path.
 */
static void test_tce_xchg_no_kill_devmem_hook_only_when_dirtying(void **state)
{
	struct ot *o = *state;
	struct tcesim_mm *mm;
	enum tcesim_dma_data_direction dir;
	uint64_t hpa;

	if (o->legacy)
		skip(); /* device memory prereg came after 2015 */
	devmem_calls = 0;
	assert_errno(tcesim_mm_create(o->tw->w, "qemu", TCESIM_DEFAULT_MEMLOCK, false, &mm), 0);
	assert_errno(tcesim_ops_set_devmem_hook(o->tw->w, devmem_counting), 0);
	/* old NONE, then old TO_DEVICE: no question asked, nothing dirtied */
	hpa = HPA(7);
	dir = TCESIM_DMA_TO_DEVICE;
	assert_errno(tcesim_iommu_tce_xchg_no_kill(mm, o->t0, 3, &hpa, &dir), 0);
	hpa = HPA(8);
	dir = TCESIM_DMA_FROM_DEVICE;
	assert_errno(tcesim_iommu_tce_xchg_no_kill(mm, o->t0, 3, &hpa, &dir), 0);
	assert_int_equal(hpa, HPA(7));
	assert_int_equal(dir, TCESIM_DMA_TO_DEVICE);
	assert_int_equal(devmem_calls, 0);
	assert_false(dirty(o, HPA(7)));
	/* old FROM_DEVICE (reads back BIDIRECTIONAL): asked once, not devmem: dirtied */
	hpa = HPA(9);
	dir = TCESIM_DMA_BIDIRECTIONAL;
	assert_errno(tcesim_iommu_tce_xchg_no_kill(mm, o->t0, 3, &hpa, &dir), 0);
	assert_int_equal(hpa, HPA(8));
	assert_int_equal(dir, TCESIM_DMA_BIDIRECTIONAL);
	assert_int_equal(devmem_calls, 1);
	assert_true(dirty(o, HPA(8)));
	/* no mm: the hook is not asked, the page is dirtied */
	hpa = 0;
	dir = TCESIM_DMA_NONE;
	assert_errno(tcesim_iommu_tce_xchg_no_kill(NULL, o->t0, 3, &hpa, &dir), 0);
	assert_int_equal(hpa, HPA(9));
	assert_int_equal(devmem_calls, 1);
	assert_true(dirty(o, HPA(9)));
	assert_errno(tcesim_iommu_tce_kill(o->t0, 3, 1), 0);
	tcesim_clear_page_dirty(o->tw->w, HPA(8));
	tcesim_clear_page_dirty(o->tw->w, HPA(9));
	tcesim_mm_exit(mm);
}

static void test_iommu_tce_build_lock_path(void **state)
{
	struct ot *o = *state;
	uint64_t old, d;
	char buf[2];

	assert_errno(tcesim_iommu_tce_build(o->t0, 12, HPA(1), TCESIM_DMA_BIDIRECTIONAL), 0);
	d = state_digest(o, o->t0);
	assert_errno(tcesim_iommu_tce_build(o->t0, 12, HPA(2), TCESIM_DMA_BIDIRECTIONAL), -EBUSY);
	assert_int_equal(state_digest(o, o->t0), d);
	/* set invalidates: the device sees the mapping */
	assert_errno(tcesim_pci_dev_dma_write(o->dev, 12ULL << o->ps, "ok", 2), 0);
	assert_errno(tcesim_iommu_clear_tce(o->t0, 12, &old), 0);
	assert_int_equal(old & ~3ULL, HPA(1));
	/* clear invalidates too */
	assert_errno(tcesim_pci_dev_dma_read(o->dev, 12ULL << o->ps, buf, 2), -EFAULT);
}


/* ------------------------------------------------ DMA ownership (B10) --- */

static struct tcesim_pe_info pe_info(struct ot *o)
{
	struct tcesim_pe_info pi;

	assert_errno(tcesim_pe_get_info(o->pe, &pi), 0);
	return pi;
}

static void test_pe_claim_dma_owner_errors(void **state)
{
	struct ot *o = *state;
	int owner_a, owner_b;
	uint64_t dma, d;

	assert_errno(tcesim_pe_claim_dma_owner(NULL, &owner_a), -EINVAL);
	assert_errno(tcesim_pe_claim_dma_owner(o->pe, NULL), -EINVAL);
	assert_true(tcesim_world_log_contains(o->tw->w, "WARN: iommu_group_claim_dma_owner"));
	assert_errno(tcesim_pci_dev_claim_dma_owner(NULL, &owner_a), -EINVAL);
	assert_errno(tcesim_pci_dev_claim_dma_owner(o->dev, NULL), -EINVAL);
	assert_false(tcesim_pe_dma_owner_claimed(NULL));
	/* a bound kernel driver: owner_cnt 1 with no owner -> EPERM */
	assert_errno(tcesim_pci_dev_driver_bind(o->dev), 0);
	assert_true(tcesim_pe_dma_owner_claimed(o->pe));
	assert_int_equal(pe_info(o).owner_cnt, 1);
	assert_errno(tcesim_pe_claim_dma_owner(o->pe, &owner_a), -EPERM);
	assert_errno(tcesim_pci_dev_claim_dma_owner(o->dev, &owner_a), -EPERM);
	assert_errno(tcesim_pci_dev_driver_unbind(o->dev), 0);
	assert_int_equal(pe_info(o).owner_cnt, 0);
	/* live kernel mappings: take_ownership's -EBUSY, nothing changed */
	dma = tcesim_pe_dma_map(o->pe, o->dev, HPA(1), 1, TCESIM_DMA_TO_DEVICE);
	assert_int_not_equal(dma, TCESIM_DMA_MAPPING_ERROR);
	d = state_digest(o, o->t0);
	assert_errno(tcesim_pe_claim_dma_owner(o->pe, &owner_a), -EBUSY);
	assert_errno(tcesim_pci_dev_claim_dma_owner(o->dev, &owner_a), -EBUSY);
	assert_true(tcesim_world_log_contains(o->tw->w, "it_map is not empty"));
	assert_int_equal(state_digest(o, o->t0), d);
	assert_false(pe_info(o).owned);
	assert_int_equal(pe_info(o).owner_cnt, 0);
	assert_false(tcesim_pe_dma_owner_claimed(o->pe));
	assert_errno(tcesim_pe_dma_unmap(o->pe, dma, 1), 0);
	/* claimed: exclusive, no driver, no table-group calls around it */
	assert_errno(tcesim_pe_claim_dma_owner(o->pe, &owner_a), 0);
	assert_true(pe_info(o).owned);
	assert_true(pe_info(o).dma_owner_claimed);
	assert_errno(tcesim_pe_claim_dma_owner(o->pe, &owner_a), -EPERM);
	assert_errno(tcesim_pe_claim_dma_owner(o->pe, &owner_b), -EPERM);
	assert_errno(tcesim_pci_dev_claim_dma_owner(o->dev, &owner_b), -EPERM);
	assert_errno(tcesim_pci_dev_driver_bind(o->dev), -EBUSY);
	assert_errno(tcesim_pe_take_ownership(o->pe), -EPERM);
	assert_errno(tcesim_pe_release_ownership(o->pe), -EPERM);
	assert_int_equal(tcesim_pe_dma_map(o->pe, o->dev, HPA(1), 1, TCESIM_DMA_TO_DEVICE),
			 TCESIM_DMA_MAPPING_ERROR);
	tcesim_pe_release_dma_owner(o->pe);
	assert_false(pe_info(o).owned);
	assert_false(pe_info(o).dma_owner_claimed);
	/* released: a second release WARNs and changes nothing */
	tcesim_pe_release_dma_owner(o->pe);
	assert_true(tcesim_world_log_contains(o->tw->w, "WARN: iommu_group_release_dma_owner"));
	tcesim_pe_release_dma_owner(NULL);
	tcesim_pci_dev_release_dma_owner(NULL);
	assert_errno(tcesim_pci_dev_driver_bind(o->dev), 0);
	/* release with only a kernel driver: WARN, the driver's count stays */
	tcesim_pci_dev_release_dma_owner(o->dev);
	assert_int_equal(pe_info(o).owner_cnt, 1);
	assert_errno(tcesim_pci_dev_driver_unbind(o->dev), 0);
	assert_int_equal(pe_info(o).owner_cnt, 0);
}

/* The table-group path (VFIO container) counts as a claim held by VFIO core. */
static void test_pe_claim_dma_owner_vs_take_ownership(void **state)
{
	struct ot *o = *state;
	int owner;

	assert_errno(tcesim_pe_take_ownership(o->pe), 0);
	assert_errno(tcesim_pe_claim_dma_owner(o->pe, &owner), -EPERM);
	assert_errno(tcesim_pci_dev_claim_dma_owner(o->dev, &owner), -EPERM);
	assert_errno(tcesim_pe_release_ownership(o->pe), 0);
	assert_errno(tcesim_pe_claim_dma_owner(o->pe, &owner), 0);
	tcesim_pe_release_dma_owner(o->pe);
	assert_false(pe_info(o).owned);
}

static void test_pci_dev_claim_dma_owner_balance(void **state)
{
	struct ot *o = *state;
	struct tcesim_pci_dev *d1;
	int owner_a, owner_b;
	unsigned int i;

	assert_errno(tcesim_pci_dev_create(o->pe, "d1", 64, &d1), 0);
	for (i = 1; i <= 3; i++) {
		assert_errno(tcesim_pci_dev_claim_dma_owner(i == 2 ? d1 : o->dev, &owner_a), 0);
		assert_int_equal(pe_info(o).owner_cnt, i);
	}
	assert_errno(tcesim_pci_dev_claim_dma_owner(d1, &owner_b), -EPERM);
	assert_errno(tcesim_pe_claim_dma_owner(o->pe, &owner_a), -EPERM);
	for (i = 3; i > 1; i--) {
		tcesim_pci_dev_release_dma_owner(o->dev);
		assert_int_equal(pe_info(o).owner_cnt, i - 1);
		assert_true(pe_info(o).owned);
	}
	tcesim_pci_dev_release_dma_owner(d1);
	assert_int_equal(pe_info(o).owner_cnt, 0);
	assert_false(pe_info(o).owned);
	assert_int_equal(pe_info(o).windows, 1);
	/* another owner may claim now */
	assert_errno(tcesim_pci_dev_claim_dma_owner(d1, &owner_b), 0);
	tcesim_pci_dev_release_dma_owner(d1);
	assert_false(tcesim_pe_dma_owner_claimed(o->pe));
	/* unplug of a bound device gives its count back */
	assert_errno(tcesim_pci_dev_driver_bind(d1), 0);
	tcesim_pci_dev_destroy(d1);
	assert_int_equal(pe_info(o).owner_cnt, 0);
	assert_errno(tcesim_pe_claim_dma_owner(o->pe, &owner_a), 0);
	tcesim_pe_release_dma_owner(o->pe);
}

/* Invariant: no mapping survives an ownership change. */
static void test_pe_dma_owner_no_mapping_survives(void **state)
{
	struct ot *o = *state;
	struct tcesim_iommu_table *t, *u = NULL;
	enum tcesim_dma_data_direction dir = TCESIM_DMA_BIDIRECTIONAL;
	uint64_t hpa = HPA(2), tce, dma, e;
	int owner;

	assert_errno(tcesim_pe_claim_dma_owner(o->pe, &owner), 0);
	if (o->ddw) {
		/* IODA2: the owner brings its own window 0, and unsets it */
		assert_errno(tcesim_pe_get_table(o->pe, 0, &t), -ENOENT);
		assert_errno(tcesim_pe_create_table(o->pe, 0, o->ps, 1ULL << 28, 1, false, &u), 0);
		assert_errno(tcesim_pe_set_window(o->pe, 0, u), 0);
		t = u;
	} else {
		t = o->t0;
		assert_int_equal(tcesim_iommu_table_in_use(t), 1);
	}
	e = info_of(t).it_offset + 5;
	assert_errno(xchg(o, t, e, &hpa, &dir), 0);
	assert_errno(tcesim_iommu_tce_get(t, e, &tce), 0);
	assert_int_not_equal(tce, 0);
	if (u)
		assert_errno(tcesim_pe_unset_window(o->pe, 0), 0);
	tcesim_pe_release_dma_owner(o->pe);
	assert_false(pe_info(o).owned);
	/* the kernel's window 0 is clean: no owner TCE, only its own bitmap */
	assert_errno(tcesim_pe_get_table(o->pe, 0, &t), 0);
	assert_true(t != u);
	assert_errno(tcesim_iommu_tce_get(t, e, &tce), 0);
	assert_int_equal(tce, 0);
	assert_int_equal(tcesim_iommu_table_in_use(t), 0);
	dma = tcesim_pe_dma_map(o->pe, o->dev, HPA(1), 1, TCESIM_DMA_TO_DEVICE);
	assert_int_not_equal(dma, TCESIM_DMA_MAPPING_ERROR);
	assert_errno(tcesim_pe_dma_unmap(o->pe, dma, 1), 0);
	tcesim_iommu_tce_table_put(t);
	if (u) {
		hpa = 0;
		dir = TCESIM_DMA_NONE;
		assert_errno(xchg(o, u, e, &hpa, &dir), 0);
		tcesim_iommu_tce_table_put(u);
	}
}

/* IODA2: a table the owner leaves in window 0 stays (upstream), with a WARN. */
static void test_pe_dma_owner_left_window_warns(void **state)
{
	struct ot *o = *state;
	struct tcesim_iommu_table *u;
	int owner;

	if (!o->ddw)
		skip();
	assert_errno(tcesim_pe_claim_dma_owner(o->pe, &owner), 0);
	assert_errno(tcesim_pe_create_table(o->pe, 0, o->ps, 1ULL << 28, 1, false, &u), 0);
	assert_errno(tcesim_pe_set_window(o->pe, 0, u), 0);
	tcesim_pe_release_dma_owner(o->pe);
	assert_true(tcesim_world_log_contains(o->tw->w, "WARN: release_ownership"));
	assert_false(pe_info(o).owned);
	assert_errno(tcesim_pe_unset_window(o->pe, 0), 0);
	tcesim_iommu_tce_table_put(u);
}

static void test_pci_dev_iommu_capable(void **state)
{
	struct ot *o = *state;

	assert_int_equal(tcesim_pci_dev_iommu_capable(o->dev, TCESIM_IOMMU_CAP_CACHE_COHERENCY),
			 !o->legacy);
	assert_false(tcesim_pci_dev_iommu_capable(o->dev, TCESIM_IOMMU_CAP_NOEXEC));
	assert_false(tcesim_pci_dev_iommu_capable(o->dev,
						  TCESIM_IOMMU_CAP_ENFORCE_CACHE_COHERENCY));
	assert_false(tcesim_pci_dev_iommu_capable(o->dev, TCESIM_IOMMU_CAP_DIRTY_TRACKING));
	assert_false(tcesim_pci_dev_iommu_capable(NULL, TCESIM_IOMMU_CAP_CACHE_COHERENCY));
}

#define VARIANT_SETUP(n)                                  \
	static int gs_##n(void **state)                    \
	{                                                  \
		*state = (void *)&variants[n];             \
		return 0;                                  \
	}
VARIANT_SETUP(0)
VARIANT_SETUP(1)
VARIANT_SETUP(2)
VARIANT_SETUP(3)
VARIANT_SETUP(4)
VARIANT_SETUP(5)
VARIANT_SETUP(6)

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest common[] = {
		cmocka_unit_test(test_phb_create_bad_cfg_einval),
		cmocka_unit_test(test_pe_create_bad_cfg_einval),
		cmocka_unit_test(test_pe_create_fail_nth_no_leak),
	};
	const struct CMUnitTest tests[] = {
		T(test_pe_create_default_window),
		T(test_tce_xchg_no_kill_returns_old_dirties),
		T(test_tce_xchg_from_device_reads_back),
		T(test_tce_xchg_no_kill_bad_args_einval),
		T(test_tce_xchg_no_kill_legacy_einval),
		T(test_tce_xchg_level_alloc_fail_enomem),
		T(test_device_dma_stale_until_kill),
		T(test_tce_kill_counts),
		T(test_device_dma_no_translation_efault),
		T(test_device_dma_permission_eacces),
		T(test_device_dma_spans_pages),
		T(test_pe_dma_map_unmap),
		T(test_pe_dma_map_fail_iommu_error),
		T(test_pe_take_ownership_dma_mapped_ebusy),
		T(test_pe_take_ownership_driver_bound_ebusy),
		T(test_pe_take_release_ownership),
		T(test_pe_release_ownership_enomem_still_owned),
		T(test_pe_create_table_borrowing),
		T(test_pe_set_window_ddw_two_pes),
		T(test_pe_bypass_window),
		T(test_tce_xchg_no_kill_devmem_not_dirtied),
		T(test_tce_xchg_no_kill_devmem_hook_only_when_dirtying),
		T(test_iommu_tce_build_lock_path),
		T(test_pe_claim_dma_owner_errors),
		T(test_pe_claim_dma_owner_vs_take_ownership),
		T(test_pci_dev_claim_dma_owner_balance),
		T(test_pe_dma_owner_no_mapping_survives),
		T(test_pe_dma_owner_left_window_warns),
		T(test_pci_dev_iommu_capable),
	};
	int (*const gs[])(void **) = { gs_0, gs_1, gs_2, gs_3, gs_4, gs_5, gs_6 };
	unsigned int i;
	int failed;

	test_seed();
	failed = cmocka_run_group_tests_name("ops/common", common, NULL, NULL);
	for (i = 0; i < TCESIM_ARRAY_SIZE(variants); i++)
		failed += _cmocka_run_group_tests(variants[i].name, tests,
						  sizeof(tests) / sizeof(tests[0]), gs[i], NULL);
	return failed;
}
