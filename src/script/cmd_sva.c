// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * cmd_sva.c - scenario commands of the sva module (see script_internal.h):
 * IOMMU instances, PCI devices and groups, PASID attach/detach, attach
 * handles, DMA ownership, SVA bind/unbind, I/O page faults.
 *
 * Objects: "iommu", "group", "pdev", "sva" (a bond; `as=` names it, and a
 * second bind of the same pair may name the same bond again), "dma_owner"
 * (an owner cookie per owner= name) and "pasid_attach" ("DEV:PASID", what
 * attach_pasid attached, so detach_pasid can undo it).
 */
#include <inttypes.h>

#include "script/script_internal.h"

/* ------------------------------------------------------------- helpers -- */

static struct tcesim_device *need_pdev(struct script_ctx *ctx, const struct script_line *ln)
{
	return script_obj_need(ctx, "pdev", script_pos(ctx, ln, 0, "device"));
}

/* The device's group name for messages; "(none)" for a device without one. */
static const char *group_name(const struct tcesim_device *dev)
{
	const struct tcesim_iommu_group *g = tcesim_device_iommu_group(dev);

	return g ? tcesim_iommu_group_name(g) : "(none)";
}

static struct tcesim_iommu_group *need_group(struct script_ctx *ctx, const struct script_line *ln)
{
	return script_obj_need(ctx, "group", script_pos(ctx, ln, 0, "group"));
}

/* pasid=N, or pasid=none when @allow_none (returns TCESIM_IOMMU_PASID_INVALID) */
static bool arg_pasid(struct script_ctx *ctx, const struct script_line *ln, bool allow_none,
		      uint32_t *out)
{
	const char *v = script_arg(ln, "pasid");
	uint64_t p;

	if (allow_none && v && !strcmp(v, "none")) {
		*out = TCESIM_IOMMU_PASID_INVALID;
		return true;
	}
	if (!script_arg_u64(ctx, ln, "pasid", true, 0, &p))
		return false;
	if (p > UINT32_MAX - 1) {
		script_error(ctx, "%s: pasid=%s out of range", ln->cmd, v);
		return false;
	}
	*out = (uint32_t)p;
	return true;
}

/* ------------------------------------------------------------- objects -- */

static int cmd_iommu(struct script_ctx *ctx, const struct script_line *ln,
		     struct script_result *res)
{
	const char *name = script_pos(ctx, ln, 0, "IOMMU name");
	const char *model = script_arg(ln, "model");
	struct tcesim_iommu_cfg cfg;
	struct tcesim_iommu *iommu;
	uint64_t bits, depth;

	tcesim_iommu_cfg_init(&cfg);
	if (!name || !script_arg_u64(ctx, ln, "pasid_bits", false, cfg.pasid_bits, &bits) ||
	    !script_arg_u64(ctx, ln, "prq_depth", false, cfg.prq_depth, &depth))
		return SCRIPT_ERR;
	if (!model || strcmp(model, "vtd"))
		return script_error(ctx, "iommu: model=vtd is the only model");
	if (script_obj_get(ctx, "iommu", name))
		return script_error(ctx, "iommu %s already exists", name);
	cfg.name = name;
	cfg.pasid_bits = bits > 64 ? 64 : (unsigned int)bits;
	cfg.prq_depth = depth > UINT32_MAX ? UINT32_MAX : (unsigned int)depth;
	res->ret = tcesim_iommu_create(script_world(ctx), &cfg, &iommu);
	if (res->ret)
		return SCRIPT_OK;
	if (script_obj_add(ctx, "iommu", name, iommu, NULL))
		return script_error(ctx, "out of memory");
	script_explain(ctx, "IOMMU %s: VT-d, %u-bit PASIDs, PRQ depth %u", name, cfg.pasid_bits,
		       cfg.prq_depth);
	return SCRIPT_OK;
}

static int cmd_pdev(struct script_ctx *ctx, const struct script_line *ln,
		    struct script_result *res)
{
	const char *name = script_pos(ctx, ln, 0, "device name");
	const char *gname = script_arg(ln, "group");
	struct tcesim_iommu *iommu = script_obj_need(ctx, "iommu", script_arg(ln, "iommu"));
	struct tcesim_iommu_group *g = NULL;
	struct tcesim_pci_device_cfg cfg;
	struct tcesim_device *dev;
	uint64_t maxp;
	bool pri, new_group = false;

	tcesim_pci_device_cfg_init(&cfg);
	if (!name || !iommu ||
	    !script_arg_u64(ctx, ln, "max_pasids", false, TCESIM_PDEV_MAX_PASIDS_DEFAULT, &maxp) ||
	    !script_arg_bool(ctx, ln, "pri", false, &pri))
		return SCRIPT_ERR;
	if (script_obj_get(ctx, "pdev", name))
		return script_error(ctx, "pdev %s already exists", name);
	if (gname && !strcmp(gname, "none")) {
		cfg.no_group = true;
	} else if (gname) {
		g = script_obj_get(ctx, "group", gname);
		if (!g) {
			res->ret = tcesim_iommu_group_alloc(script_world(ctx), gname, &g);
			if (res->ret)
				return SCRIPT_OK;
			if (script_obj_add(ctx, "group", gname, g, NULL))
				return script_error(ctx, "out of memory");
			script_explain(ctx, "iommu group %s", gname);
		}
	} else {
		if (script_obj_get(ctx, "group", name))
			return script_error(ctx, "pdev: a group named %s exists; give group=", name);
		new_group = true;
	}
	cfg.name = name;
	cfg.group = g;
	cfg.max_pasids = maxp > UINT32_MAX ? UINT32_MAX : (uint32_t)maxp;
	cfg.pri = pri;
	res->ret = tcesim_pci_device_create(iommu, &cfg, &dev);
	if (res->ret)
		return SCRIPT_OK;
	if (script_obj_add(ctx, "pdev", name, dev, NULL) ||
	    (new_group &&
	     script_obj_add(ctx, "group", name, tcesim_device_iommu_group(dev), NULL)))
		return script_error(ctx, "out of memory");
	script_explain(ctx, "device %s on %s: group %s, %u PASIDs%s", name,
		       tcesim_iommu_name(iommu), group_name(dev), tcesim_device_max_pasids(dev), pri ? ", PRI" : "");
	return SCRIPT_OK;
}

/* --------------------------------------------------------------- SVA --- */

static int cmd_sva_bind(struct script_ctx *ctx, const struct script_line *ln,
			struct script_result *res)
{
	struct tcesim_device *dev = need_pdev(ctx, ln);
	struct tcesim_mm *mm = script_obj_need(ctx, "mm", script_arg(ln, "mm"));
	const char *as = script_arg(ln, "as");
	struct tcesim_iommu_sva *h;

	if (!dev || !mm)
		return SCRIPT_ERR;
	if (!as)
		return script_error(ctx, "sva_bind: missing as=");
	if (script_obj_get(ctx, "sva", as))
		return script_error(ctx, "sva handle %s already exists", as);
	res->ret = tcesim_iommu_sva_bind_device(dev, mm, &h);
	if (res->ret)
		return SCRIPT_OK;
	if (script_obj_add(ctx, "sva", as, h, NULL))
		return script_error(ctx, "out of memory");
	script_report_dec(res, "pasid", tcesim_iommu_sva_get_pasid(h));
	script_report_dec(res, "users", tcesim_iommu_sva_users(h));
	script_explain(ctx, "bond %s: %s <-> %s, PASID %u, users %u", as, tcesim_device_name(dev),
		       tcesim_mm_name(mm), tcesim_iommu_sva_get_pasid(h),
		       tcesim_iommu_sva_users(h));
	return SCRIPT_OK;
}

static int cmd_sva_unbind(struct script_ctx *ctx, const struct script_line *ln,
			  struct script_result *res)
{
	const char *name = script_pos(ctx, ln, 0, "sva handle");
	struct tcesim_iommu_sva *h = script_obj_need(ctx, "sva", name);
	unsigned int users;

	(void)res;
	if (!h)
		return SCRIPT_ERR;
	users = tcesim_iommu_sva_users(h);
	script_obj_del(ctx, "sva", name);
	tcesim_iommu_sva_unbind_device(h);
	script_explain(ctx, "bond %s: %s", name,
		       users > 1 ? "one user less" : "PASID detached (the process keeps it)");
	return SCRIPT_OK;
}

/* ------------------------------------------------------ PASID attach --- */

struct pasid_attach {
	struct tcesim_iommu_domain *domain;
	struct tcesim_iommu_attach_handle *handle;	/* NULL: bare domain */
};

static void pasid_attach_free(void *p)
{
	struct pasid_attach *pa = p;

	free(pa->handle);
	free(pa);
}

static int cmd_attach_pasid(struct script_ctx *ctx, const struct script_line *ln,
			    struct script_result *res)
{
	struct tcesim_device *dev = need_pdev(ctx, ln);
	const char *dname = script_arg(ln, "domain");
	struct tcesim_iommu_domain *domain = NULL;
	struct pasid_attach *pa;
	char key[64];
	uint32_t pasid;
	bool want_handle;

	if (!dev || !arg_pasid(ctx, ln, false, &pasid) ||
	    !script_arg_bool(ctx, ln, "handle", false, &want_handle))
		return SCRIPT_ERR;
	if (!dname)
		return script_error(ctx, "attach_pasid: missing domain=");
	snprintf(key, sizeof(key), "%s:%u", tcesim_device_name(dev), pasid);
	if (!strcmp(dname, "paging")) {
		res->ret = tcesim_iommu_domain_alloc(tcesim_device_iommu(dev),
						     TCESIM_IOMMU_DOMAIN_UNMANAGED, 0, &domain);
	} else if (!strcmp(dname, "blocked")) {
		res->ret = tcesim_iommu_blocked_domain(tcesim_device_iommu(dev), &domain);
	} else if (!strcmp(dname, "sva")) {
		struct tcesim_mm *mm = script_obj_need(ctx, "mm", script_arg(ln, "mm"));

		if (!mm)
			return SCRIPT_ERR;
		res->ret = tcesim_iommu_sva_domain_alloc(dev, mm, &domain);
	} else {
		return script_error(ctx, "attach_pasid: domain=paging|blocked|sva");
	}
	if (res->ret)
		return SCRIPT_OK;
	pa = calloc(1, sizeof(*pa));
	if (!pa || (want_handle && !(pa->handle = calloc(1, sizeof(*pa->handle))))) {
		free(pa);
		if (tcesim_iommu_domain_user_owned(domain))
			tcesim_iommu_domain_free(domain);
		return script_error(ctx, "out of memory");
	}
	pa->domain = domain;
	res->ret = tcesim_iommu_attach_device_pasid(domain, dev, pasid, pa->handle);
	if (res->ret) {
		if (tcesim_iommu_domain_user_owned(domain))
			tcesim_iommu_domain_free(domain);
		pasid_attach_free(pa);
		return SCRIPT_OK;
	}
	/* a stale record of an earlier life of this slot goes */
	script_obj_release(ctx, "pasid_attach", key);
	if (script_obj_add(ctx, "pasid_attach", key, pa, pasid_attach_free))
		return script_error(ctx, "out of memory");
	script_explain(ctx, "PASID %u of group %s: %s domain%s", pasid, group_name(dev), dname,
		       want_handle ? " with an attach handle" : "");
	return SCRIPT_OK;
}

static int cmd_detach_pasid(struct script_ctx *ctx, const struct script_line *ln,
			    struct script_result *res)
{
	struct tcesim_device *dev = need_pdev(ctx, ln);
	struct pasid_attach *pa;
	char key[64];
	uint32_t pasid;

	if (!dev || !arg_pasid(ctx, ln, false, &pasid))
		return SCRIPT_ERR;
	snprintf(key, sizeof(key), "%s:%u", tcesim_device_name(dev), pasid);
	pa = script_obj_get(ctx, "pasid_attach", key);
	if (!pa) {
		/* only what attach_pasid attached (binds go with sva_unbind) */
		res->ret = -ENOENT;
		return SCRIPT_OK;
	}
	res->ret = tcesim_iommu_detach_device_pasid(pa->domain, dev, pasid);
	if (res->ret)
		return SCRIPT_OK;
	/* lock-free readers may hold the handle: wait for them, then free */
	tcesim_iommu_attach_handle_sync();
	if (tcesim_iommu_domain_user_owned(pa->domain))
		tcesim_iommu_domain_free(pa->domain);
	script_obj_release(ctx, "pasid_attach", key);
	script_explain(ctx, "PASID %u of group %s detached", pasid, group_name(dev));
	return SCRIPT_OK;
}

static int cmd_handle_get(struct script_ctx *ctx, const struct script_line *ln,
			  struct script_result *res)
{
	struct tcesim_iommu_group *g = need_group(ctx, ln);
	const char *t = script_arg(ln, "type");
	struct tcesim_iommu_attach_handle *h;
	unsigned int type;
	uint32_t pasid;

	if (!g || !arg_pasid(ctx, ln, false, &pasid))
		return SCRIPT_ERR;
	if (!t || !strcmp(t, "any"))
		type = 0;
	else if (!strcmp(t, "sva"))
		type = TCESIM_IOMMU_DOMAIN_SVA;
	else if (!strcmp(t, "paging"))
		type = TCESIM_IOMMU_DOMAIN_UNMANAGED;
	else
		return script_error(ctx, "handle_get: type=sva|paging|any");
	res->ret = tcesim_iommu_attach_handle_get(g, pasid, type, &h);
	return SCRIPT_OK;
}

/* ------------------------------------------------------ DMA ownership --- */

static int cmd_claim_dma_owner(struct script_ctx *ctx, const struct script_line *ln,
			       struct script_result *res)
{
	struct tcesim_iommu_group *g = need_group(ctx, ln);
	const char *owner = script_arg(ln, "owner");
	void *cookie;

	if (!g)
		return SCRIPT_ERR;
	if (!owner)
		return script_error(ctx, "claim_dma_owner: missing owner=");
	cookie = script_dma_owner(ctx, owner);
	if (!cookie)
		return script_error(ctx, "out of memory");
	res->ret = tcesim_iommu_group_claim_dma_owner(g, cookie);
	return SCRIPT_OK;
}

static int cmd_release_dma_owner(struct script_ctx *ctx, const struct script_line *ln,
				 struct script_result *res)
{
	struct tcesim_iommu_group *g = need_group(ctx, ln);

	(void)res;
	if (!g)
		return SCRIPT_ERR;
	tcesim_iommu_group_release_dma_owner(g);
	return SCRIPT_OK;
}

static int cmd_device_claim_dma_owner(struct script_ctx *ctx, const struct script_line *ln,
				      struct script_result *res)
{
	struct tcesim_device *dev = need_pdev(ctx, ln);
	const char *owner = script_arg(ln, "owner");
	void *cookie;

	if (!dev)
		return SCRIPT_ERR;
	if (!owner)
		return script_error(ctx, "device_claim_dma_owner: missing owner=");
	cookie = script_dma_owner(ctx, owner);
	if (!cookie)
		return script_error(ctx, "out of memory");
	res->ret = tcesim_iommu_device_claim_dma_owner(dev, cookie);
	return SCRIPT_OK;
}

static int cmd_device_release_dma_owner(struct script_ctx *ctx, const struct script_line *ln,
					struct script_result *res)
{
	struct tcesim_device *dev = need_pdev(ctx, ln);

	(void)res;
	if (!dev)
		return SCRIPT_ERR;
	tcesim_iommu_device_release_dma_owner(dev);
	return SCRIPT_OK;
}

static int cmd_pdev_driver(struct script_ctx *ctx, const struct script_line *ln,
			   struct script_result *res)
{
	struct tcesim_device *dev = need_pdev(ctx, ln);
	bool bind = !strcmp(ln->cmd, "pdev_driver_bind") || !strcmp(ln->cmd, "driver_bind");

	if (!dev)
		return SCRIPT_ERR;
	if (bind)
		res->ret = tcesim_iommu_device_use_default_domain(dev);
	else
		tcesim_iommu_device_unuse_default_domain(dev);
	return SCRIPT_OK;
}

/* ------------------------------------------------------- page faults --- */

static const struct script_flag perm_flags[] = {
	{ "read", TCESIM_IOMMU_FAULT_PERM_READ }, { "write", TCESIM_IOMMU_FAULT_PERM_WRITE },
	{ "exec", TCESIM_IOMMU_FAULT_PERM_EXEC }, { NULL, 0 },
};

static int cmd_iopf(struct script_ctx *ctx, const struct script_line *ln,
		    struct script_result *res)
{
	struct tcesim_device *dev = need_pdev(ctx, ln);
	struct tcesim_iommu_fault f = { 0 };
	uint64_t addr, perm, prg;
	uint32_t pasid;
	bool last, priv;

	if (!dev || !arg_pasid(ctx, ln, true, &pasid) ||
	    !script_arg_u64(ctx, ln, "addr", true, 0, &addr) ||
	    !script_arg_flags(ctx, ln, "access", perm_flags, TCESIM_IOMMU_FAULT_PERM_READ, &perm) ||
	    !script_arg_u64(ctx, ln, "prg", false, 0, &prg) ||
	    !script_arg_bool(ctx, ln, "last", false, &last) ||
	    !script_arg_bool(ctx, ln, "priv", false, &priv))
		return SCRIPT_ERR;
	if (pasid != TCESIM_IOMMU_PASID_INVALID) {
		f.flags |= TCESIM_IOMMU_FAULT_PAGE_REQUEST_PASID_VALID;
		f.pasid = pasid;
	}
	if (last)
		f.flags |= TCESIM_IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE;
	f.perm = (uint32_t)perm | (priv ? TCESIM_IOMMU_FAULT_PERM_PRIV : 0);
	f.grpid = (uint32_t)prg;
	f.addr = addr;
	res->ret = tcesim_iommu_report_device_fault(dev, &f);
	return SCRIPT_OK;
}

static int cmd_iopf_flush(struct script_ctx *ctx, const struct script_line *ln,
			  struct script_result *res)
{
	struct tcesim_device *dev = need_pdev(ctx, ln);

	if (!dev)
		return SCRIPT_ERR;
	res->ret = tcesim_iopf_queue_flush_dev(dev);
	return SCRIPT_OK;
}

static const char *const resp_names[] = {
	[TCESIM_IOMMU_PAGE_RESP_SUCCESS] = "success",
	[TCESIM_IOMMU_PAGE_RESP_INVALID] = "invalid",
	[TCESIM_IOMMU_PAGE_RESP_FAILURE] = "failure",
};

static int cmd_check_response(struct script_ctx *ctx, const struct script_line *ln,
			      struct script_result *res)
{
	struct tcesim_device *dev =
		script_obj_need(ctx, "pdev", ln->npos > 1 ? ln->pos[1] : NULL);
	struct tcesim_iommu_page_response r;
	const char *code = script_arg(ln, "code");
	uint64_t prg;

	(void)res;
	if (!dev || !script_arg_u64(ctx, ln, "prg", true, 0, &prg))
		return SCRIPT_ERR;
	if (tcesim_iommu_device_page_response(dev, (uint32_t)prg, &r)) {
		script_fail(ctx, code ? code : "a response", "no response");
		return SCRIPT_OK;
	}
	if (code)
		script_check_str(ctx, "code", code,
				 r.code < TCESIM_ARRAY_SIZE(resp_names) ? resp_names[r.code] : "?");
	return SCRIPT_OK;
}

static int cmd_check_responses(struct script_ctx *ctx, const struct script_line *ln,
			       struct script_result *res)
{
	struct tcesim_device *dev =
		script_obj_need(ctx, "pdev", ln->npos > 1 ? ln->pos[1] : NULL);
	uint64_t count;

	(void)res;
	if (!dev || !script_arg_u64(ctx, ln, "count", true, 0, &count))
		return SCRIPT_ERR;
	script_check_u64(ctx, "count", count, (uint64_t)tcesim_iommu_device_nr_responses(dev));
	return SCRIPT_OK;
}

static int cmd_check_pasids(struct script_ctx *ctx, const struct script_line *ln,
			    struct script_result *res)
{
	uint64_t count;

	(void)res;
	if (!script_arg_u64(ctx, ln, "in_use", true, 0, &count))
		return SCRIPT_ERR;
	script_check_u64(ctx, "in_use", count,
			 (uint64_t)tcesim_iommu_global_pasids_in_use(script_world(ctx)));
	return SCRIPT_OK;
}

const struct script_cmd script_cmds_sva[] = {
	{ "iommu", "model,pasid_bits,prq_depth", cmd_iommu,
	  "iommu NAME model=vtd [pasid_bits=20] [prq_depth=N]   a VT-d IOMMU with PASID/PRI" },
	{ "pdev", "iommu,group,max_pasids,pri", cmd_pdev,
	  "pdev NAME iommu=IOMMU [group=NAME|none] [max_pasids=N] [pri=yes]" },
	{ "sva_bind", "mm,as", cmd_sva_bind,
	  "sva_bind DEV mm=MM as=HANDLE            => ok pasid=N users=N" },
	{ "sva_unbind", "", cmd_sva_unbind, "sva_unbind HANDLE" },
	{ "attach_pasid", "pasid,domain,handle,mm", cmd_attach_pasid,
	  "attach_pasid DEV pasid=N domain=paging|blocked|sva [mm=MM] [handle=yes]" },
	{ "detach_pasid", "pasid", cmd_detach_pasid,
	  "detach_pasid DEV pasid=N               undoes attach_pasid (else ENOENT)" },
	{ "handle_get", "pasid,type", cmd_handle_get,
	  "handle_get GROUP pasid=N type=sva|paging|any   => ok | ENOENT | EBUSY" },
	{ "claim_dma_owner", "owner", cmd_claim_dma_owner, "claim_dma_owner GROUP owner=NAME" },
	{ "release_dma_owner", "", cmd_release_dma_owner,
	  "release_dma_owner GROUP                 (ok even on the WARN/no-op path)" },
	{ "device_claim_dma_owner", "owner", cmd_device_claim_dma_owner,
	  "device_claim_dma_owner DEV owner=NAME" },
	{ "device_release_dma_owner", "", cmd_device_release_dma_owner,
	  "device_release_dma_owner DEV" },
	{ "driver_bind", "", cmd_pdev_driver,
	  "driver_bind PDEV                        (VT-d device) a kernel driver uses the default domain" },
	{ "driver_unbind", "", cmd_pdev_driver,
	  "driver_unbind PDEV                      (WARN, count kept, with PASIDs attached)" },
	{ "pdev_driver_bind", "", cmd_pdev_driver,
	  "pdev_driver_bind DEV                    alias of driver_bind for a VT-d device" },
	{ "pdev_driver_unbind", "", cmd_pdev_driver,
	  "pdev_driver_unbind DEV                  alias of driver_unbind for a VT-d device" },
	{ "iopf", "pasid,addr,access,prg,last,priv", cmd_iopf,
	  "iopf DEV pasid=N|none addr=ADDR [access=read,write,exec] [prg=N] [last=yes] [priv=yes]" },
	{ "iopf_flush", "", cmd_iopf_flush,
	  "iopf_flush DEV                          run the device's queued fault groups" },
	{ "check response", "prg,code", cmd_check_response,
	  "check response DEV prg=N code=success|invalid|failure" },
	{ "check responses", "count", cmd_check_responses, "check responses DEV count=N" },
	{ "check pasids", "in_use", cmd_check_pasids,
	  "check pasids in_use=N                   global PASIDs allocated" },
	{ NULL, NULL, NULL, NULL },
};
