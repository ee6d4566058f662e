/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz.h - what every tcesim fuzz harness shares.
 *
 * Each harness defines LLVMFuzzerTestOneInput() (common.c defines the
 * LLVMFuzzerInitialize() all of them share). Built by clang with
 * -fsanitize=fuzzer it is a libFuzzer target; built with replay.c instead
 * (any compiler) it is a plain executable that runs every file of the
 * corpus directories or files it is given once (ctest does that in every
 * build, so the corpus is a regression suite).
 */
#ifndef TCESIM_FUZZ_H
#define TCESIM_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A stream that discards what is written (the model's messages). */
FILE *fuzz_devnull(void);

/* Reads little-endian integers from the input; 0 once it is used up. */
struct fuzz_in {
	const uint8_t *p;
	size_t left;
};

static inline uint64_t fuzz_take(struct fuzz_in *in, unsigned int bytes)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < bytes && in->left; i++, in->left--)
		v |= (uint64_t)*in->p++ << (8 * i);
	return v;
}

#endif
