// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * vfio_state.c - the vfio module's per-world state (TCESIM_SLOT_VFIO): the
 * container list, every mm's preregistered regions, the KVM links, the
 * entry stripe locks, and the ops layer's device-memory hook. A tcesim
 * artefact: upstream keeps these per mm (mm->context) and per fd. Its
 * destructor closes what is left open in every layer (world teardown),
 * so it sits on top of the folder's order (atop vfio_internal.h); the
 * layers create it on first use with vfio_state_get(), the one call that
 * goes up (the vfio_layers test leaves this file out, and says why).
 */
#include <stdio.h>

#include "vfio/vfio_internal.h"

/* ------------------------------------------------------- world state -- */

static bool vfio_devmem_hook(struct tcesim_mm *mm, uint64_t hpa, unsigned int page_shift)
{
	struct vfio_state *st = vfio_state_peek(mm->w);
	bool ret;

	if (!st)
		return false;
	tcesim_rcu_read_lock();
	ret = mm_iommu_is_devmem_rcu(st, mm, hpa, page_shift, NULL);
	tcesim_rcu_read_unlock();
	return ret;
}

static void *vfio_state_create(struct tcesim_world *w)
{
	struct vfio_state *st = tcesim_zalloc(w, sizeof(*st));
	unsigned int i;

	if (!st)
		return NULL;
	if (tcesim_ops_set_devmem_hook(w, vfio_devmem_hook)) {
		tcesim_kfree(w, st);
		return NULL;
	}
	st->w = w;
	tcesim_mutex_init(&st->lock);
	tcesim_mutex_init(&st->mem_list_mutex);
	tcesim_mutex_init(&st->kvm_attach_lock);
	tcesim_mutex_init(&st->links_lock);
	CDS_INIT_LIST_HEAD(&st->containers);
	CDS_INIT_LIST_HEAD(&st->regions);
	CDS_INIT_LIST_HEAD(&st->kvm_tbls);
	CDS_INIT_LIST_HEAD(&st->kvm_links);
	for (i = 0; i < VFIO_ENTRY_LOCKS; i++)
		pthread_spin_init(&st->entry_lock[i], PTHREAD_PROCESS_PRIVATE);
	return st;
}

static void vfio_state_destroy(struct tcesim_world *w, void *p)
{
	struct vfio_state *st = p;
	unsigned int i;

	/* Containers still open are closed (process exit closes the fds). */
	while (!cds_list_empty(&st->containers))
		tcesim_tce_iommu_release(cds_list_entry(st->containers.next,
							struct tcesim_tce_container, node));
	vfio_kvm_release_all(st);
	mm_iommu_cleanup_all(st);
	if (tcesim_world_slot_peek(w, TCESIM_SLOT_OPS))
		tcesim_ops_set_devmem_hook(w, NULL);
	tcesim_rcu_barrier();
	for (i = 0; i < VFIO_ENTRY_LOCKS; i++)
		pthread_spin_destroy(&st->entry_lock[i]);
	tcesim_mutex_destroy(&st->links_lock);
	tcesim_mutex_destroy(&st->kvm_attach_lock);
	tcesim_mutex_destroy(&st->mem_list_mutex);
	tcesim_mutex_destroy(&st->lock);
	tcesim_kfree(w, st);
}

struct vfio_state *vfio_state_get(struct tcesim_world *w)
{
	return tcesim_world_slot(w, TCESIM_SLOT_VFIO, vfio_state_create, vfio_state_destroy);
}
