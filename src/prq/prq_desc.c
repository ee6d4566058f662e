// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * prq_desc.c - the 32-byte page request descriptor (VT-d spec 7.4.1;
 * drivers/iommu/intel/prq.c: struct page_req_dsc): encode as the hardware
 * writes it, decode as prq_event_thread() reads it. Pure functions, layer 0
 * of the order atop prq_internal.h.
 */
#include "prq/prq_internal.h"

TCESIM_EXPORT void tcesim_prq_desc_encode(const struct tcesim_vtd_page_req *req, uint64_t qw[4])
{
	qw[0] = (TCESIM_PRQ_DESC_TYPE_PAGE_REQ << TCESIM_PRQ_QW0_TYPE_SHIFT) |
		(req->pasid_present ? TCESIM_PRQ_QW0_PASID_PRESENT : 0) |
		(((uint64_t)req->rid << TCESIM_PRQ_QW0_RID_SHIFT) & TCESIM_PRQ_QW0_RID_MASK) |
		(((uint64_t)req->pasid << TCESIM_PRQ_QW0_PASID_SHIFT) & TCESIM_PRQ_QW0_PASID_MASK) |
		(req->exe ? TCESIM_PRQ_QW0_EXE_REQ : 0) | (req->pm ? TCESIM_PRQ_QW0_PM_REQ : 0);
	qw[1] = (req->rd ? TCESIM_PRQ_QW1_RD_REQ : 0) | (req->wr ? TCESIM_PRQ_QW1_WR_REQ : 0) |
		(req->lpig ? TCESIM_PRQ_QW1_LPIG : 0) |
		(((uint64_t)req->prg_index << TCESIM_PRQ_QW1_PRG_INDEX_SHIFT) &
		 TCESIM_PRQ_QW1_PRG_INDEX_MASK) |
		(req->addr & TCESIM_PRQ_QW1_ADDR_MASK);
	qw[2] = 0;
	qw[3] = 0;
}

TCESIM_EXPORT unsigned int tcesim_prq_desc_decode(const uint64_t qw[4],
						  struct tcesim_vtd_page_req *req)
{
	req->pasid_present = qw[0] & TCESIM_PRQ_QW0_PASID_PRESENT;
	req->rid = (uint16_t)((qw[0] & TCESIM_PRQ_QW0_RID_MASK) >> TCESIM_PRQ_QW0_RID_SHIFT);
	req->pasid = (uint32_t)((qw[0] & TCESIM_PRQ_QW0_PASID_MASK) >> TCESIM_PRQ_QW0_PASID_SHIFT);
	req->exe = qw[0] & TCESIM_PRQ_QW0_EXE_REQ;
	req->pm = qw[0] & TCESIM_PRQ_QW0_PM_REQ;
	req->rd = qw[1] & TCESIM_PRQ_QW1_RD_REQ;
	req->wr = qw[1] & TCESIM_PRQ_QW1_WR_REQ;
	req->lpig = qw[1] & TCESIM_PRQ_QW1_LPIG;
	req->prg_index = (uint32_t)((qw[1] & TCESIM_PRQ_QW1_PRG_INDEX_MASK) >>
				    TCESIM_PRQ_QW1_PRG_INDEX_SHIFT);
	req->addr = qw[1] & TCESIM_PRQ_QW1_ADDR_MASK;
	return (unsigned int)((qw[0] & TCESIM_PRQ_QW0_TYPE_MASK) >> TCESIM_PRQ_QW0_TYPE_SHIFT);
}
