/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fx_script.h - the scenario-runner fixture shared by tests/script
 * (test_script.c, test_cmd_ops.c) and tests/explore (test_invariants.c,
 * test_linearizable.c): run a scenario given as text (file name "t.tsim")
 * or scenario files through the public run API (<tcesim/script.h>) with
 * its output and error streams captured in memory, then assert on the exit
 * code, the counts and the lines. Include after tcesim_test.h.
 */
#ifndef TCESIM_TEST_FX_SCRIPT_H
#define TCESIM_TEST_FX_SCRIPT_H

#include <stdbool.h>

#include <tcesim/script.h>

/*
 * The host most explore scenarios start from: process qemu (RLIMIT_MEMLOCK
 * 64M) with 1M of RAM at 0x10000000, IODA2 PHB phb0 and its PE pe0 with a
 * 32M 32-bit window (table pe0:0). Scenario text: 4 lines.
 */
#define FX_SCRIPT_PE0								\
	"mm qemu memlock=64M\n"							\
	"mmap qemu va=0x10000000 size=1M\n"					\
	"phb phb0 model=ioda2\n"						\
	"pe pe0 phb=phb0 dma32=32M\n"

/*
 * Two threads racing @cmd (tce_xchg_set, tce_get_set: a string literal) on
 * entry 0 of pe0, each with a page of its own (qemu's second and third);
 * the finally section clears the entry. Scenario text: 6 lines.
 */
#define FX_SCRIPT_RACE0(cmd)							\
	"thread cpu0\n"								\
	"  " cmd " pe0 entry=0 mm=qemu va=0x10001000\n"				\
	"thread cpu1\n"								\
	"  " cmd " pe0 entry=0 mm=qemu va=0x10002000\n"				\
	"finally\n"								\
	"  " cmd " pe0 entry=0\n"

/* One run: exit code (0 passed, 1 an expectation failed, 2 syntax/usage), counts, streams. */
struct fx_run {
	int rc;
	struct tcesim_run_stats st;
	char out[65536];	/* opts->out: failed expectations, explanations, closing line */
	char err[4096];		/* opts->err: syntax and usage errors */
};

/*
 * Runs @text (when non-NULL, as file "t.tsim") or else the @n files of
 * @paths with the options of @opts (NULL: defaults) but for the streams,
 * which go to @r's buffers (NUL-terminated, cut at their size).
 */
static inline void fx_script_run_with(struct fx_run *r, const char *text,
				      const char *const *paths, int n,
				      const struct tcesim_run_opts *opts)
{
	struct tcesim_run_opts o = { .size = sizeof(o) };
	FILE *out, *err;

	if (opts)
		o = *opts;
	memset(r->out, 0, sizeof(r->out));
	memset(r->err, 0, sizeof(r->err));
	out = fmemopen(r->out, sizeof(r->out), "w");
	err = fmemopen(r->err, sizeof(r->err), "w");
	assert_non_null(out);
	assert_non_null(err);
	o.out = out;
	o.err = err;
	if (text)
		r->rc = tcesim_script_run_string("t.tsim", text, &o, &r->st);
	else
		r->rc = tcesim_script_run_files(paths, n, &o, &r->st);
	fclose(out);
	fclose(err);
}

/* @text with the default options. */
static inline void fx_script_run(const char *text, struct fx_run *r)
{
	fx_script_run_with(r, text, NULL, 0, NULL);
}

/* @text with --explain when @explain. */
static inline void fx_script_run_explain(const char *text, bool explain, struct fx_run *r)
{
	struct tcesim_run_opts o = { .size = sizeof(o), .explain = explain };

	fx_script_run_with(r, text, NULL, 0, &o);
}

/* @text with --schedule=@sched (NULL: explore every schedule). */
static inline void fx_script_run_sched(const char *text, const char *sched, struct fx_run *r)
{
	struct tcesim_run_opts o = { .size = sizeof(o), .schedule = sched };

	fx_script_run_with(r, text, NULL, 0, &o);
}

/*
 * Every expectation held (exit 0, none failed), @passed of them when
 * @passed >= 0, and @want is in the output when non-NULL; else fails
 * printing the run's output and errors.
 */
static inline void fx_script_assert_pass(const struct fx_run *r, long passed, const char *want)
{
	if (r->rc != 0 || r->st.failed || (want && !strstr(r->out, want)))
		fail_msg("rc %d, want '%s'\nout:\n%s\nerr:\n%s", r->rc, want ? want : "", r->out,
			 r->err);
	if (passed >= 0)
		assert_int_equal(r->st.passed, passed);
}

/* Exit code @rc and @want in the output; else fails printing both streams. */
static inline void fx_script_assert_out(const struct fx_run *r, int rc, const char *want)
{
	if (r->rc != rc || !strstr(r->out, want))
		fail_msg("want rc %d and '%s'\nrc %d out:\n%s\nerr:\n%s", rc, want, r->rc, r->out,
			 r->err);
}

/* Exit code @rc and @want in the errors; else fails printing both streams. */
static inline void fx_script_assert_err(const struct fx_run *r, int rc, const char *want)
{
	if (r->rc != rc || !strstr(r->err, want))
		fail_msg("want exit %d with '%s', got rc %d err: %s out: %s", rc, want, r->rc,
			 r->err, r->out);
}

#endif /* TCESIM_TEST_FX_SCRIPT_H */
