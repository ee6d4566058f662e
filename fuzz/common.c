// SPDX-License-Identifier: LGPL-2.1-or-later
/* common.c - helpers shared by the fuzz harnesses (fuzz.h). */
#include "fuzz.h"

FILE *fuzz_devnull(void)
{
	static FILE *f;

	if (!f)
		f = fopen("/dev/null", "w");
	return f;
}
