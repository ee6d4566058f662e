// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * cmd_ops_common.c - helpers shared by the ops-module scenario commands
 * (cmd_ops.c, cmd_tce.c, cmd_owner.c, cmd_tce_check.c, cmd_device_dma.c):
 * table names, snapshots for --explain, page queries, runner-held pins (see
 * the page-reference rules atop cmd_ops.h).
 */
#include <inttypes.h>

#include "script/cmd_ops.h"

/* ------------------------------------------------------------- helpers -- */

bool cmdops_legacy(struct script_ctx *ctx)
{
	return tcesim_world_cfg(script_world(ctx))->flavour == TCESIM_FLAVOUR_LEGACY_2015;
}

/* IOMMU page shift of a table (tcesim_iommu_table_get_info()). */
unsigned int cmdops_page_shift(struct tcesim_iommu_table *tbl)
{
	struct tcesim_iommu_table_info ti;

	return tcesim_iommu_table_get_info(tbl, &ti) ? 0 : ti.it_page_shift;
}

bool cmdops_dir_writes(enum tcesim_dma_data_direction d)
{
	return d == TCESIM_DMA_FROM_DEVICE || d == TCESIM_DMA_BIDIRECTIONAL;
}

const char *cmdops_yesno(bool b)
{
	return b ? "yes" : "no";
}

/* Resolves "PE:WINDOW". Syntax errors return false; *@tbl may be NULL. */
bool cmdops_table_lookup(struct script_ctx *ctx, const char *name, struct tcesim_pe **pe,
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
	if (n >= TCESIM_PE_MAX_WINDOWS) {
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

void cmdops_snap(struct tcesim_pe *pe, struct tcesim_iommu_table *tbl, struct tbl_snap *s)
{
	memset(s, 0, sizeof(*s));
	if (tbl)
		tcesim_iommu_table_get_info(tbl, &s->ti);
	tcesim_phb_get_stats(tcesim_pe_phb(pe), &s->ps);
}

/* What the PHB did between two snapshots (kills, evictions). */
void cmdops_explain_kills(struct script_ctx *ctx, const char *tname, struct tcesim_pe *pe,
			  const struct tbl_snap *a, const struct tbl_snap *b)
{
	const char *phb = tcesim_phb_name(tcesim_pe_phb(pe));

	if (!script_explaining(ctx))
		return;
	if (b->ti.kills != a->ti.kills)
		script_explain(ctx, "kills of %s: %" PRIu64 " -> %" PRIu64, tname, a->ti.kills,
			       b->ti.kills);
	if (b->ps.kill_reg_writes != a->ps.kill_reg_writes)
		script_explain(ctx, "PHB %s: %" PRIu64 " kill register write(s)", phb,
			       b->ps.kill_reg_writes - a->ps.kill_reg_writes);
	if (b->ps.opal_kills != a->ps.opal_kills)
		script_explain(ctx, "PHB %s: %" PRIu64 " opal_pci_tce_kill() call(s)",
			       phb, b->ps.opal_kills - a->ps.opal_kills);
	if (b->ps.cache_evictions != a->ps.cache_evictions)
		script_explain(ctx, "PHB %s: %" PRIu64 " cached translation(s) evicted",
			       phb, b->ps.cache_evictions - a->ps.cache_evictions);
}

bool cmdops_page_dirty(struct tcesim_world *w, uint64_t hpa)
{
	struct tcesim_page_info pi;

	return !tcesim_page_query(w, hpa, &pi) && pi.dirty;
}

int cmdops_page_pins(struct tcesim_world *w, uint64_t hpa)
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
	uint64_t mask = ~((1ULL << cmdops_page_shift(pin->tbl)) - 1);

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
void cmdops_pin_release(struct script_ctx *ctx, struct tcesim_iommu_table *tbl, uint64_t entry,
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
		       "holds it", pin->hpa, cmdops_page_pins(w, pin->hpa));
	tcesim_iommu_tce_table_put(pin->tbl);
	script_obj_del(ctx, "tce_pin", key);
	free(pin);
}

int cmdops_pin_record(struct script_ctx *ctx, struct tcesim_iommu_table *tbl, uint64_t entry,
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
bool cmdops_arg_page(struct script_ctx *ctx, const struct script_line *ln,
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
	n = tcesim_pin_user_pages_fast(mm, va, 1, cmdops_dir_writes(dir) ? TCESIM_FOLL_WRITE : 0,
				       &host);
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
	psz = 1ULL << tcesim_world_cfg(w)->host_page_shift;
	*hpa = (host + (va & (psz - 1))) & ~((1ULL << cmdops_page_shift(tbl)) - 1);
	if (*hpa < host)
		*hpa = host;
	script_explain(ctx, "page 0x%" PRIx64 " backing %s va 0x%" PRIx64 " pinned (pins now %d)",
		       host, tcesim_mm_name(mm), va, cmdops_page_pins(w, host));
	return true;
}


/* Common start of a table command: table, entry=. */
bool cmdops_table_args(struct script_ctx *ctx, const struct script_line *ln, int pos,
		       struct tcesim_pe **pe, unsigned int *num, struct tcesim_iommu_table **tbl,
		       const char **tname, uint64_t *entry)
{
	*tname = script_pos(ctx, ln, pos, "table (PE:WINDOW)");
	if (!*tname || !cmdops_table_lookup(ctx, *tname, pe, num, tbl))
		return false;
	if (!script_arg_u64(ctx, ln, "entry", true, 0, entry)) {
		if (*tbl)
			tcesim_iommu_tce_table_put(*tbl);
		return false;
	}
	return true;
}

bool cmdops_target_args(struct script_ctx *ctx, const struct script_line *ln, int pos,
			bool entry, struct cmdops_target *t)
{
	memset(t, 0, sizeof(*t));
	if (entry)
		return cmdops_table_args(ctx, ln, pos, &t->pe, &t->num, &t->tbl, &t->tname,
					 &t->entry);
	t->tname = script_pos(ctx, ln, pos, "table (PE:WINDOW)");
	return t->tname && cmdops_table_lookup(ctx, t->tname, &t->pe, &t->num, &t->tbl);
}

bool cmdops_target_keep(struct cmdops_target *t, bool args_ok)
{
	if (!args_ok && t->tbl) {
		tcesim_iommu_tce_table_put(t->tbl);
		t->tbl = NULL;
	}
	return args_ok;
}
