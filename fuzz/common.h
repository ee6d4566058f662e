/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * common.h - the host the VFIO and hypercall harnesses both drive
 * (fuzz_vfio.c, fuzz_hcall.c; common.c): a world, process "qemu" with
 * FUZZ_RAM_SIZE of 4K-page RAM at FUZZ_RAM_VA, an IODA2 PHB with one PE
 * and one PCI device "d0" (64-bit DMA mask), and a VFIO sPAPR TCE
 * container. Public API only. Each harness adds its own pieces (a second
 * process, a huge page, a KVM guest) between or after the two setup steps.
 */
#ifndef TCESIM_FUZZ_COMMON_H
#define TCESIM_FUZZ_COMMON_H

#include <stdint.h>

#include <tcesim/tcesim.h>

#include "fuzz.h"

#define FUZZ_RAM_VA	0x10000000ULL	/* process qemu's RAM: 1M of 4K pages */
#define FUZZ_RAM_SIZE	(1ULL << 20)

/* What fuzz_world_create() and fuzz_world_add_pe() made; NULL: not (yet) made. */
struct fuzz_world {
	struct tcesim_world *w;
	struct tcesim_mm *qemu;
	struct tcesim_phb *phb;
	struct tcesim_pe *pe;
	struct tcesim_pci_dev *dev;
	struct tcesim_tce_container *c;
};

/*
 * Starts one input: @in reads @data, the calling thread enters the model
 * (tcesim_thread_enter(); fuzz_world_end() leaves it), and the input's
 * first byte, returned, is its config byte: bits 0-1 pick the flavour of
 * @cfg (modern, legacy_2013, legacy_2015, legacy_2016), @upstream_bit set
 * picks quirks=upstream, else quirks=safe. The harness reads its own bits.
 */
unsigned int fuzz_world_begin(struct fuzz_in *in, const uint8_t *data, size_t size,
			      unsigned int upstream_bit, struct tcesim_world_cfg *cfg);

/* Ends the input begun by fuzz_world_begin() (tcesim_thread_exit()). */
void fuzz_world_end(void);

/* The world and process "qemu" (RLIMIT_MEMLOCK @memlock bytes) with its RAM mapped. 0 or -1. */
int fuzz_world_create(struct fuzz_world *fw, const struct tcesim_world_cfg *cfg,
		      uint64_t memlock);

/* The IODA2 PHB, its PE (32-bit window @dma32 bytes), device "d0", a container of @type. 0 or -1. */
int fuzz_world_add_pe(struct fuzz_world *fw, uint64_t dma32, unsigned long type);

/* Releases the container and lets the RCU callbacks run; nothing if there is none. */
void fuzz_world_close_container(struct fuzz_world *fw);

/* Closes the container, destroys whatever was made, in reverse order. */
void fuzz_world_destroy(struct fuzz_world *fw);

#endif
