/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tcesim/script.h - the scenario runner (`tcesim run`) as a library call,
 * so tests and other programs run .tsim files without the CLI.
 */
#ifndef TCESIM_SCRIPT_H
#define TCESIM_SCRIPT_H

#include <stdbool.h>
#include <stdio.h>
#include <tcesim/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * struct tcesim_run_opts - options of tcesim_script_run_files()
 * @size: sizeof(struct tcesim_run_opts)
 * @explain: print each command and its effects (--explain)
 * @out: where failed expectations, explanations and the closing line go
 *	(NULL: stdout)
 * @err: where syntax errors go (NULL: stderr)
 * @schedule: files with `thread` sections: replay only this schedule (a
 *	string an exploration printed) instead of exploring (--schedule=);
 *	NULL to explore
 */
struct tcesim_run_opts {
	size_t size;
	bool explain;
	FILE *out;
	FILE *err;
	const char *schedule;
};

/**
 * struct tcesim_run_stats - counts over all files of one run
 * @passed: expectations that held
 * @failed: expectations that did not
 * @syntax_errors: files stopped by a syntax error or unknown command/object
 */
struct tcesim_run_stats {
	long passed;
	long failed;
	long syntax_errors;
};

/**
 * tcesim_script_run_files() - Run scenario files, each in a fresh world
 * @paths: files to run
 * @n: number of @paths
 * @opts: options (NULL: defaults)
 * @stats: out, counts (may be NULL)
 *
 * Prints "FILE:LINE: expected WANT, got GOT" per failed expectation and a
 * closing "N passed, N failed" line (SCENARIO.md).
 *
 * Models: none (the scenario format of shared/SCENARIO.md).
 * Context: registers the calling thread with RCU for the duration.
 * Return: 0 when all expectations held, 1 when any failed, 2 on a syntax
 *         error, an unknown command or object, or an unreadable file.
 */
TCESIM_EXPORT int tcesim_script_run_files(const char *const *paths, int n,
					  const struct tcesim_run_opts *opts,
					  struct tcesim_run_stats *stats);

/**
 * tcesim_script_run_string() - Run one scenario given as text
 * @name: file name used in messages
 * @text: scenario text
 * @opts: options (NULL: defaults)
 * @stats: out, counts (may be NULL)
 *
 * Models: none.
 * Context: as tcesim_script_run_files().
 * Return: 0, 1 or 2 as tcesim_script_run_files().
 */
TCESIM_EXPORT int tcesim_script_run_string(const char *name, const char *text,
					   const struct tcesim_run_opts *opts,
					   struct tcesim_run_stats *stats);

/**
 * tcesim_script_print_commands() - List the scenario commands with usage
 * @f: stream
 *
 * Models: none.
 * Context: any thread.
 * Return: nothing.
 */
TCESIM_EXPORT void tcesim_script_print_commands(FILE *f);

#ifdef __cplusplus
}
#endif
#endif
