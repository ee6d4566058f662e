// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * fuzz_scenario.c - scenario text through the interpreter
 * (tcesim_script_run_string(), what `tcesim run` does).
 *
 * Input: scenario text. A first byte '!' runs it with --explain (the rest
 * is the text), so the explain paths are fuzzed too. NUL bytes end the text
 * (as a C string would). Any return code is fine (0, 1, 2): a crash,
 * sanitizer report, leak or hang is the finding.
 */
#include <stdlib.h>
#include <string.h>

#include <tcesim/script.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tcesim_run_opts opts = { .size = sizeof(opts) };
	char *text;

	if (size && data[0] == '!') {
		opts.explain = true;
		data++;
		size--;
	}
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	opts.out = fuzz_devnull();
	opts.err = fuzz_devnull();
	tcesim_script_run_string("fuzz.tsim", text, &opts, NULL);
	free(text);
	return 0;
}
