// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * cmd_tce.c - scenario commands on TCE tables (SCENARIO.md "Table operations"):
 * tce_xchg, tce_get, tce_kill, and the pre-2015 pool-lock path tce_build /
 * tce_clear. Page-reference rules: cmd_ops.h.
 */
#include <inttypes.h>

#include "script/cmd_ops.h"

/* ------------------------------------------------------ TCE commands --- */

/* The PE has no table in that window now: -ENOENT, explained; the command is over. */
static int tce_no_table(struct script_ctx *ctx, struct script_result *res, const char *tname)
{
	res->ret = -ENOENT;
	script_explain(ctx, "%s: the PE has no table in that window now (e.g. owned by "
		       "userspace on IODA2, or never created)", tname);
	return SCRIPT_OK;
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
	if (cmdops_dir_writes(olddir)) {
		bool now = cmdops_page_dirty(w, old_hpa);

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

	if (!cmdops_table_args(ctx, ln, 0, pe, &num, tbl, tname, entry))
		return SCRIPT_ERR;
	if (!script_arg_dir(ctx, ln, "dir", true, TCESIM_DMA_NONE, dir) ||
	    !cmdops_arg_page(ctx, ln, *tbl, *dir, hpa, mm, pinned, &err)) {
		if (*tbl)
			tcesim_iommu_tce_table_put(*tbl);
		*tbl = NULL;
		return SCRIPT_ERR;
	}
	if (!*tbl)
		return tce_no_table(ctx, res, *tname);
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
	mask = ~((1ULL << cmdops_page_shift(tbl)) - 1);
	if (!tcesim_iommu_tce_get(tbl, entry, &before))
		was_dirty = cmdops_page_dirty(w, before & mask);
	cmdops_snap(pe, tbl, &a);
	if (cmdops_legacy(ctx))
		res->ret = tcesim_iommu_tce_xchg(tbl, entry, &hpa, &dir);
	else
		res->ret = tcesim_iommu_tce_xchg_no_kill(mm, tbl, entry, &hpa, &dir);
	cmdops_snap(pe, tbl, &b);
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
	if (cmdops_legacy(ctx))
		script_explain(ctx, "2015 iommu_tce_xchg: it_ops->exchange invalidates the entry "
			       "itself, then SetPageDirty on the old page");
	cmdops_explain_kills(ctx, tname, pe, &a, &b);
	if (!cmdops_legacy(ctx) && tcesim_phb_has_tce_cache(tcesim_pe_phb(pe)))
		script_explain(ctx, "no kill (xchg_no_kill): the PHB may keep using the old "
			       "translation until tce_kill %s entry=0x%" PRIx64, tname, entry);
	cmdops_pin_release(ctx, tbl, entry, 0);
	if (pinned && cmdops_pin_record(ctx, tbl, entry, after & mask) != SCRIPT_OK) {
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
	cmdops_snap(pe, tbl, &a);
	res->ret = tcesim_iommu_tce_build(tbl, entry, hpa, dir);
	cmdops_snap(pe, tbl, &b);
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
	cmdops_explain_kills(ctx, tname, pe, &a, &b);
	cmdops_pin_release(ctx, tbl, entry, 0);
	if (pinned && cmdops_pin_record(ctx, tbl, entry, hpa) != SCRIPT_OK) {
		tcesim_iommu_tce_table_put(tbl);
		return SCRIPT_ERR;
	}
	tcesim_iommu_tce_table_put(tbl);
	return SCRIPT_OK;
}

static int cmd_tce_clear(struct script_ctx *ctx, const struct script_line *ln,
			 struct script_result *res)
{
	struct cmdops_target t;
	struct tbl_snap a, b;
	uint64_t old = 0;

	if (!cmdops_target_args(ctx, ln, 0, true, &t))
		return SCRIPT_ERR;
	if (!t.tbl)
		return tce_no_table(ctx, res, t.tname);
	cmdops_snap(t.pe, t.tbl, &a);
	res->ret = tcesim_iommu_clear_tce(t.tbl, t.entry, &old);
	cmdops_snap(t.pe, t.tbl, &b);
	if (!res->ret) {
		script_report_u64(res, "old", old);
		script_explain(ctx, "pre-2015 iommu_clear_tce under the pool lock: TCE[0x%" PRIx64
			       "] 0x%" PRIx64 " -> 0x0; the IOMMU code dirties nothing", t.entry,
			       old);
		cmdops_explain_kills(ctx, t.tname, t.pe, &a, &b);
		cmdops_pin_release(ctx, t.tbl, t.entry, old);
	}
	tcesim_iommu_tce_table_put(t.tbl);
	return SCRIPT_OK;
}

static int cmd_tce_get(struct script_ctx *ctx, const struct script_line *ln,
		       struct script_result *res)
{
	struct cmdops_target t;
	uint64_t tce = 0;

	if (!cmdops_target_args(ctx, ln, 0, true, &t))
		return SCRIPT_ERR;
	if (!t.tbl)
		return tce_no_table(ctx, res, t.tname);
	res->ret = tcesim_iommu_tce_get(t.tbl, t.entry, &tce);
	if (!res->ret) {
		script_report_u64(res, "tce", tce);
		script_explain(ctx, "TCE[0x%" PRIx64 "] = 0x%" PRIx64 " (page 0x%" PRIx64 "%s%s)",
			       t.entry, tce, (uint64_t)(tce & ~TCESIM_TCE_PERM_MASK),
			       tce & TCESIM_TCE_PCI_READ ? " R" : "",
			       tce & TCESIM_TCE_PCI_WRITE ? " W" : "");
	}
	tcesim_iommu_tce_table_put(t.tbl);
	return SCRIPT_OK;
}

static int cmd_tce_kill(struct script_ctx *ctx, const struct script_line *ln,
			struct script_result *res)
{
	struct cmdops_target t;
	struct tbl_snap a, b;
	uint64_t npages;

	if (!cmdops_target_args(ctx, ln, 0, true, &t) ||
	    !cmdops_target_keep(&t, script_arg_u64(ctx, ln, "npages", false, 1, &npages)))
		return SCRIPT_ERR;
	if (!t.tbl)
		return tce_no_table(ctx, res, t.tname);
	cmdops_snap(t.pe, t.tbl, &a);
	res->ret = tcesim_iommu_tce_kill(t.tbl, t.entry, (unsigned long)npages);
	cmdops_snap(t.pe, t.tbl, &b);
	if (!res->ret) {
		if (!tcesim_phb_has_tce_cache(tcesim_pe_phb(t.pe)))
			script_explain(ctx, "%s has no TCE cache: nothing to invalidate, no kill "
				       "counted", tcesim_phb_name(tcesim_pe_phb(t.pe)));
		else
			script_explain(ctx, "iommu_tce_kill: entries 0x%" PRIx64 "..0x%" PRIx64
				       " invalidated in every PE the table is linked to", t.entry,
				       t.entry + npages - 1);
		cmdops_explain_kills(ctx, t.tname, t.pe, &a, &b);
	}
	tcesim_iommu_tce_table_put(t.tbl);
	return SCRIPT_OK;
}


const struct script_cmd script_cmds_tce[] = {
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
	{ NULL, NULL, NULL, NULL },
};
