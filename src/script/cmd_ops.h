/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmd_ops.h - what the ops-module scenario commands share: cmd_ops.c,
 * cmd_tce.c, cmd_owner.c, cmd_tce_check.c, cmd_device_dma.c, with their
 * helpers in cmd_ops_common.c (see script_internal.h and shared/SCENARIO.md
 * "PHBs, PEs", "Kernel DMA API", "Table operations", "Device DMA"): PHBs,
 * PEs (iommu table groups), PCI devices and drivers, the kernel DMA API
 * on window 0, TCE exchange/get/kill, the pre-2015 pool lock path,
 * ownership, device DMA through the PHB TCE cache.
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
#ifndef TCESIM_SCRIPT_CMD_OPS_H
#define TCESIM_SCRIPT_CMD_OPS_H

#include "script/script_internal.h"

/* Snapshot of a table and its PHB, for what --explain says changed. */
struct tbl_snap {
	struct tcesim_iommu_table_info ti;
	struct tcesim_phb_stats ps;
};

/* cmd_ops_common.c: the helpers of the former single cmd_ops.c. */
bool cmdops_legacy(struct script_ctx *ctx);
unsigned int cmdops_page_shift(struct tcesim_iommu_table *tbl);
bool cmdops_dir_writes(enum tcesim_dma_data_direction d);
const char *cmdops_yesno(bool b);
bool cmdops_table_lookup(struct script_ctx *ctx, const char *name, struct tcesim_pe **pe,
			 unsigned int *num, struct tcesim_iommu_table **tbl);
void cmdops_snap(struct tcesim_pe *pe, struct tcesim_iommu_table *tbl, struct tbl_snap *s);
void cmdops_explain_kills(struct script_ctx *ctx, const char *tname, struct tcesim_pe *pe,
			  const struct tbl_snap *a, const struct tbl_snap *b);
bool cmdops_page_dirty(struct tcesim_world *w, uint64_t hpa);
int cmdops_page_pins(struct tcesim_world *w, uint64_t hpa);
void cmdops_pin_release(struct script_ctx *ctx, struct tcesim_iommu_table *tbl, uint64_t entry,
			uint64_t old_tce);
int cmdops_pin_record(struct script_ctx *ctx, struct tcesim_iommu_table *tbl, uint64_t entry,
		      uint64_t hpa);
bool cmdops_arg_page(struct script_ctx *ctx, const struct script_line *ln,
		     struct tcesim_iommu_table *tbl, enum tcesim_dma_data_direction dir,
		     uint64_t *hpa, struct tcesim_mm **mmp, bool *pinned, int *err);
bool cmdops_table_args(struct script_ctx *ctx, const struct script_line *ln, int pos,
		       struct tcesim_pe **pe, unsigned int *num, struct tcesim_iommu_table **tbl,
		       const char **tname, uint64_t *entry);

/*
 * The table a table command or check names: TABLE at position @pos and,
 * with @entry, entry=N. cmdops_target_args() returns false on a syntax
 * error (nothing held); true with t->tbl a reference, or NULL when the PE
 * has no table in that window now. The command then parses its own
 * arguments and passes the outcome to cmdops_target_keep(), which drops
 * the reference when they failed and returns @args_ok; so the first
 * syntax error reported is the table's, then entry's, then the command's.
 */
struct cmdops_target {
	struct tcesim_pe *pe;
	struct tcesim_iommu_table *tbl;
	const char *tname;
	unsigned int num;
	uint64_t entry;
};
bool cmdops_target_args(struct script_ctx *ctx, const struct script_line *ln, int pos,
			bool entry, struct cmdops_target *t);
bool cmdops_target_keep(struct cmdops_target *t, bool args_ok);

#endif /* TCESIM_SCRIPT_CMD_OPS_H */
