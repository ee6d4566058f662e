// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * cmd_explore.c - teaching commands for exploration examples (issue 10).
 *
 * tce_get_set writes a TCE the way the kernel did before seed 000 ("Release
 * replaced TCE", April 2015): read the old entry, write the new one, then
 * release the old page, with no lock held. Two CPUs doing that on one entry
 * can both read the same old TCE: one new page is then never released and
 * the old one is released twice. tce_xchg_set does the same with one atomic
 * exchange, as arch/powerpc/kernel/iommu.c: iommu_tce_xchg_no_kill() and
 * arch/powerpc/platforms/powernv/pci-ioda-tce.c: pnv_tce_xchg() do since
 * then: each old value is returned to exactly one caller.
 *
 * tce_get_set reads with it_ops->get (tcesim_iommu_tce_get) and writes with
 * it_ops->xchg_no_kill, ignoring what that returns: the value it acts on is
 * the one it read. Both act on absolute entry @entry of window 0 of a PE
 * and kill the entry after writing, pinning the page at mm:va
 * (as VFIO's tce_iommu_build_v2() pins a user page) and unpinning the page
 * the old TCE pointed to (tce_iommu_unuse_page()). Without mm= the entry is
 * cleared.
 */
#include <inttypes.h>

#include "script/script_internal.h"

static int tce_set_common(struct script_ctx *ctx, const struct script_line *ln,
			  struct script_result *res, bool exchange)
{
	const char *pename = script_pos(ctx, ln, 0, "PE");
	struct tcesim_world *w = script_world(ctx);
	struct tcesim_iommu_table *tbl = NULL;
	enum tcesim_dma_data_direction dir = TCESIM_DMA_NONE;
	struct tcesim_pe *pe;
	struct tcesim_mm *mm = NULL;
	uint64_t entry, va = 0, hpa = 0, newtce = 0, old = 0;
	int ret;

	if (!pename || !script_arg_u64(ctx, ln, "entry", true, 0, &entry))
		return SCRIPT_ERR;
	pe = script_obj_need(ctx, "pe", pename);
	if (!pe)
		return SCRIPT_ERR;
	if (script_arg(ln, "mm")) {
		mm = script_obj_need(ctx, "mm", script_arg(ln, "mm"));
		if (!mm || !script_arg_u64(ctx, ln, "va", true, 0, &va))
			return SCRIPT_ERR;
	}
	ret = tcesim_pe_get_table(pe, 0, &tbl);
	if (ret) {
		res->ret = ret;
		return SCRIPT_OK;
	}
	if (mm) {
		long n = tcesim_pin_user_pages_fast(mm, va, 1, TCESIM_FOLL_WRITE, &hpa);

		if (n != 1) {
			tcesim_iommu_tce_table_put(tbl);
			res->ret = n < 0 ? n : -EFAULT;
			return SCRIPT_OK;
		}
		dir = TCESIM_DMA_BIDIRECTIONAL;
		newtce = hpa | TCESIM_TCE_PCI_READ | TCESIM_TCE_PCI_WRITE;
	}
	if (exchange) {
		/* seed 000: the old TCE comes back from the one atomic exchange */
		uint64_t h = hpa;

		ret = tcesim_iommu_tce_xchg_no_kill(NULL, tbl, entry, &h, &dir);
		old = h ? h | TCESIM_TCE_PCI_READ | TCESIM_TCE_PCI_WRITE : 0;
	} else {
		/* the pre-2015 pattern: another CPU may write between these two */
		ret = tcesim_iommu_tce_get(tbl, entry, &old);
		if (!ret) {
			uint64_t h = hpa;

			ret = tcesim_iommu_tce_xchg_no_kill(NULL, tbl, entry, &h, &dir);
		}
	}
	if (!ret)
		ret = tcesim_iommu_tce_kill(tbl, entry, 1);
	if (ret) {
		if (hpa)
			tcesim_unpin_user_page(w, hpa);
		tcesim_iommu_tce_table_put(tbl);
		res->ret = ret;
		return SCRIPT_OK;
	}
	if (old & TCESIM_TCE_PERM_MASK)
		tcesim_unpin_user_page(w, old & ~(uint64_t)0xfff);
	script_explain(ctx, "entry %" PRIu64 ": 0x%" PRIx64 " -> 0x%" PRIx64 "%s", entry, old,
		       newtce, old & TCESIM_TCE_PERM_MASK ? " (old page unpinned)" : "");
	script_report_u64(res, "old", old);
	tcesim_iommu_tce_table_put(tbl);
	return SCRIPT_OK;
}

static int cmd_tce_get_set(struct script_ctx *ctx, const struct script_line *ln,
			   struct script_result *res)
{
	return tce_set_common(ctx, ln, res, false);
}

static int cmd_tce_xchg_set(struct script_ctx *ctx, const struct script_line *ln,
			    struct script_result *res)
{
	return tce_set_common(ctx, ln, res, true);
}

const struct script_cmd script_cmds_explore[] = {
	{ "tce_get_set", "entry,mm,va", cmd_tce_get_set,
	  "tce_get_set PE entry=N [mm=M va=V]     teaching: read the TCE, write the new one, "
	  "unpin the old page (no lock: pre-seed-000)" },
	{ "tce_xchg_set", "entry,mm,va", cmd_tce_xchg_set,
	  "tce_xchg_set PE entry=N [mm=M va=V]    the same with one atomic exchange (seed 000)" },
	{ NULL, NULL, NULL, NULL },
};
