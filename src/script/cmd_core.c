// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * cmd_core.c - scenario commands of the world and the memory model:
 * inject, mm, mmap, mm_exit, check page, check locked_vm.
 */
#include <inttypes.h>

#include "script/script_internal.h"
#include <tcesim/mem.h>

static int cmd_inject(struct script_ctx *ctx, const struct script_line *ln,
		      struct script_result *res)
{
	uint64_t n;

	(void)res;
	if (!script_arg_u64(ctx, ln, "fail_alloc", true, 0, &n))
		return SCRIPT_ERR;
	tcesim_world_inject_fail_alloc(script_world(ctx), (unsigned long)n);
	script_explain(ctx, "allocation #%" PRIu64 " from here fails", n);
	return SCRIPT_OK;
}

const struct script_cmd script_cmds_core[] = {
	{ "inject", "fail_alloc", cmd_inject,
	  "inject fail_alloc=N                    the N-th model allocation from here fails" },
	{ NULL, NULL, NULL, NULL },
};

/* ----------------------------------------------------------------- mm -- */

static void mm_destroy(void *p)
{
	tcesim_mm_exit(p);
}

static int cmd_mm(struct script_ctx *ctx, const struct script_line *ln, struct script_result *res)
{
	const char *name = script_pos(ctx, ln, 0, "process name");
	struct tcesim_mm *mm;
	uint64_t memlock;
	bool cap;

	if (!name || !script_arg_u64(ctx, ln, "memlock", false, TCESIM_DEFAULT_MEMLOCK, &memlock) ||
	    !script_arg_bool(ctx, ln, "cap_ipc_lock", false, &cap))
		return SCRIPT_ERR;
	if (script_obj_get(ctx, "mm", name))
		return script_error(ctx, "mm %s already exists", name);
	res->ret = tcesim_mm_create(script_world(ctx), name, memlock, cap, &mm);
	if (res->ret)
		return SCRIPT_OK;
	if (script_obj_add(ctx, "mm", name, mm, mm_destroy)) {
		tcesim_mm_exit(mm);
		return script_error(ctx, "out of memory");
	}
	script_explain(ctx, "process %s: RLIMIT_MEMLOCK %" PRIu64 " bytes%s", name, memlock,
		       cap ? ", CAP_IPC_LOCK" : "");
	return SCRIPT_OK;
}

static const struct script_flag prot_flags[] = {
	{ "read", TCESIM_PROT_READ }, { "write", TCESIM_PROT_WRITE },
	{ "exec", TCESIM_PROT_EXEC }, { "none", 0 }, { NULL, 0 },
};

static int cmd_mmap(struct script_ctx *ctx, const struct script_line *ln,
		    struct script_result *res)
{
	struct tcesim_mm *mm = script_obj_need(ctx, "mm", script_pos(ctx, ln, 0, "process"));
	uint64_t va, size, prot, shift;

	if (!mm || !script_arg_u64(ctx, ln, "va", true, 0, &va) ||
	    !script_arg_u64(ctx, ln, "size", true, 0, &size) ||
	    !script_arg_flags(ctx, ln, "prot", prot_flags, TCESIM_PROT_READ | TCESIM_PROT_WRITE,
			      &prot) ||
	    !script_arg_u64(ctx, ln, "pageshift", false, 0, &shift))
		return SCRIPT_ERR;
	res->ret = tcesim_mm_mmap(mm, va, size, (unsigned int)prot, (unsigned int)shift);
	if (!res->ret)
		script_explain(ctx, "VMA [0x%" PRIx64 ", 0x%" PRIx64 ") prot=0x%" PRIx64
			       " page_shift=%u", va, va + size, prot,
			       shift ? (unsigned int)shift : tcesim_world_cfg(script_world(ctx))->host_page_shift);
	return SCRIPT_OK;
}

static int cmd_mm_exit(struct script_ctx *ctx, const struct script_line *ln,
		       struct script_result *res)
{
	const char *name = script_pos(ctx, ln, 0, "process");
	struct tcesim_mm *mm = script_obj_need(ctx, "mm", name);

	(void)res;
	if (!mm)
		return SCRIPT_ERR;
	/* the name is gone with the process: the mm may be freed right here */
	script_obj_del(ctx, "mm", name);
	tcesim_mm_exit(mm);
	script_explain(ctx, "process %s exited (address space torn down)", name);
	return SCRIPT_OK;
}

static int cmd_check_page(struct script_ctx *ctx, const struct script_line *ln,
			  struct script_result *res)
{
	struct tcesim_page_info info;
	const char *v;
	uint64_t va, hpa, pins;
	bool dirty;

	if (script_arg(ln, "hpa")) {
		if (!script_arg_u64(ctx, ln, "hpa", true, 0, &hpa))
			return SCRIPT_ERR;
		res->ret = tcesim_page_query(script_world(ctx), hpa, &info);
	} else {
		struct tcesim_mm *mm = script_obj_need(ctx, "mm", script_arg(ln, "mm"));

		if (!mm || !script_arg_u64(ctx, ln, "va", true, 0, &va))
			return SCRIPT_ERR;
		res->ret = tcesim_mm_page_query(mm, va, &info, &hpa);
	}
	if (res->ret)
		return SCRIPT_OK;
	script_explain(ctx, "page hpa=0x%" PRIx64 " pins=%d dirty=%s", hpa, info.pins,
		       info.dirty ? "yes" : "no");
	if (script_arg(ln, "pins")) {
		if (!script_arg_u64(ctx, ln, "pins", true, 0, &pins))
			return SCRIPT_ERR;
		script_check_u64(ctx, "pins", pins, (uint64_t)info.pins);
	}
	v = script_arg(ln, "dirty");
	if (v) {
		if (!script_arg_bool(ctx, ln, "dirty", false, &dirty))
			return SCRIPT_ERR;
		script_check_str(ctx, "dirty", dirty ? "yes" : "no", info.dirty ? "yes" : "no");
	}
	return SCRIPT_OK;
}

static int cmd_check_locked_vm(struct script_ctx *ctx, const struct script_line *ln,
			       struct script_result *res)
{
	struct tcesim_mm *mm = script_obj_need(ctx, "mm", script_arg(ln, "mm"));
	uint64_t pages;

	(void)res;
	if (!mm || !script_arg_u64(ctx, ln, "pages", true, 0, &pages))
		return SCRIPT_ERR;
	script_check_u64(ctx, "pages", pages, tcesim_mm_locked_vm(mm));
	return SCRIPT_OK;
}

const struct script_cmd script_cmds_mem[] = {
	{ "mm", "memlock,cap_ipc_lock", cmd_mm,
	  "mm NAME [memlock=SIZE] [cap_ipc_lock=yes]   a process (default memlock 8M)" },
	{ "mmap", "va,size,prot,pageshift", cmd_mmap,
	  "mmap MM va=ADDR size=SIZE [prot=read,write] [pageshift=12|16|24]" },
	{ "mm_exit", "", cmd_mm_exit, "mm_exit MM                             the process exits" },
	{ "check page", "mm,va,hpa,pins,dirty", cmd_check_page,
	  "check page mm=MM va=ADDR|hpa=ADDR [pins=N] [dirty=yes|no]" },
	{ "check locked_vm", "mm,pages", cmd_check_locked_vm,
	  "check locked_vm mm=MM pages=N" },
	{ NULL, NULL, NULL, NULL },
};
