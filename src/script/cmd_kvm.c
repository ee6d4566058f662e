// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * cmd_kvm.c - scenario commands of the kvm module (see script_internal.h and
 * shared/SCENARIO.md "KVM and hypercalls").
 *
 * One guest per scenario file: the object "kvm"/"vm", created by the first
 * command that needs it and destroyed with the file. Its tiers follow the
 * world's hcall= option. A kvm_tce table is created the way QEMU creates it
 * under KVM (KVM_CREATE_SPAPR_TCE_64, then QEMU maps the same storage:
 * bus_offset = offset << page_shift, nb_table = size); spapr_tce creates a
 * table KVM does not know, so every hypercall on it falls back to QEMU.
 */
#include <inttypes.h>

#include "script/script_internal.h"
#include <tcesim/kvm.h>
#include <tcesim/mem.h>

static void kvm_obj_destroy(void *p)
{
	tcesim_kvm_destroy(p);
}

static struct tcesim_kvm *get_kvm(struct script_ctx *ctx)
{
	struct tcesim_kvm *kvm = script_obj_get(ctx, "kvm", "vm");
	int ret;

	if (kvm)
		return kvm;
	ret = tcesim_kvm_create(script_world(ctx), &kvm);
	if (ret) {
		script_error(ctx, "cannot create the guest: %s", tcesim_errname(ret));
		return NULL;
	}
	if (script_obj_add(ctx, "kvm", "vm", kvm, kvm_obj_destroy)) {
		tcesim_kvm_destroy(kvm);
		script_error(ctx, "cannot register the guest");
		return NULL;
	}
	return kvm;
}

static bool pos_u64(struct script_ctx *ctx, const struct script_line *ln, int i, const char *what,
		    uint64_t *v)
{
	const char *s = script_pos(ctx, ln, i, what);

	if (!s)
		return false;
	if (!script_parse_u64(s, v)) {
		script_error(ctx, "bad %s '%s'", what, s);
		return false;
	}
	return true;
}

/* guest_mem mm=MM gpa=ADDR va=ADDR size=SIZE */
static int cmd_guest_mem(struct script_ctx *ctx, const struct script_line *ln,
			 struct script_result *res)
{
	uint64_t gpa, va, size;
	struct tcesim_kvm *kvm;
	struct tcesim_mm *mm;
	const char *name = script_arg(ln, "mm");

	if (!name)
		return script_error(ctx, "guest_mem: missing mm=");
	mm = script_obj_need(ctx, "mm", name);
	if (!mm)
		return SCRIPT_ERR;
	if (!script_arg_u64(ctx, ln, "gpa", true, 0, &gpa) ||
	    !script_arg_u64(ctx, ln, "va", true, 0, &va) ||
	    !script_arg_u64(ctx, ln, "size", true, 0, &size))
		return SCRIPT_ERR;
	kvm = get_kvm(ctx);
	if (!kvm)
		return SCRIPT_ERR;
	res->kind = SCRIPT_RET_ERRNO;
	res->ret = tcesim_kvm_set_user_memory_region(kvm, gpa, size, mm, va);
	if (!res->ret)
		script_explain(ctx, "  memslot gpa 0x%" PRIx64 "..0x%" PRIx64
				    " -> %s va 0x%" PRIx64,
			       gpa, gpa + size - 1, name, va);
	return SCRIPT_OK;
}

/* guest_write gpa=ADDR u64=V1,V2,... (big-endian, like a TCE list) */
static int cmd_guest_write(struct script_ctx *ctx, const struct script_line *ln,
			   struct script_result *res)
{
	struct tcesim_kvm *kvm;
	uint64_t gpa, *vals = NULL;
	size_t n = 0;

	if (!script_arg_u64(ctx, ln, "gpa", true, 0, &gpa) ||
	    !script_arg_u64_list(ctx, ln, "u64", &vals, &n))
		return SCRIPT_ERR;
	kvm = get_kvm(ctx);
	if (!kvm) {
		free(vals);
		return SCRIPT_ERR;
	}
	res->kind = SCRIPT_RET_ERRNO;
	res->ret = tcesim_kvm_write_guest_be64(kvm, gpa, vals, n);
	if (!res->ret)
		script_explain(ctx, "  guest 0x%" PRIx64 ": %zu big-endian u64", gpa, n);
	free(vals);
	return SCRIPT_OK;
}

/* kvm_tce LIOBN page_shift=N offset=N size=N [mm=MM] */
static int cmd_kvm_tce(struct script_ctx *ctx, const struct script_line *ln,
		       struct script_result *res)
{
	uint64_t liobn, ps, offset, size;
	struct tcesim_mm *mm = NULL;
	const char *name = script_arg(ln, "mm");
	struct tcesim_kvm *kvm;

	if (!pos_u64(ctx, ln, 0, "LIOBN", &liobn) ||
	    !script_arg_u64(ctx, ln, "page_shift", true, 0, &ps) ||
	    !script_arg_u64(ctx, ln, "offset", false, 0, &offset) ||
	    !script_arg_u64(ctx, ln, "size", true, 0, &size))
		return SCRIPT_ERR;
	if (name) {
		mm = script_obj_need(ctx, "mm", name);
		if (!mm)
			return SCRIPT_ERR;
	}
	kvm = get_kvm(ctx);
	if (!kvm)
		return SCRIPT_ERR;
	res->kind = SCRIPT_RET_ERRNO;
	/*
	 * KVM_CREATE_SPAPR_TCE_64's own checks first, so its errno is the one
	 * reported; a 64-bit LIOBN is valid for KVM but QEMU cannot name it
	 * (spapr_tce_find_by_liobn), so such a table has no QEMU view.
	 */
	if (!size || ps < 12 || ps > 34 || offset + size > (~0ULL >> ps) ||
	    offset + size < offset || liobn > 0xffffffffULL) {
		struct tcesim_kvm_create_spapr_tce_64 a = {
			.liobn = liobn, .page_shift = (uint32_t)ps, .offset = offset, .size = size,
		};

		if (ps > 64)
			a.page_shift = 0;
		res->ret = tcesim_kvm_vm_ioctl_create_spapr_tce(kvm, &a, mm);
	} else {
		res->ret = tcesim_spapr_tce_new_table(kvm, liobn, offset << ps, (unsigned int)ps,
						      size, true, mm);
	}
	if (!res->ret)
		script_explain(ctx, "  KVM table liobn=0x%" PRIx64 " entries 0x%" PRIx64
				    "..0x%" PRIx64 " (%" PRIu64 "K pages)%s%s",
			       liobn, offset, offset + size - 1, (uint64_t)((1ULL << ps) >> 10),
			       mm ? ", locked_vm charged to " : "", mm ? name : "");
	return SCRIPT_OK;
}

/* spapr_tce LIOBN bus_offset=ADDR page_shift=N nb_table=N */
static int cmd_spapr_tce(struct script_ctx *ctx, const struct script_line *ln,
			 struct script_result *res)
{
	uint64_t liobn, bus, ps, nb;
	struct tcesim_kvm *kvm;

	if (!pos_u64(ctx, ln, 0, "LIOBN", &liobn) ||
	    !script_arg_u64(ctx, ln, "bus_offset", false, 0, &bus) ||
	    !script_arg_u64(ctx, ln, "page_shift", false, 12, &ps) ||
	    !script_arg_u64(ctx, ln, "nb_table", true, 0, &nb))
		return SCRIPT_ERR;
	kvm = get_kvm(ctx);
	if (!kvm)
		return SCRIPT_ERR;
	res->kind = SCRIPT_RET_ERRNO;
	res->ret = tcesim_spapr_tce_new_table(kvm, liobn, bus, ps > 64 ? 0 : (unsigned int)ps, nb,
					      false, NULL);
	if (!res->ret)
		script_explain(ctx, "  QEMU-only table liobn=0x%" PRIx64 " bus 0x%" PRIx64
				    ", %" PRIu64 " entries",
			       liobn, bus, nb);
	return SCRIPT_OK;
}

/* hcall H_PUT_TCE|H_PUT_TCE_INDIRECT|H_STUFF_TCE|H_GET_TCE liobn= ioba= ... */
static int cmd_hcall(struct script_ctx *ctx, const struct script_line *ln,
		     struct script_result *res)
{
	static const struct {
		const char *name;
		unsigned long req;
		const char *a2;	/* third argument's key, or NULL */
		bool npages;
	} reqs[] = {
		{ "H_PUT_TCE", TCESIM_H_PUT_TCE, "tce", false },
		{ "H_PUT_TCE_INDIRECT", TCESIM_H_PUT_TCE_INDIRECT, "tce_list", true },
		{ "H_STUFF_TCE", TCESIM_H_STUFF_TCE, "tce_value", true },
		{ "H_GET_TCE", TCESIM_H_GET_TCE, NULL, false },
	};
	const char *which = script_pos(ctx, ln, 0, "hypercall");
	struct tcesim_hcall_out out;
	struct tcesim_kvm *kvm;
	uint64_t args[4] = { 0 };
	unsigned int i;
	char rn[32];

	if (!which)
		return SCRIPT_ERR;
	for (i = 0; i < TCESIM_ARRAY_SIZE(reqs); i++)
		if (!strcmp(which, reqs[i].name))
			break;
	if (i == TCESIM_ARRAY_SIZE(reqs))
		return script_error(ctx, "unknown hypercall '%s' (H_PUT_TCE, H_PUT_TCE_INDIRECT, "
					 "H_STUFF_TCE, H_GET_TCE)", which);
	if (!script_arg_u64(ctx, ln, "liobn", true, 0, &args[0]) ||
	    !script_arg_u64(ctx, ln, "ioba", true, 0, &args[1]) ||
	    (reqs[i].a2 && !script_arg_u64(ctx, ln, reqs[i].a2, true, 0, &args[2])) ||
	    (reqs[i].npages && !script_arg_u64(ctx, ln, "npages", true, 0, &args[3])))
		return SCRIPT_ERR;
	kvm = get_kvm(ctx);
	if (!kvm)
		return SCRIPT_ERR;
	res->kind = SCRIPT_RET_HCALL;
	res->ret = tcesim_kvm_hcall(kvm, reqs[i].req, args, &out);
	script_report_str(res, "path", out.tier == TCESIM_TIER_KVM ? "kvm" :
				       out.tier == TCESIM_TIER_KVM_RM ? "kvm_rm" :
				       out.tier == TCESIM_TIER_QEMU ? "qemu" : "none");
	if (reqs[i].req == TCESIM_H_GET_TCE && res->ret == TCESIM_H_SUCCESS)
		script_report_u64(res, "tce", out.r4);
	script_ret_name(res->ret, SCRIPT_RET_HCALL, rn, sizeof(rn));
	script_explain(ctx, "  %s answered by %s: %s%s", reqs[i].name,
		       out.tier == TCESIM_TIER_KVM ? "KVM (in-kernel)" :
		       out.tier == TCESIM_TIER_KVM_RM ? "KVM real mode" : "QEMU (userspace)", rn,
		       out.tier == TCESIM_TIER_QEMU && tcesim_world_cfg(script_world(ctx))->hcall ==
			       TCESIM_HCALL_KVM_QEMU ? " (KVM said H_TOO_HARD)" : "");
	return SCRIPT_OK;
}

/* spapr_xlate LIOBN offset=ADDR => ok translated= perm= mask= (a device DMA) */
static int cmd_spapr_xlate(struct script_ctx *ctx, const struct script_line *ln,
			   struct script_result *res)
{
	struct tcesim_iommu_tlb_entry e;
	struct tcesim_kvm *kvm;
	uint64_t liobn, off;

	if (!pos_u64(ctx, ln, 0, "LIOBN", &liobn) ||
	    !script_arg_u64(ctx, ln, "offset", true, 0, &off))
		return SCRIPT_ERR;
	kvm = get_kvm(ctx);
	if (!kvm)
		return SCRIPT_ERR;
	res->kind = SCRIPT_RET_ERRNO;
	res->ret = tcesim_spapr_tce_translate_iommu(kvm, liobn, off, &e);
	if (!res->ret) {
		script_report_u64(res, "translated", e.translated_addr);
		script_report_dec(res, "perm", e.perm);
		script_report_u64(res, "mask", e.addr_mask);
	}
	return SCRIPT_OK;
}

const struct script_cmd script_cmds_kvm[] = {
	{ "guest_mem", "mm,gpa,va,size", cmd_guest_mem,
	  "guest_mem mm=MM gpa=ADDR va=ADDR size=SIZE   # a KVM memslot backed by MM" },
	{ "guest_write", "gpa,u64", cmd_guest_write,
	  "guest_write gpa=ADDR u64=V1,V2,...   # big-endian u64s (a TCE list)" },
	{ "kvm_tce", "page_shift,offset,size,mm", cmd_kvm_tce,
	  "kvm_tce LIOBN page_shift=N offset=N size=N [mm=MM]   # KVM_CREATE_SPAPR_TCE_64"
	  " + QEMU view" },
	{ "spapr_tce", "bus_offset,page_shift,nb_table", cmd_spapr_tce,
	  "spapr_tce LIOBN bus_offset=ADDR page_shift=N nb_table=N   # a QEMU-only table" },
	{ "hcall", "liobn,ioba,tce,tce_list,tce_value,npages", cmd_hcall,
	  "hcall H_PUT_TCE|H_PUT_TCE_INDIRECT|H_STUFF_TCE|H_GET_TCE liobn= ioba= [tce=|tce_list=|"
	  "tce_value=] [npages=]   => H_... path=kvm|kvm_rm|qemu [tce=]" },
	{ "spapr_xlate", "offset", cmd_spapr_xlate,
	  "spapr_xlate LIOBN offset=ADDR   => ok translated= perm= mask=   # QEMU device DMA" },
	{ NULL, NULL, NULL, NULL },
};
