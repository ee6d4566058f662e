// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * seed000_exchange.c - seed 000 as a kernel developer's unit test: exchange
 * TCEs on a PowerNV IODA2 PHB, see a device keep using a stale translation
 * until the kill, and check which pages the IOMMU code marks dirty.
 *
 * The same story as examples/seed000_stale_until_kill.tsim and
 * seed000_dirty_marking.tsim, written against the installed library only
 * (#include <tcesim/tcesim.h>, link with `pkg-config --libs tcesim` or
 * find_package(tcesim)). Kernel code modelled:
 * arch/powerpc/kernel/iommu.c iommu_tce_xchg_no_kill() / iommu_tce_kill(),
 * and the PHB3 TCE cache that pnv_pci_phb3_tce_invalidate() empties.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <tcesim/tcesim.h>

#define VA	0x10000000ULL	/* a 1 MiB anonymous mapping of "qemu" */

struct fx {
	struct tcesim_world *w;
	struct tcesim_mm *mm;
	struct tcesim_phb *phb;
	struct tcesim_pe *pe;
	struct tcesim_pci_dev *dev;
	struct tcesim_iommu_table *tbl;	/* window 0 of the PE (our reference) */
};

static int setup(void **state)
{
	struct tcesim_phb_cfg pcfg;
	struct tcesim_pe_cfg ecfg;
	struct fx *f = calloc(1, sizeof(*f));

	tcesim_thread_enter();
	if (!f || tcesim_world_create(NULL, &f->w))
		return -1;
	tcesim_phb_cfg_init(&pcfg, TCESIM_PHB_IODA2);
	tcesim_pe_cfg_init(&ecfg);
	ecfg.dma32_size = 32ULL << 20;
	if (tcesim_mm_create(f->w, "qemu", 64ULL << 20, false, &f->mm) ||
	    tcesim_mm_mmap(f->mm, VA, 1ULL << 20, TCESIM_PROT_READ | TCESIM_PROT_WRITE, 0) ||
	    tcesim_phb_create(f->w, &pcfg, &f->phb) || tcesim_pe_create(f->phb, &ecfg, &f->pe) ||
	    tcesim_pci_dev_create(f->pe, "d0", 64, &f->dev) ||
	    tcesim_pe_get_table(f->pe, 0, &f->tbl))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	tcesim_iommu_tce_table_put(f->tbl);
	tcesim_pci_dev_destroy(f->dev);
	tcesim_pe_destroy(f->pe);
	tcesim_phb_destroy(f->phb);
	tcesim_mm_exit(f->mm);
	tcesim_world_destroy(f->w);
	free(f);
	tcesim_thread_exit();
	return 0;
}

/* VFIO v1's tce_iommu_use_page(): pin the page behind @va, writable. */
static uint64_t pin(struct fx *f, uint64_t va)
{
	uint64_t hpa = 0;

	assert_int_equal(tcesim_pin_user_pages_fast(f->mm, va, 1, TCESIM_FOLL_WRITE, &hpa), 1);
	return hpa;
}

static void map(struct fx *f, uint64_t entry, uint64_t *hpa, enum tcesim_dma_data_direction *dir)
{
	assert_int_equal(tcesim_iommu_tce_xchg_no_kill(f->mm, f->tbl, entry, hpa, dir), 0);
}

static struct tcesim_page_info page(struct fx *f, uint64_t hpa)
{
	struct tcesim_page_info pi;

	assert_int_equal(tcesim_page_query(f->w, hpa, &pi), 0);
	return pi;
}

/* The exchange returns the old page; without a kill the device keeps it. */
static void test_stale_translation_until_kill(void **state)
{
	struct fx *f = *state;
	enum tcesim_dma_data_direction dir = TCESIM_DMA_BIDIRECTIONAL;
	uint64_t first = pin(f, VA), second = pin(f, VA + 0x1000), hpa = first, tce, cached;
	unsigned char buf[64];

	map(f, 1, &hpa, &dir);
	assert_int_equal(hpa, 0);				/* entry 1 was empty */
	assert_int_equal(dir, TCESIM_DMA_NONE);
	assert_int_equal(tcesim_iommu_tce_kill(f->tbl, 1, 1), 0);
	memset(buf, 0x11, sizeof(buf));
	/* iova 0x1000 is entry 1 of the 4K window: the PHB caches it */
	assert_int_equal(tcesim_pci_dev_dma_write(f->dev, 0x1000, buf, sizeof(buf)), 0);
	assert_int_equal(tcesim_phb_tce_cache_lookup(f->pe, 0, 1, &cached), 0);

	/* move entry 1 to the second page, no kill yet */
	hpa = second;
	dir = TCESIM_DMA_BIDIRECTIONAL;
	map(f, 1, &hpa, &dir);
	assert_int_equal(hpa, first);				/* the old page comes back */
	assert_int_equal(dir, TCESIM_DMA_BIDIRECTIONAL);
	assert_int_equal(tcesim_iommu_tce_get(f->tbl, 1, &tce), 0);
	assert_int_equal(tce, second | TCESIM_TCE_PCI_READ | TCESIM_TCE_PCI_WRITE);

	/* the table is right, the cache is not: a stale translation */
	assert_int_equal(tcesim_phb_tce_cache_lookup(f->pe, 0, 1, &cached), 0);
	assert_int_equal(cached, first | TCESIM_TCE_PCI_READ | TCESIM_TCE_PCI_WRITE);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(tcesim_pci_dev_dma_read(f->dev, 0x1000, buf, 8), 0);
	assert_int_equal(buf[0], 0x11);				/* still the first page */

	assert_int_equal(tcesim_iommu_tce_kill(f->tbl, 1, 1), 0);
	assert_int_equal(tcesim_phb_tce_cache_lookup(f->pe, 0, 1, &cached), -ENOENT);
	assert_int_equal(tcesim_pci_dev_dma_read(f->dev, 0x1000, buf, 8), 0);
	assert_int_equal(buf[0], 0);				/* the new, untouched page */

	/* clear, kill: no translation at all */
	hpa = 0;
	dir = TCESIM_DMA_NONE;
	map(f, 1, &hpa, &dir);
	assert_int_equal(hpa, second);
	assert_int_equal(tcesim_iommu_tce_kill(f->tbl, 1, 1), 0);
	assert_int_equal(tcesim_pci_dev_dma_read(f->dev, 0x1000, buf, 8), -EFAULT);
	tcesim_unpin_user_page(f->w, first);
	tcesim_unpin_user_page(f->w, second);
	assert_int_equal(page(f, second).pins, 0);
}

/* Releasing a TCE the device could write dirties the page; to_device not. */
static void test_dirty_marking(void **state)
{
	struct fx *f = *state;
	enum tcesim_dma_data_direction dir = TCESIM_DMA_BIDIRECTIONAL;
	uint64_t rw = pin(f, VA + 0x10000), ro = pin(f, VA + 0x11000), hpa = rw;
	unsigned char buf[8] = { 0x5a };

	map(f, 2, &hpa, &dir);
	assert_int_equal(tcesim_iommu_tce_kill(f->tbl, 2, 1), 0);
	assert_int_equal(tcesim_pci_dev_dma_write(f->dev, 0x2000, buf, sizeof(buf)), 0);
	assert_false(page(f, rw).dirty);		/* the device's write sets no bit */
	hpa = 0;
	dir = TCESIM_DMA_NONE;
	map(f, 2, &hpa, &dir);
	assert_int_equal(dir, TCESIM_DMA_BIDIRECTIONAL);
	assert_true(page(f, rw).dirty);			/* release does */

	hpa = ro;
	dir = TCESIM_DMA_TO_DEVICE;
	map(f, 3, &hpa, &dir);
	assert_int_equal(tcesim_iommu_tce_kill(f->tbl, 3, 1), 0);
	assert_int_equal(tcesim_pci_dev_dma_read(f->dev, 0x3000, buf, sizeof(buf)), 0);
	assert_int_equal(tcesim_pci_dev_dma_write(f->dev, 0x3000, buf, sizeof(buf)), -EACCES);
	hpa = 0;
	dir = TCESIM_DMA_NONE;
	map(f, 3, &hpa, &dir);
	assert_int_equal(dir, TCESIM_DMA_TO_DEVICE);
	assert_false(page(f, ro).dirty);		/* the device only read it */

	tcesim_unpin_user_page(f->w, rw);
	tcesim_unpin_user_page(f->w, ro);
	assert_int_equal(page(f, rw).pins, 0);
	assert_int_equal(page(f, ro).pins, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stale_translation_until_kill, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dirty_marking, setup, teardown),
	};

	return cmocka_run_group_tests_name("seed000_exchange", tests, NULL, NULL);
}
