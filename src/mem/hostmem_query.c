// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * hostmem_query.c - the public door to host frame allocation
 * (tcesim_alloc_pages(), tcesim/mem.h): what a kernel driver's buffer is
 * made of. The frames themselves are hostmem.c's; this file only checks the
 * arguments and turns hostmem_alloc_pfns()'s "pfn or 0" into an errno.
 */
#include "mem/mem_internal.h"

TCESIM_EXPORT int tcesim_alloc_pages(struct tcesim_world *w, unsigned int order, uint64_t *hpa)
{
	struct hostmem *hm;
	uint64_t pfn;

	if (!w || !hpa)
		return -EINVAL;
	hm = hostmem_get(w);
	if (!hm)
		return -ENOMEM;
	/*
	 * __alloc_pages() refuses an order above MAX_PAGE_ORDER (NULL, a
	 * WARN without __GFP_NOWARN); the world's MAX_PAGE_ORDER is
	 * tcesim_world_max_page_order(). The RAM check stays for a world
	 * whose MAX_PAGE_ORDER was raised near the limit.
	 */
	if ((int)order > tcesim_max_page_order(w) || order >= 64 - hm->page_shift ||
	    (1ULL << order) > (HOSTMEM_MAX_HPA >> hm->page_shift))
		return -ENOMEM;
	pfn = hostmem_alloc_pfns(hm, order);
	if (!pfn)
		return -ENOMEM;
	*hpa = pfn << hm->page_shift;
	return 0;
}
