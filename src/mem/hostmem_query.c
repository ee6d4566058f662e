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
	/* alloc_pages() beyond MAX_ORDER fails (NULL), it does not overflow */
	if (order >= 64 - hm->page_shift || (1ULL << order) > (HOSTMEM_MAX_HPA >> hm->page_shift))
		return -ENOMEM;
	pfn = hostmem_alloc_pfns(hm, order);
	if (!pfn)
		return -ENOMEM;
	*hpa = pfn << hm->page_shift;
	return 0;
}
