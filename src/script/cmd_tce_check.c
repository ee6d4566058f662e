// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * cmd_tce_check.c - scenario checks on TCE tables: check tce, check table,
 * check kills (a table the PE lacks now is a failed expectation).
 */
#include <inttypes.h>

#include "script/cmd_ops.h"

/* -------------------------------------------------------------- checks -- */

/* A check on a table the PE lacks: one failed expectation per key; the check is over. */
static int check_no_table(struct script_ctx *ctx, const struct script_line *ln,
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
	return SCRIPT_OK;
}

static int cmd_check_tce(struct script_ctx *ctx, const struct script_line *ln,
			 struct script_result *res)
{
	struct cmdops_target t;
	uint64_t want, tce = 0;

	(void)res;
	if (!cmdops_target_args(ctx, ln, 1, true, &t) ||
	    !cmdops_target_keep(&t, script_arg_u64(ctx, ln, "value", true, 0, &want)))
		return SCRIPT_ERR;
	if (!t.tbl)
		return check_no_table(ctx, ln, t.tname);
	if (tcesim_iommu_tce_get(t.tbl, t.entry, &tce)) {
		tcesim_iommu_tce_table_put(t.tbl);
		return script_error(ctx, "check tce: entry=0x%" PRIx64 " is outside %s", t.entry,
				    t.tname);
	}
	script_explain(ctx, "TCE[0x%" PRIx64 "] = 0x%" PRIx64, t.entry, tce);
	script_check_u64(ctx, "value", want, tce);
	tcesim_iommu_tce_table_put(t.tbl);
	return SCRIPT_OK;
}

static int cmd_check_table(struct script_ctx *ctx, const struct script_line *ln,
			   struct script_result *res)
{
	struct tcesim_iommu_table_info ti;
	struct cmdops_target t;
	uint64_t levels;
	bool in_use;

	(void)res;
	if (!cmdops_target_args(ctx, ln, 1, false, &t) ||
	    !cmdops_target_keep(&t, script_arg_bool(ctx, ln, "in_use", false, &in_use) &&
				    script_arg_u64(ctx, ln, "levels", false, 0, &levels)))
		return SCRIPT_ERR;
	if (!t.tbl)
		return check_no_table(ctx, ln, t.tname);
	tcesim_iommu_table_get_info(t.tbl, &ti);
	script_explain(ctx, "%s: in_use=%s, %ld hardware level table(s) allocated of %u "
		       "level(s), kills %" PRIu64, t.tname,
		       cmdops_yesno(tcesim_iommu_table_in_use(t.tbl) == 1), ti.levels_allocated,
		       ti.levels, ti.kills);
	if (script_arg(ln, "in_use"))
		script_check_str(ctx, "in_use", cmdops_yesno(in_use),
				 cmdops_yesno(tcesim_iommu_table_in_use(t.tbl) == 1));
	if (script_arg(ln, "levels"))
		script_check_u64(ctx, "levels", levels, (uint64_t)ti.levels_allocated);
	if (!script_arg(ln, "in_use") && !script_arg(ln, "levels"))
		script_check_str(ctx, "table", t.tname, t.tname); /* exists */
	tcesim_iommu_tce_table_put(t.tbl);
	return SCRIPT_OK;
}

static int cmd_check_kills(struct script_ctx *ctx, const struct script_line *ln,
			   struct script_result *res)
{
	struct tcesim_iommu_table_info ti;
	struct cmdops_target t;
	uint64_t count;

	(void)res;
	if (!cmdops_target_args(ctx, ln, 1, false, &t) ||
	    !cmdops_target_keep(&t, script_arg_u64(ctx, ln, "count", true, 0, &count)))
		return SCRIPT_ERR;
	if (!t.tbl)
		return check_no_table(ctx, ln, t.tname);
	tcesim_iommu_table_get_info(t.tbl, &ti);
	script_explain(ctx, "%s: %" PRIu64 " invalidation call(s) reached a PE", t.tname, ti.kills);
	script_check_u64(ctx, "count", count, ti.kills);
	tcesim_iommu_tce_table_put(t.tbl);
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
