// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_replay.c - `tcesim replay` against the bundled real traces
 * (data/traces, QEMU 7.2 + Linux 6.1 guest): full replays expecting zero
 * mismatches and the README's counts, a slice with its expected counts,
 * QEMU's error rules on synthetic traces, mismatch reporting, malformed
 * input (exit 2 with FILE:LINE, never a crash), compression, the CLI.
 */
#include "tcesim_test.h"

#include <zlib.h>

#include <tcesim/replay.h>

static const char *trace_dir(void)
{
	const char *d = getenv("TCESIM_TRACE_DIR");

	return d ? d : "data/traces";
}

static char *trace_path(const char *rel)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) & 3;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", trace_dir(), rel);
	return buf[i];
}

/* Replays a synthetic trace held in strings; error text in *errbuf. */
static int replay_str(const char *tce, const char *xlate, struct tcesim_replay_summary *sum,
		      char **errbuf, FILE *trace_out)
{
	struct tcesim_replay_opts o = { .size = sizeof(o), .hcall = TCESIM_HCALL_QEMU };
	size_t elen;
	FILE *err = open_memstream(errbuf, &elen);
	int ret;

	assert_non_null(err);
	o.err = err;
	o.trace_out = trace_out;
	ret = tcesim_replay_buffers("t.tce", tce, strlen(tce), "t.xlate", xlate,
				    xlate ? strlen(xlate) : 0, &o, sum);
	fclose(err);
	return ret;
}

static struct tcesim_replay_summary sum;

/* Replays a whole recorded trace under QEMU's rules: the counts both traces check. */
static void replay_full(const char *trace, uint64_t hcalls, uint64_t puts, uint64_t indirects,
			uint64_t stuffs, uint64_t xlates)
{
	struct tcesim_replay_opts o = { .size = sizeof(o), .hcall = TCESIM_HCALL_QEMU };

	assert_int_equal(tcesim_replay_file(trace_path(trace), &o, &sum), 0);
	assert_int_equal(sum.hcalls, hcalls);
	assert_int_equal(sum.by_kind[TCESIM_REPLAY_PUT], puts);
	assert_int_equal(sum.by_kind[TCESIM_REPLAY_INDIRECT], indirects);
	assert_int_equal(sum.by_kind[TCESIM_REPLAY_STUFF], stuffs);
	assert_int_equal(sum.xlates, xlates);
	assert_int_equal(sum.mismatches, 0);
}

static void test_replay_vio_full(void **state)
{
	(void)state;
	replay_full("vio/vio.tce.txt.xz", 12597, 3092, 3319, 6186, 175032);
	assert_int_equal(sum.by_kind[TCESIM_REPLAY_GET], 0);
	assert_int_equal(sum.tables, 3);
	assert_int_equal(sum.nrets, 3);	/* every return code is H_SUCCESS */
	assert_int_equal(sum.ntables, 3);
	assert_true(sum.peak_live >= sum.final_live);
	tcesim_replay_print_summary(stderr, &sum, false);
}

static void test_replay_pci_full(void **state)
{
	(void)state;
	replay_full("pci/pci.tce.txt.xz", 87143, 40103, 3386, 43654, 367492);
	tcesim_replay_print_summary(stderr, &sum, false);
}

/* The same trace through kvm+qemu: KVM has no table, every call falls back. */
static void test_replay_vio_kvm_qemu_fallback(void **state)
{
	struct tcesim_replay_opts o = { .size = sizeof(o), .hcall = TCESIM_HCALL_KVM_QEMU };

	(void)state;
	assert_int_equal(tcesim_replay_file(trace_path("vio/vio.tce.txt.xz"), &o, &sum), 0);
	assert_int_equal(sum.mismatches, 0);
	/* KVM only: every call is H_TOO_HARD, i.e. one return-code mismatch each */
	o.hcall = TCESIM_HCALL_KVM;
	o.show = 1;
	o.err = fopen("/dev/null", "w");
	assert_int_equal(tcesim_replay_file(trace_path("vio/vio.tce.txt.xz"), &o, &sum), 1);
	fclose(o.err);
	assert_int_equal(sum.ret_mismatches, 12597);
	assert_non_null(strstr(sum.shown[0], "returned H_TOO_HARD, QEMU returned H_SUCCESS"));
}

/* Cut @text after the last record whose seq is <= @max_seq. */
static size_t cut_at_seq(const char *text, size_t len, unsigned long max_seq)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		unsigned long seq;

		if (*p != '#' && sscanf(p, "%*s %lu", &seq) == 1 && seq > max_seq)
			return (size_t)(p - text);
		p = nl ? nl + 1 : end;
	}
	return len;
}

static void test_replay_vio_slice(void **state)
{
	struct tcesim_replay_opts o = { .size = sizeof(o), .hcall = TCESIM_HCALL_QEMU };
	char *tce, *xl;
	size_t tl, xll;

	(void)state;
	assert_int_equal(tcesim_replay_read_file(trace_path("vio/vio.tce.txt.xz"), &tce, &tl), 0);
	assert_int_equal(tcesim_replay_read_file(trace_path("vio/vio.xlate.txt.xz"), &xl, &xll), 0);
	/* seq <= 20000: T 3, P 1319, S 1562, I 507, X 16609 (counted with awk) */
	tl = cut_at_seq(tce, tl, 20000);
	xll = cut_at_seq(xl, xll, 20000);
	assert_int_equal(tcesim_replay_buffers("vio-slice", tce, tl, "vio-slice.xlate", xl, xll,
					       &o, &sum), 0);
	assert_int_equal(sum.tables, 3);
	assert_int_equal(sum.by_kind[TCESIM_REPLAY_PUT], 1319);
	assert_int_equal(sum.by_kind[TCESIM_REPLAY_STUFF], 1562);
	assert_int_equal(sum.by_kind[TCESIM_REPLAY_INDIRECT], 507);
	assert_int_equal(sum.hcalls, 1319 + 1562 + 507);
	assert_int_equal(sum.xlates, 16609);
	assert_int_equal(sum.records, 3 + 1319 + 1562 + 507 + 16609);
	assert_int_equal(sum.mismatches, 0);
	free(tce);
	free(xl);
}

#define T_HDR "T 0 0x71000002 0x0 12 0x10000 dt:l-lan\nT 0 0x80000000 0x0 12 0x10000 dt:pci\n"

/* QEMU 7.2's error rules (traces/README.md), as a replayed trace. */
static void test_replay_qemu_error_rules(void **state)
{
	char *err = NULL, *tr = NULL;
	size_t trl;
	FILE *tf = open_memstream(&tr, &trl);
	const char *tce = T_HDR
		/* masked ioba, unchecked TCE, read back */
		"P 1 0x71000002 0xfff7ff 0xfff0000000000fff -4\n"
		"P 2 0x71000002 0xf7ff 0xfff0000000000fff 0\n"
		"G 3 0x71000002 0xf000 0xfff0000000000fff 0\n"
		/* unknown LIOBN: -4 */
		"P 4 0x99 0x0 0x1003 -4\n"
		/* STUFF npages 0: -4, nothing written; partial at the window end */
		"S 5 0x71000002 0x0 0x0 0 -4 0x0\n"
		"S 6 0x71000002 0xe000 0x3 3 -4 0x10000\n"
		"G 7 0x71000002 0xf000 0x3 0\n"
		/* INDIRECT: entry 0 in the last slot, entry 1 out of range */
		"I 8 0x80000000 0xf000 0x20000 2 -4 0x0 0x2003 0x1003,0x2003\n"
		"G 9 0x80000000 0xf000 0x1003 0\n"
		"I 10 0x80000000 0x0 0x20000 0 -4 0x0 0x0 -\n"
		"G 11 0x80000000 0x10000 0x0 -4\n";
	const char *xl = "X 12 0x80000000 0xf123 0x1000 3 0xfff\n"
			 "X 13 0x80000000 0x10000 0x0 0 0xffffffff\n";

	(void)state;
	assert_non_null(tf);
	assert_int_equal(replay_str(tce, xl, &sum, &err, tf), 0);
	fclose(tf);
	assert_string_equal(err, "");
	assert_int_equal(sum.mismatches, 0);
	assert_int_equal(sum.hcalls, 11);
	assert_int_equal(sum.xlates, 2);
	/* QEMU's own trace lines, as qemu -trace spapr_iommu_* prints them */
	assert_non_null(strstr(tr, "spapr_iommu_put liobn=0x99 ioba=0x0 tce=0x1003 ret=-4\n"));
	assert_non_null(strstr(tr, "spapr_iommu_stuff liobn=71000002 ioba=0x0 tcevalue=0x0 "
				   "npages=0 ret=-4\n"));
	assert_non_null(strstr(tr, "spapr_iommu_pci_indirect liobn=80000000 ioba=0xf000 "
				   "tcelist=0x20000 iobaN=0x0 tceN=0x2003 ret=-4\n"));
	assert_non_null(strstr(tr, "spapr_iommu_xlate liobn=80000000 0x10000 -> 0x0 perm=0 "
				   "mask=ffffffff\n"));
	free(tr);
	free(err);
}

static void test_replay_mismatches_reported(void **state)
{
	char *err = NULL;
	const char *tce = T_HDR
		"P 1 0x71000002 0x1000 0x1003 0\n"
		"P 2 0x71000002 0x20000 0x1003 0\n"	/* QEMU would say -4 */
		"S 3 0x71000002 0x4000 0x0 2 0 0x7000\n";	/* the model stops at 0x6000 */
	const char *xl = "X 4 0x71000002 0x1000 0x2000 3 0xfff\n"	/* model: 0x1000 */
			 "X 5 0x12345 0x0 0x0 0 0xffffffff\n";	/* no such table */

	(void)state;
	assert_int_equal(replay_str(tce, xl, &sum, &err, NULL), 1);
	assert_int_equal(sum.mismatches, 4);
	assert_int_equal(sum.ret_mismatches, 1);
	assert_int_equal(sum.trace_mismatches, 1);
	assert_int_equal(sum.xlate_mismatches, 2);
	assert_int_equal(sum.nshown, 4);
	assert_string_equal(sum.shown[0], "t.tce:4: H_PUT_TCE returned H_PARAMETER, QEMU returned "
					  "H_SUCCESS");
	assert_non_null(strstr(sum.shown[1], "t.tce:5: H_STUFF_TCE stopped at ioba 0x6000"));
	assert_non_null(strstr(sum.shown[2], "t.xlate:1: xlate liobn=0x71000002 0x1000: model -> "
					     "0x1000"));
	assert_non_null(strstr(err, "t.xlate:2: translation through LIOBN 0x12345"));
	free(err);
}

struct bad_case {
	const char *tce;
	const char *want;	/* expected message */
};

static void test_replay_malformed_exit2(void **state)
{
	static const struct bad_case cases[] = {
		{ "P 1 0x1 0x0\n", "t.tce:1: missing tce" },
		{ "# c\n\nP 1 0x1 0x0 1003 0\n", "t.tce:3: bad tce '1003' (hex with 0x expected)" },
		{ "P x 0x1 0x0 0x1003 0\n", "t.tce:1: bad seq 'x'" },
		{ "P 2 0x1 0x0 0x0 0\nP 1 0x1 0x0 0x0 0\n", "t.tce:2: seq 1 goes backwards" },
		{ "Q 1 0x1\n", "t.tce:1: unknown record type 'Q'" },
		{ "PP 1 0x1\n", "t.tce:1: bad record type 'PP'" },
		{ "P 1 0x1 0x0 0x0 0 extra\n", "t.tce:1: unexpected field 'extra'" },
		{ "T 0 0x1 0x0 99 0x1000 dt\n", "t.tce:1: page_shift 99 out of range" },
		{ "T 0 0x1 0x0 12 0x1000\n", "t.tce:1: missing source" },
		{ "R 1 0x5 ddw\n", "t.tce:1: R of LIOBN 0x5 that has no table" },
		{ "I 1 0x1 0x0 0x1000 3 0 0x2 0x0 0x1,0x2\n", "t.tce:1: TCE list has 2 entries" },
		{ "I 1 0x1 0x0 0x1000 1 0 0x0 0x0 0x1,\n", "t.tce:1: TCE list ends with a comma" },
		{ "I 1 0x1 0x0 0x1000 1 0 0x0 0x0 0xzz\n", "t.tce:1: bad TCE list entry 0" },
		{ "I 1 0x1 0x0 0x1000 1 0 0x0 0x0\n", "t.tce:1: missing TCE list" },
		{ "P 1 0x12345678901234567 0x0 0x0 0\n", "t.tce:1: bad liobn" },
		{ "I 1 0x1 0x0 0xfffffffffffff000 1 0 0x0 0x0 0x1\n",
		  "t.tce:1: cannot place the TCE list" },
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *err = NULL;

		assert_int_equal(replay_str(cases[i].tce, NULL, &sum, &err, NULL), 2);
		if (!strstr(err, cases[i].want))
			fail_msg("case %u: got '%s', want '%s'", i, err, cases[i].want);
		free(err);
	}
	/* a malformed X file names the X file */
	{
		char *err = NULL;

		assert_int_equal(replay_str(T_HDR, "X 1 0x71000002 0x0 0x0 9\n", &sum, &err, NULL),
				 2);
		assert_non_null(strstr(err, "t.xlate:1: missing mask"));
		free(err);
	}
}

/*
 * The same X line followed by a long comment or at the very end of the
 * buffer must give the same exit code, messages and counts, for good lines
 * and for every kind of bad token. (Written for the SWAR fast path that
 * replay.c had until issue 9; with one tokenizer they remain invariance
 * checks: where a line sits in the input, and how it is spaced, must not
 * change what it means.)
 */
static void test_replay_xlate_fast_path_same_as_general(void **state)
{
	static const char *const lines[] = {
		"X 1 0x71000002 0x0 0x0 0 0xfff",		/* agrees */
		"X 1 0x71000002 0x1000 0x2000 3 0xfff",		/* mismatch */
		"X 1 0x71000002 0xffffffffffffffff 0x0 0 0xffffffff",	/* 16 digits */
		"X 1 0x71000002 0XABCDEF 0x0 0 0xFFFFFFFF",	/* upper case */
		"X 1 0x71000002 0x0 0x0 0 0xfff\r",		/* CRLF */
		"X 1\t0x71000002 0x0 0x0 0 0xfff",		/* tab */
		"X 1 0x71000002  0x0 0x0 0 0xfff",		/* two spaces */
		"X 1 0x71000002 0x0 0x0 0 0x12345678901234567",	/* 17 digits */
		"X 1 0x71000002 0x0 0x 0 0xfff",
		"X 1 0x71000002 0x0 0x0g 0 0xfff",
		"X 1 0x71000002 0x0 0x0 0 0xfff extra",
		"X 1 0x71000002 0x0 0x0 -1 0xfff",
		"X 1 0x71000002 0x0 0x0 0",
		"X 1234567890123456789 0x71000002 0x0 0x0 0 0xfff",
		"XX 1 0x71000002 0x0 0x0 0 0xfff",
		"X 2 0x71000002 0x0 0x0 0 0xfff\nX 1 0x71000002 0x0 0x0 0 0xfff",
	};
	char pad[160], xl[512];
	unsigned int i;

	(void)state;
	memset(pad, 'x', sizeof(pad));
	pad[0] = '#';
	pad[sizeof(pad) - 2] = '\n';
	pad[sizeof(pad) - 1] = '\0';
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct tcesim_replay_summary fast;
		char *err_fast = NULL, *err_gen = NULL;
		int ret_fast, ret_gen;

		snprintf(xl, sizeof(xl), "%s\n%s", lines[i], pad);
		ret_fast = replay_str(T_HDR, xl, &fast, &err_fast, NULL);
		snprintf(xl, sizeof(xl), "%s\n", lines[i]);
		ret_gen = replay_str(T_HDR, xl, &sum, &err_gen, NULL);
		if (ret_fast != ret_gen || strcmp(err_fast, err_gen))
			fail_msg("line %u: fast %d '%s', general %d '%s'", i, ret_fast, err_fast,
				 ret_gen, err_gen);
		assert_int_equal(fast.xlates, sum.xlates);
		assert_int_equal(fast.mismatches, sum.mismatches);
		if (i < 7)	/* well formed */
			assert_int_equal(ret_gen, i == 1 ? 1 : 0);
		else
			assert_int_equal(ret_gen, 2);
		free(err_fast);
		free(err_gen);
	}
}

/*
 * Many X lines in a row, cut by hypercalls and LIOBN changes, with
 * near-miss tokens (one digit more or less, another terminator, upper
 * case): the text with spaces and the same text with tabs must give the
 * same exit code, messages, counts and shown mismatches. One malformed
 * token at a random line ends some of the runs (seeded; TCESIM_TEST_SEED
 * replays a run). Once a test of the removed fast path's batches and memo
 * (issue 9), kept as an invariance check of the one tokenizer.
 */
static void test_replay_xlate_batch_same_as_general(void **state)
{
	static const char *const liobns[] = { "0x71000002", "0x71000002", "0x71000002",
					      "0x80000000", "0x7100000", "0x710000020",
					      "0X71000002", "0x12345" };
	static const char *const masks[] = { "0xfff", "0xfff", "0xfff", "0xff", "0xfff0",
					     "0xFFF", "0xffffffff", "0xffffff" };
	static const char *const bad[] = { "0x", "0x0g", "0x12345678901234567", "-1", "0xz" };
	struct test_prng rng = { test_seed() };
	size_t cap = 1 << 16;
	char *xl = malloc(cap), *xg = malloc(cap);
	const char *tce = T_HDR "P 40 0x71000002 0x3000 0x7003003 0\n"
			  "P 90 0x80000000 0x2000 0x9002001 0\n"
			  "S 150 0x71000002 0x1000 0x5555002 3 0 0x4000\n";
	int iter;

	(void)state;
	assert_non_null(xl);
	assert_non_null(xg);
	for (iter = 0; iter < 40; iter++) {
		struct tcesim_replay_summary fast;
		unsigned int nl = 20 + (unsigned int)test_prng_below(&rng, 200), i;
		long badline = iter % 3 ? -1 : (long)test_prng_below(&rng, nl);
		char *err_fast = NULL, *err_gen = NULL, *p;
		size_t len = 0;
		int ret_fast, ret_gen;
		uint64_t seq = 1;

		for (i = 0; i < nl; i++) {
			const char *tok[6];
			char sq[24], off[24], tr[24], perm[4];
			unsigned int f;

			seq += test_prng_below(&rng, 3);	/* repeats allowed */
			snprintf(sq, sizeof(sq), "%" PRIu64, seq);
			snprintf(off, sizeof(off), "0x%" PRIx64,
				 test_prng_below(&rng, 24) << 12 | test_prng_below(&rng, 0x1000));
			snprintf(tr, sizeof(tr), "0x%" PRIx64,
				 test_prng_below(&rng, 4) ? test_prng_below(&rng, 2) * 0x5555000 :
				 test_prng_next(&rng) >> test_prng_below(&rng, 64));
			snprintf(perm, sizeof(perm), "%u", (unsigned int)test_prng_below(&rng, 4));
			tok[0] = sq;
			tok[1] = liobns[test_prng_below(&rng, 8) & (test_prng_below(&rng, 4) ? 0 : 7)];
			tok[2] = off;
			tok[3] = tr;
			tok[4] = perm;
			tok[5] = masks[test_prng_below(&rng, 8) & (test_prng_below(&rng, 4) ? 0 : 7)];
			if ((long)i == badline)
				tok[1 + test_prng_below(&rng, 5)] = bad[test_prng_below(&rng, 5)];
			len += (size_t)snprintf(xl + len, cap - len, "X");
			for (f = 0; f < 6; f++)
				len += (size_t)snprintf(xl + len, cap - len, " %s", tok[f]);
			len += (size_t)snprintf(xl + len, cap - len, "\n");
			assert_true(len < cap - 256);
		}
		/* the general form first (tabs), then the padding the fast path needs */
		memcpy(xg, xl, len + 1);
		for (p = xg; *p; p++)
			if (*p == ' ')
				*p = '\t';
		snprintf(xl + len, cap - len, "#%0200d\n", 0);
		ret_fast = replay_str(tce, xl, &fast, &err_fast, NULL);
		ret_gen = replay_str(tce, xg, &sum, &err_gen, NULL);
		if (ret_fast != ret_gen || strcmp(err_fast, err_gen))
			fail_msg("iter %d: fast %d '%s', general %d '%s'", iter, ret_fast, err_fast,
				 ret_gen, err_gen);
		assert_int_equal(fast.records, sum.records);
		assert_int_equal(fast.xlates, sum.xlates);
		assert_int_equal(fast.mismatches, sum.mismatches);
		assert_int_equal(fast.xlate_mismatches, sum.xlate_mismatches);
		assert_int_equal(fast.nshown, sum.nshown);
		for (i = 0; i < fast.nshown; i++)
			assert_string_equal(fast.shown[i], sum.shown[i]);
		if (badline < 0)
			assert_int_not_equal(ret_gen, 2);
		free(err_fast);
		free(err_gen);
	}
	free(xl);
	free(xg);
}

/* Replays @xl (spaces, padded for the fast paths) and @xg (tabs: general parser only). */
static void same_as_general(const char *what, int iter, const char *tce_fast, const char *xl,
			    const char *tce_gen, const char *xg)
{
	struct tcesim_replay_summary fast;
	char *err_fast = NULL, *err_gen = NULL;
	int ret_fast, ret_gen;
	unsigned int i;

	ret_fast = replay_str(tce_fast, xl, &fast, &err_fast, NULL);
	ret_gen = replay_str(tce_gen, xg, &sum, &err_gen, NULL);
	if (ret_fast != ret_gen || strcmp(err_fast, err_gen))
		fail_msg("%s iter %d: fast %d '%s', general %d '%s'", what, iter, ret_fast,
			 err_fast, ret_gen, err_gen);
	assert_int_equal(fast.records, sum.records);
	assert_int_equal(fast.hcalls, sum.hcalls);
	assert_int_equal(fast.xlates, sum.xlates);
	assert_int_equal(fast.mismatches, sum.mismatches);
	assert_int_equal(fast.xlate_mismatches, sum.xlate_mismatches);
	assert_int_equal(fast.ret_mismatches, sum.ret_mismatches);
	assert_int_equal(fast.trace_mismatches, sum.trace_mismatches);
	assert_int_equal(fast.nshown, sum.nshown);
	for (i = 0; i < fast.nshown; i++)
		assert_string_equal(fast.shown[i], sum.shown[i]);
	if (ret_gen != 2) {
		assert_int_equal(fast.peak_live, sum.peak_live);
		assert_int_equal(fast.final_live, sum.final_live);
		assert_int_equal(fast.ntables, sum.ntables);
		for (i = 0; i < fast.ntables; i++) {
			assert_int_equal(fast.table[i].liobn, sum.table[i].liobn);
			assert_int_equal(fast.table[i].digest, sum.table[i].digest);
		}
	}
	free(err_fast);
	free(err_gen);
}

/* A copy of @text with every space a tab, for the general parser. */
static char *tabbed(const char *text)
{
	char *t = strdup(text), *p;

	assert_non_null(t);
	for (p = t; *p; p++)
		if (*p == ' ')
			*p = '\t';
	return t;
}

/* Appends @line (@n bytes and its NUL) to @buf, leaving room for the padding. */
static void append_line(char *buf, size_t *len, size_t cap, const char *line, int n)
{
	assert_true(*len + (size_t)n < cap - 256);
	memcpy(buf + *len, line, (size_t)n + 1);
	*len += (size_t)n;
}

/*
 * The general form first (a tabbed copy of @buf), then the padding the fast
 * path needs after @buf's end.
 */
static char *tabbed_then_pad(char *buf, size_t len, size_t cap)
{
	char *t = tabbed(buf);

	snprintf(buf + len, cap - len, "#%0200d\n", 0);
	return t;
}

/* Hex digits of @v, at least @width, some in upper case when @upper. */
static void put_hex(char *buf, size_t len, uint64_t v, unsigned int width, bool upper)
{
	snprintf(buf, len, upper ? "0x%0*" PRIX64 : "0x%0*" PRIx64, (int)width, v);
}

/*
 * Runs of X lines like the real ones: the same shape line after line (the
 * delta path's memo), seq counting up by one (last digit only, and carries
 * into longer numbers), offsets within a page (last digit) or across pages
 * (several digits), translations, perm, LIOBN and mask changing now and
 * then, field lengths changing (a new shape, two shapes alternating), 8-
 * and 9-digit fields and long lines (the memo's limits), upper case. Now
 * and then one byte of a line is replaced, inside a field or on a
 * separator, by a byte the fast paths must refuse (hex letters in decimal
 * fields, neighbours of the digit ranges, bytes with the high bit set that
 * look like digits in 7 bits, blanks, CR). The same text with tabs takes
 * the general parser only; both must give the same exit code, messages,
 * counts and shown mismatches.
 */
static void test_replay_xlate_delta_same_as_general(void **state)
{
	static const char *const liobns[] = { "0x71000002", "0x80000000", "0x71000003",
					      "0X71000002", "0x7100000", "0x710000020" };
	static const char *const masks[] = { "0xfff", "0xfff", "0xFFF", "0xffffff", "0xffffffff",
					     "0xff" };
	static const char bad[] = { 'g', 'G', ':', '/', '@', '`', 'x', 'X', '-', ' ', '\t',
				    '\r', 'a', 'F', (char)0xb0, (char)0xb9, (char)0xe1,
				    (char)0xc6, (char)0x80, '\n', ',' };
	struct test_prng rng = { test_seed() };
	size_t cap = 1 << 17;
	char *xl = malloc(cap);
	const char *tce = T_HDR "P 400000 0x71000002 0x3000 0x7003003 0\n"
			  "P 900000 0x80000000 0x2000 0x9002001 0\n";
	char *tce_gen = tabbed(tce);
	int iter;

	(void)state;
	assert_non_null(xl);
	for (iter = 0; iter < 300; iter++) {
		unsigned int nl = 20 + (unsigned int)test_prng_below(&rng, 400), i;
		long badline = iter % 2 ? -1 : (long)test_prng_below(&rng, nl);
		uint64_t seq = 1 + test_prng_below(&rng, 4) * (test_prng_next(&rng) >> 40);
		uint64_t off = test_prng_below(&rng, 0x10000) << 12, tr = 0x5555000;
		unsigned int offw = 1 + (unsigned int)test_prng_below(&rng, 8), trw = 7, perm = 3;
		unsigned int li = 0, mi = 0;
		bool upper = false;
		size_t len = 0;
		char *xg;

		for (i = 0; i < nl; i++) {
			char sq[24], so[32], st[32], line[160];
			unsigned int k = (unsigned int)test_prng_below(&rng, 100);
			int n;

			seq += test_prng_below(&rng, 8) ? 1 : test_prng_below(&rng, 3);
			if (k < 50)
				off = (off & ~0xfULL) | test_prng_below(&rng, 16);
			else if (k < 75)
				off += test_prng_below(&rng, 4) << 12;
			else if (k < 85)
				offw = 1 + (unsigned int)test_prng_below(&rng, test_prng_below(&rng, 4) ?
									      8 : 16);
			if (test_prng_below(&rng, 3) == 0)
				tr = test_prng_below(&rng, 4) ? (tr & ~0xffffULL) |
					test_prng_below(&rng, 0x10000) << 12 :
					test_prng_next(&rng) >> test_prng_below(&rng, 64);
			if (test_prng_below(&rng, 10) == 0)
				trw = 1 + (unsigned int)test_prng_below(&rng, 9);
			if (test_prng_below(&rng, 10) == 0)
				perm = (unsigned int)test_prng_below(&rng, 4);
			if (test_prng_below(&rng, 20) == 0)
				li = (unsigned int)test_prng_below(&rng, 6);
			if (test_prng_below(&rng, 20) == 0)
				mi = (unsigned int)test_prng_below(&rng, 6);
			if (test_prng_below(&rng, 30) == 0)
				upper = !upper;
			snprintf(sq, sizeof(sq), "%" PRIu64, seq);
			put_hex(so, sizeof(so), off, offw, upper);
			put_hex(st, sizeof(st), tr, trw, upper && (i & 1));
			n = snprintf(line, sizeof(line), "X %s %s %s %s %u %s\n", sq, liobns[li], so,
				     st, perm, masks[mi]);
			assert_true(n > 0 && (size_t)n < sizeof(line));
			if ((long)i == badline) {
				/* any byte but the last '\n', or the last digit of a field */
				size_t at = test_prng_below(&rng, (uint64_t)n - 1);

				if (test_prng_below(&rng, 2))
					while (at + 1 < (size_t)n - 1 && line[at + 1] != ' ')
						at++;
				line[at] = bad[test_prng_below(&rng, sizeof(bad))];
			}
			append_line(xl, &len, cap, line, n);
		}
		xg = tabbed_then_pad(xl, len, cap);
		same_as_general("xlate delta", iter, tce, xl, tce_gen, xg);
		free(xg);
	}
	free(tce_gen);
	free(xl);
}

/*
 * Hypercall lines (P, S, I) take fast_field_hex()/fast_field_dec() and
 * fast_list() when well formed: random records, now and then one byte
 * replaced or inserted (in a number, a separator, the list: doubled or
 * trailing commas, "-", 17 digits, a minus sign), must give what the
 * general parser gives on the same text with tabs.
 */
static void test_replay_hcall_fast_fields_same_as_general(void **state)
{
	static const char bad[] = { 'g', ':', '/', 'x', '-', ' ', '\t', ',', '\r', 'a',
				    (char)0xb0, (char)0xe1, '0', '1' };
	struct test_prng rng = { test_seed() };
	size_t cap = 1 << 17;
	char *tl = malloc(cap);
	int iter;

	(void)state;
	assert_non_null(tl);
	for (iter = 0; iter < 300; iter++) {
		unsigned int nr = 1 + (unsigned int)test_prng_below(&rng, 40), i;
		long badline = iter % 2 ? -1 : (long)test_prng_below(&rng, nr);
		size_t len = (size_t)snprintf(tl, cap, "%s", T_HDR);
		uint64_t seq = 1;
		char *tg;

		for (i = 0; i < nr; i++) {
			char line[4096];
			const char *liobn = test_prng_below(&rng, 2) ? "0x71000002" : "0x80000000";
			uint64_t ioba = test_prng_below(&rng, 18) << 12;
			unsigned int k = (unsigned int)test_prng_below(&rng, 3), np, j;
			int n;

			seq += 1 + test_prng_below(&rng, 1000);
			if (k == 0) {
				n = snprintf(line, sizeof(line), "P %" PRIu64 " %s 0x%" PRIx64
					     " 0x%" PRIx64 " %d\n", seq, liobn, ioba,
					     test_prng_below(&rng, 2) ? 0 :
					     (test_prng_below(&rng, 64) << 12) | 3,
					     test_prng_below(&rng, 8) ? 0 : -4);
			} else if (k == 1) {
				np = (unsigned int)test_prng_below(&rng, 20);
				n = snprintf(line, sizeof(line), "S %" PRIu64 " %s 0x%" PRIx64
					     " 0x%" PRIx64 " %u 0 0x%" PRIx64 "\n", seq, liobn,
					     ioba, test_prng_below(&rng, 2) ? 0 : (uint64_t)0x1003,
					     np, ioba + ((uint64_t)np << 12));
			} else {
				uint64_t last = 0;

				np = (unsigned int)test_prng_below(&rng, 6);
				n = snprintf(line, sizeof(line), "I %" PRIu64 " %s 0x%" PRIx64
					     " 0x%" PRIx64 " %u 0", seq, liobn, ioba,
					     (uint64_t)0x40000 + (test_prng_below(&rng, 16) << 12),
					     np);
				for (j = 0; j < np; j++)
					last = (test_prng_below(&rng, 1ULL << 20) << 12) |
					       test_prng_below(&rng, 4);
				n += snprintf(line + n, sizeof(line) - (size_t)n,
					      " %s%u 0x%" PRIx64 " ", np && test_prng_below(&rng, 2) ?
					      "0x" : "", np ? np - 1 : 0, last);
				if (!np)
					n += snprintf(line + n, sizeof(line) - (size_t)n, "-");
				/* the same entries again, the last one as traced */
				for (j = 0; j < np; j++)
					n += snprintf(line + n, sizeof(line) - (size_t)n,
						      "%s0x%" PRIx64, j ? "," : "",
						      j + 1 == np ? last :
						      test_prng_below(&rng, 1ULL << 32) << 12);
				n += snprintf(line + n, sizeof(line) - (size_t)n, "\n");
			}
			assert_true(n > 0 && (size_t)n < sizeof(line) - 2);
			if ((long)i == badline) {
				size_t at = test_prng_below(&rng, (uint64_t)n - 1);
				char b = bad[test_prng_below(&rng, sizeof(bad))];

				if (test_prng_below(&rng, 2)) {
					line[at] = b;
				} else {
					memmove(line + at + 1, line + at, (size_t)n - at + 1);
					line[at] = b;
					n++;
				}
			}
			append_line(tl, &len, cap, line, n);
		}
		tg = tabbed_then_pad(tl, len, cap);
		same_as_general("hcall fields", iter, tl, NULL, tg, NULL);
		free(tg);
	}
	free(tl);
}

/* Random bytes and random mutations of a valid trace never crash the parser. */
static void test_replay_garbage_no_crash(void **state)
{
	struct test_prng rng = { test_seed() };
	const char *good = T_HDR "P 1 0x71000002 0x1000 0x1003 0\n"
			   "I 2 0x71000002 0x0 0x3000 2 0 0x1 0x2003 0x1003,0x2003\n"
			   "S 3 0x71000002 0x0 0x0 2 0 0x2000\n";
	char buf[512];
	int iter;

	(void)state;
	for (iter = 0; iter < 80; iter++) {
		static const char noise[] = "0x ,-\n#TPSIGRX9fz";
		size_t n = strlen(good), k;
		char *err = NULL;
		int ret;

		memcpy(buf, good, n + 1);
		if (iter < 30) {
			for (k = 0; k < n; k++)
				buf[k] = (char)(test_prng_next(&rng) & 0xff);
		} else {
			for (k = 0; k < 4; k++)
				buf[test_prng_below(&rng, n)] =
					noise[test_prng_below(&rng, sizeof(noise) - 1)];
		}
		ret = replay_str(buf, NULL, &sum, &err, NULL);
		assert_true(ret >= 0 && ret <= 2);
		if (ret == 2 && !strstr(err, "t.tce:"))
			fail_msg("no FILE:LINE in '%s'", err);
		free(err);
	}
}

static void test_replay_read_file_formats(void **state)
{
	const char *text = T_HDR "P 1 0x71000002 0x1000 0x1003 0\n";
	char plain[] = "/tmp/tcesim-replay-XXXXXX";
	char gzname[64], *got;
	size_t len;
	gzFile gz;
	int fd;

	(void)state;
	fd = mkstemp(plain);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(tcesim_replay_read_file(plain, &got, &len), 0);
	assert_int_equal(len, strlen(text));
	assert_string_equal(got, text);
	free(got);
	snprintf(gzname, sizeof(gzname), "%s.tce.txt.gz", plain);
	gz = gzopen(gzname, "wb");
	assert_non_null(gz);
	assert_int_equal(gzwrite(gz, text, (unsigned int)strlen(text)), (int)strlen(text));
	gzclose(gz);
	assert_int_equal(tcesim_replay_read_file(gzname, &got, &len), 0);
	assert_string_equal(got, text);
	free(got);
	assert_int_equal(tcesim_replay_file(gzname, NULL, &sum), 0);
	assert_int_equal(sum.hcalls, 1);
	assert_errno(tcesim_replay_read_file("/nonexistent/x.tce.txt", &got, &len), -ENOENT);
	unlink(gzname);
	unlink(plain);
}

static void test_replay_main_cli(void **state)
{
	char *out = NULL, *err = NULL;
	size_t ol, el;
	FILE *fo = open_memstream(&out, &ol), *fe = open_memstream(&err, &el);
	char a0[] = "replay", a1[] = "--json", bogus[] = "--bogus";
	char missing[] = "/nonexistent/x.tce.txt";
	char *argv_json[] = { a0, a1, trace_path("vio/vio.tce.txt.xz"), NULL };
	char *argv_bad[] = { a0, bogus, NULL };
	char *argv_none[] = { a0, NULL };
	char *argv_missing[] = { a0, missing, NULL };

	(void)state;
	assert_int_equal(tcesim_replay_main(3, argv_json, fo, fe), 0);
	assert_int_equal(tcesim_replay_main(2, argv_bad, fo, fe), 2);
	assert_int_equal(tcesim_replay_main(1, argv_none, fo, fe), 2);
	assert_int_equal(tcesim_replay_main(2, argv_missing, fo, fe), 2);
	fclose(fo);
	fclose(fe);
	assert_non_null(strstr(out, "\"hcalls\":12597"));
	assert_non_null(strstr(out, "\"mismatches\":0"));
	assert_non_null(strstr(out, "\"xlates\":175032"));
	assert_non_null(strstr(err, "unknown option --bogus"));
	assert_non_null(strstr(err, "/nonexistent/x.tce.txt: cannot read"));
	free(out);
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_vio_full),
		cmocka_unit_test(test_replay_pci_full),
		cmocka_unit_test(test_replay_vio_kvm_qemu_fallback),
		cmocka_unit_test(test_replay_vio_slice),
		cmocka_unit_test(test_replay_qemu_error_rules),
		cmocka_unit_test(test_replay_mismatches_reported),
		cmocka_unit_test(test_replay_malformed_exit2),
		cmocka_unit_test(test_replay_xlate_fast_path_same_as_general),
		cmocka_unit_test(test_replay_xlate_batch_same_as_general),
		cmocka_unit_test(test_replay_xlate_delta_same_as_general),
		cmocka_unit_test(test_replay_hcall_fast_fields_same_as_general),
		cmocka_unit_test(test_replay_garbage_no_crash),
		cmocka_unit_test(test_replay_read_file_formats),
		cmocka_unit_test(test_replay_main_cli),
	};

	test_seed();
	return cmocka_run_group_tests_name("replay", tests, NULL, NULL);
}
