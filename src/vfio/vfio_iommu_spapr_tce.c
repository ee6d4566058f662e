// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * vfio_iommu_spapr_tce.c - the VFIO sPAPR TCE IOMMU driver: the container's
 * life (open, attach and detach of groups with their ownership, release)
 * and its inspection. Upstream's one file is split by concern here: the
 * v1/v2 build paths (vfio_tce_build.c), windows (vfio_tce_window.c),
 * prereg and ENABLE accounting (vfio_tce_mem.c), the ioctl dispatch
 * (vfio_tce_ioctl.c); the concepts below hold for all of them. This file
 * is layer 4 of the order atop vfio_internal.h.
 *
 * Concepts:
 *
 *  What it models: drivers/vfio/vfio_iommu_spapr_tce.c as of the 2022
 *  "borrowing" table group ops with the 2020 body (tce_iommu_*), plus the
 *  VFIO-core part of VFIO_GROUP_SET_CONTAINER/UNSET_CONTAINER that
 *  scenarios see: a group is in one container at most, and the group's DMA
 *  ownership is claimed before the driver attaches it and released after
 *  the driver detached it (drivers/vfio/container.c:
 *  vfio_container_attach_group(), vfio_group_detach_container()). The
 *  claim's blocked domain runs the table group's take_ownership, so the
 *  driver's tce_iommu_take_ownership() only programs the windows, as
 *  upstream since 2023. A container owns up to two window tables (DMA
 *  windows of every attached PE), a list of groups (PEs) and, for v2, a
 *  list of preregistered regions (iommu_api.c). A group in a container is
 *  owned by userspace: the kernel DMA API has no window on it until the
 *  group is detached.
 *
 *  v1: ENABLE charges the whole 32-bit window to locked_vm (Q9); MAP pins
 *  each page (FOLL_WRITE unless the device only reads) and stores its hpa;
 *  the TCE holds the pin. v2: REGISTER_MEMORY pins once; MAP translates
 *  through the region, counts the TCE in region->mapped and records the user
 *  address in the table's userspace shadow (it_userspace), so UNMAP (and
 *  KVM) can find the region again. Windows: the default 32-bit window is
 *  created lazily (def_window_pending) by the first MAP/UNMAP/TCE_CREATE;
 *  v2 adds windows with TCE_CREATE (DDW). Every window charges its table
 *  size (hardware + shadow copy) to locked_vm.
 *
 *  Invariants:
 *   - every valid TCE in a container table holds exactly one page pin (v1)
 *     or one mapped count of the region its shadow entry names (v2); a
 *     cleared or overwritten TCE gives it back (and dirties the page when
 *     the device could write it);
 *   - tables[] of a container are programmed into every attached PE
 *     (set_window); attach rolls back on failure;
 *   - no user mapping survives an ownership change: detaching the last
 *     group clears every TCE the container made, tables borrowed from the
 *     kernel (IODA1) go back cleared, KVM links of the PE are dropped, and
 *     the PE's release_ownership restores the kernel's default window;
 *   - a failing ioctl changes nothing (Q5 under quirks=upstream excepted).
 *
 *  Lock order (src/internal.h, vfio_internal.h):
 *     vfio->lock > vfio->kvm_attach_lock > kvm->lock > vfio->links_lock
 *     vfio->lock > container->lock > vfio->mem_list_mutex > phb->lock > mm->lock
 *     entry stripe spinlocks: leaf (only the table's level allocator and
 *     atomics inside).
 *   vfio->lock stands for VFIO core's group->container binding; it is held
 *   across attach/detach. container->lock serialises attach, detach,
 *   ENABLE/DISABLE, REGISTER/UNREGISTER, TCE_CREATE/REMOVE and the default
 *   window creation.
 *
 *  Which operations run concurrently: MAP_DMA and UNMAP_DMA take no
 *  container lock (upstream) and run against each other, against KVM's
 *  hypercalls on a linked table and against everything else. They find the
 *  window under RCU and stay in that read-side section while they change
 *  TCEs; TCE_REMOVE, detach and close unpublish a table and wait for a
 *  grace period before clearing it, so a racing MAP cannot leave a TCE in a
 *  table that is being emptied. Each TCE change is one atomic exchange;
 *  for v2 the (TCE, shadow entry) pair of one entry changes under a striped
 *  spinlock so that two racing MAP/UNMAP of the same entry always pair each
 *  mapped_inc with one mapped_dec (upstream updates the shadow after the
 *  exchange without a lock and can lose a count in that race).
 */
#include <stdio.h>

#include "vfio/vfio_internal.h"

/* ------------------------------------------------------ open / close -- */

TCESIM_EXPORT int tcesim_tce_iommu_open(struct tcesim_world *w, unsigned long arg,
					struct tcesim_tce_container **out)
{
	struct tcesim_tce_container *c;
	struct vfio_state *st;

	if (!w || !out)
		return -EINVAL;
	if (arg != VFIO_SPAPR_TCE_IOMMU && arg != VFIO_SPAPR_TCE_v2_IOMMU) {
		tcesim_pr(w, "tce_vfio: Wrong IOMMU type");
		return -EINVAL;
	}
	st = vfio_state_get(w);
	if (!st)
		return -ENOMEM;
	c = tcesim_zalloc(w, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->w = w;
	c->v2 = arg == VFIO_SPAPR_TCE_v2_IOMMU;
	tcesim_mutex_init(&c->lock);
	CDS_INIT_LIST_HEAD(&c->group_list);
	CDS_INIT_LIST_HEAD(&c->prereg_list);
	tcesim_mutex_lock(&st->lock);
	cds_list_add_tail(&c->node, &st->containers);
	tcesim_mutex_unlock(&st->lock);
	*out = c;
	return 0;
}

static struct tcesim_tce_container *group_container_locked(struct vfio_state *st,
							   struct tcesim_pe *pe)
{
	struct tcesim_tce_container *c;
	struct tce_iommu_group *g;

	tcesim_lock_assert_held(&st->lock);
	cds_list_for_each_entry(c, &st->containers, node)
		cds_list_for_each_entry(g, &c->group_list, next)
			if (g->pe == pe)
				return c;
	return NULL;
}

/*
 * The sPAPR driver's half of VFIO_GROUP_SET_CONTAINER; caller holds
 * st->lock and VFIO core's DMA-owner claim on @pe.
 */
static int tce_iommu_attach_group_locked(struct tcesim_tce_container *c, struct tcesim_pe *pe)
{
	struct tce_iommu_group *g, *tcegrp = NULL;
	int ret = 0, i, j;

	tcesim_mutex_lock(&c->lock);
	if (c->v2 && !pe->table_group.max_dynamic_windows_supported) {
		ret = -EINVAL; /* v2 requires full support of dynamic DMA windows */
		goto out_unlock;
	}
	if (!c->v2 && !cds_list_empty(&c->group_list)) {
		ret = -EBUSY; /* v1 reuses TCE tables and does not share them among PEs */
		goto out_unlock;
	}
	cds_list_for_each_entry(g, &c->group_list, next) {
		if (g->pe == pe) {
			tcesim_pr(c->w, "tce_vfio: Group %s is already attached", pe->name);
			ret = -EBUSY;
			goto out_unlock;
		}
		if (g->pe->gops->create_table != pe->gops->create_table) {
			tcesim_pr(c->w, "tce_vfio: Group %s is incompatible with group %s",
				  pe->name, g->pe->name);
			ret = -EPERM;
			goto out_unlock;
		}
	}
	tcegrp = tcesim_zalloc(c->w, sizeof(*tcegrp));
	if (!tcegrp) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	/*
	 * tce_iommu_take_ownership() (since "powerpc/iommu: Add iommu_ops to
	 * report capabilities and allow blocking domains"): the table group's
	 * take_ownership already ran when VFIO core's claim attached the
	 * blocked domain, so only our windows are programmed here; a failure
	 * unsets them all and leaves the release to VFIO core.
	 */
	for (i = 0; i < TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES; i++) {
		if (!c->tables[i])
			continue;
		ret = tcesim_pe_set_window(pe, (unsigned int)i, c->tables[i]);
		if (ret) {
			for (j = 0; j < TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES; j++)
				tcesim_pe_unset_window(pe, (unsigned int)j);
			goto out_free;
		}
	}
	if (cds_list_empty(&c->group_list) && !c->tables[0])
		c->def_window_pending = true;
	tcegrp->pe = pe;
	cds_list_add_tail(&tcegrp->next, &c->group_list);
	tcegrp = NULL;
out_free:
	tcesim_kfree(c->w, tcegrp);
out_unlock:
	tcesim_mutex_unlock(&c->lock);
	return ret;
}

/* attach_group / detach_group: NULL on a NULL argument, else the state, locked */
static struct vfio_state *group_op_lock(struct tcesim_tce_container *c, struct tcesim_pe *pe)
{
	struct vfio_state *st;

	if (!c || !pe)
		return NULL;
	st = vfio_state_peek(c->w);
	tcesim_mutex_lock(&st->lock);
	return st;
}

/*
 * VFIO core's half, as drivers/vfio/container.c:
 * vfio_container_attach_group(): iommu_group_claim_dma_owner() first (-EPERM
 * while a kernel driver is bound or the group is claimed; -EBUSY while the
 * DMA API has mappings), then the driver's attach_group; when that fails,
 * iommu_group_release_dma_owner() gives the group back.
 */
TCESIM_EXPORT int tcesim_tce_iommu_attach_group(struct tcesim_tce_container *c,
						struct tcesim_pe *pe)
{
	struct vfio_state *st = group_op_lock(c, pe);
	int ret;

	if (!st)
		return -EINVAL;
	/* vfio_group_ioctl_set_container(): a group has one container at most */
	if (group_container_locked(st, pe)) {
		ret = -EINVAL;
		goto out_unlock;
	}
	ret = tcesim_pe_claim_dma_owner(pe, c);
	if (ret)
		goto out_unlock;
	ret = tce_iommu_attach_group_locked(c, pe);
	if (ret)
		tcesim_pe_release_dma_owner(pe);
out_unlock:
	tcesim_mutex_unlock(&st->lock);
	return ret;
}

/* Caller holds st->lock. */
static int detach_group_locked(struct vfio_state *st, struct tcesim_tce_container *c,
			       struct tcesim_pe *pe)
{
	struct tcesim_iommu_table *gone[TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES] = { NULL };
	struct tce_iommu_group *g, *found = NULL;
	bool last, any_borrowed = false;
	int i;

	tcesim_lock_assert_held(&st->lock);
	tcesim_mutex_lock(&c->lock);
	cds_list_for_each_entry(g, &c->group_list, next) {
		if (g->pe == pe) {
			found = g;
			break;
		}
	}
	tcesim_mutex_unlock(&c->lock);
	if (!found) {
		tcesim_pr(c->w, "tce_vfio: detaching unattached group %s", pe->name);
		return -EINVAL;
	}
	/* QEMU takes the group out of KVM's VFIO device as well */
	vfio_kvm_release_group(st, NULL, pe);

	tcesim_mutex_lock(&c->lock);
	cds_list_del(&found->next);
	last = cds_list_empty(&c->group_list);
	/* Tables borrowed from the kernel go back: no MAP may reach them. */
	for (i = 0; last && i < TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES; i++) {
		if (c->tables[i] && c->borrowed[i]) {
			gone[i] = c->tables[i];
			tcesim_rcu_assign(c->tables[i], NULL);
			any_borrowed = true;
		}
	}
	if (any_borrowed)
		tcesim_synchronize_rcu();
	/*
	 * tce_iommu_release_ownership(): unset every container window; the
	 * table group's release_ownership is VFIO core's, below.
	 */
	for (i = 0; i < TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES; i++)
		if (c->tables[i] || gone[i])
			tcesim_pe_unset_window(pe, (unsigned int)i);
	if (last) {
		/* no user mapping survives the ownership change */
		for (i = 0; i < TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES; i++) {
			if (gone[i]) {
				clear_whole_table(c, gone[i]);
				tce_iommu_free_table(c, i, gone[i]);
			} else if (c->tables[i]) {
				clear_whole_table(c, c->tables[i]);
			}
		}
	}
	tcesim_mutex_unlock(&c->lock);
	/*
	 * drivers/vfio/container.c: vfio_group_detach_container(): the driver
	 * detached, now iommu_group_release_dma_owner(): the platform domain's
	 * release_ownership gives the kernel its default window back.
	 */
	tcesim_pe_release_dma_owner(pe);
	tcesim_kfree(c->w, found);
	return 0;
}

TCESIM_EXPORT int tcesim_tce_iommu_detach_group(struct tcesim_tce_container *c,
						struct tcesim_pe *pe)
{
	struct vfio_state *st = group_op_lock(c, pe);
	int ret;

	if (!st)
		return -EINVAL;
	ret = detach_group_locked(st, c, pe);
	tcesim_mutex_unlock(&st->lock);
	return ret;
}

TCESIM_EXPORT void tcesim_tce_iommu_release(struct tcesim_tce_container *c)
{
	struct tce_iommu_prereg *tcemem, *tmp;
	struct tcesim_mm *mm;
	struct vfio_state *st;
	int i;

	if (!c)
		return;
	st = vfio_state_peek(c->w);
	tcesim_mutex_lock(&st->lock);
	while (!cds_list_empty(&c->group_list))
		detach_group_locked(st, c, first_group(c)->pe);
	cds_list_del(&c->node);
	tcesim_mutex_unlock(&st->lock);

	tcesim_mutex_lock(&c->lock);
	for (i = 0; i < TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES; i++) {
		struct tcesim_iommu_table *tbl;

		if (!c->tables[i])
			continue;
		tbl = unpublish_table(c, i);
		clear_whole_table(c, tbl);
		tce_iommu_free_table(c, i, tbl);
	}
	mm = container_mm(c);
	cds_list_for_each_entry_safe(tcemem, tmp, &c->prereg_list, next) {
		if (tcesim_mm_iommu_put(mm, tcemem->mem))
			tcesim_pr(c->w, "WARNING: tce_vfio: prereg region still mapped at release");
		cds_list_del(&tcemem->next);
		tcesim_kfree(c->w, tcemem);
	}
	tce_iommu_disable(c);
	tcesim_mutex_unlock(&c->lock);
	if (mm)
		tcesim_mmdrop(mm);
	tcesim_mutex_destroy(&c->lock);
	tcesim_kfree(c->w, c);
}

TCESIM_EXPORT int tcesim_tce_iommu_get_info(struct tcesim_tce_container *c,
					    struct tcesim_tce_container_info *info)
{
	struct tce_iommu_prereg *tcemem;
	struct tce_iommu_group *g;
	int i;

	if (!c || !info)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	tcesim_mutex_lock(&c->lock);
	info->v2 = c->v2;
	info->enabled = atomic_load(&c->enabled);
	info->def_window_pending = c->def_window_pending;
	info->locked_pages = c->locked_pages;
	cds_list_for_each_entry(g, &c->group_list, next)
		info->nr_groups++;
	cds_list_for_each_entry(tcemem, &c->prereg_list, next)
		info->nr_prereg++;
	for (i = 0; i < TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES; i++)
		if (c->tables[i])
			info->windows |= 1u << i;
	info->has_mm = container_mm(c) != NULL;
	tcesim_mutex_unlock(&c->lock);
	return 0;
}

TCESIM_EXPORT int tcesim_tce_iommu_get_table(struct tcesim_tce_container *c, unsigned int num,
					     struct tcesim_iommu_table **out)
{
	struct tcesim_iommu_table *tbl;

	if (!c || !out || num >= TCESIM_IOMMU_TABLE_GROUP_MAX_TABLES)
		return -EINVAL;
	tcesim_rcu_read_lock();
	tbl = tcesim_iommu_tce_table_get(tcesim_rcu_deref(c->tables[num]));
	tcesim_rcu_read_unlock();
	if (!tbl)
		return -ENOENT;
	*out = tbl;
	return 0;
}
