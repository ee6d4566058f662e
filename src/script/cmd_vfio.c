// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * cmd_vfio.c - scenario commands of the vfio module (shared/SCENARIO.md
 * "VFIO sPAPR container" and kvm_attach of "KVM and hypercalls").
 *
 * A container object ("vfio" NAME) remembers the process that opened it:
 * vfio_ioctl runs as that process unless mm= names another (to see the
 * -EPERM of a container bound to someone else). ioctl arguments are built
 * in a zeroed <linux/vfio.h> struct whose argsz defaults to its full size;
 * fields the kernel does not copy back are reported as 0. Commands that
 * free preregistered memory or close a container wait for the RCU grace
 * period (upstream frees through call_rcu) so that a following
 * `check page` sees the pages unpinned.
 *
 * kvm_attach is here, not in cmd_kvm.c: it needs the vfio layer
 * (KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE), and kvm must not depend on vfio.
 */
#include <inttypes.h>

#include "script/script_internal.h"
#include <tcesim/kvm.h>
#include <tcesim/mem.h>
#include <tcesim/phb.h>
#include <tcesim/vfio.h>

struct vfio_obj {
	struct tcesim_tce_container *c;
	struct tcesim_mm *mm;	/* the opener: "current" of its ioctls */
};

static void vfio_obj_destroy(void *p)
{
	struct vfio_obj *o = p;

	tcesim_tce_iommu_release(o->c);
	free(o);
}

static const struct script_flag map_flags[] = {
	{ "read", VFIO_DMA_MAP_FLAG_READ }, { "write", VFIO_DMA_MAP_FLAG_WRITE },
	{ NULL, 0 },
};

static struct vfio_obj *need_container(struct script_ctx *ctx, const struct script_line *ln)
{
	return script_obj_need(ctx, "vfio", script_pos(ctx, ln, 0, "container"));
}

static struct tcesim_pe *need_group(struct script_ctx *ctx, const struct script_line *ln)
{
	const char *name = script_arg(ln, "group");

	if (!name) {
		script_error(ctx, "missing group=PE");
		return NULL;
	}
	return script_obj_need(ctx, "pe", name);
}

/* vfio_open NAME type=spapr|spapr_v2|type1 mm=MM */
static int cmd_vfio_open(struct script_ctx *ctx, const struct script_line *ln,
			 struct script_result *res)
{
	const char *name = script_pos(ctx, ln, 0, "container name");
	const char *type = script_arg(ln, "type");
	struct tcesim_mm *mm = script_obj_need(ctx, "mm", script_arg(ln, "mm"));
	struct tcesim_tce_container *c;
	struct vfio_obj *o;
	unsigned long arg;

	if (!name || !mm)
		return SCRIPT_ERR;
	if (!type || !strcmp(type, "spapr"))
		arg = VFIO_SPAPR_TCE_IOMMU;
	else if (!strcmp(type, "spapr_v2"))
		arg = VFIO_SPAPR_TCE_v2_IOMMU;
	else if (!strcmp(type, "type1"))
		arg = VFIO_TYPE1_IOMMU;
	else
		return script_error(ctx, "bad type '%s' (spapr, spapr_v2, type1)", type);
	if (script_obj_get(ctx, "vfio", name))
		return script_error(ctx, "container %s already exists", name);
	res->kind = SCRIPT_RET_ERRNO;
	res->ret = tcesim_tce_iommu_open(script_world(ctx), arg, &c);
	if (res->ret) {
		if (arg == VFIO_TYPE1_IOMMU)
			script_explain(ctx, "  tce_vfio: Wrong IOMMU type (sPAPR TCE v1/v2 only)");
		return SCRIPT_OK;
	}
	o = calloc(1, sizeof(*o));
	if (!o || script_obj_add(ctx, "vfio", name, o, vfio_obj_destroy)) {
		free(o);
		tcesim_tce_iommu_release(c);
		return script_error(ctx, "out of memory");
	}
	o->c = c;
	o->mm = mm;
	script_explain(ctx, "  container %s: sPAPR TCE %s, opened by %s", name,
		       arg == VFIO_SPAPR_TCE_v2_IOMMU ? "v2" : "v1", tcesim_mm_name(mm));
	return SCRIPT_OK;
}

static void explain_pe(struct script_ctx *ctx, struct tcesim_pe *pe, const char *what)
{
	struct tcesim_pe_info pi;

	if (!script_explaining(ctx) || tcesim_pe_get_info(pe, &pi))
		return;
	script_explain(ctx, "  %s: PE owned=%s windows=0x%x bypass=%s", what,
		       pi.owned ? "yes" : "no", pi.windows, pi.bypass_enabled ? "on" : "off");
}

/*
 * vfio_attach / vfio_detach: the container, the group, then @op; detach waits
 * for the grace period its window teardown queued before explaining.
 */
static int vfio_group_op(struct script_ctx *ctx, const struct script_line *ln,
			 struct script_result *res,
			 int (*op)(struct tcesim_tce_container *, struct tcesim_pe *), bool barrier,
			 const char *what)
{
	struct vfio_obj *o = need_container(ctx, ln);
	struct tcesim_pe *pe;

	if (!o)
		return SCRIPT_ERR;
	pe = need_group(ctx, ln);
	if (!pe)
		return SCRIPT_ERR;
	res->kind = SCRIPT_RET_ERRNO;
	res->ret = op(o->c, pe);
	if (barrier)
		tcesim_rcu_barrier();
	if (!res->ret)
		explain_pe(ctx, pe, what);
	return SCRIPT_OK;
}

/* vfio_attach CONTAINER group=PE (VFIO_GROUP_SET_CONTAINER) */
static int cmd_vfio_attach(struct script_ctx *ctx, const struct script_line *ln,
			   struct script_result *res)
{
	return vfio_group_op(ctx, ln, res, tcesim_tce_iommu_attach_group, false,
			     "attached (userspace owns the DMA windows)");
}

/* vfio_detach CONTAINER group=PE (VFIO_GROUP_UNSET_CONTAINER) */
static int cmd_vfio_detach(struct script_ctx *ctx, const struct script_line *ln,
			   struct script_result *res)
{
	return vfio_group_op(ctx, ln, res, tcesim_tce_iommu_detach_group, true,
			     "detached (the kernel owns the DMA windows again)");
}

/* vfio_close CONTAINER */
static int cmd_vfio_close(struct script_ctx *ctx, const struct script_line *ln,
			  struct script_result *res)
{
	const char *name = script_pos(ctx, ln, 0, "container");

	(void)res;
	if (!name || !script_obj_need(ctx, "vfio", name))
		return SCRIPT_ERR;
	script_obj_release(ctx, "vfio", name);
	/* upstream frees preregistered memory through call_rcu */
	tcesim_rcu_barrier();
	script_explain(ctx, "  container %s closed: groups detached, windows, prereg freed",
		       name);
	return SCRIPT_OK;
}

static const struct {
	const char *name;
	unsigned int cmd;
} vfio_cmds[] = {
	{ "CHECK_EXTENSION", VFIO_CHECK_EXTENSION },
	{ "ENABLE", VFIO_IOMMU_ENABLE },
	{ "DISABLE", VFIO_IOMMU_DISABLE },
	{ "GET_INFO", VFIO_IOMMU_SPAPR_TCE_GET_INFO },
	{ "MAP_DMA", VFIO_IOMMU_MAP_DMA },
	{ "UNMAP_DMA", VFIO_IOMMU_UNMAP_DMA },
	{ "REGISTER_MEMORY", VFIO_IOMMU_SPAPR_REGISTER_MEMORY },
	{ "UNREGISTER_MEMORY", VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY },
	{ "TCE_CREATE", VFIO_IOMMU_SPAPR_TCE_CREATE },
	{ "TCE_REMOVE", VFIO_IOMMU_SPAPR_TCE_REMOVE },
	{ "EEH_PE_OP", VFIO_EEH_PE_OP },
};

union vfio_args {
	struct vfio_iommu_spapr_tce_info info;
	struct vfio_iommu_type1_dma_map map;
	struct vfio_iommu_type1_dma_unmap unmap;
	struct vfio_iommu_spapr_register_memory reg;
	struct vfio_iommu_spapr_tce_create create;
	struct vfio_iommu_spapr_tce_remove remove;
	struct vfio_eeh_pe_op eeh;
};

static bool arg32(struct script_ctx *ctx, const struct script_line *ln, const char *key,
		  uint64_t def, uint32_t *out)
{
	uint64_t v;

	if (!script_arg_u64(ctx, ln, key, false, def, &v))
		return false;
	if (v > UINT32_MAX) {
		script_error(ctx, "%s=%" PRIu64 " does not fit the 32-bit field", key, v);
		return false;
	}
	*out = (uint32_t)v;
	return true;
}

/* Fill the UAPI struct of @cmd from the line; false on a syntax error. */
static bool build_args(struct script_ctx *ctx, const struct script_line *ln, unsigned int cmd,
		       union vfio_args *a, unsigned long *arg)
{
	uint64_t flags;

	memset(a, 0, sizeof(*a));
	*arg = (unsigned long)(uintptr_t)a;
	switch (cmd) {
	case VFIO_CHECK_EXTENSION: {
		uint64_t ext;

		if (!script_arg_u64(ctx, ln, "arg", true, 0, &ext))
			return false;
		*arg = (unsigned long)ext;
		return true;
	}
	case VFIO_IOMMU_ENABLE:
	case VFIO_IOMMU_DISABLE:
		*arg = 0;
		return true;
	case VFIO_IOMMU_SPAPR_TCE_GET_INFO:
		return arg32(ctx, ln, "argsz", sizeof(a->info), &a->info.argsz) &&
		       arg32(ctx, ln, "flags", 0, &a->info.flags);
	case VFIO_IOMMU_MAP_DMA:
		if (!script_arg_flags(ctx, ln, "flags", map_flags, 0, &flags) || flags > UINT32_MAX)
			return false;
		a->map.flags = (uint32_t)flags;
		return arg32(ctx, ln, "argsz", sizeof(a->map), &a->map.argsz) &&
		       script_arg_u64(ctx, ln, "vaddr", false, 0, (uint64_t *)&a->map.vaddr) &&
		       script_arg_u64(ctx, ln, "iova", false, 0, (uint64_t *)&a->map.iova) &&
		       script_arg_u64(ctx, ln, "size", false, 0, (uint64_t *)&a->map.size);
	case VFIO_IOMMU_UNMAP_DMA:
		return arg32(ctx, ln, "argsz", sizeof(a->unmap), &a->unmap.argsz) &&
		       arg32(ctx, ln, "flags", 0, &a->unmap.flags) &&
		       script_arg_u64(ctx, ln, "iova", false, 0, (uint64_t *)&a->unmap.iova) &&
		       script_arg_u64(ctx, ln, "size", false, 0, (uint64_t *)&a->unmap.size);
	case VFIO_IOMMU_SPAPR_REGISTER_MEMORY:
	case VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY:
		return arg32(ctx, ln, "argsz", sizeof(a->reg), &a->reg.argsz) &&
		       arg32(ctx, ln, "flags", 0, &a->reg.flags) &&
		       script_arg_u64(ctx, ln, "vaddr", false, 0, (uint64_t *)&a->reg.vaddr) &&
		       script_arg_u64(ctx, ln, "size", false, 0, (uint64_t *)&a->reg.size);
	case VFIO_IOMMU_SPAPR_TCE_CREATE:
		return arg32(ctx, ln, "argsz", sizeof(a->create), &a->create.argsz) &&
		       arg32(ctx, ln, "flags", 0, &a->create.flags) &&
		       arg32(ctx, ln, "page_shift", 12, &a->create.page_shift) &&
		       script_arg_u64(ctx, ln, "window_size", false, 0,
				      (uint64_t *)&a->create.window_size) &&
		       arg32(ctx, ln, "levels", 1, &a->create.levels);
	case VFIO_IOMMU_SPAPR_TCE_REMOVE:
		return arg32(ctx, ln, "argsz", sizeof(a->remove), &a->remove.argsz) &&
		       arg32(ctx, ln, "flags", 0, &a->remove.flags) &&
		       script_arg_u64(ctx, ln, "start_addr", false, 0,
				      (uint64_t *)&a->remove.start_addr);
	case VFIO_EEH_PE_OP:
		return arg32(ctx, ln, "argsz", sizeof(a->eeh), &a->eeh.argsz) &&
		       arg32(ctx, ln, "flags", 0, &a->eeh.flags) &&
		       arg32(ctx, ln, "arg", 0, &a->eeh.op);
	}
	return false;
}

/* vfio_ioctl CONTAINER CMD [mm=] [argsz=] [flags=] [vaddr=] [iova=] [size=] ... */
static int cmd_vfio_ioctl(struct script_ctx *ctx, const struct script_line *ln,
			  struct script_result *res)
{
	struct vfio_obj *o = need_container(ctx, ln);
	const char *which = script_pos(ctx, ln, 1, "ioctl");
	struct tcesim_mm *cur;
	union vfio_args a;
	unsigned long arg;
	unsigned int i;

	if (!o || !which)
		return SCRIPT_ERR;
	for (i = 0; i < TCESIM_ARRAY_SIZE(vfio_cmds); i++)
		if (!strcmp(which, vfio_cmds[i].name))
			break;
	if (i == TCESIM_ARRAY_SIZE(vfio_cmds))
		return script_error(ctx, "unknown ioctl '%s'", which);
	cur = o->mm;
	if (script_arg(ln, "mm")) {
		cur = script_obj_need(ctx, "mm", script_arg(ln, "mm"));
		if (!cur)
			return SCRIPT_ERR;
	}
	if (!build_args(ctx, ln, vfio_cmds[i].cmd, &a, &arg))
		return SCRIPT_ERR;
	res->kind = SCRIPT_RET_NUMBER;
	res->ret = tcesim_tce_iommu_ioctl(o->c, cur, vfio_cmds[i].cmd, arg);
	if (res->ret < 0)
		res->kind = SCRIPT_RET_ERRNO;
	switch (vfio_cmds[i].cmd) {
	case VFIO_IOMMU_SPAPR_TCE_GET_INFO:
		script_report_u64(res, "dma32_window_start", a.info.dma32_window_start);
		script_report_u64(res, "dma32_window_size", a.info.dma32_window_size);
		script_report_u64(res, "flags", a.info.flags);
		script_report_u64(res, "pgsizes", a.info.ddw.pgsizes);
		script_report_dec(res, "windows", a.info.ddw.max_dynamic_windows_supported);
		script_report_dec(res, "levels", a.info.ddw.levels);
		break;
	case VFIO_IOMMU_SPAPR_TCE_CREATE:
		script_report_u64(res, "start_addr", a.create.start_addr);
		if (!res->ret)
			script_explain(ctx, "  window at bus 0x%llx, %llu bytes of %uK pages",
				       (unsigned long long)a.create.start_addr,
				       (unsigned long long)a.create.window_size,
				       (1u << a.create.page_shift) >> 10);
		break;
	case VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY:
		/* the region's pages are unpinned after a grace period */
		tcesim_rcu_barrier();
		break;
	default:
		break;
	}
	if (script_explaining(ctx)) {
		struct tcesim_tce_container_info ci;

		if (!tcesim_tce_iommu_get_info(o->c, &ci))
			script_explain(ctx, "  container: enabled=%s windows=0x%x prereg=%u "
					    "locked_vm(%s)=%lu pages",
				       ci.enabled ? "yes" : "no", ci.windows, ci.nr_prereg,
				       tcesim_mm_name(cur), tcesim_mm_locked_vm(cur));
	}
	return SCRIPT_OK;
}

/* kvm_attach liobn=LIOBN group=PE (KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE) */
static int cmd_kvm_attach(struct script_ctx *ctx, const struct script_line *ln,
			  struct script_result *res)
{
	struct tcesim_kvm *kvm = script_obj_get(ctx, "kvm", "vm");
	struct tcesim_pe *pe;
	uint64_t liobn;

	if (!script_arg_u64(ctx, ln, "liobn", true, 0, &liobn))
		return SCRIPT_ERR;
	pe = need_group(ctx, ln);
	if (!pe)
		return SCRIPT_ERR;
	res->kind = SCRIPT_RET_ERRNO;
	/* no guest yet: no KVM table fd exists for any LIOBN */
	res->ret = kvm ? tcesim_kvm_spapr_tce_attach_iommu_group(kvm, liobn, pe) : -EBADF;
	if (!res->ret)
		script_explain(ctx, "  LIOBN 0x%" PRIx64 " linked to a hardware table of the PE: "
				    "KVM's H_PUT_TCE now maps preregistered guest memory into it",
			       liobn);
	return SCRIPT_OK;
}

const struct script_cmd script_cmds_vfio[] = {
	{ "vfio_open", "type,mm", cmd_vfio_open,
	  "vfio_open NAME type=spapr|spapr_v2|type1 mm=MM   # VFIO_SET_IOMMU" },
	{ "vfio_attach", "group", cmd_vfio_attach,
	  "vfio_attach CONTAINER group=PE   # VFIO_GROUP_SET_CONTAINER" },
	{ "vfio_detach", "group", cmd_vfio_detach,
	  "vfio_detach CONTAINER group=PE   # VFIO_GROUP_UNSET_CONTAINER" },
	{ "vfio_ioctl",
	  "mm,argsz,flags,vaddr,iova,size,page_shift,window_size,levels,start_addr,arg",
	  cmd_vfio_ioctl,
	  "vfio_ioctl CONTAINER CHECK_EXTENSION|ENABLE|DISABLE|GET_INFO|MAP_DMA|UNMAP_DMA|"
	  "REGISTER_MEMORY|UNREGISTER_MEMORY|TCE_CREATE|TCE_REMOVE|EEH_PE_OP [mm=] [argsz=] "
	  "[flags=] [vaddr=] [iova=] [size=] [page_shift=] [window_size=] [levels=] "
	  "[start_addr=] [arg=]" },
	{ "vfio_close", "", cmd_vfio_close, "vfio_close CONTAINER" },
	{ "kvm_attach", "liobn,group", cmd_kvm_attach,
	  "kvm_attach liobn=LIOBN group=PE   # KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE" },
	{ NULL, NULL, NULL, NULL },
};
