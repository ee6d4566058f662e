// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * vfio_tce_ioctl.c - the container ioctl dispatch: argument copy-in with
 * argsz/flags checks, GET_INFO, MAP_DMA/UNMAP_DMA (v1 or v2 build path),
 * REGISTER/UNREGISTER_MEMORY, TCE_CREATE/REMOVE, EEH, ENABLE/DISABLE
 * (drivers/vfio/vfio_iommu_spapr_tce.c: tce_iommu_ioctl()). MAP/UNMAP
 * take no container lock (see vfio_iommu_spapr_tce.c). Layer 3 of the
 * order atop vfio_internal.h.
 */
#include <stdio.h>

#include "vfio/vfio_internal.h"

#define VFIO_ARG(a) ((void *)(uintptr_t)(a))

/* ------------------------------------------------------------ ioctls -- */

/*
 * The copy-in every ioctl below opens with: -EFAULT without a buffer, then
 * minsz bytes in, and -EINVAL when argsz is below minsz or a flag outside
 * flags_ok is set. Every VFIO argument opens with (u32 argsz, u32 flags).
 */
static long vfio_arg_in(void *dst, unsigned long arg, size_t minsz, uint32_t flags_ok)
{
	uint32_t hdr[2]; /* argsz, flags */

	if (!arg)
		return -EFAULT;
	memcpy(dst, VFIO_ARG(arg), minsz);
	memcpy(hdr, dst, sizeof(hdr));
	if (hdr[0] < minsz || (hdr[1] & ~flags_ok))
		return -EINVAL;
	return 0;
}

/*
 * MAP_DMA / UNMAP_DMA: -EPERM before ENABLE, the copy-in, the default
 * window, then the window holding the argument's IOVA (the u64 at @iova_off):
 * -ENXIO without one. On 0 the caller is in an RCU read-side section.
 */
static long dma_arg_in(struct tcesim_tce_container *c, void *dst, unsigned long arg,
		       size_t minsz, uint32_t flags_ok, size_t iova_off,
		       struct tcesim_iommu_table **tbl)
{
	uint64_t iova;
	long ret;

	if (!atomic_load(&c->enabled))
		return -EPERM;
	ret = vfio_arg_in(dst, arg, minsz, flags_ok);
	if (ret)
		return ret;
	ret = create_default_window_locked(c);
	if (ret)
		return ret;
	memcpy(&iova, (const char *)dst + iova_off, sizeof(iova));
	tcesim_rcu_read_lock();
	if (tce_iommu_find_table(c, iova, tbl) < 0) {
		tcesim_rcu_read_unlock();
		return -ENXIO;
	}
	return 0;
}

/* TCE_CREATE / TCE_REMOVE: bind the mm, -ENXIO without a group, the copy-in */
static long window_arg_in(struct tcesim_tce_container *c, struct tcesim_mm *cur, void *dst,
			  unsigned long arg, size_t size)
{
	long ret;

	ret = tce_iommu_mm_set(c, cur);
	if (ret)
		return ret;
	if (!groups_attached(c))
		return -ENXIO;
	return vfio_arg_in(dst, arg, size, 0);
}

static long ioctl_get_info(struct tcesim_tce_container *c, unsigned long arg)
{
	struct vfio_iommu_spapr_tce_info info;
	const struct tcesim_iommu_table_group *tg;
	struct tce_iommu_group *g;
	size_t minsz = offsetof(struct vfio_iommu_spapr_tce_info, ddw);
	size_t ddwsz = sizeof(struct vfio_iommu_spapr_tce_info);
	long ret;

	tcesim_mutex_lock(&c->lock);
	g = first_group(c);
	tg = g ? &g->pe->table_group : NULL;
	tcesim_mutex_unlock(&c->lock);
	if (!tg)
		return -ENXIO;
	memset(&info, 0, sizeof(info));
	ret = vfio_arg_in(&info, arg, minsz, UINT32_MAX); /* GET_INFO ignores flags */
	if (ret)
		return ret;
	info.dma32_window_start = (uint32_t)tg->tce32_start;
	info.dma32_window_size = (uint32_t)tg->tce32_size;
	info.flags = 0;
	memset(&info.ddw, 0, sizeof(info.ddw));
	if (tg->max_dynamic_windows_supported && c->v2) {
		info.flags |= VFIO_IOMMU_SPAPR_INFO_DDW;
		info.ddw.pgsizes = tg->pgsizes;
		info.ddw.max_dynamic_windows_supported = tg->max_dynamic_windows_supported;
		info.ddw.levels = tg->max_levels;
	}
	if (info.argsz >= ddwsz)
		minsz = ddwsz;
	memcpy(VFIO_ARG(arg), &info, minsz);
	return 0;
}

static long dma_direction(uint32_t flags, enum tcesim_dma_data_direction *dir)
{
	switch (flags & (VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)) {
	case VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE:
		*dir = TCESIM_DMA_BIDIRECTIONAL;
		return 0;
	case VFIO_DMA_MAP_FLAG_READ:
		*dir = TCESIM_DMA_TO_DEVICE;
		return 0;
	case VFIO_DMA_MAP_FLAG_WRITE:
		*dir = TCESIM_DMA_FROM_DEVICE;
		return 0;
	default:
		return -EINVAL;
	}
}

static long ioctl_map_dma(struct tcesim_tce_container *c, struct tcesim_mm *cur,
			  unsigned long arg)
{
	struct vfio_iommu_type1_dma_map param;
	enum tcesim_dma_data_direction dir;
	struct tcesim_iommu_table *tbl;
	uint64_t pmask;
	long ret;

	ret = dma_arg_in(c, &param, arg, sizeof(param),
			 VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
			 offsetof(struct vfio_iommu_type1_dma_map, iova), &tbl);
	if (ret)
		return ret;
	pmask = (1ULL << tbl->it_page_shift) - 1;
	if ((param.size & pmask) || (param.vaddr & pmask)) {
		ret = -EINVAL;
		goto out;
	}
	ret = dma_direction(param.flags, &dir);
	if (ret)
		goto out;
	/*
	 * Q1: upstream's iommu_tce_put_param_check() (arch/powerpc/include/
	 * asm/iommu.h) is a boolean macro, so tce_iommu_ioctl() in
	 * drivers/vfio/vfio_iommu_spapr_tce.c returns 1, not -EINVAL. That is
	 * an upstream bug: only quirks=upstream reproduces it; quirks=safe
	 * refuses with -EINVAL and changes nothing.
	 */
	if (vfio_check_ioba(c, tbl, param.iova, 1) ||
	    tcesim_iommu_tce_check_gpa(tbl->it_page_shift, param.vaddr)) {
		ret = quirks_upstream(c) ? 1 : -EINVAL;
		goto out;
	}
	if (c->v2)
		ret = tce_iommu_build_v2(c, tbl, param.iova >> tbl->it_page_shift, param.vaddr,
					 param.size >> tbl->it_page_shift, dir);
	else
		ret = tce_iommu_build(c, cur, tbl, param.iova >> tbl->it_page_shift, param.vaddr,
				      param.size >> tbl->it_page_shift, dir);
out:
	tcesim_rcu_read_unlock();
	return ret;
}

static long ioctl_unmap_dma(struct tcesim_tce_container *c, unsigned long arg)
{
	struct vfio_iommu_type1_dma_unmap param;
	struct tcesim_iommu_table *tbl;
	uint64_t entry, pages, end;
	long ret;

	ret = dma_arg_in(c, &param, arg,
			 offsetof(struct vfio_iommu_type1_dma_unmap, size) + sizeof(param.size), 0,
			 offsetof(struct vfio_iommu_type1_dma_unmap, iova), &tbl);
	if (ret)
		return ret;
	if (param.size & ((1ULL << tbl->it_page_shift) - 1)) {
		ret = -EINVAL;
		goto out;
	}
	pages = param.size >> tbl->it_page_shift;
	/*
	 * Q1: iommu_tce_clear_param_check() (boolean macro); 1 only under
	 * quirks=upstream. Modern kernels check the whole range
	 * (iommu_tce_check_ioba with the npages fix), so a range running past
	 * the window end fails here too: 1 (upstream) or -EINVAL (safe).
	 */
	if (vfio_check_ioba(c, tbl, param.iova, pages)) {
		ret = quirks_upstream(c) ? 1 : -EINVAL;
		goto out;
	}
	/* Q2, eras before the fix: only the first page was range checked */
	entry = param.iova >> tbl->it_page_shift;
	end = tbl->it_offset + tbl->it_size;
	if (pages > end - entry) {
		if (!quirks_upstream(c)) {
			ret = -EINVAL;
			goto out;
		}
		pages = end - entry; /* upstream walks on; tcesim stops at the end */
	}
	tce_iommu_clear(c, tbl, entry, pages);
	ret = 0;
out:
	tcesim_rcu_read_unlock();
	return ret;
}

static long ioctl_register(struct tcesim_tce_container *c, struct tcesim_mm *cur,
			   unsigned long arg, bool reg)
{
	struct vfio_iommu_spapr_register_memory param;
	long ret;

	if (reg) {
		ret = tce_iommu_mm_set(c, cur);
		if (ret)
			return ret;
	} else if (!container_mm(c)) {
		return -EPERM;
	}
	ret = vfio_arg_in(&param, arg, sizeof(param), 0);
	if (ret)
		return ret;
	tcesim_mutex_lock(&c->lock);
	if (reg)
		ret = tce_iommu_register_pages(c, param.vaddr, param.size);
	else
		ret = tce_iommu_unregister_pages(c, param.vaddr, param.size);
	tcesim_mutex_unlock(&c->lock);
	return ret;
}

static long ioctl_tce_create(struct tcesim_tce_container *c, struct tcesim_mm *cur,
			     unsigned long arg)
{
	struct vfio_iommu_spapr_tce_create create;
	uint64_t start_addr = 0;
	long ret;

	ret = window_arg_in(c, cur, &create, arg, sizeof(create));
	if (ret)
		return ret;
	tcesim_mutex_lock(&c->lock);
	ret = tce_iommu_create_default_window(c);
	if (!ret)
		ret = tce_iommu_create_window(c, create.page_shift, create.window_size,
					      create.levels, &start_addr);
	tcesim_mutex_unlock(&c->lock);
	if (!ret) {
		create.start_addr = start_addr;
		memcpy(VFIO_ARG(arg), &create, sizeof(create));
	}
	return ret;
}

static long ioctl_tce_remove(struct tcesim_tce_container *c, struct tcesim_mm *cur,
			     unsigned long arg)
{
	struct vfio_iommu_spapr_tce_remove remove;
	long ret;

	ret = window_arg_in(c, cur, &remove, arg, sizeof(remove));
	if (ret)
		return ret;
	tcesim_mutex_lock(&c->lock);
	if (c->def_window_pending && !remove.start_addr) {
		/* the default window never materialises */
		c->def_window_pending = false;
		ret = 0;
	} else {
		ret = tce_iommu_remove_window(c, remove.start_addr);
	}
	tcesim_mutex_unlock(&c->lock);
	return ret;
}

/* asm/eeh.h (uapi): the PCI error functions eeh_pe_inject_err() accepts */
#define EEH_ERR_FUNC_MIN	0
#define EEH_ERR_FUNC_MAX	19

/*
 * VFIO_EEH_PE_OP, as drivers/vfio/vfio_iommu_spapr_tce.c: tce_iommu_ioctl()
 * since the multi-group container (v4.2): ret = 0, then
 * vfio_spapr_ioctl_eeh_pe_op() once per attached group, the first non-zero
 * answer returned. Without a group the loop does not run: 0, and the
 * argument is never read. Per group (one answer for every group here: the
 * EEH state of a PE is not modelled, it is always healthy): copy-in of the
 * first 12 bytes (-EFAULT), argsz below 12 or any flag -EINVAL, an unknown
 * op -EINVAL; VFIO_EEH_PE_INJECT_ERR needs argsz >= offsetofend(err.mask)
 * (40; -EINVAL), copies the 40 bytes again and goes to
 * arch/powerpc/kernel/eeh.c: eeh_pe_inject_err(), whose error function
 * must be EEH_ERR_FUNC_MIN..MAX (-EINVAL; func is an int there).
 */
static long ioctl_eeh_pe_op(struct tcesim_tce_container *c, unsigned long arg)
{
	size_t errsz = offsetof(struct vfio_eeh_pe_op, err.mask) + sizeof(uint64_t);
	struct vfio_eeh_pe_op op;
	long ret;

	if (!groups_attached(c))
		return 0;
	memset(&op, 0, sizeof(op));
	ret = vfio_arg_in(&op, arg, offsetof(struct vfio_eeh_pe_op, op) + sizeof(op.op), 0);
	if (ret)
		return ret;
	if (op.op > VFIO_EEH_PE_INJECT_ERR)
		return -EINVAL;
	if (op.op == VFIO_EEH_PE_INJECT_ERR) {
		ret = vfio_arg_in(&op, arg, errsz, 0); /* the second copy-in */
		if (ret)
			return ret;
		if ((int32_t)op.err.func < EEH_ERR_FUNC_MIN ||
		    (int32_t)op.err.func > EEH_ERR_FUNC_MAX)
			return -EINVAL;
	}
	return 0; /* EEH state is not modelled: the PE is always healthy */
}

TCESIM_EXPORT long tcesim_tce_iommu_ioctl(struct tcesim_tce_container *c,
					  struct tcesim_mm *cur, unsigned int cmd,
					  unsigned long arg)
{
	struct tcesim_mm *mm;
	long ret;

	if (!c || !cur)
		return -EINVAL;
	if (cmd == VFIO_CHECK_EXTENSION) {
		switch (arg) {
		case VFIO_SPAPR_TCE_IOMMU:
		case VFIO_SPAPR_TCE_v2_IOMMU:
		case VFIO_EEH:
			return 1;
		default:
			return 0;
		}
	}
	/* Only the process that bound the container may use it. */
	mm = container_mm(c);
	if (mm && mm != cur)
		return -EPERM;

	switch (cmd) {
	case VFIO_IOMMU_SPAPR_TCE_GET_INFO:
		return ioctl_get_info(c, arg);
	case VFIO_IOMMU_MAP_DMA:
		return ioctl_map_dma(c, cur, arg);
	case VFIO_IOMMU_UNMAP_DMA:
		return ioctl_unmap_dma(c, arg);
	case VFIO_IOMMU_SPAPR_REGISTER_MEMORY:
		if (!c->v2)
			break;
		return ioctl_register(c, cur, arg, true);
	case VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY:
		if (!c->v2)
			break;
		return ioctl_register(c, cur, arg, false);
	case VFIO_IOMMU_ENABLE:
		if (c->v2)
			break;
		tcesim_mutex_lock(&c->lock);
		ret = tce_iommu_enable(c, cur);
		tcesim_mutex_unlock(&c->lock);
		return ret;
	case VFIO_IOMMU_DISABLE:
		if (c->v2)
			break;
		tcesim_mutex_lock(&c->lock);
		tce_iommu_disable(c);
		tcesim_mutex_unlock(&c->lock);
		return 0;
	case VFIO_EEH_PE_OP:
		return ioctl_eeh_pe_op(c, arg);
	case VFIO_IOMMU_SPAPR_TCE_CREATE:
		if (!c->v2)
			break;
		return ioctl_tce_create(c, cur, arg);
	case VFIO_IOMMU_SPAPR_TCE_REMOVE:
		if (!c->v2)
			break;
		return ioctl_tce_remove(c, cur, arg);
	default:
		break;
	}
	return -ENOTTY;
}
