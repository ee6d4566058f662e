// SPDX-License-Identifier: LGPL-2.1-or-later
/* common.c - helpers shared by the fuzz harnesses (fuzz.h, common.h). */
#include "common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

FILE *fuzz_devnull(void)
{
	static FILE *f;

	if (!f)
		f = fopen("/dev/null", "w");
	return f;
}

unsigned int fuzz_world_begin(struct fuzz_in *in, const uint8_t *data, size_t size,
			      unsigned int upstream_bit, struct tcesim_world_cfg *cfg)
{
	static const enum tcesim_flavour flav[] = {
		TCESIM_FLAVOUR_MODERN, TCESIM_FLAVOUR_LEGACY_2013, TCESIM_FLAVOUR_LEGACY_2015,
		TCESIM_FLAVOUR_LEGACY_2016,
	};
	unsigned int cfgb;

	in->p = data;
	in->left = size;
	cfgb = (unsigned int)fuzz_take(in, 1);
	tcesim_thread_enter();
	tcesim_world_cfg_init(cfg);
	cfg->flavour = flav[cfgb & 3];
	cfg->quirks = cfgb & upstream_bit ? TCESIM_QUIRKS_UPSTREAM : TCESIM_QUIRKS_SAFE;
	return cfgb;
}

void fuzz_world_end(void)
{
	tcesim_thread_exit();
}

int fuzz_world_create(struct fuzz_world *fw, const struct tcesim_world_cfg *cfg,
		      uint64_t memlock)
{
	if (tcesim_world_create(cfg, &fw->w) ||
	    tcesim_mm_create(fw->w, "qemu", memlock, false, &fw->qemu) ||
	    tcesim_mm_mmap(fw->qemu, FUZZ_RAM_VA, FUZZ_RAM_SIZE,
			   TCESIM_PROT_READ | TCESIM_PROT_WRITE, 0))
		return -1;
	return 0;
}

int fuzz_world_add_pe(struct fuzz_world *fw, uint64_t dma32, unsigned long type)
{
	struct tcesim_phb_cfg pcfg;
	struct tcesim_pe_cfg ecfg;

	tcesim_phb_cfg_init(&pcfg, TCESIM_PHB_IODA2);
	tcesim_pe_cfg_init(&ecfg);
	ecfg.dma32_size = dma32;
	if (tcesim_phb_create(fw->w, &pcfg, &fw->phb) || tcesim_pe_create(fw->phb, &ecfg, &fw->pe) ||
	    tcesim_pci_dev_create(fw->pe, "d0", 64, &fw->dev) ||
	    tcesim_tce_iommu_open(fw->w, type, &fw->c))
		return -1;
	return 0;
}

void fuzz_world_close_container(struct fuzz_world *fw)
{
	if (!fw->c)
		return;
	tcesim_tce_iommu_release(fw->c);
	fw->c = NULL;
	tcesim_rcu_barrier(); /* the windows' tables are freed by RCU callbacks */
}

void fuzz_world_destroy(struct fuzz_world *fw)
{
	fuzz_world_close_container(fw);
	if (fw->dev)
		tcesim_pci_dev_destroy(fw->dev);
	if (fw->pe)
		tcesim_pe_destroy(fw->pe);
	if (fw->phb)
		tcesim_phb_destroy(fw->phb);
	if (fw->qemu)
		tcesim_mm_exit(fw->qemu);
	if (fw->w)
		tcesim_world_destroy(fw->w);
	*fw = (struct fuzz_world){ 0 };
}
