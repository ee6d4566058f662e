// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * cmd_tce_check.c - scenario checks on TCE tables: check tce, check table,
 * check kills (a table the PE lacks now is a failed expectation).
 */
#include <inttypes.h>

#include "script/cmd_ops.h"

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
	if (!cmdops_table_args(ctx, ln, 1, &pe, &num, &tbl, &tname, &entry))
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
	if (!tname || !cmdops_table_lookup(ctx, tname, &pe, &num, &tbl))
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
		       cmdops_yesno(tcesim_iommu_table_in_use(tbl) == 1), ti.levels_allocated,
		       ti.levels, ti.kills);
	if (script_arg(ln, "in_use"))
		script_check_str(ctx, "in_use", cmdops_yesno(in_use),
				 cmdops_yesno(tcesim_iommu_table_in_use(tbl) == 1));
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
	if (!tname || !cmdops_table_lookup(ctx, tname, &pe, &num, &tbl))
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


const struct script_cmd script_cmds_tce_check[] = {
	{ "check tce", "entry,value", cmd_check_tce, "check tce TABLE entry=N value=VALUE" },
	{ "check table", "in_use,levels", cmd_check_table,
	  "check table TABLE [in_use=yes|no] [levels=N]   # levels: hardware level tables "
	  "allocated, top included; fails when the PE has no such table now" },
	{ "check kills", "count", cmd_check_kills,
	  "check kills TABLE count=N   # invalidation calls that reached a PE since creation" },
	{ NULL, NULL, NULL, NULL },
};
