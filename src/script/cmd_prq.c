// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * cmd_prq.c - scenario commands of the prq module (see script_internal.h):
 * the VT-d page request queue, its event thread, the invalidation queue and
 * the PASID drain (SCENARIO.md "Page request queue").
 *
 * Objects are cmd_sva.c's "iommu" and "pdev". An IOMMU's PRQ is enabled
 * the first time a command needs it (intel_iommu_enable_prq at boot).
 * `check response(s)` live in cmd_sva.c.
 */
#include <inttypes.h>

#include "script/script_internal.h"

static const struct script_flag access_flags[] = {
	{ "read", TCESIM_IOMMU_FAULT_PERM_READ },
	{ "write", TCESIM_IOMMU_FAULT_PERM_WRITE },
	{ "exec", TCESIM_IOMMU_FAULT_PERM_EXEC },
	{ NULL, 0 },
};

/* pasid=N or pasid=none (*present = false) */
static bool arg_pasid(struct script_ctx *ctx, const struct script_line *ln, bool *present,
		      uint32_t *pasid)
{
	const char *v = script_arg(ln, "pasid");
	uint64_t p;

	if (v && !strcmp(v, "none")) {
		*present = false;
		*pasid = 0;
		return true;
	}
	if (!script_arg_u64(ctx, ln, "pasid", true, 0, &p))
		return false;
	if (p >> TCESIM_IOMMU_MAX_PASID_BITS) {
		script_error(ctx, "%s: pasid=%s does not fit 20 bits", ln->cmd, v);
		return false;
	}
	*present = true;
	*pasid = (uint32_t)p;
	return true;
}

static struct tcesim_device *need_pdev(struct script_ctx *ctx, const struct script_line *ln)
{
	return script_obj_need(ctx, "pdev", script_pos(ctx, ln, 0, "device"));
}

/* `check prq IOMMU`: the IOMMU is the second bare word */
static struct tcesim_iommu *need_check_iommu(struct script_ctx *ctx, const struct script_line *ln)
{
	return script_obj_need(ctx, "iommu", ln->npos > 1 ? ln->pos[1] : NULL);
}

static void explain_req(struct script_ctx *ctx, struct tcesim_iommu *iommu,
			const struct tcesim_vtd_page_req *r, int ret)
{
	struct tcesim_prq_stats st = { 0 };

	if (!script_explaining(ctx))
		return;
	(void)tcesim_prq_get_stats(iommu, &st);
	script_explain(ctx, "PRQ %s: %s rid %04x pasid %s%u prg %u addr 0x%" PRIx64 " %s%s%s%s%s -> %s"
		       " (pending %ld%s)", tcesim_iommu_name(iommu),
		       r->lpig && !r->rd && !r->wr ? "stop marker" : "page request", r->rid,
		       r->pasid_present ? "" : "none/", r->pasid,
		       r->prg_index, r->addr, r->rd ? "r" : "-", r->wr ? "w" : "-",
		       r->exe ? "x" : "-", r->pm ? " priv" : "", r->lpig ? " last" : "",
		       ret ? tcesim_errname(ret) : "written", tcesim_prq_pending(iommu),
		       st.prs & TCESIM_DMA_PRS_PRO ? ", PRO set" : "");
}

static int do_request(struct script_ctx *ctx, struct tcesim_device *dev,
		      struct tcesim_vtd_page_req *r, struct script_result *res)
{
	res->ret = tcesim_vtd_pri_request_page(dev, r);
	if (tcesim_device_pri_enabled(dev) && !res->ret)
		(void)tcesim_vtd_device_rid(dev, &r->rid);
	if (res->ret != -EPERM && res->ret != -EINVAL)
		explain_req(ctx, tcesim_device_iommu(dev), r, (int)res->ret);
	return SCRIPT_OK;
}

static int cmd_prq_request(struct script_ctx *ctx, const struct script_line *ln,
			   struct script_result *res)
{
	struct tcesim_device *dev = need_pdev(ctx, ln);
	struct tcesim_vtd_page_req r = { 0 };
	uint64_t addr, perm, prg;
	bool last, priv;

	if (!dev || !arg_pasid(ctx, ln, &r.pasid_present, &r.pasid) ||
	    !script_arg_u64(ctx, ln, "addr", true, 0, &addr) ||
	    !script_arg_flags(ctx, ln, "access", access_flags, TCESIM_IOMMU_FAULT_PERM_READ,
			      &perm) ||
	    !script_arg_u64(ctx, ln, "prg", false, 0, &prg) ||
	    !script_arg_bool(ctx, ln, "last", false, &last) ||
	    !script_arg_bool(ctx, ln, "priv", false, &priv))
		return SCRIPT_ERR;
	if (prg > 0x1ff)
		return script_error(ctx, "prq_request: prg=%" PRIu64 " does not fit 9 bits", prg);
	if (!perm)
		return script_error(ctx, "prq_request: access= names no access "
				    "(stop markers come from prq_stop_marker)");
	r.addr = addr;
	r.prg_index = (uint32_t)prg;
	r.rd = perm & TCESIM_IOMMU_FAULT_PERM_READ;
	r.wr = perm & TCESIM_IOMMU_FAULT_PERM_WRITE;
	r.exe = perm & TCESIM_IOMMU_FAULT_PERM_EXEC;
	r.pm = priv;
	r.lpig = last;
	return do_request(ctx, dev, &r, res);
}

static int cmd_prq_stop_marker(struct script_ctx *ctx, const struct script_line *ln,
			       struct script_result *res)
{
	struct tcesim_device *dev = need_pdev(ctx, ln);
	struct tcesim_vtd_page_req r = { 0 };
	uint64_t prg;

	if (!dev || !arg_pasid(ctx, ln, &r.pasid_present, &r.pasid) ||
	    !script_arg_u64(ctx, ln, "prg", true, 0, &prg))
		return SCRIPT_ERR;
	if (prg > 0x1ff)
		return script_error(ctx, "prq_stop_marker: prg=%" PRIu64 " does not fit 9 bits",
				    prg);
	r.prg_index = (uint32_t)prg;
	r.lpig = true;
	return do_request(ctx, dev, &r, res);
}

static int cmd_prq_service(struct script_ctx *ctx, const struct script_line *ln,
			   struct script_result *res)
{
	struct tcesim_iommu *iommu =
		script_obj_need(ctx, "iommu", script_pos(ctx, ln, 0, "IOMMU"));
	struct tcesim_prq_stats a, b;
	int err;

	if (!iommu)
		return SCRIPT_ERR;
	err = tcesim_intel_iommu_enable_prq(iommu);
	if (err) {
		res->ret = err;
		return SCRIPT_OK;
	}
	(void)tcesim_prq_get_stats(iommu, &a);
	res->ret = tcesim_prq_event_thread(iommu);
	if (res->ret < 0)
		return SCRIPT_OK;
	script_report_dec(res, "consumed", res->ret);
	res->ret = 0;
	/* the fault workqueue runs to completion: every response is sent */
	(void)tcesim_prq_flush_faults(iommu);
	(void)tcesim_prq_get_stats(iommu, &b);
	script_explain(ctx, "PRQ %s: pass consumed %lu (reported %lu, bad %lu, stop markers %lu),"
		       " page group responses %lu, PQH 0x%x PQT 0x%x%s", tcesim_iommu_name(iommu),
		       b.consumed - a.consumed, b.reported - a.reported, b.bad - a.bad,
		       b.stop_markers - a.stop_markers, b.pgrp_resps - a.pgrp_resps, b.head, b.tail,
		       b.prs & TCESIM_DMA_PRS_PRO ? ", PRO still set" :
		       (a.prs & TCESIM_DMA_PRS_PRO ? ", PRO cleared" : ""));
	return SCRIPT_OK;
}

static int cmd_prq_drain(struct script_ctx *ctx, const struct script_line *ln,
			 struct script_result *res)
{
	struct tcesim_device *dev = need_pdev(ctx, ln);
	struct tcesim_prq_stats a = { 0 }, b = { 0 };
	uint32_t pasid;
	bool present;

	if (!dev || !arg_pasid(ctx, ln, &present, &pasid))
		return SCRIPT_ERR;
	(void)tcesim_prq_get_stats(tcesim_device_iommu(dev), &a);
	res->ret = tcesim_intel_iommu_drain_pasid_prq(dev, present ? pasid : TCESIM_IOMMU_NO_PASID);
	(void)tcesim_prq_get_stats(tcesim_device_iommu(dev), &b);
	script_report_dec(res, "waits", (long long)(b.drain_waits - a.drain_waits));
	script_report_dec(res, "qi", (long long)(b.qi_drains - a.qi_drains));
	script_explain(ctx, "drain %s pasid %s%u: waited %lu time(s) for the event thread, "
		       "%lu QI drain submission(s), %lu page group response(s) on the way",
		       tcesim_device_name(dev), present ? "" : "none/", pasid,
		       b.drain_waits - a.drain_waits, b.qi_drains - a.qi_drains,
		       b.pgrp_resps - a.pgrp_resps);
	return SCRIPT_OK;
}

static int cmd_check_prq(struct script_ctx *ctx, const struct script_line *ln,
			 struct script_result *res)
{
	struct tcesim_iommu *iommu = need_check_iommu(ctx, ln);
	struct tcesim_prq_stats st = { 0 };
	const char *ovf = script_arg(ln, "overflow");
	uint64_t pending;

	(void)res;
	if (!iommu || !script_arg_u64(ctx, ln, "pending", false, 0, &pending))
		return SCRIPT_ERR;
	if (ovf && strcmp(ovf, "yes") && strcmp(ovf, "no"))
		return script_error(ctx, "check prq: overflow=yes|no");
	(void)tcesim_prq_get_stats(iommu, &st);
	if (script_arg(ln, "pending"))
		script_check_u64(ctx, "pending", pending, (uint64_t)tcesim_prq_pending(iommu));
	if (ovf)
		script_check_str(ctx, "overflow", ovf, st.prs & TCESIM_DMA_PRS_PRO ? "yes" : "no");
	return SCRIPT_OK;
}

static int cmd_check_qi(struct script_ctx *ctx, const struct script_line *ln,
			struct script_result *res)
{
	struct tcesim_iommu *iommu = need_check_iommu(ctx, ln);
	struct tcesim_prq_stats st = { 0 };
	uint64_t v;

	(void)res;
	if (!iommu)
		return SCRIPT_ERR;
	(void)tcesim_prq_get_stats(iommu, &st);
	if (script_arg(ln, "drains")) {
		if (!script_arg_u64(ctx, ln, "drains", true, 0, &v))
			return SCRIPT_ERR;
		script_check_u64(ctx, "drains", v, st.qi_drains);
	}
	if (script_arg(ln, "responses")) {
		if (!script_arg_u64(ctx, ln, "responses", true, 0, &v))
			return SCRIPT_ERR;
		script_check_u64(ctx, "responses", v, st.pgrp_resps);
	}
	return SCRIPT_OK;
}

const struct script_cmd script_cmds_prq[] = {
	{ "prq_request", "pasid,addr,access,prg,last,priv", cmd_prq_request,
	  "prq_request DEV pasid=N|none addr=ADDR access=read,write,exec [prg=N] [last=yes] "
	  "[priv=yes]   => ok | ENOSPC | EINVAL | EPERM" },
	{ "prq_stop_marker", "pasid,prg", cmd_prq_stop_marker,
	  "prq_stop_marker DEV pasid=N prg=N      a stop marker (LPIG, no access)" },
	{ "prq_service", "", cmd_prq_service,
	  "prq_service IOMMU                      one event-thread pass, then the fault work "
	  "=> ok consumed=N" },
	{ "prq_drain", "pasid", cmd_prq_drain,
	  "prq_drain DEV pasid=N|none             intel_iommu_drain_pasid_prq => ok waits=N qi=N" },
	{ "check prq", "pending,overflow", cmd_check_prq,
	  "check prq IOMMU [pending=N] [overflow=yes|no]" },
	{ "check qi", "drains,responses", cmd_check_qi,
	  "check qi IOMMU [drains=N] [responses=N]  QI submissions with the PRQ-drain bit; "
	  "page group responses" },
	{ NULL, NULL, NULL, NULL },
};
