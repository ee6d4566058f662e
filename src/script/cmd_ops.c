// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * cmd_ops.c - scenario commands of the ops module: PHBs, PEs (iommu table
 * groups), PCI devices and drivers, the kernel DMA API on window 0 (see
 * shared/SCENARIO.md "PHBs, PEs", "Kernel DMA API"; helpers and the object
 * and page-reference rules: cmd_ops.h). TCE commands: cmd_tce.c; ownership:
 * cmd_owner.c; table checks: cmd_tce_check.c; device DMA: cmd_device_dma.c.
 */
#include <inttypes.h>

#include "script/cmd_ops.h"

/*
 * Default 32-bit DMA window of a scenario PE. The kernel's tce32_size is the
 * PHB's m32_pci_base (2 GiB on PHB3/4), and a v1 VFIO ENABLE charges the whole
 * window to locked_vm; 32 MiB keeps small scenarios (SCENARIO.md's example:
 * memlock=64M) within a realistic RLIMIT_MEMLOCK. Pass dma32=2G for the real size.
 */
#define SCRIPT_PE_DMA32_DEFAULT (32ULL << 20)

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
		       tcesim_phb_pgsizes(phb), m == TCESIM_PHB_P5IOC2 ?
		       ", no TCE cache (nothing to kill)" : ", TCE cache in front of the tables");
	return SCRIPT_OK;
}

static int cmd_pe(struct script_ctx *ctx, const struct script_line *ln, struct script_result *res)
{
	const char *name = script_pos(ctx, ln, 0, "PE name");
	struct tcesim_phb *phb;
	struct tcesim_iommu_table_info ti;
	struct tcesim_iommu_table *tbl;
	struct tcesim_pe_cfg cfg;
	struct tcesim_pe_info pi;
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
		tcesim_pe_get_info(pe, &pi);
		script_explain(ctx, "PE #%u (iommu group %s): window 0 = table %s:0, entries "
			       "0x%" PRIx64 "..0x%" PRIx64 ", %uK IOMMU pages, %u level(s)%s",
			       pi.pe_number, name, name, ti.it_offset,
			       ti.it_offset + ti.it_size - 1, (1u << ti.it_page_shift) >> 10,
			       ti.levels, pi.bypass_enabled ? "; bypass window on" : "");
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
	script_explain(ctx, "device %s in PE %s, %u-bit DMA mask", name, tcesim_pe_name(pe),
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
			       "(window 0); the group cannot be claimed by userspace",
			       tcesim_pci_dev_name(dev));
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
		script_explain(ctx, "kernel driver unbound from %s",
			       tcesim_pci_dev_name(dev));
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
	struct tcesim_pe_info pi;
	struct tcesim_pe *pe;
	struct dma_obj *d;
	uint64_t npages, hpa = 0, dma, bytes, hpages;
	unsigned int order = 0, hshift = tcesim_world_cfg(w)->host_page_shift;

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
		if (tcesim_pci_dev_pe(dev) != pe)
			return script_error(ctx, "dma_map: device %s is not in PE %s", dname,
					    tcesim_pe_name(pe));
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
		if (tcesim_alloc_pages(w, order, &hpa))
			return script_error(ctx, "dma_map: out of simulated RAM");
	}
	dma = tcesim_pe_dma_map(pe, dev, hpa, (unsigned long)npages, dir);
	if (dma == TCESIM_DMA_MAPPING_ERROR) {
		res->ret = -1;
		tcesim_pe_get_info(pe, &pi);
		script_explain(ctx, "iommu_alloc failed: %s", pi.owned ?
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
	{ NULL, NULL, NULL, NULL },
};
