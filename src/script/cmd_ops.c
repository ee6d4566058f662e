// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * cmd_ops.c - scenario commands of the ops module (see script_internal.h and
 * shared/SCENARIO.md "PHBs, PEs", "Kernel DMA API", "Table operations",
 * "Device DMA"): PHBs, PEs (iommu table groups), PCI devices and drivers,
 * the kernel DMA API on window 0, TCE exchange/get/kill, the pre-2015 pool
 * lock path, ownership, device DMA through the PHB TCE cache.
 *
 * Objects (type: pointer): "phb": struct tcesim_phb, "pe": struct
 * tcesim_pe, "dev": struct tcesim_pci_dev, "dma": a kernel DMA mapping (one
 * dma_map), "tce_pin": a page reference the runner holds for one TCE.
 * A table is named PE:WINDOW ("pe0:0"); it is looked up at each command, so
 * a window the PE has no table in at that moment is an ENOENT result (ops)
 * or a failed expectation (check), never a dangling pointer.
 *
 * Page references (who pins what):
 *  - dma_map: the kernel buffer is a fresh block of host pages allocated
 *    by the runner (as a driver's kmalloc/alloc_pages); the DMA API takes
 *    no page reference, as upstream. dma=... and hpa=... are reported.
 *  - tce_xchg/tce_build hpa=ADDR: a raw physical address; the caller owns
 *    the page, no reference is taken or dropped (iommu_tce_xchg itself
 *    never touches page references, only the dirty bit).
 *  - tce_xchg/tce_build mm=MM va=ADDR: the runner acts as VFIO v1's
 *    tce_iommu_build: it pins the page backing va (FOLL_WRITE unless the
 *    direction is to_device), exchanges, and that pin belongs to the TCE
 *    ("tce_pin" object). Whenever the TCE is replaced or cleared through a
 *    tce_* command (any form), the pin the runner held for that entry is
 *    dropped after the exchange (tce_iommu_unuse_page), i.e. after the
 *    IOMMU code has dirtied the old page. A failed exchange unpins the page
 *    it just pinned (no lost reference, SEMANTICS Q3). At the end of the
 *    file every pin still held is released the way the container release
 *    does: clear the TCE if it still maps that page (dirtying it for
 *    W mappings), then unpin. So `check page ... pins=0` after clearing,
 *    and the world's pin balance at the end, are meaningful.
 *  - tce_clear (pre-2015 iommu_clear_tce) returns the old TCE; the old
 *    caller dirtied the page itself if the TCE had W and put it: the runner
 *    does that for a pin it holds (that is what seed 000 moved into
 *    iommu_tce_xchg).
 */
#include <inttypes.h>

#include "script/script_internal.h"

/*
 * Default 32-bit DMA window of a scenario PE. The kernel's tce32_size is the
 * PHB's m32_pci_base (2 GiB on PHB3/4), and a v1 VFIO ENABLE charges the whole
 * window to locked_vm; 32 MiB keeps small scenarios (SCENARIO.md's example:
 * memlock=64M) within a realistic RLIMIT_MEMLOCK. Pass dma32=2G for the real size.
 */
#define SCRIPT_PE_DMA32_DEFAULT (32ULL << 20)
#include "ops/phb_internal.h"
#include "mem/mem_internal.h"
#include <tcesim/mem.h>

/* ------------------------------------------------------------- helpers -- */

static bool legacy(struct script_ctx *ctx)
{
	return tcesim_flavour_is(script_world(ctx), TCESIM_FLAVOUR_LEGACY_2015);
}

static bool dir_writes(enum tcesim_dma_data_direction d)
{
	return d == TCESIM_DMA_FROM_DEVICE || d == TCESIM_DMA_BIDIRECTIONAL;
}

static const char *yesno(bool b)
{
	return b ? "yes" : "no";
}

/* Resolves "PE:WINDOW". Syntax errors return false; *@tbl may be NULL. */
static bool table_lookup(struct script_ctx *ctx, const char *name, struct tcesim_pe **pe,
			 unsigned int *num, struct tcesim_iommu_table **tbl)
{
	const char *colon;
	char pename[64];
	uint64_t n;

	*tbl = NULL;
	if (!name)
		return false;
	colon = strrchr(name, ':');
	if (!colon || colon == name || (size_t)(colon - name) >= sizeof(pename) ||
	    !script_parse_u64(colon + 1, &n)) {
		script_error(ctx, "bad table name '%s' (PE:WINDOW, e.g. pe0:0)", name);
		return false;
	}
	if (n >= TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES) {
		script_error(ctx, "bad table name '%s': a PE has windows 0 and 1", name);
		return false;
	}
	memcpy(pename, name, (size_t)(colon - name));
	pename[colon - name] = 0;
	*pe = script_obj_need(ctx, "pe", pename);
	if (!*pe)
		return false;
	*num = (unsigned int)n;
	if (tcesim_pe_get_table(*pe, *num, tbl))
		*tbl = NULL;
	return true;
}

struct tbl_snap {
	struct tcesim_iommu_table_info ti;
	struct tcesim_phb_stats ps;
};

static void snap(struct tcesim_pe *pe, struct tcesim_iommu_table *tbl, struct tbl_snap *s)
{
	memset(s, 0, sizeof(*s));
	if (tbl)
		tcesim_iommu_table_get_info(tbl, &s->ti);
	tcesim_phb_get_stats(pe->phb, &s->ps);
}

/* What the PHB did between two snapshots (kills, evictions). */
static void explain_kills(struct script_ctx *ctx, const char *tname, struct tcesim_pe *pe,
			  const struct tbl_snap *a, const struct tbl_snap *b)
{
	if (!script_explaining(ctx))
		return;
	if (b->ti.kills != a->ti.kills)
		script_explain(ctx, "kills of %s: %" PRIu64 " -> %" PRIu64, tname, a->ti.kills,
			       b->ti.kills);
	if (b->ps.kill_reg_writes != a->ps.kill_reg_writes)
		script_explain(ctx, "PHB %s: %" PRIu64 " kill register write(s)", pe->phb->name,
			       b->ps.kill_reg_writes - a->ps.kill_reg_writes);
	if (b->ps.opal_kills != a->ps.opal_kills)
		script_explain(ctx, "PHB %s: %" PRIu64 " opal_pci_tce_kill() call(s)",
			       pe->phb->name, b->ps.opal_kills - a->ps.opal_kills);
	if (b->ps.cache_evictions != a->ps.cache_evictions)
		script_explain(ctx, "PHB %s: %" PRIu64 " cached translation(s) evicted",
			       pe->phb->name, b->ps.cache_evictions - a->ps.cache_evictions);
}

static bool page_dirty(struct tcesim_world *w, uint64_t hpa)
{
	struct tcesim_page_info pi;

	return !tcesim_page_query(w, hpa, &pi) && pi.dirty;
}

static int page_pins(struct tcesim_world *w, uint64_t hpa)
{
	struct tcesim_page_info pi;

	return tcesim_page_query(w, hpa, &pi) ? 0 : pi.pins;
}

/* ------------------------------------------------- runner-held pins ----- */

struct tce_pin {
	struct tcesim_world *w;
	struct tcesim_iommu_table *tbl;	/* own reference */
	uint64_t entry;
	uint64_t hpa;			/* the pinned host page (IOMMU page address) */
};

static void pin_key(const struct tcesim_iommu_table *tbl, uint64_t entry, char *buf, size_t len)
{
	snprintf(buf, len, "%p#%" PRIu64, (const void *)tbl, entry);
}

/* End of file: release as the container release does (clear, then unpin). */
static void tce_pin_destroy(void *p)
{
	struct tce_pin *pin = p;
	enum tcesim_dma_data_direction dir = TCESIM_DMA_NONE;
	uint64_t tce = 0, hpa = 0;
	uint64_t mask = ~((1ULL << pin->tbl->it_page_shift) - 1);

	/* tcesim_iommu_tce_xchg: exchange + kill in either era */
	if (!tcesim_iommu_tce_get(pin->tbl, pin->entry, &tce) && (tce & TCESIM_TCE_PERM_MASK) &&
	    (tce & mask) == pin->hpa)
		tcesim_iommu_tce_xchg(pin->tbl, pin->entry, &hpa, &dir);
	tcesim_unpin_user_page(pin->w, pin->hpa);
	tcesim_iommu_tce_table_put(pin->tbl);
	free(pin);
}

/*
 * Drops the pin the runner holds for (tbl, entry), if any, after the TCE
 * was replaced or cleared. @dirty_if_w: pre-2015 caller's duty.
 */
static void pin_release(struct script_ctx *ctx, struct tcesim_iommu_table *tbl, uint64_t entry,
			uint64_t old_tce)
{
	struct tcesim_world *w = script_world(ctx);
	struct tce_pin *pin;
	char key[64];

	pin_key(tbl, entry, key, sizeof(key));
	pin = script_obj_get(ctx, "tce_pin", key);
	if (!pin)
		return;
	if (old_tce & TCESIM_TCE_PCI_WRITE) {
		tcesim_set_page_dirty(w, pin->hpa);
		script_explain(ctx, "page 0x%" PRIx64 " dirtied by the caller (pre-2015: VFIO's "
			       "tce_iommu_unuse_page, TCE had W)", pin->hpa);
	}
	tcesim_unpin_user_page(w, pin->hpa);
	script_explain(ctx, "page 0x%" PRIx64 " unpinned (pins now %d): the TCE no longer "
		       "holds it", pin->hpa, page_pins(w, pin->hpa));
	tcesim_iommu_tce_table_put(pin->tbl);
	script_obj_del(ctx, "tce_pin", key);
	free(pin);
}

static int pin_record(struct script_ctx *ctx, struct tcesim_iommu_table *tbl, uint64_t entry,
		      uint64_t hpa)
{
	struct tce_pin *pin = calloc(1, sizeof(*pin));
	char key[64];

	if (!pin)
		return script_error(ctx, "out of memory");
	pin->w = script_world(ctx);
	pin->tbl = tcesim_iommu_tce_table_get(tbl);
	pin->entry = entry;
	pin->hpa = hpa;
	pin_key(tbl, entry, key, sizeof(key));
	if (!pin->tbl || script_obj_add(ctx, "tce_pin", key, pin, tce_pin_destroy)) {
		if (pin->tbl)
			tcesim_iommu_tce_table_put(pin->tbl);
		free(pin);
		tcesim_unpin_user_page(script_world(ctx), hpa);
		return script_error(ctx, "out of memory");
	}
	return SCRIPT_OK;
}

/*
 * The page a tce_xchg/tce_build line names: hpa=ADDR as is, or mm=MM va=ADDR
 * pinned (VFIO v1 tce_iommu_use_page). *@pinned tells the caller to record
 * or undo the pin. Returns false on a syntax error; *@err is the pin's
 * errno (the command's result) otherwise.
 */
static bool arg_page(struct script_ctx *ctx, const struct script_line *ln,
		     struct tcesim_iommu_table *tbl, enum tcesim_dma_data_direction dir,
		     uint64_t *hpa, struct tcesim_mm **mmp, bool *pinned, int *err)
{
	struct tcesim_world *w = script_world(ctx);
	uint64_t va, host = 0, psz;
	struct tcesim_mm *mm;
	long n;

	*pinned = false;
	*err = 0;
	*mmp = NULL;
	if (script_arg(ln, "hpa")) {
		if (script_arg(ln, "mm") || script_arg(ln, "va")) {
			script_error(ctx, "%s: give hpa= or mm= va=, not both", ln->cmd);
			return false;
		}
		return script_arg_u64(ctx, ln, "hpa", true, 0, hpa);
	}
	if (!script_arg(ln, "mm")) {
		script_error(ctx, "%s: missing hpa= (or mm= va=)", ln->cmd);
		return false;
	}
	mm = script_obj_need(ctx, "mm", script_arg(ln, "mm"));
	if (!mm || !script_arg_u64(ctx, ln, "va", true, 0, &va))
		return false;
	if (dir == TCESIM_DMA_NONE) {
		script_error(ctx, "%s: mm= va= maps a page; clear with hpa=0 dir=none", ln->cmd);
		return false;
	}
	*mmp = mm;
	if (!tbl)
		return true;
	n = tcesim_pin_user_pages_fast(mm, va, 1, dir_writes(dir) ? TCESIM_FOLL_WRITE : 0, &host);
	if (n < 0) {
		*err = (int)n;
		return true;
	}
	if (n == 0) {
		*err = -EFAULT;
		return true;
	}
	*pinned = true;
	/* Preserve the offset of the IOMMU page inside the host page. */
	psz = 1ULL << tcesim_page_shift(w);
	*hpa = (host + (va & (psz - 1))) & ~((1ULL << tbl->it_page_shift) - 1);
	if (*hpa < host)
		*hpa = host;
	script_explain(ctx, "page 0x%" PRIx64 " backing %s va 0x%" PRIx64 " pinned (pins now %d)",
		       host, tcesim_mm_name(mm), va, page_pins(w, host));
	return true;
}

/* ---------------------------------------------------------- topology --- */

static void phb_obj_destroy(void *p)
{
	tcesim_phb_destroy(p);
}

static void pe_obj_destroy(void *p)
{
	tcesim_pe_destroy(p);
}

static void dev_obj_destroy(void *p)
{
	tcesim_pci_dev_destroy(p);
}

static int cmd_phb(struct script_ctx *ctx, const struct script_line *ln, struct script_result *res)
{
	const char *name = script_pos(ctx, ln, 0, "PHB name");
	const char *model = script_arg(ln, "model");
	const char *kill = script_arg(ln, "kill");
	struct tcesim_phb_cfg cfg;
	enum tcesim_phb_model m;
	struct tcesim_phb *phb;
	uint64_t *shifts = NULL;
	size_t i, n = 0;

	if (!name)
		return SCRIPT_ERR;
	if (!model || tcesim_phb_model_from_name(model, &m))
		return script_error(ctx, "phb: model=p5ioc2|ioda1|ioda2, not %s",
				    model ? model : "(none given)");
	if (script_obj_get(ctx, "phb", name))
		return script_error(ctx, "phb %s already exists", name);
	tcesim_phb_cfg_init(&cfg, m);
	cfg.name = name;
	if (kill) {
		if (m != TCESIM_PHB_IODA2)
			return script_error(ctx, "phb: kill= is for model=ioda2 only");
		if (!strcmp(kill, "phb3"))
			cfg.kill = TCESIM_PHB_KILL_PHB3;
		else if (!strcmp(kill, "phb4"))
			cfg.kill = TCESIM_PHB_KILL_PHB4;
		else
			return script_error(ctx, "phb: kill=phb3|phb4, not %s", kill);
	}
	if (script_arg(ln, "pgsizes")) {
		if (!script_arg_u64_list(ctx, ln, "pgsizes", &shifts, &n))
			return SCRIPT_ERR;
		for (i = 0; i < n; i++) {
			if (shifts[i] < 12 || shifts[i] > 40) {
				free(shifts);
				return script_error(ctx, "phb: pgsizes= takes page shifts "
						    "(12,16,24,28)");
			}
			cfg.pgsizes |= 1ULL << shifts[i];
		}
		free(shifts);
	}
	res->ret = tcesim_phb_create(script_world(ctx), &cfg, &phb);
	if (res->ret)
		return SCRIPT_OK;
	if (script_obj_add(ctx, "phb", name, phb, phb_obj_destroy)) {
		tcesim_phb_destroy(phb);
		return script_error(ctx, "out of memory");
	}
	script_explain(ctx, "PHB %s: %s%s, IOMMU page sizes 0x%" PRIx64 "%s", name, model,
		       m == TCESIM_PHB_IODA2 ? (cfg.kill == TCESIM_PHB_KILL_PHB4 ?
			" (PHB4: OPAL TCE kill)" : " (PHB3: kill register)") : "",
		       phb->pgsizes, m == TCESIM_PHB_P5IOC2 ? ", no TCE cache (nothing to kill)" :
		       ", TCE cache in front of the tables");
	return SCRIPT_OK;
}

static int cmd_pe(struct script_ctx *ctx, const struct script_line *ln, struct script_result *res)
{
	const char *name = script_pos(ctx, ln, 0, "PE name");
	struct tcesim_phb *phb;
	struct tcesim_iommu_table_info ti;
	struct tcesim_iommu_table *tbl;
	struct tcesim_pe_cfg cfg;
	struct tcesim_pe *pe;
	uint64_t dma32;

	if (!name)
		return SCRIPT_ERR;
	phb = script_obj_need(ctx, "phb", script_arg(ln, "phb"));
	if (!phb || !script_arg_u64(ctx, ln, "dma32", false, SCRIPT_PE_DMA32_DEFAULT, &dma32))
		return SCRIPT_ERR;
	if (script_obj_get(ctx, "pe", name))
		return script_error(ctx, "pe %s already exists", name);
	if (strchr(name, ':'))
		return script_error(ctx, "pe: a name cannot contain ':' (tables are PE:WINDOW)");
	tcesim_pe_cfg_init(&cfg);
	cfg.name = name;
	cfg.dma32_size = dma32;
	res->ret = tcesim_pe_create(phb, &cfg, &pe);
	if (res->ret)
		return SCRIPT_OK;
	if (script_obj_add(ctx, "pe", name, pe, pe_obj_destroy)) {
		tcesim_pe_destroy(pe);
		return script_error(ctx, "out of memory");
	}
	if (script_explaining(ctx) && !tcesim_pe_get_table(pe, 0, &tbl)) {
		tcesim_iommu_table_get_info(tbl, &ti);
		script_explain(ctx, "PE #%u (iommu group %s): window 0 = table %s:0, entries "
			       "0x%" PRIx64 "..0x%" PRIx64 ", %uK IOMMU pages, %u level(s)%s",
			       pe->pe_number, name, name, ti.it_offset,
			       ti.it_offset + ti.it_size - 1, (1u << ti.it_page_shift) >> 10,
			       ti.levels, atomic_load(&pe->bypass) ? "; bypass window on" : "");
		tcesim_iommu_tce_table_put(tbl);
	}
	return SCRIPT_OK;
}

static int cmd_dev(struct script_ctx *ctx, const struct script_line *ln, struct script_result *res)
{
	const char *name = script_pos(ctx, ln, 0, "device name");
	struct tcesim_pci_dev *dev;
	struct tcesim_pe *pe;
	uint64_t bits;

	if (!name)
		return SCRIPT_ERR;
	pe = script_obj_need(ctx, "pe", script_arg(ln, "pe"));
	if (!pe || !script_arg_u64(ctx, ln, "dma_mask", false, 64, &bits))
		return SCRIPT_ERR;
	if (script_obj_get(ctx, "dev", name))
		return script_error(ctx, "dev %s already exists", name);
	if (bits < 1 || bits > 64)
		return script_error(ctx, "dev: dma_mask= is a width in bits, 1..64");
	res->ret = tcesim_pci_dev_create(pe, name, (unsigned int)bits, &dev);
	if (res->ret)
		return SCRIPT_OK;
	if (script_obj_add(ctx, "dev", name, dev, dev_obj_destroy)) {
		tcesim_pci_dev_destroy(dev);
		return script_error(ctx, "out of memory");
	}
	script_explain(ctx, "device %s in PE %s, %u-bit DMA mask", name, pe->name,
		       (unsigned int)bits);
	return SCRIPT_OK;
}

/*
 * The TCE device a driver_bind/driver_unbind line names. A VT-d device
 * (pdev) is the SVA module's command: SCRIPT_PASS lets it answer.
 */
static int driver_dev(struct script_ctx *ctx, const struct script_line *ln,
		      struct tcesim_pci_dev **dev)
{
	if (ln->npos && !script_obj_get(ctx, "dev", ln->pos[0]) &&
	    script_obj_get(ctx, "pdev", ln->pos[0]))
		return SCRIPT_PASS;
	*dev = script_obj_need(ctx, "dev", script_pos(ctx, ln, 0, "device"));
	return *dev ? SCRIPT_OK : SCRIPT_ERR;
}

static int cmd_driver_bind(struct script_ctx *ctx, const struct script_line *ln,
			   struct script_result *res)
{
	struct tcesim_pci_dev *dev;
	int ret = driver_dev(ctx, ln, &dev);

	if (ret != SCRIPT_OK)
		return ret;
	res->ret = tcesim_pci_dev_driver_bind(dev);
	if (!res->ret)
		script_explain(ctx, "kernel driver bound to %s: it uses the default domain "
			       "(window 0); the group cannot be claimed by userspace", dev->name);
	else if (res->ret == -EBUSY)
		script_explain(ctx, "refused: a driver is bound already or the group is owned "
			       "by userspace");
	return SCRIPT_OK;
}

static int cmd_driver_unbind(struct script_ctx *ctx, const struct script_line *ln,
			     struct script_result *res)
{
	struct tcesim_pci_dev *dev;
	int ret = driver_dev(ctx, ln, &dev);

	if (ret != SCRIPT_OK)
		return ret;
	res->ret = tcesim_pci_dev_driver_unbind(dev);
	if (!res->ret)
		script_explain(ctx, "kernel driver unbound from %s", dev->name);
	return SCRIPT_OK;
}

/* ---------------------------------------------------- kernel DMA API --- */

struct dma_obj {
	struct tcesim_pe *pe;
	uint64_t dma;
	unsigned long npages;
};

/* End of file: a mapping the scenario left behind is unmapped (if it can). */
static void dma_obj_destroy(void *p)
{
	struct dma_obj *d = p;

	tcesim_pe_dma_unmap(d->pe, d->dma, d->npages);
	free(d);
}

static int cmd_dma_map(struct script_ctx *ctx, const struct script_line *ln,
		       struct script_result *res)
{
	const char *name = script_pos(ctx, ln, 0, "mapping name");
	const char *dname = script_arg(ln, "dev");
	struct tcesim_world *w = script_world(ctx);
	struct tcesim_iommu_table_info ti;
	struct tcesim_iommu_table *tbl;
	struct tcesim_pci_dev *dev = NULL;
	enum tcesim_dma_data_direction dir;
	struct tcesim_pe *pe;
	struct dma_obj *d;
	uint64_t npages, hpa = 0, dma, bytes, hpages, pfn;
	unsigned int order = 0, hshift = tcesim_page_shift(w);

	if (!name)
		return SCRIPT_ERR;
	pe = script_obj_need(ctx, "pe", script_arg(ln, "pe"));
	if (!pe || !script_arg_u64(ctx, ln, "npages", true, 0, &npages) ||
	    !script_arg_dir(ctx, ln, "dir", true, TCESIM_DMA_NONE, &dir))
		return SCRIPT_ERR;
	if (dname) {
		dev = script_obj_need(ctx, "dev", dname);
		if (!dev)
			return SCRIPT_ERR;
		if (dev->pe != pe)
			return script_error(ctx, "dma_map: device %s is not in PE %s", dname,
					    pe->name);
	}
	if (script_obj_get(ctx, "dma", name))
		return script_error(ctx, "dma %s already exists", name);
	if (npages > (1ULL << 20))
		return script_error(ctx, "dma_map: npages=%" PRIu64 " is too large for a scenario",
				    npages);
	res->kind = SCRIPT_RET_DMA;
	/* The kernel buffer: host pages of its own, IOMMU-page aligned. */
	if (npages && !tcesim_pe_get_table(pe, 0, &tbl)) {
		tcesim_iommu_table_get_info(tbl, &ti);
		tcesim_iommu_tce_table_put(tbl);
		bytes = npages << ti.it_page_shift;
		hpages = (bytes + (1ULL << hshift) - 1) >> hshift;
		while ((1ULL << order) < hpages)
			order++;
		if (ti.it_page_shift > hshift && order < ti.it_page_shift - hshift)
			order = ti.it_page_shift - hshift;
		pfn = hostmem_alloc_pfns(hostmem_get(w), order);
		if (!pfn)
			return script_error(ctx, "dma_map: out of simulated RAM");
		hpa = pfn << hshift;
	}
	dma = tcesim_pe_dma_map(pe, dev, hpa, (unsigned long)npages, dir);
	if (dma == TCESIM_DMA_MAPPING_ERROR) {
		res->ret = -1;
		script_explain(ctx, "iommu_alloc failed: %s", pe->owned ?
			       "the PE is owned by userspace (no window or a full bitmap)" :
			       "npages 0, fail_iommu, or no free range under the DMA mask");
		return SCRIPT_OK;
	}
	res->ret = 0;
	script_report_u64(res, "dma", dma);
	script_report_u64(res, "hpa", hpa);
	d = calloc(1, sizeof(*d));
	if (!d || script_obj_add(ctx, "dma", name, d, dma_obj_destroy)) {
		free(d);
		tcesim_pe_dma_unmap(pe, dma, (unsigned long)npages);
		return script_error(ctx, "out of memory");
	}
	d->pe = pe;
	d->dma = dma;
	d->npages = (unsigned long)npages;
	script_explain(ctx, "iommu_alloc: %" PRIu64 " entr%s at bus 0x%" PRIx64 " -> kernel "
		       "buffer hpa 0x%" PRIx64 " (%s; no page reference taken)", npages,
		       npages == 1 ? "y" : "ies", dma, hpa, script_dir_name(dir));
	return SCRIPT_OK;
}

static int cmd_dma_unmap(struct script_ctx *ctx, const struct script_line *ln,
			 struct script_result *res)
{
	const char *name = script_pos(ctx, ln, 0, "mapping");
	struct dma_obj *d = script_obj_need(ctx, "dma", name);

	if (!d)
		return SCRIPT_ERR;
	res->ret = tcesim_pe_dma_unmap(d->pe, d->dma, d->npages);
	if (res->ret) {
		script_explain(ctx, "iommu_free: invalid entry (the window is gone): nothing "
			       "changed");
		return SCRIPT_OK;
	}
	script_explain(ctx, "iommu_free: TCEs at bus 0x%" PRIx64 " cleared (the clear op "
		       "invalidates), bitmap bits freed", d->dma);
	script_obj_del(ctx, "dma", name);
	free(d);
	return SCRIPT_OK;
}

/* ------------------------------------------------------ TCE commands --- */

/* Common start of a table command: table, entry=. */
static bool table_args(struct script_ctx *ctx, const struct script_line *ln, int pos,
		       struct tcesim_pe **pe, unsigned int *num, struct tcesim_iommu_table **tbl,
		       const char **tname, uint64_t *entry)
{
	*tname = script_pos(ctx, ln, pos, "table (PE:WINDOW)");
	if (!*tname || !table_lookup(ctx, *tname, pe, num, tbl))
		return false;
	if (!script_arg_u64(ctx, ln, "entry", true, 0, entry)) {
		if (*tbl)
			tcesim_iommu_tce_table_put(*tbl);
		return false;
	}
	return true;
}

static void explain_no_table(struct script_ctx *ctx, const char *tname)
{
	script_explain(ctx, "%s: the PE has no table in that window now (e.g. owned by "
		       "userspace on IODA2, or never created)", tname);
}

/* Explains an exchange from its before/after state. */
static void explain_xchg(struct script_ctx *ctx, struct tcesim_iommu_table *tbl, uint64_t entry,
			 uint64_t before, uint64_t after, uint64_t old_hpa,
			 enum tcesim_dma_data_direction olddir, bool was_dirty,
			 enum tcesim_dma_data_direction newdir)
{
	struct tcesim_world *w = script_world(ctx);

	if (!script_explaining(ctx))
		return;
	script_explain(ctx, "TCE[0x%" PRIx64 "] 0x%" PRIx64 " -> 0x%" PRIx64
		       " (returned old=0x%" PRIx64 " olddir=%s)", entry, before, after, old_hpa,
		       script_dir_name(olddir));
	if (newdir == TCESIM_DMA_FROM_DEVICE && (after & TCESIM_TCE_PCI_READ))
		script_explain(ctx, "powernv stores W as W|R: this from_device mapping reads back "
			       "as bidirectional");
	if (dir_writes(olddir)) {
		bool now = page_dirty(w, old_hpa);

		script_explain(ctx, "old page 0x%" PRIx64 " %s (old direction %s: the device "
			       "may have written it)", old_hpa,
			       now && !was_dirty ? "marked dirty" : "already dirty",
			       script_dir_name(olddir));
	} else if (olddir == TCESIM_DMA_TO_DEVICE) {
		script_explain(ctx, "old page 0x%" PRIx64 " not dirtied (to_device: the device "
			       "only read it)", old_hpa);
	}
	(void)tbl;
}

/*
 * The arguments shared by tce_xchg and tce_build: TABLE entry= dir= and the
 * page (hpa= or mm= va=, pinned for the latter). Returns SCRIPT_ERR on a
 * syntax error. With SCRIPT_OK and *tbl NULL the command is over: res->ret
 * says why (ENOENT: no table in that window now; the pin's error). Else
 * the caller holds a reference on *tbl and, if *pinned, the pin on *hpa.
 */
static int tce_page_args(struct script_ctx *ctx, const struct script_line *ln,
			 struct script_result *res, struct tcesim_pe **pe,
			 struct tcesim_iommu_table **tbl, const char **tname, uint64_t *entry,
			 enum tcesim_dma_data_direction *dir, uint64_t *hpa,
			 struct tcesim_mm **mm, bool *pinned)
{
	unsigned int num;
	int err;

	if (!table_args(ctx, ln, 0, pe, &num, tbl, tname, entry))
		return SCRIPT_ERR;
	if (!script_arg_dir(ctx, ln, "dir", true, TCESIM_DMA_NONE, dir) ||
	    !arg_page(ctx, ln, *tbl, *dir, hpa, mm, pinned, &err)) {
		if (*tbl)
			tcesim_iommu_tce_table_put(*tbl);
		*tbl = NULL;
		return SCRIPT_ERR;
	}
	if (!*tbl) {
		res->ret = -ENOENT;
		explain_no_table(ctx, *tname);
		return SCRIPT_OK;
	}
	if (err) {
		res->ret = err;
		script_explain(ctx, "pinning the page failed: the TCE is not touched");
		tcesim_iommu_tce_table_put(*tbl);
		*tbl = NULL;
	}
	return SCRIPT_OK;
}

static int cmd_tce_xchg(struct script_ctx *ctx, const struct script_line *ln,
			struct script_result *res)
{
	struct tcesim_world *w = script_world(ctx);
	enum tcesim_dma_data_direction dir, newdir;
	struct tcesim_iommu_table *tbl;
	struct tbl_snap a, b;
	struct tcesim_mm *mm;
	struct tcesim_pe *pe;
	const char *tname;
	uint64_t entry, hpa = 0, before = 0, after = 0, mask;
	bool pinned, was_dirty = false;
	int ret;

	ret = tce_page_args(ctx, ln, res, &pe, &tbl, &tname, &entry, &dir, &hpa, &mm, &pinned);
	if (ret != SCRIPT_OK || !tbl)
		return ret;
	newdir = dir;
	mask = ~((1ULL << tbl->it_page_shift) - 1);
	if (!tcesim_iommu_tce_get(tbl, entry, &before))
		was_dirty = page_dirty(w, before & mask);
	snap(pe, tbl, &a);
	if (legacy(ctx))
		res->ret = tcesim_iommu_tce_xchg(tbl, entry, &hpa, &dir);
	else
		res->ret = tcesim_iommu_tce_xchg_no_kill(mm, tbl, entry, &hpa, &dir);
	snap(pe, tbl, &b);
	if (res->ret) {
		if (pinned) {
			tcesim_unpin_user_page(w, hpa);
			script_explain(ctx, "exchange failed: the page just pinned is unpinned");
		}
		tcesim_iommu_tce_table_put(tbl);
		return SCRIPT_OK;
	}
	tcesim_iommu_tce_get(tbl, entry, &after);
	script_report_u64(res, "old", hpa);
	script_report_str(res, "olddir", script_dir_name(dir));
	explain_xchg(ctx, tbl, entry, before, after, hpa, dir, was_dirty, newdir);
	if (legacy(ctx))
		script_explain(ctx, "2015 iommu_tce_xchg: it_ops->exchange invalidates the entry "
			       "itself, then SetPageDirty on the old page");
	explain_kills(ctx, tname, pe, &a, &b);
	if (!legacy(ctx) && pe->phb->ops->kill_pages)
		script_explain(ctx, "no kill (xchg_no_kill): the PHB may keep using the old "
			       "translation until tce_kill %s entry=0x%" PRIx64, tname, entry);
	pin_release(ctx, tbl, entry, 0);
	if (pinned && pin_record(ctx, tbl, entry, after & mask) != SCRIPT_OK) {
		tcesim_iommu_tce_table_put(tbl);
		return SCRIPT_ERR;
	}
	tcesim_iommu_tce_table_put(tbl);
	return SCRIPT_OK;
}

static int cmd_tce_build(struct script_ctx *ctx, const struct script_line *ln,
			 struct script_result *res)
{
	struct tcesim_world *w = script_world(ctx);
	enum tcesim_dma_data_direction dir;
	struct tcesim_iommu_table *tbl;
	struct tbl_snap a, b;
	struct tcesim_mm *mm;
	struct tcesim_pe *pe;
	const char *tname;
	uint64_t entry, hpa = 0, before = 0, after = 0;
	bool pinned;
	int ret;

	ret = tce_page_args(ctx, ln, res, &pe, &tbl, &tname, &entry, &dir, &hpa, &mm, &pinned);
	if (ret != SCRIPT_OK || !tbl)
		return ret;
	tcesim_iommu_tce_get(tbl, entry, &before);
	snap(pe, tbl, &a);
	res->ret = tcesim_iommu_tce_build(tbl, entry, hpa, dir);
	snap(pe, tbl, &b);
	if (res->ret) {
		if (res->ret == -EBUSY)
			script_explain(ctx, "pre-2015 iommu_tce_build: TCE[0x%" PRIx64 "] = 0x%"
				       PRIx64 " is valid: -EBUSY under the pool lock (clear it "
				       "first; seed 000 removed this rule)", entry, before);
		if (pinned) {
			tcesim_unpin_user_page(w, hpa);
			script_explain(ctx, "the page just pinned is unpinned");
		}
		tcesim_iommu_tce_table_put(tbl);
		return SCRIPT_OK;
	}
	tcesim_iommu_tce_get(tbl, entry, &after);
	script_explain(ctx, "pre-2015 iommu_tce_build under the pool lock: TCE[0x%" PRIx64
		       "] 0x%" PRIx64 " -> 0x%" PRIx64, entry, before, after);
	explain_kills(ctx, tname, pe, &a, &b);
	pin_release(ctx, tbl, entry, 0);
	if (pinned && pin_record(ctx, tbl, entry, hpa) != SCRIPT_OK) {
		tcesim_iommu_tce_table_put(tbl);
		return SCRIPT_ERR;
	}
	tcesim_iommu_tce_table_put(tbl);
	return SCRIPT_OK;
}

static int cmd_tce_clear(struct script_ctx *ctx, const struct script_line *ln,
			 struct script_result *res)
{
	struct tcesim_iommu_table *tbl;
	struct tbl_snap a, b;
	struct tcesim_pe *pe;
	const char *tname;
	unsigned int num;
	uint64_t entry, old = 0;

	if (!table_args(ctx, ln, 0, &pe, &num, &tbl, &tname, &entry))
		return SCRIPT_ERR;
	if (!tbl) {
		res->ret = -ENOENT;
		explain_no_table(ctx, tname);
		return SCRIPT_OK;
	}
	snap(pe, tbl, &a);
	res->ret = tcesim_iommu_clear_tce(tbl, entry, &old);
	snap(pe, tbl, &b);
	if (!res->ret) {
		script_report_u64(res, "old", old);
		script_explain(ctx, "pre-2015 iommu_clear_tce under the pool lock: TCE[0x%" PRIx64
			       "] 0x%" PRIx64 " -> 0x0; the IOMMU code dirties nothing", entry,
			       old);
		explain_kills(ctx, tname, pe, &a, &b);
		pin_release(ctx, tbl, entry, old);
	}
	tcesim_iommu_tce_table_put(tbl);
	return SCRIPT_OK;
}

static int cmd_tce_get(struct script_ctx *ctx, const struct script_line *ln,
		       struct script_result *res)
{
	struct tcesim_iommu_table *tbl;
	struct tcesim_pe *pe;
	const char *tname;
	unsigned int num;
	uint64_t entry, tce = 0;

	if (!table_args(ctx, ln, 0, &pe, &num, &tbl, &tname, &entry))
		return SCRIPT_ERR;
	if (!tbl) {
		res->ret = -ENOENT;
		explain_no_table(ctx, tname);
		return SCRIPT_OK;
	}
	res->ret = tcesim_iommu_tce_get(tbl, entry, &tce);
	if (!res->ret) {
		script_report_u64(res, "tce", tce);
		script_explain(ctx, "TCE[0x%" PRIx64 "] = 0x%" PRIx64 " (page 0x%" PRIx64 "%s%s)",
			       entry, tce, (uint64_t)(tce & ~TCESIM_TCE_PERM_MASK),
			       tce & TCESIM_TCE_PCI_READ ? " R" : "",
			       tce & TCESIM_TCE_PCI_WRITE ? " W" : "");
	}
	tcesim_iommu_tce_table_put(tbl);
	return SCRIPT_OK;
}

static int cmd_tce_kill(struct script_ctx *ctx, const struct script_line *ln,
			struct script_result *res)
{
	struct tcesim_iommu_table *tbl;
	struct tbl_snap a, b;
	struct tcesim_pe *pe;
	const char *tname;
	unsigned int num;
	uint64_t entry, npages;

	if (!table_args(ctx, ln, 0, &pe, &num, &tbl, &tname, &entry))
		return SCRIPT_ERR;
	if (!script_arg_u64(ctx, ln, "npages", false, 1, &npages)) {
		if (tbl)
			tcesim_iommu_tce_table_put(tbl);
		return SCRIPT_ERR;
	}
	if (!tbl) {
		res->ret = -ENOENT;
		explain_no_table(ctx, tname);
		return SCRIPT_OK;
	}
	snap(pe, tbl, &a);
	res->ret = tcesim_iommu_tce_kill(tbl, entry, (unsigned long)npages);
	snap(pe, tbl, &b);
	if (!res->ret) {
		if (!pe->phb->ops->kill_pages)
			script_explain(ctx, "%s has no TCE cache: nothing to invalidate, no kill "
				       "counted", pe->phb->name);
		else
			script_explain(ctx, "iommu_tce_kill: entries 0x%" PRIx64 "..0x%" PRIx64
				       " invalidated in every PE the table is linked to", entry,
				       entry + npages - 1);
		explain_kills(ctx, tname, pe, &a, &b);
	}
	tcesim_iommu_tce_table_put(tbl);
	return SCRIPT_OK;
}

/* ---------------------------------------------------------- ownership -- */

static void explain_ownership(struct script_ctx *ctx, struct tcesim_pe *pe,
			      const struct tcesim_pe_info *a, const struct tcesim_pe_info *b,
			      int in_use_before)
{
	struct tcesim_iommu_table *tbl;
	unsigned int n;

	if (!script_explaining(ctx))
		return;
	if (a->bypass_enabled != b->bypass_enabled)
		script_explain(ctx, "bypass window (TVE#1) %s", b->bypass_enabled ? "on" : "off");
	for (n = 0; n < TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES; n++) {
		if ((a->windows ^ b->windows) & (1u << n))
			script_explain(ctx, "window %u %s (PE-wide kill)", n, (b->windows >> n) & 1 ?
				       "programmed with a new default table" :
				       "unset, its default table dropped");
	}
	if (tcesim_pe_get_table(pe, 0, &tbl))
		return;
	if (b->owned && !a->owned)
		script_explain(ctx, "%s:0 it_map: all bits set (was %s): every kernel dma_map now "
			       "fails with DMA_MAPPING_ERROR", pe->name,
			       in_use_before == 1 ? "in use" : "only reserved bits");
	else if (!b->owned && a->owned)
		script_explain(ctx, "%s:0 it_map: cleared, entry 0 and the reserved range set "
			       "again: the kernel DMA API can allocate", pe->name);
	tcesim_iommu_tce_table_put(tbl);
}

static int ownership(struct script_ctx *ctx, const struct script_line *ln,
		     struct script_result *res, bool take)
{
	struct tcesim_pe *pe = script_obj_need(ctx, "pe", script_pos(ctx, ln, 0, "PE"));
	struct tcesim_pe_info a, b;
	struct tcesim_iommu_table *tbl;
	int in_use = 0;

	if (!pe)
		return SCRIPT_ERR;
	tcesim_pe_get_info(pe, &a);
	if (!tcesim_pe_get_table(pe, 0, &tbl)) {
		in_use = tcesim_iommu_table_in_use(tbl);
		tcesim_iommu_tce_table_put(tbl);
	}
	res->ret = take ? tcesim_pe_take_ownership(pe) : tcesim_pe_release_ownership(pe);
	tcesim_pe_get_info(pe, &b);
	if (res->ret == -EBUSY)
		script_explain(ctx, "%s", a.drivers_bound ? "a kernel driver is bound to a device "
			       "of the group: nothing changed" :
			       "iommu_tce: it_map is not empty (live kernel DMA mappings): "
			       "nothing changed");
	else if (res->ret == -EINVAL)
		script_explain(ctx, "the table ops cannot exchange: a userspace owner could not "
			       "release old pages");
	else if (!res->ret && a.owned == b.owned)
		script_explain(ctx, "already %s: nothing to do", take ? "owned" : "the kernel's");
	explain_ownership(ctx, pe, &a, &b, in_use);
	return SCRIPT_OK;
}

static int cmd_take_ownership(struct script_ctx *ctx, const struct script_line *ln,
			      struct script_result *res)
{
	return ownership(ctx, ln, res, true);
}

static int cmd_release_ownership(struct script_ctx *ctx, const struct script_line *ln,
				 struct script_result *res)
{
	return ownership(ctx, ln, res, false);
}

/* ------------------------------------------------------ DMA ownership --- */

/*
 * A PE (an iommu group) or TCE device named by a *dma_owner line. Anything
 * else is the sva module's (VT-d "group"/"pdev", or an unknown name it
 * reports): SCRIPT_PASS before touching anything.
 */
static int owner_target(struct script_ctx *ctx, const struct script_line *ln, bool device,
			struct tcesim_pe **pe, struct tcesim_pci_dev **dev)
{
	if (!ln->npos)
		return SCRIPT_PASS;
	if (device) {
		*dev = script_obj_get(ctx, "dev", ln->pos[0]);
		if (!*dev)
			return SCRIPT_PASS;
		*pe = (*dev)->pe;
	} else {
		*pe = script_obj_get(ctx, "pe", ln->pos[0]);
		if (!*pe)
			return SCRIPT_PASS;
	}
	return SCRIPT_OK;
}

static void explain_claim(struct script_ctx *ctx, struct tcesim_pe *pe, bool device,
			  const struct tcesim_pe_info *a, const struct tcesim_pe_info *b, int ret,
			  int in_use)
{
	if (!script_explaining(ctx))
		return;
	if (ret == -EPERM)
		script_explain(ctx, "owner_cnt %u: %s: nothing changed", a->owner_cnt,
			       a->dma_owner_claimed ? (device ? "claimed by another owner" :
						       "already claimed (a group claim is "
						       "exclusive, even for the same owner)") :
			       a->drivers_bound ? "a kernel driver uses the group (owner NULL)" :
			       "a VFIO container holds the group (VFIO core's claim)");
	else if (ret == -EBUSY)
		script_explain(ctx, "blocked domain attach -> take_ownership refused: iommu_tce: "
			       "it_map is not empty (live kernel DMA mappings): nothing changed");
	else if (ret == -EINVAL)
		script_explain(ctx, "refused: the table ops cannot exchange");
	else if (!ret && !a->owner_cnt)
		script_explain(ctx, "group %s attached to spapr_tce_blocked_domain -> "
			       "take_ownership; owner_cnt %u", pe->name, b->owner_cnt);
	else if (!ret)
		script_explain(ctx, "same owner: owner_cnt %u -> %u, nothing else changes",
			       a->owner_cnt, b->owner_cnt);
	explain_ownership(ctx, pe, a, b, in_use);
}

static int table0_in_use(struct tcesim_pe *pe)
{
	struct tcesim_iommu_table *tbl;
	int in_use = 0;

	if (!tcesim_pe_get_table(pe, 0, &tbl)) {
		in_use = tcesim_iommu_table_in_use(tbl);
		tcesim_iommu_tce_table_put(tbl);
	}
	return in_use;
}

static int claim(struct script_ctx *ctx, const struct script_line *ln,
		 struct script_result *res, bool device)
{
	struct tcesim_pci_dev *dev = NULL;
	struct tcesim_pe *pe = NULL;
	const char *owner = script_arg(ln, "owner");
	struct tcesim_pe_info a, b;
	int ret = owner_target(ctx, ln, device, &pe, &dev);
	void *cookie;
	int in_use;

	if (ret != SCRIPT_OK)
		return ret;
	if (!owner)
		return script_error(ctx, "%s: missing owner=", ln->cmd);
	cookie = script_dma_owner(ctx, owner);
	if (!cookie)
		return script_error(ctx, "out of memory");
	tcesim_pe_get_info(pe, &a);
	in_use = table0_in_use(pe);
	res->ret = device ? tcesim_pci_dev_claim_dma_owner(dev, cookie) :
			    tcesim_pe_claim_dma_owner(pe, cookie);
	tcesim_pe_get_info(pe, &b);
	script_report_u64(res, "owner_cnt", b.owner_cnt);
	explain_claim(ctx, pe, device, &a, &b, (int)res->ret, in_use);
	return SCRIPT_OK;
}

static int release(struct script_ctx *ctx, const struct script_line *ln,
		   struct script_result *res, bool device)
{
	struct tcesim_pci_dev *dev = NULL;
	struct tcesim_pe *pe = NULL;
	struct tcesim_pe_info a, b;
	int ret = owner_target(ctx, ln, device, &pe, &dev);

	if (ret != SCRIPT_OK)
		return ret;
	tcesim_pe_get_info(pe, &a);
	if (device)
		tcesim_pci_dev_release_dma_owner(dev);
	else
		tcesim_pe_release_dma_owner(pe);
	tcesim_pe_get_info(pe, &b);
	script_report_u64(res, "owner_cnt", b.owner_cnt);
	if (script_explaining(ctx)) {
		if (!a.dma_owner_claimed)
			script_explain(ctx, "WARN: no user owner (owner_cnt %u): nothing changed",
				       a.owner_cnt);
		else if (b.dma_owner_claimed)
			script_explain(ctx, "owner_cnt %u -> %u: still claimed", a.owner_cnt,
				       b.owner_cnt);
		else
			script_explain(ctx, "group %s attached to spapr_tce_platform_domain -> "
				       "release_ownership", pe->name);
		explain_ownership(ctx, pe, &a, &b, 0);
	}
	return SCRIPT_OK;
}

static int cmd_claim_dma_owner(struct script_ctx *ctx, const struct script_line *ln,
			       struct script_result *res)
{
	return claim(ctx, ln, res, false);
}

static int cmd_release_dma_owner(struct script_ctx *ctx, const struct script_line *ln,
				 struct script_result *res)
{
	return release(ctx, ln, res, false);
}

static int cmd_device_claim_dma_owner(struct script_ctx *ctx, const struct script_line *ln,
				      struct script_result *res)
{
	return claim(ctx, ln, res, true);
}

static int cmd_device_release_dma_owner(struct script_ctx *ctx, const struct script_line *ln,
					struct script_result *res)
{
	return release(ctx, ln, res, true);
}

/* -------------------------------------------------------------- checks -- */

/* A check on a table the PE lacks: one failed expectation per key. */
static void check_no_table(struct script_ctx *ctx, const struct script_line *ln,
			   const char *tname)
{
	char want[160], got[96];
	int i;

	snprintf(got, sizeof(got), "no table %s", tname);
	for (i = 0; i < ln->nkv; i++) {
		if (!strcmp(ln->kv[i].key, "entry"))
			continue;
		snprintf(want, sizeof(want), "%s=%s", ln->kv[i].key, ln->kv[i].val);
		script_fail(ctx, want, got);
	}
	if (ln->nkv == 0)
		script_fail(ctx, tname, got);
}

static int cmd_check_tce(struct script_ctx *ctx, const struct script_line *ln,
			 struct script_result *res)
{
	struct tcesim_iommu_table *tbl;
	struct tcesim_pe *pe;
	const char *tname;
	unsigned int num;
	uint64_t entry, want, tce = 0;

	(void)res;
	if (!table_args(ctx, ln, 1, &pe, &num, &tbl, &tname, &entry))
		return SCRIPT_ERR;
	if (!script_arg_u64(ctx, ln, "value", true, 0, &want)) {
		if (tbl)
			tcesim_iommu_tce_table_put(tbl);
		return SCRIPT_ERR;
	}
	if (!tbl) {
		check_no_table(ctx, ln, tname);
		return SCRIPT_OK;
	}
	if (tcesim_iommu_tce_get(tbl, entry, &tce)) {
		tcesim_iommu_tce_table_put(tbl);
		return script_error(ctx, "check tce: entry=0x%" PRIx64 " is outside %s", entry,
				    tname);
	}
	script_explain(ctx, "TCE[0x%" PRIx64 "] = 0x%" PRIx64, entry, tce);
	script_check_u64(ctx, "value", want, tce);
	tcesim_iommu_tce_table_put(tbl);
	return SCRIPT_OK;
}

static int cmd_check_table(struct script_ctx *ctx, const struct script_line *ln,
			   struct script_result *res)
{
	const char *tname = script_pos(ctx, ln, 1, "table (PE:WINDOW)");
	struct tcesim_iommu_table_info ti;
	struct tcesim_iommu_table *tbl;
	struct tcesim_pe *pe;
	unsigned int num;
	uint64_t levels;
	bool in_use;

	(void)res;
	if (!tname || !table_lookup(ctx, tname, &pe, &num, &tbl))
		return SCRIPT_ERR;
	if (!script_arg_bool(ctx, ln, "in_use", false, &in_use) ||
	    !script_arg_u64(ctx, ln, "levels", false, 0, &levels)) {
		if (tbl)
			tcesim_iommu_tce_table_put(tbl);
		return SCRIPT_ERR;
	}
	if (!tbl) {
		check_no_table(ctx, ln, tname);
		return SCRIPT_OK;
	}
	tcesim_iommu_table_get_info(tbl, &ti);
	script_explain(ctx, "%s: in_use=%s, %ld hardware level table(s) allocated of %u "
		       "level(s), kills %" PRIu64, tname,
		       yesno(tcesim_iommu_table_in_use(tbl) == 1), ti.levels_allocated, ti.levels,
		       ti.kills);
	if (script_arg(ln, "in_use"))
		script_check_str(ctx, "in_use", yesno(in_use),
				 yesno(tcesim_iommu_table_in_use(tbl) == 1));
	if (script_arg(ln, "levels"))
		script_check_u64(ctx, "levels", levels, (uint64_t)ti.levels_allocated);
	if (!script_arg(ln, "in_use") && !script_arg(ln, "levels"))
		script_check_str(ctx, "table", tname, tname); /* exists */
	tcesim_iommu_tce_table_put(tbl);
	return SCRIPT_OK;
}

static int cmd_check_kills(struct script_ctx *ctx, const struct script_line *ln,
			   struct script_result *res)
{
	const char *tname = script_pos(ctx, ln, 1, "table (PE:WINDOW)");
	struct tcesim_iommu_table_info ti;
	struct tcesim_iommu_table *tbl;
	struct tcesim_pe *pe;
	unsigned int num;
	uint64_t count;

	(void)res;
	if (!tname || !table_lookup(ctx, tname, &pe, &num, &tbl))
		return SCRIPT_ERR;
	if (!script_arg_u64(ctx, ln, "count", true, 0, &count)) {
		if (tbl)
			tcesim_iommu_tce_table_put(tbl);
		return SCRIPT_ERR;
	}
	if (!tbl) {
		check_no_table(ctx, ln, tname);
		return SCRIPT_OK;
	}
	tcesim_iommu_table_get_info(tbl, &ti);
	script_explain(ctx, "%s: %" PRIu64 " invalidation call(s) reached a PE", tname, ti.kills);
	script_check_u64(ctx, "count", count, ti.kills);
	tcesim_iommu_tce_table_put(tbl);
	return SCRIPT_OK;
}

/* ---------------------------------------------------------- device DMA -- */

#define DEVICE_DMA_MAX_LEN (16ULL << 20)

/* The PHB's cached TCE for (PE, window, entry), 0 if none (oracle for --explain). */
static uint64_t cache_peek(struct tcesim_pe *pe, unsigned int win, uint64_t entry)
{
	struct tce_cache *c = &pe->phb->cache;
	uint64_t tce = 0;
	unsigned int i;

	pthread_spin_lock(&c->lock);
	for (i = 0; i < TCE_CACHE_SLOTS; i++) {
		if (c->e[i].tce && c->e[i].pe_number == pe->pe_number && c->e[i].win == win &&
		    c->e[i].entry == entry) {
			tce = c->e[i].tce;
			break;
		}
	}
	pthread_spin_unlock(&c->lock);
	return tce;
}

/* Explains pages whose cached translation differs from the table (stale). */
static void explain_stale(struct script_ctx *ctx, struct tcesim_pci_dev *dev, uint64_t iova,
			  uint64_t len)
{
	struct tcesim_pe *pe = dev->pe;
	struct tcesim_iommu_table *tbl;
	uint64_t entry, last, cached, now;
	unsigned int n;

	if (!pe->phb->ops->kill_pages)
		return;
	for (n = 0; n < TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES; n++) {
		if (tcesim_pe_get_table(pe, n, &tbl))
			continue;
		last = (iova + len - 1) >> tbl->it_page_shift;
		for (entry = iova >> tbl->it_page_shift; entry <= last && entry < (iova >>
		     tbl->it_page_shift) + 16; entry++) {
			if (tcesim_iommu_tce_get(tbl, entry, &now))
				continue;
			cached = cache_peek(pe, n, entry);
			if (cached && cached != now)
				script_explain(ctx, "STALE: the PHB TCE cache still holds 0x%" PRIx64
					       " for entry 0x%" PRIx64 " while the table says 0x%"
					       PRIx64 " (no tce_kill since the exchange): the "
					       "device uses the cached one", cached, entry, now);
		}
		tcesim_iommu_tce_table_put(tbl);
	}
}

static int cmd_device_dma(struct script_ctx *ctx, const struct script_line *ln,
			  struct script_result *res)
{
	struct tcesim_pci_dev *dev = script_obj_need(ctx, "dev", script_pos(ctx, ln, 0, "device"));
	const char *op = dev ? script_pos(ctx, ln, 1, "read|write") : NULL;
	struct tcesim_phb_stats a, b;
	uint64_t iova, len, fill;
	unsigned char *buf;
	bool wr;

	if (!dev || !op)
		return SCRIPT_ERR;
	if (strcmp(op, "read") && strcmp(op, "write"))
		return script_error(ctx, "device_dma: read or write, not '%s'", op);
	wr = !strcmp(op, "write");
	if (script_arg(ln, "pasid"))
		return script_error(ctx, "device_dma: %s is a TCE device (PHB DMA windows have "
				    "no PASIDs); pasid= is for pdev devices", dev->name);
	if (!script_arg_u64(ctx, ln, "iova", true, 0, &iova) ||
	    !script_arg_u64(ctx, ln, "len", true, 0, &len) ||
	    !script_arg_u64(ctx, ln, "fill", false, 0x5a, &fill))
		return SCRIPT_ERR;
	if (!wr && script_arg(ln, "fill"))
		return script_error(ctx, "device_dma: fill= is for write");
	if (!len || len > DEVICE_DMA_MAX_LEN || fill > 0xff)
		return script_error(ctx, "device_dma: len=1..16M, fill=0..0xff");
	buf = malloc((size_t)len);
	if (!buf)
		return script_error(ctx, "out of memory");
	memset(buf, (int)fill, (size_t)len);
	if (script_explaining(ctx))
		explain_stale(ctx, dev, iova, len);
	tcesim_phb_get_stats(dev->pe->phb, &a);
	if (wr)
		res->ret = tcesim_pci_dev_dma_write(dev, iova, buf, (size_t)len);
	else
		res->ret = tcesim_pci_dev_dma_read(dev, iova, buf, (size_t)len);
	tcesim_phb_get_stats(dev->pe->phb, &b);
	if (!res->ret && !wr)
		script_report_u64(res, "data", buf[0]);
	if (script_explaining(ctx)) {
		if (b.cache_hits + b.cache_misses != a.cache_hits + a.cache_misses)
			script_explain(ctx, "translated through the PHB TCE cache (filled from "
				       "the table on a miss; only a kill empties it)");
		if (res->ret == -EFAULT)
			script_explain(ctx, "no translation (no window covers it, or the TCE is "
				       "empty)");
		else if (res->ret == -EACCES)
			script_explain(ctx, "the TCE lacks %s permission", wr ? "W" : "R");
		else if (!res->ret && wr)
			script_explain(ctx, "%" PRIu64 " byte(s) of 0x%02x written (no dirty bit: "
				       "the IOMMU code sets it when the TCE is released)", len,
				       (unsigned int)fill);
		else if (!res->ret)
			script_explain(ctx, "%" PRIu64 " byte(s) read, first 0x%02x", len, buf[0]);
	}
	free(buf);
	return SCRIPT_OK;
}

const struct script_cmd script_cmds_ops[] = {
	{ "phb", "model,pgsizes,kill", cmd_phb,
	  "phb NAME model=p5ioc2|ioda1|ioda2 [pgsizes=12,16,24] [kill=phb3|phb4]   # a PHB; "
	  "kill= (ioda2 only): PHB3 kill register (default) or PHB4 OPAL kill; p5ioc2 needs "
	  "flavour=legacy_2015 (ENODEV otherwise)" },
	{ "pe", "phb,dma32", cmd_pe,
	  "pe NAME phb=PHB [dma32=SIZE]   # iommu group NAME + default window 0 (table NAME:0); dma32 defaults to 32M (a real PHB3/4 has m32_pci_base = 2G: dma32=2G)" },
	{ "dev", "pe,dma_mask", cmd_dev,
	  "dev NAME pe=PE [dma_mask=BITS]   # a PCI device in that PE (mask 64)" },
	{ "driver_bind", "", cmd_driver_bind,
	  "driver_bind DEV   # a kernel driver uses the default domain => ok|EBUSY (owned)" },
	{ "driver_unbind", "", cmd_driver_unbind,
	  "driver_unbind DEV   # => ok|EINVAL (no driver bound)" },
	{ "dma_map", "pe,npages,dir,dev", cmd_dma_map,
	  "dma_map NAME pe=PE npages=N dir=DIR [dev=DEV]   => ok dma=ADDR hpa=ADDR | "
	  "DMA_MAPPING_ERROR   # iommu_alloc on window 0; the kernel buffer is fresh host "
	  "pages at hpa (no page reference taken); left-over mappings are unmapped at the end" },
	{ "dma_unmap", "", cmd_dma_unmap,
	  "dma_unmap NAME   # iommu_free => ok|EINVAL (the window is gone)" },
	{ "tce_xchg", "entry,hpa,mm,va,dir", cmd_tce_xchg,
	  "tce_xchg TABLE entry=N hpa=ADDR|mm=MM va=ADDR dir=DIR   => ok old=ADDR olddir=DIR "
	  "| EINVAL|ENOMEM|EFAULT|ENOENT   # modern: iommu_tce_xchg_no_kill (no kill: use "
	  "tce_kill); legacy_2015: iommu_tce_xchg (exchange invalidates). The old page is "
	  "dirtied for from_device/bidirectional. hpa=: no page reference. mm= va=: pins the "
	  "page (FOLL_WRITE unless to_device) and the TCE holds that pin; the runner unpins "
	  "the page a tce_* command replaces or clears, and at the end of the file. ENOENT: "
	  "the PE has no table in that window now" },
	{ "tce_get", "entry", cmd_tce_get, "tce_get TABLE entry=N   => ok tce=VALUE" },
	{ "tce_kill", "entry,npages", cmd_tce_kill,
	  "tce_kill TABLE entry=N [npages=N]   # iommu_tce_kill (npages 1 by default)" },
	{ "tce_build", "entry,hpa,mm,va,dir", cmd_tce_build,
	  "tce_build TABLE entry=N hpa=ADDR|mm=MM va=ADDR dir=DIR   => ok|EBUSY   # pre-2015 "
	  "iommu_tce_build under the pool lock: EBUSY if the TCE is valid; pins as tce_xchg" },
	{ "tce_clear", "entry", cmd_tce_clear,
	  "tce_clear TABLE entry=N   => ok old=TCE   # pre-2015 iommu_clear_tce (pool lock); "
	  "the caller dirties (TCE had W) and unpins a page the runner pinned" },
	{ "take_ownership", "", cmd_take_ownership,
	  "take_ownership PE   => ok|EBUSY (driver bound / live kernel mappings)|EINVAL (no "
	  "exchange op)   # kernel DMA then fails" },
	{ "release_ownership", "", cmd_release_ownership,
	  "release_ownership PE   # the kernel gets its default window back" },
	{ "claim_dma_owner", "owner", cmd_claim_dma_owner,
	  "claim_dma_owner PE owner=NAME   => ok owner_cnt=N | EPERM (driver bound, claimed, "
	  "VFIO container) | EBUSY (live kernel mappings)   # blocked domain: take_ownership; "
	  "a VT-d GROUP goes to the sva module" },
	{ "release_dma_owner", "", cmd_release_dma_owner,
	  "release_dma_owner PE   => ok owner_cnt=N   # platform domain: release_ownership (TCEs "
	  "the owner set are cleared, default window back); no user owner: WARN, no-op" },
	{ "device_claim_dma_owner", "owner", cmd_device_claim_dma_owner,
	  "device_claim_dma_owner DEV owner=NAME   => ok owner_cnt=N | EPERM | EBUSY   # the same "
	  "owner again: owner_cnt+1; a VT-d PDEV goes to the sva module" },
	{ "device_release_dma_owner", "", cmd_device_release_dma_owner,
	  "device_release_dma_owner DEV   => ok owner_cnt=N   # the last claim releases the group" },
	{ "check tce", "entry,value", cmd_check_tce, "check tce TABLE entry=N value=VALUE" },
	{ "check table", "in_use,levels", cmd_check_table,
	  "check table TABLE [in_use=yes|no] [levels=N]   # levels: hardware level tables "
	  "allocated, top included; fails when the PE has no such table now" },
	{ "check kills", "count", cmd_check_kills,
	  "check kills TABLE count=N   # invalidation calls that reached a PE since creation" },
	{ "device_dma", "iova,len,fill,pasid", cmd_device_dma,
	  "device_dma DEV read|write iova=ADDR len=N [fill=BYTE]   => ok [data=FIRST_BYTE] | "
	  "EFAULT (no translation) | EACCES (permission)   # through the PHB TCE cache; write "
	  "fills with fill= (0x5a); pasid= is refused (TCE devices have no PASIDs)" },
	{ NULL, NULL, NULL, NULL },
};
