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
 * Both act on entry @entry of window 0 of a PE, pinning the page at mm:va
 * (as VFIO's tce_iommu_build_v2() pins a user page) and unpinning the page
 * the old TCE pointed to (tce_iommu_unuse_page()). Without mm= the entry is
 * cleared.
 */
#include <inttypes.h>

#include "script/script_internal.h"
#include "table/table_internal.h"
#include <tcesim/mem.h>
#include <tcesim/phb.h>

static int tce_set_common(struct script_ctx *ctx, const struct script_line *ln,
			  struct script_result *res, bool exchange)
{
	const char *pename = script_pos(ctx, ln, 0, "PE");
	struct tcesim_world *w = script_world(ctx);
	struct tcesim_iommu_table *tbl = NULL;
	struct tcesim_pe *pe;
	struct tcesim_mm *mm = NULL;
	_Atomic uint64_t *slot;
	uint64_t entry, va = 0, hpa = 0, newtce = 0, old;

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
	if (tcesim_pe_get_table(pe, 0, &tbl)) {
		res->ret = -ENOENT;
		return SCRIPT_OK;
	}
	if (entry >= tbl->it_size) {
		tcesim_iommu_tce_table_put(tbl);
		return script_error(ctx, "%s: entry %" PRIu64 " outside the window (%" PRIu64
				    " entries)", ln->cmd, entry, tbl->it_size);
	}
	slot = tce_slot(tbl, false, (long)(tbl->it_offset + entry), true);
	if (!slot) {
		tcesim_iommu_tce_table_put(tbl);
		res->ret = -ENOMEM;
		return SCRIPT_OK;
	}
	if (mm) {
		long n = tcesim_pin_user_pages_fast(mm, va, 1, TCESIM_FOLL_WRITE, &hpa);

		if (n != 1) {
			tcesim_iommu_tce_table_put(tbl);
			res->ret = n < 0 ? n : -EFAULT;
			return SCRIPT_OK;
		}
		newtce = hpa | TCESIM_TCE_PCI_READ | TCESIM_TCE_PCI_WRITE;
	}
	if (exchange) {
		old = tce_xchg(slot, newtce);
	} else {
		/* the pre-2015 pattern: another CPU may write between these two */
		old = tce_read(slot);
		tce_write(slot, newtce);
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
