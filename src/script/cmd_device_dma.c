// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * cmd_device_dma.c - device DMA through the PHB TCE cache (SCENARIO.md
 * "Device DMA"): device_dma, and the STALE explanation of --explain.
 */
#include <inttypes.h>

#include "script/cmd_ops.h"

/* ---------------------------------------------------------- device DMA -- */

#define DEVICE_DMA_MAX_LEN (16ULL << 20)

/* Explains pages whose cached translation differs from the table (stale). */
static void explain_stale(struct script_ctx *ctx, struct tcesim_pci_dev *dev, uint64_t iova,
			  uint64_t len)
{
	struct tcesim_pe *pe = tcesim_pci_dev_pe(dev);
	struct tcesim_iommu_table *tbl;
	uint64_t entry, first, last, cached, now;
	unsigned int n, shift;

	if (!tcesim_phb_has_tce_cache(tcesim_pe_phb(pe)))
		return;
	for (n = 0; n < TCESIM_PE_MAX_WINDOWS; n++) {
		if (tcesim_pe_get_table(pe, n, &tbl))
			continue;
		shift = cmdops_page_shift(tbl);
		first = iova >> shift;
		last = (iova + len - 1) >> shift;
		for (entry = first; entry <= last && entry < first + 16; entry++) {
			if (tcesim_iommu_tce_get(tbl, entry, &now))
				continue;
			/* what the device would use now (--explain's oracle) */
			if (tcesim_phb_tce_cache_lookup(pe, n, entry, &cached))
				continue;
			if (cached != now)
				script_explain(ctx, "STALE: the PHB TCE cache still holds 0x%" PRIx64
					       " for entry 0x%" PRIx64 " while the table says 0x%"
					       PRIx64 " (no tce_kill since the exchange): the "
					       "device uses the cached one", cached, entry, now);
		}
		tcesim_iommu_tce_table_put(tbl);
	}
}

static int cmd_device_dma(struct script_ctx *ctx, const struct script_line *ln,
			  struct script_result *res)
{
	struct tcesim_pci_dev *dev = script_obj_need(ctx, "dev", script_pos(ctx, ln, 0, "device"));
	const char *op = dev ? script_pos(ctx, ln, 1, "read|write") : NULL;
	struct tcesim_phb_stats a, b;
	uint64_t iova, len, fill;
	unsigned char *buf;
	bool wr;

	if (!dev || !op)
		return SCRIPT_ERR;
	if (strcmp(op, "read") && strcmp(op, "write"))
		return script_error(ctx, "device_dma: read or write, not '%s'", op);
	wr = !strcmp(op, "write");
	if (script_arg(ln, "pasid"))
		return script_error(ctx, "device_dma: %s is a TCE device (PHB DMA windows have "
				    "no PASIDs); pasid= is for pdev devices",
				    tcesim_pci_dev_name(dev));
	if (!script_arg_u64(ctx, ln, "iova", true, 0, &iova) ||
	    !script_arg_u64(ctx, ln, "len", true, 0, &len) ||
	    !script_arg_u64(ctx, ln, "fill", false, 0x5a, &fill))
		return SCRIPT_ERR;
	if (!wr && script_arg(ln, "fill"))
		return script_error(ctx, "device_dma: fill= is for write");
	if (!len || len > DEVICE_DMA_MAX_LEN || fill > 0xff)
		return script_error(ctx, "device_dma: len=1..16M, fill=0..0xff");
	buf = malloc((size_t)len);
	if (!buf)
		return script_error(ctx, "out of memory");
	memset(buf, (int)fill, (size_t)len);
	if (script_explaining(ctx))
		explain_stale(ctx, dev, iova, len);
	tcesim_phb_get_stats(tcesim_pe_phb(tcesim_pci_dev_pe(dev)), &a);
	if (wr)
		res->ret = tcesim_pci_dev_dma_write(dev, iova, buf, (size_t)len);
	else
		res->ret = tcesim_pci_dev_dma_read(dev, iova, buf, (size_t)len);
	tcesim_phb_get_stats(tcesim_pe_phb(tcesim_pci_dev_pe(dev)), &b);
	if (!res->ret && !wr)
		script_report_u64(res, "data", buf[0]);
	if (script_explaining(ctx)) {
		if (b.cache_hits + b.cache_misses != a.cache_hits + a.cache_misses)
			script_explain(ctx, "translated through the PHB TCE cache (filled from "
				       "the table on a miss; only a kill empties it)");
		if (res->ret == -EFAULT)
			script_explain(ctx, "no translation (no window covers it, or the TCE is "
				       "empty)");
		else if (res->ret == -EACCES)
			script_explain(ctx, "the TCE lacks %s permission", wr ? "W" : "R");
		else if (!res->ret && wr)
			script_explain(ctx, "%" PRIu64 " byte(s) of 0x%02x written (no dirty bit: "
				       "the IOMMU code sets it when the TCE is released)", len,
				       (unsigned int)fill);
		else if (!res->ret)
			script_explain(ctx, "%" PRIu64 " byte(s) read, first 0x%02x", len, buf[0]);
	}
	free(buf);
	return SCRIPT_OK;
}


const struct script_cmd script_cmds_device_dma[] = {
	{ "device_dma", "iova,len,fill,pasid", cmd_device_dma,
	  "device_dma DEV read|write iova=ADDR len=N [fill=BYTE]   => ok [data=FIRST_BYTE] | "
	  "EFAULT (no translation) | EACCES (permission)   # through the PHB TCE cache; write "
	  "fills with fill= (0x5a); pasid= is refused (TCE devices have no PASIDs)" },
	{ NULL, NULL, NULL, NULL },
};
