// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * cmd_owner.c - scenario commands on PE ownership: take/release_ownership
 * (iommu_take_ownership) and the DMA-owner claims of the iommu core
 * (claim_dma_owner, device_claim_dma_owner and their releases).
 */
#include <inttypes.h>

#include "script/cmd_ops.h"

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
	for (n = 0; n < TCESIM_PE_MAX_WINDOWS; n++) {
		if ((a->windows ^ b->windows) & (1u << n))
			script_explain(ctx, "window %u %s (PE-wide kill)", n, (b->windows >> n) & 1 ?
				       "programmed with a new default table" :
				       "unset, its default table dropped");
	}
	if (tcesim_pe_get_table(pe, 0, &tbl))
		return;
	if (b->owned && !a->owned)
		script_explain(ctx, "%s:0 it_map: all bits set (was %s): every kernel dma_map now "
			       "fails with DMA_MAPPING_ERROR", tcesim_pe_name(pe),
			       in_use_before == 1 ? "in use" : "only reserved bits");
	else if (!b->owned && a->owned)
		script_explain(ctx, "%s:0 it_map: cleared, entry 0 and the reserved range set "
			       "again: the kernel DMA API can allocate", tcesim_pe_name(pe));
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
		*pe = tcesim_pci_dev_pe(*dev);
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
			       "take_ownership; owner_cnt %u", tcesim_pe_name(pe), b->owner_cnt);
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
				       "release_ownership", tcesim_pe_name(pe));
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


const struct script_cmd script_cmds_owner[] = {
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
	{ NULL, NULL, NULL, NULL },
};
