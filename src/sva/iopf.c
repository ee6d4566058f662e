// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iopf.c - I/O page faults: fault groups by PRG index, the device's fault
 * queue, the SVA handler and page group responses
 * (drivers/iommu/io-pgfault.c + iommu-sva.c: iommu_sva_handle_iopf(),
 * SEMANTICS.md B12).
 *
 * A page request group is the requests with one PRG index up to the one
 * marked LAST_PAGE. Non-last requests wait on the device's partial list and
 * are never answered on their own. The last one gathers them into a group,
 * which the SVA domain's iopf handler queues on the device; the queue runs,
 * in report order, when tcesim_iopf_queue_flush_dev() is called (upstream's
 * workqueue, made deterministic). Each group gets exactly one response.
 *
 * A fault whose PASID has no attach handle, a handle-less entry, or a
 * domain without an iopf handler is answered INVALID at once, the last
 * request of a group or not (io-pgfault.c: iopf_error_response(); the
 * legacy_2019/2020/2024 eras answered the last one only). SEMANTICS.md
 * Q11's "no response for a non-last request" holds for handled groups and
 * for the PRQ's own bad requests (prq_event.c). A queued group holds a
 * reference on its domain, so a caller that unbinds without flushing first
 * (breaking upstream's contract) cannot make the handler use a freed
 * domain or process.
 *
 * Locking: dev->iopf_lock protects the partial list, the queue and the
 * response log; it is a leaf lock. The handler takes mm->lock (through
 * tcesim_mm_handle_fault), a leaf, with no iopf_lock held: from a plain
 * flush with no sva lock held, from a detach's drain under sva->lock and
 * group->mutex. The handle lookup is an RCU read-side section holding no
 * lock.
 */
#include <stdio.h>

#include "sva/sva_internal.h"
#include "mem/mem_internal.h"

struct iopf_fault_node {
	struct tcesim_iommu_fault fault;
	uint64_t life;			/* pasid_life.c: the issuing bond's life */
	struct cds_list_head list;	/* dev->partial or group->faults */
};

struct iopf_group {
	struct tcesim_iommu_domain *domain; /* referenced (sva_domain_tryget) */
	struct cds_list_head faults;	/* partials in arrival order */
	struct tcesim_iommu_fault last;	/* the LAST_PAGE request */
	uint64_t life;			/* pasid_life.c: life of @last's bond */
	struct cds_list_head pending;	/* dev->pending */
};

void iopf_device_init(struct tcesim_device *dev)
{
	tcesim_mutex_init(&dev->iopf_lock);
	CDS_INIT_LIST_HEAD(&dev->partial);
	CDS_INIT_LIST_HEAD(&dev->pending);
}

static void free_fault_list(struct tcesim_world *w, struct cds_list_head *head)
{
	struct iopf_fault_node *f, *n;

	cds_list_for_each_entry_safe(f, n, head, list)
		tcesim_kfree(w, f);
	CDS_INIT_LIST_HEAD(head);
}

/* World teardown: domains are freed by the world, not put. */
void iopf_device_destroy(struct tcesim_device *dev)
{
	struct iopf_group *g, *n;

	free_fault_list(dev->w, &dev->partial);
	cds_list_for_each_entry_safe(g, n, &dev->pending, pending) {
		free_fault_list(dev->w, &g->faults);
		tcesim_kfree(dev->w, g);
	}
	tcesim_mutex_destroy(&dev->iopf_lock);
}

/* iopf_group_response() / iopf_error_response(): one page group response. */
static void iopf_respond(struct tcesim_device *dev, const struct tcesim_iommu_fault *last,
			 uint64_t life, enum tcesim_iommu_page_response_code code)
{
	struct tcesim_iommu_page_response r = {
		.pasid = last->pasid,
		.grpid = last->grpid,
		.code = code,
		.pasid_valid = !!(last->flags & TCESIM_IOMMU_FAULT_PAGE_REQUEST_PASID_VALID),
	};

	/* the response goes to whoever owns the PASID now (pasid_life.c) */
	if (life && r.pasid_valid)
		sva_life_check(dev, "page response", r.pasid, r.grpid, life,
			       sva_pasid_life(dev, r.pasid));

	tcesim_mutex_lock(&dev->iopf_lock);
	dev->resp[dev->nr_resp % DEV_RESP_LOG] = r;
	dev->nr_resp++;
	tcesim_mutex_unlock(&dev->iopf_lock);
	if (dev->iommu->page_response)
		dev->iommu->page_response(dev, &r,
					  !!(last->flags & TCESIM_IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE),
					  dev->iommu->page_response_arg);
}

/*
 * find_fault_handler(): the domain of the PASID's attach handle (or of the
 * RID's, without PASID), referenced; NULL when there is no handler.
 */
static struct tcesim_iommu_domain *iopf_find_handler(struct tcesim_device *dev,
						     const struct tcesim_iommu_fault *f,
						     uint64_t *life)
{
	uint32_t pasid = (f->flags & TCESIM_IOMMU_FAULT_PAGE_REQUEST_PASID_VALID)
				 ? f->pasid : TCESIM_IOMMU_NO_PASID;
	struct tcesim_iommu_domain *d = NULL;
	struct tcesim_iommu_attach_handle *h;
	void *e;

	if (pasid >> PASID_ARRAY_BITS)
		return NULL;
	tcesim_rcu_read_lock();
	if (!sva_attach_handle_get_rcu(dev->group, pasid, 0, &h)) {
		d = h->domain;
		*life = sva_handle_life(h);
	} else if (tcesim_flavour_is(dev->w, TCESIM_FLAVOUR_LEGACY_2024)) {
		/* before attach handles, the array held the domain itself */
		e = pasid_array_load_rcu(&dev->group->pasid_array, pasid);
		if (e && pasid_entry_tag(e) == PASID_ENTRY_DOMAIN) {
			d = pasid_entry_ptr(e);
			*life = sva_domain_life(d); /* pasid_life.c */
		}
	}
	if (d && (!d->has_iopf_handler || !sva_domain_tryget(d)))
		d = NULL;
	tcesim_rcu_read_unlock();
	return d;
}

/* v6.11+ io-pgfault.c retires every page request it has no handler for. */
static bool iopf_answers_every_bad_request(struct tcesim_world *w)
{
	return !tcesim_flavour_is(w, TCESIM_FLAVOUR_LEGACY_2024) &&
	       !tcesim_flavour_is(w, TCESIM_FLAVOUR_LEGACY_2020) &&
	       !tcesim_flavour_is(w, TCESIM_FLAVOUR_LEGACY_2019);
}

TCESIM_EXPORT int tcesim_iommu_report_device_fault(struct tcesim_device *dev,
						   const struct tcesim_iommu_fault *fault)
{
	return iopf_report_fault_life(dev, fault, 0);
}

int iopf_report_fault_life(struct tcesim_device *dev, const struct tcesim_iommu_fault *fault,
			   uint64_t life)
{
	uint64_t owner = 0;
	bool last;
	struct tcesim_iommu_domain *d;
	struct iopf_fault_node *f, *n;
	struct iopf_group *g;

	if (!dev || !fault)
		return -EINVAL;
	last = fault->flags & TCESIM_IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE;
	if (!dev->pri || !dev->group) {
		/* iopf_get_dev_fault_param() == NULL: not on an iopf queue */
		tcesim_pr(dev->w, "WARN: iopf: %s is not on an iopf queue", dev->name);
		goto err_bad_iopf;
	}
	d = iopf_find_handler(dev, fault, &owner);
	if (!d)
		goto err_bad_iopf;
	sva_life_check(dev, "page request", fault->pasid, fault->grpid, life, owner);
	if (!last) {
		/*
		 * report_partial_fault(): "does not need to be ack'd". Since
		 * v6.11 find_fault_handler() runs first, as here (a request
		 * without a handler was answered above). Known difference of
		 * the legacy_2024 era: v6.8's iommu_handle_iopf() (io-pgfault.c)
		 * put a non-last request on the partial list before it looked
		 * a domain up, so it kept one even when the PASID had no
		 * handler yet; here such a request is dropped above.
		 */
		sva_domain_put(d);
		f = tcesim_zalloc(dev->w, sizeof(*f));
		if (!f)
			return -ENOMEM;
		f->fault = *fault;
		f->life = life;
		tcesim_mutex_lock(&dev->iopf_lock);
		cds_list_add_tail(&f->list, &dev->partial);
		dev->nr_partial++;
		tcesim_mutex_unlock(&dev->iopf_lock);
		return 0;
	}
	g = tcesim_zalloc(dev->w, sizeof(*g));
	tcesim_mutex_lock(&dev->iopf_lock);
	if (g) {
		g->domain = d;
		g->last = *fault;
		g->life = life;
		CDS_INIT_LIST_HEAD(&g->faults);
	}
	/* the group takes its partials; an aborted group drops them */
	cds_list_for_each_entry_safe(f, n, &dev->partial, list) {
		if (f->fault.grpid != fault->grpid)
			continue;
		cds_list_del(&f->list);
		dev->nr_partial--;
		/*
		 * An older life's partial joining this group (pasid_life.c).
		 * The match is by PRG index only, as upstream's
		 * iommu_handle_iopf() (PCIe: a PRG index names one outstanding
		 * group of the Function whatever its PASID), so compare lives
		 * of the same PASID only.
		 */
		if (f->fault.pasid == fault->pasid)
			sva_life_check(dev, "page request", f->fault.pasid, f->fault.grpid,
				       f->life, owner);
		if (g)
			cds_list_add_tail(&f->list, &g->faults);
		else
			tcesim_kfree(dev->w, f);
	}
	/* iommu_sva_iopf_handler(): queue the work */
	if (g)
		cds_list_add_tail(&g->pending, &dev->pending);
	tcesim_mutex_unlock(&dev->iopf_lock);
	if (!g) {
		tcesim_pr(dev->w, "iopf with pasid %u aborted", fault->pasid);
		iopf_respond(dev, fault, life, TCESIM_IOMMU_PAGE_RESP_FAILURE);
		sva_domain_put(d);
		return -ENOMEM;
	}
	return 0;

err_bad_iopf:
	/*
	 * iopf_error_response() (drivers/iommu/io-pgfault.c, v6.11+): every
	 * page request without a handler is retired with INVALID, the last of
	 * a group or not ("All calls to iommu_report_device_fault() must
	 * result in page_response() properly retiring whatever the event
	 * was"); the driver's descriptor carries the request's own LPIG.
	 * Older eras answered only the last one: v6.8-v6.10 (legacy_2024)
	 * parked a non-last request on the partial list before looking a
	 * handler up, and svm.c's prq_event_thread() (legacy_2019/2020)
	 * responded to a bad request only when LPIG (or PDP) was set.
	 */
	if (last || iopf_answers_every_bad_request(dev->w))
		iopf_respond(dev, fault, life, TCESIM_IOMMU_PAGE_RESP_INVALID);
	return -EINVAL;
}

/* iommu_sva_handle_mm(): one request against the process's address space. */
static enum tcesim_iommu_page_response_code iopf_handle_mm(struct tcesim_mm *mm,
							   const struct tcesim_iommu_fault *f)
{
	unsigned int prot = 0;
	int ret;

	if (!(f->flags & TCESIM_IOMMU_FAULT_PAGE_REQUEST_PASID_VALID))
		return TCESIM_IOMMU_PAGE_RESP_INVALID;
	/* the process is exiting: its address space is going */
	if (!tcesim_mmget_not_zero(mm))
		return TCESIM_IOMMU_PAGE_RESP_INVALID;
	if (f->perm & TCESIM_IOMMU_FAULT_PERM_READ)
		prot |= TCESIM_PROT_READ;
	if (f->perm & TCESIM_IOMMU_FAULT_PERM_WRITE)
		prot |= TCESIM_PROT_WRITE;
	if (f->perm & TCESIM_IOMMU_FAULT_PERM_EXEC)
		prot |= TCESIM_PROT_EXEC;
	/* missing VMA (-EFAULT) or access not allowed by it (-EACCES) */
	ret = tcesim_mm_handle_fault(mm, f->addr, prot);
	tcesim_mmput(mm);
	return ret ? TCESIM_IOMMU_PAGE_RESP_INVALID : TCESIM_IOMMU_PAGE_RESP_SUCCESS;
}

/* iommu_sva_handle_iopf(): errors are sticky within a group. */
static void iopf_run_group(struct tcesim_device *dev, struct iopf_group *g)
{
	enum tcesim_iommu_page_response_code code = TCESIM_IOMMU_PAGE_RESP_SUCCESS;
	struct iopf_fault_node *f;

	cds_list_for_each_entry(f, &g->faults, list) {
		code = iopf_handle_mm(g->domain->mm, &f->fault);
		if (code != TCESIM_IOMMU_PAGE_RESP_SUCCESS)
			break;
	}
	if (code == TCESIM_IOMMU_PAGE_RESP_SUCCESS)
		code = iopf_handle_mm(g->domain->mm, &g->last);
	iopf_respond(dev, &g->last, g->life, code);
	free_fault_list(dev->w, &g->faults);
	sva_domain_put(g->domain);
	tcesim_kfree(dev->w, g);
}

TCESIM_EXPORT int tcesim_iopf_queue_flush_dev(struct tcesim_device *dev)
{
	struct iopf_group *g;

	if (!dev)
		return -EINVAL;
	if (!dev->pri)
		return -ENODEV;
	for (;;) {
		tcesim_mutex_lock(&dev->iopf_lock);
		g = cds_list_empty(&dev->pending)
			    ? NULL : cds_list_first_entry(&dev->pending, struct iopf_group, pending);
		if (g)
			cds_list_del(&g->pending);
		tcesim_mutex_unlock(&dev->iopf_lock);
		if (!g)
			return 0;
		iopf_run_group(dev, g);
	}
}

TCESIM_EXPORT int tcesim_iopf_queue_discard_partial(struct tcesim_device *dev)
{
	unsigned long n;

	if (!dev)
		return -EINVAL;
	tcesim_mutex_lock(&dev->iopf_lock);
	n = dev->nr_partial;
	free_fault_list(dev->w, &dev->partial);
	dev->nr_partial = 0;
	tcesim_mutex_unlock(&dev->iopf_lock);
	return (int)n;
}

TCESIM_EXPORT int tcesim_iommu_device_page_response(struct tcesim_device *dev, uint32_t grpid,
						    struct tcesim_iommu_page_response *out)
{
	unsigned long i;
	int ret = -ENOENT;

	if (!dev || !out)
		return -EINVAL;
	tcesim_mutex_lock(&dev->iopf_lock);
	for (i = dev->nr_resp; i > 0 && dev->nr_resp - i < DEV_RESP_LOG; i--) {
		const struct tcesim_iommu_page_response *r = &dev->resp[(i - 1) % DEV_RESP_LOG];

		if (r->grpid == grpid) {
			*out = *r;
			ret = 0;
			break;
		}
	}
	tcesim_mutex_unlock(&dev->iopf_lock);
	return ret;
}

TCESIM_EXPORT long tcesim_iommu_device_nr_responses(struct tcesim_device *dev)
{
	long n;

	if (!dev)
		return -EINVAL;
	tcesim_mutex_lock(&dev->iopf_lock);
	n = (long)dev->nr_resp;
	tcesim_mutex_unlock(&dev->iopf_lock);
	return n;
}

TCESIM_EXPORT long tcesim_iopf_nr_partial(struct tcesim_device *dev)
{
	long n;

	if (!dev)
		return -EINVAL;
	tcesim_mutex_lock(&dev->iopf_lock);
	n = (long)dev->nr_partial;
	tcesim_mutex_unlock(&dev->iopf_lock);
	return n;
}

/* ------------------------------------------------ for src/prq (VT-d) --- */

void iopf_log_response(struct tcesim_device *dev, const struct tcesim_iommu_page_response *r)
{
	tcesim_mutex_lock(&dev->iopf_lock);
	dev->resp[dev->nr_resp % DEV_RESP_LOG] = *r;
	dev->nr_resp++;
	tcesim_mutex_unlock(&dev->iopf_lock);
}

long iopf_discard_partial_pasid(struct tcesim_device *dev, bool pasid_valid, uint32_t pasid)
{
	struct iopf_fault_node *f, *n;
	long dropped = 0;
	bool valid;

	tcesim_mutex_lock(&dev->iopf_lock);
	cds_list_for_each_entry_safe(f, n, &dev->partial, list) {
		valid = f->fault.flags & TCESIM_IOMMU_FAULT_PAGE_REQUEST_PASID_VALID;
		if (valid != pasid_valid || (valid && f->fault.pasid != pasid))
			continue;
		cds_list_del(&f->list);
		dev->nr_partial--;
		tcesim_kfree(dev->w, f);
		dropped++;
	}
	tcesim_mutex_unlock(&dev->iopf_lock);
	return dropped;
}
