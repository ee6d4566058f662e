// SPDX-License-Identifier: LGPL-2.1-or-later
/* test_script.c - the scenario runner's contract (SCENARIO.md "Runner"). */
#include "tcesim_test.h"
#include "fx_script.h"

static void test_run_all_pass_exit_0(void **state)
{
	struct fx_run r;

	(void)state;
	fx_script_run("# comment\n\nmm a memlock=64K\nmmap a va=0x10000000 size=64K\n"
		      "mmap a va=0x10000000 size=4K => EINVAL\n"
		      "mmap a va=0x20000000 size=4K => ENOMEM|EINVAL|ok\n"
		      "check locked_vm mm=a pages=0\n", &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.st.passed, 5);
	assert_int_equal(r.st.failed, 0);
	assert_non_null(strstr(r.out, "5 passed, 0 failed"));
}

static void test_run_failed_expectation_exit_1(void **state)
{
	struct fx_run r;

	(void)state;
	fx_script_run("mm a\nmmap a va=0x10000001 size=4K\ncheck locked_vm mm=a pages=3\nmm b\n",
		      &r);
	assert_int_equal(r.rc, 1);
	assert_int_equal(r.st.failed, 2);
	assert_int_equal(r.st.passed, 2);	/* the run goes on after a failure */
	assert_non_null(strstr(r.out, "t.tsim:2: expected ok, got EINVAL"));
	assert_non_null(strstr(r.out, "t.tsim:3: expected pages=3, got pages=0"));
}

static void test_run_unknown_command_exit_2_stops_file(void **state)
{
	struct fx_run r;

	(void)state;
	fx_script_run("mm a\nfrobnicate a\nmm b => EINVAL\n", &r);
	assert_int_equal(r.rc, 2);
	assert_non_null(strstr(r.err, "t.tsim:2: unknown command 'frobnicate'"));
	assert_int_equal(r.st.failed, 0);	/* line 3 never ran */
}

static void test_run_unknown_object_and_argument_exit_2(void **state)
{
	struct fx_run r;

	(void)state;
	fx_script_run("mmap nobody va=0 size=4K\n", &r);
	assert_int_equal(r.rc, 2);
	assert_non_null(strstr(r.err, "t.tsim:1: unknown mm nobody"));
	fx_script_run("mm a colour=blue\n", &r);
	assert_int_equal(r.rc, 2);
	assert_non_null(strstr(r.err, "unknown argument colour="));
	fx_script_run("mm a\nmm a\n", &r);
	assert_int_equal(r.rc, 2);
	fx_script_run("mm a => EWHAT\n", &r);
	assert_int_equal(r.rc, 2);
	fx_script_run("mmap a va=zz size=4K\n", &r);
	assert_int_equal(r.rc, 2);
}

static void test_run_set_must_come_first(void **state)
{
	struct fx_run r;

	(void)state;
	fx_script_run("set flavour=legacy_2015 quirks=upstream host_page_shift=16\nmm a\n", &r);
	assert_int_equal(r.rc, 0);
	fx_script_run("mm a\nset quirks=upstream\n", &r);
	assert_int_equal(r.rc, 2);
	assert_non_null(strstr(r.err, "must come before"));
	fx_script_run("set flavour=legacy_1999\n", &r);
	assert_int_equal(r.rc, 2);
	fx_script_run("set host_page_shift=13\n", &r);
	assert_int_equal(r.rc, 2);
}

static void test_run_inject_fail_alloc(void **state)
{
	struct fx_run r;

	(void)state;
	fx_script_run("inject fail_alloc=1\nmm a => ENOMEM\nmm a\n", &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.st.passed, 3);
}

static void test_run_sizes_and_numbers(void **state)
{
	struct fx_run r;

	(void)state;
	/* 1M = 0x100000: the second mmap overlaps the first exactly at its end - 4K */
	fx_script_run("mm a\nmmap a va=0x10000000 size=1M\nmmap a va=0x100ff000 size=4K => EINVAL\n"
		      "mmap a va=268435456 size=4096 => EINVAL\n", &r);
	assert_int_equal(r.rc, 0);
}

/* One command name, two modules: driver_bind reaches the module whose
 * object it names (SCRIPT_PASS), and an unknown name is a syntax error. */
static void test_run_shared_command_name_dispatch(void **state)
{
	struct fx_run r;

	(void)state;
	fx_script_run("iommu dmar0 model=vtd\npdev gpu iommu=dmar0 pri=yes\n"
		      "phb phb0 model=ioda2\npe pe0 phb=phb0\ndev d0 pe=pe0\n"
		      "driver_bind gpu\ndriver_bind d0\n"
		      "claim_dma_owner gpu owner=vfio => EPERM\n" /* the VT-d group has a driver */
		      "take_ownership pe0 => EBUSY\n"			/* and so has the PE */
		      "driver_unbind gpu\nclaim_dma_owner gpu owner=vfio\n", &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.st.failed, 0);
	fx_script_run("mm a\ndriver_bind a\n", &r);
	assert_int_equal(r.rc, 2);
}

/*
 * Issue 7 defect 1: creating the vfio state asked for the ops state while the
 * world's slot lock was held: this hung forever (0 % CPU) before the slots
 * were published with compare-and-swap. The ctest TIMEOUT turns a hang into a
 * failure.
 */
static void test_run_nested_slot_create_no_deadlock(void **state)
{
	struct fx_run r;

	(void)state;
	fx_script_run("mm q\nvfio_open c mm=q\n", &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.st.passed, 2);
}

/* Issue 7 defect 4: a directory ran as an empty scenario, exit 0. */
static void test_run_directory_cannot_read_exit_2(void **state)
{
	const char *paths[] = { "/" };
	struct fx_run r;

	(void)state;
	fx_script_run_with(&r, NULL, paths, 1, NULL);
	assert_int_equal(r.rc, 2);
	assert_non_null(strstr(r.err, "/: cannot read: Is a directory"));
}

/* Issue 7 defects 5 and 8: extra bare words are a syntax error, echoed cut and escaped. */
static void test_run_extra_bare_word_exit_2(void **state)
{
	struct fx_run r;

	(void)state;
	fx_script_run("mm q\nvfio_open c0 tyv2 mm=q\n", &r);
	assert_int_equal(r.rc, 2);
	assert_non_null(strstr(r.err, "t.tsim:2: vfio_open: unexpected word 'tyv2'"));
	fx_script_run("mm a bogus\n", &r);
	assert_int_equal(r.rc, 2);
	assert_non_null(strstr(r.err, "t.tsim:1: mm: unexpected word 'bogus'"));
	fx_script_run("mm a \x01"
		      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
		      &r);
	assert_int_equal(r.rc, 2);
	assert_non_null(strstr(r.err, "unexpected word '\\x01xxx"));
	assert_non_null(strstr(r.err, "xxx...'"));
	assert_null(strstr(r.err, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"));
}

/*
 * Issue 7 defect 8: every token a scenario error message echoes (unknown
 * command, object, argument, flag, bad number, bad value, bad expected
 * result, failed expectation) is cut at 64 bytes ("..." follows) with
 * bytes outside printable ASCII as \xNN.
 */
static void assert_echo_bounded(const char *msg)
{
	const char *p;
	size_t run = 0;

	for (p = msg; *p; p++) {
		/* nothing unprintable, no ESC reaches the terminal */
		assert_true(*p == '\n' || (*p >= 0x20 && *p < 0x7f));
		run = *p == 'A' ? run + 1 : 0;
		assert_true(run <= 64); /* the token is 100 'A's: cut at 64 */
	}
}

static void test_run_echoed_tokens_cut_and_escaped(void **state)
{
	static const char *const lines[] = {
		"\x1b[2J%s\n",					/* unknown command */
		"mm q\nmm_exit \x1b%s\n",			/* unknown object */
		"mm q \x1b%s=1\n",				/* unknown argument */
		"mm q memlock=\x1b%s\n",			/* bad number */
		"mm q\nmmap q va=0x10000 size=4K prot=\x1b%s\n",	/* unknown flag */
		"set flavour=\x1b%s\nmm q\n",			/* bad value */
		"mm q => \x1b%s\n",				/* bad expected result */
	};
	char a[101], text[512];
	struct fx_run r;
	unsigned int i;

	(void)state;
	memset(a, 'A', 100);
	a[100] = 0;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		snprintf(text, sizeof(text), lines[i], a);
		fx_script_run(text, &r);
		assert_int_equal(r.rc, 2);
		assert_non_null(strstr(r.err, "t.tsim:"));
		assert_non_null(strstr(r.err, "\\x1b"));
		assert_non_null(strstr(r.err, "..."));
		assert_echo_bounded(r.err);
	}
	/* a failed expectation echoes the expected value of the line */
	snprintf(text, sizeof(text), "mm q\ncheck locked_vm mm=q pages=0\nmm p => ok x=\x1b%s\n", a);
	fx_script_run(text, &r);
	assert_int_equal(r.rc, 1);
	assert_non_null(strstr(r.out, "\\x1b"));
	assert_echo_bounded(r.out);
	/* a short printable token is echoed whole; a backslash is escaped */
	fx_script_run("frobnicate\n", &r);
	assert_non_null(strstr(r.err, "t.tsim:1: unknown command 'frobnicate'\n"));
	fx_script_run("mm q\nmm_exit a\\b\n", &r);
	assert_non_null(strstr(r.err, "a\\x5cb"));
	/* --explain echoes the line itself escaped */
	{
		struct tcesim_run_opts o = { .size = sizeof(o), .explain = true };
		char out[4096] = { 0 };
		FILE *f = fmemopen(out, sizeof(out), "w");

		o.out = f;
		o.err = f;
		tcesim_script_run_string("t.tsim", "mm q\x1b\n", &o, NULL);
		fclose(f);
		assert_non_null(strstr(out, "t.tsim:1: mm q\\x1b"));
	}
}

/* Found by fuzz_scenario: tokens were counted with isspace() but cut on " \t\r". */
static void test_run_vertical_tab_token_count(void **state)
{
	struct fx_run r;

	(void)state;
	fx_script_run("\v\t\v\t=\n", &r);
	assert_int_equal(r.rc, 2);
	fx_script_run("mm\vq\n", &r);
	assert_int_equal(r.rc, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_all_pass_exit_0),
		cmocka_unit_test(test_run_failed_expectation_exit_1),
		cmocka_unit_test(test_run_unknown_command_exit_2_stops_file),
		cmocka_unit_test(test_run_unknown_object_and_argument_exit_2),
		cmocka_unit_test(test_run_set_must_come_first),
		cmocka_unit_test(test_run_inject_fail_alloc),
		cmocka_unit_test(test_run_sizes_and_numbers),
		cmocka_unit_test(test_run_shared_command_name_dispatch),
		cmocka_unit_test(test_run_nested_slot_create_no_deadlock),
		cmocka_unit_test(test_run_directory_cannot_read_exit_2),
		cmocka_unit_test(test_run_extra_bare_word_exit_2),
		cmocka_unit_test(test_run_echoed_tokens_cut_and_escaped),
		cmocka_unit_test(test_run_vertical_tab_token_count),
	};

	return cmocka_run_group_tests_name("script", tests, NULL, NULL);
}
